//! Experiments: a team's runs of its Nauta template packs (docs/packs.md,
//! "Experiments"). Each is a Helm release of its pack's chart in the team's
//! namespace, with values rendered the way Nauta's `nctl experiment submit`
//! renders them (`packs::folder::nauta`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Site;
use super::types::{PackFolder, Ptr, Team};

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Experiment {
    #[serde(skip)]
    pub at: Ptr,
    pub name: String,
    pub pack: String,
    pub owner: String,
    pub registry: Option<String>,
    #[serde(default)]
    pub command: Vec<String>,
    #[serde(default)]
    pub parameter: Vec<Parameter>,
    #[serde(default)]
    pub env: Vec<String>,
    /// The pack's values rendered for this experiment, once the pack
    /// folders are loaded; `None` when they could not be (reported then).
    #[serde(skip)]
    pub values: Option<Value>,
}

/// Nauta's `-p KEY VALUE`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Parameter {
    pub path: String,
    pub value: String,
}

/// The nfs backends experiments' claims live on (Nauta's `input_nfs` and
/// `output_nfs`), by name.
pub const SHARES: [&str; 2] = ["input", "output"];

/// Where a Nauta template pack keeps its values template.
pub const NAUTA_VALUES: &str = "charts/values.yaml";

impl PackFolder {
    /// A Nauta template pack: the template of a team's experiments, never
    /// installed on its own.
    pub fn is_template(&self) -> bool {
        self.template_path == NAUTA_VALUES
    }
}

impl Site {
    /// The loaded Nauta template pack named `name`.
    pub fn template_pack(&self, name: &str) -> Option<&PackFolder> {
        self.packs.iter().find(|p| p.name == name).and_then(|p| p.folder.as_deref()).filter(|f| f.is_template())
    }

    /// The registry an experiment's image is pushed to: the one it names,
    /// else the site's one registry that is not a mirror.
    pub fn experiment_registry(&self, e: &Experiment) -> Option<&str> {
        let registries = self.settings.as_ref().map(|s| &s.registry[..]).unwrap_or_default();
        match &e.registry {
            Some(r) => registries.iter().find(|x| &x.address == r).map(|x| x.address.as_str()),
            None => {
                let mut own = registries.iter().filter(|r| r.mirror_of.is_none());
                match (own.next(), own.next()) {
                    (Some(r), None) => Some(r.address.as_str()),
                    _ => None,
                }
            }
        }
    }
}

impl Team {
    /// Whether the team may run experiments from the pack `name`.
    pub fn may_use(&self, name: &str) -> bool {
        self.template_pack.iter().any(|p| p == name)
    }
}

/// Sets the pointers of a team's experiments below the team's.
pub fn locate(team: &mut Team) {
    for (i, e) in team.experiment.iter_mut().enumerate() {
        e.at = Ptr(team.at.at(&format!("experiment/{i}")));
    }
}

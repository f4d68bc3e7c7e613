//! The experiments the site runs, sorted by team and name, with what both
//! GitOps engines and cluster/ need of each: where its release goes, what
//! it is called, and the chart it is installed from.

use serde_json::Value;

use crate::model::experiment::Experiment;
use crate::model::{Site, Team};

pub struct ExperimentFacts<'a> {
    pub team: &'a Team,
    pub experiment: &'a Experiment,
    /// The values Nauta's renderer makes of the pack for this experiment.
    pub values: &'a Value,
}

impl ExperimentFacts<'_> {
    /// The Argo CD Application's name: Applications of all teams share
    /// Argo CD's namespace, and team and experiment names are DNS labels,
    /// so the dot keeps every pair apart.
    pub fn app_name(&self) -> String {
        format!("{}.{}", self.team.name, self.experiment.name)
    }

    /// Where the compiled tree keeps the experiment's values.
    pub fn values_path(&self) -> [&str; 4] {
        ["experiments", &self.team.name, &self.experiment.name, "values.yaml"]
    }

    /// Where the compiled tree keeps the chart of the experiment's pack:
    /// once per pack, whatever the number of experiments.
    pub fn chart_path(&self) -> String {
        format!("packs/{}/chart", self.experiment.pack)
    }
}

/// Every experiment whose values were rendered, by team, then name.
pub fn all(site: &Site) -> Vec<ExperimentFacts<'_>> {
    let mut out: Vec<ExperimentFacts> = site
        .teams
        .iter()
        .flat_map(|team| {
            team.experiment.iter().filter_map(move |experiment| {
                Some(ExperimentFacts { team, experiment, values: experiment.values.as_ref()? })
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.team.name, &a.experiment.name).cmp(&(&b.team.name, &b.experiment.name)));
    out
}

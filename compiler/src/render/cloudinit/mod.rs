//! cloud-init NoCloud seeds: `provisioning/cloud-init/<host>/{user-data,
//! meta-data,network-config}` for every host.
//!
//! - `user_data.rs`: the `#cloud-config` document (identity, admin user, NTP,
//!   apt proxy), wrapped by `autoinstall.rs` for hosts installed by Subiquity;
//! - `kubernetes.rs`: node prerequisites and the package/kubeadm steps of
//!   control-plane and worker hosts; `containerd.rs` its configuration files;
//! - `disks.rs`: formatting and mounting `local-data` and `scratch` disks;
//! - `network_config.rs`: network-config version 2;
//! - `meta_data.rs`: instance-id derived from the two documents above.
//!
//! docs/provisioning-cloud-init.md explains what each seed does and why.

mod autoinstall;
mod containerd;
mod disks;
mod kubeadm_files;
mod kubernetes;
mod meta_data;
mod network_config;
mod slurm;
mod user_data;

use rayon::prelude::*;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

use super::outputs::LfText;
use super::{Outputs, yaml};
use crate::model::{Installer, Network};
use crate::plan::{HostFacts, Plan};

/// Where a Kubernetes host gets its kubeadm configuration: the bytes of
/// `kubeadm/<host>.yaml`, delivered by `write_files`, with the join secret as
/// placeholders. At first boot the join script fills them in from the join
/// secret into a copy under /run and `kubeadm init` or `kubeadm join` runs
/// on that copy.
pub const KUBEADM_CONFIG_PATH: &str = "/etc/bosun/kubeadm.yaml";

/// The administrator account every host gets, holding the site's SSH keys.
pub const ADMIN_USER: &str = "bosun-admin";

/// The three seed files of one host.
pub struct Seed {
    pub user_data: LfText,
    pub meta_data: LfText,
    pub network_config: LfText,
}

/// Renders every host's seed, hosts in parallel. A Kubernetes host's seed
/// delivers its kubeadm file: `kubeadm`, indexed like the plan's hosts,
/// holds the bytes of `kubeadm/<host>.yaml`.
pub fn render(
    plan: &Plan,
    kubeadm: &[Option<String>],
    slurm: &[(&'static str, String)],
    out: &mut Outputs,
) -> Result<(), String> {
    let shared = Shared::new(plan, slurm)?;
    let seeds: Vec<Result<Seed, String>> =
        plan.hosts.par_iter().zip(kubeadm).map(|(facts, config)| seed(&shared, facts, config.as_deref())).collect();
    for (facts, seed) in plan.hosts.iter().zip(seeds) {
        let seed = seed?;
        let name = facts.host.name.as_str();
        out.lf_text(&["provisioning", "cloud-init", name, "user-data"], seed.user_data)?;
        out.lf_text(&["provisioning", "cloud-init", name, "meta-data"], seed.meta_data)?;
        out.lf_text(&["provisioning", "cloud-init", name, "network-config"], seed.network_config)?;
    }
    Ok(())
}

/// The parts every seed has in common, built once per compile. Whole
/// stretches of the YAML are the same on every host; they are rendered
/// once, at both depths a cloud-config sits at, and copied into each seed.
pub struct Shared<'a> {
    plan: &'a Plan<'a>,
    /// By name (the first network of a name wins, as with `Site::network`).
    networks: HashMap<&'a str, &'a Network>,
    disks: disks::Rendered<'a>,
    /// For a cloud-config at the top of user-data, and inside autoinstall.
    plain: user_data::Fragments,
    autoinstall: user_data::Fragments,
    /// The files of `slurm/`, by name.
    slurm: &'a [(&'static str, String)],
}

impl<'a> Shared<'a> {
    fn new(plan: &'a Plan<'a>, slurm: &'a [(&'static str, String)]) -> Result<Shared<'a>, String> {
        let containerd = containerd::files(plan)?;
        let mut networks = HashMap::new();
        for n in &plan.site.networks {
            networks.entry(n.name.as_str()).or_insert(n);
        }
        Ok(Shared {
            plan,
            networks,
            disks: disks::Rendered::default(),
            plain: user_data::Fragments::new(plan, &containerd, 0),
            autoinstall: user_data::Fragments::new(plan, &containerd, autoinstall::CLOUD_CONFIG_LEVEL),
            slurm,
        })
    }
}

impl<'a> Shared<'a> {
    /// The network named `name`.
    fn network(&self, name: &str) -> Option<&'a Network> {
        self.networks.get(name).copied()
    }
}

/// Renders the seed of one host.
fn seed<'a>(shared: &Shared<'a>, facts: &'a HostFacts, kubeadm: Option<&str>) -> Result<Seed, String> {
    let plan = shared.plan;
    let network_config = yaml::built(|out| network_config::write(out, shared, facts))?;
    let slurm = slurm::host_part(shared, facts, shared.slurm);
    let slurm = slurm.as_ref();
    let user_data = yaml::built(|out| {
        out.push_str("#cloud-config\n");
        if autoinstalled(plan, facts) {
            autoinstall::header(out, plan, facts, &network_config);
            user_data::cloud_config(
                out,
                autoinstall::CLOUD_CONFIG_LEVEL,
                shared,
                &shared.autoinstall,
                facts,
                kubeadm,
                slurm,
            )
        } else {
            user_data::cloud_config(out, 0, shared, &shared.plain, facts, kubeadm, slurm)
        }
    })?;
    let meta_data = meta_data::meta_data(facts, &user_data, &network_config);
    Ok(Seed {
        user_data: LfText::new(user_data),
        meta_data: LfText::new(meta_data),
        network_config: LfText::new(network_config),
    })
}

/// Whether the host is installed by Subiquity from an `ubuntu-autoinstall` image.
fn autoinstalled(plan: &Plan, facts: &HostFacts) -> bool {
    let image = facts.host.image.as_deref().and_then(|name| plan.site.images.iter().find(|i| i.name == name));
    image.is_some_and(|i| i.installer == Installer::UbuntuAutoinstall)
}

/// A root-owned file for `write_files`.
fn file(path: &str, permissions: &str, content: String) -> Value {
    json!({"path": path, "owner": "root:root", "permissions": permissions, "content": content})
}

/// Inserts `key` only when the value is a non-empty list or object.
fn insert_nonempty(map: &mut Map<String, Value>, key: &str, value: Value) {
    let empty = match &value {
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        Value::Null => true,
        _ => false,
    };
    if !empty {
        map.insert(key.to_string(), value);
    }
}

/// One shell word: left bare when it has no character the shell treats
/// specially, else single-quoted.
fn sh(word: &str) -> String {
    let bare = !word.is_empty()
        && word.bytes().all(|b| b.is_ascii_alphanumeric() || b"@%+=:,./_-".contains(&b))
        && !word.starts_with('=');
    if bare { word.to_string() } else { format!("'{}'", word.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::sh;

    #[test]
    fn shell_words() {
        assert_eq!(sh("/etc/fstab"), "/etc/fstab");
        assert_eq!(sh("kubelet=1.31.4-*"), "'kubelet=1.31.4-*'");
        assert_eq!(sh("http://p:911/a b"), "'http://p:911/a b'");
        assert_eq!(sh("it's"), r"'it'\''s'");
        assert_eq!(sh(""), "''");
    }
}

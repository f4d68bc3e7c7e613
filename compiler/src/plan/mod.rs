//! Stage 5: derived facts. Everything the renderers need that is not written
//! in the site as such is worked out once here, from a site that passed
//! validation, as typed data: per host its FQDN, addresses and boot path
//! (`boot.rs`); what the kubeadm files of all hosts share (`kube.rs`) and
//! each Kubernetes host's kubeadm documents (`kubeadm/`); the
//! node labels of GPU pools (`gpu.rs`); the one CephCluster (`ceph.rs`); the
//! pack graph and its waves; every pack's final values (`values/`); sorted
//! orders and the site digest. Renderers read the plan and nothing else.

mod boot;
pub mod ceph;
mod digest;
pub mod experiments;
pub mod gpu;
mod kube;
pub mod kubeadm;
pub mod slurm;
mod values;

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde_json::Value;

pub use boot::{Boot, Loader};
pub use kube::{API_PORT, Api, Endpoint, Kube, node_ip};

use crate::model::{GpuPool, Host, Interface, Kubernetes, Settings, Site, Taint, Team};
use crate::packs::graph;

pub struct Plan<'a> {
    pub site: &'a Site,
    pub settings: &'a Settings,
    /// Sorted by name: source order never reaches the output.
    pub hosts: Vec<HostFacts<'a>>,
    /// The pools with Kubernetes hosts, sorted by name.
    pub pools: Vec<&'a GpuPool>,
    pub teams: Vec<&'a Team>,
    /// Every host that boots from the network, sorted by host name. An
    /// `Err` names a host validation should have refused (a compiler bug).
    pub boots: Result<Vec<Boot<'a>>, String>,
    pub kube: Kube,
    /// Every Kubernetes host's kubeadm documents, built once.
    pub kubeadm: kubeadm::Kubeadm,
    pub packs: PackGraph,
    /// Every installed pack's values, by pack name (`values/`).
    pub values: BTreeMap<&'a str, Value>,
    /// The Slurm cluster, when the site has a `slurm` block (`slurm.rs`).
    pub slurm: Option<slurm::SlurmPlan<'a>>,
    /// Every experiment of every team, by team and name (`experiments.rs`).
    pub experiments: Vec<experiments::ExperimentFacts<'a>>,
    /// SHA-256 of the canonical model: stable under reordering and reformatting.
    pub digest: String,
}

pub struct HostFacts<'a> {
    pub host: &'a Host,
    pub fqdn: String,
    pub pxe: Option<&'a Interface>,
    /// The address others reach the host at: the PXE interface's, else the
    /// first static address of an interface or bond.
    pub address: Option<Ipv4Addr>,
}

/// What the site installs and in what order: the graph of its packs (and of
/// the cluster/ objects) and each one's sync wave.
pub struct PackGraph {
    pub nodes: Vec<graph::Node>,
    /// Node name → wave; the cycle when the packs wait for each other.
    pub waves: Result<BTreeMap<String, u32>, Vec<String>>,
}

impl PackGraph {
    pub fn wave(&self, name: &str) -> Option<u32> {
        self.waves.as_ref().ok().and_then(|w| w.get(name).copied())
    }
}

impl Plan<'_> {
    /// The `kubernetes` block, which validation requires of every site with
    /// a Kubernetes host: its absence where one is needed is a compiler bug.
    pub fn kubernetes(&self) -> Result<&Kubernetes, String> {
        self.settings.kubernetes.as_ref().ok_or_else(|| "the site has no `kubernetes` block".to_string())
    }
}

/// Builds the plan; `None` if the site has no settings (validation failed).
pub fn plan(site: &Site) -> Option<Plan<'_>> {
    let settings = site.settings.as_ref()?;
    let mut hosts: Vec<HostFacts> = site.hosts.iter().map(|host| host_facts(site, host)).collect();
    hosts.sort_by(|a, b| a.host.name.cmp(&b.host.name));
    // A pool of Slurm hosts alone is a Slurm partition, not a Kubernetes
    // resource: no Kubernetes object names it.
    let slurm_only =
        |p: &GpuPool| site.pool_hosts(p).next().is_some() && site.pool_hosts(p).all(|h| !h.runs_kubernetes());
    let mut pools: Vec<&GpuPool> = site.pools.iter().filter(|p| !slurm_only(p)).collect();
    pools.sort_by(|a, b| a.name.cmp(&b.name));
    let mut teams: Vec<&Team> = site.teams.iter().collect();
    teams.sort_by(|a, b| a.name.cmp(&b.name));
    let nodes = crate::packs::nodes(site);
    let packs = PackGraph { waves: graph::waves(&nodes), nodes };
    let mut plan = Plan {
        site,
        settings,
        boots: boot::boots(site, &hosts),
        kube: Kube::new(settings, &hosts),
        kubeadm: kubeadm::Kubeadm { own: Vec::new(), shared: Ok(Vec::new()) },
        hosts,
        pools,
        teams,
        packs,
        values: BTreeMap::new(),
        slurm: None,
        experiments: experiments::all(site),
        digest: digest::digest(site),
    };
    plan.slurm = slurm::plan(site, settings, &plan.hosts);
    plan.kubeadm = kubeadm::Kubeadm::new(&plan);
    plan.values = values::all(&plan);
    Some(plan)
}

/// The taints a host registers with: its pool's, then its own.
pub fn taints<'a>(site: &'a Site, host: &'a Host) -> impl Iterator<Item = &'a Taint> {
    let pool = host.gpu_pool.as_deref().and_then(|p| site.pool(p));
    pool.map(|p| &p.taint).into_iter().flatten().chain(&host.taint)
}

fn host_facts<'a>(site: &'a Site, host: &'a Host) -> HostFacts<'a> {
    let pxe = site.pxe_interface(host).map(|(_, i)| i);
    let statics = host.interface.iter().filter_map(|i| i.address).chain(host.bond.iter().filter_map(|b| b.address));
    let address = pxe.and_then(|i| i.address).or_else(|| statics.clone().next());
    HostFacts { host, fqdn: site.fqdn(host).unwrap_or_else(|| host.name.clone()), pxe, address }
}
#[cfg(test)]
mod tests {
    fn digest_of(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.kdl");
        std::fs::write(&path, text).unwrap();
        let checked = crate::check(&path).unwrap();
        assert!(!checked.has_errors());
        super::plan(&checked.site).unwrap().digest
    }

    const HOSTS: [&str; 2] = [
        "host \"a\" { role \"control-plane\"; interface \"e\" network=\"n\" address=\"10.2.0.10\"; }\n",
        "host \"b\" { role \"worker\"; label \"x=y\"; }\n",
    ];
    const HEAD: &str = "site \"s\" { domain \"d\"; kubernetes version=\"1.31.4\" { pod-subnet \"10.0.0.0/16\"; service-subnet \"10.1.0.0/16\"; } }\nnetwork \"n\" { cidr \"10.2.0.0/24\"; }\n";

    #[test]
    fn digest_ignores_order_and_formatting_but_not_values() {
        let one = digest_of(&format!("{HEAD}{}{}", HOSTS[0], HOSTS[1]));
        let swapped = digest_of(&format!("{HEAD}{}{}", HOSTS[1], HOSTS[0]));
        let spaced = digest_of(&format!("{HEAD}\n\n{}  // comment\n{}", HOSTS[0], HOSTS[1].replace("; ", ";\n    ")));
        let changed = digest_of(&format!("{HEAD}{}{}", HOSTS[0], HOSTS[1].replace("x=y", "x=z")));
        assert_eq!(one, swapped);
        assert_eq!(one, spaced);
        assert_ne!(one, changed);
    }
}

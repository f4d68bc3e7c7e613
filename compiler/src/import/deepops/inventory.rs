//! Kubespray's and DeepOps's groups of every era, and the role each host gets
//! from the groups it is in. A host's role is never guessed: what bosun
//! cannot say about a host (DeepOps's Slurm NFS or monitoring, an etcd-only
//! host) is reported on a line of its own.

use std::net::Ipv4Addr;

use super::super::Imported;
use super::super::ini::Inventory;

/// Each concern's group names, oldest spelling first.
pub const CONTROL_PLANE: &[&str] = &["kube-master", "kube_control_plane"];
pub const KUBE_NODE: &[&str] = &["kube-node", "kube_node"];
pub const K8S_CLUSTER: &[&str] = &["k8s-cluster", "k8s_cluster"];
pub const GPU: &[&str] = &["dgx-servers", "k8s-gpu", "gpu-servers"];
pub const LOGIN: &[&str] = &["login", "slurm-login"];
pub const SLURM: &[&str] = &[
    "slurm-master",
    "slurm-node",
    "slurm-cluster",
    "slurm-nfs",
    "slurm-cache",
    "slurm-metric",
    "slurm-login",
    "slurm-nfs-client",
];
/// Groups the importer reads; any other group is reported.
const KNOWN: &[&str] = &["all", "ungrouped", "mgmt", "etcd"];

pub struct Groups {
    pub control_plane: Vec<String>,
    pub kube_node: Vec<String>,
    pub gpu: Vec<String>,
    pub login: Vec<String>,
    pub mgmt: Vec<String>,
    pub etcd: Vec<String>,
    pub slurm_node: Vec<String>,
    pub slurm_master: Vec<String>,
}

fn union(inv: &Inventory, names: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        for h in inv.hosts_of(n) {
            if !out.contains(&h) {
                out.push(h);
            }
        }
    }
    out
}

impl Groups {
    pub fn of(inv: &Inventory) -> Groups {
        Groups {
            control_plane: union(inv, CONTROL_PLANE),
            kube_node: union(inv, KUBE_NODE),
            gpu: union(inv, GPU),
            login: union(inv, LOGIN),
            mgmt: union(inv, &["mgmt"]),
            etcd: union(inv, &["etcd"]),
            slurm_node: union(inv, &["slurm-node"]),
            slurm_master: union(inv, &["slurm-master"]),
        }
    }

    /// Whether a host runs Kubernetes.
    pub fn kube(&self, h: &str) -> bool {
        self.control_plane.iter().chain(&self.kube_node).any(|x| x == h)
    }
}

/// A host as the inventory gives it.
pub struct Host {
    pub name: String,
    pub line: usize,
    pub role: &'static str,
    /// A control-plane host also in kube_node: no NoSchedule taint.
    pub schedulable: bool,
    pub slurm: bool,
    /// In kube_node and slurm-node: `scheduler "both"`.
    pub both: bool,
    pub address: Option<Ipv4Addr>,
    pub ib: Option<Ipv4Addr>,
    pub mac: Option<String>,
    pub gpu: bool,
}

/// Every host with its role, and a line for each group fact bosun cannot carry.
pub fn hosts(inv: &Inventory, inv_name: &str, g: &Groups, out: &mut Imported) -> Vec<Host> {
    let mut hosts = Vec::new();
    for row in inv.rows().into_iter().filter(|r| !r.name.is_empty()) {
        let n = row.name.as_str();
        let is = |set: &Vec<String>| set.iter().any(|x| x == n);
        let in_slurm: Vec<&str> = SLURM.iter().copied().filter(|s| inv.hosts_of(s).iter().any(|x| x == n)).collect();
        let (role, slurm) = if is(&g.control_plane) {
            ("control-plane", false)
        } else if is(&g.kube_node) {
            ("worker", false)
        } else if is(&g.slurm_node) {
            ("worker", true)
        } else if is(&g.login) {
            ("login", false)
        } else if is(&g.mgmt) {
            ("management", false)
        } else {
            out.todo.push(format!(
                "{inv_name}:{}: host {n} is in no group that gives a role; it is written as `management`: change its \
                 role if it is something else",
                row.line
            ));
            ("management", false)
        };
        let at = format!("{inv_name}:{}", row.line);
        let both = role == "worker" && !slurm && is(&g.slurm_node);
        slurm_groups(n, role, &in_slurm, &at, out);
        if is(&g.etcd) && !is(&g.control_plane) {
            out.unmapped(
                at.clone(),
                "etcd",
                format!(
                    "host {n}: in [etcd] but not a control-plane host: bosun runs etcd on the control-plane hosts only"
                ),
            );
        }
        let ip = |k: &str| inv.var(n, k).and_then(|(v, _)| v.parse::<Ipv4Addr>().ok());
        hosts.push(Host {
            name: n.to_string(),
            line: row.line,
            role,
            schedulable: role == "control-plane" && is(&g.kube_node),
            slurm,
            both,
            address: ip("ansible_host").or_else(|| ip("ansible_ssh_host")),
            ib: ip("ib_bond_addr"),
            mac: None,
            gpu: false,
        });
    }
    hosts
}

/// The Slurm groups a host is in that its role, `scheduler` and the `slurm`
/// block do not carry (DeepOps's NFS share, cache, monitoring), or that
/// bosun cannot give this role.
fn slurm_groups(n: &str, role: &str, in_slurm: &[&str], at: &str, out: &mut Imported) {
    let carried = |g: &str| match g {
        // The cluster's union, and the controller (slurm.rs reads it).
        "slurm-cluster" | "slurm-master" => true,
        "slurm-node" => role == "worker",
        "slurm-login" => role == "login",
        _ => false,
    };
    let left: Vec<&str> = in_slurm.iter().copied().filter(|g| !carried(g)).collect();
    if left.is_empty() {
        return;
    }
    let why = if left.contains(&"slurm-node") || left.contains(&"slurm-login") {
        format!("bosun runs slurmd on workers and the Slurm client on login hosts only; this host is `{role}`")
    } else {
        "bosun does not set up DeepOps's Slurm NFS share, cache or monitoring services".to_string()
    };
    out.unmapped(at.to_string(), "slurm", format!("host {n}: in {}: {why}", left.join(", ")));
}

/// Groups the importer does not read, each once.
pub fn unknown_groups(inv: &Inventory, inv_name: &str, out: &mut Imported) {
    let known = |g: &str| {
        KNOWN.contains(&g)
            || [CONTROL_PLANE, KUBE_NODE, K8S_CLUSTER, GPU, LOGIN, SLURM].iter().any(|set| set.contains(&g))
    };
    for s in inv.sections.iter().filter(|s| !s.name.ends_with(":vars")) {
        let base = s.name.split(':').next().unwrap_or("");
        if !known(base) {
            out.unmapped(
                format!("{inv_name}:{}", s.line),
                base,
                format!("group [{}] (no bosun role or setting)", s.name),
            );
        }
    }
}

//! The Slurm cluster as derived facts: its nodes with the layout `slurmd -C`
//! reports and their GRES, the partitions (one per GPU pool with Slurm hosts,
//! then the site's own), and which host runs which daemon.

use std::collections::BTreeMap;

use super::HostFacts;
use crate::model::gpu_models;
use crate::model::{Cpu, GpuPool, Host, MigStrategy, Role, Settings, Site, Slurm};

/// Where the nodes' GPUs are named from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gres {
    /// `a100`, or `a100_1g.5gb` for MIG devices (NVML's names).
    pub kind: Option<String>,
    pub count: u64,
    /// MIG devices exist only once the MIG manager made them: slurmd finds
    /// them through NVML (`AutoDetect=nvml`), never as fixed device files.
    pub autodetect: bool,
}

impl Gres {
    /// `gpu:TYPE:COUNT` as slurm.conf writes it.
    pub fn spec(&self) -> String {
        match &self.kind {
            Some(k) => format!("gpu:{k}:{}", self.count),
            None => format!("gpu:{}", self.count),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub cpu: Cpu,
    pub memory_mib: u64,
    pub gres: Option<Gres>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partition {
    pub name: String,
    /// Sorted by name.
    pub nodes: Vec<String>,
    pub default: bool,
    pub max_time: Option<String>,
}

pub struct SlurmPlan<'a> {
    pub slurm: &'a Slurm,
    pub cluster_name: String,
    /// The controller, then the backup.
    pub controllers: Vec<String>,
    /// Every host running slurmd, sorted by name.
    pub nodes: Vec<Node>,
    /// Sorted by name.
    pub partitions: Vec<Partition>,
    /// Login hosts: the client configuration only.
    pub logins: Vec<String>,
}

impl SlurmPlan<'_> {
    /// Which Slurm daemons a host runs, in the order they start (munge first).
    pub fn services(&self, host: &Host) -> Vec<&'static str> {
        let mut out = Vec::new();
        let dbd = self.slurm.accounting.as_ref().is_some_and(|a| a.host == host.name);
        if dbd {
            out.push("slurmdbd");
        }
        if self.controllers.contains(&host.name) {
            out.push("slurmctld");
        }
        if host.runs_slurmd() {
            out.push("slurmd");
        }
        out
    }

    /// The host takes part in the Slurm cluster at all.
    pub fn member(&self, host: &Host) -> bool {
        !self.services(host).is_empty() || self.logins.contains(&host.name)
    }
}

pub fn plan<'a>(site: &'a Site, settings: &'a Settings, hosts: &[HostFacts<'a>]) -> Option<SlurmPlan<'a>> {
    let slurm = settings.slurm.as_ref()?;
    let explicit = explicit_gres(slurm);
    let nodes = hosts
        .iter()
        .map(|f| f.host)
        .filter(|h| h.runs_slurmd())
        .filter_map(|h| {
            let gres = explicit.get(h.name.as_str()).cloned().or_else(|| pool_gres(site, h));
            Some(Node { name: h.name.clone(), cpu: h.cpu?, memory_mib: h.memory_mib?, gres })
        })
        .collect();
    let controllers = std::iter::once(slurm.controller.clone()).chain(slurm.backup_controller.clone()).collect();
    let logins = hosts.iter().filter(|f| f.host.role == Role::Login).map(|f| f.host.name.clone()).collect();
    Some(SlurmPlan {
        slurm,
        cluster_name: slurm.cluster_name.clone().unwrap_or_else(|| settings.name.clone()),
        controllers,
        nodes,
        partitions: partitions(site, slurm),
        logins,
    })
}

/// A partition's `gres`, for each host it names; the first partition by
/// name wins.
fn explicit_gres(slurm: &Slurm) -> BTreeMap<&str, Gres> {
    let mut parts: Vec<_> = slurm.partition.iter().collect();
    parts.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = BTreeMap::new();
    for p in parts {
        let Some(gres) = p.gres.as_deref().and_then(parse_gres) else { continue };
        for h in p.hosts() {
            out.entry(h).or_insert_with(|| gres.clone());
        }
    }
    out
}

/// `gpu[:TYPE]:COUNT`.
fn parse_gres(text: &str) -> Option<Gres> {
    let mut parts: Vec<&str> = text.split(':').collect();
    let count = parts.pop()?.parse().ok()?;
    let kind = (parts.len() == 2).then(|| parts[1].to_string());
    Some(Gres { kind, count, autodetect: false })
}

/// The GPU type Slurm's NVML detection names a model by: `A100-SXM4-40GB` → `a100`.
pub fn gpu_kind(pool: &GpuPool) -> String {
    pool.model.split(['-', ' ', '_']).next().unwrap_or(&pool.model).to_ascii_lowercase()
}

/// The GRES of a host from its GPU pool: whole GPUs, or with a uniform MIG
/// profile its MIG devices (`a100_1g.5gb`, seven per GPU).
fn pool_gres(site: &Site, host: &Host) -> Option<Gres> {
    let pool = site.pool(host.gpu_pool.as_deref()?)?;
    let kind = gpu_kind(pool);
    let gpus = u64::from(pool.gpus_per_host);
    let mig = pool.mig.as_ref().filter(|m| m.strategy != MigStrategy::None);
    let Some(mig) = mig else {
        return Some(Gres { kind: Some(kind), count: gpus, autodetect: false });
    };
    let profile = mig.profile.as_deref().unwrap_or_default();
    let per_gpu = gpu_models::find(&pool.model).and_then(|m| m.profile(profile));
    let size = profile.strip_prefix("all-").filter(|s| *s != "balanced");
    Some(match (per_gpu, size) {
        (Some(n), Some(size)) => {
            Gres { kind: Some(format!("{kind}_{size}")), count: gpus * u64::from(n), autodetect: true }
        }
        // Mixed sizes: slurmd reports each; slurm.conf counts them untyped.
        (n, _) => Gres { kind: None, count: gpus * u64::from(n.unwrap_or(1)), autodetect: true },
    })
}

/// One partition per GPU pool with Slurm hosts, named after the pool; a
/// partition the site names the same replaces it, the others are added.
fn partitions(site: &Site, slurm: &Slurm) -> Vec<Partition> {
    let mut out: BTreeMap<String, Partition> = BTreeMap::new();
    for pool in &site.pools {
        let mut nodes: Vec<String> =
            site.pool_hosts(pool).filter(|h| h.runs_slurmd()).map(|h| h.name.clone()).collect();
        if nodes.is_empty() {
            continue;
        }
        nodes.sort();
        out.insert(pool.name.clone(), Partition { name: pool.name.clone(), nodes, default: false, max_time: None });
    }
    for p in &slurm.partition {
        let mut nodes: Vec<String> = match &p.hosts {
            Some(_) => p.hosts().map(str::to_string).collect(),
            None => out.get(&p.name).map(|d| d.nodes.clone()).unwrap_or_default(),
        };
        nodes.sort();
        nodes.dedup();
        out.insert(
            p.name.clone(),
            Partition { name: p.name.clone(), nodes, default: p.default, max_time: p.max_time.clone() },
        );
    }
    out.into_values().collect()
}

/// Names sharing a prefix and digit width, with their runs of numbers.
type Group = (String, usize, Vec<(u64, u64)>);

/// Host names as Slurm's compressed host list: `dgx-01 dgx-02 dgx-03` →
/// `dgx-[01-03]`. Names of one prefix and digit width whose numbers follow
/// each other form a range; the list keeps the order it is given.
pub fn hostlist(names: &[String]) -> String {
    let mut groups: Vec<Group> = Vec::new();
    let mut plain: Vec<String> = Vec::new();
    let mut order: Vec<Result<usize, usize>> = Vec::new();
    for name in names {
        let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
        let (prefix, num) = name.split_at(name.len() - digits);
        let Some(n) = num.parse::<u64>().ok().filter(|_| digits > 0) else {
            plain.push(name.clone());
            order.push(Err(plain.len() - 1));
            continue;
        };
        match groups.iter_mut().position(|(p, w, _)| p == prefix && *w == digits) {
            Some(i) => match groups[i].2.last_mut() {
                Some(last) if last.1 + 1 == n => last.1 = n,
                _ => groups[i].2.push((n, n)),
            },
            None => {
                groups.push((prefix.to_string(), digits, vec![(n, n)]));
                order.push(Ok(groups.len() - 1));
            }
        }
    }
    let text = |(prefix, width, runs): &Group| {
        if let [(a, b)] = runs.as_slice()
            && a == b
        {
            return format!("{prefix}{a:0width$}");
        }
        let runs: Vec<String> = runs
            .iter()
            .map(|(a, b)| if a == b { format!("{a:0width$}") } else { format!("{a:0width$}-{b:0width$}") })
            .collect();
        format!("{prefix}[{}]", runs.join(","))
    };
    order
        .into_iter()
        .map(|o| match o {
            Ok(g) => text(&groups[g]),
            Err(p) => plain[p].clone(),
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::hostlist;

    fn list(names: &[&str]) -> String {
        hostlist(&names.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn ranges_are_compressed_by_prefix_and_width() {
        assert_eq!(list(&["dgx-01", "dgx-02", "dgx-03", "dgx-05"]), "dgx-[01-03,05]");
        assert_eq!(list(&["login"]), "login");
        // Names of another digit width are another run: n10 is not n010.
        assert_eq!(list(&["n1", "n2", "n10"]), "n[1-2],n10");
        assert_eq!(list(&["a-9", "a-10"]), "a-9,a-10");
        assert_eq!(list(&["dgx-07"]), "dgx-07");
    }
}

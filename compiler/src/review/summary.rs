//! The summary a reviewer reads first: hosts added, removed and changed;
//! resources added, removed and changed per kind; files touched; and the
//! blast radius — hosts that will be reprovisioned, GitOps objects that will
//! sync, namespaces whose quota or access changes.
//!
//! Everything is derived from the compiled tree's path conventions
//! (docs/provisioning.md, docs/gitops.md), never from the site: `bosun diff`
//! compares two folders and may have no site at hand.
//!
//! - a host is a folder `provisioning/cloud-init/<host>/`, a file
//!   `kubeadm/<host>.yaml` or the name of a `dhcp-host=` line;
//! - its boot files are those under `provisioning/tftp/` named after one of
//!   its MACs (`ipxe/<mac>.ipxe`, `grub/grub.cfg-01-<mac>`,
//!   `pxelinux.cfg/01-<mac>`), the dnsmasq lines that name it, and its entry
//!   in `provisioning/bmc/boot-plan.json`;
//! - an Argo CD Application or Flux Kustomization syncs when it changes or
//!   when a file under a path it points at changes (its `source.path`,
//!   `spec.path`, or a Helm value file).

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use serde_json::Value;

use super::resources::{self, DocKey};
use super::{Body, FileDiff, Files, Status};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    pub files: FileCounts,
    pub hosts: Hosts,
    /// Per kind, in kind order.
    pub resources: Vec<KindCounts>,
    pub blast: Blast,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct FileCounts {
    pub added: usize,
    pub modified: usize,
    pub removed: usize,
    pub layout_only: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Hosts {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    /// Host → what of it changed: `boot`, `cloud-init`, `kubeadm`, `bmc`.
    pub changed: BTreeMap<String, BTreeSet<&'static str>>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct KindCounts {
    pub kind: String,
    pub added: usize,
    pub removed: usize,
    pub changed: usize,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Blast {
    /// Existing hosts whose boot files, cloud-init seed or BMC boot plan
    /// change: the next install of each differs.
    pub reprovisioned: Vec<String>,
    /// Boot files every PXE-booting host reads (`boot.ipxe`, `grub.cfg`).
    pub shared_boot: Vec<String>,
    /// Argo CD Applications, Flux HelmReleases and Kustomizations that will
    /// sync, as `Kind namespace/name`.
    pub syncs: Vec<String>,
    /// GitOps objects removed: their resources are pruned.
    pub pruned: Vec<String>,
    /// Namespaces (or cluster queues) whose ResourceQuota, LimitRange or
    /// Kueue queue changes.
    pub quota: Vec<String>,
    /// Namespaces whose RoleBindings or Roles change (who may do what).
    pub access: Vec<String>,
    /// Hosts that stay but leave Kubernetes (their kubeadm file goes): cordon
    /// and drain each first.
    pub leave_kubernetes: Vec<String>,
    /// Slurm nodes that leave slurm.conf: drain each in Slurm first.
    pub leave_slurm: Vec<String>,
}

/// A resource across the whole tree: the key without the file-local index.
type ResourceId = (String, String, Option<String>, String);

pub fn summarize(old: &Files, new: &Files, files: &[FileDiff], layout_only: usize) -> Summary {
    let mut summary = Summary::default();
    summary.files.layout_only = layout_only;
    for f in files {
        match f.status {
            Status::Added => summary.files.added += 1,
            Status::Modified => summary.files.modified += 1,
            Status::Removed => summary.files.removed += 1,
        }
    }
    let resources = resource_changes(files);
    summary.resources = per_kind(&resources);
    let shared_boot;
    (summary.hosts, shared_boot) = hosts(old, new, files);
    summary.blast = blast(new, files, &resources, &summary.hosts);
    summary.blast.shared_boot = shared_boot;
    (summary.blast.leave_kubernetes, summary.blast.leave_slurm) = scheduler_moves(old, new, &summary.hosts);
    summary
}

/// Hosts that leave a scheduler while staying in the site: a kubeadm file
/// gone beside a seed that stays, a node gone from slurm.conf's NodeName lines.
fn scheduler_moves(old: &Files, new: &Files, hosts: &Hosts) -> (Vec<String>, Vec<String>) {
    let stays = |h: &str| !hosts.removed.iter().any(|r| r == h);
    let kubeadm = |files: &Files| -> BTreeSet<String> {
        let names = files.keys().filter_map(|p| p.strip_prefix("kubeadm/")?.strip_suffix(".yaml"));
        names.map(str::to_string).collect()
    };
    let left_kubernetes = kubeadm(old).difference(&kubeadm(new)).filter(|h| stays(h)).cloned().collect();
    let slurm =
        |files: &Files| slurm_nodes(files.get("slurm/slurm.conf").map(|b| String::from_utf8_lossy(b)).as_deref());
    let left_slurm = slurm(old).difference(&slurm(new)).filter(|h| stays(h)).cloned().collect();
    (left_kubernetes, left_slurm)
}

/// The hosts of slurm.conf's `NodeName=` lines, host ranges expanded.
fn slurm_nodes(conf: Option<&str>) -> BTreeSet<String> {
    let lines = conf.into_iter().flat_map(str::lines);
    let lists = lines.filter_map(|l| l.strip_prefix("NodeName=")?.split_whitespace().next());
    lists.flat_map(expand_hostlist).collect()
}

/// `dgx-[01-03,05],login` → dgx-01, dgx-02, dgx-03, dgx-05, login.
fn expand_hostlist(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0, 0);
    let mut items = Vec::new();
    for (i, c) in list.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&list[start..]);
    for item in items {
        let Some((prefix, runs)) = item.split_once('[') else {
            out.push(item.to_string());
            continue;
        };
        for run in runs.trim_end_matches(']').split(',') {
            let (a, b) = run.split_once('-').unwrap_or((run, run));
            let width = a.len();
            if let (Ok(a), Ok(b)) = (a.parse::<u64>(), b.parse::<u64>()) {
                out.extend((a..=b.min(a + 100_000)).map(|n| format!("{prefix}{n:0width$}")));
            }
        }
    }
    out
}

/// Every named resource that differs, matched across files so a resource
/// that only moved to another file is no change.
fn resource_changes(files: &[FileDiff]) -> BTreeMap<ResourceId, Status> {
    let mut added: BTreeMap<ResourceId, Option<&Value>> = BTreeMap::new();
    let mut removed: BTreeMap<ResourceId, Option<&Value>> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for f in files {
        let Body::Documents(docs) = &f.body else { continue };
        for d in docs.iter().filter(|d| d.key.is_resource()) {
            let id = id_of(&d.key);
            match d.status {
                Status::Added => drop(added.insert(id, d.value.as_ref())),
                Status::Removed => drop(removed.insert(id, d.value.as_ref())),
                Status::Modified => drop(out.insert(id, Status::Modified)),
            }
        }
    }
    for (id, value) in added {
        match removed.remove(&id) {
            Some(before) if before == value => {}
            Some(_) => drop(out.insert(id, Status::Modified)),
            None => drop(out.insert(id, Status::Added)),
        }
    }
    out.extend(removed.into_keys().map(|id| (id, Status::Removed)));
    out
}

fn id_of(key: &DocKey) -> ResourceId {
    (key.group.clone(), key.kind.clone(), key.namespace.clone(), key.name.clone().unwrap_or_default())
}

fn label(id: &ResourceId) -> String {
    match &id.2 {
        Some(ns) => format!("{} {ns}/{}", id.1, id.3),
        None => format!("{} {}", id.1, id.3),
    }
}

fn per_kind(resources: &BTreeMap<ResourceId, Status>) -> Vec<KindCounts> {
    let mut kinds: BTreeMap<&str, KindCounts> = BTreeMap::new();
    for (id, status) in resources {
        let k = kinds.entry(&id.1).or_insert_with(|| KindCounts { kind: id.1.clone(), ..Default::default() });
        match status {
            Status::Added => k.added += 1,
            Status::Removed => k.removed += 1,
            Status::Modified => k.changed += 1,
        }
    }
    kinds.into_values().collect()
}

/// The hosts of a tree and each one's MACs (lower case, `-`-separated, as
/// boot file names spell them).
fn host_facts(files: &Files) -> (BTreeSet<String>, BTreeMap<String, String>) {
    let mut hosts = BTreeSet::new();
    let mut macs = BTreeMap::new();
    for (path, bytes) in files {
        if let Some(rest) = path.strip_prefix("provisioning/cloud-init/")
            && let Some((host, _)) = rest.split_once('/')
        {
            hosts.insert(host.to_string());
        }
        if let Some(host) = path.strip_prefix("kubeadm/").and_then(|p| p.strip_suffix(".yaml"))
            && !host.contains('/')
        {
            hosts.insert(host.to_string());
        }
        if path.starts_with("provisioning/dnsmasq/") {
            for line in String::from_utf8_lossy(bytes).lines() {
                let Some(fields) = line.strip_prefix("dhcp-host=") else { continue };
                let fields: Vec<&str> = fields.split(',').collect();
                let Some(name) = fields.iter().find(|f| is_host_field(f)) else { continue };
                hosts.insert(name.to_string());
                for mac in fields.iter().filter(|f| is_mac(f)) {
                    macs.insert(mac.to_ascii_lowercase().replace(':', "-"), name.to_string());
                }
            }
        }
    }
    (hosts, macs)
}

fn is_mac(field: &str) -> bool {
    field.len() == 17 && field.split(':').count() == 6 && field.split(':').all(|p| p.len() == 2)
}

/// The name in a `dhcp-host=` line: not a MAC, address, tag or lease time.
fn is_host_field(field: &&str) -> bool {
    let lease = field.trim_end_matches(['h', 'm', 's']).chars().all(|c| c.is_ascii_digit()) || *field == "infinite";
    !field.is_empty()
        && !is_mac(field)
        && field.parse::<Ipv4Addr>().is_err()
        && !field.contains(':')
        && !field.starts_with('[')
        && !lease
}

/// The hosts that differ, and the changed boot files no one host owns.
fn hosts(old: &Files, new: &Files, files: &[FileDiff]) -> (Hosts, Vec<String>) {
    let (old_hosts, mut macs) = host_facts(old);
    let (new_hosts, new_macs) = host_facts(new);
    macs.extend(new_macs);
    let known: BTreeSet<&String> = old_hosts.union(&new_hosts).collect();
    let mut changed: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    let mut note = |host: &str, why: &'static str| {
        changed.entry(host.to_string()).or_default().insert(why);
    };
    let mut shared = Vec::new();
    for f in files {
        let of = hosts_of_file(f, &known, &macs);
        if of.is_empty() && f.path.starts_with("provisioning/tftp/") && f.status == Status::Modified {
            shared.push(f.path.clone());
        }
        for (host, why) in of {
            note(&host, why);
        }
    }
    let added: Vec<String> = new_hosts.difference(&old_hosts).cloned().collect();
    let removed: Vec<String> = old_hosts.difference(&new_hosts).cloned().collect();
    changed.retain(|h, _| !added.contains(h) && !removed.contains(h));
    (Hosts { added, removed, changed }, shared)
}

/// Which hosts one changed file concerns, and how.
fn hosts_of_file(
    f: &FileDiff,
    known: &BTreeSet<&String>,
    macs: &BTreeMap<String, String>,
) -> Vec<(String, &'static str)> {
    let path = f.path.as_str();
    if let Some(rest) = path.strip_prefix("provisioning/cloud-init/") {
        return rest.split_once('/').map(|(h, _)| vec![(h.to_string(), "cloud-init")]).unwrap_or_default();
    }
    if let Some(host) = path.strip_prefix("kubeadm/").and_then(|p| p.strip_suffix(".yaml")) {
        return vec![(host.to_string(), "kubeadm")];
    }
    if path.starts_with("provisioning/tftp/") {
        let name = path.rsplit('/').next().unwrap_or(path);
        let stem = name.split('.').next().unwrap_or(name);
        return macs
            .iter()
            .filter(|(mac, _)| name.contains(mac.as_str()))
            .map(|(_, host)| (host.clone(), "boot"))
            .chain(known.iter().filter(|h| h.as_str() == stem).map(|h| (h.to_string(), "boot")))
            .collect();
    }
    if path.starts_with("provisioning/dnsmasq/")
        && let Body::Text(diff) = &f.body
    {
        return diff
            .lines()
            .filter(|l| (l.starts_with('+') || l.starts_with('-')) && !l.starts_with("+++") && !l.starts_with("---"))
            .flat_map(|l| hosts_in_line(&l[1..], known))
            .map(|h| (h, "boot"))
            .collect();
    }
    if path.starts_with("provisioning/")
        && let Body::Documents(docs) = &f.body
    {
        // The BMC boot plan keys its entries by host: `hosts[host="dgx-01"]`.
        let mut out = Vec::new();
        for field in docs.iter().flat_map(|d| &d.fields) {
            if let Some(rest) = field.path.split("[host=\"").nth(1)
                && let Some((host, _)) = rest.split_once('"')
            {
                out.push((host.to_string(), "bmc"));
            }
        }
        return out;
    }
    Vec::new()
}

/// Hosts a dnsmasq line names: a word that is a host's name, or begins with
/// it and a dash (`worker-0-em2`, a record of another interface), the
/// longest such name winning.
fn hosts_in_line(line: &str, known: &BTreeSet<&String>) -> Vec<String> {
    let mut out = Vec::new();
    for word in line.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')) {
        let best = known
            .iter()
            .filter(|h| word == h.as_str() || word.strip_prefix(h.as_str()).is_some_and(|r| r.starts_with('-')))
            .max_by_key(|h| h.len());
        if let Some(h) = best
            && !out.contains(*h)
        {
            out.push(h.to_string());
        }
    }
    out
}

/// A GitOps object and the tree paths it reads.
struct Syncer {
    label: String,
    /// (path as written in the object, whether it names a folder).
    refs: Vec<(String, bool)>,
}

const GITOPS_KINDS: [(&str, &str); 3] = [
    ("argoproj.io", "Application"),
    ("helm.toolkit.fluxcd.io", "HelmRelease"),
    ("kustomize.toolkit.fluxcd.io", "Kustomization"),
];

fn is_gitops(key: &DocKey) -> bool {
    GITOPS_KINDS.iter().any(|(g, k)| key.group == *g && key.kind == *k)
}

fn syncers(files: &Files) -> Vec<Syncer> {
    let mut out = Vec::new();
    for (path, bytes) in files {
        let quick = String::from_utf8_lossy(bytes);
        if !resources::is_structured(path) || !(quick.contains("argoproj.io") || quick.contains("toolkit.fluxcd.io")) {
            continue;
        }
        for (key, (value, _)) in resources::documents(bytes).unwrap_or_default() {
            if !is_gitops(&key) || !key.is_resource() {
                continue;
            }
            let mut refs = Vec::new();
            let spec = &value["spec"];
            let sources = spec["sources"].as_array().cloned().unwrap_or_default();
            for source in std::iter::once(&spec["source"]).chain(&sources) {
                if let Some(p) = source["path"].as_str() {
                    refs.push((p.to_string(), true));
                }
                for f in source["helm"]["valueFiles"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                    refs.push((f.trim_start_matches("$values/").to_string(), false));
                }
            }
            if let Some(p) = spec["path"].as_str() {
                refs.push((p.to_string(), true));
            }
            out.push(Syncer { label: label(&id_of(&key)), refs });
        }
    }
    out
}

/// Whether a reference written as a repository path (`sites/x/cluster`,
/// `./clusters/x/cluster`) covers a tree path (`cluster/a.yaml`): the tree
/// sits somewhere in the repository, so the reference must end with the
/// tree path (a file) or with one of its folders.
fn covers(reference: &str, dir: bool, path: &str) -> bool {
    let r = reference.trim_start_matches("./").trim_end_matches('/');
    let ends = |p: &str| r == p || r.ends_with(&format!("/{p}"));
    if !dir {
        return ends(path);
    }
    path.match_indices('/').any(|(i, _)| ends(&path[..i]))
}

fn blast(new: &Files, files: &[FileDiff], resources: &BTreeMap<ResourceId, Status>, hosts: &Hosts) -> Blast {
    let reprovisioned = hosts
        .changed
        .iter()
        .filter(|(_, why)| why.iter().any(|w| ["boot", "cloud-init", "bmc"].contains(w)))
        .map(|(h, _)| h.clone())
        .collect();
    let mut syncs = BTreeSet::new();
    let mut pruned = BTreeSet::new();
    for (id, status) in resources {
        if GITOPS_KINDS.iter().any(|(g, k)| id.0 == *g && id.1 == *k) {
            match status {
                Status::Removed => pruned.insert(label(id)),
                _ => syncs.insert(label(id)),
            };
        }
    }
    let touched: Vec<&str> = files.iter().map(|f| f.path.as_str()).filter(|p| *p != "MANIFEST").collect();
    // Finding the syncers reads every file of the tree: not for nothing.
    let syncers = if touched.is_empty() { Vec::new() } else { syncers(new) };
    for s in syncers {
        if touched.iter().any(|p| s.refs.iter().any(|(r, dir)| covers(r, *dir, p))) {
            syncs.insert(s.label);
        }
    }
    let mut quota = BTreeSet::new();
    let mut access = BTreeSet::new();
    for id in resources.keys() {
        match (id.1.as_str(), &id.2) {
            ("ResourceQuota" | "LimitRange" | "LocalQueue", Some(ns)) => drop(quota.insert(ns.clone())),
            ("ClusterQueue", None) => drop(quota.insert(format!("ClusterQueue {}", id.3))),
            ("RoleBinding" | "Role", Some(ns)) => drop(access.insert(ns.clone())),
            ("ClusterRoleBinding" | "ClusterRole", None) => drop(access.insert(format!("{} {}", id.1, id.3))),
            _ => {}
        }
    }
    Blast {
        reprovisioned,
        shared_boot: Vec::new(), // filled in by `summarize`, from `hosts`
        syncs: syncs.into_iter().collect(),
        pruned: pruned.into_iter().collect(),
        quota: quota.into_iter().collect(),
        access: access.into_iter().collect(),
        leave_kubernetes: Vec::new(), // filled in by `summarize`, from both trees
        leave_slurm: Vec::new(),
    }
}

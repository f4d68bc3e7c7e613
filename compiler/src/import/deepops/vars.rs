//! Ansible variables as Ansible applies them: `group_vars/<group>.yml` only
//! to the hosts of that group, `all` < parent group < child group <
//! `host_vars/<host>`. bosun has one value for many of these settings (the
//! whole site's DNS, the cluster's pod subnet), so a setting is taken only
//! when every host it concerns gets the same value; otherwise it is reported.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_norway::Value;

use super::super::credentials;
use super::super::jinja;
use super::super::report::summary;
use super::super::values::scalar;
use super::super::{Imported, ini::Inventory};
use super::read;

/// One `key: value` line of a group_vars or host_vars file, or of an
/// inventory `[group:vars]` section.
pub struct Occurrence {
    /// The group it belongs to, or the host for host_vars.
    pub scope: Scope,
    pub at: String,
    pub key: String,
    pub value: Value,
    /// Ansible's precedence: higher wins.
    rank: (u32, u32, String),
}

#[derive(Clone, PartialEq, Eq)]
pub enum Scope {
    Group(String),
    Host(String),
}

/// What became of one occurrence.
enum Fate {
    Mapped(String),
    Unmapped(String),
    /// A setting bosun models, not taken as written: leads the report.
    Blocked(String),
}

pub struct Vars {
    pub occ: Vec<Occurrence>,
    fates: Vec<Option<Fate>>,
    /// Hosts of each group the inventory defines (`all` holds every host).
    members: BTreeMap<String, BTreeSet<String>>,
}

/// `key:` at the start of a line (top-level YAML key) → its line number.
pub fn line_of(text: &str, key: &str) -> usize {
    text.lines().position(|l| l.strip_prefix(key).is_some_and(|r| r.trim_start().starts_with(':'))).map_or(0, |i| i + 1)
}

/// The top-level keys of a YAML file with their values and lines.
pub fn yaml_keys(path: &Path) -> Result<Vec<(String, Value, String)>, String> {
    let text = read(path)?;
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    let v: Value = serde_norway::from_str(&text).map_err(|e| format!("{}: not valid YAML: {e}", path.display()))?;
    let Value::Mapping(m) = v else { return Ok(Vec::new()) };
    Ok(m.into_iter()
        .filter_map(|(k, v)| {
            let k = k.as_str()?.to_string();
            let at = format!("{}:{}", path.display(), line_of(&text, &k));
            Some((k, v, at))
        })
        .collect())
}

fn yaml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

impl Vars {
    pub fn read(
        inv: &Inventory,
        inv_name: &str,
        hosts: &[String],
        group_vars: Option<&Path>,
        host_vars: Option<&Path>,
    ) -> Result<Vars, String> {
        let members = members(inv, hosts);
        let depth = depths(inv);
        let mut occ = Vec::new();
        for s in inv.sections.iter().filter(|s| s.name.ends_with(":vars")) {
            let group = s.name.trim_end_matches(":vars").to_string();
            let d = depth.get(&group).copied().unwrap_or(1);
            for (k, v, l) in &s.entries {
                let value = Value::String(v.clone());
                // Ansible: an inventory file's group vars rank below every group_vars file.
                let rank = (0, d, group.clone());
                let at = format!("{inv_name}:{l}");
                occ.push(Occurrence { scope: Scope::Group(group.clone()), at, key: k.clone(), value, rank });
            }
        }
        for f in group_vars.map(yaml_files).unwrap_or_default() {
            let Some(group) = group_name(&f) else { continue };
            let d = depth.get(&group).copied().unwrap_or(1);
            for (key, value, at) in yaml_keys(&f)? {
                // group_vars/all.yml ranks below every other group's file.
                let rank = (if group == "all" { 1 } else { 2 }, d, group.clone());
                occ.push(Occurrence { scope: Scope::Group(group.clone()), at, key, value, rank });
            }
        }
        for f in host_vars.map(yaml_files).unwrap_or_default() {
            let Some(host) = group_name(&f) else { continue };
            for (key, value, at) in yaml_keys(&f)? {
                let rank = (3, 0, host.clone());
                occ.push(Occurrence { scope: Scope::Host(host.clone()), at, key, value, rank });
            }
        }
        let fates = occ.iter().map(|_| None).collect();
        Ok(Vars { occ, fates, members })
    }

    fn applies(&self, o: &Occurrence, host: &str) -> bool {
        match &o.scope {
            Scope::Host(h) => h == host,
            Scope::Group(g) => self.members.get(g).is_some_and(|m| m.contains(host)),
        }
    }

    /// The occurrence of `key` that wins for `host`.
    pub fn winner(&self, key: &str, host: &str) -> Option<usize> {
        (0..self.occ.len())
            .filter(|&i| self.occ[i].key == key && self.applies(&self.occ[i], host))
            .max_by(|&a, &b| self.occ[a].rank.cmp(&self.occ[b].rank))
    }

    /// A host's value of `key` (for per-host settings).
    pub fn for_host(&self, key: &str, host: &str) -> Option<&Value> {
        self.winner(key, host).map(|i| &self.occ[i].value).filter(|v| !v.is_null())
    }

    /// The one value `key` has on every host of `scope`, marked as mapped to
    /// `shows_as(value)` by the caller through [`Vars::mapped`]. A value that
    /// differs between hosts, is missing on some, or is Jinja is reported and
    /// `None` returned; `hint` says what to write in the site instead.
    pub fn site_wide(&mut self, key: &str, scope: &[String], hint: &str) -> Option<(Value, String)> {
        let all: Vec<usize> = (0..self.occ.len()).filter(|&i| self.occ[i].key == key).collect();
        if all.is_empty() {
            return None;
        }
        let mut by_winner: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
        let mut unset: Vec<&str> = Vec::new();
        for h in scope {
            match self.winner(key, h) {
                Some(i) => by_winner.entry(i).or_default().push(h),
                None => unset.push(h),
            }
        }
        let values: BTreeSet<String> =
            by_winner.keys().map(|&i| serde_norway::to_string(&self.occ[i].value).unwrap_or_default()).collect();
        let winners: Vec<usize> = by_winner.keys().copied().collect();
        if values.len() > 1 || (!unset.is_empty() && !winners.is_empty()) {
            let mut parts: Vec<String> =
                by_winner.iter().map(|(&i, hs)| format!("{} for {}", self.occ[i].at, list(hs))).collect();
            if !unset.is_empty() {
                parts.push(format!("unset for {}", list(&unset)));
            }
            let text = format!(
                "{key}: differs between groups ({}); bosun has one value for the site, so none was picked: {hint}",
                parts.join("; ")
            );
            let first = self.occ[all[0]].at.clone();
            for (n, i) in all.into_iter().enumerate() {
                let text = if n == 0 { text.clone() } else { format!("{key}: differs between groups, see {first}") };
                self.fates[i] = Some(Fate::Blocked(text));
            }
            return None;
        }
        let Some(&win) = winners.first() else {
            for i in all {
                self.fates[i] = Some(Fate::Unmapped(format!(
                    "{key}: {} (applies to no host that bosun gives this setting)",
                    self.shown(i)
                )));
            }
            return None;
        };
        for i in all.iter().copied().filter(|&i| i != win) {
            let text =
                format!("{key}: overridden by {} on every host it applies to (Ansible precedence)", self.occ[win].at);
            self.fates[i] = Some(Fate::Unmapped(text));
        }
        if jinja::in_value(&self.occ[win].value) {
            let text = format!("{key}: {} — {}", summary(&self.occ[win].value), jinja::computed(hint));
            self.fates[win] = Some(Fate::Blocked(text));
            return None;
        }
        Some((self.occ[win].value.clone(), self.occ[win].at.clone()))
    }

    /// Marks every occurrence of `key` holding `value`'s winner as mapped.
    pub fn mapped(&mut self, at: &str, shows_as: &str) {
        for (i, o) in self.occ.iter().enumerate() {
            if o.at == at {
                self.fates[i] = Some(Fate::Mapped(shows_as.to_string()));
            }
        }
    }

    /// Reports an occurrence with a reason of the caller's.
    pub fn report(&mut self, at: &str, text: String) {
        for (i, o) in self.occ.iter().enumerate() {
            if o.at == at {
                self.fates[i] = Some(Fate::Blocked(text.clone()));
            }
        }
    }

    /// Every occurrence of a key, for settings read per host.
    pub fn keyed(&self, key: &str) -> Vec<&Occurrence> {
        self.occ.iter().filter(|o| o.key == key).collect()
    }

    fn shown(&self, i: usize) -> String {
        let o = &self.occ[i];
        match &o.value {
            _ if credentials::is_credential(&o.key) => credentials::HIDDEN.to_string(),
            Value::Mapping(_) | Value::Sequence(_) => summary(&o.value),
            v => Some(scalar(v).unwrap_or_default())
                .filter(|t| credentials::shows(&o.key, t))
                .map(|_| summary(v))
                .unwrap_or_else(|| credentials::HIDDEN.to_string()),
        }
    }

    /// Writes every occurrence's fate into the report; those nobody took are unmapped.
    pub fn finish(self, out: &mut Imported) {
        for (i, o) in self.occ.iter().enumerate() {
            match &self.fates[i] {
                Some(Fate::Mapped(s)) => out.map(o.at.clone(), &o.key, s.clone()),
                Some(Fate::Unmapped(t)) => out.unmapped(o.at.clone(), &o.key, t.clone()),
                Some(Fate::Blocked(t)) => out.blocked(o.at.clone(), &o.key, t.clone()),
                None => {
                    let empty = match &o.scope {
                        Scope::Group(g) => self.members.get(g).is_none_or(BTreeSet::is_empty),
                        Scope::Host(h) => !self.members.get("all").is_some_and(|m| m.contains(h)),
                    };
                    let why = match (&o.scope, empty) {
                        (Scope::Group(g), true) => format!(" (group [{g}] has no hosts: Ansible applies it to none)"),
                        (Scope::Host(h), true) => format!(" (host {h} is not in the inventory)"),
                        _ if jinja::in_value(&o.value) => " (computed by Ansible at run time)".to_string(),
                        _ => String::new(),
                    };
                    out.unmapped(o.at.clone(), &o.key, format!("{}: {}{why}", o.key, self.shown(i)));
                }
            }
        }
    }
}

fn list(hosts: &[&str]) -> String {
    match hosts.len() {
        0..=3 => hosts.join(", "),
        n => format!("{}, … ({n} hosts)", hosts[..3].join(", ")),
    }
}

/// `group_vars/k8s_cluster.yml` → `k8s_cluster`; `host_vars/gpu01` → `gpu01`.
fn group_name(p: &Path) -> Option<String> {
    let name = p.file_name()?.to_str()?;
    let name = name.strip_suffix(".yml").or_else(|| name.strip_suffix(".yaml")).unwrap_or(name);
    (!name.starts_with('.')).then(|| name.to_string())
}

fn members(inv: &Inventory, hosts: &[String]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in &inv.sections {
        let g = s.name.split(':').next().unwrap_or("");
        out.insert(g.to_string(), inv.hosts_of(g).into_iter().collect());
        for (child, _, _) in s.entries.iter().filter(|_| s.name.ends_with(":children")) {
            out.insert(child.clone(), inv.hosts_of(child).into_iter().collect());
        }
    }
    out.insert("all".into(), hosts.iter().cloned().collect());
    out
}

/// Each group's depth below `all` (1 for a top-level group).
fn depths(inv: &Inventory) -> BTreeMap<String, u32> {
    let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for s in inv.sections.iter().filter(|s| s.name.ends_with(":children")) {
        let p = s.name.trim_end_matches(":children").to_string();
        for (c, _, _) in &s.entries {
            parents.entry(c.clone()).or_default().push(p.clone());
        }
    }
    fn depth(g: &str, parents: &BTreeMap<String, Vec<String>>, n: u32) -> u32 {
        if g == "all" || n > 16 {
            return 0;
        }
        1 + parents.get(g).map_or(0, |ps| ps.iter().map(|p| depth(p, parents, n + 1)).max().unwrap_or(0))
    }
    let mut out = BTreeMap::new();
    for s in &inv.sections {
        let g = s.name.split(':').next().unwrap_or("").to_string();
        out.insert(g.clone(), depth(&g, &parents, 0));
    }
    for c in parents.keys() {
        out.insert(c.clone(), depth(c, &parents, 0));
    }
    out.insert("all".into(), 0);
    out
}

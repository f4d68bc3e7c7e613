//! Stage 3: the typed site model.
//!
//! Built from the structured JSON after `host-defaults` are merged. Objects
//! whose values broke the schema are left out (their errors are already
//! reported) and their names remembered, so the rules that follow neither
//! crash on them nor report "unknown host" for a host that merely had a typo.

pub mod ca;
mod defaults;
mod derive;
mod dns;
pub mod experiment;
mod mig;
pub use dns::{DnsRecord, UsedName, iface_label};
mod pack;
mod taint;
pub use derive::node_address;
pub use mig::MigDevice;
pub use pack::merge;
pub use values::aggregate;
pub mod errors;
pub mod gpu_models;
mod slurm;
mod types;
mod values;

use std::collections::{BTreeMap, BTreeSet};

use serde::de::DeserializeOwned;
use serde_json::Value;

pub use slurm::{Accounting, Cpu, Partition, Slurm};
pub use types::*;

use crate::diag::{Diagnostic, Diagnostics};
use crate::structure::{SpanIndex, Structured};

#[derive(Debug, Default)]
pub struct Site {
    pub settings: Option<Settings>,
    pub networks: Vec<Network>,
    pub images: Vec<Image>,
    pub hosts: Vec<Host>,
    pub pools: Vec<GpuPool>,
    pub storage: Storage,
    pub teams: Vec<Team>,
    pub users: Vec<User>,
    pub packs: Vec<Pack>,
    pub secrets: Vec<Secret>,
    pub index: SpanIndex,
    /// `(kind, name)` of objects left out because of structure errors.
    pub skipped: BTreeSet<(String, String)>,
    /// Pointers of objects built with broken values cut out: rules that
    /// judge an object as a whole ("has no PXE interface") skip them.
    pub partial: BTreeSet<String>,
    /// Pointers of the values the schema rejected: no rule reports them again.
    pub broken: BTreeSet<String>,
}

/// A value as the site language spells it (`rbd`, `control-plane`, `single`).
pub fn spelled<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

impl Site {
    pub fn is_skipped(&self, kind: &str, name: &str) -> bool {
        self.skipped.contains(&(kind.to_string(), name.to_string()))
    }

    pub fn is_partial(&self, at: &Ptr) -> bool {
        self.partial.contains(&at.0)
    }
}

pub fn build(structured: Structured, diags: &mut Diagnostics) -> Site {
    let Structured { mut doc, mut index, broken } = structured;
    let broken_roles: Vec<String> = broken
        .iter()
        .filter_map(|p| entity_of(p).filter(|e| e.starts_with("/host-defaults/")))
        .filter_map(|e| doc.pointer(&format!("{e}/role")).and_then(Value::as_str).map(str::to_string))
        .collect();
    defaults::merge(&mut doc, &mut index, &broken_roles, diags);
    let mut broken_by_entity: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &broken {
        if let Some(e) = entity_of(p) {
            broken_by_entity.entry(e).or_default().push(p.clone());
        }
    }
    let mut b =
        Builder { doc: &mut doc, broken: &broken_by_entity, skipped: BTreeSet::new(), partial: BTreeSet::new(), diags };
    let mut hosts: Vec<Host> = b.list("host", |h: &mut Host, at| h.at = at);
    // A host whose role's defaults are broken would be judged on half its settings.
    for h in hosts.iter().filter(|h| broken_roles.contains(&h.role.as_str().to_string())) {
        b.skipped.insert(("host".to_string(), h.name.clone()));
    }
    hosts.retain(|h| !broken_roles.contains(&h.role.as_str().to_string()));
    let site = Site {
        settings: b.single("/site"),
        networks: b.list("network", |n: &mut Network, at| n.at = at),
        images: b.list("image", |n: &mut Image, at| n.at = at),
        hosts,
        pools: b.list("gpu-pool", |n: &mut GpuPool, at| n.at = at),
        storage: Storage {
            nfs: b.list("storage/nfs", |n: &mut Nfs, at| n.at = at),
            ceph: b.list("storage/ceph", |n: &mut Ceph, at| n.at = at),
            class: b.list("storage/class", |n: &mut StorageClass, at| n.at = at),
        },
        teams: b.list("team", |n: &mut Team, at| {
            n.at = at;
            experiment::locate(n);
        }),
        users: b.list("user", |n: &mut User, at| n.at = at),
        packs: b.list("pack", |n: &mut Pack, at| n.at = at),
        secrets: b.list("secret", |n: &mut Secret, at| n.at = at),
        index,
        skipped: BTreeSet::new(),
        partial: BTreeSet::new(),
        broken: BTreeSet::new(),
    };
    Site { skipped: b.skipped, partial: b.partial, broken: broken.into_iter().collect(), ..site }
}

/// The object a broken value belongs to: `/host/3/bmc/address` → `/host/3`.
fn entity_of(ptr: &str) -> Option<String> {
    let segs: Vec<&str> = ptr.split('/').skip(1).collect();
    let depth = match segs.first() {
        Some(&"site") => 1,
        Some(&"storage") => 3,
        Some(_) => 2,
        None => return None,
    };
    (segs.len() >= depth).then(|| format!("/{}", segs[..depth].join("/")))
}

/// Where a broken value can be cut out of its object, deepest first: the
/// value's own key, then each enclosing key. Inside a list only the whole
/// list can go (removing one item would renumber its siblings' pointers).
fn cut_points(entity: &str, ptr: &str) -> Vec<String> {
    let rel: Vec<&str> = ptr[entity.len()..].split('/').skip(1).collect();
    let end = rel.iter().position(|s| s.parse::<usize>().is_ok()).unwrap_or(rel.len());
    (1..=end).rev().map(|n| format!("{entity}/{}", rel[..n].join("/"))).collect()
}

fn remove(doc: &mut Value, ptr: &str) {
    let Some((parent, key)) = ptr.rsplit_once('/') else {
        return;
    };
    if let Some(Value::Object(obj)) = doc.pointer_mut(parent) {
        obj.remove(&key.replace("~1", "/").replace("~0", "~"));
    }
}

struct Builder<'a> {
    /// Each part is taken out of the document as it is built (the document
    /// of a large site is hundreds of MB; copying it would double that).
    doc: &'a mut Value,
    broken: &'a BTreeMap<String, Vec<String>>,
    skipped: BTreeSet<(String, String)>,
    partial: BTreeSet<String>,
    diags: &'a mut Diagnostics,
}

impl Builder<'_> {
    fn single<T: DeserializeOwned>(&mut self, ptr: &str) -> Option<T> {
        let v = self.doc.pointer_mut(ptr)?.take();
        self.entity(ptr, v)
    }

    fn list<T: DeserializeOwned>(&mut self, path: &str, set_at: impl Fn(&mut T, Ptr)) -> Vec<T> {
        let kind = path.rsplit('/').next().unwrap_or(path).to_string();
        let items = match self.doc.pointer_mut(&format!("/{path}")) {
            Some(Value::Array(items)) => std::mem::take(items),
            _ => Vec::new(),
        };
        let mut out = Vec::new();
        for (i, item) in items.into_iter().enumerate() {
            let ptr = format!("/{path}/{i}");
            let name = item.get("name").and_then(Value::as_str).map(str::to_string);
            match self.entity::<T>(&ptr, item) {
                Some(mut v) => {
                    set_at(&mut v, Ptr(ptr));
                    out.push(v);
                }
                None => {
                    self.skipped.insert((kind.clone(), name.unwrap_or_default()));
                }
            }
        }
        out
    }

    /// Builds one object with the values that broke the schema cut out as
    /// narrowly as the model allows: first each at its own key (widening to
    /// the enclosing key while the object still cannot be built), then every
    /// cut value that the model can hold after all is put back.
    fn entity<T: DeserializeOwned>(&mut self, ptr: &str, value: Value) -> Option<T> {
        let Some(broken) = self.broken.get(ptr) else {
            // Sound objects move their strings into the model.
            return self.internal(ptr, serde_json::from_value(value));
        };
        self.partial.insert(ptr.to_string());
        let cuts: Vec<Vec<String>> = broken.iter().map(|b| cut_points(ptr, b)).collect();
        let apply = |levels: &[Option<usize>]| {
            let mut v = value.clone();
            for (cut, level) in cuts.iter().zip(levels) {
                if let Some(at) = level.and_then(|l| cut.get(l)) {
                    remove_rel(&mut v, &at[ptr.len()..]);
                }
            }
            v
        };
        let mut levels: Vec<Option<usize>> = cuts.iter().map(|c| (!c.is_empty()).then_some(0)).collect();
        loop {
            if T::deserialize(&apply(&levels)).is_ok() {
                break;
            }
            let widen = levels.iter().zip(&cuts).position(|(l, c)| l.is_some_and(|l| l + 1 < c.len()));
            match widen {
                Some(i) => levels[i] = levels[i].map(|l| l + 1),
                None => return None,
            }
        }
        for i in 0..levels.len() {
            let kept = levels[i].take();
            if T::deserialize(&apply(&levels)).is_err() {
                levels[i] = kept;
            }
        }
        T::deserialize(&apply(&levels)).ok()
    }

    /// A model that cannot be built from JSON the schema accepted is a bug.
    fn internal<T>(&mut self, ptr: &str, built: serde_json::Result<T>) -> Option<T> {
        match built {
            Ok(t) => Some(t),
            Err(e) => {
                self.diags.push(Diagnostic::new(&errors::INTERNAL, format!("cannot build the model at {ptr}: {e}")));
                None
            }
        }
    }
}

/// Removes the value at a pointer relative to `value`.
fn remove_rel(value: &mut Value, rel: &str) {
    let mut wrapped = Value::Object(serde_json::Map::from_iter([("v".to_string(), value.take())]));
    remove(&mut wrapped, &format!("/v{rel}"));
    *value = wrapped["v"].take();
}

#[cfg(test)]
mod tests;

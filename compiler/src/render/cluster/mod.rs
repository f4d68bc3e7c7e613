//! cluster/: the Kubernetes objects that make the site's tenants, storage and
//! GPU pools real, one resource per file, a kustomization.yaml per folder.
//! See docs/cluster.md for folders, names and how quotas become queues.
//!
//! Built-in kinds are k8s-openapi types; custom resources are the types in
//! `crds`. Both go through `serde_json::Value` into the project's YAML
//! emitter as they are added; the ClusterQueues, whose flavor lists repeat
//! across teams, are spliced from parts emitted once (`queues`).

mod claims;
mod crds;
mod gpu;
mod kustomize;
mod queues;
mod secrets;
mod storage;
mod teams;

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;
use serde_json::Value;

use super::{Outputs, yaml};
use crate::plan::Plan;

pub use crate::packs::declared_namespace as pack_namespace;

/// The folders of cluster/, in the order the top-level kustomization lists them.
pub const FOLDERS: &[&str] = &["namespaces", "rbac", "quotas", "storage", "gpu", "queues", "secrets"];

/// Label on every object bosun renders here.
const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "bosun");
/// Label naming the team an object belongs to.
pub const TEAM_LABEL: &str = "bosun.io/team";

/// Objects collected per folder: file name → YAML. Each object is emitted
/// as it is added, so the memory of its value is reused by the next one
/// rather than thousands of values living until the end.
#[derive(Default)]
pub struct Objects {
    folders: BTreeMap<&'static str, BTreeMap<String, String>>,
}

impl Objects {
    /// Adds one object as `<folder>/<kind>-<name>.yaml` (cluster-scoped) or
    /// `<folder>/<kind>-<namespace>.<name>.yaml` (namespaced; namespaces are
    /// DNS labels, so the dot keeps every file name unambiguous).
    pub fn add<T: Serialize>(&mut self, folder: &'static str, obj: &T) -> Result<(), String> {
        self.add_value(folder, serde_json::to_value(obj).map_err(|e| e.to_string())?)
    }

    /// [`Objects::add`] for an object already turned into a value (on another thread).
    pub fn add_value(&mut self, folder: &'static str, value: Value) -> Result<(), String> {
        let kind = value.get("kind").and_then(Value::as_str).ok_or("object without kind")?;
        let meta = value.get("metadata").ok_or("object without metadata")?;
        let name = meta.get("name").and_then(Value::as_str).ok_or("object without name")?;
        let file = file_name(kind, name, meta.get("namespace").and_then(Value::as_str));
        self.insert(folder, file, yaml::to_string(&value))
    }

    /// [`Objects::add`] for an object emitted as YAML already.
    pub fn add_yaml(
        &mut self,
        folder: &'static str,
        id: (&str, &str, Option<&str>),
        yaml: String,
    ) -> Result<(), String> {
        let (kind, name, namespace) = id;
        self.insert(folder, file_name(kind, name, namespace), yaml)
    }

    fn insert(&mut self, folder: &'static str, file: String, yaml: String) -> Result<(), String> {
        if !FOLDERS.contains(&folder) {
            return Err(format!("unknown cluster folder {folder}"));
        }
        if self.folders.entry(folder).or_default().insert(file.clone(), yaml).is_some() {
            return Err(format!("two objects would be cluster/{folder}/{file}"));
        }
        Ok(())
    }
}

fn file_name(kind: &str, name: &str, namespace: Option<&str>) -> String {
    let kind = kind.to_ascii_lowercase();
    match namespace {
        Some(ns) => format!("{kind}-{ns}.{name}.yaml"),
        None => format!("{kind}-{name}.yaml"),
    }
}

/// Metadata with bosun's label; `namespace` for namespaced kinds.
pub fn meta(name: &str, namespace: Option<&str>) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        namespace: namespace.map(str::to_string),
        labels: Some(BTreeMap::from([(MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string())])),
        ..ObjectMeta::default()
    }
}

/// Metadata of an object that belongs to one team.
pub fn team_meta(name: &str, namespace: Option<&str>, team: &str) -> ObjectMeta {
    let mut m = meta(name, namespace);
    m.labels.get_or_insert_default().insert(TEAM_LABEL.to_string(), team.to_string());
    m
}

pub fn render(plan: &Plan, out: &mut Outputs) -> Result<(), String> {
    let mut objs = Objects::default();
    teams::render(plan, &mut objs)?;
    storage::render(plan, &mut objs)?;
    claims::render(plan, &mut objs)?;
    gpu::render(plan, &mut objs)?;
    queues::render(plan, &mut objs)?;
    secrets::render(plan, &mut objs)?;
    kustomize::write(objs, out)
}

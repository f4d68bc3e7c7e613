//! gitops/: what the site's GitOps engine installs, and in what order.
//! Argo CD: an app of apps (`argocd.rs`); Flux: a GitRepository, a
//! Kustomization per wave and a HelmRelease per pack (`flux.rs`). The pack
//! graph, its waves and each pack's values come from the plan. See
//! docs/gitops.md.

mod argocd;
mod experiments;
pub(crate) mod flux;
pub mod types;

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Outputs, yaml};
use crate::model::{Engine, Gitops};
use crate::packs::{self, BuiltinPack, graph};
use crate::plan::Plan;

/// Label on every object bosun renders.
const MANAGED_BY: (&str, &str) = ("app.kubernetes.io/managed-by", "bosun");

/// One pack the engine installs.
pub struct Install<'a> {
    pub name: &'a str,
    pub chart: ChartRef,
    pub namespace: &'a str,
    pub wave: u32,
    /// Present packs this one waits for.
    pub after: Vec<&'a str>,
}

/// Where a pack's chart comes from: a Helm repository, or `oci://…` when `oci`.
pub struct ChartRef {
    pub url: String,
    pub name: String,
    pub version: String,
    pub oci: bool,
    /// A chart in the compiled tree (Nauta template packs): its repository path.
    pub local: Option<String>,
}

impl From<&BuiltinPack> for ChartRef {
    fn from(b: &BuiltinPack) -> Self {
        ChartRef {
            url: b.chart.url().to_string(),
            name: b.chart.name().to_string(),
            version: b.chart.version().to_string(),
            oci: matches!(b.chart, packs::Chart::Oci { .. }),
            local: None,
        }
    }
}

/// What both engines need: the packs in install order and the cluster/ wave.
pub struct Layout<'a> {
    pub gitops: &'a Gitops,
    pub installs: Vec<Install<'a>>,
    pub cluster_wave: u32,
}

pub fn render(plan: &Plan, out: &mut Outputs) -> Result<(), String> {
    let Some(gitops) = &plan.settings.gitops else { return Ok(()) };
    let nodes = &plan.packs.nodes;
    let waves = plan.packs.waves.as_ref().map_err(|c| format!("pack dependency cycle {}", c.join(" → ")))?;
    let preds = graph::predecessors(nodes);
    let mut installs = Vec::new();
    for n in nodes {
        let pack = plan.site.packs.iter().find(|p| p.name == n.name);
        let (chart, default_ns) = match (pack.and_then(|p| p.folder.as_deref()), packs::builtin(&n.name)) {
            // A template pack is installed by its team's experiments.
            (Some(f), _) if f.is_template() => continue,
            (Some(f), _) => (
                ChartRef {
                    url: f.repository.clone(),
                    name: f.chart.clone(),
                    version: f.chart_version.clone(),
                    oci: f.oci,
                    local: (!f.local_chart.is_empty()).then(|| repo_path(gitops, &format!("packs/{}/chart", n.name))),
                },
                n.name.as_str(),
            ),
            (None, Some(b)) if pack.is_none_or(|p| p.source.is_none()) => (ChartRef::from(b), b.namespace),
            _ => continue,
        };
        installs.push(Install {
            name: n.name.as_str(),
            chart,
            namespace: pack.map(packs::namespace).unwrap_or(default_ns),
            wave: waves.get(&n.name).copied().unwrap_or_default(),
            after: preds.get(n.name.as_str()).cloned().unwrap_or_default(),
        });
    }
    let installed: Vec<&str> = installs.iter().map(|i| i.name).collect();
    for i in &mut installs {
        i.after.retain(|a| installed.contains(a));
    }
    installs.sort_by(|a, b| (a.wave, a.name).cmp(&(b.wave, b.name)));
    let layout = Layout { gitops, installs, cluster_wave: waves.get(packs::CLUSTER).copied().unwrap_or_default() };
    experiments::values(plan, out)?;
    match gitops.engine {
        Engine::Argocd => argocd::render(plan, &layout, out),
        Engine::Flux => flux::render(plan, &layout, out),
    }
}

/// The objects that start the engine syncing the site: what the bring-up
/// applies once the engine runs (Argo CD's app of apps; Flux's
/// GitRepository and the Kustomization of gitops/).
pub fn root_objects(plan: &Plan) -> Result<Vec<serde_json::Value>, String> {
    let Some(g) = &plan.settings.gitops else { return Ok(Vec::new()) };
    match g.engine {
        Engine::Argocd => Ok(vec![serde_json::to_value(argocd::root(plan, g)).map_err(|e| e.to_string())?]),
        Engine::Flux => flux::root(g),
    }
}

/// A folder of the site's repository: `<path>/<sub>`, without `./`.
pub fn repo_path(gitops: &Gitops, sub: &str) -> String {
    let base = gitops.path.trim_start_matches("./").trim_end_matches('/');
    if base.is_empty() || base == "." { sub.to_string() } else { format!("{base}/{sub}") }
}

/// `metadata` with bosun's label, and annotations when given.
pub fn metadata(name: &str, namespace: &str, annotations: BTreeMap<&str, String>) -> types::Meta {
    types::Meta {
        name: name.to_string(),
        namespace: namespace.to_string(),
        labels: BTreeMap::from([(MANAGED_BY.0.to_string(), MANAGED_BY.1.to_string())]),
        annotations: (!annotations.is_empty())
            .then(|| annotations.into_iter().map(|(k, v)| (k.to_string(), v)).collect()),
        finalizers: None,
    }
}

/// Writes one object as YAML.
pub fn write<T: Serialize>(out: &mut Outputs, path: &[&str], obj: &T) -> Result<(), String> {
    let v = serde_json::to_value(obj).map_err(|e| format!("{}: {e}", path.join("/")))?;
    out.text(path, yaml::to_string(&v))
}

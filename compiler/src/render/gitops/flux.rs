//! Flux: `gitops/kustomization.yaml` (what `flux bootstrap --path=<path>/gitops`
//! applies) lists the GitRepository and the Flux Kustomizations; `sources/`
//! holds a HelmRepository or OCIRepository per pack; `layers/wave-N/` the
//! HelmReleases of wave N. Each wave's Kustomization depends on the one
//! before and waits for its releases to be ready.

use std::collections::{BTreeMap, BTreeSet};

use super::types::*;
use super::{Install, Layout, metadata, repo_path, write};
use serde_json::json;

use crate::plan::Plan;
use crate::render::Outputs;

pub const NS: &str = "flux-system";
/// The Secret the bring-up makes from the site's `gitops { credentials }`.
pub const GIT_SECRET: &str = "bosun-site-git";
const GIT: &str = "bosun-site";
const HELM_LAYER: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/// The Kustomization `flux bootstrap --path=<path>/gitops` would create:
/// it applies gitops/kustomization.yaml, and through it everything else.
pub const ROOT: &str = "bosun-root";

pub fn render(plan: &Plan, layout: &Layout, out: &mut Outputs) -> Result<(), String> {
    let g = layout.gitops;
    let prune = g.sync().prune;
    write(out, &["gitops", "gitrepository.yaml"], &git_repository(g))?;
    let mut top = vec!["gitrepository.yaml".to_string()];
    let kustomization = |name: &str, path: String, depends: Vec<String>| {
        Object::new(
            metadata(name, NS, BTreeMap::new()),
            KustomizationSpec {
                interval: "10m".to_string(),
                path: format!("./{path}"),
                prune,
                wait: true,
                timeout: "15m".to_string(),
                source_ref: source_ref("GitRepository", GIT, None),
                depends_on: names(depends),
            },
        )
    };
    let mut ks = vec![kustomization("sources", repo_path(g, "gitops/sources"), vec![])];
    for i in layout.installs.iter().filter(|i| i.chart.local.is_none()) {
        match i.chart.oci {
            false => write(out, &["gitops", "sources", &format!("helmrepository-{}.yaml", i.name)], &helm_repo(i))?,
            true => write(out, &["gitops", "sources", &format!("ocirepository-{}.yaml", i.name)], &oci_repo(i))?,
        }
    }
    let waves: BTreeSet<u32> = layout.installs.iter().map(|i| i.wave).collect();
    for w in &waves {
        let layer = format!("wave-{w}");
        for i in layout.installs.iter().filter(|i| i.wave == *w) {
            let file = format!("helmrelease-{}.yaml", i.name);
            write(out, &["gitops", "layers", &layer, &file], &release(plan, i)?)?;
        }
        let mut depends = vec!["sources".to_string()];
        if let Some(prev) = w.checked_sub(1).filter(|p| waves.contains(p)) {
            depends.push(format!("wave-{prev}"));
        }
        ks.push(kustomization(&layer, repo_path(g, &format!("gitops/layers/{layer}")), depends));
    }
    let cluster_depends = match layout.cluster_wave.checked_sub(1).filter(|p| waves.contains(p)) {
        Some(prev) => vec![format!("wave-{prev}")],
        None => vec![],
    };
    ks.push(kustomization("cluster", repo_path(g, "cluster"), cluster_depends));
    if !plan.experiments.is_empty() {
        // Experiments mount the claims cluster/ makes in their namespaces.
        let folder = super::experiments::FLUX_FOLDER;
        ks.push(kustomization(folder, repo_path(g, &format!("gitops/{folder}")), vec!["cluster".to_string()]));
        super::experiments::flux(plan, (GIT, NS), layout, out)?;
    }
    for k in &ks {
        let file = format!("kustomization-{}.yaml", k.metadata.name);
        write(out, &["gitops", "kustomizations", &file], k)?;
        top.push(format!("kustomizations/{file}"));
    }
    let index = KustomizeIndex {
        api_version: "kustomize.config.k8s.io/v1beta1".to_string(),
        kind: "Kustomization".to_string(),
        resources: top,
    };
    write(out, &["gitops", "kustomization.yaml"], &index)
}

fn git_repository(g: &crate::model::Gitops) -> Object<GitRepositorySpec> {
    Object::new(
        metadata(GIT, NS, BTreeMap::new()),
        GitRepositorySpec {
            interval: "1m".to_string(),
            url: g.repo.clone(),
            ref_: GitRef { branch: g.revision.clone() },
            secret_ref: g.credentials.as_ref().map(|_| NameRef { name: GIT_SECRET.to_string() }),
        },
    )
}

/// What the bring-up applies in place of `flux bootstrap`: the
/// GitRepository and the Kustomization of gitops/.
pub fn root(g: &crate::model::Gitops) -> Result<Vec<serde_json::Value>, String> {
    let root = Object::new(
        metadata(ROOT, NS, BTreeMap::new()),
        KustomizationSpec {
            interval: "10m".to_string(),
            path: format!("./{}", repo_path(g, "gitops")),
            prune: g.sync().prune,
            wait: false,
            timeout: "15m".to_string(),
            source_ref: source_ref("GitRepository", GIT, None),
            depends_on: None,
        },
    );
    let value = |v: Result<serde_json::Value, serde_json::Error>| v.map_err(|e| e.to_string());
    Ok(vec![value(serde_json::to_value(git_repository(g)))?, value(serde_json::to_value(root))?])
}

fn source_ref(kind: &str, name: &str, namespace: Option<&str>) -> SourceRef {
    SourceRef { kind: kind.to_string(), name: name.to_string(), namespace: namespace.map(str::to_string) }
}

/// `dependsOn`, or nothing when empty.
fn names(names: Vec<String>) -> Option<Vec<NameRef>> {
    (!names.is_empty()).then(|| names.into_iter().map(|name| NameRef { name }).collect())
}

fn helm_repo(i: &Install) -> Object<HelmRepositorySpec> {
    Object::new(
        metadata(i.name, NS, BTreeMap::new()),
        HelmRepositorySpec { interval: "1h".to_string(), url: i.chart.url.clone() },
    )
}

fn oci_repo(i: &Install) -> Object<OciRepositorySpec> {
    let c = &i.chart;
    Object::new(
        metadata(i.name, NS, BTreeMap::new()),
        OciRepositorySpec {
            interval: "1h".to_string(),
            url: format!("{}/{}", c.url.trim_end_matches('/'), c.name),
            ref_: OciRef { tag: c.version.clone() },
            layer_selector: LayerSelector { media_type: HELM_LAYER.to_string(), operation: "copy".to_string() },
        },
    )
}

fn release(plan: &Plan, i: &Install) -> Result<Object<HelmReleaseSpec>, String> {
    let (chart, chart_ref) = match (&i.chart.local, i.chart.oci) {
        (Some(path), _) => (
            Some(HelmChartSpec {
                chart: format!("./{path}"),
                version: None,
                source_ref: source_ref("GitRepository", GIT, Some(NS)),
            }),
            None,
        ),
        (None, false) => (
            Some(HelmChartSpec {
                chart: i.chart.name.clone(),
                version: Some(i.chart.version.clone()),
                source_ref: source_ref("HelmRepository", i.name, Some(NS)),
            }),
            None,
        ),
        (None, true) => (None, Some(source_ref("OCIRepository", i.name, Some(NS)))),
    };
    let v = plan.values.get(i.name).cloned().unwrap_or_else(|| json!({}));
    Ok(Object::new(
        metadata(i.name, NS, BTreeMap::new()),
        HelmReleaseSpec {
            interval: "30m".to_string(),
            release_name: i.name.to_string(),
            target_namespace: i.namespace.to_string(),
            install: ReleaseInstall { create_namespace: true, crds: "CreateReplace".to_string() },
            upgrade: Upgrade { crds: "CreateReplace".to_string() },
            chart: chart.map(|spec| HelmChartTemplate { spec }),
            chart_ref,
            values: v.as_object().is_some_and(|m| !m.is_empty()).then_some(v),
            depends_on: names(i.after.iter().map(|n| n.to_string()).collect()),
        },
    ))
}

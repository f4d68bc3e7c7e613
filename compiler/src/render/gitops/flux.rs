//! Flux: `gitops/kustomization.yaml` (what `flux bootstrap --path=<path>/gitops`
//! applies) lists the GitRepository and the Flux Kustomizations; `sources/`
//! holds a HelmRepository or OCIRepository per pack; `layers/wave-N/` the
//! HelmReleases of wave N. Each wave's Kustomization depends on the one
//! before and waits for its releases to be ready.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::{Install, Layout, metadata, repo_path, values, write};
use crate::plan::Plan;
use crate::render::{Outputs, yaml};

const NS: &str = "flux-system";
const GIT: &str = "bosun-site";
const HELM_LAYER: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

pub fn render(_plan: &Plan, layout: &Layout, out: &mut Outputs) -> Result<(), String> {
    let g = layout.gitops;
    let prune = g.sync().prune;
    let git = json!({
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": metadata(GIT, NS, BTreeMap::new()),
        "spec": {"interval": "1m", "url": g.repo, "ref": {"branch": g.revision}},
    });
    write(out, &["gitops", "gitrepository.yaml"], &git)?;
    let mut top = vec!["gitrepository.yaml".to_string()];
    let kustomization = |name: &str, path: String, depends: Vec<String>| {
        let mut spec = json!({
            "interval": "10m",
            "path": format!("./{path}"),
            "prune": prune,
            "wait": true,
            "timeout": "15m",
            "sourceRef": {"kind": "GitRepository", "name": GIT},
        });
        if !depends.is_empty() {
            spec["dependsOn"] = depends.into_iter().map(|n| json!({"name": n})).collect();
        }
        json!({
            "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
            "kind": "Kustomization",
            "metadata": metadata(name, NS, BTreeMap::new()),
            "spec": spec,
        })
    };
    let mut ks = vec![kustomization("sources", repo_path(g, "gitops/sources"), vec![])];
    for i in layout.installs.iter().filter(|i| i.chart.local.is_none()) {
        let file = match i.chart.oci {
            false => format!("helmrepository-{}.yaml", i.name),
            true => format!("ocirepository-{}.yaml", i.name),
        };
        write(out, &["gitops", "sources", &file], &source(i))?;
    }
    let waves: BTreeSet<u32> = layout.installs.iter().map(|i| i.wave).collect();
    for w in &waves {
        let layer = format!("wave-{w}");
        for i in layout.installs.iter().filter(|i| i.wave == *w) {
            let file = format!("helmrelease-{}.yaml", i.name);
            write(out, &["gitops", "layers", &layer, &file], &release(out, i)?)?;
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
    for k in &ks {
        let name = k["metadata"]["name"].as_str().unwrap_or_default();
        let file = format!("kustomization-{name}.yaml");
        write(out, &["gitops", "kustomizations", &file], k)?;
        top.push(format!("kustomizations/{file}"));
    }
    let index = json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": top,
    });
    out.text(&["gitops", "kustomization.yaml"], yaml::to_string(&index))
}

fn source(i: &Install) -> Value {
    let c = &i.chart;
    match c.oci {
        false => json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "HelmRepository",
            "metadata": metadata(i.name, NS, BTreeMap::new()),
            "spec": {"interval": "1h", "url": c.url},
        }),
        true => json!({
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "OCIRepository",
            "metadata": metadata(i.name, NS, BTreeMap::new()),
            "spec": {
                "interval": "1h",
                "url": format!("{}/{}", c.url.trim_end_matches('/'), c.name),
                "ref": {"tag": c.version},
                "layerSelector": {"mediaType": HELM_LAYER, "operation": "copy"},
            },
        }),
    }
}

fn release(out: &Outputs, i: &Install) -> Result<Value, String> {
    let mut spec = json!({
        "interval": "30m",
        "releaseName": i.name,
        "targetNamespace": i.namespace,
        "install": {"createNamespace": true, "crds": "CreateReplace"},
        "upgrade": {"crds": "CreateReplace"},
    });
    match (&i.chart.local, i.chart.oci) {
        (Some(path), _) => {
            spec["chart"] = json!({"spec": {
                "chart": format!("./{path}"),
                "sourceRef": {"kind": "GitRepository", "name": GIT, "namespace": NS},
            }});
        }
        (None, false) => {
            spec["chart"] = json!({"spec": {
                "chart": i.chart.name,
                "version": i.chart.version,
                "sourceRef": {"kind": "HelmRepository", "name": i.name, "namespace": NS},
            }});
        }
        (None, true) => spec["chartRef"] = json!({"kind": "OCIRepository", "name": i.name, "namespace": NS}),
    }
    let v = values(out, i.name)?;
    if v.as_object().is_some_and(|m| !m.is_empty()) {
        spec["values"] = v;
    }
    if !i.after.is_empty() {
        spec["dependsOn"] = i.after.iter().map(|n| json!({"name": n})).collect();
    }
    Ok(json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": metadata(i.name, NS, BTreeMap::new()),
        "spec": spec,
    }))
}

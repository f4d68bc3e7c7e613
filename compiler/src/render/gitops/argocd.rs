//! Argo CD: `gitops/root.yaml` (the app of apps, applied once by hand) and,
//! in `gitops/apps/`, an Application per pack (the chart plus
//! `$values/<path>/packs/<pack>/values.yaml` from the site's repository), an
//! Application for cluster/ and an AppProject per team.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{Install, Layout, metadata, repo_path, write};
use crate::model::Gitops;
use crate::plan::Plan;
use crate::render::Outputs;

const IN_CLUSTER: &str = "https://kubernetes.default.svc";
const WAVE: &str = "argocd.argoproj.io/sync-wave";
const FINALIZER: &str = "resources-finalizer.argocd.argoproj.io";
/// Names of the two Applications that are not packs.
pub const ROOT_APP: &str = "bosun-root";
pub const CLUSTER_APP: &str = crate::packs::CLUSTER;

pub fn render(plan: &Plan, layout: &Layout, out: &mut Outputs) -> Result<(), String> {
    let g = layout.gitops;
    let ns = plan
        .site
        .packs
        .iter()
        .find(|p| p.name == "argocd")
        .map(crate::packs::namespace)
        .unwrap_or("argocd")
        .to_string();
    let sync = sync_policy(plan);
    let root = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": metadata(ROOT_APP, &ns, BTreeMap::new()),
        "spec": {
            "project": "default",
            "source": {"repoURL": g.repo, "targetRevision": g.revision, "path": repo_path(g, "gitops/apps")},
            "destination": {"server": IN_CLUSTER, "namespace": ns},
            "syncPolicy": sync.clone(),
        },
    });
    write(out, &["gitops", "root.yaml"], &root)?;
    for i in &layout.installs {
        let file = format!("application-{}.yaml", i.name);
        write(out, &["gitops", "apps", &file], &application(g, i, &ns, &sync))?;
    }
    let cluster = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": with_finalizer(metadata(CLUSTER_APP, &ns, wave(layout.cluster_wave))),
        "spec": {
            "project": "default",
            "source": {"repoURL": g.repo, "targetRevision": g.revision, "path": repo_path(g, "cluster")},
            "destination": {"server": IN_CLUSTER},
            "syncPolicy": with_options(sync.clone(), &["ServerSideApply=true"]),
        },
    });
    write(out, &["gitops", "apps", &format!("application-{CLUSTER_APP}.yaml")], &cluster)?;
    for team in &plan.teams {
        let project = json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "AppProject",
            "metadata": metadata(&team.name, &ns, BTreeMap::new()),
            "spec": {
                "description": format!("Applications of team {}: only into its namespace", team.name),
                "sourceRepos": ["*"],
                "destinations": [{"server": IN_CLUSTER, "namespace": team.namespace()}],
                "clusterResourceWhitelist": [],
                "namespaceResourceWhitelist": [{"group": "*", "kind": "*"}],
            },
        });
        write(out, &["gitops", "apps", &format!("appproject-{}.yaml", team.name)], &project)?;
    }
    Ok(())
}

fn application(g: &Gitops, i: &Install, ns: &str, sync: &Value) -> Value {
    // Argo CD names Helm OCI repositories without the scheme.
    let repo = if i.chart.oci { i.chart.url.trim_start_matches("oci://") } else { &i.chart.url };
    let chart = &i.chart.name;
    let values_file = format!("$values/{}", repo_path(g, &format!("packs/{}/values.yaml", i.name)));
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": with_finalizer(metadata(i.name, ns, wave(i.wave))),
        "spec": {
            "project": "default",
            "destination": {"server": IN_CLUSTER, "namespace": i.namespace},
            "sources": [
                match &i.chart.local {
                    None => json!({
                        "repoURL": repo,
                        "chart": chart,
                        "targetRevision": i.chart.version,
                        "helm": {"releaseName": i.name, "valueFiles": [values_file]},
                    }),
                    Some(path) => json!({
                        "repoURL": g.repo,
                        "path": path,
                        "targetRevision": g.revision,
                        "helm": {"releaseName": i.name, "valueFiles": [values_file]},
                    }),
                },
                {"repoURL": g.repo, "targetRevision": g.revision, "ref": "values"},
            ],
            "syncPolicy": with_options(sync.clone(), &["CreateNamespace=true", "ServerSideApply=true"]),
        },
    })
}

fn wave(w: u32) -> BTreeMap<&'static str, String> {
    BTreeMap::from([(WAVE, w.to_string())])
}

fn with_finalizer(mut meta: Value) -> Value {
    meta["finalizers"] = json!([FINALIZER]);
    meta
}

fn with_options(mut sync: Value, options: &[&str]) -> Value {
    sync["syncOptions"] = json!(options);
    sync
}

/// `syncPolicy` from the site's `gitops sync` options.
fn sync_policy(plan: &Plan) -> Value {
    let s = plan.settings.gitops.as_ref().map(|g| g.sync()).unwrap_or_default();
    if s.automated { json!({"automated": {"prune": s.prune, "selfHeal": s.self_heal}}) } else { json!({}) }
}

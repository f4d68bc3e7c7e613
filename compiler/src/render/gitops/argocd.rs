//! Argo CD: `gitops/root.yaml` (the app of apps, applied once by hand) and,
//! in `gitops/apps/`, an Application per pack (the chart plus
//! `$values/<path>/packs/<pack>/values.yaml` from the site's repository), an
//! Application for cluster/ and an AppProject per team.

use std::collections::BTreeMap;

use super::types::*;
use super::{Install, Layout, metadata, repo_path, write};
use crate::model::Gitops;
use crate::packs::catalog::ARGOCD;
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
    let ns = crate::packs::builtin_namespace(plan.site, ARGOCD).to_string();
    let sync = sync_policy(plan);
    write(out, &["gitops", "root.yaml"], &root(plan, g))?;
    for i in &layout.installs {
        let file = format!("application-{}.yaml", i.name);
        write(out, &["gitops", "apps", &file], &application(g, i, &ns, &sync))?;
    }
    let cluster = Object::new(
        with_finalizer(metadata(CLUSTER_APP, &ns, wave(layout.cluster_wave))),
        ApplicationSpec {
            project: "default".to_string(),
            source: Some(git_source(g, repo_path(g, "cluster"))),
            destination: Destination { server: IN_CLUSTER.to_string(), namespace: None },
            sources: None,
            sync_policy: with_options(sync.clone(), &["ServerSideApply=true"]),
        },
    );
    write(out, &["gitops", "apps", &format!("application-{CLUSTER_APP}.yaml")], &cluster)?;
    super::experiments::argocd(plan, layout, &ns, &sync, out)?;
    for team in &plan.teams {
        let project = Object::new(
            metadata(&team.name, &ns, BTreeMap::new()),
            AppProjectSpec {
                description: format!("Applications of team {}: only into its namespace", team.name),
                source_repos: vec!["*".to_string()],
                destinations: vec![Destination {
                    server: IN_CLUSTER.to_string(),
                    namespace: Some(team.namespace().to_string()),
                }],
                cluster_resource_whitelist: vec![],
                namespace_resource_whitelist: vec![GroupKind { group: "*".to_string(), kind: "*".to_string() }],
            },
        );
        write(out, &["gitops", "apps", &format!("appproject-{}.yaml", team.name)], &project)?;
    }
    Ok(())
}

/// A folder of the site's repository at the site's revision.
/// The app of apps: what is applied once, by hand or by the bring-up.
pub fn root(plan: &Plan, g: &Gitops) -> Object<ApplicationSpec> {
    let ns = crate::packs::builtin_namespace(plan.site, ARGOCD).to_string();
    Object::new(
        metadata(ROOT_APP, &ns, BTreeMap::new()),
        ApplicationSpec {
            project: "default".to_string(),
            source: Some(git_source(g, repo_path(g, "gitops/apps"))),
            destination: Destination { server: IN_CLUSTER.to_string(), namespace: Some(ns) },
            sources: None,
            sync_policy: sync_policy(plan),
        },
    )
}

fn git_source(g: &Gitops, path: String) -> AppSource {
    AppSource {
        repo_url: g.repo.clone(),
        path: Some(path),
        target_revision: g.revision.clone(),
        ..AppSource::default()
    }
}

fn application(g: &Gitops, i: &Install, ns: &str, sync: &SyncPolicy) -> Object<ApplicationSpec> {
    // Argo CD names Helm OCI repositories without the scheme.
    let repo = if i.chart.oci { i.chart.url.trim_start_matches("oci://") } else { &i.chart.url };
    let values_file = format!("$values/{}", repo_path(g, &format!("packs/{}/values.yaml", i.name)));
    let helm = Some(AppHelm { release_name: i.name.to_string(), value_files: vec![values_file] });
    let chart = match &i.chart.local {
        None => AppSource {
            repo_url: repo.to_string(),
            chart: Some(i.chart.name.clone()),
            target_revision: i.chart.version.clone(),
            helm,
            ..AppSource::default()
        },
        Some(path) => AppSource { helm, ..git_source(g, path.clone()) },
    };
    let values = AppSource {
        repo_url: g.repo.clone(),
        target_revision: g.revision.clone(),
        ref_: Some("values".to_string()),
        ..AppSource::default()
    };
    Object::new(
        with_finalizer(metadata(i.name, ns, wave(i.wave))),
        ApplicationSpec {
            project: "default".to_string(),
            source: None,
            destination: Destination { server: IN_CLUSTER.to_string(), namespace: Some(i.namespace.to_string()) },
            sources: Some(vec![chart, values]),
            sync_policy: with_options(sync.clone(), &["CreateNamespace=true", "ServerSideApply=true"]),
        },
    )
}

fn wave(w: u32) -> BTreeMap<&'static str, String> {
    BTreeMap::from([(WAVE, w.to_string())])
}

fn with_finalizer(mut meta: Meta) -> Meta {
    meta.finalizers = Some(vec![FINALIZER.to_string()]);
    meta
}

fn with_options(mut sync: SyncPolicy, options: &[&str]) -> SyncPolicy {
    sync.sync_options = Some(options.iter().map(|o| o.to_string()).collect());
    sync
}

/// `syncPolicy` from the site's `gitops sync` options.
fn sync_policy(plan: &Plan) -> SyncPolicy {
    let s = plan.settings.gitops.as_ref().map(|g| g.sync()).unwrap_or_default();
    SyncPolicy {
        automated: s.automated.then_some(Automated { prune: s.prune, self_heal: s.self_heal }),
        sync_options: None,
    }
}

//! The experiments of every team (docs/packs.md, "Experiments"): a Helm
//! release of its template pack's chart, from the compiled tree, named
//! after the experiment (so the pods' `runName` label is its name) in the
//! team's namespace. Argo CD: an Application in the team's AppProject,
//! synced after every pack and cluster/; Flux: a HelmRelease in the team's
//! namespace under `gitops/experiments/<team>/`, applied by a Kustomization
//! that waits for cluster/ (the namespace and the claims the pods mount).

use std::collections::BTreeMap;

use super::types::*;
use super::{Layout, metadata, repo_path, write};
use crate::plan::Plan;
use crate::plan::experiments::ExperimentFacts;
use crate::render::Outputs;

/// Label Nauta finds an experiment's objects by.
const RUN_NAME: &str = "runName";
/// Label naming the team an object belongs to.
const TEAM: &str = "bosun.io/team";
/// Folder of the Flux HelmReleases of experiments.
pub const FLUX_FOLDER: &str = "experiments";

/// Each experiment's values, for both engines: what a review reads.
pub fn values(plan: &Plan, out: &mut Outputs) -> Result<(), String> {
    for x in &plan.experiments {
        out.text(&x.values_path(), crate::render::yaml::to_string(x.values))?;
    }
    Ok(())
}

fn labelled(mut meta: Meta, x: &ExperimentFacts) -> Meta {
    meta.labels.insert(RUN_NAME.to_string(), x.experiment.name.clone());
    meta.labels.insert(TEAM.to_string(), x.team.name.clone());
    meta
}

/// Applications in Argo CD's namespace `ns`, one sync wave after
/// everything else the site installs.
pub fn argocd(plan: &Plan, layout: &Layout, ns: &str, sync: &SyncPolicy, out: &mut Outputs) -> Result<(), String> {
    let g = layout.gitops;
    let last = layout.installs.iter().map(|i| i.wave).chain([layout.cluster_wave]).max().unwrap_or_default();
    for x in &plan.experiments {
        let values = format!("$values/{}", repo_path(g, &x.values_path().join("/")));
        let chart = AppSource {
            repo_url: g.repo.clone(),
            path: Some(repo_path(g, &x.chart_path())),
            target_revision: g.revision.clone(),
            helm: Some(AppHelm { release_name: x.experiment.name.clone(), value_files: vec![values] }),
            ..AppSource::default()
        };
        let values_ref = AppSource {
            repo_url: g.repo.clone(),
            target_revision: g.revision.clone(),
            ref_: Some("values".to_string()),
            ..AppSource::default()
        };
        let wave = BTreeMap::from([("argocd.argoproj.io/sync-wave", (last + 1).to_string())]);
        let mut meta = labelled(metadata(&x.app_name(), ns, wave), x);
        meta.finalizers = Some(vec!["resources-finalizer.argocd.argoproj.io".to_string()]);
        let mut sync = sync.clone();
        // The namespace is the team's, made by cluster/: never by a release.
        sync.sync_options = Some(vec!["ServerSideApply=true".to_string()]);
        let app = Object::new(
            meta,
            ApplicationSpec {
                project: x.team.name.clone(),
                source: None,
                destination: Destination {
                    server: "https://kubernetes.default.svc".to_string(),
                    namespace: Some(x.team.namespace().to_string()),
                },
                sources: Some(vec![chart, values_ref]),
                sync_policy: sync,
            },
        );
        write(out, &["gitops", "apps", &format!("application-{}.yaml", x.app_name())], &app)?;
    }
    Ok(())
}

/// HelmReleases in each team's namespace, their chart from the site's
/// GitRepository `git` in `git_ns`.
pub fn flux(plan: &Plan, git: (&str, &str), layout: &Layout, out: &mut Outputs) -> Result<(), String> {
    let g = layout.gitops;
    for x in &plan.experiments {
        let ns = x.team.namespace();
        let release = Object::new(
            labelled(metadata(&x.experiment.name, ns, BTreeMap::new()), x),
            HelmReleaseSpec {
                interval: "30m".to_string(),
                release_name: x.experiment.name.clone(),
                target_namespace: ns.to_string(),
                install: ReleaseInstall { create_namespace: false, crds: "Skip".to_string() },
                upgrade: Upgrade { crds: "Skip".to_string() },
                chart: Some(HelmChartTemplate {
                    spec: HelmChartSpec {
                        chart: format!("./{}", repo_path(g, &x.chart_path())),
                        version: None,
                        source_ref: SourceRef {
                            kind: "GitRepository".to_string(),
                            name: git.0.to_string(),
                            namespace: Some(git.1.to_string()),
                        },
                    },
                }),
                chart_ref: None,
                values: Some(x.values.clone()),
                depends_on: None,
            },
        );
        let file = format!("helmrelease-{}.yaml", x.experiment.name);
        write(out, &["gitops", FLUX_FOLDER, &x.team.name, &file], &release)?;
    }
    Ok(())
}

//! The Argo CD and Flux objects of gitops/, as typed structs: only the
//! fields bosun writes, each named as the CRD names it (the CRD schemas in
//! tests/gitops.rs judge the result). Reading an object back rejects any
//! field these types do not know, so a misspelt field cannot hide in a
//! golden tree. Fields are declared in the order they are written.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The group/version and kind of a spec's object.
pub trait Kind {
    const API_VERSION: &'static str;
    const KIND: &'static str;
}

macro_rules! kind {
    ($t:ty, $api:expr, $kind:expr) => {
        impl Kind for $t {
            const API_VERSION: &'static str = $api;
            const KIND: &'static str = $kind;
        }
    };
}

/// One object: `apiVersion`, `kind`, `metadata`, `spec`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Object<S> {
    pub api_version: String,
    pub kind: String,
    pub metadata: Meta,
    pub spec: S,
}

impl<S: Kind> Object<S> {
    pub fn new(metadata: Meta, spec: S) -> Self {
        Object { api_version: S::API_VERSION.to_string(), kind: S::KIND.to_string(), metadata, spec }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Meta {
    pub name: String,
    pub namespace: String,
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finalizers: Option<Vec<String>>,
}

/// `{name}`: a Flux dependency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NameRef {
    pub name: String,
}

// Argo CD (argoproj.io/v1alpha1).

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ApplicationSpec {
    pub project: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<AppSource>,
    pub destination: Destination,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<AppSource>>,
    pub sync_policy: SyncPolicy,
}
kind!(ApplicationSpec, "argoproj.io/v1alpha1", "Application");

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppSource {
    #[serde(rename = "repoURL")]
    pub repo_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub target_revision: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helm: Option<AppHelm>,
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub ref_: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppHelm {
    pub release_name: String,
    pub value_files: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Destination {
    pub server: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// `{}` leaves syncing to a person.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SyncPolicy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated: Option<Automated>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sync_options: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Automated {
    pub prune: bool,
    pub self_heal: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AppProjectSpec {
    pub description: String,
    pub source_repos: Vec<String>,
    pub destinations: Vec<Destination>,
    pub cluster_resource_whitelist: Vec<GroupKind>,
    pub namespace_resource_whitelist: Vec<GroupKind>,
}
kind!(AppProjectSpec, "argoproj.io/v1alpha1", "AppProject");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GroupKind {
    pub group: String,
    pub kind: String,
}

// Flux (source.toolkit.fluxcd.io/v1, kustomize.toolkit.fluxcd.io/v1,
// helm.toolkit.fluxcd.io/v2).

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GitRepositorySpec {
    pub interval: String,
    pub url: String,
    #[serde(rename = "ref")]
    pub ref_: GitRef,
    /// The Secret with the repository's credentials, for a private one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_ref: Option<NameRef>,
}
kind!(GitRepositorySpec, "source.toolkit.fluxcd.io/v1", "GitRepository");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GitRef {
    pub branch: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HelmRepositorySpec {
    pub interval: String,
    pub url: String,
}
kind!(HelmRepositorySpec, "source.toolkit.fluxcd.io/v1", "HelmRepository");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OciRepositorySpec {
    pub interval: String,
    pub url: String,
    #[serde(rename = "ref")]
    pub ref_: OciRef,
    pub layer_selector: LayerSelector,
}
kind!(OciRepositorySpec, "source.toolkit.fluxcd.io/v1", "OCIRepository");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OciRef {
    pub tag: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LayerSelector {
    pub media_type: String,
    pub operation: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KustomizationSpec {
    pub interval: String,
    pub path: String,
    pub prune: bool,
    pub wait: bool,
    pub timeout: String,
    pub source_ref: SourceRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<NameRef>>,
}
kind!(KustomizationSpec, "kustomize.toolkit.fluxcd.io/v1", "Kustomization");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SourceRef {
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HelmReleaseSpec {
    pub interval: String,
    pub release_name: String,
    pub target_namespace: String,
    pub install: ReleaseInstall,
    pub upgrade: Upgrade,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<HelmChartTemplate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart_ref: Option<SourceRef>,
    /// The pack's values, free-form as the chart defines them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depends_on: Option<Vec<NameRef>>,
}
kind!(HelmReleaseSpec, "helm.toolkit.fluxcd.io/v2", "HelmRelease");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReleaseInstall {
    pub create_namespace: bool,
    pub crds: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Upgrade {
    pub crds: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HelmChartTemplate {
    pub spec: HelmChartSpec,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HelmChartSpec {
    pub chart: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    pub source_ref: SourceRef,
}

/// `gitops/kustomization.yaml`: what `flux bootstrap --path` applies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KustomizeIndex {
    pub api_version: String,
    pub kind: String,
    pub resources: Vec<String>,
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;

    use super::*;

    /// Reads one object as `T` and writes it back: the same object.
    fn round_trip<T: DeserializeOwned + Serialize>(v: &Value) -> Result<(), String> {
        let typed: T = serde_json::from_value(v.clone()).map_err(|e| e.to_string())?;
        let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
        if &back == v { Ok(()) } else { Err(format!("reads back as {back}")) }
    }

    fn check(v: &Value) -> Result<(), String> {
        match v["kind"].as_str().unwrap_or_default() {
            "Application" => round_trip::<Object<ApplicationSpec>>(v),
            "AppProject" => round_trip::<Object<AppProjectSpec>>(v),
            "GitRepository" => round_trip::<Object<GitRepositorySpec>>(v),
            "HelmRepository" => round_trip::<Object<HelmRepositorySpec>>(v),
            "OCIRepository" => round_trip::<Object<OciRepositorySpec>>(v),
            "HelmRelease" => round_trip::<Object<HelmReleaseSpec>>(v),
            "Kustomization" if v.get("spec").is_some() => round_trip::<Object<KustomizationSpec>>(v),
            "Kustomization" => round_trip::<KustomizeIndex>(v),
            k => Err(format!("unknown kind {k}")),
        }
    }

    #[test]
    fn every_example_object_reads_back_into_its_type() {
        let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../site-examples");
        let mut checked = 0;
        for entry in std::fs::read_dir(examples).unwrap() {
            let site = entry.unwrap().path().join("site.kdl");
            let (_, tree) = crate::compile(&site).unwrap();
            for (path, bytes) in tree.expect("compiles").files.iter().filter(|(p, _)| p.starts_with("gitops/")) {
                let v: Value = serde_norway::from_slice(bytes).unwrap();
                check(&v).unwrap_or_else(|e| panic!("{}: {path}: {e}", site.display()));
                checked += 1;
            }
        }
        assert!(checked > 0);
    }

    #[test]
    fn an_unknown_field_is_refused() {
        let app = serde_json::json!({
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
            "metadata": {"name": "a", "namespace": "argocd", "labels": {}},
            "spec": {
                "project": "default",
                "destination": {"server": "https://kubernetes.default.svc"},
                "syncPolicy": {"automated": {"prune": true, "selfHeal": true, "selfheal": true}},
            },
        });
        let e = check(&app).unwrap_err();
        assert!(e.contains("unknown field `selfheal`"), "{e}");
    }
}

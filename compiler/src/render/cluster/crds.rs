//! Custom resources bosun emits, as Rust types that reject unknown fields:
//! a misspelt field is a compile error here, and reading one back (tests)
//! fails instead of passing silently. Only the fields bosun sets are
//! modelled; the CRD schemas in shared/oracles/crds/ judge the result.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Toleration;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::{Deserialize, Serialize};

/// The group/version and kind of a custom resource's spec type.
pub trait Kind {
    const API_VERSION: &'static str;
    const KIND: &'static str;
}

/// A custom resource: the envelope every kind shares.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Cr<S> {
    pub api_version: String,
    pub kind: String,
    pub metadata: ObjectMeta,
    pub spec: S,
}

impl<S: Kind> Cr<S> {
    pub fn new(metadata: ObjectMeta, spec: S) -> Self {
        Cr { api_version: S::API_VERSION.to_string(), kind: S::KIND.to_string(), metadata, spec }
    }
}

macro_rules! kind {
    ($t:ty, $api:literal, $kind:literal) => {
        impl Kind for $t {
            const API_VERSION: &'static str = $api;
            const KIND: &'static str = $kind;
        }
    };
}

// Kueue v1beta2 (the storage version since Kueue 0.16).

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceFlavorSpec {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub node_labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tolerations: Vec<Toleration>,
}
kind!(ResourceFlavorSpec, "kueue.x-k8s.io/v1beta2", "ResourceFlavor");

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ClusterQueueSpec {
    pub cohort_name: String,
    pub namespace_selector: LabelSelector,
    pub queueing_strategy: String,
    pub preemption: Preemption,
    pub resource_groups: Vec<ResourceGroup>,
}
kind!(ClusterQueueSpec, "kueue.x-k8s.io/v1beta2", "ClusterQueue");

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Preemption {
    pub reclaim_within_cohort: String,
    pub within_cluster_queue: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceGroup {
    pub covered_resources: Vec<String>,
    pub flavors: Vec<FlavorQuotas>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FlavorQuotas {
    pub name: String,
    pub resources: Vec<ResourceQuota>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ResourceQuota {
    pub name: String,
    pub nominal_quota: Quantity,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocalQueueSpec {
    pub cluster_queue: String,
}
kind!(LocalQueueSpec, "kueue.x-k8s.io/v1beta2", "LocalQueue");

// Rook-Ceph v1.

use crate::plan::ceph::CephClusterSpec;
kind!(CephClusterSpec, "ceph.rook.io/v1", "CephCluster");

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CephBlockPoolSpec {
    pub failure_domain: String,
    pub replicated: Replicated,
}
kind!(CephBlockPoolSpec, "ceph.rook.io/v1", "CephBlockPool");

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Replicated {
    pub size: u32,
    pub require_safe_replica_size: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CephFilesystemSpec {
    pub metadata_pool: MetadataPool,
    pub data_pools: Vec<DataPool>,
    pub metadata_server: MetadataServer,
    pub preserve_filesystem_on_delete: bool,
}
kind!(CephFilesystemSpec, "ceph.rook.io/v1", "CephFilesystem");

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetadataPool {
    pub replicated: Replicated,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataPool {
    pub name: String,
    pub failure_domain: String,
    pub replicated: Replicated,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MetadataServer {
    pub active_count: u32,
    pub active_standby: bool,
}

// external-secrets.io v1.

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExternalSecretSpec {
    pub refresh_interval: String,
    pub secret_store_ref: StoreRef,
    pub target: Target,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<SecretData>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data_from: Vec<DataFrom>,
}
kind!(ExternalSecretSpec, "external-secrets.io/v1", "ExternalSecret");

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StoreRef {
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Target {
    pub name: String,
    pub creation_policy: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SecretData {
    pub secret_key: String,
    pub remote_ref: RemoteRef,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RemoteRef {
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DataFrom {
    pub extract: RemoteRef,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_rejected() {
        let ok = r#"{"apiVersion":"kueue.x-k8s.io/v1beta2","kind":"LocalQueue","metadata":{"name":"q"},"spec":{"clusterQueue":"t"}}"#;
        assert!(serde_json::from_str::<Cr<LocalQueueSpec>>(ok).is_ok());
        let typo = ok.replace("clusterQueue", "clusterQeue");
        assert!(serde_json::from_str::<Cr<LocalQueueSpec>>(&typo).is_err());
        let extra = ok.replace(r#""kind""#, r#""extra":1,"kind""#);
        assert!(serde_json::from_str::<Cr<LocalQueueSpec>>(&extra).is_err());
    }
}

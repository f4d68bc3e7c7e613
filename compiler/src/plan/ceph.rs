//! The site's one CephCluster, as Rook's CephCluster spec: the storage
//! renderer writes it as an object, or the `rook-ceph-cluster` chart makes it
//! from the pack's values (`plan::values`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm};
use serde::{Deserialize, Serialize};

use crate::model::{Ceph, Site};
use crate::packs::builtin_namespace;
use crate::packs::catalog::ROOK_CEPH;
use crate::packs::compat::CEPH_IMAGE;

/// The namespace of the Rook operator (provisioner names start with it).
pub fn operator_ns(site: &Site) -> &str {
    builtin_namespace(site, ROOK_CEPH)
}

/// The rook-ceph-cluster chart's values: the one ceph backend's CephCluster
/// (`clusterName`, `cephClusterSpec`), the operator's namespace, and none of
/// the chart's own pools, filesystems, object stores or StorageClasses, which
/// cluster/ renders from the site's classes. `None` without exactly one ceph
/// backend (`bosun::pack::ceph-cluster`).
pub fn cluster_values(site: &Site) -> Option<serde_json::Value> {
    let [ceph] = site.storage.ceph.as_slice() else { return None };
    let spec = serde_json::to_value(cluster_spec(ceph)).ok()?;
    Some(serde_json::json!({
        "operatorNamespace": operator_ns(site),
        "clusterName": ceph.name,
        "cephClusterSpec": spec,
        "cephBlockPools": [],
        "cephFileSystems": [],
        "cephObjectStores": [],
    }))
}

pub fn cluster_spec(ceph: &Ceph) -> CephClusterSpec {
    let mut hosts: Vec<&str> = ceph.hosts().collect();
    hosts.sort();
    let n = hosts.len();
    // Monitors need a majority: an odd count, at most 3, one per host.
    let mons = if n >= 3 { 3 } else { 1 };
    let on_hosts = NodeAffinity {
        required_during_scheduling_ignored_during_execution: Some(NodeSelector {
            node_selector_terms: vec![NodeSelectorTerm {
                match_expressions: Some(vec![NodeSelectorRequirement {
                    key: "kubernetes.io/hostname".to_string(),
                    operator: "In".to_string(),
                    values: Some(hosts.iter().map(|h| h.to_string()).collect()),
                }]),
                match_fields: None,
            }],
        }),
        preferred_during_scheduling_ignored_during_execution: None,
    };
    CephClusterSpec {
        ceph_version: CephVersion { image: CEPH_IMAGE.to_string() },
        data_dir_host_path: "/var/lib/rook".to_string(),
        mon: Daemons { count: mons, allow_multiple_per_node: false },
        mgr: Daemons { count: if n >= 2 { 2 } else { 1 }, allow_multiple_per_node: false },
        dashboard: Enabled { enabled: true },
        storage: CephStorage {
            use_all_nodes: false,
            use_all_devices: false,
            device_filter: ceph.device_filter.clone(),
            nodes: hosts.iter().map(|h| CephNode { name: h.to_string() }).collect(),
        },
        placement: BTreeMap::from([("all".to_string(), Placement { node_affinity: on_hosts })]),
    }
}

// Rook-Ceph v1.

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CephClusterSpec {
    pub ceph_version: CephVersion,
    pub data_dir_host_path: String,
    pub mon: Daemons,
    pub mgr: Daemons,
    pub dashboard: Enabled,
    pub storage: CephStorage,
    pub placement: BTreeMap<String, Placement>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CephVersion {
    pub image: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Daemons {
    pub count: u32,
    pub allow_multiple_per_node: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Enabled {
    pub enabled: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CephStorage {
    pub use_all_nodes: bool,
    pub use_all_devices: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_filter: Option<String>,
    pub nodes: Vec<CephNode>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CephNode {
    pub name: String,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Placement {
    pub node_affinity: NodeAffinity,
}

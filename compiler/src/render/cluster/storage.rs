//! Storage: a StorageClass per class, the Rook objects of each ceph backend,
//! and Nauta's per-user input/output folders as PersistentVolumes and claims.
//! With the `rook-ceph-cluster` pack the chart owns the CephCluster (its
//! spec comes from `plan::ceph`); the pools stay here.

use std::collections::BTreeMap;

use k8s_openapi::api::storage::v1::StorageClass;

use super::crds::*;
use super::{Objects, meta, pack_namespace, teams};
use crate::model::{Ceph, Nfs, Site, StorageType};
use crate::packs::catalog::{ROOK_CEPH, ROOK_CEPH_CLUSTER};
use crate::plan::Plan;
use crate::plan::ceph::{cluster_spec, operator_ns};

pub const NFS_PROVISIONER: &str = "nfs.csi.k8s.io";
/// Nauta's shares: a folder per user on each.
const NAUTA_SHARES: [&str; 2] = ["input", "output"];

pub fn render(plan: &Plan, objs: &mut Objects) -> Result<(), String> {
    let site = plan.site;
    let mut classes: Vec<_> = site.storage.class.iter().collect();
    classes.sort_by(|a, b| a.name.cmp(&b.name));
    for class in classes {
        let mut sc = StorageClass {
            metadata: meta(&class.name, None),
            reclaim_policy: Some(class.reclaim.clone().unwrap_or_else(|| "Delete".to_string())),
            volume_binding_mode: Some("Immediate".to_string()),
            ..StorageClass::default()
        };
        if class.default {
            sc.metadata.annotations =
                Some(BTreeMap::from([("storageclass.kubernetes.io/is-default-class".to_string(), "true".to_string())]));
        }
        match class.type_ {
            StorageType::Nfs => {
                let Some(nfs) = site.storage.nfs.iter().find(|n| n.name == class.backend) else { continue };
                sc.provisioner = NFS_PROVISIONER.to_string();
                sc.parameters = Some(strings(&[("server", &nfs.server), ("share", &nfs.path)]));
                sc.mount_options = mount_options(nfs);
            }
            StorageType::Rbd | StorageType::Cephfs => {
                let Some(ceph) = site.storage.ceph.iter().find(|c| c.name == class.backend) else { continue };
                ceph_class(site, ceph, class.type_, &mut sc);
            }
        }
        objs.add("storage", &sc)?;
    }
    if pack_namespace(site, ROOK_CEPH).is_some() {
        for ceph in &site.storage.ceph {
            rook(site, ceph, objs)?;
        }
    }
    nauta_folders(plan, objs)
}

fn strings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn mount_options(nfs: &Nfs) -> Option<Vec<String>> {
    nfs.mount_options.as_ref().map(|o| o.items.clone())
}

/// The namespace of a backend's CephCluster (its CSI `clusterID`): the
/// rook-ceph-cluster pack's, suffixed with the backend when there are several.
fn cluster_ns(site: &Site, ceph: &Ceph) -> String {
    // The cluster chart's release namespace; without it, the operator's.
    let base = pack_namespace(site, ROOK_CEPH_CLUSTER).unwrap_or_else(|| operator_ns(site));
    if site.storage.ceph.len() > 1 { format!("{base}-{}", ceph.name) } else { base.to_string() }
}

fn block_pool(ceph: &Ceph) -> String {
    format!("{}-blockpool", ceph.name)
}

fn filesystem(ceph: &Ceph) -> String {
    format!("{}-fs", ceph.name)
}

fn ceph_class(site: &Site, ceph: &Ceph, type_: StorageType, sc: &mut StorageClass) {
    let op = operator_ns(site);
    let cluster = cluster_ns(site, ceph);
    let (driver, secret, extra) = match type_ {
        StorageType::Rbd => (
            "rbd",
            "rook-csi-rbd",
            vec![
                ("pool", block_pool(ceph)),
                ("imageFormat", "2".to_string()),
                ("imageFeatures", "layering".to_string()),
                ("csi.storage.k8s.io/fstype", "ext4".to_string()),
            ],
        ),
        _ => {
            let fs = filesystem(ceph);
            ("cephfs", "rook-csi-cephfs", vec![("pool", format!("{fs}-replicated")), ("fsName", fs)])
        }
    };
    let mut p: BTreeMap<String, String> = extra.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    p.insert("clusterID".to_string(), cluster.clone());
    for (kind, who) in [("provisioner", "provisioner"), ("controller-expand", "provisioner"), ("node-stage", "node")] {
        p.insert(format!("csi.storage.k8s.io/{kind}-secret-name"), format!("{secret}-{who}"));
        p.insert(format!("csi.storage.k8s.io/{kind}-secret-namespace"), cluster.clone());
    }
    sc.provisioner = format!("{op}.{driver}.csi.ceph.com");
    sc.parameters = Some(p);
    sc.allow_volume_expansion = Some(true);
}

fn replicated(hosts: usize) -> Replicated {
    let size = hosts.clamp(1, 3) as u32;
    Replicated { size, require_safe_replica_size: size > 1 }
}

fn rook(site: &Site, ceph: &Ceph, objs: &mut Objects) -> Result<(), String> {
    let ns = cluster_ns(site, ceph);
    let n = ceph.hosts().count();
    // One owner per object: with the cluster chart, the chart makes it.
    if pack_namespace(site, ROOK_CEPH_CLUSTER).is_none() {
        objs.add("storage", &Cr::new(meta(&ceph.name, Some(&ns)), cluster_spec(ceph)))?;
    }
    let uses = |t: StorageType| site.storage.class.iter().any(|c| c.backend == ceph.name && c.type_ == t);
    if uses(StorageType::Rbd) {
        let spec = CephBlockPoolSpec { failure_domain: "host".to_string(), replicated: replicated(n) };
        objs.add("storage", &Cr::new(meta(&block_pool(ceph), Some(&ns)), spec))?;
    }
    if uses(StorageType::Cephfs) {
        let spec = CephFilesystemSpec {
            metadata_pool: MetadataPool { replicated: replicated(n) },
            data_pools: vec![DataPool {
                name: "replicated".to_string(),
                failure_domain: "host".to_string(),
                replicated: replicated(n),
            }],
            metadata_server: MetadataServer { active_count: 1, active_standby: true },
            preserve_filesystem_on_delete: true,
        };
        objs.add("storage", &Cr::new(meta(&filesystem(ceph), Some(&ns)), spec))?;
    }
    Ok(())
}

/// Nauta's `user create` made a folder per user on the `input` and `output`
/// shares. When the site has nfs backends with those names, each person of a
/// team gets, in the team namespace, a claim bound to a volume on their folder.
fn nauta_folders(plan: &Plan, objs: &mut Objects) -> Result<(), String> {
    let site = plan.site;
    let shares: Vec<&Nfs> =
        NAUTA_SHARES.iter().filter_map(|s| site.storage.nfs.iter().find(|n| n.name == *s)).collect();
    if shares.len() != NAUTA_SHARES.len() {
        return Ok(());
    }
    let users = teams::Users::new(site);
    for team in &plan.teams {
        for user in users.of(team) {
            for nfs in &shares {
                let claim = format!("{}-{}", user.name, nfs.name);
                let (mut pv, pvc) = super::claims::nfs_claim(site, team, nfs, &claim, &user.name);
                pv.metadata.labels.get_or_insert_default().insert("bosun.io/user".to_string(), user.name.clone());
                objs.add("storage", &pv)?;
                objs.add("storage", &pvc)?;
            }
        }
    }
    Ok(())
}

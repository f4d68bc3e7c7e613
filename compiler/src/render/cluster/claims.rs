//! The claims Nauta's template packs mount, by the names their templates
//! use (`input-home`, `input-public`, `output-home`, `output-public`), in
//! the namespace of every team that runs experiments. Nauta gave each
//! user a namespace, so "home" was the user's folder; a bosun namespace is
//! a team's, so "home" is the team's folder (`teams/<team>`) on the
//! `input` and `output` shares, and "public" their `public` folder.
//! Each experiment writes below `output-home/<experiment>`.

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, ObjectReference, PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec,
    PersistentVolumeSpec, VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::{Objects, team_meta};
use crate::model::experiment::SHARES;
use crate::model::{Nfs, Site, Team};
use crate::plan::Plan;

/// The folders each share's claims see.
const FOLDERS: [&str; 2] = ["home", "public"];
/// A PersistentVolume must state a size; NFS does not enforce it, but the
/// claim counts toward the team's `requests.storage`, so it is kept small.
const NOMINAL_SIZE: &str = "1Gi";

pub fn render(plan: &Plan, objs: &mut Objects) -> Result<(), String> {
    let teams: BTreeSet<&str> = plan.experiments.iter().map(|x| x.team.name.as_str()).collect();
    for team in plan.teams.iter().filter(|t| teams.contains(t.name.as_str())) {
        for share in SHARES {
            let Some(nfs) = plan.site.storage.nfs.iter().find(|n| n.name == share) else { continue };
            for folder in FOLDERS {
                let sub = if folder == "home" { format!("teams/{}", team.name) } else { folder.to_string() };
                let (pv, pvc) = nfs_claim(plan.site, team, nfs, &format!("{share}-{folder}"), &sub);
                objs.add("storage", &pv)?;
                objs.add("storage", &pvc)?;
            }
        }
    }
    Ok(())
}

/// A volume on `sub` of the share, bound to the claim `name` in the team's
/// namespace (also the per-user folders of `storage.rs`).
pub(super) fn nfs_claim(
    site: &Site,
    team: &Team,
    nfs: &Nfs,
    name: &str,
    sub: &str,
) -> (PersistentVolume, PersistentVolumeClaim) {
    let ns = team.namespace();
    let class = site.storage.class.iter().filter(|c| c.backend == nfs.name).min_by(|a, b| a.name.cmp(&b.name));
    let access = class.and_then(|c| c.access.clone()).unwrap_or_else(|| "ReadWriteMany".to_string());
    let class_name = class.map_or(String::new(), |c| c.name.clone());
    let size = BTreeMap::from([("storage".to_string(), Quantity(NOMINAL_SIZE.to_string()))]);
    let attributes = [("server", nfs.server.as_str()), ("share", nfs.path.as_str()), ("subDir", sub)];
    let pv = PersistentVolume {
        metadata: team_meta(&format!("{ns}.{name}"), None, &team.name),
        spec: Some(PersistentVolumeSpec {
            capacity: Some(size.clone()),
            access_modes: Some(vec![access.clone()]),
            persistent_volume_reclaim_policy: Some("Retain".to_string()),
            storage_class_name: Some(class_name.clone()),
            mount_options: nfs.mount_options.as_ref().map(|o| o.items.clone()),
            claim_ref: Some(ObjectReference {
                namespace: Some(ns.to_string()),
                name: Some(name.to_string()),
                ..ObjectReference::default()
            }),
            csi: Some(CSIPersistentVolumeSource {
                driver: super::storage::NFS_PROVISIONER.to_string(),
                volume_handle: format!("{}#{}#{sub}", nfs.server, nfs.path),
                volume_attributes: Some(attributes.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()),
                ..CSIPersistentVolumeSource::default()
            }),
            ..PersistentVolumeSpec::default()
        }),
        ..PersistentVolume::default()
    };
    let pvc = PersistentVolumeClaim {
        metadata: team_meta(name, Some(ns), &team.name),
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec![access]),
            storage_class_name: Some(class_name),
            volume_name: pv.metadata.name.clone(),
            resources: Some(VolumeResourceRequirements { requests: Some(size), limits: None }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    };
    (pv, pvc)
}

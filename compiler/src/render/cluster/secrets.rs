//! An ExternalSecret for every secret a pack takes a value from (`set …
//! from=`), in the pack's namespace, from the ClusterSecretStore named by the
//! secret's `store`. Never a value. Rendered when the site installs the
//! `external-secrets` pack.

use std::collections::BTreeSet;

use super::crds::*;
use super::{Objects, meta, pack_namespace};
use crate::packs::catalog::EXTERNAL_SECRETS;
use crate::plan::Plan;

pub fn render(plan: &Plan, objs: &mut Objects) -> Result<(), String> {
    let site = plan.site;
    if pack_namespace(site, EXTERNAL_SECRETS).is_none() {
        return Ok(());
    }
    let mut wanted: BTreeSet<(&str, &str)> = BTreeSet::new();
    for pack in &site.packs {
        let ns = crate::packs::namespace(pack);
        for set in &pack.set {
            if let Some(from) = &set.from {
                wanted.insert((ns, from));
            }
        }
    }
    for (ns, name) in wanted {
        let Some(secret) = site.secrets.iter().find(|s| s.name == name) else { continue };
        let remote = |property| RemoteRef { key: secret.path.clone(), property };
        let (data, data_from) = match &secret.key {
            Some(key) => (vec![SecretData { secret_key: key.clone(), remote_ref: remote(Some(key.clone())) }], vec![]),
            None => (vec![], vec![DataFrom { extract: remote(None) }]),
        };
        let spec = ExternalSecretSpec {
            refresh_interval: "1h".to_string(),
            secret_store_ref: StoreRef { kind: "ClusterSecretStore".to_string(), name: secret.store.clone() },
            target: Target { name: secret.name.clone(), creation_policy: "Owner".to_string() },
            data,
            data_from,
        };
        objs.add("secrets", &Cr::new(meta(&secret.name, Some(ns)), spec))?;
    }
    Ok(())
}

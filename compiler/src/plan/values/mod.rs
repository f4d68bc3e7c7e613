//! Every pack's final values, merged here and nowhere else: what bosun
//! derives from the site for a built-in pack (`builtin.rs`, the CNI's in
//! `cni.rs`, the GPU Operator's in `gpu_operator.rs`), then the Secrets of
//! its `set … from=` where the chart reads them (`packs::secrets`), then the
//! site's `values` block and `set … value=` entries, deepest last. A pack
//! folder's values are its rendered template, which saw the parameters
//! already. The packs renderer writes these trees; the GitOps renderer
//! inlines them into Flux HelmReleases.

mod builtin;
mod cni;
mod gpu_operator;

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Plan;
use crate::model::merge;
use crate::packs::{catalog, secrets};

/// The values of every pack the site installs, by pack name: the site's CNI
/// (declared or not) and every declared pack.
pub fn all<'a>(plan: &Plan<'a>) -> BTreeMap<&'a str, Value> {
    let site = plan.site;
    let mut out = BTreeMap::new();
    // Packs are Kubernetes objects: a Slurm-only site installs none.
    let Some(k) = &plan.settings.kubernetes else {
        return out;
    };
    let cni = catalog::cni(k.cni);
    out.insert(cni, one(plan, cni));
    for p in site.packs.iter().filter(|p| p.name != cni) {
        out.insert(p.name.as_str(), one(plan, &p.name));
    }
    out
}

fn one(plan: &Plan, name: &str) -> Value {
    let pack = plan.site.packs.iter().find(|p| p.name == name);
    if let Some(p) = pack.filter(|p| p.source.is_some()) {
        return p.folder.as_ref().map_or_else(|| json!({}), |f| f.values.clone());
    }
    let mut values = builtin::derived(plan, name);
    if let Some(pack) = pack {
        let refs = secrets::refs(plan.site, pack);
        merge(&mut values, &secrets::wire(name, &refs).0);
        pack.apply_user(&mut values);
    }
    values
}

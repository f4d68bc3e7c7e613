//! Teams: namespaces, and which pool a GPU quota draws from.

use std::collections::HashMap;

use super::Ctx;
use super::errors::*;
use crate::diag::Diagnostic;

const RESERVED: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

pub fn check(cx: &mut Ctx) {
    let mut namespaces: HashMap<&str, String> = HashMap::new();
    for team in &cx.site.teams {
        let ns = team.namespace();
        let ptr = if team.namespace.is_some() { team.at.at("namespace") } else { team.at.at("name") };
        if RESERVED.contains(&ns) || ns.starts_with("kube-") {
            let d = Diagnostic::new(&RESERVED_NAMESPACE, format!("team `{}` would use namespace `{ns}`", team.name))
                .label_opt(cx.span(&ptr), "reserved by Kubernetes");
            cx.push(d);
        }
        if let Some(first) = namespaces.get(ns) {
            let d = Diagnostic::new(&DUPLICATE_NAMESPACE, format!("namespace `{ns}` is used by two teams"))
                .label_opt(cx.span(&ptr), "used again here")
                .label_opt(cx.span(first), "first used here");
            cx.push(d);
        } else {
            namespaces.insert(ns, ptr);
        }
        let Some(quota) = &team.quota else { continue };
        if quota.gpu.unwrap_or(0) > 0 && quota.pool.is_none() && cx.site.pools.len() != 1 {
            let n = cx.site.pools.len();
            let why =
                if n == 0 { "the site has no gpu-pool".to_string() } else { format!("the site has {n} GPU pools") };
            let d = Diagnostic::new(
                &QUOTA_POOL_REQUIRED,
                format!("team `{}` asks for GPUs without a pool, and {why}", team.name),
            )
            .label_opt(cx.setting_span(&team.at.at("quota/gpu")), "from which pool?");
            cx.push(d);
        }
    }
}

//! Teams: namespaces, and which pool a GPU quota draws from.

use std::collections::HashMap;

use super::Ctx;
use super::errors::*;
use crate::diag::Diagnostic;
use crate::packs::catalog;

const RESERVED: &[&str] = &["default", "kube-system", "kube-public", "kube-node-lease"];

/// Team names the GitOps engine owns: a team's AppProject is named after it.
const RESERVED_TEAMS: &[&str] = &["default"];

pub fn check(cx: &mut Ctx) {
    let mut namespaces: HashMap<&str, String> = HashMap::new();
    let owned = owned_namespaces(cx);
    for team in &cx.site.teams {
        let ns = team.namespace();
        let ptr = if team.namespace.is_some() { team.at.at("namespace") } else { team.at.at("name") };
        let kubernetes_owns = RESERVED.contains(&ns) || ns.starts_with("kube-");
        // `team "default"` in namespace `default` is one mistake: the namespace says it.
        if RESERVED_TEAMS.contains(&team.name.as_str()) && !kubernetes_owns {
            let d =
                Diagnostic::new(&RESERVED_TEAM, format!("team `{}` would replace Argo CD's own AppProject", team.name))
                    .label_opt(cx.span(&team.at.at("name")), "every generated Application belongs to this AppProject");
            cx.push(d);
        }
        if kubernetes_owns {
            let d = Diagnostic::new(&RESERVED_NAMESPACE, format!("team `{}` would use namespace `{ns}`", team.name))
                .label_opt(cx.span(&ptr), "reserved by Kubernetes");
            cx.push(d);
        } else if let Some(owner) = owned.get(ns) {
            let d = Diagnostic::new(&ENGINE_NAMESPACE, format!("team `{}` would use namespace `{ns}`", team.name))
                .label_opt(cx.span(&ptr), format!("{owner} installs into this namespace"));
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

/// The namespaces the GitOps engines and the site's packs (its CNI
/// included) install into, with who does.
fn owned_namespaces(cx: &Ctx) -> HashMap<String, String> {
    let mut owned: HashMap<String, String> = HashMap::new();
    for (engine, who) in [(catalog::ARGOCD, "Argo CD"), (catalog::FLUX, "Flux")] {
        if let Some(b) = crate::packs::builtin(engine) {
            owned.insert(b.namespace.to_string(), who.to_string());
        }
    }
    let cni = cx
        .site
        .settings
        .as_ref()
        .and_then(|s| s.kubernetes.as_ref())
        .and_then(|k| crate::packs::builtin(catalog::cni(k.cni)));
    if let Some(b) = cni {
        owned.entry(b.namespace.to_string()).or_insert_with(|| format!("pack `{}`", b.name));
    }
    for pack in &cx.site.packs {
        owned.entry(crate::packs::namespace(pack).to_string()).or_insert_with(|| format!("pack `{}`", pack.name));
    }
    owned
}

//! Every name that refers to another object resolves, with "did you mean"
//! when one is close. A reference to an object that was left out because of
//! its own structure errors is not reported again.

use std::collections::HashSet;

use super::Ctx;
use super::errors::*;
use crate::diag::Diagnostic;
use crate::suggest::did_you_mean;

/// One kind of referable object: its name in messages, how `skipped`
/// records it, and the declared names.
struct Target<'a> {
    kind: &'static str,
    skipped_as: &'static [&'static str],
    names: HashSet<&'a str>,
}

impl<'a> Target<'a> {
    fn new(kind: &'static str, skipped_as: &'static [&'static str], names: impl Iterator<Item = &'a str>) -> Self {
        Target { kind, skipped_as, names: names.collect() }
    }
}

pub fn check(cx: &mut Ctx) {
    let s = cx.site;
    let networks = Target::new("network", &["network"], s.networks.iter().map(|n| n.name.as_str()));
    let images = Target::new("image", &["image"], s.images.iter().map(|n| n.name.as_str()));
    let pools = Target::new("gpu-pool", &["gpu-pool"], s.pools.iter().map(|n| n.name.as_str()));
    let secrets = Target::new("secret", &["secret"], s.secrets.iter().map(|n| n.name.as_str()));
    let hosts = Target::new("host", &["host"], s.hosts.iter().map(|n| n.name.as_str()));
    let users = Target::new("user", &["user"], s.users.iter().map(|n| n.name.as_str()));
    let backend_names =
        s.storage.nfs.iter().map(|n| n.name.as_str()).chain(s.storage.ceph.iter().map(|n| n.name.as_str()));
    let backends = Target::new("storage backend", &["nfs", "ceph"], backend_names);

    if let Some(k) = s.settings.as_ref().and_then(|s| s.kubernetes.as_ref()) {
        resolve(cx, &networks, k.node_network.as_deref(), || "/site/kubernetes/node-network".to_string());
        resolve(cx, &secrets, k.join_credentials.as_deref(), || "/site/kubernetes/join-credentials".to_string());
    }
    if let Some(g) = s.settings.as_ref().and_then(|s| s.gitops.as_ref()) {
        resolve(cx, &secrets, g.credentials.as_deref(), || "/site/gitops/credentials".to_string());
    }
    for h in &s.hosts {
        resolve(cx, &images, h.image.as_deref(), || h.at.at("image"));
        resolve(cx, &pools, h.gpu_pool.as_deref(), || h.at.at("gpu-pool"));
        resolve(cx, &secrets, h.bmc.as_ref().map(|b| b.credentials.as_str()), || h.at.at("bmc/credentials"));
        for (i, iface) in h.interface.iter().enumerate() {
            resolve(cx, &networks, iface.network.as_deref(), || h.at.at(&format!("interface/{i}/network")));
        }
        for (i, bond) in h.bond.iter().enumerate() {
            resolve(cx, &networks, bond.network.as_deref(), || h.at.at(&format!("bond/{i}/network")));
        }
    }
    for ceph in &s.storage.ceph {
        for host in ceph.hosts() {
            resolve(cx, &hosts, Some(host), || ceph.at.at("hosts"));
        }
    }
    for class in &s.storage.class {
        resolve(cx, &backends, Some(&class.backend), || class.at.at("backend"));
    }
    for team in &s.teams {
        for (i, u) in team.admin.iter().enumerate() {
            resolve(cx, &users, Some(u), || team.at.at(&format!("admin/{i}")));
        }
        for (i, u) in team.member.iter().enumerate() {
            resolve(cx, &users, Some(u), || team.at.at(&format!("member/{i}")));
        }
        resolve(cx, &pools, team.quota.as_ref().and_then(|q| q.pool.as_deref()), || team.at.at("quota/pool"));
    }
    for pack in &s.packs {
        if pack.source.is_none() && crate::packs::builtin(&pack.name).is_none() {
            let mut d = Diagnostic::new(&UNKNOWN_PACK, format!("`{}` is not a built-in pack", pack.name))
                .label_opt(cx.span(&pack.at.at("name")), "no such built-in pack");
            if let Some(close) = did_you_mean(&pack.name, crate::packs::builtin_names()) {
                d = d.help(format!("did you mean `{close}`? Or give source=\"packs/{}\" for a pack folder", pack.name));
            }
            cx.push(d);
        }
        for (i, set) in pack.set.iter().enumerate() {
            let ptr = pack.at.at(&format!("set/{i}"));
            if set.value.is_some() == set.from.is_some() {
                let what = if set.value.is_some() { "both value= and from=" } else { "neither value= nor from=" };
                cx.push(
                    Diagnostic::new(&SET_VALUE, format!("`set \"{}\"` has {what}", set.path))
                        .label_opt(cx.span(&ptr), "here"),
                );
            }
            resolve(cx, &secrets, set.from.as_deref(), || format!("{ptr}/from"));
        }
    }
}

/// `ptr` is formatted only for a diagnostic.
fn resolve(cx: &mut Ctx, target: &Target, name: Option<&str>, ptr: impl FnOnce() -> String) {
    let Some(name) = name else { return };
    // An object dropped for its own errors, possibly without a usable name,
    // may be the one meant: its error is already reported.
    let dropped = |k: &&str| cx.site.is_skipped(k, name) || cx.site.is_skipped(k, "");
    if target.names.contains(name) || target.skipped_as.iter().any(dropped) {
        return;
    }
    let mut d = Diagnostic::new(&UNKNOWN_REFERENCE, format!("no {} is named `{name}`", target.kind))
        .label_opt(cx.span(&ptr()), format!("unknown {}", target.kind));
    let mut candidates: Vec<&str> = target.names.iter().copied().collect();
    candidates.sort_unstable();
    d = match did_you_mean(name, candidates.iter().copied()) {
        Some(close) => d.help(format!("did you mean `{close}`?")),
        None if candidates.is_empty() => d.help(format!("declare it: {}", declaration(target.kind, name))),
        None => d.help(format!("declared {}s: {}", target.kind, abbreviate(&candidates))),
    };
    cx.push(d);
}

fn abbreviate(names: &[&str]) -> String {
    let shown: Vec<&str> = names.iter().take(8).copied().collect();
    let more = names.len().saturating_sub(8);
    if more > 0 { format!("{}, … ({more} more)", shown.join(", ")) } else { shown.join(", ") }
}

/// How to declare an object of a kind, for the help of an unknown reference.
fn declaration(kind: &str, name: &str) -> String {
    match kind {
        "secret" => format!("`secret \"{name}\" store=\"…\" path=\"…\"`"),
        "storage backend" => format!("`storage {{ nfs \"{name}\" server=\"…\" path=\"…\" }}`"),
        "user" => format!("`user \"{name}\" {{ email \"…\" }}`"),
        _ => format!("`{kind} \"{name}\" {{ … }}`"),
    }
}

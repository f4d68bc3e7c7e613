//! Names are unique per kind; FQDNs fit DNS.

use std::collections::HashMap;

use super::Ctx;
use super::errors::{DUPLICATE_NAME, FQDN_TOO_LONG};
use crate::diag::Diagnostic;
use crate::model::Ptr;

pub fn check(cx: &mut Ctx) {
    let s = cx.site;
    unique(cx, "network", s.networks.iter().map(|n| (n.name.as_str(), &n.at)));
    unique(cx, "image", s.images.iter().map(|n| (n.name.as_str(), &n.at)));
    unique(cx, "host", s.hosts.iter().map(|n| (n.name.as_str(), &n.at)));
    unique(cx, "gpu-pool", s.pools.iter().map(|n| (n.name.as_str(), &n.at)));
    // A class names its backend without saying which kind it is: one namespace for both.
    let backends = s.storage.nfs.iter().map(|n| (n.name.as_str(), &n.at));
    unique(cx, "storage backend", backends.chain(s.storage.ceph.iter().map(|n| (n.name.as_str(), &n.at))));
    unique(cx, "storage class", s.storage.class.iter().map(|n| (n.name.as_str(), &n.at)));
    unique(cx, "team", s.teams.iter().map(|n| (n.name.as_str(), &n.at)));
    unique(cx, "user", s.users.iter().map(|n| (n.name.as_str(), &n.at)));
    unique(cx, "pack", s.packs.iter().map(|n| (n.name.as_str(), &n.at)));
    unique(cx, "secret", s.secrets.iter().map(|n| (n.name.as_str(), &n.at)));
    fqdn_length(cx);
}

fn unique<'a>(cx: &mut Ctx, kind: &str, items: impl Iterator<Item = (&'a str, &'a Ptr)>) {
    let mut seen: HashMap<&str, &Ptr> = HashMap::new();
    for (name, at) in items {
        match seen.get(name) {
            Some(first) => {
                let d = Diagnostic::new(&DUPLICATE_NAME, format!("two {kind}s are named `{name}`"))
                    .label_opt(cx.span(&at.at("name")), "named again here")
                    .label_opt(cx.span(&first.at("name")), "first named here");
                cx.push(d);
            }
            None => {
                seen.insert(name, at);
            }
        }
    }
}

fn fqdn_length(cx: &mut Ctx) {
    let Some(settings) = &cx.site.settings else { return };
    // `Site::fqdn`'s length, without building every host's FQDN.
    let suffix = settings.nodes_domain.as_ref().map_or(0, |n| n.len() + 1) + 1 + settings.domain.len();
    for host in &cx.site.hosts {
        if host.name.len() + suffix <= 253 {
            continue;
        }
        let Some(fqdn) = cx.site.fqdn(host) else {
            continue;
        };
        if fqdn.len() > 253 {
            let d =
                Diagnostic::new(&FQDN_TOO_LONG, format!("the FQDN of `{}` has {} characters", host.name, fqdn.len()))
                    .label_opt(cx.span(&host.at.at("name")), format!("{fqdn:.40}… is over 253 characters"));
            cx.push(d);
        }
    }
}

//! Packs: the built-in catalog, pinned (`catalog.rs`), and the order a GitOps
//! engine installs a site's packs in (`graph.rs`). See docs/packs.md and
//! docs/gitops.md.

pub mod catalog;
pub mod compat;
pub mod errors;
pub mod folder;
pub mod graph;
pub mod secrets;
pub mod tools;

pub use catalog::{BUILTIN, BuiltinPack, Chart, builtin, builtin_names};

use crate::model::Site;

/// The namespace a pack installs into: the site's `namespace`, else the
/// built-in pack's, else the pack's name.
pub fn namespace(pack: &crate::model::Pack) -> &str {
    match (&pack.namespace, builtin(&pack.name), &pack.folder) {
        (Some(ns), _, _) => ns,
        (None, _, Some(f)) if f.namespace.is_some() => f.namespace.as_deref().unwrap_or(&pack.name),
        (None, Some(b), _) if pack.source.is_none() => b.namespace,
        _ => &pack.name,
    }
}

/// The namespace a declared pack installs into ([`namespace`]); `None` when
/// the site does not declare it.
pub fn declared_namespace<'a>(site: &'a Site, pack: &str) -> Option<&'a str> {
    site.packs.iter().find(|p| p.name == pack).map(namespace)
}

/// The namespace a built-in pack installs into on this site: the declared
/// pack's ([`namespace`]), else the catalog's.
pub fn builtin_namespace<'a>(site: &'a Site, pack: &'static str) -> &'a str {
    declared_namespace(site, pack).unwrap_or_else(|| builtin(pack).map_or(pack, |b| b.namespace))
}

/// The graph nodes of what the site installs: the site's CNI (always a
/// pack, whether declared or not), every declared pack, and `cluster` for
/// the objects in cluster/.
pub fn nodes(site: &Site) -> Vec<graph::Node> {
    let strings = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let from_builtin = |b: &BuiltinPack| graph::Node {
        name: b.name.to_string(),
        depends_on: strings(b.depends_on),
        provides_crds: strings(b.provides_crds),
        uses_crds: strings(b.uses_crds),
    };
    let mut out = Vec::new();
    if let Some(b) =
        site.settings.as_ref().and_then(|s| s.kubernetes.as_ref()).and_then(|k| builtin(catalog::cni(k.cni)))
    {
        out.push(from_builtin(b));
    }
    for p in &site.packs {
        if out.iter().any(|n| n.name == p.name) {
            continue;
        }
        match (&p.source, builtin(&p.name)) {
            (None, Some(b)) => out.push(from_builtin(b)),
            _ => out.push(graph::Node {
                name: p.name.clone(),
                depends_on: p.folder.as_ref().map(|f| f.depends_on.clone()).unwrap_or_default(),
                provides_crds: p.folder.as_ref().map(|f| f.provides_crds.clone()).unwrap_or_default(),
                uses_crds: p.folder.as_ref().map(|f| f.uses_crds.clone()).unwrap_or_default(),
            }),
        }
    }
    out.push(graph::Node {
        name: CLUSTER.to_string(),
        uses_crds: strings(catalog::CLUSTER_USES_CRDS),
        ..graph::Node::default()
    });
    out
}

/// Names bosun gives its own GitOps objects start with this.
pub const RESERVED_PREFIX: &str = "bosun-";

/// Graph node name of the cluster/ objects.
pub const CLUSTER: &str = "bosun-cluster";

/// Reports pack names bosun keeps for its own objects, and a dependency
/// cycle among the site's packs (at the first pack of it).
pub fn check(site: &Site, diags: &mut crate::diag::Diagnostics) {
    for p in site.packs.iter().filter(|p| p.name.starts_with(RESERVED_PREFIX)) {
        diags.push(
            crate::diag::Diagnostic::new(&errors::RESERVED_NAME, format!("pack name `{}` is reserved", p.name))
                .label_opt(site.index.value(&p.at.at("name")), "bosun names its own Applications `bosun-…`"),
        );
    }
    // The rook-ceph-cluster chart always makes one CephCluster: the site's
    // one ceph backend (render/cluster/storage.rs).
    if let Some(p) = site.packs.iter().find(|p| p.name == catalog::ROOK_CEPH_CLUSTER && p.source.is_none()) {
        let n = site.storage.ceph.len();
        if n != 1 {
            let backends = site.storage.ceph.iter().map(|c| format!("`{}`", c.name)).collect::<Vec<_>>().join(", ");
            let has = if n == 0 { "no ceph backend".to_string() } else { format!("{n} ceph backends ({backends})") };
            diags.push(
                crate::diag::Diagnostic::new(
                    &errors::CEPH_CLUSTER,
                    format!("pack `rook-ceph-cluster` makes one CephCluster, and the site has {has}"),
                )
                .label_opt(site.index.value(&p.at.at("name")), "this chart makes exactly one CephCluster"),
            );
        }
    }
    // A built-in pack's `set … from=` that bosun cannot point the chart at.
    for p in site.packs.iter().filter(|p| p.source.is_none()) {
        let refs = secrets::refs(site, p);
        for r in secrets::wire(&p.name, &refs).1 {
            let i = p.set.iter().position(|s| s.path == r.path && s.from.as_deref() == Some(&r.name));
            let span = i
                .and_then(|i| site.index.get(&p.at.at(&format!("set/{i}"))))
                .map(|l| l.key.map_or(l.value, |k| k.to(l.value)));
            diags.push(
                crate::diag::Diagnostic::new(
                    &errors::SECRET_UNWIRED,
                    format!("bosun does not know where chart `{}` reads `{}` from a Secret", p.name, r.path),
                )
                .label_opt(span, format!("the Secret `{}` is made, but the values do not name it", r.name))
                .help(format!(
                    "set the chart's existing-secret setting to `{}` (key `{}`) with `set … value=`, or see docs/packs.md for the paths bosun wires",
                    r.name, r.key
                )),
            );
        }
    }
    if let Err(cycle) = graph::waves(&nodes(site)) {
        let first = cycle.first().and_then(|n| site.packs.iter().find(|p| &p.name == n));
        let span = first.and_then(|p| site.index.value(&p.at.at("name")));
        diags.push(
            crate::diag::Diagnostic::new(&errors::CYCLE, format!("packs wait for each other: {}", cycle.join(" → ")))
                .label_opt(span, "this pack is part of the cycle"),
        );
    }
}

//! Packs: the built-in catalog, pinned (`catalog.rs`), and the order a GitOps
//! engine installs a site's packs in (`graph.rs`). See docs/packs.md and
//! docs/gitops.md.

pub mod catalog;
pub mod graph;

pub use catalog::{BUILTIN, BuiltinPack, Chart, builtin, builtin_names};

use crate::model::Site;

/// The namespace a pack installs into: the site's `namespace`, else the
/// built-in pack's, else the pack's name.
pub fn namespace<'a>(pack: &'a crate::model::Pack) -> &'a str {
    match (&pack.namespace, builtin(&pack.name)) {
        (Some(ns), _) => ns,
        (None, Some(b)) if pack.source.is_none() => b.namespace,
        _ => &pack.name,
    }
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
    if let Some(cni) = site.settings.as_ref().map(|s| s.kubernetes.cni.pack()) {
        if let Some(b) = builtin(cni) {
            out.push(from_builtin(b));
        }
    }
    for p in &site.packs {
        if out.iter().any(|n| n.name == p.name) {
            continue;
        }
        match (&p.source, builtin(&p.name)) {
            (None, Some(b)) => out.push(from_builtin(b)),
            _ => out.push(graph::Node { name: p.name.clone(), ..graph::Node::default() }),
        }
    }
    out.push(graph::Node {
        name: CLUSTER.to_string(),
        uses_crds: strings(catalog::CLUSTER_USES_CRDS),
        ..graph::Node::default()
    });
    out
}

/// Graph node name of the cluster/ objects.
pub const CLUSTER: &str = "cluster";

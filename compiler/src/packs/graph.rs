//! The install order of a site's packs: an edge from every pack to the packs
//! that depend on it, and from every pack providing a CRD group to every pack
//! using that group. A pack's wave is one more than the highest wave of the
//! packs it waits for, so a CRD's users always sync strictly later than its
//! provider. See docs/gitops.md.

use std::collections::BTreeMap;

/// One thing to install: a pack, or the cluster/ objects.
#[derive(Debug, Clone, Default)]
pub struct Node {
    pub name: String,
    pub depends_on: Vec<String>,
    pub provides_crds: Vec<String>,
    pub uses_crds: Vec<String>,
}

/// The packs each node waits for: its declared dependencies that are present,
/// and the present providers of every CRD group it uses (itself excepted).
pub fn predecessors(nodes: &[Node]) -> BTreeMap<&str, Vec<&str>> {
    let mut preds: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for n in nodes {
        let mut p: Vec<&str> = Vec::new();
        for d in &n.depends_on {
            if let Some(m) = nodes.iter().find(|m| &m.name == d) {
                p.push(&m.name);
            }
        }
        for g in &n.uses_crds {
            for m in nodes.iter().filter(|m| m.name != n.name && m.provides_crds.contains(g)) {
                p.push(&m.name);
            }
        }
        p.sort_unstable();
        p.dedup();
        preds.insert(&n.name, p);
    }
    preds
}

/// Wave of every node (0 first), or the first dependency cycle found, as the
/// names along it with the first repeated at the end (`a → b → a`).
pub fn waves(nodes: &[Node]) -> Result<BTreeMap<String, u32>, Vec<String>> {
    let preds = predecessors(nodes);
    let mut done: BTreeMap<&str, u32> = BTreeMap::new();
    for start in preds.keys() {
        let mut path: Vec<&str> = Vec::new();
        visit(start, &preds, &mut done, &mut path)?;
    }
    Ok(done.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

fn visit<'a>(
    n: &'a str,
    preds: &BTreeMap<&'a str, Vec<&'a str>>,
    done: &mut BTreeMap<&'a str, u32>,
    path: &mut Vec<&'a str>,
) -> Result<u32, Vec<String>> {
    if let Some(w) = done.get(n) {
        return Ok(*w);
    }
    if let Some(i) = path.iter().position(|p| *p == n) {
        // Each name on path[i..] waits for the next, and the last for n.
        let mut cycle: Vec<String> = path[i..].iter().map(|s| s.to_string()).collect();
        cycle.push(n.to_string());
        return Err(cycle);
    }
    path.push(n);
    let mut wave = 0;
    for p in preds.get(n).map(Vec::as_slice).unwrap_or_default() {
        wave = wave.max(visit(p, preds, done, path)? + 1);
    }
    path.pop();
    done.insert(n, wave);
    Ok(wave)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(name: &str, deps: &[&str], provides: &[&str], uses: &[&str]) -> Node {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect();
        Node { name: name.into(), depends_on: v(deps), provides_crds: v(provides), uses_crds: v(uses) }
    }

    #[test]
    fn providers_before_users() {
        let nodes = vec![
            node("rook-ceph-cluster", &["rook-ceph"], &[], &["ceph.rook.io"]),
            node("rook-ceph", &[], &["ceph.rook.io"], &[]),
            node("cluster", &[], &[], &["ceph.rook.io", "kueue.x-k8s.io"]),
            node("kueue", &[], &["kueue.x-k8s.io"], &[]),
            node("absent-dep", &["nothing"], &[], &["nothing.io"]),
        ];
        let w = waves(&nodes).unwrap();
        assert_eq!(w["rook-ceph"], 0);
        assert_eq!(w["kueue"], 0);
        assert_eq!(w["rook-ceph-cluster"], 1);
        assert_eq!(w["cluster"], 1);
        assert_eq!(w["absent-dep"], 0);
    }

    #[test]
    fn a_cycle_is_named() {
        let nodes = vec![
            node("a", &["b"], &[], &[]),
            node("b", &[], &[], &["c.io"]),
            node("c", &[], &["c.io"], &["a.io"]),
            node("d", &[], &["a.io"], &[]),
        ];
        assert!(waves(&nodes).is_ok());
        let cyclic = vec![node("a", &["b"], &[], &[]), node("b", &["c"], &[], &[]), node("c", &["a"], &[], &[])];
        let cycle = waves(&cyclic).unwrap_err();
        assert_eq!(cycle.first(), cycle.last());
        assert_eq!(cycle, ["a", "b", "c", "a"]);
    }
}

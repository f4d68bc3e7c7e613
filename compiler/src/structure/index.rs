//! JSON pointer → source location, kept while the KDL tree is lowered to
//! JSON, so that any later finding about `/host/3/interface/0/mac` can point
//! at the exact text.
//!
//! A large site has hundreds of thousands of values, so the index is a tree
//! of pointer segments rather than a map of pointer strings: lowering adds
//! one small node per value and never formats a pointer unless a diagnostic
//! needs it. It answers exactly as a map from pointer strings would: a node
//! without a location is a pointer the map would not hold.

use super::FastMap;
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loc {
    /// The property name or child node name that introduced the value.
    pub key: Option<Span>,
    /// The value itself (for objects: the head of their node).
    pub value: Span,
}

/// A node of the index: one JSON pointer.
pub type NodeId = u32;

pub const ROOT: NodeId = 0;
const NONE: u32 = u32::MAX;
/// Set on a segment that is an array index; otherwise it names an interned key.
const INDEX: u32 = 1 << 31;

/// One pointer segment, as written in the pointer (escaped): an array index
/// when it reads as one, else an interned key. Both readings of a segment
/// such as `0` are the same pointer text, so they are one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seg(u32);

#[derive(Clone, Debug)]
struct Node {
    parent: u32,
    seg: Seg,
    first_child: u32,
    next_sibling: u32,
    children: u32,
    loc: Option<Loc>,
}

/// Up to this many children are found by walking the sibling list, which is
/// in cache while lowering; a node with more (the hosts of a site) keeps its
/// children in the shared map.
const FEW: u32 = 12;

#[derive(Debug, Clone)]
pub struct SpanIndex {
    nodes: Vec<Node>,
    /// (parent, segment) → child, for parents with more than [`FEW`] children.
    children: FastMap<u64, u32>,
    keys: Vec<Box<str>>,
    key_ids: FastMap<Box<str>, u32>,
}

impl Default for SpanIndex {
    fn default() -> Self {
        let root = Node { parent: NONE, seg: Seg(NONE), first_child: NONE, next_sibling: NONE, children: 0, loc: None };
        SpanIndex { nodes: vec![root], children: FastMap::default(), keys: Vec::new(), key_ids: FastMap::default() }
    }
}

impl SpanIndex {
    /// Room for `additional` more pointers.
    pub fn reserve(&mut self, additional: usize) {
        self.nodes.reserve(additional);
    }

    /// The node of `key` (unescaped) under `parent`, made if new.
    pub fn key(&mut self, parent: NodeId, key: &str) -> NodeId {
        let seg = self.intern(&segment(key));
        self.child(parent, seg)
    }

    /// The node of array item `i` under `parent`, made if new.
    pub fn item(&mut self, parent: NodeId, i: usize) -> NodeId {
        let seg = match u32::try_from(i) {
            Ok(n) if n < INDEX => Seg(n | INDEX),
            _ => self.intern(&i.to_string()),
        };
        self.child(parent, seg)
    }

    /// The node of `key` (unescaped) under `parent`, if there is one.
    pub fn find_key(&self, parent: NodeId, key: &str) -> Option<NodeId> {
        self.find(parent, self.lookup(&segment(key))?)
    }

    /// Gives `node` its location; the first location given is kept.
    pub fn locate(&mut self, node: NodeId, loc: Loc) {
        self.nodes[node as usize].loc.get_or_insert(loc);
    }

    pub fn loc(&self, node: NodeId) -> Option<Loc> {
        self.nodes[node as usize].loc
    }

    /// The pointer of `node`, escaped.
    pub fn pointer(&self, node: NodeId) -> String {
        let mut segs = Vec::new();
        let mut n = node;
        while n != ROOT {
            segs.push(self.nodes[n as usize].seg);
            n = self.nodes[n as usize].parent;
        }
        segs.into_iter().rev().map(|seg| format!("/{}", self.text(seg))).collect()
    }

    /// The first location given for a pointer is kept.
    pub fn insert(&mut self, pointer: &str, loc: Loc) {
        if let Some(node) = self.make(pointer) {
            self.locate(node, loc);
        }
    }

    pub fn get(&self, pointer: &str) -> Option<Loc> {
        self.node(pointer).and_then(|n| self.loc(n))
    }

    /// The location of the value, or of its closest known ancestor.
    pub fn nearest(&self, pointer: &str) -> Option<Loc> {
        let mut found = self.loc(ROOT);
        if pointer.is_empty() {
            return found;
        }
        let mut node = ROOT;
        for s in pointer.strip_prefix('/')?.split('/') {
            let Some(next) = self.lookup(s).and_then(|seg| self.find(node, seg)) else { break };
            node = next;
            found = self.loc(node).or(found);
        }
        found
    }

    pub fn value(&self, pointer: &str) -> Option<Span> {
        self.get(pointer).map(|l| l.value)
    }

    /// Every entry at or below `prefix`, with the part after the prefix, in
    /// pointer order.
    pub fn subtree(&self, prefix: &str) -> Vec<(String, Loc)> {
        let Some(top) = self.node(prefix) else { return Vec::new() };
        let mut out = Vec::new();
        let mut stack = vec![(top, String::new())];
        while let Some((n, rest)) = stack.pop() {
            let mut c = self.nodes[n as usize].first_child;
            while c != NONE {
                stack.push((c, format!("{rest}/{}", self.text(self.nodes[c as usize].seg))));
                c = self.nodes[c as usize].next_sibling;
            }
            if let Some(loc) = self.loc(n) {
                out.push((rest, loc));
            }
        }
        out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Copies the subtree at `from` to `to` (used when host-defaults settings
    /// are merged into a host: the merged value still points at its source).
    /// Locations already at `to` are overwritten.
    pub fn copy(&mut self, from: &str, to: &str) {
        let Some(top) = self.node(from) else { return };
        // Read all of it first: `to` may lie inside `from`.
        let mut plan: Vec<(usize, Seg, Option<Loc>)> = vec![(0, Seg(NONE), self.loc(top))];
        let mut sources = vec![top];
        let mut i = 0;
        while i < sources.len() {
            let mut c = self.nodes[sources[i] as usize].first_child;
            while c != NONE {
                plan.push((i, self.nodes[c as usize].seg, self.loc(c)));
                sources.push(c);
                c = self.nodes[c as usize].next_sibling;
            }
            i += 1;
        }
        if plan.iter().all(|p| p.2.is_none()) {
            return;
        }
        let Some(target) = self.make(to) else { return };
        let mut made = Vec::with_capacity(plan.len());
        for (parent, seg, loc) in plan {
            let node = if made.is_empty() { target } else { self.child(made[parent], seg) };
            if loc.is_some() {
                self.nodes[node as usize].loc = loc;
            }
            made.push(node);
        }
    }

    pub fn remove_subtree(&mut self, prefix: &str) {
        let Some(top) = self.node(prefix) else { return };
        let mut stack = vec![top];
        while let Some(n) = stack.pop() {
            let node = &mut self.nodes[n as usize];
            node.loc = None;
            let mut c = node.first_child;
            while c != NONE {
                stack.push(c);
                c = self.nodes[c as usize].next_sibling;
            }
        }
    }

    fn child(&mut self, parent: NodeId, seg: Seg) -> NodeId {
        if let Some(id) = self.find(parent, seg) {
            return id;
        }
        let id = self.nodes.len() as u32;
        let p = &mut self.nodes[parent as usize];
        let first = std::mem::replace(&mut p.first_child, id);
        p.children += 1;
        let many = p.children;
        self.nodes.push(Node { parent, seg, first_child: NONE, next_sibling: first, children: 0, loc: None });
        if many > FEW {
            self.children.insert(edge(parent, seg), id);
        }
        if many == FEW + 1 {
            let mut c = first;
            while c != NONE {
                self.children.insert(edge(parent, self.nodes[c as usize].seg), c);
                c = self.nodes[c as usize].next_sibling;
            }
        }
        id
    }

    fn find(&self, parent: NodeId, seg: Seg) -> Option<NodeId> {
        let p = &self.nodes[parent as usize];
        if p.children > FEW {
            return self.children.get(&edge(parent, seg)).copied();
        }
        let mut c = p.first_child;
        while c != NONE {
            let node = &self.nodes[c as usize];
            if node.seg == seg {
                return Some(c);
            }
            c = node.next_sibling;
        }
        None
    }

    /// The node of a pointer, if the index has it.
    fn node(&self, pointer: &str) -> Option<NodeId> {
        if pointer.is_empty() {
            return Some(ROOT);
        }
        let mut node = ROOT;
        for s in pointer.strip_prefix('/')?.split('/') {
            node = self.find(node, self.lookup(s)?)?;
        }
        Some(node)
    }

    /// The node of a pointer, made with its ancestors if new.
    fn make(&mut self, pointer: &str) -> Option<NodeId> {
        if pointer.is_empty() {
            return Some(ROOT);
        }
        let mut node = ROOT;
        for s in pointer.strip_prefix('/')?.split('/') {
            let seg = self.intern(s);
            node = self.child(node, seg);
        }
        Some(node)
    }

    /// The segment for escaped pointer text `s`, interned if new.
    fn intern(&mut self, s: &str) -> Seg {
        if let Some(seg) = self.lookup(s) {
            return seg;
        }
        let id = self.keys.len() as u32;
        self.keys.push(s.into());
        self.key_ids.insert(s.into(), id);
        Seg(id)
    }

    /// The segment for escaped pointer text `s`, if it can be in the index.
    fn lookup(&self, s: &str) -> Option<Seg> {
        match as_index(s) {
            Some(n) => Some(Seg(n | INDEX)),
            None => self.key_ids.get(s).map(|&id| Seg(id)),
        }
    }

    fn text(&self, seg: Seg) -> String {
        match seg.0 {
            s if s & INDEX != 0 => (s & !INDEX).to_string(),
            s => self.keys[s as usize].to_string(),
        }
    }
}

/// `s` as an array index, if it is one written the only way an index is.
fn as_index(s: &str) -> Option<u32> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 10 || !b.iter().all(u8::is_ascii_digit) || (b[0] == b'0' && b.len() > 1) {
        return None;
    }
    s.parse::<u32>().ok().filter(|&n| n < INDEX)
}

fn edge(parent: NodeId, seg: Seg) -> u64 {
    (u64::from(parent) << 32) | u64::from(seg.0)
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn segment(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['~', '/']) { s.replace('~', "~0").replace('/', "~1").into() } else { s.into() }
}

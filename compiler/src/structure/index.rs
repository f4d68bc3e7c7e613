//! JSON pointer → source location, kept while the KDL tree is lowered to
//! JSON, so that any later finding about `/host/3/interface/0/mac` can point
//! at the exact text.

use std::collections::{BTreeMap, HashMap};

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Loc {
    /// The property name or child node name that introduced the value.
    pub key: Option<Span>,
    /// The value itself (for objects: the head of their node).
    pub value: Span,
}

#[derive(Debug, Default, Clone)]
pub struct SpanIndex {
    map: BTreeMap<String, Loc>,
}

/// Collects the index while the tree is lowered. A large site has hundreds
/// of thousands of pointers: hashing them as they come and sorting once is
/// several times faster than inserting each into the ordered map.
#[derive(Debug, Default)]
pub struct Builder {
    map: HashMap<String, Loc>,
}

impl Builder {
    pub fn reserve(&mut self, additional: usize) {
        self.map.reserve(additional);
    }

    /// The first location given for a pointer is kept.
    pub fn insert(&mut self, pointer: String, loc: Loc) {
        self.map.entry(pointer).or_insert(loc);
    }

    pub fn get(&self, pointer: &str) -> Option<Loc> {
        self.map.get(pointer).copied()
    }

    pub fn finish(self) -> SpanIndex {
        let mut entries: Vec<(String, Loc)> = self.map.into_iter().collect();
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        SpanIndex { map: entries.into_iter().collect() }
    }
}

impl SpanIndex {
    pub fn insert(&mut self, pointer: String, loc: Loc) {
        self.map.entry(pointer).or_insert(loc);
    }

    pub fn get(&self, pointer: &str) -> Option<Loc> {
        self.map.get(pointer).copied()
    }

    /// The location of the value, or of its closest known ancestor.
    pub fn nearest(&self, pointer: &str) -> Option<Loc> {
        let mut p = pointer;
        loop {
            if let Some(loc) = self.map.get(p) {
                return Some(*loc);
            }
            p = &p[..p.rfind('/')?];
        }
    }

    pub fn value(&self, pointer: &str) -> Option<Span> {
        self.get(pointer).map(|l| l.value)
    }

    /// Every entry at or below `prefix`, with the part after the prefix.
    pub fn subtree(&self, prefix: &str) -> Vec<(String, Loc)> {
        self.map
            .range(prefix.to_string()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .filter(|(k, _)| k.len() == prefix.len() || k.as_bytes()[prefix.len()] == b'/')
            .map(|(k, v)| (k[prefix.len()..].to_string(), *v))
            .collect()
    }

    /// Copies the subtree at `from` to `to` (used when host-defaults settings
    /// are merged into a host: the merged value still points at its source).
    pub fn copy(&mut self, from: &str, to: &str) {
        for (rest, loc) in self.subtree(from) {
            self.map.insert(format!("{to}{rest}"), loc);
        }
    }

    pub fn remove_subtree(&mut self, prefix: &str) {
        for (rest, _) in self.subtree(prefix) {
            self.map.remove(&format!("{prefix}{rest}"));
        }
    }
}

/// Escapes one JSON pointer segment (RFC 6901).
pub fn segment(s: &str) -> std::borrow::Cow<'_, str> {
    if s.contains(['~', '/']) { s.replace('~', "~0").replace('/', "~1").into() } else { s.into() }
}

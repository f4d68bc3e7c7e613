//! Review: what changes between two compiled trees, told for people who
//! review a pull request (`bosun diff OLD NEW`, `bosun compile --check`).
//!
//! A tree is path → bytes (`tree.rs`). YAML and JSON files are compared as
//! documents and fields (`resources.rs`), so reordered keys or documents are
//! not a change; other files as unified diffs (`text.rs`). `summary.rs`
//! derives what a reviewer asks first: which hosts, resources and files
//! change, and the blast radius (hosts reprovisioned, GitOps objects that
//! sync, namespaces whose quota or access changes). `render/` prints the
//! result for a terminal, a pull-request comment or a bot.

pub mod render;
pub mod resources;
pub mod summary;
pub mod text;
pub mod tree;

use std::collections::BTreeSet;

pub use resources::{DocChange, DocKey, FieldChange};
pub use summary::Summary;
pub use tree::{Files, Folder, Foreign, ReviewError, read_dir, read_folder, read_for_check, unchanged};

/// How a file or document differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    Added,
    Modified,
    Removed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Added => "added",
            Status::Modified => "modified",
            Status::Removed => "removed",
        }
    }
}

/// How a changed file's difference is shown.
#[derive(Clone, Debug, PartialEq)]
pub enum Body {
    /// A YAML or JSON file: its changed documents.
    Documents(Vec<DocChange>),
    /// Any other text (or YAML that does not parse): unified diff hunks.
    Text(String),
    /// Content that is not text: sizes only.
    Binary { old: usize, new: usize },
    /// MANIFEST only lists the other files' hashes and the site digest:
    /// how many of its lines changed is all a reviewer needs.
    Manifest { lines: usize },
}

#[derive(Clone, Debug, PartialEq)]
pub struct FileDiff {
    pub path: String,
    pub status: Status,
    pub body: Body,
}

/// Everything that differs between two trees.
#[derive(Clone, Debug, PartialEq)]
pub struct Review {
    /// Files whose content differs, in path order.
    pub files: Vec<FileDiff>,
    /// Files whose bytes differ but whose content does not: YAML with keys
    /// or documents reordered, text with other line ends.
    pub layout_only: Vec<String>,
    /// What the folders hold that bosun never writes (links, `.bosun-*`
    /// scratch entries): not compared, not followed, and a change in itself.
    pub foreign: Vec<Foreign>,
    pub summary: Summary,
}

impl Review {
    /// True when some file's content differs, or something foreign is there.
    pub fn has_changes(&self) -> bool {
        !self.files.is_empty() || !self.foreign.is_empty()
    }
}

/// Compares the tree `old` (the committed one) with `new`.
pub fn review(old: &Files, new: &Files) -> Review {
    let paths: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut files = Vec::new();
    let mut layout_only = Vec::new();
    for path in paths {
        let (a, b) = (old.get(path).map(Vec::as_slice), new.get(path).map(Vec::as_slice));
        if a == b {
            continue;
        }
        let status = match (a, b) {
            (None, _) => Status::Added,
            (_, None) => Status::Removed,
            _ => Status::Modified,
        };
        match body(path, a, b) {
            Some(body) => files.push(FileDiff { path: path.clone(), status, body }),
            None => layout_only.push(path.clone()),
        }
    }
    // The two files that change with every other one come last, so a cut
    // pull-request comment drops them first.
    files.sort_by_key(|f| (bookkeeping(&f.path), f.path.clone()));
    let summary = summary::summarize(old, new, &files, layout_only.len());
    Review { files, layout_only, foreign: Vec::new(), summary }
}

/// MANIFEST (hashes) and README.md (the site's overview, with its digest).
fn bookkeeping(path: &str) -> bool {
    path == crate::write::manifest::NAME || path == "README.md"
}

/// `None` when the two versions mean the same.
fn body(path: &str, old: Option<&[u8]>, new: Option<&[u8]>) -> Option<Body> {
    if path == crate::write::manifest::NAME {
        let diff = text::unified(text::utf8(old).unwrap_or(""), text::utf8(new).unwrap_or(""));
        let lines = diff.lines().filter(|l| l.starts_with('+') || l.starts_with('-')).count();
        return Some(Body::Manifest { lines });
    }
    if resources::is_structured(path)
        && let Some(docs) = resources::compare(old, new)
    {
        // A file that is present on one side only is a change even when empty.
        let one_sided = old.is_none() || new.is_none();
        return (!docs.is_empty() || one_sided).then_some(Body::Documents(docs));
    }
    match (text::utf8(old), text::utf8(new)) {
        (Some(a), Some(b)) => {
            let diff = text::unified(a, b);
            (!diff.is_empty() || old.is_none() || new.is_none()).then_some(Body::Text(diff))
        }
        _ => Some(Body::Binary { old: old.map_or(0, <[u8]>::len), new: new.map_or(0, <[u8]>::len) }),
    }
}

#[cfg(test)]
mod tests;

//! Stage 1: read `site.kdl` and everything it includes into one list of
//! top-level [`Node`]s, each value carrying its source span.
//!
//! Includes are spliced where they stand. Their paths are relative to the
//! including file, globs expand in sorted order, and every file must live
//! inside the folder of the top-level file: a site is one folder that can be
//! reviewed and committed as a whole.

pub mod depth;
pub mod errors;
mod expand;
mod fast;
mod tree;

use std::path::{Path, PathBuf};

pub use tree::{Entry, Node, Scalar};

use crate::diag::{Diagnostic, Diagnostics};
use crate::source::{FileId, SourceMap, Span};
use errors::*;

/// A parsed site: its files and its top-level nodes in source order.
#[derive(Debug)]
pub struct Parsed {
    pub sources: SourceMap,
    pub nodes: Vec<Node>,
}

/// The top-level file itself could not be read: a usage error, not a site error.
#[derive(Debug)]
pub struct ReadError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot read {}: {}", self.path.display(), self.error)
    }
}

/// Reads and parses the site rooted at `path`. Syntax and include problems
/// are pushed to `diags`; the returned nodes are whatever parsed cleanly.
pub fn parse(path: &Path, diags: &mut Diagnostics) -> Result<Parsed, ReadError> {
    let read_err = |error| ReadError { path: path.to_path_buf(), error };
    // Opening a FIFO or a device would block or never end.
    if !std::fs::metadata(path).map_err(read_err)?.is_file() {
        return Err(read_err(std::io::Error::other("not a regular file")));
    }
    let bytes = std::fs::read(path).map_err(read_err)?;
    let canonical = path.canonicalize().map_err(read_err)?;
    let root_dir = canonical.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut loader = Loader { sources: SourceMap::default(), root_dir, stack: Vec::new(), diags };
    let nodes = loader.add_and_load(display_name(path), canonical, bytes);
    Ok(Parsed { sources: loader.sources, nodes })
}

fn display_name(path: &Path) -> String {
    let s = path.to_string_lossy();
    s.strip_prefix("./").unwrap_or(&s).to_string()
}

struct Loader<'d> {
    sources: SourceMap,
    root_dir: PathBuf,
    /// Files being loaded, outermost first: an include of one of them is a cycle.
    stack: Vec<FileId>,
    diags: &'d mut Diagnostics,
}

impl Loader<'_> {
    /// Registers a file and loads it, unless it is not UTF-8.
    fn add_and_load(&mut self, name: String, path: PathBuf, bytes: Vec<u8>) -> Vec<Node> {
        match String::from_utf8(bytes) {
            Ok(text) => {
                let file = self.sources.add(name, path, text);
                self.load(file)
            }
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
                // Lossy decoding keeps the valid prefix byte for byte, so `at` still points right.
                let file = self.sources.add(name, path, text);
                let d = Diagnostic::new(&ENCODING, format!("invalid UTF-8 at byte {at}"))
                    .label(Span::new(file, at, at + char::REPLACEMENT_CHARACTER.len_utf8()), "here");
                self.diags.push(d);
                Vec::new()
            }
        }
    }

    fn load(&mut self, file: FileId) -> Vec<Node> {
        let text = self.sources.get(file).text.clone();
        if let Some(head) = depth::too_deep(&text) {
            let d = Diagnostic::new(&NESTING, format!("blocks nest more than {} levels deep", depth::MAX_DEPTH))
                .label(Span::new(file, head.start, head.end), "this block is one level too deep");
            self.diags.push(d);
            return Vec::new();
        }
        let nodes = match fast::parse(&text, file) {
            Some(nodes) => nodes,
            None => self.parse_with_kdl(file, &text),
        };
        self.stack.push(file);
        let mut out = Vec::new();
        for node in nodes {
            if node.name == "include" {
                out.extend(self.include(file, &node));
            } else {
                out.push(node);
            }
        }
        self.stack.pop();
        out
    }

    /// The kdl crate's parse: the reference for every form the fast parser
    /// declines, and the source of syntax error messages.
    fn parse_with_kdl(&mut self, file: FileId, text: &str) -> Vec<Node> {
        let doc = match kdl::KdlDocument::parse_v2(text) {
            Ok(doc) => doc,
            Err(err) => {
                for d in err.diagnostics {
                    let at = Span::new(file, d.span.offset(), d.span.offset() + d.span.len());
                    let message = d.message.unwrap_or_else(|| "invalid KDL".to_string());
                    let mut diag =
                        Diagnostic::new(&SYNTAX, message).label(at, d.label.unwrap_or_else(|| "here".into()));
                    if let Some(help) = d.help {
                        diag = diag.help(help);
                    }
                    self.diags.push(diag);
                }
                return Vec::new();
            }
        };
        tree::convert(&doc, file, text, self.diags)
    }

    fn include(&mut self, from: FileId, node: &Node) -> Vec<Node> {
        let pattern = match (node.entries.as_slice(), &node.children) {
            ([Entry { key: None, value: Scalar::String(p), .. }], None) => p.clone(),
            _ => {
                self.diags.push(Diagnostic::new(&INCLUDE_FORM, "malformed include").label(node.head, "here"));
                return Vec::new();
            }
        };
        let at = node.entries[0].value_span;
        let mut out = Vec::new();
        for path in self.expand(from, &pattern, at) {
            out.extend(self.include_file(&path, at));
        }
        out
    }

    /// The files a pattern names, sorted, relative to the including file.
    fn expand(&mut self, from: FileId, pattern: &str, at: Span) -> Vec<PathBuf> {
        if expand::is_glob(pattern) && self.reaches_outside(from, pattern) {
            let d =
                Diagnostic::new(&INCLUDE_OUTSIDE_ROOT, format!("`{pattern}` reaches outside the site's root folder"))
                    .label(at, "included here");
            self.diags.push(d);
            return Vec::new();
        }
        let from_name = PathBuf::from(&self.sources.get(from).name);
        let dir = from_name.parent().unwrap_or(Path::new(""));
        if !expand::is_glob(pattern) {
            return vec![dir.join(pattern)];
        }
        let paths = match expand::expand(dir, pattern) {
            Ok(paths) => paths,
            Err(e) => {
                let d = match e {
                    expand::ExpandError::Invalid(msg) => {
                        Diagnostic::new(&INCLUDE_FORM, format!("invalid glob pattern: {msg}"))
                    }
                    expand::ExpandError::TooMany => Diagnostic::new(
                        &INCLUDE_TOO_MANY,
                        format!("`{pattern}` reaches more than {} files and folders", expand::MAX_ENTRIES),
                    ),
                    expand::ExpandError::TooDeep => Diagnostic::new(
                        &INCLUDE_TOO_MANY,
                        format!("`{pattern}` reaches folders more than {} levels down", expand::MAX_DEPTH),
                    ),
                };
                self.diags.push(d.label(at, "this pattern"));
                return Vec::new();
            }
        };
        if paths.is_empty() {
            self.diags
                .push(Diagnostic::new(&INCLUDE_NO_MATCH, format!("`{pattern}` matches no file")).label(at, "no match"));
        }
        paths
    }

    /// Whether everything a glob can name lies outside the root: its literal
    /// folder, by its text (`../../etc/`) or through a symlink.
    fn reaches_outside(&self, from: FileId, pattern: &str) -> bool {
        let prefix = expand::literal_prefix(pattern);
        let dir = self.sources.get(from).path.parent().unwrap_or(Path::new("/"));
        let mut reached = expand::normalize(&dir.join(prefix));
        if !reached.starts_with(&self.root_dir) {
            return true;
        }
        while !reached.exists() && reached.pop() {}
        reached.canonicalize().is_ok_and(|c| !c.starts_with(&self.root_dir))
    }

    fn include_file(&mut self, path: &Path, at: Span) -> Vec<Node> {
        let shown = display_name(path);
        let canonical = match path.canonicalize() {
            Ok(c) => c,
            // A missing file outside the root is outside the root all the same.
            Err(_) if !expand::normalize(&self.absolute(path)).starts_with(&self.root_dir) => {
                self.outside_root(&shown, at);
                return Vec::new();
            }
            Err(e) => {
                let d = Diagnostic::new(&INCLUDE_NOT_FOUND, format!("cannot read `{shown}`: {e}"))
                    .label(at, "included here");
                self.diags.push(d);
                return Vec::new();
            }
        };
        if std::fs::metadata(&canonical).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            let d = Diagnostic::new(&INCLUDE_NOT_A_FILE, format!("`{shown}` is not a regular file"))
                .label(at, "included here");
            self.diags.push(d);
            return Vec::new();
        }
        if !canonical.starts_with(&self.root_dir) {
            self.outside_root(&shown, at);
            return Vec::new();
        }
        if let Some(seen) = self.sources.find(&canonical) {
            let (code, what) = if self.stack.contains(&seen) {
                (&INCLUDE_CYCLE, "includes itself (through this include)")
            } else {
                (&INCLUDE_REPEATED, "is already included")
            };
            self.diags.push(Diagnostic::new(code, format!("`{shown}` {what}")).label(at, "included here"));
            return Vec::new();
        }
        match std::fs::read(&canonical) {
            Ok(bytes) => self.add_and_load(shown, canonical, bytes),
            Err(e) => {
                let d = Diagnostic::new(&INCLUDE_NOT_FOUND, format!("cannot read `{shown}`: {e}"))
                    .label(at, "included here");
                self.diags.push(d);
                Vec::new()
            }
        }
    }
}

impl Loader<'_> {
    fn outside_root(&mut self, shown: &str, at: Span) {
        let d = Diagnostic::new(&INCLUDE_OUTSIDE_ROOT, format!("`{shown}` is outside the site's root folder"))
            .label(at, "included here");
        self.diags.push(d);
    }

    /// A path as shown to the user (relative to the working folder), made absolute.
    fn absolute(&self, path: &Path) -> PathBuf {
        std::env::current_dir()
            .and_then(|d| d.canonicalize())
            .map(|d| d.join(path))
            .unwrap_or_else(|_| path.to_path_buf())
    }
}

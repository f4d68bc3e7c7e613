//! `compile --check`: compare the rendered tree with an output folder
//! without writing anything. The basis for a reviewable diff: it says which
//! paths differ and how, the diff printer can then read both sides.

use std::fs;
use std::io;
use std::path::Path;

use super::{Tree, WriteError, manifest};

/// How one path differs between the folder and the rendered tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    /// The tree has the file; the folder does not.
    Added,
    /// Both have it, with different contents.
    Modified,
    /// The folder has a file bosun wrote (in its MANIFEST) that the tree no
    /// longer has: compiling would delete it.
    Removed,
}

impl Change {
    pub fn as_str(self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Modified => "modified",
            Change::Removed => "removed",
        }
    }
}

/// Every path where compiling `tree` into `dir` would change the folder,
/// sorted by path. Empty when the folder already is the tree. A folder that
/// does not exist is compared as an empty one.
pub fn compare(dir: &Path, tree: &Tree) -> Result<Vec<(String, Change)>, WriteError> {
    let mut changes = Vec::new();
    for (path, bytes) in &tree.files {
        let target = dir.join(path);
        match fs::read(&target) {
            Ok(existing) if existing == *bytes => {}
            Ok(_) => changes.push((path.clone(), Change::Modified)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => changes.push((path.clone(), Change::Added)),
            Err(_) if target.is_dir() => changes.push((path.clone(), Change::Modified)),
            Err(error) => return Err(WriteError::Io { path: target, error }),
        }
    }
    let previous = match fs::read_to_string(dir.join(manifest::NAME)) {
        Ok(text) => manifest::parse(&text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Default::default(),
        Err(error) => return Err(WriteError::Io { path: dir.join(manifest::NAME), error }),
    };
    for path in previous.keys() {
        if !tree.files.contains_key(path) && dir.join(path).is_file() {
            changes.push((path.clone(), Change::Removed));
        }
    }
    changes.sort();
    Ok(changes)
}

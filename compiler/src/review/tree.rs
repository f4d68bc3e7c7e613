//! The two sides of a review: a compiled folder read from disk, or the tree
//! `compile` rendered in memory, both as path → bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::write::{Tree, manifest};

/// Relative path (with `/`) → content, in path order.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Why a side could not be read. Codes are stable, for scripts.
#[derive(Debug)]
pub enum ReviewError {
    /// `bosun diff` was given something that is not a folder.
    NotAFolder(PathBuf),
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl ReviewError {
    pub fn code(&self) -> &'static str {
        match self {
            ReviewError::NotAFolder(_) => "bosun::review::not-a-folder",
            ReviewError::Io { .. } => "bosun::review::io",
        }
    }
}

impl std::fmt::Display for ReviewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReviewError::NotAFolder(p) => write!(f, "{} is not a folder: give two compiled folders", p.display()),
            ReviewError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

/// Names that are never part of a compiled tree: the writer's own
/// scratch space and a git checkout's metadata.
fn skipped(name: &str) -> bool {
    name == ".git" || name.starts_with(".bosun-")
}

/// Every file under `dir`.
pub fn read_dir(dir: &Path) -> Result<Files, ReviewError> {
    if !dir.is_dir() {
        return Err(ReviewError::NotAFolder(dir.to_path_buf()));
    }
    let mut files = Files::new();
    let walk = walkdir::WalkDir::new(dir).sort_by_file_name().into_iter();
    for entry in walk.filter_entry(|e| e.depth() == 0 || !skipped(&e.file_name().to_string_lossy())) {
        let entry = entry.map_err(|e| ReviewError::Io {
            path: e.path().unwrap_or(dir).to_path_buf(),
            error: e.into_io_error().unwrap_or_else(|| io::Error::other("file system loop")),
        })?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).expect("walk stays under dir");
        let rel = rel.to_string_lossy().replace('\\', "/");
        let bytes = fs::read(entry.path()).map_err(|error| ReviewError::Io { path: entry.path().into(), error })?;
        files.insert(rel, bytes);
    }
    Ok(files)
}

/// The files of `dir` that compiling `tree` into it would touch: those the
/// tree writes and those its MANIFEST says bosun wrote before. Files of
/// other tools in the folder are left out, as `compile` leaves them alone.
/// A folder that does not exist is empty.
pub fn read_for_check(dir: &Path, tree: &Tree) -> Result<Files, ReviewError> {
    let paths = touched(dir, tree)?;
    // A large tree is tens of thousands of small files: read on every core.
    let read: Vec<Result<Option<Vec<u8>>, ReviewError>> =
        paths.par_iter().map(|path| read_one(dir, path, |p| fs::read(p), Vec::new())).collect();
    let mut files = Files::new();
    for (path, bytes) in paths.into_iter().zip(read) {
        if let Some(bytes) = bytes? {
            files.insert(path, bytes);
        }
    }
    Ok(files)
}

/// Whether every file `read_for_check` would read holds exactly what the
/// tree has: the usual answer in CI, found without keeping a copy of the
/// folder (each file is read into one buffer per thread and compared).
pub fn unchanged(dir: &Path, tree: &Tree) -> Result<bool, ReviewError> {
    let paths = touched(dir, tree)?;
    let same = paths.par_iter().try_for_each_init(Vec::new, |buf: &mut Vec<u8>, path| {
        let into_buf = |target: &Path| {
            buf.clear();
            fs::File::open(target).and_then(|mut f| io::Read::read_to_end(&mut f, buf))
        };
        let found = read_one(dir, path, into_buf, 0).map(|n| n.map(|n| &buf[..n]));
        match found {
            Ok(found) if found == tree.files.get(path).map(Vec::as_slice) => Ok(()),
            // A difference, or a read error `read_for_check` will report.
            _ => Err(()),
        }
    });
    Ok(same.is_ok())
}

/// The paths of the tree and of the folder's MANIFEST.
fn touched(dir: &Path, tree: &Tree) -> Result<BTreeSet<String>, ReviewError> {
    let mut paths: BTreeSet<String> = tree.files.keys().cloned().collect();
    match fs::read_to_string(dir.join(manifest::NAME)) {
        Ok(text) => paths.extend(manifest::parse(&text).into_keys()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(error) => return Err(ReviewError::Io { path: dir.join(manifest::NAME), error }),
    }
    Ok(paths)
}

/// Reads one file of the folder with `read`; `None` when it does not exist.
/// A folder where the tree has a file reads as `empty`, an empty file the
/// tree's content replaces.
fn read_one<T>(
    dir: &Path,
    path: &str,
    read: impl FnOnce(&Path) -> io::Result<T>,
    empty: T,
) -> Result<Option<T>, ReviewError> {
    let target = dir.join(path);
    match read(&target) {
        Ok(content) => Ok(Some(content)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(_) if target.is_dir() => Ok(Some(empty)),
        Err(error) => Err(ReviewError::Io { path: target, error }),
    }
}

//! Stage 7: write the rendered tree into the output folder — the only stage
//! that touches the disk.
//!
//! Guarantees: a file whose content is unchanged is not rewritten; a file
//! bosun did not write (not in the previous MANIFEST), or one changed by hand
//! since, is never overwritten or deleted without `--force`; and a run that
//! is interrupted leaves the folder as it was, or lets the next run finish
//! the change. New contents of existing files are staged in
//! `.bosun-staging/`, then a journal listing every rename, creation and
//! deletion is committed with one atomic rename, then applied: staged files
//! are renamed into place, files that did not exist are written where they
//! belong (no staging: nothing of the old tree is at stake), deletions
//! follow, MANIFEST last. The next run applies a journal it finds before
//! anything else, and removes the files a killed run was creating (their
//! content was never recorded; the run itself writes them again).

pub mod manifest;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::render::Outputs;

const STAGING: &str = ".bosun-staging";
const JOURNAL: &str = ".bosun-journal";

/// The complete tree: rendered files plus MANIFEST. `compile` writes it;
/// `compile --check` compares it.
#[derive(Debug)]
pub struct Tree {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl Tree {
    pub fn new(outputs: Outputs, digest: &str) -> Tree {
        let mut files: BTreeMap<String, Vec<u8>> =
            outputs.into_files().into_iter().map(|(p, b)| (p.into_string(), b)).collect();
        let manifest = manifest::render(&files, digest);
        files.insert(manifest::NAME.to_string(), manifest.into_bytes());
        Tree { files }
    }
}

#[derive(Debug)]
pub enum WriteError {
    /// Files bosun would overwrite or delete although it did not write them.
    Foreign(Vec<(String, &'static str)>),
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Foreign(files) => {
                writeln!(f, "refusing to touch {} file(s) that bosun did not write:", files.len())?;
                for (path, why) in files {
                    writeln!(f, "  {path} ({why})")?;
                }
                write!(f, "move them away, or pass --force to overwrite them")
            }
            WriteError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Report {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> WriteError + '_ {
    move |error| WriteError::Io { path: path.to_path_buf(), error }
}

/// One step of a commit, as recorded in the journal.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// Replace an existing file with a staged one.
    Write {
        staged: String,
        path: String,
    },
    /// Write a file that does not exist yet, in place.
    Create {
        path: String,
    },
    Delete {
        path: String,
    },
}

impl Step {
    /// The staged name and target path of a write.
    fn write(&self) -> Option<(&str, &str)> {
        match self {
            Step::Write { staged, path } => Some((staged, path)),
            _ => None,
        }
    }

    fn create(&self) -> Option<&str> {
        match self {
            Step::Create { path } => Some(path),
            _ => None,
        }
    }

    fn path(&self) -> &str {
        match self {
            Step::Write { path, .. } | Step::Create { path } | Step::Delete { path } => path,
        }
    }
}

/// Whether `apply` runs a commit (with the tree's contents at hand) or
/// finishes one a killed run left behind.
#[derive(Clone, Copy)]
enum Mode<'t> {
    Commit(&'t Tree),
    Recover,
}

pub fn commit(dir: &Path, tree: &Tree, force: bool) -> Result<Report, WriteError> {
    // Into a folder that does not exist yet, every file is new: nothing to
    // read and compare first.
    let fresh = fs::symlink_metadata(dir).is_err_and(|e| e.kind() == io::ErrorKind::NotFound);
    fs::create_dir_all(dir).map_err(io_err(dir))?;
    recover(dir)?;
    let previous = match fs::read_to_string(dir.join(manifest::NAME)) {
        Ok(text) => manifest::parse(&text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => BTreeMap::new(),
        Err(e) => {
            return Err(WriteError::Io { path: dir.join(manifest::NAME), error: e });
        }
    };
    let mut report = Report::default();
    let mut steps = Vec::new();
    let mut foreign = Vec::new();
    // Reading and comparing tens of thousands of files is worth every core.
    let verdicts: Vec<Result<Verdict, WriteError>> = if fresh {
        tree.files.iter().map(|_| Ok(Verdict::Create)).collect()
    } else {
        tree.files.par_iter().map(|(path, bytes)| verdict(dir, &previous, path, bytes)).collect()
    };
    for ((path, _), verdict) in tree.files.iter().zip(verdicts) {
        match verdict? {
            Verdict::Unchanged => {
                report.unchanged += 1;
                continue;
            }
            Verdict::Create => {
                steps.push(Step::Create { path: path.clone() });
                continue;
            }
            Verdict::Write => {}
            Verdict::Foreign(why) => foreign.push((path.clone(), why)),
        }
        steps.push(Step::Write { staged: steps.len().to_string(), path: path.clone() });
    }
    for (path, hash) in &previous {
        if tree.files.contains_key(path) || hash.is_none() {
            continue;
        }
        match fs::read(dir.join(path)) {
            Ok(existing) => {
                if let Some(why) = ownership(&previous, path, &existing) {
                    foreign.push((path.clone(), why));
                }
                steps.push(Step::Delete { path: path.clone() });
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(WriteError::Io { path: dir.join(path), error: e });
            }
        }
    }
    if !force && !foreign.is_empty() {
        return Err(WriteError::Foreign(foreign));
    }
    if steps.is_empty() {
        return Ok(report);
    }
    // MANIFEST goes last, so a folder whose MANIFEST is new has all its files.
    steps.sort_by_key(|s| !matches!(s, Step::Delete { .. }) && s.path() == manifest::NAME);
    stage(dir, tree, &steps)?;
    apply(dir, &steps, Mode::Commit(tree))?;
    for s in &steps {
        match s {
            Step::Write { .. } | Step::Create { .. } => report.written += 1,
            Step::Delete { .. } => report.removed += 1,
        }
    }
    Ok(report)
}

/// What compiling does to one file of the tree.
enum Verdict {
    Unchanged,
    /// Nothing is there yet.
    Create,
    Write,
    /// Write, but the file there is not bosun's to replace (`--force` only).
    Foreign(&'static str),
}

fn verdict(
    dir: &Path,
    previous: &BTreeMap<String, Option<String>>,
    path: &str,
    bytes: &[u8],
) -> Result<Verdict, WriteError> {
    let target = dir.join(path);
    Ok(match fs::read(&target) {
        Ok(existing) if existing == bytes => Verdict::Unchanged,
        Ok(existing) => ownership(previous, path, &existing).map_or(Verdict::Write, Verdict::Foreign),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Verdict::Create,
        Err(_) if target.is_dir() => Verdict::Foreign("a folder is in the way"),
        Err(error) => return Err(WriteError::Io { path: target, error }),
    })
}

/// Why an existing file is not bosun's to replace, if it is not.
fn ownership(previous: &BTreeMap<String, Option<String>>, path: &str, existing: &[u8]) -> Option<&'static str> {
    match previous.get(path) {
        None => Some("not in MANIFEST"),
        Some(Some(hash)) if *hash != crate::hash::sha256_hex(existing) => Some("changed since bosun wrote it"),
        _ => None,
    }
}

fn stage(dir: &Path, tree: &Tree, steps: &[Step]) -> Result<(), WriteError> {
    let staging = dir.join(STAGING);
    if staging.exists() {
        fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
    }
    fs::create_dir(&staging).map_err(io_err(&staging))?;
    let mut journal = String::with_capacity(steps.iter().map(|s| s.path().len() + 16).sum());
    for step in steps {
        let line = match step {
            Step::Write { staged, path } => ["write ", staged, " ", path],
            Step::Create { path } => ["create ", path, "", ""],
            Step::Delete { path } => ["delete ", path, "", ""],
        };
        line.iter().for_each(|part| journal.push_str(part));
        journal.push('\n');
    }
    let writes: Vec<(&str, &str)> = steps.iter().filter_map(Step::write).collect();
    writes.par_iter().try_for_each(|(staged, path)| {
        let file = staging.join(staged);
        fs::write(&file, &tree.files[*path]).map_err(io_err(&file))
    })?;
    let tmp = staging.join("journal");
    fs::write(&tmp, journal).map_err(io_err(&tmp))?;
    fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(io_err(&tmp))?;
    // The commit point: from here on the change happens, now or on the next run.
    fs::rename(&tmp, dir.join(JOURNAL)).map_err(io_err(&tmp))
}

fn parse_journal(text: &str) -> Vec<Step> {
    text.lines()
        .filter_map(|line| match line.split_once(' ') {
            Some(("write", rest)) => {
                rest.split_once(' ').map(|(s, p)| Step::Write { staged: s.into(), path: p.into() })
            }
            Some(("create", p)) => Some(Step::Create { path: p.into() }),
            Some(("delete", p)) => Some(Step::Delete { path: p.into() }),
            _ => None,
        })
        .collect()
}

/// Finishes a commit a previous run was interrupted in, or drops what it had
/// only staged.
fn recover(dir: &Path) -> Result<(), WriteError> {
    let journal = dir.join(JOURNAL);
    match fs::read_to_string(&journal) {
        Ok(text) => apply(dir, &parse_journal(&text), Mode::Recover),
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let staging = dir.join(STAGING);
            if staging.exists() {
                fs::remove_dir_all(&staging).map_err(io_err(&staging))?;
            }
            Ok(())
        }
        Err(e) => Err(WriteError::Io { path: journal, error: e }),
    }
}

/// Applies the steps; each is idempotent, so a run interrupted here can
/// apply the same journal again. Files are written and moved into place in
/// parallel, then deletions happen; a MANIFEST step at the end of the
/// journal goes last, so a folder whose MANIFEST is new has all its files.
fn apply(dir: &Path, steps: &[Step], mode: Mode) -> Result<(), WriteError> {
    let staging = dir.join(STAGING);
    let manifest_last = steps.last().is_some_and(|s| s.create().or(s.write().map(|w| w.1)) == Some(manifest::NAME));
    let (body, tail) = steps.split_at(steps.len() - usize::from(manifest_last));
    place(dir, &staging, body, mode)?;
    for step in body {
        if let Step::Delete { path } = step {
            remove(dir, path)?;
        }
    }
    place(dir, &staging, tail, mode)?;
    let journal = dir.join(JOURNAL);
    match fs::remove_file(&journal) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(WriteError::Io { path: journal, error: e });
        }
    }
    fs::remove_dir_all(&staging)
        .or_else(|e| if e.kind() == io::ErrorKind::NotFound { Ok(()) } else { Err(e) })
        .map_err(io_err(&staging))
}

/// Creates the new files (or, recovering, removes what a killed run was
/// creating) and renames the staged ones into place, each folder made once.
fn place(dir: &Path, staging: &Path, steps: &[Step], mode: Mode) -> Result<(), WriteError> {
    let moves: Vec<(&str, &str)> = steps.iter().filter_map(Step::write).collect();
    let creates: Vec<&str> = steps.iter().filter_map(Step::create).collect();
    // Tree paths are `/`-separated and relative; as plain strings they are
    // compared far faster than as `Path`s.
    let mut parents: BTreeSet<&str> = moves.iter().filter_map(|(_, path)| folder_of(path)).collect();
    match mode {
        Mode::Commit(tree) => {
            parents.extend(creates.iter().filter_map(|path| folder_of(path)));
            make_folders(dir, parents)?;
            creates.par_iter().try_for_each(|path| {
                let target = dir.join(path);
                fs::write(&target, &tree.files[*path]).map_err(io_err(&target))
            })?;
        }
        Mode::Recover => {
            // Removing first: pruning an emptied folder must not undo a make.
            for path in creates {
                remove(dir, path)?;
            }
            make_folders(dir, parents)?;
        }
    }
    moves.par_iter().try_for_each(|(staged, path)| {
        let (from, to) = (staging.join(staged), dir.join(path));
        match fs::rename(&from, &to) {
            // Moved into place before an interruption.
            Err(e) if e.kind() == io::ErrorKind::NotFound && !from.exists() => Ok(()),
            r => r.map_err(io_err(&to)),
        }
    })
}

fn folder_of(path: &str) -> Option<&str> {
    path.rsplit_once('/').map(|(folder, _)| folder)
}

/// Makes the folders and their ancestors, one depth at a time: every folder
/// of a depth can be made in parallel once its parent exists, and a large
/// site has a folder per host.
fn make_folders(dir: &Path, folders: BTreeSet<&str>) -> Result<(), WriteError> {
    let mut by_depth: Vec<BTreeSet<&str>> = Vec::new();
    for folder in folders {
        let ancestors = std::iter::successors(Some(folder), |f| folder_of(f));
        for ancestor in ancestors {
            let depth = ancestor.matches('/').count();
            if by_depth.len() <= depth {
                by_depth.resize_with(depth + 1, BTreeSet::new);
            }
            if !by_depth[depth].insert(ancestor) {
                break;
            }
        }
    }
    for level in by_depth {
        level.par_iter().try_for_each(|folder| {
            let folder = dir.join(folder);
            match fs::create_dir(&folder) {
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists && folder.is_dir() => Ok(()),
                r => r.map_err(io_err(&folder)),
            }
        })?;
    }
    Ok(())
}

/// Deletes a file bosun wrote, and the folders that leaves empty.
fn remove(dir: &Path, path: &str) -> Result<(), WriteError> {
    let target = dir.join(path);
    match fs::remove_file(&target) {
        Ok(()) => {
            prune_empty_parents(dir, &target);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(WriteError::Io { path: target, error }),
    }
}

/// Removes folders left empty by a deletion, up to (not including) `dir`.
fn prune_empty_parents(dir: &Path, file: &Path) {
    let mut cur = file.parent();
    while let Some(p) = cur {
        if p == dir || fs::remove_dir(p).is_err() {
            break;
        }
        cur = p.parent();
    }
}

#[cfg(test)]
mod tests;

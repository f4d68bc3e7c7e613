//! Stage 7: write the rendered tree into the output folder — the only stage
//! that touches the disk.
//!
//! Guarantees: a file whose content is unchanged is not rewritten; a file
//! bosun did not write (not in the previous MANIFEST), or one changed by hand
//! since, is never overwritten or deleted without `--force`; and a run that
//! is interrupted leaves the folder as it was, or lets the next run finish
//! the change. New contents of existing files are staged in
//! `.bosun-staging/`, then a journal listing every rename, creation and
//! deletion is committed with one atomic rename (`journal.rs`), then
//! applied: staged files are renamed into place, files that did not exist
//! are written where they belong (no staging: nothing of the old tree is at
//! stake), deletions follow, MANIFEST last. The next run applies a journal
//! it finds before anything else, and removes the files a killed run was
//! creating (their content was never recorded; the run itself writes them
//! again).
//!
//! The folder is committed to git, so what it holds may be anyone's: the
//! writer acts only on plain paths inside the tree, never through a link,
//! on a journal only if it started it (`guard.rs`, `journal.rs`), and one
//! run at a time (`lock.rs`).

pub mod guard;
mod journal;
pub mod lock;
pub mod manifest;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::render::Outputs;
use guard::{Found, Refusal};
use journal::{JOURNAL, STAGING};

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
    /// What the folder holds that bosun never writes and will not act on:
    /// entries outside the tree, links, a journal it did not start.
    Untrusted {
        dir: PathBuf,
        refused: Vec<Refusal>,
    },
    Lock(lock::LockError),
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl WriteError {
    fn untrusted(dir: &Path, refused: Vec<Refusal>) -> WriteError {
        WriteError::Untrusted { dir: dir.to_path_buf(), refused }
    }

    /// A stable code for scripts, as `bosun::review`'s errors have.
    pub fn code(&self) -> &'static str {
        match self {
            WriteError::Foreign(_) => "bosun::write::foreign",
            WriteError::Untrusted { .. } | WriteError::Lock(lock::LockError::NotAFile(_)) => "bosun::write::untrusted",
            WriteError::Lock(lock::LockError::Busy { .. }) => "bosun::write::locked",
            WriteError::Lock(lock::LockError::Io { .. }) | WriteError::Io { .. } => "bosun::write::io",
        }
    }
}

impl From<lock::LockError> for WriteError {
    fn from(e: lock::LockError) -> WriteError {
        WriteError::Lock(e)
    }
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
            WriteError::Untrusted { dir, refused } => {
                writeln!(f, "refusing to act on what {} holds: bosun never writes these", dir.display())?;
                for r in refused {
                    writeln!(f, "  {r}")?;
                }
                write!(
                    f,
                    "the folder is committed to git, so they may come from anyone: remove them \
                     (or compile into a fresh folder) and run again; --force does not override this"
                )
            }
            WriteError::Lock(e) => write!(f, "{e}"),
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
    let _lock = lock::Lock::acquire(dir, true)?;
    journal::recover(dir)?;
    let (previous, mut refused) = read_manifest(dir)?;
    let mut links = BTreeSet::new();
    if !fresh {
        let paths = tree.files.keys().chain(previous.keys()).map(String::as_str);
        links = guard::links_on_the_way(dir, paths).map_err(|(path, error)| WriteError::Io { path, error })?;
        refused.extend(links.iter().map(|entry| Refusal { entry: entry.clone(), why: guard::LINK.into() }));
    }
    let planned = plan_steps(dir, tree, &previous, fresh, &links, &mut refused);
    if !refused.is_empty() {
        return Err(WriteError::untrusted(dir, refused));
    }
    let (mut steps, mut report, foreign) = planned?;
    if !force && !foreign.is_empty() {
        return Err(WriteError::Foreign(foreign));
    }
    if steps.is_empty() {
        return Ok(report);
    }
    // MANIFEST goes last, so a folder whose MANIFEST is new has all its files.
    steps.sort_by_key(|s| !matches!(s, Step::Delete { .. }) && s.path() == manifest::NAME);
    journal::stage(dir, tree, &steps)?;
    apply(dir, &steps, Mode::Commit(tree))?;
    for s in &steps {
        match s {
            Step::Write { .. } | Step::Create { .. } => report.written += 1,
            Step::Delete { .. } => report.removed += 1,
        }
    }
    Ok(report)
}

/// Path → recorded SHA-256 of a previous MANIFEST (see `manifest::parse`).
type Owned = BTreeMap<String, Option<String>>;

/// The previous MANIFEST's paths and hashes, and what in it bosun would
/// never have written.
fn read_manifest(dir: &Path) -> Result<(Owned, Vec<Refusal>), WriteError> {
    let path = dir.join(manifest::NAME);
    let mut buf = Vec::new();
    let refuse = |why: &str| vec![Refusal { entry: manifest::NAME.into(), why: why.into() }];
    match guard::read_no_follow(&path, &mut buf).map_err(io_err(&path))? {
        Found::Missing => Ok((BTreeMap::new(), Vec::new())),
        Found::File(_) => match std::str::from_utf8(&buf) {
            Ok(text) => Ok(manifest::parse(text)),
            Err(_) => Ok((BTreeMap::new(), refuse("not UTF-8 text: not a MANIFEST bosun wrote"))),
        },
        Found::Link => Ok((BTreeMap::new(), refuse(guard::LINK))),
        Found::Folder | Found::Special => Ok((BTreeMap::new(), refuse("not a regular file"))),
    }
}

/// Files that would be overwritten or deleted although bosun did not write them.
type ForeignFiles = Vec<(String, &'static str)>;

/// The steps that turn the folder into `tree`, the files left as they are,
/// and those not bosun's to replace (`--force` only). Nothing below one of
/// `links` is looked at; links where files are go to `refused`.
fn plan_steps(
    dir: &Path,
    tree: &Tree,
    previous: &BTreeMap<String, Option<String>>,
    fresh: bool,
    links: &BTreeSet<String>,
    refused: &mut Vec<Refusal>,
) -> Result<(Vec<Step>, Report, ForeignFiles), WriteError> {
    let mut report = Report::default();
    let mut steps = Vec::new();
    let mut foreign = Vec::new();
    let below_link = |path: &str| path.match_indices('/').any(|(end, _)| links.contains(&path[..end]));
    // Reading and comparing tens of thousands of files is worth every core.
    let verdicts: Vec<Result<Verdict, WriteError>> = if fresh {
        tree.files.iter().map(|_| Ok(Verdict::Create)).collect()
    } else {
        let judge = |(path, bytes): (&String, &Vec<u8>)| match below_link(path) {
            true => Ok(Verdict::Link),
            false => verdict(dir, previous, path, bytes),
        };
        tree.files.par_iter().map(judge).collect()
    };
    for ((path, _), verdict) in tree.files.iter().zip(verdicts) {
        match verdict? {
            Verdict::Link if below_link(path) => continue,
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
            Verdict::Link => refused.push(Refusal { entry: path.clone(), why: guard::LINK.into() }),
        }
        steps.push(Step::Write { staged: steps.len().to_string(), path: path.clone() });
    }
    let mut existing = Vec::new();
    for (path, hash) in previous {
        if tree.files.contains_key(path) || hash.is_none() || below_link(path) {
            continue;
        }
        let target = dir.join(path);
        match guard::read_no_follow(&target, &mut existing).map_err(io_err(&target))? {
            Found::Missing => continue,
            Found::Link => refused.push(Refusal { entry: path.clone(), why: guard::LINK.into() }),
            Found::File(_) => foreign.extend(ownership(previous, path, &existing).map(|why| (path.clone(), why))),
            Found::Folder => foreign.push((path.clone(), "a folder, not the file bosun wrote")),
            Found::Special => foreign.push((path.clone(), "not a regular file")),
        }
        steps.push(Step::Delete { path: path.clone() });
    }
    Ok((steps, report, foreign))
}

/// What compiling does to one file of the tree.
enum Verdict {
    Unchanged,
    /// Nothing is there yet.
    Create,
    Write,
    /// Write, but the file there is not bosun's to replace (`--force` only).
    Foreign(&'static str),
    /// A link where the file would be: never written through, never replaced.
    Link,
}

fn verdict(
    dir: &Path,
    previous: &BTreeMap<String, Option<String>>,
    path: &str,
    bytes: &[u8],
) -> Result<Verdict, WriteError> {
    let target = dir.join(path);
    let mut existing = Vec::new();
    Ok(match guard::read_no_follow(&target, &mut existing).map_err(io_err(&target))? {
        Found::File(_) if existing == bytes => Verdict::Unchanged,
        Found::File(_) => ownership(previous, path, &existing).map_or(Verdict::Write, Verdict::Foreign),
        Found::Missing => Verdict::Create,
        Found::Folder => Verdict::Foreign("a folder is in the way"),
        Found::Special => Verdict::Foreign("not a regular file"),
        Found::Link => Verdict::Link,
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

/// Applies the steps (their paths plain, no link on their way); each is idempotent, so a run interrupted here can
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
                guard::write_no_follow(&target, &tree.files[*path], false).map_err(io_err(&target))
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
            Err(e) if e.kind() == io::ErrorKind::NotFound && fs::symlink_metadata(&from).is_err() => Ok(()),
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
                // A link there is no folder: it is neither followed nor used.
                Err(e)
                    if e.kind() == io::ErrorKind::AlreadyExists
                        && fs::symlink_metadata(&folder).is_ok_and(|m| m.is_dir()) =>
                {
                    Ok(())
                }
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

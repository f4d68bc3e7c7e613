//! The two sides of a review: a compiled folder read from disk, or the tree
//! `compile` rendered in memory, both as path → bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::write::guard::{self, Found, Refusal};
use crate::write::{Tree, manifest};

/// Relative path (with `/`) → content, in path order.
pub type Files = BTreeMap<String, Vec<u8>>;

/// Why a side could not be read. Codes are stable, for scripts.
#[derive(Debug)]
pub enum ReviewError {
    /// `bosun diff` was given something that is not a folder.
    NotAFolder(PathBuf),
    /// The folder's MANIFEST lists what bosun never writes (a path outside
    /// the tree, say): nothing of it is read.
    Untrusted {
        dir: PathBuf,
        refused: Vec<Refusal>,
    },
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl ReviewError {
    pub fn code(&self) -> &'static str {
        match self {
            ReviewError::NotAFolder(_) => "bosun::review::not-a-folder",
            ReviewError::Untrusted { .. } => "bosun::review::untrusted",
            ReviewError::Io { .. } => "bosun::review::io",
        }
    }
}

impl std::fmt::Display for ReviewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReviewError::NotAFolder(p) => write!(f, "{} is not a folder: give two compiled folders", p.display()),
            ReviewError::Untrusted { dir, refused } => {
                writeln!(f, "refusing to review {}: its MANIFEST lists what bosun never writes", dir.display())?;
                for r in refused {
                    writeln!(f, "  {r}")?;
                }
                write!(f, "nothing it names was read; fix or remove those lines (the tree may come from anyone)")
            }
            ReviewError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

/// A file or folder bosun never writes, found in a compiled folder: shown
/// in the review as such, and never read through or compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Foreign {
    pub path: String,
    pub why: &'static str,
}

/// A compiled folder as read: its files, and what in it bosun never writes.
#[derive(Debug, Default)]
pub struct Folder {
    pub files: Files,
    pub foreign: Vec<Foreign>,
}

const SCRATCH: &str = "a `.bosun-*` name: bosun's scratch files are never part of a compiled tree \
                       (`compile` refuses a journal it did not start)";
const SPECIAL: &str = "not a regular file or folder";

/// Every file under `dir`; what bosun never writes is left out (see `read_folder`).
pub fn read_dir(dir: &Path) -> Result<Files, ReviewError> {
    read_folder(dir).map(|folder| folder.files)
}

/// Every file under `dir`, and every symbolic link (not followed), special
/// file and `.bosun-*` scratch entry as foreign. A git checkout's `.git`
/// is skipped, and so is a lock file a running bosun holds.
pub fn read_folder(dir: &Path) -> Result<Folder, ReviewError> {
    if !dir.is_dir() {
        return Err(ReviewError::NotAFolder(dir.to_path_buf()));
    }
    let mut folder = Folder::default();
    let mut walk = walkdir::WalkDir::new(dir).sort_by_file_name().into_iter();
    let mut buf = Vec::new();
    while let Some(entry) = walk.next() {
        let entry = entry.map_err(|e| ReviewError::Io {
            path: e.path().unwrap_or(dir).to_path_buf(),
            error: e.into_io_error().unwrap_or_else(|| io::Error::other("file system loop")),
        })?;
        let (name, kind) = (entry.file_name().to_string_lossy(), entry.file_type());
        let lock = entry.depth() == 1 && name == crate::write::lock::NAME && kind.is_file();
        if entry.depth() == 0 || lock || name == ".git" {
            if entry.depth() > 0 && kind.is_dir() {
                walk.skip_current_dir();
            }
            continue;
        }
        let rel = entry.path().strip_prefix(dir).expect("walk stays under dir");
        let rel = rel.to_string_lossy().replace('\\', "/");
        let why = match () {
            _ if name.starts_with(guard::SCRATCH_PREFIX) => SCRATCH,
            _ if kind.is_symlink() => guard::LINK,
            _ if kind.is_dir() => continue,
            _ if !kind.is_file() => SPECIAL,
            _ => match guard::read_no_follow(entry.path(), &mut buf).map_err(io_err(entry.path()))? {
                Found::File(_) => {
                    folder.files.insert(rel, std::mem::take(&mut buf));
                    continue;
                }
                Found::Missing => continue,
                Found::Link => guard::LINK,
                Found::Folder | Found::Special => SPECIAL,
            },
        };
        if kind.is_dir() {
            walk.skip_current_dir();
        }
        folder.foreign.push(Foreign { path: rel, why });
    }
    Ok(folder)
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> ReviewError + '_ {
    move |error| ReviewError::Io { path: path.to_path_buf(), error }
}

/// The files of `dir` that compiling `tree` into it would touch: those the
/// tree writes and those its MANIFEST says bosun wrote before; and what on
/// their way bosun never writes (links, scratch entries), as foreign.
/// Files of other tools in the folder are left out, as `compile` leaves them
/// alone. A folder that does not exist is empty.
pub fn read_for_check(dir: &Path, tree: &Tree) -> Result<Folder, ReviewError> {
    let Scan { paths, mut foreign } = scan(dir, tree)?;
    // A large tree is tens of thousands of small files: read on every core.
    let read: Vec<Result<Entry, ReviewError>> = paths.par_iter().map(|path| read_entry(dir, path)).collect();
    let mut files = Files::new();
    for (path, entry) in paths.into_iter().zip(read) {
        match entry? {
            Entry::Bytes(bytes) => {
                files.insert(path, bytes);
            }
            Entry::Missing => {}
            Entry::Foreign(why) => foreign.push(Foreign { path, why }),
        }
    }
    foreign.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Folder { files, foreign })
}

/// One path of the folder, as the review sees it.
enum Entry {
    Bytes(Vec<u8>),
    Missing,
    Foreign(&'static str),
}

fn read_entry(dir: &Path, path: &str) -> Result<Entry, ReviewError> {
    let target = dir.join(path);
    let mut buf = Vec::new();
    Ok(match guard::read_no_follow(&target, &mut buf).map_err(io_err(&target))? {
        Found::File(_) => Entry::Bytes(buf),
        Found::Missing => Entry::Missing,
        // A folder where the tree has a file reads as an empty file, which
        // the tree's content replaces.
        Found::Folder => Entry::Bytes(Vec::new()),
        Found::Link => Entry::Foreign(guard::LINK),
        Found::Special => Entry::Foreign(SPECIAL),
    })
}

/// Whether every file `read_for_check` would read holds exactly what the
/// tree has, and nothing foreign is on the way: the usual answer in CI,
/// found without keeping a copy of the folder (each file is read into one
/// buffer per thread and compared).
pub fn unchanged(dir: &Path, tree: &Tree) -> Result<bool, ReviewError> {
    let Scan { paths, foreign } = scan(dir, tree)?;
    if !foreign.is_empty() {
        return Ok(false);
    }
    let same = paths.par_iter().try_for_each_init(Vec::new, |buf: &mut Vec<u8>, path| {
        let found = match guard::read_no_follow(&dir.join(path), buf) {
            Ok(Found::File(n)) => Some(&buf[..n]),
            Ok(Found::Folder) => Some(&[][..]),
            Ok(Found::Missing) => None,
            // Something foreign, or a read error `read_for_check` will report.
            _ => return Err(()),
        };
        if found == tree.files.get(path).map(Vec::as_slice) { Ok(()) } else { Err(()) }
    });
    Ok(same.is_ok())
}

/// What `compile --check` reads: the paths of the tree and of the folder's
/// MANIFEST, less those below a link; and the foreign entries found so far
/// (the links, and the folder's own `.bosun-*` entries).
struct Scan {
    paths: Vec<String>,
    foreign: Vec<Foreign>,
}

fn scan(dir: &Path, tree: &Tree) -> Result<Scan, ReviewError> {
    let mut paths: BTreeSet<String> = tree.files.keys().cloned().collect();
    let mut foreign = Vec::new();
    if !dir.is_dir() {
        return Ok(Scan { paths: paths.into_iter().collect(), foreign });
    }
    let manifest = dir.join(manifest::NAME);
    let mut buf = Vec::new();
    match guard::read_no_follow(&manifest, &mut buf).map_err(io_err(&manifest))? {
        Found::File(_) => {
            let (listed, refused) = manifest::parse(&String::from_utf8_lossy(&buf));
            if !refused.is_empty() {
                return Err(ReviewError::Untrusted { dir: dir.to_path_buf(), refused });
            }
            paths.extend(listed.into_keys());
        }
        Found::Missing | Found::Folder => {}
        Found::Link => foreign.push(Foreign { path: manifest::NAME.into(), why: guard::LINK }),
        Found::Special => foreign.push(Foreign { path: manifest::NAME.into(), why: SPECIAL }),
    }
    foreign.extend(scratch_entries(dir)?);
    let links = guard::links_on_the_way(dir, paths.iter().map(String::as_str))
        .map_err(|(path, error)| ReviewError::Io { path, error })?;
    let below_link = |path: &str| path.match_indices('/').any(|(end, _)| links.contains(&path[..end]));
    let paths = paths.into_iter().filter(|p| !below_link(p) && !links.contains(p)).collect();
    foreign.extend(links.iter().map(|path| Foreign { path: path.clone(), why: guard::LINK }));
    Ok(Scan { paths, foreign })
}

/// The folder's top-level `.bosun-*` entries but a lock file (a run may
/// hold it): a journal or staging folder left there would be acted on by
/// the writer, so the review says so.
fn scratch_entries(dir: &Path) -> Result<Vec<Foreign>, ReviewError> {
    let mut found = Vec::new();
    for entry in fs::read_dir(dir).map_err(io_err(dir))? {
        let entry = entry.map_err(io_err(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let plain = entry.file_type().is_ok_and(|t| t.is_file());
        if name.starts_with(guard::SCRATCH_PREFIX) && !(name == crate::write::lock::NAME && plain) {
            found.push(Foreign { path: name, why: SCRATCH });
        }
    }
    Ok(found)
}

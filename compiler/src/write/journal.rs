//! The journal: a commit's point of no return, and what the next run
//! finishes when a run is killed after it.
//!
//! New contents are staged in `.bosun-staging/` and synced to disk with the
//! folder, then the journal listing every step is synced and renamed to
//! `.bosun-journal` — the commit point — and the output folder synced.
//!
//! The output folder is committed to git, so a journal found there may be
//! anyone's. It is applied only if this writer started it in this very
//! folder: its first line carries the run's random id and the identity
//! (inode number, birth time) of the staging folder it made. The staging
//! folder must hold the same id and still be that folder — a checkout or a
//! copy makes new folders, whose numbers nobody chooses. Every entry must
//! also be a plain path inside the tree with no link on its way.

use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use rayon::prelude::*;

use super::guard::{self, Found, Refusal};
use super::{Step, Tree, WriteError, io_err};

pub const JOURNAL: &str = ".bosun-journal";
pub const STAGING: &str = ".bosun-staging";
/// The file in the staging folder holding the run's id.
const RUN: &str = "run";
const HEADER: &str = "# bosun journal 1";

/// Stages the steps' new contents and commits the journal.
pub(super) fn stage(dir: &Path, tree: &Tree, steps: &[Step]) -> Result<(), WriteError> {
    sweep(dir)?;
    let staging = dir.join(STAGING);
    fs::create_dir(&staging).map_err(io_err(&staging))?;
    let id = run_id().map_err(io_err(Path::new("/dev/urandom")))?;
    let run = staging.join(RUN);
    guard::write_no_follow(&run, id.as_bytes(), true).map_err(io_err(&run))?;
    let identity = identity(&staging).map_err(io_err(&staging))?;
    let mut journal = String::with_capacity(steps.iter().map(|s| s.path().len() + 16).sum::<usize>() + 128);
    journal.push_str(&format!("{HEADER} run={id} staging={identity}\n"));
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
    // Synced before the commit point: a journal must never name a staged
    // file a power cut could leave empty.
    writes.par_iter().try_for_each(|(staged, path)| {
        let file = staging.join(staged);
        guard::write_no_follow(&file, &tree.files[*path], true).map_err(io_err(&file))
    })?;
    let tmp = staging.join("journal");
    guard::write_no_follow(&tmp, journal.as_bytes(), true).map_err(io_err(&tmp))?;
    guard::sync_folder(&staging).map_err(io_err(&staging))?;
    // The commit point: from here on the change happens, now or on the next run.
    fs::rename(&tmp, dir.join(JOURNAL)).map_err(io_err(&tmp))?;
    guard::sync_folder(dir).map_err(io_err(dir))
}

/// Finishes a commit a previous run of this writer was interrupted in, or
/// drops what it had only staged. A journal this writer did not start, or
/// one naming anything outside the tree, stops the run.
pub(super) fn recover(dir: &Path) -> Result<(), WriteError> {
    let path = dir.join(JOURNAL);
    let mut buf = Vec::new();
    let refuse = |why: &str| WriteError::untrusted(dir, vec![Refusal { entry: JOURNAL.into(), why: why.into() }]);
    match guard::read_no_follow(&path, &mut buf).map_err(io_err(&path))? {
        Found::Missing => return sweep(dir),
        Found::File(_) => {}
        Found::Link => return Err(refuse(guard::LINK)),
        Found::Folder | Found::Special => return Err(refuse("not a regular file: bosun's journal is one")),
    }
    let Ok(text) = String::from_utf8(buf) else {
        return Err(refuse("not UTF-8 text: not a journal bosun wrote"));
    };
    if !started_here(dir, &text) {
        return Err(refuse(
            "a journal this writer did not start in this folder (its run id or staging folder does not match: \
             committed to git, or copied); remove .bosun-journal and .bosun-staging and run again",
        ));
    }
    let steps = parse(&text).map_err(|refused| WriteError::untrusted(dir, refused))?;
    let links = guard::links_on_the_way(dir, steps.iter().map(Step::path))
        .map_err(|(path, error)| WriteError::Io { path, error })?;
    if !links.is_empty() {
        let refused = links.into_iter().map(|entry| Refusal { entry, why: guard::LINK.into() }).collect();
        return Err(WriteError::untrusted(dir, refused));
    }
    super::apply(dir, &steps, super::Mode::Recover)
}

/// Whether the journal's first line names the run id the staging folder
/// holds and that folder's identity.
fn started_here(dir: &Path, text: &str) -> bool {
    let Some(rest) = text.lines().next().and_then(|l| l.strip_prefix(HEADER)) else {
        return false;
    };
    let mut id = None;
    let mut recorded = None;
    for field in rest.split_whitespace() {
        match field.split_once('=') {
            Some(("run", v)) => id = Some(v),
            Some(("staging", v)) => recorded = Some(v),
            _ => return false,
        }
    }
    let (Some(id), Some(recorded)) = (id, recorded) else {
        return false;
    };
    let staging = dir.join(STAGING);
    let is_folder = fs::symlink_metadata(&staging).is_ok_and(|m| m.is_dir());
    let mut held = Vec::new();
    let holds_id =
        matches!(guard::read_no_follow(&staging.join(RUN), &mut held), Ok(Found::File(_))) && held == id.as_bytes();
    is_folder && holds_id && identity(&staging).is_ok_and(|found| found == recorded)
}

/// The journal's steps, each path plain and inside the tree.
pub(super) fn parse(text: &str) -> Result<Vec<Step>, Vec<Refusal>> {
    let mut steps = Vec::new();
    let mut refused = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.starts_with('#')) {
        let step = match line.split_once(' ') {
            Some(("write", rest)) => rest
                .split_once(' ')
                .filter(|(s, _)| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
                .map(|(s, p)| Step::Write { staged: s.into(), path: p.into() }),
            Some(("create", p)) => Some(Step::Create { path: p.into() }),
            Some(("delete", p)) => Some(Step::Delete { path: p.into() }),
            _ => None,
        };
        match step.map(|s| guard::plain_path(s.path()).map(|()| s)) {
            Some(Ok(step)) => steps.push(step),
            Some(Err(why)) => refused.push(guard::entry_refusal(JOURNAL, n + 1, line, why)),
            None => refused.push(guard::entry_refusal(JOURNAL, n + 1, line, "not a step bosun writes")),
        }
    }
    if refused.is_empty() { Ok(steps) } else { Err(refused) }
}

/// Removes what a run killed before its commit point had staged (or a
/// staging entry committed to git), without following a link.
pub(super) fn sweep(dir: &Path) -> Result<(), WriteError> {
    let staging = dir.join(STAGING);
    let gone = match fs::symlink_metadata(&staging) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(&staging),
        Ok(_) => fs::remove_file(&staging),
        Err(e) => Err(e),
    };
    match gone {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(WriteError::Io { path: staging, error: e }),
        _ => Ok(()),
    }
}

/// 128 random bits, in hex.
fn run_id() -> io::Result<String> {
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")?.read_exact(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The staging folder's inode number and, where the file system keeps it,
/// its birth time: what tells this very folder from a copy of it.
fn identity(staging: &Path) -> io::Result<String> {
    let meta = fs::symlink_metadata(staging)?;
    let born = meta.created().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
    Ok(match born {
        Some(t) => format!("{}.{}.{}", meta.ino(), t.as_secs(), t.subsec_nanos()),
        None => meta.ino().to_string(),
    })
}

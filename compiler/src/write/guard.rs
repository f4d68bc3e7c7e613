//! What the writer and the reviewer accept from the output folder.
//!
//! The folder is committed to git, so every byte in it — MANIFEST, the
//! journal, symbolic links — may come from whoever opened a pull request.
//! Only paths bosun itself could have written are used, and no symbolic link
//! below the folder is ever followed, for reads, writes, deletions or
//! folders made. The folder itself may be reached through links: that is the
//! user's own choice when naming it.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

/// Names bosun keeps for its own scratch files in the output folder; no tree
/// path ever starts with one.
pub const SCRATCH_PREFIX: &str = ".bosun-";

/// One thing in the output folder bosun will not act on, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What is refused: a tree path, or `MANIFEST line 4: "../x"`.
    pub entry: String,
    pub why: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.entry, self.why)
    }
}

/// Why `path` — read from MANIFEST or the journal — is not a path bosun
/// writes, if it is not: bosun's paths are relative, `/`-separated, made of
/// `[A-Za-z0-9._-]` names that are not `.` or `..` (see `render::outputs`),
/// and never name its own scratch files.
pub fn plain_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("an empty path".into());
    }
    if path.starts_with('/') {
        return Err("an absolute path: bosun only writes inside its output folder".into());
    }
    for part in path.split('/') {
        let why = match part {
            "" => "an empty path component (`//` or a trailing `/`)",
            "." => "a `.` component",
            ".." => "a `..` component: bosun only writes inside its output folder",
            _ if part.starts_with(SCRATCH_PREFIX) => "a `.bosun-*` name: bosun's scratch files are no part of a tree",
            _ if !part.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')) => {
                "a character bosun never writes in a path (only letters, digits, `.`, `_` and `-`)"
            }
            _ => continue,
        };
        return Err(why.into());
    }
    Ok(())
}

/// A refusal for an entry of a listing (MANIFEST, the journal) at `line`;
/// the entry is quoted with escapes, as it may hold anything.
pub fn entry_refusal(file: &str, line: usize, entry: &str, why: impl Into<String>) -> Refusal {
    Refusal { entry: format!("{file} line {line}: {entry:?}"), why: why.into() }
}

pub const LINK: &str = "a symbolic link: bosun never writes links in its output folder, nor follows them";

/// The tree-relative paths of the symbolic links found where a folder
/// leading to one of `paths` would be. Each folder is looked at once;
/// nothing below a link is looked at.
pub fn links_on_the_way<'p>(
    dir: &Path,
    paths: impl IntoIterator<Item = &'p str>,
) -> Result<BTreeSet<String>, (PathBuf, io::Error)> {
    let mut seen: HashSet<&str> = HashSet::new();
    let mut links = BTreeSet::new();
    for path in paths {
        for (end, _) in path.match_indices('/') {
            let folder = &path[..end];
            if !seen.insert(folder) {
                if links.contains(folder) {
                    break;
                }
                continue;
            }
            let target = dir.join(folder);
            match fs::symlink_metadata(&target) {
                Ok(m) if m.file_type().is_symlink() => {
                    links.insert(folder.to_string());
                    break;
                }
                Ok(m) if m.is_dir() => {}
                // A file in the way, or nothing yet: nothing below it is
                // reached, and writing there fails plainly.
                Ok(_) => break,
                Err(e) if e.kind() == io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR) => break,
                Err(e) => return Err((target, e)),
            }
        }
    }
    Ok(links)
}

/// What a path of the tree holds, read without following a link.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    Missing,
    /// A regular file; its bytes are in the caller's buffer.
    File(usize),
    Folder,
    Link,
    /// A FIFO, socket or device: never bosun's, and reading one may block.
    Special,
}

/// Opens `path` for reading unless its last component is a link (its
/// folders are the caller's to have checked) or something that could block.
pub fn open_no_follow(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC).open(path)
}

/// Reads `path` into `buf` (cleared first), never through a link.
pub fn read_no_follow(path: &Path, buf: &mut Vec<u8>) -> io::Result<Found> {
    buf.clear();
    let mut file = match open_no_follow(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Found::Missing),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Ok(Found::Link),
        Err(e) => return Err(e),
    };
    let kind = file.metadata()?.file_type();
    if kind.is_dir() {
        return Ok(Found::Folder);
    }
    if !kind.is_file() {
        return Ok(Found::Special);
    }
    file.read_to_end(buf).map(Found::File)
}

/// Writes a new file at `path` (replacing a regular file there), never
/// through a link.
pub fn write_no_follow(path: &Path, bytes: &[u8], sync: bool) -> io::Result<()> {
    let mut file = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o644)
        .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
        .open(path)?;
    io::Write::write_all(&mut file, bytes)?;
    if sync {
        file.sync_all()?;
    }
    Ok(())
}

/// Makes the changes to a folder's entries (a rename into it, say) durable.
pub fn sync_folder(dir: &Path) -> io::Result<()> {
    fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_bosun_writes_are_plain() {
        for ok in ["MANIFEST", "a/b.yaml", "provisioning/tftp/boot.ipxe", "x/.hidden"] {
            assert_eq!(plain_path(ok), Ok(()), "{ok}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "a/",
            "./a",
            "a/./b",
            ".bosun-journal",
            "a/.bosun-lock",
            "a\\..\\b",
            "a b",
            "a\nb",
            "..",
        ] {
            assert!(plain_path(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn links_are_found_once_and_not_looked_through() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("a/b")).unwrap();
        fs::create_dir_all(outside.path().join("c")).unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("a/l")).unwrap();
        let paths = ["a/b/x", "a/l/c/y", "a/l/z", "new/n/m", "top"];
        let links = links_on_the_way(dir.path(), paths).unwrap();
        assert_eq!(links.into_iter().collect::<Vec<_>>(), ["a/l"]);
    }

    #[test]
    fn reads_do_not_follow_a_last_link() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("secret"), "outside").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), dir.path().join("l")).unwrap();
        let mut buf = Vec::new();
        assert_eq!(read_no_follow(&dir.path().join("l"), &mut buf).unwrap(), Found::Link);
        assert!(buf.is_empty());
        assert!(write_no_follow(&dir.path().join("l"), b"x", false).is_err());
        assert_eq!(fs::read_to_string(dir.path().join("secret")).unwrap(), "outside");
        assert_eq!(read_no_follow(&dir.path().join("none"), &mut buf).unwrap(), Found::Missing);
        assert_eq!(read_no_follow(&dir.path().join("secret"), &mut buf).unwrap(), Found::File(7));
    }
}

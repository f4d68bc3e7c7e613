//! One bosun run at a time per output folder: an exclusive advisory lock
//! (`flock`) on `.bosun-lock` inside it, held from before the folder is
//! first read until the run is done. Two compiles at once (a CI retry, a
//! developer and a hook) would otherwise interleave their files and leave a
//! tree that matches neither MANIFEST.
//!
//! The writer removes the lock file when it is done, so a compiled tree
//! holds no trace of it. A run that waited on a file another run has since
//! removed holds a lock nobody else sees: after locking, the file at the
//! path must still be the one locked, else the run tries again.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub const NAME: &str = ".bosun-lock";
/// How long a run waits for another by default; `BOSUN_LOCK_WAIT`
/// (seconds) changes it.
const DEFAULT_WAIT: Duration = Duration::from_secs(300);
const POLL: Duration = Duration::from_millis(25);

/// Why the lock was not taken.
#[derive(Debug)]
pub enum LockError {
    /// Another run held it longer than this run would wait.
    Busy {
        dir: PathBuf,
        waited: Duration,
    },
    /// `.bosun-lock` is a link or not a regular file.
    NotAFile(PathBuf),
    Io {
        path: PathBuf,
        error: io::Error,
    },
}

impl std::fmt::Display for LockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LockError::Busy { dir, waited } => write!(
                f,
                "another bosun run on {} still holds {NAME} after {} s; let it finish and run again \
                 (BOSUN_LOCK_WAIT=SECONDS waits longer)",
                dir.display(),
                waited.as_secs()
            ),
            LockError::NotAFile(path) => write!(
                f,
                "{} is not a regular file (a link, say): bosun locks only a plain file of its own; \
                 remove it and run again",
                path.display()
            ),
            LockError::Io { path, error } => write!(f, "{}: {error}", path.display()),
        }
    }
}

/// The held lock; dropping it releases it.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    file: fs::File,
    /// Whether to remove the file on release: the writer always does; a
    /// reading run only when it made the file (it may be committed).
    remove: bool,
}

impl Lock {
    /// Locks `dir` for a run that writes it (`writer`) or only reads it,
    /// waiting up to `BOSUN_LOCK_WAIT` seconds for another run, with a
    /// message on stderr while waiting.
    pub fn acquire(dir: &Path, writer: bool) -> Result<Lock, LockError> {
        let path = dir.join(NAME);
        let bound = wait_bound();
        let start = Instant::now();
        let mut told = false;
        loop {
            let (file, made) = open(&path)?;
            match file.try_lock() {
                Ok(()) if still_there(&path, &file)? => {
                    return Ok(Lock { path, file, remove: writer || made });
                }
                // The run before removed the file this one locked: again.
                Ok(()) => continue,
                Err(fs::TryLockError::WouldBlock) => {}
                Err(fs::TryLockError::Error(error)) => return Err(LockError::Io { path, error }),
            }
            if start.elapsed() >= bound {
                return Err(LockError::Busy { dir: dir.to_path_buf(), waited: start.elapsed() });
            }
            if !told {
                eprintln!("waiting for another bosun run on {} (it holds {NAME})", dir.display());
                told = true;
            }
            std::thread::sleep(POLL);
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Removed while still locked, so no run can lock this file after it
        // is gone from the folder; a failure leaves only an empty file.
        if self.remove {
            let _ = fs::remove_file(&self.path);
        }
        let _ = self.file.unlock();
    }
}

fn wait_bound() -> Duration {
    std::env::var("BOSUN_LOCK_WAIT")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map_or(DEFAULT_WAIT, Duration::from_secs_f64)
}

/// Opens (or makes) the lock file, never through a link; whether it was made.
fn open(path: &Path) -> Result<(fs::File, bool), LockError> {
    let flags = libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
    let io = |error| LockError::Io { path: path.to_path_buf(), error };
    let made =
        fs::OpenOptions::new().read(true).write(true).create_new(true).mode(0o644).custom_flags(flags).open(path);
    let (file, made) = match made {
        Ok(file) => (file, true),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            match fs::OpenOptions::new().read(true).write(true).custom_flags(flags).open(path) {
                Ok(file) => (file, false),
                Err(e) if e.raw_os_error() == Some(libc::ELOOP) => return Err(LockError::NotAFile(path.into())),
                // Removed by the run before in between: make it again.
                Err(e) if e.kind() == io::ErrorKind::NotFound => return open(path),
                Err(e) => return Err(io(e)),
            }
        }
        Err(e) => return Err(io(e)),
    };
    if !file.metadata().map_err(io)?.is_file() {
        return Err(LockError::NotAFile(path.into()));
    }
    Ok((file, made))
}

/// Whether the file at `path` is still the one `file` opened.
fn still_there(path: &Path, file: &fs::File) -> Result<bool, LockError> {
    let held = file.metadata().map_err(|error| LockError::Io { path: path.into(), error })?;
    Ok(match fs::symlink_metadata(path) {
        Ok(now) => now.dev() == held.dev() && now.ino() == held.ino(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => false,
        Err(error) => return Err(LockError::Io { path: path.into(), error }),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_waits_for_the_first_and_the_file_goes() {
        let dir = tempfile::tempdir().unwrap();
        let first = Lock::acquire(dir.path(), true).unwrap();
        let (file, made) = open(&dir.path().join(NAME)).unwrap();
        assert!(!made);
        assert!(matches!(file.try_lock(), Err(fs::TryLockError::WouldBlock)), "held");
        drop(file);
        drop(first);
        assert!(!dir.path().join(NAME).exists(), "the writer leaves no lock file behind");
        let second = Lock::acquire(dir.path(), true).unwrap();
        drop(second);
    }

    #[test]
    fn a_linked_lock_file_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("target"), "keep").unwrap();
        std::os::unix::fs::symlink(dir.path().join("target"), dir.path().join(NAME)).unwrap();
        assert!(matches!(Lock::acquire(dir.path(), true), Err(LockError::NotAFile(_))));
        assert_eq!(fs::read_to_string(dir.path().join("target")).unwrap(), "keep");
    }

    #[test]
    fn a_reader_keeps_a_lock_file_it_did_not_make() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(NAME), "").unwrap();
        drop(Lock::acquire(dir.path(), false).unwrap());
        assert!(dir.path().join(NAME).exists());
        drop(Lock::acquire(dir.path(), true).unwrap());
        assert!(!dir.path().join(NAME).exists());
    }
}

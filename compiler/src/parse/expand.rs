//! Include globs, expanded by walking the folders a pattern can reach.
//!
//! The `glob` crate follows every directory symlink, so a link back up the
//! tree under `**` never ends. Here the walk starts at the pattern's
//! literal prefix, never enters a symlinked folder, goes no deeper than the
//! pattern's components unless it holds `**` (then [`MAX_DEPTH`]), and
//! stops after [`MAX_ENTRIES`] entries.

use std::path::{Component, Path, PathBuf};

/// Files and folders one glob may walk through.
pub const MAX_ENTRIES: usize = 100_000;
/// How far below its literal folder a `**` glob may look.
pub const MAX_DEPTH: usize = 16;

pub enum ExpandError {
    Invalid(String),
    TooMany,
    TooDeep,
}

/// Whether a pattern has a wildcard.
pub fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?', '['])
}

/// The components of `pattern` before its first one with a wildcard.
pub fn literal_prefix(pattern: &str) -> &str {
    let mut end = 0;
    for (i, part) in pattern.split_inclusive('/').scan(0, |at, p| Some((std::mem::replace(at, *at + p.len()), p))) {
        if is_glob(part) {
            break;
        }
        end = i + part.len();
    }
    &pattern[..end]
}

/// `path` with `.` and `..` resolved by the text alone.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The entries matching `pattern` (relative to `dir`, the including file's
/// folder as shown to the user), sorted. Folders, and symlinks to folders,
/// are never matches; any other entry is, for the caller to vet.
pub fn expand(dir: &Path, pattern: &str) -> Result<Vec<PathBuf>, ExpandError> {
    let base = glob::Pattern::escape(&dir.to_string_lossy());
    let full = if base.is_empty() || Path::new(pattern).is_absolute() {
        pattern.to_string()
    } else {
        format!("{base}/{pattern}")
    };
    let matcher = glob::Pattern::new(&full).map_err(|e| ExpandError::Invalid(e.msg.to_string()))?;
    let options = glob::MatchOptions { require_literal_separator: true, ..glob::MatchOptions::new() };
    let prefix = literal_prefix(pattern);
    let rest = &pattern[prefix.len()..];
    let root = dir.join(prefix);
    let here = root.as_os_str().is_empty();
    let depth = if rest.contains("**") { MAX_DEPTH + 1 } else { rest.split('/').filter(|p| !p.is_empty()).count() };
    let walk = walkdir::WalkDir::new(if here { Path::new(".") } else { &root })
        .follow_links(false)
        .min_depth(1)
        .max_depth(depth);
    let mut out = Vec::new();
    for (seen, entry) in walk.into_iter().enumerate() {
        if seen >= MAX_ENTRIES {
            return Err(ExpandError::TooMany);
        }
        // Unreadable folders match nothing, as with the glob crate.
        let Ok(entry) = entry else { continue };
        if entry.depth() > MAX_DEPTH {
            return Err(ExpandError::TooDeep);
        }
        let path = if here { entry.path().strip_prefix(".").unwrap_or(entry.path()) } else { entry.path() };
        if !matcher.matches_path_with(path, options) {
            continue;
        }
        let kind = entry.file_type();
        let folder = kind.is_dir() || (kind.is_symlink() && std::fs::metadata(entry.path()).is_ok_and(|m| m.is_dir()));
        if !folder {
            out.push(path.to_path_buf());
        }
    }
    out.sort();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_literal_prefix_stops_at_the_first_wildcard() {
        assert_eq!(literal_prefix("hosts/*.kdl"), "hosts/");
        assert_eq!(literal_prefix("../../etc/*.kdl"), "../../etc/");
        assert_eq!(literal_prefix("l/**/*.kdl"), "l/");
        assert_eq!(literal_prefix("*.kdl"), "");
        assert_eq!(literal_prefix("a/b[c]/d.kdl"), "a/");
    }

    #[test]
    fn normalizing_resolves_dots_by_text() {
        assert_eq!(normalize(Path::new("/s/a/../../etc/x")), PathBuf::from("/etc/x"));
        assert_eq!(normalize(Path::new("/s/./a/b/..")), PathBuf::from("/s/a"));
    }
}

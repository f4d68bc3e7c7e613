//! Files that are not YAML, or YAML that does not parse: unified diffs of
//! their lines, with `\r\n` read as `\n` so a checkout's line-end setting is
//! never a change.

/// A unified diff with three lines of context, without the `---`/`+++`
/// header (the file's path heads its section). Empty when the two texts
/// differ only in line ends.
pub fn unified(old: &str, new: &str) -> String {
    let (old, new) = (old.replace("\r\n", "\n"), new.replace("\r\n", "\n"));
    if old == new {
        return String::new();
    }
    let diff = similar::TextDiff::from_lines(&old, &new);
    let mut out = String::new();
    for hunk in diff.unified_diff().context_radius(3).missing_newline_hint(true).iter_hunks() {
        out.push_str(&hunk.to_string());
    }
    out
}

/// Text of a file that is UTF-8; `None` for binary content.
pub fn utf8(bytes: Option<&[u8]>) -> Option<&str> {
    match bytes {
        None => Some(""),
        Some(b) => std::str::from_utf8(b).ok().filter(|t| !t.contains('\0')),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends_are_not_a_change() {
        assert_eq!(unified("a\r\nb\r\n", "a\nb\n"), "");
    }

    #[test]
    fn a_changed_line_is_one_hunk() {
        let d = unified("a\nb\nc\n", "a\nB\nc\n");
        assert_eq!(d, "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
    }
}

//! The nesting bound, checked on the raw text before anything recursive
//! (the kdl crate's parser, lowering, formatting) sees a file: a few
//! kilobytes of `{` would otherwise exhaust the stack and abort the process.
//!
//! The scan knows KDL 2.0's strings (quoted, multi-line, raw) and comments
//! (line, nested block), so a brace inside either does not count. It does
//! not validate anything else: syntax errors stay the parser's to report.
//! Where the text is broken it errs towards counting: the kdl crate
//! recovers from errors and parses on, so a quoted string ends at its line's
//! end, and an unclosed string or comment is read as code.

use std::ops::Range;

/// How deep children blocks may nest. Sites use five or six levels,
/// free-form `values` blocks a few more; the kdl crate's parser needs tens
/// of kilobytes of stack per level in a debug build.
pub const MAX_DEPTH: usize = 32;

/// The head of the first node whose children block would nest deeper than
/// [`MAX_DEPTH`]: from the node's first character through its `{`.
pub fn too_deep(text: &str) -> Option<Range<usize>> {
    let mut scan = Scan { bytes: text.as_bytes(), pos: 0, futile: Vec::new(), open_comments: false };
    let mut depth = 0usize;
    // Where the node being read starts, once a character of it was seen.
    let mut node_start: Option<usize> = None;
    while let Some(b) = scan.peek() {
        match b {
            b'/' if scan.at(1) == Some(b'/') => scan.line_comment(),
            b'/' if scan.at(1) == Some(b'*') => scan.block_comment(),
            b'"' => {
                node_start.get_or_insert(scan.pos);
                scan.quoted(0);
            }
            b'#' if raw_hashes(&scan.bytes[scan.pos..]).is_some() => {
                node_start.get_or_insert(scan.pos);
                let hashes = raw_hashes(&scan.bytes[scan.pos..]).unwrap_or(0);
                scan.pos += hashes;
                scan.quoted(hashes);
            }
            b'{' => {
                depth += 1;
                let start = node_start.take().unwrap_or(scan.pos);
                scan.pos += 1;
                if depth > MAX_DEPTH {
                    return Some(start..scan.pos);
                }
            }
            b'}' | b';' | b'\n' | b'\r' => {
                if b == b'}' {
                    depth = depth.saturating_sub(1);
                }
                node_start = None;
                scan.pos += 1;
            }
            b' ' | b'\t' | b'\\' => scan.pos += 1,
            _ => {
                node_start.get_or_insert(scan.pos);
                scan.pos += 1;
            }
        }
    }
    None
}

/// The number of `#` before a raw string's opening quote, when `rest`
/// starts a raw string.
fn raw_hashes(rest: &[u8]) -> Option<usize> {
    let n = rest.iter().take_while(|&&b| b == b'#').count();
    (n > 0 && rest.get(n) == Some(&b'"')).then_some(n)
}

struct Scan<'t> {
    bytes: &'t [u8],
    pos: usize,
    /// Closers searched for in vain from a position up to another: a later
    /// opener in that stretch cannot close either, so a text of many unclosed
    /// openers is read once, not once per opener.
    futile: Vec<(Vec<u8>, usize, usize)>,
    /// A block comment ran to the end of the text: so would every later one.
    open_comments: bool,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn line_comment(&mut self) {
        while self.peek().is_some_and(|b| b != b'\n' && b != b'\r') {
            self.pos += 1;
        }
    }

    /// An unclosed comment is read as code from after its `/*`.
    fn block_comment(&mut self) {
        let open = self.pos;
        self.pos += 2;
        if self.open_comments {
            return;
        }
        let mut depth = 1;
        while depth > 0 && self.pos < self.bytes.len() {
            match (self.bytes[self.pos], self.at(1)) {
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    self.pos += 2;
                }
                (b'/', Some(b'*')) => {
                    depth += 1;
                    self.pos += 2;
                }
                _ => self.pos += 1,
            }
        }
        if depth > 0 {
            self.open_comments = true;
            self.pos = open + 2;
        }
    }

    /// A string from its opening quote(s) to past its closing ones; `hashes`
    /// is 0 for an escaped string, else the raw string's `#` count. A
    /// single-line string ends at a line end; one that does not close is
    /// read as code from after its first quote.
    fn quoted(&mut self, hashes: usize) {
        let open = self.pos;
        let quotes = if self.bytes[self.pos..].starts_with(b"\"\"\"") { 3 } else { 1 };
        self.pos += quotes;
        let closer: Vec<u8> = std::iter::repeat_n(b'"', quotes).chain(std::iter::repeat_n(b'#', hashes)).collect();
        if self.futile.iter().any(|(c, from, to)| *c == closer && (*from..*to).contains(&open)) {
            self.pos = open + 1;
            return;
        }
        while let Some(b) = self.peek() {
            if hashes == 0 && b == b'\\' {
                self.pos += 2;
            } else if self.bytes[self.pos..].starts_with(&closer) {
                self.pos += closer.len();
                return;
            } else if quotes == 1 && (b == b'\n' || b == b'\r') {
                break;
            } else {
                self.pos += 1;
            }
        }
        self.futile.retain(|(c, _, _)| *c != closer);
        self.futile.push((closer, open, self.pos));
        self.pos = open + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(n: usize) -> String {
        format!("{}{}", "a {".repeat(n), "}".repeat(n))
    }

    #[test]
    fn counts_blocks_and_points_at_the_node_that_goes_too_deep() {
        assert_eq!(too_deep(&nested(MAX_DEPTH)), None);
        let text = nested(MAX_DEPTH + 1);
        let at = too_deep(&text).expect("too deep");
        assert_eq!(&text[at.clone()], "a {");
        assert_eq!(at.start, 3 * MAX_DEPTH);
    }

    #[test]
    fn braces_in_strings_and_comments_do_not_count() {
        let inside = "{".repeat(MAX_DEPTH + 5);
        for wrapped in [
            format!("n \"{inside}\""),
            format!("n #\"{inside}\"#"),
            format!("n ##\"\"\"\n{inside}\"#\n\"\"\"##"),
            format!("n \"\"\"\n\\\"\"\"{inside}\n\"\"\""),
            format!("// {inside}\nn 1"),
            format!("/* /* */ {inside} */ n 1"),
        ] {
            assert_eq!(too_deep(&wrapped), None, "{wrapped}");
        }
        // A string may close braces it did not open; the real ones still count.
        let sneaky = format!("{}{}", "a { \"}\" ".repeat(MAX_DEPTH + 1), "}".repeat(MAX_DEPTH + 1));
        assert!(too_deep(&sneaky).is_some());
    }

    #[test]
    fn broken_strings_and_comments_do_not_hide_braces() {
        let deep = nested(MAX_DEPTH + 1);
        for broken in
            [format!("l\"x {deep}"), format!("n \"\"\"\n{deep}"), format!("n #\"{deep}"), format!("/* {deep}")]
        {
            assert!(too_deep(&broken).is_some(), "{broken}");
        }
    }

    #[test]
    fn the_kdl_crate_parses_the_deepest_allowed_file_on_a_test_threads_stack() {
        // Test threads have 2 MiB of stack, as rayon's workers do; a raw
        // string sends the file past the fast parser to the kdl crate.
        let text = format!("{}x #\"raw\"#\n{}", "a {\n".repeat(MAX_DEPTH), "}\n".repeat(MAX_DEPTH));
        assert_eq!(too_deep(&text), None);
        assert!(kdl::KdlDocument::parse_v2(&text).is_ok());
        let broken = text.replacen("a {", "a\" {", 3);
        assert!(kdl::KdlDocument::parse_v2(&broken).is_err());
    }

    #[test]
    fn unclosed_openers_are_read_once() {
        for opener in ["\"\"\"", "#\"", "\\\"", "/*"] {
            let text = format!("n {}", opener.repeat(200_000));
            let start = std::time::Instant::now();
            too_deep(&text);
            assert!(start.elapsed() < std::time::Duration::from_secs(2), "{opener}: {:?}", start.elapsed());
        }
    }

    #[test]
    fn a_deep_file_is_scanned_in_linear_time() {
        let text = "{".repeat(1_000_000);
        let at = too_deep(&text).expect("too deep");
        assert_eq!(at, MAX_DEPTH..MAX_DEPTH + 1);
    }
}

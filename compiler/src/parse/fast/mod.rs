//! A direct parser for the part of KDL 2.0 that site files use in practice.
//!
//! The `kdl` crate keeps every byte of formatting for round-tripping and
//! parses a few megabytes a second; a 10,000-host site would spend most of
//! its compile time there. This parser goes straight to bosun's [`Node`]s,
//! with the same values and spans, but only for a conservative subset:
//! bare identifiers of printable ASCII, single-line quoted strings, decimal
//! numbers, `#true`/`#false`/`#null`, line and block comments, children and
//! `;`. On anything else — raw or multi-line strings, slashdash, type
//! annotations, line continuations, exotic whitespace, and every syntax
//! error — it answers `None` and the caller parses the file with the `kdl`
//! crate, whose verdict and messages are then the ones the user sees. The
//! two are compared on every example, UI case and mutated document by
//! `tests::agrees_with_the_kdl_crate`.

use super::tree::{Entry, Node, Scalar};
use crate::source::{FileId, Span};

/// The nodes of `text`, or `None` when the text is outside the subset (or
/// not valid KDL).
pub fn parse(text: &str, file: FileId) -> Option<Vec<Node>> {
    parse_in_halves(text, file, HALVES_ABOVE)
}

/// From this size on, a file is read in two halves at once.
const HALVES_ABOVE: usize = 1 << 20;

/// Splits after a `}` alone on its line near the middle. When the first
/// half reads to its end, that brace closed a top-level node, so the second
/// half starts where a node may: both halves read as the whole would. When
/// it does not (the brace was nested, or in a comment), the whole file is
/// read in one go.
fn parse_in_halves(text: &str, file: FileId, above: usize) -> Option<Vec<Node>> {
    let split = (text.len() >= above).then(|| top_level_break(text)).flatten();
    if let Some(mid) = split {
        let (first, second) =
            rayon::join(|| parse_range(text, file, 0, mid), || parse_range(text, file, mid, text.len()));
        if let (Some(mut first), Some(second)) = (first, second) {
            first.extend(second);
            return Some(first);
        }
    }
    parse_range(text, file, 0, text.len())
}

/// Just after the first `\n}\n` past the middle of the text.
fn top_level_break(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let from = bytes.len() / 2;
    let at = bytes[from..].windows(3).position(|w| w == b"\n}\n")? + from + 3;
    (at < bytes.len()).then_some(at)
}

/// The nodes of `text[start..end]`, with spans in the whole text.
fn parse_range(text: &str, file: FileId, start: usize, end: usize) -> Option<Vec<Node>> {
    let bytes = &text.as_bytes()[..end];
    let mut p = Parser { text, bytes, pos: start, file, nodes: Vec::new(), entries: Vec::new() };
    let nodes = p.nodes(0)?;
    (p.pos == end).then_some(nodes)
}

/// Children blocks nest at most this deep before the kdl crate takes over
/// (it reports what is wrong; recursion here stays bounded).
const MAX_DEPTH: usize = 64;

struct Parser<'t> {
    text: &'t str,
    bytes: &'t [u8],
    pos: usize,
    file: FileId,
    /// Nodes and entries being read, on stacks: each list is moved into a
    /// vector of its exact size when complete. Grown one push at a time,
    /// the lists of a large site held several times the memory they use.
    nodes: Vec<Node>,
    entries: Vec<Entry>,
}

/// What ended a node.
#[derive(PartialEq)]
enum End {
    Line,
    Brace,
    Eof,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos + ahead).copied()
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.pos)
    }

    /// Nodes up to the end of the text (depth 0) or up to a `}` (left unconsumed).
    fn nodes(&mut self, depth: usize) -> Option<Vec<Node>> {
        let mark = self.nodes.len();
        loop {
            self.line_space()?;
            match self.peek() {
                None if depth == 0 => return Some(self.nodes.drain(mark..).collect()),
                Some(b'}') if depth > 0 => return Some(self.nodes.drain(mark..).collect()),
                None | Some(b'}') => return None,
                Some(_) => {
                    let (node, end) = self.node(depth)?;
                    self.nodes.push(node);
                    if end == End::Brace && depth == 0 {
                        return None;
                    }
                }
            }
        }
    }

    /// Blank space between nodes: whitespace, newlines and comments.
    fn line_space(&mut self) -> Option<()> {
        loop {
            match self.peek() {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') if self.peek_at(1) == Some(b'/') => self.line_comment()?,
                Some(b'/') if self.peek_at(1) == Some(b'*') => self.block_comment()?,
                Some(_) | None => return Some(()),
            }
        }
    }

    /// Spaces and block comments inside a node; true when any was skipped.
    fn node_space(&mut self) -> Option<bool> {
        let start = self.pos;
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'/') if self.peek_at(1) == Some(b'*') => self.block_comment()?,
                _ => return Some(self.pos > start),
            }
        }
    }

    /// `// …` up to and including the line end.
    fn line_comment(&mut self) -> Option<()> {
        self.pos += 2;
        while let Some(b) = self.peek() {
            match b {
                b'\n' => {
                    self.pos += 1;
                    return Some(());
                }
                b'\r' => return self.newline(),
                _ => self.plain_char()?,
            }
        }
        Some(())
    }

    /// `/* … */`, nested.
    fn block_comment(&mut self) -> Option<()> {
        self.pos += 2;
        let mut depth = 1;
        while depth > 0 {
            match (self.peek()?, self.peek_at(1)) {
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    self.pos += 2;
                }
                (b'/', Some(b'*')) => {
                    depth += 1;
                    self.pos += 2;
                }
                (b'\n' | b'\r', _) => self.pos += 1,
                _ => self.plain_char()?,
            }
        }
        Some(())
    }

    /// `\n`, `\r\n` or `\r`.
    fn newline(&mut self) -> Option<()> {
        match self.peek()? {
            b'\n' => self.pos += 1,
            b'\r' => self.pos += if self.peek_at(1) == Some(b'\n') { 2 } else { 1 },
            _ => return None,
        }
        Some(())
    }

    /// Steps over one character that may appear literally in a comment or a
    /// string; `None` for characters KDL forbids or treats as a line end.
    fn plain_char(&mut self) -> Option<()> {
        let b = self.peek()?;
        if b.is_ascii() {
            if b < 0x20 && b != b'\t' || b == 0x7f {
                return None;
            }
            self.pos += 1;
            return Some(());
        }
        let c = self.text[self.pos..].chars().next()?;
        if forbidden_literal(c) {
            return None;
        }
        self.pos += c.len_utf8();
        Some(())
    }

    fn node(&mut self, depth: usize) -> Option<(Node, End)> {
        let start = self.pos;
        let name = self.string()?;
        let name_span = self.span(start);
        let mark = self.entries.len();
        loop {
            let spaced = self.node_space()?;
            if let Some(end) = self.terminator()? {
                let entries = self.entries.drain(mark..).collect();
                return Some((node(name, name_span, entries, None), end));
            }
            if self.peek() == Some(b'{') {
                let entries = self.entries.drain(mark..).collect();
                let children = self.children(depth)?;
                self.node_space()?;
                let end = self.terminator()?;
                return Some((node(name, name_span, entries, Some(children)), end?));
            }
            if !spaced {
                return None;
            }
            let entry = self.entry()?;
            self.entries.push(entry);
        }
    }

    /// A node's end, consumed (a `}` is left for the enclosing block);
    /// `Some(None)` when the node goes on.
    fn terminator(&mut self) -> Option<Option<End>> {
        let end = match self.peek() {
            None => End::Eof,
            Some(b'\n' | b'\r') => {
                self.newline()?;
                End::Line
            }
            Some(b';') => {
                self.pos += 1;
                End::Line
            }
            Some(b'/') if self.peek_at(1) == Some(b'/') => {
                self.line_comment()?;
                End::Line
            }
            Some(b'}') => End::Brace,
            Some(_) => return Some(None),
        };
        Some(Some(end))
    }

    fn children(&mut self, depth: usize) -> Option<Vec<Node>> {
        if depth >= MAX_DEPTH {
            return None;
        }
        self.pos += 1;
        let children = self.nodes(depth + 1)?;
        (self.peek() == Some(b'}')).then(|| self.pos += 1)?;
        Some(children)
    }

    fn entry(&mut self) -> Option<Entry> {
        let start = self.pos;
        let first = self.peek()?;
        let value = if first == b'"' || is_ident_start(first, self.peek_at(1)) {
            let text = self.string()?;
            let key_span = self.span(start);
            let after_key = self.pos;
            self.node_space()?;
            if self.peek() == Some(b'=') {
                self.pos += 1;
                self.node_space()?;
                let value_start = self.pos;
                let value = self.value()?;
                let value_span = self.span(value_start);
                return Some(Entry { key: Some((text, key_span)), value, value_span, span: self.span(start) });
            }
            self.pos = after_key;
            if !self.value_ends() {
                return None;
            }
            Scalar::String(text)
        } else {
            self.value()?
        };
        Some(Entry { key: None, value, value_span: self.span(start), span: self.span(start) })
    }

    fn value(&mut self) -> Option<Scalar> {
        let value = match self.peek()? {
            b'#' => self.keyword()?,
            b'"' => Scalar::String(self.quoted()?),
            b if b.is_ascii_digit() => self.number()?,
            b'+' | b'-' if self.peek_at(1).is_some_and(|b| b.is_ascii_digit()) => self.number()?,
            b if is_ident_start(b, self.peek_at(1)) => Scalar::String(self.identifier()?),
            _ => return None,
        };
        self.value_ends().then_some(value)
    }

    /// A value must be followed by space, a line end, `;`, `}` or a comment.
    fn value_ends(&self) -> bool {
        match self.peek() {
            None | Some(b' ' | b'\t' | b'\n' | b'\r' | b';' | b'}') => true,
            Some(b'/') => matches!(self.peek_at(1), Some(b'/' | b'*')),
            Some(_) => false,
        }
    }

    fn keyword(&mut self) -> Option<Scalar> {
        let rest = &self.bytes[self.pos..];
        let (value, len) = if rest.starts_with(b"#true") {
            (Scalar::Bool(true), 5)
        } else if rest.starts_with(b"#false") {
            (Scalar::Bool(false), 6)
        } else if rest.starts_with(b"#null") {
            (Scalar::Null, 5)
        } else {
            return None;
        };
        self.pos += len;
        Some(value)
    }

    /// A node name or property key: a quoted string or an identifier.
    fn string(&mut self) -> Option<String> {
        match self.peek()? {
            b'"' => self.quoted(),
            b if is_ident_start(b, self.peek_at(1)) => self.identifier(),
            _ => None,
        }
    }

    fn identifier(&mut self) -> Option<String> {
        let start = self.pos;
        while self.peek().is_some_and(is_ident_byte) {
            self.pos += 1;
        }
        // A non-ASCII character would need Unicode's whitespace tables.
        if self.peek().is_some_and(|b| !b.is_ascii()) {
            return None;
        }
        let ident = &self.text[start..self.pos];
        let reserved = matches!(ident, "true" | "false" | "null" | "inf" | "-inf" | "nan");
        (!reserved).then(|| ident.to_string())
    }

    /// `"…"` on one line; `"""` and whitespace escapes are left to the kdl crate.
    fn quoted(&mut self) -> Option<String> {
        if self.bytes[self.pos..].starts_with(b"\"\"\"") {
            return None;
        }
        self.pos += 1;
        let mut out = String::new();
        let mut run = self.pos;
        loop {
            match self.peek()? {
                b'"' => {
                    out.push_str(&self.text[run..self.pos]);
                    self.pos += 1;
                    return Some(out);
                }
                b'\\' => {
                    out.push_str(&self.text[run..self.pos]);
                    out.push(self.escape()?);
                    run = self.pos;
                }
                b'\n' | b'\r' => return None,
                _ => self.plain_char()?,
            }
        }
    }

    fn escape(&mut self) -> Option<char> {
        let c = match self.peek_at(1)? {
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'\\' => '\\',
            b'"' => '"',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b's' => ' ',
            b'u' => return self.unicode_escape(),
            _ => return None,
        };
        self.pos += 2;
        Some(c)
    }

    /// `\u{1F600}`: one to six hex digits naming a scalar value.
    fn unicode_escape(&mut self) -> Option<char> {
        let rest = self.text.get(self.pos + 2..)?;
        let digits = rest.strip_prefix('{')?.split_once('}')?.0;
        if digits.is_empty() || digits.len() > 6 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        let c = char::from_u32(u32::from_str_radix(digits, 16).ok()?)?;
        self.pos += 2 + 1 + digits.len() + 1;
        Some(c)
    }

    /// Decimal integers and floats; hex, octal and binary go to the kdl crate.
    fn number(&mut self) -> Option<Scalar> {
        let start = self.pos;
        if matches!(self.peek(), Some(b'+' | b'-')) {
            self.pos += 1;
        }
        if self.peek() == Some(b'0') && matches!(self.peek_at(1), Some(b'x' | b'o' | b'b')) {
            return None;
        }
        self.digits()?;
        let mut float = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.digits()?;
            float = true;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            self.digits()?;
            float = true;
        }
        let clean: String = self.text[start..self.pos].chars().filter(|&c| c != '_').collect();
        if float {
            let f: f64 = clean.parse().ok()?;
            f.is_finite().then_some(Scalar::Float(f))
        } else {
            clean.parse().ok().map(Scalar::Integer)
        }
    }

    /// A digit followed by digits and underscores.
    fn digits(&mut self) -> Option<()> {
        if !self.peek()?.is_ascii_digit() {
            return None;
        }
        while self.peek().is_some_and(|b| b.is_ascii_digit() || b == b'_') {
            self.pos += 1;
        }
        Some(())
    }
}

fn node(name: String, name_span: Span, entries: Vec<Entry>, children: Option<Vec<Node>>) -> Node {
    let head = entries.iter().fold(name_span, |acc, e| acc.to(e.span));
    Node { name, name_span, head, entries, children }
}

/// Printable ASCII that KDL allows in an identifier.
fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_graphic()
        && !matches!(b, b'\\' | b'/' | b'(' | b')' | b'{' | b'}' | b';' | b'[' | b']' | b'"' | b'#' | b'=')
}

/// Where an identifier may start: not a digit, not a sign or dot before a
/// digit (those are numbers), and — to stay clear of the dotted forms — not
/// a dot at all.
fn is_ident_start(b: u8, next: Option<u8>) -> bool {
    match b {
        b'0'..=b'9' | b'.' => false,
        b'+' | b'-' => next.is_none_or(|n| !n.is_ascii_digit() && n != b'.'),
        _ => is_ident_byte(b),
    }
}

/// Code points KDL forbids anywhere, or counts as line ends, outside ASCII.
fn forbidden_literal(c: char) -> bool {
    matches!(c, '\u{85}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2028}' | '\u{2029}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

#[cfg(test)]
mod tests;

//! `bosun fmt`: canonical layout of site files that keeps every comment.
//!
//! The formatter works on lines, guided by a small KDL lexer that knows
//! strings (quoted, raw, multi-line) and comments (line, block, nested), so it
//! never touches the inside of either:
//!
//! - each line is indented four spaces per open `{` (a line starting with `}`
//!   closes first; a line after an escaped newline `\` gets one more level);
//! - trailing whitespace goes, and so do blank lines at the start of the file,
//!   right after `{` and right before `}`; runs of blank lines become one;
//! - runs of spaces between tokens become one space, except the spaces before a
//!   trailing `//` comment, which stay so aligned comments stay aligned;
//! - the file ends with exactly one newline.
//!
//! Lines inside a multi-line string or block comment are left byte for byte.
//! The result is checked before it is returned: it must parse, and its KDL
//! document with all formatting stripped must equal the original's, so
//! formatting can never change what a site means.

use std::path::{Path, PathBuf};

const INDENT: &str = "    ";

/// Why a file could not be formatted.
#[derive(Debug)]
pub enum FmtError {
    /// The file is not valid KDL 2.
    Syntax(String),
    /// The formatted text would not mean the same (a bug; the file is left alone).
    Changed,
    /// Blocks nest deeper than the parser allows (1-based line and column).
    TooDeep(usize, usize),
}

impl std::fmt::Display for FmtError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FmtError::Syntax(m) => write!(f, "not valid KDL: {m}"),
            FmtError::Changed => write!(f, "formatting would change the document's meaning; left unchanged"),
            FmtError::TooDeep(line, col) => write!(
                f,
                "{line}:{col}: blocks nest more than {} levels deep [{}]; {}",
                crate::parse::depth::MAX_DEPTH,
                crate::parse::errors::NESTING.id,
                crate::parse::errors::NESTING.help
            ),
        }
    }
}

/// The canonical form of one KDL text.
pub fn format_text(text: &str) -> Result<String, FmtError> {
    // The kdl crate's parser recurses once per block.
    if let Some(head) = crate::parse::depth::too_deep(text) {
        let line_start = text[..head.start].rfind('\n').map_or(0, |i| i + 1);
        let line = text[..head.start].matches('\n').count() + 1;
        return Err(FmtError::TooDeep(line, text[line_start..head.start].chars().count() + 1));
    }
    let before = stripped(text)?;
    let out = layout(text);
    let after = stripped(&out).map_err(|_| FmtError::Changed)?;
    if before != after {
        return Err(FmtError::Changed);
    }
    Ok(out)
}

/// The document with every comment and layout choice removed.
fn stripped(text: &str) -> Result<String, FmtError> {
    let mut doc = kdl::KdlDocument::parse_v2(text).map_err(|e| {
        FmtError::Syntax(
            e.diagnostics.first().and_then(|d| d.message.clone()).unwrap_or_else(|| "invalid KDL".to_string()),
        )
    })?;
    doc.autoformat_no_comments();
    Ok(doc.to_string())
}

#[derive(Clone, Copy, PartialEq)]
enum State {
    Code,
    /// Inside a single-line quoted string.
    Quoted,
    /// Inside a raw string closed by `"` and this many `#`.
    Raw(usize, bool),
    /// Inside a block comment, nested this deep.
    Block(usize),
}

/// One source line, split for layout.
struct Line {
    /// The line is (at its start) inside a multi-line string or block comment.
    verbatim: bool,
    text: String,
    /// Brace depth at the start of the line.
    depth: usize,
    /// The first code character is `}`.
    closes: bool,
    /// The previous line ended with an escaped newline.
    continued: bool,
    /// The line ends in a `{` outside strings and comments.
    opens_block: bool,
}

fn layout(text: &str) -> String {
    let mut state = State::Code;
    let mut depth = 0usize;
    let mut continued = false;
    let mut lines = Vec::new();
    for raw in text.lines() {
        let verbatim = state != State::Code;
        let start_depth = depth;
        let (body, next_state, closes, opens_block, cont, new_depth) = scan_line(raw, state, depth, verbatim);
        lines.push(Line { verbatim, text: body, depth: start_depth, closes, continued, opens_block });
        state = next_state;
        depth = new_depth;
        continued = cont;
    }
    let mut out: Vec<String> = Vec::new();
    let mut prev_blank = true; // no blank lines at the top
    let mut prev_opens = false;
    for (i, line) in lines.iter().enumerate() {
        if line.verbatim {
            out.push(line.text.trim_end_matches(['\r']).to_string());
            prev_blank = false;
            prev_opens = false;
            continue;
        }
        if line.text.is_empty() {
            let next_closes = lines[i + 1..].iter().find(|l| l.verbatim || !l.text.is_empty()).is_none_or(|l| l.closes);
            if !prev_blank && !prev_opens && !next_closes {
                out.push(String::new());
                prev_blank = true;
            }
            continue;
        }
        let level = line.depth.saturating_sub(usize::from(line.closes)) + usize::from(line.continued);
        out.push(format!("{}{}", INDENT.repeat(level), line.text));
        prev_blank = false;
        prev_opens = line.opens_block;
    }
    while out.last().is_some_and(String::is_empty) {
        out.pop();
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

/// Lexes one line from `state`: returns its normalized body (trimmed, spaces
/// collapsed outside strings and comments), the state after it, whether it
/// starts with `}`, whether its code ends with `{`, whether it ends with an
/// escaped newline, and the brace depth after it.
fn scan_line(
    raw: &str,
    mut state: State,
    mut depth: usize,
    verbatim: bool,
) -> (String, State, bool, bool, bool, usize) {
    let chars: Vec<char> = raw.trim_end_matches('\r').chars().collect();
    let mut out = String::new();
    let mut i = 0;
    if !verbatim {
        while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t') {
            i += 1;
        }
    }
    let mut closes = None;
    let mut last_code = None;
    let mut pending_space: Option<String> = None;
    while i < chars.len() {
        let c = chars[i];
        match state {
            State::Code => {
                if c == ' ' || c == '\t' {
                    let start = i;
                    while i < chars.len() && (chars[i] == ' ' || chars[i] == '\t') {
                        i += 1;
                    }
                    pending_space = Some(chars[start..i].iter().collect());
                    continue;
                }
                let is_line_comment = c == '/' && chars.get(i + 1) == Some(&'/');
                if let Some(sp) = pending_space.take()
                    && !out.is_empty()
                {
                    out.push_str(if is_line_comment { &sp } else { " " });
                }
                if is_line_comment {
                    out.extend(&chars[i..]);
                    break;
                }
                if c == '/' && chars.get(i + 1) == Some(&'*') {
                    out.push_str("/*");
                    i += 2;
                    state = State::Block(1);
                    continue;
                }
                if closes.is_none() {
                    closes = Some(c == '}');
                }
                last_code = Some(c);
                match c {
                    '{' => depth += 1,
                    '}' => depth = depth.saturating_sub(1),
                    '"' => {
                        if chars.get(i + 1) == Some(&'"') && chars.get(i + 2) == Some(&'"') {
                            out.push_str("\"\"\"");
                            i += 3;
                            state = State::Raw(0, true);
                            continue;
                        }
                        state = State::Quoted;
                    }
                    '#' => {
                        let mut n = 0;
                        while chars.get(i + n) == Some(&'#') {
                            n += 1;
                        }
                        if chars.get(i + n) == Some(&'"') {
                            let multi = chars.get(i + n + 1) == Some(&'"') && chars.get(i + n + 2) == Some(&'"');
                            let len = n + if multi { 3 } else { 1 };
                            out.extend(&chars[i..i + len]);
                            i += len;
                            state = State::Raw(n, multi);
                            continue;
                        }
                    }
                    _ => {}
                }
                out.push(c);
                i += 1;
            }
            State::Quoted => {
                out.push(c);
                if c == '\\' {
                    if let Some(&n) = chars.get(i + 1) {
                        out.push(n);
                        i += 1;
                    }
                } else if c == '"' {
                    state = State::Code;
                }
                i += 1;
            }
            State::Raw(n, multi) => {
                let quotes = if multi { 3 } else { 1 };
                if c == '\\' && n == 0 {
                    out.push(c);
                    if let Some(&x) = chars.get(i + 1) {
                        out.push(x);
                        i += 1;
                    }
                    i += 1;
                    continue;
                }
                let closing = (0..quotes).all(|k| chars.get(i + k) == Some(&'"'))
                    && (0..n).all(|k| chars.get(i + quotes + k) == Some(&'#'));
                if closing {
                    out.extend(&chars[i..i + quotes + n]);
                    i += quotes + n;
                    state = State::Code;
                    last_code = Some('"');
                    continue;
                }
                out.push(c);
                i += 1;
            }
            State::Block(d) => {
                if c == '*' && chars.get(i + 1) == Some(&'/') {
                    out.push_str("*/");
                    i += 2;
                    state = if d == 1 { State::Code } else { State::Block(d - 1) };
                    continue;
                }
                if c == '/' && chars.get(i + 1) == Some(&'*') {
                    out.push_str("/*");
                    i += 2;
                    state = State::Block(d + 1);
                    continue;
                }
                out.push(c);
                i += 1;
            }
        }
    }
    // A quoted string cannot span lines unless the newline is escaped; keep
    // lexing it as a string (the parse check guards the rest).
    let continued = state == State::Code && last_code == Some('\\');
    let body = if verbatim { raw.trim_end_matches('\r').to_string() } else { out.trim_end().to_string() };
    (body, state, closes == Some(true), last_code == Some('{'), continued, depth)
}

/// Every file of the site rooted at `site`, in load order: (the name shown
/// to the user, the canonical path to read and write).
pub fn site_files(site: &Path) -> Result<Vec<(String, PathBuf)>, crate::parse::ReadError> {
    let mut diags = crate::diag::Diagnostics::default();
    let parsed = crate::parse::parse(site, &mut diags)?;
    Ok(parsed.sources.files().map(|(_, f)| (f.name.clone(), f.path.clone())).collect())
}

/// One file's outcome.
pub enum Outcome {
    Unchanged,
    /// The canonical text differs from the file's.
    Changed(String),
    Failed(FmtError),
}

/// Formats every file of a site in memory.
pub fn format_site(site: &Path) -> Result<Vec<(String, PathBuf, Outcome)>, crate::parse::ReadError> {
    let mut out = Vec::new();
    for (name, path) in site_files(site)? {
        let outcome = match std::fs::read_to_string(&path) {
            Ok(text) => match format_text(&text) {
                Ok(f) if f == text => Outcome::Unchanged,
                Ok(f) => Outcome::Changed(f),
                Err(e) => Outcome::Failed(e),
            },
            Err(e) => Outcome::Failed(FmtError::Syntax(e.to_string())),
        };
        out.push((name, path, outcome));
    }
    Ok(out)
}

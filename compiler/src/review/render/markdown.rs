//! The review as a pull-request comment: the summary first, then one
//! collapsible `<details>` section per file with a ```` ```diff ```` block.
//!
//! Code hosts cap a comment's size (GitHub at 65,536 characters), so the
//! whole text stays within a budget: a file's diff longer than
//! `FILE_LINES` lines is cut, and once the next file no longer fits, the
//! rest are left out with a note saying how many files and lines were.

use std::fmt::Write;

use super::{Line, Review, blast_lines, file_counts, file_lines, hosts_line, kind_counts};

/// Most characters of the whole comment.
pub const BUDGET: usize = 60_000;
/// Most lines of one file's diff.
const FILE_LINES: usize = 400;
/// Longest line kept whole; longer ones are cut.
const LINE_WIDTH: usize = 400;
/// Room kept for the closing truncation note.
const NOTE_ROOM: usize = 200;
/// A file is shown cut rather than left out if at least this many of its
/// lines fit.
const MIN_LINES: usize = 5;

pub fn render(review: &Review, title: &str, budget: usize) -> String {
    let mut out = head(review, title);
    if !review.has_changes() {
        return out;
    }
    out.push_str("### Files\n\n");
    let mut used = out.chars().count();
    let (mut left_files, mut left_lines) = (0usize, 0usize);
    // Set once a file had to be cut or left out for room: the rest are left out.
    let mut full = false;
    for file in &review.files {
        let lines = file_lines(file);
        if full {
            left_files += 1;
            left_lines += lines.len();
            continue;
        }
        let room = budget.saturating_sub(used + NOTE_ROOM);
        let wanted = lines.len().min(FILE_LINES);
        let mut shown = wanted;
        let mut text = section(file.status.as_str(), &file.path, &lines, shown);
        while text.chars().count() > room && shown > 0 {
            // Shrink in proportion to the overshoot, at least by one line.
            let scaled = shown * room / text.chars().count();
            shown = scaled.min(shown - 1);
            text = section(file.status.as_str(), &file.path, &lines, shown);
        }
        if text.chars().count() > room || (shown < wanted && shown < MIN_LINES) {
            full = true;
            left_files += 1;
            left_lines += lines.len();
            continue;
        }
        full = shown < wanted;
        left_lines += lines.len() - shown;
        used += text.chars().count();
        out.push_str(&text);
    }
    if left_files > 0 || left_lines > 0 {
        let _ = writeln!(
            out,
            "> **Truncated:** … {left_files} more files / {left_lines} lines not shown. \
             Run `bosun diff` locally, or use `--format json`, for the whole review."
        );
    }
    out
}

fn head(review: &Review, title: &str) -> String {
    let s = &review.summary;
    let mut out = format!("## bosun review: {}\n\n", escape(title));
    if !review.has_changes() {
        let _ = writeln!(out, "No changes ({}).", file_counts(s));
        return out;
    }
    let _ = writeln!(out, "**{} file(s) change:** {}.\n", review.files.len(), file_counts(s));
    let _ = writeln!(out, "**Hosts:** {}\n", escape(&hosts_line(s)));
    if !s.resources.is_empty() {
        out.push_str("| resource kind | changes |\n|---|---|\n");
        for k in &s.resources {
            let _ = writeln!(out, "| {} | {} |", escape(&k.kind), kind_counts(k));
        }
        out.push('\n');
    }
    let blast = blast_lines(s);
    if !blast.is_empty() {
        out.push_str("**Blast radius**\n\n");
        for (label, items) in blast {
            let items: Vec<String> = items.iter().map(|i| format!("<code>{}</code>", escape(i))).collect();
            let _ = writeln!(out, "- {label}: {}", items.join(", "));
        }
        out.push('\n');
    }
    if !review.foreign.is_empty() {
        out.push_str(
            "**Found what bosun never writes** (not compared, not followed; `compile` refuses to act on it):\n\n",
        );
        for f in &review.foreign {
            let _ = writeln!(out, "- <code>{}</code>: {}", escape(&f.path), escape(f.why));
        }
        out.push('\n');
    }
    if !review.layout_only.is_empty() {
        let paths: Vec<String> = review.layout_only.iter().map(|p| format!("<code>{}</code>", escape(p))).collect();
        let _ = writeln!(out, "Layout only (content unchanged): {}\n", paths.join(", "));
    }
    out
}

/// One file: a collapsed section with its first `shown` diff lines.
fn section(status: &str, path: &str, lines: &[Line], shown: usize) -> String {
    let mut body: Vec<String> = lines.iter().take(shown).map(|l| cut(&l.diff_text())).collect();
    if shown < lines.len() {
        body.push(format!("… {} more lines of this file not shown", lines.len() - shown));
    }
    let fence = fence_for(&body);
    // The <details> line is an HTML block, whose text markdown leaves alone:
    // HTML escapes only.
    let mut out = format!("<details><summary><code>{}</code> — {status}</summary>\n\n{fence}diff\n", html(path));
    for l in body {
        out.push_str(&l);
        out.push('\n');
    }
    let _ = write!(out, "{fence}\n\n</details>\n\n");
    out
}

/// A backtick fence longer than any run of backticks in the content, so no
/// line can close it early.
fn fence_for(lines: &[String]) -> String {
    let longest = lines.iter().flat_map(|l| l.split(|c| c != '`')).map(str::len).max().unwrap_or(0);
    "`".repeat((longest + 1).max(3))
}

fn cut(line: &str) -> String {
    if line.chars().count() <= LINE_WIDTH {
        return line.to_string();
    }
    let kept: String = line.chars().take(LINE_WIDTH).collect();
    format!("{kept}… (line cut)")
}

/// Text safe inside an HTML block.
fn html(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// Text safe inside markdown inline content (which inline HTML tags such as
/// <code> do not shield from markdown).
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '*' | '_' | '`' | '[' | ']' | '\\' | '|' => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    out
}

//! The review printed three ways: `terminal` (colour only on a terminal),
//! `markdown` (a pull-request comment within a size budget) and `json` (for
//! bots; the schema is in docs/ci.md). The first two share the summary's
//! wording and each file's diff lines, built here.

mod json;
mod markdown;
mod terminal;

use serde_json::Value;

use super::resources::inline;
use super::{Body, DocChange, FileDiff, Review, Status, Summary};

pub use markdown::BUDGET as MARKDOWN_BUDGET;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Terminal { colour: bool },
    Markdown,
    Json,
}

/// The review in `format`. `title` names what was compared (e.g. the
/// output folder), for the heading.
pub fn render(review: &Review, format: Format, title: &str) -> String {
    match format {
        Format::Terminal { colour } => terminal::render(review, colour, title),
        Format::Markdown => markdown::render(review, title, markdown::BUDGET),
        Format::Json => json::render(review),
    }
}

/// The markdown with another budget (for tests of the truncation).
pub fn markdown_within(review: &Review, title: &str, budget: usize) -> String {
    markdown::render(review, title, budget)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `@@ … @@`: a hunk or a document.
    Header,
    Context,
    Added,
    Removed,
    /// Said about the file, not a line of it.
    Note,
}

struct Line {
    kind: Kind,
    text: String,
}

impl Line {
    fn new(kind: Kind, text: impl Into<String>) -> Line {
        Line { kind, text: text.into() }
    }

    /// As in a unified diff: `+`, `-`, ` ` or nothing before the text.
    fn diff_text(&self) -> String {
        match self.kind {
            Kind::Added => format!("+{}", self.text),
            Kind::Removed => format!("-{}", self.text),
            Kind::Context => format!(" {}", self.text),
            Kind::Header | Kind::Note => self.text.clone(),
        }
    }
}

/// Longest a value is printed on one line of a field change.
const VALUE_WIDTH: usize = 240;

fn file_lines(file: &FileDiff) -> Vec<Line> {
    match &file.body {
        Body::Documents(docs) if docs.is_empty() => vec![Line::new(Kind::Note, "(an empty file)")],
        Body::Documents(docs) => docs.iter().flat_map(doc_lines).collect(),
        Body::Text(diff) => text_lines(diff, ""),
        Body::Binary { old, new } => vec![Line::new(Kind::Note, format!("binary content: {old} → {new} bytes"))],
        Body::Manifest { lines } => vec![Line::new(
            Kind::Note,
            format!("{lines} line(s) of file hashes and site digest changed (`sha256sum -c MANIFEST` checks them)"),
        )],
    }
}

/// A unified diff's lines, each text after its `+`/`-`/` ` behind `indent`.
fn text_lines(diff: &str, indent: &str) -> Vec<Line> {
    diff.lines()
        .map(|l| match l.chars().next() {
            Some('+') => Line::new(Kind::Added, format!("{indent}{}", &l[1..])),
            Some('-') => Line::new(Kind::Removed, format!("{indent}{}", &l[1..])),
            Some(' ') => Line::new(Kind::Context, format!("{indent}{}", &l[1..])),
            Some('@') if indent.is_empty() => Line::new(Kind::Header, l),
            _ => Line::new(Kind::Note, format!("{indent}{l}")),
        })
        .collect()
}

fn doc_lines(doc: &DocChange) -> Vec<Line> {
    let label = doc.key.label();
    let mut out = Vec::new();
    match doc.status {
        Status::Modified => {
            out.push(Line::new(Kind::Header, format!("@@ {label} @@")));
            for f in &doc.fields {
                if let (Some(Value::String(a)), Some(Value::String(b))) = (&f.old, &f.new)
                    && (a.contains('\n') || b.contains('\n'))
                {
                    // A script or an embedded file: its lines, diffed.
                    out.push(Line::new(Kind::Context, format!(" {}: (text)", f.path)));
                    out.extend(text_lines(&super::text::unified(a, b), "   "));
                    continue;
                }
                if let Some(old) = &f.old {
                    out.push(Line::new(Kind::Removed, format!(" {}: {}", f.path, inline(old, VALUE_WIDTH))));
                }
                if let Some(new) = &f.new {
                    out.push(Line::new(Kind::Added, format!(" {}: {}", f.path, inline(new, VALUE_WIDTH))));
                }
            }
        }
        Status::Added | Status::Removed => {
            let (word, kind) =
                if doc.status == Status::Added { ("new", Kind::Added) } else { ("removed", Kind::Removed) };
            out.push(Line::new(Kind::Header, format!("@@ {word} {label} @@")));
            for l in doc.text.as_deref().unwrap_or_default().lines() {
                out.push(Line::new(kind, format!(" {l}")));
            }
        }
    }
    out
}

/// `1 added, 2 modified, 0 removed`.
fn file_counts(s: &Summary) -> String {
    let f = &s.files;
    let mut out = format!("{} added, {} modified, {} removed", f.added, f.modified, f.removed);
    if f.layout_only > 0 {
        out.push_str(&format!(" ({} more differ in layout only)", f.layout_only));
    }
    out
}

fn hosts_line(s: &Summary) -> String {
    let h = &s.hosts;
    let mut parts = Vec::new();
    if !h.added.is_empty() {
        parts.push(format!("added {}", h.added.join(", ")));
    }
    if !h.removed.is_empty() {
        parts.push(format!("removed {}", h.removed.join(", ")));
    }
    if !h.changed.is_empty() {
        let changed: Vec<String> = h
            .changed
            .iter()
            .map(|(host, why)| format!("{host} ({})", why.iter().copied().collect::<Vec<_>>().join(", ")))
            .collect();
        parts.push(format!("changed {}", changed.join(", ")));
    }
    if parts.is_empty() { "none".into() } else { parts.join("; ") }
}

/// `ResourceQuota 1 changed; RoleBinding 2 added, 1 removed`.
fn resources_line(s: &Summary) -> String {
    let parts: Vec<String> = s.resources.iter().map(|k| format!("{} {}", k.kind, kind_counts(k))).collect();
    if parts.is_empty() { "none".into() } else { parts.join("; ") }
}

fn kind_counts(k: &super::summary::KindCounts) -> String {
    let mut parts = Vec::new();
    for (n, word) in [(k.added, "added"), (k.removed, "removed"), (k.changed, "changed")] {
        if n > 0 {
            parts.push(format!("{n} {word}"));
        }
    }
    parts.join(", ")
}

/// The blast radius as (label, items); only the non-empty ones.
fn blast_lines(s: &Summary) -> Vec<(&'static str, Vec<String>)> {
    let b = &s.blast;
    [
        ("hosts reprovisioned", &b.reprovisioned),
        ("boot files every host reads", &b.shared_boot),
        ("GitOps objects that sync", &b.syncs),
        ("GitOps objects removed (their resources are pruned)", &b.pruned),
        ("quota changes in", &b.quota),
        ("access changes in", &b.access),
        ("hosts leaving Kubernetes (cordon and drain first)", &b.leave_kubernetes),
        ("nodes leaving Slurm (drain in Slurm first)", &b.leave_slurm),
    ]
    .into_iter()
    .filter(|(_, items)| !items.is_empty())
    .map(|(label, items)| (label, items.clone()))
    .collect()
}

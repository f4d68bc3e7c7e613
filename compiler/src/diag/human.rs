//! Human output: miette's graphical report with the source snippet.

use std::fmt;
use std::sync::Arc;

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};

use super::{Diagnostic, Severity};
use crate::source::{FileId, SourceFile, SourceMap};

/// Renders one diagnostic. `color` picks the theme; `width` wraps long lines.
pub fn render_human(d: &Diagnostic, sources: &SourceMap, color: bool, width: usize) -> String {
    let report = Report::build(d, sources);
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(width).with_links(false);
    let mut out = String::new();
    // Writing into a String cannot fail; a failure here would be a miette bug.
    handler.render_report(&mut out, &report).expect("rendering into a String");
    out
}

/// A diagnostic in the shape miette wants: one source per report, so labels
/// in other files become related reports of their own.
struct Report {
    code: &'static str,
    /// `None` for the part of a diagnostic shown in another file: advice, not a second error.
    severity: Option<Severity>,
    message: String,
    help: Option<String>,
    source: Option<Window>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl Report {
    fn build(d: &Diagnostic, sources: &SourceMap) -> Report {
        let mut files: Vec<FileId> = Vec::new();
        for l in &d.labels {
            if !files.contains(&l.span.file) {
                files.push(l.span.file);
            }
        }
        let mut parts = files.into_iter().map(|file| {
            let labels: Vec<LabeledSpan> = d
                .labels
                .iter()
                .filter(|l| l.span.file == file)
                .map(|l| LabeledSpan::new_with_span(Some(l.text.clone()), SourceSpan::from(l.span.range())))
                .collect();
            let window = Window::new(sources.get(file), labels.iter().map(|l| l.offset()..l.offset() + l.len()));
            (window, labels)
        });
        let (source, labels) = match parts.next() {
            Some((s, l)) => (Some(s), l),
            None => (None, Vec::new()),
        };
        let related = parts
            .map(|(source, labels)| Report {
                code: d.code.id,
                severity: None,
                message: "the other place".to_string(),
                help: None,
                source: Some(source),
                labels,
                related: Vec::new(),
            })
            .collect();
        Report {
            code: d.code.id,
            severity: Some(d.severity()),
            message: d.message.clone(),
            help: Some(d.help_text().to_string()).filter(|h| !h.is_empty()),
            source,
            labels,
            related,
        }
    }
}

impl fmt::Debug for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Some(Severity::Error) => miette::Severity::Error,
            Some(Severity::Warning) => miette::Severity::Warning,
            None => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            return None;
        }
        Some(Box::new(self.labels.iter().cloned()))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            return None;
        }
        Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
    }
}

/// The lines of one file around a report's labels. miette finds a label's
/// line by counting newlines from the start of the text it is given: handed
/// the whole file, a site with a diagnostic on each of 10,000 hosts took
/// minutes to print. Handed this window, it counts a few lines; line numbers
/// and offsets are shifted back, so the report reads exactly the same.
struct Window {
    name: String,
    text: Arc<str>,
    /// Byte range of the window: whole lines, [`MARGIN`] of them beyond
    /// the labels on each side (more than miette's context lines).
    start: usize,
    end: usize,
    /// 0-based line number of `start`.
    first_line: usize,
}

const MARGIN: usize = 4;

impl Window {
    fn new(file: &SourceFile, labels: impl Iterator<Item = std::ops::Range<usize>>) -> Window {
        let text = &file.text;
        let (mut lo, mut hi) = (text.len(), 0);
        for r in labels {
            lo = lo.min(r.start.min(text.len()));
            hi = hi.max(r.end.min(text.len()));
        }
        if lo > hi {
            (lo, hi) = (0, 0);
        }
        let bytes = text.as_bytes();
        let line_start = |at: usize| bytes[..at].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let mut start = line_start(lo);
        for _ in 0..MARGIN {
            if start == 0 {
                break;
            }
            start = line_start(start - 1);
        }
        let mut end = hi;
        for _ in 0..=MARGIN {
            end = bytes[end..].iter().position(|&b| b == b'\n').map_or(text.len(), |i| end + i + 1);
        }
        let first_line = file.line_col(start).0 - 1;
        Window { name: file.name.clone(), text: Arc::clone(&file.text), start, end, first_line }
    }
}

impl SourceCode for Window {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let window = &self.text[self.start..self.end];
        let local = SourceSpan::new(span.offset().saturating_sub(self.start).into(), span.len());
        let inner = window.read_span(&local, before, after)?;
        let at = SourceSpan::new((inner.span().offset() + self.start).into(), inner.span().len());
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            at,
            inner.line() + self.first_line,
            inner.column(),
            inner.line_count() + self.first_line,
        )))
    }
}

//! Human output: miette's graphical report with the source snippet.

use std::fmt;
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

use super::{Diagnostic, Severity};
use crate::source::{FileId, SourceMap};

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
    source: Option<NamedSource<Arc<str>>>,
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
            let labels = d
                .labels
                .iter()
                .filter(|l| l.span.file == file)
                .map(|l| LabeledSpan::new_with_span(Some(l.text.clone()), SourceSpan::from(l.span.range())));
            let f = sources.get(file);
            (NamedSource::new(f.name.clone(), f.text.clone()), labels.collect::<Vec<_>>())
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

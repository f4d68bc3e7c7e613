//! Diagnostics: plain data every stage produces, and the three ways to print them.
//!
//! A stage never stops at its first problem: it pushes a [`Diagnostic`] per
//! problem into a [`Diagnostics`] list and carries on. Each diagnostic names a
//! stable [`Code`] declared in the stage's `errors` module; docs/diagnostics.md
//! has one entry per code (a test keeps the two in step).

mod human;
mod machine;
pub mod redact;

pub use human::render_human;
pub use machine::{render_github, render_json};

use crate::source::Span;

/// Declares a stage's codes and its `CODES` list, the same way in every
/// stage's `errors` module:
/// `NAME = "bosun::area::rule", Severity, "summary", "help";` for each.
macro_rules! codes {
    ($($(#[$doc:meta])* $name:ident = $id:literal, $sev:ident, $summary:literal, $help:literal;)*) => {
        $($(#[$doc])* pub static $name: $crate::diag::Code = $crate::diag::Code {
            id: $id,
            severity: $crate::diag::Severity::$sev,
            summary: $summary,
            help: $help,
        };)*
        pub static CODES: &[&$crate::diag::Code] = &[$(&$name),*];
    };
}
pub(crate) use codes;

/// A stable diagnostic code with its default help text.
#[derive(Debug, PartialEq, Eq)]
pub struct Code {
    /// `bosun::<area>::<rule>`; never renamed once released.
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what the rule is (used in docs/diagnostics.md).
    pub summary: &'static str,
    /// How to fix it, unless a diagnostic says something more specific.
    pub help: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub text: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static Code,
    pub message: String,
    /// The first label is the primary location.
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn new(code: &'static Code, message: impl Into<String>) -> Self {
        Diagnostic { code, message: message.into(), labels: Vec::new(), help: None }
    }

    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label { span, text: text.into() });
        self
    }

    /// Adds a label only when the location is known.
    pub fn label_opt(self, span: Option<Span>, text: impl Into<String>) -> Self {
        match span {
            Some(span) => self.label(span, text),
            None => self,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn severity(&self) -> Severity {
        self.code.severity
    }

    pub fn help_text(&self) -> &str {
        self.help.as_deref().unwrap_or(self.code.help)
    }

    pub fn primary(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }
}

/// The diagnostics of one run, errors and warnings together.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity() == Severity::Error)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.items.iter().filter(|d| d.severity() == severity).count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Source order (file load order, then offset), so output is stable
    /// whatever order the rules ran in.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            let key = |d: &Diagnostic| d.primary().map(|s| (s.file, s.start(), s.end()));
            key(a).cmp(&key(b)).then_with(|| a.code.id.cmp(b.code.id)).then_with(|| a.message.cmp(&b.message))
        });
        self.items.dedup();
        self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

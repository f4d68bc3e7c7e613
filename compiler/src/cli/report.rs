//! Printing diagnostics in the chosen format.

use std::io::{IsTerminal, Write};

use crate::Checked;
use crate::diag::{Severity, render_github, render_human, render_json};

#[derive(Clone, Copy, Debug)]
pub enum Format {
    Human { color: bool, width: usize },
    Json,
    Github,
}

impl Format {
    /// Colour only on a terminal, and never under NO_COLOR.
    pub fn human_for_terminal() -> Format {
        let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
        Format::Human { color, width: 100 }
    }
}

/// Human output goes to stderr with a closing count; JSON and GitHub
/// annotations go to stdout, one line per diagnostic, for tools to read.
/// A closed pipe (`bosun check … | head`) is not an error worth a panic.
pub fn print_diagnostics(checked: &Checked, format: Format) {
    let mut stdout = std::io::stdout().lock();
    for d in &checked.diagnostics {
        let _ = match format {
            Format::Human { color, width } => {
                write!(std::io::stderr(), "{}", render_human(d, &checked.sources, color, width))
            }
            Format::Json => writeln!(stdout, "{}", render_json(d, &checked.sources)),
            Format::Github => writeln!(stdout, "{}", render_github(d, &checked.sources)),
        };
    }
    if let Format::Human { .. } = format {
        let count = |s| checked.diagnostics.iter().filter(|d| d.severity() == s).count();
        let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
        if errors + warnings > 0 {
            let _ = writeln!(std::io::stderr(), "{}", summary_line(errors, warnings));
        }
    }
}

pub fn summary_line(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, w) => format!("{}, no errors", plural(w, "warning")),
        (e, 0) => plural(e, "error"),
        (e, w) => format!("{}, {}", plural(e, "error"), plural(w, "warning")),
    }
}

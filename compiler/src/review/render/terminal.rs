//! The review for a terminal: the summary, then each file's diff. Colour
//! (ANSI) only when asked for; the command line asks when stdout is a
//! terminal and NO_COLOR is unset.

use std::fmt::Write;

use super::{Kind, Review, blast_lines, file_counts, file_lines, hosts_line, resources_line};

const RESET: &str = "\x1b[0m";

fn paint(colour: bool, code: &str, text: &str) -> String {
    if colour { format!("\x1b[{code}m{text}{RESET}") } else { text.to_string() }
}

pub fn render(review: &Review, colour: bool, title: &str) -> String {
    let mut out = String::new();
    let s = &review.summary;
    if !review.has_changes() {
        let _ = writeln!(out, "{title}: no changes ({})", file_counts(s));
        return out;
    }
    let _ = writeln!(out, "{}", paint(colour, "1", &format!("{title}: {} file(s) change", review.files.len())));
    let _ = writeln!(out, "  files      {}", file_counts(s));
    let _ = writeln!(out, "  hosts      {}", hosts_line(s));
    let _ = writeln!(out, "  resources  {}", resources_line(s));
    let blast = blast_lines(s);
    if !blast.is_empty() {
        let _ = writeln!(out, "{}", paint(colour, "1", "blast radius"));
        for (label, items) in blast {
            let _ = writeln!(out, "  {label}: {}", items.join(", "));
        }
    }
    for file in &review.files {
        let head = format!("{} {}", file.status.as_str(), file.path);
        let _ = writeln!(out, "\n{}", paint(colour, "1", &head));
        for line in file_lines(file) {
            let code = match line.kind {
                Kind::Header => "36",
                Kind::Added => "32",
                Kind::Removed => "31",
                Kind::Context => "",
                Kind::Note => "2",
            };
            let text = line.diff_text();
            let text = if code.is_empty() { text } else { paint(colour, code, &text) };
            let _ = writeln!(out, "  {text}");
        }
    }
    if !review.foreign.is_empty() {
        let head = "\nfound what bosun never writes (not compared, not followed; `compile` refuses to act on it):";
        let _ = writeln!(out, "{}", paint(colour, "1", head));
        for f in &review.foreign {
            let _ = writeln!(out, "  {}: {}", f.path.escape_debug(), f.why);
        }
    }
    if !review.layout_only.is_empty() {
        let _ = writeln!(out, "\nlayout only (keys, documents or line ends reordered; content unchanged):");
        for path in &review.layout_only {
            let _ = writeln!(out, "  {path}");
        }
    }
    out
}

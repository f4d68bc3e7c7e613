//! Secret values never reach a message. Before diagnostics are printed, the
//! values the secret scan found are masked in the loaded source text — so
//! every snippet, of every diagnostic, shows the mask — and in the texts of
//! the diagnostics themselves.
//!
//! The mask keeps the value's quotes, its line breaks (and the indentation
//! of a multi-line value's lines) and its length in bytes (one `*` per
//! byte): every span, line and column stays right, and the snippet still
//! shows where the value is. Only the length leaks.

use super::Diagnostic;
use crate::source::{SourceMap, Span};

/// Texts shorter than this are not searched for in messages: masking every
/// `1` or `ab` would garble messages, and so short a value guards nothing.
const MIN_SCRUBBED: usize = 4;

/// Masks the values at `spans` in the sources, and returns their texts as
/// they were (each line of a multi-line value on its own) for [`scrub`].
pub fn redact(sources: &mut SourceMap, spans: &[Span]) -> Vec<String> {
    let mut texts = Vec::new();
    let mut spans = spans.to_vec();
    spans.sort();
    for group in spans.chunk_by(|a, b| a.file == b.file) {
        let file = group[0].file;
        let original = sources.get(file).text.clone();
        // Masks keep their length: each one overwrites its bytes in place.
        let mut bytes = original.as_bytes().to_vec();
        for span in group {
            let Some(raw) = original.get(span.range()) else { continue };
            let (inner, masked) = mask(raw);
            texts.extend(inner.lines().map(str::trim).filter(|l| l.len() >= MIN_SCRUBBED).map(str::to_string));
            bytes[span.range()].copy_from_slice(masked.as_bytes());
        }
        // Only whole characters were replaced, by ASCII of the same length.
        sources.replace_text(file, String::from_utf8(bytes).expect("masks keep the text UTF-8"));
    }
    texts.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    texts.dedup();
    texts
}

/// The value between its delimiters (`"…"`, `#"…"#`, `"""…"""`), and the
/// whole token with that part masked.
fn mask(raw: &str) -> (&str, String) {
    let hashes = raw.len() - raw.trim_start_matches('#').len();
    let quotes = match &raw[hashes..] {
        r if r.starts_with("\"\"\"") && r.len() >= 6 + hashes => 3,
        r if r.starts_with('"') && r.len() >= 2 + hashes => 1,
        _ => 0,
    };
    let open = hashes + quotes;
    let close = if quotes == 0 { 0 } else { open };
    let end = raw.len().saturating_sub(close).max(open);
    match raw.get(open..end) {
        Some(inner) => (inner, format!("{}{}{}", &raw[..open], stars(inner), &raw[end..])),
        None => (raw, stars(raw)),
    }
}

/// One `*` per byte; line breaks and each line's indentation kept, so a
/// multi-line value (a pasted key) keeps its shape in the snippet.
fn stars(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut indent = true;
    for c in s.chars() {
        match c {
            '\n' | '\r' => {
                out.push(c);
                indent = true;
            }
            ' ' | '\t' if indent => out.push(c),
            _ => {
                indent = false;
                out.extend(std::iter::repeat_n('*', c.len_utf8()));
            }
        }
    }
    out
}

/// Replaces every occurrence of the secret texts in a diagnostic's message,
/// labels and help with stars. One automaton for all of them (longest
/// first), so a site with thousands of secrets scrubs in linear time.
pub fn scrub(diagnostics: &mut [Diagnostic], secrets: &[String]) {
    if secrets.is_empty() {
        return;
    }
    let pattern = secrets.iter().map(|s| regex::escape(s)).collect::<Vec<_>>().join("|");
    let re = regex::RegexBuilder::new(&pattern).size_limit(1 << 30).build();
    let clean = |s: &mut String| match &re {
        Ok(re) => {
            if let std::borrow::Cow::Owned(new) = re.replace_all(s, |c: &regex::Captures| "*".repeat(c[0].len())) {
                *s = new;
            }
        }
        // Too many to compile into one automaton: one at a time, slowly.
        Err(_) => {
            for secret in secrets {
                if s.contains(secret.as_str()) {
                    *s = s.replace(secret.as_str(), &"*".repeat(secret.len()));
                }
            }
        }
    };
    for d in diagnostics {
        clean(&mut d.message);
        d.labels.iter_mut().for_each(|l| clean(&mut l.text));
        if let Some(h) = d.help.as_mut() {
            clean(h);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::mask;

    #[test]
    fn the_mask_keeps_delimiters_line_breaks_and_length() {
        assert_eq!(mask("\"hunter22\""), ("hunter22", "\"********\"".to_string()));
        assert_eq!(mask("12345678"), ("12345678", "********".to_string()));
        assert_eq!(mask("#\"a\"b\"#"), ("a\"b", "#\"***\"#".to_string()));
        assert_eq!(mask("\"\"\"\nab\n\"\"\""), ("\nab\n", "\"\"\"\n**\n\"\"\"".to_string()));
        assert_eq!(mask("\"é\"").1.len(), "\"é\"".len());
        assert_eq!(mask("\"\"\"\n  a b\n  \"\"\"").1, "\"\"\"\n  ***\n  \"\"\"");
    }
}

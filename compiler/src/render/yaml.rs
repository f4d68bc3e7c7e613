//! YAML output that means the same to a YAML 1.1 reader (PyYAML, Go's
//! yaml.v2, kubectl) and a YAML 1.2 reader.
//!
//! The maintained serde YAML serializers (serde_norway, serde_yaml_ng) write
//! `yes`, `on`, `n`, `1:20` and `1_000` unquoted: strings to a 1.2 reader,
//! booleans and numbers to a 1.1 reader. So bosun emits YAML itself: block
//! style, keys in the order given, and a string is left plain only when no
//! YAML 1.1 or 1.2 resolver could read it as anything but that string.
//! See docs/yaml.md.

use std::fmt::Write;
use std::sync::OnceLock;

use regex::RegexSet;
use serde_json::Value;

/// One YAML document, ending in a newline.
pub fn to_string(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value);
    out
}

/// Appends one YAML document, as [`to_string`] writes it, to `out`.
pub fn write(out: &mut String, value: &Value) {
    match value {
        Value::Object(m) if !m.is_empty() => map(out, m, 0, true),
        Value::Array(a) if !a.is_empty() => seq(out, a, 0),
        scalar => {
            inline(out, scalar);
            out.push('\n');
        }
    }
}

/// A text written by `f` into this thread's reusable buffer, returned as
/// a copy of exactly its length: the buffer grows once per thread, not
/// once per text, and the many texts kept hold no spare capacity. `f`
/// must not call `built` itself.
pub fn built<E>(f: impl FnOnce(&mut String) -> Result<(), E>) -> Result<String, E> {
    thread_local! {
        static BUFFER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
    }
    BUFFER.with_borrow_mut(|buffer| {
        buffer.clear();
        f(buffer)?;
        Ok(buffer.as_str().to_owned())
    })
}

/// Several documents in one file, separated by `---`.
pub fn documents(values: &[Value]) -> String {
    values.iter().map(to_string).collect::<Vec<_>>().join("---\n")
}

fn indent(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

/// `key: value` as an entry of a block mapping at `level`, for documents
/// written a part at a time.
pub fn entry(out: &mut String, level: usize, key: &str, value: &Value) {
    indent(out, level);
    string(out, key);
    out.push(':');
    value_after_key(out, value, level);
}

/// `key:` at `level`, for a block mapping or sequence written after it.
pub fn block_key(out: &mut String, level: usize, key: &str) {
    indent(out, level);
    string(out, key);
    out.push_str(":\n");
}

/// [`entry`] for a string value.
pub fn str_entry(out: &mut String, level: usize, key: &str, value: &str) {
    indent(out, level);
    string(out, key);
    out.push(':');
    str_after_key(out, value, level + 2);
}

/// [`entry`] for a list of strings.
pub fn str_list_entry(out: &mut String, level: usize, key: &str, items: &[impl AsRef<str>]) {
    indent(out, level);
    string(out, key);
    if items.is_empty() {
        out.push_str(": []\n");
        return;
    }
    out.push_str(":\n");
    for item in items {
        indent(out, level + 2);
        out.push('-');
        str_after_key(out, item.as_ref(), level + 4);
    }
}

/// One item of a block sequence at `level`.
pub fn seq_item(out: &mut String, level: usize, v: &Value) {
    seq(out, std::slice::from_ref(v), level);
}

/// One item of a block sequence at `level` that is a mapping of strings:
/// the same bytes as [`seq_item`] of that mapping.
pub fn str_map_item(out: &mut String, level: usize, entries: &[(&str, &str)]) {
    if entries.is_empty() {
        indent(out, level);
        out.push_str("- {}\n");
        return;
    }
    indent(out, level);
    out.push_str("- ");
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            indent(out, level + 2);
        }
        string(out, k);
        out.push(':');
        str_after_key(out, v, level + 4);
    }
}

/// Appends YAML written at level 0 as if written `n` levels deeper: every
/// line but the empty ones of literal blocks gets `n` more spaces.
pub fn indented(out: &mut String, text: &str, n: usize) {
    for line in text.split_inclusive('\n') {
        if line != "\n" {
            indent(out, n);
        }
        out.push_str(line);
    }
}

/// A block mapping at `level`; the first key is not indented when it shares
/// a sequence dash's line.
fn map(out: &mut String, m: &serde_json::Map<String, Value>, level: usize, indent_first: bool) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 || indent_first {
            indent(out, level);
        }
        string(out, k);
        out.push(':');
        value_after_key(out, v, level);
    }
}

fn seq(out: &mut String, a: &[Value], level: usize) {
    for v in a {
        indent(out, level);
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() => {
                // The first key shares the dash's line; the rest align with it.
                out.push(' ');
                map(out, m, level + 2, false);
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                seq(out, inner, level + 2);
            }
            scalar => block_or_inline(out, scalar, level + 2),
        }
    }
}

fn value_after_key(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            map(out, m, level + 2, true);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            seq(out, a, level + 2);
        }
        scalar => block_or_inline(out, scalar, level + 2),
    }
}

/// ` value\n`, or a literal block for readable multi-line text.
fn block_or_inline(out: &mut String, v: &Value, level: usize) {
    if let Value::String(s) = v {
        return str_after_key(out, s, level);
    }
    out.push(' ');
    inline(out, v);
    out.push('\n');
}

fn str_after_key(out: &mut String, s: &str, level: usize) {
    if !literal_block(out, s, level) {
        out.push(' ');
        string(out, s);
        out.push('\n');
    }
}

fn inline(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => string(out, s),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// Writes `|`, `|-` or `|+` with the text indented; false (and nothing
/// written) when the text has characters or trailing blanks a literal block
/// cannot carry faithfully.
fn literal_block(out: &mut String, s: &str, level: usize) -> bool {
    if !literal_block_fits(s) {
        return false;
    }
    let body = s.trim_end_matches('\n');
    let chomp = match s.len() - body.len() {
        0 => "-",
        1 => "",
        _ => "+",
    };
    out.push_str(" |");
    out.push_str(chomp);
    out.push('\n');
    out.reserve(s.len() + s.len() / 8 * level);
    for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
        if !line.is_empty() {
            indent(out, level);
            out.push_str(line);
        }
        out.push('\n');
    }
    true
}

/// Multi-line text without control characters (other than line ends and
/// tabs), not empty once its final line ends are dropped, whose lines
/// start with no blank and end with none.
fn literal_block_fits(s: &str) -> bool {
    let body = s.trim_end_matches('\n');
    if body.is_empty() || !s.contains('\n') || body.starts_with([' ', '\t']) || body.ends_with([' ', '\t']) {
        return false;
    }
    // One pass over the bytes; outside ASCII only U+0080-U+009F are
    // control characters, checked by the slower pass below.
    let mut prev = 0u8;
    for &b in s.as_bytes() {
        let control = (b < 0x20 && b != b'\n' && b != b'\t') || b == 0x7f;
        if control || (b == b'\n' && matches!(prev, b' ' | b'\t')) {
            return false;
        }
        prev = b;
    }
    s.is_ascii() || !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
}

/// What a YAML 1.1 or 1.2 reader resolves to something other than a string
/// (PyYAML's resolver, plus 1.1's `y`/`n`, and 1.2's `0o` octal and decimal
/// integers with leading zeros).
const NOT_A_STRING: &[&str] = &[
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$",
    r"^(?:~|null|Null|NULL)$",
    r"^[-+]?(?:0b[0-1_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|0o[0-7]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)$",
    r"^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+]?[0-9]+)?$",
    r"^[-+]?[0-9][0-9_]*(?:[eE][-+]?[0-9]+)$",
    r"^[-+]?[0-9]+$",
    r"^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$",
    r"^[-+]?\.(?:inf|Inf|INF)$",
    r"^\.(?:nan|NaN|NAN)$",
    r"^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?",
    r"^(?:<<|=)$",
];

fn not_a_string() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| RegexSet::new(NOT_A_STRING).expect("valid patterns"))
}

/// Plain when unambiguous everywhere, else double-quoted.
fn string(out: &mut String, s: &str) {
    if is_plain_safe(s) { out.push_str(s) } else { quoted(out, s) }
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace() {
        return false;
    }
    if s.ends_with([' ', ':', '\t']) {
        return false;
    }
    // One pass over the bytes: `: ` and ` #`, and control characters (tab,
    // line ends) in ASCII; the rest of the scalars that cannot stay plain
    // are all outside ASCII.
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        let next = bytes.get(i + 1).copied();
        if b < 0x20 || b == 0x7f || (b == b':' && next == Some(b' ')) || (b == b' ' && next == Some(b'#')) {
            return false;
        }
    }
    if !s.is_ascii()
        && s.chars().any(|c| c.is_control() || matches!(c, '\u{feff}' | '\u{85}' | '\u{2028}' | '\u{2029}'))
    {
        return false;
    }
    !might_not_be_a_string(s) || !not_a_string().is_match(s)
}

/// Whether `s` could match [`NOT_A_STRING`] at all: every pattern starts
/// with one of a few characters, and those starting with a letter are words
/// of at most five letters. Most strings skip the regex set this way.
fn might_not_be_a_string(s: &str) -> bool {
    match s.as_bytes()[0] {
        b'0'..=b'9' | b'+' | b'-' | b'.' | b'~' | b'<' | b'=' => true,
        b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' => s.len() <= 5,
        _ => false,
    }
}

fn quoted(out: &mut String, s: &str) {
    out.reserve(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}') => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_prefilter_never_skips_a_string_the_patterns_match() {
        let words = ["y", "Yes", "NO", "off", "On", "true", "FALSE", "~", "null", "Null", "0", "-1", "+0x1F", "0o17"];
        let more = ["1_000", "1:20", ".5", "-.inf", ".NaN", "2024-01-02", "<<", "=", "1e3", "3.14", "190:20:30.15"];
        let mut all: Vec<String> = words.iter().chain(&more).map(|w| w.to_string()).collect();
        // Every printable ASCII start, short and long.
        for b in 0x21u8..0x7f {
            for tail in ["", "1", "es", "rue", "ull", "0000", "nf", "an"] {
                all.push(format!("{}{tail}", b as char));
            }
        }
        for s in &all {
            if not_a_string().is_match(s) {
                assert!(might_not_be_a_string(s), "{s:?} matches a pattern the prefilter skips");
            }
        }
    }

    fn string(s: &str) -> String {
        let mut out = String::new();
        super::string(&mut out, s);
        out
    }

    fn quoted(s: &str) -> String {
        let mut out = String::new();
        super::quoted(&mut out, s);
        out
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "yes",
            "No",
            "on",
            "OFF",
            "y",
            "n",
            "true",
            "null",
            "~",
            "0755",
            "012",
            "1:20",
            "190:20:30",
            "1_000",
            "0x1F",
            "0o17",
            "1e3",
            ".5",
            "1.",
            ".inf",
            "2001-12-14",
            "=",
            "<<",
            "",
            " x",
            "a: b",
            "x #c",
            "-",
            "*x",
            "&a",
            "!t",
            "@x",
            "%x",
            "123",
            "-1",
            "+1",
            "08",
            "1.5",
        ] {
            assert_eq!(string(s), quoted(s), "{s:?} must be quoted");
        }
    }

    #[test]
    fn ordinary_strings_stay_plain() {
        for s in [
            "calico",
            "10.3.0.0/16",
            "aa:bb:cc:00:00:01",
            "12h",
            "1Gi",
            "http://x:8080/y",
            "nvidia.com/gpu",
            "a-b_c.d",
            "yes-please",
            "on-prem",
            "node-role.kubernetes.io/control-plane",
            "192.168.100.10",
            "v1beta4",
        ] {
            assert_eq!(string(s), s, "{s:?} should stay plain");
        }
    }

    #[test]
    fn block_layout() {
        let v = json!({
            "apiVersion": "v1",
            "items": [{"name": "a", "ports": [80, 443]}, "on", [1, 2], {}],
            "empty": [],
            "script": "#!/bin/sh\necho hi\n",
            "nested": {"k": null, "b": false},
        });
        let expected = "apiVersion: v1\nitems:\n  - name: a\n    ports:\n      - 80\n      - 443\n  - \"on\"\n  -\n    - 1\n    - 2\n  - {}\nempty: []\nscript: |\n  #!/bin/sh\n  echo hi\nnested:\n  k: null\n  b: false\n";
        assert_eq!(to_string(&v), expected);
    }

    #[test]
    fn literal_blocks_keep_exact_line_ends() {
        for s in ["a\nb", "a\nb\n", "a\nb\n\n", "a\n\nb\n"] {
            let doc = to_string(&json!({ "s": s }));
            let back: serde_json::Value = serde_norway::from_str(&doc).unwrap();
            assert_eq!(back["s"], s, "{doc}");
        }
        // Leading blanks or trailing spaces cannot ride in a plain literal block.
        assert!(to_string(&json!({ "s": "  a\nb" })).contains("\"  a\\nb\""));
    }

    #[test]
    fn parts_written_one_at_a_time_match_the_whole_document() {
        let script = "#!/bin/sh\n\necho hi\n";
        let a = json!({"k": "x y", "files": [{"path": "/p", "content": script}], "list": ["1", "b"], "none": []});
        let mut out = String::new();
        block_key(&mut out, 0, "a");
        str_entry(&mut out, 2, "k", "x y");
        block_key(&mut out, 2, "files");
        str_map_item(&mut out, 4, &[("path", "/p"), ("content", script)]);
        str_list_entry(&mut out, 2, "list", &["1", "b"]);
        entry(&mut out, 2, "none", &json!([]));
        assert_eq!(out, to_string(&json!({ "a": a })));
        let mut item = String::new();
        seq_item(&mut item, 4, &a["files"][0]);
        assert!(out.contains(&item), "{item}");
        let mut deep = String::from("x:\n  a:\n");
        indented(&mut deep, &to_string(&a), 4);
        assert_eq!(deep, to_string(&json!({"x": {"a": a}})));
    }

    #[test]
    fn literal_block_check_agrees_with_its_definition() {
        let defined = |s: &str| {
            let body = s.trim_end_matches('\n');
            s.contains('\n')
                && !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
                && !body.is_empty()
                && !body.lines().any(|l| l.ends_with([' ', '\t']))
                && !body.starts_with([' ', '\t'])
        };
        let pieces = ["a", " ", "\t", "\n", "\r", "\u{85}", "é", "\u{7f}"];
        // Every string of up to five pieces.
        let mut all = vec![String::new()];
        let mut longest = vec![String::new()];
        for _ in 0..5 {
            longest = longest.iter().flat_map(|s| pieces.iter().map(move |p| format!("{s}{p}"))).collect();
            all.extend(longest.iter().cloned());
        }
        for s in &all {
            assert_eq!(literal_block_fits(s), defined(s), "{s:?}");
        }
    }

    #[test]
    fn a_yaml_reader_reads_back_the_same_value() {
        let v = json!({"on": "yes", "k": ["1:20", "y", 3, 2.5, true, null, "é ü", "tab\there", "q\"uote\\"], "1": {"x": "- a"}});
        let back: serde_json::Value = serde_norway::from_str(&to_string(&v)).unwrap();
        assert_eq!(back, v);
    }
}

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
    match value {
        Value::Object(m) if !m.is_empty() => map(&mut out, m, 0),
        Value::Array(a) if !a.is_empty() => seq(&mut out, a, 0),
        scalar => {
            out.push_str(&inline(scalar));
            out.push('\n');
        }
    }
    out
}

/// Several documents in one file, separated by `---`.
pub fn documents(values: &[Value]) -> String {
    values.iter().map(to_string).collect::<Vec<_>>().join("---\n")
}

fn indent(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn map(out: &mut String, m: &serde_json::Map<String, Value>, level: usize) {
    for (k, v) in m {
        indent(out, level);
        out.push_str(&string(k));
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
                let mut first = String::new();
                map(&mut first, m, level + 2);
                out.push(' ');
                out.push_str(&first[level + 2..]);
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
            map(out, m, level + 2);
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
        if let Some(block) = literal_block(s, level) {
            out.push_str(&block);
            return;
        }
    }
    out.push(' ');
    out.push_str(&inline(v));
    out.push('\n');
}

fn inline(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => string(s),
        Value::Array(_) => "[]".to_string(),
        Value::Object(_) => "{}".to_string(),
    }
}

/// `|`, `|-` or `|+` with the text indented; `None` when the text has
/// characters or trailing blanks a literal block cannot carry faithfully.
fn literal_block(s: &str, level: usize) -> Option<String> {
    if !s.contains('\n') || s.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return None;
    }
    let body = s.trim_end_matches('\n');
    if body.is_empty() || body.lines().any(|l| l.ends_with([' ', '\t'])) || body.starts_with([' ', '\t']) {
        return None;
    }
    let chomp = match s.len() - body.len() {
        0 => "-",
        1 => "",
        _ => "+",
    };
    let mut out = format!(" |{chomp}\n");
    for line in s.strip_suffix('\n').unwrap_or(s).split('\n') {
        if !line.is_empty() {
            indent(&mut out, level);
            out.push_str(line);
        }
        out.push('\n');
    }
    Some(out)
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
fn string(s: &str) -> String {
    if is_plain_safe(s) { s.to_string() } else { quoted(s) }
}

fn is_plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return false };
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace() {
        return false;
    }
    if s.ends_with([' ', ':', '\t']) || s.contains(": ") || s.contains(" #") || s.contains(['\n', '\r', '\t']) {
        return false;
    }
    if s.chars().any(|c| c.is_control() || c == '\u{feff}' || c == '\u{85}' || c == '\u{2028}' || c == '\u{2029}') {
        return false;
    }
    !not_a_string().is_match(s)
}

fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
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
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
    fn a_yaml_reader_reads_back_the_same_value() {
        let v = json!({"on": "yes", "k": ["1:20", "y", 3, 2.5, true, null, "é ü", "tab\there", "q\"uote\\"], "1": {"x": "- a"}});
        let back: serde_json::Value = serde_norway::from_str(&to_string(&v)).unwrap();
        assert_eq!(back, v);
    }
}

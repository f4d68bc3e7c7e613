//! Jinja in Ansible values: `{{ … }}` and `{% … %}` are evaluated by Ansible
//! at run time, from facts and groups bosun never sees. Such a value is kept
//! whole (never split on its commas) and reported, never guessed.

use serde_norway::Value;

/// Whether a text holds a Jinja expression or statement.
pub fn in_text(s: &str) -> bool {
    s.contains("{{") || s.contains("{%")
}

/// Whether a YAML value holds Jinja anywhere inside it.
pub fn in_value(v: &Value) -> bool {
    match v {
        Value::String(s) => in_text(s),
        Value::Sequence(items) => items.iter().any(in_value),
        Value::Mapping(m) => m.iter().any(|(k, v)| in_value(k) || in_value(v)),
        Value::Tagged(t) => in_value(&t.value),
        _ => false,
    }
}

/// The report's wording for a run-time value; `instead` says what to write in the site.
pub fn computed(instead: &str) -> String {
    format!("computed by Ansible at run time; bosun does not evaluate it: {instead}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn expressions_and_statements_anywhere_count() {
        let v: serde_norway::Value = serde_norway::from_str("[a, {b: \"{% if x %}y{% endif %}\"}]").unwrap();
        assert!(super::in_value(&v));
        assert!(super::in_text("{{ groups['kube_control_plane'][0] }}"));
        assert!(!super::in_text("a, b { c }"));
    }
}

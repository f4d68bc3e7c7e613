//! Secrets never appear inline. Runs over the parsed tree, before the schema,
//! so a `password="…"` is caught even where the property is unknown.

use std::sync::OnceLock;

use regex::RegexSet;

use super::errors::INLINE_SECRET;
use crate::diag::{Diagnostic, Diagnostics};
use crate::parse::{Entry, Node, Scalar};

/// Values that are credentials whatever they are called.
const SHAPES: &[(&str, &str)] = &[
    (r"-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY-----", "a private key"),
    (r"^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.", "a JSON web token"),
    (r"\bgh[pousr]_[A-Za-z0-9]{30,}", "a GitHub token"),
    (r"\bglpat-[A-Za-z0-9_-]{20,}", "a GitLab token"),
    (r"\b(AKIA|ASIA)[0-9A-Z]{16}\b", "an AWS access key"),
    (r"\bxox[abposr]-[A-Za-z0-9-]{10,}", "a Slack token"),
    (r"\bhvs\.[A-Za-z0-9_-]{20,}", "a Vault token"),
    (r"^[a-z0-9]{6}\.[a-z0-9]{16}$", "a kubeadm bootstrap token"),
    (r"^[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", "a URL with a password in it"),
];

/// Setting names (lowercase, without '-', '_' and '.') that hold credentials.
const NAMES: &[&str] = &[
    "password",
    "passwd",
    "passphrase",
    "secret",
    "token",
    "apikey",
    "privatekey",
    "accesskey",
    "secretkey",
    "clientsecret",
];

fn shapes() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| RegexSet::new(SHAPES.iter().map(|(re, _)| re)).expect("valid patterns"))
}

pub fn scan(nodes: &[Node], diags: &mut Diagnostics) {
    for node in nodes {
        scan_node(node, diags);
    }
}

fn scan_node(node: &Node, diags: &mut Diagnostics) {
    // A secret node's argument is the secret's name, never its value; but a
    // value pasted into it as a property is exactly what must not happen.
    let is_secret_node = node.name == "secret";
    let set_path = (node.name == "set").then(|| node.args().next().and_then(|a| a.value.as_str())).flatten();
    for entry in &node.entries {
        if is_secret_node && entry.key.is_none() {
            continue;
        }
        let key = match &entry.key {
            Some((k, _)) => Some(k.as_str()),
            // `password "x"` as a child node, or `set "x.password" value=…`
            None => Some(node.name.as_str()),
        };
        // `set "a.password" from="…"` names a secret: that is the right way.
        let named = match (set_path, key) {
            (Some(path), Some("value")) => Some(path),
            (Some(_), _) => None,
            (None, k) => k,
        };
        if let Some(what) = looks_secret(named, entry) {
            diags.push(inline(node, entry, what));
        }
    }
    for child in node.children.iter().flatten() {
        scan_node(child, diags);
    }
}

fn looks_secret(key: Option<&str>, entry: &Entry) -> Option<String> {
    let Scalar::String(value) = &entry.value else {
        return None;
    };
    if let Some(i) = shapes().matches(value).iter().next() {
        return Some(SHAPES[i].1.to_string());
    }
    let key = key?;
    let norm: String = key.to_ascii_lowercase().chars().filter(|c| !matches!(c, '-' | '_' | '.')).collect();
    // Short words only at the end (`token-ttl` is not a token), long ones anywhere.
    let hit = NAMES.iter().find(|n| norm.ends_with(*n) || (n.len() > 6 && norm.contains(*n)))?;
    let article = if hit.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
    (!value.is_empty()).then(|| format!("{article} {hit} (it is set by `{key}`)"))
}

fn inline(node: &Node, entry: &Entry, what: String) -> Diagnostic {
    let suggested = suggest_name(node, entry);
    let from = match node.name.as_str() {
        "set" => "from=\"NAME\"",
        "bmc" => "credentials=\"NAME\"",
        _ => "the secret's name",
    };
    Diagnostic::new(&INLINE_SECRET, format!("this value looks like {what}, written inline"))
        .label(entry.value_span, "secret value in the site file")
        .help(format!(
            "remove it from the site (and from git history); store it in your secret store, declare \
             `secret \"{suggested}\" store=\"vault\" path=\"kv/…\"` and refer to it with {from}"
        ))
}

fn suggest_name(node: &Node, entry: &Entry) -> String {
    // The node's name argument, unless that argument is the secret itself.
    let named = node.args().next().filter(|a| !std::ptr::eq(*a, entry)).and_then(|a| a.value.as_str());
    let base = match (&entry.key, named) {
        (Some((k, _)), Some(n)) if k != "value" => format!("{n}-{k}"),
        (_, Some(n)) => n.to_string(),
        (Some((k, _)), None) => format!("{}-{k}", node.name),
        (None, None) => node.name.clone(),
    };
    let clean: String =
        base.to_ascii_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '-' }).collect();
    clean.trim_matches('-').chars().take(63).collect()
}

/// What `value` is if it has the shape of a credential (a private key, a
/// token, a URL with a password in it), whatever setting holds it. The
/// output tests scan every rendered file with it.
pub fn credential_shape(value: &str) -> Option<&'static str> {
    shapes().matches(value).iter().next().map(|i| SHAPES[i].1)
}

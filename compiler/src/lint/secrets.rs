//! Secrets never appear inline. Runs over the parsed nodes, before the
//! schema, so a `password="…"` is caught even where the property is unknown.
//!
//! [`credential_name`] and [`credential_shape`] are the one test of what a
//! credential is: the importers use them too, so a name this scan flags is
//! a name whose value an importer never prints.

use std::sync::OnceLock;

use regex::{Regex, RegexSet};

use super::errors::INLINE_SECRET;
use crate::diag::{Diagnostic, Diagnostics};
use crate::parse::{Entry, Node, Scalar};
use crate::source::{FileId, Span};

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

/// Words (or runs of words written together) that name a credential when a
/// setting's name ends with them, and what to call the value then.
const TERMS: &[(&str, &str)] = &[
    ("password", "a password"),
    ("passwd", "a password"),
    ("pass", "a password"),
    ("pwd", "a password"),
    ("pw", "a password"),
    ("passphrase", "a passphrase"),
    ("secret", "a secret"),
    ("clientsecret", "a client secret"),
    ("token", "a token"),
    ("apikey", "an API key"),
    ("credential", "a credential"),
    ("credentials", "a credential"),
    ("privatekey", "a private key"),
    ("accesskey", "an access key"),
    ("secretkey", "a secret key"),
    ("certkey", "a certificate key"),
    ("certificatekey", "a certificate key"),
    ("signingkey", "a signing key"),
    ("encryptionkey", "an encryption key"),
];

/// Trailing words that say "the value of": `tokenValue`, `password_b64`.
const VALUE_WORDS: &[&str] =
    &["value", "val", "data", "string", "str", "text", "plain", "plaintext", "raw", "literal", "b64", "base64", "hash"];

/// Settings of the language whose value is the name of a `secret`, never
/// its value (outside free-form `values`, where names mean nothing to bosun).
const REFERENCES: &[&str] = &["credentials", "join-credentials", "munge-key", "password-from"];

fn shapes() -> &'static RegexSet {
    static SET: OnceLock<RegexSet> = OnceLock::new();
    SET.get_or_init(|| RegexSet::new(SHAPES.iter().map(|(re, _)| re)).expect("valid patterns"))
}

/// What `value` is if it has the shape of a credential (a private key, a
/// token, a URL with a password in it), whatever setting holds it. The
/// output tests scan every rendered file with it.
pub fn credential_shape(value: &str) -> Option<&'static str> {
    shapes().matches(value).iter().next().map(|i| SHAPES[i].1)
}

/// What a setting called `name` holds, if its name says it is a credential:
/// `db.password`, `adminPassword`, `ansible_become_pass`, `tokenValue`,
/// `nvidia_ngc_api_key`. The name is split into words (at anything but a
/// letter or digit, and at camelCase humps); trailing [`VALUE_WORDS`] are
/// dropped; then its last one, two or three words, written together, must
/// be one of [`TERMS`]. `token-ttl`, `ssh-key`, a taint's `key`,
/// `password-file` and `existingSecret` (which names a Secret) are not.
pub fn credential_name(name: &str) -> Option<&'static str> {
    let mut words = words(name);
    while words.len() > 1 && words.last().is_some_and(|w| VALUE_WORDS.contains(&w.as_str())) {
        words.pop();
    }
    let n = words.len();
    for take in 1..=n.min(3) {
        let joined = words[n - take..].concat();
        if let Some((_, what)) = TERMS.iter().find(|(t, _)| *t == joined) {
            let existing = n > take && words[n - take - 1] == "existing";
            return (!existing).then_some(*what);
        }
    }
    None
}

/// Lowercase words of a name: `apiKeyValue` → api, key, value;
/// `APIKey` → api, key; `k8s_join_token` → k8s, join, token.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            out.extend((!cur.is_empty()).then(|| std::mem::take(&mut cur)));
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
        let hump = c.is_uppercase()
            && prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit() || (p.is_uppercase() && next_lower));
        if hump && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.extend(c.to_lowercase());
    }
    out.extend((!cur.is_empty()).then_some(cur));
    out
}

pub fn scan(nodes: &[Node], diags: &mut Diagnostics) {
    for node in nodes {
        scan_node(node, false, diags);
    }
}

fn scan_node(node: &Node, free: bool, diags: &mut Diagnostics) {
    // A secret node's argument is the secret's name, never its value; but a
    // value pasted into it as a property is exactly what must not happen.
    let is_secret_node = node.name == "secret" && !free;
    let set_path = (node.name == "set").then(|| node.args().next().and_then(|a| a.value.as_str())).flatten();
    for entry in &node.entries {
        if is_secret_node && entry.key.is_none() {
            continue;
        }
        let key = match &entry.key {
            Some((k, _)) => k.as_str(),
            // `password "x"` as a child node
            None => node.name.as_str(),
        };
        // `set "a.password" from="…"` names a secret: that is the right way.
        let named = match set_path {
            Some(path) if key == "value" => Some(path),
            Some(_) => None,
            None if !free && REFERENCES.contains(&key) => {
                // A reference holds a secret's name; anything no name can
                // be is the value pasted in its place.
                if let Scalar::String(v) = &entry.value
                    && !is_name(v)
                {
                    diags.push(inline(node, entry, format!("a secret's value (`{key}` takes a secret's name)")));
                    continue;
                }
                None
            }
            None => Some(key),
        };
        if let Some(what) = looks_secret(named, entry) {
            diags.push(inline(node, entry, what));
        }
    }
    let free = free || node.name == "values";
    for child in node.children.iter().flatten() {
        scan_node(child, free, diags);
    }
}

/// An object name as the schema's `name` allows: an RFC 1123 label.
fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    (1..=63).contains(&b.len())
        && b.first().is_some_and(inner)
        && b.last().is_some_and(inner)
        && b.iter().all(|c| inner(c) || *c == b'-')
}

fn looks_secret(key: Option<&str>, entry: &Entry) -> Option<String> {
    // A number can be a PIN or a numeric password; a boolean or null says
    // nothing a stranger could use.
    let value = match &entry.value {
        Scalar::String(s) => {
            if let Some(shape) = credential_shape(s) {
                return Some(shape.to_string());
            }
            s.clone()
        }
        Scalar::Integer(i) => i.to_string(),
        Scalar::Float(f) => f.to_string(),
        Scalar::Bool(_) | Scalar::Null => return None,
    };
    let key = key?;
    let what = credential_name(key)?;
    (!value.is_empty()).then(|| format!("{what} (it is set by `{key}`)"))
}

/// Where a file that did not parse holds secret-looking values, found in
/// its text: `NAME=VALUE` and `NAME VALUE` under a credential name,
/// `set "PATH" … value=VALUE` under a credential path, and any quoted string
/// or PEM block of a credential's shape. Only for masking: the snippet of a
/// syntax error shows the lines around it.
pub fn scan_text(file: FileId, text: &str) -> Vec<Span> {
    static RES: OnceLock<[Regex; 4]> = OnceLock::new();
    let [pair, set, quoted, pem] = RES.get_or_init(|| {
        let value = r##"(#*"(?:[^"\\\n]|\\.)*"#*|-?[0-9][0-9_.eE+-]*)"##;
        let re = |s: &str| Regex::new(s).expect("valid pattern");
        [
            re(&format!(r#"([A-Za-z_][A-Za-z0-9_.-]*)(?:=|[ \t]+){value}"#)),
            re(&format!(r#"\bset[ \t]+"([^"\n]*)"[^\n]*?\bvalue={value}"#)),
            re(r#""((?:[^"\\\n]|\\.)*)""#),
            re(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)"),
        ]
    });
    let mut out = Vec::new();
    for re in [pair, set] {
        for c in re.captures_iter(text) {
            if credential_name(&c[1]).is_some() && !REFERENCES.contains(&&c[1]) {
                out.push(Span::new(file, c.get(2).map_or(0, |m| m.start()), c.get(2).map_or(0, |m| m.end())));
            }
        }
    }
    for c in quoted.captures_iter(text) {
        if credential_shape(&c[1]).is_some() {
            out.push(Span::new(file, c.get(0).map_or(0, |m| m.start()), c.get(0).map_or(0, |m| m.end())));
        }
    }
    out.extend(pem.find_iter(text).map(|m| Span::new(file, m.start(), m.end())));
    out
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

#[cfg(test)]
mod tests {
    use super::credential_name;

    #[test]
    fn names_are_split_into_words_whatever_the_case_or_separator() {
        for name in [
            "password",
            "db.password",
            "grafana.adminPassword",
            "client_secret",
            "ansible_become_pass",
            "ansible_ssh_pass",
            "pw",
            "PWD",
            "tokenValue",
            "apiKeyValue",
            "APIKey",
            "api-key",
            "nvidia_ngc_api_key",
            "k8s_join_token",
            "vault_token",
            "private-key",
            "cert-key",
            "certificateKey",
            "aws_secret_access_key",
            "hub.cookieSecret",
            "credential",
        ] {
            assert!(credential_name(name).is_some(), "{name} should be a credential name");
        }
        for name in [
            "key",
            "ssh-key",
            "ssh-authorized-key",
            "key-id",
            "token-ttl",
            "password-file",
            "ansible_ssh_private_key_file",
            "existingSecret",
            "auth.existingSecret",
            "bypass",
            "passthrough",
            "ssh_server_password_login",
            "compass",
            "value",
            "",
        ] {
            assert!(credential_name(name).is_none(), "{name} should not be a credential name");
        }
    }
}

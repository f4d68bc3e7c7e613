//! Credentials met in another tool's configuration. Their values are never
//! printed (warnings, the unmapped list) nor written to the site: the site
//! gets a `secret` reference instead. What counts as a credential is the
//! secret scan's own test, so the imported site and `bosun check` agree.

use std::collections::BTreeSet;

use crate::lint::secrets::{credential_name, credential_shape};

/// What the unmapped list shows instead of a value that may be a credential.
pub const HIDDEN: &str = "(value not shown: it may be a credential)";

/// Whether a variable names a credential (`ansible_become_pass`,
/// `vault_token`, `nvidia_ngc_api_key`, a mistyped `pass`).
pub fn is_credential(key: &str) -> bool {
    credential_name(key).is_some()
}

/// Whether a variable's value may be printed: its name is a plain variable
/// name (a mangled row like `ansible_ssh_pass = x` leaves a value without
/// one) that does not name a credential, and its value does not look like one.
pub fn shows(key: &str, value: &str) -> bool {
    let plain = !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    plain && !is_credential(key) && !misspelled(key) && credential_shape(value).is_none()
}

/// A name that may be a credential's however it is spelled (`passwrd`,
/// `adminPwd`, `db-secrt`): its value is hidden even when the secret scan,
/// which needs exact words, would not call it one.
fn misspelled(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    let words: Vec<&str> = k.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    ["pass", "pwd", "secr", "tok", "cred", "auth"].iter().any(|w| k.contains(w))
        || words.windows(2).any(|w| w[0] == "key" && !matches!(w[1], "file" | "path"))
        || words.last() == Some(&"key")
}

/// `key{sep}value`, the value replaced by [`HIDDEN`] unless it [`shows`].
pub fn pair(key: &str, sep: &str, value: &str) -> String {
    let key = if key.is_empty() { "(no variable name)" } else { key };
    if shows(key, value) { format!("{key}{sep}{value}") } else { format!("{key}{sep}{HIDDEN}") }
}

/// The kind of secret a credential variable becomes: Ansible's login and
/// become passwords keep their usual names, anything else its own name.
pub fn kind(var: &str) -> String {
    let v = var.to_ascii_lowercase();
    let v = v.trim_start_matches("ansible_");
    match v {
        "ssh_pass" | "password" | "ssh_password" => "ssh-password".to_string(),
        "become_pass" | "become_password" => "become-password".to_string(),
        _ => super::nauta::sanitize(v),
    }
}

/// Names of the secrets one import creates: each name once, however the
/// variables and host names behind them collide.
#[derive(Default)]
pub struct SecretNames(BTreeSet<String>);

impl SecretNames {
    /// `base` as a secret name, or `base-2`, `base-3`, … if it is taken.
    pub fn unique(&mut self, base: &str) -> String {
        let base = super::nauta::sanitize(base);
        let mut name = base.clone();
        let mut n = 2;
        while !self.0.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        name
    }
}

impl SecretNames {
    /// The secret a host's plaintext credential variable becomes: its
    /// unique name and its path under `root` in the store (a login
    /// password under `ROOT/ssh/HOST`, as operators usually keep them).
    pub fn for_host(&mut self, root: &str, host: &str, var: &str) -> (String, String) {
        let kind = kind(var);
        let name = self.unique(&format!("{kind}-{host}"));
        let path = if kind == "ssh-password" && name == format!("ssh-password-{host}") {
            format!("{root}/ssh/{host}")
        } else {
            format!("{root}/{name}")
        };
        (name, path)
    }
}

/// A URL without its `user:password@`, and whether it had one.
pub fn without_userinfo(url: &str) -> (String, bool) {
    let Some((scheme, rest)) = url.split_once("://") else { return (url.to_string(), false) };
    let host_end = rest.find('/').unwrap_or(rest.len());
    match rest[..host_end].rfind('@') {
        Some(at) => (format!("{scheme}://{}", &rest[at + 1..]), true),
        None => (url.to_string(), false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_are_hidden_and_named_once() {
        assert!(!shows("ansible_become_pass", "x"));
        assert!(!shows("pass", "YourPassword"));
        assert!(!shows("passwrd", "Hunter2"));
        assert!(!shows("adminPwd", "x"));
        assert!(shows("ansible_ssh_private_key_file", "/root/.ssh/nauta"));
        assert!(!shows("", "YourPassword"));
        assert!(!shows("user_url", "https://a:b@example.com/"));
        assert!(shows("ansible_ssh_user", "root"));
        assert_eq!(pair("ansible_ssh_port", "=", "2222"), "ansible_ssh_port=2222");
        assert_eq!(pair("vault_token", ": ", "hvs.x"), format!("vault_token: {HIDDEN}"));
        let mut names = SecretNames::default();
        assert_eq!(names.unique("ssh-password-a_b"), "ssh-password-a-b");
        assert_eq!(names.unique("ssh-password-a-b"), "ssh-password-a-b-2");
        assert_eq!(kind("ansible_become_password"), "become-password");
        assert_eq!(kind("pass"), "pass");
        assert_eq!(without_userinfo("http://u:p@proxy:3128/x"), ("http://proxy:3128/x".to_string(), true));
        assert_eq!(without_userinfo("http://proxy:3128"), ("http://proxy:3128".to_string(), false));
    }
}

//! `set PATH from=SECRET`: a pack parameter held in a secret store. bosun
//! never sees the value. cluster/secrets/ makes the Kubernetes Secret
//! `SECRET` in the pack's namespace (an ExternalSecret), and the pack's values
//! name that Secret where the chart reads it: for built-in packs, at the
//! place [`wire`] knows for the path; for pack folders, wherever the
//! template puts `secrets["PATH"]` (docs/packs.md).

use serde_json::{Value, json};

use super::catalog::{JUPYTERHUB, KUBE_PROMETHEUS_STACK};
pub use crate::model::merge;
use crate::model::{Pack, Site};

/// Grafana's admin user when its password comes from a Secret.
const GRAFANA_ADMIN: &str = "admin";

/// The Kubernetes Secret that holds one `set … from=` parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRef {
    /// The `set` path, as written.
    pub path: String,
    /// The Secret's name: the site's `secret` node's name.
    pub name: String,
    /// The key in the Secret: the secret's `key=`, else the last segment of
    /// the path (the store's property must then be called so).
    pub key: String,
    /// The pack's namespace, where the Secret is made.
    pub namespace: String,
}

/// The secret references of a pack, in `set` order.
pub fn refs(site: &Site, pack: &Pack) -> Vec<SecretRef> {
    pack.set
        .iter()
        .filter_map(|set| {
            let from = set.from.as_ref()?;
            let secret = site.secrets.iter().find(|s| &s.name == from);
            let last = set.path.rsplit('.').next().unwrap_or(&set.path);
            Some(SecretRef {
                path: set.path.clone(),
                name: from.clone(),
                key: secret.and_then(|s| s.key.clone()).unwrap_or_else(|| last.to_string()),
                namespace: super::namespace(pack).to_string(),
            })
        })
        .collect()
}

/// The values that point a built-in pack's chart at its secrets, and the
/// references bosun knows no place for in that chart.
pub fn wire<'a>(pack: &str, refs: &'a [SecretRef]) -> (Value, Vec<&'a SecretRef>) {
    let mut values = json!({});
    let mut unwired = Vec::new();
    let mut hub_config = Vec::new();
    for r in refs {
        match (pack, r.path.as_str()) {
            // The grafana chart reads the admin user and password from
            // `admin.existingSecret`; the user is given as an environment
            // variable so the Secret need hold the password only. With that
            // variable set, the chart no longer gives the dashboard and
            // datasource sidecars a REQ_USERNAME (their reloads would get
            // 401), so they are told the user too.
            (KUBE_PROMETHEUS_STACK, "grafana.adminPassword") => {
                let user = json!({"env": {"REQ_USERNAME": GRAFANA_ADMIN}});
                merge(
                    &mut values,
                    &json!({"grafana": {
                        "admin": {"existingSecret": r.name, "passwordKey": r.key},
                        "env": {"GF_SECURITY_ADMIN_USER": GRAFANA_ADMIN},
                        "sidecar": {"dashboards": user, "datasources": user},
                    }}),
                );
            }
            // JupyterHub's `hub.config.<Class>.<trait>`: an environment
            // variable from the Secret, assigned to the trait by a
            // `hub.extraConfig` snippet (run after `hub.config` is applied).
            (JUPYTERHUB, path) if hub_trait(path).is_some() => {
                let (class, trait_) = hub_trait(path).unwrap_or_default();
                let var = env_name(&format!("{class}_{trait_}"));
                merge(
                    &mut values,
                    &json!({"hub": {"extraEnv": {&var: {"valueFrom": {"secretKeyRef": {"name": r.name, "key": r.key}}}}}}),
                );
                hub_config.push(format!("c.{class}.{trait_} = os.environ[\"{var}\"]"));
            }
            _ => unwired.push(r),
        }
    }
    if !hub_config.is_empty() {
        let code = format!("import os\n{}\n", hub_config.join("\n"));
        merge(&mut values, &json!({"hub": {"extraConfig": {"bosun-secrets": code}}}));
    }
    (values, unwired)
}

/// `hub.config.<Class>.<trait>` → (Class, trait), both Python identifiers.
fn hub_trait(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("hub.config.")?;
    let (class, trait_) = rest.split_once('.')?;
    let ident = |s: &str| {
        s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    (ident(class) && ident(trait_)).then_some((class, trait_))
}

/// `BOSUN_SECRET_<WORDS>`: an environment variable name from a path.
fn env_name(s: &str) -> String {
    let words: String =
        s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_uppercase() } else { '_' }).collect();
    format!("BOSUN_SECRET_{words}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(path: &str) -> SecretRef {
        SecretRef { path: path.into(), name: "s".into(), key: "k".into(), namespace: "ns".into() }
    }

    #[test]
    fn built_in_charts_get_the_secret_by_name() {
        let refs = [r("grafana.adminPassword"), r("grafana.other")];
        let (v, unwired) = wire("kube-prometheus-stack", &refs);
        assert_eq!(v["grafana"]["admin"], json!({"existingSecret": "s", "passwordKey": "k"}));
        for sidecar in ["dashboards", "datasources"] {
            assert_eq!(
                v["grafana"]["sidecar"][sidecar]["env"]["REQ_USERNAME"],
                v["grafana"]["env"]["GF_SECURITY_ADMIN_USER"]
            );
        }
        assert_eq!(unwired, [&refs[1]]);
        let refs = [r("hub.config.CILogonOAuthenticator.client_secret"), r("hub.config.x")];
        let (v, unwired) = wire("jupyterhub", &refs);
        let var = "BOSUN_SECRET_CILOGONOAUTHENTICATOR_CLIENT_SECRET";
        assert_eq!(v["hub"]["extraEnv"][var]["valueFrom"]["secretKeyRef"], json!({"name": "s", "key": "k"}));
        let code = v["hub"]["extraConfig"]["bosun-secrets"].as_str().unwrap();
        assert!(code.contains(&format!("c.CILogonOAuthenticator.client_secret = os.environ[\"{var}\"]")), "{code}");
        assert_eq!(unwired, [&refs[1]]);
    }
}

//! `bosun explain`: one object's derived facts and the output files it
//! contributes to.
//!
//! The facts come from the model and the plan (the same functions the
//! renderers call). The files come from compiling the site in memory: a file
//! is the object's own when a path component names it (`kubeadm/dgx-01.yaml`,
//! `packs/gpu-operator/…`, `namespace-speech.yaml`), and it mentions the
//! object when one of its lines names it as a whole word (the host's name or
//! FQDN, the pool's, team's or namespace's name, the pack's name). Both are
//! listed, separately, so the answer never claims more than it checked.

use std::fmt::Write as _;
use std::path::Path;

use crate::model::{Site, spelled};
use crate::plan::Plan;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Kind {
    Host,
    Pool,
    Team,
    Pack,
}

#[derive(Debug)]
pub enum ExplainError {
    Read(crate::parse::ReadError),
    /// The site has errors: explain needs a site that compiles.
    Invalid(usize),
    NotFound(String),
}

impl std::fmt::Display for ExplainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExplainError::Read(e) => write!(f, "{e}"),
            ExplainError::Invalid(n) => write!(f, "the site has {n} error(s); run `bosun check` first"),
            ExplainError::NotFound(m) => write!(f, "{m}"),
        }
    }
}

pub fn explain(site_path: &Path, kind: Kind, name: &str) -> Result<String, ExplainError> {
    let (checked, tree) = crate::compile(site_path).map_err(ExplainError::Read)?;
    let errors = checked.diagnostics.iter().filter(|d| d.severity() == crate::diag::Severity::Error).count();
    let (Some(tree), Some(plan)) = (tree, crate::plan::plan(&checked.site)) else {
        return Err(ExplainError::Invalid(errors.max(1)));
    };
    let site = &checked.site;
    let mut out = String::new();
    let words: Vec<String> = match kind {
        Kind::Host => host(&plan, name, &mut out)?,
        Kind::Pool => pool(site, name, &mut out)?,
        Kind::Team => team(site, name, &mut out)?,
        Kind::Pack => pack(&plan, name, &mut out)?,
    };
    files(&tree, &words, &mut out);
    Ok(out)
}

fn not_found<T>(what: &str, name: &str, known: Vec<&str>) -> Result<T, ExplainError> {
    let hint = match crate::suggest::did_you_mean(name, known.iter().copied()) {
        Some(s) => format!(" (did you mean `{s}`?)"),
        None => String::new(),
    };
    Err(ExplainError::NotFound(format!("the site has no {what} `{name}`{hint}")))
}

fn line(out: &mut String, key: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "  {key:<16}{value}");
}

fn join(items: &[String]) -> String {
    if items.is_empty() { "none".to_string() } else { items.join(", ") }
}

fn host(plan: &Plan, name: &str, out: &mut String) -> Result<Vec<String>, ExplainError> {
    let Some(f) = plan.hosts.iter().find(|f| f.host.name == name) else {
        return not_found("host", name, plan.hosts.iter().map(|f| f.host.name.as_str()).collect());
    };
    let h = f.host;
    let site = plan.site;
    let _ = writeln!(out, "host {name}");
    line(out, "fqdn", &f.fqdn);
    line(out, "role", h.role.as_str());
    line(out, "address", f.address.map_or("none".to_string(), |a| a.to_string()));
    let boot = f.pxe.map(|i| {
        let mac = i.mac.as_ref().map(|m| format!(" mac {}", spelled(m))).unwrap_or_default();
        format!("{}{mac}", i.name)
    });
    line(out, "boots from", boot.unwrap_or_else(|| "none (not installed by bosun)".into()));
    line(out, "image", h.image.as_deref().unwrap_or("none"));
    for i in &h.interface {
        let mut v = i.name.clone();
        if let Some(n) = &i.network {
            let _ = write!(v, " on {n}");
        }
        if let Some(a) = i.address {
            let _ = write!(v, " {a}");
        }
        if i.dhcp {
            v.push_str(" dhcp");
        }
        line(out, "interface", v);
    }
    for b in &h.bond {
        let addr = b.address.map(|a| format!(" {a}")).unwrap_or_default();
        let net = b.network.as_ref().map(|n| format!(" on {n}")).unwrap_or_default();
        line(out, "bond", format!("{} ({} of {}){net}{addr}", b.name, b.mode, b.members.text));
    }
    if let Some(n) = &site.settings.as_ref().and_then(|s| s.kubernetes.as_ref()?.node_network.clone()) {
        let a = crate::model::node_address(h, n);
        line(out, "node address", a.map_or("none".into(), |a| format!("{a} (on {n})")));
    }
    let pool = h.gpu_pool.as_deref().and_then(|p| site.pool(p));
    let mut labels = h.label.clone();
    let mut taints: Vec<String> = h.taint.iter().map(ToString::to_string).collect();
    if let Some(p) = pool {
        labels.extend(p.label.iter().map(|l| format!("{l} (from pool {})", p.name)));
        taints.extend(p.taint.iter().map(|t| format!("{t} (from pool {})", p.name)));
    }
    line(out, "labels", join(&labels));
    line(out, "taints", join(&taints));
    line(out, "gpu pool", h.gpu_pool.as_deref().unwrap_or("none"));
    line(out, "scheduler", spelled(&h.scheduler));
    Ok(vec![name.to_string(), f.fqdn.clone()])
}

fn pool(site: &Site, name: &str, out: &mut String) -> Result<Vec<String>, ExplainError> {
    let Some(p) = site.pool(name) else {
        return not_found("gpu-pool", name, site.pools.iter().map(|p| p.name.as_str()).collect());
    };
    let _ = writeln!(out, "pool {name}");
    line(out, "gpu", format!("{} {} x {} per host", p.vendor, p.model, p.gpus_per_host));
    if let Some(m) = &p.mig {
        line(
            out,
            "mig",
            format!("{} {}", spelled(&m.strategy), m.profile.as_deref().unwrap_or("")).trim_end().to_string(),
        );
    }
    if let Some(t) = &p.time_slicing {
        line(out, "time-slicing", format!("{} replicas", t.replicas));
    }
    let hosts: Vec<String> = site.pool_hosts(p).map(|h| h.name.clone()).collect();
    line(out, "hosts", join(&hosts));
    line(out, "capacity", format!("{} quota units ({} per GPU)", site.pool_capacity(p), Site::units_per_gpu(p)));
    line(out, "labels", join(&p.label));
    line(out, "taints", join(&p.taint.iter().map(ToString::to_string).collect::<Vec<_>>()));
    let teams: Vec<String> = site
        .teams
        .iter()
        .filter(|t| t.quota.as_ref().and_then(|q| q.gpu).unwrap_or(0) > 0)
        .filter(|t| site.quota_pool(t).is_some_and(|q| q.name == p.name))
        .map(|t| format!("{} ({})", t.name, t.quota.as_ref().and_then(|q| q.gpu).unwrap_or(0)))
        .collect();
    line(out, "quota from", join(&teams));
    Ok(vec![name.to_string()])
}

fn team(site: &Site, name: &str, out: &mut String) -> Result<Vec<String>, ExplainError> {
    let Some(t) = site.teams.iter().find(|t| t.name == name) else {
        return not_found("team", name, site.teams.iter().map(|t| t.name.as_str()).collect());
    };
    let _ = writeln!(out, "team {name}");
    line(out, "namespace", t.namespace());
    line(out, "admins", join(&t.admin));
    line(out, "members", join(&t.member));
    match &t.quota {
        Some(q) => {
            let mut parts = Vec::new();
            if let Some(c) = &q.cpu {
                parts.push(format!("cpu {}", spelled(c)));
            }
            if let Some(m) = &q.memory {
                parts.push(format!("memory {}", spelled(m)));
            }
            if let Some(g) = q.gpu {
                let from = site.quota_pool(t).map(|p| format!(" from pool {}", p.name)).unwrap_or_default();
                parts.push(format!("gpu {g}{from}"));
            }
            if let Some(s) = &q.storage {
                parts.push(format!("storage {}", spelled(s)));
            }
            line(out, "quota", join(&parts));
        }
        None => line(out, "quota", "none"),
    }
    let kueue = site.packs.iter().any(|p| p.name == crate::packs::catalog::KUEUE);
    line(
        out,
        "queue",
        if kueue {
            format!("ClusterQueue {name}; LocalQueue default in {}", t.namespace())
        } else {
            "none (the site does not install the kueue pack)".into()
        },
    );
    line(out, "node selector", t.node_selector.as_deref().unwrap_or("none"));
    let mut words = vec![name.to_string()];
    if t.namespace() != name {
        words.push(t.namespace().to_string());
    }
    Ok(words)
}

fn pack(plan: &Plan, name: &str, out: &mut String) -> Result<Vec<String>, ExplainError> {
    let site = plan.site;
    let Some(p) = site.packs.iter().find(|p| p.name == name) else {
        return not_found("pack", name, site.packs.iter().map(|p| p.name.as_str()).collect());
    };
    let _ = writeln!(out, "pack {name}");
    line(out, "source", p.source.as_deref().unwrap_or("built in"));
    line(out, "namespace", p.namespace.as_deref().unwrap_or("the pack's default"));
    for s in &p.set {
        let v = match (&s.value, &s.from) {
            (_, Some(secret)) => format!("from secret {secret}"),
            (Some(v), None) => v.to_string(),
            (None, None) => String::new(),
        };
        line(out, "set", format!("{} = {v}", s.path));
    }
    // The same graph the gitops renderer orders Applications and Kustomizations by.
    let wave = plan.packs.wave(name);
    line(
        out,
        "sync wave",
        wave.map_or_else(|| "none (the site has a pack dependency cycle)".into(), |w| w.to_string()),
    );
    Ok(vec![name.to_string()])
}

/// Whether `line` contains `word` bounded by characters that cannot be part of a name.
fn names(line: &str, word: &str) -> bool {
    let part = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    line.match_indices(word).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + word.len()..].chars().next();
        !before.is_some_and(part) && !after.is_some_and(part)
    })
}

/// A path component is the object's: `WORD`, `WORD.EXT`, or `KIND-WORD…`
/// where KIND is one lowercase word (`namespace-speech.yaml`).
fn own_path(path: &str, word: &str) -> bool {
    path.split('/').any(|c| {
        c.split('.').any(|piece| {
            piece == word
                || piece
                    .strip_suffix(word)
                    .and_then(|p| p.strip_suffix('-'))
                    .is_some_and(|kind| !kind.is_empty() && kind.chars().all(|ch| ch.is_ascii_lowercase()))
        })
    })
}

fn files(tree: &crate::write::Tree, words: &[String], out: &mut String) {
    let mut own = Vec::new();
    let mut mentions = Vec::new();
    for (path, bytes) in &tree.files {
        if path == crate::write::manifest::NAME {
            continue;
        }
        if words.iter().any(|w| own_path(path, w)) {
            own.push(path.clone());
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        let n = text.lines().filter(|l| words.iter().any(|w| names(l, w))).count();
        if n > 0 {
            mentions.push(format!("{path} ({n} line{})", if n == 1 { "" } else { "s" }));
        }
    }
    let _ = writeln!(out, "its own files ({}):", own.len());
    for p in &own {
        let _ = writeln!(out, "  {p}");
    }
    let _ = writeln!(out, "files that name it ({}):", mentions.len());
    for p in &mentions {
        let _ = writeln!(out, "  {p}");
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_are_matched_as_whole_words() {
        assert!(super::names("host dgx-01.pod1", "dgx-01"));
        assert!(!super::names("host dgx-010", "dgx-01"));
        assert!(!super::names("xdgx-01", "dgx-01"));
        assert!(super::own_path("cluster/namespaces/namespace-speech.yaml", "speech"));
        assert!(super::own_path("kubeadm/dgx-01.yaml", "dgx-01"));
        assert!(!super::own_path("kubeadm/dgx-010.yaml", "dgx-01"));
    }
}

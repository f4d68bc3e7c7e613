//! The import report: what a person reads first is what changes most on the
//! cluster. Refusals and warnings lead, then unmapped GPU, storage, network
//! and security settings, then the fill-ins, then everything else, and a
//! count per file at the end.

use std::collections::BTreeMap;

use serde_norway::Value;

use super::values::scalar;
use super::{Imported, Note};

/// How much an unmapped setting changes what runs, most first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    Gpu,
    Storage,
    Network,
    Security,
    Other,
}

impl Impact {
    fn word(self) -> &'static str {
        match self {
            Impact::Gpu => "gpu",
            Impact::Storage => "storage",
            Impact::Network => "network",
            Impact::Security => "security",
            Impact::Other => "other",
        }
    }
}

const GPU: &[&str] = &["gpu", "mig", "nvidia", "cuda", "dcgm", "nvml", "dgx", "driver", "nccl", "enroot", "pyxis"];
const STORAGE: &[&str] =
    &["nfs", "storage", "disk", "mount", "mountpoint", "trident", "volume", "backend", "ceph", "export", "snapshot"];
const NETWORK: &[&str] = &[
    "dns",
    "ntp",
    "chrony",
    "proxy",
    "registry",
    "registries",
    "mirror",
    "mirrors",
    "network",
    "subnet",
    "addresses",
    "address",
    "interface",
    "dhcp",
    "pxe",
    "metallb",
    "ip",
    "gateway",
    "netmask",
    "domain",
    "host",
    "http",
    "port",
    "lease",
    "mac",
    "int",
    "nat",
    "url",
    "hosts",
];
const SECURITY: &[&str] = &[
    "pass",
    "password",
    "secret",
    "token",
    "key",
    "ssh",
    "ssl",
    "tls",
    "cert",
    "auth",
    "hardening",
    "sudo",
    "users",
    "become",
    "vault",
    "anonymous",
    "sftp",
    "pam",
    "user",
    "credentials",
];

/// The impact of a setting, from the words of its key (`k8s_gpu_mig_strategy`
/// is GPU, `k8s_nfs_server` storage, `chrony_config_server` network).
pub fn impact_of(key: &str) -> Impact {
    let lower = key.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
    let has = |set: &[&str]| words.iter().any(|w| set.contains(w) || set.iter().any(|s| s.len() > 3 && w.contains(s)));
    if has(GPU) {
        Impact::Gpu
    } else if has(STORAGE) {
        Impact::Storage
    } else if has(NETWORK) {
        Impact::Network
    } else if has(SECURITY) {
        Impact::Security
    } else {
        Impact::Other
    }
}

/// A value on one line: a multi-line text as its first line and its line
/// count, a list as its length and first items, a map as its keys.
pub fn summary(v: &Value) -> String {
    let text = match v {
        Value::Sequence(items) if items.is_empty() => "[]".to_string(),
        Value::Sequence(items) => {
            let first: Vec<String> = items.iter().take(2).map(summary).collect();
            let more = if items.len() > 2 { ", …" } else { "" };
            format!("[{} item{}: {}{more}]", items.len(), if items.len() == 1 { "" } else { "s" }, first.join(", "))
        }
        Value::Mapping(m) => {
            let keys: Vec<String> = m.keys().take(4).map(|k| scalar(k).unwrap_or_else(|| "?".into())).collect();
            let more = if m.len() > 4 { ", …" } else { "" };
            format!("{{{}{more}}}", keys.join(", "))
        }
        Value::Tagged(t) => summary(&t.value),
        Value::Null => "(empty)".to_string(),
        v => {
            let s = scalar(v).unwrap_or_default();
            let lines: Vec<&str> = s.lines().collect();
            if lines.len() > 1 { format!("{} … ({} lines)", lines[0].trim(), lines.len()) } else { s }
        }
    };
    shorten(&text, 100)
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max - 1).collect();
    format!("{cut}…")
}

fn note(kind: &str, n: &Note) -> String {
    format!("{kind} [{}]: {}: {}", n.impact.word(), n.at, n.text)
}

/// The report, one message per line, most important first.
pub fn lines(imp: &Imported) -> Vec<String> {
    let mut out: Vec<String> = imp.summary.iter().map(|s| format!("summary: {s}")).collect();
    let mut refused: Vec<&Note> = imp.refused.iter().collect();
    refused.sort_by_key(|n| n.impact);
    out.extend(refused.iter().map(|n| note("refused", n)));
    let mut unmapped: Vec<&Note> = imp.unmapped.iter().collect();
    unmapped.sort_by_key(|n| (!n.lead, n.impact));
    let (lead, rest): (Vec<&Note>, Vec<&Note>) = unmapped.into_iter().partition(|n| n.lead);
    out.extend(lead.iter().map(|n| note("unmapped", n)));
    out.extend(imp.warnings.iter().map(|w| format!("warning: {w}")));
    out.extend(imp.todo.iter().map(|t| format!("fill in: {t}")));
    out.extend(rest.iter().map(|n| note("unmapped", n)));
    let mut per_file: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for n in &imp.unmapped {
        per_file.entry(file_of(&n.at)).or_default().0 += 1;
    }
    for n in &imp.refused {
        per_file.entry(file_of(&n.at)).or_default().1 += 1;
    }
    for (file, (u, r)) in per_file {
        out.push(format!("count: {file}: {u} unmapped, {r} refused"));
    }
    out
}

/// `path:12` → `path`.
fn file_of(at: &str) -> &str {
    match at.rsplit_once(':') {
        Some((f, l)) if l.chars().all(|c| c.is_ascii_digit()) && !l.is_empty() => f,
        _ => at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpu_before_storage_before_network_and_values_fit_one_line() {
        assert_eq!(impact_of("k8s_gpu_mig_strategy"), Impact::Gpu);
        assert_eq!(impact_of("k8s_nfs_server"), Impact::Storage);
        assert_eq!(impact_of("chrony_config_server"), Impact::Network);
        assert_eq!(impact_of("ssh_max_auth_retries"), Impact::Security);
        assert_eq!(impact_of("deepops_dir"), Impact::Other);
        let v: Value = serde_norway::from_str("\"a\\nb\\nc\"").unwrap();
        assert_eq!(summary(&v), "a … (3 lines)");
        let v: Value = serde_norway::from_str("[x, y, z]").unwrap();
        assert_eq!(summary(&v), "[3 items: x, y, …]");
        let mut imp = Imported::default();
        imp.unmapped("f:1", "deepops_dir", "a");
        imp.unmapped("f:2", "k8s_gpu_mig_strategy", "b");
        imp.todo.push("t".into());
        imp.blocked("f:3", "ntp_servers", "c");
        let l = lines(&imp);
        assert_eq!(
            l,
            [
                "unmapped [network]: f:3: c",
                "fill in: t",
                "unmapped [gpu]: f:2: b",
                "unmapped [other]: f:1: a",
                "count: f: 3 unmapped, 0 refused"
            ]
        );
    }
}

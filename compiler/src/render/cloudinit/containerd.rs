//! containerd's files on Kubernetes hosts: the CRI settings kubeadm expects,
//! one `hosts.toml` per registry host (insecure registries, mirrors), and the
//! proxy the daemon pulls through.

use std::collections::BTreeMap;
use std::fmt::Write;

use regex::Regex;
use serde_json::Value;

use super::file;
use crate::model::{Registry, Settings, Site};
use crate::plan::Plan;

/// Where containerd looks for per-registry `hosts.toml` files.
const CERTS_D: &str = "/etc/containerd/certs.d";

/// containerd 1.6/1.7 (Debian 12, Ubuntu 22.04/24.04) read config version 2;
/// containerd 2 migrates it. Only what differs from the defaults is set:
/// the systemd cgroup driver kubeadm configures the kubelet for, and the
/// registry host folder so the `hosts.toml` files take effect.
const CONFIG_TOML: &str = r#"# Written by bosun (cloud-init). Only the settings Kubernetes needs; the rest are containerd's defaults.
version = 2

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true

[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "/etc/containerd/certs.d"
"#;

/// `write_files` entries.
pub fn files(plan: &Plan) -> Result<Vec<Value>, String> {
    let settings = plan.settings;
    let mut out = vec![file("/etc/containerd/config.toml", "0644", CONFIG_TOML.to_string())];
    for (dir, hosts) in registry_hosts(&settings.registry)? {
        out.push(file(&format!("{CERTS_D}/{dir}/hosts.toml"), "0644", hosts.toml(&dir)));
    }
    if let Some(dropin) = proxy_dropin(plan.site, settings) {
        out.push(file("/etc/systemd/system/containerd.service.d/http-proxy.conf", "0644", dropin));
    }
    Ok(out)
}

/// One `hosts.toml`: the registry containerd falls back to, and the hosts
/// it tries first, in order.
struct HostsToml {
    server: String,
    hosts: Vec<Host>,
}

struct Host {
    url: String,
    capabilities: &'static [&'static str],
    skip_verify: bool,
}

impl HostsToml {
    fn toml(&self, dir: &str) -> String {
        let mut t = String::new();
        if self.hosts.iter().any(|h| h.url != self.server) {
            let _ =
                writeln!(t, "# Written by bosun: pulls from {dir} try the mirrors below first, then {}.", self.server);
        } else {
            let _ =
                writeln!(t, "# Written by bosun: {dir} is an insecure registry (plain HTTP, no certificate check).");
        }
        let _ = writeln!(t, "server = {}", toml_string(&self.server));
        for h in &self.hosts {
            let caps: Vec<String> = h.capabilities.iter().map(|c| toml_string(c)).collect();
            let _ = writeln!(t, "\n[host.{}]", toml_string(&h.url));
            let _ = writeln!(t, "  capabilities = [{}]", caps.join(", "));
            if h.skip_verify {
                let _ = writeln!(t, "  skip_verify = true");
            }
        }
        t
    }
}

/// The `certs.d` folders (named `HOST[:PORT]`) and their contents. An
/// insecure registry gets a folder of its own, reached over plain HTTP; a
/// mirror becomes a host of its upstream's folder. Mirrors of one upstream
/// are tried in order of their addresses.
fn registry_hosts(registries: &[Registry]) -> Result<BTreeMap<String, HostsToml>, String> {
    // Compiled once per process, not once per host.
    static HOST_PORT: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let host_port = HOST_PORT
        .get_or_init(|| Regex::new(r"^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$").expect("valid pattern"));
    let mut sorted: Vec<&Registry> = registries.iter().collect();
    sorted.sort_by(|a, b| a.address.cmp(&b.address));
    let mut dirs: BTreeMap<String, HostsToml> = BTreeMap::new();
    for r in sorted {
        for name in std::iter::once(&r.address).chain(&r.mirror_of) {
            // Both are validated HOST[:PORT]s; they become a path and TOML strings.
            if !host_port.is_match(name) {
                return Err(format!("registry name {name:?} is not HOST[:PORT]"));
            }
        }
        let scheme = if r.insecure { "http" } else { "https" };
        let url = format!("{scheme}://{}", r.address);
        if r.insecure {
            let own = dirs.entry(r.address.clone()).or_insert_with(|| HostsToml { server: url.clone(), hosts: vec![] });
            own.hosts.push(Host { url: url.clone(), capabilities: &["pull", "resolve", "push"], skip_verify: true });
        }
        if let Some(upstream) = &r.mirror_of {
            let server = upstream_server(upstream);
            let dir = dirs.entry(upstream.clone()).or_insert_with(|| HostsToml { server, hosts: vec![] });
            dir.hosts.push(Host { url, capabilities: &["pull", "resolve"], skip_verify: r.insecure });
        }
    }
    Ok(dirs)
}

/// Docker Hub's images are named `docker.io/…` but served by registry-1.docker.io.
fn upstream_server(upstream: &str) -> String {
    match upstream {
        "docker.io" => "https://registry-1.docker.io".to_string(),
        other => format!("https://{other}"),
    }
}

fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The systemd drop-in that makes containerd pull through the site proxy.
/// `None` without a proxy URL.
fn proxy_dropin(site: &Site, settings: &Settings) -> Option<String> {
    let proxy = settings.proxy.as_ref()?;
    if proxy.http.is_none() && proxy.https.is_none() {
        return None;
    }
    let mut d = String::from(
        "# Written by bosun: containerd pulls images through the site proxy; cluster and site traffic goes direct.\n[Service]\n",
    );
    for (name, value) in [("HTTP_PROXY", &proxy.http), ("HTTPS_PROXY", &proxy.https)] {
        if let Some(v) = value {
            let _ = writeln!(d, "Environment={}", systemd_quoted(&format!("{name}={v}")));
        }
    }
    let _ = writeln!(d, "Environment={}", systemd_quoted(&format!("NO_PROXY={}", no_proxy(site, settings).join(","))));
    Some(d)
}

/// What bypasses the proxy: the site's own list, then loopback, the pod and
/// service subnets, the in-cluster names, the site domain and every site
/// network (node addresses are always reached directly), networks merged
/// into the fewest blocks so the list stays short on large sites.
pub fn no_proxy(site: &Site, settings: &Settings) -> Vec<String> {
    let k = settings.kubernetes.as_ref();
    let given = settings.proxy.as_ref().and_then(|p| p.no_proxy.as_deref()).unwrap_or("");
    let mut out: Vec<String> = Vec::new();
    // A set, not `out.contains`: sites have hundreds of networks.
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    let entries = given
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(str::to_string)
        .chain(["localhost".to_string(), "127.0.0.1".to_string()])
        .chain(k.into_iter().flat_map(|k| [k.pod_subnet.to_string(), k.service_subnet.to_string()]))
        .chain(k.into_iter().flat_map(|k| ["svc".to_string(), k.cluster_domain.clone()]))
        .chain([settings.domain.clone()])
        .chain(crate::model::aggregate(site.networks.iter().map(|n| n.cidr)).into_iter().map(|c| c.to_string()));
    for e in entries {
        if !e.is_empty() && !e.chars().any(char::is_control) && seen.insert(e.clone()) {
            out.push(e);
        }
    }
    out
}

/// A double-quoted systemd value: `\` and `"` escaped, `%` (a specifier) doubled.
fn systemd_quoted(s: &str) -> String {
    let escaped = s.replace('\\', "\\\\").replace('"', "\\\"").replace('%', "%%");
    format!("\"{escaped}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(address: &str, insecure: bool, mirror_of: Option<&str>) -> Registry {
        Registry { address: address.into(), insecure, mirror_of: mirror_of.map(str::to_string) }
    }

    #[test]
    fn insecure_registries_and_mirrors() {
        let regs = [
            reg("registry.local:5000", true, None),
            reg("m2.example:5000", false, Some("docker.io")),
            reg("m1.example", false, Some("docker.io")),
        ];
        let dirs = registry_hosts(&regs).unwrap();
        assert_eq!(dirs.keys().collect::<Vec<_>>(), ["docker.io", "registry.local:5000"]);
        let hub = dirs["docker.io"].toml("docker.io");
        assert!(hub.contains("server = \"https://registry-1.docker.io\""), "{hub}");
        let m1 = hub.find("[host.\"https://m1.example\"]").unwrap();
        let m2 = hub.find("[host.\"https://m2.example:5000\"]").unwrap();
        assert!(m1 < m2, "mirrors in address order: {hub}");
        assert!(hub.contains("capabilities = [\"pull\", \"resolve\"]") && !hub.contains("skip_verify"), "{hub}");
        let local = dirs["registry.local:5000"].toml("registry.local:5000");
        assert!(local.contains("server = \"http://registry.local:5000\""), "{local}");
        assert!(local.contains("[host.\"http://registry.local:5000\"]\n  capabilities = [\"pull\", \"resolve\", \"push\"]\n  skip_verify = true\n"));
    }

    #[test]
    fn odd_upstream_names_are_refused() {
        assert!(registry_hosts(&[reg("m.example", false, Some("../etc"))]).is_err());
        assert!(registry_hosts(&[reg("m.example", false, Some("a\"b"))]).is_err());
    }

    #[test]
    fn systemd_values_escape_specifiers_and_quotes() {
        assert_eq!(systemd_quoted("HTTP_PROXY=http://u:p%40x@h"), "\"HTTP_PROXY=http://u:p%%40x@h\"");
        assert_eq!(systemd_quoted("a\"b\\c"), "\"a\\\"b\\\\c\"");
    }
}

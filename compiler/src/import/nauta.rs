//! Intel Nauta (Enterprise 1.0): the Ansible inventory ([master] with exactly
//! one row, [worker] rows) and the YAML configuration, as the "Nauta
//! Installation, Configuration and Administration Guide" (April 2019)
//! documents them. Settings Nauta leaves out get the guide's defaults.

use std::net::Ipv4Addr;
use std::path::Path;

use serde_norway::Value;

use super::Imported;
use super::credentials::{self, SecretNames};
use super::emit::{V, Writer};
use super::ini;
use super::values::{covering, list, scalar};
use crate::model::{Cni, spelled};
use crate::packs::catalog;

/// The Kubernetes release an imported site starts on: Nauta shipped 1.10,
/// which bosun does not support (docs/language.md, supported versions).
pub const KUBERNETES_VERSION: &str = "1.31.4";

/// Inventory variables the importer maps (anything else is listed as unmapped).
const HOST_VARS: &[&str] = &[
    "ansible_ssh_host",
    "ansible_host",
    "ansible_ssh_pass",
    "internal_interface",
    "data_interface",
    "external_interface",
    "local_data_device",
    "local_device",
    "local_data_path",
];

pub fn import_files(inventory: &Path, config: &Path) -> Result<Imported, String> {
    let inv = std::fs::read_to_string(inventory).map_err(|e| format!("cannot read {}: {e}", inventory.display()))?;
    let cfg = std::fs::read_to_string(config).map_err(|e| format!("cannot read {}: {e}", config.display()))?;
    import(&inv, &inventory.display().to_string(), &cfg, &config.display().to_string())
}

/// One configuration value with the line it came from.
struct Cfg<'a> {
    text: &'a str,
    name: &'a str,
    map: serde_norway::Mapping,
}

impl Cfg<'_> {
    fn get(&self, key: &str) -> Option<&Value> {
        self.map.get(Value::String(key.to_string())).filter(|v| !v.is_null())
    }

    fn str(&self, key: &str) -> Option<String> {
        self.get(key).and_then(scalar)
    }

    /// `file:line` of a key (the first line that starts with `key:` at any indentation).
    fn at(&self, key: &str) -> String {
        match line_of(self.text, key) {
            0 => format!("{} (not set, Nauta's default)", self.name),
            n => format!("{}:{n}", self.name),
        }
    }
}

fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let t = l.trim_start().trim_start_matches("- ");
            t.strip_prefix(key).is_some_and(|r| r.trim_start().starts_with(':'))
        })
        .map_or(0, |i| i + 1)
}

struct HostIn {
    name: String,
    master: bool,
    address: Option<Ipv4Addr>,
    internal: Option<String>,
    data: Option<String>,
    external: Option<String>,
    device: Option<String>,
    path: Option<String>,
    /// Credential variables (`ansible_ssh_pass`, a mistyped `pass`, …) with their lines.
    credentials: Vec<(String, usize)>,
}

/// Imports a Nauta inventory and configuration (their texts, with the names
/// used in messages).
pub fn import(inv_text: &str, inv_name: &str, cfg_text: &str, cfg_name: &str) -> Result<Imported, String> {
    let mut out = Imported::default();
    let inv = ini::parse(inv_text);
    let value: Value = if cfg_text.trim().is_empty() {
        Value::Mapping(Default::default())
    } else {
        serde_norway::from_str(cfg_text).map_err(|e| format!("{cfg_name}: not valid YAML: {e}"))?
    };
    let mut map = match value {
        Value::Mapping(m) => m,
        Value::Null => Default::default(),
        _ => return Err(format!("{cfg_name}: the configuration must be a YAML mapping")),
    };
    // The guide nests the NFS settings under `nauta_configuration:`.
    if let Some(Value::Mapping(inner)) = map.remove(Value::String("nauta_configuration".into())) {
        for (k, v) in inner {
            map.insert(k, v);
        }
    }
    let cfg = Cfg { text: cfg_text, name: cfg_name, map };

    // Hosts ---------------------------------------------------------------
    let masters = inv.section("master").map(|s| s.hosts.clone()).unwrap_or_default();
    if masters.len() != 1 {
        return Err(format!(
            "{inv_name}: [master] must contain exactly one row (Nauta's rule), found {}",
            masters.len()
        ));
    }
    let workers = inv.section("worker").map(|s| s.hosts.clone()).unwrap_or_default();
    let mut hosts = Vec::new();
    for (row, master) in masters.iter().map(|r| (r, true)).chain(workers.iter().map(|r| (r, false))) {
        let get = |k: &str| row.get(k).filter(|v| !v.is_empty()).map(str::to_string);
        let address = match get("ansible_ssh_host").or_else(|| get("ansible_host")) {
            Some(a) => match a.parse::<Ipv4Addr>() {
                Ok(ip) => Some(ip),
                Err(_) => {
                    out.todo.push(format!(
                        "{inv_name}:{}: host `{}`: ansible_ssh_host `{a}` is not an IPv4 address; give its \
                         `internal` interface an address",
                        row.line, row.name
                    ));
                    None
                }
            },
            None => None,
        };
        let secret = |k: &str| credentials::is_credential(k);
        let creds = row.vars.iter().filter(|(k, _, _)| secret(k)).map(|(k, _, l)| (k.clone(), *l)).collect();
        for (k, v, l) in row.vars.iter().filter(|(k, _, _)| !secret(k)) {
            if !HOST_VARS.contains(&k.as_str()) {
                let var = credentials::pair(k, "=", v);
                out.unmapped
                    .push(format!("{inv_name}:{l}: host `{}`: {var} (no site setting; Ansible only)", row.name));
            }
        }
        hosts.push(HostIn {
            name: row.name.clone(),
            master,
            address,
            internal: get("internal_interface"),
            data: get("data_interface"),
            external: get("external_interface"),
            device: get("local_data_device").or_else(|| get("local_device")),
            path: get("local_data_path"),
            credentials: creds,
        });
    }
    for s in &inv.sections {
        if s.name != "master" && s.name != "worker" {
            out.unmapped
                .push(format!("{inv_name}:{}: section [{}] (Nauta reads only [master] and [worker])", s.line, s.name));
        }
    }

    // Configuration ---------------------------------------------------------
    let domain = cfg.str("domain").unwrap_or_else(|| "nauta".into());
    let nodes_domain = cfg.str("nodes_domain").unwrap_or_else(|| "infra".into());
    let k8s_domain = cfg.str("k8s_domain").unwrap_or_else(|| "kubernetes".into());
    let pod = cfg.str("kubernetes_pod_subnet").unwrap_or_else(|| "10.3.0.0/16".into());
    let svc = cfg.str("kubernetes_svc_subnet").unwrap_or_else(|| "10.4.0.0/16".into());
    let num = |k: &str, d: i64| cfg.get(k).and_then(Value::as_i64).unwrap_or(d);
    let (age, backup, size) = (
        num("apiserver_audit_log_maxage", 7),
        num("apiserver_audit_log_maxbackup", 10),
        num("apiserver_audit_log_maxsize", 1024),
    );
    let dns = list(cfg.get("dns_servers"));
    let search = list(cfg.get("dns_search_domains"));
    let sans: Vec<String> = match cfg.get("dns_names_for_certificate") {
        Some(Value::Mapping(m)) => m.values().filter_map(scalar).collect(),
        other => list(other),
    };
    let registries = list(cfg.get("insecure_registries"));
    let log = cfg.get("docker_log_driver_settings");
    let log_get = |k: &str| log.and_then(|l| l.get(k)).and_then(scalar);
    let log_size = log_get("max_size").unwrap_or_else(|| "5g".into());
    let log_files = log_get("max_file").and_then(|f| f.parse::<i64>().ok()).unwrap_or(1);

    let proxy = cfg.get("proxy");
    let proxy_get = |k: &str| {
        proxy.and_then(|p| p.get(k).or_else(|| p.get(k.to_uppercase()))).and_then(scalar).filter(|s| !s.is_empty())
    };
    let (http, https, no_proxy) = (proxy_get("http_proxy"), proxy_get("https_proxy"), proxy_get("no_proxy"));
    let mut strip = |key: &str, url: Option<String>| {
        let (url, had) = credentials::without_userinfo(&url?);
        if had {
            out.todo.push(format!(
                "{}: proxy.{key} has a user and password in it; they were not copied (bosun's proxy takes none)",
                cfg.at(key)
            ));
        }
        Some(url)
    };
    let (http, https) = (strip("http_proxy", http), strip("https_proxy", https));
    if let Some(Value::Mapping(p)) = proxy {
        for k in p.keys().filter_map(Value::as_str) {
            if !["http_proxy", "https_proxy", "no_proxy"].contains(&k.to_lowercase().as_str()) {
                out.unmapped
                    .push(format!("{}: proxy.{k} (bosun's proxy has http, https and no-proxy only)", cfg.at(k)));
            }
        }
    }

    const KNOWN: &[&str] = &[
        "proxy",
        "dns_servers",
        "dns_search_domains",
        "dns_names_for_certificate",
        "domain",
        "nodes_domain",
        "k8s_domain",
        "kubernetes_pod_subnet",
        "kubernetes_svc_subnet",
        "apiserver_audit_log_maxage",
        "apiserver_audit_log_maxbackup",
        "apiserver_audit_log_maxsize",
        "insecure_registries",
        "input_nfs",
        "output_nfs",
        "docker_log_driver_settings",
    ];
    for k in cfg.map.keys().filter_map(Value::as_str) {
        if k == "features" || k == "features_config" {
            let detail = match cfg.get(k) {
                Some(Value::Mapping(m)) => m
                    .iter()
                    .map(|(a, b)| {
                        credentials::pair(a.as_str().unwrap_or("?"), "=", &scalar(b).unwrap_or_else(|| "{…}".into()))
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
                _ => String::new(),
            };
            out.unmapped.push(format!(
                "{}: {k} ({detail}): Nauta feature plugins (redsocks) have no bosun equivalent",
                cfg.at(k)
            ));
        } else if !KNOWN.contains(&k) {
            out.unmapped.push(format!("{}: {k} (unknown to the importer)", cfg.at(k)));
        }
    }

    // Networks: Nauta has none, only interface names and addresses.
    let addrs: Vec<Ipv4Addr> = hosts.iter().filter_map(|h| h.address).collect();
    let internal_cidr = covering(&addrs);
    let master = &hosts[0];
    let data_path = master.path.clone().unwrap_or_else(|| "/data".into());
    if master.device.is_some() && master.path.is_none() {
        out.todo.push(format!(
            "{inv_name}:{}: local_data_path is not set; the local data disk is mounted at /data (change `mount=` if \
             Nauta used another path)",
            masters[0].line
        ));
    }
    let nfs = |key: &str, dir: &str| -> (String, String, bool) {
        let v = cfg.get(key);
        let get = |k: &str| v.and_then(|m| m.get(k)).and_then(scalar);
        match (get("server"), get("path")) {
            (Some(s), Some(p)) => (s, p, false),
            _ => {
                let server = master.address.map(|a| a.to_string()).unwrap_or_else(|| master.name.clone());
                (server, format!("{}/nfs/{dir}", data_path.trim_end_matches('/')), true)
            }
        }
    };
    let (in_server, in_path, in_default) = nfs("input_nfs", "input");
    let (out_server, out_path, out_default) = nfs("output_nfs", "output");
    for (what, s, p) in [("input_nfs", &in_server, &in_path), ("output_nfs", &out_server, &out_path)] {
        if s.contains("{{") || p.contains("{{") {
            out.todo.push(format!(
                "{}: {what} uses Ansible templates ({s}:{p}); replace them with the real server and path",
                cfg.at(what)
            ));
        }
    }

    // Write ----------------------------------------------------------------
    let site_name = sanitize(&nodes_domain);
    let mut w = Writer::default();
    w.comment(&format!(
        "Imported from Nauta by `bosun import nauta`.\nInventory: {inv_name}\nConfiguration: {cfg_name}"
    ));
    w.blank();
    w.open("site", &[site_name.as_str().into()], &[]);
    w.node("domain", &[domain.as_str().into()], &[]);
    w.node("nodes-domain", &[nodes_domain.as_str().into()], &[]);
    w.comment("Nauta 1.0 shipped Kubernetes 1.10 with flannel; bosun needs a supported release.");
    w.open("kubernetes", &[], &[("version", KUBERNETES_VERSION.into())]);
    w.node("pod-subnet", &[pod.as_str().into()], &[]);
    w.node("service-subnet", &[svc.as_str().into()], &[]);
    w.comment("k8s_domain.domain");
    w.node("cluster-domain", &[format!("{k8s_domain}.{domain}").into()], &[]);
    w.node("cni", &[spelled(&Cni::Flannel).into()], &[]);
    for s in &sans {
        w.node("cert-san", &[s.into()], &[]);
    }
    w.node("audit", &[], &[("max-age", age.into()), ("max-backup", backup.into()), ("max-size", size.into())]);
    let files = log_files.max(2);
    if files != log_files {
        out.warnings.push(format!(
            "{}: docker_log_driver_settings.max_file {log_files} became container-log max-files=2: the kubelet \
             needs at least two",
            cfg.at("docker_log_driver_settings")
        ));
    }
    w.comment(&format!("docker_log_driver_settings: max_size {log_size}, max_file {log_files}"));
    w.node("container-log", &[], &[("max-size", log_quantity(&log_size).into()), ("max-files", files.into())]);
    if internal_cidr.is_some() {
        w.node("node-network", &["internal".into()], &[]);
    }
    w.close();
    if !dns.is_empty() || !search.is_empty() {
        w.open("dns", &[], &[]);
        for s in &dns {
            w.node("server", &[s.into()], &[]);
        }
        for s in &search {
            w.node("search", &[s.into()], &[]);
        }
        w.close();
    }
    if http.is_some() || https.is_some() {
        let mut props: Vec<(&str, V)> = Vec::new();
        if let Some(h) = &http {
            props.push(("http", h.into()));
        }
        if let Some(h) = &https {
            props.push(("https", h.into()));
        }
        if let Some(n) = &no_proxy {
            props.push(("no-proxy", n.replace(' ', "").into()));
        }
        w.node("proxy", &[], &props);
    }
    for r in &registries {
        w.node("registry", &[r.into()], &[("insecure", true.into())]);
    }
    w.close();

    w.blank();
    match &internal_cidr {
        Some(cidr) => {
            w.comment(
                "internal_interface: Kubernetes and pod traffic. Nauta does not record the\nnetwork's range: this is \
                 the smallest /24, /16 or /8 holding every\nhost's ansible_ssh_host; check it.",
            );
            w.open("network", &["internal".into()], &[]);
            w.node("cidr", &[cidr.as_str().into()], &[]);
            w.close();
            out.todo
                .push(format!("network \"internal\": cidr {cidr} was inferred from the hosts' addresses; confirm it"));
        }
        None => out.todo.push(
            "no host has an IPv4 ansible_ssh_host: add a `network` with the hosts' internal addresses".to_string(),
        ),
    }

    let mut passwords = Vec::new();
    for h in &hosts {
        w.blank();
        w.open("host", &[h.name.as_str().into()], &[]);
        w.node("role", &[if h.master { "control-plane" } else { "worker" }.into()], &[]);
        match (&h.internal, h.address, &internal_cidr) {
            (Some(i), Some(a), Some(_)) => {
                w.node("interface", &[i.into()], &[("network", "internal".into()), ("address", a.to_string().into())])
            }
            (Some(i), _, _) => w.node("interface", &[i.into()], &[]),
            (None, _, _) => out.todo.push(format!("host `{}`: internal_interface is missing", h.name)),
        }
        if let Some(d) = &h.data
            && Some(d) != h.internal.as_ref()
        {
            w.comment("data_interface: Nauta records no address for it");
            w.node("interface", &[d.into()], &[]);
        }
        if let Some(e) = &h.external
            && Some(e) != h.internal.as_ref()
            && Some(e) != h.data.as_ref()
        {
            w.comment("external_interface: the corporate network, by DHCP");
            w.node("interface", &[e.into()], &[("dhcp", true.into())]);
        }
        if let Some(dev) = &h.device {
            let mount = h.path.clone().unwrap_or_else(|| data_path.clone());
            w.node("disk", &[dev.into()], &[("use", "local-data".into()), ("mount", mount.into())]);
        }
        w.close();
        passwords.extend(h.credentials.iter().map(|(var, line)| (h.name.clone(), var.clone(), *line)));
    }

    w.blank();
    w.comment("input_nfs / output_nfs");
    w.open("storage", &[], &[]);
    w.node("nfs", &["input".into()], &[("server", in_server.as_str().into()), ("path", in_path.as_str().into())]);
    w.node("nfs", &["output".into()], &[("server", out_server.as_str().into()), ("path", out_path.as_str().into())]);
    w.node(
        "class",
        &["nauta-input".into()],
        &[("backend", "input".into()), ("type", "nfs".into()), ("access", "ReadWriteMany".into())],
    );
    w.node(
        "class",
        &["nauta-output".into()],
        &[
            ("backend", "output".into()),
            ("type", "nfs".into()),
            ("access", "ReadWriteMany".into()),
            ("default", true.into()),
        ],
    );
    w.close();
    if in_default || out_default {
        out.todo.push(format!(
            "input_nfs/output_nfs are not set: Nauta's internal NFS on the master ({}:{}/nfs/…) is assumed",
            in_server, data_path
        ));
    }

    if !passwords.is_empty() {
        w.blank();
        w.comment(
            "ansible_ssh_pass and other credentials: the values stay out of the site.\nStore each one under this path \
             and remove it from the inventory.",
        );
        let mut names = SecretNames::default();
        for (host, var, line) in &passwords {
            let (name, path) = names.for_host(&format!("kv/{site_name}"), host, var);
            w.node("secret", &[name.as_str().into()], &[("store", "vault".into()), ("path", path.into())]);
            out.warnings.push(format!(
                "{inv_name}:{line}: host `{host}`: plaintext {var} replaced by secret \"{name}\" (value not copied)"
            ));
        }
    }
    w.blank();
    w.node("pack", &[catalog::CSI_DRIVER_NFS.into()], &[]);
    out.kdl = w.finish();
    Ok(out)
}

/// `5g` → `5Gi`, `100m` → `100Mi`, `10k` → `10Ki`; anything else as is.
fn log_quantity(s: &str) -> String {
    let s = s.trim();
    let (digits, unit) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
    match unit.to_ascii_lowercase().as_str() {
        "g" | "gb" | "gi" => format!("{digits}Gi"),
        "m" | "mb" | "mi" => format!("{digits}Mi"),
        "k" | "kb" | "ki" => format!("{digits}Ki"),
        _ => s.to_string(),
    }
}

/// A site name: lowercase letters, digits and hyphens.
pub(crate) fn sanitize(s: &str) -> String {
    let t: String = s
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect::<String>()
        .trim_matches('-')
        .to_string();
    if t.is_empty() { "imported".into() } else { t }
}

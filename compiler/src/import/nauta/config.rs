//! Nauta's YAML configuration: domains, subnets, audit log, DNS, proxy,
//! registries, container logs and the input/output NFS shares. Every key the
//! configuration states is mapped or reported; a default is a fill-in.

use serde_norway::Value;

use super::super::Imported;
use super::super::credentials;
use super::super::emit::{V, Writer};
use super::super::jinja;
use super::super::report::summary;
use super::super::values::{list, scalar};
use super::hosts::HostIn;
use super::{Cfg, KUBERNETES_VERSION, log_quantity};
use crate::model::{Cni, spelled};

/// Keys the importer maps.
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

pub struct Settings {
    pub domain: String,
    pub nodes_domain: String,
    k8s_domain: String,
    pod: String,
    svc: String,
    audit: (i64, i64, i64),
    dns: Vec<String>,
    search: Vec<String>,
    sans: Vec<String>,
    registries: Vec<String>,
    log_size: String,
    log_files: i64,
    proxy: (Option<String>, Option<String>, Option<String>),
}

impl Settings {
    /// Where the master's local data disk is mounted.
    pub fn data_path(&self, hosts: &[HostIn]) -> String {
        hosts.first().and_then(|m| m.path.clone()).unwrap_or_else(|| "/data".into())
    }
}

pub fn read(cfg: &Cfg, out: &mut Imported) -> Settings {
    let str_or = |k: &str, d: &str| cfg.str(k).unwrap_or_else(|| d.to_string());
    let num = |k: &str, d: i64| cfg.get(k).and_then(Value::as_i64).unwrap_or(d);
    let log = cfg.get("docker_log_driver_settings");
    let log_get = |k: &str| log.and_then(|l| l.get(k)).and_then(scalar);
    let s = Settings {
        domain: str_or("domain", "nauta"),
        nodes_domain: str_or("nodes_domain", "infra"),
        k8s_domain: str_or("k8s_domain", "kubernetes"),
        pod: str_or("kubernetes_pod_subnet", "10.3.0.0/16"),
        svc: str_or("kubernetes_svc_subnet", "10.4.0.0/16"),
        audit: (
            num("apiserver_audit_log_maxage", 7),
            num("apiserver_audit_log_maxbackup", 10),
            num("apiserver_audit_log_maxsize", 1024),
        ),
        dns: list(cfg.get("dns_servers")),
        search: list(cfg.get("dns_search_domains")),
        sans: match cfg.get("dns_names_for_certificate") {
            Some(Value::Mapping(m)) => m.values().filter_map(scalar).collect(),
            other => list(other),
        },
        registries: list(cfg.get("insecure_registries")),
        log_size: log_get("max_size").unwrap_or_else(|| "5g".into()),
        log_files: log_get("max_file").and_then(|f| f.parse::<i64>().ok()).unwrap_or(1),
        proxy: proxy(cfg, out),
    };
    record(cfg, &s, out);
    s
}

/// Marks each stated key mapped (with the text it leaves in the site) or reports it.
fn record(cfg: &Cfg, s: &Settings, out: &mut Imported) {
    let first = |v: &[String]| v.first().cloned().unwrap_or_default();
    for k in cfg.map.keys().filter_map(Value::as_str) {
        let at = cfg.at(k);
        let shows = match k {
            "domain" => s.domain.clone(),
            "nodes_domain" => s.nodes_domain.clone(),
            "k8s_domain" => format!("{}.{}", s.k8s_domain, s.domain),
            "kubernetes_pod_subnet" => s.pod.clone(),
            "kubernetes_svc_subnet" => s.svc.clone(),
            "apiserver_audit_log_maxage" => s.audit.0.to_string(),
            "apiserver_audit_log_maxbackup" => s.audit.1.to_string(),
            "apiserver_audit_log_maxsize" => s.audit.2.to_string(),
            "dns_servers" => first(&s.dns),
            "dns_search_domains" => first(&s.search),
            "dns_names_for_certificate" => first(&s.sans),
            "insecure_registries" => first(&s.registries),
            "docker_log_driver_settings" => log_quantity(&s.log_size),
            "proxy" => s.proxy.0.clone().or_else(|| s.proxy.1.clone()).unwrap_or_default(),
            "input_nfs" | "output_nfs" => continue,
            "features" | "features_config" => {
                let detail = match cfg.get(k) {
                    Some(Value::Mapping(m)) => m
                        .iter()
                        .map(|(a, b)| {
                            credentials::pair(a.as_str().unwrap_or("?"), "=", &scalar(b).unwrap_or_else(|| summary(b)))
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    _ => String::new(),
                };
                out.unmapped(
                    at,
                    k,
                    format!("{k} ({detail}): Nauta feature plugins (redsocks) have no bosun equivalent"),
                );
                continue;
            }
            _ => {
                let shown = match cfg.get(k) {
                    Some(v)
                        if credentials::is_credential(k) || scalar(v).is_some_and(|t| !credentials::shows(k, &t)) =>
                    {
                        credentials::HIDDEN.to_string()
                    }
                    Some(v) => summary(v),
                    None => "(empty)".into(),
                };
                let key = if credentials::shows(k, "") { k } else { "(a key that may name a credential)" };
                out.unmapped(at, k, format!("{key}: {shown} (unknown to the importer)"));
                continue;
            }
        };
        if KNOWN.contains(&k) && !shows.is_empty() {
            out.map(at, k, shows);
        } else if KNOWN.contains(&k) {
            out.unmapped(at, k, format!("{k}: empty"));
        }
    }
}

fn proxy(cfg: &Cfg, out: &mut Imported) -> (Option<String>, Option<String>, Option<String>) {
    let proxy = cfg.get("proxy");
    let get = |k: &str| {
        proxy.and_then(|p| p.get(k).or_else(|| p.get(k.to_uppercase()))).and_then(scalar).filter(|s| !s.is_empty())
    };
    let mut strip = |key: &str| {
        let (url, had) = credentials::without_userinfo(&get(key)?);
        if had {
            out.todo.push(format!(
                "{}: proxy.{key} has a user and password in it; they were not copied (bosun's proxy takes none)",
                cfg.at(key)
            ));
        }
        Some(url)
    };
    let (http, https) = (strip("http_proxy"), strip("https_proxy"));
    if let Some(Value::Mapping(p)) = proxy {
        for k in p.keys().filter_map(Value::as_str) {
            if !["http_proxy", "https_proxy", "no_proxy"].contains(&k.to_lowercase().as_str()) {
                out.unmapped(cfg.at(k), k, format!("proxy.{k} (bosun's proxy has http, https and no-proxy only)"));
            }
        }
    }
    (http, https, get("no_proxy"))
}

pub fn write_site(cfg: &Cfg, s: &Settings, site_name: &str, has_net: bool, w: &mut Writer, out: &mut Imported) {
    for (key, default) in [("domain", "nauta"), ("nodes_domain", "infra"), ("kubernetes_pod_subnet", "10.3.0.0/16")] {
        if !cfg.states(key) {
            out.todo.push(format!("{key}: not set; Nauta's default `{default}` is used"));
        }
    }
    w.open("site", &[site_name.into()], &[]);
    w.node("domain", &[s.domain.as_str().into()], &[]);
    w.node("nodes-domain", &[s.nodes_domain.as_str().into()], &[]);
    w.comment("Nauta 1.0 shipped Kubernetes 1.10 with flannel; bosun needs a supported release.");
    w.open("kubernetes", &[], &[("version", KUBERNETES_VERSION.into())]);
    w.node("pod-subnet", &[s.pod.as_str().into()], &[]);
    w.node("service-subnet", &[s.svc.as_str().into()], &[]);
    w.comment("k8s_domain.domain");
    w.node("cluster-domain", &[format!("{}.{}", s.k8s_domain, s.domain).into()], &[]);
    w.node("cni", &[spelled(&Cni::Flannel).into()], &[]);
    for san in &s.sans {
        w.node("cert-san", &[san.into()], &[]);
    }
    let (age, backup, size) = s.audit;
    w.node("audit", &[], &[("max-age", age.into()), ("max-backup", backup.into()), ("max-size", size.into())]);
    let files = s.log_files.max(2);
    if files != s.log_files {
        out.warnings.push(format!(
            "{}: docker_log_driver_settings.max_file {} became container-log max-files=2: the kubelet needs at least two",
            cfg.at("docker_log_driver_settings"),
            s.log_files
        ));
    }
    w.comment(&format!("docker_log_driver_settings: max_size {}, max_file {}", s.log_size, s.log_files));
    w.node("container-log", &[], &[("max-size", log_quantity(&s.log_size).into()), ("max-files", files.into())]);
    if has_net {
        w.node("node-network", &["internal".into()], &[]);
    }
    w.close();
    write_services(s, w);
    w.close();
}

fn write_services(s: &Settings, w: &mut Writer) {
    if !s.dns.is_empty() || !s.search.is_empty() {
        w.open("dns", &[], &[]);
        for d in &s.dns {
            w.node("server", &[d.into()], &[]);
        }
        for d in &s.search {
            w.node("search", &[d.into()], &[]);
        }
        w.close();
    }
    let (http, https, no_proxy) = &s.proxy;
    if http.is_some() || https.is_some() {
        let mut props: Vec<(&str, V)> = Vec::new();
        if let Some(h) = http {
            props.push(("http", h.into()));
        }
        if let Some(h) = https {
            props.push(("https", h.into()));
        }
        if let Some(n) = no_proxy {
            props.push(("no-proxy", n.replace(' ', "").into()));
        }
        w.node("proxy", &[], &props);
    }
    for r in &s.registries {
        w.node("registry", &[r.into()], &[("insecure", true.into())]);
    }
}

/// `input_nfs`/`output_nfs` (at the top, or under `nauta_extra_configuration`);
/// unset, Nauta's internal NFS on the master, said as a fill-in.
pub fn write_storage(cfg: &Cfg, hosts: &[HostIn], w: &mut Writer, out: &mut Imported) {
    let master = &hosts[0];
    let data_path = master.path.clone().unwrap_or_else(|| "/data".into());
    if master.device.is_some() && master.path.is_none() {
        out.todo.push(format!(
            "host `{}`: local_data_path is not set; the local data disk is mounted at /data (change `mount=` if Nauta used another path)",
            master.name
        ));
    }
    let mut shares = Vec::new();
    for (key, dir) in [("input_nfs", "input"), ("output_nfs", "output")] {
        let v = cfg.get(key);
        let get = |k: &str| v.and_then(|m| m.get(k)).and_then(scalar);
        match (get("server"), get("path")) {
            (Some(s), Some(p)) if jinja::in_text(&s) || jinja::in_text(&p) => {
                out.refuse(
                    cfg.at(key),
                    key,
                    format!(
                        "{key}: {s}:{p}: {}",
                        jinja::computed("write the real server and path in `storage { nfs … }`")
                    ),
                );
                shares.push((dir, s, p));
            }
            (Some(s), Some(p)) => {
                out.map(cfg.at(key), key, s.clone());
                shares.push((dir, s, p));
            }
            _ => {
                if v.is_some() {
                    out.unmapped(
                        cfg.at(key),
                        key,
                        format!("{key}: needs both server and path; Nauta's internal NFS is used"),
                    );
                }
                let server = master.address.map(|a| a.to_string()).unwrap_or_else(|| master.name.clone());
                let path = format!("{}/nfs/{dir}", data_path.trim_end_matches('/'));
                out.todo
                    .push(format!("{key} is not set: Nauta's internal NFS on the master ({server}:{path}) is assumed"));
                shares.push((dir, server, path));
            }
        }
    }
    w.blank();
    w.comment("input_nfs / output_nfs");
    w.open("storage", &[], &[]);
    for (dir, s, p) in &shares {
        w.node("nfs", &[(*dir).into()], &[("server", s.into()), ("path", p.into())]);
    }
    w.node(
        "class",
        &["nauta-input".into()],
        &[("backend", "input".into()), ("type", "nfs".into()), ("access", "ReadWriteMany".into())],
    );
    let out_class: Vec<(&str, V)> = vec![
        ("backend", "output".into()),
        ("type", "nfs".into()),
        ("access", "ReadWriteMany".into()),
        ("default", true.into()),
    ];
    w.node("class", &["nauta-output".into()], &out_class);
    w.close();
}

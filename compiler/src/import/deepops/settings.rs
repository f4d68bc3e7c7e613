//! The site block: Kubernetes, DNS, NTP, proxies and registries from the
//! group_vars DeepOps and Kubespray read. Each is taken only when every host
//! it concerns gets one value (vars.rs); a default the input does not state
//! is a fill-in.

use serde_norway::Value;

use super::super::Imported;
use super::super::credentials;
use super::super::emit::{V, Writer};
use super::super::values::{list, scalar};
use super::Ctx;
use super::vars::Vars;
use crate::model::{Cni, spelled};

/// Kubespray's defaults (roles/kubespray-defaults) for what group_vars leave out.
const POD_SUBNET: &str = "10.233.64.0/18";
const SERVICE_SUBNET: &str = "10.233.0.0/18";
pub const KUBERNETES_VERSION: &str = "1.31.4";

/// A key's value as a text, marked mapped.
fn text(v: &mut Vars, key: &str, scope: &[String], hint: &str) -> Option<(String, String)> {
    let (val, at) = v.site_wide(key, scope, hint)?;
    let s = scalar(&val).filter(|s| !s.is_empty())?;
    v.mapped(&at, &s);
    Some((s, at))
}

fn texts(v: &mut Vars, key: &str, scope: &[String], hint: &str) -> Vec<String> {
    let Some((val, at)) = v.site_wide(key, scope, hint) else { return Vec::new() };
    let items = list(Some(&val));
    v.mapped(&at, items.first().map_or("", String::as_str));
    items
}

fn version(cx: &mut Ctx, out: &mut Imported) -> String {
    let Some((v, at)) = cx.vars.site_wide("kube_version", &cx.kube, "write `kubernetes version=\"1.x.y\"`") else {
        out.todo
            .push(format!("kubernetes version: group_vars set no kube_version; the site uses {KUBERNETES_VERSION}"));
        return KUBERNETES_VERSION.to_string();
    };
    let v = scalar(&v).unwrap_or_default().trim_start_matches('v').to_string();
    let minor = v.split('.').nth(1).and_then(|m| m.parse::<u32>().ok()).unwrap_or(0);
    if v.starts_with("1.") && (30..=37).contains(&minor) && v.split('.').count() == 3 {
        cx.vars.mapped(&at, &v);
        return v;
    }
    cx.vars.report(
        &at,
        format!("kube_version: {v} is not supported by bosun (1.30–1.37): refused; the site uses {KUBERNETES_VERSION}"),
    );
    out.todo
        .push(format!("{at}: kube_version {v} refused; the site uses {KUBERNETES_VERSION}: pick a supported release"));
    KUBERNETES_VERSION.to_string()
}

fn subnet(cx: &mut Ctx, out: &mut Imported, key: &str, default: &str) -> String {
    let hint = format!("write the subnet it yields in `kubernetes` ({key})");
    match text(&mut cx.vars, key, &cx.kube.clone(), &hint) {
        Some((s, _)) => s,
        None => {
            out.todo.push(format!(
                "{key} is not set for every Kubernetes host: the site uses Kubespray's default {default}"
            ));
            default.to_string()
        }
    }
}

fn cni(cx: &mut Ctx, out: &mut Imported) -> String {
    let default = spelled(&Cni::Calico);
    let kube = cx.kube.clone();
    let Some((val, at)) = cx.vars.site_wide("kube_network_plugin", &kube, "write `cni` in `kubernetes`") else {
        out.todo.push(format!("cni: group_vars set no kube_network_plugin; Kubespray's default {default} is used"));
        return default;
    };
    let cni = scalar(&val).unwrap_or_default();
    if [Cni::Calico, Cni::Cilium, Cni::Flannel].iter().any(|c| spelled(c) == cni) {
        cx.vars.mapped(&at, &cni);
        cni
    } else {
        cx.vars.report(&at, format!("kube_network_plugin: {cni} is not a CNI bosun installs: refused"));
        out.todo.push(format!("{at}: kube_network_plugin {cni} refused; the site uses {default}"));
        default
    }
}

/// The `kubernetes` block.
pub fn kubernetes(cx: &mut Ctx, w: &mut Writer, out: &mut Imported) {
    let version = version(cx, out);
    let kube = cx.kube.clone();
    let endpoint = text(&mut cx.vars, "apiserver_loadbalancer_domain_name", &kube, "write `control-plane-endpoint`");
    let lb = cx.vars.site_wide("loadbalancer_apiserver", &kube, "write `control-plane-endpoint` and a `cert-san`");
    let port = lb.as_ref().and_then(|(l, _)| l.get("port")).and_then(scalar).unwrap_or_else(|| "6443".into());
    let endpoint = endpoint.map(|(d, _)| format!("{d}:{port}"));
    if let Some((_, at)) = &lb {
        cx.vars.mapped(at, &port);
    }
    let masters = cx.hosts.iter().filter(|h| h.role == "control-plane").count();
    let vip = lb.as_ref().and_then(|(l, _)| l.get("address")).and_then(scalar);
    if masters > 1 && endpoint.is_none() {
        out.todo.push(
            "several control-plane hosts: set `control-plane-endpoint` and its VIP `control-plane-address` \
             (apiserver_loadbalancer_domain_name is not set)"
                .into(),
        );
    } else if masters > 1 && vip.is_none() {
        // kube-vip holds an address and the compiled dnsmasq answers the
        // endpoint's name with it: bosun cannot guess it.
        out.todo.push(
            "several control-plane hosts: set `control-plane-address`, the VIP the endpoint's name resolves to \
             (loadbalancer_apiserver.address is not set)"
                .into(),
        );
    }
    let pod = subnet(cx, out, "kube_pods_subnet", POD_SUBNET);
    let svc = subnet(cx, out, "kube_service_addresses", SERVICE_SUBNET);
    let mut sans = texts(&mut cx.vars, "supplementary_addresses_in_ssl_keys", &kube, "write each `cert-san`");
    if let Some(a) = lb.as_ref().and_then(|(l, _)| l.get("address")).and_then(scalar)
        && !sans.contains(&a)
    {
        sans.push(a);
    }
    let cluster = text(&mut cx.vars, "cluster_name", &kube, "write `cluster-domain`");
    let cni = cni(cx, out);
    w.open("kubernetes", &[], &[("version", version.into())]);
    if let Some(e) = &endpoint {
        w.node("control-plane-endpoint", &[e.into()], &[]);
        // Kubespray's load-balancer address is the endpoint's VIP: the
        // compiled dnsmasq answers the name with it, kube-vip holds it.
        if let Some(a) = &vip {
            w.node("control-plane-address", &[a.into()], &[]);
        }
    }
    w.node("pod-subnet", &[pod.into()], &[]);
    w.node("service-subnet", &[svc.into()], &[]);
    if let Some((c, _)) = cluster {
        w.node("cluster-domain", &[c.into()], &[]);
    }
    w.node("cni", &[cni.into()], &[]);
    for s in &sans {
        w.node("cert-san", &[s.into()], &[]);
    }
    w.close();
}

/// DNS, NTP, proxy and registries: settings of every host.
pub fn services(cx: &mut Ctx, w: &mut Writer, out: &mut Imported) {
    let all = cx.all.clone();
    let v = &mut cx.vars;
    let mut dns = texts(v, "upstream_dns_servers", &all, "write `dns { server … }`");
    dns.extend(texts(v, "dns_config_servers", &all, "write `dns { server … }`"));
    let mut search = texts(v, "searchdomains", &all, "write `dns { search … }`");
    search.extend(texts(v, "dns_config_search", &all, "write `dns { search … }`"));
    let mut ntp = texts(v, "ntp_servers", &all, "write `ntp`");
    ntp.extend(texts(v, "chrony_config_server", &all, "write `ntp`"));
    // DGXie's DNS and NTP reached the hosts it installed: the site's when group_vars say nothing.
    if dns.is_empty() {
        dns.extend(cx.dgxie_dns.iter().map(|(d, _)| d.clone()));
        cx.dgxie_used.extend(cx.dgxie_dns.iter().map(|(d, at)| (at.clone(), d.clone())));
    }
    if ntp.is_empty() {
        ntp.extend(cx.dgxie_ntp.iter().map(|(n, _)| n.clone()));
        cx.dgxie_used.extend(cx.dgxie_ntp.iter().map(|(n, at)| (at.clone(), n.clone())));
    }
    dedup(&mut dns);
    dedup(&mut search);
    dedup(&mut ntp);
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
    for n in &ntp {
        w.node("ntp", &[n.into()], &[]);
    }
    proxy(cx, w, out);
    registries(cx, w);
}

fn dedup(v: &mut Vec<String>) {
    let mut seen = std::collections::BTreeSet::new();
    v.retain(|x| seen.insert(x.clone()));
}

fn proxy(cx: &mut Ctx, w: &mut Writer, out: &mut Imported) {
    let all = cx.all.clone();
    let mut strip = |key: &str| {
        let (url, at) = text(&mut cx.vars, key, &all, "write `proxy http=… https=…`")?;
        let (url, had) = credentials::without_userinfo(&url);
        if had {
            out.todo.push(format!(
                "{at}: {key} has a user and password in it; they were not copied (bosun's proxy takes none)"
            ));
            cx.vars.mapped(&at, &url);
        }
        Some(url)
    };
    let (http, https) = (strip("http_proxy"), strip("https_proxy"));
    let no_proxy = text(&mut cx.vars, "no_proxy", &all, "write `proxy no-proxy=…`");
    if http.is_none() && https.is_none() {
        return;
    }
    let mut props: Vec<(&str, V)> = Vec::new();
    if let Some(h) = &http {
        props.push(("http", h.into()));
    }
    if let Some(h) = &https {
        props.push(("https", h.into()));
    }
    if let Some((n, _)) = no_proxy {
        props.push(("no-proxy", n.replace(' ', "").into()));
    }
    w.node("proxy", &[], &props);
}

/// `host:port` of a registry written as a URL or a bare address.
fn host_port(s: &str) -> String {
    let s = s.split_once("://").map_or(s, |(_, r)| r);
    s.trim_end_matches('/').to_string()
}

/// Insecure registries as lists (Docker, CRI-O) or as Kubespray's map
/// (`containerd_insecure_registries: {"reg:5000": "http://reg:5000"}`), and mirrors of docker.io.
fn registries(cx: &mut Ctx, w: &mut Writer) {
    let all = cx.all.clone();
    let hint = "write `registry \"HOST:PORT\" insecure=#true` for each registry it yields";
    let mut insecure: Vec<String> = Vec::new();
    for key in ["docker_insecure_registries", "containerd_insecure_registries", "crio_insecure_registries"] {
        let Some((val, at)) = cx.vars.site_wide(key, &all, hint) else { continue };
        let items: Vec<String> = match &val {
            Value::Mapping(m) => m.keys().filter_map(scalar).collect(),
            v => list(Some(v)),
        };
        let items: Vec<String> = items.iter().map(|r| host_port(r)).collect();
        cx.vars.mapped(&at, items.first().map_or("", String::as_str));
        insecure.extend(items);
    }
    dedup(&mut insecure);
    let mut mirrors: Vec<(String, bool)> = Vec::new();
    let hint = "write `registry \"HOST:PORT\" mirror-of=\"docker.io\"` for each mirror it yields";
    if let Some((val, at)) = cx.vars.site_wide("docker_registry_mirrors", &all, hint) {
        mirrors.extend(list(Some(&val)).iter().map(|m| (host_port(m), m.starts_with("http://"))));
        cx.vars.mapped(&at, mirrors.first().map_or("", |m| m.0.as_str()));
    }
    for (m, http) in &mirrors {
        let insecure = *http || insecure.contains(m);
        w.node("registry", &[m.into()], &[("insecure", insecure.into()), ("mirror-of", "docker.io".into())]);
    }
    for r in insecure.iter().filter(|r| !mirrors.iter().any(|(m, _)| m == *r)) {
        w.node("registry", &[r.into()], &[("insecure", true.into())]);
    }
}

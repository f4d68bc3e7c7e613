//! NVIDIA DeepOps: `config/inventory` (Ansible INI), `config/group_vars/*.yml`,
//! DGXie's `config/dhcpd.hosts.conf` (dnsmasq `dhcp-host=` lines, or ISC
//! `host NAME { hardware ethernet …; fixed-address …; }` blocks) and
//! `config/machines.json` (pixiecore entries: mac, kernel, initrd, cmdline).
//!
//! Groups become roles (`kube-master` control-plane, `kube-node` worker,
//! `login` login, the rest of `mgmt` management), `scheduler` (hosts in
//! `slurm-node`/`slurm-cluster` but not in `kube-node` run Slurm) and one GPU
//! pool for the DGX servers (`dgx-servers`, else `k8s-gpu`).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::Path;

use serde_norway::Value;

use super::credentials::{self, SecretNames};
use super::emit::{V, Writer};
use super::values::{covering, scalar};
use super::{Imported, ini};
use crate::model::{Cni, spelled};
use crate::packs::catalog;

/// What DeepOps does not record and the user may pass on the command line.
#[derive(Debug, Clone)]
pub struct Options {
    /// The DGX GPU model (`A100-SXM4-40GB`): needed for MIG.
    pub gpu_model: Option<String>,
    pub gpus_per_host: u32,
}

impl Default for Options {
    fn default() -> Self {
        Options { gpu_model: None, gpus_per_host: 8 }
    }
}

/// Kubespray's defaults (roles/kubespray-defaults) for what group_vars leave out.
const POD_SUBNET: &str = "10.233.64.0/18";
const SERVICE_SUBNET: &str = "10.233.0.0/18";
const KUBERNETES_VERSION: &str = "1.31.4";

/// group_vars keys the importer maps.
const MAPPED: &[&str] = &[
    "kube_pods_subnet",
    "kube_service_addresses",
    "kube_network_plugin",
    "kube_version",
    "cluster_name",
    "supplementary_addresses_in_ssl_keys",
    "apiserver_loadbalancer_domain_name",
    "loadbalancer_apiserver",
    "deepops_gpu_operator_enabled",
    "gpu_operator_enabled",
    "k8s_gpu_mig_strategy",
    "gpu_operator_mig_strategy",
    "mig_strategy",
    "mig_profile",
    "upstream_dns_servers",
    "searchdomains",
    "ntp_servers",
    "http_proxy",
    "https_proxy",
    "no_proxy",
    "docker_insecure_registries",
    "containerd_insecure_registries",
    "ansible_password",
    "ansible_ssh_pass",
    "ansible_become_pass",
    "ansible_become_password",
];

const PASSWORD_KEYS: &[&str] =
    &["ansible_password", "ansible_ssh_pass", "ansible_become_pass", "ansible_become_password"];

/// Inventory host variables the importer maps.
const HOST_VARS: &[&str] = &["ansible_host", "ansible_ssh_host", "ib_bond_addr"];

pub fn import_files(
    inventory: &Path,
    group_vars: &Path,
    dhcp_hosts: Option<&Path>,
    machines: Option<&Path>,
) -> Result<Imported, String> {
    import_with(inventory, group_vars, dhcp_hosts, machines, &Options::default())
}

fn read(p: &Path) -> Result<String, String> {
    std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
}

struct Vars {
    /// key → (value, file:line)
    map: BTreeMap<String, (Value, String)>,
}

impl Vars {
    fn get(&self, k: &str) -> Option<&Value> {
        self.map.get(k).map(|(v, _)| v).filter(|v| !v.is_null())
    }
    fn str(&self, k: &str) -> Option<String> {
        self.get(k).and_then(scalar).filter(|s| !s.is_empty())
    }
    fn list(&self, k: &str) -> Vec<String> {
        super::values::list(self.get(k))
    }
    fn truthy(&self, k: &str) -> bool {
        matches!(self.get(k), Some(Value::Bool(true)))
            || self.str(k).is_some_and(|s| matches!(s.to_lowercase().as_str(), "true" | "yes"))
    }
}

fn line_of(text: &str, key: &str) -> usize {
    text.lines().position(|l| l.strip_prefix(key).is_some_and(|r| r.trim_start().starts_with(':'))).map_or(0, |i| i + 1)
}

/// Reads every `*.yml`/`*.yaml` in group_vars (sorted; `all` first, so a
/// group's file overrides it).
fn group_vars(dir: &Path, out: &mut Imported) -> Result<Vars, String> {
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yml" || x == "yaml"))
        .collect();
    files.sort_by_key(|p| (p.file_stem().is_none_or(|s| s != "all"), p.clone()));
    let mut map = BTreeMap::new();
    for f in files {
        let text = read(&f)?;
        if text.trim().is_empty() {
            continue;
        }
        let v: Value = serde_norway::from_str(&text).map_err(|e| format!("{}: not valid YAML: {e}", f.display()))?;
        let Value::Mapping(m) = v else { continue };
        for (k, v) in m {
            let Some(k) = k.as_str() else { continue };
            let at = format!("{}:{}", f.display(), line_of(&text, k));
            if !MAPPED.contains(&k) {
                let shown = match &v {
                    _ if credentials::is_credential(k) => credentials::HIDDEN.to_string(),
                    Value::Mapping(_) | Value::Sequence(_) => "{…}".to_string(),
                    v => Some(scalar(v).unwrap_or_default())
                        .filter(|t| credentials::shows(k, t))
                        .unwrap_or_else(|| credentials::HIDDEN.to_string()),
                };
                out.unmapped.push(format!("{at}: {k}: {shown}"));
            }
            map.insert(k.to_string(), (v, at));
        }
    }
    Ok(Vars { map })
}

/// (MAC, host name, address, `file:line`) from dhcpd.hosts.conf.
fn leases(text: &str, name: &str, out: &mut Imported) -> Vec<(String, String, Option<Ipv4Addr>, String)> {
    let mut res = Vec::new();
    let mut block: Option<(String, Option<String>, Option<Ipv4Addr>, usize)> = None;
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        if l.is_empty() || l.starts_with('#') {
            continue;
        }
        if let Some(rest) = l.strip_prefix("dhcp-host=") {
            let parts: Vec<&str> = rest.split(',').map(str::trim).collect();
            let mac = parts.iter().find(|p| is_mac(p)).map(|m| m.to_lowercase());
            let ip = parts.iter().find_map(|p| p.parse::<Ipv4Addr>().ok());
            let host = parts.iter().find(|p| !is_mac(p) && p.parse::<Ipv4Addr>().is_err() && !p.contains(['=', ':']));
            match (mac, host) {
                (Some(m), Some(h)) => res.push((m, h.to_string(), ip, format!("{name}:{}", i + 1))),
                _ => out.unmapped.push(format!("{name}:{}: {l} (no MAC and host name)", i + 1)),
            }
            continue;
        }
        if let Some(rest) = l.strip_prefix("host ") {
            block = Some((rest.trim_end_matches('{').trim().to_string(), None, None, i + 1));
            continue;
        }
        if let Some(b) = block.as_mut() {
            if let Some(m) = l.strip_prefix("hardware ethernet") {
                b.1 = Some(m.trim().trim_end_matches(';').to_lowercase());
                continue;
            }
            if let Some(a) = l.strip_prefix("fixed-address") {
                b.2 = a.trim().trim_end_matches(';').parse().ok();
                continue;
            }
            if l == "}" {
                if let Some((h, Some(m), ip, start)) = block.take() {
                    res.push((m, h, ip, format!("{name}:{start}")));
                }
                continue;
            }
        }
        out.unmapped.push(format!("{name}:{}: {l} (dnsmasq option with no site equivalent)", i + 1));
    }
    res
}

fn is_mac(s: &str) -> bool {
    let p: Vec<&str> = s.split(':').collect();
    p.len() == 6 && p.iter().all(|x| x.len() == 2 && x.chars().all(|c| c.is_ascii_hexdigit()))
}

struct Machine {
    name: String,
    /// `file:line` of the entry.
    at: String,
    mac: String,
    kernel: String,
    initrd: String,
    cmdline: Option<String>,
}

fn machines(text: &str, name: &str, out: &mut Imported) -> Result<Vec<Machine>, String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("{name}: not valid JSON: {e}"))?;
    let mut res = Vec::new();
    let Some(m) = v.as_object() else { return Ok(res) };
    for (k, e) in m {
        let s = |f: &str| e.get(f).and_then(|x| x.as_str()).map(str::to_string);
        let initrd = match e.get("initrd") {
            Some(serde_json::Value::Array(a)) => a.first().and_then(|x| x.as_str()).map(str::to_string),
            Some(serde_json::Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let line = text.lines().position(|l| l.contains(&format!("\"{k}\""))).map_or(0, |i| i + 1);
        match (s("mac"), s("kernel"), initrd) {
            (Some(mac), Some(kernel), Some(initrd)) => {
                res.push(Machine {
                    name: k.clone(),
                    at: format!("{name}:{line}"),
                    mac: mac.to_lowercase(),
                    kernel,
                    initrd,
                    cmdline: s("cmdline"),
                });
                if let Some(serde_json::Value::Array(a)) = e.get("initrd")
                    && a.len() > 1
                {
                    out.unmapped.push(format!("{name}:{line}: {k}: extra initrds after the first"));
                }
            }
            _ => out.unmapped.push(format!("{name}:{line}: machine {k} (needs mac, kernel and initrd)")),
        }
    }
    Ok(res)
}

/// `http://host:port/path/file` → `http://host:port`.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    Some(format!("{scheme}://{}", rest.split('/').next()?))
}

pub fn import_with(
    inventory: &Path,
    group_vars_dir: &Path,
    dhcp_hosts: Option<&Path>,
    machines_file: Option<&Path>,
    opts: &Options,
) -> Result<Imported, String> {
    let mut out = Imported::default();
    let inv_name = inventory.display().to_string();
    let inv = ini::parse(&read(inventory)?);
    let vars = group_vars(group_vars_dir, &mut out)?;
    let leases = match dhcp_hosts {
        Some(p) => leases(&read(p)?, &p.display().to_string(), &mut out),
        None => Vec::new(),
    };
    let machines = match machines_file {
        Some(p) => machines(&read(p)?, &p.display().to_string(), &mut out)?,
        None => Vec::new(),
    };

    // Groups ------------------------------------------------------------------
    let group = |g: &str| inv.hosts_of(g);
    let masters = group("kube-master");
    let masters = if masters.is_empty() { group("kube_control_plane") } else { masters };
    let mut knodes = group("kube-node");
    knodes.extend(group("kube_node"));
    let mut slurm = group("slurm-node");
    slurm.extend(group("slurm-cluster"));
    let login = group("login");
    let mgmt = group("mgmt");
    let dgx = {
        let d = group("dgx-servers");
        if d.is_empty() { group("k8s-gpu") } else { d }
    };
    const KNOWN_GROUPS: &[&str] = &[
        "all",
        "mgmt",
        "login",
        "dgx-servers",
        "kube-master",
        "kube_control_plane",
        "kube-node",
        "kube_node",
        "k8s-gpu",
        "k8s-cluster",
        "k8s_cluster",
        "etcd",
        "slurm-master",
        "slurm-node",
        "slurm-cluster",
        "slurm-nfs",
        "ungrouped",
    ];
    for s in &inv.sections {
        let base = s.name.split(':').next().unwrap_or("");
        if s.name.ends_with(":vars") {
            for (k, v, l) in &s.entries {
                if credentials::is_credential(k) {
                    out.warnings.push(format!(
                        "{inv_name}:{l}: [{}] {k} is a plaintext credential; it was not copied (keep it in a vault)",
                        s.name
                    ));
                } else {
                    out.unmapped.push(format!("{inv_name}:{l}: [{}] {}", s.name, credentials::pair(k, "=", v)));
                }
            }
        } else if !KNOWN_GROUPS.contains(&base) {
            out.unmapped.push(format!("{inv_name}:{}: group [{}] (no bosun role or setting)", s.line, s.name));
        }
    }

    // Hosts -------------------------------------------------------------------
    struct H {
        name: String,
        role: &'static str,
        slurm: bool,
        gpu: bool,
        address: Option<Ipv4Addr>,
        ib: Option<Ipv4Addr>,
        mac: Option<String>,
        machine: Option<usize>,
    }
    let mut hosts: Vec<H> = Vec::new();
    let mut passwords = Vec::new();
    for row in inv.rows() {
        if row.name.is_empty() {
            continue;
        }
        let n = &row.name;
        let role = if masters.contains(n) {
            "control-plane"
        } else if knodes.contains(n) {
            "worker"
        } else if login.contains(n) {
            "login"
        } else if slurm.contains(n) || dgx.contains(n) {
            "worker"
        } else if mgmt.contains(n) {
            "management"
        } else {
            out.unmapped
                .push(format!("{inv_name}:{}: host {n} is in no group bosun maps; imported as management", row.line));
            "management"
        };
        let is_slurm = role == "worker" && !knodes.contains(n) && slurm.contains(n);
        let ip = |k: &str| inv.var(n, k).and_then(|(v, _)| v.parse::<Ipv4Addr>().ok());
        let address = ip("ansible_host").or_else(|| ip("ansible_ssh_host"));
        let lease = leases.iter().find(|(_, h, _, _)| h == n);
        let address = address.or_else(|| lease.and_then(|l| l.2));
        let mac = lease.map(|l| l.0.clone());
        let machine = mac.as_ref().and_then(|m| machines.iter().position(|x| &x.mac == m));
        for (k, v, l) in inv.sections.iter().flat_map(|s| &s.hosts).filter(|h| &h.name == n).flat_map(|h| &h.vars) {
            if credentials::is_credential(k) {
                passwords.push((n.clone(), k.clone(), *l));
            } else if !HOST_VARS.contains(&k.as_str()) {
                out.unmapped.push(format!("{inv_name}:{l}: host {n}: {}", credentials::pair(k, "=", v)));
            }
        }
        hosts.push(H {
            name: n.clone(),
            role,
            slurm: is_slurm,
            gpu: dgx.contains(n),
            address,
            ib: ip("ib_bond_addr"),
            mac,
            machine,
        });
    }
    if hosts.is_empty() {
        return Err(format!("{inv_name}: the inventory names no hosts"));
    }
    for (mac, h, _, at) in &leases {
        if !hosts.iter().any(|x| &x.name == h) {
            out.unmapped.push(format!("{at}: lease {mac} for {h}: no such host in the inventory"));
        }
    }
    for m in &machines {
        if !hosts.iter().any(|h| h.mac.as_deref() == Some(m.mac.as_str())) {
            out.unmapped
                .push(format!("{}: machine {} (mac {}): no DHCP lease names a host with it", m.at, m.name, m.mac));
        }
    }

    // Networks ----------------------------------------------------------------
    let mgmt_addrs: Vec<Ipv4Addr> = hosts.iter().filter_map(|h| h.address).collect();
    let ib_addrs: Vec<Ipv4Addr> = hosts.iter().filter_map(|h| h.ib).collect();
    let mgmt_cidr = covering(&mgmt_addrs);
    let ib_cidr = covering(&ib_addrs);

    // Images: one per distinct (kernel, initrd, cmdline).
    let mut images: Vec<(String, &Machine)> = Vec::new();
    let mut image_of = BTreeMap::new();
    for (i, m) in machines.iter().enumerate() {
        let same =
            images.iter().position(|(_, x)| x.kernel == m.kernel && x.initrd == m.initrd && x.cmdline == m.cmdline);
        let idx = same.unwrap_or_else(|| {
            let name = super::nauta::sanitize(&m.name);
            let name = if images.iter().any(|(n, _)| n == &name) { format!("{name}-{i}") } else { name };
            images.push((name, m));
            images.len() - 1
        });
        image_of.insert(i, idx);
    }
    let http_server = images.first().and_then(|(_, m)| origin(&m.kernel));

    // Settings ----------------------------------------------------------------
    let version = match vars.str("kube_version") {
        Some(v) => {
            let v = v.trim_start_matches('v').to_string();
            let minor = v.split('.').nth(1).and_then(|m| m.parse::<u32>().ok()).unwrap_or(0);
            if v.starts_with("1.") && (30..=37).contains(&minor) && v.split('.').count() == 3 {
                v
            } else {
                out.warnings.push(format!(
                    "{}: kube_version {v} is not supported by bosun (1.30–1.37); the site uses {KUBERNETES_VERSION}",
                    vars.map["kube_version"].1
                ));
                KUBERNETES_VERSION.to_string()
            }
        }
        None => KUBERNETES_VERSION.to_string(),
    };
    let default = spelled(&Cni::default());
    let cni = vars.str("kube_network_plugin").unwrap_or_else(|| default.clone());
    let cni = if [Cni::Calico, Cni::Cilium, Cni::Flannel].iter().any(|c| spelled(c) == cni) {
        cni
    } else {
        out.warnings.push(format!("kube_network_plugin {cni} is not supported; the site uses {default}"));
        default
    };
    let endpoint = vars.str("apiserver_loadbalancer_domain_name").map(|d| {
        let port = vars
            .get("loadbalancer_apiserver")
            .and_then(|l| l.get("port"))
            .and_then(scalar)
            .unwrap_or_else(|| "6443".into());
        format!("{d}:{port}")
    });
    if masters.len() > 1 && endpoint.is_none() {
        out.todo.push(
            "several kube-master hosts: set `control-plane-endpoint` (apiserver_loadbalancer_domain_name is not set)"
                .into(),
        );
    }
    let mut sans = vars.list("supplementary_addresses_in_ssl_keys");
    if let Some(a) = vars.get("loadbalancer_apiserver").and_then(|l| l.get("address")).and_then(scalar)
        && !sans.contains(&a)
    {
        sans.push(a);
    }
    let mig = vars
        .str("k8s_gpu_mig_strategy")
        .or_else(|| vars.str("gpu_operator_mig_strategy"))
        .or_else(|| vars.str("mig_strategy"));
    let operator = vars.truthy("deepops_gpu_operator_enabled") || vars.truthy("gpu_operator_enabled");

    let mut w = Writer::default();
    w.comment(&format!(
        "Imported from DeepOps by `bosun import deepops`.\nInventory: {inv_name}\nGroup vars: {}",
        group_vars_dir.display()
    ));
    w.blank();
    w.open("site", &["deepops".into()], &[]);
    w.comment("DeepOps records no DNS domain: hosts are HOST.deepops. Change it here.");
    w.node("domain", &["deepops".into()], &[]);
    out.todo.push("site domain: DeepOps records none; the site uses `deepops`".into());
    w.open("kubernetes", &[], &[("version", version.into())]);
    if let Some(e) = &endpoint {
        w.node("control-plane-endpoint", &[e.into()], &[]);
        // Kubespray's load-balancer address is the endpoint's VIP: the
        // compiled dnsmasq answers the name with it, kube-vip holds it.
        if let Some(a) = vars.get("loadbalancer_apiserver").and_then(|l| l.get("address")).and_then(scalar) {
            w.node("control-plane-address", &[a.into()], &[]);
        }
    }
    w.node("pod-subnet", &[vars.str("kube_pods_subnet").unwrap_or_else(|| POD_SUBNET.into()).into()], &[]);
    w.node(
        "service-subnet",
        &[vars.str("kube_service_addresses").unwrap_or_else(|| SERVICE_SUBNET.into()).into()],
        &[],
    );
    if let Some(c) = vars.str("cluster_name") {
        w.node("cluster-domain", &[c.into()], &[]);
    }
    w.node("cni", &[cni.into()], &[]);
    for s in &sans {
        w.node("cert-san", &[s.into()], &[]);
    }
    w.close();
    let dns = vars.list("upstream_dns_servers");
    let search = vars.list("searchdomains");
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
    for n in vars.list("ntp_servers") {
        w.node("ntp", &[n.into()], &[]);
    }
    let mut strip = |key: &str| {
        let (url, had) = credentials::without_userinfo(&vars.str(key)?);
        if had {
            let at = vars.map.get(key).map(|(_, at)| at.as_str()).unwrap_or("group_vars");
            out.todo.push(format!(
                "{at}: {key} has a user and password in it; they were not copied (bosun's proxy takes none)"
            ));
        }
        Some(url)
    };
    let (http, https) = (strip("http_proxy"), strip("https_proxy"));
    if http.is_some() || https.is_some() {
        let mut props: Vec<(&str, V)> = Vec::new();
        if let Some(h) = &http {
            props.push(("http", h.into()));
        }
        if let Some(h) = &https {
            props.push(("https", h.into()));
        }
        if let Some(n) = vars.str("no_proxy") {
            props.push(("no-proxy", n.replace(' ', "").into()));
        }
        w.node("proxy", &[], &props);
    }
    let mut regs = vars.list("docker_insecure_registries");
    for r in vars.list("containerd_insecure_registries") {
        if !regs.contains(&r) {
            regs.push(r);
        }
    }
    for r in &regs {
        w.node("registry", &[r.into()], &[("insecure", true.into())]);
    }
    w.close();

    if let Some(c) = &mgmt_cidr {
        w.blank();
        w.comment("ansible_host addresses (and DGXie's static leases). DeepOps records no\nnetwork range: this is the smallest /24, /16 or /8 holding them; check it.");
        w.open("network", &["mgmt".into()], &[]);
        w.node("cidr", &[c.as_str().into()], &[]);
        if let Some(h) = &http_server {
            w.comment("DGXie served PXE from here; the server must now serve bosun's provisioning/ folder.");
            w.node("pxe", &[], &[("uefi", true.into()), ("ipxe", true.into()), ("http-server", h.as_str().into())]);
        }
        w.close();
        out.todo.push(format!("network \"mgmt\": cidr {c} was inferred from the hosts' addresses; confirm it"));
    }
    if let Some(c) = &ib_cidr {
        w.blank();
        w.comment("ib_bond_addr: IPoIB bonds (range inferred, as above).");
        w.open("network", &["ib".into()], &[]);
        w.node("cidr", &[c.as_str().into()], &[]);
        w.close();
        out.todo.push(format!("network \"ib\": cidr {c} was inferred from ib_bond_addr; confirm it"));
    }
    for (name, m) in &images {
        w.blank();
        w.comment(&format!("machines.json `{}`", m.name));
        w.open("image", &[name.as_str().into()], &[]);
        w.node("kernel", &[m.kernel.as_str().into()], &[]);
        w.node("initrd", &[m.initrd.as_str().into()], &[]);
        if let Some(c) = &m.cmdline {
            w.node("cmdline", &[c.as_str().into()], &[]);
        }
        w.close();
    }

    let pool_name = "dgx";
    let has_pool = hosts.iter().any(|h| h.gpu && h.role == "worker");
    if has_pool {
        w.blank();
        w.comment("The DGX servers. DeepOps records neither the GPU model nor the count.");
        w.open("gpu-pool", &[pool_name.into()], &[]);
        w.node("vendor", &["nvidia".into()], &[]);
        let model = opts.gpu_model.clone();
        w.node("model", &[model.clone().unwrap_or_else(|| "DGX".into()).into()], &[]);
        w.node("gpus-per-host", &[i64::from(opts.gpus_per_host).into()], &[]);
        match (&mig, &model) {
            (Some(s), Some(_)) if ["none", "single", "mixed"].contains(&s.as_str()) => {
                // mig-parted's config name; DeepOps leaves it to the GPU Operator.
                let profile = vars.str("mig_profile").or_else(|| {
                    (s == "mixed").then(|| {
                        out.todo.push(
                            "gpu-pool \"dgx\": MIG profile `all-balanced` assumed for the mixed strategy; change it \
                             if the DGX use another mig-parted configuration"
                                .into(),
                        );
                        "all-balanced".to_string()
                    })
                });
                let mut props: Vec<(&str, V)> = vec![("strategy", s.as_str().into())];
                match profile {
                    Some(p) if s != "none" => props.push(("profile", p.into())),
                    None if s == "single" => out
                        .todo
                        .push("gpu-pool \"dgx\": MIG strategy single needs a profile (mig_profile is not set)".into()),
                    _ => {}
                }
                w.node("mig", &[], &props);
            }
            (Some(s), None) if s != "none" => out.todo.push(format!(
                "MIG strategy `{s}` from group_vars needs the GPU model: re-run with --gpu-model, or add `mig \
                 strategy=\"{s}\"` to gpu-pool \"dgx\" after setting its model"
            )),
            _ => {}
        }
        w.node("taint", &["nvidia.com/gpu=present:NoSchedule".into()], &[]);
        w.close();
        if model.is_none() {
            out.todo.push("gpu-pool \"dgx\": model is `DGX`; set the real model (or pass --gpu-model)".into());
        }
    }

    for h in &hosts {
        w.blank();
        w.open("host", &[h.name.as_str().into()], &[]);
        w.node("role", &[h.role.into()], &[]);
        if h.gpu && h.role == "worker" {
            w.node("gpu-pool", &[pool_name.into()], &[]);
        }
        if h.slurm {
            w.comment("slurm-node, not kube-node");
            w.node("scheduler", &["slurm".into()], &[]);
        } else if h.role == "worker" {
            w.node("label", &["scheduler=k8s".into()], &[]);
        }
        if let Some(img) = h.machine.and_then(|m| image_of.get(&m)) {
            w.node("image", &[images[*img].0.as_str().into()], &[]);
            out.todo.push(format!("host {}: set `install-disk` (DeepOps' installer chose the disk)", h.name));
        }
        let mut props: Vec<(&str, V)> = Vec::new();
        if let Some(m) = &h.mac {
            props.push(("mac", m.into()));
        }
        if let (Some(a), Some(_)) = (h.address, &mgmt_cidr) {
            props.push(("network", "mgmt".into()));
            props.push(("address", a.to_string().into()));
        }
        if h.machine.is_some() {
            props.push(("pxe", true.into()));
        }
        if !props.is_empty() {
            w.comment("DeepOps does not record interface names: rename eth0 to the OS name");
            w.node("interface", &["eth0".into()], &props);
        }
        if let (Some(a), Some(_)) = (h.ib, &ib_cidr) {
            w.node("interface", &["ib0".into()], &[]);
            w.node("interface", &["ib1".into()], &[]);
            w.node(
                "bond",
                &["bond0".into()],
                &[
                    ("mode", "active-backup".into()),
                    ("members", "ib0 ib1".into()),
                    ("network", "ib".into()),
                    ("address", a.to_string().into()),
                ],
            );
        }
        w.close();
    }
    if hosts.iter().any(|h| h.mac.is_none() && h.address.is_some()) || !hosts.is_empty() {
        out.todo.push("interfaces are named eth0 (and ib0/ib1 under bond0): rename them to the OS names".into());
    }

    if !passwords.is_empty() || PASSWORD_KEYS.iter().any(|k| vars.get(k).is_some()) {
        w.blank();
        w.comment("Plaintext Ansible passwords stay out of the site; store them under these paths.");
        let mut names = SecretNames::default();
        for (host, var, line) in &passwords {
            let (name, path) = names.for_host("kv/deepops", host, var);
            w.node("secret", &[name.as_str().into()], &[("store", "vault".into()), ("path", path.into())]);
            out.warnings.push(format!(
                "{inv_name}:{line}: host {host}: plaintext password ({var}) replaced by secret \"{name}\" (value not \
                 copied)"
            ));
        }
        for k in PASSWORD_KEYS {
            if let Some((_, at)) = vars.map.get(*k) {
                let name = names.unique(&format!("ansible-{}", k.trim_start_matches("ansible_")));
                w.node(
                    "secret",
                    &[name.as_str().into()],
                    &[("store", "vault".into()), ("path", format!("kv/deepops/{name}").into())],
                );
                out.warnings
                    .push(format!("{at}: {k}: plaintext password replaced by secret \"{name}\" (value not copied)"));
            }
        }
    }
    if operator {
        w.blank();
        w.node("pack", &[catalog::GPU_OPERATOR.into()], &[]);
    }
    out.kdl = w.finish();
    Ok(out)
}

#[cfg(test)]
mod tests {
    #[test]
    fn leases_read_dnsmasq_lines_and_isc_blocks_and_list_the_rest() {
        let mut out = super::Imported::default();
        let text = "dhcp-host=AA:bb:cc:dd:ee:01,dgx01,10.0.0.1\nhost dgx02 {\n  hardware ethernet aa:bb:cc:dd:ee:02;\n  fixed-address 10.0.0.2;\n}\ndhcp-range=10.0.0.100,10.0.0.200\n";
        let l = super::leases(text, "d.conf", &mut out);
        assert_eq!(l.len(), 2);
        assert_eq!((l[0].0.as_str(), l[0].1.as_str(), l[0].3.as_str()), ("aa:bb:cc:dd:ee:01", "dgx01", "d.conf:1"));
        assert_eq!(
            (l[1].0.as_str(), l[1].1.as_str(), l[1].2.map(|a| a.to_string())),
            ("aa:bb:cc:dd:ee:02", "dgx02", Some("10.0.0.2".into()))
        );
        assert_eq!(
            out.unmapped,
            ["d.conf:6: dhcp-range=10.0.0.100,10.0.0.200 (dnsmasq option with no site equivalent)"]
        );
    }
}

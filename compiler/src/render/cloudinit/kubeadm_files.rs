//! Files a Kubernetes host needs beside its kubeadm configuration, delivered
//! by cloud-init (`write_files`): the API server's audit policy and
//! admission configuration, the kube-vip static pod, and the script that
//! fills the join secret into the configuration at boot.

use serde_json::{Value, json};

use std::net::Ipv4Addr;

use super::{KUBEADM_CONFIG_PATH, Shared};
use crate::model::Role;
use crate::plan::kubeadm::{ADMISSION_CONFIG, AUDIT_POLICY, CA_CERT_HASH, CERTIFICATE_KEY, POD_NODE_SELECTOR, TOKEN};
use crate::plan::{HostFacts, Plan, node_ip};
use crate::render::yaml;

const POD_NODE_SELECTOR_CONFIG: &str = "/etc/kubernetes/admission/podnodeselector.yaml";
const KUBE_VIP_MANIFEST: &str = "/etc/kubernetes/manifests/kube-vip.yaml";
const KUBE_VIP_IMAGE: &str = "ghcr.io/kube-vip/kube-vip:v0.8.9";

/// The join values, one `NAME=VALUE` a line; fetched or placed by hand.
const JOIN_ENV: &str = "/etc/bosun/join.env";
/// The configuration with the join values filled in; /run is a tmpfs.
pub const FILLED_CONFIG: &str = "/run/bosun/kubeadm.yaml";
pub const JOIN_SCRIPT: &str = "/usr/local/sbin/bosun-kubeadm-config";
/// Where `kubeadm init` finds the site's CA instead of making its own.
const CA_CERT: &str = "/etc/kubernetes/pki/ca.crt";
const CA_KEY: &str = "/etc/kubernetes/pki/ca.key";

/// A file for `write_files`: path, mode, content.
pub struct HostFile {
    pub path: &'static str,
    pub permissions: &'static str,
    pub content: String,
}

/// Every file of this module the host needs, by path.
pub fn host_files(shared: &Shared, facts: &HostFacts, template: &str) -> Result<Vec<HostFile>, String> {
    let plan = shared.plan;
    let k = plan.kubernetes()?;
    let mut out =
        vec![HostFile { path: JOIN_SCRIPT, permissions: "0755", content: join_script(shared, facts, template) }];
    if facts.host.role == Role::ControlPlane {
        if k.audit.is_some() {
            out.push(HostFile { path: AUDIT_POLICY, permissions: "0600", content: audit_policy() });
        }
        if k.admission.iter().any(|a| a == POD_NODE_SELECTOR) {
            let (config, selector) = admission();
            out.push(HostFile { path: ADMISSION_CONFIG, permissions: "0600", content: config });
            out.push(HostFile { path: POD_NODE_SELECTOR_CONFIG, permissions: "0600", content: selector });
        }
        if plan.kube.highly_available() {
            out.push(HostFile { path: KUBE_VIP_MANIFEST, permissions: "0600", content: kube_vip(plan, facts)? });
        }
        if let Some(ca) = k.ca.as_ref().filter(|_| runs_init(plan, facts)) {
            out.push(HostFile { path: CA_CERT, permissions: "0644", content: ca.pem.clone() });
        }
        if runs_init(plan, facts) {
            let files = crate::render::bringup::files(plan, facts)?;
            out.extend(files.into_iter().map(|f| HostFile {
                path: f.path,
                permissions: f.permissions,
                content: f.content,
            }));
        }
    }
    out.sort_by(|a, b| a.path.cmp(b.path));
    Ok(out)
}

/// Metadata only (never request bodies, so no Secret data reaches the log);
/// health probes and kube-proxy's watches are left out as noise.
fn audit_policy() -> String {
    let policy = json!({
        "apiVersion": "audit.k8s.io/v1",
        "kind": "Policy",
        "omitStages": ["RequestReceived"],
        "rules": [
            {"level": "None", "users": ["system:kube-proxy"], "verbs": ["watch"]},
            {"level": "None", "nonResourceURLs": ["/healthz*", "/livez*", "/readyz*", "/version"]},
            {"level": "Metadata"},
        ],
    });
    format!("# Written by bosun: the API server's audit policy.\n{}", yaml::to_string(&policy))
}

/// The admission configuration and PodNodeSelector's own file. No cluster
/// default: a namespace without the annotation schedules anywhere.
fn admission() -> (String, String) {
    let config = json!({
        "apiVersion": "apiserver.config.k8s.io/v1",
        "kind": "AdmissionConfiguration",
        "plugins": [{"name": POD_NODE_SELECTOR, "path": POD_NODE_SELECTOR_CONFIG}],
    });
    let selector = json!({"podNodeSelectorPluginConfig": {"clusterDefaultNodeSelector": ""}});
    (yaml::to_string(&config), yaml::to_string(&selector))
}

/// kube-vip as a static pod holding the endpoint address by ARP on the
/// node's interface. During `kubeadm init` only super-admin.conf may act
/// before the RBAC for admin.conf exists, so the first host uses that.
fn kube_vip(plan: &Plan, facts: &HostFacts) -> Result<String, String> {
    let endpoint = plan.kube.endpoint.as_ref().map_err(String::clone)?;
    // kube-vip holds an address: the endpoint's own, or the name's VIP.
    let vip = plan.settings.kubernetes.as_ref().and_then(|k| k.control_plane_address).map(|a| a.to_string());
    let (address, port) = (vip.as_deref().unwrap_or(endpoint.host.as_str()), endpoint.port);
    let ip = node_ip(plan.settings, facts)
        .ok_or_else(|| format!("`{}` has no node address for kube-vip", facts.host.name))?;
    let iface = interface_of(facts, ip).ok_or_else(|| format!("`{}`: no interface holds {ip}", facts.host.name))?;
    let first = plan.kube.control_planes.first().is_some_and(|&i| plan.hosts[i].host.name == facts.host.name);
    let kubeconfig = if first { "/etc/kubernetes/super-admin.conf" } else { "/etc/kubernetes/admin.conf" };
    let env: Vec<Value> = [
        ("address", address),
        ("cp_enable", "true"),
        ("cp_namespace", "kube-system"),
        ("port", &port.to_string()),
        ("vip_arp", "true"),
        ("vip_cidr", "32"),
        ("vip_interface", iface.as_str()),
        ("vip_leaderelection", "true"),
    ]
    .iter()
    .map(|(n, v)| json!({"name": n, "value": v}))
    .collect();
    let pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "kube-vip", "namespace": "kube-system"},
        "spec": {
            "containers": [{
                "name": "kube-vip",
                "image": KUBE_VIP_IMAGE,
                "args": ["manager"],
                "env": env,
                "securityContext": {"capabilities": {"add": ["NET_ADMIN", "NET_RAW"]}},
                "volumeMounts": [{"name": "kubeconfig", "mountPath": "/etc/kubernetes/admin.conf", "readOnly": true}],
            }],
            "hostAliases": [{"ip": "127.0.0.1", "hostnames": ["kubernetes"]}],
            "hostNetwork": true,
            "volumes": [{"name": "kubeconfig", "hostPath": {"path": kubeconfig, "type": "FileOrCreate"}}],
        },
    });
    Ok(yaml::to_string(&pod))
}

/// The URL the host fetches its join values from: `secrets/<secret>.env`
/// under its boot network's `http-server`, where the operator publishes
/// the secret (docs/kubernetes.md). `None` without `join-credentials` or
/// without a boot server: the operator then places the file by hand.
fn join_url(shared: &Shared, facts: &HostFacts) -> Option<String> {
    let secret = shared.plan.settings.kubernetes.as_ref()?.join_credentials.as_deref()?;
    let network = facts.pxe?.network.as_deref().and_then(|n| shared.network(n))?;
    let server = network.pxe.as_ref()?.http_server.as_deref()?;
    Some(format!("{}/secrets/{secret}.env", server.trim_end_matches('/')))
}

/// Fills the join values into the configuration: fetches the join file
/// when it is missing (retrying until it holds every value this host needs,
/// since the CA hash exists only after `kubeadm init`), checks each value's
/// shape, and writes the filled copy readable by root only.
fn join_script(shared: &Shared, facts: &HostFacts, template: &str) -> String {
    let ca_key =
        runs_init(shared.plan, facts) && shared.plan.settings.kubernetes.as_ref().is_some_and(|k| k.ca.is_some());
    let mut needed: Vec<(&str, &str, &str)> = [
        ("BOSUN_JOIN_TOKEN", TOKEN, "^[a-z0-9]{6}\\.[a-z0-9]{16}$"),
        ("BOSUN_CA_CERT_HASH", CA_CERT_HASH, "^sha256:[a-f0-9]{64}$"),
        ("BOSUN_CERTIFICATE_KEY", CERTIFICATE_KEY, "^[a-f0-9]{64}$"),
    ]
    .into_iter()
    .filter(|(_, placeholder, _)| template.contains(placeholder))
    .collect();
    // The CA key: one line of base64 PEM, written beside the CA certificate.
    if ca_key {
        needed.push(("BOSUN_CA_KEY", "", "^[A-Za-z0-9+/]+=*$"));
    }
    let mut s =
        String::from("#!/bin/sh\n# Written by bosun: fills the join secret into the kubeadm configuration.\nset -eu\n");
    s.push_str(&format!("template={}\nsecrets={JOIN_ENV}\nout={FILLED_CONFIG}\n", KUBEADM_CONFIG_PATH));
    s.push_str("value() { sed -n \"s/^$1=//p\" \"$secrets\" 2>/dev/null | head -n 1; }\n");
    let checks: Vec<String> = needed.iter().map(|(name, _, re)| format!("value {name} | grep -Eq '{re}'")).collect();
    let complete = if checks.is_empty() { "true".to_string() } else { checks.join(" && ") };
    s.push_str(&format!("complete() {{ {complete}; }}\n"));
    match join_url(shared, facts) {
        Some(url) => s.push_str(&format!(
            "tries=0\nuntil complete; do\n  tries=$((tries + 1))\n  if [ \"$tries\" -gt 120 ]; then echo \"bosun: no usable join values at {url}\" >&2; exit 1; fi\n  umask 077; mkdir -p /etc/bosun\n  curl -fsS --noproxy '*' -o \"$secrets.new\" '{url}' && mv \"$secrets.new\" \"$secrets\" || true\n  complete || sleep 30\ndone\n"
        )),
        None => s.push_str(
            "if ! complete; then echo \"bosun: $secrets is missing or incomplete; place the join values there (docs/kubernetes.md)\" >&2; exit 1; fi\n",
        ),
    }
    let seds: Vec<String> = needed
        .iter()
        .filter(|(_, placeholder, _)| !placeholder.is_empty())
        .map(|(name, placeholder, _)| format!(" -e \"s|{placeholder}|$(value {name})|g\""))
        .collect();
    s.push_str(&format!("umask 077\nmkdir -p /run/bosun\nsed{} \"$template\" > \"$out\"\n", seds.join("")));
    if ca_key {
        s.push_str(&format!("mkdir -p /etc/kubernetes/pki\nvalue BOSUN_CA_KEY | base64 -d > {CA_KEY}\n"));
    }
    s
}

/// The first control-plane host, which runs `kubeadm init`.
fn runs_init(plan: &Plan, facts: &HostFacts) -> bool {
    plan.kube.control_planes.first().is_some_and(|&i| plan.hosts[i].host.name == facts.host.name)
}

/// The name of the interface or bond that holds `ip`.
fn interface_of(facts: &HostFacts, ip: Ipv4Addr) -> Option<String> {
    let host = facts.host;
    let iface = host.interface.iter().find(|i| i.address == Some(ip)).map(|i| i.name.clone());
    iface.or_else(|| host.bond.iter().find(|b| b.address == Some(ip)).map(|b| b.name.clone()))
}

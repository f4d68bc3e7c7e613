//! Site settings into the kubeadm documents of one host. Every list is
//! sorted (or kept in a fixed order) so the output never depends on the
//! order of the site's source.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use super::types::*;
use super::{
    Api, CA_CERT_HASH, CERTIFICATE_KEY, CRI_SOCKET, TOKEN, control_planes, endpoint, files, highly_available, node_ip,
};
use crate::model::Role;
use crate::plan::{HostFacts, Plan};

/// The prefix of the labels bosun derives from the site.
pub const LABEL_PREFIX: &str = "bosun.dev";
const CONTROL_PLANE_TAINT: &str = "node-role.kubernetes.io/control-plane";
/// kube-vip's manifest sits in the static pod folder before kubeadm runs.
const MANIFESTS_PREFLIGHT: &str = "DirAvailable--etc-kubernetes-manifests";

/// The documents of `kubeadm/<host>.yaml`, in kubeadm's order.
pub fn documents(plan: &Plan, facts: &HostFacts) -> Result<Vec<Document>, String> {
    let api = Api::for_version(&plan.settings.kubernetes.version)?;
    let cps = control_planes(plan);
    let first = cps.first().map(|h| h.host.name.as_str());
    let mut docs = Vec::new();
    if first == Some(facts.host.name.as_str()) {
        docs.push(Document::Init(init(plan, facts, api)));
        docs.push(Document::Cluster(cluster(plan, api)?));
    } else {
        docs.push(Document::Join(join(plan, facts, api)?));
    }
    docs.push(Document::Kubelet(kubelet(plan)?));
    docs.push(Document::KubeProxy(kube_proxy(plan)));
    Ok(docs)
}

fn extra_args(api: Api, args: BTreeMap<String, String>) -> Option<ExtraArgs> {
    if args.is_empty() {
        return None;
    }
    Some(match api {
        Api::V1beta3 => ExtraArgs::Map(args),
        Api::V1beta4 => ExtraArgs::List(args.into_iter().map(|(name, value)| Arg { name, value }).collect()),
    })
}

fn timeouts(api: Api, join: bool) -> Option<Timeouts> {
    (api == Api::V1beta4).then(|| Timeouts {
        control_plane_component_health_check: Some("4m0s".into()),
        discovery: join.then(|| "5m0s".into()),
        ..Timeouts::default()
    })
}

fn init(plan: &Plan, facts: &HostFacts, api: Api) -> InitConfiguration {
    InitConfiguration {
        api_version: api.api_version().into(),
        kind: "InitConfiguration".into(),
        bootstrap_tokens: vec![BootstrapToken {
            token: TOKEN.into(),
            description: Some("bosun join token (from the join secret)".into()),
            ttl: Some("24h0m0s".into()),
            usages: vec!["authentication".into(), "signing".into()],
            groups: vec!["system:bootstrappers:kubeadm:default-node-token".into()],
        }],
        node_registration: node_registration(plan, facts, api),
        local_api_endpoint: local_endpoint(plan, facts),
        certificate_key: highly_available(plan).then(|| CERTIFICATE_KEY.into()),
        skip_phases: Vec::new(),
        timeouts: timeouts(api, false),
    }
}

fn local_endpoint(plan: &Plan, facts: &HostFacts) -> Option<ApiEndpoint> {
    node_ip(plan, facts).map(|ip| ApiEndpoint { advertise_address: ip.to_string(), bind_port: Some(super::API_PORT) })
}

fn join(plan: &Plan, facts: &HostFacts, api: Api) -> Result<JoinConfiguration, String> {
    let control_plane = (facts.host.role == Role::ControlPlane).then(|| JoinControlPlane {
        local_api_endpoint: local_endpoint(plan, facts),
        certificate_key: Some(CERTIFICATE_KEY.into()),
    });
    Ok(JoinConfiguration {
        api_version: api.api_version().into(),
        kind: "JoinConfiguration".into(),
        node_registration: node_registration(plan, facts, api),
        ca_cert_path: Some("/etc/kubernetes/pki/ca.crt".into()),
        discovery: Discovery {
            bootstrap_token: BootstrapTokenDiscovery {
                token: TOKEN.into(),
                api_server_endpoint: endpoint(plan)?,
                ca_cert_hashes: vec![CA_CERT_HASH.into()],
                unsafe_skip_ca_verification: None,
            },
            tls_bootstrap_token: None,
            timeout: (api == Api::V1beta3).then(|| "5m0s".into()),
        },
        control_plane,
        timeouts: timeouts(api, true),
    })
}

fn node_registration(plan: &Plan, facts: &HostFacts, api: Api) -> NodeRegistration {
    let mut kubelet = BTreeMap::new();
    if let Some(ip) = node_ip(plan, facts) {
        kubelet.insert("node-ip".to_string(), ip.to_string());
    }
    let labels: Vec<String> = labels(plan, facts).into_iter().map(|(k, v)| format!("{k}={v}")).collect();
    if !labels.is_empty() {
        kubelet.insert("node-labels".to_string(), labels.join(","));
    }
    let kube_vip = facts.host.role == Role::ControlPlane && highly_available(plan);
    NodeRegistration {
        // The short name: the cloud-init hostname, and a DNS name of the host.
        name: facts.host.name.clone(),
        cri_socket: CRI_SOCKET.into(),
        taints: Some(taints(plan, facts)),
        kubelet_extra_args: extra_args(api, kubelet),
        ignore_preflight_errors: if kube_vip { vec![MANIFESTS_PREFLIGHT.into()] } else { Vec::new() },
        image_pull_policy: None,
    }
}

/// Node labels: derived ones first, then the pool's, then the host's own
/// (a later one with the same key wins).
pub fn labels(plan: &Plan, facts: &HostFacts) -> BTreeMap<String, String> {
    let host = facts.host;
    let mut out = BTreeMap::new();
    out.insert(format!("{LABEL_PREFIX}/scheduler"), crate::model::spelled(&host.scheduler));
    let pool = host.gpu_pool.as_deref().and_then(|p| plan.site.pool(p));
    let mut explicit: Vec<&String> = Vec::new();
    if let Some(pool) = pool {
        out.insert(format!("{LABEL_PREFIX}/accelerator"), label_value(&format!("{}-{}", pool.vendor, pool.model)));
        // The pool label, the pool's own labels, and the labels that select
        // its device-plugin and MIG configs: the ones cluster/ objects match.
        out.extend(crate::render::cluster::pool_node_labels(plan.site, pool));
    }
    explicit.extend(&host.label);
    for l in explicit {
        let (k, v) = l.split_once('=').unwrap_or((l.as_str(), ""));
        out.insert(k.to_string(), v.to_string());
    }
    out
}

/// A label value: lowercase letters, digits, `-`, `_` and `.`, at most 63.
fn label_value(s: &str) -> String {
    let v: String = s
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '-' })
        .collect();
    v.chars().take(63).collect::<String>().trim_matches(|c: char| !c.is_ascii_alphanumeric()).to_string()
}

/// Taints registered at join: kubeadm's control-plane taint on control-plane
/// hosts (written out, since a written list replaces kubeadm's default), the
/// pool's and the host's own; sorted by key and effect.
pub fn taints(plan: &Plan, facts: &HostFacts) -> Vec<Taint> {
    let host = facts.host;
    let mut out: BTreeMap<(String, String), Option<String>> = BTreeMap::new();
    if host.role == Role::ControlPlane {
        out.insert((CONTROL_PLANE_TAINT.into(), "NoSchedule".into()), None);
    }
    let pool = host.gpu_pool.as_deref().and_then(|p| plan.site.pool(p));
    for t in pool.map(|p| &p.taint).into_iter().flatten().chain(&host.taint) {
        let (kv, effect) = t.rsplit_once(':').unwrap_or((t.as_str(), "NoSchedule"));
        let (k, v) = match kv.split_once('=') {
            Some((k, v)) => (k, Some(v.to_string())),
            None => (kv, None),
        };
        out.insert((k.to_string(), effect.to_string()), v);
    }
    out.into_iter().map(|((key, effect), value)| Taint { key, value, effect }).collect()
}

fn cluster(plan: &Plan, api: Api) -> Result<ClusterConfiguration, String> {
    let k = &plan.settings.kubernetes;
    let mut args = BTreeMap::new();
    let mut volumes = Vec::new();
    if let Some(audit) = &k.audit {
        args.insert("audit-log-path".into(), format!("{}/audit.log", files::AUDIT_LOG_DIR));
        args.insert("audit-log-maxage".into(), audit.max_age.to_string());
        args.insert("audit-log-maxbackup".into(), audit.max_backup.to_string());
        args.insert("audit-log-maxsize".into(), audit.max_size.to_string());
        args.insert("audit-policy-file".into(), files::AUDIT_POLICY.into());
        volumes.push(mount("audit-log", files::AUDIT_LOG_DIR, false));
        volumes.push(mount("audit-policy", files::AUDIT_DIR, true));
    }
    let plugins: BTreeSet<&str> = k.admission.iter().map(String::as_str).collect();
    if !plugins.is_empty() {
        // The flag replaces kubeadm's own `NodeRestriction`, so it is kept.
        let all: BTreeSet<&str> = plugins.iter().copied().chain(["NodeRestriction"]).collect();
        args.insert("enable-admission-plugins".into(), all.into_iter().collect::<Vec<_>>().join(","));
    }
    if plugins.contains(files::POD_NODE_SELECTOR) {
        args.insert("admission-control-config-file".into(), files::ADMISSION_CONFIG.into());
        volumes.push(mount("admission", files::ADMISSION_DIR, true));
    }
    volumes.sort_by(|a, b| a.name.cmp(&b.name));
    let image_repository = plan
        .settings
        .registry
        .iter()
        .filter(|r| matches!(r.mirror_of.as_deref(), Some("registry.k8s.io" | "k8s.gcr.io")))
        .map(|r| r.address.clone())
        .min();
    Ok(ClusterConfiguration {
        api_version: api.api_version().into(),
        kind: "ClusterConfiguration".into(),
        kubernetes_version: format!("v{}", k.version),
        cluster_name: Some(plan.settings.name.clone()),
        control_plane_endpoint: Some(endpoint(plan)?),
        networking: Networking {
            service_subnet: k.service_subnet.to_string(),
            pod_subnet: k.pod_subnet.to_string(),
            dns_domain: k.cluster_domain.clone(),
        },
        api_server: ApiServer {
            extra_args: extra_args(api, args),
            extra_volumes: volumes,
            cert_sans: cert_sans(plan)?,
            timeout_for_control_plane: (api == Api::V1beta3).then(|| "4m0s".into()),
        },
        controller_manager: None,
        scheduler: None,
        etcd: Etcd { local: LocalEtcd { data_dir: "/var/lib/etcd".into(), extra_args: None } },
        image_repository,
        certificates_dir: None,
        feature_gates: BTreeMap::new(),
    })
}

fn mount(name: &str, path: &str, read_only: bool) -> HostPathMount {
    HostPathMount {
        name: name.into(),
        host_path: path.into(),
        mount_path: path.into(),
        read_only: Some(read_only),
        path_type: Some("DirectoryOrCreate".into()),
    }
}

/// The site's `cert-san`s, the endpoint's host, and every control-plane
/// host's short name, FQDN and addresses; sorted, without duplicates.
fn cert_sans(plan: &Plan) -> Result<Vec<String>, String> {
    let mut sans: BTreeSet<String> = plan.settings.kubernetes.cert_san.iter().cloned().collect();
    sans.insert(super::endpoint_parts(plan)?.0);
    for cp in control_planes(plan) {
        sans.insert(cp.host.name.clone());
        sans.insert(cp.fqdn.clone());
        sans.extend(cp.address.iter().chain(node_ip(plan, cp).iter()).map(Ipv4Addr::to_string));
    }
    Ok(sans.into_iter().collect())
}

fn kubelet(plan: &Plan) -> Result<KubeletConfiguration, String> {
    let k = &plan.settings.kubernetes;
    let log = k.container_log.as_ref();
    // kubeadm's choice: the tenth address of the service subnet.
    let dns = Ipv4Addr::from(u32::from(k.service_subnet.network()).wrapping_add(10));
    if !k.service_subnet.contains(dns) {
        return Err(format!("service subnet {} is too small for the cluster DNS address", k.service_subnet));
    }
    Ok(KubeletConfiguration {
        api_version: KUBELET_API.into(),
        kind: "KubeletConfiguration".into(),
        cgroup_driver: "systemd".into(),
        container_runtime_endpoint: CRI_SOCKET.into(),
        cluster_domain: k.cluster_domain.clone(),
        cluster_dns: vec![dns.to_string()],
        container_log_max_size: log.and_then(|l| l.max_size.clone()).unwrap_or_else(|| "10Mi".into()),
        container_log_max_files: log.and_then(|l| l.max_files).unwrap_or(5),
        rotate_certificates: Some(true),
        fail_swap_on: None,
    })
}

fn kube_proxy(plan: &Plan) -> KubeProxyConfiguration {
    KubeProxyConfiguration {
        api_version: KUBE_PROXY_API.into(),
        kind: "KubeProxyConfiguration".into(),
        mode: "iptables".into(),
        cluster_cidr: plan.settings.kubernetes.pod_subnet.to_string(),
    }
}

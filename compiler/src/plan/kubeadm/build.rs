//! Site settings into the kubeadm documents of one host. Every list is
//! sorted (or kept in a fixed order) so the output never depends on the
//! order of the site's source.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::Ipv4Addr;

use super::types::*;
use super::{
    ADMISSION_CONFIG, ADMISSION_DIR, AUDIT_DIR, AUDIT_LOG_DIR, AUDIT_POLICY, CA_CERT_HASH, CERTIFICATE_KEY, CRI_SOCKET,
    POD_NODE_SELECTOR, TOKEN,
};
use crate::model::{GpuPool, Role};
use crate::plan::{API_PORT, Api, HostFacts, Plan};

/// The prefix of the labels bosun derives from the site.
pub const LABEL_PREFIX: &str = "bosun.dev";
const CONTROL_PLANE_TAINT: &str = "node-role.kubernetes.io/control-plane";
/// kube-vip's manifest sits in the static pod folder before kubeadm runs.
const MANIFESTS_PREFLIGHT: &str = "DirAvailable--etc-kubernetes-manifests";

/// A pool and the node labels derived from it.
type PoolLabels<'a> = (&'a GpuPool, Vec<(String, String)>);

/// What the documents of all hosts share: the plan's facts (`plan::Kube`)
/// and the pools' node labels, worked out once per compile.
pub struct Context<'a> {
    plan: &'a Plan<'a>,
    control_planes: Vec<&'a HostFacts<'a>>,
    /// By name (the first pool of a name wins, as with `Site::pool`), with
    /// the node labels derived from it.
    pools: HashMap<&'a str, PoolLabels<'a>>,
}

impl<'a> Context<'a> {
    pub fn new(plan: &'a Plan<'a>) -> Context<'a> {
        let mut pools = HashMap::new();
        for pool in &plan.site.pools {
            pools.entry(pool.name.as_str()).or_insert_with(|| (pool, pool_labels(plan, pool)));
        }
        let control_planes = plan.kube.control_planes.iter().map(|&i| &plan.hosts[i]).collect();
        Context { plan, control_planes, pools }
    }

    fn api(&self) -> Result<Api, String> {
        self.plan.kube.api.clone()
    }

    fn highly_available(&self) -> bool {
        self.plan.kube.highly_available()
    }

    /// `HOST:PORT` every node reaches the API servers at.
    fn endpoint(&self) -> Result<String, String> {
        self.plan.kube.endpoint.as_ref().map(ToString::to_string).map_err(String::clone)
    }
}

fn node_ip(plan: &Plan, facts: &HostFacts) -> Option<Ipv4Addr> {
    crate::plan::node_ip(plan.settings, facts)
}

/// The documents of `kubeadm/<host>.yaml` that are the host's own, in
/// kubeadm's order; [`shared_documents`] follow them.
pub fn own_documents(ctx: &Context, facts: &HostFacts) -> Result<Vec<Document>, String> {
    let api = ctx.api()?;
    let first = ctx.control_planes.first().map(|h| h.host.name.as_str());
    if first == Some(facts.host.name.as_str()) {
        Ok(vec![Document::Init(init(ctx, facts, api)), Document::Cluster(cluster(ctx, api)?)])
    } else {
        Ok(vec![Document::Join(join(ctx, facts, api)?)])
    }
}

/// The kubelet and kube-proxy documents: the same in every host's file.
pub fn shared_documents(plan: &Plan) -> Result<Vec<Document>, String> {
    Ok(vec![Document::Kubelet(kubelet(plan)?), Document::KubeProxy(kube_proxy(plan)?)])
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

fn init(ctx: &Context, facts: &HostFacts, api: Api) -> InitConfiguration {
    let plan = ctx.plan;
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
        node_registration: node_registration(ctx, facts, api),
        local_api_endpoint: local_endpoint(plan, facts),
        certificate_key: ctx.highly_available().then(|| CERTIFICATE_KEY.into()),
        skip_phases: Vec::new(),
        timeouts: timeouts(api, false),
    }
}

fn local_endpoint(plan: &Plan, facts: &HostFacts) -> Option<ApiEndpoint> {
    node_ip(plan, facts).map(|ip| ApiEndpoint { advertise_address: ip.to_string(), bind_port: Some(API_PORT) })
}

fn join(ctx: &Context, facts: &HostFacts, api: Api) -> Result<JoinConfiguration, String> {
    let plan = ctx.plan;
    let control_plane = (facts.host.role == Role::ControlPlane).then(|| JoinControlPlane {
        local_api_endpoint: local_endpoint(plan, facts),
        certificate_key: Some(CERTIFICATE_KEY.into()),
    });
    Ok(JoinConfiguration {
        api_version: api.api_version().into(),
        kind: "JoinConfiguration".into(),
        node_registration: node_registration(ctx, facts, api),
        ca_cert_path: Some("/etc/kubernetes/pki/ca.crt".into()),
        discovery: Discovery {
            bootstrap_token: BootstrapTokenDiscovery {
                token: TOKEN.into(),
                api_server_endpoint: ctx.endpoint()?,
                // Known at compile time when the site names its CA, so
                // no host waits for `kubeadm init` to publish it.
                ca_cert_hashes: vec![
                    plan.settings
                        .kubernetes
                        .as_ref()
                        .and_then(|k| k.ca.as_ref())
                        .map_or(CA_CERT_HASH.into(), |ca| ca.hash.clone()),
                ],
                unsafe_skip_ca_verification: None,
            },
            tls_bootstrap_token: None,
            timeout: (api == Api::V1beta3).then(|| "5m0s".into()),
        },
        control_plane,
        timeouts: timeouts(api, true),
    })
}

fn node_registration(ctx: &Context, facts: &HostFacts, api: Api) -> NodeRegistration {
    let plan = ctx.plan;
    let mut kubelet = BTreeMap::new();
    if let Some(ip) = node_ip(plan, facts) {
        kubelet.insert("node-ip".to_string(), ip.to_string());
    }
    let labels = labels(ctx, facts);
    if !labels.is_empty() {
        let mut joined = String::new();
        for (k, v) in labels {
            if !joined.is_empty() {
                joined.push(',');
            }
            joined.push_str(&k);
            joined.push('=');
            joined.push_str(&v);
        }
        kubelet.insert("node-labels".to_string(), joined);
    }
    let kube_vip = facts.host.role == Role::ControlPlane && ctx.highly_available();
    NodeRegistration {
        // The short name: the cloud-init hostname, and a DNS name of the host.
        name: facts.host.name.clone(),
        cri_socket: CRI_SOCKET.into(),
        taints: Some(taints(ctx, facts)),
        kubelet_extra_args: extra_args(api, kubelet),
        ignore_preflight_errors: if kube_vip { vec![MANIFESTS_PREFLIGHT.into()] } else { Vec::new() },
        image_pull_policy: None,
    }
}

/// Node labels: derived ones first, then the pool's, then the host's own
/// (a later one with the same key wins).
fn labels(ctx: &Context, facts: &HostFacts) -> BTreeMap<String, String> {
    let host = facts.host;
    let mut out = BTreeMap::new();
    out.insert(format!("{LABEL_PREFIX}/scheduler"), crate::model::spelled(&host.scheduler));
    if let Some((_, derived)) = host.gpu_pool.as_deref().and_then(|p| ctx.pools.get(p)) {
        out.extend(derived.iter().cloned());
    }
    for l in &host.label {
        let (k, v) = l.split_once('=').unwrap_or((l.as_str(), ""));
        out.insert(k.to_string(), v.to_string());
    }
    out
}

/// The labels a pool gives its hosts, in the order [`labels`] applies them:
/// the accelerator, then the pool label, the pool's own labels, and the
/// labels that select its device-plugin and MIG configs (the ones cluster/
/// objects match).
fn pool_labels(plan: &Plan, pool: &GpuPool) -> Vec<(String, String)> {
    let accelerator = label_value(&format!("{}-{}", pool.vendor, pool.model));
    let mut out = vec![(format!("{LABEL_PREFIX}/accelerator"), accelerator)];
    out.extend(crate::plan::gpu::pool_node_labels(plan.site, pool));
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
/// hosts unless `control-plane-taint #false` (written out either way, since a
/// written list replaces kubeadm's default, and `[]` means none), the
/// pool's and the host's own; sorted by key and effect.
fn taints(ctx: &Context, facts: &HostFacts) -> Vec<Taint> {
    let host = facts.host;
    let mut out: BTreeMap<(String, String), Option<String>> = BTreeMap::new();
    if host.role == Role::ControlPlane && host.control_plane_taint {
        out.insert((CONTROL_PLANE_TAINT.into(), "NoSchedule".into()), None);
    }
    for t in crate::plan::taints(ctx.plan.site, host) {
        out.insert((t.key.clone(), t.effect.as_str().to_string()), t.value.clone());
    }
    out.into_iter().map(|((key, effect), value)| Taint { key, value, effect }).collect()
}

fn cluster(ctx: &Context, api: Api) -> Result<ClusterConfiguration, String> {
    let plan = ctx.plan;
    let k = plan.kubernetes()?;
    let mut args = BTreeMap::new();
    let mut volumes = Vec::new();
    if let Some(audit) = &k.audit {
        args.insert("audit-log-path".into(), format!("{}/audit.log", AUDIT_LOG_DIR));
        args.insert("audit-log-maxage".into(), audit.max_age.to_string());
        args.insert("audit-log-maxbackup".into(), audit.max_backup.to_string());
        args.insert("audit-log-maxsize".into(), audit.max_size.to_string());
        args.insert("audit-policy-file".into(), AUDIT_POLICY.into());
        volumes.push(mount("audit-log", AUDIT_LOG_DIR, false));
        volumes.push(mount("audit-policy", AUDIT_DIR, true));
    }
    let plugins: BTreeSet<&str> = k.admission.iter().map(String::as_str).collect();
    if !plugins.is_empty() {
        // The flag replaces kubeadm's own `NodeRestriction`, so it is kept.
        let all: BTreeSet<&str> = plugins.iter().copied().chain(["NodeRestriction"]).collect();
        args.insert("enable-admission-plugins".into(), all.into_iter().collect::<Vec<_>>().join(","));
    }
    if plugins.contains(POD_NODE_SELECTOR) {
        args.insert("admission-control-config-file".into(), ADMISSION_CONFIG.into());
        volumes.push(mount("admission", ADMISSION_DIR, true));
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
        control_plane_endpoint: Some(ctx.endpoint()?),
        networking: Networking {
            service_subnet: k.service_subnet.to_string(),
            pod_subnet: k.pod_subnet.to_string(),
            dns_domain: k.cluster_domain.clone(),
        },
        api_server: ApiServer {
            extra_args: extra_args(api, args),
            extra_volumes: volumes,
            cert_sans: cert_sans(ctx)?,
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
fn cert_sans(ctx: &Context) -> Result<Vec<String>, String> {
    let plan = ctx.plan;
    let mut sans: BTreeSet<String> = plan.kubernetes()?.cert_san.iter().cloned().collect();
    sans.insert(ctx.plan.kube.endpoint.as_ref().map_err(String::clone)?.host.clone());
    for cp in &ctx.control_planes {
        sans.insert(cp.host.name.clone());
        sans.insert(cp.fqdn.clone());
        sans.extend(cp.address.iter().chain(node_ip(plan, cp).iter()).map(Ipv4Addr::to_string));
    }
    Ok(sans.into_iter().collect())
}

fn kubelet(plan: &Plan) -> Result<KubeletConfiguration, String> {
    let k = plan.kubernetes()?;
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

fn kube_proxy(plan: &Plan) -> Result<KubeProxyConfiguration, String> {
    Ok(KubeProxyConfiguration {
        api_version: KUBE_PROXY_API.into(),
        kind: "KubeProxyConfiguration".into(),
        mode: "iptables".into(),
        cluster_cidr: plan.kubernetes()?.pod_subnet.to_string(),
    })
}

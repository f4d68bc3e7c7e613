//! kubeadm configuration: `kubeadm/<host>.yaml` for every control-plane and
//! worker host, and the Helm values of the site's CNI (`packs/<cni>/values.yaml`).
//!
//! - `types.rs`: the kubeadm, kubelet and kube-proxy types, strict;
//! - `build.rs`: site settings into those types (docs/kubernetes.md has the
//!   "site setting → field" table);
//! - `files.rs`: what the API server and the join step need on the host
//!   besides the configuration (audit policy, admission configuration,
//!   kube-vip static pod, the join-secret script), delivered by cloud-init;
//! - `cni.rs`: the CNI's values with the pod subnet.
//!
//! Join secrets never appear here: the configuration carries placeholders
//! ([`TOKEN`], [`CA_CERT_HASH`], [`CERTIFICATE_KEY`]) that the host fills in
//! at boot from the secret named by `kubernetes { join-credentials }`.

mod build;
mod cni;
pub mod files;
pub mod types;

use rayon::prelude::*;
use std::collections::HashMap;
use std::net::Ipv4Addr;

use super::outputs::LfText;
use super::{Outputs, yaml};
use crate::model::{GpuPool, Network, Role, node_address};
use crate::plan::{HostFacts, Plan};
use crate::support::{KUBERNETES_MINORS, kubernetes_minor};

/// Placeholders the join step replaces with the values of the join secret.
pub const TOKEN: &str = "@@BOSUN_JOIN_TOKEN@@";
pub const CA_CERT_HASH: &str = "@@BOSUN_CA_CERT_HASH@@";
pub const CERTIFICATE_KEY: &str = "@@BOSUN_CERTIFICATE_KEY@@";

/// containerd's CRI socket, for kubeadm and the kubelet.
pub const CRI_SOCKET: &str = "unix:///var/run/containerd/containerd.sock";

/// The API server's port when the endpoint does not name one.
pub const API_PORT: u16 = 6443;

/// The kubeadm config API a Kubernetes release reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Api {
    /// 1.30: the last release without v1beta4.
    V1beta3,
    /// 1.31 and later.
    V1beta4,
}

impl Api {
    pub fn for_version(version: &str) -> Result<Api, String> {
        let (lo, hi) = KUBERNETES_MINORS;
        match kubernetes_minor(version) {
            Some(m) if (lo..31).contains(&m) => Ok(Api::V1beta3),
            Some(m) if (31..=hi).contains(&m) => Ok(Api::V1beta4),
            _ => Err(format!("Kubernetes {version} is outside the supported window 1.{lo}-1.{hi}")),
        }
    }

    pub fn api_version(self) -> &'static str {
        match self {
            Api::V1beta3 => "kubeadm.k8s.io/v1beta3",
            Api::V1beta4 => "kubeadm.k8s.io/v1beta4",
        }
    }
}

pub fn render(plan: &Plan, out: &mut Outputs) -> Result<(), String> {
    let hosts: Vec<&HostFacts> = plan.hosts.iter().filter(|h| h.host.role.runs_kubernetes()).collect();
    if hosts.is_empty() {
        return Ok(());
    }
    let ctx = Context::new(plan);
    let configs: Vec<Result<LfText, String>> =
        hosts.par_iter().map(|facts| config(&ctx, facts).map(LfText::new)).collect();
    for (facts, config) in hosts.iter().zip(configs) {
        out.lf_text(&["kubeadm", &format!("{}.yaml", facts.host.name)], config?)?;
    }
    let (name, values) = cni::values(plan);
    out.text(&["packs", name, "values.yaml"], yaml::to_string(&values))
}

/// The kubeadm configuration file of one Kubernetes host: the exact bytes of
/// `kubeadm/<host>.yaml`, also delivered to the host by cloud-init.
pub fn config(ctx: &Context, facts: &HostFacts) -> Result<String, String> {
    let docs = build::own_documents(ctx, facts)?;
    yaml::built(|out| {
        for (i, doc) in docs.iter().enumerate() {
            if i > 0 {
                out.push_str("---\n");
            }
            yaml::write(out, &doc.to_value()?);
        }
        out.push_str(ctx.shared_documents.as_ref().map_err(String::clone)?);
        Ok(())
    })
}

/// A pool and the node labels derived from it.
type PoolLabels<'a> = (&'a GpuPool, Vec<(String, String)>);

/// What the files of all hosts share, worked out once per compile: finding
/// the control-plane hosts is a scan of every host, and the kubelet and
/// kube-proxy documents are the same everywhere.
pub struct Context<'a> {
    pub plan: &'a Plan<'a>,
    api: Result<Api, String>,
    control_planes: Vec<&'a HostFacts<'a>>,
    endpoint: Result<String, String>,
    /// By name (the first pool of a name wins, as with `Site::pool`), with
    /// the node labels derived from it.
    pools: HashMap<&'a str, PoolLabels<'a>>,
    /// By name (the first network of a name wins, as with `Site::network`).
    networks: HashMap<&'a str, &'a Network>,
    /// `---` and the kubelet and kube-proxy documents, ending every file.
    shared_documents: Result<String, String>,
}

impl<'a> Context<'a> {
    pub fn new(plan: &'a Plan<'a>) -> Context<'a> {
        let control_planes: Vec<&HostFacts> = plan.hosts.iter().filter(|h| h.host.role == Role::ControlPlane).collect();
        let mut pools = HashMap::new();
        for pool in &plan.site.pools {
            pools.entry(pool.name.as_str()).or_insert_with(|| (pool, build::pool_labels(plan, pool)));
        }
        let mut networks = HashMap::new();
        for n in &plan.site.networks {
            networks.entry(n.name.as_str()).or_insert(n);
        }
        let mut ctx = Context {
            plan,
            networks,
            api: Api::for_version(&plan.settings.kubernetes.version),
            control_planes,
            endpoint: Err(String::new()),
            pools,
            shared_documents: build::shared_documents(plan),
        };
        ctx.endpoint = ctx.find_endpoint();
        ctx
    }

    pub fn api(&self) -> Result<Api, String> {
        self.api.clone()
    }

    /// Control-plane hosts, sorted by name; the first runs `kubeadm init`.
    pub fn control_planes(&self) -> &[&'a HostFacts<'a>] {
        &self.control_planes
    }

    /// More than one control-plane host: the endpoint is a kube-vip address.
    pub fn highly_available(&self) -> bool {
        self.control_planes.len() > 1
    }

    /// `HOST:PORT` every node reaches the API servers at: the site's
    /// `control-plane-endpoint`, else the first control-plane host's node IP.
    pub fn endpoint(&self) -> Result<String, String> {
        self.endpoint.clone()
    }

    fn find_endpoint(&self) -> Result<String, String> {
        let plan = self.plan;
        if let Some(e) = &plan.settings.kubernetes.control_plane_endpoint {
            return Ok(if e.contains(':') { e.clone() } else { format!("{e}:{API_PORT}") });
        }
        let first = self.control_planes.first().ok_or("the site has no control-plane host")?;
        let ip = node_ip(plan, first).ok_or_else(|| format!("`{}` has no static address", first.host.name))?;
        Ok(format!("{ip}:{API_PORT}"))
    }

    /// The endpoint split into host and port.
    pub fn endpoint_parts(&self) -> Result<(String, u16), String> {
        let e = self.endpoint()?;
        let (host, port) = e.rsplit_once(':').ok_or("endpoint without a port")?;
        Ok((host.to_string(), port.parse().map_err(|_| format!("bad port in endpoint {e:?}"))?))
    }

    /// The network named `name`.
    pub fn network(&self, name: &str) -> Option<&'a Network> {
        self.networks.get(name).copied()
    }

    /// The pool named `name` and the node labels derived from it.
    pub fn pool(&self, name: &str) -> Option<&PoolLabels<'a>> {
        self.pools.get(name)
    }
}

/// The address a host registers as its node IP: on `node-network` when the
/// site names one, else the host's primary address.
pub fn node_ip(plan: &Plan, facts: &HostFacts) -> Option<Ipv4Addr> {
    match plan.settings.kubernetes.node_network.as_deref() {
        Some(net) => node_address(facts.host, net),
        None => facts.address,
    }
}

/// The name of the interface or bond that holds `ip`.
pub fn interface_of(facts: &HostFacts, ip: Ipv4Addr) -> Option<String> {
    let host = facts.host;
    let iface = host.interface.iter().find(|i| i.address == Some(ip)).map(|i| i.name.clone());
    iface.or_else(|| host.bond.iter().find(|b| b.address == Some(ip)).map(|b| b.name.clone()))
}

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
use std::net::Ipv4Addr;

use super::{Outputs, yaml};
use crate::model::{Role, node_address};
use crate::plan::{HostFacts, Plan};
use crate::support::{KUBERNETES_MINORS, kubernetes_minor};

pub use build::documents;

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
    let configs: Vec<Result<String, String>> = hosts.par_iter().map(|facts| config(plan, facts)).collect();
    for (facts, config) in hosts.iter().zip(configs) {
        out.text(&["kubeadm", &format!("{}.yaml", facts.host.name)], config?)?;
    }
    if plan.hosts.iter().any(|h| h.host.role.runs_kubernetes()) {
        let (name, values) = cni::values(plan);
        out.text(&["packs", name, "values.yaml"], yaml::to_string(&values))?;
    }
    Ok(())
}

/// The kubeadm configuration file of one Kubernetes host: the exact bytes of
/// `kubeadm/<host>.yaml`, also delivered to the host by cloud-init.
pub fn config(plan: &Plan, facts: &HostFacts) -> Result<String, String> {
    let docs = documents(plan, facts)?;
    let values = docs.iter().map(types::Document::to_value).collect::<Result<Vec<_>, _>>()?;
    Ok(yaml::documents(&values))
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

/// Control-plane hosts, sorted by name; the first runs `kubeadm init`.
pub fn control_planes<'a>(plan: &'a Plan) -> Vec<&'a HostFacts<'a>> {
    plan.hosts.iter().filter(|h| h.host.role == Role::ControlPlane).collect()
}

/// More than one control-plane host: the endpoint is a kube-vip address.
pub fn highly_available(plan: &Plan) -> bool {
    control_planes(plan).len() > 1
}

/// `HOST:PORT` every node reaches the API servers at: the site's
/// `control-plane-endpoint`, else the first control-plane host's node IP.
pub fn endpoint(plan: &Plan) -> Result<String, String> {
    if let Some(e) = &plan.settings.kubernetes.control_plane_endpoint {
        return Ok(if e.contains(':') { e.clone() } else { format!("{e}:{API_PORT}") });
    }
    let first = control_planes(plan).into_iter().next().ok_or("the site has no control-plane host")?;
    let ip = node_ip(plan, first).ok_or_else(|| format!("`{}` has no static address", first.host.name))?;
    Ok(format!("{ip}:{API_PORT}"))
}

/// The endpoint split into host and port.
pub fn endpoint_parts(plan: &Plan) -> Result<(String, u16), String> {
    let e = endpoint(plan)?;
    let (host, port) = e.rsplit_once(':').ok_or("endpoint without a port")?;
    Ok((host.to_string(), port.parse().map_err(|_| format!("bad port in endpoint {e:?}"))?))
}

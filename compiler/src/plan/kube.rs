//! What the kubeadm files of all hosts share: the kubeadm config API of the
//! site's release, the control-plane hosts and the endpoint every node
//! reaches the API servers at. Worked out once per compile (finding the
//! control planes is a scan of every host).

use std::fmt;
use std::net::Ipv4Addr;

use super::HostFacts;
use crate::model::{Role, Settings, node_address};
use crate::support::{KUBERNETES_MINORS, kubernetes_minor};

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

/// `HOST:PORT` of the API servers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Endpoint {
    pub host: String,
    pub port: u16,
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.host, self.port)
    }
}

pub struct Kube {
    pub api: Result<Api, String>,
    /// Indices into the plan's hosts of the control-plane hosts, sorted by
    /// name; the first runs `kubeadm init`.
    pub control_planes: Vec<usize>,
    /// The site's `control-plane-endpoint`, else the first control-plane
    /// host's node IP.
    pub endpoint: Result<Endpoint, String>,
}

impl Kube {
    pub fn new(settings: &Settings, hosts: &[HostFacts]) -> Kube {
        let control_planes: Vec<usize> =
            hosts.iter().enumerate().filter(|(_, h)| h.host.role == Role::ControlPlane).map(|(i, _)| i).collect();
        let endpoint = endpoint(settings, control_planes.first().map(|&i| &hosts[i]));
        let version = settings.kubernetes.as_ref().map_or("", |k| k.version.as_str());
        Kube { api: Api::for_version(version), control_planes, endpoint }
    }

    /// More than one control-plane host: the endpoint is a kube-vip address.
    pub fn highly_available(&self) -> bool {
        self.control_planes.len() > 1
    }
}

fn endpoint(settings: &Settings, first: Option<&HostFacts>) -> Result<Endpoint, String> {
    if let Some(e) = settings.kubernetes.as_ref().and_then(|k| k.control_plane_endpoint.as_ref()) {
        let port = match e.port {
            None => API_PORT,
            Some(p) => u16::try_from(p).ok().filter(|p| *p > 0).ok_or_else(|| format!("bad port in endpoint {e}"))?,
        };
        return Ok(Endpoint { host: e.host.clone(), port });
    }
    let first = first.ok_or("the site has no control-plane host")?;
    let ip = node_ip(settings, first).ok_or_else(|| format!("`{}` has no static address", first.host.name))?;
    Ok(Endpoint { host: ip.to_string(), port: API_PORT })
}

/// The address a host registers as its node IP: on `node-network` when the
/// site names one, else the host's primary address.
pub fn node_ip(settings: &Settings, facts: &HostFacts) -> Option<Ipv4Addr> {
    match settings.kubernetes.as_ref().and_then(|k| k.node_network.as_deref()) {
        Some(net) => node_address(facts.host, net),
        None => facts.address,
    }
}

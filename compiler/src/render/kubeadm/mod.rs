//! kubeadm configuration: `kubeadm/<host>.yaml` for every control-plane and
//! worker host. cloud-init delivers the same bytes ([`config`]) to each host.
//!
//! - `types.rs`: the kubeadm, kubelet and kube-proxy types, strict;
//! - `build.rs`: site settings into those types (docs/kubernetes.md has the
//!   "site setting → field" table);
//! - `files.rs`: what the API server and the join step need on the host
//!   besides the configuration (audit policy, admission configuration,
//!   kube-vip static pod, the join-secret script), delivered by cloud-init.
//!
//! Join secrets never appear here: the configuration carries placeholders
//! ([`TOKEN`], [`CA_CERT_HASH`], [`CERTIFICATE_KEY`]) that the host fills in
//! at boot from the secret named by `kubernetes { join-credentials }`.

mod build;
pub mod files;
pub mod types;

use rayon::prelude::*;
use std::collections::HashMap;
use std::net::Ipv4Addr;

use super::outputs::LfText;
use super::{Outputs, yaml};
use crate::model::{GpuPool, Network};
use crate::plan::{HostFacts, Plan};

/// Placeholders the join step replaces with the values of the join secret.
pub const TOKEN: &str = "@@BOSUN_JOIN_TOKEN@@";
pub const CA_CERT_HASH: &str = "@@BOSUN_CA_CERT_HASH@@";
pub const CERTIFICATE_KEY: &str = "@@BOSUN_CERTIFICATE_KEY@@";

/// containerd's CRI socket, for kubeadm and the kubelet.
pub const CRI_SOCKET: &str = "unix:///var/run/containerd/containerd.sock";

pub use crate::plan::{API_PORT, Api};

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
    Ok(())
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

/// What the files of all hosts share: the plan's facts (`plan::Kube`) and,
/// rendered once per compile, the kubelet and kube-proxy documents.
pub struct Context<'a> {
    pub plan: &'a Plan<'a>,
    control_planes: Vec<&'a HostFacts<'a>>,
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
        let mut pools = HashMap::new();
        for pool in &plan.site.pools {
            pools.entry(pool.name.as_str()).or_insert_with(|| (pool, build::pool_labels(plan, pool)));
        }
        let mut networks = HashMap::new();
        for n in &plan.site.networks {
            networks.entry(n.name.as_str()).or_insert(n);
        }
        Context {
            plan,
            networks,
            control_planes: plan.kube.control_planes.iter().map(|&i| &plan.hosts[i]).collect(),
            pools,
            shared_documents: build::shared_documents(plan),
        }
    }

    pub fn api(&self) -> Result<Api, String> {
        self.plan.kube.api.clone()
    }

    /// Control-plane hosts, sorted by name; the first runs `kubeadm init`.
    pub fn control_planes(&self) -> &[&'a HostFacts<'a>] {
        &self.control_planes
    }

    /// More than one control-plane host: the endpoint is a kube-vip address.
    pub fn highly_available(&self) -> bool {
        self.plan.kube.highly_available()
    }

    /// `HOST:PORT` every node reaches the API servers at.
    pub fn endpoint(&self) -> Result<String, String> {
        self.plan.kube.endpoint.as_ref().map(ToString::to_string).map_err(String::clone)
    }

    /// The endpoint split into host and port.
    pub fn endpoint_parts(&self) -> Result<(String, u16), String> {
        let e = self.plan.kube.endpoint.as_ref().map_err(String::clone)?;
        Ok((e.host.clone(), e.port))
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

/// The address a host registers as its node IP (`plan::node_ip`).
pub fn node_ip(plan: &Plan, facts: &HostFacts) -> Option<Ipv4Addr> {
    crate::plan::node_ip(plan.settings, facts)
}

/// The name of the interface or bond that holds `ip`.
pub fn interface_of(facts: &HostFacts, ip: Ipv4Addr) -> Option<String> {
    let host = facts.host;
    let iface = host.interface.iter().find(|i| i.address == Some(ip)).map(|i| i.name.clone());
    iface.or_else(|| host.bond.iter().find(|b| b.address == Some(ip)).map(|b| b.name.clone()))
}

//! The kubeadm documents of every Kubernetes host, as the strict types of
//! `types.rs`, built once per compile (`build.rs` has the "site setting →
//! field" mapping of docs/kubernetes.md). The kubeadm renderer writes them as
//! `kubeadm/<host>.yaml`; the seeds deliver the same bytes.
//!
//! Join secrets never appear here: the documents carry placeholders
//! ([`TOKEN`], [`CA_CERT_HASH`], [`CERTIFICATE_KEY`]) that the host fills in
//! at boot from the secret named by `kubernetes { join-credentials }`.

mod build;
pub mod types;

use rayon::prelude::*;

pub use build::LABEL_PREFIX;
use types::Document;

use super::Plan;

/// Placeholders the join step replaces with the values of the join secret.
pub const TOKEN: &str = "@@BOSUN_JOIN_TOKEN@@";
pub const CA_CERT_HASH: &str = "@@BOSUN_CA_CERT_HASH@@";
pub const CERTIFICATE_KEY: &str = "@@BOSUN_CERTIFICATE_KEY@@";

/// containerd's CRI socket, for kubeadm and the kubelet.
pub const CRI_SOCKET: &str = "unix:///var/run/containerd/containerd.sock";

/// Where the API server finds the files the seeds deliver beside the
/// kubeadm configuration (audit policy, admission configuration).
pub const AUDIT_DIR: &str = "/etc/kubernetes/audit";
pub const AUDIT_POLICY: &str = "/etc/kubernetes/audit/policy.yaml";
pub const AUDIT_LOG_DIR: &str = "/var/log/kubernetes/audit";
pub const ADMISSION_DIR: &str = "/etc/kubernetes/admission";
pub const ADMISSION_CONFIG: &str = "/etc/kubernetes/admission/config.yaml";
pub const POD_NODE_SELECTOR: &str = "PodNodeSelector";

/// The kubeadm documents of the site: a host's file is its own documents,
/// then the shared ones, each after a `---` but the first.
pub struct Kubeadm {
    /// Indexed like the plan's hosts; `None` for a host that runs no
    /// Kubernetes. Init and Cluster configuration on the first control-plane
    /// host, a Join configuration on the others.
    pub own: Vec<Option<Result<Vec<Document>, String>>>,
    /// The kubelet and kube-proxy documents, the same in every file.
    pub shared: Result<Vec<Document>, String>,
}

impl Kubeadm {
    /// Builds every host's documents, hosts in parallel.
    pub fn new(plan: &Plan) -> Kubeadm {
        let ctx = build::Context::new(plan);
        let own = plan
            .hosts
            .par_iter()
            .map(|facts| facts.host.runs_kubernetes().then(|| build::own_documents(&ctx, facts)))
            .collect();
        Kubeadm { own, shared: build::shared_documents(plan) }
    }
}

//! The packs built into bosun: which chart each installs, pinned, where, and
//! how it relates to the others (docs/packs.md). The dependency graph and the
//! sync waves are derived from these facts (`graph.rs`).

use crate::model::Cni;

/// Where a chart comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chart {
    /// A classic Helm repository (an `index.yaml` over HTTP(S)).
    Repo { url: &'static str, name: &'static str, version: &'static str },
    /// An OCI registry: `oci://…/<name>` with a tag.
    Oci { url: &'static str, name: &'static str, version: &'static str },
}

impl Chart {
    pub fn url(&self) -> &'static str {
        match self {
            Chart::Repo { url, .. } | Chart::Oci { url, .. } => url,
        }
    }
    pub fn name(&self) -> &'static str {
        match self {
            Chart::Repo { name, .. } | Chart::Oci { name, .. } => name,
        }
    }
    pub fn version(&self) -> &'static str {
        match self {
            Chart::Repo { version, .. } | Chart::Oci { version, .. } => version,
        }
    }
}

/// One built-in pack.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinPack {
    pub name: &'static str,
    pub chart: Chart,
    /// Namespace the chart installs into unless the site gives `namespace`.
    pub namespace: &'static str,
    /// The chart's `kubeVersion` (its Chart.yaml, verbatim): the Kubernetes
    /// releases Helm installs it on. `None` where the chart states none.
    /// `packs::compat` checks the site's version against it.
    pub kube_version: Option<&'static str>,
    /// Packs that must be installed first when the site declares them.
    pub depends_on: &'static [&'static str],
    /// API groups whose CRDs the chart installs.
    pub provides_crds: &'static [&'static str],
    /// API groups whose objects the chart (with bosun's values) creates.
    pub uses_crds: &'static [&'static str],
    /// One line for `bosun packs`.
    pub summary: &'static str,
}

/// The built-in packs' names: code that treats one pack specially names it
/// through these, so a misspelling is a compile error rather than a feature
/// silently switched off.
pub const ARGOCD: &str = "argocd";
pub const CALICO: &str = "calico";
pub const CILIUM: &str = "cilium";
pub const CSI_DRIVER_NFS: &str = "csi-driver-nfs";
pub const DOCKER_REGISTRY: &str = "docker-registry";
pub const EXTERNAL_SECRETS: &str = "external-secrets";
pub const FLANNEL: &str = "flannel";
pub const FLUX: &str = "flux";
pub const GPU_OPERATOR: &str = "gpu-operator";
pub const INGRESS_NGINX: &str = "ingress-nginx";
pub const JUPYTERHUB: &str = "jupyterhub";
pub const KUBE_PROMETHEUS_STACK: &str = "kube-prometheus-stack";
pub const KUEUE: &str = "kueue";
pub const ROOK_CEPH: &str = "rook-ceph";
pub const ROOK_CEPH_CLUSTER: &str = "rook-ceph-cluster";

/// The ResourceFlavor bosun makes for CPU and memory beside one per GPU pool
/// when the kueue pack is installed (a pool may not take its name).
pub const CPU_FLAVOR: &str = "default-flavor";

const PROMETHEUS_CRDS: &str = "monitoring.coreos.com";

/// Every built-in pack, sorted by name.
pub const BUILTIN: &[BuiltinPack] = &[
    BuiltinPack {
        name: ARGOCD,
        chart: Chart::Repo { url: "https://argoproj.github.io/argo-helm", name: "argo-cd", version: "9.1.4" },
        namespace: "argocd",
        kube_version: Some(">=1.25.0-0"),
        depends_on: &[],
        provides_crds: &["argoproj.io"],
        uses_crds: &[],
        summary: "Argo CD, the GitOps engine (engine=\"argocd\")",
    },
    BuiltinPack {
        name: CALICO,
        chart: Chart::Repo { url: "https://docs.tigera.io/calico/charts", name: "tigera-operator", version: "v3.30.4" },
        namespace: "tigera-operator",
        kube_version: None,
        depends_on: &[],
        provides_crds: &["operator.tigera.io", "crd.projectcalico.org"],
        uses_crds: &[],
        summary: "Calico CNI through the Tigera operator (cni \"calico\")",
    },
    BuiltinPack {
        name: CILIUM,
        chart: Chart::Repo { url: "https://helm.cilium.io", name: "cilium", version: "1.18.4" },
        namespace: "kube-system",
        kube_version: None,
        depends_on: &[],
        provides_crds: &["cilium.io"],
        uses_crds: &[],
        summary: "Cilium CNI (cni \"cilium\")",
    },
    BuiltinPack {
        name: CSI_DRIVER_NFS,
        chart: Chart::Repo {
            url: "https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts",
            name: "csi-driver-nfs",
            version: "4.12.1",
        },
        namespace: "kube-system",
        kube_version: None,
        depends_on: &[],
        provides_crds: &[],
        uses_crds: &[],
        summary: "NFS CSI driver for the site's nfs storage backends",
    },
    BuiltinPack {
        name: DOCKER_REGISTRY,
        chart: Chart::Repo { url: "https://helm.twun.io", name: "docker-registry", version: "3.0.0" },
        namespace: "docker-registry",
        kube_version: None,
        depends_on: &[],
        provides_crds: &[],
        uses_crds: &[],
        summary: "a container registry hosted in the cluster",
    },
    BuiltinPack {
        name: EXTERNAL_SECRETS,
        chart: Chart::Repo { url: "https://charts.external-secrets.io", name: "external-secrets", version: "0.20.4" },
        namespace: "external-secrets",
        kube_version: Some(">= 1.19.0-0"),
        depends_on: &[],
        provides_crds: &["external-secrets.io", "generators.external-secrets.io"],
        uses_crds: &[],
        summary: "External Secrets Operator: `secret` nodes become Kubernetes Secrets",
    },
    BuiltinPack {
        name: FLANNEL,
        chart: Chart::Repo { url: "https://flannel-io.github.io/flannel", name: "flannel", version: "v0.27.4" },
        namespace: "kube-flannel",
        kube_version: None,
        depends_on: &[],
        provides_crds: &[],
        uses_crds: &[],
        summary: "Flannel CNI (cni \"flannel\")",
    },
    BuiltinPack {
        name: FLUX,
        chart: Chart::Repo { url: "https://fluxcd-community.github.io/helm-charts", name: "flux2", version: "2.17.1" },
        namespace: "flux-system",
        kube_version: None,
        depends_on: &[],
        provides_crds: &[
            "source.toolkit.fluxcd.io",
            "kustomize.toolkit.fluxcd.io",
            "helm.toolkit.fluxcd.io",
            "notification.toolkit.fluxcd.io",
        ],
        uses_crds: &[],
        summary: "Flux, the GitOps engine (engine=\"flux\")",
    },
    BuiltinPack {
        name: GPU_OPERATOR,
        chart: Chart::Repo { url: "https://helm.ngc.nvidia.com/nvidia", name: "gpu-operator", version: "v26.7.0" },
        namespace: "gpu-operator",
        kube_version: Some(">= 1.16.0-0"),
        depends_on: &[],
        provides_crds: &["nvidia.com"],
        // The DCGM exporter's ServiceMonitor, when monitoring is installed.
        uses_crds: &[PROMETHEUS_CRDS],
        summary: "NVIDIA GPU Operator: driver, device plugin, MIG manager, DCGM exporter",
    },
    BuiltinPack {
        name: INGRESS_NGINX,
        chart: Chart::Repo {
            url: "https://kubernetes.github.io/ingress-nginx",
            name: "ingress-nginx",
            version: "4.14.0",
        },
        namespace: "ingress-nginx",
        kube_version: Some(">=1.21.0-0"),
        depends_on: &[],
        provides_crds: &[],
        uses_crds: &[],
        summary: "NGINX ingress controller",
    },
    BuiltinPack {
        name: JUPYTERHUB,
        chart: Chart::Repo { url: "https://hub.jupyter.org/helm-chart", name: "jupyterhub", version: "4.3.1" },
        namespace: "jupyterhub",
        kube_version: Some(">=1.28.0-0"),
        depends_on: &[],
        provides_crds: &[],
        uses_crds: &[],
        summary: "JupyterHub with a notebook profile per GPU pool",
    },
    BuiltinPack {
        name: KUBE_PROMETHEUS_STACK,
        chart: Chart::Repo {
            url: "https://prometheus-community.github.io/helm-charts",
            name: "kube-prometheus-stack",
            version: "79.7.1",
        },
        namespace: "monitoring",
        kube_version: Some(">=1.25.0-0"),
        depends_on: &[],
        provides_crds: &[PROMETHEUS_CRDS],
        uses_crds: &[],
        summary: "Prometheus, Alertmanager and Grafana, with GPU dashboards and alerts",
    },
    BuiltinPack {
        name: KUEUE,
        chart: Chart::Oci { url: "oci://registry.k8s.io/kueue/charts", name: "kueue", version: "0.19.2" },
        namespace: "kueue-system",
        kube_version: None,
        depends_on: &[],
        provides_crds: &["kueue.x-k8s.io"],
        uses_crds: &[],
        summary: "Kueue: team quotas become ClusterQueues",
    },
    BuiltinPack {
        name: ROOK_CEPH,
        chart: Chart::Repo { url: "https://charts.rook.io/release", name: "rook-ceph", version: "v1.18.7" },
        namespace: "rook-ceph",
        kube_version: None,
        depends_on: &[],
        provides_crds: &["ceph.rook.io", "objectbucket.io"],
        uses_crds: &[],
        summary: "Rook operator for Ceph",
    },
    BuiltinPack {
        name: ROOK_CEPH_CLUSTER,
        chart: Chart::Repo { url: "https://charts.rook.io/release", name: "rook-ceph-cluster", version: "v1.18.7" },
        namespace: "rook-ceph",
        kube_version: None,
        depends_on: &[ROOK_CEPH],
        provides_crds: &[],
        uses_crds: &["ceph.rook.io"],
        summary: "the Ceph cluster of the site's ceph storage backend",
    },
];

/// The built-in pack that installs the site's CNI.
pub fn cni(cni: Cni) -> &'static str {
    match cni {
        Cni::Calico => CALICO,
        Cni::Cilium => CILIUM,
        Cni::Flannel => FLANNEL,
    }
}

/// The built-in pack of this name.
pub fn builtin(name: &str) -> Option<&'static BuiltinPack> {
    BUILTIN.iter().find(|p| p.name == name)
}

/// Names of every built-in pack, sorted.
pub fn builtin_names() -> impl Iterator<Item = &'static str> {
    BUILTIN.iter().map(|p| p.name)
}

/// API groups of the custom resources bosun itself writes into cluster/.
pub const CLUSTER_USES_CRDS: &[&str] = &["kueue.x-k8s.io", "ceph.rook.io", "external-secrets.io", "nvidia.com"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_unique_and_dependencies_exist() {
        let names: Vec<&str> = builtin_names().collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
        for p in BUILTIN {
            for d in p.depends_on {
                assert!(builtin(d).is_some(), "{} depends on unknown {d}", p.name);
            }
        }
    }
}

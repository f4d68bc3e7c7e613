//! `control-plane-taint`: whether a control-plane host keeps kubeadm's
//! NoSchedule taint. Operators coming from Kubespray list a control-plane
//! host in `kube_node` too, to run workloads on it; this is how a site says so.

/// The default: control-plane hosts are tainted, as kubeadm does.
pub(super) fn yes() -> bool {
    true
}

//! `control-plane-taint`: whether a control-plane host keeps kubeadm's
//! NoSchedule taint. Operators coming from Kubespray list a control-plane
//! host in `kube_node` too, to run workloads on it; this is how a site says so.

/// The default: control-plane hosts are tainted, as kubeadm does.
pub(super) fn yes() -> bool {
    true
}

/// The default is left out of the site digest, so sites that never say
/// `control-plane-taint` keep the digest they had before it existed.
pub(super) fn is_yes(b: &bool) -> bool {
    *b
}

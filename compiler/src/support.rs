//! What this version of bosun supports, in one place.

/// Oldest and newest Kubernetes minor release bosun renders for.
///
/// 1.30 is the last release whose kubeadm reads only v1beta3 configs: sites
/// that have not upgraded yet still compile. 1.37 is the newest release with
/// published API schemas (k8s-openapi 0.29, kubernetes-validate 1.37): for a
/// newer one bosun would emit objects that nothing can check.
pub const KUBERNETES_MINORS: (u32, u32) = (30, 37);

/// Parses `1.Y.Z` into its minor version.
pub fn kubernetes_minor(version: &str) -> Option<u32> {
    let mut parts = version.split('.');
    match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some("1"), Some(minor), Some(patch), None) if patch.parse::<u32>().is_ok() => minor.parse().ok(),
        _ => None,
    }
}

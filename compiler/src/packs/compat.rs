//! Which versions the pinned charts fit: the Kubernetes releases a chart's
//! `kubeVersion` admits (kept beside each chart in `catalog.rs`), and the
//! releases of what a chart runs that it supports. `validate::compat` holds
//! a site against these; docs/packs.md cites where each fact comes from.

/// The Ceph image the site's CephCluster runs: Squid, the release the
/// pinned Rook (v1.18.7) ships as its chart's default.
pub const CEPH_IMAGE: &str = "quay.io/ceph/ceph:v19.2.3";

/// Ceph major releases the pinned Rook runs with `allowUnsupported: false`
/// ("Currently Reef and Squid are supported", rook-ceph-cluster v1.18.7
/// values.yaml); Tentacle (v20) needs `allowUnsupported: true`.
pub const ROOK_CEPH_RELEASES: &[(u32, &str)] = &[(18, "Reef"), (19, "Squid")];

/// The Kueue API versions the pinned chart (v0.19.2) serves: v1beta2 is
/// the stored version, v1beta1 is still served but deprecated. Every Kueue
/// object bosun writes uses one of them (tests/charts.rs).
pub const KUEUE_SERVED: &[&str] = &["kueue.x-k8s.io/v1beta1", "kueue.x-k8s.io/v1beta2"];

/// The Ceph major release of an image reference (`…/ceph:v19.2.3`,
/// `…:v19.2.3-20250717`, `…:v19`); `None` for a tag that names no release
/// (`latest`, a digest alone): Rook learns those only by running the image.
pub fn ceph_major(image: &str) -> Option<u32> {
    let name = image.split('@').next()?;
    let (repo, tag) = name.rsplit_once(':')?;
    if tag.contains('/') || repo.is_empty() {
        return None;
    }
    let digits: String = tag.strip_prefix('v')?.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// The supported release named for a Ceph major version.
pub fn rook_supports_ceph(major: u32) -> bool {
    ROOK_CEPH_RELEASES.iter().any(|(m, _)| *m == major)
}

/// A version as three numbers; a pre-release or build suffix is dropped
/// (`>=1.25.0-0` admits pre-releases, and sites name none).
fn triple(v: &str) -> Option<(u64, u64, u64)> {
    let v = v.trim().trim_start_matches('v');
    let core = v.split(['-', '+']).next()?;
    let mut parts = core.split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    let patch = parts.next().map_or(Some(0), |p| p.parse().ok())?;
    parts.next().is_none().then_some((major, minor, patch))
}

/// Whether `version` satisfies a Helm `kubeVersion` constraint: terms joined
/// by `,` or spaces must all hold, alternatives are joined by `||`. Only the
/// comparison operators are understood (every pinned chart uses `>=`);
/// `None` for a constraint or version this cannot read.
pub fn satisfies(constraint: &str, version: &str) -> Option<bool> {
    let v = triple(version)?;
    let mut any = false;
    for alternative in constraint.split("||") {
        let mut all = true;
        for term in terms(alternative)? {
            all &= term_holds(&term, v)?;
        }
        any |= all;
    }
    Some(any)
}

/// `>= 1.19.0-0, <1.40` → [">=1.19.0-0", "<1.40"]: an operator may stand
/// apart from its version.
fn terms(alternative: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    let mut pending = String::new();
    for word in alternative.split([',', ' ']).filter(|w| !w.is_empty()) {
        if word.chars().all(|c| "<>=!".contains(c)) {
            pending = word.to_string();
        } else {
            out.push(std::mem::take(&mut pending) + word);
        }
    }
    (pending.is_empty() && !out.is_empty()).then_some(out)
}

fn term_holds(term: &str, v: (u64, u64, u64)) -> Option<bool> {
    let split = term.find(|c: char| !"<>=!".contains(c))?;
    let (op, bound) = term.split_at(split);
    let b = triple(bound)?;
    Some(match op {
        ">=" => v >= b,
        ">" => v > b,
        "<=" => v <= b,
        "<" => v < b,
        "" | "=" => v == b,
        "!=" => v != b,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packs::BUILTIN;
    use crate::support::KUBERNETES_MINORS;

    #[test]
    fn constraints_read_as_helm_reads_them() {
        assert_eq!(satisfies(">=1.25.0-0", "1.30.9"), Some(true));
        assert_eq!(satisfies(">= 1.19.0-0", "1.18.20"), Some(false));
        assert_eq!(satisfies(">=1.28.0-0, <1.34.0-0", "1.34.0"), Some(false));
        assert_eq!(satisfies(">=1.28.0-0 <1.34.0-0", "1.33.2"), Some(true));
        assert_eq!(satisfies("<1.20 || >=1.36", "1.37.1"), Some(true));
        assert_eq!(satisfies("<1.20 || >=1.36", "1.30.1"), Some(false));
        assert_eq!(satisfies("~1.30", "1.30.1"), None);
        assert_eq!(satisfies(">=", "1.30.1"), None);
    }

    #[test]
    fn every_pinned_range_is_readable_and_admits_a_supported_release() {
        let (_, hi) = KUBERNETES_MINORS;
        for p in BUILTIN {
            if let Some(c) = p.kube_version {
                assert!(satisfies(c, &format!("1.{hi}.0")).is_some(), "{}: {c} unreadable", p.name);
            }
        }
    }

    #[test]
    fn ceph_releases_from_image_tags() {
        assert_eq!(ceph_major(CEPH_IMAGE), Some(19));
        assert!(rook_supports_ceph(ceph_major(CEPH_IMAGE).unwrap_or(0)));
        assert_eq!(ceph_major("quay.io/ceph/ceph:v20.2.4"), Some(20));
        assert!(!rook_supports_ceph(20));
        assert_eq!(ceph_major("quay.io/ceph/ceph:v18.2.7-20250101"), Some(18));
        assert_eq!(ceph_major("registry.local:5000/ceph/ceph"), None);
        assert_eq!(ceph_major("quay.io/ceph/ceph:latest"), None);
        assert_eq!(ceph_major("quay.io/ceph/ceph@sha256:abcd"), None);
    }
}

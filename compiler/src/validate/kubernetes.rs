//! What kubeadm, the API server and the controller manager refuse of the
//! `kubernetes` block: a version with leading zeros, an endpoint that is no
//! HOST:PORT, pod and service subnets of a size they cannot use.

use super::Ctx;
use super::errors::*;
use crate::diag::Diagnostic;
use crate::model::HostPort;

pub fn check(cx: &mut Ctx) {
    let Some(settings) = &cx.site.settings else { return };
    let Some(k) = &settings.kubernetes else { return };
    version(cx, &k.version);
    if let Some(e) = &k.control_plane_endpoint {
        endpoint(cx, e);
    }
    // kubeadm gives the cluster DNS the tenth address of the service
    // subnet; the API server refuses a service range over 2^20 addresses.
    let svc = k.service_subnet.prefix;
    if !(12..=28).contains(&svc) {
        let why = if svc < 12 {
            "larger than the API server's limit of /12"
        } else {
            "too small for the cluster DNS address"
        };
        let d = Diagnostic::new(&SERVICE_SUBNET_SIZE, format!("service subnet {} is {why}", k.service_subnet))
            .label_opt(cx.span("/site/kubernetes/service-subnet"), "a prefix from /12 to /28");
        cx.push(d);
    }
    // Each node gets a /24 of the pod subnet (kubeadm's node-cidr-mask-size);
    // the controller manager refuses a cluster range under it or more than
    // 16 bits over it.
    let pod = k.pod_subnet.prefix;
    if !(8..=24).contains(&pod) {
        let why = if pod > 24 { "smaller than one node's /24" } else { "more than 16 bits larger than a node's /24" };
        let d = Diagnostic::new(&POD_SUBNET_SIZE, format!("pod subnet {} is {why}", k.pod_subnet))
            .label_opt(cx.span("/site/kubernetes/pod-subnet"), "a prefix from /8 to /24");
        cx.push(d);
    }
}

/// kubeadm reads `v1.031.04` as no release: every part is a plain number.
fn version(cx: &mut Ctx, version: &str) {
    let padded = |p: &str| p.len() > 1 && p.starts_with('0');
    if version.split('.').any(padded) {
        let canonical: Vec<String> =
            version.split('.').map(|p| p.parse::<u64>().map_or(p.to_string(), |n| n.to_string())).collect();
        let d = Diagnostic::new(&VERSION_FORMAT, format!("Kubernetes version {version:?} has a leading zero"))
            .label_opt(cx.span("/site/kubernetes/version"), "kubeadm would read v".to_string() + version)
            .help(format!("write \"{}\"", canonical.join(".")));
        cx.push(d);
    }
}

fn endpoint(cx: &mut Ctx, endpoint: &HostPort) {
    let problem = if let Some(p) = endpoint.port.filter(|p| !(1..=65535).contains(p)) {
        Some(format!("port {p} is not from 1 to 65535"))
    } else {
        dns_name_problem(&endpoint.host).map(|why| format!("host `{}` {why}", endpoint.host))
    };
    if let Some(why) = problem {
        let d = Diagnostic::new(&ENDPOINT, format!("control-plane-endpoint \"{endpoint}\": {why}"))
            .label_opt(cx.span("/site/kubernetes/control-plane-endpoint"), "not a reachable HOST:PORT");
        cx.push(d);
    }
}

/// Why `name` is not a DNS name (RFC 1123: labels of 1-63 letters, digits
/// and inner hyphens; 253 characters in all), if it is not.
pub fn dns_name_problem(name: &str) -> Option<String> {
    if name.len() > 253 {
        return Some(format!("is {} characters long, over 253", name.len()));
    }
    for label in name.split('.') {
        if label.is_empty() {
            return Some("has an empty label (two dots, or a dot at an end)".to_string());
        }
        if label.len() > 63 {
            return Some(format!("has a label of {} characters, over 63", label.len()));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Some(format!("has label `{label}` starting or ending with a hyphen"));
        }
    }
    None
}

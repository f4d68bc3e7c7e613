//! The Kubernetes cluster: supported version, control-plane quorum, endpoint.

use super::Ctx;
use super::errors::*;
use crate::diag::Diagnostic;
use crate::model::Role;
use crate::support::{KUBERNETES_MINORS, kubernetes_minor};

pub fn check(cx: &mut Ctx) {
    version(cx);
    let cps: Vec<_> = cx.site.hosts.iter().filter(|h| h.role == Role::ControlPlane).collect();
    let skipped_cp = cx.site.skipped.iter().any(|(kind, _)| kind == "host");
    let n = cps.len();
    // With no hosts at all the structure stage has said so already.
    let no_hosts = cx.site.hosts.is_empty();
    // A Slurm-only site has no Kubernetes cluster to count.
    let kubernetes = cx.site.settings.as_ref().is_some_and(|s| s.kubernetes.is_some())
        || cx.site.hosts.iter().any(|h| h.runs_kubernetes());
    if (n == 0 && !skipped_cp && !no_hosts && kubernetes) || (n > 0 && n % 2 == 0) {
        let message = if n == 0 {
            "the site has no control-plane host".to_string()
        } else {
            format!("{n} control-plane hosts: etcd needs an odd number to keep a majority")
        };
        let mut d = Diagnostic::new(&CONTROL_PLANE_COUNT, message);
        for h in &cps {
            d = d.label_opt(cx.setting_span(&h.at.at("role")), format!("`{}`", h.name));
        }
        cx.push(d.label_opt(cx.span("/site"), "in this site"));
    }
    let endpoint =
        cx.site.settings.as_ref().map(|s| s.kubernetes.as_ref().is_some_and(|k| k.control_plane_endpoint.is_some()));
    if n > 1 && endpoint == Some(false) {
        let d = Diagnostic::new(&MISSING_ENDPOINT, format!("{n} control-plane hosts need a control-plane-endpoint"))
            .label_opt(cx.span("/site/kubernetes"), "add it here");
        cx.push(d);
    }
    node_network(cx);
}

/// With `node-network`, every Kubernetes host registers its address on that
/// network, so it must have a static one there.
fn node_network(cx: &mut Ctx) {
    let Some(name) = cx.site.settings.as_ref().and_then(|s| s.kubernetes.as_ref()?.node_network.as_deref()) else {
        return control_plane_addresses(cx);
    };
    if cx.site.network(name).is_none() {
        return; // an unknown reference, reported by `refs`
    }
    for h in cx.site.hosts.iter().filter(|h| h.runs_kubernetes() && !cx.site.is_partial(&h.at)) {
        if crate::model::node_address(h, name).is_none() {
            let d = Diagnostic::new(
                &NO_NODE_ADDRESS,
                format!("`{}` runs Kubernetes but has no static address on `{name}`", h.name),
            )
            .label_opt(cx.span(&h.at.at("name")), "this host")
            .label_opt(cx.span("/site/kubernetes/node-network"), "the node network");
            cx.push(d);
        }
    }
}

fn version(cx: &mut Ctx) {
    let Some(k) = cx.site.settings.as_ref().and_then(|s| s.kubernetes.as_ref()) else {
        return;
    };
    let version = &k.version;
    let (lo, hi) = KUBERNETES_MINORS;
    if kubernetes_minor(version).is_none_or(|m| m < lo || m > hi) {
        let d = Diagnostic::new(&UNSUPPORTED_VERSION, format!("Kubernetes {version} is not supported"))
            .label_opt(cx.span("/site/kubernetes/version"), format!("supported: 1.{lo} to 1.{hi}"))
            .help(format!(
                "pick a release from 1.{lo}.0 to 1.{hi}.x; docs/language.md says why the window is what it is"
            ));
        cx.push(d);
    }
}

/// Without `node-network`, a control-plane host advertises its own static
/// address: the endpoint defaults to the first one's, and kube-vip holds an
/// HA endpoint on each one's interface. Only a single control-plane host
/// behind a given endpoint may leave the choice to kubeadm.
fn control_plane_addresses(cx: &mut Ctx) {
    let site = cx.site;
    let cps: Vec<_> = site.hosts.iter().filter(|h| h.role == Role::ControlPlane).collect();
    let endpoint = site
        .settings
        .as_ref()
        .is_some_and(|s| s.kubernetes.as_ref().is_some_and(|k| k.control_plane_endpoint.is_some()));
    // A host short of an address because a setting of it was misspelt or
    // left out says so already.
    if (cps.len() == 1 && endpoint) || cx.incomplete {
        return;
    }
    for h in cps.into_iter().filter(|h| !site.is_partial(&h.at)) {
        let fixed = h.interface.iter().any(|i| i.address.is_some()) || h.bond.iter().any(|b| b.address.is_some());
        if !fixed {
            let d = Diagnostic::new(
                &NO_NODE_ADDRESS,
                format!("control-plane host `{}` has no static address to advertise", h.name),
            )
            .label_opt(cx.span(&h.at.at("name")), "this host")
            .help("give it an interface or bond with a static `address`: the API server is advertised there");
            cx.push(d);
        }
    }
}

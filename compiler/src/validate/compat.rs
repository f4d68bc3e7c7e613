//! Versions that must fit together: the site's Kubernetes release against
//! the `kubeVersion` of every pinned chart it installs, and a Ceph image the
//! site chooses against the releases the pinned Rook supports
//! (`packs::compat`, docs/packs.md).

use serde_json::{Value, json};

use super::Ctx;
use crate::diag::{Diagnostic, codes};
use crate::model::Pack;
use crate::packs::catalog::{self, ROOK_CEPH_CLUSTER};
use crate::packs::compat::{ROOK_CEPH_RELEASES, ceph_major, rook_supports_ceph, satisfies};

codes! {
    KUBE_VERSION = "bosun::compat::kube-version", Error,
        "the site's Kubernetes version is outside the `kubeVersion` range of a pinned chart it installs",
        "pick a Kubernetes release the chart's range admits (docs/packs.md lists each range), or drop the pack";
    CEPH_VERSION = "bosun::compat::ceph-version", Error,
        "the Ceph image chosen for the CephCluster is a release the pinned Rook does not support",
        "choose a Ceph release Rook supports (docs/packs.md), or leave `cephClusterSpec.cephVersion.image` to bosun";
}

const IMAGE_PATH: &str = "cephClusterSpec.cephVersion.image";

pub fn check(cx: &mut Ctx) {
    let site = cx.site;
    // A site with no Kubernetes installs no chart: nothing to hold against a range.
    if let Some(kubernetes) = site.settings.as_ref().and_then(|s| s.kubernetes.as_ref()) {
        let cni = catalog::cni(kubernetes.cni);
        let declared =
            site.packs.iter().filter(|p| p.source.is_none() && p.name != cni).map(|p| (p.name.as_str(), Some(p)));
        // The CNI is installed whether the site declares its pack or not.
        let cni_pack = site.packs.iter().find(|p| p.name == cni && p.source.is_none());
        for (name, pack) in std::iter::once((cni, cni_pack)).chain(declared) {
            kube_version(cx, &kubernetes.version, name, pack);
        }
    }
    if let Some(p) = site.packs.iter().find(|p| p.name == ROOK_CEPH_CLUSTER && p.source.is_none()) {
        ceph_version(cx, p);
    }
}

fn kube_version(cx: &mut Ctx, version: &str, name: &str, pack: Option<&Pack>) {
    let Some(b) = catalog::builtin(name) else { return };
    let Some(range) = b.kube_version else { return };
    // An unreadable site version is `bosun::kubernetes::unsupported-version`.
    if satisfies(range, version) != Some(false) {
        return;
    }
    let chart = format!("{} {}", b.chart.name(), b.chart.version());
    let mut d = Diagnostic::new(
        &KUBE_VERSION,
        format!("chart {chart} (pack `{name}`) does not install on Kubernetes {version}"),
    )
    .label_opt(cx.span("/site/kubernetes/version"), format!("the chart's kubeVersion is \"{range}\""))
    .help(format!("pick a Kubernetes release that satisfies \"{range}\", or drop the pack"));
    if let Some(p) = pack {
        d = d.label_opt(cx.span(&p.at.at("name")), "installed here");
    }
    cx.push(d);
}

/// Only an image the site sets is checked: bosun's own is supported
/// (`packs::compat` tests it). `allowUnsupported: true` is Rook's own way
/// to run a newer release, so it is respected.
fn ceph_version(cx: &mut Ctx, pack: &Pack) {
    let values = pack.parameters();
    let spec = &values["cephClusterSpec"]["cephVersion"];
    let Some(image) = spec["image"].as_str() else { return };
    if spec["allowUnsupported"] == json!(true) {
        return;
    }
    let Some(major) = ceph_major(image).filter(|m| !rook_supports_ceph(*m)) else { return };
    let supported: Vec<String> = ROOK_CEPH_RELEASES.iter().map(|(m, n)| format!("v{m} ({n})")).collect();
    let rook = catalog::builtin(ROOK_CEPH_CLUSTER).map_or("", |b| b.chart.version());
    let d = Diagnostic::new(&CEPH_VERSION, format!("Rook {rook} does not run Ceph v{major} (`{image}`)"))
        .label_opt(image_span(cx, pack), format!("Rook {rook} supports {}", supported.join(" and ")))
        .help(format!(
            "choose a {} image, or leave {IMAGE_PATH} to bosun",
            ROOK_CEPH_RELEASES.iter().map(|(_, n)| *n).collect::<Vec<_>>().join(" or ")
        ));
    cx.push(d);
}

/// Where the image is set: the last `set` of its path, else the `values`
/// block's entry.
fn image_span(cx: &Ctx, pack: &Pack) -> Option<crate::source::Span> {
    let set = pack.set.iter().rposition(|s| s.path == IMAGE_PATH && s.value.is_some());
    match set {
        Some(i) => cx.setting_span(&pack.at.at(&format!("set/{i}"))),
        None => {
            let in_block = pack
                .values
                .as_ref()
                .is_some_and(|v| !v.pointer("/cephClusterSpec/cephVersion/image").is_none_or(Value::is_null));
            let ptr = if in_block { "values/cephClusterSpec/cephVersion/image" } else { "name" };
            cx.span(&pack.at.at(ptr)).or_else(|| cx.span(&pack.at.at("name")))
        }
    }
}

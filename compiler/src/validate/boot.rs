//! Network boot: what a host installed over PXE needs from its network for
//! bosun to write a working boot entry (docs/provisioning.md).

use std::collections::{BTreeMap, BTreeSet};

use super::Ctx;
use super::errors::*;
use crate::diag::Diagnostic;
use crate::model::{Arch, Host, Image, Network};

pub fn check(cx: &mut Ctx) {
    // Hosts per network without an http-server, reported once per network.
    let mut no_http: BTreeMap<&str, (&Network, Vec<&Host>)> = BTreeMap::new();
    // An image fetched over https on a network without iPXE: once per pair.
    let mut https: BTreeSet<(&str, &str)> = BTreeSet::new();
    for host in &cx.site.hosts {
        let Some((image, net)) = booting(cx, host) else { continue };
        let Some(pxe) = &net.pxe else { continue };
        if pxe.http_server.is_none() {
            no_http.entry(net.name.as_str()).or_insert_with(|| (net, Vec::new())).1.push(host);
        }
        if image.arch == Arch::Arm64 && !pxe.uefi {
            let d = Diagnostic::new(
                &ARM64_NEEDS_UEFI,
                format!(
                    "`{}` installs arm64 image `{}` from network `{}`, which does not boot UEFI clients",
                    host.name, image.name, net.name
                ),
            )
            .label_opt(cx.span(&net.at.at("pxe")), "no uefi=#true here")
            .label_opt(cx.span(&image.at.at("arch")), "arm64 image")
            .label_opt(cx.span(&host.at.at("image")), "installed over the network");
            cx.push(d);
        }
        if !pxe.ipxe && https.insert((net.name.as_str(), image.name.as_str())) {
            https_without_ipxe(cx, host, image, net);
        }
    }
    for (net, hosts) in no_http.into_values() {
        let Some(first) = hosts.first() else { continue };
        let names: Vec<String> = hosts.iter().take(3).map(|h| format!("`{}`", h.name)).collect();
        let who = match hosts.len() {
            1 => format!("{} installs", names.join("")),
            n if n > 3 => format!("{} and {} more install", names.join(", "), n - 3),
            _ => format!("{} install", names.join(", ")),
        };
        let d = Diagnostic::new(
            &PXE_NEEDS_HTTP_SERVER,
            format!("network `{}` has no http-server, but {who} from it", net.name),
        )
        .label_opt(cx.span(&net.at.at("pxe")), "add http-server=\"http://…\" here")
        .label_opt(cx.span(&first.at.at("image")), format!("`{}` is installed over the network", first.name))
        .help(format!(
            "boot entries point the installer at HTTP-SERVER/cloud-init/HOST/ (the compiled provisioning/ \
             folder served over HTTP): add http-server=\"http://ADDRESS:PORT\" to the `pxe` of `{}`",
            net.name
        ));
        cx.push(d);
    }
}

/// The image and PXE network of a host that is installed over the network;
/// `None` for a host without an image, or whose setup other rules report.
fn booting<'a>(cx: &Ctx<'a>, host: &'a Host) -> Option<(&'a Image, &'a Network)> {
    let site = cx.site;
    let image = site.images.iter().find(|i| Some(i.name.as_str()) == host.image.as_deref())?;
    if site.is_partial(&host.at) {
        return None;
    }
    let (_, iface) = site.pxe_interface(host)?;
    let net = site.network(iface.network.as_deref()?)?;
    Some((image, net))
}

/// GRUB and PXELINUX fetch over http and tftp only.
fn https_without_ipxe(cx: &mut Ctx, host: &Host, image: &Image, net: &Network) {
    for (what, url) in [("kernel", &image.kernel), ("initrd", &image.initrd)] {
        if url.starts_with("https://") {
            let d = Diagnostic::new(
                &HTTPS_WITHOUT_IPXE,
                format!(
                    "`{}` boots from network `{}` through GRUB or PXELINUX, which cannot fetch the {what} of image `{}` over https",
                    host.name, net.name, image.name
                ),
            )
            .label_opt(cx.span(&image.at.at(what)), "an https:// URL")
            .label_opt(cx.span(&net.at.at("pxe")), "no ipxe=#true here");
            cx.push(d);
        }
    }
}

/// Marks of a URL another tool expands (`$HTTP_PORT` in a shell, `{{ URL … }}`
/// in a Go template): bosun copies URLs into boot files verbatim, so such a
/// URL would reach the firmware unexpanded.
fn unexpanded(url: &str) -> Option<&'static str> {
    if url.contains("{{") {
        Some("a `{{ … }}` template")
    } else if url.contains('$') {
        Some("a `$` variable")
    } else {
        None
    }
}

/// Every http-server, kernel and initrd URL, whether or not a host boots from it yet.
pub fn unresolved_urls(cx: &mut Ctx) {
    let mut found: Vec<(String, String, &'static str)> = Vec::new();
    for net in &cx.site.networks {
        if let Some(url) = net.pxe.as_ref().and_then(|p| p.http_server.as_deref())
            && let Some(what) = unexpanded(url)
        {
            found.push((
                format!("the http-server of network `{}`", net.name),
                format!("{}/pxe/http-server", net.at.0),
                what,
            ));
        }
    }
    for image in &cx.site.images {
        for (field, url) in [("kernel", &image.kernel), ("initrd", &image.initrd)] {
            if let Some(what) = unexpanded(url) {
                found.push((format!("the {field} of image `{}`", image.name), image.at.at(field), what));
            }
        }
    }
    for (whose, ptr, what) in found {
        let d = Diagnostic::new(&UNRESOLVED_URL, format!("{whose} holds {what}, which nothing expands at boot"))
            .label_opt(cx.span(&ptr), "copied into the boot files as written")
            .help(
                "write the address the machines will fetch (DGXie's `$HTTP_PORT` is HTTP_PORT in its pxe/env); \
                 a `{{ URL \"…\" }}` in a cmdline becomes the plain URL",
            );
        cx.push(d);
    }
}

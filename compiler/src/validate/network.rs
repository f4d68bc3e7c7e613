//! Networks: CIDRs, gateways, DHCP ranges, and no overlap between any two of
//! the networks, the pod subnet and the service subnet.

use std::net::Ipv4Addr;

use super::Ctx;
use super::errors::*;
use crate::diag::Diagnostic;
use crate::model::{Cidr, Network};
use crate::structure::errors::ADDRESS_INVALID;

pub fn check(cx: &mut Ctx) {
    let mut ranges: Vec<(u32, u32, String, String)> = Vec::new();
    for net in &cx.site.networks {
        cidr_host_bits(cx, &net.cidr, &net.at.at("cidr"));
        gateway(cx, net);
        dhcp_range(cx, net);
        let (lo, hi) = net.cidr.bounds();
        ranges.push((lo, hi, format!("network `{}` ({})", net.name, net.cidr), net.at.at("cidr")));
    }
    if let Some(k) = cx.site.settings.as_ref().and_then(|s| s.kubernetes.as_ref()) {
        for (cidr, what, ptr) in
            [(&k.pod_subnet, "pod subnet", "pod-subnet"), (&k.service_subnet, "service subnet", "service-subnet")]
        {
            let ptr = format!("/site/kubernetes/{ptr}");
            cidr_host_bits(cx, cidr, &ptr);
            let (lo, hi) = cidr.bounds();
            ranges.push((lo, hi, format!("the {what} ({cidr})"), ptr));
        }
    }
    overlaps(cx, ranges);
}

fn cidr_host_bits(cx: &mut Ctx, cidr: &Cidr, ptr: &str) {
    if cidr.addr != cidr.network() {
        let d = Diagnostic::new(&CIDR_HOST_BITS, format!("{cidr} has host bits set"))
            .label_opt(cx.span(ptr), "not a network address")
            .help(format!("did you mean {}/{}?", cidr.network(), cidr.prefix));
        cx.push(d);
    }
}

fn gateway(cx: &mut Ctx, net: &Network) {
    let Some(gw) = net.gateway else { return };
    let ptr = net.at.at("gateway");
    if !net.cidr.contains(gw) || gw == net.cidr.network() || gw == net.cidr.broadcast() {
        let d = Diagnostic::new(&GATEWAY_OUTSIDE, format!("gateway {gw} is not a host address of {}", net.cidr))
            .label_opt(cx.span(&ptr), "gateway here")
            .label_opt(cx.span(&net.at.at("cidr")), "network declared here");
        cx.push(d);
    }
}

fn dhcp_range(cx: &mut Ctx, net: &Network) {
    let Some(dhcp) = &net.dhcp else { return };
    let ptr = net.at.at("dhcp/range");
    let Some((first, last)) = dhcp.range.bounds else {
        let d = Diagnostic::new(&ADDRESS_INVALID, format!("\"{}\" is not two IPv4 addresses", dhcp.range.text))
            .label_opt(cx.span(&ptr), "here")
            .help("write FIRST-LAST, such as \"192.168.100.100-192.168.100.199\"");
        cx.push(d);
        return;
    };
    if !net.cidr.contains(first) || !net.cidr.contains(last) || first > last {
        let why = if first > last { "starts after it ends" } else { "is not inside the network" };
        let d = Diagnostic::new(&DHCP_RANGE_OUTSIDE, format!("DHCP range {first}-{last} {why}"))
            .label_opt(cx.span(&ptr), "this range")
            .label_opt(cx.span(&net.at.at("cidr")), format!("network {}", net.cidr));
        cx.push(d);
        return;
    }
    let inside = |ip: Ipv4Addr| first <= ip && ip <= last;
    let taken = [
        (net.gateway, "the gateway"),
        (Some(net.cidr.network()), "the network address"),
        (Some(net.cidr.broadcast()), "the broadcast address"),
    ];
    for (ip, what) in taken {
        if let Some(ip) = ip.filter(|ip| inside(*ip)) {
            let d = Diagnostic::new(&DHCP_RANGE_GATEWAY, format!("DHCP range {first}-{last} contains {what} {ip}"))
                .label_opt(cx.span(&ptr), "this range");
            cx.push(d);
        }
    }
}

/// Sort by start; an interval that starts before the furthest end seen so far
/// overlaps the interval that reached it.
fn overlaps(cx: &mut Ctx, mut ranges: Vec<(u32, u32, String, String)>) {
    ranges.sort();
    let mut reach: Option<usize> = None;
    for i in 0..ranges.len() {
        if let Some(r) = reach
            && ranges[i].0 <= ranges[r].1
        {
            let (a, b) = (&ranges[i], &ranges[r]);
            let d = Diagnostic::new(&OVERLAP, format!("{} overlaps {}", a.2, b.2))
                .label_opt(cx.span(&a.3), "this range")
                .label_opt(cx.span(&b.3), "overlaps this one");
            cx.push(d);
        }
        if reach.is_none_or(|r| ranges[i].1 > ranges[r].1) {
            reach = Some(i);
        }
    }
}

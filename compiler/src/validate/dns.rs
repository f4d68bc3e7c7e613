//! What dnsmasq and the hosts' resolvers refuse: domains with over-long
//! labels, a search list over its DHCP option, an http-server URL over
//! dnsmasq's line, and addresses no server can have (0.0.0.0, broadcast,
//! loopback, multicast, inside the pod or service subnet); and every name
//! the site uses inside its own domains resolves through the compiled dnsmasq.

use std::net::Ipv4Addr;

use super::Ctx;
use super::errors::*;
use super::kubernetes::dns_name_problem;
use crate::diag::Diagnostic;
use crate::model::Cidr;

/// Special-purpose blocks (RFC 6890) no site network or server lives in.
const SPECIAL: [(&str, [u8; 4], u8); 5] = [
    ("\"this\" network", [0, 0, 0, 0], 8),
    ("loopback", [127, 0, 0, 0], 8),
    ("link-local", [169, 254, 0, 0], 16),
    ("multicast", [224, 0, 0, 0], 4),
    ("reserved", [240, 0, 0, 0], 4),
];

/// dnsmasq reads configuration lines of at most this many characters.
const DNSMASQ_LINE: usize = 1024;

pub fn check(cx: &mut Ctx) {
    let Some(s) = &cx.site.settings else { return };
    let mut domains = vec![(s.domain.as_str(), "/site/domain".to_string())];
    domains.extend(s.nodes_domain.as_deref().map(|d| (d, "/site/nodes-domain".to_string())));
    domains.extend(
        s.kubernetes.as_ref().map(|k| (k.cluster_domain.as_str(), "/site/kubernetes/cluster-domain".to_string())),
    );
    domains.extend(s.dns.search.iter().enumerate().map(|(i, d)| (d.as_str(), format!("/site/dns/search/{i}"))));
    for (name, ptr) in &domains {
        if let Some(why) = dns_name_problem(name) {
            let d = Diagnostic::new(&DNS_NAME, format!("domain `{}` {why}", short(name)))
                .label_opt(cx.span(ptr), "not a DNS name");
            cx.push(d);
        }
    }
    search_list(cx);
    records(cx);
    unresolved(cx);
    endpoint_address(cx);
    for net in &cx.site.networks {
        cidr_special(cx, &net.cidr, &net.at.at("cidr"));
        http_server(cx, net);
    }
    let k = s.kubernetes.as_ref();
    if let Some(k) = k {
        cidr_special(cx, &k.pod_subnet, "/site/kubernetes/pod-subnet");
        cidr_special(cx, &k.service_subnet, "/site/kubernetes/service-subnet");
    }
    let subnets: Vec<_> =
        k.into_iter().flat_map(|k| [(&k.pod_subnet, "pod subnet"), (&k.service_subnet, "service subnet")]).collect();
    let mut servers: Vec<(Ipv4Addr, String, &str)> =
        s.dns.server.iter().enumerate().map(|(i, a)| (*a, format!("/site/dns/server/{i}"), "DNS server")).collect();
    servers.extend(cx.site.networks.iter().filter_map(|n| Some((n.dns_server?, n.at.at("dns-server"), "DNS server"))));
    servers.extend(cx.site.hosts.iter().filter_map(|h| Some((h.bmc.as_ref()?.address, h.at.at("bmc/address"), "BMC"))));
    for (addr, ptr, what) in servers {
        if let Some(why) = special_address(addr, &subnets) {
            let d = Diagnostic::new(&SPECIAL_ADDRESS, format!("{what} address {addr} is {why}"))
                .label_opt(cx.span(&ptr), format!("no {what} has this address"));
            cx.push(d);
        }
    }
}

fn short(name: &str) -> String {
    if name.chars().count() > 40 {
        format!("{}…", name.chars().take(40).collect::<String>())
    } else {
        name.to_string()
    }
}

fn block(base: [u8; 4], prefix: u8) -> Cidr {
    Cidr { addr: Ipv4Addr::from(base), prefix }
}

fn special_address(addr: Ipv4Addr, subnets: &[(&Cidr, &str)]) -> Option<String> {
    if addr == Ipv4Addr::BROADCAST {
        return Some("the broadcast address".to_string());
    }
    if let Some((what, ..)) = SPECIAL.iter().find(|(_, base, p)| block(*base, *p).contains(addr)) {
        return Some(format!("a {what} address"));
    }
    subnets.iter().find(|(c, _)| c.contains(addr)).map(|(c, what)| format!("inside the {what} {c}"))
}

fn cidr_special(cx: &mut Ctx, cidr: &Cidr, ptr: &str) {
    let (lo, hi) = cidr.bounds();
    let hit = SPECIAL.iter().find(|(_, base, p)| {
        let (a, b) = block(*base, *p).bounds();
        lo <= b && a <= hi
    });
    if let Some((what, base, p)) = hit {
        let d = Diagnostic::new(&SPECIAL_RANGE, format!("{cidr} overlaps the {what} range {}", block(*base, *p)))
            .label_opt(cx.span(ptr), "not usable address space");
        cx.push(d);
    }
}

/// The hosts domain, the domain and the search domains go into one DHCP
/// option 119, names compressed as RFC 1035 says; dnsmasq refuses it over
/// 255 bytes.
fn search_list(cx: &mut Ctx) {
    let Some(s) = &cx.site.settings else { return };
    let hosts = s.nodes_domain.as_ref().map_or_else(|| s.domain.clone(), |n| format!("{n}.{}", s.domain));
    let mut names: Vec<&str> = vec![&hosts, &s.domain];
    names.extend(s.dns.search.iter().map(String::as_str));
    let mut seen: Vec<&str> = Vec::new();
    let mut suffixes: Vec<Vec<&str>> = Vec::new();
    let mut bytes = 0;
    for name in names {
        // A name over 253 characters is reported as such (fqdn-too-long,
        // dns-name-too-long), not again as a long list.
        if name.len() > 253 {
            return;
        }
        if seen.contains(&name) {
            continue;
        }
        seen.push(name);
        let labels: Vec<&str> = name.split('.').collect();
        let shared = (0..labels.len()).find(|i| suffixes.contains(&labels[*i..].to_vec())).unwrap_or(labels.len());
        bytes += labels[..shared].iter().map(|l| l.len() + 1).sum::<usize>();
        bytes += if shared < labels.len() { 2 } else { 1 };
        suffixes.extend((0..labels.len()).map(|i| labels[i..].to_vec()));
    }
    if bytes > 255 {
        let mut d = Diagnostic::new(&SEARCH_TOO_LONG, format!("the DHCP search list takes {bytes} bytes, over 255"));
        d = d.label_opt(cx.span("/site/domain"), "in the list");
        for i in 0..s.dns.search.len() {
            d = d.label_opt(cx.span(&format!("/site/dns/search/{i}")), "in the list");
        }
        cx.push(d);
    }
}

/// The longest dnsmasq line with the URL: the UEFI HTTP boot entry of an
/// arm64-capable network, with the URL percent-encoded as render/dnsmasq.rs does.
fn http_server(cx: &mut Ctx, net: &crate::model::Network) {
    let Some(url) = net.pxe.as_ref().and_then(|p| p.http_server.as_deref()) else { return };
    let encoded: usize = url
        .bytes()
        .map(|b| if b.is_ascii_graphic() && !matches!(b, b',' | b'#' | b'"' | b'\\' | b'\'') { 1 } else { 3 })
        .sum();
    let line = format!("dhcp-boot=tag:{},tag:efi-http,tag:!efi-http-arm64,/tftp/ipxe-arm64.efi", net.name).len();
    if line + encoded > DNSMASQ_LINE {
        let d = Diagnostic::new(
            &HTTP_SERVER_TOO_LONG,
            format!(
                "http-server of `{}` makes a dnsmasq line of {} characters, over {DNSMASQ_LINE}",
                net.name,
                line + encoded
            ),
        )
        .label_opt(cx.span(&net.at.at("pxe/http-server")), "this URL");
        cx.push(d);
    }
}

/// The compiled dnsmasq answers the site's domains alone and never forwards
/// them: a name there that no host or `record` answers fails at boot (an
/// HA endpoint that does not resolve never forms a cluster).
fn unresolved(cx: &mut Ctx) {
    let site = cx.site;
    // A host or setting left out for an error already reported would make
    // its names look unresolved.
    if cx.incomplete || !site.skipped.is_empty() {
        return;
    }
    let mut missing: Vec<(String, Vec<crate::model::UsedName>)> = Vec::new();
    for u in site.used_names() {
        // A name that is no DNS name is reported as such, not again here.
        let malformed = dns_name_problem(&u.name).is_some();
        if malformed || !site.in_site_domains(&u.name) || site.resolve(&u.name).is_some() {
            continue;
        }
        match missing.iter_mut().find(|(n, _)| *n == u.name) {
            Some((_, uses)) => uses.push(u),
            None => missing.push((u.name.clone(), vec![u])),
        }
    }
    let domain = site.settings.as_ref().map(|s| s.domain.clone()).unwrap_or_default();
    for (name, uses) in missing {
        let mut d = Diagnostic::new(
            &UNRESOLVED_NAME,
            format!("`{}` does not resolve: no host or `record` of the site answers it", short(&name)),
        );
        for u in &uses {
            d = d.label_opt(cx.span(&u.ptr), format!("{} looked up here", u.what));
        }
        cx.push(d.help(format!(
            "names in `{domain}` are answered by the compiled dnsmasq alone, never forwarded: add `record \"{}\" address=\"IP\"` to the site's `dns` block",
            short(&name)
        )));
    }
}

/// A `record` that another answer already covers: the one dnsmasq picks
/// would be a matter of line order.
fn records(cx: &mut Ctx) {
    let site = cx.site;
    let Some(s) = &site.settings else { return };
    let hosts_domain = site.hosts_domain().unwrap_or_default();
    let k = s.kubernetes.as_ref();
    let endpoint = k
        .and_then(|k| k.control_plane_endpoint.as_ref())
        .filter(|_| k.is_some_and(|k| k.control_plane_address.is_some()));
    for (i, r) in s.dns.record.iter().enumerate() {
        let host =
            r.name.strip_suffix(&format!(".{hosts_domain}")).and_then(|l| site.hosts.iter().find(|h| h.name == l));
        let why = if s.dns.record[..i].iter().any(|o| o.name == r.name) {
            "another `record` has it".to_string()
        } else if let Some(h) = host {
            format!("it is host `{}`'s name", h.name)
        } else if endpoint.is_some_and(|e| e.host == r.name) {
            "it is the control-plane endpoint, whose address is `control-plane-address`".to_string()
        } else {
            continue;
        };
        let d = Diagnostic::new(&DUPLICATE_RECORD, format!("record `{}` is answered twice: {why}", short(&r.name)))
            .label_opt(cx.span(&format!("/site/dns/record/{i}/name")), "a second answer");
        cx.push(d);
    }
}

/// kube-vip holds an address, not a name: with several control-plane
/// hosts behind a named endpoint, the site says which.
fn endpoint_address(cx: &mut Ctx) {
    let site = cx.site;
    let Some(k) = site.settings.as_ref().and_then(|s| s.kubernetes.as_ref()) else { return };
    let Some(e) = &k.control_plane_endpoint else { return };
    let cps = site.hosts.iter().filter(|h| h.role == crate::model::Role::ControlPlane).count();
    if cps > 1 && k.control_plane_address.is_none() && e.host.parse::<Ipv4Addr>().is_err() {
        let d = Diagnostic::new(
            &ENDPOINT_ADDRESS,
            format!("{cps} control-plane hosts share endpoint `{}`, whose address is not given", short(&e.host)),
        )
        .label_opt(cx.span("/site/kubernetes/control-plane-endpoint"), "kube-vip needs this name's address");
        cx.push(d);
    }
}

//! Names on the site's networks that are not hosts: `dns { record NAME
//! address=IP }`, the control-plane endpoint's address, and the one answer
//! to "which names does the site itself use, and what do they resolve to".
//! The rules (every name in the site's domains resolves), the dnsmasq
//! renderer and the tests that query the running dnsmasq all read this, so
//! they cannot disagree about what a name means.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

use super::{Host, Site};

/// `record "registry.lab.example" address="10.0.0.5"` in the `dns` block.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct DnsRecord {
    pub name: String,
    pub address: Ipv4Addr,
}

/// A name some setting of the site makes a host or the cluster look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsedName {
    pub name: String,
    /// The JSON pointer of the setting that holds it.
    pub ptr: String,
    /// What the setting is, for messages (`registry`, `NFS server`).
    pub what: &'static str,
}

/// The host part of `HOST[:PORT]` or of a URL, `None` when it is an address.
fn name_of(text: &str) -> Option<String> {
    let rest = text.split_once("://").map_or(text, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = authority.rsplit_once(':').map_or(authority, |(h, _)| h).trim_end_matches('.');
    (!host.is_empty() && host.parse::<Ipv4Addr>().is_err() && !host.starts_with('[')).then(|| host.to_ascii_lowercase())
}

impl Site {
    /// The domain hosts live in: `NODES-DOMAIN.DOMAIN`, or the domain.
    pub fn hosts_domain(&self) -> Option<String> {
        let s = self.settings.as_ref()?;
        Some(s.nodes_domain.as_ref().map_or_else(|| s.domain.clone(), |n| format!("{n}.{}", s.domain)))
    }

    /// Whether the compiled dnsmasq answers `name` itself (the site's domain
    /// and below) rather than forwarding it upstream.
    pub fn in_site_domains(&self, name: &str) -> bool {
        let Some(s) = &self.settings else { return false };
        name == s.domain || name.ends_with(&format!(".{}", s.domain))
    }

    /// Every name a setting of the site looks up, in the order written:
    /// the API endpoint, registries and what they mirror, NFS servers, the
    /// boot HTTP servers and image URLs, the git repository, NTP servers
    /// and proxies. Addresses are left out: nothing resolves them.
    pub fn used_names(&self) -> Vec<UsedName> {
        let mut out = Vec::new();
        let mut add = |text: &str, ptr: String, what: &'static str| {
            if let Some(name) = name_of(text) {
                out.push(UsedName { name, ptr, what });
            }
        };
        if let Some(s) = &self.settings {
            if let Some(e) = s.kubernetes.as_ref().and_then(|k| k.control_plane_endpoint.as_ref()) {
                add(&e.host, "/site/kubernetes/control-plane-endpoint".into(), "control-plane endpoint");
            }
            for (i, r) in s.registry.iter().enumerate() {
                add(&r.address, format!("/site/registry/{i}/address"), "registry");
            }
            for (i, n) in s.ntp.iter().enumerate() {
                add(n, format!("/site/ntp/{i}"), "NTP server");
            }
            if let Some(p) = &s.proxy {
                for (key, url) in [("http", &p.http), ("https", &p.https)] {
                    if let Some(url) = url {
                        add(url, format!("/site/proxy/{key}"), "proxy");
                    }
                }
            }
            if let Some(g) = &s.gitops {
                add(&g.repo, "/site/gitops/repo".into(), "git repository");
            }
        }
        for n in &self.networks {
            if let Some(url) = n.pxe.as_ref().and_then(|p| p.http_server.as_deref()) {
                add(url, n.at.at("pxe/http-server"), "boot HTTP server");
            }
        }
        for img in &self.images {
            add(&img.kernel, img.at.at("kernel"), "image URL");
            add(&img.initrd, img.at.at("initrd"), "image URL");
        }
        for nfs in &self.storage.nfs {
            add(&nfs.server, nfs.at.at("server"), "NFS server");
        }
        out
    }

    /// The address the compiled dnsmasq answers for `name`: a `record`, the
    /// endpoint's `control-plane-address`, or a host (`HOST.` and
    /// `HOST-IFACE.` the hosts domain). `None` for a name it would forward
    /// or does not know.
    pub fn resolve(&self, name: &str) -> Option<Ipv4Addr> {
        let s = self.settings.as_ref()?;
        if let Some(r) = s.dns.record.iter().find(|r| r.name == name) {
            return Some(r.address);
        }
        let k = s.kubernetes.as_ref();
        let endpoint = k.and_then(|k| k.control_plane_endpoint.as_ref()).map(|e| e.host.as_str());
        if let (Some(ip), Some(host)) = (k.and_then(|k| k.control_plane_address), endpoint)
            && host == name
        {
            return Some(ip);
        }
        let label = name.strip_suffix(&format!(".{}", self.hosts_domain()?))?;
        self.hosts.iter().find_map(|h| {
            let pxe = self.pxe_interface(h).and_then(|(_, i)| i.address);
            host_label_address(h, pxe, label)
        })
    }
}

/// The address dnsmasq gives `LABEL.HOSTS-DOMAIN` when the label is this
/// host's (its PXE interface's address, else its first static one, as the
/// plan picks) or `HOST-IFACE` of one of its addressed interfaces or bonds.
fn host_label_address(h: &Host, pxe: Option<Ipv4Addr>, label: &str) -> Option<Ipv4Addr> {
    let addressed = h
        .interface
        .iter()
        .filter_map(|i| Some((i.name.as_str(), i.address?)))
        .chain(h.bond.iter().filter_map(|b| Some((b.name.as_str(), b.address?))));
    let mut first = None;
    for (iface, ip) in addressed {
        first.get_or_insert(ip);
        if iface_label(&h.name, iface) == label {
            return Some(ip);
        }
    }
    (h.name == label).then_some(pxe.or(first)).flatten()
}

/// `HOST-IFACE` with the interface name made a DNS label, as dnsmasq.conf
/// names a host's non-primary addresses.
pub fn iface_label(host: &str, iface: &str) -> String {
    let iface: String =
        iface.to_ascii_lowercase().chars().map(|ch| if ch.is_ascii_alphanumeric() { ch } else { '-' }).collect();
    format!("{host}-{}", iface.trim_end_matches('-'))
}

#[cfg(test)]
mod tests {
    use super::name_of;

    #[test]
    fn names_of_urls_and_host_ports() {
        assert_eq!(name_of("https://git.lab.example/infra/x.git").as_deref(), Some("git.lab.example"));
        assert_eq!(name_of("http://user@proxy.example.com:911").as_deref(), Some("proxy.example.com"));
        assert_eq!(name_of("registry.local:5000").as_deref(), Some("registry.local"));
        assert_eq!(name_of("Registry.Local").as_deref(), Some("registry.local"));
        assert_eq!(name_of("http://10.0.0.5:8080/x"), None);
        assert_eq!(name_of("172.20.0.50"), None);
    }
}

//! network-config version 2 (the Netplan subset cloud-init reads), without
//! the `network:` wrapper.
//!
//! - Interfaces with a MAC are matched by it and renamed to their site name
//!   (`set-name`), so the names hold whatever the kernel calls the port;
//!   interfaces without one are configured by name.
//! - A network's `vlan` is the switch port's access VLAN: the host sees
//!   untagged frames, so no VLAN device is configured (hosts PXE-boot from
//!   such networks, and firmware cannot tag).
//! - The default route goes via the gateway of the network of the host's
//!   primary address, on that device only, as `to: 0.0.0.0/0` (Debian 12's
//!   cloud-init cannot render `to: default`). DNS servers and search
//!   domains go on the same device.

use std::net::Ipv4Addr;

use serde_json::json;

use super::Shared;
use crate::model::{Bond, Interface, Network};
use crate::plan::{HostFacts, Plan};
use crate::render::yaml;

/// What every device carries, whether an interface or a bond.
struct Addressing<'a> {
    network: Option<&'a str>,
    address: Option<Ipv4Addr>,
    dhcp: bool,
    mtu: Option<u16>,
}

impl<'a> From<&'a Interface> for Addressing<'a> {
    fn from(i: &'a Interface) -> Self {
        Addressing { network: i.network.as_deref(), address: i.address, dhcp: i.dhcp, mtu: i.mtu }
    }
}

impl<'a> From<&'a Bond> for Addressing<'a> {
    fn from(b: &'a Bond) -> Self {
        Addressing { network: b.network.as_deref(), address: b.address, dhcp: b.dhcp, mtu: b.mtu }
    }
}

/// Writes the host's network-config.
pub fn write(out: &mut String, shared: &Shared, facts: &HostFacts) -> Result<(), String> {
    let host = facts.host;
    let mut interfaces: Vec<&Interface> = host.interface.iter().collect();
    interfaces.sort_by(|a, b| a.name.cmp(&b.name));
    let mut bonds: Vec<&Bond> = host.bond.iter().collect();
    bonds.sort_by(|a, b| a.name.cmp(&b.name));

    out.push_str("version: 2\n");
    if !interfaces.is_empty() {
        out.push_str("ethernets:\n");
    }
    for i in interfaces {
        device(out, &i.name, |out| {
            if let Some(mac) = i.mac {
                out.push_str("    match:\n");
                yaml::str_entry(out, 6, "macaddress", &mac.to_string());
                yaml::str_entry(out, 4, "set-name", &i.name);
            }
            addressing(out, shared, facts, &i.into())
        })?;
    }
    if !bonds.is_empty() {
        out.push_str("bonds:\n");
    }
    for b in bonds {
        device(out, &b.name, |out| {
            yaml::str_list_entry(out, 4, "interfaces", &b.members().collect::<Vec<_>>());
            bond_parameters(out, &b.mode);
            addressing(out, shared, facts, &b.into())
        })?;
    }
    Ok(())
}

/// `name:` and the device's settings, or `name: {}` when it has none.
fn device(
    out: &mut String,
    name: &str,
    settings: impl FnOnce(&mut String) -> Result<(), String>,
) -> Result<(), String> {
    yaml::block_key(out, 2, name);
    let start = out.len();
    settings(out)?;
    if out.len() == start {
        out.pop();
        out.push_str(" {}\n");
    }
    Ok(())
}

fn bond_parameters(out: &mut String, mode: &str) {
    out.push_str("    parameters:\n");
    yaml::str_entry(out, 6, "mode", mode);
    // Milliseconds; the schema types it as a string.
    yaml::str_entry(out, 6, "mii-monitor-interval", "100");
    if mode == "802.3ad" {
        yaml::str_entry(out, 6, "lacp-rate", "fast");
        yaml::str_entry(out, 6, "transmit-hash-policy", "layer3+4");
    }
}

/// MTU, DHCP, the static address, and on the primary device the default
/// route and name servers.
fn addressing(out: &mut String, shared: &Shared, facts: &HostFacts, a: &Addressing) -> Result<(), String> {
    let network = match a.network {
        Some(name) => Some(shared.network(name).ok_or_else(|| format!("unknown network {name:?}"))?),
        None => None,
    };
    let network_mtu = network.and_then(|n| n.mtu).filter(|m| *m != 1500);
    if let Some(mtu) = a.mtu.or(network_mtu) {
        yaml::entry(out, 4, "mtu", &json!(mtu));
    }
    if a.dhcp {
        out.push_str("    dhcp4: true\n");
    }
    let Some(address) = a.address else { return Ok(()) };
    let network = network.ok_or_else(|| format!("address {address} has no network"))?;
    yaml::str_list_entry(out, 4, "addresses", &[format!("{address}/{}", network.cidr.prefix)]);
    if facts.address == Some(address) {
        if let Some(gateway) = network.gateway {
            out.push_str("    routes:\n");
            yaml::str_map_item(out, 6, &[("to", "0.0.0.0/0"), ("via", &gateway.to_string())]);
        }
        nameservers(out, shared.plan, network);
    }
    Ok(())
}

/// The network's own DNS server (the site's dnsmasq there), else the site's.
fn nameservers(out: &mut String, plan: &Plan, network: &Network) {
    let dns = &plan.settings.dns;
    let servers: Vec<String> = match network.dns_server {
        Some(s) => vec![s.to_string()],
        None => first_of_each(dns.server.iter().map(Ipv4Addr::to_string)),
    };
    let search = first_of_each(dns.search.iter().cloned());
    if servers.is_empty() && search.is_empty() {
        return;
    }
    out.push_str("    nameservers:\n");
    if !servers.is_empty() {
        yaml::str_list_entry(out, 6, "addresses", &servers);
    }
    if !search.is_empty() {
        yaml::str_list_entry(out, 6, "search", &search);
    }
}

/// The items in their order, each once.
fn first_of_each(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

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

use serde_json::{Map, Value, json};

use super::{Shared, insert_nonempty};
use crate::model::{Bond, Interface, Network};
use crate::plan::{HostFacts, Plan};

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

pub fn network_config(shared: &Shared, facts: &HostFacts) -> Result<Value, String> {
    let host = facts.host;
    let mut interfaces: Vec<&Interface> = host.interface.iter().collect();
    interfaces.sort_by(|a, b| a.name.cmp(&b.name));
    let mut bonds: Vec<&Bond> = host.bond.iter().collect();
    bonds.sort_by(|a, b| a.name.cmp(&b.name));

    let mut ethernets = Map::new();
    for i in interfaces {
        let mut dev = Map::new();
        if let Some(mac) = i.mac {
            dev.insert("match".into(), json!({"macaddress": mac.to_string()}));
            dev.insert("set-name".into(), json!(i.name));
        }
        addressing(shared, facts, &i.into(), &mut dev)?;
        ethernets.insert(i.name.clone(), Value::Object(dev));
    }
    let mut bond_map = Map::new();
    for b in bonds {
        let mut dev = Map::new();
        dev.insert("interfaces".into(), json!(b.members().collect::<Vec<_>>()));
        dev.insert("parameters".into(), bond_parameters(&b.mode));
        addressing(shared, facts, &b.into(), &mut dev)?;
        bond_map.insert(b.name.clone(), Value::Object(dev));
    }

    let mut doc = Map::new();
    doc.insert("version".into(), json!(2));
    insert_nonempty(&mut doc, "ethernets", Value::Object(ethernets));
    insert_nonempty(&mut doc, "bonds", Value::Object(bond_map));
    Ok(Value::Object(doc))
}

fn bond_parameters(mode: &str) -> Value {
    let mut p = Map::new();
    p.insert("mode".into(), json!(mode));
    // Milliseconds; the schema types it as a string.
    p.insert("mii-monitor-interval".into(), json!("100"));
    if mode == "802.3ad" {
        p.insert("lacp-rate".into(), json!("fast"));
        p.insert("transmit-hash-policy".into(), json!("layer3+4"));
    }
    Value::Object(p)
}

/// MTU, DHCP, the static address, and on the primary device the default
/// route and name servers.
fn addressing(shared: &Shared, facts: &HostFacts, a: &Addressing, dev: &mut Map<String, Value>) -> Result<(), String> {
    let network = match a.network {
        Some(name) => Some(shared.kubeadm.network(name).ok_or_else(|| format!("unknown network {name:?}"))?),
        None => None,
    };
    let network_mtu = network.and_then(|n| n.mtu).filter(|m| *m != 1500);
    if let Some(mtu) = a.mtu.or(network_mtu) {
        dev.insert("mtu".into(), json!(mtu));
    }
    if a.dhcp {
        dev.insert("dhcp4".into(), json!(true));
    }
    let Some(address) = a.address else { return Ok(()) };
    let network = network.ok_or_else(|| format!("address {address} has no network"))?;
    dev.insert("addresses".into(), json!([format!("{address}/{}", network.cidr.prefix)]));
    if facts.address == Some(address) {
        if let Some(gateway) = network.gateway {
            dev.insert("routes".into(), json!([{"to": "0.0.0.0/0", "via": gateway.to_string()}]));
        }
        insert_nonempty(dev, "nameservers", nameservers(shared.plan, network));
    }
    Ok(())
}

/// The network's own DNS server (the site's dnsmasq there), else the site's.
fn nameservers(plan: &Plan, network: &Network) -> Value {
    let dns = &plan.settings.dns;
    let servers: Vec<String> = match network.dns_server {
        Some(s) => vec![s.to_string()],
        None => first_of_each(dns.server.iter().map(Ipv4Addr::to_string)),
    };
    let search = first_of_each(dns.search.iter().cloned());
    let mut ns = Map::new();
    insert_nonempty(&mut ns, "addresses", json!(servers));
    insert_nonempty(&mut ns, "search", json!(search));
    Value::Object(ns)
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

//! Hosts: interfaces, addresses, PXE, bonds and disks, and the site-wide
//! uniqueness of MACs, addresses and BMC addresses.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::net::Ipv4Addr;

use super::Ctx;
use super::errors::*;
use crate::diag::Diagnostic;
use crate::model::{DiskUse, Host, Mac};

pub fn check(cx: &mut Ctx) {
    // First use of each MAC, address and BMC address: the host and the
    // pointer relative to it, formatted only when a diagnostic needs it.
    let mut macs: HashMap<Mac, Use> = HashMap::new();
    let mut addrs: HashMap<Ipv4Addr, Use> = HashMap::new();
    let mut bmcs: HashMap<Ipv4Addr, Use> = HashMap::new();
    let site = cx.site;
    for host in &site.hosts {
        interface_names(cx, host);
        addresses(cx, host);
        pxe(cx, host);
        bonds(cx, host);
        disks(cx, host);
        for (i, iface) in host.interface.iter().enumerate() {
            if let Some(mac) = iface.mac {
                unicast(cx, mac, &host.at.at(&format!("interface/{i}/mac")));
                let again = Use { host, item: Item::Interface(i), key: "mac" };
                first_use(cx, &mut macs, mac, again, &DUPLICATE_MAC, || format!("MAC {mac} is used twice"));
            }
            if let Some(a) = iface.address {
                let again = Use { host, item: Item::Interface(i), key: "address" };
                first_use(cx, &mut addrs, a, again, &DUPLICATE_ADDRESS, || format!("address {a} is used twice"));
            }
        }
        for (i, bond) in host.bond.iter().enumerate() {
            if let Some(a) = bond.address {
                let again = Use { host, item: Item::Bond(i), key: "address" };
                first_use(cx, &mut addrs, a, again, &DUPLICATE_ADDRESS, || format!("address {a} is used twice"));
            }
        }
        if let Some(bmc) = &host.bmc {
            let a = bmc.address;
            let again = Use { host, item: Item::Bmc, key: "address" };
            first_use(cx, &mut bmcs, a, again, &DUPLICATE_BMC_ADDRESS, || format!("BMC address {a} is used twice"));
        }
    }
    for (addr, bmc) in &bmcs {
        let Some(other) = addrs.get(addr) else { continue };
        let d =
            Diagnostic::new(&DUPLICATE_BMC_ADDRESS, format!("BMC address {addr} is also a host interface's address"))
                .label_opt(cx.span(&bmc.ptr()), "BMC here")
                .label_opt(cx.span(&other.ptr()), "interface here");
        cx.push(d);
    }
}

/// Where a value is: an interface's, a bond's or the BMC's `key`.
#[derive(Clone, Copy)]
enum Item {
    Interface(usize),
    Bond(usize),
    Bmc,
}

struct Use<'a> {
    host: &'a Host,
    item: Item,
    key: &'static str,
}

impl Use<'_> {
    fn ptr(&self) -> String {
        let key = self.key;
        match self.item {
            Item::Interface(i) => self.host.at.at(&format!("interface/{i}/{key}")),
            Item::Bond(i) => self.host.at.at(&format!("bond/{i}/{key}")),
            Item::Bmc => self.host.at.at(&format!("bmc/{key}")),
        }
    }
}

fn first_use<'a, K: std::hash::Hash + Eq>(
    cx: &mut Ctx,
    seen: &mut HashMap<K, Use<'a>>,
    key: K,
    again: Use<'a>,
    code: &'static crate::diag::Code,
    message: impl FnOnce() -> String,
) {
    match seen.entry(key) {
        Entry::Occupied(first) => {
            let (again, before) = (cx.span(&again.ptr()), cx.span(&first.get().ptr()));
            let message = message();
            let d = if again == before {
                // Both hosts inherited it from one host-defaults line.
                Diagnostic::new(code, format!("{message}: every host of this role inherits it"))
                    .label_opt(again, "one value for several hosts")
                    .help("give each host its own value instead of setting it in host-defaults")
            } else {
                Diagnostic::new(code, message).label_opt(again, "used again here").label_opt(before, "first used here")
            };
            cx.push(d);
        }
        Entry::Vacant(slot) => {
            slot.insert(again);
        }
    }
}

fn interface_names(cx: &mut Ctx, host: &Host) {
    let mut seen: HashMap<&str, Item> = HashMap::new();
    let ifaces = host.interface.iter().enumerate().map(|(i, x)| (x.name.as_str(), Item::Interface(i)));
    let bonds = host.bond.iter().enumerate().map(|(i, x)| (x.name.as_str(), Item::Bond(i)));
    for (name, item) in ifaces.chain(bonds) {
        match seen.entry(name) {
            Entry::Occupied(first) => {
                let ptr = |item: &Item| Use { host, item: *item, key: "name" }.ptr();
                let (again, first) = (cx.span(&ptr(&item)), cx.span(&ptr(first.get())));
                let d =
                    Diagnostic::new(&DUPLICATE_INTERFACE, format!("`{}` has two interfaces named `{name}`", host.name))
                        .label_opt(again, "named again here")
                        .label_opt(first, "first named here");
                cx.push(d);
            }
            Entry::Vacant(slot) => {
                slot.insert(item);
            }
        }
    }
}

fn addresses(cx: &mut Ctx, host: &Host) {
    let ifaces = host.interface.iter().enumerate().map(|(i, x)| (Item::Interface(i), &x.network, x.address, x.dhcp));
    let bonds = host.bond.iter().enumerate().map(|(i, x)| (Item::Bond(i), &x.network, x.address, x.dhcp));
    for (item, network, address, dhcp) in ifaces.chain(bonds) {
        let Some(addr) = address else { continue };
        let ptr = |key| Use { host, item, key }.ptr();
        if dhcp {
            let d =
                Diagnostic::new(&ADDRESS_AND_DHCP, format!("{addr} is static, but the interface also asks for DHCP"))
                    .label_opt(cx.setting_span(&ptr("address")), "static address")
                    .label_opt(cx.setting_span(&ptr("dhcp")), "DHCP");
            cx.push(d);
        }
        let Some(net_name) = network else {
            let d = Diagnostic::new(&ADDRESS_WITHOUT_NETWORK, format!("address {addr} has no network"))
                .label_opt(cx.span(&ptr("address")), "which network is this on?");
            cx.push(d);
            continue;
        };
        let Some(net) = cx.site.network(net_name) else {
            continue;
        };
        let cidr = net.cidr;
        if !cidr.contains(addr) {
            let d = Diagnostic::new(
                &ADDRESS_OUTSIDE_NETWORK,
                format!("{addr} is not inside network `{net_name}` ({cidr})"),
            )
            .label_opt(cx.span(&ptr("address")), "this address")
            .label_opt(cx.span(&net.at.at("cidr")), "network declared here");
            cx.push(d);
            continue;
        }
        let reserved = if addr == cidr.network() {
            Some("the network address")
        } else if addr == cidr.broadcast() {
            Some("the broadcast address")
        } else if Some(addr) == net.gateway {
            Some("the gateway")
        } else {
            None
        };
        if let Some(what) = reserved {
            let d = Diagnostic::new(&ADDRESS_RESERVED, format!("{addr} is {what} of network `{net_name}`"))
                .label_opt(cx.span(&ptr("address")), "this address");
            cx.push(d);
        }
        let range = net.dhcp.as_ref().and_then(|d| d.range.bounds);
        if let Some((first, last)) = range.filter(|(f, l)| *f <= addr && addr <= *l) {
            let d = Diagnostic::new(
                &ADDRESS_IN_DHCP_RANGE,
                format!("{addr} is inside the DHCP range {first}-{last} of `{net_name}`"),
            )
            .label_opt(cx.span(&ptr("address")), "static address")
            .label_opt(cx.span(&net.at.at("dhcp/range")), "dynamic range");
            cx.push(d);
        }
    }
}

fn pxe(cx: &mut Ctx, host: &Host) {
    let marked: Vec<usize> = (0..host.interface.len()).filter(|&i| host.interface[i].pxe == Some(true)).collect();
    if marked.len() > 1 {
        let mut d =
            Diagnostic::new(&PXE_INTERFACE, format!("`{}` marks {} interfaces pxe=#true", host.name, marked.len()));
        for i in &marked {
            d = d.label_opt(cx.setting_span(&host.at.at(&format!("interface/{i}/pxe"))), "PXE interface");
        }
        cx.push(d);
        return;
    }
    let Some((i, iface)) = cx.site.pxe_interface(host) else {
        // An interface on a network that is unknown (or was dropped for its own
        // errors) may well be the PXE one: that error is reported already.
        let unresolved =
            host.interface.iter().filter_map(|i| i.network.as_deref()).any(|n| cx.site.network(n).is_none());
        if host.image.is_some() && !cx.site.is_partial(&host.at) && !unresolved {
            let d =
                Diagnostic::new(&PXE_INTERFACE, format!("`{}` installs an image but has no PXE interface", host.name))
                    .label_opt(cx.span(&host.at.at("image")), "installed over the network")
                    .label_opt(cx.span(&host.at.at("name")), "host declared here");
            cx.push(d);
        }
        return;
    };
    // A host without an image does not boot from the network: its interface
    // on a PXE network is just an interface, unless it is marked pxe=#true.
    if host.image.is_none() && iface.pxe != Some(true) {
        return;
    }
    let ptr = || host.at.at(&format!("interface/{i}"));
    if iface.network.is_none() {
        let d =
            Diagnostic::new(&PXE_NETWORK, format!("PXE interface `{}` of `{}` has no network", iface.name, host.name))
                .label_opt(cx.span(&ptr()), "add network=\"…\" here");
        cx.push(d);
    }
    if iface.mac.is_none() {
        let d =
            Diagnostic::new(&PXE_WITHOUT_MAC, format!("PXE interface `{}` of `{}` has no MAC", iface.name, host.name))
                .label_opt(cx.span(&ptr()), "add mac=\"…\" here");
        cx.push(d);
    }
    let net = iface.network.as_deref().and_then(|n| cx.site.network(n));
    if let Some(net) = net.filter(|n| n.pxe.is_none()) {
        let d = Diagnostic::new(
            &PXE_NETWORK,
            format!("`{}` boots from network `{}`, which has no `pxe` block", host.name, net.name),
        )
        .label_opt(cx.span(&ptr()), "PXE interface")
        .label_opt(cx.span(&net.at.at("name")), "network declared here");
        cx.push(d);
    }
}

fn bonds(cx: &mut Ctx, host: &Host) {
    let mut used: HashMap<&str, usize> = HashMap::new();
    for (b, bond) in host.bond.iter().enumerate() {
        let at = || host.at.at(&format!("bond/{b}/members"));
        for member in bond.members() {
            let problem = match host.interface.iter().find(|i| i.name == member) {
                None => Some(format!("`{member}` is not an interface of `{}`", host.name)),
                Some(i) if i.address.is_some() || i.network.is_some() => {
                    Some(format!("bond member `{member}` has its own network or address"))
                }
                Some(_) => used.insert(member, b).map(|_| format!("`{member}` is in two bonds")),
            };
            if let Some(message) = problem {
                let d = Diagnostic::new(&BOND_MEMBER, message)
                    .label_opt(cx.span(&at()), format!("members of `{}`", bond.name));
                cx.push(d);
            }
        }
    }
}

/// A card's own MAC is unicast (group bit clear) and not all zeros; DHCP
/// servers never see any other as a client.
fn unicast(cx: &mut Ctx, mac: Mac, ptr: &str) {
    let why = if mac.0 == [0; 6] {
        "all zeros"
    } else if mac.0 == [0xff; 6] {
        "the broadcast address"
    } else if mac.0[0] & 1 == 1 {
        "a multicast address (its first byte is odd)"
    } else {
        return;
    };
    let d =
        Diagnostic::new(&MAC_NOT_UNICAST, format!("MAC {mac} is {why}")).label_opt(cx.span(ptr), "not a card's MAC");
    cx.push(d);
}

/// Folders a data disk mounted over would hide the system's own files.
const SYSTEM_FOLDERS: &[&str] = &[
    "/", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib64", "/proc", "/root", "/run", "/sbin", "/sys", "/usr", "/var",
];

/// `.` and `..` let a path name something else than it seems to.
fn disk_paths(cx: &mut Ctx, host: &Host, i: usize) {
    let disk = &host.disk[i];
    let dotted = |p: &str| p.split('/').any(|c| c == "." || c == "..");
    let ptr = |key: &str| host.at.at(&format!("disk/{i}/{key}"));
    if dotted(&disk.device) {
        let d = Diagnostic::new(&DISK_PATH, format!("device {} has `.` or `..` in its path", disk.device))
            .label_opt(cx.span(&ptr("device")), "a device under /dev, named directly");
        cx.push(d);
    }
    let Some(mount) = &disk.mount else { return };
    let trimmed = if mount.len() > 1 { mount.trim_end_matches('/') } else { mount.as_str() };
    let why = if dotted(mount) {
        "has `.` or `..` in its path"
    } else if SYSTEM_FOLDERS.contains(&trimmed) || trimmed.is_empty() {
        "is a system folder"
    } else {
        return;
    };
    let d = Diagnostic::new(&DISK_PATH, format!("mount point {mount} of {} {why}", disk.device))
        .label_opt(cx.span(&ptr("mount")), "mount data disks at a folder of their own");
    cx.push(d);
}

fn disks(cx: &mut Ctx, host: &Host) {
    let mut mounts: HashMap<&str, usize> = HashMap::new();
    for (i, disk) in host.disk.iter().enumerate() {
        disk_paths(cx, host, i);
        let ptr = || host.at.at(&format!("disk/{i}"));
        let formatted = matches!(disk.use_, DiskUse::LocalData | DiskUse::Scratch);
        match &disk.mount {
            None if formatted => {
                let d =
                    Diagnostic::new(&DISK_MOUNT, format!("disk {} is formatted but has no mount point", disk.device))
                        .label_opt(cx.span(&ptr()), "add mount=\"/path\"");
                cx.push(d);
            }
            Some(m) => {
                if let Some(first) = mounts.insert(m, i) {
                    let d = Diagnostic::new(&DISK_MOUNT, format!("two disks of `{}` mount at {m}", host.name))
                        .label_opt(cx.span(&format!("{}/mount", ptr())), "mounted again here")
                        .label_opt(cx.span(&host.at.at(&format!("disk/{first}/mount"))), "first mounted here");
                    cx.push(d);
                }
            }
            None => {}
        }
    }
}

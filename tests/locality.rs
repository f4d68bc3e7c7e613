//! One host's edit stays that host's: changing its MAC, its address or the
//! network an interface is on changes only lines that name that host (or
//! its old and new values) and only that host's own files. The edits are
//! made in a copy of each example at the exact source spans the compiler
//! reports, so they work whatever the file's layout.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::net::Ipv4Addr;
use std::path::Path;

use bosun::model::{Host, Site};
use bosun::source::Span;
use support::*;

type Files = BTreeMap<String, Vec<u8>>;

fn compile(site: &Path) -> (bosun::Checked, Files) {
    let (checked, tree) = bosun::compile(site).expect("site readable");
    let codes: Vec<_> = checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
    let tree = tree.unwrap_or_else(|| panic!("{} does not compile:\n{}", site.display(), codes.join("\n")));
    (checked, tree.files)
}

/// One edit: the host it concerns, text replacements at source spans, and
/// the strings a line may contain to be allowed to change.
struct Edit {
    what: &'static str,
    host: String,
    at: Vec<(Span, String)>,
    marks: Vec<String>,
}

fn span(site: &Site, ptr: &str) -> Span {
    site.index.value(ptr).unwrap_or_else(|| panic!("no span for {ptr}"))
}

/// Hosts that boot from the network, by name.
fn booting(site: &Site) -> Vec<&Host> {
    let mut hosts: Vec<&Host> = site.hosts.iter().filter(|h| h.image.is_some()).collect();
    hosts.sort_by(|a, b| a.name.cmp(&b.name));
    hosts
}

/// An address of `net` nobody uses: not taken, not reserved, outside the DHCP pool.
fn free_address(site: &Site, net: &str) -> Ipv4Addr {
    let n = site.network(net).unwrap();
    let mut taken: BTreeSet<Ipv4Addr> = site
        .hosts
        .iter()
        .flat_map(|h| {
            let ifaces = h.interface.iter().filter_map(|i| i.address);
            ifaces.chain(h.bond.iter().filter_map(|b| b.address)).chain(h.bmc.as_ref().map(|b| b.address))
        })
        .collect();
    taken.extend(n.gateway);
    taken.extend(n.dns_server);
    let pool = n.dhcp.as_ref().and_then(|d| d.range.bounds);
    let (lo, hi) = n.cidr.bounds();
    (lo + 2..hi)
        .map(Ipv4Addr::from)
        .find(|a| !taken.contains(a) && !pool.is_some_and(|(f, l)| f <= *a && *a <= l))
        .expect("a free address")
}

fn mac_edit(site: &Site) -> Edit {
    let host = booting(site).into_iter().find(|h| site.pxe_interface(h).is_some_and(|(_, i)| i.mac.is_some())).unwrap();
    let (i, iface) = site.pxe_interface(host).unwrap();
    let old = iface.mac.unwrap().to_string();
    let new = "02:b0:50:00:00:01".to_string();
    Edit {
        what: "MAC",
        host: host.name.clone(),
        at: vec![(span(site, &host.at.at(&format!("interface/{i}/mac"))), format!("\"{new}\""))],
        marks: vec![old.clone(), new.clone(), old.replace(':', "-"), new.replace(':', "-")],
    }
}

fn address_edit(site: &Site) -> Edit {
    let host =
        booting(site).into_iter().find(|h| site.pxe_interface(h).is_some_and(|(_, i)| i.address.is_some())).unwrap();
    let (i, iface) = site.pxe_interface(host).unwrap();
    let new = free_address(site, iface.network.as_deref().unwrap());
    Edit {
        what: "address",
        host: host.name.clone(),
        at: vec![(span(site, &host.at.at(&format!("interface/{i}/address"))), format!("\"{new}\""))],
        marks: vec![iface.address.unwrap().to_string(), new.to_string()],
    }
}

/// Moves a host's second-or-later addressed interface to another network.
fn network_edit(site: &Site) -> Edit {
    let mut hosts: Vec<&Host> = site.hosts.iter().collect();
    hosts.sort_by(|a, b| a.name.cmp(&b.name));
    for host in hosts {
        let pxe = site.pxe_interface(host).map(|(i, _)| i);
        for (i, iface) in host.interface.iter().enumerate() {
            let (Some(net), Some(old)) = (iface.network.as_deref(), iface.address) else { continue };
            // Kubernetes hosts must keep their address on the node network.
            let node_network = site.settings.as_ref().and_then(|s| s.kubernetes.as_ref()?.node_network.as_deref());
            if Some(i) == pxe || (host.role.runs_kubernetes() && node_network == Some(net)) {
                continue;
            }
            // Prefer a network the host is not on yet; two interfaces on one network are fine too.
            let used: Vec<&str> = host.interface.iter().filter_map(|x| x.network.as_deref()).collect();
            let others: Vec<&str> = site.networks.iter().map(|n| n.name.as_str()).filter(|n| *n != net).collect();
            let Some(other) = others.iter().find(|n| !used.contains(n)).or(others.first()).copied() else {
                continue;
            };
            let new = free_address(site, other);
            let base = host.at.at(&format!("interface/{i}"));
            return Edit {
                what: "network",
                host: host.name.clone(),
                at: vec![
                    (span(site, &format!("{base}/network")), format!("\"{other}\"")),
                    (span(site, &format!("{base}/address")), format!("\"{new}\"")),
                ],
                marks: vec![old.to_string(), new.to_string()],
            };
        }
    }
    panic!("no host has an addressed interface that could move to another network")
}

/// Applies the edit to a copy of the site folder; returns the copy's site.kdl.
fn apply(checked: &bosun::Checked, site: &Path, edit: &Edit, to: &Path) -> std::path::PathBuf {
    let root = site.parent().unwrap().canonicalize().unwrap();
    for entry in walkdir::WalkDir::new(&root).into_iter().filter_map(Result::ok) {
        let target = to.join(entry.path().strip_prefix(&root).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
    let mut by_file: BTreeMap<_, Vec<&(Span, String)>> = BTreeMap::new();
    for change in &edit.at {
        by_file.entry(change.0.file).or_default().push(change);
    }
    for (file, mut changes) in by_file {
        let source = checked.sources.get(file);
        let mut text = source.text.to_string();
        changes.sort_by_key(|c| std::cmp::Reverse(c.0.start()));
        for (s, new) in changes {
            text.replace_range(s.range(), new);
        }
        fs::write(to.join(source.path.strip_prefix(&root).unwrap()), text).unwrap();
    }
    to.join("site.kdl")
}

fn digest(files: &Files) -> String {
    let manifest = text(&files["MANIFEST"]);
    manifest.lines().find_map(|l| l.strip_prefix("# site-digest: ")).unwrap_or("no digest").to_string()
}

/// Every changed file is the host's own, or changes only in lines that name
/// the host, its old or new values, or the site digest.
fn assert_local(name: &str, edit: &Edit, before: &Files, after: &Files) -> Vec<String> {
    let digests = [digest(before), digest(after)];
    let marks: Vec<&str> = edit
        .marks
        .iter()
        .map(String::as_str)
        .chain([edit.host.as_str()])
        .chain(digests.iter().map(String::as_str))
        .collect();
    let own = |path: &str| {
        path.split('/').any(|c| c == edit.host || edit.marks.iter().any(|m| c.contains(m.replace(':', "-").as_str())))
    };
    let mut touched = Vec::new();
    for path in before.keys().chain(after.keys()).collect::<BTreeSet<_>>() {
        let (a, b) = (before.get(path), after.get(path));
        if a == b || path == "MANIFEST" {
            continue;
        }
        touched.push(path.clone());
        if own(path) {
            continue;
        }
        let (a, b) = (a.map(|x| text(x)).unwrap_or_default(), b.map(|x| text(x)).unwrap_or_default());
        for change in similar::TextDiff::from_lines(&a, &b).iter_all_changes() {
            if change.tag() != similar::ChangeTag::Equal {
                let line = change.value();
                assert!(
                    marks.iter().any(|m| line.contains(m)),
                    "{name}: changing {}'s {} changed {path}, which is not that host's:\n{change}",
                    edit.host,
                    edit.what
                );
            }
        }
    }
    touched
}

fn check_edit(make: fn(&Site) -> Edit, expect: &dyn Fn(&Edit, &[String])) {
    for (name, site) in examples() {
        let (checked, before) = compile(&site);
        let edit = make(&checked.site);
        let dir = tempfile::tempdir().unwrap();
        let edited = apply(&checked, &site, &edit, dir.path());
        let (_, after) = compile(&edited);
        let touched = assert_local(&name, &edit, &before, &after);
        assert!(!touched.is_empty(), "{name}: the {} edit changed nothing", edit.what);
        expect(&edit, &touched);
    }
}

#[test]
fn a_new_mac_changes_only_its_hosts_lines_and_files() {
    check_edit(mac_edit, &|edit, touched| {
        assert!(touched.iter().any(|p| p == "provisioning/dnsmasq/dnsmasq.conf"), "{touched:?}");
        let new = edit.marks[3].as_str();
        assert!(touched.iter().any(|p| p.contains(new)), "no boot file moved to {new}: {touched:?}");
    });
}

#[test]
fn a_new_address_changes_only_its_hosts_lines_and_files() {
    check_edit(address_edit, &|edit, touched| {
        assert!(touched.iter().any(|p| p == "provisioning/dnsmasq/dnsmasq.conf"), "{touched:?}");
        let seed = format!("provisioning/cloud-init/{}/network-config", edit.host);
        assert!(touched.contains(&seed), "{seed} should change: {touched:?}");
    });
}

#[test]
fn moving_an_interface_to_another_network_changes_only_its_hosts_lines_and_files() {
    check_edit(network_edit, &|edit, touched| {
        let seed = format!("provisioning/cloud-init/{}/network-config", edit.host);
        assert!(touched.contains(&seed), "{seed} should change: {touched:?}");
    });
}

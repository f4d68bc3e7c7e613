use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;
use std::path::Path;

use crate::model::Mac;

/// Two PXE networks (iPXE with an arm64 host; GRUB/PXELINUX static-only),
/// a plain network with a bond, NTP by address and by name, jumbo frames.
pub(super) const SITE: &str = r#"
site "t" {
    domain "example.test"
    kubernetes version="1.31.4" {
        pod-subnet "10.244.0.0/16"
        service-subnet "10.96.0.0/16"
    }
    dns {
        server "10.0.0.2"
        server "9.9.9.9"
        search "corp.example"
    }
    ntp "10.0.0.3"
    ntp "pool.ntp.org"
}
network "boot" {
    cidr "10.0.0.0/24"
    gateway "10.0.0.1"
    mtu 9000
    dhcp range="10.0.0.100-10.0.0.150"
    pxe uefi=#true ipxe=#true http-server="http://10.0.0.2:8080"
    dns-server "10.0.0.2"
}
network "legacy" {
    cidr "10.1.0.0/24"
    pxe bios=#true uefi=#true http-server="http://10.0.0.2:8080/boot,root"
}
network "data" { cidr "10.2.0.0/24"; }
image "arm" {
    kernel "http://10.0.0.2:8080/a/vmlinuz"
    initrd "http://10.0.0.2:8080/a/initrd"
    arch "arm64"
}
image "x86" {
    kernel "tftp://10.0.0.2/x/vmlinuz"
    initrd "http://10.0.0.2:8080/x/initrd"
    cmdline "console=ttyS0,115200 quiet $notavar"
}
host "a" {
    role "control-plane"
    image "arm"
    interface "eth0" mac="02:00:00:00:00:01" network="boot" address="10.0.0.10"
    interface "eth1" mac="02:00:00:00:00:02"
    interface "eth2" mac="02:00:00:00:00:03"
    bond "bond0" members="eth1 eth2" network="data" address="10.2.0.10"
}
host "b" {
    role "worker"
    image "x86"
    interface "eno1" mac="02:00:00:00:00:11" network="legacy" address="10.1.0.11"
    interface "eno2" mac="02:00:00:00:00:12" network="boot" address="10.0.0.11"
}
"#;

/// The compiled tree of a site, as text.
pub(super) fn compile(path: &Path) -> BTreeMap<String, String> {
    let (checked, tree) = crate::compile(path).unwrap();
    let codes: Vec<_> = checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
    let tree = tree.unwrap_or_else(|| panic!("{} does not compile: {codes:#?}", path.display()));
    tree.files.into_iter().map(|(p, b)| (p, String::from_utf8(b).unwrap())).collect()
}

pub(super) fn compile_text(text: &str) -> BTreeMap<String, String> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("site.kdl");
    std::fs::write(&path, text).unwrap();
    compile(&path)
}

fn examples() -> Vec<BTreeMap<String, String>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../site-examples");
    ["dgx-pod", "nauta-lab", "research-commons"].iter().map(|e| compile(&root.join(e).join("site.kdl"))).collect()
}

fn ip(field: &str, line: &str) {
    assert!(field.parse::<Ipv4Addr>().is_ok(), "{field:?} in `{line}` is not an IPv4 address");
}

/// Parses every address field back; returns which kinds of line it saw.
fn check_addresses(conf: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for line in conf.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
        let (key, value) = line.split_once('=').unwrap_or((line, ""));
        let fields: Vec<&str> = value.split(',').collect();
        match key {
            "dhcp-range" => {
                assert_eq!(fields.len(), 5, "{line}");
                ip(fields[1], line);
                if fields[2] != "static" {
                    ip(fields[2], line);
                }
                ip(fields[3], line);
            }
            "dhcp-host" => {
                assert!(fields[0].parse::<Mac>().is_ok(), "{line}");
                ip(fields[1], line);
            }
            "host-record" => ip(fields[fields.len() - 1], line),
            "server" => ip(value, line),
            "dhcp-option" => match fields[1] {
                "option:router" | "option:dns-server" | "option:ntp-server" => {
                    fields[2..].iter().for_each(|f| ip(f, line));
                }
                _ => {}
            },
            _ => {}
        }
        let kind = match (key, fields.get(1)) {
            ("dhcp-option", Some(opt)) => format!("{key} {opt}"),
            _ => key.to_string(),
        };
        seen.insert(kind);
    }
    seen
}

#[test]
fn every_printed_address_parses() {
    let mut seen = BTreeSet::new();
    let mut trees = examples();
    trees.push(compile_text(SITE));
    for tree in &trees {
        seen.extend(check_addresses(&tree["provisioning/dnsmasq/dnsmasq.conf"]));
    }
    for kind in [
        "dhcp-range",
        "dhcp-host",
        "host-record",
        "server",
        "dhcp-option option:router",
        "dhcp-option option:dns-server",
        "dhcp-option option:ntp-server",
    ] {
        assert!(seen.contains(kind), "no `{kind}` line was checked");
    }
}

#[test]
fn serves_each_network_as_its_pxe_block_asks() {
    let tree = compile_text(SITE);
    let conf = &tree["provisioning/dnsmasq/dnsmasq.conf"];
    let has = |l: &str| conf.lines().any(|x| x == l);
    // dnsmasq is the boot network's dns-server: never its own upstream.
    assert!(has("server=9.9.9.9") && !has("server=10.0.0.2"), "{conf}");
    // Only NTP servers given by address go into option 42.
    assert!(has("dhcp-option=tag:net-boot,option:ntp-server,10.0.0.3"), "{conf}");
    assert!(has("dhcp-option=tag:net-boot,option:mtu,9000"), "{conf}");
    assert!(has("dhcp-option=tag:net-boot,option:domain-search,example.test,corp.example"), "{conf}");
    // iPXE network with an arm64 host.
    assert!(has("dhcp-match=set:efi-arm64,option:client-arch,11"), "{conf}");
    assert!(has("dhcp-boot=tag:net-boot,tag:efi-arm64,tag:!ipxe,ipxe-arm64.efi"), "{conf}");
    assert!(has("dhcp-boot=tag:net-boot,tag:efi-x86_64,tag:!ipxe,ipxe.efi"), "{conf}");
    assert!(has("dhcp-boot=tag:net-boot,tag:efi-http-arm64,http://10.0.0.2:8080/tftp/ipxe-arm64.efi"), "{conf}");
    assert!(!conf.contains("tag:net-boot,tag:bios"), "bios=#false on boot: {conf}");
    // GRUB/PXELINUX network, no pool, an HTTP server whose URL has a comma.
    assert!(has("dhcp-range=set:net-legacy,10.1.0.0,static,255.255.255.0,12h"), "{conf}");
    assert!(has("dhcp-boot=tag:net-legacy,tag:efi-x86_64,grubnetx64.efi"), "{conf}");
    assert!(has("dhcp-boot=tag:net-legacy,tag:bios,lpxelinux.0"), "{conf}");
    assert!(!conf.contains("tag:net-legacy,tag:efi-http"), "HTTP boot hands out iPXE: {conf}");
    assert!(!has("dhcp-authoritative"), "legacy has no pool: {conf}");
    // A bond gets a record, no lease; a second served interface gets both.
    assert!(has("host-record=a-bond0.example.test,10.2.0.10") && !conf.contains("10.2.0.10,a"), "{conf}");
    assert!(has("dhcp-host=02:00:00:00:00:12,10.0.0.11,b-eno2,12h"), "{conf}");
    assert!(has("host-record=b.example.test,b,10.1.0.11"), "{conf}");
}

#[test]
fn boot_files_for_each_loader() {
    let tree = compile_text(SITE);
    let ipxe = &tree["provisioning/tftp/ipxe/02-00-00-00-00-01.ipxe"];
    assert!(ipxe.contains("ds=nocloud;s=http://10.0.0.2:8080/cloud-init/a/\n"), "{ipxe}");
    let grub = &tree["provisioning/tftp/grub/grub.cfg-01-02-00-00-00-00-11"];
    assert!(grub.contains("linux (tftp,10.0.0.2)/x/vmlinuz console=ttyS0,115200 quiet \\$notavar"), "{grub}");
    assert!(grub.contains("ds=nocloud\\;s=http://10.0.0.2:8080/boot,root/cloud-init/b/\n"), "{grub}");
    let pxelinux = &tree["provisioning/tftp/pxelinux.cfg/01-02-00-00-00-00-11"];
    assert!(pxelinux.contains("  KERNEL tftp://10.0.0.2/x/vmlinuz\n"), "{pxelinux}");
    assert!(!tree.contains_key("provisioning/bmc/boot-plan.json"), "no host has a BMC");
}

#[test]
fn urls_cannot_break_a_dnsmasq_line() {
    assert_eq!(super::conf_url("http://h:8080/a,b#c\"d/é"), "http://h:8080/a%2Cb%23c%22d/%C3%A9");
    assert_eq!(super::conf_url("http://10.0.0.2:8080/tftp/ipxe.efi"), "http://10.0.0.2:8080/tftp/ipxe.efi");
}

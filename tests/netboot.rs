//! A real boot exchange: dnsmasq runs with the compiled configuration in one
//! network namespace, a DHCP client presenting a host's MAC and firmware
//! architecture in another, joined by a veth pair. For a host of every
//! example we check the offered address and boot file for BIOS, UEFI and iPXE
//! clients, then fetch the boot file, boot.ipxe and the host's own iPXE script
//! over TFTP.
//!
//! Needs root (network namespaces), dnsmasq-base and busybox (udhcpc, tftp).
//! Skips, saying so, only when namespaces cannot be created.

mod support;

use std::fs;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::command::{ok, require, run};
use support::netns::Link;
use support::*;

/// A host that PXE-boots through iPXE, with what the exchange should show.
struct Target {
    host: String,
    mac: String,
    address: Ipv4Addr,
    server: Ipv4Addr,
    prefix: u8,
    /// Boot files firmware gets: a network that does not offer BIOS (or
    /// UEFI) boot must not hand those clients any file.
    bios: &'static str,
    uefi: &'static str,
}

fn target(site: &Path) -> Target {
    let checked = bosun::check(site).unwrap();
    let plan = bosun::plan::plan(&checked.site).expect("example plans");
    let found = plan.hosts.iter().find_map(|h| {
        let iface = h.pxe?;
        h.host.image.as_ref()?;
        let net = checked.site.network(iface.network.as_deref()?)?;
        let pxe = net.pxe.as_ref()?;
        let server = net.dns_server?;
        if !pxe.ipxe {
            return None;
        }
        Some(Target {
            host: h.host.name.clone(),
            mac: iface.mac?.to_string(),
            address: iface.address?,
            server,
            prefix: net.cidr.prefix,
            bios: if pxe.bios { "undionly.kpxe" } else { "" },
            uefi: if pxe.uefi { "ipxe.efi" } else { "" },
        })
    });
    found.unwrap_or_else(|| panic!("{}: no host PXE-boots through iPXE on a network with a dns-server", site.display()))
}

/// The compiled tree on disk, with dnsmasq.conf adapted to the test link:
/// bound to the veth, its TFTP root the compiled tftp/ folder plus stand-in
/// boot binaries, running as root so it can read a private temp folder.
fn prepare(site: &Path, dir: &Path) -> PathBuf {
    let (_, tree) = bosun::compile(site).unwrap();
    let tree = tree.expect("example compiles");
    for (path, bytes) in &tree.files {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    let tftp = dir.join("provisioning/tftp");
    fs::create_dir_all(&tftp).unwrap();
    for bin in ["undionly.kpxe", "ipxe.efi", "ipxe-arm64.efi", "grubnetx64.efi", "pxelinux.0"] {
        fs::write(tftp.join(bin), format!("stand-in {bin}\n")).unwrap();
    }
    let conf = fs::read_to_string(dir.join("provisioning/dnsmasq/dnsmasq.conf")).expect("dnsmasq.conf is rendered");
    let site_specific = [
        "tftp-root=",
        "interface=",
        "listen-address=",
        "bind-",
        "except-interface=",
        "pid-file=",
        "dhcp-leasefile=",
        "user=",
    ];
    let mut adapted: String =
        conf.lines().filter(|l| !site_specific.iter().any(|p| l.starts_with(p))).map(|l| format!("{l}\n")).collect();
    adapted.push_str(&format!(
        "interface=vsrv\nbind-interfaces\nuser=root\nport=0\ndhcp-leasefile={0}/leases\npid-file={0}/dnsmasq.pid\ntftp-root={1}\n",
        dir.display(),
        tftp.display()
    ));
    let path = dir.join("test-dnsmasq.conf");
    fs::write(&path, adapted).unwrap();
    path
}

const SCRIPT: &str = "#!/bin/sh\n[ \"$1\" = bound ] && echo \"ip=$ip boot_file=$boot_file\"\nexit 0\n";

#[test]
fn dhcp_and_tftp_boot_exchange() {
    require("dnsmasq", "dnsmasq-base");
    require("busybox", "busybox");
    for (i, (name, site)) in examples().iter().enumerate() {
        let Some(link) = Link::new('b', &format!("{i}"), "netboot test") else { return };
        let t = target(site);
        let tmp = tempfile::tempdir().unwrap();
        let conf = prepare(site, tmp.path());
        let script = tmp.path().join("udhcpc.sh");
        fs::write(&script, SCRIPT).unwrap();
        ok(Command::new("chmod").args(["+x", script.to_str().unwrap()]));
        ok(Command::new("ip").args([
            "-n",
            &link.server,
            "addr",
            "add",
            &format!("{}/{}", t.server, t.prefix),
            "dev",
            "vsrv",
        ]));
        ok(Command::new("ip").args(["-n", &link.client, "link", "set", "vcli", "address", &t.mac]));
        let log = tmp.path().join("dnsmasq.log");
        ok(&mut link.exec(
            &link.server,
            &["dnsmasq", "-C", conf.to_str().unwrap(), &format!("--log-facility={}", log.display())],
        ));

        // client-arch 0 = BIOS, 7 = x86-64 UEFI; iPXE adds user-class "iPXE".
        let clients = [
            ("BIOS", "-x 0x5d:0000", t.bios),
            ("UEFI", "-x 0x5d:0007", t.uefi),
            ("iPXE", "-x 0x5d:0007 -x 0x4d:69505845", "boot.ipxe"),
        ];
        for (kind, opts, expected) in clients {
            let mut args = vec![
                "busybox",
                "udhcpc",
                "-i",
                "vcli",
                "-f",
                "-q",
                "-n",
                "-t",
                "4",
                "-T",
                "1",
                "-s",
                script.to_str().unwrap(),
            ];
            args.extend(opts.split(' '));
            let out = text(&run(&mut link.exec(&link.client, &args)).stdout);
            let want = format!("ip={} boot_file={expected}", t.address);
            assert!(
                out.lines().any(|l| l.trim() == want.trim()),
                "{name}: {kind} client of {} ({}): expected `{want}`, got `{}`\n{}",
                t.host,
                t.mac,
                out.trim(),
                fs::read_to_string(&log).unwrap_or_default()
            );
        }

        ok(Command::new("ip").args([
            "-n",
            &link.client,
            "addr",
            "add",
            &format!("{}/{}", t.address, t.prefix),
            "dev",
            "vcli",
        ]));
        let host_script = format!("ipxe/{}.ipxe", t.mac.replace(':', "-"));
        let firmware_file = if t.bios.is_empty() { t.uefi } else { t.bios };
        for file in [firmware_file, "boot.ipxe", host_script.as_str()] {
            let local = tmp.path().join("fetched");
            let _ = fs::remove_file(&local);
            let server = t.server.to_string();
            ok(&mut link
                .exec(&link.client, &["busybox", "tftp", "-g", "-r", file, "-l", local.to_str().unwrap(), &server]));
            let fetched = fs::read(&local).unwrap();
            assert_eq!(
                fetched,
                fs::read(tmp.path().join("provisioning/tftp").join(file)).unwrap(),
                "{name}: {file} over TFTP"
            );
        }
        let script_text = fs::read_to_string(tmp.path().join("provisioning/tftp").join(&host_script)).unwrap();
        assert!(
            script_text.contains(&format!("/cloud-init/{}/", t.host)),
            "{name}: {host_script} seeds {}:\n{script_text}",
            t.host
        );
    }
}

//! Real firmware boots the compiled trees. Each case runs QEMU (TCG) in its
//! own network namespace, its NIC a tap on a bridge that also holds the boot
//! server's addresses; dnsmasq runs with the compiled dnsmasq.conf, a static
//! HTTP server serves the compiled provisioning/ folder, and the boot loader
//! binaries are put in place by the very commands docs/provisioning.md gives
//! operators. The image URLs serve Debian's kernel and a tiny initrd built
//! here, which takes an address by DHCP, fetches the NoCloud seed named on
//! its command line and prints everything to the serial console.
//!
//! One host per firmware path the examples offer (BIOS+iPXE, UEFI+iPXE,
//! UEFI+GRUB, BIOS+PXELINUX), an unknown MAC and a host without an image.
//! dnsmasq's, the HTTP server's and the console's logs must show that each
//! got its static address, its boot file, its kernel with the exact command
//! line and its three seed files, and that the seed printed is the compiled
//! one; the last two must stop as docs/provisioning.md says. The GRUB and
//! PXELINUX hosts boot once more with the HTTP server serving nothing: their
//! entries' fallback must say so and move on to the next boot device. Before
//! all, the PXELINUX host boots with a boot file name in dnsmasq.conf that
//! nothing provides, and that case must fail: the checks can fail.
//!
//! Needs root and the Debian packages .ci/run installs; skips, saying so,
//! when not root or when qemu-system-x86 is not installed.

#[path = "netboot_firmware/initrd.rs"]
mod initrd;
#[path = "netboot_firmware/machine.rs"]
mod machine;
mod support;

use std::collections::BTreeMap;
use std::fs;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::Instant;

use initrd::Payload;
use machine::{Logs, flat, plain};
use support::*;

const QEMU: &str = "qemu-system-x86_64";
/// Boots at once: the machine has two cores.
const PARALLEL: usize = 2;
const SEED_FILES: [&str; 3] = ["meta-data", "user-data", "network-config"];

#[derive(Clone, Copy, Debug, PartialEq)]
enum Firmware {
    Bios,
    Uefi,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Loader {
    Ipxe,
    Grub,
    Pxelinux,
}

/// What a case must end in.
#[derive(Clone, Debug)]
enum Expect {
    /// The host's kernel runs with `cmdline` and prints its seed.
    Installs { host: String, kernel: String, initrd: String, cmdline: Vec<String> },
    /// The loader prints `message` and hands back to the firmware.
    Stops { message: String },
}

#[derive(Clone, Debug)]
struct Case {
    name: String,
    site: String,
    firmware: Firmware,
    loader: Loader,
    mac: String,
    /// The address dnsmasq must give (`None`: any, from the pool).
    address: Option<Ipv4Addr>,
    /// Boot files dnsmasq must hand out to this MAC, in the order fetched.
    boot_files: Vec<String>,
    expect: Expect,
    /// Replaces a boot file name in dnsmasq.conf: the negative case.
    break_boot_file: Option<(String, String)>,
    /// The HTTP server serves nothing: the kernel does not load, and the
    /// entry's fallback must take the machine on.
    images_missing: bool,
    /// The boot server's addresses on the segment, and its HTTP port.
    addrs: Vec<String>,
    port: u16,
}

fn have(tool: &str) -> bool {
    Command::new("sh").arg("-c").arg(format!("command -v {tool}")).output().is_ok_and(|o| o.status.success())
}

fn need(path: &str, package: &str) {
    assert!(Path::new(path).exists(), "{path} is missing: install the Debian package {package} (.ci/run does)");
}

fn sh(script: &str) -> String {
    let out = Command::new("sh").arg("-ec").arg(script).stdin(Stdio::null()).output().expect("sh runs");
    assert!(out.status.success(), "`{script}` failed: {}{}", text(&out.stdout), text(&out.stderr));
    text(&out.stdout)
}

/// The URL's path, which must be on `server` (`http://HOST:PORT`).
fn url_path<'a>(url: &'a str, server: &str) -> &'a str {
    url.strip_prefix(server).unwrap_or_else(|| panic!("{url} is not served by {server}"))
}

fn dashes(mac: &str) -> String {
    mac.replace(':', "-")
}

/// The cases the examples offer, with the address of the serving segment.
fn cases(dirs: &mut BTreeMap<String, PathBuf>, work: &Path, payload: &Payload) -> Vec<Case> {
    let mut found: Vec<Case> = Vec::new();
    for (name, path) in examples() {
        let checked = bosun::check(&path).expect("example reads");
        let plan = bosun::plan::plan(&checked.site).expect("example plans");
        let boots = plan.boots.as_ref().expect("example boots");
        let mut wanted = |case: Case| {
            if !found.iter().any(|c| c.name == case.name) {
                found.push(case);
            }
        };
        for b in boots {
            let args = |prefix: Vec<String>| -> Vec<String> {
                let mut args = prefix;
                args.extend(b.image.cmdline.iter().flat_map(|c| c.split_whitespace()).map(String::from));
                args.push(format!("ds=nocloud;s={}/cloud-init/{}/", b.http_server, b.host.name));
                args
            };
            let installs = |prefix: Vec<String>| Expect::Installs {
                host: b.host.name.clone(),
                kernel: url_path(&b.image.kernel, b.http_server).to_string(),
                initrd: url_path(&b.image.initrd, b.http_server).to_string(),
                cmdline: args(prefix),
            };
            let base = Case {
                name: String::new(),
                site: name.clone(),
                firmware: Firmware::Bios,
                loader: Loader::Ipxe,
                mac: b.mac.to_string(),
                address: b.host.interface.iter().find(|i| i.mac == Some(b.mac)).and_then(|i| i.address),
                boot_files: vec![],
                expect: installs(vec![]),
                break_boot_file: None,
                images_missing: false,
                addrs: segment(b.network).0,
                port: segment(b.network).1,
            };
            let ipxe_args = vec!["initrd=initrd".to_string()];
            if b.pxe.ipxe && b.pxe.bios {
                // SeaBIOS's PXE is the iPXE option ROM, which DHCP tags as iPXE.
                wanted(Case {
                    name: "BIOS+iPXE".into(),
                    boot_files: vec!["boot.ipxe".into()],
                    expect: installs(ipxe_args.clone()),
                    ..base.clone()
                });
            }
            if b.pxe.ipxe && b.pxe.uefi {
                wanted(Case {
                    name: "UEFI+iPXE".into(),
                    firmware: Firmware::Uefi,
                    boot_files: vec!["ipxe.efi".into(), "boot.ipxe".into()],
                    expect: installs(ipxe_args.clone()),
                    ..base.clone()
                });
            }
            if !b.pxe.ipxe && b.pxe.uefi {
                wanted(Case {
                    name: "UEFI+GRUB".into(),
                    firmware: Firmware::Uefi,
                    loader: Loader::Grub,
                    boot_files: vec!["grubnetx64.efi".into()],
                    ..base.clone()
                });
            }
            if !b.pxe.ipxe && b.pxe.bios {
                let initrd = format!("initrd={}", b.image.initrd);
                wanted(Case {
                    name: "BIOS+PXELINUX".into(),
                    loader: Loader::Pxelinux,
                    boot_files: vec!["lpxelinux.0".into()],
                    expect: installs(vec![initrd]),
                    ..base.clone()
                });
            }
        }
        stop_cases(&name, &plan, &mut wanted);
        if found.iter().any(|c| c.site == name) {
            dirs.insert(name.clone(), serve(&name, &path, &plan, work, payload));
        }
    }
    found
}

/// An unknown MAC on an iPXE network with a pool, and a host without an
/// image on a network without iPXE that boots BIOS machines.
fn stop_cases(site: &str, plan: &bosun::plan::Plan, wanted: &mut impl FnMut(Case)) {
    let known: Vec<String> =
        plan.site.hosts.iter().flat_map(|h| h.interface.iter().filter_map(|i| i.mac.map(|m| m.to_string()))).collect();
    let pool_ipxe =
        plan.site.networks.iter().find(|n| n.dhcp.is_some() && n.pxe.as_ref().is_some_and(|p| p.ipxe && p.bios));
    if let Some(net) = pool_ipxe {
        let mac = (1..=255u8).map(|i| format!("52:54:00:b0:5e:{i:02x}")).find(|m| !known.contains(m)).unwrap();
        wanted(Case {
            name: "unknown MAC".into(),
            site: site.into(),
            firmware: Firmware::Bios,
            loader: Loader::Ipxe,
            mac: mac.clone(),
            address: None,
            boot_files: vec!["boot.ipxe".into()],
            expect: Expect::Stops { message: String::new() },
            break_boot_file: None,
            images_missing: false,
            addrs: segment(net).0,
            port: segment(net).1,
        });
    }
    for h in plan.hosts.iter().filter(|h| h.host.image.is_none()) {
        let Some(iface) = h.pxe else { continue };
        let (Some(mac), Some(address)) = (iface.mac, iface.address) else { continue };
        let Some(net) = iface.network.as_deref().and_then(|n| plan.site.network(n)) else { continue };
        if net.pxe.as_ref().is_some_and(|p| p.bios && !p.ipxe) {
            wanted(Case {
                name: "host without an image".into(),
                site: site.into(),
                firmware: Firmware::Bios,
                loader: Loader::Pxelinux,
                mac: mac.to_string(),
                address: Some(address),
                boot_files: vec!["lpxelinux.0".into()],
                expect: Expect::Stops { message: String::new() },
                break_boot_file: None,
                images_missing: false,
                addrs: segment(net).0,
                port: segment(net).1,
            });
        }
    }
}

/// The boot server's addresses on a network's segment and its HTTP port:
/// the `http-server`'s address, on the segment or (a remote server, as
/// behind a DHCP relay) reached through the network's gateway, which the
/// test's server then also holds.
fn segment(net: &bosun::model::Network) -> (Vec<String>, u16) {
    let http = net.pxe.as_ref().and_then(|p| p.http_server.as_deref()).expect("booting network has an http-server");
    let authority = http.strip_prefix("http://").expect("http-server is http://");
    let (host, port) = authority.split_once(':').unwrap_or((authority, "80"));
    let ip: Ipv4Addr = host.parse().expect("http-server is an address");
    let prefix = net.cidr.prefix;
    let mask = if prefix == 0 { 0 } else { u32::MAX << (32 - u32::from(prefix)) };
    let on_segment = u32::from(ip) & mask == u32::from(net.cidr.network()) & mask;
    let addrs = if on_segment {
        vec![format!("{ip}/{prefix}")]
    } else {
        let gw = net.gateway.expect("a network served from a remote boot server has a gateway");
        vec![format!("{gw}/{prefix}"), format!("{ip}/32")]
    };
    (addrs, port.parse().expect("port"))
}

/// Writes the compiled tree, places the boot loader binaries with the
/// commands of docs/provisioning.md, and the kernel and initrd at every
/// booting image's URL.
fn serve(name: &str, site: &Path, plan: &bosun::plan::Plan, work: &Path, payload: &Payload) -> PathBuf {
    let (_, tree) = bosun::compile(site).unwrap();
    let dir = work.join(name);
    for (path, bytes) in &tree.expect("example compiles").files {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, bytes).unwrap();
    }
    let tftp = dir.join("provisioning/tftp");
    sh(&operator_commands(&tftp));
    for b in plan.boots.as_ref().unwrap() {
        for (url, file) in [(&b.image.kernel, &payload.kernel), (&b.image.initrd, &payload.initrd)] {
            let to = dir.join("provisioning").join(url_path(url, b.http_server).trim_start_matches('/'));
            fs::create_dir_all(to.parent().unwrap()).unwrap();
            fs::copy(file, &to).unwrap();
        }
    }
    dir
}

/// The shell lines docs/provisioning.md gives operators to put the boot
/// loader binaries in place (package installation left to .ci/run), with
/// the TFTP root moved to `tftp`.
fn operator_commands(tftp: &Path) -> String {
    let doc = fs::read_to_string(root().join("docs/provisioning.md")).unwrap();
    let start = doc.find("For example, on a Debian boot server:").expect("docs/provisioning.md has the example");
    let block = doc[start..].split("```sh\n").nth(1).and_then(|b| b.split("```").next()).expect("an sh block");
    let mut script = String::new();
    let mut moved = false;
    for line in block.lines().filter(|l| !l.starts_with("apt-get")) {
        if line.starts_with("T=") {
            moved = true;
            script.push_str(&format!("T='{}'\n", tftp.display()));
        } else {
            script.push_str(line);
            script.push('\n');
        }
    }
    assert!(moved, "the docs' commands name the TFTP root as T=…:\n{block}");
    script
}

/// Everything wrong with one boot, from its logs.
fn verify(case: &Case, logs: &Logs) -> Vec<String> {
    let mut wrong = Vec::new();
    let acked: Vec<&str> = logs
        .dnsmasq
        .lines()
        .filter(|l| l.contains(" DHCPACK(br0) ") && l.contains(&case.mac))
        .filter_map(|l| l.split(" DHCPACK(br0) ").nth(1)?.split_whitespace().next())
        .collect();
    let Some(ip) = acked.first().copied() else {
        wrong.push(format!("dnsmasq acknowledged no lease for {}", case.mac));
        return wrong;
    };
    if let Some(want) = case.address
        && acked.iter().any(|a| *a != want.to_string())
    {
        wrong.push(format!("dnsmasq gave {acked:?}, not the static {want}"));
    }
    for file in &case.boot_files {
        let offered = format!("option: 67 bootfile-name  {file}");
        if !logs.dnsmasq.lines().any(|l| l.ends_with(&offered)) {
            wrong.push(format!("dnsmasq did not offer boot file {file}"));
        }
        let sent = format!("sent {}/{file} to {ip}", logs.tftp_root.display());
        if !logs.dnsmasq.lines().any(|l| l.ends_with(&sent)) {
            wrong.push(format!("TFTP did not send {file} to {ip}"));
        }
    }
    match &case.expect {
        Expect::Installs { host, kernel, initrd, cmdline } => {
            let mut paths = vec![kernel.clone(), initrd.clone()];
            paths.extend(SEED_FILES.iter().map(|f| format!("/cloud-init/{host}/{f}")));
            for path in paths {
                let got = logs.http.lines().any(|l| {
                    l.starts_with(&format!("{ip} "))
                        && l.contains(&format!("\"GET {path} HTTP/1."))
                        && l.contains("\" 200 ")
                });
                if !got {
                    wrong.push(format!("HTTP did not serve {path} to {ip}"));
                }
            }
            wrong.extend(kernel_saw(case, ip, host, cmdline, logs));
        }
        Expect::Stops { message } => {
            if !flat(&logs.console).contains(&flat(message)) {
                wrong.push(format!("the console does not show `{message}`"));
            }
            if logs.http.lines().any(|l| l.starts_with(&format!("{ip} ")) && l.contains("\" 200 ")) {
                wrong.push(format!("{ip} fetched something over HTTP though it must stop"));
            }
            if !machine::moved_on(case, logs) {
                wrong.push("the machine did not move on to its next boot device".into());
            }
        }
    }
    wrong
}

/// What the booted kernel printed: its command line, its address, its seed.
fn kernel_saw(case: &Case, ip: &str, host: &str, cmdline: &[String], logs: &Logs) -> Vec<String> {
    let mut wrong = Vec::new();
    let console = plain(&logs.console);
    let line = |marker: &str| console.lines().find_map(|l| Some(l.split_once(marker)?.1.trim_end().to_string()));
    match line("bosun-initrd: cmdline: ") {
        None => wrong.push("the kernel never ran the test's init".to_string()),
        Some(got) => {
            let mut words: Vec<&str> = got.split_whitespace().collect();
            // Loaders name the kernel they loaded first: GRUB and PXELINUX
            // as BOOT_IMAGE=…, iPXE's EFI build by its file name.
            let kernel_name = match &case.expect {
                Expect::Installs { kernel, .. } => kernel.rsplit('/').next().unwrap_or_default().to_string(),
                Expect::Stops { .. } => String::new(),
            };
            if words.first().is_some_and(|w| w.starts_with("BOOT_IMAGE=") || *w == kernel_name) {
                words.remove(0);
            }
            if words != cmdline.iter().map(String::as_str).collect::<Vec<_>>() {
                wrong.push(format!("kernel command line `{}`, expected `{}`", words.join(" "), cmdline.join(" ")));
            }
        }
    }
    if line("bosun-initrd: address ").as_deref() != Some(ip) {
        wrong.push(format!("the kernel did not get {ip} by DHCP"));
    }
    let seed = logs.tftp_root.parent().unwrap().join("cloud-init").join(host);
    for f in SEED_FILES {
        let begin = format!("bosun-initrd: begin {f}\n");
        let printed =
            console.split_once(&begin).and_then(|(_, rest)| rest.split_once(&format!("bosun-initrd: end {f}")));
        let compiled = fs::read(seed.join(f)).unwrap();
        match printed.map(|(b64, _)| base64(b64)) {
            Some(bytes) if bytes == compiled => {}
            Some(_) => wrong.push(format!("the {f} the kernel fetched differs from the compiled one")),
            None => wrong.push(format!("the kernel printed no {f}")),
        }
    }
    wrong
}

fn base64(text: &str) -> Vec<u8> {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0);
    for b in text.bytes() {
        let Some(v) = ABC.iter().position(|&c| c == b) else { continue };
        acc = (acc << 6) | v as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// What a case that must stop prints, from the compiled file its loader
/// reads: boot.ipxe's message for iPXE, pxelinux.cfg/default's for a
/// machine without an entry, and the host's own entry when its kernel is
/// missing (GRUB's fallback entry, PXELINUX's first SAY).
fn stop_message(case: &Case, tftp: &Path) -> String {
    let read = |path: &str| fs::read_to_string(tftp.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mac = dashes(&case.mac);
    match (case.loader, case.images_missing) {
        (Loader::Ipxe, false) => {
            let script = read("boot.ipxe");
            let echo = script.lines().find_map(|l| l.strip_prefix("echo ")).expect("boot.ipxe echoes a message");
            echo.replace("${mac:hexhyp}", &mac).replace("${mac}", &case.mac)
        }
        (Loader::Pxelinux, missing) => {
            let cfg = read(&if missing { format!("pxelinux.cfg/01-{mac}") } else { "pxelinux.cfg/default".into() });
            cfg.lines().find_map(|l| l.strip_prefix("SAY ")).expect("the PXELINUX file says something").to_string()
        }
        (Loader::Grub, true) => {
            let cfg = read(&format!("grub/grub.cfg-01-{mac}"));
            let echo = cfg.lines().find_map(|l| l.trim().strip_prefix("echo \"bosun:")).expect("a fallback message");
            format!("bosun:{}", echo.trim_end_matches('"'))
        }
        (loader, missing) => panic!("no stop case for {loader:?} (images missing: {missing})"),
    }
}

/// Whether this machine can run the boots; says why not when it cannot.
fn runnable() -> bool {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        skip("netboot_firmware: needs root (network namespaces, taps)");
        return false;
    }
    if !have(QEMU) {
        skip(
            "netboot_firmware: qemu-system-x86_64 is not installed (Debian package qemu-system-x86; .ci/run installs it)",
        );
        return false;
    }
    for (path, package) in [
        ("/usr/share/OVMF/OVMF_CODE_4M.fd", "ovmf"),
        ("/usr/lib/ipxe/qemu/efi-virtio.rom", "ipxe-qemu"),
        ("/usr/lib/ipxe/undionly.kpxe", "ipxe"),
        ("/usr/lib/grub/x86_64-efi-signed/grubnetx64.efi.signed", "grub-efi-amd64-signed"),
        ("/usr/lib/grub/x86_64-efi/http.mod", "grub-efi-amd64-bin"),
        ("/usr/lib/PXELINUX/lpxelinux.0", "pxelinux"),
        ("/usr/lib/syslinux/modules/bios/ldlinux.c32", "syslinux-common"),
    ] {
        need(path, package);
    }
    for (tool, package) in [("dnsmasq", "dnsmasq-base"), ("python3", "python3"), ("gzip", "gzip"), ("ip", "iproute2")] {
        assert!(have(tool), "`{tool}` is missing: install the Debian package {package} (.ci/run does)");
    }
    true
}

/// Runs the cases `PARALLEL` at a time, in order; returns each one's problems.
fn run_all(cases: &[Case], dirs: &BTreeMap<String, PathBuf>, work: &Path) -> Vec<Vec<String>> {
    let next = Mutex::new(0usize);
    let results = Mutex::new(vec![Vec::new(); cases.len()]);
    std::thread::scope(|s| {
        for _ in 0..PARALLEL {
            s.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap();
                        *n += 1;
                        *n - 1
                    };
                    let Some(case) = cases.get(i) else { break };
                    let started = Instant::now();
                    let dir = &dirs[&case.site];
                    let mut wrong = verify(case, &machine::boot(&format!("case-{i}"), case, dir, work));
                    // Once (17 boots of 18 in a row passed), a kernel handed
                    // over by GRUB never reached /init under TCG on a loaded
                    // machine: a case that should pass gets one more boot,
                    // and says so. The negative case gets none.
                    if !wrong.is_empty() && case.break_boot_file.is_none() {
                        eprintln!(
                            "netboot_firmware: {} failed ({}), booting it once more",
                            case.name,
                            wrong.join("; ")
                        );
                        wrong = verify(case, &machine::boot(&format!("case-{i}-again"), case, dir, work));
                    }
                    eprintln!(
                        "netboot_firmware: {} ({}, {}) in {:?}: {} problem(s)",
                        case.name,
                        case.site,
                        case.mac,
                        started.elapsed(),
                        wrong.len()
                    );
                    results.lock().unwrap()[i] = wrong;
                }
            });
        }
    });
    results.into_inner().unwrap()
}

#[test]
fn real_firmware_boots_every_path() {
    if !runnable() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path();
    let (kernel, modules) = initrd::kernel();
    let payload = Payload { kernel, initrd: work.join("initrd.gz") };
    initrd::initrd(&modules, &payload.initrd);
    let mut dirs = BTreeMap::new();
    let mut cases = cases(&mut dirs, work, &payload);
    let names: Vec<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    for want in ["BIOS+iPXE", "UEFI+iPXE", "UEFI+GRUB", "BIOS+PXELINUX", "unknown MAC", "host without an image"] {
        assert!(names.contains(&want), "no example offers a {want} case (found {names:?})");
    }
    // Kernels that do not load: each loader's fallback must move on.
    for (from, name) in [("UEFI+GRUB", "GRUB fallback"), ("BIOS+PXELINUX", "PXELINUX fallback")] {
        let mut case = cases.iter().find(|c| c.name == from).unwrap().clone();
        case.name = name.into();
        case.images_missing = true;
        case.expect = Expect::Stops { message: String::new() };
        cases.push(case);
    }
    for case in &mut cases {
        if matches!(case.expect, Expect::Stops { .. }) {
            let message = stop_message(case, &dirs[&case.site].join("provisioning/tftp"));
            case.expect = Expect::Stops { message };
        }
    }
    // First, a case that must fail: the same BIOS+PXELINUX host with a boot
    // file name in dnsmasq.conf that nothing provides.
    let mut broken = cases.iter().find(|c| c.name == "BIOS+PXELINUX").unwrap().clone();
    broken.name = "broken boot file name".into();
    broken.break_boot_file = Some(("lpxelinux.0".into(), "lpxelinux-missing.0".into()));
    cases.insert(0, broken);
    let results = run_all(&cases, &dirs, work);
    assert!(!results[0].is_empty(), "a boot file name nothing provides still passed: the checks cannot fail");
    let failed: Vec<String> = cases
        .iter()
        .zip(&results)
        .skip(1)
        .filter(|(_, w)| !w.is_empty())
        .map(|(c, w)| format!("{} ({}, {}):\n  {}", c.name, c.site, c.mac, w.join("\n  ")))
        .collect();
    if !failed.is_empty() {
        let kept = tmp.keep();
        panic!("logs are in {}:\n{}", kept.display(), failed.join("\n"));
    }
}

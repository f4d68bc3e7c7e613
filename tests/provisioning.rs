//! The provisioning tree of every site example, judged by the programs that
//! will read it: `dnsmasq --test` and `grub-script-check`, a structural
//! check of iPXE and PXELINUX scripts (no offline validator exists), and a
//! JSON parse of the BMC boot plan. Also: no file under provisioning/ holds
//! anything shaped like a credential. That one host's edit stays local is
//! tests/locality.rs.
//!
//! The tools come from Debian packages (`dnsmasq-base`, `grub-common`); CI
//! installs them (.ci/run). A missing tool fails the suite and names the
//! package: a silent skip would hide a broken CI.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use bosun::lint::secrets::credential_shape;
use support::*;

type Files = BTreeMap<String, Vec<u8>>;

/// An example's compiled tree and its site.
fn compile(site: &Path) -> (bosun::Checked, Files) {
    let (checked, tree) = bosun::compile(site).expect("example readable");
    let codes: Vec<_> = checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
    let tree = tree.unwrap_or_else(|| panic!("{} does not compile:\n{}", site.display(), codes.join("\n")));
    (checked, tree.files)
}

fn compiled_examples() -> Vec<(String, bosun::Checked, Files)> {
    let out: Vec<_> = examples()
        .into_iter()
        .map(|(name, site)| {
            let (checked, files) = compile(&site);
            (name, checked, files)
        })
        .collect();
    assert!(out.len() >= 3, "expected the three site examples");
    out
}

fn under<'a>(files: &'a Files, prefix: &'a str) -> impl Iterator<Item = (&'a String, String)> + 'a {
    files.iter().filter(move |(p, _)| p.starts_with(prefix)).map(|(p, b)| (p, text(b)))
}

/// A tool from a Debian package, or a failure that says what to install.
fn tool(name: &str, package: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let dirs = std::env::split_paths(&path).chain(["/usr/sbin", "/sbin"].map(PathBuf::from));
    for dir in dirs {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return candidate;
        }
    }
    panic!(
        "`{name}` is not installed: install the Debian package {package} \
         (apt-get install -y --no-install-recommends {package}); .ci/run does this on CI"
    );
}

#[test]
fn dnsmasq_accepts_every_dnsmasq_conf() {
    let dnsmasq = tool("dnsmasq", "dnsmasq-base");
    let dir = tempfile::tempdir().unwrap();
    for (name, _, files) in compiled_examples() {
        let conf = files.get("provisioning/dnsmasq/dnsmasq.conf");
        let conf = conf.unwrap_or_else(|| panic!("{name}: no provisioning/dnsmasq/dnsmasq.conf"));
        let path = dir.path().join(format!("{name}.conf"));
        fs::write(&path, conf).unwrap();
        let out = Command::new(&dnsmasq).arg("--test").arg("-C").arg(&path).output().unwrap();
        let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(out.status.success() && said.contains("syntax check OK"), "{name}: dnsmasq --test says:\n{said}");
    }
}

#[test]
fn grub_script_check_accepts_every_grub_file() {
    let check = tool("grub-script-check", "grub-common");
    let dir = tempfile::tempdir().unwrap();
    let mut checked = 0;
    for (name, _, files) in compiled_examples() {
        for (path, body) in under(&files, "provisioning/tftp/grub/") {
            let file = dir.path().join(path.replace('/', "_"));
            fs::write(&file, &body).unwrap();
            let out = Command::new(&check).arg(&file).output().unwrap();
            let said = format!("{}{}", text(&out.stdout), text(&out.stderr));
            assert!(out.status.success(), "{name}: grub-script-check rejects {path}:\n{said}\n{body}");
            checked += 1;
        }
    }
    assert!(checked >= 2, "the examples should exercise GRUB (a shared grub.cfg and a per-host file)");
}

/// iPXE's commands (ipxe.org/cmd), for scripts that no offline tool checks.
const IPXE_COMMANDS: &[&str] = &[
    "autoboot",
    "boot",
    "chain",
    "clear",
    "console",
    "cpuid",
    "dhcp",
    "echo",
    "exit",
    "goto",
    "ifclose",
    "ifconf",
    "ifopen",
    "ifstat",
    "imgargs",
    "imgexec",
    "imgfetch",
    "imgfree",
    "imgload",
    "imgselect",
    "imgstat",
    "imgtrust",
    "imgverify",
    "initrd",
    "inc",
    "iseq",
    "isset",
    "item",
    "kernel",
    "login",
    "menu",
    "module",
    "nslookup",
    "ntp",
    "param",
    "params",
    "ping",
    "poweroff",
    "prompt",
    "read",
    "reboot",
    "route",
    "sanboot",
    "sanhook",
    "sanunhook",
    "set",
    "shell",
    "show",
    "sleep",
    "sync",
    "choose",
    "time",
];

fn check_ipxe(path: &str, body: &str) {
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.first(), Some(&"#!ipxe"), "{path}: first line must be #!ipxe");
    let commands: Vec<&str> =
        lines.iter().skip(1).map(|l| l.trim()).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    for line in &commands {
        if line.starts_with(':') {
            continue; // a label
        }
        // `a || b && c`: every part starts with a command.
        for part in line.split("||").flat_map(|p| p.split("&&")).flat_map(|p| p.split(" ; ")) {
            let word = part.split_whitespace().next().unwrap_or("");
            assert!(IPXE_COMMANDS.contains(&word), "{path}: `{word}` is not an iPXE command, in `{line}`");
        }
    }
    if path.ends_with("boot.ipxe") {
        assert!(commands.iter().any(|l| l.starts_with("chain ")), "{path}: boot.ipxe chains the host's script");
        return;
    }
    let kernel = commands.iter().find(|l| l.starts_with("kernel "));
    let kernel = kernel.unwrap_or_else(|| panic!("{path}: no kernel line"));
    let seed = kernel.split_whitespace().find(|w| w.starts_with("ds=nocloud;s="));
    let seed = seed.unwrap_or_else(|| panic!("{path}: the kernel line has no ds=nocloud;s= seed"));
    assert!(seed.ends_with('/'), "{path}: cloud-init needs the seed URL to end with /: {seed}");
    assert!(kernel.contains(" initrd=initrd "), "{path}: UEFI kernels find the initrd by name");
    assert!(commands.iter().any(|l| l.starts_with("initrd --name initrd ")), "{path}: no initrd line");
    assert_eq!(commands.last(), Some(&"boot"), "{path}: `boot` must come last");
}

#[test]
fn ipxe_scripts_are_well_formed() {
    let mut hosts = 0;
    for (name, _, files) in compiled_examples() {
        assert!(files.contains_key("provisioning/tftp/boot.ipxe"), "{name}: every example boots through iPXE");
        for (path, body) in under(&files, "provisioning/tftp/").filter(|(p, _)| p.ends_with(".ipxe")) {
            check_ipxe(path, &body);
            hosts += usize::from(path.contains("/ipxe/"));
        }
    }
    assert!(hosts > 0, "no per-host iPXE script was checked");
}

#[test]
fn pxelinux_files_are_well_formed() {
    const KEYWORDS: &[&str] = &["DEFAULT", "LABEL", "KERNEL", "APPEND", "SAY", "LOCALBOOT", "ONERROR"];
    let mut checked = 0;
    for (_, _, files) in compiled_examples() {
        for (path, body) in under(&files, "provisioning/tftp/pxelinux.cfg/") {
            for line in body.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
                let word = line.split_whitespace().next().unwrap_or("");
                assert!(KEYWORDS.contains(&word), "{path}: unexpected PXELINUX keyword `{word}`");
            }
            // ONERROR runs a label when the kernel does not load: it must exist.
            for onerror in body.lines().filter_map(|l| l.trim().strip_prefix("ONERROR ")) {
                let label = format!("LABEL {}", onerror.trim());
                assert!(body.lines().any(|l| l.trim() == label), "{path}: ONERROR names no label: {onerror}");
            }
            if !path.ends_with("/default") {
                let append = body.lines().map(str::trim).find(|l| l.starts_with("APPEND initrd="));
                let append = append.unwrap_or_else(|| panic!("{path}: no APPEND initrd=…"));
                assert!(append.ends_with('/'), "{path}: the seed URL must end with /");
            }
            checked += 1;
        }
    }
    assert!(checked >= 2, "the examples should exercise PXELINUX");
}

#[test]
fn boot_plans_name_secrets_only() {
    let mut plans = 0;
    for (name, checked, files) in compiled_examples() {
        let Some(bytes) = files.get("provisioning/bmc/boot-plan.json") else { continue };
        let plan: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let hosts = plan["hosts"].as_array().unwrap_or_else(|| panic!("{name}: no hosts list"));
        let with_bmc = checked.site.hosts.iter().filter(|h| h.bmc.is_some()).count();
        assert_eq!(hosts.len(), with_bmc, "{name}: one entry per host with a BMC");
        for h in hosts {
            let keys: Vec<&str> = h.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, ["host", "fqdn", "bmc", "credentials_secret", "next_boot", "pxe_mac"], "{name}");
            let secret = h["credentials_secret"].as_object().unwrap();
            let keys: Vec<&str> = secret.keys().map(String::as_str).collect();
            assert_eq!(keys, ["name", "store", "path", "key"], "{name}: a reference, nothing else");
            let declared = checked.site.secrets.iter().find(|s| Some(s.name.as_str()) == secret["name"].as_str());
            let declared = declared.unwrap_or_else(|| panic!("{name}: {secret:?} names no declared secret"));
            assert_eq!(secret["store"], declared.store.as_str());
            assert_eq!(secret["path"], declared.path.as_str());
            if let Some(next) = h["next_boot"].as_object() {
                assert_eq!(next["device"], "pxe");
                assert!(next["mode"] == "uefi" || next["mode"] == "legacy", "{name}: {next:?}");
                assert_eq!(next["once"], true);
            }
        }
        assert!(bytes.ends_with(b"}\n"), "{name}: final newline");
        plans += 1;
    }
    assert!(plans >= 2, "the examples with BMCs should have boot plans");
}

/// Every place in a file a credential could hide: each line and each word.
fn credentials_in(body: &str) -> Vec<(usize, String, &'static str)> {
    let mut found = Vec::new();
    for (n, line) in body.lines().enumerate() {
        let words = line.split(|c: char| c.is_whitespace() || ",;=\"'".contains(c));
        for candidate in std::iter::once(line).chain(words) {
            if let Some(what) = credential_shape(candidate) {
                found.push((n + 1, candidate.to_string(), what));
            }
        }
    }
    found
}

#[test]
fn no_credentials_under_provisioning() {
    // The scan itself must see a credential where there is one.
    for planted in
        ["kernel http://x/vmlinuz token=ghp_0123456789abcdefghijABCDEFGHIJ0123456789", "server=https://u:pw@h/"]
    {
        assert!(!credentials_in(planted).is_empty(), "the scan misses the credential in {planted}");
    }
    for (name, _, files) in compiled_examples() {
        for (path, body) in under(&files, "provisioning/") {
            let found = credentials_in(&body);
            assert!(found.is_empty(), "{name}: {path} holds what looks like a credential: {found:?}");
        }
    }
}

//! The importers against real DeepOps and Nauta files (the shared
//! `fixtures/realworld/` folder, never edited: each test copies a fixture
//! set into a temporary folder and uncomments the host lines, as the
//! inventory's own header tells its user to).
//!
//! The contract checked here: every setting of the input — each inventory
//! row and variable, each top-level key of a YAML file, each `KEY=` line of
//! DGXie's env, each machines.json entry, each mig-parted config, and each
//! file the importer does not read — is mapped (its text then appears in the
//! compiled output), or is reported unmapped or refused, with `file:line`,
//! in the printed report. The settings are found here by reading the files,
//! not from the importer.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::support::{bosun, root, skip, text};

/// The shared fixtures, next to the repository (or where BOSUN_REALWORLD says).
pub fn realworld() -> Option<PathBuf> {
    let dir = std::env::var_os("BOSUN_REALWORLD")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/fixtures/realworld"));
    if dir.is_dir() {
        Some(dir)
    } else {
        skip(&format!("real-world import fixtures: {} is absent", dir.display()));
        None
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::write(&target, std::fs::read(e.path()).unwrap()).unwrap();
        }
    }
}

/// `#mgmt01     ansible_host=10.0.0.1` and `#gpu01` in a host section → uncommented;
/// `[all:vars]` examples stay commented (the header asks for host lines only).
pub fn uncomment_hosts(inventory: &Path) {
    let src = std::fs::read_to_string(inventory).unwrap();
    let row = regex::Regex::new(r"^#[A-Za-z0-9][A-Za-z0-9_.-]*(\s+ansible_host=\S+)?\s*$").unwrap();
    let mut section = String::new();
    let mut out = String::new();
    for l in src.lines() {
        if l.starts_with('[') {
            section = l.to_string();
        }
        let l = if !section.ends_with(":vars]") && row.is_match(l) { &l[1..] } else { l };
        out.push_str(l);
        out.push('\n');
    }
    std::fs::write(inventory, out).unwrap();
}

/// A fixture set copied into `dir`, host lines uncommented.
pub fn fixture(set: &str, dir: &Path) -> Option<PathBuf> {
    let src = realworld()?.join(set);
    if !src.is_dir() {
        skip(&format!("real-world import fixtures: {} is absent", src.display()));
        return None;
    }
    let to = dir.join(set);
    copy_dir(&src, &to);
    uncomment_hosts(&to.join("inventory"));
    Some(to)
}

/// `file:line` of every setting in a file, as its format defines one.
fn settings_of(path: &Path, rel: &str) -> Vec<String> {
    let Ok(src) = std::fs::read_to_string(path) else { return vec![path.display().to_string()] };
    let at = |i: usize| format!("{}:{}", path.display(), i + 1);
    let lines: Vec<(usize, &str)> = src.lines().enumerate().collect();
    let top_key = regex::Regex::new(r"^[A-Za-z_][A-Za-z0-9_.-]*\s*:").unwrap();
    let mut out = Vec::new();
    if rel == "inventory" {
        for (i, l) in &lines {
            let t = l.trim();
            if !t.is_empty() && !t.starts_with('#') && !t.starts_with('[') {
                out.push(at(*i));
            }
        }
    } else if rel == "pxe/env" {
        out.extend(lines.iter().filter(|(_, l)| !l.starts_with('#') && l.contains('=')).map(|(i, _)| at(*i)));
    } else if rel.ends_with("machines.json") {
        let entry = regex::Regex::new(r#"^\s{4}"[^"]+"\s*:\s*\{"#).unwrap();
        out.extend(lines.iter().filter(|(_, l)| entry.is_match(l)).map(|(i, _)| at(*i)));
    } else if rel == "nvidia-mig-config.yml" {
        let config = regex::Regex::new(r"^  [A-Za-z0-9][^:]*:").unwrap();
        out.extend(lines.iter().filter(|(_, l)| top_key.is_match(l) || config.is_match(l)).map(|(i, _)| at(*i)));
    } else if rel.starts_with("group_vars/") || rel.starts_with("host_vars/") || rel == "helm/dgxie.yml" {
        out.extend(lines.iter().filter(|(_, l)| top_key.is_match(l)).map(|(i, _)| at(*i)));
    } else {
        out.push(path.display().to_string());
    }
    out
}

fn files(dir: &Path, base: &Path, out: &mut Vec<(PathBuf, String)>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for e in entries {
        if e.is_dir() {
            files(&e, base, out);
        } else if !e.file_name().unwrap().to_string_lossy().starts_with('.') {
            out.push((e.clone(), e.strip_prefix(base).unwrap().to_string_lossy().into_owned()));
        }
    }
}

/// Every compiled file's text, for looking a mapped setting up.
fn compiled_text(site: &Path) -> String {
    let (checked, tree) = bosun::compile(site).unwrap();
    assert!(!checked.has_errors(), "the filled-in site does not pass check");
    let tree = tree.expect("the filled-in site compiles");
    tree.files.values().map(|b| String::from_utf8_lossy(b).into_owned()).collect::<Vec<_>>().join("\n")
}

/// Makes the fill-ins the report asks for that `bosun check` needs.
pub fn fill_in(site: &Path, report: &str) {
    let mut kdl = std::fs::read_to_string(site).unwrap();
    // The VIP: an unused address of the hosts' own network.
    let vip = kdl.split("address=\"").nth(1).and_then(|a| a.rsplit_once('.')).map(|(net, _)| format!("{net}.250"));
    if report.contains("fill in: several control-plane hosts: set `control-plane-endpoint`") {
        let vip = vip.as_deref().expect("a host address");
        kdl = kdl.replacen(
            "        pod-subnet",
            &format!("        control-plane-endpoint \"api.example.com:6443\"\n        control-plane-address \"{vip}\"\n        pod-subnet"),
            1,
        );
    } else if report.contains("fill in: several control-plane hosts: set `control-plane-address`") {
        let vip = vip.as_deref().expect("a host address");
        kdl = kdl.replacen(
            "        pod-subnet",
            &format!("        control-plane-address \"{vip}\"\n        pod-subnet"),
            1,
        );
    }
    // A refused MIG profile leaves `mig` without one; the user picks one (here: GPUs left whole).
    if report.contains("fill in: gpu-pool \"dgx\": MIG profile `") {
        kdl = kdl.replacen("mig strategy=\"mixed\"\n", "mig strategy=\"mixed\" profile=\"all-disabled\"\n", 1);
    }
    // What `slurmd -C` prints on the node, which DeepOps never writes down.
    let slurmd = regex::Regex::new(r"fill in: host (\S+) runs slurmd: write `cpu").unwrap();
    for c in slurmd.captures_iter(report) {
        let head = format!("host \"{}\" {{\n", &c[1]);
        let facts = "    cpu sockets=2 cores=64 threads=2\n    memory-mib 1031000\n";
        kdl = kdl.replacen(&head, &format!("{head}{facts}"), 1);
    }
    std::fs::write(site, kdl).unwrap();
}

/// The import of one fixture set, checked against the contract.
pub fn contract(dir: &Path, args: &[&str], inputs: &[(PathBuf, String)], imported: &bosun::import::Imported) -> String {
    let out = bosun(dir, args);
    let report = text(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{report}");
    let site = dir.join("site.kdl");
    // Every check error is one the report asked the user to fill in.
    let (checked, _) = bosun::compile(&site).unwrap();
    if checked.has_errors() {
        assert!(report.contains("fill in: "), "check fails with nothing to fill in:\n{report}");
    }
    fill_in(&site, &report);
    let compiled = compiled_text(&site);
    let kdl = std::fs::read_to_string(&site).unwrap();

    let mapped: BTreeSet<&str> = imported.mapped.iter().map(|m| m.at.as_str()).collect();
    let noted: BTreeSet<&str> = imported.unmapped.iter().chain(&imported.refused).map(|n| n.at.as_str()).collect();
    let mut missing = Vec::new();
    for (path, rel) in inputs {
        for at in settings_of(path, rel) {
            if noted.contains(at.as_str()) {
                assert!(report.contains(&format!("]: {at}: ")), "{at} is reported but not printed:\n{report}");
            } else if !mapped.contains(at.as_str()) {
                missing.push(at);
            }
        }
    }
    assert!(missing.is_empty(), "settings neither mapped nor reported nor refused: {missing:#?}\n{report}");
    for m in imported.mapped.iter().filter(|m| !m.shows_as.is_empty()) {
        assert!(
            compiled.contains(&m.shows_as) || kdl.contains(&m.shows_as),
            "{} ({}) is mapped to `{}`, which the compiled output does not hold",
            m.at,
            m.key,
            m.shows_as
        );
    }
    report
}

fn deepops(set: &str, extra: &[&str]) -> Option<(tempfile::TempDir, String, bosun::import::Imported)> {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = fixture(set, tmp.path())?;
    let mut inputs = Vec::new();
    files(&cfg, &cfg, &mut inputs);
    let paths = bosun::import::deepops::Paths::of_config(&cfg);
    let opts = bosun::import::deepops::Options { gpu_model: Some("A100-SXM4-80GB".into()), gpus_per_host: 8 };
    let imported = bosun::import::deepops::import(&paths, &opts).unwrap();
    let c = cfg.to_str().unwrap().to_string();
    let mut args = vec!["import", "deepops", "--config", c.as_str(), "--gpu-model", "A100-SXM4-80GB", "-o", "site.kdl"];
    args.extend(extra);
    let report = contract(tmp.path(), &args, &inputs, &imported);
    Some((tmp, report, imported))
}

fn first_lines(report: &str) -> String {
    report.lines().take(20).collect::<Vec<_>>().join("\n")
}

#[test]
fn deepops_26_07_every_setting_is_mapped_reported_or_refused() {
    let Some((_tmp, report, imported)) = deepops("deepops-26.07", &[]) else { return };
    let head = first_lines(&report);
    // What matters most comes first: the GPUs, then what bosun could not take.
    assert!(head.contains("summary: gpu-pool \"dgx\": gpu01, gpu02"), "{head}");
    assert!(head.contains("profile \"all-disabled\""), "{head}");
    assert!(head.contains("driver and toolkit off"), "{head}");
    assert!(head.contains("k8s_nfs_server"), "{head}");
    assert!(report.lines().last().unwrap().starts_with("count: ") || report.contains("\ncount: "), "{report}");
    assert!(!imported.mapped.is_empty());
}

#[test]
fn deepops_23_08_with_dgxie_every_setting_is_mapped_reported_or_refused() {
    let Some((_tmp, report, imported)) = deepops("deepops-23.08", &[]) else { return };
    let head = first_lines(&report);
    assert!(head.contains("summary: gpu-pool \"dgx\": gpu01, gpu02"), "{head}");
    assert!(head.contains("refused [network]: ") && head.contains("machines.json"), "{head}");
    // DGXie's network: pxe/env's NETWORK/NETMASK, gateway, range, lease.
    assert!(imported.mapped.iter().any(|m| m.at.ends_with("pxe/env:8") && m.shows_as == "192.168.1.0/24"));
    for env_line in ["pxe/env:26", "helm/dgxie.yml:34"] {
        assert!(imported.mapped.iter().any(|m| m.at.ends_with(env_line)), "{env_line} (HTTP_PORT, netPrvIp) unused");
    }
}

#[test]
fn nauta_virtualbox_every_setting_is_mapped_reported_or_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(dir) = fixture("nauta-virtualbox", tmp.path()) else { return };
    let (inv, cfg) = (dir.join("inventory"), dir.join("config.yml"));
    let imported = bosun::import::nauta::import_files(&inv, &cfg).unwrap();
    let inputs = vec![(inv.clone(), "inventory".to_string()), (cfg.clone(), "group_vars/config.yml".to_string())];
    let args =
        ["import", "nauta", "--inventory", inv.to_str().unwrap(), "--config", cfg.to_str().unwrap(), "-o", "site.kdl"];
    let report = contract(tmp.path(), &args, &inputs, &imported);
    assert!(report.contains("unmapped [security]: ") && report.contains("ansible_ssh_user=nauta"), "{report}");
}

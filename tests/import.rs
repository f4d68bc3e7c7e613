//! `bosun import nauta|deepops`: fixtures written from each project's
//! documented formats (tests/fixtures/import/), checked field by field on the
//! typed model of the imported site.

mod support;

#[path = "import/realworld.rs"]
mod realworld;

#[path = "import/cases.rs"]
mod cases;

use std::path::Path;

use serde_json::{Value, json};
use support::{bosun, root, text};

fn fixtures(name: &str) -> std::path::PathBuf {
    root().join("tests/fixtures/import").join(name)
}

fn j<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap()
}

/// Runs the importer, then checks and compiles the site it wrote.
fn import(dir: &Path, args: &[&str]) -> (bosun::Checked, String, String) {
    let out = bosun(dir, args);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    compiled(dir, stderr)
}

/// As [`import`], for a site that checks only once the fill-ins the report
/// asks for are made (Slurm's node facts, which DeepOps never writes down).
fn import_filled(dir: &Path, args: &[&str]) -> (bosun::Checked, String, String) {
    let out = bosun(dir, args);
    let stderr = text(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)) && stderr.contains("fill in: "), "{stderr}");
    realworld::fill_in(&dir.join("site.kdl"), &stderr);
    compiled(dir, stderr)
}

fn compiled(dir: &Path, stderr: String) -> (bosun::Checked, String, String) {
    let site = dir.join("site.kdl");
    let kdl = std::fs::read_to_string(&site).unwrap();
    let (checked, tree) = bosun::compile(&site).unwrap();
    assert!(tree.is_some(), "imported site does not compile:\n{kdl}");
    assert!(!checked.has_errors());
    // The writer's output is already canonical.
    assert_eq!(bosun::fmt::format_text(&kdl).unwrap(), kdl);
    (checked, kdl, stderr)
}

#[test]
fn nauta_inventory_and_config_land_field_by_field() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures("nauta");
    let (inv, cfg) = (f.join("inventory"), f.join("config.yaml"));
    let (checked, kdl, stderr) = import(
        dir.path(),
        &["import", "nauta", "--inventory", inv.to_str().unwrap(), "--config", cfg.to_str().unwrap(), "-o", "site.kdl"],
    );
    let site = &checked.site;
    let s = site.settings.as_ref().unwrap();
    assert_eq!(s.domain, "nauta");
    assert_eq!(s.nodes_domain.as_deref(), Some("lab007"));
    let k = s.kubernetes.as_ref().unwrap();
    assert_eq!(j(&k.pod_subnet), json!("10.3.0.0/16"));
    assert_eq!(j(&k.service_subnet), json!("10.4.0.0/16"));
    assert_eq!(k.cluster_domain, "kubernetes.nauta");
    assert_eq!(k.cert_san, ["mycluster1.domain.name", "mycluster2.domain.name"]);
    let audit = k.audit.as_ref().unwrap();
    assert_eq!((audit.max_age, audit.max_backup, audit.max_size), (14, 5, 512));
    let log = k.container_log.as_ref().unwrap();
    assert_eq!((log.max_size.as_deref(), log.max_files), (Some("5Gi"), Some(2)));
    assert_eq!(k.node_network.as_deref(), Some("internal"));
    assert_eq!(j(&s.dns.server), json!(["8.8.8.8", "8.8.4.4"]));
    assert_eq!(s.dns.search, ["example.com"]);
    let proxy = s.proxy.as_ref().unwrap();
    assert_eq!(proxy.http.as_deref(), Some("http://proxy.example.com:911"));
    assert_eq!(proxy.https.as_deref(), Some("http://proxy.example.com:911"));
    assert_eq!(proxy.no_proxy.as_deref(), Some("localhost,127.0.0.1,10.0.0.1,localhost,.nauta"));
    assert_eq!(s.registry.len(), 1);
    assert_eq!((s.registry[0].address.as_str(), s.registry[0].insecure), ("my.company.registry:9876", true));

    assert_eq!(site.networks.len(), 1);
    assert_eq!(j(&site.networks[0].cidr), json!("192.168.100.0/24"));
    let hosts: Vec<(&str, &str)> = site.hosts.iter().map(|h| (h.name.as_str(), h.role.as_str())).collect();
    assert_eq!(
        hosts,
        [
            ("master-0", "control-plane"),
            ("worker-0", "worker"),
            ("worker-1", "worker"),
            ("worker-3", "worker"),
            ("worker-4", "worker")
        ]
    );
    let ifaces = |name: &str| -> Vec<Value> {
        let h = site.hosts.iter().find(|h| h.name == name).unwrap();
        h.interface.iter().map(|i| json!([i.name, i.network, i.address, i.dhcp])).collect()
    };
    assert_eq!(
        ifaces("master-0"),
        [json!(["em2", "internal", "192.168.100.50", false]), json!(["em3", null, null, true])]
    );
    assert_eq!(
        ifaces("worker-1"),
        [
            json!(["p3p1", "internal", "192.168.100.55", false]),
            json!(["p3p2", null, null, false]),
            json!(["em1", null, null, true])
        ]
    );
    assert_eq!(ifaces("worker-4")[0], json!(["p3p1", "internal", "192.168.100.107", false]));
    let master = &site.hosts[0];
    assert_eq!(master.disk.len(), 1);
    assert_eq!((master.disk[0].device.as_str(), master.disk[0].mount.as_deref()), ("/dev/sdb1", Some("/data")));
    assert_eq!(j(&master.disk[0].use_), json!("local-data"));

    let nfs: Vec<(&str, &str, &str)> =
        site.storage.nfs.iter().map(|n| (n.name.as_str(), n.server.as_str(), n.path.as_str())).collect();
    assert_eq!(nfs, [("input", "192.168.100.20", "/exports/input"), ("output", "192.168.100.20", "/exports/output")]);

    // Passwords: a secret reference and a warning each, never the value.
    let secrets: Vec<&str> = site.secrets.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        secrets,
        ["ssh-password-master-0", "ssh-password-worker-0", "ssh-password-worker-1", "ssh-password-worker-4"]
    );
    assert!(!kdl.contains("YourPassword") && !kdl.contains("Your Password"), "{kdl}");
    assert!(!stderr.contains("YourPassword"), "{stderr}");
    for (host, line) in [("master-0", 5), ("worker-0", 9), ("worker-1", 11), ("worker-4", 15)] {
        assert!(
            stderr.contains(&format!("warning: {}:{line}: host `{host}`: plaintext ansible_ssh_pass", inv.display())),
            "{stderr}"
        );
    }
    // Nothing dropped silently: every unmapped setting with its line.
    for expected in [
        format!("{}:13: host `worker-3`: ansible_ssh_port=2222", inv.display()),
        format!("{}:13: host `worker-3`: ansible_ssh_private_key_file=/root/.ssh/nauta", inv.display()),
        format!("{}:5: host `master-0`: ansible_ssh_user=root", inv.display()),
        format!("{}:4: proxy.ftp_proxy", cfg.display()),
        format!("{}:43: features", cfg.display()),
        format!("{}:45: features_config", cfg.display()),
    ] {
        assert!(stderr.contains(&format!("]: {expected}")), "missing {expected:?} in\n{stderr}");
    }
    assert!(stderr.contains("max_file 1 became container-log max-files=2"), "{stderr}");
}

#[test]
fn nauta_defaults_fill_what_the_config_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    let f = fixtures("nauta");
    let (inv, cfg) = (f.join("minimal.inventory"), f.join("minimal.yaml"));
    let (checked, _, stderr) = import(
        dir.path(),
        &["import", "nauta", "--inventory", inv.to_str().unwrap(), "--config", cfg.to_str().unwrap(), "-o", "site.kdl"],
    );
    let s = checked.site.settings.as_ref().unwrap();
    assert_eq!((s.domain.as_str(), s.nodes_domain.as_deref()), ("nauta", Some("infra")));
    assert_eq!(s.kubernetes.as_ref().unwrap().cluster_domain, "kubernetes.nauta");
    assert_eq!(j(&s.kubernetes.as_ref().unwrap().pod_subnet), json!("10.3.0.0/16"));
    assert_eq!(j(&s.kubernetes.as_ref().unwrap().service_subnet), json!("10.4.0.0/16"));
    let a = s.kubernetes.as_ref().unwrap().audit.as_ref().unwrap();
    assert_eq!((a.max_age, a.max_backup, a.max_size), (7, 10, 1024));
    assert!(s.proxy.is_none());
    let nfs = &checked.site.storage.nfs;
    assert_eq!((nfs[0].server.as_str(), nfs[0].path.as_str()), ("10.0.0.5", "/data/nfs/input"));
    assert!(stderr.contains("fill in: ") && stderr.contains("local_data_path is not set"), "{stderr}");
}

#[test]
fn nauta_master_must_have_exactly_one_row() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("inv"), "[master]\n[worker]\nw ansible_ssh_host=10.0.0.2\n").unwrap();
    std::fs::write(dir.path().join("c.yaml"), "domain: x\n").unwrap();
    let out = bosun(dir.path(), &["import", "nauta", "--inventory", "inv", "--config", "c.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("exactly one row"), "{}", text(&out.stderr));
}

fn deepops_args<'a>(cfg: &'a str, extra: &[&'a str]) -> Vec<String> {
    let mut v: Vec<String> = ["import", "deepops", "--inventory"].iter().map(|s| s.to_string()).collect();
    v.push(format!("{cfg}/inventory"));
    v.push("--group-vars".into());
    v.push(format!("{cfg}/group_vars"));
    v.extend(extra.iter().map(|s| s.to_string()));
    v.push("-o".into());
    v.push("site.kdl".into());
    v
}

#[test]
fn deepops_config_folder_imports_with_gpu_pool_and_scheduler_split() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fixtures("deepops").join("config");
    let cfg = cfg.to_str().unwrap();
    let (dhcp, machines) = (format!("{cfg}/dhcpd.hosts.conf"), format!("{cfg}/machines.json"));
    let args = deepops_args(cfg, &["--dhcp-hosts", &dhcp, "--machines", &machines, "--gpu-model", "A100-SXM4-40GB"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (checked, kdl, stderr) = import_filled(dir.path(), &args);
    let site = &checked.site;
    let role = |n: &str| site.hosts.iter().find(|h| h.name == n).unwrap();
    for (h, r) in [("mgmt01", "control-plane"), ("mgmt03", "control-plane"), ("login01", "login"), ("dgx01", "worker")]
    {
        assert_eq!(role(h).role.as_str(), r, "{h}");
    }
    // Every DGX in the GPU pool; Kubernetes DGX on k8s, Slurm DGX on slurm.
    let pool = &site.pools[0];
    assert_eq!((pool.name.as_str(), pool.model.as_str(), pool.gpus_per_host), ("dgx", "A100-SXM4-40GB", 8));
    assert_eq!(j(&pool.mig.as_ref().unwrap().strategy), json!("mixed"));
    for (h, sched) in [("dgx01", "k8s"), ("dgx02", "k8s"), ("dgx03", "slurm"), ("dgx04", "slurm")] {
        assert_eq!(role(h).gpu_pool.as_deref(), Some("dgx"), "{h}");
        assert_eq!(j(&role(h).scheduler), json!(sched), "{h}");
    }
    // Addresses, bonds, MACs and PXE images.
    let dgx01 = role("dgx01");
    assert_eq!(j(&dgx01.interface[0].address), json!("192.168.1.101"));
    assert_eq!(j(&dgx01.interface[0].mac), json!("7c:c2:55:9a:01:10"));
    assert_eq!(dgx01.interface[0].pxe, Some(true));
    assert_eq!(dgx01.image.as_deref(), Some("dgx01"));
    assert_eq!((dgx01.bond[0].members.text.as_str(), dgx01.bond[0].network.as_deref()), ("ib0 ib1", Some("ib")));
    assert_eq!(j(&dgx01.bond[0].address), json!("10.10.0.101"));
    assert_eq!(j(&role("login01").interface[0].mac), json!("ac:1f:6b:20:20:01"));
    assert!(role("dgx03").image.is_none(), "no machines.json entry for dgx03");
    let s = site.settings.as_ref().unwrap();
    assert_eq!(s.kubernetes.as_ref().unwrap().version, "1.32.3");
    assert_eq!(
        s.kubernetes.as_ref().unwrap().control_plane_endpoint.as_ref().map(ToString::to_string).as_deref(),
        Some("api.pod1.deepops:6443")
    );
    assert_eq!(j(&s.kubernetes.as_ref().unwrap().pod_subnet), json!("10.233.64.0/18"));
    assert_eq!(s.kubernetes.as_ref().unwrap().cert_san, ["mgmt.dgx.example.com", "192.168.1.5"]);
    assert_eq!(j(&s.dns.server), json!(["192.168.1.10", "8.8.8.8"]));
    assert!(site.packs.iter().any(|p| p.name == "gpu-operator"));
    let slurm = s.slurm.as_ref().unwrap();
    assert_eq!((slurm.cluster_name.as_deref(), slurm.controller.as_str()), (Some("deepops"), "login01"));
    // Passwords and what did not map.
    assert!(!kdl.contains("DgxUser123") && !kdl.contains("ChangeMe123"), "{kdl}");
    assert!(!stderr.contains("DgxUser123") && !stderr.contains("ChangeMe123"), "{stderr}");
    assert!(stderr.contains("config/inventory:13: host dgx04: plaintext password"), "{stderr}");
    assert!(stderr.contains("group_vars/all.yml:2: ansible_become_pass"), "{stderr}");
    for want in [
        "group_vars/all.yml:13: deepops_dir",
        "dhcpd.hosts.conf:7: dhcp-option",
        "config/inventory:74: ansible_user: dgxuser",
        "config/machines.json:14: machine dgx-example",
    ] {
        assert!(stderr.contains(want), "missing {want:?} in\n{stderr}");
    }
}

#[test]
fn deepops_without_a_gpu_model_still_checks_and_says_what_to_fill_in() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = fixtures("deepops").join("config");
    let args = deepops_args(cfg.to_str().unwrap(), &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let (checked, _, stderr) = import_filled(dir.path(), &args);
    assert!(checked.site.pools[0].mig.is_none());
    assert!(stderr.contains("fill in: MIG strategy `mixed` from group_vars needs the GPU model"), "{stderr}");
}

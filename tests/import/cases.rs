//! One test per meaning the DeepOps and Nauta importers used to change
//! without a word. Each starts from a real fixture set (copied, host lines
//! uncommented) and changes the copy only as far as the case needs; each
//! has a counterpart input that must give the other answer, so none can
//! pass by accident.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::realworld::{fill_in, fixture};
use super::support::{bosun, text};

struct Run {
    report: String,
    kdl: String,
    site: bosun::model::Site,
    files: BTreeMap<String, String>,
}

/// Imports a DeepOps config folder with the CLI, makes the fill-ins, compiles.
fn import(dir: &Path, cfg: &Path, extra: &[&str]) -> Run {
    let c = cfg.to_str().unwrap();
    let mut args = vec!["import", "deepops", "--config", c, "-o", "site.kdl"];
    args.extend(extra);
    let out = bosun(dir, &args);
    let report = text(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{report}");
    let site = dir.join("site.kdl");
    fill_in(&site, &report);
    let kdl = std::fs::read_to_string(&site).unwrap();
    let (checked, tree) = bosun::compile(&site).unwrap();
    assert!(!checked.has_errors(), "{report}\n{kdl}");
    let files =
        tree.expect("compiles").files.into_iter().map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned())).collect();
    Run { report, kdl, site: checked.site, files }
}

fn edit(path: &Path, from: &str, to: &str) {
    let s = std::fs::read_to_string(path).unwrap();
    assert!(s.contains(from), "{} has no {from:?}", path.display());
    std::fs::write(path, s.replacen(from, to, 1)).unwrap();
}

fn append(path: &Path, text: &str) {
    let mut s = std::fs::read_to_string(path).unwrap_or_default();
    s.push_str(text);
    std::fs::write(path, s).unwrap();
}

fn yaml(text: &str) -> Value {
    serde_norway::from_str(text).unwrap()
}

fn setup(set: &str) -> Option<(tempfile::TempDir, PathBuf)> {
    let tmp = tempfile::tempdir().unwrap();
    let cfg = fixture(set, tmp.path())?;
    Some((tmp, cfg))
}

const MODEL: &[&str] = &["--gpu-model", "A100-SXM4-80GB"];

#[test]
fn mig_all_disabled_stays_disabled_and_a_partitioning_profile_is_kept() {
    let Some((tmp, cfg)) = setup("deepops-26.07") else { return };
    let r = import(tmp.path(), &cfg, MODEL);
    let mig = r.site.pools[0].mig.as_ref().unwrap();
    assert_eq!(mig.profile.as_deref(), Some("all-disabled"), "{}", r.kdl);
    assert!(r.files["kubeadm/gpu01.yaml"].contains("nvidia.com/mig.config=all-disabled"));
    assert!(!r.files.values().any(|f| f.contains("all-balanced")));
    // The counterpart: a profile that partitions is carried as written.
    edit(&cfg.join("group_vars/all.yml"), "mig_manager_profile: all-disabled", "mig_manager_profile: all-1g.10gb");
    let r = import(tmp.path(), &cfg, MODEL);
    assert!(r.files["kubeadm/gpu01.yaml"].contains("nvidia.com/mig.config=all-1g.10gb"));
}

#[test]
fn a_custom_mig_parted_config_becomes_the_pools_layout_or_is_refused() {
    let Some((tmp, cfg)) = setup("deepops-26.07") else { return };
    let all = cfg.join("group_vars/all.yml");
    edit(&all, "mig_manager_profile: all-disabled", "mig_manager_profile: all-balanced-a100-80");
    let r = import(tmp.path(), &cfg, MODEL);
    let mig = r.site.pools[0].mig.as_ref().unwrap();
    let devices: Vec<(&str, u32)> = mig.device.iter().map(|d| (d.size.as_str(), d.count)).collect();
    assert_eq!(devices, [("1g.10gb", 2), ("2g.20gb", 1), ("3g.40gb", 1)]);
    let parted = yaml(&r.files["cluster/gpu/configmap-gpu-operator.mig-parted-config.yaml"]);
    let configs = yaml(parted["data"]["config.yaml"].as_str().unwrap());
    assert_eq!(
        configs["mig-configs"]["all-balanced-a100-80"][0]["mig-devices"],
        json!({"1g.10gb": 2, "2g.20gb": 1, "3g.40gb": 1})
    );
    assert!(r.files["kubeadm/gpu01.yaml"].contains("nvidia.com/mig.config=all-balanced-a100-80"));
    // A config that splits GPUs by index cannot be a pool's layout: refused, and the pool keeps none.
    edit(&all, "mig_manager_profile: all-balanced-a100-80", "mig_manager_profile: custom-config-a100-80");
    let r = import(tmp.path(), &cfg, MODEL);
    assert!(
        r.report.contains("custom-config-a100-80: `custom-config-a100-80` splits GPUs differently by index"),
        "{}",
        r.report
    );
    assert!(
        r.report.contains("fill in: gpu-pool \"dgx\": MIG profile `custom-config-a100-80` refused"),
        "{}",
        r.report
    );
}

#[test]
fn a_preinstalled_driver_turns_the_operators_driver_off() {
    let Some((tmp, cfg)) = setup("deepops-26.07") else { return };
    let r = import(tmp.path(), &cfg, MODEL);
    let values = yaml(&r.files["packs/gpu-operator/values.yaml"]);
    assert_eq!((&values["driver"]["enabled"], &values["toolkit"]["enabled"]), (&json!(false), &json!(false)));
    edit(
        &cfg.join("group_vars/k8s_cluster.yml"),
        "gpu_operator_preinstalled_nvidia_software: true",
        "gpu_operator_preinstalled_nvidia_software: false",
    );
    let r = import(tmp.path(), &cfg, MODEL);
    let values = yaml(&r.files["packs/gpu-operator/values.yaml"]);
    assert_eq!(values["driver"]["enabled"], json!(true));
}

#[test]
fn a_host_in_kube_node_and_slurm_node_runs_both_and_slurm_master_is_the_controller() {
    let Some((tmp, cfg)) = setup("deepops-26.07") else { return };
    let r = import(tmp.path(), &cfg, MODEL);
    let host = |n: &str| r.site.hosts.iter().find(|h| h.name == n).unwrap();
    assert_eq!(
        (host("gpu01").role.as_str(), serde_json::to_value(host("gpu01").scheduler).unwrap()),
        ("worker", json!("both"))
    );
    assert!(host("gpu01").runs_kubernetes() && host("gpu01").runs_slurmd());
    let slurm = r.site.settings.as_ref().unwrap().slurm.as_ref().expect("a slurm block");
    assert_eq!((slurm.controller.as_str(), slurm.backup_controller.as_deref()), ("login01", None));
    assert_eq!(slurm.munge_key.as_deref(), Some("munge-key"));
    let acct = slurm.accounting.as_ref().unwrap();
    assert_eq!((acct.host.as_str(), acct.password_from.as_str()), ("login01", "slurmdbd-db"));
    assert!(r.site.secrets.iter().any(|s| s.name == "munge-key"), "{}", r.kdl);
    assert!(r.files["slurm/slurm.conf"].contains("SlurmctldHost=login01"), "{}", r.files["slurm/slurm.conf"]);
    assert!(r.files["slurm/slurm.conf"].contains("NodeName=gpu[01-02]"), "{}", r.files["slurm/slurm.conf"]);
    assert!(r.report.contains("fill in: host gpu01 runs slurmd: write `cpu"), "{}", r.report);
    assert!(!r.report.contains("no Slurm model"), "{}", r.report);
    assert!(!r.kdl.contains("ReplaceWithASecure") && !r.report.contains("ReplaceWithASecure"), "{}", r.kdl);
    // What bosun does not set up is still said, per host, with its line.
    let line = format!("{}:16: host gpu01: in slurm-nfs-client", cfg.join("inventory").display());
    assert!(r.report.contains(&line), "{line} missing in\n{}", r.report);
    // slurm-master is never a Kubernetes worker: it is the login node it is (slurm-login).
    assert_eq!(host("login01").role.as_str(), "login");
    // The counterpart: a host in slurm-node only runs Slurm; a second slurm-master is the backup;
    // a cluster name in group_vars names the cluster.
    edit(&cfg.join("inventory"), "[kube_node]\ngpu01\n", "[kube_node]\n");
    edit(&cfg.join("inventory"), "[slurm-master]\nlogin01\n", "[slurm-master]\nlogin01\nmgmt01\n");
    edit(&cfg.join("group_vars/slurm-cluster.yml"), "#slurm_cluster_name: deepops", "slurm_cluster_name: dgx-east");
    let r = import(tmp.path(), &cfg, MODEL);
    let gpu01 = r.site.hosts.iter().find(|h| h.name == "gpu01").unwrap();
    assert_eq!(serde_json::to_value(gpu01.scheduler).unwrap(), json!("slurm"));
    let slurm = r.site.settings.as_ref().unwrap().slurm.as_ref().unwrap();
    assert_eq!(slurm.backup_controller.as_deref(), Some("mgmt01"));
    assert_eq!(slurm.cluster_name.as_deref(), Some("dgx-east"));
    assert!(r.files["slurm/slurm.conf"].contains("ClusterName=dgx-east"), "{}", r.files["slurm/slurm.conf"]);
}

#[test]
fn a_control_plane_host_in_kube_node_is_untainted() {
    let Some((tmp, cfg)) = setup("deepops-26.07") else { return };
    edit(&cfg.join("inventory"), "[kube_node]\n", "[kube_node]\nmgmt01\n");
    let r = import(tmp.path(), &cfg, MODEL);
    let taint = "node-role.kubernetes.io/control-plane";
    assert!(r.kdl.contains("control-plane-taint #false"), "{}", r.kdl);
    assert!(!r.files["kubeadm/mgmt01.yaml"].contains(taint), "{}", r.files["kubeadm/mgmt01.yaml"]);
    assert!(r.files["kubeadm/mgmt02.yaml"].contains(taint));
    assert!(r.report.contains("mgmt01 untainted"), "{}", r.report);
}

#[test]
fn group_vars_apply_per_group_with_ansible_precedence() {
    let Some((tmp, cfg)) = setup("deepops-26.07") else { return };
    let gv = cfg.join("group_vars");
    // all < k8s_cluster: the child's value wins on every Kubernetes host, and all.yml's is said to lose.
    append(&gv.join("all.yml"), "kube_pods_subnet: 10.50.0.0/16\n");
    append(&gv.join("k8s_cluster.yml"), "kube_pods_subnet: 10.60.0.0/16\n");
    let r = import(tmp.path(), &cfg, MODEL);
    let k = r.site.settings.as_ref().unwrap().kubernetes.as_ref().unwrap();
    assert_eq!(serde_json::to_value(k.pod_subnet).unwrap(), json!("10.60.0.0/16"));
    assert!(r.report.contains("kube_pods_subnet: overridden by"), "{}", r.report);
    // slurm-cluster.yml reaches gpu01/gpu02 but not mgmt01–03: a site-wide value that differs is reported, not picked.
    append(&gv.join("slurm-cluster.yml"), "kube_pods_subnet: 10.70.0.0/16\n");
    let r = import(tmp.path(), &cfg, MODEL);
    let k = r.site.settings.as_ref().unwrap().kubernetes.as_ref().unwrap();
    assert_eq!(
        serde_json::to_value(k.pod_subnet).unwrap(),
        json!("10.233.64.0/18"),
        "Kubespray's default, as a fill-in"
    );
    assert!(r.report.contains("kube_pods_subnet: differs between groups"), "{}", r.report);
    assert!(r.report.contains("fill in: kube_pods_subnet is not set for every Kubernetes host"), "{}", r.report);
    // host_vars beat every group: NTP for one host only differs from the rest.
    append(&cfg.join("host_vars/gpu01"), "chrony_config_server: [10.0.0.254]\n");
    let r = import(tmp.path(), &cfg, MODEL);
    assert!(r.site.settings.as_ref().unwrap().ntp.is_empty(), "{}", r.kdl);
    assert!(r.report.contains("host_vars/gpu01:7: chrony_config_server: differs between groups"), "{}", r.report);
}

#[test]
fn jinja_values_are_never_split_and_say_what_to_write_instead() {
    let Some((tmp, cfg)) = setup("deepops-26.07") else { return };
    let r = import(tmp.path(), &cfg, MODEL);
    let s = r.site.settings.as_ref().unwrap();
    assert!(s.registry.is_empty(), "a Jinja list was split into registries: {}", r.kdl);
    assert!(!r.kdl.contains("{{") && !r.kdl.contains("31500"), "{}", r.kdl);
    let line = format!(
        "{}:56: k8s_nfs_server: {{{{ groups[\"kube_control_plane\"][0] }}}} — computed by Ansible at run time",
        cfg.join("group_vars/k8s_cluster.yml").display()
    );
    assert!(r.report.contains(&line), "{line}\n{}", r.report);
    assert!(r.report.contains("write `storage { nfs \"deepops\" server="), "{}", r.report);
    // The counterpart: a literal server makes the NFS backend and its class.
    edit(
        &cfg.join("group_vars/k8s_cluster.yml"),
        "k8s_nfs_server: '{{ groups[\"kube_control_plane\"][0] }}'",
        "k8s_nfs_server: 10.0.0.1",
    );
    let r = import(tmp.path(), &cfg, MODEL);
    let nfs = &r.site.storage.nfs[0];
    assert_eq!((nfs.server.as_str(), nfs.path.as_str()), ("10.0.0.1", "/export/deepops_nfs"));
}

#[test]
fn map_form_containerd_registries_are_read_like_the_list_form() {
    let Some((tmp, cfg)) = setup("deepops-26.07") else { return };
    append(
        &cfg.join("group_vars/all.yml"),
        "containerd_insecure_registries:\n  \"10.0.0.1:5000\": \"http://10.0.0.1:5000\"\n  \"registry.local:31500\": \"http://registry.local:31500\"\n",
    );
    let r = import(tmp.path(), &cfg, MODEL);
    let regs: Vec<(&str, bool)> =
        r.site.settings.as_ref().unwrap().registry.iter().map(|g| (g.address.as_str(), g.insecure)).collect();
    assert_eq!(regs, [("10.0.0.1:5000", true), ("registry.local:31500", true)]);
    assert!(r.files.values().any(|f| f.contains("registry.local:31500")));
}

#[test]
fn dgxie_http_port_variables_and_go_templates_are_refused() {
    let Some((tmp, cfg)) = setup("deepops-23.08") else { return };
    // A lease that DGXie's dgx-1 entry (mac "d8:c4:97.*") matches.
    std::fs::write(cfg.join("dhcpd.hosts.conf"), "dhcp-host=d8:c4:97:00:00:01,gpu01,10.0.2.1\n").unwrap();
    let r = import(tmp.path(), &cfg, MODEL);
    let machines = cfg.join("pxe/machines/machines.json");
    let line = format!(
        "refused [network]: {}:15: machine dgx-1-example: its kernel `http://localhost:13370/",
        machines.display()
    );
    assert!(r.report.contains(&line), "{line}\n{}", r.report);
    assert!(r.site.images.is_empty() && !r.kdl.contains('$') && !r.kdl.contains("{{"), "{}", r.kdl);
    // Without pxe/env, `$HTTP_PORT` cannot be resolved.
    std::fs::remove_file(cfg.join("pxe/env")).unwrap();
    let r = import(tmp.path(), &cfg, MODEL);
    assert!(
        r.report.contains("machine dgx-1-example: its kernel uses `$HTTP_PORT`, which DGXie's env does not set"),
        "{}",
        r.report
    );
    // A reachable kernel with a `{{ URL … }}` cmdline: refused with a hint.
    edit(
        &machines,
        "\"kernel\": \"http://localhost:$HTTP_PORT/iso/install/netboot/ubuntu-installer/amd64/linux\",\n        \"initrd\": [\"http://localhost:$HTTP_PORT/iso/install/netboot/ubuntu-installer/amd64/initrd.gz\"],\n        \"cmdline\": \"quiet url={{ URL \\\"http://localhost:$HTTP_PORT/dgx.seed\\\" }} ramdisk_size=100000 locale=en_US.UTF-8 auto=true priority=critical kbd-chooser/method=us netcfg/choose_interface=enp1s0f0 netcfg/get_hostname=dgx-server netcfg/dhcp_timeout=120\",\n        \"message\": \"DGX-1",
        "\"kernel\": \"http://192.168.1.1/linux\",\n        \"initrd\": [\"http://192.168.1.1/initrd.gz\"],\n        \"cmdline\": \"url={{ URL \\\"http://192.168.1.1/dgx.seed\\\" }}\",\n        \"message\": \"DGX-1",
    );
    let r = import(tmp.path(), &cfg, MODEL);
    assert!(r.report.contains("machine dgx-1-example: its cmdline holds a Go template"), "{}", r.report);
    // The counterpart: the same entry with a plain URL becomes gpu01's image.
    edit(&machines, "url={{ URL \\\"http://192.168.1.1/dgx.seed\\\" }}", "url=http://192.168.1.1/dgx.seed");
    let r = import(tmp.path(), &cfg, MODEL);
    let gpu01 = r.site.hosts.iter().find(|h| h.name == "gpu01").unwrap();
    assert_eq!(gpu01.image.as_deref(), Some("dgx-1-example"), "{}", r.report);
}

#[test]
fn a_mistyped_credential_key_is_never_printed() {
    let Some((tmp, cfg)) = setup("deepops-26.07") else { return };
    edit(
        &cfg.join("inventory"),
        "gpu02      ansible_host=10.0.2.2",
        "gpu02      ansible_host=10.0.2.2 pass=YourPassword",
    );
    let r = import(tmp.path(), &cfg, MODEL);
    assert!(!r.report.contains("YourPassword") && !r.kdl.contains("YourPassword"), "{}", r.report);
    assert!(r.report.contains("host gpu02: plaintext password (pass)"), "{}", r.report);
    let Some(dir) = fixture("nauta-virtualbox", tmp.path()) else { return };
    let inv = dir.join("inventory");
    edit(
        &inv,
        "ansible_ssh_user=nauta internal_interface=eth1 external_interface=eth1\n",
        "ansible_ssh_user=nauta pass=YourPassword passwrd=Hunter2 internal_interface=eth1\n",
    );
    append(&dir.join("config.yml"), "admin_pass: YourPassword\n");
    let out = bosun(
        tmp.path(),
        &[
            "import",
            "nauta",
            "--inventory",
            inv.to_str().unwrap(),
            "--config",
            dir.join("config.yml").to_str().unwrap(),
            "-o",
            "n.kdl",
        ],
    );
    let report = text(&out.stderr);
    let kdl = std::fs::read_to_string(tmp.path().join("n.kdl")).unwrap();
    for secret in ["YourPassword", "Hunter2"] {
        assert!(!report.contains(secret) && !kdl.contains(secret), "{report}\n{kdl}");
    }
    assert!(report.contains("plaintext pass replaced by secret"), "{report}");
}

#[test]
fn nauta_nfs_under_nauta_extra_configuration_is_read_not_contradicted() {
    let Some((tmp, cfg)) = setup("nauta-virtualbox") else { return };
    let config = cfg.join("config.yml");
    append(
        &config,
        "nauta_extra_configuration:\n  input_nfs:\n    server: 10.0.2.20\n    path: /exports/input\n  output_nfs:\n    server: 10.0.2.20\n    path: /exports/output\n",
    );
    let inv = cfg.join("inventory");
    let out = bosun(
        tmp.path(),
        &[
            "import",
            "nauta",
            "--inventory",
            inv.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "-o",
            "site.kdl",
        ],
    );
    let report = text(&out.stderr);
    let (checked, _) = bosun::compile(&tmp.path().join("site.kdl")).unwrap();
    let nfs: Vec<(&str, &str)> =
        checked.site.storage.nfs.iter().map(|n| (n.server.as_str(), n.path.as_str())).collect();
    assert_eq!(nfs, [("10.0.2.20", "/exports/input"), ("10.0.2.20", "/exports/output")]);
    assert!(!report.contains("input_nfs is not set"), "{report}");
}

//! `bosun explain`: derived facts and contributed files, on the dgx-pod example.

mod support;

use support::{bosun, root, text};

fn explain(args: &[&str]) -> (Option<i32>, String, String) {
    let dir = root().join("site-examples/dgx-pod");
    let mut all = vec!["explain", "site.kdl"];
    all.extend(args);
    let out = bosun(&dir, &all);
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

#[test]
fn host_shows_fqdn_addresses_labels_taints_and_its_files() {
    let (code, out, err) = explain(&["host", "dgx-01"]);
    assert_eq!(code, Some(0), "{err}");
    for want in [
        "fqdn            dgx-01.pod1.deepops",
        "address         192.168.1.101",
        "bond            bond0 (active-backup of ib0 ib1) on data 10.10.0.101",
        "workload=interactive (from pool a100-mig)",
        "taints          nvidia.com/gpu=present:NoSchedule (from pool a100-mig)",
        "  kubeadm/dgx-01.yaml\n",
        "  provisioning/cloud-init/dgx-01/user-data\n",
        "  provisioning/dnsmasq/dnsmasq.conf (",
    ] {
        assert!(out.contains(want), "missing {want:?} in\n{out}");
    }
    // Whole words only: dgx-01 is not dgx-010, and no other host's files.
    assert!(!out.contains("dgx-02"), "{out}");
}

#[test]
fn team_pool_and_pack_facts() {
    let (_, team, _) = explain(&["team", "notebooks"]);
    for want in [
        "namespace       ds-notebooks",
        "gpu 70 from pool a100-mig",
        "ClusterQueue notebooks; LocalQueue default in ds-notebooks",
        "cluster/namespaces/namespace-ds-notebooks.yaml",
        "cluster/queues/clusterqueue-notebooks.yaml",
    ] {
        assert!(team.contains(want), "missing {want:?} in\n{team}");
    }
    let (_, pool, _) = explain(&["pool", "a100-mig"]);
    assert!(pool.contains("capacity        112 quota units (7 per GPU)"), "{pool}");
    assert!(pool.contains("quota from      notebooks (70), inference (42)"), "{pool}");
    let (_, pack, _) = explain(&["pack", "gpu-operator"]);
    assert!(pack.contains("packs/gpu-operator/values.yaml"), "{pack}");
}

#[test]
fn unknown_names_get_a_suggestion() {
    let (code, _, err) = explain(&["host", "dgx-1"]);
    assert_eq!(code, Some(1));
    assert!(err.contains("no host `dgx-1` (did you mean `dgx-01`?)"), "{err}");
}

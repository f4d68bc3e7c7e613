//! The hosts, the NFS storage DeepOps deploys for Kubernetes, and the
//! secrets that replace plaintext Ansible passwords.

use super::super::Imported;
use super::super::credentials::{self, SecretNames};
use super::super::emit::{V, Writer};
use super::super::ini::Inventory;
use super::super::values::scalar;
use super::Ctx;
use super::gpu::POOL;
use super::network::{Boot, Nets};
use crate::packs::catalog;

/// Inventory host variables the importer maps.
const HOST_VARS: &[&str] = &["ansible_host", "ansible_ssh_host", "ib_bond_addr"];

/// Ansible passwords that become secrets wherever they are set.
const PASSWORD_KEYS: &[&str] =
    &["ansible_password", "ansible_ssh_pass", "ansible_become_pass", "ansible_become_password"];

pub fn write(
    cx: &mut Ctx,
    inv: &Inventory,
    inv_name: &str,
    nets: &Nets,
    boot: &mut Boot,
    w: &mut Writer,
    out: &mut Imported,
) {
    for s in &inv.sections {
        for row in s.hosts.iter().filter(|r| !r.name.is_empty()) {
            out.map(format!("{inv_name}:{}", row.line), "host", row.name.clone());
        }
        // `[group:children]` lines make the groups the roles come from; they leave no text of their own.
        for (child, _, l) in s.entries.iter().filter(|_| s.name.ends_with(":children")) {
            out.map(format!("{inv_name}:{l}"), child, "");
        }
    }
    let nic = boot.net.nic.clone();
    let disk = boot.net.disk.clone();
    for h in &cx.hosts {
        w.blank();
        w.open("host", &[h.name.as_str().into()], &[]);
        w.node("role", &[h.role.into()], &[]);
        if h.schedulable {
            w.comment("also in kube_node: Kubespray leaves it schedulable");
            w.node("control-plane-taint", &[false.into()], &[]);
        }
        if h.gpu {
            w.node("gpu-pool", &[POOL.into()], &[]);
        }
        if h.slurm {
            w.comment("slurm-node, not kube_node");
            w.node("scheduler", &["slurm".into()], &[]);
        }
        if h.both {
            w.comment("kube_node and slurm-node: one scheduler at a time, as DeepOps's doctl.sh switches it");
            w.node("scheduler", &["both".into()], &[]);
        }
        let machine = boot.host_machine.get(&h.name).copied();
        if let Some(i) = machine {
            w.node("image", &[super::super::nauta::sanitize(&boot.machines[i].name).into()], &[]);
            match &disk {
                Some((d, at)) => {
                    w.node("install-disk", &[d.into()], &[]);
                    boot.used(at, d);
                }
                None => {
                    out.todo.push(format!("host {}: set `install-disk` (DeepOps' installer chose the disk)", h.name))
                }
            }
        }
        let mut props: Vec<(&str, V)> = Vec::new();
        if let Some(m) = &h.mac {
            props.push(("mac", m.into()));
        }
        if let (Some(a), Some(_)) = (h.address, &nets.mgmt) {
            props.push(("network", "mgmt".into()));
            props.push(("address", a.to_string().into()));
        }
        match machine {
            Some(_) => props.push(("pxe", true.into())),
            None if nets.mgmt_boots => props.push(("pxe", false.into())),
            None => {}
        }
        let name = match (&nic, machine) {
            (Some((n, at)), Some(_)) => {
                boot.used(at, n);
                n.clone()
            }
            _ => "eth0".to_string(),
        };
        if !props.is_empty() {
            w.node("interface", &[name.into()], &props);
        }
        if let (Some(a), Some(_)) = (h.ib, &nets.ib) {
            w.node("interface", &["ib0".into()], &[]);
            w.node("interface", &["ib1".into()], &[]);
            let bond: Vec<(&str, V)> = vec![
                ("mode", "active-backup".into()),
                ("members", "ib0 ib1".into()),
                ("network", "ib".into()),
                ("address", a.to_string().into()),
            ];
            w.node("bond", &["bond0".into()], &bond);
        }
        w.close();
    }
    let count = |r: &str| cx.hosts.iter().filter(|h| h.role == r).count();
    let open: Vec<&str> = cx.hosts.iter().filter(|h| h.schedulable).map(|h| h.name.as_str()).collect();
    let on = |f: fn(&super::inventory::Host) -> bool| -> Vec<&str> {
        cx.hosts.iter().filter(|h| f(h)).map(|h| h.name.as_str()).collect()
    };
    let slurm = [(on(|h| h.slurm), "on Slurm"), (on(|h| h.both), "on Kubernetes and Slurm")]
        .into_iter()
        .filter(|(hs, _)| !hs.is_empty())
        .map(|(hs, what)| format!("{} {what}", hs.join(", ")))
        .collect::<Vec<_>>()
        .join("; ");
    out.summary.push(format!(
        "{} hosts: {} control-plane{}, {} worker{}, {} login, {} management",
        cx.hosts.len(),
        count("control-plane"),
        if open.is_empty() { String::new() } else { format!(" ({} untainted: also in kube_node)", open.join(", ")) },
        count("worker"),
        if slurm.is_empty() { String::new() } else { format!(" ({slurm})") },
        count("login"),
        count("management")
    ));
    out.todo.push("interfaces are named eth0 (and ib0/ib1 under bond0): DeepOps does not record interface names; rename them to the OS names".into());
    host_row_vars(cx, inv, inv_name, out);
}

/// Host variables on inventory rows: mapped, a credential, or reported.
fn host_row_vars(cx: &Ctx, inv: &Inventory, inv_name: &str, out: &mut Imported) {
    for s in &inv.sections {
        for row in &s.hosts {
            for (k, v, l) in &row.vars {
                let at = format!("{inv_name}:{l}");
                if HOST_VARS.contains(&k.as_str()) {
                    let known = cx.hosts.iter().any(|h| h.name == row.name);
                    if known && !v.is_empty() {
                        out.map(at, k, v.clone());
                    }
                } else if !credentials::is_credential(k) {
                    out.unmapped(at, k, format!("host {}: {}", row.name, credentials::pair(k, "=", v)));
                }
            }
        }
    }
}

/// DeepOps's NFS for Kubernetes (`k8s_nfs_server`, `k8s_nfs_export_path`,
/// the client provisioner): an `nfs` backend and a default class.
pub fn storage(cx: &mut Ctx, w: &mut Writer, out: &mut Imported) {
    let kube = cx.kube.clone();
    let hint = "write `storage { nfs \"deepops\" server=\"ADDRESS\" path=\"/export/deepops_nfs\" }` with the address it yields";
    let provisioner = cx.vars.site_wide("k8s_nfs_client_provisioner", &kube, hint);
    let Some((p, p_at)) = provisioner else { return };
    if scalar(&p).is_none_or(|s| s != "true") {
        return;
    }
    let server = cx.vars.site_wide("k8s_nfs_server", &kube, hint);
    let path = cx.vars.site_wide("k8s_nfs_export_path", &kube, hint);
    let deploy = cx.vars.site_wide("k8s_deploy_nfs_server", &kube, hint);
    let (Some((s, s_at)), Some((p, path_at))) = (server, path.clone()) else {
        cx.vars.report(&p_at, "k8s_nfs_client_provisioner: true, but the NFS server is not known (see k8s_nfs_server): no `nfs` backend written".into());
        out.todo.push(format!(
            "{p_at}: DeepOps's NFS client provisioner: bosun needs the NFS server's address and export path to write \
             the `nfs` backend; {hint}"
        ));
        if let Some((p, at)) = path {
            cx.vars.report(
                &at,
                format!(
                    "k8s_nfs_export_path: {} (waits for k8s_nfs_server: see the fill-in)",
                    scalar(&p).unwrap_or_default()
                ),
            );
        }
        return;
    };
    let (s, p) = (scalar(&s).unwrap_or_default(), scalar(&p).unwrap_or_default());
    cx.vars.mapped(&p_at, "nfs-client");
    cx.vars.mapped(&s_at, &s);
    cx.vars.mapped(&path_at, &p);
    if let Some((_, at)) = deploy {
        cx.vars.report(
            &at,
            "k8s_deploy_nfs_server: bosun does not set up the NFS server; it uses the one at k8s_nfs_server".into(),
        );
    }
    w.blank();
    w.comment("k8s_nfs_server / k8s_nfs_export_path, with DeepOps's nfs-client default class");
    w.open("storage", &[], &[]);
    w.node("nfs", &["deepops".into()], &[("server", s.into()), ("path", p.into())]);
    let class: Vec<(&str, V)> = vec![
        ("backend", "deepops".into()),
        ("type", "nfs".into()),
        ("access", "ReadWriteMany".into()),
        ("default", true.into()),
    ];
    w.node("class", &["nfs-client".into()], &class);
    w.close();
    w.blank();
    w.node("pack", &[catalog::CSI_DRIVER_NFS.into()], &[]);
}

/// Plaintext Ansible passwords: a secret reference each, the value never copied.
pub fn secrets(cx: &mut Ctx, inv: &Inventory, inv_name: &str, w: &mut Writer, out: &mut Imported) {
    let mut rows = Vec::new();
    for s in &inv.sections {
        for row in &s.hosts {
            for (k, _, l) in row.vars.iter().filter(|(k, _, _)| credentials::is_credential(k)) {
                rows.push((row.name.clone(), k.clone(), *l));
            }
        }
    }
    let group: Vec<(String, String)> = PASSWORD_KEYS
        .iter()
        .flat_map(|k| cx.vars.keyed(k).into_iter().map(|o| (o.key.clone(), o.at.clone())).collect::<Vec<_>>())
        .collect();
    if rows.is_empty() && group.is_empty() {
        return;
    }
    w.blank();
    w.comment("Plaintext Ansible passwords stay out of the site; store them under these paths.");
    let mut names = SecretNames::default();
    for (host, var, line) in &rows {
        let (name, path) = names.for_host("kv/deepops", host, var);
        w.node("secret", &[name.as_str().into()], &[("store", "vault".into()), ("path", path.into())]);
        out.warnings.push(format!(
            "{inv_name}:{line}: host {host}: plaintext password ({var}) replaced by secret \"{name}\" (value not copied)"
        ));
        out.map(format!("{inv_name}:{line}"), var, name);
    }
    for (k, at) in group {
        let name = names.unique(&format!("ansible-{}", k.trim_start_matches("ansible_")));
        let path = format!("kv/deepops/{name}");
        w.node("secret", &[name.as_str().into()], &[("store", "vault".into()), ("path", path.into())]);
        out.warnings.push(format!("{at}: {k}: plaintext password replaced by secret \"{name}\" (value not copied)"));
        cx.vars.mapped(&at, &name);
    }
}

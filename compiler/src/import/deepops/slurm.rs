//! DeepOps's Slurm cluster as the site's `slurm` block. DeepOps's slurm role
//! runs slurmctld on the first `slurm-master` (a second one is its HA
//! backup) and slurmdbd with MariaDB beside it; it makes the munge key
//! itself and reads each node's CPUs and memory on the node at run time.
//! So the key and slurmdbd's password become secrets the operator
//! publishes, and the node facts are fill-ins: none of them is in the files.

use super::super::Imported;
use super::super::emit::{V, Writer};
use super::super::ini::Inventory;
use super::super::values::scalar;
use super::Ctx;
use super::inventory::SLURM;

const MUNGE: &str = "munge-key";
const DB: &str = "slurmdbd-db";
const STORE: &str = "kv/deepops/slurm";

pub struct Plan {
    controller: String,
    backup: Option<String>,
    cluster: Option<String>,
}

/// The controller, its backup and the cluster's name; fill-ins for what
/// DeepOps learns on the hosts.
pub fn plan(cx: &mut Ctx, inv: &Inventory, inv_name: &str, out: &mut Imported) -> Option<Plan> {
    let masters: Vec<String> = cx.groups.slurm_master.iter().filter(|m| cx.all.contains(m)).cloned().collect();
    let nodes: Vec<String> = cx.hosts.iter().filter(|h| h.slurm || h.both).map(|h| h.name.clone()).collect();
    let Some(controller) = masters.first().cloned() else {
        if !nodes.is_empty() {
            out.todo.push(format!(
                "{} run slurmd, but the inventory has no slurm-master: write `slurm {{ controller \"HOST\"; munge-key \
                 \"SECRET\" }}` in `site`, naming the host that runs slurmctld",
                nodes.join(", ")
            ));
        }
        return None;
    };
    for extra in masters.iter().skip(2) {
        let line = cx.hosts.iter().find(|h| &h.name == extra).map_or(0, |h| h.line);
        out.unmapped(
            format!("{inv_name}:{line}"),
            "slurm-master",
            format!("host {extra}: a third slurm-master: bosun runs one controller and one backup-controller"),
        );
    }
    let backup = masters.get(1).cloned();
    if let Some(b) = &backup
        && let Some((v, at)) = cx.vars.site_wide("slurm_enable_ha", &masters, "write `backup-controller`")
        && scalar(&v).is_some_and(|s| matches!(s.to_lowercase().as_str(), "true" | "yes"))
    {
        cx.vars.mapped(&at, b);
    }
    let scope = slurm_hosts(cx, inv);
    let cluster = cluster_name(cx, &scope, out);
    if let Some((_, at)) = cx.vars.site_wide("slurm_db_password", std::slice::from_ref(&controller), "") {
        cx.vars.mapped(&at, DB);
        out.warnings.push(format!(
            "{at}: slurm_db_password: plaintext password replaced by secret \"{DB}\" (value not copied)"
        ));
    }
    for n in &nodes {
        out.todo.push(format!(
            "host {n} runs slurmd: write `cpu sockets=… cores=… threads=…` and `memory-mib …` in its block as `slurmd \
             -C` prints them on the host (DeepOps's slurm role reads them there at run time)"
        ));
    }
    out.todo.push(format!(
        "secret \"{MUNGE}\": DeepOps made the munge key on {controller}; publish it (base64 of /etc/munge/munge.key) \
         at {STORE}/{MUNGE} (docs/slurm.md, \"What the operator provides\")"
    ));
    out.todo.push(format!(
        "secret \"{DB}\": publish slurmdbd's database password (DeepOps's slurm_db_password) at {STORE}/{DB}"
    ));
    Some(Plan { controller, backup, cluster })
}

/// Every host of a Slurm group: those the cluster's settings reach.
fn slurm_hosts(cx: &Ctx, inv: &Inventory) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::new();
    for h in SLURM.iter().flat_map(|g| inv.hosts_of(g)) {
        if cx.all.contains(&h) && !hosts.contains(&h) {
            hosts.push(h);
        }
    }
    hosts
}

/// `slurm_cluster_name`, when it is a name bosun takes. Left out, DeepOps's
/// default (`deepops`) is the site's name, which the cluster then gets.
fn cluster_name(cx: &mut Ctx, scope: &[String], out: &mut Imported) -> Option<String> {
    let (v, at) = cx.vars.site_wide("slurm_cluster_name", scope, "write `slurm \"NAME\"`")?;
    let name = scalar(&v).unwrap_or_default();
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        cx.vars.mapped(&at, &name);
        return Some(name);
    }
    cx.vars.report(
        &at,
        format!("slurm_cluster_name: `{name}` is not a bosun name (lowercase letters, digits, `-`): refused"),
    );
    out.todo
        .push(format!("{at}: slurm_cluster_name refused; the cluster takes the site's name: write `slurm \"NAME\"`"));
    None
}

/// The `slurm` block, inside `site`.
pub fn block(plan: Option<&Plan>, w: &mut Writer) {
    let Some(p) = plan else { return };
    let args: Vec<V> = p.cluster.iter().map(|c| c.as_str().into()).collect();
    w.comment("slurm-master runs slurmctld, and slurmdbd with its database, as DeepOps's slurm role sets them up");
    w.open("slurm", &args, &[]);
    w.node("controller", &[p.controller.as_str().into()], &[]);
    if let Some(b) = &p.backup {
        w.node("backup-controller", &[b.as_str().into()], &[]);
    }
    w.node("munge-key", &[MUNGE.into()], &[]);
    w.node("accounting", &[], &[("host", p.controller.as_str().into()), ("password-from", DB.into())]);
    w.close();
}

/// The secrets the `slurm` block names: references, filled in by the operator.
pub fn secrets(plan: Option<&Plan>, w: &mut Writer) {
    if plan.is_none() {
        return;
    }
    w.blank();
    w.comment("Slurm's secrets: DeepOps kept them on the controller; store them under these paths.");
    for name in [MUNGE, DB] {
        w.node("secret", &[name.into()], &[("store", "vault".into()), ("path", format!("{STORE}/{name}").into())]);
    }
}

//! `slurm/`: the Slurm cluster's configuration, the same files on every
//! Slurm host (slurm.conf, gres.conf, cgroup.conf and, with accounting,
//! slurmdbd.conf). Cloud-init delivers them (`cloudinit/slurm.rs`);
//! docs/slurm.md explains how the pieces boot.

use std::fmt::Write;

use super::Outputs;
use crate::plan::Plan;
use crate::plan::slurm::{Node, SlurmPlan, hostlist};

/// Where every Slurm host keeps the configuration (Debian's packages).
pub const CONF_DIR: &str = "/etc/slurm";
/// The placeholder of the database password in slurmdbd.conf, filled at boot.
pub const DBD_PASSWORD: &str = "@BOSUN_SLURMDBD_PASSWORD@";
pub const STATE_DIR: &str = "/var/spool/slurmctld";
pub const SPOOL_DIR: &str = "/var/spool/slurmd";
pub const LOG_DIR: &str = "/var/log/slurm";

/// The files of `slurm/`, by name; empty without a `slurm` block.
pub fn files(plan: &Plan) -> Vec<(&'static str, String)> {
    let Some(s) = &plan.slurm else { return Vec::new() };
    let mut out = vec![("slurm.conf", slurm_conf(s)), ("gres.conf", gres_conf(s)), ("cgroup.conf", cgroup_conf())];
    if s.slurm.accounting.is_some() {
        out.push(("slurmdbd.conf", slurmdbd_conf(s)));
    }
    out
}

pub fn render(files: &[(&'static str, String)], out: &mut Outputs) -> Result<(), String> {
    for (name, text) in files {
        out.text(&["slurm", name], text.clone())?;
    }
    Ok(())
}

const HEAD: &str = "# Compiled by bosun from the site description. Do not edit: change the site and compile again.\n";

fn slurm_conf(s: &SlurmPlan) -> String {
    let mut c = String::from(HEAD);
    let _ = writeln!(c, "ClusterName={}", s.cluster_name);
    for host in &s.controllers {
        let _ = writeln!(c, "SlurmctldHost={host}");
    }
    c.push_str(concat!(
        "SlurmUser=slurm\n",
        "AuthType=auth/munge\n",
        "CredType=cred/munge\n",
        "SlurmctldPort=6817\n",
        "SlurmdPort=6818\n",
    ));
    let _ = writeln!(c, "StateSaveLocation={STATE_DIR}");
    let _ = writeln!(c, "SlurmdSpoolDir={SPOOL_DIR}");
    let _ = writeln!(c, "SlurmctldPidFile=/run/slurmctld.pid");
    let _ = writeln!(c, "SlurmdPidFile=/run/slurmd.pid");
    let _ = writeln!(c, "SlurmctldLogFile={LOG_DIR}/slurmctld.log");
    let _ = writeln!(c, "SlurmdLogFile={LOG_DIR}/slurmd.log");
    c.push_str(concat!(
        "# Jobs are confined to their cores, memory and GPUs (cgroup.conf).\n",
        "ProctrackType=proctrack/cgroup\n",
        "TaskPlugin=task/cgroup,task/affinity\n",
        "SelectType=select/cons_tres\n",
        "SelectTypeParameters=CR_Core_Memory\n",
        "SchedulerType=sched/backfill\n",
        "GresTypes=gpu\n",
        "# A node that rebooted with its configured resources rejoins by itself.\n",
        "ReturnToService=2\n",
        "JobAcctGatherType=jobacct_gather/cgroup\n",
    ));
    if let Some(a) = &s.slurm.accounting {
        let _ = writeln!(c, "AccountingStorageType=accounting_storage/slurmdbd\nAccountingStorageHost={}", a.host);
    }
    c.push_str("\n# Nodes: the layout `slurmd -C` reports, from the site's host facts.\n");
    for line in node_lines(&s.nodes) {
        let _ = writeln!(c, "{line}");
    }
    c.push_str("\n# Partitions: one per GPU pool with Slurm hosts, and the site's own.\n");
    for p in &s.partitions {
        let nodes = if p.nodes.is_empty() { "\"\"".to_string() } else { hostlist(&p.nodes) };
        let default = if p.default { "YES" } else { "NO" };
        let max_time = p.max_time.as_deref().unwrap_or("UNLIMITED");
        let _ = writeln!(c, "PartitionName={} Nodes={nodes} Default={default} MaxTime={max_time} State=UP", p.name);
    }
    c
}

/// One `NodeName=` line per run of nodes with the same facts, as a host
/// range (`dgx-[01-08]`).
pub fn node_lines(nodes: &[Node]) -> Vec<String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < nodes.len() {
        let same = |n: &Node| n.cpu == nodes[i].cpu && n.memory_mib == nodes[i].memory_mib && n.gres == nodes[i].gres;
        let run = nodes[i..].iter().take_while(|n| same(n)).count();
        let names: Vec<String> = nodes[i..i + run].iter().map(|n| n.name.clone()).collect();
        out.push(node_line(&hostlist(&names), &nodes[i]));
        i += run;
    }
    out
}

fn node_line(names: &str, n: &Node) -> String {
    let gres = n.gres.as_ref().map(|g| format!(" Gres={}", g.spec())).unwrap_or_default();
    format!(
        "NodeName={names} CPUs={} Boards=1 SocketsPerBoard={} CoresPerSocket={} ThreadsPerCore={} RealMemory={}{gres} State=UNKNOWN",
        n.cpu.cpus(),
        n.cpu.sockets,
        n.cpu.cores,
        n.cpu.threads,
        n.memory_mib
    )
}

/// Whole GPUs are named by their device files; MIG devices are found
/// through NVML when slurmd starts.
fn gres_conf(s: &SlurmPlan) -> String {
    let mut c = String::from(HEAD);
    let with_gres: Vec<&Node> = s.nodes.iter().filter(|n| n.gres.is_some()).collect();
    let mut i = 0;
    while i < with_gres.len() {
        let first = with_gres[i];
        let run = with_gres[i..].iter().take_while(|n| n.gres == first.gres).count();
        let names: Vec<String> = with_gres[i..i + run].iter().map(|n| n.name.clone()).collect();
        let Some(g) = &first.gres else { break };
        let names = hostlist(&names);
        if g.autodetect {
            let _ = writeln!(c, "NodeName={names} AutoDetect=nvml");
        } else {
            let kind = g.kind.as_ref().map(|k| format!(" Type={k}")).unwrap_or_default();
            let files = match g.count {
                1 => "/dev/nvidia0".to_string(),
                n => format!("/dev/nvidia[0-{}]", n - 1),
            };
            let _ = writeln!(c, "NodeName={names} Name=gpu{kind} File={files}");
        }
        i += run;
    }
    c
}

fn cgroup_conf() -> String {
    let mut c = String::from(HEAD);
    c.push_str(concat!(
        "CgroupPlugin=autodetect\n",
        "ConstrainCores=yes\n",
        "ConstrainDevices=yes\n",
        "ConstrainRAMSpace=yes\n",
        "ConstrainSwapSpace=yes\n",
    ));
    c
}

fn slurmdbd_conf(s: &SlurmPlan) -> String {
    let mut c = String::from(HEAD);
    let Some(a) = &s.slurm.accounting else { return c };
    c.push_str("# The password is filled in at boot from the secret store (docs/slurm.md).\n");
    let _ = writeln!(c, "AuthType=auth/munge\nDbdHost={}\nSlurmUser=slurm", a.host);
    let _ = writeln!(c, "LogFile={LOG_DIR}/slurmdbd.log\nPidFile=/run/slurmdbd.pid");
    c.push_str(
        "StorageType=accounting_storage/mysql\nStorageHost=localhost\nStorageUser=slurm\nStorageLoc=slurm_acct_db\n",
    );
    let _ = writeln!(c, "StoragePass={DBD_PASSWORD}");
    c
}

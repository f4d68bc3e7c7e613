//! The Slurm cluster: who runs the controller, the facts slurmd needs, the
//! partitions' hosts and GRES, the secrets; and which of the two schedulers'
//! blocks a site needs at all.

use std::collections::{BTreeMap, HashMap};

use super::Ctx;
use super::errors::*;
use crate::diag::Diagnostic;
use crate::model::{Host, Scheduler, Slurm, spelled};
use crate::suggest::did_you_mean;

pub fn check(cx: &mut Ctx) {
    let Some(settings) = &cx.site.settings else { return };
    kubernetes_needed(cx);
    let Some(slurm) = &settings.slurm else {
        return no_cluster(cx);
    };
    let hosts: HashMap<&str, &Host> = cx.site.hosts.iter().map(|h| (h.name.as_str(), h)).collect();
    controllers(cx, slurm, &hosts);
    secrets(cx, slurm);
    facts(cx);
    partitions(cx, slurm, &hosts);
}

/// Kubernetes hosts, teams, packs and GitOps all need the `kubernetes` block.
fn kubernetes_needed(cx: &mut Ctx) {
    let site = cx.site;
    // A block written but cut out for its own errors has said so already.
    if site.settings.as_ref().is_none_or(|s| s.kubernetes.is_some()) || cx.span("/site/kubernetes").is_some() {
        return;
    }
    let mut needs: Vec<(String, String)> = Vec::new();
    if let Some(h) = site.hosts.iter().find(|h| h.runs_kubernetes()) {
        let why = format!("`{}` is a Kubernetes {}", h.name, h.role.as_str());
        needs.push((h.at.at("role"), why));
    }
    if let Some(t) = site.teams.first() {
        needs.push((t.at.at("name"), format!("team `{}` is a Kubernetes namespace", t.name)));
    }
    if let Some(p) = site.packs.first() {
        needs.push((p.at.at("name"), format!("pack `{}` is installed into Kubernetes", p.name)));
    }
    if site.settings.as_ref().is_some_and(|s| s.gitops.is_some()) {
        needs.push(("/site/gitops".to_string(), "GitOps applies objects to Kubernetes".to_string()));
    }
    if needs.is_empty() {
        return;
    }
    let mut d = Diagnostic::new(&KUBERNETES_MISSING, "the site describes Kubernetes but has no `kubernetes` block");
    for (ptr, why) in needs {
        d = d.label_opt(cx.setting_span(&ptr), why);
    }
    cx.push(d.label_opt(cx.span("/site/name"), "add `kubernetes` to this site"));
}

fn no_cluster(cx: &mut Ctx) {
    for h in cx.site.hosts.iter().filter(|h| h.runs_slurmd()) {
        let d = Diagnostic::new(
            &SLURM_NO_CLUSTER,
            format!("`{}` is given to Slurm, but the site has no `slurm` block", h.name),
        )
        .label_opt(cx.setting_span(&h.at.at("scheduler")), format!("scheduler \"{}\"", spelled(&h.scheduler)));
        cx.push(d);
    }
}

fn controllers(cx: &mut Ctx, slurm: &Slurm, hosts: &HashMap<&str, &Host>) {
    let named = [
        (Some(slurm.controller.as_str()), "/site/slurm/controller", "controller"),
        (slurm.backup_controller.as_deref(), "/site/slurm/backup-controller", "backup controller"),
        (slurm.accounting.as_ref().map(|a| a.host.as_str()), "/site/slurm/accounting/host", "accounting host"),
    ];
    for (name, ptr, what) in named {
        let Some(name) = name else { continue };
        let problem = match hosts.get(name) {
            None if cx.site.is_skipped("host", name) => continue,
            None => {
                let close = did_you_mean(name, hosts.keys().copied());
                let help = close.map_or("name a host of the site".to_string(), |c| format!("did you mean `{c}`?"));
                Some((format!("the Slurm {what} `{name}` is not a host of the site"), "no such host", help))
            }
            Some(h) if h.runs_slurmd() && what != "accounting host" => Some((
                format!("the Slurm {what} `{name}` is also a Slurm compute node"),
                "runs slurmd",
                "run the controller on a login or management host: a busy node would starve it".to_string(),
            )),
            Some(_) => None,
        };
        if let Some((message, label, help)) = problem {
            let d = Diagnostic::new(&SLURM_CONTROLLER, message).label_opt(cx.span(ptr), label).help(help);
            cx.push(d);
        }
    }
}

fn secrets(cx: &mut Ctx, slurm: &Slurm) {
    let declared = |name: &str| cx.site.secrets.iter().any(|s| s.name == name) || cx.site.is_skipped("secret", name);
    match slurm.munge_key.as_deref() {
        None => {
            let d = Diagnostic::new(&SLURM_MISSING_SECRET, "the Slurm cluster has no munge key")
                .label_opt(cx.span("/site/slurm"), "add `munge-key \"SECRET\"` here");
            cx.push(d);
        }
        Some(name) if !declared(name) => {
            let d = Diagnostic::new(&SLURM_MISSING_SECRET, format!("the munge key `{name}` is not a declared secret"))
                .label_opt(cx.span("/site/slurm/munge-key"), "no such secret")
                .help(format!("declare it: `secret \"{name}\" store=\"…\" path=\"…\"`"));
            cx.push(d);
        }
        Some(_) => {}
    }
    if let Some(name) = slurm.accounting.as_ref().map(|a| a.password_from.as_str()).filter(|n| !declared(n)) {
        let d = Diagnostic::new(
            &SLURM_MISSING_SECRET,
            format!("the accounting password `{name}` is not a declared secret"),
        )
        .label_opt(cx.span("/site/slurm/accounting/password-from"), "no such secret")
        .help(format!("declare it: `secret \"{name}\" store=\"…\" path=\"…\"`"));
        cx.push(d);
    }
}

fn facts(cx: &mut Ctx) {
    for h in cx.site.hosts.iter().filter(|h| h.runs_slurmd() && !cx.site.is_partial(&h.at)) {
        let missing: Vec<&str> = [("cpu", h.cpu.is_none()), ("memory-mib", h.memory_mib.is_none())]
            .into_iter()
            .filter(|m| m.1)
            .map(|m| m.0)
            .collect();
        if missing.is_empty() {
            continue;
        }
        let d = Diagnostic::new(
            &SLURM_MISSING_FACTS,
            format!("`{}` runs slurmd but has no {}", h.name, missing.join(" and ")),
        )
        .label_opt(cx.span(&h.at.at("name")), "this host")
        .label_opt(cx.setting_span(&h.at.at("scheduler")), "given to Slurm here");
        cx.push(d);
    }
}

fn partitions(cx: &mut Ctx, slurm: &Slurm, hosts: &HashMap<&str, &Host>) {
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, p) in slurm.partition.iter().enumerate() {
        let at = format!("/site/slurm/partition/{i}");
        if let Some(first) = seen.insert(p.name.as_str(), i) {
            let d = Diagnostic::new(&DUPLICATE_NAME, format!("a second Slurm partition `{}`", p.name))
                .label_opt(cx.span(&format!("{at}/name")), "given again here")
                .label_opt(cx.span(&format!("/site/slurm/partition/{first}/name")), "first given here");
            cx.push(d);
        }
        let pool_hosts = cx.site.pool(&p.name).is_some_and(|pool| cx.site.pool_hosts(pool).any(Host::runs_slurmd));
        if p.hosts.is_none() && !pool_hosts {
            let d = Diagnostic::new(&SLURM_EMPTY_PARTITION, format!("Slurm partition `{}` has no hosts", p.name))
                .label_opt(cx.span(&format!("{at}/name")), "no hosts= and no GPU pool of this name with Slurm hosts");
            cx.push(d);
        }
        for name in p.hosts() {
            partition_host(cx, &at, p.gres.is_some(), name, hosts);
        }
    }
}

fn partition_host(cx: &mut Ctx, at: &str, gres: bool, name: &str, hosts: &HashMap<&str, &Host>) {
    let span = cx.span(&format!("{at}/hosts"));
    let Some(h) = hosts.get(name) else {
        if !cx.site.is_skipped("host", name) {
            let mut d = Diagnostic::new(&SLURM_UNKNOWN_HOST, format!("no host is named `{name}`"))
                .label_opt(span, "unknown host");
            if let Some(close) = did_you_mean(name, hosts.keys().copied()) {
                d = d.help(format!("did you mean `{close}`?"));
            }
            cx.push(d);
        }
        return;
    };
    if !h.runs_slurmd() {
        let gpu_worker = h.runs_kubernetes() && h.gpu_pool.is_some() && h.scheduler == Scheduler::K8s;
        let message = if gpu_worker {
            format!("`{name}` is a Kubernetes GPU worker, not a Slurm node")
        } else {
            format!(
                "`{name}` does not run slurmd (a {} host, scheduler \"{}\")",
                h.role.as_str(),
                spelled(&h.scheduler)
            )
        };
        let d = Diagnostic::new(&SLURM_SCHEDULER_CONFLICT, message)
            .label_opt(span, "in this partition")
            .label_opt(cx.setting_span(&h.at.at("scheduler")).or(cx.span(&h.at.at("name"))), "scheduler");
        cx.push(d);
    } else if gres && h.gpu_pool.is_none() {
        let d = Diagnostic::new(&SLURM_GRES_WITHOUT_GPUS, format!("`{name}` gets GRES but is in no GPU pool"))
            .label_opt(cx.span(&format!("{at}/gres")), "GRES for every host of the partition")
            .label_opt(cx.span(&h.at.at("name")), "no gpu-pool");
        cx.push(d);
    }
}

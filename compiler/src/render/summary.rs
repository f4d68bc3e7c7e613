//! README.md at the top of the compiled tree: what the site is, at a glance,
//! and where each part of the tree comes from.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::model::{MigStrategy, Site, spelled};
use crate::plan::Plan;

/// What each top-level part of the tree is, for the "Files" table.
const FAMILIES: &[(&str, &str)] = &[
    ("MANIFEST", "SHA-256 of every file, compiler version, site digest"),
    ("README.md", "this summary"),
    ("provisioning", "DHCP/DNS/TFTP, boot scripts, cloud-init seeds, BMC boot plan"),
    ("kubeadm", "kubeadm, kubelet and kube-proxy configuration per host"),
    ("cluster", "Kubernetes objects for teams, storage, GPU pools and secrets"),
    ("packs", "rendered Helm values per pack"),
    ("experiments", "each team experiment's values, rendered from its template pack"),
    ("gitops", "Argo CD or Flux objects that install everything"),
    ("slurm", "slurm.conf, gres.conf, cgroup.conf (and slurmdbd.conf) of the Slurm cluster"),
];

/// README.md; `counts` is the number of files under each top-level name.
pub fn render(plan: &Plan, counts: &BTreeMap<&str, usize>) -> String {
    let mut md = String::new();
    header(plan, &mut md);
    hosts(plan, &mut md);
    networks(plan.site, &mut md);
    pools(plan, &mut md);
    partitions(plan, &mut md);
    teams(plan, &mut md);
    storage(plan.site, &mut md);
    packs(plan.site, &mut md);
    files(counts.clone(), &mut md);
    md
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn or_dash(s: Option<String>) -> String {
    s.filter(|s| !s.is_empty()).unwrap_or_else(|| "—".to_string())
}

fn header(plan: &Plan, md: &mut String) {
    let s = plan.settings;
    let _ = writeln!(md, "# Site `{}`\n", s.name);
    let _ =
        writeln!(md, "Compiled by bosun from the site description. Do not edit: change the site and compile again.\n");
    let _ = writeln!(md, "| setting | value |\n|---|---|");
    let _ = writeln!(md, "| domain | `{}` |", s.domain);
    if let Some(nd) = &s.nodes_domain {
        let _ = writeln!(md, "| host FQDNs | `HOST.{nd}.{}` |", s.domain);
    }
    if let Some(k) = &s.kubernetes {
        let cni = spelled(&k.cni);
        let (version, pods, services) = (&k.version, k.pod_subnet, k.service_subnet);
        let _ = writeln!(md, "| Kubernetes | {version} ({cni}; pods {pods}, services {services}) |");
        if let Some(ep) = &k.control_plane_endpoint {
            let _ = writeln!(md, "| control-plane endpoint | `{ep}` |");
        }
    }
    if let Some(sl) = &s.slurm {
        let name = sl.cluster_name.as_deref().unwrap_or(&s.name);
        let _ = writeln!(md, "| Slurm | cluster `{name}`, controller `{}` |", sl.controller);
    }
    if let Some(g) = &s.gitops {
        let engine = spelled(&g.engine);
        let _ = writeln!(
            md,
            "| GitOps | {engine}: `{}` at `{}`, path `{}` |",
            cell(&g.repo),
            cell(&g.revision),
            cell(&g.path)
        );
    }
    let _ = writeln!(md, "| site digest | `{}` |\n", plan.digest);
}

fn hosts(plan: &Plan, md: &mut String) {
    let _ = writeln!(md, "## Hosts ({})\n", plan.hosts.len());
    let _ = writeln!(
        md,
        "| host | role | FQDN | address | PXE MAC | image | GPU pool | scheduler |\n|---|---|---|---|---|---|---|---|"
    );
    for h in &plan.hosts {
        let host = h.host;
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            host.name,
            host.role.as_str(),
            h.fqdn,
            or_dash(h.address.map(|a| a.to_string())),
            or_dash(h.pxe.and_then(|i| i.mac).map(|m| m.to_string())),
            or_dash(host.image.clone()),
            or_dash(host.gpu_pool.clone()),
            spelled(&host.scheduler),
        );
    }
    md.push('\n');
}

fn networks(site: &Site, md: &mut String) {
    let mut nets: Vec<_> = site.networks.iter().collect();
    nets.sort_by(|a, b| a.name.cmp(&b.name));
    let _ = writeln!(md, "## Networks ({})\n", nets.len());
    let _ = writeln!(md, "| network | CIDR | gateway | VLAN | MTU | DHCP range | PXE |\n|---|---|---|---|---|---|---|");
    for n in nets {
        let pxe = n.pxe.as_ref().map(|p| {
            let kinds = [(p.bios, "bios"), (p.uefi, "uefi"), (p.ipxe, "ipxe")];
            kinds.iter().filter(|(on, _)| *on).map(|(_, k)| *k).collect::<Vec<_>>().join(", ")
        });
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} | {} | {} |",
            n.name,
            n.cidr,
            or_dash(n.gateway.map(|g| g.to_string())),
            or_dash(n.vlan.map(|v| v.to_string())),
            n.mtu.unwrap_or(1500),
            or_dash(n.dhcp.as_ref().map(|d| d.range.text.clone())),
            or_dash(pxe),
        );
    }
    md.push('\n');
}

fn pools(plan: &Plan, md: &mut String) {
    if plan.pools.is_empty() {
        return;
    }
    let _ = writeln!(md, "## GPU pools ({})\n", plan.pools.len());
    let _ = writeln!(md, "| pool | model | hosts | GPUs | sharing |\n|---|---|---|---|---|");
    for p in &plan.pools {
        let hosts = plan.site.pool_hosts(p).count();
        let sharing = match (&p.mig, &p.time_slicing) {
            (Some(m), _) if m.strategy != MigStrategy::None => {
                format!("MIG {} {}", spelled(&m.strategy), m.profile.as_deref().unwrap_or(""))
            }
            (_, Some(ts)) => format!("time-slicing × {}", ts.replicas),
            _ => "—".to_string(),
        };
        let gpus = hosts as u64 * u64::from(p.gpus_per_host);
        let _ = writeln!(md, "| {} | {} | {hosts} | {gpus} | {} |", p.name, cell(&p.model), sharing.trim());
    }
    md.push('\n');
}

fn partitions(plan: &Plan, md: &mut String) {
    let Some(s) = &plan.slurm else { return };
    let _ = writeln!(md, "## Slurm partitions ({})\n", s.partitions.len());
    let _ =
        writeln!(md, "| partition | nodes | CPUs | GRES per node | default | max time |\n|---|---|---|---|---|---|");
    for p in &s.partitions {
        let nodes: Vec<_> = s.nodes.iter().filter(|n| p.nodes.contains(&n.name)).collect();
        let cpus: u64 = nodes.iter().map(|n| n.cpu.cpus()).sum();
        let mut gres: Vec<String> = nodes.iter().filter_map(|n| n.gres.as_ref().map(|g| g.spec())).collect();
        gres.dedup();
        let _ = writeln!(
            md,
            "| {} | {} | {cpus} | {} | {} | {} |",
            p.name,
            or_dash(Some(crate::plan::slurm::hostlist(&p.nodes))),
            or_dash(Some(gres.join(", "))),
            if p.default { "yes" } else { "" },
            p.max_time.as_deref().unwrap_or("UNLIMITED"),
        );
    }
    md.push('\n');
}

fn teams(plan: &Plan, md: &mut String) {
    if plan.teams.is_empty() {
        return;
    }
    let _ = writeln!(md, "## Teams ({})\n", plan.teams.len());
    let _ = writeln!(md, "| team | namespace | admins | members | GPU quota |\n|---|---|---|---|---|");
    for t in &plan.teams {
        let gpu = t.quota.as_ref().and_then(|q| q.gpu).map(|g| {
            let pool = plan.site.quota_pool(t).map(|p| format!(" ({})", p.name)).unwrap_or_default();
            format!("{g}{pool}")
        });
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} | {} |",
            t.name,
            t.namespace(),
            or_dash(Some(t.admin.join(", "))),
            or_dash(Some(t.member.join(", "))),
            or_dash(gpu),
        );
    }
    md.push('\n');
}

fn storage(site: &Site, md: &mut String) {
    let mut classes: Vec<_> = site.storage.class.iter().collect();
    if classes.is_empty() {
        return;
    }
    classes.sort_by(|a, b| a.name.cmp(&b.name));
    let _ = writeln!(md, "## Storage classes ({})\n", classes.len());
    let _ = writeln!(md, "| class | backend | type | default |\n|---|---|---|---|");
    for c in classes {
        let ty = spelled(&c.type_);
        let _ = writeln!(md, "| {} | {} | {ty} | {} |", c.name, c.backend, if c.default { "yes" } else { "" });
    }
    md.push('\n');
}

fn packs(site: &Site, md: &mut String) {
    let mut packs: Vec<_> = site.packs.iter().collect();
    if packs.is_empty() {
        return;
    }
    packs.sort_by(|a, b| a.name.cmp(&b.name));
    let _ = writeln!(md, "## Packs ({})\n", packs.len());
    let _ = writeln!(md, "| pack | source | namespace |\n|---|---|---|");
    for p in packs {
        let source = p.source.clone().unwrap_or_else(|| "built-in".to_string());
        let _ = writeln!(md, "| {} | {} | {} |", p.name, cell(&source), or_dash(p.namespace.clone()));
    }
    md.push('\n');
}

fn files(mut counts: BTreeMap<&str, usize>, md: &mut String) {
    counts.insert("README.md", 1);
    counts.insert("MANIFEST", 1);
    let _ = writeln!(md, "## Files\n\n| path | files | what it is |\n|---|---|---|");
    for (top, what) in FAMILIES {
        if let Some(n) = counts.get(top) {
            let shown = if top.contains('.') || *top == "MANIFEST" { top.to_string() } else { format!("{top}/") };
            let _ = writeln!(md, "| {shown} | {n} | {what} |");
        }
    }
}

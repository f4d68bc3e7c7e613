//! Addresses and network boot: static leases give hosts their MACs (and an
//! address the inventory lacks), machines.json entries whose MAC regex matches
//! a host's MAC become images, and DGXie's env or Helm values give the PXE
//! network. Every DGXie setting is marked used or reported at the end.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::super::Imported;
use super::super::emit::Writer;
use super::super::values::covering;
use super::dgxie::{self, Machine, Net};
use super::inventory::Host;
use super::{Ctx, Paths, read};

/// DGXie's configuration as read.
#[derive(Default)]
pub struct Boot {
    pub machines: Vec<Machine>,
    /// Host name → index of the machines.json entry it boots.
    pub host_machine: BTreeMap<String, usize>,
    pub net: Net,
    /// `file:line` of each DGXie setting → (key, value, what it became if used).
    settings: BTreeMap<String, (String, String)>,
    used: BTreeMap<String, String>,
    /// Why a setting was passed over, where there is more to say than "no equivalent".
    passed: BTreeMap<String, String>,
    pub http_server: Option<String>,
}

impl Boot {
    /// Marks a setting used; `shows_as` is the text it left in the site.
    pub fn used(&mut self, at: &str, shows_as: &str) {
        self.used.insert(at.to_string(), shows_as.to_string());
    }
}

/// The networks the site gets.
pub struct Nets {
    /// The hosts' addresses' network, and whether DGXie's network is it.
    pub mgmt: Option<String>,
    pub mgmt_boots: bool,
    pub ib: Option<String>,
}

pub fn read_boot(paths: &Paths, hosts: &mut [Host], out: &mut Imported) -> Result<Boot, String> {
    let mut b = Boot::default();
    let env = match &paths.pxe_env {
        Some(p) => dgxie::env(&read(p)?, &p.display().to_string()),
        None => BTreeMap::new(),
    };
    let helm: BTreeMap<String, (String, String)> = match &paths.dgxie_values {
        Some(p) => super::vars::yaml_keys(p)?
            .into_iter()
            .map(|(k, v, at)| (k, (super::super::values::scalar(&v).unwrap_or_default(), at)))
            .collect(),
        None => BTreeMap::new(),
    };
    for (k, (v, at)) in env.iter().chain(helm.iter()) {
        b.settings.insert(at.clone(), (k.clone(), v.clone()));
    }
    // pxe/env (docker-compose) is DGXie's own default; the Helm chart's values fill what it lacks.
    if !env.is_empty() {
        for (h, e) in dgxie::HELM_KEYS.iter().zip(dgxie::ENV_KEYS) {
            if let (Some((hv, at)), Some((ev, e_at))) = (helm.get(*h), env.get(e)) {
                let why = format!(
                    "{h}={hv}: DGXie's Helm chart and its docker-compose setup are alternatives; pxe/env's {e}={ev} ({e_at}) was read"
                );
                b.passed.insert(at.clone(), why);
            }
        }
    }
    b.net = if env.is_empty() {
        dgxie::net(&|k| helm.get(k).cloned(), &dgxie::HELM_KEYS)
    } else {
        dgxie::net(&|k| env.get(k).cloned(), &dgxie::ENV_KEYS)
    };
    let port = env.get("HTTP_PORT");
    let ip = helm.get("netPrvIp");
    if let (Some((port, p_at)), Some((ip, i_at))) = (port, ip) {
        b.http_server = Some(format!("http://{ip}:{port}"));
        out.todo.push(format!(
            "network boot: http-server http://{ip}:{port} joins helm/dgxie.yml's netPrvIp ({i_at}) and pxe/env's \
             HTTP_PORT ({p_at}); it must serve bosun's provisioning/ folder"
        ));
        let (p_at, i_at) = (p_at.clone(), i_at.clone());
        b.used(&p_at, port);
        b.used(&i_at, ip);
    }
    let leases = match &paths.dhcp_hosts {
        Some(p) => dgxie::leases(&read(p)?, &p.display().to_string(), out),
        None => Vec::new(),
    };
    for (mac, name, ip, at) in &leases {
        let Some(h) = hosts.iter_mut().find(|h| &h.name == name) else {
            out.unmapped(at.clone(), "dhcp", format!("lease {mac} for {name}: no such host in the inventory"));
            continue;
        };
        h.mac = Some(mac.clone());
        match (h.address, ip) {
            (Some(a), Some(l)) if a != *l => out.warnings.push(format!(
                "{at}: the lease gives {name} {l}, the inventory's ansible_host {a}: the site keeps {a}; fix the one that is wrong"
            )),
            (None, Some(l)) => h.address = Some(*l),
            _ => {}
        }
        out.map(at.clone(), "dhcp-host", mac.clone());
    }
    if let Some(p) = &paths.machines {
        b.machines = dgxie::machines(&read(p)?, &p.display().to_string(), &env, out)?;
    }
    match_machines(&mut b, hosts, out);
    Ok(b)
}

/// pixiecore's rule: an entry's `mac` regex matched against the client's MAC.
fn match_machines(b: &mut Boot, hosts: &[Host], out: &mut Imported) {
    for (i, m) in b.machines.iter().enumerate() {
        let matched: Vec<&str> = hosts
            .iter()
            .filter(|h| h.mac.as_deref().is_some_and(|mac| m.mac.is_match(mac)))
            .filter(|h| !b.host_machine.contains_key(&h.name))
            .map(|h| h.name.as_str())
            .collect();
        if matched.is_empty() {
            out.unmapped(
                m.at.clone(),
                "pxe",
                format!("machine {}: its MAC pattern matches no inventory host's MAC (from the leases)", m.name),
            );
            continue;
        }
        out.map(m.at.clone(), "pxe", m.kernel.clone());
        out.warnings.push(format!("{}: machine {} matched {}", m.at, m.name, matched.join(", ")));
        for h in matched {
            b.host_machine.insert(h.to_string(), i);
        }
    }
}

/// Chooses the networks: DGXie's when it holds every host address, else one
/// inferred from the addresses (a fill-in).
pub fn plan(cx: &mut Ctx, boot: &Boot, out: &mut Imported) -> Nets {
    cx.dgxie_dns = boot.net.dns.clone();
    cx.dgxie_ntp = boot.net.ntp.iter().cloned().collect();
    let addrs: Vec<Ipv4Addr> = cx.hosts.iter().filter_map(|h| h.address).collect();
    let ib: Vec<Ipv4Addr> = cx.hosts.iter().filter_map(|h| h.ib).collect();
    let dgxie: Option<crate::model::Cidr> = boot.net.cidr.as_ref().and_then(|(c, _)| c.parse().ok());
    let inside = dgxie.as_ref().is_some_and(|c| addrs.iter().all(|a| c.contains(*a)));
    let mgmt = if inside {
        boot.net.cidr.as_ref().map(|(c, _)| c.clone())
    } else {
        let c = covering(&addrs);
        if let Some(c) = &c {
            out.todo.push(format!("network \"mgmt\": cidr {c} was inferred from the hosts' addresses; confirm it"));
        }
        c
    };
    let ib = covering(&ib);
    if let Some(c) = &ib {
        out.todo.push(format!("network \"ib\": cidr {c} was inferred from ib_bond_addr; confirm it"));
    }
    Nets { mgmt, mgmt_boots: inside, ib }
}

/// The site's `domain`: DGXie's, else a fill-in.
pub fn domain(boot: &mut Boot, w: &mut Writer, out: &mut Imported) {
    match boot.net.domain.clone() {
        Some((d, at)) if !d.is_empty() => {
            w.node("domain", &[d.as_str().into()], &[]);
            boot.used(&at, &d);
        }
        _ => {
            w.comment("DeepOps records no DNS domain: hosts are HOST.deepops. Change it here.");
            w.node("domain", &["deepops".into()], &[]);
            out.todo.push("site domain: DeepOps records none; the site uses `deepops`".into());
        }
    }
}

/// The PXE block's properties of DGXie's network.
fn pxe_props(boot: &Boot) -> Vec<(&'static str, super::super::emit::V)> {
    let mut props: Vec<(&str, super::super::emit::V)> = vec![("uefi", true.into()), ("ipxe", true.into())];
    if let Some(h) = &boot.http_server {
        props.push(("http-server", h.into()));
    }
    props
}

/// Writes the networks and the images hosts boot.
pub fn write(nets: &Nets, boot: &mut Boot, w: &mut Writer, out: &mut Imported) {
    let dgxie_alone = boot.net.cidr.is_some() && !nets.mgmt_boots;
    if let Some(c) = &nets.mgmt {
        w.blank();
        w.open("network", &["mgmt".into()], &[]);
        w.node("cidr", &[c.into()], &[]);
        if nets.mgmt_boots {
            dgxie_settings(boot, w);
        } else if let Some(h) =
            boot.machines.first().and_then(|m| origin(&m.kernel)).filter(|_| !boot.host_machine.is_empty())
        {
            w.comment("machines.json served PXE from here; the server must now serve bosun's provisioning/ folder.");
            w.node("pxe", &[], &[("uefi", true.into()), ("ipxe", true.into()), ("http-server", h.into())]);
            out.todo.push("network \"mgmt\": http-server is the origin of machines.json's kernel URL; it must serve bosun's provisioning/ folder".into());
        }
        w.close();
    }
    if dgxie_alone {
        w.blank();
        w.comment("DGXie's PXE network (pxe/env or helm/dgxie.yml); no inventory address is in it.");
        w.open("network", &["dgxie".into()], &[]);
        dgxie_settings(boot, w);
        w.close();
    }
    if let Some(c) = &nets.ib {
        w.blank();
        w.comment("ib_bond_addr: IPoIB bonds (range inferred, as above).");
        w.open("network", &["ib".into()], &[]);
        w.node("cidr", &[c.into()], &[]);
        w.close();
    }
    if boot.http_server.is_none() && boot.net.cidr.is_some() {
        out.todo.push(
            "network boot: DGXie's HTTP server address is not in pxe/env; add http-server=\"http://ADDRESS:PORT\" to the PXE network's `pxe` once it serves bosun's provisioning/ folder".into(),
        );
    }
    let used: Vec<usize> = {
        let mut v: Vec<usize> = boot.host_machine.values().copied().collect();
        v.sort();
        v.dedup();
        v
    };
    for i in used {
        let m = &boot.machines[i];
        w.blank();
        w.comment(&format!("machines.json `{}`", m.name));
        w.open("image", &[super::super::nauta::sanitize(&m.name).into()], &[]);
        w.node("kernel", &[m.kernel.as_str().into()], &[]);
        w.node("initrd", &[m.initrd.as_str().into()], &[]);
        if let Some(c) = &m.cmdline {
            w.node("cmdline", &[c.as_str().into()], &[]);
        }
        w.close();
    }
}

/// `http://host:port/path/file` → `http://host:port`.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    Some(format!("{scheme}://{}", rest.split('/').next()?))
}

fn dgxie_settings(boot: &mut Boot, w: &mut Writer) {
    let n = &boot.net;
    let mut used: Vec<(String, String)> = Vec::new();
    if let Some((c, ats)) = &n.cidr {
        w.node("cidr", &[c.into()], &[]);
        used.extend(ats.iter().map(|a| (a.clone(), c.clone())));
    }
    if let Some((g, at)) = &n.gateway {
        w.node("gateway", &[g.into()], &[]);
        used.push((at.clone(), g.clone()));
    }
    if let Some((r, ats)) = &n.range {
        let mut props: Vec<(&str, super::super::emit::V)> = vec![("range", r.into())];
        if let Some((l, at)) = &n.lease {
            props.push(("lease", l.into()));
            used.push((at.clone(), l.clone()));
        }
        w.node("dhcp", &[], &props);
        used.extend(ats.iter().map(|a| (a.clone(), r.split('-').next().unwrap_or("").to_string())));
    }
    w.node("pxe", &[], &pxe_props(boot));
    for (at, s) in used {
        boot.used(&at, &s);
    }
}

/// Every DGXie setting: mapped if used, else reported.
pub fn finish(boot: Boot, out: &mut Imported) {
    for (at, (key, value)) in &boot.settings {
        match (boot.used.get(at), boot.passed.get(at)) {
            (Some(s), _) => out.map(at.clone(), key, s.clone()),
            (None, Some(why)) => out.unmapped(at.clone(), key, why.clone()),
            (None, None) => {
                let shown = super::super::credentials::pair(key, "=", value);
                out.unmapped(
                    at.clone(),
                    key,
                    format!("{shown} (DGXie setting with no site equivalent, or no host it applies to)"),
                );
            }
        }
    }
}

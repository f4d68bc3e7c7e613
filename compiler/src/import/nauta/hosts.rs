//! Nauta's inventory: one [master] row, [worker] rows, each with its
//! interfaces, local data disk and (too often) a plaintext SSH password.

use std::net::Ipv4Addr;

use super::super::Imported;
use super::super::credentials::{self, SecretNames};
use super::super::emit::Writer;
use super::super::ini::Inventory;

/// Inventory variables the importer maps (anything else is listed as unmapped).
const HOST_VARS: &[&str] = &[
    "ansible_ssh_host",
    "ansible_host",
    "internal_interface",
    "data_interface",
    "external_interface",
    "local_data_device",
    "local_device",
    "local_data_path",
];

pub struct HostIn {
    pub name: String,
    pub master: bool,
    pub address: Option<Ipv4Addr>,
    pub internal: Option<String>,
    pub data: Option<String>,
    pub external: Option<String>,
    pub device: Option<String>,
    pub path: Option<String>,
    /// Credential variables (`ansible_ssh_pass`, a mistyped `pass`, …) with their lines.
    pub credentials: Vec<(String, usize)>,
}

pub fn read(inv: &Inventory, inv_name: &str, out: &mut Imported) -> Result<Vec<HostIn>, String> {
    let masters = inv.section("master").map(|s| s.hosts.clone()).unwrap_or_default();
    if masters.len() != 1 {
        return Err(format!(
            "{inv_name}: [master] must contain exactly one row (Nauta's rule), found {}",
            masters.len()
        ));
    }
    let workers = inv.section("worker").map(|s| s.hosts.clone()).unwrap_or_default();
    let mut hosts = Vec::new();
    for (row, master) in masters.iter().map(|r| (r, true)).chain(workers.iter().map(|r| (r, false))) {
        let get = |k: &str| row.get(k).filter(|v| !v.is_empty()).map(str::to_string);
        let address = match get("ansible_ssh_host").or_else(|| get("ansible_host")) {
            Some(a) => match a.parse::<Ipv4Addr>() {
                Ok(ip) => Some(ip),
                Err(_) => {
                    out.todo.push(format!(
                        "{inv_name}:{}: host `{}`: ansible_ssh_host `{a}` is not an IPv4 address; give its \
                         `internal` interface an address",
                        row.line, row.name
                    ));
                    None
                }
            },
            None => None,
        };
        out.map(format!("{inv_name}:{}", row.line), "host", row.name.clone());
        let mut creds = Vec::new();
        for (k, v, l) in &row.vars {
            let at = format!("{inv_name}:{l}");
            if credentials::is_credential(k) {
                creds.push((k.clone(), *l));
            } else if HOST_VARS.contains(&k.as_str()) {
                if !v.is_empty() {
                    out.map(at, k, v.clone());
                }
            } else {
                let var = credentials::pair(k, "=", v);
                out.unmapped(at, k, format!("host `{}`: {var} (no site setting; Ansible only)", row.name));
            }
        }
        hosts.push(HostIn {
            name: row.name.clone(),
            master,
            address,
            internal: get("internal_interface"),
            data: get("data_interface"),
            external: get("external_interface"),
            device: get("local_data_device").or_else(|| get("local_device")),
            path: get("local_data_path"),
            credentials: creds,
        });
    }
    for s in &inv.sections {
        if s.name != "master" && s.name != "worker" {
            let at = format!("{inv_name}:{}", s.line);
            out.unmapped(at, &s.name, format!("section [{}] (Nauta reads only [master] and [worker])", s.name));
        }
    }
    Ok(hosts)
}

/// Nauta has no networks, only interface names and addresses.
pub fn write_network(cidr: Option<&str>, w: &mut Writer, out: &mut Imported) {
    w.blank();
    match cidr {
        Some(cidr) => {
            w.comment(
                "internal_interface: Kubernetes and pod traffic. Nauta does not record the\nnetwork's range: this is \
                 the smallest /24, /16 or /8 holding every\nhost's ansible_ssh_host; check it.",
            );
            w.open("network", &["internal".into()], &[]);
            w.node("cidr", &[cidr.into()], &[]);
            w.close();
            out.todo
                .push(format!("network \"internal\": cidr {cidr} was inferred from the hosts' addresses; confirm it"));
        }
        None => out.todo.push(
            "no host has an IPv4 ansible_ssh_host: add a `network` with the hosts' internal addresses".to_string(),
        ),
    }
}

pub fn write(hosts: &[HostIn], has_net: bool, data_path: &str, w: &mut Writer, out: &mut Imported) {
    for h in hosts {
        w.blank();
        w.open("host", &[h.name.as_str().into()], &[]);
        w.node("role", &[if h.master { "control-plane" } else { "worker" }.into()], &[]);
        match (&h.internal, h.address, has_net) {
            (Some(i), Some(a), true) => {
                w.node("interface", &[i.into()], &[("network", "internal".into()), ("address", a.to_string().into())])
            }
            (Some(i), _, _) => w.node("interface", &[i.into()], &[]),
            (None, _, _) => out.todo.push(format!("host `{}`: internal_interface is missing", h.name)),
        }
        if let Some(d) = &h.data
            && Some(d) != h.internal.as_ref()
        {
            w.comment("data_interface: Nauta records no address for it");
            w.node("interface", &[d.into()], &[]);
        }
        if let Some(e) = &h.external
            && Some(e) != h.internal.as_ref()
            && Some(e) != h.data.as_ref()
        {
            w.comment("external_interface: the corporate network, by DHCP");
            w.node("interface", &[e.into()], &[("dhcp", true.into())]);
        }
        if let Some(dev) = &h.device {
            let mount = h.path.clone().unwrap_or_else(|| data_path.to_string());
            w.node("disk", &[dev.into()], &[("use", "local-data".into()), ("mount", mount.into())]);
        }
        w.close();
    }
}

/// `ansible_ssh_pass` and any other credential: a secret reference and a
/// warning each. Neither names the value.
pub fn secrets(hosts: &[HostIn], inv_name: &str, site_name: &str, w: &mut Writer, out: &mut Imported) {
    let passwords: Vec<(&str, &str, usize)> = hosts
        .iter()
        .flat_map(|h| h.credentials.iter().map(move |(var, line)| (h.name.as_str(), var.as_str(), *line)))
        .collect();
    if passwords.is_empty() {
        return;
    }
    w.blank();
    w.comment(
        "ansible_ssh_pass and other credentials: the values stay out of the site.\nStore each one under this path \
         and remove it from the inventory.",
    );
    let mut names = SecretNames::default();
    for (host, var, line) in passwords {
        let (name, path) = names.for_host(&format!("kv/{site_name}"), host, var);
        w.node("secret", &[name.as_str().into()], &[("store", "vault".into()), ("path", path.into())]);
        // The variable's own name is shown only when it is a plain name: a mangled key may hold the value.
        let shown = if credentials::shows(var, "") || credentials::is_credential(var) && plain(var) {
            var
        } else {
            "a credential"
        };
        out.warnings.push(format!(
            "{inv_name}:{line}: host `{host}`: plaintext {shown} replaced by secret \"{name}\" (value not copied)"
        ));
        out.map(format!("{inv_name}:{line}"), var, name);
    }
}

fn plain(key: &str) -> bool {
    !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

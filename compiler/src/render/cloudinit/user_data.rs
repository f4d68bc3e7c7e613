//! The `#cloud-config` document of one host: identity, the admin user, time,
//! the apt proxy, data disks, and for Kubernetes hosts the node setup.
//!
//! Only keys that both Debian 12's cloud-init (22.4.2) and the 26.2 schema
//! know are used.

use serde_json::{Map, Value, json};

use super::{ADMIN_USER, Shared, insert_nonempty, kubernetes, slurm};
use crate::model::Settings;
use crate::plan::{HostFacts, Plan};
use crate::render::yaml;

/// The rendered stretches of a cloud-config that are the same on every
/// host, for a cloud-config whose keys sit at `level`.
pub struct Fragments {
    /// From `prefer_fqdn_over_hostname` to `apt`: everything after `fqdn`
    /// up to the disks.
    common: String,
    /// The Kubernetes hosts' `write_files` entries and `runcmd`.
    kubernetes: kubernetes::Fragments,
}

impl Fragments {
    pub fn new(plan: &Plan, containerd: &[Value], level: usize) -> Fragments {
        let settings = plan.settings;
        let mut c = Map::new();
        // The short name stays the hostname (and so the Kubernetes node name);
        // the FQDN goes into /etc/hosts beside it.
        c.insert("prefer_fqdn_over_hostname".into(), json!(false));
        c.insert("manage_etc_hosts".into(), json!(true));
        c.insert("users".into(), users(settings));
        c.insert("ssh_pwauth".into(), json!(false));
        insert_nonempty(&mut c, "ntp", ntp(settings));
        insert_nonempty(&mut c, "apt", apt_proxy(settings));
        let mut common = String::new();
        for (k, v) in &c {
            yaml::entry(&mut common, level, k, v);
        }
        Fragments { common, kubernetes: kubernetes::Fragments::new(plan, containerd, level) }
    }
}

/// Writes the `#cloud-config` document of one host with its keys at `level`:
/// identity, the admin user, time, the apt proxy, data disks, and for
/// Kubernetes hosts the node setup.
pub fn cloud_config<'a>(
    out: &mut String,
    level: usize,
    shared: &Shared<'a>,
    fragments: &Fragments,
    facts: &'a HostFacts,
    kubeadm: Option<&str>,
    slurm: Option<&slurm::HostPart>,
) -> Result<(), String> {
    let host = facts.host;
    yaml::str_entry(out, level, "hostname", &host.name);
    yaml::str_entry(out, level, "fqdn", &facts.fqdn);
    out.push_str(&fragments.common);
    shared.disks.write(out, level, host);
    // Kubernetes hosts, and only they, have a kubeadm configuration.
    // A host in both schedulers has one `write_files` and one `runcmd`.
    if let Some(kubeadm) = kubeadm {
        kubernetes::write(out, level, shared, &fragments.kubernetes, facts, kubeadm, slurm)?;
    } else if let Some(part) = slurm {
        slurm::write(out, level, part);
    }
    Ok(())
}

/// The distribution's default user, and `bosun-admin` with the site's keys:
/// key login only, passwordless sudo.
fn users(settings: &Settings) -> Value {
    let mut admin = Map::new();
    admin.insert("name".into(), json!(ADMIN_USER));
    admin.insert("groups".into(), json!(["sudo"]));
    admin.insert("shell".into(), json!("/bin/bash"));
    admin.insert("sudo".into(), json!("ALL=(ALL) NOPASSWD:ALL"));
    admin.insert("lock_passwd".into(), json!(true));
    insert_nonempty(&mut admin, "ssh_authorized_keys", json!(sorted_unique(&settings.ssh_authorized_key)));
    json!(["default", admin])
}

/// NTP servers are equals (the client picks the best), so they are sorted.
fn ntp(settings: &Settings) -> Value {
    let servers = sorted_unique(&settings.ntp);
    if servers.is_empty() {
        return Value::Null;
    }
    json!({"enabled": true, "servers": servers})
}

fn apt_proxy(settings: &Settings) -> Value {
    let Some(proxy) = &settings.proxy else { return Value::Null };
    let mut apt = Map::new();
    if let Some(http) = &proxy.http {
        apt.insert("http_proxy".into(), json!(http));
    }
    if let Some(https) = &proxy.https {
        apt.insert("https_proxy".into(), json!(https));
    }
    Value::Object(apt)
}

fn sorted_unique(items: &[String]) -> Vec<String> {
    let mut v: Vec<String> = items.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
    v.sort();
    v.dedup();
    v
}

//! The `#cloud-config` document of one host: identity, the admin user, time,
//! the apt proxy, data disks, and for Kubernetes hosts the node setup.
//!
//! Only keys that both Debian 12's cloud-init (22.4.2) and the 26.2 schema
//! know are used.

use serde_json::{Map, Value, json};

use super::{ADMIN_USER, Shared, disks, insert_nonempty, kubernetes};
use crate::model::Settings;
use crate::plan::{HostFacts, Plan};

pub fn cloud_config(
    plan: &Plan,
    shared: &Shared,
    facts: &HostFacts,
    kubeadm: Option<&[u8]>,
) -> Result<Map<String, Value>, String> {
    let settings = plan.settings;
    let host = facts.host;
    let mut c = Map::new();
    c.insert("hostname".into(), json!(host.name));
    c.insert("fqdn".into(), json!(facts.fqdn));
    // The short name stays the hostname (and so the Kubernetes node name);
    // the FQDN goes into /etc/hosts beside it.
    c.insert("prefer_fqdn_over_hostname".into(), json!(false));
    c.insert("manage_etc_hosts".into(), json!(true));
    c.insert("users".into(), users(settings));
    c.insert("ssh_pwauth".into(), json!(false));
    insert_nonempty(&mut c, "ntp", ntp(settings));
    insert_nonempty(&mut c, "apt", apt_proxy(settings));
    disks::add(host, &mut c);
    if host.role.runs_kubernetes() {
        // Files are independent of each other: written in path order.
        let kubeadm = kubeadm.ok_or_else(|| format!("no kubeadm file was rendered for {}", host.name))?;
        let mut files = kubernetes::files(plan, shared, facts, kubeadm)?;
        files.sort_by(|a, b| a["path"].as_str().cmp(&b["path"].as_str()));
        insert_nonempty(&mut c, "write_files", Value::Array(files));
        let runcmd = kubernetes::runcmd(plan, facts)?;
        insert_nonempty(&mut c, "runcmd", Value::Array(runcmd.into_iter().map(Value::String).collect()));
    }
    Ok(c)
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

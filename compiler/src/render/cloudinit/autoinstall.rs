//! Hosts installed by Subiquity (`installer "ubuntu-autoinstall"`): the seed
//! is an autoinstall document, and the host's cloud-config rides in its
//! `user-data`, which the installed system applies on its first boot.
//!
//! There is no `identity` section: it needs a password hash, and Subiquity
//! accepts `user-data` with users in its place. SSH keys therefore go to
//! `bosun-admin` through `user-data`, not through `ssh.authorized-keys`.

use serde_json::{Map, Value, json};

use crate::plan::{HostFacts, Plan};

pub fn document(plan: &Plan, facts: &HostFacts, cloud_config: Map<String, Value>, network: &Value) -> Value {
    let mut ai = Map::new();
    ai.insert("version".into(), json!(1));
    // The installer downloads packages too; Subiquity takes one proxy URL.
    let proxy = plan.settings.proxy.as_ref().and_then(|p| p.http.as_ref().or(p.https.as_ref()));
    if let Some(proxy) = proxy {
        ai.insert("proxy".into(), json!(proxy));
    }
    // Applied by the installer and written to the installed system.
    ai.insert("network".into(), network.clone());
    let mut storage = Map::new();
    if let Some(disk) = &facts.host.install_disk {
        // One ext4 root over the whole disk: an LVM layout would leave
        // most of a large disk unallocated.
        storage.insert("layout".into(), json!({"name": "direct", "match": {"path": disk}}));
    }
    if facts.host.role.runs_kubernetes() {
        // No /swap.img on a node: the kubelet wants swap off.
        storage.insert("swap".into(), json!({"size": 0}));
    }
    if !storage.is_empty() {
        ai.insert("storage".into(), Value::Object(storage));
    }
    ai.insert("ssh".into(), json!({"install-server": true, "allow-pw": false}));
    ai.insert("user-data".into(), Value::Object(cloud_config));
    json!({ "autoinstall": ai })
}

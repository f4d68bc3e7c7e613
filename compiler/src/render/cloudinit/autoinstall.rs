//! Hosts installed by Subiquity (`installer "ubuntu-autoinstall"`): the seed
//! is an autoinstall document, and the host's cloud-config rides in its
//! `user-data`, which the installed system applies on its first boot.
//!
//! There is no `identity` section: it needs a password hash, and Subiquity
//! accepts `user-data` with users in its place. SSH keys therefore go to
//! `bosun-admin` through `user-data`, not through `ssh.authorized-keys`.

use serde_json::{Map, json};

use crate::plan::{HostFacts, Plan};
use crate::render::yaml;

/// The depth of the cloud-config's keys: under `autoinstall:` `user-data:`.
pub const CLOUD_CONFIG_LEVEL: usize = 4;

/// Writes the autoinstall document up to `user-data:`, whose value, the
/// host's cloud-config, follows at [`CLOUD_CONFIG_LEVEL`]. `network_config`
/// is the host's rendered network-config.
pub fn header(out: &mut String, plan: &Plan, facts: &HostFacts, network_config: &str) {
    out.push_str("autoinstall:\n");
    yaml::entry(out, 2, "version", &json!(1));
    // The installer downloads packages too; Subiquity takes one proxy URL.
    let proxy = plan.settings.proxy.as_ref().and_then(|p| p.http.as_ref().or(p.https.as_ref()));
    if let Some(proxy) = proxy {
        yaml::str_entry(out, 2, "proxy", proxy);
    }
    // Applied by the installer and written to the installed system.
    out.push_str("  network:\n");
    yaml::indented(out, network_config, 4);
    let mut storage = Map::new();
    if let Some(disk) = &facts.host.install_disk {
        // One ext4 root over the whole disk: an LVM layout would leave
        // most of a large disk unallocated.
        storage.insert("layout".into(), json!({"name": "direct", "match": {"path": disk}}));
    }
    if facts.host.runs_kubernetes() {
        // No /swap.img on a node: the kubelet wants swap off.
        storage.insert("swap".into(), json!({"size": 0}));
    }
    if !storage.is_empty() {
        yaml::entry(out, 2, "storage", &storage.into());
    }
    out.push_str("  ssh:\n    install-server: true\n    allow-pw: false\n  user-data:\n");
}

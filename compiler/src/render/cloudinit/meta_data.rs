//! meta-data: the instance-id and the hostname.
//!
//! cloud-init runs its once-per-instance modules (users, disks, runcmd)
//! again when the instance-id changes. It is derived from the host's
//! rendered user-data and network-config, so it changes exactly when what
//! the host would be configured with changes, and recompiling an unchanged
//! site never triggers a rerun.

use sha2::{Digest, Sha256};

use crate::plan::HostFacts;
use crate::render::yaml;

pub fn meta_data(facts: &HostFacts, user_data: &str, network_config: &str) -> String {
    let mut out = String::with_capacity(64 + facts.host.name.len());
    yaml::str_entry(&mut out, 0, "instance-id", &instance_id(user_data, network_config));
    yaml::str_entry(&mut out, 0, "local-hostname", &facts.host.name);
    out
}

/// `iid-` and 16 hex digits of SHA-256 over both documents, each preceded
/// by its name and length so no two pairs hash the same input.
pub fn instance_id(user_data: &str, network_config: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hasher = Sha256::new();
    hasher.update(format!("user-data {}\n", user_data.len()));
    hasher.update(user_data);
    hasher.update(format!("network-config {}\n", network_config.len()));
    hasher.update(network_config);
    let mut id = String::from("iid-");
    for b in &hasher.finalize()[..8] {
        id.push(char::from(HEX[usize::from(b >> 4)]));
        id.push(char::from(HEX[usize::from(b & 0xf)]));
    }
    id
}

#[cfg(test)]
mod tests {
    use super::instance_id;

    #[test]
    fn instance_id_follows_both_documents() {
        let base = instance_id("#cloud-config\nhostname: a\n", "version: 2\n");
        assert!(base.starts_with("iid-") && base.len() == 20, "{base}");
        assert_eq!(base, instance_id("#cloud-config\nhostname: a\n", "version: 2\n"));
        assert_ne!(base, instance_id("#cloud-config\nhostname: b\n", "version: 2\n"));
        assert_ne!(base, instance_id("#cloud-config\nhostname: a\n", "version: 2\nethernets: {}\n"));
        // Moving text from one document to the other is a change too.
        assert_ne!(instance_id("ab", "c"), instance_id("a", "bc"));
    }
}

//! meta-data: the instance-id and the hostname.
//!
//! cloud-init runs its once-per-instance modules (users, disks, runcmd)
//! again when the instance-id changes. It is derived from the host's
//! rendered user-data and network-config, so it changes exactly when what
//! the host would be configured with changes, and recompiling an unchanged
//! site never triggers a rerun.

use serde_json::json;

use crate::plan::HostFacts;
use crate::render::yaml;

pub fn meta_data(facts: &HostFacts, user_data: &str, network_config: &str) -> String {
    yaml::to_string(&json!({
        "instance-id": instance_id(user_data, network_config),
        "local-hostname": facts.host.name,
    }))
}

/// `iid-` and 16 hex digits of SHA-256 over both documents, each preceded
/// by its name and length so no two pairs hash the same input.
pub fn instance_id(user_data: &str, network_config: &str) -> String {
    let input =
        format!("user-data {}\n{user_data}network-config {}\n{network_config}", user_data.len(), network_config.len());
    let hash = crate::hash::sha256_hex(input.as_bytes());
    format!("iid-{}", hash.get(..16).unwrap_or(&hash))
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

//! What the provisioning renderers (`dnsmasq`, `tftp`, `bmc`) share: where
//! the operator serves the compiled `provisioning/` folder and which networks
//! bosun's dnsmasq serves. Which host boots how is the plan's (`plan::Boot`).
//!
//! Conventions (docs/provisioning.md): the operator copies or mounts the
//! compiled `provisioning/` folder at [`SERVE_ROOT`] on the boot server;
//! dnsmasq's TFTP root is its `tftp/` folder, and the network's
//! `http-server` serves the whole folder as its document root, so
//! `HTTP-SERVER/cloud-init/HOST/` and `HTTP-SERVER/tftp/ipxe.efi` exist.

pub use crate::plan::{Boot, Loader};

use crate::model::{Arch, Mac, Network, Site};

/// Where the compiled `provisioning/` folder lives on the boot server.
pub const SERVE_ROOT: &str = "/srv/bosun/provisioning";

/// The TFTP root, inside `provisioning/` (and so also under the HTTP root).
pub const TFTP_DIR: &str = "tftp";

/// dnsmasq's `tftp-root`.
pub fn tftp_root() -> String {
    format!("{SERVE_ROOT}/{TFTP_DIR}")
}

/// DHCP lease time when a network's `dhcp` block does not give one.
pub const DEFAULT_LEASE: &str = "12h";

/// `aa-bb-cc-dd-ee-ff`: the MAC as iPXE's `${mac:hexhyp}`, GRUB's
/// `grub.cfg-01-…` and PXELINUX's `01-…` spell it (lowercase).
pub fn mac_dashes(mac: Mac) -> String {
    mac.to_string().replace(':', "-")
}

/// Networks bosun's dnsmasq answers DHCP on: those with a `dhcp` block, a
/// `pxe` block or a `dns-server`. Sorted by name.
pub fn served_networks(site: &Site) -> Vec<&Network> {
    let mut nets: Vec<&Network> =
        site.networks.iter().filter(|n| n.dhcp.is_some() || n.pxe.is_some() || n.dns_server.is_some()).collect();
    nets.sort_by(|a, b| a.name.cmp(&b.name));
    nets
}

/// The domain host names live in: `NODES-DOMAIN.DOMAIN`, or `DOMAIN`.
pub fn hosts_domain(site: &Site) -> Option<String> {
    let s = site.settings.as_ref()?;
    Some(match &s.nodes_domain {
        Some(nodes) => format!("{nodes}.{}", s.domain),
        None => s.domain.clone(),
    })
}

/// Whether a network boots some host with an arm64 image.
pub fn boots_arm64(boots: &[Boot], network: &Network) -> bool {
    boots.iter().any(|b| b.network.name == network.name && b.image.arch == Arch::Arm64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_with_dashes_is_lowercase() {
        let mac: Mac = "AA:BB:CC:00:11:22".parse().unwrap();
        assert_eq!(mac_dashes(mac), "aa-bb-cc-00-11-22");
    }
}

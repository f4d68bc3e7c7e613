//! What the provisioning renderers (`dnsmasq`, `tftp`, `bmc`) share: where
//! the operator serves the compiled `provisioning/` folder, which networks
//! bosun's dnsmasq serves, and which host boots how.
//!
//! Conventions (docs/provisioning.md): the operator copies or mounts the
//! compiled `provisioning/` folder at [`SERVE_ROOT`] on the boot server;
//! dnsmasq's TFTP root is its `tftp/` folder, and the network's
//! `http-server` serves the whole folder as its document root, so
//! `HTTP-SERVER/cloud-init/HOST/` and `HTTP-SERVER/tftp/ipxe.efi` exist.

use crate::model::{Arch, Host, Image, Mac, Network, Pxe, Site};
use crate::plan::Plan;

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

/// How a host's firmware gets from PXE to the installer's kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loader {
    /// Firmware PXE loads iPXE, which runs `ipxe/<mac>.ipxe`.
    Ipxe,
    /// No iPXE: UEFI loads GRUB (`grub/grub.cfg-01-<mac>`), BIOS loads
    /// PXELINUX (`pxelinux.cfg/01-<mac>`).
    Firmware,
}

/// A host that is installed over the network: it has an image and a PXE
/// interface (with a MAC) on a network with a `pxe` block.
pub struct Boot<'a> {
    pub host: &'a Host,
    pub fqdn: &'a str,
    pub mac: Mac,
    pub network: &'a Network,
    pub pxe: &'a Pxe,
    pub image: &'a Image,
    /// The network's `http-server`: validation refuses a booting host
    /// without one (`bosun::network::pxe-needs-http-server`).
    pub http_server: &'a str,
}

impl Boot<'_> {
    pub fn loader(&self) -> Loader {
        if self.pxe.ipxe { Loader::Ipxe } else { Loader::Firmware }
    }

    /// The NoCloud seed: cloud-init fetches `user-data` and `meta-data`
    /// below it, and needs the trailing slash to do so.
    pub fn seed_url(&self) -> String {
        format!("{}/cloud-init/{}/", self.http_server, self.host.name)
    }

    /// The kernel argument that points cloud-init at the seed. `;` is part
    /// of the argument: every writer must keep it from ending a command.
    pub fn seed_arg(&self) -> String {
        format!("ds=nocloud;s={}", self.seed_url())
    }

    /// Whether the firmware boots UEFI: arm64 machines always do.
    pub fn uefi(&self) -> bool {
        self.pxe.uefi || self.image.arch == Arch::Arm64
    }
}

/// Every host that boots from the network, sorted by host name. A host
/// that validation should have refused is an internal error, not a skip.
pub fn boots<'a>(plan: &'a Plan<'a>) -> Result<Vec<Boot<'a>>, String> {
    let site = plan.site;
    let mut out = Vec::new();
    for facts in &plan.hosts {
        let host = facts.host;
        let Some(image_name) = host.image.as_deref() else { continue };
        let image = site.images.iter().find(|i| i.name == image_name);
        let image =
            image.ok_or_else(|| format!("host {} names image {image_name}, which is not declared", host.name))?;
        let iface =
            facts.pxe.ok_or_else(|| format!("host {} installs an image but has no PXE interface", host.name))?;
        let mac = iface.mac.ok_or_else(|| format!("PXE interface {} of {} has no MAC", iface.name, host.name))?;
        let network = iface
            .network
            .as_deref()
            .and_then(|n| site.network(n))
            .ok_or_else(|| format!("PXE interface {} of {} is on no declared network", iface.name, host.name))?;
        let pxe = network.pxe.as_ref().ok_or_else(|| format!("network {} has no pxe block", network.name))?;
        let http_server = pxe
            .http_server
            .as_deref()
            .ok_or_else(|| format!("network {} boots {} but has no http-server", network.name, host.name))?;
        out.push(Boot { host, fqdn: &facts.fqdn, mac, network, pxe, image, http_server });
    }
    Ok(out)
}

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

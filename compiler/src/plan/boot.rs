//! How each host boots: its PXE interface, network, image and loader, worked
//! out once for the provisioning renderers (dnsmasq, TFTP scripts, BMC plan).

use super::HostFacts;
use crate::model::{Arch, Host, Image, Mac, Network, Pxe, Site};

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
    pub fqdn: String,
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
pub fn boots<'a>(site: &'a Site, hosts: &[HostFacts<'a>]) -> Result<Vec<Boot<'a>>, String> {
    let mut out = Vec::new();
    for facts in hosts {
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
        out.push(Boot { host, fqdn: facts.fqdn.clone(), mac, network, pxe, image, http_server });
    }
    Ok(out)
}

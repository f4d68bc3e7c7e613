//! `provisioning/bmc/boot-plan.json`: for every host with a BMC, how to reach
//! it and what to boot next, for the tool (Redfish or IPMI client) that
//! powers machines on into their installer.
//!
//! The plan names the secret that holds the BMC credentials and where the
//! secret store keeps it; the credentials themselves never pass through bosun.

use serde::Serialize;

use super::Outputs;
use super::provisioning::Boot;
use crate::model::BmcProtocol;
use crate::plan::Plan;

#[derive(Serialize)]
struct BootPlan<'a> {
    site: &'a str,
    hosts: Vec<HostPlan<'a>>,
}

#[derive(Serialize)]
struct HostPlan<'a> {
    host: &'a str,
    fqdn: &'a str,
    bmc: Bmc<'a>,
    credentials_secret: SecretRef<'a>,
    /// What the BMC boots next; `null` for a host without an image, which
    /// has no boot entry to boot into.
    next_boot: Option<NextBoot>,
    /// The MAC DHCP recognises the host by while it boots; `null` with
    /// `next_boot`.
    pxe_mac: Option<String>,
}

#[derive(Serialize)]
struct Bmc<'a> {
    address: String,
    protocol: &'a str,
}

/// Where the credentials are, never what they are.
#[derive(Serialize)]
struct SecretRef<'a> {
    name: &'a str,
    store: Option<&'a str>,
    path: Option<&'a str>,
    key: Option<&'a str>,
}

#[derive(Serialize)]
struct NextBoot {
    device: &'static str,
    mode: &'static str,
    once: bool,
}

pub fn render(plan: &Plan, out: &mut Outputs) -> Result<(), String> {
    let boots = plan.boots.as_ref().map_err(String::clone)?;
    let boots: std::collections::HashMap<&str, &Boot> = boots.iter().map(|b| (b.host.name.as_str(), b)).collect();
    let mut hosts = Vec::new();
    for h in plan.hosts.iter() {
        let Some(bmc) = &h.host.bmc else { continue };
        let secret = plan.site.secrets.iter().find(|s| s.name == bmc.credentials);
        let boot = boots.get(h.host.name.as_str());
        let next_boot =
            boot.map(|b| NextBoot { device: "pxe", mode: if b.uefi() { "uefi" } else { "legacy" }, once: true });
        hosts.push(HostPlan {
            host: &h.host.name,
            fqdn: &h.fqdn,
            bmc: Bmc {
                address: bmc.address.to_string(),
                protocol: match bmc.protocol {
                    BmcProtocol::Redfish => "redfish",
                    BmcProtocol::Ipmi => "ipmi",
                },
            },
            credentials_secret: SecretRef {
                name: &bmc.credentials,
                store: secret.map(|s| s.store.as_str()),
                path: secret.map(|s| s.path.as_str()),
                key: secret.and_then(|s| s.key.as_deref()),
            },
            next_boot,
            pxe_mac: boot.map(|b| b.mac.to_string()),
        });
    }
    if hosts.is_empty() {
        return Ok(());
    }
    let doc = BootPlan { site: &plan.settings.name, hosts };
    let json = serde_json::to_string_pretty(&doc).map_err(|e| format!("boot plan: {e}"))?;
    out.text(&["provisioning", "bmc", "boot-plan.json"], json)
}

//! Stage 6: render. Pure functions from the plan to file contents; one module
//! per artifact family. Nothing here touches the disk.

mod bmc;
mod cloudinit;
pub mod cluster;
mod dnsmasq;
mod gitops;
pub mod kubeadm;
mod outputs;
mod pack_values;
mod packs;
mod provisioning;
mod summary;
mod tftp;
pub mod yaml;

pub use cloudinit::{ADMIN_USER, KUBEADM_CONFIG_PATH};
pub use outputs::{OutPath, Outputs};
pub use packs::apply_user as packs_apply_user;

use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::Plan;
use crate::timings::Timings;

/// Renders every artifact. A renderer that fails is a compiler bug and is
/// reported as such (`bosun::internal`), never as a panic.
pub fn render(plan: &Plan, diags: &mut Diagnostics, timings: &mut Timings) -> Outputs {
    type Renderer = fn(&Plan, &mut Outputs) -> Result<(), String>;
    // In this order: each renderer may read what the ones before it wrote.
    let renderers: [(&str, Renderer); 9] = [
        ("render dnsmasq", dnsmasq::render),
        ("render tftp", tftp::render),
        ("render bmc", bmc::render),
        ("render kubeadm", kubeadm::render),
        // After kubeadm: seeds deliver the kubeadm files.
        ("render cloud-init", cloudinit::render),
        ("render cluster", cluster::render),
        // After kubeadm and cluster: completes the values they began.
        ("render packs", packs::render),
        // After packs: reads their values.
        ("render gitops", gitops::render),
        // The summary counts the files of the others, so it renders last.
        ("render summary", summary::render),
    ];
    let mut out = Outputs::default();
    for (stage, renderer) in renderers {
        if let Err(e) = renderer(plan, &mut out) {
            diags.push(Diagnostic::new(&crate::model::errors::INTERNAL, format!("rendering failed: {e}")));
        }
        timings.lap(stage);
    }
    out
}

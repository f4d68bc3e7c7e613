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

/// Renders every artifact. A renderer that fails is a compiler bug and is
/// reported as such (`bosun::internal`), never as a panic.
pub fn render(plan: &Plan, diags: &mut Diagnostics) -> Outputs {
    let mut out = Outputs::default();
    // The summary counts the files of the others, so it renders last.
    let results = [
        dnsmasq::render(plan, &mut out),
        tftp::render(plan, &mut out),
        bmc::render(plan, &mut out),
        kubeadm::render(plan, &mut out),
        // After kubeadm: seeds deliver the kubeadm files.
        cloudinit::render(plan, &mut out),
        cluster::render(plan, &mut out),
        // After kubeadm and cluster: completes the values they began.
        packs::render(plan, &mut out),
        // After packs: reads their values.
        gitops::render(plan, &mut out),
        summary::render(plan, &mut out),
    ];
    for r in results {
        if let Err(e) = r {
            diags.push(Diagnostic::new(&crate::model::errors::INTERNAL, format!("rendering failed: {e}")));
        }
    }
    out
}

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

use rayon::prelude::*;

/// A renderer: a pure function from the plan to files. An `Err` is a
/// compiler bug.
type Renderer = fn(&Plan, &mut Outputs) -> Result<(), String>;

/// Renders every artifact. A renderer that fails is a compiler bug and is
/// reported as such (`bosun::internal`), never as a panic.
pub fn render(plan: &Plan, diags: &mut Diagnostics, timings: &mut Timings) -> Outputs {
    // Chains that read nothing of each other's run at the same time; within
    // a chain, in this order, each renderer may read what the ones before
    // it wrote.
    let boot: &[(&str, Renderer)] =
        &[("render dnsmasq", dnsmasq::render), ("render tftp", tftp::render), ("render bmc", bmc::render)];
    // Seeds deliver the kubeadm files.
    let hosts: &[(&str, Renderer)] = &[("render kubeadm", kubeadm::render), ("render cloud-init", cloudinit::render)];
    let cluster: &[(&str, Renderer)] = &[("render cluster", cluster::render)];
    let (mut out, mut errors) = (Outputs::default(), Vec::new());
    let branches = [boot, hosts, cluster].map(|chain| (chain, timings.fork()));
    let done: Vec<((Outputs, Vec<String>), Timings)> = branches
        .into_par_iter()
        .map(|(chain, mut clock)| (run(plan, chain, Outputs::default(), &mut clock), clock))
        .collect();
    let mut clocks = Vec::new();
    for ((files, errs), clock) in done {
        errors.extend(errs);
        errors.extend(out.absorb(files).err());
        clocks.push(clock);
    }
    timings.join("render boot files, hosts and cluster", clocks);
    let rest: &[(&str, Renderer)] = &[
        // After kubeadm and cluster: completes the values they began.
        ("render packs", packs::render),
        // After packs: reads their values.
        ("render gitops", gitops::render),
        // The summary counts the files of the others, so it renders last.
        ("render summary", summary::render),
    ];
    let (out, errs) = run(plan, rest, out, timings);
    errors.extend(errs);
    for e in errors {
        diags.push(Diagnostic::new(&crate::model::errors::INTERNAL, format!("rendering failed: {e}")));
    }
    out
}

/// Runs a chain of renderers in order; the files and the errors.
fn run(
    plan: &Plan,
    chain: &[(&'static str, Renderer)],
    mut out: Outputs,
    clock: &mut Timings,
) -> (Outputs, Vec<String>) {
    let mut errors = Vec::new();
    for (stage, renderer) in chain {
        errors.extend(renderer(plan, &mut out).err());
        clock.lap(stage);
    }
    (out, errors)
}

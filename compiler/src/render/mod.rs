//! Stage 6: render. Pure functions from the plan to file contents; one module
//! per artifact family. Nothing here touches the disk.

mod bmc;
mod bootserver;
pub mod bringup;
mod cloudinit;
pub mod cluster;
mod dnsmasq;
mod gitops;
mod kubeadm;
mod outputs;
mod packs;
mod provisioning;
pub mod slurm;
mod summary;
mod tftp;
pub mod yaml;

pub use cloudinit::{ADMIN_USER, KUBEADM_CONFIG_PATH};
pub use outputs::{OutPath, Outputs};

use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::Plan;
use crate::timings::Timings;

use rayon::prelude::*;

/// A renderer: a pure function from the plan to files. An `Err` is a
/// compiler bug.
type Renderer = fn(&Plan, &mut Outputs) -> Result<(), String>;

/// Every renderer but the summary, in groups that run at the same time. No
/// renderer reads another's files, so the grouping is only about balancing
/// the cores: the seeds and the cluster objects are the large ones.
const GROUPS: &[&[(&str, Renderer)]] = &[
    &[
        ("render dnsmasq", dnsmasq::render),
        ("render tftp", tftp::render),
        ("render bmc", bmc::render),
        ("render boot server", bootserver::render),
    ],
    &[("render packs", packs::render), ("render gitops", gitops::render)],
    &[("render kubeadm and cloud-init", kubeadm_and_seeds)],
    &[("render cluster", cluster::render)],
];

/// `kubeadm/<host>.yaml`, `slurm/` and the seeds, which deliver the same
/// bytes: each file serialized once and handed to both writers.
fn kubeadm_and_seeds(plan: &Plan, out: &mut Outputs) -> Result<(), String> {
    let texts = kubeadm::texts(plan)?;
    kubeadm::render(plan, &texts, out)?;
    let slurm = slurm::files(plan);
    slurm::render(&slurm, out)?;
    cloudinit::render(plan, &texts, &slurm, out)
}

/// Renders every artifact. A renderer that fails is a compiler bug and is
/// reported as such (`bosun::internal`), never as a panic.
pub fn render(plan: &Plan, diags: &mut Diagnostics, timings: &mut Timings) -> Outputs {
    let (mut out, mut errors) = (Outputs::default(), Vec::new());
    let branches = GROUPS.iter().map(|group| (*group, timings.fork())).collect::<Vec<_>>();
    let done: Vec<((Outputs, Vec<String>), Timings)> = branches
        .into_par_iter()
        .map(|(group, mut clock)| (run(plan, group, Outputs::default(), &mut clock), clock))
        .collect();
    let mut clocks = Vec::new();
    for ((files, errs), clock) in done {
        errors.extend(errs);
        errors.extend(out.absorb(files).err());
        clocks.push(clock);
    }
    timings.join("render every artifact", clocks);
    // README.md's table counts the files of each top-level folder: it is
    // written from the finished tree's paths, never its contents.
    let readme = summary::render(plan, &out.counts());
    errors.extend(out.text(&["README.md"], readme).err());
    timings.lap("render summary");
    for e in errors {
        diags.push(Diagnostic::new(&crate::model::errors::INTERNAL, format!("rendering failed: {e}")));
    }
    out
}

/// Runs a group of renderers; the files and the errors.
fn run(
    plan: &Plan,
    group: &[(&'static str, Renderer)],
    mut out: Outputs,
    clock: &mut Timings,
) -> (Outputs, Vec<String>) {
    let mut errors = Vec::new();
    for (stage, renderer) in group {
        errors.extend(renderer(plan, &mut out).err());
        clock.lap(stage);
    }
    (out, errors)
}

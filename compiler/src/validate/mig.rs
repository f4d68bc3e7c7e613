//! Custom MIG layouts (`mig … { device SIZE count=N }`): each size one the
//! model offers, no more compute slices per GPU than it has, a name of their
//! own, and one size only under the single strategy.

use super::Ctx;
use super::errors::MIG_DEVICE;
use crate::diag::Diagnostic;
use crate::model::gpu_models::{self, ALWAYS};
use crate::model::{GpuPool, MigStrategy};

pub fn check(cx: &mut Ctx) {
    for pool in &cx.site.pools {
        layout(cx, pool);
    }
}

fn layout(cx: &mut Ctx, pool: &GpuPool) {
    let Some(mig) = pool.mig.as_ref().filter(|m| !m.device.is_empty()) else { return };
    // Without a known model gpu.rs already reports the pool.
    let Some(model) = gpu_models::find(&pool.model) else { return };
    let at = pool.at.at("mig");
    let mut problems: Vec<(String, String)> = Vec::new();
    match mig.profile.as_deref() {
        None => problems.push((at.clone(), "the layout has no name: add profile=\"NAME\"".into())),
        Some(p) if model.profile(p).is_some() || ALWAYS.contains(&p) => problems.push((
            format!("{at}/profile"),
            format!("`{p}` is a profile of {}'s table; name the layout otherwise", model.name),
        )),
        Some(_) => {}
    }
    let sizes = model.sizes();
    for (i, d) in mig.device.iter().enumerate() {
        if !sizes.contains(&d.size.as_str()) {
            problems.push((format!("{at}/device/{i}/size"), format!("{} has no MIG size {}", model.name, d.size)));
        }
    }
    let used: u32 = mig.device.iter().map(|d| d.slices() * d.count).sum();
    if used > model.slices() {
        problems.push((
            format!("{at}/device"),
            format!("{used} compute slices per GPU; {} has {}", model.name, model.slices()),
        ));
    }
    if mig.strategy == MigStrategy::Single && mig.device.len() > 1 {
        problems.push((format!("{at}/device"), "the single strategy needs one MIG size per GPU".into()));
    }
    for (ptr, text) in problems {
        let d = Diagnostic::new(&MIG_DEVICE, format!("pool `{}`: {text}", pool.name))
            .label_opt(cx.span(&ptr).or(cx.span(&at)), "in this layout")
            .help(format!("{} offers: {}", model.name, sizes.join(", ")));
        cx.push(d);
    }
}

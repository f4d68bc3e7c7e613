//! GPU pools: MIG profiles against the model's table, MIG xor time-slicing,
//! membership, and teams' quotas against capacity.

use std::collections::{BTreeMap, HashMap};

use super::Ctx;
use super::errors::*;
use crate::diag::Diagnostic;
use crate::model::gpu_models::{self, ALWAYS, MODELS};
use crate::model::{GpuPool, MigStrategy, Site, spelled};
use crate::suggest::did_you_mean;

pub fn check(cx: &mut Ctx) {
    let sizes = pool_sizes(cx.site);
    for pool in &cx.site.pools {
        mig(cx, pool);
        if !sizes.contains_key(pool.name.as_str()) {
            let d = Diagnostic::new(&EMPTY_POOL, format!("GPU pool `{}` has no hosts", pool.name))
                .label_opt(cx.span(&pool.at.at("name")), "no host names this pool");
            cx.push(d);
        }
    }
    for host in &cx.site.hosts {
        if host.gpu_pool.is_some() && !host.runs_kubernetes() && !host.runs_slurmd() {
            let d = Diagnostic::new(
                &POOL_HOST_ROLE,
                format!("`{}` is a {} host and cannot join a GPU pool", host.name, host.role.as_str()),
            )
            .label_opt(cx.setting_span(&host.at.at("gpu-pool")), "pool membership")
            .label_opt(cx.setting_span(&host.at.at("role")), "role");
            cx.push(d);
        }
    }
    oversubscription(cx, &sizes);
    flavors(cx);
}

/// How many hosts each pool has, counted in one pass over the hosts.
fn pool_sizes(site: &Site) -> HashMap<&str, u64> {
    let mut sizes = HashMap::new();
    for pool in site.hosts.iter().filter_map(|h| h.gpu_pool.as_deref()) {
        *sizes.entry(pool).or_insert(0) += 1;
    }
    sizes
}

/// Every team's ClusterQueue lists every pool as a Kueue flavor (so idle
/// GPUs can be borrowed across the cohort), and Kueue accepts at most 64
/// flavors in a resource group.
fn flavors(cx: &mut Ctx) {
    const KUEUE_MAX_FLAVORS: usize = 64;
    let pools = &cx.site.pools;
    if pools.len() <= KUEUE_MAX_FLAVORS || !cx.site.packs.iter().any(|p| p.name == crate::packs::catalog::KUEUE) {
        return;
    }
    let extra = &pools[KUEUE_MAX_FLAVORS];
    let d = Diagnostic::new(
        &TOO_MANY_POOLS,
        format!("{} GPU pools, but a Kueue ClusterQueue can list at most {KUEUE_MAX_FLAVORS} flavors", pools.len()),
    )
    .label_opt(cx.span(&extra.at.at("name")), "the 65th pool");
    cx.push(d);
}

fn mig(cx: &mut Ctx, pool: &GpuPool) {
    let Some(mig) = &pool.mig else { return };
    if pool.time_slicing.is_some() && mig.strategy != MigStrategy::None {
        let d = Diagnostic::new(&MIG_WITH_TIME_SLICING, format!("pool `{}` has both MIG and time-slicing", pool.name))
            .label_opt(cx.span(&pool.at.at("mig")), "MIG")
            .label_opt(cx.span(&pool.at.at("time-slicing")), "time-slicing");
        cx.push(d);
    }
    let profile_at = cx.span(&pool.at.at("mig/profile")).or(cx.span(&pool.at.at("mig")));
    let profile = mig.profile.as_deref();
    if mig.strategy == MigStrategy::None {
        if profile.is_some() {
            let d = Diagnostic::new(&MIG_PROFILE, "strategy \"none\" takes no profile")
                .label_opt(profile_at, "remove this profile")
                .help("use strategy=\"single\" or \"mixed\" to partition GPUs, or drop the profile");
            cx.push(d);
        }
        return;
    }
    let Some(model) = gpu_models::find(&pool.model) else {
        let known: Vec<&str> = MODELS.iter().map(|m| m.name).collect();
        let d = Diagnostic::new(&UNKNOWN_GPU_MODEL, format!("no MIG table for GPU model \"{}\"", pool.model))
            .label_opt(cx.span(&pool.at.at("model")), "model")
            .help(format!("MIG is known for: {}", known.join(", ")));
        cx.push(d);
        return;
    };
    let choices = || model.mig.iter().map(|(p, _)| *p).chain(ALWAYS.iter().copied());
    let Some(profile) = profile else {
        let d = Diagnostic::new(&MIG_PROFILE, format!("MIG strategy \"{}\" needs a profile", spelled(&mig.strategy)))
            .label_opt(profile_at, "add profile=\"…\"")
            .help(format!("{} offers: {}", model.name, choices().collect::<Vec<_>>().join(", ")));
        cx.push(d);
        return;
    };
    if !mig.device.is_empty() {
        // A custom layout: validate/mig.rs checks it.
        return;
    }
    if model.profile(profile).is_none() && !ALWAYS.contains(&profile) {
        let mut help = format!("{} offers: {}", model.name, choices().collect::<Vec<_>>().join(", "));
        if let Some(s) = did_you_mean(profile, choices()) {
            help = format!("did you mean `{s}`? {help}");
        }
        let d = Diagnostic::new(&MIG_PROFILE, format!("{} has no MIG profile \"{profile}\"", model.name))
            .label_opt(profile_at, "not in the model's table")
            .help(help);
        cx.push(d);
    } else if mig.strategy == MigStrategy::Single && profile == "all-balanced" {
        let d =
            Diagnostic::new(&MIG_PROFILE, "the single strategy needs one MIG size per GPU; all-balanced mixes sizes")
                .label_opt(profile_at, "mixed sizes")
                .help(format!(
                    "use strategy=\"mixed\" with all-balanced, or a uniform profile such as {}",
                    model.mig.first().map_or("all-disabled", |(p, _)| *p)
                ));
        cx.push(d);
    }
}

fn oversubscription(cx: &mut Ctx, sizes: &HashMap<&str, u64>) {
    let mut asked: BTreeMap<&str, Vec<(u64, String)>> = BTreeMap::new();
    for team in &cx.site.teams {
        let Some(gpu) = team.quota.as_ref().and_then(|q| q.gpu).filter(|g| *g > 0) else {
            continue;
        };
        if let Some(pool) = cx.site.quota_pool(team) {
            asked.entry(pool.name.as_str()).or_default().push((u64::from(gpu), team.at.at("quota/gpu")));
        }
    }
    for (name, teams) in asked {
        let Some(pool) = cx.site.pool(name) else {
            continue;
        };
        let size = sizes.get(name).copied().unwrap_or(0);
        let capacity = Site::capacity(pool, size);
        let total: u64 = teams.iter().map(|(g, _)| g).sum();
        if total <= capacity {
            continue;
        }
        let hosts = match size {
            1 => "1 host".to_string(),
            n => format!("{n} hosts"),
        };
        let units = Site::units_per_gpu(pool);
        let per = if units > 1 { format!(" × {units}") } else { String::new() };
        let message = format!(
            "GPU pool `{name}` is oversubscribed by {}: teams' quotas add up to {total}, the pool has {capacity} ({hosts} × {}{per})",
            total - capacity,
            pool.gpus_per_host
        );
        let mut d = Diagnostic::new(&OVERSUBSCRIBED, message);
        for (gpu, ptr) in &teams {
            d = d.label_opt(cx.setting_span(ptr), format!("{gpu}"));
        }
        cx.push(d.label_opt(cx.span(&pool.at.at("name")), "pool declared here"));
    }
}

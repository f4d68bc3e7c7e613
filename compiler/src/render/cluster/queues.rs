//! Kueue v1beta2: a ResourceFlavor per GPU pool (and one for CPU and
//! memory), a ClusterQueue per team in one cohort, a LocalQueue in each team
//! namespace. Rendered when the site installs the `kueue` pack.

use crate::packs::catalog::CPU_FLAVOR;
use std::collections::BTreeMap;
use std::ops::Range;

use k8s_openapi::api::core::v1::Toleration;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use rayon::prelude::*;
use serde_json::Value;

use super::crds::*;
use super::gpu::{pool_resources, team_gpus};
use super::{Objects, meta, pack_namespace, team_meta};
use crate::model::{GpuPool, Site, Taint, Team};
use crate::packs::catalog::KUEUE;
use crate::plan::Plan;
use crate::plan::gpu::POOL_LABEL;
use crate::render::yaml;

/// Jobs without a `kueue.x-k8s.io/queue-name` label go to the LocalQueue of
/// this name (Kueue's LocalQueueDefaulting), so a team's queue is found
/// without configuration.
pub const LOCAL_QUEUE: &str = "default";

pub fn render(plan: &Plan, objs: &mut Objects) -> Result<(), String> {
    if pack_namespace(plan.site, KUEUE).is_none() {
        return Ok(());
    }
    objs.add("queues", &Cr::new(meta(CPU_FLAVOR, None), ResourceFlavorSpec::default()))?;
    for pool in &plan.pools {
        objs.add("queues", &Cr::new(meta(&pool.name, None), flavor(pool)))?;
    }
    let gpu_resources = gpu_resources(&plan.pools);
    let idle = IdleFlavors::new(&plan.pools, &gpu_resources)?;
    // A ClusterQueue lists every pool: with many teams and pools, the
    // largest objects bosun renders, so they are built on every core.
    let queues: Vec<Result<(String, Value), String>> = plan
        .teams
        .par_iter()
        .map(|team| {
            let lq = LocalQueueSpec { cluster_queue: team.name.clone() };
            let lq = Cr::new(team_meta(LOCAL_QUEUE, Some(team.namespace()), &team.name), lq);
            Ok((cluster_queue_yaml(plan, team, &gpu_resources, &idle)?, to_value(&lq)?))
        })
        .collect();
    for (team, pair) in plan.teams.iter().zip(queues) {
        let (cq, lq) = pair?;
        objs.add_yaml("queues", (ClusterQueueSpec::KIND, &team.name, None), cq)?;
        objs.add_value("queues", lq)?;
    }
    Ok(())
}

fn to_value<T: serde::Serialize>(v: &T) -> Result<Value, String> {
    serde_json::to_value(v).map_err(|e| e.to_string())
}

/// The GPU flavors of a ClusterQueue, each pool's as YAML items with a
/// nominal quota of 0, in pool order: what every team's queue lists for
/// the pools it does not draw its quota from.
struct IdleFlavors {
    yaml: String,
    /// Where each pool's item is in `yaml`.
    items: Vec<Range<usize>>,
}

/// Where a ClusterQueue's GPU flavors sit: `spec.resourceGroups[].flavors[]`.
const FLAVOR_INDENT: usize = 8;

impl IdleFlavors {
    fn new(pools: &[&GpuPool], gpu_resources: &[String]) -> Result<Self, String> {
        let mut idle = IdleFlavors { yaml: String::new(), items: Vec::with_capacity(pools.len()) };
        // Without GPU resources a queue has no GPU resource group.
        if gpu_resources.is_empty() {
            return Ok(idle);
        }
        let pad = " ".repeat(FLAVOR_INDENT);
        for pool in pools {
            let start = idle.yaml.len();
            let item =
                yaml::to_string(&Value::Array(vec![to_value(&flavor_quotas(pool, gpu_resources, &BTreeMap::new()))?]));
            for line in item.lines() {
                idle.yaml.push_str(&pad);
                idle.yaml.push_str(line);
                idle.yaml.push('\n');
            }
            idle.items.push(start..idle.yaml.len());
        }
        Ok(idle)
    }
}

/// A team's ClusterQueue as YAML. Kueue tries flavors in order: the team's
/// own pool first, then the others (borrowing what is idle there). The
/// queue is emitted with that first flavor only; the others, the last items
/// of the document, are spliced in from `idle`.
fn cluster_queue_yaml(
    plan: &Plan,
    team: &Team,
    gpu_resources: &[String],
    idle: &IdleFlavors,
) -> Result<String, String> {
    let own = plan.site.quota_pool(team).and_then(|own| plan.pools.iter().position(|p| p.name == own.name));
    let first = own.unwrap_or(0);
    let cq = Cr::new(team_meta(&team.name, None, &team.name), cluster_queue(plan, team, gpu_resources, first));
    let mut text = yaml::to_string(&to_value(&cq)?);
    if let Some(skip) = idle.items.get(first) {
        text.reserve(idle.yaml.len() - skip.len());
        text.push_str(&idle.yaml[..skip.start]);
        text.push_str(&idle.yaml[skip.end..]);
    }
    Ok(text)
}

/// The toleration that lets a pod past `taint`.
fn toleration(taint: &Taint) -> Toleration {
    Toleration {
        key: Some(taint.key.clone()),
        operator: Some(if taint.value.is_some() { "Equal" } else { "Exists" }.to_string()),
        value: taint.value.clone(),
        effect: Some(taint.effect.as_str().to_string()),
        toleration_seconds: None,
    }
}

fn flavor(pool: &GpuPool) -> ResourceFlavorSpec {
    ResourceFlavorSpec {
        node_labels: BTreeMap::from([(POOL_LABEL.to_string(), pool.name.clone())]),
        tolerations: pool.taint.iter().map(toleration).collect(),
    }
}

/// Every GPU resource any pool advertises: `nvidia.com/gpu` first, then MIG
/// devices by name. One resource group covers them all, so each flavor
/// lists every one (Kueue requires that), with 0 for what it lacks.
fn gpu_resources(pools: &[&GpuPool]) -> Vec<String> {
    let mut all: Vec<String> = pools.iter().flat_map(|p| pool_resources(p)).map(|(r, _)| r).collect();
    all.sort_by_key(|r| (r != "nvidia.com/gpu", r.clone()));
    all.dedup();
    all
}

/// The quota of `cpu` or `memory`: the team's, else 0 (it can still borrow).
fn compute(team: &Team, cpu: bool) -> Quantity {
    let q = team.quota.as_ref().and_then(|q| if cpu { q.cpu.as_ref() } else { q.memory.as_ref() });
    Quantity(q.map_or("0".to_string(), ToString::to_string))
}

/// A team's nominal quota per flavor and GPU resource: its `quota gpu` in the
/// resources of its pool, 0 elsewhere.
pub fn gpu_nominal(site: &Site, team: &Team, pool: &GpuPool) -> BTreeMap<String, u64> {
    let own = site.quota_pool(team).is_some_and(|p| p.name == pool.name);
    match team.quota.as_ref().and_then(|q| q.gpu) {
        Some(gpus) if own => team_gpus(pool, gpus).into_iter().collect(),
        _ => BTreeMap::new(),
    }
}

fn flavor_quotas(pool: &GpuPool, gpu_resources: &[String], nominal: &BTreeMap<String, u64>) -> FlavorQuotas {
    let resources = gpu_resources
        .iter()
        .map(|r| ResourceQuota {
            name: r.to_string(),
            nominal_quota: Quantity(nominal.get(r).copied().unwrap_or(0).to_string()),
        })
        .collect();
    FlavorQuotas { name: pool.name.clone(), resources }
}

/// A team's ClusterQueue with only the GPU flavor of pool `first` listed.
fn cluster_queue(plan: &Plan, team: &Team, gpu_resources: &[String], first: usize) -> ClusterQueueSpec {
    let rq = |name: &str, q: Quantity| ResourceQuota { name: name.to_string(), nominal_quota: q };
    let mut groups = vec![ResourceGroup {
        covered_resources: vec!["cpu".to_string(), "memory".to_string()],
        flavors: vec![FlavorQuotas {
            name: CPU_FLAVOR.to_string(),
            resources: vec![rq("cpu", compute(team, true)), rq("memory", compute(team, false))],
        }],
    }];
    if let Some(pool) = plan.pools.get(first).filter(|_| !gpu_resources.is_empty()) {
        let nominal = gpu_nominal(plan.site, team, pool);
        let flavors = vec![flavor_quotas(pool, gpu_resources, &nominal)];
        groups.push(ResourceGroup { covered_resources: gpu_resources.to_vec(), flavors });
    }
    ClusterQueueSpec {
        cohort_name: plan.settings.name.clone(),
        // Without a selector a ClusterQueue admits from no namespace.
        namespace_selector: LabelSelector {
            match_labels: Some(BTreeMap::from([(
                "kubernetes.io/metadata.name".to_string(),
                team.namespace().to_string(),
            )])),
            match_expressions: None,
        },
        queueing_strategy: "BestEffortFIFO".to_string(),
        // Lenders get their GPUs back by preempting borrowers.
        preemption: Preemption {
            reclaim_within_cohort: "Any".to_string(),
            within_cluster_queue: "LowerPriority".to_string(),
        },
        resource_groups: groups,
    }
}

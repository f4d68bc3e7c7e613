//! GPU pools: the MIG manager's configuration and the device plugin's
//! per-pool configuration (the GPU Operator's values and the node labels
//! that select both are the plan's, `plan::gpu`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use serde_json::{Value, json};

use super::{Objects, meta, pack_namespace};
use crate::model::{GpuPool, Mig, MigStrategy, gpu_models, spelled};
use crate::packs::catalog::GPU_OPERATOR;
use crate::plan::Plan;
use crate::plan::gpu::{DEFAULT_CONFIG, DEVICE_PLUGIN_CONFIG_MAP, MIG_CONFIG_MAP, mig_configs, mig_layout};
use crate::render::yaml;

/// What one quota unit of the pool is, as `(resource, count)`: with the mixed
/// MIG strategy, one whole GPU's MIG devices (`nvidia.com/mig-1g.10gb` …);
/// otherwise one `nvidia.com/gpu` (a time-slice replica, a single-strategy
/// MIG device or a whole GPU, see `Site::units_per_gpu`).
pub fn pool_resources(pool: &GpuPool) -> Vec<(String, u64)> {
    if let (Some(mig @ Mig { strategy: MigStrategy::Mixed, profile: Some(_), .. }), Some(model)) =
        (&pool.mig, gpu_models::find(&pool.model))
    {
        let devices = mig.devices(model).unwrap_or_default();
        if !devices.is_empty() {
            return devices.into_iter().map(|(size, n)| (format!("nvidia.com/mig-{size}"), u64::from(n))).collect();
        }
    }
    vec![("nvidia.com/gpu".to_string(), 1)]
}

/// A team's `quota gpu=N` on a pool, per resource.
pub fn team_gpus(pool: &GpuPool, gpus: u32) -> Vec<(String, u64)> {
    pool_resources(pool).into_iter().map(|(r, n)| (r, n * u64::from(gpus))).collect()
}

pub fn render(plan: &Plan, objs: &mut Objects) -> Result<(), String> {
    let site = plan.site;
    let Some(ns) = pack_namespace(site, GPU_OPERATOR) else { return Ok(()) };
    if plan.pools.is_empty() {
        return Ok(());
    }
    let any_mig = plan.pools.iter().any(|p| mig_layout(p).is_some());
    if any_mig {
        mig_config_map(plan, ns, objs)?;
    }
    device_plugin_config_map(plan, ns, objs)
}

fn config_map(name: &str, ns: &str, data: BTreeMap<String, String>) -> ConfigMap {
    ConfigMap { metadata: meta(name, Some(ns)), data: Some(data), ..ConfigMap::default() }
}

fn mig_config_map(plan: &Plan, ns: &str, objs: &mut Objects) -> Result<(), String> {
    let keys = mig_configs(plan.site);
    let mut configs = serde_json::Map::new();
    configs.insert("all-disabled".to_string(), json!([{"devices": "all", "mig-enabled": false}]));
    for pool in &plan.pools {
        let (Some((_, devices, enabled)), Some(key)) = (mig_layout(pool), keys.get(&pool.name)) else { continue };
        if !enabled {
            continue;
        }
        let devices: serde_json::Map<String, Value> = devices.into_iter().map(|(s, n)| (s, json!(n))).collect();
        configs.insert(key.clone(), json!([{"devices": "all", "mig-enabled": true, "mig-devices": devices}]));
    }
    let doc = yaml::to_string(&json!({"version": "v1", "mig-configs": configs}));
    objs.add("gpu", &config_map(MIG_CONFIG_MAP, ns, BTreeMap::from([("config.yaml".to_string(), doc)])))
}

fn device_plugin_config(pool: Option<&GpuPool>) -> String {
    let strategy = pool.and_then(|p| p.mig.as_ref()).map_or("none".to_string(), |m| spelled(&m.strategy));
    let mut doc = json!({"version": "v1", "flags": {"migStrategy": strategy}});
    if let Some(ts) = pool.and_then(|p| p.time_slicing.as_ref()) {
        doc["sharing"] = json!({"timeSlicing": {"resources": [{"name": "nvidia.com/gpu", "replicas": ts.replicas}]}});
    }
    yaml::to_string(&doc)
}

fn device_plugin_config_map(plan: &Plan, ns: &str, objs: &mut Objects) -> Result<(), String> {
    let mut data = BTreeMap::from([(DEFAULT_CONFIG.to_string(), device_plugin_config(None))]);
    for pool in &plan.pools {
        data.insert(pool.name.clone(), device_plugin_config(Some(pool)));
    }
    objs.add("gpu", &config_map(DEVICE_PLUGIN_CONFIG_MAP, ns, data))
}

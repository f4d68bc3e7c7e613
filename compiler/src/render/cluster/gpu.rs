//! GPU pools: the GPU Operator's values for the site, the MIG manager's
//! configuration, the device plugin's per-pool configuration, and the node
//! labels that select both.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use serde_json::{Value, json};

use super::{Objects, meta, pack_namespace};
use crate::model::{GpuPool, Mig, MigStrategy, Site, gpu_models, spelled};
use crate::plan::Plan;
use crate::render::{Outputs, yaml};

/// Node label naming the pool a GPU host belongs to; Kueue flavors select it.
pub const POOL_LABEL: &str = "bosun.dev/gpu-pool";
pub const MIG_CONFIG_MAP: &str = "mig-parted-config";
pub const DEVICE_PLUGIN_CONFIG_MAP: &str = "device-plugin-config";
/// The device plugin config of GPU nodes outside every pool.
const DEFAULT_CONFIG: &str = "default";

/// What one quota unit of the pool is, as `(resource, count)`: with the mixed
/// MIG strategy, one whole GPU's MIG devices (`nvidia.com/mig-1g.10gb` …);
/// otherwise one `nvidia.com/gpu` (a time-slice replica, a single-strategy
/// MIG device or a whole GPU, see `Site::units_per_gpu`).
pub fn pool_resources(pool: &GpuPool) -> Vec<(String, u64)> {
    if let (Some(Mig { strategy: MigStrategy::Mixed, profile: Some(p) }), Some(model)) =
        (&pool.mig, gpu_models::find(&pool.model))
    {
        let devices = model.devices(p).unwrap_or_default();
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

/// MIG device profile → how many of them one GPU holds.
type MigDevices = Vec<(String, u32)>;

/// The MIG devices of a pool's GPUs under its `mig` setting, or `None` for
/// a pool without `mig`. Strategy `none` turns MIG off.
fn mig_layout(pool: &GpuPool) -> Option<(&str, MigDevices, bool)> {
    let mig = pool.mig.as_ref()?;
    let profile = match (mig.strategy, mig.profile.as_deref()) {
        (MigStrategy::None, _) | (_, None) => "all-disabled",
        (_, Some(p)) => p,
    };
    let devices = gpu_models::find(&pool.model).and_then(|m| m.devices(profile)).unwrap_or_default();
    Some((profile, devices, profile != "all-disabled"))
}

/// The `nvidia.com/mig.config` value of each pool with `mig`: the profile
/// name, or `<profile>-<pool>` when pools of different models give the same
/// profile name different devices (only `all-balanced` does).
fn mig_configs(site: &Site) -> BTreeMap<String, String> {
    let mut by_profile: BTreeMap<&str, Vec<(&str, MigDevices)>> = BTreeMap::new();
    for pool in &site.pools {
        if let Some((profile, devices, _)) = mig_layout(pool) {
            by_profile.entry(profile).or_default().push((&pool.name, devices));
        }
    }
    let mut out = BTreeMap::new();
    for (profile, pools) in by_profile {
        let same = pools.windows(2).all(|w| w[0].1 == w[1].1);
        for (pool, _) in pools {
            let key = if same { profile.to_string() } else { format!("{profile}-{pool}") };
            out.insert(pool.to_string(), key);
        }
    }
    out
}

/// The node labels every host of a pool carries: the pool label, the pool's
/// own labels, and the labels that pick its device-plugin and MIG configs.
/// Whatever registers the nodes (kubelet `--node-labels`) applies these.
pub fn pool_node_labels(site: &Site, pool: &GpuPool) -> Vec<(String, String)> {
    let mut labels = vec![(POOL_LABEL.to_string(), pool.name.clone())];
    for l in &pool.label {
        let (k, v) = l.split_once('=').unwrap_or((l, ""));
        labels.push((k.to_string(), v.to_string()));
    }
    labels.push(("nvidia.com/device-plugin.config".to_string(), pool.name.clone()));
    if let Some(key) = mig_config(site, pool) {
        labels.push(("nvidia.com/mig.config".to_string(), key));
    }
    labels
}

/// [`mig_configs`] of one pool, as the node labels of every GPU host need
/// it: pools of its own model give a profile the same devices, so only the
/// other models' pools are compared.
fn mig_config(site: &Site, pool: &GpuPool) -> Option<String> {
    let (profile, devices, _) = mig_layout(pool)?;
    let same = site
        .pools
        .iter()
        .filter(|p| p.model != pool.model)
        .filter_map(mig_layout)
        .all(|(other, d, _)| other != profile || d == devices);
    Some(if same { profile.to_string() } else { format!("{profile}-{}", pool.name) })
}

pub fn render(plan: &Plan, objs: &mut Objects, out: &mut Outputs) -> Result<(), String> {
    let site = plan.site;
    let Some(ns) = pack_namespace(site, "gpu-operator") else { return Ok(()) };
    if plan.pools.is_empty() {
        return Ok(());
    }
    let any_mig = plan.pools.iter().any(|p| mig_layout(p).is_some());
    if any_mig {
        mig_config_map(plan, ns, objs)?;
    }
    device_plugin_config_map(plan, ns, objs)?;
    values(plan, any_mig, out)
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

fn values(plan: &Plan, any_mig: bool, out: &mut Outputs) -> Result<(), String> {
    let mixed = plan.pools.iter().any(|p| p.mig.as_ref().is_some_and(|m| m.strategy == MigStrategy::Mixed));
    let monitoring = plan.site.packs.iter().any(|p| p.name == "kube-prometheus-stack");
    let mut mig_manager = json!({"enabled": any_mig});
    if any_mig {
        mig_manager["config"] = json!({"create": false, "name": MIG_CONFIG_MAP, "default": "all-disabled"});
    }
    let v = json!({
        "mig": {"strategy": if mixed { "mixed" } else { "single" }},
        "driver": {"enabled": true, "kernelModuleType": "auto"},
        "toolkit": {"enabled": true},
        "cdi": {"enabled": true},
        "nfd": {"enabled": true},
        "gfd": {"enabled": true},
        "devicePlugin": {
            "enabled": true,
            "config": {"create": false, "name": DEVICE_PLUGIN_CONFIG_MAP, "default": DEFAULT_CONFIG},
        },
        "dcgmExporter": {"enabled": true, "serviceMonitor": {"enabled": monitoring}},
        "migManager": mig_manager,
    });
    out.text(&["packs", "gpu-operator", "values.yaml"], yaml::to_string(&v))
}

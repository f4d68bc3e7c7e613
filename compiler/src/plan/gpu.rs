//! What GPU pools mean for their hosts: the MIG layout of each pool and the
//! node labels that select the pool, its device-plugin and MIG configs. The
//! kubelet registers the labels (kubeadm/), the GPU Operator's objects and
//! the notebook profiles select by them.

use std::collections::BTreeMap;

use crate::model::{GpuPool, MigStrategy, Site, gpu_models};

/// Node label naming the pool a GPU host belongs to; Kueue flavors select it.
pub const POOL_LABEL: &str = "bosun.dev/gpu-pool";
pub const MIG_CONFIG_MAP: &str = "mig-parted-config";
pub const DEVICE_PLUGIN_CONFIG_MAP: &str = "device-plugin-config";
/// The device plugin config of GPU nodes outside every pool.
pub const DEFAULT_CONFIG: &str = "default";
/// MIG device profile → how many of them one GPU holds.
type MigDevices = Vec<(String, u32)>;

/// The MIG devices of a pool's GPUs under its `mig` setting, or `None` for
/// a pool without `mig`. Strategy `none` turns MIG off.
pub fn mig_layout(pool: &GpuPool) -> Option<(&str, MigDevices, bool)> {
    let mig = pool.mig.as_ref()?;
    let profile = match (mig.strategy, mig.profile.as_deref()) {
        (MigStrategy::None, _) | (_, None) => "all-disabled",
        (_, Some(p)) => p,
    };
    let devices = match mig.strategy {
        MigStrategy::None => Vec::new(),
        _ => gpu_models::find(&pool.model).and_then(|m| mig.devices(m)).unwrap_or_default(),
    };
    Some((profile, devices, profile != "all-disabled"))
}

/// The `nvidia.com/mig.config` value of each pool with `mig`: the profile
/// name, or `<profile>-<pool>` when pools of different models give the same
/// profile name different devices (only `all-balanced` does).
pub fn mig_configs(site: &Site) -> BTreeMap<String, String> {
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

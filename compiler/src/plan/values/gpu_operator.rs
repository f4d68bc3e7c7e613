//! The GPU Operator's values for the site's GPU pools.

use serde_json::{Value, json};

use crate::model::MigStrategy;
use crate::packs::catalog::KUBE_PROMETHEUS_STACK;
use crate::plan::Plan;
use crate::plan::gpu::{DEFAULT_CONFIG, DEVICE_PLUGIN_CONFIG_MAP, MIG_CONFIG_MAP, mig_layout};

/// The GPU Operator's values: the MIG strategy, the MIG manager and device
/// plugin reading bosun's ConfigMaps (cluster/gpu/), and DCGM metrics scraped
/// when the site monitors.
pub fn values(plan: &Plan) -> Value {
    let any_mig = plan.pools.iter().any(|p| mig_layout(p).is_some());
    let mixed = plan.pools.iter().any(|p| p.mig.as_ref().is_some_and(|m| m.strategy == MigStrategy::Mixed));
    let monitoring = plan.site.packs.iter().any(|p| p.name == KUBE_PROMETHEUS_STACK);
    let mut mig_manager = json!({"enabled": any_mig});
    if any_mig {
        mig_manager["config"] = json!({"create": false, "name": MIG_CONFIG_MAP, "default": "all-disabled"});
    }
    json!({
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
    })
}

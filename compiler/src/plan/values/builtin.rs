//! Values bosun derives from the site for built-in packs. See docs/packs.md.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::{cni, gpu_operator};
use crate::model::{Registry, StorageType, Taint};
use crate::packs::catalog::{
    ARGOCD, CSI_DRIVER_NFS, DOCKER_REGISTRY, EXTERNAL_SECRETS, FLUX, GPU_OPERATOR, INGRESS_NGINX, JUPYTERHUB,
    KUBE_PROMETHEUS_STACK, KUEUE, ROOK_CEPH, ROOK_CEPH_CLUSTER, cni as cni_pack,
};
use crate::plan::{Plan, ceph, gpu};

pub fn derived(plan: &Plan, name: &str) -> Value {
    let kubernetes = plan.hosts.iter().any(|h| h.host.runs_kubernetes());
    match name {
        n if plan.settings.kubernetes.as_ref().is_some_and(|k| cni_pack(k.cni) == n) && kubernetes => cni::values(plan),
        GPU_OPERATOR if !plan.pools.is_empty() => gpu_operator::values(plan),
        // Waves across child Applications wait only if Argo CD assesses an
        // Application's health (docs/gitops.md).
        ARGOCD => json!({"configs": {"cm": {
            "resource.customizations.health.argoproj.io_Application": ARGOCD_APP_HEALTH,
        }}}),
        KUEUE => json!({"controllerManager": {"replicas": 1}}),
        CSI_DRIVER_NFS => json!({"externalSnapshotter": {"enabled": false}}),
        // The chart installs the ExternalSecret CRDs cluster/secrets/ uses.
        EXTERNAL_SECRETS => json!({"installCRDs": true}),
        ROOK_CEPH => rook_operator(plan),
        ROOK_CEPH_CLUSTER => ceph::cluster_values(plan.site).unwrap_or_else(|| json!({})),
        INGRESS_NGINX => ingress(),
        FLUX => flux(),
        KUBE_PROMETHEUS_STACK => monitoring(plan),
        JUPYTERHUB => jupyterhub(plan),
        DOCKER_REGISTRY => registry(plan),
        _ => json!({}),
    }
}

/// The Rook operator: only the CSI drivers the site's ceph classes use, and
/// their node plugins tolerating every taint of the site's hosts, so pods on
/// tainted (GPU) nodes can mount Ceph volumes.
fn rook_operator(plan: &Plan) -> Value {
    let uses = |t: StorageType| {
        plan.site
            .storage
            .class
            .iter()
            .any(|c| c.type_ == t && plan.site.storage.ceph.iter().any(|b| b.name == c.backend))
    };
    let mut csi = json!({
        "enableRbdDriver": uses(StorageType::Rbd),
        "enableCephfsDriver": uses(StorageType::Cephfs),
    });
    // Sorted and deduplicated as written.
    let taints: BTreeMap<String, &Taint> =
        plan.hosts.iter().flat_map(|h| crate::plan::taints(plan.site, h.host)).map(|t| (t.to_string(), t)).collect();
    if !taints.is_empty() {
        csi["pluginTolerations"] = taints.into_values().map(toleration).collect();
    }
    json!({"csi": csi})
}

/// ingress-nginx on bare metal, where no LoadBalancer implementation is
/// installed: a DaemonSet on the host network of the control-plane nodes
/// (ports 80 and 443 there), the cluster's default IngressClass `nginx`.
fn ingress() -> Value {
    const CONTROL_PLANE: &str = "node-role.kubernetes.io/control-plane";
    json!({"controller": {
        "kind": "DaemonSet",
        "hostNetwork": true,
        "dnsPolicy": "ClusterFirstWithHostNet",
        "service": {"type": "ClusterIP"},
        "nodeSelector": {CONTROL_PLANE: ""},
        "tolerations": [{"key": CONTROL_PLANE, "operator": "Exists", "effect": "NoSchedule"}],
        "ingressClassResource": {"name": "nginx", "default": true},
    }})
}

/// Flux: the controllers gitops/ uses (source, kustomize, helm) and the
/// notification controller; bosun writes no image automation objects.
fn flux() -> Value {
    json!({
        "imageAutomationController": {"create": false},
        "imageReflectionController": {"create": false},
    })
}

/// The toleration that lets a pod past `t`.
fn toleration(t: &Taint) -> Value {
    let effect = t.effect.as_str();
    match &t.value {
        Some(v) => json!({"key": t.key, "operator": "Equal", "value": v, "effect": effect}),
        None => json!({"key": t.key, "operator": "Exists", "effect": effect}),
    }
}

/// Scrape every ServiceMonitor (the DCGM exporter's among them), a GPU
/// dashboard, and alerts on XID errors and temperature from DCGM metrics.
fn monitoring(plan: &Plan) -> Value {
    let mut v = json!({
        "prometheus": {"prometheusSpec": {
            "serviceMonitorSelectorNilUsesHelmValues": false,
            "podMonitorSelectorNilUsesHelmValues": false,
            "ruleSelectorNilUsesHelmValues": false,
        }},
    });
    if plan.pools.is_empty() {
        return v;
    }
    v["additionalPrometheusRulesMap"] = json!({"gpu": {"groups": [{
        "name": "gpu",
        "rules": [
            {
                "alert": "GpuXidError",
                "expr": "DCGM_FI_DEV_XID_ERRORS > 0",
                "labels": {"severity": "critical"},
                "annotations": {
                    "summary": "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} reported XID {{ $value }}",
                    "description": "An XID error is a driver-reported GPU fault; see NVIDIA's XID catalogue.",
                },
            },
            {
                "alert": "GpuTemperatureHigh",
                "expr": "DCGM_FI_DEV_GPU_TEMP > 85",
                "for": "5m",
                "labels": {"severity": "warning"},
                "annotations": {
                    "summary": "GPU {{ $labels.gpu }} on {{ $labels.Hostname }} is at {{ $value }} °C",
                },
            },
        ],
    }]}});
    v["grafana"] = json!({
        "dashboardProviders": {"dashboardproviders.yaml": {"apiVersion": 1, "providers": [{
            "name": "gpu", "orgId": 1, "folder": "GPU", "type": "file", "disableDeletion": true,
            "options": {"path": "/var/lib/grafana/dashboards/gpu"},
        }]}},
        // NVIDIA's DCGM exporter dashboard.
        "dashboards": {"gpu": {"nvidia-dcgm-exporter": {"gnetId": 12239, "revision": 2, "datasource": "Prometheus"}}},
    });
    v
}

/// A notebook profile per GPU pool, like Nautilus' GPU-type picker.
fn jupyterhub(plan: &Plan) -> Value {
    let mut profiles = vec![json!({
        "display_name": "CPU only",
        "description": "No GPU",
        "default": true,
    })];
    for pool in &plan.pools {
        let labels = gpu::pool_node_labels(plan.site, pool);
        let selector: serde_json::Map<String, Value> =
            labels.into_iter().take(1).map(|(k, v)| (k, Value::String(v))).collect();
        let tolerations: Vec<Value> = pool.taint.iter().map(toleration).collect();
        let mut over = json!({
            "node_selector": selector,
            "extra_resource_limits": {"nvidia.com/gpu": "1"},
        });
        if !tolerations.is_empty() {
            over["tolerations"] = json!(tolerations);
        }
        profiles.push(json!({
            "display_name": format!("{} ({})", pool.name, pool.model),
            "description": format!("1 {} GPU from pool {}", pool.model, pool.name),
            "kubespawner_override": over,
        }));
    }
    json!({"singleuser": {"profileList": profiles}})
}

/// The registry the site hosts: of the registries that mirror nothing, the
/// first inside the site's domain (another is a registry elsewhere the hosts
/// also pull from), else the first. Image pushes go through ingress-nginx,
/// whose default 1 MiB body limit would refuse most layers with a 413.
fn registry(plan: &Plan) -> Value {
    let host = |r: &&Registry| r.address.rsplit_once(':').map_or(r.address.as_str(), |(h, _)| h).to_string();
    let suffix = format!(".{}", plan.settings.domain);
    let own: Vec<&Registry> = plan.settings.registry.iter().filter(|r| r.mirror_of.is_none()).collect();
    let hosted = own.iter().find(|r| host(r).ends_with(&suffix)).or(own.first());
    let mut v = json!({"persistence": {"enabled": true, "size": "100Gi"}});
    if let Some(r) = hosted {
        v["ingress"] = json!({
            "enabled": true,
            "className": "nginx",
            "hosts": [host(r)],
            "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "0"},
        });
    }
    v
}

/// The Lua health check that makes an app of apps wait for each wave.
const ARGOCD_APP_HEALTH: &str = "hs = {}
hs.status = \"Progressing\"
hs.message = \"\"
if obj.status ~= nil then
  if obj.status.health ~= nil then
    hs.status = obj.status.health.status
    if obj.status.health.message ~= nil then
      hs.message = obj.status.health.message
    end
  end
end
return hs
";

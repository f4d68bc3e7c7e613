//! Values bosun derives from the site for built-in packs that no other
//! renderer writes (the CNI's come from kubeadm/, the GPU Operator's from
//! cluster/). See docs/packs.md.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::model::StorageType;
use crate::plan::Plan;

pub fn derived(plan: &Plan, name: &str) -> Value {
    match name {
        // Waves across child Applications wait only if Argo CD assesses an
        // Application's health (docs/gitops.md).
        "argocd" => json!({"configs": {"cm": {
            "resource.customizations.health.argoproj.io_Application": ARGOCD_APP_HEALTH,
        }}}),
        "kueue" => json!({"controllerManager": {"replicas": 1}}),
        "csi-driver-nfs" => json!({"externalSnapshotter": {"enabled": false}}),
        // The chart installs the ExternalSecret CRDs cluster/secrets/ uses.
        "external-secrets" => json!({"installCRDs": true}),
        "rook-ceph" => rook_operator(plan),
        "rook-ceph-cluster" => crate::render::cluster::rook_cluster_values(plan.site).unwrap_or_else(|| json!({})),
        "ingress-nginx" => ingress(),
        "flux" => flux(),
        "kube-prometheus-stack" => monitoring(plan),
        "jupyterhub" => jupyterhub(plan),
        "docker-registry" => registry(plan),
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
    let mut taints: BTreeSet<&str> = BTreeSet::new();
    for h in &plan.hosts {
        let pool = h.host.gpu_pool.as_deref().and_then(|p| plan.site.pool(p));
        taints.extend(pool.map(|p| &p.taint).into_iter().flatten().chain(&h.host.taint).map(String::as_str));
    }
    if !taints.is_empty() {
        csi["pluginTolerations"] = taints.into_iter().map(toleration).collect();
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

/// A toleration of one `key[=value][:Effect]` taint.
fn toleration(t: &str) -> Value {
    let (kv, effect) = t.rsplit_once(':').unwrap_or((t, "NoSchedule"));
    match kv.split_once('=') {
        Some((k, v)) => json!({"key": k, "operator": "Equal", "value": v, "effect": effect}),
        None => json!({"key": kv, "operator": "Exists", "effect": effect}),
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
        let labels = crate::render::cluster::pool_node_labels(plan.site, pool);
        let selector: serde_json::Map<String, Value> =
            labels.into_iter().take(1).map(|(k, v)| (k, Value::String(v))).collect();
        let tolerations: Vec<Value> = pool.taint.iter().map(|t| toleration(t)).collect();
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

/// The registry the site hosts: its first registry that mirrors nothing.
fn registry(plan: &Plan) -> Value {
    let hosted = plan.settings.registry.iter().find(|r| r.mirror_of.is_none());
    let mut v = json!({"persistence": {"enabled": true, "size": "100Gi"}});
    if let Some(r) = hosted {
        let host = r.address.rsplit_once(':').map_or(r.address.as_str(), |(h, _)| h);
        v["ingress"] = json!({"enabled": true, "className": "nginx", "hosts": [host]});
    }
    v
}

/// The Lua health check that makes an app of apps wait for each wave.
pub const ARGOCD_APP_HEALTH: &str = "hs = {}
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

//! The CNI's Helm values with the site's pod subnet.

use serde_json::{Value, json};

use crate::model::Cni;
use crate::plan::Plan;

/// The values of the site's CNI pack.
pub fn values(plan: &Plan) -> Value {
    let Some(k) = &plan.settings.kubernetes else {
        return json!({});
    };
    let pod = k.pod_subnet.to_string();
    match k.cni {
        // tigera-operator chart: the Installation's default IP pool.
        Cni::Calico => json!({"installation": {"calicoNetwork": {"ipPools": [{
            "cidr": pod,
            "encapsulation": "VXLANCrossSubnet",
            "natOutgoing": "Enabled",
            "nodeSelector": "all()",
        }]}}}),
        // cilium chart: cluster-pool IPAM over the pod subnet.
        Cni::Cilium => json!({"ipam": {"mode": "cluster-pool", "operator": {"clusterPoolIPv4PodCIDRList": [pod]}}}),
        // flannel chart: `podCidr` becomes net-conf.json's Network.
        Cni::Flannel => json!({"flannel": {"backend": "vxlan"}, "podCidr": pod}),
    }
}

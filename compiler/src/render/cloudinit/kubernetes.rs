//! Control-plane and worker hosts: kernel prerequisites, swap off, the
//! Kubernetes packages pinned to the site's version, and the kubeadm step.
//!
//! Login and management hosts get none of this: they run no kubelet, and IP
//! forwarding on a host with a leg in several networks would make it a router.

use serde_json::Value;

use super::{KUBEADM_CONFIG_PATH, Shared, file, first_control_plane, sh};
use crate::plan::{HostFacts, Plan};
use crate::render::kubeadm::{
    self,
    files::{FILLED_CONFIG, JOIN_SCRIPT},
};
use crate::support::kubernetes_minor;

const KEYRING: &str = "/etc/apt/keyrings/kubernetes-apt-keyring.gpg";
/// The downloaded (armored) key; /run is emptied at the next boot.
const DOWNLOADED_KEY: &str = "/run/bosun-kubernetes-release.key";
const PACKAGES: [&str; 3] = ["kubelet", "kubeadm", "kubectl"];

const MODULES: &str = "# Written by bosun: container image layers, bridged pod traffic through iptables.
overlay
br_netfilter
";

const SYSCTL: &str = "# Written by bosun: what kubeadm's preflight checks and pod networking need.
net.bridge.bridge-nf-call-iptables = 1
net.bridge.bridge-nf-call-ip6tables = 1
net.ipv4.ip_forward = 1
";

/// `write_files` entries: the prerequisites, containerd's files, the host's
/// kubeadm configuration (the bytes of `kubeadm/<host>.yaml`, join secrets
/// left as placeholders) and what it refers to.
pub fn files(plan: &Plan, shared: &Shared, facts: &HostFacts, kubeadm: &[u8]) -> Result<Vec<Value>, String> {
    let mut out = vec![
        file("/etc/modules-load.d/kubernetes.conf", "0644", MODULES.into()),
        file("/etc/sysctl.d/kubernetes.conf", "0644", SYSCTL.into()),
    ];
    out.extend(shared.containerd.iter().cloned());
    let config = String::from_utf8(kubeadm.to_vec()).map_err(|e| format!("kubeadm file: {e}"))?;
    for f in kubeadm::files::host_files(plan, facts, &config)? {
        out.push(file(f.path, f.permissions, f.content));
    }
    out.push(file(KUBEADM_CONFIG_PATH, "0600", config));
    Ok(out)
}

/// The first-boot script, in order. It stops at the first failing command
/// (`set -e`), so kubeadm never runs on a half-installed node; every step
/// can run again safely.
pub fn runcmd(plan: &Plan, facts: &HostFacts) -> Result<Vec<String>, String> {
    let version = &plan.settings.kubernetes.version;
    let minor = kubernetes_minor(version).ok_or_else(|| format!("Kubernetes version {version:?} is not 1.Y.Z"))?;
    let repo = format!("https://pkgs.k8s.io/core:/stable:/v1.{minor}/deb/");
    // runcmd has no proxy in its environment; apt gets it from cloud-init's apt config.
    let proxy = plan.settings.proxy.as_ref().and_then(|p| p.https.as_ref().or(p.http.as_ref()));
    let curl_proxy = proxy.map(|p| format!(" --proxy {}", sh(p))).unwrap_or_default();
    let apt_get = "DEBIAN_FRONTEND=noninteractive apt-get -o Acquire::Retries=3";
    let pinned: Vec<String> = PACKAGES.iter().map(|p| sh(&format!("{p}={version}-*"))).collect();
    let install = format!(
        "{apt_get} install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold containerd {}",
        pinned.join(" ")
    );
    let mut cmds = vec![
        "set -e".to_string(),
        // The kubelet refuses to start with swap on. `swap: {size: 0}` would
        // only stop cloud-init from creating a swap file.
        "swapoff -a".to_string(),
        r"sed -i -E 's@^([^#[:space:]][^[:space:]]*[[:space:]]+[^[:space:]]+[[:space:]]+swap([[:space:]].*)?)$@# \1@' /etc/fstab"
            .to_string(),
        "modprobe overlay".to_string(),
        "modprobe br_netfilter".to_string(),
        "sysctl -p /etc/sysctl.d/kubernetes.conf".to_string(),
        format!("{apt_get} update"),
        format!("{apt_get} install -y --no-upgrade ca-certificates curl gpg"),
        "install -d -m 0755 /etc/apt/keyrings".to_string(),
        format!("curl -fsSL --retry 3{curl_proxy} -o {DOWNLOADED_KEY} {repo}Release.key"),
        format!("gpg --dearmor --yes -o {KEYRING} {DOWNLOADED_KEY}"),
        format!("echo {} > /etc/apt/sources.list.d/kubernetes.list", sh(&format!("deb [signed-by={KEYRING}] {repo} /"))),
        format!("{apt_get} update"),
        // Installed once: on a running node a new site version must go
        // through `kubeadm upgrade`, never a package swap on reboot.
        format!(
            "if [ -x /usr/bin/kubeadm ]; then echo 'bosun: Kubernetes packages already installed (upgrades go through kubeadm upgrade)'; else {install}; fi"
        ),
        format!("apt-mark hold {}", PACKAGES.join(" ")),
        "systemctl daemon-reload".to_string(),
        // Picks up changed configuration and proxy files; running containers stay up.
        "systemctl restart containerd".to_string(),
        "systemctl enable kubelet".to_string(),
    ];
    cmds.push(kubeadm_step(first_control_plane(plan) == Some(facts.host.name.as_str())));
    Ok(cmds)
}

/// `kubeadm init` on the first control-plane host, `kubeadm join` elsewhere;
/// skipped on a host that is already a node, and only when the kubeadm
/// configuration has been delivered (see [`KUBEADM_CONFIG_PATH`]). The join
/// script fills the join secret into a copy under /run first.
fn kubeadm_step(init: bool) -> String {
    let command = if init {
        format!("{JOIN_SCRIPT} && kubeadm init --config {FILLED_CONFIG} --upload-certs")
    } else {
        format!("{JOIN_SCRIPT} && kubeadm join --config {FILLED_CONFIG}")
    };
    format!(
        "if [ -f /etc/kubernetes/kubelet.conf ]; then echo 'bosun: already a Kubernetes node, kubeadm skipped'; \
         elif [ -f {KUBEADM_CONFIG_PATH} ]; then {command}; \
         else echo 'bosun: {KUBEADM_CONFIG_PATH} is missing; once it is in place run: {command}'; fi"
    )
}

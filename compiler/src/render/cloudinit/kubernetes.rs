//! Control-plane and worker hosts: kernel prerequisites, swap off, the
//! Kubernetes packages pinned to the site's version, and the kubeadm step.
//!
//! Login and management hosts get none of this: they run no kubelet, and IP
//! forwarding on a host with a leg in several networks would make it a router.

use serde_json::Value;

use super::kubeadm_files::{FILLED_CONFIG, JOIN_SCRIPT, host_files};
use super::slurm::{self, HostPart};
use super::{KUBEADM_CONFIG_PATH, Shared, file, sh};
use crate::plan::{HostFacts, Plan};
use crate::render::yaml;
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

/// The rendered `write_files` entries every Kubernetes host has, and its
/// `runcmd`, for a cloud-config whose keys sit at `level`.
pub struct Fragments {
    /// The prerequisites and containerd's files, each with its path.
    files: Vec<(String, String)>,
    /// `runcmd` on the host that runs `kubeadm init`, and on the others.
    runcmd: Result<[String; 2], String>,
}

impl Fragments {
    pub fn new(plan: &Plan, containerd: &[Value], level: usize) -> Fragments {
        let prerequisites = [
            file("/etc/modules-load.d/kubernetes.conf", "0644", MODULES.into()),
            file("/etc/sysctl.d/kubernetes.conf", "0644", SYSCTL.into()),
        ];
        let files = prerequisites
            .iter()
            .chain(containerd)
            .map(|f| {
                let mut item = String::new();
                yaml::seq_item(&mut item, level + 2, f);
                (f["path"].as_str().unwrap_or_default().to_string(), item)
            })
            .collect();
        let render = |init: bool| {
            let cmds = runcmd(plan, init)?;
            let mut out = String::new();
            yaml::entry(&mut out, level, "runcmd", &Value::Array(cmds.into_iter().map(Value::String).collect()));
            Ok(out)
        };
        Fragments { files, runcmd: render(true).and_then(|init| Ok([init, render(false)?])) }
    }
}

/// A `write_files` entry: rendered already, or the host's own.
enum Entry<'a> {
    Rendered(&'a str),
    Own { permissions: &'a str, content: &'a str },
}

/// Writes `write_files` and `runcmd`. The files are the prerequisites,
/// containerd's files, the host's kubeadm configuration (the bytes of
/// `kubeadm/<host>.yaml`, join secrets left as placeholders) and what it
/// refers to; they are independent of each other, so written in path order.
pub fn write(
    out: &mut String,
    level: usize,
    shared: &Shared,
    fragments: &Fragments,
    facts: &HostFacts,
    config: &str,
    slurm: Option<&HostPart>,
) -> Result<(), String> {
    let own = host_files(shared, facts, config)?;
    let mut entries: Vec<(&str, Entry)> =
        fragments.files.iter().map(|(p, f)| (p.as_str(), Entry::Rendered(f))).collect();
    entries.extend(own.iter().map(|f| (f.path, Entry::Own { permissions: f.permissions, content: &f.content })));
    entries.push((KUBEADM_CONFIG_PATH, Entry::Own { permissions: "0600", content: config }));
    let slurm_files = slurm.map(|p| p.files.as_slice()).unwrap_or_default();
    entries
        .extend(slurm_files.iter().map(|(p, permissions, content)| (p.as_str(), Entry::Own { permissions, content })));
    entries.sort_by(|a, b| a.0.cmp(b.0));
    yaml::block_key(out, level, "write_files");
    for (path, entry) in entries {
        match entry {
            Entry::Rendered(f) => out.push_str(f),
            Entry::Own { permissions, content } => {
                let fields =
                    [("path", path), ("owner", "root:root"), ("permissions", permissions), ("content", content)];
                yaml::str_map_item(out, level + 2, &fields);
            }
        }
    }
    let runcmd = fragments.runcmd.as_ref().map_err(String::clone)?;
    let init =
        shared.plan.kube.control_planes.first().is_some_and(|&i| shared.plan.hosts[i].host.name == facts.host.name);
    out.push_str(&runcmd[usize::from(!init)]);
    if let Some(part) = slurm {
        slurm::append_runcmd(out, level, part, false);
    }
    Ok(())
}

/// The first-boot script, in order. It stops at the first failing command
/// (`set -e`), so kubeadm never runs on a half-installed node; every step
/// can run again safely.
fn runcmd(plan: &Plan, init: bool) -> Result<Vec<String>, String> {
    let version = &plan.kubernetes()?.version;
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
    cmds.push(kubeadm_step(init));
    if init && plan.settings.gitops.is_some() {
        // From kubeadm init to a cluster the GitOps engine syncs (docs/bring-up.md).
        cmds.push(crate::render::bringup::SCRIPT.to_string());
    }
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

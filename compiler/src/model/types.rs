//! The typed site. Field names follow the language (kebab-case in KDL).
//! Values that passed the schema are parsed into real types here: addresses,
//! networks and MACs are no longer strings after this point.

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

pub use super::values::{Cidr, DhcpRange, HostPort, Mac, Members, MountOptions, Quantity, Split, Taint, TaintEffect};

/// The JSON pointer of an object in the lowered document: the key for
/// finding any of its values' spans in the span index.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ptr(pub String);

impl Ptr {
    pub fn at(&self, key: &str) -> String {
        format!("{}/{key}", self.0)
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Settings {
    pub name: String,
    pub domain: String,
    pub nodes_domain: Option<String>,
    pub kubernetes: Option<Kubernetes>,
    // Left out of the digest when absent, so sites without Slurm keep theirs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub slurm: Option<super::slurm::Slurm>,
    #[serde(default)]
    pub dns: Dns,
    #[serde(default)]
    pub ntp: Vec<String>,
    pub proxy: Option<Proxy>,
    #[serde(default)]
    pub registry: Vec<Registry>,
    #[serde(default)]
    pub ssh_authorized_key: Vec<String>,
    pub gitops: Option<Gitops>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Kubernetes {
    pub version: String,
    pub control_plane_endpoint: Option<HostPort>,
    /// The endpoint's address: the VIP kube-vip holds, answered for the
    /// endpoint's name by the compiled dnsmasq.
    pub control_plane_address: Option<Ipv4Addr>,
    /// The cluster CA certificate (public), relative to the site file.
    pub ca_certificate: Option<String>,
    /// That certificate, read with the model (`model::ca`).
    #[serde(skip)]
    pub ca: Option<super::ca::CaCert>,
    pub pod_subnet: Cidr,
    pub service_subnet: Cidr,
    #[serde(default = "default_cluster_domain")]
    pub cluster_domain: String,
    #[serde(default)]
    pub cni: Cni,
    #[serde(default)]
    pub cert_san: Vec<String>,
    pub audit: Option<Audit>,
    #[serde(default)]
    pub admission: Vec<String>,
    pub container_log: Option<ContainerLog>,
    /// The network whose address each node registers as its node IP.
    pub node_network: Option<String>,
    /// The `secret` holding the kubeadm join values; see docs/kubernetes.md.
    pub join_credentials: Option<String>,
}

fn default_cluster_domain() -> String {
    "cluster.local".to_string()
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cni {
    #[default]
    Calico,
    Cilium,
    Flannel,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Audit {
    #[serde(default = "seven")]
    pub max_age: u32,
    #[serde(default = "ten")]
    pub max_backup: u32,
    #[serde(default = "mib1024")]
    pub max_size: u32,
}

fn seven() -> u32 {
    7
}
fn ten() -> u32 {
    10
}
fn mib1024() -> u32 {
    1024
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct ContainerLog {
    pub max_size: Option<String>,
    pub max_files: Option<u32>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Dns {
    #[serde(default)]
    pub server: Vec<Ipv4Addr>,
    #[serde(default)]
    pub search: Vec<String>,
    #[serde(default)]
    pub record: Vec<super::dns::DnsRecord>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Proxy {
    pub http: Option<String>,
    pub https: Option<String>,
    pub no_proxy: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Registry {
    pub address: String,
    #[serde(default)]
    pub insecure: bool,
    pub mirror_of: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Gitops {
    #[serde(default)]
    pub engine: Engine,
    pub repo: String,
    #[serde(default = "main_branch")]
    pub revision: String,
    #[serde(default = "dot")]
    pub path: String,
    pub sync: Option<GitopsSync>,
    /// The `secret` holding the repository's credentials; see docs/bring-up.md.
    /// Left out of the site digest when unset, so sites without it keep theirs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credentials: Option<String>,
}

impl Gitops {
    /// The sync options, defaulted when the site gives none.
    pub fn sync(&self) -> GitopsSync {
        self.sync.unwrap_or_default()
    }
}

/// `gitops { sync automated= prune= self-heal= }`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct GitopsSync {
    #[serde(default = "yes")]
    pub automated: bool,
    #[serde(default = "yes")]
    pub prune: bool,
    #[serde(default = "yes")]
    pub self_heal: bool,
}

impl Default for GitopsSync {
    fn default() -> Self {
        GitopsSync { automated: true, prune: true, self_heal: true }
    }
}

fn yes() -> bool {
    true
}

fn main_branch() -> String {
    "main".to_string()
}
fn dot() -> String {
    ".".to_string()
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    #[default]
    Argocd,
    Flux,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Network {
    #[serde(skip)]
    pub at: Ptr,
    pub name: String,
    pub cidr: Cidr,
    pub gateway: Option<Ipv4Addr>,
    pub vlan: Option<u16>,
    pub mtu: Option<u16>,
    pub dhcp: Option<Dhcp>,
    pub pxe: Option<Pxe>,
    pub dns_server: Option<Ipv4Addr>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Dhcp {
    pub range: DhcpRange,
    pub lease: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Pxe {
    #[serde(default)]
    pub bios: bool,
    #[serde(default)]
    pub uefi: bool,
    #[serde(default)]
    pub ipxe: bool,
    pub http_server: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Image {
    #[serde(skip)]
    pub at: Ptr,
    pub name: String,
    pub kernel: String,
    pub initrd: String,
    pub cmdline: Option<String>,
    #[serde(default)]
    pub installer: Installer,
    #[serde(default)]
    pub arch: Arch,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Installer {
    UbuntuAutoinstall,
    #[default]
    CloudImage,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    #[default]
    X86_64,
    Arm64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    ControlPlane,
    Worker,
    Login,
    Management,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::ControlPlane => "control-plane",
            Role::Worker => "worker",
            Role::Login => "login",
            Role::Management => "management",
        }
    }

    /// Control-plane and worker hosts join the Kubernetes cluster.
    pub fn runs_kubernetes(self) -> bool {
        matches!(self, Role::ControlPlane | Role::Worker)
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Host {
    #[serde(skip)]
    pub at: Ptr,
    pub name: String,
    pub role: Role,
    pub image: Option<String>,
    pub install_disk: Option<String>,
    pub bmc: Option<Bmc>,
    #[serde(default)]
    pub interface: Vec<Interface>,
    #[serde(default)]
    pub bond: Vec<Bond>,
    #[serde(default)]
    pub disk: Vec<Disk>,
    #[serde(default)]
    pub label: Vec<String>,
    #[serde(default)]
    pub taint: Vec<Taint>,
    pub gpu_pool: Option<String>,
    #[serde(default)]
    pub scheduler: Scheduler,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpu: Option<super::slurm::Cpu>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory_mib: Option<u64>,
    /// `#false` drops kubeadm's NoSchedule taint from a control-plane host.
    #[serde(default = "super::taint::yes", skip_serializing_if = "super::taint::is_yes")]
    pub control_plane_taint: bool,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Bmc {
    pub address: Ipv4Addr,
    #[serde(default)]
    pub protocol: BmcProtocol,
    pub credentials: String,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BmcProtocol {
    #[default]
    Redfish,
    Ipmi,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Interface {
    pub name: String,
    pub mac: Option<Mac>,
    pub network: Option<String>,
    pub address: Option<Ipv4Addr>,
    #[serde(default)]
    pub dhcp: bool,
    pub pxe: Option<bool>,
    pub mtu: Option<u16>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Bond {
    pub name: String,
    #[serde(default = "lacp")]
    pub mode: String,
    pub members: Members,
    pub network: Option<String>,
    pub address: Option<Ipv4Addr>,
    #[serde(default)]
    pub dhcp: bool,
    pub mtu: Option<u16>,
}

fn lacp() -> String {
    "802.3ad".to_string()
}

impl Bond {
    pub fn members(&self) -> impl Iterator<Item = &str> {
        self.members.items.iter().map(String::as_str)
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Disk {
    pub device: String,
    #[serde(rename = "use")]
    pub use_: DiskUse,
    pub mount: Option<String>,
    #[serde(default)]
    pub fs: Fs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiskUse {
    LocalData,
    Ceph,
    Scratch,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fs {
    #[default]
    Ext4,
    Xfs,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Scheduler {
    #[default]
    K8s,
    Slurm,
    Both,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct GpuPool {
    #[serde(skip)]
    pub at: Ptr,
    pub name: String,
    #[serde(default = "nvidia")]
    pub vendor: String,
    pub model: String,
    pub gpus_per_host: u32,
    pub mig: Option<Mig>,
    pub time_slicing: Option<TimeSlicing>,
    #[serde(default)]
    pub taint: Vec<Taint>,
    #[serde(default)]
    pub label: Vec<String>,
}

fn nvidia() -> String {
    "nvidia".to_string()
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Mig {
    pub strategy: MigStrategy,
    pub profile: Option<String>,
    /// A custom layout, named by `profile` (model/mig.rs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub device: Vec<super::mig::MigDevice>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MigStrategy {
    None,
    Single,
    Mixed,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct TimeSlicing {
    pub replicas: u32,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Storage {
    #[serde(default)]
    pub nfs: Vec<Nfs>,
    #[serde(default)]
    pub ceph: Vec<Ceph>,
    #[serde(default)]
    pub class: Vec<StorageClass>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Nfs {
    #[serde(skip)]
    pub at: Ptr,
    pub name: String,
    pub server: String,
    pub path: String,
    pub mount_options: Option<MountOptions>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Ceph {
    #[serde(skip)]
    pub at: Ptr,
    pub name: String,
    pub device_filter: Option<String>,
    pub hosts: String,
}

impl Ceph {
    pub fn hosts(&self) -> impl Iterator<Item = &str> {
        self.hosts.split_whitespace()
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct StorageClass {
    #[serde(skip)]
    pub at: Ptr,
    pub name: String,
    pub backend: String,
    #[serde(rename = "type")]
    pub type_: StorageType,
    pub access: Option<String>,
    #[serde(default)]
    pub default: bool,
    pub reclaim: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StorageType {
    Nfs,
    Cephfs,
    Rbd,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Team {
    #[serde(skip)]
    pub at: Ptr,
    pub name: String,
    pub description: Option<String>,
    pub institution: Option<String>,
    pub namespace: Option<String>,
    #[serde(default)]
    pub admin: Vec<String>,
    #[serde(default)]
    pub member: Vec<String>,
    pub quota: Option<Quota>,
    pub limit_range: Option<LimitRange>,
    pub node_selector: Option<String>,
    // Left out of the digest when empty: sites without experiments keep theirs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub template_pack: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub experiment: Vec<super::experiment::Experiment>,
}

impl Team {
    pub fn namespace(&self) -> &str {
        self.namespace.as_deref().unwrap_or(&self.name)
    }
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Quota {
    pub cpu: Option<Quantity>,
    pub memory: Option<Quantity>,
    pub gpu: Option<u32>,
    pub pool: Option<String>,
    pub storage: Option<Quantity>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LimitRange {
    pub default_cpu: Option<Quantity>,
    pub default_memory: Option<Quantity>,
    pub max_cpu: Option<Quantity>,
    pub max_memory: Option<Quantity>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct User {
    #[serde(skip)]
    pub at: Ptr,
    pub name: String,
    pub email: Option<String>,
    #[serde(default)]
    pub level: Level,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Guest,
    #[default]
    User,
    Admin,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Pack {
    #[serde(skip)]
    pub at: Ptr,
    pub name: String,
    pub source: Option<String>,
    pub namespace: Option<String>,
    #[serde(default)]
    pub set: Vec<PackSet>,
    pub values: Option<serde_json::Value>,
    /// The loaded pack folder of a `source` pack (`packs::folder`).
    #[serde(skip)]
    pub folder: Option<Box<PackFolder>>,
}

/// A pack folder: pack.kdl, and its values once rendered.
#[derive(Debug, Clone)]
pub struct PackFolder {
    pub name: String,
    pub version: String,
    /// Helm repository URL, or `oci://…` when `oci`.
    pub repository: String,
    pub oci: bool,
    pub chart: String,
    pub chart_version: String,
    pub namespace: Option<String>,
    pub depends_on: Vec<String>,
    pub provides_crds: Vec<String>,
    pub uses_crds: Vec<String>,
    pub schema: Option<serde_json::Value>,
    pub template: String,
    /// The template's path inside the folder (`values.yaml.tera`, or a Nauta
    /// pack's `charts/values.yaml`).
    pub template_path: String,
    /// values.yaml.tera rendered and read back as YAML.
    pub values: serde_json::Value,
    /// A Nauta template pack's chart (`charts/`, values.yaml left out): path
    /// components → text. The engine installs it from the compiled tree.
    pub local_chart: Vec<(Vec<String>, String)>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct PackSet {
    pub path: String,
    pub value: Option<serde_json::Value>,
    pub from: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct Secret {
    #[serde(skip)]
    pub at: Ptr,
    pub name: String,
    pub store: String,
    pub path: String,
    pub key: Option<String>,
}

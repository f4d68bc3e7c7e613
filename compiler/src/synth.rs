//! Synthetic sites of any size, for the scale benchmark and the determinism
//! and crash-safety tests. Not used by the compiler itself.
//!
//! A site of `hosts` hosts is laid out in racks of [`RACK`] hosts, each rack
//! with its own boot, data and BMC networks; it has one team per ten hosts,
//! one GPU pool per hundred, custom packs in proportion, and every feature of
//! the language at least once: PXE with and without iPXE, images of both
//! installers and both architectures, MIG (single and mixed), time-slicing,
//! bonds, disks, Ceph and NFS storage classes, quotas, limit ranges, users of
//! every level, built-in and custom packs with `set` and `values`, secrets.
//! The result is a valid site: `bosun compile` accepts it without warnings.

use std::fmt::Write;

/// Hosts per rack (an L2 segment); each rack has three /23 networks.
pub const RACK: usize = 250;

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub hosts: usize,
    /// A different revision changes a value that reaches every host's files
    /// (the NTP server and a label), so two revisions differ almost everywhere.
    pub revision: u32,
}

impl Spec {
    pub fn new(hosts: usize) -> Spec {
        Spec { hosts, revision: 0 }
    }

    pub fn teams(&self) -> usize {
        self.hosts.div_ceil(10)
    }

    /// One per rack, as GPU servers of one kind are racked together (each
    /// holds the first 150 hosts of its rack, less the control plane), none
    /// on a site of control-plane hosts only.
    pub fn pools(&self) -> usize {
        if self.hosts > control_planes(*self) { self.racks() } else { 0 }
    }

    fn racks(&self) -> usize {
        self.hosts.div_ceil(RACK)
    }
}

/// The site as KDL text, one top-level node after another (each a block
/// separated by a blank line, so tests can reorder them).
pub fn site(spec: Spec) -> String {
    let mut out = String::with_capacity(spec.hosts * 900 + 4096);
    header(&mut out, spec);
    for r in 0..spec.racks() {
        networks(&mut out, r);
    }
    images(&mut out);
    secrets(&mut out, spec);
    host_defaults(&mut out);
    for p in 0..spec.pools() {
        pool(&mut out, p);
    }
    for h in 0..spec.hosts {
        host(&mut out, spec, h);
    }
    storage(&mut out, spec);
    for t in 0..spec.teams() {
        team(&mut out, spec, t);
    }
    packs(&mut out, spec);
    out
}

/// The second octet and the first third octet of a rack's /23 networks:
/// 128 racks per block of three second octets.
fn octets(rack: usize) -> (usize, usize) {
    (16 + 3 * (rack / 128), 2 * (rack % 128))
}

/// The last two octets of the `n`th address of a rack's /23 (from .10 on).
fn at(c: usize, n: usize) -> String {
    let n = n + 10;
    format!("{}.{}", c + n / 256, n % 256)
}

fn header(out: &mut String, spec: Spec) {
    let cps = control_planes(spec);
    let endpoint = if cps > 1 {
        "        control-plane-endpoint \"api.synth.example:6443\"\n        control-plane-address \"10.16.0.4\"\n"
    } else {
        ""
    };
    let _ = write!(
        out,
        r#"// A synthetic site of {hosts} hosts, generated for benchmarks and tests.

site "synth" {{
    domain "synth.example"
    nodes-domain "nodes"
    kubernetes version="1.33.2" {{
{endpoint}        pod-subnet "172.16.0.0/16"
        service-subnet "172.17.0.0/16"
        cni "cilium"
        cert-san "api.synth.example"
        admission "PodNodeSelector"
        audit max-age=30 max-backup=10 max-size=512
        container-log max-size="50Mi" max-files=3
    }}
    slurm {{
        controller "node-00000"
        munge-key "munge-key"
    }}
    dns {{
        server "10.16.0.5"
        search "nodes.synth.example"
        // The site's own names that are not hosts: every name it uses resolves.
        record "ntp{rev}.synth.example" address="10.16.0.6"
        record "proxy.synth.example" address="10.16.0.7"
        record "registry.synth.example" address="10.16.0.8"
        record "cache.synth.example" address="10.16.0.8"
        record "git.synth.example" address="10.16.0.9"
        record "nfs.synth.example" address="10.16.0.10"
    }}
    ntp "ntp{rev}.synth.example"
    proxy http="http://proxy.synth.example:3128" https="http://proxy.synth.example:3128" no-proxy="localhost,.synth.example"
    registry "registry.synth.example" mirror-of="docker.io"
    registry "cache.synth.example:5000" insecure=#true
    ssh-authorized-key "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK3vQy8mX2pN7rT4wL9sB1cF6hJ0dE5gA8uZ3iV2oR7n ops@synth"
    gitops engine="argocd" repo="https://git.synth.example/ops/site.git" revision="main" path="clusters/synth"
}}

"#,
        hosts = spec.hosts,
        rev = spec.revision,
    );
}

fn networks(out: &mut String, r: usize) {
    let (b, c) = octets(r);
    // Racks alternate between an iPXE network and one booting GRUB/PXELINUX.
    let pxe = if r.is_multiple_of(2) {
        "pxe bios=#true uefi=#true ipxe=#true http-server=\"http://10.16.0.5:8080\""
    } else {
        "pxe uefi=#true http-server=\"http://10.16.0.5:8080\""
    };
    let _ = write!(
        out,
        r#"network "boot-{r}" {{
    cidr "10.{b}.{c}.0/23"
    gateway "10.{b}.{c}.1"
    vlan {vb}
    dhcp range="10.{b}.{c1}.200-10.{b}.{c1}.250" lease="2h"
    {pxe}
    dns-server "10.16.0.5"
}}

network "data-{r}" {{
    cidr "10.{b1}.{c}.0/23"
    gateway "10.{b1}.{c}.1"
    mtu 9000
}}

network "oob-{r}" {{
    cidr "10.{b2}.{c}.0/23"
    gateway "10.{b2}.{c}.1"
}}

"#,
        vb = 100 + r % 3000,
        c1 = c + 1,
        b1 = b + 1,
        b2 = b + 2,
    );
}

fn images(out: &mut String) {
    out.push_str(
        r#"image "ubuntu-2204" {
    kernel "http://10.16.0.5:8080/ubuntu-2204/casper/vmlinuz"
    initrd "http://10.16.0.5:8080/ubuntu-2204/casper/initrd"
    cmdline "autoinstall ip=dhcp"
    installer "ubuntu-autoinstall"
}

image "cloud-2404" {
    kernel "http://10.16.0.5:8080/cloud-2404/vmlinuz"
    initrd "http://10.16.0.5:8080/cloud-2404/initrd"
    installer "cloud-image"
}

image "cloud-2404-arm" {
    kernel "http://10.16.0.5:8080/cloud-2404-arm/vmlinuz"
    initrd "http://10.16.0.5:8080/cloud-2404-arm/initrd"
    arch "arm64"
}

"#,
    );
}

fn secrets(out: &mut String, spec: Spec) {
    out.push_str("secret \"bmc-redfish\" store=\"vault\" path=\"kv/synth/bmc/redfish\"\n\n");
    out.push_str("secret \"bmc-ipmi\" store=\"vault\" path=\"kv/synth/bmc/ipmi\"\n\n");
    out.push_str("secret \"munge-key\" store=\"vault\" path=\"kv/synth/slurm/munge\"\n\n");
    out.push_str("secret \"grafana-admin\" store=\"vault\" path=\"kv/synth/grafana\" key=\"admin-password\"\n\n");
    for p in 0..custom_packs(spec) {
        let _ = write!(out, "secret \"app-{p}-token\" store=\"vault\" path=\"kv/synth/apps/{p}\" key=\"token\"\n\n");
    }
}

fn host_defaults(out: &mut String) {
    out.push_str(
        r#"host-defaults "control-plane" {
    image "ubuntu-2204"
    install-disk "/dev/sda"
    label "synth.example/tier=control"
}

host-defaults "worker" {
    install-disk "/dev/nvme0n1"
    label "topology.kubernetes.io/region=synth"
}

"#,
    );
}

/// Pools cycle through the ways a GPU can be shared.
fn pool(out: &mut String, p: usize) {
    let body = match p % 4 {
        0 => "model \"A100-SXM4-40GB\"\n    gpus-per-host 8\n    mig strategy=\"single\" profile=\"all-1g.5gb\"",
        1 => "model \"A100-80GB\"\n    gpus-per-host 8\n    mig strategy=\"mixed\" profile=\"all-balanced\"",
        2 => "model \"A30\"\n    gpus-per-host 4\n    time-slicing replicas=4",
        _ => "vendor \"nvidia\"\n    model \"L40S\"\n    gpus-per-host 8",
    };
    let _ = write!(
        out,
        "gpu-pool \"pool-{p}\" {{\n    {body}\n    label \"synth.example/pool=pool-{p}\"\n    taint \"nvidia.com/gpu=present:NoSchedule\"\n}}\n\n"
    );
}

fn control_planes(spec: Spec) -> usize {
    if spec.hosts >= 1000 {
        5
    } else if spec.hosts >= 3 {
        3
    } else {
        1
    }
}

/// Which GPU pool a host is in: the first 150 of every rack after the
/// control plane, so every pool has hosts.
fn pool_of(spec: Spec, h: usize) -> Option<usize> {
    (h >= control_planes(spec) && h % RACK < 150 && h / RACK < spec.pools()).then_some(h / RACK)
}

fn mac(kind: u8, h: usize) -> String {
    format!("02:{kind:02x}:{:02x}:{:02x}:{:02x}:{:02x}", (h >> 24) & 0xff, (h >> 16) & 0xff, (h >> 8) & 0xff, h & 0xff)
}

fn host(out: &mut String, spec: Spec, h: usize) {
    let r = h / RACK;
    let (b, c) = octets(r);
    let n = at(c, h % RACK);
    let cps = control_planes(spec);
    let role = if h < cps {
        "control-plane"
    } else if h % 100 == 97 {
        "login"
    } else if h % 100 == 98 {
        "management"
    } else {
        "worker"
    };
    let _ = writeln!(out, "host \"node-{h:05}\" {{\n    role \"{role}\"");
    if role != "control-plane" {
        // One rack in five is of Arm hosts.
        let image = match (r % 5, h % 3) {
            (4, _) => "cloud-2404-arm",
            (_, 0) => "cloud-2404",
            _ => "ubuntu-2204",
        };
        let _ = writeln!(out, "    image \"{image}\"");
    }
    let (proto, cred) = if h.is_multiple_of(2) { ("redfish", "bmc-redfish") } else { ("ipmi", "bmc-ipmi") };
    let _ = writeln!(out, "    bmc address=\"10.{}.{n}\" protocol=\"{proto}\" credentials=\"{cred}\"", b + 2);
    let _ = writeln!(
        out,
        "    interface \"eno1\" mac=\"{}\" network=\"boot-{r}\" address=\"10.{b}.{n}\" pxe=#true",
        mac(1, h)
    );
    if h.is_multiple_of(4) {
        let _ = writeln!(out, "    interface \"enp1s0f0\" mac=\"{}\"", mac(2, h));
        let _ = writeln!(out, "    interface \"enp1s0f1\" mac=\"{}\"", mac(3, h));
        let _ = writeln!(
            out,
            "    bond \"bond0\" mode=\"802.3ad\" members=\"enp1s0f0 enp1s0f1\" network=\"data-{r}\" address=\"10.{}.{n}\" mtu=9000",
            b + 1
        );
    } else {
        let _ = writeln!(
            out,
            "    interface \"enp1s0f0\" mac=\"{}\" network=\"data-{r}\" address=\"10.{}.{n}\" mtu=9000",
            mac(2, h),
            b + 1
        );
    }
    if role == "worker" {
        let _ = writeln!(out, "    disk \"/dev/nvme1n1\" use=\"local-data\" mount=\"/data\" fs=\"xfs\"");
        if h % 10 == 5 {
            let _ = writeln!(out, "    disk \"/dev/sdb\" use=\"ceph\"\n    disk \"/dev/sdc\" use=\"ceph\"");
        }
        if h % 10 == 7 {
            let _ = writeln!(out, "    disk \"/dev/sdd\" use=\"scratch\" mount=\"/scratch\"");
        }
        let _ = writeln!(out, "    label \"topology.kubernetes.io/zone=rack-{r}\"");
        let _ = writeln!(out, "    label \"synth.example/revision=r{}\"", spec.revision);
        if let Some(p) = pool_of(spec, h) {
            let _ = writeln!(out, "    gpu-pool \"pool-{p}\"");
        } else if h % 100 == 80 {
            let _ = writeln!(out, "    scheduler \"slurm\"\n    taint \"synth.example/batch=slurm:NoSchedule\"");
            let _ = writeln!(out, "    cpu sockets=2 cores=32 threads=2\n    memory-mib 515000");
        }
    }
    out.push_str("}\n\n");
}

/// The hosts of the ceph backend; none on the smallest sites.
fn ceph_hosts(spec: Spec) -> Vec<String> {
    (control_planes(spec)..spec.hosts).filter(|h| h % 10 == 5).take(12).map(|h| format!("node-{h:05}")).collect()
}

fn storage(out: &mut String, spec: Spec) {
    let ceph_hosts = ceph_hosts(spec);
    out.push_str("storage {\n");
    if !ceph_hosts.is_empty() {
        let _ = writeln!(
            out,
            "    ceph \"rook\" {{\n        device-filter \"^sd[bc]$\"\n        hosts \"{}\"\n    }}",
            ceph_hosts.join(" ")
        );
        out.push_str("    class \"rook-cephfs\" backend=\"rook\" type=\"cephfs\" access=\"ReadWriteMany\"\n");
        out.push_str(
            "    class \"rook-ceph-block\" backend=\"rook\" type=\"rbd\" access=\"ReadWriteOnce\" default=#true\n",
        );
    }
    out.push_str("    nfs \"datasets\" server=\"nfs.synth.example\" path=\"/export/datasets\" mount-options=\"nfsvers=4.2,ro\"\n");
    out.push_str("    class \"datasets\" backend=\"datasets\" type=\"nfs\" access=\"ReadOnlyMany\" reclaim=\"Retain\"");
    out.push_str(if ceph_hosts.is_empty() { " default=#true\n" } else { "\n" });
    out.push_str("}\n\n");
}

/// Capacity of a pool in quota units, as the compiler counts it.
fn pool_units(spec: Spec, p: usize) -> u64 {
    let hosts = (0..spec.hosts).filter(|h| pool_of(spec, *h) == Some(p)).count() as u64;
    let per_host = match p % 4 {
        0 => 8 * 7,
        1 => 8,
        2 => 4 * 4,
        _ => 8,
    };
    hosts * per_host
}

fn team(out: &mut String, spec: Spec, t: usize) {
    // Teams draw on the pools in turn and split a pool's GPUs evenly among
    // the teams that share it, so no pool is oversubscribed.
    let pools = spec.pools().max(1);
    let p = t % pools;
    let sharing = (spec.teams() / pools + 1) as u64;
    let gpu = (pool_units(spec, p) / sharing).min(64);
    let _ = write!(
        out,
        r#"user "u{t}-lead" {{ email "u{t}-lead@synth.example"; level "admin"; }}

user "u{t}-a" {{ email "u{t}-a@synth.example"; }}

user "u{t}-b" {{ email "u{t}-b@synth.example"; level "guest"; }}

team "team-{t}" {{
    description "Synthetic team {t}."
    institution "Institute {i}"
    admin "u{t}-lead"
    member "u{t}-a"
    member "u{t}-b"
"#,
        i = t % 7,
    );
    if gpu > 0 {
        let _ = writeln!(
            out,
            "    quota cpu={} memory=\"{}Gi\" gpu={gpu} pool=\"pool-{p}\" storage=\"2Ti\"",
            32 + t % 64,
            128 + t % 256
        );
    } else {
        let _ = writeln!(out, "    quota cpu=16 memory=\"64Gi\"");
    }
    if t.is_multiple_of(2) {
        out.push_str("    limit-range default-cpu=\"1\" default-memory=\"4Gi\" max-cpu=\"32\" max-memory=\"256Gi\"\n");
    }
    if t.is_multiple_of(3) {
        let _ = writeln!(out, "    namespace \"ns-team-{t}\"");
    }
    out.push_str("}\n\n");
}

/// Writes the pack folder the synthetic sites' custom packs use
/// (`packs/app` next to the site file).
pub fn write_pack_folders(site_dir: &std::path::Path) -> std::io::Result<()> {
    let dir = site_dir.join("packs/app");
    std::fs::create_dir_all(&dir)?;
    std::fs::write(
        dir.join("pack.kdl"),
        r##"name "app"
version "1.0.0"
chart repository="https://charts.synth.example" name="app" version="1.2.3"
depends-on "kueue"
schema #"{"type": "object", "properties": {"replicas": {"type": "integer"}, "tags": {"type": "array"}}}"#
"##,
    )?;
    std::fs::write(
        dir.join("values.yaml.tera"),
        "replicas: {{ values.replicas }}\nimage: \"{{ values.profile.image }}\"\nnamespace: {{ pack.namespace }}\n",
    )
}

/// One custom pack per hundred hosts.
fn custom_packs(spec: Spec) -> usize {
    spec.hosts.div_ceil(100)
}

fn packs(out: &mut String, spec: Spec) {
    for name in
        ["argocd", "external-secrets", "ingress-nginx", "csi-driver-nfs", "gpu-operator", "kueue", "docker-registry"]
    {
        let _ = write!(out, "pack \"{name}\"\n\n");
    }
    // The cluster chart makes the ceph backend's CephCluster.
    if !ceph_hosts(spec).is_empty() {
        out.push_str("pack \"rook-ceph\"\n\npack \"rook-ceph-cluster\"\n\n");
    }
    out.push_str(
        r#"pack "kube-prometheus-stack" {
    namespace "monitoring"
    set "grafana.adminPassword" from="grafana-admin"
    set "prometheus.retention" value="15d"
}

pack "jupyterhub" {
    namespace "jupyterhub"
    set "singleuser.storage.capacity" value="5Gi"
    set "singleuser.defaultUrl" value="/lab"
}

"#,
    );
    for p in 0..custom_packs(spec) {
        let _ = write!(
            out,
            r#"pack "app-{p}" source="packs/app" {{
    namespace "app-{p}"
    set "auth.token" from="app-{p}-token"
    set "replicas" value={replicas}
    values {{
        profile gpu=1 image="registry.synth.example/app:{p}"
        tags "ml" "synthetic"
    }}
}}

"#,
            replicas = 1 + p % 3,
        );
    }
}

/// xorshift64*: deterministic pseudo-random numbers for generated and
/// mutated inputs, so a failing test reproduces from its seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number below `n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next_u64() % n as u64) as usize }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn small_sites_compile_without_diagnostics() {
        for hosts in [1, 3, 10, 120, 260] {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("site.kdl");
            std::fs::write(&path, super::site(super::Spec::new(hosts))).unwrap();
            super::write_pack_folders(dir.path()).unwrap();
            let (checked, tree) = crate::compile(&path).unwrap();
            let codes: Vec<_> = checked.diagnostics.iter().map(|d| (d.code.id, d.message.clone())).collect();
            assert!(codes.is_empty(), "{hosts} hosts: {codes:#?}");
            assert!(tree.is_some());
        }
    }
}

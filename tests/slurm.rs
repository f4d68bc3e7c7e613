//! The Slurm cluster compiled from a site: each compiled slurm.conf as the
//! real slurmctld reads it (partitions, nodes, CPUs, memory and GRES exactly
//! as the site says), NodeName lines against the host facts, a Slurm-only
//! site, and the Kubernetes half of a mixed site left as it was.
//!
//! The controller runs as root in its own network, mount and host-name
//! namespaces (`unshare`): the site's host names resolve to an address of
//! that namespace only, munged runs with a throw-away key, and nothing of
//! the machine's own Slurm or munge is touched.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use bosun::model::{Host, MigStrategy, Site};
use support::*;

fn compile(site: &Path) -> (bosun::Checked, BTreeMap<String, String>) {
    let (checked, tree) = bosun::compile(site).expect("site readable");
    let codes: Vec<_> = checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
    let tree = tree.unwrap_or_else(|| panic!("{} does not compile:\n{}", site.display(), codes.join("\n")));
    let files = tree.files.into_iter().map(|(p, b)| (p, text(&b))).collect();
    (checked, files)
}

/// Every example with a `slurm` block, and the Slurm-only fixture.
fn slurm_sites() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = examples()
        .into_iter()
        .filter(|(_, p)| {
            let site = bosun::check(p).expect("site readable").site;
            site.settings.as_ref().is_some_and(|s| s.slurm.is_some())
        })
        .collect();
    assert!(out.iter().any(|(n, _)| n == "dgx-pod"), "dgx-pod describes a Slurm cluster");
    out.push(("slurm-only".to_string(), root().join("tests/fixtures/slurm-only.kdl")));
    out
}

/// `dgx-[01-03,05]` → dgx-01 dgx-02 dgx-03 dgx-05, written here from
/// Slurm's documented syntax rather than taken from bosun.
fn expand(list: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    let mut items = Vec::new();
    for (i, c) in list.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&list[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(&list[start..]);
    for item in items.into_iter().filter(|i| !i.is_empty() && *i != "(null)") {
        let Some((prefix, rest)) = item.split_once('[') else {
            out.push(item.to_string());
            continue;
        };
        for run in rest.trim_end_matches(']').split(',') {
            let (a, b) = run.split_once('-').unwrap_or((run, run));
            let width = a.len();
            let (a, b): (u64, u64) = (a.parse().unwrap(), b.parse().unwrap());
            out.extend((a..=b).map(|n| format!("{prefix}{n:0width$}")));
        }
    }
    out
}

/// `key=value` words of one line of `scontrol show … -o`.
fn fields(line: &str) -> BTreeMap<String, String> {
    line.split_whitespace().filter_map(|w| w.split_once('=')).map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

/// Slurm's time limits in minutes; `None` is UNLIMITED.
fn minutes(text: &str) -> Option<u64> {
    if text == "UNLIMITED" {
        return None;
    }
    if let Ok(m) = text.parse() {
        return Some(m);
    }
    let (days, clock) = text.split_once('-').map_or((0, text), |(d, c)| (d.parse().unwrap(), c));
    let parts: Vec<u64> = clock.split(':').map(|p| p.parse().unwrap()).collect();
    let (h, m) = match parts.as_slice() {
        [h, m, _s] => (*h, *m),
        [m, _s] => (0, *m),
        other => panic!("time {other:?}"),
    };
    Some(days * 24 * 60 + h * 60 + m)
}

/// One Slurm node as the site states it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct NodeFacts {
    cpus: u64,
    sockets: u32,
    cores: u32,
    threads: u32,
    memory: u64,
    gres: Option<String>,
}

/// The GRES the site gives a host: a partition's `gres` naming it (the first
/// partition by name), else its GPU pool's GPUs, or MIG devices under a
/// uniform profile (`a100_1g.5gb`, seven per A100-40GB).
fn site_gres(site: &Site, host: &Host) -> Option<String> {
    let slurm = site.settings.as_ref()?.slurm.as_ref()?;
    let mut parts: Vec<_> = slurm.partition.iter().filter(|p| p.gres.is_some()).collect();
    parts.sort_by(|a, b| a.name.cmp(&b.name));
    if let Some(p) = parts.iter().find(|p| p.hosts().any(|h| h == host.name)) {
        return p.gres.clone();
    }
    let pool = site.pool(host.gpu_pool.as_deref()?)?;
    let kind = pool.model.split('-').next().unwrap().to_lowercase();
    let gpus = u64::from(pool.gpus_per_host);
    match pool.mig.as_ref().filter(|m| m.strategy != MigStrategy::None) {
        None => Some(format!("gpu:{kind}:{gpus}")),
        Some(m) => {
            let size = m.profile.as_deref().and_then(|p| p.strip_prefix("all-")).unwrap();
            Some(format!("gpu:{kind}_{size}:{}", gpus * u64::from(Site::units_per_gpu(pool))))
        }
    }
}

fn site_nodes(site: &Site) -> BTreeMap<String, NodeFacts> {
    site.hosts
        .iter()
        .filter(|h| h.runs_slurmd())
        .map(|h| {
            let cpu = h.cpu.unwrap_or_else(|| panic!("{} has no cpu", h.name));
            let facts = NodeFacts {
                cpus: u64::from(cpu.sockets * cpu.cores * cpu.threads),
                sockets: cpu.sockets,
                cores: cpu.cores,
                threads: cpu.threads,
                memory: h.memory_mib.unwrap(),
                gres: site_gres(site, h),
            };
            (h.name.clone(), facts)
        })
        .collect()
}

#[derive(Debug, PartialEq, Eq)]
struct PartitionFacts {
    nodes: BTreeSet<String>,
    default: bool,
    max_minutes: Option<u64>,
}

/// One partition per GPU pool with Slurm hosts, then the site's own.
fn site_partitions(site: &Site) -> BTreeMap<String, PartitionFacts> {
    let mut out = BTreeMap::new();
    for pool in &site.pools {
        let nodes: BTreeSet<String> =
            site.pool_hosts(pool).filter(|h| h.runs_slurmd()).map(|h| h.name.clone()).collect();
        if !nodes.is_empty() {
            out.insert(pool.name.clone(), PartitionFacts { nodes, default: false, max_minutes: None });
        }
    }
    let slurm = site.settings.as_ref().unwrap().slurm.as_ref().unwrap();
    for p in &slurm.partition {
        let nodes = match &p.hosts {
            Some(_) => p.hosts().map(str::to_string).collect(),
            None => out.get(&p.name).map(|d: &PartitionFacts| d.nodes.clone()).unwrap_or_default(),
        };
        let max_minutes = p.max_time.as_deref().and_then(minutes);
        out.insert(p.name.clone(), PartitionFacts { nodes, default: p.default, max_minutes });
    }
    out
}

/// The compiled slurm.conf with its paths moved into `dir`: the only
/// change. (The accounting lines go too: with no slurmdbd to reach,
/// slurmctld refuses to start without saved state, by design.)
fn redirected(conf: &str, dir: &Path) -> String {
    let d = dir.display();
    let paths = [
        ("StateSaveLocation", format!("{d}/state")),
        ("SlurmdSpoolDir", format!("{d}/spool")),
        ("SlurmctldPidFile", format!("{d}/slurmctld.pid")),
        ("SlurmdPidFile", format!("{d}/slurmd.pid")),
        ("SlurmctldLogFile", format!("{d}/log/slurmctld.log")),
        ("SlurmdLogFile", format!("{d}/log/slurmd.log")),
    ];
    let mut out = String::new();
    for line in conf.lines() {
        let key = line.split('=').next().unwrap_or_default();
        if key.starts_with("AccountingStorage") {
            continue;
        }
        match paths.iter().find(|(k, _)| *k == key) {
            Some((k, v)) => out.push_str(&format!("{k}={v}\n")),
            None => out.push_str(&format!("{line}\n")),
        }
    }
    out
}

/// Starts munged and slurmctld in fresh namespaces, waits until the
/// controller answers, and prints what scontrol and sinfo say. Exit 3: the
/// controller exited.
const HARNESS: &str = r#"set -eu
T=$1; CTL=$2
ip link set lo up
# An address that is not loopback: getaddrinfo(AI_ADDRCONFIG) needs one.
ip addr add 10.254.254.1/32 dev lo
hostname "$CTL"
mount --bind "$T/hosts" /etc/hosts
mount -t tmpfs tmpfs /run
mkdir -p /run/munge "$T/munge" "$T/state" "$T/spool" "$T/log"
chmod 755 "$T"
head -c 1024 /dev/urandom > "$T/munge/munge.key"
chown -R munge:munge /run/munge "$T/munge"
chmod 700 "$T/munge"; chmod 400 "$T/munge/munge.key"
munged --force --key-file="$T/munge/munge.key" --pid-file="$T/munge/munged.pid" \
  --log-file="$T/log/munged.log" --seed-file="$T/munge/seed" --socket=/run/munge/munge.socket.2
chown -R slurm:slurm "$T/state" "$T/spool" "$T/log"
export SLURM_CONF="$T/etc/slurm.conf"
slurmctld -D -i > "$T/log/foreground.log" 2>&1 &
PID=$!
up=no
for i in $(seq 1 120); do
  if ! kill -0 "$PID" 2>/dev/null; then
    echo "=== exited"; cat "$T/log/foreground.log"; exit 3
  fi
  if scontrol ping 2>/dev/null | grep -q UP; then up=yes; break; fi
  sleep 0.5
done
[ "$up" = yes ] || { echo "=== never up"; cat "$T/log/foreground.log"; kill "$PID"; exit 4; }
echo "=== partition"; scontrol show partition -o
echo "=== node"; scontrol show node -o
echo "=== sinfo"; sinfo -N -h -o '%R %N %c %m %G'
kill "$PID"; wait "$PID" || true
kill "$(cat "$T/munge/munged.pid")" || true
"#;

/// Why the controller cannot run here, if it cannot.
fn missing_tools() -> Option<String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some("the Slurm controller test needs root (namespaces, munged, slurmctld)".into());
    }
    let tools = ["slurmctld", "munged", "scontrol", "sinfo", "unshare", "ip"];
    let found = |t: &&str| ["/usr/sbin", "/usr/bin", "/sbin", "/bin"].iter().any(|d| Path::new(d).join(t).exists());
    let missing: Vec<&str> = tools.iter().filter(|t| !found(t)).copied().collect();
    (!missing.is_empty()).then(|| {
        format!("{} not installed (apt-get install -y slurmctld munge slurm-client iproute2)", missing.join(", "))
    })
}

struct Run {
    code: i32,
    out: String,
}

impl Run {
    fn section(&self, name: &str) -> Vec<&str> {
        let start = format!("=== {name}");
        self.out.lines().skip_while(|l| *l != start).skip(1).take_while(|l| !l.starts_with("=== ")).collect()
    }
}

/// Runs the controller on `conf` (a compiled slurm.conf) with the names in
/// `hosts` resolving inside its namespace.
fn controller(conf: &str, extra: &[(&str, &str)], hosts: &BTreeSet<String>) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    fs::create_dir_all(dir.join("etc")).unwrap();
    fs::write(dir.join("etc/slurm.conf"), redirected(conf, dir)).unwrap();
    for (name, text) in extra {
        fs::write(dir.join("etc").join(name), text).unwrap();
    }
    let mut names = String::from("127.0.0.1 localhost\n");
    for h in hosts {
        names.push_str(&format!("10.254.254.1 {h}\n"));
    }
    fs::write(dir.join("hosts"), names).unwrap();
    let ctl = conf.lines().find_map(|l| l.strip_prefix("SlurmctldHost=")).expect("a SlurmctldHost line");
    let out = Command::new("unshare")
        .args(["--mount", "--uts", "--net", "--fork", "sh", "-c", HARNESS, "harness"])
        .arg(dir)
        .arg(ctl)
        .output()
        .expect("unshare runs");
    let out_text = format!("{}{}", text(&out.stdout), text(&out.stderr));
    Run { code: out.status.code().unwrap_or(-1), out: out_text }
}

/// Every name slurm.conf makes slurmctld resolve.
fn names_of(site: &Site) -> BTreeSet<String> {
    let slurm = site.settings.as_ref().unwrap().slurm.as_ref().unwrap();
    let mut out: BTreeSet<String> = site.hosts.iter().filter(|h| h.runs_slurmd()).map(|h| h.name.clone()).collect();
    out.insert(slurm.controller.clone());
    out.extend(slurm.backup_controller.clone());
    out.extend(slurm.accounting.as_ref().map(|a| a.host.clone()));
    out
}

fn conf_files(files: &BTreeMap<String, String>) -> Vec<(&str, &str)> {
    ["gres.conf", "cgroup.conf"]
        .into_iter()
        .filter_map(|n| files.get(&format!("slurm/{n}")).map(|t| (n, t.as_str())))
        .collect()
}

#[test]
fn slurmctld_refuses_a_broken_slurm_conf() {
    if let Some(why) = missing_tools() {
        return skip(&why);
    }
    let (checked, files) = compile(&root().join("site-examples/dgx-pod/site.kdl"));
    let conf = &files["slurm/slurm.conf"];
    let names = names_of(&checked.site);
    // The compiled file starts: the harness can tell a refusal from a start.
    let good = controller(conf, &conf_files(&files), &names);
    assert_eq!(good.code, 0, "the compiled slurm.conf does not start:\n{}", good.out);
    // A partition naming a node slurm.conf does not define.
    let broken = format!("{conf}PartitionName=broken Nodes=nosuch-01 State=UP\n");
    let run = controller(&broken, &conf_files(&files), &names);
    assert_eq!(run.code, 3, "slurmctld accepted a partition of an unknown node:\n{}", run.out);
    assert!(run.out.contains("nosuch"), "the refusal names the node:\n{}", run.out);
}

#[test]
fn slurmctld_reads_each_compiled_slurm_conf_as_the_site_says() {
    if let Some(why) = missing_tools() {
        return skip(&why);
    }
    for (name, path) in slurm_sites() {
        let (checked, files) = compile(&path);
        let site = &checked.site;
        let run = controller(&files["slurm/slurm.conf"], &conf_files(&files), &names_of(site));
        assert_eq!(run.code, 0, "{name}: slurmctld did not start:\n{}", run.out);
        let nodes = site_nodes(site);
        check_nodes(&name, &run, &nodes);
        let partitions = site_partitions(site);
        check_partitions(&name, &run, &partitions);
        check_sinfo(&name, &run, &nodes, &partitions);
    }
}

fn check_nodes(name: &str, run: &Run, want: &BTreeMap<String, NodeFacts>) {
    let mut seen = BTreeMap::new();
    for line in run.section("node") {
        let f = fields(line);
        let num = |k: &str| f[k].parse::<u64>().unwrap_or_else(|_| panic!("{name}: {k} in {line}"));
        let gres = Some(f["Gres"].clone()).filter(|g| g != "(null)");
        let facts = NodeFacts {
            cpus: num("CPUTot"),
            sockets: (num("Sockets") / num("Boards")) as u32,
            cores: num("CoresPerSocket") as u32,
            threads: num("ThreadsPerCore") as u32,
            memory: num("RealMemory"),
            gres,
        };
        seen.insert(f["NodeName"].clone(), facts);
    }
    assert_eq!(&seen, want, "{name}: scontrol show node");
}

fn check_partitions(name: &str, run: &Run, want: &BTreeMap<String, PartitionFacts>) {
    let mut seen = BTreeMap::new();
    for line in run.section("partition") {
        let f = fields(line);
        let facts = PartitionFacts {
            nodes: expand(&f["Nodes"]).into_iter().collect(),
            default: f["Default"] == "YES",
            max_minutes: minutes(&f["MaxTime"]),
        };
        seen.insert(f["PartitionName"].clone(), facts);
    }
    assert_eq!(&seen, want, "{name}: scontrol show partition");
}

/// sinfo, one line per node and partition.
fn check_sinfo(name: &str, run: &Run, nodes: &BTreeMap<String, NodeFacts>, parts: &BTreeMap<String, PartitionFacts>) {
    let mut want = BTreeSet::new();
    for (p, facts) in parts {
        for n in &facts.nodes {
            let node = &nodes[n];
            let gres = node.gres.clone().unwrap_or_else(|| "(null)".into());
            want.insert((p.clone(), n.clone(), node.cpus, node.memory, gres));
        }
    }
    let mut seen = BTreeSet::new();
    for line in run.section("sinfo") {
        let w: Vec<&str> = line.split_whitespace().collect();
        let num = |i: usize| w[i].parse::<u64>().unwrap_or_else(|_| panic!("{name}: sinfo line {line}"));
        seen.insert((w[0].to_string(), w[1].to_string(), num(2), num(3), w[4].to_string()));
    }
    assert_eq!(seen, want, "{name}: sinfo");
}

/// The facts of every host named by the `NodeName=` lines of a slurm.conf;
/// a host in two lines is an error.
fn node_lines(name: &str, conf: &str) -> Result<BTreeMap<String, NodeFacts>, String> {
    let mut seen: BTreeMap<String, NodeFacts> = BTreeMap::new();
    for line in conf.lines().filter(|l| l.starts_with("NodeName=")) {
        let f = fields(line);
        let num = |k: &str| f.get(k).and_then(|v| v.parse::<u64>().ok()).ok_or(format!("{name}: {k} in {line}"));
        let facts = NodeFacts {
            cpus: num("CPUs")?,
            sockets: num("SocketsPerBoard")? as u32,
            cores: num("CoresPerSocket")? as u32,
            threads: num("ThreadsPerCore")? as u32,
            memory: num("RealMemory")?,
            gres: f.get("Gres").cloned(),
        };
        if facts.cpus != u64::from(facts.sockets * facts.cores * facts.threads) {
            return Err(format!("{name}: CPUs is not sockets × cores × threads in {line}"));
        }
        for host in expand(&f["NodeName"]) {
            if seen.insert(host.clone(), facts.clone()).is_some() {
                return Err(format!("{name}: {host} in two NodeName lines"));
            }
        }
    }
    Ok(seen)
}

/// `slurmd -C` prints one `NodeName=` line per host: every Slurm host of
/// every example appears in exactly one compiled NodeName line, with the
/// facts its site gives.
#[test]
fn node_lines_match_the_host_facts() {
    let mut rows = 0;
    for (name, path) in slurm_sites() {
        let (checked, files) = compile(&path);
        let want = site_nodes(&checked.site);
        let conf = &files["slurm/slurm.conf"];
        let seen = node_lines(&name, conf).unwrap();
        for (host, facts) in &want {
            assert_eq!(seen.get(host), Some(facts), "{name}: the NodeName line of {host}");
            rows += 1;
        }
        assert_eq!(seen.len(), want.len(), "{name}: NodeName lines for hosts that run no slurmd");
        // The table can fail: a line with one fact off, or a host twice.
        let off = conf.replacen("ThreadsPerCore=2", "ThreadsPerCore=1", 1);
        assert!(node_lines(&name, &off).is_err() || node_lines(&name, &off).unwrap() != want, "{name}");
        let twice = format!("{conf}{}\n", conf.lines().find(|l| l.starts_with("NodeName=")).unwrap());
        assert!(node_lines(&name, &twice).is_err(), "{name}");
    }
    assert!(rows >= 8, "the table covers every Slurm host ({rows} rows)");
}

/// The checks against scontrol notice a controller that reads other facts
/// than the site's: the same site's slurm.conf with one node's memory and a
/// partition's time limit changed.
#[test]
fn the_controller_checks_notice_a_slurm_conf_that_differs_from_the_site() {
    if let Some(why) = missing_tools() {
        return skip(&why);
    }
    let (checked, files) = compile(&root().join("tests/fixtures/slurm-only.kdl"));
    let site = &checked.site;
    let conf = files["slurm/slurm.conf"]
        .replace("RealMemory=768000", "RealMemory=700000")
        .replace("MaxTime=60 ", "MaxTime=61 ");
    let run = controller(&conf, &conf_files(&files), &names_of(site));
    assert_eq!(run.code, 0, "{}", run.out);
    let (nodes, parts) = (site_nodes(site), site_partitions(site));
    let quiet = |f: &dyn Fn()| std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).is_err();
    assert!(quiet(&|| check_nodes("changed", &run, &nodes)), "a node's memory differs");
    assert!(quiet(&|| check_partitions("changed", &run, &parts)), "a partition's MaxTime differs");
    assert!(quiet(&|| check_sinfo("changed", &run, &nodes, &parts)), "sinfo's memory differs");
}

#[test]
fn the_node_range_expander_reads_slurm_host_lists() {
    assert_eq!(expand("dgx-[01-03,05],login"), ["dgx-01", "dgx-02", "dgx-03", "dgx-05", "login"]);
    assert_eq!(expand("n[8-10]"), ["n8", "n9", "n10"]);
    assert_eq!(minutes("7-00:00:00"), Some(7 * 24 * 60));
    assert_eq!(minutes("01:00:00"), Some(60));
    assert_eq!(minutes("UNLIMITED"), None);
}

#[test]
fn a_slurm_only_site_compiles_without_kubernetes() {
    let path = root().join("tests/fixtures/slurm-only.kdl");
    let (checked, files) = compile(&path);
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    assert!(checked.site.settings.as_ref().unwrap().kubernetes.is_none());
    for prefix in ["kubeadm/", "cluster/", "packs/", "gitops/"] {
        let found: Vec<&String> = files.keys().filter(|p| p.starts_with(prefix)).collect();
        assert!(found.is_empty(), "a Slurm-only site has no {prefix}: {found:?}");
    }
    for p in ["slurm/slurm.conf", "slurm/gres.conf", "slurm/cgroup.conf"] {
        assert!(files.contains_key(p), "{p}");
    }
    assert!(!files.contains_key("slurm/slurmdbd.conf"), "no accounting, no slurmdbd.conf");
    for (path, text) in files.iter().filter(|(p, _)| p.ends_with("/user-data")) {
        for word in ["kubeadm", "kubelet", "containerd"] {
            assert!(!text.contains(word), "{path} mentions {word}");
        }
    }
    let compute = &files["provisioning/cloud-init/cpu-01/user-data"];
    assert!(compute.contains("install -y --no-upgrade munge slurm-client slurmd"), "{compute}");
    let head = &files["provisioning/cloud-init/head-0/user-data"];
    assert!(head.contains("munge slurm-client slurmctld"), "{head}");
    // munge before the Slurm daemons.
    let order = |text: &str, a: &str, b: &str| text.find(a).unwrap() < text.find(b).unwrap();
    assert!(order(compute, "systemctl enable munge", "systemctl enable slurmd"));
    assert!(order(head, "systemctl enable munge", "systemctl enable slurmctld"));
}

/// The same site with its `kubernetes` block taken out is refused while it
/// still has a Kubernetes host: the test above cannot pass by ignoring it.
#[test]
fn kubernetes_hosts_without_the_kubernetes_block_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(root().join("tests/fixtures/slurm-only.kdl")).unwrap();
    let text = text.replace("    role \"management\"", "    role \"control-plane\"");
    let path = dir.path().join("site.kdl");
    fs::write(&path, text).unwrap();
    let checked = bosun::check(&path).unwrap();
    let codes: Vec<&str> = checked.diagnostics.iter().map(|d| d.code.id).collect();
    assert!(codes.contains(&"bosun::kubernetes::missing"), "{codes:?}");
}

/// A mixed site: every file of a host that runs Kubernetes alone is
/// byte-identical to the committed golden tree, and the Slurm hosts are
/// where the differences are. dgx-03 is also checked by name.
#[test]
fn kubernetes_hosts_of_a_mixed_site_keep_their_files() {
    let (checked, files) = compile(&root().join("site-examples/dgx-pod/site.kdl"));
    let golden = read_tree(&root().join("golden/dgx-pod"));
    let k8s_only: Vec<&Host> = checked.site.hosts.iter().filter(|h| h.runs_kubernetes() && !h.runs_slurmd()).collect();
    assert!(k8s_only.iter().any(|h| h.name == "dgx-03"));
    for h in k8s_only {
        let own = |p: &str| {
            p == format!("kubeadm/{}.yaml", h.name) || p.starts_with(&format!("provisioning/cloud-init/{}/", h.name))
        };
        let mine: Vec<&String> = files.keys().filter(|p| own(p)).collect();
        assert!(mine.len() >= 4, "{}: {mine:?}", h.name);
        for p in mine {
            assert_eq!(Some(files[p].as_bytes()), golden.get(p).map(Vec::as_slice), "{p} changed");
            assert!(!files[p].contains("slurm"), "{p} mentions Slurm");
        }
    }
    // Hosts given to Slurm alone never join Kubernetes.
    for h in checked.site.hosts.iter().filter(|h| h.runs_slurmd() && !h.runs_kubernetes()) {
        assert!(!files.contains_key(&format!("kubeadm/{}.yaml", h.name)), "{} joins Kubernetes", h.name);
        let seed = &files[&format!("provisioning/cloud-init/{}/user-data", h.name)];
        assert!(!seed.contains("kubeadm") && seed.contains("slurmd"), "{}", h.name);
    }
    // A host in both schedulers joins Kubernetes and runs slurmd, after its join.
    let both = &files["provisioning/cloud-init/dgx-02/user-data"];
    assert!(both.find("kubeadm join").unwrap() < both.find("systemctl enable slurmd").unwrap(), "{both}");
}

/// Neither the munge key nor the database password is in any output: the
/// seeds fetch them, slurmdbd.conf holds a placeholder.
#[test]
fn slurm_secrets_are_fetched_at_boot_never_compiled_in() {
    let (_, files) = compile(&root().join("site-examples/dgx-pod/site.kdl"));
    let dbd = &files["slurm/slurmdbd.conf"];
    let pass = dbd.lines().find_map(|l| l.strip_prefix("StoragePass=")).expect("StoragePass");
    assert!(pass.starts_with('@') && pass.ends_with('@'), "StoragePass is a placeholder: {pass}");
    let login = &files["provisioning/cloud-init/login-01/user-data"];
    for want in ["secrets/munge-key.env", "secrets/slurmdbd-db.env", "BOSUN_MUNGE_KEY", "BOSUN_SLURMDBD_PASSWORD"] {
        assert!(login.contains(want), "login-01 fetches {want}");
    }
}

/// Moving a host between schedulers shows in the review's blast radius:
/// leaving Kubernetes one way, leaving Slurm the other.
#[test]
fn the_review_names_hosts_that_change_scheduler() {
    let tmp = tempfile::tempdir().unwrap();
    let src = root().join("site-examples/dgx-pod");
    let copy = tmp.path().join("site");
    // The whole folder: the site names files beside it (hosts/, pki/ca.crt).
    for entry in walkdir::WalkDir::new(&src).into_iter().map(Result::unwrap) {
        let dest = copy.join(entry.path().strip_prefix(&src).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(entry.path(), &dest).unwrap();
        }
    }
    let before = tmp.path().join("before");
    let after = tmp.path().join("after");
    let site = copy.join("site.kdl");
    let out = bosun(tmp.path(), &["compile", site.to_str().unwrap(), "-o", before.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let dgx = fs::read_to_string(copy.join("hosts/dgx.kdl")).unwrap();
    let moved = dgx.replacen("    gpu-pool \"a100\"\n", "    gpu-pool \"a100\"\n    scheduler \"slurm\"\n", 1);
    assert_ne!(moved, dgx);
    fs::write(copy.join("hosts/dgx.kdl"), moved).unwrap();
    let out = bosun(tmp.path(), &["compile", site.to_str().unwrap(), "-o", after.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let review = |a: &Path, b: &Path| {
        let out = bosun(tmp.path(), &["diff", a.to_str().unwrap(), b.to_str().unwrap(), "--format", "json"]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON review");
        v["summary"]["blast_radius"].clone()
    };
    let forth = review(&before, &after);
    assert_eq!(forth["leave_kubernetes"], serde_json::json!(["dgx-03"]), "{forth}");
    assert_eq!(forth["leave_slurm"], serde_json::json!([]), "{forth}");
    let back = review(&after, &before);
    assert_eq!(back["leave_slurm"], serde_json::json!(["dgx-03"]), "{back}");
    assert_eq!(back["leave_kubernetes"], serde_json::json!([]), "{back}");
}

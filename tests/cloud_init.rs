//! cloud-init seeds of every example, judged by what reads them: Debian's
//! cloud-init (schema check, network-config parser), netplan (what
//! cloud-init hands a v2 network-config to on Ubuntu), cloud-init's 26.2 JSON
//! Schemas, and PyYAML as the YAML 1.1 reader. Also: the meta-data
//! instance-id changes exactly when a host's seed does.
//!
//! CI installs the tools (`apt-get install -y --no-install-recommends
//! cloud-init netplan.io python3-yaml`); a missing tool fails the suite.

mod support;

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::Value;
use support::*;

/// The three seed files of one host, as compiled.
struct Seed {
    /// `example/host`.
    name: String,
    host: String,
    user_data: String,
    meta_data: String,
    network_config: String,
}

impl Seed {
    fn user_data_value(&self) -> Value {
        serde_norway::from_str(&self.user_data).unwrap_or_else(|e| panic!("{}: user-data is not YAML: {e}", self.name))
    }

    fn network_value(&self) -> Value {
        serde_norway::from_str(&self.network_config)
            .unwrap_or_else(|e| panic!("{}: network-config is not YAML: {e}", self.name))
    }

    /// The cloud-config the host ends up with: the document itself, or an
    /// autoinstall document's `user-data`.
    fn cloud_config(&self) -> Value {
        let doc = self.user_data_value();
        match doc.get("autoinstall") {
            Some(ai) => {
                ai.get("user-data").cloned().unwrap_or_else(|| panic!("{}: autoinstall has no user-data", self.name))
            }
            None => doc,
        }
    }

    fn is_autoinstall(&self) -> bool {
        self.user_data_value().get("autoinstall").is_some()
    }
}

/// Compiles a site in memory; its seeds by host name.
fn seeds_of(example: &str, site: &Path) -> BTreeMap<String, Seed> {
    let (checked, tree) = bosun::compile(site).expect("site readable");
    let Some(tree) = tree else {
        let found: Vec<_> = checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
        panic!("{example} does not compile:\n{}", found.join("\n"));
    };
    let mut parts: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for (path, bytes) in &tree.files {
        let Some(rest) = path.strip_prefix("provisioning/cloud-init/") else { continue };
        let (host, file) = rest.split_once('/').unwrap_or_else(|| panic!("unexpected seed path {path}"));
        parts.entry(host.to_string()).or_default().insert(file.to_string(), text(bytes));
    }
    parts
        .into_iter()
        .map(|(host, mut files)| {
            let mut take = |f: &str| files.remove(f).unwrap_or_else(|| panic!("{example}/{host}: no {f}"));
            let seed = Seed {
                name: format!("{example}/{host}"),
                host: host.clone(),
                user_data: take("user-data"),
                meta_data: take("meta-data"),
                network_config: take("network-config"),
            };
            assert!(files.is_empty(), "{example}/{host}: unexpected seed files {:?}", files.keys());
            (host, seed)
        })
        .collect()
}

/// Every example's seeds; every host of every example has one.
fn all_seeds() -> Vec<Seed> {
    let mut out = Vec::new();
    for (example, site) in examples() {
        let seeds = seeds_of(&example, &site);
        let checked = bosun::check(&site).expect("site readable");
        let hosts: Vec<&str> = checked.site.hosts.iter().map(|h| h.name.as_str()).collect();
        for h in &hosts {
            assert!(seeds.contains_key(*h), "{example}: host {h} has no cloud-init seed");
        }
        out.extend(seeds.into_values());
    }
    assert!(out.len() > 20, "expected the seeds of three examples, found {}", out.len());
    out
}

/// Writes each seed under `dir/<example>/<host>/`; also, for autoinstall
/// documents, the inner cloud-config as `<host>/inner-user-data`.
fn write_seeds(dir: &Path, seeds: &[Seed]) -> Vec<(String, PathBuf)> {
    let mut dirs = Vec::new();
    for s in seeds {
        let d = dir.join(&s.name);
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("user-data"), &s.user_data).unwrap();
        fs::write(d.join("meta-data"), &s.meta_data).unwrap();
        fs::write(d.join("network-config"), &s.network_config).unwrap();
        if s.is_autoinstall() {
            let inner = format!("#cloud-config\n{}", bosun::render::yaml::to_string(&s.cloud_config()));
            fs::write(d.join("inner-user-data"), inner).unwrap();
        }
        dirs.push((s.name.clone(), d));
    }
    dirs
}

/// Fails the suite, naming the package, when a tool is missing.
fn require_tool(program: &str, args: &[&str], package: &str) {
    let ok = Command::new(program).args(args).output().is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "`{program}` is not available: install the Debian package `{package}` \
         (apt-get install -y --no-install-recommends {package}); .ci/run does this"
    );
}

/// Runs the commands on a few threads; returns the failures, each with the
/// command's output.
fn run_all(jobs: Vec<(String, Vec<OsString>)>) -> Vec<String> {
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(2, 8);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some((label, argv)) = jobs.get(i) else { break };
                    let out = Command::new(&argv[0]).args(&argv[1..]).output();
                    let problem = match out {
                        Ok(o) if o.status.success() => None,
                        Ok(o) => Some(format!("{}{}", text(&o.stdout), text(&o.stderr))),
                        Err(e) => Some(e.to_string()),
                    };
                    if let Some(p) = problem {
                        failures.lock().unwrap().push(format!("{label}:\n{}", p.trim_end()));
                    }
                }
            });
        }
    });
    let mut f = failures.into_inner().unwrap();
    f.sort();
    f
}

/// A known-bad document the tool must reject, so a tool that accepts
/// everything cannot make the suite pass.
fn assert_rejects(label: &str, dir: &Path, file: &str, body: &str, args: impl Fn(&Path) -> Vec<OsString>) {
    let path = dir.join(file);
    fs::write(&path, body).unwrap();
    let failures = run_all(vec![(label.to_string(), args(&path))]);
    assert_eq!(failures.len(), 1, "{label}: the oracle accepted a broken document:\n{body}");
}

/// `cloud-init devel net-convert`: parse a v2 network-config and render it for Debian.
fn net_convert(input: &Path, out: &Path, renderer: &str) -> Vec<OsString> {
    let parts: [&dyn AsRef<std::ffi::OsStr>; 13] = [
        &"cloud-init",
        &"devel",
        &"net-convert",
        &"-p",
        &input,
        &"-k",
        &"yaml",
        &"-d",
        &out,
        &"-D",
        &"debian",
        &"-O",
        &renderer,
    ];
    argv(&parts)
}

/// A netplan root holding `network_config` where cloud-init's netplan
/// renderer puts it: under a top-level `network:` key (the NoCloud file is
/// the bare v2 mapping, which netplan refuses: "unknown key 'version'"),
/// readable by root only, as netplan asks.
fn netplan_root(dir: &Path, network_config: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let etc = dir.join("etc/netplan");
    fs::create_dir_all(&etc).unwrap();
    let wrapped: String =
        network_config.lines().map(|l| if l.is_empty() { "\n".to_string() } else { format!("  {l}\n") }).collect();
    let file = etc.join("50-cloud-init.yaml");
    fs::write(&file, format!("network:\n{wrapped}")).unwrap();
    fs::set_permissions(&file, fs::Permissions::from_mode(0o600)).unwrap();
    dir.to_path_buf()
}

fn argv(parts: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    parts.iter().map(|p| p.as_ref().to_os_string()).collect()
}

#[test]
fn network_config_generates_with_netplan() {
    require_tool("netplan", &["info"], "netplan.io");
    let seeds = all_seeds();
    let tmp = tempfile::tempdir().unwrap();
    let mut jobs = Vec::new();
    let mut roots = Vec::new();
    for s in &seeds {
        let root = netplan_root(&tmp.path().join("roots").join(&s.name), &s.network_config);
        jobs.push((format!("{}/network-config", s.name), argv(&[&"netplan", &"generate", &"--root-dir", &root])));
        roots.push((s.name.clone(), root));
    }
    let bad = "version: 2\nethernets:\n  eth0:\n    addresses: [10.0.0.1]\n";
    let bad_root = netplan_root(&tmp.path().join("bad"), bad);
    let failures = run_all(vec![("bad".into(), argv(&[&"netplan", &"generate", &"--root-dir", &bad_root]))]);
    assert_eq!(failures.len(), 1, "netplan accepted an address without a prefix length");
    let failures = run_all(jobs);
    assert!(failures.is_empty(), "netplan generate rejects:\n\n{}", failures.join("\n\n"));
    // A file netplan read but made nothing of would pass the step above.
    for (name, root) in roots {
        let made = fs::read_dir(root.join("run/systemd/network")).map_or(0, |d| {
            d.filter_map(Result::ok).filter(|e| e.path().extension().is_some_and(|x| x == "network")).count()
        });
        assert!(made > 0, "{name}: netplan generated no systemd-networkd .network file");
    }
}

#[test]
fn user_data_passes_cloud_init_schema() {
    require_tool("cloud-init", &["--version"], "cloud-init");
    let seeds = all_seeds();
    let tmp = tempfile::tempdir().unwrap();
    let mut jobs = Vec::new();
    for (name, dir) in write_seeds(tmp.path(), &seeds) {
        for file in ["user-data", "inner-user-data"] {
            let path = dir.join(file);
            if path.exists() {
                jobs.push((format!("{name}/{file}"), argv(&[&"cloud-init", &"schema", &"--config-file", &path])));
            }
        }
    }
    assert_rejects("bad user-data", tmp.path(), "bad-user-data", "#cloud-config\nhostname: 42\n", |p| {
        argv(&[&"cloud-init", &"schema", &"--config-file", &p])
    });
    let failures = run_all(jobs);
    assert!(failures.is_empty(), "cloud-init schema rejects:\n\n{}", failures.join("\n\n"));
}

#[test]
fn network_config_parses_with_cloud_init() {
    require_tool("cloud-init", &["--version"], "cloud-init");
    let seeds = all_seeds();
    let tmp = tempfile::tempdir().unwrap();
    let mut jobs = Vec::new();
    for (name, dir) in write_seeds(&tmp.path().join("seeds"), &seeds) {
        // networkd is the renderer the brief's oracle names; eni is Debian's
        // default and, unlike 22.4.2's networkd renderer, renders bonds.
        for renderer in ["networkd", "eni"] {
            let out = tmp.path().join("rendered").join(&name).join(renderer);
            let args = net_convert(&dir.join("network-config"), &out, renderer);
            jobs.push((format!("{name}/network-config ({renderer})"), args));
        }
    }
    let bad = "version: 2\nethernets:\n  eth0:\n    addresses: [1]\n";
    assert_rejects("bad network-config", tmp.path(), "bad-network-config", bad, |p| {
        let out = tmp.path().join("rendered-bad");
        net_convert(p, &out, "networkd")
    });
    let failures = run_all(jobs);
    assert!(failures.is_empty(), "cloud-init net-convert rejects:\n\n{}", failures.join("\n\n"));
}

/// The oracle schemas live beside the repository, in the shared folder.
fn oracle_schema(name: &str) -> Option<Value> {
    let dir = root().join("../shared/oracles/cloud-init");
    if !dir.is_dir() {
        skip(&format!("JSON Schema oracle check, because {} does not exist", dir.display()));
        return None;
    }
    let path = dir.join(name);
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn schema_errors(validator: &jsonschema::Validator, what: &str, doc: &Value) -> Vec<String> {
    validator.iter_errors(doc).map(|e| format!("{what}: {} at {}", e, e.instance_path().as_str())).collect()
}

#[test]
fn seeds_match_cloud_init_json_schemas() {
    let (Some(cloud_config), Some(network)) =
        (oracle_schema("schema-cloud-config-v1.json"), oracle_schema("schema-network-config-v2.json"))
    else {
        return;
    };
    let cloud_config = jsonschema::validator_for(&cloud_config).expect("cloud-config schema compiles");
    let network = jsonschema::validator_for(&network).expect("network-config schema compiles");
    // The validators are live: they reject what cloud-init would.
    assert!(!cloud_config.is_valid(&serde_json::json!({"hostname": "a", "bogus_key": 1})));
    assert!(!network.is_valid(&serde_json::json!({"version": 2, "ethernets": {"e": {"addresses": "10.0.0.1/24"}}})));
    let mut failures = Vec::new();
    for s in all_seeds() {
        let doc = s.user_data_value();
        failures.extend(schema_errors(&cloud_config, &format!("{}/user-data", s.name), &doc));
        if s.is_autoinstall() {
            let inner = s.cloud_config();
            failures.extend(schema_errors(
                &cloud_config,
                &format!("{}/user-data autoinstall.user-data", s.name),
                &inner,
            ));
            let ai_net = &doc["autoinstall"]["network"];
            failures.extend(schema_errors(&network, &format!("{}/user-data autoinstall.network", s.name), ai_net));
        }
        failures.extend(schema_errors(&network, &format!("{}/network-config", s.name), &s.network_value()));
    }
    assert!(failures.is_empty(), "schema errors:\n{}", failures.join("\n"));
}

#[test]
fn every_seed_reads_the_same_in_pyyaml() {
    let seeds = all_seeds();
    let tmp = tempfile::tempdir().unwrap();
    let mut files: Vec<(String, PathBuf, String)> = Vec::new();
    for ((name, dir), s) in write_seeds(tmp.path(), &seeds).into_iter().zip(&seeds) {
        for (file, body) in
            [("user-data", &s.user_data), ("meta-data", &s.meta_data), ("network-config", &s.network_config)]
        {
            files.push((format!("{name}/{file}"), dir.join(file), body.clone()));
        }
    }
    assert_same_in_pyyaml(&files);
}

#[test]
fn seeds_have_the_shape_cloud_init_expects() {
    for s in all_seeds() {
        assert!(s.user_data.starts_with("#cloud-config\n"), "{}: first line must be #cloud-config", s.name);
        let meta: Value = serde_norway::from_str(&s.meta_data).unwrap();
        assert_eq!(meta["local-hostname"], Value::String(s.host.clone()), "{}", s.name);
        let iid = meta["instance-id"].as_str().unwrap_or_default();
        assert!(iid.starts_with("iid-") && iid.len() == 20, "{}: instance-id {iid:?}", s.name);
        let net = s.network_value();
        assert_eq!(net["version"], Value::from(2), "{}: network-config must be version 2, unwrapped", s.name);
        assert!(!s.network_config.contains("to: default"), "{}: Debian 12 cannot render `to: default`", s.name);
        let defaults = s.network_config.matches("to: 0.0.0.0/0").count();
        assert!(defaults <= 1, "{}: {defaults} default routes", s.name);
        let cc = s.cloud_config();
        assert_eq!(cc["hostname"], Value::String(s.host.clone()), "{}", s.name);
        let runcmd = cc["runcmd"].as_array().map(|r| r.iter().filter_map(Value::as_str).collect::<Vec<_>>());
        let runcmd = runcmd.unwrap_or_default().join("\n");
        for file in cc["write_files"].as_array().into_iter().flatten() {
            assert!(file["permissions"].is_string(), "{}: permissions must be a string: {file}", s.name);
        }
        if runcmd.contains("kubeadm") {
            assert!(runcmd.contains(bosun::render::KUBEADM_CONFIG_PATH), "{}", s.name);
        }
    }
}

/// runcmd becomes one `sh` script; it must at least parse.
#[test]
fn runcmd_is_valid_shell() {
    let mut scripts = std::collections::BTreeSet::new();
    for s in all_seeds() {
        let cc = s.cloud_config();
        let lines: Vec<&str> = cc["runcmd"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
        assert_eq!(lines.len(), cc["runcmd"].as_array().map_or(0, Vec::len), "{}: runcmd items are strings", s.name);
        scripts.insert(lines.join("\n"));
    }
    for script in scripts {
        let out = Command::new("sh").args(["-n", "-c", &script]).output().expect("sh runs");
        assert!(out.status.success(), "runcmd does not parse: {}\n{script}", text(&out.stderr));
    }
}

#[test]
fn kubeadm_init_runs_on_the_first_control_plane_host_only() {
    for (example, site) in examples() {
        let checked = bosun::check(&site).unwrap();
        let mut cps: Vec<&str> = checked
            .site
            .hosts
            .iter()
            .filter(|h| h.role == bosun::model::Role::ControlPlane)
            .map(|h| h.name.as_str())
            .collect();
        cps.sort();
        for (host, seed) in seeds_of(&example, &site) {
            let cc = seed.cloud_config();
            let runcmd: String =
                cc["runcmd"].as_array().into_iter().flatten().filter_map(Value::as_str).collect::<Vec<_>>().join("\n");
            // A worker given to Slurm alone is no Kubernetes node.
            let kubernetes = checked.site.hosts.iter().find(|h| h.name == host).map(|h| h.runs_kubernetes()).unwrap();
            let init = runcmd.contains("kubeadm init");
            let join = runcmd.contains("kubeadm join");
            let packages = runcmd.contains("kubelet=");
            assert_eq!(init, cps.first() == Some(&host.as_str()), "{example}/{host}: kubeadm init");
            assert_eq!(join, kubernetes && !init, "{example}/{host}: kubeadm join");
            assert_eq!(packages, kubernetes, "{example}/{host}: Kubernetes packages");
        }
    }
}

/// Compiles nauta-lab after `edit`, from a copy in a temporary folder.
fn nauta_edited(edit: impl Fn(String) -> String) -> BTreeMap<String, Seed> {
    let (_, site) = examples().into_iter().find(|(n, _)| n == "nauta-lab").expect("nauta-lab example");
    let tmp = tempfile::tempdir().unwrap();
    // The site's pack folders come along: packs are read beside site.kdl.
    let from = site.parent().unwrap();
    for e in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok).filter(|e| e.file_type().is_file()) {
        let dest = tmp.path().join(e.path().strip_prefix(from).unwrap());
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(e.path(), dest).unwrap();
    }
    let copy = tmp.path().join("site.kdl");
    fs::write(&copy, edit(fs::read_to_string(&site).unwrap())).unwrap();
    seeds_of("nauta-lab (edited)", &copy)
}

fn replace_once(text: String, from: &str, to: &str) -> String {
    assert_eq!(text.matches(from).count(), 1, "edit target {from:?} must occur once");
    text.replacen(from, to, 1)
}

fn instance_id(s: &Seed) -> String {
    let meta: Value = serde_norway::from_str(&s.meta_data).unwrap();
    meta["instance-id"].as_str().unwrap_or_default().to_string()
}

/// An edit of the site text.
type Edit = Box<dyn Fn(String) -> String>;

#[test]
fn instance_id_changes_exactly_when_the_seed_does() {
    let base = nauta_edited(|t| t);
    let cases: [(&str, Edit, &[&str]); 4] = [
        // Network only: worker-2's data address.
        ("address", Box::new(|t| replace_once(t, "address=\"172.20.0.62\"", "address=\"172.20.0.63\"")), &["worker-2"]),
        // User-data only: a scratch disk on worker-1.
        (
            "disk",
            Box::new(|t| {
                replace_once(
                    t,
                    "interface \"em2\" mac=\"24:6e:96:1a:42:02\"",
                    "disk \"/dev/sdc\" use=\"scratch\" mount=\"/scratch\"\n    interface \"em2\" mac=\"24:6e:96:1a:42:02\"",
                )
            }),
            &["worker-1"],
        ),
        // Site-wide: every host's user-data.
        (
            "ntp",
            Box::new(|t| replace_once(t, "ntp \"1.pool.ntp.org\"", "ntp \"2.pool.ntp.org\"")),
            &["master-0", "worker-0", "worker-1", "worker-2", "worker-3", "worker-4"],
        ),
        // Not in any seed.
        ("team", Box::new(|t| replace_once(t, "Speech recognition model training.", "Speech models.")), &[]),
    ];
    for (what, edit, expected) in cases {
        let edited = nauta_edited(edit);
        assert_eq!(base.keys().collect::<Vec<_>>(), edited.keys().collect::<Vec<_>>());
        let mut changed = Vec::new();
        for (host, old) in &base {
            let new = &edited[host];
            let seed_changed = old.user_data != new.user_data || old.network_config != new.network_config;
            let iid_changed = instance_id(old) != instance_id(new);
            assert_eq!(
                iid_changed, seed_changed,
                "{what}: {host}: instance-id changed {iid_changed}, seed {seed_changed}"
            );
            if seed_changed {
                changed.push(host.as_str());
            }
        }
        assert_eq!(changed, expected, "{what}: hosts whose seed changed");
    }
}

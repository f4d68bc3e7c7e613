//! cluster/ of every example, judged by what reads it: kubernetes-validate
//! `--strict` at the site's Kubernetes version (built-in kinds), the CRD
//! schemas in ../shared/oracles/crds/ (custom kinds), and PyYAML as the YAML
//! 1.1 reader. Also: research-commons' quotas and queues against the site, and
//! locality (removing a team removes exactly its files; adding a host to a
//! pool changes no team's file).
//!
//! CI (.ci/run) installs kubernetes-validate in target/venv; a missing
//! validator fails the suite. Missing CRD schemas are skipped, visibly.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::*;

/// API groups of the custom resources bosun emits (judged by CRD schemas).
const CUSTOM_GROUPS: &[&str] = &["kueue.x-k8s.io", "ceph.rook.io", "external-secrets.io", "nvidia.com"];

type Files = BTreeMap<String, Vec<u8>>;

fn compile(site: &Path) -> (Files, Vec<String>) {
    let (checked, tree) = bosun::compile(site).expect("site readable");
    let diags: Vec<String> = checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
    let tree = tree.unwrap_or_else(|| panic!("{} does not compile:\n{}", site.display(), diags.join("\n")));
    (tree.files, diags)
}

/// The Kubernetes objects of a tree: path → (value, kind is built in).
fn objects(files: &Files) -> Vec<(String, Value, bool)> {
    files
        .iter()
        .filter(|(p, _)| p.starts_with("cluster/") && !p.ends_with("/kustomization.yaml"))
        .filter(|(p, _)| p.as_str() != "cluster/kustomization.yaml")
        .map(|(p, b)| {
            let v: Value = serde_norway::from_str(&text(b)).unwrap_or_else(|e| panic!("{p}: not YAML: {e}"));
            let api = v["apiVersion"].as_str().unwrap_or_else(|| panic!("{p}: no apiVersion")).to_string();
            let custom = api.split_once('/').is_some_and(|(g, _)| CUSTOM_GROUPS.contains(&g));
            (p.clone(), v, !custom)
        })
        .collect()
}

fn site_version(site: &Path) -> String {
    let checked = bosun::check(site).expect("site readable");
    let v = &checked.site.settings.as_ref().expect("settings").kubernetes.as_ref().expect("kubernetes").version;
    let minor = bosun::support::kubernetes_minor(v).expect("supported version");
    format!("1.{minor}.0")
}

fn kubernetes_validate() -> PathBuf {
    let path = std::env::var_os("BOSUN_KUBERNETES_VALIDATE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/venv/bin/kubernetes-validate"));
    assert!(
        path.is_file(),
        "kubernetes-validate not found at {}: run .ci/run, or `python3 -m venv target/venv && \
         target/venv/bin/pip install kubernetes-validate`, or set BOSUN_KUBERNETES_VALIDATE",
        path.display()
    );
    path
}

#[test]
fn built_in_kinds_pass_kubernetes_validate_strict() {
    let validator = kubernetes_validate();
    let mut checked = 0;
    for (name, site) in examples() {
        let (files, _) = compile(&site);
        let tmp = tempfile::tempdir().unwrap();
        let mut paths = Vec::new();
        for (p, _, builtin) in objects(&files) {
            if builtin {
                let dest = tmp.path().join(p.replace('/', "__"));
                fs::write(&dest, &files[&p]).unwrap();
                paths.push(dest);
            }
        }
        assert!(!paths.is_empty(), "{name}: no built-in objects in cluster/");
        let version = site_version(&site);
        let out = Command::new(&validator).args(["--strict", "-k", &version]).args(&paths).output().unwrap();
        let report = format!("{}{}", text(&out.stdout), text(&out.stderr));
        assert!(out.status.success(), "{name}: kubernetes-validate --strict -k {version} failed:\n{report}");
        // Exit 0 with a WARN means "no schema for this kind": not checked.
        assert!(!report.contains("WARN"), "{name}: a built-in kind was not checked:\n{report}");
        let passed = report.lines().filter(|l| l.contains(" passed for resource ")).count();
        assert_eq!(passed, paths.len(), "{name}: not every file passed:\n{report}");
        checked += passed;
    }
    eprintln!("kubernetes-validate --strict: {checked} objects passed");
}

#[test]
fn custom_resources_match_their_crd_schemas() {
    let Some(mut schemas) = CrdSchemas::open() else {
        skip("CRD schemas not found at ../shared/oracles/crds (custom resources not checked)");
        return;
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, site) in examples() {
        let (files, _) = compile(&site);
        for (p, v, builtin) in objects(&files) {
            if builtin {
                continue;
            }
            match schemas.errors(&v) {
                Ok(errors) => failures.extend(errors.into_iter().map(|e| format!("{name}/{p}: {e}"))),
                Err(e) => failures.push(format!("{name}/{p}: {e}")),
            }
            checked += 1;
        }
    }
    assert!(checked > 0, "no custom resources were checked");
    assert!(failures.is_empty(), "CRD schema errors:\n{}", failures.join("\n"));
}

#[test]
fn crd_schemas_catch_mistakes() {
    let Some(mut schemas) = CrdSchemas::open() else {
        skip("CRD schemas not found at ../shared/oracles/crds");
        return;
    };
    // The v1beta1 spelling is an error in v1beta2.
    let old_spelling = serde_json::json!({"apiVersion": "kueue.x-k8s.io/v1beta2", "kind": "ClusterQueue",
        "metadata": {"name": "q"}, "spec": {"cohort": "x", "resourceGroups": []}});
    assert!(!schemas.errors(&old_spelling).unwrap().is_empty());
}

#[test]
fn every_file_reads_the_same_in_pyyaml() {
    let tmp = tempfile::tempdir().unwrap();
    let mut files: Vec<(String, PathBuf, String)> = Vec::new();
    for (name, site) in examples() {
        let (tree, _) = compile(&site);
        // A template pack's chart is Helm templates, not YAML; experiments' values are YAML.
        let yaml =
            |p: &str| ["cluster/", "packs/", "experiments/"].iter().any(|f| p.starts_with(f)) && !p.contains("/chart/");
        for (p, b) in tree.iter().filter(|(p, _)| yaml(p)) {
            let dest = tmp.path().join(format!("{name}__{}", p.replace('/', "__")));
            fs::write(&dest, b).unwrap();
            files.push((format!("{name}/{p}"), dest, text(b)));
        }
    }
    assert_same_in_pyyaml(&files);
}

fn research_commons() -> PathBuf {
    root().join("site-examples/research-commons/site.kdl")
}

fn object(files: &Files, path: &str) -> Value {
    let b = files.get(path).unwrap_or_else(|| panic!("{path} not rendered"));
    serde_norway::from_str(&text(b)).unwrap()
}

/// The ClusterQueue's nominal quotas: (flavor, resource) → quantity, without zeros.
fn nominal(cq: &Value) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    for g in cq["spec"]["resourceGroups"].as_array().unwrap() {
        for f in g["flavors"].as_array().unwrap() {
            for r in f["resources"].as_array().unwrap() {
                let q = r["nominalQuota"].as_str().unwrap().to_string();
                if q != "0" {
                    out.insert((f["name"].as_str().unwrap().to_string(), r["name"].as_str().unwrap().to_string()), q);
                }
            }
        }
    }
    out
}

#[test]
fn research_commons_quotas_and_queues_follow_the_site() {
    // team, namespace, cpu, memory, storage, pool, GPU resources (from the
    // site's teams/*.kdl; a100-80 is MIG mixed all-balanced: per GPU two
    // 1g.10gb, one 2g.20gb, one 3g.40gb).
    let mig =
        |n: u64| vec![("nvidia.com/mig-1g.10gb", 2 * n), ("nvidia.com/mig-2g.20gb", n), ("nvidia.com/mig-3g.40gb", n)];
    let gpu = |n: u64| vec![("nvidia.com/gpu", n)];
    // team, namespace, cpu, memory, storage, pool, GPU resources
    type Row =
        (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, Vec<(&'static str, u64)>);
    #[rustfmt::skip]
    let table: Vec<Row> = vec![
        ("avis-citizenscience", "avis-citizenscience", "64", "256Gi", "2Ti", "rtx-a6000", gpu(16)),
        ("avis-fire", "avis-fire", "64", "256Gi", "2Ti", "a100-80", mig(8)),
        ("avis-rip", "avis-rip", "64", "256Gi", "4Ti", "l40s", gpu(16)),
        ("creativecoding-forbes-lab", "creativecoding-forbes", "48", "192Gi", "1Ti", "a30", gpu(16)),
        ("gandalf", "gandalf", "128", "512Gi", "4Ti", "a100-80", mig(8)),
        ("jlab-nlp", "jlab-nlp", "192", "1Ti", "20Ti", "a100-80", mig(16)),
        ("jweekley", "jweekley", "16", "64Gi", "500Gi", "rtx-3090", gpu(4)),
        ("ntpp", "ntpp", "128", "512Gi", "6Ti", "rtx-a6000", gpu(24)),
        ("oulib", "oulib", "32", "128Gi", "2Ti", "a30", gpu(8)),
        ("pbscitestspace", "pbscitestspace", "32", "128Gi", "1Ti", "rtx-3090", gpu(8)),
        ("real-ucsc", "real-ucsc", "96", "384Gi", "4Ti", "l40s", gpu(16)),
        ("scipp", "scipp", "128", "512Gi", "10Ti", "a100-80", mig(8)),
        ("sindilabmerced", "sindilabmerced", "64", "256Gi", "4Ti", "rtx-a6000", gpu(16)),
        ("spencerlabucmerced", "spencerlabucmerced", "96", "384Gi", "8Ti", "l40s", gpu(16)),
        ("tech4good", "tech4good", "48", "192Gi", "1Ti", "a30", gpu(16)),
    ];
    let (files, _) = compile(&research_commons());
    let queues: Vec<&String> = files.keys().filter(|p| p.starts_with("cluster/queues/clusterqueue-")).collect();
    assert_eq!(queues.len(), table.len(), "one ClusterQueue per team: {queues:?}");
    let mut cohorts = BTreeSet::new();
    for (team, ns, cpu, memory, storage, pool, gpus) in table {
        let rq = object(&files, &format!("cluster/quotas/resourcequota-{ns}.quota.yaml"));
        let mut hard: BTreeMap<String, String> =
            [("requests.cpu", cpu), ("requests.memory", memory), ("requests.storage", storage)]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        for (r, n) in &gpus {
            hard.insert(format!("requests.{r}"), n.to_string());
        }
        let got: BTreeMap<String, String> = serde_json::from_value(rq["spec"]["hard"].clone()).unwrap();
        assert_eq!(got, hard, "{team}: ResourceQuota");

        let cq = object(&files, &format!("cluster/queues/clusterqueue-{team}.yaml"));
        let mut want = BTreeMap::from([
            (("default-flavor".to_string(), "cpu".to_string()), cpu.to_string()),
            (("default-flavor".to_string(), "memory".to_string()), memory.to_string()),
        ]);
        for (r, n) in &gpus {
            want.insert((pool.to_string(), r.to_string()), n.to_string());
        }
        assert_eq!(nominal(&cq), want, "{team}: ClusterQueue nominal quota");
        assert_eq!(cq["spec"]["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"], ns, "{team}");
        cohorts.insert(cq["spec"]["cohortName"].as_str().unwrap().to_string());
        let lq = object(&files, &format!("cluster/queues/localqueue-{ns}.default.yaml"));
        assert_eq!(lq["spec"]["clusterQueue"], team);
    }
    assert_eq!(cohorts.len(), 1, "every team in one cohort: {cohorts:?}");
}

/// A copy of research-commons in a temp folder, to edit.
fn copy_research_commons() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = root().join("site-examples/research-commons");
    for e in walkdir::WalkDir::new(&src).into_iter().filter_map(Result::ok) {
        let dest = tmp.path().join(e.path().strip_prefix(&src).unwrap());
        if e.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
    tmp
}

fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let before = fs::read_to_string(path).unwrap();
    let after = f(before.clone());
    assert_ne!(before, after, "edit of {} changed nothing", path.display());
    fs::write(path, after).unwrap();
}

#[test]
fn an_oversubscribed_pool_warns_with_the_amount() {
    let tmp = copy_research_commons();
    // a30: 4 hosts x 4 GPUs x 4 replicas = 64; the others ask 16 + 16.
    edit(&tmp.path().join("teams/oklahoma.kdl"), |s| s.replace("gpu=8 pool=\"a30\"", "gpu=48 pool=\"a30\""));
    let (files, diags) = compile(&tmp.path().join("site.kdl"));
    let warning = diags.iter().find(|d| d.starts_with("bosun::team::gpu-oversubscribed")).expect("a warning");
    assert!(warning.contains("`a30` is oversubscribed by 16"), "{warning}");
    let cq = object(&files, "cluster/queues/clusterqueue-oulib.yaml");
    assert_eq!(nominal(&cq)[&("a30".to_string(), "nvidia.com/gpu".to_string())], "48");
}

/// Files that differ between two trees (changed, added or removed).
fn changed(a: &Files, b: &Files) -> BTreeSet<String> {
    a.keys().chain(b.keys()).filter(|p| a.get(*p) != b.get(*p)).cloned().collect()
}

/// Files that list or count others, and so change with any object.
fn is_index(path: &str) -> bool {
    path == "MANIFEST" || path == "README.md" || path.ends_with("kustomization.yaml")
}

fn team_files(files: &Files, team: &str) -> BTreeSet<String> {
    let label = format!("bosun.io/team: {team}\n");
    files
        .iter()
        .filter(|(p, b)| p.starts_with("cluster/") && text(b).contains(&label))
        .map(|(p, _)| p.clone())
        .collect()
}

#[test]
fn removing_a_team_removes_exactly_its_files() {
    let (before, _) = compile(&research_commons());
    for (team, file) in [("oulib", "teams/oklahoma.kdl"), ("creativecoding-forbes-lab", "teams/ucsc.kdl")] {
        let tmp = copy_research_commons();
        edit(&tmp.path().join(file), |s| {
            let start = s.find(&format!("team \"{team}\" {{")).expect("team block");
            let end = start + s[start..].find("\n}\n").expect("end of team block") + 3;
            format!("{}{}", &s[..start], &s[end..])
        });
        let (after, _) = compile(&tmp.path().join("site.kdl"));
        let own = team_files(&before, team);
        assert!(own.len() >= 6, "{team}: expected namespace, rbac, quotas and queues, found {own:?}");
        let diff: BTreeSet<String> = changed(&before, &after).into_iter().filter(|p| !is_index(p)).collect();
        assert_eq!(diff, own, "{team}: removing the team should remove exactly its files");
        assert!(own.iter().all(|p| !after.contains_key(p)), "{team}: its files are gone");
    }
}

#[test]
fn adding_a_host_to_a_pool_changes_no_team_file() {
    let (before, _) = compile(&research_commons());
    let tmp = copy_research_commons();
    edit(&tmp.path().join("hosts/31-gpu-a30.kdl"), |s| {
        let start = s.find("host \"gpu-a30-04\" {").unwrap();
        let end = start + s[start..].find("\n}\n").unwrap() + 3;
        let block = s[start..end]
            .replace("gpu-a30-04", "gpu-a30-05")
            .replace("10.40.0.54", "10.40.0.55")
            .replace("10.50.0.54", "10.50.0.55")
            .replace("10.60.0.54", "10.60.0.55")
            .replace("00:36:01", "00:37:01")
            .replace("00:36:10", "00:37:10");
        format!("{s}\n{block}")
    });
    let (after, diags) = compile(&tmp.path().join("site.kdl"));
    assert!(changed(&before, &after).iter().any(|p| p.contains("gpu-a30-05")), "the host was added: {diags:?}");
    let team_owned: BTreeSet<String> = before
        .keys()
        .filter(|p| p.starts_with("cluster/"))
        .filter(|p| text(&before[*p]).contains("bosun.io/team: "))
        .cloned()
        .collect();
    assert!(team_owned.len() > 50, "expected every team's files, found {}", team_owned.len());
    let touched: Vec<&String> = team_owned.iter().filter(|p| before.get(*p) != after.get(*p)).collect();
    assert!(touched.is_empty(), "adding a host changed team files: {touched:?}");
    // Nothing else in cluster/ depends on the number of hosts either.
    let cluster: Vec<String> = changed(&before, &after).into_iter().filter(|p| p.starts_with("cluster/")).collect();
    assert!(cluster.is_empty(), "adding a host changed {cluster:?}");
}

#[test]
fn kubectl_kustomize_builds_every_object() {
    if Command::new("kubectl").arg("version").arg("--client").output().is_err() {
        skip("kubectl not installed (kustomize build not checked)");
        return;
    }
    for (name, site) in examples() {
        let (files, _) = compile(&site);
        let tmp = tempfile::tempdir().unwrap();
        for (p, b) in files.iter().filter(|(p, _)| p.starts_with("cluster/")) {
            let dest = tmp.path().join(p);
            fs::create_dir_all(dest.parent().unwrap()).unwrap();
            fs::write(dest, b).unwrap();
        }
        let out = Command::new("kubectl").arg("kustomize").arg(tmp.path().join("cluster")).output().unwrap();
        assert!(out.status.success(), "{name}: kubectl kustomize failed:\n{}", text(&out.stderr));
        let built = text(&out.stdout).lines().filter(|l| l.starts_with("kind: ")).count();
        assert_eq!(built, objects(&files).len(), "{name}: kustomize built a different number of objects");
    }
}

/// Without kubectl (CI has none), the same promise checked by hand: every
/// folder's kustomization.yaml lists exactly its resource files and the
/// subfolders that have a kustomization of their own, so `kubectl kustomize
/// cluster/` reaches every object once.
#[test]
fn kustomizations_list_exactly_their_folders() {
    for (name, site) in examples() {
        let (files, _) = compile(&site);
        let dirs: BTreeSet<String> = files
            .keys()
            .filter(|p| p.starts_with("cluster/") && p.ends_with("/kustomization.yaml"))
            .map(|p| p.trim_end_matches("/kustomization.yaml").to_string())
            .collect();
        assert!(dirs.contains("cluster"), "{name}: no cluster/kustomization.yaml");
        let mut reached = BTreeSet::new();
        for dir in &dirs {
            let k: Value = serde_norway::from_slice(&files[&format!("{dir}/kustomization.yaml")]).unwrap();
            let listed: BTreeSet<String> = k["resources"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r.as_str())
                .map(str::to_string)
                .collect();
            let mut present = BTreeSet::new();
            for path in files.keys().filter_map(|p| p.strip_prefix(&format!("{dir}/"))) {
                match path.split_once('/') {
                    Some((sub, _)) if dirs.contains(&format!("{dir}/{sub}")) => {
                        present.insert(sub.to_string());
                    }
                    None if path != "kustomization.yaml" => {
                        present.insert(path.to_string());
                        reached.insert(format!("{dir}/{path}"));
                    }
                    _ => {}
                }
            }
            assert_eq!(listed, present, "{name}: {dir}/kustomization.yaml does not list exactly its folder");
        }
        let all: BTreeSet<String> =
            files.keys().filter(|p| p.starts_with("cluster/") && !p.ends_with("kustomization.yaml")).cloned().collect();
        assert_eq!(reached, all, "{name}: some cluster/ files are in no kustomization");
    }
}

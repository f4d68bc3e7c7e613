//! Experiments run from Nauta's own template packs (site-examples/nauta-lab,
//! packs copied unchanged from ../shared/fixtures/realworld/nauta-packs):
//! - their values equal what Nauta's renderer makes of them, computed here
//!   with Jinja2 itself (python3-jinja2, PyYAML) and Nauta's documented
//!   rules (the fixtures' README), for arguments that YAML would retype;
//! - each is an Argo CD Application in its team's AppProject, or a Flux
//!   HelmRelease in its team's namespace, passing the CRD schemas;
//! - the chart is carried once per pack; removing an experiment removes
//!   exactly its files; the claims the packs mount exist in the team's
//!   namespace (tests/cluster.rs runs kubernetes-validate on them).

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use support::*;

type Files = BTreeMap<String, Vec<u8>>;

/// Nauta's template packs in the example, as the fixture folder names them.
const PACKS: [&str; 3] = ["jupyter", "tf-training-tfjob", "multinode-tf-training-tfjob"];
const REGISTRY: &str = "registry.lab007.nauta:5000";

fn lab() -> PathBuf {
    root().join("site-examples/nauta-lab")
}

fn compile(site: &Path) -> Files {
    let (checked, tree) = bosun::compile(site).expect("site readable");
    let diags: Vec<String> = checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
    tree.unwrap_or_else(|| panic!("{} does not compile:\n{}", site.display(), diags.join("\n"))).files
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out.sort();
    out
}

/// A copy of nauta-lab with `edit` applied to its site.kdl; keeps the tempdir alive.
fn lab_copy(edit: impl Fn(String) -> String) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    for f in walk(&lab()) {
        let dest = tmp.path().join(f.strip_prefix(lab()).unwrap());
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(&f, &dest).unwrap();
    }
    let site = tmp.path().join("site.kdl");
    let text = edit(fs::read_to_string(&site).unwrap());
    fs::write(&site, text).unwrap();
    (tmp, site)
}

fn yaml(files: &Files, path: &str) -> Value {
    let b = files.get(path).unwrap_or_else(|| panic!("no {path}"));
    serde_norway::from_str(&text(b)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[test]
fn the_example_packs_are_nautas_own_unchanged() {
    let fixtures = root().join("../shared/fixtures/realworld/nauta-packs");
    if !fixtures.is_dir() {
        skip("../shared/fixtures/realworld/nauta-packs not found (the copies are not compared)");
        return;
    }
    for pack in PACKS {
        let (ours, theirs) = (lab().join("packs").join(pack), fixtures.join(pack));
        let rel = |d: &Path| walk(d).iter().map(|f| f.strip_prefix(d).unwrap().to_path_buf()).collect::<Vec<_>>();
        assert_eq!(rel(&ours), rel(&theirs), "{pack}: other files");
        for f in rel(&theirs) {
            assert_eq!(fs::read(ours.join(&f)).unwrap(), fs::read(theirs.join(&f)).unwrap(), "{pack}/{}", f.display());
        }
    }
}

/// Arguments YAML would read as null, a map, a number, or a quoted string.
const ARGS: [&str; 6] = ["main.py", "#1", "a: b", "1e-3", "--lr=0.01", "it's \"quoted\""];

/// One experiment per fixture pack, with the table's arguments and parameters.
fn table_site(text: String) -> String {
    let kdl = |s: &str| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""));
    let args: Vec<String> = ARGS.iter().map(|a| kdl(a)).collect();
    let mut team = String::from("team \"table\" {\n    member \"john-doe\"\n");
    for pack in PACKS {
        team.push_str(&format!("    template-pack \"{pack}\"\n"));
    }
    for (i, pack) in PACKS.iter().enumerate() {
        team.push_str(&format!(
            "    experiment \"run-{i}\" {{\n        pack \"{pack}\"\n        owner \"john-doe\"\n        registry \"{REGISTRY}\"\n        command {}\n",
            args.join(" ")
        ));
        for (k, v) in PARAMETERS {
            team.push_str(&format!("        parameter {} {}\n", kdl(k), kdl(v)));
        }
        // One experiment sets OMP_NUM_THREADS itself: no second one is added.
        let env = if i == 0 { "env \"OMP_NUM_THREADS=2\"\n        " } else { "" };
        team.push_str(&format!("        {env}env \"DATA_DIR=/mnt/input/home/a=b\"\n    }}\n"));
    }
    team.push_str("}\n");
    format!("{text}\n{team}")
}

const PARAMETERS: [(&str, &str); 5] = [
    ("workersCount", "3"),
    ("pServersCount", "1"),
    ("tags", "['mnist', 'a: b', 3]"),
    ("service.enabled", "true"),
    ("resources.limits.cpu", "4"),
];

/// Nauta's `modify_values_yaml` as the fixtures' README describes it, in
/// Python with Jinja2: the template rendered with the NAUTA variables, read
/// with PyYAML, `-p` parameters applied by dotted path (`[`/`{` literal,
/// true/false booleans, else strings), podCount, then env variables. With
/// `quote`, CommandLine items are YAML double-quoted scalars (as bosun
/// passes them, so they stay strings); without it, the raw strings.
const ORACLE: &str = r#"
import ast, json, re, sys
import jinja2, yaml

def render(case):
    name, user, registry = case["name"], case["user"], case["registry"]
    image = f"{registry}/{user}/{name}:latest"
    args = [json.dumps(a) for a in case["command"]] if case["quote"] else case["command"]
    text = jinja2.Template(case["template"]).render(NAUTA={
        "ExperimentName": name, "CommandLine": args, "RegistryPort": registry.rsplit(":", 1)[1],
        "ExperimentImage": image, "ImageRepository": image})
    v = yaml.safe_load(text) or {}
    for key, value in case["parameters"]:
        if re.match(r"^\[.*|^\{.*", value):
            value = ast.literal_eval(value)
        elif value in ("true", "false"):
            value = value == "true"
        cur, segs = v, key.split(".")
        for s in segs[:-1]:
            cur = cur.setdefault(s, {})
        cur[segs[-1]] = value
    if v.get("workersCount") is not None:
        p = v.get("pServersCount")
        v["podCount"] = int(v["workersCount"]) + (int(p) if p is not None else 1)
    env = [dict(zip(("name", "value"), e.split("=", 1))) for e in case["env"]]
    if not any(e["name"] == "OMP_NUM_THREADS" for e in env):
        limit = lambda r: ((v.get(r) or {}).get("limits") or {}).get("cpu")
        cpu = next((c for c in (v.get("cpu"), v.get("worker_cpu"), limit("resources"), limit("worker_resources"))
                    if c is not None), None)
        if cpu is not None:
            env.append({"name": "OMP_NUM_THREADS", "value": str(cpu)})
    if env:
        def at(path):
            cur = v
            for s in path.split("."):
                if not isinstance(cur, dict) or s not in cur:
                    return None, False
                cur = cur[s]
            return cur, True
        targets = [t for t in ("env", "worker.env", "master.env") if at(t)[1] and isinstance(at(t)[0], (list, type(None)))]
        for t in targets or ["env"]:
            parent = v
            for s in t.split(".")[:-1]:
                parent = parent[s]
            parent[t.split(".")[-1]] = (parent.get(t.split(".")[-1]) or []) + env
    return v

print(json.dumps([render(c) for c in json.load(sys.stdin)]))
"#;

fn python() -> Command {
    let probe = Command::new("python3").args(["-c", "import jinja2, yaml"]).output();
    assert!(
        probe.as_ref().is_ok_and(|o| o.status.success()),
        "python3 with Jinja2 and PyYAML is needed: apt-get install -y python3-jinja2 python3-yaml"
    );
    Command::new("python3")
}

/// What Jinja2 and Nauta's rules make of each case.
fn oracle(cases: &[Value]) -> Vec<Value> {
    let mut child = python()
        .args(["-c", ORACLE])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(Value::Array(cases.to_vec()).to_string().as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "oracle failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn case(i: usize, pack: &str, quote: bool) -> Value {
    let template = fs::read_to_string(lab().join("packs").join(pack).join("charts/values.yaml")).unwrap();
    let env: Vec<&str> = if i == 0 { vec!["OMP_NUM_THREADS=2"] } else { vec![] };
    let env: Vec<&str> = env.into_iter().chain(["DATA_DIR=/mnt/input/home/a=b"]).collect();
    json!({
        "template": template, "name": format!("run-{i}"), "user": "john-doe", "registry": REGISTRY,
        "command": ARGS, "parameters": PARAMETERS, "env": env, "quote": quote,
    })
}

#[test]
fn every_fixture_pack_renders_as_jinja2_and_nautas_rules_would() {
    let (_tmp, site) = lab_copy(table_site);
    let files = compile(&site);
    let cases: Vec<Value> = PACKS.iter().enumerate().map(|(i, p)| case(i, p, true)).collect();
    let expected = oracle(&cases);
    for (i, pack) in PACKS.iter().enumerate() {
        let ours = yaml(&files, &format!("experiments/table/run-{i}/values.yaml"));
        assert_eq!(ours, expected[i], "{pack}: bosun's values differ from Jinja2 + Nauta's rules");
        assert_eq!(ours["experimentName"], format!("run-{i}"), "{pack}");
        assert_eq!(ours["image"]["clusterRepository"], format!("{REGISTRY}/john-doe/run-{i}:latest"), "{pack}");
        assert_eq!(ours["podCount"], 4, "{pack}: workersCount 3 + pServersCount 1");
        assert_eq!(ours["workersCount"], "3", "{pack}: a -p value stays the string typed");
        assert_eq!(ours["tags"], json!(["mnist", "a: b", 3]), "{pack}");
        assert_eq!(ours["service"]["enabled"], true, "{pack}");
        if ours.get("commandline").is_some() {
            // Every argument a string, exactly as written.
            assert_eq!(ours["commandline"]["args"], json!(ARGS), "{pack}");
        }
        let omp = ours["env"].as_array().unwrap().iter().filter(|e| e["name"] == "OMP_NUM_THREADS").count();
        assert_eq!(omp, 1, "{pack}: {}", ours["env"]);
    }
    // The oracle can tell: Nauta's raw CommandLine retypes the arguments
    // (`#1` → null, `a: b` → a map, `1e-3` stays text only in YAML 1.1).
    let raw = oracle(&[case(1, PACKS[1], false)]);
    let ours = yaml(&files, "experiments/table/run-1/values.yaml");
    assert_ne!(raw[0], ours, "unquoted arguments must read differently");
    assert_eq!(raw[0]["commandline"]["args"][1], Value::Null);
    assert!(raw[0]["commandline"]["args"][2].is_object());
}

/// The experiments of a tree: (team, experiment, pack).
fn experiments(site: &Path) -> Vec<(String, String, String, String)> {
    let checked = bosun::check(site).unwrap();
    let mut out = Vec::new();
    for t in &checked.site.teams {
        for e in &t.experiment {
            out.push((t.name.clone(), t.namespace().to_string(), e.name.clone(), e.pack.clone()));
        }
    }
    assert!(out.len() >= 3, "nauta-lab runs experiments on every fixture pack");
    out
}

fn gitops_path(files: &Files) -> String {
    let root = yaml(files, "gitops/apps/application-bosun-cluster.yaml");
    root["spec"]["source"]["path"].as_str().unwrap().trim_end_matches("/cluster").to_string()
}

#[test]
fn argo_cd_applications_sit_in_their_teams_project_and_namespace() {
    let site = lab().join("site.kdl");
    let files = compile(&site);
    let mut schemas = CrdSchemas::open();
    let base = gitops_path(&files);
    let used: BTreeSet<String> = experiments(&site).into_iter().map(|x| x.3).collect();
    assert_eq!(used, PACKS.iter().map(|p| p.to_string()).collect(), "every fixture pack is used");
    for (team, ns, name, pack) in experiments(&site) {
        let path = format!("gitops/apps/application-{team}.{name}.yaml");
        let app = yaml(&files, &path);
        assert_eq!(app["spec"]["project"], team.as_str(), "{path}");
        assert_eq!(app["spec"]["destination"]["namespace"], ns.as_str(), "{path}");
        assert_eq!(app["metadata"]["labels"]["runName"], name.as_str(), "{path}");
        let chart = &app["spec"]["sources"][0];
        assert_eq!(chart["path"], format!("{base}/packs/{pack}/chart"), "{path}");
        assert_eq!(chart["helm"]["releaseName"], name.as_str(), "{path}: runName is the release name");
        let values = format!("$values/{base}/experiments/{team}/{name}/values.yaml");
        assert_eq!(chart["helm"]["valueFiles"], json!([values]), "{path}");
        assert!(files.contains_key(&format!("experiments/{team}/{name}/values.yaml")));
        let project = yaml(&files, &format!("gitops/apps/appproject-{team}.yaml"));
        assert!(project["spec"]["destinations"].as_array().unwrap().iter().any(|d| d["namespace"] == ns.as_str()));
        if let Some(s) = schemas.as_mut() {
            assert_eq!(s.errors(&app).unwrap(), Vec::<String>::new(), "{path}");
        }
        // After every pack and cluster/: the CRDs and the claims are there.
        let wave = |v: &Value| {
            v["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"].as_str().unwrap().parse::<u32>().unwrap()
        };
        for (p, other) in files.iter().filter(|(p, _)| p.starts_with("gitops/apps/application-")) {
            let other: Value = serde_norway::from_str(&text(other)).unwrap();
            if other["metadata"]["labels"].get("runName").is_none() {
                assert!(wave(&app) > wave(&other), "{path} syncs before {p}");
            }
        }
        // A template pack is no Application of its own.
        assert!(!files.contains_key(&format!("gitops/apps/application-{pack}.yaml")), "{pack}");
    }
    if schemas.is_none() {
        skip("CRD schemas not found at ../shared/oracles/crds (Applications not checked)");
    }
}

#[test]
fn flux_helm_releases_sit_in_their_teams_namespace() {
    let (_tmp, site) = lab_copy(|t| t.replace("engine=\"argocd\"", "engine=\"flux\""));
    let files = compile(&site);
    let mut schemas = CrdSchemas::open();
    let index = yaml(&files, "gitops/kustomization.yaml");
    assert!(
        index["resources"].as_array().unwrap().iter().any(|r| r == "kustomizations/kustomization-experiments.yaml")
    );
    let ks = yaml(&files, "gitops/kustomizations/kustomization-experiments.yaml");
    assert_eq!(ks["spec"]["dependsOn"], json!([{"name": "cluster"}]), "claims and namespaces first");
    for (team, ns, name, pack) in experiments(&site) {
        let path = format!("gitops/experiments/{team}/helmrelease-{name}.yaml");
        let hr = yaml(&files, &path);
        assert_eq!(hr["metadata"]["namespace"], ns.as_str(), "{path}");
        assert_eq!(hr["spec"]["releaseName"], name.as_str(), "{path}");
        assert!(hr["spec"]["chart"]["spec"]["chart"].as_str().unwrap().ends_with(&format!("/packs/{pack}/chart")));
        assert_eq!(hr["spec"]["values"], yaml(&files, &format!("experiments/{team}/{name}/values.yaml")), "{path}");
        if let Some(s) = schemas.as_mut() {
            assert_eq!(s.errors(&hr).unwrap(), Vec::<String>::new(), "{path}");
            assert_eq!(s.errors(&ks).unwrap(), Vec::<String>::new());
        }
    }
}

#[test]
fn a_chart_is_carried_once_per_pack() {
    // A second experiment on tf-training-tfjob.
    let (_tmp, site) = lab_copy(|t| {
        t.replace(
            "    // Three workers and one parameter server",
            "    experiment \"mnist-again\" {\n        pack \"tf-training-tfjob\"\n        owner \"mei-chen\"\n        registry \"registry.lab007.nauta:5000\"\n    }\n    // Three workers and one parameter server",
        )
    });
    let files = compile(&site);
    let charts: Vec<&String> = files.keys().filter(|p| p.ends_with("/Chart.yaml")).collect();
    let expected: Vec<String> = {
        let mut v: Vec<String> = PACKS.iter().map(|p| format!("packs/{p}/chart/Chart.yaml")).collect();
        v.sort();
        v
    };
    assert_eq!(charts, expected.iter().collect::<Vec<_>>());
    for f in walk(&lab().join("packs/tf-training-tfjob/charts")) {
        let rel = f.strip_prefix(lab().join("packs/tf-training-tfjob/charts")).unwrap().to_string_lossy().into_owned();
        if rel == "values.yaml" {
            continue; // rendered per experiment
        }
        // The tree ends every text file with a newline.
        let source = fs::read_to_string(&f).unwrap();
        let carried = text(&files[&format!("packs/tf-training-tfjob/chart/{rel}")]);
        assert_eq!(carried.trim_end_matches('\n'), source.trim_end_matches('\n'), "{rel}");
    }
    let paths: BTreeSet<String> = ["mnist-single", "mnist-again"]
        .iter()
        .map(|n| {
            yaml(&files, &format!("gitops/apps/application-research.{n}.yaml"))["spec"]["sources"][0]["path"]
                .to_string()
        })
        .collect();
    assert_eq!(paths.len(), 1, "both experiments install the one chart: {paths:?}");
}

/// Files of `a` not in `b`, and files in both whose bytes differ.
fn difference(a: &Files, b: &Files) -> (BTreeSet<String>, BTreeSet<String>) {
    let gone = a.keys().filter(|k| !b.contains_key(*k)).cloned().collect();
    let changed = a.iter().filter(|(k, v)| b.get(*k).is_some_and(|w| w != *v)).map(|(k, _)| k.clone()).collect();
    (gone, changed)
}

#[test]
fn removing_an_experiment_removes_exactly_its_files() {
    let cut = |t: String| {
        let start = t.find("    experiment \"mnist-single\"").unwrap();
        let end = start + t[start..].find("\n    }\n").unwrap() + "\n    }\n".len();
        format!("{}{}", &t[..start], &t[end..])
    };
    for engine in ["argocd", "flux"] {
        let switch = move |t: String| t.replace("engine=\"argocd\"", &format!("engine=\"{engine}\""));
        let (_a, with) = lab_copy(switch);
        let (_b, without) = lab_copy(move |t| cut(switch(t)));
        let (before, after) = (compile(&with), compile(&without));
        let (gone, changed) = difference(&before, &after);
        let own = match engine {
            "argocd" => "gitops/apps/application-research.mnist-single.yaml",
            _ => "gitops/experiments/research/helmrelease-mnist-single.yaml",
        };
        let expected: BTreeSet<String> =
            [own, "experiments/research/mnist-single/values.yaml"].iter().map(|s| s.to_string()).collect();
        assert_eq!(gone, expected, "{engine}");
        let summary: BTreeSet<String> = ["MANIFEST", "README.md"].iter().map(|s| s.to_string()).collect();
        assert!(changed.is_subset(&summary), "{engine}: changed {changed:?}");
        assert!(after.keys().all(|k| before.contains_key(k)), "{engine}: nothing new");
    }
}

/// `claimName: X` lines of the fixture packs' templates.
fn claim_names() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for pack in PACKS {
        for f in walk(&lab().join("packs").join(pack).join("charts/templates")) {
            for line in fs::read_to_string(f).unwrap().lines() {
                if let Some(n) = line.trim().strip_prefix("claimName:") {
                    names.insert(n.trim().to_string());
                }
            }
        }
    }
    names
}

#[test]
fn the_claims_the_packs_mount_exist_in_the_teams_namespace() {
    let site = lab().join("site.kdl");
    let files = compile(&site);
    let names = claim_names();
    assert_eq!(names.len(), 4, "{names:?}");
    let teams: BTreeSet<(String, String)> = experiments(&site).into_iter().map(|x| (x.0, x.1)).collect();
    for (_team, ns) in &teams {
        for claim in &names {
            let pvc = yaml(&files, &format!("cluster/storage/persistentvolumeclaim-{ns}.{claim}.yaml"));
            assert_eq!(pvc["metadata"]["namespace"], ns.as_str());
            let pv_name = pvc["spec"]["volumeName"].as_str().unwrap();
            let pv = yaml(&files, &format!("cluster/storage/persistentvolume-{pv_name}.yaml"));
            let share = claim.split('-').next().unwrap();
            let want = format!("/data/nfs/{share}");
            assert_eq!(pv["spec"]["csi"]["volumeAttributes"]["share"], want.as_str(), "{ns}/{claim}");
            assert_eq!(pv["spec"]["claimRef"], json!({"name": claim, "namespace": ns}), "{ns}/{claim}");
        }
    }
    // A team without experiments gets none.
    assert!(!teams.iter().any(|t| t.0 == "speech"));
    assert!(!files.keys().any(|k| k.starts_with("cluster/storage/persistentvolumeclaim-speech.input-home")));
}

#[test]
fn a_crd_no_pack_provides_names_the_pack_that_could() {
    let (_tmp, site) = lab_copy(|t| t.replace("pack \"tf-operator\" source=\"packs/tf-operator\"\n", ""));
    let checked = bosun::check(&site).unwrap();
    let crd: Vec<_> = checked.diagnostics.iter().filter(|d| d.code.id == "bosun::template-pack::crd").collect();
    assert_eq!(crd.len(), 2, "one per TFJob template: {:?}", crd.iter().map(|d| &d.message).collect::<Vec<_>>());
    for d in crd {
        assert!(d.message.contains("TFJob") && d.message.contains("kubeflow.org"), "{}", d.message);
        assert!(d.help_text().contains("tf-operator"), "{}", d.help_text());
        let file = checked.sources.get(d.primary().unwrap().file).name.clone();
        assert!(file.ends_with("charts/templates/tfjob.yaml"), "{file}");
    }
}

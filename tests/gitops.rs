//! gitops/ of every example under both engines: every Argo CD and Flux
//! object passes its CRD schema (../shared/oracles/crds/), every pack that
//! uses a CRD syncs strictly after the pack providing it, and switching the
//! engine changes gitops/ and the summary files only.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::*;

type Files = BTreeMap<String, Vec<u8>>;

fn compile(site: &Path) -> Files {
    let (checked, tree) = bosun::compile(site).expect("site readable");
    let diags: Vec<String> = checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
    tree.unwrap_or_else(|| panic!("{} does not compile:\n{}", site.display(), diags.join("\n"))).files
}

fn engine_of(site: &Path) -> Option<&'static str> {
    let text = fs::read_to_string(site).unwrap();
    if text.contains("engine=\"flux\"") {
        Some("flux")
    } else if text.contains("engine=\"argocd\"") {
        Some("argocd")
    } else {
        None
    }
}

/// A copy of the example's folder with the other engine; keeps the tempdir alive.
fn switched(site: &Path) -> (tempfile::TempDir, PathBuf, &'static str) {
    let tmp = tempfile::tempdir().unwrap();
    let from = site.parent().unwrap();
    for entry in walk(from) {
        let rel = entry.strip_prefix(from).unwrap();
        let dest = tmp.path().join(rel);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(&entry, &dest).unwrap();
    }
    let copy = tmp.path().join("site.kdl");
    let text = fs::read_to_string(&copy).unwrap();
    let (text, engine) = match engine_of(site) {
        Some("flux") => (text.replace("engine=\"flux\"", "engine=\"argocd\""), "argocd"),
        _ => (text.replace("engine=\"argocd\"", "engine=\"flux\""), "flux"),
    };
    fs::write(&copy, text).unwrap();
    (tmp, copy, engine)
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() { out.extend(walk(&p)) } else { out.push(p) }
    }
    out
}

/// Every compiled tree with a gitops/ folder: (label, engine, files).
fn trees() -> Vec<(String, &'static str, Files)> {
    let mut out = Vec::new();
    for (name, site) in examples() {
        let Some(engine) = engine_of(&site) else { continue };
        out.push((name.clone(), engine, compile(&site)));
        let (_tmp, copy, other) = switched(&site);
        out.push((format!("{name} (engine={other})"), other, compile(&copy)));
    }
    assert!(out.iter().any(|t| t.1 == "argocd") && out.iter().any(|t| t.1 == "flux"), "both engines covered");
    out
}

fn gitops_objects(files: &Files) -> Vec<(String, Value)> {
    files
        .iter()
        .filter(|(p, _)| p.starts_with("gitops/") && p.as_str() != "gitops/kustomization.yaml")
        .map(|(p, b)| (p.clone(), serde_norway::from_str(&text(b)).unwrap_or_else(|e| panic!("{p}: not YAML: {e}"))))
        .collect()
}

#[test]
fn every_gitops_object_matches_its_crd_schema() {
    let Some(mut schemas) = CrdSchemas::open() else {
        skip("CRD schemas not found at ../shared/oracles/crds (gitops/ objects not checked)");
        return;
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for (name, _, files) in trees() {
        let objs = gitops_objects(&files);
        assert!(!objs.is_empty(), "{name}: no gitops/ objects");
        for (p, v) in objs {
            match schemas.errors(&v) {
                Ok(errs) => failures.extend(errs.into_iter().map(|e| format!("{name}/{p}: {e}"))),
                Err(e) => failures.push(format!("{name}/{p}: {e}")),
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "CRD schema errors:\n{}", failures.join("\n"));
    eprintln!("CRD schemas: {checked} gitops/ objects passed");
}

#[test]
fn switching_the_engine_changes_only_gitops_and_the_summary() {
    for (name, site) in examples() {
        if engine_of(&site).is_none() {
            continue;
        }
        let before = compile(&site);
        let (_tmp, copy, _) = switched(&site);
        let after = compile(&copy);
        let mut changed: Vec<&String> =
            before.keys().chain(after.keys()).filter(|p| before.get(*p) != after.get(*p)).collect();
        changed.dedup();
        // The first control-plane host's seed carries the bring-up, which
        // installs the engine (docs/bring-up.md).
        let checked = bosun::check(&site).unwrap();
        let plan = bosun::plan::plan(&checked.site).unwrap();
        let seed = format!("provisioning/cloud-init/{}/", plan.hosts[plan.kube.control_planes[0]].host.name);
        let bad: Vec<&&String> = changed
            .iter()
            .filter(|p| {
                !p.starts_with("gitops/") && !p.starts_with(&seed) && !["README.md", "MANIFEST"].contains(&p.as_str())
            })
            .collect();
        assert!(bad.is_empty(), "{name}: switching the engine changed {bad:?}");
        assert!(changed.iter().any(|p| p.starts_with("gitops/")), "{name}: gitops/ did not change");
    }
}

/// The order each engine syncs things in: pack (or `cluster`) → rank.
fn ranks(engine: &str, files: &Files) -> BTreeMap<String, i64> {
    let mut objs = gitops_objects(files);
    // Experiments sync after every pack (tests/experiments.rs checks it).
    objs.retain(|(_, v)| v["metadata"]["labels"].get("runName").is_none());
    let mut out = BTreeMap::new();
    if engine == "argocd" {
        for (_, v) in objs.iter().filter(|(p, _)| p.starts_with("gitops/apps/application-")) {
            let name = v["metadata"]["name"].as_str().unwrap();
            let wave = v["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"].as_str().unwrap_or("0");
            out.insert(name.to_string(), wave.parse().unwrap());
        }
        return out;
    }
    // Flux: a Kustomization ranks after everything it depends on.
    let deps: BTreeMap<String, Vec<String>> = objs
        .iter()
        .filter(|(_, v)| v["kind"] == "Kustomization")
        .map(|(_, v)| {
            let d = v["spec"]["dependsOn"]
                .as_array()
                .map(|a| a.iter().map(|x| x["name"].as_str().unwrap().to_string()).collect())
                .unwrap_or_default();
            (v["metadata"]["name"].as_str().unwrap().to_string(), d)
        })
        .collect();
    fn rank(k: &str, deps: &BTreeMap<String, Vec<String>>, depth: usize) -> i64 {
        assert!(depth < 100, "Kustomization dependency cycle at {k}");
        deps.get(k).map(|d| d.iter().map(|x| rank(x, deps, depth + 1) + 1).max().unwrap_or(0)).unwrap_or(0)
    }
    for (p, v) in &objs {
        if v["kind"] == "HelmRelease" {
            let layer = p.split('/').nth(2).unwrap();
            out.insert(v["metadata"]["name"].as_str().unwrap().to_string(), rank(layer, &deps, 0));
        }
    }
    out.insert(bosun::packs::CLUSTER.to_string(), rank("cluster", &deps, 0));
    out
}

fn crds(name: &str) -> (Vec<String>, Vec<String>) {
    let strings = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    if name == bosun::packs::CLUSTER {
        return (vec![], strings(bosun::packs::catalog::CLUSTER_USES_CRDS));
    }
    if let Some(p) = bosun::packs::builtin(name) {
        return (strings(p.provides_crds), strings(p.uses_crds));
    }
    // The examples' pack folders, as their pack.kdl describes them.
    let folder = examples().into_iter().find_map(|(_, site)| {
        let checked = bosun::check(&site).unwrap();
        bosun::packs::nodes(&checked.site).into_iter().find(|n| n.name == name)
    });
    let n = folder.unwrap_or_else(|| panic!("{name} is neither a built-in pack nor a pack folder of an example"));
    (n.provides_crds, n.uses_crds)
}

#[test]
fn crd_users_sync_strictly_after_providers() {
    let mut pairs = 0;
    for (name, engine, files) in trees() {
        let ranks = ranks(engine, &files);
        assert!(ranks.contains_key(bosun::packs::CLUSTER), "{name}: no cluster/ delivery");
        for (user, ur) in &ranks {
            for (provider, pr) in &ranks {
                let (provides, _) = crds(provider);
                let (_, uses) = crds(user);
                if user != provider && uses.iter().any(|g| provides.contains(g)) {
                    assert!(ur > pr, "{name}: {user} (rank {ur}) uses a CRD of {provider} (rank {pr})");
                    pairs += 1;
                }
            }
        }
    }
    assert!(pairs > 0, "no provider/user pairs in the examples");
    eprintln!("{pairs} CRD provider/user pairs ordered");
}

#[test]
fn argocd_pack_applications_take_values_from_the_site_repository() {
    for (name, engine, files) in trees() {
        if engine != "argocd" {
            continue;
        }
        for (p, v) in gitops_objects(&files) {
            let Some(sources) = v["spec"]["sources"].as_array() else { continue };
            if v["metadata"]["labels"].get("runName").is_some() {
                continue; // an experiment: values in experiments/ (tests/experiments.rs)
            }
            let file = sources[0]["helm"]["valueFiles"][0].as_str().unwrap();
            let rel = file.strip_prefix("$values/").unwrap();
            let pack = v["metadata"]["name"].as_str().unwrap();
            assert!(rel.ends_with(&format!("packs/{pack}/values.yaml")), "{name}/{p}: {file}");
            assert!(
                files.contains_key(&format!("packs/{pack}/values.yaml")),
                "{name}/{p}: no packs/{pack}/values.yaml"
            );
            assert_eq!(sources[1]["ref"], "values", "{name}/{p}");
        }
    }
}

#[test]
fn built_in_pack_values_parse_and_carry_the_site() {
    for (name, site) in examples() {
        let files = compile(&site);
        // A template pack's chart holds Helm templates, not values.
        for (p, b) in files.iter().filter(|(p, _)| p.starts_with("packs/") && !p.contains("/chart/")) {
            let v: Value = serde_norway::from_str(&text(b)).unwrap_or_else(|e| panic!("{name}/{p}: {e}"));
            assert!(v.is_object(), "{name}/{p}: values are not a map");
        }
        let checked = bosun::check(&site).unwrap();
        let k = checked.site.settings.as_ref().unwrap().kubernetes.as_ref().expect("a kubernetes block");
        let cni = bosun::packs::catalog::cni(k.cni);
        let values = text(&files[&format!("packs/{cni}/values.yaml")]);
        assert!(values.contains(&k.pod_subnet.to_string()), "{name}: packs/{cni} lacks the pod subnet");
        let has = |name: &str| checked.site.packs.iter().any(|p| p.name == name);
        if has("kube-prometheus-stack") && !checked.site.pools.is_empty() {
            let v = text(&files["packs/kube-prometheus-stack/values.yaml"]);
            for needle in ["DCGM_FI_DEV_XID_ERRORS", "DCGM_FI_DEV_GPU_TEMP", "gnetId: 12239"] {
                assert!(v.contains(needle), "{name}: kube-prometheus-stack values lack {needle}");
            }
        }
        if has("jupyterhub") {
            let v: Value = serde_norway::from_str(&text(&files["packs/jupyterhub/values.yaml"])).unwrap();
            let profiles = v["singleuser"]["profileList"].as_array().expect("profiles");
            assert_eq!(profiles.len(), checked.site.pools.len() + 1, "{name}: a profile per GPU pool, plus CPU only");
        }
        if has("argocd") {
            let v = text(&files["packs/argocd/values.yaml"]);
            assert!(v.contains("resource.customizations.health.argoproj.io_Application"), "{name}: argocd-cm health");
        }
    }
}

/// dgx-pod with a pack folder added (tests/ui/fixtures/packs/good), compiled
/// under `engine`.
fn with_pack_folder(engine: &str) -> Files {
    with_folder(
        engine,
        "good",
        "pack \"lab\" source=\"packs/lab\" {\n    set \"replicas\" value=2\n    values {\n        profile gpu=1\n    }\n}\n",
    )
}

/// dgx-pod under `engine` with tests/ui/fixtures/packs/<fixture> as packs/lab
/// and `pack` appended to the site.
fn with_folder(engine: &str, fixture: &str, pack: &str) -> Files {
    let site = root().join("site-examples/dgx-pod/site.kdl");
    let (tmp, copy, other) = switched(&site);
    let from = root().join("tests/ui/fixtures/packs").join(fixture);
    for f in walk(&from) {
        let dest = tmp.path().join("packs/lab").join(f.strip_prefix(&from).unwrap());
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::copy(&f, dest).unwrap();
    }
    let mut text = fs::read_to_string(&copy).unwrap();
    if other != engine {
        text = text.replace(&format!("engine=\"{other}\""), &format!("engine=\"{engine}\""));
    }
    text.push('\n');
    text.push_str(pack);
    fs::write(&copy, text).unwrap();
    compile(&copy)
}

#[test]
fn a_pack_folder_renders_its_values_and_installs_after_its_dependencies() {
    for engine in ["argocd", "flux"] {
        let files = with_pack_folder(engine);
        let values: Value = serde_norway::from_str(&text(&files["packs/lab/values.yaml"])).unwrap();
        assert_eq!(values["hub"]["replicas"], 2, "{engine}: {values}");
        assert_eq!(values["singleuser"]["gpus"], 1, "{engine}: {values}");
        let ranks = ranks(engine, &files);
        assert!(ranks["lab"] > ranks["kueue"], "{engine}: lab must wait for kueue: {ranks:?}");
        if let Some(mut schemas) = CrdSchemas::open() {
            for (p, v) in gitops_objects(&files) {
                assert_eq!(schemas.errors(&v).unwrap(), Vec::<String>::new(), "{engine}: {p}");
            }
        }
    }
}

#[test]
fn sync_options_reach_every_application() {
    let site = root().join("site-examples/dgx-pod/site.kdl");
    let (tmp, copy, _) = switched(&site);
    let text = fs::read_to_string(&copy).unwrap().replace("engine=\"flux\"", "engine=\"argocd\"").replace(
        "path=\"sites/dgx-pod\"",
        "path=\"sites/dgx-pod\" {\n        sync automated=#true prune=#false self-heal=#false\n    }",
    );
    fs::write(&copy, text).unwrap();
    let files = compile(&copy);
    let mut apps = 0;
    for (p, v) in gitops_objects(&files) {
        if v["kind"] == "Application" {
            assert_eq!(
                v["spec"]["syncPolicy"]["automated"],
                serde_json::json!({"prune": false, "selfHeal": false}),
                "{p}"
            );
            apps += 1;
        }
    }
    assert!(apps > 0);
    drop(tmp);
}

/// Dotted `set` path → the value there, if any.
fn at<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |cur, seg| cur.get(seg))
}

#[test]
fn set_from_names_the_secret_never_a_value() {
    let mut wired = 0;
    for (name, site) in examples() {
        let files = compile(&site);
        let checked = bosun::check(&site).unwrap();
        for pack in &checked.site.packs {
            let file = format!("packs/{}/values.yaml", pack.name);
            let raw = text(&files[&file]);
            let values: Value = serde_norway::from_str(&raw).unwrap();
            for set in pack.set.iter().filter(|s| s.from.is_some()) {
                let secret = checked.site.secrets.iter().find(|s| Some(&s.name) == set.from.as_ref()).unwrap();
                assert!(at(&values, &set.path).is_none(), "{name}/{file}: {} holds something", set.path);
                assert!(raw.contains(&format!(" {}\n", secret.name)), "{name}/{file}: does not name {}", secret.name);
                assert!(!raw.contains(&secret.path), "{name}/{file}: names the store path {}", secret.path);
                wired += 1;
            }
        }
        if name == "dgx-pod" {
            let v: Value = serde_norway::from_str(&text(&files["packs/kube-prometheus-stack/values.yaml"])).unwrap();
            let admin = &v["grafana"]["admin"];
            assert_eq!(admin["existingSecret"], "grafana-admin");
            assert_eq!(admin["passwordKey"], "admin-password");
            assert!(files.contains_key("cluster/secrets/externalsecret-monitoring.grafana-admin.yaml"));
        }
        if name == "research-commons" {
            let v: Value = serde_norway::from_str(&text(&files["packs/jupyterhub/values.yaml"])).unwrap();
            let var = "BOSUN_SECRET_CILOGONOAUTHENTICATOR_CLIENT_SECRET";
            assert_eq!(
                v["hub"]["extraEnv"][var]["valueFrom"]["secretKeyRef"],
                serde_json::json!({"name": "cilogon-client", "key": "client-secret"})
            );
            let code = v["hub"]["extraConfig"]["bosun-secrets"].as_str().unwrap();
            assert!(code.contains(&format!("c.CILogonOAuthenticator.client_secret = os.environ[\"{var}\"]")));
            assert!(files.contains_key("cluster/secrets/externalsecret-jupyterhub.cilogon-client.yaml"));
        }
    }
    assert!(wired >= 3, "the examples have {wired} `set … from=`");
    // A pack folder's template sees the Secret's name and key.
    let pack = "pack \"lab\" source=\"packs/lab\" {\n    set \"auth.password\" from=\"grafana-admin\"\n}\n";
    for engine in ["argocd", "flux"] {
        let files = with_folder(engine, "secret", pack);
        let raw = text(&files["packs/lab/values.yaml"]);
        let v: Value = serde_norway::from_str(&raw).unwrap();
        assert_eq!(v["auth"], serde_json::json!({"existingSecret": "grafana-admin", "passwordKey": "admin-password"}));
        assert!(!raw.contains("kv/"), "{engine}: {raw}");
        assert!(files.contains_key("cluster/secrets/externalsecret-web.grafana-admin.yaml"), "{engine}");
    }
}

/// An example with its site.kdl edited, compiled; keeps nothing on disk.
fn edited(example: &str, edit: impl Fn(String) -> String) -> Files {
    let site = root().join("site-examples").join(example).join("site.kdl");
    let (_tmp, copy, _) = switched(&site);
    let text = fs::read_to_string(&copy).unwrap();
    // Back to the example's own engine, then the edit.
    let text = match engine_of(&site) {
        Some("flux") => text.replace("engine=\"argocd\"", "engine=\"flux\""),
        _ => text.replace("engine=\"flux\"", "engine=\"argocd\""),
    };
    fs::write(&copy, edit(text)).unwrap();
    compile(&copy)
}

fn values_of(files: &Files, pack: &str) -> Value {
    let p = format!("packs/{pack}/values.yaml");
    serde_norway::from_str(&text(files.get(&p).unwrap_or_else(|| panic!("no {p}")))).unwrap()
}

fn cluster_objects(files: &Files, kind: &str) -> Vec<Value> {
    files
        .iter()
        .filter(|(p, _)| p.starts_with("cluster/") && !p.ends_with("kustomization.yaml"))
        .map(|(_, b)| serde_norway::from_str::<Value>(&text(b)).unwrap())
        .filter(|v| v["kind"] == kind)
        .collect()
}

/// The rook-ceph-cluster chart owns the CephCluster (its spec passes the CRD
/// schema), makes no pools of its own, and finds the operator where the
/// StorageClasses' provisioners say it is; cluster/ has the pools only.
fn check_rook_cluster(name: &str, files: &Files, operator_ns: &str, cluster_ns: &str) {
    let v = values_of(files, "rook-ceph-cluster");
    for key in ["cephBlockPools", "cephFileSystems", "cephObjectStores"] {
        assert_eq!(v[key], serde_json::json!([]), "{name}: {key}");
    }
    assert_eq!(v["operatorNamespace"], operator_ns, "{name}");
    assert_eq!(v["clusterName"], "rook", "{name}");
    assert!(
        cluster_objects(files, "CephCluster").is_empty(),
        "{name}: cluster/ and the chart both make the CephCluster"
    );
    let classes = cluster_objects(files, "StorageClass");
    let ceph: Vec<&Value> =
        classes.iter().filter(|c| c["provisioner"].as_str().unwrap().ends_with(".csi.ceph.com")).collect();
    assert!(!ceph.is_empty(), "{name}: no ceph StorageClass");
    for c in ceph {
        let prov = c["provisioner"].as_str().unwrap();
        assert!(prov.starts_with(&format!("{operator_ns}.")), "{name}: {prov} is not the operator's");
        assert_eq!(c["parameters"]["clusterID"], cluster_ns, "{name}: clusterID");
    }
    for kind in ["CephBlockPool", "CephFilesystem"] {
        let objs = cluster_objects(files, kind);
        assert_eq!(objs.len(), 1, "{name}: {kind} in cluster/");
        assert_eq!(objs[0]["metadata"]["namespace"], cluster_ns, "{name}: {kind} namespace");
    }
    if let Some(mut schemas) = CrdSchemas::open() {
        let cr = serde_json::json!({
            "apiVersion": "ceph.rook.io/v1",
            "kind": "CephCluster",
            "metadata": {"name": v["clusterName"], "namespace": cluster_ns},
            "spec": v["cephClusterSpec"],
        });
        assert_eq!(schemas.errors(&cr).unwrap(), Vec::<String>::new(), "{name}: cephClusterSpec");
    }
}

#[test]
fn rook_ceph_cluster_values_own_the_ceph_cluster_and_no_pools() {
    for example in ["dgx-pod", "research-commons"] {
        let files = compile(&root().join("site-examples").join(example).join("site.kdl"));
        check_rook_cluster(example, &files, "rook-ceph", "rook-ceph");
    }
    // Operator and cluster in namespaces of their own.
    let files = edited("dgx-pod", |t| {
        t.replace("pack \"rook-ceph\"\n", "pack \"rook-ceph\" {\n    namespace \"rook-op\"\n}\n")
            .replace("pack \"rook-ceph-cluster\"\n", "pack \"rook-ceph-cluster\" {\n    namespace \"ceph\"\n}\n")
    });
    check_rook_cluster("dgx-pod (own namespaces)", &files, "rook-op", "ceph");
}

#[test]
fn rook_ceph_operator_enables_the_drivers_the_classes_use() {
    let files = compile(&root().join("site-examples/dgx-pod/site.kdl"));
    let csi = &values_of(&files, "rook-ceph")["csi"];
    assert_eq!(csi["enableRbdDriver"], true);
    assert_eq!(csi["enableCephfsDriver"], true);
    // The GPU pools' taint is tolerated, so GPU pods can mount Ceph volumes.
    let tolerations = csi["pluginTolerations"].as_array().expect("pluginTolerations");
    assert!(tolerations.contains(&serde_json::json!({
        "key": "nvidia.com/gpu", "operator": "Equal", "value": "present", "effect": "NoSchedule"
    })));
    let files = edited("dgx-pod", |t| {
        t.replace("    class \"rook-cephfs\" backend=\"rook\" type=\"cephfs\" access=\"ReadWriteMany\"\n", "")
    });
    let csi = &values_of(&files, "rook-ceph")["csi"];
    assert_eq!(csi["enableRbdDriver"], true);
    assert_eq!(csi["enableCephfsDriver"], false, "no cephfs class, no CephFS driver");
    assert!(cluster_objects(&files, "CephFilesystem").is_empty());
}

#[test]
fn ingress_external_secrets_and_flux_values_follow_the_site() {
    for (name, site) in examples() {
        let files = compile(&site);
        let checked = bosun::check(&site).unwrap();
        let has = |p: &str| checked.site.packs.iter().any(|x| x.name == p);
        if has("ingress-nginx") {
            let c = &values_of(&files, "ingress-nginx")["controller"];
            assert_eq!(c["kind"], "DaemonSet", "{name}");
            assert_eq!(c["hostNetwork"], true, "{name}");
            assert_eq!(c["dnsPolicy"], "ClusterFirstWithHostNet", "{name}");
            assert_eq!(c["service"]["type"], "ClusterIP", "{name}: no LoadBalancer on bare metal");
            assert_eq!(c["nodeSelector"]["node-role.kubernetes.io/control-plane"], "", "{name}");
            assert_eq!(c["ingressClassResource"]["default"], true, "{name}");
        }
        if has("external-secrets") {
            assert_eq!(values_of(&files, "external-secrets")["installCRDs"], true, "{name}");
            assert!(files.keys().any(|p| p.starts_with("cluster/secrets/externalsecret-")), "{name}");
        }
        if has("flux") {
            let v = values_of(&files, "flux");
            assert_eq!(v["imageAutomationController"]["create"], false, "{name}");
            assert_eq!(v["imageReflectionController"]["create"], false, "{name}");
            for c in ["sourceController", "kustomizeController", "helmController"] {
                assert_ne!(v[c]["create"], false, "{name}: gitops/ needs the {c}");
            }
        }
    }
}

/// argocd-source-lint (PyPI), installed by .ci/run into target/venv, or at
/// $BOSUN_ARGOCD_SOURCE_LINT.
fn source_lint() -> PathBuf {
    let tool = std::env::var_os("BOSUN_ARGOCD_SOURCE_LINT")
        .map_or_else(|| root().join("target/venv/bin/argocd-source-lint"), PathBuf::from);
    assert!(
        tool.is_file(),
        "{} is missing: `python3 -m venv target/venv && target/venv/bin/pip install argocd-source-lint` (.ci/run does this)",
        tool.display()
    );
    tool
}

/// The site repository as Argo CD sees it: the compiled tree at the path
/// the `ref: values` source's `$values/…` files name, committed on the
/// revision the Applications track, with `origin` the repository URL they
/// name. Returns the Applications with several sources, by name.
fn site_repository(dir: &Path, files: &Files) -> Vec<String> {
    let mut multi = Vec::new();
    let mut place = None;
    for (_, app) in gitops_objects(files).into_iter().filter(|(_, v)| v["kind"] == "Application") {
        let Some(sources) = app["spec"]["sources"].as_array().filter(|s| s.len() > 1) else { continue };
        multi.push(app["metadata"]["name"].as_str().unwrap().to_string());
        let values = sources.iter().find(|s| s["ref"] == "values").expect("a `ref: values` source");
        let file = sources.iter().find_map(|s| s["helm"]["valueFiles"][0].as_str()).expect("a value file");
        // The folder the tree sits in: what is left of a value file's path
        // once the compiled file it names is taken off its end (a file the
        // tree lacks, as in the known-bad case, tells nothing).
        let file = file.strip_prefix("$values/").expect("a `$values/` path");
        let Some(prefix) = files.keys().find_map(|p| file.strip_suffix(p.as_str()).and_then(|f| f.strip_suffix('/')))
        else {
            continue;
        };
        let prefix = prefix.to_string();
        place = Some((
            prefix,
            values["repoURL"].as_str().unwrap().to_string(),
            values["targetRevision"].as_str().unwrap().to_string(),
        ));
    }
    let (prefix, url, revision) = place.expect("an Application with several sources");
    for (path, body) in files {
        let dest = dir.join(&prefix).join(path);
        fs::create_dir_all(dest.parent().unwrap()).unwrap();
        fs::write(dest, body).unwrap();
    }
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git")
            .args(["-c", "user.name=bosun", "-c", "user.email=bosun@localhost", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(dir)
            .output()
            .expect("git runs: install the Debian package git");
        assert!(out.status.success(), "git {args:?}: {}", text(&out.stderr));
    };
    git(&["init", "-q", "-b", &revision]);
    git(&["add", "-A"]);
    git(&["commit", "-q", "-m", "compiled site"]);
    git(&["remote", "add", "origin", &url]);
    multi
}

/// argocd-source-lint's findings on the repository, about the given
/// Applications, as `rule app: message`.
fn lint_findings(tool: &Path, dir: &Path, apps: &[String]) -> Vec<String> {
    let out = std::process::Command::new(tool).args(["-f", "json", "."]).current_dir(dir).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("argocd-source-lint printed no JSON ({e}):\n{}", text(&out.stderr)));
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["application"].as_str().is_some_and(|a| apps.iter().any(|x| x == a)))
        .map(|f| format!("{} {}: {}", f["rule_id"], f["application"], f["message"]))
        .collect()
}

#[test]
fn argocd_source_lint_passes_every_multi_source_application() {
    let tool = source_lint();
    let mut failures = Vec::new();
    let mut apps = 0;
    for (name, engine, files) in trees().into_iter().filter(|t| t.1 == "argocd") {
        let tmp = tempfile::tempdir().unwrap();
        let multi = site_repository(tmp.path(), &files);
        apps += multi.len();
        failures
            .extend(lint_findings(&tool, tmp.path(), &multi).into_iter().map(|f| format!("{name} ({engine}): {f}")));
    }
    assert!(apps > 5, "only {apps} multi-source Applications linted");
    assert!(failures.is_empty(), "argocd-source-lint:\n{}", failures.join("\n"));
    // Known bad: a values file the `$values` ref does not hold.
    let (_, _, mut files) = trees().into_iter().find(|t| t.1 == "argocd").unwrap();
    let victim = files.keys().find(|p| p.starts_with("packs/") && p.ends_with("/values.yaml")).unwrap().clone();
    files.remove(&victim);
    let tmp = tempfile::tempdir().unwrap();
    let multi = site_repository(tmp.path(), &files);
    let found = lint_findings(&tool, tmp.path(), &multi);
    assert!(found.iter().any(|f| f.contains("broken-values-ref")), "missing {victim} not reported: {found:?}");
}

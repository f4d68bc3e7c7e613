//! The pinned charts as consumers of packs/*/values.yaml. Helm ignores a key
//! no template reads, so every key path bosun writes, for every example under
//! both engines, must be one the pinned chart's defaults have
//! (../shared/oracles/charts/<pack>/values.yaml, or its values schema), or
//! sit under a map the chart leaves open ([`OPEN`], each with the template
//! that reads it), or, where the chart makes a custom resource from a
//! subtree ([`CR_SUBTREES`]), be a field of that resource's CRD schema.
//! Also the compatibility table of `bosun::packs::compat` against the same
//! oracle: each chart's `kubeVersion`, Rook's Ceph releases, Kueue's APIs.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use bosun::packs::compat::{CEPH_IMAGE, KUEUE_SERVED, ROOK_CEPH_RELEASES, ceph_major};
use serde_json::Value;
use support::*;

/// Maps the chart renders whole, so any key under them is read (a list is
/// one value, replaced whole, so only a values schema looks inside it):
/// (pack, dotted path, the template of the chart's repository at the pinned
/// tag that reads it; charts/SOURCES.md names repository and tag).
const OPEN: &[(&str, &str, &str)] = &[
    // `range $key, $value := .Values.configs.cm` into the argocd-cm ConfigMap.
    ("argocd", "configs.cm", "charts/argo-cd/templates/argocd-configs/argocd-cm.yaml"),
    ("docker-registry", "ingress.annotations", "templates/ingress.yaml"),
    ("ingress-nginx", "controller.nodeSelector", "charts/ingress-nginx/templates/controller-daemonset.yaml"),
    (
        "kube-prometheus-stack",
        "additionalPrometheusRulesMap",
        "charts/kube-prometheus-stack/templates/prometheus/additionalPrometheusRules.yaml",
    ),
    // The grafana subchart (grafana/helm-charts, charts/grafana at grafana-10.2.0).
    ("kube-prometheus-stack", "grafana.dashboardProviders", "charts/grafana/templates/configmap.yaml"),
    ("kube-prometheus-stack", "grafana.dashboards", "charts/grafana/templates/configmap.yaml"),
    ("kube-prometheus-stack", "grafana.env", "charts/grafana/templates/_pod.tpl"),
    ("kube-prometheus-stack", "grafana.sidecar.dashboards.env", "charts/grafana/templates/_pod.tpl"),
    ("kube-prometheus-stack", "grafana.sidecar.datasources.env", "charts/grafana/templates/_pod.tpl"),
];

/// Keys a template reads that the chart's defaults leave out:
/// (pack, dotted path, the template that reads it).
const UNDECLARED: &[(&str, &str, &str)] = &[
    // `nodePort: {{ .Values.service.nodePort }}` when `service.type` is NodePort.
    ("kube-prometheus-stack", "grafana.service.nodePort", "charts/grafana/templates/service.yaml"),
];

/// Subtrees the chart copies into a custom resource's spec: (pack, dotted
/// path, CRD file in the oracle's chart folder, kind).
const CR_SUBTREES: &[(&str, &str, &str, &str)] = &[
    ("calico", "installation", "calico/operator.tigera.io_installations_crd.yaml", "Installation"),
    ("rook-ceph-cluster", "cephClusterSpec", "rook-ceph-cluster/crds.yaml", "CephCluster"),
];

/// The Installation's `enabled` is the chart's switch, not a spec field.
const CR_CHART_KEYS: &[(&str, &str)] = &[("calico", "installation.enabled")];

fn oracle() -> Option<PathBuf> {
    let dir = root().join("../shared/oracles/charts");
    if dir.is_dir() {
        Some(dir)
    } else {
        skip("chart oracles not found at ../shared/oracles/charts (chart values not checked)");
        None
    }
}

fn yaml_docs(path: &Path) -> Vec<Value> {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::Deserializer::from_str(&text)
        .map(|d| serde::Deserialize::deserialize(d).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
        .collect()
}

fn yaml(path: &Path) -> Value {
    yaml_docs(path).into_iter().next().unwrap_or(Value::Null)
}

/// Deep merge, `from` over `into`.
fn merge(into: &mut Value, from: &Value) {
    match (into, from) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                merge(a.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
        (slot, v) => *slot = v.clone(),
    }
}

/// A pinned chart as the oracle has it: its defaults, and its values schema
/// where it ships one.
struct Chart {
    defaults: Value,
    schema: Option<Value>,
}

fn chart(dir: &Path, pack: &str) -> Chart {
    let d = dir.join(pack);
    let mut defaults = if d.join("values.yaml").is_file() {
        yaml(&d.join("values.yaml"))
    } else {
        // Cilium: only the ipam block (charts/SOURCES.md).
        yaml(&d.join("values.ipam-excerpt.yaml"))
    };
    // kube-prometheus-stack's `grafana.*` goes to its grafana subchart.
    let sub = d.join("subchart-grafana-values.yaml");
    if sub.is_file() {
        let mut grafana = yaml(&sub);
        merge(&mut grafana, &defaults["grafana"]);
        defaults["grafana"] = grafana;
    }
    let schema = if d.join("values.schema.json").is_file() {
        Some(serde_json::from_str(&fs::read_to_string(d.join("values.schema.json")).unwrap()).unwrap())
    } else if d.join("values.schema.yaml").is_file() {
        Some(yaml(&d.join("values.schema.yaml")))
    } else {
        None
    };
    Chart { defaults, schema }
}

/// The spec schema of `kind` in a CRD file (its storage version).
fn crd_spec(dir: &Path, file: &str, kind: &str) -> Value {
    let crd = yaml_docs(&dir.join(file))
        .into_iter()
        .find(|d| d["kind"] == "CustomResourceDefinition" && d["spec"]["names"]["kind"] == kind)
        .unwrap_or_else(|| panic!("{file}: no CRD of {kind}"));
    let versions = crd["spec"]["versions"].as_array().cloned().unwrap_or_default();
    let v = versions.iter().find(|v| v["storage"] == true).unwrap_or_else(|| panic!("{file}: no storage version"));
    v["schema"]["openAPIV3Schema"]["properties"]["spec"].clone()
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// The key paths of one pack's values that the pinned chart does not read.
fn unread(dir: &Path, pack: &str, values: &Value) -> Vec<String> {
    let c = chart(dir, pack);
    let mut out = Vec::new();
    walk(dir, pack, "", values, Some(&c.defaults), c.schema.as_ref(), &mut out);
    out
}

fn walk(dir: &Path, pack: &str, path: &str, v: &Value, d: Option<&Value>, s: Option<&Value>, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = join(path, k);
                if OPEN.iter().chain(UNDECLARED).any(|(pk, o, _)| *pk == pack && *o == p) {
                    continue;
                }
                if let Some((_, _, file, kind)) = CR_SUBTREES.iter().find(|(pk, o, _, _)| *pk == pack && *o == p) {
                    let spec = crd_spec(dir, file, kind);
                    walk_crd(pack, &p, child, &spec, out);
                    continue;
                }
                let dc = d.and_then(|d| d.get(k));
                let sc = s.and_then(|s| schema_child(s, k));
                if dc.is_none() && sc.is_none() {
                    if !s.is_some_and(schema_open) {
                        out.push(p);
                    }
                    continue;
                }
                walk(dir, pack, &p, child, dc, sc, out);
            }
        }
        Value::Array(items) => {
            if let Some(is) = s.and_then(|s| s.get("items")) {
                for (i, it) in items.iter().enumerate() {
                    walk(dir, pack, &format!("{path}[{i}]"), it, None, Some(is), out);
                }
            }
        }
        _ => {}
    }
}

/// A values schema's node for `key`: a declared property, or what
/// `additionalProperties` says of every other key.
fn schema_child<'a>(s: &'a Value, key: &str) -> Option<&'a Value> {
    let pattern = || {
        s.get("patternProperties")?
            .as_object()?
            .iter()
            .find_map(|(re, sub)| regex::Regex::new(re).is_ok_and(|r| r.is_match(key)).then_some(sub))
    };
    s.get("properties")
        .and_then(|p| p.get(key))
        .or_else(pattern)
        .or_else(|| s.get("additionalProperties").filter(|a| a.is_object()))
}

/// A schema node that takes keys it does not list: `additionalProperties`
/// true, or an object with no properties declared at all.
fn schema_open(s: &Value) -> bool {
    match s.get("additionalProperties") {
        Some(Value::Bool(b)) => *b,
        Some(Value::Object(_)) => true,
        _ => s.get("properties").is_none() && s.get("patternProperties").is_none(),
    }
}

fn walk_crd(pack: &str, path: &str, v: &Value, s: &Value, out: &mut Vec<String>) {
    if s.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true)) {
        return;
    }
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let p = join(path, k);
                if CR_CHART_KEYS.contains(&(pack, p.as_str())) {
                    continue;
                }
                match (s.get("properties").and_then(|pr| pr.get(k)), s.get("additionalProperties")) {
                    (Some(cs), _) => walk_crd(pack, &p, child, cs, out),
                    (None, Some(Value::Bool(true))) => {}
                    (None, Some(a @ Value::Object(_))) => walk_crd(pack, &p, child, a, out),
                    _ => out.push(p),
                }
            }
        }
        Value::Array(items) => {
            if let Some(is) = s.get("items") {
                for (i, it) in items.iter().enumerate() {
                    walk_crd(pack, &format!("{path}[{i}]"), it, is, out);
                }
            }
        }
        _ => {}
    }
}

type Files = BTreeMap<String, Vec<u8>>;

fn compile(site: &Path) -> Files {
    let (checked, tree) = bosun::compile(site).expect("site readable");
    let diags: Vec<String> = checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
    tree.unwrap_or_else(|| panic!("{} does not compile:\n{}", site.display(), diags.join("\n"))).files
}

/// Every example compiled with its engine, and with the other one (a copy of
/// its folder with the engine switched); examples without GitOps once.
fn trees() -> Vec<(String, Files)> {
    let mut out = Vec::new();
    for (name, site) in examples() {
        out.push((name.clone(), compile(&site)));
        let text = fs::read_to_string(&site).unwrap();
        let switched = if text.contains("engine=\"flux\"") {
            text.replace("engine=\"flux\"", "engine=\"argocd\"")
        } else if text.contains("engine=\"argocd\"") {
            text.replace("engine=\"argocd\"", "engine=\"flux\"")
        } else {
            continue;
        };
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(site.parent().unwrap(), tmp.path());
        fs::write(tmp.path().join("site.kdl"), &switched).unwrap();
        let other = if switched.contains("engine=\"flux\"") { "flux" } else { "argocd" };
        out.push((format!("{name} (engine={other})"), compile(&tmp.path().join("site.kdl"))));
    }
    out
}

fn copy_dir(from: &Path, to: &Path) {
    for e in fs::read_dir(from).unwrap().filter_map(Result::ok) {
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            fs::create_dir_all(&dest).unwrap();
            copy_dir(&e.path(), &dest);
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// (pack, values) of every packs/<pack>/values.yaml of a built-in pack.
fn pack_values(files: &Files) -> Vec<(String, Value)> {
    files
        .iter()
        .filter_map(|(p, b)| {
            let pack = p.strip_prefix("packs/")?.strip_suffix("/values.yaml")?;
            (!pack.contains('/') && bosun::packs::builtin(pack).is_some())
                .then(|| (pack.to_string(), serde_norway::from_str(&text(b)).unwrap()))
        })
        .collect()
}

#[test]
fn every_key_bosun_sets_is_read_by_the_pinned_chart() {
    let Some(dir) = oracle() else { return };
    let mut failures = Vec::new();
    let mut checked = 0;
    for (label, files) in trees() {
        for (pack, values) in pack_values(&files) {
            checked += 1;
            for p in unread(&dir, &pack, &values) {
                failures.push(format!(
                    "{label}: packs/{pack}/values.yaml: `{p}` is read by no template of the pinned chart"
                ));
            }
        }
    }
    assert!(checked > 20, "only {checked} values files checked");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_misspelled_key_is_caught() {
    let Some(dir) = oracle() else { return };
    let good = serde_json::json!({"controller": {"kind": "DaemonSet", "hostNetwork": true}});
    assert_eq!(unread(&dir, "ingress-nginx", &good), Vec::<String>::new());
    let bad = serde_json::json!({"controller": {"kind": "DaemonSet", "hostNetwrok": true}});
    assert_eq!(unread(&dir, "ingress-nginx", &bad), ["controller.hostNetwrok"]);
    // Inside a CR subtree the CRD's schema decides.
    let cr = serde_json::json!({"cephClusterSpec": {"mon": {"count": 3, "allowMultiplePerNod": false}}});
    assert_eq!(unread(&dir, "rook-ceph-cluster", &cr), ["cephClusterSpec.mon.allowMultiplePerNod"]);
    // Under an open map any key goes; beside it, not.
    let open = serde_json::json!({"grafana": {"env": {"ANY": "x"}, "envv": {"ANY": "x"}}});
    assert_eq!(unread(&dir, "kube-prometheus-stack", &open), ["grafana.envv"]);
    // A values schema counts as the chart's word.
    let schema = serde_json::json!({"installCRDs": true, "instalCRDs": true});
    assert_eq!(unread(&dir, "external-secrets", &schema), ["instalCRDs"]);
}

#[test]
fn open_maps_and_cr_subtrees_are_maps_of_the_chart() {
    let Some(dir) = oracle() else { return };
    for (pack, path, template) in OPEN {
        assert!(!template.is_empty());
        let c = chart(&dir, pack);
        let ptr = format!("/{}", path.replace('.', "/"));
        let d = c.defaults.pointer(&ptr);
        assert!(d.is_some_and(Value::is_object), "{pack}: `{path}` is no map in the chart's defaults ({d:?})");
    }
    for (pack, path, template) in UNDECLARED {
        assert!(!template.is_empty());
        let ptr = format!("/{}", path.replace('.', "/"));
        assert!(chart(&dir, pack).defaults.pointer(&ptr).is_none(), "{pack}: `{path}` is in the defaults now");
    }
    for (pack, path, file, kind) in CR_SUBTREES {
        assert!(chart(&dir, pack).defaults.get(path).is_some_and(Value::is_object), "{pack}: no `{path}`");
        assert!(crd_spec(&dir, file, kind).get("properties").is_some(), "{file}: {kind} spec has no properties");
    }
}

/// `kubeVersion: ">=1.25.0-0"` → `>=1.25.0-0`.
fn kube_version(chart_yaml: &Path) -> Option<String> {
    yaml(chart_yaml).get("kubeVersion").and_then(Value::as_str).map(str::to_string)
}

#[test]
fn catalog_kube_versions_are_the_charts_own() {
    let Some(dir) = oracle() else { return };
    for p in bosun::packs::BUILTIN {
        let file = dir.join(p.name).join("Chart.yaml");
        if !file.is_file() {
            skip(&format!("{}: no Chart.yaml in the oracle folder (kubeVersion not checked)", p.name));
            continue;
        }
        assert_eq!(
            p.kube_version.map(str::to_string),
            kube_version(&file),
            "{}: catalog vs {}",
            p.name,
            file.display()
        );
    }
}

#[test]
fn rook_runs_the_ceph_release_bosun_asks_for() {
    let Some(dir) = oracle() else { return };
    let values = fs::read_to_string(dir.join("rook-ceph-cluster/values.yaml")).unwrap();
    // Rook's own statement of the releases it supports, at the pinned tag.
    let names: Vec<&str> = ROOK_CEPH_RELEASES.iter().map(|(_, n)| *n).collect();
    let statement = format!("Currently {} are supported.", names.join(" and "));
    assert!(values.contains(&statement), "rook-ceph-cluster/values.yaml no longer says {statement:?}");
    let default = yaml(&dir.join("rook-ceph-cluster/values.yaml"));
    assert_eq!(default["cephClusterSpec"]["cephVersion"]["allowUnsupported"], false);
    let major = |image: &str| ceph_major(image).unwrap_or_else(|| panic!("{image}: no release"));
    let supported = |m: u32| ROOK_CEPH_RELEASES.iter().any(|(r, _)| *r == m);
    assert!(supported(major(default["cephClusterSpec"]["cephVersion"]["image"].as_str().unwrap())));
    assert!(supported(major(CEPH_IMAGE)));
    let mut seen = 0;
    for (label, files) in trees() {
        for (path, body) in files.iter().filter(|(p, _)| p.ends_with(".yaml")) {
            for line in text(body).lines().filter(|l| l.contains("quay.io/ceph/ceph")) {
                let image = line.split_whitespace().last().unwrap();
                assert!(supported(major(image)), "{label}: {path}: Rook does not run {image}");
                seen += 1;
            }
        }
    }
    assert!(seen > 0, "no example runs Ceph");
}

#[test]
fn kueue_objects_use_an_api_the_pinned_chart_serves() {
    let crds = root().join("../shared/oracles/crds/kueue.x-k8s.io");
    if !crds.is_dir() {
        skip("Kueue CRDs not found at ../shared/oracles/crds (Kueue APIs not checked)");
        return;
    }
    for api in KUEUE_SERVED {
        let version = api.rsplit('/').next().unwrap();
        for kind in ["clusterqueue", "localqueue", "resourceflavor"] {
            let f = crds.join(format!("{kind}_{version}.json"));
            assert!(f.is_file(), "{api} is not served by the pinned Kueue: no {}", f.display());
        }
    }
    let mut seen = 0;
    for (label, files) in trees() {
        for (path, body) in files.iter().filter(|(p, _)| p.starts_with("cluster/")) {
            for line in text(body).lines().filter(|l| l.starts_with("apiVersion: kueue.x-k8s.io/")) {
                let api = line.trim_start_matches("apiVersion: ");
                assert!(KUEUE_SERVED.contains(&api), "{label}: {path}: {api} is not served by the pinned Kueue");
                seen += 1;
            }
        }
    }
    assert!(seen > 0, "no example writes Kueue objects");
}

//! kubeadm configuration: the v1beta3/v1beta4 golden cases, a strict
//! round-trip of every generated document, the "site setting → field" table
//! of docs/kubernetes.md against nauta-lab, and no join secret anywhere.
//! `BOSUN_BLESS=1 cargo test --test kubeadm` rewrites the expected files.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use bosun::plan::kubeadm::types::Document;
use regex::Regex;
use serde::Deserialize;
use serde_json::Value;
use support::*;

fn files_of(dir: &Path) -> BTreeMap<String, String> {
    read_tree(dir).into_iter().map(|(path, bytes)| (path, text(&bytes))).collect()
}

fn compile(site: &Path) -> BTreeMap<String, String> {
    let (checked, tree) = bosun::compile(site).expect("site readable");
    let codes: Vec<_> = checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
    let tree = tree.unwrap_or_else(|| panic!("{} does not compile:\n{}", site.display(), codes.join("\n")));
    tree.files.into_iter().map(|(p, b)| (p, text(&b))).collect()
}

fn cases() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(root().join("tests/golden-kubernetes"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("site.kdl").is_file())
        .collect();
    v.sort();
    v
}

fn yaml_documents(text: &str) -> Vec<Value> {
    serde_norway::Deserializer::from_str(text).map(|d| Value::deserialize(d).expect("valid YAML")).collect()
}

#[test]
fn kubernetes_cases_match_their_expected_files() {
    assert_eq!(cases().len(), 2, "the v1beta3 and v1beta4 cases");
    let mut failures = Vec::new();
    for case in cases() {
        let files: BTreeMap<String, String> = compile(&case.join("site.kdl"))
            .into_iter()
            .filter(|(p, _)| p.starts_with("kubeadm/") || p.starts_with("packs/"))
            .collect();
        let expected_dir = case.join("expected");
        if blessing() {
            let _ = fs::remove_dir_all(&expected_dir);
            for (p, t) in &files {
                let path = expected_dir.join(p);
                fs::create_dir_all(path.parent().unwrap()).unwrap();
                fs::write(path, t).unwrap();
            }
            continue;
        }
        let expected = files_of(&expected_dir);
        if expected != files {
            for (p, t) in &files {
                let old = expected.get(p).map(String::as_str).unwrap_or_default();
                if old != t {
                    let diff =
                        similar::TextDiff::from_lines(old, t).unified_diff().header("expected", "compiled").to_string();
                    failures.push(format!("{}: {p} differs (BOSUN_BLESS=1 to accept):\n{diff}", case.display()));
                }
            }
            for p in expected.keys().filter(|p| !files.contains_key(*p)) {
                failures.push(format!("{}: {p} is no longer produced", case.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Across the v1beta3/v1beta4 boundary the API version and the extraArgs
/// shape switch, and the timeout fields move.
#[test]
fn the_kubernetes_version_picks_the_kubeadm_api() {
    for (case, api) in [("v1beta3", "kubeadm.k8s.io/v1beta3"), ("v1beta4", "kubeadm.k8s.io/v1beta4")] {
        let files = compile(&root().join("tests/golden-kubernetes").join(case).join("site.kdl"));
        let v4 = case == "v1beta4";
        let mut kinds = 0;
        for (path, text) in files.iter().filter(|(p, _)| p.starts_with("kubeadm/")) {
            for doc in yaml_documents(text) {
                let kind = doc["kind"].as_str().unwrap_or_default();
                if !kind.ends_with("Configuration") || kind.starts_with("Kube") {
                    continue;
                }
                kinds += 1;
                assert_eq!(doc["apiVersion"], api, "{case}/{path} {kind}");
                let args = [&doc["apiServer"]["extraArgs"], &doc["nodeRegistration"]["kubeletExtraArgs"]];
                for a in args.into_iter().filter(|a| !a.is_null()) {
                    assert_eq!(a.is_array(), v4, "{case}/{path} {kind}: extraArgs shape {a}");
                    assert_eq!(a.is_object(), !v4, "{case}/{path} {kind}: extraArgs shape {a}");
                }
                if kind == "ClusterConfiguration" {
                    assert_eq!(doc["apiServer"]["timeoutForControlPlane"].is_null(), v4, "{case}/{path}");
                }
                if kind == "JoinConfiguration" {
                    assert_eq!(doc["discovery"]["timeout"].is_null(), v4, "{case}/{path}");
                }
                if kind != "ClusterConfiguration" {
                    assert_eq!(doc["timeouts"].is_object(), v4, "{case}/{path} {kind}: timeouts");
                }
            }
        }
        assert!(kinds >= 5, "{case}: only {kinds} kubeadm documents");
    }
}

fn all_kubeadm_files() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, site) in examples() {
        out.extend(
            compile(&site)
                .into_iter()
                .filter(|(p, _)| p.starts_with("kubeadm/"))
                .map(|(p, t)| (format!("{name}/{p}"), t)),
        );
    }
    for case in cases() {
        let files = compile(&case.join("site.kdl"));
        out.extend(
            files
                .into_iter()
                .filter(|(p, _)| p.starts_with("kubeadm/"))
                .map(|(p, t)| (format!("{}/{p}", case.display()), t)),
        );
    }
    out
}

#[test]
fn every_kubeadm_document_round_trips_through_the_strict_types() {
    let files = all_kubeadm_files();
    assert!(files.len() > 20, "expected the kubeadm files of every example");
    for (path, text) in files {
        let docs = yaml_documents(&text);
        assert!(docs.len() == 3 || docs.len() == 4, "{path}: {} documents", docs.len());
        for doc in docs {
            let typed = Document::from_value(doc.clone()).unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(typed.to_value().unwrap(), doc, "{path}: the document does not round-trip");
        }
    }
}

/// cloud-init delivers exactly the file `kubeadm/<host>.yaml`.
#[test]
fn seeds_deliver_the_kubeadm_file_unchanged() {
    fn find<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
        match v {
            Value::Object(m) if m.get("path").and_then(Value::as_str) == Some(path) => m.get("content"),
            Value::Object(m) => m.values().find_map(|x| find(x, path)),
            Value::Array(a) => a.iter().find_map(|x| find(x, path)),
            _ => None,
        }
    }
    for (name, site) in examples() {
        let files = compile(&site);
        for (path, config) in files.iter().filter(|(p, _)| p.starts_with("kubeadm/")) {
            let host = path.trim_start_matches("kubeadm/").trim_end_matches(".yaml");
            let seed = &files[&format!("provisioning/cloud-init/{host}/user-data")];
            let doc: Value = serde_norway::from_str(seed).unwrap();
            let delivered = find(&doc, bosun::render::KUBEADM_CONFIG_PATH).and_then(Value::as_str);
            assert_eq!(delivered, Some(config.as_str()), "{name}/{host}");
        }
    }
}

/// Token-, hash- and key-shaped strings and passwords, in every compiled tree.
#[test]
fn no_join_secret_or_password_in_any_compiled_tree() {
    let shapes = [
        ("a bootstrap token", Regex::new(r"\b[a-z0-9]{6}\.[a-z0-9]{16}\b").unwrap()),
        ("a CA certificate hash", Regex::new(r"sha256:[a-fA-F0-9]{64}").unwrap()),
        ("a certificate key", Regex::new(r"(?i)(certificate.?key|BOSUN_CERTIFICATE_KEY)\W+[a-f0-9]{64}").unwrap()),
        ("a password", Regex::new(r"(?i)\b(password|passwd)\b['\x22]?\s*[:=]\s*['\x22]?[^\s'\x22@]{4,}").unwrap()),
    ];
    let mut trees: Vec<PathBuf> =
        fs::read_dir(root().join("golden")).unwrap().filter_map(Result::ok).map(|e| e.path()).collect();
    trees.extend(cases().into_iter().map(|c| c.join("expected")));
    let mut scanned = 0;
    for tree in trees {
        let files = files_of(&tree);
        // The site digest (MANIFEST, README) is a SHA-256 of the model, not a CA hash.
        let digest = files.get("MANIFEST").and_then(|m| m.lines().find_map(|l| l.strip_prefix("# site-digest: ")));
        let digest = digest.unwrap_or("no digest").to_string();
        // The hash of the site's own CA certificate (public) is compiled in.
        let ca = tree.file_name().map(|n| root().join("site-examples").join(n).join("pki/ca.crt"));
        let ca = ca.and_then(|p| fs::read_to_string(p).ok()).map(|pem| bosun::model::ca::spki_sha256(&pem).unwrap());
        let ca = ca.unwrap_or_else(|| "no CA".to_string());
        for (path, text) in &files {
            scanned += 1;
            for line in text.lines() {
                let line = line.replace(&digest, "site-digest").replace(&ca, "site-ca");
                let line = line.as_str();
                for (what, re) in &shapes {
                    assert!(!re.is_match(line), "{}/{path}: {what}: {line}", tree.display());
                }
                for word in line.split(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
                    let shape = bosun::lint::secrets::credential_shape(word);
                    assert!(shape.is_none(), "{}/{path}: {shape:?}: {line}", tree.display());
                }
            }
        }
    }
    assert!(scanned > 50, "scanned only {scanned} files");
    // The scan would see them.
    assert!(shapes[0].1.is_match("token: abcdef.0123456789abcdef"));
    assert!(shapes[1].1.is_match(&format!("- sha256:{}", "ab".repeat(32))));
    assert!(shapes[2].1.is_match(&format!("certificateKey: {}", "0f".repeat(32))));
    assert!(shapes[3].1.is_match("password: hunter22") && !shapes[3].1.is_match("lock_passwd: true"));
}

/// Every row of docs/kubernetes.md's table holds for nauta-lab.
#[test]
fn nauta_lab_settings_reach_their_documented_fields() {
    let doc = fs::read_to_string(root().join("docs/kubernetes.md")).unwrap();
    let table = doc.split("## Site setting → field").nth(1).expect("the table section");
    let files = files_of(&root().join("golden/nauta-lab"));
    let mut rows = 0;
    for line in table.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| site setting")) {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").map(str::trim).collect();
        let [setting, host, document, field, expected] = cells[..] else { panic!("bad row: {line}") };
        let field = field.trim_matches('`');
        let expected = expected.trim_matches('`');
        let value = if document.contains('/') {
            yaml_documents(&files[document]).into_iter().next().unwrap()
        } else {
            let file = files.get(&format!("kubeadm/{host}.yaml")).unwrap_or_else(|| panic!("no file for {host}"));
            yaml_documents(file)
                .into_iter()
                .find(|d| d["kind"] == document)
                .unwrap_or_else(|| panic!("{line}: no {document}"))
        };
        let found = walk(&value, field);
        let ok = match (expected, found) {
            ("absent", f) => f.is_none(),
            ("[]", Some(Value::Array(a))) => a.is_empty(),
            (_, Some(Value::Array(a))) => a.iter().any(|x| scalar(x) == expected),
            (_, Some(f)) => scalar(f) == expected,
            (_, None) => false,
        };
        assert!(ok, "{setting}: {host} {document} {field} is {found:?}, the table says {expected}");
        rows += 1;
    }
    assert!(rows >= 30, "only {rows} rows");
}

fn walk<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = v;
    for seg in path.split('.') {
        let (key, pick) = match seg.split_once('[') {
            Some((k, rest)) => (k, Some(rest.trim_end_matches(']'))),
            None => (seg, None),
        };
        cur = match (cur, key.parse::<usize>()) {
            (Value::Array(a), Ok(i)) => a.get(i)?,
            _ => cur.get(key)?,
        };
        if let Some(name) = pick {
            cur = match cur {
                Value::Array(a) => a.iter().find(|x| x["name"] == name).map(|x| &x["value"])?,
                Value::Object(m) => m.get(name)?,
                _ => return None,
            };
        }
    }
    Some(cur)
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Object(m) if m.contains_key("effect") => {
            let value = m.get("value").and_then(Value::as_str).map(|v| format!("={v}")).unwrap_or_default();
            format!("{}{value}:{}", m["key"].as_str().unwrap_or_default(), m["effect"].as_str().unwrap_or_default())
        }
        other => other.to_string(),
    }
}

//! Helpers shared by the test suites.
#![allow(dead_code)]

pub mod command;
pub mod mutate;
pub mod netns;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root (the suites run from compiler/).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("compiler/ has a parent").to_path_buf()
}

/// `BOSUN_BLESS=1` rewrites expected outputs instead of comparing.
pub fn blessing() -> bool {
    std::env::var_os("BOSUN_BLESS").is_some_and(|v| v != "0")
}

/// Runs the real binary in `dir` with no colour.
pub fn bosun(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("bosun binary runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every site example: (name, path of its site.kdl).
pub fn examples() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(root().join("site-examples"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.join("site.kdl").is_file())
                .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), p.join("site.kdl")))
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Every file of a compiled tree (relative path → bytes), the writer's own
/// scratch files left out; empty when the folder does not exist.
pub fn read_tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    if !dir.exists() {
        return Default::default();
    }
    bosun::review::read_dir(dir).expect("tree readable")
}

/// Entries of `dir` (by file name) that are not among `known`: golden
/// files or trees whose case is gone.
pub fn dangling(dir: &Path, known: &[String]) -> Vec<String> {
    let entries: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    entries.into_iter().filter(|e| !known.contains(e)).collect()
}

/// Says on the real stderr (not captured by the test harness) that a check
/// did not run and why, so a skip is never silent.
pub fn skip(why: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "SKIPPED: {why}");
}

/// Loads each file with PyYAML (a YAML 1.1 reader, `safe_load_all`) in one
/// python3 run and asserts it reads the same as with serde_norway (YAML 1.2).
/// `files` are (label, path on disk, content).
pub fn assert_same_in_pyyaml(files: &[(String, PathBuf, String)]) {
    const PYYAML: &str = r#"
import json, sys
try:
    import yaml
except ImportError:
    sys.exit(3)
docs = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as f:
        docs.append(list(yaml.safe_load_all(f)))
json.dump(docs, sys.stdout, default=lambda o: {"not JSON": repr(o)})
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(PYYAML)
        .args(files.iter().map(|(_, p, _)| p))
        .output()
        .expect("python3 runs: install the Debian package python3");
    assert_ne!(out.status.code(), Some(3), "PyYAML is missing: install the Debian package python3-yaml");
    assert!(out.status.success(), "PyYAML failed:\n{}", text(&out.stderr));
    let loaded: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("python printed JSON");
    assert_eq!(loaded.len(), files.len());
    let mut failures = Vec::new();
    for ((name, _, body), py) in files.iter().zip(loaded) {
        let docs: Vec<serde_json::Value> = serde_norway::Deserializer::from_str(body)
            .map(|d| serde::Deserialize::deserialize(d).unwrap_or_else(|e| panic!("{name}: {e}")))
            .collect();
        let rust = serde_json::Value::Array(docs);
        if rust != py {
            failures.push(format!("{name}:\n  YAML 1.2 (serde_norway): {rust}\n  YAML 1.1 (PyYAML):       {py}"));
        }
    }
    assert!(failures.is_empty(), "files read differently in YAML 1.1:\n{}", failures.join("\n"));
}

/// JSON Schemas of the custom resources in ../shared/oracles/crds/, compiled
/// once each: `<group>/<kind>_<version>.json`. `None` when the folder is absent.
pub struct CrdSchemas {
    dir: PathBuf,
    cache: std::collections::BTreeMap<PathBuf, jsonschema::Validator>,
}

impl CrdSchemas {
    pub fn open() -> Option<CrdSchemas> {
        let dir = root().join("../shared/oracles/crds");
        dir.is_dir().then(|| CrdSchemas { dir, cache: Default::default() })
    }

    /// Every schema error of one object, as `message at /pointer`.
    pub fn errors(&mut self, obj: &serde_json::Value) -> Result<Vec<String>, String> {
        let api = obj["apiVersion"].as_str().ok_or("no apiVersion")?;
        let (group, version) = api.split_once('/').ok_or("apiVersion without a group")?;
        let kind = obj["kind"].as_str().ok_or("no kind")?.to_ascii_lowercase();
        let path = self.dir.join(group).join(format!("{kind}_{version}.json"));
        if !self.cache.contains_key(&path) {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("no schema {}: {e}", path.display()))?;
            let schema: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
            let v = jsonschema::validator_for(&schema).map_err(|e| e.to_string())?;
            self.cache.insert(path.clone(), v);
        }
        let v = &self.cache[&path];
        Ok(v.iter_errors(obj).map(|e| format!("{e} at {}", e.instance_path().as_str())).collect())
    }
}

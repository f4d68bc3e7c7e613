//! The command line as a user meets it: exit codes, message formats, the
//! published schema, and what `compile` does to an output folder.

mod support;

use std::fs;
use std::path::Path;
use std::time::SystemTime;

use support::*;

fn fixtures() -> std::path::PathBuf {
    root().join("tests/fixtures")
}

#[test]
fn schema_command_prints_the_schema_file() {
    let out = bosun(&root(), &["schema"]);
    assert_eq!(out.status.code(), Some(0));
    let file = fs::read(root().join("schema/site.schema.json")).unwrap();
    assert_eq!(out.stdout, file, "`bosun schema` must print schema/site.schema.json byte for byte");
    // The validator is built from the same embedded text.
    assert_eq!(bosun::structure::schema::SCHEMA_TEXT.as_bytes(), &file[..]);
}

#[test]
fn schema_is_valid_and_its_codes_are_registered() {
    let schema: serde_json::Value =
        serde_json::from_slice(&fs::read(root().join("schema/site.schema.json")).unwrap()).unwrap();
    jsonschema::meta::validate(&schema).expect("schema/site.schema.json is a valid JSON Schema");
    let mut codes = Vec::new();
    collect_codes(&schema, &mut codes);
    assert!(!codes.is_empty());
    let known: Vec<&str> = bosun::all_codes().iter().map(|c| c.id).collect();
    for code in codes {
        assert!(known.contains(&code.as_str()), "schema names unregistered code {code}");
    }
}

fn collect_codes(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            if let Some(c) = m.get("x-code").and_then(|c| c.as_str()) {
                out.push(c.to_string());
            }
            m.values().for_each(|v| collect_codes(v, out));
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_codes(v, out)),
        _ => {}
    }
}

#[test]
fn five_independent_errors_are_all_reported() {
    let out = bosun(&fixtures(), &["check", "five-errors.kdl"]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let codes: Vec<&str> = stderr.lines().map(str::trim).filter(|l| l.starts_with("bosun::")).collect();
    assert_eq!(
        codes,
        [
            "bosun::schema::invalid-value",
            "bosun::network::vlan-range",
            "bosun::address::outside-network",
            "bosun::host::duplicate-mac",
            "bosun::reference::unknown",
        ],
        "{stderr}"
    );
    // Each comes with file:line:col and the source line.
    let locations = stderr.lines().filter(|l| l.contains("╭─[five-errors.kdl:")).count();
    assert_eq!(locations, 5, "{stderr}");
    for snippet in ["cni \"calicoo\"", "vlan 5000", "address=\"192.168.200.10\"", "admin \"nobody\""] {
        assert!(stderr.contains(snippet), "missing snippet {snippet}:\n{stderr}");
    }
    assert!(stderr.contains("5 errors"), "{stderr}");
}

#[test]
fn github_format_prints_one_annotation_per_error() {
    let out = bosun(&fixtures(), &["check", "five-errors.kdl", "--message-format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 5, "{stdout}");
    let expected = [(7, 13), (14, 10), (19, 77), (24, 26), (28, 11)];
    for (line, (l, c)) in lines.iter().zip(expected) {
        assert!(line.starts_with(&format!("::error file=five-errors.kdl,line={l},col={c},")), "{line}");
        assert!(line.contains("title=bosun%3A%3A"), "{line}");
    }
}

#[test]
fn json_format_prints_one_object_per_diagnostic() {
    let out = bosun(&fixtures(), &["check", "five-errors.kdl", "--message-format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let objects: Vec<serde_json::Value> =
        text(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
    assert_eq!(objects.len(), 5);
    for o in &objects {
        assert_eq!(o["severity"], "error");
        assert_eq!(o["file"], "five-errors.kdl");
        assert!(o["line"].as_u64().is_some() && o["column"].as_u64().is_some(), "{o}");
        assert!(o["code"].as_str().unwrap().starts_with("bosun::"));
        assert!(!o["help"].as_str().unwrap().is_empty());
    }
    assert_eq!(objects[4]["labels"][0]["text"], "unknown user");
}

#[test]
fn missing_site_file_is_a_usage_error() {
    let out = bosun(&fixtures(), &["check", "no-such-site.kdl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("no-such-site.kdl"));
}

fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>, SystemTime)> {
    let mut out: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (e.path().display().to_string(), fs::read(e.path()).unwrap(), e.metadata().unwrap().modified().unwrap())
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn compile_with_errors_leaves_the_output_folder_untouched() {
    let tmp = tempfile::tempdir().unwrap();
    let out_dir = tmp.path().join("out");
    let good = fixtures().join("minimal.kdl");
    let ok = bosun(&root(), &["compile", good.to_str().unwrap(), "-o", out_dir.to_str().unwrap()]);
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    fs::write(out_dir.join("notes.txt"), "mine").unwrap();
    let before = snapshot(&out_dir);
    assert!(before.len() >= 3);

    let bad = fixtures().join("five-errors.kdl");
    let failed = bosun(&root(), &["compile", bad.to_str().unwrap(), "-o", out_dir.to_str().unwrap()]);
    assert_eq!(failed.status.code(), Some(1));
    assert_eq!(snapshot(&out_dir), before, "an invalid site must not touch the output folder");
}

#[test]
fn compile_is_deterministic_and_quiet_when_nothing_changed() {
    let tmp = tempfile::tempdir().unwrap();
    let site = fixtures().join("minimal.kdl");
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for dir in [&a, &b] {
        let out = bosun(&root(), &["compile", site.to_str().unwrap(), "-o", dir.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let strip = |s: Vec<(String, Vec<u8>, SystemTime)>, d: &Path| {
        s.into_iter().map(|(p, b, _)| (p.replacen(&d.display().to_string(), "", 1), b)).collect::<Vec<_>>()
    };
    assert_eq!(strip(snapshot(&a), &a), strip(snapshot(&b), &b));
    let before = snapshot(&a);
    let again = bosun(&root(), &["compile", site.to_str().unwrap(), "-o", a.to_str().unwrap()]);
    assert!(text(&again.stderr).contains("0 written"), "{}", text(&again.stderr));
    assert_eq!(snapshot(&a), before, "unchanged files keep their bytes and mtimes");
}

#[test]
fn compile_refuses_to_overwrite_foreign_files_without_force() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("README.md"), "the operator's own notes\n").unwrap();
    let site = fixtures().join("minimal.kdl");
    let refused = bosun(&root(), &["compile", site.to_str().unwrap(), "-o", dir.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(text(&refused.stderr).contains("README.md (not in MANIFEST)"), "{}", text(&refused.stderr));
    assert_eq!(fs::read_to_string(dir.join("README.md")).unwrap(), "the operator's own notes\n");
    assert!(!dir.join("MANIFEST").exists(), "nothing is written when anything is refused");

    let forced = bosun(&root(), &["compile", site.to_str().unwrap(), "-o", dir.to_str().unwrap(), "--force"]);
    assert_eq!(forced.status.code(), Some(0));
    assert!(fs::read_to_string(dir.join("README.md")).unwrap().starts_with("# Site `minimal`"));
}

#[test]
fn manifest_verifies_with_sha256sum_format() {
    let tmp = tempfile::tempdir().unwrap();
    let site = fixtures().join("minimal.kdl");
    let out = bosun(&root(), &["compile", site.to_str().unwrap(), "-o", tmp.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let manifest = fs::read_to_string(tmp.path().join("MANIFEST")).unwrap();
    let mut checked = 0;
    for line in manifest.lines().filter(|l| !l.starts_with('#')) {
        let (hash, path) = line.split_once("  ").expect("sha256sum line");
        let bytes = fs::read(tmp.path().join(path)).unwrap();
        use sha2::Digest;
        let actual: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hash, actual, "{path}");
        checked += 1;
    }
    assert!(checked >= 1);
    assert!(manifest.contains("# site-digest: sha256:"));
}

#[test]
fn compile_check_compares_without_writing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("out");
    let site = fixtures().join("minimal.kdl");
    let args = |extra: &[&'static str]| {
        let mut a = vec!["compile".to_string(), site.display().to_string(), "-o".into(), dir.display().to_string()];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let run = |a: Vec<String>| bosun(&root(), &a.iter().map(String::as_str).collect::<Vec<_>>());

    let missing = run(args(&["--check"]));
    assert_eq!(missing.status.code(), Some(1), "{}", text(&missing.stderr));
    assert!(text(&missing.stdout).contains("\nadded MANIFEST\n"), "{}", text(&missing.stdout));
    assert!(!dir.exists(), "--check writes nothing, not even the folder");

    assert_eq!(run(args(&[])).status.code(), Some(0));
    let before = snapshot(&dir);
    let same = run(args(&["--check"]));
    assert_eq!(same.status.code(), Some(0), "{}{}", text(&same.stdout), text(&same.stderr));
    assert_eq!(text(&same.stdout), "");

    fs::write(dir.join("README.md"), "edited\n").unwrap();
    let edited = run(args(&["--check"]));
    assert_eq!(edited.status.code(), Some(1));
    let review = text(&edited.stdout);
    assert!(review.contains("1 file(s) change") && review.contains("\nmodified README.md\n"), "{review}");
    assert!(review.contains("-edited") && review.contains("+# Site"), "the review shows the diff:\n{review}");
    let mut expected = before.clone();
    expected.retain(|(p, _, _)| !p.ends_with("README.md"));
    let mut now = snapshot(&dir);
    now.retain(|(p, _, _)| !p.ends_with("README.md"));
    assert_eq!(now, expected, "--check touches nothing");
}

#[test]
fn packs_command_lists_every_built_in_pack_with_its_version() {
    let out = bosun(&root(), &["packs"]);
    assert!(out.status.success());
    let listing = text(&out.stdout);
    for p in bosun::packs::BUILTIN {
        let line = listing.lines().find(|l| l.split_whitespace().next() == Some(p.name));
        let line = line.unwrap_or_else(|| panic!("`bosun packs` does not list {}:\n{listing}", p.name));
        assert!(line.contains(p.chart.version()), "{line}");
    }
}

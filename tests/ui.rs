//! UI tests: every `tests/ui/<case>.kdl` is checked by the real binary and
//! its diagnostics compared with `tests/ui/<case>.stderr`. The codes a case
//! must produce are written in its header (`// expect: CODE`), so re-blessing
//! (`BOSUN_BLESS=1 cargo test`) cannot quietly accept a different error.
//! See tests/ui/README.md.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::path::PathBuf;

use support::*;

struct Case {
    name: String,
    path: PathBuf,
    expect: BTreeSet<String>,
    args: Vec<String>,
}

fn cases() -> Vec<Case> {
    let dir = root().join("tests/ui");
    let mut out: Vec<Case> = fs::read_dir(&dir)
        .expect("tests/ui exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "kdl"))
        .map(|path| {
            let text = String::from_utf8_lossy(&fs::read(&path).expect("readable case")).into_owned();
            let header = |key: &str| -> Vec<String> {
                text.lines()
                    .take_while(|l| l.starts_with("//"))
                    .filter_map(|l| l.trim_start_matches('/').trim().strip_prefix(key).map(|v| v.trim().to_string()))
                    .collect()
            };
            Case {
                name: path.file_stem().unwrap().to_string_lossy().into_owned(),
                expect: header("expect:").into_iter().collect(),
                args: header("args:").iter().flat_map(|a| a.split_whitespace().map(str::to_string)).collect(),
                path,
            }
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The codes in human output: miette prints each diagnostic's code on its own line.
fn codes_in(stderr: &str) -> BTreeSet<String> {
    stderr.lines().map(str::trim).filter(|l| l.starts_with("bosun::") && !l.contains(' ')).map(str::to_string).collect()
}

#[test]
fn ui_cases() {
    let cases = cases();
    let dir = root().join("tests/ui");
    let mut failures = Vec::new();
    for case in &cases {
        let file = format!("{}.kdl", case.name);
        let mut args = vec!["check", file.as_str()];
        args.extend(case.args.iter().map(String::as_str));
        let out = bosun(&dir, &args);
        let stderr = text(&out.stderr);
        let expected_path = case.path.with_extension("stderr");
        if case.expect.is_empty() {
            failures.push(format!("{}: header names no `// expect: CODE`", case.name));
            continue;
        }
        if out.status.code() != Some(1) {
            failures.push(format!("{}: exit code {:?}, expected 1\n{stderr}", case.name, out.status.code()));
        }
        let got = codes_in(&stderr);
        if got != case.expect {
            failures.push(format!("{}: codes {:?}, header expects {:?}\n{stderr}", case.name, got, case.expect));
        }
        if stderr.contains("panicked") {
            failures.push(format!("{}: panicked\n{stderr}", case.name));
        }
        if blessing() {
            fs::write(&expected_path, &stderr).expect("write .stderr");
            continue;
        }
        match fs::read_to_string(&expected_path) {
            Ok(expected) if expected == stderr => {}
            Ok(expected) => failures.push(format!(
                "{}: output differs from {}.stderr (BOSUN_BLESS=1 to accept)\n{}",
                case.name,
                case.name,
                similar::TextDiff::from_lines(&expected, &stderr).unified_diff().header("expected", "actual")
            )),
            Err(_) => failures.push(format!("{}: no {}.stderr (BOSUN_BLESS=1 creates it)", case.name, case.name)),
        }
    }
    assert!(failures.is_empty(), "{} of {} UI cases failed:\n\n{}", failures.len(), cases.len(), failures.join("\n\n"));
}

#[test]
fn every_expected_output_has_its_case() {
    let dir = root().join("tests/ui");
    let orphans: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "stderr") && !p.with_extension("kdl").exists())
        .map(|p| p.display().to_string())
        .collect();
    assert!(orphans.is_empty(), "expected outputs without a case: {orphans:?}");
}

#[test]
fn every_code_has_a_case() {
    let covered: BTreeSet<String> = cases().into_iter().flat_map(|c| c.expect).collect();
    // bosun::internal is a compiler bug by definition: no input may trigger it.
    // schema::pattern and schema::invalid are fallbacks for schema rules that
    // carry no code of their own; today every rule in the schema does.
    let unreachable = ["bosun::internal", "bosun::schema::pattern", "bosun::schema::invalid"];
    let missing: Vec<&str> = bosun::all_codes()
        .iter()
        .map(|c| c.id)
        .filter(|id| !unreachable.contains(id) && !covered.contains(*id))
        .collect();
    assert!(missing.is_empty(), "codes without a UI case: {missing:#?}");
    assert!(cases().len() >= 50, "the UI suite needs at least 50 cases");
}

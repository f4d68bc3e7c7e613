//! See tests/security.rs. The site folder comes with the pull request: what
//! it names outside itself, how deep or wide it goes and how long its
//! templates run are all the attacker's choice.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::support::*;

/// The smallest site that compiles, with `extra` appended.
fn site(dir: &Path, extra: &str) -> PathBuf {
    let minimal = std::fs::read_to_string(root().join("tests/fixtures/minimal.kdl")).expect("minimal site");
    std::fs::create_dir_all(dir).expect("site folder");
    let path = dir.join("site.kdl");
    std::fs::write(&path, format!("{minimal}\n{extra}\n")).expect("site written");
    path
}

/// A pack folder whose values template is `template`.
fn pack(dir: &Path, template: &str) {
    std::fs::create_dir_all(dir).expect("pack folder");
    let kdl =
        "name \"p\"\nversion \"1.0.0\"\nchart repository=\"https://charts.example.org\" name=\"p\" version=\"1.0.0\"\n";
    std::fs::write(dir.join("pack.kdl"), kdl).expect("pack.kdl");
    std::fs::write(dir.join("values.yaml.tera"), template).expect("template");
}

/// Runs bosun in `dir`; a run that takes longer than `limit` is killed and
/// fails the test, so a hang cannot block the suite.
fn bosun_within(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bosun"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bosun runs");
    let start = Instant::now();
    while child.try_wait().expect("waits").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`bosun {}` still running after {limit:?}", args.join(" "));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

const SECONDS: Duration = Duration::from_secs(20);

fn stderr(out: &Output) -> String {
    text(&out.stderr)
}

/// Exit 1 (a site error), not a crash or a signal, and `code` among the diagnostics.
fn assert_diagnostic(out: &Output, code: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "exit {:?}\n{err}{}", out.status, text(&out.stdout));
    assert!(err.contains(code) || text(&out.stdout).contains(code), "no {code}:\n{err}");
}

/// Every file under `dir`, as text.
fn all_text(dir: &Path) -> String {
    walk(dir).into_iter().map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned()).collect()
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else { return Vec::new() };
    rd.filter_map(Result::ok).flat_map(|e| if e.path().is_dir() { walk(&e.path()) } else { vec![e.path()] }).collect()
}

#[test]
fn a_pack_folder_outside_the_site_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    pack(&tmp.path().join("elsewhere"), "a: 1\n");
    for source in ["../elsewhere", "/etc"] {
        let dir = tmp.path().join("site");
        site(&dir, &format!("pack \"p\" source=\"{source}\""));
        let out = bosun_within(&dir, &["check", "site.kdl"], SECONDS);
        assert_diagnostic(&out, "bosun::pack::outside-root");
    }
}

#[test]
fn a_symlinked_template_does_not_pull_an_outside_file_into_the_tree() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("runner-secrets.yaml"), "password: hunter2-from-the-runner\n").unwrap();
    let dir = tmp.path().join("site");
    site(&dir, "pack \"p\" source=\"packs/p\"");
    pack(&dir.join("packs/p"), "");
    let template = dir.join("packs/p/values.yaml.tera");
    std::fs::remove_file(&template).unwrap();
    std::os::unix::fs::symlink("../../../runner-secrets.yaml", &template).unwrap();
    let out = bosun_within(&dir, &["compile", "site.kdl", "-o", "out"], SECONDS);
    assert_diagnostic(&out, "bosun::pack::outside-root");
    assert!(!all_text(&dir.join("out")).contains("hunter2"), "the outside file reached the tree");
    assert!(!stderr(&out).contains("hunter2"));
}

#[test]
fn ten_thousand_nested_blocks_are_a_diagnostic_in_check_compile_and_fmt() {
    let tmp = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "a {\n".repeat(10_000), "}\n".repeat(10_000));
    site(tmp.path(), &deep);
    for args in [&["check", "site.kdl"][..], &["compile", "site.kdl", "-o", "out"], &["fmt", "site.kdl"]] {
        let out = bosun_within(tmp.path(), args, SECONDS);
        assert_diagnostic(&out, "bosun::syntax::nesting");
    }
    assert!(!tmp.path().join("out").exists(), "compile wrote a tree");
}

#[test]
fn a_symlink_loop_under_a_recursive_glob_ends_within_seconds() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("l")).unwrap();
    // Two links back to their own folder: following them doubles the
    // paths at every level.
    std::os::unix::fs::symlink(".", tmp.path().join("l/a")).unwrap();
    std::os::unix::fs::symlink(".", tmp.path().join("l/b")).unwrap();
    site(tmp.path(), "include \"l/**/*.kdl\"");
    let out = bosun_within(tmp.path(), &["check", "site.kdl", "--deny-warnings"], SECONDS);
    assert_diagnostic(&out, "bosun::include::no-match");
}

#[test]
fn an_include_that_can_only_reach_outside_the_root_is_outside_root() {
    let tmp = tempfile::tempdir().unwrap();
    site(tmp.path(), "include \"../../etc/*.kdl\"");
    let out = bosun_within(tmp.path(), &["check", "site.kdl"], SECONDS);
    assert_diagnostic(&out, "bosun::include::outside-root");
}

#[test]
fn a_fifo_is_an_include_error_not_a_hang() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("parts")).unwrap();
    for fifo in ["extra.kdl", "parts/more.kdl"] {
        let path = std::ffi::CString::new(tmp.path().join(fifo).to_string_lossy().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(path.as_ptr(), 0o644) }, 0, "mkfifo");
    }
    for include in ["extra.kdl", "parts/*.kdl"] {
        site(tmp.path(), &format!("include \"{include}\""));
        let out = bosun_within(tmp.path(), &["check", "site.kdl"], SECONDS);
        assert_diagnostic(&out, "bosun::include::not-a-file");
    }
}

#[test]
fn a_runaway_template_is_stopped_by_its_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        // 5·10⁷ numbers: gigabytes before the loop starts.
        ("range", "{% for i in range(end=50000000) %}x{% endfor %}", "bosun::pack::template-size"),
        // 10⁶ iterations writing 64 bytes each.
        (
            "output",
            "{% for i in range(end=1000) %}{% for j in range(end=1000) %}0123456789012345678901234567890123456789012345678901234567890123{% endfor %}{% endfor %}",
            "bosun::pack::template-size",
        ),
        // 10⁹ iterations that never write or call a function.
        (
            "time",
            "{% set l = [0,1,2,3,4,5,6,7,8,9] %}{% for a in l %}{% for b in l %}{% for c in l %}{% for d in l %}{% for e in l %}{% for f in l %}{% for g in l %}{% for h in l %}{% for i in l %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
            "bosun::pack::template-time",
        ),
    ];
    for (name, template, code) in cases {
        let dir = tmp.path().join(name);
        site(&dir, "pack \"p\" source=\"p\"");
        pack(&dir.join("p"), template);
        let start = Instant::now();
        let out = bosun_within(&dir, &["check", "site.kdl"], SECONDS);
        assert_diagnostic(&out, code);
        assert!(stderr(&out).contains("values.yaml.tera"), "the template is not named:\n{}", stderr(&out));
        assert!(start.elapsed() < Duration::from_secs(15), "{name}: {:?}", start.elapsed());
    }
}

#[test]
fn diff_reads_scalars_as_yaml_1_1_readers_do() {
    let tmp = tempfile::tempdir().unwrap();
    for (side, value) in [("old", "\"off\""), ("new", "off")] {
        let dir = tmp.path().join(side).join("packs/p");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("values.yaml"), format!("controller:\n  enabled: {value}\n")).unwrap();
    }
    let out = bosun_within(tmp.path(), &["diff", "old", "new"], SECONDS);
    let shown = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "a boolean replaced a string:\n{shown}{}", stderr(&out));
    assert!(shown.contains("controller.enabled"), "the field is not named:\n{shown}");
}

#[test]
fn a_team_named_default_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    site(tmp.path(), "team \"default\" {\n    namespace \"research\"\n}");
    let out = bosun_within(tmp.path(), &["check", "site.kdl"], SECONDS);
    assert_diagnostic(&out, "bosun::team::reserved-name");
}

#[test]
fn a_team_in_a_pack_or_engine_namespace_is_rejected() {
    let tmp = tempfile::tempdir().unwrap();
    site(tmp.path(), "team \"ops\" {\n    namespace \"argocd\"\n}");
    let out = bosun_within(tmp.path(), &["check", "site.kdl"], SECONDS);
    assert_diagnostic(&out, "bosun::team::engine-namespace");
}

#[path = "../../compiler/benches/diagnostics.rs"]
mod diagnostics_bench;

/// The human-diagnostics benchmark at 1,000 hosts, so its code cannot rot;
/// no timing assertion (the benchmark prints the figure).
#[test]
fn the_human_diagnostics_benchmark_finds_one_problem_per_host() {
    let work = tempfile::tempdir().unwrap();
    let (count, took) = diagnostics_bench::measure(work.path(), 1_000);
    println!("{count} human diagnostics in {took:?}");
    assert!(count >= 1_000, "{count}");
}

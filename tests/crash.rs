//! Crash safety of the writer, with the real binary: a compile killed
//! (SIGKILL) at any point leaves the previous tree as it was, or — once it
//! has committed its journal — a state the next run completes to exactly
//! the new tree. Unchanged files are not rewritten.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use bosun::synth::{Spec, site};
use support::*;

fn compile(site: &Path, out: &Path) {
    let run = bosun(&root(), &["compile", site.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
}

/// When to kill the compile.
#[derive(Debug, Clone, Copy)]
enum Moment {
    After(Duration),
    /// As soon as the staging folder exists (files are being staged).
    Staging,
    /// As soon as the journal exists (files are being moved into place).
    Journal,
}

#[test]
fn a_killed_compile_leaves_the_old_tree_or_one_the_next_run_completes() {
    let tmp = tempfile::tempdir().unwrap();
    // Large enough that staging and applying take a while: thousands of files.
    let (old_site, new_site) = (tmp.path().join("old.kdl"), tmp.path().join("new.kdl"));
    fs::write(&old_site, site(Spec { hosts: 400, revision: 0 })).unwrap();
    fs::write(&new_site, site(Spec { hosts: 400, revision: 1 })).unwrap();
    bosun::synth::write_pack_folders(tmp.path()).unwrap();
    let reference = tmp.path().join("reference");
    compile(&old_site, &reference);
    let old = read_tree(&reference);
    compile(&new_site, &reference);
    let new = read_tree(&reference);
    let changed = old.iter().filter(|(p, b)| new.get(*p) != Some(*b)).count();
    assert!(changed > 300, "the two revisions differ in {changed} files only");

    let out = tmp.path().join("out");
    let moments = [
        Moment::After(Duration::ZERO),
        Moment::After(Duration::from_millis(20)),
        Moment::Staging,
        Moment::Journal,
        Moment::After(Duration::from_millis(80)),
        Moment::After(Duration::from_millis(200)),
    ];
    let mut interrupted_after_commit = 0;
    for moment in moments {
        compile(&old_site, &out);
        assert_eq!(read_tree(&out), old);
        let mut child = Command::new(env!("CARGO_BIN_EXE_bosun"))
            .args(["compile", new_site.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        loop {
            let due = match moment {
                Moment::After(d) => start.elapsed() >= d,
                Moment::Staging => out.join(".bosun-staging").exists(),
                Moment::Journal => out.join(".bosun-journal").exists(),
            };
            if due || child.try_wait().unwrap().is_some() || start.elapsed() > Duration::from_secs(60) {
                break;
            }
            std::thread::sleep(Duration::from_micros(100));
        }
        let _ = child.kill(); // SIGKILL
        let status = child.wait().unwrap();
        let journal = out.join(".bosun-journal").exists();
        let now = read_tree(&out);
        if journal {
            interrupted_after_commit += 1;
        } else {
            assert!(
                now == old || now == new,
                "{moment:?} ({status}): without a journal the tree is the old or the new one"
            );
        }
        // The next run applies the journal (or drops the staging) and finishes.
        compile(&new_site, &out);
        assert!(read_tree(&out) == new, "{moment:?}: the next run completes the new tree");
        assert!(!out.join(".bosun-staging").exists() && !out.join(".bosun-journal").exists());
    }
    eprintln!("{interrupted_after_commit} of {} kills landed after the commit point", moments.len());
}

#[test]
fn unchanged_files_keep_their_mtime() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a.kdl"), tmp.path().join("b.kdl"));
    fs::write(&a, site(Spec { hosts: 40, revision: 0 })).unwrap();
    // The same site with one more host: most files stay as they are.
    fs::write(&b, site(Spec { hosts: 41, revision: 0 })).unwrap();
    bosun::synth::write_pack_folders(tmp.path()).unwrap();
    let out = tmp.path().join("out");
    compile(&a, &out);
    let times = |dir: &Path| -> BTreeMap<String, SystemTime> {
        walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| (e.path().display().to_string(), e.metadata().unwrap().modified().unwrap()))
            .collect()
    };
    let before_bytes = read_tree(&out);
    let before = times(&out);
    std::thread::sleep(Duration::from_millis(20));
    compile(&b, &out);
    let after_bytes = read_tree(&out);
    let after = times(&out);
    let mut kept = 0;
    for (path, mtime) in &before {
        let rel = Path::new(path).strip_prefix(&out).unwrap().to_string_lossy().into_owned();
        if before_bytes.get(&rel) == after_bytes.get(&rel) {
            assert_eq!(after.get(path), Some(mtime), "{rel} is unchanged but was rewritten");
            kept += 1;
        } else {
            assert_ne!(after.get(path), Some(mtime), "{rel} changed");
        }
    }
    assert!(kept > 100, "only {kept} files unchanged");
}

//! The output folder is input from strangers: a pull request commits it, CI
//! runs `bosun compile --check` on it and posts what it prints. The writer
//! and the reviewer act only on what bosun itself could have written there,
//! never follow a link below the folder, and one run at a time.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use bosun::synth::{Spec, site};
use sha2::{Digest, Sha256};

#[allow(unused_imports)]
use super::support::*;

/// A scratch folder with a small synthetic site (`site.kdl`, revision 0 and
/// `site-1.kdl`, revision 1) and its tree compiled into `repo/out`.
struct Lab {
    tmp: tempfile::TempDir,
}

impl Lab {
    fn new(hosts: usize) -> Lab {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join("site.kdl"), site(Spec { hosts, revision: 0 })).unwrap();
        fs::write(tmp.path().join("site-1.kdl"), site(Spec { hosts, revision: 1 })).unwrap();
        bosun::synth::write_pack_folders(tmp.path()).unwrap();
        let lab = Lab { tmp };
        fs::create_dir(lab.path("repo")).unwrap();
        let first = lab.run(&["compile", "site.kdl", "-o", "repo/out"]);
        assert_eq!(first.status.code(), Some(0), "{}", text(&first.stderr));
        lab
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.tmp.path().join(rel)
    }

    fn out(&self) -> PathBuf {
        self.path("repo/out")
    }

    fn run(&self, args: &[&str]) -> Output {
        bosun(self.tmp.path(), args)
    }

    /// `compile --check` in every review format: (format, exit code, stdout + stderr).
    fn checks(&self) -> Vec<(&'static str, Option<i32>, String)> {
        ["terminal", "markdown", "json"]
            .into_iter()
            .map(|format| {
                let run = self.run(&["compile", "site.kdl", "--check", "-o", "repo/out", "--format", format]);
                (format, run.status.code(), text(&run.stdout) + &text(&run.stderr))
            })
            .collect()
    }
}

fn said(run: &Output) -> String {
    text(&run.stdout) + &text(&run.stderr)
}

/// A journal and staging folder committed with the tree must not move a
/// file over one outside it, nor delete one outside it.
#[test]
fn a_planted_journal_touches_nothing_outside_the_tree() {
    let lab = Lab::new(8);
    let (bashrc, notes) = (lab.path("home/.bashrc"), lab.path("repo/notes"));
    fs::create_dir(lab.path("home")).unwrap();
    fs::write(&bashrc, "mine\n").unwrap();
    fs::write(&notes, "mine too\n").unwrap();
    let out = lab.out();
    fs::create_dir(out.join(".bosun-staging")).unwrap();
    fs::write(out.join(".bosun-staging/x"), "planted\n").unwrap();
    let plain = format!("write x {}\ncreate ../notes\n", bashrc.display());
    // The same, dressed as this version's journal: a run id the staging
    // folder holds too.
    let id = "0123456789abcdef0123456789abcdef";
    let dressed = format!("# bosun journal 1 run={id} staging=2\n{plain}");
    for journal in [plain, dressed] {
        fs::write(out.join(".bosun-staging/run"), id).unwrap();
        fs::write(out.join(".bosun-journal"), &journal).unwrap();
        for (format, code, said) in lab.checks() {
            assert_eq!(code, Some(1), "--check --format {format} passes a planted journal:\n{said}");
            assert!(said.contains(".bosun-journal") && said.contains(".bosun-staging"), "{format}:\n{said}");
        }
        let diff = lab.run(&["diff", "repo/out", "repo/out"]);
        assert_eq!(diff.status.code(), Some(1), "diff shows nothing:\n{}", said(&diff));
        assert!(said(&diff).contains(".bosun-journal"), "{}", said(&diff));

        let run = lab.run(&["compile", "site-1.kdl", "-o", "repo/out"]);
        assert_eq!(run.status.code(), Some(2), "{}", said(&run));
        let stderr = text(&run.stderr);
        assert!(stderr.contains("bosun::write::untrusted") && stderr.contains(".bosun-journal"), "{stderr}");
        assert_eq!(fs::read_to_string(&bashrc).unwrap(), "mine\n", "the journal moved a file over one outside");
        assert_eq!(fs::read_to_string(&notes).unwrap(), "mine too\n", "the journal deleted a file outside");
        assert!(out.join(".bosun-journal").exists(), "a refused journal is left for a person to look at");
    }
}

/// MANIFEST lines naming files outside the tree: `compile` deletes none of
/// them (not even with `--force`), and `--check` prints none of them.
#[test]
fn manifest_entries_outside_the_tree_are_refused() {
    let lab = Lab::new(8);
    let victim = lab.path("repo/victim");
    let secret = "url = https://user:hunter2-not-for-review@git.example.com/x.git\n";
    fs::write(&victim, secret).unwrap();
    let hash: String = Sha256::digest(secret.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    let manifest = fs::read_to_string(lab.out().join("MANIFEST")).unwrap();
    for entry in ["../victim".to_string(), victim.display().to_string(), "provisioning/../../victim".into()] {
        fs::write(lab.out().join("MANIFEST"), format!("{manifest}{hash}  {entry}\n")).unwrap();
        for (format, code, said) in lab.checks() {
            assert_eq!(code, Some(2), "--check --format {format} reviews MANIFEST entry {entry}:\n{said}");
            assert!(!said.contains("hunter2"), "--check --format {format} printed {entry}:\n{said}");
            assert!(said.contains("bosun::review::untrusted") && said.contains(&entry), "{format}:\n{said}");
        }
        for force in [false, true] {
            let mut args = vec!["compile", "site-1.kdl", "-o", "repo/out"];
            args.extend(force.then_some("--force"));
            let run = lab.run(&args);
            assert_eq!(run.status.code(), Some(2), "{entry} (force {force}): {}", said(&run));
            assert!(text(&run.stderr).contains(&format!("{entry:?}")), "{}", said(&run));
            assert_eq!(fs::read_to_string(&victim).unwrap(), secret, "{entry} deleted (force {force})");
        }
    }
}

/// Links below the output folder are never written, read or reviewed
/// through; the review shows them, and `compile` refuses to run.
#[test]
fn a_symlinked_output_subfolder_is_not_followed() {
    let lab = Lab::new(8);
    let out = lab.out();
    let elsewhere = lab.path("repo/elsewhere");
    // A copy of the real folder behind the link: through it, the tree
    // would look up to date.
    fs::rename(out.join("provisioning"), &elsewhere).unwrap();
    std::os::unix::fs::symlink("../elsewhere", out.join("provisioning")).unwrap();
    let before = read_tree(&elsewhere);
    assert!(before.len() > 5);

    for (format, code, said) in lab.checks() {
        assert_eq!(code, Some(1), "--check --format {format} through a link:\n{said}");
        assert!(said.contains("provisioning") && said.contains("symbolic link"), "{format}:\n{said}");
    }
    let reference = lab.run(&["compile", "site.kdl", "-o", "reference"]);
    assert_eq!(reference.status.code(), Some(0));
    let diff = lab.run(&["diff", "reference", "repo/out"]);
    assert_eq!(diff.status.code(), Some(1), "{}", said(&diff));
    assert!(said(&diff).contains("repo/out/provisioning: a symbolic link"), "{}", said(&diff));

    for args in
        [&["compile", "site-1.kdl", "-o", "repo/out"][..], &["compile", "site-1.kdl", "-o", "repo/out", "--force"]]
    {
        let run = lab.run(args);
        assert_eq!(run.status.code(), Some(2), "{}", said(&run));
        let stderr = text(&run.stderr);
        assert!(stderr.contains("bosun::write::untrusted") && stderr.contains("  provisioning: "), "{stderr}");
        assert!(read_tree(&elsewhere) == before, "{args:?} wrote through the link");
    }
    // The folder named on the command line may itself be a link.
    std::os::unix::fs::symlink("repo", lab.path("via")).unwrap();
    fs::remove_file(out.join("provisioning")).unwrap();
    let run = lab.run(&["compile", "site-1.kdl", "-o", "via/out"]);
    assert_eq!(run.status.code(), Some(0), "{}", said(&run));
}

/// While another run holds the folder, a run waits (saying so), then gives
/// up with a clear message; the writer leaves no lock file in the tree.
#[test]
fn a_second_run_waits_for_the_lock_then_gives_up_clearly() {
    let lab = Lab::new(4);
    assert!(!lab.out().join(".bosun-lock").exists(), "the lock file is left in the tree");
    let held =
        fs::OpenOptions::new().create(true).truncate(false).write(true).open(lab.out().join(".bosun-lock")).unwrap();
    held.lock().unwrap();
    for args in
        [&["compile", "site-1.kdl", "-o", "repo/out"][..], &["compile", "site.kdl", "--check", "-o", "repo/out"]]
    {
        let run = Command::new(env!("CARGO_BIN_EXE_bosun"))
            .args(args)
            .current_dir(lab.tmp.path())
            .env("BOSUN_LOCK_WAIT", "0.5")
            .output()
            .unwrap();
        let stderr = text(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{args:?} ran beside another run: {stderr}");
        assert!(stderr.contains("waiting for another bosun run on repo/out"), "{stderr}");
        assert!(stderr.contains("error[bosun::write::locked]"), "{stderr}");
    }
    drop(held);
    // A lock file committed with the tree is no foreign file.
    let check = lab.run(&["compile", "site.kdl", "--check", "-o", "repo/out"]);
    assert_eq!(check.status.code(), Some(0), "{}", said(&check));
}

/// Path → SHA-256 hex of every line of a MANIFEST.
fn manifest_lines(bytes: &[u8]) -> BTreeMap<String, String> {
    text(bytes)
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (hash, path) = l.split_once("  ").expect("a MANIFEST line");
            (path.to_string(), hash.to_string())
        })
        .collect()
}

/// Two compiles of different revisions of a 1,000-host site into one folder
/// at once, again and again: each round leaves exactly one revision's tree
/// whose MANIFEST matches every file, and every run exits 0 or says it found
/// the folder locked. Without the lock, most rounds end in a mixed tree or a
/// failed run.
#[test]
fn concurrent_compiles_leave_one_whole_revision() {
    concurrent_compiles(1000, 30);
}

fn concurrent_compiles(hosts: usize, rounds: usize) {
    let lab = Lab::new(hosts);
    let revisions: Vec<BTreeMap<String, Vec<u8>>> = ["site.kdl", "site-1.kdl"]
        .iter()
        .enumerate()
        .map(|(i, site)| {
            let dir = format!("rev{i}");
            let run = lab.run(&["compile", site, "-o", &dir]);
            assert_eq!(run.status.code(), Some(0), "{}", said(&run));
            read_tree(&lab.path(&dir))
        })
        .collect();
    // How long one compile takes to rewrite the folder: the second run of a
    // round starts a growing part of it after the first, so that without a
    // lock their writes would overlap at different points.
    let solo = Instant::now();
    let run = lab.run(&["compile", "site-1.kdl", "-o", "repo/out"]);
    assert_eq!(run.status.code(), Some(0), "{}", said(&run));
    let solo = solo.elapsed();
    let start = Instant::now();
    for round in 0..rounds {
        let spawn = |site: &str| {
            Command::new(env!("CARGO_BIN_EXE_bosun"))
                .args(["compile", site, "-o", "repo/out"])
                .current_dir(lab.tmp.path())
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        };
        let (first, second) = if round % 2 == 0 { ("site.kdl", "site-1.kdl") } else { ("site-1.kdl", "site.kdl") };
        let first = spawn(first);
        std::thread::sleep(solo * (round % 6) as u32 / 10);
        let runs = [first, spawn(second)];
        for child in runs {
            let run = child.wait_with_output().unwrap();
            let stderr = text(&run.stderr);
            let locked = run.status.code() == Some(2) && stderr.contains("error[bosun::write::locked]");
            assert!(run.status.code() == Some(0) || locked, "round {round}: {}\n{stderr}", run.status);
        }
        let scratch: Vec<String> = fs::read_dir(lab.out())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".bosun-"))
            .collect();
        assert!(scratch.is_empty(), "round {round}: left behind {scratch:?}");
        let tree = read_tree(&lab.out());
        let listed = manifest_lines(&tree["MANIFEST"]);
        let found: BTreeMap<String, String> = tree
            .iter()
            .filter(|(p, _)| *p != "MANIFEST")
            .map(|(p, b)| (p.clone(), Sha256::digest(b).iter().map(|b| format!("{b:02x}")).collect()))
            .collect();
        assert!(listed == found, "round {round}: MANIFEST does not match the files");
        assert!(revisions.contains(&tree), "round {round}: the tree is no one revision");
    }
    eprintln!("{rounds} rounds of two concurrent {hosts}-host compiles in {:?}", start.elapsed());
}

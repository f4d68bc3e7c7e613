use std::collections::BTreeMap;
use std::fs;

use super::*;

fn tree(files: &[(&str, &str)]) -> Tree {
    let mut map: BTreeMap<String, Vec<u8>> =
        files.iter().map(|(p, c)| (p.to_string(), c.as_bytes().to_vec())).collect();
    let manifest = manifest::render(&map, "sha256:test");
    map.insert(manifest::NAME.to_string(), manifest.into_bytes());
    Tree { files: map }
}

#[test]
fn writes_then_removes_what_it_no_longer_produces() {
    let dir = tempfile::tempdir().unwrap();
    let first = commit(dir.path(), &tree(&[("a/b.txt", "1"), ("c.txt", "2")]), false).unwrap();
    assert_eq!(first, Report { written: 3, unchanged: 0, removed: 0 });
    let second = commit(dir.path(), &tree(&[("c.txt", "3")]), false).unwrap();
    assert_eq!(second, Report { written: 2, unchanged: 0, removed: 1 });
    assert!(!dir.path().join("a").exists(), "emptied folders go too");
    assert_eq!(fs::read_to_string(dir.path().join("c.txt")).unwrap(), "3");
    assert!(!dir.path().join(STAGING).exists() && !dir.path().join(JOURNAL).exists());
}

#[test]
fn a_file_changed_by_hand_is_not_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    commit(dir.path(), &tree(&[("c.txt", "1")]), false).unwrap();
    fs::write(dir.path().join("c.txt"), "edited").unwrap();
    let err = commit(dir.path(), &tree(&[("c.txt", "2")]), false).unwrap_err();
    assert!(matches!(&err, WriteError::Foreign(f) if f == &[("c.txt".to_string(), "changed since bosun wrote it")]));
    assert_eq!(fs::read_to_string(dir.path().join("c.txt")).unwrap(), "edited");
    commit(dir.path(), &tree(&[("c.txt", "2")]), true).unwrap();
    assert_eq!(fs::read_to_string(dir.path().join("c.txt")).unwrap(), "2");
}

#[test]
fn foreign_files_beside_the_tree_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("notes.md"), "mine").unwrap();
    commit(dir.path(), &tree(&[("c.txt", "1")]), false).unwrap();
    commit(dir.path(), &tree(&[("d.txt", "1")]), false).unwrap();
    assert_eq!(fs::read_to_string(dir.path().join("notes.md")).unwrap(), "mine");
}

#[test]
fn an_interrupted_commit_is_finished_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    commit(dir.path(), &tree(&[("old.txt", "1"), ("keep.txt", "k")]), false).unwrap();
    // A run that got past its commit point: new.txt staged and journaled,
    // old.txt to delete; it was killed before applying anything.
    let new = tree(&[("new.txt", "2"), ("keep.txt", "k")]);
    let steps = vec![
        Step::Write { staged: "0".into(), path: "new.txt".into() },
        Step::Delete { path: "old.txt".into() },
        Step::Write { staged: "1".into(), path: manifest::NAME.into() },
    ];
    stage(dir.path(), &new, &steps).unwrap();
    assert!(dir.path().join(JOURNAL).exists());
    assert!(dir.path().join("old.txt").exists(), "nothing applied yet");

    let report = commit(dir.path(), &new, false).unwrap();
    assert_eq!(report.written, 0, "recovery already wrote everything");
    assert_eq!(fs::read_to_string(dir.path().join("new.txt")).unwrap(), "2");
    assert!(!dir.path().join("old.txt").exists());
    assert_eq!(fs::read(dir.path().join(manifest::NAME)).unwrap(), new.files[manifest::NAME]);
}

#[test]
fn files_a_killed_run_was_creating_are_removed_then_written_again() {
    let dir = tempfile::tempdir().unwrap();
    commit(dir.path(), &tree(&[("keep.txt", "k")]), false).unwrap();
    let new = tree(&[("keep.txt", "k"), ("n/new.txt", "whole")]);
    // Past the commit point: the journal says n/new.txt is being created,
    // and the run died with half of it written.
    let steps = vec![
        Step::Create { path: "n/new.txt".into() },
        Step::Write { staged: "1".into(), path: manifest::NAME.into() },
    ];
    stage(dir.path(), &new, &steps).unwrap();
    fs::create_dir(dir.path().join("n")).unwrap();
    fs::write(dir.path().join("n/new.txt"), "wh").unwrap();

    recover(dir.path()).unwrap();
    assert!(!dir.path().join("n").exists(), "the half-written file and its folder are gone");
    assert_eq!(fs::read(dir.path().join(manifest::NAME)).unwrap(), new.files[manifest::NAME]);
    let report = commit(dir.path(), &new, false).unwrap();
    assert_eq!(report.written, 1);
    assert_eq!(fs::read_to_string(dir.path().join("n/new.txt")).unwrap(), "whole");
}

#[test]
fn a_fresh_folder_is_written_without_staging() {
    let dir = tempfile::tempdir().unwrap();
    let t = tree(&[("a/b.txt", "1"), ("c.txt", "2")]);
    let steps: Vec<Step> = t.files.keys().map(|p| Step::Create { path: p.clone() }).collect();
    stage(dir.path(), &t, &steps).unwrap();
    assert_eq!(fs::read_dir(dir.path().join(STAGING)).unwrap().count(), 0, "nothing is staged");
    assert!(dir.path().join(JOURNAL).exists(), "the journal is committed first");
    apply(dir.path(), &steps, Mode::Commit(&t)).unwrap();
    assert_eq!(fs::read_to_string(dir.path().join("a/b.txt")).unwrap(), "1");
    assert!(!dir.path().join(STAGING).exists() && !dir.path().join(JOURNAL).exists());
}

#[test]
fn a_run_killed_before_its_commit_point_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    commit(dir.path(), &tree(&[("a.txt", "1")]), false).unwrap();
    let before = fs::read(dir.path().join(manifest::NAME)).unwrap();
    // Staged files but no journal: the run died while staging.
    fs::create_dir(dir.path().join(STAGING)).unwrap();
    fs::write(dir.path().join(STAGING).join("0"), "half").unwrap();
    recover(dir.path()).unwrap();
    assert!(!dir.path().join(STAGING).exists());
    assert_eq!(fs::read(dir.path().join(manifest::NAME)).unwrap(), before);
    assert_eq!(fs::read_to_string(dir.path().join("a.txt")).unwrap(), "1");
}

#[test]
fn journal_round_trips() {
    let steps = vec![
        Step::Write { staged: "0".into(), path: "x/y.yaml".into() },
        Step::Create { path: "n.yaml".into() },
        Step::Delete { path: "z.yaml".into() },
    ];
    let text = "write 0 x/y.yaml\ncreate n.yaml\ndelete z.yaml\n";
    assert_eq!(parse_journal(text), steps);
}

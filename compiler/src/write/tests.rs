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
    journal::stage(dir.path(), &new, &steps).unwrap();
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
    journal::stage(dir.path(), &new, &steps).unwrap();
    fs::create_dir(dir.path().join("n")).unwrap();
    fs::write(dir.path().join("n/new.txt"), "wh").unwrap();

    journal::recover(dir.path()).unwrap();
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
    journal::stage(dir.path(), &t, &steps).unwrap();
    let staged: Vec<_> = fs::read_dir(dir.path().join(STAGING)).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(staged, ["run"], "nothing is staged but the run's id");
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
    journal::recover(dir.path()).unwrap();
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
    let text = "# bosun journal 1 run=00 staging=1\nwrite 0 x/y.yaml\ncreate n.yaml\ndelete z.yaml\n";
    assert_eq!(journal::parse(text), Ok(steps));
}

/// The refusal of an `Untrusted` error naming `entry` (a prefix of it).
fn refused<'e>(err: &'e WriteError, entry: &str) -> &'e Refusal {
    let WriteError::Untrusted { refused, .. } = err else { panic!("not refused: {err}") };
    refused.iter().find(|r| r.entry.starts_with(entry)).unwrap_or_else(|| panic!("{entry} not named in {err}"))
}

#[test]
fn a_journal_entry_outside_the_tree_is_refused_even_from_this_writer() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("out");
    commit(&dir, &tree(&[("a.txt", "1")]), false).unwrap();
    fs::write(root.path().join("victim"), "mine").unwrap();
    let steps = vec![Step::Write { staged: "0".into(), path: "a.txt".into() }];
    journal::stage(&dir, &tree(&[("a.txt", "2")]), &steps).unwrap();
    let mut text = fs::read_to_string(dir.join(JOURNAL)).unwrap();
    text.push_str("delete ../victim\nwrite 0 /tmp/x\n");
    fs::write(dir.join(JOURNAL), text).unwrap();
    let err = commit(&dir, &tree(&[("a.txt", "3")]), true).unwrap_err();
    assert!(refused(&err, ".bosun-journal line 3").why.contains(".."), "{err}");
    assert!(refused(&err, ".bosun-journal line 4").why.contains("absolute"), "{err}");
    assert_eq!(fs::read_to_string(root.path().join("victim")).unwrap(), "mine");
    assert_eq!(fs::read_to_string(dir.join("a.txt")).unwrap(), "1", "nothing of the journal applied");
}

#[test]
fn a_journal_copied_from_elsewhere_is_not_applied() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    commit(a.path(), &tree(&[("a.txt", "1")]), false).unwrap();
    commit(b.path(), &tree(&[("a.txt", "1")]), false).unwrap();
    let steps = vec![Step::Delete { path: "a.txt".into() }];
    journal::stage(a.path(), &tree(&[]), &steps).unwrap();
    // What a checkout of a committed journal and staging folder looks like:
    // the same bytes in new folders.
    fs::create_dir(b.path().join(STAGING)).unwrap();
    fs::copy(a.path().join(STAGING).join("run"), b.path().join(STAGING).join("run")).unwrap();
    fs::copy(a.path().join(JOURNAL), b.path().join(JOURNAL)).unwrap();
    let err = commit(b.path(), &tree(&[("a.txt", "1")]), false).unwrap_err();
    assert!(refused(&err, JOURNAL).why.contains("did not start"), "{err}");
    assert!(b.path().join("a.txt").exists());
    // The folder it was started in finishes it.
    journal::recover(a.path()).unwrap();
    assert!(!a.path().join("a.txt").exists());
}

#[test]
fn manifest_entries_outside_the_tree_are_refused_with_or_without_force() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("out");
    let t = tree(&[("a.txt", "1")]);
    commit(&dir, &t, false).unwrap();
    fs::write(root.path().join("victim"), "mine").unwrap();
    let hash = crate::hash::sha256_hex(b"mine");
    let mut text = fs::read_to_string(dir.join(manifest::NAME)).unwrap();
    text.push_str(&format!("{hash}  ../victim\n{hash}  {}\n", root.path().join("victim").display()));
    fs::write(dir.join(manifest::NAME), text).unwrap();
    for force in [false, true] {
        let err = commit(&dir, &t, force).unwrap_err();
        assert_eq!(err.code(), "bosun::write::untrusted");
        assert!(refused(&err, "MANIFEST line 5").why.contains(".."), "{err}");
        assert!(refused(&err, "MANIFEST line 6").why.contains("absolute"), "{err}");
        assert_eq!(fs::read_to_string(root.path().join("victim")).unwrap(), "mine");
    }
}

#[test]
fn nothing_is_written_or_deleted_through_a_link() {
    let root = tempfile::tempdir().unwrap();
    let (dir, elsewhere) = (root.path().join("out"), root.path().join("elsewhere"));
    commit(&dir, &tree(&[("a/b.txt", "1"), ("c.txt", "2")]), false).unwrap();
    fs::create_dir(&elsewhere).unwrap();
    fs::rename(dir.join("a"), root.path().join("moved")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("a")).unwrap();
    fs::remove_file(dir.join("c.txt")).unwrap();
    std::os::unix::fs::symlink(root.path().join("victim"), dir.join("c.txt")).unwrap();
    let err = commit(&dir, &tree(&[("a/b.txt", "3"), ("a/new.txt", "4")]), true).unwrap_err();
    assert_eq!(refused(&err, "a").why, guard::LINK);
    assert_eq!(refused(&err, "c.txt").why, guard::LINK, "a link MANIFEST would delete");
    assert_eq!(fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert!(!root.path().join("victim").exists());
}

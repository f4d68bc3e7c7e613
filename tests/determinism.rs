//! Determinism: the same site gives the same bytes, whatever the order of its
//! top-level nodes, its formatting and comments, the working directory and
//! the absolute path it is compiled from.

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use support::*;

type Snapshot = BTreeMap<String, Vec<u8>>;

/// Compiles `site` (as given, relative to `cwd` or absolute) into `out`.
fn compile(cwd: &Path, site: &str, out: &Path) -> Snapshot {
    let run = bosun(cwd, &["compile", site, "-o", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(0), "{site} from {}: {}", cwd.display(), text(&run.stderr));
    read_tree(out)
}

/// A seeded shuffle (xorshift), so a failure reproduces.
fn shuffle<T>(items: &mut [T], seed: u64) {
    let mut x = seed | 1;
    for i in (1..items.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        items.swap(i, (x % (i as u64 + 1)) as usize);
    }
}

/// The same KDL with its top-level nodes in another order, each node
/// reformatted (kdl's canonical layout, comments dropped) and a comment and
/// blank lines between them.
fn shuffled_and_reformatted(text: &str, seed: u64) -> String {
    let mut doc: kdl::KdlDocument = text.parse().expect("example parses");
    shuffle(doc.nodes_mut(), seed);
    doc.autoformat_no_comments();
    doc.nodes().iter().map(|n| format!("// moved\n\n{n}\n\n")).collect()
}

fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let target = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(e.path(), &target).unwrap();
        }
    }
}

fn digest_line(tree: &Snapshot) -> String {
    let manifest = String::from_utf8(tree["MANIFEST"].clone()).unwrap();
    manifest.lines().find(|l| l.starts_with("# site-digest:")).expect("digest line").to_string()
}

fn assert_same(a: &Snapshot, b: &Snapshot, what: &str) {
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{what}: file lists differ");
    for (path, bytes) in a {
        assert!(b[path] == *bytes, "{what}: {path} differs");
    }
}

#[test]
fn compiling_twice_gives_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, site) in examples() {
        let site = site.to_str().unwrap();
        let a = compile(&root(), site, &tmp.path().join(format!("{name}-a")));
        let b = compile(&root(), site, &tmp.path().join(format!("{name}-b")));
        assert_same(&a, &b, &name);
    }
}

#[test]
fn order_formatting_comments_cwd_and_path_do_not_change_a_byte() {
    let tmp = tempfile::tempdir().unwrap();
    for (name, site) in examples() {
        let reference = compile(&root(), site.to_str().unwrap(), &tmp.path().join(format!("{name}-ref")));
        let example = site.parent().unwrap();

        // From the example's folder, with a relative path.
        let relative = compile(example, "site.kdl", &tmp.path().join(format!("{name}-rel")));
        assert_same(&reference, &relative, &format!("{name} from its own folder"));

        // A copy elsewhere, every file's nodes reordered and reformatted,
        // compiled from an unrelated working directory.
        for seed in [1, 2, 3] {
            let copy = tmp.path().join(format!("elsewhere-{seed}/deeper/{name}"));
            copy_tree(example, &copy);
            for e in walkdir::WalkDir::new(&copy).into_iter().filter_map(Result::ok) {
                if e.path().extension().is_some_and(|x| x == "kdl") {
                    let text = fs::read_to_string(e.path()).unwrap();
                    fs::write(e.path(), shuffled_and_reformatted(&text, seed)).unwrap();
                }
            }
            assert_ne!(fs::read(copy.join("site.kdl")).unwrap(), fs::read(&site).unwrap());
            let moved = compile(tmp.path(), copy.join("site.kdl").to_str().unwrap(), &tmp.path().join("moved-out"));
            assert_same(&reference, &moved, &format!("{name} shuffled with seed {seed}"));
            assert_eq!(digest_line(&reference), digest_line(&moved), "{name}: the site digest is stable");
            fs::remove_dir_all(tmp.path().join("moved-out")).unwrap();
        }
    }
}

#[test]
fn a_synthetic_site_in_any_order_gives_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let text = bosun::synth::site(bosun::synth::Spec::new(300));
    fs::write(tmp.path().join("site.kdl"), &text).unwrap();
    bosun::synth::write_pack_folders(tmp.path()).unwrap();
    let reference = compile(tmp.path(), "site.kdl", &tmp.path().join("ref"));
    // The generator separates top-level nodes with blank lines; host,
    // team, pool, network and pack blocks all move.
    let mut blocks: Vec<&str> = text.split("\n\n").filter(|b| !b.trim().is_empty()).collect();
    shuffle(&mut blocks, 42);
    let shuffled = blocks.join("\n\n") + "\n";
    assert_ne!(shuffled, text);
    fs::create_dir(tmp.path().join("b")).unwrap();
    fs::write(tmp.path().join("b/site.kdl"), shuffled).unwrap();
    bosun::synth::write_pack_folders(&tmp.path().join("b")).unwrap();
    let moved = compile(&root(), tmp.path().join("b/site.kdl").to_str().unwrap(), &tmp.path().join("shuffled"));
    assert_same(&reference, &moved, "synthetic site shuffled");
}

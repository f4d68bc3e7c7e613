//! Golden trees: every site example compiles, in memory, to exactly the files
//! committed under golden/<example>/. `BOSUN_BLESS=1 cargo test` rewrites them.

mod support;

use std::fs;

use support::*;

#[test]
fn examples_match_their_golden_trees() {
    let examples = examples();
    assert!(examples.len() >= 3, "expected the three site examples, found {}", examples.len());
    let mut failures = Vec::new();
    for (name, site) in &examples {
        let (checked, tree) = bosun::compile(site).expect("example readable");
        let Some(tree) = tree else {
            let codes: Vec<_> = checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
            failures.push(format!("{name}: does not compile:\n  {}", codes.join("\n  ")));
            continue;
        };
        let golden = root().join("golden").join(name);
        if blessing() {
            let _ = fs::remove_dir_all(&golden);
            bosun::write::commit(&golden, &tree, true).expect("bless golden tree");
            continue;
        }
        let expected = read_tree(&golden);
        for (path, bytes) in &tree.files {
            match expected.get(path) {
                None => failures.push(format!("{name}: {path} is new (BOSUN_BLESS=1 to accept)")),
                Some(old) if old != bytes => failures.push(format!(
                    "{name}: {path} differs (BOSUN_BLESS=1 to accept):\n{}",
                    similar::TextDiff::from_lines(text(old), text(bytes)).unified_diff().header("golden", "compiled")
                )),
                Some(_) => {}
            }
        }
        for path in expected.keys().filter(|p| !tree.files.contains_key(*p)) {
            failures.push(format!("{name}: golden/{name}/{path} is no longer produced (BOSUN_BLESS=1 removes it)"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_golden_tree_has_an_example() {
    let names: Vec<String> = examples().into_iter().map(|(n, _)| n).collect();
    let dangling = dangling(&root().join("golden"), &names);
    assert!(dangling.is_empty(), "golden trees without a site example: {dangling:?}");
}

#[test]
fn examples_check_clean() {
    for (name, site) in examples() {
        let checked = bosun::check(&site).expect("example readable");
        let found: Vec<_> = checked.diagnostics.iter().map(|d| format!("{}: {}", d.code.id, d.message)).collect();
        assert!(found.is_empty(), "{name} should have no diagnostics, has:\n{}", found.join("\n"));
    }
}

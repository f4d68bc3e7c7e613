//! `check` accepts exactly what `compile` accepts. Every example, every UI
//! case and ten thousand documents with one value changed (a port, a prefix,
//! a count, a name, an address, a MAC, a version, a quantity) go through
//! both, as library calls: neither may panic or report `bosun::internal`,
//! and both report the same errors.

mod support;

use std::collections::BTreeSet;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use bosun::diag::{Diagnostic, Severity};
use bosun::synth::Rng;
use support::*;

/// How many mutated documents the campaign compiles.
const MUTATIONS: usize = 10_000;

/// One round in this many mutates an example rather than a UI case.
const EXAMPLE_EVERY: usize = 6;

/// An error as the user sees it: code, message, spans and help.
fn errors(diagnostics: &[Diagnostic]) -> Vec<String> {
    let errors = diagnostics.iter().filter(|d| d.severity() == Severity::Error);
    errors.map(|d| format!("{} {} {:?} {}", d.code.id, d.message, d.labels, d.help_text())).collect()
}

/// What is wrong with one document's run, if anything.
fn disagreement(site: &Path) -> Option<String> {
    run(site).err()
}

/// Whether `compile` gave a tree, or what is wrong with the run.
fn run(site: &Path) -> Result<bool, String> {
    let run = catch_unwind(AssertUnwindSafe(|| {
        let checked = bosun::check(site).expect("the site is readable");
        let (compiled, tree) = bosun::compile(site).expect("the site is readable");
        (errors(&checked.diagnostics), errors(&compiled.diagnostics), tree.is_some())
    }));
    let Ok((check, compile, written)) = run else {
        return Err("panicked".to_string());
    };
    judge(&check, &compile, written).map_or(Ok(written), Err)
}

/// The verdict on one run: `bosun::internal`, different errors, or a tree
/// written despite errors (or missing without any) are each a finding.
fn judge(check: &[String], compile: &[String], written: bool) -> Option<String> {
    if let Some(internal) = check.iter().chain(compile).find(|e| e.starts_with("bosun::internal ")) {
        return Some(format!("reported {internal}"));
    }
    if check != compile {
        return Some(format!("check said {check:#?}\ncompile said {compile:#?}"));
    }
    if written != compile.is_empty() {
        return Some(format!("compile gave a tree: {written}, with errors {compile:#?}"));
    }
    None
}

/// A copy of `from` in `to`, so mutations never touch the repository.
fn copy_tree(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let dest = to.join(e.path().strip_prefix(from).unwrap());
        if e.file_type().is_dir() {
            fs::create_dir_all(&dest).unwrap();
        } else if e.file_type().is_symlink() {
            // The UI cases' links (to a device, out of the pack folder) stay links.
            std::os::unix::fs::symlink(fs::read_link(e.path()).unwrap(), &dest).unwrap();
        } else {
            fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// A document to mutate: the site it belongs to and the file itself.
struct Seed {
    example: bool,
    site: PathBuf,
    file: PathBuf,
    text: String,
}

/// Every example's .kdl files and every UI case, copied under `tmp`.
fn seeds(tmp: &Path) -> Vec<Seed> {
    let mut out = Vec::new();
    for (name, site) in examples() {
        let dir = tmp.join(&name);
        copy_tree(site.parent().unwrap(), &dir);
        for e in walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
            if e.path().extension().is_some_and(|x| x == "kdl") {
                let text = fs::read_to_string(e.path()).unwrap();
                out.push(Seed { example: true, site: dir.join("site.kdl"), file: e.path().to_path_buf(), text });
            }
        }
    }
    let ui = tmp.join("ui");
    copy_tree(&root().join("tests/ui"), &ui);
    // Cases of undecodable bytes have no values to change.
    for case in ui_cases(&ui) {
        if let Ok(text) = fs::read_to_string(&case) {
            out.push(Seed { example: false, site: case.clone(), file: case, text });
        }
    }
    out
}

fn ui_cases(dir: &Path) -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "kdl"))
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_example_and_ui_case_gets_the_same_answer_from_check_and_compile() {
    let mut sites: Vec<PathBuf> = examples().into_iter().map(|(_, p)| p).collect();
    sites.extend(ui_cases(&root().join("tests/ui")));
    assert!(sites.len() > 100, "the UI cases are found");
    let failed: Vec<String> =
        sites.iter().filter_map(|s| disagreement(s).map(|why| format!("{}: {why}", s.display()))).collect();
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

#[test]
fn ten_thousand_mutated_sites_get_the_same_answer_from_check_and_compile() {
    let tmp = tempfile::tempdir().unwrap();
    let seeds = seeds(tmp.path());
    let sites: BTreeSet<PathBuf> = seeds.iter().filter(|s| s.example).map(|s| s.site.clone()).collect();
    let sites: Vec<PathBuf> = sites.into_iter().collect();
    assert_eq!(sites.len(), examples().len());
    let mut rng = Rng(0xa9ee_0014);
    let ui: Vec<&Seed> = seeds.iter().filter(|s| !s.example).collect();
    let (mut failed, mut seen, mut compiled, mut rendered) = (Vec::new(), BTreeSet::new(), 0, 0);
    for round in 0..MUTATIONS {
        // Examples are where every renderer runs, and cost the most: one
        // round in EXAMPLE_EVERY goes to one of them (each site alike), the
        // others to the small UI cases.
        let seed = if round % EXAMPLE_EVERY == 0 {
            let site = &sites[rng.below(sites.len())];
            let files: Vec<&Seed> = seeds.iter().filter(|s| &s.site == site).collect();
            files[rng.below(files.len())]
        } else {
            ui[rng.below(ui.len())]
        };
        let Some(doc) = support::mutate::value(&seed.text, &mut rng) else { continue };
        fs::write(&seed.file, &doc).unwrap();
        let result = run(&seed.site);
        rendered += usize::from(result == Ok(true));
        if let Err(why) = result {
            // One report per distinct finding keeps a regression readable.
            let key = why.lines().next().unwrap_or_default().to_string();
            if seen.insert(key) {
                let diff = changed_line(&seed.text, &doc);
                failed.push(format!("round {round}, {}: {diff}\n{why}", seed.file.display()));
            }
        }
        fs::write(&seed.file, &seed.text).unwrap();
        compiled += 1;
    }
    assert!(compiled >= MUTATIONS * 9 / 10, "only {compiled} documents had a value to change");
    // Mutations that still compile are the ones every renderer sees.
    assert!(rendered >= MUTATIONS / EXAMPLE_EVERY / 8, "only {rendered} mutated documents compiled");
    eprintln!("{compiled} mutated documents, {rendered} of them compiled to a tree");
    assert!(failed.is_empty(), "{} finding(s):\n\n{}", failed.len(), failed.join("\n\n"));
}

/// The line a mutation changed, for the report.
fn changed_line(before: &str, after: &str) -> String {
    let line = before.lines().zip(after.lines()).find(|(a, b)| a != b);
    line.map_or_else(String::new, |(a, b)| format!("`{}` → `{}`", a.trim(), b.trim()))
}

#[test]
fn the_judge_rejects_each_kind_of_disagreement() {
    let e = |s: &str| vec![s.to_string()];
    let internal = e("bosun::internal rendering failed: no kubeadm file [] report it");
    assert!(judge(&[], &internal, false).is_some(), "an internal error on compile only");
    assert!(judge(&internal, &internal, false).is_some(), "an internal error on both");
    assert!(judge(&[], &e("bosun::x::y m [] h"), false).is_some(), "check passed, compile failed");
    assert!(judge(&e("bosun::x::y m [] h"), &[], true).is_some(), "check failed, compile passed");
    assert!(judge(&e("bosun::x::y m [] h"), &e("bosun::x::y m [] h"), true).is_some(), "a tree despite errors");
    assert!(judge(&[], &[], false).is_some(), "no tree and no error");
    assert!(judge(&e("bosun::x::y m [] h"), &e("bosun::x::y m [] h"), false).is_none());
    assert!(judge(&[], &[], true).is_none());
}

//! Thousands of broken documents — truncated, bytes flipped, lines duplicated,
//! dropped or swapped, values replaced by wrong ones — go through `check`: none may panic, and the binary
//! exits 0 or 1, never anything else.

mod support;

use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};

use bosun::synth::Rng;
use support::*;

fn seeds() -> Vec<Vec<u8>> {
    let mut dirs = vec![root().join("tests/ui"), root().join("tests/fixtures")];
    dirs.extend(examples().into_iter().map(|(_, p)| p.parent().unwrap().to_path_buf()));
    let mut out = Vec::new();
    for dir in dirs {
        for e in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
            if e.path().extension().is_some_and(|x| x == "kdl") {
                out.push(fs::read(e.path()).unwrap());
            }
        }
    }
    assert!(!out.is_empty());
    out
}

/// A byte-level change, or (one time in three) a value changed for a wrong
/// one of its shape (tests/support/mutate.rs).
fn mutate(doc: &[u8], rng: &mut Rng) -> Vec<u8> {
    if rng.below(3) == 0
        && let Ok(text) = std::str::from_utf8(doc)
        && let Some(changed) = mutate::value(text, rng)
    {
        return changed.into_bytes();
    }
    mutate::bytes(doc, rng)
}

#[test]
fn mutated_documents_never_panic() {
    let seeds = seeds();
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng(0x5eed_b05e);
    let mut ran = 0;
    for round in 0..3000 {
        let base = &seeds[rng.below(seeds.len())];
        let mut doc = mutate(base, &mut rng);
        if rng.below(3) == 0 {
            doc = mutate(&doc, &mut rng);
        }
        let path = tmp.path().join("site.kdl");
        fs::write(&path, &doc).unwrap();
        let result = catch_unwind(AssertUnwindSafe(|| {
            let checked = bosun::check(&path).expect("the file exists");
            for d in &checked.diagnostics {
                let _ = bosun::diag::render_human(d, &checked.sources, false, 100);
                let _ = bosun::diag::render_json(d, &checked.sources);
                let _ = bosun::diag::render_github(d, &checked.sources);
            }
            if !checked.has_errors() {
                let _ = bosun::compile(&path);
            }
        }));
        assert!(result.is_ok(), "round {round} panicked on:\n{}", String::from_utf8_lossy(&doc));
        ran += 1;
    }
    assert_eq!(ran, 3000);
}

#[test]
fn the_binary_exits_0_or_1_on_broken_documents() {
    let seeds = seeds();
    let tmp = tempfile::tempdir().unwrap();
    let mut rng = Rng(0xb1a5_ed00);
    for round in 0..150 {
        let doc = mutate(&seeds[rng.below(seeds.len())], &mut rng);
        fs::write(tmp.path().join("site.kdl"), &doc).unwrap();
        let out = bosun(tmp.path(), &["check", "site.kdl"]);
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "round {round}: exit {code:?}\n{}\n--- input:\n{}",
            text(&out.stderr),
            text(&doc)
        );
    }
}

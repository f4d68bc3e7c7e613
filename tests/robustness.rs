//! Thousands of broken documents — truncated, bytes flipped, lines duplicated,
//! dropped or swapped — go through `check`: none may panic, and the binary
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

const TOKENS: &[&[u8]] = &[
    b"{",
    b"}",
    b"\"",
    b"=",
    b"#true",
    b"#null",
    b"host",
    b"-1",
    b"/*",
    b"\\",
    b"\n",
    b";",
    b"(t)",
    b"include \"*\"",
    b"\xff",
    b"\xc3",
];

fn mutate(doc: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut lines: Vec<Vec<u8>> = doc.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect();
    match rng.below(6) {
        0 => {
            let mut d = doc.to_vec();
            d.truncate(rng.below(doc.len() + 1));
            return d;
        }
        1 => {
            let mut d = doc.to_vec();
            for _ in 0..=rng.below(4) {
                let i = rng.below(d.len());
                if let Some(b) = d.get_mut(i) {
                    *b = (rng.next_u64() % 256) as u8;
                }
            }
            return d;
        }
        2 => {
            let i = rng.below(lines.len());
            let line = lines[i].clone();
            lines.insert(rng.below(lines.len() + 1), line);
        }
        3 => {
            if !lines.is_empty() {
                lines.remove(rng.below(lines.len()));
            }
        }
        4 => {
            let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
            lines.swap(a, b);
        }
        _ => {
            let mut d = doc.to_vec();
            let at = rng.below(d.len() + 1);
            let token = TOKENS[rng.below(TOKENS.len())];
            d.splice(at..at, token.iter().copied());
            return d;
        }
    }
    lines.join(&b'\n')
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

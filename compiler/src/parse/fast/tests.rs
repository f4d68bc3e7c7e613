//! The fast parser must agree with the kdl crate wherever it answers: same
//! nodes, values and spans. Where it declines, the kdl crate decides.

use std::path::Path;

use super::{parse, parse_in_halves, parse_range, top_level_break};
use crate::diag::Diagnostics;
use crate::parse::tree;
use crate::source::FileId;
use crate::synth::Rng;

const FILE: FileId = FileId(0);

/// The nodes as the kdl crate route builds them, or `None` when it rejects the text.
fn reference(text: &str) -> Option<String> {
    let doc = kdl::KdlDocument::parse_v2(text).ok()?;
    let mut diags = Diagnostics::default();
    let nodes = tree::convert(&doc, FILE, text, &mut diags);
    // Type annotations parse but are errors: the fast parser declines them.
    (!diags.has_errors()).then(|| format!("{nodes:#?}"))
}

/// Fails when the fast parser accepts what the kdl crate rejects or builds
/// different nodes; returns whether the fast parser answered.
fn agrees(text: &str) -> bool {
    let whole = parse(text, FILE).map(|n| format!("{n:#?}"));
    // Read in halves (as large files are), the text gives the same answer.
    let halves = parse_in_halves(text, FILE, 0).map(|n| format!("{n:#?}"));
    assert_eq!(halves, whole, "reading in halves differs for:\n{text}");
    let Some(fast) = whole else { return false };
    match reference(text) {
        Some(expected) => assert_eq!(fast, expected, "different nodes for:\n{text}"),
        None => panic!("the fast parser accepts text the kdl crate rejects:\n{text}"),
    }
    true
}

fn corpus() -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut out = Vec::new();
    for dir in ["site-examples", "tests/ui", "tests/fixtures"] {
        for e in walkdir::WalkDir::new(root.join(dir)).sort_by_file_name().into_iter().filter_map(Result::ok) {
            if e.path().extension().is_some_and(|x| x == "kdl") {
                out.extend(std::fs::read_to_string(e.path()).ok());
            }
        }
    }
    out.push(crate::synth::site(crate::synth::Spec::new(100)));
    out
}

#[test]
fn answers_for_every_example_and_the_synthetic_site() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../site-examples");
    for e in walkdir::WalkDir::new(root).into_iter().filter_map(Result::ok) {
        if e.path().extension().is_some_and(|x| x == "kdl") {
            let text = std::fs::read_to_string(e.path()).unwrap();
            assert!(agrees(&text), "the fast parser declined {}", e.path().display());
        }
    }
    assert!(agrees(&crate::synth::site(crate::synth::Spec::new(100))));
}

#[test]
fn reads_a_large_site_in_halves() {
    let text = crate::synth::site(crate::synth::Spec::new(100));
    let mid = top_level_break(&text).expect("a top-level node ends past the middle");
    let first = parse_range(&text, FILE, 0, mid).expect("first half");
    let second = parse_range(&text, FILE, mid, text.len()).expect("second half");
    assert!(!first.is_empty() && !second.is_empty());
    let joined: Vec<_> = first.into_iter().chain(second).collect();
    assert_eq!(format!("{joined:#?}"), format!("{:#?}", parse(&text, FILE).unwrap()));
}

#[test]
fn agrees_on_every_ui_case() {
    let answered = corpus().iter().filter(|t| agrees(t)).count();
    // Most UI cases are valid KDL with semantic errors: the subset covers them.
    assert!(answered > 150, "the fast parser answered only {answered} documents");
}

#[test]
fn agrees_on_the_forms_it_takes_and_declines_the_rest() {
    let taken = [
        "a",
        "a;b;c",
        "a 1 -2 +3 1_000 1.5 -0.25e3 1e10 2E-2",
        "a \"x\\ny\\t\\\"\\\\\\s\\u{1F600}\\b\\f\\r\" b",
        "a key=value k2 = 1 \"quoted key\"=#true n=#null f=#false",
        "a {\n  b {\n    c 1\n  }\n}\n",
        "a{b}",
        "a { b; c }",
        "a /* x /* nested */ y */ 1 // trailing\nb",
        "a 1 // end\n",
        "// only a comment",
        "a -x +y - + a.b:c",
        "a\r\nb\rc\n",
        "\"node name\" 1",
        "a \"é ü\" \"é\"=1",
        "a 'x' <y> ,z ~!$%&*?@^|:",
    ];
    for text in taken {
        assert!(agrees(text), "declined: {text}");
    }
    let declined = [
        "a (t)1",
        "/-a\nb",
        "a /-1 2",
        "a \\\n 1",
        "a #\"raw\"#",
        "a \"\"\"\n  x\n  \"\"\"",
        "a 0x1F 0o7 0b1",
        "a #inf #-inf #nan",
        "a .5",
        "a true",
        "a inf",
        "a \"x\\/y\"",
        "a \"x\\  y\"",
        "\u{FEFF}a",
        "a\u{2028}b",
        "a\u{a0}1",
        "a \"\u{200E}\"",
        "a 1a",
        "a \"x\"\"y\"",
        "a }",
        "a {",
        ";",
        "a { b } c",
        "a 1.",
        "a 99999999999999999999999999999999999999999999",
    ];
    for text in declined {
        assert!(parse(text, FILE).is_none(), "took: {text}");
        let _ = agrees(text);
    }
}

const TOKENS: &[&str] = &[
    "{", "}", "\"", "=", " = ", "#true", "#null", "#inf", "host", "-1", "+1", "1.5e3", "0x1F", "1_0", ".5", "+.1", "-",
    "/*", "*/", "//", "/-", "\\", "\\u{41}", "\\s", "\n", "\r", ";", "(t)", "\"\"\"", "#\"r\"#", "true", "inf", "é",
    "\u{FEFF}", "\u{2028}", "\u{a0}", "\t", "\u{7}", "'", ",",
];

/// Token insertions, deletions and truncations of every corpus document.
#[test]
fn agrees_on_mutated_documents() {
    let corpus = corpus();
    let mut rng = Rng(0x05ee_d0fb_05a0);
    let mut answered = 0;
    for round in 0..4000 {
        let base = &corpus[round % corpus.len()];
        let mut text = base.clone();
        for _ in 0..=rng.below(3) {
            let mut at = rng.below(text.len() + 1);
            while !text.is_char_boundary(at) {
                at -= 1;
            }
            match rng.below(3) {
                0 => text.insert_str(at, TOKENS[rng.below(TOKENS.len())]),
                1 => {
                    let mut end = (at + 1 + rng.below(8)).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    text.replace_range(at..end, "");
                }
                _ => text.truncate(at),
            }
        }
        answered += usize::from(agrees(&text));
    }
    assert!(answered > 1000, "the fast parser answered only {answered} mutated documents");
}

//! docs/diagnostics.md is generated from the code registry, so it lists every
//! code with its real help text; `BOSUN_BLESS=1 cargo test` regenerates it.

mod support;

use std::collections::BTreeMap;
use std::fmt::Write;
use std::fs;

use support::*;

/// UI cases per code, read from their `// expect:` headers.
fn examples_by_code() -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut files: Vec<_> =
        fs::read_dir(root().join("tests/ui")).unwrap().filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "kdl")) {
        let text = String::from_utf8_lossy(&fs::read(path).unwrap()).into_owned();
        for line in text.lines().take_while(|l| l.starts_with("//")) {
            if let Some(code) = line.trim_start_matches('/').trim().strip_prefix("expect:") {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                out.entry(code.trim().to_string()).or_default().push(name);
            }
        }
    }
    out
}

fn render() -> String {
    let mut codes = bosun::all_codes();
    codes.sort_by_key(|c| c.id);
    let examples = examples_by_code();
    let mut md = String::new();
    md.push_str("# Diagnostics\n\n");
    md.push_str("Every diagnostic bosun prints has a stable code. Errors make `check` and `compile` exit 1; ");
    md.push_str("warnings do not, unless `--deny-warnings` is given. Each entry gives the rule, the default help ");
    md.push_str("line (some diagnostics print a more specific one) and the UI test cases that show it.\n\n");
    md.push_str("This file is generated from the compiler's code registry by `tests/docs.rs`; ");
    md.push_str("regenerate it with `BOSUN_BLESS=1 cargo test --test docs`.\n\n");
    md.push_str("| code | severity | rule |\n|---|---|---|\n");
    for c in &codes {
        let _ = writeln!(md, "| [`{}`](#{}) | {} | {} |", c.id, anchor(c.id), c.severity.as_str(), c.summary);
    }
    for c in &codes {
        let _ = write!(md, "\n## {}\n\n**{}** — {}.\n\nHelp: {}\n", c.id, c.severity.as_str(), c.summary, c.help);
        if let Some(cases) = examples.get(c.id) {
            let links: Vec<String> = cases.iter().map(|f| format!("[{f}](../tests/ui/{f})")).collect();
            let _ = write!(md, "\nExamples: {}\n", links.join(", "));
        }
    }
    md
}

/// GitHub's heading anchors: lowercase, punctuation other than '-' dropped.
fn anchor(id: &str) -> String {
    id.chars().filter(|c| c.is_alphanumeric() || *c == '-').collect::<String>().to_lowercase()
}

#[test]
fn diagnostics_doc_is_current() {
    let path = root().join("docs/diagnostics.md");
    let fresh = render();
    if blessing() {
        fs::write(&path, fresh).unwrap();
        return;
    }
    let current = fs::read_to_string(&path).unwrap_or_default();
    assert!(current == fresh, "docs/diagnostics.md is stale; run BOSUN_BLESS=1 cargo test --test docs");
}

#[test]
fn codes_are_unique_and_well_formed() {
    let codes = bosun::all_codes();
    let mut ids: Vec<&str> = codes.iter().map(|c| c.id).collect();
    ids.sort();
    let before = ids.len();
    ids.dedup();
    assert_eq!(before, ids.len(), "duplicate code ids");
    for c in codes {
        assert!(
            c.id.starts_with("bosun::")
                && c.id.chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ":-".contains(ch)),
            "{}",
            c.id
        );
        assert!(!c.help.is_empty() && !c.summary.is_empty(), "{}", c.id);
    }
}

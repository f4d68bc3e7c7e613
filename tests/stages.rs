//! The pipeline's shape, checked on the source of compiler/src: no module
//! reaches into a later stage (the order below is the one
//! docs/architecture.md gives), and the built-in packs are named through
//! the catalog only (`packs::catalog`), so a misspelt pack name is a compile
//! error instead of a feature silently switched off.
//!
//! Test code (`tests.rs` files, anything after a `#[cfg(test)]`) and comments
//! are left out: tests drive the whole pipeline, and docs name what they like.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::*;

/// The top-level modules of compiler/src by stage, earliest first. A module
/// may use its own stage and earlier ones. The first row is the foundation
/// every stage shares (and which uses nothing else); the last row drives the
/// pipeline (commands and the library's entry points) and may use anything.
const STAGES: &[&[&str]] = &[
    &["source", "diag", "hash", "suggest", "support", "timings"],
    &["parse"],
    &["lint"],
    &["structure"],
    &["model"],
    &["packs"],
    &["validate"],
    &["plan"],
    &["render"],
    &["write"],
    &["review", "explain", "fmt", "import", "synth", "cli", "lib", "main"],
];

/// Items of lib.rs that are not modules: the pipeline's entry points.
const LIB_ITEMS: &[&str] = &["check", "check_timed", "compile", "compile_timed", "all_codes", "Checked"];

fn stage_of(module: &str) -> Option<usize> {
    if LIB_ITEMS.contains(&module) {
        return Some(STAGES.len() - 1);
    }
    STAGES.iter().position(|row| row.contains(&module))
}

/// Every .rs file under `dir` that is not test code, with its top-level module.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap().map(Result::unwrap) {
            let path = entry.path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if path.is_dir() {
                if name != "tests" {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") && name != "tests.rs" {
                let rel = path.strip_prefix(dir).unwrap();
                let first = rel.components().next().unwrap().as_os_str().to_string_lossy().into_owned();
                out.push((path, first.trim_end_matches(".rs").to_string()));
            }
        }
    }
    out.sort();
    out
}

/// The code of a file: up to its first `#[cfg(test)]`, comment lines blanked
/// (so line numbers stay the file's).
fn code(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap();
    let code = text.split("#[cfg(test)]").next().unwrap_or("");
    code.lines().map(|l| if l.trim_start().starts_with("//") { "" } else { l }).collect::<Vec<_>>().join("\n")
}

/// The first path segment of every `crate::` path in `code`, with the line
/// it is on; `crate::{a, b::c}` gives `a` and `b`.
fn crate_paths(code: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut rest = code;
    let mut offset = 0;
    while let Some(i) = rest.find("crate::") {
        let at = offset + i;
        let after = &rest[i + "crate::".len()..];
        let line = code[..at].matches('\n').count() + 1;
        let is_word = |c: char| c.is_alphanumeric() || c == '_';
        let preceded = code[..at].chars().next_back().is_some_and(is_word);
        if !preceded {
            if let Some(group) = after.strip_prefix('{') {
                let group = &group[..group.find('}').unwrap_or(group.len())];
                for item in group.split(',') {
                    let ident: String = item.trim().chars().take_while(|c| is_word(*c)).collect();
                    if !ident.is_empty() {
                        out.push((line, ident));
                    }
                }
            } else {
                out.push((line, after.chars().take_while(|c| is_word(*c)).collect()));
            }
        }
        offset = at + "crate::".len();
        rest = &code[offset..];
    }
    out
}

/// Every use of a later stage in the sources under `dir`, as messages.
fn crossings(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    for (path, module) in sources(dir) {
        let Some(own) = stage_of(&module) else {
            found.push(format!("{}: module `{module}` has no place in STAGES", path.display()));
            continue;
        };
        for (line, used) in crate_paths(&code(&path)) {
            match stage_of(&used) {
                None => found.push(format!("{}:{line}: `crate::{used}` has no place in STAGES", path.display())),
                Some(s) if s > own || (own == 0 && s > 0) => found.push(format!(
                    "{}:{line}: `{module}` (stage {own}) uses `crate::{used}` (stage {s}), a later stage",
                    path.display()
                )),
                Some(_) => {}
            }
        }
    }
    found
}

#[test]
fn no_module_uses_a_later_stage() {
    let found = crossings(&root().join("compiler/src"));
    assert!(found.is_empty(), "stage crossings (see docs/architecture.md):\n{}", found.join("\n"));
}

/// A source tree of `(path, text)` files in a temporary folder.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    dir
}

#[test]
fn a_planted_crossing_is_found() {
    let dir = tree(&[
        ("model/mod.rs", "use crate::diag::Diagnostics;\nuse crate::{source, render::yaml};\n"),
        ("render/mod.rs", "use crate::plan::Plan;\n// crate::cli in a comment is no use\n"),
        ("plan.rs", "fn f() { crate::model::build(); }\n#[cfg(test)]\nmod t { use crate::render; }\n"),
    ]);
    let found = crossings(dir.path());
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].contains("`model` (stage 4) uses `crate::render`"), "{found:#?}");
}

/// Files that may spell built-in pack names: the catalog itself, and the
/// synthetic site generator, whose KDL text is site input.
const NAMES_ALLOWED_IN: &[&str] = &["packs/catalog.rs", "synth.rs"];

/// Whether `line` has `"name"` as a string literal other than a key of a
/// JSON object (`"flannel": {…}` is the flannel chart's own setting).
fn names_pack(line: &str, name: &str) -> bool {
    let quoted = format!("\"{name}\"");
    line.match_indices(&quoted).any(|(i, _)| {
        let after = line[i + quoted.len()..].trim_start();
        !after.starts_with(':') || after.starts_with("::")
    })
}

fn pack_name_literals(dir: &Path) -> Vec<String> {
    let names: Vec<&str> = bosun::packs::builtin_names().collect();
    let mut found = Vec::new();
    for (path, _) in sources(dir) {
        let rel = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
        if NAMES_ALLOWED_IN.contains(&rel.as_str()) {
            continue;
        }
        for (n, line) in code(&path).lines().enumerate() {
            for name in names.iter().filter(|name| names_pack(line, name)) {
                found.push(format!("{rel}:{}: \"{name}\" (use packs::catalog's constant)", n + 1));
            }
        }
    }
    found
}

#[test]
fn built_in_pack_names_come_from_the_catalog() {
    let found = pack_name_literals(&root().join("compiler/src"));
    assert!(found.is_empty(), "built-in pack names spelt outside the catalog:\n{}", found.join("\n"));
}

#[test]
fn a_planted_pack_name_is_found() {
    let dir = tree(&[
        ("packs/catalog.rs", "pub const KUEUE: &str = \"kueue\";\n"),
        ("a.rs", "// \"kueue\" in a comment\nfn f(p: &str) -> bool { p == \"kueue\" }\njson!({\"kueue\": 1});\n"),
    ]);
    let found = pack_name_literals(dir.path());
    assert_eq!(found, ["a.rs:2: \"kueue\" (use packs::catalog's constant)"]);
}

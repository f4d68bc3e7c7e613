//! MANIFEST: every file bosun wrote, with its SHA-256, in `sha256sum` format
//! so `sha256sum -c MANIFEST` verifies a tree; `#` lines carry the compiler
//! version and the site digest.

use std::collections::BTreeMap;

use rayon::prelude::*;

pub const NAME: &str = "MANIFEST";

pub fn render(files: &BTreeMap<String, Vec<u8>>, digest: &str) -> String {
    // Sized up front: a large tree's MANIFEST is megabytes, and growing it
    // copies and zeroes pages again at every doubling.
    let lines: usize = files.keys().map(|path| 64 + 2 + path.len() + 1).sum();
    let mut out = String::with_capacity(lines + 256 + digest.len());
    out.push_str("# bosun MANIFEST: the files bosun wrote here; check them with `sha256sum -c MANIFEST`\n");
    out.push_str(&format!("# compiler: bosun {}\n", env!("CARGO_PKG_VERSION")));
    out.push_str(&format!("# site-digest: {digest}\n"));
    let hashes: Vec<String> = files.par_iter().map(|(_, bytes)| crate::hash::sha256_hex(bytes)).collect();
    for (path, hash) in files.keys().zip(hashes) {
        out.push_str(&hash);
        out.push_str("  ");
        out.push_str(path);
        out.push('\n');
    }
    out
}

/// Path → recorded SHA-256 of a previous MANIFEST (itself included, with no hash).
pub fn parse(text: &str) -> BTreeMap<String, Option<String>> {
    let mut owned: BTreeMap<String, Option<String>> = text
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_once("  "))
        .filter(|(hash, path)| hash.len() == 64 && !path.is_empty())
        .map(|(hash, path)| (path.to_string(), Some(hash.to_string())))
        .collect();
    owned.insert(NAME.to_string(), None);
    owned
}

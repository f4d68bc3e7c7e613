//! MANIFEST: every file bosun wrote, with its SHA-256, in `sha256sum` format
//! so `sha256sum -c MANIFEST` verifies a tree; `#` lines carry the compiler
//! version and the site digest.

use std::collections::BTreeMap;

use rayon::prelude::*;

use super::guard::{Refusal, entry_refusal, plain_path};

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

/// Path → recorded SHA-256 of a previous MANIFEST (itself included, with
/// no hash), and every line bosun would not have written. The file may come
/// from anyone (the tree is committed): only `<sha256>  <plain path>` lines
/// are taken.
pub fn parse(text: &str) -> (BTreeMap<String, Option<String>>, Vec<Refusal>) {
    let mut owned = BTreeMap::new();
    let mut refused = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.starts_with('#')) {
        let entry = line.split_once("  ").filter(|(hash, _)| {
            hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        let Some((hash, path)) = entry else {
            refused.push(entry_refusal(NAME, n + 1, line, "not a `<sha256>  <path>` line"));
            continue;
        };
        match plain_path(path) {
            Ok(()) => {
                owned.insert(path.to_string(), Some(hash.to_string()));
            }
            Err(why) => refused.push(entry_refusal(NAME, n + 1, path, why)),
        }
    }
    owned.insert(NAME.to_string(), None);
    (owned, refused)
}

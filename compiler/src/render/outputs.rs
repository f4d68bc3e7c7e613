//! The rendered tree: output path → bytes, ordered so every consumer (the
//! writer, MANIFEST, `--check`) sees the files in one stable order.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;

/// A relative output path built only from validated names: each component is
/// `[A-Za-z0-9._-]+`, not `.` or `..`, so no path can leave the output folder.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OutPath(String);

impl OutPath {
    pub fn new(components: &[&str]) -> Result<OutPath, String> {
        for c in components {
            let ok = !c.is_empty()
                && *c != "."
                && *c != ".."
                && c.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
            if !ok {
                return Err(format!("unsafe output path component {c:?}"));
            }
        }
        if components.is_empty() {
            return Err("empty output path".into());
        }
        Ok(OutPath(components.join("/")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for OutPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A text with the LF line ends and final newline the output contract
/// promises.
#[derive(Debug)]
pub struct LfText(String);

impl LfText {
    pub fn new(text: String) -> LfText {
        // Most texts have no CR: they are kept, not copied.
        let mut text = if text.contains('\r') { text.replace("\r\n", "\n") } else { text };
        if !text.ends_with('\n') {
            text.push('\n');
        }
        LfText(text)
    }
}

#[derive(Debug, Default)]
pub struct Outputs {
    files: BTreeMap<OutPath, Vec<u8>>,
}

impl Outputs {
    /// Adds a text file; ensures the LF line ends and final newline the
    /// output contract promises.
    pub fn text(&mut self, components: &[&str], text: String) -> Result<(), String> {
        self.lf_text(components, LfText::new(text))
    }

    /// Adds a text file whose line ends are seen to already: renderers
    /// that build texts on many threads do it there, not on the one
    /// thread that collects them.
    pub fn lf_text(&mut self, components: &[&str], text: LfText) -> Result<(), String> {
        let path = OutPath::new(components)?;
        match self.files.entry(path) {
            Entry::Occupied(e) => Err(format!("two renderers wrote {}", e.key())),
            Entry::Vacant(e) => {
                e.insert(text.0.into_bytes());
                Ok(())
            }
        }
    }

    /// How many files each top-level folder (or file) holds.
    pub fn counts(&self) -> BTreeMap<&str, usize> {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for path in self.files.keys() {
            *counts.entry(path.as_str().split('/').next().unwrap_or("")).or_default() += 1;
        }
        counts
    }

    pub fn iter(&self) -> impl Iterator<Item = (&OutPath, &Vec<u8>)> {
        self.files.iter()
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Adds the files renderers wrote elsewhere; a path both wrote is a bug.
    pub fn absorb(&mut self, mut other: Outputs) -> Result<(), String> {
        // Both are sorted: one pass finds a path in both.
        let mut mine = self.files.keys().peekable();
        for path in other.files.keys() {
            while mine.next_if(|m| *m < path).is_some() {}
            if mine.peek() == Some(&path) {
                return Err(format!("two renderers wrote {path}"));
            }
        }
        self.files.append(&mut other.files);
        Ok(())
    }

    pub fn into_files(self) -> BTreeMap<OutPath, Vec<u8>> {
        self.files
    }
}

#[cfg(test)]
mod tests {
    use super::{OutPath, Outputs};

    #[test]
    fn refuses_paths_that_escape() {
        assert!(OutPath::new(&["cluster", "namespaces", "team-a.yaml"]).is_ok());
        for bad in [&["..", "etc"][..], &["a/b"], &["."], &[""], &["x y"]] {
            assert!(OutPath::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn absorbing_names_a_file_two_renderers_wrote() {
        let mut a = Outputs::default();
        let mut b = Outputs::default();
        a.text(&["x", "1"], "a".into()).unwrap();
        a.text(&["x", "3"], "a".into()).unwrap();
        b.text(&["x", "2"], "b".into()).unwrap();
        a.absorb(b).unwrap();
        assert_eq!(a.len(), 3);
        let mut c = Outputs::default();
        c.text(&["x", "0"], "c".into()).unwrap();
        c.text(&["x", "3"], "c".into()).unwrap();
        assert_eq!(a.absorb(c).unwrap_err(), "two renderers wrote x/3");
    }
}

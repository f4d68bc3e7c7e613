//! Source files of one site and byte spans into them.
//!
//! Every later stage refers to text through [`Span`], so a diagnostic raised
//! anywhere in the pipeline can point at the exact place in the exact file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Index of a file in a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// A byte range in one source file. Offsets are 32-bit: every value of a
/// site carries spans, and a large site has hundreds of thousands of values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub file: FileId,
    start: u32,
    end: u32,
}

impl Span {
    /// Offsets past 4 GiB (no site file is that large) are clamped.
    pub fn new(file: FileId, start: usize, end: usize) -> Self {
        let clamp = |o: usize| u32::try_from(o).unwrap_or(u32::MAX);
        Span { file, start: clamp(start), end: clamp(end).max(clamp(start)) }
    }

    pub fn start(&self) -> usize {
        self.start as usize
    }

    pub fn end(&self) -> usize {
        self.end as usize
    }

    pub fn range(&self) -> std::ops::Range<usize> {
        self.start()..self.end()
    }

    /// The smallest span covering both (same file assumed; the first wins otherwise).
    pub fn to(self, other: Span) -> Span {
        if self.file != other.file {
            return self;
        }
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// One loaded file.
#[derive(Debug)]
pub struct SourceFile {
    /// How the file is shown to the user: the path as given on the command
    /// line, joined with include paths, never made absolute.
    pub name: String,
    /// Where it was read from (canonical), used for include cycle checks.
    pub path: PathBuf,
    pub text: Arc<str>,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// 1-based line and column (columns count characters, as editors do).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }
}

/// Every file of one site, in the order they were loaded.
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, name: String, path: PathBuf, text: String) -> FileId {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        let id = FileId(self.files.len() as u32);
        self.files.push(SourceFile { name, path, text: text.into(), line_starts });
        id
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn find(&self, path: &Path) -> Option<FileId> {
        self.files.iter().position(|f| f.path == path).map(|i| FileId(i as u32))
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }

    /// Swaps a file's text for a redacted copy of it. The copy has the same
    /// length and the same line breaks, so every span and line still holds.
    pub(crate) fn replace_text(&mut self, id: FileId, text: String) {
        let file = &mut self.files[id.0 as usize];
        debug_assert_eq!(file.text.len(), text.len(), "a redacted text keeps its length");
        file.text = text.into();
    }

    pub fn text(&self, span: Span) -> &str {
        self.get(span.file).text.get(span.range()).unwrap_or("")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let mut map = SourceMap::default();
        let id = map.add("s.kdl".into(), PathBuf::from("/s.kdl"), "ab\n\"é\" x\n".into());
        let f = map.get(id);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // 'x' sits after a two-byte character: byte 8, column 5.
        assert_eq!(f.line_col(8), (2, 5));
        assert_eq!(map.text(Span::new(id, 3, 7)), "\"é\"");
    }
}

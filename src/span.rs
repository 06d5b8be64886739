//! Source locations: one small `Copy` span type used from the parser to the engine.

use serde::{Deserialize, Serialize};

/// A byte range `start..end` in one source file.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
pub struct Span {
    /// Offset of the first byte.
    pub start: u32,
    /// Offset just past the last byte.
    pub end: u32,
}

impl Span {
    /// A span from byte offsets.
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    /// The smallest span covering both.
    pub fn join(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// Length in bytes.
    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    /// Whether the span covers no byte.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The text the span covers.
    pub fn text(self, src: &str) -> &str {
        &src[self.start as usize..self.end as usize]
    }
}

/// Line and column (both 1-based, column in characters) of a byte offset. It scans from the start
/// of the file; for many offsets in one file, use [`LineIndex::line_col`].
pub fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = &src[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// Offsets at which each line starts, to turn many offsets into line numbers cheaply.
#[derive(Clone, Debug)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    /// Index the line starts of `src`.
    pub fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', src.as_bytes()).map(|i| i as u32 + 1));
        LineIndex { starts }
    }

    /// The 1-based line of a byte offset.
    pub fn line(&self, offset: u32) -> u32 {
        match self.starts.binary_search(&offset) {
            Ok(i) => i as u32 + 1,
            Err(i) => i as u32,
        }
    }

    /// The offset where a 1-based line starts; past the last line, `None`.
    pub fn line_start(&self, line: u32) -> Option<usize> {
        let i = (line as usize).checked_sub(1)?;
        self.starts.get(i).map(|&s| s as usize)
    }

    /// Line and column (both 1-based, column in characters) of a byte offset, as [`line_col`]
    /// gives them but in time proportional to the line's length, not the file's.
    pub fn line_col(&self, src: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(src.len());
        let line = self.line(offset as u32);
        let start = self.line_start(line).unwrap_or(0).min(offset);
        let col = src.get(start..offset).map_or(0, |s| s.chars().count()) + 1;
        (line as usize, col)
    }
}

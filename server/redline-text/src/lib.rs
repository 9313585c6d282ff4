//! Byte positions inside UTF-8 text, and the line index that turns them into lines and columns.
//!
//! Every stored position in redline is a byte offset (`TextSize`) or a half-open byte range
//! (`TextRange`). Lines and columns exist only for display and are computed here.

pub mod visible;

use std::fmt;
use std::ops::{Add, Sub};

/// A byte offset into a UTF-8 source text.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TextSize(u32);

/// A half-open byte range `start..end` into a UTF-8 source text.
// Invariant: start <= end.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TextRange {
    start: TextSize,
    end: TextSize,
}

/// A 1-based line and 1-based column, where the column counts Unicode scalar values.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct LineColumn {
    /// 1-based line number.
    pub line: u32,
    /// 1-based column in Unicode scalar values.
    pub column: u32,
}

/// The start offset of every line of a text, for offset → line/column conversion.
#[derive(Clone, Debug)]
pub struct LineIndex {
    // Invariant: line_starts[0] == 0 and the offsets are strictly increasing.
    line_starts: Vec<TextSize>,
    text_len: TextSize,
    /// For each block of `BLOCK` bytes, how many characters the text holds before it; built
    /// on the first column asked far into a long line (a minified JSON plan is one line).
    block_chars: std::sync::OnceLock<Vec<u32>>,
}

/// The size of the blocks of `LineIndex::block_chars`, and how far from its line start a
/// column is counted character by character.
const BLOCK: usize = 4096;

/// How many characters start in `bytes`: the bytes that are not UTF-8 continuation bytes.
fn char_starts(bytes: &[u8]) -> usize {
    if bytes.is_ascii() {
        return bytes.len();
    }
    bytes.iter().filter(|byte| (**byte as i8) >= -0x40).count()
}

impl TextSize {
    /// Creates an offset from a raw byte count.
    pub const fn new(offset: u32) -> Self {
        Self(offset)
    }

    /// Converts a `usize` byte offset, saturating at `u32::MAX`.
    ///
    /// Inputs are limited to far below 4 GiB by the file size cap, so saturation never happens
    /// for analysed text.
    pub fn from_usize(offset: usize) -> Self {
        Self(u32::try_from(offset).unwrap_or(u32::MAX))
    }

    /// The offset as a `u32`.
    pub const fn to_u32(self) -> u32 {
        self.0
    }

    /// The offset as a `usize`, for slicing.
    pub const fn to_usize(self) -> usize {
        self.0 as usize
    }
}

impl fmt::Debug for TextSize {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Add for TextSize {
    type Output = TextSize;
    fn add(self, rhs: TextSize) -> TextSize {
        TextSize(self.0.saturating_add(rhs.0))
    }
}

impl Sub for TextSize {
    type Output = TextSize;
    fn sub(self, rhs: TextSize) -> TextSize {
        TextSize(self.0.saturating_sub(rhs.0))
    }
}

impl From<u32> for TextSize {
    fn from(offset: u32) -> Self {
        Self(offset)
    }
}

impl TextRange {
    /// Creates a range; `end` is clamped so that the range is never inverted.
    pub fn new(start: TextSize, end: TextSize) -> Self {
        Self {
            start,
            end: end.max(start),
        }
    }

    /// Creates a range from `usize` byte offsets.
    pub fn from_usize(start: usize, end: usize) -> Self {
        Self::new(TextSize::from_usize(start), TextSize::from_usize(end))
    }

    /// An empty range at `offset`, used for insertions.
    pub fn empty(offset: TextSize) -> Self {
        Self::new(offset, offset)
    }

    /// The first byte of the range.
    pub const fn start(self) -> TextSize {
        self.start
    }

    /// One past the last byte of the range.
    pub const fn end(self) -> TextSize {
        self.end
    }

    /// The length in bytes.
    pub fn len(self) -> TextSize {
        self.end - self.start
    }

    /// Whether the range covers no byte.
    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// Whether `offset` lies inside the half-open range.
    pub fn contains(self, offset: TextSize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// Whether `other` lies completely inside this range.
    pub fn contains_range(self, other: TextRange) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Whether the two ranges share at least one byte, or an empty range touches the other's inside.
    pub fn overlaps(self, other: TextRange) -> bool {
        self.start < other.end && other.start < self.end
    }

    /// Moves the range right by `offset` bytes, for text embedded in a host file.
    pub fn shifted(self, offset: TextSize) -> TextRange {
        TextRange::new(self.start + offset, self.end + offset)
    }

    /// The range as a `usize` range, for slicing a `str`.
    pub fn to_std(self) -> std::ops::Range<usize> {
        self.start.to_usize()..self.end.to_usize()
    }
}

impl fmt::Debug for TextRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start.0, self.end.0)
    }
}

impl LineIndex {
    /// Builds the index of `text`. A line ends after `\n`; a lone `\r` does not end a line.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut line_starts = Vec::with_capacity(count_newlines(bytes) + 1);
        line_starts.push(TextSize::new(0));
        line_starts.extend(
            memchr::memchr_iter(b'\n', bytes).map(|offset| TextSize::from_usize(offset + 1)),
        );
        Self {
            line_starts,
            text_len: TextSize::from_usize(text.len()),
            block_chars: std::sync::OnceLock::new(),
        }
    }

    /// The number of lines; a text ending in `\n` has an empty last line.
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The 0-based line that contains `offset` (offsets past the end map to the last line).
    pub fn line_of(&self, offset: TextSize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(line) => line,
            Err(next) => next - 1,
        }
    }

    /// The byte range of the 0-based `line`, without its line terminator (`\n` or `\r\n`).
    pub fn line_range(&self, line: usize, text: &str) -> TextRange {
        let start = self.line_starts.get(line).copied().unwrap_or(self.text_len);
        let mut end = self
            .line_starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text_len);
        let bytes = text.as_bytes();
        if end > start && bytes.get(end.to_usize() - 1) == Some(&b'\n') {
            end = end - TextSize::new(1);
            if end > start && bytes.get(end.to_usize() - 1) == Some(&b'\r') {
                end = end - TextSize::new(1);
            }
        }
        TextRange::new(start, end)
    }

    /// The start offset of the 0-based `line`, or the end of the text when past the last line.
    pub fn line_start(&self, line: usize) -> TextSize {
        self.line_starts.get(line).copied().unwrap_or(self.text_len)
    }

    /// Converts a byte offset to a 1-based line and a 1-based column in Unicode scalar values.
    ///
    /// An offset inside a multi-byte character counts as that character's column.
    pub fn line_column(&self, offset: TextSize, text: &str) -> LineColumn {
        let offset = offset.min(self.text_len);
        let line = self.line_of(offset);
        let line_start = self.line_starts[line].to_usize();
        let prefix = floor_char_boundary(text, offset.to_usize());
        let column = if prefix.saturating_sub(line_start) <= BLOCK {
            text.get(line_start..prefix)
                .map_or(0, |segment| segment.chars().count())
        } else {
            self.chars_before(prefix, text) - self.chars_before(line_start, text)
        };
        LineColumn {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }

    /// How many characters `text` holds before `offset`, a character boundary.
    fn chars_before(&self, offset: usize, text: &str) -> usize {
        let bytes = text.as_bytes();
        let offset = offset.min(bytes.len());
        let blocks = self.block_chars.get_or_init(|| {
            let mut total = 0usize;
            bytes
                .chunks(BLOCK)
                .map(|block| {
                    let before = u32::try_from(total).unwrap_or(u32::MAX);
                    total += char_starts(block);
                    before
                })
                .collect()
        });
        let block = offset / BLOCK;
        let before = blocks.get(block).map_or(0, |count| *count as usize);
        before + char_starts(&bytes[block * BLOCK..offset])
    }

    /// Converts a 1-based line and scalar-value column back to a byte offset, clamped to the line.
    pub fn offset(&self, position: LineColumn, text: &str) -> TextSize {
        let line = (position.line.max(1) - 1) as usize;
        let range = self.line_range(line, text);
        let segment = &text[range.to_std()];
        let wanted = (position.column.max(1) - 1) as usize;
        let byte = segment
            .char_indices()
            .nth(wanted)
            .map_or(segment.len(), |(index, _)| index);
        range.start() + TextSize::from_usize(byte)
    }
}

/// The largest char boundary of `text` that is `<= offset`.
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// How many `\n` bytes `bytes` holds.
pub fn count_newlines(bytes: &[u8]) -> usize {
    // Sums of byte comparisons in byte-wide counters, which the compiler turns into vector
    // instructions that compare and add 32 bytes at a time; a chunk of 255 cannot overflow one.
    bytes
        .chunks(255)
        .map(|chunk| {
            usize::from(
                chunk
                    .iter()
                    .fold(0u8, |count, &byte| count + u8::from(byte == b'\n')),
            )
        })
        .sum()
}

/// The length of the longest common prefix of `a` and `b`, in bytes.
pub fn common_prefix_len(a: &[u8], b: &[u8]) -> usize {
    const CHUNK: usize = 64;
    let len = a.len().min(b.len());
    let mut res = 0;
    // Whole chunks are compared with `memcmp`; the first that differs, byte by byte.
    while res + CHUNK <= len && a[res..res + CHUNK] == b[res..res + CHUNK] {
        res += CHUNK;
    }
    res + a[res..len]
        .iter()
        .zip(&b[res..len])
        .take_while(|(x, y)| x == y)
        .count()
}

/// The length of the longest common suffix of `a` and `b`, in bytes, at most `max`.
pub fn common_suffix_len(a: &[u8], b: &[u8], max: usize) -> usize {
    const CHUNK: usize = 64;
    let len = a.len().min(b.len()).min(max);
    let (a_end, b_end) = (a.len(), b.len());
    let mut res = 0;
    while res + CHUNK <= len
        && a[a_end - res - CHUNK..a_end - res] == b[b_end - res - CHUNK..b_end - res]
    {
        res += CHUNK;
    }
    res + a[a_end - len..a_end - res]
        .iter()
        .rev()
        .zip(b[b_end - len..b_end - res].iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_parts_and_newlines() {
        let long = "ab\n".repeat(100);
        let mut other = long.clone();
        other.replace_range(150..151, "X");
        assert_eq!(common_prefix_len(long.as_bytes(), other.as_bytes()), 150);
        assert_eq!(
            common_suffix_len(long.as_bytes(), other.as_bytes(), usize::MAX),
            149
        );
        assert_eq!(common_suffix_len(long.as_bytes(), other.as_bytes(), 10), 10);
        assert_eq!(common_prefix_len(b"abc", b"abcd"), 3);
        assert_eq!(common_suffix_len(b"xabc", b"abc", usize::MAX), 3);
        assert_eq!(common_prefix_len(b"", b"a"), 0);
        assert_eq!(count_newlines(long.as_bytes()), 100);
        assert_eq!(count_newlines(b"no newline"), 0);
        assert_eq!(count_newlines("\n".repeat(1000).as_bytes()), 1000);
    }

    #[test]
    fn columns_count_scalar_values() {
        let text = "a\né🚀x\r\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        let x = text.find('x').map(TextSize::from_usize).unwrap_or_default();
        assert_eq!(
            index.line_column(x, text),
            LineColumn { line: 2, column: 3 }
        );
        assert_eq!(index.offset(LineColumn { line: 2, column: 3 }, text), x);
        assert_eq!(&text[index.line_range(1, text).to_std()], "é🚀x");
        let last = TextSize::from_usize(text.len());
        assert_eq!(
            index.line_column(last, text),
            LineColumn { line: 3, column: 5 }
        );
    }

    #[test]
    fn columns_on_a_long_line_count_scalar_values() {
        // One line of about 40 000 bytes with non-ASCII characters spread over it, as a
        // minified JSON file with non-ASCII strings is.
        let mut text = String::from("{\"k\":\"");
        for i in 0..4000 {
            text.push_str(if i % 7 == 0 {
                "é中😀ab"
            } else {
                "abcdefghij"
            });
        }
        text.push_str("\"}\nnext é line");
        let index = LineIndex::new(&text);
        let mut offsets: Vec<usize> = (0..=text.len()).step_by(997).collect();
        offsets.extend([text.len() - 1, text.len(), text.find('\n').unwrap_or(0)]);
        for offset in offsets {
            let line_start = index.line_starts[index.line_of(TextSize::from_usize(offset))];
            let prefix = floor_char_boundary(&text, offset);
            let expected = text[line_start.to_usize()..prefix].chars().count() + 1;
            let position = index.line_column(TextSize::from_usize(offset), &text);
            assert_eq!(position.column as usize, expected, "offset {offset}");
            if text.is_char_boundary(offset) {
                assert_eq!(
                    index.offset(position, &text),
                    TextSize::from_usize(offset),
                    "offset {offset}"
                );
            }
        }
        // Only ASCII before the offset, non-ASCII after it.
        let ascii = format!("{}é{}", "a".repeat(3 * BLOCK), "ü".repeat(BLOCK));
        let index = LineIndex::new(&ascii);
        assert_eq!(
            index.line_column(TextSize::from_usize(2 * BLOCK + 5), &ascii),
            LineColumn {
                line: 1,
                column: u32::try_from(2 * BLOCK + 6).unwrap_or(0)
            }
        );
        // Non-ASCII before the offset, and an offset inside a multi-byte character.
        let end = ascii.len() - 1;
        assert_eq!(
            index.line_column(TextSize::from_usize(end), &ascii).column as usize,
            3 * BLOCK + 1 + BLOCK
        );
    }

    #[test]
    fn ranges_never_invert() {
        let range = TextRange::new(TextSize::new(5), TextSize::new(2));
        assert!(range.is_empty());
        assert_eq!(range.start(), TextSize::new(5));
        assert!(TextRange::from_usize(0, 4).overlaps(TextRange::from_usize(3, 6)));
        assert!(!TextRange::from_usize(0, 3).overlaps(TextRange::from_usize(3, 6)));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, failure_persistence: None, ..proptest::prelude::ProptestConfig::default() })]

        /// Every character boundary maps to a line and column and back to itself, except the
        /// point between `\r` and `\n`, which belongs to the line break.
        #[test]
        fn offsets_round_trip_through_line_columns(
            parts in proptest::collection::vec(
                proptest::sample::select(vec!["a", "é", "中", "😀", "\n", "\r\n", "\r", "\t"]),
                0..40,
            )
        ) {
            let text = parts.concat();
            let index = LineIndex::new(&text);
            for offset in 0..=text.len() {
                if !text.is_char_boundary(offset)
                    || (offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n'))
                {
                    continue;
                }
                let offset = TextSize::from_usize(offset);
                let position = index.line_column(offset, &text);
                proptest::prop_assert_eq!(index.offset(position, &text), offset);
            }
        }
    }
}

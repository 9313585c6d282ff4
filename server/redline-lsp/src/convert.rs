//! Byte offsets ↔ LSP positions. This is the only place in redline that knows about UTF-16.
//!
//! Every stored position is a byte offset into the UTF-8 text (`TextSize`). A client counts
//! columns in the negotiated `positionEncoding`: UTF-8 code units when it offered `utf-8`,
//! otherwise UTF-16 code units (the protocol's default). Lines end at `\n`, `\r\n` or `\r`,
//! exactly as the protocol says; ropey is built without `unicode_lines` so that it agrees.

use std::fmt;

use redline_text::{TextRange, TextSize};
use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

/// How the client counts columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PositionEncoding {
    /// Columns are UTF-8 code units (bytes).
    Utf8,
    /// Columns are UTF-16 code units.
    Utf16,
}

/// A position that does not exist in the document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PositionError {
    /// The position the client sent.
    pub position: lsp::Position,
    /// How many lines the document has.
    pub line_count: usize,
}

impl PositionEncoding {
    /// Picks UTF-8 when the client offers it, otherwise UTF-16.
    pub fn negotiate(offered: Option<&[lsp::PositionEncodingKind]>) -> Self {
        let offers_utf8 =
            offered.is_some_and(|kinds| kinds.contains(&lsp::PositionEncodingKind::UTF8));
        if offers_utf8 {
            PositionEncoding::Utf8
        } else {
            PositionEncoding::Utf16
        }
    }

    /// The protocol's name for this encoding.
    pub fn kind(self) -> lsp::PositionEncodingKind {
        match self {
            PositionEncoding::Utf8 => lsp::PositionEncodingKind::UTF8,
            PositionEncoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        }
    }
}

impl fmt::Display for PositionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "position {}:{} is outside the document, which has {} lines",
            self.position.line, self.position.character, self.line_count
        )
    }
}

/// The LSP position of a byte offset. Offsets past the end map to the end of the document, and
/// an offset inside a character maps to that character's start.
pub fn position(rope: &Rope, offset: TextSize, encoding: PositionEncoding) -> lsp::Position {
    let offset = offset.to_usize().min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    let char_index = rope.byte_to_char(offset);
    let line_char = rope.line_to_char(line);
    let character = match encoding {
        PositionEncoding::Utf8 => rope.char_to_byte(char_index) - rope.line_to_byte(line),
        PositionEncoding::Utf16 => {
            rope.char_to_utf16_cu(char_index) - rope.char_to_utf16_cu(line_char)
        }
    };
    lsp::Position {
        line: saturate(line),
        character: saturate(character),
    }
}

/// Where every line of one text starts, for converting many of its offsets: a line found by a
/// binary search, and a column counted in the text itself from the line's start. It breaks
/// lines where `position` does (`\n`, `\r\n`, `\r`) and gives the same positions.
pub struct LineStarts(Vec<usize>);

impl LineStarts {
    /// The line starts of `text`.
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        for at in memchr::memchr2_iter(b'\n', b'\r', bytes) {
            if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                continue;
            }
            starts.push(at + 1);
        }
        LineStarts(starts)
    }

    /// The LSP position of a byte offset of `text`, the text these starts were made from.
    pub fn position(
        &self,
        text: &str,
        offset: TextSize,
        encoding: PositionEncoding,
    ) -> lsp::Position {
        let mut offset = offset.to_usize().min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.0.partition_point(|&start| start <= offset) - 1;
        let before = &text[self.0[line]..offset];
        let character = match encoding {
            PositionEncoding::Utf16 if !before.is_ascii() => {
                before.chars().map(char::len_utf16).sum()
            }
            _ => before.len(),
        };
        lsp::Position {
            line: saturate(line),
            character: saturate(character),
        }
    }

    /// The LSP range of a byte range of `text`.
    pub fn range(&self, text: &str, range: TextRange, encoding: PositionEncoding) -> lsp::Range {
        lsp::Range {
            start: self.position(text, range.start(), encoding),
            end: self.position(text, range.end(), encoding),
        }
    }
}

/// The LSP range of a byte range.
pub fn range(rope: &Rope, range: TextRange, encoding: PositionEncoding) -> lsp::Range {
    lsp::Range {
        start: position(rope, range.start(), encoding),
        end: position(rope, range.end(), encoding),
    }
}

/// The byte offset of an LSP position.
///
/// A line past the end is an error; the one exception is `(line_count, 0)`, which some clients
/// send for the end of the document. A column past the end of its line means the end of the line,
/// as the protocol specifies, and a column inside a character (half of a UTF-16 surrogate pair,
/// or inside a UTF-8 sequence) means that character's start.
pub fn offset(
    rope: &Rope,
    position: lsp::Position,
    encoding: PositionEncoding,
) -> Result<TextSize, PositionError> {
    let line = position.line as usize;
    let line_count = rope.len_lines();
    if line >= line_count {
        if line == line_count && position.character == 0 {
            return Ok(TextSize::from_usize(rope.len_bytes()));
        }
        return Err(PositionError {
            position,
            line_count,
        });
    }
    let line_start_char = rope.line_to_char(line);
    let line_text = rope.line(line);
    let mut line_chars = line_text.len_chars();
    // The line break is not part of the line's columns.
    if line_chars > 0 && line_text.char(line_chars - 1) == '\n' {
        line_chars -= 1;
    }
    if line_chars > 0 && line_text.char(line_chars - 1) == '\r' {
        line_chars -= 1;
    }
    let line_end_char = line_start_char + line_chars;
    let character = position.character as usize;
    let char_index = match encoding {
        PositionEncoding::Utf8 => {
            let line_start = rope.char_to_byte(line_start_char);
            let line_end = rope.char_to_byte(line_end_char);
            rope.byte_to_char((line_start + character).min(line_end))
        }
        PositionEncoding::Utf16 => {
            let line_start = rope.char_to_utf16_cu(line_start_char);
            let line_end = rope.char_to_utf16_cu(line_end_char);
            rope.utf16_cu_to_char((line_start + character).min(line_end))
        }
    };
    Ok(TextSize::from_usize(rope.char_to_byte(char_index)))
}

/// The byte range of an LSP range; an end before the start is an error.
pub fn text_range(
    rope: &Rope,
    range: lsp::Range,
    encoding: PositionEncoding,
) -> Result<TextRange, PositionError> {
    let start = offset(rope, range.start, encoding)?;
    let end = offset(rope, range.end, encoding)?;
    if end < start {
        return Err(PositionError {
            position: range.end,
            line_count: rope.len_lines(),
        });
    }
    Ok(TextRange::new(start, end))
}

/// The range covering the whole document.
pub fn whole_document(rope: &Rope, encoding: PositionEncoding) -> lsp::Range {
    range(
        rope,
        TextRange::new(TextSize::new(0), TextSize::from_usize(rope.len_bytes())),
        encoding,
    )
}

fn saturate(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> lsp::Position {
        lsp::Position { line, character }
    }

    #[test]
    fn emoji_cjk_and_combining_marks_map_to_exact_columns() {
        // "é" is e + U+0301 (two chars, three bytes); 😀 is four bytes and two UTF-16 units.
        let text = "ab\n😀中e\u{301}x = 1\r\nlast";
        let rope = Rope::from_str(text);
        let x = TextSize::from_usize(text.find('x').expect("x is in the text"));
        assert_eq!(position(&rope, x, PositionEncoding::Utf16), pos(1, 5));
        assert_eq!(position(&rope, x, PositionEncoding::Utf8), pos(1, 10));
        assert_eq!(offset(&rope, pos(1, 5), PositionEncoding::Utf16), Ok(x));
        assert_eq!(offset(&rope, pos(1, 10), PositionEncoding::Utf8), Ok(x));
        // Half of the emoji's surrogate pair means the emoji's start.
        assert_eq!(
            offset(&rope, pos(1, 1), PositionEncoding::Utf16),
            Ok(TextSize::new(3))
        );
        let last = TextSize::from_usize(text.find("last").expect("last is in the text"));
        assert_eq!(position(&rope, last, PositionEncoding::Utf16), pos(2, 0));
        // Past the end of a line is the end of the line, before `\r\n`.
        assert_eq!(
            offset(&rope, pos(1, 99), PositionEncoding::Utf16),
            Ok(TextSize::from_usize(text.find('\r').expect("crlf")))
        );
    }

    #[test]
    fn lines_past_the_end_are_errors() {
        let rope = Rope::from_str("a\nb\n");
        assert_eq!(
            offset(&rope, pos(3, 0), PositionEncoding::Utf16),
            Ok(TextSize::new(4))
        );
        assert!(offset(&rope, pos(3, 1), PositionEncoding::Utf16).is_err());
        assert!(offset(&rope, pos(7, 0), PositionEncoding::Utf8).is_err());
        let backwards = lsp::Range {
            start: pos(1, 0),
            end: pos(0, 0),
        };
        assert!(text_range(&rope, backwards, PositionEncoding::Utf8).is_err());
    }

    #[test]
    fn negotiation_prefers_utf8_only_when_offered() {
        let both = [
            lsp::PositionEncodingKind::UTF16,
            lsp::PositionEncodingKind::UTF8,
        ];
        assert_eq!(
            PositionEncoding::negotiate(Some(&both)),
            PositionEncoding::Utf8
        );
        assert_eq!(PositionEncoding::negotiate(None), PositionEncoding::Utf16);
    }

    /// Text with every kind of line break and characters of one to four UTF-8 bytes, one or
    /// two UTF-16 units.
    fn tricky_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        prop::collection::vec(
            prop::sample::select(vec![
                "a", "é", "e\u{301}", "中", "😀", "\n", "\r\n", "\r", "\t", " ",
            ]),
            0..40,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 256, failure_persistence: None, ..proptest::prelude::ProptestConfig::default() })]

        /// Every character boundary maps to a position and back to itself, in both encodings,
        /// except the point between `\r` and `\n`, which is not a column of any line.
        #[test]
        fn offsets_round_trip_through_positions(text in tricky_text()) {
            let rope = Rope::from_str(&text);
            for index in 0..=text.len() {
                if !text.is_char_boundary(index)
                    || (index > 0 && text[..index].ends_with('\r') && text[index..].starts_with('\n'))
                {
                    continue;
                }
                let offset_in = TextSize::from_usize(index);
                for encoding in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
                    let position = position(&rope, offset_in, encoding);
                    proptest::prop_assert_eq!(offset(&rope, position, encoding), Ok(offset_in));
                }
            }
        }

        /// Line starts give the positions the rope gives, for every offset.
        #[test]
        fn line_starts_give_the_positions_of_the_rope(text in tricky_text()) {
            let rope = Rope::from_str(&text);
            let lines = LineStarts::new(&text);
            for index in 0..=text.len() + 1 {
                let offset = TextSize::from_usize(index);
                for encoding in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
                    proptest::prop_assert_eq!(
                        lines.position(&text, offset, encoding),
                        position(&rope, offset, encoding),
                        "{:?} at {}", text, index
                    );
                }
            }
        }

        /// Any position a client may send maps to a character boundary inside the text, or to
        /// an error; never to a panic.
        #[test]
        fn any_position_maps_inside_the_text(text in tricky_text(), line in 0u32..50, character in 0u32..200) {
            let rope = Rope::from_str(&text);
            for encoding in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
                if let Ok(offset) = offset(&rope, pos(line, character), encoding) {
                    proptest::prop_assert!(offset.to_usize() <= text.len());
                    proptest::prop_assert!(text.is_char_boundary(offset.to_usize()));
                }
            }
        }
    }
}

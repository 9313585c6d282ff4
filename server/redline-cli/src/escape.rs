//! Visible escapes for analysed text shown to people, and JSON that a terminal can show safely.
//!
//! The repository under analysis controls file names, resource names and every string that
//! reaches a message or a source excerpt. Printed raw, an escape sequence can retitle or clear
//! the terminal, hide lines or fake output, and bidirectional overrides or invisible characters
//! can make a line read differently from what it holds ("Trojan Source", CVE-2021-42574).
//! Human-readable output therefore writes each such character as `\u{XX}`: a backslash, `u`,
//! and the lowercase hexadecimal code point in braces, as Rust writes it (ESC is `\u{1b}`).
//! A backslash itself is left alone, so the escape is for reading, not for reversing: `\u{1b}`
//! in the output may also be those six characters in the input.
//!
//! Machine formats keep the exact text and rely on their own escaping instead; see
//! [`to_json_pretty`] for JSON.

use std::borrow::Cow;

use serde::Serialize;

use redline_text::visible::{escape_where, escaped_len, needs_escape};

/// `text` for one line of output: every character of [`needs_escape`] escaped, line breaks
/// included, so that a message, path or source line cannot start a line of its own. A tab is
/// shown as four spaces: it is harmless and common (every Makefile recipe starts with one), and
/// a terminal's own tab stops would put the caret under an excerpt in the wrong place.
pub fn line(text: &str) -> Cow<'_, str> {
    let res = escape_where(text, |_, c| c != '\t' && needs_escape(c));
    if res.contains('\t') {
        Cow::Owned(res.replace('\t', TAB))
    } else {
        res
    }
}

/// What [`line`] shows for a tab.
const TAB: &str = "    ";

/// `text` for output that may span lines (error chains with a source snippet, documentation,
/// diffs): like [`line`], but line breaks (`\n` and `\r\n`) and tabs are kept.
pub fn lines(text: &str) -> Cow<'_, str> {
    escape_where(text, |index, c| {
        let kept = matches!(c, '\n' | '\t') || (c == '\r' && text[index + 1..].starts_with('\n'));
        !kept && needs_escape(c)
    })
}

/// How many characters [`line`] makes of `text`, for lining up a caret under escaped text.
pub fn line_width(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '\t' => TAB.len(),
            c if needs_escape(c) => escaped_len(c),
            _ => 1,
        })
        .sum()
}

/// Pretty-printed JSON in which the characters of [`needs_escape`] that JSON itself lets
/// through raw (DEL, the C1 controls, bidirectional and invisible characters) are written as
/// `\uXXXX` escapes: a parser reads back exactly the original text, and a report printed to a
/// terminal carries no control character a terminal would act on.
pub fn to_json_pretty<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let mut bytes = Vec::new();
    let mut serializer = serde_json::Serializer::with_formatter(
        &mut bytes,
        SafeFormatter(serde_json::ser::PrettyFormatter::new()),
    );
    value.serialize(&mut serializer)?;
    // Invariant: serde_json writes only UTF-8, and the formatter adds only ASCII.
    Ok(String::from_utf8(bytes).expect("serde_json writes UTF-8"))
}

/// serde_json's pretty formatter, with string contents passed through [`needs_escape`]. serde
/// already escapes `"`, `\` and the C0 controls before a fragment reaches it.
struct SafeFormatter<'a>(serde_json::ser::PrettyFormatter<'a>);

impl serde_json::ser::Formatter for SafeFormatter<'_> {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (index, c) in fragment.char_indices() {
            if needs_escape(c) {
                writer.write_all(&fragment.as_bytes()[start..index])?;
                // Every escaped character is in the Basic Multilingual Plane except the tags,
                // which take a surrogate pair, as JSON spells characters beyond it.
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(writer, "\\u{unit:04x}")?;
                }
                start = index + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    // The remaining methods are those `PrettyFormatter` overrides: layout, not strings.
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, writer: &mut W) -> std::io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
    ) -> std::io::Result<()> {
        self.0.end_object_value(writer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// ESC ] 0 ; PWNED BEL ESC [ 2 J: retitles the terminal and clears the screen.
    const TITLE_AND_CLEAR: &str = "b\u{1b}]0;PWNED\u{7}\u{1b}[2J";

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(line(TITLE_AND_CLEAR), "b\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J");
        assert_eq!(
            line("a\nb\r\tc\u{0}\u{7f}"),
            "a\\u{a}b\\u{d}    c\\u{0}\\u{7f}"
        );
        // C1: CSI and the string terminator, which some terminals act on as ESC [ and ESC \.
        assert_eq!(line("\u{9b}2J\u{9c}"), "\\u{9b}2J\\u{9c}");
    }

    #[test]
    fn bidi_and_invisible_characters_become_visible_escapes() {
        let trojan = "admin\u{202e}\u{2066}x\u{2069}\u{202c}\u{200b}\u{feff}\u{ad}\u{e0041}";
        assert_eq!(
            line(trojan),
            "admin\\u{202e}\\u{2066}x\\u{2069}\\u{202c}\\u{200b}\\u{feff}\\u{ad}\\u{e0041}"
        );
        for c in ['\u{200e}', '\u{200f}', '\u{61c}', '\u{2060}', '\u{3164}'] {
            assert!(needs_escape(c), "{c:?}");
        }
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for text in ["", "aws_s3_bucket.logs", "lögs_ü 中文 😀 e\u{301} \\u{1b}"] {
            assert!(
                matches!(line(text), Cow::Borrowed(t) if t == text),
                "{text}"
            );
        }
    }

    #[test]
    fn multi_line_text_keeps_line_breaks_and_tabs_only() {
        assert_eq!(
            lines("1 | a\u{1b}[2J\n\tb\r\nc\rd\r"),
            "1 | a\\u{1b}[2J\n\tb\r\nc\\u{d}d\\u{d}"
        );
        assert!(matches!(lines("a\n\tb\r\n"), Cow::Borrowed(_)));
    }

    #[test]
    fn width_counts_the_escaped_characters() {
        for text in [
            TITLE_AND_CLEAR,
            "a\u{202e}b",
            "\u{e0041}",
            "plain",
            "中\u{0}",
        ] {
            assert_eq!(line_width(text), line(text).chars().count(), "{text:?}");
        }
    }

    #[test]
    fn json_round_trips_exactly_without_raw_controls() {
        let text = format!("{TITLE_AND_CLEAR}\u{9b}\u{7f}\u{202e}\u{200b}\u{e0041} lögs \"q\"");
        let json = to_json_pretty(&serde_json::json!({ "message": text, "n": [1, 2] }))
            .expect("a JSON value serializes");
        assert!(
            !json.chars().any(|c| needs_escape(c) && c != '\n'),
            "{json}"
        );
        assert!(json.contains("\\u009b"), "{json}");
        assert!(json.contains("\\udb40\\udc41"), "{json}");
        let back: serde_json::Value = serde_json::from_str(&json).expect("the output is JSON");
        assert_eq!(back["message"], text.as_str());
        // The layout is serde_json's pretty layout.
        let plain = serde_json::to_string_pretty(&serde_json::json!({ "n": [1, { "a": [] }] }))
            .expect("a JSON value serializes");
        assert_eq!(
            to_json_pretty(&serde_json::json!({ "n": [1, { "a": [] }] }))
                .expect("a JSON value serializes"),
            plain
        );
    }
}

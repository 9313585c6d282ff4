//! Which characters of analysed text must not reach a person raw, and their visible escape.
//!
//! The repository under analysis controls file names, resource names and every string that
//! reaches a message or a source excerpt. Printed raw, an escape sequence can retitle or clear a
//! terminal, hide lines or fake output, and bidirectional overrides or invisible characters can
//! make a line read differently from what it holds ("Trojan Source", CVE-2021-42574). The
//! command line and the language server both write each such character as `\u{XX}`: a
//! backslash, `u`, and the lowercase hexadecimal code point in braces, as Rust writes it (ESC is
//! `\u{1b}`). This module is the one definition both use.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is written as a visible escape when shown to a person.
///
/// These are the C0 controls (line breaks and tabs included), DEL, the C1 controls, the
/// bidirectional marks, embeddings, overrides and isolates, the line and paragraph separators,
/// and the characters that render as nothing: zero-width spaces and joiners, invisible
/// operators, the byte order mark, the soft hyphen, the Hangul fillers and the tag characters.
pub fn needs_escape(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{ad}'
            | '\u{61c}'
            | '\u{115f}'
            | '\u{1160}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{3164}'
            | '\u{feff}'
            | '\u{ffa0}'
            | '\u{e0001}'
            | '\u{e0020}'..='\u{e007f}'
    )
}

/// Appends the visible escape of `c`.
pub fn push_escape(res: &mut String, c: char) {
    let _ = write!(res, "\\u{{{:x}}}", u32::from(c));
}

/// How many characters the visible escape of `c` has.
pub fn escaped_len(c: char) -> usize {
    let digits = (32 - u32::from(c).leading_zeros()).div_ceil(4).max(1);
    digits as usize + 4
}

/// `text` with the characters for which `escape(byte index, character)` holds escaped; the
/// text itself when there are none.
pub fn escape_where(text: &str, escape: impl Fn(usize, char) -> bool) -> Cow<'_, str> {
    let mut res = String::new();
    let mut copied = 0;
    for (index, c) in text.char_indices() {
        if escape(index, c) {
            res.push_str(&text[copied..index]);
            push_escape(&mut res, c);
            copied = index + c.len_utf8();
        }
    }
    if res.is_empty() {
        return Cow::Borrowed(text);
    }
    res.push_str(&text[copied..]);
    Cow::Owned(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_are_as_long_as_they_say() {
        for c in [
            '\u{0}',
            '\u{1b}',
            '\u{7f}',
            '\u{9b}',
            '\u{202e}',
            '\u{e0041}',
        ] {
            let mut res = String::new();
            push_escape(&mut res, c);
            assert_eq!(res.chars().count(), escaped_len(c), "{res}");
        }
        assert_eq!(
            escape_where("a\u{1b}b", |_, c| needs_escape(c)),
            "a\\u{1b}b"
        );
        assert!(matches!(
            escape_where("plain", |_, c| needs_escape(c)),
            Cow::Borrowed("plain")
        ));
    }
}

//! Visible escapes for the analysed text that messages carry to the editor.
//!
//! Messages, related information, hover text and code action titles quote resource names and
//! paths from the document, which its author controls. Editors show them in panels, hovers and
//! terminals, where a control character, a bidirectional override or an invisible character
//! can hide or reorder what the reader sees ("Trojan Source", CVE-2021-42574). Each such
//! character is written as `\u{XX}`, its lowercase hexadecimal code point in braces, exactly
//! as `redline check` writes it in text output. Positions and ranges are never touched: they
//! point into the document, not into the message.

use std::borrow::Cow;
use std::fmt::Write as _;

/// `text` with every control, bidirectional and invisible character written as `\u{XX}`. A
/// message has no legitimate line break or tab either, so those are escaped too.
pub fn visible(text: &str) -> Cow<'_, str> {
    let mut res = String::new();
    let mut copied = 0;
    for (index, c) in text.char_indices() {
        if needs_escape(c) {
            res.push_str(&text[copied..index]);
            let _ = write!(res, "\\u{{{:x}}}", u32::from(c));
            copied = index + c.len_utf8();
        }
    }
    if res.is_empty() {
        return Cow::Borrowed(text);
    }
    res.push_str(&text[copied..]);
    Cow::Owned(res)
}

/// Whether `c` is escaped: the C0 controls, DEL, the C1 controls, the bidirectional marks,
/// embeddings, overrides and isolates, the line and paragraph separators, and the characters
/// that render as nothing (zero-width spaces and joiners, invisible operators, the byte order
/// mark, the soft hyphen, the Hangul fillers and the tag characters). The same set as
/// `redline-cli`'s `escape::needs_escape`, which this crate cannot depend on.
fn needs_escape(c: char) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_bidi_and_invisible_characters_become_visible() {
        assert_eq!(
            visible("`aws_s3_bucket.b\u{1b}]0;PWNED\u{7}\u{1b}[2J`"),
            "`aws_s3_bucket.b\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J`"
        );
        assert_eq!(
            visible("a\nb\r\tc\u{7f}\u{9b}"),
            "a\\u{a}b\\u{d}\\u{9}c\\u{7f}\\u{9b}"
        );
        assert_eq!(
            visible("admin\u{202e}\u{2066}\u{200b}\u{200e}\u{feff}\u{ad}\u{e0041}"),
            "admin\\u{202e}\\u{2066}\\u{200b}\\u{200e}\\u{feff}\\u{ad}\\u{e0041}"
        );
    }

    #[test]
    fn ordinary_text_is_borrowed_unchanged() {
        for text in ["", "🚀中文 `aws_backup_vault` e\u{301}", "\\u{1b}"] {
            assert!(
                matches!(visible(text), Cow::Borrowed(t) if t == text),
                "{text}"
            );
        }
    }
}

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

use redline_text::visible::{escape_where, needs_escape};

/// `text` with every control, bidirectional and invisible character written as `\u{XX}`. A
/// message has no legitimate line break or tab either, so those are escaped too.
pub fn visible(text: &str) -> Cow<'_, str> {
    // Printable ASCII (most messages) has nothing to escape.
    if text.bytes().all(|byte| matches!(byte, b' '..=b'~')) {
        return Cow::Borrowed(text);
    }
    escape_where(text, |_, c| needs_escape(c))
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

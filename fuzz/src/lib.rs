//! What the fuzz targets share: turning fuzz input into an analysed file.

use redline_engine::{AnalysisOptions, Config, FileAnalysis, SourceInput, analyze};
use redline_syntax::{Format, SourceHints};

/// A path and a forced format, picked by the first byte of the input.
pub type Target = (&'static str, Option<Format>);

/// Splits off the selector byte: the target it picks from `targets`, and the rest of the input
/// as text (invalid UTF-8 is replaced, as the front-ends' readers do not; they report it).
pub fn select<'a>(data: &'a [u8], targets: &[Target]) -> (Target, std::borrow::Cow<'a, str>) {
    let (selector, rest) = data.split_first().unwrap_or((&0, &[]));
    let target = targets[usize::from(*selector) % targets.len()];
    (target, String::from_utf8_lossy(rest))
}

/// Analyses `text` as `target` with every rule and the default configuration, and checks what
/// every front-end relies on: ranges inside the text and on character boundaries.
pub fn analyze_checked(target: Target, text: &str) -> FileAnalysis {
    let (path, format) = target;
    let input = SourceInput {
        path,
        text,
        hints: SourceHints {
            format,
            ..SourceHints::default()
        },
        config_relative_path: Some(path),
    };
    let analysis = analyze(&input, &Config::default(), &AnalysisOptions::default());
    for diagnostic in &analysis.diagnostics {
        let range = diagnostic.range;
        assert!(
            range.end().to_usize() <= text.len()
                && text.is_char_boundary(range.start().to_usize())
                && text.is_char_boundary(range.end().to_usize()),
            "{} reported {range:?}, outside the text or inside a character",
            diagnostic.rule.id
        );
        for fix in &diagnostic.fixes {
            for edit in fix.edits() {
                assert!(
                    edit.range.end().to_usize() <= text.len()
                        && text.is_char_boundary(edit.range.start().to_usize())
                        && text.is_char_boundary(edit.range.end().to_usize()),
                    "{} proposed an edit at {:?}, outside the text or inside a character",
                    diagnostic.rule.id,
                    edit.range
                );
            }
        }
    }
    analysis
}

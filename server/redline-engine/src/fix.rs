//! Applying fixes to text.

use redline_diagnostics::{Applicability, Diagnostic};

use crate::{AnalysisOptions, Config, FileAnalysis, SourceInput, analyze_in_folder};

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixMode {
    /// Only safe fixes.
    Safe,
    /// Safe and unsafe fixes (never display-only ones).
    Unsafe,
}

/// The result of fixing one file.
#[derive(Clone, Debug)]
pub struct FixOutcome {
    /// The fixed text.
    pub text: String,
    /// How many fixes were applied.
    pub applied: usize,
    /// The analysis of the fixed text.
    pub analysis: FileAnalysis,
}

/// How often fixing re-analyses, in case one fix enables another.
const MAX_ROUNDS: usize = 10;

/// Applies the first eligible fix of each diagnostic, skipping fixes that overlap one already
/// taken. Returns the new text and the number of fixes applied, or `None` if none applied.
pub fn apply_fixes(
    text: &str,
    diagnostics: &[Diagnostic],
    mode: FixMode,
) -> Option<(String, usize)> {
    let minimum = match mode {
        FixMode::Safe => Applicability::Safe,
        FixMode::Unsafe => Applicability::Unsafe,
    };
    let mut fixes: Vec<_> = diagnostics
        .iter()
        .filter_map(|diagnostic| {
            diagnostic
                .fixes
                .iter()
                .find(|fix| fix.applicability >= minimum && !fix.edits().is_empty())
        })
        .collect();
    fixes.sort_by_key(|fix| fix.range().map(|range| (range.start(), range.end())));
    let mut res = String::with_capacity(text.len());
    let mut cursor = 0usize;
    let mut applied = 0usize;
    for fix in fixes {
        let Some(range) = fix.range() else {
            continue;
        };
        if range.start().to_usize() < cursor || range.end().to_usize() > text.len() {
            continue;
        }
        for edit in fix.edits() {
            let start = edit.range.start().to_usize();
            res.push_str(text.get(cursor..start)?);
            res.push_str(&edit.replacement);
            cursor = edit.range.end().to_usize();
        }
        applied += 1;
    }
    if applied == 0 {
        return None;
    }
    res.push_str(text.get(cursor..)?);
    Some((res, applied))
}

/// Applies fixes repeatedly until none applies (or a round limit is reached), re-analysing
/// between rounds. `folder` holds the other files of the file's folder, as for
/// `analyze_in_folder`.
pub fn fix_file(
    input: &SourceInput<'_>,
    folder: &[SourceInput<'_>],
    config: &Config,
    options: &AnalysisOptions,
    mode: FixMode,
) -> FixOutcome {
    fix_text(input.text, mode, |text| {
        let round_input = SourceInput { text, ..*input };
        analyze_in_folder(&round_input, folder, config, options)
    })
}

/// Applies fixes to `text` as `fix_file` does, with `analyse` giving the analysis of each
/// round's text: `redline diff --fix` judges each round as an edit of the same base.
pub fn fix_text(
    text: &str,
    mode: FixMode,
    mut analyse: impl FnMut(&str) -> FileAnalysis,
) -> FixOutcome {
    let mut text = text.to_owned();
    let mut applied = 0;
    let mut analysis = analyse(&text);
    for _ in 0..MAX_ROUNDS {
        let Some((fixed, count)) = apply_fixes(&text, &analysis.diagnostics, mode) else {
            break;
        };
        text = fixed;
        applied += count;
        analysis = analyse(&text);
    }
    FixOutcome {
        text,
        applied,
        analysis,
    }
}

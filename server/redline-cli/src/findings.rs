//! Findings made ready for output: positions as lines and columns, the source line, and a
//! fingerprint. Computed per file, so no file's text or tree outlives its analysis.

use std::collections::HashMap;

use redline_diagnostics::{Applicability, Confidence, Diagnostic, Impact, RuleCode, Severity};
use redline_text::{LineColumn, LineIndex, TextSize, floor_char_boundary};

/// Longer source lines are not copied into findings: `terraform show -json` writes a whole
/// plan, many megabytes, on one line.
const MAX_SOURCE_LINE: usize = 1000;

/// One finding, ready for any output format.
#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: RuleCode,
    pub severity: Severity,
    pub confidence: Confidence,
    pub path: String,
    pub start: LineColumn,
    pub end: LineColumn,
    pub message: String,
    pub fixes: Vec<FindingFix>,
    pub related: Vec<FindingRelated>,
    /// What else the destroy or replace the finding reports takes with it.
    pub impact: Option<Box<Impact>>,
    /// The text of the line where the finding starts, without its terminator; empty when
    /// the line is longer than `MAX_SOURCE_LINE` bytes.
    pub source_line: String,
    /// Stable identity for baselines and SARIF `partialFingerprints`.
    pub fingerprint: String,
}

#[derive(Clone, Debug)]
pub struct FindingFix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<FindingEdit>,
}

#[derive(Clone, Debug)]
pub struct FindingEdit {
    pub start: LineColumn,
    pub end: LineColumn,
    pub new_text: String,
}

#[derive(Clone, Debug)]
pub struct FindingRelated {
    /// The display path of the file the place is in: the finding's own, or another file of
    /// the analysis (a variable's default, a called module's resource).
    pub path: String,
    pub start: LineColumn,
    pub end: LineColumn,
    pub message: String,
}

/// Converts one file's diagnostics into findings. `others` holds the other files the analysis
/// was given, as (display path, text), so that related places in them get exact lines and
/// columns; a related place in a file not among them is left out.
pub fn from_diagnostics(
    path: &str,
    text: &str,
    diagnostics: &[Diagnostic],
    others: &[(&str, &str)],
) -> Vec<Finding> {
    let line_index = LineIndex::new(text);
    let mut other_indexes: HashMap<&str, (&str, LineIndex)> = HashMap::new();
    let mut previous_start: Option<(TextSize, LineColumn)> = None;
    let mut occurrences: HashMap<u64, usize> = HashMap::new();
    diagnostics
        .iter()
        .map(|diagnostic| {
            // Diagnostics come sorted by start, so each start is counted from the previous
            // one and every other position from its own start: conversion stays linear even
            // when the whole file is one line, as `terraform show -json` writes plans.
            let start =
                relative_position(&line_index, text, previous_start, diagnostic.range.start());
            previous_start = Some((diagnostic.range.start(), start));
            let base = Some((diagnostic.range.start(), start));
            let position = |offset| relative_position(&line_index, text, base, offset);
            let flagged = text.get(diagnostic.range.to_std()).unwrap_or("");
            let hash = redline_engine::fingerprint(&diagnostic.rule, path, flagged);
            let occurrence = occurrences.entry(hash).or_insert(0);
            let fingerprint = format!("{hash:016x}-{occurrence}");
            *occurrence += 1;
            let line = line_index.line_of(diagnostic.range.start());
            let source_line = text
                .get(line_index.line_range(line, text).to_std())
                .filter(|line| line.len() <= MAX_SOURCE_LINE)
                .unwrap_or("")
                .to_owned();
            Finding {
                rule: diagnostic.rule,
                severity: diagnostic.severity,
                confidence: diagnostic.confidence,
                path: path.to_owned(),
                start,
                end: position(diagnostic.range.end()),
                message: diagnostic.message.clone(),
                impact: diagnostic.impact.clone(),
                fixes: diagnostic
                    .fixes
                    .iter()
                    .map(|fix| FindingFix {
                        title: fix.title.clone(),
                        applicability: fix.applicability,
                        edits: fix
                            .edits()
                            .iter()
                            .map(|edit| FindingEdit {
                                start: position(edit.range.start()),
                                end: position(edit.range.end()),
                                new_text: edit.replacement.clone(),
                            })
                            .collect(),
                    })
                    .collect(),
                related: diagnostic
                    .related
                    .iter()
                    .filter_map(|related| {
                        let Some(other) = related.path.as_deref().filter(|other| *other != path)
                        else {
                            return Some(FindingRelated {
                                path: path.to_owned(),
                                start: position(related.range.start()),
                                end: position(related.range.end()),
                                message: related.message.clone(),
                            });
                        };
                        if !other_indexes.contains_key(other) {
                            let (name, other_text) =
                                others.iter().find(|(name, _)| *name == other)?;
                            other_indexes.insert(name, (other_text, LineIndex::new(other_text)));
                        }
                        let (other_text, other_index) = other_indexes.get(other)?;
                        Some(FindingRelated {
                            path: other.to_owned(),
                            start: other_index.line_column(related.range.start(), other_text),
                            end: other_index.line_column(related.range.end(), other_text),
                            message: related.message.clone(),
                        })
                    })
                    .collect(),
                source_line,
                fingerprint,
            }
        })
        .collect()
}

/// How many bytes past `base` `relative_position` counts characters itself.
const NEAR: usize = 4096;

/// The line and column of `offset`, counted from `base` when both are on the same line and
/// `offset` is not before it.
fn relative_position(
    line_index: &LineIndex,
    text: &str,
    base: Option<(TextSize, LineColumn)>,
    offset: TextSize,
) -> LineColumn {
    let line = line_index.line_of(offset);
    match base {
        // Far from `base`, the line index counts faster than a walk over the characters.
        Some((base_offset, base_position))
            if offset >= base_offset
                && (offset - base_offset).to_usize() <= NEAR
                && line_index.line_of(base_offset) == line =>
        {
            let from = floor_char_boundary(text, base_offset.to_usize());
            let to = floor_char_boundary(text, offset.to_usize());
            let n_chars = text
                .get(from..to)
                .map_or(0, |segment| segment.chars().count());
            LineColumn {
                line: base_position.line,
                column: base_position
                    .column
                    .saturating_add(u32::try_from(n_chars).unwrap_or(u32::MAX)),
            }
        }
        _ => line_index.line_column(offset, text),
    }
}

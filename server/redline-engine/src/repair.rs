//! Judging an edit whose new text does not parse.
//!
//! While someone types, the text is broken most of the time: one unterminated string or
//! missing `}` hides every block after it from the parser, and judged as it is, each hidden
//! block would look removed. So an edit whose new text does not parse, from a base that does,
//! is judged as if its unfinished part had not been written: the engine finds the smallest
//! part of the edit whose undoing makes the text parse again, analyses that text, and maps
//! the findings back onto the new text. Findings about the undone part are dropped; the
//! `parse-error` finding is the new text's own. When no small part will do, the whole edit is
//! undone, and the file reports only its `parse-error`.

use std::ops::Range;

use redline_diagnostics::{Confidence, Diagnostic, Edit, Fix, PARSE_ERROR, Severity};
use redline_syntax::terraform::Syntax;
use redline_syntax::{
    Format, ParsedTree, SourceFile, SourceHints, TextPoint, TreeEdit, parse_source_for_edits,
    parses_cleanly,
};
use redline_text::{TextRange, TextSize};
use similar::algorithms::{Capture, Replace, myers};
use similar::{Algorithm, DiffOp, capture_diff_slices};

/// The top-level blocks of the Terraform language. Any other word followed by labels and a
/// body still parses as a block, which is what a word typed at the start of a line above a
/// block becomes (`r` before `resource "aws_db_instance" "main" {`).
const TERRAFORM_BLOCKS: &[&str] = &[
    "check",
    "data",
    "ephemeral",
    "import",
    "locals",
    "module",
    "moved",
    "output",
    "provider",
    "removed",
    "resource",
    "terraform",
    "variable",
];

/// Replaced spans larger than this (on either side) are not refined character by character.
const MAX_REFINED_BYTES: usize = 8 * 1024;

/// At most this many texts are parsed in search of one that parses.
const MAX_ATTEMPTS: usize = 24;

/// Undo runs of up to this many consecutive changes at once.
const MAX_RUN: usize = 3;

/// The text analysed in place of a new text that does not parse, and how its offsets map
/// back.
pub(crate) struct Repair {
    /// The new text with part of the edit undone.
    pub text: String,
    /// The tree `text` was found to parse from (the new text's tree, edited), to parse it
    /// again from; `None` when the whole edit was undone.
    pub tree: Option<ParsedTree>,
    /// The parse of `text` made to find it (of a Terraform file, whose attempts are parsed in
    /// full), for the analysis to take rather than parse it again.
    pub file: Option<SourceFile<'static>>,
    // Invariant: in order, covering both texts without gaps.
    segments: Vec<Segment>,
}

/// A span of the repaired text and the span of the new text it stands for.
#[derive(Clone, Debug)]
struct Segment {
    new: Range<usize>,
    repaired: Range<usize>,
    /// Whether this span of the edit was undone: the repaired text here is the base's (or
    /// nothing), not the new text's.
    undone: bool,
}

/// One contiguous change of the edit: `base` in the base text became `new` in the new text.
#[derive(Clone, Debug)]
struct Change {
    base: Range<usize>,
    new: Range<usize>,
    /// For lines rewritten in place (as many lines on each side), the changes character by
    /// character.
    parts: Vec<Change>,
}

/// A part of the edit to undo: the new text's `new` becomes the base's `base` (or nothing).
#[derive(Clone, Debug)]
struct Undo {
    new: Range<usize>,
    base: Option<Range<usize>>,
}

impl Change {
    /// Undoing what it inserted, keeping what it deleted; `None` when it only inserted or only
    /// deleted.
    fn undo_insertion(&self) -> Option<Undo> {
        (!self.base.is_empty() && !self.new.is_empty()).then(|| Undo {
            new: self.new.clone(),
            base: None,
        })
    }

    /// Undoing all of it.
    fn undo(&self) -> Undo {
        Undo {
            new: self.new.clone(),
            base: Some(self.base.clone()),
        }
    }
}

impl Repair {
    /// The repair of an edit from `base` (which parses) to `new` (which does not): the new text
    /// with the smallest part of the edit undone that makes it parse, else the base text.
    pub(crate) fn find(
        path: &str,
        hints: SourceHints,
        base: &str,
        new_file: &SourceFile<'_>,
    ) -> Repair {
        let new: &str = &new_file.text;
        let changes = changes(base, new);
        // Each attempt is parsed from the new text's tree, edited part by undone part: only
        // what the undoing touched is parsed again (one edit spanning from the first undone
        // part to the last would have a long stream's every part between them parsed again).
        // A YAML attempt is judged on its syntax trees alone.
        let parses =
            |text: &str, undo: &[Undo]| -> Option<(ParsedTree, Option<SourceFile<'static>>)> {
                let mut tree = new_file.parsed_tree();
                for edit in undo_edits(base, new_file, undo) {
                    tree.edit(&edit);
                }
                match parses_cleanly(path, text, hints, Some(&tree)) {
                    Some(clean) => clean.then_some((tree, None)),
                    // Parsed as for an editor: a Terraform attempt without syntax errors takes
                    // its unchanged blocks' models again by their text (`terraform::kept_block`).
                    None => {
                        let file = parse_source_for_edits(path, text, hints, Some(&tree))
                            .filter(|file| !is_unfinished(file))?;
                        Some((tree, Some(file.into_owned())))
                    }
                }
            };
        let mut candidates = candidates(&changes);
        // The part of the edit that left the text unfinished is at or before where the parser
        // found it so: those parts are tried first, nearest first, each alone before runs.
        // Typing a new block at the end of a file edited all over would otherwise spend every
        // attempt on the edits above it, then undo them all.
        if let Some(trouble) = trouble_at(new_file) {
            candidates.sort_by_key(|undo| {
                let nearest = undo
                    .iter()
                    .map(|part| distance(&part.new, trouble))
                    .min()
                    .unwrap_or(usize::MAX);
                // Undoing one change is tried before undoing a run of them.
                (undo.len(), nearest)
            });
        }
        // A candidate that leaves a broken part of a long stream as it is does not parse:
        // it is counted as tried without building its text.
        let broken = new_file.broken_parts();
        for undo in candidates.into_iter().take(MAX_ATTEMPTS) {
            if leaves_broken(&broken, &undo) {
                continue;
            }
            let mut repair = build(base, new, &undo);
            if let Some((tree, file)) = parses(&repair.text, &undo) {
                repair.tree = Some(tree);
                repair.file = file;
                return repair;
            }
        }
        let all: Vec<Undo> = changes.iter().map(Change::undo).collect();
        build(base, new, &all)
    }

    /// A diagnostic of the repaired text on the new text: `None` when it is about the undone
    /// part. Fixes with an edit in the undone part are dropped.
    pub(crate) fn map_diagnostic(&self, mut diagnostic: Diagnostic) -> Option<Diagnostic> {
        diagnostic.range = self.map_range(diagnostic.range)?;
        diagnostic.fixes = diagnostic
            .fixes
            .into_iter()
            .filter_map(|fix| self.map_fix(fix))
            .collect();
        diagnostic.related = diagnostic
            .related
            .into_iter()
            .filter_map(|mut related| {
                if related.path.is_none() {
                    related.range = self.map_range(related.range)?;
                }
                Some(related)
            })
            .collect();
        Some(diagnostic)
    }

    fn map_fix(&self, fix: Fix) -> Option<Fix> {
        let edits: Option<Vec<Edit>> = fix
            .edits()
            .iter()
            .map(|edit| {
                Some(Edit {
                    range: self.map_range(edit.range)?,
                    replacement: edit.replacement.clone(),
                })
            })
            .collect();
        Fix::new(fix.title.clone(), fix.applicability, edits?).ok()
    }

    /// A range of the repaired text on the new text; `None` when it overlaps text the repair
    /// put back (a range around an undone insertion spans it in the new text). A range that starts where an undone insertion was starts after it, and one
    /// that ends there ends before it.
    fn map_range(&self, range: TextRange) -> Option<TextRange> {
        let (start, end) = (range.start().to_usize(), range.end().to_usize());
        if self.segments.iter().any(|segment| {
            segment.undone
                && !segment.repaired.is_empty()
                && segment.repaired.start < end
                && start < segment.repaired.end
        }) {
            return None;
        }
        let new_start = self.map_offset(start, start < end)?;
        let new_end = self.map_offset(end, false)?.max(new_start);
        Some(TextRange::new(
            TextSize::from_usize(new_start),
            TextSize::from_usize(new_end),
        ))
    }

    /// An offset of the repaired text on the new text. Where two spans of the new text meet at
    /// `offset` (around an undone insertion), `later` chooses the second.
    fn map_offset(&self, offset: usize, later: bool) -> Option<usize> {
        let mut kept = self.segments.iter().filter(|segment| {
            !segment.undone && segment.repaired.start <= offset && offset <= segment.repaired.end
        });
        let found = if later { kept.next_back() } else { kept.next() };
        if let Some(segment) = found {
            return Some(segment.new.start + (offset - segment.repaired.start));
        }
        self.segments.iter().find_map(|segment| {
            if segment.repaired.start == offset {
                Some(segment.new.start)
            } else if segment.repaired.end == offset {
                Some(segment.new.end)
            } else {
                None
            }
        })
    }
}

/// Whether `file` cannot be judged as it is: it has a syntax error, or it is a `.tf` file with
/// a top-level block that is not Terraform.
pub(crate) fn is_unfinished(file: &SourceFile<'_>) -> bool {
    file.first_parse_problem().is_some() || malformed_block(file).is_some()
}

/// Where a text that `is_unfinished` first goes wrong: its first syntax error, else its first
/// top-level block that is not Terraform.
fn trouble_at(file: &SourceFile<'_>) -> Option<usize> {
    let range = match file.first_parse_problem() {
        Some(problem) => problem.range,
        None => malformed_block(file)?.0,
    };
    Some(range.start().to_usize())
}

/// How far a part of the edit is from where the text first goes wrong: 0 when it holds that
/// place, the distance back to it when it ends before, and after every part before when it
/// starts after (what a parser trips on was written before the place it trips).
fn distance(part: &Range<usize>, trouble: usize) -> usize {
    if part.start <= trouble && trouble <= part.end {
        0
    } else if part.end < trouble {
        trouble - part.end
    } else {
        (usize::MAX / 2).saturating_add(part.start - trouble)
    }
}

/// The `parse-error` finding for a `.tf` file with a top-level block that is not Terraform.
pub(crate) fn malformed_block_error(file: &SourceFile<'_>) -> Option<Diagnostic> {
    let (range, message) = malformed_block(file)?;
    Some(Diagnostic::new(
        PARSE_ERROR,
        Severity::Info,
        Confidence::High,
        range,
        format!(
            "{message}; redline judged the edit without the unfinished text, and findings may be missing"
        ),
    ))
}

/// The first top-level block of a `.tf` file that the tree-sitter grammar accepts and
/// Terraform does not: a block type Terraform does not have, or a header split across lines
/// (HCL wants the type, the labels and the `{` on one line). A word typed on the line above a
/// block makes both. Returns where its type is written and what is wrong.
fn malformed_block(file: &SourceFile<'_>) -> Option<(TextRange, String)> {
    if file.format != Format::Terraform || !file.path.ends_with(".tf") {
        return None;
    }
    let model = file.terraform();
    if model.syntax != Syntax::Hcl {
        return None;
    }
    model.blocks.iter().find_map(|block| {
        let start = block.range.start();
        let end = TextSize::from_usize(start.to_usize() + block.kind.len()).min(block.range.end());
        let range = TextRange::new(start, end);
        if !TERRAFORM_BLOCKS.contains(&block.kind.as_str()) {
            return Some((
                range,
                format!("`{}` is not a Terraform block type", block.kind),
            ));
        }
        let header_end = block.open_brace_end.unwrap_or(block.range.end());
        let header = file
            .text
            .get(start.to_usize()..header_end.to_usize())
            .unwrap_or("");
        header.contains('\n').then(|| {
            (
                range,
                format!(
                    "the header of this `{}` block is split across lines",
                    block.kind
                ),
            )
        })
    })
}

/// The changes from `base` to `new`: lines, and within a span of replaced lines, characters.
fn changes(base: &str, new: &str) -> Vec<Change> {
    // The lines both texts begin and end with are left out of the diff: a keystroke in a long
    // file changes a line or two of it.
    let (same_start, same_end) = same_lines_around(base, new);
    changes_within(base, new, same_start, same_end)
}

/// The changes from `base` to `new`, which both begin with the same `same_start` bytes and end
/// with the same `same_end` bytes, whole lines each.
fn changes_within(base: &str, new: &str, same_start: usize, same_end: usize) -> Vec<Change> {
    let base_lines = lines(&base[same_start..base.len() - same_end]);
    let new_lines = lines(&new[same_start..new.len() - same_end]);
    let base_starts = starts(&base_lines, same_start);
    let new_starts = starts(&new_lines, same_start);
    let mut res = Vec::new();
    for op in diff_lines(&base_lines, &new_lines) {
        let (old_range, new_range) = match op {
            DiffOp::Equal { .. } => continue,
            DiffOp::Delete {
                old_index,
                old_len,
                new_index,
            } => (old_index..old_index + old_len, new_index..new_index),
            DiffOp::Insert {
                old_index,
                new_index,
                new_len,
            } => (old_index..old_index, new_index..new_index + new_len),
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => (
                old_index..old_index + old_len,
                new_index..new_index + new_len,
            ),
        };
        let base_bytes = base_starts[old_range.start]..base_starts[old_range.end];
        let new_bytes = new_starts[new_range.start]..new_starts[new_range.end];
        // Lines rewritten in place are compared character by character, so that undoing an
        // unfinished string or bracket leaves the rest of the line as it was typed.
        let parts = if old_range.len() == new_range.len()
            && base_bytes.len() <= MAX_REFINED_BYTES
            && new_bytes.len() <= MAX_REFINED_BYTES
        {
            char_changes(
                &base[base_bytes.clone()],
                &new[new_bytes.clone()],
                base_bytes.start,
                new_bytes.start,
            )
        } else {
            Vec::new()
        };
        res.push(Change {
            base: base_bytes,
            new: new_bytes,
            parts,
        });
    }
    res
}

/// The changes between two short texts, character by character, at the given offsets.
fn char_changes(base: &str, new: &str, base_at: usize, new_at: usize) -> Vec<Change> {
    let base_chars: Vec<(usize, char)> = base.char_indices().collect();
    let new_chars: Vec<(usize, char)> = new.char_indices().collect();
    let base_only: Vec<char> = base_chars.iter().map(|(_, c)| *c).collect();
    let new_only: Vec<char> = new_chars.iter().map(|(_, c)| *c).collect();
    let offset = |chars: &[(usize, char)], text: &str, index: usize| {
        chars.get(index).map_or(text.len(), |(at, _)| *at)
    };
    capture_diff_slices(Algorithm::Myers, &base_only, &new_only)
        .into_iter()
        .filter(|op| !matches!(op, DiffOp::Equal { .. }))
        .map(|op| {
            let old = op.old_range();
            let added = op.new_range();
            Change {
                base: base_at + offset(&base_chars, base, old.start)
                    ..base_at + offset(&base_chars, base, old.end),
                new: new_at + offset(&new_chars, new, added.start)
                    ..new_at + offset(&new_chars, new, added.end),
                parts: Vec::new(),
            }
        })
        .collect()
}

/// The lines of `text`, each with its line break.
fn lines(text: &str) -> Vec<&str> {
    text.split_inclusive('\n').collect()
}

/// The bytes of the whole lines that `base` and `new` both begin with, and of those they both
/// end with, not overlapping.
fn same_lines_around(base: &str, new: &str) -> (usize, usize) {
    let (base, new) = (base.as_bytes(), new.as_bytes());
    let prefix = redline_text::common_prefix_len(base, new);
    let start = base[..prefix]
        .iter()
        .rposition(|&byte| byte == b'\n')
        .map_or(0, |at| at + 1);
    let suffix = redline_text::common_suffix_len(base, new, base.len().min(new.len()) - prefix);
    let line_start = |text: &[u8], at: usize| at == 0 || text[at - 1] == b'\n';
    let end = if line_start(base, base.len() - suffix) && line_start(new, new.len() - suffix) {
        suffix
    } else {
        // The common end starts within a line: it is kept from the next line on.
        let tail = &base[base.len() - suffix..];
        tail.iter()
            .position(|&byte| byte == b'\n')
            .map_or(0, |at| tail.len() - at - 1)
    };
    (start, end)
}

/// The diff of two texts' lines: Myers' algorithm, without `similar`'s preflight, which hashes
/// every line of both sides into a table to set aside the lines only one side has. Between a
/// long text and an edit of it the diff is short, and the preflight took ten times the diff.
fn diff_lines(base: &[&str], new: &[&str]) -> Vec<DiffOp> {
    let mut hook = Replace::new(Capture::new());
    // Capturing cannot fail.
    let Ok(()) = myers::diff_deadline_raw(&mut hook, base, 0..base.len(), new, 0..new.len(), None);
    hook.into_inner().into_ops()
}

/// The byte offset of each line, from `at`, and of the end.
fn starts(lines: &[&str], mut at: usize) -> Vec<usize> {
    let mut res = Vec::with_capacity(lines.len() + 1);
    res.push(at);
    for line in lines {
        at += line.len();
        res.push(at);
    }
    res
}

/// The parts of the edit to try undoing, smallest first: for each change, each of its
/// characters' changes (what they inserted, then all of them), then all of it; then runs of
/// consecutive changes. Lines replaced by others are put back whole, never only dropped: the
/// new lines may be the unfinished rewrite of the old ones, which would then look removed.
fn candidates(changes: &[Change]) -> Vec<Vec<Undo>> {
    let mut res = Vec::new();
    for change in changes {
        for part in &change.parts {
            res.extend(part.undo_insertion().map(|undo| vec![undo]));
            res.push(vec![part.undo()]);
        }
        res.push(vec![change.undo()]);
    }
    for run in 2..=MAX_RUN.min(changes.len()) {
        for window in changes.windows(run) {
            res.push(window.iter().map(Change::undo).collect());
        }
    }
    res
}

/// Whether undoing `undo` leaves one of the `broken` parts of the new text (its byte ranges)
/// as it is: no undone part is in it or at either of its ends.
fn leaves_broken(broken: &[Range<usize>], undo: &[Undo]) -> bool {
    broken.iter().any(|part| {
        !undo
            .iter()
            .any(|undone| undone.new.start <= part.end && part.start <= undone.new.end)
    })
}

/// The edits of a syntax tree of `new` that make it one of the text `build` makes with `undo`
/// (in order, not overlapping): one per undone part, the last first, so that each is at the
/// offsets, lines and columns it has in `new`.
fn undo_edits(base: &str, new: &SourceFile<'_>, undo: &[Undo]) -> Vec<TreeEdit> {
    let point = |offset: usize| {
        let line = new.line_index.line_of(TextSize::from_usize(offset));
        TextPoint {
            offset,
            line,
            column: offset - new.line_index.line_start(line).to_usize(),
        }
    };
    undo.iter()
        .rev()
        .map(|part| {
            let start = point(part.new.start);
            let inserted = part.base.as_ref().map_or("", |range| &base[range.clone()]);
            let new_end = TextPoint {
                offset: start.offset + inserted.len(),
                line: start.line + redline_text::count_newlines(inserted.as_bytes()),
                column: match inserted.rfind('\n') {
                    Some(last) => inserted.len() - last - 1,
                    None => start.column + inserted.len(),
                },
            };
            TreeEdit {
                start,
                old_end: point(part.new.end),
                new_end,
            }
        })
        .collect()
}

/// The new text with the parts `undo` (in order, not overlapping) undone.
fn build(base: &str, new: &str, undo: &[Undo]) -> Repair {
    let mut text = String::with_capacity(new.len());
    let mut segments = Vec::new();
    let mut at = 0;
    for part in undo {
        if at < part.new.start {
            let start = text.len();
            text.push_str(&new[at..part.new.start]);
            segments.push(Segment {
                new: at..part.new.start,
                repaired: start..text.len(),
                undone: false,
            });
        }
        let start = text.len();
        if let Some(range) = &part.base {
            text.push_str(&base[range.clone()]);
        }
        segments.push(Segment {
            new: part.new.clone(),
            repaired: start..text.len(),
            undone: true,
        });
        at = part.new.end;
    }
    let start = text.len();
    text.push_str(&new[at..]);
    segments.push(Segment {
        new: at..new.len(),
        repaired: start..text.len(),
        undone: false,
    });
    Repair {
        text,
        tree: None,
        file: None,
        segments,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Terraform for a `.tf` path, Kubernetes for any other.
    fn hints_for(path: &str) -> SourceHints {
        SourceHints {
            format: Some(if path.ends_with(".tf") {
                Format::Terraform
            } else {
                Format::Kubernetes
            }),
            ..SourceHints::default()
        }
    }

    fn find(path: &str, base: &str, new: &str) -> Repair {
        let hints = hints_for(path);
        let file = redline_syntax::parse_source(path, new, hints).expect("parsed");
        Repair::find(path, hints, base, &file)
    }

    fn repaired(path: &str, base: &str, new: &str) -> String {
        find(path, base, new).text
    }

    #[test]
    fn undoes_only_the_unfinished_part() {
        let base = "resource \"a\" \"x\" {\n  n = \"x\"\n}\n\nresource \"b\" \"y\" {}\n\nresource \"c\" \"z\" {}\n";
        // The last block was removed, and a string in the first one is not finished yet.
        let new = "resource \"a\" \"x\" {\n  n = \"x\n}\n\nresource \"b\" \"y\" {}\n";
        assert_eq!(
            repaired("main.tf", base, new),
            "resource \"a\" \"x\" {\n  n = \"x\"\n}\n\nresource \"b\" \"y\" {}\n"
        );
        // A block being typed, with a removal elsewhere.
        let new =
            "resource \"b\" \"y\" {}\n\nresource \"c\" \"z\" {}\nresource \"d\" \"w\" {\n  n = 1\n";
        assert_eq!(
            repaired("main.tf", base, new),
            "resource \"b\" \"y\" {}\n\nresource \"c\" \"z\" {}\n"
        );
    }

    /// A block being typed at the end of a file edited in many places above it: the part
    /// where the parser trips is undone, and the edits above are kept, however many there are.
    #[test]
    fn undoes_the_part_where_the_text_goes_wrong_first() {
        let blocks: Vec<String> = (0..40)
            .map(|n| format!("resource \"a\" \"r{n}\" {{\n  n = \"v{n}\"\n}}\n"))
            .collect();
        let base = blocks.join("\n");
        let edited = base.replace("\"v", "\"w");
        let new = format!("{edited}\nresource \"b\" \"typing\" {{\n  n = \n");
        assert_eq!(repaired("main.tf", &base, &new), edited);
    }

    #[test]
    fn maps_offsets_back() {
        let base = "a: 1\nb: 2\n";
        let new = "a: 1\nx: [\nb: 2\n";
        let repair = find("x.yaml", base, new);
        assert_eq!(repair.text, base);
        let range = |start: usize, end: usize| {
            TextRange::new(TextSize::from_usize(start), TextSize::from_usize(end))
        };
        // `b: 2` is at 5..9 in the repaired text and at 10..14 in the new text.
        assert_eq!(repair.map_range(range(5, 9)), Some(range(10, 14)));
        assert_eq!(repair.map_range(range(0, 4)), Some(range(0, 4)));
        assert_eq!(repair.map_range(range(10, 10)), Some(range(15, 15)));
    }

    #[test]
    fn the_lines_around_an_edit_are_left_out_of_the_diff() {
        let texts = [
            "",
            "a\n",
            "a",
            "a\na\n",
            "a\nb\nc\n",
            "a\nb\nc",
            "a\nbx\nc\n",
            "a\nc\n",
            "b\nc\n",
            "a\nb\n",
            "x\na\nb\nc\n",
            "a\nb\nc\nc\n",
            "ab\nb\nc\n",
            "a\nb\nbc\n",
        ];
        // What the changes replace, in bytes of each side; the text between two changes is
        // the same on both sides.
        let size = |base: &str, new: &str, changes: &[Change]| -> (usize, usize) {
            let (mut base_at, mut new_at) = (0, 0);
            for change in changes.iter().chain([&Change {
                base: base.len()..base.len(),
                new: new.len()..new.len(),
                parts: Vec::new(),
            }]) {
                assert_eq!(
                    &base[base_at..change.base.start],
                    &new[new_at..change.new.start]
                );
                (base_at, new_at) = (change.base.end, change.new.end);
            }
            let sum = |ranges: &mut dyn Iterator<Item = &Range<usize>>| -> usize {
                ranges.map(ExactSizeIterator::len).sum()
            };
            (
                sum(&mut changes.iter().map(|change| &change.base)),
                sum(&mut changes.iter().map(|change| &change.new)),
            )
        };
        for base in texts {
            for new in texts {
                let (start, end) = same_lines_around(base, new);
                assert_eq!(&base[..start], &new[..start], "{base:?} {new:?}");
                assert_eq!(&base[base.len() - end..], &new[new.len() - end..]);
                assert!(start + end <= base.len().min(new.len()));
                let line_start =
                    |text: &str, at: usize| at == 0 || text.as_bytes()[at - 1] == b'\n';
                assert!(line_start(base, start));
                assert!(end == 0 || line_start(base, base.len() - end));
                assert!(end == 0 || line_start(new, new.len() - end));
                // The lines left out change nothing of the diff's size (where repeated lines
                // make it ambiguous, another of the equally small diffs may be found).
                assert_eq!(
                    size(base, new, &changes(base, new)),
                    size(base, new, &changes_within(base, new, 0, 0)),
                    "{base:?} -> {new:?}"
                );
            }
        }
    }

    /// Each candidate's tree edits are where the text edited so far has them, and the tree
    /// they leave parses into the tree of the candidate's text parsed afresh, in a long YAML
    /// stream parsed in parts and in Terraform, with changes of several lines and none.
    #[test]
    fn undo_edits_describe_the_candidate_text() {
        let mut long_base = String::new();
        for index in 0..400 {
            long_base.push_str(&format!(
                "---\nkind: ConfigMap\nmetadata:\n  name: m{index}\ndata:\n  a: \"1\"\n  b: |\n    x\n    y\n"
            ));
        }
        let long_new = long_base
            .replacen("name: m3\n", "name: m3x\n  extra: [\n", 1)
            .replacen("name: m150\n", "nme: m150\n", 1)
            .replacen(
                "  b: |\n    x\n    y\n---\nkind: ConfigMap\nmetadata:\n  name: m380\n",
                "",
                1,
            )
            .replacen("name: m399\n", "name: m399\n  more: 1\n  and: {\n", 1);
        let cases = [
            ("x.yaml", long_base.as_str(), long_new.as_str()),
            (
                "main.tf",
                "resource \"a\" \"x\" {\n  n = \"x\"\n}\n\nresource \"b\" \"y\" {}\n\nresource \"c\" \"z\" {}\n",
                "resource \"a\" \"x\" {\n  n = \"xé\n}\n\nresource \"b\" \"y\" {\n  m = [\n}\nresource \"c\" \"w\" {}\n",
            ),
        ];
        for (path, base, new) in cases {
            let hints = hints_for(path);
            let new_file = redline_syntax::parse_source(path, new, hints).expect("parsed");
            let sexps = |file: &SourceFile<'_>| -> Vec<String> {
                std::iter::once(&file.tree)
                    .chain(&file.more_trees)
                    .map(|tree| tree.root_node().to_sexp())
                    .collect()
            };
            let candidates = candidates(&changes(base, new));
            assert!(candidates.len() > 4, "{path}");
            for undo in candidates {
                let repair = build(base, new, &undo);
                let mut text = new.to_owned();
                let mut tree = new_file.parsed_tree();
                for edit in undo_edits(base, &new_file, &undo) {
                    let point = |text: &str, offset: usize| {
                        let before = &text[..offset];
                        TextPoint {
                            offset,
                            line: before.matches('\n').count(),
                            column: offset - before.rfind('\n').map_or(0, |at| at + 1),
                        }
                    };
                    assert_eq!(edit.start, point(&text, edit.start.offset));
                    assert_eq!(edit.old_end, point(&text, edit.old_end.offset));
                    let part = undo
                        .iter()
                        .find(|part| part.new.start == edit.start.offset)
                        .expect("an edit per undone part");
                    let inserted = part.base.clone().map_or("", |range| &base[range]);
                    text.replace_range(edit.start.offset..edit.old_end.offset, inserted);
                    assert_eq!(edit.new_end, point(&text, edit.new_end.offset));
                    tree.edit(&edit);
                }
                assert_eq!(text, repair.text);
                let again =
                    redline_syntax::parse_source_incremental(path, &text, hints, Some(&tree))
                        .expect("parsed");
                let fresh = redline_syntax::parse_source(path, &text, hints).expect("parsed");
                assert_eq!(sexps(&again), sexps(&fresh), "{path} {undo:?}");
            }
        }
    }

    /// A candidate that leaves a broken part of a long stream as it is, which `find` rules
    /// out without parsing it, does not parse.
    #[test]
    fn a_candidate_that_leaves_a_broken_part_does_not_parse() {
        let hints = hints_for("x.yaml");
        let mut base = String::new();
        for index in 0..900 {
            base.push_str(&format!(
                "---\nkind: ConfigMap\nmetadata:\n  name: m{index}\ndata:\n  a: \"1\"\n  b: [x, y]\n"
            ));
        }
        // Breaks in two parts, and a harmless change after them.
        let new = base
            .replacen("name: m10\n", "name: m10\n  x: \"open\n", 1)
            .replacen("name: m500\n", "name: m500\n: :\n  - [\n", 1)
            .replacen("name: m800\n", "name: m8z00\n", 1);
        let new_file = redline_syntax::parse_source("x.yaml", &new, hints).expect("parsed");
        let broken = new_file.broken_parts();
        assert!(broken.len() >= 2, "{broken:?}");
        let candidates = candidates(&changes(&base, &new));
        let mut ruled_out = 0;
        for undo in &candidates {
            if !leaves_broken(&broken, undo) {
                continue;
            }
            ruled_out += 1;
            let text = build(&base, &new, undo).text;
            let file = redline_syntax::parse_source("x.yaml", &text, hints).expect("parsed");
            assert!(is_unfinished(&file), "{undo:?}");
        }
        assert!(ruled_out > candidates.len() / 2, "{ruled_out}");
        // Undoing the changes in the broken parts mends the text.
        let repaired = Repair::find("x.yaml", hints, &base, &new_file);
        assert!(repaired.text == base.replacen("name: m800\n", "name: m8z00\n", 1));
    }

    #[test]
    fn gives_up_on_a_broken_file() {
        let base = "a: 1\n";
        let new = "a: [\nb: {\nc: [\nd: {\n";
        assert_eq!(repaired("x.yaml", base, new), base);
    }
}

//! What the randomized language-server tests share: a seeded generator, edits of open documents,
//! and findings reduced to what the server and a fresh `redline` process must agree on.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use serde_json::{Value, json};

/// A xorshift64* generator: enough randomness for choosing edits, and the same sequence on
/// every machine for a given seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        // Zero is the one state xorshift never leaves.
        Self(seed.max(1))
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// One edit of one open document: the byte range of its current text replaced with `text`.
pub struct Edit {
    pub file: usize,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// What kind of edit it is, for the failure message.
    pub kind: &'static str,
    /// Whether the edit returns to an earlier text of the document.
    pub rewind: Rewind,
}

/// How an edit moves through a document's history of texts.
#[derive(Clone, Copy)]
pub enum Rewind {
    /// A new text: the current one is remembered.
    No,
    /// Back to the previous text.
    One,
    /// Back to the latest earlier text that `looks_balanced`.
    ToBalanced,
    /// Back to the committed text, forgetting the history: the undos that follow return to it,
    /// where the server analyses the document with its kept syntax tree, edited along.
    All,
}

/// The smallest edit that turns `from` into `to`: their common prefix and suffix kept, on
/// character boundaries.
pub fn minimal_edit(file: usize, from: &str, to: &str, kind: &'static str, rewind: Rewind) -> Edit {
    let prefix = from
        .char_indices()
        .zip(to.chars())
        .find(|((_, a), b)| a != b)
        .map_or(from.len().min(to.len()), |((offset, _), _)| offset);
    let suffix = from[prefix..]
        .chars()
        .rev()
        .zip(to[prefix..].chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum::<usize>();
    Edit {
        file,
        start: prefix,
        end: from.len() - suffix,
        text: to[prefix..to.len() - suffix].to_owned(),
        kind,
        rewind,
    }
}

/// An edit that replaces one written value of `text` with the other of a pair drawn from
/// `replacements`, either way round; `None` when the text holds no value to replace.
pub fn replace_value(
    rng: &mut Rng,
    file: usize,
    text: &str,
    replacements: &[(&str, &str)],
) -> Option<Edit> {
    let (from, to) = *rng.pick(replacements);
    let (from, to) = if rng.below(2) == 0 {
        (from, to)
    } else {
        (to, from)
    };
    let found: Vec<usize> = text.match_indices(from).map(|(offset, _)| offset).collect();
    if found.is_empty() {
        return None;
    }
    let start = *rng.pick(&found);
    Some(Edit {
        file,
        start,
        end: start + from.len(),
        text: to.to_owned(),
        kind: "replace a value",
        rewind: Rewind::No,
    })
}

/// The edit back to the document's previous text in `history`, or to its `committed` text.
pub fn undo(file: usize, text: &str, history: &[String], committed: &str) -> Edit {
    let previous = history.last().map_or(committed, String::as_str);
    minimal_edit(file, text, previous, "undo", Rewind::One)
}

/// The edit back to the latest text in `history` that `looks_balanced`, or to the `committed`
/// text.
pub fn undo_to_balanced(
    file: usize,
    text: &str,
    history: &[String],
    committed: &str,
    looks_balanced: impl Fn(&str) -> bool,
) -> Edit {
    let balanced = history
        .iter()
        .rev()
        .map(String::as_str)
        .find(|text| looks_balanced(text))
        .unwrap_or(committed);
    minimal_edit(
        file,
        text,
        balanced,
        "undo to a balanced text",
        Rewind::ToBalanced,
    )
}

/// The LSP position (UTF-16 columns) of the byte `offset` of `text`.
pub fn position(text: &str, offset: usize) -> Value {
    let line_start = text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    let line = text[..line_start].matches('\n').count();
    let character: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": character})
}

/// A finding reduced to what both front-ends must agree on: rule id, 0-based start and end
/// (line, column in Unicode scalar values), severity and message.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Seen {
    pub rule: String,
    pub start: (u64, u64),
    pub end: (u64, u64),
    pub severity: String,
    pub message: String,
}

/// The 0-based line and character column of an LSP position (UTF-16 columns) in the `lines`
/// of a text (split at `\n`).
pub fn character_position(lines: &[&str], position: &Value) -> (u64, u64) {
    let line = position["line"].as_u64().unwrap();
    let units = position["character"].as_u64().unwrap() as usize;
    let line_text = lines.get(line as usize).copied().unwrap_or("");
    let mut seen_units = 0;
    let mut column = 0;
    for c in line_text.chars() {
        if seen_units >= units {
            break;
        }
        seen_units += c.len_utf16();
        column += 1;
    }
    (line, column)
}

pub fn from_lsp(lines: &[&str], diagnostic: &Value) -> Seen {
    let severity = match diagnostic["severity"].as_u64() {
        Some(1) => "error",
        Some(2) => "warning",
        Some(3) => "info",
        other => panic!("unexpected severity {other:?} in {diagnostic}"),
    };
    Seen {
        rule: diagnostic["code"].as_str().unwrap().to_owned(),
        start: character_position(lines, &diagnostic["range"]["start"]),
        end: character_position(lines, &diagnostic["range"]["end"]),
        severity: severity.to_owned(),
        message: diagnostic["message"].as_str().unwrap().to_owned(),
    }
}

pub fn from_cli(finding: &Value) -> Seen {
    // The JSON report counts lines and columns from 1, columns in Unicode scalar values.
    let point = |position: &Value| {
        (
            position["line"].as_u64().unwrap() - 1,
            position["column"].as_u64().unwrap() - 1,
        )
    };
    Seen {
        rule: finding["rule"].as_str().unwrap().to_owned(),
        start: point(&finding["range"]["start"]),
        end: point(&finding["range"]["end"]),
        severity: finding["severity"].as_str().unwrap().to_owned(),
        message: finding["message"].as_str().unwrap().to_owned(),
    }
}

/// Runs `redline ARGS` in `cwd` and returns its JSON report's findings by path.
pub fn cli_findings(cwd: &Path, args: &[&str]) -> Vec<(String, Seen)> {
    let output = Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(args)
        .current_dir(cwd)
        .env("REDLINE_TODAY", "2026-06-01")
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "redline {args:?}: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["path"].as_str().unwrap().to_owned(),
                from_cli(finding),
            )
        })
        .collect()
}

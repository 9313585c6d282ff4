//! YAML files written as templates (Helm charts and other Go templates, Mustache and
//! Handlebars starter files), read on their literal parts.
//!
//! A template action (`{{ … }}`) is replaced before parsing by neutral text of the same length,
//! so that every byte offset, and with it every finding's position, stays exact:
//!
//! - a line that holds only actions and whitespace (control flow such as `{{- if … }}` and
//!   `{{- end }}`, or a block that an action emits, such as `{{- toYaml .Values.x | nindent 8 }}`)
//!   is filled with carriage returns, which YAML reads as empty lines wherever they stand (even
//!   first in a block scalar, where spaces beyond its indentation would be an error), while
//!   positions, which count only `\n`, keep their lines;
//! - an action that ends a line after literal text and emits an indented block on the next
//!   lines (`labels: {{- include "x.labels" . | nindent 4 }}`) becomes spaces;
//! - any other action stands for (part of) a value, and becomes a run of `_`, a plain YAML
//!   scalar valid wherever the value was;
//! - the branches of an `if … else … end` (or `with`, `range`, a section with `else`) other
//!   than the first that holds literal text are left out the same way, so that the branches of
//!   one choice (a mapping, or `{}`) do not stand side by side.
//!
//! After parsing, `mark_unknown` makes a value that came from an action `Unknown` in the value
//! model: a scalar made only of actions (`privileged: {{ .Values.privileged }}`), a value left
//! empty where a blanked line gave it its content (`securityContext:` followed by
//! `{{- toYaml … | nindent 12 }}`), and a value that only some values render: one inside an
//! `if`, `with` or `range` block (or a Mustache section) that opens inside a YAML document
//! (`{{- if .Values.hostNetwork }}` above `hostNetwork: true` is the values' choice). A block
//! that opens before its document's first literal line decides whether the document's object
//! exists, and what that object holds is read as written. A scalar that mixes literal text and
//! actions stays a string: a one-line one holds the actions' own text, which messages show
//! (`{{ include "x.fullname" . }}-extra`), and a block scalar holds `_` where the actions were,
//! so that a script's literal commands are still read (`kubectl apply -f ____`).
//!
//! `${{ … }}` (GitHub Actions and Azure Pipelines expressions) and CloudFormation's
//! `{{resolve:…}}` dynamic references are not template actions.
//!
//! The scan is linear: each action is at most `MAX_ACTION_LEN` bytes, and all attempts together
//! read at most a few times the text, after which the rest of the text is taken literally.

use redline_text::{TextRange, TextSize};

use crate::value::{MAX_DEPTH, Node, NodeKind, ScalarKind};

/// The longest action recognised, in bytes; a `{{` that does not close within it is literal.
const MAX_ACTION_LEN: usize = 16 * 1024;

/// What stands for an action that is part of a value.
const STAND_IN: u8 = b'_';

/// What a line that holds only actions is filled with.
const BLANK: u8 = b'\r';

/// A template's neutral text and where its actions were.
#[derive(Debug)]
pub(crate) struct Neutral {
    /// The text with every action replaced, byte for byte.
    pub(crate) text: String,
    /// Every action, in order.
    pub(crate) actions: Vec<TextRange>,
    /// What is not literal text: the actions, and the alternatives after each `else`;
    /// sorted and disjoint.
    pub(crate) hidden: Vec<TextRange>,
    /// What was blanked because it holds no value: the lines that hold only hidden text, and
    /// the hidden ends of lines that emit a block on the next lines (`{{ … | nindent 4 }}`);
    /// in order.
    pub(crate) blanked: Vec<TextRange>,
    /// The text that only some values render: the bodies of the conditional blocks (`if`,
    /// `with`, `range`, Mustache sections) that open inside a document, and of `define`
    /// blocks; sorted and disjoint.
    pub(crate) conditional: Vec<TextRange>,
}

/// Whether a YAML file is a template whose meaning depends on values given at render time:
/// it holds template actions, and either lives in a `templates` folder (Helm charts, starter
/// pipelines) or has an action that begins a line, which only a template does.
pub fn is_template(path: &str, text: &str) -> bool {
    text.contains("{{") && is_template_with(path, text, &actions(text))
}

/// `is_template`, with the actions of `text` found.
fn is_template_with(path: &str, text: &str, actions: &[TextRange]) -> bool {
    if actions.is_empty() {
        return false;
    }
    let normalized = path.replace('\\', "/");
    if normalized.split('/').any(|segment| segment == "templates") {
        return true;
    }
    let mut line_start = 0;
    let mut scanned = 0;
    actions.iter().any(|action| {
        let start = action.start().to_usize();
        if let Some(newline) = text[scanned..start].rfind('\n') {
            line_start = scanned + newline + 1;
        }
        scanned = start;
        text[line_start..start].trim().is_empty()
    })
}

/// The neutral text of `text` when it is a template (see `is_template`).
pub(crate) fn read(path: &str, text: &str) -> Option<Neutral> {
    if !text.contains("{{") {
        return None;
    }
    let actions = actions(text);
    if !is_template_with(path, text, &actions) {
        return None;
    }
    neutralise_actions(text, actions)
}

/// The template actions of `text`, in order and without overlap.
pub(crate) fn actions(text: &str) -> Vec<TextRange> {
    let bytes = text.as_bytes();
    let mut res = Vec::new();
    // Bytes the scan may still read; failed attempts read ahead, and this keeps their sum
    // linear in the size of the text.
    let mut budget = text.len().saturating_mul(4).saturating_add(MAX_ACTION_LEN);
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|rest| rest.find("{{")) {
        let start = from + found;
        let after = &bytes[start + 2..];
        if (start > 0 && bytes[start - 1] == b'$') || after.starts_with(b"resolve:") {
            from = start + 2;
            continue;
        }
        match action_end(bytes, start, &mut budget) {
            Some(end) => {
                res.push(TextRange::from_usize(start, end));
                from = end;
            }
            None if budget == 0 => break,
            None => from = start + 2,
        }
    }
    res
}

/// The end of the action opening at `start` (`{{`, or `{{{` for a Handlebars triple), or
/// `None` when it does not close: too long, another `{{` first, or the end of the text.
fn action_end(bytes: &[u8], start: usize, budget: &mut usize) -> Option<usize> {
    let triple = bytes.get(start + 2) == Some(&b'{');
    let close: &[u8] = if triple { b"}}}" } else { b"}}" };
    let limit = bytes.len().min(start.saturating_add(MAX_ACTION_LEN));
    let mut index = start + if triple { 3 } else { 2 };
    while index < limit {
        if *budget == 0 {
            return None;
        }
        *budget -= 1;
        match bytes[index] {
            b'}' if bytes[index..].starts_with(close) => return Some(index + close.len()),
            // Go allows no braces inside an action: this `{{` opens the next one.
            b'{' if bytes.get(index + 1) == Some(&b'{') => return None,
            b'"' => index = skip_string(bytes, index, limit, b'"', budget),
            b'`' => index = skip_past(bytes, index + 1, limit, b"`", budget),
            b'\'' => {
                // A quoted string or character in a Handlebars or Go action; an apostrophe
                // with no partner on its line is text (`{{! don't }}`).
                let end = skip_string(bytes, index, limit, b'\'', budget);
                index = if bytes.get(end - 1) == Some(&b'\'') && end > index + 1 {
                    end
                } else {
                    index + 1
                };
            }
            b'/' if bytes.get(index + 1) == Some(&b'*') => {
                index = skip_past(bytes, index + 2, limit, b"*/", budget);
            }
            _ => index += 1,
        }
    }
    None
}

/// The index just past the string opening at `open` with `quote`, which ends at its closing
/// quote (backslash escapes skipped) or before the end of its line.
fn skip_string(bytes: &[u8], open: usize, limit: usize, quote: u8, budget: &mut usize) -> usize {
    let mut index = open + 1;
    while index < limit && *budget > 0 {
        *budget -= 1;
        match bytes[index] {
            b'\\' => index += 2,
            b'\n' => return index,
            byte if byte == quote => return index + 1,
            _ => index += 1,
        }
    }
    index.min(limit)
}

/// The index just past the next `end` at or after `from`, or `limit`.
fn skip_past(bytes: &[u8], from: usize, limit: usize, end: &[u8], budget: &mut usize) -> usize {
    let mut index = from;
    while index < limit && *budget > 0 {
        *budget -= 1;
        if bytes[index..].starts_with(end) {
            return index + end.len();
        }
        index += 1;
    }
    limit
}

/// The neutral text of a template (see the module documentation), or `None` when `text`
/// holds no action.
#[cfg(test)]
fn neutralise(text: &str) -> Option<Neutral> {
    neutralise_actions(text, actions(text))
}

/// `neutralise`, with the actions of `text` found.
fn neutralise_actions(text: &str, actions: Vec<TextRange>) -> Option<Neutral> {
    if actions.is_empty() {
        return None;
    }
    let blocks = blocks(text, &actions);
    // What is not literal text: the actions, and the alternatives after an `else`, which are
    // left out so that the branches of one choice do not stand side by side (a mapping and
    // `{}`).
    let hidden = merge(
        actions
            .iter()
            .chain(&blocks.alternatives)
            .copied()
            .collect(),
    );
    let alternative = |start: usize| within(TextSize::from_usize(start), &blocks.alternatives);
    let mut out = text.as_bytes().to_vec();
    let mut blanked = Vec::new();
    let mut next = 0usize;
    let mut line_start = 0usize;
    while line_start < text.len() {
        let line_end = text[line_start..]
            .find('\n')
            .map_or(text.len(), |newline| line_start + newline);
        while next < hidden.len() && hidden[next].end().to_usize() <= line_start {
            next += 1;
        }
        // The hidden parts of this line, clipped to it.
        let mut on_line = Vec::new();
        let mut index = next;
        while index < hidden.len() && hidden[index].start().to_usize() < line_end {
            on_line.push((
                hidden[index].start().to_usize().max(line_start),
                hidden[index].end().to_usize().min(line_end),
            ));
            index += 1;
        }
        if !on_line.is_empty() {
            let mut literal = false;
            let mut cursor = line_start;
            for &(start, end) in &on_line {
                literal |= !text[cursor..start].trim().is_empty();
                cursor = end;
            }
            literal |= !text[cursor..line_end].trim().is_empty();
            if literal {
                let mut after = line_end;
                for &(start, end) in on_line.iter().rev() {
                    // What ends the line and holds no value: an alternative, or an action that
                    // emits an indented block on the next lines (`{{ … | nindent 4 }}`).
                    let ends_line = text[end..after].trim().is_empty();
                    let emits_block =
                        ends_line && (alternative(start) || text[start..end].contains("nindent"));
                    let fill = if emits_block { b' ' } else { STAND_IN };
                    for byte in &mut out[start..end] {
                        if *byte != b'\r' {
                            *byte = fill;
                        }
                    }
                    if emits_block {
                        blanked.push(TextRange::from_usize(start, end));
                    }
                    if ends_line {
                        after = start;
                    }
                }
            } else {
                // Carriage returns, which YAML reads as line breaks: the line becomes empty
                // lines, neutral even as the first line of a block scalar, where spaces
                // beyond its indentation are an error. Only `\n` ends a line for positions.
                out[line_start..line_end].fill(BLANK);
                blanked.push(TextRange::from_usize(line_start, line_end));
            }
        }
        line_start = line_end + 1;
    }
    blanked.sort_by_key(|range| range.start());
    // Only whole characters of ASCII were replaced, so the text is still UTF-8.
    let text = String::from_utf8(out).ok()?;
    Some(Neutral {
        text,
        actions,
        hidden,
        blanked,
        conditional: blocks.conditional,
    })
}

/// What an action does to the blocks around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Control {
    /// Opens a block that renders its body zero or more times (`if`, `with`, `range`, a
    /// Mustache or Handlebars section).
    Open,
    /// Opens a block whose body is not rendered where it stands (`define`, `block`).
    Define,
    /// Starts the alternative of a block (`else`, `else if …`).
    Else,
    /// Ends a block (`end`, `{{/name}}`).
    Close,
    /// Anything else.
    Other,
}

fn control(action: &str) -> Control {
    let inner = action
        .trim_start_matches('{')
        .trim_start_matches(['-', '~'])
        .trim_start();
    let word_is = |word: &str| {
        inner.strip_prefix(word).is_some_and(|rest| {
            rest.is_empty() || rest.starts_with(|c: char| c.is_whitespace() || "-~}(".contains(c))
        })
    };
    if inner.starts_with(['#', '^']) {
        Control::Open
    } else if inner.starts_with('/') && !inner.starts_with("/*") {
        Control::Close
    } else if word_is("if") || word_is("with") || word_is("range") {
        Control::Open
    } else if word_is("define") || word_is("block") {
        Control::Define
    } else if word_is("else") {
        Control::Else
    } else if word_is("end") {
        Control::Close
    } else {
        Control::Other
    }
}

/// The blocks of a template, as `neutralise` reads them.
struct Blocks {
    /// The bodies that only some values render (see `Neutral::conditional`), merged.
    conditional: Vec<TextRange>,
    /// The branches of each `if … else … end` (or `with`, `range`, a section with `else`) but
    /// the first that holds literal text, each from its `else`; merged.
    alternatives: Vec<TextRange>,
}

/// The blocks of `text` (see `Blocks`).
///
/// A block that opens before the first literal line of its YAML document decides whether the
/// document's object exists, and its body is read as written; a block that opens inside a
/// document decides the settings it holds (`{{- if .Values.hostNetwork }}` above
/// `hostNetwork: true`), which are the values' choice.
fn blocks(text: &str, actions: &[TextRange]) -> Blocks {
    struct Open {
        /// Where the body starts.
        body: usize,
        conditional: bool,
        /// The action that starts the current branch.
        branch: usize,
        /// Whether an earlier branch holds literal text, and is the one kept.
        kept: bool,
    }
    // literal[k]: how many of the first k gaps hold literal text, gap g being the text just
    // before action g.
    let mut literal = Vec::with_capacity(actions.len() + 1);
    literal.push(0usize);
    let mut cursor = 0usize;
    for action in actions {
        let gap = &text[cursor..action.start().to_usize()];
        let count = literal.last().copied().unwrap_or(0);
        literal.push(count + usize::from(!gap.trim().is_empty()));
        cursor = action.end().to_usize();
    }
    // Whether the text between actions `from` and `to` (gaps from + 1 to `to`) holds literal
    // text.
    let has_literal = |from: usize, to: usize| literal[to + 1] > literal[from + 1];
    let mut open: Vec<Open> = Vec::new();
    let mut conditional = Vec::new();
    let mut alternatives = Vec::new();
    let mut in_document = false;
    let mut cursor = 0usize;
    for (index, action) in actions.iter().enumerate() {
        let (start, end) = (action.start().to_usize(), action.end().to_usize());
        in_document = document_goes_on(&text[cursor..start], cursor, text, in_document);
        cursor = end;
        let kind = control(&text[start..end]);
        // The branch that `index` ends, for `else` and `end`: hidden when an earlier one is kept.
        let mut end_branch = |block: &mut Open| {
            if block.kept {
                let branch_start = actions[block.branch].start();
                alternatives.push(TextRange::new(branch_start, action.start()));
            } else {
                block.kept = has_literal(block.branch, index);
            }
        };
        match kind {
            Control::Open | Control::Define => open.push(Open {
                body: end,
                conditional: kind == Control::Define || in_document,
                branch: index,
                kept: false,
            }),
            Control::Else => {
                if let Some(block) = open.last_mut() {
                    end_branch(block);
                    block.branch = index;
                }
            }
            Control::Close => {
                if let Some(mut block) = open.pop() {
                    end_branch(&mut block);
                    if block.conditional {
                        conditional.push(TextRange::from_usize(block.body, start));
                    }
                }
            }
            Control::Other => {}
        }
    }
    for block in open {
        if block.conditional {
            conditional.push(TextRange::from_usize(block.body, text.len()));
        }
        if block.kept {
            let branch_start = actions[block.branch].start().to_usize();
            alternatives.push(TextRange::from_usize(branch_start, text.len()));
        }
    }
    Blocks {
        conditional: merge(conditional),
        alternatives: merge(alternatives),
    }
}

/// `ranges` sorted, with overlapping and touching ranges merged.
fn merge(mut ranges: Vec<TextRange>) -> Vec<TextRange> {
    ranges.sort_by_key(|range| (range.start(), range.end()));
    let mut merged: Vec<TextRange> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start() <= last.end() => {
                *last = TextRange::new(last.start(), last.end().max(range.end()));
            }
            _ => merged.push(range),
        }
    }
    merged
}

/// Whether a YAML document has literal content at the end of `segment` (literal text that
/// starts at byte `offset` of `text`), given whether it had some before: a `---` line starts a
/// new, empty document; comments and whitespace are not content.
fn document_goes_on(segment: &str, offset: usize, text: &str, mut in_document: bool) -> bool {
    let mut at_line_start = offset == 0 || text.as_bytes()[offset - 1] == b'\n';
    for piece in segment.split('\n') {
        let trimmed = piece.trim_start();
        let marker = trimmed.starts_with("---")
            && trimmed[3..].chars().next().is_none_or(char::is_whitespace);
        if at_line_start && marker {
            in_document = false;
        } else if !trimmed.is_empty()
            && !(trimmed.starts_with('#') && (at_line_start || trimmed.len() < piece.len()))
        {
            in_document = true;
        }
        at_line_start = true;
    }
    in_document
}

/// Makes the values of `documents` that came from template actions `Unknown`, and gives a
/// one-line string that mixes literal text and actions the actions' own text (`{{ include
/// \"x.fullname\" . }}-extra`), which messages then show (see the module documentation).
/// `original` is the template's text.
pub(crate) fn mark_unknown(
    documents: &mut [std::sync::Arc<Node>],
    neutral: &Neutral,
    original: &str,
) {
    for document in documents {
        mark(
            std::sync::Arc::make_mut(document),
            neutral,
            original,
            false,
            0,
        );
    }
}

fn mark(node: &mut Node, neutral: &Neutral, original: &str, is_key: bool, depth: usize) {
    if depth > MAX_DEPTH {
        return;
    }
    match &mut node.kind {
        NodeKind::Mapping(entries) => {
            for entry in entries {
                mark(&mut entry.key, neutral, original, true, depth + 1);
                mark(&mut entry.value, neutral, original, false, depth + 1);
            }
        }
        NodeKind::Sequence(items) => {
            for item in items {
                mark(item, neutral, original, false, depth + 1);
            }
        }
        NodeKind::Scalar(scalar) => {
            // A key stays: the entry is there, and its value is what only some values render.
            if !is_key && within(node.range.start(), &neutral.conditional) {
                node.kind = NodeKind::Unknown;
            } else if scalar.kind == ScalarKind::Null && node.range.is_empty() {
                if emptied_by_blanked_line(node.range, neutral) {
                    node.kind = NodeKind::Unknown;
                }
            } else if only_hidden(node.range, neutral) {
                node.kind = NodeKind::Unknown;
            } else if let Some(inner) = verbatim_inner(node.range, &scalar.value, neutral)
                && let Some(written) = original.get(inner.to_std())
                && overlaps_hidden(inner, neutral)
            {
                written.clone_into(&mut scalar.value);
            }
        }
        NodeKind::Unknown => {}
    }
}

/// Whether `offset` lies inside one of the sorted, disjoint `ranges`.
fn within(offset: TextSize, ranges: &[TextRange]) -> bool {
    let first = ranges.partition_point(|range| range.end() <= offset);
    ranges
        .get(first)
        .is_some_and(|range| range.start() <= offset)
}

/// The range of a one-line plain or quoted scalar's text when its decoded `value` is that text
/// as written (no quotes doubled, no escapes, no folding).
fn verbatim_inner(range: TextRange, value: &str, neutral: &Neutral) -> Option<TextRange> {
    let raw = neutral.text.get(range.to_std())?;
    let quoted = raw.starts_with(['"', '\'']);
    if raw.contains('\n') || raw.starts_with(['|', '>']) || (quoted && raw.len() < 2) {
        return None;
    }
    let inner = if quoted {
        TextRange::from_usize(
            range.start().to_usize() + 1,
            range.end().to_usize().checked_sub(1)?,
        )
    } else {
        range
    };
    (neutral.text.get(inner.to_std())? == value).then_some(inner)
}

/// Whether hidden text (an action, an alternative) lies (partly) within `range`.
fn overlaps_hidden(range: TextRange, neutral: &Neutral) -> bool {
    let first = neutral
        .hidden
        .partition_point(|hidden| hidden.end() <= range.start());
    neutral
        .hidden
        .get(first)
        .is_some_and(|hidden| hidden.start() < range.end())
}

/// Whether every character of the scalar at `range`, quotes and whitespace aside, is hidden
/// text (an action, an alternative).
fn only_hidden(range: TextRange, neutral: &Neutral) -> bool {
    let (start, end) = (range.start().to_usize(), range.end().to_usize());
    if !overlaps_hidden(range, neutral) {
        return false;
    }
    let first = neutral
        .hidden
        .partition_point(|hidden| hidden.end().to_usize() <= start);
    let bytes = neutral.text.as_bytes();
    let mut cursor = start;
    for hidden in &neutral.hidden[first..] {
        let hidden_start = hidden.start().to_usize();
        if hidden_start >= end {
            break;
        }
        if !is_filler(&bytes[cursor.min(hidden_start)..hidden_start]) {
            return false;
        }
        cursor = cursor.max(hidden.end().to_usize());
    }
    cursor >= end || is_filler(&bytes[cursor..end])
}

/// Whether `bytes` hold only whitespace and quotes.
fn is_filler(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|byte| matches!(byte, b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\''))
}

/// Whether a blanked line lies between an omitted value at `range` and the next content of
/// the text (comments aside): the value was what that line's action emits.
fn emptied_by_blanked_line(range: TextRange, neutral: &Neutral) -> bool {
    let start = range.start().to_usize();
    let first = neutral
        .blanked
        .partition_point(|blank| blank.start().to_usize() < start);
    let Some(blank) = neutral.blanked.get(first) else {
        return false;
    };
    let bytes = neutral.text.as_bytes();
    let mut index = start;
    let mut line_begins = false;
    while index < bytes.len() {
        match bytes[index] {
            b'\n' => line_begins = true,
            b' ' | b'\t' | b'\r' => {}
            b'#' if line_begins || index == start => {
                while index < bytes.len() && bytes[index] != b'\n' {
                    index += 1;
                }
                continue;
            }
            _ => break,
        }
        index += 1;
    }
    blank.start().to_usize() < index
}

#[cfg(test)]
mod tests {
    use super::*;

    fn neutral(text: &str) -> String {
        neutralise(text).map_or_else(|| text.to_owned(), |neutral| neutral.text)
    }

    #[test]
    fn control_lines_become_blank_and_values_stand_ins() {
        let text = "{{- if .Values.on }}\nkind: Pod\nname: {{ .Release.Name }}-x\n  {{- end }}\n";
        let out = neutral(text);
        assert_eq!(out.len(), text.len());
        let blank = |line: &str| "\r".repeat(line.len());
        let expected = format!(
            "{}\nkind: Pod\nname: {}-x\n{}\n",
            blank("{{- if .Values.on }}"),
            "_".repeat("{{ .Release.Name }}".len()),
            blank("  {{- end }}"),
        );
        assert_eq!(out, expected);
    }

    #[test]
    fn not_actions() {
        assert!(actions("run: echo ${{ github.sha }}\n").is_empty());
        assert!(actions("Value: '{{resolve:ssm:/a/b:1}}'\n").is_empty());
        assert!(actions("a: {{ unclosed\nb: c\n").is_empty());
        assert_eq!(actions("a: {{ x }}\n").len(), 1);
    }

    #[test]
    fn strings_comments_and_triples() {
        let text = "a: {{ \"}}\" }}\nb: {{/* }} */}}\nc: {{{ raw }}}\nd: {{ 'x' }}\n";
        let found: Vec<&str> = actions(text)
            .iter()
            .map(|action| &text[action.to_std()])
            .collect();
        assert_eq!(
            found,
            ["{{ \"}}\" }}", "{{/* }} */}}", "{{{ raw }}}", "{{ 'x' }}"]
        );
        // An apostrophe without a partner is text.
        assert_eq!(actions("a: {{! don't }}\n").len(), 1);
    }

    #[test]
    fn an_unbalanced_opening_gives_way_to_the_next_action() {
        let text = "a: {{ broken\nb: {{ .ok }}\n";
        let found: Vec<&str> = actions(text)
            .iter()
            .map(|action| &text[action.to_std()])
            .collect();
        assert_eq!(found, ["{{ .ok }}"]);
    }

    #[test]
    fn multi_byte_text_inside_actions() {
        let text = "a: {{ \"é\" }}\n{{/* ü */}}\nb: c\n";
        let out = neutral(text);
        assert_eq!(out.len(), text.len());
        assert!(out.is_ascii());
        assert!(out.ends_with("\nb: c\n"));
    }

    #[test]
    fn templates_are_recognised() {
        assert!(is_template(
            "chart/templates/deploy.yaml",
            "replicas: {{ .Values.n }}\n"
        ));
        assert!(is_template(
            "x.yaml",
            "{{- if .Values.on }}\nkind: Pod\n{{- end }}\n"
        ));
        assert!(!is_template("x.yaml", "run: echo ${{ github.sha }}\n"));
        assert!(!is_template("x.yaml", "kind: Pod\n"));
        assert!(!is_template(
            "stack/templates/db.yaml",
            "Password: '{{resolve:secretsmanager:db}}'\n"
        ));
        // An action inside a value, outside a `templates` folder, is a value's own text.
        assert!(!is_template(
            "x.yaml",
            "summary: '{{ $labels.pod }} is down'\n"
        ));
    }

    fn parsed(path: &'static str, text: &'static str) -> Option<crate::SourceFile<'static>> {
        crate::parse_source(path, text, crate::SourceHints::default())
    }

    #[test]
    fn values_from_actions_are_unknown() {
        let text = "\
{{- if .Values.enabled }}
apiVersion: apps/v1
kind: DaemonSet
metadata:
  name: {{ include \"agent.fullname\" . }}-node
spec:
  replicas: {{ .Values.replicas }}
  template:
    spec:
      containers:
        - name: agent
          securityContext:
            {{- toYaml .Values.securityContext | nindent 12 }}
        - name: literal
          securityContext:
            privileged: true
            runAsUser: {{ .Values.uid | quote }}
          command: [sh, -c, \"kubectl apply -f {{ .Values.manifest }}\"]
{{- end }}
";
        let file = parsed("chart/templates/agent.yaml", text).expect("a manifest");
        assert_eq!(file.format, crate::Format::Kubernetes);
        assert!(file.templated);
        assert_eq!(file.text.len(), text.len());
        assert!(file.first_parse_problem().is_none());
        let object = &file.documents[0];
        let name = object.get("metadata").and_then(|m| m.get("name")).unwrap();
        assert_eq!(
            name.as_str(),
            Some("{{ include \"agent.fullname\" . }}-node")
        );
        let spec = object.get("spec").unwrap();
        assert!(matches!(
            spec.get("replicas").unwrap().kind,
            NodeKind::Unknown
        ));
        let pod = spec.get("template").and_then(|t| t.get("spec")).unwrap();
        let containers = pod.get("containers").unwrap().items();
        let injected = containers[0].get("securityContext").unwrap();
        assert!(matches!(injected.kind, NodeKind::Unknown));
        let context = containers[1].get("securityContext").unwrap();
        assert_eq!(
            context.get("privileged").and_then(Node::as_bool),
            Some(true)
        );
        assert!(matches!(
            context.get("runAsUser").unwrap().kind,
            NodeKind::Unknown
        ));
        let command = containers[1].get("command").unwrap().items();
        assert_eq!(
            command[2].as_str(),
            Some("kubectl apply -f {{ .Values.manifest }}")
        );
    }

    #[test]
    fn settings_that_only_some_values_render_are_unknown() {
        let text = "\
{{- if .Values.rbac.create }}
# Whether the object exists is the values' choice; what it holds is written here.
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
{{- if .Values.hostNetwork }}
      hostNetwork: true
{{- else }}
      hostPID: true
{{- end }}
      hostIPC: true
      containers:
        {{- range .Values.sidecars }}
        - name: sidecar
          securityContext: {privileged: true}
        {{- end }}
        - name: main
          securityContext: {privileged: true, runAsUser: {{ if .Values.root }}0{{ end }}}
---
{{ if .Values.secretsReader }}
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
rules:
{{ if has \"secrets\" .Values.collectors }}
- apiGroups: [\"\"]
  resources: [secrets]
  verbs: [list, watch]
{{ end }}
{{ end }}
{{- end }}
";
        let file = parsed("chart/templates/app.yaml", text).expect("a manifest");
        assert!(file.first_parse_problem().is_none());
        let unknown =
            |node: Option<&Node>| matches!(node.map(|node| &node.kind), Some(NodeKind::Unknown));
        let pod = file.documents[0]
            .get("spec")
            .and_then(|spec| spec.get("template"))
            .and_then(|template| template.get("spec"))
            .unwrap();
        assert!(unknown(pod.get("hostNetwork")));
        // The alternative after `else` is left out.
        assert!(pod.get("hostPID").is_none());
        assert_eq!(pod.get("hostIPC").and_then(Node::as_bool), Some(true));
        let containers = pod.get("containers").unwrap().items();
        assert!(unknown(
            containers[0]
                .get("securityContext")
                .and_then(|c| c.get("privileged"))
        ));
        let main = containers[1].get("securityContext").unwrap();
        assert_eq!(main.get("privileged").and_then(Node::as_bool), Some(true));
        assert_eq!(
            main.get("runAsUser").and_then(Node::as_str),
            Some("{{ if .Values.root }}0{{ end }}")
        );
        let role = &file.documents[1];
        assert_eq!(role.get("kind").and_then(Node::as_str), Some("ClusterRole"));
        let rule = &role.get("rules").unwrap().items()[0];
        assert!(unknown(rule.get("resources").map(|r| &r.items()[0])));
    }

    #[test]
    fn alternatives_and_emitted_blocks_keep_the_yaml_valid() {
        let text = "\
apiVersion: v1
kind: {{ if .Values.secret -}} Secret {{- else -}} ConfigMap {{- end }}
metadata:
  labels: {{- include \"x.labels\" . | nindent 4 }}
    app.kubernetes.io/component: metrics
  annotations: {{- toYaml .Values.annotations | nindent 4 }}
spec:
  volumes:
    - name: data
      emptyDir:
      {{- if .Values.medium }}
        medium: {{ .Values.medium }}
      {{- else }}
        {}
      {{- end }}
";
        let file = parsed("chart/templates/x.yaml", text).expect("a manifest");
        assert!(
            file.first_parse_problem().is_none(),
            "{:?}",
            file.first_parse_problem()
        );
        let object = &file.documents[0];
        assert_eq!(
            object.get("kind").and_then(Node::as_str),
            Some("{{ if .Values.secret -}} Secret")
        );
        let metadata = object.get("metadata").unwrap();
        let labels = metadata.get("labels").unwrap();
        assert!(labels.get("app.kubernetes.io/component").is_some());
        assert!(matches!(
            metadata.get("annotations").unwrap().kind,
            NodeKind::Unknown
        ));
        let volume = &object
            .get("spec")
            .and_then(|s| s.get("volumes"))
            .unwrap()
            .items()[0];
        assert!(volume.get("emptyDir").unwrap().get("medium").is_some());

        // The branch kept is the first that holds literal text: here the one after a guard.
        let guarded = "\
{{- if and .Values.a .Values.b }}
{{- fail \"a and b exclude each other\" }}
{{- else if .Values.a }}
apiVersion: v1
kind: PodMonitor
{{- else }}
apiVersion: v1
kind: ServiceMonitor
{{- end }}
";
        let file = parsed("chart/templates/monitor.yaml", guarded).expect("a manifest");
        assert_eq!(
            file.documents[0].get("kind").and_then(Node::as_str),
            Some("PodMonitor")
        );
    }

    #[test]
    fn templates_take_the_format_of_their_literal_parts() {
        let pipeline = "trigger:\n- {{ branch }}\n\njobs:\n- job: Deploy\n  pool:\n    {{ pool }}\n  steps:\n  - script: echo hi\n";
        let file = parsed("starters/templates/web.yml", pipeline).expect("a pipeline");
        assert_eq!(file.format, crate::Format::AzurePipelines);
        let job = &file.documents[0].get("jobs").unwrap().items()[0];
        assert!(matches!(job.get("pool").unwrap().kind, NodeKind::Unknown));

        let stack = "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Key:\n    Type: AWS::KMS::Key\n  Map:\n    Type: Custom::Map\n    Properties:\n      Username: 'system:node:{{EC2PrivateDNSName}}'\n";
        let file = parsed("quickstart/templates/eks.template.yaml", stack).expect("a stack");
        assert_eq!(file.format, crate::Format::CloudFormation);
        let username = file.documents[0]
            .get("Resources")
            .and_then(|r| r.get("Map"))
            .and_then(|m| m.get("Properties"))
            .and_then(|p| p.get("Username"))
            .unwrap();
        assert_eq!(username.as_str(), Some("system:node:{{EC2PrivateDNSName}}"));

        // A template of something redline does not judge is not analysed.
        let release = "builds:\n  - ldflags: -X main.version={{ .Version }}\n{{- if .IsSnapshot }}\nsnapshot: true\n{{- end }}\n";
        assert!(parsed(".goreleaser.yaml", release).is_none());
    }

    #[test]
    fn a_template_tree_is_never_reused() {
        let template = "{{- if .x }}\napiVersion: v1\nkind: Pod\n{{- end }}\n";
        let tree = parsed("chart/templates/pod.yaml", template)
            .expect("a manifest")
            .parsed_tree();
        // The same path, no longer a template: parsed afresh, not from the neutral tree.
        let plain = "# {{ .x }}\napiVersion: v1\nkind: Pod\n# end\n";
        let again = crate::parse_source_incremental(
            "pod.yaml",
            plain,
            crate::SourceHints::default(),
            Some(&tree),
        )
        .expect("a manifest");
        assert!(!again.templated);
        assert_eq!(
            again.documents,
            parsed("pod.yaml", plain).unwrap().documents
        );
    }

    #[test]
    fn hostile_input_is_bounded() {
        let many_openings = "{{".repeat(200_000);
        assert!(actions(&many_openings).is_empty());
        let long_strings = "{{ \"".repeat(100_000);
        assert!(actions(&long_strings).is_empty());
        let many = "a: {{ x }}\n".repeat(50_000);
        assert_eq!(actions(&many).len(), 50_000);
        // One line of half a million actions, none at a line's start: linear, not quadratic.
        let one_line = "a {{ x }}".repeat(500_000);
        assert!(!is_template("x.yaml", &one_line));
        assert!(neutralise(&one_line).is_some());
        // Blocks nested a hundred thousand deep, and never closed; chains of `else`.
        let deep = "{{ if .x }}\n".repeat(100_000);
        let neutral = neutralise(&deep).expect("actions");
        assert!(
            neutral
                .text
                .bytes()
                .all(|byte| byte == b'\r' || byte == b'\n')
        );
        let chains = "k: {{ if .a }}a{{ else }}b{{ else }}c{{ end }}\n".repeat(50_000);
        assert_eq!(
            neutralise(&chains).expect("actions").text.len(),
            chains.len()
        );
    }
}

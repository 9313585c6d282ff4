//! Shell commands as argument vectors, from tree-sitter-bash trees.
//!
//! Every simple command of a script is found, including those inside pipelines, lists,
//! subshells, functions and `$(…)`. Wrappers that run another command (`sudo`, `env`,
//! `xargs`, `nohup`, `time`, …) are unwrapped, and scripts passed to `bash -c`, `sh -c` or
//! `eval` are parsed in turn. Words keep their range in the host file, so findings inside a
//! YAML `run:` block point at the exact text.

use redline_text::{TextRange, TextSize};
use tree_sitter::{Node as TsNode, Parser};

use crate::Language;
use crate::tree::{grammar, node_text, range};

/// How many `bash -c` levels are followed.
pub(crate) const MAX_NESTING: usize = 4;

/// One simple command after unwrapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// The program and its arguments, wrappers removed.
    pub words: Vec<Word>,
    /// The range of the whole command as written, wrappers included.
    pub range: TextRange,
    /// The wrappers that were removed, outermost first (`sudo`, `bash -c`, …).
    pub wrappers: Vec<String>,
}

/// One word of a command.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word with quotes removed; expansions are kept as written (`$DIR/`).
    pub text: String,
    /// Whether part of the word is only known at run time (`$VAR`, `$(…)`, globs are not).
    pub has_expansion: bool,
    /// The word's range in the host text.
    pub range: TextRange,
    /// Each parameter expansion of the word (`$DIR`, `${DIR}`, `${DIR:?}`) with its host
    /// range, when the word's text maps exactly onto the host text.
    pub expansions: Vec<Expansion>,
}

/// A parameter expansion inside a word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expansion {
    /// The expansion as written, e.g. `${DIR:-/tmp}`.
    pub text: String,
    /// The variable name.
    pub name: String,
    /// Where it is in the host text.
    pub range: TextRange,
}

/// Maps offsets of a script back to its host text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceMap {
    // Invariant: sorted by script offset; each entry maps a run of bytes that is copied
    // unchanged from the host (`script_start..script_start+len` → `host_start..`).
    segments: Vec<Segment>,
    // Where offsets that fall outside every segment map to: the whole embedded value.
    fallback: TextRange,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    script_start: u32,
    host_start: u32,
    len: u32,
}

impl SourceMap {
    /// A script that is a verbatim copy of `host_range`'s text.
    pub fn verbatim(host_range: TextRange) -> Self {
        Self {
            segments: vec![Segment {
                script_start: 0,
                host_start: host_range.start().to_u32(),
                len: host_range.len().to_u32(),
            }],
            fallback: host_range,
        }
    }

    /// A map with no exact segments: everything maps to `host_range`.
    pub fn whole(host_range: TextRange) -> Self {
        Self {
            segments: Vec::new(),
            fallback: host_range,
        }
    }

    /// Adds a run of `len` bytes copied unchanged from `host_start` to `script_start`.
    pub fn push(&mut self, script_start: usize, host_start: usize, len: usize) {
        let to_u32 = |value: usize| u32::try_from(value).unwrap_or(u32::MAX);
        self.segments.push(Segment {
            script_start: to_u32(script_start),
            host_start: to_u32(host_start),
            len: to_u32(len),
        });
    }

    /// The host range of a script range, or `None` when it does not map exactly.
    pub fn exact(&self, script: TextRange) -> Option<TextRange> {
        let start = script.start().to_u32();
        let end = script.end().to_u32();
        let index = self
            .segments
            .partition_point(|segment| segment.script_start <= start)
            .checked_sub(1)?;
        let segment = self.segments[index];
        if end > segment.script_start + segment.len {
            return None;
        }
        let host_start = segment.host_start + (start - segment.script_start);
        Some(TextRange::new(
            TextSize::new(host_start),
            TextSize::new(host_start + (end - start)),
        ))
    }

    /// The host range of a script range; when the range spans several host runs, from the
    /// start of the first to the end of the last; when nothing maps, the whole value.
    pub fn map(&self, script: TextRange) -> TextRange {
        if let Some(exact) = self.exact(script) {
            return exact;
        }
        let start = self.exact(TextRange::empty(script.start()));
        let end = self.exact(TextRange::empty(script.end()));
        match (start, end) {
            (Some(start), Some(end)) if start.start() <= end.end() => {
                TextRange::new(start.start(), end.end())
            }
            _ => self.fallback,
        }
    }
}

/// Every command of `script`, with ranges in the host text given by `map`.
pub fn commands(script: &str, map: &SourceMap) -> Vec<Command> {
    let mut res = Vec::new();
    collect_script(script, map, 0, &[], &mut res);
    res
}

/// Every command of a script that is already parsed (a shell file's own tree).
pub fn commands_in_tree(tree: &tree_sitter::Tree, script: &str, map: &SourceMap) -> Vec<Command> {
    let mut res = Vec::new();
    collect_tree(tree, script, map, 0, &[], &mut res);
    res
}

fn collect_script(
    script: &str,
    map: &SourceMap,
    depth: usize,
    wrappers: &[String],
    res: &mut Vec<Command>,
) {
    let mut parser = Parser::new();
    if parser.set_language(&grammar(Language::Bash)).is_err() {
        return;
    }
    let Some(tree) = parser.parse(script, None) else {
        return;
    };
    collect_tree(&tree, script, map, depth, wrappers, res);
}

fn collect_tree(
    tree: &tree_sitter::Tree,
    script: &str,
    map: &SourceMap,
    depth: usize,
    wrappers: &[String],
    res: &mut Vec<Command>,
) {
    let mut cursor = tree.walk();
    // Pre-order walk with a cursor: no recursion, whatever the nesting.
    'walk: loop {
        let node = cursor.node();
        if node.kind() == "command" {
            command(node, script, map, depth, wrappers, res);
        }
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
}

fn command(
    node: TsNode<'_>,
    script: &str,
    map: &SourceMap,
    depth: usize,
    wrappers: &[String],
    res: &mut Vec<Command>,
) {
    let mut words = Vec::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "command_name" => {
                if let Some(name) = child.named_child(0) {
                    words.push(word(name, script, map));
                }
            }
            "variable_assignment"
            | "file_redirect"
            | "heredoc_redirect"
            | "herestring_redirect"
            | "comment" => {}
            _ if !words.is_empty() => words.push(word(child, script, map)),
            _ => {}
        }
    }
    if words.is_empty() {
        return;
    }
    let mut wrappers = wrappers.to_vec();
    let words = unwrap(words, &mut wrappers);
    let Some(program) = words.first().map(|word| program_name(&word.text)) else {
        return;
    };
    let is_shell = matches!(program, "bash" | "sh" | "zsh" | "dash" | "ksh" | "ash");
    let script_index = words
        .iter()
        .position(|word| word.text == "-c" || is_short_cluster_with(&word.text, 'c'))
        .map(|index| index + 1);
    if let (true, true, Some(inner)) = (
        is_shell,
        depth < MAX_NESTING,
        script_index.and_then(|index| words.get(index)),
    ) {
        wrappers.push(format!("{program} -c"));
        nested(inner, depth, &wrappers, res);
        return;
    }
    if program == "eval" && depth < MAX_NESTING && words.len() > 1 {
        wrappers.push("eval".to_owned());
        if words.len() == 2 {
            nested(&words[1], depth, &wrappers, res);
        } else {
            let joined: Vec<&str> = words[1..].iter().map(|word| word.text.as_str()).collect();
            let whole = map.map(range(node));
            collect_script(
                &joined.join(" "),
                &SourceMap::whole(whole),
                depth + 1,
                &wrappers,
                res,
            );
        }
        return;
    }
    res.push(Command {
        words,
        range: map.map(range(node)),
        wrappers,
    });
}

/// Parses the script held by `word` (of `bash -c`), mapping it back through the word.
fn nested(word: &Word, depth: usize, wrappers: &[String], res: &mut Vec<Command>) {
    // A quoted word without escapes or expansions is copied verbatim from its source, one
    // quote character in.
    let inner_map = if word.has_expansion {
        SourceMap::whole(word.range)
    } else {
        let host = word.range;
        let raw_len = host.len().to_usize();
        if raw_len == word.text.len() + 2 {
            SourceMap::verbatim(TextRange::new(
                host.start() + TextSize::new(1),
                host.end() - TextSize::new(1),
            ))
        } else if raw_len == word.text.len() {
            SourceMap::verbatim(host)
        } else {
            SourceMap::whole(host)
        }
    };
    collect_script(&word.text, &inner_map, depth + 1, wrappers, res);
}

/// Removes wrappers that run the rest of the line as a command.
pub(crate) fn unwrap(mut words: Vec<Word>, wrappers: &mut Vec<String>) -> Vec<Word> {
    loop {
        let Some(first) = words.first() else {
            return words;
        };
        let program = program_name(&first.text).to_owned();
        // Options of each wrapper that take a value.
        let value_options: &[&str] = match program.as_str() {
            "sudo" => &[
                "-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "--user", "--group",
            ],
            "env" => &["-u", "--unset", "-C", "--chdir", "-S", "--split-string"],
            "nice" => &["-n", "--adjustment"],
            "timeout" => &["-s", "--signal", "-k", "--kill-after"],
            "xargs" => &[
                "-n",
                "-I",
                "-P",
                "-L",
                "-s",
                "-d",
                "-E",
                "-a",
                "--max-args",
                "--max-procs",
                "--delimiter",
                "--arg-file",
            ],
            "stdbuf" => &["-i", "-o", "-e"],
            "npx" | "pnpx" | "bunx" => &["-p", "--package", "-c", "--call"],
            "time" | "nohup" | "exec" | "command" | "builtin" | "doas" => &[],
            _ => return words,
        };
        wrappers.push(program.clone());
        let mut index = 1;
        while let Some(word) = words.get(index) {
            let text = word.text.as_str();
            if text == "--" {
                index += 1;
                break;
            }
            if text.starts_with('-') && text.len() > 1 {
                index += if value_options.contains(&text) { 2 } else { 1 };
                continue;
            }
            if program == "env" && text.contains('=') {
                index += 1;
                continue;
            }
            if program == "timeout" && index == 1 {
                // The duration.
                index += 1;
            }
            break;
        }
        words.drain(..index.min(words.len()));
    }
}

/// The program's base name: `/usr/bin/rm` → `rm`.
pub fn program_name(text: &str) -> &str {
    text.rsplit('/').next().unwrap_or(text)
}

/// Whether `text` is a cluster of short options (`-rf`) containing `flag`.
pub fn is_short_cluster_with(text: &str, flag: char) -> bool {
    text.len() > 1
        && text.starts_with('-')
        && !text.starts_with("--")
        && text[1..].chars().all(|c| c.is_ascii_alphanumeric())
        && text[1..].contains(flag)
}

pub(crate) fn word(node: TsNode<'_>, script: &str, map: &SourceMap) -> Word {
    let mut text = String::new();
    let mut has_expansion = false;
    let mut expansions = Vec::new();
    decode(
        node,
        script,
        map,
        &mut text,
        &mut has_expansion,
        &mut expansions,
        0,
    );
    Word {
        text,
        has_expansion,
        range: map.map(range(node)),
        expansions,
    }
}

fn decode(
    node: TsNode<'_>,
    script: &str,
    map: &SourceMap,
    text: &mut String,
    has_expansion: &mut bool,
    expansions: &mut Vec<Expansion>,
    depth: usize,
) {
    let raw = node_text(node, script);
    if depth > 32 {
        text.push_str(raw);
        *has_expansion = true;
        return;
    }
    match node.kind() {
        "raw_string" => {
            text.push_str(
                raw.strip_prefix('\'')
                    .and_then(|r| r.strip_suffix('\''))
                    .unwrap_or(raw),
            );
        }
        "string" => {
            // Text between the children is literal; children are content and expansions.
            let mut cursor = node.walk();
            let inner_start = node.start_byte() + 1;
            let inner_end = node.end_byte().saturating_sub(1).max(inner_start);
            let mut position = inner_start;
            for child in node.named_children(&mut cursor) {
                if child.start_byte() > position {
                    text.push_str(script.get(position..child.start_byte()).unwrap_or(""));
                }
                decode(
                    child,
                    script,
                    map,
                    text,
                    has_expansion,
                    expansions,
                    depth + 1,
                );
                position = child.end_byte();
            }
            if inner_end > position {
                text.push_str(script.get(position..inner_end).unwrap_or(""));
            }
        }
        "string_content" => text.push_str(&unescape_double(raw)),
        "word" | "number" => text.push_str(&unescape_word(raw)),
        "concatenation" => {
            let mut cursor = node.walk();
            for child in node.children(&mut cursor) {
                decode(
                    child,
                    script,
                    map,
                    text,
                    has_expansion,
                    expansions,
                    depth + 1,
                );
            }
        }
        "simple_expansion" | "expansion" => {
            *has_expansion = true;
            text.push_str(raw);
            let name = raw
                .trim_start_matches('$')
                .trim_start_matches('{')
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("")
                .to_owned();
            if let Some(host) = map.exact(range(node)) {
                expansions.push(Expansion {
                    text: raw.to_owned(),
                    name,
                    range: host,
                });
            }
        }
        "ansi_c_string" => {
            text.push_str(
                raw.strip_prefix("$'")
                    .and_then(|r| r.strip_suffix('\''))
                    .unwrap_or(raw),
            );
        }
        _ if !node.is_named() => text.push_str(raw),
        _ => {
            // Command substitutions, arithmetic, process substitution: unknown at rest.
            *has_expansion = true;
            push_unknown(text, raw);
        }
    }
}

/// How much of a command substitution (or other text only known at run time) a word keeps.
/// Each command nested in `$(…)` gets a word holding the substitution's text, so keeping all of
/// it would cost quadratic memory on deeply nested substitutions (200,000 levels took over
/// 4 GB). Rules only look at the start of such words.
const MAX_UNKNOWN_TEXT: usize = 1024;

fn push_unknown(text: &mut String, raw: &str) {
    let end = redline_text::floor_char_boundary(raw, MAX_UNKNOWN_TEXT);
    text.push_str(&raw[..end]);
}

fn unescape_word(raw: &str) -> String {
    let mut res = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                res.push(next);
            }
        } else {
            res.push(c);
        }
    }
    res
}

fn unescape_double(raw: &str) -> String {
    let mut res = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && matches!(chars.peek(), Some('$' | '`' | '"' | '\\' | '\n')) {
            if let Some(next) = chars.next().filter(|next| *next != '\n') {
                res.push(next);
            }
        } else {
            res.push(c);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(script: &str) -> Vec<Vec<String>> {
        let map = SourceMap::verbatim(TextRange::from_usize(0, script.len()));
        commands(script, &map)
            .into_iter()
            .map(|command| command.words.into_iter().map(|word| word.text).collect())
            .collect()
    }

    #[test]
    fn commands_and_wrappers() {
        assert_eq!(
            argv("FOO=1 sudo -u root rm -rf \"$DIR/\"* && kubectl -n x delete ns y | tee log"),
            [
                vec!["rm", "-rf", "$DIR/*"],
                vec!["kubectl", "-n", "x", "delete", "ns", "y"],
                vec!["tee", "log"],
            ]
        );
        assert_eq!(
            argv("echo $(terraform destroy -auto-approve)"),
            [
                vec!["echo", "$(terraform destroy -auto-approve)"],
                vec!["terraform", "destroy", "-auto-approve"]
            ]
        );
        assert_eq!(
            argv("env -i A=b nohup time xargs -n 1 rm -rf"),
            [vec!["rm", "-rf"]]
        );
        assert_eq!(
            argv("bash -c 'rm -rf /tmp/x; ls'"),
            [vec!["rm", "-rf", "/tmp/x"], vec!["ls"]]
        );
        assert_eq!(
            argv("psql -c \"DROP TABLE \\\"x\\\"\" db"),
            [vec!["psql", "-c", "DROP TABLE \"x\"", "db"]]
        );
    }

    #[test]
    fn nested_ranges_map_back() {
        let script = "echo hi; sh -c 'rm -rf \"$TARGET\"/'";
        let map = SourceMap::verbatim(TextRange::from_usize(0, script.len()));
        let found = commands(script, &map);
        let rm = found
            .iter()
            .find(|c| c.words[0].text == "rm")
            .expect("rm found");
        assert_eq!(&script[rm.range.to_std()], "rm -rf \"$TARGET\"/");
        assert_eq!(rm.wrappers, ["sh -c"]);
        let expansion = &rm.words[2].expansions[0];
        assert_eq!(&script[expansion.range.to_std()], "$TARGET");
    }
}

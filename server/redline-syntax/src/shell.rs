//! Shell commands as argument vectors, from tree-sitter-bash trees.
//!
//! Every simple command of a script is found, including those inside pipelines, lists,
//! subshells, functions and `$(…)`. Wrappers that run another command (`sudo`, `env`,
//! `xargs`, `nohup`, `time`, …) are unwrapped, and scripts passed to `bash -c`, `sh -c` or
//! `eval` are parsed in turn. Words keep their range in the host file, so findings inside a
//! YAML `run:` block point at the exact text.

use std::collections::HashMap;

use redline_text::{TextRange, TextSize};
use tree_sitter::Node as TsNode;

use crate::shell_inline as inline;
use crate::tree::{node_text, range};

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
    /// Why what the command runs is only known at run time (a script decoded or downloaded
    /// into a shell, a computed command name), when it is.
    pub opaque: Option<Opaque>,
    /// The literal text the command reads on standard input (`echo 'DROP TABLE t;' | psql`),
    /// for the data clients whose input is what they run.
    pub input: Option<String>,
}

/// Why what a command runs is only known at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opaque {
    /// Where the hidden text comes from.
    pub kind: OpaqueKind,
    /// What the command runs, completing "the command …".
    pub reason: String,
}

/// Where the text a command runs comes from, when it is hidden.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpaqueKind {
    /// Decoded or unpacked at run time (`base64 -d | sh`): hidden on purpose.
    Decoded,
    /// Downloaded at run time (`curl … | sh`).
    Downloaded,
    /// Computed at run time: a variable, a command substitution, another program's output.
    Computed,
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

    /// The map of this script with `len` bytes written before it, which map to no host text
    /// of their own.
    pub fn shifted(&self, len: usize) -> Self {
        let len = u32::try_from(len).unwrap_or(u32::MAX);
        Self {
            segments: self
                .segments
                .iter()
                .map(|segment| Segment {
                    script_start: segment.script_start.saturating_add(len),
                    ..*segment
                })
                .collect(),
            fallback: self.fallback,
        }
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
///
/// The commands of a script are kept by its text and map (a memo every thread shares): the file's commands,
/// several rules and the repository facts each read the same `run:` and `script:` steps, and
/// an editor reads them again on every keystroke.
pub fn commands(script: &str, map: &SourceMap) -> Vec<Command> {
    if let Some(found) = KEPT_COMMANDS.with(|kept| {
        kept.get(script)
            .and_then(|maps| maps.iter().find(|(other, _)| other == map))
            .map(|(_, commands)| commands.clone())
    }) {
        return found;
    }
    let mut walker = Walker::default();
    walker.script(script, map, 0, &[]);
    let res = walker.res;
    KEPT_COMMANDS.with(|kept| {
        if let Some(maps) = kept.entry(script, Vec::new) {
            maps.push((map.clone(), res.clone()));
        }
    });
    res
}

/// How many bytes of script text the commands are kept for (see `commands`).
const KEPT_COMMANDS_BYTES: usize = 256 * 1024;

/// The commands of the scripts read (see `commands`).
static KEPT_COMMANDS: crate::text_memo::SharedMemo<Vec<(SourceMap, Vec<Command>)>> =
    crate::text_memo::SharedMemo::new(KEPT_COMMANDS_BYTES, KEPT_COMMANDS_BYTES);

/// Every command of a script that is already parsed (a shell file's own tree).
pub fn commands_in_tree(tree: &tree_sitter::Tree, script: &str, map: &SourceMap) -> Vec<Command> {
    let mut walker = Walker::default();
    walker.tree(tree, script, map, 0, &[]);
    walker.res
}

/// The most items of a literal input (`echo a b | xargs rm`, `::: a b`) judged one by one.
const MAX_INPUT_ITEMS: usize = 16;

/// Programs that run the script they are given (`-c SCRIPT`, a file, or standard input).
fn is_shell(program: &str) -> bool {
    matches!(
        program,
        "bash" | "sh" | "zsh" | "dash" | "ksh" | "ash" | "mksh" | "busybox"
    )
}

/// What a command reads on standard input, as far as the script says.
enum Stdin {
    /// Literal text: an `echo`/`printf` of literal words before a pipe, a quoted here-document,
    /// a here-string.
    Text(String),
    /// The output of another program, only known at run time.
    From(String),
}

/// Walks scripts, remembering the variables the script assigns literal values to.
#[derive(Default)]
struct Walker {
    res: Vec<Command>,
    /// Variables assigned earlier in the script: `Some(value)` when the value is literal.
    vars: Vars,
}

/// Variables with the values the script gave them; `None` when only known at run time.
pub(crate) type Vars = HashMap<String, Option<String>>;

/// Records the assignment `node` in `vars`: `NAME=value` on its own or after
/// `export`/`local`/`declare` makes later `$NAME` `value` when it is literal. An assignment
/// before a command (`NAME=x cmd`) only sets the command's environment, after the line was
/// expanded, so it is left out.
pub(crate) fn assign(vars: &mut Vars, node: TsNode<'_>, script: &str, map: &SourceMap) {
    if node
        .parent()
        .is_some_and(|parent| parent.kind() == "command")
    {
        return;
    }
    let Some(name) = node.child_by_field_name("name") else {
        return;
    };
    let name = node_text(name, script).to_owned();
    let appends = node_text(node, script)
        .get(name.len()..)
        .is_some_and(|rest| rest.starts_with("+="));
    let value = match node.child_by_field_name("value") {
        None => Some(String::new()),
        Some(value) if value.kind() == "array" || appends => None,
        Some(value) => {
            let value = word_with(value, script, map, vars);
            (!value.has_expansion).then_some(value.text)
        }
    };
    vars.insert(name, value);
}

/// Forgets the variables `unset NAME…` names: later `$NAME` is whatever the environment holds.
pub(crate) fn unset(vars: &mut Vars, node: TsNode<'_>, script: &str) {
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        if matches!(child.kind(), "variable_name" | "word") {
            vars.remove(node_text(child, script));
        }
    }
}

impl Walker {
    fn script(&mut self, script: &str, map: &SourceMap, depth: usize, wrappers: &[String]) {
        let Some(tree) = crate::tree::parse_script(script) else {
            return;
        };
        self.tree(&tree, script, map, depth, wrappers);
    }

    fn tree(
        &mut self,
        tree: &tree_sitter::Tree,
        script: &str,
        map: &SourceMap,
        depth: usize,
        wrappers: &[String],
    ) {
        let mut cursor = tree.walk();
        // Pre-order walk with a cursor: no recursion, whatever the nesting; commands and
        // assignments come in the order the script runs them.
        'walk: loop {
            let node = cursor.node();
            let descend = match node.kind() {
                "command" => {
                    let assigns = self.command(node, script, map, depth, wrappers);
                    // Below a command there is only more to read when it sets variables for
                    // itself (`A=1 make`) or runs others (`$(…)`, backquotes, `<(…)`): most
                    // commands are plain words, and the walk is most of the cost of a script.
                    assigns
                        || node.has_error()
                        || may_run_commands(script.get(node.byte_range()).unwrap_or(script))
                }
                "variable_assignment" => {
                    self.assignment(node, script, map);
                    true
                }
                "unset_command" => {
                    unset(&mut self.vars, node, script);
                    true
                }
                _ => true,
            };
            if descend && cursor.goto_first_child() {
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

    fn assignment(&mut self, node: TsNode<'_>, script: &str, map: &SourceMap) {
        assign(&mut self.vars, node, script, map);
    }

    /// Records a command; returns whether it sets variables for itself (`A=1 make`).
    fn command(
        &mut self,
        node: TsNode<'_>,
        script: &str,
        map: &SourceMap,
        depth: usize,
        wrappers: &[String],
    ) -> bool {
        let mut words = Vec::new();
        let mut assigns = false;
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            let child = match child.kind() {
                "command_name" => match child.named_child(0) {
                    Some(name) => name,
                    None => continue,
                },
                "variable_assignment" => {
                    assigns = true;
                    continue;
                }
                "file_redirect" | "heredoc_redirect" | "herestring_redirect" | "comment" => {
                    continue;
                }
                _ if words.is_empty() => continue,
                _ => child,
            };
            let decoded = word_with(child, script, map, &self.vars);
            // An unquoted variable whose value is known splits into words, as the shell does.
            let split = matches!(child.kind(), "simple_expansion" | "expansion")
                && !decoded.has_expansion
                && decoded.text.contains(char::is_whitespace);
            if split {
                for part in decoded.text.split_whitespace() {
                    words.push(Word {
                        text: part.to_owned(),
                        has_expansion: false,
                        range: decoded.range,
                        expansions: Vec::new(),
                    });
                }
            } else if !(matches!(child.kind(), "simple_expansion" | "expansion")
                && !decoded.has_expansion
                && decoded.text.is_empty())
            {
                // A known empty unquoted variable is no word at all.
                words.push(decoded);
            }
        }
        if words.is_empty() {
            return assigns;
        }
        let site = Site {
            node,
            script,
            map,
            range: map.map(range(node)),
        };
        self.emit(words, &site, depth, wrappers.to_vec());
        assigns
    }

    /// Records the command `words` (wrappers not yet removed), following what it runs.
    fn emit(&mut self, words: Vec<Word>, site: &Site<'_, '_>, depth: usize, wrappers: Vec<String>) {
        let mut wrappers = wrappers;
        let fan_out = fan_out_options(&words);
        let mut words = unwrap(words, &mut wrappers);
        let Some(first) = words.first() else {
            return;
        };
        // `$SHELL -c …` runs the user's shell.
        let program = if first.has_expansion && matches!(first.text.as_str(), "$SHELL" | "${SHELL}")
        {
            "sh".to_owned()
        } else {
            program_name(&first.text).to_owned()
        };
        // `$(which rm)` and `$(command -v rm)` name the program they look up.
        if let Some(found) = looked_up(&first.text) {
            let found = found.to_owned();
            words[0] = Word {
                text: found,
                has_expansion: false,
                range: words[0].range,
                expansions: Vec::new(),
            };
            self.emit_unwrapped(words, site, depth, wrappers);
            return;
        }
        if first.has_expansion && program != "sh" {
            let shown = first.text.chars().take(40).collect::<String>();
            self.push_opaque(
                words,
                site.range,
                wrappers,
                (
                    OpaqueKind::Computed,
                    format!("runs a command whose name is only known at run time (`{shown}`)"),
                ),
            );
            return;
        }
        if let Some(replace) = fan_out {
            // `xargs` and `parallel` run the command once per item of their input.
            let mut items = None;
            if let Some(at) = words.iter().position(|word| word.text == ":::") {
                items = Some(
                    words
                        .drain(at..)
                        .skip(1)
                        .map(|word| word.text)
                        .collect::<Vec<_>>(),
                );
            } else if let Some(Stdin::Text(text)) = stdin(site) {
                items = Some(if replace.is_some() {
                    text.lines()
                        .map(str::to_owned)
                        .filter(|line| !line.trim().is_empty())
                        .collect()
                } else {
                    text.split_whitespace().map(str::to_owned).collect()
                });
            }
            let placeholder = replace.unwrap_or_else(|| "{}".to_owned());
            match items {
                Some(items) if !items.is_empty() && items.len() <= MAX_INPUT_ITEMS => {
                    for item in items {
                        let mut expanded = words.clone();
                        let mut replaced = false;
                        for word in &mut expanded {
                            if word.text.contains(&placeholder) {
                                word.text = word.text.replace(&placeholder, &item);
                                replaced = true;
                            }
                        }
                        if !replaced {
                            expanded.push(Word {
                                text: item,
                                has_expansion: false,
                                range: site.range,
                                expansions: Vec::new(),
                            });
                        }
                        self.emit_unwrapped(expanded, site, depth, wrappers.clone());
                    }
                    return;
                }
                _ => {
                    // Input only known at run time: the placeholder stands for it as `{}`.
                    if placeholder != "{}" {
                        for word in &mut words {
                            word.text = word.text.replace(&placeholder, "{}");
                        }
                    }
                }
            }
        }
        self.emit_unwrapped(words, site, depth, wrappers);
    }

    /// Records a command whose wrappers are removed, following the scripts it runs.
    fn emit_unwrapped(
        &mut self,
        words: Vec<Word>,
        site: &Site<'_, '_>,
        depth: usize,
        mut wrappers: Vec<String>,
    ) {
        let Some(first) = words.first() else {
            return;
        };
        let program = if first.has_expansion && matches!(first.text.as_str(), "$SHELL" | "${SHELL}")
        {
            "sh".to_owned()
        } else {
            program_name(&first.text).to_owned()
        };
        let nested_ok = depth < MAX_NESTING;
        if nested_ok && let Some((inner, wrapper)) = container_command(&program, &words) {
            let mut wrappers = wrappers.clone();
            wrappers.push(wrapper);
            self.emit(inner, site, depth + 1, wrappers);
        }
        if is_shell(&program) || program == "su" {
            let script_index = words
                .iter()
                .position(|word| {
                    word.text == "-c"
                        || word.text == "--command"
                        || is_short_cluster_with(&word.text, 'c')
                })
                .map(|index| index + 1);
            if let Some(index) = script_index {
                if let Some(inner) = words.get(index) {
                    if inner.has_expansion && !inner.text.contains(char::is_whitespace) {
                        self.push_opaque(
                            words.clone(),
                            site.range,
                            wrappers,
                            (
                                OpaqueKind::Computed,
                                format!(
                                    "runs a script only known at run time (`{program} -c {}`)",
                                    shorten(&inner.text)
                                ),
                            ),
                        );
                        return;
                    }
                    if nested_ok {
                        // `sh -c SCRIPT NAME ARG…`: `$0`, `$1`… are the words after the script.
                        let positional: Vars = words
                            .iter()
                            .skip(index + 1)
                            .enumerate()
                            .map(|(at, word)| {
                                (
                                    at.to_string(),
                                    (!word.has_expansion).then(|| word.text.clone()),
                                )
                            })
                            .collect();
                        wrappers.push(format!("{program} -c"));
                        let saved = std::mem::replace(&mut self.vars, positional);
                        self.nested(inner, depth, &wrappers);
                        self.vars = saved;
                        return;
                    }
                }
            } else if program != "su" {
                let operand = words
                    .iter()
                    .skip(1)
                    .find(|word| !(word.text.starts_with('-') || word.text.starts_with('+')));
                match operand {
                    Some(operand) if operand.text.starts_with("<(") => {
                        let reason =
                            producer(operand.text.trim_start_matches("<(").trim_end_matches(')'));
                        self.push_opaque(words, site.range, wrappers, reason);
                        return;
                    }
                    Some(_) => {}
                    None => match stdin(site) {
                        Some(Stdin::Text(text)) if nested_ok => {
                            wrappers.push(format!("{program} (standard input)"));
                            let saved = std::mem::take(&mut self.vars);
                            let whole = SourceMap::whole(feed_range(site));
                            self.script(&text, &whole, depth + 1, &wrappers);
                            self.vars = saved;
                            return;
                        }
                        Some(Stdin::From(source)) => {
                            let reason = producer(&source);
                            self.push_opaque(words, feed_range(site), wrappers, reason);
                            return;
                        }
                        _ => {}
                    },
                }
            }
        }
        if matches!(program.as_str(), "source" | ".")
            && let Some(operand) = words.get(1).filter(|word| word.text.starts_with("<("))
        {
            let reason = producer(operand.text.trim_start_matches("<(").trim_end_matches(')'));
            self.push_opaque(words, site.range, wrappers, reason);
            return;
        }
        if program == "eval" && words.len() > 1 {
            if sets_up_environment(&words[1..]) {
                self.res.push(Command {
                    words,
                    range: site.range,
                    wrappers,
                    opaque: None,
                    input: None,
                });
                return;
            }
            if words[1..].iter().any(|word| word.has_expansion) {
                let joined: Vec<&str> = words[1..].iter().map(|word| word.text.as_str()).collect();
                let reason = (
                    OpaqueKind::Computed,
                    format!(
                        "evaluates text only known at run time (`eval {}`)",
                        shorten(&joined.join(" "))
                    ),
                );
                self.push_opaque(words, site.range, wrappers, reason);
                return;
            }
            if nested_ok {
                wrappers.push("eval".to_owned());
                if words.len() == 2 {
                    self.nested(&words[1], depth, &wrappers);
                } else {
                    let joined: Vec<&str> =
                        words[1..].iter().map(|word| word.text.as_str()).collect();
                    self.script(
                        &joined.join(" "),
                        &SourceMap::whole(site.range),
                        depth + 1,
                        &wrappers,
                    );
                }
                return;
            }
        }
        if nested_ok {
            if program == "git"
                && let Some((expanded, script)) = git_alias(&words)
            {
                let mut wrappers = wrappers.clone();
                wrappers.push("git alias".to_owned());
                match script {
                    Some(script) => {
                        self.script(&script, &SourceMap::whole(site.range), depth + 1, &wrappers)
                    }
                    None => self.emit_unwrapped(expanded, site, depth + 1, wrappers),
                }
                // The command as written is kept too: its own words are what people read.
            }
            if program == "find" {
                for executed in find_exec(&words) {
                    let mut wrappers = wrappers.clone();
                    wrappers.push("find -exec".to_owned());
                    self.emit(executed, site, depth + 1, wrappers);
                }
            }
            if let Some(language) = inline::language(&program) {
                let code = inline::code(language, &words).or_else(|| match stdin(site) {
                    Some(Stdin::Text(text)) if inline::reads_code_from_stdin(&words) => Some(text),
                    _ => None,
                });
                if let Some(code) = code {
                    let mut inner = wrappers.clone();
                    inner.push(format!("{program} {}", inline::flag(language)));
                    for found in inline::scan(language, &code) {
                        match found {
                            inline::Found::Shell(script) => self.script(
                                &script,
                                &SourceMap::whole(site.range),
                                depth + 1,
                                &inner,
                            ),
                            inline::Found::Argv(argv) => {
                                let words = argv
                                    .into_iter()
                                    .map(|text| Word {
                                        text,
                                        has_expansion: false,
                                        range: site.range,
                                        expansions: Vec::new(),
                                    })
                                    .collect();
                                self.emit(words, site, depth + 1, inner.clone());
                            }
                        }
                    }
                }
            }
        }
        // Data clients run what they read.
        let input = match program.as_str() {
            "psql" | "mysql" | "mariadb" | "sqlite3" | "redis-cli" | "mongosh" | "mongo"
            | "cockroach" | "clickhouse-client" => match stdin(site) {
                Some(Stdin::Text(text)) => Some(text),
                _ => None,
            },
            _ => None,
        };
        self.res.push(Command {
            words,
            range: site.range,
            wrappers,
            opaque: None,
            input,
        });
    }

    fn push_opaque(
        &mut self,
        words: Vec<Word>,
        range: TextRange,
        wrappers: Vec<String>,
        (kind, reason): (OpaqueKind, String),
    ) {
        self.res.push(Command {
            words,
            range,
            wrappers,
            opaque: Some(Opaque { kind, reason }),
            input: None,
        });
    }

    /// Parses the script held by `word` (of `bash -c`), mapping it back through the word.
    fn nested(&mut self, word: &Word, depth: usize, wrappers: &[String]) {
        // A quoted word without escapes or expansions is copied verbatim from its source, one
        // quote character in.
        let inner_map = if word.has_expansion || !word.expansions.is_empty() {
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
        self.script(&word.text, &inner_map, depth + 1, wrappers);
    }
}

/// Where a command is: its node, the script and map it was read with, and its host range.
struct Site<'t, 's> {
    node: TsNode<'t>,
    script: &'s str,
    map: &'s SourceMap,
    range: TextRange,
}

fn shorten(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 40 {
        format!("{}...", one_line.chars().take(37).collect::<String>())
    } else {
        one_line
    }
}

/// What a command that produces a script does, for a message: "`base64` decodes".
fn producer(command: &str) -> (OpaqueKind, String) {
    let program = command
        .split_whitespace()
        .map(program_name)
        .find(|word| !matches!(*word, "sudo" | "env" | "command" | "exec"))
        .unwrap_or("");
    let (kind, source) = match program {
        "base64" | "base32" | "basenc" | "xxd" | "openssl" | "gpg" | "uudecode" | "gzip"
        | "gunzip" | "zcat" | "xz" | "bzip2" | "rev" | "tr" => {
            (OpaqueKind::Decoded, format!("`{program}` decodes"))
        }
        "curl" | "wget" | "fetch" | "http" | "aria2c" => {
            (OpaqueKind::Downloaded, format!("`{program}` downloads"))
        }
        "" => (OpaqueKind::Computed, "another command prints".to_owned()),
        _ => (OpaqueKind::Computed, format!("`{program}` prints")),
    };
    (kind, format!("runs a script that {source} at run time"))
}

/// The range of a command with what feeds its standard input: the whole pipeline, or the
/// statement with its here-document.
fn feed_range(site: &Site<'_, '_>) -> TextRange {
    let mut element = site.node;
    if let Some(parent) = element
        .parent()
        .filter(|parent| parent.kind() == "redirected_statement")
    {
        element = parent;
    }
    match element.parent() {
        Some(pipeline) if pipeline.kind() == "pipeline" => site.map.map(range(pipeline)),
        _ => site.map.map(range(element)),
    }
}

/// What a pipe, a here-document or a here-string feeds the command at `site`.
fn stdin(site: &Site<'_, '_>) -> Option<Stdin> {
    let node = site.node;
    let script = site.script;
    // Here-documents and here-strings, on the command or on the statement around it.
    let mut holders = vec![node];
    if let Some(parent) = node
        .parent()
        .filter(|parent| parent.kind() == "redirected_statement")
    {
        holders.push(parent);
    }
    for holder in holders {
        let mut cursor = holder.walk();
        for child in holder.named_children(&mut cursor) {
            match child.kind() {
                "heredoc_redirect" => {
                    let mut inner = child.walk();
                    let body = child
                        .named_children(&mut inner)
                        .find(|part| part.kind() == "heredoc_body")?;
                    let mut parts = body.walk();
                    if body
                        .named_children(&mut parts)
                        .any(|part| part.kind() != "heredoc_content")
                    {
                        return Some(Stdin::From("a here-document that expands".to_owned()));
                    }
                    return Some(Stdin::Text(node_text(body, script).to_owned()));
                }
                "herestring_redirect" => {
                    let value = child.named_child(0)?;
                    let value = word(value, script, site.map);
                    return Some(if value.has_expansion {
                        Stdin::From(value.text)
                    } else {
                        Stdin::Text(value.text)
                    });
                }
                _ => {}
            }
        }
    }
    // The command before it in a pipeline.
    let mut element = node;
    if let Some(parent) = element
        .parent()
        .filter(|parent| parent.kind() == "redirected_statement")
    {
        element = parent;
    }
    let pipeline = element
        .parent()
        .filter(|parent| parent.kind() == "pipeline")?;
    let mut previous = element.prev_named_sibling();
    while let Some(candidate) = previous.filter(|candidate| candidate.kind() == "comment") {
        previous = candidate.prev_named_sibling();
    }
    // `cat <<EOF | sh`: the pipeline is the rest of the here-document's line, inside it.
    if previous.is_none()
        && let Some(heredoc) = pipeline
            .parent()
            .filter(|parent| parent.kind() == "heredoc_redirect")
        && let Some(owner) = heredoc.parent().and_then(|owner| match owner.kind() {
            "command" => Some(owner),
            "redirected_statement" => owner.child_by_field_name("body"),
            _ => None,
        })
    {
        let inner = Site {
            node: owner,
            script,
            map: site.map,
            range: site.range,
        };
        return stdin(&inner);
    }
    let previous = previous?;
    let command = match previous.kind() {
        "command" => previous,
        "redirected_statement" => previous
            .child_by_field_name("body")
            .filter(|body| body.kind() == "command")?,
        _ => return Some(Stdin::From(node_text(previous, script).to_owned())),
    };
    let mut words = Vec::new();
    let mut cursor = command.walk();
    for child in command.named_children(&mut cursor) {
        match child.kind() {
            "command_name" => {
                if let Some(name) = child.named_child(0) {
                    words.push(word(name, script, site.map));
                }
            }
            "variable_assignment" | "file_redirect" | "comment" => {}
            // `cat <<EOF | sh`.
            "heredoc_redirect" | "herestring_redirect"
                if words
                    .first()
                    .is_some_and(|first| program_name(&first.text) == "cat") =>
            {
                let inner = Site {
                    node: command,
                    script,
                    map: site.map,
                    range: site.range,
                };
                return stdin(&inner);
            }
            "heredoc_redirect" | "herestring_redirect" => {}
            _ if !words.is_empty() => words.push(word(child, script, site.map)),
            _ => {}
        }
    }
    let first = words.first()?;
    let program = program_name(&first.text);
    let literal = !words.iter().any(|word| word.has_expansion);
    match program {
        "echo" if literal => {
            let args: Vec<&str> = words[1..]
                .iter()
                .map(|word| word.text.as_str())
                .skip_while(|text| matches!(*text, "-n" | "-e" | "-E" | "-ne" | "-en"))
                .collect();
            let escapes = words[1..]
                .iter()
                .any(|word| word.text.contains('e') && word.text.starts_with('-'));
            let text = args.join(" ");
            Some(Stdin::Text(if escapes {
                text.replace("\\n", "\n")
            } else {
                text
            }))
        }
        "printf" if literal => {
            let args: Vec<&str> = words[1..].iter().map(|word| word.text.as_str()).collect();
            let (format, rest) = args.split_first()?;
            let mut text = format.replace("\\n", "\n").replace("\\t", "\t");
            for arg in rest {
                if let Some(at) = text.find("%s") {
                    text.replace_range(at..at + 2, arg);
                }
            }
            Some(Stdin::Text(text))
        }
        _ => Some(Stdin::From(node_text(command, script).to_owned())),
    }
}

/// For `xargs` and `parallel`, the string each input item replaces (`-I {}`), `None` when
/// items are added at the end; `None` altogether for other commands.
fn fan_out_options(words: &[Word]) -> Option<Option<String>> {
    let at = words.iter().position(|word| {
        let name = program_name(&word.text);
        name == "xargs" || name == "parallel"
    })?;
    // Only a wrapper at the start (after other wrappers) fans out: `echo xargs` does not.
    if words[..at]
        .iter()
        .any(|word| !word.text.starts_with('-') && !WRAPPERS.contains(&program_name(&word.text)))
    {
        return None;
    }
    if program_name(&words[at].text) == "parallel" {
        return Some(Some("{}".to_owned()));
    }
    let mut replace = None;
    let mut index = at + 1;
    while let Some(word) = words.get(index) {
        let text = word.text.as_str();
        if !text.starts_with('-') {
            break;
        }
        if text == "-I" {
            replace = words.get(index + 1).map(|value| value.text.clone());
            index += 2;
            continue;
        }
        if let Some(value) = text
            .strip_prefix("-I")
            .or_else(|| text.strip_prefix("--replace="))
        {
            replace = Some(value.to_owned());
        } else if text == "-i" || text == "--replace" {
            replace = Some("{}".to_owned());
        }
        index += 1;
    }
    Some(replace)
}

/// The program a `$(which NAME)` or `$(command -v NAME)` word looks up.
fn looked_up(text: &str) -> Option<&str> {
    let inner = text
        .strip_prefix("$(")
        .and_then(|rest| rest.strip_suffix(')'))
        .or_else(|| {
            text.strip_prefix('`')
                .and_then(|rest| rest.strip_suffix('`'))
        })?;
    let name = inner
        .strip_prefix("which ")
        .or_else(|| inner.strip_prefix("command -v "))?
        .trim();
    (!name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.+/".contains(c)))
    .then_some(name)
}

/// Whether `eval` runs what a tool prints to set up the shell's environment
/// (`eval "$(ssh-agent -s)"`, `eval "$(pyenv init -)"`), a fixed script of assignments.
fn sets_up_environment(words: &[Word]) -> bool {
    let [word] = words else {
        return false;
    };
    let Some(inner) = word.text.strip_prefix("$(") else {
        return false;
    };
    let program = inner
        .split_whitespace()
        .next()
        .map(program_name)
        .unwrap_or("");
    matches!(
        program,
        "ssh-agent"
            | "gpg-agent"
            | "pyenv"
            | "rbenv"
            | "nodenv"
            | "goenv"
            | "jenv"
            | "direnv"
            | "starship"
            | "zoxide"
            | "fnm"
            | "mise"
            | "rtx"
            | "opam"
            | "dircolors"
            | "brew"
            | "conda"
            | "minikube"
            | "docker-machine"
            | "keychain"
            | "luarocks"
            | "rustup"
            | "volta"
    )
}

/// The command `docker exec CONTAINER CMD…`, `podman exec …` or `kubectl exec POD -- CMD…` runs
/// in a container, and the wrapper to record.
fn container_command(program: &str, words: &[Word]) -> Option<(Vec<Word>, String)> {
    match program {
        "docker" | "podman" | "nerdctl" => {
            let at = words.iter().position(|word| word.text == "exec")?;
            // Only `exec` as the sub-command: options before it are the program's own.
            if words[1..at].iter().any(|word| !word.text.starts_with('-')) {
                return None;
            }
            let mut index = at + 1;
            while let Some(word) = words.get(index) {
                let text = word.text.as_str();
                if !text.starts_with('-') {
                    break;
                }
                let takes_value = matches!(
                    text,
                    "-u" | "--user" | "-e" | "--env" | "-w" | "--workdir" | "--env-file"
                );
                index += if takes_value { 2 } else { 1 };
            }
            // The container, then its command.
            let inner = words.get(index + 1..)?;
            (!inner.is_empty()).then(|| (inner.to_vec(), format!("{program} exec")))
        }
        "kubectl" | "oc" => {
            if !words.iter().any(|word| word.text == "exec") {
                return None;
            }
            let at = words.iter().position(|word| word.text == "--")?;
            let inner = words.get(at + 1..)?;
            (!inner.is_empty()).then(|| (inner.to_vec(), format!("{program} exec")))
        }
        _ => None,
    }
}

/// Programs `unwrap` removes.
const WRAPPERS: &[&str] = &[
    "sudo", "env", "nice", "timeout", "xargs", "stdbuf", "npx", "pnpx", "bunx", "time", "nohup",
    "exec", "command", "builtin", "doas", "watch", "ionice", "parallel",
];

/// `git -c alias.NAME=VALUE NAME …`: the command the alias runs, as git words, or as a shell
/// script when the alias starts with `!`.
fn git_alias(words: &[Word]) -> Option<(Vec<Word>, Option<String>)> {
    let mut aliases: Vec<(String, String)> = Vec::new();
    let mut index = 1;
    while let Some(word) = words.get(index) {
        let text = word.text.as_str();
        match text {
            "-c" => {
                let setting = words.get(index + 1)?.text.as_str();
                if let Some((key, value)) = setting.split_once('=')
                    && let Some(name) = key.strip_prefix("alias.")
                {
                    aliases.push((name.to_owned(), value.to_owned()));
                }
                index += 2;
            }
            "-C" | "--git-dir" | "--work-tree" | "--namespace" => index += 2,
            _ if text.starts_with('-') => index += 1,
            _ => break,
        }
    }
    let subcommand = words.get(index)?;
    let (_, value) = aliases
        .iter()
        .rev()
        .find(|(name, _)| *name == subcommand.text)?;
    let rest: Vec<&str> = words[index + 1..]
        .iter()
        .map(|word| word.text.as_str())
        .collect();
    if let Some(script) = value.strip_prefix('!') {
        let mut script = script.to_owned();
        for arg in rest {
            script.push(' ');
            script.push_str(arg);
        }
        return Some((Vec::new(), Some(script)));
    }
    let mut expanded: Vec<Word> = words[..index].to_vec();
    for part in value.split_whitespace() {
        expanded.push(Word {
            text: part.to_owned(),
            has_expansion: false,
            range: subcommand.range,
            expansions: Vec::new(),
        });
    }
    expanded.extend(words[index + 1..].iter().cloned());
    Some((expanded, None))
}

/// The commands `find … -exec CMD … ;` runs. `{}` stands for every path found: below the
/// starting point when no test narrows them, so it becomes the starting point; otherwise it
/// stays `{}`.
fn find_exec(words: &[Word]) -> Vec<Vec<Word>> {
    let args = &words[1..];
    let roots: Vec<&Word> = args
        .iter()
        .skip_while(|word| matches!(word.text.as_str(), "-H" | "-L" | "-P"))
        .take_while(|word| {
            let text = word.text.as_str();
            !(text.starts_with('-') || text == "(" || text == "!")
        })
        .collect();
    let narrowed = args.iter().any(|word| {
        matches!(
            word.text.as_str(),
            "-name"
                | "-iname"
                | "-path"
                | "-ipath"
                | "-wholename"
                | "-iwholename"
                | "-regex"
                | "-iregex"
                | "-lname"
                | "-ilname"
                | "-empty"
                | "-samefile"
                | "-inum"
                | "-newer"
                | "-mtime"
                | "-mmin"
                | "-user"
                | "-size"
        )
    });
    let root = match roots.as_slice() {
        [] => Some("."),
        [only] if !only.has_expansion => Some(only.text.as_str()),
        _ => None,
    };
    let mut res = Vec::new();
    let mut index = 0;
    while index < args.len() {
        if matches!(
            args[index].text.as_str(),
            "-exec" | "-execdir" | "-ok" | "-okdir"
        ) {
            let start = index + 1;
            let mut end = start;
            while end < args.len() && !matches!(args[end].text.as_str(), ";" | "+") {
                end += 1;
            }
            let mut executed: Vec<Word> = args[start..end].to_vec();
            // `rm` run by `find` is judged with `find` itself, which knows what it deletes.
            let runs_rm = executed
                .first()
                .is_some_and(|first| program_name(&first.text) == "rm");
            if !runs_rm && !executed.is_empty() {
                if let (Some(root), false) = (root, narrowed) {
                    for word in &mut executed {
                        if word.text.contains("{}") {
                            word.text = word.text.replace("{}", root);
                        }
                    }
                }
                res.push(executed);
            }
            index = end + 1;
        } else {
            index += 1;
        }
    }
    res
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
            "watch" => &["-n", "--interval", "-d", "--differences", "-q"],
            "ionice" => &["-c", "--class", "-n", "--classdata", "-p", "-P", "-u"],
            "parallel" => &[
                "-j",
                "--jobs",
                "-S",
                "--sshlogin",
                "--delay",
                "--joblog",
                "-a",
                "--arg-file",
                "--colsep",
                "-N",
                "-n",
                "-d",
                "--delimiter",
            ],
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

/// Whether the text of a command may hold other commands: a command substitution (`$(…)`,
/// backquotes, which `$((…))` looks like) or a process substitution (`<(…)`, `>(…)`).
fn may_run_commands(text: &str) -> bool {
    text.contains('`')
        || text
            .as_bytes()
            .windows(2)
            .any(|pair| pair[1] == b'(' && matches!(pair[0], b'$' | b'<' | b'>'))
}

/// The program's base name: `/usr/bin/rm` → `rm`.
pub fn program_name(text: &str) -> &str {
    // A byte search: every command of a script is asked, by every rule that reads commands.
    match text.bytes().rposition(|byte| byte == b'/') {
        Some(slash) => &text[slash + 1..],
        None => text,
    }
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
    word_with(node, script, map, &Vars::new())
}

/// A word, with the variables whose value the script set literally replaced by that value.
pub(crate) fn word_with(node: TsNode<'_>, script: &str, map: &SourceMap, vars: &Vars) -> Word {
    let mut text = String::new();
    let mut has_expansion = false;
    let mut expansions = Vec::new();
    decode(
        node,
        &Decoding { script, map, vars },
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

/// What decoding a word reads besides the node.
struct Decoding<'a> {
    script: &'a str,
    map: &'a SourceMap,
    vars: &'a Vars,
}

fn decode(
    node: TsNode<'_>,
    context: &Decoding<'_>,
    text: &mut String,
    has_expansion: &mut bool,
    expansions: &mut Vec<Expansion>,
    depth: usize,
) {
    let Decoding { script, map, vars } = *context;
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
                decode(child, context, text, has_expansion, expansions, depth + 1);
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
                decode(child, context, text, has_expansion, expansions, depth + 1);
            }
        }
        "simple_expansion" | "expansion" => {
            let name = raw
                .trim_start_matches('$')
                .trim_start_matches('{')
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .next()
                .unwrap_or("");
            // `$NAME` and `${NAME}` of a variable the script set to a literal value.
            let plain = raw == format!("${name}") || raw == format!("${{{name}}}");
            if plain && let Some(Some(value)) = vars.get(name) {
                text.push_str(value);
                return;
            }
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

    /// The nodes below `node` that the walk reads, by kind.
    fn read_below<'t>(node: TsNode<'t>) -> Vec<&'t str> {
        let mut res = Vec::new();
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if matches!(
                child.kind(),
                "command" | "variable_assignment" | "unset_command"
            ) {
                res.push(child.kind());
            }
            res.extend(read_below(child));
        }
        res
    }

    #[test]
    fn a_command_the_walk_does_not_enter_holds_nothing_it_reads() {
        let mut scripts: Vec<String> = [
            "echo \"$(rm -rf /)\" `ls` <(curl x) >(tee y)",
            "A=1 B=2 make; unset A; echo ${A:-$(date)} $((1 + 2))",
            "cat <<EOF | sh\nrm -rf $(pwd)\nEOF\nls 'a$(b)' \"c\" d=e --f=g",
            "x=$(kubectl get ns -o name) && for n in $x; do kubectl delete \"$n\"; done",
            "if [ -n \"$(git status --porcelain)\" ]; then git reset --hard; fi",
            "echo ) broken ( `unterminated",
            "echo `rm -rf /` done",
            "FOO=bar env BAZ=qux terraform destroy",
        ]
        .iter()
        .map(|script| (*script).to_owned())
        .collect();
        // The rules' shell fixtures: real scripts, written to be judged.
        macro_rules! fixtures {
            ($($rule:literal),*) => {
                [$(
                    include_str!(concat!("../../redline-rules/tests/fixtures/shell/", $rule, "/fires.sh")),
                    include_str!(concat!("../../redline-rules/tests/fixtures/shell/", $rule, "/quiet.sh")),
                )*]
            };
        }
        scripts.extend(
            fixtures!(
                "cloud-resource-delete-command",
                "command-hidden-from-review",
                "container-bulk-delete",
                "database-delete-command",
                "destructive-sql",
                "disk-or-host-wipe",
                "docker-volume-delete",
                "environment-delete-command",
                "git-history-destruction",
                "helm-uninstall",
                "kubectl-delete-wide",
                "object-store-wipe",
                "recursive-delete-unsafe-path",
                "terraform-auto-approve",
                "terraform-destroy",
                "terraform-state-surgery"
            )
            .map(str::to_owned),
        );
        assert!(scripts.len() > 20);
        let mut skipped = 0;
        for script in &scripts {
            let tree = crate::tree::parse(crate::Language::Bash, script).unwrap();
            let mut cursor = tree.walk();
            'walk: loop {
                let node = cursor.node();
                if node.kind() == "command"
                    && !node.has_error()
                    && !may_run_commands(&script[node.byte_range()])
                {
                    let below = read_below(node);
                    // The command's own assignments (`A=1 make`) make the walk enter it.
                    let mut children = node.walk();
                    let own = node
                        .named_children(&mut children)
                        .filter(|child| child.kind() == "variable_assignment")
                        .count();
                    assert!(
                        below.iter().all(|kind| *kind == "variable_assignment")
                            && below.len() == own,
                        "{:?} holds {below:?}",
                        &script[node.byte_range()]
                    );
                    skipped += usize::from(own == 0);
                }
                if cursor.goto_first_child() {
                    continue;
                }
                while !cursor.goto_next_sibling() {
                    if !cursor.goto_parent() {
                        break 'walk;
                    }
                }
            }
        }
        assert!(skipped > 100, "{skipped}");
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

    fn opaque(script: &str) -> Vec<Option<Opaque>> {
        let map = SourceMap::verbatim(TextRange::from_usize(0, script.len()));
        commands(script, &map)
            .into_iter()
            .map(|command| command.opaque)
            .collect()
    }

    #[test]
    fn hidden_commands_are_followed() {
        let has = |script: &str, words: &[&str]| argv(script).iter().any(|found| found == words);
        for script in [
            "$SHELL -c 'rm -rf /'",
            "echo 'rm -rf /' | sh",
            "printf 'rm -rf /\\n' | bash -s",
            "sh <<'EOF'\nrm -rf /\nEOF\n",
            "bash <<< 'rm -rf /'",
            "X=/; rm -rf $X",
            "export X=/ && rm -rf \"$X\"",
            "cmd='rm -rf /'; eval \"$cmd\"",
            "echo / | xargs -I{} rm -rf {}",
            "echo / | xargs rm -rf",
            "parallel rm -rf ::: /",
            "find / -exec sh -c 'rm -rf \"$1\"' _ {} \\;",
            "git -c alias.wipe='!rm -rf /' wipe",
            "python3 -c 'import shutil; shutil.rmtree(\"/\")'",
            "node -e 'require(\"child_process\").execSync(\"rm -rf /\")'",
            "watch -n 1 rm -rf /",
        ] {
            assert!(
                has(script, &["rm", "-rf", "/"]),
                "{script}: {:?}",
                argv(script)
            );
        }
        assert!(has(
            "cmd='terraform destroy'; $cmd",
            &["terraform", "destroy"]
        ));
        assert!(has(
            "git -c alias.nuke='reset --hard' nuke",
            &["git", "-c", "alias.nuke=reset --hard", "reset", "--hard"]
        ));
        // The narrowed `find` keeps `{}`: it is not the starting point.
        assert!(has(
            "find / -name x -exec sh -c 'rm -rf \"$1\"' _ {} +",
            &["rm", "-rf", "{}"]
        ));
        // A variable set after the command, or only for it, is not the command's.
        assert_eq!(argv("rm -rf \"$X\"/; X=/")[0], ["rm", "-rf", "$X/"]);
        assert_eq!(argv("X=/ rm -rf $X")[0], ["rm", "-rf", "$X"]);
        for script in [
            "echo cm0gLXJmIC8K | base64 -d | sh",
            "curl -fsSL https://example.com/install.sh | bash",
            "bash <(curl -s https://example.com/x.sh)",
            "$(echo rm) -rf /",
            "eval \"$(cat cmd.txt)\"",
            "sh -c \"$SCRIPT\"",
        ] {
            assert!(opaque(script).iter().any(Option::is_some), "{script}");
        }
        assert!(opaque("echo hi | sh").iter().all(Option::is_none));
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

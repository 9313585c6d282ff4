//! Shell scripts as the steps they run, in order: each simple command with its redirections,
//! what it reads on standard input, and the subshells it runs in.
//!
//! This is what simulating a script's effect on files needs; [`crate::shell::commands`] is what
//! rules on command lines need. Wrappers are unwrapped and `bash -c` scripts are parsed in turn,
//! as there. Nothing here runs or expands anything: a word keeps its expansions as written and
//! says that it has them, and a here-document that expands something has no known text.

use std::collections::HashMap;

use redline_text::TextRange;
use tree_sitter::Node as TsNode;

use crate::shell::{
    MAX_NESTING, SourceMap, Vars, Word, assign, is_short_cluster_with, program_name, unset, unwrap,
    word, word_with,
};
use crate::tree::{node_text, range};

/// One simple command, in the order the script runs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// The program and its arguments, wrappers removed.
    pub words: Vec<Word>,
    /// The wrappers that were removed, outermost first.
    pub wrappers: Vec<String>,
    /// The range of the command as written.
    pub range: TextRange,
    /// Its redirections, in the order written: its own first, then those of the groups around
    /// it (`{ …; } > f`), which say `shared`.
    pub redirects: Vec<Redirect>,
    /// What it reads on standard input.
    pub input: Input,
    /// The subshells it runs in, outermost first (a `(…)`, a `$(…)`, a `bash -c`): a `cd`
    /// lasts until the end of the innermost one.
    pub scope: Vec<usize>,
}

/// One redirection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The descriptor written before the operator (`2>`), if any.
    pub descriptor: Option<u32>,
    /// What the redirection does.
    pub kind: RedirectKind,
    /// The file (or, for `Duplicate`, the descriptor) it names.
    pub target: Word,
    /// Whether it belongs to a group of commands rather than to this one alone.
    pub shared: bool,
}

/// What a redirection does with its file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirectKind {
    /// `>` and `>|`: empties the file, then writes to it.
    Write,
    /// `>>`: writes at the end of the file.
    Append,
    /// `&>` and `>& FILE`: standard output and standard error, emptying the file.
    WriteAll,
    /// `&>>`: standard output and standard error, at the end of the file.
    AppendAll,
    /// `<`: reads the file.
    Read,
    /// `<>`: opens the file for reading and writing, creating it, without emptying it.
    ReadWrite,
    /// `>&N`, `<&N`, `>&-`: copies or closes a descriptor; no file is involved.
    Duplicate,
}

/// What a step reads on standard input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Whatever the script itself reads (or a file, when a `<` redirection says so).
    Inherited,
    /// A here-document's text; `None` when it expands something only known at run time.
    HereDocument(Option<String>),
    /// A here-string (`<<< word`): the word and a newline.
    HereString(Word),
    /// The output of the step before it in a pipeline: the range of that step when it is a
    /// simple command, `None` when it is a group, a loop or anything else.
    Pipe(Option<TextRange>),
}

/// Every step of `script`, in order; ranges are offsets into `script`.
pub fn steps(script: &str) -> Vec<Step> {
    let map = SourceMap::verbatim(TextRange::from_usize(0, script.len()));
    let mut walk = Walk {
        res: Vec::new(),
        next_scope: 0,
        vars: Vars::new(),
    };
    walk.script(script, &map, 0, &Outer::default());
    walk.res
}

/// What a nested script (`bash -c`, `eval`) inherits from the command that runs it.
#[derive(Default)]
struct Outer {
    scope: Vec<usize>,
    redirects: Vec<Redirect>,
    wrappers: Vec<String>,
}

struct Walk {
    res: Vec<Step>,
    next_scope: usize,
    /// Variables the script set to literal values (see `shell::assign`).
    vars: Vars,
}

impl Walk {
    fn script(&mut self, script: &str, map: &SourceMap, depth: usize, outer: &Outer) {
        let Some(tree) = crate::tree::parse_script(script) else {
            return;
        };
        // Subshell nodes of this tree, numbered across every tree of the walk.
        let mut scopes: HashMap<usize, usize> = HashMap::new();
        let mut cursor = tree.walk();
        // The ancestors of the cursor's node, root first: a pre-order walk without recursion,
        // whatever the nesting.
        let mut ancestors: Vec<TsNode<'_>> = Vec::new();
        'walk: loop {
            let node = cursor.node();
            if node.kind() == "variable_assignment" {
                assign(&mut self.vars, node, script, map);
            }
            if node.kind() == "unset_command" {
                unset(&mut self.vars, node, script);
            }
            if node.kind() == "command" {
                let found = Found {
                    node,
                    ancestors: &ancestors,
                    script,
                    map,
                };
                self.command(&found, depth, outer, &mut scopes);
            }
            if cursor.goto_first_child() {
                ancestors.push(node);
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    continue 'walk;
                }
                if !cursor.goto_parent() {
                    break 'walk;
                }
                ancestors.pop();
            }
        }
    }

    fn command(
        &mut self,
        found: &Found<'_, '_>,
        depth: usize,
        outer: &Outer,
        scopes: &mut HashMap<usize, usize>,
    ) {
        let Found {
            node,
            ancestors,
            script,
            map,
        } = *found;
        let mut words = Vec::new();
        let mut redirects = Vec::new();
        let mut input = Input::Inherited;
        // A command on the line of a here-document ends with that line: the grammar reads a
        // body holding `\$` as words, which it may give to that command.
        let line_end = ancestors
            .iter()
            .rev()
            .find(|ancestor| ancestor.kind() == "heredoc_redirect")
            .and_then(|heredoc| {
                let start = script.get(heredoc.start_byte()..)?;
                Some(heredoc.start_byte() + start.find('\n')?)
            })
            .unwrap_or(usize::MAX);
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            if child.start_byte() >= line_end {
                break;
            }
            match child.kind() {
                "command_name" => {
                    if let Some(name) = child.named_child(0) {
                        words.push(word_with(name, script, map, &self.vars));
                    }
                }
                "file_redirect" | "heredoc_redirect" | "herestring_redirect" => {
                    redirection(child, script, map, false, &mut redirects, &mut input);
                }
                "variable_assignment" | "comment" => {}
                _ if !words.is_empty() => words.push(word_with(child, script, map, &self.vars)),
                _ => {}
            }
        }
        // The redirections written after the command belong to the statement around it.
        let mut parent_index = ancestors.len();
        let mut element = node;
        // Ancestors whose redirections were taken as this step's own.
        let mut own: Vec<usize> = Vec::new();
        if let Some(index) = parent_index.checked_sub(1)
            && let Some(parent) = ancestors.get(index)
            && parent.kind() == "redirected_statement"
            && parent.child_by_field_name("body") == Some(node)
        {
            statement_redirections(
                *parent,
                node,
                script,
                map,
                false,
                &mut redirects,
                &mut input,
            );
            own.push(index);
            element = *parent;
            parent_index = index;
        }
        if let Some(index) = parent_index.checked_sub(1)
            && let Some(container) = ancestors.get(index)
            && container.kind() == "pipeline"
        {
            let mut cursor = container.walk();
            let elements: Vec<TsNode<'_>> = container
                .named_children(&mut cursor)
                .filter(|child| child.kind() != "comment")
                .collect();
            let position = elements.iter().position(|child| *child == element);
            let source = match position {
                Some(0) => {
                    // `cat <<EOF | tee f`: the pipeline is the rest of the here-document's line.
                    let heredoc = index.checked_sub(1).and_then(|at| ancestors.get(at));
                    let owner = index.checked_sub(2).and_then(|at| ancestors.get(at));
                    match (heredoc, owner) {
                        (Some(heredoc), Some(owner)) if heredoc.kind() == "heredoc_redirect" => {
                            Some(simple_command(*owner).map(|body| map.map(range(body))))
                        }
                        _ => None,
                    }
                }
                Some(at) => Some(
                    elements
                        .get(at - 1)
                        .and_then(|previous| simple_command(*previous))
                        .map(|body| map.map(range(body))),
                ),
                None => None,
            };
            if let (Some(source), Input::Inherited) = (source, &input) {
                input = Input::Pipe(source);
            }
        }
        // `a | b > f` and `a && b > f` are read as the redirection of the pipeline or list;
        // the shell gives it to `b`, the last command.
        let mut inner = element;
        let mut at = parent_index;
        while let Some(index) = at.checked_sub(1)
            && let Some(container) = ancestors.get(index)
            && matches!(container.kind(), "pipeline" | "list")
            && last_named_child(*container) == Some(inner)
        {
            inner = *container;
            at = index;
            if let Some(statement_at) = index.checked_sub(1)
                && let Some(statement) = ancestors.get(statement_at)
                && statement.kind() == "redirected_statement"
                && statement.child_by_field_name("body") == Some(*container)
            {
                statement_redirections(
                    *statement,
                    *container,
                    script,
                    map,
                    false,
                    &mut redirects,
                    &mut input,
                );
                own.push(statement_at);
                break;
            }
        }
        // Groups around the command: their redirections, and the subshells it runs in.
        let mut scope = Vec::new();
        let mut captured = false;
        for (index, ancestor) in ancestors.iter().enumerate().rev() {
            match ancestor.kind() {
                "command_substitution" | "process_substitution" => {
                    // The output goes to the command around it, not to its redirections.
                    captured = true;
                    scope.push(scope_id(scopes, &mut self.next_scope, *ancestor));
                }
                "subshell" => scope.push(scope_id(scopes, &mut self.next_scope, *ancestor)),
                "redirected_statement" if !captured && !own.contains(&index) => {
                    // The rest of a here-document's line is not redirected with it, and the
                    // redirection of a pipeline is its last command's.
                    let in_heredoc_line = ancestors
                        .get(index + 1)
                        .is_some_and(|next| next.kind() == "heredoc_redirect");
                    let body = ancestor
                        .child_by_field_name("body")
                        .filter(|body| !matches!(body.kind(), "pipeline" | "list"));
                    if !in_heredoc_line {
                        let mut ignored = Input::Inherited;
                        if let Some(body) = body {
                            statement_redirections(
                                *ancestor,
                                body,
                                script,
                                map,
                                true,
                                &mut redirects,
                                &mut ignored,
                            );
                        }
                    }
                }
                _ => {}
            }
        }
        scope.reverse();
        let mut full_scope = outer.scope.clone();
        full_scope.extend(scope);
        if !captured {
            redirects.extend(outer.redirects.iter().cloned());
        }
        let mut wrappers = outer.wrappers.clone();
        let words = unwrap(words, &mut wrappers);
        let Some(program) = words.first().map(|first| program_name(&first.text)) else {
            return;
        };
        let is_shell = matches!(program, "bash" | "sh" | "zsh" | "dash" | "ksh" | "ash");
        let script_index = words
            .iter()
            .position(|word| word.text == "-c" || is_short_cluster_with(&word.text, 'c'))
            .map(|index| index + 1);
        let nested_script = if is_shell && depth < MAX_NESTING {
            script_index
                .and_then(|index| words.get(index))
                .filter(|inner| !inner.has_expansion)
                .map(|inner| (format!("{program} -c"), inner.text.clone()))
        } else if program == "eval" && depth < MAX_NESTING && words.len() > 1 {
            let joined: Vec<&str> = words[1..].iter().map(|word| word.text.as_str()).collect();
            (!words[1..].iter().any(|word| word.has_expansion))
                .then(|| ("eval".to_owned(), joined.join(" ")))
        } else {
            None
        };
        if let Some((wrapper, inner)) = nested_script {
            let mut scope = full_scope;
            if wrapper != "eval" {
                // A new shell: its `cd` ends with it.
                scope.push(self.next_scope);
                self.next_scope += 1;
            }
            wrappers.push(wrapper);
            let nested = Outer {
                scope,
                redirects: redirects
                    .into_iter()
                    .map(|redirect| Redirect {
                        shared: true,
                        ..redirect
                    })
                    .collect(),
                wrappers,
            };
            let whole = SourceMap::whole(map.map(range(node)));
            self.script(&inner, &whole, depth + 1, &nested);
            return;
        }
        self.res.push(Step {
            words,
            wrappers,
            range: map.map(range(node)),
            redirects,
            input,
            scope: full_scope,
        });
    }
}

/// A command node found by the walk, with what it needs to be read.
#[derive(Clone, Copy)]
struct Found<'t, 'a> {
    node: TsNode<'t>,
    ancestors: &'a [TsNode<'t>],
    script: &'a str,
    map: &'a SourceMap,
}

fn scope_id(scopes: &mut HashMap<usize, usize>, next: &mut usize, node: TsNode<'_>) -> usize {
    *scopes.entry(node.id()).or_insert_with(|| {
        let id = *next;
        *next += 1;
        id
    })
}

fn last_named_child(node: TsNode<'_>) -> Option<TsNode<'_>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| child.kind() != "comment")
        .last()
}

/// The simple command a pipeline element is: itself, or the body of a redirected statement.
fn simple_command(element: TsNode<'_>) -> Option<TsNode<'_>> {
    match element.kind() {
        "command" => Some(element),
        "redirected_statement" => element
            .child_by_field_name("body")
            .filter(|body| body.kind() == "command"),
        _ => None,
    }
}

/// The redirections of a redirected statement, other than its body.
fn statement_redirections(
    statement: TsNode<'_>,
    body: TsNode<'_>,
    script: &str,
    map: &SourceMap,
    shared: bool,
    redirects: &mut Vec<Redirect>,
    input: &mut Input,
) {
    let mut cursor = statement.walk();
    for child in statement.named_children(&mut cursor) {
        if child != body {
            redirection(child, script, map, shared, redirects, input);
        }
    }
}

/// Adds what one redirection node says to `redirects` and `input`.
fn redirection(
    node: TsNode<'_>,
    script: &str,
    map: &SourceMap,
    shared: bool,
    redirects: &mut Vec<Redirect>,
    input: &mut Input,
) {
    match node.kind() {
        "file_redirect" => redirects.extend(file_redirect(node, script, map, shared)),
        "herestring_redirect" => {
            if let Some(value) = node.named_child(0) {
                *input = Input::HereString(word(value, script, map));
            }
        }
        "heredoc_redirect" => {
            *input = Input::HereDocument(heredoc_text(node, script));
            // `cat <<EOF > f`: the redirections on the here-document's line, up to the first
            // thing that is not one (`&& next`, `| tee`).
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                match child.kind() {
                    "heredoc_start" => {}
                    "file_redirect" => redirects.extend(file_redirect(child, script, map, shared)),
                    _ => break,
                }
            }
        }
        _ => {}
    }
}

fn file_redirect(
    node: TsNode<'_>,
    script: &str,
    map: &SourceMap,
    shared: bool,
) -> Option<Redirect> {
    let mut descriptor = None;
    let mut operator = "";
    let mut target = None;
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if child.kind() == "file_descriptor" {
            descriptor = node_text(child, script).parse().ok();
        } else if !child.is_named() {
            operator = node_text(child, script);
        } else if target.is_none() {
            target = Some(word(child, script, map));
        }
    }
    let target = target?;
    let duplicate = target.text == "-" || target.text.bytes().all(|byte| byte.is_ascii_digit());
    let kind = match operator {
        ">" | ">|" => RedirectKind::Write,
        ">>" => RedirectKind::Append,
        "&>" => RedirectKind::WriteAll,
        "&>>" => RedirectKind::AppendAll,
        "<" => RedirectKind::Read,
        "<>" => RedirectKind::ReadWrite,
        ">&" | "<&" if duplicate => RedirectKind::Duplicate,
        ">&" => RedirectKind::WriteAll,
        "<&" => RedirectKind::Read,
        _ => RedirectKind::Duplicate,
    };
    Some(Redirect {
        descriptor,
        kind,
        target,
        shared,
    })
}

/// The text a here-document gives; `None` when it expands a parameter or runs a command.
///
/// The body is read from the source between the end of the line of `<<` and the terminator,
/// rather than from the grammar's `heredoc_body`, which splits a body holding `\$` into words.
fn heredoc_text(node: TsNode<'_>, script: &str) -> Option<String> {
    let mut cursor = node.walk();
    let children: Vec<TsNode<'_>> = node.children(&mut cursor).collect();
    let strip_tabs = children
        .iter()
        .any(|child| !child.is_named() && node_text(*child, script) == "<<-");
    let start = children
        .iter()
        .find(|child| child.kind() == "heredoc_start")?;
    let delimiter = node_text(*start, script);
    let quoted = delimiter.contains(['\'', '"', '\\']);
    let line_end = start.end_byte() + script.get(start.end_byte()..)?.find('\n')?;
    let body_start = line_end + 1;
    let body_end = children
        .iter()
        .find(|child| child.kind() == "heredoc_end")
        .map(|end| end.start_byte())
        .filter(|end| *end >= body_start)
        .unwrap_or_else(|| node.end_byte().max(body_start));
    let raw = script.get(body_start..body_end)?;
    // The terminator's line may start with tabs (`<<-`): the body ends at the last newline.
    let raw = match raw.rfind('\n') {
        Some(last) => &raw[..=last],
        None => raw,
    };
    let text = if strip_tabs {
        raw.split_inclusive('\n')
            .map(|line| line.trim_start_matches('\t'))
            .collect()
    } else {
        raw.to_owned()
    };
    if quoted {
        return Some(text);
    }
    if expands(&text) {
        return None;
    }
    Some(unescape_heredoc(&text))
}

/// Whether the text of an unquoted here-document expands anything: `$NAME`, `${…}`, `$(…)`,
/// `$((…))`, a special parameter, or a backquoted command.
fn expands(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '`' => return true,
            '$' if chars.peek().is_some_and(|next| {
                next.is_ascii_alphanumeric()
                    || matches!(
                        next,
                        '_' | '{' | '(' | '@' | '*' | '#' | '?' | '$' | '!' | '-'
                    )
            }) =>
            {
                return true;
            }
            _ => {}
        }
    }
    false
}

/// The backslash escapes of an unquoted here-document: `\$`, `` \` ``, `\\` and a backslash
/// before a newline; any other backslash stays.
fn unescape_heredoc(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.peek() {
                Some('$' | '`' | '\\') => {
                    if let Some(next) = chars.next() {
                        res.push(next);
                    }
                }
                Some('\n') => {
                    chars.next();
                }
                _ => res.push(c),
            }
        } else {
            res.push(c);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn argv(step: &Step) -> Vec<&str> {
        step.words.iter().map(|word| word.text.as_str()).collect()
    }

    fn targets(step: &Step) -> Vec<(RedirectKind, &str, bool)> {
        step.redirects
            .iter()
            .map(|redirect| {
                (
                    redirect.kind,
                    redirect.target.text.as_str(),
                    redirect.shared,
                )
            })
            .collect()
    }

    #[test]
    fn here_documents_and_their_redirections() {
        let script = "cat > main.tf <<'EOF'\nresource \"x\" \"y\" {\n  a = \"${b}\"\n}\nEOF\ncat <<EOF >> b.tf && echo ok\n\\$x \\\\ y\nEOF\ncat <<-EOF > c.tf\n\tindented\n\tEOF\ncat <<EOF > d.tf\n$HOME\nEOF\n";
        let found = steps(script);
        assert_eq!(found.len(), 5, "{found:#?}");
        assert_eq!(
            targets(&found[0]),
            [(RedirectKind::Write, "main.tf", false)]
        );
        assert_eq!(
            found[0].input,
            Input::HereDocument(Some(
                "resource \"x\" \"y\" {\n  a = \"${b}\"\n}\n".to_owned()
            ))
        );
        assert_eq!(targets(&found[1]), [(RedirectKind::Append, "b.tf", false)]);
        assert_eq!(
            found[1].input,
            Input::HereDocument(Some("$x \\ y\n".to_owned()))
        );
        assert_eq!(argv(&found[2]), ["echo", "ok"]);
        assert!(found[2].redirects.is_empty());
        assert_eq!(
            found[3].input,
            Input::HereDocument(Some("indented\n".to_owned()))
        );
        assert_eq!(found[4].input, Input::HereDocument(None));
    }

    #[test]
    fn pipes_groups_and_subshells() {
        let script = "cat <<EOF | tee -a f.tf >/dev/null\nx\nEOF\necho a | b > f\n{ echo a; } > g.tf\n(cd infra && rm a.tf); echo $(cat x > y) > z\nsudo bash -c 'printf x > h.tf'";
        let found = steps(script);
        let tee = found
            .iter()
            .find(|step| step.words[0].text == "tee")
            .unwrap();
        let cat = &found[0];
        assert_eq!(tee.input, Input::Pipe(Some(cat.range)));
        assert_eq!(targets(tee), [(RedirectKind::Write, "/dev/null", false)]);
        let b = found.iter().find(|step| step.words[0].text == "b").unwrap();
        assert!(matches!(b.input, Input::Pipe(Some(_))));
        assert_eq!(targets(b), [(RedirectKind::Write, "f", false)]);
        let grouped = found
            .iter()
            .find(|step| argv(step) == ["echo", "a"] && !step.redirects.is_empty())
            .unwrap();
        assert_eq!(targets(grouped), [(RedirectKind::Write, "g.tf", true)]);
        let cd = found
            .iter()
            .find(|step| step.words[0].text == "cd")
            .unwrap();
        let rm = found
            .iter()
            .find(|step| step.words[0].text == "rm")
            .unwrap();
        assert_eq!(cd.scope.len(), 1);
        assert_eq!(cd.scope, rm.scope);
        let inner_cat = found
            .iter()
            .find(|step| argv(step) == ["cat", "x"])
            .unwrap();
        assert_eq!(targets(inner_cat), [(RedirectKind::Write, "y", false)]);
        let echo = found
            .iter()
            .find(|step| {
                step.words
                    .get(1)
                    .is_some_and(|word| word.text.starts_with("$("))
            })
            .unwrap();
        assert_eq!(targets(echo), [(RedirectKind::Write, "z", false)]);
        let printf = found.last().unwrap();
        assert_eq!(argv(printf), ["printf", "x"]);
        assert_eq!(targets(printf), [(RedirectKind::Write, "h.tf", false)]);
        assert_eq!(printf.wrappers, ["sudo", "bash -c"]);
        assert_eq!(printf.scope.len(), 1);
    }

    #[test]
    fn redirection_kinds() {
        // The grammar does not read `<>`.
        let found = steps("a 2>&1 >| b &> c &>> d < e 2> f");
        assert_eq!(
            targets(&found[0]),
            [
                (RedirectKind::Duplicate, "1", false),
                (RedirectKind::Write, "b", false),
                (RedirectKind::WriteAll, "c", false),
                (RedirectKind::AppendAll, "d", false),
                (RedirectKind::Read, "e", false),
                (RedirectKind::Write, "f", false),
            ]
        );
        assert_eq!(found[0].redirects[5].descriptor, Some(2));
        let found = steps("tee f.tf <<< \"s\"");
        assert!(matches!(&found[0].input, Input::HereString(word) if word.text == "s"));
    }
}

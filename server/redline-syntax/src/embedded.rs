//! Scripts embedded in other files (`run:` in workflows, `script:` in GitLab CI), with the
//! map from script offsets back to the host file.

use std::sync::OnceLock;

use redline_text::TextRange;

use crate::shell::{self, Command, SourceMap};
use crate::value::{Node, NodeKind, ScalarKind};
use crate::{Format, SourceFile};

/// The script held by a YAML string value, and where each of its bytes comes from.
pub fn yaml_script(node: &Node, text: &str) -> Option<(String, SourceMap)> {
    let NodeKind::Scalar(scalar) = &node.kind else {
        return None;
    };
    if !matches!(scalar.kind, ScalarKind::String { .. }) || node.tag.is_some() {
        return None;
    }
    let raw = text.get(node.range.to_std())?;
    let start = node.range.start().to_usize();
    if raw.starts_with('|') || raw.starts_with('>') {
        return Some(block_script(raw, start, &scalar.value, node.range));
    }
    if raw.starts_with('"') && !raw.contains('\n') {
        return Some(double_quoted_script(raw, start, node.range));
    }
    let inner = if raw.starts_with('\'') {
        let inner = raw.strip_prefix('\'')?.strip_suffix('\'')?;
        let exact = !inner.contains('\n') && !inner.contains("''");
        exact.then(|| TextRange::from_usize(start + 1, start + 1 + inner.len()))
    } else {
        (!raw.contains('\n')).then_some(node.range)
    };
    let map = match inner {
        Some(range) => SourceMap::verbatim(range),
        None => SourceMap::whole(node.range),
    };
    Some((scalar.value.clone(), map))
}

/// A one-line double-quoted string (YAML or JSON): literal runs map exactly, escapes map to
/// nothing of their own, so a command between escapes still points at its exact text.
fn double_quoted_script(raw: &str, start: usize, whole: TextRange) -> (String, SourceMap) {
    let inner = raw
        .strip_prefix('"')
        .map(|rest| rest.strip_suffix('"').unwrap_or(rest))
        .unwrap_or(raw);
    let mut script = String::with_capacity(inner.len());
    let mut map = SourceMap::whole(whole);
    let mut run_start: Option<(usize, usize)> = None;
    let mut chars = inner.char_indices().peekable();
    while let Some((offset, c)) = chars.next() {
        if c == '\\' {
            if let Some((script_start, host_start)) = run_start.take() {
                map.push(script_start, host_start, script.len() - script_start);
            }
            let Some((_, escaped)) = chars.next() else {
                break;
            };
            script.push(match escaped {
                'n' => '\n',
                't' => '\t',
                'r' => '\r',
                '0' => '\0',
                other => other,
            });
            continue;
        }
        if run_start.is_none() {
            run_start = Some((script.len(), start + 1 + offset));
        }
        script.push(c);
    }
    if let Some((script_start, host_start)) = run_start {
        map.push(script_start, host_start, script.len() - script_start);
    }
    (script, map)
}

/// A literal (`|`) block scalar maps line by line; a folded (`>`) one joins lines with spaces
/// the way YAML does and maps each line's text.
fn block_script(raw: &str, start: usize, decoded: &str, whole: TextRange) -> (String, SourceMap) {
    let folded = raw.starts_with('>');
    let Some(header_end) = raw.find('\n') else {
        return (decoded.to_owned(), SourceMap::whole(whole));
    };
    let body = &raw[header_end + 1..];
    let indent = body
        .split('\n')
        .find(|line| !line.trim().is_empty())
        .map_or(0, |line| line.len() - line.trim_start_matches(' ').len());
    let mut script = String::new();
    let mut map = SourceMap::whole(whole);
    let mut host = start + header_end + 1;
    let mut previous_text = false;
    for line in body.split('\n') {
        let content = line.get(indent..).unwrap_or("").trim_end_matches('\r');
        if !script.is_empty() || !content.is_empty() {
            if folded && previous_text && !content.is_empty() && !content.starts_with(' ') {
                script.push(' ');
            } else if !script.is_empty() {
                script.push('\n');
            }
        }
        if !content.is_empty() {
            map.push(script.len(), host + indent, content.len());
            script.push_str(content);
        }
        previous_text = !content.is_empty() && !content.starts_with(' ');
        host += line.len() + 1;
    }
    if !script.is_empty() {
        script.push('\n');
    }
    (script, map)
}

/// Commands that a file runs: a shell script's own, workflow `run:` steps, GitLab CI
/// `script:` entries, Atmos workflow steps (see `atmos`). Computed once per file.
pub(crate) fn file_commands<'f>(
    file: &'f SourceFile<'_>,
    cache: &'f OnceLock<Vec<Command>>,
) -> &'f [Command] {
    cache.get_or_init(|| {
        let mut res = Vec::new();
        match file.format {
            Format::Shell => {
                // The script's own tree is already there: no second parse.
                let map = SourceMap::verbatim(TextRange::from_usize(0, file.text.len()));
                res = shell::commands_in_tree(&file.tree, &file.text, &map);
            }
            Format::GithubActions => {
                for document in &file.documents {
                    for run in github_runs(document) {
                        if let Some((script, map)) = yaml_script(run, &file.text) {
                            res.extend(shell::commands(&script, &map));
                        }
                    }
                }
            }
            Format::GitlabCi => {
                for document in &file.documents {
                    for line in crate::gitlab_ci::script_lines(document) {
                        if let Some((script, map)) = yaml_script(line, &file.text) {
                            res.extend(shell::commands(&script, &map));
                        }
                    }
                }
            }
            Format::AzurePipelines => {
                for document in &file.documents {
                    for step in azure_steps(document)
                        .into_iter()
                        .flat_map(|(_, steps)| steps)
                    {
                        for script in azure_step_scripts(step) {
                            if let Some((script, map)) = yaml_script(script, &file.text) {
                                res.extend(shell::commands(&script, &map));
                            }
                        }
                    }
                }
            }
            Format::AtmosWorkflow => {
                for document in &file.documents {
                    for step in crate::atmos::steps(document) {
                        res.extend(crate::atmos::step_commands(&step, &file.text));
                    }
                }
            }
            Format::AgentConfig => {
                for document in &file.documents {
                    for command in agent_hook_commands(document) {
                        if let Some((script, map)) = yaml_script(command, &file.text) {
                            res.extend(shell::commands(&script, &map));
                        }
                    }
                }
            }
            Format::Makefile => res = makefile_commands(file),
            Format::Dockerfile => res = dockerfile_commands(file),
            Format::Kubernetes => {
                for object in file.kubernetes_objects() {
                    let Some(spec) = crate::kubernetes::pod_spec(object) else {
                        continue;
                    };
                    for container in crate::kubernetes::containers(spec) {
                        res.extend(container_commands(container, &file.text));
                    }
                }
            }
            _ => {}
        }
        res
    })
}

/// Every job of an Azure Pipelines definition with its steps: root `steps:`, `jobs:`, and
/// `stages[].jobs`, including the `deploy` steps of deployment strategies.
pub fn azure_steps(document: &Node) -> Vec<(&Node, Vec<&Node>)> {
    let mut jobs: Vec<&Node> = Vec::new();
    if document.get("steps").is_some() {
        jobs.push(document);
    }
    jobs.extend(document.get("jobs").map(Node::items).unwrap_or_default());
    for stage in document.get("stages").map(Node::items).unwrap_or_default() {
        jobs.extend(stage.get("jobs").map(Node::items).unwrap_or_default());
    }
    jobs.into_iter()
        .map(|job| {
            let mut steps: Vec<&Node> = job
                .get("steps")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .collect();
            if let Some(strategy) = job.get("strategy") {
                for phase in strategy.entries() {
                    for hook in phase.value.entries() {
                        steps.extend(hook.value.get("steps").map(Node::items).unwrap_or_default());
                    }
                }
            }
            (job, steps)
        })
        .collect()
}

/// The script values of an Azure Pipelines step: `script`, `bash`, `pwsh`, `powershell`, and
/// the inline script of `AzureCLI` tasks.
pub fn azure_step_scripts(step: &Node) -> Vec<&Node> {
    let mut res: Vec<&Node> = ["script", "bash", "pwsh", "powershell"]
        .iter()
        .filter_map(|key| step.get(key))
        .collect();
    if let Some(inputs) = step.get("inputs") {
        res.extend(inputs.get("inlineScript"));
    }
    res
}

/// The `command` strings of Claude Code hooks (`hooks.<event>[].hooks[].command`).
pub fn agent_hook_commands(document: &Node) -> Vec<&Node> {
    let Some(hooks) = document.get("hooks") else {
        return Vec::new();
    };
    hooks
        .entries()
        .iter()
        .flat_map(|event| event.value.items())
        .flat_map(|matcher| matcher.get("hooks").map(Node::items).unwrap_or_default())
        .filter_map(|hook| hook.get("command"))
        .collect()
}

/// The commands of every recipe line of a Makefile.
///
/// Make variables `$(NAME)` become shell variables `${NAME}` (same length, so positions stay
/// exact): an empty one is as dangerous in `rm -rf $(OUT)/` as in shell. A line with `$$`
/// maps to its whole range instead.
fn makefile_commands(file: &SourceFile<'_>) -> Vec<Command> {
    let mut res = Vec::new();
    for node in nodes_of_kind(&file.tree, "recipe_line") {
        let range = crate::tree::range(node);
        let raw = file.slice(range);
        let prefix = raw.len() - raw.trim_start_matches(['@', '-', '+', ' ']).len();
        let body = &raw[prefix..];
        let body_range =
            TextRange::from_usize(range.start().to_usize() + prefix, range.end().to_usize());
        let (script, map) = if body.contains("$$") {
            (body.replace("$$", "$"), SourceMap::whole(body_range))
        } else {
            (
                make_variables_as_shell(body),
                SourceMap::verbatim(body_range),
            )
        };
        res.extend(shell::commands(&script, &map));
    }
    res
}

/// `$(NAME)` → `${NAME}` for simple names; other text unchanged, length kept.
fn make_variables_as_shell(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("$(") {
        res.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find(')') {
            Some(end)
                if after[..end]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && end > 0 =>
            {
                res.push_str("${");
                res.push_str(&after[..end]);
                res.push('}');
                rest = &after[end + 1..];
            }
            _ => {
                res.push_str("$(");
                rest = after;
            }
        }
    }
    res.push_str(rest);
    res
}

/// The commands of every `RUN` instruction of a Dockerfile, shell form and exec form.
fn dockerfile_commands(file: &SourceFile<'_>) -> Vec<Command> {
    let mut res = Vec::new();
    for node in nodes_of_kind(&file.tree, "run_instruction") {
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "shell_command" => {
                    let range = crate::tree::range(child);
                    res.extend(shell::commands(
                        file.slice(range),
                        &SourceMap::verbatim(range),
                    ));
                }
                "json_string_array" => {
                    let mut inner = child.walk();
                    let words: Vec<shell::Word> = child
                        .named_children(&mut inner)
                        .map(|item| {
                            let range = crate::tree::range(item);
                            let raw = file.slice(range);
                            shell::Word {
                                text: raw
                                    .trim_matches('"')
                                    .replace("\\\"", "\"")
                                    .replace("\\\\", "\\"),
                                has_expansion: false,
                                range,
                                expansions: Vec::new(),
                            }
                        })
                        .collect();
                    res.extend(exec_form(words, crate::tree::range(child)));
                }
                _ => {}
            }
        }
    }
    res
}

/// An exec-form argument vector: a shell with `-c` runs its script, anything else runs as is.
fn exec_form(words: Vec<shell::Word>, range: TextRange) -> Vec<Command> {
    let Some(first) = words.first() else {
        return Vec::new();
    };
    let program = shell::program_name(&first.text).to_owned();
    if matches!(program.as_str(), "sh" | "bash" | "ash" | "dash" | "zsh")
        && let Some(index) = words.iter().position(|word| word.text == "-c")
        && let Some(script) = words.get(index + 1)
    {
        // The script is a JSON string: exact positions when it has no escapes.
        let raw_len = script.range.len().to_usize();
        let map = if raw_len == script.text.len() + 2 {
            SourceMap::verbatim(TextRange::from_usize(
                script.range.start().to_usize() + 1,
                script.range.end().to_usize() - 1,
            ))
        } else {
            SourceMap::whole(script.range)
        };
        let mut commands = shell::commands(&script.text, &map);
        for command in &mut commands {
            command.wrappers.insert(0, format!("{program} -c"));
        }
        return commands;
    }
    vec![Command {
        words,
        range,
        wrappers: Vec::new(),
        opaque: None,
        input: None,
    }]
}

/// Every node of `kind` in the tree, in source order.
fn nodes_of_kind<'t>(tree: &'t tree_sitter::Tree, kind: &str) -> Vec<tree_sitter::Node<'t>> {
    let mut res = Vec::new();
    let mut cursor = tree.walk();
    'walk: loop {
        let node = cursor.node();
        if node.kind() == kind {
            res.push(node);
        } else if cursor.goto_first_child() {
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
    res
}

/// The command a container runs: `command` followed by `args`, parsed as a script when it is
/// `sh -c '…'` and taken as an argument vector otherwise.
fn container_commands(container: &Node, text: &str) -> Vec<Command> {
    let argv: Vec<&Node> = ["command", "args"]
        .iter()
        .filter_map(|key| container.get(key))
        .flat_map(Node::items)
        .collect();
    let Some(first) = argv.first().and_then(|node| node.as_str()) else {
        return Vec::new();
    };
    let program = shell::program_name(first);
    let is_shell = matches!(program, "sh" | "bash" | "ash" | "dash" | "zsh");
    let script = argv
        .iter()
        .position(|node| {
            node.as_str()
                .is_some_and(|arg| arg == "-c" || (arg.starts_with('-') && arg.ends_with('c')))
        })
        .and_then(|index| argv.get(index + 1));
    if is_shell && let Some(script) = script {
        return yaml_script(script, text)
            .map(|(script, map)| {
                let mut commands = shell::commands(&script, &map);
                for command in &mut commands {
                    command.wrappers.insert(0, format!("{program} -c"));
                }
                commands
            })
            .unwrap_or_default();
    }
    let words: Option<Vec<shell::Word>> = argv
        .iter()
        .map(|node| {
            node.as_str().map(|value| shell::Word {
                text: value.to_owned(),
                has_expansion: value.contains("$("),
                range: node.range,
                expansions: Vec::new(),
            })
        })
        .collect();
    let Some(words) = words else {
        return Vec::new();
    };
    let start = argv
        .first()
        .map(|node| node.range.start())
        .unwrap_or_default();
    let end = argv.last().map(|node| node.range.end()).unwrap_or_default();
    vec![Command {
        words,
        range: TextRange::new(start, end),
        wrappers: Vec::new(),
        opaque: None,
        input: None,
    }]
}

/// The `run:` values of a workflow's job steps or a composite action's steps, skipping steps
/// whose `shell:` is not a POSIX shell.
pub fn github_runs(document: &Node) -> Vec<&Node> {
    let mut step_lists: Vec<&Node> = Vec::new();
    if let Some(jobs) = document.get("jobs") {
        for job in jobs.entries() {
            if let Some(steps) = job.value.get("steps") {
                step_lists.push(steps);
            }
        }
    }
    if let Some(steps) = document.get("runs").and_then(|runs| runs.get("steps")) {
        step_lists.push(steps);
    }
    step_lists
        .into_iter()
        .flat_map(Node::items)
        .filter(|step| {
            step.get("shell")
                .and_then(Node::as_str)
                .is_none_or(|shell| {
                    let program = shell.split_whitespace().next().unwrap_or("");
                    matches!(shell::program_name(program), "bash" | "sh")
                })
        })
        .filter_map(|step| step.get("run"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SourceHints, parse_source};

    #[test]
    fn workflow_runs_map_to_exact_ranges() {
        let text = "on: push\njobs:\n  a:\n    steps:\n      - run: |\n          echo start\n          terraform destroy -auto-approve\n      - run: rm -rf \"$DIR/\"\n      - shell: pwsh\n        run: Remove-Item x\n";
        let file = parse_source(".github/workflows/x.yml", text, SourceHints::default())
            .expect("workflow");
        let cache = OnceLock::new();
        let commands = file_commands(&file, &cache);
        let texts: Vec<&str> = commands.iter().map(|c| &text[c.range.to_std()]).collect();
        assert_eq!(
            texts,
            [
                "echo start",
                "terraform destroy -auto-approve",
                "rm -rf \"$DIR/\""
            ]
        );
    }

    #[test]
    fn container_commands_are_commands() {
        let text = "apiVersion: batch/v1\nkind: Job\nspec:\n  template:\n    spec:\n      containers:\n        - name: wipe\n          command: [\"sh\", \"-c\"]\n          args: [\"psql -c 'DROP TABLE users'\"]\n        - name: direct\n          command: [\"kubectl\", \"delete\", \"ns\", \"prod\"]\n";
        let file = parse_source("job.yaml", text, SourceHints::default()).expect("manifest");
        let cache = OnceLock::new();
        let commands = file_commands(&file, &cache);
        let texts: Vec<&str> = commands.iter().map(|c| &text[c.range.to_std()]).collect();
        assert_eq!(
            texts,
            [
                "psql -c 'DROP TABLE users'",
                "\"kubectl\", \"delete\", \"ns\", \"prod\""
            ]
        );
    }

    #[test]
    fn makefile_and_dockerfile_commands() {
        let text = "clean:\n\t@rm -rf $(OUT)/\n\t-terraform destroy -auto-approve\n";
        let file = parse_source("Makefile", text, SourceHints::default()).expect("makefile");
        let cache = OnceLock::new();
        let commands = file_commands(&file, &cache);
        let texts: Vec<&str> = commands.iter().map(|c| &text[c.range.to_std()]).collect();
        assert_eq!(texts, ["rm -rf $(OUT)/", "terraform destroy -auto-approve"]);
        assert_eq!(commands[0].words[2].expansions[0].name, "OUT");

        let text = "FROM alpine\nRUN apk add curl && \\\n    rm -rf /var/cache/apk\nRUN [\"sh\", \"-c\", \"kubectl delete ns prod\"]\n";
        let file = parse_source("Dockerfile", text, SourceHints::default()).expect("dockerfile");
        let cache = OnceLock::new();
        let commands = file_commands(&file, &cache);
        let texts: Vec<&str> = commands.iter().map(|c| &text[c.range.to_std()]).collect();
        assert_eq!(
            texts,
            [
                "apk add curl",
                "rm -rf /var/cache/apk",
                "kubectl delete ns prod"
            ]
        );
    }

    #[test]
    fn escaped_double_quoted_strings_map_exactly() {
        let text = "on: push\njobs:\n  a:\n    steps:\n      - run: \"echo \\\"hi\\\" && kubectl delete ns prod\"\n";
        let file = parse_source(".github/workflows/x.yml", text, SourceHints::default())
            .expect("workflow");
        let cache = OnceLock::new();
        let commands = file_commands(&file, &cache);
        let texts: Vec<&str> = commands.iter().map(|c| &text[c.range.to_std()]).collect();
        assert_eq!(texts, ["echo \\\"hi\\\"", "kubectl delete ns prod"]);
    }

    #[test]
    fn gitlab_scripts() {
        let text = "stages: [deploy]\ndeploy:\n  script:\n    - 'kubectl delete ns prod'\n    - helm uninstall web\n";
        let file = parse_source(".gitlab-ci.yml", text, SourceHints::default()).expect("gitlab");
        let cache = OnceLock::new();
        let commands = file_commands(&file, &cache);
        let texts: Vec<&str> = commands.iter().map(|c| &text[c.range.to_std()]).collect();
        assert_eq!(texts, ["kubectl delete ns prod", "helm uninstall web"]);
    }
}

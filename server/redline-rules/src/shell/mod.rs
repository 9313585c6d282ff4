//! Rules on shell commands, wherever they appear: scripts, workflow steps, CI jobs.

pub mod catalog;
pub mod cloud_resource_delete_command;
pub mod command_hidden_from_review;
pub mod container_bulk_delete;
pub mod database_delete_command;
pub mod destructive_sql;
pub mod disk_or_host_wipe;
pub mod docker_volume_delete;
pub mod environment_delete_command;
pub mod git_history_destruction;
pub mod helm_uninstall;
pub mod kubectl_delete_wide;
pub mod object_store_wipe;
pub mod recursive_delete_unsafe_path;
pub mod terraform_auto_approve;
pub mod terraform_destroy;
pub mod terraform_state_surgery;

use redline_diagnostics::{Applicability, Edit, Fix, Severity};
use redline_syntax::Format;
use redline_syntax::embedded::yaml_script;
use redline_syntax::shell::Command;
use redline_syntax::value::Node;

use crate::RuleContext;

/// Reports every command of the file that `rule` matches in the catalog.
pub(crate) fn report_commands(ctx: &mut RuleContext<'_>, rule: &str) {
    let file = ctx.file();
    let commands = file.commands();
    // What the commands before a match did, read only when a command matches: most commands
    // match no rule, and every rule that reports commands walks all of them.
    let mut before = Before::default();
    let mut cluster_spans = None;
    let programs = catalog::programs_of(rule);
    for (index, command) in commands.iter().enumerate() {
        if !catalog::may_match(rule, programs, command) {
            continue;
        }
        let hits = catalog::matches_in(rule, command, file.format, file.command_line);
        if hits.is_empty() {
            continue;
        }
        before.read(&commands[..index]);
        // After `git clone`, a script resets and cleans the clone it made, not someone's work.
        let cloned = before.cloned || is_git(command, "clone");
        let resets = is_git(command, "reset");
        // Deleting what the file created itself before (a test that applies and then
        // destroys, a job that creates and then deletes its scratch bucket, repository or
        // namespace, or deletes objects of the local cluster it started) is its own cleanup.
        // A delete before the create (destroy, then apply again) is not.
        let deletes_its_own = deletes_what_it_created(command, &before.created);
        for hit in hits {
            if hit.local_work && cloned {
                continue;
            }
            if rule == "RL-SH-013" && targets_assigned_variables(&file.text, file.format, command) {
                continue;
            }
            let shown = command_text(&file.text, command, 80);
            let mut message = format!("`{shown}` {}", hit.message);
            // A commit earlier in the script does not make a later `reset --hard` safe.
            if before.committed && resets && hit.local_work {
                message.push_str(
                    "; the `git commit` before it does not make this safe: it keeps only what it staged, so changes it left out are discarded, and when it fails (nothing to commit, a hook refuses) every change is",
                );
            }
            let mut diagnostic = ctx.diagnostic(command.range, message);
            if let Some(severity) = hit.severity {
                diagnostic.severity = severity;
            }
            let on_throwaway_cluster = is_kubectl_delete(command)
                && cluster_spans
                    .get_or_insert_with(|| {
                        if file.format == Format::GithubActions {
                            crate::github_actions::throwaway_cluster_spans(file)
                        } else {
                            Vec::new()
                        }
                    })
                    .iter()
                    .any(|span: &redline_text::TextRange| span.contains(command.range.start()));
            if on_throwaway_cluster || deletes_its_own {
                diagnostic.severity = Severity::Info;
            }
            // A CI job works in the fresh checkout its runner made: resetting or cleaning it
            // discards no one's work.
            if hit.local_work
                && matches!(
                    file.format,
                    Format::GithubActions | Format::GitlabCi | Format::AzurePipelines
                )
            {
                diagnostic.severity = Severity::Info;
            }
            // `${VAR:?}` is shell syntax; in a Makefile the variable belongs to make.
            if rule == "RL-SH-013"
                && file.format != redline_syntax::Format::Makefile
                && let Some(fix) = guard_fix(command)
            {
                diagnostic = diagnostic.with_fix(fix);
            }
            ctx.report(diagnostic);
        }
    }
}

/// What the first commands of a script did, read up to a given command on demand.
#[derive(Default)]
struct Before {
    /// How many commands have been read.
    read: usize,
    /// Whether one of them is `git clone`.
    cloned: bool,
    /// Whether one of them is `git commit`.
    committed: bool,
    /// What they created, as lifecycle keys.
    created: Vec<String>,
}

impl Before {
    /// Reads the commands of `first` not read yet; `first` only grows between calls.
    fn read(&mut self, first: &[Command]) {
        for command in first.get(self.read..).unwrap_or_default() {
            if let Some((key, true)) = catalog::lifecycle_key(command) {
                self.created.push(key);
            }
            self.cloned = self.cloned || is_git(command, "clone");
            self.committed = self.committed || is_git(command, "commit");
        }
        self.read = self.read.max(first.len());
    }
}

/// Whether every dangerous target of an `rm` command holds a variable that the text above it
/// assigns a value with literal characters (`DIR="$ROOT/build"`, `VERSION="v1"`,
/// `OUT_DIR=$(ROOT)/bin`): that variable cannot be empty, so the path cannot become `/`.
fn targets_assigned_variables(text: &str, format: Format, command: &Command) -> bool {
    let is_rm = command
        .words
        .first()
        .is_some_and(|word| redline_syntax::shell::program_name(&word.text) == "rm");
    if !is_rm {
        return false;
    }
    let dangerous: Vec<_> = command
        .words
        .iter()
        .skip(1)
        .filter(|word| catalog::is_dangerous_path(word, format))
        .collect();
    if dangerous.is_empty() {
        return false;
    }
    let before = text.get(..command.range.start().to_usize()).unwrap_or("");
    let assigned = non_empty_assignments(before);
    dangerous.iter().all(|word| {
        word.expansions
            .iter()
            .any(|expansion| assigned.contains(&expansion.name.as_str()))
            || make_variables(&word.text)
                .iter()
                .any(|name| assigned.contains(name))
    })
}

/// The variables a text last assigns a value holding literal characters, one assignment per
/// line: `NAME=value` (shell, after `export`, `local` or `readonly`) or `NAME = value`, `:=`,
/// `?=` (make); a later assignment without one, or `unset NAME`, takes the variable back out.
fn non_empty_assignments(text: &str) -> Vec<&str> {
    let mut res: Vec<&str> = Vec::new();
    for line in text.lines() {
        let mut line = line.trim_start();
        if let Some(names) = line.strip_prefix("unset ") {
            res.retain(|name| !names.split_whitespace().any(|unset| unset == *name));
            continue;
        }
        for keyword in ["export ", "local ", "readonly ", "declare "] {
            line = line.strip_prefix(keyword).unwrap_or(line).trim_start();
        }
        let name_end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(line.len());
        let (name, rest) = line.split_at(name_end);
        if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let rest = rest.trim_start();
        let Some(value) = ["=", ":=", "?=", "::="]
            .iter()
            .find_map(|operator| rest.strip_prefix(operator))
            .filter(|value| !value.starts_with('='))
        else {
            continue;
        };
        res.retain(|assigned| *assigned != name);
        if has_literal(value.trim()) {
            res.push(name);
        }
    }
    res
}

/// Whether a value holds a character that no expansion can take away: a letter, digit or
/// symbol outside `$…`, `${…}`, `$(…)` and backquotes, other than quotes, `/` and spaces.
fn has_literal(value: &str) -> bool {
    let value = value.split(" #").next().unwrap_or(value);
    let mut chars = value.chars().peekable();
    let mut depth = 0usize;
    let mut backquote = false;
    while let Some(c) = chars.next() {
        match c {
            '`' => backquote = !backquote,
            _ if backquote => {}
            '$' => match chars.peek() {
                Some('{' | '(') => {
                    chars.next();
                    depth += 1;
                }
                Some(_) => {
                    while chars
                        .peek()
                        .is_some_and(|next| next.is_ascii_alphanumeric() || *next == '_')
                    {
                        chars.next();
                    }
                }
                None => {}
            },
            '{' | '(' if depth > 0 => depth += 1,
            '}' | ')' if depth > 0 => depth -= 1,
            _ if depth > 0 => {}
            '"' | '\'' | '/' | ' ' | '\t' | ';' => {}
            _ => return true,
        }
    }
    false
}

/// The make variables a word names: `$(OUT_DIR)`, `${OUT_DIR}`.
fn make_variables(word: &str) -> Vec<&str> {
    let mut res = Vec::new();
    let mut rest = word;
    while let Some(start) = rest.find("$(").or_else(|| rest.find("${")) {
        let after = &rest[start + 2..];
        let Some(end) = after.find([')', '}']) else {
            break;
        };
        res.push(&after[..end]);
        rest = &after[end..];
    }
    res
}

/// Whether a command deletes what the same file creates.
fn deletes_what_it_created(command: &Command, created: &[String]) -> bool {
    if let Some((key, false)) = catalog::lifecycle_key(command) {
        return created.contains(&key);
    }
    // Every `kubectl delete` after a local cluster acts on that cluster.
    is_kubectl_delete(command) && created.iter().any(|key| key == "local-cluster")
}

/// Whether a command is `kubectl delete` (or `oc delete`).
fn is_kubectl_delete(command: &Command) -> bool {
    command.words.first().is_some_and(|word| {
        matches!(
            redline_syntax::shell::program_name(&word.text),
            "kubectl" | "oc"
        )
    }) && command
        .words
        .iter()
        .skip(1)
        .any(|word| word.text == "delete")
}

/// Whether a command is `git SUBCOMMAND`.
fn is_git(command: &Command, subcommand: &str) -> bool {
    let program = command
        .words
        .first()
        .map(|word| redline_syntax::shell::program_name(&word.text));
    program == Some("git")
        && command
            .words
            .iter()
            .skip(1)
            .find(|word| !word.text.starts_with('-'))
            .is_some_and(|word| word.text == subcommand)
}

/// `$DIR` → `${DIR:?}` for the first unguarded variable that starts an `rm -rf` target.
fn guard_fix(command: &Command) -> Option<Fix> {
    let expansion = command
        .words
        .iter()
        .skip(1)
        .find_map(catalog::unguarded_leading_variable)?;
    if expansion.name.is_empty() {
        return None;
    }
    Some(Fix::single(
        format!(
            "Write `${{{}:?}}` so an empty variable stops the command",
            expansion.name
        ),
        Applicability::Safe,
        Edit::replace(expansion.range, format!("${{{}:?}}", expansion.name)),
    ))
}

/// The command as written, on one line and shortened to `max_chars` for messages.
pub(crate) fn command_text(text: &str, command: &Command, max_chars: usize) -> String {
    let raw = text.get(command.range.to_std()).unwrap_or("");
    let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > max_chars {
        let cut: String = one_line.chars().take(max_chars.saturating_sub(3)).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

/// The first command of a YAML (or JSON) script value that deploys or destroys, in words.
pub(crate) fn deploy_in_script(value: &Node, text: &str) -> Option<String> {
    let (script, map) = yaml_script(value, text)?;
    redline_syntax::shell::commands(&script, &map)
        .iter()
        .find_map(catalog::deploy_effect)
}

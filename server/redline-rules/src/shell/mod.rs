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

use redline_diagnostics::{Applicability, Edit, Fix};
use redline_syntax::embedded::yaml_script;
use redline_syntax::shell::Command;
use redline_syntax::value::Node;

use crate::RuleContext;

/// Reports every command of the file that `rule` matches in the catalog.
pub(crate) fn report_commands(ctx: &mut RuleContext<'_>, rule: &str) {
    let file = ctx.file();
    // After `git clone`, a script resets and cleans the clone it made, not someone's work.
    let mut cloned = false;
    // A commit earlier in the script does not make a later `reset --hard` safe.
    let mut committed = false;
    for command in file.commands() {
        cloned = cloned || is_git(command, "clone");
        let resets = is_git(command, "reset");
        for hit in catalog::matches_in(rule, command, file.format, file.command_line) {
            if hit.local_work && cloned {
                continue;
            }
            let shown = command_text(file.text, command, 80);
            let mut message = format!("`{shown}` {}", hit.message);
            if committed && resets && hit.local_work {
                message.push_str(
                    "; the `git commit` before it does not make this safe: it keeps only what it staged, so changes it left out are discarded, and when it fails (nothing to commit, a hook refuses) every change is",
                );
            }
            let mut diagnostic = ctx.diagnostic(command.range, message);
            if let Some(severity) = hit.severity {
                diagnostic.severity = severity;
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
        committed = committed || is_git(command, "commit");
    }
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

//! Rules for AI coding agents' configurations, and for the command lines that start agents.

pub mod agent_no_destructive_deny;
pub mod agent_unrestricted_shell;
pub mod claude_bypass_permissions;
pub mod codex_unsandboxed_no_approval;
pub mod kiro_trust_all;
pub mod mcp_server_trusted;

use redline_syntax::shell::program_name;

use crate::RuleContext;
use crate::shell::catalog::has_flag;
use crate::shell::command_text;

/// Reports command lines that start `program` with any of `flags`.
pub(crate) fn report_agent_flags(
    ctx: &mut RuleContext<'_>,
    programs: &[&str],
    flags: &[&str],
    consequence: &str,
) {
    let file = ctx.file();
    for command in file.commands() {
        let Some(first) = command.words.first() else {
            continue;
        };
        if !programs.contains(&program_name(&first.text)) {
            continue;
        }
        let Some(flag) = flags
            .iter()
            .find(|flag| has_flag(&command.words[1..], flag))
        else {
            continue;
        };
        let message = format!(
            "`{}` with `{flag}`: {consequence}",
            command_text(&file.text, command, 60)
        );
        let diagnostic = ctx.diagnostic(command.range, message);
        ctx.report(diagnostic);
    }
}

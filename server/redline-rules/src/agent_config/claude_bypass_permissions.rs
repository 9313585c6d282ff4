use redline_diagnostics::{Applicability, Category, Confidence, Severity};
use redline_syntax::{Format, Language};

use super::report_agent_flags;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Claude Code running with every permission check turned off:
    /// `"defaultMode": "bypassPermissions"` in a committed `.claude/settings.json` or
    /// `.claude/settings.local.json`, and `claude --dangerously-skip-permissions` or
    /// `--permission-mode bypassPermissions` in scripts and CI steps.
    ///
    /// ## Why it matters
    /// In this mode the agent runs every tool call without asking: `terraform destroy`,
    /// `kubectl delete namespace`, `aws s3 rm --recursive`, with whatever credentials the
    /// session holds.
    /// Committed in a repository, it applies to everyone who opens it.
    ///
    /// ## Example
    /// ```json
    /// {"permissions": {"defaultMode": "bypassPermissions"}}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"permissions": {"defaultMode": "acceptEdits", "allow": ["Bash(npm test:*)"]}}
    /// ```
    /// and set `"disableBypassPermissionsMode": "disable"` in managed settings.
    ///
    /// ## Fix safety
    /// The fix sets `"defaultMode": "default"`. It is unsafe: the agent then asks before each
    /// tool call that no rule allows, which changes how unattended runs behave.
    ///
    /// ## Suppression
    /// JSON has no comments: add an `[[ignore]]` entry to `redline.toml`. In scripts,
    /// `# redline:ignore RL-AGT-001 -- sandboxed container without credentials`.
    ///
    /// ## References
    /// - Claude Code documentation, "Settings: permission modes"
    ClaudeBypassPermissions {
        id: "RL-AGT-001", name: "claude-bypass-permissions",
        summary: "Claude Code is set to run every tool call without asking",
        category: Category::Approval, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::AgentConfig, Format::Shell, Format::GithubActions, Format::GitlabCi],
        fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    if file.format != Format::AgentConfig {
        report_agent_flags(
            ctx,
            &["claude"],
            &[
                "--dangerously-skip-permissions",
                "--allow-dangerously-skip-permissions",
            ],
            "the agent runs every tool call, destructive commands included, without asking anyone; use `--permission-mode acceptEdits` with an allow list",
        );
        check_permission_mode_flag(ctx);
        return;
    }
    if file.language != Language::Json {
        return;
    }
    for document in &file.documents {
        let Some(mode) = document
            .get("permissions")
            .and_then(|permissions| permissions.get("defaultMode"))
        else {
            continue;
        };
        if mode.as_str() != Some("bypassPermissions") {
            continue;
        }
        let message = "`\"defaultMode\": \"bypassPermissions\"` lets the agent run every tool call, `terraform destroy` and `rm -rf` included, without asking anyone; use `default` or `acceptEdits` with an allow list";
        let diagnostic = ctx.diagnostic_replacing(
            mode.range,
            message,
            "Set `\"defaultMode\": \"default\"`",
            Applicability::Unsafe,
            "\"default\"",
        );
        ctx.report(diagnostic);
    }
}

/// `claude --permission-mode bypassPermissions` (or `=bypassPermissions`).
fn check_permission_mode_flag(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for command in file.commands() {
        let Some(first) = command.words.first() else {
            continue;
        };
        if redline_syntax::shell::program_name(&first.text) != "claude" {
            continue;
        }
        let words = &command.words[1..];
        let bypass = words.iter().enumerate().any(|(index, word)| {
            word.text == "--permission-mode=bypassPermissions"
                || (word.text == "--permission-mode"
                    && words.get(index + 1).map(|next| next.text.as_str())
                        == Some("bypassPermissions"))
        });
        if !bypass {
            continue;
        }
        let message = "`claude --permission-mode bypassPermissions` lets the agent run every tool call, destructive commands included, without asking anyone; use `acceptEdits` with an allow list";
        let diagnostic = ctx.diagnostic(command.range, message);
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires_in_settings() {
        insta::assert_snapshot!(check_fixture(
            "agent_config/claude-bypass-permissions/fires.json"
        ));
    }

    #[test]
    fn quiet_settings() {
        insta::assert_snapshot!(check_fixture(
            "agent_config/claude-bypass-permissions/quiet.json"
        ));
    }

    #[test]
    fn fires_in_scripts() {
        check_fixture("agent_config/claude-bypass-permissions/fires-script.sh");
    }

    #[test]
    fn quiet_scripts() {
        check_fixture("agent_config/claude-bypass-permissions/quiet-script.sh");
    }
}

use redline_diagnostics::{Applicability, Category, Confidence, Severity};
use redline_syntax::value::Node;
use redline_syntax::{Format, Language};

use super::report_agent_flags;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Codex set to never ask for approval: `approval_policy = "never"` in `.codex/config.toml`
    /// (at the top level or in a `[profiles.<name>]` table), which is an error together with
    /// `sandbox_mode = "danger-full-access"`; and `codex --dangerously-bypass-approvals-and-sandbox`
    /// or `--yolo` in scripts and CI steps.
    ///
    /// ## Why it matters
    /// Without approvals and without a sandbox, the agent runs any command it decides on, with
    /// full access to the machine, the network and the credentials on it.
    ///
    /// ## Example
    /// ```toml
    /// approval_policy = "never"
    /// sandbox_mode = "danger-full-access"
    /// ```
    ///
    /// ## Use instead
    /// ```toml
    /// approval_policy = "on-request"
    /// sandbox_mode = "workspace-write"
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets `approval_policy = "on-request"`. It is unsafe: unattended runs then stop
    /// and wait for approvals.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-AGT-006 -- throwaway VM without credentials` on the line above.
    ///
    /// ## References
    /// - Codex documentation, "Configuration: approval_policy and sandbox_mode"
    CodexUnsandboxedNoApproval {
        id: "RL-AGT-006", name: "codex-unsandboxed-no-approval",
        summary: "Codex runs commands without approvals, possibly without a sandbox",
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
            &["codex"],
            &["--dangerously-bypass-approvals-and-sandbox", "--yolo"],
            "the agent runs every command with no approval and no sandbox; use `--ask-for-approval on-request --sandbox workspace-write`",
        );
        return;
    }
    if file.language != Language::Toml {
        return;
    }
    for document in &file.documents {
        let mut tables: Vec<(String, &Node)> = vec![("the default profile".to_owned(), document)];
        if let Some(profiles) = document.get("profiles") {
            for profile in profiles.entries() {
                let name = profile.key.as_str().unwrap_or("?");
                tables.push((format!("profile `{name}`"), &profile.value));
            }
        }
        for (scope, table) in tables {
            let Some(policy) = table.get("approval_policy") else {
                continue;
            };
            if policy.as_str() != Some("never") {
                continue;
            }
            let full_access =
                table.get("sandbox_mode").and_then(Node::as_str) == Some("danger-full-access");
            let (message, severity) = if full_access {
                (
                    format!(
                        "{scope} sets `approval_policy = \"never\"` with `sandbox_mode = \"danger-full-access\"`: the agent runs any command, with full access to the machine and its credentials, and never asks; use `approval_policy = \"on-request\"` and `sandbox_mode = \"workspace-write\"`"
                    ),
                    Severity::Error,
                )
            } else {
                (
                    format!(
                        "{scope} sets `approval_policy = \"never\"`: the agent never asks before running a command, even one that leaves its sandbox; use `approval_policy = \"on-request\"`"
                    ),
                    Severity::Warning,
                )
            };
            let mut diagnostic = ctx.diagnostic_replacing(
                policy.range,
                message,
                "Set `approval_policy = \"on-request\"`",
                Applicability::Unsafe,
                "\"on-request\"",
            );
            diagnostic.severity = severity;
            ctx.report(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("agent_config/codex-unsandboxed-no-approval/fires.toml");
    }

    #[test]
    fn quiet() {
        check_fixture("agent_config/codex-unsandboxed-no-approval/quiet.toml");
    }

    #[test]
    fn fires_in_scripts() {
        check_fixture("agent_config/codex-unsandboxed-no-approval/fires-script.sh");
    }
}

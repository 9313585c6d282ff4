use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::value::Node;
use redline_syntax::{Format, Language};

use super::report_agent_flags;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Kiro agent trusted to act alone: `allowedTools` containing `*`, `use_aws`,
    /// `execute_bash` (or `shell`) or a whole MCP server (`@server/*`);
    /// `toolsSettings` whose shell `allowedCommands` contains `.*` or `*`; and
    /// `kiro-cli chat --trust-all-tools` in scripts and CI steps.
    ///
    /// ## Why it matters
    /// Allowed tools run without a prompt. With `use_aws` or the shell allowed, the agent acts
    /// with the operator's cloud permissions and no per-action approval: the configuration
    /// behind a "delete and recreate the environment" outage.
    ///
    /// ## Example
    /// ```json
    /// {"name": "ops", "tools": ["*"], "allowedTools": ["use_aws", "execute_bash"]}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"name": "ops", "tools": ["*"], "allowedTools": ["fs_read"],
    ///  "toolsSettings": {"execute_bash": {"allowedCommands": ["git status", "terraform plan"], "autoAllowReadonly": true}}}
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the allow list depends on the agent's job.
    ///
    /// ## Suppression
    /// JSON has no comments: add an `[[ignore]]` entry to `redline.toml` with the reason.
    ///
    /// ## References
    /// - Kiro documentation, "Agent configuration: allowedTools and toolsSettings"
    KiroTrustAll {
        id: "RL-AGT-009", name: "kiro-trust-all",
        summary: "A Kiro agent may use the shell, AWS or every tool without asking",
        category: Category::Approval, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::AgentConfig, Format::Shell, Format::GithubActions, Format::GitlabCi],
        fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    if file.format != Format::AgentConfig {
        report_agent_flags(
            ctx,
            &["kiro-cli", "q"],
            &["--trust-all-tools"],
            "the agent uses every tool, the shell and AWS included, without asking; trust specific read-only tools with `--trust-tools`",
        );
        return;
    }
    if file.language != Language::Json {
        return;
    }
    for document in &file.documents {
        for tool in document
            .get("allowedTools")
            .map(Node::items)
            .unwrap_or_default()
        {
            let Some(name) = tool.as_str() else {
                continue;
            };
            let consequence = match name {
                "*" => "every tool, the shell and AWS included, runs without a prompt".to_owned(),
                "use_aws" => "AWS calls run without a prompt, with the session's cloud permissions"
                    .to_owned(),
                "execute_bash" | "shell" => "any shell command runs without a prompt".to_owned(),
                _ if name.starts_with('@') && name.ends_with("/*") => {
                    format!(
                        "every tool of MCP server `{}` runs without a prompt",
                        &name[1..name.len() - 2]
                    )
                }
                _ => continue,
            };
            let message = format!(
                "`allowedTools` contains `{name}`: {consequence}; allow read-only tools and keep the rest behind a prompt"
            );
            let diagnostic = ctx.diagnostic(tool.range, message);
            ctx.report(diagnostic);
        }
        let Some(settings) = document.get("toolsSettings") else {
            continue;
        };
        for shell_tool in ["execute_bash", "shell"] {
            let commands = settings
                .get(shell_tool)
                .and_then(|tool| tool.get("allowedCommands"))
                .map(Node::items)
                .unwrap_or_default();
            for command in commands {
                if !matches!(command.as_str(), Some(".*" | "*" | ".+")) {
                    continue;
                }
                let message = format!(
                    "`{shell_tool}.allowedCommands` matches every command: any shell command runs without a prompt; list the specific commands"
                );
                let diagnostic = ctx.diagnostic(command.range, message);
                ctx.report(diagnostic);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("agent_config/kiro-trust-all/fires.json"));
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("agent_config/kiro-trust-all/quiet.json"));
    }

    #[test]
    fn fires_in_scripts() {
        check_fixture("agent_config/kiro-trust-all/fires-script.sh");
    }
}

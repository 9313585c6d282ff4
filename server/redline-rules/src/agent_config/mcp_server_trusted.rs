use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::value::Node;
use redline_syntax::{Format, Language};

use super::report_agent_flags;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Agent and MCP settings that remove the human from the loop or hand an agent standing
    /// credentials:
    /// - an MCP server with `"trust": true` (Gemini CLI), which skips every confirmation for
    ///   its tools;
    /// - Gemini CLI auto-accept (`"autoAccept": true`) and `gemini --yolo`,
    ///   `--approval-mode=yolo` in scripts and CI steps;
    /// - MCP servers started with write switches (`--allow-write`,
    ///   `--allow-sensitive-data-access`);
    /// - literal cloud credentials in an MCP server's `env` (`AWS_SECRET_ACCESS_KEY`,
    ///   `AWS_ACCESS_KEY_ID`, `GITHUB_TOKEN`, …) instead of a reference such as `${VAR}`.
    ///
    /// ## Why it matters
    /// A trusted or auto-accepted tool runs whatever the agent asks, and a write-enabled cloud
    /// server can delete what it can reach; literal keys in a committed file give every
    /// reader, and every agent session, those permissions.
    ///
    /// ## Example
    /// ```json
    /// {"mcpServers": {"aws": {"command": "uvx", "args": ["awslabs.aws-api-mcp-server", "--allow-write"],
    ///   "trust": true, "env": {"AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}}}}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"mcpServers": {"aws": {"command": "uvx", "args": ["awslabs.aws-api-mcp-server"],
    ///   "env": {"AWS_PROFILE": "readonly"}}}}
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    ///
    /// ## Suppression
    /// JSON has no comments: add an `[[ignore]]` entry to `redline.toml` with the reason.
    ///
    /// ## References
    /// - Gemini CLI documentation, "Configuration: mcpServers trust"
    /// - AWS Labs MCP servers, `--allow-write`
    McpServerTrusted {
        id: "RL-AGT-007", name: "mcp-server-trusted",
        summary: "An agent's tools run without confirmation, with write access or literal credentials",
        category: Category::Approval, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::AgentConfig, Format::Shell, Format::GithubActions, Format::GitlabCi],
        fix: FixAvailability::None, status: Status::Preview,
    }
}

const SECRET_VARIABLES: &[&str] = &[
    "AWS_SECRET_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SESSION_TOKEN",
    "GITHUB_TOKEN",
    "GITHUB_PERSONAL_ACCESS_TOKEN",
    "GH_TOKEN",
    "GITLAB_TOKEN",
    "AZURE_CLIENT_SECRET",
    "GOOGLE_APPLICATION_CREDENTIALS_JSON",
    "DATABASE_URL",
];

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    if file.format != Format::AgentConfig {
        report_agent_flags(
            ctx,
            &["gemini"],
            &["--yolo", "-y", "--approval-mode=yolo"],
            "the agent runs every tool call without asking; drop the switch",
        );
        return;
    }
    if file.language != Language::Json {
        return;
    }
    for document in &file.documents {
        if let Some(entry) = document
            .entry("autoAccept")
            .filter(|entry| entry.value.as_bool() == Some(true))
        {
            let diagnostic = ctx.diagnostic(
                entry.value.range,
                "`\"autoAccept\": true` runs the agent's tool calls without asking; set it to `false`",
            );
            ctx.report(diagnostic);
        }
        let Some(servers) = document.get("mcpServers") else {
            continue;
        };
        for server in servers.entries() {
            let name = server.key.as_str().unwrap_or("server");
            if let Some(trust) = server
                .value
                .entry("trust")
                .filter(|entry| entry.value.as_bool() == Some(true))
            {
                let message = format!(
                    "MCP server `{name}` is trusted: its tools run without any confirmation; remove `\"trust\": true`"
                );
                let diagnostic = ctx.diagnostic(trust.value.range, message);
                ctx.report(diagnostic);
            }
            for arg in server
                .value
                .get("args")
                .map(Node::items)
                .unwrap_or_default()
            {
                let Some(text) = arg.as_str() else {
                    continue;
                };
                if !matches!(
                    text,
                    "--allow-write" | "--allow-sensitive-data-access" | "--read-only=false"
                ) {
                    continue;
                }
                let message = format!(
                    "MCP server `{name}` is started with `{text}`: the agent gets tools that change or read sensitive data; start it read-only"
                );
                let diagnostic = ctx.diagnostic(arg.range, message);
                ctx.report(diagnostic);
            }
            for variable in server
                .value
                .get("env")
                .map(Node::entries)
                .unwrap_or_default()
            {
                let Some(key) = variable.key.as_str() else {
                    continue;
                };
                let Some(value) = variable.value.as_str() else {
                    continue;
                };
                let literal = !value.is_empty() && !value.contains("${") && !value.starts_with('$');
                if !SECRET_VARIABLES.contains(&key) || !literal {
                    continue;
                }
                let message = format!(
                    "MCP server `{name}` has a literal `{key}`: anyone who reads this file, and every agent session, holds that credential; reference it with `${{{key}}}` and scope it down"
                );
                let diagnostic = ctx.diagnostic(variable.value.range, message);
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
        insta::assert_snapshot!(check_fixture("agent_config/mcp-server-trusted/fires.json"));
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("agent_config/mcp-server-trusted/quiet.json"));
    }

    #[test]
    fn fires_in_scripts() {
        check_fixture("agent_config/mcp-server-trusted/fires-script.sh");
    }
}

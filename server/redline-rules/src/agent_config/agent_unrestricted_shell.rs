use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::shell::{self, SourceMap};
use redline_syntax::value::Node;
use redline_syntax::{Format, Language};
use redline_text::TextRange;

use crate::shell::catalog::{SHELL_RULES, deploy_effect, matches, rm_recursive};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Allow rules that let a coding agent run any shell command, or destructive ones, without
    /// asking: in Claude Code's and Cursor's `permissions.allow`, entries such as `Bash`,
    /// `Bash(*)`, `Shell(*)`, interpreters and wrappers (`Bash(sh:*)`, `Bash(python:*)`,
    /// `Bash(xargs:*)`, `Bash(eval:*)`), whole infrastructure CLIs (`Bash(terraform:*)`,
    /// `Bash(kubectl:*)`, `Bash(aws:*)`), and commands that the destructive-command catalog
    /// flags (`Bash(terraform destroy:*)`, `Bash(kubectl delete:*)`, `Bash(rm -rf:*)`);
    /// the same commands in Cursor's `terminalAllowlist` (`"*"`, `"terraform"`).
    ///
    /// ## Why it matters
    /// An allowed command runs with no confirmation, with the credentials of the session.
    /// An interpreter or a whole CLI allows everything it can do, including deleting the
    /// environment; pattern rules are easy to get around with wrappers and reordered flags.
    ///
    /// ## Example
    /// ```json
    /// {"permissions": {"allow": ["Bash(terraform:*)", "Bash(kubectl delete:*)"]}}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"permissions": {
    ///   "allow": ["Bash(terraform plan:*)", "Bash(kubectl get:*)"],
    ///   "ask": ["Bash(terraform apply:*)", "Bash(kubectl delete:*)"]
    /// }}
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: moving entries to `ask` changes how the agent works.
    ///
    /// ## Suppression
    /// JSON has no comments: add an `[[ignore]]` entry to `redline.toml` with the reason.
    ///
    /// ## References
    /// - Claude Code documentation, "Identity and Access Management: permission rules"
    /// - Cursor documentation, "Permissions"
    AgentUnrestrictedShell {
        id: "RL-AGT-002", name: "agent-unrestricted-shell",
        summary: "An agent may run any shell command, or destructive ones, without asking",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::AgentConfig], fix: FixAvailability::None, status: Status::Preview,
    }
}

const INTERPRETERS: &[&str] = &[
    "sh", "bash", "zsh", "dash", "python", "python3", "node", "ruby", "perl", "eval", "xargs",
    "env", "sudo", "exec", "npx",
];

const INFRA_CLIS: &[&str] = &[
    "terraform",
    "tofu",
    "terragrunt",
    "kubectl",
    "helm",
    "aws",
    "gcloud",
    "az",
    "pulumi",
    "cdk",
    "sam",
    "rm",
    "git",
    "docker",
    "psql",
    "mysql",
];

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    if file.language != Language::Json {
        return;
    }
    for document in &file.documents {
        let allow = document
            .get("permissions")
            .and_then(|permissions| permissions.get("allow"))
            .map(Node::items)
            .unwrap_or_default();
        for entry in allow {
            if let Some(message) = judge(entry) {
                let diagnostic = ctx.diagnostic(entry.range, message);
                ctx.report(diagnostic);
            }
        }
        // Cursor's `.cursor/permissions.json` lists plain command prefixes.
        for entry in document
            .get("terminalAllowlist")
            .map(Node::items)
            .unwrap_or_default()
        {
            let Some(command) = entry.as_str() else {
                continue;
            };
            let rule = if command.trim() == "*" {
                "Bash(*)".to_owned()
            } else {
                format!("Bash({command}:*)")
            };
            if let Some(message) = judge_rule(&rule) {
                let shown = format!("`{command}` in `terminalAllowlist`");
                let diagnostic =
                    ctx.diagnostic(entry.range, message.replace(&format!("`{rule}`"), &shown));
                ctx.report(diagnostic);
            }
        }
    }
}

/// What an allow entry lets the agent do, when that is too much.
fn judge(entry: &Node) -> Option<String> {
    let text = entry.as_str()?.trim();
    judge_rule(text)
}

/// Judges an allow rule written `Tool(pattern)`.
fn judge_rule(text: &str) -> Option<String> {
    let (tool, pattern) = match text.split_once('(') {
        Some((tool, rest)) => (tool, Some(rest.strip_suffix(')').unwrap_or(rest))),
        None => (text, None),
    };
    if !matches!(tool, "Bash" | "Shell") {
        return None;
    }
    let pattern = pattern.map(str::trim).unwrap_or("*");
    if matches!(pattern, "" | "*" | ":*" | "**") {
        return Some(format!(
            "`{text}` lets the agent run any shell command with no confirmation, `terraform destroy` and `rm -rf` included; allow specific read-only commands and put the rest under `ask`"
        ));
    }
    // `terraform destroy:*` → the command prefix `terraform destroy`.
    let prefix = pattern
        .strip_suffix(":*")
        .or_else(|| pattern.strip_suffix(" *"))
        .or_else(|| pattern.strip_suffix('*'))
        .unwrap_or(pattern)
        .trim();
    let wildcard = prefix.len() != pattern.len();
    let map = SourceMap::whole(TextRange::default());
    let commands = shell::commands(prefix, &map);
    let command = commands.first()?;
    let program = shell::program_name(&command.words.first()?.text);
    if wildcard && command.words.len() == 1 && INTERPRETERS.contains(&program) {
        return Some(format!(
            "`{text}` allows `{program}` with any arguments, which runs any command with no confirmation; allow the specific commands instead"
        ));
    }
    if wildcard && command.words.len() == 1 && INFRA_CLIS.contains(&program) {
        return Some(format!(
            "`{text}` allows every `{program}` subcommand, destructive ones included, with no confirmation; allow read-only subcommands and put the rest under `ask`"
        ));
    }
    let recursive_delete = program == "rm" && rm_recursive(&command.words[1..]);
    if wildcard && recursive_delete {
        return Some(format!(
            "`{text}` lets the agent delete any path recursively with no confirmation, the home folder and `/` included; allow specific paths only"
        ));
    }
    let destructive = SHELL_RULES
        .iter()
        .find_map(|rule| matches(rule, command, Format::Shell).into_iter().next());
    if let Some(hit) = destructive {
        return Some(format!(
            "`{text}` lets the agent run `{prefix}` with no confirmation: it {}",
            hit.message
        ));
    }
    deploy_effect(command).map(|effect| {
        format!(
            "`{text}` lets the agent run `{effect}` with no confirmation, changing live infrastructure on its own; put it under `ask`"
        )
    })
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture(
            "agent_config/agent-unrestricted-shell/fires.json"
        ));
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture(
            "agent_config/agent-unrestricted-shell/quiet.json"
        ));
    }

    #[test]
    fn cursor_terminal_allowlist() {
        insta::assert_snapshot!(check_fixture(
            "agent_config/agent-unrestricted-shell/fires-cursor.json"
        ));
        insta::assert_snapshot!(check_fixture(
            "agent_config/agent-unrestricted-shell/quiet-cursor.json"
        ));
    }
}

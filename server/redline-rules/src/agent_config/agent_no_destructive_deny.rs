use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::value::Node;
use redline_syntax::{Format, Language};

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Claude Code settings whose `permissions.allow` contains a broad shell rule (`Bash`,
    /// `Bash(*)`, an interpreter or a whole infrastructure CLI such as `Bash(terraform:*)`)
    /// while neither `deny` nor `ask` names the destructive commands it covers:
    /// `terraform destroy`, `kubectl delete`, `rm -rf`.
    ///
    /// ## Why it matters
    /// Deny and ask rules take precedence over allow rules.
    /// With a broad allow and no deny or ask entries, nothing stands between the agent and
    /// `terraform destroy` except its own judgement.
    ///
    /// ## Example
    /// ```json
    /// {"permissions": {"allow": ["Bash(terraform:*)"]}}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"permissions": {
    ///   "allow": ["Bash(terraform plan:*)"],
    ///   "ask": ["Bash(terraform apply:*)"],
    ///   "deny": ["Bash(terraform destroy:*)", "Bash(kubectl delete:*)", "Bash(rm -rf:*)"]
    /// }}
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    ///
    /// ## Suppression
    /// JSON has no comments: add an `[[ignore]]` entry to `redline.toml` with the reason.
    ///
    /// ## References
    /// - Claude Code documentation, "Permission rules: deny and ask take precedence"
    AgentNoDestructiveDeny {
        id: "RL-AGT-004", name: "agent-no-destructive-deny",
        summary: "Broad agent shell permissions with no deny or ask rule for destructive commands",
        category: Category::Approval, severity: Severity::Warning, confidence: Confidence::Medium,
        formats: &[Format::AgentConfig], fix: FixAvailability::None, status: Status::Preview,
    }
}

/// Destructive commands that a deny or ask list should name, as rule prefixes.
const DESTRUCTIVE: &[&str] = &["terraform destroy", "kubectl delete", "rm -rf"];

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    if file.language != Language::Json {
        return;
    }
    for document in &file.documents {
        let Some(permissions) = document.get("permissions") else {
            continue;
        };
        let Some(allow) = permissions.entry("allow") else {
            continue;
        };
        let broad = allow
            .value
            .items()
            .iter()
            .filter_map(Node::as_str)
            .any(is_broad);
        if !broad {
            continue;
        }
        let guarded: Vec<&str> = ["deny", "ask"]
            .iter()
            .filter_map(|key| permissions.get(key))
            .flat_map(Node::items)
            .filter_map(Node::as_str)
            .collect();
        let missing: Vec<&str> = DESTRUCTIVE
            .iter()
            .copied()
            .filter(|command| !guarded.iter().any(|rule| covers(rule, command)))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let names: Vec<String> = missing
            .iter()
            .map(|command| format!("`{command}`"))
            .collect();
        let message = format!(
            "`allow` has broad shell rules, and no `deny` or `ask` rule names {}: the agent may \
             run them unattended; add `Bash({}:*)`-style entries to `deny`",
            names.join(", "),
            missing[0]
        );
        let diagnostic = ctx.diagnostic(allow.key.range, message);
        ctx.report(diagnostic);
    }
}

fn is_broad(rule: &str) -> bool {
    let rule = rule.trim();
    if matches!(rule, "Bash" | "Bash(*)" | "Bash(:*)" | "Bash(**)") {
        return true;
    }
    let Some(pattern) = rule
        .strip_prefix("Bash(")
        .and_then(|rest| rest.strip_suffix(")"))
    else {
        return false;
    };
    let Some(program) = pattern.strip_suffix(":*") else {
        return false;
    };
    matches!(
        program.trim(),
        "sh" | "bash"
            | "zsh"
            | "python"
            | "python3"
            | "node"
            | "eval"
            | "xargs"
            | "sudo"
            | "terraform"
            | "tofu"
            | "kubectl"
            | "helm"
            | "aws"
            | "gcloud"
            | "az"
            | "pulumi"
            | "rm"
    )
}

/// Whether a deny or ask rule covers a destructive command prefix.
fn covers(rule: &str, command: &str) -> bool {
    let rule = rule.trim();
    if matches!(rule, "Bash" | "Bash(*)" | "Bash(:*)") {
        return true;
    }
    let Some(pattern) = rule
        .strip_prefix("Bash(")
        .and_then(|rest| rest.strip_suffix(")"))
    else {
        return false;
    };
    let prefix = pattern.trim_end_matches('*').trim_end_matches(':').trim();
    command.starts_with(prefix) || prefix.starts_with(command)
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture(
            "agent_config/agent-no-destructive-deny/fires.json"
        ));
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture(
            "agent_config/agent-no-destructive-deny/quiet.json"
        ));
    }
}

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
    /// `Bash(kubectl:*)`, `Bash(aws:*)`, `Bash(gh:*)`), commands whose open arguments run any
    /// command or delete files (`Bash(find:*)`, which takes `-delete` and `-exec`;
    /// `Bash(uv run:*)`, `Bash(npx:*)`, `Bash(timeout:*)`, `Bash(docker run:*)`,
    /// `Bash(kubectl exec:*)`; `Bash(make:*)`, which takes `--eval`; `Bash(gh api:*)`, which
    /// sends any API request), and commands that the destructive-command catalog
    /// flags (`Bash(terraform destroy:*)`, `Bash(kubectl delete:*)`, `Bash(rm -rf:*)`);
    /// the same commands in Cursor's `terminalAllowlist` (`"*"`, `"terraform"`).
    ///
    /// A rule that narrows such a command to what it runs stays quiet (`Bash(uv run pytest:*)`,
    /// `Bash(make test:*)`), except for `find`, to which `-delete` can be appended after any
    /// prefix.
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
    "sh", "bash", "zsh", "dash", "python", "python3", "node", "ruby", "perl", "eval",
];

/// Commands whose further arguments run any command, delete files or change anything the
/// credentials reach, and what those arguments do, completing "which …".
const OPEN_COMMANDS: &[OpenCommand] = &[
    OpenCommand::any(
        &["find"],
        "deletes files (`-delete`) and runs any command (`-exec`)",
    ),
    OpenCommand::any(&["fd"], "runs any command on what it finds (`--exec`)"),
    OpenCommand::options(&["xargs"], RUNS_ANY),
    OpenCommand::options(&["env"], RUNS_ANY),
    OpenCommand::options(&["sudo"], RUNS_ANY),
    OpenCommand::options(&["doas"], RUNS_ANY),
    OpenCommand::options(&["exec"], RUNS_ANY),
    OpenCommand::options(&["nohup"], RUNS_ANY),
    OpenCommand::options(&["timeout"], RUNS_ANY),
    OpenCommand::options(&["nice"], RUNS_ANY),
    OpenCommand::options(&["time"], RUNS_ANY),
    OpenCommand::options(&["watch"], RUNS_ANY),
    OpenCommand::options(&["npx"], RUNS_ANY),
    OpenCommand::options(&["bunx"], RUNS_ANY),
    OpenCommand::options(&["uvx"], RUNS_ANY),
    OpenCommand::options(&["uv", "run"], RUNS_ANY),
    OpenCommand::options(&["uv", "tool", "run"], RUNS_ANY),
    OpenCommand::options(&["poetry", "run"], RUNS_ANY),
    OpenCommand::options(&["pipx", "run"], RUNS_ANY),
    OpenCommand::options(&["pdm", "run"], RUNS_ANY),
    OpenCommand::options(&["hatch", "run"], RUNS_ANY),
    OpenCommand::options(&["npm", "exec"], RUNS_ANY),
    OpenCommand::options(&["pnpm", "exec"], RUNS_ANY),
    OpenCommand::options(&["pnpm", "dlx"], RUNS_ANY),
    OpenCommand::options(&["yarn", "dlx"], RUNS_ANY),
    OpenCommand::options(&["yarn", "exec"], RUNS_ANY),
    OpenCommand::options(&["bun", "x"], RUNS_ANY),
    OpenCommand::options(
        &["make"],
        "runs any target, and any command through `--eval` or `-f`",
    ),
    OpenCommand::options(
        &["just"],
        "runs any recipe, and any command through `--command`",
    ),
    OpenCommand::options(
        &["gh", "api"],
        "sends any GitHub API request with the session's token, including ones that delete repositories",
    ),
    OpenCommand::options(&["docker", "run"], RUNS_ANY_CONTAINER),
    OpenCommand::options(&["docker", "exec"], RUNS_ANY_CONTAINER),
    OpenCommand::options(
        &["kubectl", "exec"],
        "runs any command in any pod the cluster credentials reach",
    ),
    OpenCommand::options(
        &["kubectl", "run"],
        "runs any image in the cluster the credentials reach",
    ),
];

const RUNS_ANY: &str = "runs any command";
const RUNS_ANY_CONTAINER: &str =
    "runs any command in a container, with any folder of the machine mounted";

/// A command prefix whose further arguments can do anything.
struct OpenCommand {
    words: &'static [&'static str],
    effect: &'static str,
    /// Whether words other than options still leave it open: `find . -name x` still takes
    /// `-delete`, while `uv run pytest` runs one program.
    after_any_word: bool,
}

impl OpenCommand {
    const fn any(words: &'static [&'static str], effect: &'static str) -> Self {
        Self {
            words,
            effect,
            after_any_word: true,
        }
    }

    const fn options(words: &'static [&'static str], effect: &'static str) -> Self {
        Self {
            words,
            effect,
            after_any_word: false,
        }
    }

    /// Whether an allow rule for the command prefix `allowed` (followed by anything) leaves
    /// this command's open arguments open.
    fn opened_by(&self, allowed: &[&str]) -> bool {
        if allowed.is_empty() {
            return false;
        }
        if allowed.len() <= self.words.len() {
            return allowed == &self.words[..allowed.len()];
        }
        let (head, rest) = allowed.split_at(self.words.len());
        head == self.words && (self.after_any_word || rest.iter().all(|word| is_option_like(word)))
    }
}

/// `NAME=value` in front of a command.
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

/// An option, an environment assignment (`env FOO=1`) or a number (`timeout 60`, `nice -n 5`):
/// words after which a wrapper still takes any command.
fn is_option_like(word: &str) -> bool {
    word.starts_with('-') || word.contains('=') || word.starts_with(|c: char| c.is_ascii_digit())
}

const INFRA_CLIS: &[&str] = &[
    "terraform",
    "tofu",
    "terragrunt",
    "kubectl",
    "helm",
    "aws",
    "gh",
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
    // Wrappers such as `timeout` and `env` are read word by word: the shell model unwraps
    // them, and here the open command after them is the point.
    if wildcard {
        let mut allowed: Vec<&str> = prefix
            .split_whitespace()
            .skip_while(|word| is_assignment(word))
            .collect();
        if let Some(first) = allowed.first_mut() {
            *first = shell::program_name(first);
        }
        // A whole interpreter or infrastructure CLI has its own message below.
        let whole = matches!(allowed.as_slice(), [program] if INTERPRETERS.contains(program) || INFRA_CLIS.contains(program));
        if let Some(open) = OPEN_COMMANDS
            .iter()
            .find(|open| !whole && open.opened_by(&allowed))
        {
            let shown = open.words.join(" ");
            return Some(format!(
                "`{text}` allows `{shown}` with any arguments and no confirmation: with them it {}; allow the specific commands instead, or put it under `ask`",
                open.effect
            ));
        }
    }
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

//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::shard::Shard;

/// Catch the edit that would take production down before it is applied.
///
/// redline flags destructive operations, over-broad permissions and missing approval steps
/// in Terraform, CloudFormation, Kubernetes, CI pipelines, shell scripts, IAM policies and
/// AI-agent configurations.
#[derive(Parser, Debug)]
#[command(name = "redline", version, about, long_about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Analyse files and folders, report findings, optionally apply fixes.
    ///
    /// Exit status: 0 when no finding reaches the --fail-on level, 1 when one does,
    /// 2 on a usage, configuration or I/O error (files that cannot be read are reported and
    /// the others are still analysed).
    Check(CheckArgs),
    /// Summarise what a Terraform plan destroys, then report the findings on it.
    ///
    /// Takes the JSON of `terraform show -json PLANFILE` (Terraform 0.12 or later, or
    /// OpenTofu). Prints the counts of deletions and replacements, each destructive change
    /// with its reason, then the findings. The plan is read whatever its size.
    /// Exit status: 0 when no finding reaches the --fail-on level, 1 when one does, 2 when
    /// the file cannot be read or is not a plan.
    Plan(PlanArgs),
    /// Report what a change introduces: the working tree against a git revision, or one file
    /// or folder against another.
    ///
    /// Git mode (`redline diff`, `redline diff --base REV [PATHS…]`, `--merge-base REF`): the
    /// working tree, staged or not, with new, deleted and renamed files, against REV [default:
    /// HEAD]; PATHS restrict the files compared. OLD NEW mode (`redline diff OLD NEW`): exactly
    /// two paths that both exist, both files or both folders, and neither --base nor
    /// --merge-base; folders are compared file by file by relative path.
    /// Only findings the change introduced are reported (--all reports every finding of the
    /// changed files). Exit status as for `check`.
    Diff(DiffArgs),
    /// Judge a coding agent's tool call (a shell command, a file write or edit) before it runs.
    ///
    /// Speaks the hook protocol of the agent named: reads the call on standard input (at most
    /// 64 MiB) and answers `deny` when it introduces an error, `ask` when it introduces a warning
    /// (`deny` for agents without `ask`), with the findings as the reason. A shell command's
    /// effect on the files redline judges (`rm`, `mv`, `cp`, `sed -i`, redirections, `tee`, ...)
    /// is simulated in memory and judged as the same edit would be; an effect only known when
    /// the command runs is answered with `ask`. Tools redline does
    /// not judge are allowed. Input that cannot be read is refused the way the agent blocks a
    /// call: exit status 2 for agents that block on it, a `deny` answer for agents that let a
    /// failed hook through.
    Hook(HookArgs),
    /// Judge the proposed content of a file, read from standard input, against the file.
    ///
    /// Standard input holds at most 64 MiB; more is refused with exit status 2.
    /// Exit status: 1 when the edit should be blocked (a finding it introduces reaches
    /// --fail-on, an error by default), 0 otherwise, 2 on a usage or I/O error.
    Gate(GateArgs),
    /// List every rule.
    Rules(RulesArgs),
    /// Print a rule's documentation.
    Explain(ExplainArgs),
    /// Run the language server over standard input and output.
    ///
    /// Editors start this; see `editors/` for the VS Code and Neovim clients.
    Lsp(LspArgs),
    /// Run a Model Context Protocol server over standard input and output.
    ///
    /// Coding agents start this as an MCP server (`{"command": "redline", "args": ["mcp"]}`) and
    /// call its tools before they act: `check_edit` (a file's new content, or an old/new
    /// replacement, judged as `redline gate` and `redline hook` judge a write or an edit),
    /// `check_command` (a shell command, judged as `redline hook claude` judges a Bash call,
    /// with its effect on the files redline judges simulated), `check_plan` (as `redline
    /// plan`), `check_files` (as `redline check`) and `explain_rule` (as `redline explain`).
    /// Each answers with the JSON report of `--format json`; `check_edit` and `check_command`
    /// add the decision (`allow`, `ask` or `deny`) and its reason. Every path a call names must
    /// lead inside the root: one outside it is a tool error. A file's content or a command holds
    /// at most 64 MiB. Exit status: 0 when the client closes the session, 2 when the root cannot
    /// be used.
    Mcp(McpArgs),
    /// Combine JSON or SARIF reports, such as those of CI shards, into one.
    ///
    /// All inputs must have the same format, which is also the output's. Findings are
    /// deduplicated and sorted. Exit status as for `check`, from the merged findings.
    MergeReports(MergeReportsArgs),
    /// Write a commented `redline.toml`, and on request coding-agent and pre-commit hooks.
    ///
    /// Refuses to overwrite an existing `redline.toml` or `.pre-commit-config.yaml` without
    /// --force (exit status 2); with --agent, an existing `redline.toml` is kept. An agent's
    /// hook is merged into its configuration, keeping everything else there, and is added only
    /// once; a configuration that is not valid JSON is refused (exit status 2).
    Init(InitArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the manual page (roff), generated from this command line.
    Man,
}

#[derive(Args, Debug)]
pub struct MergeReportsArgs {
    /// Reports written by `redline check --format json` or `--format sarif`.
    #[arg(required = true)]
    pub reports: Vec<PathBuf>,

    /// Write the merged report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with status 1 when a merged finding at or above this severity remains.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// The folder to write into [default: .]
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,

    /// Add the hook of this coding agent to its project configuration (repeatable).
    #[arg(long, value_enum, value_name = "AGENT")]
    pub agent: Vec<Agent>,

    /// The same as `--agent claude`.
    #[arg(long)]
    pub claude: bool,

    /// Also write `.pre-commit-config.yaml` running redline on staged files.
    #[arg(long)]
    pub pre_commit: bool,

    /// Overwrite files that already exist.
    #[arg(long)]
    pub force: bool,
}

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Args, Debug)]
pub struct LspArgs {
    /// Talk over standard input and output (the only transport; accepted because language
    /// clients pass it).
    #[arg(long)]
    pub stdio: bool,
}

#[derive(Args, Debug)]
pub struct McpArgs {
    /// The folder the tools read files in; paths are relative to it, and a path outside it is
    /// refused [default: the current folder].
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to analyse [default: .]
    pub paths: Vec<PathBuf>,

    #[command(flatten)]
    pub report: ReportArgs,

    /// Use this configuration file for every analysed file instead of discovering
    /// `redline.toml` upwards from each file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Apply safe fixes to the files, then report what remains.
    #[arg(long)]
    pub fix: bool,

    /// With --fix or --diff, also apply unsafe fixes (they change behaviour: review them).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them; exit 1 if there is one.
    #[arg(long)]
    pub diff: bool,

    /// Record the current findings in FILE, so that later runs with --baseline report only
    /// new ones.
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,

    /// Report only findings that are not recorded in FILE.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Analyse only shard I of N (1-based), for spreading one repository over N CI jobs.
    ///
    /// A file belongs to shard `1 + (FNV-1a 64 of its path relative to the current folder,
    /// with `/` separators) mod N`, so every job that sees the same files agrees on the split
    /// whatever the order of the walk. Combine the shards' reports with `redline
    /// merge-reports`.
    #[arg(long, value_name = "I/N", value_parser = Shard::parse)]
    pub shard: Option<Shard>,

    /// Never show a progress bar (it is shown only when standard error is a terminal and the
    /// format is text).
    #[arg(long)]
    pub no_progress: bool,
}

/// The report flags that `check` and `diff` share, flattened into each.
///
/// `--color` stays with each command: in `check` it follows other flags, and moving it here
/// would reorder `check --help`, the completions and the manual page.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Report only findings at or above this severity.
    #[arg(long, value_enum, default_value_t = SeverityArg::Info)]
    pub severity: SeverityArg,

    /// Exit with status 1 when a finding at or above this severity remains.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
}

/// Arguments of `redline diff`.
#[derive(Args, Debug)]
pub struct DiffArgs {
    /// Git mode: files or folders to restrict the comparison to [default: the whole
    /// repository]. OLD NEW mode: the old and the new file, or the old and the new folder.
    pub paths: Vec<PathBuf>,

    /// Compare the working tree with this git revision (branch, tag or commit) [default: HEAD].
    #[arg(long, value_name = "REV", conflicts_with = "merge_base")]
    pub base: Option<String>,

    /// Compare the working tree with `git merge-base REF HEAD`: what a pull request onto REF
    /// changes.
    #[arg(long, value_name = "REF")]
    pub merge_base: Option<String>,

    /// Report every finding of the changed files, not only those the change introduced.
    #[arg(long)]
    pub all: bool,

    /// Apply safe fixes to the new files (the working tree in git mode, NEW in OLD NEW mode),
    /// then report what remains. Fixes that need the base, such as a `removed` block for a
    /// deleted resource, are applied too.
    #[arg(long)]
    pub fix: bool,

    /// With --fix or --diff, also apply unsafe fixes (they change behaviour: review them).
    #[arg(long)]
    pub unsafe_fixes: bool,

    /// Print the fixes as a unified diff instead of writing them; exit 1 if there is one.
    #[arg(long)]
    pub diff: bool,

    #[command(flatten)]
    pub report: ReportArgs,

    /// Use this configuration file for every analysed file instead of discovering
    /// `redline.toml` upwards from each file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Arguments of `redline gate`.
#[derive(Args, Debug)]
pub struct GateArgs {
    /// The file the proposed contents are for. Its current contents are the base; a file that
    /// does not exist yet is new.
    #[arg(long, value_name = "FILE")]
    pub path: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,

    /// Exit with status 1 (block the edit) when a finding the edit introduces reaches this
    /// severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Use this configuration file instead of discovering `redline.toml` upwards from FILE.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

/// Arguments of `redline hook`.
#[derive(Args, Debug)]
pub struct HookArgs {
    /// The agent whose hook protocol to speak.
    #[arg(value_enum)]
    pub agent: Agent,
}

/// Coding agents with a documented hook that runs before a shell command or a file edit.
///
/// `redline hook AGENT` reads the agent's hook input on standard input (at most 64 MiB) and
/// answers in its format; `redline init --agent AGENT` writes the hook into the agent's
/// project configuration. docs/agents.md describes each protocol and the source it follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Agent {
    /// Claude Code `PreToolUse`: Bash, Write, Edit, MultiEdit (.claude/settings.json).
    Claude,
    /// OpenAI Codex CLI `PreToolUse`: Bash, apply_patch (.codex/hooks.json).
    Codex,
    /// Gemini CLI `BeforeTool`: run_shell_command, write_file, replace (.gemini/settings.json).
    Gemini,
    /// Cursor `beforeShellExecution`: shell commands (.cursor/hooks.json).
    Cursor,
    /// GitHub Copilot CLI and coding agent `preToolUse`: bash, create, edit
    /// (.github/hooks/redline.json).
    Copilot,
    /// Windsurf Cascade `pre_run_command`, `pre_write_code` (.windsurf/hooks.json).
    Windsurf,
    /// Factory Droid `PreToolUse`: Execute, Create, Edit (.factory/hooks.json).
    Droid,
    /// Augment (Auggie CLI) `PreToolUse`: launch-process (.augment/settings.json).
    Augment,
    /// Kiro CLI `preToolUse`: execute_bash, fs_write (.kiro/agents/redline.json).
    Kiro,
    /// Cline `PreToolUse`: execute_command, write_to_file, replace_in_file
    /// (.clinerules/hooks/PreToolUse).
    Cline,
}

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// The plan as JSON: `terraform show -json PLANFILE > plan.json`.
    pub plan: PathBuf,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,

    /// Write the report to FILE instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Exit with status 1 when a finding at or above this severity remains.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,

    /// Use this configuration file instead of discovering `redline.toml` upwards from the
    /// plan.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// The folder of the Terraform root module the plan was made from, to show where each
    /// destroyed resource is declared [default: the plan's folder when it holds `.tf` files].
    #[arg(long, value_name = "DIR")]
    pub terraform_dir: Option<PathBuf>,

    /// Colour in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// The destroy/replace summary, then the findings.
    Text,
    /// The summary and the findings as JSON (schema version 1).
    Json,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Text)]
    pub format: ListFormat,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// A rule id (`RL-TF-010`) or name (`force-destroy-enabled`).
    pub rule: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// `path:line:col: severity[rule] message`, the source line and a caret span.
    Text,
    /// The versioned JSON report.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality report (JSON), for `artifacts:reports:codequality`.
    Gitlab,
    /// JUnit XML: one test suite per file, one failing test case per finding.
    Junit,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table.
    Text,
    /// A JSON array.
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum SeverityArg {
    Info,
    Warning,
    Error,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Info,
    Warning,
    Error,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is unset.
    Auto,
    Always,
    Never,
}

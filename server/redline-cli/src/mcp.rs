//! `redline mcp`: a Model Context Protocol server over standard input and output, built on the
//! official Rust SDK (`rmcp`).
//!
//! Its tools are the judging of the other commands, asked for by an agent before it acts:
//! `check_edit` judges a write or an edit as `gate` and `hook` do, `check_command` a shell
//! command as `hook claude` judges a Bash call (with the simulation of its effect on the files
//! redline judges), `check_plan` a plan as `plan` does, `check_files` files as `check` does, and
//! `explain_rule` prints a rule's page as `explain` does. Every report is the JSON report of
//! `--format json`, as text and as structured content; the judgements of an edit or a command
//! add their `decision` and its `reason` before the findings.
//!
//! Every path a call names is resolved against the server's root (the current folder, or
//! `--root`), and one that leads outside it, by `..` or through a symbolic link, is a tool error
//! before anything is read; what judging then reads around those paths (the other files of a
//! module, the modules it calls) stays within the bounds the hook keeps. What a call cannot have
//! judged (a path outside the root,
//! a file that cannot be read, an edit that does not apply, arguments that do not match the
//! tool's schema) is a tool error with its reason, and the session goes on.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, ContentBlock, Implementation, ServerCapabilities, ServerConfig};
use rmcp::schemars::JsonSchema;
use rmcp::transport::async_rw::AsyncRwTransport;
use rmcp::{RoleServer, ServerHandler, ServiceExt as _, tool, tool_handler, tool_router};
use serde::{Deserialize, Serialize};

use crate::Exit;
use crate::args::{McpArgs, PlanFormat};
use crate::check;
use crate::emit;
use crate::escape;
use crate::gate::{self, MAX_STDIN_BYTES};
use crate::hook::{self, Action, Call, Judgement, Replacement};
use crate::plan_cmd::{self, PlanInput};
use crate::render::json::JsonRenderer;
use crate::report::Report;
use crate::rules_cmd;

/// The longest message the server reads: a file's content of `MAX_STDIN_BYTES` fits, with
/// room for the JSON escapes of its text.
const MAX_MESSAGE_BYTES: usize = 2 * MAX_STDIN_BYTES as usize;

/// What the server tells a client about using it.
const INSTRUCTIONS: &str = "redline judges changes to infrastructure, CI pipelines, IAM \
policies, shell commands and agent configurations before they are made. Call check_edit before \
writing or editing a file and check_command before running a shell command, then follow the \
decision: deny means do not make the change, ask means ask the person first, allow means go \
ahead. check_plan judges a Terraform plan, check_files reports the findings of files as they \
are, and explain_rule explains a rule a finding names.";

/// `redline mcp`: serves until the client closes standard input.
pub fn run(args: &McpArgs) -> anyhow::Result<Exit> {
    let root = match &args.root {
        Some(root) => root.clone(),
        None => std::env::current_dir().context("cannot determine the current folder")?,
    };
    let root = root
        .canonicalize()
        .with_context(|| format!("cannot use {} as the root", root.display()))?;
    if !root.is_dir() {
        anyhow::bail!("cannot use {} as the root: not a folder", root.display());
    }
    // What judging reads around the paths a call names (the other files of a module, the
    // modules it calls) stays inside the root too, even inside a larger git work tree.
    redline_workspace::limit_reads_to(&root);
    // Paths are relative to the root, whatever folder the client started the server in.
    std::env::set_current_dir(&root)
        .with_context(|| format!("cannot use {} as the root", root.display()))?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the MCP server's runtime")?;
    runtime.block_on(serve(root))?;
    Ok(Exit::Clean)
}

async fn serve(root: PathBuf) -> anyhow::Result<()> {
    // When both are pipes, as when a client starts the server, they are read and written on the
    // runtime's own thread rather than through a blocking thread per read and per write.
    let (input, output) = rmcp::transport::stdio_pipes();
    let transport = AsyncRwTransport::<RoleServer, _, _>::new_server(input, output)
        .with_max_line_length(MAX_MESSAGE_BYTES);
    let service = RedlineMcp::new(root)
        .serve(transport)
        .await
        .context("the MCP session did not start")?;
    service
        .waiting()
        .await
        .context("the MCP server stopped unexpectedly")?;
    Ok(())
}

/// The server: its root, and its tools.
#[derive(Clone)]
struct RedlineMcp {
    /// The canonical folder files are read in.
    root: Arc<PathBuf>,
    tool_router: ToolRouter<Self>,
}

/// The arguments of `check_edit`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
struct CheckEditArgs {
    /// The file the edit is for, relative to the server's root or absolute inside it. Its
    /// current content on disk is what the edit is judged against; a file that does not exist
    /// yet is new.
    #[serde(alias = "file_path")]
    path: String,
    /// The file's whole new content, as a write gives it. Give either `content`, or
    /// `old_string` and `new_string`.
    // Absent rather than `null`: a nullable type is less portable across clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    content: Option<String>,
    /// The text the edit replaces, which must occur in the file (empty to create the file).
    // Absent rather than `null`: a nullable type is less portable across clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    old_string: Option<String>,
    /// The text put in its place.
    // Absent rather than `null`: a nullable type is less portable across clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    new_string: Option<String>,
    /// Replace every occurrence of `old_string` rather than only the first.
    #[serde(default)]
    replace_all: bool,
}

/// The arguments of `check_command`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
struct CheckCommandArgs {
    /// The shell command, as it would be run.
    command: String,
    /// The folder the command runs in, relative to the server's root or absolute inside it;
    /// the root when absent.
    // Absent rather than `null`: a nullable type is less portable across clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    cwd: Option<String>,
}

/// The arguments of `check_plan`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
struct CheckPlanArgs {
    /// The plan as JSON (`terraform show -json PLANFILE > plan.json`), relative to the server's
    /// root or absolute inside it.
    path: String,
    /// The folder of the Terraform root module the plan was made from, to say where each
    /// destroyed resource is declared; the plan's folder when absent.
    // Absent rather than `null`: a nullable type is less portable across clients.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    terraform_dir: Option<String>,
}

/// The arguments of `check_files`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
struct CheckFilesArgs {
    /// Files or folders to check, relative to the server's root or absolute inside it; the
    /// whole root when absent or empty.
    #[serde(default)]
    paths: Vec<String>,
}

/// The arguments of `explain_rule`.
#[derive(Debug, Deserialize, JsonSchema)]
#[schemars(crate = "rmcp::schemars")]
#[serde(deny_unknown_fields)]
struct ExplainRuleArgs {
    /// A rule id (`RL-TF-010`) or name (`force-destroy-enabled`).
    rule: String,
}

/// What the report of an edit or a command adds between `tool` and `findings`.
#[derive(Serialize)]
struct JsonDecision<'a> {
    decision: &'static str,
    reason: &'a str,
}

/// A tool's answer when it cannot judge: the reason, for the agent to read.
type ToolError = String;

#[tool_router]
impl RedlineMcp {
    fn new(root: PathBuf) -> Self {
        Self {
            root: Arc::new(root),
            tool_router: Self::tool_router(),
        }
    }

    #[tool(
        description = "Judge a file write or edit before making it, as redline's agent hooks \
        do: the new content (or the file with old_string replaced by new_string) is compared \
        with the file on disk, and the findings the change introduces decide: deny (an error), \
        ask (a warning) or allow. Answers with redline's JSON report plus `decision` and \
        `reason`.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn check_edit(&self, Parameters(args): Parameters<CheckEditArgs>) -> CallToolResult {
        self.blocking(move |root| check_edit(&root, &args)).await
    }

    #[tool(
        description = "Judge a shell command before running it, as redline's agent hooks do: \
        destructive commands (terraform destroy, kubectl delete, rm -rf of data, dropping \
        databases, ...) are found, and what the command does to the files redline judges (rm, \
        mv, redirections, sed -i, ...) is simulated and judged as the same edit. Answers with \
        redline's JSON report plus `decision` (deny, ask or allow) and `reason`.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn check_command(
        &self,
        Parameters(args): Parameters<CheckCommandArgs>,
    ) -> CallToolResult {
        self.blocking(move |root| check_command(&root, &args)).await
    }

    #[tool(
        description = "Report what a Terraform plan destroys or replaces, and the findings on \
        it, as `redline plan --format json`. Takes the JSON of `terraform show -json PLANFILE`.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn check_plan(&self, Parameters(args): Parameters<CheckPlanArgs>) -> CallToolResult {
        self.blocking(move |root| check_plan(&root, &args)).await
    }

    #[tool(
        description = "Report the findings of files and folders as they are now, as `redline \
        check --format json`: destructive settings, over-broad permissions and missing \
        approvals in Terraform, CloudFormation, Kubernetes, CI pipelines, shell scripts, IAM \
        policies and agent configurations.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn check_files(&self, Parameters(args): Parameters<CheckFilesArgs>) -> CallToolResult {
        self.blocking(move |root| check_files(&root, &args)).await
    }

    #[tool(
        description = "The documentation of a redline rule, named by id (RL-TF-010) or name \
        (force-destroy-enabled): what it flags, why it matters, what to write instead and how \
        to suppress it.",
        annotations(read_only_hint = true, open_world_hint = false)
    )]
    async fn explain_rule(&self, Parameters(args): Parameters<ExplainRuleArgs>) -> CallToolResult {
        match rules_cmd::explain_json(&args.rule) {
            Some(rule) => {
                // Escaped as `redline explain` prints it (a no-op for the pages redline ships).
                let page = escape::lines(
                    rule.get("documentation")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default(),
                )
                .into_owned();
                let mut res = CallToolResult::success(vec![ContentBlock::text(page)]);
                res.structured_content = Some(rule);
                res
            }
            None => tool_error(&format!(
                "unknown rule `{}`: the ids and names are those `redline rules` lists",
                args.rule
            )),
        }
    }

    /// Runs `judge` on a blocking thread, so that the session keeps answering (pings,
    /// cancellations) while a large change is judged.
    async fn blocking(
        &self,
        judge: impl FnOnce(Arc<PathBuf>) -> Result<String, ToolError> + Send + 'static,
    ) -> CallToolResult {
        let root = Arc::clone(&self.root);
        match tokio::task::spawn_blocking(move || judge(root)).await {
            Ok(Ok(report)) => report_result(report),
            Ok(Err(message)) => tool_error(&message),
            Err(_) => tool_error("redline failed while judging this call"),
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for RedlineMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new("redline", env!("CARGO_PKG_VERSION")).with_description(
                    "Flags destructive, over-permissive and unapproved changes before they are made",
                ),
            )
            .with_instructions(INSTRUCTIONS)
    }
}

/// A JSON report as the result of a call: its text, and the same value as structured content.
fn report_result(report: String) -> CallToolResult {
    let structured = serde_json::from_str(&report).ok();
    let mut res = CallToolResult::success(vec![ContentBlock::text(report)]);
    res.structured_content = structured;
    res
}

/// A call that could not be judged, with the reason; text from the repository in it is escaped
/// as in every other human-readable output.
fn tool_error(message: &str) -> CallToolResult {
    CallToolResult::error(vec![ContentBlock::text(format!(
        "redline: {}",
        escape::lines(message)
    ))])
}

fn check_edit(root: &Path, args: &CheckEditArgs) -> Result<String, ToolError> {
    let path = inside_root(root, &args.path)?;
    let size = [&args.content, &args.old_string, &args.new_string]
        .iter()
        .filter_map(|text| text.as_ref().map(String::len))
        .sum::<usize>();
    if size as u64 > MAX_STDIN_BYTES {
        return Err(format!(
            "the edit holds more than {} MiB: not judged",
            MAX_STDIN_BYTES / (1024 * 1024)
        ));
    }
    let proposed = match (&args.content, &args.old_string, &args.new_string) {
        (Some(content), None, None) => content.clone(),
        (None, Some(old), Some(new)) => {
            let edit = Replacement {
                old: old.clone(),
                new: new.clone(),
                all: args.replace_all,
            };
            hook::apply(&path, std::slice::from_ref(&edit)).ok_or_else(|| {
                if old.is_empty() {
                    format!(
                        "{}: an empty `old_string` creates a file, and this one is not empty",
                        args.path
                    )
                } else {
                    format!(
                        "{}: `old_string` does not occur in the file, or the file cannot be read",
                        args.path
                    )
                }
            })?
        }
        _ => {
            return Err("give either `content`, or both `old_string` and `new_string`".to_owned());
        }
    };
    let report =
        gate::judge(&path, Some(&proposed), root, None).map_err(|error| format!("{error:#}"))?;
    let judgement = Judgement {
        findings: report.findings.clone(),
        unknown: Vec::new(),
    };
    decided_report(&report, &judgement)
}

fn check_command(root: &Path, args: &CheckCommandArgs) -> Result<String, ToolError> {
    if args.command.len() as u64 > MAX_STDIN_BYTES {
        return Err(format!(
            "the command holds more than {} MiB: not judged",
            MAX_STDIN_BYTES / (1024 * 1024)
        ));
    }
    let cwd = match &args.cwd {
        Some(cwd) => inside_root(root, cwd)?,
        None => root.to_path_buf(),
    };
    if !cwd.is_dir() {
        return Err(format!(
            "{}: not a folder the command could run in",
            args.cwd.as_deref().unwrap_or(".")
        ));
    }
    let call = Call {
        cwd: Some(cwd),
        action: Action::Command(args.command.clone()),
    };
    let judgement = hook::judge(&call).map_err(|error| format!("{error:#}"))?;
    let report = Report {
        findings: judgement.findings.clone(),
        errors: Vec::new(),
        // The command itself, analysed as a script.
        files: 1,
    };
    decided_report(&report, &judgement)
}

/// The JSON report of an edit or a command, with the decision on it.
fn decided_report(report: &Report, judgement: &Judgement) -> Result<String, ToolError> {
    let verdict = hook::verdict(judgement);
    let members = JsonDecision {
        decision: verdict.decision.as_str(),
        reason: &verdict.reason,
    };
    let renderer = JsonRenderer::with_members(&members).map_err(|error| format!("{error:#}"))?;
    emit::render_report(report, Box::new(renderer)).map_err(|error| format!("{error:#}"))
}

fn check_plan(root: &Path, args: &CheckPlanArgs) -> Result<String, ToolError> {
    let plan = inside_root(root, &args.path)?;
    let terraform_dir = match &args.terraform_dir {
        Some(dir) => Some(inside_root(root, dir)?),
        None => None,
    };
    let input = PlanInput {
        plan: &relative(root, &plan),
        config: None,
        terraform_dir: terraform_dir.as_deref(),
    };
    let (report, renderer) = plan_cmd::report(&input, root, PlanFormat::Json, false)
        .map_err(|error| format!("{error:#}"))?;
    emit::render_report(&report, renderer).map_err(|error| format!("{error:#}"))
}

fn check_files(root: &Path, args: &CheckFilesArgs) -> Result<String, ToolError> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths
            .iter()
            .map(|path| {
                let path = inside_root(root, path)?;
                if std::fs::symlink_metadata(&path).is_err() {
                    return Err(format!(
                        "{}: no such file or folder",
                        relative(root, &path).display()
                    ));
                }
                Ok(relative(root, &path))
            })
            .collect::<Result<Vec<_>, _>>()?
    };
    let report = check::collect(&paths, root).map_err(|error| format!("{error:#}"))?;
    let renderer = JsonRenderer::new().map_err(|error| format!("{error:#}"))?;
    emit::render_report(&report, Box::new(renderer)).map_err(|error| format!("{error:#}"))
}

/// `path` (relative to `root`, or absolute) as an absolute path inside `root`, or why it is
/// not: it leads outside the root by `..` or through a symbolic link. `root` is canonical; the
/// path need not exist, but the part of it that does must stay inside the root once its links
/// are followed.
fn inside_root(root: &Path, path: &str) -> Result<PathBuf, ToolError> {
    if path.is_empty() {
        return Err("an empty path names no file".to_owned());
    }
    let outside = || {
        format!(
            "{path}: outside the server's root {}; redline mcp reads only files inside it \
             (start it with --root to choose another)",
            root.display()
        )
    };
    let joined = root.join(path);
    let mut normal = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                normal.pop();
            }
            Component::CurDir => {}
            other => normal.push(other),
        }
    }
    if !normal.starts_with(root) {
        return Err(outside());
    }
    // The deepest part of the path that exists, with its links followed, must still be inside.
    for existing in normal.ancestors() {
        if std::fs::symlink_metadata(existing).is_ok() {
            match existing.canonicalize() {
                Ok(real) if real.starts_with(root) => break,
                Ok(_) => return Err(outside()),
                // A link that leads nowhere: whatever it names, it is not a file to read.
                Err(_) => return Err(format!("{path}: cannot be resolved inside the root")),
            }
        }
    }
    Ok(normal)
}

/// `path`, inside `root`, relative to it (`.` for the root itself), as the commands display it.
fn relative(root: &Path, path: &Path) -> PathBuf {
    match path.strip_prefix(root) {
        Ok(rest) if rest.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rest) => rest.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn paths_stay_inside_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("infra")).unwrap();
        assert_eq!(
            inside_root(&root, "infra/main.tf").unwrap(),
            root.join("infra/main.tf")
        );
        assert_eq!(
            inside_root(&root, "infra/../new.tf").unwrap(),
            root.join("new.tf")
        );
        assert_eq!(
            inside_root(&root, root.join("infra").to_str().unwrap()).unwrap(),
            root.join("infra")
        );
        for outside in ["../x.tf", "infra/../../x.tf", "/etc/passwd", ""] {
            assert!(inside_root(&root, outside).is_err(), "{outside}");
        }
        let error = inside_root(&root, "../x.tf").unwrap_err();
        assert!(error.contains("outside the server's root"), "{error}");
    }

    #[cfg(unix)]
    #[test]
    fn links_out_of_the_root_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("root");
        std::fs::create_dir(&root).unwrap();
        let root = root.canonicalize().unwrap();
        std::fs::write(dir.path().join("secret.tf"), "x").unwrap();
        std::os::unix::fs::symlink(dir.path(), root.join("up")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.tf"), root.join("s.tf")).unwrap();
        std::os::unix::fs::symlink(root.join("missing"), root.join("dangling.tf")).unwrap();
        assert!(inside_root(&root, "up/secret.tf").is_err());
        assert!(inside_root(&root, "up/new.tf").is_err());
        assert!(inside_root(&root, "s.tf").is_err());
        assert!(inside_root(&root, "dangling.tf").is_err());
    }

    #[test]
    fn edits_over_the_bound_are_not_judged() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let limit = usize::try_from(MAX_STDIN_BYTES).unwrap();
        let args = CheckEditArgs {
            path: "main.tf".to_owned(),
            content: Some("#".repeat(limit - 1)),
            old_string: None,
            new_string: Some("ab".to_owned()),
            replace_all: false,
        };
        let error = check_edit(&root, &args).unwrap_err();
        assert_eq!(error, "the edit holds more than 64 MiB: not judged");
        let args = CheckCommandArgs {
            command: "#".repeat(limit + 1),
            cwd: None,
        };
        let error = check_command(&root, &args).unwrap_err();
        assert_eq!(error, "the command holds more than 64 MiB: not judged");
    }
}

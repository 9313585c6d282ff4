//! `redline hook AGENT`: judge a coding agent's tool call before it runs.
//!
//! Each agent runs its pre-execution hook with the call as JSON on standard input and reads a
//! decision back. The judging is shared: a file write, edit or patch is applied to the file in
//! memory (the file is never written) and judged against the file on disk, as `redline diff`
//! judges an edit; a shell command is analysed as a shell script, and what it does to the files
//! redline judges is simulated in memory (`effects`) and judged as the same kind of edit. What
//! differs per agent is only how the call is read and how the decision is written, one module
//! per agent.
//!
//! The decision follows from the worst finding the call introduces: `deny` for an error, `ask`
//! for a warning, `allow` otherwise; a command whose effect on judged files cannot be known
//! before it runs is put to the person too (`ask`). Input that cannot be read never passes silently: it is
//! refused the way the agent blocks a call (exit status 2 for agents that block on it, a deny
//! decision for agents that let a failed hook through).

pub mod augment;
pub mod claude;
pub mod cline;
pub mod codex;
pub mod copilot;
pub mod cursor;
pub mod droid;
pub mod effects;
pub mod gemini;
pub mod kiro;
pub mod patch;
pub mod sed;
pub mod windsurf;

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use redline_diagnostics::{Diagnostic, Severity};
use redline_engine::{AnalysisOptions, SourceInput, analyze};
use redline_syntax::{Format, SourceHints};
use serde_json::Value;

use crate::Exit;
use crate::args::{Agent, HookArgs};
use crate::escape;
use crate::findings::{self, Finding};
use crate::gate;

/// The synthetic file name a shell command is analysed under.
const COMMAND_PATH: &str = "command.sh";

/// What one agent's hook protocol needs: how to read a call, and how to answer.
pub struct Adapter {
    /// Reads the tool call out of the hook input.
    pub parse: fn(&Value) -> anyhow::Result<Call>,
    /// The agent's answer to a decision.
    pub answer: fn(&Verdict) -> Answer,
    /// The answer to input that cannot be read, for an agent that lets a call through when its
    /// hook fails; `None` for agents that block on exit status 2, which is then the answer.
    pub refuse: Option<fn(&str) -> Answer>,
}

/// A tool call, as redline judges it.
pub struct Call {
    /// The folder the call runs in; the current folder when the agent does not say.
    pub cwd: Option<PathBuf>,
    /// What the call does.
    pub action: Action,
}

/// What a tool call does.
pub enum Action {
    /// Runs a shell command.
    Command(String),
    /// Replaces a file's contents (creating it if need be).
    Write { path: PathBuf, content: String },
    /// Adds text at the end of a file.
    Append { path: PathBuf, content: String },
    /// Replaces text in a file, in order.
    Replace {
        path: PathBuf,
        edits: Vec<Replacement>,
    },
    /// Applies a Codex `apply_patch` envelope (see `patch`).
    Patch(String),
    /// A tool redline does not judge: allowed without judging.
    Other,
}

/// One `old` → `new` replacement of an edit call.
pub struct Replacement {
    /// The text replaced; empty to create the file.
    pub old: String,
    /// The text put in its place.
    pub new: String,
    /// Every occurrence rather than the first.
    pub all: bool,
}

/// What judging a call found.
#[derive(Default)]
pub struct Judgement {
    /// The findings the call introduces.
    pub findings: Vec<Finding>,
    /// What the call does that cannot be known before it runs, one reason each.
    pub unknown: Vec<String>,
}

/// The decision on a call, with the findings that made it as the reason.
pub struct Verdict {
    /// The answer.
    pub decision: Decision,
    /// Empty for `Allow`.
    pub reason: String,
}

/// The three answers a hook can give.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Let the call run.
    Allow,
    /// Put the call to the person: a warning.
    Ask,
    /// Block the call: an error.
    Deny,
}

impl Decision {
    /// `allow`, `ask` or `deny`.
    pub fn as_str(self) -> &'static str {
        match self {
            Decision::Allow => "allow",
            Decision::Ask => "ask",
            Decision::Deny => "deny",
        }
    }
}

/// What the hook prints and how it exits.
pub struct Answer {
    /// Written to standard output.
    pub stdout: String,
    /// Written to standard error.
    pub stderr: String,
    /// The exit status.
    pub exit: Exit,
}

impl Answer {
    /// Prints `stdout` (if any) and exits 0.
    pub fn print(stdout: String) -> Self {
        Self {
            stdout,
            stderr: String::new(),
            exit: Exit::Clean,
        }
    }

    /// Exits with status 2, the blocking status of most agents, with `reason` on standard error.
    pub fn block(reason: &str) -> Self {
        Self {
            stdout: String::new(),
            stderr: format!("{reason}\n"),
            // Not a usage error here: 2 is what these agents read as "block this call".
            exit: Exit::Error,
        }
    }
}

/// `redline hook AGENT`: reads the call, judges it, and answers as the agent expects.
pub fn run(args: &HookArgs) -> anyhow::Result<Exit> {
    let adapter = adapter(args.agent);
    let answer = match read_call(adapter) {
        Ok(call) => (adapter.answer)(&verdict(&judge(&call)?)),
        Err(error) => match adapter.refuse {
            Some(refuse) => {
                let message = format!("redline: cannot judge this call: {error:#}");
                refuse(&escape::lines(&message))
            }
            None => return Err(error),
        },
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(answer.stdout.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write the hook's answer")?;
    let _ = std::io::stderr().lock().write_all(answer.stderr.as_bytes());
    Ok(answer.exit)
}

/// The adapter of an agent.
pub fn adapter(agent: Agent) -> &'static Adapter {
    match agent {
        Agent::Claude => &claude::ADAPTER,
        Agent::Codex => &codex::ADAPTER,
        Agent::Gemini => &gemini::ADAPTER,
        Agent::Cursor => &cursor::ADAPTER,
        Agent::Copilot => &copilot::ADAPTER,
        Agent::Windsurf => &windsurf::ADAPTER,
        Agent::Droid => &droid::ADAPTER,
        Agent::Augment => &augment::ADAPTER,
        Agent::Kiro => &kiro::ADAPTER,
        Agent::Cline => &cline::ADAPTER,
    }
}

fn read_call(adapter: &Adapter) -> anyhow::Result<Call> {
    let input = gate::read_stdin("the hook input")?;
    let Ok(input) = String::from_utf8(input) else {
        bail!("the hook input on standard input is not UTF-8");
    };
    let input: Value = serde_json::from_str(&input)
        .map_err(|error| anyhow::anyhow!("the hook input is not JSON: {error}"))?;
    if !input.is_object() {
        bail!("the hook input is not a JSON object");
    }
    (adapter.parse)(&input)
}

/// What a call would introduce; nothing for tools redline does not judge.
pub fn judge(call: &Call) -> anyhow::Result<Judgement> {
    let cwd = match &call.cwd {
        Some(cwd) => cwd.clone(),
        None => std::env::current_dir().context("cannot determine the current folder")?,
    };
    let findings = match &call.action {
        Action::Other => Vec::new(),
        Action::Command(command) => return judge_command(command, &cwd),
        Action::Write { path, content } => judge_file(&cwd.join(path), Some(content), &cwd)?,
        Action::Append { path, content } => {
            let path = cwd.join(path);
            let current = if path.exists() {
                std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?
            } else {
                String::new()
            };
            judge_file(&path, Some(&format!("{current}{content}")), &cwd)?
        }
        Action::Replace { path, edits } => {
            let path = cwd.join(path);
            // An edit that does not apply fails in the agent itself: nothing to judge.
            match apply(&path, edits) {
                Some(proposed) => judge_file(&path, Some(&proposed), &cwd)?,
                None => Vec::new(),
            }
        }
        Action::Patch(text) => {
            // A patch the agent cannot apply fails in the agent itself: nothing to judge.
            let Some(changes) = patch::apply(text, &cwd) else {
                return Ok(Judgement::default());
            };
            // The files of a patch are judged together, so that a file moved within a
            // Terraform module keeps its blocks.
            let changes: Vec<gate::Change> = changes
                .into_iter()
                .map(|change| gate::Change {
                    path: change.path,
                    proposed: change.proposed,
                    moved_from: change.moved_from,
                })
                .collect();
            gate::judge_changes(&changes, &cwd, None)?.findings
        }
    };
    Ok(Judgement {
        findings,
        unknown: Vec::new(),
    })
}

fn judge_file(path: &Path, proposed: Option<&str>, cwd: &Path) -> anyhow::Result<Vec<Finding>> {
    Ok(gate::judge(path, proposed, cwd, None)?.findings)
}

/// The file's text after the replacements, as the agents apply them; `None` when the file
/// cannot be read or a replacement does not match.
pub fn apply(path: &Path, edits: &[Replacement]) -> Option<String> {
    let mut text = if path.exists() {
        std::fs::read_to_string(path).ok()?
    } else {
        String::new()
    };
    for edit in edits {
        if edit.old.is_empty() {
            // An edit with an empty `old` text creates the file.
            if !text.is_empty() {
                return None;
            }
            text.clone_from(&edit.new);
            continue;
        }
        if !text.contains(&edit.old) {
            return None;
        }
        text = if edit.all {
            text.replace(&edit.old, &edit.new)
        } else {
            text.replacen(&edit.old, &edit.new, 1)
        };
    }
    Some(text)
}

/// The findings of a shell command: the command analysed as a script, with the objects the
/// manifests and modules it names hold, and the edit it makes to the files redline judges,
/// simulated and judged as a file write is.
fn judge_command(command: &str, cwd: &Path) -> anyhow::Result<Judgement> {
    let config = redline_workspace::UnitResolver::new(None, cwd)?
        .load_config(&cwd.join(COMMAND_PATH))?
        .config;
    let options = AnalysisOptions {
        today: Some(redline_workspace::today()),
        select: None,
    };
    let analyse_script = |text: &str| {
        let input = SourceInput {
            path: COMMAND_PATH,
            text,
            hints: SourceHints {
                format: Some(Format::Shell),
                command_line: true,
                ..SourceHints::default()
            },
            config_relative_path: None,
        };
        analyze(&input, &config, &options).diagnostics
    };
    let mut diagnostics = analyse_script(command);
    let effect = effects::simulate(command, cwd);
    // What a Terraform command names completes the finding on that command.
    for diagnostic in &mut diagnostics {
        let terraform_rule = matches!(diagnostic.rule.id, "RL-SH-001" | "RL-SH-002" | "RL-SH-003");
        for (range, note) in &effect.notes {
            if terraform_rule
                && range.start() < diagnostic.range.end()
                && diagnostic.range.start() < range.end()
            {
                diagnostic.message = format!("{}; {note}", diagnostic.message);
            }
        }
    }
    // `kubectl delete -f` is judged as deleting each object of its manifests by name.
    for deletion in &effect.deletions {
        let shown = shown_command(command, deletion.range);
        for mut diagnostic in analyse_script(&deletion.command) {
            if diagnostic.rule.category.is_none() {
                continue;
            }
            let prefix = format!("`{}` ", deletion.command);
            let effect_text = diagnostic
                .message
                .strip_prefix(&prefix)
                .unwrap_or(&diagnostic.message)
                .to_owned();
            diagnostic.message = format!(
                "`{shown}` deletes {}, as `{}` does: it {effect_text}",
                deletion.object, deletion.command
            );
            diagnostic.range = deletion.range;
            diagnostic.fixes.clear();
            diagnostics.push(diagnostic);
        }
    }
    sort_diagnostics(&mut diagnostics);
    let mut res = Judgement {
        findings: findings::from_diagnostics(COMMAND_PATH, command, &diagnostics, &[]),
        unknown: effect.unknown,
    };
    if !effect.changes.is_empty() {
        match gate::judge_changes(&effect.changes, cwd, None) {
            Ok(report) => res.findings.extend(report.findings),
            // A file it changes that redline cannot read is put to the person.
            Err(error) => res.unknown.push(format!(
                "what the command writes cannot be judged: {error:#}"
            )),
        }
    }
    Ok(res)
}

fn sort_diagnostics(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (a.range.start(), a.rule.id, a.range.end(), &a.message).cmp(&(
            b.range.start(),
            b.rule.id,
            b.range.end(),
            &b.message,
        ))
    });
}

/// A command's text at `range`, on one line and at most 80 characters.
fn shown_command(command: &str, range: redline_text::TextRange) -> String {
    let raw = command.get(range.to_std()).unwrap_or("");
    let one_line: String = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 80 {
        let cut: String = one_line.chars().take(77).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}

/// The decision on what judging a call found: `deny` for an error, `ask` for a warning or for
/// an effect that cannot be known before the call runs, `allow` otherwise, with the findings
/// (and the title of their first fix) and the unknowns as the reason.
pub fn verdict(judgement: &Judgement) -> Verdict {
    let findings = &judgement.findings;
    let decision = match findings.iter().map(|finding| finding.severity).max() {
        Some(Severity::Error) => Decision::Deny,
        Some(Severity::Warning) => Decision::Ask,
        Some(Severity::Info) | None if !judgement.unknown.is_empty() => Decision::Ask,
        Some(Severity::Info) | None => Decision::Allow,
    };
    if decision == Decision::Allow {
        return Verdict {
            decision,
            reason: String::new(),
        };
    }
    // Informational findings do not change the decision, so they are left out of the reason.
    let shown: Vec<&Finding> = findings
        .iter()
        .filter(|finding| finding.severity >= Severity::Warning)
        .collect();
    let mut reason = String::new();
    if !shown.is_empty() {
        reason = format!(
            "redline: this change introduces {} finding{}:",
            shown.len(),
            if shown.len() == 1 { "" } else { "s" }
        );
    }
    // The reason is shown to the person and the agent deciding: the file's text in it is
    // escaped as in text output, so that it can neither drive a terminal nor hide from a reader.
    for finding in shown {
        let _ = write!(
            reason,
            "\n- {}:{}: {}[{}] {}",
            escape::line(&finding.path),
            finding.start.line,
            finding.severity,
            finding.rule.id,
            escape::line(&finding.message)
        );
        if let Some(fix) = finding.fixes.first() {
            let _ = write!(reason, " (fix: {})", escape::line(&fix.title));
        }
    }
    if !judgement.unknown.is_empty() {
        if !reason.is_empty() {
            reason.push('\n');
        }
        reason.push_str(
            "redline: what this command does to the files redline judges is only known when it runs:",
        );
        for unknown in &judgement.unknown {
            let _ = write!(reason, "\n- {}", escape::line(unknown));
        }
    }
    Verdict { decision, reason }
}

/// A string field of a JSON object; an error naming the tool when it is missing.
pub fn string_field<'a>(value: &'a Value, field: &str, tool: &str) -> anyhow::Result<&'a str> {
    match value.get(field).and_then(Value::as_str) {
        Some(text) => Ok(text),
        None => bail!("the {tool} hook input has no string `{field}`"),
    }
}

/// The first of `fields` that `value` holds as a string.
pub fn any_string_field<'a>(
    value: &'a Value,
    fields: &[&str],
    tool: &str,
) -> anyhow::Result<&'a str> {
    fields
        .iter()
        .find_map(|field| value.get(*field).and_then(Value::as_str))
        .ok_or_else(|| {
            let names: Vec<String> = fields.iter().map(|field| format!("`{field}`")).collect();
            anyhow::anyhow!("the {tool} hook input has no string {}", names.join(" or "))
        })
}

/// The `cwd` string field of the hook input, if any.
pub fn cwd_field(input: &Value, field: &str) -> Option<PathBuf> {
    input.get(field).and_then(Value::as_str).map(PathBuf::from)
}

/// The object at `field`, or an empty object when it is absent.
pub fn object_field<'a>(value: &'a Value, field: &str) -> &'a Value {
    static EMPTY: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    value
        .get(field)
        .unwrap_or_else(|| EMPTY.get_or_init(|| Value::Object(serde_json::Map::new())))
}

/// Adds `entry` to the array at `path` in a hook configuration, unless an entry for which
/// `is_ours` holds is already there. Objects and the array are created when absent; a value of
/// another type on the way is an error, so that nothing of the user's is replaced.
pub fn install_entry(
    root: &mut Value,
    path: &[&str],
    entry: Value,
    is_ours: impl Fn(&Value) -> bool,
) -> anyhow::Result<()> {
    let mut node = root;
    // The dotted path of `node`; empty for the top level.
    let mut walked = String::new();
    for (depth, key) in path.iter().enumerate() {
        let Value::Object(map) = node else {
            bail!("cannot add the redline hook: `{walked}` is not an object");
        };
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(key);
        let last = depth + 1 == path.len();
        node = map.entry((*key).to_owned()).or_insert_with(|| {
            if last {
                Value::Array(Vec::new())
            } else {
                Value::Object(serde_json::Map::new())
            }
        });
    }
    let Value::Array(entries) = node else {
        bail!("cannot add the redline hook: `{walked}` is not an array");
    };
    if !entries.iter().any(is_ours) {
        entries.push(entry);
    }
    Ok(())
}

/// Whether a Claude-style matcher group (`{"matcher", "hooks": [{"command"}]}`) runs `command`.
pub fn group_runs(group: &Value, command: &str) -> bool {
    group
        .get("hooks")
        .and_then(Value::as_array)
        .is_some_and(|hooks| {
            hooks
                .iter()
                .any(|hook| hook.get("command").and_then(Value::as_str) == Some(command))
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn entries_are_added_once_and_nothing_else_is_replaced() {
        let mut root = serde_json::json!({"hooks": {"Stop": [1]}, "model": "x"});
        let entry = serde_json::json!({"command": "redline hook x"});
        let ours = |value: &Value| value == &serde_json::json!({"command": "redline hook x"});
        install_entry(&mut root, &["hooks", "Pre"], entry.clone(), ours).unwrap();
        install_entry(&mut root, &["hooks", "Pre"], entry.clone(), ours).unwrap();
        assert_eq!(
            root,
            serde_json::json!({"hooks": {"Stop": [1], "Pre": [entry]}, "model": "x"})
        );
        let mut wrong = serde_json::json!({"hooks": []});
        let error = install_entry(&mut wrong, &["hooks", "Pre"], Value::Null, ours).unwrap_err();
        assert!(
            error.to_string().contains("`hooks` is not an object"),
            "{error}"
        );
        let mut wrong = serde_json::json!({"hooks": {"Pre": {}}});
        let error = install_entry(&mut wrong, &["hooks", "Pre"], Value::Null, ours).unwrap_err();
        assert!(
            error.to_string().contains("`hooks.Pre` is not an array"),
            "{error}"
        );
    }
}

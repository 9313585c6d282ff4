//! `redline hook claude`: a Claude Code `PreToolUse` hook.
//!
//! Claude Code runs the hook before each matching tool call, with the call as JSON on standard
//! input. For `Write`, `Edit` and `MultiEdit` the hook applies the proposed edit to the file in
//! memory (it never writes it) and judges the change against the file on disk; for `Bash` it
//! judges the command as a shell script. It answers on standard output with a permission
//! decision: `deny` when the change introduces an error, `ask` when it introduces a warning, and
//! nothing for a clean change or a tool it does not judge. Input it cannot read is refused with
//! exit status 2, which Claude Code treats as blocking, showing the message from standard error:
//! a broken hook must not let edits through unseen.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use redline_engine::{AnalysisOptions, SourceInput, analyze};
use redline_syntax::{Format, SourceHints};
use serde_json::Value;

use crate::Exit;
use crate::args::{FailOn, HookAgent, HookArgs};
use crate::check::today;
use crate::emit::{self, ReportOptions};
use crate::findings::{self, Finding};
use crate::gate;
use crate::render::{Batch, claude};
use crate::report::Report;

/// The synthetic file name a Bash command is analysed under.
const COMMAND_PATH: &str = "command.sh";

pub fn run(args: &HookArgs) -> anyhow::Result<Exit> {
    let HookAgent::Claude = args.agent;
    let input = gate::read_stdin("the hook input")?;
    let Ok(input) = String::from_utf8(input) else {
        bail!("the hook input on standard input is not UTF-8");
    };
    let call: Value = serde_json::from_str(&input)
        .map_err(|error| anyhow::anyhow!("the hook input is not JSON: {error}"))?;
    let report = Report {
        findings: judge_call(&call)?,
        errors: Vec::new(),
        files: 0,
    };
    // The decision is the answer; the exit status only says whether the input could be read.
    emit::write_report(
        report,
        Box::new(Batch::new(claude::render)),
        ReportOptions::unfiltered(None, FailOn::Never),
    )
}

/// The findings a tool call would introduce; empty for tools redline does not judge.
fn judge_call(call: &Value) -> anyhow::Result<Vec<Finding>> {
    let Some(tool) = call.get("tool_name").and_then(Value::as_str) else {
        bail!("the hook input has no `tool_name`");
    };
    let empty = Value::Object(serde_json::Map::new());
    let tool_input = call.get("tool_input").unwrap_or(&empty);
    let cwd = match call.get("cwd").and_then(Value::as_str) {
        Some(cwd) => PathBuf::from(cwd),
        None => std::env::current_dir().context("cannot determine the current folder")?,
    };
    if tool == "Bash" {
        let command = string_field(tool_input, "command", tool)?;
        return judge_command(command, &cwd);
    }
    if !matches!(tool, "Write" | "Edit" | "MultiEdit") {
        return Ok(Vec::new());
    }
    let path = cwd.join(string_field(tool_input, "file_path", tool)?);
    let proposed = match tool {
        "Write" => Some(string_field(tool_input, "content", tool)?.to_owned()),
        "Edit" => {
            let edit = Replacement::from_json(tool_input, tool)?;
            apply(&path, std::slice::from_ref(&edit))
        }
        _ => {
            let Some(edits) = tool_input.get("edits").and_then(Value::as_array) else {
                bail!("the MultiEdit hook input has no `edits` array");
            };
            let edits = edits
                .iter()
                .map(|edit| Replacement::from_json(edit, tool))
                .collect::<anyhow::Result<Vec<_>>>()?;
            apply(&path, &edits)
        }
    };
    // An edit that does not apply fails in Claude Code itself: nothing to judge.
    let Some(proposed) = proposed else {
        return Ok(Vec::new());
    };
    Ok(gate::judge(&path, Some(&proposed), &cwd, None)?.findings)
}

/// One `old_string` → `new_string` replacement of an Edit or MultiEdit call.
struct Replacement<'a> {
    old: &'a str,
    new: &'a str,
    all: bool,
}

impl<'a> Replacement<'a> {
    fn from_json(value: &'a Value, tool: &str) -> anyhow::Result<Self> {
        Ok(Self {
            old: string_field(value, "old_string", tool)?,
            new: string_field(value, "new_string", tool)?,
            all: value
                .get("replace_all")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }
}

/// The file's text after the replacements, as Claude Code would apply them; `None` when the
/// file cannot be read or a replacement does not match.
fn apply(path: &Path, edits: &[Replacement<'_>]) -> Option<String> {
    let mut text = if path.exists() {
        std::fs::read_to_string(path).ok()?
    } else {
        String::new()
    };
    for edit in edits {
        if edit.old.is_empty() {
            // Claude Code creates a file from an edit with an empty `old_string`.
            if !text.is_empty() {
                return None;
            }
            text = edit.new.to_owned();
            continue;
        }
        if !text.contains(edit.old) {
            return None;
        }
        text = if edit.all {
            text.replace(edit.old, edit.new)
        } else {
            text.replacen(edit.old, edit.new, 1)
        };
    }
    Some(text)
}

/// The findings of a shell command, analysed as a script.
fn judge_command(command: &str, cwd: &Path) -> anyhow::Result<Vec<Finding>> {
    let config = redline_workspace::nearest_config(&cwd.join(COMMAND_PATH))?
        .map(|loaded| loaded.config)
        .unwrap_or_default();
    let input = SourceInput {
        path: COMMAND_PATH,
        text: command,
        hints: SourceHints {
            format: Some(Format::Shell),
            ..SourceHints::default()
        },
        config_relative_path: None,
    };
    let options = AnalysisOptions {
        today: Some(today()),
        select: None,
    };
    let analysis = analyze(&input, &config, &options);
    Ok(findings::from_diagnostics(
        COMMAND_PATH,
        command,
        &analysis.diagnostics,
        &[],
    ))
}

fn string_field<'a>(value: &'a Value, field: &str, tool: &str) -> anyhow::Result<&'a str> {
    match value.get(field).and_then(Value::as_str) {
        Some(text) => Ok(text),
        None => bail!("the {tool} hook input has no string `{field}`"),
    }
}

//! Gemini CLI `BeforeTool` (<https://geminicli.com/docs/hooks/reference>, from
//! `docs/hooks/reference.md` in `google-gemini/gemini-cli`).
//!
//! Input: `tool_name`, `tool_input` and `cwd`. `run_shell_command` runs `command` (in
//! `dir_path` when given); `write_file` writes `content` to `file_path`; `replace` replaces
//! `old_string` with `new_string` (every occurrence with `allow_multiple`). The answer is
//! `{"decision": "deny", "reason": …}`, and `{}` for a clean call. The documented decisions
//! are `allow` and `deny`, so a warning is answered with `deny`: the CLI's source also reads an
//! undocumented `ask` (since 2026-03), which older versions would have let through. Exit status
//! 2 blocks with standard error as the reason; any other failure lets the call run, so
//! unreadable input exits with 2.

use serde_json::Value;

use super::{
    Action, Adapter, Answer, Call, Decision, Replacement, Verdict, cwd_field, group_runs,
    install_entry, object_field, string_field,
};

/// How `redline hook gemini` reads a call and answers.
pub const ADAPTER: Adapter = Adapter {
    parse,
    answer,
    refuse: None,
};

/// The project settings file `init --agent gemini` writes the hook into.
pub const CONFIG_PATH: &str = ".gemini/settings.json";

const COMMAND: &str = "redline hook gemini";

/// Adds the `BeforeTool` hook to Gemini CLI settings.
pub fn install(root: &mut Value) -> anyhow::Result<()> {
    let group = serde_json::json!({
        "matcher": "run_shell_command|write_file|replace",
        "hooks": [{"name": "redline", "type": "command", "command": COMMAND}],
    });
    install_entry(root, &["hooks", "BeforeTool"], group, |group| {
        group_runs(group, COMMAND)
    })
}

fn parse(input: &Value) -> anyhow::Result<Call> {
    let tool = string_field(input, "tool_name", "Gemini CLI")?;
    let tool_input = object_field(input, "tool_input");
    let mut cwd = cwd_field(input, "cwd");
    let action = match tool {
        "run_shell_command" => {
            if let Some(dir) = tool_input.get("dir_path").and_then(Value::as_str) {
                cwd = Some(cwd.unwrap_or_default().join(dir));
            }
            Action::Command(string_field(tool_input, "command", tool)?.to_owned())
        }
        "write_file" => Action::Write {
            path: string_field(tool_input, "file_path", tool)?.into(),
            content: string_field(tool_input, "content", tool)?.to_owned(),
        },
        "replace" => Action::Replace {
            path: string_field(tool_input, "file_path", tool)?.into(),
            edits: vec![Replacement {
                old: string_field(tool_input, "old_string", tool)?.to_owned(),
                new: string_field(tool_input, "new_string", tool)?.to_owned(),
                all: tool_input
                    .get("allow_multiple")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
            }],
        },
        _ => Action::Other,
    };
    Ok(Call { cwd, action })
}

fn answer(verdict: &Verdict) -> Answer {
    let answer = match verdict.decision {
        // Gemini CLI parses standard output as JSON; `{}` changes nothing.
        Decision::Allow => serde_json::json!({}),
        Decision::Ask | Decision::Deny => {
            serde_json::json!({"decision": "deny", "reason": verdict.reason})
        }
    };
    Answer::print(format!("{answer}\n"))
}

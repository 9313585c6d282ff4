//! Factory Droid `PreToolUse` (<https://docs.factory.ai/reference/hooks-reference>).
//!
//! Droid follows Claude Code's hook protocol: `tool_name`, `tool_input` and `cwd` in, a
//! `hookSpecificOutput.permissionDecision` (`allow`, `deny` or `ask`) out, and exit status 2
//! blocking with standard error as the reason. Its shell tool is `Execute` (`command`); `Create`
//! writes `content` to `file_path`, and `Edit` replaces `old_str` (or `old_string`) with
//! `new_str` (or `new_string`) in `file_path`.

use serde_json::Value;

use super::claude::permission_decision;
use super::{
    Action, Adapter, Answer, Call, Replacement, Verdict, any_string_field, cwd_field, group_runs,
    install_entry, object_field, string_field,
};

/// How `redline hook droid` reads a call and answers.
pub const ADAPTER: Adapter = Adapter {
    parse,
    answer,
    refuse: None,
};

/// The project hook file `init --agent droid` writes.
pub const CONFIG_PATH: &str = ".factory/hooks.json";

const COMMAND: &str = "redline hook droid";

/// Adds the `PreToolUse` hook to a Droid `hooks.json`.
pub fn install(root: &mut Value) -> anyhow::Result<()> {
    let group = serde_json::json!({
        "matcher": "Execute|Create|Edit",
        "hooks": [{"type": "command", "command": COMMAND}],
    });
    install_entry(root, &["hooks", "PreToolUse"], group, |group| {
        group_runs(group, COMMAND)
    })
}

fn parse(input: &Value) -> anyhow::Result<Call> {
    let tool = string_field(input, "tool_name", "Droid")?;
    let tool_input = object_field(input, "tool_input");
    let action = match tool {
        "Execute" => Action::Command(string_field(tool_input, "command", tool)?.to_owned()),
        "Create" => Action::Write {
            path: string_field(tool_input, "file_path", tool)?.into(),
            content: string_field(tool_input, "content", tool)?.to_owned(),
        },
        "Edit" => Action::Replace {
            path: string_field(tool_input, "file_path", tool)?.into(),
            edits: vec![Replacement {
                old: any_string_field(tool_input, &["old_str", "old_string"], tool)?.to_owned(),
                new: any_string_field(tool_input, &["new_str", "new_string"], tool)?.to_owned(),
                all: false,
            }],
        },
        _ => Action::Other,
    };
    Ok(Call {
        cwd: cwd_field(input, "cwd"),
        action,
    })
}

fn answer(verdict: &Verdict) -> Answer {
    permission_decision(verdict, true)
}

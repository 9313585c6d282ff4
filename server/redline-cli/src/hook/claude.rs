//! Claude Code `PreToolUse` (<https://docs.anthropic.com/en/docs/claude-code/hooks>).
//!
//! Input: `tool_name`, `tool_input` and `cwd`. `Bash` runs `command`; `Write` writes `content`
//! to `file_path`; `Edit` and `MultiEdit` replace `old_string` with `new_string`. The answer
//! is a `permissionDecision` in `hookSpecificOutput`, and nothing for a clean call. Exit
//! status 2 blocks the call with standard error as the reason, so unreadable input is refused
//! that way.

use serde_json::Value;

use super::{
    Action, Adapter, Answer, Call, Decision, Replacement, Verdict, cwd_field, group_runs,
    install_entry, object_field, string_field,
};

/// How `redline hook claude` reads a call and answers.
pub const ADAPTER: Adapter = Adapter {
    parse,
    answer,
    refuse: None,
};

/// The project settings file `init --agent claude` writes the hook into.
pub const CONFIG_PATH: &str = ".claude/settings.json";

const COMMAND: &str = "redline hook claude";

/// Adds the `PreToolUse` hook to Claude Code settings.
pub fn install(root: &mut Value) -> anyhow::Result<()> {
    let group = serde_json::json!({
        "matcher": "Write|Edit|MultiEdit|Bash",
        "hooks": [{"type": "command", "command": COMMAND}],
    });
    install_entry(root, &["hooks", "PreToolUse"], group, |group| {
        group_runs(group, COMMAND)
    })
}

fn parse(input: &Value) -> anyhow::Result<Call> {
    let tool = string_field(input, "tool_name", "Claude Code")?;
    let tool_input = object_field(input, "tool_input");
    let action = match tool {
        "Bash" => Action::Command(string_field(tool_input, "command", tool)?.to_owned()),
        "Write" => Action::Write {
            path: string_field(tool_input, "file_path", tool)?.into(),
            content: string_field(tool_input, "content", tool)?.to_owned(),
        },
        "Edit" => Action::Replace {
            path: string_field(tool_input, "file_path", tool)?.into(),
            edits: vec![replacement(tool_input, tool)?],
        },
        "MultiEdit" => {
            let Some(edits) = tool_input.get("edits").and_then(Value::as_array) else {
                anyhow::bail!("the MultiEdit hook input has no `edits` array");
            };
            Action::Replace {
                path: string_field(tool_input, "file_path", tool)?.into(),
                edits: edits
                    .iter()
                    .map(|edit| replacement(edit, tool))
                    .collect::<anyhow::Result<_>>()?,
            }
        }
        _ => Action::Other,
    };
    Ok(Call {
        cwd: cwd_field(input, "cwd"),
        action,
    })
}

fn replacement(value: &Value, tool: &str) -> anyhow::Result<Replacement> {
    Ok(Replacement {
        old: string_field(value, "old_string", tool)?.to_owned(),
        new: string_field(value, "new_string", tool)?.to_owned(),
        all: value
            .get("replace_all")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    })
}

fn answer(verdict: &Verdict) -> Answer {
    permission_decision(verdict, true)
}

/// The `hookSpecificOutput.permissionDecision` answer that Claude Code defined and other agents
/// copied; nothing for an allowed call, so that the agent's own permissions still apply. An
/// agent without `ask` (`ask_supported` false) gets `deny` instead.
pub fn permission_decision(verdict: &Verdict, ask_supported: bool) -> Answer {
    let decision = match verdict.decision {
        Decision::Allow => return Answer::print(String::new()),
        Decision::Ask if ask_supported => "ask",
        Decision::Ask | Decision::Deny => "deny",
    };
    let answer = serde_json::json!({
        "hookSpecificOutput": {
            "hookEventName": "PreToolUse",
            "permissionDecision": decision,
            "permissionDecisionReason": verdict.reason,
        }
    });
    Answer::print(format!("{answer}\n"))
}

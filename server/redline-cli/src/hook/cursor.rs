//! Cursor `beforeShellExecution` (<https://cursor.com/docs/agent/hooks>).
//!
//! Input: `hook_event_name`, `command` and `cwd`. The answer is `permission` (`allow`, `ask`
//! or `deny`) with the findings as `user_message` and `agent_message`. Cursor's file edits
//! reach hooks only after they are written (`afterFileEdit`), and its generic `preToolUse`
//! documents no argument fields for its write tools, so only shell commands are judged; other
//! events are allowed. Exit status 2 blocks the call; other failures let it run, so unreadable
//! input answers `deny` and exits with 2.

use serde_json::Value;

use super::{Action, Adapter, Answer, Call, Decision, Verdict, install_entry, string_field};
use crate::Exit;

/// How `redline hook cursor` reads a call and answers.
pub const ADAPTER: Adapter = Adapter {
    parse,
    answer,
    refuse: Some(refuse),
};

/// The project hook file `init --agent cursor` writes.
pub const CONFIG_PATH: &str = ".cursor/hooks.json";

const COMMAND: &str = "redline hook cursor";

/// Adds the `beforeShellExecution` hook to a Cursor `hooks.json`.
pub fn install(root: &mut Value) -> anyhow::Result<()> {
    if let Value::Object(map) = root {
        map.entry("version").or_insert(Value::from(1));
    }
    let entry = serde_json::json!({"command": COMMAND});
    install_entry(root, &["hooks", "beforeShellExecution"], entry, |entry| {
        entry.get("command").and_then(Value::as_str) == Some(COMMAND)
    })
}

fn parse(input: &Value) -> anyhow::Result<Call> {
    let event = string_field(input, "hook_event_name", "Cursor")?;
    let action = if event == "beforeShellExecution" {
        Action::Command(string_field(input, "command", event)?.to_owned())
    } else {
        Action::Other
    };
    Ok(Call {
        cwd: super::cwd_field(input, "cwd"),
        action,
    })
}

fn answer(verdict: &Verdict) -> Answer {
    let permission = match verdict.decision {
        Decision::Allow => return Answer::print("{\"permission\":\"allow\"}\n".to_owned()),
        Decision::Ask => "ask",
        Decision::Deny => "deny",
    };
    Answer::print(format!("{}\n", decision(permission, &verdict.reason)))
}

fn refuse(message: &str) -> Answer {
    Answer {
        stdout: format!("{}\n", decision("deny", message)),
        stderr: format!("{message}\n"),
        exit: Exit::Error,
    }
}

fn decision(permission: &str, reason: &str) -> Value {
    serde_json::json!({
        "permission": permission,
        "user_message": reason,
        "agent_message": reason,
    })
}

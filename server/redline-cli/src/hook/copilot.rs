//! GitHub Copilot CLI and coding agent `preToolUse` (<https://docs.github.com/en/copilot/reference/copilot-cli-reference/cli-hooks-reference>,
//! `content/copilot/reference/copilot-cli-reference/cli-hooks-reference.md` in `github/docs`).
//!
//! Input: `toolName` and `toolArgs` (the arguments, or their JSON text) and `cwd`; the
//! PascalCase `PreToolUse` event sends `tool_name` and `tool_input` instead, and both are read.
//! `bash` runs `command`; `create` writes `file_text` to `path`; `edit` replaces `old_str` with
//! `new_str` in `path`. The documentation lists the tool names but not their argument fields,
//! so a `create` or `edit` call without these fields is refused rather than let through unseen.
//! The answer is `permissionDecision` (`ask` or `deny`) with `permissionDecisionReason`, and
//! nothing for a clean call. Copilot skips a hook that fails (any non-zero exit status), so
//! unreadable input is answered with `deny` and exit status 0.

use serde_json::Value;

use super::{Action, Adapter, Answer, Call, Decision, Replacement, Verdict, install_entry};

/// How `redline hook copilot` reads a call and answers.
pub const ADAPTER: Adapter = Adapter {
    parse,
    answer,
    refuse: Some(refuse),
};

/// The hook file `init --agent copilot` writes; Copilot loads every `.github/hooks/*.json`.
pub const CONFIG_PATH: &str = ".github/hooks/redline.json";

const COMMAND: &str = "redline hook copilot";

/// Adds the `preToolUse` hook to a Copilot hook file.
pub fn install(root: &mut Value) -> anyhow::Result<()> {
    if let Value::Object(map) = root {
        map.entry("version").or_insert(Value::from(1));
    }
    let entry = serde_json::json!({
        "type": "command",
        "bash": COMMAND,
        "powershell": COMMAND,
        "timeoutSec": 30,
    });
    install_entry(root, &["hooks", "preToolUse"], entry, |entry| {
        entry.get("bash").and_then(Value::as_str) == Some(COMMAND)
    })
}

fn parse(input: &Value) -> anyhow::Result<Call> {
    let tool = super::any_string_field(input, &["toolName", "tool_name"], "Copilot")?;
    let args = input.get("toolArgs").or_else(|| input.get("tool_input"));
    // `toolArgs` may be the arguments' JSON text rather than the arguments.
    let parsed;
    let args = match args {
        Some(Value::String(text)) => {
            parsed = serde_json::from_str::<Value>(text)
                .map_err(|error| anyhow::anyhow!("the {tool} `toolArgs` are not JSON: {error}"))?;
            &parsed
        }
        Some(args) => args,
        None => super::object_field(input, "toolArgs"),
    };
    let field = |name: &str| super::string_field(args, name, tool);
    let action = match tool {
        "bash" => Action::Command(field("command")?.to_owned()),
        "create" => Action::Write {
            path: field("path")?.into(),
            content: field("file_text")?.to_owned(),
        },
        "edit" => Action::Replace {
            path: field("path")?.into(),
            edits: vec![Replacement {
                old: field("old_str")?.to_owned(),
                new: field("new_str")?.to_owned(),
                all: false,
            }],
        },
        _ => Action::Other,
    };
    Ok(Call {
        cwd: super::cwd_field(input, "cwd"),
        action,
    })
}

fn answer(verdict: &Verdict) -> Answer {
    let decision = match verdict.decision {
        // Empty output keeps Copilot's own permission flow.
        Decision::Allow => return Answer::print(String::new()),
        Decision::Ask => "ask",
        Decision::Deny => "deny",
    };
    Answer::print(format!("{}\n", permission(decision, &verdict.reason)))
}

fn refuse(message: &str) -> Answer {
    Answer {
        stdout: format!("{}\n", permission("deny", message)),
        stderr: format!("{message}\n"),
        exit: crate::Exit::Clean,
    }
}

fn permission(decision: &str, reason: &str) -> Value {
    serde_json::json!({"permissionDecision": decision, "permissionDecisionReason": reason})
}

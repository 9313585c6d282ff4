//! Kiro CLI `preToolUse` (<https://kiro.dev/docs/cli/hooks>).
//!
//! Hooks live in an agent configuration. Input: `hook_event_name`, `cwd`, `tool_name` and
//! `tool_input`. `execute_bash` runs `command`; `fs_write` with `command: "create"` writes
//! `file_text` to `path`, with `str_replace` replaces `old_str` by `new_str`, and with
//! `append` adds `new_str` at the end. Exit status 2 blocks the call and returns standard
//! error to the model; other failures are warnings that let it run, so unreadable input exits
//! with 2. There is no `ask`: a warning blocks too.

use std::path::PathBuf;

use serde_json::Value;

use super::{
    Action, Adapter, Answer, Call, Decision, Replacement, Verdict, cwd_field, install_entry,
    object_field, string_field,
};

/// How `redline hook kiro` reads a call and answers.
pub const ADAPTER: Adapter = Adapter {
    parse,
    answer,
    refuse: None,
};

/// The agent configuration `init --agent kiro` writes the hook into: an agent named `redline`
/// (`kiro-cli chat --agent redline`); copy its `hooks` into another agent to use them there.
pub const CONFIG_PATH: &str = ".kiro/agents/redline.json";

const COMMAND: &str = "redline hook kiro";

/// Adds the `preToolUse` hook to a Kiro agent configuration.
pub fn install(root: &mut Value) -> anyhow::Result<()> {
    if let Value::Object(map) = root {
        map.entry("name").or_insert(Value::from("redline"));
        map.entry("description").or_insert(Value::from(
            "The default tools, with redline judging each shell command and file write first",
        ));
        map.entry("tools").or_insert(serde_json::json!(["*"]));
    }
    for matcher in ["execute_bash", "fs_write"] {
        let entry = serde_json::json!({"matcher": matcher, "command": COMMAND});
        install_entry(root, &["hooks", "preToolUse"], entry, |entry| {
            entry.get("matcher").and_then(Value::as_str) == Some(matcher)
                && entry.get("command").and_then(Value::as_str) == Some(COMMAND)
        })?;
    }
    Ok(())
}

fn parse(input: &Value) -> anyhow::Result<Call> {
    let tool = string_field(input, "tool_name", "Kiro")?;
    let tool_input = object_field(input, "tool_input");
    let action = match tool {
        "execute_bash" => Action::Command(string_field(tool_input, "command", tool)?.to_owned()),
        "fs_write" => {
            let path = PathBuf::from(string_field(tool_input, "path", tool)?);
            match string_field(tool_input, "command", tool)? {
                "create" => Action::Write {
                    path,
                    content: string_field(tool_input, "file_text", tool)?.to_owned(),
                },
                "str_replace" => Action::Replace {
                    path,
                    edits: vec![Replacement {
                        old: string_field(tool_input, "old_str", tool)?.to_owned(),
                        new: string_field(tool_input, "new_str", tool)?.to_owned(),
                        all: false,
                    }],
                },
                "append" => Action::Append {
                    path,
                    content: string_field(tool_input, "new_str", tool)?.to_owned(),
                },
                _ => Action::Other,
            }
        }
        _ => Action::Other,
    };
    Ok(Call {
        cwd: cwd_field(input, "cwd"),
        action,
    })
}

fn answer(verdict: &Verdict) -> Answer {
    match verdict.decision {
        Decision::Allow => Answer::print(String::new()),
        Decision::Ask | Decision::Deny => Answer::block(&verdict.reason),
    }
}

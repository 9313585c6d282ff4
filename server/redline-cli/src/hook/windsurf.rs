//! Windsurf Cascade hooks `pre_run_command` and `pre_write_code`
//! (<https://docs.windsurf.com/windsurf/cascade/hooks>).
//!
//! Input: `agent_action_name` and `tool_info`: `command_line` and `cwd` for a command,
//! `file_path` and `edits` (`old_string` → `new_string`) for a write. A pre-hook blocks the
//! action by exiting with status 2, with standard error shown as the reason; there is no
//! `ask`, so a warning blocks too. Unreadable input exits with 2 as well.

use serde_json::Value;

use super::{
    Action, Adapter, Answer, Call, Decision, Replacement, Verdict, install_entry, object_field,
    string_field,
};

/// How `redline hook windsurf` reads a call and answers.
pub const ADAPTER: Adapter = Adapter {
    parse,
    answer,
    refuse: None,
};

/// The workspace hook file `init --agent windsurf` writes.
pub const CONFIG_PATH: &str = ".windsurf/hooks.json";

const COMMAND: &str = "redline hook windsurf";

/// Adds the `pre_run_command` and `pre_write_code` hooks to a Windsurf `hooks.json`.
pub fn install(root: &mut Value) -> anyhow::Result<()> {
    for event in ["pre_run_command", "pre_write_code"] {
        let entry = serde_json::json!({"command": COMMAND, "show_output": true});
        install_entry(root, &["hooks", event], entry, |entry| {
            entry.get("command").and_then(Value::as_str) == Some(COMMAND)
        })?;
    }
    Ok(())
}

fn parse(input: &Value) -> anyhow::Result<Call> {
    let event = string_field(input, "agent_action_name", "Windsurf")?;
    let info = object_field(input, "tool_info");
    let mut cwd = None;
    let action = match event {
        "pre_run_command" => {
            cwd = super::cwd_field(info, "cwd");
            Action::Command(string_field(info, "command_line", event)?.to_owned())
        }
        "pre_write_code" => {
            let Some(edits) = info.get("edits").and_then(Value::as_array) else {
                anyhow::bail!("the {event} hook input has no `tool_info.edits` array");
            };
            Action::Replace {
                path: string_field(info, "file_path", event)?.into(),
                edits: edits
                    .iter()
                    .map(|edit| {
                        Ok(Replacement {
                            old: string_field(edit, "old_string", event)?.to_owned(),
                            new: string_field(edit, "new_string", event)?.to_owned(),
                            all: false,
                        })
                    })
                    .collect::<anyhow::Result<_>>()?,
            }
        }
        _ => Action::Other,
    };
    Ok(Call { cwd, action })
}

fn answer(verdict: &Verdict) -> Answer {
    match verdict.decision {
        Decision::Allow => Answer::print(String::new()),
        Decision::Ask | Decision::Deny => Answer::block(&verdict.reason),
    }
}

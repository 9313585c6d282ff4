//! OpenAI Codex CLI `PreToolUse` (<https://developers.openai.com/codex/hooks>; the parser is
//! `codex-rs/hooks/src/engine/output_parser.rs` in `openai/codex`).
//!
//! Input: `tool_name`, `tool_input` and `cwd`, as for Claude Code. `Bash` runs
//! `tool_input.command`; `apply_patch` carries its patch envelope in `tool_input.command`.
//! Codex honours only `permissionDecision: "deny"`: it treats `ask` (and `allow` without
//! `updatedInput`) as a failed hook and runs the tool, so a warning is answered with `deny`.
//! Exit status 2 with a reason on standard error blocks; any other failure lets the call run,
//! so unreadable input exits with 2.

use serde_json::Value;

use super::claude::permission_decision;
use super::{
    Action, Adapter, Answer, Call, Verdict, cwd_field, group_runs, install_entry, object_field,
    string_field,
};

/// How `redline hook codex` reads a call and answers.
pub const ADAPTER: Adapter = Adapter {
    parse,
    answer,
    refuse: None,
};

/// The project hook file `init --agent codex` writes (project hooks need the project trusted).
pub const CONFIG_PATH: &str = ".codex/hooks.json";

const COMMAND: &str = "redline hook codex";

/// Adds the `PreToolUse` hook to a Codex `hooks.json`.
pub fn install(root: &mut Value) -> anyhow::Result<()> {
    let group = serde_json::json!({
        "matcher": "Bash|apply_patch",
        "hooks": [{"type": "command", "command": COMMAND}],
    });
    install_entry(root, &["hooks", "PreToolUse"], group, |group| {
        group_runs(group, COMMAND)
    })
}

fn parse(input: &Value) -> anyhow::Result<Call> {
    let tool = string_field(input, "tool_name", "Codex")?;
    let tool_input = object_field(input, "tool_input");
    let action = match tool {
        "Bash" => Action::Command(string_field(tool_input, "command", tool)?.to_owned()),
        "apply_patch" => Action::Patch(string_field(tool_input, "command", tool)?.to_owned()),
        _ => Action::Other,
    };
    Ok(Call {
        cwd: cwd_field(input, "cwd"),
        action,
    })
}

fn answer(verdict: &Verdict) -> Answer {
    permission_decision(verdict, false)
}

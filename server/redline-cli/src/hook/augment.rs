//! Augment (Auggie CLI) `PreToolUse` (<https://docs.augmentcode.com/cli/hooks> and
//! <https://docs.augmentcode.com/cli/hooks-examples>).
//!
//! Input: `tool_name` and `tool_input`; the shell tool is `launch-process`, with `command`
//! (and `cwd`). A hook blocks the call by exiting with status 2, standard error being the
//! reason; there is no `ask`, so a warning blocks too, and unreadable input exits with 2. The
//! documentation names the file tools (`save-file`, `str-replace-editor`) but not their
//! argument fields, so file edits are not judged yet; Augment also runs only `.sh` files as
//! hooks, so `init` writes a small script that runs `redline hook augment`.

use serde_json::Value;

use super::{Action, Adapter, Answer, Call, Decision, Verdict, group_runs, install_entry};

/// How `redline hook augment` reads a call and answers.
pub const ADAPTER: Adapter = Adapter {
    parse,
    answer,
    refuse: None,
};

/// The project settings file `init --agent augment` writes the hook into.
pub const CONFIG_PATH: &str = ".augment/settings.json";

/// The script Augment runs, relative to the project.
pub const SCRIPT_PATH: &str = ".augment/hooks/redline.sh";

/// The script's contents.
pub const SCRIPT: &str = "#!/bin/sh\n# Runs redline on each shell command Augment is about to run.\nexec redline hook augment\n";

/// Adds the `PreToolUse` hook, running the script at `script` (an absolute path: Augment runs
/// hooks from its current folder).
pub fn install(root: &mut Value, script: &str) -> anyhow::Result<()> {
    let group = serde_json::json!({
        "matcher": "launch-process",
        "hooks": [{"type": "command", "command": script}],
    });
    install_entry(root, &["hooks", "PreToolUse"], group, |group| {
        group_runs(group, script)
    })
}

fn parse(input: &Value) -> anyhow::Result<Call> {
    let tool = super::string_field(input, "tool_name", "Augment")?;
    let tool_input = super::object_field(input, "tool_input");
    let action = match tool {
        "launch-process" => {
            Action::Command(super::string_field(tool_input, "command", tool)?.to_owned())
        }
        _ => Action::Other,
    };
    let cwd = super::cwd_field(tool_input, "cwd").or_else(|| super::cwd_field(input, "cwd"));
    Ok(Call { cwd, action })
}

fn answer(verdict: &Verdict) -> Answer {
    match verdict.decision {
        Decision::Allow => Answer::print(String::new()),
        Decision::Ask | Decision::Deny => Answer::block(&verdict.reason),
    }
}

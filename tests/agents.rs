//! End-to-end: `redline hook AGENT` with each agent's documented hook input, answered in its
//! format, and `redline init --agent AGENT` writing and merging its configuration.
//!
//! Every agent gets the same calls, shaped as its documentation shows them: a destructive
//! command (an error: deny), a command that deletes a Docker volume (a warning: ask, or deny
//! where the agent has no ask), a harmless command (allow), an edit that removes a committed
//! database from Terraform (deny), a tool redline does not judge (allow) and input that is not
//! JSON (refused the way the agent blocks).
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::process::Output;

use serde_json::{Value, json};

mod support {
    pub mod git;
    pub mod sandbox;
}

use support::git::git;
use support::sandbox::{Sandbox, stderr, stdout};

const DANGEROUS: &str = "terraform destroy -auto-approve";
const WARNING: &str = "docker volume rm data";
const HARMLESS: &str = "ls -la";

const MAIN_TF: &str = "infra/main.tf";
const DATABASE: &str = "resource \"aws_db_instance\" \"main\" {\n  engine = \"postgres\"\n}\n\n";
const TAGLESS: &str = "  bucket = \"logs\"\n";
const TAGGED: &str = "  bucket = \"logs\"\n  tags   = { team = \"ops\" }\n";
const BUCKET: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n";

/// What an agent's answer says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Said {
    Allow,
    Ask,
    Deny,
}

/// Builds the hook input for an edit of `file` in `cwd` replacing `old` with `new`.
type EditInput = fn(cwd: &str, file: &str, old: &str, new: &str) -> Value;

/// How one agent's hook is called and answers.
struct Protocol {
    agent: &'static str,
    /// The hook input for a shell command run in `cwd`.
    command: fn(cwd: &str, command: &str) -> Value,
    /// The hook input for an edit of `file` (absolute) replacing `old` with `new`; `None` for
    /// agents whose documented hook sees only commands.
    edit: Option<EditInput>,
    /// The hook input for a tool redline does not judge.
    other: fn(cwd: &str) -> Value,
    /// The answer to an allowed call, exactly.
    allowed: &'static str,
    /// Whether the agent has an `ask` answer.
    asks: bool,
    /// Reads the decision and the reason out of an answer.
    read: fn(&Output) -> (Said, String),
}

/// A repository with a committed Terraform file holding a database and a bucket.
fn repository() -> Sandbox {
    let sandbox = Sandbox::new();
    git(sandbox.path(), &["init", "-q", "-b", "main"]);
    sandbox.write(MAIN_TF, format!("{DATABASE}{BUCKET}"));
    git(sandbox.path(), &["add", "-A"]);
    git(sandbox.path(), &["commit", "-q", "-m", "base"]);
    sandbox
}

fn hook(sandbox: &Sandbox, agent: &str, input: impl Into<Vec<u8>>) -> Output {
    sandbox
        .command(&["hook", agent])
        .write_stdin(input)
        .output()
        .unwrap()
}

/// Runs every call through `protocol` and checks its answers.
fn check(protocol: &Protocol) {
    let agent = protocol.agent;
    let sandbox = repository();
    let cwd = sandbox.path().to_str().unwrap();
    let ask = if protocol.asks { Said::Ask } else { Said::Deny };
    let call = |input: &Value| hook(&sandbox, agent, input.to_string());

    let output = call(&(protocol.command)(cwd, DANGEROUS));
    let (said, reason) = (protocol.read)(&output);
    assert_eq!(said, Said::Deny, "{agent}: {DANGEROUS}: {reason}");
    assert!(
        reason.contains("command.sh:1: error[RL-SH-001]"),
        "{agent}: {reason}"
    );

    let output = call(&(protocol.command)(cwd, WARNING));
    let (said, reason) = (protocol.read)(&output);
    assert_eq!(said, ask, "{agent}: {WARNING}: {reason}");
    assert!(reason.contains("warning[RL-SH-017]"), "{agent}: {reason}");

    for input in [(protocol.command)(cwd, HARMLESS), (protocol.other)(cwd)] {
        let output = call(&input);
        assert_eq!(output.status.code(), Some(0), "{agent}: {input}");
        assert_eq!(stdout(&output), protocol.allowed, "{agent}: {input}");
        assert_eq!((protocol.read)(&output).0, Said::Allow, "{agent}: {input}");
    }

    if let Some(edit) = protocol.edit {
        let file = sandbox.path().join(MAIN_TF);
        let file = file.to_str().unwrap();
        // Removing the committed database is an error; the file on disk stays as it is.
        let output = call(&edit(cwd, file, DATABASE, ""));
        let (said, reason) = (protocol.read)(&output);
        assert_eq!(said, Said::Deny, "{agent}: {reason}");
        assert!(
            reason.contains("main.tf:1: error[RL-TF-001]")
                && reason.contains("aws_db_instance.main"),
            "{agent}: {reason}"
        );
        assert_eq!(sandbox.read(MAIN_TF), format!("{DATABASE}{BUCKET}"));
        // A harmless edit passes.
        let output = call(&edit(cwd, file, TAGLESS, TAGGED));
        assert_eq!(
            (protocol.read)(&output).0,
            Said::Allow,
            "{agent}: {}",
            stdout(&output)
        );
    }

    // Input that is not JSON is refused, never allowed.
    let output = hook(&sandbox, agent, "{not json");
    let (said, reason) = (protocol.read)(&output);
    assert_eq!(said, Said::Deny, "{agent}: {reason}");
    assert!(
        stderr(&output).contains("the hook input is not JSON"),
        "{agent}: {}",
        stderr(&output)
    );
}

/// Exit status 2 blocks (reason on standard error); otherwise `read_stdout` reads the answer.
fn read_with(output: &Output, read_stdout: fn(&Value) -> (Said, String)) -> (Said, String) {
    if output.status.code() == Some(2) {
        return (Said::Deny, stderr(output));
    }
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    let text = stdout(output);
    if text.is_empty() {
        return (Said::Allow, String::new());
    }
    let value: Value =
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"));
    read_stdout(&value)
}

fn said(word: &str) -> Said {
    match word {
        "allow" => Said::Allow,
        "ask" => Said::Ask,
        "deny" => Said::Deny,
        other => panic!("not a decision: {other}"),
    }
}

/// Claude Code's `hookSpecificOutput`, which Codex and Droid use too.
fn read_permission_decision(output: &Output) -> (Said, String) {
    read_with(output, |value| {
        let specific = &value["hookSpecificOutput"];
        assert_eq!(specific["hookEventName"], "PreToolUse", "{value}");
        (
            said(specific["permissionDecision"].as_str().unwrap()),
            specific["permissionDecisionReason"]
                .as_str()
                .unwrap()
                .to_owned(),
        )
    })
}

/// Agents that answer only through the exit status.
fn read_exit_status(output: &Output) -> (Said, String) {
    read_with(output, |value| panic!("unexpected answer {value}"))
}

#[test]
fn claude_code() {
    check(&Protocol {
        agent: "claude",
        command: |cwd, command| {
            json!({
                "session_id": "abc123", "transcript_path": "/tmp/t.jsonl", "cwd": cwd,
                "permission_mode": "default", "hook_event_name": "PreToolUse",
                "tool_name": "Bash", "tool_input": {"command": command, "description": "x"},
                "tool_use_id": "toolu_01",
            })
        },
        edit: Some(|cwd, file, old, new| {
            json!({
                "cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": "Edit",
                "tool_input": {"file_path": file, "old_string": old, "new_string": new},
            })
        }),
        other: |cwd| json!({"cwd": cwd, "tool_name": "Read", "tool_input": {"file_path": "x"}}),
        allowed: "",
        asks: true,
        read: read_permission_decision,
    });
}

/// The input of `codex-rs/hooks/schema/generated/pre-tool-use.command.input.schema.json`.
fn codex_input(cwd: &str, tool: &str, command: &str) -> Value {
    json!({
        "session_id": "0199a213-81c0-7800-8aa1-bbab2a035a53", "turn_id": "1",
        "transcript_path": null, "cwd": cwd, "hook_event_name": "PreToolUse",
        "model": "gpt-5-codex", "permission_mode": "default", "tool_name": tool,
        "tool_input": {"command": command}, "tool_use_id": "call_1",
    })
}

#[test]
fn codex() {
    check(&Protocol {
        agent: "codex",
        command: |cwd, command| codex_input(cwd, "Bash", command),
        edit: Some(|cwd, _file, old, new| {
            // `apply_patch` paths are relative to the session's folder.
            let mut patch = format!("*** Begin Patch\n*** Update File: {MAIN_TF}\n@@\n");
            for line in old.lines() {
                patch.push_str(&format!("-{line}\n"));
            }
            for line in new.lines() {
                patch.push_str(&format!("+{line}\n"));
            }
            patch.push_str("*** End Patch\n");
            codex_input(cwd, "apply_patch", &patch)
        }),
        other: |cwd| codex_input(cwd, "mcp__docs__search", "x"),
        allowed: "",
        asks: false,
        read: read_permission_decision,
    });
}

/// Codex answers `deny` for a warning, and never `ask`, which it would treat as a failed hook.
#[test]
fn codex_deletes_and_new_files_in_a_patch_are_judged() {
    let sandbox = repository();
    let cwd = sandbox.path().to_str().unwrap();
    let patch = format!(
        "*** Begin Patch\n*** Delete File: {MAIN_TF}\n*** Add File: infra/new.tf\n+resource \"aws_s3_bucket\" \"b\" {{\n+  force_destroy = true\n+}}\n*** End Patch\n"
    );
    let output = hook(
        &sandbox,
        "codex",
        codex_input(cwd, "apply_patch", &patch).to_string(),
    );
    let (said, reason) = read_permission_decision(&output);
    assert_eq!(said, Said::Deny);
    assert!(reason.contains("error[RL-TF-010]"), "{reason}");
    assert!(reason.contains("aws_db_instance.main"), "{reason}");
    assert!(sandbox.path().join(MAIN_TF).exists());
    assert!(!sandbox.path().join("infra/new.tf").exists());
    // A patch that does not apply fails in Codex itself: nothing to judge.
    let patch =
        "*** Begin Patch\n*** Update File: infra/main.tf\n@@\n-not in the file\n*** End Patch\n";
    let output = hook(
        &sandbox,
        "codex",
        codex_input(cwd, "apply_patch", patch).to_string(),
    );
    assert_eq!(
        (output.status.code(), stdout(&output)),
        (Some(0), String::new())
    );
}

/// A file that a Codex patch moves (`*** Move to:`) keeps its text as its base: a bucket it
/// already held with `force_destroy = true` is not new in the moved file, so moving it within
/// its module is allowed, while moving it out of the module still destroys what it declares.
#[test]
fn codex_moved_files_keep_their_base() {
    let sandbox = repository();
    sandbox.write(
        MAIN_TF,
        format!("{DATABASE}resource \"aws_s3_bucket\" \"logs\" {{\n  force_destroy = true\n}}\n"),
    );
    git(sandbox.path(), &["commit", "-q", "-am", "bucket"]);
    let cwd = sandbox.path().to_str().unwrap();
    let moved = format!(
        "*** Begin Patch\n*** Update File: {MAIN_TF}\n*** Move to: infra/storage.tf\n@@\n resource \"aws_db_instance\" \"main\" {{\n-  engine = \"postgres\"\n+  engine = \"postgres\" # primary\n*** End Patch\n"
    );
    let output = hook(
        &sandbox,
        "codex",
        codex_input(cwd, "apply_patch", &moved).to_string(),
    );
    assert_eq!(
        (output.status.code(), stdout(&output)),
        (Some(0), String::new()),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out_of_module = format!(
        "*** Begin Patch\n*** Update File: {MAIN_TF}\n*** Move to: archive/main.tf\n@@\n resource \"aws_db_instance\" \"main\" {{\n-  engine = \"postgres\"\n+  engine = \"postgres\" # primary\n*** End Patch\n"
    );
    let output = hook(
        &sandbox,
        "codex",
        codex_input(cwd, "apply_patch", &out_of_module).to_string(),
    );
    let (said, reason) = read_permission_decision(&output);
    assert_eq!(said, Said::Deny);
    assert!(reason.contains("aws_db_instance.main"), "{reason}");
}

/// The base input of Gemini CLI's hooks reference, with `BeforeTool`'s fields.
fn gemini_input(cwd: &str, tool: &str, tool_input: Value) -> Value {
    json!({
        "session_id": "s", "transcript_path": "/tmp/t.json", "cwd": cwd,
        "hook_event_name": "BeforeTool", "timestamp": "2026-06-01T00:00:00Z",
        "tool_name": tool, "tool_input": tool_input,
    })
}

#[test]
fn gemini_cli() {
    check(&Protocol {
        agent: "gemini",
        command: |cwd, command| gemini_input(cwd, "run_shell_command", json!({"command": command})),
        edit: Some(|cwd, file, old, new| {
            gemini_input(
                cwd,
                "replace",
                json!({"file_path": file, "old_string": old, "new_string": new, "instruction": "x"}),
            )
        }),
        other: |cwd| gemini_input(cwd, "read_file", json!({"file_path": "x"})),
        allowed: "{}\n",
        asks: false,
        read: |output| {
            read_with(output, |value| match value["decision"].as_str() {
                None => (Said::Allow, String::new()),
                Some(decision) => (said(decision), value["reason"].as_str().unwrap().to_owned()),
            })
        },
    });
}

#[test]
fn cursor() {
    check(&Protocol {
        agent: "cursor",
        command: |cwd, command| {
            json!({
                "conversation_id": "conv-123", "generation_id": "gen-456",
                "hook_event_name": "beforeShellExecution", "workspace_roots": [cwd],
                "command": command, "cwd": cwd,
            })
        },
        edit: None,
        other: |cwd| {
            json!({
                "conversation_id": "c", "generation_id": "g", "hook_event_name": "beforeReadFile",
                "workspace_roots": [cwd], "file_path": "x", "content": "",
            })
        },
        allowed: "{\"permission\":\"allow\"}\n",
        asks: true,
        read: |output| {
            // Unreadable input is answered with `deny` and exit status 2 together.
            if output.status.code() == Some(2) {
                let answer: Value = serde_json::from_str(&stdout(output)).unwrap();
                assert_eq!(answer["permission"], "deny");
                return (Said::Deny, stderr(output));
            }
            read_with(output, |value| {
                assert_eq!(value["user_message"], value["agent_message"]);
                (
                    said(value["permission"].as_str().unwrap()),
                    value["agent_message"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                )
            })
        },
    });
}

/// Copilot CLI's camelCase input; `toolArgs` as the JSON text the coding agent sends.
fn copilot_input(cwd: &str, tool: &str, args: &Value) -> Value {
    json!({
        "sessionId": "s", "timestamp": 1_704_614_600_000_u64, "cwd": cwd,
        "toolName": tool, "toolArgs": args.to_string(),
    })
}

#[test]
fn copilot() {
    check(&Protocol {
        agent: "copilot",
        command: |cwd, command| {
            copilot_input(
                cwd,
                "bash",
                &json!({"command": command, "description": "x"}),
            )
        },
        edit: Some(|cwd, file, old, new| {
            copilot_input(
                cwd,
                "edit",
                &json!({"path": file, "old_str": old, "new_str": new}),
            )
        }),
        other: |cwd| copilot_input(cwd, "view", &json!({"path": "x"})),
        allowed: "",
        asks: true,
        read: |output| {
            // Copilot lets a failed hook through: even refusals exit 0.
            assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
            read_with(output, |value| {
                (
                    said(value["permissionDecision"].as_str().unwrap()),
                    value["permissionDecisionReason"]
                        .as_str()
                        .unwrap()
                        .to_owned(),
                )
            })
        },
    });
}

/// The PascalCase `PreToolUse` event of Copilot CLI sends snake_case fields, with the arguments
/// already parsed; a `create` call writes a new file.
#[test]
fn copilot_vs_code_compatible_input_and_create() {
    let sandbox = repository();
    let input = json!({
        "hook_event_name": "PreToolUse", "session_id": "s", "timestamp": "2026-06-01T00:00:00Z",
        "cwd": sandbox.path().to_str().unwrap(), "tool_name": "create",
        "tool_input": {"path": "infra/new.tf", "file_text": "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = true\n}\n"},
    });
    let output = hook(&sandbox, "copilot", input.to_string());
    let answer: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(answer["permissionDecision"], "deny", "{answer}");
    assert!(!sandbox.path().join("infra/new.tf").exists());
    // An edit without the fields redline reads is refused, not let through.
    let input = copilot_input(
        sandbox.path().to_str().unwrap(),
        "edit",
        &json!({"file": "x"}),
    );
    let output = hook(&sandbox, "copilot", input.to_string());
    let answer: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(answer["permissionDecision"], "deny", "{answer}");
    assert!(
        answer["permissionDecisionReason"]
            .as_str()
            .unwrap()
            .contains("no string `path`"),
        "{answer}"
    );
}

#[test]
fn windsurf() {
    check(&Protocol {
        agent: "windsurf",
        command: |cwd, command| {
            json!({
                "agent_action_name": "pre_run_command", "trajectory_id": "t",
                "execution_id": "e", "timestamp": "2026-06-01T00:00:00Z",
                "tool_info": {"command_line": command, "cwd": cwd},
            })
        },
        edit: Some(|_cwd, file, old, new| {
            json!({
                "agent_action_name": "pre_write_code", "trajectory_id": "t", "execution_id": "e",
                "timestamp": "2026-06-01T00:00:00Z",
                "tool_info": {"file_path": file, "edits": [{"old_string": old, "new_string": new}]},
            })
        }),
        other: |_cwd| {
            json!({
                "agent_action_name": "pre_read_code", "trajectory_id": "t", "execution_id": "e",
                "tool_info": {"file_path": "x"},
            })
        },
        allowed: "",
        asks: false,
        read: read_exit_status,
    });
}

#[test]
fn factory_droid() {
    check(&Protocol {
        agent: "droid",
        command: |cwd, command| {
            json!({
                "session_id": "s", "transcript_path": "/tmp/t", "cwd": cwd,
                "permission_mode": "default", "hook_event_name": "PreToolUse",
                "tool_name": "Execute", "tool_input": {"command": command},
            })
        },
        edit: Some(|cwd, file, old, new| {
            json!({
                "cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": "Edit",
                "tool_input": {"file_path": file, "old_str": old, "new_str": new},
            })
        }),
        other: |cwd| json!({"cwd": cwd, "tool_name": "Read", "tool_input": {"file_path": "x"}}),
        allowed: "",
        asks: true,
        read: read_permission_decision,
    });
}

#[test]
fn augment() {
    check(&Protocol {
        agent: "augment",
        command: |cwd, command| {
            json!({
                "hook_event_name": "PreToolUse", "conversation_id": "c", "workspace_roots": [cwd],
                "tool_name": "launch-process",
                "tool_input": {"command": command, "cwd": cwd, "wait": true},
            })
        },
        edit: None,
        other: |_cwd| json!({"hook_event_name": "PreToolUse", "tool_name": "view", "tool_input": {"path": "x"}}),
        allowed: "",
        asks: false,
        read: read_exit_status,
    });
}

fn kiro_input(cwd: &str, tool: &str, tool_input: Value) -> Value {
    json!({"hook_event_name": "preToolUse", "cwd": cwd, "tool_name": tool, "tool_input": tool_input})
}

#[test]
fn kiro() {
    check(&Protocol {
        agent: "kiro",
        command: |cwd, command| kiro_input(cwd, "execute_bash", json!({"command": command})),
        edit: Some(|cwd, file, old, new| {
            kiro_input(
                cwd,
                "fs_write",
                json!({"command": "str_replace", "path": file, "old_str": old, "new_str": new}),
            )
        }),
        other: |cwd| kiro_input(cwd, "fs_read", json!({"path": "x"})),
        allowed: "",
        asks: false,
        read: read_exit_status,
    });
}

fn cline_input(cwd: &str, tool: &str, parameters: Value) -> Value {
    json!({
        "clineVersion": "3.36.0", "hookName": "PreToolUse", "timestamp": "1760000000000",
        "taskId": "t", "workspaceRoots": [cwd], "userId": "u",
        "preToolUse": {"toolName": tool, "parameters": parameters},
    })
}

#[test]
fn cline() {
    check(&Protocol {
        agent: "cline",
        command: |cwd, command| {
            cline_input(
                cwd,
                "execute_command",
                json!({"command": command, "requires_approval": "false"}),
            )
        },
        edit: Some(|cwd, file, old, new| {
            let diff = format!("------- SEARCH\n{old}=======\n{new}+++++++ REPLACE\n");
            cline_input(cwd, "replace_in_file", json!({"path": file, "diff": diff}))
        }),
        other: |cwd| cline_input(cwd, "read_file", json!({"path": "x"})),
        allowed: "{\"cancel\":false}\n",
        asks: false,
        read: |output| {
            // Cline reads the answer, not the exit status: refusals exit 0 too.
            assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
            read_with(output, |value| {
                if value["cancel"] == true {
                    (
                        Said::Deny,
                        value["errorMessage"].as_str().unwrap().to_owned(),
                    )
                } else {
                    (Said::Allow, String::new())
                }
            })
        },
    });
}

/// The hook command each agent's configuration should run, as a JSON pointer into it.
const CONFIGS: &[(&str, &str, &str)] = &[
    (
        "claude",
        ".claude/settings.json",
        "/hooks/PreToolUse/0/hooks/0/command",
    ),
    (
        "codex",
        ".codex/hooks.json",
        "/hooks/PreToolUse/0/hooks/0/command",
    ),
    (
        "gemini",
        ".gemini/settings.json",
        "/hooks/BeforeTool/0/hooks/0/command",
    ),
    (
        "cursor",
        ".cursor/hooks.json",
        "/hooks/beforeShellExecution/0/command",
    ),
    (
        "copilot",
        ".github/hooks/redline.json",
        "/hooks/preToolUse/0/bash",
    ),
    (
        "windsurf",
        ".windsurf/hooks.json",
        "/hooks/pre_run_command/0/command",
    ),
    (
        "droid",
        ".factory/hooks.json",
        "/hooks/PreToolUse/0/hooks/0/command",
    ),
    (
        "kiro",
        ".kiro/agents/redline.json",
        "/hooks/preToolUse/0/command",
    ),
];

#[test]
fn init_writes_each_agents_hook_and_merges_it_once() {
    for (agent, path, pointer) in CONFIGS {
        // An empty folder: the configuration and a redline.toml are written.
        let sandbox = Sandbox::new();
        let output = sandbox.run(&["init", "--agent", agent]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{agent}: {}",
            stderr(&output)
        );
        let config: Value = serde_json::from_str(&sandbox.read(path)).unwrap();
        assert_eq!(
            config.pointer(pointer).and_then(Value::as_str),
            Some(format!("redline hook {agent}").as_str()),
            "{agent}: {config}"
        );
        assert!(sandbox.path().join("redline.toml").exists());

        // Again: nothing changes, and the existing redline.toml is kept.
        let written = sandbox.read(path);
        let output = sandbox.run(&["init", "--agent", agent]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{agent}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("already runs redline"),
            "{agent}: {}",
            stderr(&output)
        );
        assert_eq!(sandbox.read(path), written, "{agent}");

        // An existing configuration keeps what it holds, gets the hook once.
        let sandbox = Sandbox::new();
        let hook_key = pointer.split('/').nth(2).unwrap();
        let mine = json!({
            "model": "mine",
            "hooks": {"Stop": [{"hooks": [{"type": "command", "command": "notify"}]}],
                      hook_key: [{"matcher": "Other", "command": "audit", "bash": "audit",
                                  "hooks": [{"type": "command", "command": "audit"}]}]},
        });
        sandbox.write(path, serde_json::to_string_pretty(&mine).unwrap());
        let output = sandbox.run(&["init", "--agent", agent]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{agent}: {}",
            stderr(&output)
        );
        let merged: Value = serde_json::from_str(&sandbox.read(path)).unwrap();
        assert_eq!(merged["model"], "mine", "{agent}: {merged}");
        assert_eq!(
            merged["hooks"]["Stop"], mine["hooks"]["Stop"],
            "{agent}: {merged}"
        );
        assert_eq!(
            merged["hooks"][hook_key][0], mine["hooks"][hook_key][0],
            "{agent}"
        );
        let ours = pointer.replacen("/0/", "/1/", 1);
        assert_eq!(
            merged.pointer(&ours).and_then(Value::as_str),
            Some(format!("redline hook {agent}").as_str()),
            "{agent}: {merged}"
        );
        let written = sandbox.read(path);
        sandbox.run(&["init", "--agent", agent]);
        assert_eq!(sandbox.read(path), written, "{agent}: not idempotent");

        // A configuration that is not JSON is refused and left alone.
        let sandbox = Sandbox::new();
        sandbox.write(path, "{ \"hooks\": ");
        let output = sandbox.run(&["init", "--agent", agent]);
        assert_eq!(output.status.code(), Some(2), "{agent}");
        assert!(
            stderr(&output).contains("is not valid JSON"),
            "{agent}: {}",
            stderr(&output)
        );
        assert_eq!(sandbox.read(path), "{ \"hooks\": ");
        assert!(!sandbox.path().join("redline.toml").exists(), "{agent}");
    }
}

#[test]
fn init_writes_hook_scripts_for_cline_and_augment() {
    use std::os::unix::fs::PermissionsExt as _;

    let sandbox = Sandbox::new();
    let output = sandbox.run(&["init", "--agent", "cline", "--agent", "augment"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    for script in [".clinerules/hooks/PreToolUse", ".augment/hooks/redline.sh"] {
        let mode = std::fs::metadata(sandbox.path().join(script))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o111, 0o111, "{script} is not executable");
    }
    assert!(
        sandbox
            .read(".clinerules/hooks/PreToolUse")
            .contains("exec redline hook cline")
    );
    assert!(
        sandbox
            .read(".augment/hooks/redline.sh")
            .contains("exec redline hook augment")
    );
    // Augment runs a script named in full.
    let settings: Value = serde_json::from_str(&sandbox.read(".augment/settings.json")).unwrap();
    let command = settings
        .pointer("/hooks/PreToolUse/0/hooks/0/command")
        .and_then(Value::as_str)
        .unwrap();
    assert!(
        command.starts_with('/') && command.ends_with(".augment/hooks/redline.sh"),
        "{command}"
    );
    let written = sandbox.read(".augment/settings.json");
    let output = sandbox.run(&["init", "--agent", "cline", "--agent", "augment"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(sandbox.read(".augment/settings.json"), written);

    // Someone else's Cline hook is not replaced.
    let sandbox = Sandbox::new();
    sandbox.write(".clinerules/hooks/PreToolUse", "#!/bin/sh\necho '{}'\n");
    let output = sandbox.run(&["init", "--agent", "cline"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("does not run redline"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        sandbox.read(".clinerules/hooks/PreToolUse"),
        "#!/bin/sh\necho '{}'\n"
    );
}

/// A `Write` of nothing to a committed Terraform file empties the file, which still exists:
/// each block is removed from it, not "removed with its file".
#[test]
fn claude_write_of_nothing_empties_the_file() {
    let sandbox = repository();
    let cwd = sandbox.path().to_str().unwrap();
    let file = sandbox.path().join(MAIN_TF);
    let input = json!({
        "cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": "Write",
        "tool_input": {"file_path": file.to_str().unwrap(), "content": ""},
    });
    let output = hook(&sandbox, "claude", input.to_string());
    let (said, reason) = read_permission_decision(&output);
    assert_eq!(said, Said::Deny, "{reason}");
    assert!(
        reason.contains("`aws_db_instance.main` was removed: the edit empties `infra/main.tf`")
            && !reason.contains("with its file"),
        "{reason}"
    );
}

/// Deleting a manifest removes its objects, unless they are in another manifest of the folder
/// already: the hook and `gate` read the folder's other YAML files, as they read a Terraform
/// module's other files.
#[test]
fn deleting_a_manifest_whose_objects_moved_beside_it_is_allowed() {
    const CLAIM: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\nspec:\n  accessModes: [ReadWriteOnce]\n";
    const APP: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n";
    let sandbox = Sandbox::new();
    git(sandbox.path(), &["init", "-q", "-b", "main"]);
    sandbox.write("k8s/claim.yaml", CLAIM);
    sandbox.write("k8s/app.yaml", APP);
    git(sandbox.path(), &["add", "-A"]);
    git(sandbox.path(), &["commit", "-q", "-m", "base"]);
    let cwd = sandbox.path().to_str().unwrap();
    let remove = json!({
        "cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": "Bash",
        "tool_input": {"command": "rm k8s/claim.yaml"},
    });
    let (said, reason) = read_permission_decision(&hook(&sandbox, "claude", remove.to_string()));
    assert_eq!(said, Said::Deny, "{reason}");
    assert!(reason.contains("error[RL-K8S-001]"), "{reason}");
    let gate = |sandbox: &Sandbox| {
        sandbox
            .command(&["gate", "--path", "k8s/claim.yaml"])
            .write_stdin("")
            .output()
            .unwrap()
    };
    assert_eq!(gate(&sandbox).status.code(), Some(1));

    // The claim is written into the other manifest first.
    sandbox.write("k8s/app.yaml", format!("{APP}---\n{CLAIM}"));
    let (said, reason) = read_permission_decision(&hook(&sandbox, "claude", remove.to_string()));
    assert_eq!(said, Said::Allow, "{reason}");
    let output = gate(&sandbox);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

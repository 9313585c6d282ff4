//! End-to-end: `redline mcp` driven by the official Rust MCP SDK's client, which starts the real
//! binary and speaks the protocol over its standard input and output.
//!
//! Every tool is called on a change that fires and on one that stays quiet, its report is
//! compared with the JSON the matching command writes, and paths outside the root and
//! malformed calls are answered with errors while the session goes on.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};

use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::{ConfigureCommandExt as _, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt as _};
use serde_json::{Value, json};

mod support {
    pub mod git;
    pub mod sandbox;
}

use support::git::git;
use support::sandbox::{Sandbox, stdout};

const MAIN_TF: &str = "infra/main.tf";
const DATABASE: &str = "resource \"aws_db_instance\" \"main\" {\n  engine = \"postgres\"\n}\n\n";
const BUCKET: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n";
const TODAY: &str = "2026-06-01";

type Client = RunningService<RoleClient, ()>;

/// A repository with a committed Terraform file holding a database and a bucket.
fn repository() -> Sandbox {
    let sandbox = Sandbox::new();
    git(sandbox.path(), &["init", "-q", "-b", "main"]);
    sandbox.write(MAIN_TF, format!("{DATABASE}{BUCKET}"));
    git(sandbox.path(), &["add", "-A"]);
    git(sandbox.path(), &["commit", "-q", "-m", "base"]);
    sandbox
}

/// `redline mcp ARGS`, started in `dir` by the SDK's client, initialised.
async fn start(dir: &Path, args: &[&str]) -> Client {
    let command = tokio::process::Command::new(env!("CARGO_BIN_EXE_redline")).configure(|cmd| {
        cmd.arg("mcp")
            .args(args)
            .current_dir(dir)
            .env("REDLINE_TODAY", TODAY);
    });
    ().serve(TokioChildProcess::new(command).unwrap())
        .await
        .unwrap()
}

async fn call(client: &Client, tool: &'static str, arguments: Value) -> CallToolResult {
    let Value::Object(arguments) = arguments else {
        panic!("arguments must be an object");
    };
    client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(arguments))
        .await
        .unwrap()
}

/// The text of a result's one content block.
fn text(result: &CallToolResult) -> &str {
    assert_eq!(result.content.len(), 1, "{result:?}");
    &result.content[0].as_text().unwrap().text
}

/// A successful report: its text is JSON, the same value as the structured content.
fn report(result: &CallToolResult) -> Value {
    assert_eq!(result.is_error, Some(false), "{result:?}");
    let report: Value = serde_json::from_str(text(result)).unwrap();
    assert_eq!(result.structured_content.as_ref(), Some(&report));
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["name"], "redline");
    report
}

/// An error result: its message.
fn tool_error(result: &CallToolResult) -> String {
    assert_eq!(result.is_error, Some(true), "{result:?}");
    text(result).to_owned()
}

fn rules(report: &Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn tools_are_listed_with_described_schemas() {
    let sandbox = Sandbox::new();
    let client = start(sandbox.path(), &[]).await;
    let info = client.peer_info().unwrap();
    assert_eq!(info.server_info.as_ref().unwrap().name, "redline");
    assert!(info.capabilities.tools.is_some());
    assert!(info.instructions.as_deref().unwrap().contains("check_edit"));

    let mut tools = client.list_all_tools().await.unwrap();
    tools.sort_by(|a, b| a.name.cmp(&b.name));
    let names: Vec<&str> = tools.iter().map(|tool| &*tool.name).collect();
    assert_eq!(
        names,
        [
            "check_command",
            "check_edit",
            "check_files",
            "check_plan",
            "explain_rule"
        ]
    );
    let required = |name: &str| -> Vec<String> {
        let tool = tools.iter().find(|tool| tool.name == name).unwrap();
        serde_json::from_value(
            tool.input_schema
                .get("required")
                .cloned()
                .unwrap_or(json!([])),
        )
        .unwrap()
    };
    assert_eq!(required("check_edit"), ["path"]);
    assert_eq!(required("check_command"), ["command"]);
    assert_eq!(required("check_plan"), ["path"]);
    assert!(required("check_files").is_empty());
    assert_eq!(required("explain_rule"), ["rule"]);
    for tool in &tools {
        assert!(
            tool.description.as_deref().is_some_and(|d| d.len() > 40),
            "{}",
            tool.name
        );
        let properties = tool.input_schema["properties"].as_object().unwrap();
        assert!(!properties.is_empty(), "{}", tool.name);
        for (name, property) in properties {
            assert!(
                property["description"]
                    .as_str()
                    .is_some_and(|d| !d.is_empty()),
                "{}.{name} has no description",
                tool.name
            );
        }
        let annotations = tool.annotations.as_ref().unwrap();
        assert_eq!(annotations.read_only_hint, Some(true), "{}", tool.name);
    }
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn check_edit_judges_an_edit_against_the_file_on_disk() {
    let sandbox = repository();
    let client = start(sandbox.path(), &[]).await;

    // Renaming the committed database destroys it.
    let result = call(
        &client,
        "check_edit",
        json!({"path": MAIN_TF, "old_string": "\"main\"", "new_string": "\"primary\""}),
    )
    .await;
    let denied = report(&result);
    assert_eq!(denied["decision"], "deny");
    assert!(rules(&denied).contains(&"RL-TF-002"), "{denied}");
    let reason = denied["reason"].as_str().unwrap();
    assert!(reason.contains("aws_db_instance.main"), "{reason}");
    assert!(reason.contains("RL-TF-002"), "{reason}");
    assert_eq!(denied["findings"][0]["path"], MAIN_TF);
    // The members of the JSON report, in order, with the decision before the findings.
    let positions: Vec<usize> = [
        "version", "tool", "decision", "reason", "findings", "errors", "summary",
    ]
    .iter()
    .map(|key| text(&result).find(&format!("\n  \"{key}\": ")).unwrap())
    .collect();
    assert!(positions.is_sorted(), "{}", text(&result));
    let n_findings = denied["findings"].as_array().unwrap().len();
    assert_eq!(denied["summary"]["findings"], n_findings);
    assert!(denied["summary"]["by_severity"]["error"].as_u64().unwrap() >= 1);

    // The same edit as a whole write, under Claude's field name.
    let renamed = format!("{DATABASE}{BUCKET}").replace("\"main\"", "\"primary\"");
    let result = call(
        &client,
        "check_edit",
        json!({"file_path": MAIN_TF, "content": renamed}),
    )
    .await;
    assert_eq!(report(&result)["findings"], denied["findings"]);

    // Deleting the database in a write, with an absolute path inside the root.
    let absolute = sandbox.path().join(MAIN_TF);
    let result = call(
        &client,
        "check_edit",
        json!({"path": absolute.to_str().unwrap(), "content": BUCKET}),
    )
    .await;
    let removed = report(&result);
    assert_eq!(removed["decision"], "deny");
    assert!(rules(&removed).contains(&"RL-TF-001"), "{removed}");

    // Tagging the bucket is harmless.
    let result = call(
        &client,
        "check_edit",
        json!({
            "path": MAIN_TF,
            "old_string": "  bucket = \"logs\"\n",
            "new_string": "  bucket = \"logs\"\n  tags   = { team = \"ops\" }\n",
        }),
    )
    .await;
    let allowed = report(&result);
    assert_eq!(allowed["decision"], "allow");
    assert_eq!(allowed["reason"], "");
    assert_eq!(allowed["findings"], json!([]));

    // A new file that is not judged at all.
    let result = call(
        &client,
        "check_edit",
        json!({"path": "docs/notes.md", "content": "# Notes\n"}),
    )
    .await;
    assert_eq!(report(&result)["decision"], "allow");

    // An edit that does not apply cannot be judged.
    let result = call(
        &client,
        "check_edit",
        json!({"path": MAIN_TF, "old_string": "absent", "new_string": "x"}),
    )
    .await;
    let message = tool_error(&result);
    assert!(message.contains("`old_string` does not occur"), "{message}");
    // Nothing was written.
    assert_eq!(sandbox.read(MAIN_TF), format!("{DATABASE}{BUCKET}"));
    client.cancel().await.unwrap();
}

/// `check_edit` decides as `redline hook claude` does on the same Edit call.
#[tokio::test]
async fn check_edit_reports_what_the_hook_reports() {
    let sandbox = repository();
    let client = start(sandbox.path(), &[]).await;
    let result = call(
        &client,
        "check_edit",
        json!({"path": MAIN_TF, "old_string": "\"main\"", "new_string": "\"primary\""}),
    )
    .await;
    let judged = report(&result);
    let input = json!({
        "cwd": sandbox.path(), "hook_event_name": "PreToolUse", "tool_name": "Edit",
        "tool_input": {"file_path": MAIN_TF, "old_string": "\"main\"", "new_string": "\"primary\""},
    });
    let output = sandbox
        .command(&["hook", "claude"])
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    let answer = &answer["hookSpecificOutput"];
    assert_eq!(answer["permissionDecision"], judged["decision"]);
    assert_eq!(answer["permissionDecisionReason"], judged["reason"]);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn check_command_judges_as_the_hook_does() {
    let sandbox = repository();
    let client = start(sandbox.path(), &[]).await;

    let result = call(
        &client,
        "check_command",
        json!({"command": "terraform destroy -auto-approve", "cwd": "infra"}),
    )
    .await;
    let denied = report(&result);
    assert_eq!(denied["decision"], "deny");
    assert_eq!(rules(&denied), ["RL-SH-001"]);
    // The simulation names what the command destroys.
    let message = denied["findings"][0]["message"].as_str().unwrap();
    assert!(message.contains("aws_db_instance.main"), "{message}");
    assert_eq!(denied["summary"]["files"], 1);

    // The hook gives the same decision and reason.
    let input = json!({
        "cwd": sandbox.path().join("infra"), "hook_event_name": "PreToolUse",
        "tool_name": "Bash", "tool_input": {"command": "terraform destroy -auto-approve"},
    });
    let output = sandbox
        .command(&["hook", "claude"])
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        answer["hookSpecificOutput"]["permissionDecisionReason"],
        denied["reason"]
    );

    // Deleting the Terraform file is simulated and judged as the edit it makes.
    let result = call(
        &client,
        "check_command",
        json!({"command": "rm infra/main.tf"}),
    )
    .await;
    let removed = report(&result);
    assert_eq!(removed["decision"], "deny");
    assert!(rules(&removed).contains(&"RL-TF-001"), "{removed}");
    assert!(sandbox.path().join(MAIN_TF).exists());

    // A warning is put to the person.
    let result = call(
        &client,
        "check_command",
        json!({"command": "docker volume rm data"}),
    )
    .await;
    assert_eq!(report(&result)["decision"], "ask");

    let result = call(&client, "check_command", json!({"command": "ls"})).await;
    let allowed = report(&result);
    assert_eq!(allowed["decision"], "allow");
    assert_eq!(allowed["findings"], json!([]));

    let result = call(
        &client,
        "check_command",
        json!({"command": "ls", "cwd": "missing"}),
    )
    .await;
    let message = tool_error(&result);
    assert!(message.contains("not a folder"), "{message}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn check_plan_reports_what_redline_plan_reports() {
    let sandbox = Sandbox::with_data("plan");
    sandbox.write(
        "quiet.json",
        r#"{"format_version": "1.2", "terraform_version": "1.9.5", "resource_changes": []}"#,
    );
    let client = start(sandbox.path(), &[]).await;

    let result = call(&client, "check_plan", json!({"path": "plan.json"})).await;
    let output = sandbox.run(&["plan", "plan.json", "--format", "json"]);
    assert_eq!(text(&result), stdout(&output));
    let fires = report(&result);
    assert_eq!(fires["plan"]["counts"]["delete"], 1);
    assert!(!rules(&fires).is_empty());

    let result = call(&client, "check_plan", json!({"path": "quiet.json"})).await;
    let quiet = report(&result);
    assert_eq!(quiet["findings"], json!([]));
    assert_eq!(quiet["plan"]["counts"]["changes"], 0);

    let result = call(&client, "check_plan", json!({"path": "main.tf"})).await;
    let message = tool_error(&result);
    assert!(message.contains("not a Terraform plan"), "{message}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn check_files_reports_what_redline_check_reports() {
    let sandbox = repository();
    sandbox.write("ci/build.sh", "#!/bin/sh\necho building\n");
    let client = start(sandbox.path(), &[]).await;

    let result = call(&client, "check_files", json!({"paths": ["infra"]})).await;
    let output = sandbox.run(&["check", "--format", "json", "infra"]);
    assert_eq!(text(&result), stdout(&output));
    let fires = report(&result);
    assert!(rules(&fires).contains(&"RL-TF-008"), "{fires}");

    let result = call(&client, "check_files", json!({"paths": ["ci/build.sh"]})).await;
    let quiet = report(&result);
    assert_eq!(quiet["findings"], json!([]));
    assert_eq!(quiet["summary"]["files"], 1);

    // No paths: the whole root, as `redline check` with none.
    let result = call(&client, "check_files", json!({})).await;
    let output = sandbox.run(&["check", "--format", "json"]);
    assert_eq!(text(&result), stdout(&output));

    let result = call(&client, "check_files", json!({"paths": ["nowhere"]})).await;
    let message = tool_error(&result);
    assert!(
        message.contains("nowhere: no such file or folder"),
        "{message}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn explain_rule_gives_the_rules_page() {
    let sandbox = Sandbox::new();
    let client = start(sandbox.path(), &[]).await;
    for rule in ["RL-TF-002", "force-destroy-enabled"] {
        let result = call(&client, "explain_rule", json!({"rule": rule})).await;
        assert_eq!(result.is_error, Some(false));
        let output = sandbox.run(&["explain", rule]);
        assert_eq!(text(&result), stdout(&output));
        let structured = result.structured_content.as_ref().unwrap();
        assert_eq!(structured["documentation"], text(&result));
        assert!(structured["id"].as_str().unwrap().starts_with("RL-TF-"));
        assert!(structured["doc_url"].is_string());
    }
    let result = call(&client, "explain_rule", json!({"rule": "RL-NOPE-1"})).await;
    let message = tool_error(&result);
    assert!(message.contains("unknown rule `RL-NOPE-1`"), "{message}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn paths_outside_the_root_are_refused() {
    let outer = repository();
    outer.write("secret/main.tf", DATABASE);
    outer.link(outer.path().join("secret"), "infra/out");
    let root = outer.path().join("infra");
    // Started elsewhere, with the root given.
    let client = start(
        outer.path().join("secret").as_path(),
        &["--root", root.to_str().unwrap()],
    )
    .await;

    let calls = [
        (
            "check_edit",
            json!({"path": "../secret/main.tf", "content": ""}),
        ),
        (
            "check_edit",
            json!({"path": outer.path().join("secret/main.tf"), "content": ""}),
        ),
        ("check_edit", json!({"path": "out/main.tf", "content": ""})),
        ("check_edit", json!({"path": "out/new.tf", "content": ""})),
        ("check_command", json!({"command": "ls", "cwd": ".."})),
        ("check_plan", json!({"path": "/etc/passwd"})),
        (
            "check_plan",
            json!({"path": "plan.json", "terraform_dir": "../secret"}),
        ),
        ("check_files", json!({"paths": ["main.tf", "../secret"]})),
    ];
    for (tool, arguments) in calls {
        let result = call(&client, tool, arguments.clone()).await;
        let message = tool_error(&result);
        assert!(
            message.contains("outside the server's root"),
            "{tool} {arguments}: {message}"
        );
    }
    // Inside the root, relative paths are relative to it, not to the folder it started in.
    let result = call(
        &client,
        "check_edit",
        json!({"path": "main.tf", "old_string": "\"main\"", "new_string": "\"primary\""}),
    )
    .await;
    assert_eq!(report(&result)["decision"], "deny");
    let result = call(&client, "check_files", json!({})).await;
    let found = report(&result);
    assert!(rules(&found).contains(&"RL-TF-008"), "{found}");
    // What judging reads around a path stays inside the root too: a module the edit calls
    // from outside it is not read, even inside the same git work tree, while the same module
    // inside the root is judged with the call's inputs.
    let module = "variable \"protect\" {}\n\nresource \"aws_db_instance\" \"db\" {\n  engine              = \"postgres\"\n  deletion_protection = var.protect\n}\n";
    outer.write("secret/db/main.tf", module);
    outer.write("infra/db/main.tf", module);
    for (source, judged) in [("../secret/db", false), ("./db", true)] {
        let content =
            format!("module \"db\" {{\n  source  = \"{source}\"\n  protect = false\n}}\n");
        let result = call(
            &client,
            "check_edit",
            json!({"path": "call.tf", "content": content}),
        )
        .await;
        let found = report(&result);
        assert_eq!(
            rules(&found).contains(&"RL-TF-008"),
            judged,
            "{source}: {found}"
        );
    }
    // A command that changes a file outside the root cannot be judged from inside it.
    let result = call(
        &client,
        "check_command",
        json!({"command": "sed -i s/postgres/mysql/ ../secret/db/main.tf"}),
    )
    .await;
    let found = report(&result);
    assert_eq!(found["decision"], "ask", "{found}");
    assert!(
        found["reason"]
            .as_str()
            .unwrap()
            .contains("outside the folder redline may read"),
        "{found}"
    );
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn malformed_calls_are_errors_and_the_session_goes_on() {
    let sandbox = repository();
    let client = start(sandbox.path(), &[]).await;
    let calls = [
        (
            "check_edit",
            json!({"path": MAIN_TF}),
            "give either `content`",
        ),
        (
            "check_edit",
            json!({"path": MAIN_TF, "content": "", "old_string": "a", "new_string": "b"}),
            "give either `content`",
        ),
        (
            "check_edit",
            json!({"path": "", "content": ""}),
            "an empty path",
        ),
        (
            "check_edit",
            json!({"content": "x"}),
            "missing field `path`",
        ),
        (
            "check_command",
            json!({"command": "ls", "shell": "zsh"}),
            "unknown field `shell`",
        ),
        ("check_command", json!({"command": 42}), "invalid type"),
        ("check_files", json!({"paths": "infra"}), "invalid type"),
    ];
    for (tool, arguments, expected) in calls {
        let result = call(&client, tool, arguments.clone()).await;
        let message = tool_error(&result);
        assert!(message.contains(expected), "{tool} {arguments}: {message}");
    }
    // An unknown tool is a protocol error.
    let error = client
        .call_tool(CallToolRequestParams::new("format_disk"))
        .await
        .unwrap_err();
    assert!(error.to_string().contains("tool not found"), "{error}");
    // The session still answers.
    let result = call(&client, "check_command", json!({"command": "ls"})).await;
    assert_eq!(report(&result)["decision"], "allow");
    client.cancel().await.unwrap();
}

/// Lines that are not JSON-RPC are skipped, a request with the wrong shape is answered with an
/// error, and the server exits cleanly when its input closes.
#[test]
fn raw_garbage_on_the_wire_does_not_end_the_session() {
    let sandbox = Sandbox::new();
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_redline"))
        .arg("mcp")
        .current_dir(sandbox.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let mut output = BufReader::new(child.stdout.take().unwrap());
    let mut read = || {
        let mut line = String::new();
        output.read_line(&mut line).unwrap();
        serde_json::from_str::<Value>(&line).unwrap()
    };
    let initialize = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "raw", "version": "1"}},
    });
    writeln!(input, "{initialize}").unwrap();
    let answer = read();
    assert_eq!(answer["result"]["serverInfo"]["name"], "redline");
    writeln!(
        input,
        "{}",
        json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
    )
    .unwrap();
    writeln!(input, "this is not json\n{{\"unterminated\": ").unwrap();
    writeln!(input, "\u{0}\u{7f}\u{fffd}").unwrap();
    writeln!(input, "{}", json!({"jsonrpc": "2.0", "id": 2, "method": 7})).unwrap();
    let answer = read();
    assert!(answer["error"]["code"].is_i64(), "{answer}");
    let call = json!({
        "jsonrpc": "2.0", "id": 3, "method": "tools/call",
        "params": {"name": "check_command", "arguments": {"command": "rm -rf /"}},
    });
    writeln!(input, "{call}").unwrap();
    let answer = read();
    assert_eq!(answer["id"], 3);
    assert_eq!(answer["result"]["structuredContent"]["decision"], "deny");
    drop(input);
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
}

/// The MCP Inspector: `REDLINE_MCP_INSPECTOR` (which `./x` provisions), else `mcp-inspector` on
/// the `PATH`.
fn inspector() -> std::path::PathBuf {
    if let Some(path) = std::env::var_os("REDLINE_MCP_INSPECTOR") {
        return path.into();
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|folder| folder.join("mcp-inspector"))
                .find(|candidate| candidate.is_file())
        })
        .unwrap_or_else(|| {
            panic!(
                "the MCP Inspector is missing: run `export $(./x provision | grep '^REDLINE_')`, \
                 or set REDLINE_MCP_INSPECTOR to its `mcp-inspector`"
            )
        })
}

/// Runs the Inspector's headless mode against `redline mcp` in `dir` and reads its answer.
fn inspect(dir: &Path, args: &[&str]) -> (bool, Value) {
    let output = StdCommand::new(inspector())
        .args(["--cli", env!("CARGO_BIN_EXE_redline"), "mcp"])
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    let answer = serde_json::from_str(&text).unwrap_or_else(
        |_| json!({"stdout": text, "stderr": String::from_utf8_lossy(&output.stderr)}),
    );
    (output.status.success(), answer)
}

/// The MCP Inspector, the protocol's reference client, sees the tools and their answers.
#[test]
fn the_mcp_inspector_lists_and_calls_the_tools() {
    let sandbox = repository();
    // `--strict` also checks that the input schemas carry over to the dialects of other model
    // providers, and prints a warning for each construct that may not.
    let output = StdCommand::new(inspector())
        .args(["--cli", env!("CARGO_BIN_EXE_redline"), "mcp"])
        .args(["--method", "tools/list", "--strict"])
        .current_dir(sandbox.path())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let printed = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{printed}");
    assert!(!printed.contains("Warning: tool"), "{printed}");
    let (ok, listed) = inspect(sandbox.path(), &["--method", "tools/list"]);
    assert!(ok, "{listed}");
    let mut names: Vec<&str> = listed["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|tool| tool["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "check_command",
            "check_edit",
            "check_files",
            "check_plan",
            "explain_rule"
        ]
    );

    let command = |command: &str| {
        let argument = format!("command={command}");
        let (ok, answer) = inspect(
            sandbox.path(),
            &[
                "--method",
                "tools/call",
                "--tool-name",
                "check_command",
                "--tool-arg",
                &argument,
            ],
        );
        assert!(ok, "{answer}");
        answer
    };
    let denied = command("terraform destroy -auto-approve");
    assert_eq!(denied["structuredContent"]["decision"], "deny", "{denied}");
    let text: Value = serde_json::from_str(denied["content"][0]["text"].as_str().unwrap()).unwrap();
    assert_eq!(text, denied["structuredContent"]);
    assert_eq!(command("ls")["structuredContent"]["decision"], "allow");

    let (ok, outside) = inspect(
        sandbox.path(),
        &[
            "--method",
            "tools/call",
            "--tool-name",
            "check_edit",
            "--tool-arg",
            "path=../main.tf",
            "content=x",
        ],
    );
    // A tool error fails the Inspector's run.
    assert!(!ok, "{outside}");
    assert_eq!(outside["isError"], true, "{outside}");
    let message = outside["content"][0]["text"].as_str().unwrap();
    assert!(message.contains("outside the server's root"), "{message}");
}

#[test]
fn a_root_that_is_not_a_folder_is_refused() {
    let sandbox = Sandbox::new();
    sandbox.write("file.txt", "x");
    for root in ["missing", "file.txt"] {
        let output = sandbox.run(&["mcp", "--root", root]);
        assert_eq!(output.status.code(), Some(2), "{root}");
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(message.contains("cannot use"), "{message}");
        assert!(output.stdout.is_empty());
    }
}

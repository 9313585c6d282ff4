//! End-to-end: the real `redline lsp` binary, driven over stdio with JSON-RPC.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

mod support {
    pub mod edit_fixtures;
    pub mod git;
    pub mod lsp_client;
    pub mod sandbox;
}

use std::path::Path;

use serde_json::{Value, json};
use support::edit_fixtures::edit_fixture_pairs;
use support::git::git;
use support::lsp_client::{LspClient, apply_edits, file_uri};
use support::sandbox::Sandbox;

/// The finding on line 1 follows an emoji (two UTF-16 units, four bytes) and two CJK characters
/// (one UTF-16 unit, three bytes each), so its columns differ in every encoding.
const MAIN_TF: &str = "# The bucket below may be destroyed with its contents.\n\
resource \"aws_backup_vault\" \"🚀中文\" { force_destroy = true }\n\
resource \"aws_s3_bucket\" \"cafe\" {\n  bucket = \"cafe\u{301}\"\n}\n";

const BASE_CONFIG: &str = "[rules]\ndisable = [\"RL-TF-019\", \"RL-TF-001\", \"RL-TF-002\"]\n";
const OTHER_TF: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  force_destroy = true\n}\n";

struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("main.tf"), MAIN_TF).unwrap();
        std::fs::write(dir.path().join("other.tf"), OTHER_TF).unwrap();
        // The fixtures' buckets have no `prevent_destroy`; that info finding is not what these
        // tests are about.
        std::fs::write(dir.path().join("redline.toml"), BASE_CONFIG).unwrap();
        Self { dir }
    }

    fn uri(&self, name: &str) -> String {
        file_uri(&self.dir.path().join(name))
    }
}

fn initialize(
    client: &mut LspClient,
    workspace: &Workspace,
    general: Value,
    options: Value,
) -> Value {
    let capabilities = json!({
        "general": general,
        "window": {"workDoneProgress": true},
        "workspace": {
            "workspaceEdit": {"documentChanges": true},
            "didChangeWatchedFiles": {"dynamicRegistration": true}
        },
        "textDocument": {"publishDiagnostics": {"versionSupport": true}}
    });
    client.initialize(workspace.dir.path(), capabilities, options)
}

/// The document version a pulled report's result id is for: the id is the version, then the
/// generation of the document's folder.
fn result_version(report: &Value) -> &str {
    let id = report["resultId"].as_str().expect("a result id");
    id.split('.').next().unwrap_or(id)
}

fn open(client: &mut LspClient, uri: &str, text: &str) {
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "terraform", "version": 1, "text": text}}),
    );
}

fn change(client: &mut LspClient, uri: &str, version: i64, changes: Value) {
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
    );
}

fn range(start: (u64, u64), end: (u64, u64)) -> Value {
    json!({"start": {"line": start.0, "character": start.1},
           "end": {"line": end.0, "character": end.1}})
}

fn code_actions(
    client: &mut LspClient,
    uri: &str,
    diagnostic: &Value,
    only: Option<&str>,
) -> Vec<Value> {
    let mut context = json!({"diagnostics": [diagnostic]});
    if let Some(only) = only {
        context["only"] = json!([only]);
    }
    client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": diagnostic["range"], "context": context}),
        )
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// The pulled report of `uri`, naming the result id of the report the client holds.
fn pull_report(client: &mut LspClient, uri: &str, previous: &Value) -> Value {
    client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}, "previousResultId": previous}),
        )
        .unwrap()
}

/// The text edits of a single-document `WorkspaceEdit` with `documentChanges`, checking that
/// they are pinned to `version`.
fn document_edits(edit: &Value, version: i64) -> Vec<Value> {
    let change = &edit["documentChanges"][0];
    assert_eq!(change["textDocument"]["version"], version);
    change["edits"].as_array().unwrap().clone()
}

#[test]
fn utf16_diagnostics_edits_code_actions_pull_and_shutdown() {
    let workspace = Workspace::new();
    let mut client = LspClient::start(workspace.dir.path());
    let init = initialize(&mut client, &workspace, json!({}), Value::Null);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2);
    assert_eq!(init["serverInfo"]["name"], "redline");

    // The workspace scan reports files that are not open, with progress.
    let other = workspace.uri("other.tf");
    let scanned = client.diagnostics(&other, Value::Null);
    assert_eq!(scanned.len(), 1);
    assert_eq!(scanned[0]["range"], range((1, 2), (1, 22)));
    client.notification("$/progress", |params| params["value"]["kind"] == "end");
    assert!(client.saw(|message| message["method"] == "window/workDoneProgress/create"));
    assert!(client.saw(|message| message["method"] == "client/registerCapability"));

    let uri = workspace.uri("main.tf");
    let mut text = MAIN_TF.to_owned();
    open(&mut client, &uri, &text);
    let diagnostics = client.diagnostics(&uri, json!(1));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["range"], range((1, 37), (1, 57)));
    assert_eq!(diagnostic["code"], "RL-TF-010");
    assert_eq!(diagnostic["source"], "redline");
    assert_eq!(diagnostic["severity"], 1);
    assert_eq!(
        diagnostic["codeDescription"]["href"],
        "https://github.com/redline-lint/redline/blob/main/docs/rules/RL-TF-010.md"
    );
    assert_eq!(diagnostic["data"]["rule"], "RL-TF-010");
    assert!(diagnostic["data"]["report"].is_string(), "{diagnostic}");

    // Replace the emoji (UTF-16 columns 29..31) with one ASCII letter: the finding moves left by
    // one unit.
    change(
        &mut client,
        &uri,
        2,
        json!([{"range": range((1, 29), (1, 31)), "text": "x"}]),
    );
    text = text.replacen('🚀', "x", 1);
    let diagnostics = client.diagnostics(&uri, json!(2));
    assert_eq!(diagnostics[0]["range"], range((1, 36), (1, 56)));

    // Typing `false` over `true` makes the finding disappear, and back makes it reappear.
    change(
        &mut client,
        &uri,
        3,
        json!([{"range": range((1, 52), (1, 56)), "text": "false"}]),
    );
    assert_eq!(client.diagnostics(&uri, json!(3)), Vec::<Value>::new());
    change(
        &mut client,
        &uri,
        4,
        json!([{"range": range((1, 52), (1, 57)), "text": "true"}]),
    );
    let diagnostics = client.diagnostics(&uri, json!(4));
    assert_eq!(diagnostics.len(), 1);
    let diagnostic = diagnostics[0].clone();

    // Pull diagnostics give the same findings for the current version.
    let pulled = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert_eq!(pulled["kind"], "full");
    assert_eq!(result_version(&pulled), "4");
    assert_eq!(pulled["items"], json!([diagnostic]));
    let unchanged = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}, "previousResultId": pulled["resultId"]}),
        )
        .unwrap();
    assert_eq!(unchanged["kind"], "unchanged");
    let report = client
        .request("workspace/diagnostic", json!({"previousResultIds": []}))
        .unwrap();
    let items = report["items"].as_array().unwrap();
    let reported: Vec<(&str, usize)> = items
        .iter()
        .map(|item| {
            (
                item["uri"].as_str().unwrap(),
                item["items"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(reported, [(uri.as_str(), 1), (other.as_str(), 1)]);

    // Hover shows the rule's documentation; the command explains a rule.
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 40}}),
        )
        .unwrap();
    assert_eq!(hover["contents"]["kind"], "markdown");
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.contains("**RL-TF-010** `force-destroy-enabled`"),
        "{markdown}"
    );
    assert!(markdown.contains("## Why it matters"), "{markdown}");
    assert_eq!(hover["range"], diagnostic["range"]);
    let explained = client
        .request(
            "workspace/executeCommand",
            json!({"command": "redline.explain", "arguments": ["force-destroy-enabled"]}),
        )
        .unwrap();
    assert!(explained.as_str().unwrap().contains("RL-TF-010"));

    // The quick fix is preferred; applying its edit and sending it back clears the finding.
    let actions = code_actions(&mut client, &uri, &diagnostic, None);
    let titles: Vec<&str> = actions
        .iter()
        .map(|action| action["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Set `force_destroy = false` (RL-TF-010)",
            "Suppress RL-TF-010 here (add reason)",
            "redline: apply all safe fixes"
        ]
    );
    assert_eq!(actions[0]["kind"], "quickfix");
    assert_eq!(actions[0]["isPreferred"], true);
    assert_eq!(actions[0]["diagnostics"][0]["code"], "RL-TF-010");
    assert_eq!(actions[2]["kind"], "source.fixAll.redline");
    let edits = document_edits(&actions[0]["edit"], 4);
    let fixed = apply_edits(&text, &edits, false);
    assert!(
        fixed.contains("\"x中文\" { force_destroy = false }\n"),
        "{fixed}"
    );
    change(
        &mut client,
        &uri,
        5,
        Value::Array(
            edits
                .iter()
                .map(|edit| json!({"range": edit["range"], "text": edit["newText"]}))
                .collect(),
        ),
    );
    assert_eq!(client.diagnostics(&uri, json!(5)), Vec::<Value>::new());

    // Suppressing inserts a comment above the finding, which silences it.
    change(&mut client, &uri, 6, json!([{"text": text}]));
    let diagnostic = client.diagnostics(&uri, json!(6))[0].clone();
    let actions = code_actions(&mut client, &uri, &diagnostic, Some("quickfix"));
    assert_eq!(actions.len(), 2);
    let suppressed = apply_edits(&text, &document_edits(&actions[1]["edit"], 6), false);
    assert!(
        suppressed
            .contains("\n# redline:ignore RL-TF-010 -- <reason>\nresource \"aws_backup_vault\""),
        "{suppressed}"
    );
    change(&mut client, &uri, 7, json!([{"text": suppressed}]));
    assert_eq!(client.diagnostics(&uri, json!(7)), Vec::<Value>::new());

    // `source.fixAll` applies every safe fix.
    change(&mut client, &uri, 8, json!([{"text": text}]));
    let diagnostic = client.diagnostics(&uri, json!(8))[0].clone();
    let actions = code_actions(&mut client, &uri, &diagnostic, Some("source.fixAll"));
    assert_eq!(actions.len(), 1);
    let all_fixed = apply_edits(&text, &document_edits(&actions[0]["edit"], 8), false);
    assert_eq!(all_fixed, fixed);

    // Bad input is answered with errors, and the server keeps serving.
    let error = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 99, "character": 0}}),
        )
        .unwrap_err();
    assert_eq!(error["code"], -32602);
    assert_eq!(
        client.request("redline/unknown", json!({})).unwrap_err()["code"],
        -32601
    );
    change(
        &mut client,
        &uri,
        9,
        json!([{"range": range((40, 0), (41, 0)), "text": "x"}]),
    );
    let logged = client.notification("window/logMessage", |params| params["type"] == 1);
    assert!(
        logged["message"]
            .as_str()
            .unwrap()
            .contains("cannot apply a change"),
        "{logged}"
    );
    let pulled = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert_eq!(pulled["items"].as_array().unwrap().len(), 1);
    client.send_raw(b"{\"jsonrpc\": \"2.0\", \"id\": 99, \"method\": ");
    let error = client.response(&Value::Null).unwrap_err();
    assert_eq!(error["code"], -32700);
    let pulled = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert_eq!(pulled["items"].as_array().unwrap().len(), 1);

    // Closing clears the document's diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    client.notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri && params["diagnostics"] == json!([])
    });

    let status = client.shutdown();
    assert_eq!(status.code(), Some(0));
}

#[test]
fn utf8_is_negotiated_when_offered() {
    let workspace = Workspace::new();
    let mut client = LspClient::start(workspace.dir.path());
    let init = initialize(
        &mut client,
        &workspace,
        json!({"positionEncodings": ["utf-16", "utf-8"]}),
        json!({"scanWorkspace": false}),
    );
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    let uri = workspace.uri("main.tf");
    open(&mut client, &uri, MAIN_TF);
    let diagnostics = client.diagnostics(&uri, json!(1));
    assert_eq!(diagnostics[0]["range"], range((1, 43), (1, 63)));
    // The emoji is bytes 29..33; replacing it with one byte moves the finding by three.
    change(
        &mut client,
        &uri,
        2,
        json!([{"range": range((1, 29), (1, 33)), "text": "x"}]),
    );
    let diagnostics = client.diagnostics(&uri, json!(2));
    assert_eq!(diagnostics[0]["range"], range((1, 40), (1, 60)));
    let text = MAIN_TF.replacen('🚀', "x", 1);
    let actions = code_actions(&mut client, &uri, &diagnostics[0], Some("quickfix"));
    let fixed = apply_edits(&text, &document_edits(&actions[0]["edit"], 2), true);
    assert!(fixed.contains("{ force_destroy = false }"), "{fixed}");
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn settings_and_redline_toml_change_what_is_reported() {
    let workspace = Workspace::new();
    let mut client = LspClient::start(workspace.dir.path());
    initialize(
        &mut client,
        &workspace,
        json!({}),
        json!({"scanWorkspace": false, "rules": {"disable": ["force-destroy-enabled"]}}),
    );
    let uri = workspace.uri("main.tf");
    open(&mut client, &uri, MAIN_TF);
    assert_eq!(client.diagnostics(&uri, json!(1)), Vec::<Value>::new());

    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"redline": {"rules": {"severity": {"RL-TF-010": "info"}}}}}),
    );
    let diagnostics = client.diagnostics(&uri, json!(1));
    assert_eq!(diagnostics[0]["severity"], 3);

    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"redline": {"severity": "warning", "rules": {"severity": {"RL-TF-010": "info"}}}}}),
    );
    assert_eq!(client.diagnostics(&uri, json!(1)), Vec::<Value>::new());

    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"redline": {}}}),
    );
    assert_eq!(client.diagnostics(&uri, json!(1)).len(), 1);

    let config = workspace.dir.path().join("redline.toml");
    std::fs::write(
        &config,
        "[rules]\ndisable = [\"RL-TF-010\", \"RL-TF-019\"]\n",
    )
    .unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": file_uri(&config), "type": 1}]}),
    );
    assert_eq!(client.diagnostics(&uri, json!(1)), Vec::<Value>::new());
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn the_lsp_reports_what_the_cli_reports() {
    let workspace = Workspace::new();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_redline"))
        .args([
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "main.tf",
            "other.tf",
        ])
        .current_dir(workspace.dir.path())
        .env("REDLINE_TODAY", "2026-06-01")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let from_cli: Vec<(String, String, u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["path"].as_str().unwrap().to_owned(),
                finding["rule"].as_str().unwrap().to_owned(),
                finding["range"]["start"]["line"].as_u64().unwrap() - 1,
                finding["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();

    let mut client = LspClient::start(workspace.dir.path());
    initialize(
        &mut client,
        &workspace,
        json!({}),
        json!({"scanWorkspace": false}),
    );
    let mut from_lsp = Vec::new();
    for name in ["main.tf", "other.tf"] {
        let uri = workspace.uri(name);
        let text = std::fs::read_to_string(workspace.dir.path().join(name)).unwrap();
        open(&mut client, &uri, &text);
        for diagnostic in client.diagnostics(&uri, json!(1)) {
            from_lsp.push((
                name.to_owned(),
                diagnostic["code"].as_str().unwrap().to_owned(),
                diagnostic["range"]["start"]["line"].as_u64().unwrap(),
                diagnostic["message"].as_str().unwrap().to_owned(),
            ));
        }
    }
    assert_eq!(from_lsp, from_cli);
    assert_eq!(client.shutdown().code(), Some(0));
}

/// A value that comes through a variable is read from the module's other files: the command
/// line, named only the file, and the editor, which has only that file open, find the same
/// finding through `variables.tf` and `terraform.tfvars`.
#[test]
fn the_lsp_and_the_cli_read_the_same_module() {
    let workspace = Workspace::new();
    let module = workspace.dir.path().join("stack");
    std::fs::create_dir(&module).unwrap();
    let main = "resource \"aws_s3_bucket\" \"data\" {\n  force_destroy = var.force_destroy\n}\n";
    std::fs::write(module.join("main.tf"), main).unwrap();
    std::fs::write(
        module.join("variables.tf"),
        "variable \"force_destroy\" {\n  default = false\n}\n",
    )
    .unwrap();
    std::fs::write(module.join("terraform.tfvars"), "force_destroy = true\n").unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_redline"))
        .args([
            "check",
            "--format",
            "json",
            "--fail-on",
            "never",
            "stack/main.tf",
        ])
        .current_dir(workspace.dir.path())
        .env("REDLINE_TODAY", "2026-06-01")
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let from_cli: Vec<(String, u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap().to_owned(),
                finding["range"]["start"]["line"].as_u64().unwrap() - 1,
                finding["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(from_cli.len(), 1, "{from_cli:?}");
    assert!(
        from_cli[0].2.contains("(set in terraform.tfvars:1)"),
        "{from_cli:?}"
    );

    let mut client = LspClient::start(workspace.dir.path());
    initialize(
        &mut client,
        &workspace,
        json!({}),
        json!({"scanWorkspace": false}),
    );
    let uri = workspace.uri("stack/main.tf");
    open(&mut client, &uri, main);
    let from_lsp: Vec<(String, u64, String)> = client
        .diagnostics(&uri, json!(1))
        .iter()
        .map(|diagnostic| {
            (
                diagnostic["code"].as_str().unwrap().to_owned(),
                diagnostic["range"]["start"]["line"].as_u64().unwrap(),
                diagnostic["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(from_lsp, from_cli);
    assert_eq!(client.shutdown().code(), Some(0));
}

/// A file that `redline.toml` excludes has no findings in the editor, as in `redline check`,
/// whether the command walks to it or names it; the same text beside it has its findings.
#[test]
fn an_excluded_file_has_no_findings_in_the_editor_or_the_cli() {
    let workspace = Workspace::new();
    std::fs::write(
        workspace.dir.path().join("redline.toml"),
        format!("exclude = [\"vendor\"]\n{BASE_CONFIG}"),
    )
    .unwrap();
    std::fs::create_dir(workspace.dir.path().join("vendor")).unwrap();
    std::fs::write(workspace.dir.path().join("vendor/main.tf"), OTHER_TF).unwrap();
    for paths in [&["."][..], &["vendor/main.tf", "other.tf"]] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_redline"))
            .args(["check", "--format", "json", "--fail-on", "never"])
            .args(paths)
            .current_dir(workspace.dir.path())
            .env("REDLINE_TODAY", "2026-06-01")
            .output()
            .unwrap();
        let report: Value = serde_json::from_slice(&output.stdout).unwrap();
        let mut reported: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| finding["path"].as_str().unwrap())
            .collect();
        reported.dedup();
        assert!(reported.contains(&"other.tf"), "{paths:?}: {reported:?}");
        assert!(
            !reported.contains(&"vendor/main.tf"),
            "{paths:?}: {reported:?}"
        );
    }

    let mut client = LspClient::start(workspace.dir.path());
    initialize(
        &mut client,
        &workspace,
        json!({}),
        json!({"scanWorkspace": false}),
    );
    let excluded = workspace.uri("vendor/main.tf");
    open(&mut client, &excluded, OTHER_TF);
    assert_eq!(client.diagnostics(&excluded, json!(1)), Vec::<Value>::new());
    let analysed = workspace.uri("other.tf");
    open(&mut client, &analysed, OTHER_TF);
    let codes: Vec<Value> = client
        .diagnostics(&analysed, json!(1))
        .iter()
        .map(|diagnostic| diagnostic["code"].clone())
        .collect();
    assert!(codes.contains(&json!("RL-TF-010")), "{codes:?}");
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn the_server_exits_when_its_client_process_is_gone() {
    let workspace = Workspace::new();
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let pid = gone.id();
    gone.wait().unwrap();
    let mut client = LspClient::start(workspace.dir.path());
    // The server may exit before it answers, so the answer is not awaited.
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {"processId": pid, "capabilities": {}}});
    client.send_raw(initialize.to_string().as_bytes());
    let status = client.wait();
    assert!(!status.success());
}

#[test]
fn clients_that_pull_get_fresh_results_after_a_settings_change() {
    let workspace = Workspace::new();
    let mut client = LspClient::start(workspace.dir.path());
    let root = file_uri(workspace.dir.path());
    client
        .request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "workspaceFolders": [{"uri": root, "name": "ws"}],
                "initializationOptions": {"scanWorkspace": false},
                "capabilities": {
                    "textDocument": {"diagnostic": {"dynamicRegistration": false}},
                    "workspace": {"diagnostics": {"refreshSupport": true}}
                }
            }),
        )
        .unwrap();
    client.notify("initialized", json!({}));
    let uri = workspace.uri("main.tf");
    open(&mut client, &uri, MAIN_TF);
    let pull = |client: &mut LspClient| {
        client
            .request(
                "textDocument/diagnostic",
                json!({"textDocument": {"uri": uri}}),
            )
            .unwrap()["items"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(pull(&mut client), 1);

    client.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"redline": {"rules": {"disable": ["RL-TF-010"]}}}}),
    );
    // The server asks the client to pull again, and the pull reflects the new settings.
    client.notification("workspace/diagnostic/refresh", |_| true);
    assert_eq!(pull(&mut client), 0);
    // A pulling client gets no pushed diagnostics.
    assert!(!client.saw(|message| message["method"] == "textDocument/publishDiagnostics"));
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn a_pulling_client_learns_when_another_module_file_changes_a_documents_findings() {
    let workspace = Workspace::new();
    let dir = workspace.dir.path();
    std::fs::remove_file(dir.join("other.tf")).unwrap();
    let main = "resource \"aws_s3_bucket\" \"logs\" {\n  force_destroy = var.force_destroy\n}\n";
    let variables = "variable \"force_destroy\" {\n  default = false\n}\n";
    std::fs::write(dir.join("main.tf"), main).unwrap();
    std::fs::write(dir.join("variables.tf"), variables).unwrap();
    let mut client = LspClient::start(dir);
    let root = file_uri(dir);
    let initialized = client
        .request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "workspaceFolders": [{"uri": root, "name": "ws"}],
                "initializationOptions": {"scanWorkspace": false},
                "capabilities": {
                    "textDocument": {"diagnostic": {"dynamicRegistration": false}},
                    "workspace": {"diagnostics": {"refreshSupport": true}}
                }
            }),
        )
        .unwrap();
    assert_eq!(
        initialized["capabilities"]["diagnosticProvider"]["interFileDependencies"],
        true
    );
    client.notify("initialized", json!({}));
    let main_uri = workspace.uri("main.tf");
    let variables_uri = workspace.uri("variables.tf");
    open(&mut client, &main_uri, main);
    open(&mut client, &variables_uri, variables);
    let pull = |client: &mut LspClient, previous: &Value| pull_report(client, &main_uri, previous);
    let rules = |report: &Value| -> Vec<String> {
        report["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["code"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let first = pull(&mut client, &Value::Null);
    assert!(!rules(&first).contains(&"RL-TF-010".to_owned()), "{first}");
    // Unchanged since: the same result id.
    let again = pull(&mut client, &first["resultId"]);
    assert_eq!(again["kind"], "unchanged", "{again}");

    // Editing the default in the other file makes main.tf's bucket deletable with its objects:
    // the server asks the client to pull again, and main.tf's report changes.
    change(
        &mut client,
        &variables_uri,
        2,
        json!([{"range": range((1, 12), (1, 17)), "text": "true"}]),
    );
    client.notification("workspace/diagnostic/refresh", |_| true);
    let after = pull(&mut client, &first["resultId"]);
    assert_eq!(after["kind"], "full", "{after}");
    assert!(rules(&after).contains(&"RL-TF-010".to_owned()), "{after}");

    // Closing the edited file: main.tf is read with variables.tf from disk again.
    client.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": variables_uri}}),
    );
    client.notification("workspace/diagnostic/refresh", |_| true);
    let closed = pull(&mut client, &after["resultId"]);
    assert!(
        !rules(&closed).contains(&"RL-TF-010".to_owned()),
        "{closed}"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

const COMMITTED_TF: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"lögs\"\n}\n";

/// A workspace that is a git repository with `main.tf` committed.
fn committed_workspace() -> Workspace {
    let workspace = Workspace::new();
    std::fs::write(workspace.dir.path().join("main.tf"), COMMITTED_TF).unwrap();
    std::fs::remove_file(workspace.dir.path().join("other.tf")).unwrap();
    std::fs::write(
        workspace.dir.path().join("redline.toml"),
        "[rules]\ndisable = [\"RL-TF-019\"]\n",
    )
    .unwrap();
    git(workspace.dir.path(), &["init", "-q", "-b", "main"]);
    git(workspace.dir.path(), &["add", "-A"]);
    git(workspace.dir.path(), &["commit", "-q", "-m", "base"]);
    workspace
}

#[test]
fn edits_are_judged_against_the_committed_text() {
    let workspace = committed_workspace();
    let mut client = LspClient::start(workspace.dir.path());
    initialize(
        &mut client,
        &workspace,
        json!({}),
        json!({"scanWorkspace": false}),
    );
    let uri = workspace.uri("main.tf");
    open(&mut client, &uri, COMMITTED_TF);
    assert_eq!(client.diagnostics(&uri, json!(1)), Vec::<Value>::new());

    // Typing `force_destroy = true` shows the finding, with its fix as a quick fix.
    let added = "  force_destroy = true\n";
    change(
        &mut client,
        &uri,
        2,
        json!([{"range": range((2, 0), (2, 0)), "text": added}]),
    );
    let diagnostics = client.diagnostics(&uri, json!(2));
    let codes: Vec<&Value> = diagnostics.iter().map(|d| &d["code"]).collect();
    // Turning on `force_destroy` also weakens the bucket's guard (RL-TF-020, an edit rule).
    assert_eq!(codes, [&json!("RL-TF-010"), &json!("RL-TF-020")]);
    assert_eq!(diagnostics[0]["range"], range((2, 2), (2, 22)));
    let text = COMMITTED_TF.replace("\"lögs\"\n", &format!("\"lögs\"\n{added}"));
    let actions = code_actions(&mut client, &uri, &diagnostics[0], Some("quickfix"));
    let fixed = apply_edits(&text, &document_edits(&actions[0]["edit"], 2), false);
    assert!(fixed.contains("force_destroy = false"), "{fixed}");

    // Removing the line again makes it go.
    change(
        &mut client,
        &uri,
        3,
        json!([{"range": range((2, 0), (3, 0)), "text": ""}]),
    );
    assert_eq!(client.diagnostics(&uri, json!(3)), Vec::<Value>::new());
    assert_eq!(client.shutdown().code(), Some(0));
}

/// A deleted file has no document: what its deletion destroys is shown at the start of the
/// open files of its module, and goes when the file comes back.
#[test]
fn a_deleted_module_file_is_reported_on_the_open_files_of_its_module() {
    let workspace = committed_workspace();
    let dir = workspace.dir.path();
    std::fs::write(
        dir.join("db.tf"),
        "resource \"aws_db_instance\" \"orders\" {\n  engine = \"postgres\"\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("outputs.tf"),
        "output \"name\" {\n  value = \"x\"\n}\n",
    )
    .unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "database"]);
    let mut client = LspClient::start(dir);
    initialize(
        &mut client,
        &workspace,
        json!({}),
        json!({"scanWorkspace": false}),
    );
    let uri = workspace.uri("main.tf");
    open(&mut client, &uri, COMMITTED_TF);
    assert_eq!(client.diagnostics(&uri, json!(1)), Vec::<Value>::new());

    let deleted = |client: &mut LspClient, name: &str, typ: u64| {
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({"changes": [{"uri": workspace.uri(name), "type": typ}]}),
        );
    };
    // A file of outputs only: nothing is destroyed.
    std::fs::remove_file(dir.join("outputs.tf")).unwrap();
    deleted(&mut client, "outputs.tf", 3);
    assert_eq!(client.diagnostics(&uri, json!(1)), Vec::<Value>::new());

    std::fs::remove_file(dir.join("db.tf")).unwrap();
    deleted(&mut client, "db.tf", 3);
    let diagnostics = client.diagnostics(&uri, json!(1));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["code"], "RL-TF-001");
    assert_eq!(diagnostics[0]["severity"], 1);
    assert_eq!(diagnostics[0]["range"], range((0, 0), (0, 0)));
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`aws_db_instance.orders` was removed with its file `db.tf`"),
        "{message}"
    );

    git(dir, &["checkout", "--", "db.tf"]);
    deleted(&mut client, "db.tf", 1);
    assert_eq!(client.diagnostics(&uri, json!(1)), Vec::<Value>::new());
    assert_eq!(client.shutdown().code(), Some(0));
}

/// A `moved` block typed in another open file of the module settles the rename: the renamed
/// file's findings are published again without it.
#[test]
fn a_moved_block_in_another_open_file_settles_a_rename() {
    let workspace = committed_workspace();
    let mut client = LspClient::start(workspace.dir.path());
    initialize(
        &mut client,
        &workspace,
        json!({}),
        json!({"scanWorkspace": false}),
    );
    let main = workspace.uri("main.tf");
    let moves = workspace.uri("moves.tf");
    open(&mut client, &main, COMMITTED_TF);
    assert_eq!(client.diagnostics(&main, json!(1)), Vec::<Value>::new());
    open(&mut client, &moves, "");
    assert_eq!(client.diagnostics(&moves, json!(1)), Vec::<Value>::new());

    let renamed = COMMITTED_TF.replacen("logs", "archive", 1);
    change(&mut client, &main, 2, json!([{ "text": renamed }]));
    let diagnostics = client.diagnostics(&main, json!(2));
    let codes: Vec<&Value> = diagnostics.iter().map(|d| &d["code"]).collect();
    assert_eq!(codes, [&json!("RL-TF-002")], "{diagnostics:#?}");

    let moved = "moved {\n  from = aws_s3_bucket.logs\n  to   = aws_s3_bucket.archive\n}\n";
    change(&mut client, &moves, 2, json!([{ "text": moved }]));
    assert_eq!(client.diagnostics(&moves, json!(2)), Vec::<Value>::new());
    assert_eq!(client.diagnostics(&main, json!(2)), Vec::<Value>::new());
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn renaming_a_resource_asks_for_moved_until_the_fix_is_applied() {
    let workspace = committed_workspace();
    let mut client = LspClient::start(workspace.dir.path());
    initialize(
        &mut client,
        &workspace,
        json!({}),
        json!({"scanWorkspace": false}),
    );
    let uri = workspace.uri("main.tf");
    open(&mut client, &uri, COMMITTED_TF);
    assert_eq!(client.diagnostics(&uri, json!(1)), Vec::<Value>::new());

    // `logs` → `archive`: the committed address would be destroyed.
    change(
        &mut client,
        &uri,
        2,
        json!([{"range": range((0, 26), (0, 30)), "text": "archive"}]),
    );
    let diagnostics = client.diagnostics(&uri, json!(2));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "RL-TF-002");
    assert_eq!(diagnostics[0]["range"], range((0, 25), (0, 34)));
    let text = COMMITTED_TF.replacen("logs", "archive", 1);
    let actions = code_actions(&mut client, &uri, &diagnostics[0], Some("quickfix"));
    let edits = document_edits(&actions[0]["edit"], 2);
    let fixed = apply_edits(&text, &edits, false);
    assert!(
        fixed.contains("moved {\n  from = aws_s3_bucket.logs\n  to   = aws_s3_bucket.archive\n}"),
        "{fixed}"
    );

    // The client applies the fix: the finding goes.
    change(&mut client, &uri, 3, json!([{ "text": fixed }]));
    assert_eq!(client.diagnostics(&uri, json!(3)), Vec::<Value>::new());
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn a_commit_in_a_terminal_clears_the_findings_it_made_stale() {
    let workspace = committed_workspace();
    let mut client = LspClient::start(workspace.dir.path());
    // Like Neovim on Linux: no file watching, and pull diagnostics without refresh.
    let init = client.initialize(
        workspace.dir.path(),
        json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}}),
        json!({"scanWorkspace": false, "debounceMs": 0}),
    );
    // Such a client could not be asked to pull again after the commit: it is pushed findings.
    assert_eq!(init["capabilities"].get("diagnosticProvider"), None);
    let uri = workspace.uri("main.tf");
    open(&mut client, &uri, COMMITTED_TF);
    assert_eq!(client.diagnostics(&uri, json!(1)), Vec::<Value>::new());

    // `logs` → `archive`, saved but not committed: the committed address would be destroyed.
    change(
        &mut client,
        &uri,
        2,
        json!([{"range": range((0, 26), (0, 30)), "text": "archive"}]),
    );
    let diagnostics = client.diagnostics(&uri, json!(2));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(diagnostics[0]["code"], "RL-TF-002");
    let renamed = COMMITTED_TF.replacen("logs", "archive", 1);
    std::fs::write(workspace.dir.path().join("main.tf"), &renamed).unwrap();

    // Committing in a terminal moves `HEAD`: the server sees it without a keystroke, and the
    // rename is no longer an edit.
    git(workspace.dir.path(), &["commit", "-q", "-am", "rename"]);
    let cleared = client.notification("textDocument/publishDiagnostics", |params| {
        params["uri"] == uri.as_str() && params["version"] == 2
    });
    assert_eq!(cleared["diagnostics"], json!([]));
    assert_eq!(client.shutdown().code(), Some(0));
}

#[test]
fn errors_come_first_and_infos_may_be_hints() {
    let workspace = Workspace::new();
    std::fs::write(workspace.dir.path().join("redline.toml"), "").unwrap();
    let mut client = LspClient::start(workspace.dir.path());
    initialize(
        &mut client,
        &workspace,
        json!({}),
        json!({"scanWorkspace": false, "infoAsHint": true}),
    );
    let uri = workspace.uri("other.tf");
    open(&mut client, &uri, OTHER_TF);
    let diagnostics = client.diagnostics(&uri, json!(1));
    let found: Vec<(&str, u64)> = diagnostics
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["severity"].as_u64().unwrap()))
        .collect();
    // The bucket's missing `prevent_destroy` (an info, at the `resource` line) comes after the
    // error on the line below it, and is a hint.
    assert_eq!(found, [("RL-TF-010", 1), ("RL-TF-019", 4)]);
    assert_eq!(client.shutdown().code(), Some(0));
}

/// The resident memory of a process, in KiB, from `/proc/PID/status`.
fn resident_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// A client that sends 10,000 edits as fast as it can: the server keeps up, its memory stays
/// bounded (under 200 MiB more than before the edits; a debug build at rest uses about 30 MiB),
/// and the last diagnostics it publishes are for the last version, never a stale one.
#[test]
fn ten_thousand_rapid_edits() {
    let workspace = Workspace::new();
    let mut client = LspClient::start(workspace.dir.path());
    initialize(&mut client, &workspace, json!({}), Value::Null);
    let uri = workspace.uri("other.tf");
    open(&mut client, &uri, OTHER_TF);
    assert_eq!(client.diagnostics(&uri, json!(1)).len(), 1);
    let before = resident_kib(client.pid());

    // Each edit types one character into the bucket's name, then the next removes it again.
    let n_edits = 10_000;
    for version in 2..2 + n_edits {
        let edit = if version % 2 == 0 {
            json!([{"range": range((0, 31), (0, 31)), "text": "é"}])
        } else {
            json!([{"range": range((0, 31), (0, 32)), "text": ""}])
        };
        change(&mut client, &uri, version, edit);
    }
    let last = 1 + n_edits;
    let diagnostics = client.diagnostics(&uri, json!(last));
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["range"], range((1, 2), (1, 22)));
    let after = resident_kib(client.pid());
    assert!(
        after < before + 200 * 1024,
        "resident memory grew from {before} KiB to {after} KiB"
    );

    // Whatever was published before, nothing stale follows the last version: wait past the
    // debounce, then make a round trip so that everything sent before it has arrived.
    client.take_received("textDocument/publishDiagnostics");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let pulled = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert_eq!(result_version(&pulled), last.to_string());
    for params in client.take_received("textDocument/publishDiagnostics") {
        assert_eq!(params["version"], json!(last), "{params}");
    }
    let status = client.shutdown();
    assert_eq!(status.code(), Some(0));
}

/// A pulled report that an edit leaves as it was (the findings at the same lines and columns)
/// is answered as unchanged, and the findings the client holds from the earlier version still
/// lead to their fixes, on the current version; once an edit moves them, they lead to none.
#[test]
fn a_report_an_edit_leaves_as_it_was_is_unchanged_and_keeps_its_fixes() {
    let workspace = Workspace::new();
    let mut client = LspClient::start(workspace.dir.path());
    initialize(&mut client, &workspace, json!({}), Value::Null);
    let uri = workspace.uri("main.tf");
    open(&mut client, &uri, MAIN_TF);
    let held = client.diagnostics(&uri, json!(1))[0].clone();
    let pull = |client: &mut LspClient, previous: &Value| pull_report(client, &uri, previous);
    let first = pull(&mut client, &Value::Null);
    assert_eq!(first["kind"], "full");
    assert_eq!(first["items"], json!([held]));

    // A comment typed below the findings leaves them where they were.
    let end = MAIN_TF.lines().count() as u64;
    change(
        &mut client,
        &uri,
        2,
        json!([{"range": range((end, 0), (end, 0)), "text": "# more\n"}]),
    );
    assert_eq!(
        client.diagnostics(&uri, json!(2)),
        std::slice::from_ref(&held)
    );
    let second = pull(&mut client, &first["resultId"]);
    assert_eq!(second["kind"], "unchanged", "{second}");
    assert_eq!(result_version(&second), "2");
    let actions = code_actions(&mut client, &uri, &held, Some("quickfix"));
    assert_eq!(
        actions[0]["title"], "Set `force_destroy = false` (RL-TF-010)",
        "{actions:#?}"
    );
    assert_eq!(document_edits(&actions[0]["edit"], 2).len(), 1);

    // A line added above moves them: the report changes, and the findings held from before
    // lead to no fix.
    change(
        &mut client,
        &uri,
        3,
        json!([{"range": range((0, 0), (0, 0)), "text": "# top\n"}]),
    );
    let moved = client.diagnostics(&uri, json!(3));
    assert_eq!(moved[0]["range"], range((2, 37), (2, 57)));
    assert_ne!(moved[0]["data"]["report"], held["data"]["report"]);
    let third = pull(&mut client, &second["resultId"]);
    assert_eq!(third["kind"], "full", "{third}");
    assert_eq!(third["items"], json!(moved));
    assert_eq!(
        code_actions(&mut client, &uri, &held, Some("quickfix")),
        Vec::<Value>::new()
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

/// Requests about documents that were never opened, edits outside the document, bad params and
/// broken frames are answered or logged, and the server keeps serving.
#[test]
fn unknown_documents_bad_params_and_broken_frames() {
    let workspace = Workspace::new();
    let mut client = LspClient::start(workspace.dir.path());
    initialize(&mut client, &workspace, json!({}), Value::Null);
    let unknown = "file:///nowhere/never-opened.tf";
    let position = json!({"line": 0, "character": 0});
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": unknown}, "position": position}),
    );
    assert!(matches!(hover, Ok(Value::Null) | Err(_)), "{hover:?}");
    let actions = client.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": unknown}, "range": range((0, 0), (0, 0)),
               "context": {"diagnostics": []}}),
    );
    assert!(
        matches!(&actions, Ok(Value::Null) | Err(_)) || actions == Ok(json!([])),
        "{actions:?}"
    );
    change(
        &mut client,
        unknown,
        2,
        json!([{"range": range((0, 0), (0, 0)), "text": "x"}]),
    );
    let logged = client.notification("window/logMessage", |params| params["type"] == 1);
    assert!(
        logged["message"].as_str().unwrap().contains("not open"),
        "{logged}"
    );

    // Edits far outside an open document, and one whose end comes before its start.
    let uri = workspace.uri("other.tf");
    open(&mut client, &uri, OTHER_TF);
    assert_eq!(client.diagnostics(&uri, json!(1)).len(), 1);
    for (version, edit) in [
        (2, range((u32::MAX.into(), 0), (u32::MAX.into(), 5))),
        (3, range((0, u32::MAX.into()), (1, u32::MAX.into()))),
        (4, range((1, 4), (0, 2))),
    ] {
        change(
            &mut client,
            &uri,
            version,
            json!([{"range": edit, "text": "x"}]),
        );
    }

    // Params of the wrong shape are invalid params; frames that are not JSON-RPC objects are
    // parse errors, answered with a null id.
    let error = client
        .request("textDocument/hover", json!("not an object"))
        .unwrap_err();
    assert_eq!(error["code"], -32602, "{error}");
    let error = client
        .request("textDocument/codeAction", json!({"textDocument": 7}))
        .unwrap_err();
    assert_eq!(error["code"], -32602, "{error}");
    for body in [
        &b"[]"[..],
        b"\"text\"",
        b"\xff\xfe",
        b"{\"jsonrpc\": \"2.0\", \"id\": 5,",
    ] {
        client.send_raw(body);
        let error = client.response(&Value::Null).unwrap_err();
        assert_eq!(error["code"], -32700, "{error}");
    }

    // Still serving: the last out-of-range edit left the text as it was, and a valid edit works.
    change(
        &mut client,
        &uri,
        5,
        json!([{"range": range((1, 18), (1, 22)), "text": "false"}]),
    );
    let pulled = client
        .request(
            "textDocument/diagnostic",
            json!({"textDocument": {"uri": uri}}),
        )
        .unwrap();
    assert_eq!(result_version(&pulled), "5");
    let status = client.shutdown();
    assert_eq!(status.code(), Some(0));
}

/// A client that dies in the middle of a request (its end of the pipe closes before it reads the
/// answer) leaves no server behind: the server exits within seconds (a one-second grace period
/// for running handlers, plus a debug build's start-up on a busy machine).
#[test]
fn the_server_exits_when_its_client_dies_mid_request() {
    let workspace = Workspace::new();
    let mut client = LspClient::start(workspace.dir.path());
    initialize(&mut client, &workspace, json!({}), Value::Null);
    let uri = workspace.uri("main.tf");
    open(&mut client, &uri, MAIN_TF);
    let request = json!({"jsonrpc": "2.0", "id": 42, "method": "textDocument/codeAction",
        "params": {"textDocument": {"uri": uri}, "range": range((0, 0), (9, 0)),
                   "context": {"diagnostics": []}}});
    client.send_raw(request.to_string().as_bytes());
    // The server has asked the client to register file watchers and has not had an answer: its
    // handler waits for a client that is gone, and the server must not wait with it.
    let closed = std::time::Instant::now();
    client.close_stdin();
    client.wait();
    assert!(closed.elapsed() < std::time::Duration::from_secs(20));
}

/// Code actions never corrupt a document: applying every safe fix through the editor gives,
/// byte for byte, what `redline check --fix` writes, with tabs, non-ASCII text, CRLF line ends
/// and no final newline.
#[test]
fn editor_fixes_match_the_command_line_byte_for_byte() {
    let workspace = Workspace::new();
    let text = "# Ünïcödé 🚀\r\nresource \"aws_s3_bucket\" \"café\" {\r\n\tbucket = \"日本語\"\r\n\tforce_destroy = true\r\n}";
    std::fs::write(workspace.dir.path().join("edge.tf"), text).unwrap();
    let mut client = LspClient::start(workspace.dir.path());
    initialize(&mut client, &workspace, json!({}), Value::Null);
    let uri = workspace.uri("edge.tf");
    open(&mut client, &uri, text);
    let diagnostics = client.diagnostics(&uri, json!(1));
    let diagnostic = diagnostics
        .iter()
        .find(|diagnostic| diagnostic["code"] == "RL-TF-010")
        .unwrap()
        .clone();
    let actions = code_actions(&mut client, &uri, &diagnostic, Some("source.fixAll"));
    assert_eq!(actions.len(), 1);
    let fixed = apply_edits(text, &document_edits(&actions[0]["edit"], 1), false);
    client.shutdown();

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(["check", "--fix", "edge.tf"])
        .current_dir(workspace.dir.path())
        .env("REDLINE_TODAY", "2026-06-01")
        .output()
        .unwrap();
    assert_ne!(output.status.code(), Some(2));
    let written = std::fs::read_to_string(workspace.dir.path().join("edge.tf")).unwrap();
    assert_eq!(fixed, written);
    assert!(fixed.contains("\tforce_destroy = false\r\n"), "{fixed:?}");
    assert!(fixed.ends_with('}'), "{fixed:?}");
}

/// Every before/after fixture pair of the edit rules, in the editor: the committed text is the
/// base, the buffer is changed to the new text, and a `fires` pair shows its rule while a
/// `quiet` pair does not.
#[test]
fn edit_fixture_pairs_in_the_editor() {
    let workspace = Workspace::new();
    let root = workspace.dir.path();
    for name in ["main.tf", "other.tf", "redline.toml"] {
        std::fs::remove_file(root.join(name)).unwrap();
    }
    let pairs: Vec<_> = edit_fixture_pairs()
        .into_iter()
        .filter(|(_, kind, _, _, _)| kind.starts_with("fires") || kind.starts_with("quiet"))
        .collect();
    // Each pair in a folder of its own: a Terraform module or a manifest folder is one unit.
    for (index, (_, kind, ext, base, _)) in pairs.iter().enumerate() {
        let path = root.join(format!("{index}/{kind}.{ext}"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, base).unwrap();
    }
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "-A"]);
    git(root, &["commit", "-q", "-m", "base"]);

    let mut client = LspClient::start(root);
    initialize(
        &mut client,
        &workspace,
        json!({}),
        json!({"scanWorkspace": false}),
    );
    for (index, (rule_name, kind, ext, base, new)) in pairs.iter().enumerate() {
        let id = redline_rules::find_rule(rule_name).unwrap().meta().id();
        let uri = workspace.uri(&format!("{index}/{kind}.{ext}"));
        open(&mut client, &uri, base);
        client.diagnostics(&uri, json!(1));
        change(&mut client, &uri, 2, json!([{ "text": new }]));
        let codes: Vec<Value> = client
            .diagnostics(&uri, json!(2))
            .iter()
            .map(|diagnostic| diagnostic["code"].clone())
            .collect();
        assert_eq!(
            codes.contains(&json!(id)),
            kind.starts_with("fires"),
            "{rule_name}/{kind}.{ext}: the editor showed {codes:?}"
        );
    }
    assert_eq!(client.shutdown().code(), Some(0));
}

/// The UTF-16 position of the first `needle` in `text`.
fn utf16_position(text: &str, needle: &str) -> Value {
    let offset = text.find(needle).unwrap();
    let line_start = text[..offset].rfind('\n').map_or(0, |newline| newline + 1);
    let line = text[..line_start].matches('\n').count();
    let character: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
    json!({"line": line, "character": character})
}

/// The Markdown of the hover at the first `needle` of an open document; `None` for no hover.
fn hover_at(client: &mut LspClient, uri: &str, text: &str, needle: &str) -> Option<Value> {
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": utf16_position(text, needle)}),
        )
        .unwrap();
    (!hover.is_null()).then_some(hover)
}

/// Hover on a Terraform attribute shows its value and where it came from: a variable whose
/// default sits in another file and which `terraform.tfvars` overrides (with the finding's rule
/// text kept), a reference, and a reusable module's input; a literal gets no value section.
/// The emoji before each hovered value pins UTF-16 columns.
#[test]
fn hover_shows_a_terraform_value_and_where_it_came_from() {
    let workspace = Workspace::new();
    let stack = workspace.dir.path().join("stack");
    std::fs::create_dir(&stack).unwrap();
    let main = "resource \"aws_s3_bucket\" \"logs\" {\n  \
                bucket        = \"🚀-logs\"\n  \
                force_destroy = /* 🚀 */ var.force_destroy\n}\n\
                resource \"aws_s3_bucket_versioning\" \"logs\" {\n  \
                bucket = /* 🚀 */ aws_s3_bucket.logs.id\n}\n\
                resource \"aws_s3_bucket\" \"scratch\" {\n  force_destroy = true\n}\n";
    std::fs::write(stack.join("main.tf"), main).unwrap();
    std::fs::write(
        stack.join("variables.tf"),
        "variable \"force_destroy\" {\n  type    = bool\n  default = false\n}\n",
    )
    .unwrap();
    std::fs::write(
        stack.join("terraform.tfvars"),
        "# Scratch environment.\n\nforce_destroy = true\n",
    )
    .unwrap();
    // A `versions.tf` with nothing but requirements lays the folder out as a published module.
    let module = workspace.dir.path().join("modules/bucket");
    std::fs::create_dir_all(&module).unwrap();
    let module_main =
        "resource \"aws_s3_bucket\" \"this\" {\n  force_destroy = /* 🚀 */ var.force_destroy\n}\n";
    std::fs::write(module.join("main.tf"), module_main).unwrap();
    std::fs::write(
        module.join("variables.tf"),
        "variable \"force_destroy\" {\n  default = true\n}\n",
    )
    .unwrap();
    std::fs::write(
        module.join("versions.tf"),
        "terraform {\n  required_providers {\n    aws = { source = \"hashicorp/aws\" }\n  }\n}\n",
    )
    .unwrap();

    let mut client = LspClient::start(workspace.dir.path());
    initialize(
        &mut client,
        &workspace,
        json!({}),
        json!({"scanWorkspace": false}),
    );
    let uri = workspace.uri("stack/main.tf");
    open(&mut client, &uri, main);
    let diagnostics = client.diagnostics(&uri, json!(1));
    let flagged: Vec<&Value> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic["code"] == "RL-TF-010")
        .collect();
    assert_eq!(flagged.len(), 2, "{diagnostics:?}");

    // A flagged attribute: the value first, then the rule's text as before.
    let hover = hover_at(&mut client, &uri, main, "var.force_destroy").unwrap();
    let markdown = hover["contents"]["value"].as_str().unwrap();
    let (value, rules) = markdown.split_once("\n\n---\n\n").unwrap();
    assert_eq!(
        value,
        "`force_destroy` = `true` — through `var.force_destroy` (set in terraform.tfvars:3; \
         default `false` in variables.tf:3)"
    );
    assert!(
        rules.starts_with("**RL-TF-010** `force-destroy-enabled`"),
        "{markdown}"
    );
    assert!(rules.contains("## Why it matters"), "{markdown}");
    // The range covers the attribute and the finding, in UTF-16 columns: the emoji is two.
    assert_eq!(hover["range"]["start"], json!({"line": 2, "character": 2}));
    assert_eq!(hover["range"]["end"], json!({"line": 2, "character": 44}));

    let hover = hover_at(&mut client, &uri, main, "aws_s3_bucket.logs.id").unwrap();
    assert_eq!(
        hover["contents"]["value"],
        "`bucket` = `aws_s3_bucket.logs.id` (known after apply)"
    );
    assert_eq!(hover["range"], range((5, 2), (5, 41)));

    // A literal has no value section: an unflagged one no hover, a flagged one its rule only.
    assert_eq!(hover_at(&mut client, &uri, main, "-logs\""), None);
    let hover = hover_at(&mut client, &uri, main, "true\n}\n").unwrap();
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(markdown.starts_with("**RL-TF-010**"), "{markdown}");
    assert!(!markdown.contains("`force_destroy` ="), "{markdown}");

    let module_uri = workspace.uri("modules/bucket/main.tf");
    open(&mut client, &module_uri, module_main);
    client.diagnostics(&module_uri, json!(1));
    let hover = hover_at(&mut client, &module_uri, module_main, "var.force_destroy").unwrap();
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert_eq!(
        markdown,
        "`force_destroy` is unknown: `var.force_destroy` is an input of a reusable module — \
         through `var.force_destroy` (set by each caller of the module; default `true` in \
         variables.tf:2)"
    );
    assert_eq!(hover["range"], range((1, 2), (1, 44)));
    assert_eq!(client.shutdown().code(), Some(0));
}

/// Editing `terraform.tfvars` is judged with the module it feeds: a value that replaces a
/// database is shown in the tfvars buffer, as `redline diff` reports it.
#[test]
fn a_tfvars_edit_shows_the_database_it_replaces() {
    let workspace = committed_workspace();
    let dir = workspace.dir.path();
    std::fs::write(
        dir.join("db.tf"),
        "resource \"aws_db_instance\" \"main\" {\n  engine = var.engine\n}\n\nvariable \"engine\" {\n  default = \"postgres\"\n}\n",
    )
    .unwrap();
    std::fs::write(dir.join("terraform.tfvars"), "engine = \"postgres\"\n").unwrap();
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "database"]);
    let mut client = LspClient::start(dir);
    initialize(
        &mut client,
        &workspace,
        json!({}),
        json!({"scanWorkspace": false}),
    );
    let uri = workspace.uri("terraform.tfvars");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "terraform-vars", "version": 1, "text": "engine = \"postgres\"\n"}}),
    );
    assert_eq!(client.diagnostics(&uri, json!(1)), Vec::<Value>::new());
    change(
        &mut client,
        &uri,
        2,
        json!([{"range": range((0, 10), (0, 18)), "text": "mysql"}]),
    );
    let diagnostics = client.diagnostics(&uri, json!(2));
    let codes: Vec<&Value> = diagnostics.iter().map(|d| &d["code"]).collect();
    assert_eq!(codes, [&json!("RL-TF-005")]);
    assert_eq!(diagnostics[0]["range"], range((0, 9), (0, 16)));
    assert_eq!(client.shutdown().code(), Some(0));
}

/// A finding at a module call's input carries the called module's line as related
/// information with that file's URI, in UTF-16 columns of that file.
#[test]
fn related_information_points_into_the_called_module() {
    let workspace = Workspace::new();
    let root = workspace.dir.path();
    std::fs::create_dir_all(root.join("app")).unwrap();
    std::fs::create_dir_all(root.join("modules/bucket")).unwrap();
    let caller =
        "module \"logs\" {\n  source        = \"../modules/bucket\"\n  force_destroy = true\n}\n";
    std::fs::write(root.join("app/main.tf"), caller).unwrap();
    // An emoji (two UTF-16 units) and a CJK character (one) before the related place.
    std::fs::write(
        root.join("modules/bucket/main.tf"),
        "variable \"force_destroy\" {\n  default = false\n}\nresource \"aws_s3_bucket\" \"this\" {\n  /* 🚀中 */ force_destroy = var.force_destroy\n}\n",
    )
    .unwrap();
    let mut client = LspClient::start(root);
    initialize(&mut client, &workspace, json!({}), Value::Null);
    let uri = workspace.uri("app/main.tf");
    open(&mut client, &uri, caller);
    let diagnostics = client.diagnostics(&uri, json!(1));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    assert_eq!(diagnostics[0]["range"], range((2, 2), (2, 22)));
    assert_eq!(
        diagnostics[0]["relatedInformation"],
        json!([{
            "location": {
                "uri": workspace.uri("modules/bucket/main.tf"),
                "range": range((4, 12), (4, 45))
            },
            "message": "`module.logs.aws_s3_bucket.this` reads the value here"
        }])
    );
    client.shutdown();
}

/// Typing a block character by character above a committed one: a prefix that is not finished
/// hides what follows from the parser, and the editor shows only the syntax error, never the
/// blocks it hides as removed.
#[test]
fn typing_a_block_never_shows_a_removal() {
    let workspace = Workspace::new();
    let committed = format!(
        "resource \"aws_db_instance\" \"orders\" {{\n  engine = \"postgres\"\n}}\n\n{COMMITTED_TF}"
    );
    std::fs::write(workspace.dir.path().join("main.tf"), &committed).unwrap();
    std::fs::remove_file(workspace.dir.path().join("other.tf")).unwrap();
    git(workspace.dir.path(), &["init", "-q", "-b", "main"]);
    git(workspace.dir.path(), &["add", "-A"]);
    git(workspace.dir.path(), &["commit", "-q", "-m", "base"]);
    let mut client = LspClient::start(workspace.dir.path());
    initialize(
        &mut client,
        &workspace,
        json!({}),
        json!({"scanWorkspace": false}),
    );
    let uri = workspace.uri("main.tf");
    open(&mut client, &uri, &committed);
    let judged = |diagnostics: &[Value]| -> Vec<String> {
        diagnostics
            .iter()
            .filter(|diagnostic| diagnostic["code"] != "RL-META-001")
            .filter(|diagnostic| diagnostic["severity"].as_u64().unwrap_or(4) <= 2)
            .map(|diagnostic| diagnostic["message"].as_str().unwrap_or("").to_owned())
            .collect()
    };
    let before = judged(&client.diagnostics(&uri, json!(1)));
    let typed = "resource \"aws_sqs_queue\" \"jobs\" {\n  name = \"jobs\"\n}\n\n";
    let mut version = 1;
    // Every fourth prefix, typed at the top of the file, each sent as one keystroke.
    let ends: Vec<usize> = (1..=typed.len()).step_by(4).collect();
    for end in ends {
        version += 1;
        let text = format!("{}{}", &typed[..end], committed);
        change(&mut client, &uri, version, json!([{ "text": text }]));
        let diagnostics = client.diagnostics(&uri, json!(version));
        let now = judged(&diagnostics);
        assert!(
            now.iter().all(|message| before.contains(message)),
            "after typing {:?}: {now:#?}",
            &typed[..end]
        );
    }
    assert_eq!(client.shutdown().code(), Some(0));
}

/// Starts a server at `root` and opens `relative` with `text`, its saved text, which has no
/// RL-TF-005 finding; then changes the buffer's VPC range from 10.0.0.0/16 to 10.1.0.0/16 and
/// returns the client, the document's URI, the edited text and its RL-TF-005 findings (one).
fn replace_vpc_in_buffer(
    root: &Path,
    relative: &str,
    text: &str,
) -> (LspClient, String, String, Vec<Value>) {
    let mut client = LspClient::start(root);
    let capabilities = json!({
        "textDocument": {"publishDiagnostics": {"versionSupport": true, "relatedInformation": true}}
    });
    client.initialize(root, capabilities, json!({"scanWorkspace": false}));
    let uri = file_uri(&root.join(relative));
    open(&mut client, &uri, text);
    let replaced = |diagnostics: Vec<Value>| -> Vec<Value> {
        diagnostics
            .into_iter()
            .filter(|diagnostic| diagnostic["code"] == "RL-TF-005")
            .collect()
    };
    assert_eq!(
        replaced(client.diagnostics(&uri, json!(1))),
        Vec::<Value>::new()
    );
    let edited = text.replace("10.0.0.0/16", "10.1.0.0/16");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": edited}]}),
    );
    let diagnostics = replaced(client.diagnostics(&uri, json!(2)));
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    (client, uri, edited, diagnostics)
}

/// The repository sample's network, edited in the editor: the VPC's replacement is shown with
/// what goes with it as related information (each dependent at the attribute that reads the
/// replaced value) and as a tree in the hover.
#[test]
fn an_edit_shows_what_goes_with_the_replaced_vpc() {
    let sandbox = Sandbox::with_data("chain");
    let root = sandbox.path();
    let network = sandbox.read("infra/network.tf");
    let (mut client, uri, edited, diagnostics) =
        replace_vpc_in_buffer(root, "infra/network.tf", &network);
    let related: Vec<(u64, String)> = diagnostics[0]["relatedInformation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|place| {
            assert_eq!(place["location"]["uri"], json!(uri));
            (
                place["location"]["range"]["start"]["line"]
                    .as_u64()
                    .unwrap(),
                place["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(related.len(), 2, "{related:#?}");
    assert_eq!(related[0].0, 6, "{related:#?}");
    assert!(related[0].1.contains("aws_subnet.a"), "{related:#?}");
    assert_eq!(related[1].0, 13, "{related:#?}");
    assert!(related[1].1.contains("aws_instance.orders"), "{related:#?}");
    let hover = hover_at(&mut client, &uri, &edited, "cidr_block = \"10.1").unwrap();
    let markdown = hover["contents"]["value"].as_str().unwrap();
    assert!(
        markdown.contains("What goes with `aws_vpc.main`:"),
        "{markdown}"
    );
    assert!(markdown.contains("`aws_instance.orders`"), "{markdown}");
    assert_eq!(client.shutdown().code(), Some(0));
}

/// An edit of the open buffer that replaces a VPC names, through a local module call, the
/// called module's file system as related information in the called module's file.
#[test]
fn an_edit_shows_what_goes_with_the_vpc_inside_a_called_module() {
    let sandbox = Sandbox::new();
    let main = "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n\n\
                resource \"aws_subnet\" \"a\" {\n  vpc_id     = aws_vpc.main.id\n  \
                cidr_block = \"10.0.1.0/24\"\n}\n\n\
                module \"files\" {\n  source     = \"./modules/files\"\n  \
                subnet_ids = aws_subnet.a[*].id\n}\n";
    sandbox.write("main.tf", main);
    sandbox.write(
        "modules/files/main.tf",
        "variable \"subnet_ids\" {\n  type = list(string)\n}\n\n\
         resource \"aws_fsx_ontap_file_system\" \"this\" {\n  \
         deployment_type     = \"SINGLE_AZ_1\"\n  storage_capacity    = 1024\n  \
         throughput_capacity = 128\n  subnet_ids          = var.subnet_ids\n  \
         preferred_subnet_id = var.subnet_ids[0]\n}\n",
    );
    let root = sandbox.path();
    let (client, _, _, diagnostics) = replace_vpc_in_buffer(root, "main.tf", main);
    let message = diagnostics[0]["message"].as_str().unwrap();
    assert!(
        message.contains("`module.files.aws_fsx_ontap_file_system.this`"),
        "{message}"
    );
    let child = file_uri(&root.join("modules/files/main.tf"));
    let in_child: Vec<&Value> = diagnostics[0]["relatedInformation"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|place| place["location"]["uri"] == json!(child))
        .collect();
    assert_eq!(in_child.len(), 1, "{diagnostics:#?}");
    // The file system's `subnet_ids`, on line 9 of the called module (0-based 8).
    assert_eq!(in_child[0]["location"]["range"]["start"]["line"], json!(8));
    assert!(
        in_child[0]["message"]
            .as_str()
            .unwrap()
            .contains("aws_fsx_ontap_file_system.this"),
        "{in_child:#?}"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

/// A repository finding (RL-WS-001) joins three files: it is shown on the actor (the agent's
/// configuration) with the workflow job and the role as related places in their files, and it
/// goes away when a saved file breaks a link.
#[test]
fn repository_findings_show_on_the_actor_file() {
    let sandbox = Sandbox::with_data("chain");
    let root = sandbox.path();
    let mut client = LspClient::start(root);
    let capabilities = json!({
        "workspace": {"didChangeWatchedFiles": {"dynamicRegistration": false}},
        "textDocument": {"publishDiagnostics": {"versionSupport": true, "relatedInformation": true}}
    });
    client.initialize(root, capabilities, json!({"scanWorkspace": false}));
    let settings_uri = file_uri(&root.join(".claude/settings.json"));
    let settings = sandbox.read(".claude/settings.json");
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": settings_uri, "languageId": "json", "version": 1, "text": settings}}),
    );
    let diagnostics = client.diagnostics(&settings_uri, json!(1));
    let chain: Vec<&Value> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic["code"] == "RL-WS-001")
        .collect();
    assert_eq!(chain.len(), 1, "{diagnostics:#?}");
    // `Ä` before the finding is one UTF-16 unit and two bytes: UTF-16 column 39.
    assert_eq!(
        chain[0]["range"],
        json!({"start": {"line": 2, "character": 39}, "end": {"line": 2, "character": 58}})
    );
    let related: Vec<(String, u64, u64)> = chain[0]["relatedInformation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|place| {
            (
                place["location"]["uri"].as_str().unwrap().to_owned(),
                place["location"]["range"]["start"]["line"]
                    .as_u64()
                    .unwrap(),
                place["location"]["range"]["start"]["character"]
                    .as_u64()
                    .unwrap(),
            )
        })
        .collect();
    let workflow_uri = file_uri(&root.join(".github/workflows/agent.yml"));
    let terraform_uri = file_uri(&root.join("infra/github.tf"));
    assert_eq!(
        related,
        [
            (workflow_uri.clone(), 6, 2),
            (terraform_uri.clone(), 5, 24),
            (terraform_uri, 22, 15),
        ]
    );

    // The job gets an environment and is saved: the chain is broken, and the actor's
    // diagnostics are published again without it.
    let workflow = sandbox
        .read(".github/workflows/agent.yml")
        .replace("  claude:\n", "  claude:\n    environment: production\n");
    sandbox.write(".github/workflows/agent.yml", &workflow);
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": workflow_uri, "languageId": "yaml", "version": 1, "text": workflow}}),
    );
    client.notify(
        "textDocument/didSave",
        json!({"textDocument": {"uri": workflow_uri}}),
    );
    let diagnostics = client.diagnostics(&settings_uri, json!(1));
    assert!(
        diagnostics
            .iter()
            .all(|diagnostic| diagnostic["code"] != "RL-WS-001"),
        "{diagnostics:#?}"
    );
    assert_eq!(client.shutdown().code(), Some(0));
}

//! Terminal injection: names, strings and file names in a repository that hold escape
//! sequences, bidirectional overrides or invisible characters. Human-readable output shows them
//! as visible `\u{XX}` escapes, machine formats keep the exact text in their own escaping, and
//! the language server escapes what it puts in messages.

use std::process::Output;

use serde_json::{Value, json};

use crate::support::lsp_client::{LspClient, file_uri};
use crate::support::sandbox::{Sandbox, stderr, stdout, xmllint_junit};

/// ESC ] 0 ; PWNED BEL (set the terminal's title), ESC [ 2 J (clear the screen), a
/// right-to-left override and a zero-width space.
const NAME: &str = "b\u{1b}]0;PWNED\u{7}\u{1b}[2J\u{202e}x\u{200b}y";

/// `NAME` as human-readable output shows it.
const NAME_ESCAPED: &str = "b\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J\\u{202e}x\\u{200b}y";

/// A file name that retitles the terminal and, in a line-based format, would start a line of
/// its own with a forged GitHub annotation.
const FILE_NAME: &str = "n\u{1b}]0;PWNED\u{7}\n::error::forged.tf";

/// `FILE_NAME` as human-readable output shows it.
const FILE_NAME_ESCAPED: &str = "n\\u{1b}]0;PWNED\\u{7}\\u{a}::error::forged.tf";

/// A bucket over several lines, and a vault on one line, where the flagged `force_destroy`
/// comes after the hostile name: the caret under it must line up with the escaped line.
fn main_tf() -> String {
    format!(
        "resource \"aws_s3_bucket\" \"{NAME}\" {{\n  force_destroy = true\n}}\n\
         resource \"aws_backup_vault\" \"{NAME}\" {{ force_destroy = true }}\n"
    )
}

/// A sandbox with the hostile `main.tf`, a file with the hostile name, an old and a new
/// version of a file for `diff`, and a plan whose resource address holds `NAME`.
fn hostile_repository() -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.write("main.tf", main_tf());
    sandbox.write(
        FILE_NAME,
        "resource \"aws_s3_bucket\" \"logs\" {\n  force_destroy = true\n}\n",
    );
    sandbox.write(
        "change/old.tf",
        format!("resource \"aws_s3_bucket\" \"{NAME}\" {{\n}}\n"),
    );
    sandbox.write("change/new.tf", main_tf());
    let plan = json!({
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "planned_values": {"root_module": {}},
        "resource_changes": [{
            "address": format!("aws_db_instance.{NAME}"),
            "mode": "managed",
            "type": "aws_db_instance",
            "name": NAME,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["delete"],
                "before": {"identifier": "main"},
                "after": null,
            },
            "action_reason": "delete_because_no_resource_config",
        }],
    });
    // serde_json writes ESC and BEL as `\u001b` and `\u0007`, and the override and the
    // zero-width space raw: the plan's own source line carries the invisible characters.
    sandbox.write(
        "plan/plan.json",
        serde_json::to_string_pretty(&plan).unwrap(),
    );
    sandbox
}

/// The characters in `text` that a terminal would act on or a reader would not see: every
/// control character but `\n`, the bidirectional and the invisible characters. redline's own
/// colour codes (`ESC [ digits ; … m`) are skipped.
fn hazards(text: &str) -> Vec<String> {
    let mut res = Vec::new();
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        rest = &rest[c.len_utf8()..];
        if c == '\u{1b}'
            && let Some(tail) = rest.strip_prefix('[')
            && let Some(end) = tail.find('m')
            && tail[..end].chars().all(|c| c.is_ascii_digit() || c == ';')
        {
            rest = &tail[end + 1..];
            continue;
        }
        let invisible = matches!(
            c,
            '\u{ad}'
                | '\u{61c}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        );
        if (c.is_control() && c != '\n') || invisible {
            let at = text.len() - rest.len();
            res.push(format!("{c:?} at byte {at}"));
        }
    }
    res
}

/// Fails unless `text` holds no hazard.
fn assert_safe(what: &str, text: &str) {
    let hazards = hazards(text);
    assert!(hazards.is_empty(), "{what}: {hazards:?} in\n{text:?}");
}

fn json_of(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}): {}", stdout(output)))
}

#[test]
fn the_checker_itself_finds_raw_sequences_but_not_colours() {
    assert_eq!(
        hazards("\u{1b}[1mok\u{1b}[0m \u{1b}[31;1m!\u{1b}[0m\n"),
        Vec::<String>::new()
    );
    assert_eq!(hazards(NAME).len(), 5);
    assert_eq!(hazards("\u{1b}[2J").len(), 1);
    assert_eq!(hazards("a\tb\u{9b}").len(), 2);
}

#[test]
fn check_text_escapes_names_paths_and_source_lines() {
    let sandbox = hostile_repository();
    for color in ["never", "always"] {
        let output = sandbox.run(&["check", "--color", color]);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        let text = stdout(&output);
        assert_safe(&format!("check --color {color}"), &text);
        assert_safe("check stderr", &stderr(&output));
        assert!(
            text.contains(&format!("`aws_s3_bucket.{NAME_ESCAPED}`")),
            "{text}"
        );
        assert!(text.contains(&format!("{FILE_NAME_ESCAPED}:2:3")), "{text}");
        assert!(!text.contains("\n::error::forged"), "{text}");
        if color == "always" {
            // redline's own colours are still there.
            assert!(text.contains("\u{1b}[31m"), "{text}");
        }
    }

    // The caret under the one-line vault starts under `force_destroy` in the escaped line.
    let text = stdout(&sandbox.run(&["check", "--color", "never"]));
    let lines: Vec<&str> = text.lines().collect();
    let heading = lines
        .iter()
        .position(|line| line.starts_with("main.tf:4:") && line.contains("error[RL-TF-010]"))
        .unwrap_or_else(|| panic!("no RL-TF-010 on line 4 in\n{text}"));
    let excerpt = heading + 1;
    assert!(lines[excerpt].contains(NAME_ESCAPED), "{}", lines[excerpt]);
    let caret = lines[excerpt + 1];
    assert_eq!(
        caret.find('^'),
        lines[excerpt].find("force_destroy"),
        "\n{}\n{caret}",
        lines[excerpt]
    );
    assert_eq!(caret.trim_start_matches([' ', '|']), "^".repeat(20));
}

/// `check --diff` prints a patch. Written to a pipe or a file it must stay exact so that it
/// still applies; only on a terminal, where it is read, is it escaped (which a test reading a
/// pipe cannot reach).
#[test]
fn check_diff_on_a_pipe_stays_an_exact_patch() {
    let sandbox = hostile_repository();
    let output = sandbox.run(&["check", "--diff", "main.tf"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let patch = stdout(&output);
    assert!(
        patch.contains(&format!(
            "-resource \"aws_backup_vault\" \"{NAME}\" {{ force_destroy = true }}"
        )),
        "{patch:?}"
    );
    assert_eq!(sandbox.read("main.tf"), main_tf());
}

#[test]
fn diff_and_plan_text_escape_what_they_print() {
    let sandbox = hostile_repository();
    for color in ["never", "always"] {
        let output = sandbox.run(&["diff", "change/old.tf", "change/new.tf", "--color", color]);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        let text = stdout(&output);
        assert_safe(&format!("diff --color {color}"), &text);
        assert!(text.contains(NAME_ESCAPED), "{text}");

        let output = sandbox.run(&["plan", "plan/plan.json", "--color", color]);
        assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
        let text = stdout(&output);
        assert_safe(&format!("plan --color {color}"), &text);
        // The destruction summary, the finding's message and the plan's own source line.
        assert!(
            text.contains(&format!("  delete  aws_db_instance.{NAME_ESCAPED}  ")),
            "{text}"
        );
        assert!(
            text.contains(&format!("deletes `aws_db_instance.{NAME_ESCAPED}`")),
            "{text}"
        );
        assert!(
            text.contains("\\u001b]0;PWNED\\u0007\\u001b[2J\\u{202e}x\\u{200b}y"),
            "{text}"
        );
    }

    // `gate` judges a proposed file through the same report. (A file of its own: beside
    // `change/new.tf`, a copy of its blocks would repeat findings that are not new.)
    let output = sandbox
        .command(&["gate", "--path", "proposed/main.tf", "--color", "always"])
        .write_stdin(main_tf())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_safe("gate", &stdout(&output));
    assert!(
        stdout(&output).contains(NAME_ESCAPED),
        "{}",
        stdout(&output)
    );
}

#[test]
fn errors_on_standard_error_are_escaped() {
    let sandbox = Sandbox::new();
    // A file that is not UTF-8 is reported by its (hostile) name.
    sandbox.write(FILE_NAME, [0x66, 0xff, 0x0a]);
    let output = sandbox.run(&["check"]);
    let message = stderr(&output);
    assert_safe("file problem", &message);
    assert!(
        message.starts_with(&format!("redline: {FILE_NAME_ESCAPED}: ")),
        "{message}"
    );

    // A configuration error names the unknown key, spelled here with TOML's own escapes.
    sandbox.write("redline.toml", "\"x\\u001b]0;PWNED\\u0007\" = 1\n");
    let output = sandbox.run(&["check"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert_safe("configuration error", &message);
    assert!(message.contains("redline.toml"), "{message}");
    assert!(message.contains("\\u{1b}]0;PWNED\\u{7}"), "{message}");

    // `explain` of an unknown rule repeats the argument.
    let output = sandbox.run(&["explain", NAME]);
    assert_eq!(output.status.code(), Some(2));
    assert_safe("explain", &stderr(&output));
    assert!(
        stderr(&output).contains(NAME_ESCAPED),
        "{}",
        stderr(&output)
    );
}

#[test]
fn claude_hook_reason_is_escaped() {
    let sandbox = Sandbox::new();
    let cwd = sandbox.path().to_str().unwrap();
    let file = sandbox.path().join("main.tf");
    let input = json!({
        "hook_event_name": "PreToolUse",
        "cwd": cwd,
        "tool_name": "Write",
        "tool_input": {"file_path": file.to_str().unwrap(), "content": main_tf()},
    });
    let output = sandbox
        .command(&["hook", "claude"])
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let answer = json_of(&output);
    let reason = answer["hookSpecificOutput"]["permissionDecisionReason"]
        .as_str()
        .unwrap();
    assert_safe("hook reason", reason);
    assert!(reason.contains(NAME_ESCAPED), "{reason}");
}

#[test]
fn json_and_sarif_keep_the_exact_text_in_json_escapes() {
    let sandbox = hostile_repository();
    let output = sandbox.run(&["check", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    // Printed to a terminal, the report itself is harmless: JSON escapes spell everything.
    assert_safe("json", &stdout(&output));
    let report = json_of(&output);
    let findings = report["findings"].as_array().unwrap();
    let hostile_name = format!("`aws_s3_bucket.{NAME}`");
    assert!(
        findings
            .iter()
            .any(|finding| finding["message"].as_str().unwrap().contains(&hostile_name)),
        "{report:#}"
    );
    assert!(
        findings.iter().any(|finding| finding["path"] == FILE_NAME),
        "{report:#}"
    );

    let output = sandbox.run(&["check", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_safe("sarif", &stdout(&output));
    let log = json_of(&output);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.iter().any(|result| result["message"]["text"]
            .as_str()
            .unwrap()
            .contains(&hostile_name)),
        "{log:#}"
    );

    let output = sandbox.run(&["check", "--format", "gitlab"]);
    assert_safe("gitlab", &stdout(&output));
    let issues = json_of(&output);
    assert!(
        issues
            .as_array()
            .unwrap()
            .iter()
            .any(|issue| issue["description"]
                .as_str()
                .unwrap()
                .contains(&hostile_name)),
        "{issues:#}"
    );

    let output = sandbox.run(&["plan", "plan/plan.json", "--format", "json"]);
    assert_safe("plan json", &stdout(&output));
    let report = json_of(&output);
    assert_eq!(
        report["plan"]["destructive_changes"][0]["address"],
        format!("aws_db_instance.{NAME}")
    );
}

#[test]
fn junit_parses_and_github_annotations_stay_one_per_line() {
    let sandbox = hostile_repository();
    let output = sandbox.run(&["check", "--format", "junit", "--output", "junit.xml"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let xml = sandbox.read("junit.xml");
    xmllint_junit(&sandbox.path().join("junit.xml"));
    assert_safe("junit", &xml);
    // ESC and BEL cannot be in XML 1.0: visible escapes. The override and the zero-width space
    // can: character references, which give back the exact text.
    assert!(
        xml.contains("b\\u{1b}]0;PWNED\\u{7}\\u{1b}[2J&#x202e;x&#x200b;y"),
        "{xml}"
    );

    let output = sandbox.run(&["check", "--format", "github"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = stdout(&output);
    assert_safe("github", &text);
    let report = json_of(&sandbox.run(&["check", "--format", "json"]));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines.len(),
        report["findings"].as_array().unwrap().len(),
        "{text}"
    );
    for line in lines {
        assert!(
            ["::error file=", "::warning file=", "::notice file="]
                .iter()
                .any(|start| line.starts_with(start)),
            "{line}"
        );
    }
    assert!(
        text.contains("file=n\\u{1b}]0;PWNED\\u{7}%0A%3A%3Aerror%3A%3Aforged.tf,"),
        "{text}"
    );
}

#[test]
fn language_server_messages_are_escaped_and_ranges_unchanged() {
    let sandbox = Sandbox::new();
    let text = main_tf();
    let path = sandbox.write("main.tf", &text);
    let uri = file_uri(&path);
    let mut client = LspClient::start(sandbox.path());
    client.initialize(
        sandbox.path(),
        json!({"textDocument": {"publishDiagnostics": {"versionSupport": true}}}),
        Value::Null,
    );
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "terraform", "version": 1, "text": text}}),
    );
    let diagnostics = client.diagnostics(&uri, json!(1));
    assert!(!diagnostics.is_empty());
    for diagnostic in &diagnostics {
        let message = diagnostic["message"].as_str().unwrap();
        assert_safe("diagnostic message", message);
        for related in diagnostic["relatedInformation"]
            .as_array()
            .into_iter()
            .flatten()
        {
            assert_safe("related message", related["message"].as_str().unwrap());
        }
    }
    assert!(
        diagnostics.iter().any(|diagnostic| diagnostic["message"]
            .as_str()
            .unwrap()
            .contains(&format!("`aws_s3_bucket.{NAME_ESCAPED}`"))),
        "{diagnostics:#?}"
    );

    // The range still points at `force_destroy` in the document, in UTF-16 units of the
    // original text, not of the escaped message.
    let line = text.lines().nth(3).unwrap();
    let column = line[..line.find("force_destroy").unwrap()]
        .encode_utf16()
        .count();
    let vault = diagnostics
        .iter()
        .find(|diagnostic| {
            diagnostic["code"] == "RL-TF-010" && diagnostic["range"]["start"]["line"] == 3
        })
        .unwrap_or_else(|| panic!("no RL-TF-010 on line 4: {diagnostics:#?}"));
    assert_eq!(vault["range"]["start"]["character"], column);
    assert_eq!(vault["range"]["end"]["character"], column + 20);

    // Code action titles and the hover quote the same names.
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": vault["range"],
                   "context": {"diagnostics": [vault]}}),
        )
        .unwrap();
    for action in actions.as_array().unwrap() {
        assert_safe("code action title", action["title"].as_str().unwrap());
    }
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": vault["range"]["start"]}),
        )
        .unwrap();
    let hover_text = hover["contents"]["value"].as_str().unwrap();
    assert_safe("hover", hover_text);
    assert!(hover_text.contains(NAME_ESCAPED), "{hover_text}");
    assert!(client.shutdown().success());
}

//! End-to-end tests: the real `redline` binary on real files.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::process::Output;

use serde_json::Value;
use support::edit_fixtures::edit_fixture_pairs;

mod support {
    pub mod edit_fixtures;
    pub mod git;
    pub mod sandbox;
}

use support::git::git;
use support::sandbox::{Sandbox, data_dir, stderr, stdout};

impl Sandbox {
    fn json(&self, args: &[&str]) -> (Value, i32) {
        let mut full = vec!["check", "--format", "json"];
        full.extend_from_slice(args);
        let output = self.run(&full);
        let stdout = String::from_utf8(output.stdout).unwrap();
        let value = serde_json::from_str(&stdout)
            .unwrap_or_else(|error| panic!("not JSON ({error}): {stdout}"));
        (value, output.status.code().unwrap())
    }
}

/// `(rule, path, start line, start column, end line, end column)` of every finding.
fn positions(report: &Value) -> Vec<(String, String, u64, u64, u64, u64)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            let range = &finding["range"];
            (
                finding["rule"].as_str().unwrap().to_owned(),
                finding["path"].as_str().unwrap().to_owned(),
                range["start"]["line"].as_u64().unwrap(),
                range["start"]["column"].as_u64().unwrap(),
                range["end"]["line"].as_u64().unwrap(),
                range["end"]["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// The report without the findings of `rule`, for tests about something else.
///
/// RL-TF-019 (`prevent-destroy-missing`, info) reports every bucket that these tests write
/// without a `lifecycle` block.
fn without_rule(mut report: Value, rule: &str) -> Value {
    let findings = report["findings"].as_array_mut().unwrap();
    findings.retain(|finding| finding["rule"] != rule);
    let n_findings = findings.len();
    report["summary"]["findings"] = Value::from(n_findings);
    report
}

fn rules_of(report: &Value) -> Vec<String> {
    positions(report).into_iter().map(|p| p.0).collect()
}

const EXPECTED_POSITIONS: &[(&str, &str, u64, u64, u64, u64)] = &[
    ("RL-GHA-001", ".github/workflows/release.yml", 3, 14, 3, 23),
    ("RL-IAM-001", "iam/admin.json", 7, 17, 7, 20),
    ("RL-TF-010", "storage.tf", 3, 3, 3, 23),
    // `lögs_ü` has two non-ASCII characters before the finding: columns count characters.
    ("RL-TF-010", "storage.tf", 6, 37, 6, 57),
];

#[test]
fn text_report() {
    let sandbox = Sandbox::with_data("three");
    let output = sandbox.run(&["check"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("text_report", stdout(&output));
    assert_eq!(stderr(&output), "");
}

#[test]
fn json_report_shape_and_positions() {
    let sandbox = Sandbox::with_data("three");
    let (report, code) = sandbox.json(&[]);
    assert_eq!(code, 1);
    assert_eq!(report["version"], 1);
    assert_eq!(report["tool"]["name"], "redline");
    assert_eq!(report["tool"]["version"], env!("CARGO_PKG_VERSION"));
    let expected: Vec<_> = EXPECTED_POSITIONS
        .iter()
        .map(|(r, p, a, b, c, d)| (r.to_string(), p.to_string(), *a, *b, *c, *d))
        .collect();
    assert_eq!(positions(&report), expected);
    let first_tf = &report["findings"][2];
    assert_eq!(first_tf["name"], "force-destroy-enabled");
    assert_eq!(first_tf["category"], "destructive");
    assert_eq!(first_tf["severity"], "error");
    assert!(
        first_tf["message"]
            .as_str()
            .unwrap()
            .contains("aws_s3_bucket.logs")
    );
    let fix = &first_tf["fixes"][0];
    assert_eq!(fix["applicability"], "safe");
    assert_eq!(fix["edits"][0]["new_text"], "false");
    assert_eq!(
        fix["edits"][0]["range"]["start"],
        serde_json::json!({"line": 3, "column": 19})
    );
    assert_eq!(
        fix["edits"][0]["range"]["end"],
        serde_json::json!({"line": 3, "column": 23})
    );
    assert_eq!(report["findings"][0]["fixes"][0]["applicability"], "unsafe");
    assert_eq!(report["errors"], serde_json::json!([]));
    assert_eq!(report["summary"]["files"], 3);
    assert_eq!(report["summary"]["findings"], 4);
    assert_eq!(
        report["summary"]["by_category"],
        serde_json::json!({"destructive": 2, "permissions": 2, "approval": 0})
    );
    // Every key the documented shape names is present on every finding.
    for finding in report["findings"].as_array().unwrap() {
        for key in [
            "rule", "name", "category", "severity", "path", "range", "message", "fixes",
        ] {
            assert!(finding.get(key).is_some(), "finding lacks `{key}`");
        }
    }
}

#[test]
fn sarif_validates_against_the_schema() {
    let sandbox = Sandbox::with_data("three");
    sandbox.write("broken.tf", [0x66, 0xff, 0x0a]);
    let output = sandbox.run(&["check", "--format", "sarif"]);
    assert_eq!(output.status.code(), Some(1));
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(data_dir().join("sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(false)
        .build(&schema)
        .unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF does not validate: {errors:#?}");
    // A broken document must fail, so that the check above can fail.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));

    let run = &sarif["runs"][0];
    assert_eq!(sarif["version"], "2.1.0");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let tf = rules.iter().find(|rule| rule["id"] == "RL-TF-010").unwrap();
    assert!(
        tf["helpUri"]
            .as_str()
            .unwrap()
            .ends_with("docs/rules/RL-TF-010.md")
    );
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 4);
    let region = &results[3]["locations"][0]["physicalLocation"]["region"];
    assert_eq!(region["startLine"], 6);
    assert_eq!(region["startColumn"], 37);
    assert_eq!(
        results[3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "storage.tf"
    );
    assert_eq!(
        results[2]["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
        "false"
    );
    let notifications = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .unwrap();
    assert_eq!(notifications.len(), 1);
    assert!(
        notifications[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("UTF-8")
    );
}

#[test]
fn github_annotations() {
    let sandbox = Sandbox::with_data("three");
    let output = sandbox.run(&["check", "--format", "github"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("github_annotations", stdout(&output));
}

#[test]
fn exit_codes() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "ok.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = false\n}\n",
    );
    assert_eq!(sandbox.run(&["check"]).status.code(), Some(0));
    sandbox.write(
        "bad.tf",
        "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = true\n}\n",
    );
    assert_eq!(sandbox.run(&["check"]).status.code(), Some(1));
    assert_eq!(
        sandbox.run(&["check", "--fail-on", "never"]).status.code(),
        Some(0)
    );
    assert_eq!(
        sandbox.run(&["check", "--fail-on", "error"]).status.code(),
        Some(1)
    );

    let missing = sandbox.run(&["check", "no/such/path"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("no/such/path"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(sandbox.run(&["check", "--bogus"]).status.code(), Some(2));
    assert_eq!(
        sandbox.run(&["check", "--format", "xml"]).status.code(),
        Some(2)
    );

    sandbox.write("redline.toml", "[rules.RL-TF-010]\nseverity = \"info\"\n");
    assert_eq!(sandbox.run(&["check"]).status.code(), Some(0));
    assert_eq!(
        sandbox.run(&["check", "--fail-on", "info"]).status.code(),
        Some(1)
    );
    let only_errors = sandbox.json(&["--severity", "warning"]).0;
    assert_eq!(only_errors["summary"]["findings"], 0);
}

#[test]
fn config_errors_name_file_key_and_line() {
    let sandbox = Sandbox::new();
    sandbox.write("main.tf", "");
    sandbox.write(
        "redline.toml",
        "exclude = []\n\n[rules]\ndisable = [\"no-such-rule\"]\n",
    );
    let output = sandbox.run(&["check"]);
    assert_eq!(output.status.code(), Some(2));
    let message = stderr(&output);
    assert!(message.contains("redline.toml"), "{message}");
    assert!(message.contains("line 4"), "{message}");
    assert!(message.contains("no-such-rule"), "{message}");

    sandbox.write("redline.toml", "colour = true\n");
    let output = sandbox.run(&["check"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("unknown field `colour`"),
        "{}",
        stderr(&output)
    );
    assert!(stderr(&output).contains("line 1"), "{}", stderr(&output));

    let output = sandbox.run(&["check", "--config", "missing.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("missing.toml"));
}

#[test]
fn fix_applies_safe_fixes_and_second_run_is_clean() {
    let sandbox = Sandbox::with_data("three");
    std::fs::set_permissions(
        sandbox.path().join("storage.tf"),
        std::os::unix::fs::PermissionsExt::from_mode(0o640),
    )
    .unwrap();
    let output = sandbox.run(&["check", "--fix"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("applied 2 fix(es)"),
        "{}",
        stderr(&output)
    );
    let storage = sandbox.read("storage.tf");
    assert!(!storage.contains("force_destroy = true"), "{storage}");
    assert!(
        storage.contains("\"lögs_ü\" { force_destroy = false }"),
        "{storage}"
    );
    let mode = std::os::unix::fs::PermissionsExt::mode(
        &std::fs::metadata(sandbox.path().join("storage.tf"))
            .unwrap()
            .permissions(),
    );
    assert_eq!(mode & 0o777, 0o640);
    // The unsafe fix is not applied by --fix alone.
    assert!(
        sandbox
            .read(".github/workflows/release.yml")
            .contains("write-all")
    );
    let (report, _) = sandbox.json(&[]);
    assert_eq!(rules_of(&report), ["RL-GHA-001", "RL-IAM-001"]);

    let output = sandbox.run(&["check", "--fix", "--unsafe-fixes"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        sandbox.read(".github/workflows/release.yml"),
        "name: release\non: push\npermissions:\n  contents: read\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make publish\n"
    );
    let (report, _) = sandbox.json(&[]);
    // Only the finding without a fix remains.
    assert_eq!(rules_of(&report), ["RL-IAM-001"]);
    // Nothing is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(sandbox.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".redline"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn diff_prints_fixes_without_writing() {
    let sandbox = Sandbox::with_data("three");
    let before = sandbox.read("storage.tf");
    let output = sandbox.run(&["check", "--diff"]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("diff", stdout(&output));
    assert_eq!(sandbox.read("storage.tf"), before);
    sandbox.run(&["check", "--fix"]);
    let output = sandbox.run(&["check", "--diff"]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(stdout(&output), "");
}

#[test]
fn fix_keeps_bom_and_crlf() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "crlf.tf",
        "\u{feff}resource \"aws_s3_bucket\" \"b\" {\r\n  force_destroy = true\r\n}\r\n",
    );
    let (report, _) = sandbox.json(&[]);
    let report = without_rule(report, "RL-TF-019");
    assert_eq!(positions(&report)[0].2..positions(&report)[0].4, 2..2);
    assert_eq!(positions(&report)[0].3, 3);
    sandbox.run(&["check", "--fix"]);
    assert_eq!(
        sandbox.read("crlf.tf"),
        "\u{feff}resource \"aws_s3_bucket\" \"b\" {\r\n  force_destroy = false\r\n\r\n  lifecycle {\r\n    prevent_destroy = true\r\n  }\r\n}\r\n"
    );
}

#[test]
fn suppressions() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "main.tf",
        r#"resource "aws_s3_bucket" "reasoned" {
  # redline:ignore RL-TF-010 -- scratch bucket, emptied by CI
  force_destroy = true
}

resource "aws_s3_bucket" "trailing" {
  force_destroy = true # redline:ignore force-destroy-enabled -- test data only
}

resource "aws_s3_bucket" "no_reason" {
  force_destroy = true // redline:ignore RL-TF-010
}

resource "aws_s3_bucket" "expired" {
  /* redline:ignore RL-TF-010 until=2026-01-31 -- until the migration ends */
  force_destroy = true
}

resource "aws_s3_bucket" "still_valid" {
  # redline:ignore RL-TF-010 until=2027-01-31 -- until the migration ends
  force_destroy = true
}

resource "aws_s3_bucket" "unused" {
  # redline:ignore RL-TF-010 -- nothing to silence here
  force_destroy = false
}

# redline:ignore RL-NOPE-001 -- typo
"#,
    );
    let (report, code) = sandbox.json(&[]);
    let report = without_rule(report, "RL-TF-019");
    assert_eq!(code, 1);
    let found: Vec<(String, u64, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["name"].as_str().unwrap().to_owned(),
                f["range"]["start"]["line"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let summary: Vec<(&str, u64)> = found.iter().map(|(n, l, _)| (n.as_str(), *l)).collect();
    assert_eq!(
        summary,
        [
            ("suppression", 11),
            ("suppression", 15),
            ("force-destroy-enabled", 16),
            ("suppression", 25),
            ("suppression", 29),
        ]
    );
    assert!(found[0].2.contains("no reason"));
    assert!(found[1].2.contains("expired on 2026-01-31"));
    assert!(found[3].2.contains("matches no finding"));
    assert!(found[4].2.contains("unknown rule `RL-NOPE-001`"));
    assert_eq!(report["findings"][0]["category"], Value::Null);
    assert_eq!(report["findings"][0]["severity"], "info");

    sandbox.write(
        "whole.tf",
        "# redline:ignore-file RL-TF-010 -- fixture bucket module\nresource \"aws_s3_bucket\" \"a\" {\n  force_destroy = true\n}\n",
    );
    let (report, _) = sandbox.json(&["whole.tf"]);
    let report = without_rule(report, "RL-TF-019");
    assert_eq!(report["summary"]["findings"], 0);

    // JSON has no comments: `[[ignore]]` in redline.toml.
    sandbox.write(
        "iam/admin.json",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
    );
    let (report, _) = sandbox.json(&["iam"]);
    assert_eq!(rules_of(&report), ["RL-IAM-001"]);
    sandbox.write(
        "redline.toml",
        "[[ignore]]\npath = \"iam/*.json\"\nrule = \"full-admin-grant\"\nreason = \"break-glass role\"\n",
    );
    let (report, code) = sandbox.json(&["iam"]);
    assert_eq!(
        (report["summary"]["findings"].clone(), code),
        (Value::from(0), 0)
    );
}

#[test]
fn config_disables_rules_and_excludes_paths() {
    let sandbox = Sandbox::with_data("three");
    sandbox.write(
        "vendor/mod/main.tf",
        "resource \"aws_s3_bucket\" \"v\" {\n  force_destroy = true\n}\n",
    );
    let (report, _) = sandbox.json(&[]);
    let report = without_rule(report, "RL-TF-019");
    assert_eq!(report["summary"]["findings"], 5);
    sandbox.write(
        "redline.toml",
        "exclude = [\"vendor\"]\n[rules]\ndisable = [\"RL-GHA-001\", \"full-admin-grant\"]\n",
    );
    let (report, _) = sandbox.json(&[]);
    assert_eq!(rules_of(&report), ["RL-TF-010", "RL-TF-010"]);
    // Named, an excluded file is still excluded: a pre-commit hook names every staged file.
    let (report, _) = sandbox.json(&["vendor/mod/main.tf"]);
    assert_eq!(report["summary"]["findings"], 0);
    // A nested redline.toml governs the files below it.
    sandbox.write(
        "vendor/redline.toml",
        "[rules]\ndisable = [\"RL-TF-010\"]\n",
    );
    let (report, _) = sandbox.json(&["vendor/mod/main.tf"]);
    let report = without_rule(report, "RL-TF-019");
    assert_eq!(report["summary"]["findings"], 0);
}

#[test]
fn baseline_reports_only_new_findings() {
    let sandbox = Sandbox::with_data("three");
    let output = sandbox.run(&["check", "--write-baseline", "baseline.json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (report, code) = sandbox.json(&["--baseline", "baseline.json"]);
    assert_eq!(
        (report["summary"]["findings"].clone(), code),
        (Value::from(0), 0)
    );

    // Lines shift: the old findings are still recognised.
    let storage = sandbox.read("storage.tf");
    sandbox.write("storage.tf", format!("# moved down\n\n{storage}resource \"aws_s3_bucket\" \"new\" {{\n  force_destroy = true\n}}\n"));
    let (report, code) = sandbox.json(&["--baseline", "baseline.json"]);
    assert_eq!(code, 1);
    let found = positions(&without_rule(report, "RL-TF-019"));
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].0.as_str(), found[0].2), ("RL-TF-010", 17));

    sandbox.write("bad-baseline.json", "{\"version\": 9, \"findings\": []}");
    let output = sandbox.run(&["check", "--baseline", "bad-baseline.json"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn bad_input_is_reported_and_other_files_still_analysed() {
    let sandbox = Sandbox::with_data("three");
    sandbox.write(
        "invalid-utf8.tf",
        [b'x', b' ', b'=', b' ', b'"', 0xff, b'"', b'\n'],
    );
    sandbox.write("nul.sh", "echo a\0b\n");
    sandbox.write("empty.tf", "");
    sandbox.write(
        "bom-crlf.tf",
        "\u{feff}resource \"aws_s3_bucket\" \"crlf\" {\r\n  force_destroy = true\r\n}\r\n",
    );
    // 30 MB: over the 10 MB default cap.
    let big = format!("# {}\n", "x".repeat(30 * 1024 * 1024));
    sandbox.write("big.tf", big);
    let mut bomb = String::from(
        "apiVersion: v1\nkind: ConfigMap\ndata:\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n",
    );
    for level in 1..40 {
        let previous = format!("*a{}", level - 1);
        let items = [previous.as_str(); 10].join(", ");
        bomb.push_str(&format!("  a{level}: &a{level} [{items}]\n"));
    }
    sandbox.write("bomb.yaml", bomb);
    let depth = 200_000;
    sandbox.write(
        "iam/deep.json",
        format!(
            "{{\"Version\": \"2012-10-17\", \"Statement\": {}{}}}",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    );
    sandbox.write(
        "deep.yaml",
        format!(
            "apiVersion: v1\nkind: X\ndata: {}{}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    );
    sandbox.write("broken.yml", "apiVersion: v1\nkind: [unclosed\n  - : :\n");
    sandbox.write(
        ".github/workflows/broken.yml",
        "permissions: write-all\njobs: [\n",
    );

    let (report, code) = sandbox.json(&[]);
    assert_eq!(code, 1);
    let errors: Vec<(String, String)> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["path"].as_str().unwrap().to_owned(),
                e["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        [
            ("big.tf".to_owned(), "skipped".to_owned()),
            ("invalid-utf8.tf".to_owned(), "skipped".to_owned()),
            ("nul.sh".to_owned(), "skipped".to_owned()),
        ]
    );
    let messages: Vec<&str> = report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert!(messages[0].contains("max_file_size"));
    assert!(messages[1].contains("not valid UTF-8"));
    assert!(messages[2].contains("NUL byte"));
    let found = rules_of(&report);
    // The three-rule files, the BOM/CRLF file, and the broken workflow (partial analysis).
    assert_eq!(found.iter().filter(|r| *r == "RL-TF-010").count(), 3);
    assert_eq!(found.iter().filter(|r| *r == "RL-GHA-001").count(), 2);
    assert!(found.contains(&"RL-META-001".to_owned()), "{found:?}");
    let bom = positions(&report)
        .into_iter()
        .find(|p| p.1 == "bom-crlf.tf" && p.0 == "RL-TF-010")
        .unwrap();
    assert_eq!((bom.2, bom.3, bom.4, bom.5), (2, 3, 2, 23));
}

#[test]
fn walk_includes_hidden_folders_and_honours_ignore_files() {
    let sandbox = Sandbox::new();
    let bucket = "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = true\n}\n";
    sandbox.write(".hidden/a.tf", bucket);
    sandbox.write("ignored/b.tf", bucket);
    sandbox.write("node_modules/pkg/c.tf", bucket);
    sandbox.write(".terraform/modules/d.tf", bucket);
    sandbox.write(".git/e.tf", bucket);
    sandbox.write("kept/f.tf", bucket);
    sandbox.write(".gitignore", "ignored/\n");
    sandbox.write("README.md", "force_destroy = true\n");
    sandbox.write("notes", "plain text without a shebang\n");
    std::os::unix::fs::symlink(sandbox.path(), sandbox.path().join("kept/loop")).unwrap();
    std::os::unix::fs::symlink("nowhere.tf", sandbox.path().join("dangling.tf")).unwrap();
    let fifo = sandbox.path().join("pipe.tf");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());

    let (report, code) = sandbox.json(&[]);
    let report = without_rule(report, "RL-TF-019");
    let paths: Vec<String> = positions(&report).into_iter().map(|p| p.1).collect();
    assert_eq!(paths, [".hidden/a.tf", "kept/f.tf"]);
    // The dangling link cannot be read: reported, and the run exits 2 after analysing the rest.
    assert_eq!(code, 2);
    let errors = report["errors"].as_array().unwrap();
    assert!(errors.iter().any(|e| e["kind"] == "io"), "{errors:?}");
    assert!(
        errors
            .iter()
            .any(|e| e["message"].as_str().unwrap().contains("loop")),
        "{errors:?}"
    );
    // An explicitly named file is analysed even when an ignore file lists it.
    let (report, _) = sandbox.json(&["ignored/b.tf"]);
    let report = without_rule(report, "RL-TF-019");
    assert_eq!(report["summary"]["findings"], 1);
}

#[test]
fn paths_are_relative_to_the_current_folder() {
    let sandbox = Sandbox::with_data("three");
    let output = sandbox
        .command(&[
            "check",
            "--format",
            "json",
            sandbox.path().join("storage.tf").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"][0]["path"], "storage.tf");
    let output = sandbox
        .command(&["check", "--format", "json", "."])
        .current_dir(sandbox.path().join("iam"))
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["findings"][0]["path"], "admin.json");
}

#[test]
fn output_file_and_colour() {
    let sandbox = Sandbox::with_data("three");
    let output = sandbox.run(&["check", "--output", "report.json", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(stdout(&output), "");
    let report: Value = serde_json::from_str(&sandbox.read("report.json")).unwrap();
    assert_eq!(report["summary"]["findings"], 4);
    // Not a terminal: no colour unless asked for.
    assert!(!stdout(&sandbox.run(&["check"])).contains('\x1b'));
    assert!(stdout(&sandbox.run(&["check", "--color", "always"])).contains("\x1b[31m"));
}

#[test]
fn rules_and_explain() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(&["rules"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!("rules", stdout(&output));
    let output = sandbox.run(&["rules", "--format", "json"]);
    let rules: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(
        rules
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == "RL-GHA-001" && r["category"] == "permissions")
    );

    for rule in ["RL-TF-010", "force-destroy-enabled", "rl-tf-010"] {
        let output = sandbox.run(&["explain", rule]);
        assert_eq!(output.status.code(), Some(0));
        let page =
            std::fs::read_to_string(data_dir().join("../../docs/rules/RL-TF-010.md")).unwrap();
        assert_eq!(stdout(&output), page);
    }
    let output = sandbox.run(&["explain", "suppression"]);
    assert!(stdout(&output).contains("redline:ignore"));
    let output = sandbox.run(&["explain", "RL-NOPE-001"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("unknown rule"));
}

#[test]
fn help_and_version() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(&["--version"]);
    assert_eq!(
        stdout(&output).lines().next().unwrap(),
        format!("redline {}", env!("CARGO_PKG_VERSION"))
    );
    let output = sandbox.run(&["check", "--help"]);
    let help = stdout(&output);
    for flag in [
        "--format",
        "--fix",
        "--unsafe-fixes",
        "--diff",
        "--baseline",
        "--write-baseline",
        "--fail-on",
        "--config",
    ] {
        assert!(
            help.contains(flag),
            "`check --help` does not mention {flag}"
        );
    }
}

#[test]
fn templates_are_analysed_on_their_literal_parts() {
    let sandbox = Sandbox::new();
    // A Helm chart: `hostPID: true` is literal, `privileged` comes from the values.
    sandbox.write(
        "chart/templates/deployment.yaml",
        "{{- if .Values.enabled }}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"web.fullname\" . }}\n  labels:\n    {{- include \"web.labels\" . | nindent 4 }}\nspec:\n  replicas: {{ .Values.replicas }}\n  template:\n    spec:\n      hostPID: true\n      containers:\n        - name: web\n          securityContext:\n            privileged: {{ .Values.privileged }}\n{{- end }}\n",
    );
    // A CloudFormation template in a `templates` folder, with a placeholder in one string.
    sandbox.write(
        "stack/templates/eks.template.yaml",
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Key:\n    Type: AWS::KMS::Key\n  Auth:\n    Type: Custom::KubeManifest\n    Properties:\n      Username: 'system:node:{{EC2PrivateDNSName}}'\n",
    );
    // A starter pipeline with placeholders, named like no pipeline.
    sandbox.write(
        "starters/templates/aks.yml",
        "trigger:\n- {{ branch }}\n\njobs:\n- job: Deploy\n  pool:\n    {{ pool }}\n  steps:\n  - script: kubectl apply -f {{ manifest }}\n",
    );
    // A template of something redline does not judge stays quiet.
    sandbox.write(
        ".goreleaser.yaml",
        "builds:\n  - ldflags: -X main.version={{ .Version }}\n{{- if .IsSnapshot }}\nsnapshot:\n  name_template: '{{ incpatch .Version }}'\n{{- end }}\n",
    );
    // Literal parts that do not parse: skipped with a note.
    sandbox.write(
        "chart/templates/broken.yaml",
        "apiVersion: v1\nkind: Pod\nspec: [\n{{ .Values.x }}\n",
    );
    let (report, code) = sandbox.json(&[]);
    assert_eq!(code, 1);
    let found: Vec<(String, String, u64)> = positions(&report)
        .into_iter()
        .map(|p| (p.0, p.1, p.2))
        .collect();
    assert_eq!(
        found,
        [
            (
                "RL-META-004".to_owned(),
                "chart/templates/broken.yaml".to_owned(),
                1
            ),
            (
                "RL-K8S-110".to_owned(),
                "chart/templates/deployment.yaml".to_owned(),
                12
            ),
            (
                "RL-CFN-001".to_owned(),
                "stack/templates/eks.template.yaml".to_owned(),
                3
            ),
            (
                "RL-ADO-102".to_owned(),
                "starters/templates/aks.yml".to_owned(),
                5
            ),
        ]
    );
    assert_eq!(report["findings"][0]["severity"], "info");
}

#[test]
fn commands_in_workflows_and_gitlab_ci_point_inside_the_yaml() {
    let sandbox = Sandbox::new();
    sandbox.write(
        ".github/workflows/teardown.yml",
        "on: workflow_dispatch\npermissions:\n  contents: read\njobs:\n  down:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          cd infra\n          terraform destroy -auto-approve\n      - run: \"aws s3 rm s3://acme-backups --recursive\"\n      - shell: python\n        run: print('rm -rf /')\n",
    );
    sandbox.write(
        ".gitlab-ci.yml",
        "cleanup:\n  script:\n    - echo start\n    - kubectl delete namespace review-$CI_COMMIT_REF_SLUG\n",
    );
    sandbox.write("scripts/reset.sh", "#!/bin/sh\nrm -rf \"$WORKDIR/\"\n");
    let (report, code) = sandbox.json(&[]);
    assert_eq!(code, 1);
    let found: Vec<(String, String, u64, u64, u64, u64)> = positions(&report);
    let expected: Vec<(&str, &str, u64, u64, u64, u64)> = vec![
        // The job itself deploys (destroys) with no environment gate.
        ("RL-GHA-101", ".github/workflows/teardown.yml", 5, 3, 5, 7),
        (
            "RL-SH-001",
            ".github/workflows/teardown.yml",
            10,
            11,
            10,
            42,
        ),
        (
            "RL-SH-007",
            ".github/workflows/teardown.yml",
            11,
            15,
            11,
            54,
        ),
        ("RL-GLC-101", ".gitlab-ci.yml", 1, 1, 1, 8),
        ("RL-SH-004", ".gitlab-ci.yml", 4, 7, 4, 58),
        ("RL-SH-013", "scripts/reset.sh", 2, 1, 2, 19),
    ];
    let expected: Vec<(String, String, u64, u64, u64, u64)> = expected
        .into_iter()
        .map(|(r, p, a, b, c, d)| (r.to_owned(), p.to_owned(), a, b, c, d))
        .collect();
    assert_eq!(found, expected);
    // The fix guards the variable inside the script.
    sandbox.run(&["check", "--fix"]);
    assert_eq!(
        sandbox.read("scripts/reset.sh"),
        "#!/bin/sh\nrm -rf \"${WORKDIR:?}/\"\n"
    );
}

#[test]
fn destructive_container_commands_in_kubernetes_jobs() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "k8s/reset-job.yaml",
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: reset\nspec:\n  template:\n    spec:\n      containers:\n        - name: reset\n          image: postgres:16\n          command: [\"sh\", \"-c\"]\n          args:\n            - psql \"$DATABASE_URL\" -c 'DROP TABLE orders'\n      restartPolicy: Never\n",
    );
    let (report, code) = sandbox.json(&[]);
    assert_eq!(code, 1);
    let found = positions(&report);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        found[0],
        (
            "RL-SH-015".to_owned(),
            "k8s/reset-job.yaml".to_owned(),
            13,
            15,
            13,
            58
        )
    );
}

#[test]
fn makefile_recipes_and_dockerfile_runs_are_commands() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "Makefile",
        ".PHONY: clean teardown\nclean:\n\t@rm -rf $(BUILD_DIR)/\nteardown:\n\tterraform destroy -auto-approve\n",
    );
    sandbox.write(
        "images/api.Dockerfile",
        "FROM alpine:3.20\nRUN apk add --no-cache curl \\\n    && rm -rf /var/cache/apk/*\nRUN [\"sh\", \"-c\", \"mkfs.ext4 /dev/xvdb\"]\n",
    );
    let (report, code) = sandbox.json(&[]);
    assert_eq!(code, 1);
    let found: Vec<(String, String, u64, u64)> = positions(&report)
        .into_iter()
        .map(|p| (p.0, p.1, p.2, p.3))
        .collect();
    assert_eq!(
        found,
        [
            ("RL-SH-013".to_owned(), "Makefile".to_owned(), 3, 3),
            ("RL-SH-001".to_owned(), "Makefile".to_owned(), 5, 2),
            (
                "RL-SH-018".to_owned(),
                "images/api.Dockerfile".to_owned(),
                4,
                19
            ),
        ]
    );
    // No shell-only fix is offered inside a Makefile.
    assert_eq!(report["findings"][0]["fixes"], serde_json::json!([]));
}

#[test]
fn claude_hook_commands_are_commands() {
    let sandbox = Sandbox::new();
    sandbox.write(
        ".claude/settings.json",
        "{\n  \"hooks\": {\n    \"Stop\": [{\"hooks\": [{\"type\": \"command\", \"command\": \"git push --force origin main\"}]}]\n  }\n}\n",
    );
    let (report, _) = sandbox.json(&[]);
    assert_eq!(
        positions(&report),
        [(
            "RL-SH-014".to_owned(),
            ".claude/settings.json".to_owned(),
            3,
            57,
            3,
            85
        )]
    );
}

#[test]
fn cloud_iam_grants_are_each_reported_once() {
    let sandbox = Sandbox::with_data("cloud-iam");
    let (report, code) = sandbox.json(&[]);
    assert_eq!(code, 1);
    let expected: Vec<(&str, &str, u64, u64, u64, u64)> = vec![
        ("RL-IAM-012", "main.tf", 5, 16, 5, 61),
        ("RL-GCP-001", "main.tf", 10, 13, 10, 26),
        ("RL-GCP-002", "main.tf", 17, 12, 17, 22),
        ("RL-AZ-001", "main.tf", 24, 26, 24, 33),
        ("RL-AZ-002", "main.tf", 33, 16, 33, 19),
        // The `!Sub` string itself, after the tag.
        ("RL-IAM-012", "template.yaml", 15, 16, 15, 75),
    ];
    let expected: Vec<(String, String, u64, u64, u64, u64)> = expected
        .into_iter()
        .map(|(r, p, a, b, c, d)| (r.to_owned(), p.to_owned(), a, b, c, d))
        .collect();
    assert_eq!(positions(&report), expected);
    for finding in report["findings"].as_array().unwrap() {
        assert_eq!(finding["category"], "permissions");
        assert_eq!(finding["severity"], "error");
    }
    // Only the GCP basic role has a fix, and it is unsafe.
    let fixes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|finding| finding["fixes"].as_array().unwrap())
        .map(|fix| fix["applicability"].as_str().unwrap())
        .collect();
    assert_eq!(fixes, ["unsafe"]);
    sandbox.run(&["check", "--fix", "--unsafe-fixes"]);
    assert!(
        sandbox
            .read("main.tf")
            .contains("role    = \"roles/viewer\"")
    );
    let (report, _) = sandbox.json(&[]);
    assert_eq!(
        rules_of(&report),
        [
            "RL-IAM-012",
            "RL-GCP-002",
            "RL-AZ-001",
            "RL-AZ-002",
            "RL-IAM-012"
        ]
    );
}

#[test]
fn plan_summary_first_then_findings() {
    let sandbox = Sandbox::with_data("plan");
    let output = sandbox.run(&["plan", "plan.json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    insta::assert_snapshot!("plan_text", stdout(&output));

    let output = sandbox.run(&["plan", "plan.json", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["version"], 1);
    assert_eq!(report["plan"]["terraform_version"], "1.9.5");
    assert_eq!(report["plan"]["counts"]["delete"], 1);
    assert_eq!(report["plan"]["counts"]["replace"], 6);
    let changes = report["plan"]["destructive_changes"].as_array().unwrap();
    // Deletions come first.
    assert_eq!(changes[0]["address"], "aws_db_instance.gone");
    assert_eq!(changes[0]["reason"], "removed from configuration");
    assert_eq!(changes[1]["replace_paths"], serde_json::json!(["engine"]));
    // With the configuration next to the plan: the attribute that forces the replacement,
    // the resource block, the module call; nothing for a block that was removed.
    let declared = |index: usize| {
        let at = &changes[index]["declared_at"];
        (at["path"].clone(), at["line"].clone())
    };
    assert_eq!(declared(0), (Value::Null, Value::Null));
    assert_eq!(declared(1), (Value::from("main.tf"), Value::from(7)));
    assert_eq!(declared(2), (Value::from("main.tf"), Value::from(1)));
    assert_eq!(declared(3), (Value::from("main.tf"), Value::from(11)));
    assert_eq!(declared(6), (Value::from("main.tf"), Value::from(17)));
    let rules: Vec<String> = rules_of(&report);
    assert_eq!(rules.iter().filter(|r| *r == "RL-TFP-002").count(), 6);
    assert_eq!(rules.iter().filter(|r| *r == "RL-TFP-001").count(), 1);
    assert_eq!(report["summary"]["findings"], rules.len());

    let output = sandbox.run(&["plan", "plan.json", "--fail-on", "never"]);
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn plan_prints_the_cascade_of_each_root_replacement() {
    let sandbox = Sandbox::with_data("plan-cascade");
    let output = sandbox.run(&["plan", "plan.json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    insta::assert_snapshot!("plan_cascade_text", stdout(&output));

    let output = sandbox.run(&["plan", "plan.json", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    let root = findings
        .iter()
        .find(|finding| finding["impact"]["root"] == "aws_vpc.main")
        .expect("the finding on the root replacement carries its impact");
    assert_eq!(root["severity"], "error");
    let replaced: Vec<&str> = root["impact"]["replaced"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry.as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        replaced,
        ["aws_subnet.a[0]", "aws_instance.web", "aws_ebs_volume.data"]
    );
    // A dependent keeps a finding, quieter, that names its cause.
    let dependent = findings
        .iter()
        .find(|finding| {
            finding["message"]
                .as_str()
                .is_some_and(|message| message.starts_with("the plan replaces `aws_subnet.a[0]`"))
        })
        .expect("a finding on the dependent");
    assert_eq!(dependent["severity"], "info");
    assert!(dependent["impact"].is_null());
}

#[test]
fn plan_refuses_what_is_not_a_plan() {
    let sandbox = Sandbox::with_data("three");
    let output = sandbox.run(&["plan", "iam/admin.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("iam/admin.json is not a Terraform plan"),
        "{}",
        stderr(&output)
    );
    assert_eq!(stdout(&output), "");
    sandbox.write("tfplan", b"PK\x03\x04binary plan");
    let output = sandbox.run(&["plan", "tfplan"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("terraform show -json"),
        "{}",
        stderr(&output)
    );
    let output = sandbox.run(&["plan", "missing.json"]);
    assert_eq!(output.status.code(), Some(2));
    let output = sandbox.run(&["plan", "iam"]);
    assert_eq!(output.status.code(), Some(2));
}

/// A plan over the 10 MB `max_file_size` of `check`, on one line as `terraform show -json`
/// writes it: `redline plan` reads it anyway.
#[test]
fn plan_reads_a_20_mb_plan() {
    let sandbox = Sandbox::new();
    let mut changes = Vec::new();
    let mut size = 0;
    let mut index: usize = 0;
    while size < 20_000_000 {
        let (actions, reason) = match index % 50 {
            0 => (
                r#"["delete"]"#,
                r#","action_reason":"delete_because_count_index""#,
            ),
            1 => (
                r#"["delete","create"]"#,
                r#","action_reason":"replace_because_cannot_update""#,
            ),
            _ => (r#"["update"]"#, ""),
        };
        let padding = "x".repeat(600);
        let change = format!(
            r#"{{"address":"module.app.aws_s3_object.file[{index}]","module_address":"module.app","mode":"managed","type":"aws_s3_object","name":"file","index":{index},"provider_name":"registry.terraform.io/hashicorp/aws","change":{{"actions":{actions},"before":{{"key":"k{index}","content":"{padding}"}},"after":{{"key":"k{index}","content":"{padding}y"}},"after_unknown":{{}},"replace_paths":[["key"]]}}{reason}}}"#
        );
        size += change.len() + 1;
        changes.push(change);
        index += 1;
    }
    let plan = format!(
        r#"{{"format_version":"1.2","terraform_version":"1.9.5","planned_values":{{}},"resource_changes":[{}]}}"#,
        changes.join(",")
    );
    assert!(plan.len() > 20_000_000);
    sandbox.write("big.json", &plan);
    let (report, _) = sandbox.json(&["big.json"]);
    assert_eq!(report["errors"][0]["kind"], "skipped");
    let output = sandbox.run(&["plan", "big.json", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let expected_deletes = index.div_ceil(50);
    assert_eq!(report["plan"]["counts"]["delete"], expected_deletes);
    assert!(rules_of(&report).contains(&"RL-TFP-005".to_owned()));
}

#[test]
fn iam_policies_in_every_source_format_are_reported_once() {
    let sandbox = Sandbox::with_data("iam");
    let (report, code) = sandbox.json(&[]);
    assert_eq!(code, 1);
    let found: Vec<(String, String, u64, u64)> = positions(&report)
        .into_iter()
        .map(|(rule, path, line, column, _, _)| (rule, path, line, column))
        .collect();
    let expected = [
        ("RL-IAM-011", "cloudformation/github-role.yaml", 12, 26),
        ("RL-IAM-008", "cloudformation/site.json", 12, 26),
        ("RL-IAM-001", "policies/deploy.json", 7, 17),
        // The policy document is used by two resources and reported once, where it is written.
        ("RL-IAM-005", "terraform/document.tf", 5, 18),
        ("RL-IAM-009", "terraform/heredoc.tf", 8, 30),
        ("RL-IAM-002", "terraform/jsonencode.tf", 8, 19),
    ];
    let expected: Vec<(String, String, u64, u64)> = expected
        .iter()
        .map(|(rule, path, line, column)| ((*rule).to_owned(), (*path).to_owned(), *line, *column))
        .collect();
    assert_eq!(found, expected);
}

/// A sandbox holding a git repository with one commit of `files`.
fn committed(files: &[(&str, &str)]) -> Sandbox {
    let sandbox = Sandbox::new();
    git(sandbox.path(), &["init", "-q", "-b", "main"]);
    for (path, contents) in files {
        sandbox.write(path, contents);
    }
    git(sandbox.path(), &["add", "-A"]);
    git(sandbox.path(), &["commit", "-q", "-m", "base"]);
    sandbox
}

fn json_of(output: &Output) -> Value {
    let text = stdout(output);
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("not JSON ({error}): {text}"))
}

/// `RULE path:line:column` of every finding, in report order.
fn found(report: &Value) -> Vec<String> {
    positions(report)
        .into_iter()
        .map(|(rule, path, line, column, _, _)| format!("{rule} {path}:{line}:{column}"))
        .collect()
}

const BUCKET: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n";
const FORCE_DESTROY: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket        = \"logs\"\n  force_destroy = true\n}\n";

/// A bucket long enough that git pairs a renamed copy with its old name despite an edit.
fn tagged_bucket(name: &str, extra: &str) -> String {
    format!(
        "resource \"aws_s3_bucket\" \"{name}\" {{\n  bucket = \"{name}\"\n{extra}  tags = {{\n    team    = \"platform\"\n    service = \"storage\"\n    owner   = \"ops\"\n    cost    = \"shared\"\n  }}\n}}\n"
    )
}

#[test]
fn diff_reports_what_the_working_tree_changed_since_a_revision() {
    let sandbox = committed(&[
        ("infra/main.tf", BUCKET),
        ("infra/old_name.tf", &tagged_bucket("data", "")),
        ("infra/gone.tf", &BUCKET.replace("logs", "tmp")),
    ]);
    let clean = sandbox.run(&["diff"]);
    assert_eq!(clean.status.code(), Some(0), "{}", stderr(&clean));
    assert_eq!(stdout(&clean), "No findings in 0 files.\n");

    // An edit, a staged rename with an edit, a deletion and an untracked new file.
    sandbox.write("infra/main.tf", FORCE_DESTROY);
    git(
        sandbox.path(),
        &["mv", "infra/old_name.tf", "infra/new_name.tf"],
    );
    sandbox.write(
        "infra/new_name.tf",
        tagged_bucket("data", "  force_destroy = true\n"),
    );
    std::fs::remove_file(sandbox.path().join("infra/gone.tf")).unwrap();
    sandbox.write("scripts/deploy.sh", "terraform destroy -auto-approve\n");

    let output = sandbox.run(&["diff", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_of(&output);
    // Only what the change introduced: RL-TF-019 (no `prevent_destroy`) was there before in
    // the edited and the renamed file, so it is not reported. The deleted file's bucket is
    // removed from the configuration (RL-TF-001).
    assert_eq!(
        found(&report),
        [
            "RL-TF-001 infra/gone.tf:1:1",
            "RL-TF-010 infra/main.tf:3:3",
            "RL-TF-020 infra/main.tf:3:3",
            "RL-TF-010 infra/new_name.tf:3:3",
            "RL-TF-020 infra/new_name.tf:3:3",
            "RL-SH-001 scripts/deploy.sh:1:1",
        ]
    );
    assert_eq!(report["summary"]["files"], 4);

    // --all reports every finding of the changed files.
    let all = json_of(&sandbox.run(&["diff", "--all", "--format", "json"]));
    let n_info = rules_of(&all)
        .iter()
        .filter(|rule| *rule == "RL-TF-019")
        .count();
    assert_eq!(n_info, 2);

    // Paths restrict the comparison, as a pre-commit hook passes them.
    let output = sandbox.run(&[
        "diff",
        "--base",
        "HEAD",
        "--format",
        "json",
        "infra/main.tf",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        found(&json_of(&output)),
        ["RL-TF-010 infra/main.tf:3:3", "RL-TF-020 infra/main.tf:3:3"]
    );
    let output = sandbox.run(&[
        "diff",
        "--base",
        "HEAD",
        "--format",
        "json",
        "infra/gone.tf",
    ]);
    assert_eq!(found(&json_of(&output)), ["RL-TF-001 infra/gone.tf:1:1"]);

    // Output options are those of `check`.
    let output = sandbox.run(&[
        "diff",
        "--severity",
        "error",
        "--fail-on",
        "never",
        "--format",
        "github",
        "scripts",
    ]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).starts_with("::error file=scripts/deploy.sh,line=1"));

    // Once committed, the change is the base.
    git(sandbox.path(), &["add", "-A"]);
    git(sandbox.path(), &["commit", "-q", "-m", "edit"]);
    assert_eq!(sandbox.run(&["diff"]).status.code(), Some(0));
    let output = sandbox.run(&["diff", "--base", "HEAD~1", "--format", "json"]);
    assert_eq!(found(&json_of(&output)).len(), 6);
}

#[test]
fn diff_merge_base_compares_with_the_fork_point() {
    let sandbox = committed(&[("main.tf", BUCKET)]);
    git(sandbox.path(), &["checkout", "-q", "-b", "feature"]);
    sandbox.write("main.tf", FORCE_DESTROY);
    git(sandbox.path(), &["commit", "-q", "-am", "force destroy"]);
    git(sandbox.path(), &["checkout", "-q", "main"]);
    sandbox.write("other.tf", BUCKET.replace("logs", "other"));
    git(sandbox.path(), &["add", "-A"]);
    git(sandbox.path(), &["commit", "-q", "-m", "other"]);
    git(sandbox.path(), &["checkout", "-q", "feature"]);
    // Against `main` itself, other.tf would look deleted; against the fork point it is not.
    let output = sandbox.run(&["diff", "--merge-base", "main", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        found(&json_of(&output)),
        ["RL-TF-010 main.tf:3:3", "RL-TF-020 main.tf:3:3"]
    );
    let output = sandbox.run(&["diff", "--merge-base", "no-such-branch"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`no-such-branch` is not a commit"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn diff_outside_a_repository_is_an_error() {
    let sandbox = Sandbox::new();
    sandbox.write("main.tf", FORCE_DESTROY);
    let output = sandbox.run(&["diff"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("is not inside a git repository"),
        "{}",
        stderr(&output)
    );
    let output = sandbox.run(&["diff", "--base", "HEAD", "main.tf"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn diff_old_new_files_and_folders() {
    let sandbox = Sandbox::new();
    sandbox.write("old.tf", BUCKET);
    sandbox.write("new.tf", FORCE_DESTROY);
    let output = sandbox.run(&["diff", "old.tf", "new.tf", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        found(&json_of(&output)),
        ["RL-TF-010 new.tf:3:3", "RL-TF-020 new.tf:3:3"]
    );
    let output = sandbox.run(&["diff", "new.tf", "new.tf"]);
    assert_eq!(output.status.code(), Some(0));

    sandbox.write("v1/main.tf", BUCKET);
    sandbox.write("v1/same.tf", FORCE_DESTROY.replace("logs", "same"));
    sandbox.write("v1/gone.tf", BUCKET.replace("logs", "gone"));
    sandbox.write("v2/main.tf", FORCE_DESTROY);
    sandbox.write("v2/same.tf", FORCE_DESTROY.replace("logs", "same"));
    sandbox.write("v2/run.sh", "terraform destroy -auto-approve\n");
    let output = sandbox.run(&["diff", "v1", "v2", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_of(&output);
    assert_eq!(
        found(&report),
        [
            "RL-TF-001 v2/gone.tf:1:1",
            "RL-TF-010 v2/main.tf:3:3",
            "RL-TF-020 v2/main.tf:3:3",
            "RL-SH-001 v2/run.sh:1:1",
        ]
    );
    assert_eq!(report["summary"]["files"], 3);
}

/// A KMS key replaced by an edit takes the volume and the database encrypted with it: the
/// JSON report's `impact` lists them, with the edge that brings each in.
#[test]
fn diff_json_reports_the_impact_of_a_replacement() {
    const MODULE: &str = "resource \"aws_kms_key\" \"data\" {\n  customer_master_key_spec = \"SPEC\"\n}\n\nresource \"aws_ebs_volume\" \"data\" {\n  availability_zone = \"eu-west-1a\"\n  kms_key_id        = aws_kms_key.data.arn\n}\n\nresource \"aws_db_instance\" \"orders\" {\n  engine     = \"postgres\"\n  kms_key_id = aws_kms_key.data.arn\n}\n\nresource \"aws_kms_alias\" \"data\" {\n  name          = \"alias/data\"\n  target_key_id = aws_kms_key.data.key_id\n}\n";
    let sandbox = Sandbox::new();
    sandbox.write("old/main.tf", MODULE.replace("SPEC", "SYMMETRIC_DEFAULT"));
    sandbox.write("new/main.tf", MODULE.replace("SPEC", "RSA_4096"));
    let output = sandbox.run(&["diff", "old", "new", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_of(&output);
    assert_eq!(found(&report), ["RL-TF-005 new/main.tf:2:3"]);
    let finding = &report["findings"][0];
    assert!(
        finding["message"].as_str().unwrap().contains(
            "replacing `aws_kms_key.data` also replaces 2 resources, 2 holding data: \
             `aws_ebs_volume.data` via `aws_kms_key.data.arn`, `aws_db_instance.orders` via \
             `aws_kms_key.data.arn`"
        ),
        "{}",
        finding["message"]
    );
    assert_eq!(
        finding["impact"],
        serde_json::json!({
            "root": "aws_kms_key.data",
            "replaced": ["aws_ebs_volume.data", "aws_db_instance.orders"],
            "destroyed": [],
            "path": [
                {
                    "from": "aws_kms_key.data",
                    "to": "aws_ebs_volume.data",
                    "via": "aws_kms_key.data.arn",
                    "attribute": "kms_key_id",
                    "holds_data": true
                },
                {
                    "from": "aws_kms_key.data",
                    "to": "aws_db_instance.orders",
                    "via": "aws_kms_key.data.arn",
                    "attribute": "kms_key_id",
                    "holds_data": true
                }
            ]
        })
    );
    let related: Vec<&str> = finding["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|related| related["range"]["start"]["line"].as_u64().unwrap())
        .map(|line| if line == 7 { "volume" } else { "database" })
        .collect();
    assert_eq!(related, ["volume", "database"]);
    // A finding without a cascade has no `impact`.
    sandbox.write("old2.tf", BUCKET);
    sandbox.write("new2.tf", FORCE_DESTROY);
    let report = json_of(&sandbox.run(&["diff", "old2.tf", "new2.tf", "--format", "json"]));
    assert!(report["findings"][0].get("impact").is_none());
}

/// An edit of `terraform.tfvars` alone that replaces a database is reported in the tfvars
/// file, whether two folders are compared, the working tree is compared with git, or the new
/// text is proposed to the gate.
#[test]
fn diff_reports_a_database_replaced_by_a_tfvars_edit() {
    const MAIN: &str = "resource \"aws_db_instance\" \"main\" {\n  engine              = var.engine\n  deletion_protection = true\n}\n";
    const VARIABLES: &str =
        "variable \"engine\" {\n  type    = string\n  default = \"postgres\"\n}\n";
    const BEFORE: &str = "engine = \"postgres\"\n";
    const AFTER: &str = "# Moving to MySQL.\nengine = \"mysql\"\n";
    let sandbox = Sandbox::new();
    for side in ["v1", "v2"] {
        sandbox.write(&format!("{side}/main.tf"), MAIN);
        sandbox.write(&format!("{side}/variables.tf"), VARIABLES);
    }
    sandbox.write("v1/terraform.tfvars", BEFORE);
    sandbox.write("v2/terraform.tfvars", AFTER);
    let output = sandbox.run(&["diff", "v1", "v2", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_of(&output);
    assert_eq!(found(&report), ["RL-TF-005 v2/terraform.tfvars:2:10"]);
    let finding = &report["findings"][0];
    assert_eq!(finding["severity"], "error");
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.starts_with(
            "`var.engine` (set in terraform.tfvars:2) changes from \"postgres\" to \"mysql\", \
             which `engine` of `aws_db_instance.main` (main.tf:2) reads"
        ),
        "{message}"
    );

    let sandbox = committed(&[
        ("db/main.tf", MAIN),
        ("db/variables.tf", VARIABLES),
        ("db/terraform.tfvars", BEFORE),
    ]);
    sandbox.write("db/terraform.tfvars", AFTER);
    let output = sandbox.run(&["diff", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        found(&json_of(&output)),
        ["RL-TF-005 db/terraform.tfvars:2:10"]
    );

    sandbox.write("db/terraform.tfvars", BEFORE);
    let output = sandbox
        .command(&["gate", "--path", "db/terraform.tfvars", "--format", "json"])
        .write_stdin(AFTER)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(
        found(&json_of(&output)),
        ["RL-TF-005 db/terraform.tfvars:2:10"]
    );
}

/// Runs `redline hook claude` with `input` on standard input.
fn claude_hook(sandbox: &Sandbox, input: &Value) -> Output {
    sandbox
        .command(&["hook", "claude"])
        .write_stdin(input.to_string())
        .output()
        .unwrap()
}

fn permission(output: &Output) -> (String, String) {
    let answer = json_of(output);
    let decision = &answer["hookSpecificOutput"];
    assert_eq!(decision["hookEventName"], "PreToolUse");
    (
        decision["permissionDecision"].as_str().unwrap().to_owned(),
        decision["permissionDecisionReason"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

#[test]
fn claude_hook_judges_proposed_edits() {
    let sandbox = Sandbox::new();
    sandbox.write("infra/main.tf", BUCKET);
    let cwd = sandbox.path().to_str().unwrap();
    let file = sandbox.path().join("infra/main.tf");
    let file = file.to_str().unwrap();

    // Edit: the proposed text introduces an error, so the call is denied.
    let output = claude_hook(
        &sandbox,
        &serde_json::json!({
            "hook_event_name": "PreToolUse",
            "cwd": cwd,
            "tool_name": "Edit",
            "tool_input": {
                "file_path": file,
                "old_string": "  bucket = \"logs\"\n",
                "new_string": "  bucket        = \"logs\"\n  force_destroy = true\n",
            },
        }),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let (decision, reason) = permission(&output);
    assert_eq!(decision, "deny");
    assert!(
        reason.contains("infra/main.tf:3: error[RL-TF-010]"),
        "{reason}"
    );
    assert!(!reason.contains("RL-TF-019"), "{reason}");
    // The file itself is never written.
    assert_eq!(sandbox.read("infra/main.tf"), BUCKET);

    // A clean edit, and an edit that does not apply: no decision.
    for old_string in ["bucket = \"logs\"\n", "not in the file"] {
        let output = claude_hook(
            &sandbox,
            &serde_json::json!({
                "cwd": cwd,
                "tool_name": "Edit",
                "tool_input": {
                    "file_path": file,
                    "old_string": old_string,
                    "new_string": "bucket = \"logs\"\n  tags   = { team = \"ops\" }\n",
                },
            }),
        );
        assert_eq!(output.status.code(), Some(0));
        assert_eq!(stdout(&output), "");
    }

    // MultiEdit applies its edits in order; Write of a new file has no base.
    let output = claude_hook(
        &sandbox,
        &serde_json::json!({
            "cwd": cwd,
            "tool_name": "MultiEdit",
            "tool_input": {"file_path": file, "edits": [
                {"old_string": "bucket = \"logs\"", "new_string": "bucket = \"archive\""},
                {"old_string": "\"archive\"\n", "new_string": "\"archive\"\n  force_destroy = true\n"},
            ]},
        }),
    );
    assert_eq!(permission(&output).0, "deny");
    let output = claude_hook(
        &sandbox,
        &serde_json::json!({
            "cwd": cwd,
            "tool_name": "Write",
            "tool_input": {"file_path": "infra/new.tf", "content": FORCE_DESTROY},
        }),
    );
    let (_, reason) = permission(&output);
    assert!(
        reason.contains("infra/new.tf:3: error[RL-TF-010]"),
        "{reason}"
    );
    assert!(!sandbox.path().join("infra/new.tf").exists());

    // Bash: the command is a shell script (the example in docs/agents.md, without `cwd`).
    let output = claude_hook(
        &sandbox,
        &serde_json::json!({
            "tool_name": "Bash",
            "tool_input": {"command": "terraform destroy -auto-approve"},
        }),
    );
    let (decision, reason) = permission(&output);
    assert_eq!(decision, "deny");
    assert!(
        reason.contains("command.sh:1: error[RL-SH-001]"),
        "{reason}"
    );
    let output = claude_hook(
        &sandbox,
        &serde_json::json!({"cwd": cwd, "tool_name": "Bash", "tool_input": {"command": "ls -la"}}),
    );
    assert_eq!(stdout(&output), "");

    // Tools it does not judge pass; broken input blocks with a message.
    let output = claude_hook(
        &sandbox,
        &serde_json::json!({"cwd": cwd, "tool_name": "Read", "tool_input": {"file_path": file}}),
    );
    assert_eq!(
        (output.status.code(), stdout(&output)),
        (Some(0), String::new())
    );
    let output = sandbox
        .command(&["hook", "claude"])
        .write_stdin("{not json")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("the hook input is not JSON"));
    let output = claude_hook(
        &sandbox,
        &serde_json::json!({"cwd": cwd, "tool_name": "Write", "tool_input": {"content": "x"}}),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no string `file_path`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn gate_judges_contents_from_standard_input() {
    let sandbox = Sandbox::new();
    sandbox.write("main.tf", BUCKET);
    let gate = |args: &[&str], input: &str| {
        let mut full = vec!["gate", "--color", "never"];
        full.extend_from_slice(args);
        sandbox
            .command(&full)
            .write_stdin(input.to_owned())
            .output()
            .unwrap()
    };
    let output = gate(&["--path", "main.tf"], FORCE_DESTROY);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout(&output).starts_with("main.tf:3:3: error[RL-TF-010]"),
        "{}",
        stdout(&output)
    );
    assert_eq!(sandbox.read("main.tf"), BUCKET);

    // Unchanged contents: nothing to judge.
    let output = gate(&["--path", "main.tf"], BUCKET);
    assert_eq!(
        (output.status.code(), stdout(&output)),
        (Some(0), "No findings in 0 files.\n".to_owned())
    );

    // A new file has no base; --fail-on decides what blocks. (Another bucket: a copy of
    // `main.tf`'s would repeat the findings it has there, which are not new.)
    let other = FORCE_DESTROY.replace("\"logs\" {", "\"audit\" {");
    let output = gate(&["--path", "new.tf", "--format", "json"], &other);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        found(&json_of(&output)),
        ["RL-TF-019 new.tf:1:1", "RL-TF-010 new.tf:3:3"]
    );
    let output = gate(&["--path", "new.tf", "--fail-on", "never"], &other);
    assert_eq!(output.status.code(), Some(0));

    let output = gate(&[], BUCKET);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn diff_flags_a_rename_without_moved_and_not_a_block_moved_to_another_file() {
    let sandbox = committed(&[
        ("infra/main.tf", BUCKET),
        ("infra/other.tf", &BUCKET.replace("logs", "data")),
    ]);
    // `logs` is renamed; `data` moves from other.tf to main.tf, which is not a removal.
    sandbox.write(
        "infra/main.tf",
        format!(
            "{}{}",
            BUCKET.replace("\"logs\" {", "\"archive\" {"),
            BUCKET.replace("logs", "data")
        ),
    );
    sandbox.write("infra/other.tf", "");
    let output = sandbox.run(&["diff", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    // RL-TF-019 is per file: main.tf has two buckets without `prevent_destroy` it did not have.
    let report = without_rule(json_of(&output), "RL-TF-019");
    assert_eq!(found(&report), ["RL-TF-002 infra/main.tf:1:26"]);
    let fix = &report["findings"][0]["fixes"][0];
    assert_eq!(fix["applicability"], "safe");
    assert!(
        fix["edits"][0]["new_text"]
            .as_str()
            .unwrap()
            .contains("from = aws_s3_bucket.logs"),
        "{fix}"
    );

    // The same rename proposed by an agent is denied before it is written.
    sandbox.write("infra/main.tf", BUCKET);
    sandbox.write("infra/other.tf", BUCKET.replace("logs", "data"));
    let output = claude_hook(
        &sandbox,
        &serde_json::json!({
            "cwd": sandbox.path().to_str().unwrap(),
            "tool_name": "Edit",
            "tool_input": {
                "file_path": "infra/main.tf",
                "old_string": "\"logs\" {",
                "new_string": "\"archive\" {",
            },
        }),
    );
    let (decision, reason) = permission(&output);
    assert_eq!(decision, "deny");
    assert!(
        reason.contains("infra/main.tf:1: error[RL-TF-002]"),
        "{reason}"
    );
    assert!(reason.contains("(fix: Add `moved"), "{reason}");
}

/// The ids of the rules a JSON report names.
fn rule_ids(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap().to_owned())
        .collect()
}

/// Every before/after fixture pair of the edit rules, run through the front-ends a user has:
/// `redline diff OLD NEW`, `redline diff` against a git commit, and the Claude Code hook. A
/// `fires` pair reports its rule through each; a `quiet` pair never does.
#[test]
fn edit_fixture_pairs_through_diff_git_and_the_hook() {
    let pairs = edit_fixture_pairs();
    assert!(pairs.len() >= 30, "only {} edit fixture pairs", pairs.len());
    for (rule_name, kind, ext, base, new) in pairs {
        let id = redline_rules::find_rule(&rule_name)
            .unwrap_or_else(|| panic!("{rule_name} names no rule"))
            .meta()
            .id();
        let fires = kind.starts_with("fires");
        // Other kinds (`template`, `nested`) are snapshot fixtures: only run them.
        let judged = fires || kind.starts_with("quiet");
        let file = format!("infra/{kind}.{ext}");
        let context = format!("{rule_name}/{kind}.{ext}");

        // OLD NEW.
        let sandbox = Sandbox::new();
        sandbox.write(&format!("old/{kind}.{ext}"), &base);
        sandbox.write(&format!("new/{kind}.{ext}"), &new);
        let output = sandbox.run(&[
            "diff",
            "old",
            "new",
            "--format",
            "json",
            "--fail-on",
            "never",
        ]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{context}: {}",
            stderr(&output)
        );
        let old_new = rule_ids(&json_of(&output));
        assert!(
            !judged || old_new.contains(&id.to_owned()) == fires,
            "{context}: diff OLD NEW gave {old_new:?}"
        );

        // Against a git commit.
        let repo = committed(&[(&file, &base)]);
        repo.write(&file, &new);
        let output = repo.run(&["diff", "--format", "json", "--fail-on", "never"]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{context}: {}",
            stderr(&output)
        );
        let report = json_of(&output);
        let git_ids = rule_ids(&report);
        assert!(
            !judged || git_ids.contains(&id.to_owned()) == fires,
            "{context}: diff against git gave {git_ids:?}"
        );

        // The hook, with the base on disk and the new text proposed by a Write.
        let agent = Sandbox::new();
        let path = agent.write(&file, &base);
        let output = claude_hook(
            &agent,
            &serde_json::json!({
                "hook_event_name": "PreToolUse",
                "cwd": agent.path().to_str().unwrap(),
                "tool_name": "Write",
                "tool_input": {"file_path": path.to_str().unwrap(), "content": new},
            }),
        );
        assert_eq!(
            output.status.code(),
            Some(0),
            "{context}: {}",
            stderr(&output)
        );
        let blocking = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|finding| finding["rule"] == id && finding["severity"] != "info");
        let answer = stdout(&output);
        if fires && blocking {
            let (decision, reason) = permission(&output);
            assert!(
                matches!(decision.as_str(), "deny" | "ask"),
                "{context}: {decision}"
            );
            assert!(
                reason.contains(id),
                "{context}: hook reason lacks {id}: {reason}"
            );
        } else if judged && !fires {
            assert!(!answer.contains(id), "{context}: hook answered {answer}");
        }
        // The file on disk is never written.
        assert_eq!(std::fs::read_to_string(&path).unwrap(), base, "{context}");
    }
}

/// A local module call's input is reported where it is written, in the caller, with the
/// called module's line as a related place in that other file, in every format; `--fix`
/// rewrites the input.
#[test]
fn module_inputs_are_reported_at_the_call_with_the_called_line_related() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "app/main.tf",
        "module \"logs\" {\n  source        = \"../modules/bucket\"\n  force_destroy = true\n}\n",
    );
    // Characters outside ASCII before the related place pin its columns.
    sandbox.write(
        "modules/bucket/main.tf",
        "variable \"force_destroy\" {\n  default = false\n}\nresource \"aws_s3_bucket\" \"this\" {\n  /* 🚀中 */ force_destroy = var.force_destroy\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
    );
    let (report, code) = sandbox.json(&[]);
    assert_eq!(code, 1);
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{report:#}");
    let finding = &findings[0];
    assert_eq!(finding["rule"], "RL-TF-010");
    assert_eq!(finding["path"], "app/main.tf");
    assert_eq!(finding["range"]["start"]["line"], 3);
    assert!(
        finding["message"]
            .as_str()
            .unwrap()
            .contains("on `module.logs.aws_s3_bucket.this`"),
        "{finding:#}"
    );
    assert_eq!(
        finding["related"],
        serde_json::json!([{
            "path": "modules/bucket/main.tf",
            "range": {"start": {"line": 5, "column": 12}, "end": {"line": 5, "column": 45}},
            "message": "`module.logs.aws_s3_bucket.this` reads the value here"
        }])
    );

    let sarif: Value =
        serde_json::from_slice(&sandbox.run(&["check", "--format", "sarif"]).stdout).unwrap();
    let related = &sarif["runs"][0]["results"][0]["relatedLocations"][0]["physicalLocation"];
    assert_eq!(related["artifactLocation"]["uri"], "modules/bucket/main.tf");
    assert_eq!(related["region"]["startColumn"], 12);

    let text = stdout(&sandbox.run(&["check"]));
    assert!(
        text.contains(
            "= modules/bucket/main.tf:5:12: `module.logs.aws_s3_bucket.this` reads the value here"
        ),
        "{text}"
    );

    sandbox.run(&["check", "--fix"]);
    assert!(
        sandbox
            .read("app/main.tf")
            .contains("force_destroy = false")
    );
    assert!(
        sandbox
            .read("modules/bucket/main.tf")
            .contains("var.force_destroy")
    );
    let (_, code) = sandbox.json(&[]);
    assert_eq!(code, 0);
}

/// An edit that replaces a VPC names what goes with it inside the local module its folder
/// calls, by the address in the module tree, with the called module's line as a related place
/// in that other file: in `redline diff` against a commit, and in `gate` for the same edit.
#[test]
fn a_replacement_cascades_into_a_called_module_in_diff_and_gate() {
    const MAIN: &str = "resource \"aws_vpc\" \"main\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n\nresource \"aws_subnet\" \"a\" {\n  vpc_id     = aws_vpc.main.id\n  cidr_block = \"10.0.1.0/24\"\n}\n\nmodule \"files\" {\n  source     = \"./modules/files\"\n  subnet_ids = aws_subnet.a[*].id\n}\n";
    // Characters outside ASCII before the related place pin its columns.
    const FILES: &str = "variable \"subnet_ids\" {\n  type = list(string)\n}\n\nresource \"aws_fsx_ontap_file_system\" \"this\" {\n  deployment_type     = \"SINGLE_AZ_1\"\n  storage_capacity    = 1024\n  throughput_capacity = 128\n  /* 🚀中 */ subnet_ids = var.subnet_ids\n}\n\n# Updated in place.\nresource \"aws_db_subnet_group\" \"this\" {\n  name       = \"files\"\n  subnet_ids = var.subnet_ids\n}\n";
    let edited = MAIN.replace("10.0.0.0/16", "10.1.0.0/16");
    let expected_related = serde_json::json!({
        "path": "infra/modules/files/main.tf",
        "range": {"start": {"line": 9, "column": 12}, "end": {"line": 9, "column": 39}},
        "message": "`module.files.aws_fsx_ontap_file_system.this` is replaced, with the data it holds: its force-new `subnet_ids` reads `aws_subnet.a.id`, which changes, through the input `subnet_ids` of `module.files`"
    });
    let check = |report: &Value, context: &str| {
        let findings: Vec<&Value> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|finding| finding["rule"] == "RL-TF-005")
            .collect();
        assert_eq!(findings.len(), 1, "{context}: {report:#}");
        let finding = findings[0];
        assert_eq!(finding["path"], "infra/main.tf", "{context}");
        assert_eq!(finding["range"]["start"]["line"], 2, "{context}");
        let impact = &finding["impact"];
        assert_eq!(impact["root"], "aws_vpc.main", "{context}");
        assert_eq!(
            impact["replaced"],
            serde_json::json!([
                "aws_subnet.a",
                "module.files.aws_fsx_ontap_file_system.this"
            ]),
            "{context}"
        );
        assert_eq!(
            impact["path"][1],
            serde_json::json!({
                "from": "aws_subnet.a",
                "to": "module.files.aws_fsx_ontap_file_system.this",
                "via": "aws_subnet.a.id",
                "attribute": "subnet_ids",
                "holds_data": true
            }),
            "{context}"
        );
        assert!(
            finding["message"].as_str().unwrap().contains(
                "also replaces 2 resources, 1 holding data: `module.files.aws_fsx_ontap_file_system.this` via `aws_subnet.a.id`"
            ),
            "{context}: {finding:#}"
        );
        assert!(
            finding["related"]
                .as_array()
                .unwrap()
                .contains(&expected_related),
            "{context}: {finding:#}"
        );
    };

    let repo = committed(&[
        ("infra/main.tf", MAIN),
        ("infra/modules/files/main.tf", FILES),
    ]);
    repo.write("infra/main.tf", &edited);
    let output = repo.run(&["diff", "--format", "json", "--fail-on", "never"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    check(&json_of(&output), "diff");

    let repo = committed(&[
        ("infra/main.tf", MAIN),
        ("infra/modules/files/main.tf", FILES),
    ]);
    let output = repo
        .command(&["gate", "--path", "infra/main.tf", "--format", "json"])
        .write_stdin(edited.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    check(&json_of(&output), "gate");
}

/// An example that calls the module at the root of the checked folder (`source = "../../"`)
/// is judged with that module however the folder is named: `.`, nothing, or its path.
#[test]
fn a_call_of_the_checked_root_module_is_judged() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "main.tf",
        "variable \"cidr\" {\n  type    = list(string)\n  default = []\n}\nresource \"aws_security_group_rule\" \"ssh\" {\n  type              = \"ingress\"\n  from_port         = 22\n  to_port           = 22\n  protocol          = \"tcp\"\n  cidr_blocks       = var.cidr\n  security_group_id = \"sg-1\"\n}\n",
    );
    sandbox.write(
        "examples/open/main.tf",
        "module \"sg\" {\n  source = \"../../\"\n  cidr   = [\"0.0.0.0/0\"]\n}\n",
    );
    for args in [&[][..], &["."][..], &["./"][..]] {
        let (report, _) = sandbox.json(args);
        let found: Vec<_> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|finding| (finding["rule"].clone(), finding["path"].clone()))
            .collect();
        assert_eq!(
            found,
            [(
                Value::from("RL-TF-101"),
                Value::from("examples/open/main.tf")
            )],
            "{args:?}: {report:#}"
        );
    }
}

/// `diff` and `gate` read the local modules a changed file calls, from the working tree, and
/// report an input that the edit made unsafe at the input; the called module's own defaults
/// are quiet, since a folder of the repository calls it.
#[test]
fn diff_and_gate_judge_local_module_calls() {
    let caller = |value: &str| {
        format!(
            "module \"logs\" {{\n  source        = \"../modules/bucket\"\n  force_destroy = {value}\n}}\n"
        )
    };
    let bucket = "variable \"force_destroy\" {\n  default = false\n}\nresource \"aws_s3_bucket\" \"this\" {\n  force_destroy = var.force_destroy\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n";
    let sandbox = committed(&[
        ("app/main.tf", &caller("false")),
        ("modules/bucket/main.tf", bucket),
    ]);
    sandbox.write("app/main.tf", caller("true"));
    let output = sandbox.run(&["diff", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let report = json_of(&output);
    assert_eq!(found(&report), ["RL-TF-010 app/main.tf:3:3"]);
    assert_eq!(
        report["findings"][0]["related"][0]["path"],
        "modules/bucket/main.tf"
    );

    // The same edit proposed to the gate, against the committed file.
    sandbox.write("app/main.tf", caller("false"));
    let output = sandbox
        .command(&["gate", "--path", "app/main.tf", "--format", "json"])
        .write_stdin(caller("true"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert_eq!(found(&json_of(&output)), ["RL-TF-010 app/main.tf:3:3"]);

    // A default that makes the bucket force-destroyable is an info in the called module, and
    // the caller that leaves the input unset is told.
    sandbox.write(
        "modules/bucket/main.tf",
        bucket.replace("default = false", "default = true"),
    );
    sandbox.write(
        "app/main.tf",
        "module \"logs\" {\n  source = \"../modules/bucket\"\n}\n",
    );
    let output = sandbox.run(&["diff", "--format", "json"]);
    let report = json_of(&output);
    let severities: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                format!(
                    "{} {}",
                    finding["rule"].as_str().unwrap(),
                    finding["path"].as_str().unwrap()
                ),
                finding["severity"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        severities,
        [
            ("RL-TF-010 app/main.tf".to_owned(), "error".to_owned()),
            (
                "RL-TF-010 modules/bucket/main.tf".to_owned(),
                "info".to_owned()
            ),
        ]
    );
}

/// A Terraform module with a database, a queue and a module call, for edits still being typed.
const TYPING_BASE: &str = r#"provider "aws" {
  region = "eu-west-1"
}

resource "aws_vpc" "main" {
  cidr_block = "10.0.0.0/16"
}

resource "aws_db_instance" "orders" {
  engine         = "postgres"
  instance_class = "db.t3.micro"
}

module "network" {
  source = "terraform-aws-modules/vpc/aws"
  cidr   = "10.1.0.0/16"
}

resource "aws_sqs_queue" "jobs" {
  name = "jobs"
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
"#;

/// An edit still being typed hides nothing: whether the edit is judged as two files, against
/// git, by the gate or by the agent hook, the blocks its syntax error swallows are not reported
/// removed, and the real removal of the queue, made before the typing began, is.
#[test]
fn an_unfinished_edit_removes_nothing_it_hides() {
    let queue = "resource \"aws_sqs_queue\" \"jobs\" {\n  name = \"jobs\"\n}\n\n";
    let without_queue = TYPING_BASE.replace(queue, "");
    let at = without_queue.find("resource \"aws_db_instance\"").unwrap();
    let typed = "resource \"aws_security_group\" \"web\" {\n  name   = \"web\"\n  vpc_id = aws_vpc.main.id\n}\n\n";
    let sandbox = committed(&[("infra/main.tf", TYPING_BASE)]);
    sandbox.write("old/main.tf", TYPING_BASE);
    let cwd = sandbox.path().to_str().unwrap().to_owned();
    let file = sandbox.path().join("infra/main.tf");
    // A half-typed name, an unterminated string, a block without its `}`, and a string in
    // an existing block left open.
    let mut prefixes: Vec<String> = [
        "resource \"aws_secu",
        "resource \"aws_security_group\" \"web\" {\n  name   = \"we",
        "resource \"aws_security_group\" \"web\" {\n  name   = \"web\"\n",
    ]
    .iter()
    .map(|part| format!("{}{part}{}", &without_queue[..at], &without_queue[at..]))
    .collect();
    prefixes.push(
        format!("{}{typed}{}", &without_queue[..at], &without_queue[at..])
            .replace("\"postgres\"", "\"postgr"),
    );
    for new in &prefixes {
        let expect_removal = |report: &Value, path: &str| {
            let findings = report["findings"].as_array().unwrap();
            let judged: Vec<String> = findings
                .iter()
                .filter(|finding| finding["severity"] != "info")
                .map(|finding| {
                    format!(
                        "{} {}",
                        finding["rule"].as_str().unwrap(),
                        finding["message"].as_str().unwrap()
                    )
                })
                .collect();
            assert!(
                judged.len() == 1
                    && judged[0].starts_with("RL-TF-001 `aws_sqs_queue.jobs` was removed"),
                "{path}: {judged:#?}\n{new}"
            );
            assert!(
                findings
                    .iter()
                    .any(|finding| finding["rule"] == "RL-META-001"),
                "{path}: {findings:#?}"
            );
        };
        sandbox.write("new/main.tf", new);
        let output = sandbox.run(&["diff", "old/main.tf", "new/main.tf", "--format", "json"]);
        expect_removal(&json_of(&output), "diff OLD NEW");

        sandbox.write("infra/main.tf", new);
        let output = sandbox.run(&["diff", "--format", "json", "infra"]);
        expect_removal(&json_of(&output), "diff");
        sandbox.write("infra/main.tf", TYPING_BASE);

        let output = sandbox
            .command(&["gate", "--path", "infra/main.tf", "--format", "json"])
            .write_stdin(new.clone())
            .output()
            .unwrap();
        expect_removal(&json_of(&output), "gate");

        let input = serde_json::json!({
            "cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": "Write",
            "tool_input": {"file_path": file.to_str().unwrap(), "content": new},
        });
        let output = sandbox
            .command(&["hook", "claude"])
            .write_stdin(input.to_string())
            .output()
            .unwrap();
        let answer = json_of(&output);
        let reason = answer["hookSpecificOutput"]["permissionDecisionReason"]
            .as_str()
            .unwrap_or_default();
        assert!(
            reason.contains("aws_sqs_queue.jobs")
                && !reason.contains("aws_db_instance.orders")
                && !reason.contains("module.network")
                && !reason.contains("aws_s3_bucket.logs"),
            "hook claude: {answer}"
        );
    }
}

/// `diff --fix` applies the fixes that need the base (a `removed` block for a deleted
/// resource) to the new side, in OLD NEW mode and in git mode; `--diff` prints them instead;
/// `--unsafe-fixes` adds the unsafe ones.
#[test]
fn diff_fix_applies_fixes_that_need_the_base() {
    let queue = "resource \"aws_sqs_queue\" \"jobs\" {\n  name = \"jobs\"\n}\n";
    let base = format!("{BUCKET}\n{queue}");
    let removed =
        "\nremoved {\n  from = aws_sqs_queue.jobs\n\n  lifecycle {\n    destroy = false\n  }\n}\n";

    let sandbox = Sandbox::new();
    sandbox.write("old.tf", &base);
    sandbox.write("new.tf", BUCKET);
    let output = sandbox.run(&["diff", "--diff", "old.tf", "new.tf"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stdout(&output).starts_with("--- a/new.tf\n+++ b/new.tf\n")
            && stdout(&output).contains("+  from = aws_sqs_queue.jobs\n"),
        "{}",
        stdout(&output)
    );
    assert_eq!(sandbox.read("new.tf"), BUCKET);

    let output = sandbox.run(&["diff", "--fix", "old.tf", "new.tf", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stderr(&output), "redline: applied 1 fix(es)\n");
    assert!(found(&json_of(&output)).is_empty());
    assert_eq!(sandbox.read("new.tf"), format!("{BUCKET}{removed}"));

    sandbox.write("new.tf", BUCKET);
    let output = sandbox.run(&["diff", "--fix", "--unsafe-fixes", "old.tf", "new.tf"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    // The safe fix comes first; the unsafe one (restoring the block) is for findings that
    // have no safe fix.
    assert_eq!(sandbox.read("new.tf"), format!("{BUCKET}{removed}"));

    // Git mode fixes the working tree.
    let sandbox = committed(&[("infra/main.tf", &base)]);
    sandbox.write("infra/main.tf", BUCKET);
    let output = sandbox.run(&["diff", "--fix"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert_eq!(sandbox.read("infra/main.tf"), format!("{BUCKET}{removed}"));
    let output = sandbox.run(&["diff"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

/// Two folders are compared as folders: a Terraform file renamed within its module, two
/// manifests merged into one file and a manifest moved to another subfolder remove nothing and
/// bring back no finding, while an object that is really gone is reported.
#[test]
fn diff_compares_folders_as_folders() {
    const CLAIM: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  namespace: shop\nspec:\n  resources: {}\n";
    const NAMESPACE: &str = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n";
    const VOLUME: &str = "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: disk\nspec:\n  persistentVolumeReclaimPolicy: Retain\n";
    let sandbox = Sandbox::new();
    sandbox.write("v1/infra/storage.tf", BUCKET);
    sandbox.write("v1/deploy/claim.yaml", CLAIM);
    sandbox.write("v1/deploy/namespace.yaml", NAMESPACE);
    sandbox.write("v1/deploy/volume.yaml", VOLUME);
    sandbox.write("v2/infra/buckets.tf", BUCKET);
    sandbox.write("v2/deploy/all.yaml", format!("{NAMESPACE}---\n{CLAIM}"));
    sandbox.write("v2/cluster/volume.yaml", VOLUME);
    let output = sandbox.run(&["diff", "v1", "v2", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    assert!(found(&json_of(&output)).is_empty(), "{}", stdout(&output));

    sandbox.write("v2/deploy/all.yaml", NAMESPACE);
    let output = sandbox.run(&["diff", "v1", "v2", "--format", "json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert_eq!(
        found(&json_of(&output)),
        ["RL-K8S-001 v2/deploy/claim.yaml:1:1"]
    );
}

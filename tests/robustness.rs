//! End-to-end robustness: the real `redline` binary on hostile trees and inputs.
//!
//! Every run here is bounded: it is killed after `TIME_LIMIT` (the test then fails instead of
//! hanging) and runs under `ulimit -v` with the address-space cap given at each call, so a run
//! that tries to hold a huge file or an exponential expansion in memory fails instead of
//! swapping. The caps are generous for a debug build; a release build needs far less.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;
use serde_json::Value;
use support::sandbox::Sandbox;

mod support {
    pub mod sandbox;
}

/// The longest any single run may take, in a debug build on a busy two-core machine.
const TIME_LIMIT: Duration = Duration::from_secs(120);

/// Address space for runs on small inputs: 4 GiB (threads reserve stacks and allocator arenas).
const MEMORY_SMALL: u64 = 4 << 20;

const BUCKET: &str = "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = true\n}\n";

impl Sandbox {
    /// Runs `redline ARGS` with `memory_kib` of address space and `TIME_LIMIT`.
    fn run_limited(&self, memory_kib: u64, args: &[&str]) -> Output {
        let script = format!("ulimit -v {memory_kib} && exec \"$0\" \"$@\"");
        Command::new("sh")
            .arg("-c")
            .arg(script)
            .arg(env!("CARGO_BIN_EXE_redline"))
            .args(args)
            .current_dir(self.path())
            .env("REDLINE_TODAY", "2026-06-01")
            .env("NO_COLOR", "1")
            .timeout(TIME_LIMIT)
            .output()
            .unwrap()
    }

    /// `redline check --format json ARGS`: the report and the exit code.
    fn check(&self, memory_kib: u64, args: &[&str]) -> (Value, i32) {
        let mut full = vec!["check", "--format", "json"];
        full.extend_from_slice(args);
        let output = self.run_limited(memory_kib, &full);
        let code = exit_code(&output);
        let report = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
            panic!(
                "no JSON report ({error}), exit {code}: {}",
                String::from_utf8_lossy(&output.stderr)
            )
        });
        (report, code)
    }
}

/// The exit code; a run killed by a signal (a stack overflow, the time limit) fails the test.
fn exit_code(output: &Output) -> i32 {
    output.status.code().unwrap_or_else(|| {
        panic!(
            "redline was killed ({:?}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// (path, kind, message) of each entry of the report's `errors`.
fn errors(report: &Value) -> Vec<(String, String, String)> {
    report["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|error| {
            (
                error["path"].as_str().unwrap().to_owned(),
                error["kind"].as_str().unwrap().to_owned(),
                error["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// (path, rule) of each finding.
fn findings(report: &Value) -> Vec<(String, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["path"].as_str().unwrap().to_owned(),
                finding["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn has_finding(report: &Value, path: &str, rule: &str) -> bool {
    findings(report).iter().any(|(p, r)| p == path && r == rule)
}

/// Links to devices, a FIFO, a link to a folder and a dangling link, all named like Terraform
/// files: no device or FIFO is read (`/dev/zero` would never end), each gets a clear message, the real files are analysed,
/// and the run exits 2 only because the dangling link is an I/O error. Bounds: 4 GiB, 120 s.
#[test]
fn devices_and_links_named_like_sources() {
    let sandbox = Sandbox::new();
    sandbox.write("good.tf", BUCKET);
    sandbox.write("folder/inner.tf", BUCKET);
    sandbox.link("/dev/zero", "zero.tf");
    sandbox.link("/dev/null", "null.tf");
    sandbox.link("/dev/urandom", "random.yaml");
    sandbox.link("folder", "linked.tf");
    sandbox.link("gone.tf", "dangling.tf");
    let fifo = std::process::Command::new("mkfifo")
        .arg(sandbox.path().join("pipe.tf"))
        .status()
        .unwrap();
    assert!(fifo.success());

    let (report, code) = sandbox.check(MEMORY_SMALL, &[]);
    assert!(has_finding(&report, "good.tf", "RL-TF-010"), "{report}");
    assert!(has_finding(&report, "folder/inner.tf", "RL-TF-010"));
    // The folder behind `linked.tf` is walked like any folder.
    assert!(has_finding(&report, "linked.tf/inner.tf", "RL-TF-010"));
    let errors = errors(&report);
    // The devices are outside the scanned folder: their links are not followed at all.
    for (path, target) in [
        ("null.tf", "/dev/null"),
        ("random.yaml", "/dev/urandom"),
        ("zero.tf", "/dev/zero"),
    ] {
        let outside =
            format!("symbolic link to a file outside the scanned folders ({target}): skipped");
        assert!(
            errors
                .iter()
                .any(|(p, kind, message)| p == path && kind == "skipped" && *message == outside),
            "{path}: {errors:?}"
        );
    }
    // A FIFO inside the folder is found, and not opened.
    let device = "not a regular file (a device, FIFO or socket): skipped";
    assert!(
        errors
            .iter()
            .any(|(p, kind, message)| p == "pipe.tf" && kind == "skipped" && message == device),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|(p, kind, message)| p == "dangling.tf"
            && kind == "io"
            && message.to_lowercase().contains("no such file")),
        "{errors:?}"
    );
    assert_eq!(code, 2);

    // Named on the command line, a device is a usage error, reported at once.
    let output = sandbox.run_limited(MEMORY_SMALL, &["check", "zero.tf"]);
    assert_eq!(exit_code(&output), 2);
    assert!(
        stderr(&output).contains("zero.tf: not a regular file or folder"),
        "{}",
        stderr(&output)
    );
}

/// A path on the command line that does not exist (or was deleted before the run, or is a
/// dangling link) is a usage error with a message naming it. Bounds: 4 GiB, 120 s.
#[test]
fn paths_that_do_not_exist() {
    let sandbox = Sandbox::new();
    sandbox.write("good.tf", BUCKET);
    sandbox.link("gone.tf", "dangling.tf");
    for missing in ["missing.tf", "dangling.tf", "no/such/folder"] {
        let output = sandbox.run_limited(MEMORY_SMALL, &["check", "good.tf", missing]);
        assert_eq!(exit_code(&output), 2, "{missing}");
        let message = stderr(&output);
        assert!(
            message.contains(&format!("cannot read {missing}: no such file or folder")),
            "{message}"
        );
    }
}

/// A `redline.toml` of binary garbage, or of text that is not TOML, is a configuration error
/// (exit 2) naming the file, never a crash. Bounds: 4 GiB, 120 s.
#[test]
fn garbage_configuration() {
    let sandbox = Sandbox::new();
    sandbox.write("main.tf", BUCKET);
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    sandbox.write("redline.toml", &garbage);
    let output = sandbox.run_limited(MEMORY_SMALL, &["check"]);
    assert_eq!(exit_code(&output), 2);
    let message = stderr(&output);
    assert!(message.contains("redline.toml"), "{message}");
    assert!(message.contains("UTF-8"), "{message}");

    sandbox.write("redline.toml", "\u{1}\u{2} === [[[ \"\n\0");
    let output = sandbox.run_limited(MEMORY_SMALL, &["check"]);
    assert_eq!(exit_code(&output), 2);
    assert!(
        stderr(&output).contains("redline.toml"),
        "{}",
        stderr(&output)
    );
}

/// 200,000 levels of nesting in every language: parsed and analysed without a stack overflow
/// (which would kill the process), and the other files still analysed. Bounds: 4 GiB, 120 s.
#[test]
fn deep_nesting_in_every_language() {
    let depth = 200_000;
    let sandbox = Sandbox::new();
    sandbox.write("good.tf", BUCKET);
    let open = |piece: &str| piece.repeat(depth);
    sandbox.write(
        "list.tf",
        format!("locals {{\n  x = {}{}\n}}\n", open("["), open("]")),
    );
    sandbox.write(
        "object.tf",
        format!("locals {{\n  x = {}1{}\n}}\n", open("{a = "), open("}")),
    );
    sandbox.write(
        "blocks.tf",
        format!(
            "resource \"a\" \"b\" {{\n{}{}}}\n",
            open("b {\n"),
            open("}\n")
        ),
    );
    sandbox.write(
        "template.json",
        format!(
            "{{\"AWSTemplateFormatVersion\": \"2010-09-09\", \"Resources\": {}1{}}}",
            open("{\"a\": "),
            open("}")
        ),
    );
    sandbox.write(
        "deploy.yaml",
        format!(
            "apiVersion: v1\nkind: ConfigMap\ndata: {}1{}\n",
            open("{a: "),
            open("}")
        ),
    );
    sandbox.write(
        "deploy.sh",
        format!("#!/bin/sh\n{}rm -rf /{}\n", open("( "), open(" )")),
    );
    sandbox.write(
        "subst.sh",
        format!("#!/bin/sh\necho {}x{}\n", open("$("), open(")")),
    );

    let (report, code) = sandbox.check(MEMORY_SMALL, &[]);
    assert_eq!(code, 1, "{report}");
    assert!(has_finding(&report, "good.tf", "RL-TF-010"), "{report}");
    assert!(errors(&report).is_empty(), "{report}");
}

/// A 50 MB file on one line, over the 10 MB default `max_file_size`, is skipped with a message
/// naming the setting, without being read (the run's address space is 1 GiB); a 6 MB line in
/// a file under the cap is analysed, in each main language. Bounds: 1 GiB and 4 GiB, 120 s each.
#[test]
fn very_long_lines() {
    let sandbox = Sandbox::new();
    sandbox.write("good.tf", BUCKET);
    let mut huge = b"# ".to_vec();
    huge.resize(50 * 1024 * 1024, b'x');
    sandbox.write("huge.tf", &huge);
    let (report, code) = sandbox.check(1 << 20, &[]);
    assert_eq!(code, 1);
    assert!(has_finding(&report, "good.tf", "RL-TF-010"));
    let skipped = errors(&report);
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert_eq!(
        (skipped[0].0.as_str(), skipped[0].1.as_str()),
        ("huge.tf", "skipped")
    );
    assert!(skipped[0].2.contains("max_file_size"), "{skipped:?}");
    std::fs::remove_file(sandbox.path().join("huge.tf")).unwrap();

    let long = "y".repeat(6 * 1024 * 1024);
    sandbox.write(
        "long.tf",
        format!("resource \"aws_s3_bucket\" \"long\" {{\n  bucket = \"{long}\"\n  force_destroy = true\n}}\n"),
    );
    sandbox.write(
        "long.yaml",
        format!("apiVersion: v1\nkind: ConfigMap\ndata: {{a: \"{long}\"}}\n"),
    );
    sandbox.write(
        "long.json",
        format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"{long}\"}}]}}"),
    );
    sandbox.write("long.sh", format!("#!/bin/sh\necho {long}; rm -rf /\n"));
    let (report, code) = sandbox.check(MEMORY_SMALL, &[]);
    assert_eq!(code, 1);
    assert!(errors(&report).is_empty(), "{report}");
    assert!(has_finding(&report, "long.tf", "RL-TF-010"), "{report}");
    assert!(has_finding(&report, "long.sh", "RL-SH-013"), "{report}");
}

/// Templates that are odd or hostile: a `{{` that never closes, millions of openings, strings,
/// comments and raw strings that never end inside actions, a hundred thousand actions, actions
/// spanning lines, and multi-byte text inside actions. Each run ends within the bounds, nothing
/// is an error of the run, the odd files get at most an info finding, and the literal dangers of
/// the readable templates are reported on their own lines. Bounds: 4 GiB, 120 s.
#[test]
fn hostile_templates() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "chart/templates/unbalanced.yaml",
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .x\nspec:\n  hostPID: true\n  containers: [{name: {{ .y }}}]\n",
    );
    sandbox.write("chart/templates/openings.yaml", "{{".repeat(2_000_000));
    sandbox.write(
        "chart/templates/unended.yaml",
        "a: {{ \"/*`\n".repeat(300_000),
    );
    sandbox.write(
        "chart/templates/many.yaml",
        format!(
            "apiVersion: v1\nkind: ConfigMap\ndata:\n{}",
            "{{- range $k, $v := .Values.data }}\n  {{ $k }}: {{ $v | quote }}\n{{- end }}\n"
                .repeat(100_000)
        ),
    );
    sandbox.write(
        "chart/templates/unicode.yaml",
        "{{/* 日本語 😀\n   é */}}\napiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: {{ \"café\" }}-😀\nspec:\n  template:\n    spec:\n      {{- $x := dict\n        \"a\" \"ü\" }}\n      containers:\n        - name: {{ \"ñ\" }}\n          securityContext:\n            privileged: true\n",
    );
    let (report, code) = sandbox.check(MEMORY_SMALL, &[]);
    assert_eq!(code, 1, "{report}");
    assert!(errors(&report).is_empty(), "{report}");
    let loud: Vec<(String, String, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["severity"] != "info")
        .map(|finding| {
            (
                finding["path"].as_str().unwrap().to_owned(),
                finding["rule"].as_str().unwrap().to_owned(),
                finding["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        loud,
        [(
            "chart/templates/unicode.yaml".to_owned(),
            "RL-K8S-108".to_owned(),
            15
        )],
        "{report}"
    );
}

/// Invalid UTF-8 and NUL bytes in every language are skipped with a message, and the other
/// files are analysed. Bounds: 4 GiB, 120 s.
#[test]
fn invalid_utf8_and_nul_bytes_in_every_language() {
    let sandbox = Sandbox::new();
    sandbox.write("good.tf", BUCKET);
    for name in [
        "a.yaml",
        "a.json",
        "Dockerfile",
        "Makefile",
        ".codex/config.toml",
        "a.sh",
    ] {
        sandbox.write(&format!("utf8/{name}"), b"x: \"\xff\xfe\"\n");
        sandbox.write(&format!("nul/{name}"), b"x: \"a\0b\"\n");
    }
    let (report, code) = sandbox.check(MEMORY_SMALL, &[]);
    assert_eq!(code, 1);
    assert!(has_finding(&report, "good.tf", "RL-TF-010"));
    let errors = errors(&report);
    assert_eq!(errors.len(), 12, "{errors:?}");
    for (path, kind, message) in &errors {
        assert_eq!(kind, "skipped");
        let expected = if path.starts_with("utf8/") {
            "not valid UTF-8"
        } else {
            "NUL byte"
        };
        assert!(message.contains(expected), "{path}: {message}");
    }
}

/// `--fix` keeps everything around its edits byte for byte: tabs, non-ASCII text, CRLF line
/// ends, a byte order mark, a missing final newline. Bounds: 4 GiB, 120 s.
#[test]
fn fix_never_corrupts_a_file() {
    let sandbox = Sandbox::new();
    let cases: [(&str, &str); 4] = [
        (
            "tabs.tf",
            "resource \"aws_s3_bucket\" \"café\" {\n\tbucket = \"日本語-🚀\"\n\tforce_destroy = true\n}",
        ),
        (
            "crlf.tf",
            "# Ünïcödé\r\nresource \"aws_s3_bucket\" \"b\" {\r\n\tforce_destroy = true # 🚀\r\n}",
        ),
        (
            "bom.tf",
            "\u{feff}resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = true\n}\n",
        ),
        (
            "lone-cr.tf",
            "resource \"aws_s3_bucket\" \"b\" {\r  force_destroy = true\n}\n",
        ),
    ];
    for (name, text) in cases {
        sandbox.write(name, text);
    }
    let output = sandbox.run_limited(MEMORY_SMALL, &["check", "--fix"]);
    assert_ne!(exit_code(&output), 2, "{}", stderr(&output));
    for (name, original) in cases {
        let fixed = String::from_utf8(sandbox.read_bytes(name)).expect("a fixed file is UTF-8");
        assert_ne!(fixed, original, "{name} was not fixed");
        assert!(fixed.contains("force_destroy = false"), "{name}: {fixed}");
        // Everything but the fixed line is kept: the fix only replaces `true` and adds lines.
        let kept: Vec<&str> = original.split_inclusive('\n').collect();
        for line in kept.iter().filter(|line| !line.contains("force_destroy")) {
            assert!(fixed.contains(line), "{name}: lost {line:?} in {fixed:?}");
        }
        assert_eq!(
            fixed.starts_with('\u{feff}'),
            original.starts_with('\u{feff}'),
            "{name}"
        );
        assert_eq!(fixed.ends_with('\n'), original.ends_with('\n'), "{name}");
        if original.contains("\r\n") {
            assert_eq!(
                fixed.matches('\n').count(),
                fixed.matches("\r\n").count(),
                "{name}: mixed line ends in {fixed:?}"
            );
        }
    }
    // A second run finds nothing left to fix and changes nothing.
    let before: Vec<Vec<u8>> = cases
        .iter()
        .map(|(name, _)| sandbox.read_bytes(name))
        .collect();
    sandbox.run_limited(MEMORY_SMALL, &["check", "--fix"]);
    let after: Vec<Vec<u8>> = cases
        .iter()
        .map(|(name, _)| sandbox.read_bytes(name))
        .collect();
    assert_eq!(before, after);
}

/// Ten thousand modules, each calling the next, with the input that reaches the last one's
/// bucket set at the first, and modules that call each other in a cycle or call themselves:
/// the calls are followed only a few levels, each folder once, and the run ends in time
/// without a finding at the first call.
#[test]
fn chains_and_cycles_of_module_calls() {
    let sandbox = Sandbox::new();
    // A git work tree, so that the modules beside the first one are inside the bounds.
    std::fs::create_dir_all(sandbox.path().join(".git")).unwrap();
    let length = 10_000;
    sandbox.write(
        "chain/m0/main.tf",
        "module \"next\" {\n  source        = \"../m1\"\n  force_destroy = true\n}\n",
    );
    for index in 1..length {
        let body = if index + 1 == length {
            "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = var.force_destroy\n}\n"
                .to_owned()
        } else {
            format!(
                "module \"next\" {{\n  source        = \"../m{}\"\n  force_destroy = var.force_destroy\n}}\n",
                index + 1
            )
        };
        sandbox.write(
            &format!("chain/m{index}/main.tf"),
            format!("variable \"force_destroy\" {{\n  default = false\n}}\n{body}"),
        );
    }
    sandbox.write(
        "cycle/a/main.tf",
        "module \"b\" {\n  source        = \"../b\"\n  force_destroy = true\n}\nmodule \"itself\" {\n  source = \"./\"\n}\n",
    );
    sandbox.write(
        "cycle/b/main.tf",
        "variable \"force_destroy\" {\n  default = false\n}\nmodule \"a\" {\n  source = \"../a\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  force_destroy = var.force_destroy\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n",
    );
    let (report, code) = sandbox.check(MEMORY_SMALL, &["chain/m0", "cycle"]);
    assert_eq!(code, 1, "{report}");
    let found: Vec<(String, String)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| {
            (
                finding["rule"].as_str().unwrap().to_owned(),
                finding["path"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // The cycle's bucket is reached through `a`'s input; the chain's is out of reach.
    assert_eq!(
        found,
        [("RL-TF-010".to_owned(), "cycle/a/main.tf".to_owned())],
        "{report}"
    );
}

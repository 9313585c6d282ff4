//! Configuration that comes with a repository (`redline.toml`, baselines, ignore files) and
//! input that an agent or tool pipes in: none of it can make redline read or write outside the
//! repository, run anything, or take unbounded time or memory.

use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::sandbox::{Sandbox, stderr, stdout};

/// Far above what any case here takes, far below "unbounded": a case that hangs fails instead
/// of stopping the suite.
const PATIENCE: Duration = Duration::from_secs(120);

const BUCKET_TF: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  force_destroy = true\n}\n";

/// Runs `redline` with `args` in the sandbox, killed after `PATIENCE`.
fn run_bounded(sandbox: &Sandbox, args: &[&str], stdin: Stdio) -> Output {
    let start = Instant::now();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_redline"))
        .args(args)
        .current_dir(sandbox.path())
        .env("REDLINE_TODAY", "2026-06-01")
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            panic!("redline {args:?} ran for more than {PATIENCE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `redline.toml` names no program, file or folder: a key that tries is refused, and nothing
/// runs.
#[test]
fn a_configuration_cannot_name_a_program_or_a_path() {
    let sandbox = Sandbox::new();
    sandbox.write("main.tf", BUCKET_TF);
    let marker = sandbox.path().join("marker");
    for key in [
        format!("command = \"touch {}\"", marker.display()),
        "include = \"/etc/passwd\"".to_owned(),
        "baseline = \"../../outside.json\"".to_owned(),
        "[plugins]\nhook = \"sh -c id\"".to_owned(),
    ] {
        sandbox.write("redline.toml", &key);
        let output = sandbox.run(&["check", "."]);
        assert_eq!(output.status.code(), Some(2), "{key}: {}", stdout(&output));
        assert!(
            stderr(&output).contains("invalid configuration"),
            "{key}: {}",
            stderr(&output)
        );
        assert!(!marker.exists());
    }
}

/// Globs that a naive matcher takes exponential time on, thousands of ignore-file patterns and
/// long paths: linear, and over the limits a clear error.
#[test]
fn pathological_globs_take_bounded_time() {
    let sandbox = Sandbox::new();
    let deep = format!("{}main.tf", "a/".repeat(60));
    sandbox.write(&deep, BUCKET_TF);
    let star_heavy = format!("**/{}b", "*a".repeat(60));
    let mut config = format!("exclude = [\"{star_heavy}\"");
    for index in 0..900 {
        config.push_str(&format!(", \"**/x{index}/**/*a*a*a*a*a*a*a*a*a*a*a*a*b\""));
    }
    config.push_str("]\n");
    sandbox.write("redline.toml", &config);
    let gitignore: String = (0..50_000)
        .map(|index| format!("**/*a*a*a*a*a*a*a*a*a*a*{index}*b\n"))
        .collect();
    sandbox.write(".gitignore", &gitignore);
    let start = Instant::now();
    let output = run_bounded(&sandbox, &["check", "--format", "json", "."], Stdio::null());
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).contains("RL-TF-010"));
    eprintln!(
        "900 star-heavy globs, 50,000 ignore patterns: {:?}",
        start.elapsed()
    );

    // Over the limits: refused before any file is read.
    let many: Vec<String> = (0..1_001).map(|index| format!("\"x{index}/**\"")).collect();
    sandbox.write("redline.toml", format!("exclude = [{}]\n", many.join(", ")));
    let output = sandbox.run(&["check", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("1001 globs in `exclude` and `ignore`: at most 1000"),
        "{}",
        stderr(&output)
    );
    sandbox.write(
        "redline.toml",
        format!("exclude = [\"{}\"]\n", "*".repeat(2_000)),
    );
    let output = sandbox.run(&["check", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("at most 1024 are allowed"),
        "{}",
        stderr(&output)
    );
}

/// A configuration cannot make redline read files of any size, and is itself bounded.
#[test]
fn configuration_sizes_are_bounded() {
    let sandbox = Sandbox::new();
    sandbox.write("main.tf", BUCKET_TF);
    sandbox.write("redline.toml", "max_file_size = \"100GB\"\n");
    let output = sandbox.run(&["check", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("`max_file_size` is at most 1073741824 bytes"),
        "{}",
        stderr(&output)
    );

    let mut huge = String::from("# padding\n");
    while huge.len() <= 1024 * 1024 {
        huge.push_str("# a comment line that pads the configuration file beyond its limit\n");
    }
    sandbox.write("redline.toml", &huge);
    let output = sandbox.run(&["check", "."]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("larger than 1024 KiB"),
        "{}",
        stderr(&output)
    );
}

/// Baselines are often committed with the repository: a large one is read in linear time, one
/// over the limit is refused.
#[test]
fn baselines_are_bounded() {
    let sandbox = Sandbox::new();
    sandbox.write("main.tf", BUCKET_TF);
    let entries: Vec<String> = (0..200_000)
        .map(|index| {
            format!(
                "{{\"rule\":\"RL-TF-010\",\"path\":\"f{index}.tf\",\"fingerprint\":\"{index:016x}\"}}"
            )
        })
        .collect();
    sandbox.write(
        "baseline.json",
        format!("{{\"version\":1,\"findings\":[{}]}}", entries.join(",")),
    );
    let output = run_bounded(
        &sandbox,
        &["check", "--baseline", "baseline.json", "."],
        Stdio::null(),
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));

    let file = std::fs::File::create(sandbox.path().join("huge.json")).unwrap();
    file.set_len(65 * 1024 * 1024).unwrap();
    let output = run_bounded(
        &sandbox,
        &["check", "--baseline", "huge.json", "."],
        Stdio::null(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("larger than 64 MiB"),
        "{}",
        stderr(&output)
    );
}

/// The agent hook and `gate` read at most 64 MiB from standard input: an endless stream ends
/// with a clear error, not an exhausted machine.
#[test]
fn hook_and_gate_bound_their_input() {
    let sandbox = Sandbox::new();
    sandbox.write("main.tf", BUCKET_TF);
    for args in [&["hook", "claude"][..], &["gate", "--path", "main.tf"][..]] {
        let endless = std::fs::File::open("/dev/zero").unwrap();
        let output = run_bounded(&sandbox, args, Stdio::from(endless));
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains("standard input holds more than 64 MiB"),
            "{args:?}: {}",
            stderr(&output)
        );
    }
    // Every agent refuses the call as it blocks one: exit status 2, or, for the agents that
    // let a failed hook through, a deny answer.
    for agent in [
        "codex", "gemini", "cursor", "copilot", "windsurf", "droid", "augment", "kiro", "cline",
    ] {
        let endless = std::fs::File::open("/dev/zero").unwrap();
        let output = run_bounded(&sandbox, &["hook", agent], Stdio::from(endless));
        assert!(
            stderr(&output).contains("standard input holds more than 64 MiB"),
            "{agent}: {}",
            stderr(&output)
        );
        let answer = String::from_utf8(output.stdout.clone()).unwrap();
        match agent {
            "copilot" | "cline" => {
                assert_eq!(output.status.code(), Some(0), "{agent}");
                assert!(
                    answer.contains("\"permissionDecision\":\"deny\"")
                        || answer.contains("\"cancel\":true"),
                    "{agent}: {answer}"
                );
            }
            _ => assert_eq!(output.status.code(), Some(2), "{agent}: {answer}"),
        }
    }
}

/// A `redline.toml` that links to a file elsewhere would quote that file's lines in its parse
/// error: it is refused, while one named with `--config` is the user's choice.
#[test]
fn a_configuration_linked_from_outside_is_not_read() {
    let sandbox = Sandbox::new();
    sandbox.write("repo/main.tf", BUCKET_TF);
    sandbox.write(
        "secret/credentials",
        "aws_secret_access_key = the-secret-marker\n",
    );
    sandbox.link(
        sandbox.path().join("secret/credentials"),
        "repo/redline.toml",
    );
    let output = sandbox.run(&["check", "repo"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("outside the repository: not read"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("the-secret-marker"));
    assert!(!stdout(&output).contains("the-secret-marker"));

    // Named on the command line, the same file is read (and is not a valid configuration).
    let output = sandbox.run(&["check", "--config", "secret/credentials", "repo"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("invalid configuration"),
        "{}",
        stderr(&output)
    );
}

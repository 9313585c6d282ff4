//! The command suite: hand-written dangerous commands, each with the rule and the decision
//! `redline hook` must give it, paired with a harmless look-alike that differs in one token or
//! path and must be allowed (`tests/data/commands/*.tsv`, described in its README).
//!
//! Every line is judged in process as the hook judges a shell call (the command analysed as
//! a command line, the worst finding deciding: an error denies, a warning asks), and a sample
//! of lines runs through the real `redline hook claude` in a repository. The test prints the
//! recall and false alarms of each family; an `ask` on a harmless command is a false alarm.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::collections::BTreeSet;
use std::path::Path;

use redline_diagnostics::Severity;
use redline_engine::{AnalysisOptions, Config, SourceInput, analyze};
use redline_syntax::{Format, SourceHints};
use serde_json::{Value, json};

mod support {
    pub mod git;
    pub mod sandbox;
}

use support::git::git;
use support::sandbox::{Sandbox, stdout};

/// The least share of dangerous commands that must get their rule and decision.
const MIN_RECALL: f64 = 0.97;

/// Every how many lines one runs through the binary.
const SAMPLE_EVERY: usize = 15;

struct Case {
    family: String,
    line: usize,
    rule: String,
    decision: String,
    dangerous: String,
    harmless: String,
}

/// What the hook decides on a command, and the rules of its warnings and errors.
fn judge(command: &str) -> (&'static str, BTreeSet<&'static str>) {
    let input = SourceInput {
        path: "command.sh",
        text: command,
        hints: SourceHints {
            format: Some(Format::Shell),
            command_line: true,
            ..SourceHints::default()
        },
        config_relative_path: None,
    };
    let options = AnalysisOptions {
        today: None,
        select: None,
    };
    let analysis = analyze(&input, &Config::default(), &options);
    let mut rules = BTreeSet::new();
    let mut worst = None;
    for diagnostic in &analysis.diagnostics {
        if diagnostic.severity >= Severity::Warning {
            rules.insert(diagnostic.rule.id);
            worst = worst.max(Some(diagnostic.severity));
        }
    }
    let decision = match worst {
        Some(Severity::Error) => "deny",
        Some(_) => "ask",
        None => "allow",
    };
    (decision, rules)
}

fn cases() -> Vec<Case> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/commands");
    let mut files: Vec<_> = std::fs::read_dir(&folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|extension| extension == "tsv"))
        .collect();
    files.sort();
    let mut res = Vec::new();
    for file in files {
        let family = file.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&file).unwrap();
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 4, "{family}.tsv:{}: {line}", index + 1);
            assert!(
                matches!(fields[1], "deny" | "ask"),
                "{family}.tsv:{}: decision {}",
                index + 1,
                fields[1]
            );
            let command = |field: &str| field.replace('⏎', "\n");
            res.push(Case {
                family: family.clone(),
                line: index + 1,
                rule: fields[0].to_owned(),
                decision: fields[1].to_owned(),
                dangerous: command(fields[2]),
                harmless: command(fields[3]),
            });
        }
    }
    res
}

#[derive(Default)]
struct Tally {
    dangerous: usize,
    caught: usize,
    harmless: usize,
    false_alarms: usize,
}

#[test]
fn dangerous_commands_are_caught_and_look_alikes_allowed() {
    let cases = cases();
    let mut families: std::collections::BTreeMap<&str, Tally> = Default::default();
    let mut misses = Vec::new();
    let mut alarms = Vec::new();
    let mut distinct = BTreeSet::new();
    for case in &cases {
        assert!(
            distinct.insert(case.dangerous.as_str()),
            "{}.tsv:{}: the same dangerous command twice",
            case.family,
            case.line
        );
        assert_ne!(
            case.dangerous, case.harmless,
            "{}.tsv:{}",
            case.family, case.line
        );
        let tally = families.entry(&case.family).or_default();
        let (decision, rules) = judge(&case.dangerous);
        tally.dangerous += 1;
        if decision == case.decision && rules.contains(case.rule.as_str()) {
            tally.caught += 1;
        } else {
            misses.push(format!(
                "{}.tsv:{}: `{}`: expected {} {}, got {decision} {rules:?}",
                case.family, case.line, case.dangerous, case.decision, case.rule
            ));
        }
        let (decision, rules) = judge(&case.harmless);
        tally.harmless += 1;
        if decision != "allow" {
            tally.false_alarms += 1;
            alarms.push(format!(
                "{}.tsv:{}: `{}`: {decision} {rules:?}",
                case.family, case.line, case.harmless
            ));
        }
    }
    let mut total = Tally::default();
    eprintln!("family        dangerous  recall   harmless  false alarms");
    for (family, tally) in &families {
        eprintln!(
            "{family:<13} {:>9}  {:>6.1}%  {:>8}  {:>12}",
            tally.dangerous,
            100.0 * tally.caught as f64 / tally.dangerous as f64,
            tally.harmless,
            tally.false_alarms
        );
        total.dangerous += tally.dangerous;
        total.caught += tally.caught;
        total.harmless += tally.harmless;
        total.false_alarms += tally.false_alarms;
    }
    let recall = total.caught as f64 / total.dangerous as f64;
    eprintln!(
        "{:<13} {:>9}  {:>6.1}%  {:>8}  {:>12}",
        "total",
        total.dangerous,
        100.0 * recall,
        total.harmless,
        total.false_alarms
    );
    for miss in &misses {
        eprintln!("missed: {miss}");
    }
    for alarm in &alarms {
        eprintln!("false alarm: {alarm}");
    }
    assert!(
        total.dangerous >= 600,
        "{} dangerous commands",
        total.dangerous
    );
    assert!(
        total.harmless >= 600,
        "{} harmless commands",
        total.harmless
    );
    assert!(recall >= MIN_RECALL, "recall {recall:.3}: {misses:#?}");
    assert!(alarms.is_empty(), "false alarms: {alarms:#?}");
}

/// A sample of the suite through the real hook, in a repository: the binary decides as the
/// in-process judgement does.
#[test]
fn a_sample_runs_through_the_hook() {
    let sandbox = Sandbox::new();
    git(sandbox.path(), &["init", "-q", "-b", "main"]);
    sandbox.write("README.md", "# app\n");
    sandbox.write(
        "infra/main.tf",
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n",
    );
    git(sandbox.path(), &["add", "-A"]);
    git(sandbox.path(), &["commit", "-q", "-m", "base"]);
    let cwd = sandbox.path().to_str().unwrap();
    let cases = cases();
    let mut n_checked = 0;
    for case in cases.iter().step_by(SAMPLE_EVERY) {
        for (command, expected) in [
            (&case.dangerous, case.decision.as_str()),
            (&case.harmless, "allow"),
        ] {
            let input = json!({
                "session_id": "suite", "cwd": cwd, "hook_event_name": "PreToolUse",
                "tool_name": "Bash", "tool_input": {"command": command},
            });
            let output = sandbox
                .command(&["hook", "claude"])
                .write_stdin(input.to_string())
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(0), "{command}");
            let text = stdout(&output);
            let said = if text.trim().is_empty() {
                "allow".to_owned()
            } else {
                let answer: Value = serde_json::from_str(&text).unwrap();
                answer["hookSpecificOutput"]["permissionDecision"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            };
            assert_eq!(
                said, expected,
                "{}.tsv:{}: `{command}`: {text}",
                case.family, case.line
            );
            n_checked += 1;
        }
    }
    assert!(n_checked >= 80, "{n_checked} commands through the hook");
}

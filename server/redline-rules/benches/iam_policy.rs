//! Times the IAM rules on one policy with 500 statements (see `bench/README.md`).
//!
//! Run with `cargo bench -p redline-rules --bench iam_policy`. The first analysis includes
//! loading the AWS action catalog; the median is over the analyses after it.
// A benchmark is not engine code: it reads the clock to time it.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::disallowed_types)]

use std::fmt::Write as _;
use std::time::Instant;

use redline_engine::{AnalysisOptions, Config, SourceInput, analyze};
use redline_syntax::SourceHints;

const STATEMENTS: usize = 500;
const RUNS: usize = 50;

fn main() {
    let text = policy(STATEMENTS);
    let config = Config::default();
    let options = AnalysisOptions::default();
    let input = SourceInput {
        path: "policy.json",
        text: &text,
        hints: SourceHints::default(),
        config_relative_path: None,
    };
    let start = Instant::now();
    let first = analyze(&input, &config, &options);
    let first_time = start.elapsed();
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let start = Instant::now();
        let analysis = analyze(&input, &config, &options);
        times.push(start.elapsed());
        assert_eq!(analysis.diagnostics.len(), first.diagnostics.len());
    }
    times.sort();
    if std::env::args().any(|arg| arg == "--per-rule") {
        let none = AnalysisOptions {
            today: None,
            select: Some(Vec::new()),
        };
        let start = Instant::now();
        for _ in 0..10 {
            analyze(&input, &config, &none);
        }
        println!("no rule: {:.2} ms", start.elapsed().as_secs_f64() * 100.0);
        for rule in redline_rules::all_rules() {
            let id = rule.meta().id();
            if !id.starts_with("RL-IAM") {
                continue;
            }
            let options = AnalysisOptions {
                today: None,
                select: Some(vec![id]),
            };
            let start = Instant::now();
            for _ in 0..10 {
                analyze(&input, &config, &options);
            }
            println!("{id}: {:.2} ms", start.elapsed().as_secs_f64() * 100.0);
        }
    }
    println!(
        "iam policy, {STATEMENTS} statements, {} bytes, {} findings: first run (with catalog load) {:.2} ms, median {:.2} ms, max {:.2} ms over {RUNS} runs",
        text.len(),
        first.diagnostics.len(),
        first_time.as_secs_f64() * 1000.0,
        times[RUNS / 2].as_secs_f64() * 1000.0,
        times[RUNS - 1].as_secs_f64() * 1000.0,
    );
}

/// A policy mixing scoped statements, wildcards, escalation actions and conditions.
fn policy(statements: usize) -> String {
    let shapes = [
        r#"{"Sid": "S{n}", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::bucket-{n}/*"}"#,
        r#"{"Sid": "S{n}", "Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}"#,
        r#"{"Sid": "S{n}", "Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction"], "Resource": "arn:aws:iam::111122223333:role/app-{n}"}"#,
        r#"{"Sid": "S{n}", "Effect": "Allow", "Action": "s3:*", "Resource": "*"}"#,
        r#"{"Sid": "S{n}", "Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}"#,
        r#"{"Sid": "S{n}", "Effect": "Allow", "Action": ["rds:Delete*", "dynamodb:Describe*", "kms:Create*"], "Resource": "*"}"#,
        r#"{"Sid": "S{n}", "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:eu-west-1:111122223333:queue-{n}", "Condition": {"StringEquals": {"aws:SourceAccount": "111122223333"}}}"#,
        r#"{"Sid": "S{n}", "Effect": "Allow", "Action": ["s3:GetObjects"], "Resource": "*"}"#,
    ];
    let mut res = String::from("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n");
    for n in 0..statements {
        let shape = shapes[n % shapes.len()].replace("{n}", &n.to_string());
        let separator = if n + 1 == statements { "" } else { "," };
        writeln!(res, "    {shape}{separator}").unwrap();
    }
    res.push_str("  ]\n}\n");
    res
}

//! Times the in-process judgement of one command line, as `redline hook` judges a shell call,
//! over every command of the command suite (`tests/data/commands/*.tsv`, dangerous and
//! harmless alike; see `bench/README.md`).
//!
//! Run with `cargo bench -p redline-rules --bench command_judgement`. Each command is judged
//! `RUNS` times; the median and the 99th percentile are over every judgement.
// A benchmark is not engine code: it reads the clock and the suite's files.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::disallowed_types,
    clippy::disallowed_methods
)]

use std::path::Path;
use std::time::{Duration, Instant};

use redline_engine::{AnalysisOptions, Config, SourceInput, analyze};
use redline_syntax::{Format, SourceHints};

const RUNS: usize = 20;

fn main() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/data/commands");
    let mut commands = Vec::new();
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|extension| extension != "tsv") {
            continue;
        }
        for line in std::fs::read_to_string(&path).unwrap().lines() {
            let fields: Vec<&str> = line.split('\t').collect();
            if line.starts_with('#') || fields.len() != 4 {
                continue;
            }
            commands.push(fields[2].replace('⏎', "\n"));
            commands.push(fields[3].replace('⏎', "\n"));
        }
    }
    let config = Config::default();
    let options = AnalysisOptions::default();
    let judge = |command: &str| {
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
        analyze(&input, &config, &options).diagnostics.len()
    };
    // The first judgement builds the tables the rules memoise.
    judge("true");
    let mut times: Vec<Duration> = Vec::with_capacity(commands.len() * RUNS);
    let mut n_findings = 0;
    for _ in 0..RUNS {
        for command in &commands {
            let start = Instant::now();
            n_findings += judge(command);
            times.push(start.elapsed());
        }
    }
    times.sort();
    let at = |share: f64| times[((times.len() - 1) as f64 * share) as usize];
    println!(
        "command judgement: {} commands x {RUNS} runs, median {:?}, p99 {:?}, max {:?} ({n_findings} findings)",
        commands.len(),
        at(0.5),
        at(0.99),
        times[times.len() - 1]
    );
}

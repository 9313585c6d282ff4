//! Times `analyze_change` on a generated 5,000-line Terraform module after a one-line edit.
//!
//! ```sh
//! cargo run --release -p redline-engine --example diff_bench -- [--files N] [--runs N]
//! ```
//!
//! The module is generated deterministically: resources of a dozen types with nested blocks,
//! lifecycle settings and tags, spread over `--files` files (default 1) of one folder. The edit
//! changes one attribute value in the middle of the first file. Every rule runs, and findings
//! are reported as `redline diff` reports them (`Report::Introduced`).
// A benchmark program prints its figures and reads its own CPU time from `/proc`.
#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::disallowed_methods,
    clippy::disallowed_types
)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// Wall time and this thread's CPU time of one run.
#[derive(Clone, Copy)]
struct Sample {
    wall: Duration,
    cpu: Option<Duration>,
}

/// This thread's CPU time so far (user and system), from `/proc/thread-self/stat` on Linux,
/// in clock ticks of 10 ms: on a loaded machine it shows the work done, where the wall time
/// also counts waiting for a core. Averaged over many runs.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

fn measure<T>(f: impl FnOnce() -> T) -> (T, Sample) {
    let cpu_start = cpu_time();
    let start = Instant::now();
    let res = f();
    let wall = start.elapsed();
    let cpu = cpu_time()
        .zip(cpu_start)
        .map(|(end, start)| end.saturating_sub(start));
    (res, Sample { wall, cpu })
}

use redline_engine::{
    AnalysisOptions, ChangeInput, Config, Report, analyze_change, analyze_parsed_change,
    parse_change,
};
use redline_syntax::SourceHints;

const TARGET_LINES: usize = 5_000;

fn main() {
    let mut files = 1usize;
    let mut runs = 50usize;
    let mut select: Option<Vec<&'static str>> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--files" => files = args.next().and_then(|v| v.parse().ok()).unwrap_or(files),
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs),
            // Only these rules (comma-separated ids; empty for none), to see where time goes.
            "--rules" => {
                let ids = args.next().unwrap_or_default();
                select = Some(
                    ids.split(',')
                        .filter(|id| !id.is_empty())
                        .map(|id| &*Box::leak(id.to_owned().into_boxed_str()))
                        .collect(),
                );
            }
            other => panic!("unknown argument {other}"),
        }
    }
    let module = generate(files.max(1));
    let lines: usize = module.iter().map(|(_, text)| text.lines().count()).sum();
    let bytes: usize = module.iter().map(|(_, text)| text.len()).sum();
    let (edited_path, base) = &module[0];
    let needle = "allocated_storage = 20";
    let at = base
        .match_indices(needle)
        .map(|(index, _)| index)
        .nth(base.matches(needle).count() / 2)
        .expect("the generator writes database instances");
    let mut new = base.clone();
    new.replace_range(at..at + needle.len(), "allocated_storage = 40");

    let config = Config::default();
    let options = AnalysisOptions {
        today: None,
        select,
    };
    let inputs: Vec<ChangeInput<'_>> = module
        .iter()
        .enumerate()
        .map(|(index, (path, text))| ChangeInput {
            path,
            base: Some(text),
            new: Some(if index == 0 { &new } else { text }),
            hints: SourceHints::default(),
            config_relative_path: None,
        })
        .collect();
    let mut times: Vec<Sample> = Vec::with_capacity(runs);
    let mut n_findings = 0;
    for _ in 0..runs.max(1) {
        let (analyses, sample) =
            measure(|| analyze_change(&inputs, &config, &options, Report::Introduced));
        times.push(sample);
        n_findings = analyses.iter().map(|a| a.diagnostics.len()).sum();
    }
    // The same analysis with both sides already parsed, as an editor that keeps its trees
    // pays on each change.
    let mut parsed_times: Vec<Sample> = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        // Fresh trees each time, so that the Terraform models are built inside the timing.
        let owned = parse_change(&inputs);
        let parsed: Vec<_> = owned
            .iter()
            .map(|(b, n)| (b.as_deref(), n.as_deref()))
            .collect();
        let (analyses, sample) = measure(|| {
            analyze_parsed_change(&inputs, &parsed, &config, &options, Report::Introduced)
        });
        parsed_times.push(sample);
        assert_eq!(
            n_findings,
            analyses.iter().map(|a| a.diagnostics.len()).sum::<usize>()
        );
    }
    // Parsing alone: the base in full, the new side from the base's tree.
    let mut parse_times: Vec<Sample> = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let (parsed, sample) = measure(|| parse_change(&inputs));
        parse_times.push(sample);
        drop(parsed);
    }
    // An editor: the base of every file and the unchanged files are parsed once and kept
    // (with their Terraform models); each change parses the edited file again from its
    // previous tree and analyses it.
    let kept = parse_change(&inputs);
    let edited_base = kept[0].0.as_deref().expect("the edited file parses");
    let mut editor_times: Vec<Sample> = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let (analyses, sample) = measure(|| {
            let mut tree = edited_base.parsed_tree();
            tree.edit(&redline_syntax::TreeEdit {
                start: point(base, at),
                old_end: point(base, at + needle.len()),
                new_end: point(&new, at + needle.len()),
            });
            let new_file = redline_syntax::parse_source_incremental(
                edited_path,
                &new,
                SourceHints::default(),
                Some(&tree),
            )
            .expect("the edited file parses");
            let mut parsed: Vec<_> = kept
                .iter()
                .map(|(b, n)| (b.as_deref(), n.as_deref()))
                .collect();
            parsed[0].1 = Some(&new_file);
            analyze_parsed_change(&inputs, &parsed, &config, &options, Report::Introduced)
        });
        editor_times.push(sample);
        assert_eq!(
            n_findings,
            analyses.iter().map(|a| a.diagnostics.len()).sum::<usize>()
        );
    }
    // One side alone, parsed in full.
    let mut full_times: Vec<Sample> = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let (file, sample) =
            measure(|| redline_syntax::parse_source(edited_path, base, SourceHints::default()));
        full_times.push(sample);
        drop(file);
    }
    println!(
        "module: {} file(s), {lines} lines, {bytes} bytes; edited {edited_path}; findings \
         {n_findings}; {} runs each, medians (min)",
        module.len(),
        runs.max(1)
    );
    for (label, samples) in [
        ("analyze_change, from text", &times),
        ("  parse_change: both sides", &parse_times),
        ("  one full parse of the edited file", &full_times),
        ("analyze_parsed_change: sides already parsed", &parsed_times),
        (
            "editor: incremental parse of the edit + analysis, bases kept",
            &editor_times,
        ),
    ] {
        println!("{label}: {}", summary(samples));
    }
}

/// The (line, column) point of a byte offset.
fn point(text: &str, offset: usize) -> redline_syntax::TextPoint {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |index| index + 1);
    redline_syntax::TextPoint {
        offset,
        line: before.matches('\n').count(),
        column: offset - line_start,
    }
}

/// `wall X ms (min Y), cpu Z ms (min W)`.
fn summary(samples: &[Sample]) -> String {
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let stats = |mut values: Vec<Duration>| -> (f64, f64) {
        values.sort();
        (ms(values[values.len() / 2]), ms(values[0]))
    };
    let (wall, wall_min) = stats(samples.iter().map(|s| s.wall).collect());
    let mut res = format!("wall {wall:.2} ms (min {wall_min:.2})");
    if let Some(cpu) = samples.iter().map(|s| s.cpu).collect::<Option<Vec<_>>>() {
        let total: Duration = cpu.iter().sum();
        #[allow(clippy::cast_precision_loss)]
        let mean = ms(total) / cpu.len() as f64;
        res.push_str(&format!("; cpu {mean:.2} ms per run (mean)"));
    }
    res
}

/// A module of about `TARGET_LINES` lines split over `files` files, the same every time.
fn generate(files: usize) -> Vec<(String, String)> {
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        // xorshift64: deterministic and dependency-free.
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let per_file = TARGET_LINES / files;
    let mut res = Vec::new();
    let mut n = 0usize;
    for file in 0..files {
        let mut text = String::new();
        while text.lines().count() < per_file {
            let team = ["core", "data", "web", "payments"][(next() % 4) as usize];
            match next() % 6 {
                0 => write!(
                    text,
                    "resource \"aws_db_instance\" \"db{n}\" {{\n  identifier          = \"{team}-{n}\"\n  engine              = \"postgres\"\n  instance_class      = \"db.t3.micro\"\n  allocated_storage = 20\n  deletion_protection = true\n  skip_final_snapshot = false\n\n  lifecycle {{\n    prevent_destroy = true\n  }}\n}}\n\n"
                ),
                1 => write!(
                    text,
                    "resource \"aws_s3_bucket\" \"bucket{n}\" {{\n  bucket = \"acme-{team}-{n}\"\n  tags = {{\n    team = \"{team}\"\n    env  = var.environment\n  }}\n}}\n\n"
                ),
                2 => write!(
                    text,
                    "resource \"aws_security_group\" \"sg{n}\" {{\n  name   = \"{team}-{n}\"\n  vpc_id = var.vpc_id\n\n  ingress {{\n    from_port   = 443\n    to_port     = 443\n    protocol    = \"tcp\"\n    cidr_blocks = [\"10.0.0.0/8\"]\n  }}\n}}\n\n"
                ),
                3 => write!(
                    text,
                    "resource \"aws_instance\" \"vm{n}\" {{\n  count         = 2\n  ami           = \"ami-{n:08x}\"\n  instance_type = \"t3.micro\"\n  subnet_id     = var.subnet_ids[{n} % 3]\n\n  root_block_device {{\n    encrypted   = true\n    volume_size = 20\n  }}\n}}\n\n"
                ),
                4 => write!(
                    text,
                    "resource \"aws_sqs_queue\" \"queue{n}\" {{\n  for_each = toset([\"a\", \"b\", \"c\"])\n  name     = \"{team}-{n}-${{each.key}}\"\n}}\n\n"
                ),
                _ => write!(
                    text,
                    "module \"svc{n}\" {{\n  source = \"./modules/service\"\n  name   = \"{team}-{n}\"\n  size   = {}\n}}\n\n",
                    next() % 10
                ),
            }
            .unwrap();
            n += 1;
        }
        res.push((format!("infra/module/file{file}.tf"), text));
    }
    res
}

//! `redline check`.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;

use anyhow::Context as _;
use rayon::prelude::*;
use redline_engine::{AnalysisOptions, Date, FixMode, SourceInput, analyze, fix_file};
use redline_workspace::{
    Bounds, DiscoverOptions, FileJob, FileProblem, ProblemKind, discover, read_source,
};

use crate::Exit;
use crate::args::{CheckArgs, OutputFormat};
use crate::baseline::{self, Baseline};
use crate::emit;
use crate::escape;
use crate::findings::{self, Finding};
use crate::progress;
use crate::stream::{Sink, SinkOptions};
use crate::write::{Written, replace_file};

/// Everything a renderer needs.
pub struct Report {
    pub findings: Vec<Finding>,
    pub errors: Vec<FileProblem>,
    pub files: usize,
}

/// How many files are analysed in parallel before their findings are written.
const BATCH: usize = 256;

/// What happened to one file.
struct FileOutcome {
    findings: Vec<Finding>,
    problem: Option<FileProblem>,
    analysed: bool,
    fixes_applied: usize,
    diff: Option<String>,
}

pub fn run(args: &CheckArgs) -> anyhow::Result<Exit> {
    let cwd = std::env::current_dir().context("cannot determine the current folder")?;
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let mut baseline = match &args.baseline {
        Some(path) => Some(Baseline::read(path)?),
        None => None,
    };
    let mut discovery = discover(&DiscoverOptions {
        paths: &paths,
        config_file: args.config.as_deref(),
        cwd: &cwd,
    })?;
    if let Some(shard) = args.shard {
        discovery.files.retain(|file| shard.contains(&file.display));
        discovery
            .problems
            .retain(|problem| shard.contains(&problem.path));
    }
    let options = AnalysisOptions {
        today: Some(today()),
        select: None,
    };
    let fix_mode = (args.fix || args.diff).then_some(if args.unsafe_fixes {
        FixMode::Unsafe
    } else {
        FixMode::Safe
    });

    let minimum = emit::minimum_severity(args.severity);
    let threshold = emit::fail_threshold(args.fail_on);
    let color = emit::use_color(args.color, args.output.as_deref());
    // `--diff` prints only the diffs, after the walk.
    let mut sink = if args.diff {
        None
    } else {
        Some(Sink::new(SinkOptions {
            format: args.format,
            color,
            output: args.output.as_deref(),
            baseline: baseline.take(),
            minimum,
            threshold,
            keep_all: args.write_baseline.is_some(),
        })?)
    };

    let mut errors = discovery.problems;
    let mut files = 0;
    let mut fixes_applied = 0;
    let mut diffs = String::new();
    // Files are analysed a batch at a time and their findings written in walk order before
    // the next batch starts, so memory does not grow with the number of files.
    let progress = progress::bar(
        discovery.files.len(),
        !args.no_progress && args.format == OutputFormat::Text && !args.diff,
    );
    for batch in discovery.files.chunks(BATCH) {
        let outcomes: Vec<FileOutcome> = batch
            .par_iter()
            .map(|file| {
                let outcome = process(file, &options, fix_mode, args.diff, &discovery.bounds);
                progress.inc(1);
                outcome
            })
            .collect();
        for outcome in outcomes {
            files += usize::from(outcome.analysed);
            fixes_applied += outcome.fixes_applied;
            errors.extend(outcome.problem);
            if let Some(sink) = &mut sink {
                // The report may be streaming to the same terminal as the bar.
                progress.suspend(|| sink.add(outcome.findings))?;
            }
            if let Some(diff) = outcome.diff {
                diffs.push_str(&diff);
            }
        }
    }
    progress.finish_and_clear();
    errors.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));

    let mut stderr = std::io::stderr().lock();
    for error in &errors {
        let _ = writeln!(
            stderr,
            "redline: {}: {}",
            escape::line(&error.path),
            escape::line(&error.message)
        );
    }
    let io_failed = errors.iter().any(|error| error.kind == ProblemKind::Io);

    let Some(sink) = sink else {
        // On a terminal the diff is read, so the repository's text is escaped like any other
        // human output; written to a file or a pipe it stays exact, so that it still applies.
        let diffs = if args.output.is_none() && std::io::stdout().is_terminal() {
            escape::lines(&diffs)
        } else {
            std::borrow::Cow::Borrowed(diffs.as_str())
        };
        emit::write_output(args.output.as_deref(), &diffs)?;
        if io_failed {
            return Ok(Exit::Error);
        }
        return Ok(if diffs.is_empty() {
            Exit::Clean
        } else {
            Exit::Findings
        });
    };
    if args.fix && fixes_applied > 0 {
        let _ = writeln!(stderr, "redline: applied {fixes_applied} fix(es)");
    }

    if let Some(path) = &args.write_baseline {
        baseline::write(path, sink.kept())?;
        let _ = writeln!(
            stderr,
            "redline: wrote {} finding(s) to baseline {}",
            sink.kept().len(),
            path.display()
        );
        return Ok(if io_failed { Exit::Error } else { Exit::Clean });
    }
    let failed = sink.finish(errors, files, io_failed)?;

    if io_failed {
        return Ok(Exit::Error);
    }
    Ok(if failed { Exit::Findings } else { Exit::Clean })
}

fn process(
    file: &FileJob,
    options: &AnalysisOptions,
    fix_mode: Option<FixMode>,
    diff_only: bool,
    bounds: &Bounds,
) -> FileOutcome {
    let mut res = FileOutcome {
        findings: Vec::new(),
        problem: None,
        analysed: false,
        fixes_applied: 0,
        diff: None,
    };
    let source = match read_source(file) {
        Ok(Some(source)) => source,
        Ok(None) => return res,
        Err(problem) => {
            res.problem = Some(problem);
            return res;
        }
    };
    let input = SourceInput {
        path: &file.display,
        text: &source.text,
        hints: file.hints,
        config_relative_path: Some(&file.config_relative),
    };
    let config = &file.config.config;
    let (text, analysis) = match fix_mode {
        Some(mode) => {
            let outcome = fix_file(&input, config, options, mode);
            if outcome.applied > 0 {
                res.fixes_applied = outcome.applied;
                if diff_only {
                    res.diff = Some(unified_diff(&file.display, &source.text, &outcome.text));
                } else {
                    let bom = if source.had_bom { "\u{feff}" } else { "" };
                    let original = format!("{bom}{}", source.text);
                    let fixed = format!("{bom}{}", outcome.text);
                    match replace_file(&file.path, original.as_bytes(), fixed.as_bytes(), bounds) {
                        Ok(Written::Replaced) => {}
                        // A link and the file it leads to were both found and fixed: count the
                        // fixes once.
                        Ok(Written::AlreadyFixed) => res.fixes_applied = 0,
                        Err(error) => {
                            res.problem = Some(FileProblem {
                                path: file.display.clone(),
                                message: format!("{error:#}"),
                                kind: ProblemKind::Io,
                            });
                            res.fixes_applied = 0;
                            let analysis = analyze(&input, config, options);
                            res.analysed = analysis.format.is_some();
                            res.findings = findings::from_diagnostics(
                                &file.display,
                                &source.text,
                                &analysis.diagnostics,
                            );
                            return res;
                        }
                    }
                }
            }
            (outcome.text, outcome.analysis)
        }
        None => {
            let analysis = analyze(&input, config, options);
            (source.text, analysis)
        }
    };
    res.analysed = analysis.format.is_some();
    res.findings = findings::from_diagnostics(&file.display, &text, &analysis.diagnostics);
    res
}

fn unified_diff(path: &str, old: &str, new: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

/// Today's date for suppression expiry; `REDLINE_TODAY=YYYY-MM-DD` pins it for reproducible
/// runs.
pub(crate) fn today() -> Date {
    if let Some(date) = std::env::var("REDLINE_TODAY")
        .ok()
        .and_then(|value| Date::parse(&value))
    {
        return date;
    }
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    Date::from_unix_seconds(seconds)
}

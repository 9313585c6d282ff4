//! `redline check`.

use std::io::{IsTerminal as _, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;
use redline_engine::{AnalysisOptions, Date, FixMode, SourceInput, analyze, fix_file};
use redline_workspace::{
    Bounds, DiscoverOptions, FileJob, FileProblem, ProblemKind, discover, read_source,
};

use crate::Exit;
use crate::args::{CheckArgs, OutputFormat};
use crate::baseline::{self, Baseline};
use crate::emit::{self, ReportOptions, ReportWriter};
use crate::escape;
use crate::findings::{self, Finding};
use crate::output::{Output, Replace};
use crate::progress;
use crate::render;
use crate::write::{Written, replace_file};

/// How many files are analysed in parallel before their findings are written.
const BATCH: usize = 256;

/// Where the findings of each file go.
enum Destination<'a> {
    /// The report, written while the walk goes on.
    Report(Box<ReportWriter<'a>>),
    /// `--write-baseline FILE`: every finding, unfiltered, kept for the baseline file.
    Baseline { path: &'a Path, kept: Vec<Finding> },
    /// `--diff`: only the diffs are printed, after the walk.
    Diffs,
}

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

    let report = &args.report;
    let mut destination = if args.diff {
        Destination::Diffs
    } else if let Some(path) = &args.write_baseline {
        Destination::Baseline {
            path,
            kept: Vec::new(),
        }
    } else {
        let color = emit::use_color(args.color, report.output.as_deref());
        let options = ReportOptions {
            baseline: baseline.take(),
            ..ReportOptions::from_args(report, Replace::WhenComplete)
        };
        Destination::Report(Box::new(ReportWriter::begin(
            render::for_format(report.format, color)?,
            options,
        )?))
    };

    let mut errors = discovery.problems;
    let mut files = 0;
    let mut fixes_applied = 0;
    let mut diffs = String::new();
    // Files are analysed a batch at a time and their findings written in walk order before
    // the next batch starts, so memory does not grow with the number of files.
    let progress = progress::bar(
        discovery.files.len(),
        !args.no_progress && report.format == OutputFormat::Text && !args.diff,
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
            match &mut destination {
                // The report may be streaming to the same terminal as the bar.
                Destination::Report(writer) => progress.suspend(|| writer.add(outcome.findings))?,
                Destination::Baseline { kept, .. } => kept.extend(outcome.findings),
                Destination::Diffs => {}
            }
            if let Some(diff) = outcome.diff {
                diffs.push_str(&diff);
            }
        }
    }
    progress.finish_and_clear();
    emit::note_problems(&mut errors);
    let mut stderr = std::io::stderr().lock();
    let io_failed = errors.iter().any(|error| error.kind == ProblemKind::Io);

    // `--diff` applies no fix: it prints them.
    if args.fix && fixes_applied > 0 && !args.diff {
        let _ = writeln!(stderr, "redline: applied {fixes_applied} fix(es)");
    }
    match destination {
        Destination::Report(writer) => writer.end(&errors, files),
        Destination::Baseline { path, kept } => {
            baseline::write(path, &kept)?;
            let _ = writeln!(
                stderr,
                "redline: wrote {} finding(s) to baseline {}",
                kept.len(),
                path.display()
            );
            Ok(emit::exit_status(io_failed, false))
        }
        Destination::Diffs => {
            // On a terminal the diff is read, so the repository's text is escaped like any
            // other human output; written to a file or a pipe it stays exact, so that it still
            // applies.
            let diffs = if report.output.is_none() && std::io::stdout().is_terminal() {
                escape::lines(&diffs)
            } else {
                std::borrow::Cow::Borrowed(diffs.as_str())
            };
            Output::write_all(report.output.as_deref(), &diffs)?;
            Ok(emit::exit_status(io_failed, !diffs.is_empty()))
        }
    }
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

//! The report pipeline. Every reporting command hands its findings to a `ReportWriter`, which
//! drops those the baseline accepts and those below `--severity`, counts the rest, passes them
//! to the format's `Renderer`, writes what it renders to standard output or `--output`, and
//! turns `--fail-on` into the exit status.
//!
//! `check` adds findings file by file while the walk goes on; the other commands add them all
//! at once (`write_report`).

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;

use redline_diagnostics::Severity;
use redline_workspace::FileProblem;

use crate::Exit;
use crate::args::{ColorChoice, FailOn, ReportArgs, SeverityArg};
use crate::baseline::Baseline;
use crate::escape;
use crate::findings::Finding;
use crate::output::{Output, Replace};
use crate::render::Renderer;
use crate::report::{Report, Summary, Tally};

/// What is reported, where it goes, and what fails the run.
pub struct ReportOptions<'a> {
    /// `--output FILE`, or standard output.
    pub output: Option<&'a Path>,
    /// How an `--output` file is replaced.
    pub replace: Replace,
    /// Findings the baseline accepts are not reported.
    pub baseline: Option<Baseline>,
    /// Findings below this severity are not reported.
    pub minimum: Severity,
    /// Reported findings at or above this severity make the exit status 1; `None` for
    /// `--fail-on never`.
    pub threshold: Option<Severity>,
}

/// A report being written: findings go in, in report order, and are rendered at once.
///
/// Only the counts for the summary are kept, so memory stays flat for a streaming format
/// however many files there are.
pub struct ReportWriter<'a> {
    renderer: Box<dyn Renderer>,
    options: ReportOptions<'a>,
    tally: Tally,
    failed: bool,
    /// Opened at the start for a streaming format, at the end for a batch one.
    out: Option<Output>,
    /// Rendered text not yet written.
    buffer: String,
}

impl<'a> ReportOptions<'a> {
    /// The options that `--output`, `--severity` and `--fail-on` give, without a baseline.
    pub fn from_args(args: &'a ReportArgs, replace: Replace) -> ReportOptions<'a> {
        ReportOptions {
            output: args.output.as_deref(),
            replace,
            baseline: None,
            minimum: minimum_severity(args.severity),
            threshold: fail_threshold(args.fail_on),
        }
    }

    /// Every finding reported, written in place to `output`, for commands without
    /// `--severity` or a baseline.
    pub fn unfiltered(output: Option<&'a Path>, fail_on: FailOn) -> ReportOptions<'a> {
        ReportOptions {
            output,
            replace: Replace::InPlace,
            baseline: None,
            minimum: Severity::Info,
            threshold: fail_threshold(fail_on),
        }
    }
}

impl<'a> ReportWriter<'a> {
    /// Starts a report; a streaming format's output is opened, and its head written, now.
    pub fn begin(
        renderer: Box<dyn Renderer>,
        options: ReportOptions<'a>,
    ) -> anyhow::Result<ReportWriter<'a>> {
        let out = if renderer.streams() {
            Some(Output::open(options.output, options.replace)?)
        } else {
            None
        };
        let mut res = ReportWriter {
            renderer,
            options,
            tally: Tally::default(),
            failed: false,
            out,
            buffer: String::new(),
        };
        res.renderer.begin(&mut res.buffer)?;
        Ok(res)
    }

    /// Takes the next findings in report order (for `check`, those of the next file in walk
    /// order).
    pub fn add(&mut self, findings: Vec<Finding>) -> anyhow::Result<()> {
        let findings = match &mut self.options.baseline {
            Some(baseline) => baseline.filter(findings),
            None => findings,
        };
        for finding in &findings {
            if finding.severity < self.options.minimum {
                continue;
            }
            self.failed |= self
                .options
                .threshold
                .is_some_and(|threshold| finding.severity >= threshold);
            self.tally.add(finding);
            self.renderer.finding(&mut self.buffer, finding)?;
        }
        if self.buffer.len() >= 1 << 16
            && let Some(out) = &mut self.out
        {
            out.write(self.buffer.as_bytes())?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// Writes the end of the report. The exit status is 2 when a file could not be read
    /// (`errors` holds an I/O problem), else 1 when a reported finding reached `--fail-on`.
    pub fn end(mut self, errors: &[FileProblem], files: usize) -> anyhow::Result<Exit> {
        let summary = Summary {
            errors,
            files,
            tally: &self.tally,
        };
        self.renderer.end(&mut self.buffer, &summary)?;
        let mut out = match self.out.take() {
            Some(out) => out,
            None => Output::open(self.options.output, self.options.replace)?,
        };
        out.write(self.buffer.as_bytes())?;
        out.close()?;
        Ok(exit_status(summary.io_failed(), self.failed))
    }
}

/// Renders and writes a whole report; the exit status is as for `ReportWriter::end`.
pub fn write_report(
    report: Report,
    renderer: Box<dyn Renderer>,
    options: ReportOptions<'_>,
) -> anyhow::Result<Exit> {
    let mut writer = ReportWriter::begin(renderer, options)?;
    writer.add(report.findings)?;
    writer.end(&report.errors, report.files)
}

/// Renders a whole report into a string, exactly as `write_report` writes it, for a front-end
/// that sends it elsewhere than to a file (`redline mcp`).
pub fn render_report(report: &Report, mut renderer: Box<dyn Renderer>) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut tally = Tally::default();
    renderer.begin(&mut out)?;
    for finding in &report.findings {
        tally.add(finding);
        renderer.finding(&mut out, finding)?;
    }
    let summary = Summary {
        errors: &report.errors,
        files: report.files,
        tally: &tally,
    };
    renderer.end(&mut out, &summary)?;
    Ok(out)
}

/// Sorts the files that could not be analysed by path and message, as reports list them, and
/// notes each on standard error.
pub fn note_problems(errors: &mut [FileProblem]) {
    errors.sort_by(|a, b| (&a.path, &a.message).cmp(&(&b.path, &b.message)));
    let mut stderr = std::io::stderr().lock();
    for error in errors.iter() {
        let _ = writeln!(
            stderr,
            "redline: {}: {}",
            escape::line(&error.path),
            escape::line(&error.message)
        );
    }
}

/// 2 when a file could not be read, else 1 when the report `failed` (a finding reached
/// `--fail-on`), else 0.
pub fn exit_status(io_failed: bool, failed: bool) -> Exit {
    if io_failed {
        Exit::Error
    } else if failed {
        Exit::Findings
    } else {
        Exit::Clean
    }
}

/// The lowest severity that `--fail-on` fails on; `None` for `never`.
pub fn fail_threshold(fail_on: FailOn) -> Option<Severity> {
    match fail_on {
        FailOn::Never => None,
        FailOn::Info => Some(Severity::Info),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Error => Some(Severity::Error),
    }
}

/// Whether text output is coloured: `--color`, or for `auto` a terminal on standard output
/// and no `NO_COLOR`.
pub fn use_color(choice: ColorChoice, output: Option<&Path>) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty())
        }
    }
}

/// The severity that `--severity` names.
pub fn minimum_severity(severity: SeverityArg) -> Severity {
    match severity {
        SeverityArg::Info => Severity::Info,
        SeverityArg::Warning => Severity::Warning,
        SeverityArg::Error => Severity::Error,
    }
}

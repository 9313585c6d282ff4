//! The end of every reporting command: keep the findings at or above `--severity`, render them
//! in the chosen format, write them, and turn them into an exit status with `--fail-on`.

use std::io::{IsTerminal as _, Write as _};
use std::path::Path;

use anyhow::Context as _;
use redline_diagnostics::Severity;

use crate::Exit;
use crate::args::{ColorChoice, FailOn, OutputFormat, SeverityArg};
use crate::check::Report;
use crate::render;

/// How to render and judge a report.
#[derive(Clone, Copy, Debug)]
pub struct ReportOptions<'a> {
    /// The output format.
    pub format: OutputFormat,
    /// `--output FILE`, or standard output.
    pub output: Option<&'a Path>,
    /// Findings below this severity are not reported.
    pub severity: SeverityArg,
    /// Findings at or above this severity make the exit status 1.
    pub fail_on: FailOn,
    /// Colour in text output.
    pub color: ColorChoice,
}

/// Filters, renders and writes `report`; the exit status follows `--fail-on`, or is 2 when a
/// file could not be read (`io_failed`).
pub fn finish(
    mut report: Report,
    options: &ReportOptions<'_>,
    io_failed: bool,
) -> anyhow::Result<Exit> {
    let minimum = minimum_severity(options.severity);
    report
        .findings
        .retain(|finding| finding.severity >= minimum);
    let color = use_color(options.color, options.output);
    let rendered = match options.format {
        OutputFormat::Text => render::text::render(&report, color),
        OutputFormat::Json => render::json::render(&report)?,
        OutputFormat::Sarif => render::sarif::render(&report, io_failed)?,
        OutputFormat::Github => render::github::render(&report),
        OutputFormat::Gitlab => render::gitlab::render(&report)?,
        OutputFormat::Junit => render::junit::render(&report),
    };
    write_output(options.output, &rendered)?;
    if io_failed {
        return Ok(Exit::Error);
    }
    Ok(exit_for(&report, options.fail_on))
}

/// 1 when a finding reaches the `--fail-on` level, else 0.
pub fn exit_for(report: &Report, fail_on: FailOn) -> Exit {
    let threshold = fail_threshold(fail_on);
    let failed = threshold.is_some_and(|threshold| {
        report
            .findings
            .iter()
            .any(|finding| finding.severity >= threshold)
    });
    if failed { Exit::Findings } else { Exit::Clean }
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

/// Writes `rendered` to `output`, or to standard output.
pub fn write_output(output: Option<&Path>, rendered: &str) -> anyhow::Result<()> {
    match output {
        Some(path) => std::fs::write(path, rendered)
            .with_context(|| format!("cannot write {}", path.display())),
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(rendered.as_bytes())
                .and_then(|()| stdout.flush())
                .context("cannot write to standard output")
        }
    }
}

//! The report of `redline check`, written while files are still being analysed.
//!
//! Findings arrive file by file in walk order and are filtered, counted and rendered at once,
//! so memory stays flat however many files there are: only the counts for the summary are kept
//! to the end. SARIF lists findings inside a document whose head depends on them, and
//! `--write-baseline` writes them all at once, so those two keep the findings.

use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use redline_diagnostics::Severity;
use redline_workspace::FileProblem;

use crate::args::OutputFormat;
use crate::baseline::Baseline;
use crate::check::Report;
use crate::findings::{Finding, Tally};
use crate::render;

/// What happens to the findings.
pub struct SinkOptions<'a> {
    pub format: OutputFormat,
    pub color: bool,
    /// `--output`; standard output when `None`.
    pub output: Option<&'a Path>,
    pub baseline: Option<Baseline>,
    /// Findings below this severity are not reported.
    pub minimum: Severity,
    /// `--fail-on`.
    pub threshold: Option<Severity>,
    /// `--write-baseline`: keep every finding, unfiltered, and render nothing.
    pub keep_all: bool,
}

pub struct Sink<'a> {
    options: SinkOptions<'a>,
    tally: Tally,
    failed: bool,
    kept: Vec<Finding>,
    out: Option<Output>,
    buffer: String,
}

impl<'a> Sink<'a> {
    pub fn new(options: SinkOptions<'a>) -> anyhow::Result<Sink<'a>> {
        let streamed = !options.keep_all
            && !matches!(
                options.format,
                OutputFormat::Sarif | OutputFormat::Gitlab | OutputFormat::Junit
            );
        let mut sink = Sink {
            out: if streamed {
                Some(Output::open(options.output)?)
            } else {
                None
            },
            options,
            tally: Tally::default(),
            failed: false,
            kept: Vec::new(),
            buffer: String::new(),
        };
        if sink.out.is_some() && sink.options.format == OutputFormat::Json {
            sink.buffer = render::json::stream_start()?;
        }
        Ok(sink)
    }

    /// Takes the findings of the next file in walk order.
    pub fn add(&mut self, findings: Vec<Finding>) -> anyhow::Result<()> {
        if self.options.keep_all {
            self.kept.extend(findings);
            return Ok(());
        }
        let findings = match &mut self.options.baseline {
            Some(baseline) => baseline.filter(findings),
            None => findings,
        };
        for finding in findings {
            if finding.severity < self.options.minimum {
                continue;
            }
            self.failed |= self
                .options
                .threshold
                .is_some_and(|threshold| finding.severity >= threshold);
            let first = self.tally.findings == 0;
            self.tally.add(&finding);
            match self.options.format {
                _ if self.out.is_none() => self.kept.push(finding),
                OutputFormat::Text => {
                    render::text::render_finding(&mut self.buffer, &finding, self.options.color);
                }
                OutputFormat::Json => {
                    render::json::stream_finding(&mut self.buffer, &finding, first)?;
                }
                OutputFormat::Github => render::github::render_finding(&mut self.buffer, &finding),
                OutputFormat::Sarif | OutputFormat::Gitlab | OutputFormat::Junit => {
                    self.kept.push(finding);
                }
            }
        }
        if self.buffer.len() >= 1 << 16 {
            self.flush_buffer()?;
        }
        Ok(())
    }

    /// All findings so far, for `--write-baseline`.
    pub fn kept(&self) -> &[Finding] {
        &self.kept
    }

    /// Writes the end of the report; true when a finding reached the `--fail-on` severity.
    pub fn finish(
        mut self,
        errors: Vec<FileProblem>,
        files: usize,
        io_failed: bool,
    ) -> anyhow::Result<bool> {
        if self.options.keep_all {
            return Ok(false);
        }
        match self.options.format {
            OutputFormat::Text => {
                let summary = render::text::summary(files, &self.tally);
                self.buffer.push_str(&summary);
            }
            OutputFormat::Json => {
                let end = render::json::stream_end(&errors, files, &self.tally)?;
                self.buffer.push_str(&end);
            }
            OutputFormat::Github => {}
            OutputFormat::Sarif | OutputFormat::Gitlab | OutputFormat::Junit => {
                let report = Report {
                    findings: std::mem::take(&mut self.kept),
                    errors,
                    files,
                };
                self.buffer = match self.options.format {
                    OutputFormat::Gitlab => render::gitlab::render(&report)?,
                    OutputFormat::Junit => render::junit::render(&report),
                    _ => render::sarif::render(&report, io_failed)?,
                };
                self.out = Some(Output::open(self.options.output)?);
            }
        }
        self.flush_buffer()?;
        if let Some(out) = self.out.take() {
            out.close()?;
        }
        Ok(self.failed)
    }

    fn flush_buffer(&mut self) -> anyhow::Result<()> {
        if let Some(out) = &mut self.out {
            out.write(self.buffer.as_bytes())?;
        }
        self.buffer.clear();
        Ok(())
    }
}

/// Standard output, or a file written beside `--output` and moved over it once complete, so
/// that the previous report stays in place (and is what the walk reads, should it be one of
/// the inputs) until the new one is whole.
enum Output {
    Stdout(std::io::Stdout),
    File {
        writer: BufWriter<File>,
        partial: PathBuf,
        path: PathBuf,
    },
}

impl Output {
    fn open(path: Option<&Path>) -> anyhow::Result<Output> {
        let Some(path) = path else {
            return Ok(Output::Stdout(std::io::stdout()));
        };
        // A device or pipe (`--output /dev/stdout`) is written directly.
        let direct = std::fs::metadata(path).is_ok_and(|metadata| !metadata.is_file());
        let partial = if direct {
            PathBuf::new()
        } else {
            let mut name = path.file_name().unwrap_or_default().to_os_string();
            name.push(".partial");
            path.with_file_name(name)
        };
        let file = File::create(if direct { path } else { &partial })
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Output::File {
            writer: BufWriter::new(file),
            partial,
            path: path.to_owned(),
        })
    }

    fn write(&mut self, bytes: &[u8]) -> anyhow::Result<()> {
        match self {
            Output::Stdout(stdout) => stdout
                .lock()
                .write_all(bytes)
                .context("cannot write to standard output"),
            Output::File { writer, path, .. } => writer
                .write_all(bytes)
                .with_context(|| format!("cannot write {}", path.display())),
        }
    }

    fn close(mut self) -> anyhow::Result<()> {
        match &mut self {
            Output::Stdout(stdout) => stdout.flush().context("cannot write to standard output"),
            Output::File {
                writer,
                partial,
                path,
            } => {
                writer
                    .flush()
                    .with_context(|| format!("cannot write {}", path.display()))?;
                if !partial.as_os_str().is_empty() {
                    std::fs::rename(&*partial, &*path)
                        .with_context(|| format!("cannot write {}", path.display()))?;
                }
                // Renamed: nothing left for `drop` to remove.
                partial.clear();
                Ok(())
            }
        }
    }
}

impl Drop for Output {
    fn drop(&mut self) {
        if let Output::File { partial, .. } = self
            && !partial.as_os_str().is_empty()
        {
            let _ = std::fs::remove_file(&*partial);
        }
    }
}

//! Report formats, one file each, all behind `Renderer`. Their wire types live here and nowhere
//! else; the answers of agent hooks live with each agent in `hook/`.

pub mod github;
pub mod gitlab;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod text;

use crate::args::OutputFormat;
use crate::findings::Finding;
use crate::report::Summary;

/// One output format.
///
/// `emit::ReportWriter` calls `begin` once, `finding` for each reported finding in order, then
/// `end` once, and writes what they append to `out` in that order. A streaming format writes
/// each finding as it arrives, so memory stays flat however many files there are; a batch
/// format, whose document depends on every finding, keeps them and writes everything at `end`.
pub trait Renderer {
    /// Whether findings are written as they arrive. The output of a batch format is opened
    /// only at `end`.
    fn streams(&self) -> bool;

    /// Appends what comes before the first finding; most formats have nothing to write.
    fn begin(&mut self, out: &mut String) -> anyhow::Result<()> {
        let _ = out;
        Ok(())
    }

    /// Appends one finding, or keeps it for `end`.
    fn finding(&mut self, out: &mut String, finding: &Finding) -> anyhow::Result<()>;

    /// Appends the rest of the report.
    fn end(&mut self, out: &mut String, summary: &Summary<'_>) -> anyhow::Result<()>;
}

/// The renderer of a `--format`; `color` is for text output.
pub fn for_format(format: OutputFormat, color: bool) -> anyhow::Result<Box<dyn Renderer>> {
    Ok(match format {
        OutputFormat::Text => Box::new(text::TextRenderer::new(color)),
        OutputFormat::Json => Box::new(json::JsonRenderer::new()?),
        OutputFormat::Sarif => Box::new(Batch::new(sarif::render)),
        OutputFormat::Github => Box::new(github::GithubRenderer),
        OutputFormat::Gitlab => Box::new(Batch::new(gitlab::render)),
        OutputFormat::Junit => Box::new(Batch::new(junit::render)),
    })
}

/// A batch format: its document depends on every finding, so findings are kept and the whole
/// document is written at `end` by `render`.
pub struct Batch {
    findings: Vec<Finding>,
    render: RenderAll,
}

/// Renders a whole report from its findings.
pub type RenderAll = fn(&[Finding], &Summary<'_>) -> anyhow::Result<String>;

impl Batch {
    /// A batch format written by `render`.
    pub fn new(render: RenderAll) -> Self {
        Self {
            findings: Vec::new(),
            render,
        }
    }
}

impl Renderer for Batch {
    fn streams(&self) -> bool {
        false
    }

    fn finding(&mut self, _out: &mut String, finding: &Finding) -> anyhow::Result<()> {
        self.findings.push(finding.clone());
        Ok(())
    }

    fn end(&mut self, out: &mut String, summary: &Summary<'_>) -> anyhow::Result<()> {
        out.push_str(&(self.render)(&self.findings, summary)?);
        Ok(())
    }
}

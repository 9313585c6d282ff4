//! GitHub Actions workflow commands: one annotation per finding.

use std::fmt::Write as _;

use redline_diagnostics::Severity;

use crate::check::Report;
use crate::findings::Finding;

/// Every finding of `report`, one annotation per line.
pub fn render(report: &Report) -> String {
    let mut res = String::new();
    for finding in &report.findings {
        render_finding(&mut res, finding);
    }
    res
}

/// Appends the annotation of one finding.
pub fn render_finding(res: &mut String, finding: &Finding) {
    let command = match finding.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let title = format!("{} {}", finding.rule.id, finding.rule.name);
    let _ = writeln!(
        res,
        "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}",
        escape_property(&finding.path),
        finding.start.line,
        finding.start.column,
        finding.end.line,
        finding.end.column,
        escape_property(&title),
        escape_data(&finding.message)
    );
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

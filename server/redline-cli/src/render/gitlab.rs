//! GitLab Code Quality report: a JSON array of issues, as `artifacts:reports:codequality`
//! takes it (the Code Climate issue format, reduced to the fields GitLab reads).

use redline_diagnostics::Severity;
use serde::Serialize;

use crate::escape;
use crate::findings::Finding;
use crate::report::Summary;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'static str,
    fingerprint: &'a str,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u32,
}

/// The issues as one JSON array.
pub fn render(findings: &[Finding], _summary: &Summary<'_>) -> anyhow::Result<String> {
    let issues: Vec<Issue<'_>> = findings
        .iter()
        .map(|finding| Issue {
            description: format!("{}: {}", finding.rule.id, finding.message),
            check_name: finding.rule.id,
            fingerprint: &finding.fingerprint,
            severity: severity(finding.severity),
            location: Location {
                path: &finding.path,
                lines: Lines {
                    begin: finding.start.line,
                },
            },
        })
        .collect();
    let mut res = escape::to_json_pretty(&issues)?;
    res.push('\n');
    Ok(res)
}

/// GitLab's levels are info, minor, major, critical and blocker. An error here is an edit
/// that can take production down, so it is critical; blocker is left to the user's process.
fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "critical",
        Severity::Warning => "major",
        Severity::Info => "info",
    }
}

//! The JSON report, schema version 1 (documented in README.md).

use std::collections::BTreeMap;

use redline_diagnostics::Category;
use redline_text::LineColumn;
use serde::Serialize;

use crate::check::Report;
use crate::findings::{Finding, FindingFix};

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    tool: Tool,
    #[serde(flatten)]
    body: Body<'a>,
}

/// Findings, errors and summary: the part of the report that `redline plan` shares.
#[derive(Serialize)]
pub struct Body<'a> {
    findings: Vec<JsonFinding<'a>>,
    errors: Vec<JsonError<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    rule: &'static str,
    name: &'static str,
    category: Option<&'static str>,
    severity: &'static str,
    confidence: &'static str,
    path: &'a str,
    range: JsonRange,
    message: &'a str,
    fixes: Vec<JsonFix<'a>>,
    related: Vec<JsonRelated<'a>>,
    fingerprint: &'a str,
}

#[derive(Serialize)]
struct JsonRange {
    start: JsonPosition,
    end: JsonPosition,
}

#[derive(Serialize)]
struct JsonPosition {
    line: u32,
    column: u32,
}

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: &'static str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    range: JsonRange,
    new_text: &'a str,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    range: JsonRange,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonError<'a> {
    path: &'a str,
    message: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct Summary {
    files: usize,
    findings: usize,
    by_category: BTreeMap<&'static str, usize>,
    by_severity: BTreeMap<&'static str, usize>,
}

pub fn render(report: &Report) -> anyhow::Result<String> {
    let json = JsonReport {
        version: 1,
        tool: Tool {
            name: "redline",
            version: env!("CARGO_PKG_VERSION"),
        },
        body: body(report),
    };
    let mut res = serde_json::to_string_pretty(&json)?;
    res.push('\n');
    Ok(res)
}

/// The findings, errors and summary of a report.
pub fn body(report: &Report) -> Body<'_> {
    let mut by_category: BTreeMap<&'static str, usize> = Category::ALL
        .iter()
        .map(|category| (category.as_str(), 0))
        .collect();
    let mut by_severity: BTreeMap<&'static str, usize> = ["error", "warning", "info"]
        .into_iter()
        .map(|name| (name, 0))
        .collect();
    for finding in &report.findings {
        if let Some(category) = finding.rule.category {
            *by_category.entry(category.as_str()).or_insert(0) += 1;
        }
        *by_severity.entry(finding.severity.as_str()).or_insert(0) += 1;
    }
    Body {
        findings: report.findings.iter().map(finding).collect(),
        errors: report
            .errors
            .iter()
            .map(|error| JsonError {
                path: &error.path,
                message: &error.message,
                kind: match error.kind {
                    redline_workspace::ProblemKind::Skipped => "skipped",
                    redline_workspace::ProblemKind::Io => "io",
                },
            })
            .collect(),
        summary: Summary {
            files: report.files,
            findings: report.findings.len(),
            by_category,
            by_severity,
        },
    }
}

fn finding(finding: &Finding) -> JsonFinding<'_> {
    JsonFinding {
        rule: finding.rule.id,
        name: finding.rule.name,
        category: finding.rule.category.map(Category::as_str),
        severity: finding.severity.as_str(),
        confidence: finding.confidence.as_str(),
        path: &finding.path,
        range: range(finding.start, finding.end),
        message: &finding.message,
        fixes: finding.fixes.iter().map(fix).collect(),
        related: finding
            .related
            .iter()
            .map(|related| JsonRelated {
                range: range(related.start, related.end),
                message: &related.message,
            })
            .collect(),
        fingerprint: &finding.fingerprint,
    }
}

fn fix(fix: &FindingFix) -> JsonFix<'_> {
    JsonFix {
        title: &fix.title,
        applicability: fix.applicability.as_str(),
        edits: fix
            .edits
            .iter()
            .map(|edit| JsonEdit {
                range: range(edit.start, edit.end),
                new_text: &edit.new_text,
            })
            .collect(),
    }
}

fn range(start: LineColumn, end: LineColumn) -> JsonRange {
    JsonRange {
        start: JsonPosition {
            line: start.line,
            column: start.column,
        },
        end: JsonPosition {
            line: end.line,
            column: end.column,
        },
    }
}

//! The JSON report, schema version 1 (documented in README.md).

use std::collections::BTreeMap;

use redline_diagnostics::Category;
use redline_text::LineColumn;
use redline_workspace::FileProblem;
use serde::Serialize;

use crate::check::Report;
use crate::escape;
use crate::findings::{Finding, FindingFix, Tally};

/// The whole report at once: what the streamed report (`stream_start`, `stream_finding`,
/// `stream_end`) is tested against.
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
    // Exact text, with the controls and invisible characters serde would leave raw spelled as
    // `\uXXXX`, so that the report is safe to print to a terminal.
    let mut res = escape::to_json_pretty(&json)?;
    res.push('\n');
    Ok(res)
}

/// The findings, errors and summary of a report.
pub fn body(report: &Report) -> Body<'_> {
    Body {
        findings: report.findings.iter().map(finding).collect(),
        errors: errors(&report.errors),
        summary: summary(report.files, &Tally::of(&report.findings)),
    }
}

fn errors(errors: &[FileProblem]) -> Vec<JsonError<'_>> {
    errors
        .iter()
        .map(|error| JsonError {
            path: &error.path,
            message: &error.message,
            kind: match error.kind {
                redline_workspace::ProblemKind::Skipped => "skipped",
                redline_workspace::ProblemKind::Io => "io",
            },
        })
        .collect()
}

fn summary(files: usize, tally: &Tally) -> Summary {
    let by_category: BTreeMap<&'static str, usize> = Category::ALL
        .iter()
        .zip(tally.by_category)
        .map(|(category, count)| (category.as_str(), count))
        .collect();
    let by_severity: BTreeMap<&'static str, usize> = [
        ("error", tally.errors),
        ("warning", tally.warnings),
        ("info", tally.infos),
    ]
    .into_iter()
    .collect();
    Summary {
        files,
        findings: tally.findings,
        by_category,
        by_severity,
    }
}

/// The report up to the opening of its findings array; followed by `stream_finding` for each
/// finding and then `stream_end`, it makes the same bytes as `render`.
pub fn stream_start() -> anyhow::Result<String> {
    #[derive(Serialize)]
    struct Head {
        version: u32,
        tool: Tool,
    }
    let head = escape::to_json_pretty(&Head {
        version: 1,
        tool: Tool {
            name: "redline",
            version: env!("CARGO_PKG_VERSION"),
        },
    })?;
    let open = head.strip_suffix("\n}").unwrap_or(&head);
    Ok(format!("{open},\n  \"findings\": ["))
}

/// One element of the findings array; `first` for the first finding of the report.
pub fn stream_finding(res: &mut String, item: &Finding, first: bool) -> anyhow::Result<()> {
    // Pretty JSON has no line breaks inside strings, so indenting every line nests it.
    let text = escape::to_json_pretty(&finding(item))?;
    res.push_str(if first { "\n    " } else { ",\n    " });
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            res.push_str("\n    ");
        }
        res.push_str(line);
    }
    Ok(())
}

/// Closes the findings array and writes the errors and the summary.
pub fn stream_end(problems: &[FileProblem], files: usize, tally: &Tally) -> anyhow::Result<String> {
    #[derive(Serialize)]
    struct Tail<'a> {
        errors: Vec<JsonError<'a>>,
        summary: Summary,
    }
    let tail = escape::to_json_pretty(&Tail {
        errors: errors(problems),
        summary: summary(files, tally),
    })?;
    let close = if tally.findings == 0 { "]" } else { "\n  ]" };
    let rest = tail.strip_prefix('{').unwrap_or(&tail);
    Ok(format!("{close},{rest}\n"))
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

#[cfg(test)]
mod tests {
    use redline_diagnostics::{
        Applicability, Category, Confidence, PARSE_ERROR, RuleCode, Severity,
    };
    use redline_text::LineColumn;
    use redline_workspace::{FileProblem, ProblemKind};

    use super::*;
    use crate::findings::{FindingEdit, FindingRelated};

    fn at(line: u32, column: u32) -> LineColumn {
        LineColumn { line, column }
    }

    fn finding(n: u32, category: Option<Category>, severity: Severity) -> Finding {
        Finding {
            rule: RuleCode {
                id: "RL-TEST-001",
                name: "test-rule",
                category,
            },
            severity,
            confidence: Confidence::High,
            path: format!("dir/file{n}.tf"),
            start: at(n, 3),
            end: at(n + 1, 1),
            message: format!("message \"{n}\"\nwith a line break"),
            fixes: vec![FindingFix {
                title: "fix it".to_owned(),
                applicability: Applicability::Safe,
                edits: vec![FindingEdit {
                    start: at(n, 3),
                    end: at(n, 4),
                    new_text: "a\n  b".to_owned(),
                }],
            }],
            related: vec![FindingRelated {
                start: at(1, 1),
                end: at(1, 2),
                message: "here".to_owned(),
            }],
            source_line: "  force_destroy = true".to_owned(),
            fingerprint: format!("{n:016x}-0"),
        }
    }

    fn streamed(report: &Report) -> String {
        let mut res = stream_start().unwrap();
        for (index, item) in report.findings.iter().enumerate() {
            stream_finding(&mut res, item, index == 0).unwrap();
        }
        res.push_str(
            &stream_end(&report.errors, report.files, &Tally::of(&report.findings)).unwrap(),
        );
        res
    }

    #[test]
    fn streamed_report_is_the_whole_report() {
        let errors = vec![FileProblem {
            path: "big.tf".to_owned(),
            message: "too large".to_owned(),
            kind: ProblemKind::Skipped,
        }];
        let all = [
            finding(1, Some(Category::Destructive), Severity::Error),
            finding(2, Some(Category::Permissions), Severity::Warning),
            finding(3, None, Severity::Info),
            Finding {
                rule: PARSE_ERROR,
                fixes: Vec::new(),
                related: Vec::new(),
                ..finding(4, None, Severity::Error)
            },
        ];
        for count in 0..=all.len() {
            for errors in [Vec::new(), errors.clone()] {
                let report = Report {
                    findings: all[..count].to_vec(),
                    errors,
                    files: 7,
                };
                assert_eq!(streamed(&report), render(&report).unwrap());
            }
        }
    }
}

//! The JSON report, schema version 1 (documented in docs/usage.md, section "JSON").

use std::collections::BTreeMap;

use redline_diagnostics::{Category, Impact, Impacted};
use redline_text::LineColumn;
use redline_workspace::FileProblem;
use serde::Serialize;

use super::Renderer;
use crate::escape;
use crate::findings::{Finding, FindingFix};
use crate::report::{Summary, Tally};

/// The JSON report, written as findings arrive. Pretty JSON has no line breaks inside strings,
/// so each finding is serialised on its own and indented into place.
pub struct JsonRenderer {
    /// Everything up to the opening of the findings array.
    head: String,
    n_findings: usize,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

const TOOL: Tool = Tool {
    name: "redline",
    version: env!("CARGO_PKG_VERSION"),
};

/// The members before `findings`.
#[derive(Serialize)]
struct Head<'a, T, M> {
    version: u32,
    tool: &'a T,
    #[serde(flatten)]
    members: &'a M,
}

/// The members after `findings`.
#[derive(Serialize)]
struct Tail<'a, E, S> {
    errors: &'a E,
    summary: &'a S,
}

/// No members between `tool` and `findings`.
#[derive(Serialize)]
pub struct NoMembers {}

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
    #[serde(skip_serializing_if = "Option::is_none")]
    impact: Option<JsonImpact<'a>>,
    fingerprint: &'a str,
}

/// What else the destroy or replace a finding reports takes with it.
#[derive(Serialize)]
struct JsonImpact<'a> {
    root: &'a str,
    replaced: Vec<&'a str>,
    destroyed: Vec<&'a str>,
    path: Vec<JsonImpactEdge<'a>>,
}

/// One edge of the cascade: `to` goes because it reads `via` of `from`.
#[derive(Serialize)]
struct JsonImpactEdge<'a> {
    from: &'a str,
    to: &'a str,
    via: &'a str,
    attribute: &'a str,
    holds_data: bool,
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
    path: &'a str,
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
struct JsonSummary {
    files: usize,
    findings: usize,
    by_category: BTreeMap<&'static str, usize>,
    by_severity: BTreeMap<&'static str, usize>,
}

impl JsonRenderer {
    /// The report of `check`, `diff` and `gate`.
    pub fn new() -> anyhow::Result<JsonRenderer> {
        JsonRenderer::with_members(&NoMembers {})
    }

    /// A report with the fields of `members`, a struct, between `tool` and `findings`: how
    /// `redline plan` adds its `plan`.
    pub fn with_members(members: &impl Serialize) -> anyhow::Result<JsonRenderer> {
        Ok(JsonRenderer {
            head: open(&TOOL, members)?,
            n_findings: 0,
        })
    }
}

impl Renderer for JsonRenderer {
    fn streams(&self) -> bool {
        true
    }

    fn begin(&mut self, out: &mut String) -> anyhow::Result<()> {
        out.push_str(&self.head);
        Ok(())
    }

    fn finding(&mut self, out: &mut String, item: &Finding) -> anyhow::Result<()> {
        push_item(out, &finding(item), self.n_findings == 0)?;
        self.n_findings += 1;
        Ok(())
    }

    fn end(&mut self, out: &mut String, summary: &Summary<'_>) -> anyhow::Result<()> {
        let errors = errors(summary.errors);
        let counts = json_summary(summary.files, summary.tally);
        close(out, self.n_findings, &errors, &counts)
    }
}

/// The start of a JSON report up to the opening of its findings array: `version`, `tool`, then
/// the fields of `members`. `push_item` for each finding and then `close` complete it.
///
/// Every piece is written with `escape::to_json_pretty`: exact text, with the controls and
/// invisible characters serde would leave raw spelled as `\uXXXX`, so that the report is safe
/// to print to a terminal.
pub fn open(tool: &impl Serialize, members: &impl Serialize) -> anyhow::Result<String> {
    let head = escape::to_json_pretty(&Head {
        version: 1,
        tool,
        members,
    })?;
    let open = head.strip_suffix("\n}").unwrap_or(&head);
    Ok(format!("{open},\n  \"findings\": ["))
}

/// Appends one element of the findings array; `first` for the first finding of the report.
pub fn push_item(res: &mut String, item: &impl Serialize, first: bool) -> anyhow::Result<()> {
    // Pretty JSON has no line breaks inside strings, so indenting every line nests it.
    let text = escape::to_json_pretty(item)?;
    res.push_str(if first { "\n    " } else { ",\n    " });
    for (index, line) in text.split('\n').enumerate() {
        if index > 0 {
            res.push_str("\n    ");
        }
        res.push_str(line);
    }
    Ok(())
}

/// Closes the findings array, `n_items` long, and appends `errors` and `summary`.
pub fn close(
    res: &mut String,
    n_items: usize,
    errors: &impl Serialize,
    summary: &impl Serialize,
) -> anyhow::Result<()> {
    let tail = escape::to_json_pretty(&Tail { errors, summary })?;
    let close = if n_items == 0 { "]" } else { "\n  ]" };
    let rest = tail.strip_prefix('{').unwrap_or(&tail);
    res.push_str(&format!("{close},{rest}\n"));
    Ok(())
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

fn json_summary(files: usize, tally: &Tally) -> JsonSummary {
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
    JsonSummary {
        files,
        findings: tally.findings,
        by_category,
        by_severity,
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
                path: &related.path,
                range: range(related.start, related.end),
                message: &related.message,
            })
            .collect(),
        impact: finding.impact.as_deref().map(impact),
        fingerprint: &finding.fingerprint,
    }
}

fn impact(impact: &Impact) -> JsonImpact<'_> {
    fn names(list: &[Impacted]) -> Vec<&str> {
        list.iter().map(|entry| entry.object.as_str()).collect()
    }
    JsonImpact {
        root: &impact.root,
        replaced: names(&impact.replaced),
        destroyed: names(&impact.destroyed),
        path: impact
            .replaced
            .iter()
            .chain(&impact.destroyed)
            .map(|entry| JsonImpactEdge {
                from: &entry.parent,
                to: &entry.object,
                via: &entry.via,
                attribute: &entry.attribute,
                holds_data: entry.holds_data,
            })
            .collect(),
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
    use crate::report::Report;

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
            impact: None,
            related: vec![FindingRelated {
                path: format!("dir/file{n}.tf"),
                start: at(1, 1),
                end: at(1, 2),
                message: "here".to_owned(),
            }],
            source_line: "  force_destroy = true".to_owned(),
            fingerprint: format!("{n:016x}-0"),
        }
    }

    /// The whole report serialised at once: what the streamed report is tested against.
    #[derive(Serialize)]
    struct WholeReport<'a, M> {
        version: u32,
        tool: Tool,
        #[serde(flatten)]
        members: &'a M,
        findings: Vec<JsonFinding<'a>>,
        errors: Vec<JsonError<'a>>,
        summary: JsonSummary,
    }

    #[derive(Serialize)]
    struct Plan {
        plan: BTreeMap<&'static str, Vec<u32>>,
    }

    fn whole(report: &Report, members: &impl Serialize) -> String {
        let mut res = escape::to_json_pretty(&WholeReport {
            version: 1,
            tool: TOOL,
            members,
            findings: report.findings.iter().map(super::finding).collect(),
            errors: errors(&report.errors),
            summary: json_summary(report.files, &Tally::of(&report.findings)),
        })
        .unwrap();
        res.push('\n');
        res
    }

    fn streamed(report: &Report, mut renderer: JsonRenderer) -> String {
        let mut res = String::new();
        renderer.begin(&mut res).unwrap();
        for item in &report.findings {
            renderer.finding(&mut res, item).unwrap();
        }
        let tally = Tally::of(&report.findings);
        let summary = Summary {
            errors: &report.errors,
            files: report.files,
            tally: &tally,
        };
        renderer.end(&mut res, &summary).unwrap();
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
                impact: None,
                ..finding(4, None, Severity::Error)
            },
        ];
        let plan = Plan {
            plan: BTreeMap::from([("counts", vec![1, 2]), ("lines", Vec::new())]),
        };
        for count in 0..=all.len() {
            for errors in [Vec::new(), errors.clone()] {
                let report = Report {
                    findings: all[..count].to_vec(),
                    errors,
                    files: 7,
                };
                assert_eq!(
                    streamed(&report, JsonRenderer::new().unwrap()),
                    whole(&report, &NoMembers {})
                );
                assert_eq!(
                    streamed(&report, JsonRenderer::with_members(&plan).unwrap()),
                    whole(&report, &plan)
                );
            }
        }
    }
}

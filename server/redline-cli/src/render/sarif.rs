//! SARIF 2.1.0, for code scanning. The types below are the subset of the standard's object
//! model that redline fills in.

use std::collections::BTreeMap;

use redline_diagnostics::Severity;
use redline_rules::{META_RULES, RuleMeta, all_rules, doc_url};
use redline_text::LineColumn;
use serde::Serialize;

use crate::escape;
use crate::findings::Finding;
use crate::report::Summary;

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult<'a>>,
    invocations: Vec<Invocation>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Message,
    full_description: Message,
    help_uri: String,
    help: MultiformatMessage,
    default_configuration: ReportingConfiguration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct RuleProperties {
    category: Option<&'static str>,
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
struct ReportingConfiguration {
    level: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
struct MultiformatMessage {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult<'a> {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<RelatedLocation>,
    partial_fingerprints: BTreeMap<&'static str, &'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedLocation {
    id: usize,
    physical_location: PhysicalLocation,
    message: Message,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u32,
    start_column: u32,
    end_line: u32,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix<'a> {
    description: Message,
    artifact_changes: Vec<ArtifactChange<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange<'a> {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement<'a> {
    deleted_region: Region,
    inserted_content: Content<'a>,
}

#[derive(Serialize)]
struct Content<'a> {
    text: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    level: &'static str,
    message: Message,
    locations: Vec<Location>,
}

/// One SARIF log: its results are listed inside a run whose rules and invocation come first.
pub fn render(findings: &[Finding], summary: &Summary<'_>) -> anyhow::Result<String> {
    let metas: Vec<&'static RuleMeta> = all_rules()
        .iter()
        .map(|rule| rule.meta())
        .chain(META_RULES.iter())
        .collect();
    let rules = metas.iter().map(|meta| descriptor(meta)).collect();
    let results = findings
        .iter()
        .map(|finding| {
            let rule_index = metas
                .iter()
                .position(|meta| meta.id() == finding.rule.id)
                .unwrap_or(0);
            result(finding, rule_index)
        })
        .collect();
    let notifications = summary
        .errors
        .iter()
        .map(|error| Notification {
            level: match error.kind {
                redline_workspace::ProblemKind::Io => "error",
                redline_workspace::ProblemKind::Skipped => "warning",
            },
            message: Message {
                text: error.message.clone(),
            },
            locations: vec![Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation {
                        uri: uri(&error.path),
                    },
                    region: None,
                },
            }],
        })
        .collect();
    let log = Log {
        schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "redline",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: redline_rules::DOCS_BASE_URL,
                    rules,
                },
            },
            column_kind: "unicodeCodePoints",
            results,
            invocations: vec![Invocation {
                execution_successful: !summary.io_failed(),
                tool_execution_notifications: notifications,
            }],
        }],
    };
    let mut res = escape::to_json_pretty(&log)?;
    res.push('\n');
    Ok(res)
}

fn descriptor(meta: &RuleMeta) -> ReportingDescriptor {
    let category = meta.category().map(|category| category.as_str());
    ReportingDescriptor {
        id: meta.id(),
        name: meta.name(),
        short_description: Message {
            text: meta.summary.to_owned(),
        },
        full_description: Message {
            text: meta.summary.to_owned(),
        },
        help_uri: doc_url(meta.id()),
        help: MultiformatMessage {
            text: meta.doc_markdown(),
            markdown: meta.doc_markdown(),
        },
        default_configuration: ReportingConfiguration {
            level: level(meta.severity),
        },
        properties: RuleProperties {
            category,
            tags: ["security"].into_iter().chain(category).collect(),
        },
    }
}

fn result(finding: &Finding, rule_index: usize) -> SarifResult<'_> {
    let location = |path: &str, start, end| PhysicalLocation {
        artifact_location: ArtifactLocation { uri: uri(path) },
        region: Some(region(start, end)),
    };
    SarifResult {
        rule_id: finding.rule.id,
        rule_index,
        level: level(finding.severity),
        message: Message {
            text: finding.message.clone(),
        },
        locations: vec![Location {
            physical_location: location(&finding.path, finding.start, finding.end),
        }],
        related_locations: finding
            .related
            .iter()
            .enumerate()
            .map(|(id, related)| RelatedLocation {
                id,
                physical_location: location(&related.path, related.start, related.end),
                message: Message {
                    text: related.message.clone(),
                },
            })
            .collect(),
        partial_fingerprints: BTreeMap::from([("redline/v1", finding.fingerprint.as_str())]),
        fixes: finding
            .fixes
            .iter()
            .map(|fix| SarifFix {
                description: Message {
                    text: format!("{} ({})", fix.title, fix.applicability.as_str()),
                },
                artifact_changes: vec![ArtifactChange {
                    artifact_location: ArtifactLocation {
                        uri: uri(&finding.path),
                    },
                    replacements: fix
                        .edits
                        .iter()
                        .map(|edit| Replacement {
                            deleted_region: region(edit.start, edit.end),
                            inserted_content: Content {
                                text: &edit.new_text,
                            },
                        })
                        .collect(),
                }],
            })
            .collect(),
    }
}

fn region(start: LineColumn, end: LineColumn) -> Region {
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative path stays a relative URI reference; an absolute one becomes a `file://` URI.
fn uri(path: &str) -> String {
    let mut res = String::new();
    if path.starts_with('/') {
        res.push_str("file://");
    }
    for byte in path.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => {
                res.push(char::from(byte));
            }
            other => res.push_str(&format!("%{other:02X}")),
        }
    }
    res
}

//! `redline merge-reports`: one report from the JSON or SARIF reports of several runs, such
//! as the shards of a CI matrix.
//!
//! The inputs are read as JSON values, so every field a report carries is kept. Findings are
//! deduplicated (the same rule, path, range and fingerprint) and sorted by path, position and
//! rule, as `check` sorts them.
//!
//! The merged findings are these values, not `Finding`s, so they do not pass through a
//! `Renderer`: turning them back into findings would drop what this version does not know (the
//! fields, rules and tool of another version's reports) and, for SARIF, mean parsing back URIs
//! and fix descriptions. The JSON report is written with the JSON format's own pieces
//! (`render::json::{open, push_item, close}`), so it is laid out exactly as `check` lays out
//! its report; the SARIF log keeps the first input's run around the merged results.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::path::Path;

use anyhow::{Context as _, bail};
use redline_diagnostics::{Category, Severity};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::Exit;
use crate::args::MergeReportsArgs;
use crate::emit;
use crate::escape;
use crate::output::Output;
use crate::render::json;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Json,
    Sarif,
}

/// One report made of several.
struct Merged {
    text: String,
    /// The highest severity among the merged findings.
    worst: Option<Severity>,
    /// Whether an input recorded a file that could not be read.
    io_failed: bool,
}

pub fn run(args: &MergeReportsArgs) -> anyhow::Result<Exit> {
    let mut inputs = Vec::new();
    for path in &args.reports {
        let value = read(path)?;
        let kind = kind_of(&value).with_context(|| {
            format!(
                "{} is neither a redline JSON report (version 1) nor a SARIF 2.1.0 log",
                path.display()
            )
        })?;
        inputs.push((path, kind, value));
    }
    let kind = inputs[0].1;
    if let Some((path, other, _)) = inputs.iter().find(|(_, other, _)| *other != kind) {
        bail!(
            "{} is a {} report but {} is a {} report: merge reports of one format",
            inputs[0].0.display(),
            name(kind),
            path.display(),
            name(*other)
        );
    }
    let values: Vec<Value> = inputs.into_iter().map(|(_, _, value)| value).collect();
    let merged = match kind {
        Kind::Json => merge_json(values)?,
        Kind::Sarif => merge_sarif(values)?,
    };
    Output::write_all(args.output.as_deref(), &merged.text)?;
    let failed = emit::fail_threshold(args.fail_on)
        .is_some_and(|threshold| merged.worst.is_some_and(|worst| worst >= threshold));
    Ok(emit::exit_status(merged.io_failed, failed))
}

fn read(path: &Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))
}

fn kind_of(value: &Value) -> Option<Kind> {
    if value.get("version") == Some(&Value::from(1)) && value["findings"].is_array() {
        Some(Kind::Json)
    } else if value.get("version").and_then(Value::as_str) == Some("2.1.0")
        && value["runs"].is_array()
    {
        Some(Kind::Sarif)
    } else {
        None
    }
}

fn name(kind: Kind) -> &'static str {
    match kind {
        Kind::Json => "JSON",
        Kind::Sarif => "SARIF",
    }
}

/// The severity a JSON report or a SARIF result names; what is neither an error nor a warning
/// counts as information.
fn severity(name: &str) -> Severity {
    match name {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        _ => Severity::Info,
    }
}

/// Sorts by the string at each pointer, then the number at each pointer, then the whole value,
/// and drops exact duplicates of the identity (`key`).
fn sort_dedup(items: &mut Vec<Value>, key: impl Fn(&Value) -> (Vec<String>, Vec<u64>)) {
    items.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        // Path first, then the position, then the rest of the identity.
        ka.0.first()
            .cmp(&kb.0.first())
            .then_with(|| ka.1.cmp(&kb.1))
            .then_with(|| ka.0.cmp(&kb.0))
            .then_with(|| compare_json(a, b))
    });
    let mut seen = BTreeSet::new();
    items.retain(|item| seen.insert(key(item)));
}

fn compare_json(a: &Value, b: &Value) -> Ordering {
    a.to_string().cmp(&b.to_string())
}

fn text_at(value: &Value, pointer: &str) -> String {
    value
        .pointer(pointer)
        .map(|value| match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .unwrap_or_default()
}

fn number_at(value: &Value, pointer: &str) -> u64 {
    value.pointer(pointer).and_then(Value::as_u64).unwrap_or(0)
}

/// One JSON report, written as `check` writes its reports; the findings and errors are kept as
/// they were read.
fn merge_json(reports: Vec<Value>) -> anyhow::Result<Merged> {
    let tool = reports[0]["tool"].clone();
    let mut findings = Vec::new();
    let mut errors = Vec::new();
    let mut files = 0;
    for mut report in reports {
        files += report["summary"]["files"].as_u64().unwrap_or(0);
        if let Value::Array(items) = report["findings"].take() {
            findings.extend(items);
        }
        if let Value::Array(items) = report["errors"].take() {
            errors.extend(items);
        }
    }
    sort_dedup(&mut findings, |finding| {
        (
            vec![
                text_at(finding, "/path"),
                text_at(finding, "/rule"),
                text_at(finding, "/fingerprint"),
            ],
            vec![
                number_at(finding, "/range/start/line"),
                number_at(finding, "/range/start/column"),
                number_at(finding, "/range/end/line"),
                number_at(finding, "/range/end/column"),
            ],
        )
    });
    sort_dedup(&mut errors, |error| {
        (
            vec![
                text_at(error, "/path"),
                text_at(error, "/message"),
                text_at(error, "/kind"),
            ],
            Vec::new(),
        )
    });
    let mut by_category: Map<String, Value> = Category::ALL
        .iter()
        .map(|category| (category.as_str().to_owned(), Value::from(0)))
        .collect();
    let mut by_severity: Map<String, Value> = ["error", "info", "warning"]
        .into_iter()
        .map(|name| (name.to_owned(), Value::from(0)))
        .collect();
    let mut worst = None;
    for finding in &findings {
        let name = text_at(finding, "/severity");
        worst = worst.max(Some(severity(&name)));
        bump(&mut by_severity, name);
        if let Some(category) = finding["category"].as_str() {
            bump(&mut by_category, category.to_owned());
        }
    }
    let summary = MergedSummary {
        files,
        findings: findings.len(),
        by_category,
        by_severity,
    };
    let mut text = json::open(&tool, &json::NoMembers {})?;
    for (index, finding) in findings.iter().enumerate() {
        json::push_item(&mut text, finding, index == 0)?;
    }
    json::close(&mut text, findings.len(), &errors, &summary)?;
    Ok(Merged {
        text,
        worst,
        io_failed: errors.iter().any(|error| error["kind"] == "io"),
    })
}

#[derive(Serialize)]
struct MergedSummary {
    files: u64,
    findings: usize,
    by_category: Map<String, Value>,
    by_severity: Map<String, Value>,
}

fn bump(counts: &mut Map<String, Value>, key: String) {
    let count = counts.get(&key).and_then(Value::as_u64).unwrap_or(0);
    counts.insert(key, Value::from(count + 1));
}

/// One run: the first input's tool and settings, the union of the rules, every result with
/// its `ruleIndex` pointing into the merged rules, and one invocation that succeeded only if
/// every input's did.
fn merge_sarif(logs: Vec<Value>) -> anyhow::Result<Merged> {
    let mut schema = Value::Null;
    let mut base_run: Option<Value> = None;
    let mut rules: Vec<Value> = Vec::new();
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    let mut successful = true;
    for mut log in logs {
        if schema.is_null() {
            schema = log["$schema"].take();
        }
        let Value::Array(runs) = log["runs"].take() else {
            continue;
        };
        for mut run in runs {
            if let Value::Array(run_rules) = run["tool"]["driver"]["rules"].take() {
                for rule in run_rules {
                    if !rules.iter().any(|known| known["id"] == rule["id"]) {
                        rules.push(rule);
                    }
                }
            }
            if let Value::Array(items) = run["results"].take() {
                results.extend(items);
            }
            if let Value::Array(invocations) = run["invocations"].take() {
                for mut invocation in invocations {
                    successful &= invocation["executionSuccessful"] != false;
                    if let Value::Array(items) = invocation["toolExecutionNotifications"].take() {
                        notifications.extend(items);
                    }
                }
            }
            base_run.get_or_insert(run);
        }
    }
    let location = "/locations/0/physicalLocation";
    sort_dedup(&mut results, |result| {
        (
            vec![
                text_at(result, &format!("{location}/artifactLocation/uri")),
                text_at(result, "/ruleId"),
                text_at(result, "/partialFingerprints"),
            ],
            vec![
                number_at(result, &format!("{location}/region/startLine")),
                number_at(result, &format!("{location}/region/startColumn")),
                number_at(result, &format!("{location}/region/endLine")),
                number_at(result, &format!("{location}/region/endColumn")),
            ],
        )
    });
    sort_dedup(&mut notifications, |notification| {
        (
            vec![
                text_at(notification, &format!("{location}/artifactLocation/uri")),
                text_at(notification, "/message/text"),
                text_at(notification, "/level"),
            ],
            Vec::new(),
        )
    });
    let mut worst = None;
    for result in &mut results {
        let index = rules.iter().position(|rule| rule["id"] == result["ruleId"]);
        if let (Some(index), Some(object)) = (index, result.as_object_mut()) {
            object.insert("ruleIndex".to_owned(), Value::from(index));
        }
        // SARIF's default level is `warning`.
        let level = result["level"].as_str().unwrap_or("warning");
        worst = worst.max(Some(severity(level)));
    }
    let mut run = base_run.unwrap_or_else(|| Value::Object(Map::new()));
    if let Some(object) = run.as_object_mut() {
        if let Some(driver) = object
            .get_mut("tool")
            .and_then(|tool| tool.get_mut("driver"))
            .and_then(Value::as_object_mut)
        {
            driver.insert("rules".to_owned(), Value::Array(rules));
        }
        object.insert("results".to_owned(), Value::Array(results));
        let mut invocation = Map::new();
        invocation.insert("executionSuccessful".to_owned(), Value::from(successful));
        invocation.insert(
            "toolExecutionNotifications".to_owned(),
            Value::Array(notifications),
        );
        object.insert(
            "invocations".to_owned(),
            Value::Array(vec![Value::Object(invocation)]),
        );
    }
    let merged = SarifLog {
        schema,
        version: "2.1.0",
        runs: vec![run],
    };
    let mut text = escape::to_json_pretty(&merged)?;
    text.push('\n');
    Ok(Merged {
        text,
        worst,
        io_failed: !successful,
    })
}

#[derive(Serialize)]
struct SarifLog {
    #[serde(rename = "$schema", skip_serializing_if = "Value::is_null")]
    schema: Value,
    version: &'static str,
    runs: Vec<Value>,
}

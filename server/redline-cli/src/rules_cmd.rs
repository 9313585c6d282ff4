//! `redline rules` and `redline explain`.

use std::fmt::Write as _;
use std::io::Write as _;

use anyhow::{Context as _, bail};
use redline_rules::{META_RULES, RuleMeta, all_rules, doc_page, doc_url, find_any_rule};
use serde::Serialize;

use crate::Exit;
use crate::args::{ExplainArgs, ListFormat, RulesArgs};
use crate::escape;

#[derive(Serialize)]
struct JsonRule {
    id: &'static str,
    name: &'static str,
    category: Option<&'static str>,
    severity: &'static str,
    confidence: &'static str,
    formats: Vec<&'static str>,
    fix: &'static str,
    status: &'static str,
    summary: &'static str,
    doc_url: String,
}

pub fn list(args: &RulesArgs) -> anyhow::Result<Exit> {
    let metas: Vec<&'static RuleMeta> = all_rules()
        .iter()
        .map(|rule| rule.meta())
        .chain(META_RULES.iter())
        .collect();
    let text = match args.format {
        ListFormat::Json => {
            let rules: Vec<JsonRule> = metas.iter().map(|meta| json_rule(meta)).collect();
            let mut text = serde_json::to_string_pretty(&rules)?;
            text.push('\n');
            text
        }
        ListFormat::Text => {
            let mut text = String::new();
            let name_width = metas
                .iter()
                .map(|meta| meta.name().len())
                .max()
                .unwrap_or(0);
            for meta in metas {
                let _ = writeln!(
                    text,
                    "{:<12} {:<name_width$} {:<12} {:<8} {}",
                    meta.id(),
                    meta.name(),
                    meta.category().map_or("-", |category| category.as_str()),
                    meta.severity.as_str(),
                    meta.summary
                );
            }
            text
        }
    };
    print(&text)?;
    Ok(Exit::Clean)
}

fn json_rule(meta: &'static RuleMeta) -> JsonRule {
    JsonRule {
        id: meta.id(),
        name: meta.name(),
        category: meta.category().map(|category| category.as_str()),
        severity: meta.severity.as_str(),
        confidence: meta.confidence.as_str(),
        formats: meta.formats.iter().map(|format| format.as_str()).collect(),
        fix: match meta.fix {
            redline_rules::FixAvailability::Always => "always",
            redline_rules::FixAvailability::Sometimes => "sometimes",
            redline_rules::FixAvailability::None => "none",
        },
        status: match meta.status {
            redline_rules::Status::Preview => "preview",
            redline_rules::Status::Stable => "stable",
        },
        summary: meta.summary,
        doc_url: doc_url(meta.id()),
    }
}

/// A rule's entry of `redline rules --format json`, with its documentation page (the text of
/// `redline explain`) as `documentation`; `None` for an unknown rule.
pub fn explain_json(rule: &str) -> Option<serde_json::Value> {
    let meta = find_any_rule(rule)?;
    let mut res = serde_json::to_value(json_rule(meta)).ok()?;
    if let serde_json::Value::Object(members) = &mut res {
        members.insert(
            "documentation".to_owned(),
            serde_json::Value::String(doc_page(meta)),
        );
    }
    Some(res)
}

pub fn explain(args: &ExplainArgs) -> anyhow::Result<Exit> {
    let Some(meta) = find_any_rule(&args.rule) else {
        bail!(
            "unknown rule `{}`: `redline rules` lists every rule",
            args.rule
        );
    };
    // The page is built into the binary, but it goes to a terminal like any other human
    // output, so it takes the same escaping (a no-op for the pages redline ships).
    print(&escape::lines(&doc_page(meta)))?;
    Ok(Exit::Clean)
}

fn print(text: &str) -> anyhow::Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("cannot write to standard output")
}

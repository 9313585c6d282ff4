//! Findings over a whole repository: the facts of each file, their join, and the suppressions
//! of the file a finding is reported on.
//!
//! A front-end calls [`workspace_facts`] on every file of a repository (cheap for files that
//! cannot hold facts: they are not parsed), joins them with
//! `redline_rules::workspace::join`, and passes each finding through
//! [`finish_workspace_findings`] with its file before adding it to that file's findings.

use redline_diagnostics::Diagnostic;
use redline_rules::workspace::{Fact, file_facts, may_have_facts};
use redline_syntax::parse_source_once;

use crate::{AnalysisOptions, Config, SourceInput, rule_enabled, sort_diagnostics, suppression};

/// The facts of one file about the path from a change to production (see
/// `redline_rules::workspace`), in source order.
pub fn workspace_facts(input: &SourceInput<'_>) -> Vec<Fact> {
    if !may_have_facts(input.path, input.text) {
        return Vec::new();
    }
    parse_source_once(input.path, input.text, input.hints)
        .filter(|file| !file.templated)
        .map(|file| file_facts(&file))
        .unwrap_or_default()
}

/// Applies to repository findings reported on `input` what `analyze` applies to a file's own
/// findings: rule selection, configured severities, `[[ignore]]` entries and `redline:ignore`
/// comments. Returns the findings that remain, sorted.
pub fn finish_workspace_findings(
    input: &SourceInput<'_>,
    diagnostics: Vec<Diagnostic>,
    config: &Config,
    options: &AnalysisOptions,
) -> Vec<Diagnostic> {
    let mut diagnostics: Vec<Diagnostic> = diagnostics
        .into_iter()
        .filter(|diagnostic| rule_enabled(diagnostic.rule.id, config, options))
        .collect();
    if diagnostics.is_empty() {
        return diagnostics;
    }
    for diagnostic in &mut diagnostics {
        if let Some(severity) = config
            .rules
            .get(diagnostic.rule.id)
            .and_then(|settings| settings.severity)
        {
            diagnostic.severity = severity;
        }
    }
    if let Some(path) = input.config_relative_path {
        let path = path.trim_start_matches("./");
        diagnostics.retain(|diagnostic| {
            !config.ignores.iter().any(|ignore| {
                ignore.path.is_match(path)
                    && ignore.rule.is_none_or(|rule| rule == diagnostic.rule.id)
            })
        });
    }
    let Some(file) = parse_source_once(input.path, input.text, input.hints) else {
        return diagnostics;
    };
    let (mut suppressions, _) = suppression::parse_suppressions(&file);
    let mut res = suppression::apply(&file, &mut suppressions, diagnostics, options.today);
    sort_diagnostics(&mut res);
    res
}

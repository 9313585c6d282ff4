//! The rules that declare themselves local to one document (`Locality::Document`) keep that
//! promise on every Kubernetes fixture, and the engine's memo of their findings per document
//! gives an editor the findings of a fresh analysis while running them only on the documents
//! an edit changed.
//! Tests read files; the purity lints are for the library code.
#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

use redline_diagnostics::Diagnostic;
use redline_engine::{
    AnalysisOptions, Config, DocumentMemoStats, ParseMemo, SourceInput, analyze,
    analyze_incremental_memo,
};
use redline_rules::{Locality, Rule, RuleContext, all_rules};
use redline_syntax::{Format, SourceFile, SourceHints, parse_source};
use redline_test_support::{fixture_cases, fixtures_root};

/// Every Kubernetes fixture file that is not an edit's base or a fixed text, as (path, text).
fn kubernetes_fixtures() -> Vec<(String, String)> {
    fixture_cases()
        .into_iter()
        .filter(|case| !case.is_folder && case.relative.starts_with("kubernetes/"))
        .map(|case| {
            let text = std::fs::read_to_string(fixtures_root().join(&case.relative)).unwrap();
            (case.relative, text)
        })
        .collect()
}

fn document_rules() -> Vec<&'static dyn Rule> {
    all_rules()
        .iter()
        .copied()
        .filter(|rule| rule.meta().locality == Locality::Document)
        .collect()
}

fn run(rule: &dyn Rule, file: &SourceFile<'_>, documents: Option<&[bool]>) -> Vec<Diagnostic> {
    let mut ctx = RuleContext::new(file, rule.meta(), None).with_documents(documents);
    rule.check(&mut ctx);
    ctx.into_diagnostics()
}

/// The start of the line each document of `file` starts on.
fn document_line_starts(file: &SourceFile<'_>) -> Vec<usize> {
    file.documents
        .iter()
        .map(|document| {
            let line = file.line_index.line_of(document.range.start());
            file.line_index.line_start(line).to_usize()
        })
        .collect()
}

/// The memo keeps a document's findings by its text alone: a rule local to one document runs
/// on Kubernetes streams and takes no options that could change them.
#[test]
fn document_local_rules_are_kubernetes_rules_without_options() {
    let mut table = toml::Table::new();
    table.insert("any".to_owned(), toml::Value::Integer(1));
    for rule in document_rules() {
        let meta = rule.meta();
        assert!(meta.formats.contains(&Format::Kubernetes), "{}", meta.id());
        assert!(
            rule.parse_options(&table).is_err(),
            "{} takes options",
            meta.id()
        );
    }
}

#[test]
fn document_local_rules_find_in_each_document_what_they_find_in_the_whole_file() {
    let rules = document_rules();
    assert!(rules.len() >= 16, "the Kubernetes snapshot rules are local");
    let fixtures = kubernetes_fixtures();
    let stream = stream_of(&fixtures);
    let mut found = 0;
    for (path, text) in fixtures
        .iter()
        .map(|(path, text)| (path.as_str(), text.as_str()))
        .chain([("stream.yaml", stream.as_str())])
    {
        let Some(file) = parse_source(path, text, SourceHints::default()) else {
            continue;
        };
        if file.format != Format::Kubernetes {
            continue;
        }
        let starts = document_line_starts(&file);
        for rule in &rules {
            let whole = run(*rule, &file, None);
            let mut by_document = Vec::new();
            for index in 0..file.documents.len() {
                let mut only = vec![false; file.documents.len()];
                only[index] = true;
                let findings = run(*rule, &file, Some(&only));
                let end = starts.get(index + 1).copied().unwrap_or(text.len());
                for finding in &findings {
                    for range in finding.own_ranges().unwrap() {
                        assert!(
                            range.start().to_usize() >= starts[index]
                                && range.end().to_usize() <= end,
                            "{} reports {range:?} in {path} outside document {index} ({}..{end})",
                            rule.meta().id(),
                            starts[index],
                        );
                    }
                }
                by_document.extend(findings);
            }
            assert_eq!(
                by_document,
                whole,
                "{} on {path}, one document at a time",
                rule.meta().id()
            );
            found += whole.len();
        }
    }
    assert!(found > 50, "the fixtures have findings to compare: {found}");
}

/// The fixtures of Kubernetes manifests (not templates) that fire, as one stream.
fn stream_of(fixtures: &[(String, String)]) -> String {
    fixtures
        .iter()
        .filter(|(path, text)| {
            path.contains("/fires")
                && parse_source(path, text, SourceHints::default())
                    .is_some_and(|file| file.format == Format::Kubernetes && !file.templated)
        })
        .map(|(_, text)| text.trim_end())
        .collect::<Vec<_>>()
        .join("\n---\n")
}

#[test]
fn an_edit_runs_document_local_rules_only_on_the_documents_it_changed() {
    let fixtures = kubernetes_fixtures();
    let stream = stream_of(&fixtures);
    let config = Config::default();
    let options = AnalysisOptions::default();
    let memo = ParseMemo::default();
    let rules = document_rules().len() as u64;
    let analyse = |text: &str| {
        let input = SourceInput {
            path: "manifests.yaml",
            text,
            hints: SourceHints::default(),
            config_relative_path: None,
        };
        let (kept, _) = analyze_incremental_memo(&input, &[], &config, &options, None, Some(&memo));
        let fresh = analyze(&input, &config, &options);
        assert_eq!(kept.format, Some(Format::Kubernetes));
        assert_eq!(kept.diagnostics, fresh.diagnostics);
        assert!(
            fresh.diagnostics.len() > 20,
            "{} findings",
            fresh.diagnostics.len()
        );
        memo.document_findings().stats()
    };
    let documents = parse_source("manifests.yaml", &stream, SourceHints::default())
        .unwrap()
        .documents
        .len() as u64;
    assert!(documents > 30, "{documents} documents");

    let first = analyse(&stream);
    assert_eq!(
        first,
        DocumentMemoStats {
            taken: 0,
            judged: rules * documents,
            documents: documents as usize,
        }
    );
    // The same text again: every rule's findings in every document are taken.
    let again = analyse(&stream);
    assert_eq!(again.taken - first.taken, rules * documents);
    assert_eq!(again.judged, first.judged);

    // A line added near the start moves every later document: only the one that holds it
    // is judged again, and the others' findings are taken at their new offsets.
    let at = stream.find("\nmetadata:").unwrap() + 1;
    let edited = format!("{}  # edited\n{}", &stream[..at], &stream[at..]);
    let edit = analyse(&edited);
    assert_eq!(edit.judged - again.judged, rules);
    assert_eq!(edit.taken - again.taken, rules * (documents - 1));

    // A value rewritten in place, the same length: the document keeps its offset and length,
    // and its finding goes.
    let at = edited.find("privileged: true").unwrap();
    let rewritten = format!(
        "{}privileged: nope{}",
        &edited[..at],
        &edited[at + "privileged: true".len()..]
    );
    let rewrite = analyse(&rewritten);
    assert_eq!(rewrite.judged - edit.judged, rules);
    // Back to the text before: every document's findings are held.
    let back = analyse(&edited);
    assert_eq!(back.judged, rewrite.judged);

    // A privileged pod pasted at the start is one new document; the first document's span
    // loses the comments above it to the new one.
    let pasted = format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: pasted\nspec:\n  containers:\n    - name: \
         app\n      image: app\n      securityContext:\n        privileged: true\n---\n{edited}"
    );
    let paste = analyse(&pasted);
    assert!((rules..=2 * rules).contains(&(paste.judged - back.judged)));

    // A document deleted from the middle judges again at most the one before it, whose span
    // now runs to the next one's first line.
    let middle = pasted.len() / 2;
    let from = middle + pasted[middle..].find("\n---\n").unwrap();
    let to = from + 5 + pasted[from + 5..].find("\n---\n").unwrap();
    let deleted = format!("{}{}", &pasted[..from], &pasted[to..]);
    let delete = analyse(&deleted);
    assert!(delete.judged - paste.judged <= rules);
    assert!(delete.taken - paste.taken >= rules * (documents - 1));
}

//! Checks over the whole registry: identity, documentation, fixtures, and robustness.
//! Tests read and write files; the purity lints are for the library code.
#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use redline_diagnostics::INTERNAL_ERROR;
use redline_engine::{
    AnalysisOptions, ChangeInput, Config, Report, SourceInput, analyze, analyze_change,
};
use redline_rules::{FixAvailability, META_RULES, RuleMeta, all_rules, doc_page, rules_index};
use redline_syntax::SourceHints;
use redline_test_support::{before_sibling, fixtures_root};

fn metas() -> Vec<&'static RuleMeta> {
    all_rules()
        .iter()
        .map(|rule| rule.meta())
        .chain(META_RULES.iter())
        .collect()
}

#[test]
fn ids_and_names_are_unique_and_well_formed() {
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for meta in metas() {
        assert!(ids.insert(meta.id()), "duplicate id {}", meta.id());
        assert!(names.insert(meta.name()), "duplicate name {}", meta.name());
        let parts: Vec<&str> = meta.id().split('-').collect();
        assert!(
            parts.len() == 3
                && parts[0] == "RL"
                && parts[1]
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && parts[2].len() == 3
                && parts[2].chars().all(|c| c.is_ascii_digit()),
            "id {} is not RL-<FORMAT>-<NNN>",
            meta.id()
        );
        assert!(
            meta.name().split('-').all(|word| !word.is_empty()
                && word
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())),
            "name {} is not kebab-case",
            meta.name()
        );
        assert!(
            !meta.name().starts_with("no-") && !meta.name().starts_with("disallow-"),
            "name {} must name the hazard",
            meta.name()
        );
        assert!(
            !meta.summary.ends_with('.'),
            "summary of {} ends with a period",
            meta.id()
        );
    }
}

#[test]
fn every_rule_is_documented() {
    for rule in all_rules() {
        let meta = rule.meta();
        let doc = meta.doc_markdown();
        for heading in [
            "## What it flags",
            "## Why it matters",
            "## Example",
            "## Use instead",
            "## Suppression",
        ] {
            assert!(
                doc.contains(heading),
                "{} has no `{heading}` section",
                meta.id()
            );
        }
        if meta.fix != FixAvailability::None {
            assert!(
                doc.contains("## Fix safety"),
                "{} has a fix but no `## Fix safety`",
                meta.id()
            );
        }
    }
}

#[test]
fn every_rule_has_fixtures() {
    let root = fixtures_root();
    for rule in all_rules() {
        let meta = rule.meta();
        let folder = find_rule_folder(&root, meta.name())
            .unwrap_or_else(|| panic!("{} has no fixture folder named {}", meta.id(), meta.name()));
        let files: Vec<String> = std::fs::read_dir(&folder)
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            files
                .iter()
                .any(|f| f.starts_with("fires.") && !f.contains(".fixed.")),
            "{} has no fires fixture",
            meta.id()
        );
        assert!(
            files.iter().any(|f| f.starts_with("quiet.")),
            "{} has no quiet fixture",
            meta.id()
        );
        if meta.fix == FixAvailability::Always {
            assert!(
                files.iter().any(|f| f.starts_with("fires.fixed.")),
                "{} has a fix but no fires.fixed fixture",
                meta.id()
            );
        }
    }
}

/// `docs/rules/` is generated from the rules; set `REDLINE_UPDATE_DOCS=1` to rewrite it.
#[test]
fn rule_docs_are_current() {
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/rules");
    let update = std::env::var_os("REDLINE_UPDATE_DOCS").is_some();
    let mut pages: Vec<(PathBuf, String)> = metas()
        .into_iter()
        .map(|meta| (docs.join(format!("{}.md", meta.id())), doc_page(meta)))
        .collect();
    pages.push((docs.join("README.md"), rules_index()));
    for (path, expected) in pages {
        if update {
            std::fs::create_dir_all(&docs).unwrap();
            std::fs::write(&path, &expected).unwrap();
            continue;
        }
        let actual = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            actual == expected,
            "{} is out of date: run `REDLINE_UPDATE_DOCS=1 cargo test -p redline-rules --test registry`",
            path.display()
        );
    }
}

/// Every prefix of every fixture, analysed with every rule, without a rule failing.
#[test]
fn no_rule_panics_on_any_fixture_prefix() {
    let root = fixtures_root();
    let config = Config::default();
    let options = AnalysisOptions::default();
    for path in fixture_files(&root) {
        let text = std::fs::read_to_string(&path).unwrap();
        let format = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|name| redline_rules::find_rule(name.to_str().unwrap()))
            .and_then(|rule| rule.meta().formats.first().copied());
        let hints = SourceHints { format };
        let display = path.display().to_string();
        let mut end = 0;
        while end <= text.len() {
            if text.is_char_boundary(end) {
                let input = SourceInput {
                    path: &display,
                    text: &text[..end],
                    hints,
                    config_relative_path: None,
                };
                let analysis = analyze(&input, &config, &options);
                assert!(
                    analysis
                        .diagnostics
                        .iter()
                        .all(|d| d.rule != INTERNAL_ERROR),
                    "{display}: a rule failed on the first {end} bytes"
                );
            }
            end += 1;
        }
    }
}

/// Every edit fixture (`fires.tf` beside `fires.before.tf`), with every prefix of its new
/// side and every seventh prefix of its base, analysed as an edit without a rule failing.
#[test]
fn no_rule_panics_on_any_edit_prefix() {
    let root = fixtures_root();
    let config = Config::default();
    let options = AnalysisOptions::default();
    for path in fixture_files(&root) {
        let before = before_sibling(&path);
        if !before.exists() || path.to_string_lossy().contains(".before.") {
            continue;
        }
        let new = std::fs::read_to_string(&path).unwrap();
        let base = std::fs::read_to_string(&before).unwrap();
        let display = path.display().to_string();
        let run = |base: &str, new: &str| {
            let input = ChangeInput {
                path: &display,
                base: Some(base),
                new: Some(new),
                hints: SourceHints::default(),
                config_relative_path: None,
            };
            let analyses = analyze_change(&[input], &config, &options, Report::All);
            assert!(
                analyses
                    .iter()
                    .flat_map(|analysis| &analysis.diagnostics)
                    .all(|d| d.rule != INTERNAL_ERROR),
                "{display}: a rule failed on base {} bytes, new {} bytes",
                base.len(),
                new.len()
            );
        };
        let prefixes = |text: &str, step: usize| -> Vec<usize> {
            (0..=text.len())
                .step_by(step)
                .filter(|&end| text.is_char_boundary(end))
                .collect()
        };
        for end in prefixes(&new, 1) {
            run(&base, &new[..end]);
        }
        for end in prefixes(&base, 7) {
            run(&base[..end], &new);
        }
    }
}

fn find_rule_folder(root: &Path, name: &str) -> Option<PathBuf> {
    std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .map(|format| format.path().join(name))
        .find(|candidate| candidate.is_dir())
}

fn fixture_files(root: &Path) -> Vec<PathBuf> {
    let mut res = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                res.push(path);
            }
        }
    }
    res.sort();
    res
}

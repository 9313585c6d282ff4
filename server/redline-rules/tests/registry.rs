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
use redline_test_support::{
    FixtureCase, before_sibling, expectations_sidecar, fixture_cases, fixture_format,
    fixtures_root, is_expectations_sidecar, needs_expectations_sidecar, snapshots_root,
};

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
        if meta.formats.is_empty() {
            // A repository rule has repository cases (`fires-<shape>/repo/`,
            // `quiet-<shape>/repo/`) instead of fixture files.
            let folder = &folder;
            let cases = |prefix: &'static str| {
                files.iter().filter(move |f| {
                    f.starts_with(prefix) && folder.join(f.as_str()).join("repo").is_dir()
                })
            };
            assert!(
                cases("fires-").next().is_some(),
                "{} has no fires case",
                meta.id()
            );
            assert!(
                cases("quiet-").next().is_some(),
                "{} has no quiet case",
                meta.id()
            );
            assert!(
                meta.fix == FixAvailability::None
                    || cases("fires-").any(|f| folder.join(f.as_str()).join("fixed").is_dir()),
                "{} has a fix but no fires case with a fixed/ folder",
                meta.id()
            );
            continue;
        }
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
        // `check_fixture` asks for a `.fixed` file beside every fixture whose findings offer a
        // fix; this makes sure each rule that has fixes shows at least one being applied (or,
        // for display-only fixes, shows that none is).
        if meta.fix == FixAvailability::None {
            assert!(
                !files.iter().any(|f| f.contains(".fixed.")),
                "{} has no fix, yet its fixtures have a `.fixed` file",
                meta.id()
            );
        } else {
            assert!(
                files.iter().any(|f| f.starts_with("fires.fixed.")),
                "{} has a fix but no fires.fixed fixture",
                meta.id()
            );
        }
    }
}

/// Every `.fixed` text belongs to a fixture: `<kind>.fixed.<ext>` to `<kind>.<ext>`, and a
/// folder case's `fixed/<file>` to its `before/<file>`, `after/<file>` or `module/<file>`.
#[test]
fn every_fixed_text_has_its_fixture() {
    let root = fixtures_root();
    for path in fixture_files(&root) {
        let name = path.file_name().unwrap().to_str().unwrap();
        let parent = path.parent().unwrap();
        if let Some((kind, ext)) = name.split_once(".fixed.") {
            let fixture = path.with_file_name(format!("{kind}.{ext}"));
            assert!(
                fixture.exists(),
                "{} has no fixture {}",
                path.display(),
                fixture.display()
            );
        } else if parent.file_name().is_some_and(|folder| folder == "fixed") {
            let case = parent.parent().unwrap();
            assert!(
                case.join("before").join(name).exists()
                    || case.join("after").join(name).exists()
                    || case.join("repo").join(name).exists()
                    || case.join("module").join(name).exists(),
                "{} fixes no file of {}",
                path.display(),
                case.display()
            );
        }
    }
}

/// JSON fixtures keep their expectations in a `<fixture>.expect` sidecar, since JSON has no
/// comments; every JSON fixture has one, and every sidecar has its fixture.
#[test]
fn every_json_fixture_has_an_expectations_sidecar() {
    let root = fixtures_root();
    let cases = fixture_cases();
    let mut n_sidecars = 0;
    for case in &cases {
        let path = root.join(&case.relative);
        if !case.is_folder && needs_expectations_sidecar(&path) {
            let sidecar = expectations_sidecar(&path);
            assert!(
                sidecar.exists(),
                "{}: a JSON fixture needs its expectations in {}",
                case.relative,
                sidecar.display()
            );
            n_sidecars += 1;
        }
    }
    let sidecars: Vec<PathBuf> = fixture_files(&root)
        .into_iter()
        .filter(|path| is_expectations_sidecar(path))
        .collect();
    for sidecar in &sidecars {
        let fixture = sidecar.with_extension("");
        assert!(
            needs_expectations_sidecar(&fixture)
                && cases
                    .iter()
                    .any(|case| !case.is_folder && root.join(&case.relative) == fixture),
            "{} is not beside a JSON fixture {}",
            sidecar.display(),
            fixture.display()
        );
    }
    assert_eq!(sidecars.len(), n_sidecars);
}

/// Every fixture case has its snapshot in `tests/snapshots/` (written by the
/// `fixture_snapshots` test), and every snapshot there belongs to a fixture case.
#[test]
fn every_fixture_has_a_snapshot_and_every_snapshot_a_fixture() {
    let expected: BTreeSet<PathBuf> = fixture_cases()
        .iter()
        .map(FixtureCase::snapshot_file)
        .collect();
    let mut found = BTreeSet::new();
    let mut pending = vec![snapshots_root()];
    while let Some(folder) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|ext| ext == "snap") {
                found.insert(path);
            }
        }
    }
    let missing: Vec<String> = expected
        .difference(&found)
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "fixtures without a snapshot (run `cargo insta test -p redline-rules --review`):\n{}",
        missing.join("\n")
    );
    let orphans: Vec<String> = found
        .difference(&expected)
        .map(|path| path.display().to_string())
        .collect();
    assert!(
        orphans.is_empty(),
        "snapshots whose fixture is gone (delete them):\n{}",
        orphans.join("\n")
    );
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
        if is_expectations_sidecar(&path) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let format = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|name| redline_rules::find_rule(name.to_str().unwrap()))
            .and_then(|rule| fixture_format(&path.display().to_string(), rule.meta().formats));
        let hints = SourceHints {
            format,
            ..SourceHints::default()
        };
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
/// side and every seventh prefix of its base, analysed as an edit by the fixture's rule
/// without the rule failing.
#[test]
fn no_rule_panics_on_any_edit_prefix() {
    let root = fixtures_root();
    let config = Config::default();
    for path in fixture_files(&root) {
        let before = before_sibling(&path);
        if !before.exists() || path.to_string_lossy().contains(".before.") {
            continue;
        }
        let Some(rule) = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|name| redline_rules::find_rule(name.to_str().unwrap()))
        else {
            continue;
        };
        let options = AnalysisOptions {
            today: None,
            select: Some(vec![rule.meta().id()]),
        };
        let hints = SourceHints {
            format: fixture_format(&path.to_string_lossy(), rule.meta().formats),
            ..SourceHints::default()
        };
        let new = std::fs::read_to_string(&path).unwrap();
        let base = std::fs::read_to_string(&before).unwrap();
        let display = path.display().to_string();
        let run = |base: &str, new: &str| {
            let input = ChangeInput {
                path: &display,
                base: Some(base),
                new: Some(new),
                hints,
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

/// Every folder edit case (`<case>/before/` and `<case>/after/`), with every third prefix of
/// each file of its new side, analysed as an edit of the whole folder by the case's rule
/// without the rule failing: the module's values are read from broken variables, locals and
/// tfvars on one side.
#[test]
fn no_rule_panics_on_any_folder_edit_prefix() {
    let root = fixtures_root();
    let config = Config::default();
    for case in fixture_cases() {
        let folder = root.join(&case.relative);
        if !case.is_folder || !folder.join("after").is_dir() {
            continue;
        }
        let rule = redline_rules::find_rule(
            Path::new(&case.relative)
                .parent()
                .and_then(Path::file_name)
                .and_then(|name| name.to_str())
                .unwrap(),
        )
        .unwrap();
        let options = AnalysisOptions {
            today: None,
            select: Some(vec![rule.meta().id()]),
        };
        // Every file of a side by its path below the side's folder: subfolders are called
        // modules.
        let side = |name: &str| -> Vec<(String, String)> {
            let side = folder.join(name);
            if !side.is_dir() {
                return Vec::new();
            }
            let mut res: Vec<(String, String)> = fixture_files(&side)
                .into_iter()
                .map(|path| {
                    let file = path
                        .strip_prefix(&side)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    (file, std::fs::read_to_string(&path).unwrap())
                })
                .collect();
            res.sort();
            res
        };
        let (before, after) = (side("before"), side("after"));
        let mut names: Vec<&String> = before.iter().chain(&after).map(|(name, _)| name).collect();
        names.sort();
        names.dedup();
        let paths: Vec<String> = names
            .iter()
            .map(|name| format!("{}/{name}", case.relative))
            .collect();
        let text = |files: &[(String, String)], name: &str| {
            files
                .iter()
                .find(|(file, _)| file == name)
                .map(|(_, text)| text.clone())
        };
        for (cut, name) in names.iter().enumerate() {
            let Some(full) = text(&after, name) else {
                continue;
            };
            for end in (0..=full.len()).step_by(3) {
                if !full.is_char_boundary(end) {
                    continue;
                }
                let inputs: Vec<ChangeInput<'_>> = names
                    .iter()
                    .zip(&paths)
                    .enumerate()
                    .map(|(index, (name, path))| ChangeInput {
                        path,
                        base: before
                            .iter()
                            .find(|(file, _)| file == *name)
                            .map(|(_, text)| text.as_str()),
                        new: if index == cut {
                            Some(&full[..end])
                        } else {
                            after
                                .iter()
                                .find(|(file, _)| file == *name)
                                .map(|(_, text)| text.as_str())
                        },
                        hints: SourceHints {
                            format: fixture_format(path, rule.meta().formats),
                            ..SourceHints::default()
                        },
                        config_relative_path: None,
                    })
                    .collect();
                let analyses = analyze_change(&inputs, &config, &options, Report::All);
                assert!(
                    analyses
                        .iter()
                        .flat_map(|analysis| &analysis.diagnostics)
                        .all(|d| d.rule != INTERNAL_ERROR),
                    "{}: a rule failed on the first {end} bytes of {name}",
                    case.relative
                );
            }
        }
    }
}

/// Every third prefix of every file of every repository case, read for its facts, without a
/// panic.
#[test]
fn no_panic_reading_facts_of_any_prefix() {
    let root = fixtures_root();
    for case in fixture_cases() {
        let repo = root.join(&case.relative).join("repo");
        if !case.is_folder || !repo.is_dir() {
            continue;
        }
        for path in fixture_files(&repo) {
            let text = std::fs::read_to_string(&path).unwrap();
            let display = path.display().to_string();
            for end in (0..=text.len()).step_by(3) {
                if text.is_char_boundary(end) {
                    let input = SourceInput {
                        path: &display,
                        text: &text[..end],
                        hints: SourceHints::default(),
                        config_relative_path: None,
                    };
                    redline_engine::workspace_facts(&input);
                }
            }
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

/// Every file below `root`, expectation sidecars included.
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

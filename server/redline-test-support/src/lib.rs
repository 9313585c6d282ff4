//! The single entry point tests use to run rules on fixture files.
//!
//! A fixture lives at `tests/fixtures/<format>/<rule-name>/<kind>.<ext>` inside the calling
//! crate. It runs with only its rule enabled. In languages with comments, a comment
//! `expect: RL-XXX-NNN` (optionally followed by `col=N`) marks each line where a finding must
//! start, and nothing else may fire. When `fires.fixed.<ext>` exists, applying every
//! non-display fix to `fires.<ext>` must give exactly that text, which must parse cleanly and
//! no longer trigger the rule.
//!
//! Rules that judge an edit have a base beside each fixture: `fires.before.tf` is the text
//! before the edit and `fires.tf` the text after it. The pair runs through
//! `analyze_change` with the same expectations; the fix is checked the same way, against the
//! same base.
//!
//! An edit that spans several files of one folder (a Terraform module) is a folder case:
//! `<case>/before/` and `<case>/after/` hold the folder before and after the edit, and
//! `check_change_folder` runs them through `analyze_change` together. Expectations are read
//! from each file of `after/`; a file deleted by the edit carries them on its base's line that
//! says `expect-when-deleted: RL-…`, and its findings must start on line 1.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use redline_diagnostics::Diagnostic;
use redline_engine::{
    AnalysisOptions, ChangeInput, Config, FileAnalysis, FixMode, Report, SourceInput, analyze,
    analyze_change, apply_fixes, fix_file,
};
use redline_rules::find_rule;
use redline_syntax::{Format, Language, SourceHints, parse_source};
use redline_text::LineIndex;

/// Checks one fixture and returns its findings rendered as text (for snapshots).
///
/// Panics with a readable message when an expectation is not met.
pub fn check_fixture(relative: &str) -> String {
    let root = fixtures_root();
    let path = root.join(relative);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|error| panic!("cannot read fixture {}: {error}", path.display()));
    let rule_folder = Path::new(relative)
        .parent()
        .and_then(Path::file_name)
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    let rule = find_rule(rule_folder)
        .unwrap_or_else(|| panic!("fixture folder `{rule_folder}` does not name a rule"));
    let meta = rule.meta();
    let hints = SourceHints {
        format: fixture_format(relative, meta.formats),
    };
    let input = SourceInput {
        path: relative,
        text: &text,
        hints,
        config_relative_path: None,
    };
    let options = AnalysisOptions {
        today: None,
        select: Some(vec![meta.id()]),
    };
    let config = Config::default();

    let parsed = parse_source(relative, &text, hints)
        .unwrap_or_else(|| panic!("{relative}: not recognised as {:?}", hints.format));
    if let Some(problem) = parsed.first_parse_problem() {
        panic!("{relative}: fixture does not parse: {}", problem.message);
    }
    let language = parsed.language;

    let before_path = before_sibling(&path);
    let base = before_path.exists().then(|| {
        std::fs::read_to_string(&before_path).unwrap_or_else(|error| {
            panic!("cannot read fixture {}: {error}", before_path.display())
        })
    });
    if let Some(base) = &base {
        return check_change_fixture(relative, base, &text, hints, &config, &options);
    }

    let analysis = analyze(&input, &config, &options);
    let rendered = render(&text, &analysis.diagnostics);
    if language != Language::Json {
        check_expectations(relative, &text, &analysis.diagnostics, &rendered);
    }

    let fixed_path = fixed_sibling(&path);
    if fixed_path.exists() {
        let expected = std::fs::read_to_string(&fixed_path).unwrap();
        let outcome = fix_file(&input, &config, &options, FixMode::Unsafe);
        assert!(outcome.applied > 0, "{relative}: no fix applied");
        assert_eq!(
            outcome.text,
            expected,
            "{relative}: applying fixes does not give {}",
            fixed_path.display()
        );
        let reparsed = parse_source(relative, &outcome.text, hints).unwrap();
        assert_eq!(
            reparsed.first_parse_problem(),
            None,
            "{relative}: fixed text does not parse"
        );
        assert!(
            outcome.analysis.diagnostics.is_empty(),
            "{relative}: rule still fires after fixing:\n{}",
            render(&outcome.text, &outcome.analysis.diagnostics)
        );
    }
    rendered
}

/// Checks a fixture that is the new side of an edit, against its `.before` base.
fn check_change_fixture(
    relative: &str,
    base: &str,
    text: &str,
    hints: SourceHints,
    config: &Config,
    options: &AnalysisOptions,
) -> String {
    let analyse = |new: &str| -> FileAnalysis {
        let input = ChangeInput {
            path: relative,
            base: Some(base),
            new: Some(new),
            hints,
            config_relative_path: None,
        };
        analyze_change(&[input], config, options, Report::Introduced)
            .pop()
            .unwrap()
    };
    let analysis = analyse(text);
    let rendered = render(text, &analysis.diagnostics);
    if parse_source(relative, text, hints).map(|file| file.language) != Some(Language::Json) {
        check_expectations(relative, text, &analysis.diagnostics, &rendered);
    }
    let fixed_path = fixed_sibling(&root_relative(relative));
    if fixed_path.exists() {
        let expected = std::fs::read_to_string(&fixed_path).unwrap();
        let (fixed, applied) = apply_fixes(text, &analysis.diagnostics, FixMode::Unsafe)
            .unwrap_or_else(|| panic!("{relative}: the fixes overlap"));
        assert!(applied > 0, "{relative}: no fix applied");
        assert_eq!(
            fixed,
            expected,
            "{relative}: applying fixes does not give {}",
            fixed_path.display()
        );
        let reparsed = parse_source(relative, &fixed, hints).unwrap();
        assert_eq!(
            reparsed.first_parse_problem(),
            None,
            "{relative}: fixed text does not parse"
        );
        let after_fix = analyse(&fixed);
        assert!(
            after_fix.diagnostics.is_empty(),
            "{relative}: rule still fires after fixing:\n{}",
            render(&fixed, &after_fix.diagnostics)
        );
    }
    rendered
}

/// Checks a folder case: `<relative>/before/` is a folder before an edit and
/// `<relative>/after/` the same folder after it. The rule is named by the folder above the
/// case. Returns every file's findings, rendered.
pub fn check_change_folder(relative: &str) -> String {
    let root = fixtures_root().join(relative);
    let rule_folder = Path::new(relative)
        .parent()
        .and_then(Path::file_name)
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    let rule = find_rule(rule_folder)
        .unwrap_or_else(|| panic!("fixture folder `{rule_folder}` does not name a rule"));
    let meta = rule.meta();
    let read_folder = |side: &str| -> Vec<(String, String)> {
        let folder = root.join(side);
        let mut res: Vec<(String, String)> = std::fs::read_dir(&folder)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", folder.display()))
            .map(|entry| {
                let path = entry.unwrap().path();
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                (name, std::fs::read_to_string(&path).unwrap())
            })
            .collect();
        res.sort();
        res
    };
    let before = read_folder("before");
    let after = read_folder("after");
    let mut names: Vec<&str> = before
        .iter()
        .chain(&after)
        .map(|(name, _)| name.as_str())
        .collect();
    names.sort_unstable();
    names.dedup();
    let paths: Vec<String> = names
        .iter()
        .map(|name| format!("{relative}/{name}"))
        .collect();
    let find = |files: &[(String, String)], name: &str| -> Option<String> {
        files
            .iter()
            .find(|(file, _)| file == name)
            .map(|(_, text)| text.clone())
    };
    let sides: Vec<(Option<String>, Option<String>)> = names
        .iter()
        .map(|name| (find(&before, name), find(&after, name)))
        .collect();
    let inputs: Vec<ChangeInput<'_>> = paths
        .iter()
        .zip(&sides)
        .map(|(path, (base, new))| ChangeInput {
            path,
            base: base.as_deref(),
            new: new.as_deref(),
            hints: SourceHints {
                format: fixture_format(path, meta.formats),
            },
            config_relative_path: None,
        })
        .collect();
    let options = AnalysisOptions {
        today: None,
        select: Some(vec![meta.id()]),
    };
    let analyses = analyze_change(&inputs, &Config::default(), &options, Report::Introduced);
    let mut res = String::new();
    for ((path, (base, new)), analysis) in paths.iter().zip(&sides).zip(&analyses) {
        let text = new.clone().unwrap_or_default();
        let rendered = render(&text, &analysis.diagnostics);
        writeln!(res, "{path}:\n{rendered}").unwrap();
        if new.is_some() {
            check_expectations(path, &text, &analysis.diagnostics, &rendered);
            continue;
        }
        let marker = "expect-when-deleted:";
        let mut expected: Vec<&str> = base
            .as_deref()
            .unwrap_or_default()
            .lines()
            .filter_map(|line| line.split_once(marker).map(|(_, rest)| rest))
            .flat_map(str::split_whitespace)
            .filter(|token| token.starts_with("RL-"))
            .collect();
        let mut found: Vec<&str> = analysis.diagnostics.iter().map(|d| d.rule.id).collect();
        expected.sort_unstable();
        found.sort_unstable();
        assert_eq!(
            found, expected,
            "{path}: the deleted file's findings differ; findings were:\n{rendered}"
        );
        assert!(
            analysis
                .diagnostics
                .iter()
                .all(|d| d.range.start() == 0.into()),
            "{path}: findings on a deleted file must start at its first byte:\n{rendered}"
        );
    }
    res
}

fn root_relative(relative: &str) -> PathBuf {
    fixtures_root().join(relative)
}

/// `fires.tf` → `fires.before.tf`: the base of an edit fixture.
pub fn before_sibling(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let ext = path
        .extension()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}.before.{ext}"))
}

/// The format a fixture is analysed as: the first of the rule's formats that its extension
/// fits (`.sh` for shell, `.toml`/`.json` for agent configurations, …).
fn fixture_format(relative: &str, formats: &[Format]) -> Option<Format> {
    let extension = Path::new(relative)
        .extension()
        .and_then(|ext| ext.to_str())
        .unwrap_or("");
    let fits = |format: &Format| match extension {
        "sh" | "bash" => *format == Format::Shell,
        "mk" => *format == Format::Makefile,
        "dockerfile" => *format == Format::Dockerfile,
        "tf" => *format == Format::Terraform,
        "toml" => *format == Format::AgentConfig,
        "json" => matches!(
            format,
            Format::AgentConfig
                | Format::IamPolicy
                | Format::TerraformPlan
                | Format::CloudFormation
        ),
        "yml" | "yaml" => matches!(
            format,
            Format::GithubActions
                | Format::GitlabCi
                | Format::Kubernetes
                | Format::CloudFormation
                | Format::AzurePipelines
        ),
        _ => true,
    };
    formats
        .iter()
        .copied()
        .find(|format| fits(format))
        .or_else(|| formats.first().copied())
}

/// The folder holding the calling crate's fixtures.
pub fn fixtures_root() -> PathBuf {
    let manifest = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_owned());
    PathBuf::from(manifest).join("tests").join("fixtures")
}

/// `fires.tf` → `fires.fixed.tf`.
pub fn fixed_sibling(path: &Path) -> PathBuf {
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    let ext = path
        .extension()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    path.with_file_name(format!("{stem}.fixed.{ext}"))
}

/// Renders findings one per line: `line:col-line:col RULE severity message`, then fixes.
pub fn render(text: &str, diagnostics: &[Diagnostic]) -> String {
    let line_index = LineIndex::new(text);
    let mut res = String::new();
    for diagnostic in diagnostics {
        let start = line_index.line_column(diagnostic.range.start(), text);
        let end = line_index.line_column(diagnostic.range.end(), text);
        writeln!(
            res,
            "{}:{}-{}:{} {} {} {}",
            start.line,
            start.column,
            end.line,
            end.column,
            diagnostic.rule.id,
            diagnostic.severity,
            diagnostic.message
        )
        .unwrap();
        for related in &diagnostic.related {
            let at = line_index.line_column(related.range.start(), text);
            writeln!(
                res,
                "  related {}:{} {}",
                at.line, at.column, related.message
            )
            .unwrap();
        }
        for fix in &diagnostic.fixes {
            writeln!(res, "  fix ({}) {}", fix.applicability.as_str(), fix.title).unwrap();
        }
    }
    if res.is_empty() {
        res.push_str("no findings\n");
    }
    res
}

struct Expectation {
    line: u32,
    rule: String,
    column: Option<u32>,
}

fn check_expectations(relative: &str, text: &str, diagnostics: &[Diagnostic], rendered: &str) {
    let line_index = LineIndex::new(text);
    let mut expected = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let Some((_, rest)) = line.split_once("expect:") else {
            continue;
        };
        for token in rest.split_whitespace() {
            if let Some(column) = token.strip_prefix("col=") {
                let column = column.parse().unwrap();
                if let Some(last) = expected.last_mut() {
                    let last: &mut Expectation = last;
                    last.column = Some(column);
                }
            } else if token.starts_with("RL-") {
                expected.push(Expectation {
                    line: u32::try_from(index + 1).unwrap(),
                    rule: token.to_owned(),
                    column: None,
                });
            } else {
                break;
            }
        }
    }
    let mut unmatched: Vec<&Diagnostic> = diagnostics.iter().collect();
    for expectation in &expected {
        let found = unmatched.iter().position(|diagnostic| {
            let start = line_index.line_column(diagnostic.range.start(), text);
            diagnostic.rule.id == expectation.rule
                && start.line == expectation.line
                && expectation
                    .column
                    .is_none_or(|column| column == start.column)
        });
        match found {
            Some(index) => {
                unmatched.remove(index);
            }
            None => panic!(
                "{relative}:{}: expected {}{} to fire; findings were:\n{rendered}",
                expectation.line,
                expectation.rule,
                expectation
                    .column
                    .map(|c| format!(" at column {c}"))
                    .unwrap_or_default()
            ),
        }
    }
    if let Some(diagnostic) = unmatched.first() {
        let start = line_index.line_column(diagnostic.range.start(), text);
        panic!(
            "{relative}:{}:{}: unexpected {}: {}",
            start.line, start.column, diagnostic.rule.id, diagnostic.message
        );
    }
}

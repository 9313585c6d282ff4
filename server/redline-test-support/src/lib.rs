//! The single entry point tests use to run rules on fixture files.
//!
//! A fixture lives at `tests/fixtures/<format>/<rule-name>/<kind>.<ext>` inside the calling
//! crate. It runs with only its rule enabled. Its expectations say where findings start: every
//! expectation must fire, and nothing else may.
//!
//! - In languages with comments, a comment `expect: RL-XXX-NNN` (optionally followed by
//!   `col=N`) marks each line where a finding must start.
//! - JSON has no comments, so every JSON fixture has a sidecar file beside it, named after it
//!   with `.expect` added (`fires.json` → `fires.json.expect`). Each line of the sidecar is
//!   `<line>: RL-XXX-NNN`, optionally followed by `col=N`: the words an `expect:` comment would
//!   hold, and the 1-based line it would sit on. Words after those (a `# note` quoting the
//!   JSON line, say) are ignored, as are blank lines and lines starting with `#`; a sidecar
//!   without expectations (a `quiet.json`'s) says that nothing fires.
//!
//! Fixes are checked against `<kind>.fixed.<ext>`, which must exist whenever a finding of
//! `<kind>.<ext>` offers a fix. Applying every safe and unsafe fix must give exactly its text,
//! which must parse cleanly; afterwards the only findings left are those that had no such fix.
//! When a fixture's fixes are all display-only (they hold placeholders), tools never apply
//! them, so its `.fixed` file is the fixture unchanged: it records that nothing is applied. A
//! `.fixed` file beside a fixture whose findings offer no fix is refused.
//!
//! Rules that judge an edit have a base beside each fixture: `fires.before.tf` is the text
//! before the edit and `fires.tf` the text after it. The pair runs through
//! `analyze_change` with the same expectations; the fix is checked the same way, against the
//! same base.
//!
//! An edit that spans several files of one folder (a Terraform module) is a folder case:
//! `<case>/before/` and `<case>/after/` hold the folder before and after the edit, and
//! `check_change_folder` runs them through `analyze_change` together. Subfolders of each side
//! are the local modules the folder calls (`source = "./modules/db"`), given beside it as the
//! front-ends give them. Expectations are read
//! from each file of `after/`; a file deleted by the edit carries them on its base's line that
//! says `expect-when-deleted: RL-…`, and its findings must start on line 1. When a file's
//! findings offer fixes, `<case>/fixed/<file>` plays the part of `.fixed`; for a deleted file
//! it holds what the fixes write in its place (a `removed` block, say).
//!
//! A snapshot of a Terraform module (rules that read values through variables, locals and
//! tfvars) is a module case: `<case>/module/` holds the folder's files (`.tf`, `.tf.json`,
//! `terraform.tfvars`, …), `check_module_folder` runs them through `analyze_folder` together,
//! and expectations are read from each file. `<case>/fixed/<file>` plays the part of `.fixed`.
//! Subfolders of `module/` are further modules, which the others may call with a local
//! `source = "./child"` (or `"../…"`): each folder is analysed as `redline check` analyses it,
//! with the files of every other folder of the case as the called modules it may read, and
//! with the published-module and called-module hints a front-end would give
//! (`fixed/<subfolder>/<file>` holds a subfolder file's fixed text).
//!
//! A rule over a whole repository (RL-WS-…) has repository cases: `<case>/repo/` holds the
//! files of one repository (Terraform, workflows, agent configurations, manifests), whose
//! facts are gathered and joined as `redline check` joins them, and each finding is checked
//! against the suppressions of its file. Expectations are `expect:` comments in the files
//! that have comments, and lines `<path below repo/>:<line>: RL-…` in `<case>/expect` for the
//! others (JSON). `<case>/fixed/<path below repo/>` plays the part of `.fixed`; after the fix,
//! the join runs again with the fixed text.
//!
//! Every fixture file and folder case (see [`fixture_cases`]) also has an insta snapshot of
//! its findings as [`snapshot_fixture`] renders them (rule, range, message, source line,
//! related places, fixes and their edits) in `tests/snapshots/`, at the fixture's path with
//! `.snap` added, so that a changed message or range is reviewed. A folder case where nothing
//! fires renders as `no findings`, like a quiet fixture file.
#![allow(clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use redline_diagnostics::{Applicability, Diagnostic};
use redline_engine::{
    AnalysisOptions, ChangeInput, Config, FixMode, Report, SourceInput, analyze, analyze_change,
    analyze_folder, apply_fixes, finish_workspace_findings, fix_file, workspace_facts,
};
use redline_rules::find_rule;
use redline_rules::workspace::{FileFacts, join};
use redline_syntax::terraform_eval::calls::{called_folders, folder_of};
use redline_syntax::{Format, SourceHints, parse_source};
use redline_text::{LineIndex, TextRange};

/// One thing a fixture test checks: a fixture file, or a folder case of an edit.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FixtureCase {
    /// The path below the fixtures folder (`terraform/force-destroy-enabled/fires.tf`).
    pub relative: String,
    /// Whether this is a folder case (`<case>/before/` and `<case>/after/`).
    pub is_folder: bool,
}

/// Checks one fixture and returns its findings rendered as text (for snapshots).
///
/// Panics with a readable message when an expectation is not met.
pub fn check_fixture(relative: &str) -> String {
    let outcome = run_fixture(relative);
    render(&outcome.text, &outcome.diagnostics)
}

/// Checks a folder case: `<relative>/before/` is a folder before an edit and
/// `<relative>/after/` the same folder after it. The rule is named by the folder above the
/// case. Returns every file's findings, rendered.
pub fn check_change_folder(relative: &str) -> String {
    let mut res = String::new();
    for file in run_change_folder(relative) {
        writeln!(
            res,
            "{}:\n{}",
            file.path,
            render(&file.text, &file.diagnostics)
        )
        .unwrap();
    }
    res
}

/// Checks a module case: `<relative>/module/` holds the files of one Terraform module, analysed
/// together. The rule is named by the folder above the case. Returns every file's findings,
/// rendered.
pub fn check_module_folder(relative: &str) -> String {
    let mut res = String::new();
    for file in run_module_folder(relative) {
        writeln!(
            res,
            "{}:\n{}",
            file.path,
            render(&file.text, &file.diagnostics)
        )
        .unwrap();
    }
    res
}

/// Whether a folder case is a module case (`<case>/module/`) rather than an edit.
fn is_module_case(relative: &str) -> bool {
    fixtures_root().join(relative).join("module").is_dir()
}

/// Whether a folder case is a repository case (`<case>/repo/`).
pub fn is_repository_case(relative: &str) -> bool {
    fixtures_root().join(relative).join("repo").is_dir()
}

/// Checks a repository case: the facts of every file of `<relative>/repo/` are joined, and
/// the findings are checked against each file's expectations and fixed text. Returns every
/// file's findings, rendered.
pub fn check_repository_folder(relative: &str) -> String {
    let mut res = String::new();
    for file in run_repository_folder(relative) {
        if file.diagnostics.is_empty() {
            continue;
        }
        writeln!(
            res,
            "{}:\n{}",
            file.path,
            render(&file.text, &file.diagnostics)
        )
        .unwrap();
    }
    if res.is_empty() {
        res.push_str("no findings\n");
    }
    res
}

/// Checks a fixture case like [`check_fixture`], [`check_change_folder`] or
/// [`check_module_folder`], and returns the full rendering that its snapshot holds (see
/// [`render_detailed`]).
pub fn snapshot_fixture(case: &FixtureCase) -> String {
    if !case.is_folder {
        let outcome = run_fixture(&case.relative);
        return render_detailed(&outcome.text, &outcome.diagnostics);
    }
    let module_case = is_module_case(&case.relative);
    let repository_case = is_repository_case(&case.relative);
    let files = if repository_case {
        run_repository_folder(&case.relative)
    } else if module_case {
        run_module_folder(&case.relative)
    } else {
        run_change_folder(&case.relative)
    };
    // A folder case where nothing fires reads like a quiet fixture file.
    if files.iter().all(|file| file.diagnostics.is_empty()) {
        return "no findings\n".to_owned();
    }
    let others: Vec<(&str, &str)> = files
        .iter()
        .map(|file| (file.path.as_str(), file.text.as_str()))
        .collect();
    let mut res = String::new();
    for file in &files {
        // Files of a module case's subfolders (called modules) are named below `module/`.
        let name = file
            .path
            .strip_prefix(&case.relative)
            .map_or(file.path.as_str(), |name| name.trim_start_matches('/'));
        let side = if file.deleted {
            " (deleted by the edit)"
        } else {
            ""
        };
        if repository_case && file.diagnostics.is_empty() {
            continue;
        }
        writeln!(res, "== {name}{side}").unwrap();
        let rendered = render_detailed_with(&file.text, &file.diagnostics, &others);
        if repository_case {
            // Related places in the other files of a repository are named below `repo/`.
            res.push_str(
                &rendered.replace(&format!("related {}/repo/", case.relative), "related "),
            );
        } else if module_case {
            // Related places in the other files of a module case are named below the case.
            res.push_str(&rendered.replace(&format!("related {}/", case.relative), "related "));
        } else {
            res.push_str(&rendered);
        }
    }
    res
}

/// Every fixture case below [`fixtures_root`], sorted: each fixture file, except edit bases
/// (`*.before.*`), fixed texts (`*.fixed.*`) and expectation sidecars (`*.expect`), and each
/// folder case (a folder inside a rule's folder).
pub fn fixture_cases() -> Vec<FixtureCase> {
    let root = fixtures_root();
    let mut res = Vec::new();
    for format in sorted_entries(&root) {
        if !format.is_dir() {
            continue;
        }
        for rule in sorted_entries(&format) {
            if !rule.is_dir() {
                continue;
            }
            for path in sorted_entries(&rule) {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let is_folder = path.is_dir();
                if !is_folder
                    && (name.contains(".before.")
                        || name.contains(".fixed.")
                        || is_expectations_sidecar(&path))
                {
                    continue;
                }
                let relative = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                res.push(FixtureCase {
                    relative,
                    is_folder,
                });
            }
        }
    }
    res
}

impl FixtureCase {
    /// The rule's folder below the fixtures folder (`terraform/force-destroy-enabled`).
    pub fn rule_folder(&self) -> &str {
        self.relative
            .rsplit_once('/')
            .map_or("", |(folder, _)| folder)
    }

    /// The fixture's file or folder name (`fires.tf`), which names its snapshot.
    pub fn name(&self) -> &str {
        self.relative
            .rsplit_once('/')
            .map_or(self.relative.as_str(), |(_, name)| name)
    }

    /// Where its snapshot lives: `tests/snapshots/<relative>.snap`.
    pub fn snapshot_file(&self) -> PathBuf {
        snapshots_root().join(format!("{}.snap", self.relative))
    }
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

/// `fires.json` → `fires.json.expect`: the sidecar holding a JSON fixture's expectations.
pub fn expectations_sidecar(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_owned();
    name.push(".expect");
    path.with_file_name(name)
}

/// Whether a fixture keeps its expectations in a sidecar rather than in comments: JSON
/// fixtures, which cannot hold comments.
pub fn needs_expectations_sidecar(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "json")
}

/// Whether `path` is an expectations sidecar (`*.expect`).
pub fn is_expectations_sidecar(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "expect")
}

/// The format a fixture is analysed as: the first of the rule's formats that its extension
/// fits (`.sh` for shell, `.toml`/`.json` for agent configurations, …). A `.cfn.` part in the
/// name (`fires.cfn.json`, `quiet.cfn.yaml`) selects CloudFormation, and an `.atmos.` part
/// (`fires.atmos.yaml`) an Atmos workflow, for rules that read several formats.
pub fn fixture_format(relative: &str, formats: &[Format]) -> Option<Format> {
    let extension = Path::new(relative)
        .extension()
        .and_then(|ext| ext.to_str())
        .unwrap_or("");
    let file_name = Path::new(relative)
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("");
    if file_name.contains(".cfn.") && formats.contains(&Format::CloudFormation) {
        return Some(Format::CloudFormation);
    }
    if file_name.contains(".atmos.") && formats.contains(&Format::AtmosWorkflow) {
        return Some(Format::AtmosWorkflow);
    }
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
                | Format::AtmosWorkflow
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
    crate_root().join("tests").join("fixtures")
}

/// The folder holding the calling crate's fixture snapshots, one per [`FixtureCase`].
pub fn snapshots_root() -> PathBuf {
    crate_root().join("tests").join("snapshots")
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
            let at = match &related.path {
                None => {
                    let at = line_index.line_column(related.range.start(), text);
                    format!("{}:{}", at.line, at.column)
                }
                Some(path) => format!("{path}@{}", related.range.start().to_u32()),
            };
            writeln!(res, "  related {at} {}", related.message).unwrap();
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

/// Renders findings in full, for fixture snapshots. Each finding gives its range (1-based
/// `line:column`, columns in characters), rule, severity and confidence, its message, the
/// source line where it starts with the range underlined, its related places, and each fix
/// with its applicability, title and edits (replacements written as Rust string literals).
pub fn render_detailed(text: &str, diagnostics: &[Diagnostic]) -> String {
    render_detailed_with(text, diagnostics, &[])
}

/// [`render_detailed`] for a file analysed with others (a module's files, the local modules it
/// calls), given as (display path, text): a related place in one of them is shown as
/// `path:line:column-line:column`.
pub fn render_detailed_with(
    text: &str,
    diagnostics: &[Diagnostic],
    others: &[(&str, &str)],
) -> String {
    let line_index = LineIndex::new(text);
    let position = |range: TextRange| {
        let start = line_index.line_column(range.start(), text);
        let end = line_index.line_column(range.end(), text);
        format!(
            "{}:{}-{}:{}",
            start.line, start.column, end.line, end.column
        )
    };
    let mut res = String::new();
    for diagnostic in diagnostics {
        writeln!(
            res,
            "{} {} {} ({} confidence)",
            position(diagnostic.range),
            diagnostic.rule.id,
            diagnostic.severity,
            diagnostic.confidence.as_str()
        )
        .unwrap();
        writeln!(res, "  {}", diagnostic.message).unwrap();
        res.push_str(&source_frame(text, &line_index, diagnostic.range));
        for related in &diagnostic.related {
            let at = match &related.path {
                None => position(related.range),
                Some(path) => match others.iter().find(|(other, _)| other == path) {
                    Some((_, other_text)) => {
                        let other_index = LineIndex::new(other_text);
                        let start = other_index.line_column(related.range.start(), other_text);
                        let end = other_index.line_column(related.range.end(), other_text);
                        format!(
                            "{path}:{}:{}-{}:{}",
                            start.line, start.column, end.line, end.column
                        )
                    }
                    None => format!("{path}@{:?}", related.range),
                },
            };
            writeln!(res, "  related {at}: {}", related.message).unwrap();
        }
        if let Some(impact) = &diagnostic.impact {
            writeln!(res, "  impact of {}:", impact.root).unwrap();
            let lists = [
                ("replaced", &impact.replaced),
                ("destroyed", &impact.destroyed),
            ];
            for (kind, list) in lists {
                for entry in list {
                    let data = if entry.holds_data { " (data)" } else { "" };
                    writeln!(
                        res,
                        "    {kind} {}{data} <- {} via {} in {}",
                        entry.object, entry.parent, entry.via, entry.attribute
                    )
                    .unwrap();
                }
            }
        }
        for fix in &diagnostic.fixes {
            writeln!(res, "  fix ({}): {}", fix.applicability.as_str(), fix.title).unwrap();
            for edit in fix.edits() {
                writeln!(
                    res,
                    "    edit {}: {:?}",
                    position(edit.range),
                    edit.replacement
                )
                .unwrap();
            }
        }
        res.push('\n');
    }
    if res.is_empty() {
        res.push_str("no findings\n");
    }
    res
}

/// The widest source line a snapshot shows; longer lines (one-line JSON plans) are cut to a
/// window around the finding.
const FRAME_WIDTH: usize = 100;

/// The line where `range` starts, numbered, with the part of `range` on it underlined.
fn source_frame(text: &str, line_index: &LineIndex, range: TextRange) -> String {
    let line = line_index.line_of(range.start());
    let line_range = line_index.line_range(line, text);
    let chars: Vec<char> = text[line_range.to_std()].chars().collect();
    let start = line_index.line_column(range.start(), text).column as usize - 1;
    let end = if range.end() <= line_range.end() {
        line_index.line_column(range.end(), text).column as usize - 1
    } else {
        chars.len()
    };
    let (window_start, window_end) = if chars.len() <= FRAME_WIDTH {
        (0, chars.len())
    } else {
        let window_start = start.saturating_sub(FRAME_WIDTH / 4);
        (window_start, chars.len().min(window_start + FRAME_WIDTH))
    };
    let mut shown: String = chars[window_start..window_end].iter().collect();
    let mut pad: String = chars[window_start..start.clamp(window_start, window_end)]
        .iter()
        .map(|&c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    if window_start > 0 {
        shown.insert(0, '…');
        pad.insert(0, ' ');
    }
    if window_end < chars.len() {
        shown.push('…');
    }
    let underline = "^".repeat(end.min(window_end).saturating_sub(start).max(1));
    let number = (line + 1).to_string();
    let gutter = " ".repeat(number.len());
    format!("  {number} | {shown}\n  {gutter} | {pad}{underline}\n")
        .lines()
        .map(|frame_line| format!("{}\n", frame_line.trim_end()))
        .collect()
}

/// A fixture's text and its findings, after every check passed.
struct FileOutcome {
    text: String,
    diagnostics: Vec<Diagnostic>,
}

/// One file of a folder case, after every check passed.
struct FolderFile {
    /// `<case>/<file name>`, below the fixtures folder.
    path: String,
    /// The text after the edit; empty for a file the edit deletes.
    text: String,
    diagnostics: Vec<Diagnostic>,
    deleted: bool,
}

/// One expected finding: where it starts, and which rule reports it.
struct Expectation {
    line: u32,
    rule: String,
    column: Option<u32>,
}

/// What fixing a text gave, to compare with its `.fixed` file.
struct FixResult {
    /// The text after applying every safe and unsafe fix.
    text: String,
    /// How many fixes were applied.
    applied: usize,
    /// The rule's findings on the fixed text.
    diagnostics: Vec<Diagnostic>,
}

/// Runs every check of [`check_fixture`] and returns the fixture's findings.
fn run_fixture(relative: &str) -> FileOutcome {
    let root = fixtures_root();
    let path = root.join(relative);
    let text = read(&path);
    let meta = rule_of(relative).meta();
    let hints = SourceHints {
        format: fixture_format(relative, meta.formats),
        ..SourceHints::default()
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
    let expected = expectations(relative, &path, &text);

    let before_path = before_sibling(&path);
    let base = before_path.exists().then(|| read(&before_path));
    let (diagnostics, fix) = if let Some(base) = &base {
        let analyse = |new: &str| -> Vec<Diagnostic> {
            let input = ChangeInput {
                path: relative,
                base: Some(base),
                new: Some(new),
                hints,
                config_relative_path: None,
            };
            analyze_change(&[input], &config, &options, Report::Introduced)
                .pop()
                .unwrap()
                .diagnostics
        };
        let diagnostics = analyse(&text);
        // `fix_file` re-analyses one file without its base, so an edit's fixes are applied in
        // a single round and the result is judged against the base again.
        let fix = apply_fixes(&text, &diagnostics, FixMode::Unsafe).map_or_else(
            || FixResult {
                text: text.clone(),
                applied: 0,
                diagnostics: diagnostics.clone(),
            },
            |(fixed, applied)| FixResult {
                diagnostics: analyse(&fixed),
                text: fixed,
                applied,
            },
        );
        (diagnostics, fix)
    } else {
        let input = SourceInput {
            path: relative,
            text: &text,
            hints,
            config_relative_path: None,
        };
        let diagnostics = analyze(&input, &config, &options).diagnostics;
        let outcome = fix_file(&input, &[], &config, &options, FixMode::Unsafe);
        let fix = FixResult {
            text: outcome.text,
            applied: outcome.applied,
            diagnostics: outcome.analysis.diagnostics,
        };
        (diagnostics, fix)
    };
    let rendered = render(&text, &diagnostics);
    check_expectations(relative, &text, &expected, &diagnostics, &rendered);
    check_fixed(
        relative,
        &fixed_sibling(&path),
        &text,
        hints,
        &diagnostics,
        &fix,
    );
    FileOutcome { text, diagnostics }
}

/// Runs every check of [`check_change_folder`] and returns each file's findings.
fn run_change_folder(relative: &str) -> Vec<FolderFile> {
    let root = fixtures_root().join(relative);
    let meta = rule_of(relative).meta();
    // Every file of a side, by its path below the side's folder: subfolders are the local
    // modules the folder calls (`source = "./modules/db"`), given to the engine beside it as
    // the front-ends give them.
    let read_folder = |side: &str| -> Vec<(String, String)> {
        let folder = root.join(side);
        if side == "fixed" && !folder.exists() {
            return Vec::new();
        }
        let mut files = Vec::new();
        collect_files(&folder, "", &mut files, relative);
        let mut res: Vec<(String, String)> = files
            .into_iter()
            .map(|(_, text, within)| (within, text))
            .collect();
        res.sort();
        res
    };
    let before = read_folder("before");
    let after = read_folder("after");
    let fixed = read_folder("fixed");
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
    for (name, _) in &fixed {
        assert!(
            names.contains(&name.as_str()),
            "{relative}/fixed/{name}: neither before/ nor after/ has a file of that name to fix"
        );
    }
    let options = AnalysisOptions {
        today: None,
        select: Some(vec![meta.id()]),
    };
    let hints = |path: &str| SourceHints {
        format: fixture_format(path, meta.formats),
        ..SourceHints::default()
    };
    // Analyses the folder with `replaced` standing in for the after side of one file.
    let analyse = |replaced: Option<(usize, &str)>| {
        let inputs: Vec<ChangeInput<'_>> = paths
            .iter()
            .zip(&sides)
            .enumerate()
            .map(|(index, (path, (base, new)))| ChangeInput {
                path,
                base: base.as_deref(),
                new: match replaced {
                    Some((replaced_index, text)) if replaced_index == index => Some(text),
                    _ => new.as_deref(),
                },
                hints: hints(path),
                config_relative_path: None,
            })
            .collect();
        analyze_change(&inputs, &Config::default(), &options, Report::Introduced)
    };
    let analyses = analyse(None);
    let mut res = Vec::new();
    for (index, ((path, (base, new)), analysis)) in
        paths.iter().zip(&sides).zip(analyses).enumerate()
    {
        let text = new.clone().unwrap_or_default();
        let diagnostics = analysis.diagnostics;
        let rendered = render(&text, &diagnostics);
        if new.is_some() {
            let expected = comment_expectations(&text, "expect:");
            check_expectations(path, &text, &expected, &diagnostics, &rendered);
        } else {
            let mut expected: Vec<&str> = base
                .as_deref()
                .unwrap_or_default()
                .lines()
                .filter_map(|line| {
                    line.split_once("expect-when-deleted:")
                        .map(|(_, rest)| rest)
                })
                .flat_map(str::split_whitespace)
                .filter(|token| token.starts_with("RL-"))
                .collect();
            let mut found: Vec<&str> = diagnostics.iter().map(|d| d.rule.id).collect();
            expected.sort_unstable();
            found.sort_unstable();
            assert_eq!(
                found, expected,
                "{path}: the deleted file's findings differ; findings were:\n{rendered}"
            );
            assert!(
                diagnostics.iter().all(|d| d.range.start() == 0.into()),
                "{path}: findings on a deleted file must start at its first byte:\n{rendered}"
            );
        }
        // A fix on a file the edit deletes writes the file anew (a `removed` block, say), so
        // it is checked like any other: `fixed/<name>` holds what the fixes write.
        let fix = apply_fixes(&text, &diagnostics, FixMode::Unsafe).map_or_else(
            || FixResult {
                text: text.clone(),
                applied: 0,
                diagnostics: diagnostics.clone(),
            },
            |(fixed, applied)| FixResult {
                diagnostics: analyse(Some((index, &fixed)))
                    .swap_remove(index)
                    .diagnostics,
                text: fixed,
                applied,
            },
        );
        let fixed_path = root.join("fixed").join(names[index]);
        check_fixed(path, &fixed_path, &text, hints(path), &diagnostics, &fix);
        res.push(FolderFile {
            path: path.clone(),
            text,
            diagnostics,
            deleted: new.is_none(),
        });
    }
    res
}

fn run_module_folder(relative: &str) -> Vec<FolderFile> {
    let root = fixtures_root().join(relative);
    let meta = rule_of(relative).meta();
    let folder = root.join("module");
    // Every file below `module/`, as (display path, text, path below `module/`): the folder
    // itself is one module, and each subfolder holding Terraform files another, which the
    // others may call with `source = "./…"`.
    let mut files: Vec<(String, String, String)> = Vec::new();
    collect_files(&folder, "", &mut files, relative);
    let folders: Vec<String> = {
        let mut folders: Vec<String> = files
            .iter()
            .map(|(path, _, _)| folder_of(path).to_owned())
            .collect();
        folders.sort();
        folders.dedup();
        folders
    };
    // Which folders another folder of the case calls, as a front-end computes it.
    let called = called_folders(
        files
            .iter()
            .map(|(path, text, _)| (path.as_str(), text.as_str())),
    );
    let options = AnalysisOptions {
        today: None,
        select: Some(vec![meta.id()]),
    };
    let hints = |path: &str| {
        let own = folder_of(path);
        let published_module_layout = folders.iter().any(|other| {
            other.strip_prefix(own).is_some_and(|rest| {
                rest == "/examples"
                    || rest == "/modules"
                    || (own.is_empty() && matches!(rest, "examples" | "modules"))
            })
        });
        SourceHints {
            format: fixture_format(path, meta.formats),
            published_module_layout,
            called_module: called.contains(own),
            command_line: false,
        }
    };
    // Analyses the folder of file `index`, with `replaced` standing in for that file: the
    // folder's files are the inputs, and every other folder's files the context, from which
    // the engine reads the modules the folder calls.
    let analyse = |index: usize, replaced: Option<&str>| -> Vec<Diagnostic> {
        let own = folder_of(&files[index].0);
        let text_of = |other: usize| -> &str {
            match replaced {
                Some(fixed) if other == index => fixed,
                _ => &files[other].1,
            }
        };
        let mut inputs: Vec<SourceInput<'_>> = Vec::new();
        let mut context: Vec<SourceInput<'_>> = Vec::new();
        let mut position = 0;
        for (other, (path, _, _)) in files.iter().enumerate() {
            let input = SourceInput {
                path,
                text: text_of(other),
                hints: hints(path),
                config_relative_path: None,
            };
            if folder_of(path) == own {
                if other == index {
                    position = inputs.len();
                }
                inputs.push(input);
            } else {
                context.push(input);
            }
        }
        analyze_folder(&inputs, &context, &Config::default(), &options)
            .swap_remove(position)
            .diagnostics
    };
    let mut res = Vec::new();
    for (index, (path, text, within)) in files.iter().enumerate() {
        let diagnostics = analyse(index, None);
        let rendered = render(text, &diagnostics);
        let expected = comment_expectations(text, "expect:");
        check_expectations(path, text, &expected, &diagnostics, &rendered);
        let fix = apply_fixes(text, &diagnostics, FixMode::Unsafe).map_or_else(
            || FixResult {
                text: text.clone(),
                applied: 0,
                diagnostics: diagnostics.clone(),
            },
            |(fixed, applied)| FixResult {
                diagnostics: analyse(index, Some(&fixed)),
                text: fixed,
                applied,
            },
        );
        let fixed_path = root.join("fixed").join(within);
        check_fixed(path, &fixed_path, text, hints(path), &diagnostics, &fix);
        res.push(FolderFile {
            path: path.clone(),
            text: text.clone(),
            diagnostics,
            deleted: false,
        });
    }
    res
}

fn run_repository_folder(relative: &str) -> Vec<FolderFile> {
    let root = fixtures_root().join(relative);
    let meta = rule_of(relative).meta();
    let display_root = format!("{relative}/repo");
    let mut files: Vec<(String, String, String)> = Vec::new();
    collect_files(&root.join("repo"), "", &mut files, &display_root);
    let config = Config::default();
    let options = AnalysisOptions {
        today: None,
        select: Some(vec![meta.id()]),
    };
    let input =
        |path: &'_ str, text: &'_ str| -> (String, String) { (path.to_owned(), text.to_owned()) };
    // Joins the repository with `replaced` standing in for the text of file `index`, and
    // returns the findings of every file, after each file's suppressions.
    let analyse = |replaced: Option<(usize, &str)>| -> Vec<Vec<Diagnostic>> {
        let texts: Vec<(String, String)> = files
            .iter()
            .enumerate()
            .map(|(index, (path, text, _))| match replaced {
                Some((at, fixed)) if at == index => input(path, fixed),
                _ => input(path, text),
            })
            .collect();
        let inputs: Vec<SourceInput<'_>> = texts
            .iter()
            .map(|(path, text)| SourceInput {
                path,
                text,
                hints: SourceHints::default(),
                config_relative_path: Some(
                    path.strip_prefix(&format!("{display_root}/"))
                        .unwrap_or(path),
                ),
            })
            .collect();
        let facts: Vec<FileFacts> = inputs
            .iter()
            .map(|input| FileFacts {
                path: input.path.to_owned(),
                facts: workspace_facts(input),
            })
            .collect();
        let findings = join(&facts);
        inputs
            .iter()
            .map(|input| {
                // The file's own analysis with only the rule selected finds nothing: the rule
                // reports through the join.
                let own = analyze(input, &config, &options).diagnostics;
                assert!(
                    own.is_empty(),
                    "{}: a repository rule reported on one file: {own:?}",
                    input.path
                );
                let mine: Vec<Diagnostic> = findings
                    .iter()
                    .filter(|finding| finding.path == input.path)
                    .map(|finding| finding.diagnostic.clone())
                    .collect();
                finish_workspace_findings(input, mine, &config, &options)
            })
            .collect()
    };
    let analyses = analyse(None);
    let expect_file = root.join("expect");
    let listed = if expect_file.exists() {
        read(&expect_file)
    } else {
        String::new()
    };
    for line in listed
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with('#'))
    {
        let below = line.split(':').next().unwrap_or_default();
        assert!(
            files.iter().any(|(_, _, within)| within == below),
            "{}: `{line}` names no file of repo/",
            expect_file.display()
        );
    }
    let mut res = Vec::new();
    for (index, ((path, text, within), diagnostics)) in files.iter().zip(analyses).enumerate() {
        let mut expected = comment_expectations(text, "expect:");
        for line in listed.lines() {
            let Some(rest) = line
                .strip_prefix(within.as_str())
                .and_then(|rest| rest.strip_prefix(':'))
            else {
                continue;
            };
            let Some((number, words)) = rest.split_once(':') else {
                panic!(
                    "{}: expected `<path>:<line>: RL-…`, found `{line}`",
                    expect_file.display()
                );
            };
            let number: u32 = number.trim().parse().unwrap_or_else(|_| {
                panic!("{}: `{number}` is not a line number", expect_file.display())
            });
            parse_expectation_words(words, number, &mut expected);
        }
        let rendered = render(text, &diagnostics);
        check_expectations(path, text, &expected, &diagnostics, &rendered);
        let fix = apply_fixes(text, &diagnostics, FixMode::Unsafe).map_or_else(
            || FixResult {
                text: text.clone(),
                applied: 0,
                diagnostics: diagnostics.clone(),
            },
            |(fixed, applied)| FixResult {
                diagnostics: analyse(Some((index, &fixed))).swap_remove(index),
                text: fixed,
                applied,
            },
        );
        let fixed_path = root.join("fixed").join(within);
        check_fixed(
            path,
            &fixed_path,
            text,
            SourceHints::default(),
            &diagnostics,
            &fix,
        );
        res.push(FolderFile {
            path: path.clone(),
            text: text.clone(),
            diagnostics,
            deleted: false,
        });
    }
    res
}

/// Every file below `folder`, sorted, as (display path `<relative>/<below>`, text, below),
/// where `below` is the path below the case's `module/` folder.
fn collect_files(
    folder: &Path,
    below: &str,
    res: &mut Vec<(String, String, String)>,
    relative: &str,
) {
    for path in sorted_entries(folder) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let within = if below.is_empty() {
            name
        } else {
            format!("{below}/{name}")
        };
        if path.is_dir() {
            collect_files(&path, &within, res, relative);
        } else {
            res.push((format!("{relative}/{within}"), read(&path), within));
        }
    }
}

/// Checks a fixture's fixes against its `.fixed` file (see the module documentation).
fn check_fixed(
    relative: &str,
    fixed_path: &Path,
    text: &str,
    hints: SourceHints,
    diagnostics: &[Diagnostic],
    fix: &FixResult,
) {
    let applies = diagnostics.iter().any(has_applied_fix);
    let offers_fix = diagnostics
        .iter()
        .any(|diagnostic| !diagnostic.fixes.is_empty());
    if !fixed_path.exists() {
        assert!(
            !applies,
            "{relative}: fixes apply to it, so {} must hold the fixed text; applying them gives:\n{}",
            fixed_path.display(),
            fix.text
        );
        assert!(
            !offers_fix,
            "{relative}: its findings offer display-only fixes, so {} must exist and be the fixture unchanged",
            fixed_path.display()
        );
        return;
    }
    let expected = read(fixed_path);
    if !applies {
        assert!(
            offers_fix,
            "{relative}: no finding has a fix, so {} should not exist",
            fixed_path.display()
        );
        assert!(
            expected == text,
            "{relative}: every fix is display-only, so {} must be the fixture unchanged",
            fixed_path.display()
        );
        return;
    }
    assert!(fix.applied > 0, "{relative}: no fix applied");
    assert!(
        fix.text == expected,
        "{relative}: applying fixes does not give {}; it gives:\n{}",
        fixed_path.display(),
        fix.text
    );
    let reparsed = parse_source(relative, &fix.text, hints).unwrap();
    assert_eq!(
        reparsed.first_parse_problem(),
        None,
        "{relative}: fixed text does not parse"
    );
    let mut unfixable: Vec<&str> = diagnostics
        .iter()
        .filter(|diagnostic| !has_applied_fix(diagnostic))
        .map(|diagnostic| diagnostic.message.as_str())
        .collect();
    let mut left: Vec<&str> = fix
        .diagnostics
        .iter()
        .map(|diagnostic| diagnostic.message.as_str())
        .collect();
    unfixable.sort_unstable();
    left.sort_unstable();
    assert!(
        left == unfixable,
        "{relative}: after fixing, the findings left should be those without a fix; they are:\n{}",
        render(&fix.text, &fix.diagnostics)
    );
}

/// Whether a finding has a fix that `--fix` or `--unsafe-fixes` applies.
fn has_applied_fix(diagnostic: &Diagnostic) -> bool {
    diagnostic
        .fixes
        .iter()
        .any(|fix| fix.applicability >= Applicability::Unsafe && !fix.edits().is_empty())
}

/// A fixture's expectations: from its comments, or from its sidecar for JSON.
fn expectations(relative: &str, path: &Path, text: &str) -> Vec<Expectation> {
    let sidecar = expectations_sidecar(path);
    if !needs_expectations_sidecar(path) {
        assert!(
            !sidecar.exists(),
            "{relative}: only JSON fixtures have an expectations sidecar; write `expect:` comments instead of {}",
            sidecar.display()
        );
        return comment_expectations(text, "expect:");
    }
    let Ok(sidecar_text) = std::fs::read_to_string(&sidecar) else {
        panic!(
            "{relative}: a JSON fixture needs its expectations in {} (one `<line>: RL-XXX-NNN` per finding, or none when nothing fires)",
            sidecar.display()
        );
    };
    let mut res = Vec::new();
    for (index, line) in sidecar_text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parsed = line
            .split_once(':')
            .and_then(|(number, rest)| Some((number.trim().parse::<u32>().ok()?, rest)));
        let Some((number, rest)) = parsed else {
            panic!(
                "{}:{}: expected `<line>: RL-XXX-NNN [col=N]`, found `{line}`",
                sidecar.display(),
                index + 1
            );
        };
        let before = res.len();
        parse_expectation_words(rest, number, &mut res);
        assert!(
            res.len() > before,
            "{}:{}: names no rule (`RL-XXX-NNN`)",
            sidecar.display(),
            index + 1
        );
    }
    res
}

/// Every `<marker> RL-… [col=N]` comment of a text, on the line it sits on.
fn comment_expectations(text: &str, marker: &str) -> Vec<Expectation> {
    let mut res = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if let Some((_, rest)) = line.split_once(marker) {
            parse_expectation_words(rest, u32::try_from(index + 1).unwrap(), &mut res);
        }
    }
    res
}

/// Reads `RL-XXX-NNN [col=N] …` up to the first other word; `col=` pins the rule before it.
fn parse_expectation_words(words: &str, line: u32, res: &mut Vec<Expectation>) {
    let first = res.len();
    for token in words.split_whitespace() {
        if let Some(column) = token.strip_prefix("col=") {
            let column = column
                .parse()
                .unwrap_or_else(|_| panic!("line {line}: `{token}` is not `col=<number>`"));
            if res.len() > first
                && let Some(last) = res.last_mut()
            {
                last.column = Some(column);
            }
        } else if token.starts_with("RL-") {
            res.push(Expectation {
                line,
                rule: token.to_owned(),
                column: None,
            });
        } else {
            break;
        }
    }
}

fn check_expectations(
    relative: &str,
    text: &str,
    expected: &[Expectation],
    diagnostics: &[Diagnostic],
    rendered: &str,
) {
    let line_index = LineIndex::new(text);
    let mut unmatched: Vec<&Diagnostic> = diagnostics.iter().collect();
    for expectation in expected {
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

/// The rule a fixture belongs to: the folder that holds it (or holds its folder case).
fn rule_of(relative: &str) -> &'static dyn redline_rules::Rule {
    let rule_folder = Path::new(relative)
        .parent()
        .and_then(Path::file_name)
        .and_then(|name| name.to_str())
        .unwrap_or_default();
    find_rule(rule_folder)
        .unwrap_or_else(|| panic!("fixture folder `{rule_folder}` does not name a rule"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("cannot read fixture {}: {error}", path.display()))
}

fn sorted_entries(folder: &Path) -> Vec<PathBuf> {
    let mut res: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", folder.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    res.sort();
    res
}

fn crate_root() -> PathBuf {
    PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".to_owned()))
}

#[cfg(test)]
mod tests {
    use redline_text::TextSize;

    use super::*;

    fn frame(text: &str, start: usize, end: usize) -> String {
        let range = TextRange::new(TextSize::from_usize(start), TextSize::from_usize(end));
        source_frame(text, &LineIndex::new(text), range)
    }

    #[test]
    fn frame_underlines_the_range_on_its_first_line() {
        let text = "a = 1\nforce_destroy = true\nb = 2\n";
        assert_eq!(
            frame(text, 22, 26),
            "  2 | force_destroy = true\n    |                 ^^^^\n"
        );
        // A range running past its first line is underlined to the end of that line.
        assert_eq!(
            frame(text, 6, 30),
            "  2 | force_destroy = true\n    | ^^^^^^^^^^^^^^^^^^^^\n"
        );
        // An empty range still gets one caret, and an empty line no trailing space.
        assert_eq!(frame("", 0, 0), "  1 |\n    | ^\n");
    }

    #[test]
    fn frame_cuts_long_lines_to_a_window_around_the_range() {
        let text = format!("{}needle{}", "x".repeat(200), "y".repeat(200));
        let res = frame(&text, 200, 206);
        let (shown, underline) = res.split_once('\n').unwrap();
        assert!(
            shown.starts_with("  1 | …x") && shown.ends_with("y…"),
            "{res}"
        );
        assert_eq!(shown.chars().count(), "  1 | ".len() + FRAME_WIDTH + 2);
        let column = |line: &str, at: usize| line[..at].chars().count();
        assert_eq!(
            column(underline, underline.find('^').unwrap()),
            column(shown, shown.find("needle").unwrap()),
            "{res}"
        );
        assert!(underline.ends_with("^^^^^^\n"), "{res}");
    }

    #[test]
    fn expectation_words_pin_columns_and_ignore_notes() {
        let mut res = Vec::new();
        parse_expectation_words(
            " RL-IAM-001 col=5 RL-IAM-002  # \"Action\": \"*\" RL-IAM-003",
            7,
            &mut res,
        );
        let found: Vec<(u32, &str, Option<u32>)> = res
            .iter()
            .map(|expectation| {
                (
                    expectation.line,
                    expectation.rule.as_str(),
                    expectation.column,
                )
            })
            .collect();
        assert_eq!(found, [(7, "RL-IAM-001", Some(5)), (7, "RL-IAM-002", None)]);
        // A `col=` before any rule of its own line pins nothing.
        parse_expectation_words("col=3 RL-IAM-004", 8, &mut res);
        assert_eq!(res.last().map(|expectation| expectation.column), Some(None));
        assert_eq!(res[1].column, None);
    }

    #[test]
    fn sidecars_sit_beside_json_fixtures_only() {
        let fixture = Path::new("iam/full-admin-grant/fires.cfn.json");
        let sidecar = expectations_sidecar(fixture);
        assert_eq!(
            sidecar,
            Path::new("iam/full-admin-grant/fires.cfn.json.expect")
        );
        assert!(needs_expectations_sidecar(fixture) && is_expectations_sidecar(&sidecar));
        assert!(!needs_expectations_sidecar(Path::new("fires.cfn.yaml")));
    }
}

//! redline's analysis engine.
//!
//! Front-ends (the CLI, the language server, the agent gate) hand text and configuration to
//! `analyze` and render what comes back. The engine is pure: it reads no files, no clock and no
//! environment, and the same input always gives the same output.

mod calls;
mod change;
pub mod config;
mod document_memo;
mod fix;
pub mod memo;
mod repair;
mod resolve;
mod suppression;
mod workspace;

use std::cell::OnceCell;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;

use redline_diagnostics::{
    Confidence, Diagnostic, INTERNAL_ERROR, PARSE_ERROR, RuleCode, Severity, TEMPLATE_SKIPPED,
};
use redline_rules::{
    Change, Locality, ModuleEval, Rule, RuleContext, TfvarsText, ValueSource, all_rules,
};
use redline_syntax::terraform_eval::calls::folder_of;
use redline_syntax::terraform_eval::symbols::{Module, ModuleLayout, reading_order};
use redline_syntax::terraform_eval::tfvars::is_auto_loaded;
use redline_syntax::{
    Format, ParsedTree, SourceFile, SourceHints, parse_source, parse_source_for_edits,
    parse_source_once,
};

pub use calls::{CalledModules, MAX_CALL_DEPTH, MAX_INSTANCES, MAX_JUDGEMENTS};
use calls::{Calls, SharedFolder};
pub use change::{
    ChangeInput, ParsedSide, ParsedSides, Report, analyze_change, analyze_parsed_change,
    analyze_parsed_change_memo, parse_change, parse_change_memo,
};
pub use config::{Config, ConfigError};
pub use document_memo::{DocumentMemo, DocumentMemoStats};
pub use fix::{FixMode, FixOutcome, apply_fixes, fix_file, fix_text};
pub use memo::{KeptFile, MemoStats, ParseMemo};
pub use resolve::{Resolved, Unknown, resolve_attribute};
pub use suppression::Date;
pub use workspace::{finish_workspace_findings, workspace_facts};

/// One file to analyse.
#[derive(Clone, Copy, Debug)]
pub struct SourceInput<'a> {
    /// The path shown to users (and used to detect the format).
    pub path: &'a str,
    /// The file's text.
    pub text: &'a str,
    /// What the front-end knows beyond path and text.
    pub hints: SourceHints,
    /// The path relative to the folder of the governing `redline.toml`, for `[[ignore]]`.
    pub config_relative_path: Option<&'a str>,
}

/// Settings that do not come from `redline.toml`.
#[derive(Clone, Debug, Default)]
pub struct AnalysisOptions {
    /// Today's date, for suppression expiry; `None` never expires anything.
    pub today: Option<Date>,
    /// Run only these rules (ids); `None` runs every enabled rule and the engine's own checks.
    pub select: Option<Vec<&'static str>>,
}

/// The result of analysing one file.
#[derive(Clone, Debug, Default)]
pub struct FileAnalysis {
    /// The detected format; `None` when redline does not analyse this kind of file.
    pub format: Option<Format>,
    /// Findings sorted by (start, rule id).
    pub diagnostics: Vec<Diagnostic>,
}

/// What the analysis of one file runs with besides the file and its module.
#[derive(Clone, Copy)]
struct Run<'r> {
    config: &'r Config,
    options: &'r AnalysisOptions,
    /// An editor's memo, whose findings per document the rules local to one document reuse.
    memo: Option<&'r ParseMemo>,
}

/// Analyses one file: parses it, runs the applicable rules, applies suppressions. A Terraform
/// file analysed alone is a module by itself; `analyze_in_folder` gives it its folder.
pub fn analyze(
    input: &SourceInput<'_>,
    config: &Config,
    options: &AnalysisOptions,
) -> FileAnalysis {
    analyze_in_folder(input, &[], config, options)
}

/// Analyses one file with the other files of its folder as context: a Terraform file is read
/// with the module that the folder's `.tf`/`.tf.json` files and tfvars files
/// (`terraform.tfvars`, `*.auto.tfvars` and their `.json` forms) form, so that rules see values
/// that come through variables and locals. `folder` may hold `input` itself, which is skipped;
/// the other files are parsed only if a rule evaluates an expression. `folder` may also hold
/// the files of the local modules the file's module calls (files of other folders, under the
/// display paths their `source` gives): each call is judged with its inputs (see `calls`).
pub fn analyze_in_folder(
    input: &SourceInput<'_>,
    folder: &[SourceInput<'_>],
    config: &Config,
    options: &AnalysisOptions,
) -> FileAnalysis {
    // No tree is kept for a next version, so a YAML file drops its trees as soon as they are
    // read (see `parse_source_once`).
    match parse_source_once(input.path, input.text, input.hints) {
        Some(file) => analyze_parsed_in_folder(input, &file, folder, config, options, None),
        None => FileAnalysis::default(),
    }
}

/// Analyses the files of one folder together, each as `analyze_in_folder` would, with one
/// module shared by all its Terraform files (read once, on first use). `context` holds the
/// folder's other files, which are part of the module but get no analysis of their own (the
/// tfvars files, and files not asked for); they are parsed only if a rule evaluates an
/// expression. Tfvars files among `inputs` are read as such and get an empty analysis. One
/// analysis per input, in input order.
pub fn analyze_folder(
    inputs: &[SourceInput<'_>],
    context: &[SourceInput<'_>],
    config: &Config,
    options: &AnalysisOptions,
) -> Vec<FileAnalysis> {
    let folder = inputs.first().map_or("", |input| folder_of(input.path));
    let called = CalledModules::new(calls::other_folders(folder, inputs.iter().chain(context)));
    analyze_folder_with_calls(inputs, context, &called, config, options)
}

/// `analyze_folder` with the local modules its files may call given apart, already read (or
/// read on first use and kept) in `called`, which analyses of many folders may share; the
/// files of other folders in `context` are not read as called modules.
pub fn analyze_folder_with_calls(
    inputs: &[SourceInput<'_>],
    context: &[SourceInput<'_>],
    called: &CalledModules<'_>,
    config: &Config,
    options: &AnalysisOptions,
) -> Vec<FileAnalysis> {
    // The context may hold the files of the local modules the folder calls: those of other
    // folders are not part of the module.
    let folder = inputs.first().map_or("", |input| folder_of(input.path));
    let own = move |other: &&SourceInput<'_>| folder_of(other.path) == folder;
    let all = || inputs.iter().chain(context).filter(own);
    // The module is read first, one file at a time in Terraform's order, and each Terraform
    // file keeps what the rules read of it without its syntax tree, which takes many times the
    // size of the text: a folder's trees are never all in memory at once. Files of the context
    // are dropped once read.
    let mut module = Module::empty();
    let mut owned: Vec<Option<SourceFile<'_>>> = inputs.iter().map(|_| None).collect();
    let mut order: Vec<(Option<usize>, &SourceInput<'_>)> = inputs
        .iter()
        .enumerate()
        .map(|(index, input)| (Some(index), input))
        .chain(context.iter().filter(own).map(|other| (None, other)))
        .filter(|(_, input)| !is_auto_loaded(input.path))
        .collect();
    order.sort_by_key(|(index, input)| (reading_order(input.path), index.is_none()));
    order.dedup_by_key(|(_, input)| input.path);
    // A folder that the local module calls of the same run also read is parsed once for them
    // all: its files are taken from there when they are exactly these.
    let terraform_files: Vec<(&str, &str)> = order
        .iter()
        .filter(|(_, input)| calls::is_terraform_path(input.path))
        .map(|(_, input)| (input.path, input.text))
        .collect();
    let shared = order
        .iter()
        .all(|(_, input)| input.hints.format.is_none() && !input.hints.command_line)
        .then(|| called.shared(folder, &terraform_files))
        .flatten();
    let mut parsed: Vec<Option<&SourceFile<'_>>> = inputs.iter().map(|_| None).collect();
    if let Some(shared) = &shared {
        for (index, input) in inputs.iter().enumerate() {
            if is_auto_loaded(input.path) {
                continue;
            }
            match shared.file(input.path) {
                Some(file) => parsed[index] = Some(file),
                None => owned[index] = parse_source_once(input.path, input.text, input.hints),
            }
        }
    } else {
        for (index, input) in order {
            let Some(mut file) = parse_source_once(input.path, input.text, input.hints) else {
                continue;
            };
            if file.format == Format::Terraform {
                module.read(&file);
                file.shed_tree(suppression::may_have_suppressions(&file));
            }
            if let Some(index) = index {
                owned[index] = Some(file);
            }
        }
    }
    for (slot, file) in parsed.iter_mut().zip(&owned) {
        if let Some(file) = file {
            *slot = Some(file);
        }
    }
    let calls = Calls::new(called, config);
    let module = ModuleEval::ready(
        shared.as_ref().map_or(&module, SharedFolder::module),
        tfvars_texts(all().map(|input| (input.path, Some(input.text)))),
        layout(
            all().map(|input| input.hints),
            all().map(|input| input.path),
        ),
    );
    inputs
        .iter()
        .zip(&parsed)
        .map(|(input, file)| match *file {
            Some(file) => analyze_with_change(
                input,
                file,
                None,
                Some(&module),
                Some(&calls),
                Run {
                    config,
                    options,
                    memo: None,
                },
            ),
            None => FileAnalysis::default(),
        })
        .collect()
}

/// Like `analyze_in_folder`, reusing `previous` (the tree of an earlier version of the text,
/// edited to match it) so that only the changed parts are parsed again. Also returns the new
/// tree, for the next version. Editors call this on every change; the findings are those of
/// `analyze_in_folder`.
pub fn analyze_incremental(
    input: &SourceInput<'_>,
    folder: &[SourceInput<'_>],
    config: &Config,
    options: &AnalysisOptions,
    previous: Option<&ParsedTree>,
) -> (FileAnalysis, Option<ParsedTree>) {
    analyze_incremental_memo(input, folder, config, options, previous, None)
}

/// `analyze_incremental`, taking the other files of the folder from `memo` when it holds their
/// parses (and keeping them there), so that an editor parses only the edited file again.
pub fn analyze_incremental_memo(
    input: &SourceInput<'_>,
    folder: &[SourceInput<'_>],
    config: &Config,
    options: &AnalysisOptions,
    previous: Option<&ParsedTree>,
    memo: Option<&ParseMemo>,
) -> (FileAnalysis, Option<ParsedTree>) {
    let Some(file) = parse_source_for_edits(input.path, input.text, input.hints, previous) else {
        return (FileAnalysis::default(), None);
    };
    let tree = file.parsed_tree();
    let analysis = analyze_parsed_in_folder(input, &file, folder, config, options, memo);
    (analysis, Some(tree))
}

/// `analyze_in_folder` on a file already parsed from `input` (as `analyze_incremental_memo`
/// parses it), with the other files of the folder from `memo` when given.
pub fn analyze_parsed_in_folder(
    input: &SourceInput<'_>,
    file: &SourceFile<'_>,
    folder: &[SourceInput<'_>],
    config: &Config,
    options: &AnalysisOptions,
    memo: Option<&ParseMemo>,
) -> FileAnalysis {
    let cell = OnceCell::new();
    let module = folder_module(&cell, input, file, folder, memo);
    let called = CalledModules::new(calls::other_folders(folder_of(input.path), folder.iter()));
    let calls = Calls::new(&called, config);
    analyze_with_change(
        input,
        file,
        None,
        Some(&module),
        Some(&calls),
        Run {
            config,
            options,
            memo,
        },
    )
}

/// Analyses a file the front-end has already parsed from `input` (with `parse_source`), so
/// that a large file is parsed once when the front-end also reads its model.
pub fn analyze_parsed(
    input: &SourceInput<'_>,
    file: &SourceFile<'_>,
    config: &Config,
    options: &AnalysisOptions,
) -> FileAnalysis {
    let cell = OnceCell::new();
    let module = folder_module(&cell, input, file, &[], None);
    let run = Run {
        config,
        options,
        memo: None,
    };
    analyze_with_change(input, file, None, Some(&module), None, run)
}

/// The module of `file` (parsed from `input`) and the other files of its folder, parsed when a
/// rule first asks (or taken from `memo`).
fn folder_module<'m>(
    cell: &'m OnceCell<Arc<Module>>,
    input: &'m SourceInput<'m>,
    file: &'m SourceFile<'m>,
    folder: &'m [SourceInput<'m>],
    memo: Option<&'m ParseMemo>,
) -> ModuleEval<'m> {
    let own_folder = folder_of(input.path);
    let folder_files = move || {
        folder
            .iter()
            .filter(move |other| folder_of(other.path) == own_folder)
    };
    let others = move || {
        folder_files().filter(move |other| other.path != input.path && !is_auto_loaded(other.path))
    };
    ModuleEval::new(
        cell,
        move || {
            // Kept in the memo when there is one, else parsed for this analysis only.
            let mut kept: Vec<KeptFile> = Vec::new();
            let mut parsed: Vec<SourceFile<'_>> = Vec::new();
            for other in others() {
                match memo {
                    Some(memo) => kept.extend(memo.parse(other.path, other.text, other.hints)),
                    None => parsed.extend(parse_source(other.path, other.text, other.hints)),
                }
            }
            let mut files: Vec<&SourceFile<'_>> = kept
                .iter()
                .map(|sibling| &**sibling)
                .chain(&parsed)
                .collect();
            files.push(file);
            // With a memo, the other files keep what they declare for the next keystroke.
            Arc::new(match memo {
                Some(_) => Module::build_reusing(&files),
                None => Module::build(&files),
            })
        },
        tfvars_texts(folder_files().map(|other| (other.path, Some(other.text)))),
        layout(
            std::iter::once(input.hints).chain(folder_files().map(|other| other.hints)),
            folder_files().map(|other| other.path),
        ),
    )
}

/// The tfvars files among a folder's `(path, text)` pairs, in path order.
fn tfvars_texts<'a>(
    files: impl Iterator<Item = (&'a str, Option<&'a str>)>,
) -> Vec<TfvarsText<'a>> {
    let mut res: Vec<TfvarsText<'a>> = files
        .filter(|(path, _)| is_auto_loaded(path))
        .filter_map(|(path, text)| text.map(|text| TfvarsText { path, text }))
        .collect();
    res.sort_by_key(|file| file.path);
    res
}

/// What the front-ends tell of a module's folder: whether a local module call elsewhere in
/// the repository calls it (which needs the whole tree, so the front-end says), whether it is
/// laid out as a published module (`examples/` or `modules/` subfolders; a `versions.tf` with
/// only requirements is seen by `Module::classify` itself), and whether it has tfvars, which
/// make it a root.
fn layout<'a>(
    hints: impl Iterator<Item = SourceHints>,
    paths: impl Iterator<Item = &'a str>,
) -> ModuleLayout {
    let mut res = ModuleLayout {
        is_called: false,
        has_examples_or_modules_dir: false,
        has_tfvars: false,
    };
    for hints in hints {
        res.has_examples_or_modules_dir |= hints.published_module_layout;
        res.is_called |= hints.called_module;
    }
    for path in paths {
        res.has_tfvars |= is_auto_loaded(path);
    }
    res
}

/// Runs the rules on `file`, giving them the other side of the edit when there is one, and
/// judges the local module calls of the file with `calls`.
fn analyze_with_change(
    input: &SourceInput<'_>,
    file: &SourceFile<'_>,
    change: Option<&Change<'_>>,
    module: Option<&ModuleEval<'_>>,
    calls: Option<&Calls<'_, '_>>,
    run: Run<'_>,
) -> FileAnalysis {
    let Run {
        config,
        options,
        memo,
    } = run;
    let module = module.filter(|_| file.format == Format::Terraform);
    let is_enabled = |id: &str| -> bool { rule_enabled(id, config, options) };

    // A template is read on its literal parts (see `redline_syntax::template`); one whose
    // literal parts do not parse is skipped, since the syntax error may be the template's
    // doing and what parsed may be read wrongly.
    if file.templated
        && let Some(problem) = file.first_parse_problem()
    {
        let mut diagnostics = Vec::new();
        if is_enabled(TEMPLATE_SKIPPED.id) {
            diagnostics.push(Diagnostic::new(
                TEMPLATE_SKIPPED,
                Severity::Info,
                Confidence::High,
                problem.range,
                "template with `{{ … }}` actions whose literal parts do not form valid YAML \
                 here: not analysed; run redline on the output of `helm template`",
            ));
        }
        return FileAnalysis {
            format: Some(file.format),
            diagnostics,
        };
    }

    // A variable definitions file declares nothing of its own: only the rules that judge what
    // an edit of its values does to the module run on it.
    let variable_definitions = is_auto_loaded(input.path);
    let mut diagnostics = Vec::new();
    // The documents of a long stream, for the rules local to one document to run only on
    // those the memo holds no findings of.
    let documents = memo.and_then(|memo| memo.document_findings().enter(file));
    for rule in all_rules() {
        let meta = rule.meta();
        if !meta.formats.contains(&file.format) || !is_enabled(meta.id()) {
            continue;
        }
        if variable_definitions && !redline_rules::judges_variable_definitions(meta.id()) {
            continue;
        }
        if meta.locality == Locality::Document
            && let Some(documents) = &documents
            && let Some(memo) = memo
            && let Some(found) = memo.document_findings().run(*rule, documents, config)
        {
            diagnostics.extend(found);
            continue;
        }
        diagnostics.extend(run_rule(*rule, file, change, module, config));
    }
    if let (Some(calls), Some(module)) = (calls, module) {
        let rules: Vec<&'static dyn Rule> = all_rules()
            .iter()
            .copied()
            .filter(|rule| {
                let meta = rule.meta();
                meta.formats.contains(&Format::Terraform) && is_enabled(meta.id())
            })
            .collect();
        diagnostics.extend(calls.judge(file, module, &rules, config));
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
    if file.templated {
        for diagnostic in &mut diagnostics {
            drop_fixes_in_actions(diagnostic, &file.template_actions);
        }
    }

    let path_ignored: Vec<&'static str> = input
        .config_relative_path
        .map(|path| {
            config
                .ignores
                .iter()
                .filter(|ignore| ignore.path.is_match(path.trim_start_matches("./")))
                .map(|ignore| ignore.rule.unwrap_or("*"))
                .collect()
        })
        .unwrap_or_default();
    diagnostics.retain(|diagnostic| {
        !path_ignored
            .iter()
            .any(|rule| *rule == "*" || *rule == diagnostic.rule.id)
    });

    let (mut suppressions, mut problems) = suppression::parse_suppressions(file);
    let res = suppression::apply(file, &mut suppressions, diagnostics, options.today);
    // After suppressions, so that silencing the kept finding lets the next one show.
    let mut res = redline_rules::keep_one_per_object(res);
    if options.select.is_none() {
        let is_active = |id: &str| {
            is_enabled(id)
                && redline_rules::find_rule(id)
                    .is_none_or(|rule| rule.meta().formats.contains(&file.format))
        };
        problems.extend(suppression::report(&suppressions, options.today, is_active));
        if is_enabled(redline_diagnostics::SUPPRESSION.id) {
            res.extend(problems);
        }
    }

    if is_enabled(PARSE_ERROR.id) {
        res.extend(parse_error(file));
    }
    sort_diagnostics(&mut res);
    one_safe_fix_per_span(&mut res);
    FileAnalysis {
        format: Some(file.format),
        diagnostics: res,
    }
}

/// Whether the rule `id` runs: selected, or else not disabled.
fn rule_enabled(id: &str, config: &Config, options: &AnalysisOptions) -> bool {
    match &options.select {
        Some(select) => select.contains(&id),
        None => !config.disabled.contains(&id),
    }
}

/// Drops the fixes of a template's finding that would edit a template action: the rule saw
/// only the action's neutral stand-in (see `redline_syntax::template`).
fn drop_fixes_in_actions(diagnostic: &mut Diagnostic, actions: &[redline_text::TextRange]) {
    diagnostic.fixes.retain(|fix| {
        fix.edits().iter().all(|edit| {
            let first = actions.partition_point(|action| action.end() <= edit.range.start());
            actions
                .get(first)
                .is_none_or(|action| action.start() >= edit.range.end())
        })
    });
}

/// The `parse-error` finding of a file that does not parse cleanly.
fn parse_error(file: &SourceFile<'_>) -> Option<Diagnostic> {
    let problem = file.first_parse_problem()?;
    Some(Diagnostic::new(
        PARSE_ERROR,
        Severity::Info,
        Confidence::High,
        problem.range,
        format!(
            "{}; redline analysed the parts of the file that parse, and findings may be missing",
            problem.message
        ),
    ))
}

/// Two findings whose safe fixes rewrite the same text offer alternatives, and `--fix` would
/// apply whichever comes first: only the fix of the more severe finding (the one that keeps
/// more protection) stays safe, and the others become unsafe.
fn one_safe_fix_per_span(diagnostics: &mut [Diagnostic]) {
    use redline_diagnostics::Applicability;
    let mut spans: Vec<(redline_text::TextRange, Severity, usize)> = Vec::new();
    for (index, diagnostic) in diagnostics.iter().enumerate() {
        for fix in &diagnostic.fixes {
            if fix.applicability == Applicability::Safe
                && let Some(range) = fix.range()
                && !range.is_empty()
            {
                spans.push((range, diagnostic.severity, index));
            }
        }
    }
    // Most severe first; among equals, the order the findings are reported in.
    spans.sort_by(|a, b| {
        (a.0.start(), a.0.end(), b.1, a.2).cmp(&(b.0.start(), b.0.end(), a.1, b.2))
    });
    for pair in spans.windows(2) {
        let ((range, _, keep), (other, _, index)) = (pair[0], pair[1]);
        if range != other || keep == index {
            continue;
        }
        for fix in &mut diagnostics[index].fixes {
            if fix.applicability == Applicability::Safe && fix.range() == Some(range) {
                fix.applicability = Applicability::Unsafe;
            }
        }
    }
}

/// Sorts a file's findings by (start, rule id, end, message) and drops duplicates.
fn sort_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.sort_by(|a, b| {
        (a.range.start(), a.rule.id, a.range.end(), &a.message).cmp(&(
            b.range.start(),
            b.rule.id,
            b.range.end(),
            &b.message,
        ))
    });
    diagnostics.dedup();
}

/// Runs one rule on one file; a panic becomes an `internal-error` diagnostic naming the rule.
fn run_rule(
    rule: &'static dyn Rule,
    file: &SourceFile<'_>,
    change: Option<&Change<'_>>,
    module: Option<&ModuleEval<'_>>,
    config: &Config,
) -> Vec<Diagnostic> {
    let meta = rule.meta();
    let options = config.rule_options(meta.id());
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        let mut ctx = RuleContext::new(file, meta, options)
            .with_change(change)
            .with_terraform_module(module);
        rule.check(&mut ctx);
        ctx.into_diagnostics()
    }));
    outcome.unwrap_or_else(|_| {
        vec![Diagnostic::new(
            INTERNAL_ERROR,
            Severity::Warning,
            Confidence::High,
            redline_text::TextRange::default(),
            format!(
                "rule {} ({}) failed on this file; its findings are missing",
                meta.id(),
                meta.name()
            ),
        )]
    })
}

/// Runs one rule on a file of a called module with its call's values, keeping where the
/// values behind its findings come from, and whether the rule read the file through its module
/// at all; a panic costs the rule's findings there.
fn run_rule_with_sources(
    rule: &'static dyn Rule,
    file: &SourceFile<'_>,
    module: &ModuleEval<'_>,
    home_folder: &str,
    config: &Config,
) -> (Vec<(Diagnostic, Option<ValueSource>)>, bool) {
    let meta = rule.meta();
    let options = config.rule_options(meta.id());
    catch_unwind(AssertUnwindSafe(|| {
        let mut ctx = RuleContext::new(file, meta, options)
            .with_terraform_module(Some(module))
            .with_home_folder(Some(home_folder));
        rule.check(&mut ctx);
        let used_module = ctx.used_terraform_module();
        (ctx.into_diagnostics_with_sources(), used_module)
    }))
    .unwrap_or_default()
}

/// A fingerprint of a finding that survives line shifts: rule, path and the flagged text with
/// whitespace collapsed.
pub fn fingerprint(rule: &RuleCode, path: &str, flagged_text: &str) -> u64 {
    // FNV-1a: stable across platforms and releases, unlike `std`'s hasher.
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    feed(rule.id.as_bytes());
    feed(&[0]);
    feed(path.as_bytes());
    feed(&[0]);
    for (index, word) in flagged_text.split_whitespace().enumerate() {
        if index > 0 {
            feed(b" ");
        }
        feed(word.as_bytes());
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;
    use redline_rules::{RuleMeta, RuleOptions};
    use redline_syntax::parse_source;

    /// A rule that fails on every file, as a rule with a bug would.
    struct Panicking;

    impl Rule for Panicking {
        fn meta(&self) -> &'static RuleMeta {
            all_rules()[0].meta()
        }

        fn parse_options(&self, _: &toml::Table) -> Result<RuleOptions, String> {
            Err("no options".to_owned())
        }

        fn check(&self, _: &mut RuleContext<'_>) {
            panic!("a rule with a bug");
        }
    }

    static PANICKING: Panicking = Panicking;

    fn loud(text: &str, path: &str) -> Vec<Diagnostic> {
        let input = SourceInput {
            path,
            text,
            hints: SourceHints::default(),
            config_relative_path: None,
        };
        analyze(&input, &Config::default(), &AnalysisOptions::default())
            .diagnostics
            .into_iter()
            .filter(|diagnostic| diagnostic.rule.category.is_some())
            .collect()
    }

    /// A DynamoDB table without `DeletionPolicy` and without deletion protection is one
    /// problem: RL-CFN-001 is kept, and RL-CFN-006 becomes its related place and second fix.
    #[test]
    fn one_resource_one_finding() {
        let text = "Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      BillingMode: PAY_PER_REQUEST\n";
        let diagnostics = loud(text, "template.yaml");
        assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
        assert_eq!(diagnostics[0].rule.id, "RL-CFN-001");
        assert!(
            diagnostics[0]
                .related
                .iter()
                .any(|related| related.message.starts_with("also RL-CFN-006")),
            "{diagnostics:#?}"
        );
        assert_eq!(diagnostics[0].fixes.len(), 2);
    }

    /// An administrator statement is reported once, as full administrator, whatever other
    /// rules it also meets; a second statement keeps its own finding.
    #[test]
    fn one_statement_one_finding() {
        let text = r#"{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["*", "iam:*", "ec2:DeleteVolume"], "Resource": "*"},
  {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
]}
"#;
        let diagnostics = loud(text, "policy.json");
        let rules: Vec<&str> = diagnostics.iter().map(|d| d.rule.id).collect();
        assert_eq!(rules, ["RL-IAM-001", "RL-IAM-002"], "{diagnostics:#?}");
        assert!(diagnostics[0].related.len() >= 3, "{diagnostics:#?}");
    }

    /// The `prevent_destroy` hint does not repeat a resource's disabled deletion protection.
    #[test]
    fn prevent_destroy_hint_follows_deletion_protection() {
        let text = "resource \"aws_db_instance\" \"db\" {\n  engine = \"postgres\"\n  deletion_protection = false\n}\n";
        let input = SourceInput {
            path: "main.tf",
            text,
            hints: SourceHints::default(),
            config_relative_path: None,
        };
        let diagnostics =
            analyze(&input, &Config::default(), &AnalysisOptions::default()).diagnostics;
        let rules: Vec<&str> = diagnostics.iter().map(|d| d.rule.id).collect();
        assert!(rules.contains(&"RL-TF-008"), "{diagnostics:#?}");
        assert!(!rules.contains(&"RL-TF-019"), "{diagnostics:#?}");
    }

    /// A suppressed finding does not hide the others about its object: the next one shows.
    #[test]
    fn suppressing_the_kept_finding_shows_the_next() {
        let text = "Resources:\n  # redline:ignore RL-CFN-001 -- cache table\n  Orders:\n    Type: AWS::DynamoDB::Table\n";
        let diagnostics = loud(text, "template.yaml");
        let rules: Vec<&str> = diagnostics.iter().map(|d| d.rule.id).collect();
        assert_eq!(rules, ["RL-CFN-006"], "{diagnostics:#?}");
    }

    /// A panicking rule costs its own findings and nothing else: the panic is caught and
    /// reported as an `internal-error` naming the rule, and the next rule runs normally.
    #[test]
    fn a_panicking_rule_becomes_an_internal_error() {
        let text = "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = true\n}\n";
        let file = parse_source("main.tf", text, SourceHints::default()).unwrap();
        let meta = PANICKING.meta();
        let diagnostics = run_rule(&PANICKING, &file, None, None, &Config::default());
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].rule, INTERNAL_ERROR);
        assert!(
            diagnostics[0].message.contains(meta.id())
                && diagnostics[0].message.contains(meta.name()),
            "{}",
            diagnostics[0].message
        );
        let force_destroy = redline_rules::find_rule("force-destroy-enabled").unwrap();
        let diagnostics = run_rule(force_destroy, &file, None, None, &Config::default());
        assert_eq!(diagnostics.len(), 1);
        assert_eq!(diagnostics[0].rule.id, "RL-TF-010");
    }

    /// Two safe fixes that rewrite the same text are alternatives: the more severe finding's
    /// stays safe.
    #[test]
    fn one_safe_fix_per_span() {
        use redline_diagnostics::{Applicability, Edit, Fix};
        use redline_text::TextRange;
        let range = TextRange::from_usize(4, 9);
        let finding = |severity: Severity, replacement: &str| {
            Diagnostic::new(INTERNAL_ERROR, severity, Confidence::High, range, "x").with_fix(
                Fix::single(
                    replacement,
                    Applicability::Safe,
                    Edit::replace(range, replacement),
                ),
            )
        };
        let mut diagnostics = vec![
            finding(Severity::Info, "a"),
            finding(Severity::Error, "b"),
            Diagnostic::new(INTERNAL_ERROR, Severity::Info, Confidence::High, range, "y").with_fix(
                Fix::single(
                    "insert",
                    Applicability::Safe,
                    Edit::insert(range.start(), "c"),
                ),
            ),
        ];
        super::one_safe_fix_per_span(&mut diagnostics);
        let applicability: Vec<Applicability> = diagnostics
            .iter()
            .map(|diagnostic| diagnostic.fixes[0].applicability)
            .collect();
        assert_eq!(
            applicability,
            [
                Applicability::Unsafe,
                Applicability::Safe,
                Applicability::Safe
            ]
        );
    }
}

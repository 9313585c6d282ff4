//! Judging an edit: the new text of each file against its base.
//!
//! Rules see the new side with the base beside it (`RuleContext::change`), so rules that judge
//! edits (a removed resource, a renamed address, a force-new attribute changed) can compare the
//! two. Findings of snapshot rules are reported only when the edit introduced them, unless the
//! caller asks for all of them.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::collections::HashMap;
use std::sync::Arc;

use redline_diagnostics::{Diagnostic, PARSE_ERROR};
use redline_rules::{CalledFolder, Change, EvaluateModule, ModuleChange, ModuleEval};
use redline_syntax::terraform_eval::symbols::Module;
use redline_syntax::terraform_eval::tfvars::is_auto_loaded;
use redline_syntax::{
    Format, ParsedTree, SourceFile, SourceHints, TextPoint, TreeEdit, parse_edited_source,
    parse_source, parse_source_for_edits,
};

use crate::calls::{CalledModules, Calls};
use crate::memo::ParseMemo;
use crate::repair::{Repair, is_unfinished, malformed_block_error};
use crate::{
    AnalysisOptions, Config, FileAnalysis, Run, SourceInput, analyze_with_change, layout,
    parse_error, rule_enabled, sort_diagnostics, tfvars_texts,
};

/// One file of an edit: its text before and after.
///
/// Unchanged files (`base == new`) may be given too: they are context (the other files of a
/// Terraform module) and get no findings.
#[derive(Clone, Copy, Debug)]
pub struct ChangeInput<'a> {
    /// The path shown to users (and used to detect the format), on the new side.
    pub path: &'a str,
    /// The text before the edit; `None` when the file is new.
    pub base: Option<&'a str>,
    /// The text after the edit; `None` when the file is deleted.
    pub new: Option<&'a str>,
    /// What the front-end knows beyond path and text.
    pub hints: SourceHints,
    /// The path relative to the folder of the governing `redline.toml`, for `[[ignore]]`.
    pub config_relative_path: Option<&'a str>,
}

impl ChangeInput<'_> {
    /// Whether the edit touches this file.
    pub fn is_changed(&self) -> bool {
        self.base != self.new
    }
}

/// Which findings of snapshot rules `analyze_change` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Report {
    /// Only those the edit introduced (absent from the base); the default.
    #[default]
    Introduced,
    /// All findings of the new text, as `check` would report them, plus the edit's own.
    All,
}

/// Analyses an edit. Returns one analysis per input, in input order; unchanged inputs get an
/// empty one. A deleted file is analysed as empty text in the format of its base, so that
/// findings about what its deletion destroys have a file to belong to. A changed variable
/// definitions file (`terraform.tfvars`, …) is analysed as a Terraform file of its folder by
/// the rules that judge what its values do to the module
/// (`redline_rules::judges_variable_definitions`).
pub fn analyze_change(
    inputs: &[ChangeInput<'_>],
    config: &Config,
    options: &AnalysisOptions,
    report: Report,
) -> Vec<FileAnalysis> {
    let owned = parse_change(inputs);
    let parsed: Vec<ParsedSides<'_, '_>> = owned
        .iter()
        .map(|(base, new)| (base.as_deref(), new.as_deref()))
        .collect();
    analyze_parsed_change(inputs, &parsed, config, options, report)
}

/// Both sides of one input of an edit, parsed: `(base, new)`.
pub type ParsedSides<'f, 'a> = (Option<&'f SourceFile<'a>>, Option<&'f SourceFile<'a>>);

/// One side of an input, parsed; the two sides of an unchanged input are one parse.
pub type ParsedSide<'a> = Arc<SourceFile<'a>>;

/// Parses both sides of every input once, the new side from the base's tree, and an unchanged
/// input (the other files of a Terraform module) once for both sides. A side that is missing is
/// parsed as empty text in the format of the other side. Front-ends that keep trees between
/// calls (an editor) can parse once and call `analyze_parsed_change` on every change of the
/// new side.
///
/// Variable definitions files (`terraform.tfvars`, `*.auto.tfvars`, their `.json` forms) are
/// parsed, as Terraform, only when the edit changes them: their values reach the rules through
/// the module, and a changed one is where findings about what its edit does belong.
pub fn parse_change<'a>(
    inputs: &[ChangeInput<'a>],
) -> Vec<(Option<ParsedSide<'a>>, Option<ParsedSide<'a>>)> {
    parse_sides(inputs, None, &[])
}

/// `parse_change` through `memo`, for an editor that judges the same edit on every keystroke:
/// a side whose text the memo holds is not parsed again (the base, the other files of the
/// module). `trees[index]`, when given, is the tree of an earlier version of input `index`'s
/// new text, edited to match it: the new side is parsed from it rather than from the base's
/// tree.
pub fn parse_change_memo<'a>(
    inputs: &[ChangeInput<'a>],
    memo: &ParseMemo,
    trees: &[Option<&ParsedTree>],
) -> Vec<(Option<ParsedSide<'a>>, Option<ParsedSide<'a>>)> {
    parse_sides(inputs, Some(memo), trees)
}

/// `parse_change`, with the memo and the earlier trees of `parse_change_memo` when given.
fn parse_sides<'a>(
    inputs: &[ChangeInput<'a>],
    memo: Option<&ParseMemo>,
    trees: &[Option<&ParsedTree>],
) -> Vec<(Option<ParsedSide<'a>>, Option<ParsedSide<'a>>)> {
    // A text the memo holds is not parsed again; without a memo, each side is parsed here.
    let parse = |path: &'a str, text: &'a str, hints: SourceHints| -> Option<ParsedSide<'a>> {
        match memo {
            Some(memo) => memo
                .parse(path, text, hints)
                .map(|file| file as ParsedSide<'a>),
            None => parse_source(path, text, hints).map(Arc::new),
        }
    };
    inputs
        .iter()
        .enumerate()
        .map(|(index, input)| {
            let mut input = *input;
            if is_auto_loaded(input.path) {
                if !input.is_changed() {
                    return (None, None);
                }
                input.hints.format = Some(Format::Terraform);
            }
            let base = input
                .base
                .and_then(|text| parse(input.path, text, input.hints));
            if !input.is_changed() {
                return (base.clone(), base);
            }
            let hints_from = |file: &Option<ParsedSide<'_>>| SourceHints {
                format: input.hints.format.or(file.as_ref().map(|file| file.format)),
                ..input.hints
            };
            let new_text = input.new.unwrap_or("");
            let new = match &base {
                // The new side is parsed from the base's tree (or the earlier tree given),
                // edited by the change: only what changed is parsed again. Plans are parsed
                // without a tree (`parse_plan`).
                Some(base_file) if base_file.format != Format::TerraformPlan => {
                    let tree = match trees.get(index).copied().flatten() {
                        Some(tree) => tree.clone(),
                        None => {
                            let mut tree = base_file.parsed_tree();
                            tree.edit(&tree_edit(&base_file.text, new_text));
                            tree
                        }
                    };
                    // From a base without syntax errors, a broken new text is judged on a
                    // repaired one (`analyze_parsed_change_memo`): its documents go unread.
                    let parse_new = if is_unfinished(base_file) {
                        parse_source_for_edits
                    } else {
                        parse_edited_source
                    };
                    parse_new(input.path, new_text, hints_from(&base), Some(&tree)).map(Arc::new)
                }
                _ => parse(input.path, new_text, hints_from(&base)),
            };
            let base = match (base, input.base) {
                (Some(base), _) => Some(base),
                (None, Some(text)) => parse(input.path, text, hints_from(&new)),
                (None, None) => None,
            };
            (base, new)
        })
        .collect()
}

/// `analyze_change` on inputs already parsed (by `parse_change`, or kept by the front-end
/// between calls; one entry per input, in order).
///
/// A changed file whose new text does not parse, from a base that does, is judged as if the
/// unfinished part of its edit had not been written (see `repair`): blocks that a syntax error
/// hides are neither removed nor renamed, and a file broken beyond that reports only its
/// `parse-error`.
pub fn analyze_parsed_change(
    inputs: &[ChangeInput<'_>],
    parsed: &[ParsedSides<'_, '_>],
    config: &Config,
    options: &AnalysisOptions,
    report: Report,
) -> Vec<FileAnalysis> {
    analyze_parsed_change_memo(inputs, parsed, config, options, report, None)
}

/// `analyze_parsed_change`, taking the modules of the folders on the base side (and of the
/// folders the edit leaves as they were) from `memo`, and keeping them there: an editor that
/// judges the same edit on every keystroke reads them once.
pub fn analyze_parsed_change_memo(
    inputs: &[ChangeInput<'_>],
    parsed: &[ParsedSides<'_, '_>],
    config: &Config,
    options: &AnalysisOptions,
    report: Report,
    memo: Option<&ParseMemo>,
) -> Vec<FileAnalysis> {
    let repairs: Vec<Option<Repair>> = inputs
        .iter()
        .zip(parsed)
        .map(|(input, &(base, new))| {
            let (base, new) = (base?, new?);
            // Plans are judged as they are: nobody types them.
            if !input.is_changed()
                || input.new.is_none()
                || new.format == Format::TerraformPlan
                // A template whose literal parts do not parse is skipped (`template-skipped`).
                || new.templated
                || !is_unfinished(new)
                || is_unfinished(base)
            {
                return None;
            }
            let hints = SourceHints {
                format: Some(new.format),
                ..input.hints
            };
            Some(Repair::find(input.path, hints, &base.text, new))
        })
        .collect();
    if repairs.iter().all(Option::is_none) {
        return analyze_sides(inputs, parsed, config, options, report, memo, &[]);
    }
    // The parses the repairs made to find their texts are taken as they are.
    let mut repairs = repairs;
    let found: Vec<Option<SourceFile<'static>>> = repairs
        .iter_mut()
        .map(|repair| repair.as_mut().and_then(|repair| repair.file.take()))
        .collect();
    let repaired_inputs: Vec<ChangeInput<'_>> = inputs
        .iter()
        .zip(&repairs)
        .map(|(input, repair)| match repair {
            Some(repair) => ChangeInput {
                new: Some(repair.text.as_str()),
                ..*input
            },
            None => *input,
        })
        .collect();
    // A repair that undid the whole edit is the base, already parsed; another is parsed from
    // the tree it was found to parse from.
    let is_base = |repair: &Repair, base: Option<&SourceFile<'_>>, new: &SourceFile<'_>| {
        base.is_some_and(|base| base.format == new.format && *base.text == repair.text)
    };
    let reparsed: Vec<Option<SourceFile<'_>>> = repaired_inputs
        .iter()
        .zip(&repairs)
        .zip(parsed)
        .zip(found)
        .map(|(((input, repair), &(base, new)), found)| {
            let (repair, new) = (repair.as_ref()?, new?);
            if is_base(repair, base, new) {
                return None;
            }
            if found.is_some() {
                return found;
            }
            let hints = SourceHints {
                format: Some(new.format),
                ..input.hints
            };
            match &repair.tree {
                Some(tree) => parse_source_for_edits(input.path, &repair.text, hints, Some(tree)),
                None => parse_source(input.path, &repair.text, hints),
            }
        })
        .collect();
    let repaired_parsed: Vec<ParsedSides<'_, '_>> = parsed
        .iter()
        .zip(&reparsed)
        .zip(&repairs)
        .map(|((&(base, new), reparsed), repair)| {
            let undone = match (repair, new) {
                (Some(repair), Some(new)) if is_base(repair, base, new) => base,
                _ => None,
            };
            (base, reparsed.as_ref().or(undone).or(new))
        })
        .collect();
    // A repair that undid the whole edit leaves the file as it was: with `Report::All` it is
    // still reported, as its snapshot, rather than skipped as a file the edit did not touch
    // (typing a new block at the end of a file would hide every finding of the file above it).
    let reported_unchanged: Vec<bool> = repaired_inputs
        .iter()
        .zip(&repairs)
        .map(|(input, repair)| report == Report::All && repair.is_some() && !input.is_changed())
        .collect();
    let mut res = analyze_sides(
        &repaired_inputs,
        &repaired_parsed,
        config,
        options,
        report,
        memo,
        &reported_unchanged,
    );
    for ((analysis, repair), (_, new)) in res.iter_mut().zip(&repairs).zip(parsed) {
        let (Some(repair), Some(new)) = (repair, new) else {
            continue;
        };
        let mut diagnostics: Vec<Diagnostic> = std::mem::take(&mut analysis.diagnostics)
            .into_iter()
            .filter_map(|diagnostic| repair.map_diagnostic(diagnostic))
            .collect();
        if rule_enabled(PARSE_ERROR.id, config, options) {
            diagnostics.extend(parse_error(new).or_else(|| malformed_block_error(new)));
        }
        sort_diagnostics(&mut diagnostics);
        analysis.format = Some(new.format);
        analysis.diagnostics = diagnostics;
    }
    res
}

/// `analyze_parsed_change` on sides that parse, or that are judged as they are. An input the
/// edit does not change gets an empty analysis unless `reported_unchanged` holds `true` at its
/// index.
fn analyze_sides(
    inputs: &[ChangeInput<'_>],
    parsed: &[ParsedSides<'_, '_>],
    config: &Config,
    options: &AnalysisOptions,
    report: Report,
    memo: Option<&ParseMemo>,
    reported_unchanged: &[bool],
) -> Vec<FileAnalysis> {
    // Files grouped by folder and format: a Terraform module is a folder. Variable
    // definitions are not files of the module but its input; a changed one sees the module's
    // files as a Terraform file of the folder would.
    let mut folders: BTreeMap<(&str, Format), Vec<usize>> = BTreeMap::new();
    let mut variable_definitions: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, (base, new)) in parsed.iter().enumerate() {
        let Some(format) = new.or(*base).map(|file| file.format) else {
            continue;
        };
        if is_auto_loaded(inputs[index].path) {
            variable_definitions
                .entry(parent(inputs[index].path))
                .or_default()
                .push(index);
            continue;
        }
        folders
            .entry((group_folder(inputs[index].path, Some(format)), format))
            .or_default()
            .push(index);
    }
    let mut folder_of: HashMap<usize, (Vec<&SourceFile<'_>>, Vec<&SourceFile<'_>>)> =
        HashMap::new();
    let mut terraform_folders: Vec<(&str, Vec<&SourceFile<'_>>, Vec<&SourceFile<'_>>)> = Vec::new();
    for (&(folder, format), members) in &folders {
        let mut sorted = members.clone();
        sorted.sort_by_key(|&index| inputs[index].path);
        let base: Vec<&SourceFile<'_>> = sorted
            .iter()
            .filter(|&&index| inputs[index].base.is_some())
            .filter_map(|&index| parsed[index].0)
            .collect();
        let new: Vec<&SourceFile<'_>> = sorted
            .iter()
            .filter(|&&index| inputs[index].new.is_some())
            .filter_map(|&index| parsed[index].1)
            .collect();
        if format == Format::Terraform {
            terraform_folders.push((folder, base.clone(), new.clone()));
            for &index in variable_definitions.get(folder).into_iter().flatten() {
                folder_of.insert(index, (base.clone(), new.clone()));
            }
        }
        for &index in members {
            folder_of.insert(index, (base.clone(), new.clone()));
        }
    }

    // The module of each Terraform folder, on each side of the edit, read when a rule first
    // evaluates an expression. Tfvars files among the inputs are its variable definitions.
    type Cells = (OnceCell<Arc<Module>>, OnceCell<Arc<Module>>);
    let cells: Vec<Cells> = terraform_folders
        .iter()
        .map(|_| (OnceCell::new(), OnceCell::new()))
        .collect();
    // Each Terraform folder's files after the edit, for the folders a local call names.
    let folder_files: Vec<(&str, Vec<&SourceFile<'_>>)> = terraform_folders
        .iter()
        .map(|(folder, _, new)| (*folder, new.clone()))
        .collect();
    let mut modules: BTreeMap<&str, (ModuleEval<'_>, ModuleEval<'_>)> = BTreeMap::new();
    for ((folder, base, new), (base_cell, new_cell)) in terraform_folders.into_iter().zip(&cells) {
        let members = || {
            inputs
                .iter()
                .filter(move |input| parent(input.path) == folder)
        };
        let folder_layout = layout(
            members().map(|input| input.hints),
            members().map(|input| input.path),
        );
        // The edited folders' new side changes on every keystroke: it is not kept.
        let unchanged = members().all(|input| !input.is_changed());
        let base_module = ModuleEval::new(
            base_cell,
            move || match memo {
                Some(memo) => memo.module(&base),
                None => Arc::new(Module::build(&base)),
            },
            tfvars_texts(members().map(|input| (input.path, input.base))),
            folder_layout,
        );
        let new_module = ModuleEval::new(
            new_cell,
            move || match memo {
                Some(memo) if unchanged => memo.module(&new),
                // The unchanged files of an edited folder keep what they declare.
                Some(_) => Arc::new(Module::build_reusing(&new)),
                None => Arc::new(Module::build(&new)),
            },
            tfvars_texts(members().map(|input| (input.path, input.new))),
            folder_layout,
        );
        modules.insert(folder, (base_module, new_module));
    }

    let called_folders: Vec<CalledFolder<'_>> = folder_files
        .iter()
        .filter_map(|(folder, files)| {
            let (_, module) = modules.get(folder)?;
            Some(CalledFolder {
                folder,
                files,
                module: module as &dyn EvaluateModule,
            })
        })
        .collect();
    // Every folder of the edit on each side, for the local module calls of its files.
    let base_called = CalledModules::new(
        inputs
            .iter()
            .filter_map(|input| Some((input.path, input.base?))),
    );
    let new_called = CalledModules::new(
        inputs
            .iter()
            .filter_map(|input| Some((input.path, input.new?))),
    );
    let base_calls = Calls::new(&base_called, config);
    let new_calls = Calls::new(&new_called, config);
    // The blocks of each changed Terraform folder on both sides, read once for the edit rules
    // of all its files.
    let mut module_changes: HashMap<&str, Box<ModuleChange<'_>>> = HashMap::new();
    // The findings of the base of each changed file, for `Report::Introduced`.
    let mut befores: Vec<Option<(Vec<Diagnostic>, &str)>> = Vec::with_capacity(inputs.len());
    let mut res: Vec<FileAnalysis> = Vec::with_capacity(inputs.len());
    for (index, input) in inputs.iter().enumerate() {
        let (base, new) = parsed[index];
        befores.push(None);
        let Some(new) = new else {
            res.push(FileAnalysis::default());
            continue;
        };
        if !input.is_changed() && !reported_unchanged.get(index).copied().unwrap_or(false) {
            res.push(FileAnalysis {
                format: Some(new.format),
                diagnostics: Vec::new(),
            });
            continue;
        }
        let (folder_base, folder_new) = folder_of
            .get(&index)
            .map(|(base, new)| (base.as_slice(), new.as_slice()))
            .unwrap_or_default();
        let module = modules.get(parent(input.path));
        let change = Change {
            module_change: (new.format == Format::Terraform && !folder_new.is_empty())
                .then(|| {
                    module_changes.entry(parent(input.path)).or_insert_with(|| {
                        Box::new(ModuleChange::of_folder(folder_base, folder_new))
                    })
                })
                .map(|module| &**module),
            base,
            folder_base,
            folder_new,
            deleted: input.new.is_none(),
            called_folders: if new.format == Format::Terraform {
                &called_folders
            } else {
                &[]
            },
            module_base: module
                .filter(|_| new.format == Format::Terraform)
                .map(|(base, _)| base as &dyn EvaluateModule),
        };
        let source = SourceInput {
            path: input.path,
            text: &new.text,
            hints: input.hints,
            config_relative_path: input.config_relative_path,
        };
        // A file the edit leaves as it was (reported all the same) has no edit to judge.
        res.push(analyze_with_change(
            &source,
            new,
            input.is_changed().then_some(&change),
            module.map(|(_, new)| new),
            Some(&new_calls),
            Run {
                config,
                options,
                memo,
            },
        ));
    }
    if report == Report::Introduced {
        // A finding that was in any file of the folder before the edit is not new: the block
        // may have moved to another file, or two files may have been merged.
        let mut groups: BTreeMap<(&str, Option<Format>), Vec<usize>> = BTreeMap::new();
        for (index, input) in inputs.iter().enumerate() {
            if input.is_changed() {
                groups
                    .entry((
                        group_folder(input.path, res[index].format),
                        res[index].format,
                    ))
                    .or_default()
                    .push(index);
            }
        }
        for members in groups.values() {
            // The base is analysed only for a group with findings after the edit: with none,
            // nothing is left to compare.
            if members
                .iter()
                .all(|&index| res[index].diagnostics.is_empty())
            {
                continue;
            }
            for &index in members {
                let input = &inputs[index];
                let (Some(base), Some(_)) = parsed[index] else {
                    continue;
                };
                let module = modules.get(parent(input.path));
                let before = analyze_with_change(
                    &SourceInput {
                        path: input.path,
                        text: &base.text,
                        hints: input.hints,
                        config_relative_path: input.config_relative_path,
                    },
                    base,
                    None,
                    module.map(|(base, _)| base),
                    Some(&base_calls),
                    Run {
                        config,
                        options,
                        memo,
                    },
                );
                befores[index] = Some((before.diagnostics, &base.text));
            }
            let before: Vec<(&Diagnostic, &str)> = members
                .iter()
                .filter_map(|&index| befores[index].as_ref())
                .flat_map(|(diagnostics, text)| diagnostics.iter().map(move |d| (d, *text)))
                .collect();
            let after: Vec<(Vec<Diagnostic>, &str)> = members
                .iter()
                .map(|&index| {
                    let text = parsed[index].1.map_or("", |file| &file.text);
                    (std::mem::take(&mut res[index].diagnostics), text)
                })
                .collect();
            for (&index, kept) in members.iter().zip(introduced(&before, after)) {
                res[index].diagnostics = kept;
            }
        }
        // A finding whose block is also in an unchanged file of the folder, word for word (the
        // block was copied there first, as the first step of a move to another file), was
        // already there: it is not new. Only the same message counts, which names the
        // resource or object, so that a new block with the same problem as an unchanged one
        // is still reported.
        for (&(folder, format), members) in &groups {
            if members
                .iter()
                .all(|&index| res[index].diagnostics.is_empty())
            {
                continue;
            }
            let mut unchanged: Vec<(&'static str, String)> = Vec::new();
            for (index, input) in inputs.iter().enumerate() {
                let Some(file) = parsed[index].1 else {
                    continue;
                };
                if input.is_changed()
                    || res[index].format != format
                    || group_folder(input.path, format) != folder
                {
                    continue;
                }
                let module = modules.get(parent(input.path));
                let source = SourceInput {
                    path: input.path,
                    text: &file.text,
                    hints: input.hints,
                    config_relative_path: input.config_relative_path,
                };
                let analysis = analyze_with_change(
                    &source,
                    file,
                    None,
                    module.map(|(_, new)| new),
                    Some(&new_calls),
                    Run {
                        config,
                        options,
                        memo,
                    },
                );
                unchanged.extend(
                    analysis
                        .diagnostics
                        .into_iter()
                        .map(|diagnostic| (diagnostic.rule.id, diagnostic.message)),
                );
            }
            for &index in members {
                res[index].diagnostics.retain(|diagnostic| {
                    let found = unchanged.iter().position(|(rule, message)| {
                        *rule == diagnostic.rule.id && *message == diagnostic.message
                    });
                    match found {
                        Some(at) => {
                            unchanged.swap_remove(at);
                            false
                        }
                        None => true,
                    }
                });
            }
        }
    }
    res
}

/// The findings of each file of `after` that `before` (the findings of the folder's files
/// before the edit, each with its file's text) did not have. A finding was already there when
/// the base has one of the same rule with the same flagged text or the same message (so
/// findings that only moved, or whose block was reformatted, are not new); then, among those
/// left, one whose message differs only in the names and values it quotes (a renamed
/// resource, logical id or object keeps its findings). Each base finding answers for one
/// finding of the new text.
fn introduced(
    before: &[(&Diagnostic, &str)],
    after: Vec<(Vec<Diagnostic>, &str)>,
) -> Vec<Vec<Diagnostic>> {
    let flagged = |diagnostic: &Diagnostic, text: &'_ str| -> String {
        text.get(diagnostic.range.to_std())
            .unwrap_or("")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    struct Seen<'a> {
        rule: &'a str,
        flagged: String,
        message: String,
        used: bool,
    }
    let mut seen: Vec<Seen<'_>> = Vec::new();
    for (diagnostic, text) in before {
        seen.push(Seen {
            rule: diagnostic.rule.id,
            flagged: flagged(diagnostic, text),
            message: diagnostic.message.clone(),
            used: false,
        });
        // A finding that repeated this one about the same object was folded into it
        // (`keep_one_per_object`) and was there too: once the edit removes this one (adds the
        // retain policy), the other one stands alone, and is not new.
        for related in diagnostic
            .related
            .iter()
            .filter(|related| related.path.is_none())
        {
            let Some((rule, message)) = related
                .message
                .strip_prefix("also ")
                .and_then(|rest| rest.split_once(' '))
                .and_then(|(rule, rest)| Some((rule, rest.split_once("): ")?.1)))
            else {
                continue;
            };
            seen.push(Seen {
                rule,
                flagged: text
                    .get(related.range.to_std())
                    .unwrap_or("")
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" "),
                message: message.to_owned(),
                used: false,
            });
        }
    }
    // For each finding of the new text: whether it is new, as far as known.
    let mut is_new: Vec<Vec<bool>> = after
        .iter()
        .map(|(diagnostics, _)| vec![true; diagnostics.len()])
        .collect();
    let passes: [fn(&Seen, &str, &str) -> bool; 3] = [
        |seen, flagged, _| seen.flagged == flagged,
        |seen, _, message| seen.message == message,
        |seen, _, message| {
            let masked = without_names(message);
            masked != message && without_names(&seen.message) == masked
        },
    ];
    for matches in passes {
        for ((diagnostics, text), is_new) in after.iter().zip(&mut is_new) {
            for (diagnostic, is_new) in diagnostics.iter().zip(is_new.iter_mut()) {
                if !*is_new {
                    continue;
                }
                let text = flagged(diagnostic, text);
                if let Some(found) = seen.iter_mut().find(|seen| {
                    !seen.used
                        && seen.rule == diagnostic.rule.id
                        && matches(seen, &text, &diagnostic.message)
                }) {
                    found.used = true;
                    *is_new = false;
                }
            }
        }
    }
    after
        .into_iter()
        .zip(is_new)
        .map(|((diagnostics, _), is_new)| {
            diagnostics
                .into_iter()
                .zip(is_new)
                .filter_map(|(diagnostic, is_new)| is_new.then_some(diagnostic))
                .collect()
        })
        .collect()
}

/// `text` with what is between backticks or double quotes left out: the names and values a
/// rename changes.
fn without_names(text: &str) -> String {
    let mut res = String::with_capacity(text.len());
    let mut inside: Option<char> = None;
    for c in text.chars() {
        match inside {
            Some(close) if c == close => {
                inside = None;
                res.push(c);
            }
            Some(_) => {}
            None => {
                if c == '`' || c == '"' {
                    inside = Some(c);
                }
                res.push(c);
            }
        }
    }
    res
}

/// The change from `old` to `new` as one edit: everything between their common prefix and
/// their common suffix was replaced.
pub(crate) fn tree_edit(old: &str, new: &str) -> TreeEdit {
    let mut prefix = redline_text::common_prefix_len(old.as_bytes(), new.as_bytes());
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = redline_text::common_suffix_len(old.as_bytes(), new.as_bytes(), max_suffix);
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    let point = |text: &str, offset: usize| {
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |index| index + 1);
        TextPoint {
            offset,
            line: redline_text::count_newlines(before.as_bytes()),
            column: offset - line_start,
        }
    };
    TreeEdit {
        start: point(old, prefix),
        old_end: point(old, old.len() - suffix),
        new_end: point(new, new.len() - suffix),
    }
}

/// The folder whose files are judged together: the file's folder, except for Kubernetes
/// manifests, whose objects are known by kind, namespace and name wherever they are written, so
/// that all the manifests an analysis is given are one set (the front-end decides which: one
/// folder in git mode, the whole new folder when two folders are compared).
fn group_folder(path: &str, format: Option<Format>) -> &str {
    if format == Some(Format::Kubernetes) {
        ""
    } else {
        parent(path)
    }
}

/// The folder part of a `/`-separated path ("" for a bare file name).
fn parent(path: &str) -> &str {
    path.rfind(['/', '\\']).map_or("", |index| &path[..index])
}

#[cfg(test)]
mod tests {
    use redline_text::TextRange;

    use super::*;

    fn change<'a>(path: &'a str, base: Option<&'a str>, new: Option<&'a str>) -> ChangeInput<'a> {
        ChangeInput {
            path,
            base,
            new,
            hints: SourceHints::default(),
            config_relative_path: None,
        }
    }

    fn rule_ids(analysis: &FileAnalysis) -> Vec<&'static str> {
        analysis.diagnostics.iter().map(|d| d.rule.id).collect()
    }

    const BUCKET: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n";
    const FORCE: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket        = \"logs\"\n  force_destroy = true\n}\n";

    #[test]
    fn reports_only_what_the_edit_introduced() {
        let config = Config::default();
        let options = AnalysisOptions::default();
        let introduced = analyze_change(
            &[change("main.tf", Some(BUCKET), Some(FORCE))],
            &config,
            &options,
            Report::Introduced,
        );
        // RL-TF-020 judges the edit itself: `force_destroy` went from its default to true.
        assert_eq!(rule_ids(&introduced[0]), ["RL-TF-010", "RL-TF-020"]);

        let already_there = format!("{FORCE}\n# a comment\n");
        let unchanged_finding = analyze_change(
            &[change("main.tf", Some(FORCE), Some(&already_there))],
            &config,
            &options,
            Report::Introduced,
        );
        assert!(rule_ids(&unchanged_finding[0]).is_empty());

        let all = analyze_change(
            &[change("main.tf", Some(FORCE), Some(&already_there))],
            &config,
            &options,
            Report::All,
        );
        assert_eq!(rule_ids(&all[0]), ["RL-TF-019", "RL-TF-010"]);
    }

    /// A block being typed below the others leaves the file unfinished: the repair undoes the
    /// whole edit, and the file's findings are still reported with the syntax error, as
    /// `check` reports them, rather than none at all.
    #[test]
    fn an_unfinished_block_typed_below_leaves_the_findings_above() {
        let config = Config::default();
        let options = AnalysisOptions::default();
        let typing = format!("{FORCE}\nresource \"aws_s3_bucket\" \"next\" {{\n  bucket = \n");
        let all = analyze_change(
            &[change("main.tf", Some(FORCE), Some(&typing))],
            &config,
            &options,
            Report::All,
        );
        assert_eq!(rule_ids(&all[0]), ["RL-TF-019", "RL-TF-010", "RL-META-001"]);
        let introduced = analyze_change(
            &[change("main.tf", Some(FORCE), Some(&typing))],
            &config,
            &options,
            Report::Introduced,
        );
        assert_eq!(rule_ids(&introduced[0]), ["RL-META-001"]);
    }

    /// Moving a block to another file of the module, one file at a time as an agent writes
    /// them: the copy written first repeats the findings of the block that is still in its
    /// unchanged file, so they are not new; a new block with the same problem still is.
    #[test]
    fn a_block_copied_from_an_unchanged_file_brings_no_new_findings() {
        let config = Config::default();
        let options = AnalysisOptions::default();
        let copied = analyze_change(
            &[
                change("storage.tf", None, Some(FORCE)),
                change("main.tf", Some(FORCE), Some(FORCE)),
            ],
            &config,
            &options,
            Report::Introduced,
        );
        assert!(
            rule_ids(&copied[0]).is_empty(),
            "{:?}",
            copied[0].diagnostics
        );

        let other = FORCE.replace("\"logs\" {", "\"audit\" {");
        let new_bucket = analyze_change(
            &[
                change("storage.tf", None, Some(&other)),
                change("main.tf", Some(FORCE), Some(FORCE)),
            ],
            &config,
            &options,
            Report::Introduced,
        );
        assert!(rule_ids(&new_bucket[0]).contains(&"RL-TF-010"));
    }

    /// A finding folded into another one about the same object (`keep_one_per_object`) stands
    /// alone once the edit fixes the other one: adding `DeletionPolicy: Retain` leaves the
    /// missing deletion protection, which was there before.
    #[test]
    fn a_finding_folded_into_a_fixed_one_is_not_new() {
        let base = "Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: orders\n";
        let new = "Resources:\n  Orders:\n    Type: AWS::DynamoDB::Table\n    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n    Properties:\n      TableName: orders\n";
        let config = Config::default();
        let options = AnalysisOptions::default();
        let all = analyze_change(
            &[change("template.yaml", Some(base), Some(new))],
            &config,
            &options,
            Report::All,
        );
        assert_eq!(rule_ids(&all[0]), ["RL-CFN-006"]);
        let introduced = analyze_change(
            &[change("template.yaml", Some(base), Some(new))],
            &config,
            &options,
            Report::Introduced,
        );
        assert!(
            rule_ids(&introduced[0]).is_empty(),
            "{:?}",
            introduced[0].diagnostics
        );
    }

    /// An unchanged input (another file of the module) is one parse for both sides, with or
    /// without a memo; a changed one has a parse per side.
    #[test]
    fn an_unchanged_input_is_parsed_once() {
        let inputs = [
            change("m/main.tf", Some(BUCKET), Some(FORCE)),
            change("m/other.tf", Some(BUCKET), Some(BUCKET)),
        ];
        let memo = ParseMemo::default();
        for parsed in [
            parse_change(&inputs),
            parse_change_memo(&inputs, &memo, &[]),
        ] {
            let (Some(base), Some(new)) = &parsed[1] else {
                panic!("both sides of the unchanged file parse");
            };
            assert!(Arc::ptr_eq(base, new));
            let (Some(base), Some(new)) = &parsed[0] else {
                panic!("both sides of the changed file parse");
            };
            assert!(!Arc::ptr_eq(base, new));
            assert_eq!(new.text, FORCE);
        }
        // The memo parsed the base of each file once, and the new side of the changed one not
        // at all (it is parsed from the base's tree).
        assert_eq!(memo.stats().parses, 2);
    }

    #[test]
    fn edits_span_the_changed_bytes() {
        let edit = tree_edit("ab\ncd\nef", "ab\ncXd\nef");
        assert_eq!(
            (edit.start.offset, edit.start.line, edit.start.column),
            (4, 1, 1)
        );
        assert_eq!(edit.old_end.offset, 4);
        assert_eq!(edit.new_end.offset, 5);
        let same = tree_edit("aaa", "aaa");
        assert_eq!(
            (same.start.offset, same.old_end.offset, same.new_end.offset),
            (3, 3, 3)
        );
        let grown = tree_edit("aa", "aaaa");
        assert_eq!(
            (
                grown.start.offset,
                grown.old_end.offset,
                grown.new_end.offset
            ),
            (2, 2, 4)
        );
        let utf8 = tree_edit("é", "è");
        assert_eq!((utf8.start.offset, utf8.old_end.offset), (0, 2));
    }

    #[test]
    fn new_and_unchanged_files() {
        let config = Config::default();
        let options = AnalysisOptions::default();
        // Another bucket: a copy of the moved block would make its findings not new (see
        // `a_block_copied_from_an_unchanged_file_brings_no_new_findings`).
        let other = FORCE.replace("\"logs\" {", "\"audit\" {");
        let analyses = analyze_change(
            &[
                change("a/new.tf", None, Some(FORCE)),
                change("a/same.tf", Some(&other), Some(&other)),
                change("a/gone.tf", Some(BUCKET), None),
            ],
            &config,
            &options,
            Report::Introduced,
        );
        // The bucket moved from the deleted file into the new one, and gained `force_destroy`;
        // its missing `prevent_destroy` was reported before the move.
        assert_eq!(rule_ids(&analyses[0]), ["RL-TF-010", "RL-TF-020"]);
        assert!(rule_ids(&analyses[1]).is_empty());
        assert_eq!(analyses[2].format, Some(Format::Terraform));
    }

    /// Findings that were there before a rename (of the resource, or of its file) are not new:
    /// only the rename itself is reported.
    #[test]
    fn findings_survive_renames() {
        let config = Config::default();
        let options = AnalysisOptions::default();
        let renamed = BUCKET.replace("\"logs\" {", "\"audit\" {");
        let analyses = analyze_change(
            &[change("main.tf", Some(BUCKET), Some(&renamed))],
            &config,
            &options,
            Report::Introduced,
        );
        assert_eq!(rule_ids(&analyses[0]), ["RL-TF-002"]);
        let analyses = analyze_change(
            &[
                change("m/old.tf", Some(FORCE), None),
                change("m/new.tf", None, Some(FORCE)),
            ],
            &config,
            &options,
            Report::Introduced,
        );
        assert!(rule_ids(&analyses[0]).is_empty());
        assert!(rule_ids(&analyses[1]).is_empty());
    }

    /// A file the edit empties still exists: its blocks were removed from it, with fixes in
    /// it, not "removed with its file".
    #[test]
    fn an_emptied_file_is_not_a_deleted_file() {
        let config = Config::default();
        let options = AnalysisOptions {
            select: Some(vec!["RL-TF-001"]),
            ..AnalysisOptions::default()
        };
        let emptied = analyze_change(
            &[change("main.tf", Some(BUCKET), Some(""))],
            &config,
            &options,
            Report::Introduced,
        );
        let finding = &emptied[0].diagnostics[0];
        assert!(
            finding
                .message
                .starts_with("`aws_s3_bucket.logs` was removed: the edit empties `main.tf`"),
            "{}",
            finding.message
        );
        assert_eq!(finding.fixes.len(), 2);
        let deleted = analyze_change(
            &[change("main.tf", Some(BUCKET), None)],
            &config,
            &options,
            Report::Introduced,
        );
        assert!(
            deleted[0].diagnostics[0]
                .message
                .contains("was removed with its file `main.tf`"),
            "{}",
            deleted[0].diagnostics[0].message
        );
    }

    /// The module's other files and its tfvars are read on both sides: a value that comes
    /// through a variable is reported when the edit introduces it, and not again afterwards.
    #[test]
    fn values_through_variables_and_tfvars() {
        let config = Config::default();
        let options = AnalysisOptions {
            select: Some(vec!["RL-TF-010"]),
            ..AnalysisOptions::default()
        };
        let variables = "variable \"force_destroy\" {\n  default = false\n}\n";
        let tfvars = "force_destroy = true\n";
        let through =
            "resource \"aws_s3_bucket\" \"logs\" {\n  force_destroy = var.force_destroy\n}\n";
        fn inputs<'a>(
            base: &'a str,
            new: &'a str,
            variables: &'a str,
            tfvars: &'a str,
        ) -> [ChangeInput<'a>; 3] {
            [
                change("m/main.tf", Some(base), Some(new)),
                change("m/variables.tf", Some(variables), Some(variables)),
                change("m/terraform.tfvars", Some(tfvars), Some(tfvars)),
            ]
        }
        let analyses = analyze_change(
            &inputs(BUCKET, through, variables, tfvars),
            &config,
            &options,
            Report::Introduced,
        );
        assert_eq!(rule_ids(&analyses[0]), ["RL-TF-010"]);
        assert!(
            analyses[0].diagnostics[0]
                .message
                .contains("(set in terraform.tfvars:1)"),
            "{}",
            analyses[0].diagnostics[0].message
        );
        assert_eq!(analyses[2].format, None);
        let commented = format!("{through}# a comment\n");
        let analyses = analyze_change(
            &inputs(through, &commented, variables, tfvars),
            &config,
            &options,
            Report::Introduced,
        );
        assert!(rule_ids(&analyses[0]).is_empty());
    }

    /// An edit of `terraform.tfvars` alone is judged with the module it feeds: the finding
    /// about the database it replaces belongs to the tfvars file, and other rules do not run
    /// on it.
    #[test]
    fn a_tfvars_edit_carries_what_it_does_to_the_module() {
        let config = Config::default();
        let options = AnalysisOptions::default();
        let main = "resource \"aws_db_instance\" \"main\" {\n  engine = var.engine\n}\n";
        let variables = "variable \"engine\" {\n  default = \"postgres\"\n}\n";
        let analyses = analyze_change(
            &[
                change("db/main.tf", Some(main), Some(main)),
                change("db/variables.tf", Some(variables), Some(variables)),
                change(
                    "db/terraform.tfvars",
                    Some("engine = \"postgres\"\n"),
                    Some("engine = \"mysql\"\n"),
                ),
            ],
            &config,
            &options,
            Report::Introduced,
        );
        assert!(rule_ids(&analyses[0]).is_empty());
        assert_eq!(analyses[2].format, Some(Format::Terraform));
        assert_eq!(rule_ids(&analyses[2]), ["RL-TF-005"]);
        let finding = &analyses[2].diagnostics[0];
        assert_eq!(finding.range, TextRange::from_usize(9, 16));
        assert!(
            finding.message.starts_with(
                "`var.engine` (set in terraform.tfvars:1) changes from \"postgres\" to \"mysql\""
            ),
            "{}",
            finding.message
        );
        // An unchanged tfvars file is context, and gets no analysis.
        let analyses = analyze_change(
            &[
                change("db/main.tf", Some(main), Some(main)),
                change("db/terraform.tfvars", Some("a = 1\n"), Some("a = 1\n")),
            ],
            &config,
            &options,
            Report::Introduced,
        );
        assert_eq!(analyses[1].format, None);
    }
}

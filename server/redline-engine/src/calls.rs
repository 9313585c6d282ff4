//! Local module calls: a module judged with each call's inputs, and the findings its inputs
//! cause reported at the call.
//!
//! A `module "db" { source = "../modules/db" … }` block hands values to the called module's
//! variables. The rules read a called module's attributes through those values, so
//! `deletion_protection = false` written in the caller is judged where it takes effect: on the
//! `aws_db_instance` of the called module. A finding that an input causes is reported at the
//! input, in the caller, with the called module's line as related information; a finding that
//! the called module's default causes, because the call leaves the input unset, is reported at
//! the `module` block. What the called module decides by itself (a literal, its own locals) is
//! its own finding, reported when it is analysed, and never repeated at the caller.
//!
//! A rule that judges a combination of values (a firewall rule's ports and addresses, the
//! policy ARN of one attachment, a role) notes the unsafe text itself (`Written`): such a
//! finding is reported at the caller's string literal that holds the text (in an input the
//! value was read through, a local, or the call's `for_each`), and not at all when the caller
//! writes it nowhere, since then the called module's own literal or default decides.
//!
//! The front-end gives the files of the called folders beside the caller's, under display
//! paths that `calls::local_source_folder` gives for the `source` (see `redline-workspace`);
//! nothing is read here. A missing folder, a call of the module's own folder and a cycle are
//! left alone, and the work is bounded: `MAX_CALL_DEPTH` levels of calls, `MAX_JUDGEMENTS`
//! judged modules per analysed file, and `MAX_INSTANCES` instances of one call.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use redline_diagnostics::{Diagnostic, Edit, Fix, Related};
use redline_rules::terraform::force_destroy_enabled::{
    ForceDestroyEnabled, Options as ForceDestroyOptions,
};
use redline_rules::terraform::protection::is_guarded_through_module;
use redline_rules::terraform::through_module::{self, READ_TYPES};
use redline_rules::{ModuleEval, Rule, ValueSource, Written};
use redline_syntax::terraform_eval::Location;
use redline_syntax::terraform_eval::calls::{
    Binding, bind, folder_of, local_source_folder, local_sources,
};
use redline_syntax::terraform_eval::evaluate::{Evaluator, Instance, Instances, Origin};
use redline_syntax::terraform_eval::symbols::{Module, ModuleCall, reading_order};
use redline_syntax::terraform_eval::tfvars::is_auto_loaded;
use redline_syntax::{Format, SourceFile, parse_source};
use redline_text::TextRange;

use crate::{Config, SourceInput};

/// How many levels of local module calls are followed from an analysed file (the
/// terraform-aws-modules layout, example → module → submodule, takes two).
pub const MAX_CALL_DEPTH: usize = 8;

/// How many called modules (a module with one set of input values) are judged for one
/// analysed file.
pub const MAX_JUDGEMENTS: usize = 64;

/// How many instances of one call (`count`, `for_each`) are bound; the rest are not judged.
pub const MAX_INSTANCES: usize = 16;

/// The local modules that the folders of an analysis may call: the Terraform files of other
/// folders, by folder, each parsed and read as a module once, on first use, and shared by
/// every analysis given it, on any thread. A front-end that analyses many folders calling the
/// same modules (`redline check`) makes one for them all.
pub struct CalledModules<'a> {
    folders: BTreeMap<&'a str, Folder<'a>>,
    /// Whether the front-end told how many analyses call each folder (`count_callers`).
    counted: bool,
}

/// The judging of one analysis: the called modules, and what it learnt of their files.
pub(crate) struct Calls<'s, 'a> {
    called: &'s CalledModules<'a>,
    /// The resource types `force-destroy-enabled` is configured to read besides its own.
    extra_types: Vec<String>,
    /// The rules that read a called file through its module, by file path and rule id, as
    /// the first judgement of the file found: a rule that did not finds nothing a call causes
    /// there, whatever the call's values, and is not run on the file again.
    reads_module: RefCell<BTreeMap<(String, &'static str), bool>>,
    /// The folders that only this analysis calls (see `CalledModules::count_callers`), parsed
    /// here on first use and dropped with the analysis, by folder.
    own: BTreeMap<&'a str, OnceLock<Parsed<'a>>>,
}

/// One folder's Terraform files, parsed and read as a module on first use.
struct Folder<'a> {
    inputs: Vec<(&'a str, &'a str)>,
    /// The folder is also analysed itself, beside the analyses that call it, and that analysis
    /// takes its files from here (`CalledModules::shared`): every file is kept, with the
    /// comments that may suppress its findings, so that the folder is parsed once.
    analysed: bool,
    /// How many of the analyses given these modules call the folder (`count_callers`).
    callers: usize,
    parsed: OnceLock<Parsed<'a>>,
    /// The resource types the folder declares (`*` for any, in the JSON syntax), and the
    /// folders its local calls name.
    outline: OnceLock<(Vec<String>, Vec<String>)>,
}

/// A called folder, parsed: the module, the files the rules are run on (those that declare
/// something: a `resource`, a `data` source, a `provider`), and, when the folder is analysed
/// itself, its other files. Otherwise a file of only variables, locals, outputs and calls is
/// read into the module and dropped, since what it says is in the module; most of a published
/// module's text is such files.
struct Parsed<'a> {
    module: Module,
    judged: Vec<SourceFile<'a>>,
    others: Vec<SourceFile<'a>>,
}

/// A folder's module and files as its callers read them, for the folder's own analysis (see
/// `CalledModules::shared`).
pub(crate) struct SharedFolder<'s, 'a> {
    parsed: &'s Parsed<'a>,
}

impl<'s, 'a> SharedFolder<'s, 'a> {
    /// The folder's module.
    pub(crate) fn module(&self) -> &'s Module {
        &self.parsed.module
    }

    /// The parsed file at `path`, one of the folder's files.
    pub(crate) fn file(&self, path: &str) -> Option<&'s SourceFile<'a>> {
        self.parsed
            .judged
            .iter()
            .chain(&self.parsed.others)
            .find(|file| file.path == path)
    }
}

/// The call being reported: a `module` block of the analysed file.
struct Top<'f> {
    file: &'f SourceFile<'f>,
    call: &'f ModuleCall,
}

/// The running state of one analysed file's judgements.
struct Judging<'r> {
    rules: &'r [&'static dyn Rule],
    config: &'r Config,
    /// The folders being judged, outermost first: a call of one of them is a cycle.
    stack: Vec<String>,
    judgements: usize,
    res: Vec<Diagnostic>,
}

impl<'a> CalledModules<'a> {
    /// The folders of `files` (display path, text), each a module a call may name; files may
    /// come in any order, and a path given twice counts once. Files of other formats and
    /// tfvars files are left out: a called module reads no tfvars.
    pub fn new(files: impl Iterator<Item = (&'a str, &'a str)>) -> Self {
        let mut folders: BTreeMap<&'a str, Folder<'a>> = BTreeMap::new();
        for (path, text) in files {
            if is_auto_loaded(path) || !is_terraform_path(path) {
                continue;
            }
            let folder = folders.entry(folder_of(path)).or_insert_with(|| Folder {
                inputs: Vec::new(),
                analysed: false,
                callers: 0,
                parsed: OnceLock::new(),
                outline: OnceLock::new(),
            });
            if !folder.inputs.iter().any(|(other, _)| *other == path) {
                folder.inputs.push((path, text));
            }
        }
        for folder in folders.values_mut() {
            folder.inputs.sort_by_key(|(path, _)| *path);
        }
        CalledModules {
            folders,
            counted: false,
        }
    }

    /// Tells, for each analysis that will be given these modules, the paths of the called
    /// files it was given (`redline check` gives each job those its local calls reach). A
    /// folder that one analysis calls is then parsed for that analysis alone and dropped with
    /// it, instead of being kept for every analysis; one that several call, or that one calls
    /// and that is also analysed itself (`also_analysed`), is parsed once for them all.
    pub fn count_callers<'p, I>(&mut self, analyses: impl Iterator<Item = I>)
    where
        I: Iterator<Item = &'p str>,
    {
        self.counted = true;
        for paths in analyses {
            let mut folders: Vec<&str> = paths.map(folder_of).collect();
            folders.sort_unstable();
            folders.dedup();
            for folder in folders {
                if let Some(found) = self.folders.get_mut(folder) {
                    found.callers += 1;
                }
            }
        }
    }

    /// Whether `folder`'s parse is kept for every analysis given these modules, rather than
    /// made by the one analysis that calls it: when several analyses call it, or one calls it
    /// and its own analysis is among them too, so that it is parsed once for both.
    fn shares(&self, folder: &Folder<'a>) -> bool {
        !self.counted || folder.callers + usize::from(folder.analysed) > 1
    }

    /// Tells which of the folders are also analysed themselves by the analyses sharing these
    /// modules (the Terraform folders of a `redline check` batch): each of those is parsed
    /// once, for its callers and its own analysis alike.
    pub fn also_analysed<'p>(&mut self, folders: impl Iterator<Item = &'p str>) {
        for folder in folders {
            if let Some(found) = self.folders.get_mut(folder) {
                found.analysed = true;
            }
        }
    }

    /// The parse of `folder` that its callers share, for the folder's own analysis, when
    /// `also_analysed` named it and its Terraform files are exactly `files` (display path and
    /// text, tfvars left out, in any order).
    pub(crate) fn shared(
        &self,
        folder: &str,
        files: &[(&str, &str)],
    ) -> Option<SharedFolder<'_, 'a>> {
        let found = self
            .folders
            .get(folder)
            .filter(|found| found.analysed && self.shares(found))?;
        let mut files = files.to_vec();
        files.sort_by_key(|(path, _)| *path);
        if files.len() != found.inputs.len()
            || files
                .iter()
                .zip(&found.inputs)
                .any(|(own, called)| own != called)
        {
            return None;
        }
        Some(SharedFolder {
            parsed: found.parsed_all(),
        })
    }

    /// What judging `folder` can find, by a look at the text of it and of the local modules
    /// it calls: only the attributes that rules read through a module (protective switches,
    /// `protection::is_guarded_through_module`, and `extra_types`; firewall rules, policy
    /// attachments and role grants, `through_module::READ_TYPES`) can take a value from a call, so a
    /// folder that neither declares such a resource nor calls, however indirectly, a folder
    /// that does is not parsed at all (most called modules hold none).
    fn relevance(&self, folder: &Folder<'a>, extra_types: &[String]) -> Relevance {
        let mut res = Relevance::None;
        let mut seen: Vec<&str> = Vec::new();
        let mut pending: Vec<&Folder<'a>> = vec![folder];
        while let Some(next) = pending.pop() {
            let (declared, called) = next.outline.get_or_init(|| outline(next));
            for kind in declared {
                if kind == "*" || extra_types.iter().any(|extra| extra == kind) {
                    return Relevance::Any;
                }
                if is_guarded_through_module(kind) {
                    return Relevance::Any;
                }
                if READ_TYPES.contains(&kind.as_str()) {
                    res = Relevance::WrittenOnly;
                }
            }
            for path in called {
                if seen.contains(&path.as_str()) {
                    continue;
                }
                if let Some((key, found)) = self.folders.get_key_value(path.as_str()) {
                    seen.push(key);
                    pending.push(found);
                }
            }
        }
        res
    }
}

/// What judging a called folder with a call's inputs can find.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Relevance {
    /// Nothing: neither it nor the folders it calls declare a resource whose attributes rules
    /// read through a module.
    None,
    /// Only findings that the caller's string literals write (`through_module::READ_TYPES`:
    /// an open address range, a policy ARN, a role), reported at such a literal.
    WrittenOnly,
    /// Anything: a protective switch may take its value from an input or a default.
    Any,
}

/// The resource types `folder`'s text declares (`*` for any resource in the JSON syntax), and
/// the folders its local calls name.
fn outline(folder: &Folder<'_>) -> (Vec<String>, Vec<String>) {
    let mut declared = Vec::new();
    let mut called = Vec::new();
    for (path, text) in &folder.inputs {
        if path.ends_with(".json") {
            if text.contains("\"resource\"") {
                declared.push("*".to_owned());
            }
        } else {
            declared.extend(text.lines().filter_map(resource_type).map(str::to_owned));
        }
        let own = folder_of(path);
        called.extend(
            local_sources(path, text)
                .iter()
                .filter_map(|source| local_source_folder(own, source)),
        );
    }
    declared.sort();
    declared.dedup();
    (declared, called)
}

impl<'s, 'a> Calls<'s, 'a> {
    /// The judging of one analysis with `called`; `config` says which resource types
    /// `force-destroy-enabled` reads besides its own.
    pub(crate) fn new(called: &'s CalledModules<'a>, config: &Config) -> Self {
        let extra_types = config
            .rule_options(ForceDestroyEnabled.meta().id())
            .and_then(|options| options.downcast_ref::<ForceDestroyOptions>())
            .map(|options| options.extra_resources.keys().cloned().collect())
            .unwrap_or_default();
        let own = called
            .folders
            .iter()
            .filter(|(_, folder)| !called.shares(folder))
            .map(|(path, _)| (*path, OnceLock::new()))
            .collect();
        Calls {
            called,
            extra_types,
            reads_module: RefCell::new(BTreeMap::new()),
            own,
        }
    }

    /// The findings that the local module calls of `file` cause in the modules they call,
    /// reported in `file`. `caller` evaluates the module of `file`; `rules` are the enabled
    /// rules for Terraform.
    pub(crate) fn judge(
        &self,
        file: &SourceFile<'_>,
        caller: &ModuleEval<'_>,
        rules: &[&'static dyn Rule],
        config: &Config,
    ) -> Vec<Diagnostic> {
        // Most files call no local module, or only modules without resources: their module
        // is not read for this.
        let folder = folder_of(file.path);
        let calls_relevant = file.terraform().blocks_of("module").any(|block| {
            block
                .body
                .attribute("source")
                .and_then(|source| source.value.value.as_str())
                .is_some_and(|source| self.relevance(folder, source) != Relevance::None)
        });
        if !calls_relevant {
            return Vec::new();
        }
        let caller = caller.evaluator();
        let module = caller.module();
        let mut judging = Judging {
            rules,
            config,
            stack: vec![folder_of(file.path).to_owned()],
            judgements: 0,
            res: Vec::new(),
        };
        for call in module
            .module_calls
            .values()
            .filter(|call| call.location.path == file.path)
        {
            let top = Top { file, call };
            if !self.may_find(&top, module) {
                continue;
            }
            self.judge_call(
                &top,
                caller,
                call,
                &format!("module.{}.", call.name),
                &mut judging,
            );
        }
        judging.res
    }

    fn judge_call(
        &self,
        top: &Top<'_>,
        caller: &Evaluator<'_>,
        call: &ModuleCall,
        prefix: &str,
        judging: &mut Judging<'_>,
    ) {
        let caller_folder = judging.stack.last().map_or("", String::as_str);
        let Some(folder_path) = call
            .source
            .as_deref()
            .and_then(|source| local_source_folder(caller_folder, source))
        else {
            return;
        };
        // A call of a folder being judged (the module itself, or one that calls it) would
        // never end; Terraform refuses it too.
        if judging.stack.len() > MAX_CALL_DEPTH || judging.stack.contains(&folder_path) {
            return;
        }
        let Some(folder) = self.called.folders.get(folder_path.as_str()) else {
            return;
        };
        if self.called.relevance(folder, &self.extra_types) == Relevance::None {
            return;
        }
        let parsed = match self.own.get(folder_path.as_str()) {
            Some(own) => own.get_or_init(|| folder.parse(false)),
            None => folder.parsed_all(),
        };
        let (module, files) = (&parsed.module, parsed.judged.as_slice());
        let instances: Vec<Option<Instance>> = match caller.call_instances(call) {
            Instances::Known(instances) => instances
                .into_iter()
                .take(MAX_INSTANCES)
                .map(Some)
                .collect(),
            Instances::Single | Instances::Unknown => vec![None],
        };
        let mut bindings: Vec<Binding> = Vec::new();
        for instance in &instances {
            let binding = bind(caller, call, module, instance.as_ref());
            if !bindings.iter().any(|other| other.same_values(&binding)) {
                bindings.push(binding);
            }
        }
        for binding in bindings {
            if judging.judgements >= MAX_JUDGEMENTS {
                return;
            }
            judging.judgements += 1;
            let eval = ModuleEval::called(module, binding);
            let evaluator = eval.evaluator();
            for child in files {
                self.judge_file(top, child, &eval, evaluator, prefix, judging);
            }
            judging.stack.push(folder_path.clone());
            for nested in module.module_calls.values() {
                let prefix = format!("{prefix}module.{}.", nested.name);
                self.judge_call(top, evaluator, nested, &prefix, judging);
            }
            judging.stack.pop();
        }
    }

    /// Whether judging the top call can find anything: a folder whose findings can only be
    /// reported at a string literal of the caller (`Relevance::WrittenOnly`) is not judged for
    /// a call that writes no literal which may hold an unsafe text where `written_place`
    /// looks (the call's inputs, `count` and `for_each`, and the caller's locals).
    fn may_find(&self, top: &Top<'_>, caller: &Module) -> bool {
        let Some(source) = top.call.source.as_deref() else {
            return false;
        };
        match self.relevance(folder_of(top.file.path), source) {
            Relevance::None => false,
            Relevance::Any => true,
            Relevance::WrittenOnly => top
                .call
                .inputs
                .values()
                .chain(&top.call.count)
                .chain(&top.call.for_each)
                .chain(caller.locals.values().map(|local| &local.value))
                .filter(|location| location.path == top.file.path)
                .filter_map(|location| {
                    top.file
                        .text
                        .get(location.range.start().to_usize()..location.range.end().to_usize())
                })
                .any(|slice| {
                    string_literals(slice)
                        .iter()
                        .any(|(_, value)| through_module::may_be_written(value))
                }),
        }
    }

    /// What judging the folder a call from `caller_folder` with `source` names can find;
    /// nothing when the front-end did not give that folder.
    fn relevance(&self, caller_folder: &str, source: &str) -> Relevance {
        local_source_folder(caller_folder, source)
            .and_then(|called| self.called.folders.get(called.as_str()))
            .map_or(Relevance::None, |called| {
                self.called.relevance(called, &self.extra_types)
            })
    }

    /// Runs the rules on one file of a called module and keeps what the top call causes.
    fn judge_file(
        &self,
        top: &Top<'_>,
        child: &SourceFile<'_>,
        eval: &ModuleEval<'_>,
        evaluator: &Evaluator<'_>,
        prefix: &str,
        judging: &mut Judging<'_>,
    ) {
        let home = folder_of(top.file.path);
        for rule in judging.rules {
            let key = (child.path.to_owned(), rule.meta().id());
            if self.reads_module.borrow().get(&key) == Some(&false) {
                continue;
            }
            let (found, used_module) =
                crate::run_rule_with_sources(*rule, child, eval, home, judging.config);
            self.reads_module.borrow_mut().insert(key, used_module);
            for (diagnostic, source) in found {
                let Some(source) = source else {
                    continue;
                };
                if let Some(rehomed) = rehome(top, child, evaluator, prefix, diagnostic, &source)
                    && !judging.res.iter().any(|other| {
                        other.rule == rehomed.rule
                            && other.range == rehomed.range
                            && other.message == rehomed.message
                    })
                {
                    judging.res.push(rehomed);
                }
            }
        }
    }
}

impl<'a> Folder<'a> {
    /// The folder parsed once for every analysis given it, its own included when it is
    /// analysed too.
    fn parsed_all(&self) -> &Parsed<'a> {
        self.parsed.get_or_init(|| self.parse(self.analysed))
    }

    /// The folder parsed, with every file when `for_own_analysis`, or else only the files the
    /// rules judge.
    fn parse(&self, for_own_analysis: bool) -> Parsed<'a> {
        // One file parsed at a time, and dropped once read unless the rules judge it or the
        // folder's own analysis takes it; a kept file keeps what the rules read, without its
        // tree.
        let mut inputs = self.inputs.clone();
        inputs.sort_by_key(|(path, _)| reading_order(path));
        let mut res = Parsed {
            module: Module::empty(),
            judged: Vec::new(),
            others: Vec::new(),
        };
        for (path, text) in inputs {
            let Some(mut file) = parse_source(path, text, Default::default()) else {
                continue;
            };
            if file.format != Format::Terraform {
                if for_own_analysis {
                    res.others.push(file);
                }
                continue;
            }
            res.module.read(&file);
            let judged = declares_something(&file);
            if !judged && !for_own_analysis {
                continue;
            }
            // A called file's suppression comments apply to its own analysis only.
            file.shed_tree(for_own_analysis && crate::suppression::may_have_suppressions(&file));
            if judged {
                res.judged.push(file);
            } else {
                res.others.push(file);
            }
        }
        res.judged.sort_by_key(|file| file.path);
        res
    }
}

/// Whether `file` has a top-level block that the rules judge: anything but the parts of a
/// module's interface and wiring, which the module holds.
fn declares_something(file: &SourceFile<'_>) -> bool {
    const WIRING: [&str; 8] = [
        "variable",
        "output",
        "locals",
        "terraform",
        "module",
        "moved",
        "removed",
        "import",
    ];
    file.terraform()
        .blocks
        .iter()
        .any(|block| !WIRING.contains(&block.kind.as_str()))
}

/// The type of a `resource "TYPE" "name" {` line.
fn resource_type(line: &str) -> Option<&str> {
    let rest = line.trim_start().strip_prefix("resource")?;
    let rest = rest.trim_start().strip_prefix('"')?;
    rest.split('"').next()
}

pub(crate) fn is_terraform_path(path: &str) -> bool {
    path.ends_with(".tf") || path.ends_with(".tf.json")
}

/// A finding of a called module's file as the top call's own, or `None` when the top call
/// does not cause it (the called module decides the value by itself) or the resource has no
/// instance with the call's values (`count = var.create ? 1 : 0` with `create = false`).
fn rehome(
    top: &Top<'_>,
    child: &SourceFile<'_>,
    evaluator: &Evaluator<'_>,
    prefix: &str,
    diagnostic: Diagnostic,
    source: &ValueSource,
) -> Option<Diagnostic> {
    let is_top =
        |call: &str, location: &Location| call == top.call.name && location.path == top.file.path;
    let input = source.trace.iter().rposition(
        |origin| matches!(origin, Origin::Input { call, location, .. } if is_top(call, location)),
    );
    let unset = source.trace.iter().find_map(|origin| match origin {
        Origin::InputDefault {
            call,
            call_location,
            ..
        } if is_top(call, call_location) => Some(call_location),
        _ => None,
    });
    let model = child.terraform();
    let resource = model
        .resources()
        .find(|resource| resource.block.range.contains_range(diagnostic.range));
    if let Some(resource) = &resource
        && evaluator.instances(child.path, resource.block) == Instances::Known(Vec::new())
    {
        return None;
    }
    let block = top_block(top)?;
    let (range, fixes) = if let Some(written) = &source.written {
        // A finding that only a caller's explicit value causes goes where the caller writes
        // the unsafe text, or nowhere: the called module's own literal or default decides.
        written_place(top, source, written)?
    } else {
        match (input, unset) {
            (Some(index), _) => {
                let Origin::Input { location, .. } = &source.trace[index] else {
                    return None;
                };
                let range = block
                    .body
                    .attributes
                    .iter()
                    .find(|attribute| attribute.value.range == location.range)
                    .map_or(location.range, |attribute| attribute.range);
                // A fix moves to the input only when the input is what decides the value (no
                // variable of the caller's in between) and every edit rewrites the value read.
                let decides = source.deciding == Some(index);
                let fixes = if decides {
                    diagnostic
                        .fixes
                        .iter()
                        .filter_map(|fix| {
                            let edits: Option<Vec<Edit>> = fix
                                .edits()
                                .iter()
                                .map(|edit| {
                                    (edit.range == source.value)
                                        .then(|| Edit::replace(location.range, &edit.replacement))
                                })
                                .collect();
                            Fix::new(fix.title.clone(), fix.applicability, edits?).ok()
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                (range, fixes)
            }
            (None, Some(_)) => {
                let label_end = block
                    .labels
                    .last()
                    .map_or(block.range.end(), |label| label.range.end());
                (TextRange::new(block.range.start(), label_end), Vec::new())
            }
            (None, None) => return None,
        }
    };
    let address = resource.as_ref().map(|resource| resource.address());
    let mut message = diagnostic.message;
    if let Some(address) = &address {
        let written = format!("`{address}`");
        if let Some(at) = message.find(&written) {
            message.replace_range(at..at + written.len(), &format!("`{prefix}{address}`"));
        }
    }
    let mut related = vec![Related {
        path: Some(child.path.to_owned()),
        range: diagnostic.range,
        message: match &address {
            Some(address) => format!("`{prefix}{address}` reads the value here"),
            None => format!("`{}` reads the value here", prefix.trim_end_matches('.')),
        },
    }];
    for place in diagnostic.related {
        let path = place.path.unwrap_or_else(|| child.path.to_owned());
        if path == top.file.path && range.contains_range(place.range) {
            continue;
        }
        let path = (path != top.file.path).then_some(path);
        related.push(Related { path, ..place });
    }
    Some(Diagnostic {
        range,
        message,
        fixes,
        related,
        // The object lies in the called module's file, not in this one.
        subject: None,
        ..diagnostic
    })
}

/// Where the top call's file writes `written`: a string literal that holds the text, whole or
/// as one of its comma-separated parts, inside an input of the top call that the value was
/// read through (the last read first), a local of the file it was read through, or the call's
/// `for_each` or `count` (where `each.value` comes from). With a fix when the literal is
/// exactly the text and the rule knows how to fix it. `None` when the file writes it nowhere.
fn written_place(
    top: &Top<'_>,
    source: &ValueSource,
    written: &Written,
) -> Option<(TextRange, Vec<Fix>)> {
    let in_top = |location: &Location| location.path == top.file.path;
    let mut places: Vec<TextRange> = Vec::new();
    for origin in source.trace.iter().rev() {
        if let Origin::Input { call, location, .. } = origin
            && call == &top.call.name
            && in_top(location)
        {
            places.push(location.range);
        }
    }
    for origin in &source.trace {
        if let Origin::Local { location, .. } = origin
            && in_top(location)
        {
            places.push(location.range);
        }
    }
    places.extend(
        [&top.call.for_each, &top.call.count]
            .into_iter()
            .flatten()
            .filter(|location| in_top(location))
            .map(|location| location.range),
    );
    let text = &top.file.text;
    for place in places {
        let Some(slice) = text.get(place.start().to_usize()..place.end().to_usize()) else {
            continue;
        };
        let Some((range, exact)) = string_literals(slice)
            .into_iter()
            .find_map(|(range, value)| {
                let exact = value == written.text;
                (exact || value.split(',').any(|part| part.trim() == written.text))
                    .then_some((range, exact))
            })
        else {
            continue;
        };
        let base = place.start().to_usize();
        let range = TextRange::from_usize(base + range.start, base + range.end);
        let fixes = match (&written.fix, exact) {
            (Some((title, applicability, replacement)), true) => vec![Fix::single(
                title.clone(),
                *applicability,
                Edit::replace(range, replacement.clone()),
            )],
            _ => Vec::new(),
        };
        return Some((range, fixes));
    }
    None
}

/// The plain string literals of a piece of HCL or JSON source, each with its range in `text`
/// (quotes included) and its value: literals with an interpolation or a directive are left
/// out, and so is anything inside a comment.
fn string_literals(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let bytes = text.as_bytes();
    let mut res = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'#' => at = text[at..].find('\n').map_or(bytes.len(), |end| at + end),
            b'/' if bytes.get(at + 1) == Some(&b'/') => {
                at = text[at..].find('\n').map_or(bytes.len(), |end| at + end);
            }
            b'/' if bytes.get(at + 1) == Some(&b'*') => {
                at = text[at + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |end| at + 2 + end + 2);
            }
            b'"' => {
                let start = at;
                let mut value = String::new();
                let mut plain = true;
                let mut depth = 0usize;
                at += 1;
                while at < bytes.len() {
                    let byte = bytes[at];
                    if depth > 0 {
                        match byte {
                            b'{' => depth += 1,
                            b'}' => depth -= 1,
                            _ => {}
                        }
                        at += 1;
                        continue;
                    }
                    match byte {
                        b'\\' => {
                            if let Some(next) = text[at + 1..].chars().next() {
                                value.push(match next {
                                    'n' => '\n',
                                    't' => '\t',
                                    other => other,
                                });
                                at += 1 + next.len_utf8();
                            } else {
                                at += 1;
                            }
                            continue;
                        }
                        b'$' | b'%' if bytes.get(at + 1) == Some(&b'{') => {
                            plain = false;
                            depth = 1;
                            at += 2;
                            continue;
                        }
                        b'"' | b'\n' => break,
                        _ => {}
                    }
                    let Some(next) = text[at..].chars().next() else {
                        break;
                    };
                    value.push(next);
                    at += next.len_utf8();
                }
                if bytes.get(at) == Some(&b'"') {
                    at += 1;
                    if plain {
                        res.push((start..at, value));
                    }
                }
            }
            _ => at += 1,
        }
    }
    res
}

/// The `module` block of the top call in the analysed file's model.
fn top_block<'f>(top: &Top<'f>) -> Option<&'f redline_syntax::terraform::Block> {
    top.file
        .terraform()
        .blocks_of("module")
        .find(|block| block.label(0) == Some(top.call.name.as_str()))
}

/// The inputs of an analysis that belong to other folders than `folder`, as (path, text).
pub(crate) fn other_folders<'a>(
    folder: &'a str,
    inputs: impl Iterator<Item = &'a SourceInput<'a>>,
) -> impl Iterator<Item = (&'a str, &'a str)> {
    inputs
        .filter(move |input| folder_of(input.path) != folder)
        .map(|input| (input.path, input.text))
}

#[cfg(test)]
mod tests {
    use redline_syntax::SourceHints;

    use crate::{AnalysisOptions, FileAnalysis, SourceInput, analyze_folder};

    use super::*;

    fn input<'a>(path: &'a str, text: &'a str) -> SourceInput<'a> {
        SourceInput {
            path,
            text,
            hints: SourceHints::default(),
            config_relative_path: None,
        }
    }

    fn analyse(
        inputs: &[(&str, &str)],
        context: &[(&str, &str)],
        rules: &[&'static str],
    ) -> Vec<FileAnalysis> {
        let inputs: Vec<SourceInput<'_>> = inputs.iter().map(|(p, t)| input(p, t)).collect();
        let context: Vec<SourceInput<'_>> = context.iter().map(|(p, t)| input(p, t)).collect();
        let options = AnalysisOptions {
            today: None,
            select: Some(rules.to_vec()),
        };
        analyze_folder(&inputs, &context, &Config::default(), &options)
    }

    const DB_MAIN: &str = "resource \"aws_db_instance\" \"this\" {\n  count               = var.create ? 1 : 0\n  skip_final_snapshot = var.skip_final_snapshot\n  deletion_protection = var.deletion_protection\n  final_snapshot_identifier = \"x\"\n}\n";
    const DB_VARIABLES: &str = "variable \"create\" {\n  default = true\n}\nvariable \"skip_final_snapshot\" {\n  default = false\n}\nvariable \"deletion_protection\" {\n  default = false\n}\n";
    const ROOT_MAIN: &str = "module \"db_instance\" {\n  source = \"./modules/db_instance\"\n  create = var.create\n  skip_final_snapshot = var.skip_final_snapshot\n  deletion_protection = var.deletion_protection\n}\n";
    const ROOT_VARIABLES: &str = "variable \"create\" {\n  default = true\n}\nvariable \"skip_final_snapshot\" {\n  default = false\n}\nvariable \"deletion_protection\" {\n  default = false\n}\n";

    /// Runs `work` on another thread and fails when it takes longer than a minute, which a
    /// debug build on a busy two-core machine stays far below.
    fn within_a_minute<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = sender.send(work());
        });
        receiver
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the analysis ends within a minute")
    }

    fn bucket_ids(analysis: &FileAnalysis) -> Vec<&'static str> {
        analysis.diagnostics.iter().map(|d| d.rule.id).collect()
    }

    /// A chain of modules, each calling the next with the value it was given; the last one
    /// holds a bucket. Returns (path, text) of every file, the first folder first.
    fn chain(length: usize) -> Vec<(String, String)> {
        let mut res = vec![(
            "m0/main.tf".to_owned(),
            "module \"next\" {\n  source        = \"../m1\"\n  force_destroy = true\n}\n"
                .to_owned(),
        )];
        for index in 1..length {
            let body = if index + 1 == length {
                "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = var.force_destroy\n}\n"
                    .to_owned()
            } else {
                format!(
                    "module \"next\" {{\n  source        = \"../m{}\"\n  force_destroy = var.force_destroy\n}}\n",
                    index + 1
                )
            };
            res.push((
                format!("m{index}/main.tf"),
                format!("variable \"force_destroy\" {{\n  default = false\n}}\n{body}"),
            ));
        }
        res
    }

    fn analyse_owned(files: Vec<(String, String)>) -> Vec<FileAnalysis> {
        let (first, context) = files.split_at(1);
        let first: Vec<(&str, &str)> = first
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        let context: Vec<(&str, &str)> = context
            .iter()
            .map(|(p, t)| (p.as_str(), t.as_str()))
            .collect();
        analyse(&first, &context, &["RL-TF-010"])
    }

    #[test]
    fn chains_of_calls_are_followed_to_a_bounded_depth() {
        let short = analyse_owned(chain(4));
        assert_eq!(bucket_ids(&short[0]), ["RL-TF-010"]);
        assert!(
            short[0].diagnostics[0]
                .message
                .contains("`module.next.module.next.module.next.aws_s3_bucket.b`"),
            "{}",
            short[0].diagnostics[0].message
        );
        // Past `MAX_CALL_DEPTH` levels the bucket is not reached, and ten thousand levels end
        // as quickly as nine.
        let deep = within_a_minute(|| analyse_owned(chain(MAX_CALL_DEPTH + 2)));
        assert!(bucket_ids(&deep[0]).is_empty());
        let very_deep = within_a_minute(|| analyse_owned(chain(10_000)));
        assert!(bucket_ids(&very_deep[0]).is_empty());
    }

    #[test]
    fn cycles_and_calls_of_the_module_itself_end() {
        let analyses = within_a_minute(|| {
            analyse_owned(vec![
                (
                    "a/main.tf".to_owned(),
                    "module \"b\" {\n  source = \"../b\"\n  force_destroy = true\n}\nmodule \"self\" {\n  source = \"./\"\n  force_destroy = true\n}\nmodule \"dot\" {\n  source = \"../a\"\n}\n".to_owned(),
                ),
                (
                    "b/main.tf".to_owned(),
                    "variable \"force_destroy\" {\n  default = false\n}\nmodule \"a\" {\n  source = \"../a\"\n}\nmodule \"b\" {\n  source = \"../b\"\n}\nresource \"aws_s3_bucket\" \"b\" {\n  force_destroy = var.force_destroy\n}\n".to_owned(),
                ),
            ])
        });
        // `b`'s bucket is reached once, through the call that sets the input; the calls back
        // into `a` and of `b` itself are not followed.
        assert_eq!(bucket_ids(&analyses[0]), ["RL-TF-010"]);
    }

    #[test]
    fn wide_calls_and_huge_inputs_are_bounded() {
        // A thousand calls, each of a module that calls another twenty times with other
        // values: the judgements per analysed file are bounded.
        let mut top = String::new();
        for index in 0..1_000 {
            top.push_str(&format!(
                "module \"c{index}\" {{\n  source = \"../child\"\n  n = {index}\n  force_destroy = true\n}}\n"
            ));
        }
        let mut child =
            String::from("variable \"n\" {}\nvariable \"force_destroy\" {\n  default = false\n}\n");
        for index in 0..20 {
            child.push_str(&format!(
                "module \"g{index}\" {{\n  source = \"../grandchild\"\n  n = var.n + {index}\n  force_destroy = var.force_destroy\n}}\n"
            ));
        }
        let grandchild = "variable \"n\" {}\nvariable \"force_destroy\" {\n  default = false\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"b-${var.n}\"\n  force_destroy = var.force_destroy\n}\n";
        let analyses = within_a_minute(move || {
            analyse_owned(vec![
                ("top/main.tf".to_owned(), top),
                ("child/main.tf".to_owned(), child),
                ("grandchild/main.tf".to_owned(), grandchild.to_owned()),
            ])
        });
        let n_findings = analyses[0].diagnostics.len();
        assert!(
            (1..=MAX_JUDGEMENTS).contains(&n_findings),
            "{n_findings} findings"
        );

        // An input ten thousand levels deep and a list of a hundred thousand items exhaust the
        // evaluator's bounds and are unknown; a string of four megabytes is read, and nothing
        // is slow.
        let deep = format!("{}true{}", "(".repeat(10_000), ")".repeat(10_000));
        let items = format!("[{}]", "true, ".repeat(100_000));
        let long = format!("\"{}\"", "x".repeat(4 << 20));
        let caller = format!(
            "module \"deep\" {{\n  source = \"../bucket\"\n  force_destroy = {deep}\n}}\nmodule \"items\" {{\n  source = \"../bucket\"\n  force_destroy = {items}[0]\n}}\nmodule \"long\" {{\n  source = \"../bucket\"\n  name = {long}\n}}\n"
        );
        let bucket = "variable \"name\" {\n  default = \"b\"\n}\nvariable \"force_destroy\" {\n  default = false\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = var.name\n  force_destroy = var.force_destroy\n}\n";
        let analyses = within_a_minute(move || {
            analyse_owned(vec![
                ("caller/main.tf".to_owned(), caller),
                ("bucket/main.tf".to_owned(), bucket.to_owned()),
            ])
        });
        assert!(
            bucket_ids(&analyses[0]).is_empty(),
            "{:#?}",
            analyses[0].diagnostics
        );
    }

    /// One set of called modules serves the analyses of many folders, on many threads.
    #[test]
    fn called_modules_are_shared_between_threads() {
        fn shared<T: Send + Sync>() {}
        shared::<CalledModules<'static>>();
    }

    #[test]
    fn a_called_folder_also_analysed_is_parsed_once_with_the_same_findings() {
        // The called folder holds a literal danger of its own, a suppressed one, and a value
        // its callers set.
        let db_main = "resource \"aws_s3_bucket\" \"own\" {\n  force_destroy = true\n}\n\
                       resource \"aws_s3_bucket\" \"quiet\" {\n  \
                       # redline:ignore RL-TF-010 -- scratch bucket\n  force_destroy = true\n}\n\
                       resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = var.force_destroy\n}\n";
        let db_variables = "variable \"force_destroy\" {\n  default = false\n}\n";
        let caller = "module \"db\" {\n  source        = \"../db\"\n  force_destroy = true\n}\n";
        let files = [
            ("app/main.tf", caller),
            ("db/main.tf", db_main),
            ("db/variables.tf", db_variables),
        ];
        let options = AnalysisOptions {
            today: None,
            select: Some(vec!["RL-TF-010"]),
        };
        let config = Config::default();
        let found = |analyses: Vec<FileAnalysis>| -> Vec<Vec<(usize, &'static str)>> {
            analyses
                .iter()
                .map(|analysis| {
                    analysis
                        .diagnostics
                        .iter()
                        .map(|d| (d.range.start().to_usize(), d.rule.id))
                        .collect()
                })
                .collect()
        };
        let analyse = |called: &CalledModules<'_>, caller_first: bool| {
            let app = [input("app/main.tf", caller)];
            let db = [
                input("db/main.tf", db_main),
                input("db/variables.tf", db_variables),
            ];
            let mut app_analysis = Vec::new();
            if caller_first {
                app_analysis =
                    crate::analyze_folder_with_calls(&app, &[], called, &config, &options);
            }
            let db_analysis = crate::analyze_folder_with_calls(&db, &[], called, &config, &options);
            if !caller_first {
                app_analysis =
                    crate::analyze_folder_with_calls(&app, &[], called, &config, &options);
            }
            (found(app_analysis), found(db_analysis))
        };
        let apart = analyse(&CalledModules::new(files.iter().copied()), true);
        assert_eq!(
            apart.0,
            [vec![(caller.find("force_destroy").unwrap(), "RL-TF-010")]]
        );
        assert_eq!(
            apart.1,
            [
                vec![(db_main.find("force_destroy").unwrap(), "RL-TF-010")],
                vec![]
            ]
        );
        for caller_first in [true, false] {
            let mut called = CalledModules::new(files.iter().copied());
            called.also_analysed(["db"].into_iter());
            assert_eq!(analyse(&called, caller_first), apart, "{caller_first}");
            // The folder's own analysis took the files its callers read.
            let db = [
                input("db/main.tf", db_main),
                input("db/variables.tf", db_variables),
            ];
            let shared = called
                .shared("db", &[(db[0].path, db[0].text), (db[1].path, db[1].text)])
                .expect("shared");
            assert!(shared.file("db/variables.tf").is_some());
            // Other texts under the same paths are not taken for them.
            assert!(called.shared("db", &[(db[0].path, db_variables)]).is_none());
        }
        // Told that one analysis calls the folder, and not that the folder is analysed too,
        // the analyses keep no parse of it: the caller parses it for itself, and the findings
        // are the same. Told that one calls it and it is analysed, or that two call it, it is
        // parsed once and shared again.
        for (callers, analysed, shares) in [(1, false, false), (1, true, true), (2, true, true)] {
            for caller_first in [true, false] {
                let mut called = CalledModules::new(files.iter().copied());
                called.count_callers(
                    (0..callers).map(|_| ["db/main.tf", "db/variables.tf"].into_iter()),
                );
                if analysed {
                    called.also_analysed(["db"].into_iter());
                }
                assert_eq!(
                    analyse(&called, caller_first),
                    apart,
                    "{callers} {caller_first}"
                );
                let db = [("db/main.tf", db_main), ("db/variables.tf", db_variables)];
                assert_eq!(called.shared("db", &db).is_some(), shares, "{callers}");
                assert_eq!(
                    called.folders["db"].parsed.get().is_some(),
                    shares,
                    "{callers} {caller_first}"
                );
            }
        }
    }

    #[test]
    fn string_literals_are_plain_strings_outside_comments() {
        let text = "[\n  \"0.0.0.0/0\", # \"in a comment\"\n  \"a\\\"b\", \"${var.x}/0\", /* \"c\" */ \"d\" // \"e\"\n]";
        let found: Vec<(&str, String)> = string_literals(text)
            .into_iter()
            .map(|(range, value)| (&text[range], value))
            .collect();
        assert_eq!(
            found,
            [
                ("\"0.0.0.0/0\"", "0.0.0.0/0".to_owned()),
                ("\"a\\\"b\"", "a\"b".to_owned()),
                ("\"d\"", "d".to_owned()),
            ]
        );
    }

    #[test]
    fn nested_calls_report_the_inputs_of_the_analysed_file() {
        let example = "module \"db\" {\n  source = \"../../\"\n  skip_final_snapshot = true\n  deletion_protection = false\n}\nmodule \"off\" {\n  source = \"../../\"\n  create = false\n  skip_final_snapshot = true\n}\nmodule \"unset\" {\n  source = \"../../\"\n}\n";
        let analyses = analyse(
            &[("rds/examples/complete/main.tf", example)],
            &[
                ("rds/main.tf", ROOT_MAIN),
                ("rds/variables.tf", ROOT_VARIABLES),
                ("rds/modules/db_instance/main.tf", DB_MAIN),
                ("rds/modules/db_instance/variables.tf", DB_VARIABLES),
            ],
            &["RL-TF-008", "RL-TF-009"],
        );
        let found: Vec<(&str, String)> = analyses[0]
            .diagnostics
            .iter()
            .map(|d| (d.rule.id, example[d.range.to_std()].to_owned()))
            .collect();
        assert_eq!(
            found,
            [
                ("RL-TF-009", "skip_final_snapshot = true".to_owned()),
                ("RL-TF-008", "deletion_protection = false".to_owned()),
                ("RL-TF-008", "module \"unset\"".to_owned()),
            ],
            "{:#?}",
            analyses[0].diagnostics
        );
        let [snapshot, protection, unset] = analyses[0].diagnostics.as_slice() else {
            unreachable!();
        };
        assert_eq!(
            protection.message,
            "`deletion_protection` is `false` through `var.deletion_protection` (set by \
             `module.db_instance` at ../../main.tf:5), `var.deletion_protection` (set by \
             `module.db` at main.tf:4) on `module.db.module.db_instance.aws_db_instance.this`: \
             nothing stops the cloud API from deleting it and its data; set the value at \
             main.tf:4 to `true`"
        );
        // The fix rewrites the input, and the called module's line is related information.
        assert_eq!(protection.fixes.len(), 1);
        assert_eq!(
            &example[protection.fixes[0].edits()[0].range.to_std()],
            "false"
        );
        assert_eq!(
            protection.related[0].path.as_deref(),
            Some("rds/modules/db_instance/main.tf")
        );
        assert_eq!(snapshot.fixes.len(), 1);
        // Unset: the default of the called module decides, and the call is where to act.
        assert!(unset.fixes.is_empty());
        assert!(
            unset
                .message
                .contains("left unset by `module.unset`, default in ../../variables.tf:8")
                && unset
                    .message
                    .ends_with("set `deletion_protection = true` in `module.unset`"),
            "{}",
            unset.message
        );
        assert_eq!(
            unset
                .related
                .iter()
                .map(|r| r.path.as_deref())
                .collect::<Vec<_>>(),
            [
                Some("rds/modules/db_instance/main.tf"),
                Some("rds/variables.tf")
            ]
        );
    }
}

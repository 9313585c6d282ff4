use crate::terraform::module_change::ModuleChange;
use std::cell::{Cell, OnceCell, RefCell};
use std::sync::Arc;

use redline_diagnostics::{Applicability, Diagnostic, Edit, Fix, Related, Severity};
use redline_syntax::SourceFile;
use redline_syntax::terraform_eval::Location;
use redline_syntax::terraform_eval::calls::Binding;
use redline_syntax::terraform_eval::evaluate::{Evaluator, Origin};
use redline_syntax::terraform_eval::symbols::{
    Classification, KindReason, Module, ModuleKind, ModuleLayout,
};
use redline_syntax::terraform_eval::tfvars::Tfvars;
use redline_syntax::value::Node;
use redline_text::TextRange;

use crate::RuleMeta;

/// What a rule sees of one file, and where it reports.
pub struct RuleContext<'a> {
    file: &'a SourceFile<'a>,
    meta: &'static RuleMeta,
    options: Option<&'a (dyn std::any::Any + Send + Sync)>,
    change: Option<&'a Change<'a>>,
    module: Option<&'a (dyn EvaluateModule + 'a)>,
    home_folder: Option<&'a str>,
    /// The documents a rule local to one document judges, by index; `None` for all.
    documents: Option<&'a [bool]>,
    /// Whether the rule asked for the module's evaluator.
    used_module: Cell<bool>,
    /// Whether the rule asked for the other side of the edit.
    asked_change: Cell<bool>,
    /// What `protection::read` learnt about the values it read, so that a finding reported at
    /// the same attribute points at where its value is decided.
    sources: RefCell<Vec<ValueSource>>,
    // Invariant: one entry per diagnostic, in the same order.
    diagnostics: Vec<(Diagnostic, Option<ValueSource>)>,
}

/// Where the value behind a finding comes from, when a rule read it through the module's
/// variables, locals, tfvars or a module call's inputs.
#[derive(Clone, Debug)]
pub struct ValueSource {
    /// The attribute that was read.
    pub attribute: TextRange,
    /// Its value expression.
    pub value: TextRange,
    /// The variables, locals and inputs the value came through, in the order they were read.
    pub trace: Vec<Origin>,
    /// The index in `trace` of the origin that decides the value: the last variable value
    /// read (a default, a tfvars value, a module call's input, or the default a call leaves in
    /// place), else the last local.
    pub deciding: Option<usize>,
    /// Where the deciding value is written, and what it is, for related information.
    pub decided: Option<(Location, String)>,
    /// The value is a default of a module meant to be called, which applies only to callers
    /// that leave the variable unset: the finding is at most an info.
    pub reusable_default: bool,
    /// The text that makes the value unsafe, for a finding that only a caller's explicit value
    /// causes in a called module (an open address range, a policy ARN, a role): the engine
    /// reports it where the caller writes that text, and not at all when the caller writes it
    /// nowhere (the called module's own literal or default decides).
    pub written: Option<Written>,
}

/// The unsafe text of a value read through a module, and how to fix a literal that holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// The text, as a string literal holds it whole or as one of its comma-separated parts.
    pub text: String,
    /// The fix of a literal that is exactly the text: its title, its applicability, and the
    /// source text that replaces the literal.
    pub fix: Option<(String, Applicability, String)>,
}

/// A variable definitions file of a module's folder (`terraform.tfvars`, `*.auto.tfvars`, and
/// their `.json` forms), as text.
#[derive(Clone, Copy, Debug)]
pub struct TfvarsText<'a> {
    /// The display path of the file.
    pub path: &'a str,
    /// Its text.
    pub text: &'a str,
}

/// The Terraform module a file belongs to (every `.tf` and `.tf.json` file of its folder, and
/// the folder's tfvars), read and evaluated only when a rule first asks.
///
/// The engine makes one per folder and analysis, and every file of the folder shares it, so
/// locals are evaluated once. It is not shared between threads.
pub struct ModuleEval<'m> {
    source: ModuleSource<'m>,
    tfvars: Vec<TfvarsText<'m>>,
    layout: ModuleLayout,
    /// The inputs of the module call the module is judged for; `None` for a module analysed
    /// on its own.
    binding: Option<Binding>,
    evaluator: OnceCell<Evaluator<'m>>,
    /// The module evaluated as a root, to see what its defaults alone give.
    defaults: OnceCell<Evaluator<'m>>,
}

/// Where a `ModuleEval` gets its module.
enum ModuleSource<'m> {
    /// Read by `build` on first use, and kept in `cell`.
    Lazy {
        cell: &'m OnceCell<Arc<Module>>,
        build: Box<dyn Fn() -> Arc<Module> + 'm>,
    },
    /// Already read.
    Ready(&'m Module),
}

/// The other side of an edit, for rules that judge the change rather than the snapshot.
///
/// Present only when the engine analyses an old/new pair (`redline diff`, the language server
/// against the file's base, the agent gate). The file a rule sees is always the new side; for a
/// deleted file it is empty, parsed in the format of its base.
#[derive(Clone, Copy)]
pub struct Change<'a> {
    /// This file before the edit; `None` when the file is new.
    pub base: Option<&'a SourceFile<'a>>,
    /// Every file of the same folder and format before the edit, this file's base included, in
    /// path order. A Terraform module is a folder: a block moved to another file of it is not a
    /// removal.
    pub folder_base: &'a [&'a SourceFile<'a>],
    /// The same folder after the edit, this file included, in path order.
    pub folder_new: &'a [&'a SourceFile<'a>],
    /// The Terraform module of the folder before the edit, evaluated on first use, so that
    /// edit rules compare the values Terraform would use on each side; `None` for files of
    /// other formats. The new side's module is `RuleContext::terraform_module`.
    pub module_base: Option<&'a (dyn EvaluateModule + 'a)>,
    /// Whether the edit deletes the file; a file whose new text is empty still exists, emptied.
    pub deleted: bool,
    /// Every Terraform folder the edit was given, after it, in folder order (the file's own
    /// among them): the local modules the file's module calls, and those they call, which the
    /// front-end reads within the repository, so that what goes with a replaced object is
    /// followed into them. Empty for files of other formats.
    pub called_folders: &'a [CalledFolder<'a>],
    /// The blocks of the file's module on each side and how they pair, read once for the
    /// folder by the engine and shared by the edit rules of its files; `None` has each rule
    /// read them.
    pub module_change: Option<&'a ModuleChange<'a>>,
}

/// A Terraform folder after the edit that a local module call may name (`source = "./db"`).
#[derive(Clone, Copy)]
pub struct CalledFolder<'a> {
    /// Its display path, as `calls::local_source_folder` gives it for a `source`.
    pub folder: &'a str,
    /// Its files, in path order.
    pub files: &'a [&'a SourceFile<'a>],
    /// Its module, read on first use.
    pub module: &'a (dyn EvaluateModule + 'a),
}

impl<'a> RuleContext<'a> {
    /// A context for running the rule described by `meta` on `file`.
    pub fn new(
        file: &'a SourceFile<'a>,
        meta: &'static RuleMeta,
        options: Option<&'a (dyn std::any::Any + Send + Sync)>,
    ) -> Self {
        Self {
            file,
            meta,
            options,
            change: None,
            module: None,
            home_folder: None,
            documents: None,
            used_module: Cell::new(false),
            asked_change: Cell::new(false),
            sources: RefCell::new(Vec::new()),
            diagnostics: Vec::new(),
        }
    }

    /// The same context, with the Terraform module the file belongs to.
    #[must_use]
    pub fn with_terraform_module<'m: 'a>(mut self, module: Option<&'a ModuleEval<'m>>) -> Self {
        self.module = module.map(|module| module as &'a (dyn EvaluateModule + 'a));
        self
    }

    /// The evaluator of the Terraform module the file belongs to, built on first use; `None`
    /// when the engine analyses the file without one (files of other formats).
    pub fn terraform_module(&self) -> Option<&'a Evaluator<'a>> {
        self.used_module.set(true);
        self.module.map(|module| module.evaluator())
    }

    /// The evaluator of the same module with every variable at its tfvars value or default, as
    /// in a root module: what a caller that sets no input gets from a reusable module. The
    /// same as `terraform_module` for a root module.
    pub fn terraform_module_defaults(&self) -> Option<&'a Evaluator<'a>> {
        self.used_module.set(true);
        self.module.map(|module| module.defaults())
    }

    /// Whether the rule asked for the module's evaluator (`terraform_module`): a rule that did
    /// not read the file through its module finds the same with any values of its variables.
    pub fn used_terraform_module(&self) -> bool {
        self.used_module.get()
    }

    /// The evaluator of the file's module as a root, where every variable takes its default,
    /// when the module is meant to be called by others of the repository (and is not laid out
    /// as a published module, whose defaults are its authors' choice); `None` otherwise.
    pub fn terraform_module_called_defaults(&self) -> Option<&'a Evaluator<'a>> {
        self.used_module.set(true);
        self.module.and_then(|module| module.called_defaults())
    }

    /// The same context, for a file whose findings are shown in another folder: a called
    /// module's file, judged with its caller's inputs, whose findings go to the caller.
    /// Messages name places relative to that folder.
    #[must_use]
    pub fn with_home_folder(mut self, folder: Option<&'a str>) -> Self {
        self.home_folder = folder;
        self
    }

    /// The folder (display path) of the file where findings are shown: the analysed file's
    /// own, unless `with_home_folder` said otherwise.
    pub fn home_folder(&self) -> &str {
        self.home_folder.unwrap_or_else(|| {
            let path = self.file.path;
            path.rfind(['/', '\\']).map_or("", |index| &path[..index])
        })
    }

    /// Records where the value of an attribute a rule read comes from; a finding the rule then
    /// reports at that attribute carries it.
    pub(crate) fn note_source(&self, source: ValueSource) {
        self.sources.borrow_mut().push(source);
    }

    /// The same context, judging the edit described by `change`.
    #[must_use]
    pub fn with_change(mut self, change: Option<&'a Change<'a>>) -> Self {
        self.change = change;
        self
    }

    /// The same context, judging only the documents whose index is `true` in `documents`: the
    /// engine runs a rule local to one document (`Locality::Document`) on the documents of a
    /// stream whose findings it does not hold.
    #[must_use]
    pub fn with_documents(mut self, documents: Option<&'a [bool]>) -> Self {
        self.documents = documents;
        self
    }

    /// The Kubernetes objects of the file (each document, and the items of `kind: List`
    /// documents), in the documents the rule judges (see `with_documents`).
    pub fn kubernetes_objects(&self) -> Vec<&'a Node> {
        match self.documents {
            None => self.file.kubernetes_objects(),
            Some(documents) => self
                .file
                .kubernetes_objects_in(|index| documents.get(index).copied().unwrap_or(false)),
        }
    }

    /// The other side of the edit, when the engine analyses a change; `None` for a snapshot.
    /// Rules that judge edits return early without it.
    pub fn change(&self) -> Option<&'a Change<'a>> {
        self.asked_change.set(true);
        self.change
    }

    /// Whether the rule asked for the other side of the edit (`change`), which a rule local to
    /// one document does not.
    pub fn asked_change(&self) -> bool {
        self.asked_change.get()
    }

    /// The parsed file.
    pub fn file(&self) -> &'a SourceFile<'a> {
        self.file
    }

    /// The full text of the file.
    pub fn text(&self) -> &'a str {
        &self.file.text
    }

    /// The rule's options, if configured and of type `T`.
    pub fn options<T: 'static>(&self) -> Option<&'a T> {
        self.options.and_then(|options| options.downcast_ref::<T>())
    }

    /// A diagnostic of this rule with its default severity and confidence.
    pub fn diagnostic(&self, range: TextRange, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(
            self.meta.code,
            self.meta.severity,
            self.meta.confidence,
            range,
            message,
        )
    }

    /// A diagnostic of this rule whose fix replaces the flagged text with `replacement`.
    pub fn diagnostic_replacing(
        &self,
        range: TextRange,
        message: impl Into<String>,
        fix_title: impl Into<String>,
        applicability: Applicability,
        replacement: impl Into<String>,
    ) -> Diagnostic {
        let fix = Fix::single(fix_title, applicability, Edit::replace(range, replacement));
        self.diagnostic(range, message).with_fix(fix)
    }

    /// Records a finding. A finding at an attribute whose value `protection::read` read
    /// through the module points at where the value is decided, and one that a reusable
    /// module's default causes is an info.
    pub fn report(&mut self, mut diagnostic: Diagnostic) {
        let source = self
            .sources
            .borrow()
            .iter()
            .rev()
            .find(|source| source.attribute.contains_range(diagnostic.range))
            .cloned();
        if let Some(source) = &source {
            if source.reusable_default {
                diagnostic.severity = diagnostic.severity.min(Severity::Info);
            }
            if let Some((location, message)) = &source.decided {
                let same_file = location.path == self.file.path;
                if !(same_file && diagnostic.range.contains_range(location.range)) {
                    diagnostic.related.push(Related {
                        path: (!same_file).then(|| location.path.clone()),
                        range: location.range,
                        message: message.clone(),
                    });
                }
            }
        }
        self.diagnostics.push((diagnostic, source));
    }

    /// The findings reported so far.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
            .into_iter()
            .map(|(diagnostic, _)| diagnostic)
            .collect()
    }

    /// The findings reported so far, each with where its value comes from when a rule read it
    /// through the module (for the engine, which reports a called module's findings at its
    /// caller).
    pub fn into_diagnostics_with_sources(self) -> Vec<(Diagnostic, Option<ValueSource>)> {
        self.diagnostics
    }
}

impl<'m> ModuleEval<'m> {
    /// A module read by `build` (called at most once, on first use, and kept in `cell`),
    /// with the texts of its folder's tfvars and what the front-end knows of its folder.
    ///
    /// `cell` lives outside so that the evaluator, which borrows the module, can live here.
    pub fn new(
        cell: &'m OnceCell<Arc<Module>>,
        build: impl Fn() -> Arc<Module> + 'm,
        tfvars: Vec<TfvarsText<'m>>,
        layout: ModuleLayout,
    ) -> Self {
        Self {
            source: ModuleSource::Lazy {
                cell,
                build: Box::new(build),
            },
            tfvars,
            layout,
            binding: None,
            evaluator: OnceCell::new(),
            defaults: OnceCell::new(),
        }
    }

    /// A module already read, with the texts of its folder's tfvars and what the front-end
    /// knows of its folder.
    pub fn ready(module: &'m Module, tfvars: Vec<TfvarsText<'m>>, layout: ModuleLayout) -> Self {
        Self {
            source: ModuleSource::Ready(module),
            tfvars,
            layout,
            binding: None,
            evaluator: OnceCell::new(),
            defaults: OnceCell::new(),
        }
    }

    /// A module judged for one call of it: its variables take the call's inputs (and their
    /// defaults where the call sets nothing), and no tfvars apply.
    pub fn called(module: &'m Module, binding: Binding) -> Self {
        Self {
            source: ModuleSource::Ready(module),
            tfvars: Vec::new(),
            layout: ModuleLayout {
                is_called: true,
                has_examples_or_modules_dir: false,
                has_tfvars: false,
            },
            binding: Some(binding),
            evaluator: OnceCell::new(),
            defaults: OnceCell::new(),
        }
    }

    /// The module, read on first use.
    pub fn module(&self) -> &'m Module {
        match &self.source {
            ModuleSource::Lazy { cell, build } => cell.get_or_init(build).as_ref(),
            ModuleSource::Ready(module) => module,
        }
    }

    /// Whether the module is a root or reusable, and why.
    pub fn classification(&self) -> Classification {
        self.module().classify(&self.layout)
    }

    /// The module's evaluator: for the module's kind as `Module::classify` decides it, or with
    /// the call's inputs for a module judged for a call.
    pub fn evaluator(&self) -> &Evaluator<'m> {
        self.evaluator.get_or_init(|| {
            let module = self.module();
            if let Some(binding) = &self.binding {
                return Evaluator::called(module, binding);
            }
            let kind = module.classify(&self.layout).kind;
            Evaluator::new(module, &self.tfvars(), kind)
        })
    }

    /// The module's evaluator with every variable at its tfvars value or default, as in a root
    /// module; the same as `evaluator` when the module is a root.
    pub fn defaults(&self) -> &Evaluator<'m> {
        let evaluator = self.evaluator();
        if evaluator.kind() == ModuleKind::Root {
            return evaluator;
        }
        self.defaults
            .get_or_init(|| Evaluator::new(self.module(), &self.tfvars(), ModuleKind::Root))
    }

    /// The module evaluated as a root, when it is reusable because another module of the
    /// repository calls it (and not because it is laid out as a published module).
    fn called_defaults(&self) -> Option<&Evaluator<'m>> {
        if self.binding.is_some() || self.classification().reason != KindReason::Called {
            return None;
        }
        Some(
            self.defaults
                .get_or_init(|| Evaluator::new(self.module(), &self.tfvars(), ModuleKind::Root)),
        )
    }

    fn tfvars(&self) -> Vec<Tfvars> {
        self.tfvars
            .iter()
            .map(|file| Tfvars::parse(file.path, file.text))
            .collect()
    }
}

/// A Terraform module that can be evaluated, whatever the lifetime of its inputs: a
/// `ModuleEval`, as rules see it through `RuleContext` and `Change`.
pub trait EvaluateModule {
    /// The module, read on first use (see `ModuleEval::module`).
    fn module(&self) -> &Module;
    /// The module's evaluator, for the module's kind (see `ModuleEval::evaluator`).
    fn evaluator(&self) -> &Evaluator<'_>;
    /// The evaluator with variables at their defaults (see `ModuleEval::defaults`).
    fn defaults(&self) -> &Evaluator<'_>;
    /// The module evaluated as a root when another module of the repository calls it (see
    /// `ModuleEval::called_defaults`).
    fn called_defaults(&self) -> Option<&Evaluator<'_>>;
}

impl EvaluateModule for ModuleEval<'_> {
    fn module(&self) -> &Module {
        ModuleEval::module(self)
    }

    fn evaluator(&self) -> &Evaluator<'_> {
        ModuleEval::evaluator(self)
    }

    fn called_defaults(&self) -> Option<&Evaluator<'_>> {
        ModuleEval::called_defaults(self)
    }

    fn defaults(&self) -> &Evaluator<'_> {
        ModuleEval::defaults(self)
    }
}

impl<'a> Change<'a> {
    /// The evaluator of the Terraform module before the edit, built on first use.
    pub fn base_module(&self) -> Option<&'a Evaluator<'a>> {
        self.module_base.map(|module| module.evaluator())
    }

    /// The module before the edit with variables at their defaults (see
    /// `RuleContext::terraform_module_defaults`).
    pub fn base_module_defaults(&self) -> Option<&'a Evaluator<'a>> {
        self.module_base.map(|module| module.defaults())
    }
}

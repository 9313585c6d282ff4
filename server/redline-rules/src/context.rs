use std::cell::OnceCell;

use redline_diagnostics::{Applicability, Diagnostic, Edit, Fix};
use redline_syntax::SourceFile;
use redline_syntax::terraform_eval::evaluate::Evaluator;
use redline_syntax::terraform_eval::symbols::{Module, ModuleKind, ModuleLayout};
use redline_syntax::terraform_eval::tfvars::Tfvars;
use redline_text::TextRange;

use crate::RuleMeta;

/// What a rule sees of one file, and where it reports.
pub struct RuleContext<'a> {
    file: &'a SourceFile<'a>,
    meta: &'static RuleMeta,
    options: Option<&'a (dyn std::any::Any + Send + Sync)>,
    change: Option<&'a Change<'a>>,
    module: Option<&'a (dyn EvaluateModule + 'a)>,
    diagnostics: Vec<Diagnostic>,
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
    cell: &'m OnceCell<Module>,
    build: Box<dyn Fn() -> Module + 'm>,
    tfvars: Vec<TfvarsText<'m>>,
    layout: ModuleLayout,
    evaluator: OnceCell<Evaluator<'m>>,
    /// The evaluator that reads a reusable module's variables at their defaults.
    defaults: OnceCell<Evaluator<'m>>,
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
        self.module.map(|module| module.evaluator())
    }

    /// The evaluator of the same module with every variable at its tfvars value or default, as
    /// in a root module: what a caller that sets no input gets from a reusable module. The
    /// same as `terraform_module` for a root module.
    pub fn terraform_module_defaults(&self) -> Option<&'a Evaluator<'a>> {
        self.module.map(|module| module.defaults())
    }

    /// The same context, judging the edit described by `change`.
    #[must_use]
    pub fn with_change(mut self, change: Option<&'a Change<'a>>) -> Self {
        self.change = change;
        self
    }

    /// The other side of the edit, when the engine analyses a change; `None` for a snapshot.
    /// Rules that judge edits return early without it.
    pub fn change(&self) -> Option<&'a Change<'a>> {
        self.change
    }

    /// The parsed file.
    pub fn file(&self) -> &'a SourceFile<'a> {
        self.file
    }

    /// The full text of the file.
    pub fn text(&self) -> &'a str {
        self.file.text
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

    /// Records a finding.
    pub fn report(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// The findings reported so far.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}

impl<'m> ModuleEval<'m> {
    /// A module read by `build` (called at most once, on first use, and kept in `cell`),
    /// with the texts of its folder's tfvars and what the front-end knows of its folder.
    ///
    /// `cell` lives outside so that the evaluator, which borrows the module, can live here.
    pub fn new(
        cell: &'m OnceCell<Module>,
        build: impl Fn() -> Module + 'm,
        tfvars: Vec<TfvarsText<'m>>,
        layout: ModuleLayout,
    ) -> Self {
        Self {
            cell,
            build: Box::new(build),
            tfvars,
            layout,
            evaluator: OnceCell::new(),
            defaults: OnceCell::new(),
        }
    }

    fn module(&self) -> &'m Module {
        self.cell.get_or_init(|| (self.build)())
    }

    fn tfvars(&self) -> Vec<Tfvars> {
        self.tfvars
            .iter()
            .map(|file| Tfvars::parse(file.path, file.text))
            .collect()
    }

    /// The module's evaluator, for the module's kind as `Module::classify` decides it.
    pub fn evaluator(&self) -> &Evaluator<'m> {
        self.evaluator.get_or_init(|| {
            let module = self.module();
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
}

/// A Terraform module that can be evaluated, whatever the lifetime of its inputs: a
/// `ModuleEval`, as rules see it through `RuleContext` and `Change`.
pub trait EvaluateModule {
    /// The module's evaluator, for the module's kind (see `ModuleEval::evaluator`).
    fn evaluator(&self) -> &Evaluator<'_>;
    /// The evaluator with variables at their defaults (see `ModuleEval::defaults`).
    fn defaults(&self) -> &Evaluator<'_>;
}

impl EvaluateModule for ModuleEval<'_> {
    fn evaluator(&self) -> &Evaluator<'_> {
        ModuleEval::evaluator(self)
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

use redline_diagnostics::{Applicability, Diagnostic, Edit, Fix};
use redline_syntax::SourceFile;
use redline_text::TextRange;

use crate::RuleMeta;

/// What a rule sees of one file, and where it reports.
pub struct RuleContext<'a> {
    file: &'a SourceFile<'a>,
    meta: &'static RuleMeta,
    options: Option<&'a (dyn std::any::Any + Send + Sync)>,
    change: Option<&'a Change<'a>>,
    diagnostics: Vec<Diagnostic>,
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
            diagnostics: Vec::new(),
        }
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

use redline_diagnostics::{Applicability, Diagnostic, Edit, Fix};
use redline_syntax::SourceFile;
use redline_text::TextRange;

use crate::RuleMeta;

/// What a rule sees of one file, and where it reports.
pub struct RuleContext<'a> {
    file: &'a SourceFile<'a>,
    meta: &'static RuleMeta,
    options: Option<&'a (dyn std::any::Any + Send + Sync)>,
    diagnostics: Vec<Diagnostic>,
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
            diagnostics: Vec::new(),
        }
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

//! A report: the findings of a run, the files that could not be analysed, and the counts a
//! report ends with. Every command and every output format shares these types.

use redline_diagnostics::{Applicability, Category, Severity};
use redline_workspace::{FileProblem, ProblemKind};

use crate::findings::Finding;

/// A whole report, for commands that have every finding before they write any.
pub struct Report {
    /// In report order: by path, then position, then rule.
    pub findings: Vec<Finding>,
    /// Files that could not be read or were skipped, sorted by path.
    pub errors: Vec<FileProblem>,
    /// How many files were analysed.
    pub files: usize,
}

/// What a report says after its findings, known once the last finding is in.
#[derive(Clone, Copy)]
pub struct Summary<'a> {
    /// Files that could not be read or were skipped, sorted by path.
    pub errors: &'a [FileProblem],
    /// How many files were analysed.
    pub files: usize,
    /// Counts over the reported findings.
    pub tally: &'a Tally,
}

/// Counts over the findings of a report, kept as findings are written so that a streamed
/// report can end with its summary without keeping the findings.
#[derive(Clone, Debug, Default)]
pub struct Tally {
    pub findings: usize,
    /// Indexed like `Category::ALL`.
    pub by_category: [usize; Category::ALL.len()],
    /// Findings of rules without a category.
    pub other: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings whose best fix is safe.
    pub safe_fixes: usize,
    /// Findings whose best fix is unsafe.
    pub unsafe_fixes: usize,
}

impl Tally {
    /// The counts over `findings`.
    #[cfg(test)]
    pub fn of(findings: &[Finding]) -> Tally {
        let mut res = Tally::default();
        for finding in findings {
            res.add(finding);
        }
        res
    }

    /// Counts one more finding.
    pub fn add(&mut self, finding: &Finding) {
        self.findings += 1;
        match finding.rule.category {
            Some(category) => {
                if let Some(index) = Category::ALL.iter().position(|c| *c == category) {
                    self.by_category[index] += 1;
                }
            }
            None => self.other += 1,
        }
        match finding.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
        match finding.fixes.iter().map(|fix| fix.applicability).max() {
            Some(Applicability::Safe) => self.safe_fixes += 1,
            Some(Applicability::Unsafe) => self.unsafe_fixes += 1,
            _ => {}
        }
    }
}

impl Summary<'_> {
    /// Whether a file could not be read: the exit status is then 2, and SARIF records the run
    /// as unsuccessful.
    pub fn io_failed(&self) -> bool {
        self.errors
            .iter()
            .any(|error| error.kind == ProblemKind::Io)
    }
}

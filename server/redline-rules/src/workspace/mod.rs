//! Rules over a whole repository: they join the facts of several files (see `facts`) into one
//! finding, reported on one of them.
//!
//! Per-file analysis never runs these rules (their formats are empty): a front-end gathers the
//! facts of every file of a repository with [`file_facts`], calls [`join`], and hands each
//! finding to the engine with the file it belongs to, which applies that file's suppressions.

pub mod facts;
mod mcp;
pub mod unattended_production_change;

pub use facts::{Fact, FactKind, file_facts, may_have_facts, may_hold_actor};

use redline_diagnostics::Diagnostic;

/// The facts of one file of a repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileFacts {
    /// The file's display path.
    pub path: String,
    /// Its facts, in source order.
    pub facts: Vec<Fact>,
}

/// A finding of a repository rule, with the display path of the file it is reported on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceFinding {
    /// The file the finding belongs to.
    pub path: String,
    /// The finding; its related places in other files name them by display path.
    pub diagnostic: Diagnostic,
}

/// Joins the facts of every file of one repository into findings, sorted by path and start.
/// The result depends only on the facts, not on the order of `files`.
pub fn join(files: &[FileFacts]) -> Vec<WorkspaceFinding> {
    let mut sorted: Vec<&FileFacts> = files.iter().collect();
    sorted.sort_by(|a, b| a.path.cmp(&b.path));
    sorted.dedup_by(|a, b| a.path == b.path);
    let mut res = unattended_production_change::join(&sorted);
    res.sort_by(|a, b| {
        (&a.path, a.diagnostic.range.start()).cmp(&(&b.path, b.diagnostic.range.start()))
    });
    res
}

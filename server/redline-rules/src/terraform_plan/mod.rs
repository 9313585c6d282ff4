//! Rules on Terraform plans (`terraform show -json PLANFILE`), and what they share.

pub(crate) mod causes;
pub mod plan_blast_radius;
pub mod plan_weakens_guard;
pub mod resource_deleted_by_plan;
pub mod resource_replaced_by_plan;

use redline_diagnostics::Severity;
use redline_syntax::SourceFile;
use redline_syntax::terraform_plan::{Plan, ResourceChange};

use crate::terraform::protection::is_stateful;

/// The plan of a plan file, if it has a root document.
pub(crate) fn plan<'a>(file: &'a SourceFile<'a>) -> Option<Plan<'a>> {
    file.documents
        .first()
        .map(|document| Plan::from_document(document))
}

/// Error for types that hold data, warning for the rest.
pub(crate) fn severity_for(change: &ResourceChange<'_>) -> Severity {
    if is_stateful(change.resource_type) {
        Severity::Error
    } else {
        Severity::Warning
    }
}

/// `` `aws_db_instance.main` `` plus where it came from, for messages.
pub(crate) fn subject(change: &ResourceChange<'_>) -> String {
    let mut res = format!("`{}`", change.address);
    if let Some(deposed) = change.deposed {
        res.push_str(&format!(
            " (deposed object `{deposed}`, left over from an earlier create-before-destroy)"
        ));
    }
    if let Some(previous) = change.previous_address {
        res.push_str(&format!(" (moved from `{previous}`)"));
    }
    res
}

/// What the resource holds, for messages: ", which holds data" for types that do (a network
/// or a cluster is guarded, but holds no data of its own).
pub(crate) fn holds_data(change: &ResourceChange<'_>) -> &'static str {
    if crate::terraform::protection::holds_data(change.resource_type) {
        ", which holds data,"
    } else {
        ""
    }
}

use std::collections::BTreeSet;

use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::cloudformation::Resource;
use redline_syntax::value::Node;

use super::cascade;
use super::{Protection, TemplateEdit, guarded_value, protection, same_template_value};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit that removes a CloudFormation resource holding data (a database, table,
    /// volume, file system, queue, key, log group, secret, bucket…) from the template, or
    /// renames its logical id, while the deployed template does not retain it.
    /// Resources that do not hold data are left alone.
    /// A removed resource is reported where it was: at the logical id of the resource that
    /// followed it (else of the one before it, else at `Resources`); a renamed one at its new
    /// logical id.
    ///
    /// The message also names what goes with it, each as a related place: the resources that
    /// read the renamed resource's new id in a create-only property (`Ref`, `Fn::GetAtt`,
    /// `Fn::Sub`) are replaced with it, and those that still reference the removed logical id
    /// (`DependsOn` included) make the deploy fail.
    ///
    /// ## Why it matters
    /// CloudFormation identifies a resource by its logical id and has no way to rename one.
    /// When a logical id disappears, the next deploy deletes the physical resource and its
    /// data, following the `DeletionPolicy` of the deployed template (default `Delete`); a
    /// renamed logical id additionally creates a new, empty resource.
    /// Only `DeletionPolicy: Retain` (or `RetainExceptOnCreate`), already deployed, keeps the
    /// resource; `Snapshot` keeps a final snapshot.
    ///
    /// ## Example
    /// Before:
    /// ```yaml
    /// Resources:
    ///   Orders:
    ///     Type: AWS::DynamoDB::Table
    ///     Properties:
    ///       BillingMode: PAY_PER_REQUEST
    /// ```
    /// After:
    /// ```yaml
    /// Resources:
    ///   OrdersTable:
    ///     Type: AWS::DynamoDB::Table
    ///     Properties:
    ///       BillingMode: PAY_PER_REQUEST
    /// ```
    ///
    /// ## Use instead
    /// Keep the logical id. To really remove (or move) the resource, first deploy it with
    /// `DeletionPolicy: Retain` and `UpdateReplacePolicy: Retain`, then remove it from the
    /// template; the retained resource can be imported into another stack or under a new
    /// logical id.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-CFN-003 -- scratch table, nothing to keep` on the line of the
    /// finding.
    ///
    /// ## References
    /// - AWS CloudFormation User Guide, "DeletionPolicy attribute"
    /// - AWS CloudFormation User Guide, "Importing existing resources into a stack"
    StatefulLogicalIdRemoved {
        id: "RL-CFN-003", name: "stateful-logical-id-removed",
        summary: "An edit removes or renames the logical id of a CloudFormation resource that holds data",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::CloudFormation], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let Some(edit) = TemplateEdit::of(ctx) else {
        return;
    };
    let base_ids: BTreeSet<&str> = edit.base.iter().map(|r| r.logical_id()).collect();
    let new_ids: BTreeSet<&str> = edit.new.iter().map(|r| r.logical_id()).collect();
    // Resources the edit added: candidates for the new name of a removed one.
    let mut added: Vec<Resource<'_>> = edit
        .new
        .iter()
        .copied()
        .filter(|resource| !base_ids.contains(resource.logical_id()))
        .collect();
    for (index, old) in edit.base.iter().enumerate() {
        let old = *old;
        if new_ids.contains(old.logical_id()) {
            continue;
        }
        let Some(kind) = old.resource_type() else {
            continue;
        };
        let is_bucket = kind == "AWS::S3::Bucket";
        if guarded_value(old).is_none() && !is_bucket {
            continue;
        }
        let Some(policy) = protection(old, "DeletionPolicy") else {
            continue;
        };
        let (outcome, severity) = match policy {
            Protection::Retain => continue,
            Protection::Snapshot => (
                "deletes it after taking a final snapshot (restoring means a new resource \
                 and downtime)",
                Severity::Warning,
            ),
            Protection::Delete if is_bucket => (
                "deletes the bucket if it is empty; if it still holds objects the deletion \
                 fails and the bucket is left outside the stack",
                Severity::Warning,
            ),
            Protection::Delete => ("deletes it and its data", Severity::Error),
        };
        let id = old.logical_id();
        let renamed_to = added.iter().position(|new| {
            new.resource_type() == Some(kind) && same_properties(old.properties(), new.properties())
        });
        let cascade;
        let mut diagnostic = match renamed_to {
            Some(index) => {
                let new = added.remove(index);
                cascade = cascade::of_removal(&edit.new, id, Some(new.logical_id()));
                let message = format!(
                    "{kind} `{id}` is renamed to `{}`: CloudFormation cannot rename a logical \
                     id, so the deploy creates a new, empty resource `{}` and, for `{id}`, \
                     {outcome}; keep \
                     the logical id `{id}`, or first deploy `{id}` with `DeletionPolicy: \
                     Retain` and `UpdateReplacePolicy: Retain`, then rename it and import the \
                     retained resource",
                    new.logical_id(),
                    new.logical_id(),
                );
                ctx.diagnostic(new.entry.key.range, message)
            }
            None => {
                cascade = cascade::of_removal(&edit.new, id, None);
                let message = format!(
                    "{kind} `{id}` is removed from the template: the deploy {outcome}; keep it, \
                     or first deploy it with `DeletionPolicy: Retain` and `UpdateReplacePolicy: \
                     Retain`, then remove it"
                );
                // Where the resource was: at the logical id of the resource that followed it
                // (else of the one before it) and is still there.
                let in_new = |kept: &Resource<'_>| {
                    edit.new
                        .iter()
                        .find(|new| new.logical_id() == kept.logical_id())
                        .map(|new| new.entry.key.range)
                };
                let place = edit.base[index + 1..]
                    .iter()
                    .find_map(in_new)
                    .or_else(|| edit.base[..index].iter().rev().find_map(in_new))
                    .unwrap_or(edit.resources_entry.key.range);
                ctx.diagnostic(place, message)
            }
        };
        diagnostic.severity = severity;
        if let Some(cascade) = cascade {
            diagnostic = cascade.apply(diagnostic, ctx.file().path);
        }
        ctx.report(diagnostic);
    }
}

/// Whether two resources have the same properties (both none counts as the same).
fn same_properties(old: Option<&Node>, new: Option<&Node>) -> bool {
    match (old, new) {
        (Some(old), Some(new)) => same_template_value(old, new),
        (None, None) => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("cloudformation/stateful-logical-id-removed/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("cloudformation/stateful-logical-id-removed/quiet.yaml");
    }

    #[test]
    fn json_template() {
        insta::assert_snapshot!(check_fixture(
            "cloudformation/stateful-logical-id-removed/template.json"
        ));
    }

    #[test]
    fn cascade() {
        check_fixture("cloudformation/stateful-logical-id-removed/cascade.yaml");
    }
}

use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;
use redline_syntax::Language;

use super::{all_resources, guarded_value, snapshots_by_default};
use crate::data_value::DataValue;
use crate::edit::{insert_first_entry, string_literal};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A CloudFormation resource that holds data (a database, table, volume, file system,
    /// key, secret, user pool…) without an explicit `DeletionPolicy` or
    /// `UpdateReplacePolicy`.
    /// Resources whose data is transient (queues, streams, log groups, caches, and secrets
    /// whose value is written in the template or generated for the stack) are reported as
    /// info; resources that hold nothing of their own (nested stacks, database instances that
    /// are members of a cluster) are not reported.
    /// `docs/severity.md` says how each type is graded.
    ///
    /// ## Why it matters
    /// Without `DeletionPolicy`, removing the resource from the template or deleting the stack
    /// deletes the resource and its data (RDS clusters and stand-alone RDS instances are the
    /// exception: they get a final snapshot).
    /// Without `UpdateReplacePolicy`, an update that replaces the resource (a changed
    /// create-only property such as `TableName` or `Engine`) deletes the old one, data and all.
    /// Neither needs anyone to type "delete".
    ///
    /// ## Example
    /// ```yaml
    /// Resources:
    ///   Orders:
    ///     Type: AWS::DynamoDB::Table
    ///     Properties:
    ///       BillingMode: PAY_PER_REQUEST
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// Resources:
    ///   Orders:
    ///     Type: AWS::DynamoDB::Table
    ///     DeletionPolicy: Retain
    ///     UpdateReplacePolicy: Retain
    ///     Properties:
    ///       BillingMode: PAY_PER_REQUEST
    /// ```
    /// `Snapshot` works too for types that support it (RDS, Neptune, Redshift, ElastiCache,
    /// EBS volumes).
    ///
    /// ## Fix safety
    /// The fix adds the missing policies with `Retain`. It is safe: it changes nothing until
    /// the resource is removed or replaced, and then keeps the data instead of deleting it
    /// (the retained resource must be cleaned up by hand if it is really unwanted).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-CFN-001 -- cache table, rebuilt from the event log` on the line
    /// above the logical id.
    ///
    /// ## References
    /// - AWS CloudFormation User Guide, "DeletionPolicy attribute" and "UpdateReplacePolicy attribute"
    /// - cfn-lint I3011
    StatefulResourceWithoutRetain {
        id: "RL-CFN-001", name: "stateful-resource-without-retain",
        summary: "A stateful CloudFormation resource has no DeletionPolicy or UpdateReplacePolicy",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::CloudFormation], fix: FixAvailability::Always, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    let language = file.language;
    for resource in all_resources(file) {
        let Some(kind) = resource.resource_type() else {
            continue;
        };
        let Some(value) = guarded_value(resource) else {
            continue;
        };
        let deletion_missing =
            resource.attribute("DeletionPolicy").is_none() && !snapshots_by_default(resource);
        let replace_missing = resource.attribute("UpdateReplacePolicy").is_none();
        let consequence = match (deletion_missing, replace_missing) {
            (true, true) => {
                "removing it from the template, deleting the stack, or an update that replaces it deletes it and its data"
            }
            (true, false) => {
                "removing it from the template or deleting the stack deletes it and its data"
            }
            (false, true) => {
                "an update that replaces it (a changed create-only property) deletes the old one and its data"
            }
            (false, false) => continue,
        };
        let mut missing = Vec::new();
        if deletion_missing {
            missing.push("DeletionPolicy");
        }
        if replace_missing {
            missing.push("UpdateReplacePolicy");
        }
        let names = missing
            .iter()
            .map(|name| format!("`{name}: Retain`"))
            .collect::<Vec<_>>()
            .join(" and ");
        let message = format!(
            "{kind} `{}` has no {}: {consequence}; add {names}",
            resource.logical_id(),
            missing.join(" or "),
        );
        let mut diagnostic = ctx
            .diagnostic(resource.entry.key.range, message)
            .with_subject(resource.entry.key.range);
        if value < DataValue::High {
            // Queued messages, stream records, logs and caches are transient: losing them is
            // worth knowing, not a reviewer's time.
            diagnostic.severity = Severity::Info;
        }
        if let Some(edit) = policy_edit(ctx.text(), language, resource.body(), &missing) {
            diagnostic = diagnostic.with_fix(Fix::single(
                format!("Add {names}"),
                Applicability::Safe,
                edit,
            ));
        }
        ctx.report(diagnostic);
    }
}

/// One insertion holding every missing policy.
fn policy_edit(
    text: &str,
    language: Language,
    body: &redline_syntax::value::Node,
    missing: &[&str],
) -> Option<Edit> {
    let value = string_literal(language, "Retain");
    let mut edits = missing
        .iter()
        .map(|name| insert_first_entry(text, language, body, name, &value))
        .collect::<Option<Vec<Edit>>>()?;
    let mut res = edits.remove(0);
    for edit in edits {
        res.replacement.push_str(&edit.replacement);
    }
    Some(res)
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("cloudformation/stateful-resource-without-retain/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("cloudformation/stateful-resource-without-retain/quiet.yaml");
    }

    #[test]
    fn json_template() {
        insta::assert_snapshot!(check_fixture(
            "cloudformation/stateful-resource-without-retain/template.json"
        ));
    }

    #[test]
    fn fires_placeholder() {
        check_fixture("cloudformation/stateful-resource-without-retain/fires-placeholder.yaml");
    }

    #[test]
    fn quiet_placeholder() {
        check_fixture("cloudformation/stateful-resource-without-retain/quiet-placeholder.yaml");
    }
}

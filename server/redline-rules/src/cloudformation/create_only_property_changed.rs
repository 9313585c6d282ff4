use redline_diagnostics::{Applicability, Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::cloudformation::Resource;
use redline_syntax::value::Node;
use redline_text::TextRange;

use super::cascade;
use super::{
    Protection, TemplateEdit, create_only_properties, guarded_value, property_at, protection,
    same_template_value, short_value,
};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit that sets, changes or removes a create-only property of a CloudFormation
    /// resource: one the registry schema lists in `createOnlyProperties`, documented as
    /// "Update requires: Replacement" (`TableName`, `DBInstanceIdentifier`, `KmsKeyId`,
    /// `StorageEncrypted`, `BucketName`…).
    /// The table of create-only properties covers the types that hold data or are costly to
    /// replace; it comes from the CloudFormation registry schemas vendored in
    /// `hashicorp/terraform-provider-awscc` (the snapshot is recorded in
    /// `data/cfn-create-only.tsv`).
    ///
    /// The message also names the resources replaced with it, each as a related place: a
    /// resource whose create-only property reads the replaced one through `Ref`,
    /// `Fn::GetAtt` or `Fn::Sub` gets a new value and is replaced too, and so on (16 steps,
    /// 500 resources at most); one that reads it only in properties updated in place is not.
    ///
    /// ## Why it matters
    /// CloudFormation cannot change such a property in place: the deploy creates a new
    /// physical resource with the new value, then deletes the old one according to its
    /// `UpdateReplacePolicy`, which defaults to `Delete`.
    /// For a database, table, volume or queue the new resource starts empty and the old data
    /// is deleted; with `Retain` the old resource survives outside the stack, but the stack
    /// now points at the empty one.
    /// A custom physical name (`TableName`, `BucketName`) also makes the replacement fail
    /// halfway, because the new resource cannot take the old name.
    ///
    /// ## Example
    /// Before:
    /// ```yaml
    /// Orders:
    ///   Type: AWS::DynamoDB::Table
    ///   Properties:
    ///     TableName: orders
    /// ```
    /// After:
    /// ```yaml
    /// Orders:
    ///   Type: AWS::DynamoDB::Table
    ///   Properties:
    ///     TableName: orders-v2
    /// ```
    ///
    /// ## Use instead
    /// Keep the old value. If the change is really needed, first deploy
    /// `UpdateReplacePolicy: Retain` (or `Snapshot` where supported), create a change set to
    /// confirm the replacement, and plan how the data moves to the new resource.
    ///
    /// ## Fix safety
    /// When the property still exists with a plain value, the fix puts back the value of the
    /// base version. It is unsafe: it undoes a change its author wanted, and anything that
    /// relied on the new value (a reference, a parameter) has to follow.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-CFN-004 -- new table on purpose, data migrated by the backfill job`
    /// on the line of the finding.
    ///
    /// ## References
    /// - AWS CloudFormation User Guide, "Update behaviors of stack resources"
    /// - AWS CloudFormation User Guide, "UpdateReplacePolicy attribute"
    /// - CloudFormation resource provider schema, `createOnlyProperties`
    CreateOnlyPropertyChanged {
        id: "RL-CFN-004", name: "create-only-property-changed",
        summary: "An edit changes a create-only property, so CloudFormation replaces the resource",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::CloudFormation], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let Some(edit) = TemplateEdit::of(ctx) else {
        return;
    };
    let Some(base_file) = ctx.change().and_then(|change| change.base) else {
        return;
    };
    for resource in &edit.new {
        let resource = *resource;
        let Some(old) = edit.base_of(resource) else {
            continue;
        };
        let Some(kind) = resource.resource_type() else {
            continue;
        };
        let mut changed: Vec<&str> = Vec::new();
        for path in create_only_properties(kind) {
            // A changed parent already covers its nested properties.
            if changed.iter().any(|parent| {
                path.strip_prefix(parent)
                    .is_some_and(|rest| rest.starts_with('/'))
            }) {
                continue;
            }
            let before = property_at(old, path);
            let after = property_at(resource, path);
            let what = match (before, after) {
                (None, None) => continue,
                (Some(before), Some(after)) if same_template_value(before, after) => continue,
                (Some(before), Some(after)) if is_short(before) && is_short(after) => format!(
                    "changes `{path}` from {} to {}",
                    short_value(before),
                    short_value(after)
                ),
                (Some(_), Some(_)) => format!("changes `{path}`"),
                (None, Some(after)) => format!("sets `{path}` to {}", short_value(after)),
                (Some(before), None) => {
                    format!("removes `{path}` (it was {})", short_value(before))
                }
            };
            changed.push(path);
            let (outcome, severity) = replacement_outcome(resource);
            let advice = match protection(resource, "UpdateReplacePolicy") {
                Some(Protection::Retain) => "plan how the data moves to the new resource",
                _ => "first deploy `UpdateReplacePolicy: Retain` and plan how the data moves",
            };
            let message = format!(
                "the edit {what} on {kind} `{}`: the property can only be set when the \
                 resource is created, so the deploy replaces it: CloudFormation creates a new \
                 resource and {outcome}; keep the old value, or {advice}",
                resource.logical_id()
            );
            let range = anchor(resource, path, after);
            let mut diagnostic = match (before, after) {
                (Some(before), Some(after)) if restorable(before) && restorable(after) => ctx
                    .diagnostic_replacing(
                        range,
                        message,
                        format!("Restore `{path}` to {}", short_value(before)),
                        Applicability::Unsafe,
                        base_file.slice(before.range),
                    ),
                _ => ctx.diagnostic(range, message),
            };
            diagnostic.severity = severity;
            if let Some(cascade) = cascade::of_replacement(&edit.new, resource.logical_id()) {
                diagnostic = cascade.apply(diagnostic, ctx.file().path);
            }
            ctx.report(diagnostic);
        }
    }
}

/// What happens to the old resource on replacement, and how bad that is.
fn replacement_outcome(resource: Resource<'_>) -> (&'static str, Severity) {
    let holds_data = guarded_value(resource).is_some();
    match protection(resource, "UpdateReplacePolicy") {
        Some(Protection::Retain) => (
            "keeps the old one outside the stack (`UpdateReplacePolicy: Retain`), while the \
             stack and everything referring to it move to the new, empty one",
            Severity::Warning,
        ),
        Some(Protection::Snapshot) => (
            "deletes the old one after a final snapshot (`UpdateReplacePolicy: Snapshot`)",
            Severity::Warning,
        ),
        _ if holds_data => (
            "deletes the old one and its data (`UpdateReplacePolicy` is `Delete`)",
            Severity::Error,
        ),
        _ => (
            "deletes the old one (`UpdateReplacePolicy` is `Delete`)",
            Severity::Warning,
        ),
    }
}

/// Where to point: a new scalar value, the key of a new structured value, or the resource's
/// logical id when the property is gone.
fn anchor(resource: Resource<'_>, path: &str, after: Option<&Node>) -> TextRange {
    match after {
        Some(node) if node.scalar().is_some() => node.range,
        Some(_) => {
            let (parent, name) = match path.rsplit_once('/') {
                Some((parent, name)) => (property_at(resource, parent), name),
                None => (resource.properties(), path),
            };
            parent
                .and_then(|parent| parent.entry(name))
                .map_or(resource.entry.key.range, |entry| entry.key.range)
        }
        None => resource.entry.key.range,
    }
}

/// Whether a value reads well inside a message.
fn is_short(node: &Node) -> bool {
    node.scalar()
        .is_some_and(|scalar| scalar.value.chars().count() <= 60)
}

/// Whether a value can be swapped for another by replacing its text: an untagged
/// single-line scalar.
fn restorable(node: &Node) -> bool {
    node.tag.is_none()
        && node
            .scalar()
            .is_some_and(|scalar| !scalar.value.contains('\n'))
        && !node.range.is_empty()
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("cloudformation/create-only-property-changed/fires.yaml");
    }

    #[test]
    fn nested_added_and_removed_properties() {
        check_fixture("cloudformation/create-only-property-changed/nested.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("cloudformation/create-only-property-changed/quiet.yaml");
    }

    #[test]
    fn json_template() {
        insta::assert_snapshot!(check_fixture(
            "cloudformation/create-only-property-changed/template.json"
        ));
    }

    #[test]
    fn cascade() {
        check_fixture("cloudformation/create-only-property-changed/cascade.yaml");
    }
}

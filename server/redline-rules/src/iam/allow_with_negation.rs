use redline_diagnostics::{Category, Confidence, Severity};

use super::POLICY_FORMATS;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An `Allow` statement written with `NotAction` or `NotResource`: it grants everything
    /// except a list.
    ///
    /// ## Why it matters
    /// `"Effect": "Allow", "NotAction": "iam:*"` allows every action of every other service,
    /// including the services AWS adds next year.
    /// `NotResource` does the same for resources: every bucket, database and key that is not
    /// listed, including the ones created later.
    /// Such statements read like restrictions and are almost always broader than intended.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "NotAction": ["iam:*", "organizations:*"], "Resource": "*"}
    /// ```
    ///
    /// ## Use instead
    /// List what is allowed, and put exceptions in a `Deny` statement:
    /// ```json
    /// {"Effect": "Allow", "Action": ["s3:GetObject", "sqs:SendMessage"], "Resource": "*"}
    /// ```
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-006 -- reason` on the line above (Terraform, YAML); an
    /// `[[ignore]]` entry in `redline.toml` for JSON files.
    ///
    /// ## References
    /// - Parliament NOTRESOURCE_WITH_ALLOW
    /// - IAM Access Analyzer policy checks, "Pass role with NotAction and NotResource"
    AllowWithNegation {
        id: "RL-IAM-006", name: "allow-with-negation",
        summary: "An Allow statement uses NotAction or NotResource and grants everything else",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::High,
        formats: POLICY_FORMATS, fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for policy in file.policies() {
        for statement in policy.allows() {
            if let Some(not_action) = &statement.not_action {
                let message = format!(
                    "{} allows every action except those listed in `NotAction`, including every \
                     action AWS adds later; list the allowed actions in `Action` and put \
                     exceptions in a `Deny` statement",
                    statement.describe(policy)
                );
                ctx.report(ctx.diagnostic(not_action.range, message));
            }
            if let Some(not_resource) = &statement.not_resource {
                let message = format!(
                    "{} allows its actions on every resource except those listed in \
                     `NotResource`, including resources created later; list the allowed \
                     resources in `Resource`",
                    statement.describe(policy)
                );
                ctx.report(ctx.diagnostic(not_resource.range, message));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("iam/allow-with-negation/fires.json"));
        check_fixture("iam/allow-with-negation/fires.cfn.yaml");
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("iam/allow-with-negation/quiet.json"));
        check_fixture("iam/allow-with-negation/quiet.cfn.yaml");
    }
}

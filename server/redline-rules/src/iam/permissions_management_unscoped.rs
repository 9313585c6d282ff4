use redline_diagnostics::{Category, Confidence, Severity};

use super::actions::AccessLevel;
use super::{POLICY_FORMATS, report_unscoped_actions};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An `Allow` statement without conditions that grants permissions-management actions
    /// (the AWS access level "Permissions management": `iam:PutRolePolicy`,
    /// `s3:PutBucketPolicy`, `kms:CreateGrant`, …) on `"Resource": "*"`.
    /// Wildcards such as `iam:Put*` are expanded against the AWS action catalog.
    /// Whole-service wildcards (`iam:*`) are RL-IAM-002's, and `iam:PassRole` is RL-IAM-005's.
    ///
    /// ## Why it matters
    /// These actions change who may do what.
    /// On every resource, the holder can open any bucket, key or queue to other accounts, or
    /// attach new permissions to any role, its own included.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "*"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Effect": "Allow", "Action": "s3:PutBucketPolicy", "Resource": "arn:aws:s3:::acme-logs"}
    /// ```
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-003 -- reason` on the line above (Terraform, YAML); an
    /// `[[ignore]]` entry in `redline.toml` for JSON files.
    ///
    /// ## References
    /// - Parliament PERMISSIONS_MANAGEMENT_ACTIONS, RESOURCE_STAR
    /// - Checkov CKV_AWS_289
    PermissionsManagementUnscoped {
        id: "RL-IAM-003", name: "permissions-management-unscoped",
        summary: "An IAM statement allows permissions-management actions on every resource",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::High,
        formats: POLICY_FORMATS, fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    report_unscoped_actions(
        ctx,
        // `iam:PassRole` on `*` is RL-IAM-005's, with its own advice.
        |action| action.level == AccessLevel::Permissions && action.name != "iam:PassRole",
        "permissions-management actions that let the \
         holder change who may do what anywhere in the account; scope `Resource` to \
         the ARNs it manages",
    );
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture(
            "iam/permissions-management-unscoped/fires.json"
        ));
        check_fixture("iam/permissions-management-unscoped/fires.cfn.yaml");
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture(
            "iam/permissions-management-unscoped/quiet.json"
        ));
        check_fixture("iam/permissions-management-unscoped/quiet.cfn.yaml");
    }
}

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
    /// Actions of that level that cannot give any identity new rights are left out: sharing a
    /// network interface with the service that attaches it
    /// (`ec2:CreateNetworkInterfacePermission`), creating a service-linked role whose trust and
    /// permissions AWS defines (`iam:CreateServiceLinkedRole`), letting AWS services write to
    /// log groups (`logs:PutResourcePolicy`), and removing a grant (`lambda:RemovePermission`).
    /// Only identity policies are judged: in a resource policy (a KMS key's, a bucket's, a
    /// queue's) `"Resource": "*"` is the resource itself, and its principals and conditions
    /// are what RL-IAM-008 judges.
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

/// Permissions-management actions that give no identity new rights.
const CANNOT_GRANT: &[&str] = &[
    // Lets an AWS service (Lambda, EKS) attach to a network interface of the account.
    "ec2:CreateNetworkInterfacePermission",
    "ec2:DeleteNetworkInterfacePermission",
    // A service-linked role's trust and permissions are AWS's, fixed per service.
    "iam:CreateServiceLinkedRole",
    "iam:DeleteServiceLinkedRole",
    // CloudWatch Logs resource policies let AWS services deliver logs to log groups.
    "logs:PutResourcePolicy",
    "logs:DeleteResourcePolicy",
    // Removing a grant takes rights away.
    "lambda:RemovePermission",
    "lambda:RemoveLayerVersionPermission",
];

fn check(ctx: &mut RuleContext<'_>) {
    report_unscoped_actions(
        ctx,
        // `iam:PassRole` on `*` is RL-IAM-005's, with its own advice.
        |action| {
            action.level == AccessLevel::Permissions
                && action.name != "iam:PassRole"
                && !CANNOT_GRANT.contains(&action.name)
        },
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

use redline_diagnostics::{Category, Confidence, Severity};

use super::actions::AccessLevel;
use super::{POLICY_FORMATS, granted, name_some, service_wildcard};
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
    let file = ctx.file();
    for policy in file.policies() {
        for statement in policy.allows() {
            if statement.has_condition() {
                continue;
            }
            let Some(star) = statement.resource.as_ref().and_then(|r| r.star()) else {
                continue;
            };
            let Some(action) = &statement.action else {
                continue;
            };
            for item in &action.items {
                if service_wildcard(item).is_some() {
                    continue;
                }
                let names: Vec<&str> = granted(item)
                    .into_iter()
                    // `iam:PassRole` on `*` is RL-IAM-005's, with its own advice.
                    .filter(|action| {
                        action.level == AccessLevel::Permissions && action.name != "iam:PassRole"
                    })
                    .map(|action| action.name)
                    .collect();
                if names.is_empty() {
                    continue;
                }
                let message = format!(
                    "{} allows {} on every resource: permissions-management actions that let the \
                     holder change who may do what anywhere in the account; scope `Resource` to \
                     the ARNs it manages",
                    statement.describe(policy),
                    name_some(&names)
                );
                let diagnostic = ctx
                    .diagnostic(item.range, message)
                    .with_related(star.range, "every resource is granted here");
                ctx.report(diagnostic);
            }
        }
    }
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

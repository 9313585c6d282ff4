use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::iam_policy::PolicyKind;

use super::POLICY_FORMATS;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A resource policy (S3 bucket, KMS key, SQS queue, SNS topic, Lambda permission, …)
    /// with an `Allow` statement for `"Principal": "*"` or `{"AWS": "*"}` and no condition
    /// that restricts who the caller is: `aws:PrincipalOrgID`, `aws:PrincipalAccount`,
    /// `aws:PrincipalArn`, `aws:SourceArn`, `aws:SourceAccount`, `aws:SourceVpce`,
    /// `aws:SourceVpc`, `aws:SourceIp`, `kms:CallerAccount`.
    /// `aws_lambda_permission` with `principal = "*"` and no `source_arn`, `source_account`
    /// or `principal_org_id` counts too.
    ///
    /// ## Why it matters
    /// `*` is every AWS account in the world and, for S3, anonymous callers: the statement
    /// makes the bucket, key, queue or function public.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    ///  "Resource": "arn:aws:s3:::acme-reports/*"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
    ///  "Resource": "arn:aws:s3:::acme-reports/*",
    ///  "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}
    /// ```
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-008 -- public website bucket` on the line above (Terraform,
    /// YAML); an `[[ignore]]` entry in `redline.toml` for JSON files.
    ///
    /// ## References
    /// - Checkov CKV_AWS_70, CKV_AWS_33, CKV_AWS_283; Trivy AWS-0097
    PublicResourcePolicy {
        id: "RL-IAM-008", name: "public-resource-policy",
        summary: "A resource policy allows any principal without a restricting condition",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: POLICY_FORMATS, fix: FixAvailability::None, status: Status::Preview,
    }
}

/// Condition keys that narrow `*` to known callers.
pub(crate) const RESTRICTING_KEYS: &[&str] = &[
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:SourceArn",
    "aws:SourceAccount",
    "aws:SourceOrgID",
    "aws:SourceVpce",
    "aws:SourceVpc",
    "aws:SourceIp",
    "aws:SourceOwner",
    "aws:userid",
    "kms:CallerAccount",
];

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for policy in file.policies() {
        if policy.kind != PolicyKind::Resource {
            continue;
        }
        for statement in policy.allows() {
            let Some(principal) = statement.public_principal() else {
                continue;
            };
            if statement.has_condition_key(RESTRICTING_KEYS) {
                continue;
            }
            let message = format!(
                "{} allows any principal (`*`) with no condition on who the caller is: every AWS \
                 account, and for S3 anonymous callers, can use this resource; add an \
                 `aws:PrincipalOrgID`, `aws:SourceArn` or `aws:SourceAccount` condition, or \
                 name the principals",
                statement.describe(policy)
            );
            ctx.report(ctx.diagnostic(principal.range, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("iam/public-resource-policy/fires.json"));
        check_fixture("iam/public-resource-policy/fires.tf");
        check_fixture("iam/public-resource-policy/fires.cfn.yaml");
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("iam/public-resource-policy/quiet.json"));
        check_fixture("iam/public-resource-policy/quiet.tf");
        check_fixture("iam/public-resource-policy/quiet.cfn.yaml");
    }
}

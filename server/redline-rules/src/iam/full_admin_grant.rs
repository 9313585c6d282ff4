use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::iam_policy::Values;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An IAM policy statement with `"Effect": "Allow"`, `"Action": "*"` and
    /// `"Resource": "*"`: every action on every resource in the account.
    /// Policies are read from policy files, Terraform (`jsonencode`, heredoc JSON,
    /// `aws_iam_policy_document`) and CloudFormation templates.
    /// Only identity policies are judged: in a resource policy (a KMS key's, a bucket's, a
    /// queue's) `"Resource": "*"` is the resource itself, and its principals and conditions
    /// are what RL-IAM-008 judges.
    ///
    /// ## Why it matters
    /// Whoever holds this policy is a full administrator.
    /// A person, a CI job or a coding agent running with it can delete databases, buckets and
    /// whole environments, and can grant itself anything it does not yet have.
    /// This is the permission set that turns one mistaken "delete and recreate" into an
    /// outage: nothing in the account stops it and no second person has to agree.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]
    /// }
    /// ```
    ///
    /// ## Use instead
    /// List the actions the principal needs, on the resources it works on:
    /// ```json
    /// {
    ///   "Version": "2012-10-17",
    ///   "Statement": [{
    ///     "Effect": "Allow",
    ///     "Action": ["s3:GetObject", "s3:PutObject"],
    ///     "Resource": "arn:aws:s3:::acme-artifacts/*"
    ///   }]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: only the policy's owner knows which actions are needed.
    ///
    /// ## Suppression
    /// In Terraform and CloudFormation YAML, `# redline:ignore RL-IAM-001 -- reason` on the
    /// line above.
    /// JSON has no comments; add an entry to `redline.toml`:
    /// ```toml
    /// [[ignore]]
    /// path = "iam/break-glass.json"
    /// rule = "RL-IAM-001"
    /// reason = "break-glass role, MFA-only, alarmed"
    /// ```
    ///
    /// ## References
    /// - AWS IAM User Guide, "Grant least privilege"
    /// - Checkov CKV_AWS_62, CKV_AWS_1
    FullAdminGrant {
        id: "RL-IAM-001", name: "full-admin-grant",
        summary: "An IAM statement allows every action on every resource",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: super::POLICY_FORMATS, fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for policy in super::identity_policies(file) {
        for statement in policy.allows() {
            let Some(action) = statement.action.as_ref().and_then(Values::star) else {
                continue;
            };
            let Some(resource) = statement.resource.as_ref().and_then(Values::star) else {
                continue;
            };
            let message = format!(
                "{} allows every action (`\"Action\": \"*\"`) on every resource \
                 (`\"Resource\": \"*\"`): whoever holds this policy is a full administrator who \
                 can delete the whole environment; list the actions the principal needs, scoped \
                 to its resources",
                statement.describe(policy)
            );
            let diagnostic = ctx
                .diagnostic(action.range, message)
                .with_related(resource.range, "every resource is granted here")
                .with_subject(statement.range);
            ctx.report(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("iam/full-admin-grant/fires.json"));
        insta::assert_snapshot!(
            "fires_cfn_json",
            check_fixture("iam/full-admin-grant/fires.cfn.json")
        );
        check_fixture("iam/full-admin-grant/fires.tf");
        check_fixture("iam/full-admin-grant/fires.cfn.yaml");
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("iam/full-admin-grant/quiet.json"));
        insta::assert_snapshot!(
            "quiet_cfn_json",
            check_fixture("iam/full-admin-grant/quiet.cfn.json")
        );
        check_fixture("iam/full-admin-grant/quiet.tf");
        check_fixture("iam/full-admin-grant/quiet.cfn.yaml");
    }
}

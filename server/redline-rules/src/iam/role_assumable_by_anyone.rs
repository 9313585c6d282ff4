use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::iam_policy::PolicyKind;

use super::POLICY_FORMATS;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A role trust policy with an `Allow` statement for `"Principal": "*"` or
    /// `{"AWS": "*"}` and no condition at all.
    ///
    /// ## Why it matters
    /// Anyone with an AWS account can assume the role and act with its permissions.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/deployer"},
    ///  "Action": "sts:AssumeRole"}
    /// ```
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-009 -- reason` on the line above (Terraform, YAML); an
    /// `[[ignore]]` entry in `redline.toml` for JSON files.
    ///
    /// ## References
    /// - Checkov CKV_AWS_60; Cloudsplaining AssumableByAnyPrincipal
    RoleAssumableByAnyone {
        id: "RL-IAM-009", name: "role-assumable-by-anyone",
        summary: "A role trust policy lets any AWS principal assume the role",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: POLICY_FORMATS, fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for policy in file.policies() {
        if policy.kind != PolicyKind::Trust {
            continue;
        }
        for statement in policy.allows() {
            let Some(principal) = statement.public_principal() else {
                continue;
            };
            if statement.has_condition() {
                continue;
            }
            let message = format!(
                "{} lets any principal (`*`) assume the role, with no condition: anyone with an \
                 AWS account can act with its permissions; name the trusted roles or accounts \
                 in `Principal`",
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
        insta::assert_snapshot!(check_fixture("iam/role-assumable-by-anyone/fires.json"));
        check_fixture("iam/role-assumable-by-anyone/fires.tf");
        check_fixture("iam/role-assumable-by-anyone/fires.cfn.yaml");
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("iam/role-assumable-by-anyone/quiet.json"));
        check_fixture("iam/role-assumable-by-anyone/quiet.tf");
        check_fixture("iam/role-assumable-by-anyone/quiet.cfn.yaml");
    }
}

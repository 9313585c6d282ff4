use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};

use super::{POLICY_FORMATS, granted};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An `Allow` statement that grants `iam:PassRole` (directly, or through `iam:*`,
    /// `iam:Pass*`, …) on `"Resource": "*"` or with `NotResource`, without an
    /// `iam:PassedToService` condition.
    /// Only identity policies are judged: in a resource policy (a KMS key's, a bucket's, a
    /// queue's) `"Resource": "*"` is the resource itself, and its principals and conditions
    /// are what RL-IAM-008 judges.
    ///
    /// ## Why it matters
    /// Passing a role to a service (EC2, Lambda, ECS, CloudFormation) makes the service act
    /// with that role's permissions.
    /// On every role, the holder can pass an administrator role to a function or instance it
    /// controls and act as administrator through it.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Effect": "Allow", "Action": "iam:PassRole",
    ///  "Resource": "arn:aws:iam::111122223333:role/app-task",
    ///  "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}}
    /// ```
    ///
    /// ## Fix safety
    /// The fix replaces `"*"` with a role ARN placeholder (`ACCOUNT_ID`, `ROLE_NAME`), so it is
    /// display-only: fill in the roles the principal passes.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-005 -- reason` on the line above (Terraform, YAML); an
    /// `[[ignore]]` entry in `redline.toml` for JSON files.
    ///
    /// ## References
    /// - IAM Access Analyzer policy checks, PASS_ROLE_WITH_STAR_IN_RESOURCE
    /// - Trivy AWS-0342
    PassRoleUnrestricted {
        id: "RL-IAM-005", name: "pass-role-unrestricted",
        summary: "iam:PassRole is allowed on every role without an iam:PassedToService condition",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: POLICY_FORMATS, fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

/// What the fix writes instead of `"*"`.
const ROLE_PLACEHOLDER: &str = "\"arn:aws:iam::ACCOUNT_ID:role/ROLE_NAME\"";

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for policy in super::identity_policies(file) {
        for statement in policy.allows() {
            if statement.has_condition_key(&["iam:PassedToService"]) {
                continue;
            }
            let Some(action) = &statement.action else {
                continue;
            };
            let Some(pass_role) = action.items.iter().find(|item| {
                granted(item)
                    .iter()
                    .any(|action| action.name == "iam:PassRole")
            }) else {
                continue;
            };
            let granted_as = match pass_role.value.as_deref() {
                Some(value) if !value.eq_ignore_ascii_case("iam:PassRole") => {
                    format!(" (through `{value}`)")
                }
                _ => String::new(),
            };
            let subject = statement.describe(policy);
            if let Some(star) = statement.resource.as_ref().and_then(|r| r.star()) {
                let message = format!(
                    "{subject} allows `iam:PassRole`{granted_as} on every role, \
                     without an `iam:PassedToService` condition: the holder can hand an \
                     administrator role to a service it controls and act through it; list the \
                     role ARNs it passes and add `iam:PassedToService`"
                );
                let fix = Fix::single(
                    "Replace `*` with the ARN of the role that is passed",
                    Applicability::DisplayOnly,
                    Edit::replace(star.range, ROLE_PLACEHOLDER),
                );
                let diagnostic = ctx
                    .diagnostic(star.range, message)
                    .with_related(pass_role.range, "`iam:PassRole` is granted here")
                    .with_subject(statement.range)
                    .with_fix(fix);
                ctx.report(diagnostic);
            } else if let Some(not_resource) = &statement.not_resource {
                let message = format!(
                    "{subject} allows `iam:PassRole`{granted_as} on every role not \
                     listed in `NotResource`: the holder can hand an administrator role to a \
                     service it controls; list the role ARNs it passes in `Resource`"
                );
                let diagnostic = ctx
                    .diagnostic(not_resource.range, message)
                    .with_related(pass_role.range, "`iam:PassRole` is granted here")
                    .with_subject(statement.range);
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
        insta::assert_snapshot!(check_fixture("iam/pass-role-unrestricted/fires.json"));
        check_fixture("iam/pass-role-unrestricted/fires.tf");
        insta::assert_snapshot!(
            "fires_cfn_json",
            check_fixture("iam/pass-role-unrestricted/fires.cfn.json")
        );
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("iam/pass-role-unrestricted/quiet.json"));
        check_fixture("iam/pass-role-unrestricted/quiet.tf");
    }
}

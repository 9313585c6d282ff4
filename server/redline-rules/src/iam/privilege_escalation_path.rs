use std::collections::BTreeMap;

use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::iam_policy::{Item, Policy, Statement};

use super::{POLICY_FORMATS, granted};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A policy that grants a complete privilege-escalation path on every resource (or on
    /// wildcard IAM ARNs), evaluated across all statements of the policy:
    /// `iam:CreatePolicyVersion`, `iam:SetDefaultPolicyVersion`, `iam:Attach*Policy`,
    /// `iam:Put*Policy`, `iam:AddUserToGroup`, `iam:CreateAccessKey`,
    /// `iam:CreateLoginProfile`, `iam:UpdateLoginProfile`, `iam:UpdateAssumeRolePolicy`,
    /// `glue:UpdateDevEndpoint`, `lambda:UpdateFunctionCode`, and `iam:PassRole` together with
    /// `ec2:RunInstances`, `lambda:CreateFunction`, `cloudformation:CreateStack`,
    /// `glue:CreateDevEndpoint`, `datapipeline:CreatePipeline`, `codebuild:CreateProject` or
    /// `ecs:RegisterTaskDefinition` + `ecs:RunTask`.
    /// Wildcards (`iam:*`, `iam:Put*`) are expanded against the AWS action catalog.
    /// Statements with conditions are left out, since a condition may close the path.
    /// Only identity policies are judged: in a resource policy (a KMS key's, a bucket's, a
    /// queue's) `"Resource": "*"` is the resource itself, and its principals and conditions
    /// are what RL-IAM-008 judges.
    ///
    /// ## Why it matters
    /// Each path lets the holder give itself more permissions than the policy grants, up to
    /// full administrator: attach `AdministratorAccess` to its own role, mint keys for an
    /// administrator, or hand an administrator role to a Lambda function it writes.
    /// A least-privilege policy with one of these paths is an administrator policy.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": ["iam:PassRole", "lambda:CreateFunction"], "Resource": "*"}
    /// ```
    ///
    /// ## Use instead
    /// Scope `iam:PassRole` to the one role the function needs, and limit the service it may
    /// be passed to:
    /// ```json
    /// {"Effect": "Allow", "Action": "iam:PassRole",
    ///  "Resource": "arn:aws:iam::111122223333:role/app-function",
    ///  "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}
    /// ```
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-004 -- reason` on the line above (Terraform, YAML); an
    /// `[[ignore]]` entry in `redline.toml` for JSON files.
    ///
    /// ## References
    /// - Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and Mitigation"
    /// - Parliament PRIVILEGE_ESCALATION; Cloudsplaining PrivilegeEscalation; Checkov CKV_AWS_286
    PrivilegeEscalationPath {
        id: "RL-IAM-004", name: "privilege-escalation-path",
        summary: "An IAM policy grants a complete privilege-escalation path",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: POLICY_FORMATS, fix: FixAvailability::None, status: Status::Preview,
    }
}

/// The escalation paths: every action of the set must be granted; then what it lets the
/// holder do.
const PATHS: &[(&[&str], &str)] = &[
    (
        &["iam:CreatePolicyVersion"],
        "lets the holder rewrite any managed policy, its own included",
    ),
    (
        &["iam:SetDefaultPolicyVersion"],
        "lets the holder switch any managed policy back to an older, broader version",
    ),
    (
        &["iam:AttachRolePolicy"],
        "lets the holder attach `AdministratorAccess` to any role",
    ),
    (
        &["iam:AttachUserPolicy"],
        "lets the holder attach `AdministratorAccess` to any user",
    ),
    (
        &["iam:AttachGroupPolicy"],
        "lets the holder attach `AdministratorAccess` to any group",
    ),
    (
        &["iam:PutRolePolicy"],
        "lets the holder write an administrator inline policy on any role",
    ),
    (
        &["iam:PutUserPolicy"],
        "lets the holder write an administrator inline policy on any user",
    ),
    (
        &["iam:PutGroupPolicy"],
        "lets the holder write an administrator inline policy on any group",
    ),
    (
        &["iam:AddUserToGroup"],
        "lets the holder join any group, an administrators group included",
    ),
    (
        &["iam:CreateAccessKey"],
        "lets the holder mint access keys for any user, administrators included",
    ),
    (
        &["iam:CreateLoginProfile"],
        "lets the holder set a console password for any user that has none",
    ),
    (
        &["iam:UpdateLoginProfile"],
        "lets the holder reset the console password of any user",
    ),
    (
        &["iam:UpdateAssumeRolePolicy"],
        "lets the holder make any role, an administrator role included, trust it",
    ),
    (
        &["iam:PassRole", "lambda:CreateFunction"],
        "lets the holder run code as any role",
    ),
    (
        &["iam:PassRole", "ec2:RunInstances"],
        "lets the holder start an instance as any role and read its credentials",
    ),
    (
        &["iam:PassRole", "cloudformation:CreateStack"],
        "lets the holder create any resource as any role",
    ),
    (
        &["iam:PassRole", "glue:CreateDevEndpoint"],
        "lets the holder open a shell as any role",
    ),
    (
        &["iam:PassRole", "datapipeline:CreatePipeline"],
        "lets the holder run commands as any role",
    ),
    (
        &["iam:PassRole", "codebuild:CreateProject"],
        "lets the holder run a build as any role",
    ),
    (
        &["iam:PassRole", "ecs:RegisterTaskDefinition", "ecs:RunTask"],
        "lets the holder run a container as any role",
    ),
    (
        &["glue:UpdateDevEndpoint"],
        "lets the holder add its key to a development endpoint and act as its role",
    ),
    (
        &["lambda:UpdateFunctionCode"],
        "lets the holder replace the code of any function and act as its role",
    ),
];

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for policy in super::identity_policies(file) {
        check_policy(ctx, policy);
    }
}

fn check_policy(ctx: &mut RuleContext<'_>, policy: &Policy) {
    // Lowercase action name → the first item that grants it.
    let mut grants: BTreeMap<String, &Item> = BTreeMap::new();
    for statement in policy.allows() {
        if statement.has_condition() || !broad_resources(statement) {
            continue;
        }
        let Some(action) = &statement.action else {
            continue;
        };
        for item in &action.items {
            for &granted in granted(item).iter() {
                // Only the actions of some path matter; `ec2:Describe*` grants hundreds.
                let on_a_path = PATHS.iter().any(|(actions, _)| {
                    actions
                        .iter()
                        .any(|action| action.eq_ignore_ascii_case(granted.name))
                });
                if on_a_path {
                    grants
                        .entry(granted.name.to_ascii_lowercase())
                        .or_insert(item);
                }
            }
        }
    }
    if grants.is_empty() {
        return;
    }
    // Findings are grouped by the item that grants the path's first action, so `iam:*`
    // gives one finding, not twenty.
    let mut by_anchor: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
    let mut anchors: BTreeMap<(usize, usize), &Item> = BTreeMap::new();
    for (index, (path, _)) in PATHS.iter().enumerate() {
        let items: Option<Vec<&Item>> = path
            .iter()
            .map(|action| grants.get(&action.to_ascii_lowercase()).copied())
            .collect();
        let Some(items) = items else {
            continue;
        };
        let anchor = items[0];
        let key = (
            anchor.range.start().to_usize(),
            anchor.range.end().to_usize(),
        );
        by_anchor.entry(key).or_default().push(index);
        anchors.insert(key, anchor);
    }
    for (key, paths) in by_anchor {
        let anchor = anchors[&key];
        let (actions, consequence) = PATHS[paths[0]];
        let names: Vec<String> = actions.iter().map(|name| format!("`{name}`")).collect();
        let subject = if policy.owner.is_empty() {
            "this policy".to_owned()
        } else {
            format!("`{}`", policy.owner)
        };
        let others = match paths.len() - 1 {
            0 => String::new(),
            1 => " (and 1 other escalation path)".to_owned(),
            n => format!(" (and {n} other escalation paths)"),
        };
        let message = format!(
            "{subject} grants {} on every resource{others}, which {consequence}: the holder can \
             make itself a full administrator; remove one of the actions or scope it to specific \
             ARNs",
            names.join(" + ")
        );
        let mut diagnostic = ctx.diagnostic(anchor.range, message);
        if let Some(statement) = policy
            .statements
            .iter()
            .find(|statement| statement.range.contains_range(anchor.range))
        {
            diagnostic = diagnostic.with_subject(statement.range);
        }
        for action in &actions[1..] {
            if let Some(item) = grants.get(&action.to_ascii_lowercase())
                && item.range != anchor.range
            {
                diagnostic =
                    diagnostic.with_related(item.range, format!("`{action}` is granted here"));
            }
        }
        ctx.report(diagnostic);
    }
}

/// `Resource: "*"`, `NotResource`, or a wildcard IAM ARN such as `arn:aws:iam::*:role/*`.
fn broad_resources(statement: &Statement) -> bool {
    if statement.all_resources().is_some() {
        return true;
    }
    statement.resource.as_ref().is_some_and(|resource| {
        resource
            .known()
            .any(|(value, _)| value.starts_with("arn:aws:iam::") && value.contains('*'))
    })
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("iam/privilege-escalation-path/fires.json"));
        check_fixture("iam/privilege-escalation-path/fires.tf");
        check_fixture("iam/privilege-escalation-path/fires.cfn.yaml");
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("iam/privilege-escalation-path/quiet.json"));
        check_fixture("iam/privilege-escalation-path/quiet.tf");
        check_fixture("iam/privilege-escalation-path/quiet.cfn.yaml");
    }
}

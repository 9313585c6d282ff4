//! Rules over AWS IAM policies, wherever they are written: policy files, Terraform and
//! CloudFormation all read into `redline_syntax::iam_policy`.

pub mod actions;
pub mod admin_managed_policy;
pub mod allow_with_negation;
pub mod allow_with_not_principal;
pub mod cross_account_trust_without_external_id;
pub mod destructive_actions_unscoped;
pub mod full_admin_grant;
pub mod oidc_trust_without_subject;
pub mod pass_role_unrestricted;
pub mod permission_widened;
pub mod permissions_management_unscoped;
pub mod privilege_escalation_path;
pub mod public_resource_policy;
pub mod role_assumable_by_anyone;
pub mod service_wildcard_grant;
pub mod unknown_iam_action;

use redline_diagnostics::Severity;
use redline_syntax::Format;
use redline_syntax::SourceFile;
use redline_syntax::iam_policy::{Item, Policy, PolicyKind};

use actions::Action;

use crate::RuleContext;

/// Every format an IAM policy can be written in.
pub(crate) const POLICY_FORMATS: &[Format] =
    &[Format::IamPolicy, Format::Terraform, Format::CloudFormation];

/// The identity policies of a file: what their holders may do.
///
/// A resource policy (a key's, a bucket's, a queue's, a function's) says who may use one
/// resource, and its `"Resource": "*"` is that resource itself; a KMS key policy that lets the
/// account root do `kms:*` is AWS's default. Resource policies are judged by principal and
/// condition (RL-IAM-008 and the trust rules), not as grants to their holders.
pub(crate) fn identity_policies<'f>(file: &'f SourceFile<'_>) -> impl Iterator<Item = &'f Policy> {
    file.policies()
        .iter()
        .filter(|policy| policy.kind == PolicyKind::Identity)
}

/// The actions an action item grants, or nothing for the bare `*` (reported as full admin
/// when it meets `Resource: "*"`) and for unknown values.
pub(crate) fn granted(item: &Item) -> actions::Actions {
    match item.value.as_deref() {
        None | Some("*") => std::sync::Arc::new([]),
        Some(pattern) => actions::expand(pattern),
    }
}

/// Reports each action item of an unconditioned `Allow` statement on `Resource: "*"` that
/// grants actions `select` picks (service wildcards are RL-IAM-002's), naming them: "… allows
/// `x`, `y` on every resource: {advice}".
pub(crate) fn report_unscoped_actions(
    ctx: &mut RuleContext<'_>,
    select: impl Fn(&Action) -> bool,
    advice: &str,
) {
    report_graded_actions(ctx, select, advice, |_| None);
}

/// As `report_unscoped_actions`, with the severity of each finding set by `grade` from the
/// actions it names (`None` keeps the rule's).
pub(crate) fn report_graded_actions(
    ctx: &mut RuleContext<'_>,
    select: impl Fn(&Action) -> bool,
    advice: &str,
    grade: impl Fn(&[&'static Action]) -> Option<Severity>,
) {
    let file = ctx.file();
    for policy in identity_policies(file) {
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
                let selected: Vec<&'static Action> = granted(item)
                    .iter()
                    .copied()
                    .filter(|action| select(action))
                    .collect();
                let names: Vec<&str> = selected.iter().map(|action| action.name).collect();
                if names.is_empty() {
                    continue;
                }
                let message = format!(
                    "{} allows {} on every resource: {advice}",
                    statement.describe(policy),
                    name_some(&names)
                );
                let mut diagnostic = ctx
                    .diagnostic(item.range, message)
                    .with_related(star.range, "every resource is granted here")
                    .with_subject(statement.range);
                if let Some(severity) = grade(&selected) {
                    diagnostic.severity = severity;
                }
                ctx.report(diagnostic);
            }
        }
    }
}

/// `iam:*`, `s3:*`: the service name when the item grants every action of a service.
pub(crate) fn service_wildcard(item: &Item) -> Option<&str> {
    let value = item.value.as_deref()?;
    let (service, rest) = value.split_once(':')?;
    (rest == "*" && !service.is_empty() && !service.contains('*')).then_some(service)
}

/// The first few action names, for messages: `iam:PutRolePolicy, iam:PutUserPolicy and 3 more`.
pub(crate) fn name_some(names: &[&str]) -> String {
    let shown: Vec<String> = names
        .iter()
        .take(3)
        .map(|name| format!("`{name}`"))
        .collect();
    match names.len() {
        0..=3 => shown.join(", "),
        n => format!("{} and {} more", shown.join(", "), n - 3),
    }
}

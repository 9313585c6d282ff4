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

use redline_syntax::Format;
use redline_syntax::iam_policy::Item;

use actions::Action;

/// Every format an IAM policy can be written in.
pub(crate) const POLICY_FORMATS: &[Format] =
    &[Format::IamPolicy, Format::Terraform, Format::CloudFormation];

/// The actions an action item grants, or nothing for the bare `*` (reported as full admin
/// when it meets `Resource: "*"`) and for unknown values.
pub(crate) fn granted(item: &Item) -> Vec<&'static Action> {
    match item.value.as_deref() {
        None | Some("*") => Vec::new(),
        Some(pattern) => actions::expand(pattern),
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

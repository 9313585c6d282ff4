use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::iam_policy::PolicyKind;

use super::POLICY_FORMATS;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A role trust policy that trusts a whole AWS account
    /// (`arn:aws:iam::123456789012:root`, or the bare account id) without an `sts:ExternalId`
    /// condition.
    /// Account ids written through variables or `!Ref` are not judged.
    ///
    /// ## Why it matters
    /// Trusting an account's root lets every role and user in that account that is allowed
    /// `sts:AssumeRole` assume this role.
    /// When the account belongs to a third party acting for several customers, anyone who can
    /// make that party act can make it act on this account (the confused deputy); the
    /// external id is what ties the request to this customer.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
    ///  "Action": "sts:AssumeRole"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
    ///  "Action": "sts:AssumeRole",
    ///  "Condition": {"StringEquals": {"sts:ExternalId": "acme-4f9c2"}}}
    /// ```
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-010 -- our own tooling account` on the line above (Terraform,
    /// YAML); an `[[ignore]]` entry in `redline.toml` for JSON files.
    ///
    /// ## References
    /// - AWS IAM User Guide, "The confused deputy problem"
    /// - Cloudsplaining AssumableByCrossAccountPrincipal
    CrossAccountTrustWithoutExternalId {
        id: "RL-IAM-010", name: "cross-account-trust-without-external-id",
        summary: "A role trusts another account's root without an sts:ExternalId condition",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::Medium,
        formats: POLICY_FORMATS, fix: FixAvailability::None, status: Status::Preview,
    }
}

/// The account id of `arn:aws:iam::123456789012:root` or `123456789012`.
fn account_root(value: &str) -> Option<&str> {
    let account = match value.strip_prefix("arn:") {
        Some(rest) => {
            let (_partition, rest) = rest.split_once(':')?;
            rest.strip_prefix("iam::")?.strip_suffix(":root")?
        }
        None => value,
    };
    (account.len() == 12 && account.bytes().all(|byte| byte.is_ascii_digit())).then_some(account)
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for policy in file.policies() {
        if policy.kind != PolicyKind::Trust {
            continue;
        }
        for statement in policy.allows() {
            if statement.has_condition_key(&["sts:ExternalId"]) {
                continue;
            }
            let Some(principal) = &statement.principal else {
                continue;
            };
            for entry in &principal.entries {
                if entry.kind != "AWS" {
                    continue;
                }
                let Some(account) = entry.value.value.as_deref().and_then(account_root) else {
                    continue;
                };
                let message = format!(
                    "{} trusts every principal of account {account} that may call \
                     `sts:AssumeRole`, without an `sts:ExternalId` condition; add a \
                     `StringEquals` `sts:ExternalId` condition with the id agreed with that \
                     account, or name the one role that may assume this role",
                    statement.describe(policy)
                );
                ctx.report(ctx.diagnostic(entry.value.range, message));
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
            "iam/cross-account-trust-without-external-id/fires.json"
        ));
        check_fixture("iam/cross-account-trust-without-external-id/fires.cfn.yaml");
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture(
            "iam/cross-account-trust-without-external-id/quiet.json"
        ));
        check_fixture("iam/cross-account-trust-without-external-id/quiet.cfn.yaml");
    }
}

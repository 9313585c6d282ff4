use redline_diagnostics::{Category, Confidence, Severity};

use super::POLICY_FORMATS;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An `Allow` statement with `NotPrincipal`, in a resource or trust policy.
    ///
    /// ## Why it matters
    /// `"Effect": "Allow", "NotPrincipal": {...}` allows every principal in every AWS account
    /// except the ones listed, anonymous callers included.
    /// AWS recommends never combining `NotPrincipal` with `Allow`.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:user/bob"},
    ///  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme/*"}
    /// ```
    ///
    /// ## Use instead
    /// Name the principals that are allowed:
    /// ```json
    /// {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:role/reader"},
    ///  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme/*"}
    /// ```
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-007 -- reason` on the line above (Terraform, YAML); an
    /// `[[ignore]]` entry in `redline.toml` for JSON files.
    ///
    /// ## References
    /// - Parliament NOTPRINCIPAL_WITH_ALLOW
    /// - IAM Access Analyzer policy checks, "Allow with NotPrincipal"
    AllowWithNotPrincipal {
        id: "RL-IAM-007", name: "allow-with-not-principal",
        summary: "An Allow statement uses NotPrincipal and grants everyone else",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::High,
        formats: POLICY_FORMATS, fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for policy in file.policies() {
        for statement in policy.allows() {
            let Some(not_principal) = &statement.not_principal else {
                continue;
            };
            let message = format!(
                "{} allows every principal of every AWS account except those listed in \
                 `NotPrincipal`, anonymous callers included; name the allowed principals in \
                 `Principal` instead",
                statement.describe(policy)
            );
            ctx.report(ctx.diagnostic(not_principal.range, message));
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("iam/allow-with-not-principal/fires.json"));
        check_fixture("iam/allow-with-not-principal/fires.tf");
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("iam/allow-with-not-principal/quiet.json"));
        check_fixture("iam/allow-with-not-principal/quiet.tf");
    }
}

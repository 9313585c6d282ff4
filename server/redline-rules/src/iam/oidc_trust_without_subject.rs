use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::iam_policy::{Statement, Syntax};

use super::POLICY_FORMATS;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A trust policy statement for an OIDC identity provider (GitHub Actions
    /// `token.actions.githubusercontent.com`, GitLab, EKS `oidc.eks.*`, any
    /// `oidc-provider/…`) with no condition on the token's `sub` claim, or with a `sub` that
    /// matches any repository (`*`, `repo:acme/*`).
    ///
    /// ## Why it matters
    /// Every GitHub repository (or GitLab project, or pod in the cluster) can get a token from
    /// the same provider.
    /// Without a `sub` condition naming the repository and branch or environment, any of them
    /// can assume the role: a fork's workflow can deploy to production, and the environment's
    /// approval gate is bypassed.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
    ///  "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
    ///  "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// "Condition": {
    ///   "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
    ///   "StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/deploy:environment:production"}
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix adds (or rewrites) the `sub` condition with `repo:OWNER/REPO:ref:refs/heads/main`
    /// as a placeholder, so it is display-only: fill in the repository and the branch or
    /// environment that may deploy.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-011 -- reason` on the line above (Terraform, YAML); an
    /// `[[ignore]]` entry in `redline.toml` for JSON files.
    ///
    /// ## References
    /// - GitHub Docs, "Configuring OpenID Connect in Amazon Web Services"
    /// - IAM Access Analyzer policy checks, "Missing github repo condition key"
    /// - Checkov CKV_AWS_358
    OidcTrustWithoutSubject {
        id: "RL-IAM-011", name: "oidc-trust-without-subject",
        summary: "An OIDC trust policy does not restrict the token subject to one repository",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: POLICY_FORMATS, fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

const GITHUB: &str = "token.actions.githubusercontent.com";

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for policy in file.policies() {
        for statement in policy.allows() {
            let Some(principal) = &statement.principal else {
                continue;
            };
            for entry in &principal.entries {
                if entry.kind != "Federated" {
                    continue;
                }
                let Some(host) = entry.value.value.as_deref().and_then(oidc_host) else {
                    continue;
                };
                check_subject(ctx, statement, host, &entry.value.range, policy);
            }
        }
    }
}

fn check_subject(
    ctx: &mut RuleContext<'_>,
    statement: &Statement,
    host: &str,
    principal_range: &redline_text::TextRange,
    policy: &redline_syntax::iam_policy::Policy,
) {
    let subject_key = format!("{host}:sub");
    let condition = statement.condition.as_ref();
    if condition.is_some_and(|condition| condition.unknown) {
        return;
    }
    let tests: Vec<_> = condition
        .map(|condition| {
            condition
                .entries
                .iter()
                .filter(|entry| entry.key.eq_ignore_ascii_case(&subject_key))
                .collect()
        })
        .unwrap_or_default();
    let placeholder = placeholder(host);
    let who = who(host);
    let naming = naming(host);
    if tests.is_empty() {
        let message = format!(
            "{} trusts the OIDC provider `{host}` without a `{subject_key}` condition: {who} can \
             assume the role; add a `StringLike` condition on `{subject_key}` naming {naming}",
            statement.describe(policy)
        );
        let mut diagnostic = ctx.diagnostic(*principal_range, message);
        if condition.is_none()
            && let Some(fix) = insert_condition(statement, &subject_key, placeholder, naming)
        {
            diagnostic = diagnostic.with_fix(fix);
        }
        ctx.report(diagnostic);
        return;
    }
    for test in tests {
        for (value, item) in test.values.known() {
            if !too_broad(host, value) {
                continue;
            }
            let message = format!(
                "{} lets any token whose `{subject_key}` matches `{value}` assume the role: \
                 {who} matching it can assume it; name {naming} instead",
                statement.describe(policy)
            );
            let fix = Fix::single(
                format!("Name {naming} in the `sub` condition"),
                Applicability::DisplayOnly,
                Edit::replace(item.range, format!("\"{placeholder}\"")),
            );
            ctx.report(ctx.diagnostic(item.range, message).with_fix(fix));
        }
    }
}

/// The provider host of a federated principal that issues OIDC tokens.
fn oidc_host(value: &str) -> Option<&str> {
    if let Some((_, host)) = value.split_once(":oidc-provider/") {
        return Some(host);
    }
    let known = value == GITHUB || value == "gitlab.com" || value.starts_with("oidc.eks.");
    known.then_some(value)
}

fn placeholder(host: &str) -> &'static str {
    if host.starts_with("oidc.eks.") {
        "system:serviceaccount:NAMESPACE:SERVICE_ACCOUNT"
    } else if host.contains("gitlab") {
        "project_path:GROUP/PROJECT:ref_type:branch:ref:main"
    } else {
        "repo:OWNER/REPO:ref:refs/heads/main"
    }
}

/// What a `sub` condition should name, for messages and fix titles.
fn naming(host: &str) -> &'static str {
    if host == GITHUB {
        "one repository and its branch or environment"
    } else if host.starts_with("oidc.eks.") {
        "one namespace and service account"
    } else if host.contains("gitlab") {
        "one project and its branch"
    } else {
        "the one subject that may assume the role"
    }
}

fn who(host: &str) -> &'static str {
    if host == GITHUB {
        "any workflow of any GitHub repository"
    } else if host.starts_with("oidc.eks.") {
        "any service account of the cluster"
    } else if host.contains("gitlab") {
        "any pipeline of any project on the instance"
    } else {
        "anyone the provider issues a token to"
    }
}

/// `*`, or a pattern whose repository (GitHub) or project (GitLab) part holds a wildcard.
fn too_broad(host: &str, value: &str) -> bool {
    if value.trim_matches('*').is_empty() {
        return true;
    }
    let owner_part = if host == GITHUB {
        value
            .strip_prefix("repo:")
            .map(|rest| rest.split(':').next().unwrap_or(rest))
    } else if host.contains("gitlab") {
        value
            .strip_prefix("project_path:")
            .map(|rest| rest.split(':').next().unwrap_or(rest))
    } else {
        None
    };
    match owner_part {
        Some(repository) => repository.contains('*') || repository.contains('?'),
        None => value.starts_with('*'),
    }
}

/// A display-only fix that writes a `sub` condition at the start of the statement.
fn insert_condition(
    statement: &Statement,
    key: &str,
    placeholder: &str,
    naming: &str,
) -> Option<Fix> {
    let offset = statement.insert_at?;
    let text = match statement.syntax {
        Syntax::Json => {
            format!("\"Condition\": {{\"StringLike\": {{\"{key}\": \"{placeholder}\"}}}}, ")
        }
        Syntax::HclObject => {
            format!("Condition = {{ StringLike = {{ \"{key}\" = \"{placeholder}\" }} }}, ")
        }
        Syntax::HclBlock => format!(
            "\n    condition {{\n      test     = \"StringLike\"\n      variable = \"{key}\"\n      values   = [\"{placeholder}\"]\n    }}"
        ),
        Syntax::Other => return None,
    };
    Some(Fix::single(
        format!("Add a `sub` condition naming {naming}"),
        Applicability::DisplayOnly,
        Edit::insert(offset, text),
    ))
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("iam/oidc-trust-without-subject/fires.json"));
        insta::assert_snapshot!(
            "fires_tf",
            check_fixture("iam/oidc-trust-without-subject/fires.tf")
        );
        check_fixture("iam/oidc-trust-without-subject/fires.cfn.yaml");
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("iam/oidc-trust-without-subject/quiet.json"));
        check_fixture("iam/oidc-trust-without-subject/quiet.tf");
        check_fixture("iam/oidc-trust-without-subject/quiet.cfn.yaml");
    }
}

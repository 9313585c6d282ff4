use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::value::Node;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An IAM policy statement with `"Effect": "Allow"`, `"Action": "*"` and
    /// `"Resource": "*"`: every action on every resource in the account.
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
        formats: &[Format::IamPolicy], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for document in &file.documents {
        let Some(statements) = document.get("Statement") else {
            continue;
        };
        for statement in statements.one_or_many() {
            check_statement(ctx, statement);
        }
    }
}

fn check_statement(ctx: &mut RuleContext<'_>, statement: &Node) {
    if statement.get("Effect").and_then(Node::as_str) != Some("Allow") {
        return;
    }
    let Some(action) = statement.get("Action").and_then(find_star) else {
        return;
    };
    let Some(resource) = statement.get("Resource").and_then(find_star) else {
        return;
    };
    let subject = match statement.get("Sid").and_then(Node::as_str) {
        Some(sid) => format!("statement `{sid}`"),
        None => "this statement".to_owned(),
    };
    let message = format!(
        "{subject} allows every action (`\"Action\": \"*\"`) on every resource \
         (`\"Resource\": \"*\"`): whoever holds this policy is a full administrator who can \
         delete the whole environment; list the actions the principal needs, scoped to its \
         resources"
    );
    let diagnostic = ctx
        .diagnostic(action.range, message)
        .with_related(resource.range, "every resource is granted here");
    ctx.report(diagnostic);
}

/// The `"*"` item of a string-or-list element, if there is one.
fn find_star(element: &Node) -> Option<&Node> {
    element
        .one_or_many()
        .into_iter()
        .find(|item| item.as_str() == Some("*"))
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("iam/full-admin-grant/fires.json"));
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("iam/full-admin-grant/quiet.json"));
    }
}

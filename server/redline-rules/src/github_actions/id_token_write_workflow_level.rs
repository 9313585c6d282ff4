use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `id-token: write` in a workflow's top-level `permissions:`.
    ///
    /// ## Why it matters
    /// `id-token: write` lets a job mint an OIDC token, which cloud trust policies exchange for
    /// deploy credentials.
    /// Granted at the workflow level, every job gets it, including test jobs that run
    /// third-party code, so the cloud role is one compromised dependency away; the
    /// environment approval of the real deploy job no longer protects it.
    ///
    /// ## Example
    /// ```yaml
    /// permissions:
    ///   contents: read
    ///   id-token: write
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// permissions:
    ///   contents: read
    /// jobs:
    ///   deploy:
    ///     environment: production
    ///     permissions:
    ///       contents: read
    ///       id-token: write
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the scope must move to the jobs that deploy.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-GHA-003 -- single-job workflow` on the line above.
    ///
    /// ## References
    /// - GitHub Docs, "About security hardening with OpenID Connect"
    /// - zizmor `excessive-permissions`
    IdTokenWriteWorkflowLevel {
        id: "RL-GHA-003", name: "id-token-write-workflow-level",
        summary: "Every job of a workflow may mint cloud credentials through OIDC",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::GithubActions], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for document in &file.documents {
        let Some(entry) = document
            .get("permissions")
            .and_then(|permissions| permissions.entry("id-token"))
        else {
            continue;
        };
        if entry.value.as_str() != Some("write") {
            continue;
        }
        let jobs = document.get("jobs").map_or(0, |jobs| jobs.entries().len());
        if jobs <= 1 {
            continue;
        }
        let message = format!(
            "`id-token: write` at the workflow level lets all {jobs} jobs mint OIDC tokens for \
             cloud roles, not only the one that deploys; grant it on the deploy job only"
        );
        let diagnostic = ctx.diagnostic(entry.value.range, message);
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("github_actions/id-token-write-workflow-level/fires.yml");
    }

    #[test]
    fn quiet() {
        check_fixture("github_actions/id-token-write-workflow-level/quiet.yml");
    }
}

use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::value::Node;

use super::triggers;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A workflow triggered by `pull_request_target` or `workflow_run` that checks out the pull
    /// request's code (`actions/checkout` with a `ref:` naming the head: `github.event.pull_request.head.sha`,
    /// `github.head_ref`, `refs/pull/…`).
    ///
    /// ## Why it matters
    /// These triggers run with the target repository's secrets and a write token.
    /// Checking out and building the pull request's code runs whatever a fork author wrote,
    /// with those secrets, before anyone has reviewed it.
    ///
    /// ## Example
    /// ```yaml
    /// on: pull_request_target
    /// jobs:
    ///   test:
    ///     steps:
    ///       - uses: actions/checkout@v4
    ///         with:
    ///           ref: ${{ github.event.pull_request.head.sha }}
    ///       - run: make test
    /// ```
    ///
    /// ## Use instead
    /// Use `on: pull_request` for anything that runs the pull request's code; keep
    /// `pull_request_target` for jobs that only label or comment.
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-GHA-004 -- runs only after the safe-to-test label` on the line above.
    ///
    /// ## References
    /// - GitHub Security Lab, "Keeping your GitHub Actions and workflows secure: Preventing pwn requests"
    /// - zizmor `dangerous-triggers`
    PullRequestTargetCheckout {
        id: "RL-GHA-004", name: "pull-request-target-checkout",
        summary: "A privileged trigger checks out and runs a pull request's code",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::GithubActions], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for document in &file.documents {
        let privileged: Vec<&str> = triggers(document)
            .into_iter()
            .filter(|trigger| matches!(*trigger, "pull_request_target" | "workflow_run"))
            .collect();
        let Some(trigger) = privileged.first() else {
            continue;
        };
        let Some(jobs) = document.get("jobs") else {
            continue;
        };
        for job in jobs.entries() {
            for step in job.value.get("steps").map(Node::items).unwrap_or_default() {
                let is_checkout = step
                    .get("uses")
                    .and_then(Node::as_str)
                    .is_some_and(|uses| uses.to_ascii_lowercase().starts_with("actions/checkout"));
                if !is_checkout {
                    continue;
                }
                let Some(reference) = step.get("with").and_then(|with| with.get("ref")) else {
                    continue;
                };
                let text = reference.as_str().unwrap_or("");
                let head = [
                    "pull_request.head",
                    "github.head_ref",
                    "refs/pull/",
                    "workflow_run.head",
                ]
                .iter()
                .any(|needle| text.contains(needle));
                if !head {
                    continue;
                }
                let message = format!(
                    "`{trigger}` runs with this repository's secrets and a write token, and this \
                     step checks out the pull request's own code, so a fork can run anything \
                     with them; use `on: pull_request` for jobs that run its code"
                );
                let diagnostic = ctx.diagnostic(reference.range, message);
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
        check_fixture("github_actions/pull-request-target-checkout/fires.yml");
    }

    #[test]
    fn quiet() {
        check_fixture("github_actions/pull-request-target-checkout/quiet.yml");
    }
}

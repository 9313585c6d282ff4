use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;
use redline_text::TextSize;

use super::deploy_in_job;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A workflow with a deploying job (see `deploy-without-environment`) and no `permissions:`
    /// anywhere: neither at the top nor on any job.
    ///
    /// ## Why it matters
    /// Without `permissions:`, every job gets the repository's default token permissions,
    /// which are read and write on many repositories and organisations.
    /// A deploy job then also holds a token that can push code and change releases, and so
    /// does every action it runs.
    ///
    /// ## Example
    /// ```yaml
    /// on: push
    /// jobs:
    ///   deploy:
    ///     environment: production
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - run: terraform apply tfplan
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// on: push
    /// permissions:
    ///   contents: read
    /// jobs:
    ///   deploy:
    ///     environment: production
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - run: terraform apply tfplan
    /// ```
    ///
    /// ## Fix safety
    /// The fix adds `permissions: contents: read` at the top of the workflow. It is unsafe:
    /// steps that write (comments, releases, packages, OIDC) need their scopes added explicitly.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-GHA-002 -- organisation default is read-only` on the first line.
    ///
    /// ## References
    /// - GitHub Docs, "Controlling permissions for GITHUB_TOKEN"
    /// - zizmor `excessive-permissions`
    DeployWorkflowDefaultToken {
        id: "RL-GHA-002", name: "deploy-workflow-default-token",
        summary: "A deploying workflow leaves its token at the repository's default permissions",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::Medium,
        formats: &[Format::GithubActions], fix: FixAvailability::Always, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for document in &file.documents {
        let Some(jobs) = document.get("jobs") else {
            continue;
        };
        if document.get("permissions").is_some()
            || jobs
                .entries()
                .iter()
                .any(|job| job.value.get("permissions").is_some())
        {
            continue;
        }
        let Some((job, what)) = jobs
            .entries()
            .iter()
            .find_map(|job| deploy_in_job(&job.value, &file.text).map(|what| (job, what)))
        else {
            continue;
        };
        let name = job.key.as_str().unwrap_or("job");
        let message = format!(
            "the workflow has no `permissions:`, so job `{name}` (which runs `{what}`) and every \
             other job get the repository's default token, often read-write; add \
             `permissions: contents: read` at the top and grant more per job"
        );
        let newline = if file.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        let jobs_line_start = {
            let jobs_key = document.entry("jobs").map(|entry| entry.key.range.start());
            jobs_key.unwrap_or_default()
        };
        let mut diagnostic = ctx.diagnostic(job.key.range, message);
        if file.text[..jobs_line_start.to_usize()].ends_with('\n')
            || jobs_line_start == TextSize::new(0)
        {
            diagnostic = diagnostic.with_fix(Fix::single(
                "Add `permissions: contents: read` to the workflow",
                Applicability::Unsafe,
                Edit::insert(
                    jobs_line_start,
                    format!("permissions:{newline}  contents: read{newline}"),
                ),
            ));
        }
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("github_actions/deploy-workflow-default-token/fires.yml");
    }

    #[test]
    fn quiet() {
        check_fixture("github_actions/deploy-workflow-default-token/quiet.yml");
    }
}

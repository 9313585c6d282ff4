use super::deploy_in_job;
use crate::edit::insert_first_entry;
use crate::{FixAvailability, RuleContext, Status, declare_rule};
use redline_diagnostics::{Applicability, Category, Confidence, Fix, Severity};
use redline_syntax::Format;

declare_rule! {
    /// ## What it flags
    /// A GitHub Actions job that deploys or destroys infrastructure and has no `environment:`:
    /// a `run:` step with `terraform apply|destroy`, `kubectl apply|delete`, `helm
    /// install|upgrade|uninstall`, `cdk deploy|destroy`, `pulumi up|destroy`, `aws
    /// cloudformation deploy`, `sam deploy`, `serverless deploy` and similar, or a known deploy
    /// action; also a call of a reusable workflow that looks like a deployment
    /// (`deploy`, `release`, `apply`, `terraform` in its path) with `secrets: inherit`; when
    /// that workflow belongs to another repository, redline cannot see whether it deploys, and
    /// reports the call as info.
    ///
    /// ## Why it matters
    /// Required reviewers, wait timers and branch rules live on environments; a job only waits
    /// for them when it names one.
    /// Without `environment:`, a push or a manual dispatch deploys (or destroys) at once, and
    /// no second person has to approve it, whoever wrote the change.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   apply:
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - run: terraform apply -auto-approve
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// jobs:
    ///   apply:
    ///     environment: production
    ///     runs-on: ubuntu-latest
    ///     steps:
    ///       - run: terraform apply tfplan
    /// ```
    /// and give the `production` environment required reviewers in the repository settings.
    ///
    /// ## Fix safety
    /// The fix adds `environment: production` to the job. It is unsafe: the job then waits for
    /// the environment's protection rules, and the environment only protects anything once
    /// required reviewers are configured for it; environment secrets also change.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-GHA-101 -- preview deploys, torn down nightly` on the line above
    /// the job.
    ///
    /// ## References
    /// - GitHub Docs, "Managing environments for deployment: required reviewers"
    DeployWithoutEnvironment {
        id: "RL-GHA-101", name: "deploy-without-environment",
        summary: "A GitHub Actions job deploys or destroys without an environment that can require approval",
        category: Category::Approval, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::GithubActions], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for document in &file.documents {
        let Some(jobs) = document.get("jobs") else {
            continue;
        };
        for job in jobs.entries() {
            if job.value.get("environment").is_some() {
                continue;
            }
            let Some(what) = deploy_in_job(&job.value, &file.text)
                .or_else(|| deploying_reusable_workflow(&job.value))
            else {
                continue;
            };
            let name = job.key.as_str().unwrap_or("job");
            if job.value.get("uses").is_some() {
                // A job that calls a reusable workflow cannot name an environment itself.
                let message = format!(
                    "job `{name}` calls `{what}`: the called workflow gets every secret and, \
                     unless its deploy job names an environment, deploys with no reviewer; give \
                     that job `environment: production` and pass secrets by name"
                );
                let mut diagnostic = ctx.diagnostic(job.key.range, message);
                let remote = job
                    .value
                    .get("uses")
                    .and_then(|uses| uses.as_str())
                    .is_some_and(|uses| !uses.starts_with("./"));
                if remote && deploy_in_job(&job.value, &file.text).is_none() {
                    // A workflow of another repository is out of sight: only its name says it
                    // deploys.
                    diagnostic.severity = Severity::Info;
                    diagnostic.confidence = Confidence::Low;
                }
                ctx.report(diagnostic);
                continue;
            }
            let message = format!(
                "job `{name}` runs `{what}` without an `environment:`: it deploys as soon as it \
                 is triggered, and no reviewer has to approve it; add `environment: production` \
                 and require reviewers on that environment"
            );
            let mut diagnostic = ctx.diagnostic(job.key.range, message);
            if let Some(edit) = insert_first_entry(
                &file.text,
                file.language,
                &job.value,
                "environment",
                "production",
            ) {
                diagnostic = diagnostic.with_fix(Fix::single(
                    "Add `environment: production` (then require reviewers on it)",
                    Applicability::Unsafe,
                    edit,
                ));
            }
            ctx.report(diagnostic);
        }
    }
}

/// A reusable workflow that looks like a deployment and receives every secret.
fn deploying_reusable_workflow(job: &redline_syntax::value::Node) -> Option<String> {
    let uses = job.get("uses")?.as_str()?;
    let inherits = job.get("secrets").and_then(|secrets| secrets.as_str()) == Some("inherit");
    let name = uses.to_ascii_lowercase();
    let deploys = [
        "deploy",
        "release",
        "apply",
        "destroy",
        "terraform",
        "provision",
    ]
    .iter()
    .any(|word| name.contains(word));
    (inherits && deploys).then(|| format!("{uses}` with `secrets: inherit"))
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("github_actions/deploy-without-environment/fires.yml");
    }

    #[test]
    fn fires_on_reusable_deploys() {
        check_fixture("github_actions/deploy-without-environment/fires-reusable.yml");
    }

    #[test]
    fn quiet() {
        check_fixture("github_actions/deploy-without-environment/quiet.yml");
    }
}

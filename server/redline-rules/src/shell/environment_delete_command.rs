use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `aws cloudformation delete-stack`, `aws eks delete-cluster`, `cdk destroy`, `sam delete`, `pulumi destroy`, `pulumi stack rm`, `az group delete`, `az aks delete`, `gcloud projects delete`, `gcloud container clusters delete`.
    /// Also `doctl kubernetes cluster delete`, `doctl apps delete`, `doctl projects delete`, `oci ce cluster delete` and `oci iam compartment delete`.
    /// Hosted platforms' whole projects: `gh repo delete` (`--yes` skips typing the name), `heroku apps:destroy`, `vercel project rm`, `netlify sites:delete`, `fly apps destroy`/`flyctl apps destroy`, and as a warning `vercel remove`/`vercel rm`, whose deployments can be built again.
    /// They are flagged with or without their confirmation flag: an agent or a script answers the prompt as readily as it passes `--yes`.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    ///
    /// ## Why it matters
    /// One command removes an environment with everything in it: the "delete and recreate the environment" failure as a single line.
    ///
    /// ## Example
    /// ```sh
    /// az group delete --name prod-rg --yes
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// protect the group with a `CanNotDelete` lock; delete it by hand after review
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the safe alternative needs a decision (a reviewed plan, a scoped target).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-009 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    EnvironmentDeleteCommand {
        id: "RL-SH-009", name: "environment-delete-command",
        summary: "A command deletes a whole stack, cluster, project or resource group",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-009");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/environment-delete-command/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/environment-delete-command/quiet.sh");
    }
}

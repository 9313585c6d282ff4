use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `kubectl delete` of namespaces, persistent volumes or claims, custom resource definitions, or with `--all`, `-A`/`--all-namespaces` or `-k`.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    /// In a GitHub Actions job that created its own throwaway cluster (kind, k3d, minikube), a
    /// delete acts on that cluster and is reported as info.
    ///
    /// ## Why it matters
    /// A namespace deletion removes everything inside it; a volume or claim deletion removes data; `--all` and `-A` reach far beyond what the author had in mind.
    ///
    /// ## Example
    /// ```sh
    /// kubectl delete namespace payments
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// kubectl delete deployment/payments-worker -n payments --dry-run=server
    /// kubectl delete deployment/payments-worker -n payments
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the safe alternative needs a decision (a reviewed plan, a scoped target).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-004 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    KubectlDeleteWide {
        id: "RL-SH-004", name: "kubectl-delete-wide",
        summary: "A command deletes a namespace, volumes, or every object of a kind",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-004");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/kubectl-delete-wide/fires.sh");
    }

    #[test]
    fn fires_in_workflow() {
        check_fixture("shell/kubectl-delete-wide/fires-workflow.yml");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/kubectl-delete-wide/quiet.sh");
    }
}

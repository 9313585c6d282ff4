use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `helm uninstall` (or `delete`, `del`, `un`) in a script or CI step.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    ///
    /// ## Why it matters
    /// Every object of the release is deleted, including volume claims and their data unless they carry `helm.sh/resource-policy: keep`.
    ///
    /// ## Example
    /// ```sh
    /// helm uninstall payments -n prod
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// helm uninstall payments -n prod --dry-run
    /// # review, then run by hand
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the safe alternative needs a decision (a reviewed plan, a scoped target).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-006 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    HelmUninstall {
        id: "RL-SH-006", name: "helm-uninstall",
        summary: "A command uninstalls a Helm release",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-006");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/helm-uninstall/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/helm-uninstall/quiet.sh");
    }
}

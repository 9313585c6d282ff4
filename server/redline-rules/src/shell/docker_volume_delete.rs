use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `docker system prune --volumes`, `docker volume rm|prune`, `docker compose down -v`, and the same `podman` commands.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    ///
    /// ## Why it matters
    /// Volumes hold local databases and caches; deleting them loses that data.
    ///
    /// ## Example
    /// ```sh
    /// docker compose down -v
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// docker compose down
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the safe alternative needs a decision (a reviewed plan, a scoped target).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-017 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    DockerVolumeDelete {
        id: "RL-SH-017", name: "docker-volume-delete",
        summary: "A command deletes Docker volumes and their data",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-017");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/docker-volume-delete/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/docker-volume-delete/quiet.sh");
    }
}

use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `docker system prune -a` and `podman system prune -a` (without `--volumes`, which RL-SH-017 reports), and `docker rm -f $(docker ps -aq)`, `podman rm -af` and the like, which remove every container.
    /// It is flagged with or without `-f`: the confirmation prompt is what an agent or a script answers with `yes |`.
    /// `docker system prune` without `-a`, `docker image prune` and `docker rm -f <name>` are not flagged.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    ///
    /// ## Why it matters
    /// A stopped container may hold the only copy of files written inside it, and removing every container stops whatever was running on the machine.
    /// Images and the build cache can be pulled or built again, which is why this is a warning: the loss is mostly time, but on a shared host it is someone else's time.
    ///
    /// ## Example
    /// ```sh
    /// docker system prune -af
    /// docker rm -f $(docker ps -aq)
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// docker image prune -f
    /// docker rm -f web-test
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: which containers and images may go is a decision.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-019 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    /// - Docker: [`docker system prune`](https://docs.docker.com/reference/cli/docker/system/prune/)
    ContainerBulkDelete {
        id: "RL-SH-019", name: "container-bulk-delete",
        summary: "A command removes every container or every unused image of the machine",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-019");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/container-bulk-delete/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/container-bulk-delete/quiet.sh");
    }
}

use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `git push --force`/`-f`/`+refspec` (not `--force-with-lease`), and in CI `git reset --hard` and `git clean -f`.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    ///
    /// ## Why it matters
    /// A force push replaces the remote branch, and commits that others pushed are lost; on the default branch that is the team's history.
    /// `reset --hard` and `clean -f` in a pipeline discard files that a previous step produced or that belong to someone else's run.
    ///
    /// ## Example
    /// ```sh
    /// git push --force origin main
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// git push --force-with-lease origin feature/x
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the safe alternative needs a decision (a reviewed plan, a scoped target).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-014 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    GitHistoryDestruction {
        id: "RL-SH-014", name: "git-history-destruction",
        summary: "A command overwrites remote history or discards work",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-014");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/git-history-destruction/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/git-history-destruction/quiet.sh");
    }
}

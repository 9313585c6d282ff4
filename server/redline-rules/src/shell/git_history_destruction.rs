use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Remote rewrites, an error on a shared branch (`main`, `master`, `trunk`, `develop`, `release*`) and a warning elsewhere:
    /// Also `git checkout -f`, which throws away local changes while it checks out; a `git reset --hard` after a `git commit` in the same script is still flagged, and the message says why.
    /// - `git push --force`/`-f`/`+refspec`; `--force-with-lease` only on a shared branch (on your own branch it is the safe way to push a rebase);
    /// - `git push --delete <ref>` and `git push <remote> :<ref>`;
    /// - `git push --mirror` (always an error).
    ///
    /// Local discards, errors unless noted:
    /// - `git reset --hard`, `git checkout -- .`/`git checkout .`, `git restore .` (not `--staged`);
    /// - `git clean -f` (with `-d`, `-x`, `-X`), unless it is a dry run (`-n`) or limited to named paths;
    /// - `git stash clear`, and `git stash drop` (a warning);
    /// - `git branch -D` (a warning, an error on a shared branch), `git worktree remove --force`;
    /// - `git reflog expire --expire=now`, and `git gc --prune=now` (a warning);
    /// - `git filter-branch` and `git filter-repo`, which rewrite the whole history.
    ///
    /// Discarding a single path (`git checkout -- file`, `git restore file`) is not flagged.
    /// Local discards are warnings in CI jobs and pods (a fresh checkout, which a previous step may still need), are not flagged in Dockerfiles, and are not flagged after a `git clone` earlier in the same script, which then works on its own clone.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    /// In a CI pipeline (GitHub Actions, GitLab CI, Azure Pipelines), discarding local work is
    /// reported as info: the job works in the fresh checkout its runner made.
    ///
    /// ## Why it matters
    /// A force push replaces the remote branch, and commits that others pushed are lost; on the default branch that is the team's history.
    /// `reset --hard`, `checkout -- .`, `clean -f` and `stash clear` discard work that was never committed: nothing, not even the reflog, can restore it.
    /// A coding agent that "cleans up" this way deletes the user's unsaved work.
    /// Expiring the reflog and pruning at once remove the last way to undo a bad reset or rebase.
    ///
    /// ## Example
    /// ```sh
    /// git push --force origin main
    /// git reset --hard
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// git push --force-with-lease origin feature/x
    /// git stash && git reset --keep HEAD~1
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
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
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
    fn fires_in_workflow() {
        check_fixture("shell/git-history-destruction/fires-workflow.yml");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/git-history-destruction/quiet.sh");
    }
}

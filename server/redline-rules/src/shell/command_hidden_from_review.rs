use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A command whose text is hidden until it runs: a script decoded into a shell (`echo … | base64 -d | sh`, `xxd -r`, `openssl enc -d`, `gunzip`, `rev` piped into `sh`, `bash` or `eval`), wherever it appears.
    /// In a command line a coding agent is about to run (`redline hook`), also a script downloaded into a shell (`curl … | sh`, `bash <(curl …)`), a command whose name is computed (`$(echo rm) -rf /`, `$CMD` of a variable the line does not set), and `eval`, `sh -c` or a shell's standard input given text only known at run time.
    /// Commands that are only written indirectly are followed and judged by the other shell rules: `sh -c`, `bash -lc`, `$SHELL -c`, `eval`, `echo … | sh`, here-documents and here-strings fed to a shell, variables and functions the line defines first, `xargs` and `parallel` with their literal input, `find -exec`, git aliases given with `-c alias.NAME=…`, and the shell commands and tree deletions of `python -c`, `node -e`, `perl -e`, `ruby -e`, `php -r` and `awk` programs.
    ///
    /// ## Why it matters
    /// A guard judges a command by its text; text encoded, downloaded or computed at run time cannot be judged, and encoding a command is the usual way to slip a destructive one past a reviewer or a filter.
    ///
    /// ## Example
    /// ```sh
    /// echo cm0gLXJmIH4K | base64 -d | sh
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// rm -rf ./build
    /// ```
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-016 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    CommandHiddenFromReview {
        id: "RL-SH-016", name: "command-hidden-from-review",
        summary: "A command runs text that is decoded, downloaded or computed when it runs, so it cannot be judged first",
        category: Category::Approval, severity: Severity::Warning, confidence: Confidence::Medium,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-016");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/command-hidden-from-review/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/command-hidden-from-review/quiet.sh");
    }
}

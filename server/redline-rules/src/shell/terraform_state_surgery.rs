use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `terraform state rm|push|mv`, `taint`, `force-unlock`, `workspace delete` and `apply -replace=`.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    ///
    /// ## Why it matters
    /// State edits make Terraform forget, duplicate or mis-address real resources, and `-replace` destroys and recreates them; none of it shows up in a code review.
    ///
    /// ## Example
    /// ```sh
    /// terraform state rm aws_db_instance.main
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// removed {
    ///   from = aws_db_instance.main
    ///   lifecycle {
    ///     destroy = false
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the safe alternative needs a decision (a reviewed plan, a scoped target).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-003 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    TerraformStateSurgery {
        id: "RL-SH-003", name: "terraform-state-surgery",
        summary: "A command edits Terraform state by hand or forces replacements",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-003");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/terraform-state-surgery/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/terraform-state-surgery/quiet.sh");
    }
}

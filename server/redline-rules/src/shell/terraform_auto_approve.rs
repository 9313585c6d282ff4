use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `terraform apply -auto-approve` (and `tofu`/`terragrunt`) without a saved plan file.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    ///
    /// ## Why it matters
    /// `apply` normally shows the plan and waits for "yes".
    /// With `-auto-approve` it applies whatever the plan turns out to be, including deletions and replacements caused by a rename or a changed attribute.
    ///
    /// ## Example
    /// ```sh
    /// terraform apply -auto-approve
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// terraform plan -out=tfplan
    /// # review tfplan (or let a gated CI job review it), then:
    /// terraform apply tfplan
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the safe alternative needs a decision (a reviewed plan, a scoped target).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-002 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    TerraformAutoApprove {
        id: "RL-SH-002", name: "terraform-auto-approve",
        summary: "A command applies Terraform changes without showing the plan to anyone",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-002");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/terraform-auto-approve/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/terraform-auto-approve/quiet.sh");
    }
}

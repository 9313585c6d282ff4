use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `terraform destroy`, `terraform apply -destroy`, `tofu destroy`, `terragrunt run-all destroy` and `atmos terraform destroy <component>` in a script or CI step.
    /// Steps of Atmos workflows are read too: a step's command is an Atmos subcommand (`terraform destroy eks/echo-server`) unless it says `type: shell`.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    /// A destroy of a configuration that the same script applied earlier (a test that sets up
    /// its example and tears it down), or of an Atmos component that the same workflow file
    /// deploys in an earlier step, is reported as info.
    ///
    /// ## Why it matters
    /// Every resource in the state is deleted: databases, buckets, networks, clusters.
    /// In a pipeline or in a script an agent runs, nobody sees the list before it happens.
    ///
    /// ## Example
    /// ```sh
    /// terraform destroy -auto-approve
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// terraform plan -destroy -out=destroy.tfplan
    /// # a second person reviews destroy.tfplan, then:
    /// terraform apply destroy.tfplan
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the safe alternative needs a decision (a reviewed plan, a scoped target).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-001 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    TerraformDestroy {
        id: "RL-SH-001", name: "terraform-destroy",
        summary: "A command destroys everything a Terraform configuration manages",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-001");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/terraform-destroy/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/terraform-destroy/quiet.sh");
    }
}

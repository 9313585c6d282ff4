use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `aws s3 rm --recursive`, `aws s3 rb --force`, `aws s3 sync --delete`, `aws s3api delete-bucket`, `gsutil rm -r`, `gsutil rb`, `gcloud storage rm -r`, `gcloud storage buckets delete`, `az storage container delete`, `az storage blob delete-batch`, `az storage account delete`.
    /// Also `aws s3api delete-objects`, `oci os bucket delete` and `oci os object bulk-delete`.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    /// Deleting a bucket that the same script created earlier (`aws s3 mb`, then `aws s3 rb`)
    /// is reported as info.
    ///
    /// ## Why it matters
    /// Object stores hold backups, logs and data lakes; a wrong prefix or an empty variable deletes all of it, and without versioning nothing comes back.
    ///
    /// ## Example
    /// ```sh
    /// aws s3 rm s3://acme-backups/ --recursive
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// aws s3 rm s3://acme-backups/tmp/ --recursive --dryrun
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the safe alternative needs a decision (a reviewed plan, a scoped target).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-007 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    ObjectStoreWipe {
        id: "RL-SH-007", name: "object-store-wipe",
        summary: "A command deletes objects or buckets in bulk",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-007");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/object-store-wipe/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/object-store-wipe/quiet.sh");
    }
}

use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `dd of=/dev/…`, `shred /dev/…`, `mkfs`/`mkfs.*`/`mke2fs`, `wipefs -a` and `blkdiscard` on a device (or a target only known at run time), and `chmod -R`/`chown -R` on `/` or system folders.
    /// Building an image file (`mkfs.ext4 disk.img`, `dd of=disk.img`) and shredding named files are not flagged.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    ///
    /// ## Why it matters
    /// These erase a device or change every file of the system; the machine does not come back.
    ///
    /// ## Example
    /// ```sh
    /// dd if=image.iso of=/dev/sda
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// dd if=image.iso of=./disk.img
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the safe alternative needs a decision (a reviewed plan, a scoped target).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-018 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    DiskOrHostWipe {
        id: "RL-SH-018", name: "disk-or-host-wipe",
        summary: "A command overwrites a disk or breaks the whole system",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-018");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/disk-or-host-wipe/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/disk-or-host-wipe/quiet.sh");
    }
}

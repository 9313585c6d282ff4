use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `aws rds delete-db-instance|delete-db-cluster`, `aws dynamodb delete-table`, `aws redshift delete-cluster`, `aws elasticache delete-replication-group`, `gcloud sql instances delete`, `az sql db|server delete`, `az cosmosdb delete`, `dropdb`, `mysqladmin drop`.
    /// Also `aws efs delete-file-system`, `aws opensearch delete-domain`, `aws es delete-elasticsearch-domain`, `aws backup delete-recovery-point|delete-backup-vault`, `doctl databases delete`, `doctl databases db delete`, `oci db|mysql|psql|nosql|opensearch … delete|terminate`, and `supabase projects delete`.
    /// Also `curl -X DELETE` (or `--request DELETE`) of a whole Elasticsearch or OpenSearch index, data stream, `_all` or `*` (a URL on port 9200/9243, or a host or variable named after `es`, `elastic`, `opensearch` or `search`);
    /// `firebase firestore:delete --all-collections` or `-r`, `firebase database:remove`; and `supabase db reset` (a warning on the local database, an error with `--linked` or `--db-url`).
    /// A `DELETE` request to any other HTTP API is not flagged: deleting the one resource a URL names is that API's ordinary use, and redline cannot tell which APIs hold data that matters.
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    ///
    /// ## Why it matters
    /// The data is gone unless a final snapshot was taken; with `--skip-final-snapshot` it is gone for good.
    ///
    /// ## Example
    /// ```sh
    /// aws rds delete-db-instance --db-instance-identifier prod --skip-final-snapshot
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// aws rds delete-db-instance --db-instance-identifier prod --final-db-snapshot-identifier prod-final
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the safe alternative needs a decision (a reviewed plan, a scoped target).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-008 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    DatabaseDeleteCommand {
        id: "RL-SH-008", name: "database-delete-command",
        summary: "A command deletes a database or table",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-008");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/database-delete-command/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/database-delete-command/quiet.sh");
    }
}

use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `DROP DATABASE|SCHEMA|TABLE`, `TRUNCATE`, and `DELETE FROM` without `WHERE` given to `psql -c`, `mysql -e`, `sqlite3` and similar clients; `redis-cli FLUSHALL|FLUSHDB`; `mongosh --eval` (or `mongo`) with `dropDatabase()`, `.drop()`, or `deleteMany({})`/`remove({})` with an empty filter.
    /// The SQL, Redis commands or script may also come on standard input (`echo 'DROP TABLE t;' | psql`, a here-document or a here-string), or run in a container (`docker exec db psql -c …`, `kubectl exec redis-0 -- redis-cli FLUSHALL`).
    /// It looks at shell scripts, GitHub Actions `run:` steps, GitLab CI `script:` lines, Kubernetes container commands, Makefile recipes, Dockerfile `RUN` instructions and agent hook commands, through `sudo`, `env`, `xargs`, `bash -c` and similar wrappers.
    ///
    /// ## Why it matters
    /// The statement deletes tables or every row; run against the wrong connection string, it wipes production.
    ///
    /// ## Example
    /// ```sh
    /// psql "$DATABASE_URL" -c 'TRUNCATE orders'
    /// ```
    ///
    /// ## Use instead
    /// ```sh
    /// a reversible migration, reviewed and backed up, or `DELETE FROM orders WHERE created_at < now() - interval '90 days'`
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the safe alternative needs a decision (a reviewed plan, a scoped target).
    ///
    /// ## Suppression
    /// `# redline:ignore RL-SH-015 -- <why this is safe here>` on the line above the command or at the end of its line.
    ///
    /// ## References
    /// - The destructive-command catalog of redline (`server/redline-rules/src/shell/catalog.rs`)
    DestructiveSql {
        id: "RL-SH-015", name: "destructive-sql",
        summary: "A command runs SQL that drops or empties data, or flushes a data store",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Shell, Format::GithubActions, Format::GitlabCi, Format::Kubernetes, Format::Makefile, Format::Dockerfile, Format::AgentConfig, Format::AzurePipelines, Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    super::report_commands(ctx, "RL-SH-015");
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("shell/destructive-sql/fires.sh");
    }

    #[test]
    fn quiet() {
        check_fixture("shell/destructive-sql/quiet.sh");
    }
}

use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::terraform::{Attribute, Resource, Value};

use crate::terraform::module_inputs;
use crate::terraform::protection;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Backups or versioning turned off on a data store:
    /// `backup_retention_period = 0` on RDS instances,
    /// `snapshot_retention_limit = 0` on ElastiCache clusters and replication groups and on
    /// MemoryDB clusters, `automatic_backup_retention_days = 0` on FSx for Windows,
    /// `point_in_time_recovery { enabled = false }` on DynamoDB tables, and
    /// `versioning_configuration { status = "Suspended" }` (or `"Disabled"`) in
    /// `aws_s3_bucket_versioning`.
    /// Only written values are reported; a value redline cannot see never is.
    /// An RDS read replica (`replicate_source_db` set to anything but `null`) is not
    /// reported: the source instance keeps the backups.
    ///
    /// Inputs of the registry modules redline knows (`redline --version` lists them) are judged
    /// like the attributes they set, such as `backup_retention_period = 0` on a `module` whose
    /// `source` is `terraform-aws-modules/rds/aws`, or `point_in_time_recovery_enabled = false`
    /// on `terraform-aws-modules/dynamodb-table/aws`; an input left unset is not reported.
    ///
    /// ## Why it matters
    /// Backups and object versions are the restore path after a destroy, a bad migration or
    /// an overwrite.
    /// With them off, the next destructive change has nothing to come back to.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   engine                  = "postgres"
    ///   backup_retention_period = 0
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   engine                  = "postgres"
    ///   backup_retention_period = 7
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the retention period is a cost and compliance decision.
    /// A value that comes through a variable, a local or a tfvars file is reported with the
    /// place it is written.
    ///
    /// ## Modules
    /// The value may come from a local module call (`source = "./…"` or `"../…"`, followed
    /// through nested calls).
    /// `backup_retention_period = 0` written as an input of a `module` block is reported at that input when it
    /// reaches the attribute of a resource in the called module: the message names the module
    /// call and the resource (`module.db.module.db_instance.aws_db_instance.this`), the called
    /// module's line is related information, and no fix is offered.
    /// A call that leaves the input unset, so that the called module's unsafe default applies,
    /// is reported at its `module` block, except where the default is the provider's own and
    /// this rule leaves an absent attribute alone.
    /// What the called module decides by itself (a literal, its own locals) is reported in the
    /// called module, not again at each caller, and a call whose resource has no instance
    /// (`count = var.create ? 1 : 0` with `create = false`) is not reported.
    ///
    /// A module that another folder of the repository calls is meant to be called, so its
    /// variable defaults are only defaults: a default that reaches `backup_retention_period` is reported by
    /// RL-TF-012 as an `info` at the attribute, pointing at the default, and the finding proper goes
    /// to each caller that leaves the input unset.
    /// A published module (a folder with `examples/` or `modules/`, or a `versions.tf` holding
    /// only provider requirements) stays quiet on its own defaults.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-012 -- cache only, rebuilt from the primary` on the line above.
    ///
    /// ## References
    /// - Checkov CKV_AWS_133, CKV_AWS_28, CKV_AWS_134, CKV_AWS_21
    BackupRetentionDisabled {
        id: "RL-TF-012", name: "backup-retention-disabled",
        summary: "Backups, point-in-time recovery or versioning are turned off",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::None, status: Status::Preview,
    }
}

/// Resource type and the retention attribute whose `0` turns backups off.
pub(crate) const ZERO_RETENTION: &[(&str, &str)] = &[
    ("aws_db_instance", "backup_retention_period"),
    ("aws_elasticache_cluster", "snapshot_retention_limit"),
    (
        "aws_elasticache_replication_group",
        "snapshot_retention_limit",
    ),
    ("aws_memorydb_cluster", "snapshot_retention_limit"),
    (
        "aws_fsx_windows_file_system",
        "automatic_backup_retention_days",
    ),
];

fn check(ctx: &mut RuleContext<'_>) {
    let model = ctx.file().terraform();
    for resource in model.resources() {
        for (_, name) in ZERO_RETENTION
            .iter()
            .filter(|(kind, _)| *kind == resource.resource_type)
        {
            let Some(attribute) = resource.attribute(name) else {
                continue;
            };
            if is_read_replica(ctx, &resource) {
                continue;
            }
            let read = protection::read(ctx, attribute);
            if read.value.as_number() == Some(0.0) {
                let keep = match &read.through {
                    None => "keep at least 1 day".to_owned(),
                    Some(through) => format!("keep at least 1 day at {}", through.written_at),
                };
                let address = resource.address();
                report(
                    ctx,
                    attribute,
                    format!(
                        "{} on `{address}`: no backups are kept, so nothing can be restored \
                         after a destroy or a bad change; {keep}",
                        read.describe(name, "0"),
                    ),
                );
            }
        }
        if resource.resource_type == "aws_dynamodb_table"
            && let Some(attribute) = resource
                .block
                .body
                .block("point_in_time_recovery")
                .and_then(|block| block.body.attribute("enabled"))
        {
            let read = protection::read(ctx, attribute);
            if read.value.as_bool() == Some(false) {
                let through = match &read.through {
                    None => String::new(),
                    Some(through) => format!(" (`enabled` is `false` through {})", through.chain),
                };
                let address = resource.address();
                report(
                    ctx,
                    attribute,
                    format!(
                        "point-in-time recovery is off on `{address}`{through}: a deleted or \
                         overwritten item cannot be restored; {}",
                        read.set("enabled", "true"),
                    ),
                );
            }
        }
        if resource.resource_type == "aws_s3_bucket_versioning"
            && let Some(attribute) = resource
                .block
                .body
                .block("versioning_configuration")
                .and_then(|block| block.body.attribute("status"))
        {
            let read = protection::read(ctx, attribute);
            if let Some(status @ ("Suspended" | "Disabled")) = read.value.as_str() {
                let through = match &read.through {
                    None => String::new(),
                    Some(through) => format!(" (through {})", through.chain),
                };
                let address = resource.address();
                report(
                    ctx,
                    attribute,
                    format!(
                        "versioning is `{status}` on `{address}`{through}: overwritten and \
                         deleted objects cannot be restored; {}",
                        read.set("status", "\"Enabled\""),
                    ),
                );
            }
        }
    }
    module_inputs::check(ctx, BackupRetentionDisabled::META.code.id);
}

/// Whether an RDS instance replicates another: its `replicate_source_db` is set to anything
/// but `null` (a value not known yet counts as set).
fn is_read_replica(ctx: &RuleContext<'_>, resource: &Resource<'_>) -> bool {
    resource.resource_type == "aws_db_instance"
        && resource
            .attribute("replicate_source_db")
            .is_some_and(|source| protection::read(ctx, source).value != Value::Null)
}

fn report(ctx: &mut RuleContext<'_>, attribute: &Attribute, message: String) {
    let diagnostic = ctx.diagnostic(attribute.range, message);
    ctx.report(diagnostic);
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/backup-retention-disabled/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/backup-retention-disabled/quiet.tf");
    }
}

use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;

use crate::terraform::insert_attribute;
use crate::terraform::module_inputs;
use crate::terraform::protection::{self, SNAPSHOT_GUARDS};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A database or volume that is destroyed without a last backup:
    /// `skip_final_snapshot = true` on RDS instances and clusters, DocumentDB, Neptune and
    /// Redshift clusters; `delete_automated_backups = true` on RDS instances;
    /// `skip_final_backup = true` on FSx for Windows file systems; `final_snapshot = false` on
    /// EBS volumes.
    /// It also flags `skip_final_snapshot = false` written without a
    /// `final_snapshot_identifier`, as a warning: the destroy then fails at the last step,
    /// and the usual way out under pressure is to set `skip_final_snapshot = true`.
    ///
    /// `delete_automated_backups` defaults to `true` in the AWS provider, but only an
    /// explicit value is reported. A value redline cannot see is never reported.
    ///
    /// Inputs of the registry modules redline knows (`redline --version` lists them) are judged
    /// like the attributes they set, such as `skip_final_snapshot = true` on a `module` whose
    /// `source` is `terraform-aws-modules/rds/aws`; an input left unset is not reported.
    ///
    /// ## Why it matters
    /// The final snapshot is the only copy of the data that survives the destroy.
    /// With it skipped, a rename, a replaced engine or a removed block deletes the database
    /// for good, and the automated backups go with it when they are deleted too.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   engine              = "postgres"
    ///   skip_final_snapshot = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   engine                    = "postgres"
    ///   skip_final_snapshot       = false
    ///   final_snapshot_identifier = "main-final"
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Setting `skip_final_snapshot = false`, `delete_automated_backups = false`,
    /// `skip_final_backup = false` or `final_snapshot = true` is safe: it only keeps a backup
    /// when the resource is destroyed.
    /// When the resource has no `final_snapshot_identifier`, the fix also adds one named
    /// `"<resource name>-final"`; that part is unsafe, because snapshot identifiers must be
    /// unique in the account and region, so review the name (or derive it from the
    /// resource's identifier) before applying it.
    /// When the value comes through a variable, a local or a tfvars file, the message names the
    /// place it is written and no fix is offered: the change belongs there, and it changes the
    /// variable for every resource that reads it. A computed value is not rewritten either.
    ///
    /// ## Modules
    /// The value may come from a local module call (`source = "./…"` or `"../…"`, followed
    /// through nested calls).
    /// `skip_final_snapshot = true` written as an input of a `module` block is reported at that input when it
    /// reaches the attribute of a resource in the called module: the message names the module
    /// call and the resource (`module.db.module.db_instance.aws_db_instance.this`), the called
    /// module's line is related information, and the fix rewrites the input when it is a literal.
    /// A call that leaves the input unset, so that the called module's unsafe default applies,
    /// is reported at its `module` block, except where the default is the provider's own and
    /// this rule leaves an absent attribute alone.
    /// What the called module decides by itself (a literal, its own locals) is reported in the
    /// called module, not again at each caller, and a call whose resource has no instance
    /// (`count = var.create ? 1 : 0` with `create = false`) is not reported.
    ///
    /// A module that another folder of the repository calls is meant to be called, so its
    /// variable defaults are only defaults: a default that reaches `skip_final_snapshot` is reported by
    /// RL-TF-009 as an `info` at the attribute, pointing at the default, and the finding proper goes
    /// to each caller that leaves the input unset.
    /// A published module (a folder with `examples/` or `modules/`, or a `versions.tf` holding
    /// only provider requirements) stays quiet on its own defaults.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-009 -- test database, data is synthetic` on the line above.
    ///
    /// ## References
    /// - Terraform AWS provider, `aws_db_instance` arguments `skip_final_snapshot`,
    ///   `final_snapshot_identifier`, `delete_automated_backups`
    FinalSnapshotSkipped {
        id: "RL-TF-009", name: "final-snapshot-skipped",
        summary: "Destroying the resource keeps no final snapshot or backup",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let text = ctx.text();
    let model = ctx.file().terraform();
    for resource in model.resources() {
        for guard in SNAPSHOT_GUARDS
            .iter()
            .filter(|guard| guard.resource_type == resource.resource_type)
        {
            let Some(attribute) = resource.attribute(guard.attribute) else {
                continue;
            };
            let read = protection::read(ctx, attribute);
            let Some(value) = read.value.as_bool() else {
                continue;
            };
            let address = resource.address();
            let name = guard.attribute;
            let snapshot_name = guard
                .snapshot_name
                .filter(|snapshot_name| resource.attribute(snapshot_name).is_none());
            if value == guard.unsafe_value {
                let safe = !guard.unsafe_value;
                let message = format!(
                    "{} on `{address}`: destroying it keeps no final backup, so its data is \
                     lost for good; {}",
                    read.describe(name, &value.to_string()),
                    read.set(name, &safe.to_string()),
                );
                let mut edits = vec![Edit::replace(attribute.value.range, safe.to_string())];
                let mut applicability = Applicability::Safe;
                let mut title = format!("Set `{name} = {safe}`");
                if let Some(snapshot_name) = snapshot_name {
                    match insert_attribute(
                        model,
                        text,
                        resource.block,
                        &format!("{snapshot_name} = \"{}-final\"", resource.name),
                    ) {
                        Some(edit) => {
                            edits.push(edit);
                            applicability = Applicability::Unsafe;
                            title.push_str(&format!(
                                " and name the final snapshot `{snapshot_name}`"
                            ));
                        }
                        // Without a name the destroy would fail; offer nothing rather than
                        // half a fix.
                        None => edits.clear(),
                    }
                }
                let mut diagnostic = ctx.diagnostic(attribute.range, message);
                // Only a literal is replaced: a value that comes through a variable or a local is
                // changed where it is written.
                if read.literal
                    && !edits.is_empty()
                    && let Ok(fix) = Fix::new(title, applicability, edits)
                {
                    diagnostic = diagnostic.with_fix(fix);
                }
                ctx.report(diagnostic);
            } else if let Some(snapshot_name) = snapshot_name
                && read.literal
            {
                let message = format!(
                    "`{name} = false` on `{address}` without `{snapshot_name}`: destroying it \
                     fails at the last step, and the quick way out skips the snapshot; add \
                     `{snapshot_name}`"
                );
                let mut diagnostic = ctx.diagnostic(attribute.range, message);
                diagnostic.severity = Severity::Warning;
                if let Some(edit) = insert_attribute(
                    model,
                    text,
                    resource.block,
                    &format!("{snapshot_name} = \"{}-final\"", resource.name),
                ) {
                    diagnostic = diagnostic.with_fix(Fix::single(
                        format!("Add `{snapshot_name}`"),
                        Applicability::Unsafe,
                        edit,
                    ));
                }
                ctx.report(diagnostic);
            }
        }
    }
    module_inputs::check(ctx, FinalSnapshotSkipped::META.code.id);
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/final-snapshot-skipped/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/final-snapshot-skipped/quiet.tf");
    }
}

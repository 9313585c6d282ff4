use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;

use crate::terraform::module_inputs;
use crate::terraform::protection::{self, WINDOW_GUARDS};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A key, secret or key vault whose deletion can no longer be cancelled in time:
    /// `deletion_window_in_days` at its minimum of 7 on KMS keys and replica keys,
    /// `recovery_window_in_days = 0` on Secrets Manager secrets (immediate, unrecoverable
    /// deletion), `soft_delete_retention_days` at its minimum of 7 and
    /// `purge_protection_enabled = false` on Azure key vaults.
    /// A window at its minimum still allows the deletion to be cancelled, so it is reported as
    /// info; an immediate, unrecoverable deletion is a warning.
    ///
    /// Inputs of the registry modules redline knows (`redline --version` lists them) are judged
    /// like the attributes they set, such as `deletion_window_in_days = 7` on a `module` whose
    /// `source` is `terraform-aws-modules/kms/aws`; an input left unset is not reported.
    ///
    /// ## Why it matters
    /// A deleted KMS key makes everything encrypted with it unreadable: volumes, snapshots,
    /// buckets, database backups.
    /// The deletion window is the only time in which someone can notice and cancel it, and a
    /// secret deleted without a recovery window is gone the moment the plan applies.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_kms_key" "data" {
    ///   description             = "data at rest"
    ///   deletion_window_in_days = 7
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_kms_key" "data" {
    ///   description             = "data at rest"
    ///   deletion_window_in_days = 30
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// Setting the window to the provider's longest value (30 days for keys and secrets,
    /// 90 for Azure key vaults) is safe: it only delays the final deletion.
    /// Enabling purge protection on an Azure key vault is unsafe: it cannot be turned off
    /// again, and it blocks re-creating a vault with the same name for the retention period.
    /// When the value comes through a variable, a local or a tfvars file, the message names the
    /// place it is written and no fix is offered: the change belongs there, and it changes the
    /// variable for every resource that reads it. A computed value is not rewritten either.
    ///
    /// ## Modules
    /// The value may come from a local module call (`source = "./…"` or `"../…"`, followed
    /// through nested calls).
    /// `deletion_window_in_days = 7` written as an input of a `module` block is reported at that input when it
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
    /// variable defaults are only defaults: a default that reaches `deletion_window_in_days` is reported by
    /// RL-TF-011 as an `info` at the attribute, pointing at the default, and the finding proper goes
    /// to each caller that leaves the input unset.
    /// A published module (a folder with `examples/` or `modules/`, or a `versions.tf` holding
    /// only provider requirements) stays quiet on its own defaults.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-011 -- secret recreated by every test run` on the line above.
    ///
    /// ## References
    /// - Terraform AWS provider, `aws_kms_key` argument `deletion_window_in_days`
    /// - Terraform AWS provider, `aws_secretsmanager_secret` argument `recovery_window_in_days`
    /// - Checkov CKV_AZURE_110, CKV_AZURE_111
    ShortRecoveryWindow {
        id: "RL-TF-011", name: "short-recovery-window",
        summary: "A key or secret can be deleted with no time left to cancel",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::Always, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let model = ctx.file().terraform();
    for resource in model.resources() {
        for guard in WINDOW_GUARDS
            .iter()
            .filter(|guard| guard.resource_type == resource.resource_type)
        {
            let Some(attribute) = resource.attribute(guard.attribute) else {
                continue;
            };
            let read = protection::read(ctx, attribute);
            let Some(days) = read.value.as_number() else {
                continue;
            };
            if days > guard.at_most {
                continue;
            }
            let name = guard.attribute;
            let safe = guard.safe;
            let written = match read.through {
                None => ctx.file().slice(attribute.value.range).to_owned(),
                Some(_) => days.to_string(),
            };
            let consequence = if days <= 0.0 {
                format!(
                    "deleting it destroys {} at once, with no way to recover",
                    guard.what
                )
            } else {
                format!(
                    "after a deletion, {} is gone for good in {written} days, the shortest \
                     window allowed",
                    guard.what
                )
            };
            let message = format!(
                "{} on `{}`: {consequence}; {}",
                read.describe(name, &written),
                resource.address(),
                read.set(name, &safe.to_string()),
            );
            let mut diagnostic = ctx.diagnostic(attribute.range, message);
            if days > 0.0 {
                // A short window still lets someone cancel the deletion: hygiene.
                diagnostic.severity = Severity::Info;
            }
            // Only a literal is replaced: a value that comes through a variable or a local is
            // changed where it is written.
            if read.literal {
                diagnostic = diagnostic.with_fix(Fix::single(
                    format!("Set `{name} = {safe}`"),
                    Applicability::Safe,
                    Edit::replace(attribute.value.range, safe.to_string()),
                ));
            }
            ctx.report(diagnostic);
        }
        if resource.resource_type == "azurerm_key_vault"
            && let Some(attribute) = resource.attribute("purge_protection_enabled")
        {
            let read = protection::read(ctx, attribute);
            if read.value.as_bool() != Some(false) {
                continue;
            }
            let message = format!(
                "{} on `{}`: anyone who can delete the vault can also purge it and its \
                 keys at once, with no way to recover; {}",
                read.describe("purge_protection_enabled", "false"),
                resource.address(),
                read.set("purge_protection_enabled", "true"),
            );
            let mut diagnostic = ctx.diagnostic(attribute.range, message);
            if read.literal {
                diagnostic = diagnostic.with_fix(Fix::single(
                    "Set `purge_protection_enabled = true`",
                    Applicability::Unsafe,
                    Edit::replace(attribute.value.range, "true"),
                ));
            }
            ctx.report(diagnostic);
        }
    }
    module_inputs::check(ctx, ShortRecoveryWindow::META.code.id);
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/short-recovery-window/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/short-recovery-window/quiet.tf");
    }
}

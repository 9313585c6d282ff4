use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::terraform::force_new::{Replacement, force_new_changes};
use crate::terraform::module_change::ModuleChange;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit that changes an attribute which makes the provider replace the resource only
    /// for some values: `instance_type` of an EC2 instance, engine versions that replace on a
    /// downgrade, `storage_capacity` of a Lustre file system, `kafka_version` of an MSK
    /// cluster, and the other conditional entries of the force-new table.
    /// Attributes that always replace the resource are RL-TF-005.
    ///
    /// ## Why it matters
    /// Whether Terraform updates the resource in place or destroys and recreates it depends on
    /// the old and new values (a decrease, a downgrade, another attribute's setting), which
    /// only the provider decides at plan time.
    /// A replacement of a data store loses its data.
    ///
    /// ## Example
    /// The edit changes `kafka_version` from `"3.6.0"`:
    /// ```hcl
    /// resource "aws_msk_cluster" "events" {
    ///   kafka_version = "3.5.1"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Run `terraform plan` (or `redline plan` on its JSON) and check that the resource is
    /// updated in place, not replaced, before applying.
    ///
    /// ## Data
    /// The conditional entries of `server/redline-rules/data/force-new.tsv` (kinds `cond`,
    /// `diff` and `if`), read from the provider sources at the commits its first line names.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-006 -- plan shows an in-place update` on the line above the
    /// attribute.
    ///
    /// ## References
    /// - Terraform plugin SDK, `customdiff.ForceNewIf` and `ForceNewIfChange`
    ConditionalReplacementChanged {
        id: "RL-TF-006", name: "conditional-replacement-changed",
        summary: "An edit changes an attribute that may make the provider replace the resource",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::Medium,
        formats: &[Format::Terraform], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let Some(change) = ctx.change() else {
        return;
    };
    let file = ctx.file();
    let module = ModuleChange::new(change, file);
    for changed in force_new_changes(&module, file.path) {
        if changed.force_new.replacement != Replacement::Conditional {
            continue;
        }
        let entry = &module.new[changed.new];
        let attribute = changed.force_new.attribute;
        let verb = if changed.old_text.is_some() {
            "changing"
        } else {
            "setting"
        };
        let message = format!(
            "{verb} `{attribute}` may make the provider destroy `{}` and create it again, \
             depending on the old and new values; run `terraform plan` and check that it is \
             updated in place before applying",
            entry.address
        );
        let diagnostic = ctx.diagnostic(changed.range, message);
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/conditional-replacement-changed/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/conditional-replacement-changed/quiet.tf");
    }
}

use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use redline_syntax::terraform_eval::Value;

use crate::terraform::force_new::{Replacement, force_new_changes};
use crate::terraform::force_new_attribute_changed::{attribute_range, target, with_attribute};
use crate::terraform::module_change::ModuleChange;
use crate::terraform::value_change::{Verdict, describe, place_in};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit that may replace a resource, where only the plan can tell:
    ///
    /// - a change of an attribute which makes the provider replace the resource only for some
    ///   values: `instance_type` of an EC2 instance, engine versions that replace on a
    ///   downgrade, `storage_capacity` of a Lustre file system, `kafka_version` of an MSK
    ///   cluster, and the other conditional entries of the force-new table;
    /// - a change of an attribute that always replaces the resource (RL-TF-005's), when the
    ///   files decide its value on one side of the edit only: a literal replaced by a variable
    ///   that is set outside the files (`-var`, `TF_VAR_…`), a default or tfvars value removed;
    /// - in a reusable module (one that other modules call, or laid out as a published
    ///   module), a changed default that reaches a force-new attribute: every caller that
    ///   keeps the default gets the new value.
    ///
    /// Values are read through variables, tfvars files and locals, before and after the edit,
    /// and a change made elsewhere is reported where it is written (the tfvars line, the
    /// default, the local), as RL-TF-005 does.
    /// Changes that the values decide on both sides for an always-replacing attribute are
    /// RL-TF-005.
    ///
    /// ## Why it matters
    /// Whether Terraform updates the resource in place or destroys and recreates it depends on
    /// the old and new values (a decrease, a downgrade, another attribute's setting, a value
    /// given on the command line), which only the plan decides.
    /// A replacement of a data store loses its data, and a reusable module's new default
    /// replaces the resource in every caller that did not set the input.
    ///
    /// ## Example
    /// The edit changes `kafka_version` from `"3.6.0"`:
    /// ```hcl
    /// resource "aws_msk_cluster" "events" {
    ///   kafka_version = "3.5.1"
    /// }
    /// ```
    /// The edit replaces `engine = "postgres"` by a variable without a default:
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   engine = var.engine
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Run `terraform plan` (or `redline plan` on its JSON) and check that the resource is
    /// updated in place, not replaced, before applying.
    /// In a reusable module, keep the default and let callers set the new value, or check the
    /// plan of every caller.
    ///
    /// ## Data
    /// The conditional entries of `server/redline-rules/data/force-new.tsv` (kinds `cond`,
    /// `diff` and `if`), read from the provider sources at the commits its first line names.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-006 -- plan shows an in-place update` on the line above the
    /// attribute, or above the default, tfvars value or local where the finding is reported.
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
    let module = ModuleChange::of(change, file);
    for changed in force_new_changes(ctx, &module).iter() {
        let verdict = changed.values.as_ref().map(|values| values.verdict);
        let always = changed.force_new.replacement == Replacement::Always;
        // An always-replacing change the values decide is RL-TF-005's.
        if always
            && !changed.for_callers
            && verdict != Some(Verdict::MayChange)
            && !changed.may_change_per_instance()
        {
            continue;
        }
        let entry = &module.new[changed.new];
        let address = &entry.address;
        let attribute = changed.force_new.attribute;
        let instances = changed
            .values
            .as_ref()
            .map_or(&[][..], |values| values.instances.as_slice());
        let (what, plural) = target(entry, instances);
        let it = if plural { "them" } else { "it" };
        let advice = "run `terraform plan` and check that it is updated in place before applying";
        let why = if always {
            format!(
                "`{attribute}` is force-new, so if its value differs Terraform will destroy \
                 {what} and create {it} again"
            )
        } else {
            format!(
                "depending on the old and new values, the provider may destroy {what} and \
                 create {it} again"
            )
        };
        let place = place_in(entry.file, attribute_range(entry, attribute));
        let message = match (&changed.cause, &changed.values) {
            (Some(cause), Some(values)) if changed.for_callers => {
                let replaced = if always {
                    format!(
                        "`{attribute}` is force-new, so Terraform will destroy {what} and create \
                         {it} again"
                    )
                } else {
                    format!(
                        "depending on the old and new values, the provider may destroy {what} \
                         and create {it} again"
                    )
                };
                format!(
                    "{}{}: in this reusable module that is the value for every caller that keeps \
                     the default, and {replaced} in each of them; check the plan of every \
                     caller, or keep the default and have callers opt in",
                    cause.what,
                    cause.follow(attribute, &what, &place, values),
                )
            }
            (Some(cause), Some(values)) => format!(
                "{}{}: {why}; {advice}",
                cause.what,
                cause.follow(attribute, &what, &place, values),
            ),
            (_, Some(values))
                if changed.old_text.is_some() && verdict > Some(Verdict::Undecided) =>
            {
                format!(
                    "changing `{attribute}` from {} to {}: {why}; {advice}",
                    side(&values.base.value, changed.old_text.as_deref()),
                    side(
                        &values.new.value,
                        Some(file.slice(changed.range_of_value()))
                    ),
                )
            }
            _ => {
                let verb = if changed.old_text.is_some() {
                    "changing"
                } else {
                    "setting"
                };
                format!(
                    "{verb} `{attribute}` may make the provider destroy `{address}` and create \
                     it again, depending on the old and new values; {advice}"
                )
            }
        };
        let diagnostic = ctx.diagnostic(changed.range, message);
        let diagnostic = if changed.cause.is_some() {
            with_attribute(diagnostic, entry, attribute, file.path)
        } else {
            diagnostic
        };
        ctx.report(diagnostic);
    }
}

/// One side of a changed expression for messages: its value when known, else the expression
/// as written.
fn side(value: &Value, written: Option<&str>) -> String {
    if value.is_known() {
        return describe(value);
    }
    match written.map(str::trim) {
        Some(text) if !text.contains('\n') && text.chars().count() <= 60 => {
            format!("`{text}`, whose value the files do not decide")
        }
        _ => describe(value),
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
    fn fires_rekeyed() {
        check_fixture("terraform/conditional-replacement-changed/fires-rekeyed.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/conditional-replacement-changed/quiet.tf");
    }
}

use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;

use crate::data_value::{self, DataValue};
use crate::terraform::protection::is_stateful;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `lifecycle { prevent_destroy = false }` written explicitly on a resource that holds
    /// data: databases, buckets, volumes, keys, queues, clusters, networks and the other
    /// stateful types redline knows.
    /// On resources whose data is transient (log groups, queues, streams, caches) it is
    /// reported as info.
    ///
    /// ## Why it matters
    /// `prevent_destroy = true` makes Terraform refuse any plan that would destroy the
    /// resource: it is the only hard stop at plan time.
    /// Writing `false` is how that stop gets switched off, often one commit before the
    /// change that destroys the resource, and the value reads as a decision that was
    /// reviewed when it usually was not.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket" "audit" {
    ///   bucket = "acme-audit"
    ///   lifecycle {
    ///     prevent_destroy = false
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket" "audit" {
    ///   bucket = "acme-audit"
    ///   lifecycle {
    ///     prevent_destroy = true
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets `prevent_destroy = true`. It is safe: it only makes plans that destroy
    /// the resource fail. Note that the guard leaves with the block: removing the whole
    /// `resource` block still destroys the resource.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-007 -- decommissioning, ticket OPS-123` on the line above.
    ///
    /// ## References
    /// - Terraform language, "The lifecycle meta-argument", `prevent_destroy`
    PreventDestroyDisabled {
        id: "RL-TF-007", name: "prevent-destroy-disabled",
        summary: "A stateful resource sets `prevent_destroy = false`",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::Always, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let model = ctx.file().terraform();
    for resource in model.resources() {
        if !is_stateful(resource.resource_type) {
            continue;
        }
        let Some(attribute) = resource.prevent_destroy() else {
            continue;
        };
        if attribute.value.value.as_bool() != Some(false) {
            continue;
        }
        let address = resource.address();
        let message = format!(
            "`prevent_destroy = false` on `{address}`: Terraform will apply a plan that \
             destroys it and its data without stopping; set `prevent_destroy = true`"
        );
        let fix = Fix::single(
            "Set `prevent_destroy = true`",
            Applicability::Safe,
            Edit::replace(attribute.value.range, "true"),
        );
        let mut diagnostic = ctx.diagnostic(attribute.range, message).with_fix(fix);
        if data_value::of(resource.resource_type) == DataValue::Low {
            // Logs, queued messages and caches are transient: worth knowing, not a review.
            diagnostic.severity = Severity::Info;
        }
        ctx.report(diagnostic.with_subject(resource.block.range));
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/prevent-destroy-disabled/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/prevent-destroy-disabled/quiet.tf");
    }
}

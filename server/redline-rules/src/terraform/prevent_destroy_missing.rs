use redline_diagnostics::{Applicability, Category, Confidence, Fix, Severity};
use redline_syntax::Format;
use redline_syntax::terraform::{Resource, Value};
use redline_text::TextRange;

use crate::data_value::{self, DataValue};
use crate::terraform::add_prevent_destroy;
use crate::terraform::protection::{Guarded, deletion_guard, is_stateful};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A resource that holds data (a database, bucket, volume, key, queue, cluster, network…)
    /// with no `lifecycle { prevent_destroy = true }` and no deletion protection turned on.
    ///
    /// The rule is quiet when the resource's deletion protection is on (written as the
    /// protective value, or the provider default protects it), when `prevent_destroy` is
    /// written at all (`false` is RL-TF-007's business), and in reusable modules' resources
    /// that use `count` or `for_each`, where `prevent_destroy` cannot be made configurable.
    ///
    /// ## Why it matters
    /// Nothing at plan time stops a change that destroys this resource: a rename, a changed
    /// attribute that forces replacement, or a `count` index that moves.
    /// `prevent_destroy = true` turns such a plan into an error that someone has to read.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket" "audit" {
    ///   bucket = "acme-audit"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket" "audit" {
    ///   bucket = "acme-audit"
    ///
    ///   lifecycle {
    ///     prevent_destroy = true
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix adds `prevent_destroy = true` to the resource's `lifecycle` block, creating
    /// the block when there is none. It is safe: it only makes plans that destroy the
    /// resource fail. It is not offered in the JSON syntax or for one-line blocks.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-019 -- cache bucket, rebuilt from source` on the line above
    /// the resource, or disable the rule in `redline.toml`.
    ///
    /// ## References
    /// - Terraform language, "The lifecycle meta-argument", `prevent_destroy`
    PreventDestroyMissing {
        id: "RL-TF-019", name: "prevent-destroy-missing",
        summary: "A stateful resource has neither `prevent_destroy` nor deletion protection",
        category: Category::Destructive, severity: Severity::Info, confidence: Confidence::Medium,
        formats: &[Format::Terraform], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let text = ctx.text();
    let model = ctx.file().terraform();
    for resource in model.resources() {
        if !is_stateful(resource.resource_type)
            || resource.prevent_destroy().is_some()
            || resource.block.body.attribute("count").is_some()
            || resource.block.body.attribute("for_each").is_some()
            || deletion_protected(&resource)
        {
            continue;
        }
        let address = resource.address();
        // A network or a cluster is stateful without holding data (it is not in the
        // data-value table): the message does not say it does.
        let holds = if data_value::of(resource.resource_type) == DataValue::None {
            "has"
        } else {
            "holds data but has"
        };
        let message = format!(
            "`{address}` {holds} no `lifecycle {{ prevent_destroy = true }}` and no deletion \
             protection: a plan that destroys it applies without stopping; add \
             `prevent_destroy = true`"
        );
        let header = resource
            .block
            .labels
            .last()
            .map_or(resource.block.range, |label| {
                TextRange::new(resource.block.range.start(), label.range.end())
            });
        let mut diagnostic = ctx.diagnostic(header, message);
        // A block with a syntax error inside may end elsewhere than it seems: a block added
        // before its `}` could join the broken text.
        if !ctx.file().has_error_in(resource.block.range)
            && let Some(edit) = add_prevent_destroy(model, text, &resource)
        {
            diagnostic = diagnostic.with_fix(Fix::single(
                "Add `lifecycle { prevent_destroy = true }`",
                Applicability::Safe,
                edit,
            ));
        }
        ctx.report(diagnostic.with_subject(resource.block.range));
    }
}

/// Whether the resource's deletion protection is on, or might be (an unknown value).
fn deletion_protected(resource: &Resource<'_>) -> bool {
    let Some(guard) = deletion_guard(resource.resource_type) else {
        return false;
    };
    match resource.attribute(guard.attribute).map(|a| &a.value.value) {
        None => guard.default == guard.protected,
        Some(value) => match guard.unprotected {
            Guarded::Bool(unprotected) => value.as_bool() != Some(unprotected),
            Guarded::Str(unprotected) => {
                matches!(value, Value::Unknown) || value.as_str() != Some(unprotected)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/prevent-destroy-missing/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/prevent-destroy-missing/quiet.tf");
    }
}

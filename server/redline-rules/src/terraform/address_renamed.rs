use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;
use redline_syntax::terraform::Syntax;

use crate::terraform::cascade;
use crate::terraform::module_change::{Kind, ModuleChange};
use crate::terraform::newline;
use crate::terraform::protection::{holds_data, is_stateful};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit that renames a `resource` or `module` block without a `moved` block: one
    /// address disappears and another of the same type appears, with a body that is mostly
    /// the same.
    /// A rename that also edits a value in the same change (every attribute and nested block
    /// kept, at least half of them as they were) is still a rename; what the edit changed in
    /// the block is judged on its own, as for a block that kept its address (a force-new
    /// attribute changed is RL-TF-005).
    /// The finding sits on the new name. A stateful resource or a module call is an error,
    /// other resources are warnings. RL-TF-001 stays quiet about the old address.
    /// The message also says what goes with the object (see RL-TF-005): the resources that
    /// read the new object in a force-new attribute and are replaced with it, and those that
    /// still reference the old address, whose plan fails; each is a related place.
    ///
    /// ## Why it matters
    /// Terraform tracks objects by address. Without a `moved` block it plans to destroy the
    /// object at the old address and create a new one at the new address: a database comes
    /// back empty, a bucket loses its objects, a network takes everything inside it along.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "orders_primary" { # was "orders"
    ///   engine = "postgres"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "orders_primary" {
    ///   engine = "postgres"
    /// }
    ///
    /// moved {
    ///   from = aws_db_instance.orders
    ///   to   = aws_db_instance.orders_primary
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix adds the `moved` block after the renamed block. It is safe: Terraform then keeps the
    /// object and only records its new address.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-002 -- the old bucket is empty and may go` on the line above the new
    /// block.
    ///
    /// ## References
    /// - Terraform language, "Refactoring" (`moved` blocks, Terraform 1.1 and later)
    AddressRenamed {
        id: "RL-TF-002", name: "address-renamed",
        summary: "An edit renames a resource or module without a `moved` block",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let Some(change) = ctx.change() else {
        return;
    };
    let file = ctx.file();
    let module = ModuleChange::of(change, file);
    for &(base, new) in module.renames() {
        let old = &module.base[base];
        let entry = &module.new[new];
        if entry.file.path != file.path {
            continue;
        }
        let (from, to) = (&old.address, &entry.address);
        let stateful = entry.kind == Kind::Module || is_stateful(entry.type_name);
        let consequence = match entry.kind {
            Kind::Module => "destroy every resource the module call created and create them again",
            Kind::Resource if holds_data(entry.type_name) => {
                "destroy the object and create an empty one, losing the data it holds"
            }
            Kind::Resource => "destroy the object and create a new one",
        };
        let message = format!(
            "`{from}` was renamed to `{to}` without a `moved` block: Terraform will \
             {consequence}; add `moved {{ from = {from} to = {to} }}`"
        );
        let mut diagnostic = ctx.diagnostic(entry.name_range(), message);
        if stateful {
            diagnostic.severity = Severity::Error;
        }
        if let Some(cascade) = cascade::of_rename(ctx, &module, base, new) {
            diagnostic = cascade.apply(diagnostic, file.path);
        }
        if file.terraform().syntax == Syntax::Hcl {
            let nl = newline(&file.text);
            let moved = format!("{nl}{nl}moved {{{nl}  from = {from}{nl}  to   = {to}{nl}}}");
            diagnostic = diagnostic.with_fix(Fix::single(
                format!("Add `moved {{ from = {from} to = {to} }}`"),
                Applicability::Safe,
                Edit::insert(entry.block.range.end(), moved),
            ));
        }
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::{check_change_folder, check_fixture};

    #[test]
    fn fires() {
        check_fixture("terraform/address-renamed/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/address-renamed/quiet.tf");
    }

    #[test]
    fn fires_changed() {
        check_fixture("terraform/address-renamed/fires-changed.tf");
    }

    #[test]
    fn quiet_changed() {
        check_fixture("terraform/address-renamed/quiet-changed.tf");
    }

    #[test]
    fn renamed_into_another_file() {
        check_change_folder("terraform/address-renamed/renamed-into-another-file");
    }

    #[test]
    fn cascade() {
        check_fixture("terraform/address-renamed/cascade.tf");
    }
}

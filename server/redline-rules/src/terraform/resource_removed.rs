use std::collections::HashSet;

use redline_diagnostics::{Applicability, Category, Confidence, Fix, Severity};
use redline_syntax::Format;
use redline_syntax::terraform::Syntax;
use redline_text::{TextRange, TextSize};

use crate::terraform::cascade;
use crate::terraform::module_change::{FormerPlaces, Kind, ModuleChange, insert_top_level, slice};
use crate::terraform::protection::is_stateful;
use crate::{BASE_PREFIX, FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit that deletes a `resource` or `module` block from a Terraform module, when no
    /// `removed` or `moved` block in the module names its address.
    /// The module is the whole folder: a block moved to another file of it is not a removal,
    /// and neither is a rename that RL-TF-002 reports.
    /// A removed stateful resource (database, bucket, volume, key, queue, cluster, network) or
    /// module call is an error; other resources are warnings.
    /// The finding's related place is the block in the text before the edit
    /// (`base:main.tf:12`).
    /// The resources that still reference the removed address (in an attribute, a nested
    /// block or `depends_on`) are named in the message and are further related places:
    /// Terraform refuses to plan them until they stop.
    /// A deleted file reports each block it held, at the start of the deleted file and without
    /// fixes, since a deleted file cannot hold the `removed` block; a file the edit empties (an
    /// agent's `Write` of nothing) still exists, and reports each block as removed from it,
    /// with the fixes.
    ///
    /// ## Why it matters
    /// Terraform destroys every object that is in its state but no longer in the
    /// configuration (`delete_because_no_resource_config`, and `delete_because_no_module` for
    /// every resource of a removed module call).
    /// `lifecycle { prevent_destroy = true }` does not help: it leaves with the block.
    /// A `removed` block with `destroy = false` (Terraform 1.7 and later) drops the object
    /// from the state and leaves it running.
    ///
    /// ## Example
    /// The edit deletes this block:
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   engine = "postgres"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// removed {
    ///   from = aws_db_instance.orders
    ///
    ///   lifecycle {
    ///     destroy = false
    ///   }
    /// }
    /// ```
    /// Or keep the block. When the destroy is intended, say so with a `removed` block whose
    /// `destroy = true`; redline honours every `removed` block.
    ///
    /// ## Fix safety
    /// The first fix adds the `removed { … destroy = false }` block where the resource was.
    /// It is safe: Terraform forgets the object instead of destroying it.
    /// The second fix puts the deleted block back as it was; it is unsafe because it undoes
    /// the edit.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-001 -- decommissioned, data exported to S3` on the line above the
    /// finding (the first line of code after the place where the block was); for a deleted
    /// file, an `[[ignore]]` entry for its path in `redline.toml`.
    ///
    /// ## References
    /// - Terraform language, "Remove a resource from state" (`removed` block)
    /// - Terraform JSON plan format, `action_reason` `delete_because_no_resource_config`
    ResourceRemoved {
        id: "RL-TF-001", name: "resource-removed",
        summary: "An edit removes a resource or module block without a `removed` block",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let Some(change) = ctx.change() else {
        return;
    };
    let Some(base_file) = change.base else {
        return;
    };
    let file = ctx.file();
    let module = ModuleChange::of(change, file);
    // A file emptied by the edit still exists: its blocks were removed from it, not with it.
    let deleted = change.deleted;
    // Findings at one place are built in the order the engine sorts them (place, then
    // message), so that their inserted blocks follow each other with one blank line.
    let mut pending = Vec::new();
    let places = std::cell::OnceCell::new();
    for index in module.removals() {
        let entry = &module.base[index];
        if entry.file.path != base_file.path {
            continue;
        }
        let address = &entry.address;
        let stateful = entry.kind == Kind::Module || is_stateful(entry.type_name);
        let what = match entry.kind {
            Kind::Module => "Terraform will destroy every resource the module call created",
            Kind::Resource if stateful => "Terraform will destroy it and the data it holds",
            Kind::Resource => "Terraform will destroy it",
        };
        let guard = if entry
            .block
            .body
            .block("lifecycle")
            .and_then(|lifecycle| lifecycle.body.attribute("prevent_destroy"))
            .is_some()
        {
            " (its `prevent_destroy` left with the block)"
        } else {
            ""
        };
        let removed_how = if deleted {
            format!("was removed with its file `{}`", base_file.path)
        } else if file.text.trim().is_empty() {
            format!("was removed: the edit empties `{}`", base_file.path)
        } else {
            "was removed".to_owned()
        };
        let message = format!(
            "`{address}` {removed_how}: {what} on the next apply{guard}; add a `removed` \
             block with `destroy = false` to keep the object, or restore the block"
        );
        let (at, offset) = if deleted {
            (0, 0)
        } else {
            places
                .get_or_init(|| FormerPlaces::new(base_file, file))
                .of(entry.block)
        };
        pending.push((at, message, offset, index, stateful));
    }
    pending.sort();
    let mut used_offsets = HashSet::new();
    for (at, message, offset, index, stateful) in pending {
        let entry = &module.base[index];
        let address = &entry.address;
        let range = TextRange::empty(TextSize::from_usize(at));
        let follows = !used_offsets.insert(offset);
        let header_end = entry
            .block
            .open_brace_end
            .unwrap_or(entry.block.range.end())
            .min(entry.block.range.end());
        let mut diagnostic = ctx.diagnostic(range, message).with_related_in(
            format!("{BASE_PREFIX}{}", base_file.path),
            TextRange::new(entry.block.range.start(), header_end),
            format!("`{address}` before the edit"),
        );
        if stateful {
            diagnostic.severity = Severity::Error;
        }
        if let Some(cascade) = cascade::of_removal(ctx, &module, address) {
            diagnostic = cascade.apply(diagnostic, file.path);
        }
        // A deleted file cannot take a fix: the finding says what to add, and where it goes is
        // the module's choice.
        if !deleted
            && file.terraform().syntax == Syntax::Hcl
            && base_file.terraform().syntax == Syntax::Hcl
        {
            let removed = format!(
                "removed {{\n  from = {address}\n\n  lifecycle {{\n    destroy = false\n  }}\n}}\n"
            );
            diagnostic = diagnostic.with_fix(Fix::single(
                format!("Add `removed {{ from = {address} }}` with `destroy = false`"),
                Applicability::Safe,
                insert_top_level(&file.text, offset, &removed, follows),
            ));
            let original = format!("{}\n", slice(&base_file.text, entry.block.range));
            diagnostic = diagnostic.with_fix(Fix::single(
                format!("Restore `{address}`"),
                Applicability::Unsafe,
                insert_top_level(&file.text, offset, &original, follows),
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
        check_fixture("terraform/resource-removed/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/resource-removed/quiet.tf");
    }

    #[test]
    fn module_folders() {
        check_change_folder("terraform/resource-removed/moved-between-files");
        check_change_folder("terraform/resource-removed/file-deleted");
    }

    #[test]
    fn cascade() {
        check_fixture("terraform/resource-removed/cascade.tf");
    }
}

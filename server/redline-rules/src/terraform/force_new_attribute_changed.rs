use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;
use redline_syntax::terraform::Syntax;
use redline_text::TextRange;

use crate::terraform::force_new::{Replacement, force_new_changes};
use crate::terraform::module_change::ModuleChange;
use crate::terraform::protection::is_stateful;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit that changes an attribute the provider cannot update in place on a resource
    /// that already exists: `engine` of a database, `bucket` of an S3 bucket, `cidr_block` of
    /// a VPC, `name` of most Azure resources, and the other force-new attributes of the AWS,
    /// Google and AzureRM providers.
    /// Setting such an attribute that was not written before is reported with medium
    /// confidence, because the provider may already hold the same value.
    /// Stateful resources (databases, buckets, volumes, keys, queues, clusters) are errors,
    /// others are warnings.
    /// Attributes that replace the resource only for some values are RL-TF-006.
    ///
    /// ## Why it matters
    /// Terraform plans such a change as a replacement: it destroys the object and creates a
    /// new one (`replace_because_cannot_update`).
    /// For a data store the new object starts empty, and whatever depended on the old one's
    /// identity (endpoints, ARNs, attachments) breaks until it is recreated too.
    /// The plan summary shows it as one "replace" among many updates.
    ///
    /// ## Example
    /// The edit changes `engine` from `"postgres"`:
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   engine = "mysql"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Keep the value, or migrate on purpose: create the new resource next to the old one,
    /// move the data (snapshot and restore, replication), then remove the old one with its
    /// own reviewed change.
    ///
    /// ## Fix safety
    /// The fix restores the previous value. It is unsafe because it undoes the edit.
    ///
    /// ## Data
    /// The table of force-new attributes is `server/redline-rules/data/force-new.tsv`, read
    /// from the provider sources at the commits its first line names (AWS provider 5.46 era).
    /// Newer provider versions may update some attributes in place; a plan
    /// (`redline plan`) is authoritative.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-005 -- replacement planned, data migrated` on the line above the
    /// attribute.
    ///
    /// ## References
    /// - Terraform plugin SDK, `ForceNew`; plugin framework, `RequiresReplace`
    /// - Terraform JSON plan format, `action_reason` `replace_because_cannot_update`
    ForceNewAttributeChanged {
        id: "RL-TF-005", name: "force-new-attribute-changed",
        summary: "An edit changes an attribute that makes the provider replace the resource",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let Some(change) = ctx.change() else {
        return;
    };
    let file = ctx.file();
    let module = ModuleChange::new(change, file);
    for changed in force_new_changes(&module, file.path) {
        if changed.force_new.replacement != Replacement::Always {
            continue;
        }
        let entry = &module.new[changed.new];
        let address = &entry.address;
        let attribute = changed.force_new.attribute;
        let stateful = is_stateful(entry.type_name);
        let edit = match changed.old_text {
            Some(_) => format!("changing `{attribute}`"),
            None => format!("setting `{attribute}`"),
        };
        let consequence = if stateful {
            format!(
                "Terraform will destroy `{address}` and create it again, and the data it holds \
                 is lost"
            )
        } else {
            format!("Terraform will destroy `{address}` and create it again")
        };
        let message = format!(
            "{edit} forces replacement: {consequence}; keep the previous value, or migrate to a \
             new resource on purpose"
        );
        let mut diagnostic = ctx.diagnostic(changed.range, message);
        if stateful {
            diagnostic.severity = Severity::Error;
        }
        if !changed.known || changed.old_text.is_none() {
            diagnostic.confidence = Confidence::Medium;
        }
        if let (Some(old_text), Some(value_range)) = (changed.old_text, changed.value_range)
            && file.terraform().syntax == Syntax::Hcl
            && !old_text.contains('\n')
        {
            diagnostic = diagnostic.with_fix(Fix::single(
                format!("Restore `{attribute} = {old_text}`"),
                Applicability::Unsafe,
                Edit::replace(value_range, old_text),
            ));
        }
        if changed.old_text.is_none()
            && let Some(line) = whole_line(file.text, changed.range)
            && file.terraform().syntax == Syntax::Hcl
        {
            diagnostic = diagnostic.with_fix(Fix::single(
                format!("Remove `{attribute}` again"),
                Applicability::Unsafe,
                Edit::delete(line),
            ));
        }
        ctx.report(diagnostic);
    }
}

/// The lines `range` spans, newline included, when nothing else is on them but a comment.
fn whole_line(text: &str, range: TextRange) -> Option<TextRange> {
    let start = range.start().to_usize();
    let line_start = text.get(..start)?.rfind('\n').map_or(0, |index| index + 1);
    if !text.get(line_start..start)?.trim().is_empty() {
        return None;
    }
    let end = range.end().to_usize();
    let rest = text.get(end..)?;
    let line_end = rest.find('\n').map_or(text.len(), |index| end + index + 1);
    let trailing = text.get(end..line_end)?.trim();
    if !(trailing.is_empty() || trailing.starts_with('#') || trailing.starts_with("//")) {
        return None;
    }
    Some(TextRange::from_usize(line_start, line_end))
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/force-new-attribute-changed/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/force-new-attribute-changed/quiet.tf");
    }
}

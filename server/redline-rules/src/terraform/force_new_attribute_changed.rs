use redline_diagnostics::{Applicability, Category, Confidence, Diagnostic, Edit, Fix, Severity};
use redline_syntax::Format;
use redline_syntax::terraform::Syntax;
use redline_text::TextRange;

use redline_syntax::terraform::Repetition;
use redline_syntax::terraform_eval::Key;

use crate::terraform::cascade;
use crate::terraform::force_new::{Replacement, force_new_changes};
use crate::terraform::module_change::{Entry, ModuleChange};
use crate::terraform::protection::{holds_data, is_stateful};
use crate::terraform::value_change::{Verdict, describe, instance_list, place_in};
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
    /// Values are compared as Terraform would read them: the module is evaluated before and
    /// after the edit, through variable defaults, tfvars files (`terraform.tfvars`,
    /// `*.auto.tfvars`) and locals.
    /// An edit that changes the value somewhere else is reported where the value changed: at
    /// the tfvars line, the variable's default or the local, or where a removed tfvars line was
    /// (a deleted tfvars file reports on its first line).
    /// The message names the resource, the attribute, the old and new values and the chain,
    /// such as "`var.engine` (default in variables.tf:3) changes from "postgres" to "mysql",
    /// which `engine` of `aws_db_instance.main` (main.tf:7) reads".
    /// An expression rewritten with the same value (a literal moved into a variable whose
    /// default is that literal, a reformatted local) is not reported.
    /// When the files decide the value on one side only (a literal replaced by a variable set
    /// with `-var`, a default removed), the edit may or may not replace the resource:
    /// RL-TF-006 reports it, as it reports a changed default of a reusable module.
    /// Instances re-keyed by the edit (`count` to `for_each`) are compared as the module's
    /// `moved` blocks pair them, and those without one as their `moved` blocks would pair them
    /// (see RL-TF-004), so `"logs-${count.index}"` that becomes `"logs-${each.key}"` with the
    /// same values replaces nothing, while `moved` blocks that swap two instances replace both;
    /// when the instances cannot be compared, RL-TF-006 says the edit may replace them.
    /// An edit of an input of a local module call (`db_name` in `module "db" { source =
    /// "../../" … }`) that changes a force-new attribute of a resource of the called module,
    /// or of a module it calls in turn, from one value the files decide to another, is
    /// reported at the input, naming the resource by its address in the module tree
    /// (`module.db.module.db_instance.aws_db_instance.this`), with the called module's line as
    /// a related place; calls with `count` or `for_each`, and resources whose instances the
    /// edit changes, are left alone.
    ///
    /// The message also says what else the replacement takes with it, and each such resource
    /// is a related place.
    /// The new object's attributes that the configuration does not write (`id`, `arn`,
    /// generated names and addresses), and those the edit changed, are unknown until it
    /// exists: a resource of the module that reads one of them in a force-new attribute (a
    /// subnet's `vpc_id`, a volume's `kms_key_id`), or names the object in
    /// `lifecycle.replace_triggered_by`, is replaced too, and so on through the resources it
    /// takes with it (16 steps, 500 resources at most).
    /// A resource that reads the object only in attributes updated in place (a subnet
    /// group's `subnet_ids`, a policy document) is updated, not replaced, and a written value
    /// the edit keeps (a literal `name`) is the same on the new object, and so is a value that
    /// reads only how many elements a list of replaced objects has, or whether it is set
    /// (`length(…)`, `!= null`).
    /// The message counts the replaced resources and names those that hold data first, such
    /// as "replacing `aws_kms_key.data` also replaces 2 resources, 2 holding data:
    /// `aws_ebs_volume.data` via `aws_kms_key.data.arn`, …"; a root with
    /// `create_before_destroy` is noted, and its dependents are counted all the same.
    /// References are followed through locals, and through the local modules the module
    /// calls (`source = "./modules/db"`, 8 calls deep at most; registry and git sources are
    /// not on disk and are not followed): an input that reads a changed value changes the
    /// called module's variable, whose force-new readers there are replaced, named by their
    /// address in the module tree (`module.db.aws_db_subnet_group.this`) with the called
    /// module's line as the related place; an output that reads such a value changes too, and
    /// the caller's force-new attributes that read it are replaced.
    /// A value that reaches a called module only as what the caller writes (the literal part
    /// of an object input) is the same after the replacement, and a resource the call's inputs
    /// give no instance is not replaced.
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
    /// The fix restores the previous value of the attribute. It is unsafe because it undoes
    /// the edit.
    /// A finding at a changed default, tfvars value or local has no fix: other attributes may
    /// read the same value.
    ///
    /// ## Data
    /// The table of force-new attributes is `server/redline-rules/data/force-new.tsv`, read
    /// from the provider sources at the commits its first line names (AWS provider 5.46 era).
    /// Newer provider versions may update some attributes in place; a plan
    /// (`redline plan`) is authoritative.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-005 -- replacement planned, data migrated` on the line above the
    /// attribute, or above the default, tfvars value or local where the finding is reported.
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
    let module = ModuleChange::of(change, file);
    for changed in force_new_changes(ctx, &module).iter() {
        if changed.force_new.replacement != Replacement::Always || changed.for_callers {
            continue;
        }
        let verdict = changed.values.as_ref().map(|values| values.verdict);
        // A value that one side leaves to outside the files may not change, and neither may
        // the values of instances that could not be compared: RL-TF-006.
        if verdict == Some(Verdict::MayChange) || changed.may_change_per_instance() {
            continue;
        }
        let entry = &module.new[changed.new];
        let attribute = changed.force_new.attribute;
        let stateful = is_stateful(entry.type_name);
        let instances = changed
            .values
            .as_ref()
            .map_or(&[][..], |values| values.instances.as_slice());
        let (what, plural) = target(entry, instances);
        let (it, holds) = if plural {
            ("them", "they hold")
        } else {
            ("it", "it holds")
        };
        let consequence = if holds_data(entry.type_name) {
            format!(
                "Terraform will destroy {what} and create {it} again, and the data {holds} is \
                 lost"
            )
        } else {
            format!("Terraform will destroy {what} and create {it} again")
        };
        let message = match (&changed.cause, &changed.values) {
            (Some(cause), Some(values)) => format!(
                "{}{}: `{attribute}` is force-new, so {consequence}; keep the previous value, or \
                 migrate to a new resource on purpose",
                cause.what,
                cause.follow(
                    attribute,
                    &what,
                    &place_in(entry.file, attribute_range(entry, attribute)),
                    values
                ),
            ),
            _ => {
                let edit = match (changed.old_text.as_deref(), &changed.values) {
                    (Some(_), Some(values))
                        if values.base.value.is_known() && values.new.value.is_known() =>
                    {
                        format!(
                            "changing `{attribute}` from {} to {}",
                            describe(&values.base.value),
                            describe(&values.new.value)
                        )
                    }
                    (Some(_), _) => format!("changing `{attribute}`"),
                    (None, _) => format!("setting `{attribute}`"),
                };
                format!(
                    "{edit} forces replacement: {consequence}; keep the previous value, or \
                     migrate to a new resource on purpose"
                )
            }
        };
        let mut diagnostic = ctx.diagnostic(changed.range, message);
        if stateful {
            diagnostic.severity = Severity::Error;
        }
        let certain = verdict == Some(Verdict::Changed { certain: true })
            || (verdict.is_none() && changed.known);
        if !certain || changed.old_text.is_none() {
            diagnostic.confidence = Confidence::Medium;
        }
        if let Some(cascade) = cascade::of_replacement(ctx, &module, changed.new, attribute) {
            diagnostic = cascade.apply(diagnostic, file.path);
        }
        if changed.cause.is_some() {
            ctx.report(with_attribute(diagnostic, entry, attribute, file.path));
            continue;
        }
        if let (Some(old_text), Some(value_range)) =
            (changed.old_text.as_deref(), changed.value_range)
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
            && let Some(line) = whole_line(&file.text, changed.range)
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
    // One finding per changed input, however many resources of the called module it replaces.
    let mut groups: Vec<Vec<cascade::CalledReplacement>> = Vec::new();
    for replaced in cascade::called_replacements(ctx, &module) {
        match groups.last_mut() {
            Some(group) if group[0].range == replaced.range && group[0].input == replaced.input => {
                group.push(replaced);
            }
            _ => groups.push(vec![replaced]),
        }
    }
    for group in groups {
        report_called(ctx, group);
    }
}

/// Reports a changed input of a local module call that replaces resources of the called
/// module, at the input: the first that holds data (else the first that is guarded, else the
/// first) with its cascade, and the others it replaces directly beside it.
fn report_called(ctx: &mut RuleContext<'_>, mut group: Vec<cascade::CalledReplacement>) {
    let file = ctx.file();
    let first = group
        .iter()
        .position(|replaced| holds_data(&replaced.type_name))
        .or_else(|| {
            group
                .iter()
                .position(|replaced| is_stateful(&replaced.type_name))
        })
        .unwrap_or(0);
    let replaced = group.remove(first);
    // A resource the first one's cascade names is listed there.
    group.retain(|other| {
        replaced.cascade.as_ref().is_none_or(|cascade| {
            !cascade
                .replaced
                .iter()
                .any(|affected| affected.address == other.address)
        })
    });
    let (address, attribute, input) = (&replaced.address, &replaced.attribute, &replaced.input);
    let stateful = group
        .iter()
        .chain(std::iter::once(&replaced))
        .any(|one| is_stateful(&one.type_name));
    let consequence = if holds_data(&replaced.type_name) {
        format!(
            "Terraform will destroy `{address}` and create it again, and the data it holds is \
             lost"
        )
    } else {
        format!("Terraform will destroy `{address}` and create it again")
    };
    let others = match group.len() {
        0 => String::new(),
        count => {
            let mut named: Vec<String> = group
                .iter()
                .take(MAX_OTHERS_NAMED)
                .map(|other| format!("`{}` (`{}`)", other.address, other.attribute))
                .collect();
            if count > MAX_OTHERS_NAMED {
                named.push("…".to_owned());
            }
            format!(
                ", and of {count} more resource{} of the module whose force-new attributes \
                 read it: {}",
                if count == 1 { "" } else { "s" },
                named.join(", ")
            )
        }
    };
    let message = format!(
        "changing `{input}` of `{}` from {} to {} forces replacement of `{address}`, whose \
         force-new `{attribute}` reads it{others}: {consequence}; keep the previous value, or \
         migrate to a new resource on purpose",
        replaced.call,
        describe(&replaced.before),
        describe(&replaced.after),
    );
    let mut diagnostic = ctx.diagnostic(replaced.range, message).with_related_in(
        replaced.path.clone(),
        replaced.attribute_range,
        format!("`{address}` reads the input in its force-new `{attribute}`"),
    );
    for other in &group {
        diagnostic = diagnostic.with_related_in(
            other.path.clone(),
            other.attribute_range,
            format!(
                "`{}` reads the input in its force-new `{}`",
                other.address, other.attribute
            ),
        );
    }
    if stateful {
        diagnostic.severity = Severity::Error;
    }
    if let Some(cascade) = &replaced.cascade {
        diagnostic = cascade.apply(diagnostic, file.path);
    }
    if file.terraform().syntax == Syntax::Hcl && !replaced.old_text.contains('\n') {
        diagnostic = diagnostic.with_fix(Fix::single(
            format!("Restore `{input} = {}`", replaced.old_text),
            Applicability::Unsafe,
            Edit::replace(replaced.value_range, &replaced.old_text),
        ));
    }
    ctx.report(diagnostic);
}

/// How many other resources of a called module a changed input's finding names.
const MAX_OTHERS_NAMED: usize = 3;

/// The range of a force-new attribute (`block.attribute` for nested ones), or of the block.
pub(crate) fn attribute_range(entry: &Entry<'_>, attribute: &str) -> TextRange {
    let mut block = entry.block;
    let mut segments = attribute.split('.').peekable();
    while let Some(segment) = segments.next() {
        if segments.peek().is_none() {
            return block
                .body
                .attribute(segment)
                .map_or(block.range, |found| found.range);
        }
        match block.body.block(segment) {
            Some(nested) => block = nested,
            None => break,
        }
    }
    block.range
}

/// A finding reported where a value changed, with the attribute that reads it as related
/// information when it is written in the same file.
pub(crate) fn with_attribute(
    diagnostic: Diagnostic,
    entry: &Entry<'_>,
    attribute: &str,
    path: &str,
) -> Diagnostic {
    if entry.file.path != path {
        return diagnostic;
    }
    diagnostic.with_related(
        attribute_range(entry, attribute),
        format!(
            "`{attribute}` of `{}` reads the changed value",
            entry.address
        ),
    )
}

/// The resource, or the instances whose value changes, for messages, and whether that is
/// several instances.
pub(crate) fn target(entry: &Entry<'_>, instances: &[Key]) -> (String, bool) {
    if entry.repetition == Repetition::Single || instances.is_empty() {
        return (format!("`{}`", entry.address), false);
    }
    (
        instance_list(&entry.address, instances),
        instances.len() > 1,
    )
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
    fn fires_renamed() {
        check_fixture("terraform/force-new-attribute-changed/fires-renamed.tf");
    }

    #[test]
    fn fires_moved() {
        check_fixture("terraform/force-new-attribute-changed/fires-moved.tf");
    }

    #[test]
    fn quiet_rekeyed() {
        check_fixture("terraform/force-new-attribute-changed/quiet-rekeyed.tf");
    }

    #[test]
    fn cascade_vpc() {
        check_fixture("terraform/force-new-attribute-changed/cascade-vpc.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/force-new-attribute-changed/quiet.tf");
    }

    #[test]
    fn cascade_kms() {
        check_fixture("terraform/force-new-attribute-changed/cascade-kms.tf");
    }

    #[test]
    fn cascade_launch_template() {
        check_fixture("terraform/force-new-attribute-changed/cascade-launch-template.tf");
    }

    #[test]
    fn cascade_quiet_updates() {
        check_fixture("terraform/force-new-attribute-changed/cascade-quiet-updates.tf");
    }
}

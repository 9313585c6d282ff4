use std::collections::HashMap;

use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::terraform::Value;
use redline_syntax::terraform::{Block, Resource};
use redline_syntax::{Format, SourceFile};

use crate::terraform::insert_attribute;
use crate::terraform::module_inputs;
use crate::terraform::protection;
use crate::terraform::protection::{DELETION_GUARDS, Guarded};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A resource whose provider-side deletion protection is turned off, or left at an
    /// unprotected default:
    /// `deletion_protection = false` on RDS instances and clusters,
    /// DocumentDB and Neptune clusters, Cloud SQL instances, GKE clusters, BigQuery tables,
    /// AlloyDB clusters, Spanner databases, Bigtable instances and Compute Engine
    /// instances; `deletion_protection_enabled = false` on DynamoDB tables and Aurora DSQL
    /// clusters;
    /// `enable_deletion_protection = false` on load balancers;
    /// `disable_api_termination = false` on EC2 instances and `termination_protection = false`
    /// on EMR clusters; `deletion_protection = "INACTIVE"` on Cognito user pools;
    /// `deletion_policy = "DELETE"` on Google projects.
    ///
    /// The attribute is also reported when it is absent on RDS, Aurora, DocumentDB, Neptune
    /// and DynamoDB, whose default is unprotected.
    /// A value redline cannot see (a variable, a conditional) is never reported.
    /// Aurora global clusters and folders, which cannot be deleted while they have members and
    /// hold no data of their own, are not reported.
    ///
    /// Inputs of the registry modules redline knows (`redline --version` lists them) are judged
    /// like the attributes they set: `deletion_protection = false` on a `module` whose `source`
    /// is `terraform-aws-modules/rds/aws` is reported at the input, and a call that leaves the
    /// input unset is reported at its label when the module's default leaves an RDS, Aurora or
    /// DynamoDB resource unprotected.
    /// Local modules, modules redline does not know and inputs of a call that creates no such
    /// resource (`create_db_instance = false`) are not judged this way.
    ///
    /// An edit that removes a protection written as `true`, or turns it off, is reported once,
    /// by RL-TF-020.
    ///
    /// ## Why it matters
    /// Deletion protection makes the cloud API itself refuse to delete the resource, whoever
    /// asks: a plan, a script, a console click or a coding agent.
    /// It is the cheapest guard there is, and turning it off is the usual first step before a
    /// database is destroyed, on purpose or not.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   engine              = "postgres"
    ///   deletion_protection = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   engine              = "postgres"
    ///   deletion_protection = true
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets the protective value, or adds the attribute when it is absent.
    /// It is safe: it only makes the API refuse deletion, and a later planned deletion must
    /// first turn the protection off in a reviewed change.
    /// No fix is offered for a one-line block or in the JSON syntax when the attribute is
    /// absent.
    /// On a registry module, the fix sets the input the same way, or adds it to the call.
    /// When the value comes through a variable, a local or a tfvars file, the message names the
    /// place it is written and no fix is offered: the change belongs there, and it changes the
    /// variable for every resource that reads it. A computed value is not rewritten either.
    ///
    /// ## Modules
    /// The value may come from a local module call (`source = "./…"` or `"../…"`, followed
    /// through nested calls).
    /// `deletion_protection = false` written as an input of a `module` block is reported at that input when it
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
    /// variable defaults are only defaults: a default that reaches `deletion_protection` is reported by
    /// RL-TF-008 as an `info` at the attribute, pointing at the default, and the finding proper goes
    /// to each caller that leaves the input unset.
    /// A published module (a folder with `examples/` or `modules/`, or a `versions.tf` holding
    /// only provider requirements) stays quiet on its own defaults.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-008 -- ephemeral preview database` on the line above the
    /// attribute (or above the resource when the attribute is absent).
    ///
    /// ## References
    /// - Terraform AWS provider, `aws_db_instance` argument `deletion_protection`
    /// - Terraform Google provider, `google_sql_database_instance` argument `deletion_protection`
    /// - Checkov CKV_AWS_293, CKV_AWS_150, CKV_GCP_119
    DeletionProtectionDisabled {
        id: "RL-TF-008", name: "deletion-protection-disabled",
        summary: "Deletion protection is off on a resource that holds data",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let text = ctx.text();
    let model = ctx.file().terraform();
    let base = std::cell::OnceCell::new();
    for resource in model.resources() {
        let Some(guard) = DELETION_GUARDS
            .iter()
            .find(|guard| guard.resource_type == resource.resource_type)
        else {
            continue;
        };
        // An Aurora global cluster or a folder cannot be deleted while it has members, and
        // holds no data of its own.
        if crate::data_value::holds_nothing(resource.resource_type) {
            continue;
        }
        let address = resource.address();
        let attribute_name = guard.attribute;
        let protected = guard.protected.source();
        let set_title = format!("Set `{attribute_name} = {protected}`");
        // An edit that removes or rewrites a protection written as a literal is one finding,
        // RL-TF-020's, which says what the edit took away.
        let base = base.get_or_init(|| base_resources(ctx));
        if let Some(before) = written_before(base, &resource, attribute_name)
            && before.trim() == protected
            && resource
                .attribute(attribute_name)
                .is_none_or(|attribute| ctx.file().slice(attribute.value.range) != before)
        {
            continue;
        }
        match resource.attribute(attribute_name) {
            Some(attribute) => {
                let read = protection::read(ctx, attribute);
                if !is_unprotected(&read.value, guard.unprotected) {
                    continue;
                }
                let written = ctx.file().slice(attribute.value.range).to_owned();
                let message = format!(
                    "{} on `{address}`: nothing stops the cloud API from deleting it and its \
                     data; {}",
                    read.describe(attribute_name, &written),
                    read.set(attribute_name, &protected),
                );
                let mut diagnostic = ctx.diagnostic(attribute.range, message);
                // Only a literal is replaced: a value that comes through a variable or a local is
                // changed where it is written.
                if read.literal {
                    diagnostic = diagnostic.with_fix(Fix::single(
                        set_title,
                        Applicability::Safe,
                        Edit::replace(attribute.value.range, protected),
                    ));
                }
                ctx.report(diagnostic.with_subject(resource.block.range));
            }
            None if guard.report_absent && guard.default != guard.protected => {
                let message = format!(
                    "`{address}` has no `{attribute_name}`, and the default leaves it \
                     unprotected: nothing stops the cloud API from deleting it and its data; \
                     set `{attribute_name} = {protected}`"
                );
                let range = resource
                    .block
                    .labels
                    .last()
                    .map_or(resource.block.range, |label| {
                        redline_text::TextRange::new(
                            resource.block.range.start(),
                            label.range.end(),
                        )
                    });
                let mut diagnostic = ctx.diagnostic(range, message);
                if let Some(edit) = insert_attribute(
                    model,
                    text,
                    resource.block,
                    &format!("{attribute_name} = {protected}"),
                ) {
                    diagnostic =
                        diagnostic.with_fix(Fix::single(set_title, Applicability::Safe, edit));
                }
                ctx.report(diagnostic.with_subject(resource.block.range));
            }
            None => {}
        }
    }
    module_inputs::check(ctx, DeletionProtectionDisabled::META.code.id);
}

/// In an edit, the value of `attribute` of the resource at `address` as written before it,
/// when it was written.
fn written_before(
    base: &BaseResources<'_>,
    resource: &Resource<'_>,
    attribute: &str,
) -> Option<String> {
    base.get(&(resource.resource_type, resource.name))?
        .iter()
        .find_map(|(file, block)| {
            let written = block.body.attribute(attribute)?;
            Some(file.slice(written.value.range).to_owned())
        })
}

/// The resources of the module before the edit by (type, name), in file order: the first
/// declared in each file.
type BaseResources<'a> = HashMap<(&'a str, &'a str), Vec<(&'a SourceFile<'a>, &'a Block)>>;

/// The resources before the edit; empty when the file is judged without one.
fn base_resources<'a>(ctx: &RuleContext<'a>) -> BaseResources<'a> {
    let mut res = HashMap::new();
    let Some(change) = ctx.change() else {
        return res;
    };
    let files: Vec<&'a SourceFile<'a>> = if change.folder_base.is_empty() {
        change.base.into_iter().collect()
    } else {
        change.folder_base.to_vec()
    };
    for file in files {
        for resource in file.terraform().resources() {
            let declared: &mut Vec<_> = res
                .entry((resource.resource_type, resource.name))
                .or_default();
            if declared
                .last()
                .is_none_or(|(last, _)| !std::ptr::eq(*last, file))
            {
                declared.push((file, resource.block));
            }
        }
    }
    res
}

/// Whether a written value leaves the resource unprotected; unknown values never do.
fn is_unprotected(value: &Value, unprotected: Guarded) -> bool {
    match unprotected {
        Guarded::Bool(unprotected) => value.as_bool() == Some(unprotected),
        Guarded::Str(unprotected) => value.as_str() == Some(unprotected),
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/deletion-protection-disabled/fires.tf");
    }

    #[test]
    fn quiet_edit() {
        check_fixture("terraform/deletion-protection-disabled/quiet-edit.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/deletion-protection-disabled/quiet.tf");
    }
}

use std::collections::BTreeMap;

use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;
use serde::Deserialize;

use crate::data_value::{self, DataValue};
use crate::terraform::module_inputs;
use crate::terraform::protection;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A force-delete switch turned on in a Terraform resource: `force_destroy = true` on
    /// buckets, hosted zones, backup vaults, public ECR repositories and Spanner instances,
    /// `force_delete = true` on ECR repositories and Auto Scaling groups,
    /// `enforce_consumer_deletion = true` on Kinesis streams and
    /// `delete_contents_on_destroy = true` on BigQuery datasets.
    /// On resources whose contents are transient or rebuilt by a pipeline (ECR repositories,
    /// Kinesis streams) it is reported as info; on IAM users and global database clusters,
    /// whose `force_destroy` deletes credentials or detaches member clusters but no data, it
    /// is not reported.
    ///
    /// Inputs of the registry modules redline knows (`redline --version` lists them) are judged
    /// like the attributes they set, such as `force_destroy = true` on a `module` whose `source`
    /// is `terraform-aws-modules/s3-bucket/aws`, or a bucket set to `true` in the
    /// `force_destroy` map of `terraform-google-modules/cloud-storage/google`; an input left
    /// unset is not reported.
    ///
    /// ## Why it matters
    /// Without the switch, the provider refuses to destroy a resource that still holds data,
    /// so a plan that would delete it fails and someone has to look.
    /// With the switch, the same plan silently deletes every object, record, image or key
    /// inside the resource as well, and nothing can bring them back.
    /// A rename or a removed block is enough to trigger that destroy.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket" "logs" {
    ///   bucket        = "acme-audit-logs"
    ///   force_destroy = true
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket" "logs" {
    ///   bucket        = "acme-audit-logs"
    ///   force_destroy = false
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets the switch to `false`. It is safe: it only restores the provider's
    /// refusal to delete a non-empty resource, and changes nothing about the resource itself.
    /// When the value comes through a variable, a local or a tfvars file
    /// (`force_destroy = var.force_destroy` with `default = true`), the message names the place
    /// it is written and no fix is offered: the change belongs there, and it changes the
    /// variable for every resource that reads it. A computed value is not rewritten either.
    ///
    /// ## Options
    /// `extra_resources` maps further resource types to their force-delete attribute, for
    /// providers this rule does not know:
    /// ```toml
    /// [rules.RL-TF-010]
    /// extra_resources = { acme_bucket = "force_destroy" }
    /// ```
    ///
    /// ## Modules
    /// The value may come from a local module call (`source = "./…"` or `"../…"`, followed
    /// through nested calls).
    /// `force_destroy = true` written as an input of a `module` block is reported at that input when it
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
    /// variable defaults are only defaults: a default that reaches `force_destroy` is reported by
    /// RL-TF-010 as an `info` at the attribute, pointing at the default, and the finding proper goes
    /// to each caller that leaves the input unset.
    /// A published module (a folder with `examples/` or `modules/`, or a `versions.tf` holding
    /// only provider requirements) stays quiet on its own defaults.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-010 -- scratch bucket, recreated by CI` on the line above or
    /// at the end of the line.
    ///
    /// ## References
    /// - Terraform AWS provider, `aws_s3_bucket` argument `force_destroy`
    /// - Terraform Google provider, `google_storage_bucket` argument `force_destroy`
    ForceDestroyEnabled {
        id: "RL-TF-010", name: "force-destroy-enabled",
        summary: "A force-delete switch lets destroying a resource also delete everything in it",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::Sometimes, status: Status::Preview,
        options: Options,
    }
}

/// Options of `force-destroy-enabled`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Resource type → the attribute that force-deletes its contents.
    #[serde(default)]
    pub extra_resources: BTreeMap<String, String>,
}

/// Resource type, the attribute that force-deletes, and what it deletes.
pub(crate) const SWITCHES: &[(&str, &str, &str)] = &[
    (
        "aws_s3_bucket",
        "force_destroy",
        "every object in the bucket",
    ),
    (
        "aws_s3_directory_bucket",
        "force_destroy",
        "every object in the bucket",
    ),
    (
        "aws_route53_zone",
        "force_destroy",
        "every record in the zone",
    ),
    (
        "aws_backup_vault",
        "force_destroy",
        "every recovery point in the vault",
    ),
    (
        "aws_iam_user",
        "force_destroy",
        "the user's access keys, login profile and MFA devices",
    ),
    (
        "aws_rds_global_cluster",
        "force_destroy",
        "the member database clusters",
    ),
    (
        "google_storage_bucket",
        "force_destroy",
        "every object in the bucket",
    ),
    (
        "google_spanner_instance",
        "force_destroy",
        "every database and backup in the instance",
    ),
    (
        "aws_ecrpublic_repository",
        "force_destroy",
        "every image in the repository",
    ),
    (
        "aws_ecr_repository",
        "force_delete",
        "every image in the repository",
    ),
    (
        "aws_autoscaling_group",
        "force_delete",
        "its instances without waiting for them to drain",
    ),
    (
        "aws_kinesis_stream",
        "enforce_consumer_deletion",
        "the stream's registered consumers",
    ),
    (
        "google_bigquery_dataset",
        "delete_contents_on_destroy",
        "every table in the dataset",
    ),
];

fn check(ctx: &mut RuleContext<'_>) {
    let model = ctx.file().terraform();
    let extra = ctx
        .options::<Options>()
        .map(|options| &options.extra_resources);
    for resource in model.resources() {
        let known = SWITCHES
            .iter()
            .find(|(kind, _, _)| *kind == resource.resource_type)
            .map(|(_, attribute, contents)| (*attribute, *contents));
        let configured = extra
            .and_then(|extra| extra.get(resource.resource_type))
            .map(|attribute| (attribute.as_str(), "everything in it"));
        let Some((attribute_name, contents)) = known.or(configured) else {
            continue;
        };
        let value = if known.is_some() {
            data_value::of(resource.resource_type)
        } else {
            DataValue::High
        };
        if value == DataValue::None {
            continue;
        }
        let Some(attribute) = resource.attribute(attribute_name) else {
            continue;
        };
        let read = protection::read(ctx, attribute);
        if read.value.as_bool() != Some(true) {
            continue;
        }
        let address = resource.address();
        let message = format!(
            "{} on `{address}`: destroying it also deletes {contents} instead of failing while \
             it holds data; {}",
            read.describe(attribute_name, "true"),
            read.set(attribute_name, "false"),
        );
        let mut diagnostic = ctx.diagnostic(attribute.range, message);
        if value == DataValue::Low {
            diagnostic.severity = Severity::Info;
        }
        // Only a literal is replaced: a value that comes through a variable or a local is
        // changed where it is written, for every user of the variable.
        if read.literal {
            diagnostic = diagnostic.with_fix(Fix::single(
                format!("Set `{attribute_name} = false`"),
                Applicability::Safe,
                Edit::replace(attribute.value.range, "false"),
            ));
        }
        ctx.report(diagnostic);
    }
    module_inputs::check(ctx, ForceDestroyEnabled::META.code.id);
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/force-destroy-enabled/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/force-destroy-enabled/quiet.tf");
    }

    #[test]
    fn json_syntax() {
        insta::assert_snapshot!(check_fixture(
            "terraform/force-destroy-enabled/fires.tf.json"
        ));
    }
}

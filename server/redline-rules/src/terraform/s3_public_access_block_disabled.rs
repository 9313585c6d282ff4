use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;

use crate::terraform::module_inputs;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An S3 public access block with one of its four switches turned off
    /// (`block_public_acls`, `block_public_policy`, `ignore_public_acls`,
    /// `restrict_public_buckets` set to `false`) in `aws_s3_bucket_public_access_block` or
    /// `aws_s3_account_public_access_block`.
    ///
    /// Inputs of the registry modules redline knows (`redline --version` lists them) are judged
    /// like the attributes they set: `block_public_acls = false` on a `module` whose `source` is
    /// `terraform-aws-modules/s3-bucket/aws` (or its `//modules/account-public-access`), also
    /// when the value comes through a variable, a local or a tfvars file; an input left unset is
    /// not reported, nor one of a call that creates no public access block
    /// (`attach_public_policy = false`).
    ///
    /// ## Why it matters
    /// The public access block is the account- or bucket-wide stop that keeps a mistaken ACL
    /// or bucket policy from publishing data.
    /// With a switch off, one wrong grant makes the bucket public.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket_public_access_block" "data" {
    ///   bucket              = aws_s3_bucket.data.id
    ///   block_public_policy = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_s3_bucket_public_access_block" "data" {
    ///   bucket                  = aws_s3_bucket.data.id
    ///   block_public_acls       = true
    ///   block_public_policy     = true
    ///   ignore_public_acls      = true
    ///   restrict_public_buckets = true
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets the switch to `true`. It is unsafe: public ACLs and policies in place
    /// today stop working.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-103 -- static website bucket` on the line above.
    ///
    /// ## References
    /// - Checkov CKV_AWS_53, CKV_AWS_54, CKV_AWS_55, CKV_AWS_56
    S3PublicAccessBlockDisabled {
        id: "RL-TF-103", name: "s3-public-access-block-disabled",
        summary: "An S3 public access block has a switch turned off",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::Always, status: Status::Preview,
    }
}

const SWITCHES: &[&str] = &[
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
];

fn check(ctx: &mut RuleContext<'_>) {
    let model = ctx.file().terraform();
    for resource in model.resources() {
        if !matches!(
            resource.resource_type,
            "aws_s3_bucket_public_access_block" | "aws_s3_account_public_access_block"
        ) {
            continue;
        }
        let address = resource.address();
        for name in SWITCHES {
            let Some(attribute) = resource.attribute(name) else {
                continue;
            };
            if attribute.value.value.as_bool() != Some(false) {
                continue;
            }
            let message = format!(
                "`{name} = false` on `{address}`: one public ACL or bucket policy is then \
                 enough to publish the data; set `{name} = true`"
            );
            let fix = Fix::single(
                format!("Set `{name} = true`"),
                Applicability::Unsafe,
                Edit::replace(attribute.value.range, "true"),
            );
            let diagnostic = ctx.diagnostic(attribute.range, message).with_fix(fix);
            ctx.report(diagnostic);
        }
    }
    module_inputs::check(ctx, S3PublicAccessBlockDisabled::META.code.id);
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/s3-public-access-block-disabled/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/s3-public-access-block-disabled/quiet.tf");
    }
}

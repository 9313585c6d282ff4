use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;

use crate::terraform::module_inputs;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A canned ACL that makes S3 objects public: `acl = "public-read"` or
    /// `acl = "public-read-write"` on `aws_s3_bucket`, `aws_s3_bucket_acl` or `aws_s3_object`.
    ///
    /// Inputs of the registry modules redline knows (`redline --version` lists them) are judged
    /// like the attributes they set: `acl = "public-read"` on a `module` whose `source` is
    /// `terraform-aws-modules/s3-bucket/aws` (or its `//modules/object`), also when the value
    /// comes through a variable, a local or a tfvars file.
    ///
    /// ## Why it matters
    /// `public-read` lets anyone on the internet list or download the data;
    /// `public-read-write` also lets anyone overwrite or delete it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_s3_bucket_acl" "exports" {
    ///   bucket = aws_s3_bucket.exports.id
    ///   acl    = "public-read"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Keep the bucket private and serve public content through a CDN with an origin access
    /// control:
    /// ```hcl
    /// resource "aws_s3_bucket_acl" "exports" {
    ///   bucket = aws_s3_bucket.exports.id
    ///   acl    = "private"
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets `acl = "private"`. It is unsafe: whoever reads the objects today loses
    /// access.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-102 -- public download mirror` on the line above.
    ///
    /// ## References
    /// - Checkov CKV_AWS_20, CKV_AWS_57
    S3PublicAcl {
        id: "RL-TF-102", name: "s3-public-acl",
        summary: "An S3 canned ACL makes objects readable or writable by anyone",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::Always, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let model = ctx.file().terraform();
    for resource in model.resources() {
        if !matches!(
            resource.resource_type,
            "aws_s3_bucket" | "aws_s3_bucket_acl" | "aws_s3_object" | "aws_s3_bucket_object"
        ) {
            continue;
        }
        let Some(attribute) = resource.attribute("acl") else {
            continue;
        };
        let Some(acl @ ("public-read" | "public-read-write")) = attribute.value.value.as_str()
        else {
            continue;
        };
        let address = resource.address();
        let what = if acl == "public-read-write" {
            "read, overwrite and delete"
        } else {
            "read"
        };
        let message = format!(
            "`acl = \"{acl}\"` on `{address}`: anyone on the internet can {what} the data; \
             set `acl = \"private\"` and publish through a CDN if it must be public"
        );
        let fix = Fix::single(
            "Set `acl = \"private\"`",
            Applicability::Unsafe,
            Edit::replace(attribute.value.range, "\"private\""),
        );
        let diagnostic = ctx.diagnostic(attribute.range, message).with_fix(fix);
        ctx.report(diagnostic);
    }
    module_inputs::check(ctx, S3PublicAcl::META.code.id);
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/s3-public-acl/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/s3-public-acl/quiet.tf");
    }
}

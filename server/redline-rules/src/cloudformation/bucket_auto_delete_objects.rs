use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use super::all_resources;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `Custom::S3AutoDeleteObjects` resource: the custom resource the AWS CDK generates for
    /// `new s3.Bucket(this, "B", { autoDeleteObjects: true })`.
    ///
    /// ## Why it matters
    /// CloudFormation refuses to delete a bucket that still holds objects; that refusal is what
    /// saves the data when a stack or a bucket is deleted by mistake.
    /// This custom resource empties the bucket first, so the same mistake deletes every object.
    ///
    /// ## Example
    /// ```yaml
    /// ArtifactsAutoDeleteObjectsCustomResource:
    ///   Type: Custom::S3AutoDeleteObjects
    ///   Properties:
    ///     ServiceToken: !GetAtt AutoDeleteObjectsProvider.Arn
    ///     BucketName: !Ref Artifacts
    /// ```
    ///
    /// ## Use instead
    /// Drop `autoDeleteObjects: true` from the CDK bucket and give it
    /// `removalPolicy: RemovalPolicy.RETAIN`, then synthesise again.
    ///
    /// ## Fix safety
    /// There is no automatic fix: the template is generated, so the change belongs in the CDK code.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-CFN-011 -- build cache bucket` on the line above the logical id.
    ///
    /// ## References
    /// - AWS CDK API reference, `aws-s3.Bucket` `autoDeleteObjects`
    BucketAutoDeleteObjects {
        id: "RL-CFN-011", name: "bucket-auto-delete-objects",
        summary: "A custom resource empties an S3 bucket so that deleting it deletes its objects",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::CloudFormation], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for resource in all_resources(file) {
        if resource.resource_type() != Some("Custom::S3AutoDeleteObjects") {
            continue;
        }
        let bucket = resource
            .property("BucketName")
            .and_then(|name| {
                name.as_str().map(str::to_owned).or_else(|| {
                    // `!Ref Bucket` in YAML, `{"Ref": "Bucket"}` in JSON.
                    name.scalar()
                        .filter(|_| name.tag.as_deref() == Some("!Ref"))
                        .map(|scalar| scalar.value.clone())
                        .or_else(|| name.get("Ref").and_then(|r| r.as_str()).map(str::to_owned))
                })
            })
            .map_or_else(
                || "its bucket".to_owned(),
                |name| format!("bucket `{name}`"),
            );
        let message = format!(
            "`{}` empties {bucket} before it is deleted: a stack deletion or a removed bucket \
             then deletes every object instead of failing; remove `autoDeleteObjects` from the \
             CDK bucket and retain it",
            resource.logical_id()
        );
        let range = resource
            .body()
            .get("Type")
            .map_or(resource.entry.key.range, |kind| kind.range);
        let diagnostic = ctx.diagnostic(range, message);
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("cloudformation/bucket-auto-delete-objects/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("cloudformation/bucket-auto-delete-objects/quiet.yaml");
    }
}

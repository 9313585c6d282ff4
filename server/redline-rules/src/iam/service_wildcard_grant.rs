use redline_diagnostics::{Category, Confidence, Severity};

use super::admin_managed_policy::attachments;
use super::{POLICY_FORMATS, actions, service_wildcard};
use crate::data_value::{self, DataValue};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An `Allow` statement that grants a whole service (`"Action": "s3:*"`, `iam:*`) on
    /// `"Resource": "*"`.
    /// It is an error for services that control identity and keys (`iam`, `sts`,
    /// `organizations`, `kms`), a warning for services that hold data or run services
    /// (`s3`, `dynamodb`, `ec2`, `lambda`, …), and info for services whose objects hold only
    /// transient data or none (`logs`, `cloudwatch`, `sqs`, `polly`, …; `docs/severity.md`).
    /// Only identity policies are judged: in a resource policy (a KMS key's, a bucket's, a
    /// queue's) `"Resource": "*"` is the resource itself, and its principals and conditions
    /// are what RL-IAM-008 judges.
    ///
    /// Attaching an AWS-managed full-access policy of such a service is the same grant, and is
    /// reported where it is attached, graded the same way: `AmazonS3FullAccess`,
    /// `AmazonDynamoDBFullAccess`, `AmazonRDSFullAccess`, `AmazonEC2FullAccess`,
    /// `AWSLambda_FullAccess`, `SecretsManagerReadWrite` and the like, read where RL-IAM-012
    /// reads managed policies (Terraform attachments, CloudFormation `ManagedPolicyArns`, SAM
    /// `Policies`).
    /// Narrower managed policies (`AWSLambdaBasicExecutionRole`, `AmazonS3ReadOnlyAccess`) are
    /// not reported.
    ///
    /// ## Why it matters
    /// `svc:*` grants every action the service has today and every action it adds later,
    /// including the ones that delete data or change who may do what.
    /// On every resource of the account, `s3:*` can empty and delete every bucket, and `iam:*`
    /// is the same as full administrator: the holder can grant itself anything.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    /// ```
    ///
    /// ## Use instead
    /// ```json
    /// {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
    ///  "Resource": "arn:aws:s3:::acme-artifacts/*"}
    /// ```
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-002 -- reason` on the line above (Terraform, YAML); an
    /// `[[ignore]]` entry in `redline.toml` for JSON files.
    ///
    /// ## References
    /// - Checkov CKV_AWS_63, CKV2_AWS_40
    /// - Cloudsplaining ServiceWildcard
    ServiceWildcardGrant {
        id: "RL-IAM-002", name: "service-wildcard-grant",
        summary: "An IAM statement allows every action of a service on every resource",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::High,
        formats: POLICY_FORMATS, fix: FixAvailability::None, status: Status::Preview,
    }
}

/// Services whose wildcard is as good as administrator.
const CRITICAL_SERVICES: &[&str] = &["iam", "sts", "organizations", "kms"];

/// AWS-managed policies that grant every action of a service that holds data or runs
/// services on every resource, with that service: attaching one is the grant `service:*` on
/// `"*"` written inline. The administrator-class policies are RL-IAM-012's.
const FULL_ACCESS_POLICIES: &[(&str, &str)] = &[
    ("AmazonS3FullAccess", "s3"),
    ("AmazonDynamoDBFullAccess", "dynamodb"),
    ("AmazonDynamoDBFullAccess_v2", "dynamodb"),
    ("AmazonRDSFullAccess", "rds"),
    ("AmazonRedshiftFullAccess", "redshift"),
    ("AmazonElasticFileSystemFullAccess", "elasticfilesystem"),
    ("AmazonEC2FullAccess", "ec2"),
    ("AWSLambda_FullAccess", "lambda"),
    ("AWSLambdaFullAccess", "lambda"),
    ("AmazonECS_FullAccess", "ecs"),
    ("AmazonElastiCacheFullAccess", "elasticache"),
    ("AmazonDocDBFullAccess", "rds"),
    ("AmazonKinesisFullAccess", "kinesis"),
    ("AmazonSQSFullAccess", "sqs"),
    ("AmazonSNSFullAccess", "sns"),
    ("AWSCloudFormationFullAccess", "cloudformation"),
    ("SecretsManagerReadWrite", "secretsmanager"),
];

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    check_managed_policies(ctx);
    for policy in super::identity_policies(file) {
        for statement in policy.allows() {
            let Some(star) = statement.resource.as_ref().and_then(|r| r.star()) else {
                continue;
            };
            let Some(action) = &statement.action else {
                continue;
            };
            for item in &action.items {
                let Some(service) = service_wildcard(item) else {
                    continue;
                };
                let service = service.to_ascii_lowercase();
                let count = actions::expand(&format!("{service}:*")).len();
                if count == 0 {
                    continue;
                }
                let critical = CRITICAL_SERVICES.contains(&service.as_str());
                let value = data_value::of_service(&service);
                let consequence = if critical {
                    "which is as good as full administrator"
                } else if value >= DataValue::Service {
                    "including the ones that delete data, and any the service adds later"
                } else {
                    "and any the service adds later"
                };
                let message = format!(
                    "{} allows `{service}:*` on every resource: all {count} `{service}` \
                     actions, {consequence}; list the `{service}` actions the principal needs and \
                     scope them to its resources",
                    statement.describe(policy)
                );
                let mut diagnostic = ctx
                    .diagnostic(item.range, message)
                    .with_related(star.range, "every resource is granted here")
                    .with_subject(statement.range);
                if critical {
                    diagnostic.severity = Severity::Error;
                } else if value < DataValue::Service {
                    // `logs:*`, `cloudwatch:*`, `polly:*`: the service holds transient data
                    // or none, so the grant is hygiene.
                    diagnostic.severity = Severity::Info;
                }
                ctx.report(diagnostic);
            }
        }
    }
}

/// Judges the AWS-managed full-access policies the file attaches, graded like the service
/// wildcard they amount to.
fn check_managed_policies(ctx: &mut RuleContext<'_>) {
    for attachment in attachments(ctx.file()) {
        let Some((policy, service)) = FULL_ACCESS_POLICIES
            .iter()
            .find(|(policy, _)| *policy == attachment.name)
        else {
            continue;
        };
        let value = data_value::of_service(service);
        let consequence = if value >= DataValue::Service {
            ", including the ones that delete data"
        } else {
            ""
        };
        let condition = attachment
            .condition
            .as_deref()
            .map(|condition| format!(" {condition}"))
            .unwrap_or_default();
        let message = format!(
            "`{}` attaches the AWS-managed `{policy}` policy{condition}: it allows `{service}:*` \
             on every resource, every `{service}` action{consequence}; attach a policy with \
             the `{service}` actions the principal needs, scoped to its resources",
            attachment.subject
        );
        let mut diagnostic = ctx.diagnostic(attachment.range, message);
        if value < DataValue::Service {
            diagnostic.severity = Severity::Info;
        }
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("iam/service-wildcard-grant/fires.json"));
        check_fixture("iam/service-wildcard-grant/fires.tf");
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("iam/service-wildcard-grant/quiet.json"));
        check_fixture("iam/service-wildcard-grant/quiet.tf");
    }

    #[test]
    fn managed_policies_cloudformation() {
        check_fixture("iam/service-wildcard-grant/fires.yaml");
        check_fixture("iam/service-wildcard-grant/quiet.yaml");
    }
}

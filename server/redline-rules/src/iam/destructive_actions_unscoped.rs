use redline_diagnostics::{Category, Confidence, Severity};

use super::{POLICY_FORMATS, report_graded_actions};
use crate::data_value::{self, DataValue};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An `Allow` statement without conditions that grants destructive actions on
    /// `"Resource": "*"`: any `Delete*`, `BatchDelete*` or `Terminate*` action
    /// (`rds:DeleteDBInstance`, `s3:DeleteBucket`, `cloudformation:DeleteStack`,
    /// `ecr:BatchDeleteImage`, `ec2:TerminateInstances`, …), plus
    /// `kms:ScheduleKeyDeletion`, `kms:DisableKey` and `s3:PutLifecycleConfiguration`.
    /// Wildcards (`ec2:Delete*`, `*:Delete*`) are expanded against the AWS action catalog.
    /// Whole-service wildcards (`rds:*`) are RL-IAM-002's.
    ///
    /// Actions are graded by what they delete (`docs/severity.md`): deleting data (tables and
    /// their items, buckets and objects, volumes, snapshots, file systems, keys, secrets) or
    /// running services (instances, functions, load balancers, clusters, stacks) is a
    /// warning; deleting objects that hold nothing or only transient data (network
    /// interfaces, log deliveries, EventBridge rules, SES templates, listener rules, health
    /// checks, queues, log groups) is info.
    /// Only identity policies are judged: in a resource policy (a KMS key's, a bucket's, a
    /// queue's) `"Resource": "*"` is the resource itself, and its principals and conditions
    /// are what RL-IAM-008 judges.
    ///
    /// ## Why it matters
    /// A role that may delete every database, bucket and stack in the account needs only one
    /// mistaken "delete and recreate" (by a person, a script or a coding agent) to cause an
    /// outage, and no second person has to agree.
    ///
    /// ## Example
    /// ```json
    /// {"Effect": "Allow", "Action": ["rds:DeleteDBInstance", "ec2:TerminateInstances"],
    ///  "Resource": "*"}
    /// ```
    ///
    /// ## Use instead
    /// Scope destructive actions to the resources the role owns, or move them to a separate
    /// break-glass role:
    /// ```json
    /// {"Effect": "Allow", "Action": "ec2:TerminateInstances",
    ///  "Resource": "arn:aws:ec2:*:111122223333:instance/*",
    ///  "Condition": {"StringEquals": {"aws:ResourceTag/env": "sandbox"}}}
    /// ```
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-013 -- reason` on the line above (Terraform, YAML); an
    /// `[[ignore]]` entry in `redline.toml` for JSON files.
    ///
    /// ## References
    /// - Cloudsplaining InfrastructureModification
    DestructiveActionsUnscoped {
        id: "RL-IAM-013", name: "destructive-actions-unscoped",
        summary: "An IAM statement allows destructive actions on every resource",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::High,
        formats: POLICY_FORMATS, fix: FixAvailability::None, status: Status::Preview,
    }
}

/// Destructive actions whose names do not start with `Delete`, `BatchDelete` or `Terminate`.
const DESTRUCTIVE: &[&str] = &[
    // Starts the countdown to deleting a key, and with it every object encrypted by it.
    "kms:schedulekeydeletion",
    "kms:disablekey",
    // A lifecycle rule can expire every object of a bucket.
    "s3:putlifecycleconfiguration",
];

/// Whether an action deletes or destroys.
pub(crate) fn is_destructive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let action = lower.split_once(':').map_or("", |(_, action)| action);
    action.starts_with("delete")
        || action.starts_with("batchdelete")
        || action.starts_with("terminate")
        || DESTRUCTIVE.contains(&lower.as_str())
}

fn check(ctx: &mut RuleContext<'_>) {
    report_graded_actions(
        ctx,
        |action| is_destructive(action.name),
        "the holder can destroy any such resource in \
         the account, production included; scope `Resource` to the ARNs the role \
         owns or move the action to a separate break-glass role",
        |actions| {
            // Deleting network interfaces, log deliveries, rules, templates or queues of the
            // whole account loses no data and stops no service: hygiene, not a review.
            let value = actions
                .iter()
                .map(|action| data_value::of_action(action))
                .max();
            (value < Some(DataValue::Service)).then_some(Severity::Info)
        },
    );
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("iam/destructive-actions-unscoped/fires.json"));
        check_fixture("iam/destructive-actions-unscoped/fires.tf");
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("iam/destructive-actions-unscoped/quiet.json"));
        check_fixture("iam/destructive-actions-unscoped/quiet.tf");
    }
}

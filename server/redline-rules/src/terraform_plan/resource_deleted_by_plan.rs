use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::terraform_plan::ChangeKind;

use crate::terraform_plan::{holds_data, plan, severity_for, subject};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A resource that a Terraform plan deletes (`change.actions` is `["delete"]`, or any
    /// other list containing `delete` that is not a replacement).
    /// The finding is an error for resources that hold data (databases, buckets, volumes,
    /// keys, queues, clusters, networks, projects…) and a warning for the rest.
    /// The message names the address and gives Terraform's reason in words: "removed from
    /// configuration", "count index out of range", "its `for_each` key is no longer in the
    /// map", "its module call was removed"…
    /// Replacements are RL-TFP-002's, and data sources are never reported.
    ///
    /// ## Why it matters
    /// The plan is the last point at which a deletion can be stopped.
    /// Most unintended deletions come from refactoring: a renamed block, a module moved, a
    /// list that shifted its `count` indexes, and the plan's long output hides the one line
    /// that destroys a database.
    ///
    /// ## Example
    /// ```json
    /// {"address": "aws_db_instance.main", "type": "aws_db_instance",
    ///  "change": {"actions": ["delete"]},
    ///  "action_reason": "delete_because_no_resource_config"}
    /// ```
    ///
    /// ## Use instead
    /// If the resource was renamed or moved, declare it so that Terraform keeps the object:
    /// ```hcl
    /// moved {
    ///   from = aws_db_instance.main
    ///   to   = module.db.aws_db_instance.main
    /// }
    /// ```
    /// To stop managing it without destroying it (Terraform 1.7 or later):
    /// ```hcl
    /// removed {
    ///   from = aws_db_instance.main
    ///   lifecycle {
    ///     destroy = false
    ///   }
    /// }
    /// ```
    ///
    /// ## Suppression
    /// Plan files have no comments: when the deletion is intended and reviewed, add an
    /// `[[ignore]]` entry for the plan's path to `redline.toml`, or run with
    /// `--severity error` to see only deletions of resources that hold data.
    ///
    /// ## References
    /// - Terraform, "JSON Output Format", `resource_changes[].change.actions` and
    ///   `action_reason`
    /// - Terraform language, `moved` and `removed` blocks
    ResourceDeletedByPlan {
        id: "RL-TFP-001", name: "resource-deleted-by-plan",
        summary: "A Terraform plan deletes a resource",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::TerraformPlan], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    let Some(plan) = plan(file) else {
        return;
    };
    for change in &plan.resource_changes {
        if !change.is_managed()
            || !matches!(change.kind(), ChangeKind::Delete | ChangeKind::OtherDelete)
        {
            continue;
        }
        let reason = match change.reason_in_words() {
            Some(reason) => reason,
            None if change.deposed.is_some() => "deposed objects are always destroyed".to_owned(),
            None => "no reason recorded, as in a destroy plan".to_owned(),
        };
        let advice = match change.action_reason {
            Some(
                "delete_because_no_resource_config"
                | "delete_because_no_module"
                | "delete_because_wrong_repetition"
                | "delete_because_count_index"
                | "delete_because_each_key"
                | "delete_because_no_move_target",
            ) => {
                "if it was renamed or moved, add a `moved` block; to keep the object but stop \
                 managing it, add a `removed` block with `destroy = false`"
            }
            _ => "make sure a second person has reviewed this deletion before applying",
        };
        let message = format!(
            "the plan deletes {}{} ({reason}); {advice}",
            subject(change),
            holds_data(change).trim_end_matches(',')
        );
        let mut diagnostic = ctx.diagnostic(change.range, message);
        diagnostic.severity = severity_for(change);
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture(
            "terraform_plan/resource-deleted-by-plan/fires.json"
        ));
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture(
            "terraform_plan/resource-deleted-by-plan/quiet.json"
        ));
    }
}

use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::terraform_plan::ChangeKind;

use crate::terraform_plan::causes::{cascade, causes};
use crate::terraform_plan::{holds_data, plan, severity_for, subject};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A resource that a Terraform plan replaces: destroys and creates again, either
    /// destroy-first (`["delete", "create"]`) or create-first with `create_before_destroy`
    /// (`["create", "delete"]`).
    /// The finding is an error for resources that hold data and a warning for the rest.
    /// The message gives the reason in words and the attributes that force the replacement
    /// (`change.replace_paths`): "`engine` changed, which forces replacement", "the object is
    /// tainted", "replacement was requested with `-replace`"…
    ///
    /// When the plan has a `configuration` section, replacements are grouped by their root
    /// change.
    /// A replacement whose every forcing attribute reads another replaced object
    /// (`aws_subnet.a`'s `vpc_id` reads `aws_vpc.main.id`) is caused by that object: its own
    /// finding is an info that names the cause.
    /// The finding on the root names the cascade ("replacing `aws_vpc.main` also replaces
    /// 2 resources: …"), points at each dependent's entry, and is an error when a dependent
    /// holds data.
    /// Plans without a `configuration` section get one finding per replacement.
    ///
    /// ## Why it matters
    /// A replaced database, bucket or volume is a new, empty one: the data of the old object
    /// goes with it unless it is restored from a snapshot.
    /// Replacement is decided by the provider at plan time, so an innocent-looking edit
    /// (an engine name, an availability zone, a subnet group) is enough to trigger it.
    ///
    /// ## Example
    /// ```json
    /// {"address": "aws_db_instance.main", "type": "aws_db_instance",
    ///  "change": {"actions": ["delete", "create"], "replace_paths": [["engine"]]},
    ///  "action_reason": "replace_because_cannot_update"}
    /// ```
    ///
    /// ## Use instead
    /// Revert the attribute named in the message, or plan the migration explicitly (snapshot,
    /// restore into a new resource, switch over), and keep `lifecycle { prevent_destroy = true }`
    /// on data stores so that such a plan fails.
    ///
    /// ## Suppression
    /// Plan files have no comments: add an `[[ignore]]` entry for the plan's path to
    /// `redline.toml` once the replacement is reviewed.
    ///
    /// ## References
    /// - Terraform, "JSON Output Format", `change.replace_paths` and `action_reason`
    ResourceReplacedByPlan {
        id: "RL-TFP-002", name: "resource-replaced-by-plan",
        summary: "A Terraform plan destroys and re-creates a resource",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::TerraformPlan], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    let Some(plan) = plan(file) else {
        return;
    };
    let causes = causes(&plan, &file.text);
    for (index, change) in plan.resource_changes.iter().enumerate() {
        if !change.is_managed() {
            continue;
        }
        let order = match change.kind() {
            ChangeKind::DeleteThenCreate => "destroying it before creating the new object",
            ChangeKind::CreateThenDelete => {
                "creating the new object before destroying the old one (`create_before_destroy`)"
            }
            _ => continue,
        };
        let reason = match change.reason_in_words() {
            Some(reason) => reason,
            None if !change.replace_paths.is_empty() => format!(
                "{} changed, which forces replacement",
                redline_syntax::terraform_plan::quoted_list(&change.replace_paths)
            ),
            None => "the provider cannot update it in place".to_owned(),
        };
        let data = if holds_data(change).is_empty() {
            ""
        } else {
            "; the data in the old object is lost unless restored from a snapshot"
        };
        if let Some(cause) = &causes[index] {
            // The root's finding names this replacement in its cascade; this one says why it
            // happens and stays quiet, so that a plan reads as its root changes.
            let parent = &plan.resource_changes[cause.parent];
            let root = &plan.resource_changes[cause.root];
            let in_cascade = if cause.root == cause.parent {
                String::new()
            } else {
                format!(", in the cascade of `{}`", root.address)
            };
            let message = format!(
                "the plan replaces {} because `{}` is replaced{in_cascade}: its `{}` reads \
                 `{}`, which forces replacement{data}; the finding on `{}` covers the whole \
                 cascade",
                subject(change),
                parent.address,
                cause.attribute,
                cause.via,
                root.address,
            );
            let mut diagnostic = ctx.diagnostic(change.range, message).with_related(
                root.range,
                format!("`{}` is the root replacement", root.address),
            );
            diagnostic.severity = Severity::Info;
            ctx.report(diagnostic);
            continue;
        }
        let cascade = cascade(&plan, &causes, index);
        let message = format!(
            "the plan replaces {} ({reason}), {order}{data}",
            subject(change)
        );
        let mut diagnostic = ctx.diagnostic(change.range, message);
        diagnostic.severity = severity_for(change);
        if !cascade.replaced.is_empty() {
            // Data lost in the cascade is lost because of this change.
            if cascade.replaced.iter().any(|affected| affected.holds_data) {
                diagnostic.severity = Severity::Error;
            }
            diagnostic = cascade.apply(diagnostic, file.path);
        }
        diagnostic.message.push_str(
            "; revert the change that forces it, or plan the migration and have it reviewed",
        );
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture(
            "terraform_plan/resource-replaced-by-plan/fires.json"
        ));
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture(
            "terraform_plan/resource-replaced-by-plan/quiet.json"
        ));
    }

    #[test]
    fn cascade_from_configuration() {
        insta::assert_snapshot!(check_fixture(
            "terraform_plan/resource-replaced-by-plan/fires.cascade.json"
        ));
    }

    #[test]
    fn dependent_updated_in_place() {
        insta::assert_snapshot!(check_fixture(
            "terraform_plan/resource-replaced-by-plan/fires.dependent-updated.json"
        ));
    }

    #[test]
    fn replacements_that_read_each_other() {
        insta::assert_snapshot!(check_fixture(
            "terraform_plan/resource-replaced-by-plan/fires.cycle.json"
        ));
    }

    #[test]
    fn terraform_1_0_plan() {
        insta::assert_snapshot!(check_fixture(
            "terraform_plan/resource-replaced-by-plan/fires.terraform-1-0.json"
        ));
    }

    #[test]
    fn opentofu_plan() {
        insta::assert_snapshot!(check_fixture(
            "terraform_plan/resource-replaced-by-plan/fires.opentofu.json"
        ));
    }
}

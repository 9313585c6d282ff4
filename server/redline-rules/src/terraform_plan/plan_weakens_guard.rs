use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::terraform_plan::ResourceChange;
use redline_syntax::value::{Node, NodeKind, ScalarKind};

use crate::terraform::force_destroy_enabled::SWITCHES;
use crate::terraform::protection::{
    DELETION_GUARDS, Guarded, RETENTION_GUARDS, SNAPSHOT_GUARDS, WINDOW_GUARDS,
};
use crate::terraform_plan::{plan, subject};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A change in a Terraform plan whose `before` and `after` values show a guard against
    /// destruction being weakened:
    /// deletion or termination protection turned off (`deletion_protection`,
    /// `deletion_protection_enabled`, `enable_deletion_protection`,
    /// `disable_api_termination`, `termination_protection`, a Cognito pool going
    /// `"INACTIVE"`, a Google project's `deletion_policy` going to `"DELETE"`);
    /// a final snapshot or backup skipped (`skip_final_snapshot`, `skip_final_backup`,
    /// `delete_automated_backups`, `final_snapshot`);
    /// a force-delete switch turned on (`force_destroy`, `force_delete`,
    /// `enforce_consumer_deletion`, `delete_contents_on_destroy`);
    /// a recovery window or backup retention shortened (`deletion_window_in_days`,
    /// `recovery_window_in_days`, `soft_delete_retention_days`, `backup_retention_period`,
    /// `snapshot_retention_limit`); Azure purge protection turned off.
    ///
    /// `lifecycle { prevent_destroy }` is not part of the plan's JSON; RL-TF-007 checks it in
    /// the configuration.
    ///
    /// ## Why it matters
    /// Turning a guard off is the step before a destroy: the next plan, or a script run by
    /// someone else, can then delete the resource without anything refusing.
    /// The change looks like a harmless update in the plan's summary.
    ///
    /// ## Example
    /// ```json
    /// {"address": "aws_db_instance.main", "type": "aws_db_instance",
    ///  "change": {"actions": ["update"],
    ///             "before": {"deletion_protection": true},
    ///             "after": {"deletion_protection": false}}}
    /// ```
    ///
    /// ## Use instead
    /// Keep the guard, and remove it only in its own reviewed change, right before a planned
    /// and approved deletion.
    ///
    /// ## Suppression
    /// Plan files have no comments: add an `[[ignore]]` entry for the plan's path to
    /// `redline.toml` once the change is approved.
    ///
    /// ## References
    /// - Elastic detection rule "AWS RDS DB Instance or Cluster Deletion Protection Disabled"
    PlanWeakensGuard {
        id: "RL-TFP-006", name: "plan-weakens-guard",
        summary: "A plan turns off a guard against destruction",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::TerraformPlan], fix: FixAvailability::None, status: Status::Preview,
    }
}

/// How an attribute weakens.
enum Weakening {
    /// From the first value to the second.
    Becomes(Guarded, Guarded),
    /// The number goes down.
    Lowered,
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    let Some(plan) = plan(file) else {
        return;
    };
    for change in &plan.resource_changes {
        if change.before.is_none() || change.after.is_none() {
            continue;
        }
        if !change.is_managed() || !change.actions.contains(&"update") && !change.is_replace() {
            continue;
        }
        let text = ctx.text();
        for (attribute, weakening) in guards(change.resource_type) {
            let (Some(old), Some(new)) = (
                change.before_attribute(attribute, text),
                change.after_attribute(attribute, text),
            ) else {
                continue;
            };
            if !weakens(&weakening, &old, &new) {
                continue;
            }
            report(ctx, change, attribute, &old, &new);
        }
    }
}

/// Every guard attribute of a resource type and how it weakens.
fn guards(resource_type: &str) -> Vec<(&'static str, Weakening)> {
    let mut res = Vec::new();
    for guard in DELETION_GUARDS
        .iter()
        .filter(|g| g.resource_type == resource_type)
    {
        res.push((
            guard.attribute,
            Weakening::Becomes(guard.protected, guard.unprotected),
        ));
    }
    for guard in SNAPSHOT_GUARDS
        .iter()
        .filter(|g| g.resource_type == resource_type)
    {
        res.push((
            guard.attribute,
            Weakening::Becomes(
                Guarded::Bool(!guard.unsafe_value),
                Guarded::Bool(guard.unsafe_value),
            ),
        ));
    }
    for (_, attribute, _) in SWITCHES
        .iter()
        .filter(|(kind, _, _)| *kind == resource_type)
    {
        res.push((
            *attribute,
            Weakening::Becomes(Guarded::Bool(false), Guarded::Bool(true)),
        ));
    }
    for guard in WINDOW_GUARDS
        .iter()
        .filter(|g| g.resource_type == resource_type)
    {
        res.push((guard.attribute, Weakening::Lowered));
    }
    for (_, attribute) in RETENTION_GUARDS
        .iter()
        .filter(|(kind, _)| *kind == resource_type)
    {
        res.push((*attribute, Weakening::Lowered));
    }
    if resource_type == "azurerm_key_vault" {
        res.push((
            "purge_protection_enabled",
            Weakening::Becomes(Guarded::Bool(true), Guarded::Bool(false)),
        ));
    }
    res
}

fn weakens(weakening: &Weakening, old: &Node, new: &Node) -> bool {
    match weakening {
        Weakening::Becomes(from, to) => matches_value(old, *from) && matches_value(new, *to),
        Weakening::Lowered => match (number(old), number(new)) {
            (Some(old), Some(new)) => new < old,
            _ => false,
        },
    }
}

fn matches_value(node: &Node, expected: Guarded) -> bool {
    match expected {
        Guarded::Bool(expected) => node.as_bool() == Some(expected),
        Guarded::Str(expected) => node.as_str() == Some(expected),
    }
}

fn number(node: &Node) -> Option<f64> {
    match &node.kind {
        NodeKind::Scalar(scalar) if matches!(scalar.kind, ScalarKind::Number) => {
            scalar.value.parse().ok()
        }
        _ => None,
    }
}

fn report(
    ctx: &mut RuleContext<'_>,
    change: &ResourceChange<'_>,
    attribute: &str,
    old: &Node,
    new: &Node,
) {
    let file = ctx.file();
    let old_text = file.slice(old.range).to_owned();
    let new_text = file.slice(new.range).to_owned();
    let message = format!(
        "the plan changes `{attribute}` on {} from {old_text} to {new_text}: this removes a \
         guard against destroying it and its data; keep the guard unless the deletion itself \
         has been reviewed",
        subject(change)
    );
    let diagnostic = ctx
        .diagnostic(change.range, message)
        .with_related(new.range, format!("`{attribute}` after the change"));
    ctx.report(diagnostic);
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture(
            "terraform_plan/plan-weakens-guard/fires.json"
        ));
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture(
            "terraform_plan/plan-weakens-guard/quiet.json"
        ));
    }
}

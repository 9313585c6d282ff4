use std::collections::BTreeSet;

use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use serde::Deserialize;

use crate::terraform::protection::ENVIRONMENT_CONTAINERS;
use crate::terraform_plan::{plan, subject};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Terraform plan whose blast radius is large:
    /// more than `max_destroys` resources (default 5) deleted or replaced in one plan,
    /// reported once at `resource_changes`; and every deletion or replacement of an
    /// environment container, the things that hold everything else (VPCs and subnets, EKS,
    /// ECS, GKE and AKS clusters, Google projects and folders, networks, Azure resource
    /// groups, virtual networks and subscriptions, AWS accounts and organizational units).
    ///
    /// ## Why it matters
    /// "Delete and recreate the environment" is how a small task becomes an outage of hours:
    /// every resource inside the container goes with it, and a plan that destroys dozens of
    /// resources is rarely read line by line.
    /// Such a plan needs a second person's approval and, usually, to be split.
    ///
    /// ## Example
    /// ```json
    /// {"address": "aws_vpc.main", "type": "aws_vpc", "change": {"actions": ["delete"]}}
    /// ```
    ///
    /// ## Use instead
    /// Split the change so that each plan destroys little, use `moved` blocks for
    /// refactoring, and have a second person approve any plan that removes an environment.
    ///
    /// ## Options
    /// ```toml
    /// [rules.RL-TFP-005]
    /// max_destroys = 10                                  # report plans destroying more
    /// extra_containers = ["acme_tenant", "aws_subnet"]   # more container types
    /// ```
    ///
    /// ## Suppression
    /// Plan files have no comments: add an `[[ignore]]` entry for the plan's path to
    /// `redline.toml` for a reviewed teardown.
    ///
    /// ## References
    /// - AWS Kiro incident, December 2025 ("delete and recreate the environment")
    PlanBlastRadius {
        id: "RL-TFP-005", name: "plan-blast-radius",
        summary: "A plan destroys many resources or a whole environment",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::TerraformPlan], fix: FixAvailability::None, status: Status::Preview,
        options: Options,
    }
}

/// Options of `plan-blast-radius`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Options {
    /// Plans destroying more resources than this (deletes plus replacements) are reported.
    #[serde(default = "default_max_destroys")]
    pub max_destroys: usize,
    /// More resource types that hold a whole environment.
    #[serde(default)]
    pub extra_containers: BTreeSet<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            max_destroys: default_max_destroys(),
            extra_containers: BTreeSet::new(),
        }
    }
}

fn default_max_destroys() -> usize {
    5
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    let Some(plan) = plan(file) else {
        return;
    };
    let defaults = Options::default();
    let options = ctx.options::<Options>().unwrap_or(&defaults);
    let destroyed: Vec<_> = plan
        .resource_changes
        .iter()
        .filter(|change| change.is_managed() && change.is_destructive())
        .collect();
    for change in &destroyed {
        let is_container = ENVIRONMENT_CONTAINERS.contains(&change.resource_type)
            || options.extra_containers.contains(change.resource_type);
        if !is_container {
            continue;
        }
        let what = if change.is_replace() {
            "replaces"
        } else {
            "deletes"
        };
        let message = format!(
            "the plan {what} {}, an environment container: everything inside it goes too; \
             split the change and have a second person approve it",
            subject(change)
        );
        let diagnostic = ctx.diagnostic(change.range, message);
        ctx.report(diagnostic);
    }
    if destroyed.len() > options.max_destroys {
        let n_replaced = destroyed
            .iter()
            .filter(|change| change.is_replace())
            .count();
        let n_deleted = destroyed.len() - n_replaced;
        let Some(key) = file
            .documents
            .first()
            .and_then(|root| root.entry("resource_changes"))
        else {
            return;
        };
        let message = format!(
            "the plan destroys {} resources ({n_deleted} deleted, {n_replaced} replaced), more \
             than the {} allowed in one plan: a change this wide is rarely reviewed line by \
             line; split it and have a second person approve it",
            destroyed.len(),
            options.max_destroys
        );
        let diagnostic = ctx.diagnostic(key.key.range, message);
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("terraform_plan/plan-blast-radius/fires.json"));
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("terraform_plan/plan-blast-radius/quiet.json"));
    }
}

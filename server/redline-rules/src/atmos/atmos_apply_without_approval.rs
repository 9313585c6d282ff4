use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::atmos::{self, ATMOS};
use redline_syntax::shell::{Command, program_name};
use redline_text::TextRange;

use crate::shell::catalog::{has_flag, value_options};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An Atmos workflow that applies Terraform changes without showing a plan to anyone:
    /// a step running `terraform deploy <component>` (which applies with `-auto-approve`) or
    /// `terraform apply <component> -auto-approve`, as an Atmos step or as `atmos …` in a
    /// `type: shell` step, unless it applies a saved plan (`--from-plan`, `--planfile`).
    /// One finding per workflow, on its first such step, names every component it applies.
    ///
    /// ## Why it matters
    /// `atmos terraform apply` normally shows the plan and waits for "yes".
    /// `deploy` and `-auto-approve` apply whatever the plan turns out to be, deletions and
    /// replacements included, component after component, while the person who runs the
    /// workflow sees only its name.
    ///
    /// ## Example
    /// ```yaml
    /// workflows:
    ///   deploy-basics:
    ///     steps:
    ///       - command: terraform deploy eks/cert-manager
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// workflows:
    ///   plan-basics:
    ///     steps:
    ///       - command: terraform plan eks/cert-manager
    ///   apply-basics:
    ///     steps:
    ///       - command: terraform deploy eks/cert-manager --from-plan
    /// ```
    /// and have someone review the plans before the second workflow runs, or run
    /// `terraform apply eks/cert-manager` so that Atmos shows each plan and asks.
    ///
    /// ## Fix safety
    /// There is no automatic fix: reviewing plans is a change of process.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAC-106 -- sandbox account only` on the line above the step.
    ///
    /// ## References
    /// - Atmos documentation, "atmos terraform deploy" and "Workflows"
    AtmosApplyWithoutApproval {
        id: "RL-IAC-106", name: "atmos-apply-without-approval",
        summary: "An Atmos workflow applies Terraform changes without showing a plan to anyone",
        category: Category::Approval, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::AtmosWorkflow], fix: FixAvailability::None, status: Status::Preview,
    }
}

/// How many components a message names before it counts the rest.
const NAMED_COMPONENTS: usize = 5;

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for document in &file.documents {
        let steps = atmos::steps(document);
        let mut workflows: Vec<(&str, TextRange, Vec<String>)> = Vec::new();
        for step in &steps {
            for command in atmos::step_commands(step, &file.text) {
                let Some(component) = unreviewed_apply(&command) else {
                    continue;
                };
                let name = step.workflow.as_str().unwrap_or("workflow");
                match workflows.last_mut() {
                    Some((last, _, components)) if *last == name => components.push(component),
                    _ => workflows.push((name, command.range, vec![component])),
                }
            }
        }
        for (name, range, components) in workflows {
            let mut named: Vec<String> = components
                .iter()
                .take(NAMED_COMPONENTS)
                .map(|component| format!("`{component}`"))
                .collect();
            if components.len() > NAMED_COMPONENTS {
                named.push(format!("{} more", components.len() - NAMED_COMPONENTS));
            }
            let message = format!(
                "workflow `{name}` applies Terraform changes to {} with auto-approval \
                 (`terraform deploy` or `apply -auto-approve`): whatever the plans turn out to \
                 be, deletions and replacements included, goes through without anyone seeing \
                 it; plan first and apply the reviewed plans with `--from-plan`, or run \
                 `terraform apply` so that Atmos shows each plan and asks",
                named.join(", ")
            );
            let diagnostic = ctx.diagnostic(range, message);
            ctx.report(diagnostic);
        }
    }
}

/// The component that an `atmos terraform deploy` or `atmos terraform apply -auto-approve`
/// command applies without a saved plan, or `None` for any other command.
fn unreviewed_apply(command: &Command) -> Option<String> {
    let first = command.words.first()?;
    if program_name(&first.text) != ATMOS {
        return None;
    }
    let args = &command.words[1..];
    let options = value_options(ATMOS);
    let mut positionals: Vec<&str> = Vec::new();
    let mut skip_next = false;
    for word in args {
        let text = word.text.as_str();
        if std::mem::take(&mut skip_next) {
            continue;
        }
        if text.starts_with('-') && text.len() > 1 {
            skip_next = !text.contains('=') && options.contains(&text);
            continue;
        }
        positionals.push(text);
    }
    if positionals.first() != Some(&"terraform") {
        return None;
    }
    let saved_plan = ["--from-plan", "-from-plan", "--planfile", "-planfile"]
        .iter()
        .any(|flag| has_flag(args, flag));
    let applies = match positionals.get(1) {
        Some(&"deploy") => true,
        // `apply <component> <planfile>` applies a saved plan.
        Some(&"apply") => {
            (has_flag(args, "-auto-approve") || has_flag(args, "--auto-approve"))
                && positionals.len() <= 3
        }
        _ => false,
    };
    if !applies || saved_plan {
        return None;
    }
    Some(if has_flag(args, "--all") {
        "every component of the stack".to_owned()
    } else {
        positionals.get(2).map_or_else(
            || "a component".to_owned(),
            |component| (*component).to_owned(),
        )
    })
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("atmos/atmos-apply-without-approval/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("atmos/atmos-apply-without-approval/quiet.yaml");
    }
}

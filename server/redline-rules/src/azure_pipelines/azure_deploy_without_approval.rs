use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::embedded::{azure_step_scripts, azure_steps};
use redline_syntax::value::Node;

use crate::shell::deploy_in_script;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An Azure Pipelines job that deploys or destroys (a `script`, `bash`, `pwsh` or Azure CLI
    /// inline script running `terraform apply`, `kubectl apply`, `helm upgrade`, `az deployment
    /// group create`, …, a Terraform task with `command: apply|destroy`, or a deployment task:
    /// `AzureWebApp`, `AzureRmWebAppDeployment`, `AzureFunctionApp`, their container forms, an
    /// ARM template deployment, `Kubernetes` with `command: apply`, `KubernetesManifest`,
    /// `HelmDeploy` with `command: upgrade`, …) when no approval can stop it: a plain `job` instead of a `deployment` job with an `environment`, or a
    /// `deployment` job without `environment`, in a stage with no `ManualValidation` task.
    ///
    /// ## Why it matters
    /// Approvals and checks in Azure DevOps belong to environments, and only deployment jobs
    /// that target an environment wait for them.
    /// A plain job runs its deployment the moment the pipeline reaches it.
    ///
    /// ## Example
    /// ```yaml
    /// jobs:
    ///   - job: deploy
    ///     steps:
    ///       - script: terraform apply -auto-approve
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// jobs:
    ///   - deployment: deploy
    ///     environment: production
    ///     strategy:
    ///       runOnce:
    ///         deploy:
    ///           steps:
    ///             - script: terraform apply tfplan
    /// ```
    /// with approvals configured on the `production` environment.
    ///
    /// ## Fix safety
    /// There is no automatic fix: a deployment job has a different structure.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-ADO-102 -- test subscription` on the line above the job.
    ///
    /// ## References
    /// - Microsoft Learn, "Define approvals and checks"; "ManualValidation task"
    AzureDeployWithoutApproval {
        id: "RL-ADO-102", name: "azure-deploy-without-approval",
        summary: "An Azure Pipelines job deploys or destroys with no environment approval or manual validation",
        category: Category::Approval, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::AzurePipelines], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for document in &file.documents {
        let validated_stages: Vec<&Node> = document
            .get("stages")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter(|stage| has_manual_validation(stage))
            .collect();
        for (job, steps) in azure_steps(document) {
            let in_validated_stage = validated_stages.iter().any(|stage| {
                stage.get("jobs").is_some_and(|jobs| {
                    jobs.items()
                        .iter()
                        .any(|candidate| std::ptr::eq(candidate, job))
                })
            });
            let is_deployment = job.get("deployment").is_some();
            if in_validated_stage || (is_deployment && job.get("environment").is_some()) {
                continue;
            }
            let Some(what) = steps
                .iter()
                .find_map(|step| deploy_in_step(step, &file.text))
            else {
                continue;
            };
            let (range, name) = match job.entry("deployment").or_else(|| job.entry("job")) {
                Some(entry) => (
                    entry.value.range,
                    entry.value.as_str().unwrap_or("job").to_owned(),
                ),
                None => (
                    job.entry("steps")
                        .map_or(job.range, |entry| entry.key.range),
                    "the pipeline's steps".to_owned(),
                ),
            };
            let kind = if is_deployment {
                "deployment job without an `environment`"
            } else {
                "plain job"
            };
            let message = format!(
                "`{name}` runs `{what}` in a {kind}: no environment approval or manual validation \
                 can stop it; make it a `deployment` job with `environment: production` and \
                 configure approvals on that environment"
            );
            let diagnostic = ctx.diagnostic(range, message);
            ctx.report(diagnostic);
        }
    }
}

fn deploy_in_step(step: &Node, text: &str) -> Option<String> {
    if let Some(task) = step.get("task").and_then(Node::as_str) {
        let input = |name: &str| {
            step.get("inputs")
                .and_then(|inputs| inputs.get(name))
                .map(|value| value.as_str().map(str::to_ascii_lowercase))
        };
        let command = input("command").flatten().unwrap_or_default();
        let name = task.split('@').next().unwrap_or(task).to_ascii_lowercase();
        if name.starts_with("terraform") && matches!(command.as_str(), "apply" | "destroy") {
            return Some(format!("terraform {command}"));
        }
        if let Some(what) = deploy_task(task, &name, &command, input("action")) {
            return Some(what);
        }
    }
    azure_step_scripts(step)
        .into_iter()
        .find_map(|script| deploy_in_script(script, text))
}

/// Tasks that deploy to Azure whatever their inputs say (lowercase, without the version).
const DEPLOY_TASKS: &[&str] = &[
    "azureappservicemanage",
    "azurecloudpowershelldeployment",
    "azurecontainerapps",
    "azurefunctionapp",
    "azurefunctionappcontainer",
    "azurefunctiononkubernetes",
    "azuremysqldeployment",
    "azurermwebappdeployment",
    "azurespringcloud",
    "azurestaticwebapp",
    "azurewebapp",
    "azurewebappcontainer",
    "servicefabricdeploy",
    "sqlazuredacpacdeployment",
];

/// What a deployment task does (`AzureWebAppContainer@1`, `Kubernetes@1 apply`), or `None` for a
/// task that deploys nothing. `command` is its `command` input (lowercase, empty when absent),
/// `action` its `action` input: `None` when absent, `Some(None)` when not a literal.
fn deploy_task(
    task: &str,
    name: &str,
    command: &str,
    action: Option<Option<String>>,
) -> Option<String> {
    let deploys = match name {
        _ if DEPLOY_TASKS.contains(&name) => true,
        // An ARM deployment, unless it only selects the resource group.
        "azureresourcegroupdeployment" | "azureresourcemanagertemplatedeployment" => {
            !matches!(&action, Some(Some(action)) if action == "select resource group")
                && !matches!(action, Some(None))
        }
        "kubernetes" => matches!(
            command,
            "apply" | "create" | "delete" | "replace" | "set" | "expose" | "rollout" | "run"
        ),
        // `deploy` is the default action.
        "kubernetesmanifest" => match &action {
            None => true,
            Some(Some(action)) => matches!(
                action.as_str(),
                "deploy" | "delete" | "patch" | "promote" | "reject" | "scale"
            ),
            Some(None) => false,
        },
        "helmdeploy" => matches!(
            command,
            "install" | "upgrade" | "delete" | "uninstall" | "rollback"
        ),
        _ => false,
    };
    if !deploys {
        return None;
    }
    let operation = match name {
        "kubernetes" | "helmdeploy" => command.to_owned(),
        "kubernetesmanifest" => match action {
            Some(Some(action)) => action,
            _ => "deploy".to_owned(),
        },
        _ => String::new(),
    };
    Some(if operation.is_empty() {
        task.to_owned()
    } else {
        format!("{task} {operation}")
    })
}

fn has_manual_validation(stage: &Node) -> bool {
    stage
        .get("jobs")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .any(|job| {
            job.get("steps")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .any(|step| {
                    step.get("task")
                        .and_then(Node::as_str)
                        .is_some_and(|task| task.starts_with("ManualValidation@"))
                })
        })
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("azure_pipelines/azure-deploy-without-approval/fires.yml");
    }

    #[test]
    fn quiet() {
        check_fixture("azure_pipelines/azure-deploy-without-approval/quiet.yml");
    }

    #[test]
    fn fires_template() {
        check_fixture("azure_pipelines/azure-deploy-without-approval/fires-template.yml");
    }

    #[test]
    fn quiet_template() {
        check_fixture("azure_pipelines/azure-deploy-without-approval/quiet-template.yml");
    }
}

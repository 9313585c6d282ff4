pub mod deploy_without_environment;
pub mod deploy_workflow_default_token;
pub mod id_token_write_workflow_level;
pub mod pull_request_target_checkout;
pub mod write_all_permissions;

use redline_syntax::value::Node;
use redline_text::TextRange;

use crate::shell::catalog::DEPLOY_ACTIONS;
use crate::shell::deploy_in_script;

/// Actions that create a throwaway Kubernetes cluster for the job: `uses:` prefixes.
const THROWAWAY_CLUSTER_ACTIONS: &[&str] = &[
    "helm/kind-action",
    "engineerd/setup-kind",
    "container-tools/kind-action",
    "absaoss/k3d-action",
    "nolar/setup-k3d-k3s",
    "medyagh/setup-minikube",
    "manusa/actions-setup-minikube",
    "replicatedhq/replicated-actions/create-cluster",
];

/// Where each job's throwaway cluster is in use: from the step that creates it with an action
/// to the end of the job.
pub(crate) fn throwaway_cluster_spans(file: &redline_syntax::SourceFile<'_>) -> Vec<TextRange> {
    let mut res = Vec::new();
    for document in &file.documents {
        let Some(jobs) = document.get("jobs") else {
            continue;
        };
        for job in jobs.entries() {
            let creating_step = job
                .value
                .get("steps")
                .map(Node::items)
                .unwrap_or_default()
                .iter()
                .find(|step| {
                    step.get("uses")
                        .and_then(Node::as_str)
                        .is_some_and(|action| {
                            let name = action.to_ascii_lowercase();
                            THROWAWAY_CLUSTER_ACTIONS
                                .iter()
                                .any(|prefix| name.starts_with(prefix))
                        })
                });
            if let Some(step) = creating_step {
                res.push(TextRange::new(step.range.start(), job.value.range.end()));
            }
        }
    }
    res
}

/// Commands that create a throwaway Kubernetes cluster for the job.
const THROWAWAY_CLUSTER_COMMANDS: &[&str] = &[
    "kind create cluster",
    "k3d cluster create",
    "minikube start",
];

/// The first deploying command or action of a job, in words.
///
/// Once a step has created a throwaway cluster (kind, k3d, minikube, a test cluster of the
/// job's own), the job's `kubectl` and `helm` commands act on that cluster: there is no
/// environment to approve, so they are not deploys.
pub(crate) fn deploy_in_job(job: &Node, text: &str) -> Option<String> {
    let mut throwaway_cluster = false;
    for step in job.get("steps").map(Node::items).unwrap_or_default() {
        if let Some(action) = step.get("uses").and_then(Node::as_str) {
            let name = action
                .split('@')
                .next()
                .unwrap_or(action)
                .to_ascii_lowercase();
            if DEPLOY_ACTIONS.iter().any(|prefix| name.starts_with(prefix)) {
                return Some(action.to_owned());
            }
            if THROWAWAY_CLUSTER_ACTIONS
                .iter()
                .any(|prefix| name.starts_with(prefix))
            {
                throwaway_cluster = true;
            }
        }
        let Some(run) = step.get("run") else {
            continue;
        };
        if run.as_str().is_some_and(|script| {
            THROWAWAY_CLUSTER_COMMANDS
                .iter()
                .any(|command| script.contains(command))
        }) {
            throwaway_cluster = true;
        }
        if let Some(effect) = deploy_in_script(run, text) {
            let on_cluster = ["kubectl ", "oc ", "helm "]
                .iter()
                .any(|program| effect.starts_with(program));
            if !(throwaway_cluster && on_cluster) {
                return Some(effect);
            }
        }
    }
    None
}

/// The trigger names of a workflow's `on:` (a string, a list or a mapping).
pub(crate) fn triggers(document: &Node) -> Vec<&str> {
    let Some(on) = document.get("on").or_else(|| document.get("true")) else {
        return Vec::new();
    };
    match on.as_str() {
        Some(single) => vec![single],
        None if on.is_mapping() => on
            .entries()
            .iter()
            .filter_map(|entry| entry.key.as_str())
            .collect(),
        None => on.items().iter().filter_map(Node::as_str).collect(),
    }
}

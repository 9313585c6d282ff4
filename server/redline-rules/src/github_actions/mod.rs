pub mod deploy_without_environment;
pub mod deploy_workflow_default_token;
pub mod id_token_write_workflow_level;
pub mod pull_request_target_checkout;
pub mod write_all_permissions;

use redline_syntax::value::Node;

use crate::shell::catalog::DEPLOY_ACTIONS;
use crate::shell::deploy_in_script;

/// The first deploying command or action of a job, in words.
pub(crate) fn deploy_in_job(job: &Node, text: &str) -> Option<String> {
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
        }
        if let Some(effect) = step.get("run").and_then(|run| deploy_in_script(run, text)) {
            return Some(effect);
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

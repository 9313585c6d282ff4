pub mod deploy_without_environment;
pub mod deploy_workflow_default_token;
pub mod id_token_write_workflow_level;
pub mod pull_request_target_checkout;
pub mod write_all_permissions;

use redline_syntax::embedded::yaml_script;
use redline_syntax::shell;
use redline_syntax::value::Node;

use crate::shell::catalog::{DEPLOY_ACTIONS, deploy_effect};

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
        let Some(run) = step.get("run") else {
            continue;
        };
        let Some((script, map)) = yaml_script(run, text) else {
            continue;
        };
        if let Some(effect) = shell::commands(&script, &map)
            .iter()
            .find_map(deploy_effect)
        {
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

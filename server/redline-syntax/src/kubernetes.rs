//! Kubernetes objects: pod specs of workloads and their containers.

use crate::value::Node;

/// The object's `kind`.
pub fn kind(object: &Node) -> Option<&str> {
    object.get("kind").and_then(Node::as_str)
}

/// Every object of a manifest file: each document, and the items of `kind: List` documents.
pub fn objects<D: std::borrow::Borrow<Node>>(documents: &[D]) -> Vec<&Node> {
    let mut res = Vec::new();
    for document in documents {
        let document: &Node = document.borrow();
        if kind(document) == Some("List") {
            res.extend(document.get("items").map(Node::items).unwrap_or_default());
        } else if document.get("kind").is_some() {
            res.push(document);
        }
    }
    res
}

/// The pod spec of a pod or of a workload's pod template.
pub fn pod_spec(object: &Node) -> Option<&Node> {
    let spec = object.get("spec")?;
    match kind(object)? {
        "Pod" => Some(spec),
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "ReplicationController"
        | "Job" => spec.get("template")?.get("spec"),
        "CronJob" => spec
            .get("jobTemplate")?
            .get("spec")?
            .get("template")?
            .get("spec"),
        "PodTemplate" => object.get("template")?.get("spec"),
        _ => None,
    }
}

/// Every container of a pod spec: `containers`, `initContainers` and `ephemeralContainers`.
pub fn containers(pod_spec: &Node) -> Vec<&Node> {
    ["containers", "initContainers", "ephemeralContainers"]
        .iter()
        .filter_map(|key| pod_spec.get(key))
        .flat_map(Node::items)
        .collect()
}

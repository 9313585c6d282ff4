//! Kubernetes objects: pod specs of workloads and their containers.

use crate::value::Node;

/// The object's `kind`.
pub fn kind(object: &Node) -> Option<&str> {
    object.get("kind").and_then(Node::as_str)
}

/// Every object of a manifest file: each document, and the items of `kind: List` documents.
pub fn objects<D: std::borrow::Borrow<Node>>(documents: &[D]) -> Vec<&Node> {
    object_places(documents)
        .into_iter()
        .filter_map(|place| object_at(documents, place))
        .collect()
}

/// Where an object is among a file's documents: the document's index, and the item's index
/// for an item of a `kind: List` document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ObjectPlace {
    document: usize,
    item: Option<usize>,
}

impl ObjectPlace {
    /// The index of the document the object is in.
    pub fn document(self) -> usize {
        self.document
    }
}

/// Where `objects` finds each object, in order.
pub fn object_places<D: std::borrow::Borrow<Node>>(documents: &[D]) -> Vec<ObjectPlace> {
    let mut res = Vec::new();
    for (index, document) in documents.iter().enumerate() {
        let document: &Node = document.borrow();
        if kind(document) == Some("List") {
            let items = document.get("items").map(Node::items).unwrap_or_default();
            res.extend((0..items.len()).map(|item| ObjectPlace {
                document: index,
                item: Some(item),
            }));
        } else if document.get("kind").is_some() {
            res.push(ObjectPlace {
                document: index,
                item: None,
            });
        }
    }
    res
}

/// The object at `place` (from `object_places` of the same documents).
pub fn object_at<D: std::borrow::Borrow<Node>>(
    documents: &[D],
    place: ObjectPlace,
) -> Option<&Node> {
    let document: &Node = documents.get(place.document)?.borrow();
    match place.item {
        None => Some(document),
        Some(item) => document.get("items")?.items().get(item),
    }
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

#[cfg(test)]
mod tests {
    use crate::{SourceHints, parse_source};

    /// The items of a `kind: List` are objects in their place among the documents, a document
    /// without `kind` is none, and the file's kept places give the same objects.
    #[test]
    fn list_items_are_objects_in_order() {
        let text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\nkind: List\nitems:\n- kind: Pod\n  metadata:\n    name: b\n- kind: Service\n  metadata:\n    name: c\n---\nfoo: bar\n---\nkind: Secret\nmetadata:\n  name: d\n";
        let file =
            parse_source("k8s.yaml", text, SourceHints::default()).expect("a YAML file parses");
        let names = |objects: Vec<&crate::value::Node>| -> Vec<String> {
            objects
                .iter()
                .map(|object| {
                    let name = object.get("metadata").and_then(|m| m.get("name"));
                    name.and_then(crate::value::Node::as_str)
                        .unwrap_or("")
                        .to_owned()
                })
                .collect()
        };
        assert_eq!(names(super::objects(&file.documents)), ["a", "b", "c", "d"]);
        assert_eq!(names(file.kubernetes_objects()), ["a", "b", "c", "d"]);
    }
}

//! A CloudFormation (and SAM) template view over the JSON/YAML value model.
//!
//! Intrinsic functions (`!Ref x`, `{"Fn::If": …}`) are values redline cannot know: `is_intrinsic`
//! tells rules to leave them alone.

use crate::value::{Entry, Node, NodeKind};

/// One entry of a template's `Resources` section.
#[derive(Clone, Copy, Debug)]
pub struct Resource<'n> {
    /// The `LogicalId: {…}` entry; its key range points at the logical id.
    pub entry: &'n Entry,
}

/// The resources of a template document, in source order.
pub fn resources(template: &Node) -> Vec<Resource<'_>> {
    template
        .get("Resources")
        .map(|resources| {
            resources
                .entries()
                .iter()
                .filter(|entry| entry.value.is_mapping())
                .map(|entry| Resource { entry })
                .collect()
        })
        .unwrap_or_default()
}

impl<'n> Resource<'n> {
    /// The logical id.
    pub fn logical_id(self) -> &'n str {
        self.entry.key.as_str().unwrap_or("")
    }

    /// The resource body (the mapping with `Type`, `Properties`, …).
    pub fn body(self) -> &'n Node {
        &self.entry.value
    }

    /// The resource type, e.g. `AWS::RDS::DBInstance`.
    pub fn resource_type(self) -> Option<&'n str> {
        self.body().get("Type").and_then(Node::as_str)
    }

    /// The `Properties` mapping, if present.
    pub fn properties(self) -> Option<&'n Node> {
        self.body()
            .get("Properties")
            .filter(|node| node.is_mapping())
    }

    /// A property's value.
    pub fn property(self, name: &str) -> Option<&'n Node> {
        self.properties()
            .and_then(|properties| properties.get(name))
    }

    /// The entry of a resource attribute such as `DeletionPolicy`.
    pub fn attribute(self, name: &str) -> Option<&'n Entry> {
        self.body().entry(name)
    }
}

/// Whether a value is an intrinsic function or a tagged value whose result is unknown.
pub fn is_intrinsic(node: &Node) -> bool {
    if node.is_opaque() {
        return true;
    }
    match &node.kind {
        NodeKind::Mapping(entries) if entries.len() == 1 => entries[0]
            .key
            .as_str()
            .is_some_and(|key| key == "Ref" || key == "Condition" || key.starts_with("Fn::")),
        _ => false,
    }
}

/// The boolean a property holds, accepting CloudFormation's `"true"`/`"false"` strings.
pub fn as_bool(node: &Node) -> Option<bool> {
    if let Some(value) = node.as_bool() {
        return Some(value);
    }
    match node.as_str()?.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

//! Rules for CloudFormation and SAM templates.

pub mod bucket_auto_delete_objects;
mod cascade;
pub mod cfn_deletion_protection_off;
mod create_only;
pub mod create_only_property_changed;
pub mod retain_policy_removed;
pub mod stateful_logical_id_removed;
pub mod stateful_resource_delete_policy;
pub mod stateful_resource_without_retain;

pub use create_only::{cfn_create_only_version, create_only_properties};
use redline_syntax::SourceFile;
use redline_syntax::cloudformation::{Resource, resources};
use redline_syntax::value::{Entry, Node, NodeKind, ScalarKind};

use crate::RuleContext;
use crate::data_value::{self, DataValue};

/// What deleting a resource loses (`crate::data_value`), reading the properties that change
/// it: a database instance that is a member of a cluster holds nothing of its own (the
/// cluster holds the data and the deletion protection), and a secret whose value is written
/// in the template or generated for the stack can be made again.
pub(crate) fn data_value(resource: Resource<'_>) -> DataValue {
    let Some(kind) = resource.resource_type() else {
        return DataValue::None;
    };
    let value = data_value::of(kind);
    match kind {
        "AWS::RDS::DBInstance" | "AWS::DocDB::DBInstance" | "AWS::Neptune::DBInstance"
            if resource.property("DBClusterIdentifier").is_some() =>
        {
            DataValue::None
        }
        "AWS::SecretsManager::Secret"
            if resource.property("GenerateSecretString").is_some()
                || resource.property("SecretString").is_some() =>
        {
            DataValue::Low
        }
        _ => value,
    }
}

/// Whether a resource holds data that its `DeletionPolicy` and `UpdateReplacePolicy` guard:
/// its value, or `None` for a resource that holds nothing and for a bucket (CloudFormation
/// refuses to delete a bucket that still holds objects, so a missing or `Delete` policy cannot
/// lose data by itself).
pub(crate) fn guarded_value(resource: Resource<'_>) -> Option<DataValue> {
    if resource.resource_type() == Some("AWS::S3::Bucket") {
        return None;
    }
    let value = data_value(resource);
    (value >= DataValue::Low && value != DataValue::Service).then_some(value)
}

/// Every resource of every template document of the file.
pub(crate) fn all_resources<'f>(file: &'f SourceFile<'_>) -> Vec<Resource<'f>> {
    file.documents
        .iter()
        .flat_map(|document| resources(document))
        .collect()
}

/// Whether CloudFormation snapshots this resource on deletion when `DeletionPolicy` is absent:
/// RDS clusters, and RDS instances that are not part of a cluster.
pub(crate) fn snapshots_by_default(resource: Resource<'_>) -> bool {
    match resource.resource_type() {
        Some("AWS::RDS::DBCluster") => true,
        Some("AWS::RDS::DBInstance") => resource.property("DBClusterIdentifier").is_none(),
        _ => false,
    }
}

/// Resource types whose `DeletionPolicy`/`UpdateReplacePolicy` may be `Snapshot`; on other
/// types CloudFormation treats `Snapshot` as `Delete`.
pub(crate) const SNAPSHOT_TYPES: &[&str] = &[
    "AWS::EC2::Volume",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Neptune::DBCluster",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
];

/// What happens to a resource's physical resource when CloudFormation deletes or replaces it,
/// weakest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Protection {
    /// Deleted, data and all.
    Delete,
    /// Deleted after a final snapshot.
    Snapshot,
    /// Kept, outside the stack.
    Retain,
}

impl Protection {
    /// The policy value that gives this protection.
    pub(crate) fn policy(self) -> &'static str {
        match self {
            Protection::Delete => "Delete",
            Protection::Snapshot => "Snapshot",
            Protection::Retain => "Retain",
        }
    }
}

/// The protection `attribute` (`DeletionPolicy` or `UpdateReplacePolicy`) gives `resource`,
/// defaults included; `None` when it is not a plain policy name (an `Fn::If`, a typo).
pub(crate) fn protection(resource: Resource<'_>, attribute: &str) -> Option<Protection> {
    let Some(entry) = resource.attribute(attribute) else {
        return Some(
            if attribute == "DeletionPolicy" && snapshots_by_default(resource) {
                Protection::Snapshot
            } else {
                Protection::Delete
            },
        );
    };
    match entry.value.as_str()? {
        "Retain" | "RetainExceptOnCreate" => Some(Protection::Retain),
        "Snapshot" => Some(
            if resource
                .resource_type()
                .is_some_and(|kind| SNAPSHOT_TYPES.contains(&kind))
            {
                Protection::Snapshot
            } else {
                Protection::Delete
            },
        ),
        "Delete" => Some(Protection::Delete),
        _ => None,
    }
}

/// Both sides of an edited template, for rules that judge the edit.
pub(crate) struct TemplateEdit<'f> {
    /// The resources before the edit.
    pub(crate) base: Vec<Resource<'f>>,
    /// The resources after the edit.
    pub(crate) new: Vec<Resource<'f>>,
    /// The `Resources` entry of the new template.
    pub(crate) resources_entry: &'f Entry,
}

impl<'f> TemplateEdit<'f> {
    /// The edit seen by `ctx`: `None` for a snapshot, a new file, or when either side does not
    /// parse cleanly or the new side has no `Resources` section (a template being written, or
    /// a deleted file, which by itself changes no stack).
    pub(crate) fn of(ctx: &RuleContext<'f>) -> Option<Self> {
        let base = ctx.change()?.base?;
        let new = ctx.file();
        if base.first_parse_problem().is_some() || new.first_parse_problem().is_some() {
            return None;
        }
        let resources_entry = new
            .documents
            .iter()
            .find_map(|document| document.entry("Resources"))
            .filter(|entry| entry.value.is_mapping())?;
        Some(Self {
            base: all_resources(base),
            new: all_resources(new),
            resources_entry,
        })
    }

    /// The base resource with the same logical id and type as `resource`.
    pub(crate) fn base_of(&self, resource: Resource<'_>) -> Option<Resource<'f>> {
        self.base.iter().copied().find(|old| {
            old.logical_id() == resource.logical_id()
                && old.resource_type().is_some()
                && old.resource_type() == resource.resource_type()
        })
    }
}

/// The value at a `/`-separated property path, e.g. `KubernetesNetworkConfig/IpFamily`.
pub(crate) fn property_at<'n>(resource: Resource<'n>, path: &str) -> Option<&'n Node> {
    let mut parts = path.split('/');
    let mut node = resource.property(parts.next()?)?;
    for part in parts {
        node = node.get(part)?;
    }
    Some(node)
}

/// A short rendering of a value for messages: the scalar's text, or `…` for anything larger.
pub(crate) fn short_value(node: &Node) -> String {
    match node.scalar() {
        Some(scalar) if scalar.value.chars().count() <= 60 => match &node.tag {
            Some(tag) => format!("`{tag} {}`", scalar.value),
            None => format!("`{}`", scalar.value),
        },
        _ => "a structured value".to_owned(),
    }
}

/// Whether two template values are the same, reading the short form of an intrinsic function
/// (`!Ref Bucket`, `!GetAtt Db.Endpoint.Address`, `!Sub "…"`) as its long form
/// (`{Ref: Bucket}`, `{Fn::GetAtt: [Db, Endpoint.Address]}`, `{Fn::Sub: "…"}`), ignoring the
/// order of mapping keys. Values redline cannot read are never the same.
pub(crate) fn same_template_value(left: &Node, right: &Node) -> bool {
    match (canonical(left), canonical(right)) {
        (Some(left), Some(right)) => left == right,
        _ => false,
    }
}

/// A value in a canonical text form: long-form intrinsics, sorted mapping keys.
fn canonical(node: &Node) -> Option<String> {
    let mut res = String::new();
    write_canonical(node, 0, &mut res).then_some(res)
}

fn write_canonical(node: &Node, depth: usize, out: &mut String) -> bool {
    if depth > redline_syntax::value::MAX_DEPTH {
        return false;
    }
    if let Some(tag) = node.tag.as_deref().and_then(|tag| tag.strip_prefix('!'))
        && !tag.starts_with('!')
    {
        let function = match tag {
            "Ref" | "Condition" => tag.to_owned(),
            _ => format!("Fn::{tag}"),
        };
        out.push('{');
        out.push_str(&quoted(&function));
        out.push(':');
        let untagged = Node {
            tag: None,
            ..node.clone()
        };
        let ok = match untagged.scalar() {
            // `!GetAtt Db.Endpoint.Address` is `[Db, Endpoint.Address]`.
            Some(scalar) if tag == "GetAtt" => match scalar.value.split_once('.') {
                Some((resource, attribute)) => {
                    out.push_str(&format!("[{},{}]", quoted(resource), quoted(attribute)));
                    true
                }
                None => write_canonical(&untagged, depth + 1, out),
            },
            _ => write_canonical(&untagged, depth + 1, out),
        };
        out.push('}');
        return ok;
    }
    match &node.kind {
        NodeKind::Mapping(entries) => {
            let mut parts = Vec::with_capacity(entries.len());
            for entry in entries {
                let Some(key) = entry.key.scalar() else {
                    return false;
                };
                let mut part = quoted(&key.value);
                part.push(':');
                if !write_canonical(&entry.value, depth + 1, &mut part) {
                    return false;
                }
                parts.push(part);
            }
            parts.sort();
            out.push('{');
            out.push_str(&parts.join(","));
            out.push('}');
            true
        }
        NodeKind::Sequence(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                if !write_canonical(item, depth + 1, out) {
                    return false;
                }
            }
            out.push(']');
            true
        }
        NodeKind::Scalar(scalar) => {
            match scalar.kind {
                ScalarKind::Null => out.push_str("null"),
                _ => out.push_str(&quoted(&scalar.value)),
            }
            true
        }
        NodeKind::Unknown => false,
    }
}

fn quoted(text: &str) -> String {
    format!("{text:?}")
}

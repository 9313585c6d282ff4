//! What else goes when an edit deletes a Kubernetes object.
//!
//! Deleting a Namespace deletes every object in it: those the manifests of the edited file
//! or folder place in it (still written or removed with it) are listed, claims and
//! StatefulSets with claim templates as holding data. Deleting a PersistentVolumeClaim
//! leaves the workloads of its namespace that mount it without their volume.

use redline_syntax::SourceFile;
use redline_syntax::value::Node;

use super::{ObjectKey, objects};
use crate::BASE_PREFIX;
use crate::terraform::cascade::{Affected, Cascade, Reason};

/// How many objects one cascade lists at most.
const MAX_AFFECTED: usize = 500;

/// The cascade of deleting the object `key` of `base` (the file before the edit), reading
/// the manifests of `new_files` (the edited folder, or file, after the edit).
pub(crate) fn of_deletion(
    key: &ObjectKey<'_>,
    base: &SourceFile<'_>,
    new_files: &[&SourceFile<'_>],
) -> Option<Cascade> {
    let root = format!("{}/{}", key.kind, key.name);
    let mut res = Cascade::new(&root, true);
    res.noun = ("object", "objects");
    res.fails = "their pods fail to start";
    match key.kind {
        "Namespace" => {
            let mut listed: Vec<(String, Option<String>)> = Vec::new();
            let new_side = new_files.iter().flat_map(|file| {
                objects(file)
                    .into_iter()
                    .map(move |object| (object, file.path.to_owned()))
            });
            let base_side = objects(base)
                .into_iter()
                .map(|object| (object, format!("{BASE_PREFIX}{}", base.path)));
            for (object, path) in new_side.chain(base_side) {
                let Some(other) = ObjectKey::of(object) else {
                    continue;
                };
                if other.namespace != Some(key.name) || res.broken.len() >= MAX_AFFECTED {
                    continue;
                }
                let id = (address(&other), Some(other.group.to_owned()));
                if listed.contains(&id) {
                    continue;
                }
                res.broken.push(Affected {
                    address: id.0.clone(),
                    parent: root.clone(),
                    via: key.name.to_owned(),
                    attribute: "metadata.namespace".to_owned(),
                    reason: Reason::InNamespace,
                    holds_data: holds_data(object),
                    path,
                    range: name_range(object),
                    through: Vec::new(),
                });
                listed.push(id);
            }
        }
        "PersistentVolumeClaim" => {
            for file in new_files {
                for object in objects(file) {
                    let Some(other) = ObjectKey::of(object) else {
                        continue;
                    };
                    if !same_namespace(key.namespace, other.namespace)
                        || res.broken.len() >= MAX_AFFECTED
                    {
                        continue;
                    }
                    if let Some(volume) = mounted_claim(object, key.name) {
                        res.broken.push(Affected {
                            address: address(&other),
                            parent: root.clone(),
                            via: root.clone(),
                            attribute: "volumes.persistentVolumeClaim.claimName".to_owned(),
                            reason: Reason::References,
                            holds_data: false,
                            path: file.path.to_owned(),
                            range: volume.range,
                            through: Vec::new(),
                        });
                    }
                }
            }
        }
        _ => {}
    }
    (!res.is_empty()).then_some(res)
}

/// How many pods of a StatefulSet a cascade lists.
const MAX_ORDINALS: u64 = 10;

/// The cascade of deleting and recreating the StatefulSet `object` (of `path`), which an
/// edit of its claim templates requires: its pods are recreated, and with
/// `persistentVolumeClaimRetentionPolicy.whenDeleted: Delete` its claims are deleted, data
/// and all (by default they are kept and the new pods reattach them).
pub(crate) fn of_recreation(key: &ObjectKey<'_>, object: &Node, path: &str) -> Option<Cascade> {
    if key.kind != "StatefulSet" {
        return None;
    }
    let root = format!("StatefulSet/{}", key.name);
    let mut res = Cascade::new(&root, false);
    res.noun = ("object", "objects");
    let spec = object.get("spec")?;
    let replicas = match spec.get("replicas") {
        None => 1,
        Some(replicas) => replicas
            .scalar()
            .and_then(|scalar| scalar.value.parse::<u64>().ok())?,
    };
    let range = name_range(object);
    for ordinal in 0..replicas.min(MAX_ORDINALS) {
        res.replaced.push(Affected {
            address: format!("Pod/{}-{ordinal}", key.name),
            parent: root.clone(),
            via: "the StatefulSet's pods go with it".to_owned(),
            attribute: "spec.replicas".to_owned(),
            reason: Reason::Recreated,
            holds_data: false,
            path: path.to_owned(),
            range,
            through: Vec::new(),
        });
    }
    let deletes_claims = spec
        .get("persistentVolumeClaimRetentionPolicy")
        .and_then(|policy| policy.get("whenDeleted"))
        .and_then(Node::as_str)
        == Some("Delete");
    if deletes_claims {
        for template in spec
            .get("volumeClaimTemplates")
            .map_or(&[][..], Node::items)
        {
            let Some(claim) = template
                .get("metadata")
                .and_then(|metadata| metadata.get("name"))
                .and_then(Node::as_str)
            else {
                continue;
            };
            for ordinal in 0..replicas.min(MAX_ORDINALS) {
                res.broken.push(Affected {
                    address: format!("PersistentVolumeClaim/{claim}-{}-{ordinal}", key.name),
                    parent: root.clone(),
                    via: key.name.to_owned(),
                    attribute: "persistentVolumeClaimRetentionPolicy.whenDeleted".to_owned(),
                    reason: Reason::InNamespace,
                    holds_data: true,
                    path: path.to_owned(),
                    range,
                    through: Vec::new(),
                });
            }
        }
    }
    (!res.is_empty()).then_some(res)
}

/// `Kind/name`, with the API group after the kind when it is not the core or a built-in
/// group (`ConfigMap.example.com/settings`), as `kubectl` names objects.
fn address(key: &ObjectKey<'_>) -> String {
    if key.group.contains('.') && !key.group.ends_with(".k8s.io") {
        format!("{}.{}/{}", key.kind, key.group, key.name)
    } else {
        format!("{}/{}", key.kind, key.name)
    }
}

/// Whether two objects' namespaces may be the same; a manifest without one may be applied to
/// any.
fn same_namespace(left: Option<&str>, right: Option<&str>) -> bool {
    match (left, right) {
        (Some(left), Some(right)) => left == right,
        _ => true,
    }
}

/// Whether deleting the object loses data: a claim, a volume, or a StatefulSet with claim
/// templates.
fn holds_data(object: &Node) -> bool {
    match object.get("kind").and_then(Node::as_str) {
        Some("PersistentVolumeClaim" | "PersistentVolume") => true,
        Some("StatefulSet") => object
            .get("spec")
            .and_then(|spec| spec.get("volumeClaimTemplates"))
            .is_some_and(|templates| !templates.items().is_empty()),
        _ => false,
    }
}

fn name_range(object: &Node) -> redline_text::TextRange {
    object
        .get("metadata")
        .and_then(|metadata| metadata.get("name"))
        .map_or(object.range, |name| name.range)
}

/// The `claimName` node of a volume of the object's pod spec that mounts `claim`.
fn mounted_claim<'n>(object: &'n Node, claim: &str) -> Option<&'n Node> {
    let spec = object.get("spec")?;
    let pod_spec = match object.get("kind").and_then(Node::as_str)? {
        "Pod" => spec,
        "CronJob" => spec
            .get("jobTemplate")?
            .get("spec")?
            .get("template")?
            .get("spec")?,
        _ => spec.get("template")?.get("spec")?,
    };
    pod_spec.get("volumes")?.items().iter().find_map(|volume| {
        let name = volume.get("persistentVolumeClaim")?.get("claimName")?;
        (name.as_str() == Some(claim)).then_some(name)
    })
}

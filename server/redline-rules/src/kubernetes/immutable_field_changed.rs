use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::value::{Entry, Node};
use redline_text::TextRange;

use super::{ObjectIndex, ObjectKey, cascade, folder_objects, objects, readable_change};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit to a field Kubernetes does not let an existing object change:
    /// - `spec.selector` of a Deployment, ReplicaSet, DaemonSet, StatefulSet or Job;
    /// - `spec.volumeClaimTemplates` and `spec.serviceName` of a StatefulSet;
    /// - `spec.template` of a Job;
    /// - `spec.clusterIP` of a Service (a different address, or a headless service made of a
    ///   normal one);
    /// - `spec.storageClassName`, `spec.volumeName` and `spec.accessModes` of a
    ///   PersistentVolumeClaim, and a smaller storage request.
    ///
    /// The object before the edit is looked up by API group, kind, namespace and name in
    /// every manifest of the folder, so an object moved between files is still compared.
    ///
    /// A changed `volumeClaimTemplates` names what recreating the StatefulSet takes with it:
    /// its pods, and its claims, data and all, when
    /// `persistentVolumeClaimRetentionPolicy.whenDeleted` is `Delete`.
    ///
    /// ## Why it matters
    /// The API server rejects the update, so `kubectl apply` (or the GitOps sync) fails.
    /// The usual way out, deleting the object and creating it again, destroys what it holds:
    /// a deleted claim takes its volume and data with it, a deleted StatefulSet or Deployment
    /// stops its pods, a recreated Service gets a new address.
    /// Agents and humans in a hurry take that way out.
    ///
    /// ## Example
    /// Before:
    /// ```yaml
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: data
    /// spec:
    ///   storageClassName: standard
    /// ```
    /// After:
    /// ```yaml
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: data
    /// spec:
    ///   storageClassName: fast-ssd
    /// ```
    ///
    /// ## Use instead
    /// Revert the field. If the change is needed, create a new object under a new name, move
    /// the traffic or the data to it, then remove the old one. For a StatefulSet whose claim
    /// templates must change, `kubectl delete statefulset <name> --cascade=orphan` keeps its
    /// pods and claims while the new definition is applied.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-003 -- migration plan in RUNBOOK.md` on the line of the finding.
    ///
    /// ## References
    /// - Kubernetes API reference: Deployment, StatefulSet, Job, Service and
    ///   PersistentVolumeClaim field descriptions ("immutable", "cannot be updated")
    /// - Kubernetes documentation, "StatefulSets: Limitations"
    ImmutableFieldChanged {
        id: "RL-K8S-003", name: "immutable-field-changed",
        summary: "An edit changes a Kubernetes field that cannot be updated, so apply fails and recreating destroys the object",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::None, status: Status::Preview,
    }
}

/// How a field is compared.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Compare {
    /// Any difference, the field appearing or disappearing included.
    Any,
    /// Only a value replaced by a different one; a field left out keeps its current value.
    BothSet,
    /// A set of strings, order ignored, when both sides set it.
    Set,
    /// A storage quantity that shrinks.
    Shrink,
    /// A Service's cluster IP: a different address, or `None` (headless) where there was one.
    ClusterIp,
}

/// The immutable fields of a kind, with how to compare them and what recreating costs.
fn immutable_fields(key: &ObjectKey<'_>) -> &'static [(&'static [&'static str], Compare)] {
    const SELECTOR: &[&str] = &["spec", "selector"];
    match (key.group, key.kind) {
        ("apps" | "extensions", "Deployment" | "ReplicaSet" | "DaemonSet") => {
            &[(SELECTOR, Compare::Any)]
        }
        ("apps", "StatefulSet") => &[
            (SELECTOR, Compare::Any),
            (&["spec", "volumeClaimTemplates"], Compare::Any),
            (&["spec", "serviceName"], Compare::Any),
        ],
        ("batch", "Job") => &[
            (SELECTOR, Compare::BothSet),
            (&["spec", "template"], Compare::Any),
        ],
        ("", "Service") => &[(&["spec", "clusterIP"], Compare::ClusterIp)],
        ("", "PersistentVolumeClaim") => &[
            (&["spec", "storageClassName"], Compare::BothSet),
            // A claim is bound to its volume for good: it cannot be pointed at another one.
            (&["spec", "volumeName"], Compare::BothSet),
            (&["spec", "accessModes"], Compare::Set),
            (
                &["spec", "resources", "requests", "storage"],
                Compare::Shrink,
            ),
        ],
        _ => &[],
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    let Some((change, base)) = readable_change(ctx.change(), file) else {
        return;
    };
    let Some(before) = folder_objects(change.folder_base, Some(base)) else {
        return;
    };
    let before = ObjectIndex::new(
        before
            .into_iter()
            .filter_map(|object| ObjectKey::of(object).map(|key| (key, object))),
    );
    for object in objects(file) {
        let Some(key) = ObjectKey::of(object) else {
            continue;
        };
        let Some(old) = before.find(&key).copied() else {
            continue;
        };
        for (path, compare) in immutable_fields(&key) {
            let old_value = value_at(old, path);
            let new_entry = entry_at(object, path);
            let new_value = new_entry.map(|entry| &entry.value);
            if !changed(*compare, old_value, new_value) {
                continue;
            }
            let field = path.join(".");
            let what = match compare {
                Compare::Shrink => format!("shrinks `{field}`"),
                _ => format!("changes `{field}`"),
            };
            let (consequence, severity) = recreate_cost(key.kind);
            let message = format!(
                "the edit {what} of {}, which cannot be updated: the API server rejects it and \
                 `kubectl apply` fails; deleting and recreating the object instead {consequence}; \
                 revert the field, or create a new object under a new name and migrate to it",
                key.describe()
            );
            let range = new_entry.map_or_else(|| name_range(object), |entry| entry.key.range);
            let mut diagnostic = ctx.diagnostic(range, message);
            diagnostic.severity = severity;
            if path.first() == Some(&"spec")
                && path.get(1) == Some(&"volumeClaimTemplates")
                && let Some(cascade) = cascade::of_recreation(&key, object, file.path)
            {
                diagnostic = cascade.apply(diagnostic, file.path);
            }
            ctx.report(diagnostic);
        }
    }
}

/// Whether the field differs in a way the API server rejects.
fn changed(compare: Compare, old: Option<&Node>, new: Option<&Node>) -> bool {
    let (old, new) = match (compare, old, new) {
        (_, None, None) => return false,
        (Compare::Any, Some(old), Some(new)) => return !old.same_value(new),
        (Compare::Any, _, _) => return true,
        (Compare::ClusterIp, None, Some(new)) => return new.as_str() == Some("None"),
        (_, Some(old), Some(new)) => (old, new),
        _ => return false,
    };
    match compare {
        Compare::Set => {
            let strings = |node: &Node| -> Option<Vec<String>> {
                let mut res = node
                    .one_or_many()
                    .into_iter()
                    .map(|item| item.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()?;
                res.sort();
                res.dedup();
                Some(res)
            };
            matches!((strings(old), strings(new)), (Some(old), Some(new)) if old != new)
        }
        Compare::Shrink => match (quantity(old), quantity(new)) {
            (Some(old), Some(new)) => new < old,
            _ => false,
        },
        Compare::ClusterIp => match (old.as_str(), new.as_str()) {
            // An empty value asks for an address to be allocated: the current one stays.
            (Some(old), Some(new)) => !new.is_empty() && old != new,
            _ => false,
        },
        Compare::Any | Compare::BothSet => {
            !old.is_opaque() && !new.is_opaque() && !old.same_value(new)
        }
    }
}

/// What deleting and recreating an object of this kind destroys, and how bad that is.
fn recreate_cost(kind: &str) -> (&'static str, Severity) {
    match kind {
        "PersistentVolumeClaim" => (
            "deletes the claim and, with the usual `Delete` reclaim policy, its volume and data",
            Severity::Error,
        ),
        "StatefulSet" => (
            "stops the pods and the service they run (the claims stay behind; `kubectl delete \
             statefulset --cascade=orphan` keeps the pods running while it is recreated)",
            Severity::Error,
        ),
        "Service" => (
            "gives the service a new address, breaking clients that use the old one",
            Severity::Warning,
        ),
        "Job" => ("runs the job again", Severity::Warning),
        _ => (
            "stops its pods until the new ones are ready",
            Severity::Warning,
        ),
    }
}

/// A storage quantity in bytes (`100Gi`, `1T`, `500M`, `1073741824`); `None` for anything
/// else.
fn quantity(node: &Node) -> Option<f64> {
    let text = node.scalar()?.value.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, suffix) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "Ki" => 1024.0,
        "Mi" => 1024.0 * 1024.0,
        "Gi" => 1024.0 * 1024.0 * 1024.0,
        "Ti" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        "Pi" => 1024.0 * 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    Some(number * factor)
}

fn value_at<'n>(object: &'n Node, path: &[&str]) -> Option<&'n Node> {
    entry_at(object, path).map(|entry| &entry.value)
}

fn entry_at<'n>(object: &'n Node, path: &[&str]) -> Option<&'n Entry> {
    let (last, parents) = path.split_last()?;
    let mut node = object;
    for part in parents {
        node = node.get(part)?;
    }
    node.entry(last)
}

/// The object's name, where a finding about a field that is gone points.
fn name_range(object: &Node) -> TextRange {
    object
        .get("metadata")
        .and_then(|metadata| metadata.get("name"))
        .or_else(|| object.get("kind"))
        .map_or(object.range, |node| node.range)
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    use super::*;

    #[test]
    fn fires() {
        check_fixture("kubernetes/immutable-field-changed/fires.yaml");
    }

    #[test]
    fn cascade() {
        check_fixture("kubernetes/immutable-field-changed/cascade.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/immutable-field-changed/quiet.yaml");
    }

    #[test]
    fn quantities() {
        let parse = |text: &str| {
            let node = Node::new(
                TextRange::default(),
                redline_syntax::value::NodeKind::Scalar(redline_syntax::value::Scalar {
                    value: text.to_owned(),
                    kind: redline_syntax::value::ScalarKind::String { quoted: false },
                }),
            );
            quantity(&node)
        };
        assert!(parse("100Gi") > parse("100G"));
        assert!(parse("1Ti") > parse("900Gi"));
        assert_eq!(parse("2"), Some(2.0));
        assert_eq!(parse("lots"), None);
    }
}

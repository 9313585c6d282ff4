//! Rules for Kubernetes manifests, including Argo CD and Flux objects.

pub mod argocd_allow_empty;
pub mod argocd_auto_prune;
pub mod argocd_project_wildcards;
pub mod binding_to_all_users;
mod cascade;
pub mod cluster_admin_binding;
pub mod dangerous_capabilities;
pub mod flux_force_recreate;
pub mod host_namespaces;
pub mod host_path_mount;
pub mod immutable_field_changed;
pub mod manifest_object_removed;
pub mod pod_exec_access;
pub mod privilege_escalation_allowed;
pub mod privileged_container;
pub mod rbac_escalation_verbs;
pub mod rbac_wildcard;
pub mod runs_as_root;
pub mod secrets_read_cluster_wide;
pub mod stateful_object_hook_deleted;
pub mod volume_reclaim_delete;

use redline_syntax::value::{Entry, Node, NodeKind};
use redline_syntax::{Format, SourceFile};

use crate::{Change, RuleContext};

pub(crate) use redline_syntax::kubernetes::{containers, kind, pod_spec};

/// Every object of the file: each document, and the items of `kind: List` documents; in a
/// CloudFormation template, the manifests its custom resources apply.
pub(crate) fn objects<'f>(file: &'f SourceFile<'_>) -> Vec<&'f Node> {
    if file.format == Format::CloudFormation {
        return embedded_manifests(file);
    }
    file.kubernetes_objects()
}

/// The objects a rule judges: those of the documents it runs on (see
/// `RuleContext::kubernetes_objects`); in a CloudFormation template, the manifests its custom
/// resources apply.
pub(crate) fn judged_objects<'a>(ctx: &RuleContext<'a>) -> Vec<&'a Node> {
    if ctx.file().format == Format::CloudFormation {
        return embedded_manifests(ctx.file());
    }
    ctx.kubernetes_objects()
}

/// The Kubernetes manifests written as a map in the `Manifest` property of a CloudFormation
/// custom resource (`Custom::KubeManifest` and the like), which a function applies to a
/// cluster when the stack deploys. A manifest written as a string is not read.
fn embedded_manifests<'f>(file: &'f SourceFile<'_>) -> Vec<&'f Node> {
    let mut res = Vec::new();
    for resource in crate::cloudformation::all_resources(file) {
        if !resource
            .resource_type()
            .is_some_and(|kind| kind.starts_with("Custom::"))
        {
            continue;
        }
        let Some(manifest) = resource.property("Manifest") else {
            continue;
        };
        if manifest.is_mapping() && manifest.get("apiVersion").is_some() {
            res.extend(redline_syntax::kubernetes::objects(std::slice::from_ref(
                manifest,
            )));
        }
    }
    res
}

/// The object's `apiVersion` group, e.g. `argoproj.io` for `argoproj.io/v1alpha1`.
pub(crate) fn api_group(object: &Node) -> &str {
    object
        .get("apiVersion")
        .and_then(Node::as_str)
        .and_then(|version| version.split_once('/'))
        .map_or("", |(group, _)| group)
}

/// `Kind `name`` for messages.
pub(crate) fn describe(object: &Node) -> String {
    let name = object
        .get("metadata")
        .and_then(|metadata| metadata.get("name"));
    format!(
        "{} `{}`",
        kind(object).unwrap_or("object"),
        shown_name(name)
    )
}

/// `container `name``.
pub(crate) fn describe_container(container: &Node) -> String {
    format!("container `{}`", shown_name(container.get("name")))
}

/// A name for messages: its text, `{{ … }}` for one that a template action gives, or
/// `(unnamed)`.
fn shown_name(name: Option<&Node>) -> &str {
    match name {
        Some(name) if matches!(name.kind, NodeKind::Unknown) => "{{ … }}",
        Some(name) => name.as_str().unwrap_or("(unnamed)"),
        None => "(unnamed)",
    }
}

/// Every container of every pod template the rule judges whose `securityContext` sets `key` to
/// `true`, with its object and the entry.
pub(crate) fn containers_with_true<'a>(
    ctx: &RuleContext<'a>,
    key: &str,
) -> Vec<(&'a Node, &'a Node, &'a Entry)> {
    let mut res = Vec::new();
    for object in judged_objects(ctx) {
        let Some(spec) = pod_spec(object) else {
            continue;
        };
        for container in containers(spec) {
            if let Some(entry) = container
                .get("securityContext")
                .and_then(|context| true_entry(context, key))
            {
                res.push((object, container, entry));
            }
        }
    }
    res
}

/// The `rules` entries of a Role or ClusterRole.
pub(crate) fn role_rules(object: &Node) -> Vec<&Node> {
    match kind(object) {
        Some("Role" | "ClusterRole") => object
            .get("rules")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The string items of a list field of an RBAC rule (`verbs`, `resources`, `apiGroups`).
pub(crate) fn list_items<'n>(rule: &'n Node, field: &str) -> Vec<(&'n Node, &'n str)> {
    rule.get(field)
        .map(Node::one_or_many)
        .unwrap_or_default()
        .into_iter()
        .filter_map(|item| item.as_str().map(|text| (item, text)))
        .collect()
}

/// The entry `key` of `node` when its value is the boolean `true`.
pub(crate) fn true_entry<'n>(node: &'n Node, key: &str) -> Option<&'n Entry> {
    node.entry(key)
        .filter(|entry| entry.value.as_bool() == Some(true))
}

/// The application spec of an Argo CD `Application`, or the template spec of an
/// `ApplicationSet`.
pub(crate) fn argocd_app_spec(object: &Node) -> Option<&Node> {
    if api_group(object) != "argoproj.io" {
        return None;
    }
    match kind(object)? {
        "Application" => object.get("spec"),
        "ApplicationSet" => object.get("spec")?.get("template")?.get("spec"),
        _ => None,
    }
}

/// Whether an Argo CD application deploys to something that looks like production.
pub(crate) fn targets_production(object: &Node, app_spec: &Node) -> bool {
    let destination = app_spec.get("destination");
    let mut names: Vec<&str> = ["namespace", "server", "name"]
        .iter()
        .filter_map(|key| destination.and_then(|d| d.get(key)).and_then(Node::as_str))
        .collect();
    if let Some(name) = object
        .get("metadata")
        .and_then(|metadata| metadata.get("name"))
        .and_then(Node::as_str)
    {
        names.push(name);
    }
    names.into_iter().any(crate::looks_like_production)
}

/// What identifies an object in a cluster: API group, kind, namespace and name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ObjectKey<'n> {
    /// The API group, `""` for the core group.
    pub(crate) group: &'n str,
    /// The kind.
    pub(crate) kind: &'n str,
    /// `metadata.namespace`; `None` when the manifest leaves it to `kubectl -n` or the tool.
    pub(crate) namespace: Option<&'n str>,
    /// `metadata.name`.
    pub(crate) name: &'n str,
}

impl<'n> ObjectKey<'n> {
    /// The key of an object, or `None` without a kind or a literal name (`generateName`).
    pub(crate) fn of(object: &'n Node) -> Option<Self> {
        let metadata = object.get("metadata")?;
        Some(Self {
            group: api_group(object),
            kind: kind(object)?,
            namespace: metadata.get("namespace").and_then(Node::as_str),
            name: metadata.get("name").and_then(Node::as_str)?,
        })
    }

    /// Whether both keys may name the same object. A manifest without a namespace is applied
    /// to whatever namespace the tool chooses, so it matches any namespace.
    pub(crate) fn matches(&self, other: &ObjectKey<'_>) -> bool {
        self.group == other.group
            && self.kind == other.kind
            && self.name == other.name
            && match (self.namespace, other.namespace) {
                (Some(left), Some(right)) => left == right,
                _ => true,
            }
    }

    /// `Kind `name`` with the namespace when the manifest gives one, for messages.
    pub(crate) fn describe(&self) -> String {
        match self.namespace {
            Some(namespace) => format!("{} `{}` in namespace `{namespace}`", self.kind, self.name),
            None => format!("{} `{}`", self.kind, self.name),
        }
    }
}

/// Items keyed by object, to find the first one whose key `matches` another key without
/// comparing every pair: a long stream holds thousands of objects, and edit rules look each
/// object of one side up among those of the other on every keystroke.
pub(crate) struct ObjectIndex<'n, T> {
    /// The items with a hash of their group, kind and name and their key, sorted by the hash
    /// and, among equal hashes, in the order given.
    items: Vec<(u64, ObjectKey<'n>, T)>,
}

impl<'n, T> ObjectIndex<'n, T> {
    /// The index of `items`, in order.
    pub(crate) fn new(items: impl IntoIterator<Item = (ObjectKey<'n>, T)>) -> Self {
        let mut items: Vec<(u64, ObjectKey<'n>, T)> = items
            .into_iter()
            .map(|(key, item)| (name_hash(&key), key, item))
            .collect();
        // Stable: among keys that match, the first given stays first.
        items.sort_by_key(|(hash, _, _)| *hash);
        Self { items }
    }

    /// The first item, in the order given, whose key matches `key` (`ObjectKey::matches`).
    pub(crate) fn find(&self, key: &ObjectKey<'_>) -> Option<&T> {
        // Keys that match have the same group, kind and name, so the same hash.
        let hash = name_hash(key);
        let first = self.items.partition_point(|(other, _, _)| *other < hash);
        self.items[first..]
            .iter()
            .take_while(|(other, _, _)| *other == hash)
            .find(|(_, other, _)| other.matches(key))
            .map(|(_, _, item)| item)
    }
}

/// A hash of the group, kind and name of `key`.
fn name_hash(key: &ObjectKey<'_>) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::with_seed(0).hash_one((key.group, key.kind, key.name))
}

/// The manifests of the edited folder on one side of an edit, or `None` when one of them
/// cannot be read reliably (a Helm template, a syntax error): objects could hide there.
/// Without folder information, the file alone.
pub(crate) fn folder_objects<'a>(
    folder: &'a [&'a SourceFile<'a>],
    file: Option<&'a SourceFile<'a>>,
) -> Option<Vec<&'a Node>> {
    let files: Vec<&SourceFile<'_>> = if folder.is_empty() {
        file.into_iter().collect()
    } else {
        folder.to_vec()
    };
    let mut res = Vec::new();
    for file in files {
        if file.templated || file.first_parse_problem().is_some() {
            return None;
        }
        res.extend(objects(file));
    }
    Some(res)
}

/// The edit seen by a rule, with both sides readable: `None` for a snapshot, a new file, or a
/// file that is a template or does not parse on either side.
pub(crate) fn readable_change<'a>(
    change: Option<&'a Change<'a>>,
    file: &SourceFile<'_>,
) -> Option<(&'a Change<'a>, &'a SourceFile<'a>)> {
    let change = change?;
    let base = change.base?;
    let unreadable = |file: &SourceFile<'_>| file.templated || file.first_parse_problem().is_some();
    if unreadable(base) || unreadable(file) {
        return None;
    }
    Some((change, base))
}

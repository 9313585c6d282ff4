//! What else goes when an edit replaces or deletes a CloudFormation resource.
//!
//! A template's dependency graph is read from `Ref`, `Fn::GetAtt` and `Fn::Sub` (long and
//! short forms) in each resource's properties, and from `DependsOn`.
//! A replaced resource has a new physical id, so every `Ref` and `Fn::GetAtt` of it changes:
//! a resource whose create-only property (`cfn-create-only.tsv`) reads one is replaced too,
//! transitively (`MAX_DEPTH` steps, `MAX_AFFECTED` resources, each once). A resource that
//! reads it only in properties CloudFormation updates in place is updated, not replaced.
//! A resource that still references a deleted logical id makes the deploy fail.

use std::collections::{BTreeSet, VecDeque};

use redline_syntax::cloudformation::Resource;
use redline_syntax::value::{Node, NodeKind};
use redline_text::TextRange;

use crate::cloudformation::{create_only_properties, data_value};
use crate::data_value::DataValue;
use crate::terraform::cascade::{Affected, Cascade, Reason};

const MAX_DEPTH: usize = 16;
const MAX_AFFECTED: usize = 500;
/// How deep a property value is walked for references.
const MAX_WALK_DEPTH: usize = 32;

/// One reference a resource makes: which logical id, through which attribute, from which
/// property path (`KmsKeyId`, `VpcConfig/SubnetIds`, `DependsOn`), and where.
struct Read {
    target: String,
    attribute: Option<String>,
    path: String,
    range: TextRange,
}

/// The cascade of replacing the resource `root` of `resources` (the template after the
/// edit), or `None` when nothing goes with it.
pub(crate) fn of_replacement(resources: &[Resource<'_>], root: &str) -> Option<Cascade> {
    let reads: Vec<Vec<Read>> = resources
        .iter()
        .map(|resource| reads_of(*resource))
        .collect();
    let mut res = Cascade::new(root, false);
    res.fails = "the deploy fails";
    let mut seen = BTreeSet::from([root.to_owned()]);
    let mut queue = VecDeque::from([(root.to_owned(), 0)]);
    while let Some((object, depth)) = queue.pop_front() {
        if depth >= MAX_DEPTH {
            continue;
        }
        for (resource, reads) in resources.iter().zip(&reads) {
            let id = resource.logical_id();
            if seen.contains(id) || res.replaced.len() >= MAX_AFFECTED {
                continue;
            }
            let Some(kind) = resource.resource_type() else {
                continue;
            };
            let create_only = create_only_properties(kind);
            let Some(read) = reads.iter().find(|read| {
                read.target == object
                    && read.path != "DependsOn"
                    && create_only.iter().any(|property| {
                        read.path == *property
                            || read
                                .path
                                .strip_prefix(property)
                                .is_some_and(|rest| rest.starts_with('/'))
                    })
            }) else {
                continue;
            };
            seen.insert(id.to_owned());
            res.replaced
                .push(affected(*resource, &object, read, Reason::CreateOnly));
            queue.push_back((id.to_owned(), depth + 1));
        }
    }
    (!res.is_empty()).then_some(res)
}

/// The cascade of deleting the logical id `root`: the resources of `resources` (the template
/// after the edit) that still reference it; with `renamed_to`, also the replacement cascade of
/// the resource under its new id.
pub(crate) fn of_removal(
    resources: &[Resource<'_>],
    root: &str,
    renamed_to: Option<&str>,
) -> Option<Cascade> {
    let mut res = match renamed_to {
        Some(new_id) => {
            let mut res =
                of_replacement(resources, new_id).unwrap_or_else(|| Cascade::new(new_id, false));
            res.broken_root = Some(root.to_owned());
            res
        }
        None => Cascade::new(root, true),
    };
    res.fails = "the deploy fails";
    for resource in resources {
        if res.broken.len() >= MAX_AFFECTED {
            break;
        }
        if let Some(read) = reads_of(*resource)
            .into_iter()
            .find(|read| read.target == root)
        {
            res.broken
                .push(affected(*resource, root, &read, Reason::References));
        }
    }
    (!res.is_empty()).then_some(res)
}

fn affected(resource: Resource<'_>, parent: &str, read: &Read, reason: Reason) -> Affected {
    let via = match &read.attribute {
        Some(attribute) => format!("{parent}.{attribute}"),
        None => parent.to_owned(),
    };
    Affected {
        address: resource.logical_id().to_owned(),
        parent: parent.to_owned(),
        via,
        attribute: read.path.clone(),
        reason,
        holds_data: data_value(resource) == DataValue::High,
        path: String::new(),
        range: read.range,
        through: Vec::new(),
    }
}

/// Every reference of a resource's properties and `DependsOn`.
fn reads_of(resource: Resource<'_>) -> Vec<Read> {
    let mut res = Vec::new();
    if let Some(properties) = resource.properties() {
        for entry in properties.entries() {
            let Some(name) = entry.key.as_str() else {
                continue;
            };
            walk(&entry.value, name, 0, &mut res);
        }
    }
    if let Some(depends_on) = resource.attribute("DependsOn") {
        for node in depends_on.value.one_or_many() {
            if let Some(target) = node.as_str() {
                res.push(Read {
                    target: target.to_owned(),
                    attribute: None,
                    path: "DependsOn".to_owned(),
                    range: node.range,
                });
            }
        }
    }
    res
}

fn walk(node: &Node, path: &str, depth: usize, out: &mut Vec<Read>) {
    if depth > MAX_WALK_DEPTH {
        return;
    }
    let push = |out: &mut Vec<Read>, target: &str, attribute: Option<&str>| {
        out.push(Read {
            target: target.to_owned(),
            attribute: attribute.map(str::to_owned),
            path: path.to_owned(),
            range: node.range,
        });
    };
    // Short forms: `!Ref X`, `!GetAtt X.Arn` or `!GetAtt [X, Arn]`, `!Sub "…"`.
    match node.tag.as_deref() {
        Some("!Ref") => {
            if let Some(target) = text_of(node) {
                push(out, target, None);
            }
            return;
        }
        Some("!GetAtt") => {
            get_att(node, &mut |target, attribute| push(out, target, attribute));
            return;
        }
        Some("!Sub") => {
            sub(node, &mut |target, attribute| push(out, target, attribute));
            for item in node.items().iter().skip(1) {
                walk(item, path, depth + 1, out);
            }
            return;
        }
        _ => {}
    }
    match &node.kind {
        NodeKind::Mapping(entries) => {
            if let [only] = entries.as_slice() {
                match only.key.as_str() {
                    Some("Ref") => {
                        if let Some(target) = only.value.as_str() {
                            push(out, target, None);
                        }
                        return;
                    }
                    Some("Fn::GetAtt") => {
                        get_att(&only.value, &mut |target, attribute| {
                            push(out, target, attribute)
                        });
                        return;
                    }
                    Some("Fn::Sub") => {
                        sub(&only.value, &mut |target, attribute| {
                            push(out, target, attribute)
                        });
                        for item in only.value.items().iter().skip(1) {
                            walk(item, path, depth + 1, out);
                        }
                        return;
                    }
                    Some(function) if function.starts_with("Fn::") => {
                        walk(&only.value, path, depth + 1, out);
                        return;
                    }
                    _ => {}
                }
            }
            for entry in entries {
                let Some(name) = entry.key.as_str() else {
                    continue;
                };
                walk(&entry.value, &format!("{path}/{name}"), depth + 1, out);
            }
        }
        NodeKind::Sequence(items) => {
            for item in items {
                walk(item, path, depth + 1, out);
            }
        }
        NodeKind::Scalar(_) | NodeKind::Unknown => {}
    }
}

/// The target of `Fn::GetAtt`: `X.Attr` or `[X, Attr]`.
fn get_att(node: &Node, found: &mut dyn FnMut(&str, Option<&str>)) {
    if let Some(text) = text_of(node) {
        match text.split_once('.') {
            Some((target, attribute)) => found(target, Some(attribute)),
            None => found(text, None),
        }
        return;
    }
    if let [target, attribute, ..] = node.items()
        && let Some(target) = target.as_str()
    {
        found(target, attribute.as_str());
    }
}

/// The logical ids `${X}` and `${X.Attr}` of an `Fn::Sub` string (or of the string of its
/// `[string, variables]` form); `${!Literal}` and pseudo parameters (`${AWS::Region}`) are not
/// references.
fn sub(node: &Node, found: &mut dyn FnMut(&str, Option<&str>)) {
    let text = match text_of(node) {
        Some(text) => text,
        None => match node.items().first().and_then(Node::as_str) {
            Some(text) => text,
            None => return,
        },
    };
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            break;
        };
        let name = after[..end].trim();
        rest = &after[end + 1..];
        if name.starts_with('!') || name.contains("::") || name.is_empty() {
            continue;
        }
        match name.split_once('.') {
            Some((target, attribute)) => found(target, Some(attribute)),
            None => found(name, None),
        }
    }
}

/// The text of a scalar, tagged or not (`!Ref Vpc` is the scalar `Vpc` tagged `!Ref`).
fn text_of(node: &Node) -> Option<&str> {
    node.scalar().map(|scalar| scalar.value.as_str())
}

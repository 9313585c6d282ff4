//! Why each replacement in a plan happens: a change of its own, or another replaced object
//! that an attribute forcing the replacement reads.
//!
//! The plan's `configuration` section says which attribute of a resource references which
//! other object; `change.replace_paths` says which attributes force a replacement. A
//! replacement whose every forcing attribute reads another replaced object is caused by that
//! object; any other replacement is a root.

use std::collections::{BTreeMap, HashSet};

use redline_syntax::terraform_plan::{Plan, configured_address, module_instance};

use crate::data_value::{self, DataValue};
use crate::terraform::cascade::{Affected, Cascade, Reason};

/// How many causes the walk from a replacement to its root follows.
const MAX_DEPTH: usize = 16;

/// How many dependents one cascade lists at most, as on the source side.
const MAX_AFFECTED: usize = 500;

/// The replaced object that causes a replacement.
#[derive(Clone, Debug)]
pub(crate) struct Cause {
    /// The index in `resource_changes` of the replacement that causes this one.
    pub parent: usize,
    /// The index of the root replacement the chain of causes starts from.
    pub root: usize,
    /// How many causes lie between this replacement and its root (1 for a direct dependent).
    pub depth: usize,
    /// What the forcing attribute reads of the parent (`aws_vpc.main.id`).
    pub via: String,
    /// The forcing attribute (`vpc_id`).
    pub attribute: String,
}

/// The cause of each entry of `plan.resource_changes`, by index: `None` for roots, for
/// changes that are not replacements, and for every change of a plan without a
/// `configuration` section.
pub(crate) fn causes(plan: &Plan<'_>, text: &str) -> Vec<Option<Cause>> {
    let changes = &plan.resource_changes;
    let mut res: Vec<Option<Cause>> = vec![None; changes.len()];
    let Some(configuration) = &plan.configuration else {
        return res;
    };
    let replaced: Vec<(usize, String)> = changes
        .iter()
        .enumerate()
        .filter(|(_, change)| change.is_managed() && change.is_replace())
        .filter(|(_, change)| change.deposed.is_none())
        .map(|(index, change)| (index, configured_address(change.address)))
        .collect();
    if replaced.is_empty() {
        return res;
    }
    // Only the configuration of replaced objects is read.
    let wanted: HashSet<&str> = replaced
        .iter()
        .map(|(_, address)| address.as_str())
        .collect();
    let resources = configuration.resources(text, |address| wanted.contains(address));
    let mut configured = BTreeMap::new();
    for resource in &resources {
        configured
            .entry(resource.address.as_str())
            .or_insert(resource);
    }
    // Replacements by configured address, each list in file order: a plan can replace
    // thousands of objects, so references are looked up rather than compared with each.
    let mut by_address: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, address) in &replaced {
        by_address.entry(address.as_str()).or_default().push(*index);
    }
    // The first replacement other than `index` that `reference` names: its address is the
    // reference without instance keys, or a prefix of it that ends before a `.`. A reference
    // reads objects of its own module instance: the subnet of `module.region["b"]` reads the
    // VPC of `module.region["b"]`, never that of `module.region["a"]`.
    let named_by = |reference: &str, index: usize| -> Option<usize> {
        let module = module_instance(changes[index].address);
        let mut candidate = configured_address(reference);
        loop {
            let found = by_address.get(candidate.as_str()).and_then(|indices| {
                indices
                    .iter()
                    .copied()
                    .find(|other| *other != index && changes[*other].address.starts_with(module))
            });
            if found.is_some() {
                return found;
            }
            let end = candidate.rfind('.')?;
            candidate.truncate(end);
        }
    };
    for (index, address) in &replaced {
        let change = &changes[*index];
        // Tainted objects, `-replace` and `replace_triggered_by` are reasons of their own.
        if change
            .action_reason
            .is_some_and(|reason| reason != "replace_because_cannot_update")
        {
            continue;
        }
        let Some(resource) = configured.get(address.as_str()) else {
            continue;
        };
        let mut found = Vec::new();
        for path in &change.replace_paths {
            let attribute = path.split(['.', '[']).next().unwrap_or(path);
            let cause = resource
                .references(attribute)
                .into_iter()
                .find_map(|reference| {
                    named_by(&reference, *index)
                        .map(|other| (other, reference, attribute.to_owned()))
                });
            match cause {
                Some(cause) => found.push(cause),
                // A forcing attribute that reads no replaced object is a change of its own.
                None => {
                    found.clear();
                    break;
                }
            }
        }
        if let Some((parent, via, attribute)) = found.into_iter().next() {
            res[*index] = Some(Cause {
                parent,
                root: parent,
                depth: 1,
                via,
                attribute,
            });
        }
    }
    // Find each dependent's root; a dependent in a cycle, or too far from any root, becomes a
    // root itself. Entries are settled in file order, so the result is deterministic.
    for index in 0..res.len() {
        let Some(first) = res[index].as_ref().map(|cause| cause.parent) else {
            continue;
        };
        let mut current = first;
        let mut depth = 1;
        let root = loop {
            match &res[current] {
                None => break Some(current),
                Some(_) if current == index || depth >= MAX_DEPTH => break None,
                Some(cause) => {
                    current = cause.parent;
                    depth += 1;
                }
            }
        };
        match root {
            Some(root) => {
                if let Some(cause) = &mut res[index] {
                    cause.root = root;
                    cause.depth = depth;
                }
            }
            None => res[index] = None,
        }
    }
    res
}

/// The cascade of the root replacement at `root`: the replacements it causes, breadth first.
pub(crate) fn cascade(plan: &Plan<'_>, causes: &[Option<Cause>], root: usize) -> Cascade {
    let changes = &plan.resource_changes;
    let mut res = Cascade::new(changes[root].address, false);
    let mut dependents: Vec<(usize, usize)> = causes
        .iter()
        .enumerate()
        .filter_map(|(index, cause)| {
            let cause = cause.as_ref()?;
            (cause.root == root).then_some((cause.depth, index))
        })
        .collect();
    dependents.sort_unstable();
    for (_, index) in dependents.into_iter().take(MAX_AFFECTED) {
        let Some(cause) = &causes[index] else {
            continue;
        };
        let change = &changes[index];
        res.replaced.push(Affected {
            address: change.address.to_owned(),
            parent: changes[cause.parent].address.to_owned(),
            via: cause.via.clone(),
            attribute: cause.attribute.clone(),
            reason: Reason::ForceNew,
            holds_data: data_value::of(change.resource_type) == DataValue::High,
            // The plan file itself.
            path: String::new(),
            range: change.range,
            through: Vec::new(),
        });
    }
    res
}

#[cfg(test)]
mod tests {
    use redline_syntax::terraform_plan::Plan;
    use redline_syntax::{SourceHints, parse_source};

    use super::causes;

    #[test]
    fn dependents_read_their_own_module_instance() {
        let replace = |address: &str, path: &str| {
            format!(
                r#"{{"address": {address:?}, "mode": "managed", "type": "t",
                  "action_reason": "replace_because_cannot_update",
                  "change": {{"actions": ["delete", "create"], "replace_paths": [[{path:?}]]}}}}"#
            )
        };
        let changes = [
            replace(r#"module.region["a"].aws_vpc.main"#, "cidr_block"),
            replace(r#"module.region["b"].aws_vpc.main"#, "cidr_block"),
            replace(r#"module.region["b"].aws_subnet.a"#, "vpc_id"),
            replace(r#"module.region["a"].aws_subnet.a"#, "vpc_id"),
        ];
        let text = format!(
            r#"{{"format_version": "1.2", "resource_changes": [{}],
 "configuration": {{"root_module": {{"module_calls": {{"region": {{"module": {{"resources": [
   {{"address": "aws_vpc.main", "expressions": {{"cidr_block": {{"constant_value": "10.0.0.0/16"}}}}}},
   {{"address": "aws_subnet.a", "expressions": {{"vpc_id": {{"references": ["aws_vpc.main.id", "aws_vpc.main"]}}}}}}
 ]}}}}}}}}}}}}"#,
            changes.join(",")
        );
        let file = parse_source("plan.json", &text, SourceHints::default()).expect("a plan");
        let plan = Plan::from_document(&file.documents[0]);
        let causes = causes(&plan, &text);
        let parents: Vec<Option<usize>> = causes
            .iter()
            .map(|cause| cause.as_ref().map(|cause| cause.parent))
            .collect();
        assert_eq!(parents, [None, None, Some(1), Some(0)]);
        let via = causes[2].as_ref().map(|cause| cause.via.as_str());
        assert_eq!(via, Some("module.region.aws_vpc.main.id"));
    }
}

//! What else goes when an edit replaces or destroys a Terraform resource.
//!
//! The module's dependency graph is read from the references its blocks write (through
//! locals, as `redline_syntax::terraform_eval::references` reads them): attribute values,
//! nested blocks, `depends_on`, `count`/`for_each` and `lifecycle.replace_triggered_by`.
//!
//! A replaced object gets a new identity: every attribute the configuration does not write
//! (`id`, `arn`, generated names and addresses) is unknown until the new object exists, and so
//! is an attribute whose written value the edit changed. A dependent that reads such an
//! attribute in one of its force-new attributes (`force-new.tsv`) is replaced too, and so on,
//! `MAX_DEPTH` levels and `MAX_AFFECTED` objects at most, each object once (cycles end).
//! A dependent that reads it only in attributes the provider updates in place is updated, not
//! replaced. `replace_triggered_by` naming a replaced object replaces the dependent.
//! An attribute the configuration writes with a value the edit keeps (a literal `name`) is the
//! same on the new object and replaces nothing.
//!
//! A destroyed object (a block removed from the configuration) leaves the dependents that
//! still reference it without their input: Terraform refuses the plan until they stop.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use redline_diagnostics::{Diagnostic, Impact, Impacted};
use redline_syntax::terraform::Block;
use redline_syntax::terraform_eval::Value;
use redline_syntax::terraform_eval::evaluate::Evaluator;
use redline_syntax::terraform_eval::references::ObjectRead;
use redline_text::TextRange;

use crate::RuleContext;
use crate::data_value::{self, DataValue};
use crate::terraform::force_new::{Replacement, force_new_attributes};
use crate::terraform::module_change::{Entry, Kind, ModuleChange, normalise, slice};

/// How many replacement steps the cascade follows from the root.
const MAX_DEPTH: usize = 16;

/// How many dependents one cascade lists at most.
const MAX_AFFECTED: usize = 500;

/// How many dependents a finding names in its message and as related places.
const MAX_NAMED: usize = 3;
const MAX_RELATED: usize = 20;

/// What the edit does to the root object.
pub(crate) enum Root<'m> {
    /// The resource is destroyed and created again; `changed` are the attributes whose value
    /// the edit changed.
    Replaced {
        entry: &'m Entry<'m>,
        changed: BTreeSet<String>,
    },
    /// The block is gone: every object that references `address` loses its input.
    Destroyed { address: &'m str },
}

/// Why a dependent is in the cascade.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// A force-new attribute reads a value the replacement changes.
    ForceNew,
    /// `lifecycle.replace_triggered_by` names the replaced object.
    Triggered,
    /// It references an object that is no longer configured.
    References,
    /// Its `count` or `for_each` reads a value known only after the replacement.
    Repetition,
    /// A CloudFormation create-only property reads a value the replacement changes.
    CreateOnly,
    /// A Kubernetes object in a deleted namespace.
    InNamespace,
    /// A Kubernetes object that must be deleted and created again with the root.
    Recreated,
}

/// One object the root's replacement or destruction takes with it.
#[derive(Clone, Debug)]
pub(crate) struct Affected {
    /// `aws_subnet.a`.
    pub address: String,
    /// The object it depends on: the root, or another replaced dependent.
    pub parent: String,
    /// What it reads of `parent`: `aws_vpc.main.id`.
    pub via: String,
    /// The attribute of the dependent that reads it: `vpc_id`, `lifecycle.replace_triggered_by`.
    pub attribute: String,
    /// Why it goes.
    pub reason: Reason,
    /// Whether it holds data that cannot be recreated (`data-value.tsv`: high).
    pub holds_data: bool,
    /// The file that declares it.
    pub path: String,
    /// The attribute that reads `via`.
    pub range: TextRange,
}

/// The objects the edit of one root takes with it.
#[derive(Clone, Debug)]
pub(crate) struct Cascade {
    /// The root's address.
    pub root: String,
    /// Whether the root is destroyed rather than replaced.
    pub destroyed: bool,
    /// The address that `broken` dependents reference, when it is not `root` (the old address
    /// of a renamed block).
    pub broken_root: Option<String>,
    /// Dependents replaced with the root (`ForceNew`, `Triggered`), breadth first.
    pub replaced: Vec<Affected>,
    /// Dependents whose plan fails (`References`, `Repetition`).
    pub broken: Vec<Affected>,
    /// The root's `lifecycle { create_before_destroy = true }`.
    pub create_before_destroy: bool,
    /// What the objects are called in messages: (one, several).
    pub noun: (&'static str, &'static str),
    /// What fails while a dependent references a destroyed object.
    pub fails: &'static str,
}

impl Cascade {
    /// An empty cascade of `root`.
    pub(crate) fn new(root: &str, destroyed: bool) -> Cascade {
        Cascade {
            root: root.to_owned(),
            destroyed,
            broken_root: None,
            replaced: Vec::new(),
            broken: Vec::new(),
            create_before_destroy: false,
            noun: ("resource", "resources"),
            fails: "the plan fails",
        }
    }

    /// Whether anything goes with the root or is worth noting.
    pub(crate) fn is_empty(&self) -> bool {
        self.replaced.is_empty() && self.broken.is_empty() && !self.create_before_destroy
    }
}

/// Receives an attribute's dotted path, its (attribute, value) ranges and its value's text.
type Visit<'v> = dyn FnMut(String, (TextRange, TextRange), &str) + 'v;

/// A place that reads an object: an attribute (or a nested block's attribute) of a block.
struct Reader {
    entry: usize,
    /// `vpc_id`, `ebs_block_device.kms_key_id`, `lifecycle.replace_triggered_by`.
    attribute: String,
    range: TextRange,
    value_range: TextRange,
}

/// Every block of the new side with the places that may read each object, found by the
/// objects' names in the text and confirmed by reading the lowered expression.
struct Graph<'m> {
    module: &'m ModuleChange<'m>,
    evaluator: &'m Evaluator<'m>,
    /// Candidate readers of each name (`aws_vpc.main`, `local.vpc_id`, `module.vpc`).
    mentions: HashMap<String, Vec<Reader>>,
    /// The locals that read each object, through other locals.
    locals_reading: BTreeMap<String, BTreeSet<String>>,
    by_address: HashMap<&'m str, usize>,
}

/// The cascade of `root`, or `None` when nothing else goes with it or the module was not
/// evaluated.
pub(crate) fn cascade<'m>(
    evaluator: Option<&'m Evaluator<'m>>,
    module: &'m ModuleChange<'m>,
    root: Root<'m>,
) -> Option<Cascade> {
    let evaluator = evaluator?;
    let graph = Graph::new(module, evaluator);
    let res = match root {
        Root::Replaced { entry, changed } => graph.replaced(entry, &changed),
        Root::Destroyed { address } => graph.destroyed(address),
    };
    (!res.replaced.is_empty() || !res.broken.is_empty() || res.create_before_destroy).then_some(res)
}

impl<'m> Graph<'m> {
    fn new(module: &'m ModuleChange<'m>, evaluator: &'m Evaluator<'m>) -> Graph<'m> {
        let mut mentions: HashMap<String, Vec<Reader>> = HashMap::new();
        let mut by_address = HashMap::with_capacity(module.new.len());
        for (index, entry) in module.new.iter().enumerate() {
            by_address.entry(entry.address.as_str()).or_insert(index);
            readers_of(
                &entry.block.body,
                "",
                &entry.file.text,
                &mut |attribute, at, text| {
                    for name in names_in(text) {
                        mentions.entry(name).or_default().push(Reader {
                            entry: index,
                            attribute: attribute.clone(),
                            range: at.0,
                            value_range: at.1,
                        });
                    }
                },
            );
        }
        let mut locals_reading: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let locals = &evaluator.module().locals;
        if !locals.is_empty() {
            for name in locals.keys() {
                for read in evaluator.module().local_reads(name) {
                    locals_reading
                        .entry(read.object)
                        .or_default()
                        .insert(name.clone());
                }
            }
        }
        Graph {
            module,
            evaluator,
            mentions,
            locals_reading,
            by_address,
        }
    }

    /// The places that read `object`, with what they read of it.
    fn readers(&self, object: &str) -> Vec<(&Reader, Option<String>)> {
        let mut candidates: Vec<&Reader> = Vec::new();
        let mut names = vec![object.to_owned()];
        if let Some(locals) = self.locals_reading.get(object) {
            names.extend(locals.iter().map(|local| format!("local.{local}")));
        }
        for name in &names {
            if let Some(found) = self.mentions.get(name) {
                candidates.extend(found);
            }
        }
        candidates.sort_by_key(|reader| (reader.entry, reader.range.start()));
        candidates.dedup_by_key(|reader| (reader.entry, reader.range.start()));
        let module = self.evaluator.module();
        let mut res = Vec::new();
        for reader in candidates {
            let entry = &self.module.new[reader.entry];
            for read in module.object_reads(entry.file.path, reader.value_range) {
                if read.object == object {
                    res.push((reader, read.attribute));
                }
            }
        }
        res
    }

    fn destroyed(&self, address: &str) -> Cascade {
        let mut res = Cascade::new(address, true);
        // A block that still exists at the address (a `moved` target) is not destroyed.
        if self.by_address.contains_key(address) {
            return res;
        }
        let mut seen = BTreeSet::new();
        for (reader, attribute) in self.readers(address) {
            let entry = &self.module.new[reader.entry];
            if !seen.insert(entry.address.clone()) || res.broken.len() >= MAX_AFFECTED {
                continue;
            }
            res.broken.push(self.affected(
                entry,
                address,
                attribute.as_deref(),
                reader,
                Reason::References,
            ));
        }
        res
    }

    fn replaced(&self, root: &'m Entry<'m>, changed: &BTreeSet<String>) -> Cascade {
        let mut res = Cascade::new(&root.address, false);
        res.create_before_destroy = create_before_destroy(root.block);
        let mut seen: BTreeSet<String> = BTreeSet::from([root.address.clone()]);
        let mut queue: VecDeque<(&'m Entry<'m>, usize)> = VecDeque::from([(root, 0)]);
        // The attributes whose value changed, per replaced object: the root's edited ones.
        let mut edited: HashMap<String, &BTreeSet<String>> = HashMap::new();
        edited.insert(root.address.clone(), changed);
        let replaced_set = |res: &Cascade| -> BTreeSet<String> {
            res.replaced
                .iter()
                .map(|affected| affected.address.clone())
                .chain([root.address.clone()])
                .collect()
        };
        while let Some((object, depth)) = queue.pop_front() {
            if depth >= MAX_DEPTH {
                continue;
            }
            let gone = replaced_set(&res);
            for (reader, attribute) in self.readers(&object.address) {
                let entry = &self.module.new[reader.entry];
                if entry.kind != Kind::Resource || seen.contains(&entry.address) {
                    continue;
                }
                if res.replaced.len() + res.broken.len() >= MAX_AFFECTED {
                    return res;
                }
                let attribute_changes = match &attribute {
                    None => true,
                    Some(name) => {
                        edited
                            .get(&object.address)
                            .is_some_and(|set| set.contains(name))
                            || self.changes_on_replacement(object, name, &gone)
                    }
                };
                let reason = if reader.attribute == "lifecycle.replace_triggered_by" {
                    Some(Reason::Triggered)
                } else if !attribute_changes || reader.attribute == "depends_on" {
                    None
                } else if matches!(reader.attribute.as_str(), "count" | "for_each") {
                    Some(Reason::Repetition)
                } else if is_force_new(entry.type_name, &reader.attribute) {
                    Some(Reason::ForceNew)
                } else {
                    None
                };
                let Some(reason) = reason else {
                    continue;
                };
                seen.insert(entry.address.clone());
                let affected =
                    self.affected(entry, &object.address, attribute.as_deref(), reader, reason);
                if reason == Reason::Repetition {
                    res.broken.push(affected);
                } else {
                    res.replaced.push(affected);
                    queue.push_back((entry, depth + 1));
                }
            }
        }
        res
    }

    /// Whether `attribute` of the replaced `object` has another value on the new object: it
    /// is computed (not written in the configuration), or written with an expression that
    /// reads an object the cascade replaces.
    fn changes_on_replacement(
        &self,
        object: &Entry<'m>,
        attribute: &str,
        gone: &BTreeSet<String>,
    ) -> bool {
        if object.kind != Kind::Resource {
            return true;
        }
        let Some(written) = object.block.body.attribute(attribute) else {
            return true;
        };
        let value = self
            .evaluator
            .attribute(object.file.path, written, None)
            .value;
        if is_known(&value) {
            return false;
        }
        self.evaluator
            .module()
            .object_reads(object.file.path, written.value.range)
            .iter()
            .any(|read: &ObjectRead| gone.contains(&read.object))
    }

    fn affected(
        &self,
        entry: &Entry<'m>,
        parent: &str,
        attribute: Option<&str>,
        reader: &Reader,
        reason: Reason,
    ) -> Affected {
        let via = match attribute {
            Some(attribute) => format!("{parent}.{attribute}"),
            None => parent.to_owned(),
        };
        Affected {
            address: entry.address.clone(),
            parent: parent.to_owned(),
            via,
            attribute: reader.attribute.clone(),
            reason,
            holds_data: entry.kind == Kind::Resource
                && data_value::of(entry.type_name) == DataValue::High,
            path: entry.file.path.to_owned(),
            range: reader.range,
        }
    }
}

impl Cascade {
    /// The finding about the root with the cascade added: a sentence at the end of its
    /// message and each dependent as a related place.
    pub(crate) fn apply(&self, mut diagnostic: Diagnostic, path: &str) -> Diagnostic {
        diagnostic.message.push_str(&self.sentence());
        let entry = |affected: &Affected| Impacted {
            object: affected.address.clone(),
            parent: affected.parent.clone(),
            via: affected.via.clone(),
            attribute: affected.attribute.clone(),
            holds_data: affected.holds_data,
        };
        diagnostic = diagnostic.with_impact(Impact {
            root: self.root.clone(),
            replaced: self.replaced.iter().map(entry).collect(),
            destroyed: self.broken.iter().map(entry).collect(),
        });
        for affected in self.replaced.iter().chain(&self.broken).take(MAX_RELATED) {
            let message = affected.describe();
            // An empty path is the finding's own file.
            diagnostic = if affected.path.is_empty() || affected.path == path {
                diagnostic.with_related(affected.range, message)
            } else {
                diagnostic.with_related_in(affected.path.clone(), affected.range, message)
            };
        }
        diagnostic
    }

    /// The sentence the root's message ends with.
    fn sentence(&self) -> String {
        let root = &self.root;
        let mut res = String::new();
        if !self.replaced.is_empty() {
            let count = self.replaced.len();
            let valuable: Vec<&Affected> = self
                .replaced
                .iter()
                .filter(|affected| affected.holds_data)
                .collect();
            let named: Vec<&Affected> = if valuable.is_empty() {
                self.replaced.iter().take(MAX_NAMED).collect()
            } else {
                valuable.iter().copied().take(MAX_NAMED).collect()
            };
            let shown = if valuable.is_empty() {
                count
            } else {
                valuable.len()
            };
            let list = named
                .iter()
                .map(|affected| match affected.reason {
                    Reason::Recreated => format!("`{}`", affected.address),
                    _ => format!("`{}` via `{}`", affected.address, affected.via),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let more = if shown > named.len() { ", …" } else { "" };
            let holding = match valuable.len() {
                0 => String::new(),
                1 => ", 1 holding data".to_owned(),
                n => format!(", {n} holding data"),
            };
            let recreated = self
                .replaced
                .iter()
                .all(|affected| affected.reason == Reason::Recreated);
            let (replacing, replaces) = match &self.broken_root {
                Some(old) => (format!("recreating `{old}` as `{root}`"), "replaces"),
                None if recreated => (format!("recreating `{root}`"), "recreates"),
                None => (format!("replacing `{root}`"), "replaces"),
            };
            res.push_str(&format!(
                "; {replacing} also {replaces} {}{holding}: {list}{more}",
                plural(count, self.noun.0, self.noun.1),
            ));
        }
        if !self.broken.is_empty() {
            // Objects that hold data are named first.
            let mut named: Vec<&Affected> = self.broken.iter().collect();
            named.sort_by_key(|affected| !affected.holds_data);
            let list = named
                .into_iter()
                .take(MAX_NAMED)
                .map(|affected| match affected.reason {
                    Reason::InNamespace => format!("`{}`", affected.address),
                    _ => format!("`{}` (`{}`)", affected.address, affected.attribute),
                })
                .collect::<Vec<_>>()
                .join(", ");
            let more = if self.broken.len() > MAX_NAMED {
                ", …"
            } else {
                ""
            };
            let count = plural(self.broken.len(), self.noun.0, self.noun.1);
            let (reference, read) = if self.broken.len() == 1 {
                ("references", "reads")
            } else {
                ("reference", "read")
            };
            let fails = self.fails;
            let lost: Vec<&Affected> = self.broken.iter().filter(|a| a.holds_data).collect();
            if self
                .broken
                .iter()
                .all(|affected| affected.reason == Reason::InNamespace)
            {
                let holding = match lost.len() {
                    0 => String::new(),
                    n => format!(", {n} holding data"),
                };
                res.push_str(&format!(
                    "; deleting `{root}` also deletes {count}{holding}: {list}{more}"
                ));
            } else if let Some(old) = &self.broken_root {
                res.push_str(&format!(
                    "; {count} still {reference} `{old}`, and {fails} until they stop: \
                     {list}{more}"
                ));
            } else if self.destroyed {
                res.push_str(&format!(
                    "; {count} still {reference} `{root}`, and {fails} until they stop: \
                     {list}{more}"
                ));
            } else {
                res.push_str(&format!(
                    "; {count} {read} a value of `{root}` known only after the replacement in \
                     `count` or `for_each`, and {fails}: {list}{more}"
                ));
            }
        }
        if self.create_before_destroy {
            res.push_str(&format!(
                " (`create_before_destroy` creates the new `{root}` before destroying the old \
                 one; the dependents are replaced all the same)"
            ));
        }
        res
    }
}

impl Affected {
    /// The related place's message.
    pub(crate) fn describe(&self) -> String {
        let (address, attribute, via) = (&self.address, &self.attribute, &self.via);
        let data = if self.holds_data {
            ", with the data it holds"
        } else {
            ""
        };
        match self.reason {
            Reason::ForceNew => format!(
                "`{address}` is replaced{data}: its force-new `{attribute}` reads `{via}`, which \
                 changes"
            ),
            Reason::Triggered => {
                format!("`{address}` is replaced{data}: its `replace_triggered_by` names `{via}`")
            }
            Reason::References => {
                format!("`{address}` still references `{via}` in `{attribute}`")
            }
            Reason::Repetition => format!(
                "`{address}` reads `{via}` in `{attribute}`, which is known only after apply"
            ),
            Reason::CreateOnly => format!(
                "`{address}` is replaced{data}: its create-only `{attribute}` reads `{via}`, \
                 which changes"
            ),
            Reason::InNamespace => format!("`{address}` is deleted with `{}`{data}", self.parent),
            Reason::Recreated => format!("`{address}` is deleted and created again{data}: {via}"),
        }
    }
}

/// The cascade of the replacement of block `new` of the new side, replaced because its
/// `attribute` changed.
pub(crate) fn of_replacement<'m>(
    ctx: &RuleContext<'m>,
    module: &'m ModuleChange<'m>,
    new: usize,
    attribute: &str,
) -> Option<Cascade> {
    let entry = &module.new[new];
    let mut changed = module
        .kept()
        .into_iter()
        .find(|&(_, kept)| kept == new)
        .map(|(base, _)| changed_attributes(&module.base[base], entry))
        .unwrap_or_default();
    changed.insert(attribute.split('.').next().unwrap_or(attribute).to_owned());
    cascade(
        ctx.terraform_module(),
        module,
        Root::Replaced { entry, changed },
    )
}

/// The cascade of the removal of the block at `address`.
pub(crate) fn of_removal<'m>(
    ctx: &RuleContext<'m>,
    module: &'m ModuleChange<'m>,
    address: &'m str,
) -> Option<Cascade> {
    cascade(ctx.terraform_module(), module, Root::Destroyed { address })
}

/// The cascade of a rename without a `moved` block: the object at the old address is
/// destroyed, and the one created at the new address is a new object.
pub(crate) fn of_rename<'m>(
    ctx: &RuleContext<'m>,
    module: &'m ModuleChange<'m>,
    base: usize,
    new: usize,
) -> Option<Cascade> {
    let old = &module.base[base];
    let entry = &module.new[new];
    let destroyed = of_removal(ctx, module, &old.address);
    let replaced = cascade(
        ctx.terraform_module(),
        module,
        Root::Replaced {
            entry,
            changed: changed_attributes(old, entry),
        },
    );
    match (destroyed, replaced) {
        (Some(destroyed), Some(mut replaced)) => {
            replaced.broken.extend(destroyed.broken);
            replaced.broken_root = Some(old.address.clone());
            Some(replaced)
        }
        (Some(mut destroyed), None) => {
            destroyed.broken_root = Some(old.address.clone());
            destroyed.destroyed = false;
            Some(destroyed)
        }
        (None, Some(mut replaced)) => {
            replaced.broken_root = Some(old.address.clone());
            Some(replaced)
        }
        (None, None) => None,
    }
}

/// The top-level attributes whose written value differs between the two blocks.
pub(crate) fn changed_attributes(old: &Entry<'_>, new: &Entry<'_>) -> BTreeSet<String> {
    let mut res = BTreeSet::new();
    for attribute in &new.block.body.attributes {
        let after = normalise(slice(&new.file.text, attribute.value.range));
        let before = old
            .block
            .body
            .attribute(&attribute.name)
            .map(|found| normalise(slice(&old.file.text, found.value.range)));
        if before.as_deref() != Some(after.as_str()) {
            res.insert(attribute.name.clone());
        }
    }
    res
}

/// Whether a change of the value at `attribute` (`vpc_id`, `ebs_block_device.kms_key_id`)
/// replaces a resource of `type_name` on any change.
fn is_force_new(type_name: &str, attribute: &str) -> bool {
    force_new_attributes(type_name).iter().any(|force_new| {
        force_new.replacement == Replacement::Always
            && (force_new.attribute == attribute
                || attribute
                    .strip_prefix(force_new.attribute)
                    .is_some_and(|rest| rest.starts_with('.')))
    })
}

fn create_before_destroy(block: &Block) -> bool {
    block
        .body
        .block("lifecycle")
        .and_then(|lifecycle| lifecycle.body.attribute("create_before_destroy"))
        .and_then(|attribute| attribute.value.value.as_bool())
        == Some(true)
}

fn is_known(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
        Value::List(items) => items.iter().all(is_known),
        Value::Map(entries) => entries.values().all(is_known),
        Value::Reference(_) | Value::Template(_) | Value::Unknown => false,
    }
}

fn plural(count: usize, one: &str, many: &str) -> String {
    if count == 1 {
        format!("1 {one}")
    } else {
        format!("{count} {many}")
    }
}

/// Calls `visit` with every attribute of `body` and its nested blocks, by dotted path, with
/// its (attribute, value) ranges and value text. Provisioners and connections run commands
/// rather than configure the object, and are skipped.
fn readers_of(
    body: &redline_syntax::terraform::Body,
    prefix: &str,
    text: &str,
    visit: &mut Visit<'_>,
) {
    for attribute in &body.attributes {
        let value = slice(text, attribute.value.range);
        if !value.contains('.') {
            continue;
        }
        visit(
            format!("{prefix}{}", attribute.name),
            (attribute.range, attribute.value.range),
            value,
        );
    }
    for block in &body.blocks {
        if matches!(block.kind.as_str(), "provisioner" | "connection") {
            continue;
        }
        readers_of(
            &block.body,
            &format!("{prefix}{}.", block.kind),
            text,
            visit,
        );
    }
}

/// The object names an expression's text may reference: `type.name`, `data.type.name`,
/// `module.name`, `local.name`. Over-inclusive: the lowered expression decides.
fn names_in(text: &str) -> BTreeSet<String> {
    let mut res = BTreeSet::new();
    let bytes = text.as_bytes();
    let is_word = |byte: u8| byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-';
    let mut index = 0;
    while index < bytes.len() {
        if !is_word(bytes[index])
            || (index > 0 && (is_word(bytes[index - 1]) || bytes[index - 1] == b'.'))
        {
            index += 1;
            continue;
        }
        // Up to three dot-separated words starting here.
        let mut words: Vec<&str> = Vec::with_capacity(3);
        let mut at = index;
        while words.len() < 3 {
            let start = at;
            while at < bytes.len() && is_word(bytes[at]) {
                at += 1;
            }
            if start == at {
                break;
            }
            words.push(&text[start..at]);
            if at < bytes.len() && bytes[at] == b'.' {
                at += 1;
            } else {
                break;
            }
        }
        match words.as_slice() {
            ["data", type_name, name] => {
                res.insert(format!("data.{type_name}.{name}"));
            }
            [first, second, ..] => {
                res.insert(format!("{first}.{second}"));
            }
            _ => {}
        }
        index = at.max(index + 1);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_from_text() {
        let names =
            names_in("concat(aws_subnet.a[*].id, [local.x, data.aws_ami.u.id], \"${module.m.o}\")");
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert_eq!(
            names,
            ["aws_subnet.a", "data.aws_ami.u", "local.x", "module.m"]
        );
    }

    #[test]
    fn force_new_paths() {
        assert!(is_force_new("aws_subnet", "vpc_id"));
        assert!(is_force_new("aws_ebs_volume", "kms_key_id"));
        assert!(!is_force_new("aws_db_subnet_group", "subnet_ids"));
        assert!(!is_force_new("aws_autoscaling_group", "launch_template.id"));
    }
}

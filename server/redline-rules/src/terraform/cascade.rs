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
//! same on the new object and replaces nothing, and so does a value that reads only the length
//! of a list of replaced objects or whether it is set (`length(…)`, `!= null`).
//!
//! A destroyed object (a block removed from the configuration) leaves the dependents that
//! still reference it without their input: Terraform refuses the plan until they stop.
//!
//! The walk crosses local module calls (`source = "./…"`, `MAX_CALL_DEPTH` calls deep,
//! `MAX_MODULES` modules at most, cycles ending), among the folders the front-end gave the
//! edit (`Change::called_folders`); registry and git sources are not on disk and end it. An
//! input that reads a changed value changes the called module's variable, and the module,
//! evaluated with the call's inputs, is walked from it: its resources are named by their
//! address in the module tree (`module.db.aws_db_subnet_group.this`). An output of a called
//! module that reads a changed value changes too, and its readers in the caller are walked.
//! A value that crosses a call only as what the caller writes (the literal part of an object
//! input) is known and the same after the replacement; a resource the call's values give no
//! instance is not there to replace; `count` and `for_each` that read a value passed through a
//! call are not judged, since a list passed on may keep its length.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::rc::Rc;

use redline_diagnostics::{Diagnostic, Impact, Impacted};
use redline_syntax::terraform::{Attribute, Block, Repetition};
use redline_syntax::terraform_eval::calls::{Binding, bind, folder_of, local_source_folder};
use redline_syntax::terraform_eval::evaluate::{Evaluator, Instance, Instances};
use redline_syntax::terraform_eval::references::ObjectRead;
use redline_syntax::terraform_eval::symbols::CALL_ARGUMENTS;
use redline_syntax::terraform_eval::{Location, Value};
use redline_text::TextRange;

use crate::data_value::{self, DataValue};
use crate::terraform::force_new::{Replacement, force_new_attributes};
use crate::terraform::module_change::{Entry, Kind, ModuleChange, entries, normalise, slice};
use crate::{CalledFolder, RuleContext};

/// How many replacement steps the cascade follows from the root.
const MAX_DEPTH: usize = 16;

/// How many dependents one cascade lists at most.
const MAX_AFFECTED: usize = 500;

/// How many local module calls deep the cascade follows a value.
const MAX_CALL_DEPTH: usize = 8;

/// How many modules one cascade reads at most, the edited one included.
const MAX_MODULES: usize = 32;

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
    /// The module boundaries the value crosses on its way from `parent`, in order, as phrases
    /// of the related place's message ("the input `subnet_ids` of `module.db`", "the output
    /// `vpc_id` of `module.net`").
    pub through: Vec<String>,
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
#[derive(Clone)]
struct Reader {
    entry: usize,
    /// `vpc_id`, `ebs_block_device.kms_key_id`, `lifecycle.replace_triggered_by`.
    attribute: String,
    range: TextRange,
    value_range: TextRange,
}

/// The blocks of one module of the cascade: the edited module's, or a called module's.
enum Entries<'m> {
    Edited(&'m [Entry<'m>]),
    Called(Vec<Entry<'m>>),
}

/// The evaluator of one module of the cascade: the edited module's, or a called module's
/// with the call's inputs.
enum Eval<'m> {
    Edited(&'m Evaluator<'m>),
    Called(Box<Evaluator<'m>>),
}

/// Every block of one module with the places that may read each object, found by the
/// objects' names in the text and confirmed by reading the lowered expression.
struct Graph<'m> {
    entries: Entries<'m>,
    evaluator: Eval<'m>,
    index: Rc<GraphIndex>,
}

/// Where the names of a module's objects are read, built once per module and analysis: every
/// replacement an edit makes in the edited module walks the same one.
pub(crate) struct GraphIndex {
    /// Candidate readers of each name (`aws_vpc.main`, `local.vpc_id`, `module.vpc`,
    /// `var.subnet_ids`), found when the name is first asked for: a cascade asks for a few
    /// names of a module that writes thousands.
    mentions: RefCell<HashMap<String, Rc<[Reader]>>>,
    /// The locals that read each object or variable, through other locals.
    locals_reading: BTreeMap<String, BTreeSet<String>>,
    by_address: HashMap<String, usize>,
}

/// One module the cascade walks: the edited module, or a local module it calls.
struct Scope<'m> {
    /// What the module's addresses are prefixed with: `""` for the edited module,
    /// `module.db.` for the module that `module "db"` calls, and so on.
    prefix: String,
    /// The module's folder (display path).
    folder: String,
    /// The module that calls this one, and the call's name.
    caller: Option<(usize, String)>,
    /// How many calls deep the module is.
    calls: usize,
    graph: Graph<'m>,
    /// The module's objects replaced so far, by address.
    replaced: BTreeSet<String>,
    /// The module's variables whose value changes.
    variables: BTreeSet<String>,
    /// The outputs of the modules this one calls whose value changes: (call, output).
    outputs: BTreeSet<(String, String)>,
}

/// What changes in a module of the cascade.
#[derive(Clone, Debug)]
enum Changed {
    /// A replaced object (the root, or a dependent), by its address in the module.
    Object(String),
    /// `var.<name>`: the call sets it with an input that reads a changed value.
    Variable(String),
    /// `module.<call>.<output>`: the called module's output reads a changed value.
    Output { call: String, output: String },
}

/// Where a changed variable or output takes its value from: the replaced object and what is
/// read of it, and the module boundaries crossed on the way.
#[derive(Clone, Debug)]
struct Upstream {
    parent: String,
    via: String,
    through: Vec<String>,
}

/// One step of the walk.
struct Step {
    scope: usize,
    changed: Changed,
    /// For a variable or an output.
    upstream: Option<Upstream>,
    depth: usize,
}

/// The walk from a replaced root through the modules of the edit.
struct Walk<'m> {
    folders: &'m [CalledFolder<'m>],
    scopes: Vec<Scope<'m>>,
    /// The attributes whose value the edit changed: the root's, with its module and address.
    edited: (usize, String, BTreeSet<String>),
    /// Every object in the cascade, by full address, the root's included.
    seen: BTreeSet<String>,
    queue: VecDeque<Step>,
    res: Cascade,
}

/// The cascade of `root`, or `None` when nothing else goes with it or the module was not
/// evaluated. `folders` are the Terraform folders of the edit, among which the local modules
/// the module calls are found.
pub(crate) fn cascade<'m>(
    evaluator: Option<&'m Evaluator<'m>>,
    module: &'m ModuleChange<'m>,
    folders: &'m [CalledFolder<'m>],
    root: Root<'m>,
) -> Option<Cascade> {
    let evaluator = evaluator?;
    let graph = Graph::edited(module, evaluator);
    let res = match root {
        Root::Replaced { entry, changed } => Walk::replaced(graph, folders, entry, changed),
        Root::Destroyed { address } => graph.destroyed(address),
    };
    (!res.replaced.is_empty() || !res.broken.is_empty() || res.create_before_destroy).then_some(res)
}

impl GraphIndex {
    fn new(entries: &[Entry<'_>], evaluator: &Evaluator<'_>) -> GraphIndex {
        let mut by_address = HashMap::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            by_address.entry(entry.address.clone()).or_insert(index);
        }
        let mut locals_reading: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let module = evaluator.module();
        for name in module.locals.keys() {
            for read in module.local_reads_with_variables(name) {
                locals_reading
                    .entry(read.object)
                    .or_default()
                    .insert(name.clone());
            }
        }
        GraphIndex {
            mentions: RefCell::new(HashMap::new()),
            locals_reading,
            by_address,
        }
    }

    /// The places among `entries` whose value mentions `name`: only blocks whose text holds
    /// the name are read.
    fn mentions(&self, entries: &[Entry<'_>], name: &str) -> Rc<[Reader]> {
        if let Some(found) = self.mentions.borrow().get(name) {
            return Rc::clone(found);
        }
        let mut found: Vec<Reader> = Vec::new();
        // One searcher for every block: most blocks do not hold the name, and a vectorised
        // search rules them out quickly.
        let finder = memchr::memmem::Finder::new(name.as_bytes());
        for (index, entry) in entries.iter().enumerate() {
            let holds_name = entry
                .file
                .text
                .get(entry.block.range.to_std())
                .is_some_and(|text| finder.find(text.as_bytes()).is_some());
            if !holds_name {
                continue;
            }
            readers_of(
                &entry.block.body,
                "",
                &entry.file.text,
                &mut |attribute, at, text| {
                    if text.contains(name) && names_in(text).contains(name) {
                        found.push(Reader {
                            entry: index,
                            attribute,
                            range: at.0,
                            value_range: at.1,
                        });
                    }
                },
            );
        }
        let found: Rc<[Reader]> = found.into();
        self.mentions
            .borrow_mut()
            .insert(name.to_owned(), Rc::clone(&found));
        found
    }
}

impl<'m> Graph<'m> {
    fn new(entries: Entries<'m>, evaluator: Eval<'m>) -> Graph<'m> {
        let index = Rc::new(GraphIndex::new(
            match &entries {
                Entries::Edited(entries) => entries,
                Entries::Called(entries) => entries,
            },
            match &evaluator {
                Eval::Edited(evaluator) => evaluator,
                Eval::Called(evaluator) => evaluator,
            },
        ));
        Graph {
            entries,
            evaluator,
            index,
        }
    }

    /// The graph of the edited module, whose index `module` keeps for the other replacements
    /// of the same analysis.
    fn edited(module: &'m ModuleChange<'m>, evaluator: &'m Evaluator<'m>) -> Graph<'m> {
        let index = module
            .cascade_index
            .get_or_init(|| Rc::new(GraphIndex::new(&module.new, evaluator)));
        Graph {
            entries: Entries::Edited(&module.new),
            evaluator: Eval::Edited(evaluator),
            index: Rc::clone(index),
        }
    }

    fn entries(&self) -> &[Entry<'m>] {
        match &self.entries {
            Entries::Edited(entries) => entries,
            Entries::Called(entries) => entries,
        }
    }

    fn evaluator(&self) -> &Evaluator<'m> {
        match &self.evaluator {
            Eval::Edited(evaluator) => evaluator,
            Eval::Called(evaluator) => evaluator,
        }
    }

    /// The places that read `object` (or the variable `var.<name>`), with what they read of
    /// it.
    fn readers(&self, object: &str) -> Vec<(Reader, Option<String>)> {
        let mut candidates: Vec<&Reader> = Vec::new();
        let mut names = vec![object.to_owned()];
        if let Some(locals) = self.index.locals_reading.get(object) {
            names.extend(locals.iter().map(|local| format!("local.{local}")));
        }
        let found: Vec<Rc<[Reader]>> = names
            .iter()
            .map(|name| self.index.mentions(self.entries(), name))
            .collect();
        for readers in &found {
            candidates.extend(readers.iter());
        }
        candidates.sort_by_key(|reader| (reader.entry, reader.range.start()));
        candidates.dedup_by_key(|reader| (reader.entry, reader.range.start()));
        let module = self.evaluator().module();
        let mut res = Vec::new();
        for reader in candidates {
            let entry = &self.entries()[reader.entry];
            for read in module.reads_with_variables(entry.file.path, reader.value_range) {
                if read.object == object {
                    res.push((reader.clone(), read.attribute));
                }
            }
        }
        res
    }

    /// Whether the value written at `range` of the module's file at `path` is known from the
    /// files alone: a literal, or a value the call's inputs decide.
    fn is_known_at(&self, path: &str, range: TextRange) -> bool {
        let at = Location {
            path: path.to_owned(),
            range,
            line: 0,
        };
        let evaluation = self.evaluator().evaluate(&at, None);
        !evaluation.limit_reached && evaluation.value.is_known()
    }

    fn destroyed(&self, address: &str) -> Cascade {
        let mut res = Cascade::new(address, true);
        // A block that still exists at the address (a `moved` target) is not destroyed.
        if self.index.by_address.contains_key(address) {
            return res;
        }
        let mut seen = BTreeSet::new();
        for (reader, attribute) in self.readers(address) {
            let entry = &self.entries()[reader.entry];
            if !seen.insert(entry.address.clone()) || res.broken.len() >= MAX_AFFECTED {
                continue;
            }
            let via = match &attribute {
                Some(attribute) => format!("{address}.{attribute}"),
                None => address.to_owned(),
            };
            res.broken.push(Affected {
                address: entry.address.clone(),
                parent: address.to_owned(),
                via,
                attribute: reader.attribute.clone(),
                reason: Reason::References,
                holds_data: holds_data(entry),
                path: entry.file.path.to_owned(),
                range: reader.range,
                through: Vec::new(),
            });
        }
        res
    }
}

impl<'m> Walk<'m> {
    fn replaced(
        graph: Graph<'m>,
        folders: &'m [CalledFolder<'m>],
        root: &'m Entry<'m>,
        changed: BTreeSet<String>,
    ) -> Cascade {
        let mut res = Cascade::new(&root.address, false);
        res.create_before_destroy = create_before_destroy(root.block);
        let mut walk = Walk::new(graph, folders, folder_of(root.file.path), res);
        walk.start(0, &root.address, changed);
        walk.run()
    }

    /// The cascade of the replacement of `address`, a resource of the module that `calls`
    /// (outermost first) lead to from the edited module, replaced because its `attribute`
    /// changed; `None` when a called module is not among `folders`.
    fn called(
        graph: Graph<'m>,
        folders: &'m [CalledFolder<'m>],
        folder: &str,
        calls: &[String],
        address: &str,
        attribute: &str,
    ) -> Option<Cascade> {
        let prefix: String = calls.iter().map(|call| format!("module.{call}.")).collect();
        let res = Cascade::new(&format!("{prefix}{address}"), false);
        let mut walk = Walk::new(graph, folders, folder, res);
        let mut scope = 0;
        for call in calls {
            scope = walk.scope_of_call(scope, call)?;
        }
        let graph = &walk.scopes[scope].graph;
        let entry = &graph.entries()[*graph.index.by_address.get(address)?];
        walk.res.create_before_destroy = create_before_destroy(entry.block);
        walk.start(scope, address, BTreeSet::from([attribute.to_owned()]));
        Some(walk.run())
    }

    fn new(
        graph: Graph<'m>,
        folders: &'m [CalledFolder<'m>],
        folder: &str,
        res: Cascade,
    ) -> Walk<'m> {
        Walk {
            folders,
            scopes: vec![Scope {
                prefix: String::new(),
                folder: folder.to_owned(),
                caller: None,
                calls: 0,
                graph,
                replaced: BTreeSet::new(),
                variables: BTreeSet::new(),
                outputs: BTreeSet::new(),
            }],
            edited: (0, String::new(), BTreeSet::new()),
            seen: BTreeSet::new(),
            queue: VecDeque::new(),
            res,
        }
    }

    /// Starts the walk at the object at `address` of module `scope`, replaced by the edit,
    /// whose attributes `changed` the edit changed.
    fn start(&mut self, scope: usize, address: &str, changed: BTreeSet<String>) {
        self.seen
            .insert(format!("{}{address}", self.scopes[scope].prefix));
        self.scopes[scope].replaced.insert(address.to_owned());
        self.edited = (scope, address.to_owned(), changed);
        self.queue.push_back(Step {
            scope,
            changed: Changed::Object(address.to_owned()),
            upstream: None,
            depth: 0,
        });
    }

    fn run(mut self) -> Cascade {
        while let Some(step) = self.queue.pop_front() {
            if step.depth >= MAX_DEPTH {
                continue;
            }
            if !self.step(&step) {
                break;
            }
        }
        self.res
    }

    /// Follows one changed object, variable or output to what reads it; `false` once the
    /// cascade is full.
    fn step(&mut self, step: &Step) -> bool {
        let object = match &step.changed {
            Changed::Object(address) => address.clone(),
            Changed::Variable(name) => format!("var.{name}"),
            Changed::Output { call, .. } => format!("module.{call}"),
        };
        self.outputs_reading(step, &object);
        for (reader, attribute) in self.scopes[step.scope].graph.readers(&object) {
            if let Changed::Output { output, .. } = &step.changed
                && attribute.as_ref().is_some_and(|read| read != output)
            {
                continue;
            }
            if !self.read_changes(step.scope, &step.changed, attribute.as_deref()) {
                continue;
            }
            if self.res.replaced.len() + self.res.broken.len() >= MAX_AFFECTED {
                return false;
            }
            let graph = &self.scopes[step.scope].graph;
            let entry = &graph.entries()[reader.entry];
            // A read of only the length of a list, or of whether it is set, sees what the
            // replacement keeps.
            if reader.attribute != "lifecycle.replace_triggered_by"
                && !graph.evaluator().module().reads_value_of(
                    entry.file.path,
                    reader.value_range,
                    &object,
                )
            {
                continue;
            }
            match entry.kind {
                Kind::Resource => self.dependent(step, &reader, attribute.as_deref()),
                Kind::Module => self.input_of_call(step, &reader, attribute.as_deref()),
            }
        }
        true
    }

    /// Whether a read of `attribute` of what changed in module `scope` reads a value that
    /// changes.
    fn read_changes(&self, scope: usize, changed: &Changed, attribute: Option<&str>) -> bool {
        let Changed::Object(address) = changed else {
            return true;
        };
        let Some(name) = attribute else {
            return true;
        };
        (self.edited.0 == scope && self.edited.1 == *address && self.edited.2.contains(name))
            || self.changes_on_replacement(scope, address, name)
    }

    /// Whether `attribute` of the replaced object at `address` of module `scope` has another
    /// value on the new object: it is computed (not written in the configuration), or written
    /// with an expression that reads an object, variable or output the cascade changes.
    fn changes_on_replacement(&self, scope: usize, address: &str, attribute: &str) -> bool {
        let graph = &self.scopes[scope].graph;
        let Some(entry) = graph
            .index
            .by_address
            .get(address)
            .map(|&index| &graph.entries()[index])
        else {
            return true;
        };
        if entry.kind != Kind::Resource {
            return true;
        }
        let Some(written) = entry.block.body.attribute(attribute) else {
            return true;
        };
        let value = graph
            .evaluator()
            .attribute(entry.file.path, written, None)
            .value;
        if value.is_known() {
            return false;
        }
        graph
            .evaluator()
            .module()
            .reads_with_variables(entry.file.path, written.value.range)
            .iter()
            .any(|read| self.is_gone(scope, read))
    }

    /// Whether `read`, in module `scope`, reads an object, variable or output the cascade
    /// changes.
    fn is_gone(&self, scope: usize, read: &ObjectRead) -> bool {
        let scope = &self.scopes[scope];
        if let Some(call) = read.object.strip_prefix("module.") {
            return scope.outputs.iter().any(|(changed, output)| {
                changed == call && read.attribute.as_ref().is_none_or(|read| read == output)
            });
        }
        if let Some(name) = read.object.strip_prefix("var.") {
            return scope.variables.contains(name);
        }
        scope.replaced.contains(&read.object)
    }

    /// The resource `reader` belongs to, which reads what `step` changed: replaced when a
    /// force-new attribute reads it, or when its `replace_triggered_by` names the object.
    fn dependent(&mut self, step: &Step, reader: &Reader, attribute: Option<&str>) {
        let scope = &self.scopes[step.scope];
        let graph = &scope.graph;
        let entry = &graph.entries()[reader.entry];
        let address = format!("{}{}", scope.prefix, entry.address);
        if self.seen.contains(&address) {
            return;
        }
        let object = matches!(step.changed, Changed::Object(_));
        let reason = if reader.attribute == "lifecycle.replace_triggered_by" {
            object.then_some(Reason::Triggered)
        } else if reader.attribute == "depends_on" {
            None
        } else if matches!(reader.attribute.as_str(), "count" | "for_each") {
            // A list that an input or output passes on keeps its length, which may be all
            // that `count` needs: only an object's own values are known to be unknown.
            object.then_some(Reason::Repetition)
        } else if is_force_new(entry.type_name, &reader.attribute) {
            Some(Reason::ForceNew)
        } else {
            None
        };
        let Some(reason) = reason else {
            return;
        };
        // A value that comes through a call is judged as the call gives it: the part of an
        // object input that the caller writes as a literal is the same after the replacement.
        if !object && graph.is_known_at(entry.file.path, reader.value_range) {
            return;
        }
        // A resource that the call's values give no instance is not there to replace.
        if scope.caller.is_some()
            && graph.evaluator().instances(entry.file.path, entry.block)
                == Instances::Known(Vec::new())
        {
            return;
        }
        let (parent, via, through) = self.source_of(step, attribute);
        let affected = Affected {
            address: address.clone(),
            parent,
            via,
            attribute: reader.attribute.clone(),
            reason,
            holds_data: holds_data(entry),
            path: entry.file.path.to_owned(),
            range: reader.range,
            through,
        };
        let local = entry.address.clone();
        self.seen.insert(address);
        if reason == Reason::Repetition {
            self.res.broken.push(affected);
            return;
        }
        self.res.replaced.push(affected);
        self.scopes[step.scope].replaced.insert(local.clone());
        self.queue.push_back(Step {
            scope: step.scope,
            changed: Changed::Object(local),
            upstream: None,
            depth: step.depth + 1,
        });
    }

    /// The module call `reader` belongs to, whose input reads what `step` changed: the
    /// called module's variable changes, and what reads it there is followed.
    fn input_of_call(&mut self, step: &Step, reader: &Reader, attribute: Option<&str>) {
        let input = reader.attribute.as_str();
        if CALL_ARGUMENTS.contains(&input) || input.contains('.') {
            return;
        }
        let scope = &self.scopes[step.scope];
        let entry = &scope.graph.entries()[reader.entry];
        let Some(call) = entry.address.strip_prefix("module.").map(str::to_owned) else {
            return;
        };
        let call_address = format!("{}module.{call}", scope.prefix);
        let Some(child) = self.scope_of_call(step.scope, &call) else {
            return;
        };
        let child_scope = &self.scopes[child];
        if !child_scope
            .graph
            .evaluator()
            .module()
            .variables
            .contains_key(input)
            || child_scope.variables.contains(input)
        {
            return;
        }
        let (parent, via, mut through) = self.source_of(step, attribute);
        through.push(format!("the input `{input}` of `{call_address}`"));
        self.scopes[child].variables.insert(input.to_owned());
        self.queue.push_back(Step {
            scope: child,
            changed: Changed::Variable(input.to_owned()),
            upstream: Some(Upstream {
                parent,
                via,
                through,
            }),
            depth: step.depth + 1,
        });
    }

    /// The outputs of a called module that read what `step` changed: the caller's reads of
    /// them are followed.
    fn outputs_reading(&mut self, step: &Step, object: &str) {
        let scope = &self.scopes[step.scope];
        let Some((caller, call)) = scope.caller.clone() else {
            return;
        };
        let module = scope.graph.evaluator().module();
        let mut changed_outputs: Vec<(String, Option<String>)> = Vec::new();
        for (name, output) in &module.outputs {
            let Some(value) = &output.value else {
                continue;
            };
            if self.scopes[caller]
                .outputs
                .contains(&(call.clone(), name.clone()))
            {
                continue;
            }
            let read = module
                .reads_with_variables(&value.path, value.range)
                .into_iter()
                .find(|read| {
                    read.object == object
                        && match &step.changed {
                            Changed::Output { output, .. } => {
                                read.attribute.as_ref().is_none_or(|read| read == output)
                            }
                            changed => {
                                self.read_changes(step.scope, changed, read.attribute.as_deref())
                            }
                        }
                });
            let Some(read) = read else {
                continue;
            };
            if !module.reads_value_of(&value.path, value.range, object) {
                continue;
            }
            if !matches!(step.changed, Changed::Object(_))
                && scope.graph.is_known_at(&value.path, value.range)
            {
                continue;
            }
            changed_outputs.push((name.clone(), read.attribute));
        }
        let module_address = scope.prefix.trim_end_matches('.').to_owned();
        for (output, attribute) in changed_outputs {
            let (parent, via, mut through) = self.source_of(step, attribute.as_deref());
            through.push(format!("the output `{output}` of `{module_address}`"));
            self.scopes[caller]
                .outputs
                .insert((call.clone(), output.clone()));
            self.queue.push_back(Step {
                scope: caller,
                changed: Changed::Output {
                    call: call.clone(),
                    output,
                },
                upstream: Some(Upstream {
                    parent,
                    via,
                    through,
                }),
                depth: step.depth + 1,
            });
        }
    }

    /// The object a reader of what `step` changed depends on, what it reads of it, and the
    /// module boundaries the value crosses: `(parent, via, through)`.
    fn source_of(&self, step: &Step, attribute: Option<&str>) -> (String, String, Vec<String>) {
        if let (Changed::Variable(_) | Changed::Output { .. }, Some(upstream)) =
            (&step.changed, &step.upstream)
        {
            return (
                upstream.parent.clone(),
                upstream.via.clone(),
                upstream.through.clone(),
            );
        }
        let prefix = &self.scopes[step.scope].prefix;
        let parent = match &step.changed {
            Changed::Object(address) => format!("{prefix}{address}"),
            Changed::Variable(name) => format!("{prefix}var.{name}"),
            Changed::Output { call, output } => format!("{prefix}module.{call}.{output}"),
        };
        let via = match (attribute, &step.changed) {
            (Some(attribute), Changed::Object(_)) => format!("{parent}.{attribute}"),
            _ => parent.clone(),
        };
        (parent, via, Vec::new())
    }

    /// The module that `call` of module `scope` calls, read with the call's inputs on first
    /// use; `None` for a call that is not local, a folder the edit was not given, a cycle, a
    /// call with no instance, or past the bounds.
    fn scope_of_call(&mut self, scope: usize, call: &str) -> Option<usize> {
        let prefix = format!("{}module.{call}.", self.scopes[scope].prefix);
        if let Some(found) = self.scopes.iter().position(|other| other.prefix == prefix) {
            return Some(found);
        }
        let caller = &self.scopes[scope];
        if self.scopes.len() >= MAX_MODULES || caller.calls >= MAX_CALL_DEPTH {
            return None;
        }
        let evaluator = caller.graph.evaluator();
        let module_call = evaluator.module().module_calls.get(call)?;
        let folder = local_source_folder(&caller.folder, module_call.source.as_deref()?)?;
        // A module that calls itself, directly or through others, never ends; Terraform
        // refuses it too.
        let mut at = Some(scope);
        while let Some(index) = at {
            if self.scopes[index].folder == folder {
                return None;
            }
            at = self.scopes[index].caller.as_ref().map(|(index, _)| *index);
        }
        let found = self.folders.iter().find(|other| other.folder == folder)?;
        if evaluator.call_instances(module_call) == Instances::Known(Vec::new()) {
            return None;
        }
        let module = found.module.module();
        let binding = bind(evaluator, module_call, module, None);
        let graph = Graph::new(
            Entries::Called(entries(found.files)),
            Eval::Called(Box::new(Evaluator::called(module, &binding))),
        );
        let calls = caller.calls + 1;
        self.scopes.push(Scope {
            prefix,
            folder,
            caller: Some((scope, call.to_owned())),
            calls,
            graph,
            replaced: BTreeSet::new(),
            variables: BTreeSet::new(),
            outputs: BTreeSet::new(),
        });
        Some(self.scopes.len() - 1)
    }
}

fn holds_data(entry: &Entry<'_>) -> bool {
    entry.kind == Kind::Resource && data_value::of(entry.type_name) == DataValue::High
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
            Reason::ForceNew if !self.through.is_empty() => format!(
                "`{address}` is replaced{data}: its force-new `{attribute}` reads `{via}`, which \
                 changes, through {}",
                self.through.join(" and ")
            ),
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
        .predecessor(new)
        .map(|base| changed_attributes(&module.base[base], entry))
        .unwrap_or_default();
    changed.insert(attribute.split('.').next().unwrap_or(attribute).to_owned());
    cascade(
        ctx.terraform_module(),
        module,
        called_folders(ctx),
        Root::Replaced { entry, changed },
    )
}

/// A resource of a local module that the file calls, directly or through the modules it
/// calls, which an edit of the call's inputs replaces: an input changed from one value the
/// files decide to another flows into a force-new attribute of the resource.
pub(crate) struct CalledReplacement {
    /// The input's name.
    pub input: String,
    /// The input after the edit, and its value expression.
    pub range: TextRange,
    pub value_range: TextRange,
    /// The input's value expression before the edit, as written.
    pub old_text: String,
    /// The input's values before and after the edit.
    pub before: Value,
    pub after: Value,
    /// The call's address: `module.net`.
    pub call: String,
    /// The replaced resource's address in the module tree (`module.net.aws_vpc.this`) and
    /// type.
    pub address: String,
    pub type_name: String,
    /// Its force-new attribute whose value the input changes.
    pub attribute: String,
    /// The called module's file, and the attribute's range in it.
    pub path: String,
    pub attribute_range: TextRange,
    /// What else goes with the resource.
    pub cascade: Option<Cascade>,
}

/// How many instances of one resource are compared.
const MAX_INSTANCES: usize = 16;

/// A resource of a called module whose force-new attribute changes with an input.
struct ChangedResource {
    /// The calls that lead to its module, outermost first: `["db", "db_instance"]`.
    calls: Vec<String>,
    address: String,
    type_name: String,
    attribute: String,
    path: String,
    range: TextRange,
}

/// The resources of the local modules that the module calls of the file `ctx` checks (and
/// the modules those call, `MAX_CALL_DEPTH` deep), whose force-new attributes an input the
/// edit changed in the file changes, from one value the files decide to another, with what
/// goes with each. Each input is judged alone: the called modules are evaluated with the
/// call's inputs before the edit, and again with only that input changed. Calls with `count`
/// or `for_each` are left alone, and so are resources whose instances differ between the two.
pub(crate) fn called_replacements<'m>(
    ctx: &RuleContext<'m>,
    module: &'m ModuleChange<'m>,
) -> Vec<CalledReplacement> {
    let folders = called_folders(ctx);
    let (Some(change), false) = (ctx.change(), folders.is_empty()) else {
        return Vec::new();
    };
    let path = ctx.file().path;
    let calls: Vec<(usize, usize)> = module
        .kept()
        .iter()
        .copied()
        .filter(|&(base, new)| {
            let (old, entry) = (&module.base[base], &module.new[new]);
            entry.kind == Kind::Module
                && old.kind == Kind::Module
                && entry.file.path == path
                && entry.repetition == Repetition::Single
                && old.repetition == Repetition::Single
        })
        .collect();
    if calls.is_empty() {
        return Vec::new();
    }
    let (Some(base_eval), Some(new_eval)) = (change.base_module(), ctx.terraform_module()) else {
        return Vec::new();
    };
    let own_folder = folder_of(path);
    let mut res = Vec::new();
    for (base, new) in calls {
        let (old, entry) = (&module.base[base], &module.new[new]);
        let (Some(name), Some(old_name)) = (
            entry.address.strip_prefix("module."),
            old.address.strip_prefix("module."),
        ) else {
            continue;
        };
        let (Some(new_call), Some(base_call)) = (
            new_eval.module().module_calls.get(name),
            base_eval.module().module_calls.get(old_name),
        ) else {
            continue;
        };
        // Another source is another module: its resources are judged as new ones.
        if new_call.source != base_call.source {
            continue;
        }
        let Some(folder) = new_call
            .source
            .as_deref()
            .and_then(|source| local_source_folder(own_folder, source))
        else {
            continue;
        };
        let Some(found) = folders.iter().find(|other| other.folder == folder) else {
            continue;
        };
        if folder == own_folder {
            continue;
        }
        let child = found.module.module();
        let inputs: Vec<(&Attribute, &Attribute)> = entry
            .block
            .body
            .attributes
            .iter()
            .filter(|input| {
                !CALL_ARGUMENTS.contains(&input.name.as_str())
                    && child.variables.contains_key(&input.name)
            })
            .filter_map(|input| {
                let before = old.block.body.attribute(&input.name)?;
                (normalise(slice(&old.file.text, before.value.range))
                    != normalise(slice(&entry.file.text, input.value.range)))
                .then_some((before, input))
            })
            .collect();
        if inputs.is_empty() {
            continue;
        }
        let base_binding = bind(base_eval, base_call, child, None);
        let new_binding = bind(new_eval, new_call, child, None);
        for (before_input, input) in inputs {
            let (Some(before), Some(after)) = (
                base_binding.inputs.get(&input.name),
                new_binding.inputs.get(&input.name),
            ) else {
                continue;
            };
            // A value the files do not decide on a side may not change: RL-TF-006 judges
            // such edits in the module itself.
            if !before.value.is_known() || !after.value.is_known() || before.value == after.value {
                continue;
            }
            let mut changed = base_binding.clone();
            changed.inputs.insert(input.name.clone(), after.clone());
            let mut found_resources = Vec::new();
            compare_called(
                folders,
                found,
                (&base_binding, &changed),
                &mut vec![own_folder.to_owned(), folder.clone()],
                &[name.to_owned()],
                &mut found_resources,
            );
            for resource in found_resources {
                let graph = Graph::edited(module, new_eval);
                let cascade = Walk::called(
                    graph,
                    folders,
                    own_folder,
                    &resource.calls,
                    &resource.address,
                    &resource.attribute,
                )
                .filter(|cascade| !cascade.is_empty());
                let prefix: String = resource
                    .calls
                    .iter()
                    .map(|call| format!("module.{call}."))
                    .collect();
                res.push(CalledReplacement {
                    input: input.name.clone(),
                    range: input.range,
                    value_range: input.value.range,
                    old_text: slice(&old.file.text, before_input.value.range).to_owned(),
                    before: before.value.clone(),
                    after: after.value.clone(),
                    call: entry.address.clone(),
                    address: format!("{prefix}{}", resource.address),
                    type_name: resource.type_name,
                    attribute: resource.attribute,
                    path: resource.path,
                    attribute_range: resource.range,
                    cascade,
                });
            }
        }
    }
    res
}

/// The resources of the called module in `folder`, and of the local modules it calls, whose
/// force-new attributes differ between the two bindings (`bindings`: before, and with the
/// changed input), both sides known. `stack` holds the folders being compared, outermost
/// first: a call of one of them is a cycle.
fn compare_called<'m>(
    folders: &'m [CalledFolder<'m>],
    folder: &CalledFolder<'m>,
    bindings: (&Binding, &Binding),
    stack: &mut Vec<String>,
    calls: &[String],
    res: &mut Vec<ChangedResource>,
) {
    let module = folder.module.module();
    let before = Evaluator::called(module, bindings.0);
    let after = Evaluator::called(module, bindings.1);
    for resource in entries(folder.files) {
        if resource.kind != Kind::Resource {
            continue;
        }
        let path = resource.file.path;
        let instances = after.instances(path, resource.block);
        if instances != before.instances(path, resource.block) {
            continue;
        }
        let instances: Vec<Option<Instance>> = match instances {
            Instances::Single => vec![None],
            Instances::Known(list) if list.len() <= MAX_INSTANCES => {
                list.into_iter().map(Some).collect()
            }
            Instances::Known(_) | Instances::Unknown => continue,
        };
        let changed = force_new_attributes(resource.type_name)
            .iter()
            .filter(|force_new| {
                force_new.replacement == Replacement::Always && !force_new.attribute.contains('.')
            })
            .find_map(|force_new| {
                let written = resource.block.body.attribute(force_new.attribute)?;
                instances
                    .iter()
                    .any(|instance| {
                        let was = before.attribute(path, written, instance.as_ref());
                        let is = after.attribute(path, written, instance.as_ref());
                        !was.limit_reached
                            && !is.limit_reached
                            && was.value.is_known()
                            && is.value.is_known()
                            && was.value != is.value
                    })
                    .then_some(written)
            });
        if let Some(written) = changed {
            res.push(ChangedResource {
                calls: calls.to_vec(),
                address: resource.address.clone(),
                type_name: resource.type_name.to_owned(),
                attribute: written.name.clone(),
                path: path.to_owned(),
                range: written.range,
            });
        }
    }
    if calls.len() >= MAX_CALL_DEPTH {
        return;
    }
    let own = stack.last().cloned().unwrap_or_default();
    for nested in module.module_calls.values() {
        if nested.count.is_some() || nested.for_each.is_some() {
            continue;
        }
        let Some(nested_folder) = nested
            .source
            .as_deref()
            .and_then(|source| local_source_folder(&own, source))
        else {
            continue;
        };
        if stack.contains(&nested_folder) {
            continue;
        }
        let Some(found) = folders.iter().find(|other| other.folder == nested_folder) else {
            continue;
        };
        let child = found.module.module();
        let nested_before = bind(&before, nested, child, None);
        let nested_after = bind(&after, nested, child, None);
        if nested_before.same_values(&nested_after) {
            continue;
        }
        stack.push(nested_folder);
        let mut nested_calls = calls.to_vec();
        nested_calls.push(nested.name.clone());
        compare_called(
            folders,
            found,
            (&nested_before, &nested_after),
            stack,
            &nested_calls,
            res,
        );
        stack.pop();
    }
}

/// The cascade of the removal of the block at `address`.
pub(crate) fn of_removal<'m>(
    ctx: &RuleContext<'m>,
    module: &'m ModuleChange<'m>,
    address: &'m str,
) -> Option<Cascade> {
    cascade(
        ctx.terraform_module(),
        module,
        called_folders(ctx),
        Root::Destroyed { address },
    )
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
        called_folders(ctx),
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

/// The Terraform folders of the edit, among which the cascade finds the local modules the
/// file's module calls.
fn called_folders<'m>(ctx: &RuleContext<'m>) -> &'m [CalledFolder<'m>] {
    ctx.change().map_or(&[], |change| change.called_folders)
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

//! The symbol table of one Terraform module: everything its `.tf` and `.tf.json` files declare,
//! by name, with the place each declaration is written.
//!
//! Files are read in lexical order of their paths, as Terraform loads a folder, and override
//! files (`override.tf`, `*_override.tf`, and their `.tf.json` forms) after all others. A name
//! declared twice keeps its first declaration, and the second becomes a `Problem`. An override
//! file replaces the locals it sets and the attributes it sets on existing variables; its other
//! blocks are not merged (its attributes can still be evaluated by location).

use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock};

use redline_text::{TextRange, TextSize};
use tree_sitter::Node as TsNode;

use super::lower::{self, Expression};
use super::{Location, Problem};
use crate::terraform::{Attribute, Block, Syntax, TerraformFile};
use crate::value::{Entry, Node};
use crate::{Format, SourceFile, hcl};

/// How deep the JSON index descends; matches the JSON reader's own bound.
const MAX_JSON_DEPTH: usize = crate::value::MAX_DEPTH;

/// How deep the HCL index descends into nested blocks; matches the Terraform model's bound.
const MAX_BLOCK_DEPTH: usize = 33;

/// Everything one module declares.
#[derive(Clone, Debug)]
pub struct Module {
    /// The display paths of the module's files, in the order they were read.
    pub files: Vec<String>,
    /// `variable` blocks by name.
    pub variables: BTreeMap<String, Variable>,
    /// `locals` entries by name.
    pub locals: BTreeMap<String, Local>,
    /// Managed resources by address (`aws_s3_bucket.logs`).
    pub resources: BTreeMap<String, Declaration>,
    /// Data sources by address (`data.aws_iam_policy_document.x`).
    pub data_sources: BTreeMap<String, Declaration>,
    /// `module` calls by name.
    pub module_calls: BTreeMap<String, ModuleCall>,
    /// `output` blocks by name.
    pub outputs: BTreeMap<String, Output>,
    /// `moved` blocks, in reading order.
    pub moved: Vec<Moved>,
    /// `removed` blocks, in reading order.
    pub removed: Vec<Removed>,
    /// `import` blocks, in reading order.
    pub imports: Vec<Import>,
    /// The first `backend` (or `cloud`) block inside a `terraform` block.
    pub backend: Option<Backend>,
    /// `provider` configuration blocks, in reading order.
    pub providers: Vec<ProviderConfig>,
    /// Duplicates and other declarations that could not be taken as written.
    pub problems: Vec<Problem>,
    /// Every attribute value of every file, lowered (some on first use), by file path.
    pub(crate) expressions: BTreeMap<String, Arc<FileExpressions>>,
    /// Whether a `versions.tf` holds nothing but provider requirements (see `classify`).
    versions_file_only_requirements: bool,
}

/// The attribute values of one file, by value range, lowered: those of the module's wiring
/// (variables, locals, outputs, module calls, providers) when the file is read, and those of
/// `resource` and `data` blocks, which make up most of a module's text and of which the rules
/// evaluate few, on first use, from the file's text.
#[derive(Clone, Debug, Default)]
pub(crate) struct FileExpressions {
    /// The text of the file, kept when some values are lowered on first use.
    text: Option<Arc<str>>,
    /// By range, sorted, each range once: a module holds one per attribute of every file, so
    /// they are kept without the slack of a tree.
    values: Vec<(TextRange, OnceLock<Expression>)>,
}

impl FileExpressions {
    /// Whether an attribute value is written at `range`.
    pub(crate) fn contains(&self, range: TextRange) -> bool {
        self.slot(range).is_some()
    }

    fn slot(&self, range: TextRange) -> Option<&OnceLock<Expression>> {
        let at = self
            .values
            .binary_search_by_key(&range, |(range, _)| *range)
            .ok()?;
        Some(&self.values[at].1)
    }

    /// The attribute value written at `range`, lowered.
    pub(crate) fn get(&self, range: TextRange) -> Option<&Expression> {
        let slot = self.slot(range)?;
        Some(slot.get_or_init(|| {
            self.text
                .as_deref()
                .and_then(|text| text.get(range.start().to_usize()..range.end().to_usize()))
                .map_or(Expression::Unsupported, lower::from_hcl_source)
        }))
    }
}

/// A `variable` block.
#[derive(Clone, Debug)]
pub struct Variable {
    /// The variable name.
    pub name: String,
    /// The whole block.
    pub location: Location,
    /// The `default` value expression, if written.
    pub default: Option<Location>,
    /// The `type` constraint as written, such as `bool` or `list(string)`.
    pub type_constraint: Option<String>,
    /// `nullable` (true unless written `false`): whether `null` replaces the default.
    pub nullable: bool,
    /// `sensitive = true`.
    pub sensitive: bool,
    /// The default, lowered as a literal (the JSON syntax does not interpolate defaults).
    pub(crate) default_expression: Option<Expression>,
}

/// One entry of a `locals` block.
#[derive(Clone, Debug)]
pub struct Local {
    /// The local name.
    pub name: String,
    /// `name = value` as a whole.
    pub location: Location,
    /// The value expression.
    pub value: Location,
}

/// A `resource` or `data` block.
#[derive(Clone, Debug)]
pub struct Declaration {
    /// `aws_s3_bucket.logs`, or `data.aws_iam_policy_document.x` for a data source.
    pub address: String,
    /// The type, such as `aws_s3_bucket`.
    pub resource_type: String,
    /// The name, such as `logs`.
    pub name: String,
    /// The whole block.
    pub location: Location,
    /// The `count` expression, if written.
    pub count: Option<Location>,
    /// The `for_each` expression, if written.
    pub for_each: Option<Location>,
}

/// The arguments of a `module` block that Terraform reads itself; every other attribute is an
/// input of the called module.
pub const CALL_ARGUMENTS: [&str; 6] = [
    "source",
    "version",
    "count",
    "for_each",
    "depends_on",
    "providers",
];

/// A `module` block.
#[derive(Clone, Debug)]
pub struct ModuleCall {
    /// The call name (`vpc` in `module.vpc`).
    pub name: String,
    /// The whole block.
    pub location: Location,
    /// `source`, when it is a plain string.
    pub source: Option<String>,
    /// `version`, when it is a plain string.
    pub version: Option<String>,
    /// The input values passed to the module, by input name (meta-arguments excluded).
    pub inputs: BTreeMap<String, Location>,
    /// The `count` expression, if written.
    pub count: Option<Location>,
    /// The `for_each` expression, if written.
    pub for_each: Option<Location>,
}

/// An `output` block.
#[derive(Clone, Debug)]
pub struct Output {
    /// The output name.
    pub name: String,
    /// The whole block.
    pub location: Location,
    /// The `value` expression.
    pub value: Option<Location>,
    /// `sensitive = true`.
    pub sensitive: bool,
}

/// A `moved` block.
#[derive(Clone, Debug)]
pub struct Moved {
    /// The whole block.
    pub location: Location,
    /// The old address as written, such as `aws_s3_bucket.old`.
    pub from: Option<String>,
    /// The new address as written.
    pub to: Option<String>,
}

/// A `removed` block.
#[derive(Clone, Debug)]
pub struct Removed {
    /// The whole block.
    pub location: Location,
    /// The address that leaves the configuration.
    pub from: Option<String>,
    /// `lifecycle { destroy = … }`: `Some(false)` forgets the object instead of destroying it.
    pub destroy: Option<bool>,
}

/// An `import` block.
#[derive(Clone, Debug)]
pub struct Import {
    /// The whole block.
    pub location: Location,
    /// The address the object is imported to, as written.
    pub to: Option<String>,
    /// The `id` expression.
    pub id: Option<Location>,
}

/// The state backend a `terraform` block configures.
#[derive(Clone, Debug)]
pub struct Backend {
    /// The backend type (`s3`, `gcs`, …), or `cloud` for a `cloud` block.
    pub kind: String,
    /// The `backend` or `cloud` block.
    pub location: Location,
}

/// A `provider` configuration block.
#[derive(Clone, Debug)]
pub struct ProviderConfig {
    /// The provider's local name, such as `aws`.
    pub name: String,
    /// `alias`, when written.
    pub alias: Option<String>,
    /// The whole block.
    pub location: Location,
}

/// What the caller knows about where a module sits, for `Module::classify`.
#[derive(Clone, Copy, Debug)]
pub struct ModuleLayout {
    /// Another module in the repository calls this one (`source = "../this"`).
    pub is_called: bool,
    /// The folder has `examples/` or `modules/` subfolders, as published modules do.
    pub has_examples_or_modules_dir: bool,
    /// The folder has a `terraform.tfvars` or `*.auto.tfvars` file, which only a root module
    /// reads.
    pub has_tfvars: bool,
}

/// Whether a module is applied directly or called by others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleKind {
    /// Applied directly: variable defaults are the values unless tfvars override them.
    Root,
    /// Called by other modules: each caller decides the variables, so defaults are only
    /// defaults.
    Reusable,
}

/// Why `classify` decided as it did, for messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KindReason {
    /// The module configures a state backend.
    Backend(Location),
    /// The module configures a provider.
    Provider(Location),
    /// The folder has tfvars files.
    Tfvars,
    /// Another module calls it.
    Called,
    /// It is laid out as a published module.
    PublishedLayout,
    /// Nothing calls it and nothing marks it as reusable.
    NotCalled,
}

/// The outcome of `classify`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Classification {
    /// Root or reusable.
    pub kind: ModuleKind,
    /// The deciding signal.
    pub reason: KindReason,
}

impl Module {
    /// Reads the symbol table of the Terraform files among `files` (files of other formats
    /// are skipped). Never fails: what cannot be read becomes a `Problem` or is left out.
    pub fn build(files: &[&SourceFile<'_>]) -> Module {
        let mut module = Module::empty();
        for file in reading_ordered(files) {
            module.read(file);
        }
        module
    }

    /// A module with no file read yet; `read` adds files one by one, so that a caller can drop
    /// each file's tree once it is read. Files must come in `reading_order`, each once, as
    /// `build` gives them.
    pub fn empty() -> Module {
        Module {
            files: Vec::new(),
            variables: BTreeMap::new(),
            locals: BTreeMap::new(),
            resources: BTreeMap::new(),
            data_sources: BTreeMap::new(),
            module_calls: BTreeMap::new(),
            outputs: BTreeMap::new(),
            moved: Vec::new(),
            removed: Vec::new(),
            imports: Vec::new(),
            backend: None,
            providers: Vec::new(),
            problems: Vec::new(),
            expressions: BTreeMap::new(),
            versions_file_only_requirements: false,
        }
    }

    /// Reads one more Terraform file into the module (see `empty`).
    pub fn read(&mut self, file: &SourceFile<'_>) {
        self.files.push(file.path.to_owned());
        match FileSymbols::read(file) {
            Some(FileSymbols {
                path,
                items,
                expressions,
                versions_file_only_requirements,
            }) => self.add_symbols(path, expressions, items, versions_file_only_requirements),
            None => Reader::new(file).read_override_into(self),
        }
    }

    /// `build`, taking what each file declares from the file's own record of it
    /// (`SourceFile::module_symbols`), made on first use and kept with the file: a module
    /// assembled again after one of its files changed reads only that file. The result equals
    /// `build`'s.
    pub fn build_reusing(files: &[&SourceFile<'_>]) -> Module {
        let mut module = Module::empty();
        for file in reading_ordered(files) {
            match file.module_symbols() {
                Some(symbols) => {
                    module.files.push(file.path.to_owned());
                    module.add_symbols(
                        symbols.path.clone(),
                        Arc::clone(&symbols.expressions),
                        symbols.items.iter().cloned(),
                        symbols.versions_file_only_requirements,
                    );
                }
                None => module.read(file),
            }
        }
        module
    }

    /// Adds what one file that is not an override file declares (its `FileSymbols`).
    fn add_symbols(
        &mut self,
        path: String,
        expressions: Arc<FileExpressions>,
        items: impl IntoIterator<Item = Item>,
        versions_file_only_requirements: bool,
    ) {
        self.expressions.entry(path).or_insert(expressions);
        for item in items {
            self.add(item);
        }
        self.versions_file_only_requirements |= versions_file_only_requirements;
    }

    /// Adds one declaration of a file that is not an override file: a name declared before
    /// keeps its first declaration, and this one becomes a problem.
    fn add(&mut self, item: Item) {
        let problems = &mut self.problems;
        match item {
            Item::Variable(variable) => keep_first(
                &mut self.variables,
                problems,
                variable.name.clone(),
                variable,
                |variable| &variable.location,
                |name| format!("variable `{name}`"),
                "declaration",
            ),
            Item::Local(local) => keep_first(
                &mut self.locals,
                problems,
                local.name.clone(),
                local,
                |local| &local.location,
                |name| format!("local `{name}`"),
                "definition",
            ),
            Item::Declaration { data, declaration } => keep_first(
                if data {
                    &mut self.data_sources
                } else {
                    &mut self.resources
                },
                problems,
                declaration.address.clone(),
                declaration,
                |declaration| &declaration.location,
                |address| format!("`{address}`"),
                "block",
            ),
            Item::ModuleCall(call) => keep_first(
                &mut self.module_calls,
                problems,
                call.name.clone(),
                call,
                |call| &call.location,
                |name| format!("`module.{name}`"),
                "block",
            ),
            Item::Output(output) => keep_first(
                &mut self.outputs,
                problems,
                output.name.clone(),
                output,
                |output| &output.location,
                |name| format!("output `{name}`"),
                "block",
            ),
            Item::Moved(moved) => self.moved.push(moved),
            Item::Removed(removed) => self.removed.push(removed),
            Item::Import(import) => self.imports.push(import),
            Item::Terraform(backend) => {
                if self.backend.is_none() {
                    self.backend = backend;
                }
            }
            Item::Provider(provider) => self.providers.push(provider),
            Item::Problem(problem) => self.problems.push(problem),
        }
    }

    /// Tells a root module from a reusable one.
    ///
    /// A module is a root when it configures a backend or a provider, or its folder has
    /// tfvars. Otherwise it is reusable when it is laid out as a published module (`examples/`
    /// or `modules/` subfolders, or a `versions.tf` that holds nothing but
    /// `required_providers`/`required_version`), or when another module calls it. A module
    /// that nothing calls and nothing marks as reusable is a root.
    pub fn classify(&self, layout: &ModuleLayout) -> Classification {
        let (kind, reason) = if let Some(backend) = &self.backend {
            (
                ModuleKind::Root,
                KindReason::Backend(backend.location.clone()),
            )
        } else if let Some(provider) = self.providers.first() {
            (
                ModuleKind::Root,
                KindReason::Provider(provider.location.clone()),
            )
        } else if layout.has_tfvars {
            (ModuleKind::Root, KindReason::Tfvars)
        } else if layout.has_examples_or_modules_dir || self.versions_file_only_requirements {
            // Checked before calls: a published module's examples call it too, and its own
            // defaults are its authors' choice, not a finding.
            (ModuleKind::Reusable, KindReason::PublishedLayout)
        } else if layout.is_called {
            (ModuleKind::Reusable, KindReason::Called)
        } else {
            (ModuleKind::Root, KindReason::NotCalled)
        };
        Classification { kind, reason }
    }
}

/// Adds `item` to `table` under `key`, unless an earlier declaration holds the key: then that
/// one stays, and `item` becomes the problem "duplicate <what>; the <place> at <first> is used".
fn keep_first<T>(
    table: &mut BTreeMap<String, T>,
    problems: &mut Vec<Problem>,
    key: String,
    item: T,
    location: fn(&T) -> &Location,
    what: impl FnOnce(&str) -> String,
    place: &str,
) {
    match table.get(&key) {
        Some(first) => problems.push(Problem {
            message: format!(
                "duplicate {}; the {place} at {} is used",
                what(&key),
                location(first)
            ),
            location: location(&item).clone(),
        }),
        None => {
            table.insert(key, item);
        }
    }
}

/// A boolean attribute of a block, when written as a literal.
fn flag(block: &Block, name: &str) -> Option<bool> {
    block
        .body
        .attribute(name)
        .and_then(|attribute| attribute.value.value.as_bool())
}

/// The file name at the end of a display path.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The order in which Terraform reads a module's files: by name, override files last.
pub fn reading_order(path: &str) -> (bool, &str) {
    (is_override(path), path)
}

/// The Terraform files among `files` in `reading_order`, each path once.
fn reading_ordered<'s, 'f>(files: &'s [&'s SourceFile<'f>]) -> Vec<&'s SourceFile<'f>> {
    let mut ordered: Vec<&SourceFile<'_>> = files
        .iter()
        .copied()
        .filter(|file| file.format == Format::Terraform)
        .collect();
    ordered.sort_by_key(|file| reading_order(file.path));
    ordered.dedup_by_key(|file| file.path);
    ordered
}

/// What one Terraform file that is not an override file declares, in the order written, with
/// its lowered values: enough to add the file to a module without reading it again
/// (`Module::build_reusing`).
#[derive(Debug)]
pub struct FileSymbols {
    path: String,
    items: Vec<Item>,
    expressions: Arc<FileExpressions>,
    versions_file_only_requirements: bool,
}

impl FileSymbols {
    /// Reads what `file` declares; `None` for an override file, whose blocks change what
    /// other files declared and are read into the module directly.
    pub(crate) fn read(file: &SourceFile<'_>) -> Option<FileSymbols> {
        if is_override(file.path) {
            return None;
        }
        if file.for_edits
            && file.terraform().syntax == Syntax::Hcl
            && !file.tree.root_node().has_error()
            && let Some(symbols) = FileSymbols::read_by_block(file)
        {
            return Some(symbols);
        }
        let reader = Reader::new(file);
        let expressions = Arc::new(reader.expressions());
        let mut items = Vec::new();
        for block in &reader.model.blocks {
            reader.items(block, &mut items);
        }
        Some(FileSymbols {
            path: file.path.to_owned(),
            items,
            expressions,
            versions_file_only_requirements: is_versions_file_only_requirements(
                file.path,
                reader.model,
            ),
        })
    }

    /// Reads a file parsed for an editor, without syntax errors, block by block: each
    /// top-level block is taken again by its text from `KEPT_SYMBOLS` when a block of the same
    /// text was read before, as its Terraform model is (`terraform::kept_block`), so that a
    /// keystroke reads only the block it touched. `None` when the tree's blocks are not those
    /// of the model.
    fn read_by_block(file: &SourceFile<'_>) -> Option<FileSymbols> {
        let model = file.terraform();
        let nodes = hcl::root_body(&file.tree).map_or_else(Vec::new, hcl::Body::blocks);
        if nodes.len() != model.blocks.len() {
            return None;
        }
        let mut items = Vec::new();
        let mut values = Vec::new();
        let mut lowered_later = false;
        for (block, node) in model.blocks.iter().zip(nodes) {
            lowered_later |= is_lowered_later(Syntax::Hcl, &block.kind);
            let kept = crate::text_memo::kept_at(
                &KEPT_SYMBOLS,
                file.slice(block.range),
                block.range.start(),
                || Reader::for_block(file, node).block_symbols(block),
                |symbols, from, to| symbols.move_to(file, from, to),
            );
            items.extend(kept.items);
            values.extend(kept.values);
        }
        Some(FileSymbols {
            path: file.path.to_owned(),
            items,
            expressions: Arc::new(FileExpressions {
                text: lowered_later.then(|| Arc::from(&*file.text)),
                values,
            }),
            versions_file_only_requirements: is_versions_file_only_requirements(file.path, model),
        })
    }
}

/// The most text of top-level blocks whose symbols are kept (see
/// `FileSymbols::read_by_block`), and the longest block kept: as for their models.
const KEPT_SYMBOLS_TEXT: usize = 4 << 20;
const KEPT_SYMBOLS_LONGEST: usize = 256 << 10;

/// What top-level blocks of files parsed for edits declare, by their text, each read as if
/// it started at offset 0 on line 0.
static KEPT_SYMBOLS: crate::text_memo::SharedMemo<BlockSymbols> =
    crate::text_memo::SharedMemo::new(KEPT_SYMBOLS_TEXT, KEPT_SYMBOLS_LONGEST);

/// What one top-level block of an HCL file declares, and its attribute values lowered (or
/// room for them), as `FileSymbols::read` reads them.
#[derive(Clone)]
struct BlockSymbols {
    items: Vec<Item>,
    values: Vec<(TextRange, OnceLock<Expression>)>,
}

impl BlockSymbols {
    /// Moves what was read for a block starting at offset `from` of `file` (or at offset 0 on
    /// line 0) to one starting at `to`, in `file`.
    fn move_to(&mut self, file: &SourceFile<'_>, from: TextSize, to: TextSize) {
        let line = |offset: TextSize| i64::try_from(file.line_index.line_of(offset)).unwrap_or(0);
        let lines = line(to) - line(from);
        let by = |offset: TextSize| offset + to - from;
        let range = |range: TextRange| TextRange::new(by(range.start()), by(range.end()));
        for item in &mut self.items {
            item.locations_mut(&mut |location| {
                location.path = file.path.to_owned();
                location.range = range(location.range);
                location.line = u32::try_from(i64::from(location.line) + lines).unwrap_or(0);
            });
        }
        for (at, _) in &mut self.values {
            *at = range(*at);
        }
    }
}

/// One declaration of a file, or a problem with one, as `Module::add` takes it.
#[derive(Clone, Debug)]
enum Item {
    Variable(Variable),
    Local(Local),
    Declaration {
        data: bool,
        declaration: Declaration,
    },
    ModuleCall(ModuleCall),
    Output(Output),
    Moved(Moved),
    Removed(Removed),
    Import(Import),
    /// A `terraform` block, with the backend it configures.
    Terraform(Option<Backend>),
    Provider(ProviderConfig),
    Problem(Problem),
}

impl Item {
    /// Calls `f` with every location the item holds.
    fn locations_mut(&mut self, f: &mut impl FnMut(&mut Location)) {
        match self {
            Item::Variable(variable) => {
                f(&mut variable.location);
                variable.default.as_mut().map(f);
            }
            Item::Local(local) => {
                f(&mut local.location);
                f(&mut local.value);
            }
            Item::Declaration { declaration, .. } => {
                f(&mut declaration.location);
                declaration.count.as_mut().map(&mut *f);
                declaration.for_each.as_mut().map(f);
            }
            Item::ModuleCall(call) => {
                f(&mut call.location);
                call.inputs.values_mut().for_each(&mut *f);
                call.count.as_mut().map(&mut *f);
                call.for_each.as_mut().map(f);
            }
            Item::Output(output) => {
                f(&mut output.location);
                output.value.as_mut().map(f);
            }
            Item::Moved(moved) => f(&mut moved.location),
            Item::Removed(removed) => f(&mut removed.location),
            Item::Import(import) => {
                f(&mut import.location);
                import.id.as_mut().map(f);
            }
            Item::Terraform(backend) => {
                if let Some(backend) = backend {
                    f(&mut backend.location);
                }
            }
            Item::Provider(provider) => f(&mut provider.location),
            Item::Problem(problem) => f(&mut problem.location),
        }
    }
}

fn is_override(path: &str) -> bool {
    let name = file_name(path);
    let stem = name
        .strip_suffix(".tf")
        .or_else(|| name.strip_suffix(".tf.json"))
        .unwrap_or("");
    stem == "override" || stem.ends_with("_override")
}

/// Where each expression of one file sits in its syntax tree.
enum Index<'f> {
    /// Expression nodes of an HCL file, by range.
    Hcl(BTreeMap<TextRange, TsNode<'f>>),
    /// Values of a JSON file by range, and entries by the start of their key.
    Json {
        values: BTreeMap<TextRange, &'f Node>,
        entries: BTreeMap<TextSize, &'f Entry>,
    },
}

/// Reads one Terraform file: what it declares, or the changes an override file makes.
struct Reader<'f> {
    file: &'f SourceFile<'f>,
    model: &'f TerraformFile,
    index: Index<'f>,
}

/// A name with its attribute range and value range, from an attribute, or in the JSON
/// syntax from an object that the Terraform model reads as a nested block.
struct NamedValue {
    name: String,
    range: TextRange,
    value: TextRange,
}

impl<'f> Reader<'f> {
    fn new(file: &'f SourceFile<'f>) -> Self {
        let model = file.terraform();
        let index = match model.syntax {
            Syntax::Hcl => {
                let mut nodes = BTreeMap::new();
                if let Some(body) = hcl::root_body(&file.tree) {
                    index_hcl(body, &mut nodes, 0, &file.text);
                }
                Index::Hcl(nodes)
            }
            Syntax::Json => {
                let mut values = BTreeMap::new();
                let mut entries = BTreeMap::new();
                if let Some(root) = file.documents.first() {
                    index_json(root, &mut values, &mut entries, 0);
                }
                Index::Json { values, entries }
            }
        };
        Reader { file, model, index }
    }

    /// A reader of one top-level block of an HCL file (`node`, whose model is a block of
    /// the file's), whose index holds that block's expressions alone.
    fn for_block(file: &'f SourceFile<'f>, node: hcl::Block<'f>) -> Self {
        let mut nodes = BTreeMap::new();
        index_top_level(node, &mut nodes, &file.text);
        Reader {
            file,
            model: file.terraform(),
            index: Index::Hcl(nodes),
        }
    }

    /// What one top-level block declares, with its attribute values lowered or room for
    /// them, as `FileSymbols::read` reads a whole file.
    fn block_symbols(&self, block: &Block) -> BlockSymbols {
        let mut values = BTreeMap::new();
        self.lower_block(
            block,
            is_lowered_later(self.model.syntax, &block.kind),
            &mut values,
        );
        let mut items = Vec::new();
        self.items(block, &mut items);
        BlockSymbols {
            items,
            values: values.into_iter().collect(),
        }
    }

    fn location(&self, range: TextRange) -> Location {
        let line = self.file.line_index.line_of(range.start()) + 1;
        Location {
            path: self.file.path.to_owned(),
            range,
            line: u32::try_from(line).unwrap_or(u32::MAX),
        }
    }

    fn problem(&self, range: TextRange, message: String) -> Problem {
        Problem {
            location: self.location(range),
            message,
        }
    }

    /// Lowers the expression written at `range` as an attribute value.
    fn lower(&self, range: TextRange) -> Expression {
        match &self.index {
            Index::Hcl(nodes) => nodes.get(&range).map_or(Expression::Unsupported, |node| {
                lower::from_hcl(*node, &self.file.text)
            }),
            Index::Json { values, .. } => values
                .get(&range)
                .map_or(Expression::Unsupported, |node| lower::from_json(node, true)),
        }
    }

    /// Lowers a value written at `range` as a literal, as variable defaults are read.
    fn lower_literal(&self, range: TextRange) -> Expression {
        match &self.index {
            Index::Json { values, .. } => {
                values.get(&range).map_or(Expression::Unsupported, |node| {
                    lower::from_json(node, false)
                })
            }
            Index::Hcl(_) => self.lower(range),
        }
    }

    /// The attributes of a block; in the JSON syntax, object values that the Terraform model
    /// reads as nested blocks count as attributes too, in the order written.
    fn values_of(&self, block: &Block) -> Vec<NamedValue> {
        let mut res: Vec<NamedValue> = block
            .body
            .attributes
            .iter()
            .map(|attribute| NamedValue {
                name: attribute.name.clone(),
                range: attribute.range,
                value: attribute.value.range,
            })
            .collect();
        if let Index::Json { entries, .. } = &self.index {
            for nested in &block.body.blocks {
                let Some(entry) = entries.get(&nested.range.start()) else {
                    continue;
                };
                if res.iter().any(|seen| seen.name == nested.kind) {
                    continue;
                }
                res.push(NamedValue {
                    name: nested.kind.clone(),
                    range: TextRange::new(entry.key.range.start(), entry.value.range.end()),
                    value: entry.value.range,
                });
            }
            res.sort_by_key(|value| value.range.start());
        }
        res
    }

    fn value_of(&self, block: &Block, name: &str) -> Option<NamedValue> {
        // The last one wins when an attribute repeats, as `Body::attribute` reads it.
        self.values_of(block)
            .into_iter()
            .rev()
            .find(|value| value.name == name)
    }

    /// An address or other reference written as an expression (`from = aws_s3_bucket.a`), or
    /// as a string in the JSON syntax.
    fn reference_text(&self, attribute: Option<&Attribute>) -> Option<String> {
        let attribute = attribute?;
        match self.model.syntax {
            Syntax::Json => attribute.value.value.as_str().map(str::to_owned),
            Syntax::Hcl => Some(self.file.slice(attribute.value.range).trim().to_owned()),
        }
    }

    /// Reads an override file into the module: it changes the locals it sets and the
    /// attributes it sets on existing variables (see `read_override`).
    fn read_override_into(self, module: &mut Module) {
        let expressions = self.expressions();
        module
            .expressions
            .entry(self.file.path.to_owned())
            .or_insert_with(|| Arc::new(expressions));
        for block in &self.model.blocks {
            self.read_override(block, module);
        }
    }

    /// The attribute values of the file, lowered, or for blocks lowered on first use, with
    /// room for them.
    fn expressions(&self) -> FileExpressions {
        let mut lowered = FileExpressions::default();
        let mut values: BTreeMap<TextRange, OnceLock<Expression>> = BTreeMap::new();
        for block in &self.model.blocks {
            let later = is_lowered_later(self.model.syntax, &block.kind);
            self.lower_block(block, later, &mut values);
            if later && lowered.text.is_none() {
                lowered.text = Some(Arc::from(&*self.file.text));
            }
        }
        // Object values of the JSON syntax that the model reads as nested blocks are values
        // of locals, variables, outputs and module inputs; lower them too.
        if matches!(self.index, Index::Json { .. }) {
            for block in &self.model.blocks {
                if matches!(
                    block.kind.as_str(),
                    "locals" | "variable" | "output" | "module"
                ) {
                    for value in self.values_of(block) {
                        values
                            .entry(value.value)
                            .or_insert_with(|| OnceLock::from(self.lower(value.value)));
                    }
                }
            }
        }
        lowered.values = values.into_iter().collect();
        lowered
    }

    /// Lowers the attribute values of `block`, or with `later`, makes room for them to be
    /// lowered on first use.
    fn lower_block(
        &self,
        block: &Block,
        later: bool,
        lowered: &mut BTreeMap<TextRange, OnceLock<Expression>>,
    ) {
        for attribute in &block.body.attributes {
            lowered.entry(attribute.value.range).or_insert_with(|| {
                if later {
                    OnceLock::new()
                } else {
                    OnceLock::from(self.lower(attribute.value.range))
                }
            });
        }
        for nested in &block.body.blocks {
            self.lower_block(nested, later, lowered);
        }
    }

    /// What a top-level block of a file that is not an override file declares.
    fn items(&self, block: &Block, items: &mut Vec<Item>) {
        let item = match block.kind.as_str() {
            "variable" => self.variable(block),
            "locals" => {
                items.extend(self.locals(block).into_iter().map(Item::Local));
                return;
            }
            "resource" | "data" => self.declaration(block),
            "module" => self.module_call(block),
            "output" => self.output(block),
            "moved" => Item::Moved(Moved {
                location: self.location(block.range),
                from: self.reference_text(block.body.attribute("from")),
                to: self.reference_text(block.body.attribute("to")),
            }),
            "removed" => Item::Removed(Removed {
                location: self.location(block.range),
                from: self.reference_text(block.body.attribute("from")),
                destroy: block
                    .body
                    .block("lifecycle")
                    .and_then(|lifecycle| lifecycle.body.attribute("destroy"))
                    .and_then(|destroy| destroy.value.value.as_bool()),
            }),
            "import" => Item::Import(Import {
                location: self.location(block.range),
                to: self.reference_text(block.body.attribute("to")),
                id: block
                    .body
                    .attribute("id")
                    .map(|id| self.location(id.value.range)),
            }),
            "terraform" => {
                let backend = block.body.block("backend").map(|backend| Backend {
                    kind: backend.label(0).unwrap_or("").to_owned(),
                    location: self.location(backend.range),
                });
                Item::Terraform(backend.or_else(|| {
                    block.body.block("cloud").map(|cloud| Backend {
                        kind: "cloud".to_owned(),
                        location: self.location(cloud.range),
                    })
                }))
            }
            "provider" => Item::Provider(ProviderConfig {
                name: block.label(0).unwrap_or("").to_owned(),
                alias: block
                    .body
                    .attribute("alias")
                    .and_then(|alias| alias.value.value.as_str())
                    .map(str::to_owned),
                location: self.location(block.range),
            }),
            _ => return,
        };
        items.push(item);
    }

    /// Reads a top-level block of an override file, which changes the locals it sets and the
    /// attributes it sets on existing variables.
    fn read_override(&self, block: &Block, module: &mut Module) {
        match block.kind.as_str() {
            "variable" => self.override_variable(block, module),
            "locals" => {
                for local in self.locals(block) {
                    module.locals.insert(local.name.clone(), local);
                }
            }
            _ => {}
        }
    }

    fn variable(&self, block: &Block) -> Item {
        let Some(name) = block.label(0) else {
            return Item::Problem(
                self.problem(block.range, "a variable block without a name".to_owned()),
            );
        };
        let default = self.value_of(block, "default");
        Item::Variable(Variable {
            name: name.to_owned(),
            location: self.location(block.range),
            default: default.as_ref().map(|value| self.location(value.value)),
            type_constraint: self.type_constraint(block),
            nullable: flag(block, "nullable").unwrap_or(true),
            sensitive: flag(block, "sensitive").unwrap_or(false),
            default_expression: default.map(|value| self.lower_literal(value.value)),
        })
    }

    fn type_constraint(&self, block: &Block) -> Option<String> {
        block
            .body
            .attribute("type")
            .and_then(|attribute| match self.model.syntax {
                Syntax::Json => attribute.value.value.as_str().map(str::to_owned),
                Syntax::Hcl => Some(self.file.slice(attribute.value.range).trim().to_owned()),
            })
    }

    fn override_variable(&self, block: &Block, module: &mut Module) {
        let Some(name) = block.label(0) else {
            module
                .problems
                .push(self.problem(block.range, "a variable block without a name".to_owned()));
            return;
        };
        // An override file changes only what it writes, on a variable that exists.
        let Some(existing) = module.variables.get_mut(name) else {
            module.problems.push(self.problem(
                block.range,
                format!("override of variable `{name}`, which is not declared"),
            ));
            return;
        };
        if let Some(default) = self.value_of(block, "default") {
            existing.default = Some(self.location(default.value));
            existing.default_expression = Some(self.lower_literal(default.value));
        }
        if let Some(type_constraint) = self.type_constraint(block) {
            existing.type_constraint = Some(type_constraint);
        }
        if let Some(nullable) = flag(block, "nullable") {
            existing.nullable = nullable;
        }
        if let Some(sensitive) = flag(block, "sensitive") {
            existing.sensitive = sensitive;
        }
    }

    fn locals(&self, block: &Block) -> Vec<Local> {
        self.values_of(block)
            .into_iter()
            .map(|value| Local {
                location: self.location(value.range),
                value: self.location(value.value),
                name: value.name,
            })
            .collect()
    }

    fn declaration(&self, block: &Block) -> Item {
        let [resource_type, name, ..] = block.labels.as_slice() else {
            return Item::Problem(self.problem(
                block.range,
                format!("a `{}` block without a type and a name", block.kind),
            ));
        };
        let data = block.kind == "data";
        let address = if data {
            format!("data.{}.{}", resource_type.value, name.value)
        } else {
            format!("{}.{}", resource_type.value, name.value)
        };
        let meta = |name: &str| {
            block
                .body
                .attribute(name)
                .map(|attribute| self.location(attribute.value.range))
        };
        Item::Declaration {
            data,
            declaration: Declaration {
                address,
                resource_type: resource_type.value.clone(),
                name: name.value.clone(),
                location: self.location(block.range),
                count: meta("count"),
                for_each: meta("for_each"),
            },
        }
    }

    fn module_call(&self, block: &Block) -> Item {
        let Some(name) = block.label(0) else {
            return Item::Problem(
                self.problem(block.range, "a module block without a name".to_owned()),
            );
        };
        let text = |name: &str| {
            block
                .body
                .attribute(name)
                .and_then(|attribute| attribute.value.value.as_str())
                .map(str::to_owned)
        };
        let meta = |name: &str| {
            block
                .body
                .attribute(name)
                .map(|attribute| self.location(attribute.value.range))
        };
        let mut inputs = BTreeMap::new();
        for value in self.values_of(block) {
            if !CALL_ARGUMENTS.contains(&value.name.as_str()) {
                inputs
                    .entry(value.name)
                    .or_insert_with(|| self.location(value.value));
            }
        }
        Item::ModuleCall(ModuleCall {
            name: name.to_owned(),
            location: self.location(block.range),
            source: text("source"),
            version: text("version"),
            inputs,
            count: meta("count"),
            for_each: meta("for_each"),
        })
    }

    fn output(&self, block: &Block) -> Item {
        let Some(name) = block.label(0) else {
            return Item::Problem(
                self.problem(block.range, "an output block without a name".to_owned()),
            );
        };
        Item::Output(Output {
            name: name.to_owned(),
            location: self.location(block.range),
            value: self
                .value_of(block, "value")
                .map(|value| self.location(value.value)),
            sensitive: block
                .body
                .attribute("sensitive")
                .and_then(|attribute| attribute.value.value.as_bool())
                .unwrap_or(false),
        })
    }
}

/// Indexes the expression nodes of `body`, but not those of the `resource` and `data` blocks
/// at the top (`depth` 0), which are lowered on first use from the text.
/// Whether the file at `path`, of model `model`, is a `versions.tf` that holds nothing but
/// provider requirements.
fn is_versions_file_only_requirements(path: &str, model: &TerraformFile) -> bool {
    matches!(file_name(path), "versions.tf" | "versions.tf.json")
        && !model.blocks.is_empty()
        && model.blocks.iter().all(|block| {
            block.kind == "terraform"
                && block.body.block("backend").is_none()
                && block.body.block("cloud").is_none()
        })
        && model
            .blocks
            .iter()
            .any(|block| block.body.block("required_providers").is_some())
}

fn index_hcl<'t>(
    body: hcl::Body<'t>,
    nodes: &mut BTreeMap<TextRange, TsNode<'t>>,
    depth: usize,
    text: &str,
) {
    let (attributes, blocks) = body.members();
    for attribute in attributes {
        if let Some(expression) = attribute.expression() {
            nodes.insert(crate::tree::range(expression), expression);
        }
    }
    if depth >= MAX_BLOCK_DEPTH {
        return;
    }
    for block in blocks {
        if depth == 0 {
            index_top_level(block, nodes, text);
        } else if let Some(inner) = block.body() {
            index_hcl(inner, nodes, depth + 1, text);
        }
    }
}

/// Indexes the expressions of a top-level block (see `index_hcl`).
fn index_top_level<'t>(
    block: hcl::Block<'t>,
    nodes: &mut BTreeMap<TextRange, TsNode<'t>>,
    text: &str,
) {
    if matches!(block.kind(text), "resource" | "data") {
        return;
    }
    if let Some(inner) = block.body() {
        index_hcl(inner, nodes, 1, text);
    }
}

/// Whether the attribute values of a top-level block of `kind` are lowered on first use
/// rather than when the file is read (see `FileExpressions`): all but those the evaluator
/// reads for nearly every value (locals, outputs, module inputs). A variable's default is
/// lowered apart, as `Variable::default_expression`; its description and validation are
/// lowered only if something reads them. The `resource` and `data` blocks, the most of a module's text, are not even indexed
/// (`index_hcl`).
fn is_lowered_later(syntax: Syntax, kind: &str) -> bool {
    syntax == Syntax::Hcl && matches!(kind, "resource" | "data" | "variable" | "terraform")
}

fn index_json<'f>(
    node: &'f Node,
    values: &mut BTreeMap<TextRange, &'f Node>,
    entries: &mut BTreeMap<TextSize, &'f Entry>,
    depth: usize,
) {
    if depth >= MAX_JSON_DEPTH {
        return;
    }
    for entry in node.entries() {
        values.entry(entry.value.range).or_insert(&entry.value);
        entries.entry(entry.key.range.start()).or_insert(entry);
        index_json(&entry.value, values, entries, depth + 1);
    }
    for item in node.items() {
        values.entry(item.range).or_insert(item);
        index_json(item, values, entries, depth + 1);
    }
}

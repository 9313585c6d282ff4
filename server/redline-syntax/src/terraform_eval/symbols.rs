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
    pub(crate) expressions: BTreeMap<String, FileExpressions>,
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
        let mut ordered: Vec<&SourceFile<'_>> = files
            .iter()
            .copied()
            .filter(|file| file.format == Format::Terraform)
            .collect();
        ordered.sort_by_key(|file| reading_order(file.path));
        ordered.dedup_by_key(|file| file.path);
        let mut module = Module::empty();
        for file in ordered {
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
        Reader::new(file).read_into(self);
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

/// The file name at the end of a display path.
pub(crate) fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The order in which Terraform reads a module's files: by name, override files last.
pub fn reading_order(path: &str) -> (bool, &str) {
    (is_override(path), path)
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

/// Reads one file into the module.
struct Reader<'f> {
    file: &'f SourceFile<'f>,
    model: &'f TerraformFile,
    index: Index<'f>,
    is_override: bool,
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
        Reader {
            file,
            model,
            index,
            is_override: is_override(file.path),
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

    fn read_into(self, module: &mut Module) {
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
        module
            .expressions
            .entry(self.file.path.to_owned())
            .or_insert(lowered);
        for block in &self.model.blocks {
            self.read_block(block, module);
        }
        if matches!(
            file_name(self.file.path),
            "versions.tf" | "versions.tf.json"
        ) && !self.model.blocks.is_empty()
            && self.model.blocks.iter().all(|block| {
                block.kind == "terraform"
                    && block.body.block("backend").is_none()
                    && block.body.block("cloud").is_none()
            })
            && self
                .model
                .blocks
                .iter()
                .any(|block| block.body.block("required_providers").is_some())
        {
            module.versions_file_only_requirements = true;
        }
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

    fn read_block(&self, block: &Block, module: &mut Module) {
        match block.kind.as_str() {
            "variable" => self.read_variable(block, module),
            "locals" => self.read_locals(block, module),
            "resource" | "data" if !self.is_override => self.read_declaration(block, module),
            "module" if !self.is_override => self.read_module_call(block, module),
            "output" if !self.is_override => self.read_output(block, module),
            "moved" if !self.is_override => module.moved.push(Moved {
                location: self.location(block.range),
                from: self.reference_text(block.body.attribute("from")),
                to: self.reference_text(block.body.attribute("to")),
            }),
            "removed" if !self.is_override => module.removed.push(Removed {
                location: self.location(block.range),
                from: self.reference_text(block.body.attribute("from")),
                destroy: block
                    .body
                    .block("lifecycle")
                    .and_then(|lifecycle| lifecycle.body.attribute("destroy"))
                    .and_then(|destroy| destroy.value.value.as_bool()),
            }),
            "import" if !self.is_override => module.imports.push(Import {
                location: self.location(block.range),
                to: self.reference_text(block.body.attribute("to")),
                id: block
                    .body
                    .attribute("id")
                    .map(|id| self.location(id.value.range)),
            }),
            "terraform" if !self.is_override && module.backend.is_none() => {
                let backend = block.body.block("backend").map(|backend| Backend {
                    kind: backend.label(0).unwrap_or("").to_owned(),
                    location: self.location(backend.range),
                });
                module.backend = backend.or_else(|| {
                    block.body.block("cloud").map(|cloud| Backend {
                        kind: "cloud".to_owned(),
                        location: self.location(cloud.range),
                    })
                });
            }
            "provider" if !self.is_override => module.providers.push(ProviderConfig {
                name: block.label(0).unwrap_or("").to_owned(),
                alias: block
                    .body
                    .attribute("alias")
                    .and_then(|alias| alias.value.value.as_str())
                    .map(str::to_owned),
                location: self.location(block.range),
            }),
            _ => {}
        }
    }

    fn read_variable(&self, block: &Block, module: &mut Module) {
        let Some(name) = block.label(0) else {
            module
                .problems
                .push(self.problem(block.range, "a variable block without a name".to_owned()));
            return;
        };
        let default = self.value_of(block, "default");
        let type_constraint =
            block
                .body
                .attribute("type")
                .and_then(|attribute| match self.model.syntax {
                    Syntax::Json => attribute.value.value.as_str().map(str::to_owned),
                    Syntax::Hcl => Some(self.file.slice(attribute.value.range).trim().to_owned()),
                });
        let flag = |name: &str| {
            block
                .body
                .attribute(name)
                .and_then(|attribute| attribute.value.value.as_bool())
        };
        if self.is_override {
            // An override file changes only what it writes, on a variable that exists.
            let Some(existing) = module.variables.get_mut(name) else {
                module.problems.push(self.problem(
                    block.range,
                    format!("override of variable `{name}`, which is not declared"),
                ));
                return;
            };
            if let Some(default) = default {
                existing.default = Some(self.location(default.value));
                existing.default_expression = Some(self.lower_literal(default.value));
            }
            if type_constraint.is_some() {
                existing.type_constraint = type_constraint;
            }
            if let Some(nullable) = flag("nullable") {
                existing.nullable = nullable;
            }
            if let Some(sensitive) = flag("sensitive") {
                existing.sensitive = sensitive;
            }
            return;
        }
        if let Some(first) = module.variables.get(name) {
            module.problems.push(self.problem(
                block.range,
                format!(
                    "duplicate variable `{name}`; the declaration at {} is used",
                    first.location
                ),
            ));
            return;
        }
        module.variables.insert(
            name.to_owned(),
            Variable {
                name: name.to_owned(),
                location: self.location(block.range),
                default: default.as_ref().map(|value| self.location(value.value)),
                type_constraint,
                nullable: flag("nullable").unwrap_or(true),
                sensitive: flag("sensitive").unwrap_or(false),
                default_expression: default.map(|value| self.lower_literal(value.value)),
            },
        );
    }

    fn read_locals(&self, block: &Block, module: &mut Module) {
        for value in self.values_of(block) {
            let local = Local {
                name: value.name.clone(),
                location: self.location(value.range),
                value: self.location(value.value),
            };
            match module.locals.get(&value.name) {
                Some(first) if !self.is_override => {
                    let message = format!(
                        "duplicate local `{}`; the definition at {} is used",
                        value.name, first.location
                    );
                    module.problems.push(self.problem(value.range, message));
                }
                _ => {
                    module.locals.insert(value.name, local);
                }
            }
        }
    }

    fn read_declaration(&self, block: &Block, module: &mut Module) {
        let [resource_type, name, ..] = block.labels.as_slice() else {
            module.problems.push(self.problem(
                block.range,
                format!("a `{}` block without a type and a name", block.kind),
            ));
            return;
        };
        let is_data = block.kind == "data";
        let address = if is_data {
            format!("data.{}.{}", resource_type.value, name.value)
        } else {
            format!("{}.{}", resource_type.value, name.value)
        };
        let table = if is_data {
            &mut module.data_sources
        } else {
            &mut module.resources
        };
        if let Some(first) = table.get(&address) {
            let message = format!(
                "duplicate `{address}`; the block at {} is used",
                first.location
            );
            module.problems.push(self.problem(block.range, message));
            return;
        }
        let meta = |name: &str| {
            block
                .body
                .attribute(name)
                .map(|attribute| self.location(attribute.value.range))
        };
        let declaration = Declaration {
            address: address.clone(),
            resource_type: resource_type.value.clone(),
            name: name.value.clone(),
            location: self.location(block.range),
            count: meta("count"),
            for_each: meta("for_each"),
        };
        table.insert(address, declaration);
    }

    fn read_module_call(&self, block: &Block, module: &mut Module) {
        let Some(name) = block.label(0) else {
            module
                .problems
                .push(self.problem(block.range, "a module block without a name".to_owned()));
            return;
        };
        if let Some(first) = module.module_calls.get(name) {
            let message = format!(
                "duplicate `module.{name}`; the block at {} is used",
                first.location
            );
            module.problems.push(self.problem(block.range, message));
            return;
        }
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
        module.module_calls.insert(
            name.to_owned(),
            ModuleCall {
                name: name.to_owned(),
                location: self.location(block.range),
                source: text("source"),
                version: text("version"),
                inputs,
                count: meta("count"),
                for_each: meta("for_each"),
            },
        );
    }

    fn read_output(&self, block: &Block, module: &mut Module) {
        let Some(name) = block.label(0) else {
            module
                .problems
                .push(self.problem(block.range, "an output block without a name".to_owned()));
            return;
        };
        if let Some(first) = module.outputs.get(name) {
            let message = format!(
                "duplicate output `{name}`; the block at {} is used",
                first.location
            );
            module.problems.push(self.problem(block.range, message));
            return;
        }
        module.outputs.insert(
            name.to_owned(),
            Output {
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
            },
        );
    }
}

/// Indexes the expression nodes of `body`, but not those of the `resource` and `data` blocks
/// at the top (`depth` 0), which are lowered on first use from the text.
fn index_hcl<'t>(
    body: hcl::Body<'t>,
    nodes: &mut BTreeMap<TextRange, TsNode<'t>>,
    depth: usize,
    text: &str,
) {
    for attribute in body.attributes() {
        if let Some(expression) = attribute.expression() {
            nodes.insert(crate::tree::range(expression), expression);
        }
    }
    if depth >= MAX_BLOCK_DEPTH {
        return;
    }
    for block in body.blocks() {
        if depth == 0 && matches!(block.kind(text), "resource" | "data") {
            continue;
        }
        if let Some(inner) = block.body() {
            index_hcl(inner, nodes, depth + 1, text);
        }
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

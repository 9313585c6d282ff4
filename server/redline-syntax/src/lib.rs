//! Format detection, tree-sitter parsing, and typed views over the parsed trees.
//!
//! A file is parsed once. `SourceFile` holds the tree, the detected `Format`, and for JSON and
//! YAML the data documents (`value::Node`) that most rules read.

pub mod atmos;
pub mod cloudformation;
pub mod detect;
pub mod embedded;
pub mod gitlab_ci;
pub mod hcl;
pub mod iam_policy;
mod json;
pub mod kubernetes;
pub mod plan_json;
pub mod shell;
mod shell_inline;
pub mod shell_steps;
pub mod template;
pub mod terraform;
pub mod terraform_eval;
pub mod terraform_plan;
mod toml;
pub mod tree;
pub mod value;
mod yaml;
mod yaml_flow;

use std::borrow::Cow;

use redline_text::{LineIndex, TextRange};

pub use detect::{Format, Language};

/// One parsed source file, ready for rules.
pub struct SourceFile<'a> {
    /// The path as given by the front-end (used for display and path-based rules).
    pub path: &'a str,
    /// The full text that was parsed: the file's text, or for a template its neutral text,
    /// which has the same length and line breaks (see `template`).
    pub text: Cow<'a, str>,
    /// The grammar that parsed the text.
    pub language: Language,
    /// What kind of document this is.
    pub format: Format,
    /// The concrete syntax tree (of the first part, for a long YAML stream parsed in parts);
    /// empty for Terraform plans, which are read without it.
    pub tree: tree_sitter::Tree,
    /// The trees of the further parts of a long YAML stream, in order; usually empty.
    pub more_trees: Vec<tree_sitter::Tree>,
    /// The data documents of a JSON or YAML file, in order; empty for other languages.
    /// For Terraform plans, only the parts the plan model reads are built.
    pub documents: Vec<value::Node>,
    /// Line starts of `text`.
    pub line_index: LineIndex,
    /// The commands the file runs, computed on first use (see `commands`).
    commands: std::sync::OnceLock<Vec<shell::Command>>,
    /// Whether the file is a template (a Helm chart, a Go, Mustache or Handlebars template)
    /// read on its literal parts: `text` is its neutral text, and values that came from its
    /// actions are `Unknown` (see `template`).
    pub templated: bool,
    /// Where the template actions of a templated file are, in order; empty otherwise.
    pub template_actions: Vec<TextRange>,
    /// The Terraform model, built on first use and shared by every rule.
    terraform: std::sync::OnceLock<terraform::TerraformFile>,
    /// The IAM policies of the file, built on first use and shared by every rule.
    policies: std::sync::OnceLock<Vec<iam_policy::Policy>>,
    /// What the dropped trees told, once `shed_tree` has dropped them.
    shed: Option<Shed>,
    /// Whether the text is one command line about to be run (`SourceHints::command_line`).
    pub command_line: bool,
    /// Whether the trees are those of the text with its flow collections relaxed (see
    /// `yaml_flow`): the same offsets, fewer line breaks.
    relaxed: bool,
}

/// What a file's syntax trees told that outlives them (see `SourceFile::shed_tree`).
#[derive(Debug)]
struct Shed {
    /// Where the error and missing nodes were, outermost only.
    errors: Vec<TextRange>,
    first_problem: Option<ParseProblem>,
    comments: Vec<TextRange>,
}

/// A syntax problem found while parsing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseProblem {
    /// Where the first problem is.
    pub range: TextRange,
    /// What is wrong, in words.
    pub message: String,
}

/// What a front-end knows about a file beyond its path and text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SourceHints {
    /// Forces the format, e.g. for files that `.gitlab-ci.yml` includes.
    pub format: Option<Format>,
    /// The file's folder has `examples/` or `modules/` subfolders, as published Terraform
    /// modules do (`ModuleLayout::has_examples_or_modules_dir`).
    pub published_module_layout: bool,
    /// A local module call elsewhere in the repository (`source = "../this"`) calls the file's
    /// folder (`ModuleLayout::is_called`).
    pub called_module: bool,
    /// The text is one command line about to be run (a coding agent's shell call), not a
    /// script kept in a repository.
    pub command_line: bool,
}

/// A syntax tree kept between two versions of a document, so that the next parse only redoes
/// what changed. An editor applies each change with `edit`, then passes it to
/// `parse_source_incremental`.
#[derive(Clone)]
pub struct ParsedTree {
    /// The grammar that produced the tree; a tree is reused only with the same grammar.
    pub language: Language,
    tree: tree_sitter::Tree,
    /// Whether the tree is that of another text than the document's (a template's neutral
    /// text, or YAML with its flow collections relaxed), which edits of the file's text do not
    /// describe: such a tree is never reused.
    rewritten: bool,
}

/// One text change, for `ParsedTree::edit`: byte offsets, and (line, byte column) points, all
/// 0-based.
#[derive(Clone, Copy, Debug)]
pub struct TreeEdit {
    /// Where the change starts.
    pub start: TextPoint,
    /// Where the replaced text ended, before the change.
    pub old_end: TextPoint,
    /// Where the inserted text ends, after the change.
    pub new_end: TextPoint,
}

/// A position as a byte offset plus its line and byte column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TextPoint {
    /// Byte offset.
    pub offset: usize,
    /// 0-based line.
    pub line: usize,
    /// 0-based byte column.
    pub column: usize,
}

impl ParsedTree {
    /// Records a text change in the tree, so that the next incremental parse is correct.
    pub fn edit(&mut self, edit: &TreeEdit) {
        let point = |point: TextPoint| tree_sitter::Point::new(point.line, point.column);
        self.tree.edit(&tree_sitter::InputEdit {
            start_byte: edit.start.offset,
            old_end_byte: edit.old_end.offset,
            new_end_byte: edit.new_end.offset,
            start_position: point(edit.start),
            old_end_position: point(edit.old_end),
            new_end_position: point(edit.new_end),
        });
    }
}

impl std::fmt::Debug for ParsedTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParsedTree")
            .field("language", &self.language)
            .finish_non_exhaustive()
    }
}

/// Parses `text` and decides its format. Returns `None` when redline does not analyse the file.
pub fn parse_source<'a>(
    path: &'a str,
    text: &'a str,
    hints: SourceHints,
) -> Option<SourceFile<'a>> {
    parse_source_incremental(path, text, hints, None)
}

/// Like `parse_source`, reusing `previous` when it was parsed with the same grammar.
pub fn parse_source_incremental<'a>(
    path: &'a str,
    text: &'a str,
    hints: SourceHints,
    previous: Option<&ParsedTree>,
) -> Option<SourceFile<'a>> {
    let candidate = detect::candidate(path, text, hints)?;
    let language = candidate.language;
    if previous.is_none()
        && let Some(file) = parse_plan(path, text, candidate)
    {
        return Some(file);
    }
    // A YAML template whose format its path does not decide is parsed from its neutral text.
    let path_decides_format = || {
        detect::candidate(path, text, SourceHints::default())
            .is_some_and(|by_path| by_path.format.is_some())
    };
    let neutral = if language == Language::Yaml && !path_decides_format() {
        template::read(path, text)
    } else {
        None
    };
    let parsed: &str = neutral
        .as_ref()
        .map_or(text, |neutral| neutral.text.as_str());
    // A tree is reused only from the same grammar and the same kind of text, and never the
    // empty stand-in of a plan.
    let previous = previous
        .filter(|previous| {
            previous.language == language
                && !previous.rewritten
                && neutral.is_none()
                && previous.tree.root_node().end_byte() > 0
        })
        .map(|previous| &previous.tree);
    // A long YAML stream is parsed in parts (see `tree::parse_yaml_stream`), never from a
    // previous tree.
    let mut trees = match language {
        Language::Yaml if previous.is_none() || tree::is_long_yaml(parsed) => {
            tree::parse_yaml_stream(parsed)?
        }
        _ => vec![tree::parse_incremental(language, parsed, previous)?],
    };
    // Flow collections indented less than tree-sitter-yaml accepts are read from a relaxed
    // text of the same length (see `yaml_flow`); only a clean second parse replaces the first.
    let mut relaxed = false;
    if language == Language::Yaml && trees.iter().any(|tree| tree.root_node().has_error()) {
        let retry = yaml_flow::relax(parsed).and_then(|text| tree::parse_yaml_stream(&text));
        if let Some(retry) = retry
            && retry.iter().all(|tree| !tree.root_node().has_error())
        {
            trees = retry;
            relaxed = true;
        }
    }
    let tree = trees.remove(0);
    let more_trees = trees;
    let mut documents = match language {
        Language::Json => json::documents(&tree, parsed),
        Language::Yaml => std::iter::once(&tree)
            .chain(&more_trees)
            .flat_map(|tree| yaml::documents(tree, parsed))
            .collect(),
        Language::Toml => toml::documents(&tree, parsed),
        _ => Vec::new(),
    };
    if let Some(neutral) = &neutral {
        template::mark_unknown(&mut documents, neutral, text);
    }
    let format = match candidate.format {
        // A plan is only a plan when its content says so, even when the caller expects one.
        Some(Format::TerraformPlan) => match detect::sniff(language, &documents) {
            Some(Format::TerraformPlan) => Format::TerraformPlan,
            _ => return None,
        },
        Some(format) => format,
        None => detect::sniff(language, &documents)?,
    };
    let (text, template_actions) = match neutral {
        Some(neutral) => (Cow::Owned(neutral.text), neutral.actions),
        None => (Cow::Borrowed(text), Vec::new()),
    };
    Some(SourceFile {
        path,
        line_index: LineIndex::new(&text),
        text,
        language,
        format,
        tree,
        more_trees,
        documents,
        commands: std::sync::OnceLock::new(),
        templated: !template_actions.is_empty(),
        template_actions,
        terraform: std::sync::OnceLock::new(),
        policies: std::sync::OnceLock::new(),
        shed: None,
        command_line: hints.command_line,
        relaxed,
    })
}

/// `path`, kept for the life of the process: each distinct path is stored once.
fn intern_path(path: &str) -> &'static str {
    static PATHS: std::sync::LazyLock<std::sync::Mutex<std::collections::HashSet<&'static str>>> =
        std::sync::LazyLock::new(Default::default);
    let mut paths = PATHS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = paths.get(path) {
        return found;
    }
    let kept: &'static str = Box::leak(Box::from(path));
    paths.insert(kept);
    kept
}

/// Reads a Terraform plan without tree-sitter (see `plan_json`), or `None` when the file is
/// not one or is not well-formed, and goes through the general path.
fn parse_plan<'a>(
    path: &'a str,
    text: &'a str,
    candidate: detect::Candidate,
) -> Option<SourceFile<'a>> {
    let may_be_plan = candidate.language == Language::Json
        && matches!(candidate.format, None | Some(Format::TerraformPlan))
        && text.contains("\"format_version\"");
    if !may_be_plan {
        return None;
    }
    let root = plan_json::plan_document(text)?;
    let documents = vec![root];
    if detect::sniff(Language::Json, &documents) != Some(Format::TerraformPlan) {
        return None;
    }
    Some(SourceFile {
        path,
        text: Cow::Borrowed(text),
        language: Language::Json,
        format: Format::TerraformPlan,
        // Invariant: a plan read by `plan_json` is well-formed JSON, so an empty tree has
        // the same (absent) syntax errors and comments as the real one.
        tree: tree::parse(Language::Json, "")?,
        more_trees: Vec::new(),
        documents,
        line_index: LineIndex::new(text),
        commands: std::sync::OnceLock::new(),
        templated: false,
        template_actions: Vec::new(),
        terraform: std::sync::OnceLock::new(),
        policies: std::sync::OnceLock::new(),
        shed: None,
        command_line: false,
        relaxed: false,
    })
}

impl SourceFile<'_> {
    /// The same file owning its text, so that it can be kept between analyses (an editor's
    /// memo of parsed files). Its path is interned: kept for the life of the process, once
    /// per distinct path.
    pub fn into_owned(self) -> SourceFile<'static> {
        SourceFile {
            path: intern_path(self.path),
            text: Cow::Owned(self.text.into_owned()),
            language: self.language,
            format: self.format,
            tree: self.tree,
            more_trees: self.more_trees,
            documents: self.documents,
            line_index: self.line_index,
            commands: self.commands,
            templated: self.templated,
            template_actions: self.template_actions,
            terraform: self.terraform,
            policies: self.policies,
            shed: self.shed,
            command_line: self.command_line,
            relaxed: self.relaxed,
        }
    }

    /// The tree, to reuse when parsing the next version of the text.
    pub fn parsed_tree(&self) -> ParsedTree {
        ParsedTree {
            language: self.language,
            tree: self.tree.clone(),
            rewritten: self.templated || self.relaxed,
        }
    }

    /// The text covered by `range`.
    pub fn slice(&self, range: TextRange) -> &str {
        self.text.get(range.to_std()).unwrap_or("")
    }

    /// The Terraform model of the file (empty for files in other languages), built once.
    pub fn terraform(&self) -> &terraform::TerraformFile {
        self.terraform
            .get_or_init(|| terraform::TerraformFile::parse(self))
    }

    /// The AWS IAM policies written in the file (policy files, Terraform, CloudFormation),
    /// built once.
    pub fn policies(&self) -> &[iam_policy::Policy] {
        self.policies.get_or_init(|| iam_policy::policies(self))
    }

    /// The first syntax error of the file, if any.
    pub fn first_parse_problem(&self) -> Option<ParseProblem> {
        if let Some(shed) = &self.shed {
            return shed.first_problem.clone();
        }
        self.trees()
            .find_map(|tree| tree::first_error(tree, &self.text))
    }

    /// Whether a syntax error lies inside `range` (or the smallest node holding it): an edit
    /// there could merge with the broken text.
    pub fn has_error_in(&self, range: TextRange) -> bool {
        if let Some(shed) = &self.shed {
            // An error region that holds all of `range` is outside its smallest node.
            return shed.errors.iter().any(|error| {
                let overlaps = error.start() <= range.end() && range.start() <= error.end();
                overlaps && !(error.contains_range(range) && *error != range)
            });
        }
        self.trees().any(|tree| {
            tree.root_node()
                .descendant_for_byte_range(range.start().to_usize(), range.end().to_usize())
                .is_some_and(|node| node.has_error())
        })
    }

    /// Every comment of the file, in source order.
    pub fn comments(&self) -> Vec<TextRange> {
        if let Some(shed) = &self.shed {
            return shed.comments.clone();
        }
        self.trees().flat_map(tree::comments).collect()
    }

    /// The shell commands the file runs: a script's own commands, workflow `run:` steps,
    /// GitLab CI `script:` lines; ranges are in this file.
    pub fn commands(&self) -> &[shell::Command] {
        embedded::file_commands(self, &self.commands)
    }

    /// Builds what the rules and the engine read of the file (its Terraform model, its
    /// policies, its commands, its first syntax error, and its comments when `keep_comments`)
    /// and drops its syntax trees, which take many times the size of the text, for a file read
    /// through its model from here on (a module's files once the module is read: see
    /// `terraform_eval::symbols::Module::read`). Afterwards `tree` is empty, the methods above
    /// answer as before (`comments` is empty unless kept: finding them walks the whole tree),
    /// and an expression that only the tree could find (a nested range given to
    /// `Evaluator::expression`, which edit rules use) is unknown.
    pub fn shed_tree(&mut self, keep_comments: bool) {
        if self.shed.is_some() {
            return;
        }
        self.terraform();
        self.policies();
        self.commands();
        let mut errors = Vec::new();
        for tree in self.trees() {
            tree::error_ranges(tree, &mut errors);
        }
        let shed = Shed {
            errors,
            first_problem: self.first_parse_problem(),
            comments: if keep_comments {
                self.comments()
            } else {
                Vec::new()
            },
        };
        let Some(empty) = tree::parse(self.language, "") else {
            return;
        };
        self.tree = empty;
        self.more_trees = Vec::new();
        self.shed = Some(shed);
    }

    /// Every tree of the file, in source order.
    pub fn trees(&self) -> impl Iterator<Item = &tree_sitter::Tree> {
        std::iter::once(&self.tree).chain(&self.more_trees)
    }
}

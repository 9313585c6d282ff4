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
mod text_memo;
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
    pub documents: Vec<std::sync::Arc<value::Node>>,
    /// Line starts of `text`.
    pub line_index: LineIndex,
    /// The commands the file runs, computed on first use (see `commands`).
    commands: std::sync::OnceLock<Vec<shell::Command>>,
    /// Where the file's Kubernetes objects are among its documents, found on first use (see
    /// `kubernetes_objects`).
    kubernetes_objects: std::sync::OnceLock<Vec<kubernetes::ObjectPlace>>,
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
    /// What the file declares for its Terraform module, read on first use (see
    /// `Module::build_reusing`).
    module_symbols: std::sync::OnceLock<Option<terraform_eval::symbols::FileSymbols>>,
    /// What the dropped trees told, once `shed_tree` has dropped them.
    shed: Option<Shed>,
    /// Whether the text is one command line about to be run (`SourceHints::command_line`).
    pub command_line: bool,
    /// Whether the trees are those of the text with its flow collections relaxed (see
    /// `yaml_flow`): the same offsets, fewer line breaks.
    relaxed: bool,
    /// The YAML documents as built, for the next version of the text to take again (see
    /// `yaml::KeptDocument`); only for a text parsed from an earlier version's tree.
    kept_documents: Vec<std::sync::Arc<yaml::KeptDocument>>,
    /// Whether the text was parsed for an editor (`parse_source_for_edits`), which parses the
    /// next version of it soon: the Terraform model then keeps its top-level blocks by text
    /// for that version to take again.
    for_edits: bool,
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
    /// The tree, or for a long YAML stream parsed in parts, the tree of each part in order.
    // Invariant: never empty.
    trees: Vec<tree_sitter::Tree>,
    /// Where each part of a long YAML stream lies in the edited text, one per tree; empty for
    /// a text parsed whole.
    parts: Vec<PartSpan>,
    /// Whether the tree is that of another text than the document's (a template's neutral
    /// text, or YAML with its flow collections relaxed), which edits of the file's text do not
    /// describe: such a tree is never reused.
    rewritten: bool,
    /// The YAML documents of the version the tree is that of, which the next version takes
    /// again where their text did not change.
    documents: Vec<std::sync::Arc<yaml::KeptDocument>>,
}

/// Where one part of a YAML stream lies after the edits so far, and whether an edit reached it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct PartSpan {
    start: usize,
    end: usize,
    /// An edit changed, or touched the ends of, the part's text: it is parsed again.
    touched: bool,
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
        let input = tree_sitter::InputEdit {
            start_byte: edit.start.offset,
            old_end_byte: edit.old_end.offset,
            new_end_byte: edit.new_end.offset,
            start_position: point(edit.start),
            old_end_position: point(edit.old_end),
            new_end_position: point(edit.new_end),
        };
        for tree in &mut self.trees {
            tree.edit(&input);
        }
        let (start, old_end, new_end) =
            (edit.start.offset, edit.old_end.offset, edit.new_end.offset);
        let shift = |offset: usize| (offset + new_end).saturating_sub(old_end);
        for part in &mut self.parts {
            if old_end < part.start {
                part.start = shift(part.start);
                part.end = shift(part.end);
            } else if start <= part.end {
                // An edit at either end may move the cut between two parts: both are touched.
                part.touched = true;
                part.start = part.start.min(start);
                part.end = if old_end <= part.end {
                    shift(part.end)
                } else {
                    new_end
                };
            }
        }
    }

    /// The tree of `part` of a new version of the text, cut into `n_parts` parts, when this
    /// tree has it: `Reuse::Unchanged` when no edit reached it, `Reuse::Edited` to parse it
    /// again from the edited tree. A part whose end an edit moved (a document marker added or
    /// removed, or lines that moved a marker across a cut) is parsed again from the tree of
    /// the part that started where it starts. One whose start moved is parsed afresh:
    /// tree-sitter reuses no node past a start whose scanner state differs from the old
    /// tree's there, and a part's first token follows no other.
    fn part(&self, part: &tree_sitter::Range, n_parts: usize) -> Option<Reuse<'_>> {
        if n_parts == 1 {
            // A text parsed whole is parsed again whole, from the edited tree.
            return (self.parts.is_empty())
                .then(|| self.trees.first().map(Reuse::Edited))
                .flatten();
        }
        let index = self
            .parts
            .iter()
            .position(|span| span.start == part.start_byte)?;
        let tree = self.trees.get(index)?;
        let span = self.parts[index];
        Some(if span.touched || span.end != part.end_byte {
            Reuse::Edited(tree)
        } else {
            Reuse::Unchanged(tree)
        })
    }
}

/// What a previous tree gives to one part of the next parse (see `ParsedTree::part`).
enum Reuse<'t> {
    /// The part's text did not change: its edited tree is the new tree.
    Unchanged(&'t tree_sitter::Tree),
    /// The part changed: it is parsed again, reusing what the edited tree still describes.
    Edited(&'t tree_sitter::Tree),
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
    parse(path, text, hints, None, Trees::Keep)
}

/// Like `parse_source`, for a file that is analysed once and never parsed again from its tree
/// (a batch run). A YAML text without syntax errors is read one part at a time, and each
/// tree is dropped as soon as its documents and comments are read: trees take many times
/// the size of the text (about 45 MB for a 2 MB stream). The file is then as after
/// `shed_tree`: `has_error_in`, `first_parse_problem` and `comments` answer as with the
/// trees, `trees` is empty and `parsed_tree` has nothing to reuse.
pub fn parse_source_once<'a>(
    path: &'a str,
    text: &'a str,
    hints: SourceHints,
) -> Option<SourceFile<'a>> {
    parse(path, text, hints, None, Trees::DropWhenClean)
}

/// Like `parse_source`, reusing `previous` when it was parsed with the same grammar. For a
/// long YAML stream parsed in parts, only the parts that an edit reached are parsed again.
pub fn parse_source_incremental<'a>(
    path: &'a str,
    text: &'a str,
    hints: SourceHints,
    previous: Option<&ParsedTree>,
) -> Option<SourceFile<'a>> {
    parse(path, text, hints, previous, Trees::Keep)
}

/// Whether `text` parses without a syntax error, as `parse_source_incremental` would parse it
/// with the same arguments, when the syntax trees alone tell: a YAML text whose format `hints`
/// (or its path) decide and that is not read as a template. `None` otherwise, and the caller
/// parses. Cheaper than a parse: no data documents, no line index, which for a long stream are
/// most of the work left once only the edited part is parsed again.
pub fn parses_cleanly(
    path: &str,
    text: &str,
    hints: SourceHints,
    previous: Option<&ParsedTree>,
) -> Option<bool> {
    let candidate = detect::candidate(path, text, hints)?;
    if candidate.language != Language::Yaml
        || matches!(candidate.format, None | Some(Format::TerraformPlan))
    {
        return None;
    }
    let path_decides_format = detect::candidate(path, text, SourceHints::default())
        .is_some_and(|by_path| by_path.format.is_some());
    if !path_decides_format && template::read(path, text).is_some() {
        return None;
    }
    let previous = previous.filter(|previous| {
        previous.language == Language::Yaml
            && !previous.rewritten
            && previous
                .trees
                .first()
                .is_some_and(|tree| tree.root_node().end_byte() > 0)
    });
    // A part that no edit reached keeps its tree: when that tree has a syntax error, so has
    // the text, unless its flow collections are relaxed and the whole stream parsed again,
    // which leaves a part that has no line to relax as it is. A part starts at a document
    // marker, so its lines relax alike alone and in the stream.
    if let Some(previous) = previous {
        let parts = tree::yaml_parts(text);
        let stays_broken = parts.iter().any(|part| {
            matches!(previous.part(part, parts.len()),
                Some(Reuse::Unchanged(tree)) if tree.root_node().has_error())
                && yaml_flow::relax(&text[part.start_byte..part.end_byte]).is_none()
        });
        if stays_broken {
            return Some(false);
        }
    }
    let (tree, more_trees, _) = parse_trees(Language::Yaml, text, previous)?;
    Some(
        std::iter::once(&tree)
            .chain(&more_trees)
            .all(|tree| !tree.root_node().has_error()),
    )
}

/// Like `parse_source_incremental`, for an editor that parses every version of a document
/// from the previous one's tree: the YAML documents are kept with the tree (`parsed_tree`), and
/// the next version builds only those whose text changed, taking the others again at their
/// new offsets.
pub fn parse_source_for_edits<'a>(
    path: &'a str,
    text: &'a str,
    hints: SourceHints,
    previous: Option<&ParsedTree>,
) -> Option<SourceFile<'a>> {
    parse(path, text, hints, previous, Trees::KeepWithDocuments)
}

/// Like `parse_source_for_edits`, for the new text of an edit whose base has no syntax error,
/// which is judged on a repaired text when it has one (the whole edit undone, at worst): a YAML
/// text with a syntax error, whose format `hints` decide and that is not read as a template,
/// builds no documents, which nothing would read, and keeps the documents of the version
/// `previous` is that of for the next version to take again.
pub fn parse_edited_source<'a>(
    path: &'a str,
    text: &'a str,
    hints: SourceHints,
    previous: Option<&ParsedTree>,
) -> Option<SourceFile<'a>> {
    parse(
        path,
        text,
        hints,
        previous,
        Trees::KeepWithDocumentsUnlessBroken,
    )
}

/// Whether a parse keeps the syntax trees of a YAML file.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Trees {
    Keep,
    /// Keeps them, and the YAML documents as built (see `parse_source_for_edits`).
    KeepWithDocuments,
    /// As `KeepWithDocuments`, but a broken text builds no documents (see
    /// `parse_edited_source`).
    KeepWithDocumentsUnlessBroken,
    /// Keeps them only when they hold a syntax error (see `parse_source_once`).
    DropWhenClean,
}

fn parse<'a>(
    path: &'a str,
    text: &'a str,
    hints: SourceHints,
    previous: Option<&ParsedTree>,
    keep: Trees,
) -> Option<SourceFile<'a>> {
    let candidate = detect::candidate(path, text, hints)?;
    let language = candidate.language;
    let for_edits = matches!(
        keep,
        Trees::KeepWithDocuments | Trees::KeepWithDocumentsUnlessBroken
    );
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
    // empty stand-in of a plan or of a file read once.
    let previous = previous.filter(|previous| {
        previous.language == language
            && !previous.rewritten
            && neutral.is_none()
            && previous
                .trees
                .first()
                .is_some_and(|tree| tree.root_node().end_byte() > 0)
    });
    let clean = match (language, keep) {
        (Language::Yaml, Trees::DropWhenClean) => read_clean_yaml(parsed),
        _ => None,
    };
    let mut kept_documents = Vec::new();
    let (tree, more_trees, mut documents, relaxed, shed) = match clean {
        Some((documents, comments)) => {
            let shed = Shed {
                errors: Vec::new(),
                first_problem: None,
                comments,
            };
            let empty = tree::parse(language, "")?;
            (empty, Vec::new(), documents, false, Some(shed))
        }
        None => {
            let (tree, more_trees, relaxed) = parse_trees(language, parsed, previous)?;
            let skip_documents = keep == Trees::KeepWithDocumentsUnlessBroken
                && language == Language::Yaml
                && candidate.format.is_some()
                && neutral.is_none()
                && std::iter::once(&tree)
                    .chain(&more_trees)
                    .any(|tree| tree.root_node().has_error());
            if skip_documents {
                kept_documents = previous
                    .map(|previous| previous.documents.clone())
                    .unwrap_or_default();
            }
            // A text parsed for an editor keeps its documents for the next version, which
            // takes again those whose text did not change; the first version keeps them too.
            let kept: Option<text_memo::TextMap<&str, &std::sync::Arc<yaml::KeptDocument>>> =
                (for_edits && !relaxed && !skip_documents).then(|| {
                    previous
                        .iter()
                        .flat_map(|previous| &previous.documents)
                        .map(|document| (document.text(), document))
                        .collect()
                });
            let documents = match language {
                _ if skip_documents => Vec::new(),
                Language::Json => shared(json::documents(&tree, parsed)),
                Language::Yaml => {
                    let mut res = Vec::new();
                    for tree in std::iter::once(&tree).chain(&more_trees) {
                        let (built, to_keep) = yaml::documents_reusing(tree, parsed, kept.as_ref());
                        res.extend(built);
                        kept_documents.extend(to_keep);
                    }
                    res
                }
                Language::Toml => shared(toml::documents(&tree, parsed)),
                _ => Vec::new(),
            };
            (tree, more_trees, documents, relaxed, None)
        }
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
        kubernetes_objects: std::sync::OnceLock::new(),
        templated: !template_actions.is_empty(),
        template_actions,
        terraform: std::sync::OnceLock::new(),
        policies: std::sync::OnceLock::new(),
        module_symbols: std::sync::OnceLock::new(),
        shed,
        command_line: hints.command_line,
        relaxed,
        kept_documents,
        for_edits,
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

/// The trees of `text` (for a long YAML stream, one per part), reusing `previous`, and
/// whether they are those of the YAML text with its flow collections relaxed.
fn parse_trees(
    language: Language,
    text: &str,
    previous: Option<&ParsedTree>,
) -> Option<(tree_sitter::Tree, Vec<tree_sitter::Tree>, bool)> {
    let mut trees = match language {
        Language::Yaml => {
            let parts = tree::yaml_parts(text);
            parts
                .iter()
                .map(
                    |part| match previous.and_then(|p| p.part(part, parts.len())) {
                        Some(Reuse::Unchanged(tree)) => Some(tree.clone()),
                        Some(Reuse::Edited(tree)) => {
                            tree::parse_yaml_part(text, &parts, part, Some(tree))
                        }
                        None => tree::parse_yaml_part(text, &parts, part, None),
                    },
                )
                .collect::<Option<Vec<_>>>()?
        }
        _ => {
            let previous = previous.and_then(|previous| previous.trees.first());
            vec![tree::parse_incremental(language, text, previous)?]
        }
    };
    // Flow collections indented less than tree-sitter-yaml accepts are read from a relaxed
    // text of the same length (see `yaml_flow`); only a clean second parse replaces the first.
    let mut relaxed = false;
    if language == Language::Yaml && trees.iter().any(|tree| tree.root_node().has_error()) {
        let retry = yaml_flow::relax(text).and_then(|text| tree::parse_yaml_stream(&text));
        if let Some(retry) = retry
            && retry.iter().all(|tree| !tree.root_node().has_error())
        {
            trees = retry;
            relaxed = true;
        }
    }
    let tree = trees.remove(0);
    Some((tree, trees, relaxed))
}

/// Documents, each shareable between versions of a text (see `yaml::documents_reusing`).
fn shared(documents: Vec<value::Node>) -> Vec<std::sync::Arc<value::Node>> {
    documents.into_iter().map(std::sync::Arc::new).collect()
}

/// The documents and comments of a YAML text without syntax errors, read one part at a time,
/// each tree dropped once read; `None` when a part has an error, for the general path.
fn read_clean_yaml(text: &str) -> Option<(Vec<std::sync::Arc<value::Node>>, Vec<TextRange>)> {
    let parts = tree::yaml_parts(text);
    let mut documents = Vec::new();
    let mut comments = Vec::new();
    for part in &parts {
        let tree = tree::parse_yaml_part(text, &parts, part, None)?;
        if tree.root_node().has_error() {
            return None;
        }
        documents.extend(yaml::documents(&tree, text));
        comments.extend(tree::comments(&tree));
    }
    Some((documents, comments))
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
    let documents = vec![std::sync::Arc::new(root)];
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
        kubernetes_objects: std::sync::OnceLock::new(),
        templated: false,
        template_actions: Vec::new(),
        terraform: std::sync::OnceLock::new(),
        policies: std::sync::OnceLock::new(),
        module_symbols: std::sync::OnceLock::new(),
        shed: None,
        command_line: false,
        relaxed: false,
        kept_documents: Vec::new(),
        for_edits: false,
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
            kubernetes_objects: self.kubernetes_objects,
            templated: self.templated,
            template_actions: self.template_actions,
            terraform: self.terraform,
            policies: self.policies,
            module_symbols: self.module_symbols,
            shed: self.shed,
            command_line: self.command_line,
            relaxed: self.relaxed,
            kept_documents: self.kept_documents,
            for_edits: self.for_edits,
        }
    }

    /// The tree, to reuse when parsing the next version of the text.
    pub fn parsed_tree(&self) -> ParsedTree {
        // The parts of a long YAML stream are the ranges their trees were parsed from.
        let parts = if self.more_trees.is_empty() {
            Vec::new()
        } else {
            self.trees()
                .map(|tree| {
                    let range = tree.included_ranges().first().copied();
                    range.map_or(
                        PartSpan {
                            start: 0,
                            end: 0,
                            touched: true,
                        },
                        |range| PartSpan {
                            start: range.start_byte,
                            end: range.end_byte,
                            touched: false,
                        },
                    )
                })
                .collect()
        };
        ParsedTree {
            language: self.language,
            trees: self.trees().cloned().collect(),
            parts,
            rewritten: self.templated || self.relaxed,
            documents: self.kept_documents.clone(),
        }
    }

    /// Whether the trees are those of the text with its flow collections relaxed (see
    /// `yaml_flow`), because it did not parse as written.
    pub fn relaxed(&self) -> bool {
        self.relaxed
    }

    /// The byte ranges of the parts of a long YAML stream, parsed in parts, whose syntax
    /// errors no edit elsewhere mends: each part with one and no flow collection to relax
    /// (see `yaml_flow`). A part starts at a document marker, and a document's syntax errors
    /// are its own, so a text that keeps one of these parts as it is does not parse. Empty
    /// for a text parsed whole.
    pub fn broken_parts(&self) -> Vec<std::ops::Range<usize>> {
        if self.language != Language::Yaml
            || self.more_trees.is_empty()
            || self.relaxed
            || self.templated
        {
            return Vec::new();
        }
        self.trees()
            .filter(|tree| tree.root_node().has_error())
            .filter_map(|tree| {
                let range = tree.included_ranges().first().copied()?;
                let part = range.start_byte..range.end_byte;
                yaml_flow::relax(self.text.get(part.clone())?)
                    .is_none()
                    .then_some(part)
            })
            .collect()
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

    /// What the file declares for its Terraform module, read once; `None` for an override
    /// file and for other formats.
    pub fn module_symbols(&self) -> Option<&terraform_eval::symbols::FileSymbols> {
        self.module_symbols
            .get_or_init(|| {
                (self.format == Format::Terraform)
                    .then(|| terraform_eval::symbols::FileSymbols::read(self))
                    .flatten()
            })
            .as_ref()
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
            // A tree without errors has none to look for (most trees, most of the time).
            let root = tree.root_node();
            root.has_error()
                && root
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

    /// The file's Kubernetes objects (`kubernetes::objects` of its documents), found once:
    /// every Kubernetes rule reads them, and finding them reads each document's `kind`.
    pub fn kubernetes_objects(&self) -> Vec<&value::Node> {
        self.kubernetes_objects_in(|_| true)
    }

    /// The file's Kubernetes objects that are in the documents whose index `keep` accepts, in
    /// order.
    pub fn kubernetes_objects_in(&self, keep: impl Fn(usize) -> bool) -> Vec<&value::Node> {
        self.kubernetes_objects
            .get_or_init(|| kubernetes::object_places(&self.documents))
            .iter()
            .filter(|place| keep(place.document()))
            .filter_map(|&place| kubernetes::object_at(&self.documents, place))
            .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A Kubernetes stream long enough to be parsed in parts, with a comment in each document.
    fn long_stream() -> String {
        let document = "apiVersion: v1\nkind: Role\n# rules\nrules:\n  - apiGroups: [\"apps\"]\n    verbs: [\"get\"]\n";
        let documents: Vec<String> = (0..8_000)
            .map(|index| document.replace("Role", &format!("Role{index}")))
            .collect();
        documents.join("---\n")
    }

    fn point(text: &str, offset: usize) -> TextPoint {
        let line_start = text[..offset].rfind('\n').map_or(0, |at| at + 1);
        TextPoint {
            offset,
            line: text[..offset].matches('\n').count(),
            column: offset - line_start,
        }
    }

    /// Replaces `old` at `offset` with `new`, in the text and in the tree.
    pub(crate) fn replace(
        text: &str,
        tree: &mut ParsedTree,
        offset: usize,
        old: &str,
        new: &str,
    ) -> String {
        let res = format!("{}{new}{}", &text[..offset], &text[offset + old.len()..]);
        tree.edit(&TreeEdit {
            start: point(text, offset),
            old_end: point(text, offset + old.len()),
            new_end: point(&res, offset + new.len()),
        });
        res
    }

    /// Parses `committed` as an editor's `main.tf`, then makes each edit (offset, old text,
    /// new text) in turn; after each, `same` compares the file parsed from the previous tree
    /// (`parse_source_for_edits`) with the same text parsed afresh.
    pub(crate) fn check_edits_against_fresh(
        committed: &str,
        edits: &[(usize, &str, &str)],
        same: impl Fn(&SourceFile<'_>, &SourceFile<'_>, &str),
    ) {
        let parse_and_compare = |text: &str, previous: Option<&ParsedTree>| {
            let edited = parse_source_for_edits("main.tf", text, SourceHints::default(), previous)
                .expect("terraform");
            let fresh = parse_source("main.tf", text, SourceHints::default()).expect("terraform");
            same(&edited, &fresh, text);
            edited.parsed_tree()
        };
        let mut text = committed.to_owned();
        let mut tree = parse_and_compare(&text, None);
        for &(offset, old, new) in edits {
            text = replace(&text, &mut tree, offset, old, new);
            tree = parse_and_compare(&text, Some(&tree));
        }
    }

    fn part_parses() -> usize {
        tree::YAML_PART_PARSES.with(std::cell::Cell::get)
    }

    fn assert_same_file(file: &SourceFile<'_>, fresh: &SourceFile<'_>) {
        assert_eq!(file.documents, fresh.documents);
        assert_eq!(file.comments(), fresh.comments());
        assert_eq!(file.first_parse_problem(), fresh.first_parse_problem());
        let sexp = |file: &SourceFile<'_>| -> Vec<String> {
            file.trees()
                .map(|tree| tree.root_node().to_sexp())
                .collect()
        };
        assert_eq!(sexp(file), sexp(fresh));
        let ranges = |file: &SourceFile<'_>| -> Vec<(usize, usize)> {
            file.trees()
                .map(|tree| (tree.root_node().start_byte(), tree.root_node().end_byte()))
                .collect()
        };
        assert_eq!(ranges(file), ranges(fresh));
    }

    /// An edit of one document of a long stream parses again only the part that holds it; the
    /// other parts keep their trees, moved by the edit, and the file is that of a fresh parse.
    #[test]
    fn an_edit_of_a_long_stream_parses_one_part_again() {
        let path = "manifests.yaml";
        let text = long_stream();
        let file = parse_source(path, &text, SourceHints::default()).expect("yaml parses");
        assert!(file.more_trees.len() >= 2);
        let mut tree = file.parsed_tree();
        // A longer name in the middle of the stream moves every later part.
        let offset = text.find("kind: Role4000\n").expect("document 4000") + "kind: ".len();
        let text = replace(&text, &mut tree, offset, "Role4000", "ClusterRole4000");
        let before = part_parses();
        let file = parse_source_incremental(path, &text, SourceHints::default(), Some(&tree))
            .expect("yaml parses");
        assert_eq!(part_parses() - before, 1);
        let fresh = parse_source(path, &text, SourceHints::default()).expect("yaml parses");
        assert_same_file(&file, &fresh);
        let kinds: Vec<&str> = file
            .documents
            .iter()
            .filter_map(|document| document.get("kind").and_then(value::Node::as_str))
            .collect();
        assert_eq!(kinds[4000], "ClusterRole4000");

        // The next edit, in the first part, again parses that part only.
        let mut tree = file.parsed_tree();
        let offset = text.find("verbs: [\"get\"]").expect("verbs") + "verbs: [\"".len();
        let text = replace(&text, &mut tree, offset, "get", "delete");
        let before = part_parses();
        let file = parse_source_incremental(path, &text, SourceHints::default(), Some(&tree))
            .expect("yaml parses");
        assert_eq!(part_parses() - before, 1);
        let fresh = parse_source(path, &text, SourceHints::default()).expect("yaml parses");
        assert_same_file(&file, &fresh);
    }

    /// An edit that moves where the stream is cut parses again the parts whose ends moved,
    /// and gives the file of a fresh parse.
    #[test]
    fn an_edit_that_moves_a_cut_gives_a_fresh_parse() {
        let path = "manifests.yaml";
        let text = long_stream();
        let file = parse_source(path, &text, SourceHints::default()).expect("yaml parses");
        let n_parts = 1 + file.more_trees.len();
        let mut tree = file.parsed_tree();
        let offset = text.find("# rules\n").expect("comment");
        let lines = "# more\n".repeat(200);
        let text = replace(&text, &mut tree, offset, "", &lines);
        let before = part_parses();
        let file = parse_source_incremental(path, &text, SourceHints::default(), Some(&tree))
            .expect("yaml parses");
        assert!(part_parses() - before <= n_parts);
        let fresh = parse_source(path, &text, SourceHints::default()).expect("yaml parses");
        assert_same_file(&file, &fresh);
    }

    /// An editor's parse of a long stream builds again only the documents whose text an edit
    /// changed, and takes the others again at their new offsets: the documents are those of a
    /// fresh parse, through edits that break and mend the syntax and that add and remove
    /// documents.
    #[test]
    fn an_edit_builds_only_the_edited_documents_again() {
        let path = "manifests.yaml";
        let builds = || yaml::DOCUMENT_BUILDS.with(std::cell::Cell::get);
        let mut text = long_stream();
        let file = parse_source(path, &text, SourceHints::default()).expect("yaml parses");
        let mut tree = file.parsed_tree();
        // The first version parsed for edits builds every document and keeps them.
        text = replace(&text, &mut tree, 0, "", "# top\n");
        let file = parse_source_for_edits(path, &text, SourceHints::default(), Some(&tree))
            .expect("yaml parses");
        assert_eq!(file.documents.len(), 8_000);
        // A version parsed for edits from no tree (a document just opened) keeps its documents
        // too: the first edit builds only the edited one.
        let opened =
            parse_source_for_edits(path, &text, SourceHints::default(), None).expect("yaml parses");
        let mut opened_tree = opened.parsed_tree();
        let at = text.find("Role5000").expect("a role");
        let edited = replace(&text, &mut opened_tree, at, "Role", "ClusterRole");
        let before = builds();
        let after_open =
            parse_source_for_edits(path, &edited, SourceHints::default(), Some(&opened_tree))
                .expect("yaml parses");
        assert_eq!(builds() - before, 1);
        let fresh = parse_source(path, &edited, SourceHints::default()).expect("yaml parses");
        assert_eq!(after_open.documents, fresh.documents);
        // A document before the edit is shared with the version it was taken from; one after
        // it is a copy at its new offset.
        assert!(std::sync::Arc::ptr_eq(
            &after_open.documents[0],
            &opened.documents[0]
        ));
        assert!(!std::sync::Arc::ptr_eq(
            &after_open.documents[7_000],
            &opened.documents[7_000]
        ));
        let edits: [(&str, &str, &str, usize); 5] = [
            // A longer name in the middle moves every later document.
            ("kind: Role4000\n", "Role4000", "ClusterRole4000", 1),
            // A new document, then a document removed. The new document's two lines move
            // the cut past them that had a document marker two lines before its multiple of
            // 2,048 lines: the documents on either side of it are built again too (the last
            // document of a part ends with its line break).
            (
                "---\napiVersion: v1\nkind: Role7000\n",
                "---\n",
                "---\nkind: Extra\n---\n",
                4,
            ),
            // The cut moves back.
            ("---\nkind: Extra\n", "---\nkind: Extra\n", "", 3),
            // A broken document, then mended: a part with a syntax error is built whole.
            ("kind: Role10\n", "Role10", "[Role10", usize::MAX),
            ("kind: [Role10\n", "[Role10", "Role10", usize::MAX),
        ];
        let mut file = file;
        for (find, old, new, at_most) in edits {
            let mut tree = file.parsed_tree();
            let offset =
                text.find(find).expect("edited text is there") + find.find(old).expect("old");
            text = replace(&text, &mut tree, offset, old, new);
            let before = builds();
            file = parse_source_for_edits(path, &text, SourceHints::default(), Some(&tree))
                .expect("yaml parses");
            assert!(
                builds() - before <= at_most,
                "{} documents built for {new:?}",
                builds() - before
            );
            let fresh = parse_source(path, &text, SourceHints::default()).expect("yaml parses");
            assert_eq!(file.documents, fresh.documents, "after {new:?}");
            assert_eq!(file.first_parse_problem(), fresh.first_parse_problem());
        }
    }

    /// A part whose end an edit moved is parsed again from the tree of the part that started
    /// where it starts, which gives it most of its nodes, and not from nothing.
    #[test]
    fn a_part_cut_elsewhere_is_parsed_from_the_tree_it_starts_with() {
        let path = "manifests.yaml";
        let text = long_stream();
        let file = parse_source(path, &text, SourceHints::default()).expect("yaml parses");
        let ids = |tree: &tree_sitter::Tree| -> std::collections::HashSet<usize> {
            let root = tree.root_node();
            let mut cursor = root.walk();
            root.named_children(&mut cursor)
                .map(|node| node.id())
                .collect()
        };
        let second = tree::yaml_parts(&text)[1].start_byte;
        let mut tree = file.parsed_tree();
        // The document marker that started the second part, broken: the first part ends at
        // the next marker.
        let edited = replace(&text, &mut tree, second, "-", "");
        assert_ne!(tree::yaml_parts(&edited)[1].start_byte, second);
        let again = parse_source_incremental(path, &edited, SourceHints::default(), Some(&tree))
            .expect("yaml parses");
        let (before, after) = (ids(&file.tree), ids(&again.tree));
        let taken = before.intersection(&after).count();
        assert!(
            taken * 10 > after.len() * 9,
            "{taken} of {} documents taken again",
            after.len()
        );
        let fresh = parse_source(path, &edited, SourceHints::default()).expect("yaml parses");
        assert_eq!(again.documents, fresh.documents);
        assert_eq!(again.first_parse_problem(), fresh.first_parse_problem());
    }

    /// A broken text parsed as the new text of an edit builds no documents and keeps those of
    /// the version before it, which the next version, mended, takes again; without a format
    /// that the hints decide, the documents are built to find it.
    #[test]
    fn a_broken_edited_text_keeps_the_documents_before_it() {
        let path = "manifests.yaml";
        let builds = || yaml::DOCUMENT_BUILDS.with(std::cell::Cell::get);
        let hints = SourceHints {
            format: Some(Format::Kubernetes),
            ..SourceHints::default()
        };
        let mut text = long_stream();
        let file = parse_source_for_edits(path, &text, hints, None).expect("yaml parses");
        let at = text.find("kind: Role10\n").expect("a role") + "kind: ".len();
        let mut tree = file.parsed_tree();
        text = replace(&text, &mut tree, at, "Role10", "[Role10");
        let before = builds();
        let broken = parse_edited_source(path, &text, hints, Some(&tree)).expect("yaml parses");
        assert_eq!(builds(), before);
        assert!(broken.documents.is_empty());
        assert!(broken.first_parse_problem().is_some());
        let sniffed = parse_edited_source(path, &text, SourceHints::default(), Some(&tree))
            .expect("yaml parses");
        assert_eq!(sniffed.format, Format::Kubernetes);
        assert!(!sniffed.documents.is_empty());
        let mut tree = broken.parsed_tree();
        text = replace(&text, &mut tree, at, "[Role10", "Role10x");
        let before = builds();
        let mended = parse_edited_source(path, &text, hints, Some(&tree)).expect("yaml parses");
        assert!(
            builds() - before <= 2,
            "{} documents built",
            builds() - before
        );
        let fresh = parse_source(path, &text, hints).expect("yaml parses");
        assert_eq!(mended.documents, fresh.documents);
    }

    /// A file read once has the documents, comments and syntax errors of a file parsed with
    /// its trees kept, whether or not it is broken.
    #[test]
    fn a_yaml_file_read_once_answers_as_with_its_trees() {
        let long = long_stream();
        let broken = format!("{long}---\nkind: [\n");
        for text in [
            long.as_str(),
            broken.as_str(),
            "apiVersion: v1 # one\nkind: Pod\n---\napiVersion: v1\nkind: Secret\n",
        ] {
            let once = parse_source_once("manifests.yaml", text, SourceHints::default())
                .expect("yaml parses");
            let kept =
                parse_source("manifests.yaml", text, SourceHints::default()).expect("yaml parses");
            assert_eq!(once.documents, kept.documents);
            assert_eq!(once.comments(), kept.comments());
            assert_eq!(once.first_parse_problem(), kept.first_parse_problem());
            assert_eq!(once.format, kept.format);
            let whole = TextRange::from_usize(0, text.len());
            assert_eq!(once.has_error_in(whole), kept.has_error_in(whole));
            let broken = text.contains("kind: [");
            assert_eq!(
                once.trees()
                    .next()
                    .map(|tree| tree.root_node().end_byte() > 0),
                Some(broken)
            );
        }
    }
}

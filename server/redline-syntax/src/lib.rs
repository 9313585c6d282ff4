//! Format detection, tree-sitter parsing, and typed views over the parsed trees.
//!
//! A file is parsed once. `SourceFile` holds the tree, the detected `Format`, and for JSON and
//! YAML the data documents (`value::Node`) that most rules read.

pub mod cloudformation;
pub mod detect;
pub mod embedded;
pub mod hcl;
mod json;
pub mod kubernetes;
pub mod shell;
mod toml;
pub mod tree;
pub mod value;
mod yaml;

use redline_text::{LineIndex, TextRange};

pub use detect::{Format, Language};

/// One parsed source file, ready for rules.
pub struct SourceFile<'a> {
    /// The path as given by the front-end (used for display and path-based rules).
    pub path: &'a str,
    /// The full text that was parsed.
    pub text: &'a str,
    /// The grammar that parsed the text.
    pub language: Language,
    /// What kind of document this is.
    pub format: Format,
    /// The concrete syntax tree (of the first part, for a long YAML stream parsed in parts).
    pub tree: tree_sitter::Tree,
    /// The trees of the further parts of a long YAML stream, in order; usually empty.
    pub more_trees: Vec<tree_sitter::Tree>,
    /// The data documents of a JSON or YAML file, in order; empty for other languages.
    pub documents: Vec<value::Node>,
    /// Line starts of `text`.
    pub line_index: LineIndex,
    /// The commands the file runs, computed on first use (see `commands`).
    commands: std::sync::OnceLock<Vec<shell::Command>>,
    /// Whether the file is a template (Helm, Go templates) that must be rendered before it
    /// means anything; such files are not analysed.
    pub templated: bool,
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
#[derive(Clone, Copy, Debug, Default)]
pub struct SourceHints {
    /// Forces the format, e.g. for files that `.gitlab-ci.yml` includes.
    pub format: Option<Format>,
}

/// Parses `text` and decides its format. Returns `None` when redline does not analyse the file.
pub fn parse_source<'a>(
    path: &'a str,
    text: &'a str,
    hints: SourceHints,
) -> Option<SourceFile<'a>> {
    let candidate = detect::candidate(path, text, hints)?;
    let language = candidate.language;
    let mut trees = match language {
        Language::Yaml => tree::parse_yaml_stream(text)?,
        _ => vec![tree::parse(language, text)?],
    };
    let tree = trees.remove(0);
    let more_trees = trees;
    let documents = match language {
        Language::Json => json::documents(&tree, text),
        Language::Yaml => std::iter::once(&tree)
            .chain(&more_trees)
            .flat_map(|tree| yaml::documents(tree, text))
            .collect(),
        Language::Toml => toml::documents(&tree, text),
        _ => Vec::new(),
    };
    let templated = language == Language::Yaml
        && candidate.format.is_none()
        && detect::is_go_template(path, text);
    let format = match candidate.format {
        Some(format) => format,
        None if templated => Format::Kubernetes,
        None => detect::sniff(language, &documents)?,
    };
    Some(SourceFile {
        path,
        text,
        language,
        format,
        tree,
        more_trees,
        documents,
        line_index: LineIndex::new(text),
        commands: std::sync::OnceLock::new(),
        templated,
    })
}

impl SourceFile<'_> {
    /// The text covered by `range`.
    pub fn slice(&self, range: TextRange) -> &str {
        self.text.get(range.to_std()).unwrap_or("")
    }

    /// The first syntax error of the file, if any.
    pub fn first_parse_problem(&self) -> Option<ParseProblem> {
        self.trees()
            .find_map(|tree| tree::first_error(tree, self.text))
    }

    /// Every comment of the file, in source order.
    pub fn comments(&self) -> Vec<TextRange> {
        self.trees().flat_map(tree::comments).collect()
    }

    /// The shell commands the file runs: a script's own commands, workflow `run:` steps,
    /// GitLab CI `script:` lines; ranges are in this file.
    pub fn commands(&self) -> &[shell::Command] {
        embedded::file_commands(self, &self.commands)
    }

    /// Every tree of the file, in source order.
    pub fn trees(&self) -> impl Iterator<Item = &tree_sitter::Tree> {
        std::iter::once(&self.tree).chain(&self.more_trees)
    }
}

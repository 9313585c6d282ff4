//! Format detection, tree-sitter parsing, and typed views over the parsed trees.
//!
//! A file is parsed once. `SourceFile` holds the tree, the detected `Format`, and for JSON and
//! YAML the data documents (`value::Node`) that most rules read.

pub mod detect;
pub mod hcl;
mod json;
pub mod plan_json;
pub mod terraform;
pub mod terraform_plan;
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
    /// The concrete syntax tree; empty for Terraform plans, which are read without it.
    pub tree: tree_sitter::Tree,
    /// The data documents of a JSON or YAML file, in order; empty for other languages.
    /// For Terraform plans, only the parts the plan model reads are built.
    pub documents: Vec<value::Node>,
    /// Line starts of `text`.
    pub line_index: LineIndex,
    /// The Terraform model, built on first use and shared by every rule.
    terraform: std::sync::OnceLock<terraform::TerraformFile>,
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
    if let Some(file) = parse_plan(path, text, candidate) {
        return Some(file);
    }
    let tree = tree::parse(language, text)?;
    let documents = match language {
        Language::Json => json::documents(&tree, text),
        Language::Yaml => yaml::documents(&tree, text),
        _ => Vec::new(),
    };
    let format = match candidate.format {
        // A plan is only a plan when its content says so, even when the caller expects one.
        Some(Format::TerraformPlan) => match detect::sniff(language, &documents) {
            Some(Format::TerraformPlan) => Format::TerraformPlan,
            _ => return None,
        },
        Some(format) => format,
        None => detect::sniff(language, &documents)?,
    };
    Some(SourceFile {
        path,
        text,
        language,
        format,
        tree,
        documents,
        line_index: LineIndex::new(text),
        terraform: std::sync::OnceLock::new(),
    })
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
        text,
        language: Language::Json,
        format: Format::TerraformPlan,
        // Invariant: a plan read by `plan_json` is well-formed JSON, so an empty tree has
        // the same (absent) syntax errors and comments as the real one.
        tree: tree::parse(Language::Json, "")?,
        documents,
        line_index: LineIndex::new(text),
        terraform: std::sync::OnceLock::new(),
    })
}

impl SourceFile<'_> {
    /// The text covered by `range`.
    pub fn slice(&self, range: TextRange) -> &str {
        self.text.get(range.to_std()).unwrap_or("")
    }

    /// The Terraform model of the file (empty for files in other languages), built once.
    pub fn terraform(&self) -> &terraform::TerraformFile {
        self.terraform
            .get_or_init(|| terraform::TerraformFile::parse(self))
    }

    /// The first syntax error of the tree, if any.
    pub fn first_parse_problem(&self) -> Option<ParseProblem> {
        tree::first_error(&self.tree, self.text)
    }

    /// Every comment of the file, in source order.
    pub fn comments(&self) -> Vec<TextRange> {
        tree::comments(&self.tree)
    }
}

//! Format detection, tree-sitter parsing, and typed views over the parsed trees.
//!
//! A file is parsed once. `SourceFile` holds the tree, the detected `Format`, and for JSON and
//! YAML the data documents (`value::Node`) that most rules read.

pub mod detect;
pub mod hcl;
mod json;
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
    /// The concrete syntax tree.
    pub tree: tree_sitter::Tree,
    /// The data documents of a JSON or YAML file, in order; empty for other languages.
    pub documents: Vec<value::Node>,
    /// Line starts of `text`.
    pub line_index: LineIndex,
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

/// A syntax tree kept between two versions of a document, so that the next parse only redoes
/// what changed. An editor applies each change with `edit`, then passes it to
/// `parse_source_incremental`.
#[derive(Clone)]
pub struct ParsedTree {
    /// The grammar that produced the tree; a tree is reused only with the same grammar.
    pub language: Language,
    tree: tree_sitter::Tree,
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
    let previous = previous
        .filter(|previous| previous.language == language)
        .map(|previous| &previous.tree);
    let tree = tree::parse_incremental(language, text, previous)?;
    let documents = match language {
        Language::Json => json::documents(&tree, text),
        Language::Yaml => yaml::documents(&tree, text),
        _ => Vec::new(),
    };
    let format = match candidate.format {
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
    })
}

impl SourceFile<'_> {
    /// The tree, to reuse when parsing the next version of the text.
    pub fn parsed_tree(&self) -> ParsedTree {
        ParsedTree {
            language: self.language,
            tree: self.tree.clone(),
        }
    }

    /// The text covered by `range`.
    pub fn slice(&self, range: TextRange) -> &str {
        self.text.get(range.to_std()).unwrap_or("")
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

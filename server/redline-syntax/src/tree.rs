//! Parsing with tree-sitter, and tree walks shared by every language.

use redline_text::TextRange;
use tree_sitter::{Node, Parser, Tree};

use crate::{Language, ParseProblem};

/// The tree-sitter grammar for `language`.
pub fn grammar(language: Language) -> tree_sitter::Language {
    match language {
        Language::Hcl => tree_sitter_hcl::LANGUAGE.into(),
        Language::Json => tree_sitter_json::LANGUAGE.into(),
        Language::Yaml => tree_sitter_yaml::LANGUAGE.into(),
        Language::Bash => tree_sitter_bash::LANGUAGE.into(),
        Language::Toml => tree_sitter_toml_ng::LANGUAGE.into(),
    }
}

/// Parses `text` with the grammar of `language`.
///
/// Returns `None` only if tree-sitter refuses to parse at all, which it does not do for a
/// grammar that loaded; syntax errors become ERROR and MISSING nodes in the tree instead.
pub fn parse(language: Language, text: &str) -> Option<Tree> {
    parse_incremental(language, text, None)
}

/// Parses `text`, reusing the unchanged parts of `previous`, a tree of the same language that
/// was edited (`ParsedTree::edit`) to match `text`.
pub fn parse_incremental(language: Language, text: &str, previous: Option<&Tree>) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&grammar(language)).ok()?;
    parser.parse(text, previous)
}

/// The byte range of a node.
pub fn range(node: Node<'_>) -> TextRange {
    TextRange::from_usize(node.start_byte(), node.end_byte())
}

/// The text of a node, or `""` if the node does not lie on char boundaries.
pub fn node_text<'a>(node: Node<'_>, text: &'a str) -> &'a str {
    text.get(node.start_byte()..node.end_byte()).unwrap_or("")
}

/// The first ERROR or MISSING node in document order, described for users.
pub fn first_error(tree: &Tree, text: &str) -> Option<ParseProblem> {
    let root = tree.root_node();
    if !root.has_error() {
        return None;
    }
    // Walk down, always into the first child that contains an error. The walk is iterative
    // so that deeply nested input cannot exhaust the stack.
    let mut node = root;
    loop {
        if node.is_missing() {
            return Some(ParseProblem {
                range: TextRange::empty(range(node).start()),
                message: format!("syntax error: missing `{}`", node.kind()),
            });
        }
        if node.is_error() {
            let snippet: String = node_text(node, text)
                .chars()
                .take_while(|c| *c != '\n')
                .take(40)
                .collect();
            let message = if snippet.trim().is_empty() {
                "syntax error".to_owned()
            } else {
                format!("syntax error near `{}`", snippet.trim())
            };
            return Some(ParseProblem {
                range: first_line(range(node), text),
                message,
            });
        }
        let mut cursor = node.walk();
        let next = node
            .children(&mut cursor)
            .find(|child| child.has_error() || child.is_missing() || child.is_error());
        match next {
            Some(child) => node = child,
            None => {
                return Some(ParseProblem {
                    range: first_line(range(node), text),
                    message: "syntax error".to_owned(),
                });
            }
        }
    }
}

/// The range of every `comment` node, in source order.
pub fn comments(tree: &Tree) -> Vec<TextRange> {
    let mut res = Vec::new();
    let mut cursor = tree.walk();
    // Pre-order traversal with a cursor keeps memory flat for any nesting depth.
    'walk: loop {
        let node = cursor.node();
        if node.kind() == "comment" {
            res.push(range(node));
        } else if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
    res
}

/// Cuts a range at the end of its first line, so that a problem is shown on one line.
fn first_line(range: TextRange, text: &str) -> TextRange {
    let segment = text.get(range.to_std()).unwrap_or("");
    match segment.find('\n') {
        Some(index) => {
            TextRange::from_usize(range.start().to_usize(), range.start().to_usize() + index)
        }
        None => range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_and_comments() {
        let text = "resource \"a\" \"b\" {\n  # note\n  x = \n}\n";
        let tree = parse(Language::Hcl, text).expect("hcl grammar loads");
        assert!(first_error(&tree, text).is_some());
        assert_eq!(comments(&tree).len(), 1);
        let clean = "a = 1 // c\n/* d */\n";
        let tree = parse(Language::Hcl, clean).expect("hcl grammar loads");
        assert!(first_error(&tree, clean).is_none());
        assert_eq!(comments(&tree).len(), 2);
    }
}

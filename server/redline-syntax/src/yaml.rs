//! Builds `value::Node` documents from a tree-sitter-yaml tree.
//!
//! Aliases are resolved by copying the anchored value, within a budget of copied nodes per
//! file, so that an "alias bomb" (each anchor doubling the previous one) stops at the budget
//! with `Unknown` values instead of growing without bound.

use std::collections::HashMap;

use redline_text::TextRange;
use tree_sitter::{Node as TsNode, Tree};

use crate::tree::{node_text, range};
use crate::value::{Entry, MAX_DEPTH, Node, NodeKind, Scalar, ScalarKind};

/// How many nodes alias expansion may copy in one file.
const ALIAS_BUDGET: usize = 100_000;

struct Builder<'t> {
    text: &'t str,
    anchors: HashMap<String, Node>,
    alias_budget: usize,
}

/// One document of a YAML stream as it was built, kept so that the next version of the text
/// takes it again, moved, when the document's text did not change (an editor's long stream).
#[derive(Debug)]
pub(crate) struct KeptDocument {
    /// Where the document started in the text it was built from.
    start: usize,
    /// The document's text.
    text: std::sync::Arc<str>,
    /// The document as built, with its ranges in that text; the version built from that text
    /// holds the same node.
    node: std::sync::Arc<Node>,
    /// How many nodes alias expansion copied into it. A document is kept only when the
    /// expansion never ran out of budget, so that it is what any budget at least this large
    /// builds.
    alias_copies: usize,
}

impl KeptDocument {
    /// The document's text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }
}

/// Every document of a YAML stream, in order.
pub(crate) fn documents(tree: &Tree, text: &str) -> Vec<std::sync::Arc<Node>> {
    documents_reusing(tree, text, None).0
}

/// Every document of a YAML stream, in order, taking those whose text `kept` holds from there
/// instead of building them; with `kept`, also the documents to keep for the next version
/// (those without syntax errors). The result is what `documents` builds. A document taken
/// again at the offset it was kept at is shared with the version it was kept from.
pub(crate) fn documents_reusing(
    tree: &Tree,
    text: &str,
    kept: Option<&crate::text_memo::TextMap<&str, &std::sync::Arc<KeptDocument>>>,
) -> (Vec<std::sync::Arc<Node>>, Vec<std::sync::Arc<KeptDocument>>) {
    let mut builder = Builder {
        text,
        anchors: HashMap::new(),
        alias_budget: ALIAS_BUDGET,
    };
    let root = tree.root_node();
    let mut res = Vec::new();
    let mut to_keep = Vec::new();
    if root.is_error() {
        // Nothing parsed as a stream: keep whatever key/value pairs did parse.
        res.push(std::sync::Arc::new(builder.recover(root, 0)));
        return (res, to_keep);
    }
    let mut cursor = root.walk();
    let children: Vec<TsNode<'_>> = root.named_children(&mut cursor).collect();
    for (index, document) in children.iter().copied().enumerate() {
        if document.is_error() {
            res.push(std::sync::Arc::new(builder.recover(document, 0)));
            continue;
        }
        if document.kind() != "document" {
            continue;
        }
        let document_range = range(document);
        let document_text = text.get(document_range.to_std()).unwrap_or("");
        let start = document_range.start().to_usize();
        // Only a document without syntax errors is taken again or kept; and one that a syntax
        // error follows is built, since the broken text is read with its anchors (see
        // `recover`).
        let clean = !document.has_error();
        let lends_anchors = children[index + 1..]
            .iter()
            .find(|next| next.is_error() || next.kind() == "document")
            .is_some_and(|next| next.is_error());
        if let Some(found) = kept
            .filter(|_| clean && !lends_anchors)
            .and_then(|kept| kept.get(document_text))
            && found.alias_copies <= builder.alias_budget
        {
            builder.alias_budget -= found.alias_copies;
            if found.start == start {
                res.push(std::sync::Arc::clone(&found.node));
                to_keep.push(std::sync::Arc::clone(*found));
            } else {
                let node = std::sync::Arc::new(found.node.moved(found.start, start));
                res.push(std::sync::Arc::clone(&node));
                to_keep.push(std::sync::Arc::new(KeptDocument {
                    start,
                    text: std::sync::Arc::clone(&found.text),
                    node,
                    alias_copies: found.alias_copies,
                }));
            }
            continue;
        }
        #[cfg(test)]
        DOCUMENT_BUILDS.with(|count| count.set(count.get() + 1));
        // Anchors are local to a document.
        builder.anchors.clear();
        let budget_before = builder.alias_budget;
        let mut inner = document.walk();
        let content = document
            .named_children(&mut inner)
            .find(|child| matches!(child.kind(), "block_node" | "flow_node" | "ERROR"));
        let node = std::sync::Arc::new(match content {
            Some(content) => builder.build(content, 0),
            None => Node::null(TextRange::empty(document_range.start())),
        });
        // A budget at zero may have run out in this document.
        if kept.is_some() && clean && builder.alias_budget > 0 {
            to_keep.push(std::sync::Arc::new(KeptDocument {
                start,
                text: std::sync::Arc::from(document_text),
                node: std::sync::Arc::clone(&node),
                alias_copies: budget_before - builder.alias_budget,
            }));
        }
        res.push(node);
    }
    (res, to_keep)
}

#[cfg(test)]
thread_local! {
    /// How many YAML documents this thread built, for tests of what an edit builds again.
    pub(crate) static DOCUMENT_BUILDS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

impl Builder<'_> {
    fn build(&mut self, node: TsNode<'_>, depth: usize) -> Node {
        if depth > MAX_DEPTH || node.is_missing() {
            return Node::unknown(range(node));
        }
        if node.is_error() {
            return self.recover(node, depth);
        }
        match node.kind() {
            "block_node" | "flow_node" => self.build_wrapper(node, depth),
            _ => self.build_content(node, depth),
        }
    }

    /// A `block_node`/`flow_node`: optional tag and anchor, then the content.
    fn build_wrapper(&mut self, node: TsNode<'_>, depth: usize) -> Node {
        let mut tag = None;
        let mut anchor = None;
        let mut content = None;
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "tag" => tag = Some(node_text(child, self.text).to_owned()),
                "anchor" => {
                    anchor = Some(
                        node_text(child, self.text)
                            .trim_start_matches('&')
                            .to_owned(),
                    );
                }
                "comment" => {}
                _ => content = Some(child),
            }
        }
        let mut res = match content {
            Some(content) => self.build_content(content, depth),
            None => Node::null(TextRange::empty(range(node).end())),
        };
        if tag.is_some() {
            res.tag = tag;
        }
        if let Some(name) = anchor {
            self.anchors.insert(name, res.clone());
        }
        res
    }

    fn build_content(&mut self, node: TsNode<'_>, depth: usize) -> Node {
        let node_range = range(node);
        let kind = match node.kind() {
            "block_mapping" | "flow_mapping" => NodeKind::Mapping(self.mapping(node, depth)),
            "block_sequence" | "flow_sequence" => NodeKind::Sequence(self.sequence(node, depth)),
            "plain_scalar" => NodeKind::Scalar(plain_scalar(node, self.text)),
            "double_quote_scalar" => NodeKind::Scalar(Scalar {
                value: double_quoted(node_text(node, self.text)),
                kind: ScalarKind::String { quoted: true },
            }),
            "single_quote_scalar" => NodeKind::Scalar(Scalar {
                value: single_quoted(node_text(node, self.text)),
                kind: ScalarKind::String { quoted: true },
            }),
            "block_scalar" => NodeKind::Scalar(Scalar {
                value: block_scalar(node_text(node, self.text)),
                kind: ScalarKind::String { quoted: true },
            }),
            "alias" => return self.alias(node),
            "block_node" | "flow_node" => return self.build(node, depth + 1),
            _ => NodeKind::Unknown,
        };
        Node::new(node_range, kind)
    }

    /// The key/value pairs that parsed inside a syntax error, as a mapping; `Unknown` when none
    /// did. While a file is being typed this keeps the rest of it visible to rules.
    fn recover(&mut self, node: TsNode<'_>, depth: usize) -> Node {
        let entries = self.mapping(node, depth);
        if entries.is_empty() {
            Node::unknown(range(node))
        } else {
            Node::new(range(node), NodeKind::Mapping(entries))
        }
    }

    fn alias(&mut self, node: TsNode<'_>) -> Node {
        let name = node_text(node, self.text).trim_start_matches('*');
        let Some(target) = self.anchors.get(name) else {
            return Node::unknown(range(node));
        };
        let size = target.size();
        if size > self.alias_budget {
            self.alias_budget = 0;
            return Node::unknown(range(node));
        }
        self.alias_budget -= size;
        let mut res = target.clone();
        // The copy keeps the anchored value's inner ranges; its own range is the alias, so
        // findings on the value as a whole point at the place where it is used.
        res.range = range(node);
        res
    }

    fn mapping(&mut self, node: TsNode<'_>, depth: usize) -> Vec<Entry> {
        let mut entries = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "block_mapping_pair" | "flow_pair" => {
                    let key = match child.child_by_field_name("key") {
                        Some(key) => self.build(key, depth + 1),
                        None => Node::null(TextRange::empty(range(child).start())),
                    };
                    let value = match child.child_by_field_name("value") {
                        Some(value) => self.build(value, depth + 1),
                        None => Node::null(TextRange::empty(range(child).end())),
                    };
                    entries.push(Entry { key, value });
                }
                "flow_node" if !node.is_error() => {
                    let key = self.build(child, depth + 1);
                    let value = Node::null(TextRange::empty(key.range.end()));
                    entries.push(Entry { key, value });
                }
                _ => {}
            }
        }
        entries
    }

    fn sequence(&mut self, node: TsNode<'_>, depth: usize) -> Vec<Node> {
        let mut items = Vec::new();
        let mut cursor = node.walk();
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "block_sequence_item" => {
                    let mut inner = child.walk();
                    let value = child
                        .named_children(&mut inner)
                        .find(|item| matches!(item.kind(), "block_node" | "flow_node"));
                    items.push(match value {
                        Some(value) => self.build(value, depth + 1),
                        None => Node::null(TextRange::empty(range(child).end())),
                    });
                }
                "flow_node" => items.push(self.build(child, depth + 1)),
                "flow_pair" => {
                    let entries = self.mapping_of_pair(child, depth + 1);
                    items.push(Node::new(range(child), NodeKind::Mapping(entries)));
                }
                _ => {}
            }
        }
        items
    }

    fn mapping_of_pair(&mut self, pair: TsNode<'_>, depth: usize) -> Vec<Entry> {
        let key = match pair.child_by_field_name("key") {
            Some(key) => self.build(key, depth + 1),
            None => Node::null(TextRange::empty(range(pair).start())),
        };
        let value = match pair.child_by_field_name("value") {
            Some(value) => self.build(value, depth + 1),
            None => Node::null(TextRange::empty(range(pair).end())),
        };
        vec![Entry { key, value }]
    }
}

fn plain_scalar(node: TsNode<'_>, text: &str) -> Scalar {
    let raw = node_text(node, text);
    let mut cursor = node.walk();
    let typed = node
        .named_children(&mut cursor)
        .next()
        .map(|child| child.kind());
    let value = fold_lines(raw, |line| line.to_owned());
    let kind = match typed {
        Some("boolean_scalar") => ScalarKind::Bool(raw.eq_ignore_ascii_case("true")),
        Some("null_scalar") => ScalarKind::Null,
        Some("integer_scalar" | "float_scalar") => ScalarKind::Number,
        _ => ScalarKind::String { quoted: false },
    };
    Scalar { value, kind }
}

/// YAML flow folding: a line break between non-empty lines becomes a space, each empty line a
/// newline, and whitespace around line breaks is dropped.
fn fold_lines(raw: &str, decode: impl Fn(&str) -> String) -> String {
    if !raw.contains('\n') {
        return decode(raw);
    }
    let lines: Vec<&str> = raw.split('\n').collect();
    let last = lines.len() - 1;
    let mut res = String::new();
    let mut pending_breaks = 0usize;
    for (index, line) in lines.iter().enumerate() {
        let mut line = line.trim_end_matches('\r');
        if index > 0 {
            line = line.trim_start_matches([' ', '\t']);
        }
        if index < last {
            line = line.trim_end_matches([' ', '\t']);
        }
        if line.is_empty() && index > 0 && index < last {
            pending_breaks += 1;
            continue;
        }
        if index > 0 {
            if pending_breaks > 0 {
                res.push_str(&"\n".repeat(pending_breaks));
            } else {
                res.push(' ');
            }
        }
        pending_breaks = 0;
        res.push_str(&decode(line));
    }
    res
}

fn single_quoted(raw: &str) -> String {
    let inner = raw
        .strip_prefix('\'')
        .and_then(|rest| rest.strip_suffix('\''))
        .unwrap_or(raw);
    fold_lines(inner, |line| line.replace("''", "'"))
}

fn double_quoted(raw: &str) -> String {
    let inner = raw
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .unwrap_or(raw);
    fold_lines(inner, unescape_double)
}

fn unescape_double(line: &str) -> String {
    let mut res = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            res.push(c);
            continue;
        }
        let Some(escaped) = chars.next() else {
            break;
        };
        let hex_len = match escaped {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => 0,
        };
        if hex_len > 0 {
            let hex: String = chars.by_ref().take(hex_len).collect();
            let decoded = u32::from_str_radix(&hex, 16)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or('\u{FFFD}');
            res.push(decoded);
            continue;
        }
        res.push(match escaped {
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            't' | '\t' => '\t',
            'n' => '\n',
            'v' => '\u{b}',
            'f' => '\u{c}',
            'r' => '\r',
            'e' => '\u{1b}',
            'N' => '\u{85}',
            '_' => '\u{a0}',
            'L' => '\u{2028}',
            'P' => '\u{2029}',
            other => other,
        });
    }
    res
}

/// Decodes a literal (`|`) or folded (`>`) block scalar, with its chomping indicator.
fn block_scalar(raw: &str) -> String {
    let (header, body) = raw.split_once('\n').unwrap_or((raw, ""));
    let header = header.split('#').next().unwrap_or("").trim();
    let folded = header.starts_with('>');
    let chomping = if header.contains('-') {
        '-'
    } else if header.contains('+') {
        '+'
    } else {
        ' '
    };
    let lines: Vec<&str> = body
        .split('\n')
        .map(|line| line.trim_end_matches('\r'))
        .collect();
    let indent = lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start_matches(' ').len())
        .next()
        .unwrap_or(0);
    let content: Vec<&str> = lines
        .iter()
        .map(|line| line.get(indent..).unwrap_or(""))
        .collect();
    let mut res = String::new();
    if folded {
        let mut previous_plain = false;
        let mut started = false;
        let mut pending_empty = 0usize;
        for line in &content {
            if line.is_empty() {
                pending_empty += 1;
                continue;
            }
            let plain = !line.starts_with([' ', '\t']);
            if started {
                let folds = previous_plain && plain;
                if pending_empty > 0 {
                    let breaks = if folds {
                        pending_empty
                    } else {
                        pending_empty + 1
                    };
                    res.push_str(&"\n".repeat(breaks));
                } else if folds {
                    res.push(' ');
                } else {
                    res.push('\n');
                }
            }
            res.push_str(line);
            started = true;
            pending_empty = 0;
            previous_plain = plain;
        }
        if pending_empty > 0 {
            res.push_str(&"\n".repeat(pending_empty));
        }
    } else {
        res = content.join("\n");
    }
    let trimmed_len = res.trim_end_matches('\n').len();
    match chomping {
        '-' => res.truncate(trimmed_len),
        '+' => {
            if !res.ends_with('\n') {
                res.push('\n');
            }
        }
        _ => {
            res.truncate(trimmed_len);
            if !res.is_empty() {
                res.push('\n');
            }
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;

    fn parse(text: &str) -> Vec<std::sync::Arc<Node>> {
        let tree = crate::tree::parse(Language::Yaml, text).expect("yaml grammar loads");
        documents(&tree, text)
    }

    #[test]
    fn mappings_scalars_and_tags() {
        let text = "a: 1\nb: 'it''s'\nc: \"x\\ty\"\nd: true\ne:\nf: !Ref Thing\ng: [x, {k: v}]\n";
        let docs = parse(text);
        let root = &docs[0];
        assert_eq!(root.get("b").and_then(Node::as_str), Some("it's"));
        assert_eq!(root.get("c").and_then(Node::as_str), Some("x\ty"));
        assert_eq!(root.get("d").and_then(Node::as_bool), Some(true));
        assert!(matches!(
            root.get("e").map(|e| &e.kind),
            Some(NodeKind::Scalar(Scalar {
                kind: ScalarKind::Null,
                ..
            }))
        ));
        let f = root.get("f").expect("f is present");
        assert_eq!(f.tag.as_deref(), Some("!Ref"));
        assert!(f.is_opaque());
        assert_eq!(&text[f.range.to_std()], "Thing");
        let g = root.get("g").expect("g is present");
        assert_eq!(g.items()[1].get("k").and_then(Node::as_str), Some("v"));
    }

    #[test]
    fn block_scalars() {
        let text = "run: |\n  echo a\n  echo b\nfold: >-\n  one\n  two\n\n  three\n";
        let root = &parse(text)[0];
        assert_eq!(
            root.get("run").and_then(Node::as_str),
            Some("echo a\necho b\n")
        );
        assert_eq!(
            root.get("fold").and_then(Node::as_str),
            Some("one two\nthree")
        );
    }

    #[test]
    fn documents_and_aliases() {
        let text = "base: &b {x: 1}\nuse: *b\n---\nsecond: yes\n";
        let docs = parse(text);
        assert_eq!(docs.len(), 2);
        assert!(docs[0].get("use").is_some_and(Node::is_mapping));
    }

    #[test]
    fn broken_documents_keep_their_parsed_pairs() {
        let docs = parse("permissions: write-all\njobs: [\n");
        assert_eq!(
            docs[0].get("permissions").and_then(Node::as_str),
            Some("write-all")
        );
    }

    #[test]
    fn long_streams_parse_in_parts() {
        let document =
            "apiVersion: v1\nkind: Role\nrules:\n  - apiGroups: [\"apps\"]\n    verbs: [\"get\"]\n";
        let count = 8_000;
        let text = vec![document; count].join("---\n");
        let trees = crate::tree::parse_yaml_stream(&text).expect("yaml grammar loads");
        assert!(trees.len() > 1);
        let documents: Vec<std::sync::Arc<Node>> = trees
            .iter()
            .flat_map(|tree| documents(tree, &text))
            .collect();
        assert_eq!(documents.len(), count);
        assert!(trees.iter().all(|tree| !tree.root_node().has_error()));
        let last = documents.last().and_then(|d| d.get("kind")).expect("kind");
        assert_eq!(&text[last.range.to_std()], "Role");
        assert!(last.range.start().to_usize() > text.len() - document.len());
    }

    #[test]
    fn merge_keys_are_looked_through() {
        let text = ".defaults: &defaults\n  when: manual\n  stage: deploy\ndeploy:\n  <<: *defaults\n  stage: prod\n";
        let root = &parse(text)[0];
        let deploy = root.get("deploy").expect("deploy");
        assert_eq!(deploy.get("when").and_then(Node::as_str), Some("manual"));
        assert_eq!(deploy.get("stage").and_then(Node::as_str), Some("prod"));
    }

    #[test]
    fn alias_bomb_stops_at_budget() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for level in 1..30 {
            let previous = level - 1;
            text.push_str(&format!(
                "a{level}: &a{level} [*a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}, *a{previous}]\n"
            ));
        }
        let docs = parse(&text);
        assert!(docs[0].size() < 3 * ALIAS_BUDGET);
    }
}

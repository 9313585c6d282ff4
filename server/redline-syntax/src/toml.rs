//! Builds a `value::Node` document from a tree-sitter-toml tree: tables and dotted keys become
//! nested mappings, arrays of tables become sequences.

use redline_text::TextRange;
use tree_sitter::{Node as TsNode, Tree};

use crate::tree::{node_text, range};
use crate::value::{Entry, MAX_DEPTH, Node, NodeKind, Scalar, ScalarKind};

/// The single document of a TOML file.
pub(crate) fn documents(tree: &Tree, text: &str) -> Vec<Node> {
    let root = tree.root_node();
    let mut document = Node::new(range(root), NodeKind::Mapping(Vec::new()));
    let mut cursor = root.walk();
    for child in root.named_children(&mut cursor) {
        match child.kind() {
            "pair" => insert_pair(&mut document, child, text),
            "table" | "table_array_element" => {
                let array = child.kind() == "table_array_element";
                let mut inner = child.walk();
                let mut children = child.named_children(&mut inner);
                let Some(header) = children.next() else {
                    continue;
                };
                let path = key_path(header, text);
                let Some(target) = descend(&mut document, &path, array, range(child)) else {
                    continue;
                };
                for pair in children.filter(|node| node.kind() == "pair") {
                    insert_pair(target, pair, text);
                }
            }
            _ => {}
        }
    }
    vec![document]
}

/// `a.b."c"` → `[("a", range), ("b", range), ("c", range)]`.
fn key_path(node: TsNode<'_>, text: &str) -> Vec<(String, TextRange)> {
    match node.kind() {
        "dotted_key" => {
            let mut cursor = node.walk();
            node.named_children(&mut cursor)
                .flat_map(|child| key_path(child, text))
                .collect()
        }
        "quoted_key" => {
            let raw = node_text(node, text);
            vec![(
                raw.trim_matches(|c| c == '"' || c == '\'').to_owned(),
                range(node),
            )]
        }
        _ => vec![(node_text(node, text).to_owned(), range(node))],
    }
}

/// The mapping at `path` below `node`, created when missing; with `array`, a new element of
/// the array of tables at `path`.
fn descend<'n>(
    node: &'n mut Node,
    path: &[(String, TextRange)],
    array: bool,
    whole: TextRange,
) -> Option<&'n mut Node> {
    let ((name, key_range), rest) = path.split_first()?;
    let NodeKind::Mapping(entries) = &mut node.kind else {
        return None;
    };
    let index = match entries
        .iter()
        .position(|entry| entry.key.as_str() == Some(name))
    {
        Some(index) => index,
        None => {
            let value = if array && rest.is_empty() {
                Node::new(whole, NodeKind::Sequence(Vec::new()))
            } else {
                Node::new(whole, NodeKind::Mapping(Vec::new()))
            };
            entries.push(Entry {
                key: string_node(name, *key_range),
                value,
            });
            entries.len() - 1
        }
    };
    let child = &mut entries[index].value;
    let is_sequence = matches!(child.kind, NodeKind::Sequence(_));
    if is_sequence {
        let NodeKind::Sequence(items) = &mut child.kind else {
            return None;
        };
        if rest.is_empty() {
            items.push(Node::new(whole, NodeKind::Mapping(Vec::new())));
            return items.last_mut();
        }
        return descend(items.last_mut()?, rest, array, whole);
    }
    if rest.is_empty() {
        return Some(child);
    }
    descend(child, rest, array, whole)
}

fn insert_pair(target: &mut Node, pair: TsNode<'_>, text: &str) {
    let mut cursor = pair.walk();
    let children: Vec<TsNode<'_>> = pair
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .collect();
    let [key, value] = children.as_slice() else {
        return;
    };
    let mut path = key_path(*key, text);
    let Some((name, key_range)) = path.pop() else {
        return;
    };
    let parent = if path.is_empty() {
        Some(target)
    } else {
        descend(target, &path, false, range(pair))
    };
    let Some(NodeKind::Mapping(entries)) = parent.map(|node| &mut node.kind) else {
        return;
    };
    entries.push(Entry {
        key: string_node(&name, key_range),
        value: build(*value, text, 0),
    });
}

fn string_node(value: &str, range: TextRange) -> Node {
    Node::new(
        range,
        NodeKind::Scalar(Scalar {
            value: value.to_owned(),
            kind: ScalarKind::String { quoted: false },
        }),
    )
}

fn build(node: TsNode<'_>, text: &str, depth: usize) -> Node {
    let node_range = range(node);
    if depth > MAX_DEPTH || node.is_error() {
        return Node::unknown(node_range);
    }
    let raw = node_text(node, text);
    let kind = match node.kind() {
        "string" => NodeKind::Scalar(Scalar {
            value: decode_string(raw),
            kind: ScalarKind::String { quoted: true },
        }),
        "integer" | "float" => NodeKind::Scalar(Scalar {
            value: raw.to_owned(),
            kind: ScalarKind::Number,
        }),
        "boolean" => NodeKind::Scalar(Scalar {
            value: raw.to_owned(),
            kind: ScalarKind::Bool(raw == "true"),
        }),
        "array" => {
            let mut cursor = node.walk();
            NodeKind::Sequence(
                node.named_children(&mut cursor)
                    .filter(|child| child.kind() != "comment")
                    .map(|child| build(child, text, depth + 1))
                    .collect(),
            )
        }
        "inline_table" => {
            let mut table = Node::new(node_range, NodeKind::Mapping(Vec::new()));
            let mut cursor = node.walk();
            for pair in node
                .named_children(&mut cursor)
                .filter(|child| child.kind() == "pair")
            {
                insert_pair(&mut table, pair, text);
            }
            return table;
        }
        _ => NodeKind::Scalar(Scalar {
            value: raw.to_owned(),
            kind: ScalarKind::String { quoted: false },
        }),
    };
    Node::new(node_range, kind)
}

fn decode_string(raw: &str) -> String {
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if raw.len() >= 2 * quote.len() && raw.starts_with(quote) && raw.ends_with(quote) {
            let inner = &raw[quote.len()..raw.len() - quote.len()];
            if quote.starts_with('\'') {
                return inner.to_owned();
            }
            return inner
                .replace("\\\"", "\"")
                .replace("\\\\", "\\")
                .replace("\\n", "\n")
                .replace("\\t", "\t");
        }
    }
    raw.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;

    #[test]
    fn tables_and_dotted_keys() {
        let text = "approval_policy = \"never\"\nsandbox.mode = 'x'\n[profiles.yolo]\nsandbox_mode = \"danger-full-access\"\n[[servers]]\nname = \"a\"\n[[servers]]\nname = \"b\"\n";
        let tree = crate::tree::parse(Language::Toml, text).expect("toml grammar loads");
        let root = documents(&tree, text).remove(0);
        assert_eq!(
            root.get("approval_policy").and_then(Node::as_str),
            Some("never")
        );
        assert_eq!(
            root.get("sandbox")
                .and_then(|s| s.get("mode"))
                .and_then(Node::as_str),
            Some("x")
        );
        let yolo = root
            .get("profiles")
            .and_then(|p| p.get("yolo"))
            .expect("profile");
        let mode = yolo.get("sandbox_mode").expect("mode");
        assert_eq!(&text[mode.range.to_std()], "\"danger-full-access\"");
        assert_eq!(root.get("servers").map(|s| s.items().len()), Some(2));
    }
}

//! Builds `value::Node` documents from a tree-sitter-json tree.

use tree_sitter::{Node as TsNode, Tree};

use crate::tree::{node_text, range};
use crate::value::{Entry, MAX_DEPTH, Node, NodeKind, Scalar, ScalarKind};

/// The single document of a JSON file (none when the file holds no value).
pub(crate) fn documents(tree: &Tree, text: &str) -> Vec<Node> {
    let root = tree.root_node();
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .filter(|child| child.kind() != "comment")
        .take(1)
        .map(|child| build(child, text, 0))
        .collect()
}

fn build(node: TsNode<'_>, text: &str, depth: usize) -> Node {
    let node_range = range(node);
    if depth > MAX_DEPTH || node.is_error() || node.is_missing() {
        return Node::unknown(node_range);
    }
    let kind = match node.kind() {
        "object" => {
            let mut entries = Vec::new();
            let mut cursor = node.walk();
            for pair in node.named_children(&mut cursor) {
                if pair.kind() != "pair" {
                    continue;
                }
                let (Some(key), Some(value)) = (
                    pair.child_by_field_name("key"),
                    pair.child_by_field_name("value"),
                ) else {
                    continue;
                };
                entries.push(Entry {
                    key: build(key, text, depth + 1),
                    value: build(value, text, depth + 1),
                });
            }
            NodeKind::Mapping(entries)
        }
        "array" => {
            let mut cursor = node.walk();
            let items = node
                .named_children(&mut cursor)
                .filter(|child| child.kind() != "comment")
                .map(|child| build(child, text, depth + 1))
                .collect();
            NodeKind::Sequence(items)
        }
        "string" => NodeKind::Scalar(Scalar {
            value: decode_string(node, text),
            kind: ScalarKind::String { quoted: true },
        }),
        "number" => NodeKind::Scalar(Scalar {
            value: node_text(node, text).to_owned(),
            kind: ScalarKind::Number,
        }),
        "true" | "false" => NodeKind::Scalar(Scalar {
            value: node_text(node, text).to_owned(),
            kind: ScalarKind::Bool(node.kind() == "true"),
        }),
        "null" => NodeKind::Scalar(Scalar {
            value: String::new(),
            kind: ScalarKind::Null,
        }),
        _ => NodeKind::Unknown,
    };
    Node::new(node_range, kind)
}

fn decode_string(node: TsNode<'_>, text: &str) -> String {
    let raw = node_text(node, text);
    let inner = raw
        .strip_prefix('"')
        .map(|rest| rest.strip_suffix('"').unwrap_or(rest))
        .unwrap_or(raw);
    decode_escapes(inner)
}

/// Resolves the escapes of the inside of a JSON string (without its quotes).
pub(crate) fn decode_escapes(inner: &str) -> String {
    let mut res = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    let mut pending_high: Option<u32> = None;
    while let Some(c) = chars.next() {
        if c != '\\' {
            flush_surrogate(&mut res, &mut pending_high);
            res.push(c);
            continue;
        }
        let Some(escaped) = chars.next() else {
            break;
        };
        if escaped == 'u' {
            let hex: String = chars.by_ref().take(4).collect();
            let Ok(unit) = u32::from_str_radix(&hex, 16) else {
                flush_surrogate(&mut res, &mut pending_high);
                res.push('\u{FFFD}');
                continue;
            };
            match (pending_high.take(), unit) {
                (Some(high), 0xDC00..=0xDFFF) => {
                    let code = 0x10000 + ((high - 0xD800) << 10) + (unit - 0xDC00);
                    res.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                }
                (previous, 0xD800..=0xDBFF) => {
                    if previous.is_some() {
                        res.push('\u{FFFD}');
                    }
                    pending_high = Some(unit);
                }
                (previous, _) => {
                    if previous.is_some() {
                        res.push('\u{FFFD}');
                    }
                    res.push(char::from_u32(unit).unwrap_or('\u{FFFD}'));
                }
            }
            continue;
        }
        flush_surrogate(&mut res, &mut pending_high);
        res.push(match escaped {
            'n' => '\n',
            't' => '\t',
            'r' => '\r',
            'b' => '\u{8}',
            'f' => '\u{c}',
            other => other,
        });
    }
    flush_surrogate(&mut res, &mut pending_high);
    res
}

fn flush_surrogate(res: &mut String, pending_high: &mut Option<u32>) {
    if pending_high.take().is_some() {
        res.push('\u{FFFD}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;

    fn parse(text: &str) -> Node {
        let tree = crate::tree::parse(Language::Json, text).expect("json grammar loads");
        documents(&tree, text).remove(0)
    }

    #[test]
    fn objects_and_escapes() {
        let text = r#"{"a": "x\n\u00e9\ud83d\ude80", "b": [1, true, null], "a": "last"}"#;
        let root = parse(text);
        assert_eq!(root.get("a").and_then(Node::as_str), Some("last"));
        assert_eq!(root.entries()[0].value.as_str(), Some("x\né🚀"));
        assert_eq!(root.get("b").map(|b| b.items().len()), Some(3));
        let b = &root.entries()[1].value;
        assert_eq!(&text[b.range.to_std()], "[1, true, null]");
    }

    #[test]
    fn deep_nesting_becomes_unknown() {
        let depth = 2_000;
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        let root = parse(&text);
        assert!(root.size() <= MAX_DEPTH + 2);
    }
}

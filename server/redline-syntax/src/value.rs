//! One data model for JSON and YAML documents, with the exact source range of every value.
//!
//! Rules that read policies, workflows or manifests walk this model instead of the concrete
//! tree. Anything redline cannot see through (an alias over budget, a nesting limit, a syntax
//! error) is `NodeKind::Unknown`, and rules must not fire on it.

use redline_text::TextRange;

/// How deep the builders descend before they give up and record `Unknown`.
///
/// Real configuration files nest a few dozen levels at most; the limit keeps recursion far from
/// the stack size on hostile input.
pub const MAX_DEPTH: usize = 128;

/// A value with its range in the source.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The range of the value itself (without a YAML tag or anchor in front of it).
    pub range: TextRange,
    /// The YAML tag, e.g. `!Ref` or `!!str`.
    pub tag: Option<String>,
    /// What the value is.
    pub kind: NodeKind,
}

/// The shape of a value.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// An object or mapping, in source order.
    Mapping(Vec<Entry>),
    /// An array or sequence.
    Sequence(Vec<Node>),
    /// A string, number, boolean or null.
    Scalar(Scalar),
    /// A value that cannot be known statically.
    Unknown,
}

/// One key/value pair of a mapping.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// The key; usually a string scalar.
    pub key: Node,
    /// The value; a null scalar with an empty range when the source omits it.
    pub value: Node,
}

/// A scalar and its decoded text.
#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    /// The decoded value: quotes removed, escapes resolved, YAML folding applied.
    pub value: String,
    /// What kind of scalar the source wrote.
    pub kind: ScalarKind,
}

/// The type of a scalar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarKind {
    /// A string; `quoted` when the source used quotes or a block scalar.
    String {
        /// Whether the string was quoted in the source.
        quoted: bool,
    },
    /// A number, kept as text.
    Number,
    /// A boolean.
    Bool(bool),
    /// `null`, `~`, or an empty YAML value.
    Null,
}

impl Node {
    /// Creates a node without a tag.
    pub fn new(range: TextRange, kind: NodeKind) -> Self {
        Self {
            range,
            tag: None,
            kind,
        }
    }

    /// A copy of the node with every range moved by `to - from` bytes: a document built at
    /// offset `from` of an earlier text, taken again at offset `to`.
    pub(crate) fn moved(&self, from: usize, to: usize) -> Node {
        let range = |range: TextRange| {
            let at = |offset: redline_text::TextSize| (offset.to_usize() + to).saturating_sub(from);
            TextRange::from_usize(at(range.start()), at(range.end()))
        };
        let kind = match &self.kind {
            NodeKind::Mapping(entries) => NodeKind::Mapping(
                entries
                    .iter()
                    .map(|entry| Entry {
                        key: entry.key.moved(from, to),
                        value: entry.value.moved(from, to),
                    })
                    .collect(),
            ),
            NodeKind::Sequence(items) => {
                NodeKind::Sequence(items.iter().map(|item| item.moved(from, to)).collect())
            }
            NodeKind::Scalar(scalar) => NodeKind::Scalar(scalar.clone()),
            NodeKind::Unknown => NodeKind::Unknown,
        };
        Node {
            range: range(self.range),
            tag: self.tag.clone(),
            kind,
        }
    }

    /// An unknown value at `range`.
    pub fn unknown(range: TextRange) -> Self {
        Self::new(range, NodeKind::Unknown)
    }

    /// A null scalar at `range`.
    pub fn null(range: TextRange) -> Self {
        Self::new(
            range,
            NodeKind::Scalar(Scalar {
                value: String::new(),
                kind: ScalarKind::Null,
            }),
        )
    }

    /// The value of `key` in a mapping (the last one when a key repeats).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|entry| &entry.value)
    }

    /// The entry of `key` in a mapping (the last one when a key repeats), looking through
    /// YAML merge keys (`<<: *defaults`) when the mapping does not set the key itself.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entry_at_depth(key, 0)
    }

    fn entry_at_depth(&self, key: &str, depth: usize) -> Option<&Entry> {
        let entries = self.entries();
        if let Some(own) = entries
            .iter()
            .rev()
            .find(|entry| entry.key.as_str() == Some(key))
        {
            return Some(own);
        }
        if depth > 8 || key == "<<" {
            return None;
        }
        entries
            .iter()
            .filter(|entry| entry.key.as_str() == Some("<<") && entry.key.tag.is_none())
            .flat_map(|entry| entry.value.one_or_many())
            .find_map(|merged| merged.entry_at_depth(key, depth + 1))
    }

    /// The entries of a mapping, or nothing.
    pub fn entries(&self) -> &[Entry] {
        match &self.kind {
            NodeKind::Mapping(entries) => entries,
            _ => &[],
        }
    }

    /// The items of a sequence, or nothing.
    pub fn items(&self) -> &[Node] {
        match &self.kind {
            NodeKind::Sequence(items) => items,
            _ => &[],
        }
    }

    /// The scalar, if this is one.
    pub fn scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    /// The text of a string scalar without a tag.
    pub fn as_str(&self) -> Option<&str> {
        if self.tag.as_deref().is_some_and(|tag| tag != "!!str") {
            return None;
        }
        match &self.kind {
            NodeKind::Scalar(Scalar {
                value,
                kind: ScalarKind::String { .. },
            }) => Some(value),
            _ => None,
        }
    }

    /// The value of a boolean scalar without a tag.
    pub fn as_bool(&self) -> Option<bool> {
        if self.tag.is_some() {
            return None;
        }
        match &self.kind {
            NodeKind::Scalar(Scalar {
                kind: ScalarKind::Bool(value),
                ..
            }) => Some(*value),
            _ => None,
        }
    }

    /// Whether this is a mapping.
    pub fn is_mapping(&self) -> bool {
        matches!(self.kind, NodeKind::Mapping(_))
    }

    /// Whether redline cannot know this value: `Unknown`, or a tagged value such as `!Ref x`.
    pub fn is_opaque(&self) -> bool {
        matches!(self.kind, NodeKind::Unknown)
            || self
                .tag
                .as_deref()
                .is_some_and(|tag| !tag.starts_with("!!"))
    }

    /// Whether two values are the same data, wherever they sit in their sources: ranges are
    /// ignored, and so is the order of mapping keys; tags, scalar text and sequence order count.
    ///
    /// Strings, numbers and booleans compare by their decoded text, so `"5"` and `5` are the
    /// same value (CloudFormation and Kubernetes both accept either for most fields). `Unknown`
    /// is never the same as anything, because redline cannot tell what it holds.
    pub fn same_value(&self, other: &Node) -> bool {
        self.same_value_at_depth(other, 0)
    }

    fn same_value_at_depth(&self, other: &Node, depth: usize) -> bool {
        if depth > MAX_DEPTH || self.tag != other.tag {
            return false;
        }
        match (&self.kind, &other.kind) {
            (NodeKind::Mapping(left), NodeKind::Mapping(right)) => {
                left.len() == right.len()
                    && left.iter().all(|entry| {
                        let key = entry.key.scalar().map(|scalar| scalar.value.as_str());
                        right.iter().rev().any(|candidate| {
                            candidate.key.scalar().map(|scalar| scalar.value.as_str()) == key
                                && key.is_some()
                                && entry.value.same_value_at_depth(&candidate.value, depth + 1)
                        })
                    })
            }
            (NodeKind::Sequence(left), NodeKind::Sequence(right)) => {
                left.len() == right.len()
                    && left
                        .iter()
                        .zip(right)
                        .all(|(a, b)| a.same_value_at_depth(b, depth + 1))
            }
            (NodeKind::Scalar(left), NodeKind::Scalar(right)) => {
                let is_null = |scalar: &Scalar| scalar.kind == ScalarKind::Null;
                if is_null(left) || is_null(right) {
                    is_null(left) && is_null(right)
                } else {
                    left.value == right.value
                }
            }
            _ => false,
        }
    }

    /// The number of nodes in this subtree, counting itself.
    pub fn size(&self) -> usize {
        match &self.kind {
            NodeKind::Mapping(entries) => {
                1 + entries
                    .iter()
                    .map(|entry| entry.key.size() + entry.value.size())
                    .sum::<usize>()
            }
            NodeKind::Sequence(items) => 1 + items.iter().map(Node::size).sum::<usize>(),
            NodeKind::Scalar(_) | NodeKind::Unknown => 1,
        }
    }

    /// The items of a sequence, or the node itself when it is a single value.
    ///
    /// IAM and many CI keys accept either one value or a list of them.
    pub fn one_or_many(&self) -> Vec<&Node> {
        match &self.kind {
            NodeKind::Sequence(items) => items.iter().collect(),
            _ => vec![self],
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Format, SourceHints, parse_source};

    fn documents(path: &str, text: &str) -> Vec<std::sync::Arc<super::Node>> {
        let hints = SourceHints {
            format: Some(Format::Kubernetes),
            ..SourceHints::default()
        };
        parse_source(path, text, hints)
            .expect("recognised")
            .documents
    }

    #[test]
    fn same_value_ignores_ranges_and_key_order() {
        let yaml = documents(
            "a.yaml",
            "apiVersion: v1\nkind: ConfigMap\ndata: {a: 1, b: [x, \"y\"]}\n---\napiVersion: v1\nkind: ConfigMap\ndata:\n  b: [x, y]\n  a: \"1\"\n",
        );
        let first = yaml[0].get("data").expect("data");
        let second = yaml[1].get("data").expect("data");
        assert!(first.same_value(second));
        let json = documents("a.json", r#"{"data": {"b": ["y", "x"], "a": 1}}"#);
        assert!(!first.same_value(json[0].get("data").expect("data")));
    }
}

//! Typed views over a tree-sitter-hcl tree: bodies, blocks, attributes and literal values.

use redline_text::TextRange;
use tree_sitter::{Node as TsNode, Tree};

use crate::tree::{node_text, range};

/// A sequence of attributes and blocks: the file itself or the inside of a block.
#[derive(Clone, Copy, Debug)]
pub struct Body<'t> {
    node: TsNode<'t>,
}

/// A block such as `resource "aws_s3_bucket" "logs" { … }`.
#[derive(Clone, Copy, Debug)]
pub struct Block<'t> {
    node: TsNode<'t>,
}

/// An attribute such as `force_destroy = true`.
#[derive(Clone, Copy, Debug)]
pub struct Attribute<'t> {
    node: TsNode<'t>,
}

/// What a block's header says and its body, read in one walk of its children
/// (`Block::parts`).
#[derive(Clone, Debug)]
pub struct BlockParts<'t, 's> {
    /// The block type, as `Block::kind` reads it.
    pub kind: &'s str,
    /// The labels, as `Block::labels` reads them.
    pub labels: Vec<Label>,
    /// The offset just after `{`.
    pub open_brace_end: Option<redline_text::TextSize>,
    /// The inside of the block, if it is not empty.
    pub body: Option<Body<'t>>,
}

/// A block label with its decoded text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The label without quotes.
    pub value: String,
    /// The range of the label as written, quotes included.
    pub range: TextRange,
}

/// The statically known value of an expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Literal {
    /// `true` or `false`.
    Bool(bool),
    /// A string without interpolation.
    String(String),
    /// A number, as written.
    Number(String),
    /// `null`.
    Null,
    /// Anything computed: variables, functions, interpolation, conditionals.
    Unknown,
}

/// The top-level body of a Terraform file.
pub fn root_body(tree: &Tree) -> Option<Body<'_>> {
    first_child(tree.root_node(), "body").map(|node| Body { node })
}

/// The first named child of `node` of the given kind.
fn first_child<'t>(node: TsNode<'t>, kind: &str) -> Option<TsNode<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .find(|child| child.kind() == kind)
}

impl<'t> Body<'t> {
    /// The blocks of this body, in source order.
    pub fn blocks(self) -> Vec<Block<'t>> {
        let mut cursor = self.node.walk();
        self.node
            .named_children(&mut cursor)
            .filter(|child| child.kind() == "block")
            .map(|node| Block { node })
            .collect()
    }

    /// The attributes and the blocks of this body, each in source order, read in one walk.
    pub fn members(self) -> (Vec<Attribute<'t>>, Vec<Block<'t>>) {
        let mut attributes = Vec::new();
        let mut blocks = Vec::new();
        let mut cursor = self.node.walk();
        for child in self.node.named_children(&mut cursor) {
            match child.kind() {
                "attribute" => attributes.push(Attribute { node: child }),
                "block" => blocks.push(Block { node: child }),
                _ => {}
            }
        }
        (attributes, blocks)
    }

    /// The attributes of this body, in source order.
    pub fn attributes(self) -> Vec<Attribute<'t>> {
        let mut cursor = self.node.walk();
        self.node
            .named_children(&mut cursor)
            .filter(|child| child.kind() == "attribute")
            .map(|node| Attribute { node })
            .collect()
    }

    /// The attribute called `name` (the last one if it repeats).
    pub fn attribute(self, name: &str, text: &str) -> Option<Attribute<'t>> {
        self.attributes()
            .into_iter()
            .rev()
            .find(|attribute| attribute.name(text) == name)
    }

    /// The range of the body.
    pub fn range(self) -> TextRange {
        range(self.node)
    }
}

impl<'t> Block<'t> {
    /// The block type: `resource`, `data`, `lifecycle`, …
    pub fn kind(self, text: &str) -> &str {
        first_child(self.node, "identifier").map_or("", |child| node_text(child, text))
    }

    /// The labels after the block type.
    pub fn labels(self, text: &str) -> Vec<Label> {
        let mut cursor = self.node.walk();
        self.node
            .named_children(&mut cursor)
            .skip(1)
            .take_while(|child| child.kind() != "block_start")
            .filter(|child| matches!(child.kind(), "string_lit" | "identifier"))
            .map(|child| Label {
                value: decode_string_lit(node_text(child, text)),
                range: range(child),
            })
            .collect()
    }

    /// The type, the labels, where `{` ends and the body, as `kind`, `labels`,
    /// `open_brace_end` and `body` read them, in one walk of the block's children.
    pub fn parts<'s>(self, text: &'s str) -> BlockParts<'t, 's> {
        let mut parts = BlockParts {
            kind: "",
            labels: Vec::new(),
            open_brace_end: None,
            body: None,
        };
        let mut kind = None;
        let mut in_header = true;
        let mut cursor = self.node.walk();
        for (index, child) in self.node.named_children(&mut cursor).enumerate() {
            match child.kind() {
                name @ ("identifier" | "string_lit") => {
                    if name == "identifier" && kind.is_none() {
                        kind = Some(node_text(child, text));
                    }
                    if index > 0 && in_header {
                        parts.labels.push(Label {
                            value: decode_string_lit(node_text(child, text)),
                            range: range(child),
                        });
                    }
                }
                "block_start" => {
                    in_header = false;
                    if parts.open_brace_end.is_none() {
                        parts.open_brace_end = Some(range(child).end());
                    }
                }
                "body" if parts.body.is_none() => parts.body = Some(Body { node: child }),
                _ => {}
            }
        }
        parts.kind = kind.unwrap_or("");
        parts
    }

    /// The inside of the block, if it is not empty.
    pub fn body(self) -> Option<Body<'t>> {
        first_child(self.node, "body").map(|node| Body { node })
    }

    /// The range of the whole block.
    pub fn range(self) -> TextRange {
        range(self.node)
    }

    /// The offset just after `{`, where new attributes can be inserted.
    pub fn open_brace_end(self) -> Option<redline_text::TextSize> {
        first_child(self.node, "block_start").map(|child| range(child).end())
    }
}

impl<'t> Attribute<'t> {
    /// The attribute name.
    pub fn name(self, text: &str) -> &str {
        self.node
            .named_child(0)
            .map_or("", |child| node_text(child, text))
    }

    /// The range of the attribute name.
    pub fn name_range(self) -> TextRange {
        self.node
            .named_child(0)
            .map_or_else(|| range(self.node), range)
    }

    /// The value expression node.
    pub fn expression(self) -> Option<TsNode<'t>> {
        // `name = value`: the value is the second named child.
        match (self.node.named_child(0), self.node.named_child(1)) {
            (Some(first), _) if first.kind() == "expression" => Some(first),
            (_, Some(second)) if second.kind() == "expression" => Some(second),
            _ => first_child(self.node, "expression"),
        }
    }

    /// The range of the value expression.
    pub fn value_range(self) -> TextRange {
        self.expression().map_or_else(|| range(self.node), range)
    }

    /// The statically known value.
    pub fn literal(self, text: &str) -> Literal {
        self.expression()
            .map_or(Literal::Unknown, |expression| literal(expression, text))
    }

    /// The range of the whole attribute, `name = value`.
    pub fn range(self) -> TextRange {
        range(self.node)
    }
}

/// The statically known value of an expression node.
pub fn literal(expression: TsNode<'_>, text: &str) -> Literal {
    let mut node = expression;
    // `expression` wraps exactly one child; parenthesised expressions nest it again.
    while node.kind() == "expression" {
        match node.named_child(0) {
            Some(child) if node.named_child_count() == 1 => node = child,
            _ => return Literal::Unknown,
        }
    }
    if node.kind() != "literal_value" {
        return Literal::Unknown;
    }
    let Some(value) = node.named_child(0) else {
        return Literal::Unknown;
    };
    let raw = node_text(value, text);
    match value.kind() {
        "bool_lit" => Literal::Bool(raw == "true"),
        "null_lit" => Literal::Null,
        "numeric_lit" => Literal::Number(raw.to_owned()),
        "string_lit" => Literal::String(decode_string_lit(raw)),
        _ => Literal::Unknown,
    }
}

/// Removes the quotes of an HCL string literal and resolves its escapes.
fn decode_string_lit(raw: &str) -> String {
    let Some(inner) = raw
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return raw.to_owned();
    };
    let mut res = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => res.push('\n'),
                Some('t') => res.push('\t'),
                Some('r') => res.push('\r'),
                Some(other) => res.push(other),
                None => {}
            },
            '$' | '%' if chars.peek() == Some(&c) => {
                res.push(c);
                chars.next();
            }
            other => res.push(other),
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Language;

    #[test]
    fn one_walk_reads_what_the_single_lookups_read() {
        let text = "resource \"aws_s3_bucket\" \"logs\" {\n  a = 1\n  inner {}\n  b = \"x\"\n}\nlocals {}\nblock label_one \"two\" { x = 1 }\nempty\n\"l\" {\n}\nprovider \"aws\" { region = var.r }\n";
        let tree = crate::tree::parse(Language::Hcl, text).expect("hcl grammar loads");
        let mut bodies = vec![root_body(&tree).expect("file has a body")];
        let mut seen = 0;
        while let Some(body) = bodies.pop() {
            let (attributes, blocks) = body.members();
            assert_eq!(attributes.len(), body.attributes().len());
            assert_eq!(blocks.len(), body.blocks().len());
            for attribute in attributes {
                assert_eq!(
                    attribute.expression(),
                    first_child(attribute.node, "expression")
                );
            }
            for block in blocks {
                let parts = block.parts(text);
                assert_eq!(parts.kind, block.kind(text));
                assert_eq!(parts.labels, block.labels(text));
                assert_eq!(parts.open_brace_end, block.open_brace_end());
                assert_eq!(parts.body.map(|b| b.node), block.body().map(|b| b.node));
                bodies.extend(parts.body);
                seen += 1;
            }
        }
        assert!(seen >= 5, "{seen}");
    }

    #[test]
    fn blocks_attributes_and_literals() {
        let text = "resource \"aws_s3_bucket\" \"logs\" {\n  force_destroy = true\n  name = \"a\\\"b\"\n  count = var.n\n  lifecycle {\n    prevent_destroy = (false)\n  }\n}\n";
        let tree = crate::tree::parse(Language::Hcl, text).expect("hcl grammar loads");
        let body = root_body(&tree).expect("file has a body");
        let block = body.blocks()[0];
        assert_eq!(block.kind(text), "resource");
        let labels: Vec<String> = block.labels(text).into_iter().map(|l| l.value).collect();
        assert_eq!(labels, ["aws_s3_bucket", "logs"]);
        let inner = block.body().expect("block has a body");
        let force = inner
            .attribute("force_destroy", text)
            .expect("attribute exists");
        assert_eq!(force.literal(text), Literal::Bool(true));
        assert_eq!(&text[force.range().to_std()], "force_destroy = true");
        assert_eq!(
            inner.attribute("name", text).map(|a| a.literal(text)),
            Some(Literal::String("a\"b".into()))
        );
        assert_eq!(
            inner.attribute("count", text).map(|a| a.literal(text)),
            Some(Literal::Unknown)
        );
        let lifecycle = inner.blocks()[0].body().expect("lifecycle has a body");
        assert_eq!(
            lifecycle
                .attribute("prevent_destroy", text)
                .map(|a| a.literal(text)),
            Some(Literal::Bool(false))
        );
    }
}

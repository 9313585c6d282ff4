//! A Terraform configuration model shared by every Terraform rule.
//!
//! One model covers both syntaxes: native HCL (`*.tf`) and the JSON syntax (`*.tf.json`).
//! It keeps what rules and, later, the edit-aware analysis need: blocks with their labels,
//! attributes with their statically known values, nested blocks such as `lifecycle`, and the
//! exact byte range of each. A value redline cannot know (a variable, a function call, an
//! interpolated string, a conditional) is `Value::Unknown`, and rules must not fire on it.

use redline_text::{TextRange, TextSize};
use tree_sitter::Node as TsNode;

use crate::hcl::{self, Literal};
use crate::tree::range;
use crate::value::{Node, NodeKind, ScalarKind};
use crate::{Language, SourceFile};

/// How deep nested blocks are read before the model stops descending.
const MAX_BLOCK_DEPTH: usize = 32;

/// The syntax a Terraform file is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    /// Native HCL syntax, `*.tf`.
    Hcl,
    /// JSON syntax, `*.tf.json`.
    Json,
}

/// One Terraform file: its top-level blocks in source order.
#[derive(Clone, Debug)]
pub struct TerraformFile {
    /// The syntax the file is written in; text edits are only offered for `Hcl`.
    pub syntax: Syntax,
    /// The top-level blocks (`resource`, `data`, `module`, `moved`, `locals`, …).
    pub blocks: Vec<Block>,
}

/// A block such as `resource "aws_db_instance" "main" { … }` or `lifecycle { … }`.
#[derive(Clone, Debug)]
pub struct Block {
    /// The block type: `resource`, `data`, `lifecycle`, `provisioner`, …
    pub kind: String,
    /// The labels after the block type, without quotes.
    pub labels: Vec<Label>,
    /// The whole block.
    pub range: TextRange,
    /// The offset just after the opening `{` (HCL only), where attributes can be inserted.
    pub open_brace_end: Option<TextSize>,
    /// The attributes and nested blocks inside it.
    pub body: Body,
}

/// A block label with its decoded value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// The label without quotes.
    pub value: String,
    /// The label as written.
    pub range: TextRange,
}

/// The inside of a block.
#[derive(Clone, Debug, Default)]
pub struct Body {
    /// Attributes in source order.
    pub attributes: Vec<Attribute>,
    /// Nested blocks in source order.
    pub blocks: Vec<Block>,
}

/// An attribute such as `deletion_protection = false`.
#[derive(Clone, Debug)]
pub struct Attribute {
    /// The attribute name.
    pub name: String,
    /// The name as written.
    pub name_range: TextRange,
    /// The value expression.
    pub value: Expr,
    /// `name = value` as a whole.
    pub range: TextRange,
}

/// An expression with its statically known value.
#[derive(Clone, Debug)]
pub struct Expr {
    /// What redline knows about the value.
    pub value: Value,
    /// The expression as written.
    pub range: TextRange,
}

/// The statically known value of an expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `true` or `false`.
    Bool(bool),
    /// A string without interpolation.
    String(String),
    /// A number, as written.
    Number(String),
    /// `null`.
    Null,
    /// A list whose elements are listed literally (each may still be unknown).
    List(Vec<Expr>),
    /// Anything computed: variables, functions, interpolation, conditionals, objects.
    Unknown,
}

/// A `resource` block seen as a managed resource.
#[derive(Clone, Copy, Debug)]
pub struct Resource<'a> {
    /// The block.
    pub block: &'a Block,
    /// The resource type, e.g. `aws_db_instance`.
    pub resource_type: &'a str,
    /// The resource name, e.g. `main`.
    pub name: &'a str,
    /// Whether the block declares several instances.
    pub repetition: Repetition,
}

/// How many instances a resource or module block declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Repetition {
    /// One instance.
    Single,
    /// `count = …`: instances `address[0]`, `address[1]`, …
    Count,
    /// `for_each = …`: instances `address["key"]`.
    ForEach,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
    }
}

impl TerraformFile {
    /// Reads the Terraform model of a parsed file; empty for files of other languages.
    pub fn parse(file: &SourceFile<'_>) -> TerraformFile {
        match file.language {
            Language::Hcl => TerraformFile {
                syntax: Syntax::Hcl,
                blocks: hcl::root_body(&file.tree)
                    .map(|body| {
                        if file.for_edits && !file.tree.root_node().has_error() {
                            body.blocks()
                                .into_iter()
                                .map(|block| kept_block(block, &file.text))
                                .collect()
                        } else {
                            hcl_body(body, &file.text, 0).blocks
                        }
                    })
                    .unwrap_or_default(),
            },
            Language::Json => TerraformFile {
                syntax: Syntax::Json,
                blocks: file
                    .documents
                    .first()
                    .map(|root| json_root(root))
                    .unwrap_or_default(),
            },
            _ => TerraformFile {
                syntax: Syntax::Hcl,
                blocks: Vec::new(),
            },
        }
    }

    /// The top-level blocks of one type, in source order.
    pub fn blocks_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |block| block.kind == kind)
    }

    /// The managed resources (`resource` blocks with two labels), in source order.
    pub fn resources(&self) -> impl Iterator<Item = Resource<'_>> {
        self.blocks_of("resource").filter_map(|block| {
            let [resource_type, name, ..] = block.labels.as_slice() else {
                return None;
            };
            let repetition = if block.body.attribute("for_each").is_some() {
                Repetition::ForEach
            } else if block.body.attribute("count").is_some() {
                Repetition::Count
            } else {
                Repetition::Single
            };
            Some(Resource {
                block,
                resource_type: &resource_type.value,
                name: &name.value,
                repetition,
            })
        })
    }
}

impl Resource<'_> {
    /// The resource address, e.g. `aws_db_instance.main`.
    pub fn address(&self) -> String {
        format!("{}.{}", self.resource_type, self.name)
    }

    /// The resource's own attribute called `name`.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.block.body.attribute(name)
    }

    /// The `lifecycle` block, if any.
    pub fn lifecycle(&self) -> Option<&Block> {
        self.block.body.block("lifecycle")
    }

    /// The value of `lifecycle { prevent_destroy = … }`, if written.
    pub fn prevent_destroy(&self) -> Option<&Attribute> {
        self.lifecycle()
            .and_then(|lifecycle| lifecycle.body.attribute("prevent_destroy"))
    }
}

impl Block {
    /// The label at `index`, without quotes.
    pub fn label(&self, index: usize) -> Option<&str> {
        self.labels.get(index).map(|label| label.value.as_str())
    }
}

impl Body {
    /// The attribute called `name` (the last one if it repeats).
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .rev()
            .find(|attribute| attribute.name == name)
    }

    /// The first nested block of type `kind`.
    pub fn block(&self, kind: &str) -> Option<&Block> {
        self.blocks.iter().find(|block| block.kind == kind)
    }

    /// Every nested block of type `kind`.
    pub fn blocks_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.blocks.iter().filter(move |block| block.kind == kind)
    }
}

impl Value {
    /// The boolean this value stands for; Terraform converts the strings `"true"` and
    /// `"false"` to booleans.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(value) => Some(*value),
            Value::String(value) if value == "true" => Some(true),
            Value::String(value) if value == "false" => Some(false),
            _ => None,
        }
    }

    /// The string, if this is a known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(value) => Some(value),
            _ => None,
        }
    }

    /// The number this value stands for (numbers, and strings holding a number).
    pub fn as_number(&self) -> Option<f64> {
        match self {
            Value::Number(value) | Value::String(value) => value.parse().ok(),
            _ => None,
        }
    }

    /// The elements of a literal list.
    pub fn items(&self) -> &[Expr] {
        match self {
            Value::List(items) => items,
            _ => &[],
        }
    }
}

/// The most text of top-level blocks kept (see `kept_block`), and the longest
/// block kept.
const KEPT_BLOCKS_TEXT: usize = 4 << 20;
const KEPT_BLOCK_LONGEST: usize = 256 << 10;

/// Top-level blocks of files parsed for edits, by their text, each read as if it started
/// at offset 0: while a file is typed in, every block but the edited one is taken again.
static KEPT_BLOCKS: crate::text_memo::SharedMemo<Block> =
    crate::text_memo::SharedMemo::new(KEPT_BLOCKS_TEXT, KEPT_BLOCK_LONGEST);

/// The model of a top-level block of a file whose tree has no syntax error, taken from
/// `KEPT_BLOCKS` when a block of the same text was read before. Without syntax errors, the
/// tree of a top-level block is a function of its text alone, and so is its model, up to
/// where the block starts.
fn kept_block(block: hcl::Block<'_>, text: &str) -> Block {
    crate::text_memo::kept_at(
        &KEPT_BLOCKS,
        &text[block.range().to_std()],
        block.range().start(),
        || hcl_block(block, text, 0),
        |block, from, to| move_block(block, &|offset| offset + to - from),
    )
}

/// Moves every offset of a block's model with `by`.
fn move_block(block: &mut Block, by: &impl Fn(TextSize) -> TextSize) {
    let range = |range: &mut TextRange| *range = TextRange::new(by(range.start()), by(range.end()));
    range(&mut block.range);
    if let Some(end) = &mut block.open_brace_end {
        *end = by(*end);
    }
    for label in &mut block.labels {
        range(&mut label.range);
    }
    for attribute in &mut block.body.attributes {
        range(&mut attribute.name_range);
        range(&mut attribute.range);
        move_expr(&mut attribute.value, by);
    }
    for inner in &mut block.body.blocks {
        move_block(inner, by);
    }
}

fn move_expr(expr: &mut Expr, by: &impl Fn(TextSize) -> TextSize) {
    expr.range = TextRange::new(by(expr.range.start()), by(expr.range.end()));
    if let Value::List(items) = &mut expr.value {
        for item in items {
            move_expr(item, by);
        }
    }
}

fn hcl_body(body: hcl::Body<'_>, text: &str, depth: usize) -> Body {
    let (attributes, blocks) = body.members();
    let attributes = attributes
        .into_iter()
        .map(|attribute| {
            let expression = attribute.expression();
            Attribute {
                name: attribute.name(text).to_owned(),
                name_range: attribute.name_range(),
                value: expression.map_or_else(
                    || Expr {
                        value: Value::Unknown,
                        range: attribute.range(),
                    },
                    |expression| hcl_expr(expression, text, 0),
                ),
                range: attribute.range(),
            }
        })
        .collect();
    let blocks = if depth >= MAX_BLOCK_DEPTH {
        Vec::new()
    } else {
        blocks
            .into_iter()
            .map(|block| hcl_block(block, text, depth))
            .collect()
    };
    Body { attributes, blocks }
}

/// The model of a block of a body `depth` blocks deep.
fn hcl_block(block: hcl::Block<'_>, text: &str, depth: usize) -> Block {
    let parts = block.parts(text);
    Block {
        kind: parts.kind.to_owned(),
        labels: parts
            .labels
            .into_iter()
            .map(|label| Label {
                value: label.value,
                range: label.range,
            })
            .collect(),
        range: block.range(),
        open_brace_end: parts.open_brace_end,
        body: parts
            .body
            .map(|inner| hcl_body(inner, text, depth + 1))
            .unwrap_or_default(),
    }
}

fn hcl_expr(expression: TsNode<'_>, text: &str, depth: usize) -> Expr {
    let expr_range = range(expression);
    let value = match hcl::literal(expression, text) {
        Literal::Bool(value) => Value::Bool(value),
        Literal::String(value) => Value::String(value),
        Literal::Number(value) => Value::Number(value),
        Literal::Null => Value::Null,
        Literal::Unknown if depth < 8 => {
            hcl_tuple(expression, text, depth).unwrap_or(Value::Unknown)
        }
        Literal::Unknown => Value::Unknown,
    };
    Expr {
        value,
        range: expr_range,
    }
}

/// A literal list `[a, b]`; `None` for any other expression.
fn hcl_tuple(expression: TsNode<'_>, text: &str, depth: usize) -> Option<Value> {
    let mut node = expression;
    while node.kind() == "expression" && node.named_child_count() == 1 {
        node = node.named_child(0)?;
    }
    if node.kind() != "collection_value" {
        return None;
    }
    let tuple = node
        .named_child(0)
        .filter(|child| child.kind() == "tuple")?;
    let mut cursor = tuple.walk();
    let items = tuple
        .named_children(&mut cursor)
        .filter(|child| child.kind() == "expression")
        .map(|child| hcl_expr(child, text, depth + 1))
        .collect();
    Some(Value::List(items))
}

/// Block types whose JSON form has labels, and how many.
fn json_label_count(kind: &str) -> usize {
    match kind {
        "resource" | "data" => 2,
        "module" | "variable" | "output" | "provider" | "provisioner" | "check" => 1,
        _ => 0,
    }
}

fn json_root(root: &Node) -> Vec<Block> {
    let mut res = Vec::new();
    for entry in root.entries() {
        let Some(kind) = entry.key.as_str() else {
            continue;
        };
        json_blocks(
            kind,
            json_label_count(kind),
            &entry.value,
            Vec::new(),
            entry.key.range,
            &mut res,
            0,
        );
    }
    res
}

/// Reads a JSON block of type `kind` whose remaining `labels_left` labels are object keys.
fn json_blocks(
    kind: &str,
    labels_left: usize,
    value: &Node,
    labels: Vec<Label>,
    start: TextRange,
    res: &mut Vec<Block>,
    depth: usize,
) {
    if depth >= MAX_BLOCK_DEPTH {
        return;
    }
    if labels_left == 0 {
        // A block may be written once as an object or several times as an array of objects.
        for body in value.one_or_many() {
            if body.is_mapping() {
                res.push(Block {
                    kind: kind.to_owned(),
                    labels: labels.clone(),
                    range: TextRange::new(start.start(), body.range.end()),
                    open_brace_end: None,
                    body: json_body(body, depth + 1),
                });
            }
        }
        return;
    }
    for object in value.one_or_many() {
        for entry in object.entries() {
            let Some(label) = entry.key.as_str() else {
                continue;
            };
            let mut next = labels.clone();
            next.push(Label {
                value: label.to_owned(),
                range: entry.key.range,
            });
            json_blocks(
                kind,
                labels_left - 1,
                &entry.value,
                next,
                if labels.is_empty() {
                    entry.key.range
                } else {
                    start
                },
                res,
                depth + 1,
            );
        }
    }
}

fn json_body(object: &Node, depth: usize) -> Body {
    let mut res = Body::default();
    for entry in object.entries() {
        let Some(name) = entry.key.as_str() else {
            continue;
        };
        if name == "//" {
            continue;
        }
        let is_block = match &entry.value.kind {
            NodeKind::Mapping(_) => true,
            NodeKind::Sequence(items) => !items.is_empty() && items.iter().all(Node::is_mapping),
            _ => false,
        };
        if is_block {
            json_blocks(
                name,
                usize::from(name == "provisioner"),
                &entry.value,
                Vec::new(),
                entry.key.range,
                &mut res.blocks,
                depth,
            );
        } else {
            res.attributes.push(Attribute {
                name: name.to_owned(),
                name_range: entry.key.range,
                value: json_expr(&entry.value),
                range: TextRange::new(entry.key.range.start(), entry.value.range.end()),
            });
        }
    }
    res
}

fn json_expr(node: &Node) -> Expr {
    let value = match &node.kind {
        NodeKind::Scalar(scalar) => match scalar.kind {
            ScalarKind::Bool(value) => Value::Bool(value),
            ScalarKind::Null => Value::Null,
            ScalarKind::Number => Value::Number(scalar.value.clone()),
            // The JSON syntax interpolates `${…}` and `%{…}` in every string.
            ScalarKind::String { .. }
                if scalar.value.contains("${") || scalar.value.contains("%{") =>
            {
                Value::Unknown
            }
            ScalarKind::String { .. } => Value::String(scalar.value.clone()),
        },
        NodeKind::Sequence(items) => Value::List(items.iter().map(json_expr).collect()),
        NodeKind::Mapping(_) | NodeKind::Unknown => Value::Unknown,
    };
    Expr {
        value,
        range: node.range,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SourceHints, parse_source};

    /// Blocks taken again by text, at their new offsets, give the model read afresh.
    #[test]
    fn kept_blocks_give_the_model_read_afresh() {
        let block_b = "resource \"aws_db_instance\" \"b\" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n";
        let committed = format!(
            "resource \"aws_s3_bucket\" \"a\" {{\n  bucket = \"x\"\n  tags = [\"a\", \"b\"]\n}}\n\n{block_b}"
        );
        let bucket = committed.find("\"x\"").expect("the bucket name") + 1;
        let edits: [(usize, &str, &str); 3] = [
            // A block edited, the others moved.
            (bucket, "x", "xy"),
            // A line above them all: every block moved, none edited.
            (0, "", "# é\n"),
            // The same block twice.
            (0, "", block_b),
        ];
        crate::tests::check_edits_against_fresh(&committed, &edits, |edited, fresh, text| {
            assert_eq!(
                format!("{:?}", edited.terraform()),
                format!("{:?}", fresh.terraform()),
                "{text}"
            );
        });
    }

    #[test]
    fn hcl_resources_lifecycle_and_lists() {
        let text = "resource \"aws_db_instance\" \"main\" {\n  count = 2\n  deletion_protection = false\n  name = \"${var.x}\"\n  cidr = [\"0.0.0.0/0\", var.y]\n  lifecycle {\n    prevent_destroy = true\n  }\n}\nmodule \"m\" {\n  source = \"./m\"\n}\n";
        let file = parse_source("main.tf", text, SourceHints::default()).expect("terraform");
        let model = TerraformFile::parse(&file);
        assert_eq!(model.syntax, Syntax::Hcl);
        let resource = model.resources().next().expect("one resource");
        assert_eq!(resource.address(), "aws_db_instance.main");
        assert_eq!(resource.repetition, Repetition::Count);
        let protection = resource.attribute("deletion_protection").expect("written");
        assert_eq!(protection.value.value, Value::Bool(false));
        assert_eq!(&text[protection.value.range.to_std()], "false");
        assert_eq!(
            resource.attribute("name").map(|a| &a.value.value),
            Some(&Value::Unknown)
        );
        let cidr = resource.attribute("cidr").expect("written");
        assert_eq!(cidr.value.value.items().len(), 2);
        assert_eq!(
            cidr.value.value.items()[0].value,
            Value::String("0.0.0.0/0".into())
        );
        assert_eq!(cidr.value.value.items()[1].value, Value::Unknown);
        assert_eq!(
            resource.prevent_destroy().map(|a| &a.value.value),
            Some(&Value::Bool(true))
        );
        assert_eq!(model.blocks_of("module").count(), 1);
    }

    #[test]
    fn json_syntax_gives_the_same_model() {
        let text = r#"{
  "resource": {
    "aws_db_instance": {
      "main": {
        "for_each": "${var.dbs}",
        "deletion_protection": false,
        "identifier": "${each.key}",
        "lifecycle": {"prevent_destroy": true},
        "provisioner": [{"local-exec": {"command": "rm -rf /tmp/x"}}]
      }
    }
  },
  "module": {"m": {"source": "./m"}}
}"#;
        let file = parse_source("main.tf.json", text, SourceHints::default()).expect("terraform");
        assert_eq!(file.format, crate::Format::Terraform);
        let model = TerraformFile::parse(&file);
        assert_eq!(model.syntax, Syntax::Json);
        let resource = model.resources().next().expect("one resource");
        assert_eq!(resource.address(), "aws_db_instance.main");
        assert_eq!(resource.repetition, Repetition::ForEach);
        assert_eq!(
            resource
                .attribute("deletion_protection")
                .map(|a| &a.value.value),
            Some(&Value::Bool(false))
        );
        assert_eq!(
            resource.attribute("identifier").map(|a| &a.value.value),
            Some(&Value::Unknown)
        );
        assert_eq!(
            resource.prevent_destroy().map(|a| &a.value.value),
            Some(&Value::Bool(true))
        );
        let provisioner = resource
            .block
            .body
            .block("provisioner")
            .expect("provisioner");
        assert_eq!(provisioner.label(0), Some("local-exec"));
        assert!(provisioner.body.attribute("command").is_some());
        assert_eq!(model.blocks_of("module").count(), 1);
    }
}

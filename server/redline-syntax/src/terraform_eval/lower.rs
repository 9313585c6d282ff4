//! Lowers Terraform expressions, written in HCL or in the JSON syntax, into one small owned
//! tree that the evaluator walks without the source text.
//!
//! tree-sitter-hcl 1.1 attaches a trailing `.attr` or `[index]` to a whole unparenthesised
//! operation: `var.a == var.b` parses as `(var.a == var).b`, `!var.a` as `(!var).a`, and
//! `1 + local.m.a * local.m.a` as `((1 + local).m.a * local).m.a`, which also breaks
//! precedence. Lowering therefore reads an operation's operands and operators in source order,
//! attaches such steps to the operand just before them (parentheses show as their own nodes,
//! so nothing is lost), and regroups the operators by HCL's precedence.

use tree_sitter::Node as TsNode;

use super::Value;
use crate::Language;
use crate::tree::node_text;
use crate::value::{Node, NodeKind, ScalarKind};

/// How deep lowering descends before the rest of an expression becomes `TooDeep`; each
/// nested expression (an operand, an argument, an element, parentheses) is one level.
///
/// Real expressions nest a few levels; the bound keeps recursion far from the stack on
/// hostile input such as ten thousand nested parentheses.
pub(crate) const MAX_LOWER_DEPTH: usize = 64;

/// An expression, lowered.
#[derive(Clone, Debug)]
pub(crate) enum Expression {
    /// A literal value: null, bool, number or string.
    Literal(Value),
    /// A string template, or a heredoc.
    Template(Vec<TemplatePart>),
    /// `[a, b]`.
    Tuple(Vec<Expression>),
    /// `{ a = 1, (var.k) = 2 }`.
    Object(Vec<(ObjectKey, Expression)>),
    /// `var.x.y[0]`, `f(x).y`.
    Traversal(Box<Traversal>),
    /// `f(a, b...)`.
    Call(Box<Call>),
    /// `c ? a : b`.
    Conditional(Box<[Expression; 3]>),
    /// `!a`, `-a`.
    Unary(UnaryOp, Box<Expression>),
    /// `a + b`, `a && b`, …
    Binary(BinaryOp, Box<[Expression; 2]>),
    /// `[for …]` and `{for …}`.
    For(Box<ForExpr>),
    /// Syntax the evaluator does not read, or a syntax error.
    Unsupported,
    /// The expression nests deeper than `MAX_LOWER_DEPTH`.
    TooDeep,
}

/// One piece of a template.
#[derive(Clone, Debug)]
pub(crate) enum TemplatePart {
    Text(String),
    Interpolation(Expression),
    /// `%{if …}` or `%{for …}`, which the evaluator does not read.
    Directive,
}

/// An object key: a bare name is literal text, anything else is evaluated.
#[derive(Clone, Debug)]
pub(crate) enum ObjectKey {
    Name(String),
    Expression(Expression),
}

#[derive(Clone, Debug)]
pub(crate) struct Traversal {
    pub(crate) root: Root,
    pub(crate) steps: Vec<Traverse>,
}

#[derive(Clone, Debug)]
pub(crate) enum Root {
    /// A name: `var`, `local`, `count`, a resource type, a `for` variable.
    Name(String),
    /// Any other expression, such as a function call or parentheses.
    Expression(Expression),
}

#[derive(Clone, Debug)]
pub(crate) enum Traverse {
    Attribute(String),
    Index(Expression),
    /// `[*]` or `.*`, with the steps applied to every element.
    Splat(Vec<Traverse>),
}

#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) name: String,
    pub(crate) args: Vec<Expression>,
    /// The last argument ends with `...` and is expanded into arguments.
    pub(crate) expand_last: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum UnaryOp {
    Not,
    Negate,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Or,
    And,
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    Add,
    Subtract,
    Multiply,
    Divide,
    Remainder,
}

#[derive(Clone, Debug)]
pub(crate) struct ForExpr {
    pub(crate) key_name: Option<String>,
    pub(crate) value_name: String,
    pub(crate) collection: Expression,
    /// The key expression of an object `for`; `None` for a tuple `for`.
    pub(crate) key: Option<Expression>,
    pub(crate) value: Expression,
    pub(crate) condition: Option<Expression>,
    /// `...` after the value: values with the same key are grouped into lists.
    pub(crate) grouping: bool,
}

/// Lowers an HCL `expression` node of a tree parsed from `text`.
pub(crate) fn from_hcl(node: TsNode<'_>, text: &str) -> Expression {
    Hcl { text }.expression(node, 0)
}

/// Lowers `source`, an attribute value cut out of its HCL file, as `from_hcl` lowers it in
/// place: the value is parsed on its own, after `x = `, which does not change how an
/// expression parses. Anything but one whole expression is `Unsupported`.
///
/// Lowered values are kept by their text (see `LOWERED`): an editor lowers the same
/// values of a module on every keystroke, and modules repeat many values.
pub(crate) fn from_hcl_source(source: &str) -> Expression {
    if let Some(found) = LOWERED.with(|kept| kept.get(source).cloned()) {
        return found;
    }
    let res = lower_hcl_source(source);
    LOWERED.with(|kept| kept.entry(source, || res.clone()).map(drop));
    res
}

/// The longest value text `from_hcl_source` keeps, and how much text it keeps.
const MAX_KEPT_SOURCE: usize = 2048;
const MAX_KEPT_BYTES: usize = 1 << 20;

/// Values lowered by `from_hcl_source`, by text.
static LOWERED: crate::text_memo::SharedMemo<Expression> =
    crate::text_memo::SharedMemo::new(MAX_KEPT_BYTES, MAX_KEPT_SOURCE);

fn lower_hcl_source(source: &str) -> Expression {
    const PREFIX: &str = "x = ";
    let text = format!("{PREFIX}{source}\n");
    let Some(tree) = crate::tree::parse(Language::Hcl, &text) else {
        return Expression::Unsupported;
    };
    let whole = PREFIX.len()..PREFIX.len() + source.len();
    let expression = crate::hcl::root_body(&tree)
        .and_then(|body| match body.attributes().as_slice() {
            [only] => only.expression(),
            _ => None,
        })
        .filter(|expression| expression.byte_range() == whole);
    match expression {
        Some(expression) => from_hcl(expression, &text),
        None => Expression::Unsupported,
    }
}

/// Lowers a value written in the JSON syntax; strings are templates when `templates` is set
/// (attribute values), and literal text otherwise (variable defaults, tfvars).
pub(crate) fn from_json(node: &Node, templates: bool) -> Expression {
    json(node, templates, 0)
}

/// How the literal text of a template is written.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// A quoted string: backslash escapes apply.
    Quoted,
    /// A heredoc: only `$${` and `%%{` escapes; `<<-` strips the common indentation.
    Heredoc { indent: usize },
    /// A JSON string whose JSON escapes are already resolved.
    Json,
}

struct Hcl<'s> {
    text: &'s str,
}

/// The children of `node` that are not comments.
fn children(node: TsNode<'_>) -> Vec<TsNode<'_>> {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .filter(|child| child.kind() != "comment")
        .collect()
}

fn named_of_kind<'t>(node: TsNode<'t>, kind: &str) -> Vec<TsNode<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor)
        .filter(|child| child.kind() == kind)
        .collect()
}

fn binary_op(token: &str) -> Option<BinaryOp> {
    Some(match token {
        "||" => BinaryOp::Or,
        "&&" => BinaryOp::And,
        "==" => BinaryOp::Equal,
        "!=" => BinaryOp::NotEqual,
        "<" => BinaryOp::Less,
        "<=" => BinaryOp::LessOrEqual,
        ">" => BinaryOp::Greater,
        ">=" => BinaryOp::GreaterOrEqual,
        "+" => BinaryOp::Add,
        "-" => BinaryOp::Subtract,
        "*" => BinaryOp::Multiply,
        "/" => BinaryOp::Divide,
        "%" => BinaryOp::Remainder,
        _ => return None,
    })
}

fn parse_number(raw: &str) -> Option<f64> {
    let number = match raw.strip_prefix("0x") {
        Some(hex) => i64::from_str_radix(hex, 16).ok()? as f64,
        None => raw.parse::<f64>().ok()?,
    };
    number.is_finite().then_some(number)
}

impl Hcl<'_> {
    fn text_of(&self, node: TsNode<'_>) -> &str {
        node_text(node, self.text)
    }

    fn expression(&self, node: TsNode<'_>, depth: usize) -> Expression {
        if depth > MAX_LOWER_DEPTH {
            return Expression::TooDeep;
        }
        // A syntax error anywhere inside makes the whole expression unreadable: a half-parsed
        // expression could evaluate to a value the author never wrote.
        if node.has_error() || node.is_missing() {
            return Expression::Unsupported;
        }
        if node.kind() != "expression" {
            return self.sequence(&[node], depth);
        }
        let items = children(node);
        match items.as_slice() {
            [only] if only.kind() == "conditional" => self.conditional(*only, depth),
            _ => self.sequence(&items, depth),
        }
    }

    fn conditional(&self, node: TsNode<'_>, depth: usize) -> Expression {
        match named_of_kind(node, "expression").as_slice() {
            [condition, then, otherwise] => Expression::Conditional(Box::new([
                self.expression(*condition, depth + 1),
                self.expression(*then, depth + 1),
                self.expression(*otherwise, depth + 1),
            ])),
            _ => Expression::Unsupported,
        }
    }

    /// A term followed by steps (`.attr`, `[i]`, `[*]`), as the grammar flattens them.
    fn sequence(&self, items: &[TsNode<'_>], depth: usize) -> Expression {
        if depth > MAX_LOWER_DEPTH {
            return Expression::TooDeep;
        }
        let (base, parenthesised, rest) = match items {
            [open, inner, close, rest @ ..] if open.kind() == "(" && close.kind() == ")" => {
                (*inner, true, rest)
            }
            [head, rest @ ..] => (*head, false, rest),
            [] => return Expression::Unsupported,
        };
        if !parenthesised && base.kind() == "operation" {
            return self.operation(items, depth);
        }
        let root = if parenthesised {
            Root::Expression(self.expression(base, depth + 1))
        } else if base.kind() == "variable_expr" {
            Root::Name(
                base.named_child(0)
                    .map_or("", |name| self.text_of(name))
                    .to_owned(),
            )
        } else {
            Root::Expression(self.term(base, depth))
        };
        self.with_steps(root, rest, depth)
    }

    /// `root` followed by the steps written in `postfix`.
    fn with_steps(&self, root: Root, postfix: &[TsNode<'_>], depth: usize) -> Expression {
        let mut steps = Vec::with_capacity(postfix.len());
        for node in postfix {
            match self.step(*node, depth + 1) {
                Some(step) => steps.push(step),
                None => return Expression::Unsupported,
            }
        }
        match root {
            Root::Expression(expression) if steps.is_empty() => expression,
            Root::Expression(Expression::Traversal(mut traversal)) => {
                traversal.steps.extend(steps);
                Expression::Traversal(traversal)
            }
            root => Expression::Traversal(Box::new(Traversal { root, steps })),
        }
    }

    fn step(&self, node: TsNode<'_>, depth: usize) -> Option<Traverse> {
        match node.kind() {
            "get_attr" => {
                let name = named_of_kind(node, "identifier").into_iter().next()?;
                Some(Traverse::Attribute(self.text_of(name).to_owned()))
            }
            "index" => {
                let inner = node.named_child(0)?;
                match inner.kind() {
                    "new_index" => {
                        let key = named_of_kind(inner, "expression").into_iter().next()?;
                        Some(Traverse::Index(self.expression(key, depth + 1)))
                    }
                    "legacy_index" => {
                        let digits = self.text_of(inner).trim_start_matches('.');
                        let number = parse_number(digits)?;
                        Some(Traverse::Index(Expression::Literal(Value::Number(number))))
                    }
                    _ => None,
                }
            }
            "splat" => {
                let inner = node.named_child(0)?;
                let mut cursor = inner.walk();
                let mut steps = Vec::new();
                for child in inner.named_children(&mut cursor) {
                    steps.push(self.step(child, depth + 1)?);
                }
                Some(Traverse::Splat(steps))
            }
            _ => None,
        }
    }

    /// A term sequence that starts with an `operation` node: its operands and operators are
    /// read in source order, then regrouped by HCL's precedence (see the module comment).
    fn operation(&self, items: &[TsNode<'_>], depth: usize) -> Expression {
        let mut tokens = Vec::new();
        self.flatten(items, &mut tokens, depth);
        let mut tokens = tokens.into_iter().peekable();
        let res = climb(&mut tokens, 0);
        match tokens.next() {
            None => res,
            Some(_) => Expression::Unsupported,
        }
    }

    /// Appends the operands and operators of a term sequence to `tokens`; steps written after
    /// an operation belong to its last operand.
    fn flatten(&self, items: &[TsNode<'_>], tokens: &mut Vec<Token>, depth: usize) {
        let head = match items.first() {
            Some(head) if head.kind() == "operation" => *head,
            _ => {
                tokens.push(Token::Operand(self.sequence(items, depth + 1)));
                return;
            }
        };
        if depth > MAX_LOWER_DEPTH {
            tokens.push(Token::Operand(Expression::TooDeep));
            return;
        }
        let Some(inner) = head.named_child(0) else {
            tokens.push(Token::Operand(Expression::Unsupported));
            return;
        };
        let parts = children(inner);
        match (inner.kind(), parts.as_slice()) {
            ("unary_operation", [operator, operand @ ..]) => {
                let op = match operator.kind() {
                    "!" => UnaryOp::Not,
                    "-" => UnaryOp::Negate,
                    _ => {
                        tokens.push(Token::Operand(Expression::Unsupported));
                        return;
                    }
                };
                tokens.push(Token::Unary(op));
                self.flatten(operand, tokens, depth + 1);
            }
            ("binary_operation", _) => {
                let found = parts.iter().enumerate().find_map(|(at, item)| {
                    (!item.is_named())
                        .then(|| binary_op(item.kind()))
                        .flatten()
                        .map(|op| (at, op))
                });
                let Some((at, op)) = found else {
                    tokens.push(Token::Operand(Expression::Unsupported));
                    return;
                };
                self.flatten(parts.get(..at).unwrap_or(&[]), tokens, depth + 1);
                tokens.push(Token::Binary(op));
                self.flatten(parts.get(at + 1..).unwrap_or(&[]), tokens, depth + 1);
            }
            _ => tokens.push(Token::Operand(Expression::Unsupported)),
        }
        let rest = items.get(1..).unwrap_or(&[]);
        if rest.is_empty() {
            return;
        }
        match tokens.last_mut() {
            Some(Token::Operand(last)) => {
                let operand = std::mem::replace(last, Expression::Unsupported);
                *last = self.with_steps(Root::Expression(operand), rest, depth);
            }
            _ => tokens.push(Token::Operand(Expression::Unsupported)),
        }
    }

    fn term(&self, node: TsNode<'_>, depth: usize) -> Expression {
        if depth > MAX_LOWER_DEPTH {
            return Expression::TooDeep;
        }
        match node.kind() {
            "literal_value" => self.literal(node),
            "template_expr" => match node.named_child(0) {
                Some(quoted) if quoted.kind() == "quoted_template" => self.quoted(quoted, depth),
                Some(heredoc) if heredoc.kind() == "heredoc_template" => {
                    self.heredoc(heredoc, depth)
                }
                _ => Expression::Unsupported,
            },
            "collection_value" => match node.named_child(0) {
                Some(tuple) if tuple.kind() == "tuple" => Expression::Tuple(
                    named_of_kind(tuple, "expression")
                        .into_iter()
                        .map(|item| self.expression(item, depth + 1))
                        .collect(),
                ),
                Some(object) if object.kind() == "object" => self.object(object, depth),
                _ => Expression::Unsupported,
            },
            "function_call" => self.call(node, depth),
            "for_expr" => node
                .named_child(0)
                .map_or(Expression::Unsupported, |inner| self.for_expr(inner, depth)),
            "operation" => self.operation(&[node], depth),
            "variable_expr" | "expression" => self.expression(node, depth + 1),
            _ => Expression::Unsupported,
        }
    }

    fn literal(&self, node: TsNode<'_>) -> Expression {
        let Some(value) = node.named_child(0) else {
            return Expression::Unsupported;
        };
        let raw = self.text_of(value);
        match value.kind() {
            "bool_lit" => Expression::Literal(Value::Bool(raw == "true")),
            "null_lit" => Expression::Literal(Value::Null),
            "numeric_lit" => parse_number(raw).map_or(Expression::Unsupported, |n| {
                Expression::Literal(Value::Number(n))
            }),
            "string_lit" => self.quoted(value, 0),
            _ => Expression::Unsupported,
        }
    }

    fn object(&self, node: TsNode<'_>, depth: usize) -> Expression {
        let mut entries = Vec::new();
        for element in named_of_kind(node, "object_elem") {
            let (Some(key), Some(value)) = (
                element.child_by_field_name("key"),
                element.child_by_field_name("val"),
            ) else {
                return Expression::Unsupported;
            };
            // A bare name as a key is the name itself, not a variable.
            let key = match children(key).as_slice() {
                [name] if name.kind() == "variable_expr" => ObjectKey::Name(
                    name.named_child(0)
                        .map_or("", |name| self.text_of(name))
                        .to_owned(),
                ),
                _ => ObjectKey::Expression(self.expression(key, depth + 1)),
            };
            entries.push((key, self.expression(value, depth + 1)));
        }
        Expression::Object(entries)
    }

    fn call(&self, node: TsNode<'_>, depth: usize) -> Expression {
        let Some(name) = node.named_child(0) else {
            return Expression::Unsupported;
        };
        let arguments = named_of_kind(node, "function_arguments").into_iter().next();
        let (args, expand_last) = match arguments {
            Some(arguments) => (
                named_of_kind(arguments, "expression")
                    .into_iter()
                    .map(|arg| self.expression(arg, depth + 1))
                    .collect(),
                !named_of_kind(arguments, "ellipsis").is_empty(),
            ),
            None => (Vec::new(), false),
        };
        Expression::Call(Box::new(Call {
            name: self.text_of(name).to_owned(),
            args,
            expand_last,
        }))
    }

    fn for_expr(&self, node: TsNode<'_>, depth: usize) -> Expression {
        let Some(intro) = named_of_kind(node, "for_intro").into_iter().next() else {
            return Expression::Unsupported;
        };
        let names: Vec<String> = named_of_kind(intro, "identifier")
            .into_iter()
            .map(|name| self.text_of(name).to_owned())
            .collect();
        let (key_name, value_name) = match names.as_slice() {
            [value] => (None, value.clone()),
            [key, value] => (Some(key.clone()), value.clone()),
            _ => return Expression::Unsupported,
        };
        let Some(collection) = named_of_kind(intro, "expression").into_iter().next() else {
            return Expression::Unsupported;
        };
        let bodies = named_of_kind(node, "expression");
        let (key, value) = match (node.kind(), bodies.as_slice()) {
            ("for_tuple_expr", [value]) => (None, self.expression(*value, depth + 1)),
            ("for_object_expr", [key, value]) => (
                Some(self.expression(*key, depth + 1)),
                self.expression(*value, depth + 1),
            ),
            _ => return Expression::Unsupported,
        };
        let condition = named_of_kind(node, "for_cond")
            .into_iter()
            .next()
            .and_then(|cond| named_of_kind(cond, "expression").into_iter().next())
            .map(|cond| self.expression(cond, depth + 1));
        Expression::For(Box::new(ForExpr {
            key_name,
            value_name,
            collection: self.expression(collection, depth + 1),
            key,
            value,
            condition,
            grouping: !named_of_kind(node, "ellipsis").is_empty(),
        }))
    }

    /// A quoted string or template: `"text ${expr}"`.
    fn quoted(&self, node: TsNode<'_>, depth: usize) -> Expression {
        // Most strings are plain text: nothing to decode, nothing to interpolate.
        let plain = self
            .text_of(node)
            .strip_prefix('"')
            .and_then(|rest| rest.strip_suffix('"'))
            .filter(|inner| !inner.contains(['"', '\\', '$', '%', '\n', '\r']));
        if let Some(inner) = plain {
            return Expression::Literal(Value::String(inner.to_owned()));
        }
        let start = named_of_kind(node, "quoted_template_start")
            .into_iter()
            .next();
        let end = named_of_kind(node, "quoted_template_end")
            .into_iter()
            .next();
        let (Some(start), Some(end)) = (start, end) else {
            return Expression::Unsupported;
        };
        self.template(
            node,
            start.end_byte()..end.start_byte(),
            Mode::Quoted,
            depth,
        )
    }

    /// A heredoc: `<<EOT` … `EOT`, or `<<-EOT` with the common indentation removed.
    fn heredoc(&self, node: TsNode<'_>, depth: usize) -> Expression {
        let markers = named_of_kind(node, "heredoc_identifier");
        let (Some(open), Some(close)) = (markers.first(), markers.last()) else {
            return Expression::Unsupported;
        };
        let Some(newline) = self
            .text
            .get(open.end_byte()..)
            .and_then(|rest| rest.find('\n'))
        else {
            return Expression::Unsupported;
        };
        let start = open.end_byte() + newline + 1;
        // The text ends with the line break before the closing marker's line.
        let end = self
            .text
            .get(..close.start_byte())
            .and_then(|before| before.rfind('\n'))
            .map_or(start, |at| (at + 1).max(start));
        let flush = named_of_kind(node, "heredoc_start")
            .first()
            .is_some_and(|marker| self.text_of(*marker) == "<<-");
        let indent = if flush {
            self.text.get(start..end).map_or(0, common_indent)
        } else {
            0
        };
        self.template(node, start..end, Mode::Heredoc { indent }, depth)
    }

    /// The pieces of a template whose text spans `content`: the text between interpolations is
    /// read from the source (tree-sitter's literal chunks leave out some whitespace).
    fn template(
        &self,
        node: TsNode<'_>,
        content: std::ops::Range<usize>,
        mode: Mode,
        depth: usize,
    ) -> Expression {
        let mut parts = Vec::new();
        let mut cursor = content.start;
        let mut strip_next = false;
        for child in children(node) {
            let is_interpolation = child.kind() == "template_interpolation";
            if !is_interpolation && child.kind() != "template_directive" {
                continue;
            }
            let Some(text) = self.literal_text(cursor..child.start_byte(), &content, mode) else {
                return Expression::Unsupported;
            };
            push_text(&mut parts, text, strip_next);
            strip_next = false;
            cursor = child.end_byte();
            if !is_interpolation {
                parts.push(TemplatePart::Directive);
                continue;
            }
            let inner = children(child);
            let position = inner.iter().position(|item| item.kind() == "expression");
            let Some(at) = position else {
                return Expression::Unsupported;
            };
            let strips = |items: &[TsNode<'_>]| items.iter().any(|i| i.kind() == "strip_marker");
            if inner.get(..at).is_some_and(strips)
                && let Some(TemplatePart::Text(previous)) = parts.last_mut()
            {
                previous.truncate(previous.trim_end().len());
            }
            strip_next = inner.get(at + 1..).is_some_and(strips);
            let expression = inner.get(at).map_or(Expression::Unsupported, |expression| {
                self.expression(*expression, depth + 1)
            });
            parts.push(TemplatePart::Interpolation(expression));
        }
        let Some(text) = self.literal_text(cursor..content.end, &content, mode) else {
            return Expression::Unsupported;
        };
        push_text(&mut parts, text, strip_next);
        match parts.as_slice() {
            [] => Expression::Literal(Value::String(String::new())),
            [TemplatePart::Text(text)] => Expression::Literal(Value::String(text.clone())),
            _ => Expression::Template(parts),
        }
    }

    /// The decoded literal text of `span`, a piece of a template whose text spans `content`.
    fn literal_text(
        &self,
        span: std::ops::Range<usize>,
        content: &std::ops::Range<usize>,
        mode: Mode,
    ) -> Option<String> {
        if span.start > span.end {
            return None;
        }
        let raw = self.text.get(span.clone())?;
        let unindented = match mode {
            Mode::Heredoc { indent } if indent > 0 => {
                // A line starts at the start of the content or right after a line break.
                let at_line_start = span.start == content.start
                    || self.text.as_bytes().get(span.start.wrapping_sub(1)) == Some(&b'\n');
                strip_indent(raw, indent, at_line_start)
            }
            _ => raw.to_owned(),
        };
        Some(match mode {
            Mode::Quoted => decode_quoted(&unindented),
            Mode::Heredoc { .. } | Mode::Json => decode_template_escapes(&unindented),
        })
    }
}

/// An operand or operator of an operation, in source order.
enum Token {
    Operand(Expression),
    Unary(UnaryOp),
    Binary(BinaryOp),
}

/// HCL's binding strength of a binary operator; all are left-associative.
fn precedence(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Multiply | BinaryOp::Divide | BinaryOp::Remainder => 6,
        BinaryOp::Add | BinaryOp::Subtract => 5,
        BinaryOp::Less | BinaryOp::LessOrEqual | BinaryOp::Greater | BinaryOp::GreaterOrEqual => 4,
        BinaryOp::Equal | BinaryOp::NotEqual => 3,
        BinaryOp::And => 2,
        BinaryOp::Or => 1,
    }
}

/// Groups tokens by precedence: operators binding at least `min` (precedence climbing, whose
/// recursion is bounded by the number of precedence levels plus the unary operators in a row).
fn climb(tokens: &mut std::iter::Peekable<std::vec::IntoIter<Token>>, min: u8) -> Expression {
    let mut left = unary(tokens);
    while let Some(Token::Binary(op)) = tokens.peek() {
        let op = *op;
        let strength = precedence(op);
        if strength < min {
            break;
        }
        tokens.next();
        let right = climb(tokens, strength + 1);
        left = Expression::Binary(op, Box::new([left, right]));
    }
    left
}

fn unary(tokens: &mut std::iter::Peekable<std::vec::IntoIter<Token>>) -> Expression {
    match tokens.next() {
        Some(Token::Unary(op)) => Expression::Unary(op, Box::new(unary(tokens))),
        Some(Token::Operand(operand)) => operand,
        Some(Token::Binary(_)) | None => Expression::Unsupported,
    }
}

fn push_text(parts: &mut Vec<TemplatePart>, text: String, strip_start: bool) {
    let text = if strip_start {
        text.trim_start().to_owned()
    } else {
        text
    };
    if !text.is_empty() {
        parts.push(TemplatePart::Text(text));
    }
}

/// The smallest indentation (spaces and tabs) of the non-blank lines of a heredoc.
fn common_indent(content: &str) -> usize {
    content
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0)
}

/// Removes up to `indent` spaces or tabs at the start of every line of `raw`.
fn strip_indent(raw: &str, indent: usize, at_line_start: bool) -> String {
    let mut res = String::with_capacity(raw.len());
    for (index, line) in raw.split_inclusive('\n').enumerate() {
        if index > 0 || at_line_start {
            let blank = line.len() - line.trim_start_matches([' ', '\t']).len();
            res.push_str(line.get(blank.min(indent)..).unwrap_or(""));
        } else {
            res.push_str(line);
        }
    }
    res
}

/// Resolves the escapes of a quoted string: backslash sequences, `$${` and `%%{`.
fn decode_quoted(raw: &str) -> String {
    let mut res = String::with_capacity(raw.len());
    let mut chars = raw.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => res.push('\n'),
                Some('t') => res.push('\t'),
                Some('r') => res.push('\r'),
                Some(marker @ ('u' | 'U')) => {
                    let digits = if marker == 'u' { 4 } else { 8 };
                    let hex: String = chars.by_ref().take(digits).collect();
                    match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                        Some(decoded) => res.push(decoded),
                        None => res.push(char::REPLACEMENT_CHARACTER),
                    }
                }
                Some(other) => res.push(other),
                None => {}
            },
            '$' | '%' if chars.peek() == Some(&c) => {
                let mut lookahead = chars.clone();
                lookahead.next();
                if lookahead.peek() == Some(&'{') {
                    chars.next();
                }
                res.push(c);
            }
            other => res.push(other),
        }
    }
    res
}

/// Resolves `$${` and `%%{`, the only escapes of heredocs and JSON strings.
fn decode_template_escapes(raw: &str) -> String {
    raw.replace("$${", "${").replace("%%{", "%{")
}

fn json(node: &Node, templates: bool, depth: usize) -> Expression {
    if depth > MAX_LOWER_DEPTH {
        return Expression::TooDeep;
    }
    match &node.kind {
        NodeKind::Scalar(scalar) => match scalar.kind {
            ScalarKind::String { .. } if templates => json_template(&scalar.value, depth),
            ScalarKind::String { .. } => Expression::Literal(Value::String(scalar.value.clone())),
            ScalarKind::Number => parse_number(&scalar.value)
                .map_or(Expression::Unsupported, |n| {
                    Expression::Literal(Value::Number(n))
                }),
            ScalarKind::Bool(value) => Expression::Literal(Value::Bool(value)),
            ScalarKind::Null => Expression::Literal(Value::Null),
        },
        NodeKind::Sequence(items) => Expression::Tuple(
            items
                .iter()
                .map(|item| json(item, templates, depth + 1))
                .collect(),
        ),
        NodeKind::Mapping(entries) => Expression::Object(
            entries
                .iter()
                .filter_map(|entry| {
                    let key = entry.key.as_str()?;
                    Some((
                        ObjectKey::Name(key.to_owned()),
                        json(&entry.value, templates, depth + 1),
                    ))
                })
                .collect(),
        ),
        NodeKind::Unknown => Expression::Unsupported,
    }
}

/// A string of the JSON syntax, which Terraform reads as a template.
///
/// The template is parsed by the HCL grammar as the body of a heredoc, where text needs no
/// escaping, and its text is then read from the known span of the original string.
fn json_template(text: &str, depth: usize) -> Expression {
    const MARKER: &str = "REDLINE_JSON_TEMPLATE_END";
    if !text.contains("${") && !text.contains("%{") {
        return Expression::Literal(Value::String(text.to_owned()));
    }
    if text.contains(MARKER) {
        return Expression::Unsupported;
    }
    let prefix = format!("x = <<{MARKER}\n");
    let source = format!("{prefix}{text}\n{MARKER}\n");
    let Some(tree) = crate::tree::parse(Language::Hcl, &source) else {
        return Expression::Unsupported;
    };
    let heredoc = crate::hcl::root_body(&tree)
        .and_then(|body| body.attributes().into_iter().next())
        .and_then(|attribute| attribute.expression())
        .filter(|expression| !expression.has_error())
        .and_then(|expression| expression.named_child(0))
        .and_then(|template| template.named_child(0))
        .filter(|heredoc| heredoc.kind() == "heredoc_template");
    let Some(heredoc) = heredoc else {
        return Expression::Unsupported;
    };
    let hcl = Hcl { text: &source };
    hcl.template(
        heredoc,
        prefix.len()..prefix.len() + text.len(),
        Mode::Json,
        depth,
    )
}

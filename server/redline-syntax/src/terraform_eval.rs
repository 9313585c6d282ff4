//! Terraform as Terraform reads it: one module's symbols, its variable values, and a partial
//! evaluator for its expressions.
//!
//! Rules that read only literals miss `force_destroy = var.force_destroy` when the variable
//! defaults to `true`. This layer sees through variables, locals, tfvars and the common
//! functions, and says where each value came from. It stays pure: the caller passes the parsed
//! `.tf`/`.tf.json` files of one folder and the texts of its tfvars files.
//!
//! - `symbols::Module::build` reads the symbol table (variables, locals, resources, data
//!   sources, module calls, outputs, `moved`/`removed`/`import`) and lowers every attribute.
//! - `tfvars::Tfvars::parse` reads one variable definitions file.
//! - `symbols::Module::classify` tells a root module from a reusable one.
//! - `evaluate::Evaluator` resolves variable values with Terraform's precedence and evaluates
//!   attributes, locals and instance keys, optionally per `count`/`for_each` instance.
//! - `calls` resolves a local module call's `source` to a folder and binds the call's inputs,
//!   as the caller evaluates them, to the called module's variables (`Evaluator::called`).
//!
//! A value the files do not decide is `Value::Unknown`, and rules must not fire on it. So is
//! every value whose evaluation ran into a bound (nesting depth, work budget, a `for` over too
//! many items) or a cycle among locals. Deliberately unknown:
//!
//! - what providers compute: attributes of resources, data sources and module outputs are
//!   `Value::Reference`s (only to objects the module declares), never values;
//! - variables set outside the files (`-var`, `-var-file`, `TF_VAR_*`), every variable of a
//!   reusable module that no tfvars file sets, `path.*`, `terraform.workspace`, `self`;
//! - functions outside `functions.rs` (regular expressions, `cidrsubnet`, `file`,
//!   `templatefile`, time), provider functions, and `%{if}`/`%{for}` template directives;
//! - conditions that are not known, and `try`/`can` over values that are not fully known;
//! - expressions with a syntax error inside.
//!
//! Sets are lists kept sorted and without duplicates; numbers are `f64`.

pub mod calls;
pub mod evaluate;
mod functions;
mod lower;
pub mod references;
pub mod symbols;
pub mod tfvars;
pub mod unevaluated;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use redline_text::TextRange;

/// A value as far as the files of the module decide it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number.
    Number(f64),
    /// A fully known string.
    String(String),
    /// A list, tuple or set; a set is kept sorted and without duplicates.
    List(Vec<Value>),
    /// A map or object, by key.
    Map(BTreeMap<String, Value>),
    /// An attribute of another object (`aws_s3_bucket.logs.arn`), known only when Terraform
    /// applies the configuration. Boxed, so that a value (and an expression, which may be a
    /// literal value) stays small: modules hold many of them.
    Reference(Box<Reference>),
    /// A string of which some parts are known, such as `"${aws_s3_bucket.logs.arn}/*"`.
    // Invariant: at least one part is a `Part::Value`, text parts are non-empty and never
    // adjacent, and value parts are `Reference` or `Unknown`.
    Template(Vec<Part>),
    /// Nothing is known.
    Unknown,
}

/// One piece of a partly known string.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// Known text.
    Text(String),
    /// A piece only known later: a `Value::Reference` or `Value::Unknown`.
    Value(Value),
}

/// A specific attribute of a specific object, such as `aws_s3_bucket.logs[0].arn`,
/// `module.vpc.vpc_id` or `data.aws_iam_policy_document.x.json`; never a wildcard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The object: `aws_s3_bucket.logs`, `data.aws_caller_identity.current` or `module.vpc`.
    pub object: String,
    /// The instance the reference picks (`[0]`, `["blue"]`), if it picks one.
    pub instance: Option<Key>,
    /// The attribute path after the object; empty when the whole object is referenced.
    pub path: Vec<Step>,
}

/// An index into a list or a key into a map or an instance set.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Key {
    /// `[0]`.
    Index(u64),
    /// `["name"]`.
    Name(String),
}

/// One step of a reference's attribute path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    /// `.name`.
    Attribute(String),
    /// `[0]` or `["name"]`.
    Key(Key),
}

/// A place in one file of the module.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// The display path of the file, as the caller gave it.
    pub path: String,
    /// The byte range in that file.
    pub range: TextRange,
    /// The 1-based line of the range's start, for messages such as `variables.tf:12`.
    pub line: u32,
}

/// Something in the module's files that the layer could not take as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Where it is.
    pub location: Location,
    /// What is wrong, in words.
    pub message: String,
}

impl Value {
    /// The boolean this value stands for; Terraform converts the strings `"true"` and
    /// `"false"` to booleans.
    pub fn as_bool(&self) -> Option<bool> {
        match to_bool(self) {
            Conversion::Known(value) => Some(value),
            _ => None,
        }
    }

    /// The string, if this is a fully known string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(value) => Some(value),
            _ => None,
        }
    }

    /// The number this value stands for (numbers, and strings holding a number).
    pub fn as_number(&self) -> Option<f64> {
        match to_number(self) {
            Conversion::Known(value) => Some(value),
            _ => None,
        }
    }

    /// The reference, if this value is exactly one.
    pub fn as_reference(&self) -> Option<&Reference> {
        match self {
            Value::Reference(reference) => Some(reference),
            _ => None,
        }
    }

    /// A reference followed by known text: `"${aws_s3_bucket.logs.arn}/*"` gives the reference
    /// and `"/*"`; a bare reference gives an empty suffix.
    pub fn reference_with_suffix(&self) -> Option<(&Reference, &str)> {
        match self {
            Value::Reference(reference) => Some((reference, "")),
            Value::Template(parts) => match parts.as_slice() {
                [Part::Value(Value::Reference(reference))] => Some((reference, "")),
                [Part::Value(Value::Reference(reference)), Part::Text(suffix)] => {
                    Some((reference, suffix))
                }
                _ => None,
            },
            _ => None,
        }
    }

    /// The value of `key` in a map.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(entries) => entries.get(key),
            _ => None,
        }
    }

    /// The elements of a list, or nothing.
    pub fn items(&self) -> &[Value] {
        match self {
            Value::List(items) => items,
            _ => &[],
        }
    }

    /// Whether the value is fully known: no reference, template or unknown anywhere inside.
    pub fn is_known(&self) -> bool {
        match self {
            Value::Unknown | Value::Reference(_) | Value::Template(_) => false,
            Value::List(items) => items.iter().all(Value::is_known),
            Value::Map(entries) => entries.values().all(Value::is_known),
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
        }
    }
}

impl fmt::Display for Value {
    /// Renders the value in HCL syntax for messages; unknown parts show as `(known after
    /// apply)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(value) => write!(f, "{value}"),
            Value::Number(value) => f.write_str(&format_number(*value)),
            Value::String(value) => write!(f, "{value:?}"),
            Value::List(items) => {
                f.write_str("[")?;
                for (index, item) in items.iter().enumerate() {
                    if index > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Value::Map(entries) => {
                f.write_str("{")?;
                for (index, (key, value)) in entries.iter().enumerate() {
                    f.write_str(if index > 0 { ", " } else { " " })?;
                    write!(f, "{key:?} = {value}")?;
                }
                f.write_str(if entries.is_empty() { "}" } else { " }" })
            }
            Value::Reference(reference) => write!(f, "{reference}"),
            Value::Template(parts) => {
                f.write_str("\"")?;
                for part in parts {
                    match part {
                        Part::Text(text) => {
                            let quoted = format!("{text:?}");
                            f.write_str(quoted.get(1..quoted.len() - 1).unwrap_or(""))?;
                        }
                        Part::Value(value) => write!(f, "${{{value}}}")?,
                    }
                }
                f.write_str("\"")
            }
            Value::Unknown => f.write_str("(known after apply)"),
        }
    }
}

impl fmt::Display for Reference {
    /// Renders the reference as Terraform writes it: `aws_s3_bucket.logs[0].arn`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.object)?;
        if let Some(key) = &self.instance {
            write!(f, "{key}")?;
        }
        for step in &self.path {
            match step {
                Step::Attribute(name) => write!(f, ".{name}")?,
                Step::Key(key) => write!(f, "{key}")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Key {
    /// Renders the key as an index: `[0]` or `["name"]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Key::Index(index) => write!(f, "[{index}]"),
            Key::Name(name) => write!(f, "[{name:?}]"),
        }
    }
}

impl fmt::Display for Location {
    /// Renders the location as `path:line`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path, self.line)
    }
}

/// The result of converting a value to a primitive type the way Terraform does.
pub(crate) enum Conversion<T> {
    /// The converted value.
    Known(T),
    /// The value is not known yet, so neither is the conversion.
    Unknown,
    /// Terraform would reject the value.
    Invalid,
}

/// Whether a value is an object whose shape is not known at all.
pub(crate) fn is_opaque(value: &Value) -> bool {
    matches!(value, Value::Unknown | Value::Reference(_))
}

pub(crate) fn to_bool(value: &Value) -> Conversion<bool> {
    match value {
        Value::Bool(value) => Conversion::Known(*value),
        Value::String(text) if text == "true" => Conversion::Known(true),
        Value::String(text) if text == "false" => Conversion::Known(false),
        Value::Unknown | Value::Reference(_) | Value::Template(_) => Conversion::Unknown,
        _ => Conversion::Invalid,
    }
}

pub(crate) fn to_number(value: &Value) -> Conversion<f64> {
    match value {
        Value::Number(value) => Conversion::Known(*value),
        Value::String(text) => match text.trim().parse::<f64>() {
            Ok(number) if number.is_finite() => Conversion::Known(number),
            _ => Conversion::Invalid,
        },
        Value::Unknown | Value::Reference(_) | Value::Template(_) => Conversion::Unknown,
        _ => Conversion::Invalid,
    }
}

pub(crate) fn to_text(value: &Value) -> Conversion<String> {
    match value {
        Value::String(text) => Conversion::Known(text.clone()),
        Value::Number(number) => Conversion::Known(format_number(*number)),
        Value::Bool(value) => Conversion::Known(value.to_string()),
        Value::Unknown | Value::Reference(_) | Value::Template(_) => Conversion::Unknown,
        Value::Null | Value::List(_) | Value::Map(_) => Conversion::Invalid,
    }
}

/// Formats a number the way Terraform prints it: whole numbers without a fraction.
pub(crate) fn format_number(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        format!("{}", number as i64)
    } else {
        format!("{number}")
    }
}

/// A whole, non-negative number as an index.
pub(crate) fn as_index(number: f64) -> Option<u64> {
    (number.fract() == 0.0 && (0.0..9.0e15).contains(&number)).then_some(number as u64)
}

/// What keeping a value costs in the work budget: one per node, plus one per 64 bytes of text,
/// so that values cannot grow without the budget noticing.
pub(crate) fn cost(value: &Value) -> usize {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::Unknown => 1,
        Value::String(text) => 1 + text.len() / 64,
        Value::List(items) => items.iter().fold(1, |sum, item| sum + cost(item)),
        Value::Map(entries) => entries
            .iter()
            .fold(1, |sum, (key, item)| sum + 1 + key.len() / 64 + cost(item)),
        Value::Reference(reference) => 1 + reference.path.len(),
        Value::Template(parts) => parts.iter().fold(1, |sum, part| {
            sum + match part {
                Part::Text(text) => 1 + text.len() / 64,
                Part::Value(value) => cost(value),
            }
        }),
    }
}

/// Equality as Terraform's `==` sees it, for fully known values: numbers by value, no
/// conversion between types.
pub(crate) fn same(left: &Value, right: &Value) -> bool {
    match (left, right) {
        (Value::List(left), Value::List(right)) => {
            left.len() == right.len() && left.iter().zip(right).all(|(a, b)| same(a, b))
        }
        (Value::Map(left), Value::Map(right)) => {
            left.len() == right.len()
                && left
                    .iter()
                    .zip(right)
                    .all(|((ka, va), (kb, vb))| ka == kb && same(va, vb))
        }
        _ => left == right,
    }
}

/// Builds a string from known text and later-known pieces, the way a template interpolates.
pub(crate) struct TemplateBuilder {
    parts: Vec<Part>,
    text: String,
}

impl TemplateBuilder {
    pub(crate) fn new() -> Self {
        TemplateBuilder {
            parts: Vec::new(),
            text: String::new(),
        }
    }

    pub(crate) fn push_text(&mut self, text: &str) {
        self.text.push_str(text);
    }

    /// Appends a value as a template interpolates it; `Err` for values a template rejects
    /// (null, lists, maps).
    pub(crate) fn push_value(&mut self, value: Value) -> Result<(), Invalid> {
        match value {
            Value::String(text) => self.text.push_str(&text),
            Value::Number(number) => self.text.push_str(&format_number(number)),
            Value::Bool(value) => self.text.push_str(if value { "true" } else { "false" }),
            Value::Null | Value::List(_) | Value::Map(_) => return Err(Invalid),
            Value::Reference(reference) => {
                self.flush();
                self.parts.push(Part::Value(Value::Reference(reference)));
            }
            Value::Unknown => {
                self.flush();
                // Two unknown pieces in a row say nothing more than one.
                if self.parts.last() != Some(&Part::Value(Value::Unknown)) {
                    self.parts.push(Part::Value(Value::Unknown));
                }
            }
            Value::Template(parts) => {
                for part in parts {
                    match part {
                        Part::Text(text) => self.text.push_str(&text),
                        Part::Value(value) => self.push_value(value)?,
                    }
                }
            }
        }
        Ok(())
    }

    /// The length of the text and parts so far, to bound joins and formats.
    pub(crate) fn len(&self) -> usize {
        self.text.len() + self.parts.len()
    }

    fn flush(&mut self) {
        if !self.text.is_empty() {
            self.parts.push(Part::Text(std::mem::take(&mut self.text)));
        }
    }

    pub(crate) fn finish(mut self) -> Value {
        if self.parts.is_empty() {
            return Value::String(self.text);
        }
        self.flush();
        match self.parts.as_slice() {
            // A string that is nothing but one later-known piece is that piece.
            [Part::Value(value)] => value.clone(),
            _ => Value::Template(self.parts),
        }
    }
}

/// Terraform would reject the expression (a type error, a missing key, a bad argument).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Invalid;

//! The objects an attribute value reads: the edges of a module's dependency graph.
//!
//! Terraform orders and re-plans objects by the references written in their arguments. A
//! reference through a local is followed into the local's value, so `vpc_id = local.vpc_id`
//! with `vpc_id = aws_vpc.main.id` reads `aws_vpc.main.id`. Locals are followed at most
//! `MAX_LOCAL_DEPTH` deep, and a local that reads itself is read once.
//!
//! A called module's variables are the edges into it from its caller: `reads_with_variables`
//! also names the variables an expression reads, as objects `var.<name>`.

use std::collections::BTreeSet;

use redline_text::TextRange;

use super::Value;
use super::lower::{BinaryOp, Expression, ObjectKey, Root, TemplatePart, Traverse};
use super::symbols::Module;

/// How many locals deep a reference is followed.
const MAX_LOCAL_DEPTH: usize = 16;

/// One object attribute that an expression reads.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct ObjectRead {
    /// The object: `aws_vpc.main`, `data.aws_ami.ubuntu` or `module.vpc` (or `var.cidr`, in
    /// `Module::reads_with_variables`).
    pub object: String,
    /// The first attribute read after the object and its instance key (`id`, `vpc_id`);
    /// `None` when the whole object (or a whole instance) is read.
    pub attribute: Option<String>,
}

impl Module {
    /// The object attributes read by the attribute value written at `range` in the module's
    /// file at `path`, through locals, sorted and without duplicates; empty when no value is
    /// written there. Variables, `count`, `each`, `self` and `path` read no object.
    pub fn object_reads(&self, path: &str, range: TextRange) -> Vec<ObjectRead> {
        let mut res = self.reads_with_variables(path, range);
        res.retain(|read| !is_variable(read));
        res
    }

    /// The objects read by the local `name`, through other locals.
    pub fn local_reads(&self, name: &str) -> Vec<ObjectRead> {
        let mut res = self.local_reads_with_variables(name);
        res.retain(|read| !is_variable(read));
        res
    }

    /// `object_reads`, with the module's variables the value reads as objects `var.<name>`
    /// (with the attribute read of an object-typed variable, if any).
    pub fn reads_with_variables(&self, path: &str, range: TextRange) -> Vec<ObjectRead> {
        let Some(expression) = self
            .expressions
            .get(path)
            .and_then(|expressions| expressions.get(range))
        else {
            return Vec::new();
        };
        let mut reads = BTreeSet::new();
        let mut seen_locals = BTreeSet::new();
        self.collect(expression, 0, &mut reads, &mut seen_locals);
        reads.into_iter().collect()
    }

    /// `local_reads`, with the variables the local reads as objects `var.<name>`.
    pub fn local_reads_with_variables(&self, name: &str) -> Vec<ObjectRead> {
        let mut reads = BTreeSet::new();
        let mut seen_locals = BTreeSet::new();
        self.follow_local(name, 0, &mut reads, &mut seen_locals);
        reads.into_iter().collect()
    }

    /// Whether the value written at `range` of the module's file at `path` reads `object` (an
    /// object or `var.<name>`, as `reads_with_variables` names it) for more than its shape:
    /// a read inside `length(…)`, or compared with `null`, sees only how many elements the
    /// value has or whether it is set, which stay the same when the object is replaced.
    /// Locals are followed.
    pub fn reads_value_of(&self, path: &str, range: TextRange, object: &str) -> bool {
        let Some(expression) = self
            .expressions
            .get(path)
            .and_then(|expressions| expressions.get(range))
        else {
            return false;
        };
        let mut seen_locals = BTreeSet::new();
        self.reads_value(expression, object, 0, &mut seen_locals)
    }

    fn reads_value(
        &self,
        expression: &Expression,
        object: &str,
        depth: usize,
        seen_locals: &mut BTreeSet<String>,
    ) -> bool {
        let any = |expressions: &mut dyn Iterator<Item = &Expression>,
                   seen_locals: &mut BTreeSet<String>| {
            for inner in expressions {
                if self.reads_value(inner, object, depth, seen_locals) {
                    return true;
                }
            }
            false
        };
        match expression {
            Expression::Literal(_) | Expression::Unsupported | Expression::TooDeep => false,
            Expression::Call(call) if call.name == "length" => false,
            Expression::Binary(BinaryOp::Equal | BinaryOp::NotEqual, operands)
                if operands
                    .iter()
                    .any(|operand| matches!(operand, Expression::Literal(Value::Null))) =>
            {
                false
            }
            Expression::Template(parts) => any(
                &mut parts.iter().filter_map(|part| match part {
                    TemplatePart::Interpolation(inner) => Some(inner),
                    _ => None,
                }),
                seen_locals,
            ),
            Expression::Tuple(items) => any(&mut items.iter(), seen_locals),
            Expression::Object(entries) => any(
                &mut entries.iter().flat_map(|(key, value)| {
                    let key = match key {
                        ObjectKey::Expression(key) => Some(key),
                        ObjectKey::Name(_) => None,
                    };
                    key.into_iter().chain([value])
                }),
                seen_locals,
            ),
            Expression::Call(call) => any(&mut call.args.iter(), seen_locals),
            Expression::Conditional(parts) => any(&mut parts.iter(), seen_locals),
            Expression::Unary(_, operand) => any(&mut [&**operand].into_iter(), seen_locals),
            Expression::Binary(_, operands) => any(&mut operands.iter(), seen_locals),
            Expression::For(for_expression) => any(
                &mut [&for_expression.collection, &for_expression.value]
                    .into_iter()
                    .chain(&for_expression.key)
                    .chain(&for_expression.condition),
                seen_locals,
            ),
            Expression::Traversal(traversal) => {
                if let Root::Name(name) = &traversal.root
                    && name == "local"
                    && let Some(Traverse::Attribute(local)) = traversal.steps.first()
                {
                    if depth >= MAX_LOCAL_DEPTH || !seen_locals.insert(local.clone()) {
                        return false;
                    }
                    let Some(value) = self.locals.get(local).and_then(|found| {
                        self.expressions
                            .get(&found.value.path)
                            .and_then(|expressions| expressions.get(found.value.range))
                    }) else {
                        return false;
                    };
                    return self.reads_value(value, object, depth + 1, seen_locals);
                }
                let mut reads = BTreeSet::new();
                let mut seen = seen_locals.clone();
                self.collect(expression, depth, &mut reads, &mut seen);
                reads.iter().any(|read| read.object == object)
            }
        }
    }

    fn follow_local(
        &self,
        name: &str,
        depth: usize,
        reads: &mut BTreeSet<ObjectRead>,
        seen_locals: &mut BTreeSet<String>,
    ) {
        if depth >= MAX_LOCAL_DEPTH || !seen_locals.insert(name.to_owned()) {
            return;
        }
        let Some(local) = self.locals.get(name) else {
            return;
        };
        if let Some(expression) = self
            .expressions
            .get(&local.value.path)
            .and_then(|expressions| expressions.get(local.value.range))
        {
            self.collect(expression, depth + 1, reads, seen_locals);
        }
    }

    fn collect(
        &self,
        expression: &Expression,
        depth: usize,
        reads: &mut BTreeSet<ObjectRead>,
        seen_locals: &mut BTreeSet<String>,
    ) {
        match expression {
            Expression::Literal(_) | Expression::Unsupported | Expression::TooDeep => {}
            Expression::Template(parts) => {
                for part in parts {
                    if let TemplatePart::Interpolation(inner) = part {
                        self.collect(inner, depth, reads, seen_locals);
                    }
                }
            }
            Expression::Tuple(items) => {
                for item in items {
                    self.collect(item, depth, reads, seen_locals);
                }
            }
            Expression::Object(entries) => {
                for (key, value) in entries {
                    if let ObjectKey::Expression(key) = key {
                        self.collect(key, depth, reads, seen_locals);
                    }
                    self.collect(value, depth, reads, seen_locals);
                }
            }
            Expression::Traversal(traversal) => {
                for step in &traversal.steps {
                    self.collect_step(step, depth, reads, seen_locals);
                }
                match &traversal.root {
                    Root::Expression(inner) => self.collect(inner, depth, reads, seen_locals),
                    Root::Name(name) => {
                        let names: Vec<&str> = traversal
                            .steps
                            .iter()
                            .map_while(|step| match step {
                                Traverse::Attribute(name) => Some(name.as_str()),
                                _ => None,
                            })
                            .collect();
                        // The attribute after the object, skipping one instance key.
                        let after = |skip: usize| -> Option<String> {
                            traversal
                                .steps
                                .iter()
                                .skip(skip)
                                .find_map(|step| match step {
                                    Traverse::Attribute(name) => Some(name.clone()),
                                    Traverse::Splat(inner) => {
                                        inner.iter().find_map(|step| match step {
                                            Traverse::Attribute(name) => Some(name.clone()),
                                            _ => None,
                                        })
                                    }
                                    Traverse::Index(_) => None,
                                })
                        };
                        match (name.as_str(), names.as_slice()) {
                            ("local", [local, ..]) => {
                                self.follow_local(local, depth, reads, seen_locals);
                            }
                            ("var", [variable, ..]) => {
                                reads.insert(ObjectRead {
                                    object: format!("var.{variable}"),
                                    attribute: after(1),
                                });
                            }
                            ("count" | "each" | "self" | "path" | "terraform", _) => {}
                            ("data", [type_name, data_name, ..]) => {
                                reads.insert(ObjectRead {
                                    object: format!("data.{type_name}.{data_name}"),
                                    attribute: after(2),
                                });
                            }
                            ("module", [call, ..]) => {
                                reads.insert(ObjectRead {
                                    object: format!("module.{call}"),
                                    attribute: after(1),
                                });
                            }
                            (type_name, [resource_name, ..])
                                if self
                                    .resources
                                    .contains_key(&format!("{type_name}.{resource_name}"))
                                    || type_name.contains('_') =>
                            {
                                reads.insert(ObjectRead {
                                    object: format!("{type_name}.{resource_name}"),
                                    attribute: after(1),
                                });
                            }
                            _ => {}
                        }
                    }
                }
            }
            Expression::Call(call) => {
                for argument in &call.args {
                    self.collect(argument, depth, reads, seen_locals);
                }
            }
            Expression::Conditional(parts) => {
                for part in parts.iter() {
                    self.collect(part, depth, reads, seen_locals);
                }
            }
            Expression::Unary(_, operand) => self.collect(operand, depth, reads, seen_locals),
            Expression::Binary(_, operands) => {
                for operand in operands.iter() {
                    self.collect(operand, depth, reads, seen_locals);
                }
            }
            Expression::For(for_expression) => {
                self.collect(&for_expression.collection, depth, reads, seen_locals);
                if let Some(key) = &for_expression.key {
                    self.collect(key, depth, reads, seen_locals);
                }
                self.collect(&for_expression.value, depth, reads, seen_locals);
                if let Some(condition) = &for_expression.condition {
                    self.collect(condition, depth, reads, seen_locals);
                }
            }
        }
    }

    fn collect_step(
        &self,
        step: &Traverse,
        depth: usize,
        reads: &mut BTreeSet<ObjectRead>,
        seen_locals: &mut BTreeSet<String>,
    ) {
        match step {
            Traverse::Attribute(_) => {}
            Traverse::Index(index) => self.collect(index, depth, reads, seen_locals),
            Traverse::Splat(steps) => {
                for step in steps {
                    self.collect_step(step, depth, reads, seen_locals);
                }
            }
        }
    }
}

/// Whether a read names a variable (`var.<name>`) rather than an object.
fn is_variable(read: &ObjectRead) -> bool {
    read.object.starts_with("var.")
}

//! What an expression reads that the evaluator leaves unknown on purpose, so that a front-end
//! can say in a few words why a value is not known.

use super::Location;
use super::evaluate::{MAX_DEPTH, MAX_STEPS};
use super::functions;
use super::lower::{Expression, ObjectKey, Root, TemplatePart, Traverse};
use super::symbols::Module;

/// Something an expression reads that the files do not decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unevaluated {
    /// A function the evaluator does not run: `timestamp`, `file`, `cidrsubnet`, a provider
    /// function.
    Function(String),
    /// A value known only where Terraform runs: `path.module`, `terraform.workspace`, `self`.
    Runtime(String),
    /// A value of one instance: `count.index`, `each.key`, `each.value`.
    PerInstance(String),
    /// A `%{if}` or `%{for}` template directive.
    Directive,
    /// Syntax the evaluator does not read, or a syntax error.
    Unsupported,
}

impl Module {
    /// What the expression written at `at` (an attribute value or a local's value) reads that
    /// the evaluator leaves unknown, each once, in source order. The locals it reads are not
    /// followed; an expression deeper or larger than the evaluator's bounds is read only as far
    /// as those bounds.
    pub fn unevaluated(&self, at: &Location) -> Vec<Unevaluated> {
        let mut walk = Walk {
            res: Vec::new(),
            steps: 0,
        };
        if let Some(expression) = self
            .expressions
            .get(&at.path)
            .and_then(|expressions| expressions.get(at.range))
        {
            walk.expression(expression, 0);
        }
        walk.res
    }
}

struct Walk {
    res: Vec<Unevaluated>,
    steps: usize,
}

impl Walk {
    fn note(&mut self, found: Unevaluated) {
        if !self.res.contains(&found) {
            self.res.push(found);
        }
    }

    fn expression(&mut self, expression: &Expression, depth: usize) {
        self.steps += 1;
        if depth >= MAX_DEPTH || self.steps > MAX_STEPS {
            return;
        }
        let depth = depth + 1;
        match expression {
            Expression::Literal(_) => {}
            Expression::Template(parts) => {
                for part in parts {
                    match part {
                        TemplatePart::Text(_) => {}
                        TemplatePart::Interpolation(inner) => self.expression(inner, depth),
                        TemplatePart::Directive => self.note(Unevaluated::Directive),
                    }
                }
            }
            Expression::Tuple(items) => {
                for item in items {
                    self.expression(item, depth);
                }
            }
            Expression::Object(entries) => {
                for (key, value) in entries {
                    if let ObjectKey::Expression(key) = key {
                        self.expression(key, depth);
                    }
                    self.expression(value, depth);
                }
            }
            Expression::Traversal(traversal) => {
                match &traversal.root {
                    Root::Expression(root) => self.expression(root, depth),
                    Root::Name(name) => self.name(name, &traversal.steps),
                }
                self.steps_of(&traversal.steps, depth);
            }
            Expression::Call(call) => {
                if !matches!(call.name.as_str(), "try" | "can") && !functions::is_known(&call.name)
                {
                    self.note(Unevaluated::Function(call.name.clone()));
                }
                for arg in &call.args {
                    self.expression(arg, depth);
                }
            }
            Expression::Conditional(parts) => {
                for part in parts.iter() {
                    self.expression(part, depth);
                }
            }
            Expression::Unary(_, operand) => self.expression(operand, depth),
            Expression::Binary(_, operands) => {
                for operand in operands.iter() {
                    self.expression(operand, depth);
                }
            }
            Expression::For(for_expr) => {
                self.expression(&for_expr.collection, depth);
                if let Some(key) = &for_expr.key {
                    self.expression(key, depth);
                }
                self.expression(&for_expr.value, depth);
                if let Some(condition) = &for_expr.condition {
                    self.expression(condition, depth);
                }
            }
            Expression::Unsupported => self.note(Unevaluated::Unsupported),
            Expression::TooDeep => {}
        }
    }

    fn steps_of(&mut self, steps: &[Traverse], depth: usize) {
        for step in steps {
            match step {
                Traverse::Attribute(_) => {}
                Traverse::Index(key) => self.expression(key, depth),
                Traverse::Splat(inner) => self.steps_of(inner, depth + 1),
            }
        }
    }

    /// A traversal that starts with a name, as `Evaluator::named` reads it.
    fn name(&mut self, name: &str, steps: &[Traverse]) {
        let first = match steps.first() {
            Some(Traverse::Attribute(first)) => Some(first.as_str()),
            _ => None,
        };
        match (name, first) {
            ("count", Some("index")) => self.note(Unevaluated::PerInstance("count.index".into())),
            ("each", Some(first @ ("key" | "value"))) => {
                self.note(Unevaluated::PerInstance(format!("each.{first}")));
            }
            ("path" | "terraform", Some(first)) => {
                self.note(Unevaluated::Runtime(format!("{name}.{first}")));
            }
            ("self", _) => self.note(Unevaluated::Runtime("self".into())),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SourceHints, parse_source};

    fn unevaluated(value: &str) -> Vec<Unevaluated> {
        let text = format!("locals {{\n  x = {value}\n}}\n");
        let file = parse_source("main.tf", &text, SourceHints::default()).expect("terraform");
        let module = Module::build(&[&file]);
        let local = module.locals.get("x").expect("the local is declared");
        module.unevaluated(&local.value)
    }

    #[test]
    fn names_what_the_evaluator_leaves_unknown() {
        assert_eq!(
            unevaluated("\"${path.module}/${timestamp()}-${count.index}%{if true}x%{endif}\""),
            [
                Unevaluated::Runtime("path.module".into()),
                Unevaluated::Function("timestamp".into()),
                Unevaluated::PerInstance("count.index".into()),
                Unevaluated::Directive,
            ]
        );
        assert_eq!(
            unevaluated("[for k, v in file(\"a\") : each.value if file(\"b\")]"),
            [
                Unevaluated::Function("file".into()),
                Unevaluated::PerInstance("each.value".into()),
            ]
        );
        assert_eq!(
            unevaluated("{ (terraform.workspace) = self.id }"),
            [
                Unevaluated::Runtime("terraform.workspace".into()),
                Unevaluated::Runtime("self".into()),
            ]
        );
    }

    #[test]
    fn evaluated_expressions_name_nothing() {
        for value in [
            "true",
            "var.x ? local.y : try(local.z, null)",
            "lookup(merge(var.m, {a = 1}), \"a\", can(var.q))",
            "aws_s3_bucket.logs[*].arn",
        ] {
            assert_eq!(unevaluated(value), [], "{value}");
        }
    }

    /// A hostile expression is read only as deep as the evaluator would read it.
    #[test]
    fn deep_and_long_expressions_stay_bounded() {
        let deep = format!("{}timestamp(){}", "(".repeat(10_000), ")".repeat(10_000));
        assert_eq!(unevaluated(&deep), []);
        let long = vec!["timestamp()"; 20_000].join(" + ");
        assert_eq!(unevaluated(&long).len(), 1);
    }
}

//! Variable values with Terraform's precedence, and the partial evaluator.
//!
//! Every evaluation is bounded: `MAX_DEPTH` levels of nesting (locals followed included),
//! `MAX_STEPS` units of work, `MAX_FOR_ITEMS` items per `for` expression. Reaching a bound
//! makes the whole result `Unknown` (and sets `Evaluation::limit_reached`), so a partial
//! answer never looks complete. A local that refers back to itself is `Unknown`.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeMap, BTreeSet};

use redline_text::TextRange;

use super::calls::Binding;
use super::functions::{self, Outcome};
use super::lower::{self, BinaryOp, Call, Expression, ForExpr, ObjectKey, Root, TemplatePart};
use super::lower::{Traversal, Traverse, UnaryOp};
use super::symbols::{Module, ModuleCall, ModuleKind, Variable};
use super::tfvars::{Assignment, Tfvars, load_order};
use super::{
    Conversion, Invalid, Key, Location, Reference, Step, TemplateBuilder, Value, as_index, cost,
    is_opaque, same, to_bool, to_number, to_text,
};
use crate::SourceFile;
use crate::terraform::{Attribute, Block, Syntax};
use crate::value::Node;

/// How deep one evaluation nests, counting every expression and every local it reads.
///
/// Real configurations stay far below it (a chain of locals costs one or two levels per
/// local), and it keeps even an unoptimised build well inside a 2 MiB thread stack.
pub const MAX_DEPTH: usize = 64;

/// The units of work one evaluation may spend: one per expression, one per `for` item, and
/// the size of every value it copies or builds.
pub const MAX_STEPS: usize = 10_000;

/// The most items a `for` expression iterates over; a larger collection gives `Unknown`.
pub const MAX_FOR_ITEMS: usize = 1_000;

/// The most instances `Evaluator::instances` lists; more give `Instances::Unknown`.
pub const MAX_INSTANCES: usize = 1_000;

/// The most values `Evaluator::possible_values` lists; an expression with more branches
/// gives one unknown value.
pub const MAX_POSSIBLE: usize = 8;

/// How many conditionals deep `Evaluator::possible_values` looks for branches.
const MAX_BRANCH_DEPTH: usize = 4;

/// Evaluates the expressions of one module.
///
/// Locals are evaluated once and shared by later evaluations, so one evaluator should serve
/// every rule of one analysis; it is not shared between threads.
pub struct Evaluator<'m> {
    module: &'m Module,
    kind: ModuleKind,
    /// Every declared variable's value, resolved when first read: a module declares hundreds
    /// and an analysis reads a few.
    variables: BTreeMap<&'m str, OnceCell<VariableValue>>,
    /// What the tfvars files assign to the module's variables, the last file to load winning.
    assigned: BTreeMap<&'m str, Assignment>,
    /// Locals whose evaluation reached no bound and no cycle.
    cache: RefCell<BTreeMap<String, Cached>>,
}

/// The value of one variable, and where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct VariableValue {
    /// The value `var.<name>` evaluates to.
    pub value: Value,
    /// Where the value came from.
    pub origin: Origin,
    /// The default's value, kept even when the module is reusable or tfvars override it, so
    /// that a rule can point at a risky default.
    pub default: Option<Value>,
    /// How the caller computed the value, for a variable set by a module call's input; it
    /// follows `origin` in traces.
    pub upstream: Vec<Origin>,
}

/// One step of the way a value was computed: a variable or local it was read through.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// `var.<variable>` took its default, in a root module.
    Default {
        /// The variable name.
        variable: String,
        /// The default value expression.
        location: Location,
    },
    /// `var.<variable>` took a value from a tfvars file.
    Tfvars {
        /// The variable name.
        variable: String,
        /// The value in the tfvars file.
        location: Location,
    },
    /// `var.<variable>` of a reusable module: each caller decides, so the value is unknown.
    Caller {
        /// The variable name.
        variable: String,
        /// The default value expression, which applies when a caller passes nothing.
        default: Option<Location>,
    },
    /// `var.<variable>` has no default and no tfvars value (it comes from `-var` or the
    /// environment).
    Unset {
        /// The variable name.
        variable: String,
        /// The variable block.
        location: Location,
    },
    /// `local.<name>`.
    Local {
        /// The local name.
        name: String,
        /// The local's value expression.
        location: Location,
    },
    /// `var.<variable>` of a called module, set by an input of the `module` block that calls
    /// it. The trace goes on with how the caller computed the input.
    Input {
        /// The variable name.
        variable: String,
        /// The name of the call (`db` in `module "db"`).
        call: String,
        /// The input's value expression in the caller.
        location: Location,
        /// Whether the input is written as a literal (`true`, `"x"`, `7`), which a fix may
        /// replace.
        literal: bool,
        /// The input's value.
        value: Value,
    },
    /// `var.<variable>` of a called module, which the `module` block leaves unset, so that
    /// the variable's default applies.
    InputDefault {
        /// The variable name.
        variable: String,
        /// The name of the call.
        call: String,
        /// The `module` block in the caller.
        call_location: Location,
        /// The default value expression.
        default: Location,
        /// The default's value.
        value: Value,
    },
}

/// The result of evaluating an expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Evaluation {
    /// What the files decide about the value.
    pub value: Value,
    /// The variables and locals the value was read through, in the order first read.
    pub trace: Vec<Origin>,
    /// Whether the evaluation reached a bound (depth, work, `for` size), which made the value
    /// `Unknown`.
    pub limit_reached: bool,
}

/// One value an expression may take when a condition it depends on is not known.
#[derive(Clone, Debug, PartialEq)]
pub struct Possible {
    /// The value of the branch.
    pub value: Value,
    /// The unknown conditions that lead to it, outermost first, each as written
    /// (`var.enable_export_backup`, or `a condition` when it is not a simple name or
    /// comparison) with the side taken.
    pub conditions: Vec<(String, bool)>,
    /// The locals and variables the value was read through.
    pub trace: Vec<Origin>,
}

/// One instance of a resource or module with `count` or `for_each`.
#[derive(Clone, Debug, PartialEq)]
pub enum Instance {
    /// `count.index`.
    Count(u64),
    /// `each.key` and `each.value`.
    Each {
        /// `each.key`.
        key: String,
        /// `each.value`.
        value: Value,
    },
}

/// The instances a block declares.
#[derive(Clone, Debug, PartialEq)]
pub enum Instances {
    /// No `count` or `for_each`: one instance, evaluated without an instance context.
    Single,
    /// The instances, known from `count` or `for_each` (possibly none).
    Known(Vec<Instance>),
    /// `count` or `for_each` is not known from the files.
    Unknown,
}

#[derive(Clone, Debug)]
struct Cached {
    outcome: Outcome,
    trace: Vec<Origin>,
}

/// The running state of one evaluation.
struct State<'i> {
    steps: usize,
    depth: usize,
    limit_reached: bool,
    /// How many times a local referred back to one being evaluated.
    cycles: usize,
    /// The locals being evaluated, innermost last.
    in_progress: Vec<String>,
    /// The locals found to depend on themselves.
    in_cycle: BTreeSet<String>,
    /// The variables of enclosing `for` expressions, innermost last.
    scopes: Vec<(String, Value)>,
    instance: Option<&'i Instance>,
    trace: Vec<Origin>,
    /// Only literal values are allowed (variable defaults and tfvars): names are unknown.
    literal_only: bool,
}

impl Instance {
    /// The instance key, as in `aws_s3_bucket.logs[0]` or `aws_s3_bucket.logs["blue"]`.
    pub fn key(&self) -> Key {
        match self {
            Instance::Count(index) => Key::Index(*index),
            Instance::Each { key, .. } => Key::Name(key.clone()),
        }
    }
}

impl<'m> Evaluator<'m> {
    /// Resolves the module's variables and prepares evaluation.
    ///
    /// `tfvars` are the variable definitions files of the module's folder, in any order; files
    /// Terraform does not load automatically are ignored. In a `Reusable` module a variable
    /// without a tfvars value is unknown, and its default is kept in `VariableValue::default`;
    /// to see what the defaults alone give, evaluate with `ModuleKind::Root`.
    pub fn new(module: &'m Module, tfvars: &[Tfvars], kind: ModuleKind) -> Self {
        let mut ordered: Vec<(&Tfvars, (u8, &str))> = tfvars
            .iter()
            .filter_map(|file| load_order(&file.path).map(|order| (file, order)))
            .collect();
        ordered.sort_by(|a, b| a.1.cmp(&b.1));
        let mut assigned = BTreeMap::new();
        if !ordered.is_empty() {
            for name in module.variables.keys() {
                if let Some(assignment) = ordered
                    .iter()
                    .rev()
                    .find_map(|(file, _)| file.assignments.get(name))
                {
                    assigned.insert(name.as_str(), assignment.clone());
                }
            }
        }
        Evaluator {
            module,
            kind,
            variables: module
                .variables
                .keys()
                .map(|name| (name.as_str(), OnceCell::new()))
                .collect(),
            assigned,
            cache: RefCell::new(BTreeMap::new()),
        }
    }

    /// Resolves the variables of a module called by a `module` block, from the call's inputs
    /// as the caller evaluated them (`calls::bind`). An input sets its variable, converted to
    /// the variable's type; a variable the call leaves unset (or sets to `null` when it is not
    /// nullable) takes its default, and one without a default is unknown. Tfvars files do not
    /// apply to a called module.
    pub fn called(module: &'m Module, binding: &Binding) -> Self {
        let mut res = Evaluator {
            module,
            kind: ModuleKind::Reusable,
            variables: BTreeMap::new(),
            assigned: BTreeMap::new(),
            cache: RefCell::new(BTreeMap::new()),
        };
        let mut variables = BTreeMap::new();
        for (name, variable) in &module.variables {
            let type_constraint = variable.type_constraint.as_deref();
            let default = variable
                .default_expression
                .as_ref()
                .map(|expression| convert(res.literal(expression), type_constraint));
            let input = binding.inputs.get(name).and_then(|input| {
                let value = convert(input.value.clone(), type_constraint);
                (value != Value::Null || variable.nullable).then_some((input, value))
            });
            let resolved = match (input, &variable.default, &default) {
                (Some((input, value)), _, _) => VariableValue {
                    value: value.clone(),
                    origin: Origin::Input {
                        variable: name.clone(),
                        call: binding.call.clone(),
                        location: input.location.clone(),
                        literal: input.literal,
                        value,
                    },
                    default,
                    upstream: input.trace.clone(),
                },
                (None, Some(location), Some(value)) => VariableValue {
                    value: value.clone(),
                    origin: Origin::InputDefault {
                        variable: name.clone(),
                        call: binding.call.clone(),
                        call_location: binding.call_location.clone(),
                        default: location.clone(),
                        value: value.clone(),
                    },
                    default,
                    upstream: Vec::new(),
                },
                // Terraform refuses a call that leaves a required variable unset.
                (None, _, _) => VariableValue {
                    value: Value::Unknown,
                    origin: Origin::Unset {
                        variable: name.clone(),
                        location: variable.location.clone(),
                    },
                    default,
                    upstream: Vec::new(),
                },
            };
            variables.insert(name.as_str(), OnceCell::from(resolved));
        }
        res.variables = variables;
        res
    }

    /// The module the evaluator reads.
    pub fn module(&self) -> &'m Module {
        self.module
    }

    /// Whether the attribute value written at `at` is a literal (`true`, `"x"`, `7`, `null`):
    /// text a fix may replace with another literal.
    pub fn is_literal(&self, at: &Location) -> bool {
        self.module
            .expressions
            .get(&at.path)
            .and_then(|expressions| expressions.get(at.range))
            .is_some_and(|expression| match expression {
                Expression::Literal(_) => true,
                Expression::Template(parts) => parts
                    .iter()
                    .all(|part| matches!(part, TemplatePart::Text(_))),
                _ => false,
            })
    }

    fn resolve(
        &self,
        variable: &Variable,
        assigned: Option<&super::tfvars::Assignment>,
    ) -> VariableValue {
        let type_constraint = variable.type_constraint.as_deref();
        let default = variable
            .default_expression
            .as_ref()
            .map(|expression| convert(self.literal(expression), type_constraint));
        let variable_name = variable.name.clone();
        if let Some(assigned) = assigned {
            let value = convert(self.literal(&assigned.expression), type_constraint);
            // A non-nullable variable set to null takes its default instead.
            if value != Value::Null || variable.nullable {
                return VariableValue {
                    value,
                    origin: Origin::Tfvars {
                        variable: variable_name,
                        location: assigned.location.clone(),
                    },
                    default,
                    upstream: Vec::new(),
                };
            }
        }
        let origin = match (self.kind, &variable.default) {
            (ModuleKind::Reusable, default) => Origin::Caller {
                variable: variable_name,
                default: default.clone(),
            },
            (ModuleKind::Root, Some(location)) => Origin::Default {
                variable: variable_name,
                location: location.clone(),
            },
            (ModuleKind::Root, None) => Origin::Unset {
                variable: variable_name,
                location: variable.location.clone(),
            },
        };
        let value = match (&origin, &default) {
            (Origin::Default { .. }, Some(value)) => value.clone(),
            _ => Value::Unknown,
        };
        VariableValue {
            value,
            origin,
            default,
            upstream: Vec::new(),
        }
    }

    /// The kind of module the evaluator was made for.
    pub fn kind(&self) -> ModuleKind {
        self.kind
    }

    /// The value of a declared variable.
    pub fn variable(&self, name: &str) -> Option<&VariableValue> {
        let (name, cell) = self.variables.get_key_value(name)?;
        Some(cell.get_or_init(|| {
            // Resolving reads the default and the assignment as literals, never another
            // variable, so a cell is never asked for while it is being filled.
            self.resolve(&self.module.variables[*name], self.assigned.get(name))
        }))
    }

    /// The value of `local.<name>`.
    pub fn local(&self, name: &str) -> Evaluation {
        self.run(None, false, |this, state| this.local_value(name, state))
    }

    /// The value of the expression written at `at` (an attribute value: a `Location` from the
    /// symbol table, or `Local::value`), for one instance when given. `Unknown` when no
    /// attribute value of the module is written there.
    ///
    /// A variable's default is read by `variable`, not here: the JSON syntax does not
    /// interpolate defaults.
    pub fn evaluate(&self, at: &Location, instance: Option<&Instance>) -> Evaluation {
        self.evaluate_range(&at.path, at.range, instance)
    }

    /// The value of an attribute of the Terraform model of the module's file at `path` (the
    /// display path the file had in `Module::build`).
    pub fn attribute(
        &self,
        path: &str,
        attribute: &Attribute,
        instance: Option<&Instance>,
    ) -> Evaluation {
        self.evaluate_range(path, attribute.value.range, instance)
    }

    /// The value of any expression written in `file`, one of the module's files: an attribute
    /// value, or an expression inside one (an element of a tuple, a value of an object, the
    /// argument of `jsonencode`), given by its exact range. Expressions that are not attribute
    /// values are lowered on demand. `Unknown` when `file` is not one of the module's files or
    /// no expression is written exactly at `range`.
    pub fn expression(
        &self,
        file: &SourceFile<'_>,
        range: TextRange,
        instance: Option<&Instance>,
    ) -> Evaluation {
        let unknown = Evaluation {
            value: Value::Unknown,
            trace: Vec::new(),
            limit_reached: false,
        };
        let Some(expressions) = self.module.expressions.get(file.path) else {
            return unknown;
        };
        if expressions.contains(range) {
            return self.evaluate_range(file.path, range, instance);
        }
        let Some(expression) = lower_at(file, range) else {
            return unknown;
        };
        self.run(instance, false, |this, state| this.eval(&expression, state))
    }

    /// The values the attribute value written at `at` may take: its value when the files
    /// decide it; else, when it is a conditional (directly, or through locals) whose condition
    /// is not known, the value of each branch with the condition that leads to it, branches
    /// that are conditionals themselves followed `MAX_BRANCH_DEPTH` deep. An expression with
    /// more than `MAX_POSSIBLE` branches, or one that reaches a bound, gives one unknown value.
    ///
    /// A rule that judges each branch reports a value the module itself writes under a
    /// condition (`var.export ? "roles/cloudsql.admin" : "roles/cloudsql.viewer"`), which a
    /// plain evaluation leaves unknown.
    pub fn possible_values(&self, at: &Location, instance: Option<&Instance>) -> Vec<Possible> {
        let whole = self.evaluate(at, instance);
        let unknown = |trace: Vec<Origin>| {
            vec![Possible {
                value: Value::Unknown,
                conditions: Vec::new(),
                trace,
            }]
        };
        if whole.limit_reached {
            return unknown(whole.trace);
        }
        if whole.value != Value::Unknown {
            return vec![Possible {
                value: whole.value,
                conditions: Vec::new(),
                trace: whole.trace,
            }];
        }
        let Some(expression) = self
            .module
            .expressions
            .get(&at.path)
            .and_then(|expressions| expressions.get(at.range))
        else {
            return unknown(whole.trace);
        };
        let mut res = Vec::new();
        let mut branch = Possible {
            value: Value::Unknown,
            conditions: Vec::new(),
            trace: Vec::new(),
        };
        if !self.branches(expression, instance, &mut branch, 0, &mut res) {
            return unknown(whole.trace);
        }
        res
    }

    /// Adds the values `expression` may take to `res`, each with the conditions of `branch`;
    /// `false` when there are too many or an evaluation reached a bound.
    fn branches(
        &self,
        expression: &Expression,
        instance: Option<&Instance>,
        branch: &mut Possible,
        depth: usize,
        res: &mut Vec<Possible>,
    ) -> bool {
        if depth > MAX_BRANCH_DEPTH {
            return false;
        }
        match expression {
            Expression::Conditional(parts) => {
                let [condition, then, otherwise] = parts.as_ref();
                let decided = self.run(instance, false, |this, state| this.eval(condition, state));
                if decided.limit_reached {
                    return false;
                }
                let side = match to_bool(&decided.value) {
                    Conversion::Known(side) => Some(side),
                    Conversion::Unknown => None,
                    // Terraform rejects the expression: it has no value.
                    Conversion::Invalid => return true,
                };
                let sides: Vec<(bool, &Expression)> = match side {
                    Some(true) => vec![(true, then)],
                    Some(false) => vec![(false, otherwise)],
                    None => vec![(true, then), (false, otherwise)],
                };
                for (taken, next) in sides {
                    let mut inner = branch.clone();
                    inner.trace.extend(decided.trace.iter().cloned());
                    if side.is_none() {
                        inner
                            .conditions
                            .push((describe_condition(condition), taken));
                    }
                    if !self.branches(next, instance, &mut inner, depth + 1, res) {
                        return false;
                    }
                }
                true
            }
            Expression::Template(parts)
                if matches!(parts.as_slice(), [TemplatePart::Interpolation(_)]) =>
            {
                let [TemplatePart::Interpolation(only)] = parts.as_slice() else {
                    return false;
                };
                self.branches(only, instance, branch, depth, res)
            }
            Expression::Traversal(traversal)
                if matches!(&traversal.root, Root::Name(root) if root == "local")
                    && matches!(traversal.steps.as_slice(), [Traverse::Attribute(_)]) =>
            {
                let [Traverse::Attribute(name)] = traversal.steps.as_slice() else {
                    return false;
                };
                let Some(local) = self.module.locals.get(name) else {
                    return true;
                };
                let Some(inner_expression) = self
                    .module
                    .expressions
                    .get(&local.value.path)
                    .and_then(|expressions| expressions.get(local.value.range))
                else {
                    return true;
                };
                let mut inner = branch.clone();
                push_trace(
                    &mut inner.trace,
                    Origin::Local {
                        name: name.clone(),
                        location: local.value.clone(),
                    },
                );
                // A local sees no instance.
                self.branches(inner_expression, None, &mut inner, depth + 1, res)
            }
            _ => {
                let evaluation =
                    self.run(instance, false, |this, state| this.eval(expression, state));
                if evaluation.limit_reached || res.len() >= MAX_POSSIBLE {
                    return false;
                }
                let mut found = branch.clone();
                found.value = evaluation.value;
                for origin in evaluation.trace {
                    push_trace(&mut found.trace, origin);
                }
                res.push(found);
                true
            }
        }
    }

    /// The instances `block` (a resource, data source or module call of the file at `path`)
    /// declares with `count` or `for_each`.
    pub fn instances(&self, path: &str, block: &Block) -> Instances {
        let for_each = block
            .body
            .attribute("for_each")
            .map(|attribute| self.attribute(path, attribute, None).value);
        let count = block
            .body
            .attribute("count")
            .map(|attribute| self.attribute(path, attribute, None).value);
        instances_of(for_each, count)
    }

    /// The instances a module call of the module declares with `count` or `for_each`.
    pub fn call_instances(&self, call: &ModuleCall) -> Instances {
        let for_each = call
            .for_each
            .as_ref()
            .map(|at| self.evaluate(at, None).value);
        let count = call.count.as_ref().map(|at| self.evaluate(at, None).value);
        instances_of(for_each, count)
    }

    fn evaluate_range(
        &self,
        path: &str,
        range: TextRange,
        instance: Option<&Instance>,
    ) -> Evaluation {
        let expression = self
            .module
            .expressions
            .get(path)
            .and_then(|expressions| expressions.get(range));
        match expression {
            Some(expression) => {
                self.run(instance, false, |this, state| this.eval(expression, state))
            }
            None => Evaluation {
                value: Value::Unknown,
                trace: Vec::new(),
                limit_reached: false,
            },
        }
    }

    /// The value of a literal (a default or a tfvars value), which may name nothing.
    fn literal(&self, expression: &Expression) -> Value {
        self.run(None, true, |this, state| this.eval(expression, state))
            .value
    }

    fn run(
        &self,
        instance: Option<&Instance>,
        literal_only: bool,
        evaluate: impl FnOnce(&Self, &mut State<'_>) -> Outcome,
    ) -> Evaluation {
        let mut state = State {
            steps: 0,
            depth: 0,
            limit_reached: false,
            cycles: 0,
            in_progress: Vec::new(),
            in_cycle: BTreeSet::new(),
            scopes: Vec::new(),
            instance,
            trace: Vec::new(),
            literal_only,
        };
        let outcome = evaluate(self, &mut state);
        let value = match outcome {
            Ok(value) if !state.limit_reached => value,
            // Terraform would reject the expression, or a bound was reached: either way the
            // files do not decide the value.
            _ => Value::Unknown,
        };
        Evaluation {
            value,
            trace: state.trace,
            limit_reached: state.limit_reached,
        }
    }

    fn eval(&self, expression: &Expression, state: &mut State<'_>) -> Outcome {
        if state.limit_reached {
            return Ok(Value::Unknown);
        }
        if state.depth >= MAX_DEPTH || !charge(state, 1) {
            state.limit_reached = true;
            return Ok(Value::Unknown);
        }
        state.depth += 1;
        let res = self.eval_inner(expression, state);
        state.depth -= 1;
        res
    }

    /// Dispatches on the expression; each arm lives in its own function so that this frame,
    /// which every nesting level repeats, stays small.
    fn eval_inner(&self, expression: &Expression, state: &mut State<'_>) -> Outcome {
        match expression {
            Expression::Literal(value) => Ok(keep(value, state)),
            Expression::Template(parts) => self.template(parts, state),
            Expression::Tuple(items) => self.tuple(items, state),
            Expression::Object(entries) => self.object(entries, state),
            Expression::Traversal(traversal) => self.traversal(traversal, state),
            Expression::Call(call) => self.call(call, state),
            Expression::Conditional(parts) => self.conditional(parts, state),
            Expression::Unary(op, operand) => self.unary(*op, operand, state),
            Expression::Binary(op, operands) => self.binary(*op, operands, state),
            Expression::For(for_expr) => self.for_expr(for_expr, state),
            Expression::Unsupported => Ok(Value::Unknown),
            Expression::TooDeep => {
                state.limit_reached = true;
                Ok(Value::Unknown)
            }
        }
    }

    fn tuple(&self, items: &[Expression], state: &mut State<'_>) -> Outcome {
        let mut res = Vec::with_capacity(items.len());
        for item in items {
            res.push(self.eval(item, state)?);
        }
        Ok(Value::List(res))
    }

    fn object(&self, entries: &[(ObjectKey, Expression)], state: &mut State<'_>) -> Outcome {
        let mut res = BTreeMap::new();
        for (key, value) in entries {
            let key = match key {
                ObjectKey::Name(name) => name.clone(),
                ObjectKey::Expression(key) => match to_text(&self.eval(key, state)?) {
                    Conversion::Known(key) => key,
                    // An unknown key leaves the object's shape unknown.
                    Conversion::Unknown => return Ok(Value::Unknown),
                    Conversion::Invalid => return Err(Invalid),
                },
            };
            let value = self.eval(value, state)?;
            res.insert(key, value);
        }
        Ok(Value::Map(res))
    }

    fn conditional(&self, parts: &[Expression; 3], state: &mut State<'_>) -> Outcome {
        let [condition, then, otherwise] = parts;
        match to_bool(&self.eval(condition, state)?) {
            Conversion::Known(true) => self.eval(then, state),
            Conversion::Known(false) => self.eval(otherwise, state),
            Conversion::Unknown => Ok(Value::Unknown),
            Conversion::Invalid => Err(Invalid),
        }
    }

    fn unary(&self, op: UnaryOp, operand: &Expression, state: &mut State<'_>) -> Outcome {
        let operand = self.eval(operand, state)?;
        match op {
            UnaryOp::Not => known(to_bool(&operand), |value| Value::Bool(!value)),
            UnaryOp::Negate => known(to_number(&operand), |value| Value::Number(-value)),
        }
    }

    fn binary(&self, op: BinaryOp, operands: &[Expression; 2], state: &mut State<'_>) -> Outcome {
        let [left, right] = operands;
        let left = self.eval(left, state)?;
        let right = self.eval(right, state)?;
        binary(op, &left, &right)
    }

    fn template(&self, parts: &[TemplatePart], state: &mut State<'_>) -> Outcome {
        // A template that is one interpolation and nothing else gives the value unchanged.
        if let [TemplatePart::Interpolation(only)] = parts {
            return self.eval(only, state);
        }
        let mut res = TemplateBuilder::new();
        for part in parts {
            match part {
                TemplatePart::Text(text) => res.push_text(text),
                TemplatePart::Interpolation(expression) => {
                    let value = self.eval(expression, state)?;
                    res.push_value(value)?;
                }
                TemplatePart::Directive => res.push_value(Value::Unknown)?,
            }
        }
        let value = res.finish();
        if !charge(state, cost(&value)) {
            return Ok(Value::Unknown);
        }
        Ok(value)
    }

    fn traversal(&self, traversal: &Traversal, state: &mut State<'_>) -> Outcome {
        let name = match &traversal.root {
            Root::Expression(expression) => {
                let value = self.eval(expression, state)?;
                return self.apply(value, &traversal.steps, state);
            }
            Root::Name(name) => name.as_str(),
        };
        let scoped = state
            .scopes
            .iter()
            .rev()
            .find(|(scoped, _)| scoped == name)
            .map(|(_, value)| value.clone());
        if let Some(value) = scoped {
            if !charge(state, cost(&value)) {
                return Ok(Value::Unknown);
            }
            return self.apply(value, &traversal.steps, state);
        }
        if state.literal_only {
            return Ok(Value::Unknown);
        }
        self.named(name, &traversal.steps, state)
    }

    /// A traversal that starts with a name that is not a `for` variable: `var.x`, `local.x`,
    /// `count.index`, `each.value`, or a reference to another object.
    fn named(&self, name: &str, steps: &[Traverse], state: &mut State<'_>) -> Outcome {
        let (first, rest) = match steps.split_first() {
            Some((Traverse::Attribute(first), rest)) => (Some(first.as_str()), rest),
            _ => (None, steps),
        };
        let Some(first) = first else {
            return Ok(Value::Unknown);
        };
        match name {
            "var" => self.variable_steps(first, rest, state),
            "local" => {
                let value = self.local_value(first, state)?;
                self.apply(value, rest, state)
            }
            "count" if first == "index" => match state.instance {
                Some(Instance::Count(index)) => {
                    self.apply(Value::Number(*index as f64), rest, state)
                }
                _ => Ok(Value::Unknown),
            },
            "each" => match (state.instance, first) {
                (Some(Instance::Each { key, .. }), "key") => {
                    self.apply(Value::String(key.clone()), rest, state)
                }
                (Some(Instance::Each { value, .. }), "value") => {
                    let value = keep(value, state);
                    self.apply(value, rest, state)
                }
                _ => Ok(Value::Unknown),
            },
            // `path.module`, `terraform.workspace`, `self`: known only where Terraform runs.
            "path" | "terraform" | "self" | "count" => Ok(Value::Unknown),
            _ => self.reference(name, first, rest, state),
        }
    }

    /// A reference to another object: `module.<first>`, `data.<first>.<name>` or
    /// `<resource type>.<first>`, followed by `steps`.
    ///
    /// Only objects the module declares are referenced: any other name (the iterator of a
    /// `dynamic` block, a typo) gives `Unknown`, so a reference always names a real object.
    fn reference(
        &self,
        root: &str,
        first: &str,
        steps: &[Traverse],
        state: &mut State<'_>,
    ) -> Outcome {
        let (object, steps) = match (root, steps.split_first()) {
            ("data", Some((Traverse::Attribute(name), rest))) => {
                (format!("data.{first}.{name}"), rest)
            }
            ("data", _) => return Ok(Value::Unknown),
            _ => (format!("{root}.{first}"), steps),
        };
        let declared = match root {
            "data" => self.module.data_sources.contains_key(&object),
            "module" => self.module.module_calls.contains_key(first),
            _ => self.module.resources.contains_key(&object),
        };
        if !declared {
            return Ok(Value::Unknown);
        }
        let reference = Reference {
            object,
            instance: None,
            path: Vec::new(),
        };
        self.apply(Value::Reference(Box::new(reference)), steps, state)
    }

    /// Applies attribute, index and splat steps to a value.
    fn apply(&self, value: Value, steps: &[Traverse], state: &mut State<'_>) -> Outcome {
        let mut value = value;
        for step in steps {
            value = match step {
                Traverse::Attribute(name) => match value {
                    Value::Map(mut entries) => entries.remove(name).ok_or(Invalid)?,
                    Value::Reference(mut reference) => {
                        reference.path.push(Step::Attribute(name.clone()));
                        Value::Reference(reference)
                    }
                    Value::Unknown => return Ok(Value::Unknown),
                    _ => return Err(Invalid),
                },
                Traverse::Index(key) => {
                    let key = self.eval(key, state)?;
                    match index(value, key)? {
                        Some(value) => value,
                        None => return Ok(Value::Unknown),
                    }
                }
                Traverse::Splat(inner) => match value {
                    Value::List(items) => {
                        let mut res = Vec::with_capacity(items.len());
                        for item in items {
                            res.push(self.apply(item, inner, state)?);
                        }
                        Value::List(res)
                    }
                    Value::Null => Value::List(Vec::new()),
                    // A splat over references would be a wildcard, which a reference never is.
                    Value::Unknown | Value::Reference(_) => return Ok(Value::Unknown),
                    other => Value::List(vec![self.apply(other, inner, state)?]),
                },
            };
        }
        Ok(value)
    }

    /// `var.name` followed by `steps`: the steps that pick a part of a known list or map are
    /// taken in place, so that only the part read is copied (`var.rules[each.key]` of a map
    /// of hundreds of entries copies one entry).
    fn variable_steps(&self, name: &str, steps: &[Traverse], state: &mut State<'_>) -> Outcome {
        let Some(variable) = self.variable(name) else {
            return Ok(Value::Unknown);
        };
        push_origin(state, variable.origin.clone());
        for step in &variable.upstream {
            push_origin(state, step.clone());
        }
        let mut value = &variable.value;
        let mut taken = 0;
        for step in steps {
            let part = match (step, value) {
                (Traverse::Attribute(name), Value::Map(entries)) => {
                    Some(entries.get(name).ok_or(Invalid)?)
                }
                (Traverse::Index(key), Value::List(_) | Value::Map(_)) => {
                    let key = self.eval(key, state)?;
                    let Some(part) = index_in_place(value, &key)? else {
                        return Ok(Value::Unknown);
                    };
                    Some(part)
                }
                _ => None,
            };
            let Some(part) = part else {
                break;
            };
            value = part;
            taken += 1;
        }
        let value = keep(value, state);
        self.apply(value, steps.get(taken..).unwrap_or(&[]), state)
    }

    fn local_value(&self, name: &str, state: &mut State<'_>) -> Outcome {
        let Some(local) = self.module.locals.get(name) else {
            return Ok(Value::Unknown);
        };
        let origin = Origin::Local {
            name: name.to_owned(),
            location: local.value.clone(),
        };
        if let Some(at) = state.in_progress.iter().position(|open| open == name) {
            state.cycles += 1;
            // Every local from the first use of `name` on is part of the cycle.
            let members = state.in_progress.get(at..).unwrap_or(&[]).to_vec();
            state.in_cycle.extend(members);
            return Ok(Value::Unknown);
        }
        let cached = self.cache.borrow().get(name).cloned();
        if let Some(cached) = cached {
            push_origin(state, origin);
            for step in cached.trace {
                push_origin(state, step);
            }
            return match cached.outcome {
                Ok(value) => Ok(keep(&value, state)),
                Err(invalid) => Err(invalid),
            };
        }
        let expression = self
            .module
            .expressions
            .get(&local.value.path)
            .and_then(|expressions| expressions.get(local.value.range));
        let Some(expression) = expression else {
            return Ok(Value::Unknown);
        };
        // A local sees neither the instance nor the `for` variables around its use.
        let outer_trace = std::mem::take(&mut state.trace);
        let outer_scopes = std::mem::take(&mut state.scopes);
        let outer_instance = state.instance.take();
        let cycles_before = state.cycles;
        state.in_progress.push(name.to_owned());
        let mut outcome = self.eval(expression, state);
        state.in_progress.pop();
        // A local that depends on itself has no value, not even a partial one.
        if state.in_cycle.contains(name) {
            outcome = Ok(Value::Unknown);
        }
        let trace = std::mem::replace(&mut state.trace, outer_trace);
        state.scopes = outer_scopes;
        state.instance = outer_instance;
        // Only a result that depends on nothing but the local itself may be reused.
        if !state.limit_reached && state.cycles == cycles_before {
            self.cache.borrow_mut().insert(
                name.to_owned(),
                Cached {
                    outcome: outcome.clone(),
                    trace: trace.clone(),
                },
            );
        }
        push_origin(state, origin);
        for step in trace {
            push_origin(state, step);
        }
        outcome
    }

    fn call(&self, call: &Call, state: &mut State<'_>) -> Outcome {
        match call.name.as_str() {
            "try" => {
                for arg in &call.args {
                    if let Ok(value) = self.eval(arg, state) {
                        // A value not known yet might still fail later; so might the try.
                        return Ok(if value.is_known() {
                            value
                        } else {
                            Value::Unknown
                        });
                    }
                }
                return Err(Invalid);
            }
            "can" => {
                let [arg] = call.args.as_slice() else {
                    return Err(Invalid);
                };
                return Ok(match self.eval(arg, state) {
                    Ok(value) if value.is_known() => Value::Bool(true),
                    Ok(_) => Value::Unknown,
                    Err(Invalid) => Value::Bool(false),
                });
            }
            name if !functions::is_known(name) => return Ok(Value::Unknown),
            _ => {}
        }
        let mut args = Vec::with_capacity(call.args.len());
        for arg in &call.args {
            args.push(self.eval(arg, state)?);
        }
        if call.expand_last {
            match args.pop() {
                Some(Value::List(items)) => args.extend(items),
                Some(other) if is_opaque(&other) => return Ok(Value::Unknown),
                _ => return Err(Invalid),
            }
        }
        let mut budget = functions::Budget {
            remaining: MAX_STEPS.saturating_sub(state.steps),
            exceeded: false,
        };
        let value = functions::call(&call.name, args, &mut budget)?;
        if budget.exceeded {
            state.limit_reached = true;
            return Ok(Value::Unknown);
        }
        if !charge(state, cost(&value)) {
            return Ok(Value::Unknown);
        }
        Ok(value)
    }

    fn for_expr(&self, for_expr: &ForExpr, state: &mut State<'_>) -> Outcome {
        let items: Vec<(Value, Value)> = match self.eval(&for_expr.collection, state)? {
            Value::List(items) => items
                .into_iter()
                .enumerate()
                .map(|(index, item)| (Value::Number(index as f64), item))
                .collect(),
            Value::Map(entries) => entries
                .into_iter()
                .map(|(key, item)| (Value::String(key), item))
                .collect(),
            other if is_opaque(&other) => return Ok(Value::Unknown),
            _ => return Err(Invalid),
        };
        if items.len() > MAX_FOR_ITEMS {
            state.limit_reached = true;
            return Ok(Value::Unknown);
        }
        let base = state.scopes.len();
        let res = self.for_items(for_expr, items, base, state);
        state.scopes.truncate(base);
        res
    }

    fn for_items(
        &self,
        for_expr: &ForExpr,
        items: Vec<(Value, Value)>,
        base: usize,
        state: &mut State<'_>,
    ) -> Outcome {
        let mut list = Vec::new();
        let mut map = BTreeMap::new();
        let mut groups: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (key, item) in items {
            if !charge(state, 1) {
                return Ok(Value::Unknown);
            }
            state.scopes.truncate(base);
            if let Some(key_name) = &for_expr.key_name {
                state.scopes.push((key_name.clone(), key));
            }
            state.scopes.push((for_expr.value_name.clone(), item));
            if let Some(condition) = &for_expr.condition {
                match to_bool(&self.eval(condition, state)?) {
                    Conversion::Known(true) => {}
                    Conversion::Known(false) => continue,
                    Conversion::Unknown => return Ok(Value::Unknown),
                    Conversion::Invalid => return Err(Invalid),
                }
            }
            let Some(key_expression) = &for_expr.key else {
                list.push(self.eval(&for_expr.value, state)?);
                continue;
            };
            let key = match to_text(&self.eval(key_expression, state)?) {
                Conversion::Known(key) => key,
                Conversion::Unknown => return Ok(Value::Unknown),
                Conversion::Invalid => return Err(Invalid),
            };
            let value = self.eval(&for_expr.value, state)?;
            if for_expr.grouping {
                groups.entry(key).or_default().push(value);
            } else if map.insert(key, value).is_some() {
                // Terraform rejects two items with the same key unless they are grouped.
                return Err(Invalid);
            }
        }
        Ok(match (&for_expr.key, for_expr.grouping) {
            (None, _) => Value::List(list),
            (Some(_), true) => Value::Map(
                groups
                    .into_iter()
                    .map(|(key, values)| (key, Value::List(values)))
                    .collect(),
            ),
            (Some(_), false) => Value::Map(map),
        })
    }
}

/// The expression written exactly at `range` in `file`, lowered as an attribute value is.
fn lower_at(file: &SourceFile<'_>, range: TextRange) -> Option<Expression> {
    match file.terraform().syntax {
        Syntax::Hcl => {
            let start = file
                .tree
                .root_node()
                .descendant_for_byte_range(range.start().to_usize(), range.end().to_usize())?;
            // The outermost `expression` with exactly this range: it wraps the term that spans
            // the same bytes, and lowering reads the wrapper best. Other nodes of the same
            // range (the arguments of a call) are not expressions.
            let mut found = None;
            let mut node = Some(start);
            while let Some(current) = node.filter(|current| crate::tree::range(*current) == range) {
                if current.kind() == "expression" {
                    found = Some(current);
                }
                node = current.parent();
            }
            let node = found.or((crate::tree::range(start) == range).then_some(start))?;
            Some(lower::from_hcl(node, &file.text))
        }
        Syntax::Json => {
            let node = file
                .documents
                .first()
                .and_then(|root| json_node_at(root, range, 0))?;
            Some(lower::from_json(node, true))
        }
    }
}

/// The JSON value at exactly `range`, searched down the containing values.
fn json_node_at(node: &Node, range: TextRange, depth: usize) -> Option<&Node> {
    if node.range == range {
        return Some(node);
    }
    if depth >= crate::value::MAX_DEPTH || !node.range.contains_range(range) {
        return None;
    }
    node.entries()
        .iter()
        .map(|entry| &entry.value)
        .chain(node.items())
        .find_map(|child| json_node_at(child, range, depth + 1))
}

/// The instances that a `for_each` or `count` value (`for_each` wins) declares.
fn instances_of(for_each: Option<Value>, count: Option<Value>) -> Instances {
    if let Some(value) = for_each {
        return match value {
            Value::Map(entries) if entries.len() <= MAX_INSTANCES => Instances::Known(
                entries
                    .into_iter()
                    .map(|(key, value)| Instance::Each { key, value })
                    .collect(),
            ),
            // A set of strings: each key is its own value.
            Value::List(items) if items.len() <= MAX_INSTANCES => {
                let keys: Option<BTreeSet<String>> = items
                    .into_iter()
                    .map(|item| match item {
                        Value::String(key) => Some(key),
                        _ => None,
                    })
                    .collect();
                keys.map_or(Instances::Unknown, |keys| {
                    Instances::Known(
                        keys.into_iter()
                            .map(|key| Instance::Each {
                                value: Value::String(key.clone()),
                                key,
                            })
                            .collect(),
                    )
                })
            }
            _ => Instances::Unknown,
        };
    }
    if let Some(value) = count {
        return match value.as_number().and_then(as_index) {
            Some(count) if count <= MAX_INSTANCES as u64 => {
                Instances::Known((0..count).map(Instance::Count).collect())
            }
            _ => Instances::Unknown,
        };
    }
    Instances::Single
}

/// Spends `amount` units of the work budget; `false` (and the limit noted) when it runs out.
fn charge(state: &mut State<'_>, amount: usize) -> bool {
    state.steps = state.steps.saturating_add(amount);
    if state.steps > MAX_STEPS {
        state.limit_reached = true;
        return false;
    }
    true
}

/// A copy of `value`, paid for in the work budget; `Unknown` when the budget runs out.
fn keep(value: &Value, state: &mut State<'_>) -> Value {
    if charge(state, cost(value)) {
        value.clone()
    } else {
        Value::Unknown
    }
}

/// Adds `origin` to a trace unless it is there already.
fn push_trace(trace: &mut Vec<Origin>, origin: Origin) {
    if !trace.contains(&origin) {
        trace.push(origin);
    }
}

/// A condition as a message names it: a variable or local (`var.export`), its negation, or
/// its comparison with a literal (`var.env == "prod"`); `a condition` for anything else.
fn describe_condition(condition: &Expression) -> String {
    fn name(expression: &Expression) -> Option<String> {
        let Expression::Traversal(traversal) = expression else {
            return None;
        };
        let Root::Name(root) = &traversal.root else {
            return None;
        };
        let mut res = root.clone();
        for step in &traversal.steps {
            let Traverse::Attribute(attribute) = step else {
                return None;
            };
            res.push('.');
            res.push_str(attribute);
        }
        Some(res)
    }
    fn literal(expression: &Expression) -> Option<String> {
        match expression {
            Expression::Literal(value @ (Value::String(_) | Value::Number(_) | Value::Bool(_))) => {
                Some(value.to_string())
            }
            Expression::Template(parts) => match parts.as_slice() {
                [TemplatePart::Text(text)] => Some(Value::String(text.clone()).to_string()),
                _ => None,
            },
            _ => None,
        }
    }
    let described = match condition {
        Expression::Unary(UnaryOp::Not, operand) => name(operand).map(|name| format!("!{name}")),
        Expression::Binary(op @ (BinaryOp::Equal | BinaryOp::NotEqual), operands) => {
            let [left, right] = operands.as_ref();
            let symbol = if *op == BinaryOp::Equal { "==" } else { "!=" };
            match (name(left), literal(right)) {
                (Some(left), Some(right)) => Some(format!("{left} {symbol} {right}")),
                _ => None,
            }
        }
        other => name(other),
    };
    described.unwrap_or_else(|| "a condition".to_owned())
}

fn push_origin(state: &mut State<'_>, origin: Origin) {
    if !state.trace.contains(&origin) {
        state.trace.push(origin);
    }
}

fn known<T>(conversion: Conversion<T>, wrap: impl FnOnce(T) -> Value) -> Outcome {
    match conversion {
        Conversion::Known(value) => Ok(wrap(value)),
        Conversion::Unknown => Ok(Value::Unknown),
        Conversion::Invalid => Err(Invalid),
    }
}

/// `value[key]`; `Ok(None)` when the key or the collection is not known.
/// `value[key]` for a known list or map, without copying it: `Ok(None)` when the key is
/// unknown, as `index` says.
fn index_in_place<'v>(value: &'v Value, key: &Value) -> Result<Option<&'v Value>, Invalid> {
    match value {
        Value::List(items) => match to_number(key) {
            Conversion::Known(number) => {
                let at = as_index(number)
                    .and_then(|at| usize::try_from(at).ok())
                    .ok_or(Invalid)?;
                items.get(at).map(Some).ok_or(Invalid)
            }
            Conversion::Unknown => Ok(None),
            Conversion::Invalid => Err(Invalid),
        },
        Value::Map(entries) => match to_text(key) {
            Conversion::Known(key) => entries.get(&key).map(Some).ok_or(Invalid),
            Conversion::Unknown => Ok(None),
            Conversion::Invalid => Err(Invalid),
        },
        _ => Ok(None),
    }
}

fn index(value: Value, key: Value) -> Result<Option<Value>, Invalid> {
    match value {
        Value::List(items) => match to_number(&key) {
            Conversion::Known(number) => {
                let at = as_index(number)
                    .and_then(|at| usize::try_from(at).ok())
                    .ok_or(Invalid)?;
                items.into_iter().nth(at).map(Some).ok_or(Invalid)
            }
            Conversion::Unknown => Ok(None),
            Conversion::Invalid => Err(Invalid),
        },
        Value::Map(mut entries) => match to_text(&key) {
            Conversion::Known(key) => entries.remove(&key).map(Some).ok_or(Invalid),
            Conversion::Unknown => Ok(None),
            Conversion::Invalid => Err(Invalid),
        },
        Value::Reference(mut reference) => {
            let key = match key {
                Value::Number(number) => Key::Index(as_index(number).ok_or(Invalid)?),
                Value::String(name) => Key::Name(name),
                // An unknown key would make the reference a wildcard.
                Value::Unknown | Value::Reference(_) | Value::Template(_) => return Ok(None),
                _ => return Err(Invalid),
            };
            if reference.instance.is_none() && reference.path.is_empty() {
                reference.instance = Some(key);
            } else {
                reference.path.push(Step::Key(key));
            }
            Ok(Some(Value::Reference(reference)))
        }
        Value::Unknown => Ok(None),
        _ => Err(Invalid),
    }
}

fn binary(op: BinaryOp, left: &Value, right: &Value) -> Outcome {
    match op {
        BinaryOp::And | BinaryOp::Or => {
            // `false && x` and `true || x` are decided by one side, even when the other is
            // not known.
            let decisive = op == BinaryOp::Or;
            let sides = [to_bool(left), to_bool(right)];
            if sides.iter().any(|side| matches!(side, Conversion::Invalid)) {
                return Err(Invalid);
            }
            if sides
                .iter()
                .any(|side| matches!(side, Conversion::Known(value) if *value == decisive))
            {
                return Ok(Value::Bool(decisive));
            }
            if sides
                .iter()
                .all(|side| matches!(side, Conversion::Known(_)))
            {
                return Ok(Value::Bool(!decisive));
            }
            Ok(Value::Unknown)
        }
        BinaryOp::Equal | BinaryOp::NotEqual => {
            if !left.is_known() || !right.is_known() {
                return Ok(Value::Unknown);
            }
            Ok(Value::Bool(same(left, right) == (op == BinaryOp::Equal)))
        }
        _ => {
            let (left, right) = match (to_number(left), to_number(right)) {
                (Conversion::Known(left), Conversion::Known(right)) => (left, right),
                (Conversion::Invalid, _) | (_, Conversion::Invalid) => return Err(Invalid),
                _ => return Ok(Value::Unknown),
            };
            let number = match op {
                BinaryOp::Less => return Ok(Value::Bool(left < right)),
                BinaryOp::LessOrEqual => return Ok(Value::Bool(left <= right)),
                BinaryOp::Greater => return Ok(Value::Bool(left > right)),
                BinaryOp::GreaterOrEqual => return Ok(Value::Bool(left >= right)),
                BinaryOp::Add => left + right,
                BinaryOp::Subtract => left - right,
                BinaryOp::Multiply => left * right,
                BinaryOp::Divide if right == 0.0 => return Err(Invalid),
                BinaryOp::Divide => left / right,
                BinaryOp::Remainder if right == 0.0 => return Err(Invalid),
                BinaryOp::Remainder => left % right,
                BinaryOp::And | BinaryOp::Or | BinaryOp::Equal | BinaryOp::NotEqual => {
                    return Err(Invalid);
                }
            };
            if number.is_finite() {
                Ok(Value::Number(number))
            } else {
                Err(Invalid)
            }
        }
    }
}

/// Converts a variable's value to a primitive `type` constraint, as Terraform does when it
/// reads the value; other constraints leave the value as it is.
fn convert(value: Value, type_constraint: Option<&str>) -> Value {
    let Some(type_constraint) = type_constraint else {
        return value;
    };
    if value == Value::Null {
        return value;
    }
    let type_constraint: String = type_constraint.split_whitespace().collect();
    match type_constraint.as_str() {
        "bool" => match to_bool(&value) {
            Conversion::Known(value) => Value::Bool(value),
            Conversion::Unknown => value,
            Conversion::Invalid => Value::Unknown,
        },
        "number" => match to_number(&value) {
            Conversion::Known(number) => Value::Number(number),
            Conversion::Unknown => value,
            Conversion::Invalid => Value::Unknown,
        },
        "string" => match value {
            Value::String(_) | Value::Template(_) | Value::Unknown | Value::Reference(_) => value,
            Value::Number(_) | Value::Bool(_) => match to_text(&value) {
                Conversion::Known(text) => Value::String(text),
                _ => Value::Unknown,
            },
            _ => Value::Unknown,
        },
        _ => value,
    }
}

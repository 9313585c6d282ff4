//! What a Terraform attribute evaluates to and where its value came from, for a front-end that
//! shows one value (the language server's hover).
//!
//! The value comes from the same module an analysis of the file reads (`folder_module`), so a
//! hover and a finding never disagree about a value.

use std::cell::OnceCell;
use std::fmt;

use redline_rules::terraform::provenance::{self, SkippedDefault};
use redline_syntax::terraform::{self, Block, Syntax};
use redline_syntax::terraform_eval::evaluate::Origin;
use redline_syntax::terraform_eval::tfvars::is_auto_loaded;
use redline_syntax::terraform_eval::unevaluated::Unevaluated;
use redline_syntax::terraform_eval::{Location, Part, Value};
use redline_syntax::{Format, parse_source};
use redline_text::{TextRange, TextSize};

use crate::{SourceInput, folder_module};

/// The value of one Terraform attribute, as the files of its module decide it.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// The attribute's name: `force_destroy`.
    pub name: String,
    /// The attribute, from its name to the end of its value.
    pub range: TextRange,
    /// What the files decide about the value.
    pub value: Value,
    /// The variables and locals the value was read through, in the order read, worded as
    /// findings word them: `` `var.force_destroy` (default in variables.tf:12) ``.
    pub through: Vec<String>,
    /// Why the value is not fully known; `None` when it is.
    pub unknown: Option<Unknown>,
    /// The value was read through a `sensitive` variable: like Terraform, front-ends show no
    /// value then.
    pub sensitive: bool,
}

/// Why a value is not known from the files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Unknown {
    /// It refers to attributes of other objects, which Terraform knows only after apply.
    AfterApply,
    /// A variable has neither a default nor a tfvars value: `-var`, a `-var-file` or
    /// `TF_VAR_<name>` sets it.
    SetOutside {
        /// The variable.
        variable: String,
    },
    /// A variable of a reusable module, which each caller sets.
    ModuleInput {
        /// The variable.
        variable: String,
    },
    /// A function that redline does not evaluate (`timestamp`, `file`, `cidrsubnet`, …).
    Function {
        /// The function's name.
        name: String,
    },
    /// A value known only where Terraform runs: `path.module`, `terraform.workspace`, `self`.
    Runtime {
        /// What is read.
        name: String,
    },
    /// A value of one instance: `count.index`, `each.key`, `each.value`.
    PerInstance {
        /// What is read.
        name: String,
    },
    /// A `%{if}` or `%{for}` template directive.
    Directive,
    /// The expression is larger or deeper than the evaluator's bounds.
    TooLarge,
    /// Anything else: a condition that is not known, syntax redline does not read.
    Undecided,
}

/// The value of the Terraform attribute at `offset` of `input`, read with the module that
/// `folder` (the other files of its folder, as for `analyze_in_folder`) forms with it.
///
/// `None` when `offset` is on no attribute, the value is written as a literal (there is
/// nothing to resolve), the attribute belongs to a `variable` block, or `input` is not a
/// Terraform configuration file.
pub fn resolve_attribute(
    input: &SourceInput<'_>,
    folder: &[SourceInput<'_>],
    offset: TextSize,
) -> Option<Resolved> {
    if is_auto_loaded(input.path) {
        return None;
    }
    let file = parse_source(input.path, input.text, input.hints)?;
    if file.format != Format::Terraform {
        return None;
    }
    let model = file.terraform();
    let attribute = attribute_at(&model.blocks, offset)?;
    if is_literal(&attribute.value.value, model.syntax) {
        return None;
    }
    let cell = OnceCell::new();
    let module_eval = folder_module(&cell, input, &file, folder, None);
    let evaluator = module_eval.evaluator();
    let module = cell.get()?;
    let evaluation = evaluator.attribute(input.path, attribute, None);

    let mut through = Vec::new();
    let mut sensitive = false;
    let mut opened = None;
    for origin in &evaluation.trace {
        let variable = match origin {
            Origin::Default { variable, .. }
            | Origin::Tfvars { variable, .. }
            | Origin::Caller { variable, .. }
            | Origin::Unset { variable, .. }
            | Origin::Input { variable, .. }
            | Origin::InputDefault { variable, .. } => Some(variable.as_str()),
            Origin::Local { .. } => None,
        };
        let declared = variable.and_then(|variable| module.variables.get(variable));
        sensitive |= declared.is_some_and(|declared| declared.sensitive);
        let default_value = variable
            .and_then(|variable| evaluator.variable(variable))
            .and_then(|value| value.default.as_ref());
        let skipped = match (origin, default_value, declared) {
            (Origin::Tfvars { .. } | Origin::Caller { .. }, Some(value), Some(declared)) => {
                declared
                    .default
                    .as_ref()
                    .map(|location| SkippedDefault { value, location })
            }
            _ => None,
        };
        through.push(provenance::origin(origin, skipped));
        if opened.is_none() {
            opened = match origin {
                Origin::Unset { variable, .. } => Some(Unknown::SetOutside {
                    variable: variable.clone(),
                }),
                Origin::Caller { variable, .. } => Some(Unknown::ModuleInput {
                    variable: variable.clone(),
                }),
                _ => None,
            };
        }
    }

    let unknown = if evaluation.limit_reached {
        Some(Unknown::TooLarge)
    } else if evaluation.value.is_known() {
        None
    } else if !has_unknown(&evaluation.value) {
        Some(Unknown::AfterApply)
    } else if opened.is_some() {
        opened
    } else {
        // What the attribute and the locals it reads leave unknown on purpose.
        let line = file.line_index.line_of(attribute.value.range.start()) + 1;
        let written = Location {
            path: input.path.to_owned(),
            range: attribute.value.range,
            line: u32::try_from(line).unwrap_or(u32::MAX),
        };
        let locals = evaluation.trace.iter().filter_map(|origin| match origin {
            Origin::Local { location, .. } => Some(location),
            _ => None,
        });
        let unevaluated = std::iter::once(&written)
            .chain(locals)
            .flat_map(|location| module.unevaluated(location))
            .find(|found| *found != Unevaluated::Unsupported);
        Some(match unevaluated {
            Some(Unevaluated::Function(name)) => Unknown::Function { name },
            Some(Unevaluated::Runtime(name)) => Unknown::Runtime { name },
            Some(Unevaluated::PerInstance(name)) => Unknown::PerInstance { name },
            Some(Unevaluated::Directive) => Unknown::Directive,
            Some(Unevaluated::Unsupported) | None => Unknown::Undecided,
        })
    };

    Some(Resolved {
        name: attribute.name.clone(),
        range: attribute.range,
        value: evaluation.value,
        through,
        unknown,
        sensitive,
    })
}

impl Resolved {
    /// Whether the value is worth showing unasked (without a finding on the attribute): it is
    /// read through a variable or a local, or refers to another object. A value computed from
    /// literals alone (`jsonencode({…})`, `"${path.module}/x"`) is left out.
    pub fn worth_showing(&self) -> bool {
        !self.through.is_empty() || refers(&self.value)
    }
}

impl fmt::Display for Unknown {
    /// A few words: `` `var.name` is set outside the files ``.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unknown::AfterApply => f.write_str("known after apply"),
            Unknown::SetOutside { variable } => {
                write!(f, "`var.{variable}` is set outside the files")
            }
            Unknown::ModuleInput { variable } => {
                write!(f, "`var.{variable}` is an input of a reusable module")
            }
            Unknown::Function { name } => write!(f, "`{name}()` is not evaluated"),
            Unknown::Runtime { name } => write!(f, "`{name}` is known only when Terraform runs"),
            Unknown::PerInstance { name } => write!(f, "`{name}` differs per instance"),
            Unknown::Directive => f.write_str("template directives are not evaluated"),
            Unknown::TooLarge => f.write_str("too large to evaluate"),
            Unknown::Undecided => f.write_str("the files do not decide it"),
        }
    }
}

/// The innermost attribute of `blocks` whose range holds `offset`, outside `variable` blocks
/// (whose defaults the evaluator reads as variables, not as attributes).
fn attribute_at(blocks: &[Block], offset: TextSize) -> Option<&terraform::Attribute> {
    let holds = |range: TextRange| range.start() <= offset && offset <= range.end();
    let block = blocks.iter().find(|block| holds(block.range))?;
    if block.kind == "variable" {
        return None;
    }
    let mut body = &block.body;
    // A loop rather than recursion: a hostile file may nest blocks very deep.
    loop {
        if let Some(attribute) = body
            .attributes
            .iter()
            .find(|attribute| holds(attribute.range))
        {
            return Some(attribute);
        }
        body = &body.blocks.iter().find(|nested| holds(nested.range))?.body;
    }
}

/// Whether the value is written out, so that there is nothing to resolve. In the JSON syntax
/// a string holding `${` is a template.
fn is_literal(value: &terraform::Value, syntax: Syntax) -> bool {
    match value {
        terraform::Value::Unknown => false,
        terraform::Value::String(text) => syntax != Syntax::Json || !text.contains("${"),
        terraform::Value::List(items) => items.iter().all(|item| is_literal(&item.value, syntax)),
        terraform::Value::Bool(_) | terraform::Value::Number(_) | terraform::Value::Null => true,
    }
}

/// Whether `Value::Unknown` appears anywhere in the value.
fn has_unknown(value: &Value) -> bool {
    match value {
        Value::Unknown => true,
        Value::List(items) => items.iter().any(has_unknown),
        Value::Map(entries) => entries.values().any(has_unknown),
        Value::Template(parts) => parts
            .iter()
            .any(|part| matches!(part, Part::Value(value) if has_unknown(value))),
        Value::Null
        | Value::Bool(_)
        | Value::Number(_)
        | Value::String(_)
        | Value::Reference(_) => false,
    }
}

/// Whether a reference to another object appears anywhere in the value.
fn refers(value: &Value) -> bool {
    match value {
        Value::Reference(_) => true,
        Value::List(items) => items.iter().any(refers),
        Value::Map(entries) => entries.values().any(refers),
        Value::Template(parts) => parts
            .iter()
            .any(|part| matches!(part, Part::Value(value) if refers(value))),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) | Value::Unknown => {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_syntax::SourceHints;

    use super::*;

    const MAIN: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  force_destroy = var.force_destroy\n  \
                        bucket        = \"logs\"\n  policy        = timestamp()\n  \
                        versioning {\n    enabled = local.versioned\n  }\n}\n\
                        output \"arn\" {\n  value = \"${aws_s3_bucket.logs.arn}/*\"\n}\n";

    fn input<'a>(path: &'a str, text: &'a str) -> SourceInput<'a> {
        SourceInput {
            path,
            text,
            hints: SourceHints::default(),
            config_relative_path: None,
        }
    }

    /// Resolves the attribute where `needle` starts in `main.tf`, with the other `files`.
    fn resolve(main: &str, files: &[(&str, &str)], needle: &str) -> Option<Resolved> {
        let offset = main.find(needle).expect("the needle is in the text");
        let folder: Vec<SourceInput<'_>> =
            files.iter().map(|(path, text)| input(path, text)).collect();
        resolve_attribute(
            &input("stack/main.tf", main),
            &folder,
            TextSize::from_usize(offset),
        )
    }

    #[test]
    fn a_tfvars_value_names_the_default_it_overrides() {
        let files = [
            (
                "stack/variables.tf",
                "variable \"force_destroy\" {\n  default = false\n}\n\
                 locals {\n  versioned = var.force_destroy\n}\n",
            ),
            ("stack/terraform.tfvars", "force_destroy = true\n"),
        ];
        let resolved = resolve(MAIN, &files, "var.force_destroy").expect("resolved");
        assert_eq!(resolved.name, "force_destroy");
        assert_eq!(
            &MAIN[resolved.range.to_std()],
            "force_destroy = var.force_destroy"
        );
        assert_eq!(resolved.value, Value::Bool(true));
        assert_eq!(
            resolved.through,
            ["`var.force_destroy` (set in terraform.tfvars:1; default `false` in variables.tf:2)"]
        );
        assert_eq!(resolved.unknown, None);
        assert!(resolved.worth_showing() && !resolved.sensitive);

        let nested = resolve(MAIN, &files, "enabled").expect("a nested block's attribute");
        assert_eq!(nested.value, Value::Bool(true));
        assert_eq!(
            nested.through,
            [
                "`local.versioned` (variables.tf:5)",
                "`var.force_destroy` (set in terraform.tfvars:1; default `false` in variables.tf:2)"
            ]
        );
    }

    #[test]
    fn literals_variables_and_places_outside_attributes_resolve_nothing() {
        let variables = ("stack/variables.tf", "variable \"force_destroy\" {}\n");
        for needle in ["bucket ", "\"logs\"\n", "resource", "versioning"] {
            assert!(resolve(MAIN, &[variables], needle).is_none(), "{needle}");
        }
        let text = "variable \"x\" {\n  default = var.y\n}\n";
        assert!(resolve(text, &[], "var.y").is_none());
    }

    #[test]
    fn references_are_known_after_apply() {
        let resolved = resolve(MAIN, &[], "value").expect("resolved");
        assert_eq!(
            resolved.value.to_string(),
            "\"${aws_s3_bucket.logs.arn}/*\""
        );
        assert_eq!(resolved.unknown, Some(Unknown::AfterApply));
        assert!(resolved.through.is_empty() && resolved.worth_showing());
    }

    #[test]
    fn unknown_values_say_why() {
        let unset = ("stack/variables.tf", "variable \"force_destroy\" {}\n");
        let resolved = resolve(MAIN, &[unset], "force_destroy").expect("resolved");
        assert_eq!(resolved.value, Value::Unknown);
        assert_eq!(
            resolved
                .unknown
                .map(|unknown| unknown.to_string())
                .as_deref(),
            Some("`var.force_destroy` is set outside the files")
        );
        assert_eq!(
            resolved.through,
            ["`var.force_destroy` (no default and no tfvars value)"]
        );

        // A `versions.tf` with only requirements lays the folder out as a published module.
        let reusable = [
            (
                "stack/variables.tf",
                "variable \"force_destroy\" {\n  default = true\n  sensitive = true\n}\n",
            ),
            (
                "stack/versions.tf",
                "terraform {\n  required_providers {\n    aws = { source = \"hashicorp/aws\" }\n  }\n}\n",
            ),
        ];
        let resolved = resolve(MAIN, &reusable, "force_destroy").expect("resolved");
        assert_eq!(resolved.value, Value::Unknown);
        assert_eq!(
            resolved.unknown,
            Some(Unknown::ModuleInput {
                variable: "force_destroy".to_owned()
            })
        );
        assert_eq!(
            resolved.through,
            [
                "`var.force_destroy` (set by each caller of the module; default `true` in variables.tf:2)"
            ]
        );
        assert!(resolved.sensitive);

        let resolved = resolve(MAIN, &[], "policy").expect("resolved");
        assert_eq!(
            resolved.unknown,
            Some(Unknown::Function {
                name: "timestamp".to_owned()
            })
        );
        assert!(!resolved.worth_showing());
        let locals = (
            "stack/locals.tf",
            "locals {\n  versioned = file(\"v\")\n}\n",
        );
        let resolved = resolve(MAIN, &[locals], "enabled").expect("resolved");
        assert_eq!(
            resolved
                .unknown
                .map(|unknown| unknown.to_string())
                .as_deref(),
            Some("`file()` is not evaluated")
        );
        assert_eq!(resolved.through, ["`local.versioned` (locals.tf:2)"]);
    }

    #[test]
    fn the_json_syntax_resolves_templates() {
        let main = "{\"resource\": {\"aws_s3_bucket\": {\"logs\": {\n  \
                    \"bucket\": \"logs\",\n  \"force_destroy\": \"${var.force_destroy}\"\n}}}}\n";
        let variables = "{\"variable\": {\"force_destroy\": {\"default\": true}}}\n";
        let folder = [input("stack/variables.tf.json", variables)];
        let at = |needle: &str| TextSize::from_usize(main.find(needle).expect("in the text"));
        let file = input("stack/main.tf.json", main);
        let resolved = resolve_attribute(&file, &folder, at("${")).expect("resolved");
        assert_eq!(resolved.value, Value::Bool(true));
        assert_eq!(
            resolved.through,
            ["`var.force_destroy` (default in variables.tf.json:1)"]
        );
        assert!(resolve_attribute(&file, &folder, at("\"logs\",")).is_none());
    }

    /// Deeply nested blocks and expressions resolve in bounded time: an expression deeper than
    /// the evaluator reads is unknown, and blocks deeper than the Terraform model reads hold
    /// nothing to resolve.
    #[test]
    fn hostile_nesting_stays_bounded() {
        let depth = 5_000;
        let expression = format!("{}local.x{}", "(".repeat(depth), ")".repeat(depth));
        let main = format!(
            "locals {{\n  x = var.y\n}}\nresource \"a\" \"b\" {{\n  v = {expression}\n}}\n"
        );
        let resolved = resolve(&main, &[], "v =").expect("resolved");
        assert_eq!(resolved.value, Value::Unknown);
        assert!(resolved.unknown.is_some());
        let main = format!(
            "resource \"a\" \"b\" {{\n{}  v = var.y\n{}}}\n",
            "c {\n".repeat(depth),
            "}\n".repeat(depth)
        );
        assert!(resolve(&main, &[], "v =").is_none());
    }

    #[test]
    fn tfvars_and_other_formats_resolve_nothing() {
        let at = TextSize::from_usize(3);
        let tfvars = input("terraform.tfvars", "force_destroy = var.x\n");
        assert!(resolve_attribute(&tfvars, &[], at).is_none());
        let workflow = input(".github/workflows/ci.yml", "on: push\njobs: {}\n");
        assert!(resolve_attribute(&workflow, &[], at).is_none());
    }
}

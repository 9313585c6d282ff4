//! How findings and hovers say where a Terraform value came from: one wording for the
//! variables and locals a value was read through, so that a message and a hover name the same
//! place the same way.

use redline_syntax::terraform_eval::evaluate::Origin;
use redline_syntax::terraform_eval::{Location, Value};

/// The most characters of a value that the wording quotes; longer values are cut with `…`.
const MAX_QUOTED: usize = 100;

/// A variable's default that the value did not take, because a tfvars file overrides it or
/// because each caller of a reusable module decides.
#[derive(Clone, Copy, Debug)]
pub struct SkippedDefault<'a> {
    /// The default's value.
    pub value: &'a Value,
    /// Where the default is written.
    pub location: &'a Location,
}

/// How one variable or local a value was read through is named:
/// `` `var.force_destroy` (default in variables.tf:12) ``,
/// `` `var.force_destroy` (set in terraform.tfvars:3; default `false` in variables.tf:12) ``,
/// `` `local.retain` (locals.tf:4) ``. `skipped` is the variable's default when the value did
/// not take it; findings pass `None`.
pub fn origin(origin: &Origin, skipped: Option<SkippedDefault<'_>>) -> String {
    let skipped = skipped
        .map(|default| {
            format!(
                "; default {} in {}",
                code(&quoted(default.value)),
                place(default.location)
            )
        })
        .unwrap_or_default();
    match origin {
        Origin::Default { variable, location } => {
            format!("`var.{variable}` (default in {})", place(location))
        }
        Origin::Tfvars { variable, location } => {
            format!("`var.{variable}` (set in {}{skipped})", place(location))
        }
        Origin::Caller { variable, .. } => {
            format!("`var.{variable}` (set by each caller of the module{skipped})")
        }
        Origin::Unset { variable, .. } => {
            format!("`var.{variable}` (no default and no tfvars value)")
        }
        Origin::Local { name, location } => format!("`local.{name}` ({})", place(location)),
        Origin::Input {
            variable,
            call,
            location,
            ..
        } => format!(
            "`var.{variable}` (set by `module.{call}` at {}{skipped})",
            place(location)
        ),
        Origin::InputDefault {
            variable,
            call,
            default,
            ..
        } => format!(
            "`var.{variable}` (left unset by `module.{call}`, default in {})",
            place(default)
        ),
    }
}

/// A place as findings name it: the file name and the line, `variables.tf:12`.
pub fn place(location: &Location) -> String {
    format!("{}:{}", file_name(&location.path), location.line)
}

/// `text` as Markdown inline code, with a fence longer than any run of backticks inside it.
pub fn code(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    if longest == 0 {
        return format!("`{text}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}

/// A value in HCL syntax, cut after `MAX_QUOTED` characters.
pub fn quoted(value: &Value) -> String {
    quoted_within(value, MAX_QUOTED)
}

/// A value in HCL syntax, cut after `max` characters.
pub fn quoted_within(value: &Value, max: usize) -> String {
    let text = value.to_string();
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// The file name at the end of a display path.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use redline_text::TextRange;

    use super::*;

    fn at(path: &str, line: u32) -> Location {
        Location {
            path: path.to_owned(),
            range: TextRange::default(),
            line,
        }
    }

    #[test]
    fn each_origin_is_named_with_its_place() {
        let default = at("stack/variables.tf", 12);
        let tfvars = Origin::Tfvars {
            variable: "force_destroy".to_owned(),
            location: at("stack/terraform.tfvars", 3),
        };
        assert_eq!(
            origin(&tfvars, None),
            "`var.force_destroy` (set in terraform.tfvars:3)"
        );
        let skipped = SkippedDefault {
            value: &Value::Bool(false),
            location: &default,
        };
        assert_eq!(
            origin(&tfvars, Some(skipped)),
            "`var.force_destroy` (set in terraform.tfvars:3; default `false` in variables.tf:12)"
        );
        let caller = Origin::Caller {
            variable: "force_destroy".to_owned(),
            default: Some(default.clone()),
        };
        assert_eq!(
            origin(&caller, Some(skipped)),
            "`var.force_destroy` (set by each caller of the module; default `false` in \
             variables.tf:12)"
        );
        let local = Origin::Local {
            name: "retain".to_owned(),
            location: at("locals.tf", 4),
        };
        assert_eq!(origin(&local, None), "`local.retain` (locals.tf:4)");
    }

    #[test]
    fn quoted_values_are_short_and_stay_inline_code() {
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("true"), "`true`");
        let long = Value::String("x".repeat(100));
        assert_eq!(quoted(&long).chars().count(), MAX_QUOTED + 1);
        assert!(quoted(&long).ends_with('…'));
    }
}

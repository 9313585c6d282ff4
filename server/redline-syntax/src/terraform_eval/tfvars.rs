//! Variable definitions files: `terraform.tfvars`, `*.auto.tfvars` and their `.json` forms.
//!
//! The caller reads the files and passes their texts; a file with syntax errors still gives
//! the assignments that parsed, and the errors become problems.

use std::collections::BTreeMap;

use redline_text::{LineIndex, TextRange};

use super::lower::{self, Expression};
use super::symbols::file_name;
use super::{Location, Problem};
use crate::{Language, hcl, tree};

/// One variable definitions file.
#[derive(Clone, Debug)]
pub struct Tfvars {
    /// The display path of the file.
    pub path: String,
    /// The assignments by variable name; the first wins when a name repeats.
    pub assignments: BTreeMap<String, Assignment>,
    /// Syntax errors, blocks and repeated names.
    pub problems: Vec<Problem>,
}

/// `name = value` in a tfvars file.
#[derive(Clone, Debug)]
pub struct Assignment {
    /// The value as written.
    pub location: Location,
    /// The value, lowered as a literal.
    pub(crate) expression: Expression,
}

/// Whether Terraform loads the file at `path` as variable definitions without being told to:
/// `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars` and `*.auto.tfvars.json`.
pub fn is_auto_loaded(path: &str) -> bool {
    load_order(path).is_some()
}

/// Where a file stands in Terraform's automatic loading: `terraform.tfvars`, then
/// `terraform.tfvars.json`, then `*.auto.tfvars` and `*.auto.tfvars.json` in lexical order of
/// their names, each later file overriding the earlier ones. `None` for files Terraform only
/// reads when told to (`-var-file`).
pub(crate) fn load_order(path: &str) -> Option<(u8, &str)> {
    let name = file_name(path);
    match name {
        "terraform.tfvars" => Some((0, name)),
        "terraform.tfvars.json" => Some((1, name)),
        _ if name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json") => {
            Some((2, name))
        }
        _ => None,
    }
}

impl Tfvars {
    /// Reads a tfvars file; `path` ending in `.json` selects the JSON syntax.
    pub fn parse(path: &str, text: &str) -> Tfvars {
        let mut res = Tfvars {
            path: path.to_owned(),
            assignments: BTreeMap::new(),
            problems: Vec::new(),
        };
        let line_index = LineIndex::new(text);
        let location = |range: TextRange| Location {
            path: path.to_owned(),
            range,
            line: u32::try_from(line_index.line_of(range.start()) + 1).unwrap_or(u32::MAX),
        };
        let is_json = path.to_ascii_lowercase().ends_with(".json");
        let language = if is_json {
            Language::Json
        } else {
            Language::Hcl
        };
        let Some(tree) = tree::parse(language, text) else {
            res.problems.push(Problem {
                location: location(TextRange::default()),
                message: "cannot parse the file".to_owned(),
            });
            return res;
        };
        if let Some(problem) = tree::first_error(&tree, text) {
            res.problems.push(Problem {
                location: location(problem.range),
                message: problem.message,
            });
        }
        let mut assign = |name: &str, name_range: TextRange, value: TextRange, expression| {
            if res.assignments.contains_key(name) {
                res.problems.push(Problem {
                    location: location(name_range),
                    message: format!("`{name}` is assigned more than once; the first is used"),
                });
                return;
            }
            res.assignments.insert(
                name.to_owned(),
                Assignment {
                    location: location(value),
                    expression,
                },
            );
        };
        if is_json {
            let documents = crate::json::documents(&tree, text);
            match documents.first() {
                Some(root) if root.is_mapping() => {
                    for entry in root.entries() {
                        if let Some(name) = entry.key.as_str() {
                            let expression = lower::from_json(&entry.value, false);
                            assign(name, entry.key.range, entry.value.range, expression);
                        }
                    }
                }
                Some(other) => res.problems.push(Problem {
                    location: location(other.range),
                    message: "a tfvars JSON file must hold one object".to_owned(),
                }),
                None => {}
            }
            return res;
        }
        let Some(body) = hcl::root_body(&tree) else {
            return res;
        };
        for attribute in body.attributes() {
            let expression = attribute
                .expression()
                .map_or(Expression::Unsupported, |node| lower::from_hcl(node, text));
            assign(
                attribute.name(text),
                attribute.name_range(),
                attribute.value_range(),
                expression,
            );
        }
        for block in body.blocks() {
            res.problems.push(Problem {
                location: location(block.range()),
                message: "blocks are not allowed in a variable definitions file".to_owned(),
            });
        }
        res
    }
}

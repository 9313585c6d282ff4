//! Rules on Terraform configuration (`*.tf`, `*.tf.json`), and the edits they share.

pub mod address_renamed;
pub mod azure_custom_role_wildcard;
pub mod azure_privileged_role_assignment;
pub mod backup_retention_disabled;
pub(crate) mod cascade;
pub mod conditional_replacement_changed;
pub mod deletion_protection_disabled;
pub mod destructive_provisioner_command;
pub mod final_snapshot_skipped;
pub mod force_destroy_enabled;
pub mod force_new;
pub mod force_new_attribute_changed;
pub mod gcp_basic_role;
mod gcp_iam;
pub mod gcp_public_member;
pub mod ingress_open_to_internet;
pub mod instance_keys_changed;
pub(crate) mod module_change;
pub mod module_inputs;
pub mod prevent_destroy_disabled;
pub mod prevent_destroy_missing;
pub mod protection;
pub mod protection_weakened;
pub mod provenance;
pub mod resource_removed;
pub mod s3_public_access_block_disabled;
pub mod s3_public_acl;
pub mod short_recovery_window;
pub mod through_module;
mod value_change;

use redline_diagnostics::Edit;
use redline_syntax::SourceFile;
use redline_syntax::terraform::{Block, Expr, Resource, Syntax, TerraformFile, Value};
use redline_text::{TextRange, TextSize};

/// One indentation step, used when the surrounding code gives none.
const INDENT: &str = "  ";

/// What an interpolation `${…}` becomes in the shape of a string template.
pub(crate) const HOLE: &str = "{}";

/// The shape of a string expression: a known string as it is, and a quoted template with each
/// `${…}` replaced by [`HOLE`], so that `"/subscriptions/${var.id}"` reads as
/// `/subscriptions/{}`.
///
/// `None` for anything that is not a single quoted string (references, calls, heredocs, and
/// templates with `%{…}` directives).
pub(crate) fn string_shape(file: &SourceFile<'_>, expr: &Expr) -> Option<String> {
    if let Value::String(value) = &expr.value {
        return Some(value.clone());
    }
    let raw = file.slice(expr.range).trim();
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains("%{") {
        return None;
    }
    let mut res = String::new();
    let mut rest = inner;
    while let Some(start) = rest.find("${") {
        res.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let mut depth = 1usize;
        let end = after.char_indices().find_map(|(index, c)| {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(index)
        })?;
        res.push_str(HOLE);
        rest = &after[end + 1..];
    }
    res.push_str(rest);
    Some(res)
}

/// The reference an expression consists of, such as `data.azurerm_subscription.current.id`:
/// a bare traversal in HCL, or a string that is nothing but `"${traversal}"`.
pub(crate) fn reference<'t>(file: &'t SourceFile<'_>, expr: &Expr) -> Option<&'t str> {
    let raw = file.slice(expr.range).trim();
    let traversal = raw
        .strip_prefix("\"${")
        .and_then(|inner| inner.strip_suffix("}\""))
        .map_or(raw, str::trim);
    let is_traversal = traversal.contains('.')
        && traversal
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    is_traversal.then_some(traversal)
}

/// Inserts `line` (e.g. `deletion_protection = true`) as the first line of `block`.
///
/// `None` in JSON syntax, and when the opening `{` does not end its line (a one-line block),
/// where no insertion keeps the file's layout.
pub(crate) fn insert_attribute(
    model: &TerraformFile,
    text: &str,
    block: &Block,
    line: &str,
) -> Option<Edit> {
    if model.syntax != Syntax::Hcl {
        return None;
    }
    let open = block.open_brace_end?;
    let rest = text.get(open.to_usize()..)?;
    let rest_of_line = rest.split('\n').next().unwrap_or("");
    let after = rest_of_line.trim_start();
    if !(after.is_empty() || after.starts_with('#') || after.starts_with("//")) {
        return None;
    }
    // After a trailing comment, so that the comment stays with the block's first line.
    let line_end =
        TextSize::from_usize(open.to_usize() + rest_of_line.trim_end_matches('\r').len());
    let indent = body_indent(text, block);
    let newline = newline(text);
    Some(Edit::insert(line_end, format!("{newline}{indent}{line}")))
}

/// Adds `lifecycle { prevent_destroy = true }` to a resource: into its `lifecycle` block when
/// it has one, otherwise as a new block before the closing `}`.
pub(crate) fn add_prevent_destroy(
    model: &TerraformFile,
    text: &str,
    resource: &Resource<'_>,
) -> Option<Edit> {
    if model.syntax != Syntax::Hcl {
        return None;
    }
    if let Some(lifecycle) = resource.lifecycle() {
        return insert_attribute(model, text, lifecycle, "prevent_destroy = true");
    }
    let block = resource.block;
    let close = block.range.end().to_usize().checked_sub(1)?;
    if text.as_bytes().get(close) != Some(&b'}') {
        return None;
    }
    let line_start = text.get(..close)?.rfind('\n').map_or(0, |index| index + 1);
    if !text.get(line_start..close)?.trim().is_empty()
        || line_start <= block.range.start().to_usize()
    {
        return None;
    }
    let indent = body_indent(text, block);
    let nl = newline(text);
    Some(Edit::insert(
        TextSize::from_usize(line_start),
        format!(
            "{nl}{indent}lifecycle {{{nl}{indent}{INDENT}prevent_destroy = true{nl}{indent}}}{nl}"
        ),
    ))
}

/// The file's line terminator: CRLF when its first line ends with one.
fn newline(text: &str) -> &'static str {
    match text.find('\n') {
        Some(index) if index > 0 && text.as_bytes().get(index - 1) == Some(&b'\r') => "\r\n",
        _ => "\n",
    }
}

/// The indentation of the lines inside `block`: that of its first attribute or nested block,
/// or the block's own indentation plus one step.
fn body_indent(text: &str, block: &Block) -> String {
    let first = block
        .body
        .attributes
        .iter()
        .map(|attribute| attribute.range)
        .chain(block.body.blocks.iter().map(|nested| nested.range))
        .min_by_key(|range| range.start());
    if let Some(range) = first {
        let indent = line_indent(text, range);
        if range.start().to_usize() > block.range.start().to_usize() && !indent.is_empty() {
            return indent;
        }
    }
    format!("{}{INDENT}", line_indent(text, block.range))
}

/// The leading whitespace of the line where `range` starts.
fn line_indent(text: &str, range: TextRange) -> String {
    let start = range.start().to_usize();
    let line_start = text
        .get(..start)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |index| index + 1);
    text.get(line_start..start)
        .unwrap_or("")
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect()
}

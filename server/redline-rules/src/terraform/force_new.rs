//! Which attribute changes make a Terraform provider destroy and recreate a resource.
//!
//! Providers do not publish this in `terraform providers schema -json`; it lives in their
//! source (`ForceNew: true`, `RequiresReplace()`, `ForceNew` calls in `CustomizeDiff`). The
//! table in `data/force-new.tsv` was read from the provider sources at the commits its first
//! line names, and is embedded here and parsed on first use.

use std::collections::HashMap;
use std::sync::LazyLock;

use redline_syntax::terraform::{Attribute, Block, Value};
use redline_text::TextRange;

use crate::terraform::module_change::{ModuleChange, normalise, slice};

const TABLE: &str = include_str!("../../data/force-new.tsv");

/// When a change of the attribute replaces the resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replacement {
    /// On any change.
    Always,
    /// Only for some values (a downgrade, a decrease, a setting elsewhere in the resource).
    Conditional,
}

/// One force-new attribute of a resource type.
#[derive(Clone, Copy, Debug)]
pub struct ForceNew {
    /// The attribute; nested attributes are written `block.attribute`, a whole nested block by
    /// its type alone.
    pub attribute: &'static str,
    /// When a change replaces the resource.
    pub replacement: Replacement,
}

/// A force-new attribute whose value the edit changed on a resource that exists on both sides.
pub(crate) struct ForceNewChange<'m> {
    /// The resource's index in `ModuleChange::new`.
    pub new: usize,
    /// The table entry.
    pub force_new: ForceNew,
    /// The value before, as written; `None` when the edit sets an attribute that was absent.
    pub old_text: Option<&'m str>,
    /// The attribute (or nested block) after the edit.
    pub range: TextRange,
    /// The value expression after the edit, for attributes.
    pub value_range: Option<TextRange>,
    /// Whether both values are literals, so the change is certain rather than likely.
    pub known: bool,
}

/// The version of the force-new table: the provider commits it was read at.
pub fn force_new_version() -> &'static str {
    TABLE
        .lines()
        .next()
        .and_then(|line| line.split_once("providers:"))
        .map_or("unknown", |(_, version)| version.trim())
}

/// The force-new attributes of a resource type, in table order; empty when the type is not in
/// the table.
pub fn force_new_attributes(resource_type: &str) -> &'static [ForceNew] {
    static PARSED: LazyLock<HashMap<&'static str, Vec<ForceNew>>> = LazyLock::new(|| {
        let mut res: HashMap<&'static str, Vec<ForceNew>> = HashMap::new();
        for line in TABLE.lines().filter(|line| !line.starts_with('#')) {
            let mut fields = line.split('\t');
            let (Some(resource_type), Some(attribute), Some(kind)) =
                (fields.next(), fields.next(), fields.next())
            else {
                continue;
            };
            let replacement = if kind == "always" {
                Replacement::Always
            } else {
                Replacement::Conditional
            };
            res.entry(resource_type).or_default().push(ForceNew {
                attribute,
                replacement,
            });
        }
        res
    });
    PARSED.get(resource_type).map_or(&[], Vec::as_slice)
}

/// Every force-new attribute changed by the edit on resources of `path` that exist on both
/// sides (by address or through a `moved` block).
pub(crate) fn force_new_changes<'m>(
    module: &'m ModuleChange<'m>,
    path: &str,
) -> Vec<ForceNewChange<'m>> {
    let mut res = Vec::new();
    for (base, new) in module.edited() {
        let old = &module.base[base];
        let entry = &module.new[new];
        if entry.file.path != path || old.type_name != entry.type_name {
            continue;
        }
        for force_new in force_new_attributes(entry.type_name) {
            let Some(after) = find(entry.block, force_new.attribute) else {
                continue;
            };
            let before = find(old.block, force_new.attribute);
            let new_text = after.text(entry.file.text);
            let old_text = before.as_ref().map(|found| found.text(old.file.text));
            if old_text == Some(new_text) || old_text.map(normalise) == Some(normalise(new_text)) {
                continue;
            }
            let replacement = effective_replacement(entry.block, force_new);
            let Some(replacement) = replacement else {
                continue;
            };
            res.push(ForceNewChange {
                new,
                force_new: ForceNew {
                    attribute: force_new.attribute,
                    replacement,
                },
                old_text,
                range: after.range(),
                value_range: after.value_range(),
                known: before.as_ref().is_some_and(Found::is_literal) && after.is_literal(),
            });
        }
    }
    res
}

/// Provider-specific conditions the table marks as conditional but the configuration settles:
/// `aws_instance.user_data` replaces only with `user_data_replace_on_change = true` and is
/// otherwise updated in place. `None` when the change cannot replace the resource.
fn effective_replacement(block: &Block, force_new: &ForceNew) -> Option<Replacement> {
    if matches!(force_new.attribute, "user_data" | "user_data_base64") {
        let replace_on_change = block
            .body
            .attribute("user_data_replace_on_change")
            .and_then(|attribute| attribute.value.value.as_bool());
        return (replace_on_change == Some(true)).then_some(Replacement::Always);
    }
    Some(force_new.replacement)
}

/// An attribute or the nested blocks at a dotted path.
enum Found<'b> {
    Attribute(&'b Attribute),
    Blocks(Vec<&'b Block>),
}

impl Found<'_> {
    fn range(&self) -> TextRange {
        match self {
            Found::Attribute(attribute) => attribute.range,
            Found::Blocks(blocks) => {
                let first = blocks.first().map_or(TextRange::default(), |b| b.range);
                let last = blocks.last().map_or(first, |b| b.range);
                TextRange::new(first.start(), last.end())
            }
        }
    }

    fn value_range(&self) -> Option<TextRange> {
        match self {
            Found::Attribute(attribute) => Some(attribute.value.range),
            Found::Blocks(_) => None,
        }
    }

    /// The value as written: the expression of an attribute, the whole text of blocks.
    fn text<'t>(&self, text: &'t str) -> &'t str {
        match self {
            Found::Attribute(attribute) => slice(text, attribute.value.range),
            Found::Blocks(_) => slice(text, self.range()),
        }
    }

    fn is_literal(&self) -> bool {
        match self {
            Found::Attribute(attribute) => is_literal(&attribute.value.value),
            Found::Blocks(_) => false,
        }
    }
}

fn is_literal(value: &Value) -> bool {
    match value {
        Value::Unknown => false,
        Value::List(items) => items.iter().all(|item| is_literal(&item.value)),
        _ => true,
    }
}

fn find<'b>(block: &'b Block, path: &str) -> Option<Found<'b>> {
    let mut current = block;
    let mut segments = path.split('.').peekable();
    while let Some(segment) = segments.next() {
        if segments.peek().is_some() {
            current = current.body.block(segment)?;
            continue;
        }
        if let Some(attribute) = current.body.attribute(segment) {
            return Some(Found::Attribute(attribute));
        }
        let blocks: Vec<&Block> = current
            .body
            .blocks
            .iter()
            .filter(|nested| nested.kind == segment)
            .collect();
        return (!blocks.is_empty()).then_some(Found::Blocks(blocks));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_parses() {
        assert!(force_new_version().contains("aws 1a5174b137bb"));
        let db = force_new_attributes("aws_db_instance");
        assert!(
            db.iter()
                .any(|f| f.attribute == "engine" && f.replacement == Replacement::Always)
        );
        assert!(!db.iter().any(|f| f.attribute == "identifier"));
        let instance = force_new_attributes("aws_instance");
        assert!(
            instance.iter().any(
                |f| f.attribute == "instance_type" && f.replacement == Replacement::Conditional
            )
        );
        assert!(
            force_new_attributes("azurerm_storage_account")
                .iter()
                .any(|f| f.attribute == "resource_group_name")
        );
        assert!(force_new_attributes("no_such_type").is_empty());
    }
}

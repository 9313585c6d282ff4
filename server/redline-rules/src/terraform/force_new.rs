//! Which attribute changes make a Terraform provider destroy and recreate a resource.
//!
//! Providers do not publish this in `terraform providers schema -json`; it lives in their
//! source (`ForceNew: true`, `RequiresReplace()`, `ForceNew` calls in `CustomizeDiff`). The
//! table in `data/force-new.tsv` was read from the provider sources at the commits its first
//! line names, and is embedded here and parsed on first use.

use std::collections::HashMap;
use std::rc::Rc;
use std::sync::LazyLock;

use redline_syntax::terraform::{Attribute, Block, Repetition, Value};
use redline_text::TextRange;

use crate::RuleContext;
use crate::terraform::module_change::{ModuleChange, normalise, slice};
use crate::terraform::value_change::{Cause, Compared, Sides, Verdict};

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
pub(crate) struct ForceNewChange {
    /// The resource's index in `ModuleChange::new`.
    pub new: usize,
    /// The table entry.
    pub force_new: ForceNew,
    /// The value before, as written; `None` when the edit sets an attribute that was absent.
    pub old_text: Option<String>,
    /// Where the finding goes: the attribute (or nested block) after the edit when its
    /// expression changed, else `cause`'s range.
    pub range: TextRange,
    /// The value expression after the edit, for attributes whose expression changed.
    pub value_range: Option<TextRange>,
    /// Whether both values are literals, so the change is certain rather than likely.
    pub known: bool,
    /// What the module's values say, when the attribute was evaluated on both sides; `None`
    /// for nested blocks and edits judged without a module.
    pub values: Option<Compared>,
    /// Where this file changed the value, when the attribute's expression is the same on
    /// both sides.
    pub cause: Option<Cause>,
    /// The change was found by reading a reusable module's variables at their defaults: it
    /// concerns the callers that keep them.
    pub for_callers: bool,
    /// The block has `count` or `for_each` on a side, and the values of its instances could
    /// not be compared (`"logs-${count.index}"` to `"logs-${each.key}"` over keys the files do
    /// not decide): the edit may replace them, or not.
    pub instances_undecided: bool,
}

impl ForceNewChange {
    /// Whether the values on the two sides are not known to differ because the instances
    /// could not be compared: RL-TF-006's "may replace", never RL-TF-005's.
    pub fn may_change_per_instance(&self) -> bool {
        self.instances_undecided
            && self
                .values
                .as_ref()
                .is_none_or(|values| values.verdict <= Verdict::Undecided)
    }
}

impl ForceNewChange {
    /// The value expression after the edit, or the whole attribute (or nested block).
    pub fn range_of_value(&self) -> TextRange {
        self.value_range.unwrap_or(self.range)
    }
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

/// Every force-new attribute whose value the edit changed on resources that exist on both
/// sides (by address or through a `moved` block), reported in the file `ctx` checks: at the
/// attribute when the file writes it and its expression changed, or where the file changed
/// a variable default, tfvars value or local that the attribute reads.
///
/// An expression rewritten without changing its value (a literal moved into a variable whose
/// default is that literal, say) is no change.
///
/// RL-TF-005 and RL-TF-006 both read them: they are found once per file and edit, and kept
/// with the module change the edit rules of the folder share.
pub(crate) fn force_new_changes(
    ctx: &RuleContext<'_>,
    module: &ModuleChange<'_>,
) -> Rc<[ForceNewChange]> {
    let path = ctx.file().path;
    if let Some(found) = module.force_new_changes.borrow().get(path) {
        return Rc::clone(found);
    }
    let res: Rc<[ForceNewChange]> = find_force_new_changes(ctx, module).into();
    module
        .force_new_changes
        .borrow_mut()
        .insert(path.to_owned(), Rc::clone(&res));
    res
}

/// `force_new_changes`, found.
fn find_force_new_changes<'m>(
    ctx: &RuleContext<'m>,
    module: &'m ModuleChange<'m>,
) -> Vec<ForceNewChange> {
    let path = ctx.file().path;
    let sides = Sides::of(ctx);
    let defaults = Sides::defaults(ctx);
    let may_hold_cause = sides.is_some_and(|sides| sides.file_may_hold_cause());
    let mut res = Vec::new();
    for &(base, new) in module.kept() {
        let old = &module.base[base];
        let entry = &module.new[new];
        let in_file = entry.file.path == path;
        if old.type_name != entry.type_name || !(in_file || may_hold_cause) {
            continue;
        }
        // A block written as before changes no attribute's text, and only a changed text is
        // judged unless the file may hold the cause of a changed value.
        if !may_hold_cause
            && slice(&old.file.text, old.block.range) == slice(&entry.file.text, entry.block.range)
        {
            continue;
        }
        for force_new in force_new_attributes(entry.type_name) {
            let Some(after) = find(entry.block, force_new.attribute) else {
                continue;
            };
            let before = find(old.block, force_new.attribute);
            let new_text = after.text(&entry.file.text);
            let old_text = before.as_ref().map(|found| found.text(&old.file.text));
            let text_changed = !(old_text == Some(new_text)
                || old_text.map(normalise) == Some(normalise(new_text)));
            if !(text_changed && in_file || !text_changed && may_hold_cause) {
                continue;
            }
            // A literal written as before has the same value whatever the variables hold.
            if !text_changed && after.is_literal() && before.as_ref().is_some_and(Found::is_literal)
            {
                continue;
            }
            let Some(replacement) = effective_replacement(entry.block, force_new) else {
                continue;
            };
            let compare = |sides: Sides<'_>| -> Option<Compared> {
                let (Some(Found::Attribute(before)), Found::Attribute(after)) = (&before, &after)
                else {
                    return None;
                };
                let pairs = sides.instance_pairs(
                    (old.file.path, old.block),
                    (entry.file.path, entry.block),
                    &module.instance_moves(&old.address, &entry.address),
                );
                sides.compare(&pairs, |evaluator, instance, is_base| {
                    if is_base {
                        evaluator.attribute(old.file.path, before, instance)
                    } else {
                        evaluator.attribute(entry.file.path, after, instance)
                    }
                })
            };
            let values = sides.and_then(compare);
            let mut change = ForceNewChange {
                new,
                force_new: ForceNew {
                    attribute: force_new.attribute,
                    replacement,
                },
                old_text: old_text.map(str::to_owned),
                range: after.range(),
                value_range: after.value_range(),
                known: before.as_ref().is_some_and(Found::is_literal) && after.is_literal(),
                values: None,
                cause: None,
                for_callers: false,
                instances_undecided: old.repetition != Repetition::Single
                    || entry.repetition != Repetition::Single,
            };
            if text_changed {
                // A rewritten expression with the same value changes nothing.
                if values
                    .as_ref()
                    .is_some_and(|values| values.verdict == Verdict::Same)
                {
                    continue;
                }
                change.values = values;
                res.push(change);
                continue;
            }
            // The expression is the same: the value changed, if at all, through a variable or
            // local that this file changed.
            let (values, for_callers) = match values {
                Some(values) if values.verdict > Verdict::Undecided => (values, false),
                // In a reusable module every variable is the caller's; with the defaults, the
                // edit may still change what callers that set nothing get.
                _ => match defaults.and_then(compare) {
                    Some(values) if values.verdict > Verdict::Undecided => (values, true),
                    _ => continue,
                },
            };
            let cause_sides = if for_callers { defaults } else { sides };
            let Some(cause) = cause_sides.and_then(|sides| sides.cause(&values.base, &values.new))
            else {
                continue;
            };
            change.range = cause.range;
            change.value_range = None;
            change.values = Some(values);
            change.cause = Some(cause);
            change.for_callers = for_callers;
            res.push(change);
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

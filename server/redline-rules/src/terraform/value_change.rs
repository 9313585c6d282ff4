//! An edit judged by the values Terraform would use on each side: the module is evaluated
//! before and after the edit, so that a changed variable default, tfvars value or local is
//! seen in every attribute that reads it, and a reformatted expression with the same value is
//! no change at all.
//!
//! A finding about a value goes where the edit changed it: at the attribute when its own
//! expression changed, else at the default, tfvars value or local that the edit changed
//! (`Cause`). Each changed file reports what was changed in it, so one edit that spans
//! `variables.tf` and `terraform.tfvars` is reported once, in the file that decides the value.

use std::collections::BTreeSet;

use redline_syntax::SourceFile;
use redline_syntax::terraform::{Attribute, Block};
use redline_syntax::terraform_eval::evaluate::{
    Evaluation, Evaluator, Instance, Instances, Origin,
};
use redline_syntax::terraform_eval::symbols::ModuleKind;
use redline_syntax::terraform_eval::tfvars::is_auto_loaded;
use redline_syntax::terraform_eval::{Key, Location, Part, Value};
use redline_text::{TextRange, TextSize};

use crate::terraform::module_change::normalise;
use crate::terraform::provenance::{self, file_name, place};
use crate::{Change, RuleContext};

/// The most characters of a value a message quotes; longer values are cut with `…`.
const MAX_QUOTED: usize = 60;

/// The most instances of one block whose values are compared one by one; beyond it the block
/// is evaluated once, without an instance.
const MAX_COMPARED_INSTANCES: usize = 64;

/// The module's evaluators before and after an edit.
#[derive(Clone, Copy)]
pub(crate) struct Sides<'a> {
    /// Before the edit.
    pub base: &'a Evaluator<'a>,
    /// After the edit.
    pub new: &'a Evaluator<'a>,
    change: &'a Change<'a>,
    file: &'a SourceFile<'a>,
}

/// What the values on the two sides of an edit say.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Verdict {
    /// The same value on both sides.
    Same,
    /// Neither side is decided by the files.
    Undecided,
    /// One side is known and the other is not decided by the files: the value may change.
    MayChange,
    /// The values differ: both are known (`certain`), or they are attributes of different
    /// objects.
    Changed {
        /// Both values are known.
        certain: bool,
    },
}

/// Where, in the file being checked, the edit changed a value that an expression reads.
#[derive(Clone, Debug)]
pub(crate) struct Cause {
    /// The changed value (a default, a tfvars value, a local's expression), or where a removed
    /// one was.
    pub range: TextRange,
    /// What changed, for messages: `` `var.engine` (default in variables.tf:3) changes from
    /// "postgres" to "mysql" ``.
    pub what: String,
    /// The changed variable's or local's value before the edit.
    pub old: Value,
    /// Its value after the edit.
    pub new: Value,
    /// The local that changed, to leave it out of the chain that follows it in messages.
    local: Option<String>,
}

/// One expression evaluated on both sides of an edit.
pub(crate) struct Compared {
    /// The strongest verdict over the instances compared.
    pub verdict: Verdict,
    /// The evaluations that gave it.
    pub base: Evaluation,
    /// The evaluations that gave it.
    pub new: Evaluation,
    /// The instance keys whose value changes, when the block has `count` or `for_each`.
    pub instances: Vec<Key>,
}

impl<'a> Sides<'a> {
    /// The module's evaluators on both sides, as the module's kind reads its variables; `None`
    /// outside an edit or without a module.
    pub fn of(ctx: &RuleContext<'a>) -> Option<Sides<'a>> {
        let change = ctx.change()?;
        Some(Sides {
            base: change.base_module()?,
            new: ctx.terraform_module()?,
            change,
            file: ctx.file(),
        })
    }

    /// For a reusable module, both sides with every variable at its default: what a caller that
    /// sets no input gets. `None` for a root module, whose evaluators already read defaults.
    pub fn defaults(ctx: &RuleContext<'a>) -> Option<Sides<'a>> {
        let sides = Sides::of(ctx)?;
        if sides.new.kind() == ModuleKind::Root {
            return None;
        }
        Some(Sides {
            base: sides.change.base_module_defaults()?,
            new: ctx.terraform_module_defaults()?,
            ..sides
        })
    }

    /// Whether the file being checked may hold the cause of a changed value: a tfvars file
    /// whose text changed, or a file whose variables or locals changed (were written, removed
    /// or rewritten) between the sides. Other files change values only through the expressions
    /// they write, which rules compare where they are written; a file whose variables and
    /// locals read as before changes no value through them, and the rules need not evaluate
    /// every attribute of the module on both sides to find that out.
    pub fn file_may_hold_cause(&self) -> bool {
        fn wiring<'f>(file: &'f SourceFile<'_>) -> Vec<&'f str> {
            file.terraform()
                .blocks
                .iter()
                .filter(|block| matches!(block.kind.as_str(), "variable" | "locals"))
                .map(|block| file.slice(block.range))
                .collect()
        }
        match self.change.base {
            Some(base) if is_auto_loaded(self.file.path) => base.text != self.file.text,
            Some(base) => wiring(base) != wiring(self.file),
            None => is_auto_loaded(self.file.path) || !wiring(self.file).is_empty(),
        }
    }

    /// The instances both sides declare for a block, paired by key; one pair without instance
    /// for a single block, or when either side's instances are not known or too many. `moves`
    /// are the keys the module's `moved` blocks take instances from and to: Terraform pairs
    /// the instances they name that way, and the others by key or as their values would pair
    /// them.
    pub fn instance_pairs(
        &self,
        base: (&str, &Block),
        new: (&str, &Block),
        moves: &[(Key, Key)],
    ) -> Vec<(Option<Instance>, Option<Instance>)> {
        let before = self.base.instances(base.0, base.1);
        let after = self.new.instances(new.0, new.1);
        match (before, after) {
            (Instances::Known(before), Instances::Known(after))
                if before.len() <= MAX_COMPARED_INSTANCES =>
            {
                // Re-keyed instances (`count` to `for_each`, renamed keys) pair as their
                // `moved` blocks would pair them.
                let mapping = self.instance_mapping(base, new).unwrap_or_default();
                before
                    .into_iter()
                    .filter_map(|old| {
                        let key = old.key();
                        let key = moves
                            .iter()
                            .chain(&mapping)
                            .find(|(from, _)| *from == key)
                            .map_or(key, |(_, to)| to.clone());
                        let new = after.iter().find(|new| new.key() == key)?.clone();
                        Some((Some(old), Some(new)))
                    })
                    .collect()
            }
            _ => vec![(None, None)],
        }
    }

    /// How the instances of a block before the edit become those after it, when the edit
    /// re-keys them (`count` to `for_each`, renamed `for_each` keys): each key that is gone,
    /// with the new key of the instance that has the same known value of an attribute whose
    /// values tell the instances apart on both sides (a `name = "web-${count.index}"` that
    /// becomes `name = "web-${each.key}"`). Keys kept on both sides are left out. `None` when
    /// the instances are not known on both sides, or some key that is gone cannot be paired.
    pub fn instance_mapping(
        &self,
        base: (&str, &Block),
        new: (&str, &Block),
    ) -> Option<Vec<(Key, Key)>> {
        let (Instances::Known(before), Instances::Known(after)) = (
            self.base.instances(base.0, base.1),
            self.new.instances(new.0, new.1),
        ) else {
            return None;
        };
        if before.len() > MAX_COMPARED_INSTANCES || after.len() > MAX_COMPARED_INSTANCES {
            return None;
        }
        let old_keys: Vec<Key> = before.iter().map(Instance::key).collect();
        let new_keys: Vec<Key> = after.iter().map(Instance::key).collect();
        let gone: Vec<&Instance> = before
            .iter()
            .filter(|old| !new_keys.contains(&old.key()))
            .collect();
        let added: Vec<&Instance> = after
            .iter()
            .filter(|new| !old_keys.contains(&new.key()))
            .collect();
        if gone.is_empty() {
            return Some(Vec::new());
        }
        if added.len() < gone.len() {
            return None;
        }
        let mut names: Vec<&str> = base
            .1
            .body
            .attributes
            .iter()
            .map(|attribute| attribute.name.as_str())
            .filter(|name| !matches!(*name, "count" | "for_each" | "depends_on" | "provider"))
            .collect();
        names.sort_unstable();
        for name in names {
            let (Some(old_attribute), Some(new_attribute)) =
                (base.1.body.attribute(name), new.1.body.attribute(name))
            else {
                continue;
            };
            let values = |evaluator: &Evaluator<'_>,
                          path: &str,
                          attribute: &Attribute,
                          instances: &[&Instance]|
             -> Option<Vec<String>> {
                let res: Vec<String> = instances
                    .iter()
                    .map(|instance| {
                        let value = evaluator.attribute(path, attribute, Some(instance)).value;
                        is_fully_known(&value).then(|| format!("{value:?}"))
                    })
                    .collect::<Option<_>>()?;
                let mut distinct = res.clone();
                distinct.sort_unstable();
                distinct.dedup();
                (distinct.len() == res.len()).then_some(res)
            };
            let Some(old_values) = values(self.base, base.0, old_attribute, &gone) else {
                continue;
            };
            let Some(new_values) = values(self.new, new.0, new_attribute, &added) else {
                continue;
            };
            let pairs: Option<Vec<(Key, Key)>> = gone
                .iter()
                .zip(&old_values)
                .map(|(old, value)| {
                    let at = new_values.iter().position(|other| other == value)?;
                    Some((old.key(), added[at].key()))
                })
                .collect();
            if pairs.is_some() {
                return pairs;
            }
        }
        None
    }

    /// Evaluates an expression on both sides, instance by instance, with `evaluate(evaluator,
    /// instance, is_base)`. When the block keeps no instance (`count = 0` on a side), no value
    /// of an instance changes: the verdict is `Same`.
    pub fn compare(
        &self,
        pairs: &[(Option<Instance>, Option<Instance>)],
        evaluate: impl Fn(&Evaluator<'_>, Option<&Instance>, bool) -> Evaluation,
    ) -> Option<Compared> {
        if pairs.is_empty() {
            let nothing = || Evaluation {
                value: Value::Unknown,
                trace: Vec::new(),
                limit_reached: false,
            };
            return Some(Compared {
                verdict: Verdict::Same,
                base: nothing(),
                new: nothing(),
                instances: Vec::new(),
            });
        }
        let mut res: Option<Compared> = None;
        let mut instances = Vec::new();
        for (old, new) in pairs {
            let base = evaluate(self.base, old.as_ref(), true);
            let after = evaluate(self.new, new.as_ref(), false);
            let verdict = if base.limit_reached || after.limit_reached {
                Verdict::Undecided
            } else {
                compare(&base.value, &after.value)
            };
            if verdict > Verdict::Undecided
                && let Some(instance) = new
            {
                instances.push(instance.key());
            }
            if res.as_ref().is_none_or(|best| verdict > best.verdict) {
                res = Some(Compared {
                    verdict,
                    base,
                    new: after,
                    instances: Vec::new(),
                });
            }
        }
        res.map(|mut compared| {
            compared.instances = instances;
            compared
        })
    }

    /// Where the file being checked changed a value that the evaluations read: the first
    /// variable or local of their traces whose value the edit changed and that is written (or
    /// was written) in this file. `None` when the change comes from elsewhere.
    pub fn cause(&self, base: &Evaluation, new: &Evaluation) -> Option<Cause> {
        let mut seen = BTreeSet::new();
        for origin in new.trace.iter().chain(&base.trace) {
            let (is_local, name) = match origin {
                Origin::Local { name, .. } => (true, name),
                Origin::Default { variable, .. }
                | Origin::Tfvars { variable, .. }
                | Origin::Caller { variable, .. }
                | Origin::Unset { variable, .. }
                | Origin::Input { variable, .. }
                | Origin::InputDefault { variable, .. } => (false, variable),
            };
            if !seen.insert((is_local, name.clone())) {
                continue;
            }
            let cause = if is_local {
                self.local_cause(name)
            } else {
                self.variable_cause(name)
            };
            if cause.is_some() {
                return cause;
            }
        }
        None
    }

    fn variable_cause(&self, name: &str) -> Option<Cause> {
        let before = self.base.variable(name);
        let after = self.new.variable(name);
        let old = before.map_or(Value::Unknown, |variable| variable.value.clone());
        let new = after.map_or(Value::Unknown, |variable| variable.value.clone());
        if old == new {
            return None;
        }
        let path = self.file.path;
        let file = file_name(path);
        // The edit removed the value from this tfvars file (or deleted the file), or the
        // declaration from this file: where it was.
        let removed_from = before.and_then(|variable| match &variable.origin {
            Origin::Tfvars { location, .. } if location.path == path => Some(location),
            _ => None,
        });
        let unset_here = removed_from.is_some();
        let declared_here = self
            .base
            .module()
            .variables
            .get(name)
            .map(|variable| &variable.location)
            .filter(|location| location.path == path);
        let former = removed_from
            .or(declared_here)
            .map_or_else(TextRange::default, |location| self.former_place(location));
        let (range, what) = match after.map(|variable| &variable.origin) {
            Some(Origin::Tfvars { location, .. }) if location.path == path => (
                location.range,
                format!(
                    "`var.{name}` (set in {}) {}",
                    place(location),
                    change_words(&old, &new)
                ),
            ),
            Some(Origin::Default { location, .. }) if unset_here => (
                former,
                format!(
                    "`var.{name}` is no longer set in {file} and takes its default {} ({}) \
                     instead of {}",
                    describe(&new),
                    place(location),
                    describe(&old)
                ),
            ),
            Some(Origin::Default { location, .. }) if location.path == path => (
                location.range,
                format!(
                    "`var.{name}` (default in {}) {}",
                    place(location),
                    change_words(&old, &new)
                ),
            ),
            Some(Origin::Unset { .. } | Origin::Caller { .. }) if unset_here => (
                former,
                format!(
                    "`var.{name}` is no longer set in {file}, so its value comes from outside the \
                     files instead of {}",
                    describe(&old)
                ),
            ),
            Some(Origin::Unset { location, .. }) if location.path == path => (
                first_line(&self.file.text, location.range),
                format!(
                    "`var.{name}` no longer has a default ({}), so its value comes from outside \
                     the files instead of {}",
                    place(location),
                    describe(&old)
                ),
            ),
            None if unset_here || declared_here.is_some() => (
                former,
                format!(
                    "`var.{name}` is no longer declared, and the expressions that read it \
                         no longer get {}",
                    describe(&old)
                ),
            ),
            _ => return None,
        };
        Some(Cause {
            range,
            what,
            old,
            new,
            local: None,
        })
    }

    fn local_cause(&self, name: &str) -> Option<Cause> {
        let local = self.new.module().locals.get(name)?;
        if local.value.path != self.file.path {
            return None;
        }
        let new_text = self.text_at(&local.value, false)?;
        let old_text = self
            .base
            .module()
            .locals
            .get(name)
            .and_then(|old| self.text_at(&old.value, true));
        if old_text.is_some_and(|old_text| normalise(old_text) == normalise(new_text)) {
            return None;
        }
        let old = if old_text.is_some() {
            self.base.local(name).value
        } else {
            Value::Unknown
        };
        let new = self.new.local(name).value;
        if old == new {
            return None;
        }
        Some(Cause {
            range: local.value.range,
            what: format!(
                "`local.{name}` ({}) {}",
                place(&local.value),
                change_words(&old, &new)
            ),
            old,
            new,
            local: Some(name.to_owned()),
        })
    }

    /// The text at `location` on one side of the edit.
    fn text_at(&self, location: &Location, base: bool) -> Option<&'a str> {
        let (files, own) = if base {
            (self.change.folder_base, self.change.base)
        } else {
            (self.change.folder_new, Some(self.file))
        };
        files
            .iter()
            .copied()
            .chain(own)
            .find(|file| file.path == location.path)
            .and_then(|file| file.text.get(location.range.to_std()))
    }

    /// Where something written at `location` in the base of the file being checked, and gone
    /// from it after the edit, was: the start of the line after the nearest line before it
    /// that is still there, else the start of the file.
    fn former_place(&self, location: &Location) -> TextRange {
        let new = &self.file.text;
        let old = self.change.base.map_or("", |base| &base.text);
        let before = old.get(..location.range.start().to_usize()).unwrap_or("");
        // Whole lines before the removed text; the line it starts on is gone with it.
        let kept = before
            .get(..before.rfind('\n').map_or(0, |index| index + 1))
            .unwrap_or("");
        let lines: Vec<&str> = kept
            .lines()
            .map(|line| line.trim_end_matches('\r'))
            .collect();
        for (index, anchor) in lines.iter().enumerate().rev() {
            if anchor.trim().is_empty() {
                continue;
            }
            // The same line may repeat (`}`): take its occurrence of the same rank.
            let rank = lines[..index].iter().filter(|line| *line == anchor).count();
            let mut offset = 0;
            let mut seen = 0;
            for line in new.split_inclusive('\n') {
                offset += line.len();
                if line.trim_end_matches(['\r', '\n']) == *anchor {
                    if seen == rank {
                        // Past the last line, the finding goes to the start of the last line.
                        let at = if offset < new.len() {
                            offset
                        } else {
                            offset - line.len()
                        };
                        return TextRange::empty(TextSize::from_usize(at));
                    }
                    seen += 1;
                }
            }
        }
        TextRange::empty(TextSize::from_usize(0))
    }
}

/// What the values before and after an edit say.
pub(crate) fn compare(old: &Value, new: &Value) -> Verdict {
    match (is_specific(old), is_specific(new)) {
        (true, true) if old == new => Verdict::Same,
        (true, true) if old.is_known() && new.is_known() => Verdict::Changed { certain: true },
        // A literal may be what the referenced attribute holds.
        (true, true) if old.is_known() || new.is_known() => Verdict::MayChange,
        // Attributes of different objects.
        (true, true) => Verdict::Changed { certain: false },
        _ if old.is_known() || new.is_known() => Verdict::MayChange,
        _ => Verdict::Undecided,
    }
}

/// How a message says that a value changed: `changes from "a" to "b"`.
pub(crate) fn change_words(old: &Value, new: &Value) -> String {
    format!("changes from {} to {}", describe(old), describe(new))
}

/// A value for messages: the value in HCL syntax (cut when long), a reference in backticks, or
/// `a value the files do not decide`.
pub(crate) fn describe(value: &Value) -> String {
    if value.is_known() {
        return quoted(value);
    }
    if is_specific(value) {
        return format!("`{}`", quoted(value));
    }
    "a value the files do not decide".to_owned()
}

impl Cause {
    /// How a message goes on from the cause to the attribute that reads the changed value:
    /// `, which `engine` of `aws_db_instance.main` (main.tf:7) reads`, or `, so `bucket` of
    /// `aws_s3_bucket.logs` (main.tf:9) goes from "a-logs" to "b-logs"` when the attribute's
    /// value is computed from it, with the locals in between.
    pub fn follow(&self, attribute: &str, target: &str, place: &str, values: &Compared) -> String {
        let through = through_locals(&values.new, self.local.as_deref());
        if values.base.value == self.old && values.new.value == self.new {
            return format!(", which `{attribute}` of {target} ({place}) reads{through}");
        }
        format!(
            ", so `{attribute}` of {target} ({place}) goes from {} to {}{through}",
            describe(&values.base.value),
            describe(&values.new.value)
        )
    }
}

/// The locals an evaluation read its value through, but `skip`, for messages: ` through
/// `local.db` (locals.tf:2)`; empty when there are none.
fn through_locals(evaluation: &Evaluation, skip: Option<&str>) -> String {
    let locals: Vec<String> = evaluation
        .trace
        .iter()
        .filter_map(|origin| match origin {
            Origin::Local { name, .. } if Some(name.as_str()) != skip => {
                Some(provenance::origin(origin, None))
            }
            _ => None,
        })
        .collect();
    if locals.is_empty() {
        return String::new();
    }
    format!(" through {}", locals.join(", "))
}

/// The variables and locals that decided an evaluation, for messages: `` `var.create`
/// (default in variables.tf:2) ``; `None` when it read none that hold a value.
pub(crate) fn decided_by(evaluation: &Evaluation) -> Option<String> {
    let chain: Vec<String> = evaluation
        .trace
        .iter()
        .filter_map(|origin| match origin {
            Origin::Caller { .. } | Origin::Unset { .. } => None,
            _ => Some(provenance::origin(origin, None)),
        })
        .collect();
    (!chain.is_empty()).then(|| chain.join(", "))
}

/// A place in a file as messages name it: `main.tf:12`.
pub(crate) fn place_in(file: &SourceFile<'_>, range: TextRange) -> String {
    format!(
        "{}:{}",
        file_name(file.path),
        file.line_index.line_of(range.start()) + 1
    )
}

/// `aws_db_instance.main[0]`, `aws_db_instance.main["a"]` and so on, cut after four.
pub(crate) fn instance_list(address: &str, keys: &[Key]) -> String {
    let names: Vec<String> = keys.iter().map(|key| format!("`{address}{key}`")).collect();
    match names.as_slice() {
        [] => format!("`{address}`"),
        [one] => one.clone(),
        [init @ .., last] if names.len() <= 4 => format!("{} and {last}", init.join(", ")),
        _ => format!("{} and {} more", names[..3].join(", "), names.len() - 3),
    }
}

/// Whether a value names something specific: known, or made of known parts and references to
/// specific objects.
fn is_specific(value: &Value) -> bool {
    match value {
        Value::Unknown => false,
        Value::Reference(_) => true,
        Value::Template(parts) => parts.iter().all(|part| match part {
            Part::Text(_) => true,
            Part::Value(value) => is_specific(value),
        }),
        Value::List(items) => items.iter().all(is_specific),
        Value::Map(entries) => entries.values().all(is_specific),
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
    }
}

/// A value in HCL syntax, cut after `MAX_QUOTED` characters.
fn quoted(value: &Value) -> String {
    provenance::quoted_within(value, MAX_QUOTED)
}

/// The first line of `range` in `text`.
fn first_line(text: &str, range: TextRange) -> TextRange {
    let start = range.start().to_usize();
    let end = text
        .get(start..range.end().to_usize())
        .and_then(|inner| inner.find('\n'))
        .map_or(range.end().to_usize(), |index| start + index);
    TextRange::from_usize(start, end.max(start))
}

/// Whether a value is known through and through: no reference, template or unknown inside.
fn is_fully_known(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
        Value::List(items) => items.iter().all(is_fully_known),
        Value::Map(entries) => entries.values().all(is_fully_known),
        Value::Reference(_) | Value::Template(_) | Value::Unknown => false,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use redline_syntax::terraform_eval::{Reference, Step};

    use super::*;

    fn reference(object: &str) -> Value {
        Value::Reference(Box::new(Reference {
            object: object.to_owned(),
            instance: None,
            path: vec![Step::Attribute("id".to_owned())],
        }))
    }

    #[test]
    fn verdicts() {
        let text = |value: &str| Value::String(value.to_owned());
        assert_eq!(compare(&text("a"), &text("a")), Verdict::Same);
        assert_eq!(
            compare(&text("a"), &text("b")),
            Verdict::Changed { certain: true }
        );
        assert_eq!(compare(&text("a"), &Value::Unknown), Verdict::MayChange);
        assert_eq!(compare(&Value::Unknown, &text("b")), Verdict::MayChange);
        assert_eq!(
            compare(&Value::Unknown, &Value::Unknown),
            Verdict::Undecided
        );
        assert_eq!(
            compare(&reference("aws_subnet.a"), &reference("aws_subnet.a")),
            Verdict::Same
        );
        assert_eq!(
            compare(&reference("aws_subnet.a"), &reference("aws_subnet.b")),
            Verdict::Changed { certain: false }
        );
        assert_eq!(
            compare(&text("subnet-1"), &reference("aws_subnet.b")),
            Verdict::MayChange
        );
        assert_eq!(
            compare(&reference("aws_subnet.a"), &Value::Unknown),
            Verdict::Undecided
        );
        let map = Value::Map(BTreeMap::from([("a".to_owned(), Value::Unknown)]));
        assert_eq!(compare(&map, &map), Verdict::Undecided);
    }

    #[test]
    fn values_in_messages() {
        assert_eq!(describe(&Value::String("mysql".into())), "\"mysql\"");
        assert_eq!(describe(&reference("aws_subnet.a")), "`aws_subnet.a.id`");
        assert_eq!(describe(&Value::Unknown), "a value the files do not decide");
        assert!(describe(&Value::String("x".repeat(100))).ends_with('…'));
        assert_eq!(
            instance_list("aws_instance.web", &[Key::Index(1), Key::Index(2)]),
            "`aws_instance.web[1]` and `aws_instance.web[2]`"
        );
    }
}

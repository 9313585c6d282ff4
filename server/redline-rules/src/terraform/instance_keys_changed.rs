use std::collections::BTreeSet;

use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::terraform::{Repetition, Syntax};
use redline_syntax::{Format, SourceFile};

use redline_syntax::terraform::Attribute;
use redline_syntax::terraform_eval::Key;
use redline_syntax::terraform_eval::evaluate::{Evaluation, Instance, Instances};

use crate::terraform::module_change::{Entry, Kind, ModuleChange, normalise, slice};
use crate::terraform::newline;
use crate::terraform::protection::{holds_data, is_stateful};
use crate::terraform::value_change::{Sides, decided_by, instance_list, place_in};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit that changes how a `resource` or `module` block keys its instances in a way
    /// that destroys some of them:
    /// switching between `count` and `for_each` (or from `for_each` to a single instance)
    /// without `moved` blocks for the instances;
    /// lowering a known `count` (`count = 3` to `count = 2`, `count = var.create ? 1 : 0` to
    /// `count = 0`);
    /// removing keys from a known `for_each` map or set.
    /// Stateful resources and module calls are errors, other resources warnings.
    ///
    /// `count` and `for_each` are evaluated as Terraform reads them, through variable
    /// defaults, tfvars files and locals, before and after the edit.
    /// When the expression itself is unchanged and the edit changes a default, a tfvars value
    /// or a local it reads (`create = false` in `terraform.tfvars`), the finding is reported at
    /// that value, naming the instances destroyed and how the count became known.
    /// When the files do not decide the count or the keys on either side, nothing is
    /// reported.
    ///
    /// ## Why it matters
    /// Terraform identifies instances by key: `aws_instance.web[0]` and
    /// `aws_instance.web["a"]` are different objects.
    /// A new repetition or a missing key makes Terraform destroy the old instances
    /// (`delete_because_wrong_repetition`, `delete_because_count_index`,
    /// `delete_because_each_key`) and create new ones.
    /// Switching from no `count` to `count` is safe: Terraform moves the single instance to
    /// index 0 by itself; removing `count` keeps index 0 as the single instance and destroys
    /// the others, and lowering `count` destroys the highest indexes, without creating
    /// anything.
    ///
    /// ## Example
    /// The edit replaces `count = 2`:
    /// ```hcl
    /// resource "aws_ebs_volume" "data" {
    ///   for_each = toset(["a", "b"])
    /// }
    /// ```
    ///
    /// ## Use instead
    /// ```hcl
    /// resource "aws_ebs_volume" "data" {
    ///   for_each = toset(["a", "b"])
    /// }
    ///
    /// moved {
    ///   from = aws_ebs_volume.data[0]
    ///   to   = aws_ebs_volume.data["a"]
    /// }
    ///
    /// moved {
    ///   from = aws_ebs_volume.data[1]
    ///   to   = aws_ebs_volume.data["b"]
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// When the old instances can be paired with the new ones (a re-keyed block whose
    /// instances are told apart by an attribute with the same known value before and after,
    /// such as `name = "data-${count.index}"` that becomes `name = "data-${each.key}"`), the
    /// fix adds one `moved` block per re-keyed instance after the block.
    /// It is safe: Terraform then keeps each object and only records its new key.
    /// Paired this way, an attribute whose value is the same for each pair is not changed by
    /// the edit, so no replacement is reported for it either.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-004 -- replicas are stateless` on the line above `count` or
    /// `for_each`, or above the default, tfvars value or local where the finding is reported.
    ///
    /// ## References
    /// - Terraform language, "Refactoring": `moved` blocks between `count` and `for_each`
    /// - Terraform JSON plan format, `action_reason` values `delete_because_*`
    InstanceKeysChanged {
        id: "RL-TF-004", name: "instance-keys-changed",
        summary: "An edit re-keys `count`/`for_each` instances so that some are destroyed",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let Some(change) = ctx.change() else {
        return;
    };
    let file = ctx.file();
    let module = ModuleChange::of(change, file);
    let sides = Sides::of(ctx);
    let may_hold_cause = sides.is_some_and(|sides| sides.file_may_hold_cause());
    for &(base, new) in module.kept() {
        let old = &module.base[base];
        let entry = &module.new[new];
        let in_file = entry.file.path == file.path;
        if !(in_file || may_hold_cause) {
            continue;
        }
        let severe = entry.kind == Kind::Module || is_stateful(entry.type_name);
        let edited =
            slice(&old.file.text, old.block.range) != slice(&entry.file.text, entry.block.range);
        if in_file
            && edited
            && let Some(switch) = switched(&module, sides, old, entry)
        {
            let address = &entry.address;
            let mapping = sides.and_then(|sides| {
                sides.instance_mapping((old.file.path, old.block), (entry.file.path, entry.block))
            });
            let message = match switch {
                Switch::Rekeyed(what) => format!(
                    "{what}: Terraform will destroy those instances of `{address}` and create new \
                     ones; add `moved` blocks from each old instance address to its new one, or \
                     keep the previous keys"
                ),
                Switch::CountRemoved { before } => {
                    let destroyed: Vec<Key> = (1..before as u64).map(Key::Index).collect();
                    format!(
                        "`count = {before}` was removed: index 0 becomes the single instance of \
                         `{address}`, and Terraform will destroy {}; keep `count` unless those \
                         instances are meant to be destroyed",
                        instance_list(address, &destroyed)
                    )
                }
            };
            let range = entry
                .attribute("for_each")
                .or_else(|| entry.attribute("count"))
                .map_or_else(|| entry.name_range(), |attribute| attribute.range);
            let mut diagnostic = ctx.diagnostic(range, message);
            if severe {
                diagnostic.severity = Severity::Error;
            }
            if let Some(fix) = mapping.and_then(|mapping| moved_fix(file, entry, &mapping)) {
                diagnostic = diagnostic.with_fix(fix);
            }
            ctx.report(diagnostic);
            continue;
        }
        let Some(sides) = sides else {
            continue;
        };
        let Some(shrunk) = shrunk(&module, sides, old, entry) else {
            continue;
        };
        let text_changed = normalise(slice(&old.file.text, shrunk.before.value.range))
            != normalise(slice(&entry.file.text, shrunk.after.value.range));
        let name = shrunk.after.name.as_str();
        let address = &entry.address;
        let destroyed = instance_list(address, &shrunk.gone);
        let one = shrunk.gone.len() == 1;
        let holds = match entry.kind {
            Kind::Module if one => " and every resource it created",
            Kind::Module => " and every resource they created",
            Kind::Resource if holds_data(entry.type_name) && one => " and the data it holds",
            Kind::Resource if holds_data(entry.type_name) => " and the data they hold",
            Kind::Resource => "",
        };
        let advice = if name == "count" {
            "keep the previous count unless those instances are meant to be destroyed"
        } else {
            "keep the previous keys, or add `moved` blocks from each old instance address to its \
             new one"
        };
        let (range, message) = if text_changed {
            if !in_file {
                continue;
            }
            let how = |evaluation: &Evaluation| {
                decided_by(evaluation)
                    .map_or_else(String::new, |chain| format!(" (through {chain})"))
            };
            let what = match name {
                "count" => format!(
                    "`count` goes from {}{} to {}{}",
                    shrunk.before_count,
                    how(&shrunk.base),
                    shrunk.after_count,
                    how(&shrunk.new)
                ),
                _ => format!(
                    "`for_each` no longer has the keys {}{}",
                    keys_text(&shrunk.gone),
                    how(&shrunk.new)
                ),
            };
            (
                shrunk.after.range,
                format!("{what}: Terraform will destroy {destroyed}{holds}; {advice}"),
            )
        } else {
            let Some(cause) = sides.cause(&shrunk.base, &shrunk.new) else {
                continue;
            };
            let what = match name {
                "count" => format!(
                    "goes from {} to {}",
                    shrunk.before_count, shrunk.after_count
                ),
                _ => format!("no longer has the keys {}", keys_text(&shrunk.gone)),
            };
            (
                cause.range,
                format!(
                    "{}, so `{name}` of `{address}` ({}) {what}: Terraform will destroy \
                     {destroyed}{holds}; {advice}",
                    cause.what,
                    place_in(entry.file, shrunk.after.range),
                ),
            )
        };
        let mut diagnostic = ctx.diagnostic(range, message);
        if severe {
            diagnostic.severity = Severity::Error;
        }
        // Renamed keys whose instances can be paired get their `moved` blocks.
        if name == "for_each"
            && entry.file.path == file.path
            && let Some(mapping) =
                sides.instance_mapping((old.file.path, old.block), (entry.file.path, entry.block))
            && shrunk
                .gone
                .iter()
                .all(|key| mapping.iter().any(|(from, _)| from == key))
            && let Some(fix) = moved_fix(file, entry, &mapping)
        {
            diagnostic = diagnostic.with_fix(fix);
        }
        if !text_changed && entry.file.path == file.path {
            diagnostic = diagnostic.with_related(
                shrunk.after.range,
                format!("`{name}` of `{address}` reads the changed value"),
            );
        }
        ctx.report(diagnostic);
    }
}

/// A `count` or `for_each` whose known instances lose some keys through the edit.
struct Shrunk<'m> {
    /// The attribute before the edit.
    before: &'m Attribute,
    /// The attribute after the edit.
    after: &'m Attribute,
    base: Evaluation,
    new: Evaluation,
    before_count: usize,
    after_count: usize,
    /// The keys that go away, without those a `moved` block takes elsewhere.
    gone: Vec<Key>,
}

/// A switch of repetition that destroys instances.
enum Switch {
    /// The instances get other keys (`count` to `for_each`, or back): the message's start.
    Rekeyed(String),
    /// `count` was removed: index 0 becomes the single instance, the others are destroyed.
    CountRemoved { before: usize },
}

/// What a switch of repetition destroys; `None` when it destroys no instance.
fn switched(
    module: &ModuleChange<'_>,
    sides: Option<Sides<'_>>,
    old: &Entry<'_>,
    new: &Entry<'_>,
) -> Option<Switch> {
    let has_moved_instances = module.moved_instances(&old.address).next().is_some();
    match (old.repetition, new.repetition) {
        (Repetition::Count, Repetition::Single) => {
            let before = match sides?.base.instances(old.file.path, old.block) {
                Instances::Known(instances) => instances.len(),
                _ => return None,
            };
            (before > 1 && !has_moved_instances).then_some(Switch::CountRemoved { before })
        }
        (Repetition::Single, Repetition::Count) => None,
        (before, after) if before != after => (!has_moved_instances).then(|| {
            Switch::Rekeyed(format!(
                "the block switches from {} to {} without `moved` blocks",
                repetition_name(before),
                repetition_name(after)
            ))
        }),
        _ => None,
    }
}

/// The `moved` blocks that keep re-keyed instances, after the block: safe, since they only
/// record each object's new address. `None` for JSON syntax or when nothing is re-keyed.
fn moved_fix(file: &SourceFile<'_>, entry: &Entry<'_>, mapping: &[(Key, Key)]) -> Option<Fix> {
    if mapping.is_empty() || file.terraform().syntax != Syntax::Hcl {
        return None;
    }
    let nl = newline(&file.text);
    let address = &entry.address;
    let mut text = String::new();
    for (from, to) in mapping {
        text.push_str(&format!(
            "{nl}{nl}moved {{{nl}  from = {address}{}{nl}  to   = {address}{}{nl}}}",
            key_suffix(from),
            key_suffix(to)
        ));
    }
    Some(Fix::single(
        format!(
            "Add {} `moved` block{} for the re-keyed instances",
            mapping.len(),
            if mapping.len() == 1 { "" } else { "s" }
        ),
        Applicability::Safe,
        Edit::insert(entry.block.range.end(), text),
    ))
}

/// `[0]` or `["key"]`, as an instance address writes a key.
fn key_suffix(key: &Key) -> String {
    match key {
        Key::Index(index) => format!("[{index}]"),
        Key::Name(name) => format!("[{}]", quoted(name)),
    }
}

/// A string as an HCL string literal.
fn quoted(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
        .replace("${", "$${")
        .replace("%{", "%%{");
    format!("\"{escaped}\"")
}

/// The instances a `count` or `for_each` kept on both sides no longer declares, when both
/// sides are known.
fn shrunk<'m>(
    module: &ModuleChange<'m>,
    sides: Sides<'_>,
    old: &Entry<'m>,
    new: &Entry<'m>,
) -> Option<Shrunk<'m>> {
    let name = match (old.repetition, new.repetition) {
        (Repetition::Count, Repetition::Count) => "count",
        (Repetition::ForEach, Repetition::ForEach) => "for_each",
        _ => return None,
    };
    let before = old.block.body.attribute(name)?;
    let after = new.block.body.attribute(name)?;
    let keys = |instances: Instances| match instances {
        Instances::Known(instances) => Some(
            instances
                .iter()
                .map(Instance::key)
                .collect::<BTreeSet<Key>>(),
        ),
        _ => None,
    };
    let old_keys = keys(sides.base.instances(old.file.path, old.block))?;
    let new_keys = keys(sides.new.instances(new.file.path, new.block))?;
    let moved: BTreeSet<Key> = module
        .moved_instances(&old.address)
        .filter_map(|from| moved_key(from, &old.address))
        .collect();
    let gone: Vec<Key> = old_keys
        .difference(&new_keys)
        .filter(|key| !moved.contains(*key))
        .cloned()
        .collect();
    if gone.is_empty() {
        return None;
    }
    Some(Shrunk {
        before,
        after,
        base: sides.base.attribute(old.file.path, before, None),
        new: sides.new.attribute(new.file.path, after, None),
        before_count: old_keys.len(),
        after_count: new_keys.len(),
        gone,
    })
}

/// The instance key a `moved` block's `from` names (`aws_x.a[0]`, `aws_x.a["k"]`).
fn moved_key(from: &str, address: &str) -> Option<Key> {
    let inner = from
        .strip_prefix(address)?
        .strip_prefix('[')?
        .strip_suffix(']')?;
    if let Ok(index) = inner.parse::<u64>() {
        return Some(Key::Index(index));
    }
    literal_keys(inner)
        .and_then(|keys| keys.into_iter().next())
        .map(Key::Name)
}

/// `"a", "b"` for messages.
fn keys_text(keys: &[Key]) -> String {
    keys.iter()
        .map(|key| match key {
            Key::Index(index) => index.to_string(),
            Key::Name(name) => format!("{name:?}"),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn repetition_name(repetition: Repetition) -> &'static str {
    match repetition {
        Repetition::Single => "a single instance",
        Repetition::Count => "`count`",
        Repetition::ForEach => "`for_each`",
    }
}

/// The keys of a literal `for_each` value: the elements of `["a", "b"]` or
/// `toset(["a", "b"])`, or the keys of `{ a = …, "b" = … }`. `None` for anything computed.
fn literal_keys(source: &str) -> Option<BTreeSet<String>> {
    let mut text = source.trim();
    if let Some(inner) = text.strip_prefix("toset(") {
        text = inner.strip_suffix(')')?.trim();
    }
    if let Some(inner) = text.strip_prefix('[') {
        let inner = inner.strip_suffix(']')?;
        let mut res = BTreeSet::new();
        for item in split_top_level(inner, &[',']) {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            res.insert(plain_string(item)?);
        }
        return Some(res);
    }
    if let Some(inner) = text.strip_prefix('{') {
        let inner = inner.strip_suffix('}')?;
        let mut res = BTreeSet::new();
        for item in split_top_level(inner, &[',', '\n']) {
            let item = item.trim();
            if item.is_empty() || item.starts_with('#') || item.starts_with("//") {
                continue;
            }
            let end = key_end(item)?;
            let key = item[..end].trim();
            let key = if key.starts_with('"') {
                plain_string(key)?
            } else if key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                key.to_owned()
            } else {
                return None;
            };
            res.insert(key);
        }
        return Some(res);
    }
    // A quoted key alone, as in `aws_x.a["key"]`.
    plain_string(text).map(|key| BTreeSet::from([key]))
}

/// The end of an object key: the first `=` or `:` outside a string.
fn key_end(item: &str) -> Option<usize> {
    let mut in_string = false;
    let mut previous = '\0';
    for (index, c) in item.char_indices() {
        match c {
            '"' if previous != '\\' => in_string = !in_string,
            '=' | ':' if !in_string => return Some(index),
            _ => {}
        }
        previous = c;
    }
    None
}

/// A string literal without interpolation, unquoted.
fn plain_string(item: &str) -> Option<String> {
    let inner = item.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains(['"', '\\']) || inner.contains("${") || inner.contains("%{") {
        return None;
    }
    Some(inner.to_owned())
}

/// Splits `text` at `separators` that are outside strings and brackets.
fn split_top_level<'t>(text: &'t str, separators: &[char]) -> Vec<&'t str> {
    let mut res = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut previous = '\0';
    let mut start = 0;
    for (index, c) in text.char_indices() {
        match c {
            '"' if previous != '\\' => in_string = !in_string,
            '(' | '[' | '{' if !in_string => depth += 1,
            ')' | ']' | '}' if !in_string => depth = depth.saturating_sub(1),
            c if !in_string && depth == 0 && separators.contains(&c) => {
                res.push(&text[start..index]);
                start = index + c.len_utf8();
            }
            _ => {}
        }
        previous = c;
    }
    res.push(&text[start..]);
    res
}

#[cfg(test)]
mod tests {
    use super::*;
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/instance-keys-changed/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/instance-keys-changed/quiet.tf");
    }

    #[test]
    fn fires_rekeyed() {
        check_fixture("terraform/instance-keys-changed/fires-rekeyed.tf");
    }

    #[test]
    fn reads_literal_keys() {
        let keys = |text: &str| literal_keys(text).map(|k| k.into_iter().collect::<Vec<_>>());
        assert_eq!(
            keys("toset([\"a\", \"b\"])"),
            Some(vec!["a".into(), "b".into()])
        );
        assert_eq!(
            keys("{\n  a = { size = 1 }\n  \"b-c\" = 2,\n}"),
            Some(vec!["a".into(), "b-c".into()])
        );
        assert_eq!(keys("var.names"), None);
        assert_eq!(keys("[\"${var.x}\"]"), None);
    }
}

use std::collections::BTreeSet;

use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::terraform::Repetition;

use crate::terraform::module_change::{Entry, Kind, ModuleChange, slice};
use crate::terraform::protection::is_stateful;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit that changes how a `resource` or `module` block keys its instances in a way
    /// that destroys some of them:
    /// switching between `count` and `for_each` (or from `for_each` to a single instance)
    /// without `moved` blocks for the instances;
    /// lowering a literal `count` (`count = 3` to `count = 2`);
    /// removing keys from a literal `for_each` map or set.
    /// Stateful resources and module calls are errors, other resources warnings.
    ///
    /// ## Why it matters
    /// Terraform identifies instances by key: `aws_instance.web[0]` and
    /// `aws_instance.web["a"]` are different objects.
    /// A new repetition or a missing key makes Terraform destroy the old instances
    /// (`delete_because_wrong_repetition`, `delete_because_count_index`,
    /// `delete_because_each_key`) and create new ones.
    /// Switching from no `count` to `count` is safe: Terraform moves the single instance to
    /// index 0 by itself.
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
    /// ## Suppression
    /// `# redline:ignore RL-TF-004 -- replicas are stateless` on the line above `count` or
    /// `for_each`.
    ///
    /// ## References
    /// - Terraform language, "Refactoring": `moved` blocks between `count` and `for_each`
    /// - Terraform JSON plan format, `action_reason` values `delete_because_*`
    InstanceKeysChanged {
        id: "RL-TF-004", name: "instance-keys-changed",
        summary: "An edit re-keys `count`/`for_each` instances so that some are destroyed",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let Some(change) = ctx.change() else {
        return;
    };
    let file = ctx.file();
    let module = ModuleChange::new(change, file);
    for (base, new) in module.edited() {
        let old = &module.base[base];
        let entry = &module.new[new];
        if entry.file.path != file.path {
            continue;
        }
        let has_moved_instances = module.moved_instances(&old.address).next().is_some();
        let Some(what) = destroyed(&module, old, entry, has_moved_instances) else {
            continue;
        };
        let address = &entry.address;
        let message = format!(
            "{what}: Terraform will destroy those instances of `{address}` and create new ones; \
             add `moved` blocks from each old instance address to its new one, or keep the \
             previous keys"
        );
        let range = entry
            .attribute("for_each")
            .or_else(|| entry.attribute("count"))
            .map_or_else(|| entry.name_range(), |attribute| attribute.range);
        let mut diagnostic = ctx.diagnostic(range, message);
        if entry.kind == Kind::Module || is_stateful(entry.type_name) {
            diagnostic.severity = Severity::Error;
        }
        ctx.report(diagnostic);
    }
}

/// What the edit destroys, for the message; `None` when it destroys no instance.
fn destroyed(
    module: &ModuleChange<'_>,
    old: &Entry<'_>,
    new: &Entry<'_>,
    has_moved_instances: bool,
) -> Option<String> {
    let count = |entry: &Entry<'_>| {
        entry
            .attribute("count")
            .and_then(|count| count.value.value.as_number())
    };
    let keys = |entry: &Entry<'_>| {
        entry
            .attribute("for_each")
            .and_then(|for_each| literal_keys(slice(entry.file.text, for_each.value.range)))
    };
    match (old.repetition, new.repetition) {
        (Repetition::Single, Repetition::Count) => None,
        (Repetition::Count, Repetition::Single) => {
            let before = count(old)?;
            (before > 1.0 && !has_moved_instances).then(|| {
                format!("`count = {before}` was removed: only index 0 becomes the single instance")
            })
        }
        (before, after) if before != after => (!has_moved_instances).then(|| {
            format!(
                "the block switches from {} to {} without `moved` blocks",
                repetition_name(before),
                repetition_name(after)
            )
        }),
        (Repetition::Count, Repetition::Count) => {
            let (before, after) = (count(old)?, count(new)?);
            (after < before).then(|| {
                format!(
                    "`count` goes from {before} to {after}: indexes {after} to {} go away",
                    before - 1.0
                )
            })
        }
        (Repetition::ForEach, Repetition::ForEach) => {
            let (before, after) = (keys(old)?, keys(new)?);
            let moved: BTreeSet<String> = module
                .moved_instances(&old.address)
                .filter_map(|from| {
                    let key = from.get(old.address.len()..)?;
                    literal_keys(key.trim_start_matches('[').trim_end_matches(']'))
                        .and_then(|keys| keys.into_iter().next())
                })
                .collect();
            let gone: Vec<String> = before
                .difference(&after)
                .filter(|key| !moved.contains(*key))
                .map(|key| format!("\"{key}\""))
                .collect();
            (!gone.is_empty())
                .then(|| format!("`for_each` no longer has the keys {}", gone.join(", ")))
        }
        _ => None,
    }
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

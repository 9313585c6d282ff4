use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::SourceFile;
use redline_syntax::iam_policy::{Effect, Item, Policy, PolicyKind, Statement, Values};
use redline_syntax::terraform_eval::Value;
use redline_syntax::terraform_eval::evaluate::Evaluator;
use redline_text::TextRange;

use super::POLICY_FORMATS;
use super::actions::glob_match;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit that widens an existing IAM policy: a statement that now allows an action on a
    /// resource the policy did not allow before, a condition dropped from a grant, a principal
    /// added to a trust or resource policy, or a `Deny` statement removed.
    /// The message lists what is newly granted ("adds `iam:PassRole` on `*`").
    /// This rule judges edits: it runs in `redline diff`, in the editor against the file's
    /// base and in the agent gate. New policies are judged by the other IAM rules.
    ///
    /// In Terraform (`jsonencode` policies and `aws_iam_policy_document` data sources), a
    /// `Resource` is read through the module: a reference to an object of the module
    /// (`aws_s3_bucket.logs.arn`, `"${module.bucket.arn}/*"`) names that one resource.
    /// It is narrower than `*`, two different references are different resources, and
    /// `"${aws_s3_bucket.logs.arn}/*"` (the objects) is not `aws_s3_bucket.logs.arn` (the
    /// bucket).
    /// So a grant whose `Resource` was a reference and becomes `"*"`, or that gains an action
    /// on a reference, is a widening, and the message names the reference.
    /// An ARN written out may be the same resource as a reference, so replacing one by the
    /// other is not reported; a `Resource` the files do not decide (a variable set outside
    /// them) is never taken for narrower than anything.
    ///
    /// ## Why it matters
    /// Permissions grow one line at a time, and the line that turns a deploy role into an
    /// administrator looks harmless in review.
    /// An agent that can edit its own role's policy can grant itself what it was denied.
    /// Seeing exactly what an edit adds is what a reviewer needs to approve or refuse it.
    ///
    /// ## Example
    /// Before:
    /// ```json
    /// {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::artifacts/*"}
    /// ```
    /// After:
    /// ```json
    /// {"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": "*"}
    /// ```
    ///
    /// ## Use instead
    /// Grant the new action only on the resources that need it, keep conditions, and have the
    /// widening reviewed by someone who owns the role.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-IAM-022 -- reason` on the line above (Terraform, YAML); an
    /// `[[ignore]]` entry in `redline.toml` for JSON files.
    ///
    /// ## References
    /// - AWS IAM User Guide, "Apply least-privilege permissions"
    PermissionWidened {
        id: "RL-IAM-022", name: "permission-widened",
        summary: "An edit widens an existing IAM policy: new actions, resources or principals, or a dropped condition or Deny",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::Medium,
        formats: POLICY_FORMATS, fix: FixAvailability::None, status: Status::Preview,
    }
}

/// Services whose grants on `*` make the widening an error.
const CRITICAL_SERVICES: &[&str] = &["iam", "sts", "organizations", "kms"];

fn check(ctx: &mut RuleContext<'_>) {
    let Some(change) = ctx.change() else {
        return;
    };
    let file = ctx.file();
    // The base policies of the folder (Terraform modules span files), keyed by owner and kind.
    let mut base_files: Vec<&SourceFile<'_>> = change.folder_base.to_vec();
    if let Some(base) = change.base
        && !base_files.iter().any(|other| other.path == base.path)
    {
        base_files.push(base);
    }
    let base_policies: Vec<(Resolver<'_>, &Policy)> = base_files
        .iter()
        .filter(|base| base.format == file.format)
        .flat_map(|base| {
            let resolver = Resolver {
                evaluator: change.base_module(),
                file: base,
            };
            base.policies().iter().map(move |policy| (resolver, policy))
        })
        .collect();
    let resolver = Resolver {
        evaluator: ctx.terraform_module(),
        file,
    };

    let policies = file.policies();
    for (index, policy) in policies.iter().enumerate() {
        let ordinal = policies[..index]
            .iter()
            .filter(|other| same_slot(other, policy))
            .count();
        let Some((base_resolver, base)) = base_policies
            .iter()
            .filter(|(_, other)| same_slot(other, policy))
            .nth(ordinal)
        else {
            continue;
        };
        if base.incomplete || policy.incomplete {
            continue;
        }
        let base_allows: Vec<Resolved<'_>> = base
            .allows()
            .map(|statement| Resolved {
                statement,
                resources: base_resolver.resources(statement),
            })
            .collect();
        check_policy(ctx, base, &base_allows, policy, resolver);
    }
}

/// Reads the values of a policy's file through its Terraform module, so that a `Resource`
/// written as a reference (`aws_s3_bucket.logs.arn`, `"${module.bucket.arn}/*"`) or through a
/// variable is a resource like any ARN.
#[derive(Clone, Copy)]
struct Resolver<'a> {
    /// The module's evaluator; `None` outside Terraform.
    evaluator: Option<&'a Evaluator<'a>>,
    /// The file the policy is written in.
    file: &'a SourceFile<'a>,
}

/// What a statement grants on, as far as the files tell.
#[derive(Clone, Debug, Default)]
struct Resources {
    /// The resources written out or resolved.
    targets: Vec<Target>,
    /// The statement may grant on anything: `NotResource`, no `Resource` in a resource policy,
    /// or a list the files do not decide.
    any: bool,
}

/// A resource of a statement.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Target {
    /// An ARN or a pattern of ARNs (`*`, `arn:aws:s3:::logs/*`).
    Pattern(String),
    /// An attribute of one object of the module, followed by literal text: `aws_s3_bucket.logs.arn`
    /// or `"${module.bucket.arn}/*"`. It names one specific resource, never a wildcard.
    Reference {
        /// `aws_s3_bucket.logs.arn`.
        reference: String,
        /// `/*`, or empty.
        suffix: String,
    },
}

/// A base statement with what it grants on.
struct Resolved<'p> {
    statement: &'p Statement,
    resources: Resources,
}

impl Resolver<'_> {
    /// The value written at `range`, when the module decides at least part of it.
    fn value(&self, range: TextRange) -> Option<Value> {
        let evaluation = self.evaluator?.expression(self.file, range, None);
        (!evaluation.limit_reached && evaluation.value != Value::Unknown)
            .then_some(evaluation.value)
    }

    /// The resources a statement grants on.
    fn resources(&self, statement: &Statement) -> Resources {
        let Some(values) = &statement.resource else {
            // `NotResource`, or a resource policy without `Resource`.
            return Resources {
                targets: vec![Target::Pattern("*".to_owned())],
                any: true,
            };
        };
        if !values.unknown {
            let targets = values
                .items
                .iter()
                .filter_map(|item| match &item.value {
                    Some(value) => Some(Target::Pattern(value.clone())),
                    None => self.value(item.range).as_ref().and_then(target),
                })
                .collect();
            return Resources {
                targets,
                any: false,
            };
        }
        let mut res = Resources {
            targets: Vec::new(),
            any: true,
        };
        match self.value(values.range) {
            Some(Value::List(items)) => {
                res.targets = items.iter().filter_map(target).collect();
                res.any = res.targets.len() != items.len();
            }
            Some(value) => {
                if let Some(found) = target(&value) {
                    res.targets.push(found);
                    res.any = false;
                }
            }
            None => {}
        }
        res
    }
}

/// A resource written as a value: a string, or a reference with literal text after it.
fn target(value: &Value) -> Option<Target> {
    if let Some(text) = value.as_str() {
        return Some(Target::Pattern(text.to_owned()));
    }
    let (reference, suffix) = value.reference_with_suffix()?;
    Some(Target::Reference {
        reference: reference.to_string(),
        suffix: suffix.to_owned(),
    })
}

impl Target {
    /// Whether a grant on `self` includes a grant on `other`. A reference is one specific
    /// resource: `*` includes it, a different reference does not, and an ARN written out may
    /// be the same resource, so each is taken to include the other unless it is wider (holds a
    /// wildcard before the reference's literal text).
    fn covers(&self, other: &Target) -> bool {
        match (self, other) {
            (Target::Pattern(pattern), Target::Pattern(resource)) => glob_match(
                &pattern.to_ascii_lowercase(),
                &resource.to_ascii_lowercase(),
            ),
            (Target::Pattern(pattern), Target::Reference { suffix, .. }) => {
                pattern == "*" || ends_with_ignore_case(pattern, suffix)
            }
            (
                Target::Reference { reference, suffix },
                Target::Reference {
                    reference: other,
                    suffix: other_suffix,
                },
            ) => {
                reference == other
                    && glob_match(
                        &suffix.to_ascii_lowercase(),
                        &other_suffix.to_ascii_lowercase(),
                    )
            }
            (Target::Reference { suffix, .. }, Target::Pattern(resource)) => {
                ends_with_ignore_case(resource, suffix)
                    && resource
                        .get(..resource.len() - suffix.len())
                        .is_some_and(|head| !head.is_empty() && !head.contains(['*', '?']))
            }
        }
    }

    fn is_reference(&self) -> bool {
        matches!(self, Target::Reference { .. })
    }
}

impl std::fmt::Display for Target {
    /// The resource as a message names it: the ARN, `aws_s3_bucket.logs.arn`, or
    /// `${aws_s3_bucket.logs.arn}/*`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Pattern(pattern) => f.write_str(pattern),
            Target::Reference { reference, suffix } if suffix.is_empty() => f.write_str(reference),
            Target::Reference { reference, suffix } => write!(f, "${{{reference}}}{suffix}"),
        }
    }
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text
            .get(text.len() - suffix.len()..)
            .is_some_and(|end| end.eq_ignore_ascii_case(suffix))
}

/// Two policies hold the same place: same owner (resource address, logical id, or the file
/// for a policy file) and same kind.
fn same_slot(a: &Policy, b: &Policy) -> bool {
    a.owner == b.owner && a.kind == b.kind
}

fn check_policy(
    ctx: &mut RuleContext<'_>,
    base: &Policy,
    base_allows: &[Resolved<'_>],
    policy: &Policy,
    resolver: Resolver<'_>,
) {
    for statement in policy.allows() {
        let mut added: Vec<String> = Vec::new();
        let mut first: Option<&Item> = None;
        let mut critical = false;
        let mut dropped_conditions: Vec<String> = Vec::new();

        // Actions on resources.
        if let Some(actions) = &statement.action
            && !actions.unknown
        {
            let resources = resolver.resources(statement);
            for (action, item) in actions.known() {
                for resource in &resources.targets {
                    match coverage(base_allows, statement, action, resource) {
                        Coverage::Covered => {}
                        Coverage::OnlyWithConditions(keys) => {
                            for key in keys {
                                if !dropped_conditions.contains(&key) {
                                    dropped_conditions.push(key);
                                }
                            }
                            first.get_or_insert(item);
                        }
                        Coverage::New { narrower } => {
                            let before = if narrower.is_empty() {
                                String::new()
                            } else {
                                let names: Vec<String> = narrower
                                    .iter()
                                    .map(|target| format!("`{target}`"))
                                    .collect();
                                format!(" (allowed before only on {})", list(&names))
                            };
                            added.push(format!("`{action}` on `{resource}`{before}"));
                            critical |= is_critical(action, &resource.to_string());
                            first.get_or_insert(item);
                        }
                    }
                }
            }
        }

        // Principals of trust and resource policies.
        if policy.kind != PolicyKind::Identity
            && let Some(principals) = &statement.principal
            && !principals.unknown
        {
            for entry in &principals.entries {
                let Some(value) = entry.value.value.as_deref() else {
                    continue;
                };
                let known_before = base.allows().any(|old| {
                    old.principal.as_ref().is_none_or(|old| {
                        old.unknown
                            || old.entries.iter().any(|old| {
                                old.kind == entry.kind
                                    && old.value.value.as_deref().is_none_or(|old_value| {
                                        glob_match(
                                            &old_value.to_ascii_lowercase(),
                                            &value.to_ascii_lowercase(),
                                        )
                                    })
                            })
                    })
                });
                if !known_before {
                    added.push(format!("principal `{value}`"));
                    critical |= value == "*";
                    first.get_or_insert(&entry.value);
                }
            }
        }

        let Some(item) = first else {
            continue;
        };
        let mut parts = Vec::new();
        if !added.is_empty() {
            parts.push(format!("adds {}", list(&added)));
        }
        if !dropped_conditions.is_empty() {
            let keys: Vec<String> = dropped_conditions
                .iter()
                .map(|key| format!("`{key}`"))
                .collect();
            parts.push(format!(
                "drops the condition on {} that limited a grant",
                list(&keys)
            ));
        }
        let subject = statement.describe(policy);
        let message = format!(
            "this edit widens {subject}: it {}; a wider grant lets whoever holds it do more than \
             before, unreviewed; scope the new grant to the resources that need it and have the \
             role's owner approve it",
            parts.join(" and ")
        );
        let mut diagnostic = ctx.diagnostic(item.range, message);
        if critical {
            diagnostic.severity = Severity::Error;
        }
        ctx.report(diagnostic);
    }

    // A Deny statement that no longer exists.
    for old in base
        .statements
        .iter()
        .filter(|old| old.effect == Effect::Deny)
    {
        let old_actions = known_lower(old.action.as_ref());
        if old_actions.is_empty() {
            continue;
        }
        let still_denied = policy
            .statements
            .iter()
            .filter(|new| new.effect == Effect::Deny)
            .any(|new| {
                let new_actions = known_lower(new.action.as_ref());
                new.action.as_ref().is_some_and(|values| values.unknown)
                    || old_actions.iter().all(|action| {
                        new_actions
                            .iter()
                            .any(|pattern| glob_match(pattern, action))
                    })
            });
        if still_denied {
            continue;
        }
        let names: Vec<String> = old
            .action
            .iter()
            .flat_map(Values::known)
            .map(|(name, _)| format!("`{name}`"))
            .collect();
        let subject = match &old.sid {
            Some(sid) => format!("the `Deny` statement `{sid}`"),
            None => "a `Deny` statement".to_owned(),
        };
        let owner = if policy.owner.is_empty() {
            "this policy".to_owned()
        } else {
            format!("`{}`", policy.owner)
        };
        let message = format!(
            "this edit removes {subject} of {owner}, which refused {}: whatever the `Allow` \
             statements grant now includes those actions; keep the `Deny` unless the role's \
             owner approves",
            list(&names)
        );
        let range = policy
            .statements
            .first()
            .map_or(policy.range, |statement| statement.range);
        let mut diagnostic = ctx.diagnostic(range, message);
        diagnostic.severity = Severity::Warning;
        ctx.report(diagnostic);
    }
}

/// What the base policy says about `action` on `resource`.
enum Coverage {
    /// The base already allowed it under the same or fewer conditions.
    Covered,
    /// The base allowed it only under these further condition keys.
    OnlyWithConditions(Vec<String>),
    /// The base did not allow it; `narrower` holds the references on which it allowed the
    /// action, to name what the grant was before.
    New { narrower: Vec<Target> },
}

fn coverage(
    base: &[Resolved<'_>],
    statement: &Statement,
    action: &str,
    resource: &Target,
) -> Coverage {
    let action = action.to_ascii_lowercase();
    let conditions = condition_keys(statement);
    let mut missing: Option<Vec<String>> = None;
    let mut narrower: Vec<Target> = Vec::new();
    for resolved in base {
        let old = resolved.statement;
        let action_covered = match (&old.action, &old.not_action) {
            (Some(values), _) => {
                values.unknown
                    || known_lower(Some(values))
                        .iter()
                        .any(|pattern| glob_match(pattern, &action))
            }
            // `NotAction` allows everything but a list: treat it as covering.
            (None, Some(_)) => true,
            (None, None) => false,
        };
        if !action_covered {
            continue;
        }
        let resources = &resolved.resources;
        let resource_covered =
            resources.any || resources.targets.iter().any(|old| old.covers(resource));
        if !resource_covered {
            for target in resources
                .targets
                .iter()
                .filter(|target| target.is_reference())
            {
                if !narrower.contains(target) {
                    narrower.push(target.clone());
                }
            }
            continue;
        }
        if old.condition.as_ref().is_some_and(|c| c.unknown) {
            return Coverage::Covered;
        }
        let extra: Vec<String> = condition_keys(old)
            .into_iter()
            .filter(|key| !conditions.contains(key))
            .collect();
        if extra.is_empty() {
            return Coverage::Covered;
        }
        missing.get_or_insert(extra);
    }
    match missing {
        Some(keys) => Coverage::OnlyWithConditions(keys),
        None => Coverage::New { narrower },
    }
}

fn condition_keys(statement: &Statement) -> Vec<String> {
    statement
        .condition
        .iter()
        .flat_map(|condition| &condition.entries)
        .map(|entry| entry.key.to_ascii_lowercase())
        .collect()
}

fn known_lower(values: Option<&Values>) -> Vec<String> {
    values
        .into_iter()
        .flat_map(Values::known)
        .map(|(value, _)| value.to_ascii_lowercase())
        .collect()
}

fn is_critical(action: &str, resource: &str) -> bool {
    if action == "*" {
        return true;
    }
    resource == "*"
        && action.split_once(':').is_some_and(|(service, _)| {
            CRITICAL_SERVICES.contains(&service.to_ascii_lowercase().as_str())
        })
}

/// `a`, `a and b`, `a, b, c and 2 more`.
fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] if items.len() <= 4 => format!("{} and {last}", init.join(", ")),
        _ => format!("{} and {} more", items[..3].join(", "), items.len() - 3),
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("iam/permission-widened/fires.json"));
        check_fixture("iam/permission-widened/fires.tf");
        check_fixture("iam/permission-widened/fires.cfn.yaml");
    }

    #[test]
    fn quiet() {
        insta::assert_snapshot!(check_fixture("iam/permission-widened/quiet.json"));
        check_fixture("iam/permission-widened/quiet.tf");
    }
}

use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;
use redline_syntax::terraform::{Attribute, Block, Resource, Syntax};

use crate::terraform::force_destroy_enabled::SWITCHES;
use crate::terraform::module_change::{Entry, ModuleChange, slice};
use crate::terraform::protection::{
    DELETION_GUARDS, Guarded, RETENTION_GUARDS, SNAPSHOT_GUARDS, WINDOW_GUARDS,
};
use crate::terraform::{add_prevent_destroy, insert_attribute};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An edit that weakens a guard against destroying a resource that exists before and
    /// after it:
    /// `lifecycle { prevent_destroy = true }` removed or set to `false`;
    /// deletion or termination protection turned off (`deletion_protection`,
    /// `deletion_protection_enabled`, `enable_deletion_protection`,
    /// `disable_api_termination`, a Cognito pool going `"INACTIVE"`, a Google project's
    /// `deletion_policy` going to `"DELETE"`), including by deleting the attribute when the
    /// provider's default is unprotected;
    /// a final snapshot or backup skipped (`skip_final_snapshot` false to true,
    /// `delete_automated_backups`, `skip_final_backup`, `final_snapshot`);
    /// a force-delete switch turned on (`force_destroy`, `force_delete`,
    /// `enforce_consumer_deletion`, `delete_contents_on_destroy`);
    /// a recovery window or backup retention shortened; Azure purge protection turned off.
    ///
    /// ## Why it matters
    /// Guards are switched off one change before the change that destroys: once the guard is
    /// gone, a removed block, a rename or a replacement goes through without anything
    /// refusing, and without a last snapshot.
    /// In a diff the guard's edit reads as a one-line update.
    ///
    /// ## Example
    /// The edit turns `deletion_protection = true` into:
    /// ```hcl
    /// resource "aws_db_instance" "orders" {
    ///   deletion_protection = false
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Keep the guard. Switch it off only in its own reviewed change, right before a planned
    /// and approved deletion.
    ///
    /// ## Fix safety
    /// The fix puts the previous value back (or the provider's safe default when the attribute was
    /// not written before). It is safe: it only restores the guard.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-TF-020 -- deletion approved in OPS-123` on the line above the attribute
    /// (or above the resource when the attribute was removed).
    ///
    /// ## References
    /// - Terraform language, "The lifecycle meta-argument", `prevent_destroy`
    /// - Terraform AWS provider, `aws_db_instance` arguments `deletion_protection`,
    ///   `skip_final_snapshot`, `backup_retention_period`
    ProtectionWeakened {
        id: "RL-TF-020", name: "protection-weakened",
        summary: "An edit weakens a guard against destroying a resource",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

/// How a guard weakens.
enum Weakening {
    /// From the safe value to the unsafe one; an absent attribute takes the default.
    Becomes {
        safe: Guarded,
        unsafe_value: Guarded,
        default: Option<Guarded>,
    },
    /// The number goes down; an absent attribute takes the default.
    Lowered { default: Option<f64> },
}

/// One guard of a resource type.
struct Guard {
    attribute: &'static str,
    weakening: Weakening,
    /// What the guard does, for the message.
    purpose: &'static str,
}

fn check(ctx: &mut RuleContext<'_>) {
    let Some(change) = ctx.change() else {
        return;
    };
    let file = ctx.file();
    let module = ModuleChange::of(change, file);
    for (base, new) in module.edited() {
        let old = &module.base[base];
        let entry = &module.new[new];
        if entry.file.path != file.path || old.type_name != entry.type_name {
            continue;
        }
        check_prevent_destroy(ctx, old, entry);
        for guard in guards(entry.type_name) {
            let before = old.attribute(guard.attribute);
            let after = entry.attribute(guard.attribute);
            if !weakens(&guard.weakening, before, after) {
                continue;
            }
            let old_text = before.map(|attribute| slice(&old.file.text, attribute.value.range));
            let default = guard.weakening.default_text();
            let from = old_text.map_or_else(|| format!("{default} (the default)"), str::to_owned);
            let change = match after {
                Some(attribute) => format!(
                    "`{}` of `{}` goes from {from} to {}",
                    guard.attribute,
                    entry.address,
                    slice(&entry.file.text, attribute.value.range)
                ),
                None => format!(
                    "`{} = {from}` was removed from `{}`, leaving the default {default}",
                    guard.attribute, entry.address
                ),
            };
            let message = format!(
                "{change}: the edit removes {}; keep the guard unless the deletion itself has \
                 been reviewed",
                guard.purpose
            );
            let restored = old_text.map_or(default, str::to_owned);
            let fix = restore(entry, guard.attribute, &restored, after);
            report(ctx, entry, after, message, fix);
        }
    }
}

fn check_prevent_destroy(ctx: &mut RuleContext<'_>, old: &Entry<'_>, entry: &Entry<'_>) {
    let before = prevent_destroy(old.block);
    if before.and_then(|attribute| attribute.value.value.as_bool()) != Some(true) {
        return;
    }
    let after = prevent_destroy(entry.block);
    let change = match after {
        None => format!(
            "`prevent_destroy = true` was removed from `{}`",
            entry.address
        ),
        Some(attribute) if attribute.value.value.as_bool() == Some(false) => {
            format!(
                "`prevent_destroy` of `{}` goes from true to false",
                entry.address
            )
        }
        Some(_) => return,
    };
    let message = format!(
        "{change}: the edit removes the plan-time stop that makes Terraform refuse to destroy \
         it; keep `prevent_destroy = true` unless the deletion itself has been reviewed"
    );
    let model = entry.file.terraform();
    let edit = match after {
        Some(attribute) => Some(Edit::replace(attribute.value.range, "true")),
        None => entry.block.label(1).and_then(|name| {
            let resource = Resource {
                block: entry.block,
                resource_type: entry.type_name,
                name,
                repetition: entry.repetition,
            };
            add_prevent_destroy(model, &entry.file.text, &resource)
        }),
    };
    let fix = edit.filter(|_| model.syntax == Syntax::Hcl).map(|edit| {
        Fix::single(
            "Restore `prevent_destroy = true`",
            Applicability::Safe,
            edit,
        )
    });
    report(ctx, entry, after, message, fix);
}

fn prevent_destroy(block: &Block) -> Option<&Attribute> {
    block
        .body
        .block("lifecycle")
        .and_then(|lifecycle| lifecycle.body.attribute("prevent_destroy"))
}

fn report(
    ctx: &mut RuleContext<'_>,
    entry: &Entry<'_>,
    after: Option<&Attribute>,
    message: String,
    fix: Option<Fix>,
) {
    let range = after.map_or_else(|| entry.name_range(), |attribute| attribute.range);
    let mut diagnostic = ctx.diagnostic(range, message);
    if let Some(fix) = fix {
        diagnostic = diagnostic.with_fix(fix);
    }
    ctx.report(diagnostic);
}

/// The fix that puts the previous value back: in place, or as a new first line of the block.
fn restore(
    entry: &Entry<'_>,
    attribute: &str,
    old_text: &str,
    after: Option<&Attribute>,
) -> Option<Fix> {
    let model = entry.file.terraform();
    if model.syntax != Syntax::Hcl || old_text.contains('\n') {
        return None;
    }
    let edit = match after {
        Some(attribute) => Edit::replace(attribute.value.range, old_text),
        None => insert_attribute(
            model,
            &entry.file.text,
            entry.block,
            &format!("{attribute} = {old_text}"),
        )?,
    };
    Some(Fix::single(
        format!("Restore `{attribute} = {old_text}`"),
        Applicability::Safe,
        edit,
    ))
}

impl Weakening {
    /// The provider default, as source text.
    fn default_text(&self) -> String {
        match self {
            Weakening::Becomes {
                default: Some(default),
                ..
            } => default.source(),
            Weakening::Lowered {
                default: Some(default),
            } => default.to_string(),
            _ => "unknown".to_owned(),
        }
    }
}

fn guards(resource_type: &str) -> Vec<Guard> {
    let mut res = Vec::new();
    for guard in DELETION_GUARDS
        .iter()
        .filter(|g| g.resource_type == resource_type)
    {
        res.push(Guard {
            attribute: guard.attribute,
            weakening: Weakening::Becomes {
                safe: guard.protected,
                unsafe_value: guard.unprotected,
                default: Some(guard.default),
            },
            purpose: "the deletion protection that makes the provider's API refuse to delete it",
        });
    }
    for guard in SNAPSHOT_GUARDS
        .iter()
        .filter(|g| g.resource_type == resource_type)
    {
        // `delete_automated_backups` defaults to true and `final_snapshot` to false: both
        // unsafe; the `skip_*` switches default to false, which is safe.
        let default = match guard.attribute {
            "delete_automated_backups" => true,
            "final_snapshot" => false,
            _ => false,
        };
        res.push(Guard {
            attribute: guard.attribute,
            weakening: Weakening::Becomes {
                safe: Guarded::Bool(!guard.unsafe_value),
                unsafe_value: Guarded::Bool(guard.unsafe_value),
                default: Some(Guarded::Bool(default)),
            },
            purpose: "the final snapshot or backup kept when it is destroyed",
        });
    }
    for (_, attribute, _) in SWITCHES
        .iter()
        .filter(|(kind, _, _)| *kind == resource_type)
    {
        res.push(Guard {
            attribute,
            weakening: Weakening::Becomes {
                safe: Guarded::Bool(false),
                unsafe_value: Guarded::Bool(true),
                default: Some(Guarded::Bool(false)),
            },
            purpose: "the provider's refusal to destroy it while it still holds data",
        });
    }
    for guard in WINDOW_GUARDS
        .iter()
        .filter(|g| g.resource_type == resource_type)
    {
        res.push(Guard {
            attribute: guard.attribute,
            weakening: Weakening::Lowered {
                default: Some(f64::from(guard.safe)),
            },
            purpose: "part of the recovery window in which a deletion can still be cancelled",
        });
    }
    for (_, attribute) in RETENTION_GUARDS
        .iter()
        .filter(|(kind, _)| *kind == resource_type)
    {
        res.push(Guard {
            attribute,
            weakening: Weakening::Lowered { default: None },
            purpose: "backups that a restore after a destroy would need",
        });
    }
    if resource_type == "azurerm_key_vault" {
        res.push(Guard {
            attribute: "purge_protection_enabled",
            weakening: Weakening::Becomes {
                safe: Guarded::Bool(true),
                unsafe_value: Guarded::Bool(false),
                default: Some(Guarded::Bool(false)),
            },
            purpose: "purge protection, which keeps deleted keys and secrets recoverable",
        });
    }
    res
}

fn weakens(weakening: &Weakening, before: Option<&Attribute>, after: Option<&Attribute>) -> bool {
    if before.is_none() && after.is_none() {
        return false;
    }
    match weakening {
        Weakening::Becomes {
            safe,
            unsafe_value,
            default,
        } => is(before, *safe, *default) && is(after, *unsafe_value, *default),
        Weakening::Lowered { default } => {
            let value = |attribute: Option<&Attribute>| -> Option<f64> {
                match attribute {
                    None => *default,
                    Some(attribute) => attribute.value.value.as_number(),
                }
            };
            matches!((value(before), value(after)), (Some(old), Some(new)) if new < old)
        }
    }
}

/// Whether the attribute (or its default, when absent) has the value `expected`.
fn is(attribute: Option<&Attribute>, expected: Guarded, default: Option<Guarded>) -> bool {
    let Some(attribute) = attribute else {
        return default == Some(expected);
    };
    let value = &attribute.value.value;
    match expected {
        Guarded::Bool(expected) => value.as_bool() == Some(expected),
        Guarded::Str(expected) => value.as_str() == Some(expected),
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/protection-weakened/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/protection-weakened/quiet.tf");
    }
}

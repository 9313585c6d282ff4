use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An `azurerm_role_definition` whose `permissions` block allows every action:
    /// `actions = ["*"]`.
    ///
    /// ## Why it matters
    /// A custom role with `*` in `actions` is an Owner under another name: it can change and
    /// delete every resource in its assignable scopes, and assign roles (unless
    /// `not_actions` removes `Microsoft.Authorization`), so its holder can grant itself
    /// anything.
    /// Because the name is custom, reviews and tools that look for `Owner` assignments miss
    /// it, and it also gains every action Azure adds later.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_role_definition" "deployer" {
    ///   name  = "deployer"
    ///   scope = data.azurerm_subscription.current.id
    ///   permissions {
    ///     actions = ["*"]
    ///   }
    /// }
    /// ```
    ///
    /// ## Use instead
    /// List the resource-provider operations the role needs:
    /// ```hcl
    /// resource "azurerm_role_definition" "deployer" {
    ///   name  = "deployer"
    ///   scope = data.azurerm_subscription.current.id
    ///   permissions {
    ///     actions = [
    ///       "Microsoft.Web/sites/read",
    ///       "Microsoft.Web/sites/write",
    ///       "Microsoft.Web/sites/restart/action",
    ///     ]
    ///   }
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: only the owner knows which operations the role needs.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-AZ-002 -- break-glass role, PIM-eligible only` on the line above.
    ///
    /// ## References
    /// - Azure RBAC documentation, "Azure custom roles"
    /// - Checkov CKV_AZURE_39
    AzureCustomRoleWildcard {
        id: "RL-AZ-002", name: "azure-custom-role-wildcard",
        summary: "An Azure custom role allows every action",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let model = ctx.file().terraform();
    for resource in model.resources() {
        if resource.resource_type != "azurerm_role_definition" {
            continue;
        }
        for permissions in resource.block.body.blocks_of("permissions") {
            let Some(actions) = permissions.body.attribute("actions") else {
                continue;
            };
            let Some(star) = actions
                .value
                .value
                .items()
                .iter()
                .find(|action| action.value.as_str() == Some("*"))
            else {
                continue;
            };
            // Contributor-like roles exclude role assignment through `not_actions`.
            let assigns_roles = !permissions
                .body
                .attribute("not_actions")
                .is_some_and(|not| {
                    not.value.value.items().iter().any(|action| {
                        action.value.as_str().is_some_and(|action| {
                            action
                                .to_ascii_lowercase()
                                .starts_with("microsoft.authorization/")
                        })
                    })
                });
            let what = if assigns_roles {
                "can change and delete every resource in its scopes and assign roles, like \
                 Owner under another name"
            } else {
                "can change and delete every resource in its scopes, like Contributor under \
                 another name"
            };
            let message = format!(
                "`{}` allows every action (`\"*\"`): the custom role {what}; list the \
                 operations the role needs",
                resource.address()
            );
            let diagnostic = ctx.diagnostic(star.range, message);
            ctx.report(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/azure-custom-role-wildcard/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/azure-custom-role-wildcard/quiet.tf");
    }
}

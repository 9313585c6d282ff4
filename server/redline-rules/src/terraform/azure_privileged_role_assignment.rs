use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::SourceFile;
use redline_syntax::terraform::Expr;

use super::{HOLE, reference, string_shape};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An `azurerm_role_assignment` of a privileged built-in role (`Owner`,
    /// `User Access Administrator` and `Role Based Access Control Administrator` are errors,
    /// `Contributor` a warning) at subscription or management-group scope.
    /// The role is read from `role_definition_name`, or from the role's well-known id in
    /// `role_definition_id`.
    /// The scope counts as a subscription when it is `/subscriptions/<id>` (the id may be
    /// interpolated) or `data.azurerm_subscription.<name>.id`, and as a management group when
    /// it is `/providers/Microsoft.Management/managementGroups/<name>` or the `id` of an
    /// `azurerm_management_group`.
    /// Resource-group and resource scopes, and scopes redline cannot know (`var.scope`), are
    /// never reported.
    ///
    /// ## Why it matters
    /// `Contributor` on a subscription can delete every resource group, database and storage
    /// account in it.
    /// `Owner`, `User Access Administrator` and `Role Based Access Control Administrator` can
    /// also assign roles, so their holder can grant itself or anyone else anything.
    /// On a management group, the assignment reaches every subscription underneath.
    /// Held by a pipeline or a coding agent, one mistaken command can delete production.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_role_assignment" "deployer" {
    ///   scope                = data.azurerm_subscription.current.id
    ///   role_definition_name = "Owner"
    ///   principal_id         = azuread_service_principal.deployer.object_id
    /// }
    /// ```
    ///
    /// ## Use instead
    /// A least-privilege built-in role on the resource group the principal deploys to:
    /// ```hcl
    /// resource "azurerm_role_assignment" "deployer" {
    ///   scope                = azurerm_resource_group.app.id
    ///   role_definition_name = "Website Contributor"
    ///   principal_id         = azuread_service_principal.deployer.object_id
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the right scope and role depend on what the principal does.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-AZ-001 -- platform team's break-glass group` on the line above.
    ///
    /// ## References
    /// - Azure RBAC documentation, "Azure built-in roles" and "Best practices for Azure RBAC"
    /// - Terraform AzureRM provider, `azurerm_role_assignment`
    AzurePrivilegedRoleAssignment {
        id: "RL-AZ-001", name: "azure-privileged-role-assignment",
        summary: "An Azure Owner, Contributor or access-administrator role is assigned on a whole subscription or management group",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::None, status: Status::Preview,
    }
}

/// A privileged built-in role.
struct Role {
    /// The role name as `role_definition_name` spells it.
    name: &'static str,
    /// The role definition id, the same in every tenant.
    id: &'static str,
    /// How serious assigning it widely is.
    severity: Severity,
    /// What the role allows, completing "the principal …".
    grants: &'static str,
}

const ROLES: &[Role] = &[
    Role {
        name: "Owner",
        id: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635",
        severity: Severity::Error,
        grants: "can change or delete every resource and assign any role, so it can grant \
                 itself or anyone else anything",
    },
    Role {
        name: "Contributor",
        id: "b24988ac-6180-42a0-ab88-20f7382dd24c",
        severity: Severity::Warning,
        grants: "can change or delete every resource, from resource groups to databases and \
                 storage accounts",
    },
    Role {
        name: "User Access Administrator",
        id: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
        severity: Severity::Error,
        grants: "can assign any role, so it can grant itself or anyone else Owner",
    },
    Role {
        name: "Role Based Access Control Administrator",
        id: "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
        severity: Severity::Error,
        grants: "can assign roles, so it can grant itself or anyone else Owner unless a \
                 condition limits which roles",
    },
];

/// How wide a scope is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    Subscription,
    ManagementGroup,
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    let model = file.terraform();
    for resource in model.resources() {
        if resource.resource_type != "azurerm_role_assignment" {
            continue;
        }
        let Some(scope) = resource.attribute("scope") else {
            continue;
        };
        let Some(width) = scope_width(file, &scope.value) else {
            continue;
        };
        let by_name = resource.attribute("role_definition_name").and_then(|name| {
            let written = name.value.value.as_str()?;
            let role = ROLES
                .iter()
                .find(|role| role.name.eq_ignore_ascii_case(written))?;
            Some((role, &name.value))
        });
        let by_id = || {
            resource.attribute("role_definition_id").and_then(|id| {
                let written = file.slice(id.value.range).to_ascii_lowercase();
                let role = ROLES.iter().find(|role| written.contains(role.id))?;
                Some((role, &id.value))
            })
        };
        let Some((role, value)) = by_name.or_else(by_id) else {
            continue;
        };
        let reach = match width {
            Scope::Subscription => "the whole subscription",
            Scope::ManagementGroup => "every subscription in the management group",
        };
        let message = format!(
            "`{}` assigns `{}` on {reach}: the principal {}; assign a least-privilege role on \
             the resource group or resource it works on",
            resource.address(),
            role.name,
            role.grants
        );
        let mut diagnostic = ctx
            .diagnostic(value.range, message)
            .with_related(scope.value.range, "the scope is set here");
        diagnostic.severity = role.severity;
        ctx.report(diagnostic);
    }
}

/// Whether a scope is a whole subscription or management group; `None` for narrower scopes
/// and for scopes redline cannot know.
fn scope_width(file: &SourceFile<'_>, scope: &Expr) -> Option<Scope> {
    if let Some(shape) = string_shape(file, scope) {
        let shape = shape.trim_end_matches('/');
        let single_segment = |rest: &str| !rest.is_empty() && !rest.contains('/');
        let lower = shape.to_ascii_lowercase();
        if let Some(rest) = lower.strip_prefix("/subscriptions/") {
            return single_segment(rest).then_some(Scope::Subscription);
        }
        if let Some(rest) = lower.strip_prefix("/providers/microsoft.management/managementgroups/")
        {
            return single_segment(rest).then_some(Scope::ManagementGroup);
        }
        // A scope that is one interpolation, `"${…}"`, is read as that reference below.
        if shape != HOLE {
            return None;
        }
    }
    let traversal = reference(file, scope)?;
    let parts: Vec<&str> = traversal.split('.').collect();
    match parts.as_slice() {
        ["data", "azurerm_subscription", _, "id"] => Some(Scope::Subscription),
        ["azurerm_management_group", _, "id"] | ["data", "azurerm_management_group", _, "id"] => {
            Some(Scope::ManagementGroup)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture(
            "terraform/azure-privileged-role-assignment/fires.tf"
        ));
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/azure-privileged-role-assignment/quiet.tf");
    }
}

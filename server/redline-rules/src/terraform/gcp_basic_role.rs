use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::Format;

use super::gcp_iam::{Level, grants};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Google Cloud basic role, `roles/owner` or `roles/editor`, granted on a project,
    /// folder or organization, and predefined administrator roles (`roles/<service>.admin`,
    /// and the IAM-control roles `roles/iam.securityAdmin`,
    /// `roles/resourcemanager.projectIamAdmin`, `…folderAdmin`, `…folderIamAdmin` and
    /// `…organizationAdmin`) granted at those levels.
    /// It reads the `role` of `google_{project,folder,organization}_iam_member` and
    /// `…_iam_binding`, and the `binding` blocks of `data "google_iam_policy"` (at the level of
    /// the `google_*_iam_policy` resource that uses it, or as a project when none in the file
    /// does).
    /// `roles/owner` anywhere, and `roles/editor` on a folder or organization, are errors;
    /// `roles/editor` on a project and administrator roles are warnings.
    /// A grant whose members are all Google-managed service agents
    /// (`…@gcp-sa-<service>.iam.gserviceaccount.com`) is info: the agent acts only for its
    /// service, and some features require the role for it.
    /// Roles redline cannot know (`var.role`, `each.value`) are never reported.
    ///
    /// ## Why it matters
    /// `roles/editor` can create, change and delete almost every resource of every service;
    /// `roles/owner` can also change IAM, so its holder can grant anyone anything.
    /// On a folder or organization, the grant reaches every project underneath.
    /// A service-level administrator role gives full control of that service, including
    /// deleting its data and changing who can reach it.
    /// Held by a CI pipeline or a coding agent, one mistaken command can delete production.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_project_iam_member" "deployer" {
    ///   project = "acme-prod"
    ///   role    = "roles/editor"
    ///   member  = "serviceAccount:deployer@acme-prod.iam.gserviceaccount.com"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Predefined roles for the services the member uses, or a custom role:
    /// ```hcl
    /// resource "google_project_iam_member" "deployer" {
    ///   project = "acme-prod"
    ///   role    = "roles/run.developer"
    ///   member  = "serviceAccount:deployer@acme-prod.iam.gserviceaccount.com"
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// For `roles/owner` and `roles/editor` the fix grants `roles/viewer` instead, as a
    /// starting point from which to add the predefined roles the member needs.
    /// It is unsafe: the member loses every write permission it had, and an authoritative
    /// `google_project_iam_binding` for `roles/viewer` elsewhere would now conflict with it.
    /// Administrator roles get no fix, since no narrower role fits every use.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-GCP-001 -- sandbox project, deleted nightly` on the line above.
    ///
    /// ## References
    /// - Google Cloud IAM documentation, "Basic roles"
    /// - Checkov CKV_GCP_115, CKV_GCP_116, CKV_GCP_117
    GcpBasicRole {
        id: "RL-GCP-001", name: "gcp-basic-role",
        summary: "A Google Cloud owner, editor or administrator role is granted on a project, folder or organization",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

/// Predefined roles that control IAM itself, whatever their name's ending.
const IAM_CONTROL_ROLES: &[&str] = &[
    "roles/iam.securityAdmin",
    "roles/resourcemanager.projectIamAdmin",
    "roles/resourcemanager.folderAdmin",
    "roles/resourcemanager.folderIamAdmin",
    "roles/resourcemanager.organizationAdmin",
];

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    let model = file.terraform();
    for grant in grants(file, model) {
        let Some(role_expr) = grant.role else {
            continue;
        };
        let Some(role) = role_expr.value.as_str() else {
            continue;
        };
        // A policy document no resource in the file uses is read as a project's: basic roles
        // only exist at project level and above.
        let level = match grant.level {
            Some(Level::Resource(_)) => continue,
            Some(level) => level,
            None if matches!(role, "roles/owner" | "roles/editor") => Level::Project,
            None => continue,
        };
        let broad = matches!(level, Level::Folder | Level::Organization);
        let reach = level.reach();
        let subject = &grant.subject;
        let (message, severity, fix) = match role {
            "roles/owner" | "roles/editor" => {
                let (what, severity) = if role == "roles/owner" {
                    (
                        "can change or delete every resource and every IAM binding, so its \
                         holder can grant anyone anything",
                        Severity::Error,
                    )
                } else {
                    (
                        "can change or delete almost every resource of every service",
                        if broad {
                            Severity::Error
                        } else {
                            Severity::Warning
                        },
                    )
                };
                let message = format!(
                    "`{subject}` grants `{role}` on {reach}: this basic role {what}; grant \
                     predefined roles for the services the member uses instead"
                );
                let fix = Fix::single(
                    format!("Grant `roles/viewer` instead of `{role}`"),
                    Applicability::Unsafe,
                    Edit::replace(role_expr.range, "\"roles/viewer\""),
                );
                (message, severity, Some(fix))
            }
            _ if IAM_CONTROL_ROLES.contains(&role) => {
                let message = format!(
                    "`{subject}` grants `{role}` on {reach}: it can change IAM policies there, \
                     so its holder can grant itself or anyone else `roles/owner`; grant a role \
                     without IAM control, or this one on the individual resources"
                );
                (message, Severity::Warning, None)
            }
            _ if is_service_admin(role) => {
                let message = format!(
                    "`{subject}` grants `{role}` on {reach}: full control of the service there, \
                     including deleting its data and changing who can reach it; grant it on \
                     the individual resources instead, or a narrower predefined role"
                );
                (message, Severity::Warning, None)
            }
            _ => continue,
        };
        let mut diagnostic = ctx.diagnostic(role_expr.range, message);
        diagnostic.severity = severity;
        if !grant.members.is_empty()
            && grant
                .members
                .iter()
                .all(|member| is_service_agent(file.slice(member.range)))
        {
            // Google's own service agents act only for their service, and some features
            // require such a role for them (Cloud KMS Autokey): hygiene, not a review.
            diagnostic.severity = Severity::Info;
        }
        if let Some(fix) = fix {
            diagnostic = diagnostic.with_fix(fix);
        }
        ctx.report(diagnostic);
    }
}

/// Whether a member, as written, is a Google-managed service agent
/// (`serviceAccount:service-123@gcp-sa-cloudkms.iam.gserviceaccount.com`), whose domain is
/// written out even when the project number is interpolated.
fn is_service_agent(member: &str) -> bool {
    let member = member.trim_matches('"');
    let Some(domain) = member
        .strip_prefix("serviceAccount:")
        .and_then(|account| account.rsplit_once('@'))
        .map(|(_, domain)| domain)
    else {
        return false;
    };
    (domain.starts_with("gcp-sa-") && domain.ends_with(".iam.gserviceaccount.com"))
        || matches!(
            domain,
            "cloudservices.gserviceaccount.com"
                | "container-engine-robot.iam.gserviceaccount.com"
                | "compute-system.iam.gserviceaccount.com"
                | "cloudbuild.gserviceaccount.com"
        )
}

/// `roles/<service>.admin`.
fn is_service_admin(role: &str) -> bool {
    role.strip_prefix("roles/")
        .and_then(|rest| rest.strip_suffix(".admin"))
        .is_some_and(|service| {
            !service.is_empty()
                && service
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '.')
        })
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        insta::assert_snapshot!(check_fixture("terraform/gcp-basic-role/fires.tf"));
    }

    #[test]
    fn fires_admin_roles() {
        insta::assert_snapshot!(check_fixture("terraform/gcp-basic-role/fires-admin.tf"));
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/gcp-basic-role/quiet.tf");
    }
}

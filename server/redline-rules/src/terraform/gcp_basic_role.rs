use redline_diagnostics::{Applicability, Category, Confidence, Edit, Fix, Severity};
use redline_syntax::terraform::Expr;
use redline_syntax::terraform_eval::evaluate::Origin;
use redline_syntax::{Format, SourceFile};

use super::gcp_iam::{Grant, Level, grants};
use crate::terraform::through_module;
use crate::{FixAvailability, RuleContext, Status, Written, declare_rule};

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
    /// A computed role is read as the module decides it; when it is a conditional whose
    /// condition is not known (`var.export ? "roles/cloudsql.admin" : "roles/cloudsql.viewer"`,
    /// directly or through locals), each literal branch is judged, and the finding says which
    /// condition leads to it.
    /// A local module (`source = "./…"`) called with such a role is reported at the caller's
    /// string literal that writes it; a called module's own default is the module's choice,
    /// and a call that writes no role is not reported.
    /// A role list that a module expands itself with `count` or `for_each` (the working roles
    /// of a service account it sets up) is not judged; the same roles given by a caller of a
    /// local module are, each at the caller's literal.
    /// Roles redline cannot know (`var.role` without a value, `each.value` of an unknown set)
    /// are never reported.
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
            check_computed(ctx, &grant, role_expr);
            continue;
        };
        let Some(judged) = judge(role, grant.level, &grant.subject, "") else {
            continue;
        };
        let mut diagnostic = ctx.diagnostic(role_expr.range, judged.message);
        diagnostic.severity = judged.severity;
        if only_service_agents(file, &grant) {
            // Google's own service agents act only for their service, and some features
            // require such a role for them (Cloud KMS Autokey): hygiene, not a review.
            diagnostic.severity = Severity::Info;
        }
        if let Some(replacement) = judged.replacement {
            let fix = Fix::single(
                format!("Grant `roles/viewer` instead of `{role}`"),
                Applicability::Unsafe,
                Edit::replace(role_expr.range, replacement),
            );
            diagnostic = diagnostic.with_fix(fix);
        }
        ctx.report(diagnostic);
    }
}

/// What a grant of `role` at `level` is, when the rule reports it.
struct Judged {
    message: String,
    severity: Severity,
    /// The role the fix grants instead, as source text.
    replacement: Option<&'static str>,
}

/// Judges `role` granted by `subject` at `level`; `qualifier` follows the place in the
/// message (` when `var.export` is true`).
fn judge(role: &str, level: Option<Level<'_>>, subject: &str, qualifier: &str) -> Option<Judged> {
    // A policy document no resource in the file uses is read as a project's: basic roles
    // only exist at project level and above.
    let level = match level {
        Some(Level::Resource(_)) => return None,
        Some(level) => level,
        None if matches!(role, "roles/owner" | "roles/editor") => Level::Project,
        None => return None,
    };
    let broad = matches!(level, Level::Folder | Level::Organization);
    let reach = level.reach();
    Some(match role {
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
            Judged {
                message: format!(
                    "`{subject}` grants `{role}` on {reach}{qualifier}: this basic role {what}; \
                     grant predefined roles for the services the member uses instead"
                ),
                severity,
                replacement: Some("\"roles/viewer\""),
            }
        }
        _ if IAM_CONTROL_ROLES.contains(&role) => Judged {
            message: format!(
                "`{subject}` grants `{role}` on {reach}{qualifier}: it can change IAM policies \
                 there, so its holder can grant itself or anyone else `roles/owner`; grant a \
                 role without IAM control, or this one on the individual resources"
            ),
            severity: Severity::Warning,
            replacement: None,
        },
        _ if is_service_admin(role) => Judged {
            message: format!(
                "`{subject}` grants `{role}` on {reach}{qualifier}: full control of the service \
                 there, including deleting its data and changing who can reach it; grant it on \
                 the individual resources instead, or a narrower predefined role"
            ),
            severity: Severity::Warning,
            replacement: None,
        },
        _ => return None,
    })
}

/// Judges a grant whose role is computed (a variable, a local, a conditional whose branches
/// are literals), one instance and one possible value at a time, as the module decides it.
/// Each literal branch of a conditional whose condition is not known is judged, and the
/// finding says which condition leads to it. Judged for a local module call, a finding goes to
/// the caller's literal that writes the role.
fn check_computed(ctx: &mut RuleContext<'_>, grant: &Grant<'_>, role_expr: &Expr) {
    let file = ctx.file();
    let Some(resource) = file
        .terraform()
        .resources()
        .find(|resource| resource.block.range.contains_range(role_expr.range))
    else {
        return;
    };
    let Some(attribute) = resource
        .attribute("role")
        .filter(|attribute| attribute.value.range == role_expr.range)
    else {
        return;
    };
    let Some(evaluator) = through_module::evaluator(ctx) else {
        return;
    };
    let mut reported: Vec<(String, String)> = Vec::new();
    for judged_instance in through_module::instances(ctx, evaluator, &resource) {
        for possible in through_module::possible(ctx, evaluator, attribute, &judged_instance) {
            let Some(role) = possible.value.as_str() else {
                continue;
            };
            // A role list the module expands itself with `count` or `for_each` is the working
            // set of an identity it sets up (a bootstrap's or a test's service account), one
            // grant per role: only a caller's explicit role is judged there.
            if judged_instance.instance.is_some()
                && !possible
                    .trace
                    .iter()
                    .any(|origin| matches!(origin, Origin::Input { .. }))
            {
                continue;
            }
            let when = possible
                .conditions
                .iter()
                .map(|(condition, taken)| format!("`{condition}` is {taken}"))
                .collect::<Vec<_>>()
                .join(" and ");
            let mut qualifier = String::new();
            if !when.is_empty() {
                qualifier.push_str(&format!(" when {when}"));
            }
            if let Some(chain) = through_module::chain(ctx, &possible) {
                qualifier.push_str(&format!(", through {chain}"));
            }
            let Some(judged) = judge(role, grant.level, &grant.subject, &qualifier) else {
                continue;
            };
            let key = (role.to_owned(), when);
            if reported.contains(&key) {
                continue;
            }
            reported.push(key);
            through_module::note(
                ctx,
                attribute,
                &possible,
                Written {
                    text: role.to_owned(),
                    fix: judged.replacement.map(|replacement| {
                        (
                            format!("Grant `roles/viewer` instead of `{role}`"),
                            Applicability::Unsafe,
                            replacement.to_owned(),
                        )
                    }),
                },
            );
            let mut diagnostic = ctx.diagnostic(role_expr.range, judged.message);
            diagnostic.severity = judged.severity;
            if only_service_agents(file, grant) {
                diagnostic.severity = Severity::Info;
            }
            ctx.report(diagnostic);
        }
    }
}

/// Whether every member of the grant, as written, is a Google-managed service agent.
fn only_service_agents(file: &SourceFile<'_>, grant: &Grant<'_>) -> bool {
    !grant.members.is_empty()
        && grant
            .members
            .iter()
            .all(|member| is_service_agent(file.slice(member.range)))
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

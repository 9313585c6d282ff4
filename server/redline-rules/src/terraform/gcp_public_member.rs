use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use super::gcp_iam::grants;
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A Google Cloud IAM grant to `allUsers` or `allAuthenticatedUsers`: in the `member` of
    /// any `google_*_iam_member` (project, folder, organization, bucket, dataset, function,
    /// service, …), the `members` of any `google_*_iam_binding`, and the `members` of a
    /// `binding` block in `data "google_iam_policy"`.
    ///
    /// ## Why it matters
    /// `allUsers` is anyone on the internet, without signing in.
    /// `allAuthenticatedUsers` is anyone with any Google account, not only people in your
    /// organization.
    /// Whatever the role allows (reading a bucket, invoking a function, administering a
    /// project) is then open to the world.
    ///
    /// ## Example
    /// ```hcl
    /// resource "google_storage_bucket_iam_member" "public" {
    ///   bucket = google_storage_bucket.exports.name
    ///   role   = "roles/storage.objectViewer"
    ///   member = "allUsers"
    /// }
    /// ```
    ///
    /// ## Use instead
    /// Grant the role to the groups or service accounts that need it:
    /// ```hcl
    /// resource "google_storage_bucket_iam_member" "readers" {
    ///   bucket = google_storage_bucket.exports.name
    ///   role   = "roles/storage.objectViewer"
    ///   member = "group:export-readers@acme.example"
    /// }
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: only the owner knows who should keep access.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-GCP-002 -- public website bucket` on the line above.
    ///
    /// ## References
    /// - Google Cloud IAM documentation, "Principal types"
    /// - Checkov CKV_GCP_113, CKV2_GCP_8
    GcpPublicMember {
        id: "RL-GCP-002", name: "gcp-public-member",
        summary: "A Google Cloud IAM grant is made to allUsers or allAuthenticatedUsers",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Terraform], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    let model = file.terraform();
    for grant in grants(file, model) {
        for member in &grant.members {
            let (name, who) = match member.value.as_str() {
                Some(name @ "allUsers") => (name, "anyone on the internet, without signing in,"),
                Some(name @ "allAuthenticatedUsers") => (name, "anyone with any Google account"),
                _ => continue,
            };
            let role = grant
                .role
                .and_then(|role| role.value.as_str())
                .map_or_else(|| "its role".to_owned(), |role| format!("`{role}`"));
            let reach = grant.level.map_or_else(
                || "whatever uses this policy".to_owned(),
                |level| level.reach(),
            );
            let message = format!(
                "`{}` grants {role} to `{name}`: {who} gets it on {reach}; remove `{name}` and \
                 grant the role to the groups or service accounts that need it",
                grant.subject
            );
            let diagnostic = ctx.diagnostic(member.range, message);
            ctx.report(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("terraform/gcp-public-member/fires.tf");
    }

    #[test]
    fn quiet() {
        check_fixture("terraform/gcp-public-member/quiet.tf");
    }
}

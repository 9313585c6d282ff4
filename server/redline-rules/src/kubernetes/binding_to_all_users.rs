use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::value::Node;

use super::{describe, judged_objects, kind};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `RoleBinding` or `ClusterRoleBinding` whose subject is a group or user that stands
    /// for everyone: `system:authenticated`, `system:unauthenticated`, `system:anonymous`,
    /// `system:serviceaccounts` (or all service accounts of a namespace).
    ///
    /// ## Why it matters
    /// The role then applies to every logged-in user, to anonymous requests, or to every pod's
    /// service account, including workloads that run untrusted code.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}
    /// subjects:
    ///   - kind: Group
    ///     name: system:authenticated
    /// ```
    ///
    /// ## Use instead
    /// Bind named users, groups from your identity provider, or specific service accounts.
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-107 -- public discovery endpoint` on the line above the subject.
    ///
    /// ## References
    /// - Kubernetes documentation, "Using RBAC Authorization", default roles and subjects
    BindingToAllUsers {
        id: "RL-K8S-107", name: "binding-to-all-users",
        summary: "A binding grants a role to every user, anonymous requests or every service account",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::None, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        if !matches!(kind(object), Some("ClusterRoleBinding" | "RoleBinding")) {
            continue;
        }
        let role = object
            .get("roleRef")
            .and_then(|role_ref| role_ref.get("name"))
            .and_then(Node::as_str)
            .unwrap_or("its role");
        for subject in object.get("subjects").map(Node::items).unwrap_or_default() {
            let Some(name_node) = subject.get("name") else {
                continue;
            };
            let Some(name) = name_node.as_str() else {
                continue;
            };
            let everyone = match name {
                "system:authenticated" => "every authenticated user",
                "system:unauthenticated" | "system:anonymous" => "anonymous requests",
                "system:serviceaccounts" => "every service account in the cluster",
                _ if name.starts_with("system:serviceaccounts:") => {
                    "every service account of that namespace"
                }
                _ => continue,
            };
            let message = format!(
                "{} grants `{role}` to `{name}`, that is to {everyone}; bind named subjects instead",
                describe(object)
            );
            let diagnostic = ctx.diagnostic(name_node.range, message);
            ctx.report(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/binding-to-all-users/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/binding-to-all-users/quiet.yaml");
    }
}

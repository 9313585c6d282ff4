use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::value::Node;

use super::{describe, judged_objects, kind};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `ClusterRoleBinding` or `RoleBinding` whose `roleRef` is the `cluster-admin`
    /// ClusterRole.
    /// A `RoleBinding` grants it within its own namespace only: it is a warning when bound to
    /// every identity of a kind (`system:serviceaccounts`, `system:authenticated`), and info
    /// when bound to named subjects, the usual way to make a tenant administrator of its
    /// namespace.
    /// It also reads the manifests a CloudFormation template applies through a custom
    /// resource, written as a map in its `Manifest` property (`Custom::KubeManifest`).
    ///
    /// ## Why it matters
    /// `cluster-admin` can do anything to any object in the cluster: delete namespaces with
    /// everything in them, read every Secret, change RBAC.
    /// Bound to a CI or agent service account, one mistaken command removes the environment;
    /// bound to `system:authenticated`, `system:serviceaccounts` or a `default` service account,
    /// every workload or user gets that power.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRoleBinding
    /// roleRef:
    ///   apiGroup: rbac.authorization.k8s.io
    ///   kind: ClusterRole
    ///   name: cluster-admin
    /// subjects:
    ///   - kind: ServiceAccount
    ///     name: deployer
    ///     namespace: ci
    /// ```
    ///
    /// ## Use instead
    /// Bind a Role scoped to the namespaces and resources the subject deploys.
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-102 -- cluster bootstrap, applied once by a human` on the line
    /// above `name: cluster-admin`.
    ///
    /// ## References
    /// - kube-linter `cluster-admin-role-binding`
    ClusterAdminBinding {
        id: "RL-K8S-102", name: "cluster-admin-binding",
        summary: "A binding grants the `cluster-admin` role",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Kubernetes, Format::CloudFormation], fix: FixAvailability::None,
        status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        if !matches!(kind(object), Some("ClusterRoleBinding" | "RoleBinding")) {
            continue;
        }
        let Some(role_ref) = object.get("roleRef") else {
            continue;
        };
        if role_ref.get("kind").and_then(Node::as_str) != Some("ClusterRole") {
            continue;
        }
        let Some(name) = role_ref
            .get("name")
            .filter(|name| name.as_str() == Some("cluster-admin"))
        else {
            continue;
        };
        let subjects: Vec<String> = object
            .get("subjects")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|subject| {
                let name = subject.get("name").and_then(Node::as_str)?;
                let kind = subject
                    .get("kind")
                    .and_then(Node::as_str)
                    .unwrap_or("subject");
                let wide = matches!(
                    name,
                    "system:authenticated"
                        | "system:unauthenticated"
                        | "system:serviceaccounts"
                        | "default"
                ) || name.starts_with("system:serviceaccounts:");
                Some(if wide {
                    format!("{kind} `{name}` (every identity of that kind)")
                } else {
                    format!("{kind} `{name}`")
                })
            })
            .collect();
        let any_wide = subjects
            .iter()
            .any(|subject| subject.ends_with("(every identity of that kind)"));
        let who = if subjects.is_empty() {
            "its subjects".to_owned()
        } else {
            subjects.join(", ")
        };
        let diagnostic = if kind(object) == Some("RoleBinding") {
            // A RoleBinding grants a ClusterRole's rules in the binding's namespace only: the
            // usual way to make a tenant the administrator of its own namespace.
            let namespace = object
                .get("metadata")
                .and_then(|metadata| metadata.get("namespace"))
                .and_then(Node::as_str)
                .map_or_else(
                    || "its namespace".to_owned(),
                    |ns| format!("namespace `{ns}`"),
                );
            let message = format!(
                "{} gives {who} `cluster-admin` within {namespace}: full control of the objects \
                 of that namespace, its Secrets included; bind a Role scoped to what they deploy",
                describe(object)
            );
            let mut diagnostic = ctx.diagnostic(name.range, message);
            // Bound to every identity of a kind, anyone gets it; bound to named subjects, it
            // is hygiene.
            diagnostic.severity = if any_wide {
                Severity::Warning
            } else {
                Severity::Info
            };
            diagnostic
        } else {
            let message = format!(
                "{} gives {who} `cluster-admin`: full control of every object in the cluster, \
                 including deleting namespaces and reading every Secret; bind a Role scoped to \
                 what they deploy",
                describe(object)
            );
            ctx.diagnostic(name.range, message)
        };
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/cluster-admin-binding/fires.yaml");
    }

    #[test]
    fn fires_in_cloudformation() {
        check_fixture("kubernetes/cluster-admin-binding/fires.cfn.yaml");
    }

    #[test]
    fn quiet_in_cloudformation() {
        check_fixture("kubernetes/cluster-admin-binding/quiet.cfn.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/cluster-admin-binding/quiet.yaml");
    }
}

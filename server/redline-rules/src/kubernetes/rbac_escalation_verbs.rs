use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use super::{describe, judged_objects, list_items, role_rules};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// The RBAC verbs `escalate`, `bind` and `impersonate` in a `Role` or `ClusterRole`.
    ///
    /// ## Why it matters
    /// `escalate` lets the holder write roles with permissions it does not have, `bind` lets it
    /// bind any role (including `cluster-admin`) to itself, and `impersonate` lets it act as
    /// any user, group or service account.
    /// Each turns a limited identity into a cluster administrator in one request.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRole
    /// rules:
    ///   - apiGroups: ["rbac.authorization.k8s.io"]
    ///     resources: ["clusterroles"]
    ///     verbs: ["get", "bind", "escalate"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: ClusterRole
    /// rules:
    ///   - apiGroups: ["rbac.authorization.k8s.io"]
    ///     resources: ["clusterroles"]
    ///     verbs: ["get"]
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: removing a verb may break the controller that needs it.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-103 -- RBAC manager, owned by the platform team` on the line
    /// above the verb.
    ///
    /// ## References
    /// - Kubernetes documentation, "Privilege escalation prevention and bootstrapping"
    RbacEscalationVerbs {
        id: "RL-K8S-103", name: "rbac-escalation-verbs",
        summary: "An RBAC rule grants `escalate`, `bind` or `impersonate`",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::None, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        for rule in role_rules(object) {
            for (node, verb) in list_items(rule, "verbs") {
                let consequence = match verb {
                    "escalate" => "write roles granting permissions it does not hold",
                    "bind" => "bind any role, including `cluster-admin`, to itself",
                    "impersonate" => "act as any user, group or service account",
                    _ => continue,
                };
                let message = format!(
                    "{} grants `{verb}`: its holder can {consequence}, which makes it a cluster \
                     administrator; remove the verb",
                    describe(object)
                );
                let diagnostic = ctx.diagnostic(node.range, message);
                ctx.report(diagnostic.with_subject(object.range));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/rbac-escalation-verbs/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/rbac-escalation-verbs/quiet.yaml");
    }
}

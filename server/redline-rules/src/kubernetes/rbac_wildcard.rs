use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use super::{describe, list_items, objects, role_rules};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `Role` or `ClusterRole` rule with `"*"` in `verbs`, `resources` or `apiGroups`.
    ///
    /// ## Why it matters
    /// A wildcard grants every verb (including `delete`, `escalate` and `impersonate`), every
    /// resource (including `secrets`) or every API group, and also everything added to the
    /// cluster later, such as new custom resources.
    /// A service account bound to such a role, for example the one a CI job or an agent uses,
    /// can delete workloads and data it was never meant to touch.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRole
    /// rules:
    ///   - apiGroups: ["*"]
    ///     resources: ["*"]
    ///     verbs: ["*"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: ClusterRole
    /// rules:
    ///   - apiGroups: ["apps"]
    ///     resources: ["deployments"]
    ///     verbs: ["get", "list", "patch"]
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: only the role's owner knows what it needs.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-101 -- cluster operator, reviewed` on the line above the `*`.
    ///
    /// ## References
    /// - Kubernetes documentation, "Role Based Access Control Good Practices"
    /// - kube-linter `wildcard-use-in-rules`, Checkov CKV_K8S_49
    RbacWildcard {
        id: "RL-K8S-101", name: "rbac-wildcard",
        summary: "An RBAC rule grants `*` verbs, resources or API groups",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::None, status: Status::Preview,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in objects(ctx.file()) {
        for rule in role_rules(object) {
            let mut stars: Vec<_> = ["apiGroups", "resources", "verbs"]
                .into_iter()
                .filter_map(|field| {
                    list_items(rule, field)
                        .into_iter()
                        .find(|(_, text)| *text == "*")
                        .map(|(node, _)| (field, node))
                })
                .collect();
            stars.sort_by_key(|(_, node)| node.range.start());
            let Some((_, first)) = stars.first() else {
                continue;
            };
            let fields: Vec<String> = stars
                .iter()
                .map(|(field, _)| format!("`{field}`"))
                .collect();
            let message = format!(
                "{} grants `*` in {}: it covers every present and future {} including deletes \
                 and secrets; list the verbs and resources the subject needs",
                describe(object),
                fields.join(", "),
                if stars.len() > 1 {
                    "API object and action"
                } else {
                    "value of that field"
                },
            );
            let diagnostic = ctx.diagnostic(first.range, message);
            ctx.report(diagnostic.with_subject(object.range));
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/rbac-wildcard/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/rbac-wildcard/quiet.yaml");
    }
}

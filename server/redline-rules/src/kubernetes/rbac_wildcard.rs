use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use super::{describe, judged_objects, list_items, role_rules};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `Role` or `ClusterRole` rule with `"*"` in `verbs`, `resources` or `apiGroups`.
    /// A wildcard that cannot reach Secrets (a rule limited to named API groups such as
    /// `monitoring.coreos.com`, or to named resources other than `secrets`) is reported as info.
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
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
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
            let what = if stars.len() > 1 {
                "API object and action"
            } else {
                "value of that field"
            };
            let groups = list_items(rule, "apiGroups");
            let resources = list_items(rule, "resources");
            // The rule reaches Secrets and the core objects only through the core group (`""`)
            // or `*`; a rule limited to named groups (custom resources, metrics) cannot.
            let core = rule.get("apiGroups").is_none()
                || groups.len() != rule.get("apiGroups").map_or(0, |g| g.one_or_many().len())
                || groups.iter().any(|(_, group)| matches!(*group, "*" | ""));
            let secrets = rule.get("resources").is_none()
                || resources.len() != rule.get("resources").map_or(0, |r| r.one_or_many().len())
                || resources
                    .iter()
                    .any(|(_, resource)| matches!(*resource, "*" | "secrets"));
            let mut diagnostic = if core && secrets {
                let message = format!(
                    "{} grants `*` in {}: it covers every present and future {what} including \
                     deletes and secrets; list the verbs and resources the subject needs",
                    describe(object),
                    fields.join(", "),
                );
                ctx.diagnostic(first.range, message)
            } else {
                let names: Vec<String> = groups
                    .iter()
                    .map(|(_, group)| format!("`{group}`"))
                    .collect();
                let scope = if core {
                    "the resources it names".to_owned()
                } else {
                    match names.as_slice() {
                        [one] => format!("the API group {one}"),
                        _ => format!("the API groups {}", names.join(", ")),
                    }
                };
                let message = format!(
                    "{} grants `*` in {}: it covers every present and future {what} within {scope}, \
                     but not Secrets; list the verbs and resources the subject needs",
                    describe(object),
                    fields.join(", "),
                );
                let mut diagnostic = ctx.diagnostic(first.range, message);
                // Every verb on the custom resources of one group, or on named resources, is
                // hygiene next to a wildcard that reaches Secrets.
                diagnostic.severity = Severity::Info;
                diagnostic
            };
            diagnostic = diagnostic.with_subject(object.range);
            ctx.report(diagnostic);
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

use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use super::{describe, judged_objects, list_items, role_rules};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `Role` or `ClusterRole` that can `create` `pods/exec` or `pods/attach`.
    ///
    /// ## Why it matters
    /// Exec runs arbitrary commands inside running containers, with their service-account
    /// tokens, mounted secrets and network access: whatever the pod can do, the holder can do.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Role
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["pods/exec"]
    ///     verbs: ["create"]
    /// ```
    ///
    /// ## Use instead
    /// Grant exec only to break-glass roles that humans assume, not to automation.
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-105 -- on-call break-glass role` on the line above.
    ///
    /// ## References
    /// - kube-linter `access-to-create-pods`, Checkov CKV2_K8S_2
    PodExecAccess {
        id: "RL-K8S-105", name: "pod-exec-access",
        summary: "An RBAC rule lets its holder run commands inside pods",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::None, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        for rule in role_rules(object) {
            let creates = list_items(rule, "verbs")
                .iter()
                .any(|(_, verb)| matches!(*verb, "create" | "*"));
            if !creates {
                continue;
            }
            for (node, resource) in list_items(rule, "resources") {
                if !matches!(resource, "pods/exec" | "pods/attach") {
                    continue;
                }
                let message = format!(
                    "{} can create `{resource}`: its holder runs commands inside pods with their \
                     tokens and secrets; keep exec for break-glass roles",
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
        check_fixture("kubernetes/pod-exec-access/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/pod-exec-access/quiet.yaml");
    }
}

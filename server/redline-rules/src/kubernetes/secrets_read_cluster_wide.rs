use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use super::{describe, judged_objects, kind, list_items, role_rules};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `ClusterRole` that can `get`, `list` or `watch` `secrets` (or `*` of them) without
    /// `resourceNames`.
    ///
    /// ## Why it matters
    /// Bound cluster-wide, it reads every Secret in every namespace: database passwords, cloud
    /// credentials, service-account tokens of more privileged identities.
    /// Reading a token of a more privileged service account is a direct path to its permissions.
    ///
    /// ## Example
    /// ```yaml
    /// kind: ClusterRole
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["secrets"]
    ///     verbs: ["get", "list"]
    /// ```
    ///
    /// ## Use instead
    /// A namespaced `Role`, limited to the Secrets the workload needs:
    /// ```yaml
    /// kind: Role
    /// rules:
    ///   - apiGroups: [""]
    ///     resources: ["secrets"]
    ///     resourceNames: ["app-db-credentials"]
    ///     verbs: ["get"]
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-104 -- external-secrets operator` on the line above.
    ///
    /// ## References
    /// - kube-linter `access-to-secrets`, Checkov CKV2_K8S_5
    SecretsReadClusterWide {
        id: "RL-K8S-104", name: "secrets-read-cluster-wide",
        summary: "A ClusterRole can read every Secret in the cluster",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::None, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        if kind(object) != Some("ClusterRole") {
            continue;
        }
        for rule in role_rules(object) {
            if rule
                .get("resourceNames")
                // Names a template gives (`{{- toYaml .Values.names | nindent 6 }}`) may be
                // any: the rule does not guess that there are none.
                .is_some_and(|names| names.is_opaque() || !names.items().is_empty())
            {
                continue;
            }
            let core_group = list_items(rule, "apiGroups")
                .iter()
                .any(|(_, group)| group.is_empty() || *group == "*");
            let reads = list_items(rule, "verbs")
                .iter()
                .any(|(_, verb)| matches!(*verb, "get" | "list" | "watch" | "*"));
            let Some((node, _)) = list_items(rule, "resources")
                .into_iter()
                .find(|(_, resource)| *resource == "secrets")
            else {
                continue;
            };
            if !core_group || !reads {
                continue;
            }
            let message = format!(
                "{} can read every Secret in every namespace, including credentials of more \
                 privileged identities; use a namespaced Role with `resourceNames`",
                describe(object)
            );
            let diagnostic = ctx.diagnostic(node.range, message);
            ctx.report(diagnostic.with_subject(object.range));
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/secrets-read-cluster-wide/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/secrets-read-cluster-wide/quiet.yaml");
    }

    #[test]
    fn fires_template() {
        check_fixture("kubernetes/secrets-read-cluster-wide/fires-template.yaml");
    }

    #[test]
    fn quiet_template() {
        check_fixture("kubernetes/secrets-read-cluster-wide/quiet-template.yaml");
    }
}

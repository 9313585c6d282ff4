use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::value::Node;

use super::{api_group, describe, judged_objects, kind};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An Argo CD `AppProject` that allows everything: `sourceRepos` with `"*"`, a
    /// `destinations` entry with `"*"` for both the cluster and the namespace, or a
    /// `clusterResourceWhitelist` entry with `"*"` for both group and kind.
    ///
    /// ## Why it matters
    /// A project is the permission boundary of its applications.
    /// With wildcards, any repository can deploy anything to any namespace of any cluster,
    /// including ClusterRoles, webhooks and CRDs, so a change in one team's repository can
    /// replace or delete another team's production workloads.
    ///
    /// ## Example
    /// ```yaml
    /// kind: AppProject
    /// spec:
    ///   sourceRepos: ["*"]
    ///   destinations:
    ///     - server: "*"
    ///       namespace: "*"
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: AppProject
    /// spec:
    ///   sourceRepos: ["https://git.example.com/payments/deploy.git"]
    ///   destinations:
    ///     - server: https://kubernetes.default.svc
    ///       namespace: payments
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-GIT-008 -- platform bootstrap project` on the line above.
    ///
    /// ## References
    /// - Argo CD documentation, "Projects"
    ArgocdProjectWildcards {
        id: "RL-GIT-008", name: "argocd-project-wildcards",
        summary: "An Argo CD project lets any repository deploy anything anywhere",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::None, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        if api_group(object) != "argoproj.io" || kind(object) != Some("AppProject") {
            continue;
        }
        let Some(spec) = object.get("spec") else {
            continue;
        };
        let project = describe(object);
        for repo in spec.get("sourceRepos").map(Node::items).unwrap_or_default() {
            if repo.as_str() == Some("*") {
                report(
                    ctx,
                    repo,
                    &project,
                    "`sourceRepos: *` lets any repository deploy through it",
                );
            }
        }
        for destination in spec
            .get("destinations")
            .map(Node::items)
            .unwrap_or_default()
        {
            let any_cluster = ["server", "name"]
                .iter()
                .any(|key| destination.get(key).and_then(Node::as_str) == Some("*"));
            let namespace = destination
                .get("namespace")
                .filter(|namespace| namespace.as_str() == Some("*"));
            if let (true, Some(namespace)) = (any_cluster, namespace) {
                report(
                    ctx,
                    namespace,
                    &project,
                    "a `*` destination lets its applications deploy to every namespace of every cluster",
                );
            }
        }
        for allowed in spec
            .get("clusterResourceWhitelist")
            .map(Node::items)
            .unwrap_or_default()
        {
            let any_group = allowed.get("group").and_then(Node::as_str) == Some("*");
            let kind = allowed
                .get("kind")
                .filter(|kind| kind.as_str() == Some("*"));
            if let (true, Some(kind)) = (any_group, kind) {
                report(
                    ctx,
                    kind,
                    &project,
                    "`clusterResourceWhitelist` `*/*` lets its applications create and delete any cluster-scoped object, RBAC included",
                );
            }
        }
    }
}

fn report(ctx: &mut RuleContext<'_>, node: &Node, project: &str, what: &str) {
    let message =
        format!("{project}: {what}; list the repositories, destinations and kinds it needs");
    let diagnostic = ctx.diagnostic(node.range, message);
    ctx.report(diagnostic);
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/argocd-project-wildcards/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/argocd-project-wildcards/quiet.yaml");
    }
}

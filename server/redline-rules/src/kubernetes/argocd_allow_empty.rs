use redline_diagnostics::{Applicability, Category, Confidence, Severity};
use redline_syntax::Format;

use super::{argocd_app_spec, describe, judged_objects, true_entry};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `syncPolicy.automated.allowEmpty: true` on an Argo CD `Application` or `ApplicationSet`.
    ///
    /// ## Why it matters
    /// Argo CD normally refuses to sync an application whose manifests render to nothing,
    /// because that is almost always a mistake: a wrong path, branch or values file.
    /// With `allowEmpty` (and pruning), that mistake deletes every object the application
    /// manages.
    ///
    /// ## Example
    /// ```yaml
    /// syncPolicy:
    ///   automated:
    ///     prune: true
    ///     allowEmpty: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// syncPolicy:
    ///   automated:
    ///     prune: true
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets `allowEmpty: false`. It is safe: it restores Argo CD's refusal to sync an
    /// empty render.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-GIT-002 -- decommissioning app, intentionally empty` on the line above.
    ///
    /// ## References
    /// - Argo CD documentation, "Automatic Pruning with Allow-Empty"
    ArgocdAllowEmpty {
        id: "RL-GIT-002", name: "argocd-allow-empty",
        summary: "Argo CD may sync an empty render, deleting everything the application manages",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::Always, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        let Some(automated) = argocd_app_spec(object)
            .and_then(|spec| spec.get("syncPolicy"))
            .and_then(|policy| policy.get("automated"))
        else {
            continue;
        };
        let Some(entry) = true_entry(automated, "allowEmpty") else {
            continue;
        };
        let message = format!(
            "`allowEmpty: true` on {}: a wrong path, branch or values file that renders nothing \
             deletes every object the application manages; remove `allowEmpty`",
            describe(object)
        );
        let diagnostic = ctx.diagnostic_replacing(
            entry.value.range,
            message,
            "Set `allowEmpty: false`",
            Applicability::Safe,
            "false",
        );
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/argocd-allow-empty/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/argocd-allow-empty/quiet.yaml");
    }
}

use redline_diagnostics::{Applicability, Category, Confidence, Severity};
use redline_syntax::Format;

use super::{argocd_app_spec, describe, judged_objects, targets_production, true_entry};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// An Argo CD `Application` or `ApplicationSet` with automated sync and
    /// `syncPolicy.automated.prune: true`.
    ///
    /// ## Why it matters
    /// Anything that disappears from Git is deleted from the cluster at the next sync, with no
    /// human step: a moved folder, a bad merge or an edit by an agent that drops a manifest
    /// deletes Deployments, Services, claims and their data.
    /// It is worse for production destinations and with `selfHeal`, which re-applies the
    /// deletion if someone restores the object by hand.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Application
    /// spec:
    ///   syncPolicy:
    ///     automated:
    ///       prune: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Application
    /// spec:
    ///   syncPolicy:
    ///     automated:
    ///       prune: false
    /// ```
    /// and prune by hand after reviewing the diff, or protect stateful objects with the
    /// `argocd.argoproj.io/sync-options: Prune=false` annotation.
    ///
    /// ## Fix safety
    /// The fix sets `prune: false`. It is unsafe: removed manifests then leave orphaned objects
    /// in the cluster until someone prunes them.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-GIT-001 -- preview environments` on the line above.
    ///
    /// ## References
    /// - Argo CD documentation, "Automated Sync Policy: Automatic Pruning"
    ArgocdAutoPrune {
        id: "RL-GIT-001", name: "argocd-auto-prune",
        summary: "Argo CD deletes cluster objects that vanish from Git, with no human step",
        category: Category::Approval, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::Always, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        let Some(spec) = argocd_app_spec(object) else {
            continue;
        };
        let Some(automated) = spec
            .get("syncPolicy")
            .and_then(|policy| policy.get("automated"))
        else {
            continue;
        };
        if automated
            .get("enabled")
            .and_then(|enabled| enabled.as_bool())
            == Some(false)
        {
            continue;
        }
        let Some(prune) = true_entry(automated, "prune") else {
            continue;
        };
        let production = targets_production(object, spec);
        let self_heal = true_entry(automated, "selfHeal").is_some();
        let mut aggravating = Vec::new();
        if production {
            aggravating.push("it targets production");
        }
        if self_heal {
            aggravating.push("`selfHeal` re-applies the deletion if someone restores the object");
        }
        let extra = if aggravating.is_empty() {
            String::new()
        } else {
            format!(" ({})", aggravating.join("; "))
        };
        let message = format!(
            "{} prunes automatically: anything removed from Git is deleted from the cluster at \
             the next sync with no human step{extra}; set `prune: false` and prune after review",
            describe(object)
        );
        let mut diagnostic = ctx.diagnostic_replacing(
            prune.value.range,
            message,
            "Set `prune: false`",
            Applicability::Unsafe,
            "false",
        );
        if production || self_heal {
            diagnostic.severity = Severity::Error;
        }
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/argocd-auto-prune/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/argocd-auto-prune/quiet.yaml");
    }
}

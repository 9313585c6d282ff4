use redline_diagnostics::{Applicability, Category, Confidence, Severity};
use redline_syntax::Format;

use super::{api_group, describe, judged_objects, kind, true_entry};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `spec.force: true` on a Flux `Kustomization`, and `spec.upgrade.force: true` on a Flux
    /// `HelmRelease`.
    ///
    /// ## Why it matters
    /// When a change cannot be applied in place (an immutable field such as a StatefulSet's
    /// volume claim templates or a Job's template), Flux deletes the object and creates it
    /// again, unattended.
    /// For stateful workloads that is an outage at best, and with `prune: true` on the
    /// Kustomization the deletion can take their claims with them.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Kustomization
    /// spec:
    ///   prune: true
    ///   force: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: Kustomization
    /// spec:
    ///   prune: true
    ///   force: false
    /// ```
    /// and recreate objects by hand when an immutable field really must change.
    ///
    /// ## Fix safety
    /// The fix sets `force: false`. It is safe: changes to immutable fields then fail and wait
    /// for a human instead of recreating objects.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-GIT-007 -- stateless jobs only` on the line above.
    ///
    /// ## References
    /// - Flux documentation, Kustomization `.spec.force`; HelmRelease `.spec.upgrade.force`
    FluxForceRecreate {
        id: "RL-GIT-007", name: "flux-force-recreate",
        summary: "Flux deletes and recreates objects whose changes cannot be applied in place",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::Always, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        let Some(spec) = object.get("spec") else {
            continue;
        };
        let (entry, severity, extra) = match (api_group(object), kind(object)) {
            ("kustomize.toolkit.fluxcd.io", Some("Kustomization")) => {
                let Some(entry) = true_entry(spec, "force") else {
                    continue;
                };
                let extra = if true_entry(spec, "prune").is_some() {
                    "; with `prune: true`, their volume claims can go too"
                } else {
                    ""
                };
                (entry, Severity::Error, extra)
            }
            ("helm.toolkit.fluxcd.io", Some("HelmRelease")) => {
                let Some(entry) = spec
                    .get("upgrade")
                    .and_then(|upgrade| true_entry(upgrade, "force"))
                else {
                    continue;
                };
                (entry, Severity::Warning, "")
            }
            _ => continue,
        };
        let message = format!(
            "`force: true` on {}: objects whose changes cannot be applied in place are deleted \
             and recreated with no human step{extra}; set `force: false`",
            describe(object)
        );
        let mut diagnostic = ctx.diagnostic_replacing(
            entry.value.range,
            message,
            "Set `force: false`",
            Applicability::Safe,
            "false",
        );
        diagnostic.severity = severity;
        ctx.report(diagnostic);
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/flux-force-recreate/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/flux-force-recreate/quiet.yaml");
    }
}

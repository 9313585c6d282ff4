use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;

use super::{describe, judged_objects, kind};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `Namespace`, `PersistentVolumeClaim`, `PersistentVolume` or `StatefulSet` annotated
    /// for deletion by a deploy tool: `helm.sh/hook-delete-policy` or
    /// `argocd.argoproj.io/hook-delete-policy`.
    ///
    /// ## Why it matters
    /// Hook resources are deleted by Helm or Argo CD when the hook succeeds, fails or runs
    /// again. On a namespace that deletes everything inside it; on a claim or volume it
    /// deletes the data; on a StatefulSet it deletes the database it runs.
    ///
    /// ## Example
    /// ```yaml
    /// kind: PersistentVolumeClaim
    /// metadata:
    ///   name: data
    ///   annotations:
    ///     helm.sh/hook: pre-install
    ///     helm.sh/hook-delete-policy: before-hook-creation
    /// ```
    ///
    /// ## Use instead
    /// Make the object a regular part of the release (no hook annotations), and protect it with
    /// `helm.sh/resource-policy: keep`.
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-005 -- test namespace created per run` on the line above.
    ///
    /// ## References
    /// - Helm documentation, "Chart Hooks: Hook deletion policies"
    /// - Argo CD documentation, "Resource Hooks: Hook Deletion Policies"
    StatefulObjectHookDeleted {
        id: "RL-K8S-005", name: "stateful-object-hook-deleted",
        summary: "A namespace, volume or StatefulSet is marked for deletion by a deploy hook",
        category: Category::Destructive, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::None, status: Status::Preview,
        locality: Locality::Document,
    }
}

const ANNOTATIONS: &[&str] = &[
    "helm.sh/hook-delete-policy",
    "argocd.argoproj.io/hook-delete-policy",
];

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        let consequence = match kind(object) {
            Some("Namespace") => "every object inside it",
            Some("PersistentVolumeClaim" | "PersistentVolume") => "the data on the volume",
            Some("StatefulSet") => "the stateful workload",
            _ => continue,
        };
        let Some(annotations) = object
            .get("metadata")
            .and_then(|metadata| metadata.get("annotations"))
        else {
            continue;
        };
        for annotation in ANNOTATIONS {
            let Some(entry) = annotations.entry(annotation) else {
                continue;
            };
            let policy = entry.value.as_str().unwrap_or("a hook event");
            let message = format!(
                "`{annotation}: {policy}` makes the deploy tool delete {}, and with it \
                 {consequence}; make it a regular part of the release instead of a hook",
                describe(object)
            );
            let diagnostic = ctx.diagnostic(entry.key.range, message);
            ctx.report(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/stateful-object-hook-deleted/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/stateful-object-hook-deleted/quiet.yaml");
    }
}

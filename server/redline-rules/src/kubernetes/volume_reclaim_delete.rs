use redline_diagnostics::{Applicability, Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::value::Entry;

use super::{describe, judged_objects, kind};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Storage that is deleted with its claim or workload:
    /// `persistentVolumeReclaimPolicy: Delete` on a `PersistentVolume`,
    /// `reclaimPolicy: Delete` on a `StorageClass`, and
    /// `persistentVolumeClaimRetentionPolicy` `whenDeleted: Delete` or `whenScaled: Delete` on
    /// a `StatefulSet`.
    ///
    /// ## Why it matters
    /// Deleting the claim (or the StatefulSet, or scaling it down) then deletes the disk behind
    /// it, and the data with it.
    /// Claims are deleted more often than people think: a namespace cleanup, a renamed
    /// StatefulSet, a GitOps prune.
    ///
    /// ## Example
    /// ```yaml
    /// kind: StorageClass
    /// reclaimPolicy: Delete
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// kind: StorageClass
    /// reclaimPolicy: Retain
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets the policy to `Retain`. It is safe: released volumes are kept and must be
    /// cleaned up by hand.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-002 -- scratch storage for CI runners` on the line above.
    ///
    /// ## References
    /// - Kubernetes documentation, "Persistent Volumes: Reclaiming" and "StatefulSets:
    ///   PersistentVolumeClaim retention"
    VolumeReclaimDelete {
        id: "RL-K8S-002", name: "volume-reclaim-delete",
        summary: "Storage is deleted together with its claim or workload",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::Always, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        let mut entries: Vec<(&Entry, &str)> = Vec::new();
        match kind(object) {
            Some("PersistentVolume") => {
                if let Some(entry) = object
                    .get("spec")
                    .and_then(|spec| spec.entry("persistentVolumeReclaimPolicy"))
                {
                    entries.push((entry, "deleting its claim deletes the disk and its data"));
                }
            }
            Some("StorageClass") => {
                if let Some(entry) = object.entry("reclaimPolicy") {
                    entries.push((
                        entry,
                        "deleting a claim of this class deletes the disk and its data",
                    ));
                }
            }
            Some("StatefulSet") => {
                let policy = object
                    .get("spec")
                    .and_then(|spec| spec.get("persistentVolumeClaimRetentionPolicy"));
                if let Some(policy) = policy {
                    if let Some(entry) = policy.entry("whenDeleted") {
                        entries.push((
                            entry,
                            "deleting the StatefulSet deletes its volumes and their data",
                        ));
                    }
                    if let Some(entry) = policy.entry("whenScaled") {
                        entries.push((
                            entry,
                            "scaling it down deletes the volumes of removed replicas",
                        ));
                    }
                }
            }
            _ => {}
        }
        for (entry, consequence) in entries {
            if entry.value.as_str() != Some("Delete") {
                continue;
            }
            let key = entry.key.as_str().unwrap_or("policy");
            let message = format!(
                "`{key}: Delete` on {}: {consequence}; set `{key}: Retain`",
                describe(object)
            );
            let diagnostic = ctx.diagnostic_replacing(
                entry.value.range,
                message,
                format!("Set `{key}: Retain`"),
                Applicability::Safe,
                "Retain",
            );
            ctx.report(diagnostic);
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/volume-reclaim-delete/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/volume-reclaim-delete/quiet.yaml");
    }
}

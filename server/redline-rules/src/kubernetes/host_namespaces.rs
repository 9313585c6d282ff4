use redline_diagnostics::{Applicability, Category, Confidence, Severity};
use redline_syntax::Format;

use super::{describe, judged_objects, pod_spec, true_entry};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `hostPID: true`, `hostIPC: true` or `hostNetwork: true` in a pod spec.
    ///
    /// ## Why it matters
    /// The pod shares the node's process table, shared memory or network stack: it can see and
    /// signal every process on the node, read other pods' shared memory, or listen on the
    /// node's interfaces and reach services bound to localhost.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostPID: true
    /// ```
    ///
    /// ## Use instead
    /// Leave the fields out (they default to `false`).
    ///
    /// ## Fix safety
    /// The fix sets the field to `false`. It is unsafe: node agents that need the host's
    /// namespaces (monitoring, CNI) stop working.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-110 -- node exporter` on the line above.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, "Baseline: Host Namespaces"
    HostNamespaces {
        id: "RL-K8S-110", name: "host-namespaces",
        summary: "A pod shares the node's process, IPC or network namespace",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::Always, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        let Some(spec) = pod_spec(object) else {
            continue;
        };
        for (field, shares) in [
            ("hostPID", "the node's processes"),
            ("hostIPC", "the node's shared memory"),
            ("hostNetwork", "the node's network stack"),
        ] {
            let Some(entry) = true_entry(spec, field) else {
                continue;
            };
            let message = format!(
                "`{field}: true` in {} shares {shares} with the pod, breaking its isolation from \
                 the node; remove it",
                describe(object)
            );
            let diagnostic = ctx.diagnostic_replacing(
                entry.value.range,
                message,
                format!("Set `{field}: false`"),
                Applicability::Unsafe,
                "false",
            );
            ctx.report(diagnostic.with_subject(object.range));
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/host-namespaces/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/host-namespaces/quiet.yaml");
    }

    #[test]
    fn fires_template() {
        check_fixture("kubernetes/host-namespaces/fires-template.yaml");
    }

    #[test]
    fn quiet_template() {
        check_fixture("kubernetes/host-namespaces/quiet-template.yaml");
    }
}

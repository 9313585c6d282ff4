use redline_diagnostics::{Applicability, Category, Confidence, Severity};
use redline_syntax::Format;

use super::{containers_with_true, describe, describe_container};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `securityContext.privileged: true` on a container of a pod or workload template.
    ///
    /// ## Why it matters
    /// A privileged container has every Linux capability and access to the node's devices: it
    /// can mount the host's disks, load kernel modules and take over the node with every pod on it.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       privileged: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     securityContext:
    ///       privileged: false
    ///       capabilities:
    ///         add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets `privileged: false`. It is unsafe: a container that really uses host
    /// devices stops working; grant the specific capability it needs instead.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-108 -- CNI plugin daemon` on the line above.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, "Baseline: Privileged Containers"
    PrivilegedContainer {
        id: "RL-K8S-108", name: "privileged-container",
        summary: "A container runs privileged, with full access to its node",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::Always, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for (object, container, entry) in containers_with_true(ctx, "privileged") {
        let message = format!(
            "{} of {} runs privileged: it can take over the node and every pod on it; set \
             `privileged: false` and add only the capabilities it needs",
            describe_container(container),
            describe(object)
        );
        let diagnostic = ctx.diagnostic_replacing(
            entry.value.range,
            message,
            "Set `privileged: false`",
            Applicability::Unsafe,
            "false",
        );
        ctx.report(diagnostic.with_subject(object.range));
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/privileged-container/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/privileged-container/quiet.yaml");
    }

    #[test]
    fn fires_template() {
        check_fixture("kubernetes/privileged-container/fires-template.yaml");
    }

    #[test]
    fn quiet_template() {
        check_fixture("kubernetes/privileged-container/quiet-template.yaml");
    }
}

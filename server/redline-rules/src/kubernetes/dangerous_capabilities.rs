use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::value::Node;

use super::{containers, describe, describe_container, judged_objects, pod_spec};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `securityContext.capabilities.add` with `SYS_ADMIN`, `ALL` or `NET_ADMIN` (with or
    /// without the `CAP_` prefix).
    ///
    /// ## Why it matters
    /// `SYS_ADMIN` and `ALL` are nearly the same as running privileged: mounting filesystems,
    /// escaping through cgroups or namespaces.
    /// `NET_ADMIN` rewrites the pod's (and with `hostNetwork`, the node's) routing and firewall.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     add: ["SYS_ADMIN"]
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   capabilities:
    ///     drop: ["ALL"]
    ///     add: ["NET_BIND_SERVICE"]
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the container may need a narrower capability instead.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-113 -- VPN sidecar` on the line above.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, "Baseline: Capabilities"
    DangerousCapabilities {
        id: "RL-K8S-113", name: "dangerous-capabilities",
        summary: "A container adds SYS_ADMIN, ALL or NET_ADMIN capabilities",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::None, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        let Some(spec) = pod_spec(object) else {
            continue;
        };
        for container in containers(spec) {
            let added = container
                .get("securityContext")
                .and_then(|context| context.get("capabilities"))
                .and_then(|capabilities| capabilities.get("add"))
                .map(Node::items)
                .unwrap_or_default();
            for capability in added {
                let Some(name) = capability.as_str() else {
                    continue;
                };
                let upper = name.to_ascii_uppercase();
                let bare = upper.strip_prefix("CAP_").unwrap_or(&upper);
                let (consequence, severity) = match bare {
                    "SYS_ADMIN" | "ALL" => (
                        "nearly the same as running privileged: it can mount filesystems and escape to the node",
                        Severity::Error,
                    ),
                    "NET_ADMIN" => (
                        "it can rewrite routing and firewall rules",
                        Severity::Warning,
                    ),
                    _ => continue,
                };
                let message = format!(
                    "{} of {} adds `{name}`: {consequence}; drop it and add only narrower \
                     capabilities",
                    describe_container(container),
                    describe(object)
                );
                let mut diagnostic = ctx.diagnostic(capability.range, message);
                diagnostic.severity = severity;
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
        check_fixture("kubernetes/dangerous-capabilities/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/dangerous-capabilities/quiet.yaml");
    }
}

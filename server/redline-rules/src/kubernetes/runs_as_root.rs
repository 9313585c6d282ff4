use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::value::{Node, NodeKind};

use super::{containers, describe, describe_container, judged_objects, pod_spec};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A pod or container that is told explicitly to run as root: `runAsUser: 0` or
    /// `runAsNonRoot: false` in a `securityContext`.
    ///
    /// ## Why it matters
    /// Root inside a container owns the container's filesystem and is root on the node for
    /// any file or device that leaks in through a mount or a kernel bug; most container
    /// escapes need it.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   runAsUser: 0
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   runAsNonRoot: true
    ///   runAsUser: 10001
    /// ```
    ///
    /// ## Fix safety
    /// There is no automatic fix: the image must support running as another user.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-114 -- init container fixes volume ownership` on the line above.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, "Restricted: Running as Non-root"
    RunsAsRoot {
        id: "RL-K8S-114", name: "runs-as-root",
        summary: "A pod or container is set to run as root",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::None, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        let Some(spec) = pod_spec(object) else {
            continue;
        };
        let mut contexts: Vec<(String, &Node)> = Vec::new();
        if let Some(context) = spec.get("securityContext") {
            contexts.push(("the pod".to_owned(), context));
        }
        for container in containers(spec) {
            if let Some(context) = container.get("securityContext") {
                contexts.push((describe_container(container), context));
            }
        }
        for (subject, context) in contexts {
            let root_user = context.get("runAsUser").filter(|user| is_zero(user));
            let non_root_off = context
                .entry("runAsNonRoot")
                .filter(|entry| entry.value.as_bool() == Some(false))
                .map(|entry| &entry.value);
            for (node, setting) in [
                (root_user, "runAsUser: 0"),
                (non_root_off, "runAsNonRoot: false"),
            ] {
                let Some(node) = node else {
                    continue;
                };
                let message = format!(
                    "`{setting}` makes {subject} of {} run as root, which most container escapes \
                     need; run as a non-root user",
                    describe(object)
                );
                let diagnostic = ctx.diagnostic(node.range, message);
                ctx.report(diagnostic.with_subject(object.range));
            }
        }
    }
}

fn is_zero(node: &Node) -> bool {
    matches!(&node.kind, NodeKind::Scalar(scalar) if scalar.value == "0") && node.tag.is_none()
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/runs-as-root/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/runs-as-root/quiet.yaml");
    }
}

use redline_diagnostics::{Applicability, Category, Confidence, Severity};
use redline_syntax::Format;

use super::{containers_with_true, describe, describe_container};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// `securityContext.allowPrivilegeEscalation: true` on a container.
    ///
    /// ## Why it matters
    /// The container's processes may gain more privileges than their parent (setuid binaries,
    /// file capabilities), which turns a compromised application into root inside the container
    /// and a step closer to the node.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   allowPrivilegeEscalation: true
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// securityContext:
    ///   allowPrivilegeEscalation: false
    /// ```
    ///
    /// ## Fix safety
    /// The fix sets `allowPrivilegeEscalation: false`. It is unsafe: software that relies on
    /// setuid binaries (some `sudo` or `ping` uses) stops working.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-111 -- legacy image needs setuid ping` on the line above.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, "Restricted: Privilege Escalation"
    PrivilegeEscalationAllowed {
        id: "RL-K8S-111", name: "privilege-escalation-allowed",
        summary: "A container allows its processes to gain privileges",
        category: Category::Permissions, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::Always, status: Status::Preview,
        locality: Locality::Document,
    }
}

fn check(ctx: &mut RuleContext<'_>) {
    for (object, container, entry) in containers_with_true(ctx, "allowPrivilegeEscalation") {
        let message = format!(
            "{} of {} allows privilege escalation: a compromised process can become root \
             through setuid binaries; set `allowPrivilegeEscalation: false`",
            describe_container(container),
            describe(object)
        );
        let diagnostic = ctx.diagnostic_replacing(
            entry.value.range,
            message,
            "Set `allowPrivilegeEscalation: false`",
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
        check_fixture("kubernetes/privilege-escalation-allowed/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/privilege-escalation-allowed/quiet.yaml");
    }
}

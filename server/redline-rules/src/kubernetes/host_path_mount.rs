use redline_diagnostics::{Category, Confidence, Severity};
use redline_syntax::Format;
use redline_syntax::value::Node;

use super::{describe, judged_objects, pod_spec};
use crate::{FixAvailability, Locality, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A `hostPath` volume of a sensitive node path: `/`, `/etc`, `/root`, `/proc`, `/sys`,
    /// `/var/lib/kubelet`, or a container runtime socket (`/var/run/docker.sock`,
    /// `/run/containerd/containerd.sock`, `/var/run/crio/crio.sock`).
    ///
    /// ## Why it matters
    /// The pod can read and change the node's files: credentials in `/etc` and the kubelet's
    /// folder, or the runtime socket, which starts privileged containers on the node at will.
    /// It is a direct route from one pod to the whole node.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: docker
    ///     hostPath:
    ///       path: /var/run/docker.sock
    /// ```
    ///
    /// ## Use instead
    /// A `persistentVolumeClaim`, `emptyDir`, `configMap` or `secret` volume.
    ///
    /// ## Fix safety
    /// There is no automatic fix.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-K8S-109 -- log collector reads /var/log only` on the line above.
    ///
    /// ## References
    /// - Kubernetes Pod Security Standards, "Baseline: HostPath Volumes"
    /// - kube-linter `host-mounts`, `docker-sock`
    HostPathMount {
        id: "RL-K8S-109", name: "host-path-mount",
        summary: "A pod mounts a sensitive path or the container runtime socket of its node",
        category: Category::Permissions, severity: Severity::Error, confidence: Confidence::High,
        formats: &[Format::Kubernetes], fix: FixAvailability::None, status: Status::Preview,
        locality: Locality::Document,
    }
}

const SENSITIVE_PATHS: &[&str] = &[
    "/",
    "/etc",
    "/root",
    "/proc",
    "/sys",
    "/var/lib/kubelet",
    "/var/run/docker.sock",
    "/run/docker.sock",
    "/run/containerd/containerd.sock",
    "/var/run/containerd/containerd.sock",
    "/var/run/crio/crio.sock",
];

fn check(ctx: &mut RuleContext<'_>) {
    for object in judged_objects(ctx) {
        let Some(spec) = pod_spec(object) else {
            continue;
        };
        for volume in spec.get("volumes").map(Node::items).unwrap_or_default() {
            let Some(path_node) = volume.get("hostPath").and_then(|host| host.get("path")) else {
                continue;
            };
            let Some(path) = path_node.as_str() else {
                continue;
            };
            let normalized = if path.len() > 1 {
                path.trim_end_matches('/')
            } else {
                path
            };
            if !SENSITIVE_PATHS.contains(&normalized) {
                continue;
            }
            let what = if normalized.ends_with(".sock") {
                "the container runtime socket, which starts privileged containers on the node"
            } else {
                "node files holding credentials and configuration"
            };
            let message = format!(
                "{} mounts `{path}` from its node: {what}; use a persistentVolumeClaim, \
                 emptyDir, configMap or secret volume",
                describe(object)
            );
            let diagnostic = ctx.diagnostic(path_node.range, message);
            ctx.report(diagnostic.with_subject(object.range));
        }
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("kubernetes/host-path-mount/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("kubernetes/host-path-mount/quiet.yaml");
    }
}

use crate::Rule;
use crate::{cloudformation, github_actions, iam, kubernetes, terraform};

static RULES: &[&dyn Rule] = &[
    &terraform::force_destroy_enabled::ForceDestroyEnabled,
    &iam::full_admin_grant::FullAdminGrant,
    &github_actions::write_all_permissions::WriteAllPermissions,
    &cloudformation::stateful_resource_without_retain::StatefulResourceWithoutRetain,
    &cloudformation::stateful_resource_delete_policy::StatefulResourceDeletePolicy,
    &cloudformation::cfn_deletion_protection_off::CfnDeletionProtectionOff,
    &cloudformation::bucket_auto_delete_objects::BucketAutoDeleteObjects,
    &kubernetes::volume_reclaim_delete::VolumeReclaimDelete,
    &kubernetes::stateful_object_hook_deleted::StatefulObjectHookDeleted,
    &kubernetes::rbac_wildcard::RbacWildcard,
    &kubernetes::cluster_admin_binding::ClusterAdminBinding,
    &kubernetes::rbac_escalation_verbs::RbacEscalationVerbs,
    &kubernetes::secrets_read_cluster_wide::SecretsReadClusterWide,
    &kubernetes::pod_exec_access::PodExecAccess,
    &kubernetes::binding_to_all_users::BindingToAllUsers,
    &kubernetes::privileged_container::PrivilegedContainer,
    &kubernetes::host_path_mount::HostPathMount,
    &kubernetes::host_namespaces::HostNamespaces,
    &kubernetes::privilege_escalation_allowed::PrivilegeEscalationAllowed,
    &kubernetes::dangerous_capabilities::DangerousCapabilities,
    &kubernetes::runs_as_root::RunsAsRoot,
    &kubernetes::argocd_auto_prune::ArgocdAutoPrune,
    &kubernetes::argocd_allow_empty::ArgocdAllowEmpty,
    &kubernetes::flux_force_recreate::FluxForceRecreate,
    &kubernetes::argocd_project_wildcards::ArgocdProjectWildcards,
];

/// Every rule, in registry order.
pub fn all_rules() -> &'static [&'static dyn Rule] {
    RULES
}

/// The rule with this id or name (ids compare case-insensitively).
pub fn find_rule(id_or_name: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|rule| {
        let meta = rule.meta();
        meta.id().eq_ignore_ascii_case(id_or_name) || meta.name() == id_or_name
    })
}

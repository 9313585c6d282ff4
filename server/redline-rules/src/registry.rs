use std::collections::BTreeMap;

use redline_diagnostics::{Diagnostic, Related};
use redline_text::TextSize;

use crate::Rule;
use crate::{
    agent_config, atmos, azure_pipelines, cloudformation, github_actions, gitlab_ci, iam,
    kubernetes, shell, terraform, terraform_plan, workspace,
};

static RULES: &[&dyn Rule] = &[
    &terraform::force_destroy_enabled::ForceDestroyEnabled,
    &terraform::prevent_destroy_disabled::PreventDestroyDisabled,
    &terraform::deletion_protection_disabled::DeletionProtectionDisabled,
    &terraform::final_snapshot_skipped::FinalSnapshotSkipped,
    &terraform::short_recovery_window::ShortRecoveryWindow,
    &terraform::backup_retention_disabled::BackupRetentionDisabled,
    &terraform::destructive_provisioner_command::DestructiveProvisionerCommand,
    &terraform::prevent_destroy_missing::PreventDestroyMissing,
    &terraform::ingress_open_to_internet::IngressOpenToInternet,
    &terraform::s3_public_acl::S3PublicAcl,
    &terraform::s3_public_access_block_disabled::S3PublicAccessBlockDisabled,
    &terraform::gcp_basic_role::GcpBasicRole,
    &terraform::gcp_public_member::GcpPublicMember,
    &terraform::azure_privileged_role_assignment::AzurePrivilegedRoleAssignment,
    &terraform::azure_custom_role_wildcard::AzureCustomRoleWildcard,
    &terraform::resource_removed::ResourceRemoved,
    &terraform::address_renamed::AddressRenamed,
    &terraform::instance_keys_changed::InstanceKeysChanged,
    &terraform::force_new_attribute_changed::ForceNewAttributeChanged,
    &terraform::conditional_replacement_changed::ConditionalReplacementChanged,
    &terraform::protection_weakened::ProtectionWeakened,
    &terraform_plan::resource_deleted_by_plan::ResourceDeletedByPlan,
    &terraform_plan::resource_replaced_by_plan::ResourceReplacedByPlan,
    &terraform_plan::plan_blast_radius::PlanBlastRadius,
    &terraform_plan::plan_weakens_guard::PlanWeakensGuard,
    &iam::full_admin_grant::FullAdminGrant,
    &iam::admin_managed_policy::AdminManagedPolicy,
    &iam::service_wildcard_grant::ServiceWildcardGrant,
    &iam::permissions_management_unscoped::PermissionsManagementUnscoped,
    &iam::privilege_escalation_path::PrivilegeEscalationPath,
    &iam::pass_role_unrestricted::PassRoleUnrestricted,
    &iam::allow_with_negation::AllowWithNegation,
    &iam::allow_with_not_principal::AllowWithNotPrincipal,
    &iam::public_resource_policy::PublicResourcePolicy,
    &iam::role_assumable_by_anyone::RoleAssumableByAnyone,
    &iam::cross_account_trust_without_external_id::CrossAccountTrustWithoutExternalId,
    &iam::oidc_trust_without_subject::OidcTrustWithoutSubject,
    &iam::destructive_actions_unscoped::DestructiveActionsUnscoped,
    &iam::unknown_iam_action::UnknownIamAction,
    &iam::permission_widened::PermissionWidened,
    &github_actions::write_all_permissions::WriteAllPermissions,
    &github_actions::deploy_without_environment::DeployWithoutEnvironment,
    &github_actions::deploy_workflow_default_token::DeployWorkflowDefaultToken,
    &github_actions::id_token_write_workflow_level::IdTokenWriteWorkflowLevel,
    &github_actions::pull_request_target_checkout::PullRequestTargetCheckout,
    &gitlab_ci::deploy_without_manual_gate::DeployWithoutManualGate,
    &azure_pipelines::azure_deploy_without_approval::AzureDeployWithoutApproval,
    &atmos::atmos_apply_without_approval::AtmosApplyWithoutApproval,
    &agent_config::claude_bypass_permissions::ClaudeBypassPermissions,
    &agent_config::agent_unrestricted_shell::AgentUnrestrictedShell,
    &agent_config::agent_no_destructive_deny::AgentNoDestructiveDeny,
    &agent_config::codex_unsandboxed_no_approval::CodexUnsandboxedNoApproval,
    &agent_config::mcp_server_trusted::McpServerTrusted,
    &agent_config::kiro_trust_all::KiroTrustAll,
    &cloudformation::stateful_resource_without_retain::StatefulResourceWithoutRetain,
    &cloudformation::stateful_resource_delete_policy::StatefulResourceDeletePolicy,
    &cloudformation::cfn_deletion_protection_off::CfnDeletionProtectionOff,
    &cloudformation::bucket_auto_delete_objects::BucketAutoDeleteObjects,
    &cloudformation::stateful_logical_id_removed::StatefulLogicalIdRemoved,
    &cloudformation::create_only_property_changed::CreateOnlyPropertyChanged,
    &cloudformation::retain_policy_removed::RetainPolicyRemoved,
    &kubernetes::volume_reclaim_delete::VolumeReclaimDelete,
    &kubernetes::stateful_object_hook_deleted::StatefulObjectHookDeleted,
    &kubernetes::manifest_object_removed::ManifestObjectRemoved,
    &kubernetes::immutable_field_changed::ImmutableFieldChanged,
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
    &shell::terraform_destroy::TerraformDestroy,
    &shell::terraform_auto_approve::TerraformAutoApprove,
    &shell::terraform_state_surgery::TerraformStateSurgery,
    &shell::kubectl_delete_wide::KubectlDeleteWide,
    &shell::helm_uninstall::HelmUninstall,
    &shell::object_store_wipe::ObjectStoreWipe,
    &shell::database_delete_command::DatabaseDeleteCommand,
    &shell::environment_delete_command::EnvironmentDeleteCommand,
    &shell::cloud_resource_delete_command::CloudResourceDeleteCommand,
    &shell::recursive_delete_unsafe_path::RecursiveDeleteUnsafePath,
    &shell::git_history_destruction::GitHistoryDestruction,
    &shell::destructive_sql::DestructiveSql,
    &shell::command_hidden_from_review::CommandHiddenFromReview,
    &shell::docker_volume_delete::DockerVolumeDelete,
    &shell::disk_or_host_wipe::DiskOrHostWipe,
    &shell::container_bulk_delete::ContainerBulkDelete,
    &workspace::unattended_production_change::UnattendedProductionChange,
];

/// The rules that judge an edit of a Terraform variable definitions file (`terraform.tfvars`,
/// `*.auto.tfvars` and their `.json` forms): they report where a changed value replaces or
/// destroys resources of the module. No other rule runs on such a file.
static VARIABLE_DEFINITION_RULES: &[&dyn Rule] = &[
    &terraform::instance_keys_changed::InstanceKeysChanged,
    &terraform::force_new_attribute_changed::ForceNewAttributeChanged,
    &terraform::conditional_replacement_changed::ConditionalReplacementChanged,
];

/// Every rule, in registry order.
pub fn all_rules() -> &'static [&'static dyn Rule] {
    RULES
}

/// Whether the rule with this id runs on an edited variable definitions file.
pub fn judges_variable_definitions(id: &str) -> bool {
    VARIABLE_DEFINITION_RULES
        .iter()
        .any(|rule| rule.meta().id() == id)
}

/// The rule with this id or name (ids compare case-insensitively).
pub fn find_rule(id_or_name: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|rule| {
        let meta = rule.meta();
        meta.id().eq_ignore_ascii_case(id_or_name) || meta.name() == id_or_name
    })
}

/// Rules that can report one problem of one object, by family, each family in the order a
/// reviewer keeps their findings (rules of one tier rank alike).
///
/// For IAM: full administrator, escalation path, pass-role, service wildcard, permission
/// management, destructive action. For CloudFormation and Terraform: `Delete` written
/// explicitly, then a missing policy, then missing deletion protection. For Kubernetes, every
/// node-level grant of a workload and every grant of a role rank alike.
static OVERLAPS: &[(&str, &[&[&str]])] = &[
    (
        "IAM statement",
        &[
            &["RL-IAM-001"],
            &["RL-IAM-004"],
            &["RL-IAM-005"],
            &["RL-IAM-002"],
            &["RL-IAM-003"],
            &["RL-IAM-013"],
        ],
    ),
    (
        "CloudFormation resource",
        &[&["RL-CFN-002"], &["RL-CFN-001"], &["RL-CFN-006"]],
    ),
    (
        "Terraform resource",
        &[&["RL-TF-008"], &["RL-TF-007"], &["RL-TF-019"]],
    ),
    (
        "Kubernetes workload",
        &[&[
            "RL-K8S-108",
            "RL-K8S-109",
            "RL-K8S-110",
            "RL-K8S-111",
            "RL-K8S-113",
            "RL-K8S-114",
        ]],
    ),
    (
        "Kubernetes role",
        &[&["RL-K8S-101", "RL-K8S-103", "RL-K8S-104", "RL-K8S-105"]],
    ),
];

/// The family and rank of a rule that can repeat another's finding about one object.
fn overlap_rank(id: &str) -> Option<(usize, usize)> {
    OVERLAPS
        .iter()
        .enumerate()
        .find_map(|(family, (_, tiers))| {
            tiers
                .iter()
                .position(|tier| tier.contains(&id))
                .map(|rank| (family, rank))
        })
}

/// Keeps one finding per object and family among the findings of one file: the most severe,
/// then the one of the highest-ranked rule, then the first. The others repeat it: they are
/// dropped, and become related places of the kept finding, whose fixes they add after its own
/// (so that applying fixes again reaches them).
pub fn keep_one_per_object(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let key = |diagnostic: &Diagnostic| {
        let subject = diagnostic.subject?;
        let (family, rank) = overlap_rank(diagnostic.rule.id)?;
        Some(((family, subject.start(), subject.end()), rank))
    };
    // The best finding of each group, by index.
    let mut best: BTreeMap<(usize, TextSize, TextSize), usize> = BTreeMap::new();
    for (index, diagnostic) in diagnostics.iter().enumerate() {
        let Some((group, rank)) = key(diagnostic) else {
            continue;
        };
        let order = |d: &Diagnostic, rank: usize| {
            (
                std::cmp::Reverse(d.severity),
                rank,
                d.range.start(),
                d.range.end(),
            )
        };
        match best.get(&group) {
            Some(&current) => {
                let current_rank = key(&diagnostics[current]).map_or(usize::MAX, |(_, r)| r);
                if order(diagnostic, rank) < order(&diagnostics[current], current_rank) {
                    best.insert(group, index);
                }
            }
            None => {
                best.insert(group, index);
            }
        }
    }
    let mut repeats: BTreeMap<usize, Vec<Diagnostic>> = BTreeMap::new();
    let mut res = Vec::with_capacity(diagnostics.len());
    let mut kept_at: BTreeMap<usize, usize> = BTreeMap::new();
    for (index, diagnostic) in diagnostics.into_iter().enumerate() {
        match key(&diagnostic).map(|(group, _)| best[&group]) {
            Some(kept) if kept != index => repeats.entry(kept).or_default().push(diagnostic),
            _ => {
                kept_at.insert(index, res.len());
                res.push(diagnostic);
            }
        }
    }
    for (kept, repeats) in repeats {
        let Some(diagnostic) = kept_at.get(&kept).and_then(|&at| res.get_mut(at)) else {
            continue;
        };
        for repeat in repeats {
            diagnostic.related.push(Related {
                path: None,
                range: repeat.range,
                message: format!(
                    "also {} ({}): {}",
                    repeat.rule.id, repeat.rule.name, repeat.message
                ),
            });
            diagnostic.fixes.extend(repeat.fixes);
        }
    }
    res
}

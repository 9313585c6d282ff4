use crate::Rule;
use crate::{github_actions, iam, terraform, terraform_plan};

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
    &terraform_plan::resource_deleted_by_plan::ResourceDeletedByPlan,
    &terraform_plan::resource_replaced_by_plan::ResourceReplacedByPlan,
    &terraform_plan::plan_blast_radius::PlanBlastRadius,
    &terraform_plan::plan_weakens_guard::PlanWeakensGuard,
    &iam::full_admin_grant::FullAdminGrant,
    &github_actions::write_all_permissions::WriteAllPermissions,
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

use crate::Rule;
use crate::{cloudformation, github_actions, iam, terraform};

static RULES: &[&dyn Rule] = &[
    &terraform::force_destroy_enabled::ForceDestroyEnabled,
    &iam::full_admin_grant::FullAdminGrant,
    &github_actions::write_all_permissions::WriteAllPermissions,
    &cloudformation::stateful_resource_without_retain::StatefulResourceWithoutRetain,
    &cloudformation::stateful_resource_delete_policy::StatefulResourceDeletePolicy,
    &cloudformation::cfn_deletion_protection_off::CfnDeletionProtectionOff,
    &cloudformation::bucket_auto_delete_objects::BucketAutoDeleteObjects,
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

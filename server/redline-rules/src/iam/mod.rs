pub mod actions;
pub mod admin_managed_policy;
pub mod full_admin_grant;

pub mod actions;
pub mod full_admin_grant;

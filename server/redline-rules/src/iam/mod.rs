pub mod full_admin_grant;

pub mod write_all_permissions;

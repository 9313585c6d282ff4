pub mod deploy_without_environment;
pub mod write_all_permissions;

//! Rules for Azure Pipelines definitions.

pub mod azure_deploy_without_approval;

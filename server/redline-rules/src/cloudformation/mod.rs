//! Rules for CloudFormation and SAM templates.

pub mod bucket_auto_delete_objects;
pub mod cfn_deletion_protection_off;
pub mod stateful_resource_delete_policy;
pub mod stateful_resource_without_retain;

use redline_syntax::SourceFile;
use redline_syntax::cloudformation::{Resource, resources};

/// Resource types that hold data, after cfn-lint's `StatefulResources.json`.
///
/// `AWS::S3::Bucket` is left out: CloudFormation refuses to delete a bucket that still holds
/// objects, so a missing or `Delete` policy cannot lose data by itself.
pub const STATEFUL_TYPES: &[&str] = &[
    "AWS::Backup::BackupVault",
    "AWS::CloudFormation::Stack",
    "AWS::Cognito::UserPool",
    "AWS::DocDB::DBCluster",
    "AWS::DocDB::DBInstance",
    "AWS::DynamoDB::GlobalTable",
    "AWS::DynamoDB::Table",
    "AWS::EC2::Volume",
    "AWS::EFS::FileSystem",
    "AWS::EMR::Cluster",
    "AWS::ElastiCache::CacheCluster",
    "AWS::ElastiCache::ReplicationGroup",
    "AWS::Elasticsearch::Domain",
    "AWS::FSx::FileSystem",
    "AWS::KMS::Key",
    "AWS::Kinesis::Stream",
    "AWS::Logs::LogGroup",
    "AWS::Neptune::DBCluster",
    "AWS::Neptune::DBInstance",
    "AWS::OpenSearchService::Domain",
    "AWS::Organizations::Account",
    "AWS::QLDB::Ledger",
    "AWS::RDS::DBCluster",
    "AWS::RDS::DBInstance",
    "AWS::Redshift::Cluster",
    "AWS::SDB::Domain",
    "AWS::SQS::Queue",
    "AWS::SecretsManager::Secret",
];

/// Every resource of every template document of the file.
pub(crate) fn all_resources<'f>(file: &'f SourceFile<'_>) -> Vec<Resource<'f>> {
    file.documents.iter().flat_map(resources).collect()
}

/// Whether CloudFormation snapshots this resource on deletion when `DeletionPolicy` is absent:
/// RDS clusters, and RDS instances that are not part of a cluster.
pub(crate) fn snapshots_by_default(resource: Resource<'_>) -> bool {
    match resource.resource_type() {
        Some("AWS::RDS::DBCluster") => true,
        Some("AWS::RDS::DBInstance") => resource.property("DBClusterIdentifier").is_none(),
        _ => false,
    }
}

//! What deleting an object loses: one table, `data/data-value.tsv`, that every rule asking
//! "does this hold data?" reads, whatever the object is written as (a CloudFormation type, a
//! Terraform type, an IAM resource type or action).
//!
//! The value sets severities: a missing guard on an object of high value is a warning or an
//! error, on an object of low value at most info, and on an object that holds nothing no
//! finding at all (`docs/severity.md`).

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::iam::actions::{self, Action};

/// What is lost when an object is deleted, least first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataValue {
    /// Nothing: configuration, networking, a member of a cluster, a container that cannot be
    /// deleted while it holds anything.
    None,
    /// Transient data: queued messages, stream records, logs, caches, rebuildable artifacts.
    Low,
    /// No data, but deleting it stops what runs on it: servers, functions, load balancers,
    /// clusters, stacks.
    Service,
    /// Data that cannot be recreated: databases, tables, buckets, volumes, file systems, key
    /// material, secrets, user pools.
    High,
}

const TABLE: &str = include_str!("../data/data-value.tsv");

/// The version line of the table, for `redline --version`.
pub fn dataset() -> &'static str {
    TABLE
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("# source: "))
        .unwrap_or("unknown")
}

/// The value of an object named as the table names it: `AWS::DynamoDB::Table`,
/// `aws_sqs_queue`, `s3:bucket`, `ecr:DeleteLifecyclePolicy`; unlisted objects hold nothing.
pub fn of(object: &str) -> DataValue {
    table()
        .get(object)
        .map_or(DataValue::None, |(value, _)| *value)
}

/// Whether the table lists an object as holding nothing (a cluster member, a global cluster,
/// a folder), so that a guard against deleting it protects no data.
pub fn holds_nothing(object: &str) -> bool {
    matches!(table().get(object), Some((DataValue::None, _)))
}

/// What deleting an object loses, in words (`a table`, `queued messages`), if it is listed.
pub fn what(object: &str) -> Option<&'static str> {
    table().get(object).map(|(_, what)| *what)
}

/// The value of what an IAM action acts on: the action's own row if it has one, else the
/// highest value of the resource types the action catalog gives it.
pub fn of_action(action: &Action) -> DataValue {
    let service = action
        .name
        .split_once(':')
        .map_or("", |(service, _)| service);
    if let Some((value, _)) = table().get(action.name) {
        return *value;
    }
    action
        .resource_types
        .split(',')
        .map(str::trim)
        .filter(|kind| !kind.is_empty())
        .map(|kind| of(&format!("{service}:{kind}")))
        .max()
        .unwrap_or(DataValue::None)
}

/// The highest value any action of a service acts on (`dynamodb` → high, `logs` → low,
/// `cloudwatch` → none).
pub fn of_service(service: &str) -> DataValue {
    actions::expand(&format!("{service}:*"))
        .iter()
        .copied()
        .map(of_action)
        .max()
        .unwrap_or(DataValue::None)
}

fn table() -> &'static HashMap<&'static str, (DataValue, &'static str)> {
    static TABLE_MAP: OnceLock<HashMap<&'static str, (DataValue, &'static str)>> = OnceLock::new();
    TABLE_MAP.get_or_init(|| {
        TABLE
            .lines()
            .filter(|line| !line.starts_with('#') && !line.is_empty())
            .filter_map(|line| {
                let mut fields = line.split('\t');
                let object = fields.next()?;
                let value = match fields.next()? {
                    "high" => DataValue::High,
                    "service" => DataValue::Service,
                    "low" => DataValue::Low,
                    "none" => DataValue::None,
                    _ => return None,
                };
                Some((object, (value, fields.next().unwrap_or(""))))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_is_well_formed_and_listed_once() {
        let mut seen = std::collections::HashSet::new();
        for line in TABLE.lines().filter(|line| !line.starts_with('#')) {
            let fields: Vec<&str> = line.split('\t').collect();
            assert_eq!(fields.len(), 3, "{line:?}");
            assert!(
                matches!(fields[1], "high" | "service" | "low" | "none"),
                "{line:?}"
            );
            assert!(seen.insert(fields[0]), "{} is listed twice", fields[0]);
        }
    }

    #[test]
    fn iam_rows_name_known_services() {
        for line in TABLE.lines().filter(|line| !line.starts_with('#')) {
            let object = line.split('\t').next().unwrap_or("");
            if let Some((service, _)) = object.split_once(':')
                && !object.contains("::")
            {
                assert!(
                    !actions::expand(&format!("{service}:*")).is_empty(),
                    "{object}: unknown service"
                );
            }
        }
    }

    #[test]
    fn grades() {
        assert_eq!(of("AWS::DynamoDB::Table"), DataValue::High);
        assert_eq!(of("AWS::SQS::Queue"), DataValue::Low);
        assert_eq!(of("AWS::CloudFormation::Stack"), DataValue::None);
        assert_eq!(of("AWS::EC2::NetworkInterface"), DataValue::None);
        assert_eq!(of("aws_cloudwatch_log_group"), DataValue::Low);
        assert_eq!(of_service("dynamodb"), DataValue::High);
        assert_eq!(of_service("logs"), DataValue::Low);
        assert_eq!(of_service("cloudwatch"), DataValue::None);
        let lookup = |name| actions::lookup(name).expect("a known action");
        assert_eq!(of_action(lookup("dynamodb:DeleteItem")), DataValue::High);
        assert_eq!(
            of_action(lookup("lambda:DeleteFunction")),
            DataValue::Service
        );
        assert_eq!(
            of_action(lookup("ec2:DeleteNetworkInterface")),
            DataValue::None
        );
        assert_eq!(of_action(lookup("logs:DeleteLogDelivery")), DataValue::None);
        assert_eq!(
            of_action(lookup("ecr:DeleteLifecyclePolicy")),
            DataValue::None
        );
    }
}

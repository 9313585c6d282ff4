//! CloudFormation create-only properties ("Update requires: Replacement"), from the registry
//! schemas as vendored in the awscc provider; `data/cfn-create-only.tsv` records the snapshot.

use std::collections::BTreeMap;
use std::sync::OnceLock;

const TABLE: &str = include_str!("../../data/cfn-create-only.tsv");

/// Where the create-only table comes from (repository and commit), for `redline --version`
/// and documentation.
pub fn cfn_create_only_version() -> &'static str {
    TABLE
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("# source: "))
        .unwrap_or("unknown")
}

/// The create-only property paths of a resource type, nested properties joined with `/`, in
/// table order (a parent before its children); empty for types the table does not list.
pub fn create_only_properties(resource_type: &str) -> &'static [&'static str] {
    static BY_TYPE: OnceLock<BTreeMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    BY_TYPE
        .get_or_init(|| {
            let mut res: BTreeMap<&'static str, Vec<&'static str>> = BTreeMap::new();
            for line in TABLE.lines() {
                if line.starts_with('#') {
                    continue;
                }
                if let Some((resource_type, path)) = line.split_once('\t') {
                    res.entry(resource_type).or_default().push(path);
                }
            }
            res
        })
        .get(resource_type)
        .map_or(&[], Vec::as_slice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_read() {
        assert!(cfn_create_only_version().starts_with("hashicorp/terraform-provider-awscc "));
        assert_eq!(
            create_only_properties("AWS::DynamoDB::Table"),
            ["TableName", "ImportSourceSpecification", "KeySchema"]
        );
        assert!(
            create_only_properties("AWS::EKS::Cluster")
                .contains(&"KubernetesNetworkConfig/IpFamily")
        );
        assert!(create_only_properties("AWS::KMS::Key").is_empty());
        for line in TABLE.lines().filter(|line| !line.starts_with('#')) {
            let fields: Vec<&str> = line.split('\t').collect();
            assert!(
                fields.len() == 2 && fields[0].starts_with("AWS::") && !fields[1].is_empty(),
                "malformed line `{line}`"
            );
        }
    }
}

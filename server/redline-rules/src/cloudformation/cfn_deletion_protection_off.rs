use redline_diagnostics::{Applicability, Category, Confidence, Fix, Severity};
use redline_syntax::Format;
use redline_syntax::cloudformation::{Resource, as_bool, is_intrinsic};
use redline_syntax::value::Node;

use super::{all_resources, data_value};
use crate::data_value::DataValue;
use crate::edit::{insert_first_entry, string_literal};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// Deletion protection turned off on a CloudFormation resource:
    /// - `DeletionProtection` false or absent on `AWS::RDS::DBInstance`, `AWS::RDS::DBCluster`,
    ///   `AWS::DocDB::DBCluster` and `AWS::Neptune::DBCluster`;
    /// - `DeletionProtectionEnabled` false or absent on `AWS::DynamoDB::Table`;
    /// - `DeletionProtection: INACTIVE` on `AWS::Cognito::UserPool`;
    /// - `DisableApiTermination: false` on `AWS::EC2::Instance`;
    /// - `DeletionProtection: false` on `AWS::QLDB::Ledger`;
    /// - the `deletion_protection.enabled` attribute `false` on an
    ///   `AWS::ElasticLoadBalancingV2::LoadBalancer`.
    ///
    /// Database instances that are members of a cluster (`DBClusterIdentifier` set) hold no
    /// data of their own and are not reported, nor are global clusters, which cannot be
    /// deleted while they have members.
    ///
    /// ## Why it matters
    /// Deletion protection makes the service itself refuse a delete call, whoever makes it:
    /// a stack deletion, a console click or an automation with broad credentials.
    /// Turning it off (or never turning it on for a database) removes the cheapest guard there is.
    ///
    /// ## Example
    /// ```yaml
    /// Database:
    ///   Type: AWS::RDS::DBInstance
    ///   DeletionPolicy: Snapshot
    ///   Properties:
    ///     Engine: postgres
    ///     DeletionProtection: false
    /// ```
    ///
    /// ## Use instead
    /// ```yaml
    /// Database:
    ///   Type: AWS::RDS::DBInstance
    ///   DeletionPolicy: Snapshot
    ///   Properties:
    ///     Engine: postgres
    ///     DeletionProtection: true
    /// ```
    ///
    /// ## Fix safety
    /// The fix turns protection on (or adds the property). It is safe: it only makes deletion
    /// fail until protection is turned off again on purpose.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-CFN-006 -- preview environment, deleted nightly` on the line above.
    ///
    /// ## References
    /// - AWS CloudFormation resource reference: `AWS::RDS::DBInstance` `DeletionProtection`,
    ///   `AWS::DynamoDB::Table` `DeletionProtectionEnabled`
    CfnDeletionProtectionOff {
        id: "RL-CFN-006", name: "cfn-deletion-protection-off",
        summary: "A CloudFormation resource that supports deletion protection has it off",
        category: Category::Destructive, severity: Severity::Warning, confidence: Confidence::High,
        formats: &[Format::CloudFormation], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

/// A protection property of a resource type.
struct Protection {
    resource_type: &'static str,
    property: &'static str,
    protected: Protected,
    /// Whether leaving the property out counts as "off" (it defaults to unprotected on a data
    /// store).
    absent_is_off: bool,
}

const PROTECTIONS: &[Protection] = &[
    Protection {
        resource_type: "AWS::RDS::DBInstance",
        property: "DeletionProtection",
        protected: Protected::True,
        absent_is_off: true,
    },
    Protection {
        resource_type: "AWS::RDS::DBCluster",
        property: "DeletionProtection",
        protected: Protected::True,
        absent_is_off: true,
    },
    Protection {
        resource_type: "AWS::DocDB::DBCluster",
        property: "DeletionProtection",
        protected: Protected::True,
        absent_is_off: true,
    },
    Protection {
        resource_type: "AWS::Neptune::DBCluster",
        property: "DeletionProtection",
        protected: Protected::True,
        absent_is_off: true,
    },
    Protection {
        resource_type: "AWS::DynamoDB::Table",
        property: "DeletionProtectionEnabled",
        protected: Protected::True,
        absent_is_off: true,
    },
    Protection {
        resource_type: "AWS::Cognito::UserPool",
        property: "DeletionProtection",
        protected: Protected::Active,
        absent_is_off: false,
    },
    Protection {
        resource_type: "AWS::EC2::Instance",
        property: "DisableApiTermination",
        protected: Protected::True,
        absent_is_off: false,
    },
    Protection {
        resource_type: "AWS::QLDB::Ledger",
        property: "DeletionProtection",
        protected: Protected::True,
        absent_is_off: false,
    },
];

#[derive(Clone, Copy)]
enum Protected {
    True,
    Active,
}

fn check(ctx: &mut RuleContext<'_>) {
    let file = ctx.file();
    for resource in all_resources(file) {
        let Some(kind) = resource.resource_type() else {
            continue;
        };
        if kind == "AWS::ElasticLoadBalancingV2::LoadBalancer" {
            check_load_balancer(ctx, resource);
            continue;
        }
        let Some(Protection {
            property,
            protected,
            absent_is_off,
            ..
        }) = PROTECTIONS
            .iter()
            .find(|protection| protection.resource_type == kind)
        else {
            continue;
        };
        // A cluster member's protection is its cluster's: it holds no data of its own.
        if data_value(resource) == DataValue::None {
            continue;
        }
        let subject = format!("{kind} `{}`", resource.logical_id());
        let (on_text, off_text) = match protected {
            Protected::True => ("true", "false"),
            Protected::Active => ("ACTIVE", "INACTIVE"),
        };
        match resource.properties().and_then(|p| p.entry(property)) {
            Some(entry) => {
                if is_intrinsic(&entry.value) {
                    continue;
                }
                let off = match protected {
                    Protected::True => as_bool(&entry.value) == Some(false),
                    Protected::Active => entry.value.as_str() == Some("INACTIVE"),
                };
                if !off {
                    continue;
                }
                let message = format!(
                    "`{property}: {off_text}` on {subject}: the service accepts a delete call \
                     for it from anyone allowed to make one; set `{property}: {on_text}`"
                );
                let replacement = match protected {
                    Protected::True => on_text.to_owned(),
                    Protected::Active => string_literal(file.language, on_text),
                };
                let mut diagnostic = ctx.diagnostic_replacing(
                    entry.value.range,
                    message,
                    format!("Set `{property}: {on_text}`"),
                    Applicability::Safe,
                    replacement,
                );
                diagnostic.severity = Severity::Error;
                ctx.report(diagnostic.with_subject(resource.entry.key.range));
            }
            None if *absent_is_off => {
                let message = format!(
                    "{subject} has no `{property}`, so deletion protection is off: the service \
                     accepts a delete call for it from anyone allowed to make one; add \
                     `{property}: {on_text}`"
                );
                let mut diagnostic = ctx.diagnostic(resource.entry.key.range, message);
                if let Some(edit) = resource.properties().and_then(|properties| {
                    insert_first_entry(ctx.text(), file.language, properties, property, on_text)
                }) {
                    diagnostic = diagnostic.with_fix(Fix::single(
                        format!("Add `{property}: {on_text}`"),
                        Applicability::Safe,
                        edit,
                    ));
                }
                ctx.report(diagnostic.with_subject(resource.entry.key.range));
            }
            None => {}
        }
    }
}

fn check_load_balancer(ctx: &mut RuleContext<'_>, resource: Resource<'_>) {
    let Some(attributes) = resource.property("LoadBalancerAttributes") else {
        return;
    };
    for attribute in attributes.items() {
        if attribute.get("Key").and_then(Node::as_str) != Some("deletion_protection.enabled") {
            continue;
        }
        let Some(value) = attribute.get("Value") else {
            continue;
        };
        if is_intrinsic(value) || as_bool(value) != Some(false) {
            continue;
        }
        let message = format!(
            "`deletion_protection.enabled` is `false` on load balancer `{}`: the service \
             accepts a delete call for it from anyone allowed to make one; set it to `\"true\"`",
            resource.logical_id()
        );
        let mut diagnostic = ctx.diagnostic_replacing(
            value.range,
            message,
            "Set `deletion_protection.enabled` to `\"true\"`",
            Applicability::Safe,
            "\"true\"",
        );
        diagnostic.severity = Severity::Error;
        ctx.report(diagnostic.with_subject(resource.entry.key.range));
    }
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_fixture;

    #[test]
    fn fires() {
        check_fixture("cloudformation/cfn-deletion-protection-off/fires.yaml");
    }

    #[test]
    fn quiet() {
        check_fixture("cloudformation/cfn-deletion-protection-off/quiet.yaml");
    }
}

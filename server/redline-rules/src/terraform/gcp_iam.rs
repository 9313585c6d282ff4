//! Google Cloud IAM grants in Terraform: who gets which role, at which level.
//!
//! Grants come from `google_*_iam_member` (`member`), `google_*_iam_binding` (`members`) and
//! the `binding` blocks of `data "google_iam_policy"`, whose level is that of the
//! `google_*_iam_policy` resource in the same file that uses its `policy_data`.

use redline_syntax::SourceFile;
use redline_syntax::terraform::{Expr, TerraformFile};

use super::reference;

/// Where a grant applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level<'a> {
    /// A project.
    Project,
    /// A folder, and every project under it.
    Folder,
    /// An organization, and every project in it.
    Organization,
    /// One resource, named by its type without `google_` and `_iam_…`, e.g. `storage_bucket`.
    Resource(&'a str),
}

/// One role granted to some members.
#[derive(Debug)]
pub(crate) struct Grant<'a> {
    /// The resource or data source address that makes the grant.
    pub subject: String,
    /// Where it applies; `None` for a policy document no resource in the file uses.
    pub level: Option<Level<'a>>,
    /// The `role` expression.
    pub role: Option<&'a Expr>,
    /// The member expressions (each item of a literal `members` list).
    pub members: Vec<&'a Expr>,
}

impl Level<'_> {
    /// What the grant reaches, for messages: "the project", "every project in the folder", …
    pub(crate) fn reach(self) -> String {
        match self {
            Level::Project => "the project".to_owned(),
            Level::Folder => "every project in the folder".to_owned(),
            Level::Organization => "every project in the organization".to_owned(),
            Level::Resource(kind) => format!("this {}", kind.replace('_', " ")),
        }
    }
}

/// Every grant of the file, in source order of resources, then of data sources.
pub(crate) fn grants<'a>(file: &'a SourceFile<'_>, model: &'a TerraformFile) -> Vec<Grant<'a>> {
    let mut res = Vec::new();
    for resource in model.resources() {
        let kind = resource.resource_type;
        let (scope, members) = if let Some(scope) = kind
            .strip_prefix("google_")
            .and_then(|rest| rest.strip_suffix("_iam_member"))
        {
            let members = resource
                .block
                .body
                .attribute("member")
                .map(|member| vec![&member.value])
                .unwrap_or_default();
            (scope, members)
        } else if let Some(scope) = kind
            .strip_prefix("google_")
            .and_then(|rest| rest.strip_suffix("_iam_binding"))
        {
            let members = resource
                .block
                .body
                .attribute("members")
                .map(|members| members.value.value.items().iter().collect())
                .unwrap_or_default();
            (scope, members)
        } else {
            continue;
        };
        res.push(Grant {
            subject: resource.address(),
            level: Some(level(scope)),
            role: resource
                .block
                .body
                .attribute("role")
                .map(|role| &role.value),
            members,
        });
    }
    for policy in model.blocks_of("data") {
        if policy.label(0) != Some("google_iam_policy") {
            continue;
        }
        let Some(name) = policy.label(1) else {
            continue;
        };
        let used_by = format!("data.google_iam_policy.{name}.policy_data");
        let level = model
            .resources()
            .filter(|resource| resource.resource_type.ends_with("_iam_policy"))
            .find(|resource| {
                resource
                    .block
                    .body
                    .attribute("policy_data")
                    .and_then(|data| reference(file, &data.value))
                    == Some(used_by.as_str())
            })
            .and_then(|resource| {
                resource
                    .resource_type
                    .strip_prefix("google_")?
                    .strip_suffix("_iam_policy")
            })
            .map(level);
        for binding in policy.body.blocks_of("binding") {
            res.push(Grant {
                subject: format!("data.google_iam_policy.{name}"),
                level,
                role: binding.body.attribute("role").map(|role| &role.value),
                members: binding
                    .body
                    .attribute("members")
                    .map(|members| members.value.value.items().iter().collect())
                    .unwrap_or_default(),
            });
        }
    }
    res
}

fn level(scope: &str) -> Level<'_> {
    match scope {
        "project" => Level::Project,
        "folder" => Level::Folder,
        "organization" => Level::Organization,
        other => Level::Resource(other),
    }
}

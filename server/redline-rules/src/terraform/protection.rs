//! Protective attributes per resource type: which attribute guards against destruction, its
//! provider default, and which value is unsafe.
//!
//! Seeded from the provider schemas of `hashicorp/terraform-provider-aws`,
//! `terraform-provider-google` and `terraform-provider-azurerm` (catalog §5.5 and §6). The
//! HCL rules read these tables, and the plan rules read them to recognise a weakened guard.
//! To cover a new resource type, add a line here and a case to the rule's fixtures.

use redline_syntax::terraform::{Attribute, Value};
use redline_syntax::terraform_eval::calls::folder_of;
use redline_syntax::terraform_eval::evaluate::Origin;
use redline_syntax::terraform_eval::{self as evaluated, Location};

use crate::data_value::{self, DataValue};
use crate::terraform::provenance::file_name;
use crate::{RuleContext, ValueSource};

/// A literal value in a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Guarded {
    /// A boolean.
    Bool(bool),
    /// A string such as `"ACTIVE"`.
    Str(&'static str),
}

/// A deletion-protection attribute (RL-TF-008).
#[derive(Clone, Copy, Debug)]
pub struct DeletionGuard {
    /// The resource type.
    pub resource_type: &'static str,
    /// The attribute that protects it.
    pub attribute: &'static str,
    /// The protective value.
    pub protected: Guarded,
    /// The value that leaves the resource unprotected.
    pub unprotected: Guarded,
    /// The provider default, which applies when the attribute is absent.
    pub default: Guarded,
    /// Whether an absent attribute is reported (only where the default is unprotected and the
    /// resource holds data that cannot be recreated).
    pub report_absent: bool,
}

/// A final-snapshot or backup switch (RL-TF-009): `attribute = unsafe_value` destroys the
/// resource without a last backup.
#[derive(Clone, Copy, Debug)]
pub struct SnapshotGuard {
    /// The resource type.
    pub resource_type: &'static str,
    /// The switch.
    pub attribute: &'static str,
    /// The value that skips or deletes the backup.
    pub unsafe_value: bool,
    /// The attribute naming the final snapshot, required when the snapshot is taken.
    pub snapshot_name: Option<&'static str>,
}

/// A recovery window (RL-TF-011): deletion is scheduled, and the window is the last chance
/// to cancel it.
#[derive(Clone, Copy, Debug)]
pub struct WindowGuard {
    /// The resource type.
    pub resource_type: &'static str,
    /// The attribute holding the window in days.
    pub attribute: &'static str,
    /// Values at or below this are reported.
    pub at_most: f64,
    /// The value the fix sets (the provider's default, its longest window).
    pub safe: u32,
    /// What the window protects, for messages.
    pub what: &'static str,
}

/// Deletion protection, per resource type.
pub const DELETION_GUARDS: &[DeletionGuard] = &[
    deletion("aws_db_instance", "deletion_protection", true),
    deletion("aws_rds_cluster", "deletion_protection", true),
    deletion("aws_docdb_cluster", "deletion_protection", true),
    deletion("aws_neptune_cluster", "deletion_protection", true),
    deletion("aws_rds_global_cluster", "deletion_protection", true),
    deletion("aws_dynamodb_table", "deletion_protection_enabled", true),
    // Aurora DSQL: an absent switch is not reported, since the cluster is usually created
    // through a module that leaves it to the caller.
    deletion("aws_dsql_cluster", "deletion_protection_enabled", false),
    deletion("aws_lb", "enable_deletion_protection", false),
    deletion("aws_alb", "enable_deletion_protection", false),
    // `disable_api_termination` is EC2's termination protection.
    DeletionGuard {
        resource_type: "aws_instance",
        attribute: "disable_api_termination",
        protected: Guarded::Bool(true),
        unprotected: Guarded::Bool(false),
        default: Guarded::Bool(false),
        report_absent: false,
    },
    DeletionGuard {
        resource_type: "aws_emr_cluster",
        attribute: "termination_protection",
        protected: Guarded::Bool(true),
        unprotected: Guarded::Bool(false),
        default: Guarded::Bool(false),
        report_absent: false,
    },
    DeletionGuard {
        resource_type: "aws_qldb_ledger",
        attribute: "deletion_protection",
        protected: Guarded::Bool(true),
        unprotected: Guarded::Bool(false),
        default: Guarded::Bool(true),
        report_absent: false,
    },
    DeletionGuard {
        resource_type: "aws_cognito_user_pool",
        attribute: "deletion_protection",
        protected: Guarded::Str("ACTIVE"),
        unprotected: Guarded::Str("INACTIVE"),
        default: Guarded::Str("INACTIVE"),
        report_absent: false,
    },
    protected_by_default("google_sql_database_instance", "deletion_protection"),
    protected_by_default("google_container_cluster", "deletion_protection"),
    protected_by_default("google_bigquery_table", "deletion_protection"),
    protected_by_default("google_alloydb_cluster", "deletion_protection"),
    protected_by_default("google_spanner_database", "deletion_protection"),
    protected_by_default("google_bigtable_instance", "deletion_protection"),
    protected_by_default("google_bigtable_table", "deletion_protection"),
    protected_by_default("google_folder", "deletion_protection"),
    DeletionGuard {
        resource_type: "google_compute_instance",
        attribute: "deletion_protection",
        protected: Guarded::Bool(true),
        unprotected: Guarded::Bool(false),
        default: Guarded::Bool(false),
        report_absent: false,
    },
    DeletionGuard {
        resource_type: "google_project",
        attribute: "deletion_policy",
        protected: Guarded::Str("PREVENT"),
        // `ABANDON` leaves the project alive when Terraform forgets it.
        unprotected: Guarded::Str("DELETE"),
        default: Guarded::Str("PREVENT"),
        report_absent: false,
    },
];

/// Final snapshots and automated backups, per resource type.
pub const SNAPSHOT_GUARDS: &[SnapshotGuard] = &[
    skip_snapshot("aws_db_instance"),
    skip_snapshot("aws_rds_cluster"),
    skip_snapshot("aws_docdb_cluster"),
    skip_snapshot("aws_neptune_cluster"),
    skip_snapshot("aws_redshift_cluster"),
    SnapshotGuard {
        resource_type: "aws_db_instance",
        attribute: "delete_automated_backups",
        unsafe_value: true,
        snapshot_name: None,
    },
    SnapshotGuard {
        resource_type: "aws_fsx_windows_file_system",
        attribute: "skip_final_backup",
        unsafe_value: true,
        snapshot_name: None,
    },
    SnapshotGuard {
        resource_type: "aws_ebs_volume",
        attribute: "final_snapshot",
        unsafe_value: false,
        snapshot_name: None,
    },
];

/// Recovery windows of keys and secrets.
pub const WINDOW_GUARDS: &[WindowGuard] = &[
    WindowGuard {
        resource_type: "aws_kms_key",
        attribute: "deletion_window_in_days",
        at_most: 7.0,
        safe: 30,
        what: "the key and everything encrypted with it",
    },
    WindowGuard {
        resource_type: "aws_kms_replica_key",
        attribute: "deletion_window_in_days",
        at_most: 7.0,
        safe: 30,
        what: "the key and everything encrypted with it",
    },
    WindowGuard {
        resource_type: "aws_secretsmanager_secret",
        attribute: "recovery_window_in_days",
        at_most: 0.0,
        safe: 30,
        what: "the secret",
    },
    WindowGuard {
        resource_type: "azurerm_key_vault",
        attribute: "soft_delete_retention_days",
        at_most: 7.0,
        safe: 90,
        what: "the vault's keys, secrets and certificates",
    },
];

/// Backup retention settings (resource type, attribute) whose lowering weakens the restore
/// path.
pub const RETENTION_GUARDS: &[(&str, &str)] = &[
    ("aws_db_instance", "backup_retention_period"),
    ("aws_rds_cluster", "backup_retention_period"),
    ("aws_docdb_cluster", "backup_retention_period"),
    ("aws_neptune_cluster", "backup_retention_period"),
    ("aws_elasticache_cluster", "snapshot_retention_limit"),
    (
        "aws_elasticache_replication_group",
        "snapshot_retention_limit",
    ),
    ("aws_memorydb_cluster", "snapshot_retention_limit"),
];

/// Types whose deletion takes everything inside them: networks, clusters, projects, groups.
pub const ENVIRONMENT_CONTAINERS: &[&str] = &[
    "aws_vpc",
    "aws_subnet",
    "aws_eks_cluster",
    "aws_ecs_cluster",
    "aws_organizations_account",
    "aws_organizations_organizational_unit",
    "google_project",
    "google_folder",
    "google_compute_network",
    "google_compute_subnetwork",
    "google_container_cluster",
    "azurerm_resource_group",
    "azurerm_virtual_network",
    "azurerm_subnet",
    "azurerm_kubernetes_cluster",
    "azurerm_subscription",
    "azurerm_management_group",
];

/// Whether the protective rules read an attribute of `resource_type` with `read`, through the
/// module's variables and a module call's inputs: the types of the tables above, the
/// force-delete switches (`force-destroy-enabled`, and the `extra_resources` it is configured
/// with, which the caller checks) and bucket versioning. The engine judges a called module
/// with a call's inputs only when it declares one of these or one of
/// `through_module::READ_TYPES`, since nothing else can be caused by the call.
pub fn is_guarded_through_module(resource_type: &str) -> bool {
    DELETION_GUARDS
        .iter()
        .map(|guard| guard.resource_type)
        .chain(SNAPSHOT_GUARDS.iter().map(|guard| guard.resource_type))
        .chain(WINDOW_GUARDS.iter().map(|guard| guard.resource_type))
        .chain(RETENTION_GUARDS.iter().map(|(kind, _)| *kind))
        .chain(
            crate::terraform::force_destroy_enabled::SWITCHES
                .iter()
                .map(|(kind, _, _)| *kind),
        )
        .chain(["aws_s3_bucket_versioning", "aws_fsx_windows_file_system"])
        .any(|kind| kind == resource_type)
}

/// Whether a resource type holds data (of any value: `crate::data_value`) or other resources
/// that a destroy loses.
pub fn is_stateful(resource_type: &str) -> bool {
    holds_data(resource_type) || ENVIRONMENT_CONTAINERS.contains(&resource_type)
}

/// Whether a resource of `resource_type` holds data (`data-value.tsv`: low or high), for
/// messages: an environment container (a network, a cluster, a project) is guarded like one,
/// but what goes with it is what runs inside it, not data of its own.
pub fn holds_data(resource_type: &str) -> bool {
    matches!(
        data_value::of(resource_type),
        DataValue::Low | DataValue::High
    )
}

/// The deletion guard of a resource type, if it has one.
pub fn deletion_guard(resource_type: &str) -> Option<&'static DeletionGuard> {
    DELETION_GUARDS
        .iter()
        .find(|guard| guard.resource_type == resource_type)
}

const fn deletion(
    resource_type: &'static str,
    attribute: &'static str,
    report_absent: bool,
) -> DeletionGuard {
    DeletionGuard {
        resource_type,
        attribute,
        protected: Guarded::Bool(true),
        unprotected: Guarded::Bool(false),
        default: Guarded::Bool(false),
        report_absent,
    }
}

const fn protected_by_default(
    resource_type: &'static str,
    attribute: &'static str,
) -> DeletionGuard {
    DeletionGuard {
        resource_type,
        attribute,
        protected: Guarded::Bool(true),
        unprotected: Guarded::Bool(false),
        default: Guarded::Bool(true),
        report_absent: false,
    }
}

const fn skip_snapshot(resource_type: &'static str) -> SnapshotGuard {
    SnapshotGuard {
        resource_type,
        attribute: "skip_final_snapshot",
        unsafe_value: true,
        snapshot_name: Some("final_snapshot_identifier"),
    }
}

impl Guarded {
    /// The value as HCL (and JSON) source text.
    pub fn source(self) -> String {
        match self {
            Guarded::Bool(value) => value.to_string(),
            Guarded::Str(value) => format!("\"{value}\""),
        }
    }
}

/// The value of a protective attribute, as written or as Terraform reads it through the
/// module's variables, locals and tfvars.
#[derive(Clone, Debug)]
pub struct Read {
    /// The value; `Unknown` when neither the text nor the module decides it.
    pub value: Value,
    /// How the value was reached when it is not written at the attribute.
    pub through: Option<Through>,
    /// Whether a fix may replace the value where it is written: a literal written at the
    /// attribute, or, in a module judged for a call, a literal input of the call that the
    /// attribute takes as it is (the engine moves the fix to the input). A computed value
    /// (`!false`, a conditional) is left to the author even when it is known.
    pub literal: bool,
}

/// The variables and locals a value was read through.
#[derive(Clone, Debug)]
pub struct Through {
    /// The chain, for messages: `` `var.force_destroy` (default in variables.tf:12) ``.
    pub chain: String,
    /// Where the deciding value is written: `variables.tf:12`.
    pub written_at: String,
    /// Whether the attribute takes that value as it is (`force_destroy = var.force_destroy`),
    /// rather than a value computed from it (`var.env == "prod" ? true : false`).
    pub direct: bool,
    /// The module call and the input it leaves unset, when the deciding value is the called
    /// module's default: the change belongs in the call, not in the default.
    pub unset_input: Option<(String, String)>,
}

/// Reads `attribute` of a resource of the file `ctx` analyses. A literal is taken as written;
/// anything else is evaluated with the file's module, if the engine gave one. In a reusable
/// module every variable is the caller's, so values that depend on one stay unknown, except
/// in a module that others of the repository call: there the defaults are read, and a finding
/// they cause is an info (the callers that leave the variable unset get the finding).
/// `lifecycle { prevent_destroy }` must not use this: Terraform accepts only a literal there.
pub fn read(ctx: &RuleContext<'_>, attribute: &Attribute) -> Read {
    let literal = || Read {
        value: attribute.value.value.clone(),
        through: None,
        literal: attribute.value.value != Value::Unknown,
    };
    if attribute.value.value != Value::Unknown {
        return literal();
    }
    let Some(mut evaluator) = ctx.terraform_module() else {
        return literal();
    };
    let path = ctx.file().path;
    let mut evaluation = evaluator.attribute(path, attribute, None);
    let mut reusable_default = false;
    if evaluation.value == evaluated::Value::Unknown
        && !evaluation.limit_reached
        && let Some(defaults) = ctx.terraform_module_called_defaults()
    {
        let by_default = defaults.attribute(path, attribute, None);
        if by_default.value.is_known()
            && by_default
                .trace
                .iter()
                .any(|origin| matches!(origin, Origin::Default { .. }))
        {
            evaluation = by_default;
            evaluator = defaults;
            reusable_default = true;
        }
    }
    if evaluation.limit_reached {
        return literal();
    }
    let value = match &evaluation.value {
        evaluated::Value::Bool(value) => Value::Bool(*value),
        evaluated::Value::String(value) => Value::String(value.clone()),
        evaluated::Value::Number(value) => Value::Number(value.to_string()),
        evaluated::Value::Null => Value::Null,
        _ => return literal(),
    };
    // A module call that leaves an input unset writes nothing: when the called module's
    // default is the provider's own default, that is an absent attribute, which the rules
    // report only where they say so (an absent `deletion_protection` on a database, not an
    // absent `delete_automated_backups`).
    if let Some(Origin::InputDefault { .. }) =
        deciding(&evaluation.trace).map(|index| &evaluation.trace[index])
        && let Some(resource) = ctx
            .file()
            .terraform()
            .resources()
            .find(|resource| resource.block.range.contains_range(attribute.range))
        && is_unreported_provider_default(resource.resource_type, &attribute.name, &value)
    {
        return Read {
            value: Value::Unknown,
            through: None,
            literal: false,
        };
    }
    let home = ctx.home_folder();
    let mut deciding_literal = false;
    let through = through(&evaluation.trace, home, reusable_default).map(|mut through| {
        // The value written at the deciding place, to tell whether the attribute takes it as
        // it is. Variables and locals of the analysed module are looked up in its evaluator;
        // those of a caller further up are not, so a value decided there is never `direct`.
        let own = |index: usize| {
            !evaluation.trace[..index]
                .iter()
                .any(|origin| matches!(origin, Origin::Input { .. }))
        };
        let decided =
            deciding(&evaluation.trace).and_then(|index| match &evaluation.trace[index] {
                Origin::Default { variable, .. } | Origin::Tfvars { variable, .. }
                    if own(index) =>
                {
                    evaluator
                        .variable(variable)
                        .map(|variable| variable.value.clone())
                }
                Origin::Input { value, literal, .. } => {
                    deciding_literal = *literal;
                    Some(value.clone())
                }
                Origin::InputDefault { value, .. } => Some(value.clone()),
                Origin::Local { name, .. } if own(index) => Some(evaluator.local(name).value),
                _ => None,
            });
        through.direct = decided.as_ref() == Some(&evaluation.value);
        through
    });
    if let Some(index) = deciding(&evaluation.trace) {
        let origin = &evaluation.trace[index];
        ctx.note_source(ValueSource {
            attribute: attribute.range,
            value: attribute.value.range,
            trace: evaluation.trace.clone(),
            deciding: Some(index),
            decided: decided_place(origin),
            reusable_default,
            written: None,
        });
    }
    let literal = deciding_literal && through.as_ref().is_some_and(|through| through.direct);
    Read {
        value,
        through,
        literal,
    }
}

/// Provider defaults of protective attributes that the deletion guards do not list, as
/// (resource type, attribute, default).
const PROVIDER_DEFAULTS: &[(&str, &str, Guarded)] = &[
    // The AWS provider deletes automated backups with the instance unless told otherwise.
    (
        "aws_db_instance",
        "delete_automated_backups",
        Guarded::Bool(true),
    ),
    ("aws_ebs_volume", "final_snapshot", Guarded::Bool(false)),
];

/// Whether `value` is the provider's default for `attribute` of `resource_type`, and the rules
/// do not report that attribute when it is absent.
fn is_unreported_provider_default(resource_type: &str, attribute: &str, value: &Value) -> bool {
    let matches = |default: Guarded| match default {
        Guarded::Bool(default) => value.as_bool() == Some(default),
        Guarded::Str(default) => value.as_str() == Some(default),
    };
    if let Some(guard) = deletion_guard(resource_type).filter(|guard| guard.attribute == attribute)
    {
        return matches(guard.default) && !guard.report_absent;
    }
    PROVIDER_DEFAULTS.iter().any(|(kind, name, default)| {
        *kind == resource_type && *name == attribute && matches(*default)
    })
}

impl Read {
    /// How a message names the attribute and its value: `` `force_destroy = true` `` when
    /// written there, else `` `force_destroy` is `true` through `var.force_destroy` (default
    /// in variables.tf:12) ``.
    pub fn describe(&self, name: &str, written: &str) -> String {
        match &self.through {
            None => format!("`{name} = {written}`"),
            Some(through) => format!(
                "`{name}` is `{}` through {}",
                source(&self.value),
                through.chain
            ),
        }
    }

    /// What the message asks for: `` set `force_destroy = false` ``, or where the value comes
    /// from, `` set the value at variables.tf:12 to `false` ``, or, when a module call leaves
    /// the deciding variable unset, `` set `force_destroy = false` in `module.logs` ``.
    pub fn set(&self, name: &str, safe: &str) -> String {
        match &self.through {
            None => format!("set `{name} = {safe}`"),
            Some(Through {
                unset_input: Some((call, variable)),
                direct,
                ..
            }) => {
                if *direct {
                    format!("set `{variable} = {safe}` in `module.{call}`")
                } else {
                    format!(
                        "set the input `{variable}` in `module.{call}` so that `{name}` is `{safe}`"
                    )
                }
            }
            Some(through) if through.direct => {
                format!("set the value at {} to `{safe}`", through.written_at)
            }
            Some(through) => format!(
                "change the value at {} so that `{name}` is `{safe}`",
                through.written_at
            ),
        }
    }
}

/// The value as Terraform source.
fn source(value: &Value) -> String {
    match value {
        Value::Bool(value) => value.to_string(),
        Value::String(value) => format!("\"{value}\""),
        Value::Number(value) => value.clone(),
        Value::Null => "null".to_owned(),
        Value::List(_) | Value::Unknown => "…".to_owned(),
    }
}

/// The origin of a trace that decides the value: the last variable value read (a default, a
/// tfvars value, a module call's input or the default a call leaves in place), else the last
/// local; `None` when the value came through none of them (`!false`).
fn deciding(trace: &[Origin]) -> Option<usize> {
    let last = |wanted: fn(&Origin) -> bool| trace.iter().rposition(wanted);
    last(|origin| {
        matches!(
            origin,
            Origin::Default { .. }
                | Origin::Tfvars { .. }
                | Origin::Input { .. }
                | Origin::InputDefault { .. }
        )
    })
    .or_else(|| last(|origin| matches!(origin, Origin::Local { .. })))
}

/// Where a deciding origin's value is written, and what it is, for related information.
pub(crate) fn decided_place(origin: &Origin) -> Option<(Location, String)> {
    Some(match origin {
        Origin::Default { variable, location } => {
            (location.clone(), format!("the default of `var.{variable}`"))
        }
        Origin::Tfvars { variable, location } => {
            (location.clone(), format!("`var.{variable}` is set here"))
        }
        Origin::Local { name, location } => (location.clone(), format!("`local.{name}`")),
        Origin::Input {
            variable,
            call,
            location,
            ..
        } => (
            location.clone(),
            format!("the input `{variable}` of `module.{call}`"),
        ),
        Origin::InputDefault {
            variable,
            call,
            default,
            ..
        } => (
            default.clone(),
            format!("the default of `var.{variable}`, which `module.{call}` leaves unset"),
        ),
        Origin::Caller { .. } | Origin::Unset { .. } => return None,
    })
}

/// The variables, locals and module inputs of a trace that hold a value, for messages, with
/// places relative to `home` (the folder of the file where the finding is shown); `None` when
/// the value came through none of them (`!false`).
pub(crate) fn through(trace: &[Origin], home: &str, reusable_default: bool) -> Option<Through> {
    let place =
        |location: &Location| format!("{}:{}", relative(home, &location.path), location.line);
    let mut chain = Vec::new();
    for origin in trace {
        match origin {
            Origin::Default { variable, location } if reusable_default => chain.push(format!(
                "`var.{variable}` (default in {}, for the callers that leave it unset)",
                place(location)
            )),
            Origin::Default { variable, location } => {
                chain.push(format!("`var.{variable}` (default in {})", place(location)));
            }
            Origin::Tfvars { variable, location } => {
                chain.push(format!("`var.{variable}` (set in {})", place(location)));
            }
            Origin::Local { name, location } => {
                chain.push(format!("`local.{name}` ({})", place(location)));
            }
            Origin::Input {
                variable,
                call,
                location,
                ..
            } => chain.push(format!(
                "`var.{variable}` (set by `module.{call}` at {})",
                place(location)
            )),
            Origin::InputDefault {
                variable,
                call,
                default,
                ..
            } => chain.push(format!(
                "`var.{variable}` (left unset by `module.{call}`, default in {})",
                place(default)
            )),
            Origin::Caller { .. } | Origin::Unset { .. } => {}
        }
    }
    let deciding = &trace[deciding(trace)?];
    let (location, _) = decided_place(deciding)?;
    let unset_input = match deciding {
        Origin::InputDefault { variable, call, .. } => Some((call.clone(), variable.clone())),
        _ => None,
    };
    Some(Through {
        chain: chain.join(", "),
        written_at: place(&location),
        direct: false,
        unset_input,
    })
}

/// `path` as seen from the folder `home` (display paths, `/`-separated): its file name when
/// it is in `home`, a path with `../` steps when both are relative or both absolute, else the
/// path itself.
fn relative(home: &str, path: &str) -> String {
    let folder = folder_of(path);
    let name = file_name(path);
    if folder == home {
        return name.to_owned();
    }
    if home.starts_with('/') != path.starts_with('/') {
        return path.to_owned();
    }
    let split = |folder: &str| -> Vec<String> {
        folder
            .split('/')
            .filter(|part| !part.is_empty() && *part != ".")
            .map(str::to_owned)
            .collect()
    };
    let from = split(home);
    let to = split(folder);
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    // A `..` left in `home` past the common part cannot be climbed back down.
    if from[common..].iter().any(|part| part == "..") {
        return path.to_owned();
    }
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(to[common..].iter().map(String::as_str));
    parts.push(name);
    parts.join("/")
}

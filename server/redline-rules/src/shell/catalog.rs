//! The destructive-command catalog: which command lines each shell rule flags, and what to
//! say about them.
//!
//! Most entries are data: a program, a subcommand path, and the flags or arguments that make
//! it destructive. A few need a look at argument values (the targets of `rm -rf`, the SQL given
//! to `psql -c`) and name a predicate.

use redline_diagnostics::Severity;
use redline_syntax::Format;
use redline_syntax::shell::{Command, Word, is_short_cluster_with, program_name};

/// Every rule the catalog serves, in id order.
pub const SHELL_RULES: &[&str] = &[
    "RL-SH-001",
    "RL-SH-002",
    "RL-SH-003",
    "RL-SH-004",
    "RL-SH-006",
    "RL-SH-007",
    "RL-SH-008",
    "RL-SH-009",
    "RL-SH-010",
    "RL-SH-013",
    "RL-SH-014",
    "RL-SH-015",
    "RL-SH-017",
    "RL-SH-018",
];

/// A command line as the catalog sees it.
pub struct Invocation<'c> {
    /// The unwrapped command.
    pub command: &'c Command,
    /// The program's base name.
    pub program: &'c str,
    /// The arguments (after the program).
    pub args: &'c [Word],
    /// Positional arguments (not options, not option values), as text.
    pub positionals: Vec<&'c str>,
    /// The kind of file the command is in (some commands only matter in CI).
    pub format: Format,
}

/// What matched.
pub struct Hit {
    /// The rule.
    pub rule: &'static str,
    /// Severity for this match, when it differs from the rule's default.
    pub severity: Option<Severity>,
    /// What will happen and what to do.
    pub message: String,
}

/// One catalog entry.
struct Entry {
    rule: &'static str,
    programs: &'static [&'static str],
    /// Leading positional arguments, in order (`["s3", "rm"]`).
    path: &'static [&'static str],
    when: When,
    /// What the command does, completing "`<command>` …".
    effect: &'static str,
    /// What to do instead.
    advice: &'static str,
    severity: Option<Severity>,
}

enum When {
    Always,
    /// Any of these options is present.
    AnyFlag(&'static [&'static str]),
    /// A custom check.
    Check(fn(&Invocation<'_>) -> bool),
}

/// Options that take a value, per program, so their values are not taken for subcommands.
fn value_options(program: &str) -> &'static [&'static str] {
    match program {
        "kubectl" => &[
            "-n",
            "--namespace",
            "--context",
            "--kubeconfig",
            "--cluster",
            "--user",
            "-l",
            "--selector",
            "-o",
            "--output",
            "-f",
            "--filename",
            "-k",
            "--kustomize",
            "--field-selector",
            "--grace-period",
            "--timeout",
            "-c",
            "--container",
        ],
        "helm" => &[
            "-n",
            "--namespace",
            "--kube-context",
            "--kubeconfig",
            "--timeout",
        ],
        "aws" => &[
            "--region",
            "--profile",
            "--output",
            "--endpoint-url",
            "--query",
            "--bucket",
            "--key",
            "--stack-name",
            "--table-name",
            "--db-instance-identifier",
            "--db-cluster-identifier",
            "--cluster-name",
            "--name",
            "--function-name",
            "--repository-name",
            "--log-group-name",
            "--id",
            "--instance-ids",
            "--key-id",
            "--secret-id",
            "--final-db-snapshot-identifier",
            "--pending-window-in-days",
            "--replication-group-id",
            "--cache-cluster-id",
            "--cluster-identifier",
            "--hosted-zone-id",
            "--delete",
        ],
        "gcloud" => &[
            "--project",
            "--zone",
            "--region",
            "--format",
            "--account",
            "--configuration",
        ],
        "az" => &[
            "-n",
            "--name",
            "-g",
            "--resource-group",
            "--subscription",
            "--account-name",
            "-c",
            "--container-name",
            "-s",
            "--server",
            "--source",
        ],
        "terraform" | "tofu" => &[
            "-var",
            "-var-file",
            "-target",
            "-chdir",
            "-lock-timeout",
            "-parallelism",
        ],
        "git" => &["-C", "-c"],
        "docker" | "docker-compose" => &["-f", "--file", "-p", "--project-name", "--context", "-H"],
        "psql" => &[
            "-h",
            "-U",
            "-p",
            "-d",
            "-c",
            "--command",
            "-f",
            "--file",
            "--host",
            "--username",
            "--port",
            "--dbname",
        ],
        "mysql" => &[
            "-h",
            "-u",
            "-P",
            "-p",
            "-D",
            "-e",
            "--execute",
            "--host",
            "--user",
            "--port",
            "--database",
        ],
        "redis-cli" => &["-h", "-p", "-a", "-n", "-u"],
        "pulumi" => &["-s", "--stack", "-C", "--cwd"],
        _ => &[],
    }
}

// One entry per line reads as the table it is.
#[rustfmt::skip]
const ENTRIES: &[Entry] = &[
    // RL-SH-001: destroying everything a configuration manages.
    Entry { rule: "RL-SH-001", programs: &["terraform", "tofu"], path: &["destroy"], when: When::Always, effect: "destroys every resource in the configuration's state", advice: "run `plan -destroy -out=destroy.tfplan`, have a second person review it, then apply that plan", severity: None },
    Entry { rule: "RL-SH-001", programs: &["terraform", "tofu"], path: &["apply"], when: When::AnyFlag(&["-destroy", "--destroy"]), effect: "destroys every resource in the configuration's state", advice: "run `plan -destroy -out=destroy.tfplan`, have a second person review it, then apply that plan", severity: None },
    Entry { rule: "RL-SH-001", programs: &["terragrunt"], path: &["run-all", "destroy"], when: When::Always, effect: "destroys every resource of every module below this folder", advice: "destroy module by module from reviewed plans", severity: None },
    Entry { rule: "RL-SH-001", programs: &["terragrunt"], path: &["destroy"], when: When::Always, effect: "destroys every resource in the module's state", advice: "destroy from a reviewed `plan -destroy` file", severity: None },
    // RL-SH-002: applying without the confirmation prompt.
    Entry { rule: "RL-SH-002", programs: &["terraform", "tofu", "terragrunt"], path: &["apply"], when: When::Check(auto_approve_without_plan), effect: "applies whatever the plan turns out to be, deletions and replacements included, without showing it to anyone", advice: "save a plan with `plan -out=tfplan`, review it, then run `apply tfplan`", severity: None },
    // RL-SH-003: state surgery and forced replacement.
    Entry { rule: "RL-SH-003", programs: &["terraform", "tofu"], path: &["state", "rm"], when: When::Always, effect: "makes Terraform forget resources, which the next apply may create twice or which nobody manages any more", advice: "use a reviewed `removed { lifecycle { destroy = false } }` block", severity: None },
    Entry { rule: "RL-SH-003", programs: &["terraform", "tofu"], path: &["state", "push"], when: When::Always, effect: "overwrites the remote state, which can hide or orphan every resource", advice: "restore state only from a reviewed backup, without `-force`", severity: None },
    Entry { rule: "RL-SH-003", programs: &["terraform", "tofu"], path: &["state", "mv"], when: When::Always, effect: "rewrites state addresses by hand", advice: "use a reviewed `moved {}` block", severity: Some(Severity::Warning) },
    Entry { rule: "RL-SH-003", programs: &["terraform", "tofu"], path: &["taint"], when: When::Always, effect: "forces the next apply to destroy and recreate the resource", advice: "use `apply -replace=` on a reviewed plan", severity: Some(Severity::Warning) },
    Entry { rule: "RL-SH-003", programs: &["terraform", "tofu"], path: &["force-unlock"], when: When::Always, effect: "breaks another run's state lock, so two applies can corrupt the state", advice: "find and stop the other run first", severity: Some(Severity::Warning) },
    Entry { rule: "RL-SH-003", programs: &["terraform", "tofu"], path: &["workspace", "delete"], when: When::Always, effect: "deletes a workspace's state, leaving its resources unmanaged", advice: "destroy or migrate the workspace's resources first", severity: Some(Severity::Warning) },
    Entry { rule: "RL-SH-003", programs: &["terraform", "tofu"], path: &["apply"], when: When::Check(has_replace), effect: "destroys and recreates the named resources", advice: "save and review a plan with `-replace=` before applying it", severity: None },
    // RL-SH-004: wide or data-bearing Kubernetes deletions.
    Entry { rule: "RL-SH-004", programs: &["kubectl", "oc"], path: &["delete"], when: When::Check(kubectl_delete_wide), effect: "deletes a namespace with everything in it, every object of a kind, or volumes and their data", advice: "delete named objects, and check with `--dry-run=server` first", severity: None },
    // RL-SH-006: Helm release deletion.
    Entry { rule: "RL-SH-006", programs: &["helm"], path: &["uninstall"], when: When::Always, effect: "deletes every object of the release, volume claims included unless they are kept", advice: "annotate stateful objects with `helm.sh/resource-policy: keep`, and run with `--dry-run` first", severity: None },
    Entry { rule: "RL-SH-006", programs: &["helm"], path: &["delete"], when: When::Always, effect: "deletes every object of the release, volume claims included unless they are kept", advice: "annotate stateful objects with `helm.sh/resource-policy: keep`, and run with `--dry-run` first", severity: None },
    Entry { rule: "RL-SH-006", programs: &["helm"], path: &["del"], when: When::Always, effect: "deletes every object of the release", advice: "run with `--dry-run` first", severity: None },
    Entry { rule: "RL-SH-006", programs: &["helm"], path: &["un"], when: When::Always, effect: "deletes every object of the release", advice: "run with `--dry-run` first", severity: None },
    // RL-SH-007: object-store wipes.
    Entry { rule: "RL-SH-007", programs: &["aws"], path: &["s3", "rm"], when: When::AnyFlag(&["--recursive"]), effect: "deletes every object under the prefix", advice: "run with `--dryrun` first and keep versioning on the bucket", severity: None },
    Entry { rule: "RL-SH-007", programs: &["aws"], path: &["s3", "rb"], when: When::AnyFlag(&["--force"]), effect: "deletes every object in the bucket and then the bucket", advice: "empty and delete buckets through reviewed infrastructure changes", severity: None },
    Entry { rule: "RL-SH-007", programs: &["aws"], path: &["s3", "sync"], when: When::AnyFlag(&["--delete"]), effect: "deletes destination objects that are missing from the source; a wrong or empty source wipes the destination", advice: "run with `--dryrun` first", severity: Some(Severity::Warning) },
    Entry { rule: "RL-SH-007", programs: &["aws"], path: &["s3api", "delete-bucket"], when: When::Always, effect: "deletes the bucket", advice: "delete buckets through reviewed infrastructure changes", severity: None },
    Entry { rule: "RL-SH-007", programs: &["gsutil"], path: &["rm"], when: When::AnyFlag(&["-r", "-R", "-a"]), effect: "deletes every object under the path", advice: "keep object versioning on, and list the objects first", severity: None },
    Entry { rule: "RL-SH-007", programs: &["gsutil"], path: &["rb"], when: When::Always, effect: "deletes the bucket", advice: "delete buckets through reviewed infrastructure changes", severity: None },
    Entry { rule: "RL-SH-007", programs: &["gcloud"], path: &["storage", "rm"], when: When::AnyFlag(&["-r", "--recursive"]), effect: "deletes every object under the path", advice: "keep object versioning on, and list the objects first", severity: None },
    Entry { rule: "RL-SH-007", programs: &["gcloud"], path: &["storage", "buckets", "delete"], when: When::Always, effect: "deletes the bucket", advice: "delete buckets through reviewed infrastructure changes", severity: None },
    Entry { rule: "RL-SH-007", programs: &["az"], path: &["storage", "container", "delete"], when: When::Always, effect: "deletes the container and every blob in it", advice: "enable soft delete and remove containers through reviewed infrastructure changes", severity: None },
    Entry { rule: "RL-SH-007", programs: &["az"], path: &["storage", "blob", "delete-batch"], when: When::Always, effect: "deletes every matching blob", advice: "enable soft delete and run with `--dryrun` first", severity: None },
    Entry { rule: "RL-SH-007", programs: &["az"], path: &["storage", "account", "delete"], when: When::Always, effect: "deletes the storage account and all its data", advice: "protect the account with a delete lock", severity: None },
    // RL-SH-008: database deletion.
    Entry { rule: "RL-SH-008", programs: &["aws"], path: &["rds", "delete-db-instance"], when: When::Always, effect: "deletes the database instance", advice: "keep deletion protection on and take a final snapshot (`--final-db-snapshot-identifier`)", severity: None },
    Entry { rule: "RL-SH-008", programs: &["aws"], path: &["rds", "delete-db-cluster"], when: When::Always, effect: "deletes the database cluster", advice: "keep deletion protection on and take a final snapshot (`--final-db-snapshot-identifier`)", severity: None },
    Entry { rule: "RL-SH-008", programs: &["aws"], path: &["dynamodb", "delete-table"], when: When::Always, effect: "deletes the table and every item in it", advice: "turn on deletion protection and point-in-time recovery", severity: None },
    Entry { rule: "RL-SH-008", programs: &["aws"], path: &["redshift", "delete-cluster"], when: When::Always, effect: "deletes the data warehouse cluster", advice: "take a final snapshot", severity: None },
    Entry { rule: "RL-SH-008", programs: &["aws"], path: &["elasticache", "delete-replication-group"], when: When::Always, effect: "deletes the cache cluster and its data", advice: "take a final snapshot (`--final-snapshot-identifier`)", severity: None },
    Entry { rule: "RL-SH-008", programs: &["gcloud"], path: &["sql", "instances", "delete"], when: When::Always, effect: "deletes the Cloud SQL instance and its backups", advice: "keep deletion protection on", severity: None },
    Entry { rule: "RL-SH-008", programs: &["az"], path: &["sql", "db", "delete"], when: When::Always, effect: "deletes the database", advice: "protect it with a delete lock", severity: None },
    Entry { rule: "RL-SH-008", programs: &["az"], path: &["sql", "server", "delete"], when: When::Always, effect: "deletes the server and every database on it", advice: "protect it with a delete lock", severity: None },
    Entry { rule: "RL-SH-008", programs: &["az"], path: &["cosmosdb", "delete"], when: When::Always, effect: "deletes the Cosmos DB account and its data", advice: "protect it with a delete lock", severity: None },
    Entry { rule: "RL-SH-008", programs: &["dropdb"], path: &[], when: When::Always, effect: "drops the PostgreSQL database", advice: "take a backup first and run it by hand", severity: None },
    // RL-SH-009: whole environments.
    Entry { rule: "RL-SH-009", programs: &["aws"], path: &["cloudformation", "delete-stack"], when: When::Always, effect: "deletes the stack and every resource in it that is not retained", advice: "keep termination protection on and delete stacks through a reviewed change", severity: None },
    Entry { rule: "RL-SH-009", programs: &["aws"], path: &["eks", "delete-cluster"], when: When::Always, effect: "deletes the Kubernetes cluster with every workload on it", advice: "delete clusters through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-009", programs: &["cdk"], path: &["destroy"], when: When::Always, effect: "deletes the stacks and every resource in them that is not retained", advice: "destroy stacks by hand after review, without `--force`", severity: None },
    Entry { rule: "RL-SH-009", programs: &["sam"], path: &["delete"], when: When::Always, effect: "deletes the stack and its resources", advice: "delete stacks by hand after review", severity: None },
    Entry { rule: "RL-SH-009", programs: &["pulumi"], path: &["destroy"], when: When::Always, effect: "destroys every resource of the stack", advice: "preview with `pulumi destroy --preview-only` and run it by hand", severity: None },
    Entry { rule: "RL-SH-009", programs: &["pulumi"], path: &["stack", "rm"], when: When::Always, effect: "removes the stack and its state", advice: "destroy or migrate its resources first, by hand", severity: None },
    Entry { rule: "RL-SH-009", programs: &["az"], path: &["group", "delete"], when: When::Always, effect: "deletes the resource group and every resource in it", advice: "protect it with a delete lock and delete by hand after review", severity: None },
    Entry { rule: "RL-SH-009", programs: &["az"], path: &["aks", "delete"], when: When::Always, effect: "deletes the Kubernetes cluster with every workload on it", advice: "delete clusters through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-009", programs: &["gcloud"], path: &["projects", "delete"], when: When::Always, effect: "shuts down the project and everything in it", advice: "set a project lien and delete by hand after review", severity: None },
    Entry { rule: "RL-SH-009", programs: &["gcloud"], path: &["container", "clusters", "delete"], when: When::Always, effect: "deletes the Kubernetes cluster with every workload on it", advice: "delete clusters through a reviewed infrastructure change", severity: None },
    // RL-SH-010: other cloud resources.
    Entry { rule: "RL-SH-010", programs: &["aws"], path: &["ec2", "terminate-instances"], when: When::Always, effect: "terminates the instances and deletes their instance-store and delete-on-termination volumes", advice: "stop instances instead, or remove them through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-010", programs: &["aws"], path: &["lambda", "delete-function"], when: When::Always, effect: "deletes the function and all its versions", advice: "remove it through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-010", programs: &["aws"], path: &["ecr", "delete-repository"], when: When::AnyFlag(&["--force"]), effect: "deletes the repository and every image in it", advice: "remove it through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-010", programs: &["aws"], path: &["logs", "delete-log-group"], when: When::Always, effect: "deletes the log group and all its events", advice: "set a retention period instead", severity: None },
    Entry { rule: "RL-SH-010", programs: &["aws"], path: &["route53", "delete-hosted-zone"], when: When::Always, effect: "deletes the DNS zone", advice: "remove it through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-010", programs: &["aws"], path: &["kms", "schedule-key-deletion"], when: When::Always, effect: "schedules the key for deletion, after which everything encrypted with it is unreadable", advice: "disable the key instead, and keep the longest waiting period", severity: Some(Severity::Error) },
    Entry { rule: "RL-SH-010", programs: &["aws"], path: &["secretsmanager", "delete-secret"], when: When::AnyFlag(&["--force-delete-without-recovery"]), effect: "deletes the secret with no recovery window", advice: "drop `--force-delete-without-recovery` to keep the recovery window", severity: Some(Severity::Error) },
    Entry { rule: "RL-SH-010", programs: &["gcloud"], path: &[], when: When::Check(gcloud_quiet_delete), effect: "deletes the resource without asking for confirmation", advice: "drop `--quiet` so that someone confirms, or delete through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-010", programs: &["az"], path: &["vm", "delete"], when: When::Always, effect: "deletes the virtual machine", advice: "deallocate it instead, or delete through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-010", programs: &["az"], path: &["keyvault", "purge"], when: When::Always, effect: "permanently deletes the key vault and its keys and secrets", advice: "keep purge protection on", severity: Some(Severity::Error) },
    // RL-SH-013: recursive deletion of roots, homes and unguarded variables.
    Entry { rule: "RL-SH-013", programs: &["rm"], path: &[], when: When::Check(rm_rf_dangerous), effect: "", advice: "delete an explicit path, and guard variables with `${VAR:?}`", severity: None },
    // RL-SH-014: git history and work-tree destruction.
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["push"], when: When::Check(force_push), effect: "overwrites the remote branch's history; commits others pushed are lost", advice: "use `--force-with-lease`, and never force-push the default branch", severity: None },
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["reset"], when: When::Check(reset_hard_in_ci), effect: "discards every uncommitted change in the work tree", advice: "use a fresh checkout instead of resetting one", severity: Some(Severity::Warning) },
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["clean"], when: When::Check(clean_force_in_ci), effect: "deletes every untracked file in the work tree", advice: "use a fresh checkout instead of cleaning one", severity: Some(Severity::Warning) },
    // RL-SH-015: destructive SQL and data-store commands.
    Entry { rule: "RL-SH-015", programs: &[ "psql", "mysql", "mariadb", "sqlite3", "cockroach", "clickhouse-client", ], path: &[], when: When::Check(destructive_sql), effect: "drops or empties tables or databases", advice: "use a reversible migration, add a `WHERE` clause, and take a backup first", severity: None },
    Entry { rule: "RL-SH-015", programs: &["redis-cli"], path: &[], when: When::Check(redis_flush), effect: "deletes every key", advice: "delete keys by pattern after a backup", severity: None },
    // RL-SH-017: container volumes.
    Entry { rule: "RL-SH-017", programs: &["docker"], path: &["system", "prune"], when: When::AnyFlag(&["--volumes"]), effect: "deletes every unused volume and the data in it", advice: "drop `--volumes`", severity: None },
    Entry { rule: "RL-SH-017", programs: &["docker"], path: &["volume", "rm"], when: When::Always, effect: "deletes the volume and its data", advice: "back up the volume first", severity: None },
    Entry { rule: "RL-SH-017", programs: &["docker"], path: &["volume", "prune"], when: When::Always, effect: "deletes every unused volume and its data", advice: "remove named volumes one by one after a backup", severity: None },
    Entry { rule: "RL-SH-017", programs: &["docker"], path: &["compose", "down"], when: When::AnyFlag(&["-v", "--volumes"]), effect: "deletes the project's volumes and their data", advice: "drop `-v`", severity: None },
    Entry { rule: "RL-SH-017", programs: &["docker-compose"], path: &["down"], when: When::AnyFlag(&["-v", "--volumes"]), effect: "deletes the project's volumes and their data", advice: "drop `-v`", severity: None },
    // RL-SH-018: disks and the host itself.
    Entry { rule: "RL-SH-018", programs: &["dd"], path: &[], when: When::Check(dd_to_device), effect: "overwrites a block device", advice: "write to an image file, and double-check the device by hand", severity: None },
    Entry { rule: "RL-SH-018", programs: &[ "mkfs", "mkfs.ext4", "mkfs.ext3", "mkfs.xfs", "mkfs.btrfs", "mkfs.vfat", "mkfs.fat", "mke2fs", "wipefs", ], path: &[], when: When::Always, effect: "formats a device, erasing everything on it", advice: "run it by hand after checking the device", severity: None },
    Entry { rule: "RL-SH-018", programs: &["chmod", "chown"], path: &[], when: When::Check(recursive_on_root), effect: "changes permissions of the whole system recursively, which breaks it", advice: "change an explicit path", severity: None },
];

/// Matches of one rule on one command.
pub fn matches(rule: &str, command: &Command, format: Format) -> Vec<Hit> {
    let Some(first) = command.words.first() else {
        return Vec::new();
    };
    let program = program_name(&first.text);
    // Most commands of a script (`echo`, `cp`, `make`) are in no entry: reject them at once.
    if catalog_programs().binary_search(&program).is_err() {
        return Vec::new();
    }
    let args = &command.words[1..];
    let invocation = Invocation {
        command,
        program,
        args,
        positionals: positionals(program, args),
        format,
    };
    ENTRIES
        .iter()
        .filter(|entry| entry.rule == rule && entry.programs.contains(&program))
        .filter(|entry| {
            entry.path.len() <= invocation.positionals.len()
                && entry
                    .path
                    .iter()
                    .zip(&invocation.positionals)
                    .all(|(expected, actual)| expected == actual)
        })
        .filter(|entry| match &entry.when {
            When::Always => true,
            When::AnyFlag(flags) => flags.iter().any(|flag| has_flag(args, flag)),
            When::Check(check) => check(&invocation),
        })
        .take(1)
        .map(|entry| {
            let effect = match entry.rule {
                "RL-SH-013" => rm_effect(&invocation),
                _ => entry.effect.to_owned(),
            };
            Hit {
                rule: entry.rule,
                severity: entry.severity,
                message: format!("{effect}; {}", entry.advice),
            }
        })
        .collect()
}

/// Every program the catalog knows, sorted.
fn catalog_programs() -> &'static [&'static str] {
    static PROGRAMS: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    PROGRAMS.get_or_init(|| {
        let mut programs: Vec<&'static str> = ENTRIES
            .iter()
            .flat_map(|entry| entry.programs.iter().copied())
            .collect();
        programs.sort_unstable();
        programs.dedup();
        programs
    })
}

fn in_ci(invocation: &Invocation<'_>) -> bool {
    matches!(invocation.format, Format::GithubActions | Format::GitlabCi)
}

/// Whether `flag` is among `args`: exactly, as `flag=value`, or (for one-letter flags) inside
/// a cluster such as `-rf`.
pub fn has_flag(args: &[Word], flag: &str) -> bool {
    args.iter().any(|word| {
        let text = word.text.as_str();
        text == flag
            || text
                .strip_prefix(flag)
                .is_some_and(|rest| rest.starts_with('='))
            || (flag.len() == 2
                && flag.starts_with('-')
                && is_short_cluster_with(text, flag.chars().nth(1).unwrap_or(' ')))
    })
}

fn positionals<'a>(program: &str, args: &'a [Word]) -> Vec<&'a str> {
    let value_options = value_options(program);
    let mut res = Vec::new();
    let mut skip_next = false;
    for word in args {
        let text = word.text.as_str();
        if skip_next {
            skip_next = false;
            continue;
        }
        if text.starts_with('-') && text.len() > 1 {
            skip_next = !text.contains('=') && value_options.contains(&text);
            continue;
        }
        res.push(text);
    }
    res
}

fn auto_approve_without_plan(invocation: &Invocation<'_>) -> bool {
    let auto =
        has_flag(invocation.args, "-auto-approve") || has_flag(invocation.args, "--auto-approve");
    // `apply tfplan` applies a saved, reviewable plan: the prompt would show nothing new.
    let saved_plan = invocation.positionals.len() > 1;
    auto && !saved_plan
}

fn has_replace(invocation: &Invocation<'_>) -> bool {
    invocation
        .args
        .iter()
        .any(|word| word.text.starts_with("-replace=") || word.text == "-replace")
}

fn kubectl_delete_wide(invocation: &Invocation<'_>) -> bool {
    let args = invocation.args;
    if ["--all", "-A", "--all-namespaces", "-k", "--kustomize"]
        .iter()
        .any(|flag| has_flag(args, flag))
    {
        return true;
    }
    let kinds = invocation.positionals.get(1).copied().unwrap_or("");
    kinds.split(',').any(|kind| {
        let kind = kind.split('/').next().unwrap_or(kind).to_ascii_lowercase();
        matches!(
            kind.as_str(),
            "ns" | "namespace"
                | "namespaces"
                | "pv"
                | "persistentvolume"
                | "persistentvolumes"
                | "pvc"
                | "persistentvolumeclaim"
                | "persistentvolumeclaims"
                | "crd"
                | "crds"
                | "customresourcedefinition"
                | "customresourcedefinitions"
        )
    })
}

fn gcloud_quiet_delete(invocation: &Invocation<'_>) -> bool {
    let deletes = invocation.positionals.contains(&"delete");
    let quiet = has_flag(invocation.args, "--quiet") || has_flag(invocation.args, "-q");
    // Projects, clusters and SQL instances have entries of their own.
    let covered = matches!(
        invocation.positionals.as_slice(),
        ["projects", "delete", ..]
            | ["container", "clusters", "delete", ..]
            | ["sql", "instances", "delete", ..]
            | ["storage", ..]
    );
    deletes && quiet && !covered
}

/// Whether `rm` arguments ask for recursion, in any spelling (`-r`, `-R`, `--recursive`,
/// clusters such as `-rf`).
pub fn rm_recursive(args: &[Word]) -> bool {
    ["-r", "-R", "--recursive"]
        .iter()
        .any(|flag| has_flag(args, flag))
}

/// Whether `rm` arguments ask for both recursion and force, in any spelling.
pub fn rm_recursive_forced(args: &[Word]) -> bool {
    rm_recursive(args) && ["-f", "--force"].iter().any(|flag| has_flag(args, flag))
}

fn rm_rf_dangerous(invocation: &Invocation<'_>) -> bool {
    if !rm_recursive_forced(invocation.args) {
        return false;
    }
    let targets: Vec<&Word> = invocation
        .args
        .iter()
        .filter(|word| !(word.text.starts_with('-') && word.text.len() > 1))
        .collect();
    // `xargs rm -rf` deletes whatever arrives on standard input.
    if targets.is_empty() {
        return invocation
            .command
            .wrappers
            .iter()
            .any(|wrapper| wrapper == "xargs");
    }
    targets.iter().any(|word| dangerous_rm_target(word))
}

/// What an `rm -rf` flagged by `rm_rf_dangerous` deletes, in words.
fn rm_effect(invocation: &Invocation<'_>) -> String {
    let targets: Vec<&Word> = invocation
        .args
        .iter()
        .filter(|word| !(word.text.starts_with('-') && word.text.len() > 1))
        .collect();
    if targets.is_empty() {
        return "deletes recursively whatever paths arrive on its input".to_owned();
    }
    for word in targets {
        let text = word.text.trim_end_matches('/');
        let effect = match text {
            "" | "/*" => "deletes every file on the machine".to_owned(),
            "~" | "~/*" | "$HOME" | "${HOME}" | "$HOME/*" | "${HOME}/*" => {
                "deletes the whole home folder".to_owned()
            }
            "*" | "." | "./*" => "deletes everything in the current folder".to_owned(),
            ".." | "../*" => "deletes everything in the parent folder".to_owned(),
            _ => match unguarded_leading_variable(word) {
                Some(expansion) => format!(
                    "deletes `{}` from the root of the file system when `{}` is empty or unset",
                    word.text.replacen(&expansion.text, "", 1),
                    expansion.name
                ),
                None => continue,
            },
        };
        return effect;
    }
    "deletes recursively a path outside the work tree".to_owned()
}

/// Whether an `rm -rf` target is the root, a home folder, the work tree, or starts with a
/// variable that may be empty.
pub fn dangerous_rm_target(word: &Word) -> bool {
    let text = word.text.trim_end_matches('/');
    let literal = matches!(
        text,
        "" | "/"
            | "/*"
            | "~"
            | "~/*"
            | "*"
            | "."
            | "./*"
            | ".."
            | "../*"
            | "$HOME"
            | "${HOME}"
            | "$HOME/*"
            | "${HOME}/*"
    ) || word.text == "/";
    literal || unguarded_leading_variable(word).is_some()
}

/// The leading parameter expansion of a word that may be empty (not `${X:?}`, `${X:-…}`).
pub fn unguarded_leading_variable(word: &Word) -> Option<&redline_syntax::shell::Expansion> {
    if !word.text.starts_with('$') || word.text.starts_with("$(") {
        return None;
    }
    let expansion = word.expansions.first()?;
    let guarded = expansion.text.contains(":?")
        || expansion.text.contains(":-")
        || expansion.text.contains(":=")
        || expansion.text.contains('?');
    // `"$DIR"/x` and `$DIR/*` go to the root when DIR is empty; `"$DIR"` alone deletes
    // nothing when empty.
    // The first expansion is not always at the start: in `"$é ${DIR}/"` the `$` is literal.
    let followed_by_path = word
        .text
        .strip_prefix(expansion.text.as_str())
        .is_some_and(|rest| rest.starts_with('/'));
    (!guarded && followed_by_path && expansion.name != "HOME").then_some(expansion)
}

fn force_push(invocation: &Invocation<'_>) -> bool {
    let args = invocation.args;
    let with_lease = args.iter().any(|word| {
        word.text.starts_with("--force-with-lease") || word.text.starts_with("--force-if-includes")
    });
    let forced = has_flag(args, "--force") || has_flag(args, "-f");
    let plus_refspec = invocation
        .positionals
        .iter()
        .skip(2)
        .any(|refspec| refspec.starts_with('+'));
    (forced && !with_lease) || plus_refspec
}

/// Whether a force push targets a default branch (for severity).
pub fn pushes_default_branch(invocation_args: &[Word]) -> bool {
    invocation_args.iter().any(|word| {
        let target = word.text.trim_start_matches('+');
        let target = target.rsplit(':').next().unwrap_or(target);
        matches!(
            target,
            "main" | "master" | "refs/heads/main" | "refs/heads/master"
        )
    })
}

fn reset_hard_in_ci(invocation: &Invocation<'_>) -> bool {
    in_ci(invocation) && has_flag(invocation.args, "--hard")
}

fn clean_force_in_ci(invocation: &Invocation<'_>) -> bool {
    in_ci(invocation) && (has_flag(invocation.args, "-f") || has_flag(invocation.args, "--force"))
}

fn destructive_sql(invocation: &Invocation<'_>) -> bool {
    sql_texts(invocation)
        .iter()
        .any(|sql| is_destructive_sql(sql))
}

/// The SQL given on the command line: `-c`/`--command`/`-e`/`--execute` values, and for
/// `sqlite3` the argument after the database.
fn sql_texts<'a>(invocation: &Invocation<'a>) -> Vec<&'a str> {
    let mut res = Vec::new();
    let args = invocation.args;
    for (index, word) in args.iter().enumerate() {
        let text = word.text.as_str();
        for flag in ["-c", "--command", "-e", "--execute", "-q", "--query"] {
            if text == flag {
                if let Some(value) = args.get(index + 1) {
                    res.push(value.text.as_str());
                }
            } else if let Some(value) = text
                .strip_prefix(flag)
                .and_then(|rest| rest.strip_prefix('='))
            {
                res.push(value);
            }
        }
    }
    if invocation.program == "sqlite3"
        && let Some(sql) = invocation.positionals.get(1)
    {
        res.push(sql);
    }
    res
}

/// Whether SQL text drops or empties data: `DROP DATABASE|SCHEMA|TABLE`, `TRUNCATE`, or
/// `DELETE FROM t` without `WHERE`.
pub fn is_destructive_sql(sql: &str) -> bool {
    sql.split(';').any(|statement| {
        let words: Vec<String> = statement
            .split_whitespace()
            .map(|word| word.to_ascii_uppercase())
            .collect();
        match words.as_slice() {
            [first, second, ..] if first == "DROP" => {
                matches!(second.as_str(), "DATABASE" | "SCHEMA" | "TABLE")
            }
            [first, ..] if first == "TRUNCATE" => true,
            [first, second, ..] if first == "DELETE" && second == "FROM" => {
                !words.iter().any(|word| word == "WHERE")
            }
            _ => false,
        }
    })
}

fn redis_flush(invocation: &Invocation<'_>) -> bool {
    invocation
        .positionals
        .iter()
        .any(|word| word.eq_ignore_ascii_case("flushall") || word.eq_ignore_ascii_case("flushdb"))
}

fn dd_to_device(invocation: &Invocation<'_>) -> bool {
    invocation.args.iter().any(|word| {
        word.text.strip_prefix("of=").is_some_and(|target| {
            target.starts_with("/dev/")
                && !matches!(
                    target,
                    "/dev/null" | "/dev/zero" | "/dev/stdout" | "/dev/stderr"
                )
        })
    })
}

fn recursive_on_root(invocation: &Invocation<'_>) -> bool {
    let recursive = has_flag(invocation.args, "-R") || has_flag(invocation.args, "--recursive");
    recursive
        && invocation
            .positionals
            .iter()
            .skip(1)
            .any(|target| matches!(*target, "/" | "/*" | "/etc" | "/usr" | "/var" | "/home"))
}

/// A command that changes or removes live infrastructure, and how to name it in a message.
pub fn deploy_effect(command: &Command) -> Option<String> {
    let first = command.words.first()?;
    let program = program_name(&first.text);
    let args = &command.words[1..];
    let positionals = positionals(program, args);
    let verbs: &[&[&str]] = match program {
        "terraform" | "tofu" | "terragrunt" => &[
            &["apply"],
            &["destroy"],
            &["run-all", "apply"],
            &["run-all", "destroy"],
        ],
        "kubectl" | "oc" => &[
            &["apply"],
            &["delete"],
            &["replace"],
            &["patch"],
            &["create"],
            &["scale"],
            &["set"],
            &["rollout"],
        ],
        "helm" => &[
            &["install"],
            &["upgrade"],
            &["uninstall"],
            &["delete"],
            &["rollback"],
        ],
        "cdk" => &[&["deploy"], &["destroy"]],
        "sam" => &[&["deploy"], &["delete"]],
        "serverless" | "sls" => &[&["deploy"], &["remove"]],
        "pulumi" => &[&["up"], &["destroy"], &["update"]],
        "argocd" => &[&["app", "sync"], &["app", "delete"]],
        "aws" => &[
            &["cloudformation", "deploy"],
            &["cloudformation", "update-stack"],
            &["cloudformation", "create-stack"],
            &["cloudformation", "execute-change-set"],
            &["cloudformation", "delete-stack"],
            &["ecs", "update-service"],
            &["lambda", "update-function-code"],
        ],
        "gcloud" => &[
            &["run", "deploy"],
            &["app", "deploy"],
            &["functions", "deploy"],
            &["deployment-manager", "deployments", "create"],
            &["deployment-manager", "deployments", "update"],
        ],
        "az" => &[
            &["deployment", "group", "create"],
            &["deployment", "sub", "create"],
            &["deployment", "create"],
            &["webapp", "deploy"],
            &["functionapp", "deploy"],
        ],
        _ => return None,
    };
    let verb = verbs.iter().find(|verb| {
        verb.len() <= positionals.len() && verb.iter().zip(&positionals).all(|(a, b)| a == b)
    })?;
    Some(format!("{program} {}", verb.join(" ")))
}

/// Actions that deploy: `uses:` prefixes.
pub const DEPLOY_ACTIONS: &[&str] = &[
    "aws-actions/amazon-ecs-deploy-task-definition",
    "aws-actions/aws-cloudformation-github-deploy",
    "azure/webapps-deploy",
    "azure/arm-deploy",
    "azure/k8s-deploy",
    "azure/functions-action",
    "google-github-actions/deploy-cloudrun",
    "google-github-actions/deploy-appengine",
    "google-github-actions/deploy-cloud-functions",
    "hashicorp/tfc-workflows-github/actions/apply-run",
    "pulumi/actions",
];

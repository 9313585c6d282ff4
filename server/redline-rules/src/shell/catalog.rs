//! The destructive-command catalog: which command lines each shell rule flags, and what to
//! say about them.
//!
//! Most entries are data: a program, a subcommand path, and the flags or arguments that make
//! it destructive. A few need a look at argument values (the targets of `rm -rf`, the SQL given
//! to `psql -c`) and name a predicate.

use std::collections::HashMap;

use redline_diagnostics::Severity;
use redline_syntax::Format;
use redline_syntax::shell::{Command, OpaqueKind, Word, is_short_cluster_with, program_name};

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
    "RL-SH-016",
    "RL-SH-017",
    "RL-SH-018",
    "RL-SH-019",
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
    /// Whether the command is one command line about to be run rather than part of a script
    /// kept in a repository.
    pub command_line: bool,
}

/// What matched.
pub struct Hit {
    /// The rule.
    pub rule: &'static str,
    /// Severity for this match, when it differs from the rule's default.
    pub severity: Option<Severity>,
    /// What will happen and what to do.
    pub message: String,
    /// Whether the command only discards local, uncommitted work of the repository it runs
    /// in, which does not matter in a clone the same script has just made.
    pub local_work: bool,
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
    /// A custom check that also says how bad this particular command is and what it does,
    /// when that depends on its arguments (the branch pushed, the path deleted).
    Graded(fn(&Invocation<'_>) -> Option<Grade>),
}

/// What a graded check found.
struct Grade {
    /// Severity for this command, when it differs from the entry's.
    severity: Option<Severity>,
    /// What the command does, completing "`<command>` …".
    effect: String,
    /// What to do instead, when it differs from the entry's advice.
    advice: Option<&'static str>,
    /// See [`Hit::local_work`].
    local_work: bool,
}

impl Grade {
    fn new(severity: Option<Severity>, effect: impl Into<String>) -> Self {
        Self {
            severity,
            effect: effect.into(),
            advice: None,
            local_work: false,
        }
    }

    /// A grade for a command that discards local work (see [`Hit::local_work`]).
    fn local(severity: Severity, effect: impl Into<String>) -> Self {
        Self {
            local_work: true,
            ..Self::new(Some(severity), effect)
        }
    }

    fn advice(mut self, advice: &'static str) -> Self {
        self.advice = Some(advice);
        self
    }
}

/// A command whose text is only known at run time: decoded into a shell anywhere, and, on a
/// command line about to be run, also downloaded into a shell or computed.
fn hidden(command: &Command, command_line: bool) -> Option<Hit> {
    let opaque = command.opaque.as_ref()?;
    let decoded = opaque.kind == OpaqueKind::Decoded;
    if !(decoded || command_line) {
        return None;
    }
    let advice = if decoded {
        "run the decoded text itself, so that it can be read before it runs"
    } else {
        "run the commands themselves, written out, so that they can be judged before they run"
    };
    Some(Hit {
        rule: "RL-SH-016",
        severity: None,
        message: format!(
            "{}, so what it does cannot be judged before it runs; {advice}",
            opaque.reason
        ),
        local_work: false,
    })
}

/// Options that take a value, per program, so their values are not taken for subcommands.
pub fn value_options(program: &str) -> &'static [&'static str] {
    match program {
        "atmos" => &["-s", "--stack", "--planfile", "--identity", "--query"],
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
        "docker" | "docker-compose" | "podman" => {
            &["-f", "--file", "-p", "--project-name", "--context", "-H"]
        }
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
        "mysqladmin" => &[
            "-u", "-h", "-P", "-S", "--user", "--host", "--port", "--socket",
        ],
        "gh" => &["-R", "--repo"],
        "heroku" => &["-a", "--app", "-r", "--remote", "--confirm"],
        "fly" | "flyctl" => &["-a", "--app", "-c", "--config"],
        "vercel" => &["-S", "--scope", "-t", "--token", "-A", "--local-config"],
        "firebase" => &["-P", "--project", "--token"],
        "pulumi" => &["-s", "--stack", "-C", "--cwd"],
        "doctl" => &[
            "-t",
            "--access-token",
            "--context",
            "-o",
            "--output",
            "--format",
        ],
        "oci" => &[
            "--profile",
            "--region",
            "--config-file",
            "--output",
            "--query",
            "--auth",
            "--endpoint",
        ],
        _ => &[],
    }
}

// One entry per line reads as the table it is.
#[rustfmt::skip]
const ENTRIES: &[Entry] = &[
    // RL-SH-001: destroying everything a configuration manages.
    Entry { rule: "RL-SH-001", programs: &["terraform", "tofu"], path: &["destroy"], when: When::Graded(destroy_scope), effect: "", advice: "run `plan -destroy -out=destroy.tfplan`, have a second person review it, then apply that plan", severity: None },
    Entry { rule: "RL-SH-001", programs: &["terraform", "tofu"], path: &["apply"], when: When::AnyFlag(&["-destroy", "--destroy"]), effect: "destroys every resource in the configuration's state", advice: "run `plan -destroy -out=destroy.tfplan`, have a second person review it, then apply that plan", severity: None },
    Entry { rule: "RL-SH-001", programs: &["terragrunt"], path: &["run-all", "destroy"], when: When::Always, effect: "destroys every resource of every module below this folder", advice: "destroy module by module from reviewed plans", severity: None },
    Entry { rule: "RL-SH-001", programs: &["terragrunt"], path: &["destroy"], when: When::Always, effect: "destroys every resource in the module's state", advice: "destroy from a reviewed `plan -destroy` file", severity: None },
    // Atmos runs Terraform on one component of a stack: `atmos terraform destroy vpc -s prod`.
    Entry { rule: "RL-SH-001", programs: &["atmos"], path: &["terraform", "destroy"], when: When::Graded(destroy_scope_of_component), effect: "", advice: "run `atmos terraform plan <component> -s <stack> -destroy`, have a second person review the plan, then apply that plan file", severity: None },
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
    Entry { rule: "RL-SH-008", programs: &["mysqladmin"], path: &["drop"], when: When::Always, effect: "drops the MySQL database and every table in it", advice: "take a backup with `mysqldump` first and run it by hand, without `-f`", severity: None },
    Entry { rule: "RL-SH-008", programs: &["curl"], path: &[], when: When::Graded(search_index_delete), effect: "", advice: "take a snapshot first, and delete documents with `_delete_by_query` or indices by exact name after review", severity: None },
    Entry { rule: "RL-SH-008", programs: &["firebase"], path: &["firestore:delete"], when: When::Check(firestore_wide_delete), effect: "deletes every document below the path, or every collection of the database", advice: "export the database (`gcloud firestore export`) first and delete named documents", severity: None },
    Entry { rule: "RL-SH-008", programs: &["firebase"], path: &["database:remove"], when: When::Always, effect: "deletes the Realtime Database data at the path", advice: "export the data first and delete by hand after review", severity: None },
    Entry { rule: "RL-SH-008", programs: &["supabase"], path: &["db", "reset"], when: When::Graded(supabase_db_reset), effect: "", advice: "dump the data with `supabase db dump --data-only` first", severity: None },
    Entry { rule: "RL-SH-008", programs: &["doctl"], path: &["databases", "delete"], when: When::Always, effect: "deletes the managed database cluster with its data and backups", advice: "take a backup (`doctl databases backups`) and delete it by hand in the control panel", severity: None },
    Entry { rule: "RL-SH-008", programs: &["doctl"], path: &["databases", "db", "delete"], when: When::Always, effect: "drops the database from the cluster with its data", advice: "take a backup first and delete it by hand", severity: None },
    Entry { rule: "RL-SH-008", programs: &["oci"], path: &[], when: When::Check(oci_database_delete), effect: "deletes the database with its data", advice: "take a manual backup first and delete it through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-008", programs: &["aws"], path: &["efs", "delete-file-system"], when: When::Always, effect: "deletes the file system and every file on it", advice: "back it up with AWS Backup first and remove it through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-008", programs: &["aws"], path: &["opensearch", "delete-domain"], when: When::Always, effect: "deletes the search domain and every index in it", advice: "take a snapshot first and remove it through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-008", programs: &["aws"], path: &["es", "delete-elasticsearch-domain"], when: When::Always, effect: "deletes the search domain and every index in it", advice: "take a snapshot first and remove it through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-008", programs: &["aws"], path: &["backup", "delete-recovery-point"], when: When::Always, effect: "deletes a backup", advice: "let the backup plan's lifecycle expire it", severity: None },
    Entry { rule: "RL-SH-008", programs: &["aws"], path: &["backup", "delete-backup-vault"], when: When::Always, effect: "deletes the backup vault", advice: "keep the vault, and lock it", severity: None },
    Entry { rule: "RL-SH-008", programs: &["supabase"], path: &["projects", "delete"], when: When::Always, effect: "deletes the Supabase project with its database, storage and functions", advice: "back up the database first and delete it by hand in the dashboard", severity: None },
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
    Entry { rule: "RL-SH-009", programs: &["gh"], path: &["repo", "delete"], when: When::Graded(gh_repo_delete), effect: "", advice: "archive it instead (`gh repo archive`)", severity: None },
    Entry { rule: "RL-SH-009", programs: &["heroku"], path: &["apps:destroy"], when: When::Always, effect: "deletes the Heroku app with its add-ons, databases included", advice: "capture a backup (`heroku pg:backups:capture`), then destroy it by hand", severity: None },
    Entry { rule: "RL-SH-009", programs: &["heroku"], path: &["destroy"], when: When::Always, effect: "deletes the Heroku app with its add-ons, databases included", advice: "capture a backup (`heroku pg:backups:capture`), then destroy it by hand", severity: None },
    Entry { rule: "RL-SH-009", programs: &["vercel"], path: &["project", "rm"], when: When::Always, effect: "deletes the Vercel project with its deployments, domains and environment variables", advice: "remove it by hand in the dashboard after review", severity: None },
    Entry { rule: "RL-SH-009", programs: &["vercel"], path: &["project", "remove"], when: When::Always, effect: "deletes the Vercel project with its deployments, domains and environment variables", advice: "remove it by hand in the dashboard after review", severity: None },
    Entry { rule: "RL-SH-009", programs: &["vercel"], path: &["remove"], when: When::Always, effect: "deletes the deployments, or every deployment of the project it names, taking them offline", advice: "remove named deployment URLs after checking none is serving production", severity: Some(Severity::Warning) },
    Entry { rule: "RL-SH-009", programs: &["vercel"], path: &["rm"], when: When::Always, effect: "deletes the deployments, or every deployment of the project it names, taking them offline", advice: "remove named deployment URLs after checking none is serving production", severity: Some(Severity::Warning) },
    Entry { rule: "RL-SH-009", programs: &["netlify"], path: &["sites:delete"], when: When::Always, effect: "deletes the Netlify site with its deploys, forms and settings", advice: "delete it by hand in the dashboard after review", severity: None },
    Entry { rule: "RL-SH-009", programs: &["fly", "flyctl"], path: &["apps", "destroy"], when: When::Always, effect: "deletes the Fly app with its machines and volumes", advice: "snapshot its volumes first and destroy it by hand", severity: None },
    Entry { rule: "RL-SH-009", programs: &["fly", "flyctl"], path: &["apps", "delete"], when: When::Always, effect: "deletes the Fly app with its machines and volumes", advice: "snapshot its volumes first and destroy it by hand", severity: None },
    Entry { rule: "RL-SH-009", programs: &["fly", "flyctl"], path: &["destroy"], when: When::Always, effect: "deletes the Fly app with its machines and volumes", advice: "snapshot its volumes first and destroy it by hand", severity: None },
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
    Entry { rule: "RL-SH-010", programs: &["gh"], path: &["release", "delete"], when: When::Always, effect: "deletes the release and its uploaded assets", advice: "mark it as a draft or pre-release instead, or keep its assets elsewhere", severity: Some(Severity::Warning) },
    Entry { rule: "RL-SH-010", programs: &["firebase"], path: &["hosting:disable"], when: When::Always, effect: "takes the Hosting site offline until the next deploy", advice: "roll back to an earlier release with `firebase hosting:rollback` instead", severity: Some(Severity::Warning) },
    Entry { rule: "RL-SH-010", programs: &["firebase"], path: &[], when: When::Check(firebase_delete), effect: "deletes the named Firebase resources", advice: "delete them through a reviewed deploy", severity: Some(Severity::Warning) },
    Entry { rule: "RL-SH-010", programs: &["az"], path: &["keyvault", "purge"], when: When::Always, effect: "permanently deletes the key vault and its keys and secrets", advice: "keep purge protection on", severity: Some(Severity::Error) },
    Entry { rule: "RL-SH-009", programs: &["doctl"], path: &["kubernetes", "cluster", "delete"], when: When::Always, effect: "deletes the Kubernetes cluster with every workload on it", advice: "delete clusters through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-009", programs: &["doctl"], path: &["apps", "delete"], when: When::Always, effect: "deletes the App Platform app with its deployments", advice: "delete it by hand in the control panel after review", severity: None },
    Entry { rule: "RL-SH-009", programs: &["doctl"], path: &["projects", "delete"], when: When::Always, effect: "deletes the project", advice: "delete it by hand in the control panel after review", severity: None },
    Entry { rule: "RL-SH-009", programs: &["oci"], path: &["ce", "cluster", "delete"], when: When::Always, effect: "deletes the Kubernetes cluster with every workload on it", advice: "delete clusters through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-009", programs: &["oci"], path: &["iam", "compartment", "delete"], when: When::Always, effect: "deletes the compartment", advice: "delete it through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-010", programs: &["doctl"], path: &[], when: When::Graded(doctl_delete), effect: "", advice: "delete it through a reviewed infrastructure change, or by hand in the control panel", severity: None },
    Entry { rule: "RL-SH-010", programs: &["oci"], path: &[], when: When::Graded(oci_delete), effect: "", advice: "delete it through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-010", programs: &["aws"], path: &[], when: When::Graded(aws_other_delete), effect: "", advice: "remove it through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-010", programs: &["az"], path: &[], when: When::Graded(az_other_delete), effect: "", advice: "delete it through a reviewed infrastructure change", severity: None },
    Entry { rule: "RL-SH-007", programs: &["oci"], path: &["os", "bucket", "delete"], when: When::Always, effect: "deletes the bucket, and with `--empty` every object in it", advice: "delete objects you mean by name after checking versioning and retention", severity: None },
    Entry { rule: "RL-SH-007", programs: &["oci"], path: &["os", "object", "bulk-delete"], when: When::Always, effect: "deletes every object of the bucket (or of the prefix)", advice: "run it with `--dry-run` first and delete by name", severity: None },
    Entry { rule: "RL-SH-007", programs: &["aws"], path: &["s3api", "delete-objects"], when: When::Always, effect: "deletes the objects listed, in bulk", advice: "check versioning first and delete by name", severity: None },
    // RL-SH-013: recursive deletion of roots, homes and unguarded variables.
    Entry { rule: "RL-SH-013", programs: &["rm"], path: &[], when: When::Graded(rm_dangerous), effect: "", advice: "name the files or the subfolder you mean to delete", severity: None },
    Entry { rule: "RL-SH-013", programs: &["find"], path: &[], when: When::Graded(find_delete_dangerous), effect: "", advice: "start `find` from the folder that holds what you mean to delete, and narrow it with `-name` or `-path`", severity: None },
    // RL-SH-014: git history and work-tree destruction.
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["push"], when: When::Graded(git_push), effect: "", advice: "use `--force-with-lease` on your own branch, and never rewrite a shared one", severity: None },
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["reset"], when: When::Graded(git_reset_hard), effect: "", advice: "commit or `git stash` first, or use `git reset --keep`, which stops instead of discarding changes", severity: None },
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["checkout"], when: When::Graded(git_checkout_discard), effect: "", advice: "`git stash` first, or restore the files that need it by name", severity: None },
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["restore"], when: When::Graded(git_restore_discard), effect: "", advice: "`git stash` first, or restore the files that need it by name", severity: None },
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["clean"], when: When::Graded(git_clean_forced), effect: "", advice: "look at the list with `git clean -n` first, and delete the paths you mean by name", severity: None },
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["stash"], when: When::Graded(git_stash_delete), effect: "", advice: "drop the stashes you no longer need one by one, after `git stash show -p`", severity: None },
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["branch"], when: When::Graded(git_branch_force_delete), effect: "", advice: "use `git branch -d`, which refuses to delete unmerged work", severity: None },
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["worktree"], when: When::Graded(git_worktree_force_remove), effect: "", advice: "commit or stash in the worktree, then remove it without `--force`", severity: None },
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["filter-branch"], when: When::Always, effect: "rewrites every commit of the branches it is given; once pushed, every clone and open pull request is cut off from the old history", advice: "rewrite on a fresh `git clone --mirror` kept as a backup, and agree the force push with the team", severity: None },
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["filter-repo"], when: When::Always, effect: "rewrites the whole history of the repository in place and removes the `origin` remote", advice: "rewrite on a fresh `git clone --mirror` kept as a backup, and agree the force push with the team", severity: None },
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["reflog", "expire"], when: When::Graded(git_reflog_expire_now), effect: "", advice: "let reflog entries expire on their own (after 90 days by default)", severity: None },
    Entry { rule: "RL-SH-014", programs: &["git"], path: &["gc"], when: When::Graded(git_gc_prune_now), effect: "", advice: "run `git gc` without `--prune=now`; by default it keeps two weeks of unreachable objects", severity: None },
    // RL-SH-015: destructive SQL and data-store commands.
    Entry { rule: "RL-SH-015", programs: &[ "psql", "mysql", "mariadb", "sqlite3", "cockroach", "clickhouse-client", ], path: &[], when: When::Check(destructive_sql), effect: "drops or empties tables or databases", advice: "use a reversible migration, add a `WHERE` clause, and take a backup first", severity: None },
    Entry { rule: "RL-SH-015", programs: &["redis-cli"], path: &[], when: When::Check(redis_flush), effect: "deletes every key", advice: "delete keys by pattern after a backup", severity: None },
    Entry { rule: "RL-SH-015", programs: &["mongosh", "mongo"], path: &[], when: When::Check(mongo_destructive), effect: "drops or empties a database or collection", advice: "take a `mongodump` first and delete documents with a filter", severity: None },
    // RL-SH-017: container volumes.
    Entry { rule: "RL-SH-017", programs: &["docker", "podman"], path: &["system", "prune"], when: When::AnyFlag(&["--volumes"]), effect: "deletes every unused volume and the data in it", advice: "drop `--volumes`", severity: None },
    Entry { rule: "RL-SH-017", programs: &["docker", "podman"], path: &["volume", "rm"], when: When::Always, effect: "deletes the volume and its data", advice: "back up the volume first", severity: None },
    Entry { rule: "RL-SH-017", programs: &["docker", "podman"], path: &["volume", "prune"], when: When::Always, effect: "deletes every unused volume and its data", advice: "remove named volumes one by one after a backup", severity: None },
    Entry { rule: "RL-SH-017", programs: &["docker"], path: &["compose", "down"], when: When::AnyFlag(&["-v", "--volumes"]), effect: "deletes the project's volumes and their data", advice: "drop `-v`", severity: None },
    Entry { rule: "RL-SH-017", programs: &["docker-compose"], path: &["down"], when: When::AnyFlag(&["-v", "--volumes"]), effect: "deletes the project's volumes and their data", advice: "drop `-v`", severity: None },
    // RL-SH-018: disks and the host itself.
    Entry { rule: "RL-SH-018", programs: &["dd"], path: &[], when: When::Check(dd_to_device), effect: "overwrites a block device", advice: "write to an image file, and double-check the device by hand", severity: None },
    Entry { rule: "RL-SH-018", programs: &[ "mkfs", "mkfs.ext2", "mkfs.ext3", "mkfs.ext4", "mkfs.xfs", "mkfs.btrfs", "mkfs.vfat", "mkfs.fat", "mkfs.msdos", "mkfs.exfat", "mkfs.ntfs", "mkfs.f2fs", "mke2fs", ], path: &[], when: When::Check(device_or_unknown), effect: "formats a device, erasing everything on it", advice: "run it by hand after checking the device", severity: None },
    Entry { rule: "RL-SH-018", programs: &["wipefs"], path: &[], when: When::Check(wipefs_device), effect: "erases the partition table and file-system signatures of a device, so its data can no longer be found", advice: "run it by hand after checking the device", severity: None },
    Entry { rule: "RL-SH-018", programs: &["shred"], path: &[], when: When::Check(names_device), effect: "overwrites a whole device, several times, so nothing on it can be recovered", advice: "shred named files, and run it by hand after checking the device", severity: None },
    Entry { rule: "RL-SH-018", programs: &["blkdiscard"], path: &[], when: When::Check(device_or_unknown), effect: "discards every block of a device; on an SSD the data is gone at once", advice: "run it by hand after checking the device", severity: None },
    Entry { rule: "RL-SH-018", programs: &["chmod", "chown"], path: &[], when: When::Check(recursive_on_root), effect: "changes permissions of the whole system recursively, which breaks it", advice: "change an explicit path", severity: None },
    // RL-SH-019: containers and images in bulk.
    Entry { rule: "RL-SH-019", programs: &["docker", "podman"], path: &["system", "prune"], when: When::Check(prune_all), effect: "deletes every stopped container, every image no running container uses, unused networks and the build cache", advice: "prune dangling images only (`docker image prune`), or remove named containers and images", severity: None },
    Entry { rule: "RL-SH-019", programs: &["docker", "podman"], path: &["rm"], when: When::Check(remove_all_containers), effect: "force-removes every container, running ones included, with the data in their writable layers", advice: "stop and remove the containers you mean by name", severity: None },
    Entry { rule: "RL-SH-019", programs: &["docker", "podman"], path: &["container", "rm"], when: When::Check(remove_all_containers), effect: "force-removes every container, running ones included, with the data in their writable layers", advice: "stop and remove the containers you mean by name", severity: None },
];

/// Matches of one rule on one command of a script.
pub fn matches(rule: &str, command: &Command, format: Format) -> Vec<Hit> {
    matches_in(rule, command, format, false)
}

/// Matches of one rule on one command, of a script or (`command_line`) of a command line
/// about to be run.
pub fn matches_in(rule: &str, command: &Command, format: Format, command_line: bool) -> Vec<Hit> {
    if rule == "RL-SH-016" {
        return hidden(command, command_line).into_iter().collect();
    }
    let Some(first) = command.words.first() else {
        return Vec::new();
    };
    let program = catalog_program(&first.text);
    // Most commands of a script (`echo`, `cp`, `make`) are in no entry, and most programs are
    // in no entry of a given rule: reject them at once.
    let Some(entries) = entries_of(program) else {
        return Vec::new();
    };
    if !entries.iter().any(|entry| entry.rule == rule) {
        return Vec::new();
    }
    let args = &command.words[1..];
    let invocation = Invocation {
        command,
        program,
        args,
        positionals: positionals(program, args),
        format,
        command_line,
    };
    entries
        .iter()
        .filter(|entry| entry.rule == rule)
        .filter(|entry| {
            entry.path.len() <= invocation.positionals.len()
                && entry
                    .path
                    .iter()
                    .zip(&invocation.positionals)
                    .all(|(expected, actual)| expected == actual)
        })
        .filter_map(|entry| {
            let grade = match &entry.when {
                When::Always => Grade::new(entry.severity, entry.effect),
                When::AnyFlag(flags) => flags
                    .iter()
                    .any(|flag| has_flag(args, flag))
                    .then(|| Grade::new(entry.severity, entry.effect))?,
                When::Check(check) => {
                    check(&invocation).then(|| Grade::new(entry.severity, entry.effect))?
                }
                When::Graded(check) => check(&invocation)?,
            };
            Some(Hit {
                rule: entry.rule,
                severity: grade.severity.or(entry.severity),
                message: format!("{}; {}", grade.effect, grade.advice.unwrap_or(entry.advice)),
                local_work: grade.local_work,
            })
        })
        .take(1)
        .collect()
}

/// The program of a command's first word, as the catalog names it.
fn catalog_program(first_word: &str) -> &str {
    match program_name(first_word) {
        // The npm package's name for the same CLI (`npx firebase-tools …`).
        "firebase-tools" => "firebase",
        program => program,
    }
}

/// A quick test before `matches_in`, for a rule that reads every command of a file: whether
/// `command` can match `rule` at all, given the programs its entries name (`programs`, from
/// `programs_of`). For RL-SH-016, any command that hides what it runs can.
pub fn may_match(rule: &str, programs: &[&str], command: &Command) -> bool {
    if rule == "RL-SH-016" {
        return command.opaque.is_some();
    }
    command
        .words
        .first()
        .is_some_and(|first| programs.contains(&catalog_program(&first.text)))
}

/// The programs the entries of `rule` name, each once.
pub fn programs_of(rule: &str) -> &'static [&'static str] {
    index()
        .programs_by_rule
        .get(rule)
        .map_or(&[], Vec::as_slice)
}

/// Indexes the catalog now rather than on first use.
pub(crate) fn warm_up() {
    index();
}

/// The entries that name `program`, in catalog order, or `None` when none does.
fn entries_of(program: &str) -> Option<&'static [&'static Entry]> {
    index().by_program.get(program).map(Vec::as_slice)
}

/// The catalog, indexed by program and by rule.
struct Index {
    /// The entries that name each program, in catalog order.
    by_program: HashMap<&'static str, Vec<&'static Entry>>,
    /// The programs each rule's entries name, each once.
    programs_by_rule: HashMap<&'static str, Vec<&'static str>>,
}

fn index() -> &'static Index {
    static INDEX: std::sync::OnceLock<Index> = std::sync::OnceLock::new();
    INDEX.get_or_init(|| {
        let mut res = Index {
            by_program: HashMap::new(),
            programs_by_rule: HashMap::new(),
        };
        for entry in ENTRIES {
            let programs = res.programs_by_rule.entry(entry.rule).or_default();
            for program in entry.programs {
                if !programs.contains(program) {
                    programs.push(program);
                }
                let entries = res.by_program.entry(program).or_default();
                // A program named twice in one entry takes it once.
                if !entries
                    .last()
                    .is_some_and(|last| std::ptr::eq(*last, entry))
                {
                    entries.push(entry);
                }
            }
        }
        res
    })
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

/// What a command creates or deletes, as a key shared by both (`terraform`, `s3:s3://bucket`,
/// `gh-repo:org/name`, `namespace:name`, `local-cluster`), with whether it creates it.
pub(crate) fn lifecycle_key(command: &Command) -> Option<(String, bool)> {
    let first = command.words.first()?;
    let program = program_name(&first.text);
    // Read only for the programs below: every command of a file is asked, for each rule that
    // reports commands.
    let positionals = std::cell::OnceCell::new();
    let verb = |index: usize| {
        positionals
            .get_or_init(|| self::positionals(program, &command.words[1..]))
            .get(index)
            .copied()
            .unwrap_or("")
    };
    match program {
        // A component in a stack: `atmos terraform deploy vpc -s prod`.
        "atmos" if verb(0) == "terraform" && !verb(2).is_empty() => {
            let stack = stack_of(&command.words[1..]).unwrap_or("");
            let key = format!("atmos:{}:{stack}", verb(2));
            let destroys = command.words.iter().any(|word| word.text == "-destroy");
            match verb(1) {
                "apply" | "deploy" => Some((key, !destroys)),
                "destroy" => Some((key, false)),
                _ => None,
            }
        }
        "terraform" | "tofu" | "terragrunt" => {
            // The configuration is the folder `-chdir` names, else the current one.
            let folder = command
                .words
                .iter()
                .find_map(|word| word.text.strip_prefix("-chdir="))
                .unwrap_or(".");
            let destroys = command.words.iter().any(|word| word.text == "-destroy");
            match verb(0) {
                "apply" => Some((format!("terraform:{folder}"), !destroys)),
                "destroy" => Some((format!("terraform:{folder}"), false)),
                _ => None,
            }
        }
        "aws" if verb(0) == "s3" && matches!(verb(1), "mb" | "rb") && !verb(2).is_empty() => {
            Some((
                format!("s3:{}", verb(2).trim_end_matches('/')),
                verb(1) == "mb",
            ))
        }
        "gh" if verb(0) == "repo" && matches!(verb(1), "create" | "delete") => {
            Some((format!("gh-repo:{}", verb(2)), verb(1) == "create"))
        }
        "kubectl" | "oc"
            if matches!(verb(0), "create" | "delete") && matches!(verb(1), "namespace" | "ns") =>
        {
            Some((format!("namespace:{}", verb(2)), verb(0) == "create"))
        }
        "kind" if verb(0) == "create" && verb(1) == "cluster" => {
            Some(("local-cluster".to_owned(), true))
        }
        "k3d" if verb(0) == "cluster" && verb(1) == "create" => {
            Some(("local-cluster".to_owned(), true))
        }
        "minikube" if verb(0) == "start" => Some(("local-cluster".to_owned(), true)),
        _ => None,
    }
}

/// The stack an Atmos command names (`-s prod`, `--stack=prod`).
fn stack_of(args: &[Word]) -> Option<&str> {
    args.iter().enumerate().find_map(|(index, word)| {
        let text = word.text.as_str();
        if text == "-s" || text == "--stack" {
            return args.get(index + 1).map(|value| value.text.as_str());
        }
        text.strip_prefix("--stack=")
            .or_else(|| text.strip_prefix("-s="))
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

/// What `terraform destroy` destroys: every resource, or with `-target` the targeted ones and
/// everything that depends on them.
fn destroy_scope(invocation: &Invocation<'_>) -> Option<Grade> {
    let targeted = invocation
        .args
        .iter()
        .any(|word| word.text == "-target" || word.text.starts_with("-target="));
    Some(Grade::new(
        None,
        if targeted {
            "destroys the targeted resources and every resource that depends on them"
        } else {
            "destroys every resource in the configuration's state"
        },
    ))
}

/// What `atmos terraform destroy` destroys: the resources of one component in one stack (or
/// of every component with `--all`).
fn destroy_scope_of_component(invocation: &Invocation<'_>) -> Option<Grade> {
    let all = has_flag(invocation.args, "--all");
    let targeted = invocation
        .args
        .iter()
        .any(|word| word.text == "-target" || word.text.starts_with("-target="));
    let effect = match (all, targeted, invocation.positionals.get(2)) {
        (true, _, _) => "destroys every resource of every component in the stack".to_owned(),
        (false, true, _) => {
            "destroys the targeted resources and every resource that depends on them".to_owned()
        }
        (false, false, Some(component)) => {
            format!("destroys every resource in the state of component `{component}`")
        }
        (false, false, None) => "destroys every resource in the component's state".to_owned(),
    };
    Some(Grade::new(None, effect))
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

/// `doctl … delete|rm` of resources other than databases, clusters, apps and projects, which
/// have entries of their own: machines, volumes, snapshots, registries and domains are
/// errors, the rest (keys, tags, firewall rules) warnings.
fn doctl_delete(invocation: &Invocation<'_>) -> Option<Grade> {
    let positionals = &invocation.positionals;
    let at = positionals
        .iter()
        .position(|word| matches!(*word, "delete" | "rm" | "d"))?;
    let path = &positionals[..at];
    if matches!(
        path,
        ["databases", ..] | ["kubernetes", "cluster"] | ["apps"] | ["projects"]
    ) {
        return None;
    }
    let noun = path.join(" ");
    let forced = has_flag(invocation.args, "--force") || has_flag(invocation.args, "-f");
    let data = path.iter().any(|word| {
        matches!(
            *word,
            "droplet"
                | "volume"
                | "snapshot"
                | "registry"
                | "domain"
                | "image"
                | "load-balancer"
                | "cdn"
                | "node-pool"
                | "vpc"
        )
    });
    let confirm = if forced {
        ", and `--force` skips the confirmation"
    } else {
        ""
    };
    Some(Grade::new(
        (!data).then_some(Severity::Warning),
        format!("deletes the DigitalOcean {noun}{confirm}"),
    ))
}

/// `oci … delete|terminate` of resources other than databases, clusters and compartments.
fn oci_delete(invocation: &Invocation<'_>) -> Option<Grade> {
    let positionals = &invocation.positionals;
    let at = positionals
        .iter()
        .position(|word| matches!(*word, "delete" | "terminate"))?;
    let path = &positionals[..at];
    if oci_database(path)
        || matches!(
            path,
            ["ce", "cluster"] | ["iam", "compartment"] | ["os", "bucket"]
        )
    {
        return None;
    }
    let noun = path.join(" ");
    let forced = has_flag(invocation.args, "--force");
    let data = path.iter().any(|word| {
        matches!(
            *word,
            "instance" | "volume" | "boot-volume" | "file-system" | "vault" | "key" | "backup"
        )
    });
    let confirm = if forced {
        ", and `--force` skips the confirmation"
    } else {
        ""
    };
    Some(Grade::new(
        (!data).then_some(Severity::Warning),
        format!("deletes the Oracle Cloud {noun}{confirm}"),
    ))
}

fn oci_database(path: &[&str]) -> bool {
    matches!(
        path.first(),
        Some(&("db" | "mysql" | "psql" | "nosql" | "opensearch"))
    )
}

fn oci_database_delete(invocation: &Invocation<'_>) -> bool {
    let positionals = &invocation.positionals;
    positionals
        .iter()
        .position(|word| matches!(*word, "delete" | "terminate"))
        .is_some_and(|at| oci_database(&positionals[..at]))
}

/// `aws` deletions of resources that hold data or serve traffic, other than those with
/// entries of their own.
fn aws_other_delete(invocation: &Invocation<'_>) -> Option<Grade> {
    let effect = match invocation.positionals.get(..2)? {
        ["ec2", "delete-volume"] => "deletes the EBS volume and its data",
        ["ec2", "delete-snapshot"] => "deletes the EBS snapshot, a backup",
        ["ec2", "delete-vpc"] => "deletes the VPC",
        ["ec2", "deregister-image"] => "deregisters the machine image",
        ["ecs", "delete-cluster"] => "deletes the ECS cluster",
        ["ecs", "delete-service"] => "deletes the ECS service, taking it offline",
        ["sqs", "delete-queue"] => "deletes the queue and every message in it",
        ["sns", "delete-topic"] => "deletes the topic and its subscriptions",
        ["kinesis", "delete-stream"] => "deletes the stream and its records",
        ["glacier", "delete-vault"] => "deletes the archive vault",
        // A principal can be created again: what uses it breaks, no data is lost.
        ["iam", "delete-role" | "delete-user"] => {
            return Some(Grade::new(
                Some(Severity::Warning),
                "deletes the IAM principal, breaking whatever uses it",
            ));
        }
        ["cognito-idp", "delete-user-pool"] => "deletes the user pool and every user in it",
        ["apigateway", "delete-rest-api"] => "deletes the API",
        ["elasticache", "delete-cache-cluster"] => "deletes the cache cluster",
        ["elbv2", "delete-load-balancer"] => {
            "deletes the load balancer, taking its services offline"
        }
        ["cloudfront", "delete-distribution"] => "deletes the distribution",
        _ => return None,
    };
    Some(Grade::new(None, effect))
}

/// `az` deletions other than those with entries of their own, of resources that hold data or
/// serve traffic; `--yes` skips the confirmation.
fn az_other_delete(invocation: &Invocation<'_>) -> Option<Grade> {
    let positionals = &invocation.positionals;
    let effect = match positionals.as_slice() {
        ["vm", "delete", ..] | ["group", "delete", ..] | ["aks", "delete", ..] => return None,
        ["sql", ..] | ["cosmosdb", ..] | ["storage", ..] => return None,
        ["keyvault", "delete", ..] => "deletes the key vault with its keys and secrets",
        ["disk", "delete", ..] => "deletes the managed disk and its data",
        ["snapshot", "delete", ..] => "deletes the disk snapshot, a backup",
        ["webapp", "delete", ..] | ["functionapp", "delete", ..] => "deletes the app",
        ["network", "vnet", "delete", ..] => "deletes the virtual network",
        ["acr", "delete", ..] => "deletes the container registry and every image in it",
        ["postgres", _, "delete", ..] | ["mysql", _, "delete", ..] => {
            "deletes the database server and its data"
        }
        ["redis", "delete", ..] => "deletes the cache",
        _ => return None,
    };
    Some(Grade::new(None, effect))
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

fn rm_dangerous(invocation: &Invocation<'_>) -> Option<Grade> {
    let args = invocation.args;
    if !rm_recursive(args) {
        return None;
    }
    if has_flag(args, "--no-preserve-root") {
        return Some(Grade::new(
            None,
            "deletes every file on the machine: `--no-preserve-root` turns off the one guard `rm` has",
        ));
    }
    let fanned_out = invocation
        .command
        .wrappers
        .iter()
        .any(|wrapper| wrapper == "xargs" || wrapper == "parallel");
    // Under `xargs -I {}` or `parallel`, `{}` stands for each item of the input.
    let targets: Vec<&Word> = operands(args)
        .into_iter()
        .filter(|word| !(fanned_out && word.text == "{}"))
        .collect();
    // `xargs rm -rf` deletes whatever arrives on standard input.
    if targets.is_empty() {
        let from_input = rm_recursive_forced(args) && fanned_out;
        return from_input.then(|| {
            Grade::new(
                None,
                "deletes recursively whatever paths arrive on its input",
            )
        });
    }
    targets
        .iter()
        .find_map(|word| dangerous_path(word, invocation))
}

/// The non-option arguments: everything after `--`, and words that do not start with `-`.
fn operands(args: &[Word]) -> Vec<&Word> {
    let mut res = Vec::new();
    let mut options_done = false;
    for word in args {
        let text = word.text.as_str();
        if !options_done && text == "--" {
            options_done = true;
        } else if options_done || !(text.starts_with('-') && text.len() > 1) {
            res.push(word);
        }
    }
    res
}

/// Folders directly below `/` that the machine (or its users' data) lives in.
const SYSTEM_FOLDERS: &[&str] = &[
    "/bin",
    "/boot",
    "/dev",
    "/etc",
    "/home",
    "/lib",
    "/lib32",
    "/lib64",
    "/opt",
    "/root",
    "/sbin",
    "/srv",
    "/sys",
    "/usr",
    "/var",
    "/Applications",
    "/Library",
    "/System",
    "/Users",
];

/// Folders of a home that hold keys and credentials nobody can download again.
const SECRET_DOTFOLDERS: &[&str] = &[
    ".ssh",
    ".aws",
    ".kube",
    ".gnupg",
    ".config",
    ".azure",
    ".docker",
    ".password-store",
];

/// Whether the home folder and the work tree are a fresh copy nobody works in: an image
/// build, a CI job, a pod.
fn ephemeral(format: Format) -> bool {
    matches!(
        format,
        Format::Dockerfile
            | Format::GithubActions
            | Format::GitlabCi
            | Format::AzurePipelines
            | Format::Kubernetes
    )
}

/// What deleting `word` recursively destroys, when it is the root, a system folder, a home
/// folder or its credentials, the work tree, or a path that becomes one of those when a
/// leading variable is empty; and, less surely, a folder deeper in the system or the home, or
/// (on a command line) outside the folder the command runs in.
fn dangerous_path(word: &Word, invocation: &Invocation<'_>) -> Option<Grade> {
    dangerous_path_in(word, invocation.format, invocation.command_line)
}

/// Whether an `rm` target is a dangerous path (see `dangerous_path`).
pub(crate) fn is_dangerous_path(word: &Word, format: Format) -> bool {
    dangerous_path_in(word, format, false).is_some()
}

fn dangerous_path_in(word: &Word, format: Format, command_line: bool) -> Option<Grade> {
    // `/tmp/../etc` is `/etc`.
    let normalized = normalize_dots(&word.text);
    let text = normalized.as_deref().unwrap_or(word.text.as_str());
    let trimmed = text.trim_end_matches('/');
    if (trimmed.is_empty() && text.starts_with('/')) || matches!(trimmed, "/*" | "/." | "/.*") {
        return Some(Grade::new(None, "deletes every file on the machine"));
    }
    // Files a script puts in the machine's system and home folders are its own to remove in
    // an image build, a CI job or a Makefile's `uninstall`.
    let installs = ephemeral(format) || format == Format::Makefile;
    if let Some(rest) = home_relative(text) {
        let rest = rest.trim_end_matches('/');
        if matches!(rest, "" | "/*" | "/.*") {
            return Some(Grade::new(None, "deletes the whole home folder"));
        }
        let folder = rest.strip_prefix('/')?;
        if SECRET_DOTFOLDERS.contains(&folder) {
            return (!ephemeral(format)).then(|| {
                Grade::new(None, format!("deletes `~/{folder}` and the keys and credentials in it, which cannot be downloaded again"))
            });
        }
        return home_folder(&format!("~/{folder}"), folder, installs, command_line);
    }
    if let Some(rest) = work_tree_relative(text)
        && matches!(rest.trim_end_matches('/'), "" | "/*" | "/.*")
    {
        return Some(Grade::new(None, "deletes everything in the current folder"));
    }
    let folder = trimmed.strip_suffix("/*").unwrap_or(trimmed);
    if matches!(folder, "/home" | "/root" | "/Users") {
        return Some(Grade::new(
            None,
            format!("deletes `{folder}`, the files of the machine's users"),
        ));
    }
    if SYSTEM_FOLDERS.contains(&folder) {
        return Some(Grade::new(
            None,
            format!("deletes the system folder `{folder}`, which the machine needs to run"),
        ));
    }
    match trimmed {
        "." | "./*" | "*" | ".*" | "./.*" | "**" | "./**" => {
            return Some(Grade::new(None, "deletes everything in the current folder"));
        }
        ".." | "../*" | "../.*" => {
            return Some(Grade::new(None, "deletes everything in the parent folder"));
        }
        ".git" | "./.git" if !ephemeral(format) => {
            return Some(Grade::new(
                None,
                "deletes the repository's history; commits that were not pushed are lost",
            ));
        }
        _ => {}
    }
    if !word.has_expansion && text.starts_with('/') {
        return absolute_folder(folder, installs, command_line);
    }
    if command_line
        && !word.has_expansion
        && let Some(rest) = trimmed.strip_prefix("../")
        && !rest.is_empty()
        && !disposable(rest)
    {
        return Some(Grade::new(
            Some(Severity::Warning),
            format!("deletes `{trimmed}`, outside the folder the command runs in"),
        ));
    }
    let expansion = unguarded_leading_variable(word)?;
    let rest = word.text.get(expansion.text.len()..).unwrap_or("");
    let rest_trimmed = rest.trim_end_matches('/');
    let folder = rest_trimmed.strip_suffix("/*").unwrap_or(rest_trimmed);
    let names = match word.expansions.get(1) {
        Some(second) if rest_trimmed.strip_prefix('/') == Some(second.text.as_str()) => {
            format!("`{}` and `{}` are", expansion.name, second.name)
        }
        _ => format!("`{}` is", expansion.name),
    };
    let effect = if SYSTEM_FOLDERS.contains(&folder) {
        format!("deletes `{folder}` when {names} empty or unset")
    } else {
        format!(
            "deletes every file on the machine when {names} empty or unset, because the path becomes `/`"
        )
    };
    Some(
        Grade::new(None, effect)
            .advice("write the variable as `${VAR:?}` so that an empty value stops the command"),
    )
}

/// An absolute path with its `.` and `..` parts resolved, when it has any.
fn normalize_dots(text: &str) -> Option<String> {
    if !text.starts_with('/') || !text.split('/').any(|part| matches!(part, "." | "..")) {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in text.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let trailing = if text.ends_with('/') && !parts.is_empty() {
        "/"
    } else {
        ""
    };
    Some(format!("/{}{trailing}", parts.join("/")))
}

/// Folders below the system folders that hold a service's data.
const DATA_FOLDERS: &[&str] = &[
    "/var/lib/postgresql",
    "/var/lib/pgsql",
    "/var/lib/mysql",
    "/var/lib/mongodb",
    "/var/lib/redis",
    "/var/lib/docker",
    "/var/lib/containerd",
    "/var/lib/etcd",
    "/var/lib/kubelet",
    "/var/lib/elasticsearch",
    "/var/lib/clickhouse",
    "/var/lib/rabbitmq",
    "/var/lib/jenkins",
    "/var/lib/grafana",
    "/var/lib/prometheus",
    "/var/www",
    "/srv",
    "/opt/homebrew",
];

/// Folders of a home that hold a person's own work.
const PERSONAL_FOLDERS: &[&str] = &[
    "Documents",
    "Desktop",
    "Pictures",
    "Photos",
    "Music",
    "Movies",
    "Videos",
    "Downloads",
    "projects",
    "Projects",
    "src",
    "code",
    "Code",
    "work",
    "repos",
    "git",
    "dev",
    "Developer",
    "workspace",
    "notes",
    "Dropbox",
    "go/src",
    ".local/share",
];

/// Names of folders whose content is downloaded or built again at will: caches, build
/// output, dependencies, temporary files.
fn disposable(path: &str) -> bool {
    path.split('/').any(|part| {
        matches!(
            part,
            ".cache"
                | "cache"
                | "Caches"
                | "caches"
                | "tmp"
                | ".tmp"
                | "temp"
                | "Temp"
                | ".npm"
                | ".yarn"
                | ".pnpm-store"
                | ".m2"
                | ".gradle"
                | ".cargo"
                | ".rustup"
                | ".nvm"
                | ".pyenv"
                | ".bun"
                | ".deno"
                | ".terraform.d"
                | ".terraform"
                | "node_modules"
                | "__pycache__"
                | ".venv"
                | "venv"
                | "target"
                | "build"
                | "dist"
                | "out"
                | "lists"
                | ".Trash"
                | "go-build"
                | "pkg"
                | "DerivedData"
        )
    })
}

/// What deleting `~/folder` destroys (`display` is how the message names it): a person's own
/// work anywhere but in an install, any other folder of the home on a command line.
fn home_folder(display: &str, folder: &str, installs: bool, command_line: bool) -> Option<Grade> {
    if installs || disposable(folder) {
        return None;
    }
    let personal = PERSONAL_FOLDERS
        .iter()
        .any(|personal| folder == *personal || folder.strip_suffix("/*") == Some(personal));
    if personal {
        return Some(Grade::new(
            None,
            format!("deletes `{display}`, a folder of the home that holds a person's own work"),
        ));
    }
    command_line.then(|| {
        Grade::new(
            Some(Severity::Warning),
            format!("deletes `{display}`, a folder of the home outside the work tree"),
        )
    })
}

/// What deleting the absolute path `folder` (not the root, a top system folder or `/home`)
/// destroys.
fn absolute_folder(folder: &str, installs: bool, command_line: bool) -> Option<Grade> {
    let temporary = [
        "/tmp",
        "/var/tmp",
        "/dev/shm",
        "/private/tmp",
        "/private/var/folders",
        "/var/folders",
        "/run/user",
    ]
    .iter()
    .any(|prefix| folder == *prefix || folder.starts_with(&format!("{prefix}/")));
    if temporary || disposable(folder) {
        return None;
    }
    // `/home/NAME`, `/Users/NAME` and `/root` are homes.
    for homes in ["/home/", "/Users/"] {
        if let Some(rest) = folder.strip_prefix(homes) {
            let (user, below) = rest.split_once('/').unwrap_or((rest, ""));
            if below.is_empty() {
                return (!installs).then(|| {
                    Grade::new(
                        None,
                        format!("deletes `{homes}{user}`, the home folder of `{user}`"),
                    )
                });
            }
            return home_folder(folder, below, installs, command_line);
        }
    }
    if let Some(below) = folder.strip_prefix("/root/") {
        return home_folder(folder, below, installs, command_line);
    }
    if let Some(data) = DATA_FOLDERS
        .iter()
        .find(|data| folder == **data || folder.starts_with(&format!("{data}/")))
    {
        return (!installs).then(|| {
            Grade::new(
                None,
                format!(
                    "deletes `{folder}`, where a service on the machine keeps its data (`{data}`)"
                ),
            )
        });
    }
    // Scripts install and remove software in system folders; a command line run in a work
    // tree has no business there.
    if installs || !command_line {
        return None;
    }
    let top = folder.split('/').nth(1).map(|name| format!("/{name}"));
    if top.is_some_and(|top| SYSTEM_FOLDERS.contains(&top.as_str())) {
        return Some(Grade::new(
            Some(Severity::Warning),
            format!("deletes `{folder}`, a system folder outside the work tree"),
        ));
    }
    Some(Grade::new(
        Some(Severity::Warning),
        format!("deletes `{folder}`, outside the work tree"),
    ))
}

/// The part of a path after the current folder written as a variable or a command
/// (`$PWD/*` → `/*`), when it starts there.
fn work_tree_relative(text: &str) -> Option<&str> {
    [
        "${PWD}",
        "$PWD",
        "$(pwd)",
        "`pwd`",
        "$(git rev-parse --show-toplevel)",
    ]
    .iter()
    .find_map(|start| {
        text.strip_prefix(start)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// The part of a path after the home folder (`~/.ssh` → `/.ssh`), when it starts there.
fn home_relative(text: &str) -> Option<&str> {
    ["${HOME}", "$HOME", "~"].iter().find_map(|home| {
        text.strip_prefix(home)
            .filter(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Whether an `rm -rf` target is the root, a system folder, a home folder, the work tree,
/// or starts with a variable that may be empty in front of such a path.
pub fn dangerous_rm_target(word: &Word) -> bool {
    dangerous_path_in(word, Format::Shell, false).is_some()
}

/// The leading parameter expansion of a word that may be empty (not `${X:?}`, `${X:-…}`),
/// when the rest of the word is a dangerous path without it: `"$DIR/"` and `$DIR/*` become
/// `/`, `$PREFIX/etc` becomes `/etc`, while `"$TMPDIR/build"` becomes a harmless `/build`.
pub fn unguarded_leading_variable(word: &Word) -> Option<&redline_syntax::shell::Expansion> {
    if !word.text.starts_with('$') || word.text.starts_with("$(") {
        return None;
    }
    let expansion = word.expansions.first()?;
    let guarded = guarded_expansion(expansion);
    // `"$DIR"` alone deletes nothing when empty.
    // The first expansion is not always at the start: in `"$é ${DIR}/"` the `$` is literal.
    let rest = word.text.strip_prefix(expansion.text.as_str())?;
    if guarded || !rest.starts_with('/') || expansion.name == "HOME" {
        return None;
    }
    let rest_trimmed = rest.trim_end_matches('/');
    let folder = rest_trimmed.strip_suffix("/*").unwrap_or(rest_trimmed);
    // `$A/$B` is `/` when both are empty; `$A/${B:?}` stops first.
    let second_unguarded = word.expansions.get(1).is_some_and(|second| {
        rest_trimmed.strip_prefix('/') == Some(second.text.as_str()) && !guarded_expansion(second)
    });
    let dangerous = matches!(rest_trimmed, "" | "/*" | "/.*")
        || SYSTEM_FOLDERS.contains(&folder)
        || second_unguarded;
    dangerous.then_some(expansion)
}

/// Whether an expansion cannot be empty: `${X:?}`, `${X:-default}`, `${X:=default}`.
fn guarded_expansion(expansion: &redline_syntax::shell::Expansion) -> bool {
    expansion.text.contains(":?")
        || expansion.text.contains(":-")
        || expansion.text.contains(":=")
        || expansion.text.contains('?')
}

/// `find` with `-delete` or `-exec rm` on the root, a system folder, a home folder or the
/// work tree, with no test on names or paths that narrows what it deletes.
fn find_delete_dangerous(invocation: &Invocation<'_>) -> Option<Grade> {
    let args = invocation.args;
    // Options before the starting points (`-L`, `-H`, `-P`, `-O3`, `-D opts`).
    let mut index = 0;
    while let Some(word) = args.get(index) {
        match word.text.as_str() {
            "-H" | "-L" | "-P" => index += 1,
            "-D" => index += 2,
            text if text.starts_with("-O") => index += 1,
            _ => break,
        }
    }
    let rest = args.get(index..).unwrap_or(&[]);
    let roots: Vec<&Word> = rest
        .iter()
        .take_while(|word| {
            let text = word.text.as_str();
            !(text.starts_with('-') || text == "(" || text == "!")
        })
        .collect();
    let expression = &rest[roots.len()..];
    let deletes = expression.iter().enumerate().any(|(position, word)| {
        word.text == "-delete"
            || (matches!(word.text.as_str(), "-exec" | "-execdir" | "-ok" | "-okdir")
                && expression
                    .get(position + 1)
                    .is_some_and(|next| program_name(&next.text) == "rm"))
    });
    let narrowed = expression.iter().any(|word| {
        matches!(
            word.text.as_str(),
            "-name"
                | "-iname"
                | "-path"
                | "-ipath"
                | "-wholename"
                | "-iwholename"
                | "-regex"
                | "-iregex"
                | "-lname"
                | "-ilname"
                | "-empty"
                | "-samefile"
                | "-inum"
        )
    });
    if !deletes || narrowed {
        return None;
    }
    if roots.is_empty() {
        // GNU find starts from `.` when no starting point is given.
        return Some(Grade::new(None, "deletes everything in the current folder"));
    }
    roots
        .iter()
        .find_map(|word| dangerous_path(word, invocation))
}

/// Whether a branch is one a team shares: the default branch, `develop`, release branches.
fn protected_branch(name: &str) -> bool {
    let name = name.strip_prefix("refs/heads/").unwrap_or(name);
    matches!(name, "main" | "master" | "trunk" | "develop") || name.starts_with("release")
}

/// The remote ref a refspec updates: `+HEAD:main` → `main`.
fn refspec_target(refspec: &str) -> &str {
    let refspec = refspec.trim_start_matches('+');
    refspec.rsplit(':').next().unwrap_or(refspec)
}

fn git_push(invocation: &Invocation<'_>) -> Option<Grade> {
    let args = invocation.args;
    // `push <remote> <refspec>…`
    let refspecs: Vec<&str> = invocation.positionals.iter().skip(2).copied().collect();
    let protected = refspecs
        .iter()
        .any(|refspec| protected_branch(refspec_target(refspec)));
    let severity = if protected {
        Severity::Error
    } else {
        Severity::Warning
    };
    if has_flag(args, "--mirror") {
        return Some(
            Grade::new(
                Some(Severity::Error),
                "makes the remote a copy of this repository: every remote branch and tag missing here is deleted, and the others are overwritten",
            )
            .advice("push the branches you mean by name"),
        );
    }
    let deleted: Vec<&str> = if has_flag(args, "--delete") || has_flag(args, "-d") {
        refspecs.clone()
    } else {
        refspecs
            .iter()
            .filter_map(|refspec| refspec.strip_prefix(':'))
            .filter(|name| !name.is_empty())
            .collect()
    };
    if let Some(first) = deleted.first() {
        let severity = if deleted.iter().any(|name| protected_branch(name)) {
            Severity::Error
        } else {
            Severity::Warning
        };
        return Some(
            Grade::new(
                Some(severity),
                format!("deletes `{first}` on the remote; commits that only it holds are lost for everyone without a copy"),
            )
            .advice("delete branches in the hosting service, where branch protection and restore apply"),
        );
    }
    let with_lease = args.iter().any(|word| {
        word.text.starts_with("--force-with-lease") || word.text.starts_with("--force-if-includes")
    });
    let forced = has_flag(args, "--force") || has_flag(args, "-f");
    let plus_refspec = refspecs.iter().any(|refspec| refspec.starts_with('+'));
    if (forced && !with_lease) || plus_refspec {
        return Some(Grade::new(
            Some(severity),
            "overwrites the remote branch's history; commits others pushed are lost",
        ));
    }
    // With a lease, rewriting a feature branch after a rebase is ordinary; rewriting a shared
    // branch still cuts off every clone.
    (with_lease && protected).then(|| {
        Grade::new(
            Some(Severity::Warning),
            "rewrites the history of a shared branch; every clone and open pull request is cut off from it",
        )
        .advice("merge a pull request instead of rewriting a shared branch")
    })
}

/// How much discarding local, uncommitted work matters where the command runs: an image
/// build has nothing uncommitted, a CI job or pod has a fresh checkout that a previous step
/// may still need, and anywhere else the work may be someone's.
fn local_work_severity(format: Format) -> Option<Severity> {
    match format {
        Format::Dockerfile => None,
        Format::GithubActions | Format::GitlabCi | Format::AzurePipelines | Format::Kubernetes => {
            Some(Severity::Warning)
        }
        _ => Some(Severity::Error),
    }
}

/// Whether a path operand after the sub-command names the whole work tree.
fn names_whole_tree(invocation: &Invocation<'_>) -> bool {
    invocation
        .positionals
        .iter()
        .skip(1)
        .any(|path| whole_tree(path))
}

/// Pathspecs that name the whole work tree.
fn whole_tree(pathspec: &str) -> bool {
    matches!(pathspec, "." | "./" | "*" | ":/" | ":(top)" | ":/*")
}

fn git_reset_hard(invocation: &Invocation<'_>) -> Option<Grade> {
    if !has_flag(invocation.args, "--hard") {
        return None;
    }
    let severity = local_work_severity(invocation.format)?;
    Some(Grade::local(
        severity,
        "discards every uncommitted change in the work tree and the index; nothing can restore them",
    ))
}

fn git_checkout_discard(invocation: &Invocation<'_>) -> Option<Grade> {
    // `checkout -f` switches (or stays) and throws away local changes on the way.
    if has_flag(invocation.args, "-f") || has_flag(invocation.args, "--force") {
        let severity = local_work_severity(invocation.format)?;
        return Some(Grade::local(
            severity,
            "throws away every local change to tracked files while it checks out; nothing can restore them",
        ));
    }
    if !names_whole_tree(invocation) {
        return None;
    }
    let severity = local_work_severity(invocation.format)?;
    Some(Grade::local(
        severity,
        "overwrites every file of the work tree, discarding all unstaged changes; nothing can restore them",
    ))
}

fn git_restore_discard(invocation: &Invocation<'_>) -> Option<Grade> {
    let args = invocation.args;
    let staged_only = (has_flag(args, "--staged") || has_flag(args, "-S"))
        && !(has_flag(args, "--worktree") || has_flag(args, "-W"));
    if staged_only || !names_whole_tree(invocation) {
        return None;
    }
    let severity = local_work_severity(invocation.format)?;
    Some(Grade::local(
        severity,
        "discards every unstaged change in the work tree; nothing can restore them",
    ))
}

fn git_clean_forced(invocation: &Invocation<'_>) -> Option<Grade> {
    let args = invocation.args;
    let forced = has_flag(args, "-f") || has_flag(args, "--force");
    let dry_run = ["-n", "--dry-run", "-i", "--interactive"]
        .iter()
        .any(|flag| has_flag(args, flag));
    // `git clean -fd build/` deletes only below the paths it is given.
    let scoped = invocation
        .positionals
        .iter()
        .skip(1)
        .any(|path| !whole_tree(path));
    if !forced || dry_run || scoped {
        return None;
    }
    let severity = local_work_severity(invocation.format)?;
    // Deleting only ignored files is what a Makefile's `clean` target is for: build output is
    // ignored, and someone typed `make clean` on purpose. Elsewhere it stays a warning, since
    // `.env` files are ignored too.
    let only_ignored = has_flag(args, "-X") && !has_flag(args, "-x");
    if only_ignored && invocation.format == Format::Makefile {
        return None;
    }
    let severity = if only_ignored {
        severity.min(Severity::Warning)
    } else {
        severity
    };
    let effect = if has_flag(args, "-x") {
        "deletes every untracked and ignored file in the work tree, `.env` files and local settings included; files never committed cannot be restored"
    } else if has_flag(args, "-X") {
        "deletes every ignored file in the work tree, `.env` files and local settings included; files never committed cannot be restored"
    } else {
        "deletes every untracked file in the work tree; files never committed cannot be restored"
    };
    Some(Grade::local(severity, effect))
}

fn git_stash_delete(invocation: &Invocation<'_>) -> Option<Grade> {
    let severity = local_work_severity(invocation.format)?;
    match invocation.positionals.get(1).copied() {
        Some("clear") => Some(Grade::local(
            severity,
            "deletes every stash; the stashed changes can no longer be listed or applied",
        )),
        Some("drop") => Some(
            Grade::local(
                Severity::Warning,
                "deletes a stash; only its commit hash, printed once, can bring it back before the next `git gc`",
            )
            .advice("look at it with `git stash show -p` first, or apply it with `git stash pop`"),
        ),
        _ => None,
    }
}

fn git_branch_force_delete(invocation: &Invocation<'_>) -> Option<Grade> {
    let args = invocation.args;
    let force_delete = has_flag(args, "-D")
        || ((has_flag(args, "-d") || has_flag(args, "--delete"))
            && (has_flag(args, "-f") || has_flag(args, "--force")));
    if !force_delete {
        return None;
    }
    let severity = local_work_severity(invocation.format)?;
    let branches: Vec<&str> = invocation.positionals.iter().skip(1).copied().collect();
    let first = branches.first()?;
    let severity = if branches.iter().any(|name| protected_branch(name)) {
        severity
    } else {
        Severity::Warning
    };
    Some(Grade::local(
        severity,
        format!("deletes the branch `{first}` even when its commits are merged nowhere else"),
    ))
}

fn git_worktree_force_remove(invocation: &Invocation<'_>) -> Option<Grade> {
    let args = invocation.args;
    let forced = has_flag(args, "--force") || has_flag(args, "-f");
    if !forced || invocation.positionals.get(1) != Some(&"remove") {
        return None;
    }
    let severity = local_work_severity(invocation.format)?;
    Some(Grade::local(
        severity,
        "deletes the worktree with its uncommitted changes and untracked files",
    ))
}

fn git_reflog_expire_now(invocation: &Invocation<'_>) -> Option<Grade> {
    let now = invocation.args.iter().any(|word| {
        ["--expire=", "--expire-unreachable="].iter().any(|flag| {
            word.text
                .strip_prefix(flag)
                .is_some_and(|value| matches!(value, "now" | "all"))
        })
    });
    if !now {
        return None;
    }
    let severity = local_work_severity(invocation.format)?;
    Some(Grade::local(
        severity,
        "deletes the reflog, the record that undoes a `reset --hard`, a rebase or a deleted branch",
    ))
}

fn git_gc_prune_now(invocation: &Invocation<'_>) -> Option<Grade> {
    let now = invocation
        .args
        .iter()
        .any(|word| matches!(word.text.as_str(), "--prune=now" | "--prune=all"));
    if !now {
        return None;
    }
    local_work_severity(invocation.format)?;
    Some(Grade::local(
        Severity::Warning,
        "deletes every unreachable object at once, dropped stashes and commits of deleted branches included",
    ))
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
    // `echo 'DROP TABLE t;' | psql`, here-documents and here-strings.
    if let Some(input) = &invocation.command.input {
        res.push(input);
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
    let input = invocation.command.input.as_deref().unwrap_or("");
    invocation
        .positionals
        .iter()
        .copied()
        .chain(input.split_whitespace())
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

/// Whether a positional argument is a block device (not `/dev/null` and its kind).
fn names_device(invocation: &Invocation<'_>) -> bool {
    invocation.positionals.iter().any(|target| {
        target.starts_with("/dev/")
            && !matches!(
                *target,
                "/dev/null"
                    | "/dev/zero"
                    | "/dev/stdout"
                    | "/dev/stderr"
                    | "/dev/urandom"
                    | "/dev/random"
            )
    })
}

/// For programs whose only job is to erase devices (`mkfs`, `blkdiscard`): a device, or a
/// target only known at run time. A literal file (`disk.img`) is an image being built.
fn device_or_unknown(invocation: &Invocation<'_>) -> bool {
    names_device(invocation)
        || invocation
            .positionals
            .last()
            .is_some_and(|target| target.starts_with('$') && !image_file(target))
}

/// Whether a path names a disk image rather than a device (`"$OUT/rootfs.img"`).
fn image_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    [
        ".img", ".iso", ".raw", ".qcow2", ".vhd", ".vhdx", ".vmdk", ".bin", ".fs", ".ext4",
    ]
    .iter()
    .any(|extension| name.ends_with(extension))
}

fn wipefs_device(invocation: &Invocation<'_>) -> bool {
    let erases = ["-a", "--all", "-o", "--offset"]
        .iter()
        .any(|flag| has_flag(invocation.args, flag));
    erases && device_or_unknown(invocation)
}

/// `docker|podman system prune -a` without `--volumes` (volumes are RL-SH-017's).
fn prune_all(invocation: &Invocation<'_>) -> bool {
    let args = invocation.args;
    (has_flag(args, "-a") || has_flag(args, "--all")) && !has_flag(args, "--volumes")
}

/// `docker rm -f $(docker ps -aq)` and `podman rm -af`: every container, running ones too.
fn remove_all_containers(invocation: &Invocation<'_>) -> bool {
    let args = invocation.args;
    let forced = has_flag(args, "-f") || has_flag(args, "--force");
    let all = has_flag(args, "--all")
        || (invocation.program == "podman" && has_flag(args, "-a"))
        // Not positionals: for `docker`, `-f` takes a value (`docker -f compose.yaml`).
        || args.iter().any(|word| {
            let word = word.text.replace("container ls", "ps");
            word.contains(" ps ")
                && [" -a", " --all", " -qa", " -aq"]
                    .iter()
                    .any(|flag| word.contains(flag))
        });
    forced && all
}

/// `mongosh --eval` JavaScript that drops a database or collection or empties one.
fn mongo_destructive(invocation: &Invocation<'_>) -> bool {
    let args = invocation.args;
    args.iter().enumerate().any(|(index, word)| {
        let script = if word.text == "--eval" {
            args.get(index + 1).map(|value| value.text.as_str())
        } else {
            word.text.strip_prefix("--eval=")
        };
        script.is_some_and(|script| {
            let compact: String = script.split_whitespace().collect();
            compact.contains(".dropDatabase(")
                || compact.contains(".drop()")
                || compact.contains(".deleteMany({})")
                || compact.contains(".remove({})")
        })
    })
}

/// `curl -X DELETE` of a whole Elasticsearch or OpenSearch index, data stream, or of every
/// index.
///
/// A `DELETE` on an arbitrary HTTP API removes one resource the URL names, which is the API's
/// ordinary use, so it is not flagged.
fn search_index_delete(invocation: &Invocation<'_>) -> Option<Grade> {
    let args = invocation.args;
    let deletes = args.iter().enumerate().any(|(index, word)| {
        let text = word.text.as_str();
        let value = match text {
            "-X" | "--request" => args.get(index + 1).map(|value| value.text.as_str()),
            _ => text
                .strip_prefix("--request=")
                .or_else(|| text.strip_prefix("-X")),
        };
        value.is_some_and(|method| method.eq_ignore_ascii_case("DELETE"))
    });
    if !deletes {
        return None;
    }
    args.iter().find_map(|word| {
        let (search_like, path) = search_url(word)?;
        let segments: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
        match segments.as_slice() {
            ["_all"] | ["*"] => Some(Grade::new(
                None,
                "deletes every index of the cluster and every document in them",
            )),
            ["_data_stream", name] => Some(Grade::new(
                None,
                format!("deletes the data stream `{name}` and every document in it"),
            )),
            [index] if search_like && !index.starts_with('_') => Some(Grade::new(
                None,
                format!("deletes the index `{index}` and every document in it"),
            )),
            _ => None,
        }
    })
}

/// Whether a URL word points at a search cluster (port 9200, a host or variable named after
/// Elasticsearch or OpenSearch), and its path without the query.
fn search_url(word: &Word) -> Option<(bool, &str)> {
    let text = word.text.as_str();
    let (authority, path) = if let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    {
        rest.split_once('/').unwrap_or((rest, ""))
    } else if let Some(expansion) = word.expansions.first().filter(|_| text.starts_with('$')) {
        let rest = text.get(expansion.text.len()..)?;
        (expansion.name.as_str(), rest)
    } else if text.contains(":9200/") {
        text.split_once('/')?
    } else {
        return None;
    };
    let authority = authority.to_ascii_lowercase();
    let search_like = ["elastic", "opensearch", ":9200", ":9243"]
        .iter()
        .any(|marker| authority.contains(marker))
        || authority
            .split(['.', '-', '_', ':', '@'])
            .any(|label| matches!(label, "es" | "search"));
    let path = path.split(['?', '#']).next().unwrap_or(path);
    Some((search_like, path))
}

fn supabase_db_reset(invocation: &Invocation<'_>) -> Option<Grade> {
    let remote = ["--linked", "--db-url"]
        .iter()
        .any(|flag| has_flag(invocation.args, flag));
    Some(if remote {
        Grade::new(
            None,
            "drops every table of the remote database and recreates it from the migrations; its data is gone",
        )
    } else {
        Grade::new(
            Some(Severity::Warning),
            "drops the local database and recreates it from the migrations; local data is gone",
        )
    })
}

fn firestore_wide_delete(invocation: &Invocation<'_>) -> bool {
    ["--all-collections", "-r", "--recursive"]
        .iter()
        .any(|flag| has_flag(invocation.args, flag))
}

/// `firebase <x>:delete` other than Firestore's, which deletes data (RL-SH-008).
fn firebase_delete(invocation: &Invocation<'_>) -> bool {
    invocation
        .positionals
        .first()
        .is_some_and(|command| command.ends_with(":delete") && !command.starts_with("firestore:"))
}

fn gh_repo_delete(invocation: &Invocation<'_>) -> Option<Grade> {
    let effect = if has_flag(invocation.args, "--yes") || has_flag(invocation.args, "-y") {
        "deletes the GitHub repository with its issues, pull requests, releases and wiki, and `--yes` skips typing its name"
    } else {
        "deletes the GitHub repository with its issues, pull requests, releases and wiki"
    };
    Some(Grade::new(None, effect))
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

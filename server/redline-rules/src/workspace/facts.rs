//! What one file tells about the path from a change to production: who can act, what gates
//! stand in the way, and which credentials reach how far.
//!
//! Facts are small owned values (names, ranges, a prepared edit), never parse trees, so that a
//! front-end can keep those of every file of a repository and join them (see `join`).

use redline_diagnostics::Edit;
use redline_syntax::cloudformation::resources;
use redline_syntax::embedded::yaml_script;
use redline_syntax::iam_policy::{Policy, PolicyKind, Statement, Values};
use redline_syntax::shell::program_name;
use redline_syntax::value::Node;
use redline_syntax::{Format, Language, SourceFile};
use redline_text::TextRange;

use super::mcp;
use crate::edit::insert_first_entry;
use crate::github_actions::{deploy_in_job, triggers};
use crate::gitlab_ci::deploy_without_manual_gate::{Gate, ungated};
use crate::iam::admin_managed_policy::attachments;
use crate::kubernetes::{argocd_app_spec, kind, objects, targets_production, true_entry};
use crate::shell::catalog::has_flag;
use crate::terraform::{reference, string_shape};

/// One piece of evidence, at a place of its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    /// Where the evidence is written.
    pub range: TextRange,
    /// What it says.
    pub kind: FactKind,
}

/// The kinds of evidence.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FactKind {
    /// An agent configuration that lets the agent run deploy or destroy commands without asking.
    AgentUnattended(AgentUnattended),
    /// A GitHub Actions job that deploys or runs an agent.
    CiJob(CiJob),
    /// An AWS IAM role declared here.
    Role(Role),
    /// A role trust policy for GitHub's OIDC provider.
    GithubTrust(GithubTrust),
    /// Administrator-class permissions given to a role.
    AdminGrant(AdminGrant),
    /// GitOps automation that syncs and prunes a production destination with no human step.
    AutoPrune(AutoPrune),
    /// `cluster-admin` bound to a service account.
    ClusterAdmin(ClusterAdmin),
    /// An agent's MCP server that can change a cloud.
    McpServer(McpServer),
    /// Claude Code settings that let the agent call an MCP server's tools without asking.
    McpApproval(McpApproval),
    /// A GitLab CI job that deploys with no blocking manual gate.
    GitlabJob(GitlabJob),
}

/// A coding agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Agent {
    /// Anthropic's Claude Code.
    Claude,
    /// OpenAI's Codex CLI.
    Codex,
    /// Google's Gemini CLI.
    Gemini,
    /// Aider.
    Aider,
}

impl Agent {
    /// The agent's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Agent::Claude => "Claude Code",
            Agent::Codex => "Codex",
            Agent::Gemini => "Gemini CLI",
            Agent::Aider => "Aider",
        }
    }
}

/// See [`FactKind::AgentUnattended`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentUnattended {
    /// The agent the configuration belongs to.
    pub agent: Agent,
    /// What lets it act unattended, as written (`Bash(terraform:*)`).
    pub what: String,
    /// Edits that put deploy and destroy commands under `ask` (and turn off bypass mode),
    /// when the configuration can take them.
    pub fix: Vec<Edit>,
}

/// See [`FactKind::CiJob`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiJob {
    /// The job's id.
    pub name: String,
    /// The first deploying command or action of the job.
    pub deploys: Option<String>,
    /// The coding agent the job runs, if any.
    pub agent: Option<AgentRun>,
    /// Whether a push starts the workflow.
    pub on_push: bool,
    /// Whether the job names an `environment:`, whose reviewers can gate it.
    pub environment: bool,
    /// The AWS role the job assumes with `aws-actions/configure-aws-credentials`.
    pub role: Option<AssumedRole>,
    /// The edit that adds `environment: production` to the job.
    pub environment_fix: Option<Edit>,
}

/// A coding agent run by a CI job.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentRun {
    /// Which agent.
    pub agent: Agent,
    /// The switch that lets it run any command without asking, as written, if the job gives
    /// one.
    pub unattended: Option<String>,
}

/// The role a CI job assumes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssumedRole {
    /// The role's name, when the ARN is written out; `None` for an expression
    /// (`${{ secrets.ROLE_ARN }}`).
    pub name: Option<String>,
}

/// See [`FactKind::Role`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Role {
    /// Its Terraform address (`aws_iam_role.deploy`) or CloudFormation logical id.
    pub address: String,
    /// Its name, when written out.
    pub name: Option<String>,
    /// The owner of its trust policy: its own address for an inline policy, or the
    /// `data.aws_iam_policy_document.…` it reads.
    pub trust: Option<String>,
}

/// See [`FactKind::GithubTrust`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GithubTrust {
    /// The owner of the policy: a role's address, or a policy document's.
    pub owner: String,
    /// Whether a condition on `token.actions.githubusercontent.com:sub` names the repository.
    pub restricts_subject: bool,
}

/// How a grant names its role.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum RoleRef {
    /// By Terraform address or CloudFormation logical id.
    Address(String),
    /// By role name.
    Name(String),
}

/// See [`FactKind::AdminGrant`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AdminGrant {
    /// The role that gets it.
    pub role: RoleRef,
    /// What is granted, in words (`AdministratorAccess`).
    pub what: String,
}

/// A GitOps controller.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Controller {
    /// Argo CD.
    ArgoCd,
    /// Flux.
    Flux,
}

impl Controller {
    /// The controller's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Controller::ArgoCd => "Argo CD",
            Controller::Flux => "Flux",
        }
    }

    /// The service accounts that apply what the controller syncs.
    fn service_accounts(self) -> &'static [&'static str] {
        match self {
            Controller::ArgoCd => &["argocd-application-controller"],
            Controller::Flux => &["kustomize-controller", "helm-controller"],
        }
    }
}

/// See [`FactKind::AutoPrune`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutoPrune {
    /// Which controller syncs it.
    pub controller: Controller,
    /// The object, for messages (`Application prod-api`).
    pub object: String,
    /// The edit that sets `prune: false`.
    pub fix: Option<Edit>,
}

/// See [`FactKind::ClusterAdmin`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClusterAdmin {
    /// The service account's name.
    pub service_account: String,
    /// The binding, for messages.
    pub binding: String,
}

/// See [`FactKind::McpServer`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct McpServer {
    /// The agent that starts it, for messages (`Gemini CLI`).
    pub client: &'static str,
    /// Its name in the configuration (`aws`).
    pub name: String,
    /// The package or image it starts, as written (`awslabs.aws-api-mcp-server`).
    pub package: String,
    /// What its tools change, for messages (`AWS`).
    pub cloud: &'static str,
    /// How to start it read-only, in words, when it has such a setting.
    pub read_only: Option<String>,
    /// What in the same file lets the agent call its tools without asking.
    pub approval: Option<InFileApproval>,
    /// For a Claude Code project server (`.mcp.json`), the project folder, whose
    /// `.claude/settings.json` may approve its tools.
    pub claude_project: Option<String>,
    /// The cloud keys written out in its `env`, in source order.
    pub keys: Vec<StaticKey>,
}

/// A setting next to an MCP server that lets the agent call its tools without asking.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InFileApproval {
    /// Where it is written.
    pub range: TextRange,
    /// What it is, as written (`"trust": true`).
    pub what: String,
    /// The edit that makes the agent ask again.
    pub fix: Option<Edit>,
}

/// A cloud key written out in an MCP server's `env`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StaticKey {
    /// The value.
    pub range: TextRange,
    /// The variable (`AWS_SECRET_ACCESS_KEY`).
    pub variable: String,
    /// Whether the value is a secret that gives the holder the key's permissions (an access
    /// key id alone gives nothing).
    pub secret: bool,
    /// The edit that reads it from the environment instead, where the client can.
    pub fix: Option<Edit>,
}

/// See [`FactKind::McpApproval`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct McpApproval {
    /// The server whose every tool is allowed; `None` for bypass mode, which allows all.
    pub server: Option<String>,
    /// For bypass mode, the servers an `ask` or `deny` rule still covers.
    pub reviewed: Vec<String>,
    /// What allows them, as written (`mcp__aws`).
    pub what: String,
    /// Edits that make the agent ask before calling the server's tools.
    pub fix: Vec<Edit>,
}

/// See [`FactKind::GitlabJob`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitlabJob {
    /// The job's name.
    pub name: String,
    /// What it deploys, in words (`runs `terraform apply``).
    pub deploys: String,
    /// Whether it has a job-level `when: manual` that is optional (`allow_failure` is true).
    pub optional_gate: bool,
    /// The AWS role it assumes, when its ARN is written out.
    pub role: Option<AssumedRole>,
    /// How the job names the role, for messages (`ROLE_ARN`).
    pub role_source: String,
    /// Edits that add a blocking manual gate (RL-GLC-101's fix), when the job can take them.
    pub gate_fix: Vec<Edit>,
}

impl Controller {
    /// Whether `service_account` applies what this controller syncs.
    pub fn applies_with(self, service_account: &str) -> bool {
        self.service_accounts().contains(&service_account)
    }
}

/// Words one of which a file must hold to name an actor: an agent's permissions, a job's
/// assumed role (a job that assumes none has no credentials to join), GitOps pruning.
const ACTOR_NEEDLES: &[&str] = &[
    "approval_policy",
    "role-to-assume",
    "prune: true",
    "\"prune\": true",
    "mcpServers",
    "mcp_servers",
    "ROLE_ARN",
    "--role-arn",
];

/// Words one of which a file must hold to carry a link other than an actor: roles, their trust
/// and their grants, `cluster-admin` bindings.
const LINK_NEEDLES: &[&str] = &[
    "aws_iam_role",
    "AWS::IAM::Role",
    "token.actions.githubusercontent.com",
    "cluster-admin",
];

/// Whether a file may name an actor: a cheap test on its path and text, so that front-ends
/// parse the files that can only hold other links only for repositories that have an actor.
pub fn may_hold_actor(path: &str, text: &str) -> bool {
    let claude = path.replace('\\', "/").contains(".claude/") && text.contains("permissions");
    claude || ACTOR_NEEDLES.iter().any(|needle| text.contains(needle))
}

/// Whether a file may hold facts at all: an actor, or another link.
pub fn may_have_facts(path: &str, text: &str) -> bool {
    may_hold_actor(path, text) || LINK_NEEDLES.iter().any(|needle| text.contains(needle))
}

/// The facts of one parsed file, in source order.
pub fn file_facts(file: &SourceFile<'_>) -> Vec<Fact> {
    if !may_have_facts(file.path, &file.text) {
        return Vec::new();
    }

    let mut res = Vec::new();
    match file.format {
        Format::AgentConfig => {
            agent_config_facts(file, &mut res);
            mcp::server_facts(file, &mut res);
        }
        Format::GitlabCi => gitlab_facts(file, &mut res),
        Format::GithubActions => workflow_facts(file, &mut res),
        Format::Terraform => {
            terraform_role_facts(file, &mut res);
            trust_facts(file, &mut res);
            admin_facts(file, &mut res);
        }
        Format::CloudFormation => {
            cloudformation_role_facts(file, &mut res);
            trust_facts(file, &mut res);
            admin_facts(file, &mut res);
        }
        Format::IamPolicy => {}
        Format::Kubernetes => kubernetes_facts(file, &mut res),
        _ => {}
    }
    res.sort_by_key(|fact| (fact.range.start(), fact.range.end()));
    res
}

/// Infrastructure command-line tools whose every subcommand an allow rule may open.
const DEPLOY_CLIS: &[&str] = &[
    "terraform",
    "tofu",
    "terragrunt",
    "kubectl",
    "helm",
    "aws",
    "gcloud",
    "az",
    "pulumi",
    "cdk",
    "sam",
    "serverless",
    "sls",
];

/// Programs that run any command given to them.
const INTERPRETERS: &[&str] = &["sh", "bash", "zsh", "python", "python3", "node", "eval"];

/// The deploy and destroy commands the fix puts under `ask`.
const ASK_RULES: &[&str] = &[
    "Bash(terraform apply:*)",
    "Bash(terraform destroy:*)",
    "Bash(kubectl apply:*)",
    "Bash(kubectl delete:*)",
    "Bash(helm upgrade:*)",
    "Bash(helm uninstall:*)",
];

fn agent_config_facts(file: &SourceFile<'_>, res: &mut Vec<Fact>) {
    let is_claude = file.path.replace('\\', "/").contains(".claude/");
    if file.language == Language::Json && is_claude {
        for document in &file.documents {
            claude_settings_facts(file, document, res);
        }
    }
    if file.language == Language::Toml {
        for document in &file.documents {
            codex_config_facts(document, res);
        }
    }
}

fn claude_settings_facts(file: &SourceFile<'_>, document: &Node, res: &mut Vec<Fact>) {
    let Some(permissions) = document.get("permissions") else {
        return;
    };
    // A guard hook before every tool call is a gate of its own.
    if document
        .get("hooks")
        .and_then(|hooks| hooks.get("PreToolUse"))
        .is_some()
    {
        return;
    }
    mcp::claude_approval_facts(file, permissions, res);
    let reviewed = ["ask", "deny"].iter().any(|key| {
        permissions
            .get(key)
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .any(names_deploy_cli)
    });
    if reviewed {
        return;
    }
    let bypass = permissions
        .get("defaultMode")
        .filter(|mode| mode.as_str() == Some("bypassPermissions"));
    let open = permissions
        .get("allow")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .find(|entry| entry.as_str().is_some_and(opens_deploys));
    let (range, what) = match (bypass, open) {
        (Some(mode), _) => (
            mode.range,
            "\"defaultMode\": \"bypassPermissions\"".to_owned(),
        ),
        (None, Some(entry)) => (entry.range, entry.as_str().unwrap_or_default().to_owned()),
        (None, None) => return,
    };
    let mut fix = Vec::new();
    if let Some(mode) = bypass {
        fix.push(Edit::replace(mode.range, "\"default\""));
    }
    let quoted: Vec<String> = ASK_RULES.iter().map(|rule| format!("\"{rule}\"")).collect();
    match permissions.get("ask") {
        Some(ask) => match ask.items().first() {
            Some(first) => fix.push(Edit::insert(
                first.range.start(),
                format!("{}, ", quoted.join(", ")),
            )),
            None => fix.clear(),
        },
        None => match insert_first_entry(
            &file.text,
            Language::Json,
            permissions,
            "ask",
            &format!("[{}]", quoted.join(", ")),
        ) {
            Some(edit) => fix.push(edit),
            None => fix.clear(),
        },
    }
    res.push(Fact {
        range,
        kind: FactKind::AgentUnattended(AgentUnattended {
            agent: Agent::Claude,
            what,
            fix,
        }),
    });
}

/// Whether a permission rule names an infrastructure command-line tool.
fn names_deploy_cli(rule: &str) -> bool {
    let inner = rule
        .split_once('(')
        .map_or("", |(_, rest)| rest.trim_end_matches(')'));
    inner
        .split([' ', ':'])
        .next()
        .is_some_and(|program| DEPLOY_CLIS.contains(&program_name(program)))
}

/// Whether an allow rule lets the agent run deploy or destroy commands: any shell command, an
/// interpreter with any arguments, or an infrastructure tool with any subcommand.
fn opens_deploys(rule: &str) -> bool {
    let rule = rule.trim();
    let (tool, pattern) = match rule.split_once('(') {
        Some((tool, rest)) => (tool, rest.strip_suffix(')').unwrap_or(rest).trim()),
        None => (rule, "*"),
    };
    if tool != "Bash" {
        return false;
    }
    if matches!(pattern, "" | "*" | ":*" | "**") {
        return true;
    }
    let Some(prefix) = pattern
        .strip_suffix(":*")
        .or_else(|| pattern.strip_suffix(" *"))
        .or_else(|| pattern.strip_suffix('*'))
    else {
        return false;
    };
    let words: Vec<&str> = prefix.split_whitespace().collect();
    match words.as_slice() {
        [program] => {
            let program = program_name(program);
            DEPLOY_CLIS.contains(&program) || INTERPRETERS.contains(&program)
        }
        [program, subcommand] => {
            let program = program_name(program);
            matches!(
                (program, *subcommand),
                ("terraform" | "tofu" | "terragrunt", "apply" | "destroy")
                    | ("kubectl", "apply" | "delete" | "replace" | "patch")
                    | ("helm", "install" | "upgrade" | "uninstall")
                    | ("pulumi", "up" | "destroy")
                    | ("cdk", "deploy" | "destroy")
                    | ("sam", "deploy" | "delete")
            )
        }
        _ => false,
    }
}

fn codex_config_facts(document: &Node, res: &mut Vec<Fact>) {
    let Some(policy) = document
        .get("approval_policy")
        .filter(|policy| policy.as_str() == Some("never"))
    else {
        return;
    };
    let unsandboxed = document
        .get("sandbox_mode")
        .is_some_and(|mode| mode.as_str() == Some("danger-full-access"));
    if !unsandboxed {
        return;
    }
    res.push(Fact {
        range: policy.range,
        kind: FactKind::AgentUnattended(AgentUnattended {
            agent: Agent::Codex,
            what: "approval_policy = \"never\" with sandbox_mode = \"danger-full-access\""
                .to_owned(),
            fix: vec![Edit::replace(policy.range, "\"on-request\"")],
        }),
    });
}

/// Agent actions, by `uses:` prefix.
const AGENT_ACTIONS: &[(&str, Agent)] = &[
    ("anthropics/claude-code-action", Agent::Claude),
    ("anthropics/claude-code-base-action", Agent::Claude),
    ("openai/codex-action", Agent::Codex),
    ("google-github-actions/run-gemini-cli", Agent::Gemini),
];

fn workflow_facts(file: &SourceFile<'_>, res: &mut Vec<Fact>) {
    for document in &file.documents {
        let Some(jobs) = document.get("jobs") else {
            continue;
        };
        let on_push = triggers(document).contains(&"push");
        for job in jobs.entries() {
            let Some(name) = job.key.as_str() else {
                continue;
            };
            let deploys = deploy_in_job(&job.value, &file.text);
            let agent = agent_in_job(&job.value, &file.text);
            if deploys.is_none() && agent.is_none() {
                continue;
            }
            let environment_fix = insert_first_entry(
                &file.text,
                file.language,
                &job.value,
                "environment",
                "production",
            );
            res.push(Fact {
                range: job.key.range,
                kind: FactKind::CiJob(CiJob {
                    name: name.to_owned(),
                    deploys,
                    agent,
                    on_push,
                    environment: job.value.get("environment").is_some(),
                    role: assumed_role(&job.value),
                    environment_fix,
                }),
            });
        }
    }
}

/// The coding agent a job runs, and the switch that lets it run any command unattended.
fn agent_in_job(job: &Node, text: &str) -> Option<AgentRun> {
    let mut res: Option<AgentRun> = None;
    for step in job.get("steps").map(Node::items).unwrap_or_default() {
        let found = match step.get("uses").and_then(Node::as_str) {
            Some(action) => {
                let name = action.to_ascii_lowercase();
                AGENT_ACTIONS
                    .iter()
                    .find(|(prefix, _)| name.starts_with(prefix))
                    .map(|(_, agent)| AgentRun {
                        agent: *agent,
                        unattended: action_switch(step),
                    })
            }
            None => step.get("run").and_then(|run| agent_in_script(run, text)),
        };
        if let Some(found) = found {
            let keep = res
                .as_ref()
                .is_none_or(|kept| kept.unattended.is_none() && found.unattended.is_some());
            if keep {
                res = Some(found);
            }
        }
    }
    res
}

/// The switch of an agent action's inputs that lets the agent run any command unattended.
fn action_switch(step: &Node) -> Option<String> {
    let inputs = step.get("with")?;
    for key in ["claude_args", "allowed_tools", "allowedTools", "codex_args"] {
        let Some(value) = inputs.get(key).and_then(Node::as_str) else {
            continue;
        };
        if let Some(flag) = [
            "--dangerously-skip-permissions",
            "--yolo",
            "--dangerously-bypass-approvals-and-sandbox",
        ]
        .iter()
        .find(|flag| value.contains(**flag))
        {
            return Some((*flag).to_owned());
        }
        if value.contains("bypassPermissions") {
            return Some("--permission-mode bypassPermissions".to_owned());
        }
        let rules = value
            .split([',', '\n', '"', '\''])
            .map(str::trim)
            .map(|rule| rule.trim_start_matches("--allowedTools").trim());
        if let Some(rule) = rules.into_iter().find(|rule| opens_deploys(rule)) {
            return Some(rule.to_owned());
        }
    }
    if inputs.get("sandbox").and_then(Node::as_str) == Some("danger-full-access") {
        return Some("sandbox: danger-full-access".to_owned());
    }
    None
}

/// The coding agent a `run:` script starts, and its unattended switch.
fn agent_in_script(run: &Node, text: &str) -> Option<AgentRun> {
    let (script, map) = yaml_script(run, text)?;
    let mut res: Option<AgentRun> = None;
    for command in redline_syntax::shell::commands(&script, &map) {
        let Some(first) = command.words.first() else {
            continue;
        };
        let (agent, switches): (Agent, &[&str]) = match program_name(&first.text) {
            "claude" => (Agent::Claude, &["--dangerously-skip-permissions"]),
            "codex" => (
                Agent::Codex,
                &["--dangerously-bypass-approvals-and-sandbox", "--yolo"],
            ),
            "gemini" => (Agent::Gemini, &["--yolo", "-y", "--approval-mode=yolo"]),
            "aider" => (Agent::Aider, &["--yes-always"]),
            _ => continue,
        };
        let args = &command.words[1..];
        let mut unattended = switches
            .iter()
            .find(|flag| has_flag(args, flag))
            .map(|flag| (*flag).to_owned());
        if agent == Agent::Claude && unattended.is_none() {
            unattended = args.iter().enumerate().find_map(|(index, word)| {
                if word.text == "--permission-mode=bypassPermissions"
                    || (word.text == "--permission-mode"
                        && args.get(index + 1).map(|next| next.text.as_str())
                            == Some("bypassPermissions"))
                {
                    return Some("--permission-mode bypassPermissions".to_owned());
                }
                let tools = matches!(word.text.as_str(), "--allowedTools" | "--allowed-tools");
                let next = args.get(index + 1).filter(|_| tools)?;
                next.text
                    .split([',', ' '])
                    .find(|rule| opens_deploys(rule))
                    .map(str::to_owned)
            });
        }
        let keep = res
            .as_ref()
            .is_none_or(|kept| kept.unattended.is_none() && unattended.is_some());
        if keep {
            res = Some(AgentRun { agent, unattended });
        }
    }
    res
}

/// The role a job assumes with `aws-actions/configure-aws-credentials`.
fn assumed_role(job: &Node) -> Option<AssumedRole> {
    job.get("steps")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .find_map(|step| {
            let action = step.get("uses").and_then(Node::as_str)?;
            if !action
                .to_ascii_lowercase()
                .starts_with("aws-actions/configure-aws-credentials")
            {
                return None;
            }
            let role = step.get("with")?.get("role-to-assume")?;
            let name = role
                .as_str()
                .filter(|arn| !arn.contains("${{"))
                .and_then(role_name_of_arn);
            Some(AssumedRole { name })
        })
}

/// The name of the role an ARN (or a bare name) names: the last part of its path.
fn role_name_of_arn(arn: &str) -> Option<String> {
    let path = match arn.split_once(":role/") {
        Some((_, path)) => path,
        None if !arn.contains(':') => arn,
        None => return None,
    };
    let name = path.rsplit('/').next()?.trim();
    (!name.is_empty()).then(|| name.to_owned())
}

fn terraform_role_facts(file: &SourceFile<'_>, res: &mut Vec<Fact>) {
    for resource in file.terraform().resources() {
        if resource.resource_type != "aws_iam_role" {
            continue;
        }
        let address = resource.address();
        let name = resource
            .attribute("name")
            .and_then(|name| name.value.value.as_str())
            .map(str::to_owned);
        let trust = resource.attribute("assume_role_policy").map(|policy| {
            reference(file, &policy.value)
                .and_then(|traversal| traversal.strip_suffix(".json"))
                .filter(|owner| owner.starts_with("data.aws_iam_policy_document."))
                .map_or_else(|| address.clone(), str::to_owned)
        });
        let range = resource
            .block
            .labels
            .get(1)
            .map_or(resource.block.range, |label| label.range);
        res.push(Fact {
            range,
            kind: FactKind::Role(Role {
                address,
                name,
                trust,
            }),
        });
    }
}

fn cloudformation_role_facts(file: &SourceFile<'_>, res: &mut Vec<Fact>) {
    for document in &file.documents {
        for resource in resources(document) {
            if resource.resource_type() != Some("AWS::IAM::Role") {
                continue;
            }
            let address = resource.logical_id().to_owned();
            res.push(Fact {
                range: resource.entry.key.range,
                kind: FactKind::Role(Role {
                    name: resource
                        .property("RoleName")
                        .and_then(Node::as_str)
                        .map(str::to_owned),
                    trust: Some(address.clone()),
                    address,
                }),
            });
        }
    }
}

const GITHUB_OIDC: &str = "token.actions.githubusercontent.com";

/// Trust statements for GitHub's OIDC provider, in role trust policies and in policy documents
/// (which a role may read as its trust policy).
fn trust_facts(file: &SourceFile<'_>, res: &mut Vec<Fact>) {
    for policy in file.policies() {
        if policy.kind == PolicyKind::Resource || policy.owner.is_empty() {
            continue;
        }
        for statement in policy.allows() {
            let Some(principal) = &statement.principal else {
                continue;
            };
            let Some(entry) = principal.entries.iter().find(|entry| {
                entry.kind == "Federated"
                    && entry.value.value.as_deref().is_some_and(|value| {
                        value.ends_with(&format!("oidc-provider/{GITHUB_OIDC}"))
                    })
            }) else {
                continue;
            };
            res.push(Fact {
                range: entry.value.range,
                kind: FactKind::GithubTrust(GithubTrust {
                    owner: policy.owner.clone(),
                    restricts_subject: restricts_subject(statement),
                }),
            });
        }
    }
}

/// Whether a trust statement's `sub` condition names one repository, or cannot be read (then
/// redline does not claim it is open).
fn restricts_subject(statement: &Statement) -> bool {
    let Some(condition) = &statement.condition else {
        return false;
    };
    if condition.unknown {
        return true;
    }
    let key = format!("{GITHUB_OIDC}:sub");
    let tests: Vec<_> = condition
        .entries
        .iter()
        .filter(|entry| entry.key.eq_ignore_ascii_case(&key))
        .collect();
    !tests.is_empty()
        && tests.iter().all(|test| {
            test.values.unknown
                || test.values.known().all(|(value, _)| {
                    let repository = value
                        .strip_prefix("repo:")
                        .and_then(|rest| rest.split(':').next())
                        .unwrap_or("*");
                    !repository.contains('*') && repository.contains('/')
                })
        })
}

/// Administrator-class grants: AWS-managed administrator policies attached to a role, and
/// inline role policies that allow every action on every resource.
fn admin_facts(file: &SourceFile<'_>, res: &mut Vec<Fact>) {
    for attachment in attachments(file) {
        if attachment.name != "AdministratorAccess" || attachment.condition.is_some() {
            continue;
        }
        let Some(role) = attachment_role(file, &attachment.subject) else {
            continue;
        };
        res.push(Fact {
            range: attachment.range,
            kind: FactKind::AdminGrant(AdminGrant {
                role,
                what: "`AdministratorAccess`".to_owned(),
            }),
        });
    }
    for policy in file.policies() {
        if policy.kind != PolicyKind::Identity {
            continue;
        }
        let Some(star) = policy.allows().find_map(full_admin) else {
            continue;
        };
        let Some(role) = inline_policy_role(file, policy) else {
            continue;
        };
        res.push(Fact {
            range: star,
            kind: FactKind::AdminGrant(AdminGrant {
                role,
                what: "`\"Action\": \"*\"` on `\"Resource\": \"*\"`".to_owned(),
            }),
        });
    }
}

/// The `*` action of a statement that allows every action on every resource.
fn full_admin(statement: &Statement) -> Option<TextRange> {
    let action = statement.action.as_ref().and_then(Values::star)?;
    statement.resource.as_ref().and_then(Values::star)?;
    (!statement.has_condition()).then_some(action.range)
}

/// The role an attaching resource names: the role itself (`managed_policy_arns`,
/// `ManagedPolicyArns`), or the role of a Terraform attachment's `role` argument.
fn attachment_role(file: &SourceFile<'_>, subject: &str) -> Option<RoleRef> {
    if file.format == Format::CloudFormation {
        return Some(RoleRef::Address(subject.to_owned()));
    }
    if subject.starts_with("aws_iam_role.") {
        return Some(RoleRef::Address(subject.to_owned()));
    }
    let (kind, name) = subject.split_once('.')?;
    if !matches!(
        kind,
        "aws_iam_role_policy_attachment" | "aws_iam_role_policy_attachments_exclusive"
    ) {
        return None;
    }
    let model = file.terraform();
    let resource = model
        .resources()
        .find(|resource| resource.resource_type == kind && resource.name == name)?;
    let attribute = resource
        .attribute("role")
        .or_else(|| resource.attribute("role_name"))?;
    terraform_role_ref(file, &attribute.value)
}

/// The role an inline identity policy belongs to.
fn inline_policy_role(file: &SourceFile<'_>, policy: &Policy) -> Option<RoleRef> {
    if file.format == Format::CloudFormation {
        // `Policies` of an `AWS::IAM::Role` are owned by the role.
        return Some(RoleRef::Address(policy.owner.clone()));
    }
    if policy.owner.starts_with("aws_iam_role.") {
        return Some(RoleRef::Address(policy.owner.clone()));
    }
    let (kind, name) = policy.owner.split_once('.')?;
    if kind != "aws_iam_role_policy" {
        return None;
    }
    let model = file.terraform();
    let resource = model
        .resources()
        .find(|resource| resource.resource_type == kind && resource.name == name)?;
    terraform_role_ref(file, &resource.attribute("role")?.value)
}

/// A Terraform `role` argument: `aws_iam_role.x.name` (or `.id`) or a role name.
fn terraform_role_ref(
    file: &SourceFile<'_>,
    value: &redline_syntax::terraform::Expr,
) -> Option<RoleRef> {
    if let Some(name) = value.value.as_str() {
        return Some(RoleRef::Name(name.to_owned()));
    }
    if let Some(traversal) = reference(file, value) {
        let address = traversal
            .strip_suffix(".name")
            .or_else(|| traversal.strip_suffix(".id"))?;
        return address
            .starts_with("aws_iam_role.")
            .then(|| RoleRef::Address(address.to_owned()));
    }
    string_shape(file, value).map(RoleRef::Name)
}

fn kubernetes_facts(file: &SourceFile<'_>, res: &mut Vec<Fact>) {
    for object in objects(file) {
        // An object whose name or namespace is not a plain string (`{{ .ns }}` read as a flow
        // mapping) is a template that code fills in: what it deploys is not written here.
        let metadata = object.get("metadata");
        let templated = ["name", "namespace"].iter().any(|key| {
            metadata
                .and_then(|metadata| metadata.get(key))
                .is_some_and(|value| value.as_str().is_none())
        });
        if templated {
            continue;
        }
        if let Some(spec) = argocd_app_spec(object) {
            argocd_facts(object, spec, res);
            continue;
        }
        if kind(object) == Some("Kustomization")
            && crate::kubernetes::api_group(object) == "kustomize.toolkit.fluxcd.io"
        {
            flux_facts(object, res);
            continue;
        }
        if matches!(kind(object), Some("ClusterRoleBinding")) {
            cluster_admin_facts(object, res);
        }
    }
}

fn argocd_facts(object: &Node, spec: &Node, res: &mut Vec<Fact>) {
    let Some(automated) = spec
        .get("syncPolicy")
        .and_then(|policy| policy.get("automated"))
    else {
        return;
    };
    if automated.get("enabled").and_then(Node::as_bool) == Some(false) {
        return;
    }
    let Some(prune) = true_entry(automated, "prune") else {
        return;
    };
    if !targets_production(object, spec) {
        return;
    }
    res.push(Fact {
        range: prune.value.range,
        kind: FactKind::AutoPrune(AutoPrune {
            controller: Controller::ArgoCd,
            object: crate::kubernetes::describe(object),
            fix: Some(Edit::replace(prune.value.range, "false")),
        }),
    });
}

fn flux_facts(object: &Node, res: &mut Vec<Fact>) {
    let Some(spec) = object.get("spec") else {
        return;
    };
    let Some(prune) = true_entry(spec, "prune") else {
        return;
    };
    if spec.get("suspend").and_then(Node::as_bool) == Some(true) {
        return;
    }
    let name = object
        .get("metadata")
        .and_then(|metadata| metadata.get("name"))
        .and_then(Node::as_str)
        .unwrap_or_default();
    let production = [
        Some(name),
        spec.get("path").and_then(Node::as_str),
        spec.get("targetNamespace").and_then(Node::as_str),
    ]
    .into_iter()
    .flatten()
    .any(crate::looks_like_production);
    if !production {
        return;
    }
    res.push(Fact {
        range: prune.value.range,
        kind: FactKind::AutoPrune(AutoPrune {
            controller: Controller::Flux,
            object: crate::kubernetes::describe(object),
            fix: Some(Edit::replace(prune.value.range, "false")),
        }),
    });
}

fn cluster_admin_facts(object: &Node, res: &mut Vec<Fact>) {
    let Some(role_ref) = object.get("roleRef") else {
        return;
    };
    if role_ref.get("kind").and_then(Node::as_str) != Some("ClusterRole") {
        return;
    }
    let Some(name) = role_ref
        .get("name")
        .filter(|name| name.as_str() == Some("cluster-admin"))
    else {
        return;
    };
    for subject in object.get("subjects").map(Node::items).unwrap_or_default() {
        if subject.get("kind").and_then(Node::as_str) != Some("ServiceAccount") {
            continue;
        }
        let Some(service_account) = subject.get("name").and_then(Node::as_str) else {
            continue;
        };
        res.push(Fact {
            range: name.range,
            kind: FactKind::ClusterAdmin(ClusterAdmin {
                service_account: service_account.to_owned(),
                binding: crate::kubernetes::describe(object),
            }),
        });
    }
}

/// The edit that adds `"key": value` as the first entry of a JSON mapping of `file`.
pub(super) fn insert_entry(
    file: &SourceFile<'_>,
    mapping: &Node,
    key: &str,
    value: &str,
) -> Option<Edit> {
    insert_first_entry(&file.text, file.language, mapping, key, value)
}

/// The variables a GitLab job reads the ARN of the role it assumes from, in GitLab's and
/// AWS's documented OpenID Connect setups.
const GITLAB_ROLE_VARIABLES: &[&str] = &["ROLE_ARN", "AWS_ROLE_ARN"];

/// GitLab CI jobs that deploy with no blocking manual gate, as RL-GLC-101 judges them.
fn gitlab_facts(file: &SourceFile<'_>, res: &mut Vec<Fact>) {
    for document in &file.documents {
        for job in redline_syntax::gitlab_ci::jobs(document) {
            let Some((deploys, gate)) = ungated(&job, &file.text) else {
                continue;
            };
            // A job deploying to a named environment that is not production (review apps,
            // staging) does not change production.
            let environment = job.get("environment").and_then(|environment| {
                environment
                    .as_str()
                    .or_else(|| environment.get("name").and_then(Node::as_str))
            });
            if environment.is_some_and(|name| !crate::looks_like_production(name)) {
                continue;
            }
            let (role, role_source) = gitlab_role(document, &job, &file.text).unzip();
            let gate_fix =
                crate::gitlab_ci::deploy_without_manual_gate::gate_fix(&file.text, &job, gate)
                    .map(|fix| fix.edits().to_vec())
                    .unwrap_or_default();
            res.push(Fact {
                range: job.entry.key.range,
                kind: FactKind::GitlabJob(GitlabJob {
                    name: job.name().to_owned(),
                    deploys,
                    optional_gate: gate == Gate::Optional,
                    role,
                    role_source: role_source.unwrap_or_default(),
                    gate_fix,
                }),
            });
        }
    }
}

/// The role a GitLab job assumes: the ARN in `ROLE_ARN` or `AWS_ROLE_ARN` (of the job, what it
/// extends, or the file's `variables:`), or after `--role-arn` in its scripts, when written out.
fn gitlab_role(
    document: &Node,
    job: &redline_syntax::gitlab_ci::Job<'_>,
    text: &str,
) -> Option<(AssumedRole, String)> {
    for variable in GITLAB_ROLE_VARIABLES {
        let value = job
            .get("variables")
            .and_then(|variables| variables.get(variable))
            .or_else(|| {
                document
                    .get("variables")
                    .and_then(|variables| variables.get(variable))
            })
            .and_then(|value| value.as_str().or_else(|| value.get("value")?.as_str()));
        if let Some(arn) = value {
            let name = (!arn.contains('$'))
                .then(|| role_name_of_arn(arn))
                .flatten();
            return Some((AssumedRole { name }, format!("`{variable}`")));
        }
    }
    for field in redline_syntax::gitlab_ci::SCRIPT_KEYS {
        let Some(value) = job.get_or_default(field) else {
            continue;
        };
        for line in value.one_or_many() {
            let lines: Vec<&Node> = match &line.kind {
                redline_syntax::value::NodeKind::Sequence(items) => items.iter().collect(),
                _ => vec![line],
            };
            for line in lines {
                let Some((script, map)) = yaml_script(line, text) else {
                    continue;
                };
                for command in redline_syntax::shell::commands(&script, &map) {
                    let words = &command.words;
                    let arn = words.iter().enumerate().find_map(|(index, word)| {
                        if let Some(arn) = word.text.strip_prefix("--role-arn=") {
                            return Some(arn.to_owned());
                        }
                        (word.text == "--role-arn")
                            .then(|| words.get(index + 1).map(|next| next.text.clone()))
                            .flatten()
                    });
                    if let Some(arn) = arn {
                        let name = (!arn.contains('$'))
                            .then(|| role_name_of_arn(&arn))
                            .flatten();
                        return Some((AssumedRole { name }, "`--role-arn`".to_owned()));
                    }
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{may_have_facts, may_hold_actor};

    /// The prefilter lets through every file that can name an actor, so that `gate`, `hook`
    /// and `check` parse it.
    #[test]
    fn actor_files_pass_the_prefilter() {
        let mcp = r#"{"mcpServers": {"aws": {"command": "uvx"}}}"#;
        assert!(may_hold_actor(".mcp.json", mcp));
        assert!(may_hold_actor(".gemini/settings.json", mcp));
        assert!(may_hold_actor(".kiro/settings/mcp.json", mcp));
        assert!(may_hold_actor(
            ".codex/config.toml",
            "[mcp_servers.aws]\ncommand = \"uvx\"\n"
        ));
        assert!(may_hold_actor(
            ".claude/settings.json",
            r#"{"permissions": {"allow": ["mcp__aws"]}}"#
        ));
        let gitlab = "variables:\n  ROLE_ARN: arn:aws:iam::1:role/deploy\n";
        assert!(may_hold_actor(".gitlab-ci.yml", gitlab));
        let script = "deploy:\n  script:\n    - aws sts assume-role --role-arn $ARN\n";
        assert!(may_hold_actor(".gitlab-ci.yml", script));
    }

    #[test]
    fn other_files_do_not() {
        assert!(!may_have_facts(
            ".gitlab-ci.yml",
            "deploy:\n  script:\n    - terraform apply\n"
        ));
        assert!(!may_have_facts(".cursor/mcp.json", r#"{"servers": {}}"#));
    }
}

use redline_diagnostics::{Applicability, Category, Confidence, Diagnostic, Edit, Fix, Severity};
use redline_text::TextRange;

use super::facts::{
    AdminGrant, AgentUnattended, AutoPrune, CiJob, ClusterAdmin, FactKind, GithubTrust, GitlabJob,
    McpApproval, McpServer, Role, RoleRef,
};
use super::{FileFacts, WorkspaceFinding};
use crate::{FixAvailability, RuleContext, Status, declare_rule};

declare_rule! {
    /// ## What it flags
    /// A path on which an agent or an unattended job can change production with no second
    /// person approving, joined across the files of one repository.
    /// Each of three links must be present:
    /// 1. **who can act**: a coding agent allowed to run deploy or destroy commands without
    ///    asking (a `.claude/settings.json` with `"defaultMode": "bypassPermissions"` or an
    ///    `allow` rule such as `Bash`, `Bash(terraform:*)` or `Bash(kubectl apply:*)` and no
    ///    `ask`, `deny` or `PreToolUse` hook covering deploy tools; a `.codex/config.toml` with
    ///    `approval_policy = "never"` and `sandbox_mode = "danger-full-access"`; a workflow
    ///    step running `claude`, `codex`, `gemini` or `aider` with
    ///    `--dangerously-skip-permissions`, `--yolo`, `--yes-always` or an allowed-tools list
    ///    that opens the shell), or a GitHub Actions job that deploys on `push`
    ///    (`terraform apply`, `kubectl apply`, `helm upgrade`, a deploy action), or an Argo CD
    ///    `Application` or Flux `Kustomization` that syncs and prunes a production destination
    ///    automatically; or an agent's MCP server that changes a cloud (the AWS Labs API,
    ///    Cloud Control, CloudFormation, Terraform, EKS, ECS and serverless servers, HashiCorp's
    ///    `terraform-mcp-server` with `ENABLE_TF_OPERATIONS`, `mcp-server-kubernetes`,
    ///    `kubernetes-mcp-server`, `@azure/mcp`, `@google-cloud/gcloud-mcp`), unless it is
    ///    started read-only (`READ_OPERATIONS_ONLY`, `--readonly`, `--read-only`,
    ///    `ALLOW_ONLY_READONLY_TOOLS`, or without `--allow-write`/`ALLOW_WRITE`); or a GitLab CI
    ///    job that deploys (as RL-GLC-101 judges it) to production or to no named environment;
    /// 2. **no gate on the way**: the job names no `environment:` (whose required reviewers
    ///    would hold it), or the GitOps controller syncs with `prune: true` on its own; the
    ///    agent may call the MCP server's tools without asking (Gemini CLI `"trust": true`, a
    ///    Kiro `autoApprove` or `alwaysAllow` list naming a changing tool or `*`, Codex
    ///    `approval_policy = "never"`, or, for a `.mcp.json` server, a Claude Code
    ///    `.claude/settings.json` of the same project allowing `mcp__<server>` or
    ///    `mcp__<server>__*`, or in bypass mode, with no `ask` or `deny` rule for the server);
    ///    the GitLab job has no blocking manual gate (`when: manual` with
    ///    `allow_failure: false`, or in `rules:`), as RL-GLC-101 judges it;
    /// 3. **enough power**: the AWS role the job assumes with
    ///    `aws-actions/configure-aws-credentials` (`role-to-assume`), declared in the same
    ///    repository (Terraform `aws_iam_role` or CloudFormation `AWS::IAM::Role`), trusts
    ///    GitHub's OIDC provider without a `token.actions.githubusercontent.com:sub` condition
    ///    naming the repository, or has `AdministratorAccess` or an `Action: "*"` on
    ///    `Resource: "*"` policy; or the GitOps controller's service account
    ///    (`argocd-application-controller`, `kustomize-controller`, `helm-controller`) is bound
    ///    to `cluster-admin`; the MCP server's `env` holds a written-out secret cloud key (a
    ///    40-character `AWS_SECRET_ACCESS_KEY`, an `AZURE_CLIENT_SECRET`, a
    ///    `GOOGLE_APPLICATION_CREDENTIALS` key file), not a `${…}` reference or a placeholder
    ///    (an `AWS_PROFILE` names credentials without showing what they may do, and is no
    ///    link); the role the GitLab job assumes (the ARN in `ROLE_ARN` or `AWS_ROLE_ARN`, or
    ///    after `--role-arn`, written out) has `AdministratorAccess` or an `Action: "*"` on
    ///    `Resource: "*"` policy.
    ///
    /// The job's role is the one whose name `role-to-assume` writes out; when the ARN is an
    /// expression (`${{ secrets.DEPLOY_ROLE }}`), it is the repository's only role that GitHub
    /// Actions can assume, and the finding has medium confidence.
    /// Cursor approves MCP tools in the editor, not in `.cursor/mcp.json`, so its servers are
    /// no actor; nor are servers a client does not read from the repository.
    /// The finding is reported once per repository, on the actor: the agent's configuration
    /// when that is what lets it act unattended (for an MCP server, the setting that approves
    /// its tools), else the workflow or GitLab job, else the GitOps object.
    /// Every link is a related place; other actors that complete a path are listed as further
    /// related places.
    /// A missing link (a job with `environment:`, a `sub` condition and no administrator
    /// policy, an agent that must ask before deploying, an MCP server started read-only or
    /// given its keys by reference) means no finding.
    /// A Kubernetes object whose name or namespace is a template placeholder (`{{ .ns }}`) is
    /// filled in by code and takes no part in a path.
    ///
    /// ## Why it matters
    /// Each link alone is reported by its own rule and is often accepted on its own: an agent
    /// with a broad allow list on a laptop, a deploy job without an environment in a sandbox
    /// account, a wide trust policy for a read-only role.
    /// Together they are the path of the December 2025 outage in which an agent, working with
    /// an operator's permissions, chose to delete and recreate an environment: the change
    /// reached production without a second person, because nothing on the path asked one.
    /// Breaking any one link restores the second signature.
    ///
    /// ## Example
    /// `.claude/settings.json`:
    /// ```json
    /// {"permissions": {"allow": ["Bash(terraform:*)"]}}
    /// ```
    /// `.github/workflows/agent.yml`:
    /// ```yaml
    /// on: issue_comment
    /// jobs:
    ///   agent:
    ///     runs-on: ubuntu-latest
    ///     permissions: {id-token: write, contents: write}
    ///     steps:
    ///       - uses: aws-actions/configure-aws-credentials@v4
    ///         with: {role-to-assume: "arn:aws:iam::111122223333:role/github-deploy"}
    ///       - uses: anthropics/claude-code-action@v1
    /// ```
    /// `infra/iam.tf`:
    /// ```hcl
    /// resource "aws_iam_role" "deploy" {
    ///   name               = "github-deploy"
    ///   assume_role_policy = data.aws_iam_policy_document.github.json
    /// }
    /// resource "aws_iam_role_policy_attachment" "deploy" {
    ///   role       = aws_iam_role.deploy.name
    ///   policy_arn = "arn:aws:iam::aws:policy/AdministratorAccess"
    /// }
    /// ```
    /// Or all three links in one `.gemini/settings.json`:
    /// ```json
    /// {"mcpServers": {"aws": {"command": "uvx", "args": ["awslabs.aws-api-mcp-server@latest"],
    ///   "trust": true, "env": {"AWS_SECRET_ACCESS_KEY": "q8Zr3tVb1kLw9XyP0aNf6Hc2Gd7Js4Mu5Ke8Qi1o"}}}}
    /// ```
    ///
    /// ## Use instead
    /// Break at least one link, best all three:
    /// ```json
    /// {"permissions": {"allow": ["Bash(terraform plan:*)"],
    ///                  "ask": ["Bash(terraform apply:*)", "Bash(terraform destroy:*)"]}}
    /// ```
    /// ```yaml
    /// jobs:
    ///   agent:
    ///     environment: production   # with required reviewers in the repository settings
    /// ```
    /// ```hcl
    /// condition {
    ///   test     = "StringLike"
    ///   variable = "token.actions.githubusercontent.com:sub"
    ///   values   = ["repo:acme/infra:environment:production"]
    /// }
    /// ```
    /// and attach a policy scoped to what the deploy changes instead of `AdministratorAccess`.
    /// For an MCP server, let the agent ask and keep the keys out of the file:
    /// ```json
    /// {"mcpServers": {"aws": {"command": "uvx", "args": ["awslabs.aws-api-mcp-server@latest"],
    ///   "env": {"AWS_PROFILE": "agent-readonly", "READ_OPERATIONS_ONLY": "true"}}}}
    /// ```
    ///
    /// ## Where it is reported
    /// `redline check` reports the path once, on the actor file, with each link as related
    /// information; the editor shows it on the actor file when it is open. `redline gate` and
    /// `redline hook` judge a proposed write against the files on disk: when the file written
    /// may hold a link (an agent or MCP configuration, a workflow, a GitLab pipeline, a role or
    /// a grant), the repository is joined as it is and as the write would leave it, and a path
    /// the write opens is reported on its actor file, even when that is not the file written
    /// (removing a job's `environment:` is denied with the finding on the agent's
    /// configuration). A write that leaves an open path open, or closes it, is not blamed for
    /// it.
    ///
    /// ## Fix safety
    /// A fix edits only the file the finding is reported on, so it breaks the actor's link:
    /// on an agent configuration it adds `ask` rules for `terraform apply|destroy`,
    /// `kubectl apply|delete` and `helm upgrade|uninstall` (and sets `defaultMode` back to
    /// `default`); on a workflow it adds `environment: production` to the job; on a GitOps
    /// object it sets `prune: false`; for an MCP server it sets `"trust": false`, empties the
    /// `autoApprove` list, sets `approval_policy = "on-request"` or adds `mcp__<server>` to
    /// Claude Code's `ask` rules, and, when the server is in the same file, a second fix
    /// replaces each literal key with a reference (`${AWS_SECRET_ACCESS_KEY}`; Codex has
    /// none, and the related place says to list the key in `env_vars`); on a GitLab job it adds `when: manual` and
    /// `allow_failure: false` (RL-GLC-101's fix, for a job without `rules:`).
    /// The related places say how to break the other links (a `sub` condition on the trust
    /// policy, a scoped policy instead of `AdministratorAccess`, a scoped role instead of
    /// `cluster-admin`).
    /// Every fix is unsafe: an agent running in CI has no one to ask, so an `ask` rule blocks
    /// the command; a job with an environment waits for that environment's protection rules,
    /// which only protect once reviewers are configured; without pruning, deleted objects
    /// stay in the cluster until someone removes them; an MCP server that must ask cannot run
    /// in an unattended session, and one whose keys are references gets them only where they
    /// are set in the environment; a manual GitLab job waits for someone to run it.
    /// `redline check --fix --unsafe-fixes` applies them.
    ///
    /// ## Suppression
    /// `# redline:ignore RL-WS-001 -- sandbox account, reviewed by the platform team` on the
    /// line above the finding in a YAML or TOML file, or an `[[ignore]]` entry with
    /// `rule = "RL-WS-001"` and the actor file's path in `redline.toml` (JSON agent
    /// configurations have no comments).
    ///
    /// ## References
    /// - GitHub Docs, "Managing environments for deployment: required reviewers"
    /// - GitHub Docs, "Configuring OpenID Connect in Amazon Web Services"
    /// - Claude Code documentation, "Identity and Access Management: permission rules"
    /// - Argo CD documentation, "Automated Sync Policy: automatic pruning"
    /// - Gemini CLI documentation, "MCP servers: trust"; AWS Labs MCP servers, read-only modes
    /// - GitLab Docs, "Configure OpenID Connect in AWS to retrieve temporary credentials"
    UnattendedProductionChange {
        id: "RL-WS-001", name: "unattended-production-change",
        summary: "An agent or unattended job can change production with administrator-class or standing cloud credentials and no human approving",
        category: Category::Approval, severity: Severity::Error, confidence: Confidence::High,
        formats: &[], fix: FixAvailability::Sometimes, status: Status::Preview,
    }
}

/// Repository rules report through [`super::join`], never on one file.
fn check(_: &mut RuleContext<'_>) {}

/// A fact and where it is.
struct At<'a, T> {
    path: &'a str,
    range: TextRange,
    value: &'a T,
}

impl<T> Clone for At<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for At<'_, T> {}

/// The facts of a repository, by kind, in path and source order.
struct Facts<'a> {
    agents: Vec<At<'a, AgentUnattended>>,
    jobs: Vec<At<'a, CiJob>>,
    roles: Vec<At<'a, Role>>,
    trusts: Vec<At<'a, GithubTrust>>,
    grants: Vec<At<'a, AdminGrant>>,
    prunes: Vec<At<'a, AutoPrune>>,
    cluster_admins: Vec<At<'a, ClusterAdmin>>,
    mcp_servers: Vec<At<'a, McpServer>>,
    mcp_approvals: Vec<At<'a, McpApproval>>,
    gitlab_jobs: Vec<At<'a, GitlabJob>>,
}

/// One complete path to production.
struct Chain {
    /// 0 for an agent, 1 for a pipeline, 2 for GitOps: the order actors are chosen in.
    rank: u8,
    path: String,
    range: TextRange,
    message: String,
    confidence: Confidence,
    related: Vec<(String, TextRange, String)>,
    fix: Option<Fix>,
    /// Fixes of other links in the same file, offered after `fix`.
    further_fixes: Vec<Fix>,
    /// The actor, for the related place other chains get: `job `deploy``.
    actor: String,
}

pub(super) fn join(files: &[&FileFacts]) -> Vec<WorkspaceFinding> {
    let facts = gather(files);
    let mut chains: Vec<Chain> = Vec::new();
    for job in &facts.jobs {
        chains.extend(job_chain(&facts, *job));
    }
    for prune in &facts.prunes {
        chains.extend(gitops_chain(&facts, *prune));
    }
    for server in &facts.mcp_servers {
        chains.extend(mcp_chain(&facts, *server));
    }
    for job in &facts.gitlab_jobs {
        chains.extend(gitlab_chain(&facts, *job));
    }
    chains.sort_by(|a, b| {
        (a.rank, &a.path, a.range.start()).cmp(&(b.rank, &b.path, b.range.start()))
    });
    let mut chains = chains.into_iter();
    let Some(first) = chains.next() else {
        return Vec::new();
    };
    let meta = &UnattendedProductionChange::META;
    let mut diagnostic = Diagnostic::new(
        meta.code,
        meta.severity,
        first.confidence,
        first.range,
        first.message,
    );
    for (path, range, message) in first.related {
        diagnostic = if path == first.path {
            diagnostic.with_related(range, message)
        } else {
            diagnostic.with_related_in(path, range, message)
        };
    }
    for other in chains {
        // One place can complete several paths (bypass mode approves every MCP server).
        if other.path == first.path && other.range == first.range {
            continue;
        }
        let message = format!(
            "{} also completes a path to production with no human approving",
            other.actor
        );
        diagnostic = if other.path == first.path {
            diagnostic.with_related(other.range, message)
        } else {
            diagnostic.with_related_in(other.path, other.range, message)
        };
    }
    if let Some(fix) = first.fix {
        diagnostic = diagnostic.with_fix(fix);
    }
    for fix in first.further_fixes {
        diagnostic = diagnostic.with_fix(fix);
    }
    vec![WorkspaceFinding {
        path: first.path,
        diagnostic,
    }]
}

fn gather<'a>(files: &[&'a FileFacts]) -> Facts<'a> {
    let mut res = Facts {
        agents: Vec::new(),
        jobs: Vec::new(),
        roles: Vec::new(),
        trusts: Vec::new(),
        grants: Vec::new(),
        prunes: Vec::new(),
        cluster_admins: Vec::new(),
        mcp_servers: Vec::new(),
        mcp_approvals: Vec::new(),
        gitlab_jobs: Vec::new(),
    };
    for file in files {
        let path = file.path.as_str();
        for fact in &file.facts {
            let range = fact.range;
            match &fact.kind {
                FactKind::AgentUnattended(value) => res.agents.push(At { path, range, value }),
                FactKind::CiJob(value) => res.jobs.push(At { path, range, value }),
                FactKind::Role(value) => res.roles.push(At { path, range, value }),
                FactKind::GithubTrust(value) => res.trusts.push(At { path, range, value }),
                FactKind::AdminGrant(value) => res.grants.push(At { path, range, value }),
                FactKind::AutoPrune(value) => res.prunes.push(At { path, range, value }),
                FactKind::ClusterAdmin(value) => {
                    res.cluster_admins.push(At { path, range, value });
                }
                FactKind::McpServer(value) => res.mcp_servers.push(At { path, range, value }),
                FactKind::McpApproval(value) => {
                    res.mcp_approvals.push(At { path, range, value });
                }
                FactKind::GitlabJob(value) => res.gitlab_jobs.push(At { path, range, value }),
            }
        }
    }
    res
}

/// Where Terraform addresses are unique: the folder of a Terraform file (its module), else
/// the file itself (a CloudFormation template).
fn scope(path: &str) -> &str {
    if path.ends_with(".tf") || path.ends_with(".tf.json") {
        path.rfind('/').map_or("", |index| &path[..index])
    } else {
        path
    }
}

/// Why a role is administrator-class: its open trust statements and its administrator grants.
struct Power<'a> {
    open_trusts: Vec<At<'a, GithubTrust>>,
    grants: Vec<At<'a, AdminGrant>>,
}

impl Facts<'_> {
    fn trusts_of<'s>(
        &'s self,
        role: At<'s, Role>,
    ) -> impl Iterator<Item = &'s At<'s, GithubTrust>> {
        self.trusts.iter().filter(move |trust| {
            role.value.trust.as_deref() == Some(trust.value.owner.as_str())
                && scope(trust.path) == scope(role.path)
        })
    }

    fn power_of<'s>(&'s self, role: At<'s, Role>) -> Option<Power<'s>> {
        let open_trusts: Vec<At<'_, GithubTrust>> = self
            .trusts_of(role)
            .filter(|trust| !trust.value.restricts_subject)
            .copied()
            .collect();
        let grants: Vec<At<'_, AdminGrant>> = self
            .grants
            .iter()
            .filter(|grant| match &grant.value.role {
                RoleRef::Address(address) => {
                    *address == role.value.address && scope(grant.path) == scope(role.path)
                }
                RoleRef::Name(name) => role.value.name.as_deref() == Some(name.as_str()),
            })
            .copied()
            .collect();
        (!open_trusts.is_empty() || !grants.is_empty()).then_some(Power {
            open_trusts,
            grants,
        })
    }

    /// The role a job assumes, how it was linked, and why it is administrator-class.
    fn assumed<'s>(&'s self, job: &CiJob) -> Option<(At<'s, Role>, String, Confidence, Power<'s>)> {
        let assumed = job.role.as_ref()?;
        match &assumed.name {
            Some(name) => self
                .roles
                .iter()
                .filter(|role| role.value.name.as_deref() == Some(name.as_str()))
                .find_map(|role| {
                    let power = self.power_of(*role)?;
                    Some((
                        *role,
                        format!("`role-to-assume` names `{name}`"),
                        Confidence::High,
                        power,
                    ))
                }),
            None => {
                let mut github_roles = self
                    .roles
                    .iter()
                    .filter(|role| self.trusts_of(**role).next().is_some());
                let role = *github_roles.next()?;
                if github_roles.next().is_some() {
                    return None;
                }
                let power = self.power_of(role)?;
                Some((
                    role,
                    "the only role in this repository that GitHub Actions can assume".to_owned(),
                    Confidence::Medium,
                    power,
                ))
            }
        }
    }
}

/// The related places that say why a role is administrator-class, with how to narrow it.
fn power_places(role: At<'_, Role>, power: &Power<'_>) -> Vec<(String, TextRange, String)> {
    let address = &role.value.address;
    let mut res = Vec::new();
    for trust in &power.open_trusts {
        res.push((
            trust.path.to_owned(),
            trust.range,
            format!(
                "the trust policy of `{address}` accepts a token from any GitHub repository and \
                 branch: add a `StringLike` condition on `token.actions.githubusercontent.com:sub` \
                 naming `repo:OWNER/REPO:environment:production`"
            ),
        ));
    }
    for grant in &power.grants {
        res.push((
            grant.path.to_owned(),
            grant.range,
            format!(
                "{} gives `{address}` every action on every resource: attach a policy scoped to \
                 what the deploy changes",
                grant.value.what
            ),
        ));
    }
    res
}

/// What makes the role administrator-class, in words.
fn power_words(power: &Power<'_>) -> String {
    let mut res: Vec<String> = Vec::new();
    if let Some(grant) = power.grants.first() {
        res.push(format!("has {}", grant.value.what));
    }
    if !power.open_trusts.is_empty() {
        res.push("trusts any GitHub repository's token (no `sub` condition)".to_owned());
    }
    res.join(" and ")
}

fn job_chain(facts: &Facts<'_>, job: At<'_, CiJob>) -> Option<Chain> {
    if job.value.environment {
        return None;
    }
    let (role, link, confidence, power) = facts.assumed(job.value)?;
    let name = &job.value.name;
    let role_place = (
        role.path.to_owned(),
        role.range,
        format!("job `{name}` assumes this role: {link}"),
    );
    let environment_fix = job.value.environment_fix.clone().map(|edit| {
        Fix::single(
            "Add `environment: production` to the job (then require reviewers on it)",
            Applicability::Unsafe,
            edit,
        )
    });
    let gate_advice = "add `environment: production` to the job and require reviewers on it";
    if let Some(run) = &job.value.agent {
        let agent = run.agent.name();
        let config = facts
            .agents
            .iter()
            .find(|config| config.value.agent == run.agent);
        match (&run.unattended, config) {
            (Some(switch), _) => {
                let message = format!(
                    "job `{name}` runs {agent} with `{switch}`, so it runs any command, deploys \
                     and deletions included, without asking; the job names no `environment:` and \
                     the AWS role `{}` it assumes {}: nothing on this path asks a second person \
                     before production changes; {gate_advice}, drop the switch and scope the role",
                    role.value.address,
                    power_words(&power),
                );
                let mut related = vec![role_place];
                related.extend(power_places(role, &power));
                return Some(Chain {
                    rank: 0,
                    path: job.path.to_owned(),
                    range: job.range,
                    message,
                    confidence,
                    related,
                    fix: environment_fix,
                    further_fixes: Vec::new(),
                    actor: format!("job `{name}`"),
                });
            }
            (None, Some(config)) => {
                let message = format!(
                    "{agent} may run deploy and destroy commands without asking (`{}`), job \
                     `{name}` of `{}` runs it with no `environment:` to approve, and the AWS role \
                     `{}` it assumes {}: nothing on this path asks a second person before \
                     production changes; put deploy commands under `ask`, {gate_advice}, and \
                     scope the role",
                    config.value.what,
                    job.path,
                    role.value.address,
                    power_words(&power),
                );
                let mut related = vec![(
                    job.path.to_owned(),
                    job.range,
                    format!(
                        "job `{name}` runs {agent} with the role's credentials and names no \
                         `environment:`: {gate_advice}"
                    ),
                )];
                related.push(role_place);
                related.extend(power_places(role, &power));
                let fix = (!config.value.fix.is_empty())
                    .then(|| {
                        Fix::new(
                            "Put deploy and destroy commands under `ask`",
                            Applicability::Unsafe,
                            config.value.fix.clone(),
                        )
                        .ok()
                    })
                    .flatten();
                return Some(Chain {
                    rank: 0,
                    path: config.path.to_owned(),
                    range: config.range,
                    message,
                    confidence,
                    related,
                    fix,
                    further_fixes: Vec::new(),
                    actor: format!("the {agent} configuration"),
                });
            }
            (None, None) => {}
        }
    }
    let deploys = job.value.deploys.as_ref()?;
    if !job.value.on_push {
        return None;
    }
    let message = format!(
        "job `{name}` runs `{deploys}` on every push with no `environment:` to approve, and the \
         AWS role `{}` it assumes {}: a push reaches production with no second person; \
         {gate_advice}, and scope the role",
        role.value.address,
        power_words(&power),
    );
    let mut related = vec![role_place];
    related.extend(power_places(role, &power));
    Some(Chain {
        rank: 1,
        path: job.path.to_owned(),
        range: job.range,
        message,
        confidence,
        related,
        fix: environment_fix,
        further_fixes: Vec::new(),
        actor: format!("job `{name}`"),
    })
}

fn gitops_chain(facts: &Facts<'_>, prune: At<'_, AutoPrune>) -> Option<Chain> {
    let controller = prune.value.controller;
    let admins: Vec<&At<'_, ClusterAdmin>> = facts
        .cluster_admins
        .iter()
        .filter(|admin| controller.applies_with(&admin.value.service_account))
        .collect();
    let first = admins.first()?;
    let message = format!(
        "{} syncs a production destination automatically and prunes what leaves Git, and {}'s \
         service account `{}` is bound to `cluster-admin`: a commit deletes production objects \
         with no second person; set `prune: false` (prune after review) and bind the controller \
         to a role scoped to what it deploys",
        prune.value.object,
        controller.name(),
        first.value.service_account,
    );
    let related = admins
        .iter()
        .map(|admin| {
            (
                admin.path.to_owned(),
                admin.range,
                format!(
                    "{} gives `{}` `cluster-admin`: full control of every object in the cluster; \
                     bind a role scoped to the namespaces it deploys",
                    admin.value.binding, admin.value.service_account
                ),
            )
        })
        .collect();
    let fix = prune
        .value
        .fix
        .clone()
        .map(|edit: Edit| Fix::single("Set `prune: false`", Applicability::Unsafe, edit));
    Some(Chain {
        rank: 2,
        path: prune.path.to_owned(),
        range: prune.range,
        message,
        confidence: Confidence::High,
        related,
        fix,
        further_fixes: Vec::new(),
        actor: prune.value.object.clone(),
    })
}

/// The place that lets the agent call an MCP server's tools without asking: the server's own
/// setting, or Claude Code's settings of the server's project.
struct Approval<'a> {
    path: &'a str,
    range: TextRange,
    what: &'a str,
    fix: Option<Fix>,
}

impl Facts<'_> {
    fn approval_of<'s>(&'s self, server: At<'s, McpServer>) -> Option<Approval<'s>> {
        if let Some(approval) = &server.value.approval {
            return Some(Approval {
                path: server.path,
                range: approval.range,
                what: &approval.what,
                fix: approval.fix.clone().map(|edit| {
                    Fix::single(
                        "Make the agent ask before calling the server's tools",
                        Applicability::Unsafe,
                        edit,
                    )
                }),
            });
        }
        let project = server.value.claude_project.as_deref()?;
        let name = server.value.name.as_str();
        let settings = |file: &str| match project {
            "" => format!(".claude/{file}"),
            _ => format!("{project}/.claude/{file}"),
        };
        let paths = [settings("settings.json"), settings("settings.local.json")];
        let approval = self.mcp_approvals.iter().find(|approval| {
            paths.iter().any(|path| path == approval.path)
                && match &approval.value.server {
                    Some(server) => server == name,
                    None => !approval.value.reviewed.iter().any(|server| server == name),
                }
        })?;
        let fix = (!approval.value.fix.is_empty())
            .then(|| {
                Fix::new(
                    format!("Put `mcp__{name}` under `ask`"),
                    Applicability::Unsafe,
                    approval.value.fix.clone(),
                )
                .ok()
            })
            .flatten();
        Some(Approval {
            path: approval.path,
            range: approval.range,
            what: &approval.value.what,
            fix,
        })
    }
}

fn mcp_chain(facts: &Facts<'_>, server: At<'_, McpServer>) -> Option<Chain> {
    let value = server.value;
    let secret = value.keys.iter().find(|key| key.secret)?;
    let approval = facts.approval_of(server)?;
    let name = &value.name;
    let client = value.client;
    let cloud = value.cloud;
    let read_only = value.read_only.as_ref().map_or_else(String::new, |how| {
        format!(": where it only needs to look, {how}")
    });
    let key_advice = "read the keys from the environment, with credentials scoped to what the \
                      agent should change";
    let where_server = if approval.path == server.path {
        String::new()
    } else {
        format!(" (`{}`)", server.path)
    };
    let message = format!(
        "`{}` lets {client} call the tools of MCP server `{name}`{where_server} without asking, \
         that server (`{}`) changes {cloud} resources, and its `env` holds a literal `{}`: the \
         agent can change production with that key and no second person approving; make the \
         agent ask before the server's tools run, and {key_advice}",
        approval.what, value.package, secret.variable,
    );
    let mut related = Vec::new();
    if approval.path != server.path || approval.range != server.range {
        related.push((
            server.path.to_owned(),
            server.range,
            format!(
                "MCP server `{name}` starts `{}`, whose tools change {cloud} resources{read_only}",
                value.package
            ),
        ));
    }
    for key in &value.keys {
        let reference = key.fix.as_ref().map_or_else(
            || {
                format!(
                    "list `{}` in `env_vars` to pass it from the environment",
                    key.variable
                )
            },
            |edit| format!("reference it as `{}`", edit.replacement.trim_matches('"')),
        );
        let what = if key.secret {
            "gives whoever reads this file, and every agent session, the key's permissions"
        } else {
            "names the key whose secret is written beside it"
        };
        related.push((
            server.path.to_owned(),
            key.range,
            format!(
                "a literal `{}` {what}: {reference}, and rotate the key",
                key.variable
            ),
        ));
    }
    // The keys are in the server's file: their fix goes with a finding reported there.
    let mut further_fixes = Vec::new();
    if approval.path == server.path {
        let edits: Vec<Edit> = value
            .keys
            .iter()
            .filter_map(|key| key.fix.clone())
            .collect();
        if let Some(fix) = (!edits.is_empty())
            .then(|| {
                Fix::new(
                    "Read the server's cloud keys from the environment",
                    Applicability::Unsafe,
                    edits,
                )
                .ok()
            })
            .flatten()
        {
            further_fixes.push(fix);
        }
    }
    Some(Chain {
        rank: 0,
        path: approval.path.to_owned(),
        range: approval.range,
        message,
        confidence: Confidence::High,
        related,
        fix: approval.fix,
        further_fixes,
        actor: format!("MCP server `{name}`"),
    })
}

fn gitlab_chain(facts: &Facts<'_>, job: At<'_, GitlabJob>) -> Option<Chain> {
    let value = job.value;
    let role_name = value.role.as_ref()?.name.as_deref()?;
    // A role's open GitHub trust gives a GitLab job nothing: only its own grants count.
    let (role, power) = facts
        .roles
        .iter()
        .filter(|role| role.value.name.as_deref() == Some(role_name))
        .find_map(|role| {
            let mut power = facts.power_of(*role)?;
            power.open_trusts.clear();
            (!power.grants.is_empty()).then_some((*role, power))
        })?;
    let name = &value.name;
    let gate = if value.optional_gate {
        "its job-level `when: manual` is optional (`allow_failure` defaults to true), so the \
         pipeline goes on without it"
    } else {
        "it has no blocking manual gate, so it runs as soon as the pipeline reaches it"
    };
    let message = format!(
        "job `{name}` {}, {gate}, and the AWS role `{}` it assumes {}: a push reaches production \
         with no second person; add `when: manual` with `allow_failure: false` (or in `rules:`), \
         protect the environment, and scope the role",
        value.deploys,
        role.value.address,
        power_words(&power),
    );
    let mut related = vec![(
        role.path.to_owned(),
        role.range,
        format!(
            "job `{name}` assumes this role: {} names `{role_name}`",
            value.role_source
        ),
    )];
    related.extend(power_places(role, &power));
    let fix = (!value.gate_fix.is_empty())
        .then(|| {
            Fix::new(
                if value.optional_gate {
                    "Add `allow_failure: false`"
                } else {
                    "Add `when: manual` and `allow_failure: false`"
                },
                Applicability::Unsafe,
                value.gate_fix.clone(),
            )
            .ok()
        })
        .flatten();
    Some(Chain {
        rank: 1,
        path: job.path.to_owned(),
        range: job.range,
        message,
        confidence: Confidence::High,
        related,
        fix,
        further_fixes: Vec::new(),
        actor: format!("job `{name}`"),
    })
}

#[cfg(test)]
mod tests {
    use redline_test_support::check_repository_folder;

    const CASES: &str = "workspace/unattended-production-change";

    fn check(case: &str) -> String {
        check_repository_folder(&format!("{CASES}/{case}"))
    }

    /// An agent allowed to run `terraform` unattended, a job that runs it with no
    /// environment, and a role whose GitHub trust names no repository.
    #[test]
    fn fires_on_an_agent_with_an_open_oidc_role() {
        check("fires-agent-oidc");
    }

    /// A scheduled job runs Claude Code with `--dangerously-skip-permissions`, with the only
    /// role GitHub can assume, whose CloudFormation template attaches `AdministratorAccess`.
    #[test]
    fn fires_on_an_agent_switch_with_a_cloudformation_role() {
        check("fires-agent-switch");
    }

    #[test]
    fn quiet_when_the_agent_job_names_an_environment() {
        assert_eq!(check("quiet-agent-gate"), "no findings\n");
    }

    #[test]
    fn quiet_when_the_agent_role_is_scoped() {
        assert_eq!(check("quiet-agent-scoped"), "no findings\n");
    }

    #[test]
    fn quiet_when_the_agent_must_ask() {
        assert_eq!(check("quiet-agent-asks"), "no findings\n");
    }

    /// A push applies Terraform with no environment, with a role that has
    /// `AdministratorAccess` (its trust names the repository).
    #[test]
    fn fires_on_a_pipeline_with_an_administrator_role() {
        check("fires-pipeline-admin");
    }

    #[test]
    fn quiet_when_the_pipeline_names_an_environment() {
        assert_eq!(check("quiet-pipeline-gate"), "no findings\n");
    }

    #[test]
    fn quiet_when_the_pipeline_role_is_scoped() {
        assert_eq!(check("quiet-pipeline-scoped"), "no findings\n");
    }

    #[test]
    fn quiet_when_the_pipeline_only_plans() {
        assert_eq!(check("quiet-pipeline-plan-only"), "no findings\n");
    }

    #[test]
    fn quiet_when_the_actor_file_suppresses_it() {
        assert_eq!(check("quiet-suppressed"), "no findings\n");
    }

    /// Argo CD prunes a production application automatically, and its controller is
    /// `cluster-admin`.
    #[test]
    fn fires_on_argocd_auto_prune_with_cluster_admin() {
        check("fires-argocd");
    }

    #[test]
    fn quiet_when_argocd_syncs_by_hand() {
        assert_eq!(check("quiet-argocd-manual"), "no findings\n");
    }

    #[test]
    fn quiet_when_the_argocd_controller_is_scoped() {
        assert_eq!(check("quiet-argocd-scoped"), "no findings\n");
    }

    /// An object whose namespace is a template placeholder is not deployed as written.
    #[test]
    fn quiet_on_templated_objects() {
        assert_eq!(check("quiet-templated"), "no findings\n");
    }

    #[test]
    fn quiet_when_argocd_targets_staging() {
        assert_eq!(check("quiet-argocd-staging"), "no findings\n");
    }

    /// Gemini CLI trusts the AWS API MCP server, whose `env` holds literal keys.
    #[test]
    fn fires_on_a_trusted_mcp_server_with_literal_keys() {
        check("fires-mcp-gemini");
    }

    /// Claude Code's settings allow every tool of the project's Terraform MCP server.
    #[test]
    fn fires_on_an_mcp_server_claude_may_call_without_asking() {
        check("fires-mcp-claude");
    }

    /// Codex never asks, and starts the Azure MCP server with a literal client secret.
    #[test]
    fn fires_on_an_mcp_server_of_codex_that_never_asks() {
        check("fires-mcp-codex");
    }

    /// Read-only servers (by setting, or by what they are) and auto-approved reading tools.
    #[test]
    fn quiet_on_read_only_mcp_servers() {
        assert_eq!(check("quiet-mcp-read-only"), "no findings\n");
    }

    /// Keys referenced from the environment or named by profile, and placeholder key files.
    #[test]
    fn quiet_when_mcp_keys_are_references() {
        assert_eq!(check("quiet-mcp-references"), "no findings\n");
    }

    /// Bypass mode with an `ask` rule for the server, and a client that approves in the editor.
    #[test]
    fn quiet_when_the_agent_asks_before_the_mcp_server() {
        assert_eq!(check("quiet-mcp-asks"), "no findings\n");
    }

    /// A GitLab job applies Terraform with no manual gate, with a role that has
    /// `AdministratorAccess`.
    #[test]
    fn fires_on_a_gitlab_deploy_without_a_manual_gate() {
        check("fires-gitlab");
    }

    #[test]
    fn quiet_when_gitlab_deploys_are_gated_or_not_production() {
        assert_eq!(check("quiet-gitlab-gate"), "no findings\n");
    }

    #[test]
    fn quiet_when_the_gitlab_role_is_scoped() {
        assert_eq!(check("quiet-gitlab-scoped"), "no findings\n");
    }
}

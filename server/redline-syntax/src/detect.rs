//! Which files redline reads, and what they are.

use crate::SourceHints;
use crate::value::Node;

/// The grammar a file is parsed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Language {
    /// HashiCorp configuration language (Terraform).
    Hcl,
    /// JSON.
    Json,
    /// YAML, possibly with several documents.
    Yaml,
    /// Bash and POSIX shell.
    Bash,
    /// TOML.
    Toml,
    /// Makefiles.
    Make,
    /// Dockerfiles and Containerfiles.
    Dockerfile,
}

/// The kind of document, which decides the rules that run on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    /// Terraform configuration (`*.tf`).
    Terraform,
    /// A Terraform plan rendered by `terraform show -json`.
    TerraformPlan,
    /// A CloudFormation or SAM template, YAML or JSON.
    CloudFormation,
    /// Kubernetes manifests.
    Kubernetes,
    /// A GitHub Actions workflow or composite action.
    GithubActions,
    /// A GitLab CI configuration.
    GitlabCi,
    /// A shell script.
    Shell,
    /// A standalone AWS IAM policy document.
    IamPolicy,
    /// An AI coding agent's configuration.
    AgentConfig,
    /// A Makefile (its recipes are shell commands).
    Makefile,
    /// A Dockerfile or Containerfile (its `RUN` instructions are shell commands).
    Dockerfile,
    /// An Azure Pipelines definition.
    AzurePipelines,
    /// An Atmos workflow file (`workflows:` whose steps run Atmos or shell commands).
    AtmosWorkflow,
}

/// The language of a file, and its format when the path alone decides it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The grammar to parse with.
    pub language: Language,
    /// `None` when the content decides (JSON and YAML documents).
    pub format: Option<Format>,
}

impl Format {
    /// Every format, in a stable order.
    pub const ALL: &'static [Format] = &[
        Format::Terraform,
        Format::TerraformPlan,
        Format::CloudFormation,
        Format::Kubernetes,
        Format::GithubActions,
        Format::GitlabCi,
        Format::Shell,
        Format::IamPolicy,
        Format::AgentConfig,
        Format::Makefile,
        Format::Dockerfile,
        Format::AzurePipelines,
        Format::AtmosWorkflow,
    ];

    /// The stable lowercase name used in output and configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Terraform => "terraform",
            Format::TerraformPlan => "terraform-plan",
            Format::CloudFormation => "cloudformation",
            Format::Kubernetes => "kubernetes",
            Format::GithubActions => "github-actions",
            Format::GitlabCi => "gitlab-ci",
            Format::Shell => "shell",
            Format::IamPolicy => "iam-policy",
            Format::AgentConfig => "agent-config",
            Format::Makefile => "makefile",
            Format::Dockerfile => "dockerfile",
            Format::AzurePipelines => "azure-pipelines",
            Format::AtmosWorkflow => "atmos-workflow",
        }
    }
}

/// Whether a path may hold something redline analyses, judged from the path alone.
///
/// Front-ends use this to avoid reading unrelated files. Files without an extension may be
/// shell scripts with a shebang, so they count as candidates.
pub fn is_candidate_path(path: &str) -> bool {
    let name = file_name(path);
    if agent_config_language(path).is_some()
        || is_gitlab_ci_name(name)
        || build_file_format(name).is_some()
    {
        return true;
    }
    match extension(name) {
        Some(ext) => matches!(
            ext.as_str(),
            "tf" | "json" | "yaml" | "yml" | "template" | "sh" | "bash"
        ),
        None => true,
    }
}

/// Decides the language of a file and, when the path is enough, its format.
pub fn candidate(path: &str, text: &str, hints: SourceHints) -> Option<Candidate> {
    let name = file_name(path);
    let ext = extension(name);
    if let Some(format) = hints.format {
        let language = match format {
            // Variable definitions in JSON are read as Terraform when a caller says so.
            Format::Terraform if is_terraform_json_name(name) || is_tfvars_json_name(name) => {
                Language::Json
            }
            Format::Terraform => Language::Hcl,
            Format::Shell => Language::Bash,
            Format::TerraformPlan | Format::IamPolicy => Language::Json,
            Format::AgentConfig => {
                agent_config_language(path).unwrap_or(if ext.as_deref() == Some("toml") {
                    Language::Toml
                } else {
                    Language::Json
                })
            }
            Format::CloudFormation => {
                if ext.as_deref() == Some("json") {
                    Language::Json
                } else {
                    Language::Yaml
                }
            }
            Format::Kubernetes
            | Format::GithubActions
            | Format::GitlabCi
            | Format::AzurePipelines
            | Format::AtmosWorkflow => Language::Yaml,
            Format::Makefile => Language::Make,
            Format::Dockerfile => Language::Dockerfile,
        };
        return Some(Candidate {
            language,
            format: Some(format),
        });
    }
    if let Some(language) = agent_config_language(path) {
        return Some(Candidate {
            language,
            format: Some(Format::AgentConfig),
        });
    }
    if let Some(format) = build_file_format(name) {
        let language = match format {
            Format::Makefile => Language::Make,
            _ => Language::Dockerfile,
        };
        return Some(Candidate {
            language,
            format: Some(format),
        });
    }
    let normalized = path.replace('\\', "/");
    let is_yaml = matches!(ext.as_deref(), Some("yml" | "yaml"));
    if is_yaml && is_github_workflow_path(&normalized) {
        return Some(Candidate {
            language: Language::Yaml,
            format: Some(Format::GithubActions),
        });
    }
    if is_yaml && matches!(name, "action.yml" | "action.yaml") {
        return Some(Candidate {
            language: Language::Yaml,
            format: Some(Format::GithubActions),
        });
    }
    if is_gitlab_ci_name(name) {
        return Some(Candidate {
            language: Language::Yaml,
            format: Some(Format::GitlabCi),
        });
    }
    if is_yaml && is_azure_pipelines_path(&normalized) {
        return Some(Candidate {
            language: Language::Yaml,
            format: Some(Format::AzurePipelines),
        });
    }
    if is_terraform_json_name(name) {
        return Some(Candidate {
            language: Language::Json,
            format: Some(Format::Terraform),
        });
    }
    match ext.as_deref() {
        Some("tf") => Some(Candidate {
            language: Language::Hcl,
            format: Some(Format::Terraform),
        }),
        Some("sh" | "bash") => Some(Candidate {
            language: Language::Bash,
            format: Some(Format::Shell),
        }),
        Some("json") => Some(Candidate {
            language: Language::Json,
            format: None,
        }),
        Some("yml" | "yaml") => Some(Candidate {
            language: Language::Yaml,
            format: None,
        }),
        Some("template") => {
            let language = if text.trim_start().starts_with('{') {
                Language::Json
            } else {
                Language::Yaml
            };
            Some(Candidate {
                language,
                format: None,
            })
        }
        Some(_) => None,
        None if has_shell_shebang(text) => Some(Candidate {
            language: Language::Bash,
            format: Some(Format::Shell),
        }),
        None => None,
    }
}

/// Decides the format of a JSON or YAML file from its documents.
pub fn sniff(language: Language, documents: &[std::sync::Arc<Node>]) -> Option<Format> {
    if language == Language::Json {
        let root = documents.first()?;
        // A plan without changes omits `resource_changes` but still has `planned_values`;
        // a state file (`terraform show -json` of state) has neither.
        if root.get("format_version").is_some()
            && (root.get("resource_changes").is_some() || root.get("planned_values").is_some())
        {
            return Some(Format::TerraformPlan);
        }
        if is_cloudformation(root) {
            return Some(Format::CloudFormation);
        }
        if root.get("Version").is_some() && root.get("Statement").is_some() {
            return Some(Format::IamPolicy);
        }
        return None;
    }
    if documents.iter().any(|document| is_cloudformation(document)) {
        return Some(Format::CloudFormation);
    }
    if documents
        .iter()
        .any(|document| document.get("apiVersion").is_some() && document.get("kind").is_some())
    {
        return Some(Format::Kubernetes);
    }
    if documents
        .iter()
        .any(|document| is_azure_pipelines(document))
    {
        return Some(Format::AzurePipelines);
    }
    if documents
        .iter()
        .any(|document| crate::atmos::is_workflow_file(document))
    {
        return Some(Format::AtmosWorkflow);
    }
    None
}

/// Whether a YAML document is an Azure Pipelines definition or template that its path does not
/// name (`templates/deploy.yml`): its `stages`, `jobs` or `steps` are lists of Azure's items
/// (`- stage:`, `- job:`, `- deployment:`, `- task:`, `- script:`, …, or a `${{ … }}`
/// insertion), which neither GitHub Actions (`jobs` is a mapping, steps `run` or `uses`), GitLab
/// CI (`stages` is a list of names) nor Cloud Build (steps with `args` or `entrypoint`) writes.
fn is_azure_pipelines(document: &Node) -> bool {
    const STAGES: &[&str] = &["stage", "template"];
    const JOBS: &[&str] = &["job", "deployment", "template"];
    const STEPS: &[&str] = &[
        "task",
        "script",
        "bash",
        "pwsh",
        "powershell",
        "checkout",
        "download",
        "downloadBuild",
        "publish",
        "getPackage",
        "reviewApp",
        "template",
    ];
    if document.get("on").is_some() || document.get("runs").is_some() {
        return false;
    }
    let azure_list = |key: &str, kinds: &[&str]| {
        let Some(list) = document.get(key) else {
            return false;
        };
        let items = list.items();
        let is_kind = |entry: &crate::value::Entry| {
            entry.key.as_str().is_some_and(|key| kinds.contains(&key))
        };
        items.iter().any(|item| item.entries().iter().any(is_kind))
            && items.iter().all(|item| {
                let entries = item.entries();
                let insertion = entries
                    .iter()
                    .any(|entry| entry.key.as_str().is_some_and(|key| key.starts_with("${{")));
                let cloud_build = item.get("args").is_some() || item.get("entrypoint").is_some();
                !cloud_build && (insertion || entries.iter().any(is_kind))
            })
    };
    azure_list("stages", STAGES) || azure_list("jobs", JOBS) || azure_list("steps", STEPS)
}

/// Whether the text starts with a shebang naming a POSIX-family shell.
pub fn has_shell_shebang(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("#!") else {
        return false;
    };
    let line = rest.lines().next().unwrap_or("");
    let mut words = line.split_whitespace();
    let Some(program) = words.next() else {
        return false;
    };
    let mut interpreter = program.rsplit('/').next().unwrap_or(program);
    if interpreter == "env" {
        interpreter = words.find(|word| !word.starts_with('-')).unwrap_or("");
    }
    matches!(interpreter, "sh" | "bash" | "dash" | "ash" | "ksh" | "zsh")
}

fn is_cloudformation(document: &Node) -> bool {
    if document.get("AWSTemplateFormatVersion").is_some() {
        return true;
    }
    let Some(resources) = document.get("Resources") else {
        return false;
    };
    resources.entries().iter().any(|entry| {
        entry
            .value
            .get("Type")
            .and_then(Node::as_str)
            .is_some_and(|kind| kind.starts_with("AWS::") || kind.starts_with("Custom::"))
    })
}

/// Makefiles and Dockerfiles, which are recognised by name.
fn build_file_format(name: &str) -> Option<Format> {
    let lower = name.to_ascii_lowercase();
    if matches!(lower.as_str(), "makefile" | "gnumakefile") || lower.ends_with(".mk") {
        return Some(Format::Makefile);
    }
    let docker = matches!(lower.as_str(), "dockerfile" | "containerfile")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
        || lower.starts_with("dockerfile.")
        || lower.starts_with("containerfile.");
    docker.then_some(Format::Dockerfile)
}

/// Whether only content (a shebang) can tell if a file without an extension is analysed.
pub fn needs_shebang(path: &str) -> bool {
    let name = file_name(path);
    extension(name).is_none()
        && build_file_format(name).is_none()
        && agent_config_language(path).is_none()
}

fn is_github_workflow_path(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let _file = parts.next();
    parts.next() == Some("workflows") && parts.next() == Some(".github")
}

fn is_azure_pipelines_path(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or("");
    let folder = parts.next().unwrap_or("");
    name.starts_with("azure-pipelines.") || matches!(folder, ".azure-pipelines" | ".azuredevops")
}

/// Terraform's JSON syntax: `main.tf.json`, `override.tf.json`.
fn is_terraform_json_name(name: &str) -> bool {
    name.len() > ".tf.json".len() && name.to_ascii_lowercase().ends_with(".tf.json")
}

fn is_tfvars_json_name(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".tfvars.json")
}

fn is_gitlab_ci_name(name: &str) -> bool {
    matches!(name, ".gitlab-ci.yml" | ".gitlab-ci.yaml")
}

fn agent_config_language(path: &str) -> Option<Language> {
    let normalized = path.replace('\\', "/");
    let segments: Vec<&str> = normalized.split('/').collect();
    let name = *segments.last()?;
    let parent = if segments.len() >= 2 {
        segments[segments.len() - 2]
    } else {
        ""
    };
    match (parent, name) {
        (".claude", "settings.json" | "settings.local.json") => Some(Language::Json),
        (_, ".mcp.json") => Some(Language::Json),
        (".codex", "config.toml") => Some(Language::Toml),
        (".gemini", "settings.json") => Some(Language::Json),
        (".cursor", "mcp.json" | "cli.json" | "permissions.json") => Some(Language::Json),
        _ if name.ends_with(".json") && segments.iter().rev().skip(1).any(|s| *s == ".kiro") => {
            Some(Language::Json)
        }
        _ => None,
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    if stem.is_empty() {
        return None;
    }
    Some(ext.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format_of(path: &str) -> Option<Format> {
        candidate(path, "", SourceHints::default()).and_then(|c| c.format)
    }

    #[test]
    fn paths_decide_formats() {
        assert_eq!(format_of("infra/main.tf"), Some(Format::Terraform));
        assert_eq!(format_of("infra/main.tf.json"), Some(Format::Terraform));
        assert_eq!(
            format_of(".github/workflows/ci.yml"),
            Some(Format::GithubActions)
        );
        assert_eq!(
            format_of("a/.github/workflows/x.yaml"),
            Some(Format::GithubActions)
        );
        assert_eq!(format_of("tools/action.yml"), Some(Format::GithubActions));
        assert_eq!(format_of(".gitlab-ci.yml"), Some(Format::GitlabCi));
        assert_eq!(format_of("deploy.sh"), Some(Format::Shell));
        assert_eq!(
            format_of(".claude/settings.local.json"),
            Some(Format::AgentConfig)
        );
        assert_eq!(format_of(".codex/config.toml"), Some(Format::AgentConfig));
        assert_eq!(
            format_of(".kiro/agents/ops.json"),
            Some(Format::AgentConfig)
        );
        assert_eq!(format_of("x/.mcp.json"), Some(Format::AgentConfig));
        assert_eq!(format_of("docs/workflows/ci.yml"), None);
        assert_eq!(format_of("Makefile"), Some(Format::Makefile));
        assert_eq!(
            format_of("azure-pipelines.yml"),
            Some(Format::AzurePipelines)
        );
        assert_eq!(
            format_of(".azure-pipelines/deploy.yaml"),
            Some(Format::AzurePipelines)
        );
        assert_eq!(format_of("build/rules.mk"), Some(Format::Makefile));
        assert_eq!(format_of("Dockerfile"), Some(Format::Dockerfile));
        assert_eq!(format_of("api/Dockerfile.prod"), Some(Format::Dockerfile));
        assert!(is_candidate_path("Dockerfile.prod"));
        assert!(candidate("README.md", "", SourceHints::default()).is_none());
        assert!(candidate(".hidden", "", SourceHints::default()).is_none());
    }

    /// Atmos workflow files are told by their shape; other files with a `workflows` key keep
    /// the format they had.
    #[test]
    fn atmos_workflows_by_content() {
        let format = |path: &str, text: &str| {
            crate::parse_source(path, text, SourceHints::default()).map(|file| file.format)
        };
        let atmos = "workflows:\n  deploy:\n    steps:\n    - command: terraform deploy vpc\n";
        assert_eq!(
            format("stacks/workflows/network.yaml", atmos),
            Some(Format::AtmosWorkflow)
        );
        let github = "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n    - run: make\n";
        assert_eq!(
            format(".github/workflows/workflows.yml", github),
            Some(Format::GithubActions)
        );
        let argo = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nworkflows:\n  a:\n    steps:\n    - command: x\n";
        assert_eq!(format("argo/wf.yaml", argo), Some(Format::Kubernetes));
        let circleci = "version: 2.1\nworkflows:\n  build:\n    jobs:\n      - test\n";
        assert_eq!(format(".circleci/config.yml", circleci), None);
    }

    #[test]
    fn shebangs() {
        assert!(has_shell_shebang("#!/bin/sh\necho"));
        assert!(has_shell_shebang("#!/usr/bin/env -S bash -e\n"));
        assert!(!has_shell_shebang("#!/usr/bin/env python3\n"));
        assert!(!has_shell_shebang("echo hi"));
    }
}

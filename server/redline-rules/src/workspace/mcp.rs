//! The facts of coding agents' MCP server configurations: servers that act on a cloud, what
//! lets an agent call their tools without asking, and the static cloud keys they are given.

use redline_diagnostics::Edit;
use redline_syntax::terraform_eval::calls::folder_of;
use redline_syntax::value::{Node, NodeKind};
use redline_syntax::{Language, SourceFile};

use super::facts::{Fact, FactKind, InFileApproval, McpApproval, McpServer, StaticKey};

/// Who reads an MCP configuration file, and so which settings can approve its tools.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Client {
    /// Claude Code's project servers (`.mcp.json`): its settings approve their tools.
    Claude,
    /// Gemini CLI (`.gemini/settings.json`): `"trust": true` on a server.
    Gemini,
    /// Codex (`.codex/config.toml`): `approval_policy = "never"`.
    Codex,
    /// Kiro (`.kiro/settings/mcp.json`): `autoApprove` on a server.
    Kiro,
    /// Cursor (`.cursor/mcp.json`): tools are approved in the editor, never in the file.
    Cursor,
}

impl Client {
    fn of_path(path: &str) -> Option<Self> {
        let path = path.replace('\\', "/");
        let name = path.rsplit('/').next().unwrap_or_default();
        let parent = path.rsplit('/').nth(1).unwrap_or_default();
        match (parent, name) {
            (_, ".mcp.json") => Some(Client::Claude),
            (".gemini", "settings.json") => Some(Client::Gemini),
            (".codex", "config.toml") => Some(Client::Codex),
            (".cursor", "mcp.json") => Some(Client::Cursor),
            _ if path.split('/').any(|segment| segment == ".kiro") => Some(Client::Kiro),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Client::Claude => "Claude Code",
            Client::Gemini => "Gemini CLI",
            Client::Codex => "Codex",
            Client::Kiro => "Kiro",
            Client::Cursor => "Cursor",
        }
    }

    /// How the client's configuration refers to an environment variable, if it can.
    fn reference(self, variable: &str) -> Option<String> {
        match self {
            Client::Claude | Client::Gemini | Client::Kiro => Some(format!("${{{variable}}}")),
            Client::Cursor => Some(format!("${{env:{variable}}}")),
            // Codex passes variables through with `env_vars`, not by reference in `env`.
            Client::Codex => None,
        }
    }
}

/// When a known server can change what it acts on.
#[derive(Clone, Copy)]
enum Writes {
    /// Always: the tools that change resources are always there.
    Always,
    /// Unless it is started with this switch.
    UnlessArg(&'static str),
    /// Only when started with this switch.
    WithArg(&'static str),
    /// Unless this variable of its `env` is `true`.
    UnlessEnv(&'static str),
    /// Only when this variable of its `env` is `true`.
    WithEnv(&'static str),
}

/// A cloud MCP server known by the last part of its package or image name.
struct Known {
    /// The package or image name, without publisher path or version (`aws-api-mcp-server`).
    name: &'static str,
    /// Whether the name must come from AWS Labs (`awslabs.…` or `…/awslabs/…`).
    awslabs: bool,
    /// What it acts on, for messages.
    cloud: &'static str,
    writes: Writes,
}

/// The MCP servers that act on cloud infrastructure, with what makes them write.
/// Documentation, knowledge-base and pricing servers read only and are not listed.
const KNOWN: &[Known] = &[
    Known {
        name: "aws-api-mcp-server",
        awslabs: true,
        cloud: "AWS",
        writes: Writes::UnlessEnv("READ_OPERATIONS_ONLY"),
    },
    Known {
        name: "ccapi-mcp-server",
        awslabs: true,
        cloud: "AWS",
        writes: Writes::UnlessArg("--readonly"),
    },
    Known {
        name: "cfn-mcp-server",
        awslabs: true,
        cloud: "AWS",
        writes: Writes::UnlessArg("--readonly"),
    },
    Known {
        name: "eks-mcp-server",
        awslabs: true,
        cloud: "AWS",
        writes: Writes::WithArg("--allow-write"),
    },
    Known {
        name: "aws-serverless-mcp-server",
        awslabs: true,
        cloud: "AWS",
        writes: Writes::WithArg("--allow-write"),
    },
    Known {
        name: "ecs-mcp-server",
        awslabs: true,
        cloud: "AWS",
        writes: Writes::WithEnv("ALLOW_WRITE"),
    },
    Known {
        name: "terraform-mcp-server",
        awslabs: true,
        cloud: "AWS",
        writes: Writes::Always,
    },
    Known {
        name: "terraform-mcp-server",
        awslabs: false,
        cloud: "HCP Terraform",
        writes: Writes::WithEnv("ENABLE_TF_OPERATIONS"),
    },
    Known {
        name: "mcp-server-kubernetes",
        awslabs: false,
        cloud: "Kubernetes",
        writes: Writes::UnlessEnv("ALLOW_ONLY_READONLY_TOOLS"),
    },
    Known {
        name: "kubernetes-mcp-server",
        awslabs: false,
        cloud: "Kubernetes",
        writes: Writes::UnlessArg("--read-only"),
    },
    Known {
        name: "@azure/mcp",
        awslabs: false,
        cloud: "Azure",
        writes: Writes::UnlessArg("--read-only"),
    },
    Known {
        name: "@google-cloud/gcloud-mcp",
        awslabs: false,
        cloud: "Google Cloud",
        writes: Writes::Always,
    },
];

/// Words in a tool name that say the tool changes something. An auto-approve list that names
/// only reading tools leaves the changing ones under the client's confirmation.
const WRITE_WORDS: &[&str] = &[
    "apply", "call", "create", "delete", "deploy", "destroy", "exec", "generic", "install",
    "manage", "patch", "put", "remove", "run", "scale", "update", "upgrade", "write",
];

/// The MCP servers of an agent configuration that can change a cloud, in source order.
pub(super) fn server_facts(file: &SourceFile<'_>, res: &mut Vec<Fact>) {
    let Some(client) = Client::of_path(file.path) else {
        return;
    };
    let key = match file.language {
        Language::Toml => "mcp_servers",
        _ => "mcpServers",
    };
    for document in &file.documents {
        let Some(servers) = document.get(key) else {
            continue;
        };
        // Codex asks before an MCP tool call unless it never asks at all.
        let never_asks = document
            .get("approval_policy")
            .filter(|policy| client == Client::Codex && policy.as_str() == Some("never"));
        for server in servers.entries() {
            let Some(name) = server.key.as_str() else {
                continue;
            };
            let Some((known, package)) = identify(&server.value) else {
                continue;
            };
            if !writes(&server.value, known) {
                continue;
            }
            let approval = match client {
                Client::Codex => never_asks.map(|policy| InFileApproval {
                    range: policy.range,
                    what: "approval_policy = \"never\"".to_owned(),
                    fix: Some(Edit::replace(policy.range, "\"on-request\"")),
                }),
                Client::Gemini => trust(&server.value),
                Client::Kiro => auto_approve(&server.value),
                Client::Claude | Client::Cursor => None,
            };
            let claude_project =
                (client == Client::Claude).then(|| folder_of(file.path).to_owned());
            res.push(Fact {
                range: server.key.range,
                kind: FactKind::McpServer(McpServer {
                    client: client.name(),
                    name: name.to_owned(),
                    package,
                    cloud: known.cloud,
                    read_only: read_only(known),
                    approval,
                    claude_project,
                    keys: static_keys(&server.value, client),
                }),
            });
        }
    }
}

/// The MCP tools a Claude Code settings file lets the agent call without asking: allow rules
/// naming a whole server (`mcp__aws`, `mcp__aws__*`) and bypass mode, unless an `ask` or `deny`
/// rule names the same server.
pub(super) fn claude_approval_facts(
    file: &SourceFile<'_>,
    permissions: &Node,
    res: &mut Vec<Fact>,
) {
    let reviewed: Vec<&str> = ["ask", "deny"]
        .iter()
        .flat_map(|key| permissions.get(key).map(Node::items).unwrap_or_default())
        .filter_map(Node::as_str)
        .filter_map(whole_server)
        .collect();
    if let Some(mode) = permissions
        .get("defaultMode")
        .filter(|mode| mode.as_str() == Some("bypassPermissions"))
    {
        res.push(Fact {
            range: mode.range,
            kind: FactKind::McpApproval(McpApproval {
                server: None,
                reviewed: reviewed.iter().map(|server| (*server).to_owned()).collect(),
                what: "\"defaultMode\": \"bypassPermissions\"".to_owned(),
                fix: vec![Edit::replace(mode.range, "\"default\"")],
            }),
        });
    }
    for entry in permissions
        .get("allow")
        .map(Node::items)
        .unwrap_or_default()
    {
        let Some(rule) = entry.as_str() else {
            continue;
        };
        let Some(server) = whole_server(rule) else {
            continue;
        };
        if reviewed.contains(&server) {
            continue;
        }
        let fix = ask_edit(file, permissions, &format!("\"mcp__{server}\""))
            .into_iter()
            .collect();
        res.push(Fact {
            range: entry.range,
            kind: FactKind::McpApproval(McpApproval {
                server: Some(server.to_owned()),
                reviewed: Vec::new(),
                what: rule.to_owned(),
                fix,
            }),
        });
    }
}

/// The edit that adds `quoted` as the first `ask` rule of Claude Code's permissions.
pub(super) fn ask_edit(file: &SourceFile<'_>, permissions: &Node, quoted: &str) -> Option<Edit> {
    match permissions.get("ask") {
        Some(ask) => ask
            .items()
            .first()
            .map(|first| Edit::insert(first.range.start(), format!("{quoted}, "))),
        None => super::facts::insert_entry(file, permissions, "ask", &format!("[{quoted}]")),
    }
}

/// The server a Claude Code permission rule names as a whole: `mcp__aws` or `mcp__aws__*`.
fn whole_server(rule: &str) -> Option<&str> {
    let rest = rule.trim().strip_prefix("mcp__")?;
    let server = rest.strip_suffix("__*").unwrap_or(rest);
    (!server.is_empty() && !server.contains("__")).then_some(server)
}

/// The known cloud server a configuration starts, and the package or image as written.
fn identify(server: &Node) -> Option<(&'static Known, String)> {
    let command = server.get("command").and_then(Node::as_str);
    let args = server.get("args").map(Node::items).unwrap_or_default();
    command
        .into_iter()
        .chain(args.iter().filter_map(Node::as_str))
        .find_map(|word| {
            let package = without_version(word.trim());
            let lower = package.to_ascii_lowercase();
            let last = lower.rsplit('/').next().unwrap_or_default();
            let (last, from_awslabs) = match last.strip_prefix("awslabs.") {
                Some(rest) => (rest, true),
                None => (last, lower.contains("awslabs")),
            };
            let known = KNOWN.iter().find(|known| {
                if known.name.starts_with('@') {
                    return lower == known.name;
                }
                known.name == last && known.awslabs == from_awslabs
            })?;
            Some((known, package.to_owned()))
        })
}

/// A package or image name without its version or tag: `awslabs.x@latest`, `@azure/mcp@1`,
/// `public.ecr.aws/awslabs/x:latest`.
fn without_version(word: &str) -> &str {
    let word = match word.char_indices().skip(1).find(|(_, c)| *c == '@') {
        Some((index, _)) => &word[..index],
        None => word,
    };
    let last_slash = word.rfind('/').map_or(0, |index| index + 1);
    match word[last_slash..].find(':') {
        Some(index) => &word[..last_slash + index],
        None => word,
    }
}

/// Whether a known server, as configured, has tools that change what it acts on.
fn writes(server: &Node, known: &Known) -> bool {
    let args: Vec<&str> = server
        .get("args")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let has_arg = |flag: &str| {
        args.iter()
            .any(|arg| *arg == flag || arg.strip_prefix(flag).is_some_and(|rest| rest == "=true"))
    };
    let env_true = |variable: &str| {
        server
            .get("env")
            .and_then(|env| env.get(variable))
            .is_some_and(|value| {
                value.as_bool() == Some(true)
                    || value
                        .as_str()
                        .is_some_and(|text| text.eq_ignore_ascii_case("true"))
            })
    };
    // The AWS API server asks the user before each mutating call when told to.
    if known.name == "aws-api-mcp-server" && env_true("REQUIRE_MUTATION_CONSENT") {
        return false;
    }
    match known.writes {
        Writes::Always => true,
        Writes::UnlessArg(flag) => !has_arg(flag),
        Writes::WithArg(flag) => has_arg(flag),
        Writes::UnlessEnv(variable) => !env_true(variable),
        Writes::WithEnv(variable) => env_true(variable),
    }
}

/// How to start a known server without its changing tools, in words.
fn read_only(known: &Known) -> Option<String> {
    match known.writes {
        Writes::Always => None,
        Writes::UnlessArg(flag) => Some(format!("start it with `{flag}`")),
        Writes::WithArg(flag) => Some(format!("start it without `{flag}`")),
        Writes::UnlessEnv(variable) => Some(format!("set `{variable}` to `true` in its `env`")),
        Writes::WithEnv(variable) => Some(format!("remove `{variable}` from its `env`")),
    }
}

/// Gemini CLI's `"trust": true`, which skips every confirmation for the server's tools.
fn trust(server: &Node) -> Option<InFileApproval> {
    let entry = server
        .entry("trust")
        .filter(|entry| entry.value.as_bool() == Some(true))?;
    Some(InFileApproval {
        range: entry.value.range,
        what: "\"trust\": true".to_owned(),
        fix: Some(Edit::replace(entry.value.range, "false")),
    })
}

/// An `autoApprove` or `alwaysAllow` list that names a tool that changes something (or `*`).
fn auto_approve(server: &Node) -> Option<InFileApproval> {
    ["autoApprove", "alwaysAllow"].iter().find_map(|key| {
        let entry = server.entry(key)?;
        let tool = entry
            .value
            .items()
            .iter()
            .filter_map(Node::as_str)
            .find(|tool| {
                let tool = tool.to_ascii_lowercase();
                tool.contains('*') || WRITE_WORDS.iter().any(|word| tool.contains(word))
            })?;
        Some(InFileApproval {
            range: entry.value.range,
            what: format!("\"{key}\" lists `{tool}`"),
            fix: matches!(entry.value.kind, NodeKind::Sequence(_))
                .then(|| Edit::replace(entry.value.range, "[]")),
        })
    })
}

/// Literal cloud keys in a server's `env`: written out, not `${…}` references or placeholders.
fn static_keys(server: &Node, client: Client) -> Vec<StaticKey> {
    let mut res = Vec::new();
    for variable in server.get("env").map(Node::entries).unwrap_or_default() {
        let (Some(key), Some(value)) = (variable.key.as_str(), variable.value.as_str()) else {
            continue;
        };
        let Some(secret) = key_kind(key, value) else {
            continue;
        };
        let fix = client
            .reference(key)
            .map(|reference| Edit::replace(variable.value.range, format!("\"{reference}\"")));
        res.push(StaticKey {
            range: variable.value.range,
            variable: key.to_owned(),
            secret,
            fix,
        });
    }
    res
}

/// Whether `value` is a written-out cloud key for variable `key`: `Some(true)` for a secret
/// that gives the holder the key's permissions, `Some(false)` for an access key id (which
/// names a key but gives nothing alone), `None` for anything else.
fn key_kind(key: &str, value: &str) -> Option<bool> {
    let value = value.trim();
    if value.is_empty() || value.contains('$') || value.contains("{{") || placeholder(value) {
        return None;
    }
    let base64 = |text: &str| {
        text.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '+' | '='))
    };
    match key {
        "AWS_SECRET_ACCESS_KEY" => (value.len() == 40 && base64(value)).then_some(true),
        "AWS_ACCESS_KEY_ID" => (value.len() == 20
            && (value.starts_with("AKIA") || value.starts_with("ASIA"))
            && value
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()))
        .then_some(false),
        "AZURE_CLIENT_SECRET" => {
            (value.len() >= 30 && !value.contains(char::is_whitespace)).then_some(true)
        }
        // A service account key file: the file holds the private key.
        "GOOGLE_APPLICATION_CREDENTIALS" => value
            .to_ascii_lowercase()
            .ends_with(".json")
            .then_some(true),
        _ => None,
    }
}

/// Whether a value is a placeholder written for the reader to replace.
fn placeholder(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    [
        "example",
        "your",
        "placeholder",
        "changeme",
        "change-me",
        "replace",
        "xxxx",
        "<",
        "...",
        "path/to",
        "dummy",
        "fake",
    ]
    .iter()
    .any(|word| lower.contains(word))
}

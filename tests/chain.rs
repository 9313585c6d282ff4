//! End-to-end tests on a repository sample (an agent's configuration, a workflow, Terraform):
//! repository findings (`RL-WS-…`), facts of several files joined into one finding on the
//! actor file, in text and JSON reports, with fixes and suppressions, and in `gate` and the
//! hook for a write that opens the path (also through an MCP server and a GitLab job); and the blast radius of an edit of its network in
//! `gate` and the hook (the editor's side is in `tests/lsp.rs`).
#![allow(clippy::unwrap_used)]

use serde_json::Value;

mod support {
    pub mod sandbox;
}

use support::sandbox::{Sandbox, stdout};

const RULE: &str = "RL-WS-001";

/// The JSON report of `redline check` in the sandbox.
fn report(sandbox: &Sandbox) -> Value {
    let output = sandbox.run(&["check", "--format", "json", "--fail-on", "never", "."]);
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The findings of the repository rule.
fn chain_findings(report: &Value) -> Vec<Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|finding| finding["rule"] == RULE)
        .cloned()
        .collect()
}

/// `(path, line, column)` of each related place of a finding.
fn related(finding: &Value) -> Vec<(String, u64, u64)> {
    finding["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|place| {
            (
                place["path"].as_str().unwrap().to_owned(),
                place["range"]["start"]["line"].as_u64().unwrap(),
                place["range"]["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect()
}

/// An agent allowed to run `terraform`, a workflow that runs it with an administrator role
/// and no environment: one finding, on the agent's configuration, with the workflow job, the
/// role and its `AdministratorAccess` as related places.
#[test]
fn chain_is_reported_once_on_the_actor_with_each_link() {
    let sandbox = Sandbox::with_data("chain");
    let report = report(&sandbox);
    let findings = chain_findings(&report);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let finding = &findings[0];
    assert_eq!(finding["path"], ".claude/settings.json");
    assert_eq!(finding["category"], "approval");
    assert_eq!(finding["severity"], "error");
    assert_eq!(finding["range"]["start"]["line"], 3);
    // Columns count characters: `Ä` before the finding is one.
    assert_eq!(finding["range"]["start"]["column"], 40);
    assert_eq!(
        related(finding),
        [
            (".github/workflows/agent.yml".to_owned(), 7, 3),
            ("infra/github.tf".to_owned(), 6, 25),
            ("infra/github.tf".to_owned(), 23, 16),
        ]
    );
    let message = finding["message"].as_str().unwrap();
    assert!(
        message.contains("job `claude`") && message.contains("`AdministratorAccess`"),
        "{message}"
    );
    let fixes = finding["fixes"].as_array().unwrap();
    assert_eq!(fixes.len(), 1);
    assert_eq!(fixes[0]["applicability"], "unsafe");

    let text = stdout(&sandbox.run(&["check", "--fail-on", "never", "."]));
    let at = text.find("error[RL-WS-001]").unwrap();
    let block = &text[at..];
    let block = &block[..block.find("\n\n").unwrap()];
    assert!(
        block.contains("= .github/workflows/agent.yml:7:3: job `claude` runs Claude Code")
            && block.contains("= infra/github.tf:6:25: job `claude` assumes this role")
            && block.contains("= infra/github.tf:23:16: `AdministratorAccess` gives"),
        "{block}"
    );
    assert!(
        text.contains(".claude/settings.json:3:40: error[RL-WS-001]"),
        "{text}"
    );
}

/// Every link must be there: a job with an environment, a trust policy that names the
/// repository with a scoped policy, or an agent that must ask before applying, and there is no
/// finding.
#[test]
fn a_missing_link_means_no_finding() {
    let gated = Sandbox::with_data("chain");
    let workflow = gated.read(".github/workflows/agent.yml");
    gated.write(
        ".github/workflows/agent.yml",
        workflow.replace("  claude:\n", "  claude:\n    environment: production\n"),
    );
    assert_eq!(chain_findings(&report(&gated)), Vec::<Value>::new());

    let scoped = Sandbox::with_data("chain");
    let terraform = scoped.read("infra/github.tf");
    scoped.write(
        "infra/github.tf",
        terraform.replace("AdministratorAccess", "ReadOnlyAccess").replace(
            "StringEquals = { \"token.actions.githubusercontent.com:aud\" = \"sts.amazonaws.com\" }",
            "StringEquals = { \"token.actions.githubusercontent.com:aud\" = \"sts.amazonaws.com\", \"token.actions.githubusercontent.com:sub\" = \"repo:acme/infra:environment:production\" }",
        ),
    );
    assert_eq!(chain_findings(&report(&scoped)), Vec::<Value>::new());

    let asking = Sandbox::with_data("chain");
    asking.write(
        ".claude/settings.json",
        r#"{"permissions": {"allow": ["Bash(terraform:*)"], "ask": ["Bash(terraform apply:*)"]}}"#,
    );
    assert_eq!(chain_findings(&report(&asking)), Vec::<Value>::new());
}

/// `[[ignore]]` in `redline.toml` silences the finding on its file, as for any rule; a
/// suppression comment silences it on a YAML actor.
#[test]
fn suppressions_apply_on_the_actor_file() {
    let sandbox = Sandbox::with_data("chain");
    sandbox.write(
        "redline.toml",
        "[[ignore]]\npath = \".claude/settings.json\"\nrule = \"RL-WS-001\"\nreason = \"sandbox account\"\n",
    );
    assert_eq!(chain_findings(&report(&sandbox)), Vec::<Value>::new());

    // With the agent's configuration gone, the workflow's own switch makes the job the actor.
    let sandbox = Sandbox::with_data("chain");
    std::fs::remove_file(sandbox.path().join(".claude/settings.json")).unwrap();
    let workflow = sandbox.read(".github/workflows/agent.yml");
    let switched = workflow.replace(
        "          anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}\n",
        "          anthropic_api_key: ${{ secrets.ANTHROPIC_API_KEY }}\n          claude_args: --dangerously-skip-permissions\n",
    );
    sandbox.write(".github/workflows/agent.yml", &switched);
    let findings = chain_findings(&report(&sandbox));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["path"], ".github/workflows/agent.yml");
    sandbox.write(
        ".github/workflows/agent.yml",
        switched.replace(
            "  claude:\n",
            "  # redline:ignore RL-WS-001 -- sandbox account, reviewed by the platform team\n  claude:\n",
        ),
    );
    assert_eq!(chain_findings(&report(&sandbox)), Vec::<Value>::new());
}

/// `--fix --unsafe-fixes` applies the actor's fix (the `ask` rules), and the chain is broken.
#[test]
fn unsafe_fix_breaks_the_chain() {
    let sandbox = Sandbox::with_data("chain");
    apply_unsafe_fixes(&sandbox);
    let settings = sandbox.read(".claude/settings.json");
    assert!(
        settings.contains("\"ask\": [\"Bash(terraform apply:*)\""),
        "{settings}"
    );
    assert_eq!(chain_findings(&report(&sandbox)), Vec::<Value>::new());
}

/// Runs `redline check --fix --unsafe-fixes` on the sandbox, which succeeds.
fn apply_unsafe_fixes(sandbox: &Sandbox) {
    let output = sandbox.run(&[
        "check",
        "--fix",
        "--unsafe-fixes",
        "--fail-on",
        "never",
        ".",
    ]);
    assert!(output.status.success(), "{output:?}");
}

/// Runs `redline hook claude` in the sandbox for a `Write` of `relative` with `content`, and
/// gives the decision and its reason (`allow` with no reason when the hook says nothing).
fn hook_write(sandbox: &Sandbox, relative: &str, content: &str) -> (String, String) {
    let input = serde_json::json!({
        "session_id": "s",
        "transcript_path": "/dev/null",
        "cwd": sandbox.path().to_str().unwrap(),
        "hook_event_name": "PreToolUse",
        "tool_name": "Write",
        "tool_input": {
            "file_path": sandbox.path().join(relative).to_str().unwrap(),
            "content": content,
        },
    });
    let output = sandbox
        .command(&["hook", "claude"])
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let answer = stdout(&output);
    if answer.trim().is_empty() {
        return ("allow".to_owned(), String::new());
    }
    let answer: Value = serde_json::from_str(&answer).unwrap();
    let decision = &answer["hookSpecificOutput"];
    (
        decision["permissionDecision"].as_str().unwrap().to_owned(),
        decision["permissionDecisionReason"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

/// An agent's write that completes the path (the workflow loses its environment, or the agent
/// may now apply unattended) is denied with the repository finding, on the actor's file even
/// when another file is written; a write that leaves a path as it was, or that closes one, is
/// not blamed for it.
#[test]
fn the_hook_denies_a_write_that_opens_the_path() {
    // The agent may not apply yet: the write that lets it is denied.
    let sandbox = Sandbox::with_data("chain");
    let asking =
        r#"{"permissions": {"allow": ["Bash(terraform:*)"], "ask": ["Bash(terraform apply:*)"]}}"#;
    sandbox.write(".claude/settings.json", asking);
    assert_eq!(chain_findings(&report(&sandbox)), Vec::<Value>::new());
    let (decision, reason) = hook_write(
        &sandbox,
        ".claude/settings.json",
        r#"{"permissions": {"allow": ["Bash(terraform:*)"]}}"#,
    );
    assert_eq!(decision, "deny", "{reason}");
    assert!(
        reason.contains(".claude/settings.json:1: error[RL-WS-001]"),
        "{reason}"
    );

    // The job is gated: the write that removes its environment is denied, and the finding is
    // on the agent's configuration, which the write does not touch.
    let sandbox = Sandbox::with_data("chain");
    let workflow = sandbox.read(".github/workflows/agent.yml");
    let gated = workflow.replace("  claude:\n", "  claude:\n    environment: production\n");
    sandbox.write(".github/workflows/agent.yml", &gated);
    assert_eq!(chain_findings(&report(&sandbox)), Vec::<Value>::new());
    let (decision, reason) = hook_write(&sandbox, ".github/workflows/agent.yml", &workflow);
    assert_eq!(decision, "deny", "{reason}");
    assert!(
        reason.contains(".claude/settings.json:3: error[RL-WS-001]"),
        "{reason}"
    );

    // The path is already open: a write that leaves it open does not introduce it, and one
    // that gates the job is allowed.
    let sandbox = Sandbox::with_data("chain");
    let (_, reason) = hook_write(
        &sandbox,
        ".github/workflows/agent.yml",
        &workflow.replace("name: agent", "name: agent on comments"),
    );
    assert!(!reason.contains("RL-WS-001"), "{reason}");
    let (decision, reason) = hook_write(&sandbox, ".github/workflows/agent.yml", &gated);
    assert_eq!(decision, "allow", "{reason}");
}

/// An MCP server of `.mcp.json` that changes AWS, whose tools Claude Code's settings allow:
/// with its key as a reference there is no path; the hook denies the write of `.mcp.json` that
/// writes the key out, with the finding on the allow rule; `check` then reports it there, with
/// the server and its key as related places.
#[test]
fn an_approved_cloud_mcp_server_with_a_literal_key_is_an_actor() {
    let sandbox = Sandbox::new();
    // A `redline.toml` marks the repository's root, as a `.git` folder would.
    sandbox.write("redline.toml", "");
    sandbox.write(
        ".claude/settings.json",
        r#"{"permissions": {"allow": ["mcp__aws"]}}"#,
    );
    let server = |key: &str| {
        format!(
            r#"{{"mcpServers": {{"aws": {{"command": "uvx", "args": ["awslabs.aws-api-mcp-server@latest"], "env": {{"AWS_SECRET_ACCESS_KEY": "{key}"}}}}}}}}"#
        )
    };
    sandbox.write(".mcp.json", server("${AWS_SECRET_ACCESS_KEY}"));
    assert_eq!(chain_findings(&report(&sandbox)), Vec::<Value>::new());

    let literal = server("q8Zr3tVb1kLw9XyP0aNf6Hc2Gd7Js4Mu5Ke8Qi1o");
    let (decision, reason) = hook_write(&sandbox, ".mcp.json", &literal);
    assert_eq!(decision, "deny", "{reason}");
    assert!(
        reason.contains(".claude/settings.json:1: error[RL-WS-001]"),
        "{reason}"
    );

    sandbox.write(".mcp.json", &literal);
    let findings = chain_findings(&report(&sandbox));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["path"], ".claude/settings.json");
    let places: Vec<String> = related(&findings[0])
        .into_iter()
        .map(|(path, ..)| path)
        .collect();
    assert_eq!(places, [".mcp.json", ".mcp.json"]);
}

/// A GitLab job that applies Terraform with no manual gate, assuming a role that has
/// `AdministratorAccess`: one finding on the job, and `--fix --unsafe-fixes` gates it.
#[test]
fn a_gitlab_deploy_without_a_gate_is_an_actor() {
    let sandbox = Sandbox::with_data("chain");
    for file in [".claude/settings.json", ".github/workflows/agent.yml"] {
        std::fs::remove_file(sandbox.path().join(file)).unwrap();
    }
    sandbox.write(
        ".gitlab-ci.yml",
        "deploy:\n  variables:\n    ROLE_ARN: arn:aws:iam::111122223333:role/github-agent\n  \
         script:\n    - terraform apply -auto-approve\n",
    );
    let findings = chain_findings(&report(&sandbox));
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["path"], ".gitlab-ci.yml");
    assert_eq!(findings[0]["range"]["start"]["line"], 1);

    apply_unsafe_fixes(&sandbox);
    let pipeline = sandbox.read(".gitlab-ci.yml");
    assert!(
        pipeline.contains("when: manual\n  allow_failure: false"),
        "{pipeline}"
    );
    assert_eq!(chain_findings(&report(&sandbox)), Vec::<Value>::new());
}

/// The blast radius of an edit of the sample's network: `gate` gives what goes with the
/// replaced VPC as the finding's JSON impact, and the hook names it in its reason.
#[test]
fn an_edit_names_what_goes_with_the_replaced_vpc() {
    let sandbox = Sandbox::with_data("chain");
    let edited = sandbox
        .read("infra/network.tf")
        .replace("10.0.0.0/16", "10.1.0.0/16");
    let output = sandbox
        .command(&["gate", "--path", "infra/network.tf", "--format", "json"])
        .write_stdin(edited.clone())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert_eq!(findings.len(), 1, "{findings:#?}");
    assert_eq!(findings[0]["rule"], "RL-TF-005");
    let impact = &findings[0]["impact"];
    assert_eq!(impact["root"], "aws_vpc.main");
    assert_eq!(
        impact["replaced"],
        serde_json::json!(["aws_subnet.a", "aws_instance.orders"])
    );
    assert_eq!(impact["path"][1]["via"], "aws_subnet.a.id");

    let (decision, reason) = hook_write(&sandbox, "infra/network.tf", &edited);
    assert_eq!(decision, "deny", "{reason}");
    assert!(
        reason.contains(
            "replacing `aws_vpc.main` also replaces 2 resources: `aws_subnet.a` via `aws_vpc.main.id`, `aws_instance.orders` via `aws_subnet.a.id`"
        ),
        "{reason}"
    );
}

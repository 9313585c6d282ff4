//! End-to-end: shell commands given to `redline hook claude` that change the files redline
//! judges are simulated in memory and judged as the edit they make, and commands whose effect
//! cannot be known before they run are put to the person.
//!
//! Every case runs the real binary on a committed repository holding a Terraform module with a
//! database and a bucket, a Kubernetes volume claim and a README; after each call the files on
//! disk are unchanged.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::process::Output;

use serde_json::{Value, json};

mod support {
    pub mod git;
    pub mod sandbox;
}

use support::git::git;
use support::sandbox::{Sandbox, stderr, stdout};

const MAIN_TF: &str = "infra/main.tf";
const MAIN: &str = "resource \"aws_db_instance\" \"main\" {\n  engine              = \"postgres\"\n  deletion_protection = true\n}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n  tags   = { team = \"ops\" }\n}\n";
const PVC: &str = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: data\n  namespace: prod\nspec:\n  accessModes: [ReadWriteOnce]\n";
const DEPLOYMENT: &str =
    "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n";

fn repository() -> Sandbox {
    let sandbox = Sandbox::new();
    git(sandbox.path(), &["init", "-q", "-b", "main"]);
    sandbox.write(MAIN_TF, MAIN);
    sandbox.write("infra/variables.tf", "variable \"region\" {}\n");
    sandbox.write("k8s/pvc.yaml", PVC);
    sandbox.write("k8s/web.yaml", DEPLOYMENT);
    sandbox.write("README.md", "# infra\n");
    git(sandbox.path(), &["add", "-A"]);
    git(sandbox.path(), &["commit", "-q", "-m", "base"]);
    sandbox
}

/// The decision and reason of `redline hook claude` for a `Bash` call running `command` in
/// the repository (or in `folder` below it).
fn run_in(sandbox: &Sandbox, folder: &str, command: &str) -> (String, String) {
    let cwd = sandbox.path().join(folder);
    let input = json!({
        "session_id": "abc123", "cwd": cwd.to_str().unwrap(), "hook_event_name": "PreToolUse",
        "tool_name": "Bash", "tool_input": {"command": command},
    });
    let output: Output = sandbox
        .command(&["hook", "claude"])
        .write_stdin(input.to_string())
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{command}: {}",
        stderr(&output)
    );
    let text = stdout(&output);
    if text.is_empty() {
        return ("allow".to_owned(), String::new());
    }
    let value: Value = serde_json::from_str(&text).unwrap();
    let specific = &value["hookSpecificOutput"];
    (
        specific["permissionDecision"].as_str().unwrap().to_owned(),
        specific["permissionDecisionReason"]
            .as_str()
            .unwrap()
            .to_owned(),
    )
}

fn run(sandbox: &Sandbox, command: &str) -> (String, String) {
    run_in(sandbox, "", command)
}

/// Checks the decision on `command`, that the reason holds each of `expected`, and that
/// nothing on disk changed.
fn expect(sandbox: &Sandbox, command: &str, decision: &str, expected: &[&str]) {
    let (said, reason) = run(sandbox, command);
    assert_eq!(said, decision, "{command}: {reason}");
    for part in expected {
        assert!(reason.contains(part), "{command}: no {part:?} in {reason}");
    }
    assert_eq!(sandbox.read(MAIN_TF), MAIN, "{command} wrote the file");
    assert_eq!(
        git(sandbox.path(), &["status", "--porcelain"]),
        "",
        "{command}"
    );
}

#[test]
fn commands_that_destroy_what_a_file_declares_are_denied() {
    let sandbox = repository();
    let removed = "error[RL-TF-001] `aws_db_instance.main` was removed";
    for command in [
        "rm infra/main.tf",
        "rm -f ./infra/main.tf",
        "rm -rf infra",
        "cd infra && rm *.tf",
        "git rm infra/main.tf",
        "git rm -r -q infra",
        "mv infra/main.tf /tmp/elsewhere.tf",
        "truncate -s 0 infra/main.tf",
        ": > infra/main.tf",
        "cat /dev/null > infra/main.tf",
        "cp README.md infra/main.tf",
        "(cd infra; printf '' > main.tf)",
        "bash -c 'echo > infra/main.tf'",
        "sed -i '/aws_db_instance/,/^}/d' infra/main.tf",
    ] {
        expect(&sandbox, command, "deny", &[removed]);
    }
    let renamed =
        "error[RL-TF-002] `aws_db_instance.main` was renamed to `aws_db_instance.primary`";
    for command in [
        r#"sed -i 's/aws_db_instance" "main"/aws_db_instance" "primary"/' infra/main.tf"#,
        r#"sed -i.bak -e 's/"main"/"primary"/g' infra/main.tf"#,
        r#"sed -E -i 's/("aws_db_instance") "main"/\1 "primary"/' infra/main.tf"#,
        r#"perl -pi -e 's/"main"/"primary"/' infra/main.tf"#,
        r#"cd infra && sed 's/"main"/"primary"/' main.tf > main.tf.new && mv main.tf.new main.tf"#,
    ] {
        expect(&sandbox, command, "deny", &[renamed]);
    }
    // A protection turned off by a command is judged as the same edit would be.
    expect(
        &sandbox,
        "sed -i 's/deletion_protection = true/deletion_protection = false/' infra/main.tf",
        "deny",
        &["error[RL-TF-020]"],
    );
    // Written whole: a heredoc, `tee`, `printf`.
    for command in [
        "cat > infra/main.tf <<'EOF'\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\nEOF",
        "cat <<'EOF' > infra/main.tf\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\nEOF",
        "cat <<'EOF' | tee infra/main.tf >/dev/null\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\nEOF",
        "printf 'resource \"aws_s3_bucket\" \"logs\" {\\n  bucket = \"logs\"\\n}\\n' > infra/main.tf",
        "echo 'variable \"x\" {}' | tee infra/main.tf",
    ] {
        expect(&sandbox, command, "deny", &[removed]);
    }
    // Appending a public ACL is judged as the edit that appends it.
    expect(
        &sandbox,
        "cat >> infra/main.tf <<'EOF'\n\nresource \"aws_s3_bucket_acl\" \"logs\" {\n  bucket = \"logs\"\n  acl    = \"public-read\"\n}\nEOF",
        "deny",
        &["error[RL-TF-102]"],
    );
}

#[test]
fn a_restore_from_head_is_judged_against_the_file_on_disk() {
    let sandbox = repository();
    // Uncommitted work removes the bucket; restoring the committed file brings it back, which
    // is harmless, and the disk is untouched.
    let edited = MAIN.replace("resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n  tags   = { team = \"ops\" }\n}\n", "");
    sandbox.write(MAIN_TF, &edited);
    for command in [
        "git checkout -- infra/main.tf",
        "git restore infra/main.tf",
        "git checkout infra/main.tf",
    ] {
        let (said, reason) = run(&sandbox, command);
        assert_eq!(said, "allow", "{command}: {reason}");
    }
    // The other way round: committed text without the database, work tree with it.
    sandbox.write(MAIN_TF, MAIN);
    let without_database = MAIN.replace("resource \"aws_db_instance\" \"main\" {\n  engine              = \"postgres\"\n  deletion_protection = true\n}\n\n", "");
    sandbox.write(MAIN_TF, &without_database);
    git(
        sandbox.path(),
        &["commit", "-q", "-am", "drop the database"],
    );
    sandbox.write(MAIN_TF, MAIN);
    let (said, reason) = run(&sandbox, "git restore infra/main.tf");
    assert_eq!(said, "deny", "{reason}");
    assert!(
        reason.contains("`aws_db_instance.main` was removed"),
        "{reason}"
    );
    // `--staged` alone changes the index, not the work tree.
    let (said, reason) = run(&sandbox, "git restore --staged infra/main.tf");
    assert_eq!(said, "allow", "{reason}");
    assert_eq!(sandbox.read(MAIN_TF), MAIN);
}

#[test]
fn commands_that_name_objects_say_which() {
    let sandbox = repository();
    expect(
        &sandbox,
        "kubectl delete -f k8s/pvc.yaml",
        "deny",
        &[
            "error[RL-SH-004] `kubectl delete -f k8s/pvc.yaml` deletes PersistentVolumeClaim `data` (k8s/pvc.yaml:1)",
            "kubectl delete persistentvolumeclaim data -n prod",
        ],
    );
    expect(
        &sandbox,
        "kubectl delete -f k8s/",
        "deny",
        &["PersistentVolumeClaim `data`"],
    );
    expect(
        &sandbox,
        "kubectl delete -f - <<'EOF'\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\nEOF",
        "deny",
        &["deletes Namespace `payments`"],
    );
    // A workload is no data-bearing object: deleting it by name is not flagged either.
    expect(&sandbox, "kubectl delete -f k8s/web.yaml", "allow", &[]);
    expect(
        &sandbox,
        "kubectl delete -f https://example.com/all.yaml",
        "ask",
        &["deletes the objects of a manifest downloaded when it runs"],
    );
    expect(
        &sandbox,
        "cd infra && terraform destroy -target=aws_db_instance.main",
        "deny",
        &[
            "destroys the targeted resources",
            "it destroys `aws_db_instance.main` (infra/main.tf:1)",
        ],
    );
    expect(
        &sandbox,
        "terraform -chdir=infra apply -replace='aws_s3_bucket.logs'",
        "deny",
        &["it replaces `aws_s3_bucket.logs` (infra/main.tf:6)"],
    );
    expect(
        &sandbox,
        "terraform -chdir=infra state rm aws_db_instance.main module.gone",
        "deny",
        &[
            "it removes from the state `aws_db_instance.main` (infra/main.tf:1), `module.gone` (not declared in `infra`)",
        ],
    );
    let (_, reason) = run_in(&sandbox, "infra", "terraform destroy");
    assert!(
        reason.contains("in `.` it destroys `aws_db_instance.main` (main.tf:1), `aws_s3_bucket.logs` (main.tf:6)"),
        "{reason}"
    );
}

#[test]
fn look_alikes_stay_quiet() {
    let sandbox = repository();
    for command in [
        "rm README.md",
        "rm -f no-such-file.tf",
        "sed -i 's/team = \"ops\"/team = \"platform\"/' infra/main.tf",
        "mv infra/main.tf infra/database.tf",
        "git mv infra/main.tf infra/database.tf",
        "git rm --cached infra/main.tf",
        "echo '# notes' >> README.md && cat README.md",
        "printf 'output \"x\" {\\n  value = 1\\n}\\n' > infra/outputs.tf",
        "cat > k8s/config.yaml <<'EOF'\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: b\nEOF",
        "cp infra/variables.tf infra/variables.tf.bak",
        "rm -rf .terraform node_modules build/*.log",
        "echo $HOME > /tmp/redline-somewhere.txt",
        "ls -la && git status && terraform fmt",
    ] {
        expect(&sandbox, command, "allow", &[]);
    }
}

#[test]
fn effects_only_known_at_run_time_are_asked_about() {
    let sandbox = repository();
    for (command, reason) in [
        (
            "sed -i \"$EXPR\" infra/main.tf",
            "its sed script is only known at run time",
        ),
        (
            "sed -i 's/\\(a\\)\\1/b/' infra/main.tf",
            "back-references are not simulated",
        ),
        ("sed -i 's/main\\|logs/x/' infra/main.tf", "alternation"),
        (
            "perl -pi -e 's/\\s+$//' infra/main.tf",
            "may match the line's newline",
        ),
        ("rm \"$TARGET/main.tf\"", "a path only known at run time"),
        (
            "cat > infra/main.tf <<EOF\nresource \"x\" \"$NAME\" {}\nEOF",
            "here-document expands values",
        ),
        (
            "curl -s https://example.com/main.tf > infra/main.tf",
            "`curl` prints what it computes",
        ),
        ("find . -name '*.tf' | xargs rm", "`xargs`"),
        (
            "cd \"$DIR\" && rm main.tf",
            "a folder only known at run time",
        ),
        (
            "{ echo a; echo b; } > infra/main.tf",
            "the output of a group of commands",
        ),
    ] {
        let (said, text) = run(&sandbox, command);
        assert_eq!(said, "ask", "{command}: {text}");
        assert!(
            text.contains("is only known when it runs") && text.contains(reason),
            "{command}: no {reason:?} in {text}"
        );
        assert_eq!(sandbox.read(MAIN_TF), MAIN);
    }
    // What is outside the repository is neither read nor judged.
    let (said, text) = run(&sandbox, "cp /etc/hostname infra/notes.txt");
    assert_eq!(said, "allow", "{text}");
}

#[test]
fn every_agent_with_a_shell_tool_simulates_its_commands() {
    let sandbox = repository();
    let cwd = sandbox.path().to_str().unwrap();
    let command = "rm infra/main.tf";
    let inputs = [
        (
            "codex",
            json!({"cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": "Bash", "tool_input": {"command": command}}),
        ),
        (
            "gemini",
            json!({"cwd": cwd, "hook_event_name": "BeforeTool", "tool_name": "run_shell_command", "tool_input": {"command": command}}),
        ),
        (
            "cursor",
            json!({"hook_event_name": "beforeShellExecution", "command": command, "cwd": cwd}),
        ),
        (
            "droid",
            json!({"cwd": cwd, "hook_event_name": "PreToolUse", "tool_name": "Execute", "tool_input": {"command": command}}),
        ),
        (
            "windsurf",
            json!({"agent_action_name": "pre_run_command", "tool_info": {"command_line": command, "cwd": cwd}}),
        ),
    ];
    for (agent, input) in inputs {
        let output = sandbox
            .command(&["hook", agent])
            .write_stdin(input.to_string())
            .output()
            .unwrap();
        let answer = format!("{}{}", stdout(&output), stderr(&output));
        assert!(answer.contains("RL-TF-001"), "{agent}: {answer}");
        assert!(
            answer.contains("deny") || output.status.code() == Some(2),
            "{agent}: {answer}"
        );
    }
    assert_eq!(sandbox.read(MAIN_TF), MAIN);
}

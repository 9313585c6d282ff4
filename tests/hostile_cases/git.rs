//! A repository whose configuration and attributes name a program at every place git may
//! start one. redline reads it through every front-end that asks git (`diff`, the pre-commit
//! hooks' commands, `hook`, `gate`, the language server); none of the programs may run. Then
//! plain git runs on the same repository and each program does run, so the attack is known to
//! work.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

use crate::support::git::git;
use crate::support::lsp_client::{LspClient, file_uri};
use crate::support::sandbox::{Sandbox, stderr, stdout};

/// The committed module: a database and a bucket.
const COMMITTED_TF: &str = "resource \"aws_db_instance\" \"main\" {\n  engine = \"postgres\"\n}\n";
/// The edit: the database renamed, which destroys it.
const RENAMED_TF: &str = "resource \"aws_db_instance\" \"primary\" {\n  engine = \"postgres\"\n}\n";
const BUCKET_TF: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n";

/// Every program a hostile configuration can name, by the marker its script writes.
const VECTORS: &[&str] = &[
    "fsmonitor",
    "hook",
    "pager",
    "external-diff",
    "textconv",
    "clean",
    "smudge",
    "process",
    "ssh",
    "credential",
];

/// A repository with one commit, a pending edit (a renamed database, a staged file rename),
/// and then a configuration that names a program for every vector. Each program appends its
/// name to `markers` (outside the repository, so that redline never reads it).
struct HostileRepo {
    sandbox: Sandbox,
}

impl HostileRepo {
    fn new() -> Self {
        let sandbox = Sandbox::new();
        let repo = sandbox.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::write(repo.join("main.tf"), COMMITTED_TF).unwrap();
        std::fs::write(repo.join("bucket.tf"), BUCKET_TF).unwrap();
        std::fs::write(repo.join("smudged.tf"), BUCKET_TF.replace("logs", "other")).unwrap();
        git(&repo, &["init", "-q", "-b", "main"]);
        git(&repo, &["add", "-A"]);
        git(&repo, &["commit", "-q", "-m", "base"]);
        // The edit: the database renamed in place, and a file renamed in the index, so that
        // git pairs the rename by reading the working tree's file.
        std::fs::write(repo.join("main.tf"), RENAMED_TF).unwrap();
        git(&repo, &["mv", "bucket.tf", "storage.tf"]);

        let programs = sandbox.path().join("programs");
        std::fs::create_dir_all(programs.join("hooks")).unwrap();
        let markers = sandbox.path().join("markers");
        std::fs::create_dir_all(&markers).unwrap();
        let program = |name: &str, body: &str| -> String {
            let path = programs.join(name);
            let script = format!(
                "#!/bin/sh\necho \"$0\" > '{}/{name}'\n{body}\n",
                markers.display()
            );
            std::fs::write(&path, script).unwrap();
            make_executable(&path);
            path.display().to_string()
        };
        let fsmonitor = program("fsmonitor", "exit 1");
        let pager = program("pager", "cat");
        let external = program("external-diff", "exit 0");
        let textconv = program("textconv", "cat \"$1\"");
        let clean = program("clean", "cat");
        let smudge = program("smudge", "cat");
        // A long-running filter that does not speak the protocol: git gives up on it, after
        // starting it.
        let process = program("process", "exit 1");
        let ssh = program("ssh", "exit 1");
        let credential = program("credential", "exit 0");
        for hook in [
            "pre-commit",
            "commit-msg",
            "post-commit",
            "post-checkout",
            "post-index-change",
        ] {
            let path = programs.join("hooks").join(hook);
            std::fs::write(
                &path,
                format!("#!/bin/sh\necho {hook} > '{}/hook'\n", markers.display()),
            )
            .unwrap();
            make_executable(&path);
        }
        let hooks = programs.join("hooks");
        let config = format!(
            "[core]\n\tfsmonitor = {fsmonitor}\n\thooksPath = {hooks}\n\tpager = {pager}\n\
             \tsshCommand = {ssh}\n\
             [pager]\n\tdiff = {pager}\n\
             [diff]\n\texternal = {external}\n\
             [diff \"evil\"]\n\ttextconv = {textconv}\n\
             [filter \"evil\"]\n\tclean = {clean}\n\tsmudge = {smudge}\n\
             [filter \"evil.long-running\"]\n\tprocess = {process}\n\
             [credential]\n\thelper = {credential}\n",
            hooks = hooks.display(),
        );
        let git_config = repo.join(".git/config");
        let mut text = std::fs::read_to_string(&git_config).unwrap();
        text.push_str(&config);
        std::fs::write(&git_config, text).unwrap();
        std::fs::write(
            repo.join(".gitattributes"),
            "*.tf filter=evil diff=evil\n*.yml filter=evil.long-running\n",
        )
        .unwrap();
        std::fs::write(repo.join("pipeline.yml"), "on: push\n").unwrap();
        Self { sandbox }
    }

    fn repo(&self) -> PathBuf {
        self.sandbox.path().join("repo")
    }

    fn markers(&self) -> Vec<String> {
        let mut res: Vec<String> = std::fs::read_dir(self.sandbox.path().join("markers"))
            .unwrap()
            .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        res.sort();
        res
    }

    fn assert_no_marker(&self, front_end: &str) {
        assert_eq!(
            self.markers(),
            Vec::<String>::new(),
            "{front_end} made git run a program the repository names"
        );
    }

    fn redline(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut command = self.sandbox.command(args);
        command.current_dir(self.repo());
        if let Some(stdin) = stdin {
            command.write_stdin(stdin);
        }
        command.output().unwrap()
    }
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn rule_ids(output: &Output) -> Vec<String> {
    let report: Value = serde_json::from_str(&stdout(output))
        .unwrap_or_else(|error| panic!("not JSON ({error}): {}", stdout(output)));
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|finding| finding["rule"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn git_never_runs_a_program_the_repository_names() {
    let hostile = HostileRepo::new();
    let repo = hostile.repo();

    // `redline diff` reads the base through git, and sees the rename.
    let output = hostile.redline(&["diff", "--format", "json"], None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        rule_ids(&output).contains(&"RL-TF-002".to_owned()),
        "{}",
        stdout(&output)
    );
    hostile.assert_no_marker("redline diff");
    let output = hostile.redline(&["diff", "--merge-base", "main", "--format", "json"], None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    hostile.assert_no_marker("redline diff --merge-base");

    // The commands the pre-commit hooks run (`.pre-commit-hooks.yaml`), with the staged files
    // as pre-commit passes them.
    let hooks = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.pre-commit-hooks.yaml"),
    )
    .unwrap();
    let entries: Vec<&str> = hooks
        .lines()
        .filter_map(|line| line.trim().strip_prefix("entry: redline "))
        .collect();
    assert_eq!(entries, ["check", "diff --base HEAD"]);
    for entry in entries {
        let mut args: Vec<&str> = entry.split(' ').collect();
        args.extend(["main.tf", "storage.tf"]);
        let output = hostile.redline(&args, None);
        assert!(
            matches!(output.status.code(), Some(0 | 1)),
            "{}",
            stderr(&output)
        );
        hostile.assert_no_marker(&format!("the pre-commit hook `redline {entry}`"));
    }

    // The agent hook and the gate, on the same files.
    let call = json!({
        "tool_name": "Write",
        "cwd": repo.display().to_string(),
        "tool_input": {"file_path": repo.join("main.tf").display().to_string(),
                       "content": COMMITTED_TF.replace("main", "renamed")},
    });
    let output = hostile.redline(&["hook", "claude"], Some(&call.to_string()));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("deny"), "{}", stdout(&output));
    hostile.assert_no_marker("redline hook claude");
    let output = hostile.redline(&["gate", "--path", "main.tf"], Some(""));
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    hostile.assert_no_marker("redline gate");

    // The language server reads the committed text as the base of an open file.
    let mut client = LspClient::start(&repo);
    client.initialize(&repo, json!({}), json!({"scanWorkspace": false}));
    let uri = file_uri(&repo.join("main.tf"));
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "terraform", "version": 1,
                                "text": RENAMED_TF}}),
    );
    let diagnostics = client.diagnostics(&uri, json!(1));
    let codes: Vec<&Value> = diagnostics.iter().map(|d| &d["code"]).collect();
    assert!(codes.contains(&&json!("RL-TF-002")), "{diagnostics:?}");
    assert_eq!(client.shutdown().code(), Some(0));
    hostile.assert_no_marker("redline lsp");

    // Plain git on the same repository runs every one of them.
    let plain = [
        // The fsmonitor hook, the clean filters (refreshing the index) and the external diff.
        vec!["git", "diff"],
        // The textconv driver, when no external diff takes over.
        vec!["git", "diff", "--no-ext-diff"],
        // The pager, on a terminal (`script` gives git one).
        vec!["script", "-qec", "git -p log -1", "/dev/null"],
        // The long-running process filter.
        vec!["git", "add", "pipeline.yml"],
        // Hooks.
        vec!["git", "commit", "-q", "-m", "edit"],
        // The smudge filter.
        vec!["git", "checkout", "-q", "HEAD~1", "--", "smudged.tf"],
        // The SSH command: git starts it to reach the remote (which does not exist).
        vec!["git", "ls-remote", "ssh://example.invalid/repo"],
    ];
    for command in plain {
        let _ = Command::new(command[0])
            .args(&command[1..])
            .current_dir(&repo)
            .env("GIT_AUTHOR_NAME", "attacker")
            .env("GIT_AUTHOR_EMAIL", "attacker@example.com")
            .env("GIT_COMMITTER_NAME", "attacker")
            .env("GIT_COMMITTER_EMAIL", "attacker@example.com")
            .env("GIT_TERMINAL_PROMPT", "0")
            .stdin(Stdio::null())
            .output()
            .unwrap();
    }
    // A credential helper, as git asks it after a password prompt.
    let mut credential = Command::new("git")
        .args(["credential", "approve"])
        .current_dir(&repo)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write as _;
    credential
        .stdin
        .take()
        .unwrap()
        .write_all(b"protocol=https\nhost=example.invalid\nusername=u\npassword=p\n\n")
        .unwrap();
    credential.wait().unwrap();
    assert_eq!(hostile.markers(), {
        let mut all: Vec<String> = VECTORS.iter().map(|name| (*name).to_owned()).collect();
        all.sort();
        all
    });
}

/// `core.worktree` can move a repository's working tree anywhere, `/` included; redline only
/// reads the folder that holds `.git`.
#[test]
fn a_working_tree_moved_outside_the_repository_is_refused() {
    let sandbox = Sandbox::new();
    let repo = sandbox.path().join("repo");
    let outside = sandbox.path().join("outside");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(repo.join("main.tf"), COMMITTED_TF).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "base"]);
    std::fs::write(
        outside.join("secret.sh"),
        "rm -rf \"$HOME/\"  # the-outside-secret\n",
    )
    .unwrap();
    git(
        &repo,
        &["config", "core.worktree", &outside.display().to_string()],
    );
    // Plain git now lists the outside folder's file as part of the repository.
    let status = git(&repo, &["status", "--porcelain", "--untracked-files=all"]);
    assert!(status.contains("secret.sh"), "{status}");

    let mut command = sandbox.command(&["diff"]);
    command.current_dir(&repo);
    let output = command.output().unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
    assert!(
        stderr(&output).contains("core.worktree"),
        "{}",
        stderr(&output)
    );
    assert!(!stdout(&output).contains("the-outside-secret"));
    assert!(!stderr(&output).contains("the-outside-secret"));
}

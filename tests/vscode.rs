//! End-to-end: a real VS Code (code-server 4.100.3, VS Code 1.100.3, in Debian's Chromium driven
//! by playwright-core) with the packaged extension in a stock profile; `vscode/e2e.js` drives it.
//!
//! The tools come from `./x test` (or `./x provision`): `REDLINE_CODE_SERVER` (the
//! `code-server` package folder), `REDLINE_PLAYWRIGHT` (the `playwright-core` package folder)
//! and `REDLINE_CHROMIUM`; when unset, the test looks in `~/.cache/redline` as `./x` fills it.
//! The extension is `editors/vscode/redline.vsix`, which `./x test` packages. Without them the
//! test fails: it never passes by skipping.
//!
//! Screenshots of each step are kept in `<target>/editors/vscode/`, and the timings are printed
//! and appended to `<target>/editors/timings.txt`.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use support_git::git;

#[path = "support/git.rs"]
mod support_git;

const MAIN_TF: &str = "# The bucket below may be destroyed with its contents.\n\
resource \"aws_backup_vault\" \"🚀中文\" { force_destroy = true }\n";
const STORE_TF: &str = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n";
/// Buckets in `big.tf` before its one error; each has an info finding (no `prevent_destroy`),
/// more than the 1,000 markers VS Code keeps per file.
const BIG_BUCKETS: usize = 1240;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn cache() -> PathBuf {
    std::env::var_os("REDLINE_CACHE").map_or_else(
        || PathBuf::from(std::env::var_os("HOME").unwrap()).join(".cache/redline"),
        PathBuf::from,
    )
}

/// A tool from its variable, else where `./x` puts it; fails the test when it is missing.
fn tool(variable: &str, default: PathBuf) -> PathBuf {
    let path = std::env::var_os(variable).map_or(default, PathBuf::from);
    assert!(
        path.exists(),
        "{} is missing: run `./x provision` (or set {variable})",
        path.display()
    );
    path
}

/// A code-server that is killed, with its extension hosts, when the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        // The server leads its own process group: end the group, then reap the leader.
        let _ = Command::new("kill")
            .arg("--")
            .arg(format!("-{}", self.0.id()))
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn write_workspace(folder: &Path) {
    std::fs::create_dir_all(folder).unwrap();
    std::fs::write(folder.join("main.tf"), MAIN_TF).unwrap();
    std::fs::write(folder.join("store.tf"), STORE_TF).unwrap();
    let mut big = String::new();
    for index in 0..BIG_BUCKETS {
        big.push_str(&format!(
            "resource \"aws_s3_bucket\" \"b{index}\" {{\n  bucket = \"b{index}\"\n}}\n\n"
        ));
    }
    big.push_str(
        "resource \"aws_s3_bucket\" \"last\" {\n  bucket = \"last\"\n  force_destroy = true\n}\n",
    );
    assert!(big.lines().count() > 4900);
    std::fs::write(folder.join("big.tf"), big).unwrap();
    git(folder, &["init", "-q", "-b", "main"]);
    git(folder, &["add", "-A"]);
    git(folder, &["commit", "-q", "-m", "base"]);
}

#[test]
fn vscode_shows_findings_fixes_and_recovers_from_a_missing_binary() {
    let code_server = tool(
        "REDLINE_CODE_SERVER",
        cache().join("code-server-4.100.3/node_modules/code-server"),
    );
    let playwright = tool(
        "REDLINE_PLAYWRIGHT",
        cache().join("playwright-core-1.65.2/node_modules/playwright-core"),
    );
    let chromium = tool("REDLINE_CHROMIUM", PathBuf::from("/usr/bin/chromium"));
    let vsix = repo_root().join("editors/vscode/redline.vsix");
    assert!(
        vsix.exists(),
        "{} is missing: `./x test` packages it (or `npm run compile && npm run package` in editors/vscode)",
        vsix.display()
    );
    let target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../editors");
    let screenshots = target.join("vscode");
    let _ = std::fs::remove_dir_all(&screenshots);
    std::fs::create_dir_all(&screenshots).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let workspace = root.join("ws");
    write_workspace(&workspace);
    // A home of its own: no settings, extensions or shell profile of the machine, and no
    // `redline` on the PATH the extension host sees.
    let home = root.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let entry = code_server.join("out/node/entry.js");
    let node_dir = which("node").parent().unwrap().to_path_buf();
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", node_dir.display());
    let base = |command: &mut Command| {
        command
            .arg(&entry)
            .arg("--extensions-dir")
            .arg(home.join("extensions"))
            .arg("--user-data-dir")
            .arg(home.join("data"))
            .env_clear()
            .env("HOME", &home)
            .env("PATH", &path)
            .env("SHELL", "/bin/sh")
            .env("REDLINE_TODAY", "2026-06-01")
            .envs(support_git_env());
    };
    let mut install = Command::new("node");
    base(&mut install);
    let installed = install
        .arg("--install-extension")
        .arg(&vsix)
        .output()
        .unwrap();
    assert!(
        installed.status.success(),
        "installing the extension failed: {}",
        String::from_utf8_lossy(&installed.stderr)
    );

    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut serve = Command::new("node");
    base(&mut serve);
    serve
        .args([
            "--auth",
            "none",
            "--disable-telemetry",
            "--disable-update-check",
            "--disable-workspace-trust",
            "--bind-addr",
        ])
        .arg(format!("127.0.0.1:{port}"))
        .arg("--config")
        .arg(home.join("config.yaml"))
        .arg(&workspace)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    std::os::unix::process::CommandExt::process_group(&mut serve, 0);
    let _server = Server(serve.spawn().unwrap());

    let output = Command::new("node")
        .arg(repo_root().join("tests/vscode/e2e.js"))
        .env("REDLINE_PLAYWRIGHT", &playwright)
        .env("REDLINE_CHROMIUM", &chromium)
        .env("REDLINE_URL", format!("http://127.0.0.1:{port}"))
        .env("REDLINE_WORKSPACE", &workspace)
        .env("REDLINE_SETTINGS", home.join("data/User/settings.json"))
        .env("REDLINE_BIN", env!("CARGO_BIN_EXE_redline"))
        .env("REDLINE_SCREENSHOTS", &screenshots)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the VS Code test failed (screenshots in {})\nstdout:\n{stdout}\nstderr:\n{stderr}",
        screenshots.display()
    );
    let (timings, lines): (Vec<&str>, Vec<&str>) =
        stdout.lines().partition(|line| line.starts_with("timing "));
    let mut record = String::new();
    for timing in timings {
        let line = format!("vscode: {}\n", &timing["timing ".len()..]);
        eprint!("{line}");
        record.push_str(&line);
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(target.join("timings.txt"))
        .unwrap();
    std::io::Write::write_all(&mut file, record.as_bytes()).unwrap();

    assert_eq!(
        lines,
        [
            // A stock VS Code has no Terraform language: the file is Plain Text.
            "language=Plain Text",
            "status=redline: failed",
            "status_tooltip=redline: cannot find `redline`: install redline or set \"redline.path\". Click for the log.",
            "output_says_cannot_find=true",
            "status_after_path=redline: N findings",
            "squiggle=under `force_destroy = true`",
            // Column 38: 37 UTF-16 units before the finding, the emoji counting two.
            "problem=RL-TF-010 [Ln 2, Col 38] Error: `force_destroy = true` on `aws_backup_vault.🚀中文`: destroyin",
            "hover_has_the_message=true",
            "hover_has_the_rule_page=true",
            "fixed=resource \"aws_backup_vault\" \"🚀中文\" { force_destroy = false }",
            "after_fix_squiggles=0",
            "typed_away_squiggles=0",
            "rename_problem=RL-TF-002 [Ln 1, Col 26] Error: `aws_s3_bucket.logs` was renamed to `aws_s3_bucket.archive` ",
            "moved=moved { |   from = aws_s3_bucket.logs |   to   = aws_s3_bucket.archive",
            "big_error_squiggle=drawn",
            "big_problem=RL-TF-010 [Ln 4963, Col 3] Error: `force_destroy = true` on `aws_s3_bucket.last`: destroying i",
        ],
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

/// The git of the workspace commits with a fixed author and no configuration of the machine.
fn support_git_env() -> [(&'static str, &'static str); 3] {
    [
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("GIT_CONFIG_GLOBAL", "/dev/null"),
        ("GIT_TERMINAL_PROMPT", "0"),
    ]
}

/// The path of a program on the `PATH`.
fn which(program: &str) -> PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|folder| folder.join(program))
        .find(|path| path.is_file())
        .unwrap_or_else(|| panic!("{program} is not on the PATH"))
}

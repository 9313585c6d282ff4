//! The one way the end-to-end tests run git: without the machine's system or user
//! configuration, with a fixed author, and with no terminal to prompt on.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// Runs `git ARGS` in `folder` and returns what it printed; fails the test when git fails.
pub fn git(folder: &Path, args: &[&str]) -> String {
    let output = git_output(folder, args);
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Runs `git ARGS` in `folder`, whatever its outcome.
pub fn git_output(folder: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(folder)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "redline")
        .env("GIT_AUTHOR_EMAIL", "redline@example.com")
        .env("GIT_COMMITTER_NAME", "redline")
        .env("GIT_COMMITTER_EMAIL", "redline@example.com")
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(Stdio::null())
        .output()
        .expect("git runs")
}

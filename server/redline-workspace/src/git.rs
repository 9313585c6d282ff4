//! A file's committed text, read with the `git` command, for judging an edit against it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::SystemTime;

/// When git's idea of `HEAD` last changed: the modification times of `HEAD`, the index and the
/// `HEAD` reflog in a git folder. A commit, checkout, reset or stage changes at least one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GitStamp(Vec<Option<SystemTime>>);

/// The git folder (`.git`, or a worktree's folder inside it) of the repository holding `file`.
pub fn git_dir(file: &Path) -> Option<PathBuf> {
    let output = git(file.parent()?, &["rev-parse", "--absolute-git-dir"])?;
    let text = String::from_utf8(output).ok()?;
    Some(PathBuf::from(text.trim_end_matches(['\n', '\r'])))
}

/// The current stamp of a git folder.
pub fn stamp(git_dir: &Path) -> GitStamp {
    GitStamp(
        ["HEAD", "index", "logs/HEAD"]
            .iter()
            .map(|name| {
                std::fs::metadata(git_dir.join(name))
                    .and_then(|meta| meta.modified())
                    .ok()
            })
            .collect(),
    )
}

/// The text of `file` at `HEAD`; `None` when it is not tracked, not in a repository, or not
/// text.
pub fn text_at_head(file: &Path) -> Option<String> {
    let name = file.file_name()?.to_string_lossy();
    // `./NAME` is relative to the folder git runs in, wherever the repository root is.
    let bytes = git(file.parent()?, &["show", &format!("HEAD:./{name}")])?;
    crate::decode(bytes).ok().map(|source| source.text)
}

fn git(folder: &Path, args: &[&str]) -> Option<Vec<u8>> {
    let output = Command::new("git")
        .arg("-C")
        .arg(folder)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output.status.success().then_some(output.stdout)
}

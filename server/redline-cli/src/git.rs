//! Asking git what changed: the repository root, a revision, the changed files and their
//! base contents. Everything goes through the `git` command, so every repository format,
//! worktree and alternate object store git understands works here too.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context as _, bail};

/// A git repository, by the top folder of its working tree.
#[derive(Clone, Debug)]
pub struct Repository {
    /// The top folder of the working tree, as git reports it.
    pub root: PathBuf,
}

/// How a file differs between the base revision and the working tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangedFile {
    /// The path in the working tree, relative to the repository root, with `/` separators.
    pub path: String,
    /// The path at the base revision when it differs (a renamed file).
    pub base_path: Option<String>,
    /// The blob at the base revision; `None` for a new file.
    pub base_blob: Option<String>,
    /// Whether the file is gone from the working tree.
    pub deleted: bool,
}

/// The mode git gives submodules (gitlinks), which have no text.
const GITLINK_MODE: &str = "160000";
/// The mode of symbolic links, whose blob is the link target rather than a file's text.
const SYMLINK_MODE: &str = "120000";

impl Repository {
    /// The repository whose working tree holds `folder`.
    pub fn discover(folder: &Path) -> anyhow::Result<Repository> {
        let output = git(folder, &["rev-parse", "--show-toplevel"])
            .with_context(|| format!("cannot run git in {}", folder.display()))?;
        if !output.status.success() {
            bail!(
                "{} is not inside a git repository: `redline diff` compares against a git \
                 revision (give two paths, `redline diff OLD NEW`, to compare files)",
                folder.display()
            );
        }
        let root = String::from_utf8(output.stdout)
            .context("git printed a repository path that is not UTF-8")?;
        let root = PathBuf::from(root.trim_end_matches(['\n', '\r']));
        let root = root.canonicalize().unwrap_or(root);
        Ok(Repository { root })
    }

    /// The commit that `revision` names, as a full object id.
    pub fn resolve(&self, revision: &str) -> anyhow::Result<String> {
        if revision.starts_with('-') {
            bail!("`{revision}` is not a git revision");
        }
        let spec = format!("{revision}^{{commit}}");
        let output = self.run(&["rev-parse", "--verify", "--quiet", &spec])?;
        if !output.status.success() {
            bail!(
                "`{revision}` is not a commit in the repository at {}",
                self.root.display()
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// The best common ancestor of `reference` and `HEAD`, for comparing a pull request's
    /// branch against what it forked from.
    pub fn merge_base(&self, reference: &str) -> anyhow::Result<String> {
        let commit = self.resolve(reference)?;
        let output = self.run(&["merge-base", &commit, "HEAD"])?;
        if !output.status.success() {
            bail!(
                "`{reference}` and HEAD have no common ancestor{}",
                stderr_note(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// Every file that differs between `base` (a commit id) and the working tree: tracked
    /// changes, staged or not, with renames paired, then untracked files that are not ignored.
    /// Submodules and symbolic links are left out.
    pub fn changed_files(&self, base: &str) -> anyhow::Result<Vec<ChangedFile>> {
        let output = self.run(&[
            "diff",
            "--raw",
            "-z",
            "--find-renames",
            "--no-ext-diff",
            "--ignore-submodules",
            base,
            "--",
        ])?;
        if !output.status.success() {
            bail!(
                "cannot list the changes since {base}{}",
                stderr_note(&output.stderr)
            );
        }
        let mut res = parse_raw_diff(&output.stdout)?;
        let output = self.run(&["ls-files", "--others", "--exclude-standard", "-z"])?;
        if !output.status.success() {
            bail!(
                "cannot list the untracked files{}",
                stderr_note(&output.stderr)
            );
        }
        for path in output.stdout.split(|byte| *byte == 0) {
            if path.is_empty() {
                continue;
            }
            res.push(ChangedFile {
                path: String::from_utf8_lossy(path).into_owned(),
                base_path: None,
                base_blob: None,
                deleted: false,
            });
        }
        Ok(res)
    }

    /// The contents of `blobs`, in order, read through one `git cat-file --batch`. A blob
    /// larger than `max_size` bytes is not read (`None`).
    pub fn read_blobs(
        &self,
        blobs: &[&str],
        max_size: u64,
    ) -> anyhow::Result<Vec<Option<Vec<u8>>>> {
        if blobs.is_empty() {
            return Ok(Vec::new());
        }
        let mut child = Command::new("git")
            .arg("-C")
            .arg(&self.root)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .context("cannot run git cat-file")?;
        let mut stdin = child.stdin.take().context("git cat-file has no input")?;
        let requests: String = blobs.iter().map(|blob| format!("{blob}\n")).collect();
        // Requests are written from another thread: git answers while it reads, and a full pipe
        // on both sides would otherwise stop both processes.
        let writer = std::thread::spawn(move || {
            let res = stdin.write_all(requests.as_bytes());
            drop(stdin);
            res
        });
        let stdout = child.stdout.take().context("git cat-file has no output")?;
        let mut reader = BufReader::new(stdout);
        let mut res = Vec::with_capacity(blobs.len());
        let mut header = String::new();
        for blob in blobs {
            header.clear();
            reader
                .read_line(&mut header)
                .context("cannot read from git cat-file")?;
            let fields: Vec<&str> = header.split_whitespace().collect();
            let size = match fields.as_slice() {
                [_, "blob", size] => size
                    .parse::<u64>()
                    .with_context(|| format!("git cat-file printed `{}`", header.trim()))?,
                _ => bail!("git cannot read object {blob}: {}", header.trim()),
            };
            let mut contents = Vec::new();
            (&mut reader)
                .take(size)
                .read_to_end(&mut contents)
                .context("cannot read from git cat-file")?;
            let mut newline = [0u8; 1];
            reader
                .read_exact(&mut newline)
                .context("cannot read from git cat-file")?;
            res.push((size <= max_size).then_some(contents));
        }
        drop(reader);
        let _ = writer.join();
        let _ = child.wait();
        Ok(res)
    }

    fn run(&self, args: &[&str]) -> anyhow::Result<std::process::Output> {
        git(&self.root, args).context("cannot run git")
    }
}

fn git(folder: &Path, args: &[&str]) -> std::io::Result<std::process::Output> {
    Command::new("git")
        .arg("-C")
        .arg(folder)
        .args(args)
        .stdin(Stdio::null())
        .output()
}

fn stderr_note(stderr: &[u8]) -> String {
    let text = String::from_utf8_lossy(stderr);
    let text = text.trim();
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

/// Parses `git diff --raw -z`: `:old_mode new_mode old_blob new_blob status\0path\0`, with a
/// second path after renames and copies.
fn parse_raw_diff(output: &[u8]) -> anyhow::Result<Vec<ChangedFile>> {
    let mut fields = output.split(|byte| *byte == 0);
    let mut res = Vec::new();
    while let Some(meta) = fields.next() {
        if meta.is_empty() {
            continue;
        }
        let meta = String::from_utf8_lossy(meta);
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let [old_mode, new_mode, old_blob, _new_blob, status] = parts.as_slice() else {
            bail!("unexpected output from git diff: `{meta}`");
        };
        let mut next_path = || -> anyhow::Result<String> {
            let path = fields
                .next()
                .context("git diff output ended in the middle of an entry")?;
            Ok(String::from_utf8_lossy(path).into_owned())
        };
        let kind = status.chars().next().unwrap_or('M');
        let (base_path, path) = match kind {
            'R' | 'C' => {
                let from = next_path()?;
                (Some(from), next_path()?)
            }
            _ => (None, next_path()?),
        };
        let skipped = |mode: &str| mode == GITLINK_MODE || mode == SYMLINK_MODE;
        if skipped(old_mode) || skipped(new_mode) {
            continue;
        }
        // A copy leaves its source in place: the new file starts from the source's text.
        let base_blob = (kind != 'A' && *old_mode != "000000").then(|| (*old_blob).to_owned());
        res.push(ChangedFile {
            path,
            base_path: if kind == 'R' || kind == 'C' {
                base_path
            } else {
                None
            },
            base_blob,
            deleted: kind == 'D',
        });
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_raw_diff_entries() {
        let zero = "0".repeat(40);
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let raw = format!(
            ":100644 100644 {a} {zero} M\0main.tf\0\
             :100644 000000 {b} {zero} D\0gone.tf\0\
             :000000 100644 {zero} {zero} A\0new.tf\0\
             :100644 100644 {a} {zero} R087\0old name.tf\0new name.tf\0\
             :160000 160000 {a} {b} M\0vendor/sub\0"
        );
        let files = parse_raw_diff(raw.as_bytes()).unwrap();
        let summary: Vec<(&str, Option<&str>, bool, bool)> = files
            .iter()
            .map(|file| {
                (
                    file.path.as_str(),
                    file.base_path.as_deref(),
                    file.base_blob.is_some(),
                    file.deleted,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("main.tf", None, true, false),
                ("gone.tf", None, true, true),
                ("new.tf", None, false, false),
                ("new name.tf", Some("old name.tf"), true, false),
            ]
        );
    }
}

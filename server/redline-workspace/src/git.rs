//! Everything redline asks git: the repository of a folder, a revision, the changed files and
//! their committed contents. This is the only place that starts the `git` program.
//!
//! redline reads repositories nobody has vetted (a pull request in CI, a clone opened in an
//! editor, an agent's working tree), and a repository's own configuration can name programs
//! for git to run: an fsmonitor hook, hooks, a pager, an external diff, textconv drivers,
//! clean and smudge filters, an SSH command, credential helpers. Every command started here
//! turns each of those off on its command line, which outranks every configuration file, so
//! that reading a repository never runs its code (see SECURITY.md).

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::SystemTime;

/// Configuration given on every git command line. Each entry turns off a setting through which
/// a repository's configuration makes git start a program, or write into the repository.
const SAFE_CONFIG: &[&str] = &[
    // Queried by every command that reads the index.
    "core.fsmonitor=false",
    // No command used here runs hooks; a folder that cannot hold hooks keeps it so.
    "core.hooksPath=/dev/null",
    "core.pager=cat",
    "diff.external=",
    "core.sshCommand=",
    "core.askPass=",
    "core.editor=:",
    "sequence.editor=:",
    "credential.helper=",
    "gpg.program=",
    // No transport at all: redline never talks to a remote, and this also keeps
    // `core.gitProxy`, `remote.*.uploadpack` and `ext::` URLs from being reached.
    "protocol.allow=never",
    // An untracked-files cache is written into `.git`; redline writes nothing there.
    "core.untrackedCache=false",
];

/// Environment variables removed from every git command: each names a program to start, or
/// would let the user's terminal settings page or prompt.
const UNSAFE_ENV: &[&str] = &[
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "PAGER",
    "GIT_ASKPASS",
    "SSH_ASKPASS",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_EDITOR",
    "GIT_SEQUENCE_EDITOR",
    "GIT_PROXY_COMMAND",
];

/// Why a question to git has no answer.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    /// The `git` program could not be started.
    #[error("cannot run git in {folder}: {source}")]
    Spawn {
        /// The folder git was asked about.
        folder: String,
        /// Why it did not start.
        source: std::io::Error,
    },
    /// The folder is not in a git repository.
    #[error(
        "{folder} is not inside a git repository: `redline diff` compares against a git \
         revision (give two paths, `redline diff OLD NEW`, to compare files)"
    )]
    NotARepository {
        /// The folder.
        folder: String,
    },
    /// The repository's configuration moves its working tree away from the folder that holds
    /// its `.git`, which could make redline read files outside the repository.
    #[error(
        "the git repository at {expected} says its working tree is {reported} \
         (`core.worktree`): refusing to read files outside the folder that holds `.git`"
    )]
    MovedWorkTree {
        /// The folder holding `.git`.
        expected: String,
        /// The working tree git reported.
        reported: String,
    },
    /// A git command failed.
    #[error("{what}{stderr}")]
    Failed {
        /// What was asked.
        what: String,
        /// git's explanation, after a colon, or nothing.
        stderr: String,
    },
    /// git printed something this module cannot read.
    #[error("unexpected output from git: {0}")]
    Output(String),
}

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

/// When git's idea of `HEAD` last changed: the modification times of `HEAD`, the index, the
/// `HEAD` reflog, the current branch's ref and the packed refs of a git folder. A commit,
/// checkout, reset or stage changes at least one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GitStamp(Vec<Option<SystemTime>>);

/// The mode git gives submodules (gitlinks), which have no text.
const GITLINK_MODE: &str = "160000";
/// The mode of symbolic links, whose blob is the link target rather than a file's text.
const SYMLINK_MODE: &str = "120000";

impl Repository {
    /// The repository whose working tree holds `folder`.
    pub fn discover(folder: &Path) -> Result<Repository, GitError> {
        let output = git(folder, &["rev-parse", "--show-toplevel"])?;
        if !output.status.success() {
            return Err(GitError::NotARepository {
                folder: folder.display().to_string(),
            });
        }
        let root = String::from_utf8(output.stdout)
            .map_err(|_| GitError::Output("a repository path that is not UTF-8".to_owned()))?;
        let root = PathBuf::from(root.trim_end_matches(['\n', '\r']));
        let root = root.canonicalize().unwrap_or(root);
        check_work_tree(folder, &root)?;
        Ok(Repository { root })
    }

    /// The commit that `revision` names, as a full object id.
    pub fn resolve(&self, revision: &str) -> Result<String, GitError> {
        if revision.starts_with('-') {
            return Err(GitError::Failed {
                what: format!("`{revision}` is not a git revision"),
                stderr: String::new(),
            });
        }
        let spec = format!("{revision}^{{commit}}");
        let output = self.run(&["rev-parse", "--verify", "--quiet", &spec])?;
        if !output.status.success() {
            return Err(GitError::Failed {
                what: format!(
                    "`{revision}` is not a commit in the repository at {}",
                    self.root.display()
                ),
                stderr: String::new(),
            });
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// The best common ancestor of `reference` and `HEAD`, for comparing a pull request's
    /// branch against what it forked from.
    pub fn merge_base(&self, reference: &str) -> Result<String, GitError> {
        let commit = self.resolve(reference)?;
        let output = self.run(&["merge-base", &commit, "HEAD"])?;
        if !output.status.success() {
            return Err(failed(
                format!("`{reference}` and HEAD have no common ancestor"),
                &output,
            ));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }

    /// Every file that differs between `base` (a commit id) and the working tree: tracked
    /// changes, staged or not, with renames paired, then untracked files that are not ignored.
    /// Submodules and symbolic links are left out.
    pub fn changed_files(&self, base: &str) -> Result<Vec<ChangedFile>, GitError> {
        // Pairing renames reads the working tree's files, and git passes each through the
        // clean filter its `.gitattributes` names: every configured filter is emptied first.
        let filters = self.filter_overrides()?;
        let mut args: Vec<&str> = Vec::new();
        for setting in &filters {
            args.extend(["-c", setting]);
        }
        // `diff-index` is plumbing: unlike `git diff`, it never refreshes (and rewrites) the
        // index, and never runs an external diff or a textconv driver.
        args.extend([
            "diff-index",
            "--raw",
            "-z",
            "--find-renames",
            "--no-ext-diff",
            "--no-textconv",
            "--ignore-submodules",
            base,
            "--",
        ]);
        let output = self.run(&args)?;
        if !output.status.success() {
            return Err(failed(
                format!("cannot list the changes since {base}"),
                &output,
            ));
        }
        let mut res = parse_raw_diff(&output.stdout)?;
        let output = self.run(&["ls-files", "--others", "--exclude-standard", "-z"])?;
        if !output.status.success() {
            return Err(failed(
                "cannot list the untracked files".to_owned(),
                &output,
            ));
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

    /// The contents of `blobs`, in order, read through one `git cat-file --batch`, which
    /// applies no filter or textconv driver. A blob larger than `max_size` bytes is not read
    /// (`None`).
    pub fn read_blobs(
        &self,
        blobs: &[&str],
        max_size: u64,
    ) -> Result<Vec<Option<Vec<u8>>>, GitError> {
        if blobs.is_empty() {
            return Ok(Vec::new());
        }
        let io_error = |source: std::io::Error| GitError::Failed {
            what: "cannot read from git cat-file".to_owned(),
            stderr: format!(": {source}"),
        };
        let mut child = command(&self.root)
            .args(["cat-file", "--batch"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|source| GitError::Spawn {
                folder: self.root.display().to_string(),
                source,
            })?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| GitError::Output("git cat-file has no input".to_owned()))?;
        let requests: String = blobs.iter().map(|blob| format!("{blob}\n")).collect();
        // Requests are written from another thread: git answers while it reads, and a full pipe
        // on both sides would otherwise stop both processes.
        let writer = std::thread::spawn(move || {
            let res = stdin.write_all(requests.as_bytes());
            drop(stdin);
            res
        });
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| GitError::Output("git cat-file has no output".to_owned()))?;
        let mut reader = BufReader::new(stdout);
        let mut res = Vec::with_capacity(blobs.len());
        let mut header = String::new();
        for blob in blobs {
            header.clear();
            reader.read_line(&mut header).map_err(io_error)?;
            let fields: Vec<&str> = header.split_whitespace().collect();
            let size = match fields.as_slice() {
                [_, "blob", size] => size.parse::<u64>().map_err(|_| {
                    GitError::Output(format!("git cat-file printed `{}`", header.trim()))
                })?,
                _ => {
                    return Err(GitError::Failed {
                        what: format!("git cannot read object {blob}"),
                        stderr: format!(": {}", header.trim()),
                    });
                }
            };
            let mut contents = Vec::new();
            (&mut reader)
                .take(size)
                .read_to_end(&mut contents)
                .map_err(io_error)?;
            let mut newline = [0u8; 1];
            reader.read_exact(&mut newline).map_err(io_error)?;
            res.push((size <= max_size).then_some(contents));
        }
        drop(reader);
        let _ = writer.join();
        let _ = child.wait();
        Ok(res)
    }

    /// `-c` settings that empty every filter driver the configuration defines, so that no
    /// clean, smudge or process filter runs.
    fn filter_overrides(&self) -> Result<Vec<String>, GitError> {
        let output = self.run(&["config", "--null", "--get-regexp", r"^filter\."])?;
        // Exit code 1 means no such setting.
        if !output.status.success() && output.status.code() != Some(1) {
            return Err(failed(
                "cannot read the repository's configuration".to_owned(),
                &output,
            ));
        }
        let mut drivers: Vec<&str> = output
            .stdout
            .split(|byte| *byte == 0)
            .filter_map(|entry| {
                let key = entry.split(|byte| *byte == b'\n').next()?;
                let key = std::str::from_utf8(key).ok()?;
                let rest = key.strip_prefix("filter.")?;
                // The driver's name may itself hold dots: the key is the last part.
                let (name, _) = rest.rsplit_once('.')?;
                Some(name)
            })
            .collect();
        drivers.sort_unstable();
        drivers.dedup();
        Ok(drivers
            .iter()
            .flat_map(|name| {
                ["clean=", "smudge=", "process=", "required=false"]
                    .map(|setting| format!("filter.{name}.{setting}"))
            })
            .collect())
    }

    fn run(&self, args: &[&str]) -> Result<Output, GitError> {
        git(&self.root, args)
    }
}

/// The git work tree holding `folder`: the nearest of it and its ancestors that holds a `.git`
/// folder or file (linked worktrees and submodules have a `.git` file). Git itself is not run,
/// so that a hostile repository's git configuration has no say; this is how every part of
/// redline finds the work tree around a file (the bounds of links, the repository the gate and
/// the language server scan, the folder a shell command's effects are simulated in).
pub fn work_tree(folder: &Path) -> Option<&Path> {
    folder
        .ancestors()
        .find(|ancestor| holds_work_tree(ancestor))
}

/// Whether `folder` is the top of a git work tree: it holds a `.git` folder or file, or a link
/// to one.
pub fn holds_work_tree(folder: &Path) -> bool {
    std::fs::metadata(folder.join(".git")).is_ok_and(|meta| meta.is_dir() || meta.is_file())
}

/// The git folder (`.git`, or a worktree's folder inside it) of the repository holding `file`.
pub fn git_dir(file: &Path) -> Option<PathBuf> {
    let output = git(file.parent()?, &["rev-parse", "--absolute-git-dir"]).ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    Some(PathBuf::from(text.trim_end_matches(['\n', '\r'])))
}

/// The current stamp of a git folder.
pub fn stamp(git_dir: &Path) -> GitStamp {
    // A linked worktree keeps its own `HEAD` and index, and the branches in the common folder.
    let common = read_small(&git_dir.join("commondir"))
        .map(|common| git_dir.join(common.trim_end_matches(['\n', '\r'])))
        .unwrap_or_else(|| git_dir.to_path_buf());
    let mut files = vec![
        git_dir.join("HEAD"),
        git_dir.join("index"),
        git_dir.join("logs/HEAD"),
        common.join("packed-refs"),
    ];
    // A commit moves the current branch; `HEAD` itself names it and does not change.
    if let Some(head) = read_small(&git_dir.join("HEAD"))
        && let Some(branch) = head.trim_end().strip_prefix("ref: ")
        && branch.starts_with("refs/")
        && !branch
            .split('/')
            .any(|part| part.is_empty() || part == "..")
    {
        files.push(common.join(branch));
    }
    GitStamp(
        files
            .iter()
            .map(|file| {
                std::fs::metadata(file)
                    .and_then(|meta| meta.modified())
                    .ok()
            })
            .collect(),
    )
}

/// The text of a file git writes with a few bytes (`HEAD`, `commondir`); `None` when it is
/// missing, longer than a path would be, or not UTF-8.
fn read_small(path: &Path) -> Option<String> {
    const MAX: u64 = 4096;
    let mut text = String::new();
    std::fs::File::open(path)
        .ok()?
        .take(MAX + 1)
        .read_to_string(&mut text)
        .ok()?;
    (text.len() as u64 <= MAX).then_some(text)
}

/// The text of `file` at `HEAD`; `None` when it is not tracked, not in a repository, or not
/// text.
pub fn text_at_head(file: &Path) -> Option<String> {
    let name = file.file_name()?.to_string_lossy();
    // `./NAME` is relative to the folder git runs in, wherever the repository root is.
    // `cat-file blob` prints the stored bytes: no textconv driver or filter is involved.
    let output = git(
        file.parent()?,
        &["cat-file", "blob", &format!("HEAD:./{name}")],
    )
    .ok()?;
    if !output.status.success() {
        return None;
    }
    crate::decode(output.stdout).ok().map(|source| source.text)
}

/// The files directly in `folder` that git's `HEAD` holds and the working tree no longer has
/// (deleted, not yet committed), for which `keep` says yes, with their text at `HEAD`. Empty
/// when the folder is not in a repository.
pub fn deleted_since_head(folder: &Path, keep: impl Fn(&str) -> bool) -> Vec<(PathBuf, String)> {
    let Ok(output) = git(folder, &["ls-tree", "-z", "HEAD", "./"]) else {
        return Vec::new();
    };
    if !output.status.success() {
        return Vec::new();
    }
    let listing = String::from_utf8_lossy(&output.stdout);
    let mut res = Vec::new();
    for entry in listing.split('\0') {
        // `<mode> SP <type> SP <object> TAB <name>`, the name relative to `folder`.
        let Some((meta, name)) = entry.split_once('\t') else {
            continue;
        };
        if meta.split(' ').nth(1) != Some("blob") || name.contains('/') || !keep(name) {
            continue;
        }
        let path = folder.join(name);
        if std::fs::symlink_metadata(&path).is_ok() {
            continue;
        }
        if let Some(text) = text_at_head(&path) {
            res.push((path, text));
        }
    }
    res
}

/// The `git` command for `folder`, with every configured program turned off.
fn command(folder: &Path) -> Command {
    let mut command = Command::new("git");
    command.arg("--no-pager");
    for setting in SAFE_CONFIG {
        command.args(["-c", setting]);
    }
    command.arg("-C").arg(folder);
    for name in UNSAFE_ENV {
        command.env_remove(name);
    }
    command
        // Never ask for a user name or password on the terminal.
        .env("GIT_TERMINAL_PROMPT", "0")
        // Take no optional locks: redline does not write into the repository, not even a
        // refreshed index.
        .env("GIT_OPTIONAL_LOCKS", "0");
    command
}

fn git(folder: &Path, args: &[&str]) -> Result<Output, GitError> {
    command(folder)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| GitError::Spawn {
            folder: folder.display().to_string(),
            source,
        })
}

/// Refuses a working tree that is not the folder holding the repository's `.git`: a
/// `core.worktree` setting in a hostile repository could otherwise point at `/` and make
/// redline list and read files anywhere. Users who point git elsewhere on purpose through the
/// environment (`GIT_DIR`, `GIT_WORK_TREE`) are trusted.
fn check_work_tree(folder: &Path, reported: &Path) -> Result<(), GitError> {
    if std::env::var_os("GIT_DIR").is_some() || std::env::var_os("GIT_WORK_TREE").is_some() {
        return Ok(());
    }
    let folder = folder
        .canonicalize()
        .unwrap_or_else(|_| folder.to_path_buf());
    let Some(expected) = work_tree(&folder) else {
        return Ok(());
    };
    if expected == reported {
        return Ok(());
    }
    Err(GitError::MovedWorkTree {
        expected: expected.display().to_string(),
        reported: reported.display().to_string(),
    })
}

fn failed(what: String, output: &Output) -> GitError {
    let text = String::from_utf8_lossy(&output.stderr);
    let text = text.trim();
    GitError::Failed {
        what,
        stderr: if text.is_empty() {
            String::new()
        } else {
            format!(": {text}")
        },
    }
}

/// Parses `git diff-index --raw -z`: `:old_mode new_mode old_blob new_blob status\0path\0`,
/// with a second path after renames and copies.
fn parse_raw_diff(output: &[u8]) -> Result<Vec<ChangedFile>, GitError> {
    let mut fields = output.split(|byte| *byte == 0);
    let mut res = Vec::new();
    while let Some(meta) = fields.next() {
        if meta.is_empty() {
            continue;
        }
        let meta = String::from_utf8_lossy(meta);
        let parts: Vec<&str> = meta.trim_start_matches(':').split(' ').collect();
        let [old_mode, new_mode, old_blob, _new_blob, status] = parts.as_slice() else {
            return Err(GitError::Output(format!("`{meta}`")));
        };
        let mut next_path = || -> Result<String, GitError> {
            let path = fields.next().ok_or_else(|| {
                GitError::Output("the list of changes ended in the middle of an entry".to_owned())
            })?;
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
    #![allow(clippy::unwrap_used)]

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

//! The I/O side of redline: finding files, honouring ignore files, discovering `redline.toml`,
//! and reading sources safely. The result feeds `redline_engine::analyze`.

pub mod git;
mod gitlab;
pub mod modules;
pub mod unit;

use std::fs;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use redline_engine::ConfigError;
use redline_syntax::detect::is_candidate_path;
use redline_syntax::terraform_eval::tfvars::is_auto_loaded;

pub use unit::{
    CONFIG_FILE_NAME, FileJob, LoadedConfig, MAX_CONFIG_BYTES, UnitResolver, display_path,
    file_jobs, source_hints, today,
};

/// Folders that are never entered: VCS data, provider caches and package trees.
const SKIPPED_FOLDERS: &[&str] = &[".git", ".terraform", "node_modules", ".hg", ".svn"];

/// A file that could not be analysed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileProblem {
    /// The path as shown to users.
    pub path: String,
    /// What went wrong.
    pub message: String,
    /// How serious it is.
    pub kind: ProblemKind,
}

/// The kinds of file problems.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file was skipped on purpose (too large, binary, not UTF-8, a symlink loop, a
    /// symlink leading outside the scanned folders).
    Skipped,
    /// The file could not be read; the run's results are incomplete.
    Io,
}

/// A source file's text, ready for the engine.
#[derive(Debug)]
pub struct SourceText {
    /// The text without a UTF-8 byte order mark.
    pub text: String,
    /// Whether the file started with a byte order mark (kept when fixes are written).
    pub had_bom: bool,
}

/// What discovery found.
pub struct Discovery {
    /// Files to analyse, sorted by display path.
    pub files: Vec<FileJob>,
    /// Paths that could not be walked.
    pub problems: Vec<FileProblem>,
    /// The folders the run may read and write through symbolic links.
    pub bounds: Arc<Bounds>,
}

/// The folders that symbolic links found by redline may lead into: each folder given (the
/// folder of each file given), and the git work tree holding it.
///
/// A repository is not trusted to point outside itself: a link `evil.sh -> ~/.ssh/config`
/// would put that file's lines into a report that may be published, and `--fix` through a
/// link would rewrite a file the repository does not own. Monorepos link shared files across
/// folders, so the whole work tree is allowed, not only the folder given.
#[derive(Clone, Debug)]
pub struct Bounds {
    // Invariant: every folder is canonical (absolute, no links, no `.` or `..`), so a canonical
    // path is inside exactly when it starts with one of them.
    folders: Vec<PathBuf>,
}

/// Where a path leads once all its symbolic links are resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resolution {
    /// Inside the bounds, at this canonical path.
    Inside(PathBuf),
    /// Outside the bounds, at this canonical path.
    Outside(PathBuf),
}

/// Errors that stop a run before analysis: bad arguments or configuration.
#[derive(Debug, thiserror::Error)]
pub enum WorkspaceError {
    /// A path given on the command line does not exist or cannot be read.
    #[error("cannot read {path}: {message}")]
    Path {
        /// The path as given.
        path: String,
        /// Why.
        message: String,
    },
    /// A configuration file cannot be read.
    #[error("cannot read {path}: {message}")]
    ConfigRead {
        /// The configuration file.
        path: String,
        /// Why.
        message: String,
    },
    /// A configuration file is invalid.
    #[error("invalid configuration in {path}: {error}")]
    Config {
        /// The configuration file.
        path: String,
        /// What is wrong, with the line.
        error: ConfigError,
    },
}

/// How to find files.
pub struct DiscoverOptions<'a> {
    /// Files and folders to analyse.
    pub paths: &'a [PathBuf],
    /// `--config FILE`: one configuration for every file instead of discovery.
    pub config_file: Option<&'a Path>,
    /// The current folder, for relative display paths.
    pub cwd: &'a Path,
}

/// The folder that every read of this process must stay inside, once `limit_reads_to` set it.
static READ_LIMIT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();

/// Keeps every read that bounds allow inside `folder` (canonical) for the rest of the
/// process: bounds that would reach above it (the git work tree around it) stop at it, and
/// folders outside it leave the bounds. A server that answers for one folder, such as
/// `redline mcp`, sets it once before it reads anything; it cannot be changed afterwards.
pub fn limit_reads_to(folder: &Path) {
    let _ = READ_LIMIT.set(folder.to_path_buf());
}

/// `folder` (canonical) as the read limit allows it: itself inside the limit, the limit when
/// the folder holds it, nothing when they are apart.
pub fn within_read_limit(folder: PathBuf) -> Option<PathBuf> {
    match READ_LIMIT.get() {
        None => Some(folder),
        Some(limit) if folder.starts_with(limit) => Some(folder),
        Some(limit) if limit.starts_with(&folder) => Some(limit.clone()),
        Some(_) => None,
    }
}

/// Whether `path` (an existing file or folder) is inside the read limit of the process, links
/// resolved; always when no limit is set.
pub fn is_within_read_limit(path: &Path) -> bool {
    match READ_LIMIT.get() {
        None => true,
        Some(limit) => fs::canonicalize(path).is_ok_and(|canonical| canonical.starts_with(limit)),
    }
}

impl Bounds {
    /// The bounds of a run over `paths` (relative to `cwd`): each folder given, the folder of
    /// each file given, and the nearest folder above each holding `.git`, all within the read
    /// limit when the process set one (`limit_reads_to`). Paths that do not exist add nothing.
    pub fn new(paths: &[PathBuf], cwd: &Path) -> Self {
        let mut folders = Vec::new();
        for path in paths {
            let path = absolute(path, cwd);
            // A file given stands for its own folder: were it a link, the folder it leads to
            // must not join the bounds.
            let folder = if fs::metadata(&path).is_ok_and(|meta| meta.is_dir()) {
                path.as_path()
            } else {
                match path.parent() {
                    Some(parent) => parent,
                    None => continue,
                }
            };
            let Ok(folder) = fs::canonicalize(folder) else {
                continue;
            };
            if let Some(work_tree) = git::work_tree(&folder) {
                folders.push(work_tree.to_path_buf());
            }
            folders.push(folder);
        }
        let mut folders: Vec<PathBuf> = folders.into_iter().filter_map(within_read_limit).collect();
        folders.sort();
        folders.dedup();
        Self { folders }
    }

    /// Whether a canonical path lies inside one of the folders.
    pub fn contains(&self, canonical: &Path) -> bool {
        self.folders
            .iter()
            .any(|folder| canonical.starts_with(folder))
    }

    /// Resolves every symbolic link in `path` (a chain is judged by its final target) and says
    /// whether the result is inside. Fails when `path` cannot be resolved (a dangling link).
    pub fn resolve(&self, path: &Path) -> std::io::Result<Resolution> {
        let canonical = fs::canonicalize(path)?;
        Ok(if self.contains(&canonical) {
            Resolution::Inside(canonical)
        } else {
            Resolution::Outside(canonical)
        })
    }
}

/// The bytes of a file that redline found by itself (listing a folder, a watched-file event)
/// rather than one a user named: read only when its path, links resolved, stays inside
/// `bounds`, it is a regular file, and it holds at most `max` bytes.
pub fn read_found_file(path: &Path, bounds: &Bounds, max: u64) -> std::io::Result<Vec<u8>> {
    let Resolution::Inside(target) = bounds.resolve(path)? else {
        return Err(std::io::ErrorKind::PermissionDenied.into());
    };
    // Checked before opening: opening a FIFO for reading waits for a writer.
    let metadata = fs::metadata(&target)?;
    if !metadata.is_file() {
        return Err(std::io::ErrorKind::InvalidInput.into());
    }
    let mut bytes = Vec::with_capacity(read_capacity(metadata.len().min(max)));
    fs::File::open(&target)?
        .take(max + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(std::io::ErrorKind::FileTooLarge.into());
    }
    Ok(bytes)
}

/// The message of a file problem for a symbolic link that leads outside the bounds.
fn outside_message(target: &Path, is_folder: bool) -> String {
    let kind = if is_folder { "folder" } else { "file" };
    format!(
        "symbolic link to a {kind} outside the scanned folders ({}): skipped",
        target.display()
    )
}

/// Finds the files to analyse under `options.paths`.
///
/// A symbolic link found by walking a folder is followed only when it leads inside
/// [`Bounds::new`] of the paths; a path given is read wherever it leads.
pub fn discover(options: &DiscoverOptions<'_>) -> Result<Discovery, WorkspaceError> {
    let mut units = UnitResolver::new(options.config_file, options.cwd)?;
    let bounds = Arc::new(Bounds::new(options.paths, options.cwd));
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in options.paths {
        let metadata = fs::metadata(path).map_err(|error| WorkspaceError::Path {
            path: path.display().to_string(),
            message: describe_io(&error),
        })?;
        if metadata.is_file() {
            // A file named on the command line is excluded as one found by walking is: a
            // pre-commit hook names every staged file, `vendor/` ones included.
            let file = units.file(path)?;
            if !file.is_excluded() {
                files.push(file);
            }
            continue;
        }
        if !metadata.is_dir() {
            return Err(WorkspaceError::Path {
                path: path.display().to_string(),
                message: "not a regular file or folder".to_owned(),
            });
        }
        let mut walk = Walk {
            cwd: options.cwd,
            bounds: &bounds,
            units: &mut units,
            files: &mut files,
            problems: &mut problems,
        };
        walk.run(path)?;
    }
    files.sort_by(|a, b| a.display.cmp(&b.display));
    files.dedup_by(|a, b| a.display == b.display);
    gitlab::mark_local_includes(&mut files);
    Ok(Discovery {
        files,
        problems,
        bounds,
    })
}

/// One folder walk of `discover` and where its results go.
struct Walk<'a> {
    cwd: &'a Path,
    bounds: &'a Arc<Bounds>,
    units: &'a mut UnitResolver,
    files: &'a mut Vec<FileJob>,
    problems: &'a mut Vec<FileProblem>,
}

impl Walk<'_> {
    fn run(&mut self, root: &Path) -> Result<(), WorkspaceError> {
        // The entry filter must be `'static`, so it shares the bounds and the problems it finds
        // through `Arc`s.
        let outside = Arc::new(Mutex::new(Vec::new()));
        let filter = {
            let bounds = Arc::clone(self.bounds);
            let outside = Arc::clone(&outside);
            let cwd = self.cwd.to_path_buf();
            move |entry: &ignore::DirEntry| {
                let name = entry.file_name().to_string_lossy();
                let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
                if entry.depth() > 0 && is_dir && SKIPPED_FOLDERS.contains(&name.as_ref()) {
                    return false;
                }
                // The root was given by the user and is trusted wherever it leads. A link that
                // cannot be resolved is let through, for the walker or the read to report.
                if entry.depth() == 0 || !entry.path_is_symlink() {
                    return true;
                }
                let Ok(Resolution::Outside(target)) = bounds.resolve(entry.path()) else {
                    return true;
                };
                // Links to other files are not read anyway: only those redline would read, and
                // folders, are worth a message.
                if is_dir || is_candidate_path(&entry.path().to_string_lossy()) {
                    let problem = FileProblem {
                        path: display_path(entry.path(), &cwd),
                        message: outside_message(&target, is_dir),
                        kind: ProblemKind::Skipped,
                    };
                    outside
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .push(problem);
                }
                false
            }
        };
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .ignore(true)
            .parents(true)
            // Links are followed, so that a folder linked from elsewhere in the repository is
            // walked and loops are detected; the filter stops those that lead outside.
            .follow_links(true)
            .filter_entry(filter)
            .build();
        for entry in walker {
            let entry = match entry {
                Ok(entry) => entry,
                Err(error) => {
                    self.problems.push(self.walk_problem(&error));
                    continue;
                }
            };
            let path = entry.path();
            let name = path.to_string_lossy();
            // Only regular files: FIFOs, sockets and devices could block or never end. One
            // named like a file redline reads (`x.tf` linked to `/dev/zero`) is reported, not
            // read.
            let kind = entry.file_type();
            if !kind.is_some_and(|kind| kind.is_file()) {
                if !kind.is_some_and(|kind| kind.is_dir()) && is_candidate_path(&name) {
                    self.problems.push(FileProblem {
                        path: display_path(path, self.cwd),
                        message: "not a regular file (a device, FIFO or socket): skipped"
                            .to_owned(),
                        kind: ProblemKind::Skipped,
                    });
                }
                continue;
            }
            if !is_candidate_path(&name) {
                continue;
            }
            let mut file = self.units.file(path)?;
            if file.is_excluded() {
                continue;
            }
            file.bounds = Some(Arc::clone(self.bounds));
            self.files.push(file);
        }
        self.problems
            .append(&mut outside.lock().unwrap_or_else(PoisonError::into_inner));
        Ok(())
    }

    /// The problem for a walk error. A link to a folder outside the bounds that cannot be
    /// listed fails before the entry filter sees it; it is reported as skipped, like one that
    /// can be listed.
    fn walk_problem(&self, error: &ignore::Error) -> FileProblem {
        let problem = walk_problem(error, self.cwd);
        if problem.kind == ProblemKind::Io
            && let Some(path) = error_path(error)
            && fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink())
            && let Ok(Resolution::Outside(target)) = self.bounds.resolve(path)
        {
            let is_dir = fs::metadata(&target).is_ok_and(|meta| meta.is_dir());
            return FileProblem {
                message: outside_message(&target, is_dir),
                kind: ProblemKind::Skipped,
                ..problem
            };
        }
        problem
    }
}

/// The path a walk error is about, if it names one.
fn error_path(error: &ignore::Error) -> Option<&Path> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

fn walk_problem(error: &ignore::Error, cwd: &Path) -> FileProblem {
    let mut path = None;
    let mut loop_detected = false;
    let mut inner = error;
    loop {
        match inner {
            ignore::Error::WithPath { path: p, err } => {
                path.get_or_insert_with(|| p.clone());
                inner = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                inner = err;
            }
            ignore::Error::Loop { child, .. } => {
                path.get_or_insert_with(|| child.clone());
                loop_detected = true;
                break;
            }
            _ => break,
        }
    }
    let display = path.map_or_else(String::new, |p| display_path(&p, cwd));
    if loop_detected {
        FileProblem {
            path: display,
            message: "symbolic link loop: not followed".to_owned(),
            kind: ProblemKind::Skipped,
        }
    } else {
        FileProblem {
            path: display,
            message: format!("cannot read: {inner}"),
            kind: ProblemKind::Io,
        }
    }
}

/// Whether `path` names a Terraform configuration file (`.tf` or `.tf.json`).
pub fn is_terraform_file(path: &str) -> bool {
    path.ends_with(".tf") || path.ends_with(".tf.json")
}

/// Whether `path` names a file the engine reads as part of a Terraform module: a
/// configuration file, or a variable definitions file Terraform loads automatically.
pub fn is_module_file(path: &str) -> bool {
    is_terraform_file(path) || is_auto_loaded(path)
}

/// The files of the Terraform module in `folder` (`.tf`, `.tf.json`, and the variable
/// definitions files Terraform loads automatically: `terraform.tfvars`, `*.auto.tfvars` and
/// their `.json` forms) whose names `skip` refuses, read where their links lead inside
/// `bounds`, as (path, text), in path order. Files that cannot be read are left out: without
/// them a variable keeps its default or stays unknown.
pub fn read_module_files(
    folder: &Path,
    bounds: &Bounds,
    max_size: u64,
    skip: impl Fn(&str) -> bool,
) -> Vec<(PathBuf, String)> {
    folder_files(folder, |name| is_module_file(name) && !skip(name))
        .into_iter()
        .filter_map(|path| {
            let bytes = read_found_file(&path, bounds, max_size).ok()?;
            let text = decode(bytes).ok()?.text;
            Some((path, text))
        })
        .collect()
}

/// The files of `folder` (and links, which reading judges against its bounds) whose names
/// `keep` accepts, in path order: how every front-end lists the other files of a changed
/// file's module or folder.
pub fn folder_files(folder: &Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let Ok(listing) = fs::read_dir(folder) else {
        return Vec::new();
    };
    let mut paths: Vec<PathBuf> = listing
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_type()
                .is_ok_and(|kind| kind.is_file() || kind.is_symlink())
                && keep(&entry.file_name().to_string_lossy())
        })
        .map(|entry| entry.path())
        .collect();
    paths.sort();
    paths
}

/// The root of the repository a file belongs to, whose files repository rules join: the
/// folder of the `redline.toml` that governs it, else the nearest folder at or above its own
/// holding `.git` (a git work tree) or a `.github` folder (a repository checked out without
/// its git folder, as archives are), else `None` (the files checked together are one
/// repository).
pub fn repository_root(file: &Path, config: &LoadedConfig) -> Option<PathBuf> {
    if config.path.is_some() {
        return Some(config.root.clone());
    }
    file.parent()?
        .ancestors()
        .find(|folder| git::holds_work_tree(folder) || folder.join(".github").is_dir())
        .map(Path::to_path_buf)
}

/// Reads a file for analysis, refusing what redline must not or cannot analyse.
///
/// Returns `Ok(None)` for files that turn out not to be analysable (an extensionless file
/// without a shebang). A file with `bounds` is refused when it leads outside them.
pub fn read_source(file: &FileJob) -> Result<Option<SourceText>, FileProblem> {
    let problem = |message: String, kind| FileProblem {
        path: file.display.clone(),
        message,
        kind,
    };
    // The walk checked the links, but the repository may have changed since: a file found by
    // walking is resolved again and read at its canonical path.
    let target = match &file.bounds {
        None => file.path.clone(),
        Some(bounds) => match bounds.resolve(&file.path) {
            Ok(Resolution::Inside(target)) => target,
            Ok(Resolution::Outside(target)) => {
                return Err(problem(
                    outside_message(&target, false),
                    ProblemKind::Skipped,
                ));
            }
            Err(error) => {
                return Err(problem(
                    format!("cannot read: {}", describe_io(&error)),
                    ProblemKind::Io,
                ));
            }
        },
    };
    let metadata = fs::metadata(&target).map_err(|error| {
        problem(
            format!("cannot read: {}", describe_io(&error)),
            ProblemKind::Io,
        )
    })?;
    if !metadata.is_file() {
        return Err(problem(
            "not a regular file: skipped".to_owned(),
            ProblemKind::Skipped,
        ));
    }
    let max = file.config.config.max_file_size;
    if metadata.len() > max {
        return Err(problem(
            format!(
                "file is {} bytes, over the {max}-byte `max_file_size`: skipped",
                metadata.len()
            ),
            ProblemKind::Skipped,
        ));
    }
    let mut handle = fs::File::open(&target).map_err(|error| {
        problem(
            format!("cannot read: {}", describe_io(&error)),
            ProblemKind::Io,
        )
    })?;
    if let Some(bounds) = &file.bounds {
        recheck_opened(&handle, &target, bounds)
            .map_err(|(message, kind)| problem(message, kind))?;
    }
    let needs_shebang = redline_syntax::detect::needs_shebang(&file.display);
    // Sized for the file as it was found (one byte more, to see that it ended), so that it is
    // read in one call or two rather than in a doubling series of small ones.
    let mut bytes = Vec::with_capacity(read_capacity(metadata.len()));
    if needs_shebang {
        // Extensionless files are only shell scripts when they start with a shebang.
        let mut head = [0u8; 2];
        let read = handle.read(&mut head).map_err(|error| {
            problem(
                format!("cannot read: {}", describe_io(&error)),
                ProblemKind::Io,
            )
        })?;
        if &head[..read] != b"#!" {
            return Ok(None);
        }
        bytes.extend_from_slice(&head[..read]);
    }
    // Never read more than the cap, even if the file grows while it is read.
    handle
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|error| {
            problem(
                format!("cannot read: {}", describe_io(&error)),
                ProblemKind::Io,
            )
        })?;
    if bytes.len() as u64 > max {
        return Err(problem(
            format!("file is over the {max}-byte `max_file_size`: skipped"),
            ProblemKind::Skipped,
        ));
    }
    decode(bytes)
        .map_err(|message| problem(message, ProblemKind::Skipped))
        .map(Some)
}

/// The capacity to read a file of `len` bytes into: one byte more, so that the read that finds
/// its end needs no second allocation.
fn read_capacity(len: u64) -> usize {
    usize::try_from(len).map_or(0, |len| len.saturating_add(1))
}

/// Checks that the file opened at `target` is still the one inside `bounds`.
///
/// A folder on the way may have been swapped for a link between resolving and opening. This
/// narrows that window to a second swap timed between two system calls; closing it needs
/// `openat2(RESOLVE_BENEATH)`, which is not portable.
fn recheck_opened(
    handle: &fs::File,
    target: &Path,
    bounds: &Bounds,
) -> Result<(), (String, ProblemKind)> {
    let changed = || {
        (
            "changed while it was read (a symbolic link appeared on its path): not read".to_owned(),
            ProblemKind::Io,
        )
    };
    let again = match bounds.resolve(target) {
        Ok(Resolution::Inside(again)) => again,
        Ok(Resolution::Outside(again)) => {
            return Err((outside_message(&again, false), ProblemKind::Skipped));
        }
        Err(_) => return Err(changed()),
    };
    let same = again == target
        && match (handle.metadata(), fs::metadata(&again)) {
            (Ok(opened), Ok(found)) => same_file(&opened, &found),
            _ => false,
        };
    if same { Ok(()) } else { Err(changed()) }
}

#[cfg(unix)]
fn same_file(a: &fs::Metadata, b: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    a.dev() == b.dev() && a.ino() == b.ino()
}

/// Without inode numbers, the path check in `recheck_opened` is all there is.
#[cfg(not(unix))]
fn same_file(_: &fs::Metadata, _: &fs::Metadata) -> bool {
    true
}

/// Turns file bytes into text: refuses NUL bytes and invalid UTF-8, strips a BOM.
pub fn decode(bytes: Vec<u8>) -> Result<SourceText, String> {
    if let Some(offset) = bytes.iter().position(|byte| *byte == 0) {
        return Err(format!(
            "binary file (NUL byte at offset {offset}): skipped"
        ));
    }
    let mut text = String::from_utf8(bytes).map_err(|error| {
        format!(
            "not valid UTF-8 (invalid byte at offset {}): skipped",
            error.utf8_error().valid_up_to()
        )
    })?;
    let had_bom = text.starts_with('\u{feff}');
    if had_bom {
        text.drain(..3);
    }
    Ok(SourceText { text, had_bom })
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved lexically.
pub(crate) fn absolute(path: &Path, cwd: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut res = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                res.pop();
            }
            other => res.push(other),
        }
    }
    res
}

pub(crate) fn describe_io(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_refuses_binary_and_strips_bom() {
        assert!(decode(b"a\0b".to_vec()).is_err());
        assert!(decode(vec![0x66, 0xff]).unwrap_err().contains("offset 1"));
        let text = decode(b"\xef\xbb\xbfx = 1".to_vec()).expect("valid");
        assert!(text.had_bom);
        assert_eq!(text.text, "x = 1");
    }
}

#[cfg(test)]
mod discovery_tests {
    use super::*;
    use redline_syntax::Format;

    #[test]
    fn gitlab_local_includes_are_gitlab_ci() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("ci/jobs")).unwrap();
        fs::write(
            root.join(".gitlab-ci.yml"),
            "include:\n  - local: /ci/deploy.yml\n  - 'https://example.com/remote.yml'\n",
        )
        .unwrap();
        fs::write(root.join("ci/deploy.yml"), "include: 'ci/jobs/*.yml'\n").unwrap();
        fs::write(root.join("ci/jobs/apply.yml"), "apply:\n  script: [make]\n").unwrap();
        fs::write(root.join("ci/other.yml"), "x: 1\n").unwrap();
        let discovery = discover(&DiscoverOptions {
            paths: &[root.to_path_buf()],
            config_file: None,
            cwd: root,
        })
        .unwrap();
        let formats: Vec<(String, Option<Format>)> = discovery
            .files
            .iter()
            .map(|file| (file.display.clone(), file.hints.format))
            .collect();
        assert_eq!(
            formats,
            [
                // The root file is GitLab CI by its name; the hint is for included files.
                (".gitlab-ci.yml".to_owned(), None),
                ("ci/deploy.yml".to_owned(), Some(Format::GitlabCi)),
                ("ci/jobs/apply.yml".to_owned(), Some(Format::GitlabCi)),
                ("ci/other.yml".to_owned(), None),
            ]
        );
    }
    /// A file found by walking is resolved again when it is read: one swapped for a link to a
    /// file outside after the walk is not read.
    #[test]
    fn read_source_rechecks_a_file_found_by_walking() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("repo");
        fs::create_dir_all(root.join(".git")).unwrap();
        fs::create_dir_all(dir.path().join("outside")).unwrap();
        fs::write(root.join("main.tf"), "locals {}\n").unwrap();
        fs::write(dir.path().join("outside/secret.tf"), "secret\n").unwrap();
        let discovery = discover(&DiscoverOptions {
            paths: std::slice::from_ref(&root),
            config_file: None,
            cwd: dir.path(),
        })
        .unwrap();
        let [file] = discovery.files.as_slice() else {
            panic!("one file expected");
        };
        assert!(read_source(file).is_ok());

        fs::remove_file(root.join("main.tf")).unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside/secret.tf"), root.join("main.tf"))
            .unwrap();
        let problem = read_source(file).unwrap_err();
        assert_eq!(problem.kind, ProblemKind::Skipped);
        assert!(
            problem
                .message
                .starts_with("symbolic link to a file outside the scanned folders ("),
            "{}",
            problem.message
        );
        // Named by the user, the same link is read.
        let named = file_jobs(&[root.join("main.tf")], None, dir.path()).unwrap();
        let source = read_source(named[0].as_ref().unwrap()).unwrap().unwrap();
        assert_eq!(source.text, "secret\n");
    }

    /// `exclude` holds for a file named as for one found by walking.
    #[test]
    fn excluded_files_are_left_out_whether_named_or_walked() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::create_dir_all(root.join("vendor")).unwrap();
        fs::write(root.join("redline.toml"), "exclude = [\"vendor\"]\n").unwrap();
        fs::write(root.join("vendor/main.tf"), "locals {}\n").unwrap();
        fs::write(root.join("main.tf"), "locals {}\n").unwrap();
        let found = |paths: &[PathBuf]| -> Vec<String> {
            discover(&DiscoverOptions {
                paths,
                config_file: None,
                cwd: root,
            })
            .unwrap()
            .files
            .into_iter()
            .map(|file| file.display)
            .collect()
        };
        assert_eq!(found(&[root.to_path_buf()]), ["main.tf"]);
        assert_eq!(
            found(&[root.join("vendor/main.tf"), root.join("main.tf")]),
            ["main.tf"]
        );
        let named = file_jobs(&[root.join("vendor/main.tf")], None, root).unwrap();
        assert!(named[0].is_none());
    }

    /// The work tree is marked by a `.git` folder, a `.git` file (linked worktrees and
    /// submodules) or a link to either.
    #[test]
    fn work_trees_are_found_by_their_git_folder_or_file() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        for name in ["folder", "file", "link"] {
            fs::create_dir_all(root.join(name).join("a/b")).unwrap();
        }
        fs::create_dir(root.join("folder/.git")).unwrap();
        fs::write(root.join("file/.git"), "gitdir: /elsewhere\n").unwrap();
        std::os::unix::fs::symlink(root.join("folder/.git"), root.join("link/.git")).unwrap();
        for name in ["folder", "file", "link"] {
            let inside = root.join(name).join("a/b");
            assert_eq!(
                git::work_tree(&inside),
                Some(root.join(name).as_path()),
                "{name}"
            );
        }
        // A dangling link marks nothing.
        fs::create_dir_all(root.join("dangling/a")).unwrap();
        std::os::unix::fs::symlink(root.join("nowhere"), root.join("dangling/.git")).unwrap();
        assert!(!git::holds_work_tree(&root.join("dangling")));
    }

    /// The bounds hold each folder given, the folder of each file given, and the nearest work
    /// tree above, marked by a `.git` folder or file.
    #[test]
    fn bounds_reach_the_work_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        fs::create_dir_all(root.join("repo/a")).unwrap();
        fs::create_dir_all(root.join("repo/shared")).unwrap();
        fs::write(root.join("repo/a/main.tf"), "").unwrap();
        fs::write(root.join("repo/.git"), "gitdir: /elsewhere\n").unwrap();
        for given in ["repo/a", "repo/a/main.tf"] {
            let bounds = Bounds::new(&[PathBuf::from(given)], &root);
            assert!(bounds.contains(&root.join("repo/a/main.tf")), "{given}");
            assert!(bounds.contains(&root.join("repo/shared")), "{given}");
            // Component-wise: a folder whose name starts like the work tree is outside.
            assert!(!bounds.contains(&root.join("repo2/x.tf")), "{given}");
            assert!(!bounds.contains(&root), "{given}");
        }
        fs::remove_file(root.join("repo/.git")).unwrap();
        if !root.ancestors().any(|folder| folder.join(".git").exists()) {
            let bounds = Bounds::new(&[PathBuf::from("repo/a")], &root);
            assert!(!bounds.contains(&root.join("repo/shared")));
        }
    }
}

//! The I/O side of redline: finding files, honouring ignore files, discovering `redline.toml`,
//! and reading sources safely. The result feeds `redline_engine::analyze`.

pub mod git;
mod gitlab;

use std::collections::HashMap;
use std::fs;
use std::io::Read as _;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use redline_engine::{Config, ConfigError};
use redline_syntax::SourceHints;
use redline_syntax::detect::is_candidate_path;

/// The configuration file name looked up from each analysed path upwards.
pub const CONFIG_FILE_NAME: &str = "redline.toml";

/// Folders that are never entered: VCS data, provider caches and package trees.
const SKIPPED_FOLDERS: &[&str] = &[".git", ".terraform", "node_modules", ".hg", ".svn"];

/// A configuration and the folder its relative paths start from.
pub struct LoadedConfig {
    /// The parsed configuration.
    pub config: Config,
    /// The folder holding the file (or the current folder for the built-in defaults).
    pub root: PathBuf,
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
}

/// A file to analyse.
#[derive(Clone)]
pub struct FileJob {
    /// The path to read.
    pub path: PathBuf,
    /// The path shown to users: relative to the current folder when the file is below it.
    pub display: String,
    /// The configuration that governs the file.
    pub config: Arc<LoadedConfig>,
    /// The path relative to the configuration's folder, with `/` separators.
    pub config_relative: String,
    /// What the workspace knows about the file's format.
    pub hints: SourceHints,
}

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
    /// The file was skipped on purpose (too large, binary, not UTF-8, a symlink loop).
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

/// Finds the files to analyse under `options.paths`.
pub fn discover(options: &DiscoverOptions<'_>) -> Result<Discovery, WorkspaceError> {
    let mut configs = ConfigCache::new(options.config_file, options.cwd)?;
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in options.paths {
        let metadata = fs::metadata(path).map_err(|error| WorkspaceError::Path {
            path: path.display().to_string(),
            message: describe_io(&error),
        })?;
        if metadata.is_file() {
            let config = configs.for_file(path)?;
            files.push(job(path, options.cwd, config));
            continue;
        }
        if !metadata.is_dir() {
            return Err(WorkspaceError::Path {
                path: path.display().to_string(),
                message: "not a regular file or folder".to_owned(),
            });
        }
        walk(path, options.cwd, &mut configs, &mut files, &mut problems)?;
    }
    files.sort_by(|a, b| a.display.cmp(&b.display));
    files.dedup_by(|a, b| a.display == b.display);
    gitlab::mark_local_includes(&mut files);
    Ok(Discovery { files, problems })
}

/// Makes jobs for files named one by one, whether or not they exist (a file deleted by an
/// edit still has a governing configuration). A file that its configuration excludes gets
/// `None`. The result has one entry per path, in order.
pub fn file_jobs(
    paths: &[PathBuf],
    config_file: Option<&Path>,
    cwd: &Path,
) -> Result<Vec<Option<FileJob>>, WorkspaceError> {
    let mut configs = ConfigCache::new(config_file, cwd)?;
    let mut res = Vec::with_capacity(paths.len());
    for path in paths {
        let config = configs.for_file(path)?;
        let file = job(path, cwd, config);
        let excluded = file.config.config.is_excluded(&file.config_relative);
        res.push((!excluded).then_some(file));
    }
    Ok(res)
}

fn walk(
    root: &Path,
    cwd: &Path,
    configs: &mut ConfigCache,
    files: &mut Vec<FileJob>,
    problems: &mut Vec<FileProblem>,
) -> Result<(), WorkspaceError> {
    let walker = ignore::WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .require_git(false)
        .ignore(true)
        .parents(true)
        .follow_links(true)
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            !(entry.depth() > 0
                && entry.file_type().is_some_and(|kind| kind.is_dir())
                && SKIPPED_FOLDERS.contains(&name.as_ref()))
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                problems.push(walk_problem(&error, cwd));
                continue;
            }
        };
        let path = entry.path();
        let name = path.to_string_lossy();
        // Only regular files: FIFOs, sockets and devices could block or never end. One named
        // like a file redline reads (`x.tf` linked to `/dev/zero`) is reported, not read.
        let kind = entry.file_type();
        if !kind.is_some_and(|kind| kind.is_file()) {
            if !kind.is_some_and(|kind| kind.is_dir()) && is_candidate_path(&name) {
                problems.push(FileProblem {
                    path: display_path(path, cwd),
                    message: "not a regular file (a device, FIFO or socket): skipped".to_owned(),
                    kind: ProblemKind::Skipped,
                });
            }
            continue;
        }
        if !is_candidate_path(&name) {
            continue;
        }
        let config = configs.for_file(path)?;
        let file = job(path, cwd, config);
        if file.config.config.is_excluded(&file.config_relative) {
            continue;
        }
        files.push(file);
    }
    Ok(())
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

fn job(path: &Path, cwd: &Path, config: Arc<LoadedConfig>) -> FileJob {
    let absolute = absolute(path, cwd);
    let config_relative = absolute
        .strip_prefix(&config.root)
        .map(slash_path)
        .unwrap_or_else(|_| slash_path(&absolute));
    FileJob {
        path: path.to_path_buf(),
        display: display_path(path, cwd),
        config,
        config_relative,
        hints: SourceHints::default(),
    }
}

/// Loads the `redline.toml` that governs `file`: the nearest one in its folder or above.
///
/// Returns `Ok(None)` when there is none, so the built-in defaults apply.
pub fn nearest_config(file: &Path) -> Result<Option<LoadedConfig>, WorkspaceError> {
    let Some(folder) = file.parent() else {
        return Ok(None);
    };
    for ancestor in folder.ancestors() {
        let candidate = ancestor.join(CONFIG_FILE_NAME);
        if candidate.is_file() {
            return load_config(&candidate).map(Some);
        }
    }
    Ok(None)
}

/// Reads a file for analysis, refusing what redline must not or cannot analyse.
///
/// Returns `Ok(None)` for files that turn out not to be analysable (an extensionless file
/// without a shebang).
pub fn read_source(file: &FileJob) -> Result<Option<SourceText>, FileProblem> {
    let problem = |message: String, kind| FileProblem {
        path: file.display.clone(),
        message,
        kind,
    };
    let metadata = fs::metadata(&file.path).map_err(|error| {
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
    let mut handle = fs::File::open(&file.path).map_err(|error| {
        problem(
            format!("cannot read: {}", describe_io(&error)),
            ProblemKind::Io,
        )
    })?;
    let needs_shebang = redline_syntax::detect::needs_shebang(&file.display);
    let mut bytes = Vec::new();
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

/// The path shown to users: relative to `cwd` when below it, with `/` separators.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    let absolute = absolute(path, cwd);
    match absolute.strip_prefix(cwd) {
        Ok(relative) if !relative.as_os_str().is_empty() => slash_path(relative),
        _ => slash_path(path),
    }
}

fn slash_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

/// `path` made absolute against `cwd`, with `.` and `..` resolved lexically.
fn absolute(path: &Path, cwd: &Path) -> PathBuf {
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

fn describe_io(error: &std::io::Error) -> String {
    match error.kind() {
        std::io::ErrorKind::NotFound => "no such file or folder".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => error.to_string(),
    }
}

/// Finds and caches the nearest `redline.toml` for each folder.
struct ConfigCache {
    fixed: Option<Arc<LoadedConfig>>,
    default: Arc<LoadedConfig>,
    by_folder: HashMap<PathBuf, Arc<LoadedConfig>>,
    cwd: PathBuf,
}

impl ConfigCache {
    fn new(config_file: Option<&Path>, cwd: &Path) -> Result<Self, WorkspaceError> {
        let fixed = match config_file {
            Some(path) => Some(Arc::new(load_config(&absolute(path, cwd))?)),
            None => None,
        };
        Ok(Self {
            fixed,
            default: Arc::new(LoadedConfig {
                config: Config::default(),
                root: cwd.to_path_buf(),
                path: None,
            }),
            by_folder: HashMap::new(),
            cwd: cwd.to_path_buf(),
        })
    }

    fn for_file(&mut self, path: &Path) -> Result<Arc<LoadedConfig>, WorkspaceError> {
        if let Some(fixed) = &self.fixed {
            return Ok(Arc::clone(fixed));
        }
        let absolute = absolute(path, &self.cwd);
        let folder = absolute.parent().unwrap_or(&absolute).to_path_buf();
        self.for_folder(&folder)
    }

    fn for_folder(&mut self, folder: &Path) -> Result<Arc<LoadedConfig>, WorkspaceError> {
        if let Some(found) = self.by_folder.get(folder) {
            return Ok(Arc::clone(found));
        }
        let candidate = folder.join(CONFIG_FILE_NAME);
        let res = if candidate.is_file() {
            Arc::new(load_config(&candidate)?)
        } else {
            match folder.parent() {
                Some(parent) => self.for_folder(parent)?,
                None => Arc::clone(&self.default),
            }
        };
        self.by_folder
            .insert(folder.to_path_buf(), Arc::clone(&res));
        Ok(res)
    }
}

fn load_config(path: &Path) -> Result<LoadedConfig, WorkspaceError> {
    let text = fs::read_to_string(path).map_err(|error| WorkspaceError::ConfigRead {
        path: path.display().to_string(),
        message: describe_io(&error),
    })?;
    let config = Config::parse(&text).map_err(|error| WorkspaceError::Config {
        path: path.display().to_string(),
        error,
    })?;
    Ok(LoadedConfig {
        config,
        root: path.parent().map(Path::to_path_buf).unwrap_or_default(),
        path: Some(path.to_path_buf()),
    })
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

    #[test]
    fn display_paths() {
        let cwd = Path::new("/repo");
        assert_eq!(display_path(Path::new("./a/b.tf"), cwd), "a/b.tf");
        assert_eq!(display_path(Path::new("/repo/a/b.tf"), cwd), "a/b.tf");
        assert_eq!(
            display_path(Path::new("/elsewhere/b.tf"), cwd),
            "/elsewhere/b.tf"
        );
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
}

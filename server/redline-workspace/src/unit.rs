//! The analysis unit: a file (or an editor's unsaved buffer) and what the workspace decides
//! about it before the engine sees its text: which `redline.toml` governs it and the path
//! relative to that file's folder, whether the configuration excludes it, its format hints and
//! the path shown to users; and today's date, for suppression expiry.
//!
//! Every front-end asks here: `check` and `diff` through discovery and [`file_jobs`], `gate`,
//! `hook` and `plan` through [`UnitResolver`], and the language server through
//! [`UnitResolver::for_folders`], which shows paths relative to the workspace folders. The
//! language server keeps its own caches (configurations per folder with the editor's settings
//! applied on top, texts read from disk, parses) and asks here for each decision.
//!
//! The rest of what an analysis reads has one source each too, but stays with the front-ends,
//! which read it differently: the other files of a changed file's folder are listed by
//! [`crate::folder_files`], and its base is read by [`crate::git`] (the text at `HEAD` for the
//! editor, a revision's blobs for `diff`) or from the disk (`gate`, `hook`).

use std::collections::HashMap;
use std::fs;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use redline_engine::{Config, SourceInput};
use redline_syntax::SourceHints;
use redline_syntax::detect::is_candidate_path;

use crate::{Bounds, Resolution, WorkspaceError, absolute, describe_io, is_terraform_file};

/// The configuration file name looked up from each analysed path upwards.
pub const CONFIG_FILE_NAME: &str = "redline.toml";

/// The largest `redline.toml` read: 1 MiB. The file comes with the repository it governs,
/// and a real one is a few hundred bytes.
pub const MAX_CONFIG_BYTES: u64 = 1024 * 1024;

/// A configuration and the folder its relative paths start from.
pub struct LoadedConfig {
    /// The parsed configuration.
    pub config: Config,
    /// The folder holding the file (or, for the built-in defaults, the folder paths are shown
    /// from: the current folder, or the first workspace folder).
    pub root: PathBuf,
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
}

/// One analysis unit: a file to analyse and what the workspace decided about it.
#[derive(Clone)]
pub struct FileJob {
    /// The path to read; for an unsaved buffer, its name.
    pub path: PathBuf,
    /// The path shown to users and given to the engine: relative to the folder paths are shown
    /// from (the current folder, or the workspace folder holding the file) when the file is
    /// below it.
    pub display: String,
    /// The configuration that governs the file.
    pub config: Arc<LoadedConfig>,
    /// The path relative to the configuration's folder, with `/` separators.
    pub config_relative: String,
    /// What the workspace knows about the file's format.
    pub hints: SourceHints,
    /// Where the file may resolve to through symbolic links, for a file redline found itself;
    /// `None` for a file named by the user, which is read wherever it leads.
    pub bounds: Option<Arc<Bounds>>,
}

/// Decides the analysis units of files: finds and caches the governing `redline.toml` of each
/// folder (or uses the one named with `--config`), and shows paths relative to a few folders.
pub struct UnitResolver {
    /// What relative paths are relative to.
    cwd: PathBuf,
    /// Paths are shown relative to the first of these that holds them.
    display_roots: Vec<PathBuf>,
    /// The configuration named with `--config`, which governs every file.
    fixed: Option<Arc<LoadedConfig>>,
    /// The built-in defaults, for files no `redline.toml` governs.
    default: Arc<LoadedConfig>,
    /// The governing configuration of each folder looked at.
    by_folder: HashMap<PathBuf, Arc<LoadedConfig>>,
}

impl UnitResolver {
    /// The resolver of a command run in `cwd`: paths are shown relative to `cwd`, and
    /// `config_file` (`--config`), when given, governs every file.
    pub fn new(config_file: Option<&Path>, cwd: &Path) -> Result<Self, WorkspaceError> {
        let fixed = match config_file {
            Some(path) => Some(Arc::new(load_config(&absolute(path, cwd))?)),
            None => None,
        };
        Ok(Self {
            fixed,
            ..Self::within(cwd, vec![cwd.to_path_buf()])
        })
    }

    /// The resolver of an editor's workspace folders: a path is shown relative to the first
    /// folder that holds it, and absolute otherwise.
    pub fn for_folders(folders: &[PathBuf]) -> Self {
        let cwd = folders
            .first()
            .cloned()
            .unwrap_or_else(|| PathBuf::from("/"));
        Self::within(&cwd, folders.to_vec())
    }

    fn within(cwd: &Path, display_roots: Vec<PathBuf>) -> Self {
        Self {
            cwd: cwd.to_path_buf(),
            display_roots,
            fixed: None,
            default: Arc::new(default_config(cwd)),
            by_folder: HashMap::new(),
        }
    }

    /// The unit of the file at `path`, governed by its nearest `redline.toml`.
    pub fn file(&mut self, path: &Path) -> Result<FileJob, WorkspaceError> {
        let config = self.config(path)?;
        Ok(self.unit(path, config))
    }

    /// The unit of the file at `path` under `config`: for a front-end that keeps its own
    /// configurations (the language server adds the editor's settings to them).
    pub fn unit(&self, path: &Path, config: Arc<LoadedConfig>) -> FileJob {
        let absolute = absolute(path, &self.cwd);
        let config_relative = absolute
            .strip_prefix(&config.root)
            .map(slash_path)
            .unwrap_or_else(|_| slash_path(&absolute));
        FileJob {
            path: path.to_path_buf(),
            display: self.display_path(path),
            config,
            config_relative,
            hints: source_hints(path),
            bounds: None,
        }
    }

    /// The unit of an editor's unsaved buffer, which has no folder: named by the last segment
    /// of its URI (`name`), with an extension from the editor's language id when the name has
    /// none redline knows, so that its format is detected as a saved file's would be.
    pub fn buffer(
        &self,
        name: &str,
        language_id: Option<&str>,
        config: Arc<LoadedConfig>,
    ) -> FileJob {
        let display = buffer_name(name, language_id);
        FileJob {
            path: PathBuf::from(&display),
            config_relative: display.clone(),
            display,
            config,
            hints: SourceHints::default(),
            bounds: None,
        }
    }

    /// The configuration that governs the file at `path`: the one named with `--config`, else
    /// the nearest `redline.toml` in its folder or above, else the built-in defaults. Kept per
    /// folder.
    pub fn config(&mut self, path: &Path) -> Result<Arc<LoadedConfig>, WorkspaceError> {
        if let Some(fixed) = &self.fixed {
            return Ok(Arc::clone(fixed));
        }
        let absolute = absolute(path, &self.cwd);
        let folder = absolute.parent().unwrap_or(&absolute).to_path_buf();
        self.for_folder(&folder)
    }

    /// The configuration that governs the file at `path`, read again and owned, for a
    /// front-end that changes it (the language server adds the editor's settings) and keeps
    /// it itself.
    pub fn load_config(&self, path: &Path) -> Result<LoadedConfig, WorkspaceError> {
        if let Some(fixed) = &self.fixed
            && let Some(file) = &fixed.path
        {
            return load_config(file);
        }
        let absolute = absolute(path, &self.cwd);
        let folder = absolute.parent().unwrap_or(&absolute);
        match folder.ancestors().find_map(config_file_in) {
            Some(file) => load_discovered_config(&file),
            None => Ok(self.default_config()),
        }
    }

    /// The built-in defaults, for a file no `redline.toml` governs or one whose `redline.toml`
    /// cannot be used.
    pub fn default_config(&self) -> LoadedConfig {
        default_config(&self.cwd)
    }

    /// The path shown to users for `path`: relative to the first display folder that holds it,
    /// with `/` separators; otherwise as given.
    pub fn display_path(&self, path: &Path) -> String {
        display_within(path, &self.cwd, &self.display_roots)
    }

    fn for_folder(&mut self, folder: &Path) -> Result<Arc<LoadedConfig>, WorkspaceError> {
        if let Some(found) = self.by_folder.get(folder) {
            return Ok(Arc::clone(found));
        }
        let res = if let Some(file) = config_file_in(folder) {
            Arc::new(load_discovered_config(&file)?)
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

impl FileJob {
    /// Whether the governing configuration's `exclude` names the file: such a file is never
    /// analysed, in `check`, `diff`, `gate`, `hook` or the editor.
    pub fn is_excluded(&self) -> bool {
        self.config.config.is_excluded(&self.config_relative)
    }

    /// What the engine is given for the file with `text`.
    pub fn input<'a>(&'a self, text: &'a str) -> SourceInput<'a> {
        SourceInput {
            path: &self.display,
            text,
            hints: self.hints,
            config_relative_path: Some(&self.config_relative),
        }
    }
}

/// Makes units for files named one by one, whether or not they exist (a file deleted by an
/// edit still has a governing configuration). A file that its configuration excludes gets
/// `None`. The result has one entry per path, in order.
pub fn file_jobs(
    paths: &[PathBuf],
    config_file: Option<&Path>,
    cwd: &Path,
) -> Result<Vec<Option<FileJob>>, WorkspaceError> {
    let mut units = UnitResolver::new(config_file, cwd)?;
    let mut res = Vec::with_capacity(paths.len());
    for path in paths {
        let file = units.file(path)?;
        res.push((!file.is_excluded()).then_some(file));
    }
    Ok(res)
}

/// What the folder of the file at `path` tells about it: for a Terraform file, whether its
/// folder is laid out as a published module (`examples/` or `modules/` subfolders).
pub fn source_hints(path: &Path) -> SourceHints {
    let published_module_layout =
        is_terraform_file(&path.to_string_lossy()) && path.parent().is_some_and(published_layout);
    SourceHints {
        published_module_layout,
        ..SourceHints::default()
    }
}

/// The path shown to users: relative to `cwd` when below it, with `/` separators.
pub fn display_path(path: &Path, cwd: &Path) -> String {
    display_within(path, cwd, &[cwd])
}

/// Today's date, for suppression expiry; `REDLINE_TODAY=YYYY-MM-DD` pins it for reproducible
/// runs. Every front-end (the command line, the language server) reads it here.
pub fn today() -> redline_engine::Date {
    if let Some(date) = std::env::var("REDLINE_TODAY")
        .ok()
        .and_then(|value| redline_engine::Date::parse(&value))
    {
        return date;
    }
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    redline_engine::Date::from_unix_seconds(seconds)
}

/// The name of an unsaved buffer: `name`, with the extension of the editor's language id when
/// `name` is not one redline reads.
fn buffer_name(name: &str, language_id: Option<&str>) -> String {
    if is_candidate_path(name) {
        return name.to_owned();
    }
    let extension = match language_id {
        Some("terraform" | "hcl" | "terraform-vars") => "tf",
        Some("yaml" | "github-actions-workflow") => "yaml",
        Some("json" | "jsonc") => "json",
        Some("shellscript" | "sh" | "bash") => "sh",
        Some("toml") => "toml",
        _ => return name.to_owned(),
    };
    format!("{name}.{extension}")
}

/// The `redline.toml` of `folder`, if it has one.
fn config_file_in(folder: &Path) -> Option<PathBuf> {
    let candidate = folder.join(CONFIG_FILE_NAME);
    candidate.is_file().then_some(candidate)
}

fn default_config(root: &Path) -> LoadedConfig {
    LoadedConfig {
        config: Config::default(),
        root: root.to_path_buf(),
        path: None,
    }
}

/// Whether a module's folder is laid out as a published module: `examples/` or `modules/`
/// subfolders.
fn published_layout(folder: &Path) -> bool {
    folder.join("examples").is_dir() || folder.join("modules").is_dir()
}

/// `path` (relative to `cwd`) relative to the first of `roots` that holds it, with `/`
/// separators; otherwise as given.
fn display_within(path: &Path, cwd: &Path, roots: &[impl AsRef<Path>]) -> String {
    let absolute = absolute(path, cwd);
    for root in roots {
        match absolute.strip_prefix(root) {
            Ok(relative) if !relative.as_os_str().is_empty() => return slash_path(relative),
            _ => {}
        }
    }
    slash_path(path)
}

fn slash_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}

/// Loads a `redline.toml` found beside the analysed files. Unlike one named with `--config`, it
/// comes with the repository, and a link from it to a file elsewhere (`~/.aws/credentials`)
/// would quote that file's lines in the parse error: such a link is refused.
fn load_discovered_config(path: &Path) -> Result<LoadedConfig, WorkspaceError> {
    let is_link = fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink());
    if is_link {
        let folder = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let bounds = Bounds::new(std::slice::from_ref(&folder), &folder);
        if let Ok(Resolution::Outside(target)) = bounds.resolve(path) {
            return Err(WorkspaceError::ConfigRead {
                path: path.display().to_string(),
                message: format!(
                    "a symbolic link to {}, outside the repository: not read",
                    target.display()
                ),
            });
        }
    }
    load_config(path)
}

fn load_config(path: &Path) -> Result<LoadedConfig, WorkspaceError> {
    let read_error = |message: String| WorkspaceError::ConfigRead {
        path: path.display().to_string(),
        message,
    };
    let mut bytes = Vec::new();
    fs::File::open(path)
        .and_then(|file| file.take(MAX_CONFIG_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|error| read_error(describe_io(&error)))?;
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        return Err(read_error(format!(
            "larger than {} KiB: not a configuration redline reads",
            MAX_CONFIG_BYTES / 1024
        )));
    }
    let text = String::from_utf8(bytes).map_err(|_| read_error("not UTF-8".to_owned()))?;
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
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// A temporary folder, by its canonical path.
    fn folder() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = fs::canonicalize(dir.path()).unwrap();
        (dir, root)
    }

    #[test]
    fn display_paths_are_relative_to_the_first_folder_that_holds_the_file() {
        let cwd = Path::new("/repo");
        assert_eq!(display_path(Path::new("./a/b.tf"), cwd), "a/b.tf");
        assert_eq!(display_path(Path::new("/repo/a/b.tf"), cwd), "a/b.tf");
        assert_eq!(display_path(Path::new("a/../c.tf"), cwd), "c.tf");
        assert_eq!(display_path(Path::new("../x/b.tf"), cwd), "../x/b.tf");
        assert_eq!(
            display_path(Path::new("/elsewhere/b.tf"), cwd),
            "/elsewhere/b.tf"
        );

        let units = UnitResolver::for_folders(&[PathBuf::from("/w/a"), PathBuf::from("/w/b")]);
        assert_eq!(units.display_path(Path::new("/w/b/ci/x.yml")), "ci/x.yml");
        assert_eq!(units.display_path(Path::new("/w/a/main.tf")), "main.tf");
        assert_eq!(
            units.display_path(Path::new("/w/c/main.tf")),
            "/w/c/main.tf"
        );
        let nothing_open = UnitResolver::for_folders(&[]);
        assert_eq!(
            nothing_open.display_path(Path::new("/w/a/main.tf")),
            "/w/a/main.tf"
        );
    }

    #[test]
    fn unsaved_buffers_take_an_extension_from_the_language_id() {
        let units = UnitResolver::for_folders(&[]);
        let buffer = |name: &str, language_id: Option<&str>| {
            units
                .buffer(name, language_id, Arc::new(units.default_config()))
                .display
        };
        assert_eq!(buffer("scratch.txt", Some("terraform")), "scratch.txt.tf");
        assert_eq!(
            buffer("scratch.txt", Some("github-actions-workflow")),
            "scratch.txt.yaml"
        );
        assert_eq!(buffer("scratch.txt", Some("shellscript")), "scratch.txt.sh");
        assert_eq!(buffer("main.tf", Some("yaml")), "main.tf");
        assert_eq!(buffer("notes.md", Some("markdown")), "notes.md");
        assert_eq!(buffer("notes.md", None), "notes.md");
        // An extensionless name is one redline reads (a script, if it starts with a shebang).
        assert_eq!(buffer("Untitled-1", Some("terraform")), "Untitled-1");
        let unit = units.buffer(
            "scratch.txt",
            Some("terraform"),
            Arc::new(units.default_config()),
        );
        assert!(!unit.is_excluded());
        assert_eq!(unit.hints, SourceHints::default());
    }

    /// The nearest `redline.toml` governs a file; its `exclude` and its paths are relative to
    /// its folder; `--config` governs every file.
    #[test]
    fn the_nearest_redline_toml_decides_configuration_and_exclusion() {
        let (_dir, root) = folder();
        fs::create_dir_all(root.join("infra/vendor/mod")).unwrap();
        fs::create_dir_all(root.join("other")).unwrap();
        fs::write(root.join("infra/redline.toml"), "exclude = [\"vendor\"]\n").unwrap();
        fs::write(root.join("infra/vendor/mod/main.tf"), "").unwrap();

        let mut units = UnitResolver::new(None, &root).unwrap();
        let vendored = units.file(Path::new("infra/vendor/mod/main.tf")).unwrap();
        assert_eq!(vendored.display, "infra/vendor/mod/main.tf");
        assert_eq!(vendored.config_relative, "vendor/mod/main.tf");
        assert_eq!(vendored.config.root, root.join("infra"));
        assert!(vendored.is_excluded());
        let own = units.file(&root.join("infra/main.tf")).unwrap();
        assert_eq!(own.config_relative, "main.tf");
        assert!(!own.is_excluded());
        // No `redline.toml` above: the defaults, rooted where paths are shown from.
        let other = units.file(Path::new("other/main.tf")).unwrap();
        assert!(other.config.path.is_none());
        assert_eq!(other.config.root, root);
        assert_eq!(other.config_relative, "other/main.tf");

        // The editor's resolver makes the same decisions, from an owned configuration.
        let editor = UnitResolver::for_folders(std::slice::from_ref(&root));
        let path = root.join("infra/vendor/mod/main.tf");
        let loaded = editor.load_config(&path).unwrap();
        assert_eq!(loaded.path, Some(root.join("infra/redline.toml")));
        let unit = editor.unit(&path, Arc::new(loaded));
        assert_eq!(unit.display, "infra/vendor/mod/main.tf");
        assert_eq!(unit.config_relative, "vendor/mod/main.tf");
        assert!(unit.is_excluded());
        let loaded = editor.load_config(&root.join("other/main.tf")).unwrap();
        assert_eq!((loaded.path, loaded.root), (None, root.clone()));

        // `--config` governs every file, with paths relative to its folder.
        fs::write(root.join("other/redline.toml"), "exclude = [\"main.tf\"]\n").unwrap();
        let mut fixed = UnitResolver::new(Some(Path::new("other/redline.toml")), &root).unwrap();
        let unit = fixed.file(Path::new("infra/vendor/mod/main.tf")).unwrap();
        // Outside the configuration's folder, the path relative to nothing: its `exclude` and
        // `[[ignore]]` globs never name it.
        assert_eq!(
            unit.config_relative,
            format!("{}/infra/vendor/mod/main.tf", root.display())
        );
        assert!(!unit.is_excluded());
        assert!(
            fixed
                .file(&root.join("other/main.tf"))
                .unwrap()
                .is_excluded()
        );
        let named = file_jobs(
            &[root.join("other/main.tf"), root.join("infra/main.tf")],
            Some(Path::new("other/redline.toml")),
            &root,
        )
        .unwrap();
        assert!(named[0].is_none());
        assert!(named[1].is_some());
    }

    /// A `redline.toml` that cannot be used is an error, in the command line's resolver and
    /// in the editor's alike (which shows it and uses the defaults).
    #[test]
    fn a_broken_redline_toml_is_an_error() {
        let (_dir, root) = folder();
        fs::write(root.join("redline.toml"), "exclude = 3\n").unwrap();
        let path = root.join("main.tf");
        assert!(matches!(
            UnitResolver::new(None, &root).unwrap().file(&path),
            Err(WorkspaceError::Config { .. })
        ));
        assert!(matches!(
            UnitResolver::for_folders(std::slice::from_ref(&root)).load_config(&path),
            Err(WorkspaceError::Config { .. })
        ));
    }

    #[test]
    fn hints_tell_a_published_module_layout() {
        let (_dir, root) = folder();
        fs::create_dir_all(root.join("module/examples")).unwrap();
        fs::create_dir_all(root.join("stack")).unwrap();
        // Hints are read from the path as given, as the process sees it.
        let mut units = UnitResolver::new(None, &root).unwrap();
        assert!(
            units
                .file(&root.join("module/main.tf"))
                .unwrap()
                .hints
                .published_module_layout
        );
        assert!(
            !units
                .file(&root.join("module/values.yaml"))
                .unwrap()
                .hints
                .published_module_layout
        );
        assert!(
            !units
                .file(&root.join("stack/main.tf"))
                .unwrap()
                .hints
                .published_module_layout
        );
    }

    #[test]
    fn the_input_carries_the_display_and_config_relative_paths() {
        let (_dir, root) = folder();
        fs::create_dir_all(root.join("a")).unwrap();
        fs::write(root.join("a/redline.toml"), "").unwrap();
        let unit = UnitResolver::new(None, &root)
            .unwrap()
            .file(Path::new("a/b/main.tf"))
            .unwrap();
        let input = unit.input("locals {}\n");
        assert_eq!(input.path, "a/b/main.tf");
        assert_eq!(input.config_relative_path, Some("b/main.tf"));
        assert_eq!(input.text, "locals {}\n");
    }
}

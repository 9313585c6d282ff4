//! The server's state: open documents, their latest analyses, configurations and settings.
//!
//! Nothing here awaits. Handlers update the store synchronously, in the order the client sent
//! the notifications, and analyses run on blocking threads against a versioned snapshot.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use dashmap::DashMap;
use redline_diagnostics::{Diagnostic, Severity};
use redline_engine::{
    AnalysisOptions, ChangeInput, Config, Date, ParseMemo, ParsedSides, Report, Resolved,
    SourceInput, analyze_incremental_memo, analyze_parsed_change_memo, analyze_parsed_in_folder,
    finish_workspace_findings, parse_change_memo, workspace_facts,
};
use redline_rules::workspace::{FileFacts, join};
use redline_syntax::{Format, Language, ParsedTree, SourceFile, SourceHints, TextPoint, TreeEdit};
use redline_text::{TextRange, TextSize};
use redline_workspace::git::{self, GitStamp};
use redline_workspace::modules::{CalledFolders, CalledModulesOptions, read_called_modules};
use redline_workspace::{Bounds, FileJob, LoadedConfig, UnitResolver};
use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

use crate::convert::{self, PositionEncoding, PositionError};
use crate::settings::Settings;

/// The most repositories whose git folders `Session::bases_moved` looks at.
pub const MAX_WATCHED_REPOSITORIES: usize = 64;

/// The most files whose texts `Session::disk_text` keeps.
const MAX_DISK_TEXTS: usize = 4096;

/// A repository's git stamp and a folder's time.
type DeletedStamp = (GitStamp, Option<std::time::SystemTime>);

/// Files deleted since git's `HEAD`, with their text there.
type DeletedFiles = Arc<Vec<(PathBuf, Arc<str>)>>;

/// A file's size, time and whether it is a link.
type DiskStamp = (u64, Option<std::time::SystemTime>, bool);

/// An open document.
pub struct Document {
    /// The current text.
    pub rope: Rope,
    /// The client's version of the text.
    pub version: i32,
    /// The client's language id, used when the URI has no telling file name.
    pub language_id: String,
    /// The last parse, edited along with the text, so that the next parse is incremental.
    pub tree: Option<ParsedTree>,
    /// Whether the document changed since it was opened. Only such documents keep their tree:
    /// a tree takes tens of times the memory of its text, and most open documents are not
    /// being edited.
    pub edited: bool,
}

/// The shortest document whose parse at open is kept as its base (see `Session::analyse`).
const KEEP_OPENED_PARSE_BYTES: usize = 32 * 1024;

/// What an open document's edits are judged against: its text at git `HEAD` when the file is
/// tracked, otherwise its text when it was first opened.
#[derive(Clone)]
pub struct DocumentBase {
    /// The text when the document was opened.
    opened: Arc<str>,
    /// The base in use; `None` until the first analysis looks it up.
    text: Option<Arc<str>>,
    /// The repository's git folder, once known.
    git_dir: Option<PathBuf>,
    /// The git folder's stamp when `text` was read.
    stamp: Option<GitStamp>,
    /// Set on open and save: look again whether `HEAD` moved.
    recheck: bool,
}

/// A document's text at one version, for analysis.
#[derive(Clone)]
pub struct Snapshot {
    /// Which document.
    pub uri: lsp::Uri,
    /// The text; cloning a rope is cheap and shares its chunks.
    pub rope: Rope,
    /// The version of an open document; `None` for a file read from disk.
    pub version: Option<i32>,
    /// The client's language id, if the document is open.
    pub language_id: Option<String>,
    /// The previous parse, edited to match `rope`.
    pub tree: Option<ParsedTree>,
    /// The generation of the document's folder (see `Session::folder_generation`) when the
    /// text was taken: an analysis made before another file of the folder changed is stale.
    pub generation: u64,
}

/// The result of analysing one snapshot.
pub struct Analysis {
    /// What was analysed.
    pub snapshot: Snapshot,
    /// The text, as the engine saw it.
    pub text: String,
    /// The detected format; `None` when redline does not analyse this kind of file.
    pub format: Option<Format>,
    /// The grammar the text was parsed with, when redline analyses the file.
    pub language: Option<Language>,
    /// Findings shown to the user (after the client's severity filter), sorted.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether info findings are shown as hints (the client's `infoAsHint`).
    pub info_as_hint: bool,
    /// The other files that findings' related places point into (a variable's default, a
    /// called module's resource), with the text the engine read, so that their positions
    /// convert exactly.
    pub related_files: Vec<RelatedFile>,
    /// Problems worth logging: a configuration that failed to load, a rule that failed.
    pub problems: Vec<String>,
    /// The parse of `text`, for the next incremental parse. Taken out when the analysis is
    /// stored, so that stored analyses hold no trees.
    pub tree: Mutex<Option<ParsedTree>>,
    /// The id of the analysis's report (`proto::report_id`), once computed.
    pub report_id: std::sync::OnceLock<String>,
    /// Where the lines of `text` start, once a report needs them (`Analysis::line_starts`).
    line_starts: std::sync::OnceLock<crate::convert::LineStarts>,
}

/// Another file that a finding's related place points into.
pub struct RelatedFile {
    /// The display path the engine was given for it.
    pub path: String,
    /// Its URI.
    pub uri: lsp::Uri,
    /// Its text as the engine read it.
    pub rope: Rope,
}

/// A file of a Terraform module read as context: a sibling of the document, or a file of a local
/// module it calls.
struct ModuleFile {
    /// The display path given to the engine.
    display: String,
    /// Where it is, for related places that point into it.
    uri: Option<lsp::Uri>,
    /// Its text: the open buffer's, or the file's on disk.
    text: Arc<str>,
}

impl Analysis {
    /// Where the lines of the analysed text start, for the positions of its findings.
    pub fn line_starts(&self) -> &crate::convert::LineStarts {
        self.line_starts
            .get_or_init(|| crate::convert::LineStarts::new(&self.text))
    }

    /// The LSP range of a byte range of the analysed text.
    pub fn range(&self, range: TextRange, encoding: PositionEncoding) -> lsp::Range {
        self.line_starts().range(&self.text, range, encoding)
    }

    /// Takes the parse out of the analysis.
    pub fn take_tree(&self) -> Option<ParsedTree> {
        self.tree.lock().ok().and_then(|mut tree| tree.take())
    }
}

/// What the client said it supports.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientSupport {
    /// The client pulls diagnostics (`textDocument/diagnostic`) and can be asked to pull again
    /// (`workspace/diagnostic/refresh`), so pushing them would show every finding twice.
    pub pull_diagnostics: bool,
    /// `workspace/diagnostic/refresh`.
    pub diagnostic_refresh: bool,
    /// `documentChanges` in workspace edits.
    pub document_changes: bool,
    /// `window/workDoneProgress/create`.
    pub work_done_progress: bool,
    /// Dynamic registration of file watchers.
    pub watch_files: bool,
}

/// Everything the server knows.
pub struct Session {
    /// The client's end of the connection, which pushed diagnostics are written to without
    /// going through tower-lsp's client (see `transport::write_notification`).
    pub output: crate::transport::Output,
    /// Open documents by URI.
    pub documents: DashMap<lsp::Uri, Document>,
    /// The latest analysis of each open document.
    pub analyses: DashMap<lsp::Uri, Arc<Analysis>>,
    /// How often the files of each folder changed (see `folder_generation`).
    generations: DashMap<PathBuf, u64>,
    /// Analyses of workspace files that are not open.
    pub workspace_files: DashMap<lsp::Uri, Arc<Analysis>>,
    /// The base of each open document, which edits are judged against.
    pub bases: DashMap<lsp::Uri, DocumentBase>,
    /// Pending debounced analyses, so that a newer change cancels the older run.
    pub pending: DashMap<lsp::Uri, tokio::task::AbortHandle>,
    /// Client settings.
    pub settings: RwLock<Settings>,
    /// Configurations by the folder of the analysed file; cleared when `redline.toml` or the
    /// settings change.
    configs: Mutex<HashMap<PathBuf, Arc<ResolvedConfig>>>,
    /// The negotiated position encoding, set once by `initialize`.
    pub encoding: OnceLock<PositionEncoding>,
    /// The client's capabilities, set once by `initialize`.
    pub support: OnceLock<ClientSupport>,
    /// Workspace folders.
    pub roots: RwLock<Vec<PathBuf>>,
    /// The folders that local module calls name, per scanned repository root; forgotten when a
    /// Terraform file is saved or changes on disk.
    called: Mutex<HashMap<PathBuf, Arc<CalledFolders>>>,
    /// The facts of the files of each repository (see `redline_rules::workspace`), per scanned
    /// root; forgotten when a file that may hold facts is saved or changes on disk.
    repositories: Mutex<HashMap<PathBuf, Arc<Vec<RepositoryFile>>>>,
    /// The files of a folder that edits deleted since git's `HEAD`, by folder and kind, with
    /// the repository's stamp and the folder's time when git was asked.
    deleted: Mutex<HashMap<(PathBuf, bool), (DeletedStamp, DeletedFiles)>>,
    /// Texts of files read from disk, with their size, time and kind then.
    disk_texts: Mutex<HashMap<PathBuf, (DiskStamp, Arc<str>)>>,
    /// Parses of the files analyses read again and again: the bases of open documents and
    /// the other files of their modules.
    pub parses: ParseMemo,
    /// Today's date for suppression expiry.
    today: Date,
}

/// A file of a repository that holds facts, as read from disk by the repository scan.
struct RepositoryFile {
    /// Its facts, under its display path.
    facts: FileFacts,
    /// Where it is.
    uri: lsp::Uri,
    /// Its text, for related places that point into it.
    text: Arc<str>,
}

/// The configuration of the files of one folder, as the server keeps it.
struct ResolvedConfig {
    /// The governing `redline.toml` (or the defaults), with the editor's settings on top.
    loaded: Arc<LoadedConfig>,
    /// Why `redline.toml` could not be used, if it could not.
    problem: Option<String>,
}

impl Session {
    /// An empty session.
    pub fn new(today: Date, output: crate::transport::Output) -> Self {
        Self {
            output,
            documents: DashMap::new(),
            analyses: DashMap::new(),
            generations: DashMap::new(),
            workspace_files: DashMap::new(),
            bases: DashMap::new(),
            pending: DashMap::new(),
            settings: RwLock::new(Settings::default()),
            configs: Mutex::new(HashMap::new()),
            encoding: OnceLock::new(),
            support: OnceLock::new(),
            roots: RwLock::new(Vec::new()),
            called: Mutex::new(HashMap::new()),
            repositories: Mutex::new(HashMap::new()),
            deleted: Mutex::new(HashMap::new()),
            disk_texts: Mutex::new(HashMap::new()),
            parses: ParseMemo::default(),
            today,
        }
    }

    /// The negotiated position encoding.
    pub fn encoding(&self) -> PositionEncoding {
        self.encoding
            .get()
            .copied()
            .unwrap_or(PositionEncoding::Utf16)
    }

    /// What the client supports.
    pub fn support(&self) -> ClientSupport {
        self.support.get().copied().unwrap_or_default()
    }

    /// A copy of the settings.
    pub fn settings(&self) -> Settings {
        self.settings
            .read()
            .map(|settings| settings.clone())
            .unwrap_or_default()
    }

    /// Replaces the settings and forgets configurations built with the old ones.
    pub fn set_settings(&self, settings: Settings) {
        if let Ok(mut current) = self.settings.write() {
            *current = settings;
        }
        self.forget_configs();
    }

    /// Forgets which folders local module calls name, so that the next analysis scans again
    /// (a Terraform file was saved, or changed on disk).
    pub fn forget_called_folders(&self) {
        if let Ok(mut called) = self.called.lock() {
            called.clear();
        }
    }

    /// Forgets the facts of every scanned repository, so that the next analysis scans again
    /// (a file that may hold facts was saved, or changed on disk).
    pub fn forget_repositories(&self) {
        if let Ok(mut repositories) = self.repositories.lock() {
            repositories.clear();
        }
    }

    /// The folder scanned for what the repository holding `file` holds: the workspace folder
    /// holding it, or its git work tree, or its folder.
    fn scan_root(&self, file: &Path) -> PathBuf {
        let folder = file.parent().unwrap_or(file);
        let roots = self
            .roots
            .read()
            .map(|roots| roots.clone())
            .unwrap_or_default();
        roots
            .iter()
            .find(|root| folder.starts_with(root))
            .cloned()
            .or_else(|| git::work_tree(folder).map(Path::to_path_buf))
            .unwrap_or_else(|| folder.to_path_buf())
    }

    /// What decides the analysis units of the workspace's files: their configurations,
    /// display paths (relative to the workspace folder holding them), exclusion and hints.
    fn units(&self) -> UnitResolver {
        let roots = self
            .roots
            .read()
            .map(|roots| roots.clone())
            .unwrap_or_default();
        UnitResolver::for_folders(&roots)
    }

    /// The files with facts of the repository holding `file`: every candidate file below its
    /// scan root, read from disk once and kept until `forget_repositories`.
    fn repository_files(&self, file: &Path) -> Arc<Vec<RepositoryFile>> {
        let root = self.scan_root(file);
        if let Some(found) = self
            .repositories
            .lock()
            .ok()
            .and_then(|repositories| repositories.get(&root).cloned())
        {
            return found;
        }
        let options = redline_workspace::DiscoverOptions {
            paths: std::slice::from_ref(&root),
            config_file: None,
            cwd: &root,
        };
        let units = self.units();
        let mut files = Vec::new();
        if let Ok(discovery) = redline_workspace::discover(&options) {
            for job in discovery.files {
                let Ok(Some(source)) = redline_workspace::read_source(&job) else {
                    continue;
                };
                if !redline_rules::workspace::may_have_facts(&job.display, &source.text) {
                    continue;
                }
                let Some(uri) = lsp::Uri::from_file_path(&job.path) else {
                    continue;
                };
                let display = units.display_path(&job.path);
                let input = SourceInput {
                    path: &display,
                    text: &source.text,
                    hints: job.hints,
                    config_relative_path: Some(&job.config_relative),
                };
                let facts = workspace_facts(&input);
                if facts.is_empty() {
                    continue;
                }
                files.push(RepositoryFile {
                    facts: FileFacts {
                        path: display,
                        facts,
                    },
                    uri,
                    text: Arc::from(source.text),
                });
            }
        }
        let res = Arc::new(files);
        if let Ok(mut repositories) = self.repositories.lock() {
            repositories.insert(root, Arc::clone(&res));
        }
        res
    }

    /// The repository findings reported on the document `input` (at `file`), joined with the
    /// facts of its text and those of the repository's other files on disk, after its
    /// suppressions; and the files their related places point into.
    fn repository_findings(
        &self,
        file: &Path,
        input: &SourceInput<'_>,
        config: &Config,
        options: &AnalysisOptions,
    ) -> (Vec<Diagnostic>, Vec<RelatedFile>) {
        // Repository findings are reported on the actor (an agent's configuration, a
        // pipeline): a file that cannot name one is not parsed for its facts again.
        if !redline_rules::workspace::may_hold_actor(input.path, input.text) {
            return (Vec::new(), Vec::new());
        }
        let facts = workspace_facts(input);
        // A file without facts is never the actor a repository finding is reported on.
        if facts.is_empty() {
            return (Vec::new(), Vec::new());
        }
        let repository = self.repository_files(file);
        let mut files: Vec<FileFacts> = repository
            .iter()
            .filter(|other| other.facts.path != input.path)
            .map(|other| other.facts.clone())
            .collect();
        files.push(FileFacts {
            path: input.path.to_owned(),
            facts,
        });
        let found: Vec<Diagnostic> = join(&files)
            .into_iter()
            .filter(|finding| finding.path == input.path)
            .map(|finding| finding.diagnostic)
            .collect();
        let diagnostics = finish_workspace_findings(input, found, config, options);
        let mut related_files: Vec<RelatedFile> = Vec::new();
        for path in diagnostics
            .iter()
            .flat_map(|diagnostic| &diagnostic.related)
            .filter_map(|related| related.path.as_deref())
        {
            if related_files.iter().any(|file| file.path == path) {
                continue;
            }
            if let Some(other) = repository.iter().find(|other| other.facts.path == path) {
                related_files.push(RelatedFile {
                    path: path.to_owned(),
                    uri: other.uri.clone(),
                    rope: Rope::from_str(&other.text),
                });
            }
        }
        (diagnostics, related_files)
    }

    /// The folders that the local module calls of the repository holding `file` name: the
    /// workspace folder holding it (or its git work tree, or its folder), scanned once and
    /// kept until `forget_called_folders`.
    fn called_folders(&self, file: &Path) -> Arc<CalledFolders> {
        let root = self.scan_root(file);
        if let Some(found) = self
            .called
            .lock()
            .ok()
            .and_then(|called| called.get(&root).cloned())
        {
            return found;
        }
        let bounds = Bounds::new(std::slice::from_ref(&root), &root);
        let res = Arc::new(CalledFolders::scan(&root, &bounds));
        if let Ok(mut called) = self.called.lock() {
            called.insert(root, Arc::clone(&res));
        }
        res
    }

    /// The Terraform files of the local modules that the module of `file` (whose files are
    /// `siblings` and `text`) calls, transitively: open buffers win over the files on disk.
    fn called_modules(
        &self,
        file: &Path,
        display: &str,
        text: &str,
        siblings: &[ModuleFile],
    ) -> Vec<ModuleFile> {
        let Some(folder) = file.parent() else {
            return Vec::new();
        };
        let mut scanned = self
            .roots
            .read()
            .map(|roots| roots.clone())
            .unwrap_or_default();
        scanned.push(folder.to_path_buf());
        let bounds = Bounds::new(&scanned, folder);
        let texts: Vec<(&str, &str)> = std::iter::once((display, text))
            .chain(
                siblings
                    .iter()
                    .map(|sibling| (sibling.display.as_str(), &*sibling.text)),
            )
            .collect();
        let open_text = |path: &Path| {
            let uri = lsp::Uri::from_file_path(path)?;
            self.documents
                .get(&uri)
                .map(|document| document.rope.to_string())
        };
        let options = CalledModulesOptions {
            bounds: &bounds,
            max_file_size: redline_engine::config::DEFAULT_MAX_FILE_SIZE,
            open_text: &open_text,
            shared: None,
        };
        let display_folder = display.rfind('/').map_or("", |index| &display[..index]);
        read_called_modules(folder, display_folder, &texts, &options)
            .into_iter()
            .map(|called| ModuleFile {
                uri: lsp::Uri::from_file_path(&called.path),
                display: called.display,
                text: Arc::clone(&called.text),
            })
            .collect()
    }

    /// Forgets every loaded `redline.toml`.
    pub fn forget_configs(&self) {
        if let Ok(mut configs) = self.configs.lock() {
            configs.clear();
        }
    }

    /// Opens or replaces a document.
    pub fn open(&self, uri: lsp::Uri, text: &str, version: i32, language_id: String) {
        self.workspace_files.remove(&uri);
        // The other open files of its module now read the buffer rather than the disk.
        self.module_file_changed(&uri);
        self.bases.insert(
            uri.clone(),
            DocumentBase {
                opened: Arc::from(text),
                text: None,
                git_dir: None,
                stamp: None,
                recheck: true,
            },
        );
        self.documents.insert(
            uri,
            Document {
                rope: Rope::from_str(text),
                version,
                language_id,
                tree: None,
                edited: false,
            },
        );
    }

    /// Applies content changes in order. On a bad range, the changes before it stay applied,
    /// the version still advances, and the error is returned.
    pub fn change(
        &self,
        uri: &lsp::Uri,
        version: i32,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
    ) -> Result<(), ChangeError> {
        let encoding = self.encoding();
        let mut document = self.documents.get_mut(uri).ok_or(ChangeError::NotOpen)?;
        document.version = version;
        document.edited = true;
        for change in changes {
            let Some(range) = change.range else {
                document.rope = Rope::from_str(&change.text);
                document.tree = None;
                continue;
            };
            let range = convert::text_range(&document.rope, range, encoding)
                .map_err(ChangeError::Position)?;
            let start = text_point(&document.rope, range.start().to_usize());
            let old_end = text_point(&document.rope, range.end().to_usize());
            let start_char = document.rope.byte_to_char(start.offset);
            let end_char = document.rope.byte_to_char(old_end.offset);
            document.rope.remove(start_char..end_char);
            document.rope.insert(start_char, &change.text);
            let new_end = text_point(&document.rope, start.offset + change.text.len());
            if let Some(tree) = &mut document.tree {
                tree.edit(&TreeEdit {
                    start,
                    old_end,
                    new_end,
                });
            }
        }
        Ok(())
    }

    /// Closes a document.
    pub fn close(&self, uri: &lsp::Uri) {
        self.documents.remove(uri);
        self.bases.remove(uri);
        self.analyses.remove(uri);
        if let Some((_, pending)) = self.pending.remove(uri) {
            pending.abort();
        }
    }

    /// Makes the next analysis of every open document look again whether git's `HEAD` moved
    /// (after a save, or when the client reports a change in a git folder).
    pub fn recheck_bases(&self) {
        for mut base in self.bases.iter_mut() {
            base.recheck = true;
        }
    }

    /// Whether git's `HEAD`, index or current branch moved (a commit, checkout or reset) since
    /// the base of an open document was read from it. Looks at the git folders of at most
    /// `MAX_WATCHED_REPOSITORIES` repositories, a few file times each: call it from a blocking
    /// thread.
    pub fn bases_moved(&self) -> bool {
        let read: Vec<(PathBuf, GitStamp)> = self
            .bases
            .iter()
            .filter(|base| !base.recheck)
            .filter_map(|base| Some((base.git_dir.clone()?, base.stamp.clone()?)))
            .collect();
        let mut current: HashMap<PathBuf, GitStamp> = HashMap::new();
        for (git_dir, stamp) in read {
            if !current.contains_key(&git_dir) && current.len() >= MAX_WATCHED_REPOSITORIES {
                continue;
            }
            let now = current
                .entry(git_dir)
                .or_insert_with_key(|git_dir| git::stamp(git_dir));
            if *now != stamp {
                return true;
            }
        }
        false
    }

    /// The base of an open document backed by a file. Runs git when the base was never read or
    /// `HEAD` may have moved: call it from a blocking thread.
    fn base_text(&self, uri: &lsp::Uri, file: Option<&Path>) -> Option<Arc<str>> {
        // Unsaved buffers (`untitled:`) are new files: everything in them is new.
        if !uri.as_str().starts_with("file:") {
            return None;
        }
        let file = file?;
        let mut base = self.bases.get(uri).map(|base| base.clone())?;
        if !base.recheck && base.text.is_some() {
            return base.text;
        }
        if base.git_dir.is_none() {
            base.git_dir = git::git_dir(file);
        }
        let stamp = base.git_dir.as_deref().map(git::stamp);
        if base.text.is_none() || stamp != base.stamp {
            let committed = base
                .git_dir
                .is_some()
                .then(|| git::text_at_head(file))
                .flatten();
            base.text = Some(committed.map_or_else(|| Arc::clone(&base.opened), Arc::from));
            base.stamp = stamp;
        }
        base.recheck = false;
        let res = base.text.clone();
        if let Some(mut stored) = self.bases.get_mut(uri) {
            *stored = base;
        }
        res
    }

    /// The files of the folder of `file` that an edit deleted: tracked at git's `HEAD`, gone
    /// from the disk and not open, of the same kind as `file` (Terraform module files, or other
    /// files redline reads), with their text at `HEAD`. Runs git unless the repository (at
    /// `git_dir`) and the folder are as they were when it last looked: call it from a blocking
    /// thread.
    fn deleted_files(&self, file: &Path, module_file: bool, git_dir: &Path) -> Vec<ModuleFile> {
        let Some(folder) = file.parent() else {
            return Vec::new();
        };
        let stamp = (
            git::stamp(git_dir),
            std::fs::metadata(folder)
                .and_then(|metadata| metadata.modified())
                .ok(),
        );
        let key = (folder.to_path_buf(), module_file);
        let known = self
            .deleted
            .lock()
            .ok()
            .and_then(|deleted| deleted.get(&key).cloned())
            .filter(|(known, _)| *known == stamp)
            .map(|(_, files)| files);
        let files = match known {
            Some(files) => files,
            None => {
                let same_kind = |name: &str| {
                    if module_file {
                        redline_workspace::is_module_file(name)
                    } else {
                        !redline_workspace::is_module_file(name)
                            && redline_syntax::detect::is_candidate_path(name)
                    }
                };
                let files: DeletedFiles = Arc::new(
                    git::deleted_since_head(folder, same_kind)
                        .into_iter()
                        .map(|(path, text)| (path, Arc::from(text)))
                        .collect(),
                );
                if let Ok(mut deleted) = self.deleted.lock() {
                    deleted.insert(key, (stamp, Arc::clone(&files)));
                }
                files
            }
        };
        let units = self.units();
        files
            .iter()
            .filter_map(|(path, text)| {
                let uri = lsp::Uri::from_file_path(path)?;
                if self.documents.contains_key(&uri) {
                    return None;
                }
                let display = units.display_path(path);
                Some(ModuleFile {
                    display,
                    uri: Some(uri),
                    text: Arc::clone(text),
                })
            })
            .collect()
    }

    /// The text of a file on disk found by listing a folder (see `read_found_file`), read again
    /// only when its size, time or kind changed since the last read.
    fn disk_text(&self, path: &Path, bounds: &Bounds) -> Option<Arc<str>> {
        let stat = |metadata: std::fs::Metadata| {
            (
                metadata.len(),
                metadata.modified().ok(),
                metadata.file_type().is_symlink(),
            )
        };
        let now = std::fs::symlink_metadata(path).ok().map(stat)?;
        if let Some(text) = self
            .disk_texts
            .lock()
            .ok()
            .and_then(|texts| texts.get(path).cloned())
            .filter(|(known, _)| *known == now)
            .map(|(_, text)| text)
        {
            return Some(text);
        }
        let max = redline_engine::config::DEFAULT_MAX_FILE_SIZE;
        let bytes = redline_workspace::read_found_file(path, bounds, max).ok()?;
        let text: Arc<str> = Arc::from(redline_workspace::decode(bytes).ok()?.text);
        if let Ok(mut texts) = self.disk_texts.lock() {
            // A bound on what is kept: the files of the modules being edited are few.
            if texts.len() >= MAX_DISK_TEXTS {
                texts.clear();
            }
            texts.insert(path.to_path_buf(), (now, Arc::clone(&text)));
        }
        Some(text)
    }

    /// The other files of the folder of `file` whose names `keep` accepts (for a Terraform
    /// module: `.tf`, `.tf.json` and the tfvars files Terraform loads), and the open documents
    /// of the folder not saved yet: open buffers win over the files on disk.
    fn folder_files(&self, file: &Path, keep: impl Fn(&str) -> bool) -> Vec<ModuleFile> {
        let Some(folder) = file.parent() else {
            return Vec::new();
        };
        // The siblings were found by listing the folder, not named: as in `redline check`, a
        // link among them is read only where it leads inside the workspace folders or the git
        // work tree holding the file.
        let mut scanned = self
            .roots
            .read()
            .map(|roots| roots.clone())
            .unwrap_or_default();
        scanned.push(folder.to_path_buf());
        let bounds = Bounds::new(&scanned, folder);
        let own_name = file.file_name().map(|name| name.to_string_lossy());
        let mut paths: Vec<PathBuf> = redline_workspace::folder_files(folder, |name| {
            own_name.as_deref() != Some(name) && keep(name)
        });
        // Open documents of the folder that are not saved yet belong to the module too.
        for entry in self.documents.iter() {
            let Some(path) = entry.key().to_file_path().map(|path| path.into_owned()) else {
                continue;
            };
            if path.parent() == Some(folder)
                && path.as_path() != file
                && !paths.contains(&path)
                && path
                    .file_name()
                    .is_some_and(|name| keep(&name.to_string_lossy()))
            {
                paths.push(path);
            }
        }
        paths.sort();
        let units = self.units();
        paths
            .into_iter()
            .filter_map(|path| {
                let uri = lsp::Uri::from_file_path(&path);
                let open = uri
                    .as_ref()
                    .and_then(|uri| self.documents.get(uri))
                    .map(|document| document.rope.to_string());
                let text = match open {
                    Some(text) => Arc::from(text),
                    None => self.disk_text(&path, &bounds)?,
                };
                let uri = uri?;
                let display = units.display_path(&path);
                Some(ModuleFile {
                    display,
                    uri: Some(uri),
                    text,
                })
            })
            .collect()
    }

    /// The current text of an open document.
    pub fn snapshot(&self, uri: &lsp::Uri) -> Option<Snapshot> {
        let generation = self.folder_generation(uri);
        self.documents.get(uri).map(|document| Snapshot {
            uri: uri.clone(),
            rope: document.rope.clone(),
            version: Some(document.version),
            language_id: Some(document.language_id.clone()),
            tree: document.tree.clone(),
            generation,
        })
    }

    /// How often the Terraform module files of the folder of `uri` changed (an open one
    /// edited, one on disk created, changed or deleted): the documents of a module are
    /// analysed with each other's text, so each change makes the others' analyses stale.
    pub fn folder_generation(&self, uri: &lsp::Uri) -> u64 {
        folder_of(uri)
            .and_then(|folder| self.generations.get(&folder).map(|generation| *generation))
            .unwrap_or(0)
    }

    /// Notes that `uri` changed, when it names a Terraform module file (see
    /// `folder_generation`).
    pub fn module_file_changed(&self, uri: &lsp::Uri) {
        if redline_workspace::is_module_file(uri.path().as_str())
            && let Some(folder) = folder_of(uri)
        {
            *self.generations.entry(folder).or_insert(0) += 1;
        }
    }

    /// The current version of an open document.
    pub fn version(&self, uri: &lsp::Uri) -> Option<i32> {
        self.documents.get(uri).map(|document| document.version)
    }

    /// The stored analysis of an open document, if it is of the current version.
    pub fn current_analysis(&self, uri: &lsp::Uri) -> Option<Arc<Analysis>> {
        let version = self.version(uri)?;
        let analysis = self.analyses.get(uri)?;
        (analysis.snapshot.version == Some(version)
            && analysis.snapshot.generation == self.folder_generation(uri))
        .then(|| Arc::clone(&analysis))
    }

    /// Stores an analysis of an open document, and its tree for the next parse, if its version
    /// is still current.
    pub fn store_if_current(&self, analysis: &Arc<Analysis>) -> bool {
        let uri = &analysis.snapshot.uri;
        {
            let Some(mut document) = self.documents.get_mut(uri) else {
                return false;
            };
            if Some(document.version) != analysis.snapshot.version {
                return false;
            }
            let tree = analysis.take_tree();
            if document.edited {
                document.tree = tree;
            }
        }
        self.analyses.insert(uri.clone(), Arc::clone(analysis));
        true
    }

    /// Analyses a snapshot with the governing `redline.toml` and the client's settings.
    /// Synchronous: call it from a blocking thread.
    pub fn analyse(&self, mut snapshot: Snapshot) -> Analysis {
        let text = snapshot.rope.to_string();
        let previous_tree = snapshot.tree.take();
        let settings = self.settings();
        let mut res = Analysis {
            snapshot,
            text,
            format: None,
            language: None,
            diagnostics: Vec::new(),
            info_as_hint: settings.info_as_hint(),
            related_files: Vec::new(),
            problems: Vec::new(),
            tree: Mutex::new(None),
            report_id: std::sync::OnceLock::new(),
            line_starts: std::sync::OnceLock::new(),
        };
        if !settings.enabled() {
            return res;
        }
        let file_path = res
            .snapshot
            .uri
            .to_file_path()
            .map(|path| path.into_owned());
        let (mut unit, problem) = self.unit(
            file_path.as_deref(),
            &res.snapshot.uri,
            res.snapshot.language_id.as_deref(),
            &settings,
        );
        if let Some(problem) = problem {
            res.problems.push(problem);
        }
        // As in `redline check`: a file that `redline.toml` excludes has no findings.
        if unit.is_excluded() {
            return res;
        }
        let path = unit.display.clone();
        let config = Arc::clone(&unit.config);
        let is_terraform = redline_workspace::is_terraform_file(&path);
        if is_terraform && let Some(file) = &file_path {
            unit.hints.called_module = file
                .parent()
                .is_some_and(|folder| self.called_folders(file).contains(folder));
        }
        let input = unit.input(&res.text);
        let options = AnalysisOptions {
            today: Some(self.today),
            select: None,
        };
        // The other files of the module (a tfvars document is judged with its module too: an
        // edit of it changes the values the module's resources are created with), then those
        // of the local modules it calls.
        let is_module_file = redline_workspace::is_module_file(&path);
        let read_base = || {
            let base = self.base_text(&res.snapshot.uri, file_path.as_deref());
            // The files of the document's folder that the edit deleted (in git's `HEAD`, gone
            // from the disk): the deleted file has no document of its own, so what its deletion
            // destroys is shown on the open documents of its folder.
            let git_dir = self
                .bases
                .get(&res.snapshot.uri)
                .and_then(|base| base.git_dir.clone());
            let deleted = match (&file_path, &base, &git_dir) {
                (Some(file), Some(_), Some(git_dir)) => {
                    self.deleted_files(file, is_module_file, git_dir)
                }
                _ => Vec::new(),
            };
            (base, deleted)
        };
        // The first analysis of a document reads its base with git while the document is
        // parsed: each takes a large part of the first diagnostics.
        let base_unread = self
            .bases
            .get(&res.snapshot.uri)
            .is_some_and(|base| base.text.is_none());
        let (base, deleted, first_parse) = if base_unread && file_path.is_some() {
            std::thread::scope(|scope| {
                let git = scope.spawn(read_base);
                let parsed = redline_syntax::parse_source_for_edits(
                    input.path,
                    input.text,
                    input.hints,
                    None,
                );
                let (base, deleted) = git
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (base, deleted, Some(parsed))
            })
        } else {
            let (base, deleted) = read_base();
            (base, deleted, None)
        };
        let siblings = match &file_path {
            Some(file) if is_module_file => {
                let mut siblings = self.folder_files(file, redline_workspace::is_module_file);
                if is_terraform {
                    let called = self.called_modules(file, &path, &res.text, &siblings);
                    siblings.extend(called);
                }
                siblings
            }
            // Objects of a deleted manifest may have moved to another file of the folder.
            Some(file) if !deleted.is_empty() => self.folder_files(file, |name| {
                !redline_workspace::is_module_file(name)
                    && redline_syntax::detect::is_candidate_path(name)
            }),
            _ => Vec::new(),
        };
        // A file of the same folder shares the document's hints; a called module's file needs
        // none.
        let own_folder = path.rfind('/').map_or("", |index| &path[..index]);
        let sibling_hints = |sibling: &ModuleFile| {
            let folder = sibling
                .display
                .rfind('/')
                .map_or("", |index| &sibling.display[..index]);
            if folder == own_folder {
                input.hints
            } else {
                SourceHints::default()
            }
        };
        let analysis = match (&base, &file_path) {
            // The edit against the base: every finding of the buffer, plus the edit's own.
            (Some(base), Some(_)) if **base != *res.text || !deleted.is_empty() => {
                let mut inputs = vec![ChangeInput {
                    path: &path,
                    base: Some(base),
                    new: Some(&res.text),
                    hints: input.hints,
                    config_relative_path: input.config_relative_path,
                }];
                inputs.extend(siblings.iter().map(|sibling| ChangeInput {
                    path: &sibling.display,
                    base: Some(&sibling.text),
                    new: Some(&sibling.text),
                    hints: sibling_hints(sibling),
                    config_relative_path: None,
                }));
                let first_deleted = inputs.len();
                inputs.extend(deleted.iter().map(|file| ChangeInput {
                    path: &file.display,
                    base: Some(&file.text),
                    new: None,
                    hints: input.hints,
                    config_relative_path: None,
                }));
                // The base and the other files come from the memo; the buffer is parsed from
                // its previous tree, edited along with the text.
                let parsed = parse_change_memo(&inputs, &self.parses, &[previous_tree.as_ref()]);
                if let Some((_, Some(new))) = parsed.first() {
                    res.tree = Mutex::new(Some(new.parsed_tree()));
                }
                let sides: Vec<ParsedSides<'_, '_>> = parsed
                    .iter()
                    .map(|(base, new)| (base.as_deref(), new.as_deref()))
                    .collect();
                let mut analyses = analyze_parsed_change_memo(
                    &inputs,
                    &sides,
                    &config.config,
                    &options,
                    Report::All,
                    Some(&self.parses),
                );
                drop(sides);
                // The buffer's parse is freed on another thread: for a long file that takes a
                // good part of an analysis, and the findings need not wait for it.
                let mut parsed = parsed;
                if let Some((_, new)) = parsed.first_mut()
                    && let Some(new) = new.take()
                    && let Ok(new) = Arc::try_unwrap(new)
                {
                    drop_later(new.into_owned());
                }
                let gone: Vec<Diagnostic> = analyses
                    .drain(first_deleted.min(analyses.len())..)
                    .flat_map(|analysis| analysis.diagnostics)
                    .collect();
                let mut analysis = analyses.into_iter().next().unwrap_or_default();
                // At the start of the document, without fixes: the fixes are edits of the
                // deleted file's (empty) text.
                for mut diagnostic in gone {
                    diagnostic.range = TextRange::empty(TextSize::from_usize(0));
                    diagnostic.subject = None;
                    diagnostic.fixes.clear();
                    analysis.diagnostics.push(diagnostic);
                }
                analysis.diagnostics.sort_by(|a, b| {
                    (a.range.start(), a.rule.id, &a.message).cmp(&(
                        b.range.start(),
                        b.rule.id,
                        &b.message,
                    ))
                });
                analysis
            }
            _ => {
                let folder: Vec<SourceInput<'_>> = siblings
                    .iter()
                    .map(|sibling| SourceInput {
                        path: &sibling.display,
                        text: &sibling.text,
                        hints: sibling_hints(sibling),
                        config_relative_path: None,
                    })
                    .collect();
                match first_parse {
                    Some(parsed) => {
                        res.tree = Mutex::new(parsed.as_ref().map(SourceFile::parsed_tree));
                        let analysis = parsed.as_ref().map(|file| {
                            analyze_parsed_in_folder(
                                &input,
                                file,
                                &folder,
                                &config.config,
                                &options,
                                Some(&self.parses),
                            )
                        });
                        // The document is its base: the parse of a long one is kept as the
                        // base of the next keystroke's analysis, which would otherwise parse it
                        // again from scratch (an open document keeps no tree of its own until
                        // it is edited). A short one parses again in a moment.
                        if let Some(file) = parsed
                            && input.text.len() >= KEEP_OPENED_PARSE_BYTES
                            && base.as_deref() == Some(input.text)
                        {
                            self.parses
                                .insert(input.path, input.text, input.hints, file);
                        }
                        analysis.unwrap_or_default()
                    }
                    None => {
                        let (analysis, tree) = analyze_incremental_memo(
                            &input,
                            &folder,
                            &config.config,
                            &options,
                            previous_tree.as_ref(),
                            Some(&self.parses),
                        );
                        res.tree = Mutex::new(tree);
                        analysis
                    }
                }
            }
        };
        let mut analysis = analysis;
        if let Some(file) = &file_path {
            let (found, related_files) =
                self.repository_findings(file, &input, &config.config, &options);
            if !found.is_empty() {
                analysis.diagnostics.extend(found);
                analysis.diagnostics.sort_by(|a, b| {
                    (a.range.start(), a.rule.id, &a.message).cmp(&(
                        b.range.start(),
                        b.rule.id,
                        &b.message,
                    ))
                });
                res.related_files.extend(related_files);
            }
        }
        let minimum = settings.minimum_severity().unwrap_or(Severity::Info);
        res.format = analysis.format;
        res.language = redline_syntax::detect::candidate(&path, &res.text, input.hints)
            .map(|candidate| candidate.language);
        res.diagnostics = analysis
            .diagnostics
            .into_iter()
            .filter(|diagnostic| diagnostic.severity >= minimum)
            .collect();
        for diagnostic in &res.diagnostics {
            for path in diagnostic
                .related
                .iter()
                .filter_map(|related| related.path.as_deref())
            {
                if res.related_files.iter().any(|file| file.path == path) {
                    continue;
                }
                if let Some(sibling) = siblings.iter().find(|sibling| sibling.display == path)
                    && let Some(uri) = &sibling.uri
                {
                    res.related_files.push(RelatedFile {
                        path: path.to_owned(),
                        uri: uri.clone(),
                        rope: Rope::from_str(&sibling.text),
                    });
                }
            }
            if diagnostic.rule == redline_diagnostics::INTERNAL_ERROR {
                res.problems.push(format!("{path}: {}", diagnostic.message));
            }
        }
        res
    }

    /// The value of the Terraform attribute at `offset` of an analysed document, read with the
    /// other files of its module as the analysis reads them; `None` where there is nothing to
    /// resolve. Reads the module's files from disk: call it from a blocking thread.
    pub fn resolve(&self, analysis: &Analysis, offset: TextSize) -> Option<Resolved> {
        if analysis.format != Some(Format::Terraform) {
            return None;
        }
        let file_path = analysis
            .snapshot
            .uri
            .to_file_path()
            .map(|path| path.into_owned());
        let (unit, _) = self.unit(
            file_path.as_deref(),
            &analysis.snapshot.uri,
            analysis.snapshot.language_id.as_deref(),
            &self.settings(),
        );
        let (path, hints) = (unit.display, unit.hints);
        let siblings = file_path
            .as_deref()
            .map(|file| self.folder_files(file, redline_workspace::is_module_file))
            .unwrap_or_default();
        let input = |path, text| SourceInput {
            path,
            text,
            hints,
            config_relative_path: None,
        };
        let folder: Vec<SourceInput<'_>> = siblings
            .iter()
            .map(|sibling| input(&sibling.display, &sibling.text))
            .collect();
        redline_engine::resolve_attribute(&input(&path, &analysis.text), &folder, offset)
    }

    /// The analysis unit of the document at `uri` (at `file`, unless it is an unsaved buffer),
    /// as `redline_workspace` decides it, with the configuration of its folder kept until
    /// `forget_configs` and the editor's settings on top of it; and why its `redline.toml`
    /// could not be used, if it could not. The display path is relative to the workspace folder
    /// that holds the file, so that path-based detection (`.github/workflows/…`) works as in
    /// `redline check`.
    fn unit(
        &self,
        file: Option<&Path>,
        uri: &lsp::Uri,
        language_id: Option<&str>,
        settings: &Settings,
    ) -> (FileJob, Option<String>) {
        let units = self.units();
        let key = file
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let found = self
            .configs
            .lock()
            .ok()
            .and_then(|configs| configs.get(&key).cloned());
        let resolved = found.unwrap_or_else(|| {
            let (mut loaded, problem) = match file.map(|file| units.load_config(file)) {
                None => (units.default_config(), None),
                Some(Ok(loaded)) => (loaded, None),
                Some(Err(error)) => (
                    units.default_config(),
                    Some(format!("{error}; using the defaults")),
                ),
            };
            apply_settings(&mut loaded.config, settings);
            let res = Arc::new(ResolvedConfig {
                loaded: Arc::new(loaded),
                problem,
            });
            if let Ok(mut configs) = self.configs.lock() {
                configs.insert(key, Arc::clone(&res));
            }
            res
        });
        let config = Arc::clone(&resolved.loaded);
        let unit = match file {
            Some(file) => units.unit(file, config),
            // An unsaved buffer is named by the last segment of its URI.
            None => {
                let name = uri.path().as_str().rsplit('/').next().unwrap_or_default();
                units.buffer(name, language_id, config)
            }
        };
        (unit, resolved.problem.clone())
    }
}

/// The folder of the file `uri` names; `None` for a buffer that is not a file.
pub fn folder_of(uri: &lsp::Uri) -> Option<PathBuf> {
    uri.to_file_path()
        .and_then(|path| path.parent().map(Path::to_path_buf))
}

/// Why a `didChange` could not be applied.
#[derive(Debug)]
pub enum ChangeError {
    /// The document is not open.
    NotOpen,
    /// A change's range is outside the document.
    Position(PositionError),
}

impl std::fmt::Display for ChangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChangeError::NotOpen => f.write_str("the document is not open"),
            ChangeError::Position(error) => write!(f, "{error}"),
        }
    }
}

/// The line and byte column of a byte offset, for tree edits. Tree-sitter counts only `\n` as a
/// line break while ropey also counts a lone `\r`; the difference only moves node points, and
/// redline reads byte ranges, never points.
fn text_point(rope: &Rope, offset: usize) -> TextPoint {
    let offset = offset.min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    TextPoint {
        offset,
        line,
        column: offset - rope.line_to_byte(line),
    }
}

/// Adds the client's rule settings on top of `redline.toml`.
fn apply_settings(config: &mut Config, settings: &Settings) {
    for rule in &settings.rules.disable {
        if let Some(meta) = redline_rules::find_any_rule(rule)
            && !config.disabled.contains(&meta.id())
        {
            config.disabled.push(meta.id());
        }
    }
    for (rule, severity) in &settings.rules.severity {
        if let (Some(meta), Some(severity)) = (
            redline_rules::find_any_rule(rule),
            Severity::parse(severity),
        ) {
            config.rules.entry(meta.id()).or_default().severity = Some(severity);
        }
    }
}

/// Drops `value` on a thread kept for that, or here when that thread cannot be started.
fn drop_later<T: Send + 'static>(value: T) {
    type Garbage = Box<dyn Send>;
    static DROPPER: OnceLock<Option<std::sync::mpsc::Sender<Garbage>>> = OnceLock::new();
    let dropper = DROPPER.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel::<Garbage>();
        std::thread::Builder::new()
            .name("redline-drop".to_owned())
            .spawn(move || receiver.into_iter().for_each(drop))
            .ok()
            .map(|_| sender)
    });
    if let Some(dropper) = dropper {
        // A send fails only when the thread is gone; the value then comes back and is
        // dropped here.
        let _ = dropper.send(Box::new(value));
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr as _;

    use super::*;

    fn change(range: ((u32, u32), (u32, u32)), text: &str) -> lsp::TextDocumentContentChangeEvent {
        let position = |(line, character)| lsp::Position { line, character };
        lsp::TextDocumentContentChangeEvent {
            range: Some(lsp::Range {
                start: position(range.0),
                end: position(range.1),
            }),
            range_length: None,
            text: text.to_owned(),
        }
    }

    fn findings(analysis: &Analysis) -> Vec<(&'static str, redline_text::TextRange)> {
        analysis
            .diagnostics
            .iter()
            .map(|diagnostic| (diagnostic.rule.id, diagnostic.range))
            .collect()
    }

    #[test]
    fn incremental_parses_find_what_full_parses_find() {
        let output: crate::transport::Output =
            Arc::new(tokio::sync::Mutex::new(Box::new(tokio::io::sink())));
        let session = Session::new(Date::parse("2026-06-01").expect("a valid date"), output);
        let _ = session.encoding.set(PositionEncoding::Utf16);
        let uri = lsp::Uri::from_str("untitled:main.tf").expect("a valid uri");
        let text = "resource \"aws_backup_vault\" \"🚀中\" { force_destroy = true }\n\
                    resource \"aws_s3_bucket\" \"b\" {\n  force_destroy = false\n}\n";
        session.open(uri.clone(), text, 1, "terraform".to_owned());
        let edits = [
            // Replace the emoji, then flip both flags, then add a line break inside a block.
            change(((0, 29), (0, 31)), "x"),
            change(((0, 51), (0, 55)), "false"),
            change(((2, 18), (2, 23)), "true"),
            change(((1, 32), (1, 32)), "\n  bucket = \"é\"\n"),
        ];
        for (version, edit) in (2..).zip(edits) {
            let snapshot = session.snapshot(&uri).expect("the document is open");
            let analysis = Arc::new(session.analyse(snapshot));
            assert!(analysis.tree.lock().is_ok_and(|tree| tree.is_some()));
            assert!(session.store_if_current(&analysis));
            let kept = session
                .documents
                .get(&uri)
                .is_some_and(|document| document.tree.is_some());
            assert_eq!(kept, version > 2, "only edited documents keep their tree");
            session
                .change(&uri, version, vec![edit])
                .expect("the change is in range");
            let incremental = session.analyse(session.snapshot(&uri).expect("open"));
            let mut fresh = session.snapshot(&uri).expect("open");
            fresh.tree = None;
            let full = session.analyse(fresh);
            assert_eq!(incremental.text, full.text);
            assert_eq!(findings(&incremental), findings(&full), "{}", full.text);
        }
        let last = session.analyse(session.snapshot(&uri).expect("open"));
        assert_eq!(
            last.text,
            "resource \"aws_backup_vault\" \"x中\" { force_destroy = false }\n\
             resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"é\"\n\n  force_destroy = true\n}\n"
        );
        let force_destroy: Vec<_> = findings(&last)
            .into_iter()
            .filter(|(rule, _)| *rule == "RL-TF-010")
            .collect();
        assert_eq!(force_destroy.len(), 1);
    }

    /// What `drop_later` is given is dropped, on another thread.
    #[test]
    fn a_value_dropped_later_is_dropped_on_another_thread() {
        struct Noted(std::sync::mpsc::Sender<std::thread::ThreadId>);
        impl Drop for Noted {
            fn drop(&mut self) {
                let _ = self.0.send(std::thread::current().id());
            }
        }
        let (sender, receiver) = std::sync::mpsc::channel();
        drop_later(Noted(sender));
        let dropped_on = receiver
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("dropped");
        assert_ne!(dropped_on, std::thread::current().id());
    }
}

//! The protocol handlers.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::{Client, LanguageServer};

use crate::ServerOptions;
use crate::convert;
use crate::proto::{self, EditOptions};
use crate::session::{Analysis, ClientSupport, Session, Snapshot, folder_of};
use crate::settings::Settings;

/// The command that returns a rule's documentation as Markdown; its argument is a rule id or name.
pub const EXPLAIN_COMMAND: &str = "redline.explain";

/// How many workspace files are analysed between two progress reports.
const PROGRESS_EVERY: usize = 20;

/// The language server.
pub struct RedlineServer {
    client: Client,
    session: Arc<Session>,
    options: ServerOptions,
    splices: Arc<crate::transport::Splices>,
}

impl RedlineServer {
    /// A server that talks to `client`.
    /// Pushed diagnostics are written to `output`, the client's end of the connection; pulled
    /// reports are answered through `splices`, which the writer to `output` reads.
    pub fn new(
        client: Client,
        options: ServerOptions,
        output: crate::transport::Output,
        splices: Arc<crate::transport::Splices>,
    ) -> Self {
        Self {
            client,
            session: Arc::new(Session::new(redline_workspace::today(), output)),
            options,
            splices,
        }
    }

    fn debounce(&self) -> Duration {
        self.session
            .settings()
            .debounce_ms
            .map_or(self.options.debounce, Duration::from_millis)
    }

    /// Re-analyses a document after the debounce, unless a newer change arrives first.
    ///
    /// A client that pulls diagnostics asks for them after each change itself, and the pull
    /// analyses the current version then, so nothing is scheduled for it.
    fn schedule(&self, uri: lsp::Uri) {
        if self.session.support().pull_diagnostics {
            return;
        }
        let Some(version) = self.session.version(&uri) else {
            return;
        };
        let session = Arc::clone(&self.session);
        let client = self.client.clone();
        let debounce = self.debounce();
        let task_uri = uri.clone();
        let task = tokio::spawn(async move {
            if !debounce.is_zero() {
                tokio::time::sleep(debounce).await;
            }
            refresh(&session, &client, &task_uri, version).await;
        });
        if let Some(previous) = self.session.pending.insert(uri, task.abort_handle()) {
            previous.abort();
        }
    }

    /// After a change of the Terraform module file `uri` (an edit, or on disk), re-analyses
    /// the other open documents of its module, or asks a client that pulls to pull again:
    /// they are judged with its text, so a `moved` block typed in one file settles a rename
    /// in another.
    async fn module_file_changed(&self, uri: &lsp::Uri) {
        self.session.module_file_changed(uri);
        let siblings = self.open_module_siblings(uri);
        if siblings.is_empty() {
            return;
        }
        if self.session.support().pull_diagnostics {
            let _ = self.client.workspace_diagnostic_refresh().await;
        } else {
            for sibling in siblings {
                self.schedule(sibling);
            }
        }
    }

    /// The other open documents of the Terraform module of `uri`.
    fn open_module_siblings(&self, uri: &lsp::Uri) -> Vec<lsp::Uri> {
        if !redline_workspace::is_module_file(uri.path().as_str()) {
            return Vec::new();
        }
        let Some(own) = folder_of(uri) else {
            return Vec::new();
        };
        self.session
            .documents
            .iter()
            .map(|entry| entry.key().clone())
            .filter(|other| {
                other != uri
                    && redline_workspace::is_module_file(other.path().as_str())
                    && folder_of(other).is_some_and(|other| other == own)
            })
            .collect()
    }

    fn reanalyse_open_documents(&self) {
        let uris: Vec<lsp::Uri> = self
            .session
            .documents
            .iter()
            .map(|entry| entry.key().clone())
            .collect();
        for uri in uris {
            self.schedule(uri);
        }
    }

    /// The analysis of the current version of an open document, computed now if needed.
    async fn current(&self, uri: &lsp::Uri) -> Result<Arc<Analysis>> {
        if let Some(analysis) = self.session.current_analysis(uri) {
            return Ok(analysis);
        }
        let Some(snapshot) = self.session.snapshot(uri) else {
            return Err(Error::invalid_params(format!(
                "{} is not open",
                uri.as_str()
            )));
        };
        let analysis = analyse_blocking(&self.session, &self.client, snapshot)
            .await
            .ok_or_else(Error::internal_error)?;
        self.session.store_if_current(&analysis);
        Ok(analysis)
    }

    async fn scan_workspace(&self) {
        let roots = self
            .session
            .roots
            .read()
            .map(|roots| roots.clone())
            .unwrap_or_default();
        if roots.is_empty() || !self.session.settings().scan_workspace() {
            return;
        }
        let session = Arc::clone(&self.session);
        let client = self.client.clone();
        tokio::spawn(async move {
            scan(&session, &client, roots).await;
        });
    }

    async fn register_watchers(&self) {
        if !self.session.support().watch_files {
            // The client cannot tell the server about commits: look at the git folders of the
            // open documents itself.
            watch_git(Arc::clone(&self.session), self.client.clone());
            return;
        }
        // `.git/HEAD`, `.git/index` and the branches change on commit, checkout and reset:
        // the base of open documents (their text at `HEAD`) may have moved.
        let watchers = [
            "**/redline.toml",
            "**/*.{tf,yml,yaml,json,sh,bash,toml}",
            "**/.git/{HEAD,index}",
            "**/.git/refs/heads/**",
        ]
        .into_iter()
        .map(|glob| lsp::FileSystemWatcher {
            glob_pattern: lsp::GlobPattern::String(glob.to_owned()),
            kind: None,
        })
        .collect();
        let registration = lsp::Registration {
            id: "redline-watched-files".to_owned(),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: serde_json::to_value(lsp::DidChangeWatchedFilesRegistrationOptions {
                watchers,
            })
            .ok(),
        };
        if let Err(error) = self.client.register_capability(vec![registration]).await {
            self.client
                .log_message(
                    lsp::MessageType::WARNING,
                    format!("redline: cannot watch files: {error}"),
                )
                .await;
        }
    }

    async fn settings_changed(&self, value: &Value) {
        match Settings::from_json(value) {
            Ok(settings) => self.session.set_settings(settings),
            Err(message) => {
                self.client
                    .show_message(lsp::MessageType::ERROR, format!("redline: {message}"))
                    .await;
                return;
            }
        }
        self.refresh_everything().await;
    }

    /// Re-analyses the open documents (a file that repository findings join changed), and asks
    /// a client that pulls diagnostics to pull again.
    async fn refresh_open_documents(&self) {
        self.session.analyses.clear();
        self.reanalyse_open_documents();
        if self.session.support().diagnostic_refresh {
            let _ = self.client.workspace_diagnostic_refresh().await;
        }
    }

    async fn refresh_everything(&self) {
        // Stored analyses were made with the old configuration.
        self.session.analyses.clear();
        self.reanalyse_open_documents();
        if self.session.support().diagnostic_refresh {
            let _ = self.client.workspace_diagnostic_refresh().await;
        }
        let scanned: Vec<lsp::Uri> = self
            .session
            .workspace_files
            .iter()
            .map(|entry| entry.key().clone())
            .collect();
        for uri in scanned {
            analyse_file_from_disk(&self.session, &self.client, uri).await;
        }
    }
}

impl LanguageServer for RedlineServer {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        // The rules' data sets are read while the client opens its first documents.
        drop(tokio::task::spawn_blocking(redline_rules::warm_up));
        let general = params.capabilities.general.as_ref();
        let encoding = convert::PositionEncoding::negotiate(
            general.and_then(|general| general.position_encodings.as_deref()),
        );
        let _ = self.session.encoding.set(encoding);
        let text_document = params.capabilities.text_document.as_ref();
        let workspace = params.capabilities.workspace.as_ref();
        let diagnostic_refresh = workspace
            .and_then(|caps| caps.diagnostics.as_ref())
            .and_then(|caps| caps.refresh_support)
            .unwrap_or(false);
        let support = ClientSupport {
            // A client that pulls but cannot be asked to pull again (Neovim 0.11) would keep
            // showing findings that a commit or a changed `redline.toml` made stale until the
            // next keystroke: such a client gets pushed diagnostics instead.
            pull_diagnostics: diagnostic_refresh
                && text_document.is_some_and(|caps| caps.diagnostic.is_some()),
            diagnostic_refresh,
            document_changes: workspace
                .and_then(|caps| caps.workspace_edit.as_ref())
                .and_then(|caps| caps.document_changes)
                .unwrap_or(false),
            work_done_progress: params
                .capabilities
                .window
                .as_ref()
                .and_then(|caps| caps.work_done_progress)
                .unwrap_or(false),
            watch_files: workspace
                .and_then(|caps| caps.did_change_watched_files.as_ref())
                .and_then(|caps| caps.dynamic_registration)
                .unwrap_or(false),
        };
        let _ = self.session.support.set(support);

        let mut roots: Vec<PathBuf> = params
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|folder| folder.uri.to_file_path().map(|path| path.into_owned()))
            .collect();
        #[allow(deprecated)]
        if roots.is_empty()
            && let Some(root) = params.root_uri.as_ref().and_then(|uri| uri.to_file_path())
        {
            roots.push(root.into_owned());
        }
        if let Ok(mut current) = self.session.roots.write() {
            *current = roots;
        }

        if let Some(options) = &params.initialization_options {
            match Settings::from_json(options) {
                Ok(settings) => self.session.set_settings(settings),
                Err(message) => {
                    self.client
                        .show_message(lsp::MessageType::ERROR, format!("redline: {message}"))
                        .await;
                }
            }
        }
        if let Some(pid) = params.process_id {
            watch_parent(pid);
        }

        let capabilities = lsp::ServerCapabilities {
            position_encoding: Some(encoding.kind()),
            text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
                lsp::TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                    save: Some(lsp::TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                },
            )),
            hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
            code_action_provider: Some(lsp::CodeActionProviderCapability::Options(
                lsp::CodeActionOptions {
                    code_action_kinds: Some(vec![
                        lsp::CodeActionKind::QUICKFIX,
                        lsp::CodeActionKind::from(proto::FIX_ALL_KIND),
                    ]),
                    ..Default::default()
                },
            )),
            execute_command_provider: Some(lsp::ExecuteCommandOptions {
                commands: vec![EXPLAIN_COMMAND.to_owned()],
                ..Default::default()
            }),
            // Offered only to clients that pull, so that no client both pulls and is pushed
            // the same findings; `workspace/diagnostic` is answered to every client.
            diagnostic_provider: support.pull_diagnostics.then(|| {
                lsp::DiagnosticServerCapabilities::Options(lsp::DiagnosticOptions {
                    identifier: Some("redline".to_owned()),
                    // A Terraform document is analysed with the other files of its module.
                    inter_file_dependencies: true,
                    workspace_diagnostics: true,
                    ..Default::default()
                })
            }),
            ..Default::default()
        };
        Ok(lsp::InitializeResult {
            capabilities,
            server_info: Some(lsp::ServerInfo {
                name: "redline".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        self.register_watchers().await;
        self.scan_workspace().await;
    }

    async fn shutdown(&self) -> Result<()> {
        for entry in self.session.pending.iter() {
            entry.value().abort();
        }
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let document = params.text_document;
        self.session.open(
            document.uri.clone(),
            &document.text,
            document.version,
            document.language_id,
        );
        self.schedule(document.uri);
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let outcome =
            self.session
                .change(&uri, params.text_document.version, params.content_changes);
        self.schedule(uri.clone());
        self.module_file_changed(&uri).await;
        if let Err(error) = outcome {
            self.client
                .log_message(
                    lsp::MessageType::ERROR,
                    format!(
                        "redline: cannot apply a change to {}: {error}; the document may be out of sync until it is reopened",
                        uri.as_str()
                    ),
                )
                .await;
        }
    }

    async fn did_save(&self, params: lsp::DidSaveTextDocumentParams) {
        // A save is a good moment to see whether a commit moved `HEAD` meanwhile.
        self.session.recheck_bases();
        // A saved Terraform file may add or remove a local module call.
        if redline_workspace::is_terraform_file(params.text_document.uri.path().as_str()) {
            self.session.forget_called_folders();
        }
        // A saved file may add or break a link of a repository finding reported on another
        // open document (a role's trust policy, a workflow's environment).
        let may_have_facts = self
            .session
            .documents
            .get(&params.text_document.uri)
            .is_some_and(|document| {
                redline_rules::workspace::may_have_facts(
                    params.text_document.uri.path().as_str(),
                    &document.rope.to_string(),
                )
            });
        if may_have_facts {
            self.session.forget_repositories();
            self.refresh_open_documents().await;
        } else {
            self.schedule(params.text_document.uri);
        }
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.session.close(&uri);
        // The other open files of its module now read it from disk.
        self.module_file_changed(&uri).await;
        if !self.session.support().pull_diagnostics {
            self.client.publish_diagnostics(uri, Vec::new(), None).await;
        }
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        self.settings_changed(&params.settings).await;
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        let mut config_changed = false;
        let mut git_changed = false;
        let mut repository_changed = false;
        let mut touched_folders: BTreeSet<PathBuf> = BTreeSet::new();
        for change in params.changes {
            if change.uri.path().as_str().contains("/.git/") {
                git_changed = true;
                continue;
            }
            let is_config = change
                .uri
                .path()
                .as_str()
                .ends_with(redline_workspace::CONFIG_FILE_NAME);
            if is_config {
                config_changed = true;
                continue;
            }
            if redline_workspace::is_terraform_file(change.uri.path().as_str()) {
                self.session.forget_called_folders();
            }
            if redline_syntax::detect::is_candidate_path(change.uri.path().as_str()) {
                repository_changed = true;
            }
            let module_file = redline_workspace::is_module_file(change.uri.path().as_str());
            if (change.typ != lsp::FileChangeType::CHANGED || module_file)
                && let Some(folder) = folder_of(&change.uri)
            {
                // A file created or deleted beside open documents changes what their edits do:
                // a deleted file's blocks or objects are gone, unless they moved to them. The
                // open files of a module are analysed with the others' text.
                if !self.session.documents.contains_key(&change.uri) {
                    self.session.module_file_changed(&change.uri);
                }
                touched_folders.insert(folder);
            }
            if self.session.documents.contains_key(&change.uri) {
                // The editor's text wins over the file on disk.
                continue;
            }
            if change.typ == lsp::FileChangeType::DELETED {
                if self.session.workspace_files.remove(&change.uri).is_some()
                    && !self.session.support().pull_diagnostics
                {
                    self.client
                        .publish_diagnostics(change.uri, Vec::new(), None)
                        .await;
                }
            } else {
                analyse_file_from_disk(&self.session, &self.client, change.uri).await;
            }
        }
        if !touched_folders.is_empty() && !config_changed {
            let uris: Vec<lsp::Uri> = self
                .session
                .documents
                .iter()
                .map(|entry| entry.key().clone())
                .filter(|uri| {
                    folder_of(uri).is_some_and(|folder| touched_folders.contains(&folder))
                })
                .collect();
            if !uris.is_empty() && self.session.support().pull_diagnostics {
                let _ = self.client.workspace_diagnostic_refresh().await;
            }
            for uri in uris {
                self.schedule(uri);
            }
        }
        if git_changed && !config_changed {
            bases_moved(&self.session, &self.client).await;
        }
        if repository_changed && !config_changed {
            self.session.forget_repositories();
            self.refresh_open_documents().await;
        }
        if config_changed {
            self.session.recheck_bases();
            self.session.forget_configs();
            self.client
                .log_message(lsp::MessageType::INFO, "redline: reloaded redline.toml")
                .await;
            self.refresh_everything().await;
        }
    }

    async fn diagnostic(
        &self,
        params: lsp::DocumentDiagnosticParams,
    ) -> Result<lsp::DocumentDiagnosticReportResult> {
        let uri = params.text_document.uri;
        let analysis = match self.current(&uri).await {
            Ok(analysis) => analysis,
            Err(_) => match self.session.workspace_files.get(&uri) {
                Some(analysis) => Arc::clone(&analysis),
                None => {
                    return Err(Error::invalid_params(format!(
                        "{} is not open",
                        uri.as_str()
                    )));
                }
            },
        };
        // A report equal to the one the client holds is answered by its id alone: typing in a
        // long file leaves most of its findings where they were.
        let encoding = self.session.encoding();
        let report_id = proto::report_id(&analysis, encoding);
        if params
            .previous_result_id
            .as_deref()
            .is_some_and(|previous| report_of(previous) == report_id)
        {
            let result_id = result_id(&analysis, &report_id);
            return Ok(lsp::DocumentDiagnosticReportResult::Report(
                lsp::DocumentDiagnosticReport::Unchanged(
                    lsp::RelatedUnchangedDocumentDiagnosticReport {
                        related_documents: None,
                        unchanged_document_diagnostic_report:
                            lsp::UnchangedDocumentDiagnosticReport { result_id },
                    },
                ),
            ));
        }
        let report = proto::report(&analysis, encoding);
        let full = |result_id, items| {
            lsp::DocumentDiagnosticReportResult::Report(lsp::DocumentDiagnosticReport::Full(
                lsp::RelatedFullDocumentDiagnosticReport {
                    related_documents: None,
                    full_document_diagnostic_report: lsp::FullDocumentDiagnosticReport {
                        result_id: Some(result_id),
                        items,
                    },
                },
            ))
        };
        let result = full(result_id(&analysis, &report.id), report.items);
        // Serialized here and put in place of a placeholder on its way out, rather than
        // through tower-lsp's `serde_json::Value` (see `transport::Splices`).
        match self.splices.placeholder(&result) {
            Ok(placeholder) => Ok(full(placeholder, Vec::new())),
            Err(_) => Ok(result),
        }
    }

    async fn workspace_diagnostic(
        &self,
        _: lsp::WorkspaceDiagnosticParams,
    ) -> Result<lsp::WorkspaceDiagnosticReportResult> {
        let encoding = self.session.encoding();
        let mut items = Vec::new();
        let open: Vec<lsp::Uri> = self
            .session
            .documents
            .iter()
            .map(|entry| entry.key().clone())
            .collect();
        for uri in open {
            if let Ok(analysis) = self.current(&uri).await {
                items.push(workspace_report(&analysis, encoding));
            }
        }
        let mut scanned: Vec<Arc<Analysis>> = self
            .session
            .workspace_files
            .iter()
            .map(|entry| Arc::clone(entry.value()))
            .collect();
        scanned.sort_by(|a, b| a.snapshot.uri.as_str().cmp(b.snapshot.uri.as_str()));
        for analysis in scanned {
            if !self.session.documents.contains_key(&analysis.snapshot.uri) {
                items.push(workspace_report(&analysis, encoding));
            }
        }
        Ok(lsp::WorkspaceDiagnosticReportResult::Report(
            lsp::WorkspaceDiagnosticReport { items },
        ))
    }

    async fn code_action(
        &self,
        params: lsp::CodeActionParams,
    ) -> Result<Option<lsp::CodeActionResponse>> {
        let analysis = self.current(&params.text_document.uri).await?;
        let encoding = self.session.encoding();
        let range = convert::text_range(&analysis.snapshot.rope, params.range, encoding)
            .map_err(|error| Error::invalid_params(error.to_string()))?;
        let options = EditOptions {
            encoding,
            document_changes: self.session.support().document_changes,
        };
        let actions = proto::code_actions(&analysis, range, &params.context, options);
        Ok(Some(actions))
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let position = params.text_document_position_params;
        let analysis = self.current(&position.text_document.uri).await?;
        let encoding = self.session.encoding();
        let offset = convert::offset(&analysis.snapshot.rope, position.position, encoding)
            .map_err(|error| Error::invalid_params(error.to_string()))?;
        // The value reads the module's other files: a blocking thread, as for analyses.
        let worker = Arc::clone(&self.session);
        let analysed = Arc::clone(&analysis);
        let resolving = tokio::task::spawn_blocking(move || worker.resolve(&analysed, offset));
        let resolved = match resolving.await {
            Ok(resolved) => resolved,
            Err(error) => {
                if error.is_panic() {
                    let uri = position.text_document.uri.as_str();
                    let message =
                        format!("redline: resolving a value in {uri} failed unexpectedly");
                    self.client
                        .log_message(lsp::MessageType::ERROR, message)
                        .await;
                }
                None
            }
        };
        Ok(proto::hover(&analysis, offset, resolved.as_ref(), encoding))
    }

    async fn execute_command(&self, params: lsp::ExecuteCommandParams) -> Result<Option<Value>> {
        if params.command != EXPLAIN_COMMAND {
            return Err(Error::invalid_params(format!(
                "unknown command `{}`",
                params.command
            )));
        }
        let Some(rule) = params.arguments.first().and_then(Value::as_str) else {
            return Err(Error::invalid_params(
                "`redline.explain` takes a rule id or name",
            ));
        };
        let meta = redline_rules::find_any_rule(rule)
            .ok_or_else(|| Error::invalid_params(format!("unknown rule `{rule}`")))?;
        Ok(Some(Value::String(redline_rules::doc_page(meta))))
    }
}

/// How often the server looks at the git folders of open documents when the client cannot
/// watch files.
const GIT_POLL: Duration = Duration::from_millis(500);

/// Looks, every `GIT_POLL`, whether a commit, checkout or reset moved the base of an open
/// document, and shows the findings against the new base. The server's own watcher, for
/// clients that cannot watch files: it reads a few file times of at most
/// `session::MAX_WATCHED_REPOSITORIES` git folders, never the network.
fn watch_git(session: Arc<Session>, client: Client) {
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(GIT_POLL).await;
            let worker = Arc::clone(&session);
            let moved = tokio::task::spawn_blocking(move || worker.bases_moved()).await;
            if moved.unwrap_or(false) {
                bases_moved(&session, &client).await;
            }
        }
    });
}

/// Re-reads the bases of open documents from git and shows their findings again: pushed, or,
/// to a client that pulls, by asking it to pull again.
async fn bases_moved(session: &Arc<Session>, client: &Client) {
    session.recheck_bases();
    session.analyses.clear();
    if session.support().pull_diagnostics {
        let _ = client.workspace_diagnostic_refresh().await;
        return;
    }
    let open: Vec<(lsp::Uri, i32)> = session
        .documents
        .iter()
        .map(|entry| (entry.key().clone(), entry.value().version))
        .collect();
    for (uri, version) in open {
        refresh(session, client, &uri, version).await;
    }
}

/// Analyses the current version after the debounce and publishes it if it is still current.
async fn refresh(session: &Arc<Session>, client: &Client, uri: &lsp::Uri, version: i32) {
    let Some(snapshot) = session.snapshot(uri) else {
        return;
    };
    if snapshot.version != Some(version) {
        return;
    }
    let Some(analysis) = analyse_blocking(session, client, snapshot).await else {
        return;
    };
    if !session.store_if_current(&analysis) {
        return;
    }
    // Only this task's own handle: a newer edit may have scheduled another already.
    if let Some(task) = tokio::task::try_id() {
        session
            .pending
            .remove_if(uri, |_, pending| pending.id() == task);
    }
    let diagnostics = proto::diagnostics(&analysis, session.encoding());
    let params = lsp::PublishDiagnosticsParams::new(uri.clone(), diagnostics, Some(version));
    // Writing fails only when the client is gone, which ends the session anyway.
    let _ = crate::transport::write_notification(
        &session.output,
        <lsp::notification::PublishDiagnostics as lsp::notification::Notification>::METHOD,
        &params,
    )
    .await;
}

/// Runs the engine on a blocking thread and logs what went wrong; `None` if the analysis itself
/// failed (the engine already turns a failing rule into a finding).
async fn analyse_blocking(
    session: &Arc<Session>,
    client: &Client,
    snapshot: Snapshot,
) -> Option<Arc<Analysis>> {
    let uri = snapshot.uri.clone();
    let worker = Arc::clone(session);
    match tokio::task::spawn_blocking(move || worker.analyse(snapshot)).await {
        Ok(analysis) => {
            for problem in &analysis.problems {
                client
                    .log_message(
                        lsp::MessageType::ERROR,
                        crate::escape::visible(&format!("redline: {problem}")).into_owned(),
                    )
                    .await;
            }
            Some(Arc::new(analysis))
        }
        Err(error) => {
            if error.is_panic() {
                client
                    .log_message(
                        lsp::MessageType::ERROR,
                        format!("redline: analysing {} failed unexpectedly", uri.as_str()),
                    )
                    .await;
            }
            None
        }
    }
}

/// Analyses a file that is not open, from disk, and publishes it without a version.
async fn analyse_file_from_disk(session: &Arc<Session>, client: &Client, uri: lsp::Uri) {
    let Some(path) = uri.to_file_path().map(|path| path.into_owned()) else {
        return;
    };
    let roots = session
        .roots
        .read()
        .map(|roots| roots.clone())
        .unwrap_or_default();
    let read = tokio::task::spawn_blocking(move || read_watched_file(&path, &roots)).await;
    let Ok(Some(bytes)) = read else {
        return;
    };
    let Ok(source) = redline_workspace::decode(bytes) else {
        return;
    };
    let text = source.text;
    let snapshot = Snapshot {
        uri: uri.clone(),
        rope: ropey::Rope::from_str(&text),
        version: None,
        language_id: None,
        tree: None,
        generation: 0,
    };
    let Some(analysis) = analyse_blocking(session, client, snapshot).await else {
        return;
    };
    // Files that are not open are parsed from scratch when they change: keep no tree.
    drop(analysis.take_tree());
    if analysis.format.is_none() || session.documents.contains_key(&uri) {
        return;
    }
    let diagnostics = proto::diagnostics(&analysis, session.encoding());
    session.workspace_files.insert(uri.clone(), analysis);
    if !session.support().pull_diagnostics {
        client.publish_diagnostics(uri, diagnostics, None).await;
    }
}

/// The bytes of a file a watched-file event names, read as the workspace scan would read it:
/// only a regular file, of at most the default `max_file_size`, whose path (links resolved)
/// stays inside the workspace folders or the git work tree holding them.
fn read_watched_file(path: &Path, roots: &[PathBuf]) -> Option<Vec<u8>> {
    let bounds = redline_workspace::Bounds::new(roots, path.parent()?);
    let max = redline_engine::config::DEFAULT_MAX_FILE_SIZE;
    redline_workspace::read_found_file(path, &bounds, max).ok()
}

/// Analyses every file of the workspace folders, reporting progress.
async fn scan(session: &Arc<Session>, client: &Client, roots: Vec<PathBuf>) {
    let discovered = tokio::task::spawn_blocking(move || {
        let mut files = Vec::new();
        let mut problems = Vec::new();
        for root in &roots {
            let options = redline_workspace::DiscoverOptions {
                paths: std::slice::from_ref(root),
                config_file: None,
                cwd: root,
            };
            match redline_workspace::discover(&options) {
                Ok(discovery) => files.extend(discovery.files.into_iter().map(|file| file.path)),
                Err(error) => problems.push(error.to_string()),
            }
        }
        (files, problems)
    })
    .await;
    let Ok((files, problems)) = discovered else {
        return;
    };
    for problem in problems {
        client
            .log_message(
                lsp::MessageType::WARNING,
                crate::escape::visible(&format!("redline: workspace scan: {problem}")).into_owned(),
            )
            .await;
    }
    let token = lsp::ProgressToken::String("redline/scan".to_owned());
    let progress = if session.support().work_done_progress
        && client
            .create_work_done_progress(token.clone())
            .await
            .is_ok()
    {
        Some(
            client
                .progress(token, "redline: scanning the workspace")
                .with_percentage(0)
                .begin()
                .await,
        )
    } else {
        None
    };
    let total = files.len();
    for (done, path) in files.into_iter().enumerate() {
        if let Some(progress) = &progress
            && done % PROGRESS_EVERY == 0
        {
            let percentage = u32::try_from(done * 100 / total.max(1)).unwrap_or(100);
            progress
                .report_with_message(format!("{done}/{total} files"), percentage)
                .await;
        }
        let Some(uri) = lsp::Uri::from_file_path(&path) else {
            continue;
        };
        if session.documents.contains_key(&uri) {
            continue;
        }
        analyse_file_from_disk(session, client, uri).await;
    }
    if let Some(progress) = progress {
        progress
            .finish_with_message(format!("{total} files analysed"))
            .await;
    }
}

/// The result id of a pulled report: the document's version, then the report's id
/// (`proto::report`), which alone decides whether the client's report is unchanged.
fn result_id(analysis: &Analysis, report_id: &str) -> String {
    match analysis.snapshot.version {
        Some(version) => format!("{version}.{report_id}"),
        None => report_id.to_owned(),
    }
}

/// The report id in a result id (see `result_id`).
fn report_of(result_id: &str) -> &str {
    result_id
        .split_once('.')
        .map_or(result_id, |(_, report)| report)
}

fn workspace_report(
    analysis: &Analysis,
    encoding: convert::PositionEncoding,
) -> lsp::WorkspaceDocumentDiagnosticReport {
    lsp::WorkspaceDocumentDiagnosticReport::Full(lsp::WorkspaceFullDocumentDiagnosticReport {
        uri: analysis.snapshot.uri.clone(),
        version: analysis.snapshot.version.map(i64::from),
        full_document_diagnostic_report: {
            let report = proto::report(analysis, encoding);
            lsp::FullDocumentDiagnosticReport {
                result_id: Some(result_id(analysis, &report.id)),
                items: report.items,
            }
        },
    })
}

/// Exits when the client process is gone, so an editor crash leaves no server behind.
fn watch_parent(pid: u32) {
    // Only Linux has `/proc/<pid>`; elsewhere the client closing stdin ends the server.
    if !std::path::Path::new("/proc/self").exists() {
        return;
    }
    let proc_entry = PathBuf::from(format!("/proc/{pid}"));
    tokio::spawn(async move {
        loop {
            if !proc_entry.exists() {
                std::process::exit(1);
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
}

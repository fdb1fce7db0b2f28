//! The language server: the message loop's handlers. Handlers stay short:
//! edits are applied in place, and checking runs on the blocking pool,
//! keyed by the document's version, so typing never waits for the checker.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use dashmap::DashMap;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::Position;
use tower_lsp_server::ls_types::request::{GotoTypeDefinitionParams, GotoTypeDefinitionResponse};
use tower_lsp_server::ls_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CodeActionResponse, SemanticTokensDeltaParams, SemanticTokensFullDeltaResult,
    SemanticTokensFullOptions, SemanticTokensOptions, SemanticTokensParams, SemanticTokensResult,
    SemanticTokensServerCapabilities,
};
use tower_lsp_server::ls_types::{
    CodeLens, CodeLensOptions, CodeLensParams, ExecuteCommandOptions, ExecuteCommandParams,
};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionOptions, CompletionParams, CompletionResponse,
};
use tower_lsp_server::ls_types::{
    Diagnostic, DidChangeConfigurationParams, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, DocumentHighlight,
    DocumentHighlightParams, DocumentSymbolParams, DocumentSymbolResponse, FoldingRange,
    FoldingRangeParams, FoldingRangeProviderCapability, GotoDefinitionParams,
    GotoDefinitionResponse, Hover, HoverParams, HoverProviderCapability, InitializeParams,
    InitializeResult, InitializedParams, InlayHint, InlayHintParams, Location, MessageType, OneOf,
    PositionEncodingKind, PrepareRenameResponse, ReferenceParams, RenameOptions, RenameParams,
    SelectionRange, SelectionRangeParams, SelectionRangeProviderCapability, ServerCapabilities,
    ServerInfo, TextDocumentPositionParams, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TypeDefinitionProviderCapability, Uri, WorkDoneProgressOptions,
    WorkspaceEdit, WorkspaceSymbolParams, WorkspaceSymbolResponse,
};
use tower_lsp_server::ls_types::{DocumentFormattingParams, TextEdit};
use tower_lsp_server::ls_types::{SignatureHelp, SignatureHelpOptions, SignatureHelpParams};
use tower_lsp_server::{Client, LanguageServer};

use ward_compiler::resolve::SourceFile;

use super::config::Settings;
use super::document::{Change, Document};
use super::position::Encoding;
use super::snapshot::{SharedSlot, Snapshot};
use super::to_proto::DocLinks;

/// A profile shown as lenses while the document stays at `version`.
#[derive(Debug, Clone)]
pub struct ProfileEntry {
    pub version: i32,
    pub names: Vec<(String, ward_compiler::diagnostics::Span)>,
    pub result: super::run::ProfileResult,
}

/// What every handler and background job shares.
#[derive(Debug)]
pub struct State {
    pub docs: DashMap<Uri, Document>,
    /// Per open document: its latest analysis (see `snapshot.rs`).
    pub slots: DashMap<Uri, SharedSlot>,
    /// The last semantic tokens sent per document, for deltas.
    pub tokens: DashMap<Uri, (String, Arc<Vec<u32>>)>,
    pub next_result_id: std::sync::atomic::AtomicU64,
    /// Running programs' cancel flags, by run id.
    pub runs: DashMap<u64, Arc<AtomicBool>>,
    /// The last profile per document: its version, the bytecode names of
    /// its functions with their spans, and the figures.
    pub profiles: DashMap<Uri, ProfileEntry>,
    /// The client accepts `workspace/codeLens/refresh`.
    pub client_refreshes_lenses: AtomicBool,
    encoding: RwLock<Encoding>,
    settings: RwLock<Settings>,
    links: RwLock<Arc<DocLinks>>,
    /// The last version whose diagnostics went out, per document; held
    /// while publishing so that versions go out in order.
    published: tokio::sync::Mutex<HashMap<Uri, i32>>,
    /// The client accepts `workspace/inlayHint/refresh` (sent when the
    /// settings change what is shown).
    pub client_refreshes_hints: AtomicBool,
    /// `shutdown` arrived (the exit status after `exit` depends on it).
    pub shutdown: AtomicBool,
    /// The client takes snippet text in completion items.
    pub client_takes_snippets: AtomicBool,
    /// The client shows `ward/runOutput` (it declares
    /// `experimental.wardRunOutput`); others get a run's outcome as
    /// `window/showMessage`.
    pub client_shows_run_output: AtomicBool,
    /// The analysis behind the last completion list, for resolving its
    /// items' documentation.
    pub last_completion: std::sync::Mutex<Option<super::snapshot::Placeholder>>,
    /// `WARD_LSP_TEST_HOOKS=1`: the `ward/debugPanic` request panics, for
    /// the robustness tests.
    test_hooks: bool,
}

impl Default for State {
    fn default() -> State {
        State {
            docs: DashMap::new(),
            slots: DashMap::new(),
            tokens: DashMap::new(),
            next_result_id: std::sync::atomic::AtomicU64::new(1),
            runs: DashMap::new(),
            profiles: DashMap::new(),
            client_refreshes_lenses: AtomicBool::new(false),
            encoding: RwLock::new(Encoding::Utf16),
            settings: RwLock::new(Settings::default()),
            links: RwLock::new(Arc::new(DocLinks::from_source_tree())),
            published: tokio::sync::Mutex::new(HashMap::new()),
            client_refreshes_hints: AtomicBool::new(false),
            shutdown: AtomicBool::new(false),
            client_takes_snippets: AtomicBool::new(false),
            client_shows_run_output: AtomicBool::new(false),
            last_completion: std::sync::Mutex::new(None),
            test_hooks: std::env::var("WARD_LSP_TEST_HOOKS").is_ok_and(|v| v == "1"),
        }
    }
}

impl State {
    pub fn encoding(&self) -> Encoding {
        read(&self.encoding)
    }

    pub fn settings(&self) -> Settings {
        read(&self.settings)
    }

    /// Keeps the tokens just sent to `uri`; returns their result id.
    pub fn remember_tokens(&self, uri: &Uri, data: Vec<u32>) -> String {
        let id = self
            .next_result_id
            .fetch_add(1, Ordering::Relaxed)
            .to_string();
        self.tokens
            .insert(uri.clone(), (id.clone(), Arc::new(data)));
        id
    }

    pub fn links(&self) -> Arc<DocLinks> {
        read(&self.links)
    }

    /// The diagnostics of `uri` at `version`, or `None` once a newer
    /// version arrived (before or during the check).
    fn diagnose(&self, uri: &Uri, version: i32) -> Option<Vec<Diagnostic>> {
        let snapshot = self.snapshot_for_diagnostics(uri, version)?;
        if snapshot.version != version {
            return None;
        }
        let links = read(&self.links);
        Some(super::diagnostics::of(&snapshot, &links))
    }
}

fn read<T: Clone>(lock: &RwLock<T>) -> T {
    lock.read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

fn write<T>(lock: &RwLock<T>, value: T) {
    *lock
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = value;
}

/// An `InternalError` response with a message.
pub fn internal(message: &str) -> Error {
    Error {
        code: ErrorCode::InternalError,
        message: message.to_string().into(),
        data: None,
    }
}

/// Runs a handler's body, turning a panic into an `InternalError` response
/// so that one bad request never takes the server down.
pub fn guard<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let why = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        Err(Error {
            code: ErrorCode::InternalError,
            message: format!("{what} failed: {why}").into(),
            data: None,
        })
    })
}

#[derive(Debug)]
pub struct Backend {
    client: Client,
    pub state: Arc<State>,
}

impl Backend {
    pub fn new(client: Client, state: Arc<State>) -> Backend {
        Backend { client, state }
    }

    /// Checks `uri` at `version` on the blocking pool and publishes the
    /// diagnostics if that is still the document's version.
    fn schedule(&self, uri: Uri, version: i32) {
        let state = self.state.clone();
        let client = self.client.clone();
        tokio::spawn(async move {
            let job = {
                let state = state.clone();
                let uri = uri.clone();
                tokio::task::spawn_blocking(move || state.diagnose(&uri, version))
            };
            match job.await {
                Ok(Some(diagnostics)) => {
                    let mut published = state.published.lock().await;
                    let current = state.docs.get(&uri).map(|d| d.version);
                    let last = published.get(&uri).copied();
                    if current == Some(version) && last.is_none_or(|l| l < version) {
                        published.insert(uri.clone(), version);
                        client
                            .publish_diagnostics(uri, diagnostics, Some(version))
                            .await;
                    }
                }
                Ok(None) => {}
                Err(e) => {
                    client
                        .log_message(
                            MessageType::ERROR,
                            format!("checking {} failed: {e}", uri.as_str()),
                        )
                        .await;
                }
            }
        });
    }

    /// Runs a request's handler on the blocking pool against the
    /// document's current snapshot. `None` when the document is not open
    /// (a request racing its `didClose`, or a client confusion): the
    /// request then has no result rather than an error.
    pub async fn on_snapshot<R, F>(&self, uri: &Uri, what: &'static str, f: F) -> Result<Option<R>>
    where
        R: Send + 'static,
        F: FnOnce(&Snapshot, &State) -> Result<R> + Send + 'static,
    {
        // The text is taken now, in arrival order: changes that arrive
        // while the work waits for a thread do not apply to this request.
        let Some(seen) = self.state.seen(uri) else {
            return Ok(None);
        };
        let state = self.state.clone();
        let uri = uri.clone();
        let job = tokio::task::spawn_blocking(move || {
            guard(what, || match state.snapshot_at(&uri, &seen) {
                Some(snapshot) => f(&snapshot, &state).map(Some),
                None => Ok(None),
            })
        });
        job.await.unwrap_or_else(|e| {
            Err(Error {
                code: ErrorCode::InternalError,
                message: format!("{what} failed: {e}").into(),
                data: None,
            })
        })
    }

    /// Runs a handler on the blocking pool against the document's current
    /// syntax tree and text (no analysis needed).
    pub async fn on_tree<R, F>(&self, uri: &Uri, what: &'static str, f: F) -> Result<Option<R>>
    where
        R: Send + 'static,
        F: FnOnce(&tree_sitter::Tree, &SourceFile, Encoding) -> Result<R> + Send + 'static,
    {
        // Tree and text as they are now (clones share them): in arrival order.
        let Some((tree, rope)) = self
            .state
            .docs
            .get(uri)
            .map(|d| (d.tree.clone(), d.rope.clone()))
        else {
            return Ok(None);
        };
        let enc = self.state.encoding();
        let path = super::snapshot::path_of(uri);
        let job = tokio::task::spawn_blocking(move || {
            let file = SourceFile::new(path, rope.to_string());
            guard(what, || f(&tree, &file, enc).map(Some))
        });
        job.await.unwrap_or_else(|e| Err(internal(&e.to_string())))
    }

    /// Runs a handler's work on the blocking pool, a panic in it turned
    /// into an error response.
    async fn blocking<R, F>(&self, what: &'static str, f: F) -> Result<R>
    where
        R: Send + 'static,
        F: FnOnce(&State) -> Result<R> + Send + 'static,
    {
        let state = self.state.clone();
        let job = tokio::task::spawn_blocking(move || guard(what, || f(&state)));
        job.await.unwrap_or_else(|e| Err(internal(&e.to_string())))
    }

    /// A request about one position of a document: `f` runs on its
    /// snapshot; no result when the document is not open.
    async fn at_position<R: Send + 'static>(
        &self,
        at: TextDocumentPositionParams,
        what: &'static str,
        f: fn(&Snapshot, Position) -> Result<Option<R>>,
    ) -> Result<Option<R>> {
        let pos = at.position;
        let found = self
            .on_snapshot(&at.text_document.uri, what, move |snap, _| f(snap, pos))
            .await?;
        Ok(found.flatten())
    }

    async fn warn(&self, message: String) {
        self.client.log_message(MessageType::WARNING, message).await;
    }

    /// `ward/cancelRun {runId}`: stops a running program; `true` if it
    /// was still running.
    pub fn cancel_run(
        &self,
        params: super::run::CancelRunParams,
    ) -> std::future::Ready<Result<bool>> {
        std::future::ready(Ok(match self.state.runs.get(&params.run_id) {
            Some(flag) => {
                flag.store(true, Ordering::SeqCst);
                true
            }
            None => false,
        }))
    }

    /// `ward/syntaxTree {textDocument}`: the document's syntax tree as an
    /// indented S-expression with 0-based `[row, column]` positions (the
    /// editors' Show Syntax Tree); null when the document is not open.
    pub async fn syntax_tree(
        &self,
        params: super::structure::SyntaxTreeParams,
    ) -> Result<Option<String>> {
        self.on_tree(
            &params.text_document.uri,
            "ward/syntaxTree",
            |tree, _, _| Ok(ward_compiler::syntax::to_sexp(tree)),
        )
        .await
    }

    /// `ward/debugPanic` (test hook): a request whose handler panics.
    pub fn debug_panic(
        &self,
        _: serde_json::Value,
    ) -> std::future::Ready<Result<serde_json::Value>> {
        let hooks = self.state.test_hooks;
        std::future::ready(guard("ward/debugPanic", || {
            if !hooks {
                return Err(Error::method_not_found());
            }
            panic!("a deliberate panic in a request handler");
        }))
    }
}

fn changes(params: &DidChangeTextDocumentParams) -> Vec<Change> {
    params
        .content_changes
        .iter()
        .map(|c| Change {
            range: c.range.map(|r| {
                (
                    (r.start.line, r.start.character),
                    (r.end.line, r.end.character),
                )
            }),
            text: c.text.clone(),
        })
        .collect()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let offered = params
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref());
        let enc = if offered.is_some_and(|e| e.contains(&PositionEncodingKind::UTF8)) {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        write(&self.state.encoding, enc);
        let refresh = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.inlay_hint.as_ref())
            .and_then(|h| h.refresh_support)
            .unwrap_or(false);
        self.state
            .client_refreshes_hints
            .store(refresh, Ordering::SeqCst);
        let lens_refresh = params
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.code_lens.as_ref())
            .and_then(|l| l.refresh_support)
            .unwrap_or(false);
        self.state
            .client_refreshes_lenses
            .store(lens_refresh, Ordering::SeqCst);
        let snippets = params
            .capabilities
            .text_document
            .as_ref()
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false);
        self.state
            .client_takes_snippets
            .store(snippets, Ordering::SeqCst);
        let run_output = params
            .capabilities
            .experimental
            .as_ref()
            .and_then(|e| e.get("wardRunOutput"))
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        self.state
            .client_shows_run_output
            .store(run_output, Ordering::SeqCst);
        let options = params
            .initialization_options
            .unwrap_or(serde_json::Value::Null);
        match Settings::from_json(options) {
            Ok(s) => self.apply_settings(s),
            Err(e) => self.warn(e).await,
        }
        Ok(InitializeResult {
            server_info: Some(ServerInfo {
                name: "ward".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
            capabilities: ServerCapabilities {
                position_encoding: Some(match enc {
                    Encoding::Utf8 => PositionEncodingKind::UTF8,
                    Encoding::Utf16 => PositionEncodingKind::UTF16,
                }),
                text_document_sync: Some(TextDocumentSyncCapability::Options(
                    TextDocumentSyncOptions {
                        open_close: Some(true),
                        change: Some(TextDocumentSyncKind::INCREMENTAL),
                        ..TextDocumentSyncOptions::default()
                    },
                )),
                inlay_hint_provider: Some(OneOf::Left(true)),
                code_lens_provider: Some(CodeLensOptions {
                    resolve_provider: Some(false),
                }),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: super::run::COMMANDS
                        .iter()
                        .map(|c| (*c).to_string())
                        .collect(),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
                semantic_tokens_provider: Some(
                    SemanticTokensServerCapabilities::SemanticTokensOptions(
                        SemanticTokensOptions {
                            legend: super::semantic_tokens::legend(),
                            full: Some(SemanticTokensFullOptions::Delta { delta: Some(true) }),
                            range: None,
                            work_done_progress_options: WorkDoneProgressOptions::default(),
                        },
                    ),
                ),
                code_action_provider: Some(CodeActionProviderCapability::Options(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![
                            CodeActionKind::QUICKFIX,
                            CodeActionKind::new("run"),
                        ]),
                        ..CodeActionOptions::default()
                    },
                )),
                document_formatting_provider: Some(OneOf::Left(true)),
                completion_provider: Some(CompletionOptions {
                    resolve_provider: Some(true),
                    trigger_characters: Some(vec![".".into(), ":".into()]),
                    ..CompletionOptions::default()
                }),
                signature_help_provider: Some(SignatureHelpOptions {
                    trigger_characters: Some(vec!["(".into(), ",".into()]),
                    retrigger_characters: None,
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                selection_range_provider: Some(SelectionRangeProviderCapability::Simple(true)),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                definition_provider: Some(OneOf::Left(true)),
                type_definition_provider: Some(TypeDefinitionProviderCapability::Simple(true)),
                references_provider: Some(OneOf::Left(true)),
                document_highlight_provider: Some(OneOf::Left(true)),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                })),
                ..ServerCapabilities::default()
            },
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        self.client
            .log_message(MessageType::INFO, "ward language server ready")
            .await;
    }

    async fn shutdown(&self) -> Result<()> {
        self.state.shutdown.store(true, Ordering::SeqCst);
        Ok(())
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        self.at_position(
            params.text_document_position_params,
            "hover",
            super::hover::hover,
        )
        .await
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        self.at_position(
            params.text_document_position_params,
            "definition",
            super::goto::definition,
        )
        .await
    }

    async fn goto_type_definition(
        &self,
        params: GotoTypeDefinitionParams,
    ) -> Result<Option<GotoTypeDefinitionResponse>> {
        self.at_position(
            params.text_document_position_params,
            "typeDefinition",
            super::goto::type_definition,
        )
        .await
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        let at = params.text_document_position;
        let pos = at.position;
        let decl = params.context.include_declaration;
        let found = self
            .on_snapshot(&at.text_document.uri, "references", move |snap, _| {
                super::references::references(snap, pos, decl)
            })
            .await?;
        Ok(found.flatten())
    }

    async fn document_highlight(
        &self,
        params: DocumentHighlightParams,
    ) -> Result<Option<Vec<DocumentHighlight>>> {
        self.at_position(
            params.text_document_position_params,
            "documentHighlight",
            super::references::highlight,
        )
        .await
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        self.at_position(params, "prepareRename", super::rename::prepare)
            .await
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let at = params.text_document_position;
        let pos = at.position;
        let name = params.new_name;
        let found = self
            .on_snapshot(&at.text_document.uri, "rename", move |snap, _| {
                super::rename::rename(snap, pos, &name)
            })
            .await?;
        Ok(found.flatten())
    }

    async fn inlay_hint(&self, params: InlayHintParams) -> Result<Option<Vec<InlayHint>>> {
        let range = params.range;
        let settings = self.state.settings().inlay_hints;
        let found = self
            .on_snapshot(&params.text_document.uri, "inlayHint", move |snap, _| {
                super::inlay_hints::inlay_hints(snap, range, &settings)
            })
            .await?;
        Ok(found)
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        let found = self
            .on_snapshot(&params.text_document.uri, "codeLens", |snap, state| {
                let profile = state
                    .profiles
                    .get(&snap.uri)
                    .filter(|p| p.version == snap.version)
                    .map(|p| p.clone());
                Ok(super::code_lens::code_lenses(
                    snap,
                    profile.as_ref().map(|p| (&p.names[..], &p.result)),
                ))
            })
            .await?;
        Ok(found)
    }

    async fn execute_command(
        &self,
        params: ExecuteCommandParams,
    ) -> Result<Option<serde_json::Value>> {
        let command = params.command.as_str();
        if !super::run::COMMANDS.contains(&command) {
            return Err(Error::invalid_params(format!(
                "unknown command `{command}`"
            )));
        }
        let req = super::run::RunRequest::parse(command, &params.arguments)?;
        let settings = self.state.settings().run;
        if !settings.is_enabled() {
            return Err(Error {
                code: ErrorCode::InvalidRequest,
                message: "running programs is turned off (`ward.run.enabled` is false)".into(),
                data: None,
            });
        }
        let grant = settings.grant().map_err(Error::invalid_params)?;
        let for_prepare = req.clone();
        let prepared = self
            .on_snapshot(&req.uri, "executeCommand", move |snap, _| {
                super::run::prepare(snap, &for_prepare).map(|p| (p, snap.version))
            })
            .await?;
        let Some((mut prepared, version)) = prepared else {
            return Err(Error::invalid_params(format!(
                "{} is not open",
                req.uri.as_str()
            )));
        };
        prepared.grant = grant;
        let names = prepared.names.clone();
        let run_id = super::run::next_run_id();
        let cancel = Arc::new(AtomicBool::new(false));
        self.state.runs.insert(run_id, cancel.clone());
        // Cancelling the request drops this future: the run stops too.
        let _stop = super::run::StopOnDrop(cancel.clone());
        let (tx, mut rx) =
            tokio::sync::mpsc::unbounded_channel::<(ward_runtime::embed::Stream, u64, String)>();
        let client = self.client.clone();
        let forward = tokio::spawn(async move {
            while let Some((stream, task, text)) = rx.recv().await {
                let stream = match stream {
                    ward_runtime::embed::Stream::Stdout => "stdout",
                    ward_runtime::embed::Stream::Stderr => "stderr",
                };
                client
                    .send_notification::<super::run::RunOutputNotification>(
                        super::run::RunOutputParams {
                            run_id,
                            stream: stream.into(),
                            text,
                            task: (task != 0).then_some(task),
                        },
                    )
                    .await;
            }
        });
        let sink: ward_runtime::embed::OutputSink = Arc::new(move |stream, task, text: &str| {
            let _ = tx.send((stream, task, text.to_string()));
        });
        let result = super::run::execute(
            prepared,
            run_id,
            std::time::Duration::from_millis(settings.timeout_ms),
            settings.max_heap_bytes(),
            req.profile,
            cancel,
            sink,
        )
        .await;
        // Every piece of output goes out before the result.
        let _ = forward.await;
        self.state.runs.remove(&run_id);
        let result = result?;
        if !self.state.client_shows_run_output.load(Ordering::SeqCst) {
            // A client without the extension (Helix) shows this instead.
            let (kind, text) = super::run::outcome_message(&req.function, &result);
            self.client.show_message(kind, text).await;
        }
        if let Some(profile) = &result.profile {
            self.state.profiles.insert(
                req.uri.clone(),
                ProfileEntry {
                    version,
                    names,
                    result: profile.clone(),
                },
            );
            if self.state.client_refreshes_lenses.load(Ordering::SeqCst) {
                let _ = self.client.code_lens_refresh().await;
            }
        }
        serde_json::to_value(result)
            .map(Some)
            .map_err(|e| internal(&e.to_string()))
    }

    async fn semantic_tokens_full(
        &self,
        params: SemanticTokensParams,
    ) -> Result<Option<SemanticTokensResult>> {
        let uri = params.text_document.uri;
        let found = self
            .on_snapshot(&uri, "semanticTokens/full", |snap, state| {
                let data = super::semantic_tokens::encode(snap);
                let id = state.remember_tokens(&snap.uri, data.clone());
                Ok(SemanticTokensResult::Tokens(super::semantic_tokens::full(
                    &data, id,
                )))
            })
            .await?;
        Ok(found)
    }

    async fn semantic_tokens_full_delta(
        &self,
        params: SemanticTokensDeltaParams,
    ) -> Result<Option<SemanticTokensFullDeltaResult>> {
        let uri = params.text_document.uri;
        let previous = params.previous_result_id;
        let found = self
            .on_snapshot(&uri, "semanticTokens/full/delta", move |snap, state| {
                let data = super::semantic_tokens::encode(snap);
                let old = state
                    .tokens
                    .get(&snap.uri)
                    .filter(|t| t.0 == previous)
                    .map(|t| t.1.clone());
                let id = state.remember_tokens(&snap.uri, data.clone());
                Ok(match old {
                    Some(old) => SemanticTokensFullDeltaResult::TokensDelta(
                        super::semantic_tokens::delta(&old, &data, id),
                    ),
                    // An unknown previous result: send everything.
                    None => SemanticTokensFullDeltaResult::Tokens(super::semantic_tokens::full(
                        &data, id,
                    )),
                })
            })
            .await?;
        Ok(found)
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let range = params.range;
        let found = self
            .on_snapshot(
                &params.text_document.uri,
                "codeAction",
                move |snap, state| super::code_actions::code_actions(snap, range, &state.links()),
            )
            .await?;
        Ok(found)
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        let found = self
            .on_snapshot(&params.text_document.uri, "documentSymbol", |snap, _| {
                Ok(DocumentSymbolResponse::Nested(super::symbols::document(
                    snap,
                )))
            })
            .await?;
        Ok(found)
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        let state = self.state.clone();
        let query = params.query;
        let job = tokio::task::spawn_blocking(move || {
            guard("workspace/symbol", || {
                let open: Vec<Uri> = state.docs.iter().map(|d| d.key().clone()).collect();
                let mut seen = std::collections::HashSet::new();
                let mut found = Vec::new();
                for uri in open {
                    let Some(snap) = state.snapshot(&uri) else {
                        continue;
                    };
                    for s in super::symbols::workspace(&snap, &query) {
                        // Programs that share a file list its items once.
                        let start = s.location.range.start;
                        if seen.insert((s.location.uri.clone(), start.line, start.character)) {
                            found.push(s);
                        }
                    }
                }
                Ok(WorkspaceSymbolResponse::Flat(found))
            })
        });
        job.await
            .unwrap_or_else(|e| Err(internal(&e.to_string())))
            .map(Some)
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        self.on_tree(
            &params.text_document.uri,
            "foldingRange",
            |tree, file, _| Ok(super::structure::folding_ranges(tree, file)),
        )
        .await
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let at = params.text_document_position;
        let Some(seen) = self.state.seen(&at.text_document.uri) else {
            return Ok(None);
        };
        self.blocking("completion", move |state| {
            let Some(p) = state.placeholder_analysis(&at.text_document.uri, &seen, at.position)?
            else {
                return Ok(None);
            };
            let snippets = state.client_takes_snippets.load(Ordering::SeqCst);
            let response = super::completion::completion(&p, snippets);
            *state
                .last_completion
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(p);
            Ok(Some(response))
        })
        .await
    }

    async fn completion_resolve(&self, item: CompletionItem) -> Result<CompletionItem> {
        self.blocking("completionItem/resolve", move |state| {
            let last = state
                .last_completion
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            Ok(super::completion::resolve(item, last.as_ref()))
        })
        .await
    }

    async fn signature_help(&self, params: SignatureHelpParams) -> Result<Option<SignatureHelp>> {
        let at = params.text_document_position_params;
        let Some(seen) = self.state.seen(&at.text_document.uri) else {
            return Ok(None);
        };
        self.blocking("signatureHelp", move |state| {
            Ok(state
                .placeholder_analysis(&at.text_document.uri, &seen, at.position)?
                .and_then(|p| super::signature_help::signature_help(&p)))
        })
        .await
    }

    async fn formatting(&self, params: DocumentFormattingParams) -> Result<Option<Vec<TextEdit>>> {
        let found = self
            .on_tree(
                &params.text_document.uri,
                "formatting",
                |tree, file, enc| Ok(super::formatting::formatting(tree, file, enc)),
            )
            .await?;
        Ok(found.flatten())
    }

    async fn selection_range(
        &self,
        params: SelectionRangeParams,
    ) -> Result<Option<Vec<SelectionRange>>> {
        let positions = params.positions;
        self.on_tree(
            &params.text_document.uri,
            "selectionRange",
            move |tree, file, enc| super::structure::selection_ranges(tree, file, &positions, enc),
        )
        .await
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let version = doc.version;
        let uri = doc.uri.clone();
        let opened = guard("didOpen", || {
            self.state
                .docs
                .insert(doc.uri, Document::new(&doc.text, version));
            Ok(())
        });
        match opened {
            Ok(()) => self.schedule(uri, version),
            Err(e) => self.warn(e.message.into_owned()).await,
        }
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let uri = params.text_document.uri.clone();
        let version = params.text_document.version;
        let enc = read(&self.state.encoding);
        let applied = guard("didChange", || {
            let Some(mut doc) = self.state.docs.get_mut(&uri) else {
                return Err(Error::invalid_params(format!(
                    "didChange for {}, which is not open",
                    uri.as_str()
                )));
            };
            doc.apply(&changes(&params), version, enc);
            Ok(())
        });
        match applied {
            Ok(()) => self.schedule(uri, version),
            Err(e) => self.warn(e.message.into_owned()).await,
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let mut published = self.state.published.lock().await;
        self.state.docs.remove(&uri);
        self.state.slots.remove(&uri);
        self.state.tokens.remove(&uri);
        self.state.profiles.remove(&uri);
        {
            let mut last = self
                .state
                .last_completion
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if last.as_ref().is_some_and(|p| p.uri == uri) {
                *last = None;
            }
        }
        published.remove(&uri);
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let ward = params
            .settings
            .get("ward")
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        match Settings::from_json(ward) {
            Ok(s) => {
                self.apply_settings(s);
                // Links may have moved: re-check what is open.
                let open: Vec<(Uri, i32)> = self
                    .state
                    .docs
                    .iter()
                    .map(|d| (d.key().clone(), d.version))
                    .collect();
                let mut published = self.state.published.lock().await;
                if self.state.client_refreshes_hints.load(Ordering::SeqCst) {
                    let _ = self.client.inlay_hint_refresh().await;
                }
                for (uri, version) in open {
                    published.remove(&uri);
                    self.schedule(uri, version);
                }
            }
            Err(e) => self.warn(e).await,
        }
    }
}

impl Backend {
    fn apply_settings(&self, settings: Settings) {
        let links = DocLinks::from_source_tree().with_base(settings.diagnostics_docs.clone());
        write(&self.state.links, Arc::new(links));
        write(&self.state.settings, settings);
    }
}

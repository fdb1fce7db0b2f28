//! The language server: the message loop's handlers. Handlers stay short:
//! edits are applied in place, and checking runs on the blocking pool,
//! keyed by the document's version, so typing never waits for the checker.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use dashmap::DashMap;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::{
    Diagnostic, DidChangeConfigurationParams, DidChangeTextDocumentParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, InitializeParams, InitializeResult,
    InitializedParams, MessageType, PositionEncodingKind, Range, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, Uri,
};
use tower_lsp_server::{Client, LanguageServer};
use ward_compiler::diagnostics::{FileId, FileSpan};
use ward_compiler::resolve::SourceLoader;

use super::config::Settings;
use super::document::{Change, Document};
use super::position::Encoding;
use super::to_proto::{self, DocLinks};

/// What every handler and background job shares.
#[derive(Debug)]
pub struct State {
    docs: DashMap<Uri, Document>,
    encoding: RwLock<Encoding>,
    settings: RwLock<Settings>,
    links: RwLock<Arc<DocLinks>>,
    /// The last version whose diagnostics went out, per document; held
    /// while publishing so that versions go out in order.
    published: tokio::sync::Mutex<HashMap<Uri, i32>>,
    /// `shutdown` arrived (the exit status after `exit` depends on it).
    pub shutdown: AtomicBool,
    /// `WARD_LSP_TEST_HOOKS=1`: the `ward/debugPanic` request panics, for
    /// the robustness tests.
    test_hooks: bool,
}

impl Default for State {
    fn default() -> State {
        State {
            docs: DashMap::new(),
            encoding: RwLock::new(Encoding::Utf16),
            settings: RwLock::new(Settings::default()),
            links: RwLock::new(Arc::new(DocLinks::from_source_tree())),
            published: tokio::sync::Mutex::new(HashMap::new()),
            shutdown: AtomicBool::new(false),
            test_hooks: std::env::var("WARD_LSP_TEST_HOOKS").is_ok_and(|v| v == "1"),
        }
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

    async fn warn(&self, message: String) {
        self.client.log_message(MessageType::WARNING, message).await;
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

impl State {
    /// The path a document is analysed under: its file path, or its URI
    /// text for unsaved buffers (whose `mod` declarations find nothing).
    fn path_of(uri: &Uri) -> PathBuf {
        uri.to_file_path()
            .map_or_else(|| PathBuf::from(uri.as_str()), std::borrow::Cow::into_owned)
    }

    /// The diagnostics of `uri` at `version`, or `None` once a newer
    /// version arrived (before or during the check).
    fn diagnose(&self, uri: &Uri, version: i32) -> Option<Vec<Diagnostic>> {
        let text = {
            let doc = self.docs.get(uri)?;
            if doc.version != version {
                return None;
            }
            doc.text()
        };
        let root = State::path_of(uri);
        let loader = Overlay {
            state: self,
            root: &root,
            text: &text,
        };
        let analysis = ward_compiler::analysis::analyze(&root, &loader);
        if self.docs.get(uri).map(|d| d.version) != Some(version) {
            return None;
        }
        let program = &analysis.program;
        let enc = read(&self.encoding);
        let links = read(&self.links);
        let root_file = program.files.iter().position(|f| f.path == root)?;
        let uri_of = |span: FileSpan| -> Option<(Uri, Range)> {
            if span.file == program.std_file {
                return None;
            }
            let file = program.files.get(span.file.0 as usize)?;
            let u = if span.file.0 as usize == root_file {
                uri.clone()
            } else {
                Uri::from_file_path(&file.path)?
            };
            let (start, end) = (span.span.start as usize, span.span.end as usize);
            Some((u, to_proto::range(file, start, end, enc)))
        };
        let root_id = FileId(u32::try_from(root_file).ok()?);
        Some(
            analysis
                .diagnostics
                .iter()
                .filter(|d| d.span.file == root_id)
                .map(|d| to_proto::diagnostic(d, &program.files[root_file], enc, &uri_of, &links))
                .collect(),
        )
    }
}

/// Files for the checker: open documents' texts first, then the disk.
struct Overlay<'a> {
    state: &'a State,
    root: &'a Path,
    text: &'a str,
}

impl SourceLoader for Overlay<'_> {
    fn load(&self, path: &Path) -> Option<String> {
        if path == self.root {
            return Some(self.text.to_string());
        }
        if let Some(doc) = Uri::from_file_path(path).and_then(|u| self.state.docs.get(&u)) {
            return Some(doc.text());
        }
        std::fs::read_to_string(path).ok()
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

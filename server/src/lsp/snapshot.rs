//! A document's analysis at one version, shared by diagnostics and every
//! request. Computed at most once per version (later callers wait for the
//! one computing it), with the borrow checker's per-function cache kept
//! across versions so that an edit inside one function re-checks it alone.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{Location, Position, Range, Uri};
use ward_compiler::analysis::analyze_names_and_types;
use ward_compiler::analysis::{Analysis, Options, analyze_until};
use ward_compiler::diagnostics::{FileId, Span};
use ward_compiler::ide::Index;
use ward_compiler::ide::completion::with_placeholder;
use ward_compiler::incremental::Incremental;
use ward_compiler::resolve::{SourceFile, SourceLoader};

use super::from_proto;
use super::position::Encoding;
use super::server::State;
use super::to_proto;

/// What the checker knows about one version of a document.
#[derive(Debug)]
pub struct Snapshot {
    pub uri: Uri,
    pub version: i32,
    pub analysis: Analysis,
    /// Every name and its target: built on the first request that needs
    /// it, not for the diagnostics of every version.
    index: std::sync::OnceLock<Index>,
    /// The document's own file in the analysed program.
    pub file: FileId,
    pub enc: Encoding,
}

/// A document analysed with the completion placeholder at `offset`.
#[derive(Debug, Clone)]
pub struct Placeholder {
    pub uri: Uri,
    pub version: i32,
    pub analysis: Arc<Analysis>,
    pub file: FileId,
    pub offset: u32,
    pub enc: Encoding,
}

impl Placeholder {
    /// A span of the analysed text before the placeholder, as a range of
    /// the document (the two agree up to the cursor).
    pub fn range(&self, span: Span) -> Range {
        let source = self.analysis.program.file(self.file);
        to_proto::range(source, span.start as usize, span.end as usize, self.enc)
    }
}

/// Per open document: the latest snapshot and what its analysis keeps for
/// the next version's.
#[derive(Debug, Default)]
pub struct Slot {
    snapshot: Option<Arc<Snapshot>>,
    incremental: Incremental,
}

pub type SharedSlot = Arc<Mutex<Slot>>;

impl Snapshot {
    pub fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::build(&self.analysis))
    }

    pub fn source(&self) -> &SourceFile {
        self.analysis.program.file(self.file)
    }

    pub fn offset(&self, pos: Position) -> Result<u32> {
        from_proto::offset(self.source(), pos, self.enc)
    }

    /// A span of the document's own file.
    pub fn range(&self, span: Span) -> Range {
        to_proto::range(
            self.source(),
            span.start as usize,
            span.end as usize,
            self.enc,
        )
    }

    /// Where a span of any user file of the program is, or `None` for the
    /// standard library (which has no file to open).
    pub fn location(&self, file: FileId, span: Span) -> Option<Location> {
        let program = &self.analysis.program;
        if file == program.std_file {
            return None;
        }
        let source = program.files.get(file.0 as usize)?;
        let uri = if file == self.file {
            self.uri.clone()
        } else {
            Uri::from_file_path(&source.path)?
        };
        let range = to_proto::range(source, span.start as usize, span.end as usize, self.enc);
        Some(Location::new(uri, range))
    }
}

/// The path a document is analysed under: its file path, or its URI text
/// for unsaved buffers (whose `mod` declarations find nothing).
pub fn path_of(uri: &Uri) -> PathBuf {
    uri.to_file_path()
        .map_or_else(|| PathBuf::from(uri.as_str()), std::borrow::Cow::into_owned)
}

/// A document as a request found it when the request arrived: requests
/// are answered against that text, whatever changes arrive after them
/// while they wait for the blocking pool (a rope clone shares the text).
#[derive(Debug, Clone)]
pub struct Seen {
    pub version: i32,
    pub rope: ropey::Rope,
    /// The document's syntax tree at that version (a clone shares it).
    pub tree: tree_sitter::Tree,
}

impl State {
    /// The document as it is now (`None` when it is not open). Cheap: call
    /// it where the request arrives, before any `await`.
    pub fn seen(&self, uri: &Uri) -> Option<Seen> {
        self.docs.get(uri).map(|d| Seen {
            version: d.version,
            rope: d.rope.clone(),
            tree: d.tree.clone(),
        })
    }

    /// The snapshot of the document's current version, computing it if
    /// needed; `None` when the document is not open. Blocks: call it on
    /// the blocking pool.
    pub fn snapshot(&self, uri: &Uri) -> Option<Arc<Snapshot>> {
        let seen = self.seen(uri)?;
        self.snapshot_at(uri, &seen)
    }

    /// The snapshot of the document at the version a request saw,
    /// computing it if needed (and keeping it as the document's snapshot
    /// unless a newer one is kept already); `None` when the document is not
    /// open. Blocks: call it on the blocking pool.
    pub fn snapshot_at(&self, uri: &Uri, seen: &Seen) -> Option<Arc<Snapshot>> {
        self.snapshot_until(uri, seen, &|| false)
    }

    /// The snapshot of the document's current version for its
    /// diagnostics: `None` as soon as a newer version arrives (the check
    /// stops at the next function body; the newer version's check
    /// publishes instead). Requests are never cancelled this way: they
    /// are answered at the version they arrived after.
    pub fn snapshot_for_diagnostics(&self, uri: &Uri, version: i32) -> Option<Arc<Snapshot>> {
        let seen = self.seen(uri)?;
        if seen.version != version {
            return None;
        }
        let replaced = || self.docs.get(uri).is_none_or(|d| d.version != version);
        self.snapshot_until(uri, &seen, &replaced)
    }

    fn snapshot_until(
        &self,
        uri: &Uri,
        seen: &Seen,
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Option<Arc<Snapshot>> {
        let slot = self.slot(uri)?;
        let mut slot = slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(s) = &slot.snapshot
            && s.version == seen.version
        {
            return Some(s.clone());
        }
        // A newer version replaces the snapshot: the old one is let go
        // before the analysis instead of after it, so two analyses of the
        // document are not held at once (requests that still use it hold
        // their own reference), and results the cache shares with it move
        // in place instead of being copied.
        if slot
            .snapshot
            .as_ref()
            .is_some_and(|s| s.version < seen.version)
        {
            free_elsewhere(slot.snapshot.take());
        }
        let text = seen.rope.to_string();
        let root = path_of(uri);
        let loader = Overlay {
            state: self,
            root: &root,
            text: &text,
            tree: Some(&seen.tree),
        };
        let analysis = analyze_until(
            &root,
            &loader,
            Options { facts: true },
            &mut slot.incremental,
            cancelled,
        )?;
        let file = analysis.program.files.iter().position(|f| f.path == root)?;
        let snapshot = Arc::new(Snapshot {
            uri: uri.clone(),
            version: seen.version,
            analysis,
            index: std::sync::OnceLock::new(),
            file: FileId(u32::try_from(file).ok()?),
            enc: self.encoding(),
        });
        if slot
            .snapshot
            .as_ref()
            .is_none_or(|s| s.version < seen.version)
        {
            free_elsewhere(slot.snapshot.replace(snapshot.clone()));
        }
        Some(snapshot)
    }

    /// The document at the version a request saw, analysed (names and
    /// types only) with the completion placeholder at `pos`: what
    /// completion and signature help read.
    pub fn placeholder_analysis(
        &self,
        uri: &Uri,
        seen: &Seen,
        pos: Position,
    ) -> Result<Option<Placeholder>> {
        let (version, text) = (seen.version, seen.rope.to_string());
        let root = path_of(uri);
        let enc = self.encoding();
        let offset = from_proto::offset(&SourceFile::new(root.clone(), text.clone()), pos, enc)?;
        let text = with_placeholder(&text, offset as usize);
        let loader = Overlay {
            state: self,
            root: &root,
            text: &text,
            tree: None,
        };
        let analysis = analyze_names_and_types(&root, &loader, Some(offset));
        let Some(file) = analysis.program.files.iter().position(|f| f.path == root) else {
            return Ok(None);
        };
        Ok(Some(Placeholder {
            uri: uri.clone(),
            version,
            analysis: Arc::new(analysis),
            file: FileId(u32::try_from(file).unwrap_or(0)),
            offset,
            enc,
        }))
    }

    fn slot(&self, uri: &Uri) -> Option<SharedSlot> {
        if !self.docs.contains_key(uri) {
            return None;
        }
        Some(self.slots.entry(uri.clone()).or_default().clone())
    }
}

/// Files for the checker: open documents' texts first, then the disk.
struct Overlay<'a> {
    state: &'a State,
    root: &'a Path,
    text: &'a str,
    /// The root document's tree for `text`, when it has one.
    tree: Option<&'a tree_sitter::Tree>,
}

impl SourceLoader for Overlay<'_> {
    fn load(&self, path: &Path) -> std::result::Result<String, ward_compiler::resolve::LoadError> {
        if path == self.root {
            return Ok(self.text.to_string());
        }
        if let Some(doc) = Uri::from_file_path(path).and_then(|u| self.state.docs.get(&u)) {
            return Ok(doc.text());
        }
        ward_compiler::resolve::read_source_file(path)
    }

    fn tree(&self, path: &Path) -> Option<tree_sitter::Tree> {
        self.tree.filter(|_| path == self.root).cloned()
    }

    /// The path dependencies of the project the document is in (a broken
    /// manifest gives none: `ward check` reports it).
    fn packages(&self) -> Vec<ward_compiler::resolve::Package> {
        crate::project::packages_for_file(self.root)
            .map(|(_, packages)| packages)
            .unwrap_or_default()
    }
}

/// Lets go of a replaced snapshot on a thread of its own: freeing a large
/// program's analysis takes milliseconds, which the next version's
/// diagnostics should not wait for. Without a thread, it is freed here.
fn free_elsewhere(old: Option<Arc<Snapshot>>) {
    if let Some(old) = old {
        let _ = std::thread::Builder::new()
            .name("ward-free".into())
            .spawn(move || {
                drop(old);
                ward_runtime::heap::accounting::release_free_memory();
            });
    }
}

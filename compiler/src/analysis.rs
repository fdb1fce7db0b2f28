//! The one entry point of the front end: a root file (and the files its
//! `mod` declarations reach) in, a resolved and typed program with its
//! diagnostics out. The command line and the language server both call
//! [`analyze`]; only the [`SourceLoader`] differs.

use crate::diagnostics::{self, Diagnostic, codes};
pub use crate::incremental::Incremental;
use crate::resolve::{self, Program, SourceLoader};
use crate::types::{self, TypedProgram};
use std::path::Path;

/// Everything known about a program.
#[derive(Debug)]
pub struct Analysis {
    pub program: Program,
    pub typed: TypedProgram,
    /// What the borrow checker learnt about each function (shared with
    /// the cache of an incremental analysis).
    pub facts: Vec<std::sync::Arc<crate::borrowck::FnFacts>>,
    /// Each function's capabilities: declared, inferred, and why.
    pub caps: crate::caps::Caps,
    /// Zones and their bounds, and what real-time code may not do.
    pub realtime: crate::realtime::Realtime,
    /// Every diagnostic, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
}

// The language server shares finished analyses between threads.
const _: () = {
    const fn send_sync<T: Send + Sync>() {}
    send_sync::<Analysis>();
};

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parses, resolves, type-checks and borrow-checks the program rooted at
/// `root`.
pub fn analyze(root: &Path, loader: &dyn SourceLoader) -> Analysis {
    analyze_with(root, loader, Options::default())
}

/// What an analysis computes beyond the diagnostics.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// The borrow checker's editor facts for every function (ownership
    /// states, loan live ranges), for `--dump-facts` and the server.
    pub facts: bool,
}

/// [`analyze`] with options.
pub fn analyze_with(root: &Path, loader: &dyn SourceLoader, options: Options) -> Analysis {
    // A one-shot analysis keeps nothing for later: no keys, no caches.
    run(root, loader, options, None, &|| false)
        .unwrap_or_else(|| unreachable!("an analysis that is never cancelled finishes"))
}

/// [`analyze_with`], reusing what earlier analyses of the same program
/// found for the parts an edit did not change (the language server keeps
/// one [`Incremental`] per open document; see `crate::incremental`).
pub fn analyze_cached(
    root: &Path,
    loader: &dyn SourceLoader,
    options: Options,
    incremental: &mut Incremental,
) -> Analysis {
    analyze_until(root, loader, options, incremental, &|| false)
        .unwrap_or_else(|| unreachable!("an analysis that is never cancelled finishes"))
}

/// [`analyze_cached`] that gives up (`None`) at the next function body
/// (type checking or borrow checking) once `cancelled` says so: the
/// language server's check of a version that a newer one has replaced.
pub fn analyze_until(
    root: &Path,
    loader: &dyn SourceLoader,
    options: Options,
    incremental: &mut Incremental,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Analysis> {
    run(root, loader, options, Some(incremental), cancelled)
}

/// The analysis, with the caches of `incremental` when there are any.
fn run(
    root: &Path,
    loader: &dyn SourceLoader,
    options: Options,
    mut incremental: Option<&mut Incremental>,
    cancelled: &(dyn Fn() -> bool + Sync),
) -> Option<Analysis> {
    let mut program = resolve::build_cached(
        root,
        loader,
        incremental.as_deref_mut().map(|i| &mut i.lowered),
    );
    if cancelled() {
        return None;
    }
    let keys = if incremental.is_some() {
        crate::incremental::body_keys(&program)
    } else {
        crate::incremental::BodyKeys::new()
    };
    let mut fresh = Incremental::default();
    let incremental = incremental.unwrap_or(&mut fresh);
    let typed =
        types::check_program_cached(&program, &|_| !cancelled(), &keys, &mut incremental.typed);
    if cancelled() {
        return None;
    }
    let mut all = std::mem::take(&mut program.diagnostics);
    all.extend(typed.diagnostics.iter().cloned());
    all.extend(unused_imports(&program));
    let mut caps = crate::caps::check_program(&program, &typed);
    all.append(&mut caps.diagnostics);
    let mut realtime = crate::realtime::check_program(&program, &typed);
    all.append(&mut realtime.diagnostics);
    let borrowck = crate::borrowck::check_program_until(
        &program,
        &typed,
        &all,
        options.facts,
        &keys,
        &mut incremental.borrowck,
        cancelled,
    )?;
    all.extend(borrowck.diagnostics);
    // Diagnostics about the standard library's own text would be a bug in
    // the table; they are kept (and a test asserts there are none).
    diagnostics::drop_repaired(&mut all);
    diagnostics::sort_and_dedup(&mut all);
    Some(Analysis {
        program,
        typed,
        facts: borrowck.facts,
        caps,
        realtime,
        diagnostics: all,
    })
}

fn unused_imports(program: &Program) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for m in program.user_modules() {
        for entry in &program.module(m).imports {
            if entry.used.load(std::sync::atomic::Ordering::Relaxed)
                || !entry.resolved
                || entry.is_pub
            {
                continue;
            }
            let name = entry
                .import
                .binding()
                .map_or_else(|| "*".to_string(), |b| b.text.clone());
            let what = if entry.import.glob {
                format!("unused import: `{}::*`", path_text(&entry.import.path))
            } else {
                format!("unused import: `{name}`")
            };
            out.push(
                Diagnostic::warning(
                    codes::UNUSED_IMPORT,
                    diagnostics::FileSpan::new(entry.file, entry.import.span),
                    what,
                )
                .with_label("never used in this module")
                .unnecessary(),
            );
        }
    }
    out
}

fn path_text(path: &[crate::syntax::ast::Name]) -> String {
    path.iter()
        .map(|n| n.text.as_str())
        .collect::<Vec<_>>()
        .join("::")
}

/// Resolves and type-checks only, without the borrow checker: what
/// completion and signature help need, at a fraction of the cost. With
/// `focus` (a byte offset in the root file) only the bodies of the
/// functions around it are checked. The diagnostics are left out (they
/// belong to the full analysis).
pub fn analyze_names_and_types(
    root: &Path,
    loader: &dyn SourceLoader,
    focus: Option<u32>,
) -> Analysis {
    let program = resolve::build(root, loader);
    let root_file = program
        .files
        .iter()
        .position(|f| f.path == root)
        .and_then(|i| u32::try_from(i).ok())
        .map(crate::diagnostics::FileId);
    let keep = |id: resolve::DefId| {
        let def = program.def(id);
        focus.is_none_or(|at| {
            Some(def.file) == root_file && def.span.start <= at && at <= def.span.end
        })
    };
    let typed = types::check_program_where(&program, &keep);
    Analysis {
        program,
        typed,
        facts: Vec::new(),
        caps: crate::caps::Caps::default(),
        realtime: crate::realtime::Realtime::default(),
        diagnostics: Vec::new(),
    }
}

/// A loader over an in-memory map of files, falling back to nothing: for
/// tests and the language server's open buffers.
#[derive(Debug, Default)]
pub struct MemoryLoader {
    pub files: std::collections::HashMap<std::path::PathBuf, String>,
}

impl SourceLoader for MemoryLoader {
    fn load(&self, path: &Path) -> Result<String, crate::resolve::LoadError> {
        self.files
            .get(path)
            .cloned()
            .ok_or(crate::resolve::LoadError::NotFound)
    }
}

/// Analyzes a single in-memory file (its `mod` declarations find nothing).
pub fn analyze_text(name: &str, text: &str) -> Analysis {
    let mut loader = MemoryLoader::default();
    loader.files.insert(name.into(), text.to_string());
    analyze(Path::new(name), &loader)
}

//! The Ward compiler: source text in, a checked program (and later bytecode)
//! or diagnostics out.
//!
//! The stages, in the order data flows through them:
//! [`syntax`] (tree-sitter tree to AST), [`resolve`] (names, modules,
//! imports), [`types`] (inference and checking). [`analysis`] is the one
//! entry point the command line and the language server call;
//! [`diagnostics`] is what every stage reports in.

/// Hash maps and sets keyed by the compiler's own ids, locations and
/// names: rustc's `FxHash`, several times cheaper than the default `SipHash`
/// on such small keys (the maps are built and probed on every analysis).
pub type FxHashMap<K, V> = rustc_hash::FxHashMap<K, V>;
/// See [`FxHashMap`].
pub type FxHashSet<T> = rustc_hash::FxHashSet<T>;

pub mod analysis;
pub mod borrowck;
pub mod caps;
pub mod codegen;
pub mod diagnostics;
pub mod doc;
pub mod format;
pub mod ide;
pub mod incremental;
pub mod mir;
pub mod parallel;
pub mod realtime;
pub mod resolve;
pub mod syntax;
pub mod types;

/// Stack size for a thread that analyses (or formats) source text. The
/// passes walk the AST recursively; lowering caps nesting at
/// [`syntax::MAX_NESTING`] levels (W0002), and this stack holds that depth
/// in every pass, in debug builds too. It is address space, not memory:
/// only the pages a deep input touches become resident.
pub const ANALYSIS_STACK: usize = 512 << 20;

/// Runs `f` on a thread with an [`ANALYSIS_STACK`]-sized stack and returns
/// its result (inline if no such thread can be made). A panic in `f` is
/// resumed on the caller's thread.
pub fn with_analysis_stack<T: Send, F: FnOnce() -> T + Send>(f: F) -> T {
    let mut job = Some(f);
    let ran = std::thread::scope(|scope| {
        let job = &mut job;
        std::thread::Builder::new()
            .name("ward-analysis".into())
            .stack_size(ANALYSIS_STACK)
            .spawn_scoped(scope, move || job.take().map(|f| f()))
            .ok()
            .and_then(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
    });
    match (ran, job.take()) {
        (Some(value), _) => value,
        // The thread could not be made: the job is still here.
        (None, Some(f)) => f(),
        (None, None) => unreachable!("a job that ran returned its value"),
    }
}

//! `ward lsp`: the language server over stdio. Only this module knows
//! LSP; protocol types are converted in `to_proto` and `position`.

mod code_actions;
mod code_lens;
mod completion;
mod config;
mod diagnostics;
mod document;
mod formatting;
mod from_proto;
mod goto;
mod hover;
mod inlay_hints;
mod position;
mod references;
mod rename;
mod run;
mod semantic_tokens;
mod server;
mod signature_help;
mod snapshot;
mod structure;
mod symbols;
mod to_proto;
mod transport;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tower_lsp_server::{LspService, Server};

/// Serves on stdin/stdout until `exit`. The status is 0 when `shutdown`
/// came first, 1 otherwise (as the protocol asks).
pub fn run() -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        // Checks run on the blocking pool: a few threads, so that freed
        // analysis memory is reused rather than parked in many threads'
        // allocator caches (and stale checks are skipped, not queued up).
        // Two more than the analyses' two: tokio's stdin and stdout each
        // hold a blocking thread while they wait, and with only two a
        // request queued behind a long check (the protocol test
        // `a_slow_analysis_does_not_hold_up_other_requests` caught it).
        .max_blocking_threads(4)
        // Idle analysis threads end soon, so that what they allocated and
        // the documents' closing freed is released with them.
        .thread_keep_alive(std::time::Duration::from_secs(1))
        .on_thread_park(ward_runtime::heap::accounting::release_free_memory)
        .on_thread_stop(ward_runtime::heap::accounting::release_free_memory)
        // Analyses walk syntax trees recursively, up to the compiler's
        // nesting limit.
        .thread_stack_size(ward_compiler::ANALYSIS_STACK)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the server's runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let state = Arc::new(server::State::default());
    let shared = state.clone();
    runtime.block_on(async move {
        let (service, socket) = LspService::build(|client| server::Backend::new(client, shared))
            .custom_method("ward/debugPanic", server::Backend::debug_panic)
            .custom_method("ward/cancelRun", server::Backend::cancel_run)
            .custom_method("ward/syntaxTree", server::Backend::syntax_tree)
            .finish();
        let (input, output) = transport::spawn();
        Server::new(input, output, socket).serve(service).await;
    });
    // Analyses still running on the blocking pool are abandoned.
    runtime.shutdown_background();
    if state.shutdown.load(Ordering::SeqCst) {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

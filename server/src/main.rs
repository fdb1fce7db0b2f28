//! `ward`: the one binary of the Ward toolchain. Each subcommand lives in
//! `cli/`; this file only parses the command line and dispatches.

mod cli;
mod lsp;
mod project;

use std::process::ExitCode;

fn main() -> ExitCode {
    use_one_allocator();
    // Every subcommand walks syntax trees recursively: give it the stack
    // the compiler's nesting limit is sized for.
    ward_compiler::with_analysis_stack(cli::run)
}

/// Tree-sitter's C code allocates through the same mimalloc as the Rust
/// side (see `ward_runtime::heap::accounting::CHeap`), so that a closed
/// document's tree is released with the rest of it.
fn use_one_allocator() {
    if let Some(heap) = ward_runtime::heap::accounting::c_heap() {
        // SAFETY: called first thing in `main`, on the only thread, before
        // any tree-sitter object exists; the four functions are one family
        // (mimalloc's), return memory aligned as `malloc`'s, and abort
        // rather than return null.
        unsafe {
            tree_sitter::set_allocator(Some(tree_sitter::Allocator {
                malloc: heap.malloc,
                calloc: heap.calloc,
                realloc: heap.realloc,
                free: heap.free,
            }));
        }
    }
}

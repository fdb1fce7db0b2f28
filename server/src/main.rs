//! `ward`: the one binary of the Ward toolchain. Each subcommand lives in
//! `cli/`; this file only parses the command line and dispatches.

mod cli;
mod lsp;

use std::process::ExitCode;

fn main() -> ExitCode {
    // Every subcommand walks syntax trees recursively: give it the stack
    // the compiler's nesting limit is sized for.
    ward_compiler::with_analysis_stack(cli::run)
}

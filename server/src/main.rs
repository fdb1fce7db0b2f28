//! `ward`: the one binary of the Ward toolchain. Each subcommand lives in
//! `cli/`; this file only parses the command line and dispatches.

mod cli;
mod lsp;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::run()
}

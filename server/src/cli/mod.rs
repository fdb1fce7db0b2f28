//! The command line: argument parsing with clap and one module per
//! subcommand. Exit statuses are the ones in the language reference:
//! 0 success, 1 errors in the program, 2 usage errors, 101 an uncaught
//! panic.

mod check;
mod color;
mod excerpt;
mod fmt;
mod parse;
mod run;
mod suggestion;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;

/// The Ward toolchain.
#[derive(Debug, Parser)]
#[command(name = "ward", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colour diagnostics: `auto` (on a terminal, unless `NO_COLOR` is
    /// set), `always` or `never`.
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value = "auto"
    )]
    color: color::When,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Print the syntax tree of a file as an S-expression and report syntax errors.
    Parse {
        /// The `.ward` file to parse.
        file: PathBuf,
    },
    /// Resolve names and check types; report diagnostics with source snippets.
    Check {
        /// The root `.ward` file of each program to check.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// How to print diagnostics.
        #[arg(long, value_enum, default_value = "human")]
        format: check::Format,
        /// Print the MIR (control-flow graph) of every function on stdout.
        #[arg(long)]
        dump_mir: bool,
        /// Print what the borrow checker learnt about every function (moves,
        /// drops, loan live ranges, elided lifetimes, ownership states).
        #[arg(long)]
        dump_facts: bool,
    },
    /// Check, compile and run a program (exit 101 on an uncaught panic).
    Run {
        /// The root `.ward` file of the program.
        file: PathBuf,
        /// Print the compiled form instead of running it.
        #[arg(long, value_enum)]
        emit: Option<run::Emit>,
        /// At exit, print the collector's figures as one JSON object on the
        /// last line of stderr.
        #[arg(long)]
        gc_stats: bool,
        /// Stop the program after this many milliseconds: it ends as a
        /// panic ("time limit reached", exit status 101) with its output
        /// so far printed.
        #[arg(long, value_name = "MS")]
        timeout: Option<u64>,
        /// Stop the program as a panic ("heap budget exhausted", exit
        /// status 101) when it holds more memory than this: bytes, or a
        /// number with K, M or G. Default: a quarter of the machine's memory.
        #[arg(long, value_name = "SIZE", value_parser = ward_runtime::embed::parse_size)]
        max_heap: Option<usize>,
        /// Worker threads for a program that starts tasks (default: one per
        /// core, or `WARD_WORKERS`).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        workers: Option<u16>,
        #[command(flatten)]
        allow: Allow,
        /// Arguments for the program, after `--`.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Check and compile a program to verified bytecode for `ward-vm`, the
    /// runtime-only binary for edge devices.
    Build {
        /// The root `.ward` file of the program.
        file: PathBuf,
        /// Where to write the bytecode.
        #[arg(short, long, value_name = "OUT", default_value = "app.wbc")]
        output: PathBuf,
    },
    /// Run the `#[test]` functions of a program, each isolated from the others' panics.
    Test {
        /// The root `.ward` file of the program.
        file: PathBuf,
        #[command(flatten)]
        allow: Allow,
    },
    /// Format files in place (only whitespace changes; comments are kept).
    Fmt {
        /// The `.ward` files to format.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Change nothing: print what would change and exit 1 if anything would.
        #[arg(long)]
        check: bool,
    },
    /// Serve the Language Server Protocol on stdin/stdout (for editors).
    Lsp {
        /// Accepted and ignored: stdio is the only transport, and clients
        /// such as vscode-languageclient pass this flag.
        #[arg(long)]
        stdio: bool,
    },
}

/// The capabilities a run grants `main` (or each test): nothing unless
/// told.
#[derive(Debug, Clone, clap::Args)]
struct Allow {
    /// Grant capabilities: `fs,clock`; scoped as `fs=DIR` (files inside
    /// DIR only, after `..` and symbolic links are resolved) or
    /// `net=HOST[:PORT]`. Repeatable; the capabilities are fs, net, proc,
    /// clock, device and env.
    #[arg(long, value_name = "CAPS", value_parser = ward_runtime::caps::Grant::parse)]
    allow: Vec<ward_runtime::caps::Grant>,
    /// Grant every capability, unscoped.
    #[arg(long)]
    allow_all: bool,
}

impl Allow {
    fn grant(self) -> ward_runtime::caps::Grant {
        if self.allow_all {
            return ward_runtime::caps::Grant::all();
        }
        let mut grant = ward_runtime::caps::Grant::none();
        for g in self.allow {
            grant.merge(g);
        }
        grant
    }
}

/// Exit statuses shared by every subcommand.
pub(crate) mod status {
    pub use ward_runtime::cli::status::{OK, PROGRAM_ERRORS, USAGE};
}

pub fn run() -> ExitCode {
    let cli = Cli::parse();
    color::set(cli.color);
    let code = match cli.command {
        Command::Parse { file } => parse::run(&file),
        Command::Check {
            files,
            format,
            dump_mir,
            dump_facts,
        } => check::run(
            &files,
            format,
            check::Dumps {
                mir: dump_mir,
                facts: dump_facts,
            },
        ),
        Command::Run {
            file,
            emit,
            gc_stats,
            timeout,
            max_heap,
            workers,
            allow,
            args,
        } => run::run(
            &file,
            emit,
            &run::RunFlags {
                grant: allow.grant(),
                timeout_ms: timeout,
                max_heap,
                workers: workers.map(usize::from),
                gc_stats,
                args,
            },
        ),
        Command::Build { file, output } => run::build(&file, &output),
        Command::Test { file, allow } => run::test(&file, &allow.grant()),
        Command::Fmt { files, check } => fmt::run(&files, check),
        Command::Lsp { stdio: _ } => return crate::lsp::run(),
    };
    ExitCode::from(code)
}

/// A loader that gives the text the command line already read for the root
/// file (once: the analysis reads each file once) and reads every other
/// file from disk, so a long program is not read and held twice.
pub(crate) struct ReadRoot {
    path: std::path::PathBuf,
    text: std::sync::Mutex<Option<String>>,
}

impl ReadRoot {
    pub(crate) fn new(path: &std::path::Path, text: String) -> ReadRoot {
        ReadRoot {
            path: path.to_path_buf(),
            text: std::sync::Mutex::new(Some(text)),
        }
    }
}

impl ward_compiler::resolve::SourceLoader for ReadRoot {
    fn load(&self, path: &std::path::Path) -> Result<String, ward_compiler::resolve::LoadError> {
        let read = if path == self.path {
            self.text.lock().ok().and_then(|mut text| text.take())
        } else {
            None
        };
        read.map_or_else(|| ward_compiler::resolve::read_source_file(path), Ok)
    }
}

/// Reads a source file, or says why not (on stderr) with the usage status.
pub(crate) fn read_source(path: &std::path::Path) -> Result<String, u8> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(text),
            Err(error) => {
                eprintln!(
                    "error: {} is not UTF-8 text (invalid byte at offset {})",
                    path.display(),
                    error.utf8_error().valid_up_to()
                );
                Err(status::PROGRAM_ERRORS)
            }
        },
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", path.display());
            Err(status::USAGE)
        }
    }
}

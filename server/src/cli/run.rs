//! `ward run FILE [-- ARGS]` and `ward test FILE`: check the program,
//! compile it to bytecode and run it through the embedding API
//! (`embed::Host`, as the editor's Run lens does), output going straight
//! to this process's streams. An uncaught panic prints
//! its message, the source line with a caret and a backtrace, and exits
//! with 101; `main` returning `Err` prints the error chain and exits with 1.
//! `--gc-stats` adds the collector's figures as the last line of stderr;
//! `--timeout MS` stops the run as a panic when the time is up, and
//! `--max-heap SIZE` when the program holds more memory than that (by
//! default a quarter of the machine's); `--workers N` sets the scheduler's
//! threads for a program that starts tasks. `--allow CAPS` grants capabilities:
//! a program whose `main` needs one not granted does not start (exit 1,
//! naming what is missing and the flag to pass).

use super::status;
use std::path::Path;
use std::time::Duration;
use ward_compiler::codegen::Compiled;
use ward_runtime::caps::{CapSet, Grant};
use ward_runtime::embed::{Host, Outcome, Output, RunOptions, default_heap_budget, run_program};
use ward_runtime::error::render_panic;
use ward_runtime::vm::Program;

/// Exit status of a run that panicked.
pub const PANICKED: u8 = 101;

/// What to print instead of running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// The disassembled bytecode.
    Bytecode,
}

/// Checks and compiles a program; on failure reports and returns the exit
/// status.
fn compile(file: &Path) -> Result<Compiled, u8> {
    let text = super::read_source(file)?;
    let analysis = ward_compiler::analysis::analyze(file, &super::ReadRoot::new(file, text));
    if analysis.has_errors() {
        super::check::render_human(&analysis, file);
        return Err(status::PROGRAM_ERRORS);
    }
    ward_compiler::codegen::compile(&analysis.program, &analysis.typed).map_err(|e| {
        eprintln!("error: cannot compile {}: {e}", file.display());
        status::PROGRAM_ERRORS
    })
}

fn prepare(host: &Host, compiled: Compiled) -> Result<Program, u8> {
    host.load(compiled.module).map_err(|e| {
        eprintln!("error: {e}");
        status::PROGRAM_ERRORS
    })
}

fn read_file(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// What bounds a run besides the program itself.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunLimits {
    /// `--timeout MS`.
    pub timeout_ms: Option<u64>,
    /// `--max-heap SIZE` (default: [`ward_runtime::embed::default_heap_budget`]).
    pub max_heap: Option<usize>,
    /// `--workers N`: the scheduler's threads for a program with tasks.
    pub workers: Option<usize>,
}

impl RunLimits {
    /// Options for a run whose output goes to this process's streams.
    fn options(self, grant: &Grant) -> RunOptions {
        RunOptions {
            grant: grant.clone(),
            timeout: self.timeout_ms.map(Duration::from_millis),
            max_heap_bytes: ward_runtime::heap::accounting::ENABLED
                .then(|| self.max_heap.unwrap_or_else(default_heap_budget)),
            output: Output::Inherit,
            workers: self.workers,
            ..RunOptions::default()
        }
    }
}

pub fn run(
    file: &Path,
    emit: Option<Emit>,
    gc_stats: bool,
    limits: RunLimits,
    grant: &Grant,
    args: &[String],
) -> u8 {
    let compiled = match compile(file) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if emit == Some(Emit::Bytecode) {
        print!(
            "{}",
            ward_runtime::bytecode::disasm::disassemble(&compiled.module)
        );
        return status::OK;
    }
    if compiled.module.entry.is_none() {
        eprintln!("error: {} has no `fn main`", file.display());
        return status::PROGRAM_ERRORS;
    }
    let host = Host::new();
    let program = match prepare(&host, compiled) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let options = RunOptions {
        args: args.to_vec(),
        ..limits.options(grant)
    };
    let out = match run_program(&program, &options) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("error: {e}");
            return status::PROGRAM_ERRORS;
        }
    };
    let code = report_outcome(&out.outcome);
    if gc_stats {
        eprintln!("{}", out.gc.to_json());
    }
    code
}

/// How a run ended, on stderr, and the exit status: an uncaught panic
/// with its source line and backtrace (101), `main` returning `Err(e)`
/// with the error chain (1).
fn report_outcome(outcome: &Outcome) -> u8 {
    match outcome {
        Outcome::Finished => status::OK,
        Outcome::Failed(text) => {
            eprintln!("error: {text}");
            status::PROGRAM_ERRORS
        }
        Outcome::Panicked(panic) => {
            eprint!("{}", render_panic(panic, &read_file));
            PANICKED
        }
        Outcome::NotGranted(missing) => {
            eprint!("{}", not_granted("`main`", *missing));
            status::PROGRAM_ERRORS
        }
    }
}

/// Why a run did not start: what `who` needs that was not granted, and
/// the flag that grants it.
fn not_granted(who: &str, missing: CapSet) -> String {
    format!(
        "error: {}\nhelp: run again with `--allow {}`\n",
        ward_runtime::caps::not_granted(who, missing),
        missing.flag_list()
    )
}

pub fn test(file: &Path, grant: &Grant) -> u8 {
    let compiled = match compile(file) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let tests = compiled.tests.clone();
    let host = Host::new();
    let program = match prepare(&host, compiled) {
        Ok(p) => p,
        Err(code) => return code,
    };
    println!(
        "running {} test{}",
        tests.len(),
        if tests.len() == 1 { "" } else { "s" }
    );
    let (mut passed, mut failed) = (0, 0);
    let mut failures = Vec::new();
    for (name, f) in &tests {
        let options = RunOptions {
            function: Some(program.function_name(*f).to_string()),
            ..RunLimits::default().options(grant)
        };
        let outcome = match run_program(&program, &options) {
            Ok(out) => out.outcome,
            Err(e) => {
                eprintln!("error: {e}");
                return status::PROGRAM_ERRORS;
            }
        };
        match outcome {
            // A test returning `Err` fails as a panic would.
            Outcome::Finished => {
                passed += 1;
                println!("test {name} ... ok");
            }
            Outcome::Failed(text) => {
                failed += 1;
                println!("test {name} ... FAILED");
                failures.push((name.clone(), format!("error: {text}\n")));
            }
            Outcome::Panicked(panic) => {
                failed += 1;
                println!("test {name} ... FAILED");
                failures.push((name.clone(), render_panic(&panic, &read_file)));
            }
            Outcome::NotGranted(missing) => {
                failed += 1;
                println!("test {name} ... FAILED");
                failures.push((name.clone(), not_granted("this test", missing)));
            }
        }
    }
    for (name, report) in &failures {
        println!("\n---- {name} ----");
        print!("{report}");
    }
    println!("\n{passed} passed, {failed} failed");
    if failed > 0 {
        status::PROGRAM_ERRORS
    } else {
        status::OK
    }
}

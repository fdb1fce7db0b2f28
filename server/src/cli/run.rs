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
//! threads for a program that starts tasks. `ward build FILE -o OUT` writes
//! the verified bytecode for the runtime-only `ward-vm`, which takes the
//! same run flags (`ward_runtime::cli`). `--allow CAPS` grants capabilities:
//! a program whose `main` needs one not granted does not start (exit 1,
//! naming what is missing and the flag to pass).

use super::status;
use std::path::{Path, PathBuf};
use ward_compiler::codegen::Compiled;
use ward_runtime::caps::Grant;
pub use ward_runtime::cli::RunFlags;
use ward_runtime::cli::{not_granted, report_outcome};
use ward_runtime::embed::{Host, Outcome, RunOptions, run_program};
use ward_runtime::error::render_panic;
use ward_runtime::vm::Program;

/// What to print instead of running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Emit {
    /// The disassembled bytecode.
    Bytecode,
}

/// Checks and compiles a program; on failure reports and returns the exit
/// status. Warnings are shown first, as cargo shows them before a run
/// (not with `--quiet`).
fn compile(source: super::Source) -> Result<(PathBuf, Compiled), u8> {
    let (path, loader) = source.loader();
    let analysis = ward_compiler::analysis::analyze(&path, &loader);
    if analysis.has_errors() || (!super::quiet() && !analysis.diagnostics.is_empty()) {
        super::check::render_human(&analysis, &path);
    }
    if analysis.has_errors() {
        return Err(status::PROGRAM_ERRORS);
    }
    let compiled =
        ward_compiler::codegen::compile(&analysis.program, &analysis.typed).map_err(|e| {
            eprintln!("error: cannot compile {}: {e}", path.display());
            status::PROGRAM_ERRORS
        })?;
    Ok((path, compiled))
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

/// `ward run`: checks, compiles and runs `file` with `flags`.
pub fn run(source: super::Source, emit: Option<Emit>, flags: &RunFlags) -> u8 {
    let (file, compiled) = match compile(source) {
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
    let out = match run_program(&program, &flags.options()) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("error: {e}");
            return status::PROGRAM_ERRORS;
        }
    };
    let code = report_outcome(&out.outcome);
    if flags.gc_stats {
        eprintln!("{}", out.gc.to_json());
    }
    code
}

/// `ward build FILE -o OUT`: checks and compiles `file`, verifies the
/// bytecode as `ward-vm` will, and writes it to `out` — through a
/// temporary file renamed into place, so `out` is never left half written.
pub fn build(source: super::Source, out: &Path) -> u8 {
    let (file, compiled) = match compile(source) {
        Ok(c) => c,
        Err(code) => return code,
    };
    if compiled.module.entry.is_none() {
        eprintln!("error: {} has no `fn main`", file.display());
        return status::PROGRAM_ERRORS;
    }
    let bytes = compiled.module.to_bytes();
    // What `ward-vm` will do with it: read and verify.
    if let Err(e) = ward_runtime::bytecode::Module::load(&bytes) {
        eprintln!("error: internal error: the written bytecode does not load: {e}");
        return status::PROGRAM_ERRORS;
    }
    let name = out
        .file_name()
        .map_or_else(|| "out.wbc".into(), |n| n.to_string_lossy().into_owned());
    let tmp = out.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&tmp, &bytes).and_then(|()| std::fs::rename(&tmp, out));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        eprintln!("error: cannot write {}: {e}", out.display());
        return status::PROGRAM_ERRORS;
    }
    eprintln!(
        "wrote {} ({} bytes of verified bytecode; run it with `ward-vm {}`)",
        out.display(),
        bytes.len(),
        out.display()
    );
    status::OK
}

/// `ward test`: runs the `#[test]` functions of each program (those whose
/// name contains `filter`, if given), each isolated from the others'
/// panics, and prints what passed and failed, as `cargo test` does.
pub fn test(sources: Vec<super::Source>, filter: Option<&str>, grant: &Grant) -> u8 {
    let quiet = super::quiet();
    let (mut passed, mut failed, mut filtered) = (0, 0, 0);
    let mut failures = Vec::new();
    let programs = sources.len();
    for source in sources {
        let (file, compiled) = match compile(source) {
            Ok(c) => c,
            Err(code) => return code,
        };
        let (tests, skipped): (Vec<_>, Vec<_>) = compiled
            .tests
            .clone()
            .into_iter()
            .partition(|(name, _)| filter.is_none_or(|f| name.contains(f)));
        filtered += skipped.len();
        let host = Host::new();
        let program = match prepare(&host, compiled) {
            Ok(p) => p,
            Err(code) => return code,
        };
        if !quiet {
            // Several programs (a project's): each headed by its file, as
            // cargo heads each test binary.
            if programs > 1 {
                println!("     Running {}", file.display());
            }
            println!(
                "running {} test{}",
                tests.len(),
                if tests.len() == 1 { "" } else { "s" }
            );
        }
        for (name, f) in &tests {
            let options = RunOptions {
                function: Some(program.function_name(*f).to_string()),
                ..RunFlags {
                    grant: grant.clone(),
                    ..RunFlags::default()
                }
                .options()
            };
            let outcome = match run_program(&program, &options) {
                Ok(out) => out.outcome,
                Err(e) => {
                    eprintln!("error: {e}");
                    return status::PROGRAM_ERRORS;
                }
            };
            let failure = match outcome {
                // A test returning `Err` fails as a panic would.
                Outcome::Finished => None,
                Outcome::Failed(text) => Some(format!("error: {text}\n")),
                Outcome::Panicked(panic) => Some(render_panic(&panic, &read_file)),
                Outcome::NotGranted(missing) => Some(not_granted("this test", missing)),
            };
            match failure {
                None => {
                    passed += 1;
                    if !quiet {
                        println!("test {name} ... ok");
                    }
                }
                Some(report) => {
                    failed += 1;
                    println!("test {name} ... FAILED");
                    failures.push((name.clone(), report));
                }
            }
        }
    }
    for (name, report) in &failures {
        println!("\n---- {name} ----");
        print!("{report}");
    }
    let filtered = if filtered > 0 {
        format!(", {filtered} filtered out")
    } else {
        String::new()
    };
    println!("\n{passed} passed, {failed} failed{filtered}");
    if failed > 0 {
        status::PROGRAM_ERRORS
    } else {
        status::OK
    }
}

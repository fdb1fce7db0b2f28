//! `ward run FILE [-- ARGS]` and `ward test FILE`: check the program,
//! compile it to bytecode and run it in the VM. An uncaught panic prints
//! its message, the source line with a caret and a backtrace, and exits
//! with 101; `main` returning `Err` prints the error chain and exits with 1.
//! `--gc-stats` adds the collector's figures as the last line of stderr;
//! `--timeout MS` stops the run as a panic when the time is up, and
//! `--max-heap SIZE` when the program holds more memory than that (by
//! default a quarter of the machine's).

use super::status;
use std::io::Write as _;
use std::path::Path;
use ward_compiler::codegen::Compiled;
use ward_runtime::error::render_panic;
use ward_runtime::vm::{Program, Value, Vm};

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

fn prepare(compiled: Compiled) -> Result<Program, u8> {
    Program::new(compiled.module, &std::collections::HashMap::new()).map_err(|e| {
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
}

impl RunLimits {
    fn vm_limits(self) -> ward_runtime::vm::Limits {
        let heap = self
            .max_heap
            .unwrap_or_else(ward_runtime::embed::default_heap_budget);
        ward_runtime::vm::Limits {
            deadline: self.timeout_ms.and_then(|ms| {
                std::time::Instant::now().checked_add(std::time::Duration::from_millis(ms))
            }),
            max_heap_bytes: ward_runtime::heap::accounting::ENABLED.then_some(heap),
            ..ward_runtime::vm::Limits::default()
        }
    }
}

pub fn run(
    file: &Path,
    emit: Option<Emit>,
    gc_stats: bool,
    limits: RunLimits,
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
    let Some(entry) = compiled.module.entry else {
        eprintln!("error: {} has no `fn main`", file.display());
        return status::PROGRAM_ERRORS;
    };
    let program = match prepare(compiled) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let mut vm = Vm::new(
        &program,
        Box::new(std::io::BufWriter::new(stdout.lock())),
        Box::new(std::io::stderr()),
    );
    vm.args = args.to_vec();
    vm.set_limits(limits.vm_limits());
    let result = vm.call(entry, Vec::new());
    let _ = vm.out.flush();
    let stats = vm.heap.stats();
    drop(vm);
    let code = match result {
        Ok(value) => report_main_result(&program, &value),
        Err(panic) => {
            eprint!("{}", render_panic(&panic, &read_file));
            PANICKED
        }
    };
    if gc_stats {
        eprintln!("{}", stats.to_json());
    }
    code
}

/// `main` returning `Err(e)`: the error chain on stderr, status 1.
fn report_main_result(program: &Program, value: &Value) -> u8 {
    match ward_runtime::embed::main_error(program, value) {
        Some(text) => {
            eprintln!("error: {text}");
            status::PROGRAM_ERRORS
        }
        None => status::OK,
    }
}

pub fn test(file: &Path) -> u8 {
    let compiled = match compile(file) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let tests = compiled.tests.clone();
    let program = match prepare(compiled) {
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
        let stdout = std::io::stdout();
        let mut vm = Vm::new(
            &program,
            Box::new(stdout.lock()),
            Box::new(std::io::stderr()),
        );
        vm.set_limits(RunLimits::default().vm_limits());
        let result = vm.call(*f, Vec::new());
        let _ = vm.out.flush();
        drop(vm);
        match result {
            Ok(_) => {
                passed += 1;
                println!("test {name} ... ok");
            }
            Err(panic) => {
                failed += 1;
                println!("test {name} ... FAILED");
                failures.push((name.clone(), panic));
            }
        }
    }
    for (name, panic) in &failures {
        println!("\n---- {name} ----");
        print!("{}", render_panic(panic, &read_file));
    }
    println!("\n{passed} passed, {failed} failed");
    if failed > 0 {
        status::PROGRAM_ERRORS
    } else {
        status::OK
    }
}

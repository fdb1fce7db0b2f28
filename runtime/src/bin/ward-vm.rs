//! `ward-vm`: the runtime alone — the VM, collector, scheduler, zones and
//! std natives, without the compiler, tree-sitter or the language server —
//! for edge devices. It runs bytecode that `ward build` wrote (verified
//! again on load) with the flags `ward run` takes.

use std::process::ExitCode;

use ward_runtime::cli::{VM_USAGE, parse_vm_args, report_outcome, status};
use ward_runtime::embed::{Host, run_program};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        print!("{VM_USAGE}");
        return ExitCode::SUCCESS;
    }
    if args.iter().any(|a| a == "-V" || a == "--version") {
        println!("ward-vm {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let vm = match parse_vm_args(&args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}\n\n{VM_USAGE}");
            return ExitCode::from(status::USAGE);
        }
    };
    let bytes = match std::fs::read(&vm.file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", vm.file);
            return ExitCode::from(status::PROGRAM_ERRORS);
        }
    };
    let module = match ward_runtime::bytecode::Module::load(&bytes) {
        Ok(m) => m,
        Err(e) => {
            eprintln!(
                "error: {} is not Ward bytecode this runtime reads: {e}",
                vm.file
            );
            return ExitCode::from(status::PROGRAM_ERRORS);
        }
    };
    if module.entry.is_none() {
        eprintln!("error: {} has no `main`", vm.file);
        return ExitCode::from(status::PROGRAM_ERRORS);
    }
    let host = Host::new();
    let program = match host.load(module) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(status::PROGRAM_ERRORS);
        }
    };
    let out = match run_program(&program, &vm.flags.options()) {
        Ok(out) => out,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(status::PROGRAM_ERRORS);
        }
    };
    let code = report_outcome(&out.outcome);
    if vm.flags.gc_stats {
        eprintln!("{}", out.gc.to_json());
    }
    ExitCode::from(code)
}

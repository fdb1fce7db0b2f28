//! The code generator's output always passes the bytecode verifier: every
//! program of the run corpus, every example, every accepted case of the
//! diagnostics corpus, the benchmark programs, the generated large program
//! and the accepted programs of a seeded differential batch are compiled
//! and verified. A rejection is a code generator bug (the verifier runs on
//! every load, so the user would see "invalid bytecode" instead of a run).

use std::path::Path;
use ward_compiler::analysis::{analyze, analyze_text};
use ward_compiler::resolve::DiskLoader;
use ward_runtime::bytecode::verify::verify;
use ward_tests::difftest;

/// Compiles a checked analysis and verifies it; `None` when the program
/// has errors (nothing to compile).
fn compile_and_verify(analysis: &ward_compiler::analysis::Analysis) -> Option<Result<(), String>> {
    if analysis.has_errors() {
        return None;
    }
    let result = ward_compiler::codegen::compile(&analysis.program, &analysis.typed)
        .map_err(|e| format!("codegen: {e}"))
        .and_then(|c| verify(&c.module).map_err(|e| format!("verifier: {e}")));
    Some(result)
}

/// Files that another file loads with `mod` are compiled through it.
fn is_module_file(path: &Path) -> bool {
    let source = std::fs::read_to_string(path).unwrap_or_default();
    source.starts_with("// module:")
        || path.parent().is_some_and(|dir| {
            dir.file_name().is_some_and(|n| n == "census") && !path.ends_with("main.ward")
        })
}

#[test]
fn every_accepted_repository_program_verifies() {
    let root = ward_tests::repo_root();
    let mut failures = Vec::new();
    let mut verified = 0;
    for dir in [
        "tests/programs",
        "tests/diagnostics",
        "tests/facts",
        "examples",
        "bench/programs",
        "bench/gc",
    ] {
        for path in ward_tests::ward_files(&root.join(dir)) {
            if is_module_file(&path) {
                continue;
            }
            match compile_and_verify(&analyze(&path, &DiskLoader)) {
                None => {}
                Some(Ok(())) => verified += 1,
                Some(Err(e)) => failures.push(format!("{}: {e}", path.display())),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(verified >= 200, "only {verified} programs were verified");
}

#[test]
fn the_generated_large_program_verifies() {
    let analysis = analyze_text("large.ward", &ward_tests::generate_program(2_000));
    assert_eq!(compile_and_verify(&analysis), Some(Ok(())));
}

#[test]
fn every_accepted_generated_program_verifies() {
    let mut failures = Vec::new();
    let mut verified = 0;
    for seed in 1..=600 {
        let src = difftest::generate::program_with_header(seed);
        let (_, analysis) = difftest::ward_codes(&src);
        match compile_and_verify(&analysis) {
            None => {}
            Some(Ok(())) => verified += 1,
            Some(Err(e)) => failures.push(format!("seed {seed}: {e}\n{src}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        verified >= 150,
        "only {verified} generated programs were verified"
    );
}

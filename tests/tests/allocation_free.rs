//! `for` loops allocate nothing per step (issue 24). Each program under
//! `tests/allocation_free/` declares `const STEPS: int = 1000000;` and runs
//! its loops that many steps, with a setup whose allocations do not depend
//! on `STEPS` (`List::with_capacity`). It runs twice, as written and with
//! `STEPS` at 10 000 (after a warm-up run): the counting allocator must see
//! the same number of allocations in both runs, and the long run must print
//! its `.out`. A loop nested in another starts at every outer step, so the
//! cases with nested loops also prove a loop's start allocates nothing.
//! Add a case by adding a file.

use ward_compiler::analysis::analyze_text;
use ward_runtime::embed::{Host, RunOptions};
use ward_runtime::heap::accounting;

const LONG: &str = "const STEPS: int = 1000000;";
const SHORT: &str = "const STEPS: int = 10000;";

/// The run's stdout and the allocations it made on this thread.
fn run_counting(name: &str, source: &str) -> (String, u64) {
    let analysis = analyze_text(name, source);
    assert!(!analysis.has_errors(), "{name}: {:?}", analysis.diagnostics);
    let module = ward_compiler::codegen::compile(&analysis.program, &analysis.typed)
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .module;
    let host = Host::new();
    let program = host.load(module).unwrap_or_else(|e| panic!("{name}: {e}"));
    let options = RunOptions::default();
    let before = accounting::allocations().0;
    let out = ward_runtime::embed::run_program(&program, &options)
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    let made = accounting::allocations().0 - before;
    assert_eq!(out.exit_code, 0, "{name}: {:?}", out.outcome);
    (out.stdout, made)
}

#[test]
fn loops_of_a_million_steps_allocate_nothing_per_step() {
    const {
        assert!(
            accounting::ENABLED,
            "the test needs the runtime's counting allocator"
        );
    }
    let dir = ward_tests::repo_root().join("tests/allocation_free");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/allocation_free exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ward"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no programs in {}", dir.display());
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let source = std::fs::read_to_string(path).expect("readable");
        assert!(source.contains(LONG), "{name} declares `{LONG}`");
        let expected =
            std::fs::read_to_string(path.with_extension("out")).expect("each program has a .out");
        // A first run fills the thread's spare iterator boxes (see
        // `value::iter_box`), which later runs reuse. The short run still
        // restarts each nested loop several times, so both runs do the
        // same start-up work: a nested loop can hold two boxes at once
        // (the old iterator is dropped when its register is overwritten).
        let short_source = source.replace(LONG, SHORT);
        run_counting(&name, &source);
        let (stdout, long) = run_counting(&name, &source);
        assert_eq!(stdout, expected, "{name}: output");
        let (_, short) = run_counting(&name, &short_source);
        if long != short {
            failures.push(format!(
                "{name}: {long} allocations with 1 000 000 steps, {short} with 10 000"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

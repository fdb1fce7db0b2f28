//! The fuzz loops of `ward_tests::fuzz`, a fixed number of cases each with
//! a fixed seed, so that CI runs the same inputs every time; and every
//! saved regression input under `tests/fuzz/` through the checker and the
//! formatter as it is. Longer runs: `cargo run --release -p ward-tests
//! --example fuzz -- all --hours 3`.

use std::time::Duration;
use ward_tests::fuzz::{Config, Target, run};

fn loop_finds_nothing(target: Target, cases: u64) {
    let report = run(&Config {
        target,
        seed: 22,
        cases,
        // Debug builds, a busy machine: only a case far out of line counts.
        time_bound: Duration::from_secs(20),
        verbose: false,
    });
    assert_eq!(report.cases, cases);
    let findings: Vec<String> = report
        .findings
        .iter()
        .map(|f| format!("case {}: {}\n{}", f.case, f.what, f.input))
        .collect();
    assert!(findings.is_empty(), "{}", findings.join("\n\n"));
}

#[test]
fn fuzz_check() {
    loop_finds_nothing(Target::Check, 300);
}

#[test]
fn fuzz_format() {
    loop_finds_nothing(Target::Format, 300);
}

#[test]
fn fuzz_bytecode() {
    loop_finds_nothing(Target::Bytecode, 300);
}

#[test]
fn fuzz_run() {
    loop_finds_nothing(Target::Run, 150);
}

#[test]
fn fuzz_regressions_replay() {
    let dir = ward_tests::repo_root().join("tests/fuzz");
    let files = ward_tests::ward_files(&dir);
    assert!(!files.is_empty(), "tests/fuzz holds the loops' findings");
    let failures: Vec<String> = files
        .iter()
        .filter_map(|f| {
            let text = std::fs::read_to_string(f).ok()?;
            ward_tests::fuzz::replay(&text)
                .err()
                .map(|e| format!("{}: {e}", f.display()))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

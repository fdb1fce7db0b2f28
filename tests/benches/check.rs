//! Checker benchmark: the full `ward check` pipeline — parse, lower,
//! resolve, type-check, MIR building and borrow checking — of a generated
//! 10 000-line program (structs, enums, impls, loops, matches, closures,
//! formatting), through the same `analyze` the CLI and server call. Also
//! times each stage on its own.
//!
//! Run with `cargo bench -p ward-tests --bench check`. It prints the
//! minimum, median and 95th percentile.

use std::time::{Duration, Instant};
use ward_compiler::analysis::analyze_text;
use ward_compiler::borrowck;

const LINES: usize = 10_000;
const RUNS: usize = 20;

fn stats(label: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p95 = samples[(samples.len() * 95 / 100).min(samples.len() - 1)];
    println!(
        "{label:<40} min {:>7.2} ms   median {:>7.2} ms   p95 {:>7.2} ms",
        ms(samples[0]),
        ms(samples[samples.len() / 2]),
        ms(p95)
    );
}

fn main() {
    let text = ward_tests::generate_program(LINES);
    println!(
        "program: {} lines, {} bytes",
        text.lines().count(),
        text.len()
    );
    // Warm the once-per-process std declarations, as a server would be.
    let warm = analyze_text("bench.ward", &text);
    let errors: Vec<String> = warm
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .take(5)
        .map(|d| format!("{} {} at {:?}", d.code, d.message, d.span.span))
        .collect();
    assert!(
        errors.is_empty(),
        "the generated program must check cleanly: {errors:?}"
    );
    println!("diagnostics: {} (warnings)", warm.diagnostics.len());

    for (stage, samples) in ward_tests::phases::time(&text, RUNS) {
        let indent = if stage == "whole analysis" { "" } else { "  " };
        stats(&format!("{indent}{stage}"), samples);
    }

    // An edit inside one function (it grows by a statement, so every later
    // function moves): with the per-function cache only it is checked
    // again. The front end's part of a re-check is timed above.
    let edited = text.replacen(
        "let mut score = 0;",
        "let mut score = 0;\n    score += 0;",
        1,
    );
    assert_ne!(edited, text, "the generated program has a function to edit");
    let fresh = analyze_text("bench.ward", &text);
    let changed = analyze_text("bench.ward", &edited);
    let mut recheck = Vec::new();
    let mut misses = 0;
    for _ in 0..RUNS {
        let mut cache = borrowck::cache::Cache::default();
        borrowck::check_program_cached(&fresh.program, &fresh.typed, &[], false, &mut cache);
        let t = Instant::now();
        let results = borrowck::check_program_cached(
            &changed.program,
            &changed.typed,
            &[],
            false,
            &mut cache,
        );
        recheck.push(t.elapsed());
        misses = cache.misses;
        std::hint::black_box(&results);
    }
    stats(
        &format!("borrowck after a one-function edit ({misses} re-checked)"),
        recheck,
    );
}

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
use ward_compiler::{borrowck, mir, resolve, syntax, types};

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

    let mut total = Vec::new();
    let mut parse = Vec::new();
    let mut lower = Vec::new();
    let mut resolve_t = Vec::new();
    let mut check = Vec::new();
    let mut mir_t = Vec::new();
    let mut borrowck_t = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        let analysis = analyze_text("bench.ward", &text);
        total.push(start.elapsed());
        std::hint::black_box(&analysis);

        let t = Instant::now();
        let tree = syntax::parse(&text);
        parse.push(t.elapsed());
        let t = Instant::now();
        let mut diags = Vec::new();
        let ast = syntax::lower_file(
            &tree,
            &text,
            ward_compiler::diagnostics::FileId(1),
            &mut diags,
        );
        lower.push(t.elapsed());
        std::hint::black_box(&ast);
        let mut loader = ward_compiler::analysis::MemoryLoader::default();
        loader.files.insert("bench.ward".into(), text.clone());
        let t = Instant::now();
        let program = resolve::build(std::path::Path::new("bench.ward"), &loader);
        resolve_t.push(t.elapsed());
        let t = Instant::now();
        let typed = types::check_program(&program);
        check.push(t.elapsed());
        std::hint::black_box(&typed);
        let t = Instant::now();
        let bodies = mir::build_program(&program, &typed);
        mir_t.push(t.elapsed());
        std::hint::black_box(&bodies);
        let t = Instant::now();
        let results = borrowck::check_program(&program, &typed, &[], false);
        borrowck_t.push(t.elapsed());
        std::hint::black_box(&results);
    }
    stats("full check (analyze)", total);
    stats("  parse (tree-sitter)", parse);
    stats("  lower to AST", lower);
    stats("  resolve (incl. parse + lower)", resolve_t);
    stats("  type-check", check);
    stats("  MIR build (all functions)", mir_t);
    stats("  borrowck (incl. MIR build)", borrowck_t);

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

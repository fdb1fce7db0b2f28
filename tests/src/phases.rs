//! The full check of a program timed stage by stage, in process: what the
//! checker benchmark (`cargo bench -p ward-tests --bench check`) and the
//! budget benchmark (`lsp_bench`) print.

use std::path::Path;
use std::time::{Duration, Instant};
use ward_compiler::{analysis, borrowck, diagnostics::FileId, mir, resolve, syntax, types};

/// Samples of each stage over `runs` runs, in pipeline order. `resolve`
/// includes the parse and lowering of the file (as `resolve::build` does
/// them); `borrow check` includes MIR building; `whole analysis` is
/// `analysis::analyze`. The std declarations are made before timing.
pub fn time(text: &str, runs: usize) -> Vec<(&'static str, Vec<Duration>)> {
    let path = Path::new("bench.ward");
    let mut loader = analysis::MemoryLoader::default();
    loader.files.insert(path.into(), text.to_string());
    let _ = analysis::analyze(path, &loader);
    let names = [
        "whole analysis",
        "parse (tree-sitter)",
        "lower to AST",
        "resolve (incl. parse + lower)",
        "type check",
        "MIR build (all functions)",
        "borrow check (incl. MIR build)",
    ];
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); names.len()];
    let mut timed = |i: usize, t: Instant| samples[i].push(t.elapsed());
    for _ in 0..runs {
        let t = Instant::now();
        let whole = analysis::analyze(path, &loader);
        timed(0, t);
        drop(whole);
        let t = Instant::now();
        let tree = syntax::parse(text);
        timed(1, t);
        let t = Instant::now();
        let ast = syntax::lower_file(&tree, text, FileId(1), &mut Vec::new());
        timed(2, t);
        drop((tree, ast));
        let t = Instant::now();
        let program = resolve::build(path, &loader);
        timed(3, t);
        let t = Instant::now();
        let typed = types::check_program(&program);
        timed(4, t);
        let t = Instant::now();
        let bodies = mir::build_program(&program, &typed);
        timed(5, t);
        drop(bodies);
        let t = Instant::now();
        let results = borrowck::check_program(&program, &typed, &[], false);
        timed(6, t);
        drop((program, typed, results));
    }
    names.into_iter().zip(samples).collect()
}

/// The median of samples.
pub fn median(samples: &[Duration]) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

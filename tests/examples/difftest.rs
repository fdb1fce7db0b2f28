//! Differential testing against rustc, by hand and at scale:
//! `cargo run --release -p ward-tests --example difftest -- [COUNT] [FIRST_SEED]`
//! prints the agreement rate and every disagreement (the Ward program, its
//! translation and both verdicts).

fn main() {
    let mut args = std::env::args().skip(1);
    let count: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let start: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let report = ward_tests::difftest::run(start, count, threads);
    for o in report.disagreements() {
        println!(
            "=== seed {}: ward {:?} vs rustc {:?}",
            o.seed, o.ward, o.rust
        );
        println!("{}", o.ward_src);
    }
    for (seed, why) in report.skipped.iter().take(10) {
        println!("=== seed {seed} skipped: {why}");
    }
    let mut by_code: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    for o in &report.outcomes {
        for c in &o.rust {
            *by_code.entry(c.clone()).or_default() += 1;
        }
    }
    println!("rustc error numbers seen: {by_code:?}");
    if std::env::var_os("DIFFTEST_SHOW").is_some() {
        for o in report
            .outcomes
            .iter()
            .filter(|o| !o.rust.is_empty())
            .take(2)
        {
            println!(
                "--- seed {} {:?}\n{}\n{}",
                o.seed, o.rust, o.ward_src, o.rust_src
            );
        }
    }
    println!("{}", report.summary());
}

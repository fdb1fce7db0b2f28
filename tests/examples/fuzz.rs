//! Runs a fuzz loop for as long as asked (see `ward_tests::fuzz`):
//!
//! ```text
//! cargo run --release -p ward-tests --example fuzz -- TARGET [--cases N] [--seed S] [--hours H] [--verbose]
//! ```
//!
//! TARGET is `check`, `format`, `bytecode`, `run` or `all`. With `--hours`
//! the loop runs batches of N cases (seeds S, S+1, …) until the time is
//! up. Each finding is printed and saved under `target/fuzz-findings/`
//! (turn it into a regression case by copying it to `tests/fuzz/`).

use std::time::{Duration, Instant};
use ward_tests::fuzz::{Config, Target, run};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let targets: Vec<Target> = match args.first().map(String::as_str) {
        Some("all") | None => Target::ALL.to_vec(),
        Some(name) => {
            let Some(t) = Target::from_name(name) else {
                eprintln!("unknown target `{name}`: check, format, bytecode, run or all");
                std::process::exit(2);
            };
            vec![t]
        }
    };
    let cases: u64 = arg("--cases").and_then(|v| v.parse().ok()).unwrap_or(2000);
    let mut seed: u64 = arg("--seed").and_then(|v| v.parse().ok()).unwrap_or(1);
    let until = arg("--hours")
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|h| h.is_finite() && *h >= 0.0)
        .map(|h| Instant::now() + Duration::from_secs_f64(h * 3600.0));
    let verbose = args.iter().any(|a| a == "--verbose");
    let out_dir = ward_tests::repo_root().join("target/fuzz-findings");
    let mut total = 0;
    loop {
        for &target in &targets {
            let config = Config {
                target,
                seed,
                cases,
                time_bound: Duration::from_secs(2),
                verbose,
            };
            let report = run(&config);
            println!(
                "{:>8} seed {seed}: {} cases, {} accepted, slowest {:.0} ms, {} findings",
                target.name(),
                report.cases,
                report.accepted,
                report.slowest.as_secs_f64() * 1000.0,
                report.findings.len()
            );
            for f in &report.findings {
                total += 1;
                println!("  case {}: {}", f.case, f.what);
                let _ = std::fs::create_dir_all(&out_dir);
                let ext = if target == Target::Bytecode {
                    "hex"
                } else {
                    "ward"
                };
                let path = out_dir.join(format!("{}-{seed}-{}.{ext}", target.name(), f.case));
                if std::fs::write(&path, &f.input).is_ok() {
                    println!("  saved {}", path.display());
                }
            }
        }
        seed += 1;
        if until.is_none_or(|t| Instant::now() >= t) {
            break;
        }
    }
    if total > 0 {
        std::process::exit(1);
    }
}

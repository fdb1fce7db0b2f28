//! The GC benchmark table: each program of `bench/gc` under `ward run
//! --gc-stats` (release build): pause distributions of young and old
//! collections, the collector's share of the run, the heap's peak, and the
//! wall-clock cost against the same run with collection off
//! (`WARD_GC_DISABLE=1`, so the heap only grows).
//!
//! Run: `cargo run --release -p ward-tests --example gc_bench`
//! (it builds the release `ward` binary first).

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};
use ward_tests::{release_ward, repo_root};

const PROGRAMS: [(&str, &str); 3] = [
    ("binary_trees", "(a) binary trees, long-lived depth 18"),
    ("churn", "(b) steady churn, 400k records live"),
    ("weak_graph", "(c) cyclic graph, weak parents"),
];

/// One run: wall time, stdout, and the `--gc-stats` line.
fn run(ward: &str, dir: &Path, program: &str, disabled: bool) -> (Duration, String, String) {
    let mut cmd = Command::new(ward);
    cmd.args(["run", "--gc-stats", &format!("{program}.ward")])
        .current_dir(dir);
    if disabled {
        cmd.env("WARD_GC_DISABLE", "1");
    }
    let start = Instant::now();
    let out = cmd.output().expect("ward runs");
    let wall = start.elapsed();
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stats = stderr.lines().last().unwrap_or_default().to_string();
    (
        wall,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stats,
    )
}

/// A number field of the one-line stats object.
fn field(json: &str, key: &str) -> f64 {
    let pat = format!("\"{key}\":");
    json.find(&pat)
        .map(|i| &json[i + pat.len()..])
        .and_then(|rest| {
            let end = rest.find([',', '}']).unwrap_or(rest.len());
            rest[..end].parse().ok()
        })
        .unwrap_or(f64::NAN)
}

fn main() {
    let root = repo_root();
    let ward = release_ward();
    let dir = root.join("bench/gc");
    println!(
        "| benchmark | young n | young p50/p99/max ms | old n | old p50/p99/max ms | max pause ms | GC share | peak heap MB | wall s | wall s, GC off | cost |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for (name, label) in PROGRAMS {
        // Best of two of each, interleaved.
        let mut best_on: Option<(Duration, String)> = None;
        let mut best_off: Option<Duration> = None;
        for _ in 0..2 {
            let (wall, out, stats) = run(&ward, &dir, name, false);
            let (off, out_off, _) = run(&ward, &dir, name, true);
            assert_eq!(out, out_off, "{name}: output differs with collection off");
            if best_on.as_ref().is_none_or(|(w, _)| wall < *w) {
                best_on = Some((wall, stats));
            }
            best_off = Some(best_off.map_or(off, |b| b.min(off)));
        }
        let (wall, stats) = best_on.expect("ran");
        let off = best_off.expect("ran");
        let ms = |k: &str| field(&stats, k) / 1000.0;
        let share = field(&stats, "total_pause_us") / 1e6 / wall.as_secs_f64();
        println!(
            "| {label} | {} | {:.2} / {:.2} / {:.2} | {} | {:.2} / {:.2} / {:.2} | {:.2} | {:.1} % | {:.0} | {:.2} | {:.2} | {:+.1} % |",
            field(&stats, "young_collections"),
            ms("young_pause_p50_us"),
            ms("young_pause_p99_us"),
            ms("young_pause_max_us"),
            field(&stats, "old_collections"),
            ms("old_pause_p50_us"),
            ms("old_pause_p99_us"),
            ms("old_pause_max_us"),
            ms("max_pause_us"),
            share * 100.0,
            field(&stats, "peak_heap_bytes") / 1e6,
            wall.as_secs_f64(),
            off.as_secs_f64(),
            (wall.as_secs_f64() / off.as_secs_f64() - 1.0) * 100.0,
        );
    }
}

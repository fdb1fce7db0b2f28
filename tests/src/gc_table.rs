//! The GC benchmark table: each program of `bench/gc` under `ward run
//! --gc-stats` (release build): pause distributions of young and old
//! collections, the collector's share of the run, the heap's peak, and the
//! wall-clock cost against the same run with collection off
//! (`WARD_GC_DISABLE=1`, so the heap only grows). Each program runs
//! several times each way, interleaved, and the table shows medians: on a
//! small VM the kernel's page zeroing alone moves a GC-off run by 2x.
//! CPU time (user + system, from `/proc/self/stat`'s children fields) is
//! shown beside wall time. Printed by the `vm_bench` and `gc_bench`
//! examples.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const PROGRAMS: [(&str, &str); 3] = [
    ("binary_trees", "(a) binary trees, long-lived depth 18"),
    ("churn", "(b) steady churn, 400k records live"),
    ("weak_graph", "(c) cyclic graph, weak parents"),
];

/// One finished run.
struct Run {
    wall: Duration,
    /// User + system seconds of the child.
    cpu: f64,
    stdout: String,
    stats: String,
}

/// User + system seconds of this process's waited-for children so far
/// (`cutime` + `cstime` of `/proc/self/stat`; NaN where there is none).
fn children_cpu() -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else {
        return f64::NAN;
    };
    // The command name (field 2) may hold spaces: count from after it.
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
        return f64::NAN;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // `rest` starts at field 3, so field N is `fields[N - 3]`.
    let ticks = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<f64>().ok());
    match (ticks(16), ticks(17)) {
        // Clock ticks are 1/100 s on Linux.
        (Some(u), Some(s)) => (u + s) / 100.0,
        _ => f64::NAN,
    }
}

fn run(ward: &str, dir: &Path, program: &str, disabled: bool) -> Run {
    let mut cmd = Command::new(ward);
    cmd.args(["run", "--gc-stats", &format!("{program}.ward")])
        .current_dir(dir);
    if disabled {
        cmd.env("WARD_GC_DISABLE", "1");
    }
    let cpu0 = children_cpu();
    let start = Instant::now();
    let out = cmd.output().expect("ward runs");
    let wall = start.elapsed();
    let cpu = children_cpu() - cpu0;
    assert!(
        out.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    Run {
        wall,
        cpu,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stats: stderr.lines().last().unwrap_or_default().to_string(),
    }
}

/// The run with the median wall time (runs sorted by it).
fn median(mut runs: Vec<Run>) -> (Run, f64) {
    runs.sort_by_key(|r| r.wall);
    let mut cpus: Vec<f64> = runs.iter().map(|r| r.cpu).collect();
    cpus.sort_by(f64::total_cmp);
    let cpu = cpus[cpus.len() / 2];
    let mid = runs.len() / 2;
    (runs.swap_remove(mid), cpu)
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

/// Prints the GC table (markdown) for the programs of `bench/gc`, run
/// `runs` times each way with the `ward` binary at `ward`.
pub fn print_gc_table(ward: &str, runs: usize) {
    let dir = crate::repo_root().join("bench/gc");
    println!(
        "| benchmark | young n | young p50/p99/max ms | old n | old p50/p99/max ms | max pause ms (all runs) | GC share | peak heap MB | wall s | wall s, GC off | cost | CPU s | CPU s, GC off | CPU cost |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (name, label) in PROGRAMS {
        let mut on = Vec::new();
        let mut off = Vec::new();
        for _ in 0..runs {
            let a = run(ward, &dir, name, false);
            let b = run(ward, &dir, name, true);
            assert_eq!(
                a.stdout, b.stdout,
                "{name}: output differs with collection off"
            );
            on.push(a);
            off.push(b);
        }
        // The requirement is on every pause, so the worst of all runs.
        let worst = on
            .iter()
            .map(|r| field(&r.stats, "max_pause_us"))
            .fold(0.0, f64::max)
            / 1000.0;
        let (on, cpu) = median(on);
        let (off, cpu_off) = median(off);
        let stats = &on.stats;
        let wall = on.wall.as_secs_f64();
        let wall_off = off.wall.as_secs_f64();
        let ms = |k: &str| field(stats, k) / 1000.0;
        let share = field(stats, "total_pause_us") / 1e6 / wall;
        println!(
            "| {label} | {} | {:.2} / {:.2} / {:.2} | {} | {:.2} / {:.2} / {:.2} | {:.2} | {:.1} % | {:.0} | {:.2} | {:.2} | {:+.1} % | {:.2} | {:.2} | {:+.1} % |",
            field(stats, "young_collections"),
            ms("young_pause_p50_us"),
            ms("young_pause_p99_us"),
            ms("young_pause_max_us"),
            field(stats, "old_collections"),
            ms("old_pause_p50_us"),
            ms("old_pause_p99_us"),
            ms("old_pause_max_us"),
            worst,
            share * 100.0,
            field(stats, "peak_heap_bytes") / 1e6,
            wall,
            wall_off,
            (wall / wall_off - 1.0) * 100.0,
            cpu,
            cpu_off,
            (cpu / cpu_off - 1.0) * 100.0,
        );
    }
}

//! Tasks and channels in one table, with Tokio and crossbeam-channel
//! measured in the same run on the same work.
//!
//! Run: `cargo run --release -p ward-tests --example task_bench`
//!
//! Ward programs are compiled once and run in-process through
//! `ward_runtime::embed`; a figure per operation is the difference between
//! a run of 2N operations and a run of N, divided by N, so start-up (the
//! scheduler's threads, compiling) cancels out. Each figure is the median
//! of five such pairs. The anchors do the same work in Rust: Tokio's
//! multi-threaded runtime with as many workers, crossbeam's bounded
//! channels between OS threads, and native threads for fork-join.

// Figures are nanoseconds and counts far below 2^52.
#![allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use ward_runtime::bytecode::Module;
use ward_runtime::caps::Grant;
use ward_runtime::embed::{Host, Outcome, RunOptions, RunOutput};

const REPEATS: usize = 5;

fn compile(src: &str) -> Module {
    let analysis = ward_compiler::analysis::analyze_text("bench.ward", src);
    assert!(!analysis.has_errors(), "{src}\n{:?}", analysis.diagnostics);
    ward_compiler::codegen::compile(&analysis.program, &analysis.typed)
        .expect("compiles")
        .module
}

fn run_ward(module: &Module, workers: usize) -> RunOutput {
    let options = RunOptions {
        workers: Some(workers),
        grant: Grant::parse("clock").expect("a grant"),
        ..RunOptions::default()
    };
    let out = Host::new().run(module.clone(), &options).expect("runs");
    assert_eq!(out.outcome, Outcome::Finished, "{}", out.stderr);
    out
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Nanoseconds per operation of `template` (with `{N}` for the count):
/// runs of 2N and N operations, differenced.
fn ward_per_op(template: &str, n: u64, workers: usize) -> f64 {
    let small = compile(&template.replace("{N}", &n.to_string()));
    let large = compile(&template.replace("{N}", &(2 * n).to_string()));
    let mut per = Vec::new();
    for _ in 0..REPEATS {
        let a = run_ward(&small, workers).duration;
        let b = run_ward(&large, workers).duration;
        per.push(b.saturating_sub(a).as_nanos() as f64 / n as f64);
    }
    median(per)
}

fn rust_per_op(n: u64, mut f: impl FnMut(u64) -> Duration) -> f64 {
    let mut per = Vec::new();
    for _ in 0..REPEATS {
        let a = f(n);
        let b = f(2 * n);
        per.push(b.saturating_sub(a).as_nanos() as f64 / n as f64);
    }
    median(per)
}

const SPAWN_JOIN: &str = "use std::task;
fn main() -> Result<(), Error> {
    let mut total = 0;
    for i in 0..{N} {
        let h = task::spawn(move || i);
        total += h.join()?;
    }
    println(\"{}\", total);
    Ok(())
}
";

const SPAWN_ALL_JOIN_ALL: &str = "use std::task;
fn main() -> Result<(), Error> {
    let mut handles = List::new();
    for i in 0..{N} {
        handles.push(task::spawn(move || i));
    }
    let mut total = 0;
    for h in handles {
        total += h.join()?;
    }
    println(\"{}\", total);
    Ok(())
}
";

/// `{P}` producers and `{C}` consumers share one channel of `{K}`.
const CHANNEL: &str = "use std::task;
fn main() -> Result<(), Error> {
    let (tx, rx) = task::channel::<int>({K});
    let mut producers = List::new();
    let per = {N} / {P};
    for _ in 0..{P} {
        let tx = tx.clone();
        producers.push(task::spawn(move || {
            for i in 0..per {
                if tx.send(i).is_err() {
                    break;
                }
            }
        }));
    }
    drop(tx);
    let mut consumers = List::new();
    for _ in 0..{C} {
        let rx = rx.clone();
        consumers.push(task::spawn(move || {
            let mut n = 0;
            for _ in rx {
                n += 1;
            }
            n
        }));
    }
    drop(rx);
    let mut got = 0;
    for c in consumers {
        got += c.join()?;
    }
    for p in producers {
        p.join()?;
    }
    println(\"{}\", got);
    Ok(())
}
";

fn channel_program(producers: usize, consumers: usize, capacity: usize) -> String {
    CHANNEL
        .replace("{P}", &producers.to_string())
        .replace("{C}", &consumers.to_string())
        .replace("{K}", &capacity.to_string())
}

fn crossbeam_channel(n: u64, producers: usize, consumers: usize, capacity: usize) -> Duration {
    let start = Instant::now();
    let (tx, rx) = crossbeam_channel::bounded::<i64>(capacity);
    let per = n / producers as u64;
    let mut handles = Vec::new();
    for _ in 0..producers {
        let tx = tx.clone();
        handles.push(std::thread::spawn(move || {
            for i in 0..per {
                if tx.send(i.cast_signed()).is_err() {
                    break;
                }
            }
            0u64
        }));
    }
    drop(tx);
    for _ in 0..consumers {
        let rx = rx.clone();
        handles.push(std::thread::spawn(move || rx.iter().count() as u64));
    }
    drop(rx);
    let got: u64 = handles.into_iter().map(|h| h.join().expect("joins")).sum();
    assert_eq!(got, per * producers as u64);
    start.elapsed()
}

fn tokio_runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .build()
        .expect("a Tokio runtime")
}

/// The loop runs in a task, as Ward's `main` is one: spawning from a
/// worker, not from the thread blocked in `block_on`.
fn tokio_spawn_join(rt: &tokio::runtime::Runtime, n: u64) -> Duration {
    rt.block_on(async move {
        tokio::spawn(async move {
            let start = Instant::now();
            let mut total = 0u64;
            for i in 0..n {
                total += tokio::spawn(async move { i }).await.expect("joins");
            }
            assert_eq!(total, n * (n - 1) / 2);
            start.elapsed()
        })
        .await
        .expect("the driver task")
    })
}

fn tokio_spawn_all(rt: &tokio::runtime::Runtime, n: u64) -> Duration {
    rt.block_on(async move {
        tokio::spawn(async move {
            let start = Instant::now();
            let handles: Vec<_> = (0..n).map(|i| tokio::spawn(async move { i })).collect();
            let mut total = 0u64;
            for h in handles {
                total += h.await.expect("joins");
            }
            assert_eq!(total, n * (n - 1) / 2);
            start.elapsed()
        })
        .await
        .expect("the driver task")
    })
}

const FORK_JOIN: &str = "use std::task;
fn fib(n: int) -> int {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}
fn main() -> Result<(), Error> {
    let mut handles = List::new();
    for _ in 0..8 {
        handles.push(task::spawn(move || fib(24)));
    }
    let mut total = 0;
    for h in handles {
        total += h.join()?;
    }
    println(\"{}\", total);
    Ok(())
}
";

fn fib(n: u64) -> u64 {
    if n < 2 { n } else { fib(n - 1) + fib(n - 2) }
}

/// The same work as `FORK_JOIN` on `threads` native threads (each takes
/// a share of the 8 jobs, as the workers do), repeated to last about as
/// long as the Ward run.
fn native_fork_join(threads: usize, depth: u64, rounds: u32) -> Duration {
    let start = Instant::now();
    for _ in 0..rounds {
        let jobs = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let jobs = jobs.clone();
                std::thread::spawn(move || {
                    let mut total = 0;
                    while jobs.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < 8 {
                        total += std::hint::black_box(fib(std::hint::black_box(depth)));
                    }
                    total
                })
            })
            .collect();
        let total: u64 = handles.into_iter().map(|h| h.join().expect("joins")).sum();
        assert_eq!(total, 8 * fib(depth));
    }
    start.elapsed()
}

/// A `High` task's start latency while `Low` tasks keep every worker busy.
const HIGH_UNDER_LOW: &str = "use std::task;
fn spin(rounds: int) -> int {
    let mut acc = 0;
    for i in 0..rounds {
        acc = (acc + i * 7) % 1000003;
    }
    acc
}
fn main() -> Result<(), Error> uses clock {
    let (stop_tx, stop_rx) = task::channel::<int>(64);
    let mut flood = List::new();
    for _ in 0..{L} {
        let stop = stop_rx.clone();
        flood.push(task::spawn_with(TaskOptions { priority: Priority::Low, caps: &[] }, move || {
            let mut n = 0;
            while stop.try_recv().is_none() {
                n += spin(20000);
            }
            n
        }));
    }
    let mut latencies = List::new();
    for _ in 0..200 {
        let t0 = time::now();
        let h = task::spawn_with(TaskOptions { priority: Priority::High, caps: &[Cap::Clock] }, move || t0.elapsed_us());
        latencies.push(h.join()?);
        time::sleep(1);
    }
    for _ in 0..{L} {
        stop_tx.send(1)?;
    }
    for f in flood {
        f.join()?;
    }
    latencies.sort();
    println(\"{} {} {}\", latencies[100], latencies[198], latencies[199]);
    Ok(())
}
";

fn row(name: &str, ward: f64, anchor: f64, anchor_name: &str) {
    println!(
        "| {name:<44} | {ward:>10.0} | {anchor:>10.0} | {:>6.2}x | {anchor_name} |",
        ward / anchor
    );
}

fn main() {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    println!(
        "Tasks and channels (this machine: {cores} cores); ns per operation, lower is better."
    );
    println!("Ward figures are from in-process runs (2N minus N operations, median of {REPEATS}).");
    println!();
    println!(
        "| benchmark                                    |   Ward ns  | anchor ns  |  ratio  | anchor |"
    );
    println!(
        "|----------------------------------------------|-----------:|-----------:|--------:|--------|"
    );

    for workers in [1, 2] {
        let rt = tokio_runtime(workers);
        let n = 20_000;
        let w = ward_per_op(SPAWN_JOIN, n, workers);
        let t = rust_per_op(n, |n| tokio_spawn_join(&rt, n));
        row(
            &format!("spawn + join, one at a time ({workers} workers)"),
            w,
            t,
            "Tokio",
        );
        let w = ward_per_op(SPAWN_ALL_JOIN_ALL, n, workers);
        let t = rust_per_op(n, |n| tokio_spawn_all(&rt, n));
        row(
            &format!("spawn N, then join N ({workers} workers)"),
            w,
            t,
            "Tokio",
        );
    }

    let n = 200_000;
    for (name, p, c, k) in [
        ("channel SPSC bounded(1024)", 1, 1, 1024),
        ("channel MPMC bounded(1024), 2 to 2", 2, 2, 1024),
        ("channel SPSC rendezvous (0)", 1, 1, 0),
    ] {
        let src = channel_program(p, c, k);
        for workers in [1, 2] {
            let n = if k == 0 { n / 4 } else { n };
            let w = ward_per_op(&src, n, workers);
            let x = rust_per_op(n, |n| crossbeam_channel(n, p, c, k));
            row(&format!("{name} ({workers} workers)"), w, x, "crossbeam");
        }
    }
    println!();

    // Fork-join scaling: the same CPU-bound program on 1 and 2 workers,
    // next to native threads doing the same jobs.
    let module = compile(FORK_JOIN);
    let time_ward = |workers| {
        median(
            (0..REPEATS)
                .map(|_| run_ward(&module, workers).duration.as_secs_f64())
                .collect(),
        )
    };
    let (w1, w2) = (time_ward(1), time_ward(2));
    // Native fib(24) is about 300x faster than the interpreter: deeper
    // jobs and rounds bring it to a comparable duration.
    let time_native = |threads| {
        median(
            (0..REPEATS)
                .map(|_| native_fork_join(threads, 30, 4).as_secs_f64())
                .collect(),
        )
    };
    let (n1, n2) = (time_native(1), time_native(2));
    let ward_speedup = w1 / w2;
    let native_speedup = n1 / n2;
    println!("Fork-join, 8 jobs of fib(24) in Ward / fib(30) x4 natively:");
    println!(
        "  Ward {:.1} ms on 1 worker, {:.1} ms on 2: {ward_speedup:.2}x;  native threads {:.1} ms / {:.1} ms: {native_speedup:.2}x",
        w1 * 1e3,
        w2 * 1e3,
        n1 * 1e3,
        n2 * 1e3
    );
    println!(
        "  scaling relative to native: {:.2} (required >= 0.85, aim >= 0.95)",
        ward_speedup / native_speedup
    );
    let out = run_ward(&module, 2);
    if let Some(s) = &out.sched {
        println!(
            "  per worker on 2 workers: runs {:?}, steals {}, parks {}, yields {}",
            s.runs, s.steals, s.parks, s.yields
        );
    }
    println!();

    for workers in [1, 2] {
        let src = HIGH_UNDER_LOW.replace("{L}", &(2 * workers).to_string());
        let module = compile(&src);
        let out = run_ward(&module, workers);
        let figures: Vec<&str> = out.stdout.split_whitespace().collect();
        println!(
            "High task start latency under {} Low CPU-bound tasks ({workers} workers): p50 {} us, p99 {} us, max {} us",
            2 * workers,
            figures.first().unwrap_or(&"?"),
            figures.get(1).unwrap_or(&"?"),
            figures.get(2).unwrap_or(&"?")
        );
    }
}

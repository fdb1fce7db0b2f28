//! The 100 ms budget (issue 23), in one command. For a generated
//! 10 000-line program (`ward_tests::generate_program`):
//!
//! 1. the full check, phase by phase (in process, medians of 10), and
//!    `ward check` as a process (median wall time, peak RSS);
//! 2. rustc on the same program translated to Rust
//!    (`ward_tests::generate_rust_program`), in the same run: its
//!    `type_check_crate` and `MIR_borrow_checking` passes (`-Z time-passes`
//!    through `RUSTC_BOOTSTRAP=1`) and its whole `--emit=metadata`, with
//!    the ratios;
//! 3. the real `ward lsp` (release build): time to the first diagnostics
//!    after `didOpen`, then 200 edits of three kinds — inside a body, in a
//!    signature (a parameter added to and taken from a method), adding a
//!    function (and removing it) in the middle of the file — each timed
//!    from the `didChange` to the `publishDiagnostics` of that version;
//!    RSS; completion, signature help and formatting; RSS after close.
//!
//! Run: `cargo run --release -p ward --example lsp_bench [-- LINES]`
//! (10 000 lines by default; 65 000 make a 2 MB document).

// Shared with the protocol tests; the benchmark uses part of it.
#[allow(dead_code)]
#[path = "../tests/lsp/client.rs"]
mod client;

use serde_json::{Value, json};
use std::time::{Duration, Instant};

const LINES: usize = 10_000;
const EDITS: usize = 200;

/// `VmRSS` and `VmHWM` of a process, in MB.
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    (kb("VmRSS:") / 1024.0, kb("VmHWM:") / 1024.0)
}

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    let i = (sorted.len() * p / 100).min(sorted.len() - 1);
    sorted[i].as_secs_f64() * 1000.0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `ward check FILE` as a process: median wall time of `runs`, and its
/// peak RSS (MB; `VmHWM`, read every millisecond while it runs — the
/// peak is reached before the report is printed).
fn ward_check_process(ward: &str, file: &std::path::Path, runs: usize) -> (f64, f64) {
    let mut peak = 0.0f64;
    let times: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let Ok(mut child) = std::process::Command::new(ward)
                .arg("check")
                .arg(file)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
            else {
                return t.elapsed();
            };
            while let Ok(None) = child.try_wait() {
                let (_, hwm) = memory(child.id());
                if hwm.is_finite() {
                    peak = peak.max(hwm);
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            t.elapsed()
        })
        .collect();
    (ms(ward_tests::phases::median(&times)), peak)
}

/// rustc's `type_check_crate` and `MIR_borrow_checking` passes and its
/// whole `--emit=metadata` run on `file`, medians of 3 (ms); `None` when
/// rustc cannot be run.
fn rustc_check(file: &std::path::Path, dir: &std::path::Path) -> Option<(f64, f64, f64)> {
    let mut typeck = Vec::new();
    let mut borrowck = Vec::new();
    let mut whole = Vec::new();
    for _ in 0..3 {
        let t = Instant::now();
        let out = std::process::Command::new("rustc")
            .env("RUSTC_BOOTSTRAP", "1")
            .args([
                "--edition",
                "2021",
                "--emit=metadata",
                "--crate-type=bin",
                "-Z",
                "time-passes",
                "-o",
            ])
            .arg(dir.join("bench.rmeta"))
            .arg(file)
            .output()
            .ok()?;
        whole.push(t.elapsed());
        if !out.status.success() {
            eprintln!("rustc failed:\n{}", String::from_utf8_lossy(&out.stderr));
            return None;
        }
        let passes = String::from_utf8_lossy(&out.stderr).into_owned();
        let pass = |name: &str| {
            passes.lines().find_map(|l| {
                let secs = l
                    .strip_prefix("time:")?
                    .split(';')
                    .next()?
                    .trim()
                    .parse::<f64>()
                    .ok()?;
                l.trim_end()
                    .ends_with(name)
                    .then(|| Duration::from_secs_f64(secs))
            })
        };
        typeck.push(pass("type_check_crate")?);
        borrowck.push(pass("MIR_borrow_checking")?);
    }
    let median = ward_tests::phases::median;
    Some((
        ms(median(&typeck)),
        ms(median(&borrowck)),
        ms(median(&whole)),
    ))
}

fn main() {
    // `WARD_BENCH_SERVER`: another command to start (a wrapper that runs
    // the server under a profiler).
    let ward = std::env::var("WARD_BENCH_SERVER").unwrap_or_else(|_| ward_tests::release_ward());
    let lines_wanted = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(LINES);
    let text = ward_tests::generate_program(lines_wanted);

    // 1 and 2: the full check, and rustc on the same program.
    let dir = std::env::temp_dir().join(format!("ward-budget-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let ward_file = dir.join("bench.ward");
    let rust_file = dir.join("bench.rs");
    let _ = std::fs::write(&ward_file, &text);
    let _ = std::fs::write(&rust_file, ward_tests::generate_rust_program(lines_wanted));
    let phases: Vec<(&str, f64)> = ward_tests::phases::time(&text, 10)
        .into_iter()
        .map(|(stage, samples)| (stage, ms(ward_tests::phases::median(&samples))))
        .collect();
    let phase = |name: &str| {
        phases
            .iter()
            .find(|(stage, _)| stage.starts_with(name))
            .map_or(0.0, |(_, t)| *t)
    };
    let (process_ms, process_peak) = ward_check_process(&ward, &ward_file, 11);
    let rustc = rustc_check(&rust_file, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "program: {} lines, {} bytes",
        text.lines().count(),
        text.len()
    );
    println!("full check, in process (median of 10):");
    for (stage, t) in &phases {
        println!("  {stage:<32} {t:>8.1} ms");
    }
    println!(
        "ward check (process, median of 11): {process_ms:.1} ms, peak RSS {process_peak:.1} MB"
    );
    let ward_typeck_borrowck = phase("type check") + phase("borrow check");
    match rustc {
        Some((typeck, borrowck, whole)) => {
            println!("rustc 2021 on the Rust translation (median of 3):");
            println!("  {:<22} {typeck:>8.1} ms", "type_check_crate");
            println!("  {:<22} {borrowck:>8.1} ms", "MIR_borrow_checking");
            println!("  {:<22} {whole:>8.1} ms", "--emit=metadata (all)");
            println!(
                "ratio ward / rustc: type + borrow check {:.2}x ({ward_typeck_borrowck:.1} / {:.1} ms); whole check {:.2}x ({process_ms:.1} / {whole:.1} ms)",
                ward_typeck_borrowck / (typeck + borrowck),
                typeck + borrowck,
                process_ms / whole
            );
        }
        None => println!("rustc: not available, no ratio"),
    }

    // 3: the language server.
    let (_, uri) = client::temp_uri("bench.ward");
    let (mut c, _) = client::Client::spawn(&ward).initialize(json!({}), Value::Null);

    let (rss_before, _) = memory(c.pid());
    let start = Instant::now();
    c.open(&uri, &text);
    let first = c.diagnostics(&uri, 1);
    let to_first = start.elapsed();
    let errors = first.iter().filter(|d| d["severity"] == 1).count();

    // Three places in the unit at the middle of the file: a line inside
    // a body (the first body line after the middle `fn run_`), the
    // signature of that unit's `bump`, and the line after the unit, where
    // a function is added and removed again.
    let lines: Vec<&str> = text.lines().collect();
    let run_line = (lines.len() / 2..lines.len())
        .find(|&i| lines[i].starts_with("fn run_"))
        .unwrap_or(lines.len() / 2);
    let middle = run_line + 1;
    let bump = (0..run_line)
        .rev()
        .find(|&i| lines[i].trim_start().starts_with("fn bump("))
        .unwrap_or(run_line);
    let bump_paren = lines[bump]
        .find("by: int")
        .map_or(0, |c| c + "by: int".len());
    let after_unit = (run_line..lines.len())
        .find(|&i| lines[i].is_empty())
        .map_or(lines.len(), |i| i + 1);
    let added = "fn added_helper(x: int) -> int {\n    x * 2 + 1\n}\n\n";
    let kinds = ["inside a body", "in a signature", "adding a function"];
    let mut state = [false; 3];
    let mut by_kind: [Vec<Duration>; 3] = Default::default();
    let range = |l0: usize, c0: usize, l1: usize, c1: usize| json!({"start": {"line": l0, "character": c0}, "end": {"line": l1, "character": c1}});
    let mut samples = Vec::with_capacity(EDITS);
    for k in 0..EDITS {
        let version = i64::try_from(k).unwrap_or(0) + 2;
        let kind = k % 3;
        let on = !state[kind];
        state[kind] = on;
        let change = match (kind, on) {
            // Type a space at the start of the line, then take it back out.
            (0, true) => json!({"range": range(middle, 0, middle, 0), "text": " "}),
            (0, false) => json!({"range": range(middle, 0, middle, 1), "text": ""}),
            (1, true) => {
                json!({"range": range(bump, bump_paren, bump, bump_paren), "text": ", _k: int"})
            }
            (1, false) => {
                json!({"range": range(bump, bump_paren, bump, bump_paren + ", _k: int".len()), "text": ""})
            }
            (_, true) => json!({"range": range(after_unit, 0, after_unit, 0), "text": added}),
            (_, false) => json!({"range": range(after_unit, 0, after_unit + 4, 0), "text": ""}),
        };
        let sent = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        let published = c.diagnostics(&uri, version);
        let took = sent.elapsed();
        let new_errors = published.iter().filter(|d| d["severity"] == 1).count();
        assert_eq!(
            new_errors, 0,
            "edit {k} ({}) made errors: {published:?}",
            kinds[kind]
        );
        samples.push(took);
        by_kind[kind].push(took);
    }
    samples.sort();
    for v in &mut by_kind {
        v.sort();
    }
    // A burst: ten edits as fast as a paste, then the diagnostics of the
    // last (the checks of the others are skipped or cancelled).
    let burst_start = Instant::now();
    let mut last = 0;
    for k in 0..10 {
        last = i64::try_from(EDITS + k).unwrap_or(0) + 2;
        let change = if k % 2 == 0 {
            json!({"range": {"start": {"line": middle, "character": 0}, "end": {"line": middle, "character": 0}}, "text": " "})
        } else {
            json!({"range": {"start": {"line": middle, "character": 0}, "end": {"line": middle, "character": 1}}, "text": ""})
        };
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": last}, "contentChanges": [change]}),
        );
    }
    let _ = c.diagnostics(&uri, last);
    let burst = burst_start.elapsed();
    let (rss, peak) = memory(c.pid());
    let (rss_open, _) = (rss, peak);

    // Requests that analyse the text as typed (completion, signature
    // help) or only reformat it, at the edited line.
    let indent = lines[middle].len() - lines[middle].trim_start().len();
    let at =
        json!({"textDocument": {"uri": uri}, "position": {"line": middle, "character": indent}});
    let mut timed = |method: &str, params: &Value| {
        let mut times: Vec<Duration> = (0..20)
            .map(|_| {
                let sent = Instant::now();
                let _ = c.request(method, params.clone());
                sent.elapsed()
            })
            .collect();
        times.sort();
        (percentile(&times, 50), percentile(&times, 95))
    };
    let completion = timed("textDocument/completion", &at);
    let signature = timed("textDocument/signatureHelp", &at);
    let formatting = timed(
        "textDocument/formatting",
        &json!({"textDocument": {"uri": uri}, "options": {"tabSize": 4, "insertSpaces": true}}),
    );
    // The close publishes an empty list; then let the allocator settle.
    c.close(&uri);
    std::thread::sleep(Duration::from_millis(
        std::env::var("WARD_BENCH_SETTLE_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(500),
    ));
    let (rss_closed, _) = memory(c.pid());
    println!(
        "document: {} lines, {} bytes, {errors} errors",
        lines.len(),
        text.len()
    );
    println!(
        "first diagnostics after didOpen: {:.1} ms",
        to_first.as_secs_f64() * 1000.0
    );
    println!("didChange -> publishDiagnostics (ms):");
    println!(
        "  {:<22} {:>6} {:>8} {:>8} {:>8}",
        "edit", "count", "p50", "p95", "max"
    );
    for (kind, v) in kinds.iter().zip(&by_kind) {
        println!(
            "  {kind:<22} {:>6} {:>8.1} {:>8.1} {:>8.1}",
            v.len(),
            percentile(v, 50),
            percentile(v, 95),
            percentile(v, 100)
        );
    }
    println!(
        "  {:<22} {:>6} {:>8.1} {:>8.1} {:>8.1}",
        "all",
        samples.len(),
        percentile(&samples, 50),
        percentile(&samples, 95),
        percentile(&samples, 100)
    );
    println!(
        "10 edits in a burst -> diagnostics of the last: {:.1} ms",
        burst.as_secs_f64() * 1000.0
    );
    println!("server memory: RSS {rss:.1} MB, peak {peak:.1} MB");
    println!(
        "after didClose: RSS {rss_closed:.1} MB (was {rss_open:.1} MB open, {rss_before:.1} MB before)"
    );
    if std::env::var_os("WARD_BENCH_REOPEN").is_some() {
        for round in 2..=4 {
            c.open_version(&uri, &text, 1000 + round);
            let _ = c.diagnostics(&uri, 1000 + round);
            let (open, _) = memory(c.pid());
            c.close(&uri);
            std::thread::sleep(Duration::from_millis(500));
            let (closed, _) = memory(c.pid());
            println!("open/close round {round}: RSS {open:.1} MB open, {closed:.1} MB closed");
        }
    }
    for (name, (p50, p95)) in [
        ("completion", completion),
        ("signatureHelp", signature),
        ("formatting", formatting),
    ] {
        println!("{name} over 20 requests: p50 {p50:.1} ms, p95 {p95:.1} ms");
    }
    let _ = c.shutdown_and_exit();
}

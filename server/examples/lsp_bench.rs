//! The language server's latency benchmark: a generated 10 000-line
//! program open in the real `ward lsp` (release build), then edits inside
//! one function, one at a time, each timed from the `didChange` to the
//! `publishDiagnostics` for that version. Also: time to the first
//! diagnostics after `didOpen`, the server's resident memory, and the
//! latency of completion, signature help and formatting on that document.
//!
//! Then the document is closed and the memory read again.
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

fn main() {
    // `WARD_BENCH_SERVER`: another command to start (a wrapper that runs
    // the server under a profiler).
    let ward = std::env::var("WARD_BENCH_SERVER").unwrap_or_else(|_| ward_tests::release_ward());
    let lines_wanted = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(LINES);
    let text = ward_tests::generate_program(lines_wanted);
    let (_, uri) = client::temp_uri("bench.ward");
    let (mut c, _) = client::Client::spawn(&ward).initialize(json!({}), Value::Null);

    let (rss_before, _) = memory(c.pid());
    let start = Instant::now();
    c.open(&uri, &text);
    let first = c.diagnostics(&uri, 1);
    let to_first = start.elapsed();
    let errors = first.iter().filter(|d| d["severity"] == 1).count();

    // A line inside a function in the middle of the file: the first body
    // line after the middle `fn`.
    let lines: Vec<&str> = text.lines().collect();
    let middle = (lines.len() / 2..lines.len())
        .find(|&i| lines[i].trim_start().starts_with("fn "))
        .map_or(lines.len() / 2, |i| i + 1);
    let mut samples = Vec::with_capacity(EDITS);
    for k in 0..EDITS {
        let version = i64::try_from(k).unwrap_or(0) + 2;
        // Type a space at the start of the line, then take it back out.
        let change = if k % 2 == 0 {
            json!({"range": {"start": {"line": middle, "character": 0}, "end": {"line": middle, "character": 0}}, "text": " "})
        } else {
            json!({"range": {"start": {"line": middle, "character": 0}, "end": {"line": middle, "character": 1}}, "text": ""})
        };
        let sent = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [change]}),
        );
        let _ = c.diagnostics(&uri, version);
        samples.push(sent.elapsed());
    }
    samples.sort();
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
    println!(
        "didChange -> publishDiagnostics over {EDITS} edits: p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms",
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

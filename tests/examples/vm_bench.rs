//! The VM benchmark table: each program of `bench/programs` under
//! `ward run` (release build), Lua 5.4 (`lua5.4`), the interpreter of `LuaJIT`
//! (`luajit -joff`) and Python 3, best of three wall-clock runs, with
//! ratios (a column is `-` when its interpreter is not installed; Debian's
//! `lua5.4` and `luajit` packages); then what error handling costs on
//! the happy path (`errors_plain` against `errors_handled`), and startup
//! time and peak RSS of `ward run` on hello-world; then the GC table
//! (`ward_tests::gc_table`) for the programs of `bench/gc`.
//!
//! Run: `cargo run --release -p ward-tests --example vm_bench`
//! (it builds the release `ward` binary first).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use ward_tests::{release_ward, repo_root};

const PROGRAMS: [(&str, &str); 9] = [
    ("fib", "fib(32)"),
    ("loop", "for over 1..=10^8"),
    ("structs", "64 structs, iter_mut x200k"),
    ("closures", "closures, 2M made+called"),
    ("nbody", "n-body, 100k steps"),
    ("spectral_norm", "spectral-norm, n=300"),
    ("binary_trees", "binary-trees, depth 16"),
    ("strings", "string building, 1M pieces"),
    ("word_count", "map word count, 1M words"),
];

/// Best of `n` runs, or `None` when the interpreter is missing or fails.
fn time(cmd: &[&str], dir: &Path, n: usize) -> Option<(Duration, String)> {
    let mut best: Option<Duration> = None;
    let mut output = String::new();
    for _ in 0..n {
        let start = Instant::now();
        let out = Command::new(cmd[0])
            .args(&cmd[1..])
            .current_dir(dir)
            .stderr(Stdio::null())
            .output()
            .ok()?;
        let t = start.elapsed();
        if !out.status.success() {
            return None;
        }
        output = String::from_utf8_lossy(&out.stdout).into_owned();
        best = Some(best.map_or(t, |b| b.min(t)));
    }
    best.map(|b| (b, output))
}

fn secs(d: Option<Duration>) -> String {
    d.map_or("-".into(), |d| format!("{:.3}", d.as_secs_f64()))
}

fn ratio(ward: Option<Duration>, other: Option<Duration>) -> String {
    match (ward, other) {
        (Some(w), Some(o)) => format!("{:.2}x", w.as_secs_f64() / o.as_secs_f64()),
        _ => "-".into(),
    }
}

/// Peak RSS in KiB of a command, as GNU time (`/usr/bin/time -f %M`)
/// reports it. (Python's `resource` module is no use here: the child it
/// forks starts as a copy of the interpreter, whose size it then reports.)
fn peak_rss_kib(cmd: &[&str], dir: &Path) -> Option<u64> {
    let out = Command::new("/usr/bin/time")
        .args(["-f", "%M"])
        .args(cmd)
        .current_dir(dir)
        .stdout(Stdio::null())
        .output()
        .ok()?;
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()?
        .trim()
        .parse()
        .ok()
}

fn main() {
    let root = repo_root();
    let ward = release_ward();
    let dir = root.join("bench/programs");
    println!(
        "{:<28} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9}",
        "benchmark", "ward s", "lua s", "ljoff s", "py s", "ward/lua", "ward/ljoff", "ward/py"
    );
    for (name, what) in PROGRAMS {
        let script = |ext: &str| format!("{name}.{ext}");
        let wrd = time(&[&ward, "run", &script("ward")], &dir, 3);
        let lua = time(&["lua5.4", &script("lua")], &dir, 3);
        // LuaJIT's numbers are doubles: word_count's 62-bit integer
        // products would lose bits there, so it computes something else.
        let jit = (name != "word_count")
            .then(|| time(&["luajit", "-joff", &script("lua")], &dir, 3))
            .flatten();
        let py = time(&["python3", &script("py")], &dir, 3);
        let same = |o: &Option<(Duration, String)>| match (&wrd, o) {
            (Some((_, a)), Some((_, b))) => a.split_whitespace().eq(b.split_whitespace()),
            _ => true,
        };
        let mark = if same(&lua) && same(&jit) && same(&py) {
            ""
        } else {
            "  (outputs differ!)"
        };
        let (wt, lt, jt, pt) = (
            wrd.map(|x| x.0),
            lua.map(|x| x.0),
            jit.map(|x| x.0),
            py.map(|x| x.0),
        );
        println!(
            "{:<28} {:>8} {:>8} {:>8} {:>8} {:>9} {:>9} {:>9}{mark}",
            what,
            secs(wt),
            secs(lt),
            secs(jt),
            secs(pt),
            ratio(wt, lt),
            ratio(wt, jt),
            ratio(wt, pt)
        );
    }
    // Error handling on the happy path: the same work with and without
    // `?`, `try`/`recover` and `defer`, runs interleaved, best of 5 each.
    let (mut plain, mut handled) = (None::<Duration>, None::<Duration>);
    for _ in 0..5 {
        let min = |best: Option<Duration>, t: Option<(Duration, String)>| match (best, t) {
            (Some(b), Some((t, _))) => Some(b.min(t)),
            (None, Some((t, _))) => Some(t),
            (b, None) => b,
        };
        plain = min(plain, time(&[&ward, "run", "errors_plain.ward"], &dir, 1));
        handled = min(
            handled,
            time(&[&ward, "run", "errors_handled.ward"], &dir, 1),
        );
    }
    if let (Some(p), Some(h)) = (plain, handled) {
        println!(
            "\nerror handling, happy path: plain {:.3} s, with ?/try/defer {:.3} s: overhead {:+.1} % (required < 5 %)",
            p.as_secs_f64(),
            h.as_secs_f64(),
            (h.as_secs_f64() / p.as_secs_f64() - 1.0) * 100.0
        );
    }
    // Startup: median of 21 runs of hello-world.
    let mut runs: Vec<Duration> = (0..21)
        .filter_map(|_| time(&[&ward, "run", "hello.ward"], &dir, 1).map(|x| x.0))
        .collect();
    runs.sort();
    let median = runs.get(runs.len() / 2).copied();
    let rss = peak_rss_kib(&[&ward, "run", "hello.ward"], &dir);
    println!(
        "\nward run hello.ward: startup {} ms (median of 21), peak RSS {}",
        median.map_or("-".into(), |d| format!("{:.2}", d.as_secs_f64() * 1000.0)),
        rss.map_or("-".into(), |k| format!(
            "{:.2} MiB",
            f64::from(u32::try_from(k).unwrap_or(u32::MAX)) / 1024.0
        ))
    );
    // The collector on its own programs: pauses, share of the run, cost
    // against the same run with collection off.
    println!("\nGC (bench/gc, median of 3 runs each way):");
    ward_tests::gc_table::print_gc_table(&ward, 3);
}

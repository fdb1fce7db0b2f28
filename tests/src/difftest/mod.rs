//! Differential testing of the borrow checker against rustc: generate a
//! common-subset program, check it with Ward, translate it to Rust, compile
//! that with `rustc --edition 2021`, and compare the verdicts — accepted or
//! rejected, and with which error numbers (W0382 ↔ E0382; W0623 ↔ rustc's
//! un-numbered "lifetime may not live long enough"; W0801, a `Gc` that
//! borrows, ↔ E0597 on the translation's `T: 'static` bound of `gc_new`).

pub mod generate;
pub mod run;
pub mod translate;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;
use ward_compiler::analysis::analyze_text;
use ward_compiler::diagnostics::Severity;

/// The error codes of a verdict (empty: accepted), as `0382`-style numbers.
pub type Codes = BTreeSet<String>;

#[derive(Debug, Clone)]
pub struct Outcome {
    pub seed: u64,
    pub ward: Codes,
    pub rust: Codes,
    pub ward_src: String,
    pub rust_src: String,
    /// What each printed, when both accepted the program and it was run.
    pub runs: Option<(run::Run, run::Run)>,
}

impl Outcome {
    /// The same verdict and, when run, the same output and exit status.
    pub fn agrees(&self) -> bool {
        self.ward == self.rust && self.runs.as_ref().is_none_or(|(w, r)| w == r)
    }

    pub fn verdicts_agree(&self) -> bool {
        self.ward == self.rust
    }
}

/// Ward's verdict on a program: the numbers of its errors.
pub fn ward_codes(src: &str) -> (Codes, ward_compiler::analysis::Analysis) {
    let analysis = analyze_text("difftest.ward", src);
    let codes = analysis
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| match d.code.0 {
            // rustc's word for the `'static` bound `gc_new` puts on `T`.
            "W0801" => "0597".to_string(),
            c => c.trim_start_matches('W').to_string(),
        })
        .collect();
    (codes, analysis)
}

/// rustc's verdict on a Rust file: the numbers of its errors (`0623` for
/// "lifetime may not live long enough", the message for other un-numbered
/// errors).
pub fn rustc_codes(rust: &str, dir: &Path, name: &str) -> Result<Codes, String> {
    let file = dir.join(format!("{name}.rs"));
    std::fs::write(&file, rust).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    let out = Command::new("rustc")
        .args([
            "--edition",
            "2021",
            "--crate-type",
            "bin",
            "--emit=metadata",
            "-A",
            "warnings",
            "-o",
        ])
        .arg(dir.join(format!("{name}.rmeta")))
        .arg(&file)
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut codes = Codes::new();
    for line in stderr.lines() {
        if let Some(rest) = line.strip_prefix("error[E") {
            codes.insert(rest.chars().take(4).collect());
        } else if let Some(msg) = line.strip_prefix("error: ") {
            if msg.starts_with("aborting due to") || msg.starts_with("could not compile") {
                continue;
            }
            if msg.starts_with("lifetime may not live long enough") {
                codes.insert("0623".into());
            } else {
                codes.insert(msg.to_string());
            }
        }
    }
    if !out.status.success() && codes.is_empty() {
        return Err(format!("rustc failed without an error line:\n{stderr}"));
    }
    Ok(codes)
}

/// Generates, checks and compares the program of one seed; with `run`,
/// also runs a program both accept under the VM and as rustc built it.
pub fn check_seed(seed: u64, dir: &Path, run: bool) -> Result<Outcome, String> {
    let ward_src = generate::program_with_header(seed);
    let (ward, analysis) = ward_codes(&ward_src);
    let rust_src = translate::translate(&analysis)?;
    let name = format!("seed{seed}");
    let rust = rustc_codes(&rust_src, dir, &name)?;
    let runs = if run && ward.is_empty() && rust.is_empty() {
        let w = run::ward_run(&name, &ward_src)?;
        let r = run::rustc_run(&rust_src, dir, &name)?;
        Some((w, r))
    } else {
        None
    };
    Ok(Outcome {
        seed,
        ward,
        rust,
        ward_src,
        rust_src,
        runs,
    })
}

/// What a batch found.
#[derive(Debug, Default)]
pub struct Report {
    pub outcomes: Vec<Outcome>,
    /// Seeds that could not be compared, and why.
    pub skipped: Vec<(u64, String)>,
}

impl Report {
    pub fn disagreements(&self) -> Vec<&Outcome> {
        self.outcomes.iter().filter(|o| !o.agrees()).collect()
    }

    /// Programs both accepted and ran, and how many of those printed
    /// something different or ended differently.
    pub fn run_figures(&self) -> (usize, usize) {
        let ran: Vec<_> = self
            .outcomes
            .iter()
            .filter_map(|o| o.runs.as_ref())
            .collect();
        (ran.len(), ran.iter().filter(|(w, r)| w != r).count())
    }

    pub fn accepted(&self) -> usize {
        self.outcomes.iter().filter(|o| o.rust.is_empty()).count()
    }

    pub fn summary(&self) -> String {
        let n = self.outcomes.len();
        let agree = self.outcomes.iter().filter(|o| o.verdicts_agree()).count();
        let (ran, differ) = self.run_figures();
        #[allow(clippy::cast_precision_loss)]
        let rate = if n == 0 {
            0.0
        } else {
            100.0 * agree as f64 / n as f64
        };
        format!(
            "{n} programs compared ({} accepted by rustc, {} rejected), {agree} verdicts agree: {rate:.2} %; {} skipped; {ran} run both ways, {differ} with different output",
            self.accepted(),
            n - self.accepted(),
            self.skipped.len()
        )
    }
}

/// A fresh scratch directory for rustc's inputs and outputs: one per call,
/// so a caller that removes its own cannot pull files from under another
/// test running in parallel.
pub fn scratch_dir() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("ward-difftest-{}-{n}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Runs seeds `start..start + count` on `threads` threads (`run`: see
/// [`check_seed`]).
pub fn run(start: u64, count: u64, threads: usize, run: bool) -> Report {
    let dir = scratch_dir();
    let next = std::sync::atomic::AtomicU64::new(start);
    let results = std::sync::Mutex::new(Report::default());
    std::thread::scope(|s| {
        for _ in 0..threads.max(1) {
            s.spawn(|| {
                loop {
                    let seed = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if seed >= start + count {
                        break;
                    }
                    let r = check_seed(seed, &dir, run);
                    let mut rep = results
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    match r {
                        Ok(o) => rep.outcomes.push(o),
                        Err(e) => rep.skipped.push((seed, e)),
                    }
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
    let mut rep = results
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    rep.outcomes.sort_by_key(|o| o.seed);
    rep
}

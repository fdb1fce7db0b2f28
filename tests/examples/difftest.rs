//! Differential testing against rustc, by hand and at scale:
//! `cargo run --release -p ward-tests --example difftest -- [COUNT] [FIRST_SEED]`
//! prints the agreement rate and every disagreement (the Ward program, its
//! translation and both verdicts); programs both accept are also run
//! both ways (unless `DIFFTEST_NO_RUN` is set) and must print the same. `… --example difftest -- FILE.ward`
//! prints one program's translation, both verdicts and both runs.

fn main() {
    if let Some(file) = std::env::args().nth(1).filter(|a| {
        std::path::Path::new(a)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("ward"))
    }) {
        one_file(&file);
        return;
    }
    let mut args = std::env::args().skip(1);
    let count: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let start: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let threads = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
    let run = std::env::var_os("DIFFTEST_NO_RUN").is_none();
    let report = ward_tests::difftest::run(start, count, threads, run);
    for o in report.disagreements() {
        println!(
            "=== seed {}: ward {:?} vs rustc {:?}",
            o.seed, o.ward, o.rust
        );
        if let Some((w, r)) = &o.runs {
            println!("ward ran {w:?}\nrustc's ran {r:?}");
        }
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

fn one_file(file: &str) {
    let src = match std::fs::read_to_string(file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cannot read {file}: {e}");
            std::process::exit(2);
        }
    };
    let (ward, analysis) = ward_tests::difftest::ward_codes(&src);
    let rust = match ward_tests::difftest::translate::translate(&analysis) {
        Ok(r) => r,
        Err(e) => {
            println!("does not translate: {e}");
            return;
        }
    };
    println!("{rust}");
    let dir = ward_tests::difftest::scratch_dir();
    let verdict = ward_tests::difftest::rustc_codes(&rust, &dir, "one");
    println!("ward {ward:?} vs rustc {verdict:?}");
    if ward.is_empty()
        && verdict
            .as_ref()
            .is_ok_and(std::collections::BTreeSet::is_empty)
    {
        println!(
            "ward:  {:?}",
            ward_tests::difftest::run::ward_run(file, &src)
        );
        println!(
            "rustc: {:?}",
            ward_tests::difftest::run::rustc_run(&rust, &dir, "one")
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

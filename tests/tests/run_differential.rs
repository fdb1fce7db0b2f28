//! Running the common subset both ways: Ward programs (the program corpus,
//! the borrow checker's accepted corpus cases and generated programs) run
//! under the VM and, translated, under rustc; stdout and exit status must
//! be identical.

use ward_tests::difftest::{generate, run, scratch_dir};
use ward_tests::{repo_root, ward_files};

/// Compares every case on two threads; returns (compared, failures).
fn compare(cases: &[(String, String)]) -> (usize, Vec<String>) {
    let dir = scratch_dir();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results = std::sync::Mutex::new((0usize, Vec::new()));
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some((name, src)) = cases.get(i) else {
                        break;
                    };
                    let r = run::both(name, src, &dir);
                    let mut res = results.lock().expect("lock");
                    match r {
                        Ok(None) => {}
                        Ok(Some((ward, rust))) => {
                            res.0 += 1;
                            if ward != rust {
                                res.1.push(format!(
                                    "{name}: ward {ward:?}\n   rustc {rust:?}\n{src}"
                                ));
                            }
                        }
                        Err(e) => res.1.push(format!("{name}: {e}")),
                    }
                }
            });
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
    results.into_inner().expect("lock")
}

fn read_cases(dir: &str) -> Vec<(String, String)> {
    ward_files(&repo_root().join(dir))
        .into_iter()
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, std::fs::read_to_string(&p).expect("readable"))
        })
        .collect()
}

#[test]
fn the_program_corpus_prints_what_rust_prints() {
    let (compared, failures) = compare(&read_cases("tests/programs"));
    eprintln!("{compared} compared");
    assert!(
        compared >= 20,
        "only {compared} programs are in the common subset"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn accepted_borrowck_cases_print_what_rust_prints() {
    let (compared, failures) = compare(&read_cases("tests/diagnostics/borrowck"));
    eprintln!("{compared} compared");
    assert!(compared >= 20, "only {compared} cases compared");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn generated_programs_print_what_rust_prints() {
    let cases: Vec<(String, String)> = (0..120u64)
        .map(|seed| {
            (
                format!("seed{seed}.ward"),
                generate::program_with_header(seed),
            )
        })
        .collect();
    let (compared, failures) = compare(&cases);
    eprintln!("{compared} compared");
    assert!(
        compared >= 10,
        "only {compared} generated programs compared"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

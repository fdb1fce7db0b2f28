//! The seeded differential batch: 200 generated common-subset programs,
//! each checked by Ward and compiled (as its Rust translation) by
//! `rustc --edition 2021`; every verdict and error number must agree.
//! `cargo run --release -p ward-tests --example difftest -- 5000` runs
//! thousands and reports the rate.

use ward_tests::difftest;

#[test]
fn ward_agrees_with_rustc_on_the_seeded_batch() {
    let report = difftest::run(1, 200, 2, true);
    assert!(report.skipped.is_empty(), "skipped: {:?}", report.skipped);
    let bad: Vec<String> = report
        .disagreements()
        .iter()
        .map(|o| {
            format!(
                "seed {}: ward {:?} vs rustc {:?}\n{}\n{}",
                o.seed, o.ward, o.rust, o.ward_src, o.rust_src
            )
        })
        .collect();
    assert!(bad.is_empty(), "{}\n{}", report.summary(), bad.join("\n"));
    // Both kinds must be well represented, or the batch proves little.
    assert!(report.accepted() >= 60, "{}", report.summary());
    assert!(
        report.outcomes.len() - report.accepted() >= 30,
        "{}",
        report.summary()
    );
}

#[test]
fn the_translation_of_an_accepted_example_compiles_and_a_rejected_one_keeps_its_error() {
    let dir = difftest::scratch_dir();
    let ok = "fn main() {\n    let mut v: List<int> = List::new();\n    v.push(v.len());\n    let s = \"a\";\n    println(\"{} {}\", v.len(), s);\n}\n";
    let (codes, analysis) = difftest::ward_codes(ok);
    assert!(codes.is_empty(), "{codes:?}");
    let rust = difftest::translate::translate(&analysis).expect("translates");
    assert!(rust.contains("v.push((v.len() as i64))"), "{rust}");
    assert!(rust.contains("String::from(\"a\")"), "{rust}");
    let rustc = difftest::rustc_codes(&rust, &dir, "accepted").expect("rustc runs");
    assert!(rustc.is_empty(), "{rustc:?}\n{rust}");

    let bad = "fn consume(s: String) -> int { s.len() }\nfn main() {\n    let s = \"a\";\n    consume(s);\n    println(\"{}\", s);\n}\n";
    let (codes, analysis) = difftest::ward_codes(bad);
    let rust = difftest::translate::translate(&analysis).expect("translates");
    let rustc = difftest::rustc_codes(&rust, &dir, "rejected").expect("rustc runs");
    assert_eq!(codes, rustc);
    assert!(codes.contains("0382"), "{codes:?}");
}

#[test]
fn every_borrowck_corpus_case_agrees_with_rustc() {
    let dir = difftest::scratch_dir();
    let corpus = ward_tests::repo_root().join("tests/diagnostics/borrowck");
    let mut bad = Vec::new();
    let mut compared = 0;
    for path in ward_tests::ward_files(&corpus) {
        let src = std::fs::read_to_string(&path).expect("readable");
        let (codes, analysis) = difftest::ward_codes(&src);
        let Ok(rust) = difftest::translate::translate(&analysis) else {
            continue;
        };
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        match difftest::rustc_codes(&rust, &dir, &name) {
            Ok(rustc) if rustc == codes => compared += 1,
            Ok(rustc) => bad.push(format!(
                "{}: ward {codes:?} vs rustc {rustc:?}\n{rust}",
                path.display()
            )),
            Err(e) => bad.push(format!("{}: {e}", path.display())),
        }
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
    assert!(
        compared >= 100,
        "only {compared} corpus cases were compared"
    );
}

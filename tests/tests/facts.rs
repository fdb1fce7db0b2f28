//! Golden tests of the borrow checker's editor facts: each
//! `tests/facts/NAME.ward` has `NAME.facts` beside it with the text
//! `ward check --dump-facts` prints (moves, drops, loan live ranges, elided
//! lifetimes, ownership states). `WARD_BLESS=1` rewrites the expectations.

use ward_compiler::analysis::{Options, analyze_with};
use ward_compiler::resolve::DiskLoader;

#[test]
fn facts_match_their_golden_files() {
    let dir = ward_tests::repo_root().join("tests/facts");
    let files = ward_tests::ward_files(&dir);
    assert!(
        files.len() >= 6,
        "expected a facts case per behaviour, found {}",
        files.len()
    );
    let bless = std::env::var_os("WARD_BLESS").is_some();
    let mut failures = Vec::new();
    for path in &files {
        let analysis = analyze_with(path, &DiskLoader, Options { facts: true });
        assert!(
            !analysis.has_errors(),
            "{} should check clean: {:?}",
            path.display(),
            analysis.diagnostics
        );
        let mut got = String::new();
        for f in &analysis.facts {
            got.push_str(&ward_compiler::borrowck::dump_facts(&analysis.program, f));
        }
        let expected_path = path.with_extension("facts");
        if bless {
            std::fs::write(&expected_path, &got).expect("writable");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if expected != got {
            failures.push(format!(
                "{}:\n--- expected\n{expected}\n--- got\n{got}",
                path.display()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

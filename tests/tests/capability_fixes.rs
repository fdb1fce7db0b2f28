//! The capability fixes work: in every `tests/diagnostics/caps_*.ward`,
//! applying the fix of a W0901 or W0902, one at a time as a user would
//! (re-checking after each), leaves no capability error and no new error
//! of any other kind.

use ward_compiler::analysis::analyze_text;
use ward_compiler::diagnostics::Diagnostic;

fn capability_error(d: &Diagnostic) -> bool {
    d.is_error() && (d.code.0 == "W0901" || d.code.0 == "W0902")
}

#[test]
fn applying_capability_fixes_removes_the_errors() {
    let dir = ward_tests::repo_root().join("tests/diagnostics");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "ward")
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("caps_"))
        })
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{} capability cases", files.len());
    let mut fixed_some = 0;
    for file in files {
        let mut text = std::fs::read_to_string(&file).expect("readable");
        let other_errors = |text: &str| -> Vec<String> {
            analyze_text("case.ward", text)
                .diagnostics
                .iter()
                .filter(|d| d.is_error() && !capability_error(d))
                .map(|d| format!("{} {}", d.code, d.message))
                .collect()
        };
        let before = other_errors(&text);
        for _ in 0..50 {
            let analysis = analyze_text("case.ward", &text);
            let Some(d) = analysis.diagnostics.iter().find(|d| capability_error(d)) else {
                break;
            };
            let Some(fix) = d.fixes.first() else {
                // Only a name with no near capability has no fix.
                assert!(
                    d.code.0 == "W0902" && d.message.contains("bogus"),
                    "{}: no fix for {}",
                    file.display(),
                    d.message
                );
                let span = d.span.span;
                text.replace_range(span.start as usize..span.end as usize, "env");
                continue;
            };
            let mut edits = fix.edits.clone();
            edits.sort_by_key(|e| std::cmp::Reverse(e.span.span.start));
            for e in edits {
                let r = e.span.span.start as usize..e.span.span.end as usize;
                assert!(!e.replacement.is_empty() || !r.is_empty(), "an empty edit");
                text.replace_range(r, &e.replacement);
            }
            fixed_some += 1;
        }
        let left: Vec<String> = analyze_text("case.ward", &text)
            .diagnostics
            .iter()
            .filter(|d| capability_error(d))
            .map(|d| d.message.clone())
            .collect();
        assert!(left.is_empty(), "{}: left {left:?}\n{text}", file.display());
        assert_eq!(other_errors(&text), before, "{}:\n{text}", file.display());
    }
    assert!(fixed_some >= 10, "{fixed_some} fixes applied");
}

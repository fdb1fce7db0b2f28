//! The diagnostics corpus: every `tests/diagnostics/*.ward` file is checked
//! and its diagnostics compared with the file's inline expectations, in the
//! style of rustc's UI tests:
//!
//! ```text
//! let x: int = "a";   //~ ERROR W0308
//! //~^ WARN W1101      (the line above; `^^` two lines above)
//! ```
//!
//! An optional text after the code must occur in the message. Every error
//! and warning in the file must be expected, and every expectation met. Add
//! a case by adding a file.

use std::fmt::Write as _;
use ward_compiler::analysis::analyze;
use ward_compiler::diagnostics::Severity;
use ward_compiler::resolve::DiskLoader;

#[derive(Debug, Clone, PartialEq, Eq)]
struct Expectation {
    line: usize,
    severity: &'static str,
    code: String,
    text: Option<String>,
}

/// The file's `ERROR` and `WARN` annotations (each with its code; `HELP`
/// ones are the help corpus's business, `tests/tests/help.rs`).
fn expectations(source: &str) -> Vec<Expectation> {
    ward_tests::annotations::parse(source)
        .into_iter()
        .filter(|a| a.kind != "help")
        .map(|a| Expectation {
            line: a.line,
            severity: a.kind,
            code: a
                .code
                .unwrap_or_else(|| panic!("line {}: missing code after {}", a.line, a.kind)),
            text: a.text,
        })
        .collect()
}

#[test]
fn diagnostics_corpus() {
    let dir = ward_tests::repo_root().join("tests/diagnostics");
    let files = ward_tests::ward_files(&dir);
    assert!(
        files.len() >= 80,
        "the corpus has {} cases; it should have at least 80",
        files.len()
    );
    let mut failures = String::new();
    let mut checked = 0;
    for path in &files {
        // Module files loaded by another case are checked through it.
        let source = std::fs::read_to_string(path).expect("corpus files are readable");
        if source.starts_with("// module:") {
            continue;
        }
        checked += 1;
        let analysis = analyze(path, &DiskLoader);
        // Expectations come from every file of the program (a cycle is
        // reported in the file that closes it).
        let mut unmet: Vec<(ward_compiler::diagnostics::FileId, Expectation)> = Vec::new();
        for (i, file) in analysis.program.files.iter().enumerate() {
            if i == analysis.program.std_file.0 as usize {
                continue;
            }
            let id = ward_compiler::diagnostics::FileId(u32::try_from(i).expect("few files"));
            unmet.extend(expectations(&file.text).into_iter().map(|e| (id, e)));
        }
        let mut unexpected = Vec::new();
        for d in &analysis.diagnostics {
            if d.severity == Severity::Note {
                continue;
            }
            let file = analysis.program.file(d.span.file);
            let (line, _) = file.line_col_chars(d.span.span.start);
            let found = unmet.iter().position(|(f, e)| {
                *f == d.span.file
                    && e.line == line
                    && e.severity == d.severity.as_str()
                    && e.code == d.code.0
                    && e.text
                        .as_ref()
                        .is_none_or(|t| d.message.contains(t.as_str()))
            });
            match found {
                Some(i) => {
                    unmet.remove(i);
                }
                None => unexpected.push(format!(
                    "{}:{line}: unexpected {}[{}]: {}",
                    file.path.display(),
                    d.severity,
                    d.code,
                    d.message
                )),
            }
        }
        if !unmet.is_empty() || !unexpected.is_empty() {
            let name = path
                .strip_prefix(ward_tests::repo_root())
                .unwrap_or(path)
                .display()
                .to_string();
            let _ = writeln!(failures, "--- {name}");
            for (f, e) in &unmet {
                let file = analysis.program.file(*f).path.display();
                let _ = writeln!(
                    failures,
                    "  {file}:{}: expected {}[{}]{} was not reported",
                    e.line,
                    e.severity,
                    e.code,
                    e.text
                        .as_ref()
                        .map(|t| format!(" containing {t:?}"))
                        .unwrap_or_default()
                );
            }
            for u in &unexpected {
                let _ = writeln!(failures, "  {u}");
            }
        }
    }
    assert!(checked > 0);
    assert!(
        failures.is_empty(),
        "diagnostics corpus mismatches:\n{failures}"
    );
}

#[test]
fn expectation_syntax() {
    let e = expectations("let x = 1; //~ WARN W1101\n//~^ ERROR W0308 mismatched types\n");
    assert_eq!(
        e[0],
        Expectation {
            line: 1,
            severity: "warning",
            code: "W1101".into(),
            text: None
        }
    );
    assert_eq!(e[1].line, 1);
    assert_eq!(e[1].text.as_deref(), Some("mismatched types"));
}

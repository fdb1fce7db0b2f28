//! The help corpus: `tests/help/NN_name.ward` holds a common mistake with
//! the errors Ward must find and the help it must give (`//~ HELP text`,
//! see `ward_tests::annotations`), and `NN_name.rs` the same mistake
//! translated to Rust, annotated with rustc's answer.
//!
//! - Ward's diagnostics match the `.ward` annotations, and nothing else is
//!   reported (no lint about a name an error already explains).
//! - rustc 1.95's diagnostics match the `.rs` annotations (skipped, saying
//!   so, when another rustc is installed: its wording differs).
//! - Applying every machine-applicable fix, one at a time as an editor
//!   would (re-checking after each), leaves a program without errors, as
//!   rustc's `run-rustfix` tests check; a case whose fix holds a
//!   placeholder names the errors it leaves (`// rustfix: leaves W0061`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use ward_compiler::analysis::analyze_text;
use ward_compiler::diagnostics::{Applicability, Diagnostic, Severity};
use ward_tests::annotations::{self, Annotation};

fn cases() -> Vec<PathBuf> {
    let dir = ward_tests::repo_root().join("tests/help");
    let files = ward_tests::ward_files(&dir);
    assert!(
        files.len() >= 20,
        "the help corpus has {} cases",
        files.len()
    );
    files
}

fn name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn line_of(text: &str, offset: u32) -> usize {
    text[..(offset as usize).min(text.len())]
        .matches('\n')
        .count()
        + 1
}

/// Whether a fix does something: an edit that inserts, replaces or
/// removes text.
fn fix_changes_text(d: &Diagnostic) -> bool {
    d.fixes.iter().all(|f| {
        !f.edits.is_empty()
            && f.edits
                .iter()
                .any(|e| e.span.span.start != e.span.span.end || !e.replacement.is_empty())
    })
}

#[test]
fn ward_gives_the_expected_errors_and_help() {
    let mut failures = String::new();
    for path in cases() {
        let text = std::fs::read_to_string(&path).expect("readable");
        let analysis = analyze_text(&name(&path), &text);
        let mut unmet: Vec<Annotation> = annotations::parse(&text);
        let mut unexpected = Vec::new();
        let diagnostics: Vec<&Diagnostic> = analysis
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Note)
            .collect();
        for d in &diagnostics {
            let line = line_of(&text, d.span.span.start);
            let found = unmet.iter().position(|a| {
                a.line == line
                    && a.kind == d.severity.as_str()
                    && a.code.as_deref().is_none_or(|c| c == d.code.0)
                    && a.text.as_deref().is_none_or(|t| d.message.contains(t))
            });
            match found {
                Some(i) => {
                    unmet.remove(i);
                }
                None => {
                    unexpected.push(format!("{line}: {}[{}] {}", d.severity, d.code, d.message));
                }
            }
            if !fix_changes_text(d) {
                unexpected.push(format!("{line}: a fix of {} changes nothing", d.code));
            }
        }
        // Each HELP is met by a help or fix of a diagnostic on its line.
        unmet.retain(|a| {
            a.kind != "help"
                || !diagnostics.iter().any(|d| {
                    line_of(&text, d.span.span.start) == a.line
                        && a.text.as_deref().is_some_and(|t| {
                            d.help.iter().any(|h| h.contains(t))
                                || d.fixes.iter().any(|f| f.message.contains(t))
                        })
                })
        });
        if !unmet.is_empty() || !unexpected.is_empty() {
            let _ = writeln!(failures, "--- {}", name(&path));
            for a in &unmet {
                let _ = writeln!(
                    failures,
                    "  {}: expected {} {:?} {:?}",
                    a.line, a.kind, a.code, a.text
                );
            }
            for u in &unexpected {
                let _ = writeln!(failures, "  unexpected {u}");
            }
        }
    }
    assert!(failures.is_empty(), "help corpus mismatches:\n{failures}");
}

/// The rustc the `.rs` annotations were written against.
const RUSTC: &str = "rustc 1.95.";

#[test]
fn rustc_gives_the_annotated_answer_on_each_translation() {
    let version = std::process::Command::new("rustc")
        .arg("--version")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
        .unwrap_or_default();
    if !version.starts_with(RUSTC) {
        eprintln!("skipped: the .rs annotations are rustc 1.95's wording; found {version:?}");
        return;
    }
    let out_dir = std::env::temp_dir().join(format!("ward-help-rustc-{}", std::process::id()));
    std::fs::create_dir_all(&out_dir).expect("temp dir");
    let mut failures = String::new();
    let mut compared = 0;
    for path in cases() {
        let rs = path.with_extension("rs");
        let Ok(text) = std::fs::read_to_string(&rs) else {
            let _ = writeln!(failures, "--- {}: no Rust translation", name(&path));
            continue;
        };
        let out = std::process::Command::new("rustc")
            .args([
                "--edition",
                "2021",
                "--emit=metadata",
                "--error-format=json",
                "--crate-type=bin",
            ])
            .arg("-o")
            .arg(out_dir.join("case.rmeta"))
            .arg(&rs)
            .output()
            .expect("rustc runs");
        let diagnostics: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        let primary_line = |d: &serde_json::Value| -> Vec<u64> {
            d["spans"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|s| s["is_primary"].as_bool() == Some(true))
                .filter_map(|s| s["line_start"].as_u64())
                .collect()
        };
        for a in annotations::parse(&text) {
            let line = a.line as u64;
            let met = diagnostics.iter().any(|d| {
                let message = d["message"].as_str().unwrap_or("");
                if a.kind == "help" {
                    d["children"].as_array().into_iter().flatten().any(|c| {
                        c["level"].as_str() == Some("help")
                            && a.text
                                .as_deref()
                                .is_some_and(|t| c["message"].as_str().unwrap_or("").contains(t))
                            && (primary_line(d).contains(&line)
                                || c["spans"]
                                    .as_array()
                                    .into_iter()
                                    .flatten()
                                    .any(|s| s["line_start"].as_u64() == Some(line)))
                    })
                } else {
                    d["level"].as_str() == Some(a.kind)
                        && primary_line(d).contains(&line)
                        && a.code
                            .as_deref()
                            .is_none_or(|c| d["code"]["code"].as_str() == Some(c))
                        && a.text.as_deref().is_none_or(|t| message.contains(t))
                }
            });
            if !met {
                let _ = writeln!(
                    failures,
                    "--- {}:{}: rustc gave no {} {:?} {:?}",
                    name(&rs),
                    a.line,
                    a.kind,
                    a.code,
                    a.text
                );
            }
        }
        compared += 1;
    }
    let _ = std::fs::remove_dir_all(&out_dir);
    assert!(compared >= 20);
    assert!(
        failures.is_empty(),
        "rustc's answers differ from the annotations:\n{failures}"
    );
}

/// The error codes a case says its fixes leave (`// rustfix: leaves W0061`).
fn leaves(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix("// rustfix: leaves "))
        .flat_map(|rest| {
            rest.split_whitespace()
                .take_while(|w| w.starts_with('W'))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn applying_every_machine_applicable_fix_leaves_no_error() {
    let mut failures = String::new();
    let mut applied_total = 0;
    for path in cases() {
        let mut text = std::fs::read_to_string(&path).expect("readable");
        let expected_left = leaves(&text);
        let mut applied = 0;
        for _ in 0..50 {
            let analysis = analyze_text(&name(&path), &text);
            let Some(fix) = analysis.diagnostics.iter().find_map(|d| {
                d.fixes
                    .iter()
                    .find(|f| f.applicability == Applicability::MachineApplicable)
            }) else {
                break;
            };
            let mut edits = fix.edits.clone();
            edits.sort_by_key(|e| std::cmp::Reverse(e.span.span.start));
            for e in edits {
                text.replace_range(e.span.span.range(), &e.replacement);
            }
            applied += 1;
        }
        applied_total += applied;
        let left: Vec<String> = analyze_text(&name(&path), &text)
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.code.0.to_string())
            .collect();
        if left != expected_left {
            let _ = writeln!(
                failures,
                "--- {} (after {applied} fixes): errors {left:?}, expected {expected_left:?}\n{text}",
                name(&path)
            );
        }
    }
    assert!(applied_total >= 20, "only {applied_total} fixes applied");
    assert!(failures.is_empty(), "fixes that do not fix:\n{failures}");
}

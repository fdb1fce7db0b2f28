//! The program corpus: every `tests/programs/*.ward` runs with `ward run`
//! and its stdout must equal `NAME.out`, its stderr `NAME.err` (when that
//! file exists) and its exit status the `// exit: N` line of the source
//! (0 when absent). A `// allow: CAPS` line grants capabilities
//! (`--allow CAPS`). `WARD_BLESS=1` rewrites the expected files.

use std::path::Path;
use std::process::Command;
use ward_tests::{expected_status, repo_root};

#[test]
fn every_program_prints_what_it_should() {
    run_corpus(false);
}

/// The same corpus with the collector in stress mode (`WARD_GC_STRESS=1`:
/// a young collection at every allocation, incremental marking always in
/// progress, and — this is a debug build — the heap verified after
/// collections): every program must print exactly the same.
#[test]
fn every_program_prints_the_same_under_gc_stress() {
    run_corpus(true);
}

fn run_corpus(stress: bool) {
    let root = repo_root();
    let dir = root.join("tests/programs");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/programs exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ward"))
        .collect();
    files.sort();
    assert!(files.len() >= 80, "the corpus has {} programs", files.len());
    let bless = !stress && std::env::var_os("WARD_BLESS").is_some();
    let mut failures = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&root).unwrap_or(file);
        let source = std::fs::read_to_string(file).expect("readable");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ward"));
        // What the program prints, not the checker's warnings about it.
        cmd.args(["run", "--quiet"]);
        if let Some(caps) = ward_tests::header(&source, "// allow:") {
            cmd.arg("--allow").arg(caps);
        }
        cmd.arg(rel).current_dir(&root).env("WARD_TEST_INPUT", "1");
        if stress {
            cmd.env("WARD_GC_STRESS", "1");
        }
        let out = cmd.output().expect("ward runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let status = out.status.code().unwrap_or(-1);
        let out_path = file.with_extension("out");
        let err_path = file.with_extension("err");
        if bless {
            std::fs::write(&out_path, &stdout).expect("write .out");
            if !stderr.is_empty() {
                std::fs::write(&err_path, &stderr).expect("write .err");
            } else if err_path.exists() {
                std::fs::remove_file(&err_path).expect("remove stale .err");
            }
            continue;
        }
        let name = rel.display();
        let want_out = std::fs::read_to_string(&out_path).unwrap_or_default();
        if stdout != want_out {
            failures.push(format!(
                "{name}: stdout differs\n--- expected\n{want_out}\n--- got\n{stdout}\n--- stderr\n{stderr}"
            ));
        }
        if err_path.exists() {
            let want_err = std::fs::read_to_string(&err_path).unwrap_or_default();
            if stderr != want_err {
                failures.push(format!(
                    "{name}: stderr differs\n--- expected\n{want_err}\n--- got\n{stderr}"
                ));
            }
        } else if !stderr.is_empty() {
            failures.push(format!("{name}: unexpected stderr\n{stderr}"));
        }
        let want_status = expected_status(&source);
        if status != want_status {
            failures.push(format!(
                "{name}: exit status {status}, expected {want_status}\n{stderr}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} programs failed:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
}

/// The README's main example runs, printing exactly this.
#[test]
fn the_vitals_monitor_example_runs() {
    let root = repo_root();
    let example = "examples/vitals_monitor.ward";
    assert!(Path::new(&root.join(example)).exists());
    let out = Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(["run", example])
        .current_dir(&root)
        .output()
        .expect("ward runs");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "bed-01   HR  72  SpO2 0.98  ok\n\
         bed-02   HR 131  SpO2 0.95  tachycardia 131\n\
         bed-03   HR  41  SpO2 0.97  bradycardia 41\n\
         bed-04   HR  88  SpO2 0.86  hypoxia, SpO2 % 86\n\
         4 readings, 3 alerts, mean HR 83\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "discarding implausible reading from bed-05\n"
    );
    assert_eq!(out.status.code(), Some(0));
}

/// The `json_*` programs print the same with the `json_get` inline cache
/// turned off (`WARD_INLINE_CACHE=off`): the cache changes speed, never
/// an answer.
#[test]
fn json_programs_print_the_same_without_the_inline_cache() {
    let root = repo_root();
    let mut checked = 0;
    for entry in std::fs::read_dir(root.join("tests/programs")).expect("tests/programs exists") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if !(name.starts_with("json_") && path.extension().is_some_and(|e| e == "ward")) {
            continue;
        }
        let rel = path.strip_prefix(&root).unwrap_or(&path);
        let out = Command::new(env!("CARGO_BIN_EXE_ward"))
            .arg("run")
            .arg(rel)
            .current_dir(&root)
            .env("WARD_INLINE_CACHE", "off")
            .output()
            .expect("ward runs");
        let want = std::fs::read_to_string(path.with_extension("out")).unwrap_or_default();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            want,
            "{}",
            rel.display()
        );
        checked += 1;
    }
    assert!(checked >= 1, "no json_ programs");
}

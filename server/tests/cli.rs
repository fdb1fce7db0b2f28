//! End-to-end tests of the `ward` binary's command line.

use std::path::PathBuf;
use std::process::{Command, Output};
use ward_tests::{repo_root, ward_files};

fn ward(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(args)
        .current_dir(repo_root())
        .output()
        .expect("the ward binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A scratch file with `contents`, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str, contents: &[u8]) -> Scratch {
        let dir = std::env::temp_dir().join(format!("ward-cli-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        std::fs::write(&path, contents).expect("write scratch file");
        Scratch(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().expect("temp paths are UTF-8")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn parse_prints_the_tree_of_a_clean_program_and_exits_0() {
    let out = ward(&["parse", "examples/vitals_monitor.ward"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.starts_with("(source_file [0, 0] - ["), "{stdout}");
    assert!(stdout.contains("item: (struct_item"), "{stdout}");
    assert!(stdout.contains("name: (type_identifier"), "{stdout}");
    assert!(!stdout.contains("ERROR") && !stdout.contains("MISSING"));
    assert!(text(&out.stderr).is_empty());
}

#[test]
fn parse_reports_each_syntax_error_with_its_location_and_exits_1() {
    let file = Scratch::new(
        "broken.ward",
        b"fn ok() {}\n\nfn broken() {\n    let x = 1\n    let y = (2 + ;\n}\n\nfn after() {}\n",
    );
    let out = ward(&["parse", file.path()]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let expected_missing = format!("{}:4:14: syntax error: expected `;`", file.path());
    assert!(lines.contains(&expected_missing.as_str()), "{stderr}");
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with(&format!("{}:5:", file.path())) && l.contains("syntax error:")),
        "{stderr}"
    );
    // The tree is still printed, and the item after the damage is intact.
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("name: (identifier [7, 3] - [7, 8])"),
        "{stdout}"
    );
}

#[test]
fn parse_of_a_missing_file_exits_2_with_a_message() {
    let out = ward(&["parse", "no/such/file.ward"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("error: cannot read no/such/file.ward:"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
}

#[test]
fn bad_usage_exits_2() {
    assert_eq!(ward(&["parse"]).status.code(), Some(2));
    assert_eq!(ward(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn binary_garbage_is_an_error_not_a_crash() {
    let file = Scratch::new("garbage.ward", &[0xff, 0xfe, 0x00, 0x41]);
    let out = ward(&["parse", file.path()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("is not UTF-8"));
}

#[test]
fn every_example_parses_cleanly_through_the_cli() {
    let mut checked = 0;
    for entry in ward_files(&repo_root().join("examples")) {
        let out = ward(&["parse", entry.to_str().expect("UTF-8 path")]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            entry.display(),
            text(&out.stderr)
        );
        checked += 1;
    }
    assert!(checked >= 7);
}

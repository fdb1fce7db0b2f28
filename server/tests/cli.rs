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
    let expected_missing = format!(
        "{}:4:14: syntax error: expected `;`, found `let`",
        file.path()
    );
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

// ---------------------------------------------------------------------------
// ward check

#[test]
fn check_accepts_a_clean_program() {
    let out = ward(&["check", "examples/vitals_monitor.ward"]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    assert_eq!(text(&out.stderr), "");
}

#[test]
fn check_accepts_several_files_and_a_multi_file_program() {
    let out = ward(&[
        "check",
        "examples/hl7_feed.ward",
        "examples/census/main.ward",
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
}

#[test]
fn check_rejects_an_ill_typed_program_with_exit_1() {
    let file = Scratch::new(
        "ill_typed.ward",
        b"fn main() {\n    let hr: int = \"72\";\n    println(\"{}\", hr);\n}\n",
    );
    let out = ward(&["check", file.path()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.contains("error[W0308]: mismatched types"), "{err}");
    assert!(err.contains("ill_typed.ward:2:19"), "{err}");
    assert!(err.contains("expected `int`, found `String`"), "{err}");
    assert!(err.contains("could not check"), "{err}");
}

#[test]
fn check_warnings_alone_exit_0() {
    let file = Scratch::new("warns.ward", b"fn main() {\n    let unused = 1;\n}\n");
    let out = ward(&["check", file.path()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("warning[W1101]: unused variable: `unused`"));
}

#[test]
fn check_usage_errors_exit_2() {
    assert_eq!(ward(&["check"]).status.code(), Some(2));
    assert_eq!(ward(&["check", "no/such/file.ward"]).status.code(), Some(2));
    assert_eq!(
        ward(&["check", "--format", "xml", "examples/vitals_monitor.ward"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
#[allow(clippy::cast_possible_truncation)] // test offsets are small
fn check_json_has_the_documented_shape() {
    // Line 2 holds a non-ASCII char before the error: columns count chars.
    let file = Scratch::new(
        "json_shape.ward",
        "fn main() {\n    let s = \"é\"; let hr: int = \"x\";\n    println(\"{} {}\", s, hr);\n}\n"
            .as_bytes(),
    );
    let out = ward(&["check", "--format", "json", file.path()]);
    assert_eq!(out.status.code(), Some(1));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let list = value.as_array().expect("a JSON array");
    assert_eq!(list.len(), 1, "{value}");
    let d = &list[0];
    assert_eq!(d["code"], "W0308");
    assert_eq!(d["severity"], "error");
    assert_eq!(d["message"], "mismatched types");
    assert!(
        d["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("json_shape.ward"))
    );
    let text_src = std::fs::read_to_string(file.path()).expect("scratch readable");
    let start = d["start"].as_u64().expect("start") as usize;
    let end = d["end"].as_u64().expect("end") as usize;
    assert_eq!(&text_src[start..end], "\"x\"");
    assert_eq!(d["line"], 2);
    let line_start = text_src[..start].rfind('\n').map_or(0, |i| i + 1);
    let column = text_src[line_start..start].chars().count() + 1;
    assert_eq!(column, 32, "`é` is one column, two bytes");
    assert_eq!(d["column"], column as u64);
    assert_eq!(d["end_line"], 2);
    assert_eq!(d["end_column"], column as u64 + 3);
    assert!(d["labels"].is_array());
    assert!(d["notes"].is_array());
    assert!(d["fixes"].is_array());
}

#[test]
#[allow(clippy::cast_possible_truncation)] // test offsets are small
fn check_json_fixes_are_text_edits() {
    let file = Scratch::new(
        "json_fix.ward",
        b"fn main() {\n    let mut hr = 72;\n    println(\"{}\", hr);\n}\n",
    );
    let out = ward(&["check", "--format", "json", file.path()]);
    assert_eq!(out.status.code(), Some(0));
    let value: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let d = &value[0];
    assert_eq!(d["code"], "W1102");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["fixes"][0]["applicability"], "MachineApplicable");
    let edit = &d["fixes"][0]["edits"][0];
    assert_eq!(edit["replacement"], "");
    let src = std::fs::read_to_string(file.path()).expect("scratch readable");
    let (s, e) = (
        edit["start"].as_u64().expect("start") as usize,
        edit["end"].as_u64().expect("end") as usize,
    );
    assert_eq!(&src[s..e], "mut ");
}

/// Rendered output of selected corpus files against golden snapshots in
/// `tests/snapshots/`. `WARD_BLESS=1 cargo test` rewrites them.
#[test]
fn rendered_diagnostics_match_snapshots() {
    let cases = [
        "types_if_else_mismatch",
        "match_non_exhaustive_enum",
        "resolve_mod_private_across_files",
        "format_not_display",
        "lint_unused_mut",
        "types_try_in_unit_fn",
        "caps_chain",
        "caps_unknown",
    ];
    let dir = repo_root().join("tests/snapshots");
    let bless = std::env::var_os("WARD_BLESS").is_some();
    let mut mismatched = Vec::new();
    for case in cases {
        let path = format!("tests/diagnostics/{case}.ward");
        let out = ward(&["check", &path]);
        let rendered = text(&out.stderr);
        let snapshot = dir.join(format!("{case}.txt"));
        if bless {
            std::fs::create_dir_all(&dir).expect("snapshot dir");
            std::fs::write(&snapshot, &rendered).expect("write snapshot");
            continue;
        }
        let expected = std::fs::read_to_string(&snapshot).unwrap_or_default();
        if expected != rendered {
            mismatched.push(format!(
                "--- {case}: expected\n{expected}\n--- got\n{rendered}"
            ));
        }
    }
    assert!(
        mismatched.is_empty(),
        "snapshots differ (WARD_BLESS=1 to accept):\n{}",
        mismatched.join("\n")
    );
}

#[test]
fn dump_mir_shows_the_control_flow_graph_with_two_phase_receivers() {
    let out = ward(&["check", "--dump-mir", "tests/facts/two_phase_borrow.ward"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let mir = text(&out.stdout);
    assert!(mir.starts_with("fn main {"), "{mir}");
    // The receiver of `v.push(…)` is a two-phase borrow taken before the
    // argument `v.len()` reads `v`.
    let two_phase = mir.find("&two_phase _1").expect("two-phase auto-ref");
    let len_call = mir.find("List::len(").expect("the len call");
    let push_call = mir.find("List::push(").expect("the push call");
    assert!(two_phase < len_call && len_call < push_call, "{mir}");
    assert!(mir.contains("drop(_1)") && mir.contains("return;"), "{mir}");
}

#[test]
fn dump_facts_lists_moves_drops_loans_and_states() {
    let out = ward(&[
        "check",
        "--dump-facts",
        "tests/facts/conditional_move_flagged_drop.ward",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let facts = text(&out.stdout);
    assert!(facts.contains("move `s` at 5:17"), "{facts}");
    assert!(
        facts.contains("drop (if not moved: flag) `s` at 7:1"),
        "{facts}"
    );
    assert!(facts.contains("state `s` moved at 5:9"), "{facts}");
}

#[test]
fn ward_test_runs_each_test_isolating_panics() {
    let file = Scratch::new(
        "tests_sample.ward",
        b"fn add(a: int, b: int) -> int {\n    a + b\n}\n\n#[test]\nfn adds() {\n    assert_eq(add(2, 2), 4);\n}\n\n#[test]\nfn fails() {\n    assert_eq(add(2, 2), 5);\n}\n\n#[test]\nfn divides() {\n    let z = add(0, 0);\n    println(\"{}\", 1 / z);\n}\n\n#[test]\nfn still_runs_after_failures() {\n    println(\"fine\");\n}\n\nfn main() {}\n",
    );
    let out = ward(&["test", file.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.starts_with("running 4 tests\n"), "{stdout}");
    for line in [
        "test adds ... ok",
        "test fails ... FAILED",
        "test divides ... FAILED",
        "fine\ntest still_runs_after_failures ... ok",
        "assertion `left == right` failed\n  left: 4\n right: 5",
        "panicked: attempt to divide by zero",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in\n{stdout}");
    }
    assert!(stdout.ends_with("\n2 passed, 2 failed\n"), "{stdout}");
}

#[test]
fn run_gc_stats_prints_the_collectors_figures_last_on_stderr() {
    let file = Scratch::new(
        "gc_stats.ward",
        b"struct Node {\n    v: int,\n}\n\nfn main() {\n    let mut keep = List::new();\n    for i in 0..2000 {\n        let n = Gc::new(Node { v: i });\n        if i % 100 == 0 {\n            keep.push(n);\n        }\n    }\n    gc::collect();\n    println(\"{}\", keep.len());\n}\n",
    );
    let out = ward(&["run", "--gc-stats", file.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "20\n");
    let stderr = text(&out.stderr);
    let last = stderr.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("{\"young_collections\":") && last.contains("\"old_collections\":"),
        "{stderr}"
    );
    assert!(!last.contains("\"bytes_allocated\":0,"), "{stderr}");
}

#[test]
fn ward_test_fails_a_test_that_returns_err_as_cargo_test_does() {
    let file = Scratch::new(
        "tests_result.ward",
        b"fn check(hr: int) -> Result<int, Error> {\n    if hr <= 0 {\n        return Err(error(\"Range\", \"heart rate must be positive\"));\n    }\n    Ok(hr)\n}\n\n#[test]\nfn accepts() -> Result<(), Error> {\n    check(72)?;\n    Ok(())\n}\n\n#[test]\nfn rejects() -> Result<(), Error> {\n    check(0)?;\n    Ok(())\n}\n\nfn main() {}\n",
    );
    let out = ward(&["test", file.path()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    for line in [
        "test accepts ... ok",
        "test rejects ... FAILED",
        "---- rejects ----\nerror: Range: heart rate must be positive",
    ] {
        assert!(stdout.contains(line), "missing {line:?} in\n{stdout}");
    }
    assert!(stdout.ends_with("\n1 passed, 1 failed\n"), "{stdout}");
}

#[test]
fn ward_run_emit_bytecode_prints_the_disassembly() {
    let file = Scratch::new(
        "emit_sample.ward",
        b"fn twice(x: int) -> int {\n    x * 2\n}\n\nfn main() {\n    println(\"{}\", twice(21));\n}\n",
    );
    let out = ward(&["run", "--emit", "bytecode", file.path()]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    let twice = stdout
        .split("fn#")
        .find(|f| f.contains(" twice: "))
        .expect("twice is listed");
    // The constant is the instruction's immediate operand.
    let expected = "0 twice: 1 args -> int
  r0: int
  r1: int
  0000  mul_int_imm r0, r1, #2                   ; 2:5
  0009  return r0                                ; 3:2
";
    assert_eq!(twice, expected, "{stdout}");
    assert!(
        stdout.contains("natives:\n  native#0 = println\n"),
        "{stdout}"
    );
    assert!(stdout.contains("(entry)"), "{stdout}");
}

/// The code a `while` loop compiles to: the test rotated to the bottom
/// (one conditional branch per turn), comparisons fused with their branch,
/// the argument computed straight into the call's register, the result
/// returned without a move.
#[test]
fn a_loop_compiles_to_a_rotated_fused_test() {
    let file = Scratch::new(
        "loop_sample.ward",
        b"fn twice(x: int) -> int {\n    x * 2\n}\n\nfn sum_to(n: int) -> int {\n    let mut s = 0;\n    let mut i = 0;\n    while i < n {\n        s += twice(i + 1);\n        i += 1;\n    }\n    s\n}\n\nfn main() {\n    println(\"{}\", sum_to(10));\n}\n",
    );
    let out = ward(&["run", "--emit", "bytecode", file.path()]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    let code: String = stdout
        .split("\nfn#")
        .find(|f| f.contains(" sum_to: "))
        .expect("sum_to is listed")
        .lines()
        .filter(|l| l.starts_with("  00"))
        .fold(String::new(), |mut acc, l| {
            acc.push_str(l.trim_end());
            acc.push('\n');
            acc
        });
    let expected = "  0000  load_int r2, k0                          ; 6:5
  0007  load_int r3, k0                          ; 7:5
  0014  br_cmp_int r3, r1, 5, +46 -> 0070        ; 8:11
  0024  add_int_imm r12, r3, #1                  ; 9:20
  0033  call r9, fn#0, r12..r12                  ; 9:14
  0044  add_int r2, r2, r9                       ; 9:9
  0051  add_int_imm r3, r3, #1                   ; 10:9
  0060  br_cmp_int r3, r1, 2, -46 -> 0024        ; 8:11
  0070  return r2                                ; 12:5
";
    assert_eq!(code, expected, "{stdout}");
    let out = ward(&["run", file.path()]);
    assert_eq!(text(&out.stdout), "110\n");
}

/// A subexpression repeated with unchanged operands is computed once: the
/// `i + j` of `(i + j) * (i + j + 1)` is one `add_int`, its copy removed.
#[test]
fn a_repeated_subexpression_is_computed_once() {
    let file = Scratch::new(
        "cse_sample.ward",
        b"fn tri(i: int, j: int) -> int {\n    (i + j) * (i + j + 1) / 2\n}\n\nfn main() {\n    println(\"{}\", tri(3, 4));\n}\n",
    );
    let out = ward(&["run", "--emit", "bytecode", file.path()]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = text(&out.stdout);
    let code: Vec<String> = stdout
        .split("\nfn#")
        .find(|f| f.contains(" tri: "))
        .expect("tri is listed")
        .lines()
        .filter(|l| l.starts_with("  00"))
        .map(|l| l.split_whitespace().skip(1).collect::<Vec<_>>().join(" "))
        .map(|l| l.split(" ;").next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        code,
        [
            "add_int r4, r1, r2",
            "add_int_imm r5, r4, #1",
            "mul_int r3, r4, r5",
            "div_int_imm r0, r3, #2",
            "return r0",
        ],
        "{stdout}"
    );
    let out = ward(&["run", file.path()]);
    assert_eq!(text(&out.stdout), "28\n");
}

#[test]
fn ward_run_reports_a_panic_with_status_101_and_main_errors_with_1() {
    let file = Scratch::new(
        "panics.ward",
        b"fn main() {\n    let v: List<int> = List::new();\n    println(\"{}\", v[0]);\n}\n",
    );
    let out = ward(&["run", file.path()]);
    assert_eq!(out.status.code(), Some(101));
    let stderr = text(&out.stderr);
    assert!(
        stderr.starts_with("panicked: index out of bounds: the len is 0 but the index is 0\n"),
        "{stderr}"
    );
    assert!(
        stderr.contains("3 |     println(\"{}\", v[0]);\n  |                   ^"),
        "{stderr}"
    );
    let file = Scratch::new(
        "main_err.ward",
        b"fn main() -> Result<(), Error> {\n    Err(error(\"Setup\", \"no device\"))\n}\n",
    );
    let out = ward(&["run", file.path()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).starts_with("error: Setup: no device (at "),
        "{}",
        text(&out.stderr)
    );
    let out = ward(&["run", "no/such/file.ward"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn fmt_rewrites_a_file_and_check_reports_without_writing() {
    let messy = "fn main(){\nlet x=1;\n  println(\"{}\",x); // x\n}";
    let tidy = "fn main() {\n    let x = 1;\n    println(\"{}\", x); // x\n}\n";
    let file = Scratch::new("fmt_messy.ward", messy.as_bytes());

    let check = ward(&["fmt", "--check", file.path()]);
    assert_eq!(check.status.code(), Some(1));
    let diff = text(&check.stdout);
    assert!(
        diff.contains("-let x=1;") && diff.contains("+    let x = 1;"),
        "{diff}"
    );
    assert_eq!(
        std::fs::read_to_string(&file.0).ok().as_deref(),
        Some(messy)
    );

    let out = ward(&["fmt", file.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&file.0).ok().as_deref(), Some(tidy));

    let again = ward(&["fmt", "--check", file.path()]);
    assert_eq!(again.status.code(), Some(0));
    assert!(again.stdout.is_empty());
}

#[test]
fn fmt_leaves_a_file_with_syntax_errors_alone() {
    let broken = "fn main( {\nlet x=1;\n";
    let file = Scratch::new("fmt_broken.ward", broken.as_bytes());
    let out = ward(&["fmt", file.path()]);
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("cannot format") && err.contains(":1:"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&file.0).ok().as_deref(),
        Some(broken)
    );
    let missing = ward(&["fmt", "no/such/file.ward"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn fmt_check_passes_on_every_example() {
    let root = repo_root().join("examples");
    let files: Vec<String> = ward_files(&root)
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    let mut args = vec!["fmt", "--check"];
    args.extend(files.iter().map(String::as_str));
    let out = ward(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn lsp_accepts_the_stdio_flag_that_clients_pass() {
    use std::io::Write as _;
    let message = r#"{"jsonrpc":"2.0","method":"exit"}"#;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(["lsp", "--stdio"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ward lsp starts");
    if let Some(mut stdin) = child.stdin.take() {
        let _ = write!(stdin, "Content-Length: {}\r\n\r\n{message}", message.len());
    }
    let out = child.wait_with_output().expect("ward lsp exits");
    // `exit` before `shutdown` is status 1 (not 2, a usage error).
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(!text(&out.stderr).contains("unexpected argument"));
}

/// Runs `ward args…` and returns its output and wall time.
fn timed(args: &[&str]) -> (Output, std::time::Duration) {
    let start = std::time::Instant::now();
    let out = ward(args);
    (out, start.elapsed())
}

#[test]
fn damaged_text_is_reported_in_bounded_time_and_output() {
    // Unterminated comments (each used to rescan to the end of the file),
    // repeated damage (the explanation re-parsed the item per error), a
    // 100 000-deep broken `use` (cubic walks), and one long line that
    // every report used to print whole.
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "comments.ward",
            "/* ".repeat(16_000).into_bytes(),
            "unterminated block comment",
        ),
        (
            "damage.ward",
            "x.=}".repeat(5_000).into_bytes(),
            "unexpected",
        ),
        (
            "uses.ward",
            format!(
                "{}b{};\nfn main() {{}}\n",
                "use a::{".repeat(100_000),
                "}".repeat(100_000)
            )
            .into_bytes(),
            "more syntax errors from here on are not shown",
        ),
    ];
    for (name, src, want) in cases {
        let file = Scratch::new(name, &src);
        let (out, took) = timed(&["check", file.path()]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(
            stderr.contains(want),
            "{name}: {}",
            &stderr[..stderr.len().min(2000)]
        );
        // Generous: debug build, busy machine. They took minutes before.
        assert!(took.as_secs() < 60, "{name} took {took:?}");
        assert!(
            stderr.len() < 200_000,
            "{name}: {} bytes of diagnostics",
            stderr.len()
        );
    }
}

#[test]
fn a_long_line_is_shown_as_an_excerpt_with_true_columns() {
    let line = (0..8_000).fold(String::new(), |mut line, i| {
        use std::fmt::Write as _;
        let _ = write!(line, "let v{i} = {i}; ");
        line
    });
    let file = Scratch::new("long.ward", format!("fn main() {{ {line}}}\n").as_bytes());
    let out = ward(&["check", file.path()]);
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        &stderr[..stderr.len().min(2000)]
    );
    // 8 000 unused-variable warnings, each with a bounded excerpt.
    assert!(stderr.matches("W1101").count() >= 8_000);
    assert!(stderr.len() < 8_000 * 1_200, "{} bytes", stderr.len());
    let col = line.find("v7999").expect("present") + "fn main() { ".len() + 1;
    assert!(
        stderr.contains(&format!("long.ward:1:{col}")),
        "column of v7999"
    );
}

#[test]
fn deep_nesting_is_an_error_for_check_fmt_and_a_linear_tree_for_parse() {
    let n = 100_000;
    let src = format!(
        "fn main() {{ let x = {}; println(\"{{}}\", x); }}\n",
        vec!["1"; n].join(" + ")
    );
    let file = Scratch::new("deep.ward", src.as_bytes());
    let out = ward(&["check", file.path()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("W0002"), "{}", text(&out.stderr));
    let out = ward(&["fmt", file.path()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("nested too deeply"));
    assert_eq!(std::fs::read(&file.0).expect("still there"), src.as_bytes());
    let parens = format!(
        "fn main() {{ let x = {}1{}; }}\n",
        "(".repeat(n),
        ")".repeat(n)
    );
    let file = Scratch::new("parens.ward", parens.as_bytes());
    let out = ward(&["parse", file.path()]);
    // Indentation stops growing: the tree's text grows with its size.
    assert!(out.stdout.len() < 300 * n, "{} bytes", out.stdout.len());
}

#[cfg(unix)]
#[test]
fn module_files_must_be_regular_readable_and_bounded() {
    let dir = std::env::temp_dir().join(format!("ward-cli-mods-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("dir.ward")).expect("dir");
    std::fs::write(
        dir.join("main.ward"),
        "mod fifo;\nmod dir;\nmod zero;\nmod big;\nmod gone;\nfn main() {}\n",
    )
    .expect("main");
    let made_fifo = Command::new("mkfifo")
        .arg(dir.join("fifo.ward"))
        .status()
        .is_ok_and(|s| s.success());
    std::os::unix::fs::symlink("/dev/zero", dir.join("zero.ward")).expect("symlink");
    let big = std::fs::File::create(dir.join("big.ward")).expect("big");
    big.set_len(ward_compiler::resolve::MAX_SOURCE_BYTES + 1)
        .expect("sparse file");
    let main = dir.join("main.ward");
    let (out, took) = timed(&["check", main.to_str().expect("UTF-8 path")]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(took.as_secs() < 30, "took {took:?}");
    if made_fifo {
        assert!(
            stderr.contains("module `fifo`") && stderr.contains("not a regular file"),
            "{stderr}"
        );
    }
    assert!(
        stderr.contains("module `dir`") && stderr.contains("it is a directory"),
        "{stderr}"
    );
    assert!(stderr.contains("module `zero`"), "{stderr}");
    assert!(
        stderr.contains("module `big`") && stderr.contains("over the limit"),
        "{stderr}"
    );
    assert!(
        stderr.contains("file not found for module `gone`"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn fmt_writes_through_symlinks_keeps_hard_links_and_byte_order_marks() {
    let dir = std::env::temp_dir().join(format!("ward-cli-links-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let messy = "fn main(){\nlet  x=1;println(\"{}\",x);}\n";
    let tidy = "fn main() {\n    let x = 1; println(\"{}\", x); }\n";
    let real = dir.join("real.ward");
    std::fs::write(&real, messy).expect("real");
    std::os::unix::fs::symlink("real.ward", dir.join("link.ward")).expect("symlink");
    std::fs::hard_link(&real, dir.join("hard.ward")).expect("hard link");
    let link = dir.join("link.ward");
    let out = ward(&["fmt", link.to_str().expect("UTF-8 path")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_to_string(&real).expect("real"), tidy);
    assert_eq!(
        std::fs::read_to_string(dir.join("hard.ward")).expect("hard"),
        tidy
    );
    let bom = dir.join("bom.ward");
    std::fs::write(&bom, format!("\u{feff}{messy}")).expect("bom");
    let out = ward(&["fmt", bom.to_str().expect("UTF-8 path")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(&bom).expect("bom"),
        format!("\u{feff}{tidy}")
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("list")
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn run_timeout_stops_a_program_that_never_ends_with_its_output_printed() {
    let file = Scratch::new(
        "spin.ward",
        b"fn main() {\n    println(\"start\");\n    let mut i = 0;\n    loop { i += 1; }\n}\n",
    );
    let (out, took) = timed(&["run", "--timeout", "300", file.path()]);
    assert_eq!(out.status.code(), Some(101), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "start\n");
    assert!(text(&out.stderr).contains("time limit reached"));
    assert!(took.as_secs() < 20, "took {took:?}");
}

/// `tests/hostile` through `ward run --max-heap 256M`: the output printed
/// before the end is all there (flushed), the status is 0 or 101, and a
/// panic says why (`// panic:` text) with the program's location.
#[test]
fn run_ends_hostile_programs_as_ward_panics_with_their_output_flushed() {
    let files = ward_tests::hostile_programs();
    assert!(files.len() >= 10);
    for file in &files {
        let path = file.to_str().expect("UTF-8 path");
        let source = std::fs::read_to_string(file).expect("readable");
        let (out, took) = timed(&["run", "--max-heap", "256M", path]);
        let name = file.display();
        let want_status = ward_tests::expected_status(&source);
        assert_eq!(
            out.status.code(),
            Some(want_status),
            "{name}: {}",
            text(&out.stderr)
        );
        let want_out = std::fs::read_to_string(file.with_extension("out")).unwrap_or_default();
        assert_eq!(text(&out.stdout), want_out, "{name}");
        if let Some(want) = source
            .lines()
            .find_map(|l| l.trim().strip_prefix("// panic:"))
        {
            let err = text(&out.stderr);
            assert!(err.contains(want.trim()), "{name}: {err}");
            assert!(err.contains(".ward:"), "{name}: no location in {err}");
        }
        assert!(took.as_secs() < 60, "{name} took {took:?}");
    }
}

#[test]
fn run_max_heap_takes_sizes_and_refuses_what_is_not_one() {
    let out = ward(&["run", "--max-heap", "lots", "examples/vitals_monitor.ward"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("is not a size"),
        "{}",
        text(&out.stderr)
    );
    let out = ward(&["run", "--max-heap", "64M", "examples/vitals_monitor.ward"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

/// A `match` of 20 000 literal arms, and a tuple pattern 990 deep against
/// a value as deep: each checked in time and memory that grow with the
/// input (the arms were quadratic in exhaustiveness checking and in the
/// borrow checker's bit sets — 50 000 arms took 22 s and 4.4 GB in a
/// release build — and the tuple was cubic: 33 s).
#[test]
fn wide_matches_and_deep_patterns_check_in_linear_time() {
    use std::fmt::Write as _;
    let mut arms = String::new();
    for i in 0..20_000 {
        let _ = writeln!(arms, "        {i} => {},", i % 7);
    }
    let wide = Scratch::new(
        "wide_match.ward",
        format!(
            "fn f(x: int) -> int {{\n    match x {{\n{arms}        _ => 0,\n    }}\n}}\n\nfn main() {{\n    println(\"{{}}\", f(3));\n}}\n"
        )
        .as_bytes(),
    );
    let (out, took) = timed(&["check", wide.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(took.as_secs() < 60, "took {took:?}");

    let n = 990;
    let deep = Scratch::new(
        "deep_tuple.ward",
        format!(
            "fn main() {{\n    let {}x{} = {}1{};\n    println(\"{{}}\", x);\n}}\n",
            "(".repeat(n),
            ",)".repeat(n),
            "(".repeat(n),
            ",)".repeat(n)
        )
        .as_bytes(),
    );
    let (out, took) = timed(&["check", deep.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(took.as_secs() < 60, "took {took:?}");
}

#[test]
fn every_example_runs_as_its_header_says() {
    let root = repo_root().join("examples");
    // Examples read files under `examples/` and may write some (the audit
    // log): they run in a scratch dir that links to `examples/`.
    let cwd = std::env::temp_dir().join(format!("ward-examples-{}", std::process::id()));
    std::fs::create_dir_all(&cwd).expect("scratch dir");
    #[cfg(unix)]
    let _ = std::os::unix::fs::symlink(&root, cwd.join("examples"));
    let mut failures = Vec::new();
    for file in ward_files(&root) {
        let name = file
            .strip_prefix(&root)
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        // Modules of other examples, and the deliberate mistakes.
        if [
            "census/beds.ward",
            "interface_engine/convert.ward",
            "borrow_errors.ward",
        ]
        .contains(&name.as_str())
        {
            continue;
        }
        let source = std::fs::read_to_string(&file).expect("readable");
        // `//! Run with `ward run --allow fs,clock examples/x.ward`.`
        let flags: Vec<String> = source
            .lines()
            .find_map(|l| l.split("`ward run ").nth(1))
            .map(|rest| {
                rest.split_whitespace()
                    .take_while(|w| !w.starts_with("examples/"))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let out = Command::new(env!("CARGO_BIN_EXE_ward"))
            .arg("run")
            .args(&flags)
            .arg(&file)
            .current_dir(&cwd)
            .output()
            .expect("ward runs");
        let stderr = text(&out.stderr);
        if out.status.code() != Some(0) {
            failures.push(format!(
                "{name} {flags:?}: exit {:?}\n{stderr}",
                out.status.code()
            ));
        }
    }
    let _ = std::fs::remove_dir_all(&cwd);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `--workers N` sets the scheduler's threads; a program with tasks prints
/// the same on one worker as on several, and zero workers is a usage error.
#[test]
fn workers_flag_runs_tasks_on_that_many_threads() {
    let path = repo_root().join("examples/hl7_fanout.ward");
    let file = path.to_string_lossy();
    let one = ward(&["run", "--workers", "1", &file]);
    let three = ward(&["run", "--workers", "3", &file]);
    assert_eq!(
        one.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&one.stderr)
    );
    assert_eq!(one.stdout, three.stdout);
    assert!(String::from_utf8_lossy(&one.stdout).contains("8 read, 8 parsed by 4 workers"));
    let zero = ward(&["run", "--workers", "0", &file]);
    assert_eq!(zero.status.code(), Some(2));
}

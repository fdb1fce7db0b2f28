//! The project workflow end to end, as the README gives it: `ward new`,
//! then `ward run`, `ward test` (with a filter), `ward check` and `ward
//! fmt` with no file in the project folder; a path dependency with its
//! lock file; programs on stdin (`-`); `--color`, `NO_COLOR`, `--quiet`,
//! warnings before a run, and `ward explain`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// A fresh folder for one test, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        let dir = std::env::temp_dir().join(format!("ward-project-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        Folder(dir)
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ward_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .output()
        .expect("the ward binary runs")
}

fn ward_stdin(dir: &Path, args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ward"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ward binary runs");
    if let Some(mut stdin) = child.stdin.take() {
        std::io::Write::write_all(&mut stdin, input.as_bytes()).expect("stdin written");
    }
    child.wait_with_output().expect("ward finishes")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn new_then_run_test_check_and_fmt_act_on_the_project() {
    let folder = Folder::new("new");
    let out = ward_in(&folder.0, &["new", "vitals"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let project = folder.0.join("vitals");
    for file in ["ward.toml", "src/main.ward", "tests/vitals.ward"] {
        assert!(project.join(file).is_file(), "{file} missing");
    }
    let manifest = std::fs::read_to_string(project.join("ward.toml")).expect("manifest");
    assert!(manifest.contains("name = \"vitals\"") && manifest.contains("version = \"0.1.0\""));

    let run = ward_in(&project, &["run"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(
        text(&run.stdout),
        "52 bpm: bradycardia\n72 bpm: normal\n128 bpm: tachycardia\n"
    );
    // `ward run DIR` from outside runs the same entry.
    let run_dir = ward_in(&folder.0, &["run", "vitals"]);
    assert_eq!(text(&run_dir.stdout), text(&run.stdout));

    let test = ward_in(&project, &["test"]);
    let stdout = text(&test.stdout);
    assert_eq!(
        test.status.code(),
        Some(0),
        "{stdout}{}",
        text(&test.stderr)
    );
    // The unit test in the entry and the test file that uses the package.
    assert!(
        stdout.contains("test a_resting_rate_is_normal ... ok"),
        "{stdout}"
    );
    assert!(
        stdout.contains("test a_fast_rate_is_tachycardia ... ok"),
        "{stdout}"
    );
    assert!(stdout.ends_with("2 passed, 0 failed\n"), "{stdout}");

    let filtered = ward_in(&project, &["test", ".", "fast"]);
    let stdout = text(&filtered.stdout);
    assert!(
        stdout.ends_with("1 passed, 0 failed, 1 filtered out\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("a_resting_rate_is_normal"), "{stdout}");

    let check = ward_in(&project, &["check"]);
    assert_eq!(check.status.code(), Some(0), "{}", text(&check.stderr));
    let lock =
        std::fs::read_to_string(project.join("ward.lock")).expect("the lock file is written");
    assert!(lock.contains("name = \"vitals\""), "{lock}");

    std::fs::write(project.join("src/extra.ward"), "fn   f()->int{1}\n").expect("written");
    let fmt = ward_in(&project, &["fmt", "--check"]);
    assert_eq!(fmt.status.code(), Some(1), "{}", text(&fmt.stdout));
    assert!(text(&fmt.stdout).contains("extra.ward"));
    let fmt = ward_in(&project, &["fmt"]);
    assert_eq!(fmt.status.code(), Some(0), "{}", text(&fmt.stderr));
    assert_eq!(
        std::fs::read_to_string(project.join("src/extra.ward")).expect("read"),
        "fn f() -> int { 1 }\n"
    );
}

#[test]
fn a_path_dependency_is_used_by_its_name_and_locked() {
    let folder = Folder::new("deps");
    let lib = folder.0.join("limits");
    let app = folder.0.join("app");
    std::fs::create_dir_all(lib.join("src")).expect("dir");
    std::fs::create_dir_all(app.join("src")).expect("dir");
    std::fs::write(
        lib.join("ward.toml"),
        "[package]\nname = \"limits\"\nversion = \"1.2.0\"\nentry = \"src/lib.ward\"\n",
    )
    .expect("written");
    std::fs::write(
        lib.join("src/lib.ward"),
        "pub fn fast() -> int { 100 }\nfn hidden() -> int { 1 }\n#[test]\nfn not_the_apps() { assert(false); }\n",
    )
    .expect("written");
    std::fs::write(
        app.join("ward.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nlimits = { path = \"../limits\" }\n",
    )
    .expect("written");
    std::fs::write(
        app.join("src/main.ward"),
        "use limits::fast;\nfn main() {\n    println(\"{} {}\", fast(), limits::fast() + 1);\n}\n#[test]\nfn mine() { assert(fast() == 100); }\n",
    )
    .expect("written");
    let run = ward_in(&app, &["run"]);
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stderr));
    assert_eq!(text(&run.stdout), "100 101\n");
    // The dependency's own tests are not the app's.
    let test = ward_in(&app, &["test"]);
    assert!(
        text(&test.stdout).ends_with("1 passed, 0 failed\n"),
        "{}",
        text(&test.stdout)
    );
    let lock = std::fs::read_to_string(app.join("ward.lock")).expect("lock written");
    assert!(
        lock.contains("name = \"limits\"\nversion = \"1.2.0\"\nsource = \"path+../limits\""),
        "{lock}"
    );
    assert!(lock.contains("dependencies = [\"limits\"]"), "{lock}");
    // Private items stay private to the package.
    let private = ward_stdin(
        &app,
        &["check", "-"],
        "fn main() { println(\"{}\", limits::hidden()); }\n",
    );
    assert_eq!(private.status.code(), Some(1));
    assert!(
        text(&private.stderr).contains("W0603"),
        "{}",
        text(&private.stderr)
    );
    // A dependency whose manifest names another package is refused.
    std::fs::write(
        app.join("ward.toml"),
        "[package]\nname = \"app\"\nversion = \"0.1.0\"\n\n[dependencies]\nlimitz = { path = \"../limits\" }\n",
    )
    .expect("written");
    let wrong = ward_in(&app, &["run"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(
        text(&wrong.stderr).contains("whose package is named `limits`"),
        "{}",
        text(&wrong.stderr)
    );
}

#[test]
fn stdin_colour_quiet_warnings_and_explain() {
    let folder = Folder::new("flags");
    let run = ward_stdin(
        &folder.0,
        &["run", "-"],
        "fn main() { let unused = 1; println(\"hi\"); }\n",
    );
    assert_eq!(run.status.code(), Some(0));
    assert_eq!(text(&run.stdout), "hi\n");
    // Warnings are shown before the run, as cargo does…
    assert!(
        text(&run.stderr).contains("warning[W1101]"),
        "{}",
        text(&run.stderr)
    );
    // …but not with --quiet.
    let quiet = ward_stdin(
        &folder.0,
        &["run", "--quiet", "-"],
        "fn main() { let unused = 1; }\n",
    );
    assert_eq!(text(&quiet.stderr), "");

    let bad = "fn main() { let x: int = \"a\"; }\n";
    let plain = ward_stdin(&folder.0, &["check", "-"], bad);
    assert!(
        !text(&plain.stderr).contains('\u{1b}'),
        "not a terminal: no colour"
    );
    let coloured = ward_stdin(&folder.0, &["check", "--color", "always", "-"], bad);
    assert!(
        text(&coloured.stderr).contains("\u{1b}["),
        "{}",
        text(&coloured.stderr)
    );

    let formatted = ward_stdin(&folder.0, &["fmt", "-"], "fn   main(){}\n");
    assert_eq!(text(&formatted.stdout), "fn main() {}\n");

    let explain = ward_in(&folder.0, &["explain", "E0382"]);
    assert_eq!(explain.status.code(), Some(0));
    assert!(text(&explain.stdout).starts_with("## W0382: Use after move"));
    let unknown = ward_in(&folder.0, &["explain", "W9999"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn no_project_and_a_bad_name_are_usage_errors() {
    let folder = Folder::new("none");
    let out = ward_in(&folder.0, &["run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("ward new NAME"),
        "{}",
        text(&out.stderr)
    );
    let out = ward_in(&folder.0, &["new", "Bad-Name"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!folder.0.join("Bad-Name").exists());
}

#[test]
fn the_manifest_sets_the_formatter_width() {
    let folder = Folder::new("width");
    std::fs::create_dir_all(folder.0.join("src")).expect("dir");
    std::fs::write(
        folder.0.join("ward.toml"),
        "[package]\nname = \"narrow\"\nversion = \"0.1.0\"\n\n[format]\nmax_width = 40\n",
    )
    .expect("written");
    let line = "fn main() {\n    report(first_value, second_value, third);\n}\n";
    std::fs::write(folder.0.join("src/main.ward"), line).expect("written");
    let out = ward_in(&folder.0, &["fmt"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(folder.0.join("src/main.ward")).expect("read"),
        "fn main() {\n    report(\n        first_value,\n        second_value,\n        third,\n    );\n}\n"
    );
    // Outside the project the default width (100) leaves the line alone.
    let outside = ward_stdin(&std::env::temp_dir(), &["fmt", "-"], line);
    assert_eq!(text(&outside.stdout), line);
    std::fs::write(
        folder.0.join("ward.toml"),
        "[package]\nname = \"narrow\"\nversion = \"0.1.0\"\n\n[format]\nmax_width = 5\n",
    )
    .expect("written");
    let bad = ward_in(&folder.0, &["fmt"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("max_width = 5"),
        "{}",
        text(&bad.stderr)
    );
}

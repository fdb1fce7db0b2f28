//! The capability corpus: every `tests/capabilities/*.ward` tries to reach
//! an effect it was not granted — through closures, `fn` values, generic
//! functions, methods, revocation before and after a closure is made, `..`
//! and symbolic links in scoped paths — and must be stopped.
//!
//! Each case runs in a fresh sandbox directory (the `.ward` file copied to
//! its top, run from there) laid out as:
//!
//! ```text
//! inside/data.txt                 "inside data"
//! inside/sub/                     (empty)
//! inside/to_outside -> ../outside
//! inside/secret_link -> ../outside/secret.txt
//! inside/dangling -> ../outside/created.txt   (does not exist yet)
//! outside/secret.txt              "secret"
//! ```
//!
//! The first line `// ward: ARGS` gives the command before the file
//! (default `run`), e.g. `// ward: run --allow fs=inside`. The case's
//! stdout must equal `NAME.out`, its stderr `NAME.err` (empty when there is
//! none), its status `// exit: N` (0 when absent) — with the sandbox's path
//! written `$SANDBOX` — and afterwards `outside/` must hold exactly
//! `secret.txt`, unchanged. `WARD_BLESS=1` rewrites the expected files.

use std::path::{Path, PathBuf};
use std::process::Command;
use ward_tests::{expected_status, repo_root};

fn sandbox(case: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ward-caps-{}-{case}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("inside/sub")).expect("sandbox");
    std::fs::create_dir_all(dir.join("outside")).expect("sandbox");
    std::fs::write(dir.join("inside/data.txt"), "inside data\n").expect("sandbox");
    std::fs::write(dir.join("outside/secret.txt"), "secret\n").expect("sandbox");
    #[cfg(unix)]
    {
        use std::os::unix::fs::symlink;
        symlink("../outside", dir.join("inside/to_outside")).expect("link");
        symlink("../outside/secret.txt", dir.join("inside/secret_link")).expect("link");
        symlink("../outside/created.txt", dir.join("inside/dangling")).expect("link");
    }
    // Compared by what the OS calls it (`/tmp` may itself be a link).
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

fn outside_untouched(dir: &Path) -> Result<(), String> {
    let mut names: Vec<String> = std::fs::read_dir(dir.join("outside"))
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    if names != ["secret.txt"] {
        return Err(format!("outside/ now holds {names:?}"));
    }
    let secret = std::fs::read_to_string(dir.join("outside/secret.txt")).unwrap_or_default();
    if secret != "secret\n" {
        return Err(format!("outside/secret.txt now reads {secret:?}"));
    }
    Ok(())
}

#[cfg(unix)]
#[test]
fn no_capability_is_reachable_without_its_grant() {
    let root = repo_root();
    let corpus = root.join("tests/capabilities");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .expect("tests/capabilities exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "ward"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the corpus has {} cases", files.len());
    let bless = std::env::var_os("WARD_BLESS").is_some();
    let mut failures = Vec::new();
    for file in &files {
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("UTF-8 names");
        let source = std::fs::read_to_string(file).expect("readable");
        let dir = sandbox(stem);
        let name = format!("{stem}.ward");
        std::fs::write(dir.join(&name), &source).expect("copy the case");
        let args: Vec<&str> = source
            .lines()
            .find_map(|l| l.strip_prefix("// ward:"))
            .map_or_else(|| vec!["run"], |a| a.split_whitespace().collect());
        let out = Command::new(env!("CARGO_BIN_EXE_ward"))
            .args(&args)
            .arg(&name)
            .current_dir(&dir)
            .output()
            .expect("ward runs");
        let sandbox_text = dir.display().to_string();
        let clean = |b: &[u8]| String::from_utf8_lossy(b).replace(&sandbox_text, "$SANDBOX");
        let (stdout, stderr) = (clean(&out.stdout), clean(&out.stderr));
        let (out_path, err_path) = (file.with_extension("out"), file.with_extension("err"));
        if bless {
            std::fs::write(&out_path, &stdout).expect("write .out");
            if stderr.is_empty() {
                let _ = std::fs::remove_file(&err_path);
            } else {
                std::fs::write(&err_path, &stderr).expect("write .err");
            }
        } else {
            let want_out = std::fs::read_to_string(&out_path).unwrap_or_default();
            let want_err = std::fs::read_to_string(&err_path).unwrap_or_default();
            if stdout != want_out {
                failures.push(format!(
                    "{name}: stdout\n--- expected\n{want_out}--- got\n{stdout}--- stderr\n{stderr}"
                ));
            }
            if stderr != want_err {
                failures.push(format!(
                    "{name}: stderr\n--- expected\n{want_err}--- got\n{stderr}"
                ));
            }
            let status = out.status.code().unwrap_or(-1);
            if status != expected_status(&source) {
                failures.push(format!(
                    "{name}: exit status {status}, expected {}",
                    expected_status(&source)
                ));
            }
        }
        if let Err(e) = outside_untouched(&dir) {
            failures.push(format!("{name}: {e}"));
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

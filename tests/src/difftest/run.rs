//! Differential running: a common-subset program's stdout and exit status
//! under `ward run` (compiled and run in-process through the embedding
//! API) against the same program translated to Rust, built with rustc and
//! run.

use std::path::Path;
use std::process::Command;
use std::time::Duration;
use ward_compiler::analysis::analyze_text;
use ward_runtime::embed::{Host, RunOptions};

/// What a run printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub stdout: String,
    pub status: i32,
}

/// Checks, compiles and runs Ward source; `Err` when it does not compile.
pub fn ward_run(name: &str, src: &str) -> Result<Run, String> {
    let analysis = analyze_text(name, src);
    if analysis.has_errors() {
        return Err("the program has errors".into());
    }
    let compiled = ward_compiler::codegen::compile(&analysis.program, &analysis.typed)
        .map_err(|e| e.to_string())?;
    let options = RunOptions {
        timeout: Some(Duration::from_secs(20)),
        ..RunOptions::default()
    };
    let out = Host::new()
        .run(compiled.module, &options)
        .map_err(|e| e.to_string())?;
    Ok(Run {
        stdout: out.stdout,
        status: out.exit_code,
    })
}

/// Builds Rust source with rustc and runs it.
pub fn rustc_run(rust: &str, dir: &Path, name: &str) -> Result<Run, String> {
    let file = dir.join(format!("{name}.rs"));
    let bin = dir.join(format!("{name}.bin"));
    std::fs::write(&file, rust).map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    let build = Command::new("rustc")
        .args([
            "--edition",
            "2021",
            "-A",
            "warnings",
            "-C",
            "opt-level=0",
            "-o",
        ])
        .arg(&bin)
        .arg(&file)
        .output()
        .map_err(|e| format!("cannot run rustc: {e}"))?;
    if !build.status.success() {
        return Err(format!(
            "rustc rejected the translation:\n{}",
            String::from_utf8_lossy(&build.stderr)
        ));
    }
    let out = Command::new(&bin)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", bin.display()))?;
    let _ = std::fs::remove_file(&bin);
    Ok(Run {
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        status: out.status.code().unwrap_or(-1),
    })
}

/// Runs a program both ways. `Ok(None)`: outside the common subset (Ward
/// rejects it, it does not translate, rustc rejects the translation, or
/// the source says `// not-rust: why` — a map's iteration order, a stack
/// overflow, which Rust reports differently); `Ok(Some((ward, rust)))`
/// otherwise, for the caller to compare.
pub fn both(name: &str, src: &str, dir: &Path) -> Result<Option<(Run, Run)>, String> {
    if src
        .lines()
        .any(|l| l.trim_start().starts_with("// not-rust:"))
    {
        return Ok(None);
    }
    let analysis = analyze_text(name, src);
    if analysis.has_errors() {
        return Ok(None);
    }
    let Ok(rust) = super::translate::translate(&analysis) else {
        return Ok(None);
    };
    let ward = ward_run(name, src)?;
    let rust = match rustc_run(&rust, dir, name.trim_end_matches(".ward")) {
        Ok(r) => r,
        Err(e) if e.starts_with("rustc rejected") => return Ok(None),
        Err(e) => return Err(e),
    };
    Ok(Some((ward, rust)))
}

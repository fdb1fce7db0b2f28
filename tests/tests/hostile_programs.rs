//! Programs that try to take their host down (`tests/hostile/*.ward`):
//! recursion through natives, deep values dropped, cloned, compared,
//! printed and traced, memory grown without end, a petabyte nursery, a
//! panic re-raised at every level. Each runs as the language server's Run
//! lens runs it — the embedding API, on a thread with a small stack
//! (512 KiB, a quarter of what the Run lens gets) and a 256 MiB heap
//! budget — and must print `NAME.out` on stdout, end with the status of
//! its `// exit: N` line (0 when absent) and, when it has a `// panic:`
//! line, panic with a message containing that text. `WARD_BLESS=1`
//! rewrites the `.out` files.

use std::path::Path;
use ward_compiler::analysis::analyze_text;
use ward_runtime::embed::{Host, Outcome, RunOptions};
use ward_tests::{expected_status, header, hostile_programs};

const STACK: usize = 512 * 1024;
const HEAP: usize = 256 << 20;

fn run_one(path: &Path) -> Result<(), String> {
    let source = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let analysis = analyze_text(&name, &source);
    if analysis.has_errors() {
        return Err(format!(
            "{name}: does not check: {:?}",
            analysis.diagnostics
        ));
    }
    let module = ward_compiler::codegen::compile(&analysis.program, &analysis.typed)
        .map_err(|e| format!("{name}: does not compile: {e}"))?
        .module;
    let options = RunOptions {
        max_heap_bytes: Some(HEAP),
        timeout: Some(std::time::Duration::from_secs(60)),
        ..RunOptions::default()
    };
    let out = std::thread::Builder::new()
        .name(format!("run-{name}"))
        .stack_size(STACK)
        .spawn(move || Host::new().run(module, &options))
        .map_err(|e| e.to_string())?
        .join()
        .map_err(|_| format!("{name}: the runtime panicked"))?
        .map_err(|e| format!("{name}: does not load: {e}"))?;
    let want_status = expected_status(&source);
    let out_path = path.with_extension("out");
    if std::env::var_os("WARD_BLESS").is_some() {
        std::fs::write(&out_path, &out.stdout).map_err(|e| e.to_string())?;
    }
    let want_out = std::fs::read_to_string(&out_path).unwrap_or_default();
    let mut problems = Vec::new();
    if out.stdout != want_out {
        problems.push(format!(
            "stdout differs\n--- expected\n{want_out}--- got\n{}",
            out.stdout
        ));
    }
    if out.exit_code != want_status {
        problems.push(format!(
            "exit status {} (expected {want_status}): {:?}",
            out.exit_code, out.outcome
        ));
    }
    if let Some(want) = header(&source, "// panic:") {
        match &out.outcome {
            Outcome::Panicked(p)
                if p.to_string().contains(want) || format!("{:?}", p.kind).contains(want) => {}
            other => problems.push(format!(
                "expected a panic containing `{want}`, got {other:?}"
            )),
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}: {}", problems.join("\n")))
    }
}

#[test]
fn hostile_programs_end_as_ward_panics_or_finish() {
    let files = hostile_programs();
    assert!(files.len() >= 10, "the corpus has {} programs", files.len());
    let failures: Vec<String> = files.iter().filter_map(|f| run_one(f).err()).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

//! Run, Profile and Run test: `workspace/executeCommand` with
//! `ward.run`, `ward.profile` or `ward.runTest` and arguments
//! `[uri, functionName]`. The program is compiled from the document's
//! snapshot and runs on a thread of its own through the runtime's
//! embedding API, with the `ward.run.timeoutMs` limit. Output streams as
//! `ward/runOutput` notifications; `ward/cancelRun {runId}` (or cancelling
//! the request) stops it.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::Uri;
use tower_lsp_server::ls_types::notification::Notification;
use ward_compiler::resolve::DefKind;
use ward_runtime::embed::{Outcome, OutputSink, RunOptions, Stream};

use super::snapshot::Snapshot;

pub const RUN: &str = "ward.run";
pub const PROFILE: &str = "ward.profile";
pub const RUN_TEST: &str = "ward.runTest";
pub const COMMANDS: [&str; 3] = [RUN, PROFILE, RUN_TEST];

/// `ward/runOutput`: a piece of a running program's output.
#[derive(Debug)]
pub enum RunOutputNotification {}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOutputParams {
    pub run_id: u64,
    /// `stdout` or `stderr`.
    pub stream: String,
    pub text: String,
    /// The task that wrote it, when not `main` (whole lines).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<u64>,
}

impl Notification for RunOutputNotification {
    type Params = RunOutputParams;
    const METHOD: &'static str = "ward/runOutput";
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelRunParams {
    pub run_id: u64,
}

/// One function's figures in a profile.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FunctionProfile {
    pub name: String,
    pub calls: u64,
    pub self_ms: f64,
    pub total_ms: f64,
    pub allocations: u64,
    pub allocated_bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct GcPauses {
    pub count: u64,
    pub total_ms: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub young_collections: u64,
    pub old_collections: u64,
    /// Pause counts by duration, shortest first (the Profile view's
    /// histogram).
    pub histogram: Vec<PauseBucket>,
}

/// The pauses no longer than `up_to_ms` (and longer than the bucket
/// before); `None`: longer than every bound.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct PauseBucket {
    pub up_to_ms: Option<f64>,
    pub count: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ProfileResult {
    pub functions: Vec<FunctionProfile>,
    pub gc: GcPauses,
    /// For a program that started tasks: each task, `main` first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tasks: Vec<TaskProfileResult>,
}

/// One task's figures in a profile.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct TaskProfileResult {
    pub id: u64,
    pub priority: String,
    /// The function or closure it ran.
    pub body: String,
    /// Time on a worker.
    pub run_ms: f64,
    pub resumes: u64,
    pub gc_pauses: u64,
    pub gc_total_ms: f64,
    pub gc_max_ms: f64,
}

/// What the command returns.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunResult {
    pub run_id: u64,
    pub exit_code: i32,
    pub stdout: String,
    pub stderr: String,
    pub duration_ms: f64,
    /// Why the run stopped early: a panic's message, a time limit,
    /// cancellation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub profile: Option<ProfileResult>,
}

/// The arguments of a run command.
#[derive(Debug, Clone)]
pub struct RunRequest {
    pub uri: Uri,
    pub function: String,
    pub profile: bool,
    pub test: bool,
}

fn failed(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into().into(),
        data: None,
    }
}

impl RunRequest {
    pub fn parse(command: &str, arguments: &[serde_json::Value]) -> Result<RunRequest> {
        let text = |i: usize| arguments.get(i).and_then(serde_json::Value::as_str);
        let (Some(uri), Some(function)) = (text(0), text(1)) else {
            return Err(Error::invalid_params(format!(
                "{command} takes [uri, functionName]"
            )));
        };
        let uri = uri
            .parse::<Uri>()
            .map_err(|e| Error::invalid_params(format!("bad uri {uri}: {e}")))?;
        Ok(RunRequest {
            uri,
            function: function.to_string(),
            profile: command == PROFILE,
            test: command == RUN_TEST,
        })
    }
}

/// A compiled program ready to run: the module and the function.
pub struct Prepared {
    pub module: ward_runtime::bytecode::Module,
    /// `None`: the module's `main`.
    pub function: Option<String>,
    /// Bytecode names of the document's functions, with their name spans
    /// (for profile lenses).
    pub names: Vec<(String, ward_compiler::diagnostics::Span)>,
    /// The capabilities the run grants (`ward.run.allow`).
    pub grant: ward_runtime::caps::Grant,
}

/// Compiles the snapshot's program for `req`, or says why it cannot run.
pub fn prepare(snap: &Snapshot, req: &RunRequest) -> Result<Prepared> {
    let analysis = &snap.analysis;
    let program = &analysis.program;
    let errors: Vec<_> = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .collect();
    if let Some(first) = errors.first() {
        return Err(failed(format!(
            "the program has {} error{}; the first: {}",
            errors.len(),
            if errors.len() == 1 { "" } else { "s" },
            first.message
        )));
    }
    // The named function of this document: a plain or test function.
    let def = program
        .defs_with_ids()
        .find(|(_, d)| {
            d.file == snap.file
                && d.owner.is_none()
                && d.name.text == req.function
                && matches!(d.kind, DefKind::Fn(_))
        })
        .map(|(id, _)| id);
    let Some(def) = def else {
        return Err(failed(format!(
            "there is no function `{}` in this document",
            req.function
        )));
    };
    if req.test && !program.def(def).has_attr("test") {
        return Err(failed(format!(
            "`{}` is not a #[test] function",
            req.function
        )));
    }
    let compiled = ward_compiler::codegen::compile(program, &analysis.typed)
        .map_err(|e| failed(format!("cannot compile: {e}")))?;
    let name = ward_compiler::codegen::function_name(program, &analysis.typed, def);
    let is_main = req.function == "main" && !req.test;
    let names = program
        .defs_with_ids()
        .filter(|(_, d)| d.file == snap.file && matches!(d.kind, DefKind::Fn(_)))
        .map(|(id, d)| {
            (
                ward_compiler::codegen::function_name(program, &analysis.typed, id),
                d.name.span,
            )
        })
        .collect();
    Ok(Prepared {
        module: compiled.module,
        function: (!is_main).then_some(name),
        names,
        grant: ward_runtime::caps::Grant::none(),
    })
}

static NEXT_RUN: AtomicU64 = AtomicU64::new(1);

/// Runs are numbered from 1 within a server.
pub fn next_run_id() -> u64 {
    NEXT_RUN.fetch_add(1, Ordering::Relaxed)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Runs `prepared` on its own thread, streaming output through `sink`;
/// returns when it ends (finished, panicked, timed out or cancelled).
pub async fn execute(
    prepared: Prepared,
    run_id: u64,
    timeout: Duration,
    max_heap_bytes: usize,
    profile: bool,
    cancel: Arc<AtomicBool>,
    sink: OutputSink,
) -> Result<RunResult> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let options = RunOptions {
        timeout: Some(timeout),
        cancel: Some(cancel),
        sink: Some(sink.clone()),
        function: prepared.function.clone(),
        grant: prepared.grant.clone(),
        profile,
        // The program runs inside the server's process: a list grown
        // without end must stop it, not the editor's server.
        max_heap_bytes: ward_runtime::heap::accounting::ENABLED.then_some(max_heap_bytes),
        ..RunOptions::default()
    };
    let module = prepared.module;
    std::thread::Builder::new()
        .name(format!("ward-run-{run_id}"))
        .spawn(move || {
            let host = ward_runtime::embed::Host::new();
            let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                host.run(module, &options)
            }));
            let _ = tx.send(out);
        })
        .map_err(|e| failed(format!("cannot start the program's thread: {e}")))?;
    let out = rx
        .await
        .map_err(|_| failed("the program's thread ended without a result"))?
        .map_err(|_| failed("the runtime panicked running the program"))?
        .map_err(|e| failed(format!("cannot load the program: {e}")))?;
    let mut stderr = out.stderr;
    let stopped = match &out.outcome {
        Outcome::Finished => None,
        Outcome::Failed(text) => {
            let line = format!("error: {text}\n");
            sink(Stream::Stderr, 0, &line);
            stderr.push_str(&line);
            Some(format!("main returned an error: {text}"))
        }
        Outcome::Panicked(p) => {
            // Where and why, with the source line, as `ward run` prints it.
            let rendered = ward_runtime::error::render_panic(p, &|path: &str| {
                std::fs::read_to_string(path).ok()
            });
            sink(Stream::Stderr, 0, &rendered);
            stderr.push_str(&rendered);
            Some(p.message.clone())
        }
        Outcome::NotGranted(missing) => {
            let who = format!("`{}`", prepared.function.as_deref().unwrap_or("main"));
            let line = format!(
                "error: {}\nhelp: add {} to the `ward.run.allow` setting\n",
                ward_runtime::caps::not_granted(&who, *missing),
                missing
                    .iter()
                    .map(|c| format!("\"{c}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            sink(Stream::Stderr, 0, &line);
            stderr.push_str(&line);
            Some(format!(
                "{who} needs {}, which `ward.run.allow` does not grant",
                ward_runtime::caps::describe(*missing)
            ))
        }
    };
    let profile = out.profile.map(|p| ProfileResult {
        tasks: p
            .tasks
            .iter()
            .map(|t| TaskProfileResult {
                id: t.id,
                priority: t.priority.name().to_string(),
                body: t.body.clone(),
                run_ms: ms(Duration::from_nanos(t.run_ns)),
                resumes: t.resumes,
                gc_pauses: t.gc.all.count,
                gc_total_ms: t.gc.total_pause_us / 1000.0,
                gc_max_ms: t.gc.all.max_us / 1000.0,
            })
            .collect(),
        functions: p
            .functions
            .into_iter()
            .map(|f| FunctionProfile {
                name: f.name,
                calls: f.calls,
                self_ms: ms(Duration::from_nanos(f.self_ns)),
                total_ms: ms(Duration::from_nanos(f.total_ns)),
                allocations: f.allocs,
                allocated_bytes: f.alloc_bytes,
            })
            .collect(),
        gc: GcPauses {
            count: p.gc.all.count,
            total_ms: p.gc.total_pause_us / 1000.0,
            p50_ms: p.gc.all.p50_us / 1000.0,
            p99_ms: p.gc.all.p99_us / 1000.0,
            max_ms: p.gc.all.max_us / 1000.0,
            young_collections: p.gc.young_collections,
            old_collections: p.gc.old_collections,
            histogram: p
                .gc
                .pause_histogram
                .iter()
                .enumerate()
                .map(|(i, &count)| PauseBucket {
                    up_to_ms: ward_runtime::heap::stats::PAUSE_BUCKETS_US
                        .get(i)
                        .map(|us| us / 1000.0),
                    count,
                })
                .collect(),
        },
    });
    Ok(RunResult {
        run_id,
        exit_code: out.exit_code,
        stdout: out.stdout,
        stderr,
        duration_ms: ms(out.duration),
        stopped,
        profile,
    })
}

/// A finished run as one message, for clients that do not show
/// `ward/runOutput`: the output's last lines, then how the run ended.
pub fn outcome_message(
    function: &str,
    result: &RunResult,
) -> (tower_lsp_server::ls_types::MessageType, String) {
    use std::fmt::Write as _;
    use tower_lsp_server::ls_types::MessageType;
    const LINES: usize = 20;
    let output: Vec<&str> = result.stdout.lines().chain(result.stderr.lines()).collect();
    let mut text = String::new();
    if output.len() > LINES {
        let _ = writeln!(text, "… {} lines before", output.len() - LINES);
    }
    for line in output.iter().skip(output.len().saturating_sub(LINES)) {
        text.push_str(line);
        text.push('\n');
    }
    let ended = match &result.stopped {
        Some(why) => format!(
            "`{function}` stopped: {why} (exit code {})",
            result.exit_code
        ),
        None => format!(
            "`{function}` exited with code {} in {:.1} ms",
            result.exit_code, result.duration_ms
        ),
    };
    text.push_str(&ended);
    let kind = if result.exit_code == 0 {
        MessageType::INFO
    } else {
        MessageType::ERROR
    };
    (kind, text)
}

/// Sets the cancel flag when dropped: a run whose request was cancelled
/// (its future dropped) stops too.
pub struct StopOnDrop(pub Arc<AtomicBool>);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    fn result(stdout: &str, exit_code: i32, stopped: Option<&str>) -> RunResult {
        RunResult {
            run_id: 1,
            exit_code,
            stdout: stdout.to_string(),
            stderr: String::new(),
            duration_ms: 1.25,
            stopped: stopped.map(str::to_string),
            profile: None,
        }
    }

    #[test]
    fn outcome_messages_keep_the_last_lines_and_say_how_the_run_ended() {
        let long = (1..=25).fold(String::new(), |mut s, i| {
            let _ = writeln!(s, "line {i}");
            s
        });
        let (kind, text) = outcome_message("main", &result(&long, 0, None));
        assert_eq!(kind, tower_lsp_server::ls_types::MessageType::INFO);
        assert!(text.starts_with("… 5 lines before\nline 6\n"), "{text}");
        assert!(
            text.ends_with("line 25\n`main` exited with code 0 in 1.2 ms"),
            "{text}"
        );
        let (kind, text) = outcome_message("main", &result("", 101, Some("panicked")));
        assert_eq!(kind, tower_lsp_server::ls_types::MessageType::ERROR);
        assert_eq!(text, "`main` stopped: panicked (exit code 101)");
    }
}

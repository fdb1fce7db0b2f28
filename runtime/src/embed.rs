//! The embedding API: what a host (the `ward` CLI, the language server's
//! Run lens, a device firmware) uses to run a compiled module.
//!
//! ```text
//! let mut host = Host::new();
//! host.register_needing("device::read", CapSet::of([Capability::Device]), my_sensor);
//! let options = RunOptions { grant: Grant::parse("device,clock")?, timeout: Some(…), ..Default::default() };
//! let out = host.run(module, &options)?;
//! ```
//!
//! A run starts only when the grant covers what the entry function needs
//! (its `uses` clause, recorded in the bytecode): otherwise nothing runs and
//! the outcome is [`Outcome::NotGranted`] with what is missing. While it
//! runs, a native called without the capability it needs panics with
//! `CapabilityDenied`.
//!
//! Output is captured (and optionally streamed to a callback as it is
//! written), or with [`Output::Inherit`] goes to the process's own streams
//! (`ward run`, `ward test`); a run can be limited by wall-clock time, an instruction budget
//! and a heap budget (bytes held at once, counted by the allocator), and
//! cancelled from another thread through [`RunOptions::cancel`].

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::bytecode::Module;
use crate::caps::{CapSet, Grant};
use crate::error::{Panic, PanicKind};
use crate::heap::accounting;
use crate::vm::{
    HostNative, Limits, NativeFn, PrepareError, Program, Value, Vm, fmt, natives, well_known,
};

/// Which stream a piece of output went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// Called with each piece of output as the program writes it, with the
/// number of the task that wrote it (0: `main`; a spawned task writes
/// whole lines).
pub type OutputSink = Arc<dyn Fn(Stream, u64, &str) + Send + Sync>;

/// Where a run's output goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Output {
    /// Into [`RunOutput::stdout`] and [`RunOutput::stderr`], and to the
    /// sink as it is written (an editor, a test).
    #[default]
    Capture,
    /// Straight to the process's stdout (buffered, flushed when the run
    /// ends) and stderr, as a command-line runner wants; nothing is
    /// captured and the sink is not called.
    Inherit,
}

#[derive(Clone, Default)]
pub struct RunOptions {
    /// Stop after this much wall-clock time.
    pub timeout: Option<Duration>,
    /// Stop after about this many instructions.
    pub max_instructions: Option<u64>,
    /// Stop when the program holds more than this many bytes of memory.
    pub max_heap_bytes: Option<usize>,
    /// Setting this (from any thread) stops the run.
    pub cancel: Option<Arc<AtomicBool>>,
    /// Captured (the default) or written to the process's streams.
    pub output: Output,
    /// Receives output as it is written (besides capturing it).
    pub sink: Option<OutputSink>,
    /// Program arguments.
    pub args: Vec<String>,
    /// The function to run (default: the module's entry, `main`).
    pub function: Option<String>,
    /// Count calls, time and allocations per function, and report them
    /// with the collector's figures ([`RunOutput::profile`]).
    pub profile: bool,
    /// The capabilities the entry function's task starts with (default:
    /// none).
    pub grant: Grant,
    /// Worker threads for a program that starts tasks (default: one per
    /// core, or `WARD_WORKERS`).
    pub workers: Option<usize>,
}

impl std::fmt::Debug for RunOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("timeout", &self.timeout)
            .field("max_instructions", &self.max_instructions)
            .field("max_heap_bytes", &self.max_heap_bytes)
            .field("function", &self.function)
            .field("output", &self.output)
            .field("profile", &self.profile)
            .field("grant", &self.grant)
            .finish_non_exhaustive()
    }
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Returned normally (`main`'s `Ok`, or no result).
    Finished,
    /// `main` returned `Err`: the error chain as text.
    Failed(String),
    /// An uncaught panic, a limit, or a cancellation.
    Panicked(Panic),
    /// Not started: the entry function needs these capabilities and the
    /// grant lacks them.
    NotGranted(CapSet),
}

#[derive(Debug, Clone)]
pub struct RunOutput {
    pub stdout: String,
    pub stderr: String,
    pub outcome: Outcome,
    /// As `ward run` exits: 0, 1 (`main` returned `Err`, or capabilities
    /// were not granted), 101 (panic).
    pub exit_code: i32,
    pub duration: Duration,
    pub instructions: u64,
    /// The most memory the program held at once, in bytes (0 when the
    /// runtime was built without the counting allocator).
    pub heap_peak: usize,
    /// The collector's figures for the whole run.
    pub gc: crate::heap::GcStats,
    /// With [`RunOptions::profile`]: per-function figures and GC pauses.
    pub profile: Option<Profile>,
    /// For a program that started tasks: the scheduler's counters.
    pub sched: Option<crate::sched::SchedStats>,
    /// The zones `main`'s task entered, by where each is written.
    pub zones: Vec<ZonePeak>,
}

/// One zone of a run: where it is written, the most bytes it held at
/// once, and what it reserved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZonePeak {
    /// `file:line:col` of its `zone` keyword.
    pub location: String,
    pub peak_bytes: usize,
    pub reserved_bytes: usize,
}

/// What a profiled run measured.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Functions that ran, most total time first (in every task).
    pub functions: Vec<crate::vm::profile::FnProfile>,
    /// `main`'s heap (each task's is in `tasks`).
    pub gc: crate::heap::GcStats,
    /// For a program that started tasks: each task's time and GC pauses,
    /// `main` first.
    pub tasks: Vec<crate::sched::TaskProfile>,
}

/// A writer into a shared buffer that also feeds the sink.
struct Capture {
    buf: Arc<Mutex<Vec<u8>>>,
    stream: Stream,
    sink: Option<OutputSink>,
}

impl crate::sched::TaskWrite for Capture {
    fn write_from(&mut self, task: u64, bytes: &[u8]) -> std::io::Result<()> {
        // The host's buffers are not the program's heap.
        accounting::uncounted(|| {
            if let Ok(mut b) = self.buf.lock() {
                b.extend_from_slice(bytes);
            }
            if let Some(sink) = &self.sink {
                sink(self.stream, task, &String::from_utf8_lossy(bytes));
            }
        });
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A [`crate::sched::TaskWrite`] as `main`'s plain writer (a run without
/// tasks).
struct MainOnly(Box<dyn crate::sched::TaskWrite>);

impl Write for MainOnly {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write_from(0, bytes)?;
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A host: the natives it provides on top of the core library.
#[derive(Default)]
pub struct Host {
    natives: HashMap<String, HostNative>,
}

impl std::fmt::Debug for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Host")
            .field("natives", &self.natives.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Host {
    pub fn new() -> Host {
        Host::default()
    }

    /// Provides (or replaces) the native function a std entry names, e.g.
    /// `"device::read"`; it needs what the std entry needs.
    pub fn register(&mut self, name: &str, f: NativeFn) {
        self.register_needing(name, CapSet::EMPTY, f);
    }

    /// [`Host::register`] for a native that touches the outside world: a
    /// task must hold `needs` (besides what the std entry needs) to call
    /// it, or the call panics with `CapabilityDenied`.
    pub fn register_needing(&mut self, name: &str, needs: CapSet, f: NativeFn) {
        self.natives
            .insert(name.to_string(), HostNative { f, needs });
    }

    /// Verifies and prepares a module (bytecode from the compiler).
    pub fn load(&self, module: Module) -> Result<Program, PrepareError> {
        Program::new(module, &self.natives)
    }

    /// Loads and runs a module.
    pub fn run(&self, module: Module, options: &RunOptions) -> Result<RunOutput, PrepareError> {
        let program = self.load(module)?;
        run_program(&program, options)
    }
}

/// Runs the entry (or named) function of a prepared program.
pub fn run_program(program: &Program, options: &RunOptions) -> Result<RunOutput, PrepareError> {
    let entry = match &options.function {
        Some(name) => program
            .function(name)
            .ok_or_else(|| PrepareError(format!("no function named `{name}`")))?,
        None => program
            .module
            .entry
            .ok_or_else(|| PrepareError("the module has no `main`".into()))?,
    };
    let start = Instant::now();
    let needs = program
        .module
        .functions
        .get(entry as usize)
        .map_or(CapSet::EMPTY, |f| f.caps);
    let missing = needs.minus(options.grant.caps());
    if !missing.is_empty() {
        return Ok(RunOutput::not_started(Outcome::NotGranted(missing), start));
    }
    let out_buf = Arc::new(Mutex::new(Vec::new()));
    let err_buf = Arc::new(Mutex::new(Vec::new()));
    if options.max_heap_bytes.is_some() && !accounting::ENABLED {
        return Err(PrepareError(
            "a heap budget needs the runtime's counting allocator (feature `counting-allocator`)"
                .into(),
        ));
    }
    let (result, instructions, heap_peak, gc, profile, sched, zones) = {
        type Shared = Box<dyn crate::sched::TaskWrite>;
        let (out, err): (Shared, Shared) = match options.output {
            Output::Capture => (
                Box::new(Capture {
                    buf: out_buf.clone(),
                    stream: Stream::Stdout,
                    sink: options.sink.clone(),
                }),
                Box::new(Capture {
                    buf: err_buf.clone(),
                    stream: Stream::Stderr,
                    sink: options.sink.clone(),
                }),
            ),
            Output::Inherit => (
                Box::new(crate::sched::Plain(accounting::uncounted(|| {
                    std::io::BufWriter::new(std::io::stdout())
                }))),
                Box::new(crate::sched::Plain(std::io::stderr())),
            ),
        };
        // A program that starts tasks runs on the scheduler, whose tasks
        // write whole lines into shared streams; any other runs here
        // alone, as before there were tasks.
        let (mut vm, shared_out) = if program.uses_tasks() {
            let o: crate::sched::SharedOut = Arc::new(crate::sched::sync::Mutex::new(out));
            let e: crate::sched::SharedOut = Arc::new(crate::sched::sync::Mutex::new(err));
            let vm = Vm::new(
                program,
                crate::vm::tasks::line_writer(&o, 0),
                crate::vm::tasks::line_writer(&e, 0),
            );
            (vm, Some((o, e)))
        } else {
            let vm = Vm::new(program, Box::new(MainOnly(out)), Box::new(MainOnly(err)));
            (vm, None)
        };
        vm.set_caps(crate::vm::caps::TaskCaps::granted(options.grant.clone()));
        vm.args.clone_from(&options.args);
        vm.set_limits(Limits {
            max_instructions: options.max_instructions,
            deadline: options.timeout.map(|t| start + t),
            cancel: options.cancel.clone(),
            // With tasks, the run's account holds the budget.
            max_heap_bytes: options.max_heap_bytes.filter(|_| shared_out.is_none()),
        });
        if options.profile {
            vm.profiler = Some(Box::new(crate::vm::profile::Profiler::new(
                program.function_count(),
            )));
        }
        let (r, mut vm, sched_stats) = if let Some((o, e)) = shared_out {
            match vm.start(entry) {
                Ok(()) => {
                    let config = crate::sched::Config {
                        workers: options
                            .workers
                            .unwrap_or_else(|| crate::sched::Config::from_env().workers),
                    };
                    let (r, vm, stats) = crate::sched::run(
                        program,
                        Box::new(vm),
                        o,
                        e,
                        options.max_heap_bytes,
                        &config,
                    );
                    (r, vm, Some(stats))
                }
                Err(p) => (Err(p), Box::new(vm), None),
            }
        } else {
            let r = vm.call(entry, Vec::new());
            (r, Box::new(vm), None)
        };
        let _ = vm.out.flush();
        let _ = vm.err.flush();
        let gc = vm.heap.stats();
        let profile = vm.profiler.take().map(|mut p| {
            p.finish();
            Profile {
                functions: p.report(|f| program.function_name(f).to_string()),
                gc: gc.clone(),
                tasks: sched_stats
                    .as_ref()
                    .map(|s| s.tasks.clone())
                    .unwrap_or_default(),
            }
        });
        let peak = sched_stats
            .as_ref()
            .map_or_else(|| vm.heap_peak(), |s| s.heap_peak);
        let zones = vm.zone_peaks();
        (r, vm.instructions(), peak, gc, profile, sched_stats, zones)
    };
    let duration = start.elapsed();
    let outcome = match result {
        Ok(v) => match main_error(program, &v) {
            Some(text) => Outcome::Failed(text),
            None => Outcome::Finished,
        },
        Err(p) => Outcome::Panicked(p),
    };
    let exit_code = outcome.exit_code();
    let text = |b: &Arc<Mutex<Vec<u8>>>| {
        b.lock()
            .map(|v| String::from_utf8_lossy(&v).into_owned())
            .unwrap_or_default()
    };
    let (stdout, stderr) = (text(&out_buf), text(&err_buf));
    // The buffers' contents grew uncounted: they go uncounted too.
    accounting::uncounted(|| {
        for buf in [&out_buf, &err_buf] {
            if let Ok(mut b) = buf.lock() {
                drop(std::mem::take(&mut *b));
            }
        }
    });
    Ok(RunOutput {
        stdout,
        stderr,
        outcome,
        exit_code,
        duration,
        instructions,
        heap_peak,
        gc,
        profile,
        sched,
        zones,
    })
}

impl Outcome {
    /// As `ward run` exits.
    pub fn exit_code(&self) -> i32 {
        match self {
            Outcome::Finished => 0,
            Outcome::Failed(_) | Outcome::NotGranted(_) => 1,
            Outcome::Panicked(_) => 101,
        }
    }
}

impl RunOutput {
    /// A run that ended before the program started.
    fn not_started(outcome: Outcome, start: Instant) -> RunOutput {
        RunOutput {
            stdout: String::new(),
            stderr: String::new(),
            exit_code: outcome.exit_code(),
            outcome,
            duration: start.elapsed(),
            instructions: 0,
            heap_peak: 0,
            gc: crate::heap::GcStats::default(),
            profile: None,
            sched: None,
            zones: Vec::new(),
        }
    }
}

/// `main` returning `Err(e)`: the error chain (or the value's `Debug`).
pub fn main_error(program: &Program, value: &Value) -> Option<String> {
    let Value::Variant(v) = value else {
        return None;
    };
    if v.ty() != well_known::RESULT || v.tag() != 1 {
        return None;
    }
    Some(match v.fields().first() {
        Some(Value::Record(r)) if r.ty() == well_known::ERROR => {
            natives::error_info(r.fields()).chain_text()
        }
        // SAFETY: a value `main` returned owns its data (the borrow
        // checker lets no reference to a local out of `main`).
        Some(other) => unsafe { fmt::debug(&program.module, other) },
        None => String::new(),
    })
}

/// The heap budget a host gives a run when it is not told one: a quarter
/// of the machine's memory (the JVM's default maximum heap), at least
/// 256 MiB, or 1 GiB where the machine's memory cannot be read. A program
/// that grows a list or string without end stops as a Ward panic instead
/// of taking the machine's memory (and the host process) with it.
pub fn default_heap_budget() -> usize {
    const FLOOR: usize = 256 << 20;
    physical_memory().map_or(1 << 30, |bytes| (bytes / 4).max(FLOOR))
}

/// Total memory in bytes (`MemTotal` of `/proc/meminfo`).
fn physical_memory() -> Option<usize> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Reads a size such as `512M`, `2G`, `64K` or `1000000` (bytes; the
/// suffixes are powers of 1024, `B` allowed after them).
pub fn parse_size(text: &str) -> Result<usize, String> {
    let t = text.trim();
    let t = t.strip_suffix(['B', 'b']).unwrap_or(t);
    let (digits, shift) = match t.chars().last() {
        Some('K' | 'k') => (&t[..t.len() - 1], 10),
        Some('M' | 'm') => (&t[..t.len() - 1], 20),
        Some('G' | 'g') => (&t[..t.len() - 1], 30),
        Some('T' | 't') => (&t[..t.len() - 1], 40),
        _ => (t, 0),
    };
    let n: usize = digits.trim().parse().map_err(|_| {
        format!("`{text}` is not a size (write bytes, or a number with K, M, G or T)")
    })?;
    n.checked_mul(1usize << shift)
        .filter(|&b| b > 0)
        .ok_or_else(|| format!("`{text}` is not a size this machine can address"))
}

/// Whether a panic came from a host limit rather than the program.
pub fn is_limit(p: &Panic) -> bool {
    matches!(
        p.kind,
        PanicKind::BudgetExhausted
            | PanicKind::TimedOut
            | PanicKind::Cancelled
            | PanicKind::HeapExhausted
    )
}

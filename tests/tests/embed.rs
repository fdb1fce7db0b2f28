//! The embedding API as the language server's Run lens uses it: captured
//! and streamed output, host natives, limits and cancellation.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use ward_compiler::analysis::analyze_text;
use ward_runtime::bytecode::Module;
use ward_runtime::embed::{Host, Outcome, RunOptions, Stream};
use ward_runtime::error::PanicKind;
use ward_runtime::vm::{Args, Fault, Value, Vm};

fn compile(src: &str) -> Module {
    let analysis = analyze_text("embed.ward", src);
    assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
    ward_compiler::codegen::compile(&analysis.program, &analysis.typed)
        .expect("compiles")
        .module
}

const SPIN: &str = "fn main() {\n    let mut i = 0;\n    loop {\n        i += 1;\n        if i < 0 {\n            break;\n        }\n    }\n    println(\"{}\", i);\n}\n";

#[test]
fn output_is_captured_and_streamed_in_order() {
    let module = compile(
        "fn main() {\n    println(\"one\");\n    eprintln(\"two\");\n    print(\"three\");\n}\n",
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink_seen = seen.clone();
    let options = RunOptions {
        sink: Some(Arc::new(move |stream: Stream, _task: u64, text: &str| {
            sink_seen
                .lock()
                .expect("lock")
                .push((stream, text.to_string()));
        })),
        ..RunOptions::default()
    };
    let out = Host::new().run(module, &options).expect("runs");
    assert_eq!(out.stdout, "one\nthree");
    assert_eq!(out.stderr, "two\n");
    assert_eq!(out.exit_code, 0);
    assert_eq!(out.outcome, Outcome::Finished);
    let seen = seen.lock().expect("lock").clone();
    let streams: Vec<Stream> = seen.iter().map(|(s, _)| *s).collect();
    assert_eq!(streams.first(), Some(&Stream::Stdout));
    assert!(streams.contains(&Stream::Stderr));
}

#[test]
fn panics_and_main_errors_come_back_as_outcomes() {
    let module = compile(
        "fn main() {\n    let v: List<int> = List::new();\n    println(\"{}\", v[2]);\n}\n",
    );
    let out = Host::new()
        .run(module, &RunOptions::default())
        .expect("runs");
    assert_eq!(out.exit_code, 101);
    let Outcome::Panicked(p) = out.outcome else {
        panic!("expected a panic")
    };
    assert_eq!(p.kind, PanicKind::Panic);
    assert!(p.message.contains("index out of bounds"), "{}", p.message);
    assert_eq!(p.location.map(|l| l.line), Some(3));

    let module = compile(
        "fn main() -> Result<(), Error> {\n    let n = \"x\".parse_int()?;\n    println(\"{}\", n);\n    Ok(())\n}\n",
    );
    let out = Host::new()
        .run(module, &RunOptions::default())
        .expect("runs");
    assert_eq!(out.exit_code, 1);
    let Outcome::Failed(text) = out.outcome else {
        panic!("expected an error")
    };
    assert!(text.starts_with("ParseIntError: invalid digit"), "{text}");
    assert!(text.contains("embed.ward:2:13"), "{text}");
}

#[test]
fn an_instruction_budget_stops_an_endless_loop() {
    let options = RunOptions {
        max_instructions: Some(1_000_000),
        ..RunOptions::default()
    };
    let out = Host::new().run(compile(SPIN), &options).expect("runs");
    let Outcome::Panicked(p) = out.outcome else {
        panic!("expected a stop")
    };
    assert_eq!(p.kind, PanicKind::BudgetExhausted);
    assert!(out.instructions >= 1_000_000 && out.instructions < 1_100_000);
}

#[test]
fn a_wall_clock_limit_stops_an_endless_loop() {
    let options = RunOptions {
        timeout: Some(Duration::from_millis(100)),
        ..RunOptions::default()
    };
    let out = Host::new().run(compile(SPIN), &options).expect("runs");
    let Outcome::Panicked(p) = out.outcome else {
        panic!("expected a stop")
    };
    assert_eq!(p.kind, PanicKind::TimedOut);
    assert!(out.duration >= Duration::from_millis(100));
    assert!(out.duration < Duration::from_secs(5), "{:?}", out.duration);
}

#[test]
fn another_thread_can_cancel_a_run() {
    let cancel = Arc::new(AtomicBool::new(false));
    let options = RunOptions {
        cancel: Some(cancel.clone()),
        ..RunOptions::default()
    };
    let module = compile(SPIN);
    let runner = std::thread::spawn(move || Host::new().run(module, &options));
    std::thread::sleep(Duration::from_millis(50));
    cancel.store(true, Ordering::Relaxed);
    let out = runner.join().expect("the runner thread").expect("runs");
    let Outcome::Panicked(p) = out.outcome else {
        panic!("expected a stop")
    };
    assert_eq!(p.kind, PanicKind::Cancelled);
    // A `recover` block cannot swallow a cancellation.
    let cancel = Arc::new(AtomicBool::new(true));
    let options = RunOptions {
        cancel: Some(cancel),
        ..RunOptions::default()
    };
    let guarded = "fn spin() -> int {\n    let mut i = 0;\n    loop {\n        i += 1;\n        if i < 0 {\n            return i;\n        }\n    }\n}\nfn main() {\n    let r = try { spin() } recover e { 0 };\n    println(\"recovered {}\", r);\n}\n";
    let out = Host::new().run(compile(guarded), &options).expect("runs");
    assert!(matches!(out.outcome, Outcome::Panicked(ref p) if p.kind == PanicKind::Cancelled));
    assert_eq!(out.stdout, "");
}

/// Keeps every list it builds: memory grows without bound.
const HOARD: &str = "fn main() {\n    let mut all = List::new();\n    let mut i = 0;\n    loop {\n        let mut row = List::new();\n        let mut j = 0;\n        while j < 1000 {\n            row.push(i + j);\n            j += 1;\n        }\n        all.push(row);\n        i += 1;\n        if i < 0 {\n            break;\n        }\n    }\n    println(\"{}\", all.len());\n}\n";

#[test]
fn a_heap_budget_stops_a_program_that_hoards_memory() {
    let options = RunOptions {
        max_heap_bytes: Some(8 << 20),
        timeout: Some(Duration::from_secs(20)),
        ..RunOptions::default()
    };
    let out = Host::new().run(compile(HOARD), &options).expect("runs");
    let Outcome::Panicked(p) = &out.outcome else {
        panic!("expected a stop, got {:?}", out.outcome)
    };
    assert_eq!(p.kind, PanicKind::HeapExhausted, "{p:?}");
    assert_eq!(p.message, "heap budget of 8388608 bytes exhausted");
    assert_eq!(out.exit_code, 101);
    // Stopped near the budget: soon after passing it (a check every few
    // thousand loop turns), or before a list growth that would pass it;
    // not after exhausting the machine.
    assert!(out.heap_peak >= 6 << 20, "{}", out.heap_peak);
    assert!(out.heap_peak < 64 << 20, "{}", out.heap_peak);

    // `recover` cannot swallow it either.
    let guarded = HOARD.replace("fn main() {", "fn hoard() {").replace(
        "println(\"{}\", all.len());\n}\n",
        "println(\"{}\", all.len());\n}\nfn main() {\n    try { hoard() } recover e { println(\"recovered\") };\n}\n",
    );
    let out = Host::new().run(compile(&guarded), &options).expect("runs");
    assert!(matches!(out.outcome, Outcome::Panicked(ref p) if p.kind == PanicKind::HeapExhausted));
    assert_eq!(out.stdout, "");
}

#[test]
fn one_huge_allocation_is_refused_before_it_is_made() {
    let src = "fn main() {\n    let big = [0; 100000000];\n    println(\"{}\", big[0]);\n}\n";
    let options = RunOptions {
        max_heap_bytes: Some(1 << 20),
        ..RunOptions::default()
    };
    let out = Host::new().run(compile(src), &options).expect("runs");
    let Outcome::Panicked(p) = &out.outcome else {
        panic!("expected a stop, got {:?}", out.outcome)
    };
    assert_eq!(p.kind, PanicKind::HeapExhausted);
    assert_eq!(p.location.as_ref().map(|l| l.line), Some(2));
    assert!(out.heap_peak < 1 << 20, "{}", out.heap_peak);
}

#[test]
fn a_program_within_its_budget_finishes_and_reports_its_peak() {
    // 100 000 ints in one list: at least 1.6 MB (16-byte values) at once.
    let src = "fn main() {\n    let mut v = List::new();\n    let mut i = 0;\n    while i < 100000 {\n        v.push(i);\n        i += 1;\n    }\n    println(\"{}\", v.len());\n}\n";
    let options = RunOptions {
        max_heap_bytes: Some(64 << 20),
        ..RunOptions::default()
    };
    let out = Host::new().run(compile(src), &options).expect("runs");
    assert_eq!(out.outcome, Outcome::Finished);
    assert_eq!(out.stdout, "100000\n");
    assert!(out.heap_peak >= 1_600_000, "{}", out.heap_peak);
    assert!(out.heap_peak < 16 << 20, "{}", out.heap_peak);
}

fn double_it(_: &mut Vm, args: &mut Args) -> Result<Value, Fault> {
    match args.int(0) {
        Ok(i) => Ok(Value::Int(i * 2)),
        Err(_) => Err(Fault::from("double_it wants an int")),
    }
}

#[test]
fn a_host_native_replaces_a_std_entry() {
    // The host binds its own implementation to a std table name.
    let mut host = Host::new();
    host.register("int::abs", double_it);
    let out = host
        .run(
            compile("fn main() {\n    println(\"{}\", (21).abs());\n}\n"),
            &RunOptions::default(),
        )
        .expect("runs");
    assert_eq!(out.stdout, "42\n");
}

#[test]
fn a_module_naming_an_unknown_native_does_not_load() {
    let mut module = compile("fn main() {\n    println(\"{}\", (21).abs());\n}\n");
    for name in &mut module.natives {
        *name = "no::such".to_string();
    }
    let err = Host::new()
        .run(module, &RunOptions::default())
        .expect_err("an unknown native");
    assert!(err.to_string().contains("`no::such`"), "{err}");
}

/// Every byte a run allocates is returned when the run is over: owned
/// values are freed on every path (returns, drops, panics, unwinding), for
/// every program of the corpus. The counting allocator tells.
#[test]
fn runs_return_every_byte_they_allocate() {
    use ward_runtime::heap::accounting;
    let root = ward_tests::repo_root();
    let mut checked = 0;
    let mut leaks = Vec::new();
    for path in ward_tests::ward_files(&root.join("tests/programs")) {
        let Ok(src) = std::fs::read_to_string(&path) else {
            continue;
        };
        if src.contains("fs::") || src.contains("read_line") {
            continue; // needs files or stdin
        }
        let analysis = analyze_text(&path.to_string_lossy(), &src);
        let Ok(compiled) = ward_compiler::codegen::compile(&analysis.program, &analysis.typed)
        else {
            continue;
        };
        let run = |module: Module| {
            // One worker: a program's tasks then allocate and free on this
            // thread, whose counter is the one read (with more workers a
            // value made on one thread may be freed on another).
            let options = RunOptions {
                timeout: Some(Duration::from_secs(20)),
                workers: Some(1),
                ..RunOptions::default()
            };
            drop(Host::new().run(module, &options));
        };
        // The first run warms what the process keeps (std's lazies).
        run(compiled.module.clone());
        let before = accounting::live_bytes();
        run(compiled.module.clone());
        let after = accounting::live_bytes();
        if after != before {
            leaks.push(format!("{}: {} bytes", path.display(), after - before));
        }
        checked += 1;
    }
    assert!(checked >= 80, "only {checked} programs ran");
    assert!(leaks.is_empty(), "runs kept memory:\n{}", leaks.join("\n"));
}

fn sensor(_: &mut Vm, args: &mut Args) -> Result<Value, Fault> {
    match args.text(0) {
        Ok("hr") => Ok(Value::Float(72.0)),
        Ok(other) => Err(Fault::from(format!("no sensor `{other}`"))),
        Err(e) => Err(e),
    }
}

#[test]
fn a_host_grants_capabilities_and_its_natives_need_them() {
    use ward_runtime::caps::{CapSet, Capability, Grant};
    let src = "use std::device;\nfn main() uses device {\n    println(\"{}\", device::read(\"hr\"));\n}\n";
    let mut host = Host::new();
    host.register_needing("device::read", CapSet::of([Capability::Device]), sensor);
    // Nothing granted: `main` needs `device`, so nothing runs.
    let out = host
        .run(compile(src), &RunOptions::default())
        .expect("loads");
    assert_eq!(
        out.outcome,
        Outcome::NotGranted(CapSet::of([Capability::Device]))
    );
    assert_eq!((out.exit_code, out.stdout.as_str()), (1, ""));
    let granted = RunOptions {
        grant: Grant::parse("device").expect("valid"),
        ..RunOptions::default()
    };
    let out = host.run(compile(src), &granted).expect("runs");
    assert_eq!((out.exit_code, out.stdout.as_str()), (0, "72\n"));
}

#[test]
fn a_host_native_needing_a_capability_is_denied_without_it() {
    use ward_runtime::caps::{CapSet, Capability, Grant};
    // The host says its `int::abs` reaches the network: a program that
    // declares nothing starts, and the call is denied where it is made.
    let mut host = Host::new();
    host.register_needing("int::abs", CapSet::of([Capability::Net]), double_it);
    let src = "fn main() {\n    let r = try { (21).abs().to_string() } recover p { p.message };\n    println(\"{}\", r);\n    println(\"{}\", (4).abs());\n}\n";
    let out = host
        .run(compile(src), &RunOptions::default())
        .expect("runs");
    assert!(
        out.stdout.starts_with(
            "CapabilityDenied: `int::abs` requires `net`, which this task does not hold; run again with `--allow net`\n"
        ),
        "{}",
        out.stdout
    );
    let Outcome::Panicked(p) = &out.outcome else {
        panic!("the uncaught second call panics: {:?}", out.outcome);
    };
    assert_eq!(p.location.as_ref().map(|l| l.line), Some(4));
    let out = host
        .run(
            compile(src),
            &RunOptions {
                grant: Grant::parse("net").expect("valid"),
                ..RunOptions::default()
            },
        )
        .expect("runs");
    assert_eq!((out.exit_code, out.stdout.as_str()), (0, "42\n8\n"));
}

/// A program with tasks whose `main` waits (here: sleeps) is still
/// stopped by the host's time limit: the run's thread watches it while
/// `main` is parked.
#[test]
fn a_parked_main_still_stops_at_the_time_limit() {
    let module = compile(
        "use std::task;\nuse std::time;\nfn main() uses clock {\n    let t = task::spawn(move || 1);\n    time::sleep(60000);\n    let _ = t.join();\n}\n",
    );
    let options = RunOptions {
        timeout: Some(Duration::from_millis(300)),
        grant: ward_runtime::caps::Grant::parse("clock").expect("a grant"),
        ..RunOptions::default()
    };
    let start = std::time::Instant::now();
    let out = Host::new().run(module, &options).expect("runs");
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let Outcome::Panicked(p) = &out.outcome else {
        panic!("expected a panic, got {:?}", out.outcome);
    };
    assert_eq!(p.kind, PanicKind::TimedOut, "{p:?}");
    assert_eq!(p.location.as_ref().map(|l| l.line), Some(5), "{p:?}");
}

/// The heap budget covers every task of a run, on whichever worker: a
/// task that grows a list without end stops, and so does the run.
#[test]
fn the_heap_budget_covers_every_task() {
    let module = compile(
        "use std::task;\nfn main() -> Result<(), Error> {\n    let t = task::spawn(move || {\n        let mut v = List::new();\n        loop {\n            v.push(\"a string that takes some room\".to_string());\n        }\n        v.len()\n    });\n    let n = t.join()?;\n    println(\"{}\", n);\n    Ok(())\n}\n",
    );
    let options = RunOptions {
        max_heap_bytes: Some(64 << 20),
        timeout: Some(Duration::from_secs(30)),
        workers: Some(2),
        ..RunOptions::default()
    };
    let out = Host::new().run(module, &options).expect("runs");
    let text = format!("{:?} {}", out.outcome, out.stderr);
    assert!(text.contains("heap budget"), "{text}");
    assert_ne!(out.exit_code, 0);
}

//! Tasks under stress: generated programs with random numbers of producer
//! and consumer tasks, channel capacities (0, a rendezvous, included),
//! ways to send (`send`, `try_send` with `yield_now`) and to receive (`for`,
//! `recv`, `recv_timeout`, stopping early), and early drops of either end.
//! Whatever the interleaving, every value a producer reports as sent is
//! received exactly once: the program checks that itself (no duplicates,
//! counts and sums equal) and prints figures the test compares with what
//! the generator knows. Then thousands of tasks at once: a chain of tasks
//! handing a value along rendezvous channels, and a swarm joined in a
//! shuffled order. Each program runs on 1, 2 and 4 workers.

use std::fmt::Write as _;

use ward_compiler::analysis::analyze_text;
use ward_runtime::embed::{Host, Outcome, RunOptions};
use ward_tests::difftest::generate::Rng;

fn run(src: &str, workers: usize) -> String {
    let analysis = analyze_text("stress.ward", src);
    assert!(!analysis.has_errors(), "{src}\n{:?}", analysis.diagnostics);
    let module = ward_compiler::codegen::compile(&analysis.program, &analysis.typed)
        .expect("compiles")
        .module;
    let options = RunOptions {
        workers: Some(workers),
        timeout: Some(std::time::Duration::from_secs(60)),
        ..RunOptions::default()
    };
    let out = Host::new().run(module, &options).expect("runs");
    assert_eq!(
        out.outcome,
        Outcome::Finished,
        "{src}\nstdout:\n{}\nstderr:\n{}",
        out.stdout,
        out.stderr
    );
    out.stdout
}

/// A producer/consumer program from `seed`, and the line it must print
/// when every producer sends everything (early stops change the figures,
/// which the program then checks against itself).
fn pipeline(seed: u64) -> (String, Option<String>) {
    let mut rng = Rng::new(seed);
    let producers = 1 + rng.below(6);
    let consumers = 1 + rng.below(4);
    let capacity = rng.below(5);
    let per_producer = 1 + rng.below(120);
    let mut src = String::from("use std::task;\n\n");
    src.push_str("fn main() -> Result<(), Error> {\n");
    let _ = writeln!(src, "    let (tx, rx) = task::channel::<int>({capacity});");
    src.push_str("    let (back_tx, back_rx) = task::channel::<List<int>>(1);\n");
    src.push_str("    let mut consumers = List::new();\n");
    let mut all_complete = true;
    for c in 0..consumers {
        let mode = rng.below(4);
        // An early stop, only when another consumer drains the rest.
        let mode = if mode == 3 && c == 0 { 0 } else { mode };
        let limit = 1 + rng.below(20);
        src.push_str("    {\n        let rx = rx.clone();\n        let back = back_tx.clone();\n");
        src.push_str("        consumers.push(task::spawn(move || {\n            let mut got = List::new();\n");
        match mode {
            0 => src.push_str("            for v in rx {\n                got.push(v);\n            }\n"),
            1 => src.push_str(
                "            loop {\n                match rx.recv() {\n                    Ok(v) => got.push(v),\n                    Err(_) => break,\n                }\n            }\n",
            ),
            2 => src.push_str(
                "            loop {\n                match rx.recv_timeout(1) {\n                    Ok(v) => got.push(v),\n                    Err(e) => {\n                        if e.kind == \"Disconnected\" {\n                            break;\n                        }\n                    }\n                }\n            }\n",
            ),
            _ => {
                let _ = write!(
                    src,
                    "            while got.len() < {limit} {{\n                match rx.recv() {{\n                    Ok(v) => got.push(v),\n                    Err(_) => break,\n                }}\n            }}\n"
                );
            }
        }
        src.push_str("            let n = got.len();\n            let _ = back.send(got);\n            n\n        }));\n    }\n");
    }
    src.push_str("    drop(rx);\n    drop(back_tx);\n    let mut producers = List::new();\n");
    for p in 0..producers {
        let mode = rng.below(3);
        let stop_at = rng.below(per_producer + 1);
        if mode == 2 && stop_at < per_producer {
            all_complete = false;
        }
        let limit = if mode == 2 { stop_at } else { per_producer };
        src.push_str("    {\n        let tx = tx.clone();\n        producers.push(task::spawn(move || {\n            let mut sent = List::new();\n");
        let _ = write!(
            src,
            "            for i in 0..{limit} {{\n                let v = {p} * 100000 + i;\n"
        );
        if mode == 1 {
            src.push_str(
                "                let mut done = false;\n                let mut gone = false;\n                while !done {\n                    match tx.try_send(v) {\n                        Ok(()) => done = true,\n                        Err(e) => {\n                            if e.kind == \"Full\" {\n                                task::yield_now();\n                            } else {\n                                done = true;\n                                gone = true;\n                            }\n                        }\n                    }\n                }\n                if gone {\n                    break;\n                }\n                sent.push(v);\n",
            );
        } else {
            src.push_str(
                "                if tx.send(v).is_err() {\n                    break;\n                }\n                sent.push(v);\n",
            );
        }
        src.push_str("            }\n            sent\n        }));\n    }\n");
    }
    src.push_str(
        "    drop(tx);
    let mut sent = List::new();
    for p in producers {
        for v in p.join()? {
            sent.push(v);
        }
    }
    let mut received = List::new();
    for got in back_rx {
        for v in got {
            received.push(v);
        }
    }
    let mut counted = 0;
    for c in consumers {
        counted += c.join()?;
    }
    sent.sort();
    received.sort();
    if counted != received.len() {
        panic(\"consumers counted {} but handed back {}\", counted, received.len());
    }
    for i in 1..received.len() {
        if received[i] == received[i - 1] {
            panic(\"{} received twice\", received[i]);
        }
    }
    if sent != received {
        panic(\"sent {} values, received {}\", sent.len(), received.len());
    }
    let mut sum = 0;
    for v in &received {
        sum += *v;
    }
    println(\"{} {}\", received.len(), sum);
    Ok(())
}
",
    );
    let expected = all_complete.then(|| {
        let mut sum = 0u64;
        for p in 0..producers as u64 {
            for i in 0..per_producer as u64 {
                sum += p * 100_000 + i;
            }
        }
        format!("{} {sum}\n", producers * per_producer)
    });
    // Early-stopping consumers can leave producers facing a gone receiver
    // only when every consumer stopped; consumer 0 never does, so all is
    // received whenever every producer sent all.
    (src, expected)
}

#[test]
fn random_pipelines_lose_and_duplicate_nothing() {
    let seeds: u64 = std::env::var("WARD_STRESS_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(150);
    for seed in 0..seeds {
        let (src, expected) = pipeline(seed);
        for workers in [1, 2, 4] {
            let out = run(&src, workers);
            if let Some(e) = &expected {
                assert_eq!(&out, e, "seed {seed}, {workers} workers\n{src}");
            }
        }
    }
}

/// 2 000 tasks in a chain, each receiving from the one before on a
/// rendezvous channel and passing the value on plus one.
#[test]
fn a_chain_of_thousands_of_tasks_passes_a_value_along() {
    let src = "use std::task;

fn main() -> Result<(), Error> {
    let n = 2000;
    let (first_tx, mut prev_rx) = task::channel::<int>(0);
    let mut tasks = List::new();
    for _ in 0..n {
        let (tx, rx) = task::channel::<int>(0);
        let input = prev_rx;
        tasks.push(task::spawn(move || {
            match input.recv() {
                Ok(v) => {
                    let _ = tx.send(v + 1);
                }
                Err(_) => {}
            }
        }));
        prev_rx = rx;
    }
    first_tx.send(0)?;
    println(\"{}\", prev_rx.recv()?);
    for t in tasks {
        t.join()?;
    }
    Ok(())
}
";
    for workers in [1, 2, 4] {
        assert_eq!(run(src, workers), "2000\n", "{workers} workers");
    }
}

/// 5 000 tasks spawned at once, joined in a shuffled order, each result
/// checked.
#[test]
fn thousands_of_tasks_join_in_any_order() {
    let mut order: Vec<usize> = (0..5000).collect();
    let mut rng = Rng::new(7);
    for i in (1..order.len()).rev() {
        order.swap(i, rng.below(i + 1));
    }
    let order_list = order
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let src = format!(
        "use std::task;

fn work(i: int) -> int {{
    let mut acc = 0;
    let m = i % 50;
    for k in 0..m {{
        acc += k * i;
    }}
    acc
}}

fn main() -> Result<(), Error> {{
    let mut handles = List::new();
    for i in 0..5000 {{
        handles.push(Some(task::spawn(move || work(i))));
    }}
    let order = [{order_list}];
    let mut total = 0;
    for i in order {{
        match handles[i].take() {{
            Some(h) => {{
                let v = h.join()?;
                if v != work(i) {{
                    panic(\"task {{}} gave {{}}\", i, v);
                }}
                total += v;
            }}
            None => panic(\"joined {{}} twice\", i),
        }}
    }}
    println(\"{{}}\", total);
    Ok(())
}}
"
    );
    let expected: i64 = (0..5000i64)
        .map(|i| (0..(i % 50)).map(|k| k * i).sum::<i64>())
        .sum();
    for workers in [1, 2, 4] {
        assert_eq!(
            run(&src, workers),
            format!("{expected}\n"),
            "{workers} workers"
        );
    }
}

/// `High` tasks that never stop yielding to each other cannot starve a
/// `Low` one: it runs at least every 61st turn of a worker.
#[test]
fn low_priority_work_is_never_starved() {
    let src = "use std::task;

fn main() -> Result<(), Error> {
    let (stop_tx, stop_rx) = task::channel::<int>(8);
    let mut busy = List::new();
    for _ in 0..4 {
        let stop = stop_rx.clone();
        busy.push(task::spawn_with(TaskOptions { priority: Priority::High, caps: &[] }, move || {
            let mut turns = 0;
            while stop.try_recv().is_none() {
                turns += 1;
                task::yield_now();
            }
            turns
        }));
    }
    let low = task::spawn_with(TaskOptions { priority: Priority::Low, caps: &[] }, move || {
        let mut sum = 0;
        for i in 0..1000 {
            sum += i;
            task::yield_now();
        }
        sum
    });
    let sum = low.join()?;
    for _ in 0..4 {
        stop_tx.send(1)?;
    }
    let mut turns = 0;
    for b in busy {
        turns += b.join()?;
    }
    println(\"{} {}\", sum, turns > 0);
    Ok(())
}
";
    for workers in [1, 2] {
        assert_eq!(run(src, workers), "499500 true\n", "{workers} workers");
    }
}

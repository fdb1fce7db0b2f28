//! Inlay hints, rendered into the text they annotate for the snapshots.

use expect_test::{Expect, expect};
use serde_json::{Value, json};

use super::client::{Client, temp_uri};
use super::initialized;

const PROGRAM: &str = r#"struct Reading { bed: int, pulse: int }

fn first(readings: &List<Reading>) -> &Reading {
    &readings[0]
}

fn pick(a: &String, b: &String, left: bool) -> String {
    if left { a.clone() } else { b.clone() }
}

fn main() {
    let mut readings = List::new();
    readings.push(Reading { bed: 4, pulse: 72 });
    let top = first(&readings);
    let scale = |x| x * 2;
    let name = "Ada";
    println("{} {} {}", top.pulse, scale(top.bed), pick(&name, &name, true));
}
"#;

/// The hints of the whole document, written into its text.
fn rendered(c: &mut Client, uri: &str) -> String {
    rendered_in(c, uri, PROGRAM)
}

/// The hints of a whole document (of fewer than 100 lines).
fn all_hints(c: &mut Client, uri: &str) -> Value {
    c.request(
        "textDocument/inlayHint",
        json!({"textDocument": {"uri": uri},
               "range": {"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}}}),
    )
    .expect("inlayHint answers")
}

/// [`rendered`] for a document with `text`.
fn rendered_in(c: &mut Client, uri: &str, text: &str) -> String {
    let hints = all_hints(c, uri);
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_string()).collect();
    let mut hints: Vec<(usize, Value)> = hints
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .collect();
    // Insert each line's hints from its end so earlier columns stay valid
    // (and hints at one position last to first, to keep their order).
    hints.sort_by_key(|(i, h)| {
        (
            h["position"]["line"].as_u64(),
            std::cmp::Reverse(h["position"]["character"].as_u64()),
            std::cmp::Reverse(*i),
        )
    });
    for (_, h) in &hints {
        let line = usize::try_from(h["position"]["line"].as_u64().unwrap_or(0)).unwrap_or(0);
        let col = usize::try_from(h["position"]["character"].as_u64().unwrap_or(0)).unwrap_or(0);
        let mut label = format!("⟨{}⟩", h["label"].as_str().unwrap_or("?"));
        if h["paddingRight"] == true {
            label.push(' ');
        }
        out[line].insert_str(col, &label);
    }
    out.join("\n")
}

fn check(c: &mut Client, uri: &str, want: &Expect) {
    want.assert_eq(&rendered(c, uri));
}

fn open(options: Value) -> (Client, String) {
    let (mut c, _) = initialized(json!({}), options);
    let (_, uri) = temp_uri("hints.ward");
    c.open(&uri, PROGRAM);
    assert_eq!(c.diagnostics(&uri, 1), Vec::<Value>::new());
    (c, uri)
}

#[test]
fn default_hints_are_types_and_non_trivial_lifetimes() {
    let (mut c, uri) = open(Value::Null);
    check(
        &mut c,
        &uri,
        &expect![[r#"
        struct Reading { bed: int, pulse: int }

        fn first(readings: &List<Reading>) -> &Reading {
            &readings[0]
        }

        fn pick⟨<'1, '2>⟩(a: &⟨'1⟩ String, b: &⟨'2⟩ String, left: bool) -> String {
            if left { a.clone() } else { b.clone() }
        }

        fn main() {
            let mut readings⟨: List<Reading>⟩ = List::new();
            readings.push(Reading { bed: 4, pulse: 72 });
            let top⟨: &Reading⟩ = first(&readings);
            let scale⟨: fn(int) -> int⟩ = |x⟨: int⟩| x * 2;
            let name⟨: String⟩ = "Ada";
            println("{} {} {}", top.pulse, scale(top.bed), pick(&name, &name, true));
        }
    "#]],
    );
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn settings_switch_each_kind() {
    let (mut c, uri) =
        open(json!({"inlayHints": {"lifetimes": "always", "drops": true, "types": false}}));
    check(
        &mut c,
        &uri,
        &expect![[r#"
        struct Reading { bed: int, pulse: int }

        fn first⟨<'1>⟩(readings: &⟨'1⟩ List<Reading>) -> &⟨'1⟩ Reading {
            &readings[0]
        }

        fn pick⟨<'1, '2>⟩(a: &⟨'1⟩ String, b: &⟨'2⟩ String, left: bool) -> String {
            if left { a.clone() } else { b.clone() }
        }

        fn main() {
            let mut readings = List::new();
            readings.push(Reading { bed: 4, pulse: 72 });
            let top = first(&readings);
            let scale = |x| x * 2;
            let name = "Ada";
            println("{} {} {}", top.pulse, scale(top.bed), pick(&name, &name, true));
        ⟨drop(name)⟩ ⟨drop(readings)⟩ }
    "#]],
    );
    // Changed settings apply to the next request.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ward": {"inlayHints": {"lifetimes": "never", "types": true}}}}),
    );
    check(
        &mut c,
        &uri,
        &expect![[r#"
        struct Reading { bed: int, pulse: int }

        fn first(readings: &List<Reading>) -> &Reading {
            &readings[0]
        }

        fn pick(a: &String, b: &String, left: bool) -> String {
            if left { a.clone() } else { b.clone() }
        }

        fn main() {
            let mut readings⟨: List<Reading>⟩ = List::new();
            readings.push(Reading { bed: 4, pulse: 72 });
            let top⟨: &Reading⟩ = first(&readings);
            let scale⟨: fn(int) -> int⟩ = |x⟨: int⟩| x * 2;
            let name⟨: String⟩ = "Ada";
            println("{} {} {}", top.pulse, scale(top.bed), pick(&name, &name, true));
        }
    "#]],
    );
    assert!(c.shutdown_and_exit().success());
}

const CAPS_PROGRAM: &str = r#"use std::fs;
use std::time;

fn stamp() -> String {
    time::now().to_string()
}

fn log(line: &String) -> Result<(), Error> {
    let mut entry = stamp();
    entry.push_str(line);
    fs::append("audit.log", &entry)
}

fn pure(x: int) -> int {
    x + 1
}

fn main() -> Result<(), Error> uses fs, clock {
    log(&"start".to_string())?;
    println("{}", pure(1));
    Ok(())
}
"#;

fn open_caps(options: Value) -> (Client, String) {
    let (mut c, _) = initialized(json!({}), options);
    let (_, uri) = temp_uri("caps_hints.ward");
    c.open(&uri, CAPS_PROGRAM);
    assert_eq!(c.diagnostics(&uri, 1), Vec::<Value>::new());
    (c, uri)
}

#[test]
fn inferred_capabilities_show_after_private_signatures() {
    let (mut c, uri) = open_caps(json!({"inlayHints": {"types": false}}));
    expect![[r#"
        use std::fs;
        use std::time;

        fn stamp() -> String⟨uses clock⟩ {
            time::now().to_string()
        }

        fn log(line: &String) -> Result<(), Error>⟨uses fs, clock⟩ {
            let mut entry = stamp();
            entry.push_str(line);
            fs::append("audit.log", &entry)
        }

        fn pure(x: int) -> int {
            x + 1
        }

        fn main() -> Result<(), Error> uses fs, clock {
            log(&"start".to_string())?;
            println("{}", pure(1));
            Ok(())
        }
    "#]]
    .assert_eq(&rendered_in(&mut c, &uri, CAPS_PROGRAM));
    // Each hint explains itself and, accepted, writes the clause.
    let hints = all_hints(&mut c, &uri);
    let log = hints
        .as_array()
        .and_then(|hs| hs.iter().find(|h| h["label"] == "uses fs, clock"))
        .cloned()
        .expect("the hint on `log`");
    assert_eq!(log["paddingLeft"], true);
    assert_eq!(log["textEdits"][0]["newText"], " uses fs, clock");
    assert_eq!(log["textEdits"][0]["range"]["start"], log["position"]);
    let tooltip = log["tooltip"]["value"].as_str().unwrap_or_default();
    assert!(
        tooltip.contains(
            "`log` needs `clock` because it calls `stamp`, which calls `time::now` (line 9)"
        ),
        "{tooltip}"
    );
    assert!(
        tooltip.contains("`log` needs `fs` because it calls `fs::append` (line 11)"),
        "{tooltip}"
    );
    // The setting turns them off.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ward": {"inlayHints": {"types": false, "capabilities": false}}}}),
    );
    assert_eq!(rendered_in(&mut c, &uri, CAPS_PROGRAM), CAPS_PROGRAM);
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn hovers_say_where_a_capability_comes_from() {
    let (mut c, uri) = open_caps(Value::Null);
    let hover = |c: &mut Client, needle: &str| hover_at(c, &uri, CAPS_PROGRAM, needle, 0);
    // A `uses` entry: why `main` needs it.
    expect![[r#"
        **capability `clock`**: the clock and sleeping

        `main` needs `clock` because it calls `log`, which calls `stamp`, which calls `time::now` (line 19)"#]]
    .assert_eq(&hover(&mut c, "clock {"));
    // A call of a function that needs something.
    expect![[r#"
        ```ward
        fn log(line: &'1 String) -> Result<(), Error>
        ```

        lifetimes elided in the signature are shown as `'1`, `'2`…

        needs `uses fs, clock` (inferred)
        - `log` needs `fs` because it calls `fs::append` (line 11)
        - `log` needs `clock` because it calls `stamp`, which calls `time::now` (line 9)"#]]
    .assert_eq(&hover(&mut c, "log(&"));
    // A std entry.
    let append = hover(&mut c, "append");
    assert!(append.contains("needs `uses fs`"), "{append}");
    // A function that needs nothing says nothing about capabilities.
    assert!(!hover(&mut c, "pure(1)").contains("needs"));
    assert!(c.shutdown_and_exit().success());
}

const SPAWN_PROGRAM: &str = r#"use std::task;

struct Reading {
    bed: int,
    label: String,
}

fn tick() -> int {
    1
}

fn main() -> Result<(), Error> {
    let (tx, rx) = task::channel::<Reading>(4);
    let r = Reading { bed: 3, label: "east".to_string() };
    let sender = task::spawn(move || {
        let _ = tx.send(Reading { bed: r.bed, label: r.label });
    });
    let counter = task::spawn(tick);
    let quiet = task::spawn(move || 2);
    sender.join()?;
    for got in rx {
        println("{} {}", got.bed, got.label);
    }
    let _ = (counter.join()?, quiet.join()?);
    Ok(())
}
"#;

#[test]
fn hovering_spawn_lists_what_the_task_takes_along() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri("spawn_hover.ward");
    c.open(&uri, SPAWN_PROGRAM);
    assert_eq!(c.diagnostics(&uri, 1), Vec::<Value>::new());
    let mut hover = |needle: &str, n: usize| hover_at(&mut c, &uri, SPAWN_PROGRAM, needle, n);
    // Rust 2021 precise captures: `r.bed` and `r.label`, not `r`.
    let first = hover("spawn", 0);
    let section = first.split("**Moves into the task:**").nth(1).unwrap_or("");
    expect![[r#"

        - `tx: Sender<Reading>`
        - `r.bed: int`
        - `r.label: String`

        They leave this task: its heap keeps no copy, and using them here after the spawn is a use after move."#]]
    .assert_eq(section);
    assert!(first.contains("fn spawn"), "{first}");
    assert!(hover("spawn", 1).contains("runs `tick`, which takes nothing along"));
    assert!(hover("spawn", 2).contains("nothing (the closure captures no value)"));
    assert!(c.shutdown_and_exit().success());
}

/// The hover text at the `n`th `needle` of `text` (open as `uri`).
fn hover_at(c: &mut Client, uri: &str, text: &str, needle: &str, n: usize) -> String {
    let p = super::navigation::pos(text, needle, n, 0);
    let h = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": p}),
        )
        .expect("hover answers");
    h["contents"]["value"]
        .as_str()
        .unwrap_or("(no hover)")
        .to_string()
}

const ZONE_PROGRAM: &str = r#"const WINDOW: int = 64;

struct Frame { mean: float, seq: int }

#[realtime]
fn frame(sum: float, seq: int) -> Frame {
    Frame { mean: sum / 64.0, seq }
}

fn main() {
    let mut total = 0.0;
    for seq in 0..4 {
        zone(4096) {
            let mut window: List<float> = List::with_capacity(WINDOW);
            for i in 0..WINDOW {
                window.push(i as float);
            }
            let f = frame(window[63], seq);
            total += f.mean;
        }
    }
    let spread = zone {
        let mut xs: List<float> = List::new();
        xs.push(total);
        xs.push(1.0);
        xs[0] - xs[1]
    };
    println("{} {}", total, spread);
}
"#;

#[test]
fn zones_show_their_worst_case_and_how_it_was_reached() {
    let (mut c, _) = initialized(json!({}), json!({"inlayHints": {"types": false}}));
    let (_, uri) = temp_uri("zone_hints.ward");
    c.open(&uri, ZONE_PROGRAM);
    assert_eq!(c.diagnostics(&uri, 1), Vec::<Value>::new());
    expect![[r#"
        const WINDOW: int = 64;

        struct Frame { mean: float, seq: int }

        #[realtime]
        fn frame(sum: float, seq: int) -> Frame {
            Frame { mean: sum / 64.0, seq }
        }

        fn main() {
            let mut total = 0.0;
            for seq in 0..4 {
                zone(4096) ⟨≤ 1 136 B of 4 096 B⟩ {
                    let mut window: List<float> = List::with_capacity(WINDOW);
                    for i in 0..WINDOW {
                        window.push(i as float);
                    }
                    let f = frame(window[63], seq);
                    total += f.mean;
                }
            }
            let spread = zone ⟨≤ 128 B⟩ {
                let mut xs: List<float> = List::new();
                xs.push(total);
                xs.push(1.0);
                xs[0] - xs[1]
            };
            println("{} {}", total, spread);
        }
    "#]]
    .assert_eq(&rendered_in(&mut c, &uri, ZONE_PROGRAM));
    expect![[r#"
        **zone**: at most 1 136 B of the 4 096 B it reserves.

        What takes its memory, on the longest path:

        - `List::with_capacity`: 1 088 B
        - `frame(…)`: 48 B

        Loops count at their bound, `if` and `match` at their larger branch, calls at the callee's own worst case; every allocation is rounded to 16 B."#]].assert_eq(&hover_at(&mut c, &uri, ZONE_PROGRAM, "zone(4096)", 0));
    expect![[r#"
        **zone**: at most 128 B, which the compiler reserves.

        What takes its memory, on the longest path:

        - `List::new`: 64 B
        - `xs` grows to 4 elements: 64 B

        Loops count at their bound, `if` and `match` at their larger branch, calls at the callee's own worst case; every allocation is rounded to 16 B."#]].assert_eq(&hover_at(&mut c, &uri, ZONE_PROGRAM, "zone {", 0));
    // The setting turns them off.
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ward": {"inlayHints": {"types": false, "zones": false}}}}),
    );
    assert_eq!(rendered_in(&mut c, &uri, ZONE_PROGRAM), ZONE_PROGRAM);
    assert!(c.shutdown_and_exit().success());
}

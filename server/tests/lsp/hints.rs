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
    let hints = c
        .request(
            "textDocument/inlayHint",
            json!({"textDocument": {"uri": uri},
                   "range": {"start": {"line": 0, "character": 0}, "end": {"line": 99, "character": 0}}}),
        )
        .expect("inlayHint answers");
    let lines: Vec<&str> = PROGRAM.split('\n').collect();
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

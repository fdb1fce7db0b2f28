//! Semantic tokens: names classified, with `mutable` and `moved`
//! modifiers; deltas rebuild what a full request returns.

use std::fmt::Write as _;

use expect_test::expect;
use serde_json::{Value, json};

use super::client::temp_uri;
use super::initialized;

const PROGRAM: &str = r#"const LIMIT: int = 3;

struct Bed { id: int }

fn consume(bed: Bed) -> int {
    bed.id
}

fn main() {
    let mut count = LIMIT;
    count += 1;
    let bed = Bed { id: count };
    let n = consume(bed);
    println("{} {}", bed.id, n);
}
"#;

/// `line:col text type [modifiers]` per token.
fn decode(result: &Value, legend: &Value) -> String {
    let data: Vec<u64> = result["data"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_u64).collect())
        .unwrap_or_default();
    let lines: Vec<&str> = PROGRAM.lines().collect();
    let (mut line, mut col) = (0u64, 0u64);
    let mut out = String::new();
    for t in data.chunks_exact(5) {
        if t[0] > 0 {
            col = 0;
        }
        line += t[0];
        col += t[1];
        let l = usize::try_from(line).unwrap_or(0);
        let c = usize::try_from(col).unwrap_or(0);
        let len = usize::try_from(t[2]).unwrap_or(0);
        let text = lines.get(l).and_then(|s| s.get(c..c + len)).unwrap_or("?");
        let ty = legend["tokenTypes"][usize::try_from(t[3]).unwrap_or(0)]
            .as_str()
            .unwrap_or("?");
        let mods: Vec<&str> = (0..5)
            .filter(|i| t[4] & (1 << i) != 0)
            .filter_map(|i| legend["tokenModifiers"][i].as_str())
            .collect();
        let _ = writeln!(out, "{}:{c} {text} {ty} {mods:?}", l + 1);
    }
    out
}

#[test]
fn names_are_classified_with_mutable_and_moved_modifiers() {
    let (mut c, init) = initialized(json!({}), Value::Null);
    let legend = init["capabilities"]["semanticTokensProvider"]["legend"].clone();
    let (_, uri) = temp_uri("tokens.ward");
    c.open(&uri, PROGRAM);
    c.diagnostics(&uri, 1);
    let full = c
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("semanticTokens/full answers");
    expect![[r#"
        1:6 LIMIT variable ["declaration", "readonly"]
        3:7 Bed struct ["declaration"]
        3:13 id property ["declaration"]
        5:3 consume function ["declaration"]
        5:11 bed parameter ["declaration"]
        5:16 Bed struct []
        6:4 bed parameter []
        6:8 id property []
        9:3 main function ["declaration"]
        10:12 count variable ["declaration", "mutable"]
        10:20 LIMIT variable ["readonly"]
        11:4 count variable ["mutable"]
        12:8 bed variable ["declaration"]
        12:14 Bed struct []
        12:20 id property []
        12:24 count variable ["mutable"]
        13:8 n variable ["declaration"]
        13:12 consume function []
        13:20 bed variable []
        14:4 println function ["defaultLibrary"]
        14:21 bed variable ["moved"]
        14:25 id property []
        14:29 n variable []
    "#]]
    .assert_eq(&decode(&full, &legend));
    // Hover agrees: the value is gone, and where it went.
    let hover = c
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 13, "character": 22}}),
        )
        .expect("hover answers");
    let text = hover["contents"]["value"].as_str().unwrap_or("");
    assert!(text.ends_with("**moved at line 13**"), "{text}");
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn deltas_rebuild_the_full_result() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri("delta.ward");
    c.open(&uri, PROGRAM);
    let first = c
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("full answers");
    let id = first["resultId"].clone();
    // Rename `n` to `total` on its last two lines.
    let edited = PROGRAM
        .replace("let n =", "let total =")
        .replace(", n)", ", total)");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": edited}]}),
    );
    let delta = c
        .request(
            "textDocument/semanticTokens/full/delta",
            json!({"textDocument": {"uri": uri}, "previousResultId": id}),
        )
        .expect("delta answers");
    let edits = delta["edits"].as_array().cloned().unwrap_or_default();
    assert_eq!(edits.len(), 1, "{delta:#}");
    let mut data: Vec<Value> = first["data"].as_array().cloned().unwrap_or_default();
    for e in edits {
        let start = usize::try_from(e["start"].as_u64().unwrap_or(0)).unwrap_or(0);
        let count = usize::try_from(e["deleteCount"].as_u64().unwrap_or(0)).unwrap_or(0);
        let new = e["data"].as_array().cloned().unwrap_or_default();
        data.splice(start..start + count, new);
    }
    assert!(data.len() < first["data"].as_array().map_or(0, Vec::len) + 5);
    let full = c
        .request(
            "textDocument/semanticTokens/full",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("full answers");
    assert_eq!(Value::Array(data), full["data"]);
    // A forgotten result id gets the whole result.
    let whole = c
        .request(
            "textDocument/semanticTokens/full/delta",
            json!({"textDocument": {"uri": uri}, "previousResultId": "no-such-id"}),
        )
        .expect("delta answers");
    assert_eq!(whole["data"], full["data"]);
    assert!(c.shutdown_and_exit().success());
}

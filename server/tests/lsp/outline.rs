//! Document and workspace symbols, folding and selection ranges.

use std::fmt::Write as _;

use expect_test::expect;
use serde_json::{Value, json};

use super::client::temp_uri;
use super::initialized;
use super::navigation::{pos, program};

const SHAPES: &str = r#"//! Shapes.
//! Two lines of module docs.

/// A point.
struct Point {
    x: int,
    y: int,
}

enum Shape {
    Dot(Point),
    Line { from: Point, to: Point },
}

impl Point {
    fn origin() -> Point {
        Point { x: 0, y: 0 }
    }
}

const LIMIT: int = 4;

mod inner {
    pub fn helper() -> int {
        1
    }
}

fn main() {
    let p = Point::origin();
    println("{} {}", p.x + inner::helper(), LIMIT);
}
"#;

fn outline(symbols: &Value, depth: usize, out: &mut String) {
    for s in symbols.as_array().cloned().unwrap_or_default() {
        let _ = writeln!(
            out,
            "{}{} kind={} lines {}-{}{}",
            "  ".repeat(depth),
            s["name"].as_str().unwrap_or("?"),
            s["kind"],
            s["range"]["start"]["line"],
            s["range"]["end"]["line"],
            s["detail"]
                .as_str()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default(),
        );
        outline(&s["children"], depth + 1, out);
    }
}

#[test]
fn document_symbols_are_a_nested_outline() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri("shapes.ward");
    c.open(&uri, SHAPES);
    assert_eq!(c.diagnostics(&uri, 1), Vec::<Value>::new());
    let symbols = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("documentSymbol answers");
    let mut text = String::new();
    outline(&symbols, 0, &mut text);
    expect![[r#"
        Point kind=23 lines 4-7
          x kind=8 lines 5-5 (int)
          y kind=8 lines 6-6 (int)
        Shape kind=10 lines 9-12
          Dot kind=22 lines 10-10
            0 kind=8 lines 10-10 (Point)
          Line kind=22 lines 11-11
            from kind=8 lines 11-11 (Point)
            to kind=8 lines 11-11 (Point)
        impl Point kind=19 lines 14-18
          origin kind=6 lines 15-17 (fn origin() -> Point)
        LIMIT kind=14 lines 20-20 (int)
        inner kind=2 lines 22-26
          helper kind=12 lines 23-25 (pub fn helper() -> int)
        main kind=12 lines 28-31 (fn main())
    "#]]
    .assert_eq(&text);
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn workspace_symbols_search_every_file_of_open_programs() {
    let (mut c, _main, clinic) = program("wsym");
    let found = c
        .request("workspace/symbol", json!({"query": "pat"}))
        .expect("workspace/symbol answers");
    let names: Vec<(&str, &str)> = found
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    (
                        s["name"].as_str().unwrap_or(""),
                        s["location"]["uri"].as_str().unwrap_or(""),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(names, vec![("Patient", clinic.as_str())]);
    // Scattered letters in order match too; prefixes rank first.
    let found = c
        .request("workspace/symbol", json!({"query": "mn"}))
        .expect("workspace/symbol answers");
    assert_eq!(found[0]["name"], "main");
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn folding_and_selection_ranges_come_from_the_tree() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri("folds.ward");
    c.open(&uri, SHAPES);
    let folds = c
        .request(
            "textDocument/foldingRange",
            json!({"textDocument": {"uri": uri}}),
        )
        .expect("foldingRange answers");
    let spans: Vec<(u64, u64, Option<&str>)> = folds
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["startLine"].as_u64().unwrap_or(0),
                        f["endLine"].as_u64().unwrap_or(0),
                        f["kind"].as_str(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert!(spans.contains(&(0, 1, Some("comment"))), "{spans:?}");
    assert!(spans.contains(&(4, 7, None)), "struct Point: {spans:?}");
    assert!(spans.contains(&(14, 18, None)), "impl: {spans:?}");
    assert!(spans.contains(&(28, 31, None)), "fn main: {spans:?}");

    // From `x` in `p.x`: the field expression, the sum, the arguments…
    let at = pos(SHAPES, "x + inner", 0, 0);
    let sel = c
        .request(
            "textDocument/selectionRange",
            json!({"textDocument": {"uri": uri}, "positions": [at]}),
        )
        .expect("selectionRange answers");
    let mut ranges = Vec::new();
    let mut cur = &sel[0];
    while cur.is_object() {
        let r = &cur["range"];
        ranges.push(format!(
            "{}:{}-{}:{}",
            r["start"]["line"], r["start"]["character"], r["end"]["line"], r["end"]["character"]
        ));
        cur = &cur["parent"];
    }
    assert_eq!(ranges[0], "30:23-30:24", "{ranges:?}");
    assert_eq!(ranges[1], "30:21-30:24", "`p.x`: {ranges:?}");
    assert_eq!(ranges[2], "30:21-30:42", "the sum: {ranges:?}");
    assert!(
        ranges.last().is_some_and(|r| r.starts_with("0:0-")),
        "{ranges:?}"
    );
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn the_syntax_tree_request_shows_the_open_document() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri("tree.ward");
    c.open(&uri, "fn main() {\n    let x = 1;\n}\n");
    let tree = c
        .request("ward/syntaxTree", json!({"textDocument": {"uri": uri}}))
        .expect("ward/syntaxTree answers");
    let text = tree.as_str().unwrap_or_default();
    assert!(text.starts_with("(source_file [0, 0] - [3, 0]"), "{text}");
    assert!(
        text.contains("name: (identifier [0, 3] - [0, 7])"),
        "{text}"
    );
    assert!(text.contains("(let_declaration [1, 4] - [1, 14]"), "{text}");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "fn main() {}\n"}]}),
    );
    let tree = c
        .request("ward/syntaxTree", json!({"textDocument": {"uri": uri}}))
        .expect("ward/syntaxTree answers");
    assert!(
        !tree
            .as_str()
            .unwrap_or_default()
            .contains("let_declaration")
    );
    let (_, closed) = temp_uri("never-opened.ward");
    let none = c.request("ward/syntaxTree", json!({"textDocument": {"uri": closed}}));
    assert_eq!(none, Ok(Value::Null));
    let bad = c.request("ward/syntaxTree", json!({"uri": 3}));
    assert!(bad.is_err(), "{bad:?}");
}

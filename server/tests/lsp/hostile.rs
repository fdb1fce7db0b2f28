//! Hostile bytes on the wire: the server answers what it can, skips what
//! it cannot frame, and keeps serving with bounded memory.

use crate::client::temp_uri;
use crate::initialized;
use serde_json::{Value, json};

fn hover_request(id: i64, uri: &str) -> Vec<u8> {
    let body = json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 3}}})
    .to_string();
    format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
}

/// Waits for the answers to ids `from..from + n`.
fn answers(c: &mut crate::client::Client, from: i64, n: i64) {
    for id in from..from + n {
        c.wait_for(|m| m["id"] == id && m.get("method").is_none());
    }
}

#[test]
fn bad_frames_cost_one_message_and_the_stream_resynchronises() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri("hostile_frames.ward");
    c.open(&uri, "fn main() {}\n");
    assert_eq!(c.diagnostics(&uri, 1), Vec::<Value>::new());

    // A non-UTF-8 byte in a header line: one parse error, then service.
    c.send_bytes(b"Content-Length: 2\xff\xfe\r\n\r\n{}");
    c.wait_for(|m| m["error"]["code"] == -32700);
    c.send_bytes(&hover_request(1000, &uri));
    answers(&mut c, 1000, 1);

    // A wrong Content-Length (too large, then too small), each followed
    // by 20 valid requests: all 40 are answered.
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "shutdown_not"}).to_string();
    c.send_bytes(format!("Content-Length: {}\r\n\r\n{body}", body.len() + 17).as_bytes());
    for id in 2000..2020 {
        c.send_bytes(&hover_request(id, &uri));
    }
    answers(&mut c, 2000, 20);
    c.send_bytes(format!("Content-Length: {}\r\n\r\n{body}", body.len() - 9).as_bytes());
    for id in 3000..3020 {
        c.send_bytes(&hover_request(id, &uri));
    }
    answers(&mut c, 3000, 20);

    // A header line that never ends (16 MiB without a newline) is skipped
    // without being held; the next message is answered.
    c.send_bytes(b"Content-Length: 12");
    let filler = vec![b'7'; 1 << 20];
    for _ in 0..16 {
        c.send_bytes(&filler);
    }
    c.send_bytes(b"\r\n\r\n");
    c.send_bytes(&hover_request(4000, &uri));
    answers(&mut c, 4000, 1);
    let rss = c.rss_kib();
    assert!(
        rss < 200 * 1024,
        "{rss} KiB resident after the endless header"
    );
    assert!(c.shutdown_and_exit().success());
}

/// A request sent right after a `didChange` is answered against the text
/// after that change, every time: 400 changes, each followed at once by a
/// document-symbol and a hover request, all sent before any answer is
/// read.
#[test]
fn requests_see_every_change_sent_before_them() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri("ordering.ward");
    c.open(&uri, "fn main() {}\n");
    let mut pending = Vec::new();
    for i in 0..400 {
        let text = format!(
            "fn f{i}() -> int {{\n    {i}\n}}\n\nfn main() {{\n    println(\"{{}}\", f{i}());\n}}\n"
        );
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": i + 2},
                   "contentChanges": [{"text": text}]}),
        );
        let symbols = c.send_request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        );
        let hover = c.send_request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 4}}),
        );
        pending.push((i, symbols, hover));
    }
    let mut stale = Vec::new();
    for (i, symbols, hover) in pending {
        let want = format!("f{i}");
        let names: Vec<String> = c
            .response(symbols)
            .expect("documentSymbol answers")
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|s| s["name"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        if !names.contains(&want) {
            stale.push(format!("symbols after change {i}: {names:?}"));
        }
        let hover = c.response(hover).expect("hover answers").to_string();
        if !hover.contains(&format!("fn {want}()")) {
            stale.push(format!("hover after change {i}: {hover}"));
        }
    }
    assert!(
        stale.is_empty(),
        "{} stale answers: {:#?}",
        stale.len(),
        &stale[..stale.len().min(5)]
    );
    assert!(c.shutdown_and_exit().success());
}

/// Found by the transport's fuzz loop: a length a little too large used to
/// wait for bytes a client awaiting its answer never sends, and a length
/// of terabytes skipped everything after it. Each is now one error, and
/// the next request — sent alone and awaited — is answered.
#[test]
fn a_lying_length_does_not_swallow_the_next_request() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri("hostile_lengths.ward");
    c.open(&uri, "fn main() {}\n");
    assert_eq!(c.diagnostics(&uri, 1), Vec::<Value>::new());
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "shutdown_not"}).to_string();
    for (n, wrong) in [(5000, body.len() + 40), (6000, 9_999_999_999_999)] {
        c.send_bytes(format!("Content-Length: {wrong}\r\n\r\n{body}\r\n").as_bytes());
        c.send_bytes(&hover_request(n, &uri));
        answers(&mut c, n, 1);
    }
    assert!(c.shutdown_and_exit().success());
}

/// A slow analysis runs off the message loop: while a large document is
/// being checked, a request about another document is answered before the
/// large one's diagnostics come out.
#[test]
fn a_slow_analysis_does_not_hold_up_other_requests() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, small) = temp_uri("hostile_small.ward");
    c.open(
        &small,
        "fn main() {\n    let x = 1;\n    println(\"{}\", x);\n}\n",
    );
    assert_eq!(c.diagnostics(&small, 1), Vec::<Value>::new());
    let (_, large) = temp_uri("hostile_large.ward");
    c.open(&large, &ward_tests::generate_program(30_000));
    let id = c.send_request(
        "textDocument/hover",
        json!({"textDocument": {"uri": small}, "position": {"line": 1, "character": 8}}),
    );
    // Whichever comes first of the hover's answer and the large
    // document's diagnostics: the answer.
    let first = c.wait_for(|m| {
        m["id"] == id
            || (m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == large.as_str())
    });
    assert_eq!(
        first["id"], id,
        "the large document's check came first: {first}"
    );
    assert!(first["result"].to_string().contains("int"), "{first}");
    let _ = c.diagnostics(&large, 1);
    assert!(c.shutdown_and_exit().success());
}

/// Documents nested far past the compiler's limit on one line (a binary
/// chain, an `else if` chain, parentheses; 2 000 and 50 000 levels, which
/// used to overflow a worker's stack and abort the server): each gets its
/// diagnostics (W0002), and every request that walks the tree is answered
/// (selection ranges used to nest one JSON level per tree level, more
/// than serde_json-based clients parse; completion walked up with
/// `Node::parent`, minutes at 50 000 levels).
#[test]
fn deeply_nested_documents_are_answered() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let programs = |n: usize| {
        vec![
            format!(
                "fn main() {{ let x = {}; println(\"{{}}\", x); }}\n",
                vec!["1"; n].join(" + ")
            ),
            format!(
                "fn f(x: int) -> int {{ {} else {{ 0 }} }}\nfn main() {{ println(\"{{}}\", f(3)); }}\n",
                (0..n)
                    .map(|i| format!("if x == {i} {{ {i} }}"))
                    .collect::<Vec<_>>()
                    .join(" else ")
            ),
            format!(
                "fn main() {{ let x = {}1{}; println(\"{{}}\", x); }}\n",
                "(".repeat(n),
                ")".repeat(n)
            ),
        ]
    };
    let mut k = 0;
    for n in [2000, 50_000] {
        for text in programs(n) {
            k += 1;
            let (_, uri) = temp_uri(&format!("hostile_deep_{k}.ward"));
            c.open(&uri, &text);
            let diags = c.diagnostics(&uri, 1);
            assert!(diags.iter().any(|d| d["code"] == "W0002"), "{n}: {diags:?}");
            let doc = json!({"uri": uri});
            let at = json!({"line": 0, "character": 20});
            for (method, params) in [
                (
                    "textDocument/hover",
                    json!({"textDocument": doc, "position": at}),
                ),
                ("textDocument/documentSymbol", json!({"textDocument": doc})),
                (
                    "textDocument/semanticTokens/full",
                    json!({"textDocument": doc}),
                ),
                ("textDocument/foldingRange", json!({"textDocument": doc})),
                (
                    "textDocument/selectionRange",
                    json!({"textDocument": doc, "positions": [at]}),
                ),
                (
                    "textDocument/formatting",
                    json!({"textDocument": doc, "options": {"tabSize": 4, "insertSpaces": true}}),
                ),
                (
                    "textDocument/completion",
                    json!({"textDocument": doc, "position": at}),
                ),
                (
                    "textDocument/inlayHint",
                    json!({"textDocument": doc, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 1, "character": 0}}}),
                ),
            ] {
                if let Err(e) = c.request(method, params) {
                    assert_ne!(e["code"], -32603, "{method} at {n} levels: {e}");
                }
            }
        }
    }
    assert!(c.shutdown_and_exit().success());
}

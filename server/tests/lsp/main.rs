//! Protocol tests: each starts the real `ward lsp` binary and drives it
//! over stdio with the client in `client.rs`.

// `UPDATE_EXPECT=1` writes snapshots as `r#"…"#` whether or not they need it.
#![allow(clippy::needless_raw_string_hashes)]

mod actions;
// Shared with `examples/lsp_bench.rs`; each uses part of it.
#[allow(dead_code)]
mod client;
mod completion;
mod format;
mod hints;
mod hostile;
mod navigation;
mod outline;
mod run;
mod soak;
mod tokens;

use client::{Client, temp_uri};
use serde_json::{Value, json};
use ward_tests::repo_root;

const MOVED: &str = "fn main() {\n    let s = \"bed 4\".to_string();\n    let t = s;\n    println(\"{} {}\", s, t);\n}\n";

/// The `ward lsp` of this build, initialized.
fn initialized(capabilities: Value, options: Value) -> (Client, Value) {
    Client::spawn(env!("CARGO_BIN_EXE_ward")).initialize(capabilities, options)
}

fn utf8_client() -> Value {
    json!({"general": {"positionEncodings": ["utf-8", "utf-16"]}})
}

#[test]
fn initialize_negotiates_the_position_encoding() {
    let (c, result) = initialized(utf8_client(), Value::Null);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    // Incremental sync.
    assert_eq!(result["capabilities"]["textDocumentSync"]["change"], 2);
    assert_eq!(result["serverInfo"]["name"], "ward");
    assert!(c.shutdown_and_exit().success());

    let (c, result) = initialized(json!({}), Value::Null);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn diagnostics_carry_code_link_and_related_information() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let path = repo_root().join("examples/borrow_errors.ward");
    let uri = format!("file://{}", path.display());
    let text = std::fs::read_to_string(&path).expect("the example exists");
    c.open(&uri, &text);
    let diags = c.diagnostics(&uri, 1);
    let moved = diags
        .iter()
        .find(|d| d["code"] == "W0382")
        .unwrap_or_else(|| panic!("a W0382 among {diags:#?}"));
    assert_eq!(moved["severity"], 1);
    assert_eq!(moved["source"], "ward");
    let href = moved["codeDescription"]["href"]
        .as_str()
        .unwrap_or_default();
    assert!(href.contains("docs/diagnostics.md#w0382-"), "{href}");
    let related = moved["relatedInformation"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        related.iter().any(|r| r["message"]
            .as_str()
            .is_some_and(|m| m.contains("moved here"))),
        "the move is related information: {related:#?}"
    );
    assert!(related.iter().all(|r| r["location"]["uri"] == uri));
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    for code in ["W0499", "W0502", "W0384", "W0507"] {
        assert!(codes.contains(&code), "{code} in {codes:?}");
    }
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn fixing_the_error_publishes_an_empty_list_for_that_version() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri("fix.ward");
    c.open(&uri, MOVED);
    let first = c.diagnostics(&uri, 1);
    assert_eq!(first.len(), 1, "{first:#?}");
    assert_eq!(first[0]["code"], "W0382");
    // `s` is used after the move on line 3 (0-based): line 2 is
    // `    let t = s;`; make it `    let t = s.clone();`.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 2, "character": 13}, "end": {"line": 2, "character": 13}}, "text": ".clone()"}],
        }),
    );
    assert_eq!(c.diagnostics(&uri, 2), Vec::<Value>::new());
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn unused_code_is_tagged_unnecessary() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri("unused.ward");
    c.open(&uri, "fn main() {\n    let spare = 1;\n}\n");
    let diags = c.diagnostics(&uri, 1);
    let unused = diags
        .iter()
        .find(|d| d["code"] == "W1101")
        .unwrap_or_else(|| panic!("W1101 among {diags:#?}"));
    assert_eq!(unused["severity"], 2);
    assert_eq!(unused["tags"], json!([1]));
    assert!(c.shutdown_and_exit().success());
}

/// `😀` is two UTF-16 code units and four UTF-8 bytes, `é` one and two.
#[test]
fn ranges_count_utf16_units_or_utf8_bytes_as_negotiated() {
    let text = "fn main() {\n    let s = \"😀é\"; let t = s; println(\"é{}\", s);\n}\n";
    // The last `s`: its UTF-16 column and its byte column.
    let line = text.lines().nth(1).unwrap_or_default();
    let at = line.rfind('s').unwrap_or_default();
    let utf16 = line[..at].encode_utf16().count();
    for (caps, expected) in [(json!({}), utf16), (utf8_client(), at)] {
        let (mut c, _) = initialized(caps, Value::Null);
        let (_, uri) = temp_uri("wide.ward");
        c.open(&uri, text);
        let diags = c.diagnostics(&uri, 1);
        let moved = diags
            .iter()
            .find(|d| d["code"] == "W0382")
            .unwrap_or_else(|| panic!("W0382 among {diags:#?}"));
        assert_eq!(moved["range"]["start"]["line"], 1);
        assert_eq!(moved["range"]["start"]["character"], expected);
        // An edit in the same units: replace the used-after-move `s` with
        // `t`, which fixes the error.
        c.notify(
            "textDocument/didChange",
            json!({
                "textDocument": {"uri": uri, "version": 2},
                "contentChanges": [{"range": moved["range"], "text": "t"}],
            }),
        );
        assert_eq!(c.diagnostics(&uri, 2), Vec::<Value>::new());
        assert!(c.shutdown_and_exit().success());
    }
}

#[test]
fn bad_messages_get_errors_and_the_server_keeps_serving() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    // Malformed JSON: a parse error with a null id.
    c.send_raw(b"{\"jsonrpc\": \"2.0\", \"id\": 7, \"method\": ");
    let parse_error = c.wait_for(|m| m["error"]["code"] == -32700);
    assert_eq!(parse_error["id"], Value::Null);
    // An unknown method.
    let unknown = c.request("ward/noSuchThing", json!({}));
    assert_eq!(
        unknown.err().map(|e| e["code"].clone()),
        Some(json!(-32601))
    );
    // A handler that panics answers with an internal error.
    let panicked = c.request("ward/debugPanic", json!({}));
    let err = panicked.expect_err("the panic is an error response");
    assert_eq!(err["code"], -32603);
    assert!(
        err["message"]
            .as_str()
            .is_some_and(|m| m.contains("deliberate panic")),
        "{err}"
    );
    // A change to a document that was never opened.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": "file:///nowhere.ward", "version": 2},
            "contentChanges": [{"text": "fn main() {}"}],
        }),
    );
    // Positions far outside the document are clamped, not fatal.
    let (_, uri) = temp_uri("clamp.ward");
    c.open(&uri, "fn main() {}\n");
    assert_eq!(c.diagnostics(&uri, 1), Vec::<Value>::new());
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": {"uri": uri, "version": 2},
            "contentChanges": [{"range": {"start": {"line": 40, "character": 3}, "end": {"line": 99, "character": 0}}, "text": "fn helper() { let unused = 1; }\n"}],
        }),
    );
    let after = c.diagnostics(&uri, 2);
    assert!(after.iter().any(|d| d["code"] == "W1101"), "{after:#?}");
    // Still serving.
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn closing_a_document_clears_its_diagnostics() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri("close.ward");
    c.open(&uri, MOVED);
    assert_eq!(c.diagnostics(&uri, 1).len(), 1);
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri}}),
    );
    let cleared = c.wait_for(|m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"].get("version").is_none_or(Value::is_null)
    });
    assert_eq!(cleared["params"]["diagnostics"], json!([]));
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    c.notify("exit", Value::Null);
    let status = c.wait_exit();
    assert_eq!(status.code(), Some(1));
}

#[test]
fn settings_errors_are_reported_not_fatal() {
    let (mut c, _) = initialized(json!({}), json!({"inlayHints": {"lifetimes": 5}}));
    let warning = c.wait_for(|m| m["method"] == "window/logMessage" && m["params"]["type"] == 2);
    assert!(
        warning["params"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("invalid `ward` settings")),
        "{warning}"
    );
    c.notify(
        "workspace/didChangeConfiguration",
        json!({"settings": {"ward": {"inlayHints": {"drops": true}}}}),
    );
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn out_of_range_positions_are_errors_and_unknown_documents_have_no_result() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri("range.ward");
    c.open(&uri, MOVED);
    c.diagnostics(&uri, 1);
    for method in [
        "textDocument/hover",
        "textDocument/definition",
        "textDocument/documentHighlight",
        "textDocument/prepareRename",
        "textDocument/completion",
        "textDocument/signatureHelp",
    ] {
        let past = c.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": {"line": 4000, "character": 0}}),
        );
        let error = past.expect_err("a position past the end is an error");
        assert_eq!(error["code"], -32602, "{method}: {error}");
        // A character past the line's end is the line's end.
        let wide = c.request(
            method,
            json!({"textDocument": {"uri": uri}, "position": {"line": 1, "character": 4000}}),
        );
        assert!(
            wide.is_ok() || method == "textDocument/prepareRename",
            "{method}: {wide:?}"
        );
        let unknown = c.request(
            method,
            json!({"textDocument": {"uri": "file:///nowhere/never-opened.ward"},
                   "position": {"line": 0, "character": 0}}),
        );
        assert_eq!(unknown, Ok(Value::Null), "{method}");
    }
    assert!(c.shutdown_and_exit().success());
}

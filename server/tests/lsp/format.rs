//! Formatting: `textDocument/formatting` answers with edits that turn the
//! document into what `ward fmt` writes, counted in the negotiated
//! position encoding.

use serde_json::{Value, json};

use super::client::{apply_edits, temp_uri};
use super::{initialized, utf8_client};

/// Non-ASCII text before the edits, so UTF-16 and UTF-8 columns differ.
const MESSY: &str = "// Überwachung 😀\nfn main(){\nlet  size=\"1 😀\" ;   let n=size.len( );\n\n\n      println(\"{}\",n) // done   \n}";
const TIDY: &str = "// Überwachung 😀\nfn main() {\n    let size = \"1 😀\"; let n = size.len();\n\n    println(\"{}\", n) // done\n}\n";

fn format_request(utf8: bool) -> (String, Value) {
    let caps = if utf8 { utf8_client() } else { json!({}) };
    let (mut c, init) = initialized(caps, Value::Null);
    assert_eq!(init["capabilities"]["documentFormattingProvider"], true);
    let (_, uri) = temp_uri(if utf8 { "fmt8.ward" } else { "fmt16.ward" });
    c.open(&uri, MESSY);
    let edits = c
        .request(
            "textDocument/formatting",
            json!({"textDocument": {"uri": uri},
                   "options": {"tabSize": 2, "insertSpaces": false}}),
        )
        .expect("formatting answers");
    c.shutdown_and_exit();
    (uri, edits)
}

#[test]
fn formatting_edits_produce_the_formatted_text_in_either_encoding() {
    for utf8 in [false, true] {
        let (_, edits) = format_request(utf8);
        let edits = edits.as_array().cloned().expect("a list of edits");
        // Whitespace edits, not one replacement of the whole document.
        assert!(edits.len() > 5, "{edits:#?}");
        assert!(
            edits
                .iter()
                .all(|e| e["newText"].as_str().is_some_and(|t| t.trim().is_empty())),
            "{edits:#?}"
        );
        assert_eq!(apply_edits(MESSY, &edits, !utf8), TIDY, "utf8 = {utf8}");
    }
}

#[test]
fn formatted_and_broken_documents_get_no_edits() {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, tidy) = temp_uri("tidy.ward");
    c.open(&tidy, TIDY);
    let (_, broken) = temp_uri("broken.ward");
    c.open(&broken, "fn main( {\n  let x=1;\n");
    let (_, closed) = temp_uri("closed.ward");
    for (uri, want) in [
        (&tidy, json!([])),
        (&broken, Value::Null),
        (&closed, Value::Null),
    ] {
        let got = c
            .request(
                "textDocument/formatting",
                json!({"textDocument": {"uri": uri},
                       "options": {"tabSize": 4, "insertSpaces": true}}),
            )
            .expect("formatting answers");
        assert_eq!(got, want, "{uri}");
    }
    c.shutdown_and_exit();
}

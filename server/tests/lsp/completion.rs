//! Completion with resolve, and signature help, over a two-file program
//! being typed (the texts do not parse at the cursor, as while typing).

use serde_json::{Value, json};

use super::client::Client;
use super::initialized;
use super::navigation::{CLINIC, pos};

/// `main.ward` (with `mod clinic;`) as it is being typed: the line with
/// `TYPING` is where the cursor is.
fn main_with(typing: &str) -> String {
    format!(
        "mod clinic;\n\nuse clinic::Patient;\n\n/// Admits a patient to a bed.\nfn admit(name: String, bed: int) -> Patient {{\n    Patient {{ name, bed }}\n}}\n\nfn main() {{\n    let first = admit(\"Ada\", 4);\n    let beds = List::new();\n{typing}\n    println(\"{{}}\", beds.len());\n}}\n"
    )
}

/// A server (`snippets` says whether the client takes snippet text) with
/// `clinic.ward` on disk and `main.ward` open with `text`.
fn open(name: &str, snippets: bool, text: &str) -> (Client, String) {
    let root =
        std::env::temp_dir().join(format!("ward-lsp-complete-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&root).expect("temp dir");
    std::fs::write(root.join("clinic.ward"), CLINIC).expect("write clinic");
    let main = format!("file://{}", root.join("main.ward").display());
    let caps =
        json!({"textDocument": {"completion": {"completionItem": {"snippetSupport": snippets}}}});
    let (mut c, init) = initialized(caps, Value::Null);
    assert_eq!(
        init["capabilities"]["completionProvider"]["resolveProvider"],
        true
    );
    c.open(&main, text);
    (c, main)
}

fn complete(c: &mut Client, uri: &str, at: &Value) -> Vec<Value> {
    let list = c
        .request(
            "textDocument/completion",
            json!({"textDocument": {"uri": uri}, "position": at}),
        )
        .expect("completion answers");
    list["items"].as_array().cloned().unwrap_or_default()
}

fn item<'a>(items: &'a [Value], label: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["label"] == label)
        .unwrap_or_else(|| panic!("{label} in {:?}", labels(items)))
}

fn labels(items: &[Value]) -> Vec<&str> {
    items.iter().filter_map(|i| i["label"].as_str()).collect()
}

#[test]
fn members_after_a_dot_from_another_file_with_built_in_methods() {
    let text = main_with("    first.");
    let (mut c, uri) = open("dot", true, &text);
    let at = pos(&text, "first.", 0, 6);
    let items = complete(&mut c, &uri, &at);
    // Fields (LSP kind 5) first, then methods (2); `clone` is built in.
    assert_eq!(item(&items, "name")["kind"], 5);
    assert_eq!(item(&items, "bed")["detail"], "int");
    assert_eq!(item(&items, "clone")["kind"], 2);
    assert!(!labels(&items).contains(&"admit"), "{:?}", labels(&items));
    // The edit inserts at the cursor (nothing typed after the dot yet).
    assert_eq!(item(&items, "bed")["textEdit"]["range"]["start"], at);

    let text = main_with("    beds.pu");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"text": text}]}),
    );
    let at = pos(&text, "beds.pu", 0, 7);
    let items = complete(&mut c, &uri, &at);
    let push = item(&items, "push");
    assert_eq!(push["textEdit"]["newText"], "push($0)");
    assert_eq!(push["insertTextFormat"], 2);
    // The edit replaces the typed `pu`.
    assert_eq!(
        push["textEdit"]["range"]["start"],
        pos(&text, "beds.pu", 0, 5)
    );
    for m in ["len", "pop", "contains", "sort"] {
        item(&items, m);
    }
    c.shutdown_and_exit();
}

#[test]
fn names_in_scope_paths_keywords_and_snippets() {
    let text = main_with("    let n = ");
    let (mut c, uri) = open("scope", true, &text);
    let items = complete(&mut c, &uri, &pos(&text, "let n = ", 0, 8));
    // Locals (kind 6) sort before items and keywords.
    assert_eq!(item(&items, "first")["kind"], 6);
    assert_eq!(item(&items, "first")["detail"], "Patient");
    let sort = |l: &str| {
        item(&items, l)["sortText"]
            .as_str()
            .unwrap_or("")
            .to_string()
    };
    assert!(sort("first") < sort("admit") && sort("admit") < sort("println"));
    assert!(sort("println") < sort("while"));
    assert_eq!(item(&items, "admit")["textEdit"]["newText"], "admit($0)");
    assert_eq!(item(&items, "Patient")["kind"], 22);
    assert_eq!(item(&items, "while")["kind"], 14);
    let snippet = items
        .iter()
        .find(|i| i["label"] == "match" && i["kind"] == 15)
        .expect("a match snippet");
    assert!(
        snippet["textEdit"]["newText"]
            .as_str()
            .is_some_and(|t| t.starts_with("match ${1:value} {")),
        "{snippet}"
    );

    let text = main_with("    let p = clinic::");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2},
               "contentChanges": [{"text": text}]}),
    );
    let items = complete(&mut c, &uri, &pos(&text, "clinic::", 1, 8));
    assert_eq!(labels(&items), ["Patient"]);
    c.shutdown_and_exit();
}

#[test]
fn clients_without_snippets_get_plain_names() {
    let text = main_with("    let n = ");
    let (mut c, uri) = open("plain", false, &text);
    let items = complete(&mut c, &uri, &pos(&text, "let n = ", 0, 8));
    assert_eq!(item(&items, "admit")["textEdit"]["newText"], "admit");
    assert!(
        items
            .iter()
            .all(|i| i["insertTextFormat"] != 2 && i["kind"] != 15)
    );
    c.shutdown_and_exit();
}

#[test]
fn resolve_adds_documentation_from_the_item_and_its_file() {
    let text = main_with("    let n = ");
    let (mut c, uri) = open("resolve", true, &text);
    let items = complete(&mut c, &uri, &pos(&text, "let n = ", 0, 8));
    for (label, want) in [
        ("admit", "fn admit(name: String, bed: int) -> Patient"),
        ("admit", "Admits a patient to a bed."),
        ("Patient", "A patient on the ward."),
        ("println", "fn println"),
    ] {
        let resolved = c
            .request("completionItem/resolve", item(&items, label).clone())
            .expect("resolve answers");
        let docs = resolved["documentation"]["value"].as_str().unwrap_or("");
        assert!(docs.contains(want), "{label}: {docs}");
    }
    // An item without data, or from an older version, comes back as it was.
    let plain = json!({"label": "while", "kind": 14});
    assert_eq!(
        c.request("completionItem/resolve", plain.clone()),
        Ok(plain)
    );
    c.shutdown_and_exit();
}

#[test]
fn signature_help_follows_the_argument_being_typed() {
    let text = main_with("    let again = admit(\"Bo\", ");
    let (mut c, uri) = open("signature", true, &text);
    let help = c
        .request(
            "textDocument/signatureHelp",
            json!({"textDocument": {"uri": uri}, "position": pos(&text, "\"Bo\", ", 0, 6)}),
        )
        .expect("signatureHelp answers");
    let sig = &help["signatures"][0];
    assert_eq!(sig["label"], "fn admit(name: String, bed: int) -> Patient");
    assert_eq!(sig["parameters"][1]["label"], "bed: int");
    assert_eq!(help["activeParameter"], 1);
    assert!(
        sig["documentation"]["value"]
            .as_str()
            .is_some_and(|d| d.contains("Admits")),
        "{sig}"
    );
    // Outside any call: no help.
    let none = c
        .request(
            "textDocument/signatureHelp",
            json!({"textDocument": {"uri": uri}, "position": pos(&text, "let first", 0, 4)}),
        )
        .expect("signatureHelp answers");
    assert_eq!(none, Value::Null);
    c.shutdown_and_exit();
}

#[test]
fn completion_ranges_count_utf16_units_before_the_cursor() {
    let text = "fn main() {\n    let s = \"é😀\"; s.tr\n}\n";
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = super::client::temp_uri("utf16_complete.ward");
    c.open(&uri, text);
    // `    let s = "é😀"; s.tr`: the emoji is two UTF-16 units.
    let items = complete(&mut c, &uri, &json!({"line": 1, "character": 23}));
    let trim = item(&items, "trim");
    assert_eq!(
        trim["textEdit"]["range"]["start"],
        json!({"line": 1, "character": 21})
    );
    assert_eq!(
        trim["textEdit"]["range"]["end"],
        json!({"line": 1, "character": 23})
    );
    // Past the last line: an error, not a crash.
    let err = c.request(
        "textDocument/completion",
        json!({"textDocument": {"uri": uri}, "position": {"line": 99, "character": 0}}),
    );
    assert!(err.is_err(), "{err:?}");
    c.shutdown_and_exit();
}

//! Hover, go to definition, references, highlights and rename over a
//! two-file program (`main.ward` with `mod clinic;`).

use expect_test::{Expect, expect};
use serde_json::{Value, json};

use super::client::Client;
use super::initialized;

pub const MAIN: &str = r#"mod clinic;

use clinic::Patient;

fn admit(name: String) -> Patient {
    Patient { name, bed: 4 }
}

fn main() {
    let mut ward = List::new();
    let p = admit("Ada");
    let first = &mut ward;
    first.push(p.bed);
    let moved = p;
    println("{} {}", moved.name, ward.len());
}
"#;

pub const CLINIC: &str = "/// A patient on the ward.\npub struct Patient {\n    pub name: String,\n    pub bed: int,\n}\n";

/// The `n`th (0-based) occurrence of `needle` in `text`, plus `shift`
/// bytes, as a protocol position (the texts are ASCII).
pub fn pos(text: &str, needle: &str, n: usize, shift: usize) -> Value {
    let at = text
        .match_indices(needle)
        .nth(n)
        .unwrap_or_else(|| panic!("{needle} #{n} in the text"))
        .0
        + shift;
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map_or(0, |i| i + 1);
    json!({"line": line, "character": col})
}

/// A server with the two files on disk and `main.ward` open.
pub fn program(dir: &str) -> (Client, String, String) {
    let root = std::env::temp_dir().join(format!("ward-lsp-nav-{dir}-{}", std::process::id()));
    std::fs::create_dir_all(&root).expect("temp dir");
    std::fs::write(root.join("main.ward"), MAIN).expect("write main");
    std::fs::write(root.join("clinic.ward"), CLINIC).expect("write clinic");
    let main = format!("file://{}", root.join("main.ward").display());
    let clinic = format!("file://{}", root.join("clinic.ward").display());
    let (mut c, _) = initialized(json!({}), Value::Null);
    c.open(&main, MAIN);
    assert_eq!(c.diagnostics(&main, 1), Vec::<Value>::new());
    (c, main, clinic)
}

fn at(uri: &str, p: &Value) -> Value {
    json!({"textDocument": {"uri": uri}, "position": p})
}

fn hover_text(c: &mut Client, uri: &str, p: &Value) -> String {
    let h = c
        .request("textDocument/hover", at(uri, p))
        .expect("hover answers");
    h["contents"]["value"]
        .as_str()
        .unwrap_or("(no hover)")
        .to_string()
}

fn check(c: &mut Client, uri: &str, needle: &str, n: usize, want: &Expect) {
    want.assert_eq(&hover_text(c, uri, &pos(MAIN, needle, n, 0)));
}

#[test]
fn hover_shows_types_ownership_states_and_docs() {
    let (mut c, main, _) = program("hover");
    // `ward` before, during and after the mutable borrow.
    check(
        &mut c,
        &main,
        "ward =",
        0,
        &expect![[r#"
        ```ward
        let mut ward: List<int>
        ```

        **owned** · dropped at line 16"#]],
    );
    check(
        &mut c,
        &main,
        "ward;",
        0,
        &expect![[r#"
        ```ward
        let mut ward: List<int>
        ```

        **borrowed mutably until line 13** · dropped at line 16"#]],
    );
    check(
        &mut c,
        &main,
        "ward.len",
        0,
        &expect![[r#"
        ```ward
        let mut ward: List<int>
        ```

        **owned** · dropped at line 16"#]],
    );
    // `p` where it moves, and the moved value's new owner.
    check(
        &mut c,
        &main,
        "p;",
        0,
        &expect![[r#"
        ```ward
        let p: Patient
        ```

        **moved here**"#]],
    );
    check(
        &mut c,
        &main,
        "p.bed",
        0,
        &expect![[r#"
        ```ward
        let p: Patient
        ```

        **owned**"#]],
    );
    // Items: the doc comment from the other file, fields, signatures.
    check(
        &mut c,
        &main,
        "Patient;",
        0,
        &expect![[r#"
        `clinic::Patient`

        ```ward
        struct Patient {
            name: String,
            bed: int,
        }
        ```

        ---

        A patient on the ward."#]],
    );
    check(
        &mut c,
        &main,
        "bed)",
        0,
        &expect![[r#"
        `clinic::Patient`

        ```ward
        bed: int
        ```"#]],
    );
    check(
        &mut c,
        &main,
        "admit(\"",
        0,
        &expect![[r#"
        ```ward
        fn admit(name: String) -> Patient
        ```"#]],
    );
    check(
        &mut c,
        &main,
        "push",
        0,
        &expect![[r#"
        `List::push`

        ```ward
        pub fn push(&mut self, value: T)
        ```

        ---

        Appends an element."#]],
    );
    // Whitespace has no hover.
    let none = c
        .request(
            "textDocument/hover",
            at(&main, &json!({"line": 1, "character": 0})),
        )
        .expect("hover answers");
    assert_eq!(none, Value::Null);
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn definition_goes_across_mod_files() {
    let (mut c, main, clinic) = program("def");
    let def = c
        .request(
            "textDocument/definition",
            at(&main, &pos(MAIN, "Patient {", 0, 0)),
        )
        .expect("definition answers");
    assert_eq!(def["uri"], clinic.as_str());
    assert_eq!(def["range"]["start"], pos(CLINIC, "Patient", 0, 0));
    // A field through a value.
    let def = c
        .request(
            "textDocument/definition",
            at(&main, &pos(MAIN, "bed)", 0, 0)),
        )
        .expect("definition answers");
    assert_eq!(def["uri"], clinic.as_str());
    assert_eq!(def["range"]["start"], pos(CLINIC, "bed", 0, 0));
    // A local: its binding.
    let def = c
        .request(
            "textDocument/definition",
            at(&main, &pos(MAIN, "first.push", 0, 0)),
        )
        .expect("definition answers");
    assert_eq!(def["uri"], main.as_str());
    assert_eq!(def["range"]["start"], pos(MAIN, "first", 0, 0));
    // Type definition of a variable: its struct.
    let def = c
        .request(
            "textDocument/typeDefinition",
            at(&main, &pos(MAIN, "moved.name", 0, 0)),
        )
        .expect("typeDefinition answers");
    assert_eq!(def["uri"], clinic.as_str());
    // A std item has no file to go to.
    let def = c
        .request(
            "textDocument/definition",
            at(&main, &pos(MAIN, "push", 0, 0)),
        )
        .expect("definition answers");
    assert_eq!(def, Value::Null);
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn references_and_highlights() {
    let (mut c, main, clinic) = program("refs");
    let refs = c
        .request(
            "textDocument/references",
            json!({"textDocument": {"uri": main}, "position": pos(MAIN, "bed:", 0, 0),
                   "context": {"includeDeclaration": true}}),
        )
        .expect("references answer");
    let mut found: Vec<(String, Value)> = refs
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|l| {
            (
                l["uri"].as_str().unwrap_or("").to_string(),
                l["range"]["start"].clone(),
            )
        })
        .collect();
    found.sort_by_key(|(u, p)| (u.clone(), p.to_string()));
    let mut want = vec![
        (clinic.clone(), pos(CLINIC, "bed", 0, 0)),
        (main.clone(), pos(MAIN, "bed:", 0, 0)),
        (main.clone(), pos(MAIN, "bed)", 0, 0)),
    ];
    want.sort_by_key(|(u, p)| (u.clone(), p.to_string()));
    assert_eq!(found, want);

    // A variable: its binding (text), reads and the `&mut` (write).
    let hl = c
        .request(
            "textDocument/documentHighlight",
            at(&main, &pos(MAIN, "ward", 1, 0)),
        )
        .expect("highlight answers");
    let kinds: Vec<(Value, Value)> = hl
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|h| (h["range"]["start"].clone(), h["kind"].clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (pos(MAIN, "ward =", 0, 0), json!(1)),
            (pos(MAIN, "ward;", 0, 0), json!(3)),
            (pos(MAIN, "ward.len", 0, 0), json!(2)),
        ]
    );
    // On the borrow itself: where it is live (lines 12 and 13).
    let hl = c
        .request(
            "textDocument/documentHighlight",
            at(&main, &pos(MAIN, "&mut ward", 0, 0)),
        )
        .expect("highlight answers");
    let lines: Vec<Value> = hl
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|h| h["range"]["start"]["line"].clone())
        .collect();
    assert_eq!(lines.first(), Some(&json!(11)), "{hl:#}");
    assert!(
        lines.contains(&json!(12)),
        "live through `first.push`: {hl:#}"
    );
    assert!(
        !lines.contains(&json!(13)),
        "dead after its last use: {hl:#}"
    );
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn rename_edits_every_file_and_keeps_shorthand_fields() {
    let (mut c, main, clinic) = program("rename");
    let prep = c
        .request(
            "textDocument/prepareRename",
            at(&main, &pos(MAIN, "name: String", 0, 0)),
        )
        .expect("prepareRename answers");
    assert_eq!(prep["placeholder"], "name");
    // Renaming the parameter spells out the shorthand field init.
    let edit = c
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": main}, "position": pos(MAIN, "name: String", 0, 0),
                   "newName": "full_name"}),
        )
        .expect("rename answers");
    let texts: Vec<&str> = edit["changes"][&main]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["newText"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(texts, vec!["full_name", "name: full_name"]);
    // Renaming the field edits the other file and the shorthand.
    let edit = c
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": main}, "position": pos(MAIN, "name,", 0, 0),
                   "newName": "display"}),
        )
        .expect("rename answers");
    let main_texts: Vec<&str> = edit["changes"][&main]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["newText"].as_str()).collect())
        .unwrap_or_default();
    // The cursor on a shorthand is the local; on `.name` it is the field.
    assert_eq!(main_texts, vec!["display", "name: display"]);
    let edit = c
        .request(
            "textDocument/rename",
            json!({"textDocument": {"uri": main}, "position": pos(MAIN, "name, ward", 0, 0),
                   "newName": "display"}),
        )
        .expect("rename answers");
    let main_texts: Vec<&str> = edit["changes"][&main]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["newText"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(main_texts, vec!["display: name", "display"]);
    assert_eq!(edit["changes"][&clinic][0]["newText"], "display");
    // Bad names and std names are refused with a message.
    let bad = c.request(
        "textDocument/rename",
        json!({"textDocument": {"uri": main}, "position": pos(MAIN, "first", 0, 0),
               "newName": "match"}),
    );
    assert!(bad.is_err(), "{bad:?}");
    let std = c.request(
        "textDocument/prepareRename",
        at(&main, &pos(MAIN, "push", 0, 0)),
    );
    assert!(std.is_err_and(|e| {
        e["message"]
            .as_str()
            .is_some_and(|m| m.contains("standard library"))
    }));
    assert!(c.shutdown_and_exit().success());
}

//! Code actions: the checker's fixes, applied as workspace edits, make the
//! diagnostic go away.

use serde_json::{Value, json};

use super::client::{Client, apply_edits, temp_uri};
use super::initialized;

/// Applies a `WorkspaceEdit`'s edits for `uri` to `text` (ASCII text;
/// edits may come in any order and do not overlap).
fn apply(text: &str, edit: &Value, uri: &str) -> String {
    let edits = edit["changes"][uri].as_array().cloned().unwrap_or_default();
    apply_edits(text, &edits, false)
}

/// The quick fixes offered on the first diagnostic with `code`.
fn fixes(c: &mut Client, uri: &str, diags: &[Value], code: &str) -> Vec<Value> {
    let d = diags
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("{code} in {diags:#?}"));
    let actions = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": d["range"],
                   "context": {"diagnostics": [d]}}),
        )
        .expect("codeAction answers");
    actions
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|a| a["kind"] == "quickfix" && a["diagnostics"][0]["code"] == code)
        .collect()
}

fn fixed_by(before: &str, code: &str, title: &str, after: &str) {
    let (mut c, _) = initialized(json!({}), Value::Null);
    let (_, uri) = temp_uri(&format!("fix-{code}-{}.ward", title.len()));
    c.open(&uri, before);
    let diags = c.diagnostics(&uri, 1);
    let offered = fixes(&mut c, &uri, &diags, code);
    let fix = offered
        .iter()
        .find(|a| a["title"].as_str().is_some_and(|t| t.contains(title)))
        .unwrap_or_else(|| panic!("a fix `{title}` among {offered:#?}"));
    let text = apply(before, &fix["edit"], &uri);
    assert_eq!(text, after);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let left = c.diagnostics(&uri, 2);
    assert!(
        left.iter().all(|d| d["code"] != code),
        "{code} is gone after `{title}`: {left:#?}"
    );
    assert!(c.shutdown_and_exit().success());
}

#[test]
fn clone_fixes_a_use_after_move() {
    fixed_by(
        "fn main() {\n    let s = \"bed 4\";\n    let t = s;\n    println(\"{} {}\", s, t);\n}\n",
        "W0382",
        "cloning",
        "fn main() {\n    let s = \"bed 4\";\n    let t = s.clone();\n    println(\"{} {}\", s, t);\n}\n",
    );
}

#[test]
fn mut_fixes_an_assignment_to_an_immutable_variable() {
    fixed_by(
        "fn main() {\n    let count = 1;\n    count = 2;\n    println(\"{}\", count);\n}\n",
        "W0384",
        "mutable",
        "fn main() {\n    let mut count = 1;\n    count = 2;\n    println(\"{}\", count);\n}\n",
    );
}

#[test]
fn borrow_fixes_a_move_into_a_function() {
    fixed_by(
        "fn show(s: String) { println(\"{}\", s); }\nfn main() {\n    let s = \"x\";\n    for _ in 0..2 {\n        show(s);\n    }\n}\n",
        "W0382",
        "cloning",
        "fn show(s: String) { println(\"{}\", s); }\nfn main() {\n    let s = \"x\";\n    for _ in 0..2 {\n        show(s.clone());\n    }\n}\n",
    );
}

#[test]
fn uses_clause_fix_adds_the_missing_capability() {
    // Through a helper whose requirement is inferred, into an existing clause.
    fixed_by(
        "use std::fs;\nuse std::time;\nfn log(s: &String) -> bool { fs::exists(s) }\nfn main() uses clock {\n    let _ = time::now();\n    println(\"{}\", log(&\"a\".to_string()));\n}\n",
        "W0901",
        "uses",
        "use std::fs;\nuse std::time;\nfn log(s: &String) -> bool { fs::exists(s) }\nfn main() uses clock, fs {\n    let _ = time::now();\n    println(\"{}\", log(&\"a\".to_string()));\n}\n",
    );
    // A `pub` function without a clause gets one after its return type.
    fixed_by(
        "use std::fs;\npub fn probe(p: &String) -> bool {\n    fs::exists(p)\n}\nfn main() uses fs {\n    println(\"{}\", probe(&\"a\".to_string()));\n}\n",
        "W0901",
        "uses",
        "use std::fs;\npub fn probe(p: &String) -> bool uses fs {\n    fs::exists(p)\n}\nfn main() uses fs {\n    println(\"{}\", probe(&\"a\".to_string()));\n}\n",
    );
}

#[test]
fn unknown_capability_fix_uses_the_near_name() {
    fixed_by(
        "fn main() uses clok {}\n",
        "W0902",
        "similar",
        "fn main() uses clock {}\n",
    );
}

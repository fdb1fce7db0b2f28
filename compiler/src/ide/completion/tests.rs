use super::{Kind, completions};
use crate::ide::tests::placeholder_fixture;

/// Completions at `$0` in `text` as (label, kind, detail), in the order
/// offered.
fn complete(text: &str) -> Vec<(String, Kind, Option<String>)> {
    let (analysis, file, offset) = placeholder_fixture(text);
    completions(&analysis, file, offset, true)
        .items
        .into_iter()
        .map(|c| (c.label, c.kind, c.detail))
        .collect()
}

fn labels(items: &[(String, Kind, Option<String>)], kind: Kind) -> Vec<&str> {
    items
        .iter()
        .filter(|(_, k, _)| *k == kind)
        .map(|(l, ..)| l.as_str())
        .collect()
}

const READING: &str = "struct Reading { patient: String, hr: int }\nimpl Reading {\n    fn new(patient: String) -> Reading { Reading { patient, hr: 0 } }\n    fn bump(&mut self) { self.hr += 1; }\n}\n";

#[test]
fn fields_and_methods_after_a_dot_with_types() {
    let items = complete(&format!(
        "{READING}fn main() {{\n    let mut r = Reading::new(\"a\");\n    r.$0\n}}\n"
    ));
    assert_eq!(labels(&items, Kind::Field), ["hr", "patient"]);
    assert_eq!(labels(&items, Kind::Method), ["bump", "clone"]);
    let hr = items
        .iter()
        .find(|(l, ..)| l == "hr")
        .and_then(|(.., d)| d.clone());
    assert_eq!(hr.as_deref(), Some("int"));
}

#[test]
fn built_in_methods_of_std_types_and_through_references() {
    let items = complete("fn f(names: &List<String>) -> int {\n    names.l$0\n}\n");
    let methods = labels(&items, Kind::Method);
    for m in ["len", "push", "contains", "first", "clone"] {
        assert!(methods.contains(&m), "{m} missing from {methods:?}");
    }
    let items = complete("fn f(s: String) -> int {\n    s.$0\n}\n");
    let methods = labels(&items, Kind::Method);
    for m in ["len", "trim", "split", "parse_int"] {
        assert!(methods.contains(&m), "{m} missing from {methods:?}");
    }
}

#[test]
fn locals_in_scope_come_first_and_shadowing_shows_the_latest() {
    let items = complete(
        "fn main() {\n    let a = 1;\n    let b = \"x\";\n    {\n        let hidden = 2;\n    }\n    let a = \"now a string\";\n    for i in 0..3 {\n        println(\"{}\", $0);\n    }\n    let later = 3;\n}\n",
    );
    assert_eq!(labels(&items, Kind::Local), ["a", "b", "i"]);
    let a = items
        .iter()
        .find(|(l, ..)| l == "a")
        .and_then(|(.., d)| d.clone());
    assert_eq!(a.as_deref(), Some("String"));
    assert_eq!(items.first().map(|(l, ..)| l.as_str()), Some("a"));
}

#[test]
fn items_builtins_keywords_and_snippets_in_a_body() {
    let items = complete(&format!(
        "{READING}const LIMIT: int = 4;\nfn helper() {{}}\nfn main() {{\n    $0\n}}\n"
    ));
    let functions = labels(&items, Kind::Function);
    assert!(
        functions.contains(&"helper") && functions.contains(&"println"),
        "{functions:?}"
    );
    assert!(labels(&items, Kind::Struct).contains(&"Reading"));
    assert!(labels(&items, Kind::Const).contains(&"LIMIT"));
    assert!(labels(&items, Kind::Variant).contains(&"Some"));
    let keywords = labels(&items, Kind::Keyword);
    assert!(
        keywords.contains(&"let") && keywords.contains(&"match"),
        "{keywords:?}"
    );
    assert_eq!(labels(&items, Kind::Snippet), ["fn", "match"]);
}

#[test]
fn paths_list_module_items_variants_and_constructors() {
    let items = complete("use std::hl7;\nfn main() {\n    let m = hl7::$0\n}\n");
    assert!(
        labels(&items, Kind::Function).contains(&"parse"),
        "{items:?}"
    );
    let items = complete("enum Alert { High(int), Ok }\nfn main() {\n    let a = Alert::$0;\n}\n");
    assert_eq!(labels(&items, Kind::Variant), ["High", "Ok"]);
    let items = complete(&format!(
        "{READING}fn main() {{\n    let r = Reading::$0;\n}}\n"
    ));
    assert_eq!(labels(&items, Kind::Function), ["new"]);
    let items = complete("use std::$0;\nfn main() {}\n");
    let modules = labels(&items, Kind::Module);
    for m in ["fs", "hl7", "json", "task"] {
        assert!(modules.contains(&m), "{m} missing from {modules:?}");
    }
}

#[test]
fn struct_literal_fields_not_yet_given() {
    let items = complete(&format!(
        "{READING}fn main() {{\n    let r = Reading {{ hr: 1, $0 }};\n}}\n"
    ));
    assert_eq!(labels(&items, Kind::Field), ["patient"]);
}

#[test]
fn types_in_type_positions_and_items_at_top_level() {
    let items = complete(&format!("{READING}fn f(r: Re$0) {{}}\n"));
    assert!(labels(&items, Kind::Struct).contains(&"Reading"));
    assert!(labels(&items, Kind::Type).contains(&"int"));
    assert!(labels(&items, Kind::Function).is_empty());
    let items = complete("fn main() {}\n$0\n");
    let keywords = labels(&items, Kind::Keyword);
    assert!(
        keywords.contains(&"struct") && !keywords.contains(&"let"),
        "{keywords:?}"
    );
    assert_eq!(labels(&items, Kind::Snippet), ["fn", "test"]);
}

#[test]
fn nothing_inside_strings_and_comments() {
    assert!(complete("fn main() {\n    let s = \"a.$0\";\n}\n").is_empty());
    assert!(complete("fn main() {\n    // r.$0\n}\n").is_empty());
}

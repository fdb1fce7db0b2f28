//! The formatter over every `.ward` file in the repository: the result
//! parses to the same tree (kinds, fields and token texts; positions,
//! whitespace and the trailing comma of a list broken over lines aside), a
//! second pass changes nothing, no line it could break is left longer than
//! the width, and the examples are already formatted.

use ward_compiler::format::{FormatError, format};
use ward_compiler::syntax;

/// The tree without positions: one line per node with its depth, field
/// name and kind, and its text when it is a token. Comments lose trailing
/// whitespace, which is all the formatter may change in them.
fn shape(text: &str) -> Vec<String> {
    let tree = syntax::parse(text);
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    loop {
        let node = cursor.node();
        let leaf = node.child_count() == 0;
        let token = if leaf {
            text[node.byte_range()].trim_end()
        } else {
            ""
        };
        // A trailing comma is added when a list is broken one element per
        // line (as rustfmt adds it); it changes nothing.
        let trailing_comma = node.kind() == ","
            && node
                .next_sibling()
                .is_some_and(|n| matches!(n.kind(), ")" | "]" | "}"))
            && node.parent().is_some_and(|p| {
                matches!(
                    p.kind(),
                    "arguments"
                        | "parameters"
                        | "field_initializer_list"
                        | "array_expression"
                        | "tuple_expression"
                        | "field_declaration_list"
                        | "enum_variant_list"
                )
            });
        if !trailing_comma {
            out.push(format!(
                "{depth} {}:{} {token}",
                cursor.field_name().unwrap_or("-"),
                node.kind()
            ));
        }
        if cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return out;
            }
            depth -= 1;
        }
    }
}

#[test]
fn formatting_keeps_every_tree_and_is_idempotent() {
    let root = ward_tests::repo_root();
    let mut checked = 0;
    let mut failures = Vec::new();
    for dir in ["examples", "tests", "bench", "tree-sitter-grammar/test"] {
        for path in ward_tests::ward_files(&root.join(dir)) {
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let name = path
                .strip_prefix(&root)
                .unwrap_or(&path)
                .display()
                .to_string();
            let formatted = match format(&text) {
                Ok(formatted) => formatted,
                // Corpus files with deliberate syntax errors.
                Err(FormatError::Syntax(_)) => continue,
                Err(e) => {
                    failures.push(format!("{name}: {e}"));
                    continue;
                }
            };
            checked += 1;
            if shape(&text) != shape(&formatted.text) {
                failures.push(format!("{name}: the formatted tree differs"));
            }
            match format(&formatted.text) {
                Ok(again) if again.text == formatted.text && again.is_unchanged() => {}
                Ok(_) => failures.push(format!("{name}: a second pass changes the text")),
                Err(e) => failures.push(format!("{name}: the result does not format: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 300, "only {checked} files were formatted");
}

#[test]
fn every_example_is_formatted() {
    let root = ward_tests::repo_root();
    let mut unformatted = Vec::new();
    for path in ward_tests::ward_files(&root.join("examples")) {
        let text = std::fs::read_to_string(&path).expect("example is readable");
        let formatted = format(&text).expect("every example parses");
        if !formatted.is_unchanged() {
            let line = text
                .lines()
                .zip(formatted.text.lines())
                .position(|(a, b)| a != b)
                .unwrap_or_else(|| text.lines().count().min(formatted.text.lines().count()))
                + 1;
            unformatted.push(format!(
                "{} (first difference at line {line}; run `ward fmt` on it)",
                path.display()
            ));
        }
    }
    assert!(unformatted.is_empty(), "{}", unformatted.join("\n"));
}

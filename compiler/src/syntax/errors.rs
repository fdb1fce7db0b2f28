//! Syntax errors: what the parser's `ERROR` and `MISSING` nodes mean, said
//! as a person would say it ("expected `;`", "unexpected `}`; expected one
//! of …"). The expectation comes from the parse table: the tokens valid in
//! the state just before the damage.

use std::ops::Range;
use tree_sitter::{Language, Node, Tree};

/// One syntax error: a byte span in the source and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    /// Byte range of the damage (empty for a missing token).
    pub span: Range<usize>,
    /// 0-based row and byte column of the span's start.
    pub start: tree_sitter::Point,
    /// What is wrong, without the location.
    pub message: String,
}

/// Lists are cut off beyond this many expected tokens: past that, the list
/// says nothing a person can act on.
const MAX_EXPECTED: usize = 8;

/// Every syntax error in `tree`, in source order. An `ERROR` node is reported
/// once, as a whole; damage nested inside it is part of the same error.
pub fn syntax_errors(tree: &Tree, text: &str) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    if !tree.root_node().has_error() {
        return errors;
    }
    let language = tree.language();
    collect(tree.root_node(), text, &language, &mut errors);
    errors.sort_by_key(|error| (error.span.start, error.span.end));
    errors.dedup_by(|a, b| a.span == b.span);
    errors
}

fn collect(node: Node, text: &str, language: &Language, out: &mut Vec<SyntaxError>) {
    if node.is_missing() {
        out.push(SyntaxError {
            span: node.start_byte()..node.start_byte(),
            start: node.start_position(),
            message: format!("expected {}", describe_kind(node.kind(), node.is_named())),
        });
        return;
    }
    if node.is_error() {
        out.push(error_node(node, text, language));
        return;
    }
    if !node.has_error() {
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect(child, text, language, out);
    }
}

fn error_node(node: Node, text: &str, language: &Language) -> SyntaxError {
    let found = first_leaf(node);
    let found_text = text
        .get(found.start_byte()..found.end_byte())
        .unwrap_or_default();
    let found_desc = if found.start_byte() == found.end_byte() {
        "end of file".to_string()
    } else {
        format!("`{}`", shorten(found_text))
    };
    let expected = previous_leaf(node)
        .map(|leaf| expected_after(leaf, language))
        .unwrap_or_default();
    let message = match expected.len() {
        0 => format!("unexpected {found_desc}"),
        1 => format!("expected {}, found {found_desc}", expected[0]),
        n if n <= MAX_EXPECTED => {
            format!(
                "expected one of {}, found {found_desc}",
                expected.join(", ")
            )
        }
        _ => format!("unexpected {found_desc}"),
    };
    SyntaxError {
        span: node.start_byte()..node.end_byte().max(node.start_byte()),
        start: node.start_position(),
        message,
    }
}

/// The tokens the parser would have accepted after `leaf`.
fn expected_after(leaf: Node, language: &Language) -> Vec<String> {
    let state = leaf.next_parse_state();
    let Some(lookahead) = language.lookahead_iterator(state) else {
        return Vec::new();
    };
    let mut names: Vec<String> = lookahead
        .filter_map(|symbol| {
            let kind = language.node_kind_for_id(symbol)?;
            if symbol == 0 || !language.node_kind_is_visible(symbol) {
                return None;
            }
            if matches!(
                kind,
                "line_comment" | "doc_comment" | "block_comment" | "ERROR"
            ) {
                return None;
            }
            Some(describe_kind(kind, language.node_kind_is_named(symbol)))
        })
        .collect();
    names.sort();
    names.dedup();
    names
}

/// `;` for punctuation and keywords, "identifier" for named tokens.
fn describe_kind(kind: &str, named: bool) -> String {
    if named {
        kind.replace('_', " ")
    } else {
        format!("`{kind}`")
    }
}

fn first_leaf(node: Node) -> Node {
    let mut current = node;
    while let Some(child) = current.child(0) {
        current = child;
    }
    current
}

fn last_leaf(node: Node) -> Node {
    let mut current = node;
    while let Some(child) = current.child(current.child_count().saturating_sub(1)) {
        current = child;
    }
    current
}

/// The last token before `node`, skipping comments (extras).
fn previous_leaf(node: Node) -> Option<Node> {
    let mut current = node;
    loop {
        if let Some(sibling) = current.prev_sibling() {
            let leaf = last_leaf(sibling);
            if leaf.is_extra() {
                current = sibling;
                continue;
            }
            return Some(leaf);
        }
        current = current.parent()?;
    }
}

fn shorten(text: &str) -> String {
    let line = text.lines().next().unwrap_or_default();
    let mut short: String = line.chars().take(24).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn messages(text: &str) -> Vec<String> {
        let tree = parse(text);
        syntax_errors(&tree, text)
            .into_iter()
            .map(|e| format!("{}:{} {}", e.start.row + 1, e.start.column + 1, e.message))
            .collect()
    }

    #[test]
    fn clean_source_has_no_errors() {
        assert!(messages("fn main() { let x = 1; }").is_empty());
    }

    #[test]
    fn missing_semicolon_names_the_token() {
        assert_eq!(
            messages("fn main() {\n    let x = 1\n}"),
            ["2:14 expected `;`"]
        );
    }

    #[test]
    fn stray_token_names_what_was_found() {
        let errors = messages("fn main() { let x = 1; ) }");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].starts_with("1:24 "), "{errors:?}");
        assert!(
            errors[0].contains("found `)`") || errors[0].contains("unexpected `)`"),
            "{errors:?}"
        );
    }

    #[test]
    fn damage_inside_one_item_leaves_the_next_item_intact() {
        let text = "fn a() { let x = ; }\nfn b() {}\n";
        let tree = parse(text);
        let root = tree.root_node();
        let count = u32::try_from(root.named_child_count()).expect("few items");
        let last = root.named_child(count - 1).expect("an item");
        assert_eq!(last.kind(), "function_item");
        assert!(!last.has_error());
        assert!(!messages(text).is_empty());
    }
}

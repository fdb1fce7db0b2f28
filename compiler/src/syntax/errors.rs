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
    /// What is wrong, without the location.
    pub message: String,
}

/// Lists longer than this are summarised ("expected expression") or left
/// out: past that, a list says nothing a person can act on.
const MAX_EXPECTED: usize = 8;

/// Every syntax error in `tree`, in source order. An `ERROR` node is reported
/// once, as a whole; damage nested inside it is part of the same error.
pub fn syntax_errors(tree: &Tree, text: &str) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    if !tree.root_node().has_error() {
        return errors;
    }
    let explainer = Explainer::new(&tree.language());
    collect(tree.root_node(), text, &explainer, &mut errors);
    errors.sort_by_key(|error| (error.span.start, error.span.end));
    // Recovery can leave a MISSING token and an ERROR at one place: one
    // report per place is enough.
    errors.dedup_by(|later, earlier| later.span.start == earlier.span.start);
    errors
}

fn collect(node: Node, text: &str, explainer: &Explainer, out: &mut Vec<SyntaxError>) {
    if node.is_missing() {
        out.push(SyntaxError {
            span: node.start_byte()..node.start_byte(),
            message: format!("expected {}", describe_kind(node.kind(), node.is_named())),
        });
        return;
    }
    if node.is_error() {
        out.push(explainer.error_node(node, text));
        return;
    }
    if !node.has_error() {
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect(child, text, explainer, out);
    }
}

/// A token that could be typed at an error, with text that stands for it.
struct Candidate {
    display: String,
    sample: String,
    /// The node kind the sample must come back as: a keyword where no
    /// keyword fits lexes as an identifier, and proves nothing.
    kind: String,
}

/// Explains `ERROR` nodes. The parse table's lookahead sets are supersets
/// (LR default reductions), so a candidate token counts as expected only if
/// inserting it at the error, and re-parsing the enclosing top-level item,
/// moves the item's first damage past that point.
struct Explainer {
    candidates: Vec<Candidate>,
    parser: std::cell::RefCell<tree_sitter::Parser>,
}

impl Explainer {
    fn new(language: &Language) -> Explainer {
        let mut candidates = Vec::new();
        let count = u16::try_from(language.node_kind_count()).unwrap_or(u16::MAX);
        for symbol in 1..count {
            if !language.node_kind_is_visible(symbol) {
                continue;
            }
            let Some(kind) = language.node_kind_for_id(symbol) else {
                continue;
            };
            let named = language.node_kind_is_named(symbol);
            let Some(sample) = sample_text(kind, named) else {
                continue;
            };
            let display = match (named, sample.as_str()) {
                (true, "x" | "0" | "0.0" | "'c'" | "'a") => describe_kind(kind, true),
                (true, keyword) => format!("`{keyword}`"),
                (false, _) => describe_kind(kind, false),
            };
            let kind = if kind == "\"" { "string_literal" } else { kind }.to_string();
            if candidates.iter().all(|c: &Candidate| c.display != display) {
                candidates.push(Candidate {
                    display,
                    sample,
                    kind,
                });
            }
        }
        let mut parser = tree_sitter::Parser::new();
        // The language came from a tree this crate's parser produced.
        parser
            .set_language(language)
            .expect("language of an existing tree loads");
        Explainer {
            candidates,
            parser: std::cell::RefCell::new(parser),
        }
    }

    fn error_node(&self, node: Node, text: &str) -> SyntaxError {
        let window = top_level_ancestor(node);
        let window_range = window.start_byte()..window.end_byte();

        // Tokens the parser popped into the ERROR while recovering: the token
        // that failed is the one after it.
        // Damage earlier in the same item is not this error's business.
        let earlier = damage_starts(window)
            .into_iter()
            .filter(|&start| start < node.start_byte())
            .count();
        if let Some(next) = next_leaf(node) {
            let expected = self.verified(text, window_range.clone(), next.start_byte(), earlier);
            if !expected.is_empty() {
                return Self::report(&expected, next, text);
            }
        }
        // Tokens the parser skipped: the first of them failed.
        let first = first_leaf(node);
        let expected = self.verified(text, window_range, node.start_byte(), earlier);
        let mut error = Self::report(&expected, first, text);
        error.span = node.start_byte()..node.end_byte();
        error
    }

    fn report(expected: &[&Candidate], found: Node, text: &str) -> SyntaxError {
        let found_text = text
            .get(found.start_byte()..found.end_byte())
            .unwrap_or_default();
        let found_desc = if found_text.is_empty() {
            "end of file".to_string()
        } else {
            format!("`{}`", shorten(found_text))
        };
        let names: Vec<&str> = expected.iter().map(|c| c.display.as_str()).collect();
        let starts_expression = ["identifier", "integer literal"]
            .iter()
            .all(|needed| names.contains(needed));
        let message = match names.len() {
            0 => format!("unexpected {found_desc}"),
            1 => format!("expected {}, found {found_desc}", names[0]),
            n if n <= MAX_EXPECTED => {
                format!("expected one of {}, found {found_desc}", names.join(", "))
            }
            _ if starts_expression => format!("expected expression, found {found_desc}"),
            _ => format!("unexpected {found_desc}"),
        };
        SyntaxError {
            span: found.start_byte()..found.end_byte(),
            message,
        }
    }

    /// The candidates that, inserted at `at`, let the parse of `window` get
    /// past `at`: no more damage up to `at` than the `earlier` errors.
    fn verified(
        &self,
        text: &str,
        window: Range<usize>,
        at: usize,
        earlier: usize,
    ) -> Vec<&Candidate> {
        let (Some(before), Some(after)) = (text.get(window.start..at), text.get(at..window.end))
        else {
            return Vec::new();
        };
        let mut parser = self.parser.borrow_mut();
        let mut patched = String::with_capacity(window.len() + 16);
        let mut expected: Vec<&Candidate> = Vec::new();
        for candidate in &self.candidates {
            patched.clear();
            patched.push_str(before);
            patched.push_str(&candidate.sample);
            patched.push(' ');
            patched.push_str(after);
            let Some(tree) = parser.parse(&patched, None) else {
                continue;
            };
            let inserted = before.len()..before.len() + candidate.sample.len();
            let lexed_as_itself = tree
                .root_node()
                .descendant_for_byte_range(inserted.start, inserted.end)
                .is_some_and(|node| node.kind() == candidate.kind && node.byte_range() == inserted);
            if !lexed_as_itself {
                continue;
            }
            let damage_up_to_insertion = damage_starts(tree.root_node())
                .into_iter()
                .filter(|&start| start <= before.len())
                .count();
            if damage_up_to_insertion <= earlier {
                expected.push(candidate);
            }
        }
        expected.sort_by(|a, b| a.display.cmp(&b.display));
        expected
    }
}

/// Text that stands for a token of kind `kind` when trying it at an error.
fn sample_text(kind: &str, named: bool) -> Option<String> {
    if !named {
        return match kind {
            "\"" => Some("\"\"".to_string()),
            _ if kind.chars().all(|c| c.is_ascii_graphic()) => Some(kind.to_string()),
            _ => None,
        };
    }
    let sample = match kind {
        "identifier" => "x",
        "integer_literal" => "0",
        "float_literal" => "0.0",
        "char_literal" => "'c'",
        "lifetime" => "'a",
        "self" => "self",
        "mutable_specifier" => "mut",
        "visibility_modifier" => "pub",
        "never_type" => "!",
        _ => return None,
    };
    Some(sample.to_string())
}

/// The start of every outermost `ERROR` or `MISSING` node under `node`.
fn damage_starts(node: Node) -> Vec<usize> {
    fn walk(node: Node, out: &mut Vec<usize>) {
        if node.is_error() || node.is_missing() {
            out.push(node.start_byte());
            return;
        }
        if !node.has_error() {
            return;
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            walk(child, out);
        }
    }
    let mut starts = Vec::new();
    walk(node, &mut starts);
    starts
}

/// The child of the root that contains `node` (or `node`, if it is one).
fn top_level_ancestor(node: Node) -> Node {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if parent.parent().is_none() {
            return current;
        }
        current = parent;
    }
    current
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

/// The first token after `node`, skipping comments (extras).
fn next_leaf(node: Node) -> Option<Node> {
    let mut current = node;
    loop {
        if let Some(sibling) = current.next_sibling() {
            let leaf = first_leaf(sibling);
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
            .map(|e| {
                let before = &text[..e.span.start];
                let line = before.matches('\n').count() + 1;
                let column = e.span.start - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!("{line}:{column} {}", e.message)
            })
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
    fn popped_tokens_point_at_the_token_that_failed() {
        assert_eq!(
            messages("fn f() {\n    let y = (2 + ;\n}\n"),
            ["2:18 expected expression, found `;`"]
        );
    }

    #[test]
    fn expectations_are_verified_not_the_raw_lookahead_set() {
        assert_eq!(
            messages("struct S { a: int b: int }"),
            ["1:19 expected one of `,`, `}`, found `b`"]
        );
    }

    #[test]
    fn an_earlier_error_in_the_item_does_not_hide_the_next_one() {
        assert_eq!(
            messages("fn f() {\n    let v = g(1, 2;\n    if x { 1 } else\n}\n"),
            ["2:19 expected `)`", "4:1 expected `{`, found `}`"]
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

//! Syntax errors: what the parser's `ERROR` and `MISSING` nodes mean, said
//! as a person would say it ("expected `;`", "unexpected `}`; expected one
//! of …"). The expectation comes from the parse table: the tokens valid in
//! the state just before the damage.

use std::ops::Range;
use tree_sitter::{Language, Node, Tree};

mod repair;

/// One syntax error: a byte span in the source and a message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyntaxError {
    /// Byte range of the damage (empty for a missing token).
    pub span: Range<usize>,
    /// What is wrong, without the location.
    pub message: String,
    /// What the span shows (may be empty).
    pub label: String,
    /// The repair, when one token explains the error: text to insert at
    /// an offset, and what it does ("add `;` here").
    pub fix: Option<(usize, String, String)>,
    /// The statement or item the repair touches: other passes'
    /// diagnostics inside it follow from the damage and are left out.
    pub repaired: Option<Range<usize>>,
}

/// Lists longer than this are summarised ("expected expression") or left
/// out: past that, a list says nothing a person can act on.
const MAX_EXPECTED: usize = 8;

/// Every syntax error in `tree`, in source order. An `ERROR` node is reported
/// once, as a whole; damage nested inside it is part of the same error.
pub fn syntax_errors(tree: &Tree, text: &str) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    if let Some(start) = unterminated_comment(tree, text) {
        errors.push(SyntaxError {
            span: start..start + 2,
            message: "unterminated block comment".into(),
            ..SyntaxError::default()
        });
    }
    if !tree.root_node().has_error() {
        return errors;
    }
    let explainer = Explainer::new(&tree.language());
    collect(tree.root_node(), text, &explainer, &mut errors);
    errors.sort_by_key(|error| (error.span.start, error.span.end));
    // Recovery can leave a MISSING token and an ERROR at one place: one
    // report per place is enough.
    errors.dedup_by(|later, earlier| later.span.start == earlier.span.start);
    if errors.len() > MAX_SYNTAX_ERRORS {
        let more = errors.len() - MAX_SYNTAX_ERRORS;
        errors.truncate(MAX_SYNTAX_ERRORS + 1);
        if let Some(last) = errors.last_mut() {
            last.message = format!(
                "{more} more syntax errors from here on are not shown; fix the ones above first"
            );
        }
    }
    errors
}

/// Syntax errors reported per file: past this many, the text is not what
/// the parser can make sense of, and every further report would cost the
/// reader (and the terminal) without telling more.
pub const MAX_SYNTAX_ERRORS: usize = 100;

/// The start of a block comment that runs to the end of the file without
/// its closing `*/` (the scanner takes it as a comment so that parsing
/// stays linear; it is still an error).
pub fn unterminated_comment(tree: &Tree, text: &str) -> Option<usize> {
    // It ends the file, so it is the last leaf.
    let mut node = tree.root_node();
    while let Some(last) = node
        .child_count()
        .checked_sub(1)
        .and_then(|i| node.child(i))
    {
        node = last;
    }
    if node.kind() != "block_comment" {
        return None;
    }
    let body = text.get(node.byte_range())?.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < body.len() {
        match (body[i], body.get(i + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                i += 2;
            }
            (b'*', Some(b'/')) => {
                depth = depth.saturating_sub(1);
                i += 2;
            }
            _ => i += 1,
        }
    }
    (depth > 0).then(|| node.start_byte())
}

/// Reports the outermost `ERROR` and `MISSING` nodes (a cursor walk: the
/// tree may be as deep as the input is long).
fn collect(root: Node, text: &str, explainer: &Explainer, out: &mut Vec<SyntaxError>) {
    let found = outermost_damage(root, true);
    // The damage before each in its own top-level item (found is in order).
    let mut item_start = 0;
    for (k, damage) in found.iter().enumerate() {
        if k > 0 && found[k - 1].top != damage.top {
            item_start = k;
        }
        let earlier = k - item_start;
        let node = damage.node;
        if node.is_missing() {
            out.push(explainer.missing_node(damage, text));
        } else if earlier == 0
            && let Some(repair) = explainer.repair_error(damage, text)
        {
            let found = found_after(text, repair.at);
            out.push(SyntaxError {
                span: repair.at..repair.at,
                message: format!("expected `{}`, found {found}", repair.token),
                label: format!("expected `{}`", repair.token),
                fix: Some((
                    repair.at,
                    repair.insert,
                    format!("add `{}` here", repair.token),
                )),
                repaired: Some(repair.repaired),
            });
        } else {
            out.push(explainer.error_node(damage, earlier, text));
        }
    }
}

/// An outermost `ERROR` or `MISSING` node, with the two neighbours an
/// explanation needs. They are found with the walk's cursor: asking a node
/// for its parent or next sibling costs time proportional to its depth, which
/// for deeply nested damage made reporting cubic.
struct Damage<'t> {
    node: Node<'t>,
    /// The child of the root that contains it (or itself).
    top: Node<'t>,
    /// The first token after it, skipping comments.
    next: Option<Node<'t>>,
}

/// Every outermost `ERROR` or `MISSING` node under `root`, in order, in
/// one walk of the tree: the next token of each (`with_next`) is the first
/// non-comment leaf the walk meets after it.
fn outermost_damage(root: Node, with_next: bool) -> Vec<Damage> {
    let mut found: Vec<Damage> = Vec::new();
    // Damage still waiting for its next token.
    let mut pending = 0;
    let mut cursor = root.walk();
    let mut depth = 0usize;
    let mut top = root;
    loop {
        let node = cursor.node();
        if depth == 1 {
            top = node;
        }
        let damaged = node.is_error() || node.is_missing();
        let leaf = if damaged {
            Some(first_leaf(node))
        } else if node.child_count() == 0 {
            Some(node)
        } else {
            None
        };
        if let Some(leaf) = leaf.filter(|l| !l.is_extra()) {
            for d in &mut found[pending..] {
                d.next = Some(leaf);
            }
            pending = found.len();
        }
        if damaged {
            found.push(Damage {
                node,
                top,
                next: None,
            });
        }
        // Damage is reported whole: its inside is not walked; without
        // next tokens to find, neither is undamaged text.
        if !damaged && (with_next || node.has_error()) && cursor.goto_first_child() {
            depth += 1;
            continue;
        }
        loop {
            if depth == 0 {
                return found;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return found;
            }
            depth -= 1;
        }
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
///
/// That costs a parse of the item per candidate, for each error: a file
/// full of damage would take time quadratic in its size. So the bytes
/// re-parsed per file are budgeted (`REPARSE_BUDGET`), the text after the
/// error is cut to `AFTER_WINDOW` bytes, and once the budget is spent the
/// remaining errors say only what they found ("unexpected `}`").
struct Explainer {
    candidates: Vec<Candidate>,
    parser: std::cell::RefCell<tree_sitter::Parser>,
    budget: std::cell::Cell<usize>,
    explained: std::cell::Cell<usize>,
    /// Parser progress reports left (see `EXPLAIN_WORK`).
    work: std::cell::Cell<usize>,
}

/// Bytes the explanations of one file may re-parse in all. Damaged text
/// parses far slower than clean text (error recovery), so the number of
/// explained errors is capped too (`MAX_EXPLAINED`).
const REPARSE_BUDGET: usize = 2 << 20;

/// Errors per file explained with what was expected; later ones say what
/// was found. (A person fixes the first few and checks again.)
const MAX_EXPLAINED: usize = 16;

/// Work the explanations of one file may do in all, in the parser's
/// progress reports (one per hundred parse operations, some microseconds):
/// deeply damaged text can take the parser's error recovery far longer per
/// byte than the budget above assumes. Past it, errors say what was found.
/// Counted, not timed, so that the same text always gets the same
/// messages, on a busy machine too. (Small files, the ones tests hold,
/// need a few hundred.)
const EXPLAIN_WORK: usize = 40_000;

/// Text after an error that a trial parse includes: enough to see whether
/// the insertion lets the parse go on.
const AFTER_WINDOW: usize = 256;

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
            budget: std::cell::Cell::new(REPARSE_BUDGET),
            explained: std::cell::Cell::new(0),
            work: std::cell::Cell::new(EXPLAIN_WORK),
        }
    }

    /// A token the parser had to assume: "expected `)`, found `;`", with
    /// the token as the fix; a `}` missing at the end of the file is placed
    /// where the indentation says it belongs.
    fn missing_node(&self, damage: &Damage, text: &str) -> SyntaxError {
        let node = damage.node;
        let at = node.start_byte();
        if node.kind() == "}"
            && let Some((repair, opener)) = self.repair_brace(damage, text)
        {
            return SyntaxError {
                span: opener..opener + 1,
                message: "unclosed delimiter".into(),
                label: "this `{` is never closed".into(),
                fix: Some((
                    repair.at,
                    repair.insert,
                    "close it where the indentation ends".into(),
                )),
                repaired: Some(repair.repaired),
            };
        }
        let expected = describe_kind(node.kind(), node.is_named());
        let found = found_after(text, at);
        let token = !node.is_named();
        SyntaxError {
            span: at..at,
            message: format!("expected {expected}, found {found}"),
            label: format!("expected {expected}"),
            fix: token.then(|| {
                (
                    at,
                    node.kind().to_string(),
                    format!("add `{}` here", node.kind()),
                )
            }),
            repaired: token.then(|| repair::statement_around(node).byte_range()),
        }
    }

    /// `earlier`: the damage before this one in its top-level item.
    fn error_node(&self, damage: &Damage, earlier: usize, text: &str) -> SyntaxError {
        let node = damage.node;
        let window = damage.top;
        let window_range = window.start_byte()..window.end_byte();

        // Tokens the parser popped into the ERROR while recovering: the token
        // that failed is the one after it.
        // Damage earlier in the same item is not this error's business.
        if let Some(next) = damage.next {
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
            ..SyntaxError::default()
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
        let after_end = window.end.min(at.saturating_add(AFTER_WINDOW));
        let after_end = (after_end..window.end)
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(window.end);
        let (Some(before), Some(after)) = (text.get(window.start..at), text.get(at..after_end))
        else {
            return Vec::new();
        };
        let cost = (before.len() + after.len() + 8) * self.candidates.len();
        match self.budget.get().checked_sub(cost) {
            Some(left) if self.explained.get() < MAX_EXPLAINED && self.work.get() > 0 => {
                self.budget.set(left);
                self.explained.set(self.explained.get() + 1);
            }
            _ => return Vec::new(),
        }
        let mut patched = String::with_capacity(window.len() + 16);
        let mut expected: Vec<&Candidate> = Vec::new();
        for candidate in &self.candidates {
            patched.clear();
            patched.push_str(before);
            patched.push_str(&candidate.sample);
            patched.push(' ');
            patched.push_str(after);
            let Some(tree) = self.parse_within_work(&patched) else {
                // Out of work: what was verified so far is not the whole
                // answer, so say only what was found.
                return Vec::new();
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

impl Explainer {
    /// Parses `text`, spending the explanations' work budget; `None` once
    /// it is spent.
    fn parse_within_work(&self, text: &str) -> Option<tree_sitter::Tree> {
        let mut parser = self.parser.borrow_mut();
        let work = &self.work;
        let mut out_of_work = |_: &tree_sitter::ParseState| match work.get().checked_sub(1) {
            Some(left) => {
                work.set(left);
                std::ops::ControlFlow::Continue(())
            }
            None => std::ops::ControlFlow::Break(()),
        };
        let bytes = text.as_bytes();
        let tree = parser.parse_with_options(
            &mut |i, _| bytes.get(i..).unwrap_or_default(),
            None,
            Some(tree_sitter::ParseOptions::new().progress_callback(&mut out_of_work)),
        );
        if tree.is_none() {
            parser.reset();
        }
        tree
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
    outermost_damage(node, false)
        .into_iter()
        .map(|d| d.node.start_byte())
        .collect()
}

/// `;` for punctuation and keywords, "identifier" for named tokens.
fn describe_kind(kind: &str, named: bool) -> String {
    if named {
        kind.replace('_', " ")
    } else {
        format!("`{kind}`")
    }
}

/// The token at or after `offset`, as an error names it: "`println`",
/// or "end of file".
fn found_after(text: &str, offset: usize) -> String {
    let rest = text.get(offset..).unwrap_or("");
    // Skip blanks and comments to the next token.
    let mut rest = rest.trim_start();
    while let Some(after) = rest.strip_prefix("//") {
        rest = after.find('\n').map_or("", |i| &after[i..]).trim_start();
    }
    if rest.is_empty() {
        return "end of file".into();
    }
    let word: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    if word.is_empty() {
        let c = rest.chars().next().unwrap_or(' ');
        format!("`{c}`")
    } else {
        format!("`{}`", shorten(&word))
    }
}

fn first_leaf(node: Node) -> Node {
    let mut current = node;
    while let Some(child) = current.child(0) {
        current = child;
    }
    current
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
            ["2:14 expected `;`, found `}`"]
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
        // No single token repairs this one, so the explanation lists what
        // may follow `a: int`.
        assert_eq!(
            messages("struct S { a: int b: }"),
            ["1:19 expected one of `,`, `}`, found `b`"]
        );
    }

    #[test]
    fn one_missing_token_is_the_error_and_its_fix() {
        let text = "struct S { a: int b: int }";
        let tree = parse(text);
        let errors = syntax_errors(&tree, text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].message, "expected `,`, found `b`");
        assert_eq!(errors[0].fix, Some((17, ",".into(), "add `,` here".into())));
        assert_eq!(errors[0].repaired, Some(17..24));
    }

    #[test]
    fn a_missing_brace_goes_where_the_indentation_ends() {
        let text = "fn f(x: int) -> bool {\n    if x > 1 {\n        return true;\n    false\n}\nfn g() {}\n";
        let tree = parse(text);
        let errors = syntax_errors(&tree, text);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].message, "unclosed delimiter");
        assert_eq!(&text[errors[0].span.clone()], "{");
        assert_eq!(errors[0].span.start, text.find("1 {").map_or(0, |i| i + 2));
        let at = text.find("    false").unwrap_or(0);
        assert_eq!(
            errors[0].fix,
            Some((
                at,
                "    }\n".into(),
                "close it where the indentation ends".into()
            ))
        );
    }

    #[test]
    fn an_earlier_error_in_the_item_does_not_hide_the_next_one() {
        assert_eq!(
            messages("fn f() {\n    let v = g(1, 2;\n    if x { 1 } else\n}\n"),
            [
                "2:19 expected `)`, found `;`",
                "4:1 expected `{`, found `}`"
            ]
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

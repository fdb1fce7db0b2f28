//! Local repair of the commonest syntax errors, as rustc recovers: a
//! missing `;`, `,`, `)`, `]` or `}`. At each token boundary of an `ERROR`
//! node, each of those tokens is tried, and the first whose insertion makes
//! the whole top-level item parse clean is the error: "expected `;`, found
//! `println`", with the insertion as its fix. A `}` missing at the end of
//! the file is placed by indentation: before the first `}` that is
//! indented less than the line of the `{` it would close.
//!
//! The statement (or, for a brace, the item) the repair touches is marked
//! repaired: what later passes say about it follows from the broken syntax,
//! not from the program, and is left out.

use super::{Damage, Explainer};
use std::ops::Range;
use tree_sitter::Node;

/// Tokens whose absence a repair tries, in order of preference.
const TOKENS: [&str; 5] = [";", ",", ")", "]", "}"];

/// Token boundaries tried per `ERROR` node.
const MAX_POINTS: usize = 6;

/// Items longer than this are not re-parsed for a repair.
const MAX_WINDOW: usize = 64 << 10;

/// A repair that makes the item parse clean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repair {
    /// Where the token goes, and the text inserted (the token, or for a
    /// brace a whole line).
    pub at: usize,
    pub insert: String,
    pub token: &'static str,
    /// What later passes' diagnostics are left out in.
    pub repaired: Range<usize>,
}

impl Explainer {
    /// The single missing token that explains `damage` (an `ERROR` node).
    pub(super) fn repair_error(&self, damage: &Damage, text: &str) -> Option<Repair> {
        let node = damage.node;
        let window = damage.top.byte_range();
        if window.len() > MAX_WINDOW {
            return None;
        }
        let mut points = Vec::new();
        if let Some(before) = previous_leaf_end(damage.top, node.start_byte()) {
            points.push(before);
        }
        leaf_ends(node, &mut points);
        points.dedup();
        for &at in points.iter().take(MAX_POINTS) {
            for token in TOKENS {
                if self.parses_clean(text, &window, at, token) {
                    let statement = statement_around(node).byte_range();
                    return Some(Repair {
                        at,
                        insert: token.to_string(),
                        token,
                        repaired: statement.start.min(at)..statement.end.max(at),
                    });
                }
            }
        }
        None
    }

    /// A `}` missing at the end of the file: placed before the first `}`
    /// indented less than its `{`'s line, if the item then parses clean.
    /// Returns the repair and the `{` left open.
    pub(super) fn repair_brace(&self, damage: &Damage, text: &str) -> Option<(Repair, usize)> {
        let window = damage.top.byte_range();
        if window.len() > MAX_WINDOW {
            return None;
        }
        let mut open: Vec<(usize, usize)> = Vec::new();
        let mut found = None;
        let mut cursor = damage.top.walk();
        'walk: loop {
            let node = cursor.node();
            if node.child_count() == 0 && !node.is_missing() {
                match node.kind() {
                    "{" => open.push((node.start_byte(), indent_of(text, node.start_byte()).len())),
                    "}" => {
                        let here = indent_of(text, node.start_byte());
                        let first_on_line =
                            line_start(text, node.start_byte()) + here.len() == node.start_byte();
                        if let Some((opener, width)) = open.pop()
                            && first_on_line
                            && width > here.len()
                        {
                            found = Some((opener, line_start(text, node.start_byte())));
                            break 'walk;
                        }
                    }
                    _ => {}
                }
            }
            if cursor.goto_first_child() {
                continue;
            }
            loop {
                if cursor.goto_next_sibling() {
                    break;
                }
                if !cursor.goto_parent() {
                    break 'walk;
                }
            }
        }
        let (opener, at) = found?;
        let insert = format!("{}}}\n", indent_of(text, opener));
        let mut patched = String::with_capacity(window.len() + insert.len());
        patched.push_str(text.get(window.start..at)?);
        patched.push_str(&insert);
        patched.push_str(text.get(at..window.end)?);
        if !self.clean(&patched) {
            return None;
        }
        Some((
            Repair {
                at,
                insert,
                token: "}",
                repaired: window,
            },
            opener,
        ))
    }

    /// Whether `window` of `text` parses without damage with `token`
    /// inserted at `at`.
    fn parses_clean(&self, text: &str, window: &Range<usize>, at: usize, token: &str) -> bool {
        let (Some(before), Some(after)) = (text.get(window.start..at), text.get(at..window.end))
        else {
            return false;
        };
        let mut patched = String::with_capacity(window.len() + token.len());
        patched.push_str(before);
        patched.push_str(token);
        patched.push_str(after);
        self.clean(&patched)
    }

    /// Parses `text` within the explainer's budgets: whether it is clean.
    fn clean(&self, text: &str) -> bool {
        match self.budget.get().checked_sub(text.len()) {
            Some(left) if self.work.get() > 0 => self.budget.set(left),
            _ => return false,
        }
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
        let Some(tree) = parser.parse_with_options(
            &mut |i, _| bytes.get(i..).unwrap_or_default(),
            None,
            Some(tree_sitter::ParseOptions::new().progress_callback(&mut out_of_work)),
        ) else {
            parser.reset();
            return false;
        };
        !tree.root_node().has_error()
    }
}

/// The end of the last token that ends at or before `offset` in `top`.
fn previous_leaf_end(top: Node, offset: usize) -> Option<usize> {
    let mut best = None;
    let mut cursor = top.walk();
    loop {
        let node = cursor.node();
        if node.start_byte() >= offset {
            return best;
        }
        if node.child_count() == 0 {
            if node.end_byte() <= offset && !node.is_extra() {
                best = Some(node.end_byte());
            }
        } else if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return best;
            }
        }
    }
}

/// The end of every token inside `node`, in order.
fn leaf_ends(node: Node, out: &mut Vec<usize>) {
    let mut cursor = node.walk();
    loop {
        let n = cursor.node();
        if n.child_count() == 0 {
            if !n.is_extra() {
                out.push(n.end_byte());
            }
        } else if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.node() == node {
                return;
            }
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return;
            }
        }
        if out.len() > MAX_POINTS {
            return;
        }
    }
}

/// The statement or item around `node`: its nearest ancestor directly
/// inside a block, a declaration list or the file.
pub(super) fn statement_around(node: Node) -> Node {
    let mut current = node;
    while let Some(parent) = current.parent() {
        if matches!(
            parent.kind(),
            "block" | "source_file" | "declaration_list" | "field_declaration_list"
        ) {
            return current;
        }
        current = parent;
    }
    current
}

fn line_start(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The leading blanks of the line `offset` is on.
fn indent_of(text: &str, offset: usize) -> &str {
    let start = line_start(text, offset);
    let line = text.get(start..).unwrap_or("");
    let width = line.len() - line.trim_start_matches([' ', '\t']).len();
    &line[..width]
}

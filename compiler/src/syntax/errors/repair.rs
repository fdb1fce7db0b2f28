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

/// Unclosed `{` candidates tried for a missing `}`.
const MAX_BRACE_TRIES: usize = 8;

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

    /// A `}` missing at the end of the file: for each `{` that ends its
    /// line, the first later line indented no deeper than the `{`'s line
    /// should close it; where that line is not a `}`, the `}` goes before
    /// it, if the item then parses clean. Returns the repair and the `{`
    /// left open.
    pub(super) fn repair_brace(&self, damage: &Damage, text: &str) -> Option<(Repair, usize)> {
        let window = damage.top.byte_range();
        if window.len() > MAX_WINDOW {
            return None;
        }
        let mut openers = Vec::new();
        let mut cursor = damage.top.walk();
        'walk: loop {
            let node = cursor.node();
            if node.kind() == "{" && !node.is_missing() && ends_line(text, node.end_byte()) {
                openers.push(node.start_byte());
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
        for &opener in openers.iter().take(MAX_BRACE_TRIES) {
            let indent = indent_of(text, opener);
            let Some(at) = closing_line(text, opener, indent.len(), window.end) else {
                continue;
            };
            let insert = if at == text.len() && !text.ends_with('\n') {
                format!("\n{indent}}}")
            } else {
                format!("{indent}}}\n")
            };
            let mut patched = String::with_capacity(window.len() + insert.len());
            patched.push_str(text.get(window.start..at)?);
            patched.push_str(&insert);
            patched.push_str(text.get(at..window.end)?);
            if self.clean(&patched) {
                let repair = Repair {
                    at,
                    insert,
                    token: "}",
                    repaired: window,
                };
                return Some((repair, opener));
            }
        }
        None
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
        self.parse_within_work(text)
            .is_some_and(|tree| !tree.root_node().has_error())
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

/// Whether only blanks or a line comment follow `offset` on its line.
fn ends_line(text: &str, offset: usize) -> bool {
    let rest = text.get(offset..).unwrap_or("");
    let line = rest.split('\n').next().unwrap_or("").trim();
    line.is_empty() || line.starts_with("//")
}

/// Where the `}` of a `{` at `opener`, on a line indented `width`, is
/// missing: the start of the first later line (before `end`) indented no
/// deeper, if that line does not start with `}`; the end of the text if
/// there is no such line. `None` when the brace looks closed.
fn closing_line(text: &str, opener: usize, width: usize, end: usize) -> Option<usize> {
    let mut at = opener + text.get(opener..)?.find('\n')? + 1;
    while at < end {
        let line_end = text[at..].find('\n').map_or(text.len(), |i| at + i);
        let line = &text[at..line_end];
        let content = line.trim_start_matches([' ', '\t']);
        let blank = content.trim().is_empty() || content.starts_with("//");
        if !blank && line.len() - content.len() <= width {
            return (!content.starts_with('}')).then_some(at);
        }
        at = line_end + 1;
    }
    (end >= text.len()).then_some(text.len())
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

//! Breaking lines longer than the maximum width, as rustfmt breaks them:
//! the outermost construct on the line that can be broken is, then the
//! lines it gives are looked at again.
//!
//! - a list in brackets (call arguments, parameters, struct literal
//!   fields, array and tuple elements, struct and enum bodies): one element
//!   per line, with a trailing comma;
//! - a chain of two or more method calls: each `.method()` on a line of
//!   its own;
//! - a binary expression: each operator of the same kind begins a line.
//!
//! This pass only inserts line breaks (and the trailing commas of broken
//! lists); the layout pass of `mod.rs` then indents the new lines as it
//! indents any line, so a second `ward fmt` finds nothing to do.

use tree_sitter::{Node, Tree};

/// Lists whose elements go one per line.
const LISTS: [&str; 7] = [
    "arguments",
    "parameters",
    "field_initializer_list",
    "array_expression",
    "tuple_expression",
    "field_declaration_list",
    "enum_variant_list",
];

/// Whether `kind` is a bracketed list this pass breaks (the formatter's
/// verification accepts a trailing comma added before such a list's
/// closing bracket).
pub fn is_list(kind: &str) -> bool {
    LISTS.contains(&kind)
}

/// An insertion into the text: `text` at byte `at`. At one offset a comma
/// goes before a line break (the derived order compares `at`, then
/// `text`: `","` sorts before `"\n"`… only by this rank).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Insert {
    at: usize,
    text: &'static str,
}

impl Insert {
    fn key(&self) -> (usize, u8) {
        (self.at, u8::from(self.text != ","))
    }
}

/// `text` with one construct broken on each line longer than `max_width`
/// characters, or `None` when no such line can be broken.
pub fn wrap_long_lines(text: &str, tree: &Tree, max_width: usize) -> Option<String> {
    let mut inserts = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        if content.chars().count() > max_width {
            let first = start + (content.len() - content.trim_start().len());
            let end = start + content.trim_end().len();
            if let Some(found) = breakable(tree.root_node(), first, end) {
                inserts.extend(found);
            }
        }
        start += line.len();
    }
    if inserts.is_empty() {
        return None;
    }
    inserts.sort_by_key(Insert::key);
    inserts.dedup();
    let mut out = String::with_capacity(text.len() + inserts.len() * 2);
    let mut at = 0;
    for insert in inserts {
        out.push_str(&text[at..insert.at]);
        out.push_str(insert.text);
        at = insert.at;
    }
    out.push_str(&text[at..]);
    Some(out)
}

/// The breaks of the outermost breakable construct lying within
/// `start..end` (one line), in a walk down the nodes overlapping it.
fn breakable(node: Node, start: usize, end: usize) -> Option<Vec<Insert>> {
    if node.end_byte() <= start || node.start_byte() >= end {
        return None;
    }
    if node.start_byte() >= start
        && node.end_byte() <= end
        && let Some(breaks) = breaks_of(node)
    {
        return Some(breaks);
    }
    let mut cursor = node.walk();
    let children: Vec<Node> = node.children(&mut cursor).collect();
    children
        .into_iter()
        .find_map(|child| breakable(child, start, end))
}

fn breaks_of(node: Node) -> Option<Vec<Insert>> {
    match node.kind() {
        kind if is_list(kind) => list_breaks(node),
        "call_expression" => chain_breaks(node),
        "binary_expression" => binary_breaks(node),
        _ => None,
    }
}

fn is_comment(node: Node) -> bool {
    matches!(
        node.kind(),
        "line_comment" | "block_comment" | "doc_comment"
    )
}

/// One element per line: a break after the opening bracket and after each
/// comma, a trailing comma, and a break before the closing bracket.
fn list_breaks(list: Node) -> Option<Vec<Insert>> {
    let count = list.child_count();
    let open = list.child(0)?;
    let close = list.child(count.checked_sub(1)?)?;
    if !matches!(open.kind(), "(" | "[" | "{") || !matches!(close.kind(), ")" | "]" | "}") {
        return None;
    }
    let inner: Vec<Node> = (1..count - 1).filter_map(|i| list.child(i)).collect();
    let elements = inner
        .iter()
        .filter(|n| n.kind() != "," && !is_comment(**n))
        .count();
    // `(x)` is not a tuple and `(x,)` is: a one-element tuple is left alone.
    let least = if list.kind() == "tuple_expression" {
        2
    } else {
        1
    };
    if elements < least {
        return None;
    }
    let mut breaks = vec![Insert {
        at: open.end_byte(),
        text: "\n",
    }];
    for comma in inner.iter().filter(|n| n.kind() == ",") {
        breaks.push(Insert {
            at: comma.end_byte(),
            text: "\n",
        });
    }
    match inner.iter().rev().find(|n| !is_comment(**n)) {
        Some(last) if last.kind() == "," => breaks.push(Insert {
            at: close.start_byte(),
            text: "",
        }),
        Some(last) => breaks.push(Insert {
            at: last.end_byte(),
            text: ",",
        }),
        None => {}
    }
    breaks.push(Insert {
        at: close.start_byte(),
        text: "\n",
    });
    breaks.retain(|b| !b.text.is_empty());
    Some(breaks)
}

/// `a.b().c()`: a break before each `.` of a method call, when there are
/// two or more (`?` between calls is part of the chain).
fn chain_breaks(call: Node) -> Option<Vec<Insert>> {
    let mut dots = Vec::new();
    let mut current = call;
    loop {
        let current_call = if current.kind() == "try_expression" {
            current.named_child(0)?
        } else {
            current
        };
        if current_call.kind() != "call_expression" {
            break;
        }
        let function = current_call.child_by_field_name("function")?;
        if function.kind() != "field_expression" {
            break;
        }
        let Some(dot) = (0..function.child_count())
            .filter_map(|i| function.child(i))
            .find(|n| n.kind() == ".")
        else {
            break;
        };
        dots.push(Insert {
            at: dot.start_byte(),
            text: "\n",
        });
        current = function.child_by_field_name("value")?;
    }
    (dots.len() >= 2).then_some(dots)
}

/// `a + b + c`: a break before each operator down the left of a run of
/// the same operator.
fn binary_breaks(binary: Node) -> Option<Vec<Insert>> {
    // `+` and `-` are one run, as `*`, `/` and `%` are.
    let class = |op: &str| match op {
        "+" | "-" => "+".to_string(),
        "*" | "/" | "%" => "*".to_string(),
        other => other.to_string(),
    };
    let operator = |n: Node| n.child_by_field_name("operator").map(|o| class(o.kind()));
    let op = operator(binary)?;
    let mut breaks = Vec::new();
    let mut current = binary;
    loop {
        let o = current.child_by_field_name("operator")?;
        breaks.push(Insert {
            at: o.start_byte(),
            text: "\n",
        });
        match current.child_by_field_name("left") {
            Some(left)
                if left.kind() == "binary_expression"
                    && operator(left).as_deref() == Some(op.as_str()) =>
            {
                current = left;
            }
            _ => break,
        }
    }
    // A broken condition puts the body's `{` on a line of its own, as
    // rustfmt does, so the body does not line up with the condition.
    if let Some(parent) = binary.parent()
        && matches!(parent.kind(), "if_expression" | "while_expression")
        && parent.child_by_field_name("condition") == Some(binary)
        && let Some(body) = parent
            .child_by_field_name("consequence")
            .or_else(|| parent.child_by_field_name("body"))
    {
        breaks.push(Insert {
            at: body.start_byte(),
            text: "\n",
        });
        // A body written on one line opens up too: `{ alarm(); }`.
        let count = body.child_count();
        if body.start_position().row == body.end_position().row && count > 2 {
            if let Some(open) = body.child(0) {
                breaks.push(Insert {
                    at: open.end_byte(),
                    text: "\n",
                });
            }
            if let Some(close) = body.child(count - 1) {
                breaks.push(Insert {
                    at: close.start_byte(),
                    text: "\n",
                });
            }
        }
    }
    Some(breaks)
}

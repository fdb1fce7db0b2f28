//! Spacing between two tokens on the same line: Rust's conventions as
//! rustfmt writes them (`f(x)`, `a + b`, `&mut x`, `List<int>`, `0..n`,
//! `|x| x + 1`, `Point { x: 1 }`, `use a::{b, c}`).

use super::Token;

/// Operators that two adjacent tokens could run together into.
const JOINED: &[&str] = &[
    "&&", "||", "==", "!=", "<=", ">=", "<<", ">>", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=",
    "->", "=>", "::", "..", "//", "/*", "*/",
];

/// Whether one space separates `a` and `b` when they share a line.
pub(super) fn space_between(a: &Token<'_>, b: &Token<'_>) -> bool {
    if a.is_comment() || b.is_comment() {
        // Hug parentheses and square brackets, as code does: `f(/* n */ 1)`.
        return !(matches!(a.kind, "(" | "[") || matches!(b.kind, ")" | "]"));
    }
    // `0 .0` is a field of an integer; without the space it would lex
    // as the float `0.0` (`1 .max(2)` likewise): found by the fuzzer.
    if a.kind == "integer_literal" && b.kind == "." {
        return true;
    }
    let spaced = by_rule(a, b);
    if spaced {
        return true;
    }
    // Never fuse two words, or two operators into a third.
    let words = a.text.ends_with(is_word) && b.text.starts_with(is_word);
    words || would_join(a, b)
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn would_join(a: &Token<'_>, b: &Token<'_>) -> bool {
    let (Some(last), Some(first)) = (a.text.chars().last(), b.text.chars().next()) else {
        return false;
    };
    // `List<List<int>>`: the parser splits `>>` where a type is closing.
    if last == '>' && first == '>' && b.parent == "type_arguments" {
        return false;
    }
    let pair: String = [last, first].iter().collect();
    JOINED.contains(&pair.as_str())
}

fn by_rule(a: &Token<'_>, b: &Token<'_>) -> bool {
    // Punctuation that hugs what comes before it.
    if matches!(b.kind, "," | ";" | ")" | "]" | "?" | "." | ":" | "::") {
        return false;
    }
    // Punctuation that hugs what comes after it.
    if matches!(a.kind, "(" | "[" | "::" | "." | "#") {
        return false;
    }
    // Calls, parameter lists and tuple patterns: `f(x)`, `Some(x)`, `zone(64)`.
    if b.kind == "("
        && matches!(
            b.parent,
            "arguments"
                | "parameters"
                | "tuple_struct_pattern"
                | "ordered_field_declaration_list"
                | "attribute_arguments"
                | "function_type_parameters"
                | "zone_expression"
        )
    {
        return false;
    }
    if b.kind == "[" && matches!(b.parent, "index_expression" | "attribute_item") {
        return false;
    }
    // Generics: `List<int>`, `fn first<T>(`, `impl<'a>`.
    let generic = |t: &Token<'_>| matches!(t.parent, "type_arguments" | "type_parameters");
    if (b.kind == "<" || b.kind == ">") && generic(b) || a.kind == "<" && generic(a) {
        return false;
    }
    if is_prefix_operator(a) {
        return false;
    }
    // Ranges: `0..n`, `1..=5`; struct update: `..base`.
    let range = |t: &Token<'_>| matches!(t.kind, ".." | "..=");
    if range(a)
        && matches!(
            a.parent,
            "range_expression" | "range_pattern" | "base_field_initializer"
        )
    {
        return false;
    }
    if range(b) && matches!(b.parent, "range_expression" | "range_pattern") {
        return false;
    }
    // Closure parameters: `|x, y|`.
    if a.kind == "|" && a.parent == "closure_parameters" && a.first_child {
        return false;
    }
    if b.kind == "|" && b.parent == "closure_parameters" && b.last_child {
        return false;
    }
    // `{}`, and use lists hug their braces: `use std::{fs, io};`.
    if a.kind == "{" && b.kind == "}" {
        return false;
    }
    if a.kind == "{" && a.parent == "use_list" || b.kind == "}" && b.parent == "use_list" {
        return false;
    }
    true
}

/// A prefix operator that hugs its operand: `-x`, `!ok`, `*r`, `&x`,
/// `&mut x`, `&'a T`, `-1` in a pattern.
fn is_prefix_operator(t: &Token<'_>) -> bool {
    match t.parent {
        "unary_expression" => t.first_child,
        "reference_expression" | "reference_type" | "reference_pattern" | "self_parameter" => {
            t.kind == "&"
        }
        "negative_literal" => t.kind == "-",
        _ => false,
    }
}

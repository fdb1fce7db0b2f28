//! The syntax layer: source text to a lossless tree-sitter tree, and that
//! tree's `ERROR` and `MISSING` nodes to syntax errors with byte spans.
//!
//! This module is the only place that drives the parser; every later stage
//! reads the tree it returns.

pub mod ast;
mod errors;
mod lower;
mod pieces;
pub mod shift;

pub use errors::{SyntaxError, syntax_errors, unterminated_comment};
pub use lower::MAX_NESTING;
pub use lower::{LowerCache, lower_file, lower_file_cached, lower_trees, parse_int, unescape};
pub use pieces::{PIECE_MIN_BYTES, lower_in_pieces};

/// Children by field name, with the field's id looked up once per process.
/// tree-sitter's own by-name lookup compares the name with every field name
/// of the grammar (a `strncmp` each): a fifth of lowering's time before.
pub trait FieldsExt<'tree> {
    /// The first child in field `name`.
    fn field(&self, name: &str) -> Option<tree_sitter::Node<'tree>>;
    /// Every child in field `name`, in order.
    fn fields<'c>(
        &self,
        name: &str,
        cursor: &'c mut tree_sitter::TreeCursor<'tree>,
    ) -> impl Iterator<Item = tree_sitter::Node<'tree>> + 'c;
}

/// The grammar's field ids by name (a name the grammar lacks has none).
fn field_id(name: &str) -> Option<std::num::NonZeroU16> {
    // FxHash: lowering asks for a field by name several times per node.
    static IDS: std::sync::OnceLock<crate::FxHashMap<String, std::num::NonZeroU16>> =
        std::sync::OnceLock::new();
    IDS.get_or_init(|| {
        let language = language();
        (1..=language.field_count())
            .filter_map(|id| {
                let id = u16::try_from(id).ok()?;
                let name = language.field_name_for_id(id)?;
                Some((name.to_string(), language.field_id_for_name(name)?))
            })
            .collect()
    })
    .get(name)
    .copied()
}

impl<'tree> FieldsExt<'tree> for tree_sitter::Node<'tree> {
    fn field(&self, name: &str) -> Option<tree_sitter::Node<'tree>> {
        self.child_by_field_id(field_id(name)?.get())
    }

    fn fields<'c>(
        &self,
        name: &str,
        cursor: &'c mut tree_sitter::TreeCursor<'tree>,
    ) -> impl Iterator<Item = tree_sitter::Node<'tree>> + 'c {
        // A name the grammar lacks matches nothing: no field has the
        // largest id.
        let id = field_id(name).unwrap_or(std::num::NonZeroU16::MAX);
        self.children_by_field_id(id, cursor)
    }
}

/// The tree-sitter language of Ward.
pub fn language() -> tree_sitter::Language {
    tree_sitter_ward::LANGUAGE.into()
}

/// A parser set up for Ward.
pub fn parser() -> tree_sitter::Parser {
    let mut parser = tree_sitter::Parser::new();
    // The grammar is compiled into this crate with the same tree-sitter ABI
    // range the runtime library supports, so this cannot fail at run time.
    parser
        .set_language(&language())
        .expect("the generated Ward parser matches the linked tree-sitter ABI");
    parser
}

/// Parses a whole source text. Parsing never fails: damage shows up as
/// `ERROR` and `MISSING` nodes, which [`syntax_errors`] turns into errors.
pub fn parse(text: &str) -> tree_sitter::Tree {
    parse_with(&mut parser(), text, None)
}

/// Parses `text` with `parser`, reusing `old_tree` (already brought in line
/// with the text by `Tree::edit`) for an incremental reparse.
pub fn parse_with(
    parser: &mut tree_sitter::Parser,
    text: &str,
    old_tree: Option<&tree_sitter::Tree>,
) -> tree_sitter::Tree {
    // `parse` returns None only when cancelled or given no language; this
    // parser has a language and no cancellation flag or timeout.
    parser
        .parse(text, old_tree)
        .expect("a Ward parser without cancellation always returns a tree")
}

/// The tree as an indented S-expression with field names and positions, in
/// the format of `tree-sitter parse` (rows and columns are 0-based there).
pub fn to_sexp(tree: &tree_sitter::Tree) -> String {
    let mut out = String::new();
    let _ = write_sexp(tree, &mut out);
    out
}

/// Indentation stops growing at this depth, so the output of a deeply
/// nested tree grows with its size, not with the square of its depth.
pub const SEXP_MAX_INDENT: usize = 64;

/// [`to_sexp`], written as it goes (`ward parse` streams it to stdout).
pub fn write_sexp(tree: &tree_sitter::Tree, out: &mut impl std::fmt::Write) -> std::fmt::Result {
    let mut cursor = tree.walk();
    let mut depth = 0usize;
    let mut visited_children = false;
    let mut first = true;
    loop {
        let node = cursor.node();
        if visited_children {
            if cursor.goto_next_sibling() {
                visited_children = false;
            } else if cursor.goto_parent() {
                depth -= 1;
                visited_children = true;
                if is_printed(cursor.node()) {
                    out.write_char(')')?;
                }
            } else {
                break;
            }
            continue;
        }
        if is_printed(node) {
            if !first {
                out.write_char('\n')?;
            }
            first = false;
            for _ in 0..depth.min(SEXP_MAX_INDENT) {
                out.write_str("  ")?;
            }
            if let Some(field) = cursor.field_name() {
                out.write_str(field)?;
                out.write_str(": ")?;
            }
            let start = node.start_position();
            let end = node.end_position();
            if node.is_missing() {
                let kind = node.kind();
                if node.is_named() {
                    write!(out, "(MISSING {kind}")?;
                } else {
                    write!(out, "(MISSING \"{kind}\"")?;
                }
                write!(
                    out,
                    " [{}, {}] - [{}, {}]",
                    start.row, start.column, end.row, end.column
                )?;
            } else {
                write!(
                    out,
                    "({} [{}, {}] - [{}, {}]",
                    node.kind(),
                    start.row,
                    start.column,
                    end.row,
                    end.column
                )?;
            }
        }
        if cursor.goto_first_child() {
            depth += 1;
            visited_children = false;
        } else {
            visited_children = true;
            if is_printed(node) {
                out.write_char(')')?;
            }
        }
    }
    out.write_char('\n')
}

/// Named nodes, and anonymous ones only when they are damage.
fn is_printed(node: tree_sitter::Node) -> bool {
    node.is_named() || node.is_missing() || node.is_error()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sexp_shows_fields_and_positions() {
        let tree = parse("fn main() {}");
        let sexp = to_sexp(&tree);
        assert_eq!(
            sexp,
            "(source_file [0, 0] - [0, 12]\n  item: (function_item [0, 0] - [0, 12]\n    \
             name: (identifier [0, 3] - [0, 7])\n    parameters: (parameters [0, 7] - [0, 9])\n    \
             body: (block [0, 10] - [0, 12])))\n"
        );
    }

    #[test]
    fn sexp_shows_missing_tokens() {
        let tree = parse("fn main() { let x = 1 }");
        assert!(
            to_sexp(&tree).contains("(MISSING \";\""),
            "{}",
            to_sexp(&tree)
        );
    }
}

//! The formatter behind `ward fmt` and the server's `textDocument/formatting`.
//!
//! It works as gofmt does rather than as a line-filling pretty printer: the
//! author's line breaks stay (runs of blank lines shrink to one, blank lines
//! just inside brackets go), indentation is recomputed from the brackets and
//! the syntax tree, and spacing within a line follows one set of rules.
//! A line longer than the maximum width (100 by default, `[format]
//! max_width` in `ward.toml`) is broken as rustfmt breaks it (`wrap.rs`).
//! Only the whitespace between tokens changes, plus trailing whitespace in
//! comments and the trailing comma of a list broken one element per line.
//! Before a result is returned it is parsed again and compared token by
//! token with the input, so formatting cannot change what a program means;
//! a text with syntax errors is refused rather than guessed.

mod spacing;
#[cfg(test)]
mod tests;
mod wrap;

use crate::syntax;
use std::ops::Range;
use tree_sitter::Node;

/// One level of indentation.
pub const INDENT: &str = "    ";

/// The line width past which lines are broken, as rustfmt's `max_width`.
pub const DEFAULT_MAX_WIDTH: usize = 100;

/// Rounds of line breaking: each breaks the outermost construct of every
/// long line; nested constructs take a round per level.
const MAX_WRAP_ROUNDS: usize = 16;

/// How to format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// Lines longer than this many characters are broken where they can be.
    pub max_width: usize,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            max_width: DEFAULT_MAX_WIDTH,
        }
    }
}

/// A replacement of `range` (bytes of the input) by `text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub text: String,
}

/// A formatted text, and the edits that turn the input into it (sorted,
/// non-overlapping, each confined to whitespace or a comment's tail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    pub text: String,
    pub edits: Vec<Edit>,
}

impl Formatted {
    /// Whether the input was already formatted.
    pub fn is_unchanged(&self) -> bool {
        self.edits.is_empty()
    }
}

/// Why a text was not formatted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// The text does not parse: formatting would have to guess its structure.
    Syntax(Vec<syntax::SyntaxError>),
    /// The formatter's result would not parse to the same tokens. This is a
    /// bug in the formatter; the text is left as it was.
    Unstable { offset: usize },
}

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FormatError::Syntax(errors) => {
                let n = errors.len();
                write!(
                    f,
                    "the text has {n} syntax error{}; fix {} before formatting",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "it" } else { "them" }
                )
            }
            FormatError::Unstable { offset } => write!(
                f,
                "internal formatter error: the result would change the program near byte {offset} (nothing was changed; please report this)"
            ),
        }
    }
}

impl std::error::Error for FormatError {}

/// A token of the input: a leaf of the tree, or a literal or comment taken
/// whole (string literals have inner nodes but are one token here).
#[derive(Debug, Clone)]
struct Token<'t> {
    kind: &'t str,
    /// The parent node's kind, which decides operator spacing.
    parent: &'t str,
    parent_id: usize,
    /// The nodes this token starts a child of: its parent, the
    /// grandparent if the token begins the parent (attributes and
    /// comments in front aside), and so on up.
    starts: Vec<usize>,
    range: Range<usize>,
    /// The text as written out: comments lose trailing whitespace.
    text: &'t str,
    first_child: bool,
    last_child: bool,
}

impl Token<'_> {
    fn is_comment(&self) -> bool {
        is_comment_kind(self.kind)
    }

    fn opens(&self) -> bool {
        matches!(self.kind, "{" | "(" | "[")
    }

    fn closes(&self) -> bool {
        matches!(self.kind, "}" | ")" | "]")
    }
}

/// W0002 of the text, as a syntax error, if it nests too deeply.
fn too_deep(tree: &tree_sitter::Tree, source: &str) -> Option<syntax::SyntaxError> {
    let mut diagnostics = Vec::new();
    syntax::lower_file(
        tree,
        source,
        crate::diagnostics::FileId(0),
        &mut diagnostics,
    );
    diagnostics
        .into_iter()
        .find(|d| d.code == crate::diagnostics::codes::NESTED_TOO_DEEPLY)
        .map(|d| syntax::SyntaxError {
            span: d.span.span.start as usize..d.span.span.end as usize,
            message: d.message,
            ..syntax::SyntaxError::default()
        })
}

/// Formats a whole source text with the default options.
pub fn format(source: &str) -> Result<Formatted, FormatError> {
    format_with(source, &Options::default())
}

/// Formats a whole source text.
pub fn format_with(source: &str, options: &Options) -> Result<Formatted, FormatError> {
    format_parsed_with(source, &syntax::parse(source), options)
}

/// [`format`] for a text whose syntax tree the caller already has (the
/// language server keeps one per document).
pub fn format_parsed(source: &str, tree: &tree_sitter::Tree) -> Result<Formatted, FormatError> {
    format_parsed_with(source, tree, &Options::default())
}

/// [`format_with`] for a text whose syntax tree the caller already has.
pub fn format_parsed_with(
    source: &str,
    tree: &tree_sitter::Tree,
    options: &Options,
) -> Result<Formatted, FormatError> {
    if tree.root_node().has_error() || syntax::unterminated_comment(tree, source).is_some() {
        return Err(FormatError::Syntax(syntax::syntax_errors(tree, source)));
    }
    // Nesting past the compiler's limit is refused as `ward check` refuses
    // it: the layout's work grows with the depth.
    if let Some(too_deep) = too_deep(tree, source) {
        return Err(FormatError::Syntax(vec![too_deep]));
    }
    let tokens = tokens(tree.root_node(), source);
    let mut text = layout(source, tree.root_node(), &tokens)?;
    for _ in 0..MAX_WRAP_ROUNDS {
        let laid_out = syntax::parse(&text);
        let Some(wrapped) = wrap::wrap_long_lines(&text, &laid_out, options.max_width) else {
            break;
        };
        let wrapped_tree = syntax::parse(&wrapped);
        if wrapped_tree.root_node().has_error() {
            return Err(FormatError::Unstable {
                offset: first_error(&wrapped_tree).unwrap_or(0),
            });
        }
        text = layout(
            &wrapped,
            wrapped_tree.root_node(),
            &self::tokens(wrapped_tree.root_node(), &wrapped),
        )?;
    }
    let output_tree = syntax::parse(&text);
    let output = self::tokens(output_tree.root_node(), &text);
    verify(&tokens, &output, &output_tree)?;
    let edits = edits(source, &tokens, &text, &output);
    Ok(Formatted { text, edits })
}

/// The text with every gap between `tokens` (of `source`, whose tree's
/// root is `root`) laid out: line breaks kept, indentation and spacing
/// recomputed.
fn layout(source: &str, root: Node<'_>, tokens: &[Token<'_>]) -> Result<String, FormatError> {
    let mut layout = Layout::new(root);
    let mut text = String::with_capacity(source.len() + source.len() / 8);
    let bom = bom_len(source);
    text.push_str(&source[..bom]);
    let mut previous_end = bom;
    for (i, token) in tokens.iter().enumerate() {
        let gap = &source[previous_end..token.range.start];
        if !gap.chars().all(char::is_whitespace) {
            // An error-free tree covers every non-blank byte with a token.
            return Err(FormatError::Unstable {
                offset: previous_end,
            });
        }
        let new_gap = layout.gap(i.checked_sub(1).map(|p| &tokens[p]), token, gap);
        text.push_str(&new_gap);
        text.push_str(token.text);
        layout.after(token);
        previous_end = token.range.end;
    }
    if !tokens.is_empty() {
        text.push('\n');
    }
    Ok(text)
}

/// The bytes of a byte-order mark at the start of `source` (it stays
/// where it is, outside the layout).
fn bom_len(source: &str) -> usize {
    if source.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    }
}

/// The edits that turn `source` into `output`: for each gap between two
/// input tokens that reads differently in the output (a trailing comma
/// added to a broken list is part of the gap before the closing bracket),
/// each comment's trailing whitespace, and the end of the file.
fn edits(source: &str, input: &[Token<'_>], output_text: &str, output: &[Token<'_>]) -> Vec<Edit> {
    let mut edits = Vec::new();
    let bom = bom_len(source);
    let (mut source_end, mut output_end) = (bom, bom);
    let mut k = 0;
    for token in input {
        // The output token that is this input token (added commas are
        // skipped: they are in the gap).
        while k < output.len() && output[k].text != token.text {
            k += 1;
        }
        let Some(out) = output.get(k) else { break };
        let written = &source[source_end..token.range.start];
        let now = &output_text[output_end..out.range.start];
        if written != now {
            edits.push(Edit {
                range: source_end..token.range.start,
                text: now.to_string(),
            });
        }
        if token.text.len() < token.range.len() {
            edits.push(Edit {
                range: token.range.start + token.text.len()..token.range.end,
                text: String::new(),
            });
        }
        source_end = token.range.end;
        output_end = out.range.start + out.text.len();
        k += 1;
    }
    let (tail, new_tail) = (
        &source[source_end..],
        &output_text[output_end.min(output_text.len())..],
    );
    if tail != new_tail {
        edits.push(Edit {
            range: source_end..source.len(),
            text: new_tail.to_string(),
        });
    }
    edits
}

/// Checks that the output parses without errors to the same tokens as the
/// input: the same kinds, the same texts, in the same order, but for a
/// trailing comma added before the closing bracket of a broken list.
fn verify(
    expected: &[Token<'_>],
    got: &[Token<'_>],
    tree: &tree_sitter::Tree,
) -> Result<(), FormatError> {
    if tree.root_node().has_error() {
        let offset = first_error(tree).unwrap_or(0);
        return Err(FormatError::Unstable { offset });
    }
    let mut k = 0;
    for a in expected {
        while let Some(b) = got.get(k)
            && b.kind == ","
            && a.kind != ","
            && wrap::is_list(b.parent)
            && got.get(k + 1).is_some_and(Token::closes)
        {
            k += 1;
        }
        match got.get(k) {
            Some(b) if a.kind == b.kind && a.text == b.text && a.parent == b.parent => k += 1,
            _ => {
                return Err(FormatError::Unstable {
                    offset: a.range.start,
                });
            }
        }
    }
    if k != got.len() {
        return Err(FormatError::Unstable {
            offset: expected.last().map_or(0, |t| t.range.end),
        });
    }
    Ok(())
}

fn first_error(tree: &tree_sitter::Tree) -> Option<usize> {
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            return Some(node.start_byte());
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

/// The tokens of the tree in source order. One walk down the tree
/// (tree-sitter finds a node's parent or sibling by searching from the
/// root, too slow to ask per token in a large file).
fn tokens<'t>(root: Node<'t>, source: &'t str) -> Vec<Token<'t>> {
    struct Walk<'t, 's> {
        source: &'t str,
        out: &'s mut Vec<Token<'t>>,
    }
    impl<'t> Walk<'t, '_> {
        /// Visits `node`, a child of `parent` (`edge`: whether it is the
        /// first and the last child), with its `starts` set.
        fn visit(
            &mut self,
            node: Node<'t>,
            parent: Option<Node<'t>>,
            edge: (bool, bool),
            starts: Vec<usize>,
        ) {
            let whole = matches!(node.kind(), "string_literal" | "char_literal");
            if node.child_count() == 0 || whole {
                if node.start_byte() == node.end_byte() {
                    return;
                }
                let range = node.byte_range();
                let raw = &self.source[range.clone()];
                let text = if is_comment_kind(node.kind()) {
                    raw.trim_end()
                } else {
                    raw
                };
                self.out.push(Token {
                    kind: node.kind(),
                    parent: parent.map_or("", |p| p.kind()),
                    parent_id: parent.map_or(usize::MAX, |p| p.id()),
                    starts,
                    range,
                    text,
                    first_child: edge.0,
                    last_child: edge.1,
                });
                return;
            }
            let mut cursor = node.walk();
            let children: Vec<Node<'t>> = node.children(&mut cursor).collect();
            let mut begun = true;
            for (i, child) in children.iter().enumerate() {
                let mut child_starts = vec![node.id()];
                if begun {
                    child_starts.extend_from_slice(&starts);
                }
                self.visit(
                    *child,
                    Some(node),
                    (i == 0, i + 1 == children.len()),
                    child_starts,
                );
                if !matches!(child.kind(), "attributes" | "attribute_item")
                    && !is_comment_kind(child.kind())
                {
                    begun = false;
                }
            }
        }
    }
    let mut out = Vec::new();
    Walk {
        source,
        out: &mut out,
    }
    .visit(root, None, (true, true), Vec::new());
    out
}

fn is_comment_kind(kind: &str) -> bool {
    matches!(kind, "line_comment" | "doc_comment" | "block_comment")
}

/// An open bracket: the indentation of the line it is on, and the node
/// that holds it (whose children start fresh lines inside it).
struct Open {
    indent: usize,
    holder: usize,
}

/// The line-by-line state of the output: open brackets and the current
/// line's indentation.
struct Layout {
    root: usize,
    open: Vec<Open>,
    line_indent: usize,
}

impl Layout {
    fn new(root: Node<'_>) -> Layout {
        Layout {
            root: root.id(),
            open: Vec::new(),
            line_indent: 0,
        }
    }

    /// The whitespace to write before `token`, given what the author wrote.
    fn gap(&mut self, previous: Option<&Token<'_>>, token: &Token<'_>, written: &str) -> String {
        let Some(previous) = previous else {
            // The file starts at its first token.
            self.line_indent = 0;
            return String::new();
        };
        let mut newlines = written.matches('\n').count().min(2);
        if previous.opens() || token.closes() {
            newlines = newlines.min(1);
        }
        // `} else` stays on one line, as rustfmt writes it.
        if token.kind == "else" && previous.kind == "}" {
            newlines = 0;
        }
        if newlines == 0 {
            return if spacing::space_between(previous, token) {
                " ".into()
            } else {
                String::new()
            };
        }
        self.line_indent = self.indent_of_line_starting_with(token);
        let mut gap = "\n".repeat(newlines);
        for _ in 0..self.line_indent {
            gap.push_str(INDENT);
        }
        gap
    }

    /// Keeps the bracket stack in step after `token` is written.
    fn after(&mut self, token: &Token<'_>) {
        if token.opens() {
            self.open.push(Open {
                indent: self.line_indent,
                holder: token.parent_id,
            });
        } else if token.closes() {
            self.open.pop();
        }
    }

    /// A line is indented one level inside the bracket it is in (relative
    /// to that bracket's line), and one more when it continues an
    /// expression or item begun on an earlier line.
    fn indent_of_line_starting_with(&self, token: &Token<'_>) -> usize {
        let (base, holder) = match self.open.last() {
            Some(open) if token.closes() => return open.indent,
            Some(open) => (open.indent + 1, open.holder),
            None => (0, self.root),
        };
        // A block's `{` on a line of its own (after a condition broken over
        // lines) lines up with the statement, as rustfmt puts it.
        let block_brace = token.kind == "{" && token.parent == "block";
        if token.is_comment() || block_brace || token.starts.contains(&holder) {
            base
        } else {
            base + 1
        }
    }
}

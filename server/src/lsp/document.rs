//! An open document: its text as a rope, its syntax tree kept in step with
//! every edit (`Tree::edit` and an incremental reparse), and its version.

use ropey::Rope;
use tree_sitter::{InputEdit, Point, Tree};

use super::position::Encoding;

/// One change of `textDocument/didChange`, already out of protocol types.
#[derive(Debug, Clone)]
pub struct Change {
    /// `((line, character), (line, character))`, or `None` for the whole text.
    pub range: Option<((u32, u32), (u32, u32))>,
    pub text: String,
}

#[derive(Debug)]
pub struct Document {
    pub version: i32,
    pub rope: Rope,
    pub tree: Tree,
}

impl Document {
    pub fn new(text: &str, version: i32) -> Document {
        Document {
            version,
            rope: Rope::from_str(text),
            tree: ward_compiler::syntax::parse(text),
        }
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Applies the changes in order and reparses once. Positions past a
    /// line's end or past the last line are clamped (the protocol asks
    /// for that at a line's end; past the text it is the only safe
    /// reading), so a confused client cannot crash the server.
    pub fn apply(&mut self, changes: &[Change], version: i32, enc: Encoding) {
        let mut whole = false;
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    whole = true;
                }
                Some((start, end)) => {
                    let a = self.char_at(start, enc);
                    let b = self.char_at(end, enc).max(a);
                    let start_byte = self.rope.char_to_byte(a);
                    let old_end_byte = self.rope.char_to_byte(b);
                    let start_position = self.point(start_byte);
                    let old_end_position = self.point(old_end_byte);
                    self.rope.remove(a..b);
                    self.rope.insert(a, &change.text);
                    let new_end_byte = start_byte + change.text.len();
                    let new_end_position = self.point(new_end_byte);
                    self.tree.edit(&InputEdit {
                        start_byte,
                        old_end_byte,
                        new_end_byte,
                        start_position,
                        old_end_position,
                        new_end_position,
                    });
                }
            }
        }
        let text = self.text();
        self.tree = if whole {
            ward_compiler::syntax::parse(&text)
        } else {
            let mut parser = ward_compiler::syntax::parser();
            ward_compiler::syntax::parse_with(&mut parser, &text, Some(&self.tree))
        };
        self.version = version;
    }

    /// The char index of a protocol position, clamped into the text.
    fn char_at(&self, (line, character): (u32, u32), enc: Encoding) -> usize {
        let line = line as usize;
        if line >= self.rope.len_lines() {
            return self.rope.len_chars();
        }
        let start = self.rope.line_to_char(line);
        let mut units = 0u32;
        for (i, c) in self.rope.line(line).chars().enumerate() {
            if c == '\n' || c == '\r' {
                return start + i;
            }
            let next = units + enc.len(c);
            if next > character {
                return start + i;
            }
            units = next;
        }
        start + self.rope.line(line).len_chars()
    }

    /// A tree-sitter point (row, byte column) of a byte offset.
    fn point(&self, byte: usize) -> Point {
        let row = self.rope.byte_to_line(byte);
        Point {
            row,
            column: byte - self.rope.line_to_byte(row),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(range: ((u32, u32), (u32, u32)), text: &str) -> Change {
        Change {
            range: Some(range),
            text: text.into(),
        }
    }

    #[test]
    fn incremental_edits_keep_text_and_tree_in_step() {
        let mut doc = Document::new("fn main() {\n    let é = 1;\n}\n", 1);
        // Rename `é` (1 UTF-16 unit, 2 bytes) to `total`.
        doc.apply(&[change(((1, 8), (1, 9)), "total")], 2, Encoding::Utf16);
        assert_eq!(doc.text(), "fn main() {\n    let total = 1;\n}\n");
        assert_eq!(doc.version, 2);
        let fresh = ward_compiler::syntax::parse(&doc.text());
        assert_eq!(
            ward_compiler::syntax::to_sexp(&doc.tree),
            ward_compiler::syntax::to_sexp(&fresh)
        );
    }

    #[test]
    fn only_line_feeds_end_lines() {
        // U+2028, U+0085 and a lone CR are characters inside a line for
        // the protocol's positions and the compiler's line table (ropey's
        // default would count them as line breaks, which the soak test
        // caught moving every later edit).
        let mut doc = Document::new("a\u{2028}b\u{85}c\rd\ne\n", 1);
        doc.apply(&[change(((1, 0), (1, 1)), "E")], 2, Encoding::Utf16);
        assert_eq!(doc.text(), "a\u{2028}b\u{85}c\rd\nE\n");
        doc.apply(&[change(((0, 2), (0, 3)), "B")], 3, Encoding::Utf16);
        assert_eq!(doc.text(), "a\u{2028}B\u{85}c\rd\nE\n");
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let mut doc = Document::new("ab\ncd", 1);
        doc.apply(&[change(((0, 99), (9, 9)), "!")], 2, Encoding::Utf8);
        assert_eq!(doc.text(), "ab!");
        doc.apply(
            &[Change {
                range: None,
                text: "x".into(),
            }],
            3,
            Encoding::Utf8,
        );
        assert_eq!(doc.text(), "x");
    }
}

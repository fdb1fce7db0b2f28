//! `textDocument/formatting`: the compiler's formatter (`ward fmt`), sent
//! as small edits of the whitespace it changes so cursors and marks in the
//! editor stay where they were. A document with syntax errors gets no
//! edits; its diagnostics already say what is wrong. The request's tab
//! size and spaces-or-tabs options are not followed: Ward has one style,
//! as Go and Rust do.

use tower_lsp_server::ls_types::TextEdit;
use tree_sitter::Tree;
use ward_compiler::format::{FormatError, format_parsed};
use ward_compiler::resolve::SourceFile;

use super::position::Encoding;
use super::to_proto;

pub fn formatting(tree: &Tree, file: &SourceFile, enc: Encoding) -> Option<Vec<TextEdit>> {
    match format_parsed(&file.text, tree) {
        Ok(formatted) => Some(
            formatted
                .edits
                .into_iter()
                .map(|edit| TextEdit {
                    range: to_proto::range(file, edit.range.start, edit.range.end, enc),
                    new_text: edit.text,
                })
                .collect(),
        ),
        Err(FormatError::Syntax(_) | FormatError::Unstable { .. }) => None,
    }
}

//! `textDocument/formatting`: the compiler's formatter (`ward fmt`, with
//! the maximum width of the document's project), sent
//! as small edits of the whitespace it changes so cursors and marks in the
//! editor stay where they were. A document with syntax errors gets no
//! edits; its diagnostics already say what is wrong. The request's tab
//! size and spaces-or-tabs options are not followed: Ward has one style,
//! as Go and Rust do.

use tower_lsp_server::ls_types::TextEdit;
use tree_sitter::Tree;
use ward_compiler::format::{FormatError, format_parsed_with};
use ward_compiler::resolve::SourceFile;

use super::position::Encoding;
use super::to_proto;

pub fn formatting(tree: &Tree, file: &SourceFile, enc: Encoding) -> Option<Vec<TextEdit>> {
    // The width of the document's project (`[format] max_width`).
    let options = crate::project::format_options_for(&file.path);
    match format_parsed_with(&file.text, tree, &options) {
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

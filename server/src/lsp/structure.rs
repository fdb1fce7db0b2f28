//! Features read off the syntax tree alone: folding ranges (the grammar's
//! `folds.scm`, plus runs of line comments) and selection ranges (the
//! chain of enclosing nodes), and the tree itself for `ward/syntaxTree`.

use std::sync::OnceLock;

use tower_lsp_server::ls_types::TextDocumentIdentifier;
use tower_lsp_server::ls_types::{FoldingRange, FoldingRangeKind, Position, SelectionRange};
use tree_sitter::{Query, QueryCursor, StreamingIterator, Tree};
use ward_compiler::diagnostics::Span;
use ward_compiler::resolve::SourceFile;

use super::from_proto;
use super::position::Encoding;
use super::to_proto;

/// The parameters of `ward/syntaxTree`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SyntaxTreeParams {
    pub text_document: TextDocumentIdentifier,
}

fn folds_query() -> Option<&'static Query> {
    static QUERY: OnceLock<Option<Query>> = OnceLock::new();
    QUERY
        .get_or_init(|| {
            Query::new(
                &tree_sitter_ward::LANGUAGE.into(),
                tree_sitter_ward::FOLDS_QUERY,
            )
            .ok()
        })
        .as_ref()
}

pub fn folding_ranges(tree: &Tree, file: &SourceFile) -> Vec<FoldingRange> {
    let text = file.text.as_bytes();
    let mut out = Vec::new();
    if let Some(query) = folds_query() {
        let mut cursor = QueryCursor::new();
        let mut matches = cursor.matches(query, tree.root_node(), text);
        while let Some(m) = matches.next() {
            for capture in m.captures() {
                let node = capture.node;
                let (start, end) = (node.start_position().row, node.end_position().row);
                if end > start {
                    out.push(FoldingRange {
                        start_line: u32::try_from(start).unwrap_or(u32::MAX),
                        start_character: None,
                        end_line: u32::try_from(end).unwrap_or(u32::MAX),
                        end_character: None,
                        kind: (node.kind() == "block_comment").then_some(FoldingRangeKind::Comment),
                        collapsed_text: None,
                    });
                }
            }
        }
    }
    // Consecutive `//` lines (doc comments included) fold as one comment.
    let mut run: Option<(u32, u32)> = None;
    for (i, line) in file.text.lines().enumerate() {
        let i = u32::try_from(i).unwrap_or(u32::MAX);
        if line.trim_start().starts_with("//") {
            run = Some(run.map_or((i, i), |(s, _)| (s, i)));
            continue;
        }
        if let Some((s, e)) = run.take()
            && e > s
        {
            out.push(comment_fold(s, e));
        }
    }
    if let Some((s, e)) = run
        && e > s
    {
        out.push(comment_fold(s, e));
    }
    out.sort_by_key(|f| (f.start_line, std::cmp::Reverse(f.end_line)));
    // A block and the item around it often share a first line: keep one.
    out.dedup_by_key(|f| f.start_line);
    out
}

fn comment_fold(start: u32, end: u32) -> FoldingRange {
    FoldingRange {
        start_line: start,
        start_character: None,
        end_line: end,
        end_character: None,
        kind: Some(FoldingRangeKind::Comment),
        collapsed_text: None,
    }
}

/// For each position, the ranges of the nodes around it, innermost first.
/// Levels of one selection-range answer: JSON nested deeper than about
/// 128 levels is more than some clients parse (`serde_json` stops there).
pub const MAX_SELECTION_LEVELS: usize = 64;

pub fn selection_ranges(
    tree: &Tree,
    file: &SourceFile,
    positions: &[Position],
    enc: Encoding,
) -> tower_lsp_server::jsonrpc::Result<Vec<SelectionRange>> {
    let mut out = Vec::new();
    for pos in positions {
        let offset = from_proto::offset(file, *pos, enc)? as usize;
        // Down from the root with one cursor (asking each node for its
        // parent costs the depth, which made deep text quadratic).
        let span_of = |n: tree_sitter::Node| {
            Span::new(
                u32::try_from(n.start_byte()).unwrap_or(u32::MAX),
                u32::try_from(n.end_byte()).unwrap_or(u32::MAX),
            )
        };
        let mut cursor = tree.root_node().walk();
        let mut outer_first: Vec<Span> = vec![span_of(cursor.node())];
        while cursor.goto_first_child_for_byte(offset).is_some() {
            let n = cursor.node();
            if n.start_byte() > offset {
                break;
            }
            let span = span_of(n);
            if outer_first.last() != Some(&span) {
                outer_first.push(span);
            }
        }
        // Deeply nested text keeps the innermost and outermost levels: the
        // answer is JSON nested once per level (see MAX_SELECTION_LEVELS).
        if outer_first.len() > MAX_SELECTION_LEVELS {
            let keep_outer = MAX_SELECTION_LEVELS / 4;
            let cut = outer_first.len() - (MAX_SELECTION_LEVELS - keep_outer);
            outer_first.drain(keep_outer..cut);
        }
        let mut chain: Option<SelectionRange> = None;
        for span in &outer_first {
            chain = Some(SelectionRange {
                range: to_proto::range(file, span.start as usize, span.end as usize, enc),
                parent: chain.map(Box::new),
            });
        }
        out.push(chain.unwrap_or(SelectionRange {
            range: to_proto::range(file, offset, offset, enc),
            parent: None,
        }));
    }
    Ok(out)
}

//! Parsing and lowering a large file on every core. Tree-sitter parses
//! one text on one thread, and for `ward check` of a long file parsing and
//! lowering are the longest stages that cannot overlap the others. A file
//! is a list of items, so it is cut at item boundaries into pieces of about
//! [`PIECE_BYTES`]; each worker takes the next piece, parses it (with
//! tree-sitter's included ranges, so every node keeps its place in the
//! whole text), lowers its items and lets go of its tree before taking
//! another. A worker's next tree then reuses the memory of its last one:
//! only a couple of trees are ever alive, not the whole file's (on this
//! kind of machine, touching fresh memory costs as much as parsing it).
//!
//! The result is only kept when each piece is a clean list of items;
//! otherwise the caller parses the file whole, so the result never depends
//! on where it was cut. A cut is made only before a line that starts an
//! item (`fn`, `struct`, `pub`, …) after a blank line, with no comment or
//! attribute above the blank line (a doc comment belongs to the item below
//! it). A cut inside a string or block comment leaves a piece with an
//! unfinished token: a string is then a syntax error, and a block comment
//! runs to the piece's end, which [`unterminated_comment`] finds — either
//! way the file is parsed whole.

use super::ast::SourceFile;
use super::errors::unterminated_comment;
use crate::diagnostics::{Diagnostic, FileId};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use tree_sitter::{Point, Range, Tree};

/// Below this size one parse is faster than starting threads.
pub const PIECE_MIN_BYTES: usize = 48 * 1024;

/// About this many bytes per piece: small enough that the workers' trees
/// stay small, large enough that a parser's start-up does not count.
const PIECE_BYTES: usize = 32 * 1024;

/// At most this many pieces.
const MAX_PIECES: usize = 32;

/// At most this many workers.
const MAX_WORKERS: usize = 4;

/// How a line that may begin a piece starts.
const ITEM_STARTS: &[&str] = &[
    "fn ", "pub ", "struct ", "enum ", "impl ", "impl<", "const ", "use ", "mod ",
];

/// `text` parsed and lowered in pieces on every core, when it is at least
/// `min_bytes` long, the machine has more than one core, and it cuts into
/// pieces that each parse cleanly; `None` otherwise (then parse it whole).
/// Lowering's diagnostics go to `diagnostics`, as [`super::lower_file`]
/// would report them.
pub fn lower_in_pieces(
    text: &str,
    file: FileId,
    min_bytes: usize,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<SourceFile> {
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(MAX_WORKERS);
    if text.len() < min_bytes || workers < 2 {
        return None;
    }
    let wanted = (text.len() / PIECE_BYTES).clamp(workers, MAX_PIECES);
    let cuts = cuts(text, wanted);
    if cuts.is_empty() {
        return None;
    }
    let mut bounds = vec![0];
    bounds.extend(&cuts);
    bounds.push(text.len());
    let pieces: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let next = AtomicUsize::new(0);
    let unclean = AtomicBool::new(false);
    // Each worker takes the next piece and keeps (index, items, diagnostics).
    let work = || {
        let mut done = Vec::new();
        let mut parser = super::parser();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(&(start, end)) = pieces.get(i) else {
                break;
            };
            if unclean.load(Ordering::Relaxed) {
                break;
            }
            let Some(tree) = parse_range(&mut parser, text, start, end).filter(|tree| {
                !tree.root_node().has_error() && unterminated_comment(tree, text).is_none()
            }) else {
                unclean.store(true, Ordering::Relaxed);
                break;
            };
            let (items, lowered) = super::lower::lower_items_here(&tree, text, file);
            drop(tree);
            done.push((i, items, lowered));
        }
        done
    };
    let mut done = std::thread::scope(|scope| {
        let helpers: Vec<_> = (1..workers.min(pieces.len()))
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("ward-parse".into())
                    .stack_size(crate::ANALYSIS_STACK)
                    .spawn_scoped(scope, work)
                    .ok()
            })
            .collect();
        let mut done = work();
        for helper in helpers {
            done.extend(
                helper
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        done
    });
    if unclean.load(Ordering::Relaxed) || done.len() != pieces.len() {
        return None;
    }
    done.sort_unstable_by_key(|(i, ..)| *i);
    let mut items = Vec::new();
    let mut lowered = Vec::new();
    for (_, piece_items, piece_diagnostics) in done {
        items.extend(piece_items);
        lowered.extend(piece_diagnostics);
    }
    super::lower::push_once_too_deep(diagnostics, lowered);
    Some(SourceFile { items })
}

/// The bytes `start..end` of `text` parsed on their own (node positions
/// are those in the whole text).
fn parse_range(
    parser: &mut tree_sitter::Parser,
    text: &str,
    start: usize,
    end: usize,
) -> Option<Tree> {
    let point = |at: usize| {
        let before = text.get(..at).unwrap_or_default();
        let row = before.bytes().filter(|&b| b == b'\n').count();
        let column = at - before.rfind('\n').map_or(0, |n| n + 1);
        Point { row, column }
    };
    parser
        .set_included_ranges(&[Range {
            start_byte: start,
            end_byte: end,
            start_point: point(start),
            end_point: point(end),
        }])
        .ok()?;
    parser.parse(text, None)
}

/// Up to `pieces - 1` cut points, each near an even share of the text.
fn cuts(text: &str, pieces: usize) -> Vec<usize> {
    let mut out: Vec<usize> = Vec::new();
    for k in 1..pieces {
        let target = text.len() * k / pieces;
        // Look no further than the next share.
        let limit = text.len() * (k + 1) / pieces;
        let from = out.last().map_or(target, |&c| c.max(target) + 1);
        if let Some(cut) = next_cut(text, from, limit) {
            out.push(cut);
        }
    }
    out
}

/// The first clean cut at or after `from` and before `limit`.
fn next_cut(text: &str, from: usize, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut at = from;
    while at < limit {
        // The next line start.
        let line = at + bytes.get(at..)?.iter().position(|&b| b == b'\n')? + 1;
        if line >= limit {
            return None;
        }
        if is_clean_cut(text, line) {
            return Some(line);
        }
        at = line;
    }
    None
}

/// Whether a piece may start at `line` (a line start): an item starts
/// there, after a blank line with neither a comment nor an attribute above.
fn is_clean_cut(text: &str, line: usize) -> bool {
    let bytes = text.as_bytes();
    let rest = text.get(line..).unwrap_or_default();
    if line < 2 || bytes[line - 1] != b'\n' || bytes[line - 2] != b'\n' {
        return false;
    }
    if !ITEM_STARTS.iter().any(|k| rest.starts_with(k)) {
        return false;
    }
    let above_end = line - 2;
    let above_start = text
        .get(..above_end)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |n| n + 1);
    let above = text.get(above_start..above_end).unwrap_or_default().trim();
    !(above.starts_with("//") || above.starts_with('#') || above.starts_with("/*"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_only_before_an_item_after_a_blank_line() {
        let text = "fn a() {}\n\n/// doc\nfn b() {}\n\n// c\n\nfn c() {}\n\nfn d() {}\n";
        let d = text.find("fn d").unwrap();
        assert_eq!(next_cut(text, 1, text.len()), Some(d));
    }

    #[test]
    fn a_cut_inside_a_string_or_comment_parses_the_whole() {
        for text in [
            "fn a() { let s = \"x\n\nfn b() {}\n\"; }\n",
            "/*\n\nfn b() {}\n\n*/\nfn a() {}\n",
            "/*\nx\n\nfn b() {}\n",
        ] {
            let mut diagnostics = Vec::new();
            assert!(
                lower_in_pieces(text, FileId(1), 0, &mut diagnostics).is_none(),
                "{text:?}"
            );
            assert!(diagnostics.is_empty());
        }
    }
}

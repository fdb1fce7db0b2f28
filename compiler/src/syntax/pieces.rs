//! Parsing a large file on every core. Tree-sitter parses one text on one
//! thread, and for `ward check` of a long file the parse is the longest
//! stage that cannot overlap the others. A file is a list of items, so it is
//! cut at item boundaries and each piece is parsed on its own thread (with
//! tree-sitter's included ranges, so every node keeps its place in the whole
//! text). The pieces are only kept when each is a clean list of items;
//! otherwise the file is parsed whole, so the result never depends on where
//! it was cut.
//!
//! A cut is made only before a line that starts an item (`fn`, `struct`,
//! `pub`, …) after a blank line, with no comment or attribute above the
//! blank line (a doc comment belongs to the item below it). A cut inside a
//! string or block comment leaves a piece with an unfinished token: a
//! string is then a syntax error, and a block comment runs to the piece's
//! end, which [`unterminated_comment`] finds — either way the file is
//! parsed whole.

use super::errors::unterminated_comment;
use tree_sitter::{Point, Range, Tree};

/// Below this size one parse is faster than starting threads.
pub const PIECE_MIN_BYTES: usize = 48 * 1024;

/// At most this many pieces.
const MAX_PIECES: usize = 4;

/// How a line that may begin a piece starts.
const ITEM_STARTS: &[&str] = &[
    "fn ", "pub ", "struct ", "enum ", "impl ", "impl<", "const ", "use ", "mod ",
];

/// `text` parsed as trees that cover it in order: one per core when it is
/// at least `min_bytes` long and cuts cleanly, else one.
pub fn parse_in_pieces(text: &str, min_bytes: usize) -> Vec<Tree> {
    let cores = std::thread::available_parallelism()
        .map_or(1, std::num::NonZero::get)
        .min(MAX_PIECES);
    let cuts = if text.len() >= min_bytes {
        cuts(text, cores)
    } else {
        Vec::new()
    };
    if cuts.is_empty() {
        return vec![super::parse(text)];
    }
    let mut bounds = vec![0];
    bounds.extend(&cuts);
    bounds.push(text.len());
    let pieces: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let trees: Vec<Option<Tree>> = std::thread::scope(|scope| {
        let helpers: Vec<_> = pieces[1..]
            .iter()
            .map(|&(start, end)| {
                std::thread::Builder::new()
                    .name("ward-parse".into())
                    .spawn_scoped(scope, move || parse_range(text, start, end))
            })
            .collect();
        let mut trees = vec![parse_range(text, pieces[0].0, pieces[0].1)];
        for helper in helpers {
            trees.push(match helper {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => None,
            });
        }
        trees
    });
    let last = trees.len() - 1;
    let clean = trees.iter().enumerate().all(|(i, tree)| {
        tree.as_ref().is_some_and(|tree| {
            !tree.root_node().has_error()
                && (i == last || unterminated_comment(tree, text).is_none())
        })
    });
    if clean {
        trees.into_iter().flatten().collect()
    } else {
        vec![super::parse(text)]
    }
}

/// The bytes `start..end` of `text` parsed on their own (node positions
/// are those in the whole text).
fn parse_range(text: &str, start: usize, end: usize) -> Option<Tree> {
    let mut parser = super::parser();
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
            let trees = parse_in_pieces(text, 0);
            if std::thread::available_parallelism().map_or(1, std::num::NonZero::get) > 1 {
                assert_eq!(trees.len(), 1, "{text:?}");
            }
            assert_eq!(
                crate::syntax::to_sexp(&trees[0]),
                crate::syntax::to_sexp(&crate::syntax::parse(text))
            );
        }
    }
}

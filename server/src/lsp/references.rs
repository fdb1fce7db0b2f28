//! `textDocument/references` and `textDocument/documentHighlight`.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{DocumentHighlight, DocumentHighlightKind, Location, Position};
use ward_compiler::ide::Access;

use super::snapshot::Snapshot;

pub fn references(
    snap: &Snapshot,
    pos: Position,
    include_declaration: bool,
) -> Result<Option<Vec<Location>>> {
    let offset = snap.offset(pos)?;
    let Some(occ) = snap.index().at(snap.file, offset) else {
        return Ok(None);
    };
    let found = snap
        .index()
        .of(&occ.target)
        .filter(|o| include_declaration || o.access != Access::Decl)
        .filter_map(|o| snap.location(o.file, o.span))
        .collect();
    Ok(Some(found))
}

/// On a borrow (`&x`, `&mut x`): where that borrow is live, from the
/// borrow checker's loan facts. On a name: its reads and writes in this
/// file.
pub fn highlight(snap: &Snapshot, pos: Position) -> Result<Option<Vec<DocumentHighlight>>> {
    let offset = snap.offset(pos)?;
    let analysis = &snap.analysis;
    let occ = snap.index().at(snap.file, offset);
    // A name inside a borrow expression is still a name; the borrow is
    // meant when the cursor is on the `&`/`mut` itself.
    if occ.is_none() {
        let loan = analysis
            .facts
            .iter()
            .filter(|f| f.file == snap.file)
            .flat_map(|f| &f.loans)
            .filter(|l| l.span.start <= offset && offset < l.span.end)
            .min_by_key(|l| l.span.end - l.span.start);
        if let Some(loan) = loan {
            let kind = if loan.mutable {
                DocumentHighlightKind::WRITE
            } else {
                DocumentHighlightKind::READ
            };
            let mut out = vec![DocumentHighlight {
                range: snap.range(loan.span),
                kind: Some(kind),
            }];
            for live in &loan.live {
                if *live != loan.span {
                    out.push(DocumentHighlight {
                        range: snap.range(*live),
                        kind: Some(DocumentHighlightKind::TEXT),
                    });
                }
            }
            return Ok(Some(out));
        }
    }
    let Some(occ) = occ else {
        return Ok(None);
    };
    let found = snap
        .index()
        .of(&occ.target)
        .filter(|o| o.file == snap.file)
        .map(|o| DocumentHighlight {
            range: snap.range(o.span),
            kind: Some(match o.access {
                Access::Decl => DocumentHighlightKind::TEXT,
                Access::Read => DocumentHighlightKind::READ,
                Access::Write => DocumentHighlightKind::WRITE,
            }),
        })
        .collect();
    Ok(Some(found))
}

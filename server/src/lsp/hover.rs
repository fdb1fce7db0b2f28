//! `textDocument/hover`: a name's declaration, and for a variable its
//! ownership state at that point (`compiler::ide::hover`).

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{Hover, HoverContents, MarkupContent, MarkupKind, Position};

use super::snapshot::Snapshot;

pub fn hover(snap: &Snapshot, pos: Position) -> Result<Option<Hover>> {
    let offset = snap.offset(pos)?;
    let found = ward_compiler::ide::hover::hover(&snap.analysis, snap.index(), snap.file, offset);
    Ok(found.map(|h| Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: h.markdown,
        }),
        range: Some(snap.range(h.span)),
    }))
}

//! `textDocument/documentSymbol` (a nested outline) and
//! `workspace/symbol` (items of the open documents' programs).

use tower_lsp_server::ls_types::{DocumentSymbol, SymbolInformation, SymbolKind};
use ward_compiler::ide::symbols::{self, Symbol, SymbolKind as Kind};

use super::snapshot::Snapshot;

fn kind(k: Kind) -> SymbolKind {
    match k {
        Kind::Module => SymbolKind::MODULE,
        Kind::Struct => SymbolKind::STRUCT,
        Kind::Enum => SymbolKind::ENUM,
        Kind::Variant => SymbolKind::ENUM_MEMBER,
        Kind::Field => SymbolKind::FIELD,
        Kind::Function => SymbolKind::FUNCTION,
        Kind::Method => SymbolKind::METHOD,
        Kind::Const => SymbolKind::CONSTANT,
        Kind::Impl => SymbolKind::OBJECT,
    }
}

/// Levels of nested symbols in an outline. JSON nested much deeper than
/// this is more than some clients parse (`serde_json`, in Helix among them,
/// stops at 128); a module nested deeper is listed without its contents.
pub const MAX_OUTLINE_DEPTH: usize = 32;

#[allow(deprecated)] // `deprecated` is a required field of the type
fn document_symbol(snap: &Snapshot, s: Symbol) -> DocumentSymbol {
    document_symbol_at(snap, s, 1)
}

#[allow(deprecated)] // `deprecated` is a required field of the type
fn document_symbol_at(snap: &Snapshot, s: Symbol, depth: usize) -> DocumentSymbol {
    let range = snap.range(s.span);
    // The protocol wants the name inside the whole range.
    let selection = if s.name_span.start >= s.span.start && s.name_span.end <= s.span.end {
        snap.range(s.name_span)
    } else {
        range
    };
    DocumentSymbol {
        name: s.name,
        detail: s.detail,
        kind: kind(s.kind),
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: Some(if depth < MAX_OUTLINE_DEPTH {
            s.children
                .into_iter()
                .map(|c| document_symbol_at(snap, c, depth + 1))
                .collect()
        } else {
            Vec::new()
        }),
    }
}

pub fn document(snap: &Snapshot) -> Vec<DocumentSymbol> {
    symbols::document_symbols(&snap.analysis, snap.file)
        .into_iter()
        .map(|s| document_symbol(snap, s))
        .collect()
}

/// Matches in one snapshot's program, with a sort score.
#[allow(deprecated)] // `deprecated` is a required field of the type
pub fn workspace(snap: &Snapshot, query: &str) -> Vec<SymbolInformation> {
    symbols::workspace_symbols(&snap.analysis, query)
        .into_iter()
        .filter_map(|(file, s)| {
            Some(SymbolInformation {
                location: snap.location(file, s.name_span)?,
                name: s.name,
                kind: kind(s.kind),
                tags: None,
                deprecated: None,
                container_name: None,
            })
        })
        .collect()
}

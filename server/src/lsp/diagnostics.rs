//! `textDocument/publishDiagnostics`: the checker's diagnostics for the
//! document's own file, with codes, documentation links and related
//! information.

use tower_lsp_server::ls_types::Diagnostic;

use super::snapshot::Snapshot;
use super::to_proto::{self, DocLinks};

pub fn of(snapshot: &Snapshot, links: &DocLinks) -> Vec<Diagnostic> {
    let program = &snapshot.analysis.program;
    let uri_of = |span: ward_compiler::diagnostics::FileSpan| {
        snapshot
            .location(span.file, span.span)
            .map(|l| (l.uri, l.range))
    };
    snapshot
        .analysis
        .diagnostics
        .iter()
        .filter(|d| d.span.file == snapshot.file)
        .map(|d| to_proto::diagnostic(d, program.file(snapshot.file), snapshot.enc, &uri_of, links))
        .collect()
}

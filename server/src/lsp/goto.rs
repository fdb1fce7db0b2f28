//! `textDocument/definition` and `textDocument/typeDefinition`, across the
//! files `mod` declarations bring in.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{GotoDefinitionResponse, Position};
use ward_compiler::ide::{Target, index};
use ward_compiler::types::Ty;

use super::snapshot::Snapshot;

pub fn definition(snap: &Snapshot, pos: Position) -> Result<Option<GotoDefinitionResponse>> {
    let offset = snap.offset(pos)?;
    let Some(occ) = snap.index().at(snap.file, offset) else {
        return Ok(None);
    };
    Ok(
        index::declaration(&snap.analysis, snap.index(), &occ.target)
            .and_then(|(file, span)| snap.location(file, span))
            .map(GotoDefinitionResponse::Scalar),
    )
}

/// The struct or enum of the value under the cursor.
pub fn type_definition(snap: &Snapshot, pos: Position) -> Result<Option<GotoDefinitionResponse>> {
    let offset = snap.offset(pos)?;
    let Some(occ) = snap.index().at(snap.file, offset) else {
        return Ok(None);
    };
    let analysis = &snap.analysis;
    let ty: Option<Ty> = match &occ.target {
        Target::Local { owner, local } => analysis
            .typed
            .bodies
            .get(owner)
            .and_then(|b| b.locals.get(local.0 as usize))
            .map(|l| l.ty.clone()),
        Target::Field { adt, name } => analysis
            .typed
            .adts
            .fields
            .get(adt)
            .and_then(|fs| fs.iter().find(|f| &f.name == name))
            .map(|f| f.ty.clone()),
        Target::Def(d) => match analysis.program.def(*d).kind {
            ward_compiler::resolve::DefKind::Fn(_) => {
                analysis.typed.sigs.get(d).map(|s| s.ret.clone())
            }
            ward_compiler::resolve::DefKind::Const(_) => analysis.typed.const_types.get(d).cloned(),
            _ => Some(Ty::Adt(*d, Vec::new())),
        },
    };
    let Some(adt) = ty.as_ref().and_then(index::adt_of) else {
        return Ok(None);
    };
    // A variant's type is its enum.
    let adt = analysis
        .typed
        .adts
        .variant_parent
        .get(&adt)
        .copied()
        .unwrap_or(adt);
    Ok(
        index::declaration(analysis, snap.index(), &Target::Def(adt))
            .and_then(|(file, span)| snap.location(file, span))
            .map(GotoDefinitionResponse::Scalar),
    )
}

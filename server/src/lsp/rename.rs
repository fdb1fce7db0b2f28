//! `textDocument/prepareRename` and `textDocument/rename`: every
//! occurrence of the name's target, in every file of the program.

use std::collections::HashMap;

use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{Position, PrepareRenameResponse, TextEdit, Uri, WorkspaceEdit};
use ward_compiler::ide::{Occurrence, Target, index};

use super::snapshot::Snapshot;

fn renamable(snap: &Snapshot, pos: Position) -> Result<&Occurrence> {
    let offset = snap.offset(pos)?;
    let occ = snap
        .index()
        .at(snap.file, offset)
        .ok_or_else(|| Error::invalid_params("there is no name to rename here"))?;
    let defined = index::definition(&snap.analysis, &occ.target);
    if defined.is_none_or(|(file, _)| file == snap.analysis.program.std_file) {
        return Err(Error::invalid_params(
            "cannot rename a name from the standard library",
        ));
    }
    if matches!(&occ.target, Target::Local { owner, local }
        if snap.analysis.typed.bodies.get(owner)
            .and_then(|b| b.locals.get(local.0 as usize))
            .is_some_and(|l| l.name == "self"))
    {
        return Err(Error::invalid_params("cannot rename `self`"));
    }
    Ok(occ)
}

pub fn prepare(snap: &Snapshot, pos: Position) -> Result<Option<PrepareRenameResponse>> {
    let occ = renamable(snap, pos)?;
    let text = &snap.source().text[occ.span.start as usize..occ.span.end as usize];
    Ok(Some(PrepareRenameResponse::RangeWithPlaceholder {
        range: snap.range(occ.span),
        placeholder: text.to_string(),
    }))
}

pub fn rename(snap: &Snapshot, pos: Position, new_name: &str) -> Result<Option<WorkspaceEdit>> {
    if !ward_compiler::ide::is_identifier(new_name) {
        return Err(Error::invalid_params(format!(
            "`{new_name}` is not a valid name"
        )));
    }
    let target = renamable(snap, pos)?.target.clone();
    let program = &snap.analysis.program;
    let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
    for o in snap.index().of(&target) {
        let Some(location) = snap.location(o.file, o.span) else {
            continue;
        };
        let old = &program.file(o.file).text[o.span.start as usize..o.span.end as usize];
        // `Point { x }`: one name is both the field and the variable.
        let text = match (&target, o.shorthand) {
            (Target::Field { .. }, true) => format!("{new_name}: {old}"),
            (Target::Local { .. }, true) => format!("{old}: {new_name}"),
            _ => new_name.to_string(),
        };
        changes.entry(location.uri).or_default().push(TextEdit {
            range: location.range,
            new_text: text,
        });
    }
    Ok(Some(WorkspaceEdit {
        changes: Some(changes),
        ..WorkspaceEdit::default()
    }))
}

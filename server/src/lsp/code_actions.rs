//! `textDocument/codeAction`: the fixes the checker attached to the
//! diagnostics under the cursor (clone, borrow, add `mut`, name a
//! lifetime…), as workspace edits; and Run / Profile / Run test as
//! commands, for clients without code lenses.

use std::collections::HashMap;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, Range, TextEdit, Uri, WorkspaceEdit,
};

use super::from_proto;
use super::snapshot::Snapshot;
use super::to_proto::{self, DocLinks};

pub fn code_actions(
    snap: &Snapshot,
    range: Range,
    links: &DocLinks,
) -> Result<Vec<CodeActionOrCommand>> {
    let (start, end) = from_proto::span(snap.source(), range, snap.enc)?;
    let program = &snap.analysis.program;
    let uri_of = |span: ward_compiler::diagnostics::FileSpan| {
        snap.location(span.file, span.span)
            .map(|l| (l.uri, l.range))
    };
    let mut out = Vec::new();
    for d in &snap.analysis.diagnostics {
        if d.span.file != snap.file || d.span.span.end < start || d.span.span.start > end {
            continue;
        }
        let shown = to_proto::diagnostic(d, program.file(snap.file), snap.enc, &uri_of, links);
        for (i, fix) in d.fixes.iter().enumerate() {
            let mut changes: HashMap<Uri, Vec<TextEdit>> = HashMap::new();
            for e in &fix.edits {
                if let Some(l) = snap.location(e.span.file, e.span.span) {
                    changes.entry(l.uri).or_default().push(TextEdit {
                        range: l.range,
                        new_text: e.replacement.clone(),
                    });
                }
            }
            if changes.is_empty() {
                continue;
            }
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: fix.message.clone(),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![shown.clone()]),
                edit: Some(WorkspaceEdit {
                    changes: Some(changes),
                    ..WorkspaceEdit::default()
                }),
                command: None,
                is_preferred: Some(i == 0),
                disabled: None,
                data: None,
            }));
        }
    }
    // Run / Profile / Run test for the function around the cursor: the
    // code lenses' commands, for clients without lenses (Helix).
    for (name, span, is_test) in super::code_lens::runnables(snap) {
        if span.start <= start && end <= span.end {
            for command in super::code_lens::commands_for(snap, &name, is_test) {
                let title = format!("{} `{name}`", command.title);
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title,
                    kind: Some(CodeActionKind::new("run")),
                    command: Some(command),
                    ..CodeAction::default()
                }));
            }
        }
    }
    Ok(out)
}

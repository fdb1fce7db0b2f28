//! `textDocument/inlayHint`: binding types, elided lifetimes, implicit
//! drops, inferred capabilities and zones' worst cases
//! (`compiler::ide::hints`), each kind switched by settings.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    InlayHint, InlayHintKind, InlayHintLabel, InlayHintTooltip, MarkupContent, MarkupKind, Range,
    TextEdit,
};
use ward_compiler::ide::hints::{self, HintKind};

use super::config::{InlayHints, LifetimeHints};
use super::from_proto;
use super::snapshot::Snapshot;

pub fn inlay_hints(snap: &Snapshot, range: Range, settings: &InlayHints) -> Result<Vec<InlayHint>> {
    let (start, end) = from_proto::span(snap.source(), range, snap.enc)?;
    let wanted = |h: &hints::Hint| match h.kind {
        HintKind::Type => settings.types,
        HintKind::Drop => settings.drops,
        HintKind::Capabilities => settings.capabilities,
        HintKind::Zone => settings.zones,
        HintKind::Lifetime => match settings.lifetimes {
            LifetimeHints::Always => true,
            LifetimeHints::SkipTrivial => !h.trivial,
            LifetimeHints::Never => false,
        },
    };
    Ok(hints::hints(&snap.analysis, snap.file)
        .into_iter()
        .filter(|h| h.offset >= start && h.offset <= end && wanted(h))
        .map(|h| {
            let position = snap
                .range(ward_compiler::diagnostics::Span::new(h.offset, h.offset))
                .start;
            InlayHint {
                position,
                label: InlayHintLabel::String(h.label),
                kind: (h.kind == HintKind::Type).then_some(InlayHintKind::TYPE),
                // Accepting a capability hint writes the clause it shows.
                text_edits: h.insert.map(|new_text| {
                    vec![TextEdit {
                        range: Range {
                            start: position,
                            end: position,
                        },
                        new_text,
                    }]
                }),
                tooltip: h.tooltip.map(|value| {
                    InlayHintTooltip::MarkupContent(MarkupContent {
                        kind: MarkupKind::Markdown,
                        value,
                    })
                }),
                padding_left: Some(h.pad_left),
                padding_right: Some(h.pad_right),
                data: None,
            }
        })
        .collect())
}

//! `textDocument/completion` and `completionItem/resolve`. Proposals come
//! from `compiler::ide::completion` over an analysis with a placeholder at
//! the cursor; the item's documentation is filled in on resolve, from the
//! same analysis (kept until the next completion request).

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::{
    CompletionItem, CompletionItemKind, CompletionList, CompletionResponse, CompletionTextEdit,
    Documentation, InsertTextFormat, MarkupContent, MarkupKind, TextEdit, Uri,
};
use ward_compiler::ide::completion::{self, Kind};
use ward_compiler::resolve::DefId;

use super::snapshot::Placeholder;

/// What an item carries to `completionItem/resolve`.
#[derive(Debug, Serialize, Deserialize)]
struct ResolveData {
    uri: Uri,
    version: i32,
    def: u32,
}

pub fn completion(p: &Placeholder, snippets: bool) -> CompletionResponse {
    let found = completion::completions(&p.analysis, p.file, p.offset, snippets);
    let replace = p.range(found.replace);
    let items = found
        .items
        .into_iter()
        .map(|c| {
            let (new_text, format) = match &c.snippet {
                Some(s) => (s.clone(), InsertTextFormat::SNIPPET),
                None => (c.label.clone(), InsertTextFormat::PLAIN_TEXT),
            };
            CompletionItem {
                sort_text: Some(format!("{}{}", c.rank, c.label)),
                kind: Some(kind(c.kind)),
                detail: c.detail,
                text_edit: Some(CompletionTextEdit::Edit(TextEdit {
                    range: replace,
                    new_text,
                })),
                insert_text_format: Some(format),
                data: c.def.and_then(|d| {
                    serde_json::to_value(ResolveData {
                        uri: p.uri.clone(),
                        version: p.version,
                        def: d.0,
                    })
                    .ok()
                }),
                label: c.label,
                ..CompletionItem::default()
            }
        })
        .collect();
    CompletionResponse::List(CompletionList {
        is_incomplete: false,
        items,
    })
}

/// Adds the item's documentation when the analysis it came from is still
/// the last one; otherwise the item is returned as it was.
pub fn resolve(mut item: CompletionItem, last: Option<&Placeholder>) -> CompletionItem {
    let Some(data) = item
        .data
        .clone()
        .and_then(|d| serde_json::from_value::<ResolveData>(d).ok())
    else {
        return item;
    };
    let Some(p) = last.filter(|p| p.uri == data.uri && p.version == data.version) else {
        return item;
    };
    if (data.def as usize) < p.analysis.program.defs.len() {
        item.documentation = Some(Documentation::MarkupContent(MarkupContent {
            kind: MarkupKind::Markdown,
            value: completion::documentation(&p.analysis, DefId(data.def)),
        }));
    }
    item
}

fn kind(k: Kind) -> CompletionItemKind {
    match k {
        Kind::Local => CompletionItemKind::VARIABLE,
        Kind::Function => CompletionItemKind::FUNCTION,
        Kind::Method => CompletionItemKind::METHOD,
        Kind::Field => CompletionItemKind::FIELD,
        Kind::Struct | Kind::Type => CompletionItemKind::STRUCT,
        Kind::Enum => CompletionItemKind::ENUM,
        Kind::Variant => CompletionItemKind::ENUM_MEMBER,
        Kind::Const => CompletionItemKind::CONSTANT,
        Kind::Module => CompletionItemKind::MODULE,
        Kind::Keyword => CompletionItemKind::KEYWORD,
        Kind::Snippet => CompletionItemKind::SNIPPET,
    }
}

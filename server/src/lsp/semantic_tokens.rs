//! `textDocument/semanticTokens/full` and `…/full/delta`: every name,
//! classified by `compiler::ide::tokens`, with modifiers for mutable
//! bindings and for variables whose value was already moved.

use tower_lsp_server::ls_types::{
    SemanticToken, SemanticTokenModifier, SemanticTokenType, SemanticTokens, SemanticTokensDelta,
    SemanticTokensEdit, SemanticTokensLegend,
};
use ward_compiler::ide::tokens::{self, TokenKind};

use super::snapshot::Snapshot;

/// The legend's token types, in the order `kind_index` uses.
pub fn legend() -> SemanticTokensLegend {
    SemanticTokensLegend {
        token_types: vec![
            SemanticTokenType::NAMESPACE,
            SemanticTokenType::STRUCT,
            SemanticTokenType::ENUM,
            SemanticTokenType::ENUM_MEMBER,
            SemanticTokenType::FUNCTION,
            SemanticTokenType::METHOD,
            SemanticTokenType::PROPERTY,
            SemanticTokenType::VARIABLE,
            SemanticTokenType::PARAMETER,
        ],
        // Bit `i` of a token's modifiers is entry `i` (`tokens::modifier`).
        token_modifiers: vec![
            SemanticTokenModifier::DECLARATION,
            SemanticTokenModifier::new("mutable"),
            SemanticTokenModifier::new("moved"),
            SemanticTokenModifier::READONLY,
            SemanticTokenModifier::DEFAULT_LIBRARY,
        ],
    }
}

fn kind_index(kind: TokenKind) -> u32 {
    match kind {
        TokenKind::Namespace => 0,
        TokenKind::Struct => 1,
        TokenKind::Enum => 2,
        TokenKind::Variant => 3,
        TokenKind::Function => 4,
        TokenKind::Method => 5,
        TokenKind::Field => 6,
        TokenKind::Variable | TokenKind::Constant => 7,
        TokenKind::Parameter => 8,
    }
}

/// The document's tokens, encoded relative to each other as the protocol
/// asks (five integers per token).
pub fn encode(snap: &Snapshot) -> Vec<u32> {
    let mut data = Vec::new();
    let (mut line, mut col) = (0u32, 0u32);
    for t in tokens::tokens(&snap.analysis, snap.index(), snap.file) {
        let r = snap.range(t.span);
        if r.start.line != r.end.line || r.end.character <= r.start.character {
            continue;
        }
        let delta_line = r.start.line - line;
        let delta_start = if delta_line == 0 {
            r.start.character - col
        } else {
            r.start.character
        };
        data.extend([
            delta_line,
            delta_start,
            r.end.character - r.start.character,
            kind_index(t.kind),
            t.modifiers,
        ]);
        line = r.start.line;
        col = r.start.character;
    }
    data
}

pub fn full(data: &[u32], result_id: String) -> SemanticTokens {
    SemanticTokens {
        result_id: Some(result_id),
        data: as_tokens(data),
    }
}

fn as_tokens(data: &[u32]) -> Vec<SemanticToken> {
    data.chunks_exact(5)
        .map(|c| SemanticToken {
            delta_line: c[0],
            delta_start: c[1],
            length: c[2],
            token_type: c[3],
            token_modifiers_bitset: c[4],
        })
        .collect()
}

/// One edit turning `old` into `new`: the differing middle, found from the
/// common prefix and suffix (whole tokens, as the protocol requires).
pub fn delta(old: &[u32], new: &[u32], result_id: String) -> SemanticTokensDelta {
    let prefix = old
        .chunks_exact(5)
        .zip(new.chunks_exact(5))
        .take_while(|(a, b)| a == b)
        .count()
        * 5;
    let suffix = old[prefix..]
        .rchunks_exact(5)
        .zip(new[prefix..].rchunks_exact(5))
        .take_while(|(a, b)| a == b)
        .count()
        * 5;
    let edits = if prefix == old.len() && prefix == new.len() {
        Vec::new()
    } else {
        vec![SemanticTokensEdit {
            start: u32::try_from(prefix).unwrap_or(u32::MAX),
            delete_count: u32::try_from(old.len() - prefix - suffix).unwrap_or(u32::MAX),
            data: Some(as_tokens(&new[prefix..new.len() - suffix])),
        }]
    };
    SemanticTokensDelta {
        result_id: Some(result_id),
        edits,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn apply(old: &[u32], d: &SemanticTokensDelta) -> Vec<u32> {
        let mut out = old.to_vec();
        for e in &d.edits {
            let start = e.start as usize;
            let new: Vec<u32> = e
                .data
                .iter()
                .flatten()
                .flat_map(|t| {
                    [
                        t.delta_line,
                        t.delta_start,
                        t.length,
                        t.token_type,
                        t.token_modifiers_bitset,
                    ]
                })
                .collect();
            out.splice(start..start + e.delete_count as usize, new);
        }
        out
    }

    #[test]
    fn deltas_rebuild_the_new_tokens() {
        let a: Vec<u32> = (0..40).collect();
        let mut b = a.clone();
        b.splice(10..15, [9, 9, 9, 9, 9, 8, 8, 8, 8, 8]);
        for (old, new) in [(&a, &b), (&b, &a), (&a, &a), (&a, &Vec::new())] {
            let d = delta(old, new, "2".into());
            assert_eq!(&apply(old, &d), new);
        }
        assert!(delta(&a, &a, "3".into()).edits.is_empty());
    }
}

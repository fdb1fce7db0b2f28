//! Semantic classification of every name: what kind of thing it is, and
//! whether it is mutable or already moved at that point.

use std::collections::HashMap;

use super::index::{Access, Index, Target};
use crate::analysis::Analysis;
use crate::borrowck::FnFacts;
use crate::diagnostics::{FileId, Span};
use crate::resolve::{DefId, DefKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Namespace,
    Struct,
    Enum,
    Variant,
    Function,
    Method,
    Field,
    Variable,
    Parameter,
    Constant,
}

/// Token modifiers, as bits.
pub mod modifier {
    pub const DECLARATION: u32 = 1;
    pub const MUTABLE: u32 = 1 << 1;
    /// A variable whose value was moved out before this point.
    pub const MOVED: u32 = 1 << 2;
    pub const READONLY: u32 = 1 << 3;
    /// From the standard library.
    pub const DEFAULT_LIBRARY: u32 = 1 << 4;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub span: Span,
    pub kind: TokenKind,
    pub modifiers: u32,
}

/// The names of `file`, classified, in source order.
pub fn tokens(analysis: &Analysis, index: &Index, file: FileId) -> Vec<Token> {
    let program = &analysis.program;
    let facts: HashMap<DefId, &FnFacts> = analysis
        .facts
        .iter()
        .filter_map(|f| Some((f.def?, &**f)))
        .collect();
    let mut out: Vec<Token> = Vec::new();
    for o in index.in_file(file) {
        let mut modifiers = 0;
        if o.access == Access::Decl {
            modifiers |= modifier::DECLARATION;
        }
        let kind = match &o.target {
            Target::Local { owner, local } => {
                let body = analysis.typed.bodies.get(owner);
                let Some(l) = body.and_then(|b| b.locals.get(local.0 as usize)) else {
                    continue;
                };
                if l.mutable {
                    modifiers |= modifier::MUTABLE;
                }
                if o.access != Access::Decl
                    && let Some(f) = facts.get(owner)
                    && super::hover::moved_before(f, &l.name, o.span.start)
                {
                    modifiers |= modifier::MOVED;
                }
                let is_param = match &program.def(*owner).kind {
                    DefKind::Fn(f) => f.body.params.iter().any(|p| l.pat == Some(p.pat)),
                    _ => false,
                };
                if is_param {
                    TokenKind::Parameter
                } else {
                    TokenKind::Variable
                }
            }
            Target::Def(d) => {
                let def = program.def(*d);
                if program.is_std_def(*d) {
                    modifiers |= modifier::DEFAULT_LIBRARY;
                }
                match def.kind {
                    DefKind::Fn(_) if def.owner.is_some() => TokenKind::Method,
                    DefKind::Fn(_) => TokenKind::Function,
                    DefKind::Struct(_) => TokenKind::Struct,
                    DefKind::Enum(_) => TokenKind::Enum,
                    DefKind::Variant { .. } => TokenKind::Variant,
                    DefKind::Const(_) => {
                        modifiers |= modifier::READONLY;
                        TokenKind::Constant
                    }
                    DefKind::Module(_) => TokenKind::Namespace,
                }
            }
            Target::Field { .. } => TokenKind::Field,
        };
        // At a shorthand field the local is the one shown.
        if out.last().is_some_and(|t| t.span == o.span) {
            if matches!(o.target, Target::Local { .. })
                && let Some(last) = out.last_mut()
            {
                *last = Token {
                    span: o.span,
                    kind,
                    modifiers,
                };
            }
            continue;
        }
        out.push(Token {
            span: o.span,
            kind,
            modifiers,
        });
    }
    out
}

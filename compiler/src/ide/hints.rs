//! Inlay hints: what the compiler inferred and the source does not say.
//! Types of `let` bindings and closure parameters, the lifetimes elision
//! chose, where values are dropped implicitly, and the capabilities a
//! private function was inferred to need (`ide::caps`).

use crate::analysis::Analysis;
use crate::borrowck::{DropKind, FnFacts};
use crate::diagnostics::FileId;
use crate::resolve::{DefId, DefKind};
use crate::syntax::ast::{Body, ExprKind, PatKind, Stmt};
use crate::types::ty::display;
use crate::types::{BodyTypes, Ty};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HintKind {
    Type,
    Lifetime,
    Drop,
    /// A private function's inferred `uses` clause.
    Capabilities,
    /// A zone's computed worst case: `≤ 1 216 B of 4 096 B`.
    Zone,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    /// The byte offset the hint is shown at.
    pub offset: u32,
    pub label: String,
    pub kind: HintKind,
    pub pad_left: bool,
    pub pad_right: bool,
    /// For lifetimes: the function has a single elided lifetime, which
    /// `skipTrivial` hides.
    pub trivial: bool,
    /// Why the hint says what it says (Markdown).
    pub tooltip: Option<String>,
    /// Text that accepting the hint inserts at `offset`.
    pub insert: Option<String>,
}

/// Every hint in `file`, in source order.
pub fn hints(analysis: &Analysis, file: FileId) -> Vec<Hint> {
    let program = &analysis.program;
    let facts: std::collections::HashMap<DefId, &FnFacts> = analysis
        .facts
        .iter()
        .filter(|f| f.file == file)
        .filter_map(|f| Some((f.def?, &**f)))
        .collect();
    let mut out = Vec::new();
    for (id, def) in program.defs_with_ids() {
        if def.file != file {
            continue;
        }
        let body = match &def.kind {
            DefKind::Fn(f) => {
                if let Some(facts) = facts.get(&id) {
                    lifetimes(analysis, id, f, facts, &mut out);
                }
                &f.body
            }
            DefKind::Const(c) => &c.body,
            _ => continue,
        };
        if let Some(types) = analysis.typed.bodies.get(&id) {
            binding_types(analysis, body, types, &mut out);
        }
        if let Some(facts) = facts.get(&id) {
            drops(facts, &mut out);
        }
    }
    super::caps::hints(analysis, file, &mut out);
    zones(analysis, file, &mut out);
    out.sort_by_key(|h| h.offset);
    out
}

/// Each zone's worst case, before its body.
fn zones(analysis: &Analysis, file: FileId, out: &mut Vec<Hint>) {
    for zone in analysis.realtime.zones.iter().filter(|z| z.file == file) {
        out.push(Hint {
            offset: zone.body_start,
            label: crate::realtime::hint_text(zone),
            kind: HintKind::Zone,
            pad_left: false,
            pad_right: true,
            trivial: false,
            tooltip: Some(crate::realtime::derivation(zone)),
            insert: None,
        });
    }
}

/// Whether a type is worth showing: known, and not an inference leftover.
fn shown(ty: &Ty) -> bool {
    !ty.references_error() && !ty.has_vars()
}

fn binding_types(analysis: &Analysis, body: &Body, types: &BodyTypes, out: &mut Vec<Hint>) {
    let program = &analysis.program;
    // Patterns whose bindings get type hints: `let` without a type and
    // closure parameters without one.
    let mut roots = Vec::new();
    for e in &body.exprs {
        match &e.kind {
            ExprKind::Block(block) => {
                for s in &block.stmts {
                    if let Stmt::Let { pat, ty: None, .. } = s {
                        roots.push(*pat);
                    }
                }
            }
            ExprKind::Closure { params, .. } => {
                roots.extend(params.iter().filter(|p| p.ty.is_none()).map(|p| p.pat));
            }
            _ => {}
        }
    }
    for root in roots {
        let span = body.pat(root).span;
        for (i, p) in body.pats.iter().enumerate() {
            let PatKind::Ident {
                name, sub: None, ..
            } = &p.kind
            else {
                continue;
            };
            if p.span.start < span.start || p.span.end > span.end {
                continue;
            }
            let id = crate::syntax::ast::PatId(u32::try_from(i).unwrap_or(u32::MAX));
            let Some(local) = types.pat_locals.get(&id) else {
                continue;
            };
            let Some(l) = types.locals.get(local.0 as usize) else {
                continue;
            };
            if !shown(&l.ty) {
                continue;
            }
            out.push(Hint {
                offset: name.span.end,
                label: format!(": {}", display(program, &l.ty)),
                kind: HintKind::Type,
                pad_left: false,
                pad_right: false,
                trivial: false,
                tooltip: None,
                insert: None,
            });
        }
    }
}

fn lifetimes(
    analysis: &Analysis,
    def: DefId,
    f: &crate::syntax::ast::Function,
    facts: &FnFacts,
    out: &mut Vec<Hint>,
) {
    if facts.elided.is_empty() {
        return;
    }
    let mut names: Vec<&str> = Vec::new();
    for e in &facts.elided {
        if !names.contains(&e.name.as_str()) {
            names.push(&e.name);
        }
    }
    let trivial = names.len() == 1;
    for e in &facts.elided {
        out.push(Hint {
            offset: e.at.start,
            label: e.text.trim().to_string(),
            kind: HintKind::Lifetime,
            pad_left: false,
            pad_right: e.text.ends_with(' '),
            trivial,
            tooltip: None,
            insert: None,
        });
    }
    // The names elision introduced, declared after the function's name:
    // `fn first<'1>(…)` or `fn map<'1, T>(…)`.
    let text = &analysis.program.file(analysis.program.def(def).file).text;
    let after = f.name.span.end;
    let has_generics = text
        .get(after as usize..)
        .is_some_and(|rest| rest.trim_start().starts_with('<'));
    let list = names.join(", ");
    let (offset, label) = if has_generics {
        let lt = text[after as usize..]
            .find('<')
            .map_or(after, |i| after + u32::try_from(i + 1).unwrap_or(0));
        (lt, format!("{list}, "))
    } else {
        (after, format!("<{list}>"))
    };
    out.push(Hint {
        offset,
        label,
        kind: HintKind::Lifetime,
        pad_left: false,
        pad_right: false,
        trivial,
        tooltip: None,
        insert: None,
    });
}

fn drops(facts: &FnFacts, out: &mut Vec<Hint>) {
    // Values leave a scope in reverse order of declaration.
    let mut in_order: Vec<_> = facts.drops.iter().collect();
    in_order.sort_by_key(|d| (d.span.start, std::cmp::Reverse(d.local.0)));
    for d in in_order {
        let Some(place) = &d.place else { continue };
        let label = match d.kind {
            DropKind::Static => format!("drop({place})"),
            DropKind::Flagged => format!("drop({place}) if not moved"),
            DropKind::Open => format!("drop(rest of {place})"),
            DropKind::Dead => continue,
        };
        out.push(Hint {
            offset: d.span.start,
            label,
            kind: HintKind::Drop,
            pad_left: false,
            pad_right: true,
            trivial: false,
            tooltip: None,
            insert: None,
        });
    }
}

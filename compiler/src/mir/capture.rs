//! Closure capture analysis (Rust 2021): a closure captures the precise
//! places it uses — `p.x`, not all of `p` — each in the weakest mode its
//! uses allow (shared borrow, unique borrow, or by value), or everything by
//! value for a `move` closure. The closure body is built first with
//! placeholder locals for the variables of the enclosing body; this pass
//! decides the captures and rewrites the body to use them.

use super::visit::{PlaceUse, for_each_place_mut};
use super::{Body, BorrowKind, CaptureKind, DerefKind, Local, LocalKind, Place, Proj};
use crate::diagnostics::Span;
use crate::resolve::Program;
use crate::types::LocalId;
use crate::types::TypedProgram;
use crate::types::ty::Ty;
use crate::{FxHashMap as HashMap, FxHashSet as HashSet};

/// A capture, in terms of the enclosing variable.
#[derive(Debug, Clone)]
pub struct CaptureInfo {
    pub source: LocalId,
    /// The path below the variable (fields and derefs).
    pub proj: Vec<Proj>,
    pub kind: CaptureKind,
    /// The closure body's local holding the capture.
    pub local: Local,
    pub use_span: Span,
    pub name: String,
    /// A unique borrow whose first reason is an assignment (`n += 1`), not
    /// a `&mut` use: rustc reports a missing `mut` on it as E0594.
    pub for_store: bool,
}

fn rank(k: CaptureKind) -> u8 {
    match k {
        CaptureKind::Ref => 0,
        CaptureKind::MutRef => 1,
        CaptureKind::Value => 2,
    }
}

/// Decides the captures of `body` (whose placeholders are `outer`) and
/// rewrites its places to go through them.
pub fn analyze(
    program: &Program,
    typed: &TypedProgram,
    body: &mut Body,
    outer: &HashMap<LocalId, Local>,
    is_move: bool,
    non_copy_closures: &HashSet<Local>,
) -> Vec<CaptureInfo> {
    if outer.is_empty() {
        return Vec::new();
    }
    let source_of: HashMap<Local, LocalId> = outer.iter().map(|(id, l)| (*l, *id)).collect();
    // 1. Every use of a placeholder-rooted place, with the mode it needs.
    let mut uses: Vec<(Local, Vec<Proj>, CaptureKind, Span)> = Vec::new();
    // The uses that need a unique borrow, and whether each is a store.
    let mut unique_uses: Vec<(Local, Vec<Proj>, Span, bool)> = Vec::new();
    for_each_place_mut(body, &mut |place, how, span| {
        if !source_of.contains_key(&place.local) {
            return;
        }
        let kind = match how {
            PlaceUse::Move => CaptureKind::Value,
            PlaceUse::Borrow(BorrowKind::Mut { .. }) | PlaceUse::Store | PlaceUse::Drop => {
                CaptureKind::MutRef
            }
            _ => CaptureKind::Ref,
        };
        let kind = if is_move { CaptureKind::Value } else { kind };
        // Truncate: indices and variants are never captured precisely; a
        // by-value capture stops at the first deref.
        let mut proj = Vec::new();
        for p in &place.proj {
            match p {
                Proj::Index(_) | Proj::ConstIndex { .. } | Proj::Downcast(_) => break,
                Proj::Deref(_) if kind == CaptureKind::Value => break,
                _ => proj.push(p.clone()),
            }
        }
        if matches!(
            how,
            PlaceUse::Borrow(BorrowKind::Mut { .. }) | PlaceUse::Store | PlaceUse::Drop
        ) {
            unique_uses.push((place.local, proj.clone(), span, how == PlaceUse::Store));
        }
        uses.push((place.local, proj, kind, span));
    });
    // 2. Merge: a place whose ancestor is captured is covered by it.
    let mut caps: Vec<(Local, Vec<Proj>, CaptureKind, Span)> = Vec::new();
    for (root, proj, kind, span) in uses {
        let mut merged = false;
        for c in &mut caps {
            if c.0 != root {
                continue;
            }
            if proj.starts_with(&c.1) {
                if rank(kind) > rank(c.2) {
                    c.2 = kind;
                }
                merged = true;
                break;
            }
        }
        if merged {
            continue;
        }
        // This one may cover captures found before.
        let mut strongest = kind;
        let mut first_span = span;
        caps.retain(|c| {
            if c.0 == root && c.1.starts_with(&proj) {
                if rank(c.2) > rank(strongest) {
                    strongest = c.2;
                }
                first_span = first_span.min(c.3);
                false
            } else {
                true
            }
        });
        caps.push((root, proj, strongest, first_span));
    }
    caps.sort_by_key(|c| c.3.start);
    // A by-value capture of a Copy place is a copy; a non-move closure
    // only reads it, so it borrows instead (as Rust does). A closure that
    // cannot be copied is moved in (a call that consumes it).
    for c in &mut caps {
        let place = Place {
            local: c.0,
            proj: c.1.clone(),
        };
        let ty = super::place_ty(program, typed, body, &place);
        if c.2 == CaptureKind::Value
            && !is_move
            && !(c.1.is_empty() && non_copy_closures.contains(&c.0))
            && crate::types::ty::is_copy(program, &typed.adts, &ty)
        {
            c.2 = CaptureKind::Ref;
        }
    }
    // 3. Upvar locals: the first capture of a variable reuses its
    // placeholder.
    // Every capture's type and name is read before any placeholder is
    // replaced: two captures of one variable (`r.bed`, `r.label`) both
    // start from the variable's own declaration.
    let described: Vec<(Ty, super::LocalDecl, String)> = caps
        .iter()
        .map(|(root, proj, _, _)| {
            let place = Place {
                local: *root,
                proj: proj.clone(),
            };
            let ty = super::place_ty(program, typed, body, &place);
            let decl = body.local(*root).clone();
            let base_name = decl.name().unwrap_or("_").to_string();
            let name = capture_name(&base_name, proj, program, typed, body, *root);
            (ty, decl, name)
        })
        .collect();
    let mut out = Vec::new();
    let mut used_placeholder: Vec<Local> = Vec::new();
    for (i, ((root, proj, kind, span), (ty, decl, name))) in caps.iter().zip(described).enumerate()
    {
        let upvar_ty = match kind {
            CaptureKind::Value => ty,
            CaptureKind::Ref => Ty::Ref(false, Box::new(ty)),
            CaptureKind::MutRef => Ty::Ref(true, Box::new(ty)),
        };
        let kind_decl = LocalKind::Upvar {
            name: name.clone(),
            capture: i as u32,
        };
        let local = if used_placeholder.contains(root) {
            let l = Local(body.locals.len() as u32);
            body.locals.push(super::LocalDecl {
                ty: upvar_ty,
                mutable: decl.mutable,
                kind: kind_decl,
                span: decl.span,
            });
            l
        } else {
            used_placeholder.push(*root);
            body.locals[root.index()] = super::LocalDecl {
                ty: upvar_ty,
                mutable: decl.mutable,
                kind: kind_decl,
                span: decl.span,
            };
            *root
        };
        let for_store = *kind == CaptureKind::MutRef
            && unique_uses
                .iter()
                .filter(|u| u.0 == *root && u.1.starts_with(proj))
                .min_by_key(|u| u.2.start)
                .is_some_and(|u| u.3);
        out.push(CaptureInfo {
            source: source_of[root],
            proj: proj.clone(),
            kind: *kind,
            local,
            use_span: *span,
            name,
            for_store,
        });
    }
    // 4. Rewrite every placeholder-rooted place through its capture.
    for_each_place_mut(body, &mut |place, _, _| {
        if !source_of.contains_key(&place.local) {
            return;
        }
        let Some(c) = out
            .iter()
            .filter(|c| {
                source_of.get(&place.local) == Some(&c.source) && place.proj.starts_with(&c.proj)
            })
            .max_by_key(|c| c.proj.len())
        else {
            return;
        };
        let mut proj = Vec::new();
        match c.kind {
            CaptureKind::Ref => proj.push(Proj::Deref(DerefKind::Shared)),
            CaptureKind::MutRef => proj.push(Proj::Deref(DerefKind::Mut)),
            CaptureKind::Value => {}
        }
        proj.extend_from_slice(&place.proj[c.proj.len()..]);
        *place = Place {
            local: c.local,
            proj,
        };
    });
    out
}

/// `p.x` for a capture of field `x` of `p`.
fn capture_name(
    base: &str,
    proj: &[Proj],
    program: &Program,
    typed: &TypedProgram,
    body: &Body,
    root: Local,
) -> String {
    let mut name = base.to_string();
    let mut ty = body.local(root).ty.clone();
    let mut variant = None;
    for p in proj {
        match p {
            Proj::Field(i) => {
                let field = match &ty {
                    Ty::Adt(d, _) => typed
                        .adts
                        .fields
                        .get(&variant.unwrap_or(*d))
                        .and_then(|f| f.get(*i as usize))
                        .map_or_else(|| i.to_string(), |f| f.name.clone()),
                    _ => i.to_string(),
                };
                name = format!("{name}.{field}");
            }
            Proj::Deref(_) => name = format!("*{name}"),
            _ => {}
        }
        ty = super::project_ty(program, typed, &ty, p, &mut variant);
    }
    name
}

/// What calling a closure does to it, as Rust's closure traits: `Fn`
/// reads its captures, `FnMut` changes them (so a call borrows the closure
/// uniquely), `FnOnce` moves one out (so a call consumes the closure).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClosureKind {
    Fn,
    FnMut,
    FnOnce,
}

impl ClosureKind {
    /// The trait's name, as messages write it.
    pub fn name(self) -> &'static str {
        match self {
            ClosureKind::Fn => "Fn",
            ClosureKind::FnMut => "FnMut",
            ClosureKind::FnOnce => "FnOnce",
        }
    }
}

/// What a closure value is: its kind, and whether it can be copied (every
/// capture a shared borrow or a Copy value).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClosureValue {
    pub kind: ClosureKind,
    pub copy: bool,
    /// Every by-value capture is `Send` (it may run on another task).
    pub send: bool,
}

impl ClosureValue {
    /// The value of a variable assigned different closures on different
    /// paths: the strongest kind, copyable only if all are.
    pub fn join(self, other: ClosureValue) -> ClosureValue {
        ClosureValue {
            kind: self.kind.max(other.kind),
            copy: self.copy && other.copy,
            send: self.send && other.send,
        }
    }
}

/// What a closure's body does to a capture that makes it `FnMut` or
/// `FnOnce`.
#[derive(Debug, Clone)]
pub struct KindWitness {
    pub kind: ClosureKind,
    pub span: Span,
    pub how: WitnessUse,
    /// The captured variable (or path) as the source names it.
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WitnessUse {
    Assign,
    MutBorrow,
    Move,
}

/// The uses in a closure's body that make it more than `Fn`, in source
/// order: assignments and `&mut` borrows of captures (`FnMut`), moves out
/// of by-value captures (`FnOnce`).
pub fn kind_witnesses(body: &Body) -> Vec<KindWitness> {
    let mut found_all: Vec<KindWitness> = Vec::new();
    for_each_capture_use(body, |c, place, how, span, cleanup| {
        if cleanup {
            return;
        }
        let through_deref = place.proj.iter().any(|p| matches!(p, Proj::Deref(_)));
        let found = match (c.kind, how) {
            (CaptureKind::Value, PlaceUse::Move) if !through_deref => {
                Some((ClosureKind::FnOnce, WitnessUse::Move))
            }
            (CaptureKind::Value | CaptureKind::MutRef, PlaceUse::Store) => {
                Some((ClosureKind::FnMut, WitnessUse::Assign))
            }
            (
                CaptureKind::Value | CaptureKind::MutRef,
                PlaceUse::Borrow(BorrowKind::Mut { .. }),
            ) => Some((ClosureKind::FnMut, WitnessUse::MutBorrow)),
            _ => None,
        };
        if let Some((kind, how)) = found
            && !found_all.iter().any(|w| w.span == span)
        {
            found_all.push(KindWitness {
                kind,
                span,
                how,
                name: c.name.clone(),
            });
        }
    });
    found_all.sort_by_key(|w| w.span.start);
    found_all
}

/// Calls `f` for each use or store of a captured variable in a closure's
/// body: the capture, the place, how it is used, where, and whether the
/// block is cleanup.
fn for_each_capture_use(
    body: &Body,
    mut f: impl FnMut(&super::Capture, &Place, PlaceUse, Span, bool),
) {
    let mut events = Vec::new();
    for (bi, block) in body.blocks.iter().enumerate() {
        for i in 0..=block.statements.len() {
            let loc = super::Location {
                block: super::BlockId(bi as u32),
                index: i as u32,
            };
            super::visit::events_at(body, loc, &mut events);
            for ev in &events {
                let (place, how, span) = match ev {
                    super::visit::Event::Use(place, how, span) => (place, *how, *span),
                    super::visit::Event::Stored(place, span) => (place, PlaceUse::Store, *span),
                    _ => continue,
                };
                if let Some(c) = body.captures.iter().find(|c| c.local == place.local) {
                    f(c, place, how, span, block.cleanup);
                }
            }
        }
    }
}

/// The kind and copyability of a closure whose captures are decided.
pub fn closure_value(program: &Program, typed: &TypedProgram, body: &Body) -> ClosureValue {
    let mut kind = ClosureKind::Fn;
    let mut copy = true;
    let mut send = true;
    for c in &body.captures {
        let ty = &body.local(c.local).ty;
        match c.kind {
            CaptureKind::Ref => {}
            CaptureKind::MutRef => {
                copy = false;
                kind = ClosureKind::FnMut;
            }
            CaptureKind::Value => {
                copy &= crate::types::ty::is_copy(program, &typed.adts, ty);
                send &= crate::types::ty::send_witness(program, &typed.adts, ty).is_none();
            }
        }
    }
    // A by-value capture moved out of makes the closure FnOnce; one
    // changed in place makes it FnMut. Through a deref the capture itself
    // is not consumed.
    for_each_capture_use(body, |c, place, how, _, _| {
        if c.kind != CaptureKind::Value || place.proj.iter().any(|p| matches!(p, Proj::Deref(_))) {
            return;
        }
        let needs = match how {
            PlaceUse::Move => ClosureKind::FnOnce,
            PlaceUse::Store | PlaceUse::Drop | PlaceUse::Borrow(BorrowKind::Mut { .. }) => {
                ClosureKind::FnMut
            }
            _ => ClosureKind::Fn,
        };
        kind = kind.max(needs);
    });
    ClosureValue { kind, copy, send }
}

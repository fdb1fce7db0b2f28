//! Mutability: a `&mut` borrow (explicit, or the auto-ref of a `&mut self`
//! receiver) needs a mutable place (W0596); an assignment to a field or
//! through a reference needs one too (W0594). Assigning a whole binding
//! twice is the initialisation analysis' W0384.

use super::BodyCx;
use super::InsertFix as _;
use crate::diagnostics::{Diagnostic, Span, codes};
use crate::mir::visit::{Event, PlaceUse};
use crate::mir::{
    BlockId, DerefKind, LocalKind, Location, Place, Proj, Rvalue, StatementKind, TempKind,
};

enum Blame {
    /// The root binding is not `mut`.
    Binding,
    /// A `&` reference (the place up to that deref) is in the way.
    SharedRef(Place),
    /// An overloaded deref (`Gc<T>`) is in the way.
    Gc,
}

/// Why `place` cannot be mutated, if it cannot.
fn blame(cx: &BodyCx<'_>, place: &Place) -> Option<Blame> {
    let decl = cx.body.local(place.local);
    // The last deref decides: through `&mut`, the binding need not be mut.
    let last_deref = place.proj.iter().rposition(|p| matches!(p, Proj::Deref(_)));
    match last_deref {
        None => {
            let mutable = decl.mutable
                || matches!(
                    decl.kind,
                    LocalKind::Temp(_) | LocalKind::Return | LocalKind::Arg
                );
            (!mutable).then_some(Blame::Binding)
        }
        Some(i) => {
            if matches!(decl.kind, LocalKind::Temp(TempKind::Deref)) && i == 0 {
                return Some(Blame::Gc);
            }
            // Every deref on the way must be unique.
            for (k, p) in place.proj.iter().enumerate().take(i + 1).rev() {
                if *p == Proj::Deref(DerefKind::Shared) {
                    return Some(Blame::SharedRef(Place {
                        local: place.local,
                        proj: place.proj[..k].to_vec(),
                    }));
                }
            }
            None
        }
    }
}

pub fn check(cx: &BodyCx<'_>, diags: &mut Vec<Diagnostic>) {
    let d = cx.describer();
    for (bi, block) in cx.body.blocks.iter().enumerate() {
        if block.cleanup {
            continue;
        }
        for i in 0..=block.statements.len() {
            let loc = Location {
                block: BlockId(bi as u32),
                index: i as u32,
            };
            for ev in cx.events.at(loc) {
                let (place, span, write) = match ev {
                    Event::Use(p, PlaceUse::Borrow(k), span) if k.is_mut() => {
                        (*p, *span, captured_for_store(cx, loc))
                    }
                    Event::Stored(p, span) if !p.proj.is_empty() => (*p, *span, true),
                    _ => continue,
                };
                let Some(why) = blame(cx, place) else {
                    continue;
                };
                // The borrow behind `v[i] = x` reads as an assignment to `v`.
                let decl = cx.body.local(place.local);
                let shown = d.place(place);
                let Some(shown) = shown else {
                    if matches!(decl.kind, LocalKind::Temp(TempKind::Index)) {
                        continue;
                    }
                    continue;
                };
                diags.push(diagnose(cx, &d, place, &shown, span, write, why));
            }
        }
    }
}

/// Whether the statement at `loc` is a closure's unique borrow of a
/// capture it assigns to (reported as an assignment, as rustc does).
fn captured_for_store(cx: &BodyCx<'_>, loc: Location) -> bool {
    let block = &cx.body.blocks[loc.block.index()];
    block.statements.get(loc.index as usize).is_some_and(|st| {
        matches!(&st.kind, StatementKind::Assign(dest, Rvalue::Ref(..))
            if dest.proj.is_empty()
                && matches!(cx.body.local(dest.local).kind, LocalKind::Temp(TempKind::CaptureForStore)))
    })
}

fn diagnose(
    cx: &BodyCx<'_>,
    d: &super::describe::Describer<'_>,
    place: &Place,
    shown: &str,
    span: Span,
    write: bool,
    why: Blame,
) -> Diagnostic {
    let decl = cx.body.local(place.local);
    let (code, action, label) = if write {
        (
            codes::ASSIGN_TO_IMMUTABLE,
            format!("cannot assign to `{shown}`"),
            "cannot assign",
        )
    } else {
        (
            codes::BORROW_MUT_OF_IMMUTABLE,
            format!("cannot borrow `{shown}` as mutable"),
            "cannot borrow as mutable",
        )
    };
    match why {
        Blame::Binding => {
            let root = decl.name().unwrap_or("_").to_string();
            let message = if root == shown {
                format!("{action}, as it is not declared as mutable")
            } else {
                format!("{action}, as `{root}` is not declared as mutable")
            };
            let mut diag = Diagnostic::error(code, cx.fs(span), message).with_label(label);
            if matches!(decl.kind, LocalKind::User { .. }) && root != "self" {
                diag = diag.with_insert(
                    cx.fs(decl.span.shrink_to_lo()),
                    "mut ".to_string(),
                    "consider changing this to be mutable",
                );
            }
            diag
        }
        Blame::SharedRef(r) => {
            let rname = d.place(&r).unwrap_or_else(|| "reference".into());
            let message = format!("{action}, which is behind a `&` reference");
            let what = if write {
                "written"
            } else {
                "borrowed as mutable"
            };
            Diagnostic::error(code, cx.fs(span), message).with_label(format!(
                "`{rname}` is a `&` reference, so the data it refers to cannot be {what}"
            ))
        }
        Blame::Gc => {
            let ty = cx
                .origins
                .borrowed
                .get(&place.local)
                .map(|b| d.ty(&d.place_ty(b)))
                .unwrap_or_default();
            let message = if write {
                format!("cannot assign to data in a `{ty}`")
            } else {
                format!("cannot borrow data in a `{ty}` as mutable")
            };
            Diagnostic::error(code, cx.fs(span), message)
                .with_label(label)
                .with_help("a `Gc` gives shared access only; put a `RefCell` or `Cell` inside it to mutate")
        }
    }
}

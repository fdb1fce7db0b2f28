//! Walking every place a body mentions, with how it is used.

use super::{
    Body, BorrowKind, Callee, Operand, Place, Proj, Rvalue, StatementKind, TerminatorKind,
};
use crate::diagnostics::Span;

/// How a statement or terminator uses a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceUse {
    Copy,
    Move,
    Borrow(BorrowKind),
    /// Written by an assignment or as a call's destination.
    Store,
    Drop,
    /// Read without taking the value: discriminant, length, `match`
    /// scrutinee.
    Inspect,
    StorageLive,
    StorageDead,
}

/// Calls `f` for every place in the body, in execution order within each
/// statement (operands before the destination they are stored to).
pub fn for_each_place_mut(body: &mut Body, f: &mut impl FnMut(&mut Place, PlaceUse, Span)) {
    for block in &mut body.blocks {
        for st in &mut block.statements {
            let span = st.span;
            match &mut st.kind {
                StatementKind::Assign(dest, rv) => {
                    rvalue_places_mut(rv, span, f);
                    f(dest, PlaceUse::Store, span);
                }
                StatementKind::Drop(p) => f(p, PlaceUse::Drop, span),
                StatementKind::FakeRead(p) => f(p, PlaceUse::Inspect, span),
                StatementKind::ZoneEnter(Some(op)) => operand_mut(op, span, f),
                StatementKind::StorageLive(_)
                | StatementKind::StorageDead(_)
                | StatementKind::ZoneEnter(None)
                | StatementKind::ZoneExit
                | StatementKind::Nop => {}
            }
        }
        let span = block.terminator.span;
        match &mut block.terminator.kind {
            TerminatorKind::SwitchInt { discr, .. } => operand_mut(discr, span, f),
            TerminatorKind::Call {
                callee, args, dest, ..
            } => {
                if let Callee::Value(op) = callee {
                    operand_mut(op, span, f);
                }
                for a in args {
                    operand_mut(a, span, f);
                }
                f(dest, PlaceUse::Store, span);
            }
            _ => {}
        }
    }
}

fn operand_mut(op: &mut Operand, span: Span, f: &mut impl FnMut(&mut Place, PlaceUse, Span)) {
    match op {
        Operand::Copy(p) => f(p, PlaceUse::Copy, span),
        Operand::Move(p) => f(p, PlaceUse::Move, span),
        Operand::Const(_) => {}
    }
}

fn rvalue_places_mut(rv: &mut Rvalue, span: Span, f: &mut impl FnMut(&mut Place, PlaceUse, Span)) {
    match rv {
        Rvalue::Use(op) | Rvalue::Unary(_, op) | Rvalue::Cast(op, _) | Rvalue::Repeat(op, _) => {
            operand_mut(op, span, f);
        }
        Rvalue::Binary(_, a, b) => {
            operand_mut(a, span, f);
            operand_mut(b, span, f);
        }
        Rvalue::Aggregate(_, ops) => {
            for op in ops {
                operand_mut(op, span, f);
            }
        }
        Rvalue::Ref(kind, p) => f(p, PlaceUse::Borrow(*kind), span),
        Rvalue::Discriminant(p) | Rvalue::Len(p) => f(p, PlaceUse::Inspect, span),
    }
}

/// The locals a place reads besides its base: the index locals.
pub fn index_locals(place: &Place) -> impl Iterator<Item = super::Local> + '_ {
    place.proj.iter().filter_map(|p| match p {
        Proj::Index(l) => Some(*l),
        _ => None,
    })
}

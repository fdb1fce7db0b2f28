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

fn operand_mut(op: &mut Operand, _span: Span, f: &mut impl FnMut(&mut Place, PlaceUse, Span)) {
    match op {
        Operand::Copy(p, s) => f(p, PlaceUse::Copy, *s),
        Operand::Move(p, s) => f(p, PlaceUse::Move, *s),
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

/// One thing a statement or terminator does to places, in order.
#[derive(Debug, Clone, Copy)]
pub enum Event<'p> {
    /// The place is read, borrowed or inspected (checked before effects).
    Use(&'p Place, PlaceUse, Span),
    /// The value leaves the place (after its `Use`).
    Moved(&'p Place, Span),
    /// The place receives a value.
    Stored(&'p Place, Span),
    /// The value in the place is dropped (after its `Use`).
    Dropped(&'p Place, Span),
    /// The local's storage begins or ends: whatever it held is gone.
    StorageReset(super::Local, Span),
}

/// The events of the statement or terminator at `loc`, in order.
pub fn events_at<'p>(body: &'p Body, loc: super::Location, out: &mut Vec<Event<'p>>) {
    out.clear();
    let block = body.block(loc.block);
    if let Some(st) = block.statements.get(loc.index as usize) {
        let span = st.span;
        match &st.kind {
            StatementKind::Assign(dest, rv) => {
                rvalue_events(rv, span, out);
                out.push(Event::Stored(dest, span));
            }
            StatementKind::Drop(p) => {
                out.push(Event::Use(p, PlaceUse::Drop, span));
                out.push(Event::Dropped(p, span));
            }
            StatementKind::FakeRead(p) => out.push(Event::Use(p, PlaceUse::Inspect, span)),
            StatementKind::ZoneEnter(Some(op)) => operand_events(op, out),
            StatementKind::StorageLive(l) | StatementKind::StorageDead(l) => {
                out.push(Event::StorageReset(*l, span));
            }
            StatementKind::ZoneEnter(None) | StatementKind::ZoneExit | StatementKind::Nop => {}
        }
        return;
    }
    let span = block.terminator.span;
    match &block.terminator.kind {
        TerminatorKind::SwitchInt { discr, .. } => operand_events(discr, out),
        TerminatorKind::Call {
            callee, args, dest, ..
        } => {
            if let Callee::Value(op) = callee {
                operand_events(op, out);
            }
            for a in args {
                operand_events(a, out);
            }
            out.push(Event::Stored(dest, span));
        }
        _ => {}
    }
}

fn operand_events<'p>(op: &'p Operand, out: &mut Vec<Event<'p>>) {
    match op {
        Operand::Copy(p, s) => out.push(Event::Use(p, PlaceUse::Copy, *s)),
        Operand::Move(p, s) => {
            out.push(Event::Use(p, PlaceUse::Move, *s));
            out.push(Event::Moved(p, *s));
        }
        Operand::Const(_) => {}
    }
}

fn rvalue_events<'p>(rv: &'p Rvalue, span: Span, out: &mut Vec<Event<'p>>) {
    match rv {
        Rvalue::Use(op) | Rvalue::Unary(_, op) | Rvalue::Cast(op, _) | Rvalue::Repeat(op, _) => {
            operand_events(op, out);
        }
        Rvalue::Binary(_, a, b) => {
            operand_events(a, out);
            operand_events(b, out);
        }
        Rvalue::Aggregate(_, ops) => {
            for op in ops {
                operand_events(op, out);
            }
        }
        Rvalue::Ref(kind, p) => out.push(Event::Use(p, PlaceUse::Borrow(*kind), span)),
        Rvalue::Discriminant(p) | Rvalue::Len(p) => {
            out.push(Event::Use(p, PlaceUse::Inspect, span));
        }
    }
}

/// The events of every location of a body, computed once and shared by
/// the analyses (each walks the body several times).
#[derive(Debug)]
pub struct EventTable<'p> {
    events: Vec<Event<'p>>,
    /// Per point (block start + index): where its events begin.
    start: Vec<u32>,
    block_start: Vec<u32>,
}

impl<'p> EventTable<'p> {
    pub fn new(body: &'p Body) -> EventTable<'p> {
        let mut table = EventTable {
            events: Vec::new(),
            start: Vec::new(),
            block_start: Vec::with_capacity(body.blocks.len()),
        };
        let mut scratch = Vec::new();
        for (bi, block) in body.blocks.iter().enumerate() {
            table.block_start.push(table.start.len() as u32);
            for i in 0..=block.statements.len() {
                table.start.push(table.events.len() as u32);
                events_at(
                    body,
                    super::Location {
                        block: super::BlockId(bi as u32),
                        index: i as u32,
                    },
                    &mut scratch,
                );
                table.events.extend_from_slice(&scratch);
            }
        }
        table.start.push(table.events.len() as u32);
        table
    }

    /// Every event of the body, in block and statement order.
    pub fn all(&self) -> &[Event<'p>] {
        &self.events
    }

    pub fn at(&self, loc: super::Location) -> &[Event<'p>] {
        let p = self.block_start[loc.block.index()] as usize + loc.index as usize;
        &self.events[self.start[p] as usize..self.start[p + 1] as usize]
    }
}

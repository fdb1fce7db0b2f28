//! `for` loops without a heap allocation per step.
//!
//! The MIR of `for x in it { … }` is what the borrow checker needs: the
//! iterator in a local, and at the loop's header `next = IterNext(&mut
//! iter)` (an `Option`), a switch on its discriminant, and the body binding
//! `x` from `(next as Some).0`. Compiled as written, every step would build
//! a `Some` (a heap object) only to take it apart again.
//!
//! Before a body is compiled, [`fuse`] finds that shape and rewrites it in
//! the code generator's copy of the MIR (the borrow checker has run):
//!
//! 1. `next` holds the item itself (its type becomes the item's, and the
//!    places `(next as Some).0…` become `next…`); the discriminant test
//!    and the reference to the iterator disappear. The step becomes one
//!    instruction: `for_iter` gives the next item or jumps to the loop's
//!    exit, and the loop's back edge is `for_iter_loop`, which jumps to the
//!    body when there is an item (see `FnGen::rotate_loop`).
//! 2. When the body starts by moving or copying the item into the loop
//!    variable, the step writes the variable directly.
//! 3. When the iterator is a range built right before the loop (`a..b`,
//!    `a..=b`), no range or iterator object is made either: the iterator
//!    local becomes the current `int`, a second register holds the end,
//!    and the steps are `for_range` / `for_range_loop`.
//!
//! A loop whose MIR differs from that shape in any way (a `next` used
//! otherwise, a block reached from elsewhere) is compiled as written.

use std::collections::HashMap;

use crate::mir::visit::{Event, PlaceUse, events_at, for_each_place_mut, index_locals};
use crate::mir::{
    AggregateKind, BlockId, Body, Builtin, Callee, Local, LocalKind, Location, Operand, Proj,
    Rvalue, StatementKind, TempKind, TerminatorKind,
};
use crate::resolve::DefId;
use crate::resolve::{DefKind, Program};
use crate::types::ty::Ty;

/// One fused step, at the block whose terminator was the `IterNext` call.
#[derive(Debug, Clone, Copy)]
pub(super) struct Step {
    /// Where control goes with an item.
    pub body: BlockId,
    /// Where control goes when the iterator is exhausted.
    pub exit: BlockId,
    /// The local that receives the item.
    pub item: Local,
    /// The iterator's local: it holds the iterator, or for a range the
    /// current `int`.
    pub iter: Local,
    pub range: bool,
}

/// A range loop's start, at the block whose terminator was its `IntoIter`.
#[derive(Debug, Clone)]
pub(super) struct RangeStart {
    pub start: Operand,
    pub end: Operand,
    pub inclusive: bool,
    /// The iterator's local (the current `int`).
    pub iter: Local,
}

/// What [`fuse`] rewrote, for the code generator.
#[derive(Debug, Default)]
pub(super) struct Fused {
    pub steps: HashMap<usize, Step>,
    pub range_starts: HashMap<usize, RangeStart>,
    /// The body as the borrow checker saw it, when any loop was fused:
    /// the analyses codegen runs (where borrows end, where `Gc` locals die)
    /// need its control flow, in which each step's exit is an edge.
    pub original: Option<Body>,
    /// Each fused loop's former test block (now unreachable) and the two
    /// blocks it led to, with an item and without.
    pub tests: Vec<(usize, BlockId, BlockId)>,
}

/// Every use of each local: where (block, and statement index or
/// `statements.len()` for the terminator), how, and through which
/// projections. An index local counts as a plain copy.
type Uses = Vec<Vec<Use>>;

#[derive(Debug, Clone)]
struct Use {
    block: usize,
    index: usize,
    how: PlaceUse,
    proj: Vec<Proj>,
}

fn uses_of(body: &Body) -> Uses {
    let mut uses: Uses = vec![Vec::new(); body.locals.len()];
    let mut events = Vec::new();
    for (b, block) in body.blocks.iter().enumerate() {
        for index in 0..=block.statements.len() {
            let at = Location {
                block: BlockId(b as u32),
                index: index as u32,
            };
            events_at(body, at, &mut events);
            for event in &events {
                let (place, how) = match *event {
                    Event::Use(place, how, _) => (place, how),
                    Event::Stored(place, _) => (place, PlaceUse::Store),
                    // Storage markers count alike (both are bookkeeping).
                    Event::StorageReset(local, _) => {
                        uses[local.index()].push(Use {
                            block: b,
                            index,
                            how: PlaceUse::StorageLive,
                            proj: Vec::new(),
                        });
                        continue;
                    }
                    // The `Use` before each says it already.
                    Event::Moved(..) | Event::Dropped(..) => continue,
                };
                uses[place.local.index()].push(Use {
                    block: b,
                    index,
                    how,
                    proj: place.proj.clone(),
                });
                for local in index_locals(place) {
                    uses[local.index()].push(Use {
                        block: b,
                        index,
                        how: PlaceUse::Copy,
                        proj: Vec::new(),
                    });
                }
            }
        }
    }
    uses
}

/// Whether a use only marks storage or drops the whole local.
fn is_bookkeeping(u: &Use) -> bool {
    match u.how {
        PlaceUse::StorageLive | PlaceUse::StorageDead => true,
        PlaceUse::Drop => u.proj.is_empty(),
        _ => false,
    }
}

/// A fusion found by [`plan`], applied by [`apply`].
struct Plan {
    step_block: usize,
    test_block: usize,
    body: BlockId,
    exit: BlockId,
    next: Local,
    item_ty: Ty,
    some: DefId,
    iter: Local,
    /// The statement `reference = &mut iter` (block, index).
    reference_def: (usize, usize),
    /// The body's first statement `x = (next as Some).0` (block, index, x).
    binding: Option<(usize, usize, Local)>,
    range: Option<RangePlan>,
}

struct RangePlan {
    /// The block ending in `iter = IntoIter(move range)`, and the index
    /// of its last statement, `range = a..b`.
    block: usize,
    statement: usize,
    start: Operand,
    end: Operand,
    inclusive: bool,
}

/// Finds the `for` loops of `body` and rewrites them (see the module
/// docs). `captured`: the locals closures of this body capture.
pub(super) fn fuse(program: &Program, body: &mut Body, captured: &[Local]) -> Fused {
    let uses = uses_of(body);
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); body.blocks.len()];
    for (b, block) in body.blocks.iter().enumerate() {
        for s in block.terminator.successors().chain(block.unwind) {
            preds[s.index()].push(b);
        }
    }
    let plans: Vec<Plan> = (0..body.blocks.len())
        .filter_map(|b| plan(program, body, &uses, &preds, captured, b))
        .collect();
    let mut fused = Fused::default();
    if !plans.is_empty() {
        fused.original = Some(body.clone());
    }
    for p in plans {
        fused.tests.push((p.test_block, p.body, p.exit));
        apply(body, p, &mut fused);
    }
    fused
}

fn plan(
    program: &Program,
    body: &Body,
    uses: &Uses,
    preds: &[Vec<usize>],
    captured: &[Local],
    step: usize,
) -> Option<Plan> {
    let TerminatorKind::Call {
        callee: Callee::Builtin(Builtin::IterNext),
        args,
        dest,
        target: Some(test),
        ..
    } = &body.blocks[step].terminator.kind
    else {
        return None;
    };
    let [Operand::Move(reference, _)] = args.as_slice() else {
        return None;
    };
    let (reference, next) = (reference.as_local()?, dest.as_local()?);
    let test_at = test.index();
    let test_block = &body.blocks[test_at];
    if test_at == step || preds[test_at] != [step] || test_block.cleanup {
        return None;
    }
    // The test: `d = discriminant(next); switchInt(d) -> [k: body, otherwise: exit]`.
    let [st] = test_block.statements.as_slice() else {
        return None;
    };
    let StatementKind::Assign(discr, Rvalue::Discriminant(of)) = &st.kind else {
        return None;
    };
    let discr = discr.as_local()?;
    let TerminatorKind::SwitchInt {
        discr: Operand::Copy(switched, _),
        targets,
        otherwise: exit,
    } = &test_block.terminator.kind
    else {
        return None;
    };
    let [(k, body_block)] = targets.as_slice() else {
        return None;
    };
    if of.as_local() != Some(next)
        || switched.as_local() != Some(discr)
        || uses[discr.index()].len() != 2
        || *body_block == *test
        || *exit == *test
        || body_block == exit
    {
        return None;
    }
    // `next: Option<T>`, tested for `Some`.
    let Ty::Adt(option, targs) = &body.locals[next.index()].ty else {
        return None;
    };
    let [item_ty] = targs.as_slice() else {
        return None;
    };
    if program.lang_item("Option") != Some(*option) {
        return None;
    }
    let some = *program.variants(*option).get(usize::try_from(*k).ok()?)?;
    if program.def(some).name.text != "Some"
        || !matches!(program.def(some).kind, DefKind::Variant { .. })
    {
        return None;
    }
    let is_item =
        |proj: &[Proj]| matches!(proj, [Proj::Downcast(v), Proj::Field(0), ..] if *v == some);
    let next_ok = uses[next.index()].iter().all(|u| {
        is_bookkeeping(u)
            || (u.block == step
                && u.index == body.blocks[step].statements.len()
                && u.how == PlaceUse::Store
                && u.proj.is_empty())
            || (u.block == test_at && u.index == 0 && u.proj.is_empty())
            || is_item(&u.proj)
    });
    // `reference = &mut iter`, in the step's block, used only by the step.
    let mut reference_def = None;
    for u in &uses[reference.index()] {
        match u.how {
            PlaceUse::Store if u.proj.is_empty() && u.block == step && reference_def.is_none() => {
                reference_def = Some((u.block, u.index));
            }
            PlaceUse::Move if u.block == step && u.index == body.blocks[step].statements.len() => {}
            _ if is_bookkeeping(u) => {}
            _ => return None,
        }
    }
    let reference_def = reference_def?;
    let StatementKind::Assign(_, Rvalue::Ref(kind, iter_place)) = &body.blocks[reference_def.0]
        .statements
        .get(reference_def.1)?
        .kind
    else {
        return None;
    };
    let iter = iter_place.as_local()?;
    if !next_ok
        || !kind.is_mut()
        || body.locals[iter.index()].kind != LocalKind::Temp(TempKind::Iter)
        || [next, reference, iter].iter().any(|l| captured.contains(l))
    {
        return None;
    }
    let binding = binding(body, preds, *body_block, *test, next, item_ty, &is_item);
    let range = range_plan(body, uses, captured, iter, reference_def);
    Some(Plan {
        step_block: step,
        test_block: test_at,
        body: *body_block,
        exit: *exit,
        next,
        item_ty: item_ty.clone(),
        some,
        iter,
        reference_def,
        binding,
        range,
    })
}

/// The body's first statement when it is `x = (next as Some).0` (moved or
/// copied) into a local of the item's type, and the body is entered only
/// from the test.
fn binding(
    body: &Body,
    preds: &[Vec<usize>],
    body_block: BlockId,
    test: BlockId,
    next: Local,
    item_ty: &Ty,
    is_item: &dyn Fn(&[Proj]) -> bool,
) -> Option<(usize, usize, Local)> {
    let bb = body_block.index();
    if preds[bb] != [test.index()] {
        return None;
    }
    let (i, st) = body.blocks[bb]
        .statements
        .iter()
        .enumerate()
        .find(|(_, s)| !matches!(s.kind, StatementKind::StorageLive(_) | StatementKind::Nop))?;
    let StatementKind::Assign(x, Rvalue::Use(Operand::Copy(from, _) | Operand::Move(from, _))) =
        &st.kind
    else {
        return None;
    };
    let x = x.as_local()?;
    (from.local == next
        && from.proj.len() == 2
        && is_item(&from.proj)
        && x != next
        && body.locals[x.index()].ty == *item_ty)
        .then_some((bb, i, x))
}

/// The range a loop walks, when it is built right before the loop into a
/// temporary that only the loop's `IntoIter` reads, and the iterator is
/// used by nothing but that one step.
fn range_plan(
    body: &Body,
    uses: &Uses,
    captured: &[Local],
    iter: Local,
    reference_def: (usize, usize),
) -> Option<RangePlan> {
    let mut into_iter = None;
    for u in &uses[iter.index()] {
        match u.how {
            // Stored once, by a block's terminator (its `IntoIter`, checked
            // below).
            PlaceUse::Store
                if u.proj.is_empty()
                    && into_iter.is_none()
                    && u.index == body.blocks[u.block].statements.len() =>
            {
                into_iter = Some(u.block);
            }
            PlaceUse::Borrow(_) if (u.block, u.index) == reference_def => {}
            _ if is_bookkeeping(u) => {}
            _ => return None,
        }
    }
    let block = into_iter?;
    let b = &body.blocks[block];
    let TerminatorKind::Call {
        callee: Callee::Builtin(Builtin::IntoIter),
        args,
        dest,
        ..
    } = &b.terminator.kind
    else {
        return None;
    };
    if dest.as_local() != Some(iter) {
        return None;
    }
    let [Operand::Move(src, _)] = args.as_slice() else {
        return None;
    };
    let src = src.as_local()?;
    let statement = b.statements.len().checked_sub(1)?;
    let StatementKind::Assign(
        built,
        Rvalue::Aggregate(
            AggregateKind::Range {
                inclusive,
                has_start: true,
                has_end: true,
            },
            bounds,
        ),
    ) = &b.statements[statement].kind
    else {
        return None;
    };
    let [start, end] = bounds.as_slice() else {
        return None;
    };
    let src_ok = uses[src.index()].iter().all(|u| {
        is_bookkeeping(u)
            || (u.block == block && u.index == statement && u.how == PlaceUse::Store)
            || (u.block == block && u.index == b.statements.len() && u.how == PlaceUse::Move)
    });
    (built.as_local() == Some(src) && src_ok && !captured.contains(&src)).then(|| RangePlan {
        block,
        statement,
        start: start.clone(),
        end: end.clone(),
        inclusive: *inclusive,
    })
}

fn apply(body: &mut Body, p: Plan, fused: &mut Fused) {
    let nop = |body: &mut Body, (b, i): (usize, usize)| {
        body.blocks[b].statements[i].kind = StatementKind::Nop;
    };
    // `next` holds the item: its places lose `as Some).0`.
    body.locals[p.next.index()].ty = p.item_ty;
    for_each_place_mut(body, &mut |place, _, _| {
        if place.local == p.next
            && matches!(place.proj.as_slice(), [Proj::Downcast(v), Proj::Field(0), ..] if *v == p.some)
        {
            place.proj.drain(..2);
        }
    });
    // The test block is no longer reached: the step jumps itself.
    body.blocks[p.test_block].statements.clear();
    body.blocks[p.test_block].terminator.kind = TerminatorKind::Unreachable;
    if let TerminatorKind::Call { target, .. } = &mut body.blocks[p.step_block].terminator.kind {
        *target = Some(p.body);
    }
    nop(body, p.reference_def);
    let item = match p.binding {
        Some((block, index, variable)) => {
            nop(body, (block, index));
            // `next` is never written now: dropping it would free nothing.
            for block in &mut body.blocks {
                for st in &mut block.statements {
                    if matches!(&st.kind, StatementKind::Drop(of) if of.as_local() == Some(p.next))
                    {
                        st.kind = StatementKind::Nop;
                    }
                }
            }
            variable
        }
        None => p.next,
    };
    let range = p.range.is_some();
    if let Some(r) = p.range {
        let decl = &mut body.locals[p.iter.index()];
        decl.ty = Ty::Int;
        decl.kind = LocalKind::Temp(TempKind::Plain);
        nop(body, (r.block, r.statement));
        fused.range_starts.insert(
            r.block,
            RangeStart {
                start: r.start,
                end: r.end,
                inclusive: r.inclusive,
                iter: p.iter,
            },
        );
    }
    fused.steps.insert(
        p.step_block,
        Step {
            body: p.body,
            exit: p.exit,
            item,
            iter: p.iter,
            range,
        },
    );
}

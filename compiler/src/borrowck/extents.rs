//! Where codegen ends what the borrow checker says is over: each
//! `RefCell` borrow's run-time flag, and each `Gc`-holding local's hold on
//! its object.
//!
//! **Cell borrows.** `borrow` and `borrow_mut` hand out plain references.
//! The borrow they take at run time lasts as long as the borrow checker
//! says the returned reference, or anything made from it, is live: the
//! region of the call's destination (references copied elsewhere make that
//! region at least as long as theirs).
//!
//! **Dead `Gc` locals.** The collector scans every register that may hold
//! a `Gc`. A `Gc` (or a Copy value holding one, such as `Option<Gc<T>>`)
//! left in a local after its last use would keep its object alive until
//! the local's scope ends, so codegen clears the local where it stops
//! being *needed*: where it is not live (no path reads it again before it
//! is overwritten, counting the paths a panic takes) and no loan of it is
//! live (a reference made from it — `&*g`, `&g.field`, an iterator over a
//! field, a closure borrowing it — may still be used: the loan's region
//! says where). Clearing where a local is not needed is always sound;
//! precision only decides how soon an object becomes unreachable.
//!
//! Both end the same way: after the statement that is the last point in
//! a block, and on entry to a block that does not need it but a
//! predecessor did. A borrow that reaches the function's end lasts until
//! the frame is popped, which releases it too.

use crate::FxHashMap as HashMap;

use super::BodyCx;
use super::dataflow::BitSet;
use super::regions::{self, Regions};
use super::sigs::Templates;
use crate::diagnostics::FileId;
use crate::mir::visit::Event;
use crate::mir::{BlockId, Body, Local, Location, TerminatorKind};
use crate::resolve::{DefId, Program};
use crate::types::TypedProgram;

/// A call of `RefCell::borrow`/`borrow_mut`/`try_borrow_mut`: the block it
/// ends and the local it returns into.
#[derive(Debug, Clone, Copy)]
pub struct CellSite {
    pub block: BlockId,
    pub dest: Local,
}

/// What ends at a point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The run-time borrow of cell site `k` (sites by index).
    Release(u16),
    /// The local's `Gc` is no longer needed: its register is cleared.
    Clear(Local),
}

/// Where codegen ends borrows and clears locals.
#[derive(Debug, Default)]
pub struct Releases {
    /// Per block: what ends on entering it.
    pub at_entry: Vec<Vec<End>>,
    /// `(block, statement)`: what ends after that statement.
    pub after: HashMap<(usize, usize), Vec<End>>,
}

impl Releases {
    /// Whether block `b` ends anything (so it is not an empty block that
    /// jumps may skip).
    pub fn in_block(&self, b: usize, statements: usize) -> bool {
        self.at_entry.get(b).is_some_and(|v| !v.is_empty())
            || (0..statements).any(|i| self.after.contains_key(&(b, i)))
    }
}

/// Where the borrows of `sites` end and where each local of `gc_locals`
/// (Copy values that may hold `Gc` pointers) stops being needed.
pub fn extents(
    program: &Program,
    typed: &TypedProgram,
    body: &Body,
    file: FileId,
    def: DefId,
    sites: &[CellSite],
    gc_locals: &[Local],
) -> Releases {
    let n = body.blocks.len();
    let mut out = Releases {
        at_entry: vec![Vec::new(); n],
        after: HashMap::default(),
    };
    if sites.is_empty() && gc_locals.is_empty() {
        return out;
    }
    let mut cx = BodyCx::new(program, typed, body, file);
    cx.want_facts = false;
    let mut templates = Templates::default();
    let r = regions::infer(&cx, &mut templates, Some(def));
    // Predecessors, counting the edges a panic takes to a cleanup block.
    let mut preds = body.predecessors();
    for (i, b) in body.blocks.iter().enumerate() {
        if let Some(u) = b.unwind {
            preds[u.index()].push(BlockId(i as u32));
        }
    }
    let block_end = |b: usize| r.block_start[b] + body.blocks[b].statements.len();
    for (k, site) in sites.iter().enumerate() {
        let Ok(k) = u16::try_from(k) else { break };
        let mut rvs = Vec::new();
        if let Some(t) = r.local_rty.get(site.dest.index()) {
            t.regions(&mut rvs);
        }
        // Region values cover the points, then the universal end markers.
        let mut live = BitSet::new(r.points + r.universals.len());
        for rv in rvs {
            if let Some(v) = r.values.get(rv as usize) {
                live.union(v);
            }
        }
        // The borrow starts at the call that ends the site's block.
        let starts = |p: usize| p == block_end(site.block.index());
        mark_ends(
            body,
            &r,
            &preds,
            &live,
            &starts,
            &|_| false,
            End::Release(k),
            &mut out,
        );
    }
    if !gc_locals.is_empty() {
        let needed = needed_points(&cx, &r, &preds, gc_locals);
        for (&l, live) in gc_locals.iter().zip(&needed) {
            // A statement that reads or writes the local may leave a value
            // in it (a write the program never reads still holds one).
            let holds = |p: usize| {
                cx.events.at(r.locations[p]).iter().any(|e| match e {
                    Event::Use(pl, ..)
                    | Event::Stored(pl, _)
                    | Event::Moved(pl, _)
                    | Event::Dropped(pl, _) => pl.local == l,
                    Event::StorageReset(..) => false,
                })
            };
            // A parameter holds its value from the entry on.
            let param = (1..=body.arg_count as usize).contains(&l.index());
            let entry_holds = |b: usize| param && b == 0;
            mark_ends(
                body,
                &r,
                &preds,
                live,
                &holds,
                &entry_holds,
                End::Clear(l),
                &mut out,
            );
        }
    }
    out
}

/// Records `end` after each statement where `live` stops (or where
/// `holds` says the statement leaves something that nothing needs), and
/// on entry to each block that does not need it when a predecessor did,
/// or held it (or, for a predecessor that reaches the block only when a
/// panic unwinds, needed or held it anywhere).
#[allow(clippy::too_many_arguments)]
fn mark_ends(
    body: &Body,
    r: &Regions,
    preds: &[Vec<BlockId>],
    live: &BitSet,
    holds: &dyn Fn(usize) -> bool,
    entry_holds: &dyn Fn(usize) -> bool,
    end: End,
    out: &mut Releases,
) {
    let at = |b: usize, i: usize| live.contains(r.block_start[b] + i);
    let held = |b: usize, i: usize| at(b, i) || holds(r.block_start[b] + i);
    for (b, block) in body.blocks.iter().enumerate() {
        let len = block.statements.len();
        for i in 0..len {
            if held(b, i) && !at(b, i + 1) {
                out.after.entry((b, i)).or_default().push(end);
            }
        }
        if at(b, 0) {
            continue;
        }
        let from_pred = |p: &BlockId| {
            let pb = &body.blocks[p.index()];
            let pl = pb.statements.len();
            if held(p.index(), pl) {
                return true;
            }
            let normal = pb.terminator.successors().any(|s| s.index() == b);
            !normal && (0..pl).any(|i| held(p.index(), i))
        };
        if entry_holds(b) || preds[b].iter().any(from_pred) {
            out.at_entry[b].push(end);
        }
    }
}

/// For each local of `locals`, the points where it is needed: live
/// (counting the paths a panic takes) or borrowed by a live loan.
/// `preds` counts the edges a panic takes to a cleanup block.
fn needed_points(
    cx: &BodyCx<'_>,
    r: &Regions,
    preds: &[Vec<BlockId>],
    locals: &[Local],
) -> Vec<BitSet> {
    let body = cx.body;
    let mut dense = vec![u32::MAX; body.locals.len()];
    for (d, l) in locals.iter().enumerate() {
        dense[l.index()] = d as u32;
    }
    let n = locals.len();
    let nb = body.blocks.len();
    // The unwind targets of a block: its statements' and its call's.
    let unwinds = |bi: usize| {
        let b = &body.blocks[bi];
        let call = match &b.terminator.kind {
            TerminatorKind::Call { unwind, .. } => *unwind,
            _ => None,
        };
        b.unwind.into_iter().chain(call)
    };
    let walk = |bi: usize, block_in: &[BitSet], at_point: &mut dyn FnMut(Location, &BitSet)| {
        let mut state = BitSet::new(n);
        for s in body.blocks[bi].terminator.successors() {
            state.union(&block_in[s.index()]);
        }
        for i in (0..=body.blocks[bi].statements.len()).rev() {
            let loc = Location {
                block: BlockId(bi as u32),
                index: i as u32,
            };
            regions::effect(&cx.events, &dense, loc, &mut state);
            // A panic here leaves before the statement's writes.
            for u in unwinds(bi) {
                state.union(&block_in[u.index()]);
            }
            at_point(loc, &state);
        }
        state
    };
    let block_in = regions::backward_fixpoint(nb, n, preds, &walk);
    let mut needed = vec![BitSet::new(r.points); n];
    for bi in 0..nb {
        walk(bi, &block_in, &mut |loc, live| {
            let p = r.point(loc);
            for d in live.iter() {
                needed[d].insert(p);
            }
        });
    }
    for loan in &r.loans {
        let d = dense[loan.place.local.index()];
        if d == u32::MAX {
            continue;
        }
        if let Some(v) = r.values.get(loan.region as usize) {
            for p in v.iter().take_while(|p| *p < r.points) {
                needed[d as usize].insert(p);
            }
        }
    }
    needed
}

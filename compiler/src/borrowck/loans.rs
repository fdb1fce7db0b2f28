//! Loans: each borrow is in scope from where it is made for as long as its
//! region (from [`super::regions`]) says, on the control-flow graph. Every
//! access is checked against the loans in scope: W0499 and W0502 (borrow
//! conflicts), W0503 (use while mutably borrowed), W0505 (move while
//! borrowed), W0506 (assignment while borrowed), W0597 / W0716 (a local or
//! temporary dropped while borrowed) and W0515 (a reference to a local
//! escaping through the return value). Two-phase borrows (auto-ref of a
//! `&mut self` receiver) act as shared borrows until the call activates
//! them. Also the signature checks on universal regions: W0623, W0621.

use super::BodyCx;
use super::InsertFix as _;
use super::dataflow::{BitSet, solve_forward};
use super::regions::{Loan, Regions, Universal};
use crate::diagnostics::{Diagnostic, Span, codes};
use crate::mir::visit::{Event, EventTable, PlaceUse};
use crate::mir::{BlockId, BorrowKind, Location, Place, Proj};

/// A loan's live range, for the editor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoanFact {
    pub place: String,
    pub mutable: bool,
    pub span: Span,
    /// The source spans of the statements where the loan is in scope.
    pub live: Vec<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Read,
    /// A two-phase borrow being reserved: a read now, a write later.
    Reserve,
    BorrowShared,
    BorrowMut,
    Move,
    Store,
    Drop,
    StorageDead,
}

impl Access {
    fn shallow(self) -> bool {
        matches!(self, Access::StorageDead | Access::Store)
    }
}

/// Whether an access to `access` (shallow: not through derefs below it)
/// touches what `loan` borrowed.
fn conflicts(loan: &Place, access: &Place, shallow: bool) -> bool {
    if loan.local != access.local {
        return false;
    }
    let common = loan.proj.len().min(access.proj.len());
    for i in 0..common {
        match (&loan.proj[i], &access.proj[i]) {
            (Proj::Field(a), Proj::Field(b)) if a != b => return false,
            (Proj::Downcast(a), Proj::Downcast(b)) if a != b => return false,
            (
                Proj::ConstIndex {
                    offset: a,
                    from_end: fa,
                },
                Proj::ConstIndex {
                    offset: b,
                    from_end: fb,
                },
            ) if fa == fb && a != b => return false,
            _ => {}
        }
    }
    if loan.proj.len() > access.proj.len() {
        // The loan is of a part of the accessed place. A shallow write
        // (overwriting a reference, ending its storage) leaves what was
        // borrowed through it alone.
        if shallow
            && loan.proj[access.proj.len()..]
                .iter()
                .any(|p| matches!(p, Proj::Deref(_)))
        {
            return false;
        }
    }
    true
}

#[derive(Debug)]
pub struct LoanResults {
    pub facts: Vec<LoanFact>,
    /// Borrow state changes of the named variables.
    pub states: Vec<super::StateFact>,
}

#[allow(clippy::too_many_lines)]
pub fn check(cx: &BodyCx<'_>, r: &Regions, diags: &mut Vec<Diagnostic>) -> LoanResults {
    let body = cx.body;
    let n = r.loans.len();
    let mut results = LoanResults {
        facts: Vec::new(),
        states: Vec::new(),
    };
    if n > 0 {
        // Loans a point's region no longer contains are killed there.
        let dead_at = DeadAt::new(r);
        let created: crate::FxHashMap<Location, Vec<usize>> =
            r.loans
                .iter()
                .enumerate()
                .fold(crate::FxHashMap::default(), |mut m, (i, l)| {
                    m.entry(l.loc).or_default().push(i);
                    m
                });
        let effect = |loc: Location, eff: &mut dyn super::dataflow::Effects| {
            eff.kill_words(dead_at.at(r.point(loc)));
            kill_overwritten(&cx.events, r, loc, eff);
            if let Some(ls) = created.get(&loc) {
                for &li in ls {
                    eff.gen_bit(li);
                }
            }
        };
        let entry = BitSet::new(n);
        let states = solve_forward(body, n, entry, &mut |loc, eff| effect(loc, eff));
        let reserved = reservations(cx, r);
        let mut reported: Vec<(Span, usize)> = Vec::new();
        let mut escaped: Vec<usize> = Vec::new();
        let mut live_spans: Vec<Vec<Span>> = vec![Vec::new(); n];
        let mut last_borrow: Vec<super::Ownership> =
            vec![super::Ownership::NotBorrowed; body.locals.len()];
        for (bi, block) in body.blocks.iter().enumerate() {
            let mut state = states[bi].clone();
            for i in 0..=block.statements.len() {
                let loc = Location {
                    block: BlockId(bi as u32),
                    index: i as u32,
                };
                let point = r.point(loc);
                super::dataflow::Effects::kill_words(&mut state, dead_at.at(point));
                if !block.cleanup {
                    if cx.want_facts {
                        for li in state.iter() {
                            live_spans[li].push(body.span_at(loc));
                        }
                    }
                    for ev in cx.events.at(loc) {
                        let (place, access, span) = match ev {
                            Event::Use(p, how, span) => {
                                let a = match how {
                                    PlaceUse::Copy | PlaceUse::Inspect => Access::Read,
                                    PlaceUse::Borrow(BorrowKind::Shared) => Access::BorrowShared,
                                    PlaceUse::Borrow(BorrowKind::Mut { two_phase: true }) => {
                                        Access::Reserve
                                    }
                                    PlaceUse::Borrow(BorrowKind::Mut { two_phase: false }) => {
                                        Access::BorrowMut
                                    }
                                    PlaceUse::Move => Access::Move,
                                    // The drop of the old value before an
                                    // assignment is part of the assignment.
                                    PlaceUse::Drop if replaced_next(block, i, p) => Access::Store,
                                    PlaceUse::Drop => Access::Drop,
                                    _ => continue,
                                };
                                (*p, a, *span)
                            }
                            Event::Stored(p, span) => (*p, Access::Store, *span),
                            Event::StorageReset(l, span) => {
                                let dead = matches!(
                                    block.statements.get(i).map(|s| &s.kind),
                                    Some(crate::mir::StatementKind::StorageDead(_))
                                );
                                if dead {
                                    let local = Place::local(*l);
                                    check_access(
                                        cx,
                                        r,
                                        &state,
                                        &reserved,
                                        loc,
                                        &local,
                                        Access::StorageDead,
                                        *span,
                                        &mut reported,
                                        &mut escaped,
                                        diags,
                                    );
                                }
                                continue;
                            }
                            _ => continue,
                        };
                        check_access(
                            cx,
                            r,
                            &state,
                            &reserved,
                            loc,
                            place,
                            access,
                            span,
                            &mut reported,
                            &mut escaped,
                            diags,
                        );
                        // Activation of a two-phase borrow: the call using
                        // its temporary is the real `&mut`.
                        if matches!(access, Access::Move | Access::Read) {
                            for li in state.iter() {
                                let l = &r.loans[li];
                                if l.kind == (BorrowKind::Mut { two_phase: true })
                                    && l.holder == Some(place.local)
                                {
                                    let mut others = state.clone();
                                    others.remove(li);
                                    check_access(
                                        cx,
                                        r,
                                        &others,
                                        &reserved,
                                        loc,
                                        &l.place,
                                        Access::BorrowMut,
                                        l.span,
                                        &mut reported,
                                        &mut escaped,
                                        diags,
                                    );
                                }
                            }
                        }
                    }
                }
                // Effects of this location on the loans in scope.
                kill_overwritten(&cx.events, r, loc, &mut state);
                if let Some(ls) = created.get(&loc) {
                    for &li in ls {
                        state.insert(li);
                    }
                }
                if cx.want_facts && !block.cleanup {
                    borrow_states(
                        cx,
                        r,
                        &state,
                        &reserved,
                        loc,
                        &mut last_borrow,
                        &mut results.states,
                    );
                }
            }
        }
        let d = cx.describer();
        for (li, loan) in r.loans.iter().enumerate().filter(|_| cx.want_facts) {
            if let Some(name) = d.place(&loan.place) {
                let mut live = std::mem::take(&mut live_spans[li]);
                live.sort();
                live.dedup();
                results.facts.push(LoanFact {
                    place: name,
                    mutable: loan.kind.is_mut(),
                    span: loan.span,
                    live,
                });
            }
        }
    }
    universal_errors(cx, r, diags);
    results
}

/// Whether the statement after index `i` assigns `place` (the drop at `i`
/// drops its old value).
fn replaced_next(block: &crate::mir::BasicBlock, i: usize, place: &Place) -> bool {
    matches!(
        block.statements.get(i + 1).map(|s| &s.kind),
        Some(crate::mir::StatementKind::Assign(dest, _)) if dest == place
    )
}

/// Records where a named variable becomes borrowed, mutably borrowed or
/// free again.
fn borrow_states(
    cx: &BodyCx<'_>,
    r: &Regions,
    state: &BitSet,
    reserved: &[Option<BitSet>],
    loc: Location,
    last: &mut [super::Ownership],
    out: &mut Vec<super::StateFact>,
) {
    let body = cx.body;
    let point = r.point(loc);
    let mut now = vec![super::Ownership::NotBorrowed; body.locals.len()];
    for li in state.iter() {
        let loan = &r.loans[li];
        let l = loan.place.local.index();
        let active_mut =
            loan.kind.is_mut() && !reserved[li].as_ref().is_some_and(|s| s.contains(point));
        if active_mut {
            now[l] = super::Ownership::BorrowedMut;
        } else if now[l] == super::Ownership::NotBorrowed {
            now[l] = super::Ownership::BorrowedShared;
        }
    }
    for (i, s) in now.into_iter().enumerate() {
        if s != last[i] {
            last[i] = s;
            let decl = &body.locals[i];
            if let (crate::mir::LocalKind::User { name, .. }, true) = (&decl.kind, true) {
                out.push(super::StateFact {
                    span: body.span_at(loc),
                    local: name.clone(),
                    state: s,
                });
            }
        }
    }
}

/// Kills the loans a location ends by overwriting what they borrow: a
/// place assigned anew (loans of it, of its parts and through it; the
/// assignment itself is checked against them first), a local's storage
/// ending. As rustc does, so that one conflicting assignment is one error
/// and not one more at each later use of the overwritten value.
fn kill_overwritten(
    table: &EventTable<'_>,
    r: &Regions,
    loc: Location,
    eff: &mut dyn super::dataflow::Effects,
) {
    for ev in table.at(loc) {
        // Most events overwrite nothing: only those that do look at the loans.
        let ends: &dyn Fn(&Loan) -> bool = match ev {
            Event::Stored(p, _) => {
                &|l: &Loan| l.place.local == p.local && definitely_overlap(&l.place, p)
            }
            Event::StorageReset(local, _) => &|l: &Loan| l.place.local == *local,
            _ => continue,
        };
        for (li, l) in r.loans.iter().enumerate() {
            if ends(l) {
                eff.kill_bit(li);
            }
        }
    }
}

/// The loans each point's region no longer contains (they are killed
/// there), as one bit set per point, so that killing them is a few word
/// operations: most loans are dead at most points.
struct DeadAt {
    words: usize,
    bits: Vec<u64>,
}

impl DeadAt {
    fn new(r: &Regions) -> DeadAt {
        let words = r.loans.len().div_ceil(64);
        let mut bits = vec![0u64; words * r.points];
        for (li, loan) in r.loans.iter().enumerate() {
            let region = &r.values[loan.region as usize];
            for p in 0..r.points {
                if !region.contains(p) {
                    bits[p * words + li / 64] |= 1 << (li % 64);
                }
            }
        }
        DeadAt { words, bits }
    }

    fn at(&self, point: usize) -> &[u64] {
        &self.bits[point * self.words..(point + 1) * self.words]
    }
}

/// Whether two places of the same local certainly share memory: one's
/// projections are a prefix of the other's, with no index between (two
/// indices may differ).
fn definitely_overlap(a: &Place, b: &Place) -> bool {
    a.proj
        .iter()
        .zip(&b.proj)
        .all(|(x, y)| x == y && !matches!(x, Proj::Index(_)))
}

/// For each two-phase loan, the points where it is only reserved: from
/// its creation up to (not including) the use that activates it.
fn reservations(cx: &BodyCx<'_>, r: &Regions) -> Vec<Option<BitSet>> {
    let body = cx.body;
    let mut out = Vec::with_capacity(r.loans.len());
    for loan in &r.loans {
        if loan.kind != (BorrowKind::Mut { two_phase: true }) {
            out.push(None);
            continue;
        }
        let Some(holder) = loan.holder else {
            out.push(None);
            continue;
        };
        let mut set = BitSet::new(r.points);
        let mut stack = vec![next_loc(body, loan.loc)]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>();
        while let Some(loc) = stack.pop() {
            let p = r.point(loc);
            if set.contains(p) {
                continue;
            }
            let activates = cx
                .events
                .at(loc)
                .iter()
                .any(|e| matches!(e, Event::Use(pl, _, _) if pl.local == holder));
            if activates {
                continue;
            }
            set.insert(p);
            let block = body.block(loc.block);
            if (loc.index as usize) < block.statements.len() {
                stack.push(Location {
                    block: loc.block,
                    index: loc.index + 1,
                });
            } else {
                for s in block.terminator.successors() {
                    stack.push(Location { block: s, index: 0 });
                }
            }
        }
        out.push(Some(set));
    }
    out
}

fn next_loc(body: &crate::mir::Body, loc: Location) -> Vec<Location> {
    let block = body.block(loc.block);
    if (loc.index as usize) < block.statements.len() {
        vec![Location {
            block: loc.block,
            index: loc.index + 1,
        }]
    } else {
        block
            .terminator
            .successors()
            .map(|s| Location { block: s, index: 0 })
            .collect()
    }
}

#[allow(clippy::too_many_arguments)]
fn check_access(
    cx: &BodyCx<'_>,
    r: &Regions,
    state: &BitSet,
    reserved: &[Option<BitSet>],
    loc: Location,
    place: &Place,
    access: Access,
    span: Span,
    reported: &mut Vec<(Span, usize)>,
    escaped: &mut Vec<usize>,
    diags: &mut Vec<Diagnostic>,
) {
    let point = r.point(loc);
    for li in state.iter() {
        let loan = &r.loans[li];
        let loan_mut =
            loan.kind.is_mut() && !reserved[li].as_ref().is_some_and(|s| s.contains(point));
        if !conflicts(&loan.place, place, access.shallow()) {
            continue;
        }
        // A two-phase reservation is a read until the call activates it:
        // shared loans still live then (`let r = &v; v.push(r.len())`) are
        // fine as long as they end before the activation.
        let conflict = match access {
            Access::Read | Access::BorrowShared | Access::Reserve => loan_mut,
            _ => true,
        };
        if !conflict {
            continue;
        }
        if reported.iter().any(|(s, l)| *s == span && *l == li) {
            continue;
        }
        reported.push((span, li));
        if matches!(access, Access::Drop | Access::StorageDead) {
            if escaped.contains(&li) {
                continue;
            }
            let d = dropped_while_borrowed(cx, r, loan, place, span);
            if d.code == codes::RETURN_LOCAL_REF || d.code == codes::CLOSURE_MAY_OUTLIVE {
                escaped.push(li);
            }
            diags.push(d);
            continue;
        }
        diags.push(conflict_error(cx, r, loan, place, access, span, loc));
    }
}

/// The first later use that keeps the loan alive, and whether it comes
/// earlier in the source (a later loop iteration).
fn later_use(cx: &BodyCx<'_>, r: &Regions, loan: &Loan, from: Location) -> Option<Span> {
    let body = cx.body;
    let reach = r.outlived_by(loan.region);
    let holds = |l: crate::mir::Local| {
        let mut rs = Vec::new();
        r.local_rty[l.index()].regions(&mut rs);
        rs.iter().any(|x| reach[*x as usize])
    };
    let value = &r.values[loan.region as usize];
    let mut seen = BitSet::new(r.points);
    let mut stack = next_loc(body, from);
    while let Some(loc) = stack.pop() {
        let p = r.point(loc);
        if seen.contains(p) || !value.contains(p) {
            continue;
        }
        seen.insert(p);
        if body.block(loc.block).cleanup {
            continue;
        }
        for ev in cx.events.at(loc) {
            if let Event::Use(pl, how, span) = ev
                && *how != PlaceUse::Drop
                && holds(pl.local)
            {
                return Some(*span);
            }
        }
        stack.extend(next_loc(body, loc));
    }
    None
}

#[allow(clippy::too_many_arguments)]
fn conflict_error(
    cx: &BodyCx<'_>,
    r: &Regions,
    loan: &Loan,
    place: &Place,
    access: Access,
    span: Span,
    loc: Location,
) -> Diagnostic {
    let d = cx.describer();
    let shown = d
        .place(place)
        .or_else(|| d.place(&loan.place))
        .unwrap_or_else(|| "value".into());
    let borrowed = d.place(&loan.place).unwrap_or_else(|| shown.clone());
    let loan_mut = loan.kind.is_mut();
    // A closure that changes a variable not declared `mut` holds a unique
    // borrow of it that is not a mutable one (W0596 reports the missing
    // `mut`); rustc names conflicts with it E0501.
    let unique_capture = loan_mut
        && !loan.place.proj.iter().any(|p| matches!(p, Proj::Deref(_)))
        && !cx.body.local(loan.place.local).mutable
        && is_capture_loan(cx.body, loan);
    let second_closure = if unique_capture {
        access_closure_span(cx.body, loc)
    } else {
        None
    };
    // The new access is a closure's unique borrow of a variable not
    // declared `mut` while another borrow of it is live: rustc's E0500.
    let new_unique = !unique_capture
        && matches!(access, Access::BorrowMut | Access::Reserve)
        && !place.proj.iter().any(|p| matches!(p, Proj::Deref(_)))
        && !cx.body.local(place.local).mutable;
    let unique_closure = if new_unique {
        access_closure_span(cx.body, loc)
    } else {
        None
    };
    let (code, message, first, here) = match access {
        Access::BorrowMut | Access::Reserve if unique_closure.is_some() => (
            codes::CLOSURE_UNIQUE_WHILE_BORROWED,
            format!("closure requires unique access to `{shown}` but it is already borrowed"),
            "borrow occurs here".to_string(),
            "closure construction occurs here".to_string(),
        ),
        Access::BorrowMut | Access::Reserve if second_closure.is_some() => (
            codes::TWO_CLOSURES_UNIQUE,
            format!("two closures require unique access to `{shown}` at the same time"),
            "first closure is constructed here".to_string(),
            "second closure is constructed here".to_string(),
        ),
        Access::BorrowMut | Access::Reserve | Access::BorrowShared if unique_capture => (
            codes::CLOSURE_REQUIRES_UNIQUE,
            format!(
                "cannot borrow `{shown}` as {} because previous closure requires unique access",
                if access == Access::BorrowShared {
                    "immutable"
                } else {
                    "mutable"
                }
            ),
            "closure construction occurs here".to_string(),
            "second borrow occurs here".to_string(),
        ),
        Access::BorrowMut | Access::Reserve if loan_mut => (
            codes::BORROW_MUT_TWICE,
            format!("cannot borrow `{shown}` as mutable more than once at a time"),
            "first mutable borrow occurs here".to_string(),
            "second mutable borrow occurs here".to_string(),
        ),
        Access::BorrowMut | Access::Reserve => (
            codes::BORROW_CONFLICT,
            format!("cannot borrow `{shown}` as mutable because it is also borrowed as immutable"),
            "immutable borrow occurs here".to_string(),
            "mutable borrow occurs here".to_string(),
        ),
        Access::BorrowShared => (
            codes::BORROW_CONFLICT,
            format!("cannot borrow `{shown}` as immutable because it is also borrowed as mutable"),
            "mutable borrow occurs here".to_string(),
            "immutable borrow occurs here".to_string(),
        ),
        Access::Read => (
            codes::USE_WHILE_MUT_BORROWED,
            format!("cannot use `{shown}` because it was mutably borrowed"),
            format!("`{borrowed}` is borrowed here"),
            format!("use of borrowed `{borrowed}`"),
        ),
        Access::Move => (
            codes::MOVE_WHILE_BORROWED,
            format!("cannot move out of `{shown}` because it is borrowed"),
            format!("borrow of `{borrowed}` occurs here"),
            format!("move out of `{shown}` occurs here"),
        ),
        Access::Store | Access::Drop | Access::StorageDead => (
            codes::ASSIGN_WHILE_BORROWED,
            format!("cannot assign to `{shown}` because it is borrowed"),
            format!("`{borrowed}` is borrowed here"),
            format!("`{shown}` is assigned to here but it was already borrowed"),
        ),
    };
    let first_at = if unique_capture {
        capture_closure_span(cx.body, loan).unwrap_or(loan.span)
    } else {
        loan.span
    };
    let mut diag = Diagnostic::error(
        code,
        cx.fs(second_closure.or(unique_closure).unwrap_or(span)),
        message,
    )
    .with_label(here)
    .with_secondary(cx.fs(first_at), first);
    if unique_closure.is_some() {
        diag = diag.with_secondary(
            cx.fs(span),
            format!("second borrow occurs due to use of `{shown}` in closure"),
        );
    }
    if unique_capture {
        diag = diag.with_secondary(
            cx.fs(loan.span),
            format!("first borrow occurs due to use of `{borrowed}` in closure"),
        );
    }
    if let Some(u) = later_use(cx, r, loan, loc) {
        let which = if loan_mut && matches!(access, Access::BorrowMut | Access::Reserve) {
            "first borrow"
        } else if loan_mut {
            "mutable borrow"
        } else {
            "immutable borrow"
        };
        let which = if matches!(access, Access::Move | Access::Store | Access::Read) {
            "borrow"
        } else {
            which
        };
        let iteration =
            if u.start < span.start && !(u.start <= loan.span.start && loan.span.end <= u.end) {
                ", in later iteration of loop"
            } else {
                ""
            };
        diag = diag.with_secondary(cx.fs(u), format!("{which} later used here{iteration}"));
    }
    if access == Access::Move && crate::types::ty::is_cloneable(cx.program, &d.place_ty(place)) {
        diag = diag.with_insert(
            cx.fs(span.shrink_to_hi()),
            ".clone()".to_string(),
            "consider cloning the value if the performance cost is acceptable",
        );
    }
    diag
}

/// A borrowed local (or temporary) goes away while the loan is live.
fn dropped_while_borrowed(
    cx: &BodyCx<'_>,
    r: &Regions,
    loan: &Loan,
    place: &Place,
    span: Span,
) -> Diagnostic {
    let body = cx.body;
    let d = cx.describer();
    let decl = body.local(place.local);
    let value = &r.values[loan.region as usize];
    // Escaping the function: the loan must outlive a universal region.
    let escapes = (0..r.universals.len()).any(|u| value.contains(r.end_marker(u)));
    let reach = r.outlived_by(loan.region);
    let via_return = escapes && r.return_regions.iter().any(|x| reach[*x as usize]);
    let is_temp = decl.is_temp();
    let name = d.place(&Place::local(place.local));
    // A closure's capture escaping.
    if escapes && is_capture_loan(body, loan) {
        let shown = d.place(&loan.place).unwrap_or_else(|| "value".into());
        let closure_span = capture_closure_span(body, loan).unwrap_or(loan.span);
        return Diagnostic::error(
                codes::CLOSURE_MAY_OUTLIVE,
                cx.fs(closure_span),
                format!("closure may outlive the current function, but it borrows `{shown}`, which is owned by the current function"),
            )
            .with_label(format!("may outlive borrowed value `{shown}`"))
            .with_secondary(cx.fs(loan.span), format!("`{shown}` is borrowed here"))
            .with_insert(cx.fs(closure_span.shrink_to_lo()), "move ".to_string(), format!("to force the closure to take ownership of `{shown}` (and any other referenced variables), use the `move` keyword"));
    }
    if via_return {
        let is_param = place.local.0 >= 1 && place.local.0 <= body.arg_count;
        let message = match (&name, is_temp, is_param) {
            (_, true, _) | (None, _, _) => "cannot return reference to temporary value".to_string(),
            (Some(n), _, true) => format!("cannot return reference to function parameter `{n}`"),
            (Some(n), _, false) => format!("cannot return reference to local variable `{n}`"),
        };
        let ret_span = return_span(cx, r, loan).unwrap_or(loan.span);
        let mut diag = Diagnostic::error(codes::RETURN_LOCAL_REF, cx.fs(ret_span), message)
            .with_label("returns a reference to data owned by the current function");
        if ret_span != loan.span {
            let what = name
                .clone()
                .map_or_else(|| "temporary value".to_string(), |n| format!("`{n}`"));
            diag = diag.with_secondary(cx.fs(loan.span), format!("{what} is borrowed here"));
        }
        return diag;
    }
    let later = later_use(cx, r, loan, loc_of_span(cx, r, span).unwrap_or(loan.loc));
    if is_temp && name.is_none() {
        let mut diag = Diagnostic::error(
            codes::TEMPORARY_DROPPED,
            cx.fs(loan.span),
            "temporary value dropped while borrowed",
        )
        .with_label("creates a temporary value which is freed while still in use")
        .with_secondary(
            cx.fs(span),
            "temporary value is freed at the end of this statement",
        );
        if let Some(u) = later {
            diag = diag.with_secondary(cx.fs(u), "borrow later used here");
        }
        return diag.with_help("consider using a `let` binding to create a longer lived value");
    }
    let n = name.unwrap_or_else(|| "value".into());
    let mut diag = Diagnostic::error(
        codes::DOES_NOT_LIVE_LONG_ENOUGH,
        cx.fs(loan.span),
        format!("`{n}` does not live long enough"),
    )
    .with_label("borrowed value does not live long enough")
    .with_secondary(
        cx.fs(span),
        format!("`{n}` dropped here while still borrowed"),
    );
    if let Some(u) = later {
        diag = diag.with_secondary(cx.fs(u), "borrow later used here");
    } else if escapes {
        diag = diag.with_note("the borrow must outlive the function's lifetime parameters, so it cannot point to a local");
    }
    diag
}

fn loc_of_span(cx: &BodyCx<'_>, r: &Regions, span: Span) -> Option<Location> {
    r.locations
        .iter()
        .copied()
        .find(|l| cx.body.span_at(*l) == span)
}

/// The span of the assignment to `_0` the loan flows into.
fn return_span(cx: &BodyCx<'_>, r: &Regions, loan: &Loan) -> Option<Span> {
    for &ret in &r.return_regions {
        if let Some(path) = r.path(loan.region, ret) {
            return path.last().map(|c| c.span);
        }
    }
    let _ = cx;
    None
}

fn is_capture_loan(body: &crate::mir::Body, loan: &Loan) -> bool {
    capture_closure_span(body, loan).is_some()
}

/// If the loan is a closure capture, the closure's span.
fn capture_closure_span(body: &crate::mir::Body, loan: &Loan) -> Option<Span> {
    closure_holding(body, loan.holder?)
}

/// If the borrow made at `loc` is a closure capture, the closure's span.
fn access_closure_span(body: &crate::mir::Body, loc: Location) -> Option<Span> {
    let st = body.blocks[loc.block.index()]
        .statements
        .get(loc.index as usize)?;
    match &st.kind {
        crate::mir::StatementKind::Assign(dest, crate::mir::Rvalue::Ref(..)) => {
            closure_holding(body, dest.as_local()?)
        }
        _ => None,
    }
}

/// The span of the closure built with the reference in `holder`.
fn closure_holding(body: &crate::mir::Body, holder: crate::mir::Local) -> Option<Span> {
    for block in &body.blocks {
        for st in &block.statements {
            if let crate::mir::StatementKind::Assign(
                _,
                crate::mir::Rvalue::Aggregate(crate::mir::AggregateKind::Closure(_), ops),
            ) = &st.kind
                && ops
                    .iter()
                    .any(|o| o.place().is_some_and(|p| p.local == holder))
            {
                return Some(st.span);
            }
        }
    }
    None
}

/// Outlives requirements between the signature's regions that it does not
/// declare.
fn universal_errors(cx: &BodyCx<'_>, r: &Regions, diags: &mut Vec<Diagnostic>) {
    let known = |a: usize, b: usize| {
        if a == b || a == 0 {
            return true;
        }
        // Transitive closure of the declared bounds.
        let mut stack = vec![a];
        let mut seen = vec![a];
        while let Some(x) = stack.pop() {
            for (p, q) in &r.known {
                if *p == x && !seen.contains(q) {
                    if *q == b || *q == 0 {
                        return true;
                    }
                    seen.push(*q);
                    stack.push(*q);
                }
            }
        }
        false
    };
    let mut reported = false;
    for (ui, (uv, ukind)) in r.universals.iter().enumerate() {
        if !matches!(ukind, Universal::Sig(_)) || reported {
            continue;
        }
        for (vi, (vv, vkind)) in r.universals.iter().enumerate() {
            if vi == ui || matches!(vkind, Universal::External) {
                continue;
            }
            if !r.values[*uv as usize].contains(r.end_marker(vi)) || known(ui, vi) {
                continue;
            }
            // `uv` must outlive `vv` but the signature does not say so.
            let span = r
                .path(*uv, *vv)
                .and_then(|p| p.last().map(|c| c.span))
                .unwrap_or_default();
            diags.push(lifetime_error(cx, r, ui, vi, span));
            reported = true;
            break;
        }
    }
}

fn region_name(r: &Regions, u: usize) -> String {
    match &r.universals[u].1 {
        Universal::Static => "'static".into(),
        Universal::Sig(p) => {
            if let Some(n) = &p.name {
                n.clone()
            } else {
                // Anonymous regions are numbered in order, as rustc does.
                let k = r.universals[..=u]
                    .iter()
                    .filter(|(_, k)| matches!(k, Universal::Sig(p) if p.name.is_none()))
                    .count();
                format!("'{k}")
            }
        }
        Universal::External => "'_".into(),
    }
}

fn lifetime_error(
    cx: &BodyCx<'_>,
    r: &Regions,
    longer: usize,
    shorter: usize,
    span: Span,
) -> Diagnostic {
    let a = region_name(r, longer);
    let b = region_name(r, shorter);
    // An elided parameter lifetime that must live as long as a named one:
    // the parameter needs that name (rustc's E0621).
    if let (Universal::Sig(lp), Universal::Sig(sp)) =
        (&r.universals[longer].1, &r.universals[shorter].1)
        && lp.name.is_none()
        && sp.name.is_some()
        && let Some(super::sigs::ParamPos::Param(param)) = lp.param
    {
        let pname = param_name(cx, param).unwrap_or_else(|| "parameter".into());
        let mut diag = Diagnostic::error(
            codes::EXPLICIT_LIFETIME_REQUIRED,
            cx.fs(span),
            format!("explicit lifetime required in the type of `{pname}`"),
        )
        .with_label(format!("lifetime `{b}` required"));
        if lp.span != Span::default() {
            // `&T` → `&'a T`.
            let at = Span::new(lp.span.start + 1, lp.span.start + 1);
            diag = diag.with_insert(
                cx.fs(at),
                format!("{b} "),
                format!("add explicit lifetime `{b}` to the type of `{pname}`"),
            );
        }
        return diag;
    }
    let mut diag = Diagnostic::error(
        codes::LIFETIME_MAY_NOT_LIVE_LONG_ENOUGH,
        cx.fs(span),
        "lifetime may not live long enough",
    );
    let through_return = r
        .return_regions
        .iter()
        .any(|x| *x == r.universals[shorter].0);
    diag = diag.with_label(if through_return {
        format!("function was supposed to return data with lifetime `{b}` but it is returning data with lifetime `{a}`")
    } else {
        format!("argument requires that `{a}` must outlive `{b}`")
    });
    for u in [longer, shorter] {
        if let Universal::Sig(p) = &r.universals[u].1 {
            let name = region_name(r, u);
            if p.span != Span::default() {
                let text = if p.name.is_some() {
                    format!("lifetime `{name}` defined here")
                } else {
                    format!("let's call the lifetime of this reference `{name}`")
                };
                diag = diag.with_secondary(cx.fs(p.span), text);
            }
        }
    }
    // A named longer lifetime gets the bound where it is declared: `'a`
    // in `<'a, 'b>` becomes `'a: 'b` (or `'a: 'c + 'b`).
    if let Universal::Sig(lp) = &r.universals[longer].1
        && lp.name.is_some()
        && lp.span != Span::default()
    {
        let text = &cx.program.file(cx.file).text;
        let after = text.get(lp.span.end as usize..).unwrap_or("");
        let rest = after.trim_start();
        let insert = if rest.starts_with([',', '>']) {
            Some((0, format!(": {b}")))
        } else if rest.starts_with(':') {
            let bounds = &after[..after.find([',', '>']).unwrap_or(after.len())];
            Some((bounds.trim_end().len(), format!(" + {b}")))
        } else {
            None
        };
        if let Some((offset, text)) = insert {
            let at = lp.span.end + u32::try_from(offset).unwrap_or(0);
            return diag.with_insert(
                cx.fs(Span::new(at, at)),
                text,
                format!("consider adding the following bound: `{a}: {b}`"),
            );
        }
    }
    diag.with_help(format!("consider adding the following bound: `{a}: {b}`"))
}

fn param_name(cx: &BodyCx<'_>, param: usize) -> Option<String> {
    // Parameters follow `self` (if any) among the argument locals.
    let has_self = cx
        .body
        .args()
        .next()
        .is_some_and(|l| cx.body.local(l).name() == Some("self"));
    let local = crate::mir::Local((param + 1 + usize::from(has_self)) as u32);
    cx.body
        .locals
        .get(local.index())
        .and_then(|d| d.name().map(str::to_string))
}

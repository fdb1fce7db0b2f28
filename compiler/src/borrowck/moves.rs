//! Moves and initialisation: which paths (a local and its fields) hold a
//! value at each point, where values were moved, and what each scope-end
//! drop must do. Reports W0381 (use of an uninitialised binding), W0382
//! (use after move, also partial, conditional and in loops), W0384
//! (assigning twice to an immutable binding) and W0507 (moving out of a
//! reference, an index, a `Gc` or a guard binding).

use super::InsertFix as _;
use super::dataflow::{BitSet, Effects, solve_forward};
use super::describe::Describer;
use super::{BodyCx, DropKind, DropPoint, MoveFact};
use crate::diagnostics::{Diagnostic, Span, codes};
use crate::mir::visit::{Event, EventTable, PlaceUse};
use crate::mir::{BlockId, Body, DerefKind, Local, LocalKind, Location, Place, Proj, TempKind};
use crate::types::ty::Ty;

#[derive(Debug)]
pub struct MovePath {
    pub local: Local,
    pub proj: Vec<Proj>,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
}

#[derive(Debug)]
pub struct MoveData {
    pub paths: Vec<MovePath>,
    root: Vec<usize>,
    /// Each move-out: its path and where it happened.
    pub sites: Vec<(usize, Span, Location)>,
    /// Per block and statement index: the first site id there.
    site_base: Vec<Vec<u32>>,
    /// The sites of each path's subtree.
    subtree_sites: Vec<Vec<usize>>,
}

/// The part of a place a move can take: up to the first deref or index.
fn movable_len(place: &Place) -> usize {
    place
        .proj
        .iter()
        .position(|p| matches!(p, Proj::Deref(_) | Proj::Index(_) | Proj::ConstIndex { .. }))
        .unwrap_or(place.proj.len())
}

impl MoveData {
    pub fn new(body: &Body, table: &EventTable<'_>) -> MoveData {
        let mut md = MoveData {
            paths: Vec::new(),
            root: Vec::new(),
            sites: Vec::new(),
            site_base: Vec::new(),
            subtree_sites: Vec::new(),
        };
        for l in 0..body.locals.len() {
            let id = md.paths.len();
            md.paths.push(MovePath {
                local: Local(l as u32),
                proj: Vec::new(),
                parent: None,
                children: Vec::new(),
            });
            md.root.push(id);
        }
        for (bi, block) in body.blocks.iter().enumerate() {
            let mut bases = Vec::with_capacity(block.statements.len() + 1);
            for i in 0..=block.statements.len() {
                let loc = Location {
                    block: BlockId(bi as u32),
                    index: i as u32,
                };
                bases.push(md.sites.len() as u32);
                for ev in table.at(loc) {
                    match ev {
                        Event::Moved(p, span) if movable_len(p) == p.proj.len() => {
                            let path = md.path_for(p);
                            md.sites.push((path, *span, loc));
                        }
                        Event::Stored(p, _) | Event::Dropped(p, _) => {
                            md.path_for(p);
                        }
                        _ => {}
                    }
                }
            }
            md.site_base.push(bases);
        }
        md.subtree_sites = vec![Vec::new(); md.paths.len()];
        for (s, (path, _, _)) in md.sites.iter().enumerate() {
            let mut p = Some(*path);
            while let Some(x) = p {
                md.subtree_sites[x].push(s);
                p = md.paths[x].parent;
            }
        }
        md
    }

    /// The child of path `parent` reached by projection `proj`. A path has
    /// few children (the fields moved out of it separately): a scan is
    /// cheaper than hashing a projection list.
    fn child(&self, parent: usize, proj: &Proj) -> Option<usize> {
        self.paths[parent]
            .children
            .iter()
            .copied()
            .find(|&c| self.paths[c].proj.last() == Some(proj))
    }

    /// Creates the paths along the movable prefix of `place`.
    fn path_for(&mut self, place: &Place) -> usize {
        let mut cur = self.root[place.local.index()];
        let n = movable_len(place);
        for k in 0..n {
            cur = if let Some(id) = self.child(cur, &place.proj[k]) {
                id
            } else {
                let id = self.paths.len();
                self.paths.push(MovePath {
                    local: place.local,
                    proj: place.proj[..=k].to_vec(),
                    parent: Some(cur),
                    children: Vec::new(),
                });
                self.paths[cur].children.push(id);
                id
            };
        }
        cur
    }

    /// The longest existing path for the movable prefix of `place`, and
    /// whether it is the whole prefix.
    pub fn lookup(&self, place: &Place) -> (usize, bool) {
        self.lookup_parts(place.local, &place.proj[..movable_len(place)])
    }

    /// [`Self::lookup`] of `local` with the (movable) projections `projs`.
    fn lookup_parts(&self, local: Local, projs: &[Proj]) -> (usize, bool) {
        let mut cur = self.root[local.index()];
        for proj in projs {
            match self.child(cur, proj) {
                Some(id) => cur = id,
                None => return (cur, false),
            }
        }
        (cur, true)
    }

    fn for_subtree(&self, path: usize, f: &mut impl FnMut(usize)) {
        f(path);
        for &c in &self.paths[path].children {
            self.for_subtree(c, f);
        }
    }

    pub fn root_of(&self, l: Local) -> usize {
        self.root[l.index()]
    }

    fn site_id(&self, loc: Location, ordinal: usize) -> usize {
        self.site_base[loc.block.index()][loc.index as usize] as usize + ordinal
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Analysis {
    MaybeInit,
    MaybeUninit,
    EverInit,
    MoveOuts,
}

/// Applies the effects of one event to a state of the given analysis.
fn apply(md: &MoveData, a: Analysis, ev: &Event<'_>, site: Option<usize>, eff: &mut dyn Effects) {
    match (a, ev) {
        (Analysis::MaybeInit, Event::Moved(p, _) | Event::Dropped(p, _))
            if movable_len(p) == p.proj.len() =>
        {
            let (path, _) = md.lookup(p);
            md.for_subtree(path, &mut |x| eff.kill_bit(x));
        }
        (Analysis::MaybeUninit, Event::Moved(p, _) | Event::Dropped(p, _))
            if movable_len(p) == p.proj.len() =>
        {
            let (path, _) = md.lookup(p);
            md.for_subtree(path, &mut |x| eff.gen_bit(x));
        }
        (Analysis::MoveOuts, Event::Moved(..)) => {
            if let Some(s) = site {
                eff.gen_bit(s);
            }
        }
        (_, Event::Stored(p, _)) => {
            if movable_len(p) != p.proj.len() {
                return;
            }
            let (path, _) = md.lookup(p);
            match a {
                Analysis::MaybeInit | Analysis::EverInit => {
                    md.for_subtree(path, &mut |x| eff.gen_bit(x));
                }
                Analysis::MaybeUninit => md.for_subtree(path, &mut |x| eff.kill_bit(x)),
                Analysis::MoveOuts => {
                    for &s in &md.subtree_sites[path] {
                        if md.sites[s].0 == path || is_descendant(md, md.sites[s].0, path) {
                            eff.kill_bit(s);
                        }
                    }
                }
            }
        }
        (_, Event::StorageReset(l, _)) => {
            let path = md.root_of(*l);
            match a {
                Analysis::MaybeInit | Analysis::EverInit => {
                    md.for_subtree(path, &mut |x| eff.kill_bit(x));
                }
                Analysis::MaybeUninit => md.for_subtree(path, &mut |x| eff.gen_bit(x)),
                Analysis::MoveOuts => {
                    for &s in &md.subtree_sites[path] {
                        eff.kill_bit(s);
                    }
                }
            }
        }
        _ => {}
    }
}

fn is_descendant(md: &MoveData, mut x: usize, ancestor: usize) -> bool {
    while let Some(p) = md.paths[x].parent {
        if p == ancestor {
            return true;
        }
        x = p;
    }
    false
}

fn solve(body: &Body, table: &EventTable<'_>, md: &MoveData, a: Analysis) -> Vec<BitSet> {
    let bits = if a == Analysis::MoveOuts {
        md.sites.len()
    } else {
        md.paths.len()
    };
    let mut entry = BitSet::new(bits);
    let args: Vec<usize> = body.args().map(|l| md.root_of(l)).collect();
    let upvars: Vec<usize> = (0..body.locals.len())
        .filter(|i| matches!(body.locals[*i].kind, LocalKind::Upvar { .. }))
        .map(|i| md.root_of(Local(i as u32)))
        .collect();
    match a {
        Analysis::MaybeInit | Analysis::EverInit => {
            for &p in args.iter().chain(&upvars) {
                md.for_subtree(p, &mut |x| entry.insert(x));
            }
        }
        Analysis::MaybeUninit => {
            entry.fill(bits);
            for &p in args.iter().chain(&upvars) {
                md.for_subtree(p, &mut |x| entry.remove(x));
            }
        }
        Analysis::MoveOuts => {}
    }
    solve_forward(body, bits, entry, &mut |loc, eff| {
        let mut ordinal = 0;
        for ev in table.at(loc) {
            let site = match ev {
                Event::Moved(p, _) if movable_len(p) == p.proj.len() => {
                    let s = md.site_id(loc, ordinal);
                    ordinal += 1;
                    Some(s)
                }
                _ => None,
            };
            apply(md, a, ev, site, eff);
        }
    })
}

/// What the initialisation analysis leaves for the rest of the checker.
#[derive(Debug)]
pub struct InitResults {
    pub moves: Vec<MoveFact>,
    pub drops: Vec<DropPoint>,
    /// Initialisation state changes of the named variables.
    pub states: Vec<super::StateFact>,
}

/// Runs the analyses and reports their errors.
#[allow(clippy::too_many_lines)]
pub fn check(cx: &BodyCx<'_>, diags: &mut Vec<Diagnostic>) -> InitResults {
    let body = cx.body;
    let md = MoveData::new(body, &cx.events);
    let init_in = solve(body, &cx.events, &md, Analysis::MaybeInit);
    let uninit_in = solve(body, &cx.events, &md, Analysis::MaybeUninit);
    // Ever-init and move-outs only explain errors (and feed the facts):
    // skip them when a quick pass over the two main analyses finds nothing
    // to explain.
    let full = cx.want_facts || suspicious(cx, &md, &init_in, &uninit_in);
    let (ever_in, moves_in) = if full {
        (
            solve(body, &cx.events, &md, Analysis::EverInit),
            solve(body, &cx.events, &md, Analysis::MoveOuts),
        )
    } else {
        (
            vec![BitSet::new(md.paths.len()); body.blocks.len()],
            vec![BitSet::new(md.sites.len()); body.blocks.len()],
        )
    };
    let d = cx.describer();
    let mut out = InitResults {
        moves: Vec::new(),
        drops: Vec::new(),
        states: Vec::new(),
    };
    let users: Vec<Local> = (0..body.locals.len())
        .map(|i| Local(i as u32))
        .filter(|l| matches!(body.local(*l).kind, LocalKind::User { .. }))
        .collect();
    let mut last: Vec<Option<super::Ownership>> = vec![None; body.locals.len()];
    let mut reported = Reported::default();
    for (bi, block) in body.blocks.iter().enumerate() {
        let mut init = init_in[bi].clone();
        let mut uninit = uninit_in[bi].clone();
        let mut ever = ever_in[bi].clone();
        let mut mo = moves_in[bi].clone();
        for i in 0..=block.statements.len() {
            let loc = Location {
                block: BlockId(bi as u32),
                index: i as u32,
            };
            let mut ordinal = 0;
            for ev in cx.events.at(loc) {
                match ev {
                    Event::Use(p, how, span) if !block.cleanup => {
                        if *how == PlaceUse::Drop {
                            // Drop points are facts for the editor only.
                            if cx.want_facts {
                                out.drops
                                    .push(drop_point(cx, &md, p, *span, &init, &uninit));
                            }
                        } else {
                            let st = States {
                                ever: &ever,
                                mo: &mo,
                            };
                            for (place, path, partial, how) in uninit_parts(&md, p, *how, &uninit) {
                                report_uninit(
                                    cx,
                                    &md,
                                    &place,
                                    path,
                                    partial,
                                    how,
                                    *span,
                                    st,
                                    &mut reported,
                                    diags,
                                );
                            }
                        }
                        if *how == PlaceUse::Move {
                            check_move_out(cx, &d, p, *span, diags);
                        }
                    }
                    Event::Stored(p, span) if !block.cleanup => {
                        check_store(cx, &d, &md, p, *span, &uninit, &ever, &mo, diags);
                    }
                    Event::Moved(p, span) if cx.want_facts => {
                        if movable_len(p) == p.proj.len()
                            && let Some(name) = d.place(p)
                            && !block.cleanup
                        {
                            out.moves.push(MoveFact {
                                place: name,
                                span: *span,
                            });
                        }
                    }
                    _ => {}
                }
                let site = match ev {
                    Event::Moved(p, _) if movable_len(p) == p.proj.len() => {
                        let s = md.site_id(loc, ordinal);
                        ordinal += 1;
                        Some(s)
                    }
                    _ => None,
                };
                apply(&md, Analysis::MaybeInit, ev, site, &mut init);
                apply(&md, Analysis::MaybeUninit, ev, site, &mut uninit);
                // Without anything suspicious there is nothing for these
                // two to explain (no use of a maybe-uninitialised path, no
                // second assignment to an immutable binding).
                if full {
                    apply(&md, Analysis::EverInit, ev, site, &mut ever);
                    apply(&md, Analysis::MoveOuts, ev, site, &mut mo);
                }
            }
            // Scope-end bookkeeping (drops, storage) is not a state change
            // a person would look for.
            let bookkeeping = matches!(
                block.statements.get(i).map(|s| &s.kind),
                Some(
                    crate::mir::StatementKind::Drop(_)
                        | crate::mir::StatementKind::StorageDead(_)
                        | crate::mir::StatementKind::StorageLive(_)
                )
            );
            if cx.want_facts && !block.cleanup && !bookkeeping {
                let span = body.span_at(loc);
                for &l in &users {
                    let state = init_state(&md, l, &init, &uninit, &mo);
                    let changed = last[l.index()] != Some(state);
                    last[l.index()] = Some(state);
                    if changed
                        && state != super::Ownership::Uninitialized
                        && let Some(name) = body.local(l).name()
                    {
                        out.states.push(super::StateFact {
                            span,
                            local: name.to_string(),
                            state,
                        });
                    }
                }
            }
        }
    }
    out
}

/// Whether the block can reach itself.
fn in_cycle(body: &Body, b: BlockId) -> bool {
    let mut seen = vec![false; body.blocks.len()];
    let mut stack: Vec<BlockId> = body.block(b).terminator.successors().collect();
    while let Some(x) = stack.pop() {
        if x == b {
            return true;
        }
        if std::mem::replace(&mut seen[x.index()], true) {
            continue;
        }
        stack.extend(body.block(x).terminator.successors());
    }
    false
}

/// Whether anything could be an initialisation error: a use of a maybe
/// uninitialised path, or a second assignment to an immutable binding.
fn suspicious(cx: &BodyCx<'_>, md: &MoveData, init_in: &[BitSet], uninit_in: &[BitSet]) -> bool {
    let body = cx.body;
    // A second assignment to an immutable binding is one where the binding
    // is ever-initialised, which needs an earlier store to reach it: the
    // binding is an argument or a captured variable (initialised on
    // entry), or is stored at two places, or at one a loop re-runs (the
    // binding of `let x = if … { a } else { b }` is stored once, after
    // the `if`). Ever-initialised means maybe-initialised, or moved or
    // dropped since (those end maybe-initialisation, not
    // ever-initialisation; only the end of its storage ends both).
    let mut stores: Vec<Vec<BlockId>> = vec![Vec::new(); body.locals.len()];
    for (bi, block) in body.blocks.iter().enumerate() {
        for i in 0..=block.statements.len() {
            let loc = Location {
                block: BlockId(bi as u32),
                index: i as u32,
            };
            for ev in cx.events.at(loc) {
                if let Event::Stored(p, _) = ev
                    && p.proj.is_empty()
                {
                    stores[p.local.index()].push(BlockId(bi as u32));
                }
            }
        }
    }
    let mut cyclic: Vec<Option<bool>> = vec![None; body.blocks.len()];
    let restorable: Vec<bool> = stores
        .iter()
        .enumerate()
        .map(|(l, blocks)| {
            let on_entry = (1..=body.arg_count as usize).contains(&l)
                || matches!(body.locals[l].kind, LocalKind::Upvar { .. });
            match blocks.as_slice() {
                [] => false,
                [b] => on_entry || *cyclic[b.index()].get_or_insert_with(|| in_cycle(body, *b)),
                _ => true,
            }
        })
        .collect();
    let mut moved_or_dropped: Vec<Local> = md
        .sites
        .iter()
        .map(|(p, _, _)| md.paths[*p].local)
        .collect();
    moved_or_dropped.extend(cx.events.all().iter().filter_map(|ev| match ev {
        Event::Dropped(p, _) => Some(p.local),
        _ => None,
    }));
    for (bi, block) in body.blocks.iter().enumerate() {
        if block.cleanup {
            continue;
        }
        let mut init = init_in[bi].clone();
        let mut uninit = uninit_in[bi].clone();
        for i in 0..=block.statements.len() {
            let loc = Location {
                block: BlockId(bi as u32),
                index: i as u32,
            };
            for ev in cx.events.at(loc) {
                match ev {
                    Event::Use(p, how, _)
                        if *how != PlaceUse::Drop
                            && !uninit_parts(md, p, *how, &uninit).is_empty() =>
                    {
                        return true;
                    }
                    Event::Stored(p, _) => {
                        let decl = body.local(p.local);
                        let user =
                            matches!(decl.kind, LocalKind::User { .. } | LocalKind::Upvar { .. });
                        let root = md.root_of(p.local);
                        if user
                            && p.proj.is_empty()
                            && !decl.mutable
                            && restorable[p.local.index()]
                            && (init.contains(root) || moved_or_dropped.contains(&p.local))
                        {
                            return true;
                        }
                        if user && !p.proj.is_empty() && movable_len(p) > 0 && uninit.contains(root)
                        {
                            return true;
                        }
                    }
                    _ => {}
                }
                apply(md, Analysis::MaybeInit, ev, None, &mut init);
                apply(md, Analysis::MaybeUninit, ev, None, &mut uninit);
            }
        }
    }
    false
}

fn init_state(
    md: &MoveData,
    l: Local,
    init: &BitSet,
    uninit: &BitSet,
    mo: &BitSet,
) -> super::Ownership {
    let root = md.root_of(l);
    if uninit.contains(root) {
        let moved = mo.iter().any(|s| md.paths[md.sites[s].0].local == l);
        return if moved && init.contains(root) {
            super::Ownership::MaybeMoved
        } else if moved {
            super::Ownership::Moved
        } else {
            super::Ownership::Uninitialized
        };
    }
    let mut partial = false;
    md.for_subtree(root, &mut |x| partial |= uninit.contains(x));
    if partial {
        super::Ownership::PartiallyMoved
    } else {
        super::Ownership::Owned
    }
}

fn drop_point(
    cx: &BodyCx<'_>,
    md: &MoveData,
    p: &Place,
    span: Span,
    init: &BitSet,
    uninit: &BitSet,
) -> DropPoint {
    let (path, _) = md.lookup(p);
    let mut any_init = false;
    let mut any_uninit = false;
    md.for_subtree(path, &mut |x| {
        any_init |= init.contains(x);
        any_uninit |= uninit.contains(x);
    });
    let kind = if !any_init {
        DropKind::Dead
    } else if !any_uninit {
        DropKind::Static
    } else if !uninit.contains(path) {
        DropKind::Open
    } else {
        DropKind::Flagged
    };
    DropPoint {
        place: cx.describer().place(p),
        local: p.local,
        kind,
        span,
    }
}

/// The parts of a use that may be uninitialised: `(place, path, partial,
/// how)` for the place's movable prefix and its index locals. Through a
/// deref only the reference itself must be initialised; a discriminant
/// read (matching) needs the place, not its fields.
fn uninit_parts(
    md: &MoveData,
    p: &Place,
    how: PlaceUse,
    uninit: &BitSet,
) -> Vec<(Place, usize, bool, PlaceUse)> {
    // Looked up without building the places: most uses are fine.
    let check = |local: Local, projs: &[Proj], partial_ok: bool| -> Option<(usize, bool)> {
        let (path, exact) = md.lookup_parts(local, projs);
        if uninit.contains(path) {
            return Some((path, false));
        }
        let mut partial = false;
        if exact && !partial_ok {
            md.for_subtree(path, &mut |x| partial |= uninit.contains(x));
        }
        partial.then_some((path, true))
    };
    let mut out = Vec::new();
    for l in crate::mir::visit::index_locals(p) {
        if let Some((path, partial)) = check(l, &[], false) {
            out.push((Place::local(l), path, partial, PlaceUse::Copy));
        }
    }
    let n = movable_len(p);
    let shallow = n < p.proj.len() || how == PlaceUse::Inspect;
    if let Some((path, partial)) = check(p.local, &p.proj[..n], shallow) {
        let prefix = Place {
            local: p.local,
            proj: p.proj[..n].to_vec(),
        };
        out.push((prefix, path, partial, how));
    }
    out
}

/// What has been reported in a body: `(root path, span)` of uses, and the
/// move sites of each use-after-move (rustc reports a move once).
#[derive(Debug, Default)]
struct Reported {
    uses: Vec<(usize, Span)>,
    moves: Vec<Vec<Span>>,
}

/// What explaining an uninitialised use needs of the state at its point.
#[derive(Debug, Clone, Copy)]
struct States<'s> {
    ever: &'s BitSet,
    mo: &'s BitSet,
}

#[allow(clippy::too_many_arguments)]
fn report_uninit(
    cx: &BodyCx<'_>,
    md: &MoveData,
    place: &Place,
    path: usize,
    partial: bool,
    how: PlaceUse,
    span: Span,
    st: States<'_>,
    reported: &mut Reported,
    diags: &mut Vec<Diagnostic>,
) {
    let d = cx.describer();
    let (ever, mo) = (st.ever, st.mo);
    let root = md.root_of(place.local);
    if reported.uses.iter().any(|(r, s)| *r == root && *s == span) {
        return;
    }
    reported.uses.push((root, span));
    let decl = cx.body.local(place.local);
    if decl.is_temp() && !matches!(decl.kind, LocalKind::Temp(TempKind::GuardBinding)) {
        return;
    }
    // Named after the path that lost its value (`p` when `p.name` is
    // used after `p` moved).
    let path_place = Place {
        local: md.paths[path].local,
        proj: md.paths[path].proj.clone(),
    };
    let place = &path_place;
    let named = d.place(place);
    let name = named.clone().unwrap_or_else(|| "value".into());
    // The moves that reach here and touch this path.
    let mut sites: Vec<usize> = mo
        .iter()
        .filter(|&s| {
            let sp = md.sites[s].0;
            sp == path || is_descendant(md, sp, path) || is_descendant(md, path, sp)
        })
        .collect();
    sites.sort_by_key(|s| md.sites[*s].1);
    sites.dedup_by_key(|s| md.sites[*s].1);
    // One error per set of moves (rustc reports a move once).
    if !sites.is_empty() {
        let key: Vec<Span> = sites.iter().map(|s| md.sites[*s].1).collect();
        if reported.moves.contains(&key) {
            return;
        }
        reported.moves.push(key);
    }
    let borrow = matches!(how, PlaceUse::Borrow(_));
    if sites.is_empty() {
        let maybe = ever.contains(path);
        let message = if maybe {
            format!("used binding `{name}` is possibly-uninitialized")
        } else if partial {
            format!("used binding `{name}` isn't fully initialized")
        } else {
            format!("used binding `{name}` isn't initialized")
        };
        let label = if maybe {
            format!("`{name}` used here but it is possibly-uninitialized")
        } else {
            format!("`{name}` used here but it isn't initialized")
        };
        let mut diag =
            Diagnostic::error(codes::UNINITIALIZED, cx.fs(span), message).with_label(label);
        if !maybe && place.proj.is_empty() && !decl.is_temp() {
            diag = diag.with_secondary(
                cx.fs(decl.span),
                "binding declared here but left uninitialized",
            );
            if let Some(init) = default_value(&decl.ty) {
                let at = decl.span.shrink_to_hi();
                diag = diag.with_insert(
                    cx.fs(at),
                    format!(" = {init}"),
                    "consider assigning a value",
                );
            }
        }
        diags.push(diag);
        return;
    }
    let ty = d.place_ty(place);
    let partial_move = sites
        .iter()
        .any(|s| md.sites[*s].0 != path && is_descendant(md, md.sites[*s].0, path));
    let what = if partial_move {
        "partially moved value"
    } else {
        "moved value"
    };
    let verb = if borrow { "borrow" } else { "use" };
    let mut diag = Diagnostic::error(
        codes::USE_AFTER_MOVE,
        cx.fs(span),
        if named.is_some() {
            format!("{verb} of {what}: `{name}`")
        } else {
            format!("{verb} of {what}")
        },
    )
    .with_label(if borrow {
        format!(
            "value borrowed here after {}move",
            if partial_move { "partial " } else { "" }
        )
    } else {
        format!(
            "value used here after {}move",
            if partial_move { "partial " } else { "" }
        )
    });
    let mut clone_fix = None;
    for s in &sites {
        let (_, msp, mloc) = md.sites[*s];
        let in_loop = msp.start >= span.start;
        let how_moved = move_kind(cx, mloc);
        let label = match (&how_moved, in_loop) {
            (MoveHow::IntoIter, _) => {
                format!("`{name}` moved due to this implicit call to `.into_iter()`")
            }
            (MoveHow::Call, false) => format!("`{name}` moved due to this call"),
            (MoveHow::Call, true) => {
                format!("`{name}` moved due to this call, in previous iteration of loop")
            }
            (MoveHow::Method(m), false) => format!("`{name}` moved due to this method call `{m}`"),
            (MoveHow::Method(m), true) => format!(
                "`{name}` moved due to this method call `{m}`, in previous iteration of loop"
            ),
            (_, true) => format!(
                "value {}moved here, in previous iteration of loop",
                if partial_move { "partially " } else { "" }
            ),
            (_, false) => format!(
                "value {}moved here",
                if partial_move { "partially " } else { "" }
            ),
        };
        diag = diag.with_secondary(cx.fs(msp), label);
        if clone_fix.is_none() {
            // Moved into a parameter of the user's function: it could
            // borrow instead (rustc's note).
            // A note, not a label on the parameter: a diagnostic pointing
            // outside its function would not be cached with it.
            if let Some((callee, param)) = moved_into_parameter(cx, mloc, msp) {
                diag = diag.with_note(format!(
                    "`{callee}` takes `{param}` by value: consider changing this parameter type in function `{callee}` to borrow instead if owning the value isn't necessary"
                ));
            }
            clone_fix = Some((msp, how_moved));
        }
    }
    if named.is_none() {
        diag = diag.with_note(format!(
            "move occurs because value has type `{}`, which does not implement the `Copy` trait",
            d.ty(&ty)
        ));
    } else if !decl.is_temp() {
        let whom = if partial_move {
            let (mp, _, _) = md.sites[sites[0]];
            let mplace = Place {
                local: md.paths[mp].local,
                proj: md.paths[mp].proj.clone(),
            };
            let mty = d.place_ty(&mplace);
            format!(
                "partial move occurs because `{}` has type `{}`",
                d.place(&mplace).unwrap_or_default(),
                d.ty(&mty)
            )
        } else {
            format!("move occurs because `{name}` has type `{}`", d.ty(&ty))
        };
        diag = diag.with_secondary(
            cx.fs(decl.span),
            format!("{whom}, which does not implement the `Copy` trait"),
        );
    }
    match clone_fix {
        Some((_, MoveHow::Call)) => {
            diag = diag.with_note(
                "this closure implements `FnOnce`: it moves a captured variable out of its environment, so calling it consumes it and it cannot be called again",
            );
        }
        Some((msp, MoveHow::IntoIter)) => {
            diag = diag
                .with_insert(cx.fs(msp.shrink_to_lo()), "&".to_string(), format!("consider iterating over a borrow of `{name}` to avoid moving it into the `for` loop"));
        }
        Some((msp, MoveHow::Binding)) => {
            diag = diag.with_insert(
                cx.fs(msp.shrink_to_lo()),
                "ref ".to_string(),
                "borrow this binding in the pattern to avoid moving the value",
            );
        }
        Some((msp, _)) if crate::types::ty::is_cloneable(cx.program, &ty) && !partial_move => {
            diag = diag.with_insert(
                cx.fs(msp.shrink_to_hi()),
                ".clone()".to_string(),
                "consider cloning the value if the performance cost is acceptable",
            );
        }
        _ => {}
    }
    diags.push(diag);
}

enum MoveHow {
    Plain,
    /// Calling a closure that moves a capture out consumes it.
    Call,
    Binding,
    IntoIter,
    Method(String),
}

/// How the move at `loc` came about, for its label.
fn move_kind(cx: &BodyCx<'_>, loc: Location) -> MoveHow {
    let block = cx.body.block(loc.block);
    // A pattern binding by value: `Some(s)` moves the payload into `s`.
    if let Some(st) = block.statements.get(loc.index as usize)
        && let crate::mir::StatementKind::Assign(
            dest,
            crate::mir::Rvalue::Use(crate::mir::Operand::Move(src, _)),
        ) = &st.kind
        && let Some(l) = dest.as_local()
        && !src.proj.is_empty()
        && matches!(cx.body.local(l).kind, LocalKind::User { .. })
        && cx.body.local(l).span == st.span
    {
        return MoveHow::Binding;
    }
    if loc.index as usize == block.statements.len()
        && let crate::mir::TerminatorKind::Call { callee, args, .. } = &block.terminator.kind
    {
        match callee {
            crate::mir::Callee::Builtin(crate::mir::Builtin::IntoIter) => return MoveHow::IntoIter,
            crate::mir::Callee::Value(crate::mir::Operand::Move(..)) => return MoveHow::Call,
            crate::mir::Callee::Def(d) => {
                let def = cx.program.def(*d);
                let self_value = cx.typed.sigs.get(d).and_then(|s| s.self_kind)
                    == Some(crate::types::SelfKind::Value);
                if self_value && !args.is_empty() {
                    return MoveHow::Method(format!("{}()", def.name.text));
                }
            }
            _ => {}
        }
    }
    MoveHow::Plain
}

/// For a move at `loc` (of the operand at `moved`) into an argument of a
/// call of one of the user's functions: the function's name and the
/// parameter as written (`s: String`).
fn moved_into_parameter(cx: &BodyCx<'_>, loc: Location, moved: Span) -> Option<(String, String)> {
    let block = cx.body.block(loc.block);
    if loc.index as usize != block.statements.len() {
        return None;
    }
    let crate::mir::TerminatorKind::Call {
        callee: crate::mir::Callee::Def(d),
        args,
        ..
    } = &block.terminator.kind
    else {
        return None;
    };
    let def = cx.program.def(*d);
    let crate::resolve::DefKind::Fn(f) = &def.kind else {
        return None;
    };
    if def.file == cx.program.std_file {
        return None;
    }
    let index = args
        .iter()
        .position(|a| matches!(a, crate::mir::Operand::Move(_, s) if *s == moved))?;
    let index = index.checked_sub(usize::from(f.self_param.is_some()))?;
    let param = f.body.params.get(index)?;
    let text = &cx.program.file(def.file).text;
    let written =
        text.get(f.body.pat(param.pat).span.start as usize..param.ty.span().end as usize)?;
    Some((def.name.text.clone(), written.to_string()))
}

fn default_value(ty: &Ty) -> Option<&'static str> {
    Some(match ty {
        Ty::Int => "0",
        Ty::Float => "0.0",
        Ty::Bool => "false",
        Ty::Char => "'\\0'",
        Ty::Str => "String::new()",
        _ => return None,
    })
}

/// Moving out of a place behind a reference, an index, a `Gc` or a guard
/// binding.
fn check_move_out(
    cx: &BodyCx<'_>,
    d: &Describer<'_>,
    p: &Place,
    span: Span,
    diags: &mut Vec<Diagnostic>,
) {
    let decl = cx.body.local(p.local);
    if matches!(decl.kind, LocalKind::Temp(TempKind::GuardBinding)) && p.proj.is_empty() {
        diags.push(
            Diagnostic::error(codes::MOVE_OUT_OF_BORROW, cx.fs(span), "cannot move out of a binding in a pattern guard")
                .with_label("move occurs here")
                .with_note("variables bound in patterns cannot be moved from until after the end of the pattern guard"),
        );
        return;
    }
    let n = movable_len(p);
    if n == p.proj.len() {
        return;
    }
    let ty = d.place_ty(p);
    let name = d.place(p);
    let kind_msg = match (&decl.kind, &p.proj[n]) {
        (LocalKind::Temp(TempKind::Index), _) => {
            let base_ty = cx
                .origins
                .borrowed
                .get(&p.local)
                .map_or(Ty::Error, |b| d.place_ty(b));
            format!("cannot move out of index of `{}`", d.ty(&base_ty))
        }
        (LocalKind::Temp(TempKind::Deref), _) => {
            let base_ty = cx
                .origins
                .borrowed
                .get(&p.local)
                .map_or(Ty::Error, |b| d.place_ty(b));
            format!("cannot move out of data in a `{}`", d.ty(&base_ty))
        }
        (LocalKind::Upvar { name: up, .. }, Proj::Deref(_)) if n == 0 && p.proj.len() == 1 => {
            format!("cannot move out of `{up}`, a captured variable in a closure")
        }
        (_, Proj::Index(_) | Proj::ConstIndex { .. }) => {
            let base = Place {
                local: p.local,
                proj: p.proj[..n].to_vec(),
            };
            format!("cannot move out of index of `{}`", d.ty(&d.place_ty(&base)))
        }
        (_, Proj::Deref(k)) => {
            let which = if *k == DerefKind::Mut {
                "mutable"
            } else {
                "shared"
            };
            match &name {
                Some(nm) => {
                    format!("cannot move out of `{nm}` which is behind a {which} reference")
                }
                None => format!("cannot move out of a {which} reference"),
            }
        }
        _ => "cannot move out of a borrowed value".into(),
    };
    let indexed = matches!(p.proj[n], Proj::Index(_) | Proj::ConstIndex { .. })
        || matches!(decl.kind, LocalKind::Temp(TempKind::Index));
    let label = match &name {
        Some(nm) if !indexed => format!(
            "move occurs because `{nm}` has type `{}`, which does not implement the `Copy` trait",
            d.ty(&ty)
        ),
        _ => format!(
            "move occurs because value has type `{}`, which does not implement the `Copy` trait",
            d.ty(&ty)
        ),
    };
    let mut diag =
        Diagnostic::error(codes::MOVE_OUT_OF_BORROW, cx.fs(span), kind_msg).with_label(label);
    if crate::types::ty::is_cloneable(cx.program, &ty) {
        diag = diag.with_insert(
            cx.fs(span.shrink_to_hi()),
            ".clone()".to_string(),
            "consider cloning the value if the performance cost is acceptable",
        );
    }
    if indexed {
        diag = diag
            .with_insert(cx.fs(span.shrink_to_lo()), "&".to_string(), "consider borrowing here")
            .with_note("to take the value out of a list, use `list.remove(i)`; of an `Option`, use `opt.take()`");
    }
    diags.push(diag);
}

/// Assignments: twice to an immutable binding (W0384), to part of an
/// uninitialised or moved binding.
#[allow(clippy::too_many_arguments)]
fn check_store(
    cx: &BodyCx<'_>,
    d: &Describer<'_>,
    md: &MoveData,
    p: &Place,
    span: Span,
    uninit: &BitSet,
    ever: &BitSet,
    mo: &BitSet,
    diags: &mut Vec<Diagnostic>,
) {
    let decl = cx.body.local(p.local);
    let user = matches!(decl.kind, LocalKind::User { .. } | LocalKind::Upvar { .. });
    if p.proj.is_empty() && !decl.mutable && matches!(decl.kind, LocalKind::Upvar { .. }) {
        // A variable a `move` closure captured by value: assigning it
        // needs `mut` on the variable, which rustc reports as E0594.
        let name = decl.name().unwrap_or("_").to_string();
        diags.push(
            Diagnostic::error(
                codes::ASSIGN_TO_IMMUTABLE,
                cx.fs(span),
                format!("cannot assign to `{name}`, as it is not declared as mutable"),
            )
            .with_label("cannot assign")
            .with_insert(
                cx.fs(decl.span.shrink_to_lo()),
                "mut ".to_string(),
                "consider changing this to be mutable",
            ),
        );
        return;
    }
    if p.proj.is_empty() {
        if user && !decl.mutable && ever.contains(md.root_of(p.local)) {
            let name = decl.name().unwrap_or("_").to_string();
            let is_arg = p.local.0 >= 1 && p.local.0 <= cx.body.arg_count;
            let mut diag = if is_arg {
                Diagnostic::error(
                    codes::ASSIGN_TWICE,
                    cx.fs(span),
                    format!("cannot assign to immutable argument `{name}`"),
                )
                .with_label("cannot assign to immutable argument")
            } else {
                let mut dg = Diagnostic::error(
                    codes::ASSIGN_TWICE,
                    cx.fs(span),
                    format!("cannot assign twice to immutable variable `{name}`"),
                )
                .with_label("cannot assign twice to immutable variable");
                if let Some(first) = first_assignment(cx, p.local, span) {
                    // A `let` binding's value: point at the name.
                    let at = if first.start <= decl.span.start && decl.span.end <= first.end {
                        decl.span
                    } else {
                        first
                    };
                    dg = dg.with_secondary(cx.fs(at), format!("first assignment to `{name}`"));
                }
                dg
            };
            if matches!(decl.kind, LocalKind::User { .. }) {
                diag = diag.with_insert(
                    cx.fs(decl.span.shrink_to_lo()),
                    "mut ".to_string(),
                    "consider making this binding mutable",
                );
            }
            diags.push(diag);
        }
        return;
    }
    let n = movable_len(p);
    if n == 0 || !user {
        return;
    }
    // Assigning a field needs the binding itself initialised.
    let root = md.root_of(p.local);
    if uninit.contains(root) {
        let name = decl.name().unwrap_or("_");
        let moved = mo.iter().any(|s| {
            let sp = md.sites[s].0;
            sp == root
        });
        if moved {
            diags.push(
                Diagnostic::error(
                    codes::USE_AFTER_MOVE,
                    cx.fs(span),
                    format!("assign to part of moved value: `{name}`"),
                )
                .with_label("value partially assigned here after move".to_string()),
            );
        } else {
            let what = d.place(p).unwrap_or_default();
            diags.push(
                Diagnostic::error(
                    codes::UNINITIALIZED,
                    cx.fs(span),
                    format!("partially assigned binding `{name}` isn't fully initialized"),
                )
                .with_label(format!(
                    "`{what}` partially assigned here but it isn't fully initialized"
                ))
                .with_secondary(
                    cx.fs(decl.span),
                    "binding declared here but left uninitialized",
                )
                .with_help("initialize the whole binding before assigning to its parts"),
            );
        }
    }
}

fn first_assignment(cx: &BodyCx<'_>, l: Local, before: Span) -> Option<Span> {
    let mut best: Option<Span> = None;
    for block in &cx.body.blocks {
        for st in &block.statements {
            if let crate::mir::StatementKind::Assign(dest, _) = &st.kind
                && dest.as_local() == Some(l)
                && st.span.start < before.start
                && best.is_none_or(|b| st.span.start < b.start)
            {
                best = Some(st.span);
            }
        }
    }
    best
}

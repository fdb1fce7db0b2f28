//! Region inference, as rustc's NLL does it: every reference position of
//! every local's type gets a region variable; a region is a set of points
//! of the control-flow graph. Liveness puts into a region every point
//! where a local whose type holds it may still be used; assignments,
//! borrows (including reborrows through `*r`) and calls add outlives
//! constraints `'a: 'b` (location-insensitive, as in rustc); the solution
//! is the least one. Universal regions (the signature's lifetimes and
//! `'static`) contain every point and an end marker of their own, so a
//! constraint between two of them that the signature does not declare
//! shows up as a foreign end marker (W0623, W0621).

use super::BodyCx;
use super::dataflow::BitSet;
use super::sigs::{RegionParam, RegionRef, SigTmpl, Templates, Tmpl};
use crate::diagnostics::Span;
use crate::mir::visit::{Event, PlaceUse};
use crate::mir::{
    AggregateKind, BlockId, BorrowKind, Builtin, Callee, Const, LocalKind, Location, Operand,
    Place, Proj, Rvalue, StatementKind, TerminatorKind,
};
use crate::resolve::DefId;
use crate::types::ty::Ty;

pub type Rv = u32;

/// A type with a region variable at each reference position.
#[derive(Debug, Clone)]
pub enum RTy {
    Leaf,
    Ref(Rv, Box<RTy>, bool),
    Adt(DefId, Vec<Rv>, Vec<RTy>),
    Tuple(Vec<RTy>),
    Seq(Box<RTy>),
    /// A closure: its captures' regions outlive this one.
    Fn(Rv),
}

impl RTy {
    pub fn regions(&self, out: &mut Vec<Rv>) {
        match self {
            RTy::Leaf => {}
            RTy::Ref(r, inner, _) => {
                out.push(*r);
                inner.regions(out);
            }
            RTy::Adt(_, lts, args) => {
                out.extend(lts);
                for a in args {
                    a.regions(out);
                }
            }
            RTy::Tuple(items) => {
                for a in items {
                    a.regions(out);
                }
            }
            RTy::Seq(e) => e.regions(out),
            RTy::Fn(r) => out.push(*r),
        }
    }
}

#[derive(Debug, Clone)]
pub enum Universal {
    Static,
    /// A region of the function's signature.
    Sig(RegionParam),
    /// A closure's argument, return or capture region: decided by its
    /// enclosing body, never an error here.
    External,
}

#[derive(Debug, Clone, Copy)]
pub struct Constraint {
    pub sup: Rv,
    pub sub: Rv,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub struct Loan {
    pub place: Place,
    pub kind: BorrowKind,
    pub region: Rv,
    pub loc: Location,
    pub span: Span,
    /// The local the reference is stored in.
    pub holder: Option<crate::mir::Local>,
}

#[derive(Debug)]
pub struct Regions {
    pub count: u32,
    /// For each universal region: its variable and what it is.
    pub universals: Vec<(Rv, Universal)>,
    pub local_rty: Vec<RTy>,
    pub constraints: Vec<Constraint>,
    pub loans: Vec<Loan>,
    /// Region values, over points then universal end markers.
    pub values: Vec<BitSet>,
    pub block_start: Vec<usize>,
    pub points: usize,
    /// Locations of every point, indexed by point.
    pub locations: Vec<Location>,
    /// `_0`'s regions (a value escaping through the return).
    pub return_regions: Vec<Rv>,
    /// Declared (and implied) outlives between universal indices.
    pub known: Vec<(usize, usize)>,
}

impl Regions {
    pub fn point(&self, loc: Location) -> usize {
        self.block_start[loc.block.index()] + loc.index as usize
    }

    pub fn end_marker(&self, universal: usize) -> usize {
        self.points + universal
    }

    pub fn universal_of(&self, r: Rv) -> Option<usize> {
        self.universals.iter().position(|(v, _)| *v == r)
    }

    /// Regions reachable from `r` through `r: a: b…` edges.
    pub fn outlived_by(&self, r: Rv) -> Vec<bool> {
        let mut seen = vec![false; self.count as usize];
        let mut stack = vec![r];
        seen[r as usize] = true;
        while let Some(x) = stack.pop() {
            for c in &self.constraints {
                if c.sup == x && !seen[c.sub as usize] {
                    seen[c.sub as usize] = true;
                    stack.push(c.sub);
                }
            }
        }
        seen
    }

    /// The constraints on a path from `from` to `to` (through `sup: sub`
    /// edges), if there is one.
    pub fn path(&self, from: Rv, to: Rv) -> Option<Vec<Constraint>> {
        let mut pred: Vec<Option<usize>> = vec![None; self.count as usize];
        let mut seen = vec![false; self.count as usize];
        let mut queue = std::collections::VecDeque::from([from]);
        seen[from as usize] = true;
        while let Some(x) = queue.pop_front() {
            if x == to {
                let mut out = Vec::new();
                let mut cur = to;
                while let Some(ci) = pred[cur as usize] {
                    out.push(self.constraints[ci]);
                    cur = self.constraints[ci].sup;
                    if cur == from {
                        break;
                    }
                }
                out.reverse();
                return Some(out);
            }
            for (ci, c) in self.constraints.iter().enumerate() {
                if c.sup == x && !seen[c.sub as usize] {
                    seen[c.sub as usize] = true;
                    pred[c.sub as usize] = Some(ci);
                    queue.push_back(c.sub);
                }
            }
        }
        None
    }
}

/// The region of a lifetime missing from the source (`RegionRef::Error`):
/// constraints on it are dropped, so the mistake already reported (W0106)
/// does not come back as borrow errors. Region 0 is `'static`.
const ERROR_REGION: Rv = 1;

struct Gen<'a, 'b> {
    cx: &'a BodyCx<'b>,
    templates: &'a mut Templates,
    r: Regions,
    /// Temporaries holding only a constant (promotable to `'static`).
    promoted: Vec<crate::mir::Local>,
}

impl Gen<'_, '_> {
    fn fresh(&mut self) -> Rv {
        self.r.count += 1;
        self.r.count - 1
    }

    fn fresh_rty(&mut self, ty: &Ty) -> RTy {
        match ty {
            Ty::Ref(m, inner) => {
                let r = self.fresh();
                RTy::Ref(r, Box::new(self.fresh_rty(inner)), *m)
            }
            Ty::Adt(d, args) => {
                let n = super::sigs::adt_lifetimes(self.cx.program, *d);
                let lts = (0..n).map(|_| self.fresh()).collect();
                let args = args.iter().map(|a| self.fresh_rty(a)).collect();
                RTy::Adt(*d, lts, args)
            }
            Ty::Tuple(items) => RTy::Tuple(items.iter().map(|t| self.fresh_rty(t)).collect()),
            Ty::Array(e, _) => RTy::Seq(Box::new(self.fresh_rty(e))),
            Ty::Fn(..) => RTy::Fn(self.fresh()),
            _ => RTy::Leaf,
        }
    }

    fn instantiate(t: &Tmpl, regions: &[Rv], params: &[RTy]) -> RTy {
        let reg = |r: &RegionRef| match r {
            RegionRef::Static => 0,
            RegionRef::Error => ERROR_REGION,
            RegionRef::Param(i) => regions.get(*i as usize).copied().unwrap_or(0),
        };
        match t {
            Tmpl::Leaf => RTy::Leaf,
            Tmpl::Ref(r, inner, m) => RTy::Ref(
                reg(r),
                Box::new(Self::instantiate(inner, regions, params)),
                *m,
            ),
            Tmpl::Adt(d, lts, args) => RTy::Adt(
                *d,
                lts.iter().map(reg).collect(),
                args.iter()
                    .map(|a| Self::instantiate(a, regions, params))
                    .collect(),
            ),
            Tmpl::Tuple(items) => RTy::Tuple(
                items
                    .iter()
                    .map(|a| Self::instantiate(a, regions, params))
                    .collect(),
            ),
            Tmpl::Seq(e) => RTy::Seq(Box::new(Self::instantiate(e, regions, params))),
            Tmpl::Param(i) => params.get(*i as usize).cloned().unwrap_or(RTy::Leaf),
            Tmpl::Fn(r) => RTy::Fn(reg(r)),
        }
    }

    fn outlives(&mut self, sup: Rv, sub: Rv, span: Span) {
        if sup != sub && sup != ERROR_REGION && sub != ERROR_REGION {
            self.r.constraints.push(Constraint { sup, sub, span });
        }
    }

    /// `sub <: sup`: a value of type `sub` stored where `sup` is expected.
    fn relate(&mut self, sub: &RTy, sup: &RTy, invariant: bool, span: Span) {
        match (sub, sup) {
            (RTy::Ref(a, ai, m), RTy::Ref(b, bi, _)) => {
                self.outlives(*a, *b, span);
                if invariant {
                    self.outlives(*b, *a, span);
                }
                self.relate(ai, bi, invariant || *m, span);
            }
            (RTy::Adt(_, la, aa), RTy::Adt(_, lb, ab)) => {
                for (a, b) in la.iter().zip(lb) {
                    self.outlives(*a, *b, span);
                    if invariant {
                        self.outlives(*b, *a, span);
                    }
                }
                for (a, b) in aa.iter().zip(ab) {
                    self.relate(a, b, invariant, span);
                }
            }
            (RTy::Tuple(x), RTy::Tuple(y)) => {
                for (a, b) in x.iter().zip(y) {
                    self.relate(a, b, invariant, span);
                }
            }
            (RTy::Seq(a), RTy::Seq(b)) => self.relate(a, b, invariant, span),
            (RTy::Fn(a), RTy::Fn(b)) => {
                self.outlives(*a, *b, span);
                if invariant {
                    self.outlives(*b, *a, span);
                }
            }
            _ => {}
        }
    }

    /// Every region of `from` outlives every region of `to` (for the
    /// built-ins without a signature).
    fn flat(&mut self, from: &RTy, to: &RTy, span: Span) {
        let mut a = Vec::new();
        from.regions(&mut a);
        let mut b = Vec::new();
        to.regions(&mut b);
        for x in &a {
            for y in &b {
                self.outlives(*x, *y, span);
            }
        }
    }

    fn place_rty(&mut self, place: &Place) -> RTy {
        let mut t = self.r.local_rty[place.local.index()].clone();
        let mut variant: Option<DefId> = None;
        for p in &place.proj {
            t = match (p, t) {
                (Proj::Deref(_), RTy::Ref(_, inner, _)) => *inner,
                (Proj::Field(i), RTy::Tuple(items)) => {
                    items.get(*i as usize).cloned().unwrap_or(RTy::Leaf)
                }
                (Proj::Field(i), RTy::Adt(d, lts, args)) => {
                    let def = variant.take().unwrap_or(d);
                    let tmpl = self
                        .templates
                        .fields(self.cx.program, self.cx.typed, def)
                        .get(*i as usize)
                        .cloned();
                    match tmpl {
                        Some(tm) => Self::instantiate(&tm, &lts, &args),
                        None => RTy::Leaf,
                    }
                }
                (Proj::Downcast(v), t) => {
                    variant = Some(*v);
                    t
                }
                (Proj::Index(_) | Proj::ConstIndex { .. }, RTy::Seq(e)) => *e,
                (Proj::Index(_) | Proj::ConstIndex { .. }, RTy::Adt(_, _, args)) => {
                    args.last().cloned().unwrap_or(RTy::Leaf)
                }
                _ => RTy::Leaf,
            };
        }
        t
    }

    fn operand_rty(&mut self, op: &Operand) -> RTy {
        match op.place() {
            Some(p) => self.place_rty(p),
            None => RTy::Leaf,
        }
    }

    fn operand_ty(&self, op: &Operand) -> Ty {
        match op {
            Operand::Copy(p, _) | Operand::Move(p, _) => {
                crate::mir::place_ty(self.cx.program, self.cx.typed, self.cx.body, p)
            }
            // `()` is not a literal this analysis types (it holds no regions).
            Operand::Const(Const::Unit) => Ty::Error,
            Operand::Const(c) => crate::mir::literal_ty(c).unwrap_or(Ty::Error),
        }
    }

    fn assign(&mut self, dest: &Place, rv: &Rvalue, loc: Location, span: Span) {
        let dest_rty = self.place_rty(dest);
        match rv {
            Rvalue::Use(op) => {
                let src = self.operand_rty(op);
                self.relate(&src, &dest_rty, false, span);
            }
            Rvalue::Repeat(op, _) => {
                let src = self.operand_rty(op);
                if let RTy::Seq(e) = &dest_rty {
                    self.relate(&src, e, false, span);
                }
            }
            Rvalue::Ref(kind, place) => {
                let region = self.fresh();
                // `&[]`, `&5`: a constant is promoted to a `'static`
                // value, so the borrow is not a loan of a temporary.
                if !kind.is_mut()
                    && let Some(l) = place.as_local()
                    && self.promoted.contains(&l)
                {
                    self.outlives(0, region, span);
                    let inner = self.place_rty(place);
                    let made = RTy::Ref(region, Box::new(inner), false);
                    self.relate(&made, &dest_rty, false, span);
                    return;
                }
                let inner = self.place_rty(place);
                let made = RTy::Ref(region, Box::new(inner), kind.is_mut());
                self.relate(&made, &dest_rty, false, span);
                // A reborrow through `*r` needs `r` to outlive it.
                let mut prefix = Place::local(place.local);
                for p in &place.proj {
                    if matches!(p, Proj::Deref(_))
                        && let RTy::Ref(rr, _, _) = self.place_rty(&prefix)
                    {
                        self.outlives(rr, region, span);
                    }
                    prefix = prefix.project(p.clone());
                }
                self.r.loans.push(Loan {
                    place: place.clone(),
                    kind: *kind,
                    region,
                    loc,
                    span,
                    holder: dest.as_local(),
                });
            }
            Rvalue::Aggregate(kind, ops) => match kind {
                AggregateKind::Tuple | AggregateKind::Array => {
                    for (i, op) in ops.iter().enumerate() {
                        let src = self.operand_rty(op);
                        let slot = match &dest_rty {
                            RTy::Tuple(items) => items.get(i).cloned().unwrap_or(RTy::Leaf),
                            RTy::Seq(e) => (**e).clone(),
                            _ => RTy::Leaf,
                        };
                        self.relate(&src, &slot, false, span);
                    }
                }
                AggregateKind::Adt(def) => {
                    if let RTy::Adt(_, lts, args) = &dest_rty {
                        let tmpls = self
                            .templates
                            .fields(self.cx.program, self.cx.typed, *def)
                            .to_vec();
                        for (op, tm) in ops.iter().zip(&tmpls) {
                            let src = self.operand_rty(op);
                            let slot = Self::instantiate(tm, lts, args);
                            self.relate(&src, &slot, false, span);
                        }
                    }
                }
                AggregateKind::Range { .. } => {
                    if let RTy::Adt(_, _, args) = &dest_rty
                        && let Some(elem) = args.first().cloned()
                    {
                        for op in ops {
                            let src = self.operand_rty(op);
                            self.relate(&src, &elem, false, span);
                        }
                    }
                }
                AggregateKind::Closure(_) => {
                    if let RTy::Fn(env) = dest_rty {
                        for op in ops {
                            let src = self.operand_rty(op);
                            let mut rs = Vec::new();
                            src.regions(&mut rs);
                            for r in rs {
                                self.outlives(r, env, span);
                            }
                        }
                    }
                }
            },
            _ => {}
        }
    }

    fn call(&mut self, callee: &Callee, args: &[Operand], dest: &Place, span: Span) {
        let dest_rty = self.place_rty(dest);
        match callee {
            Callee::Def(d) => {
                let Some(sig) = self
                    .templates
                    .sig(self.cx.program, self.cx.typed, *d)
                    .cloned()
                else {
                    return;
                };
                let Some(fsig) = self.cx.typed.sigs.get(d) else {
                    return;
                };
                let regions: Vec<Rv> = (0..sig.regions.len()).map(|_| self.fresh()).collect();
                for (a, b) in &sig.bounds {
                    self.outlives(regions[*a as usize], regions[*b as usize], span);
                }
                // Type arguments, from the argument and result types.
                let mut binds: Vec<Option<Ty>> = vec![None; fsig.generics.len()];
                for (p, a) in fsig.params.iter().zip(args) {
                    bind(p, &self.operand_ty(a), &mut binds);
                }
                let dest_ty =
                    crate::mir::place_ty(self.cx.program, self.cx.typed, self.cx.body, dest);
                bind(&fsig.ret, &dest_ty, &mut binds);
                let params: Vec<RTy> = binds
                    .iter()
                    .map(|b| b.as_ref().map_or(RTy::Leaf, |t| self.fresh_rty(t)))
                    .collect();
                self.call_sig(&sig, &regions, &params, args, &dest_rty, span);
            }
            Callee::Value(_) => {}
            Callee::Builtin(b) => match b {
                Builtin::CaughtPanic => {}
                Builtin::Clone | Builtin::IterNext => {
                    for a in args {
                        let src = self.operand_rty(a);
                        let inner = match src {
                            RTy::Ref(_, inner, _) => *inner,
                            other => other,
                        };
                        self.flat(&inner, &dest_rty, span);
                    }
                }
                Builtin::IntoIter | Builtin::TryConvert => {
                    for a in args {
                        let src = self.operand_rty(a);
                        self.flat(&src, &dest_rty, span);
                    }
                }
            },
        }
    }

    fn call_sig(
        &mut self,
        sig: &SigTmpl,
        regions: &[Rv],
        params: &[RTy],
        args: &[Operand],
        dest: &RTy,
        span: Span,
    ) {
        for (tm, a) in sig.params.iter().zip(args) {
            let want = Self::instantiate(tm, regions, params);
            let got = self.operand_rty(a);
            let aspan = a.span().unwrap_or(span);
            self.relate(&got, &want, false, aspan);
        }
        let ret = Self::instantiate(&sig.ret, regions, params);
        self.relate(&ret, dest, false, span);
    }
}

fn implied_bounds(t: &RTy, out: &mut Vec<(Rv, Rv)>) {
    match t {
        RTy::Ref(r, inner, _) => {
            let mut inside = Vec::new();
            inner.regions(&mut inside);
            out.extend(inside.into_iter().map(|x| (x, *r)));
            implied_bounds(inner, out);
        }
        RTy::Adt(_, _, args) | RTy::Tuple(args) => args.iter().for_each(|a| implied_bounds(a, out)),
        RTy::Seq(e) => implied_bounds(e, out),
        RTy::Leaf | RTy::Fn(_) => {}
    }
}

/// Binds type parameters by matching a signature type against an actual.
fn bind(pattern: &Ty, actual: &Ty, out: &mut [Option<Ty>]) {
    match (pattern, actual) {
        (Ty::Param(i, _), t) => {
            if let Some(slot) = out.get_mut(*i as usize)
                && slot.is_none()
            {
                *slot = Some(t.clone());
            }
        }
        (Ty::Ref(_, a), Ty::Ref(_, b)) | (Ty::Array(a, _), Ty::Array(b, _)) => bind(a, b, out),
        (Ty::Adt(_, a), Ty::Adt(_, b)) | (Ty::Tuple(a), Ty::Tuple(b)) => {
            for (x, y) in a.iter().zip(b) {
                bind(x, y, out);
            }
        }
        (Ty::Fn(a, r), Ty::Fn(b, s)) => {
            for (x, y) in a.iter().zip(b) {
                bind(x, y, out);
            }
            bind(r, s, out);
        }
        _ => {}
    }
}

/// Builds the region variables, constraints and loans of a body and
/// solves them.
pub fn infer(cx: &BodyCx<'_>, templates: &mut Templates, fn_def: Option<DefId>) -> Regions {
    let body = cx.body;
    let mut block_start = Vec::with_capacity(body.blocks.len());
    let mut locations = Vec::new();
    for (bi, b) in body.blocks.iter().enumerate() {
        block_start.push(locations.len());
        for i in 0..=b.statements.len() {
            locations.push(Location {
                block: BlockId(bi as u32),
                index: i as u32,
            });
        }
    }
    let points = locations.len();
    let mut g = Gen {
        cx,
        templates,
        r: Regions {
            count: ERROR_REGION + 1,
            universals: vec![(0, Universal::Static)],
            local_rty: Vec::new(),
            constraints: Vec::new(),
            loans: Vec::new(),
            values: Vec::new(),
            block_start,
            points,
            locations,
            return_regions: Vec::new(),
            known: Vec::new(),
        },
        promoted: body.promoted_temps(),
    };
    // The signature's regions are universal; arguments and the return
    // place have the signature's types.
    let sig = match (fn_def, body.is_closure) {
        (Some(d), false) => g.templates.sig(cx.program, cx.typed, d).cloned(),
        _ => None,
    };
    let mut sig_regions = Vec::new();
    if let Some(sig) = &sig {
        for rp in &sig.regions {
            let v = g.fresh();
            g.r.universals.push((v, Universal::Sig(rp.clone())));
            sig_regions.push(v);
        }
        for (a, b) in &sig.bounds {
            g.r.known.push((*a as usize + 1, *b as usize + 1));
        }
    }
    for (i, decl) in body.locals.iter().enumerate() {
        let is_arg = i >= 1 && i <= body.arg_count as usize;
        let rty = match (&sig, i) {
            (Some(s), 0) => Gen::instantiate(&s.ret, &sig_regions, &[]),
            (Some(s), _) if is_arg => match s.params.get(i - 1) {
                Some(t) => Gen::instantiate(t, &sig_regions, &[]),
                None => g.fresh_rty(&decl.ty),
            },
            _ => g.fresh_rty(&decl.ty),
        };
        // A closure's inputs and outputs are its enclosing body's business.
        let external =
            body.is_closure && (i == 0 || is_arg || matches!(decl.kind, LocalKind::Upvar { .. }));
        if external {
            let mut rs = Vec::new();
            rty.regions(&mut rs);
            for r in rs {
                g.r.universals.push((r, Universal::External));
            }
        }
        g.r.local_rty.push(rty);
    }
    // Implied bounds: a parameter of type `&'r T` implies that every
    // region in `T` outlives `'r`.
    if sig.is_some() {
        let mut implied = Vec::new();
        for l in body.args() {
            implied_bounds(&g.r.local_rty[l.index()], &mut implied);
        }
        for (a, b) in implied {
            if let (Some(x), Some(y)) = (g.r.universal_of(a), g.r.universal_of(b)) {
                g.r.known.push((x, y));
            }
        }
    }
    let mut ret = Vec::new();
    g.r.local_rty[0].regions(&mut ret);
    g.r.return_regions = ret;
    // Constraints from every statement and call.
    for (bi, block) in body.blocks.iter().enumerate() {
        for (si, st) in block.statements.iter().enumerate() {
            let loc = Location {
                block: BlockId(bi as u32),
                index: si as u32,
            };
            if let StatementKind::Assign(dest, rv) = &st.kind {
                g.assign(dest, rv, loc, st.span);
            }
        }
        if let TerminatorKind::Call {
            callee, args, dest, ..
        } = &block.terminator.kind
        {
            g.call(callee, args, dest, block.terminator.span);
        }
    }
    let mut r = g.r;
    solve(cx, &mut r);
    r
}

/// Liveness, then propagation to the least solution.
fn solve(cx: &BodyCx<'_>, r: &mut Regions) {
    let body = cx.body;
    let bits = r.points + r.universals.len();
    let mut values = vec![BitSet::new(bits); r.count as usize];
    for (ui, (v, _)) in r.universals.iter().enumerate() {
        values[*v as usize].fill(r.points);
        values[*v as usize].insert(r.points + ui);
    }
    // 'static outlives everything.
    for ui in 0..r.universals.len() {
        values[0].insert(r.points + ui);
    }
    // Liveness: a local is live where a later use may read it.
    let local_regions: Vec<Vec<Rv>> = r
        .local_rty
        .iter()
        .map(|t| {
            let mut v = Vec::new();
            t.regions(&mut v);
            v
        })
        .collect();
    let interesting: Vec<usize> = (0..body.locals.len())
        .filter(|l| !local_regions[*l].is_empty())
        .collect();
    if !interesting.is_empty() {
        add_liveness(cx, r, &local_regions, &mut values);
    }
    // Propagate `sup ⊇ sub` to a fixed point.
    let mut changed = true;
    while changed {
        changed = false;
        for c in &r.constraints {
            let (sup, sub) = (c.sup as usize, c.sub as usize);
            if sup == sub {
                continue;
            }
            let (a, b) = if sup < sub {
                let (lo, hi) = values.split_at_mut(sub);
                (&mut lo[sup], &hi[0])
            } else {
                let (lo, hi) = values.split_at_mut(sup);
                (&mut hi[0], &lo[sub])
            };
            changed |= a.union(b);
        }
    }
    r.values = values;
}

/// Liveness transfer at one location, backwards: uses make a local live,
/// whole writes end it. `dense` numbers the locals whose types hold
/// regions (the only ones liveness matters for).
pub(super) fn effect(
    table: &crate::mir::visit::EventTable<'_>,
    dense: &[u32],
    loc: Location,
    state: &mut BitSet,
) {
    const NONE: u32 = u32::MAX;
    for ev in table.at(loc).iter().rev() {
        match ev {
            Event::Use(p, how, _) => {
                let d = dense[p.local.index()];
                if *how != PlaceUse::Drop && d != NONE {
                    state.insert(d as usize);
                }
                for l in crate::mir::visit::index_locals(p) {
                    let d = dense[l.index()];
                    if d != NONE {
                        state.insert(d as usize);
                    }
                }
            }
            Event::Stored(p, _) => {
                let d = dense[p.local.index()];
                if d == NONE {
                    continue;
                }
                if p.proj.is_empty() {
                    state.remove(d as usize);
                } else if p.has_deref() {
                    state.insert(d as usize);
                }
            }
            Event::StorageReset(l, _) => {
                let d = dense[l.index()];
                if d != NONE {
                    state.remove(d as usize);
                }
            }
            _ => {}
        }
    }
}

/// A backward analysis's walk of one block (see [`backward_fixpoint`]).
pub(super) type BlockWalk<'a> =
    dyn Fn(usize, &[BitSet], &mut dyn FnMut(Location, &BitSet)) -> BitSet + 'a;

/// Each block's entry state of a backward analysis, at its fixed point:
/// `walk(block, entry states, at_point)` computes a block's entry state
/// from its successors' (reporting each point to `at_point`); a block is
/// walked again when a successor's entry state changes.
pub(super) fn backward_fixpoint(
    nb: usize,
    bits: usize,
    preds: &[Vec<BlockId>],
    walk: &BlockWalk<'_>,
) -> Vec<BitSet> {
    let mut block_in = vec![BitSet::new(bits); nb];
    let mut queued = vec![true; nb];
    let mut work: Vec<usize> = (0..nb).collect();
    while let Some(bi) = work.pop() {
        queued[bi] = false;
        let state = walk(bi, &block_in, &mut |_, _| {});
        if state != block_in[bi] {
            block_in[bi] = state;
            for p in &preds[bi] {
                if !queued[p.index()] {
                    queued[p.index()] = true;
                    work.push(p.index());
                }
            }
        }
    }
    block_in
}

/// Liveness: adds to the regions of every local the points where it is
/// live (may be used later, before being overwritten).
fn add_liveness(cx: &BodyCx<'_>, r: &Regions, local_regions: &[Vec<Rv>], values: &mut [BitSet]) {
    let body = cx.body;
    let mut dense = vec![u32::MAX; body.locals.len()];
    let mut locals_of: Vec<usize> = Vec::new();
    for (l, rs) in local_regions.iter().enumerate() {
        if !rs.is_empty() {
            dense[l] = locals_of.len() as u32;
            locals_of.push(l);
        }
    }
    let n = locals_of.len();
    let nb = body.blocks.len();
    let succs: Vec<Vec<usize>> = body
        .blocks
        .iter()
        .map(|b| b.terminator.successors().map(BlockId::index).collect())
        .collect();
    let preds = body.predecessors();
    // Walks a block backwards from its live-out set, showing the live set
    // at each point; returns the live-in set.
    let walk = |bi: usize, block_in: &[BitSet], at_point: &mut dyn FnMut(Location, &BitSet)| {
        let mut state = BitSet::new(n);
        for s in &succs[bi] {
            state.union(&block_in[*s]);
        }
        for i in (0..=body.blocks[bi].statements.len()).rev() {
            let loc = Location {
                block: BlockId(bi as u32),
                index: i as u32,
            };
            effect(&cx.events, &dense, loc, &mut state);
            at_point(loc, &state);
        }
        state
    };
    let block_in = backward_fixpoint(nb, n, &preds, &walk);
    for bi in 0..nb {
        walk(bi, &block_in, &mut |loc, live| {
            let p = r.point(loc);
            for d in live.iter() {
                for rv in &local_regions[locals_of[d]] {
                    values[*rv as usize].insert(p);
                }
            }
        });
    }
}

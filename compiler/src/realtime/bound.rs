//! The worst case of bytes a zone takes.
//!
//! A zone gives nothing back until its end (only the last allocation, when
//! freed at once, returns to the bump pointer, which the bound ignores), so
//! its worst case is the sum of every allocation its body can make on its
//! longest path: each value-building expression at its size (the runtime's
//! own figures, `ward_runtime::zone::cost`), loops times their bounds,
//! `if` and `match` at their larger branch, calls at the callee's own
//! worst case (computed the same way, once per function), a nested zone
//! at its reservation. Lists are followed from where they are made
//! (`List::with_capacity(64)`, `[0.0; 8]`) through each `push`, which costs
//! nothing while the capacity lasts and a new, doubled buffer when it runs
//! out. Whatever has no bound (a `format`, a string joined from unknown
//! parts, a push onto a list of unknown capacity, a loop without a bound)
//! makes the zone's bound unknown, with the reason and its place.

use std::collections::{HashMap, HashSet};

use ward_runtime::zone::cost;

use super::{Bound, Cx, Fn, Term, ZoneInfo, group_digits, keyword_span};
use crate::diagnostics::{Diagnostic, FileSpan, Span, codes};
use crate::resolve::{DefId, DefKind};
use crate::syntax::ast::{ExprId, ExprKind, Literal, PatKind, Stmt};
use crate::types::LocalId;
use crate::types::Ty;

/// Loops of at most this many iterations are followed one iteration at a
/// time; longer ones from one iteration's effect.
const UNROLL: u64 = 64;

/// Why there is no bound, and where.
#[derive(Debug, Clone)]
struct Unknown {
    why: String,
    at: FileSpan,
}

type Cost = Result<u64, Unknown>;

/// A list's length (at most) and capacity, followed through a body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ListState {
    len: u64,
    cap: u64,
}

impl ListState {
    /// Pushes `n` elements; the bytes of the buffers growing takes.
    fn push(&mut self, n: u64) -> u64 {
        let target = self.len.saturating_add(n);
        let mut bytes = 0u64;
        while self.cap < target {
            self.cap = cost::grown_capacity(self.cap).max(self.cap.saturating_add(1));
            bytes = bytes.saturating_add(cost::list_elements(self.cap));
            if self.cap == u64::MAX {
                break;
            }
        }
        self.len = target;
        bytes
    }
}

/// Worst cases of calls, computed once per function.
pub(super) struct Bounds<'c, 'a> {
    cx: &'c Cx<'a>,
    summaries: HashMap<DefId, Result<u64, (String, FileSpan)>>,
    in_progress: HashSet<DefId>,
}

impl<'c, 'a> Bounds<'c, 'a> {
    pub(super) fn new(cx: &'c Cx<'a>) -> Self {
        Bounds {
            cx,
            summaries: HashMap::new(),
            in_progress: HashSet::new(),
        }
    }

    /// The bound of zone expression `zone` of `func`.
    pub(super) fn zone(&mut self, func: &Fn<'a>, zone: ExprId) -> ZoneInfo {
        let body = func.body();
        let expr = body.expr(zone);
        let ExprKind::Zone { size, body: zb } = &expr.kind else {
            unreachable!("zones_of gives zone expressions");
        };
        let reserved = size
            .and_then(|s| self.cx.const_int(func, s))
            .and_then(|n| u64::try_from(n).ok());
        let mut w = Walker::new(self, func, true);
        let result = w.expr(*zb);
        let terms = std::mem::take(&mut w.terms);
        ZoneInfo {
            file: func.file,
            span: expr.span,
            keyword: keyword_span(expr.span),
            body_start: body.expr(*zb).span.start,
            reserved,
            sized: size.is_some(),
            bound: match result {
                Ok(b) => Bound::Bytes(b),
                Err(u) => Bound::Unknown {
                    why: u.why,
                    at: u.at.span,
                },
            },
            terms,
        }
    }

    /// The most bytes a call of user function `def` allocates.
    fn summary(&mut self, def: DefId, at: FileSpan) -> Cost {
        if let Some(s) = self.summaries.get(&def) {
            return s.clone().map_err(|(why, at)| Unknown { why, at });
        }
        let name = self.cx.name(def);
        if !self.in_progress.insert(def) {
            return Err(Unknown {
                why: format!("`{name}` is recursive"),
                at,
            });
        }
        let result = match self.cx.fns.get(&def).copied() {
            Some(func) => match func.body().root {
                Some(root) => Walker::new(self, &func, false).expr(root),
                None => Ok(0),
            },
            None => Err(Unknown {
                why: format!("`{name}` is not known here"),
                at,
            }),
        };
        self.in_progress.remove(&def);
        self.summaries
            .insert(def, result.clone().map_err(|u| (u.why, u.at)));
        result
    }
}

struct Walker<'b, 'c, 'a> {
    bounds: &'b mut Bounds<'c, 'a>,
    func: &'b Fn<'a>,
    lists: HashMap<LocalId, ListState>,
    /// Lists from before the loop being measured once, and what growing
    /// them took in that iteration (see `repeat`).
    carried: HashSet<LocalId>,
    carried_growth: u64,
    pushes: HashMap<LocalId, u64>,
    /// Terms are recorded for the zone's own body, outside loops.
    record: bool,
    loop_depth: u32,
    terms: Vec<Term>,
}

fn add(a: u64, b: u64) -> u64 {
    a.saturating_add(b)
}

impl<'b, 'c, 'a> Walker<'b, 'c, 'a> {
    fn new(bounds: &'b mut Bounds<'c, 'a>, func: &'b Fn<'a>, record: bool) -> Self {
        Walker {
            bounds,
            func,
            lists: HashMap::new(),
            carried: HashSet::new(),
            carried_growth: 0,
            pushes: HashMap::new(),
            record,
            loop_depth: 0,
            terms: Vec::new(),
        }
    }

    fn cx(&self) -> &'c Cx<'a> {
        self.bounds.cx
    }

    fn at(&self, span: Span) -> FileSpan {
        FileSpan::new(self.func.file, span)
    }

    fn unknown(&self, e: ExprId, why: impl Into<String>) -> Unknown {
        Unknown {
            why: why.into(),
            at: self.at(self.func.body().expr(e).span),
        }
    }

    fn term(&mut self, span: Span, what: impl Into<String>, bytes: u64) {
        if self.record && self.loop_depth == 0 && bytes > 0 {
            self.terms.push(Term {
                span,
                what: what.into(),
                bytes,
            });
        }
    }

    /// An allocation of `bytes` made by expression `e`.
    fn alloc(&mut self, e: ExprId, what: &str, bytes: u64) -> u64 {
        let span = self.func.body().expr(e).span;
        self.term(span, format!("{what}: {} B", group_digits(bytes)), bytes);
        bytes
    }

    fn children(&mut self, e: ExprId) -> Cost {
        let mut kids = Vec::new();
        self.func
            .body()
            .expr(e)
            .kind
            .each_child(&mut |c| kids.push(c));
        let mut total = 0u64;
        for c in kids {
            total = add(total, self.expr(c)?);
        }
        Ok(total)
    }

    fn ty(&self, e: ExprId) -> &'b Ty {
        self.func.types.expr_ty(e)
    }

    fn is_string(&self, e: ExprId) -> bool {
        matches!(self.ty(e), Ty::Str)
    }

    #[allow(clippy::too_many_lines)]
    fn expr(&mut self, e: ExprId) -> Cost {
        let body = self.func.body();
        let expr = body.expr(e);
        match &expr.kind {
            ExprKind::Literal(Literal::Str(s)) => {
                Ok(self.alloc(e, "a string", cost::string(s.len() as u64)))
            }
            ExprKind::Struct { path, fields, .. } => {
                let inner = self.children(e)?;
                let name = path
                    .segments
                    .last()
                    .map_or_else(String::new, |s| s.name.text.clone());
                let n = self.record_fields(e).unwrap_or(fields.len() as u64);
                Ok(add(
                    inner,
                    self.alloc(e, &format!("`{name} {{ … }}`"), cost::object(n)),
                ))
            }
            ExprKind::Tuple(items) if !items.is_empty() => {
                let inner = self.children(e)?;
                Ok(add(
                    inner,
                    self.alloc(e, "a tuple", cost::object(items.len() as u64)),
                ))
            }
            ExprKind::Array(items) => {
                let inner = self.children(e)?;
                let n = items.len() as u64;
                let bytes = cost::list_box() + cost::list_elements(n);
                Ok(add(
                    inner,
                    self.alloc(e, &format!("an array of {n}"), bytes),
                ))
            }
            ExprKind::ArrayRepeat { elem, len } => {
                let inner = self.expr(*elem)?;
                let Some(n) = self
                    .cx()
                    .const_int(self.func, *len)
                    .and_then(|n| u64::try_from(n).ok())
                else {
                    return Err(self.unknown(*len, "the array's length is not a constant"));
                };
                let bytes = cost::list_box() + cost::list_elements(n);
                Ok(add(inner, self.alloc(e, &format!("`[…; {n}]`"), bytes)))
            }
            ExprKind::Range { .. } => {
                let inner = self.children(e)?;
                Ok(add(inner, self.alloc(e, "a range", cost::object(3))))
            }
            ExprKind::Closure { body: cb, .. } => {
                let captures = self.captures(e, *cb);
                let made = self.alloc(e, "a closure", cost::object(captures));
                // Its body, run (at most) once by the call it is given to.
                Ok(add(made, self.expr(*cb)?))
            }
            ExprKind::Binary { lhs, rhs, .. } => {
                if self.is_string(*lhs) && self.is_string(e) {
                    return Err(self.unknown(e, "joins strings whose length is not known"));
                }
                Ok(add(self.expr(*lhs)?, self.expr(*rhs)?))
            }
            ExprKind::CompoundAssign { lhs, .. } if self.is_string(*lhs) => {
                Err(self.unknown(e, "appends to a string whose length is not known"))
            }
            ExprKind::Assign { lhs, rhs } => {
                let c = add(self.expr(*lhs)?, self.expr(*rhs)?);
                if let Some(local) = self.local_of(*lhs) {
                    match self.list_made_by(*rhs) {
                        Some(state) => {
                            self.lists.insert(local, state);
                        }
                        None => {
                            self.lists.remove(&local);
                        }
                    }
                }
                Ok(c)
            }
            ExprKind::Try(inner) => {
                // The error goes out as a new `Err`, made before the zone
                // is left.
                Ok(add(self.expr(*inner)?, cost::object(1)))
            }
            ExprKind::Call { callee, args } => {
                let mut total = 0u64;
                for a in args {
                    total = add(total, self.expr(*a)?);
                }
                let def = self.func.types.expr_defs.get(callee).copied();
                let made = match def.map(|d| &self.cx().program.def(d).kind) {
                    Some(DefKind::Variant { .. } | DefKind::Struct(_)) => {
                        let n = args.len() as u64;
                        self.alloc(e, "a variant", cost::object(n))
                    }
                    Some(DefKind::Fn(_)) => {
                        self.call(e, def.unwrap_or_else(|| unreachable!()), None)?
                    }
                    _ => {
                        return Err(
                            self.unknown(e, "calls a function value, whose cost is not known")
                        );
                    }
                };
                Ok(add(total, made))
            }
            ExprKind::MethodCall { receiver, args, .. } => {
                let mut total = self.expr(*receiver)?;
                for a in args {
                    total = add(total, self.expr(*a)?);
                }
                let Some(def) = self.cx().callee(self.func, e) else {
                    return Err(self.unknown(e, "calls a method whose cost is not known"));
                };
                Ok(add(total, self.call(e, def, Some(*receiver))?))
            }
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                let c = match cond {
                    crate::syntax::ast::Condition::Expr(x)
                    | crate::syntax::ast::Condition::Let { value: x, .. } => self.expr(*x)?,
                };
                let mut branches = vec![*then_branch];
                branches.extend(else_branch.iter().copied());
                Ok(add(c, self.branches(&branches)?))
            }
            ExprKind::Match { scrutinee, arms } => {
                let s = self.expr(*scrutinee)?;
                let mut guards = 0u64;
                for arm in arms {
                    if let Some(
                        crate::syntax::ast::Condition::Expr(g)
                        | crate::syntax::ast::Condition::Let { value: g, .. },
                    ) = &arm.guard
                    {
                        guards = add(guards, self.expr(*g)?);
                    }
                }
                let bodies: Vec<ExprId> = arms.iter().map(|a| a.body).collect();
                Ok(add(add(s, guards), self.branches(&bodies)?))
            }
            ExprKind::While { .. } | ExprKind::Loop { .. } | ExprKind::For { .. } => self.looped(e),
            ExprKind::Block(block) => {
                let mut total = 0u64;
                for stmt in &block.stmts {
                    total = add(total, self.stmt(stmt)?);
                }
                if let Some(t) = block.tail {
                    total = add(total, self.expr(t)?);
                }
                Ok(total)
            }
            ExprKind::Zone { size, body: zb } => {
                if let Some(s) = size {
                    let sc = self.expr(*s)?;
                    let Some(n) = self
                        .cx()
                        .const_int(self.func, *s)
                        .and_then(|n| u64::try_from(n).ok())
                    else {
                        return Err(self.unknown(*s, "the nested zone's size is not a constant"));
                    };
                    let n = cost::rounded(n);
                    Ok(add(sc, self.alloc(e, "a nested zone's reservation", n)))
                } else {
                    let saved = self.record;
                    self.record = false;
                    let inner = self.expr(*zb);
                    self.record = saved;
                    let inner = inner?;
                    Ok(self.alloc(e, "a nested zone", cost::rounded(inner)))
                }
            }
            _ => self.children(e),
        }
    }

    /// The number of fields of the record struct literal `e` builds.
    fn record_fields(&self, e: ExprId) -> Option<u64> {
        let Ty::Adt(d, args) = self.ty(e) else {
            return None;
        };
        Some(self.cx().typed.adts.field_types(*d, args).len() as u64)
    }

    /// How many distinct variables of the enclosing body closure `e` uses
    /// (its captures, at most).
    fn captures(&self, e: ExprId, cb: ExprId) -> u64 {
        let body = self.func.body();
        let span = body.expr(e).span;
        let mut seen = HashSet::new();
        let mut work = vec![cb];
        while let Some(x) = work.pop() {
            if let Some(&l) = self.func.types.expr_locals.get(&x)
                && let Some(local) = self.func.types.locals.get(l.0 as usize)
                && !(span.start <= local.span.start && local.span.end <= span.end)
            {
                seen.insert(l);
            }
            body.expr(x).kind.each_child(&mut |c| work.push(c));
        }
        seen.len() as u64
    }

    fn stmt(&mut self, stmt: &Stmt) -> Cost {
        match stmt {
            Stmt::Let {
                pat,
                init,
                else_block,
                ..
            } => {
                let mut c = 0u64;
                if let Some(i) = init {
                    c = self.expr(*i)?;
                    if let Some(local) = self.binding(*pat)
                        && let Some(state) = self.list_made_by(*i)
                    {
                        self.lists.insert(local, state);
                    }
                }
                if let Some(b) = else_block {
                    c = add(c, self.expr(*b)?);
                }
                Ok(c)
            }
            Stmt::Expr { expr, .. } | Stmt::Defer { expr, .. } => self.expr(*expr),
            Stmt::Item(_) => Ok(0),
        }
    }

    /// The local a plain binding pattern declares.
    fn binding(&self, pat: crate::syntax::ast::PatId) -> Option<LocalId> {
        let body = self.func.body();
        match &body.pat(pat).kind {
            PatKind::Ident { sub: None, .. } => self.func.types.pat_locals.get(&pat).copied(),
            _ => None,
        }
    }

    /// The local a place expression is (through parentheses).
    fn local_of(&self, e: ExprId) -> Option<LocalId> {
        let body = self.func.body();
        match &body.expr(e).kind {
            ExprKind::Paren(inner) => self.local_of(*inner),
            ExprKind::Path(_) => self.func.types.expr_locals.get(&e).copied(),
            ExprKind::Ref { operand, .. } => self.local_of(*operand),
            _ => None,
        }
    }

    /// The list a list-making expression makes: empty with a capacity, or
    /// full.
    fn list_made_by(&self, e: ExprId) -> Option<ListState> {
        let body = self.func.body();
        match &body.expr(e).kind {
            ExprKind::Paren(inner) => self.list_made_by(*inner),
            ExprKind::Array(items) => {
                let n = items.len() as u64;
                Some(ListState { len: n, cap: n })
            }
            ExprKind::ArrayRepeat { len, .. } => {
                let n = u64::try_from(self.cx().const_int(self.func, *len)?).ok()?;
                Some(ListState { len: n, cap: n })
            }
            ExprKind::Call { callee, args } => {
                let def = *self.func.types.expr_defs.get(callee)?;
                match self.cx().name(def).as_str() {
                    "List::new" => Some(ListState { len: 0, cap: 0 }),
                    "List::with_capacity" => {
                        let n = self.cx().const_int(self.func, *args.first()?)?;
                        Some(ListState {
                            len: 0,
                            cap: u64::try_from(n).ok()?,
                        })
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The larger of the branches, each from the same list states; the
    /// states after are the largest of each.
    fn branches(&mut self, bodies: &[ExprId]) -> Cost {
        let before = self.lists.clone();
        let mut worst = 0u64;
        let mut after: HashMap<LocalId, ListState> = HashMap::new();
        for (i, b) in bodies.iter().enumerate() {
            self.lists = before.clone();
            worst = worst.max(self.expr(*b)?);
            for (l, s) in &self.lists {
                if !before.contains_key(l) {
                    continue;
                }
                let joined = match after.get(l) {
                    Some(a) if i > 0 => ListState {
                        len: a.len.max(s.len),
                        cap: a.cap.max(s.cap),
                    },
                    _ => *s,
                };
                after.insert(*l, joined);
            }
        }
        self.lists = if bodies.is_empty() { before } else { after };
        Ok(worst)
    }

    /// A loop: its bound times what one iteration takes.
    fn looped(&mut self, e: ExprId) -> Cost {
        let body = self.func.body();
        let expr = body.expr(e);
        let Ok(count) = super::rules::loop_count(self.cx(), self.func, e) else {
            return Err(self.unknown(e, "the loop has no bound"));
        };
        let (once_before, each, head_end) = match &expr.kind {
            ExprKind::For {
                iterable, body: b, ..
            } => {
                // A range right in the loop's head lives in registers.
                let mut it = *iterable;
                while let ExprKind::Paren(inner) = &body.expr(it).kind {
                    it = *inner;
                }
                let head = if matches!(body.expr(it).kind, ExprKind::Range { .. }) {
                    self.children(it)?
                } else {
                    self.expr(it)?
                };
                (head, vec![*b], body.expr(*b).span.start)
            }
            ExprKind::While { cond, body: b, .. } => {
                let c = match cond {
                    crate::syntax::ast::Condition::Expr(x)
                    | crate::syntax::ast::Condition::Let { value: x, .. } => *x,
                };
                // The condition runs once more than the body.
                (self.expr(c)?, vec![c, *b], body.expr(*b).span.start)
            }
            ExprKind::Loop { body: b, .. } => (0, vec![*b], body.expr(*b).span.start),
            _ => (0, Vec::new(), expr.span.end),
        };
        self.loop_depth += 1;
        let repeated = self.repeat(&each, count);
        self.loop_depth -= 1;
        let total = add(once_before, repeated?);
        let head = Span::new(expr.span.start, head_end.max(expr.span.start));
        self.term(
            head,
            format!(
                "loop, at most {} times: {} B",
                group_digits(count),
                group_digits(total)
            ),
            total,
        );
        Ok(total)
    }

    /// `parts` run `count` times, one after the other each time.
    fn repeat(&mut self, parts: &[ExprId], count: u64) -> Cost {
        let once = |w: &mut Self| -> Cost {
            let mut c = 0u64;
            for p in parts {
                c = add(c, w.expr(*p)?);
            }
            Ok(c)
        };
        if count <= UNROLL {
            let mut total = 0u64;
            for _ in 0..count {
                total = add(total, once(self)?);
            }
            return Ok(total);
        }
        // One iteration, measured apart from what growing the lists made
        // before the loop takes; then both extrapolated.
        let saved_carried =
            std::mem::replace(&mut self.carried, self.lists.keys().copied().collect());
        let saved_growth = std::mem::take(&mut self.carried_growth);
        let saved_pushes = std::mem::take(&mut self.pushes);
        let before = self.lists.clone();
        let result = once(self);
        let growth_once = self.carried_growth;
        let pushes = std::mem::replace(&mut self.pushes, saved_pushes);
        self.carried = saved_carried;
        self.carried_growth = saved_growth;
        let one = result?;
        let mut total = one.saturating_sub(growth_once).saturating_mul(count);
        self.lists = before;
        for (l, p) in pushes {
            if let Some(state) = self.lists.get_mut(&l) {
                let grown = state.push(p.saturating_mul(count));
                total = add(total, grown);
                if self.carried.contains(&l) {
                    self.carried_growth = add(self.carried_growth, grown);
                }
                *self.pushes.entry(l).or_default() += p.saturating_mul(count);
            }
        }
        Ok(total)
    }

    /// What calling `def` (at `e`, on `receiver` for a method) allocates.
    fn call(&mut self, e: ExprId, def: DefId, receiver: Option<ExprId>) -> Cost {
        let cx = self.cx();
        if cx.fns.contains_key(&def) {
            let name = cx.name(def);
            let c = self
                .bounds
                .summary(def, self.at(self.func.body().expr(e).span))?;
            return Ok(self.alloc(e, &format!("`{name}(…)`"), c));
        }
        let name = cx.name(def);
        let args: Vec<ExprId> = match &self.func.body().expr(e).kind {
            ExprKind::Call { args, .. } | ExprKind::MethodCall { args, .. } => args.clone(),
            _ => Vec::new(),
        };
        let s = |n: u64| cost::string(n);
        let bytes = match name.as_str() {
            "List::new" => cost::list_box(),
            "List::with_capacity" => {
                let n = args
                    .first()
                    .and_then(|a| cx.const_int(self.func, *a))
                    .and_then(|n| u64::try_from(n).ok());
                match n {
                    Some(n) => cost::list_box() + cost::list_elements(n),
                    None => {
                        return Err(self.unknown(e, "the list's capacity is not a constant"));
                    }
                }
            }
            "List::push" | "List::insert" => return self.push(e, receiver),
            // Iterators come from a per-thread spare list, not the zone;
            // an empty string allocates nothing.
            "List::iter" | "List::iter_mut" | "String::chars" | "String::new" => 0,
            "int::to_string" => s(cost::INT_TEXT),
            "float::to_string" => s(cost::FLOAT_TEXT),
            "bool::to_string" => s(5),
            "char::to_string" => s(4),
            "String::from" => match args.first().map(|a| &self.func.body().expr(*a).kind) {
                Some(ExprKind::Literal(Literal::Str(t))) => s(t.len() as u64),
                _ => return Err(self.unknown(e, "copies a string whose length is not known")),
            },
            "Pool::alloc"
            | "Sender::try_send"
            | "Receiver::try_recv"
            | "String::parse_int"
            | "String::parse_float" => cost::object(1),
            "format" => {
                return Err(self.unknown(
                    e,
                    "`format` makes a string whose length depends on its arguments",
                ));
            }
            _ => self.by_result_type(e, &name)?,
        };
        Ok(self.alloc(e, &format!("`{name}`"), bytes))
    }

    /// A std function not listed above: nothing when it returns a value
    /// that needs no allocation, one small object for an `Option` or
    /// `Result` around one, no bound otherwise.
    fn by_result_type(&self, e: ExprId, name: &str) -> Cost {
        let ty = self.ty(e);
        if self.flat(ty) {
            return Ok(0);
        }
        if let Ty::Adt(d, args) = ty {
            let n = self.cx().program.def(*d).name.text.as_str();
            if matches!(n, "Option" | "Result") && args.iter().all(|a| self.flat(a)) {
                return Ok(cost::object(1));
            }
        }
        Err(self.unknown(e, format!("the size of what `{name}` returns is not known")))
    }

    /// Whether a value of `ty` takes no memory of its own.
    fn flat(&self, ty: &Ty) -> bool {
        match ty {
            Ty::Int | Ty::Float | Ty::Bool | Ty::Char | Ty::Never | Ty::Ref(..) | Ty::Error => true,
            Ty::Tuple(items) => items.is_empty(),
            Ty::Adt(d, _) => {
                let program = self.cx().program;
                let def = program.def(*d);
                if program.is_std_def(*d) {
                    return matches!(def.name.text.as_str(), "Gc" | "Weak" | "Pooled" | "Instant");
                }
                match &def.kind {
                    DefKind::Enum(en) => en.variants.iter().all(|v| v.fields.all().is_empty()),
                    _ => false,
                }
            }
            _ => false,
        }
    }

    /// `list.push(x)` (or `insert`): nothing while the capacity lasts.
    fn push(&mut self, e: ExprId, receiver: Option<ExprId>) -> Cost {
        let local = receiver.and_then(|r| self.local_of(r));
        let Some(local) = local else {
            return Err(self.unknown(e, "pushes onto a list whose capacity is not known here"));
        };
        let name = self
            .func
            .types
            .locals
            .get(local.0 as usize)
            .map_or_else(String::new, |l| l.name.clone());
        let Some(state) = self.lists.get_mut(&local) else {
            return Err(self.unknown(
                e,
                format!("pushes onto `{name}`, whose capacity is not known here"),
            ));
        };
        let grown = state.push(1);
        let cap = state.cap;
        *self.pushes.entry(local).or_default() += 1;
        if self.carried.contains(&local) {
            self.carried_growth = add(self.carried_growth, grown);
        }
        if grown > 0 {
            let span = self.func.body().expr(e).span;
            self.term(
                span,
                format!(
                    "`{name}` grows to {cap} elements: {} B",
                    group_digits(grown)
                ),
                grown,
            );
        }
        Ok(grown)
    }
}

/// W0810 and W0811 for a zone.
pub(super) fn diagnose(func: &Fn<'_>, expr: ExprId, zone: &ZoneInfo) -> Vec<Diagnostic> {
    let at = |s: Span| FileSpan::new(func.file, s);
    let mut out = Vec::new();
    match (&zone.bound, zone.sized, zone.reserved) {
        (Bound::Unknown { why, at: where_ }, false, _) => {
            out.push(
                Diagnostic::error(
                    codes::ZONE_UNBOUNDED,
                    at(zone.keyword),
                    "the compiler cannot compute this zone's size",
                )
                .with_label("`zone` without a size needs a bound")
                .with_secondary(at(*where_), why.clone())
                .with_note("give the size yourself (`zone(4096) { … }`), or make every allocation in the zone bounded: constant capacities, loops with bounds, no strings of unknown length"),
            );
        }
        (Bound::Bytes(b), true, Some(n)) if *b > n => {
            let ExprKind::Zone {
                size: Some(size), ..
            } = &func.body().expr(expr).kind
            else {
                return out;
            };
            let size_span = func.body().expr(*size).span;
            let mut d = Diagnostic::warning(
                codes::ZONE_TOO_SMALL,
                at(size_span),
                format!("this zone may need {b} B, more than the {n} B it reserves"),
            )
            .with_label("reserved here");
            for t in zone.terms.iter().take(4) {
                d = d.with_secondary(at(t.span), t.what.clone());
            }
            d = d
                .with_note("going past the reservation panics with `ZoneExhausted`")
                .with_fix(
                    "reserve the computed worst case",
                    at(size_span),
                    b.to_string(),
                );
            out.push(d);
        }
        _ => {}
    }
    out
}

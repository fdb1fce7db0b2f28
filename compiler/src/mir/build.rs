//! Lowering a typed function body to MIR.
//!
//! The shape follows rustc's MIR building: an expression is lowered either
//! into a destination place, as an operand, or as a place; scopes record
//! what must happen when control leaves them (storage ends, drops, `defer`s)
//! and every exit — the end of the block, `break`, `continue`, `return`,
//! `?` — emits exactly the exits of the scopes it leaves. Calls get an
//! unwind edge into a cleanup chain built lazily per scope (and cached), so
//! a panic runs the same drops and `defer`s.

use super::capture::{ClosureKind, ClosureValue};
use super::{
    AggregateKind, BasicBlock, BlockId, Body, BorrowKind, Builtin, Callee, Capture, CaptureKind,
    Const, DerefKind, FnMir, Local, LocalDecl, LocalKind, Operand, Place, Proj, Rvalue, Statement,
    StatementKind, TempKind, Terminator, TerminatorKind, UnOp,
};
use crate::diagnostics::Span;
use crate::resolve::{DefId, DefKind, Program, TypeRes};
use crate::syntax::ast::{
    self, BinaryOp, Condition, ExprId, ExprKind, FieldName, Literal, PatId, PatKind, Stmt, UnaryOp,
};
use crate::types::ty::{self, Ty};
use crate::types::{BodyTypes, LocalId};
use crate::types::{SelfKind, TypedProgram};
use crate::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::cell::RefCell;

/// Builds the MIR of a user function (`None` for other defs, natives and
/// bodies the type checker did not see).
pub fn build_fn(program: &Program, typed: &TypedProgram, def: DefId) -> Option<FnMir> {
    let d = program.def(def);
    let DefKind::Fn(f) = &d.kind else {
        return None;
    };
    if d.has_attr("native") {
        return None;
    }
    let bt = typed.bodies.get(&def)?;
    let sig = typed.sigs.get(&def)?;
    let cx = Cx {
        program,
        typed,
        ast: &f.body,
        bt,
        option: program.lang_item("Option"),
        result: program.lang_item("Result"),
        closure_vars: RefCell::default(),
    };
    let mut closures = Vec::new();
    let mut b = Builder::new(&cx, &mut closures, None, false, d.span);
    b.push_local(sig.ret.clone(), false, LocalKind::Return, f.sig_span);
    // Arguments first (locals 1..=n), then their patterns.
    let mut arg_pats = Vec::new();
    let mut params = sig.params.iter();
    if let Some(sp) = &f.self_param {
        let ty = params.next().cloned().unwrap_or(Ty::Error);
        let self_id = bt
            .locals
            .iter()
            .position(|l| l.name == "self" && l.pat.is_none())
            .map(|i| LocalId(i as u32));
        let kind = match self_id {
            Some(id) => LocalKind::User {
                name: "self".into(),
                source: id,
            },
            None => LocalKind::Arg,
        };
        let l = b.push_local(ty, sp.mutable && !sp.reference, kind, sp.span);
        if let Some(id) = self_id {
            b.local_map.insert(id, l);
        }
    }
    for (p, ty) in f.body.params.iter().zip(params) {
        let l = b.bind_arg(p.pat, ty.clone(), p.span);
        arg_pats.push((p.pat, l));
        // A `mut f: fn(A) -> B` parameter takes `FnMut` closures: calls
        // borrow it uniquely and run it in place.
        if matches!(ty, Ty::Fn(..))
            && matches!(f.body.pat(p.pat).kind, PatKind::Ident { mutable: true, .. })
            && let LocalKind::User { source, .. } = b.body.local(l).kind
        {
            let value = ClosureValue {
                kind: ClosureKind::FnMut,
                copy: false,
                send: false,
            };
            cx.closure_vars.borrow_mut().insert(source, value);
            b.closure_locals.insert(l, value);
        }
    }
    b.body.arg_count = (b.body.locals.len() - 1) as u32;
    let body_end = f.body.root.map_or(d.span, |r| cx.span(r)).shrink_to_hi();
    b.push_scope_at(Span::new(body_end.start.saturating_sub(1), body_end.start));
    b.schedule_args();
    for (pat, l) in arg_pats {
        if b.body.local(l).kind == LocalKind::Arg {
            let ty = b.body.local(l).ty.clone();
            b.declare_bindings(pat);
            b.bind_irrefutable(pat, &Place::local(l), &ty);
        }
    }
    if let Some(root) = f.body.root {
        b.expr_into(&Place::local(Local::RETURN), root);
    }
    b.pop_scope();
    let end = f.body.root.map_or(d.span, |r| cx.span(r).shrink_to_hi());
    b.terminate(TerminatorKind::Return, end);
    let body = b.finish();
    Some(FnMir {
        def,
        file: d.file,
        name: program.def_path(def),
        body,
        closures,
    })
}

/// What every builder of one function shares.
struct Cx<'a> {
    program: &'a Program,
    typed: &'a TypedProgram,
    ast: &'a ast::Body,
    bt: &'a BodyTypes,
    option: Option<DefId>,
    result: Option<DefId>,
    /// The closures each variable may hold (across the function and its
    /// closures, which see the same variables): a call through one
    /// borrows it uniquely (`FnMut`) or consumes it (`FnOnce`), and one
    /// that captures a unique borrow or a non-Copy value is moved, not
    /// copied.
    closure_vars: RefCell<HashMap<LocalId, ClosureValue>>,
}

impl Cx<'_> {
    fn span(&self, e: ExprId) -> Span {
        self.ast.expr(e).span
    }

    fn ty(&self, e: ExprId) -> &Ty {
        self.bt.expr_ty(e)
    }

    fn is_copy(&self, ty: &Ty) -> bool {
        ty::is_copy(self.program, &self.typed.adts, ty)
    }

    /// Whether a value of the type has something to drop.
    fn needs_drop(&self, ty: &Ty) -> bool {
        !matches!(ty, Ty::Ref(..) | Ty::Error | Ty::Never) && !self.is_copy(ty)
    }

    /// The variant def named `name` of a language enum.
    fn variant(&self, enum_def: Option<DefId>, name: &str) -> Option<DefId> {
        self.program
            .variants(enum_def?)
            .into_iter()
            .find(|v| self.program.def(*v).name.text == name)
    }

    fn variant_index(&self, v: DefId) -> i64 {
        match self.program.def(v).kind {
            DefKind::Variant { index, .. } => index as i64,
            _ => 0,
        }
    }

    fn field_index(&self, ty: &Ty, field: &FieldName) -> Option<u32> {
        match (ty, field) {
            (Ty::Tuple(_), FieldName::Index(i, _)) => Some(*i),
            (Ty::Adt(d, _), _) => {
                let name = field.text();
                self.typed
                    .adts
                    .fields
                    .get(d)?
                    .iter()
                    .position(|f| f.name == name)
                    .map(|i| i as u32)
            }
            _ => None,
        }
    }

    /// Whether `ty` has the field (so auto-deref stops there).
    fn has_field(&self, ty: &Ty, field: &FieldName) -> bool {
        match (ty, field) {
            (Ty::Tuple(items), FieldName::Index(i, _)) => (*i as usize) < items.len(),
            (Ty::Adt(d, _), _) => {
                self.field_index(ty, field).is_some() && self.typed.adts.fields.contains_key(d)
            }
            _ => false,
        }
    }

    /// The target of an overloaded deref (`Gc<T>` to `T`).
    fn deref_role(&self, ty: &Ty) -> Option<Ty> {
        let Ty::Adt(d, args) = ty else { return None };
        let role = self.program.find_role(TypeRes::Def(*d), "deref")?;
        let ret = self.typed.sigs.get(&role)?.ret.subst(args);
        match ret {
            Ty::Ref(_, t) => Some(*t),
            other => Some(other),
        }
    }
}

#[derive(Debug)]
enum ScopeEntry {
    Local {
        local: Local,
        drop: bool,
    },
    Defer(ExprId),
    /// A zone's body: leaving it, by any way, leaves the zone.
    Zone,
}

#[derive(Debug, Default)]
struct Scope {
    entries: Vec<ScopeEntry>,
    /// `(entries, next, block)`: the cleanup block built for this many
    /// entries continuing to `next`.
    unwind_cache: Option<(usize, Option<BlockId>, BlockId)>,
    /// A `try` body: unwinding stops here and continues at this block.
    recover: Option<BlockId>,
    /// Temporaries of the current statement go here.
    is_statement: bool,
    /// Where leaving the scope normally is reported (its closing brace).
    end: Span,
}

struct LoopScope {
    label: Option<String>,
    break_block: BlockId,
    continue_block: BlockId,
    dest: Option<Place>,
    depth: usize,
}

struct Builder<'a, 'c> {
    cx: &'c Cx<'a>,
    closures: &'c mut Vec<Body>,
    /// The index of the body being built when it is a closure.
    self_index: Option<u32>,
    body: Body,
    cur: BlockId,
    local_map: HashMap<LocalId, Local>,
    /// In a closure: locals of enclosing bodies, as placeholders that
    /// capture analysis turns into upvars.
    outer: HashMap<LocalId, Local>,
    /// The closures locals of this body hold (see `Cx::closure_vars`).
    closure_locals: HashMap<Local, ClosureValue>,
    scopes: Vec<Scope>,
    loops: Vec<LoopScope>,
    in_cleanup: bool,
    /// The `&` expressions of the `let` initialiser being lowered whose
    /// temporaries live as long as the `let`'s block (Rust's extending
    /// borrows: the initialiser itself, and through block tails, `if`/
    /// `else` and `match` arms, tuple, array and struct literal fields).
    extending: HashSet<ExprId>,
    /// The scope of the block the `let` is in.
    let_scope: usize,
    /// While lowering the operand of one of those: the scope depth its
    /// temporaries go to.
    extend_to: Option<usize>,
    /// The temporaries pattern tests compute into (`_t = x == 17`,
    /// `_t = discriminant(x)`), one per type for the whole body: each test
    /// writes it and the same block's `switchInt` reads it, so no two uses
    /// are ever live at once. A temporary per test made every local set of
    /// the borrow checker grow with the number of arms (a 16 000-arm
    /// `match` held 480 MB of bit sets).
    test_temps: Vec<(Ty, Local)>,
    /// A `match` arm's variant pattern whose variant is the only one the
    /// earlier arms left: its discriminant needs no test.
    known_variant: Option<PatId>,
}

impl<'a, 'c> Builder<'a, 'c> {
    fn new(
        cx: &'c Cx<'a>,
        closures: &'c mut Vec<Body>,
        self_index: Option<u32>,
        is_closure: bool,
        span: Span,
    ) -> Self {
        let mut b = Builder {
            cx,
            closures,
            self_index,
            body: Body {
                locals: Vec::new(),
                blocks: Vec::new(),
                arg_count: 0,
                captures: Vec::new(),
                parent: None,
                is_closure,
                span,
                closure_exprs: Vec::new(),
                kind_errors: Vec::new(),
                send_errors: Vec::new(),
                spawns: Vec::new(),
            },
            cur: BlockId(0),
            local_map: HashMap::default(),
            outer: HashMap::default(),
            closure_locals: HashMap::default(),
            scopes: Vec::new(),
            loops: Vec::new(),
            in_cleanup: false,
            extending: HashSet::default(),
            let_scope: 0,
            extend_to: None,
            test_temps: Vec::new(),
            known_variant: None,
        };
        b.cur = b.new_block();
        b
    }

    fn finish(mut self) -> Body {
        // The block opened after the final terminator is never entered.
        if let Some(last) = self.body.blocks.last()
            && last.statements.is_empty()
            && last.terminator.kind == TerminatorKind::Resume
            && !last.cleanup
        {
            let id = BlockId((self.body.blocks.len() - 1) as u32);
            let targeted = self
                .body
                .blocks
                .iter()
                .any(|b| b.terminator.successors().any(|s| s == id));
            if !targeted {
                self.body.blocks.pop();
            }
        }
        // Blocks left without a terminator are unreachable ends.
        for block in &mut self.body.blocks {
            if block.terminator.kind == TerminatorKind::Resume && !block.cleanup {
                block.terminator.kind = TerminatorKind::Unreachable;
            }
        }
        self.body
    }

    // ------------------------------------------------------------------
    // Blocks, statements, locals

    fn new_block(&mut self) -> BlockId {
        let id = BlockId(self.body.blocks.len() as u32);
        self.body.blocks.push(BasicBlock {
            statements: Vec::new(),
            // Placeholder until terminated (see `finish`).
            terminator: Terminator {
                kind: TerminatorKind::Resume,
                span: Span::default(),
            },
            cleanup: self.in_cleanup,
            unwind: None,
        });
        id
    }

    fn push_stmt(&mut self, kind: StatementKind, span: Span) {
        if !self.in_cleanup && self.body.may_panic(&kind) {
            // The block's statements share one unwind target: start a new
            // block when this one's differs.
            let target = self.unwind_target();
            let block = &self.body.blocks[self.cur.index()];
            let has_panicking = block
                .statements
                .iter()
                .any(|s| self.body.may_panic(&s.kind));
            if has_panicking && block.unwind != target {
                let next = self.new_block();
                self.goto(next, span);
                self.cur = next;
            }
            self.body.blocks[self.cur.index()].unwind = target;
        }
        self.body.blocks[self.cur.index()]
            .statements
            .push(Statement { kind, span });
    }

    fn assign(&mut self, place: &Place, rv: Rvalue, span: Span) {
        if place.proj.is_empty() {
            self.note_closure_value(place.local, &rv);
        }
        self.push_stmt(StatementKind::Assign(place.clone(), rv), span);
    }

    /// Records which closure a local (and the variable it is) now holds:
    /// one built here, or one copied or moved from another local.
    fn note_closure_value(&mut self, dest: Local, rv: &Rvalue) {
        let value = match rv {
            Rvalue::Aggregate(AggregateKind::Closure(i), _) => {
                let Some(body) = self.closures.get(*i as usize) else {
                    return;
                };
                super::capture::closure_value(self.cx.program, self.cx.typed, body)
            }
            Rvalue::Use(Operand::Copy(p, _) | Operand::Move(p, _)) if p.proj.is_empty() => {
                match self.closure_locals.get(&p.local) {
                    Some(v) => *v,
                    None => return,
                }
            }
            _ => return,
        };
        let joined = match self.closure_locals.get(&dest) {
            Some(old) => old.join(value),
            None => value,
        };
        if let LocalKind::User { source, .. } = self.body.local(dest).kind {
            let mut vars = self.cx.closure_vars.borrow_mut();
            let var = match vars.get(&source) {
                Some(old) => old.join(joined),
                None => joined,
            };
            vars.insert(source, var);
        }
        self.closure_locals.insert(dest, joined);
    }

    /// The closure a variable expression holds, if it holds one.
    fn closure_value_of(&self, e: ExprId) -> Option<ClosureValue> {
        let cx = self.cx;
        match &cx.ast.expr(e).kind {
            ExprKind::Paren(inner) => self.closure_value_of(*inner),
            ExprKind::Path(_) => {
                let id = cx.bt.expr_locals.get(&e)?;
                cx.closure_vars.borrow().get(id).copied()
            }
            _ => None,
        }
    }

    /// A closure passed to parameter `i` (counting `self`) of the user
    /// function `callee`: a `fn(A) -> B` parameter may be called any number
    /// of times through a shared reference, so it takes `Fn` closures; a
    /// `mut` one is called in place, so it takes `FnMut` too. A stronger
    /// closure is recorded for the borrow checker to report.
    fn check_closure_arg(&mut self, callee: DefId, i: usize, arg: ExprId) {
        let cx = self.cx;
        if cx.program.is_std_def(callee) {
            return;
        }
        let DefKind::Fn(f) = &cx.program.def(callee).kind else {
            return;
        };
        let param = if f.self_param.is_some() {
            i.checked_sub(1).and_then(|k| f.body.params.get(k))
        } else {
            f.body.params.get(i)
        };
        let Some(param) = param else {
            return;
        };
        if !matches!(param.ty, ast::TypeRef::Fn { .. }) {
            return;
        }
        let allowed = match &f.body.pat(param.pat).kind {
            PatKind::Ident { mutable: true, .. } => ClosureKind::FnMut,
            _ => ClosureKind::Fn,
        };
        let mut inner = arg;
        while let ExprKind::Paren(e) = &cx.ast.expr(inner).kind {
            inner = *e;
        }
        let literal = matches!(cx.ast.expr(inner).kind, ExprKind::Closure { .. });
        let (found, witnesses) = if literal {
            let Some(&(_, idx)) = self.body.closure_exprs.iter().find(|(e, _)| *e == inner) else {
                return;
            };
            let Some(body) = self.closures.get(idx as usize) else {
                return;
            };
            let value = super::capture::closure_value(cx.program, cx.typed, body);
            (value.kind, super::capture::kind_witnesses(body))
        } else {
            match self.closure_value_of(arg) {
                Some(v) => (v.kind, Vec::new()),
                None => return,
            }
        };
        if found > allowed {
            self.body.kind_errors.push(super::KindError {
                allowed,
                found,
                span: cx.span(arg),
                witnesses,
                literal,
            });
        }
    }

    /// A call that moves values to another task (`#[detaches]`:
    /// `task::spawn`; `#[sends]`: `task::channel`): its type arguments must
    /// be `Send` (the task's result, the channel's items), and so must
    /// every value a spawned closure captures by value. A by-reference
    /// capture is W0373 already (the closure must be `'static`).
    fn check_send_call(&mut self, callee: DefId, e: ExprId, args: &[ExprId]) {
        let cx = self.cx;
        let def = cx.program.def(callee);
        let detaches = def.has_attr("detaches");
        if !detaches && !def.has_attr("sends") {
            return;
        }
        let callee_name = cx.program.def_path(callee);
        let span = cx.span(e);
        let adts = &cx.typed.adts;
        if let Some(sig) = cx.typed.sigs.get(&callee) {
            let mut bound = Vec::new();
            crate::types::ty::bind_params(&sig.ret, cx.ty(e), &mut bound);
            for (name, ty) in bound {
                if let Some(w) = crate::types::ty::send_witness(cx.program, adts, &ty) {
                    self.body.send_errors.push(super::SendError {
                        what: super::SendCrossing::TypeArg(name),
                        span,
                        context: span,
                        callee: callee_name.clone(),
                        witness: Some(w),
                        ty,
                    });
                }
            }
        }
        if !detaches {
            return;
        }
        for &a in args {
            if !matches!(cx.ty(a), Ty::Fn(..)) {
                continue;
            }
            let mut inner = a;
            while let ExprKind::Paren(x) = &cx.ast.expr(inner).kind {
                inner = *x;
            }
            if matches!(cx.ast.expr(inner).kind, ExprKind::Closure { .. }) {
                let Some(&(_, idx)) = self.body.closure_exprs.iter().find(|(x, _)| *x == inner)
                else {
                    continue;
                };
                let Some(body) = self.closures.get(idx as usize) else {
                    continue;
                };
                let mut found = Vec::new();
                let mut site = super::SpawnSite {
                    call: span,
                    moved: Vec::new(),
                    borrowed: Vec::new(),
                    function: None,
                };
                for c in &body.captures {
                    if c.kind != CaptureKind::Value {
                        site.borrowed.push(c.name.clone());
                        continue;
                    }
                    let ty = body.local(c.local).ty.clone();
                    site.moved.push((c.name.clone(), ty.clone()));
                    if let Some(w) = crate::types::ty::send_witness(cx.program, adts, &ty) {
                        found.push(super::SendError {
                            what: super::SendCrossing::Capture(c.name.clone()),
                            span: c.use_span,
                            context: cx.span(inner),
                            callee: callee_name.clone(),
                            witness: Some(w),
                            ty,
                        });
                    }
                }
                self.body.send_errors.extend(found);
                self.body.spawns.push(site);
                continue;
            }
            // A function item captures nothing.
            let is_fn_item = !cx.bt.expr_locals.contains_key(&inner)
                && cx
                    .bt
                    .expr_defs
                    .get(&inner)
                    .is_some_and(|d| matches!(cx.program.def(*d).kind, DefKind::Fn(_)));
            if is_fn_item {
                let name = cx
                    .bt
                    .expr_defs
                    .get(&inner)
                    .map(|d| cx.program.def_path(*d))
                    .unwrap_or_default();
                self.body.spawns.push(super::SpawnSite {
                    call: span,
                    moved: Vec::new(),
                    borrowed: Vec::new(),
                    function: Some(name),
                });
                continue;
            }
            if self.closure_value_of(inner).is_some_and(|v| v.send) {
                continue;
            }
            self.body.send_errors.push(super::SendError {
                what: super::SendCrossing::ClosureValue,
                span: cx.span(a),
                context: span,
                callee: callee_name.clone(),
                witness: None,
                ty: cx.ty(a).clone(),
            });
        }
    }

    /// Ends the current block; later code goes to a fresh (unreachable)
    /// block until something jumps there.
    fn terminate(&mut self, kind: TerminatorKind, span: Span) {
        self.body.blocks[self.cur.index()].terminator = Terminator { kind, span };
        self.cur = self.new_block();
    }

    fn goto(&mut self, target: BlockId, span: Span) {
        self.body.blocks[self.cur.index()].terminator = Terminator {
            kind: TerminatorKind::Goto(target),
            span,
        };
    }

    fn push_local(&mut self, ty: Ty, mutable: bool, kind: LocalKind, span: Span) -> Local {
        let l = Local(self.body.locals.len() as u32);
        self.body.locals.push(LocalDecl {
            ty,
            mutable,
            kind,
            span,
        });
        l
    }

    /// A temporary that lives until the end of the current statement (or
    /// of the `let`'s block when extended), dropped there if it owns
    /// something.
    fn temp(&mut self, ty: Ty, span: Span, kind: TempKind) -> Local {
        let needs_drop = self.cx.needs_drop(&ty);
        let l = self.push_local(ty, true, LocalKind::Temp(kind), span);
        self.push_stmt(StatementKind::StorageLive(l), span);
        let scope = self.temp_scope();
        self.scopes[scope].entries.push(ScopeEntry::Local {
            local: l,
            drop: needs_drop,
        });
        l
    }

    /// The value of an assignment's right side, read before the left side
    /// is borrowed (Rust evaluates `v[i] = v[j]` right to left): a read
    /// through a projection is copied (or moved) into a temporary first,
    /// which ends any borrow the read needed.
    fn settle(&mut self, v: Operand, ty: Ty, span: Span) -> Operand {
        let through_projection = v.place().is_some_and(|p| !p.proj.is_empty());
        if !through_projection {
            return v;
        }
        let t = self.temp(ty, span, TempKind::Plain);
        self.assign(&Place::local(t), Rvalue::Use(v), span);
        Operand::Move(Place::local(t), span)
    }

    /// The innermost block scope (statement scopes skipped).
    fn block_scope(&self) -> usize {
        let n = self.scopes.len();
        (0..n)
            .rev()
            .find(|&i| !self.scopes[i].is_statement)
            .unwrap_or(n.saturating_sub(1))
    }

    fn temp_scope(&self) -> usize {
        let n = self.scopes.len();
        if n == 0 {
            return 0;
        }
        match self.extend_to {
            Some(depth) => depth.min(n - 1),
            None => n - 1,
        }
    }

    fn push_scope(&mut self) {
        let end = self.scopes.last().map(|s| s.end).unwrap_or_default();
        self.push_scope_at(end);
    }

    fn push_scope_at(&mut self, end: Span) {
        self.scopes.push(Scope {
            end,
            ..Scope::default()
        });
    }

    fn push_statement_scope(&mut self) {
        let end = self.scopes.last().map(|s| s.end).unwrap_or_default();
        self.scopes.push(Scope {
            is_statement: true,
            end,
            ..Scope::default()
        });
    }

    fn push_statement_scope_at(&mut self, end: Span) {
        self.scopes.push(Scope {
            is_statement: true,
            end,
            ..Scope::default()
        });
    }

    /// Leaves the innermost scope normally.
    fn pop_scope(&mut self) {
        let depth = self.scopes.len() - 1;
        self.emit_exit(depth, Span::default());
        self.scopes.pop();
    }

    /// Emits, in the current block, what leaving every scope at index
    /// `depth` and above does (innermost first); the scopes stay.
    fn emit_exit(&mut self, depth: usize, span: Span) {
        let mut i = self.scopes.len();
        while i > depth {
            i -= 1;
            let n = self.scopes[i].entries.len();
            for k in (0..n).rev() {
                match self.scopes[i].entries[k] {
                    ScopeEntry::Local { local, drop } => {
                        let sp = if span == Span::default() {
                            self.end_span(i)
                        } else {
                            span
                        };
                        if drop {
                            self.push_stmt(StatementKind::Drop(Place::local(local)), sp);
                        }
                        self.push_stmt(StatementKind::StorageDead(local), sp);
                    }
                    ScopeEntry::Defer(e) => self.lower_defer(i, k, e),
                    ScopeEntry::Zone => {
                        let sp = if span == Span::default() {
                            self.end_span(i)
                        } else {
                            span
                        };
                        self.push_stmt(StatementKind::ZoneExit, sp);
                    }
                }
            }
        }
    }

    /// Where a scope's implicit drops are reported: the end of its block.
    fn end_span(&self, scope: usize) -> Span {
        self.scopes.get(scope).map(|s| s.end).unwrap_or_default()
    }

    /// Lowers a deferred expression with the scope stack cut back to the
    /// entries declared before it (so a `return` inside cannot loop).
    fn lower_defer(&mut self, scope: usize, entry: usize, e: ExprId) {
        let mut saved = self.scopes.split_off(scope);
        let mut kept: Vec<ScopeEntry> = saved[0].entries.drain(..entry).collect();
        let rest = std::mem::take(&mut saved[0].entries);
        self.scopes.push(Scope {
            entries: std::mem::take(&mut kept),
            ..Scope::default()
        });
        let saved_loops = std::mem::take(&mut self.loops);
        self.push_statement_scope();
        let span = self.cx.span(e);
        let scratch = self.temp(self.cx.ty(e).clone(), span, TempKind::Plain);
        self.expr_into(&Place::local(scratch), e);
        self.pop_scope();
        self.loops = saved_loops;
        let mut front = self.scopes.pop().unwrap_or_default();
        let mut entries = std::mem::take(&mut front.entries);
        entries.extend(rest);
        saved[0].entries = entries;
        self.scopes.extend(saved);
    }

    /// The block a panic in the current position unwinds to (`None`:
    /// straight out of the function), building cleanup blocks as needed.
    fn unwind_target(&mut self) -> Option<BlockId> {
        if self.in_cleanup {
            return None;
        }
        let mut next: Option<BlockId> = None;
        for i in 0..self.scopes.len() {
            if let Some(r) = self.scopes[i].recover {
                next = Some(r);
            }
            let acts = self.scopes[i].entries.iter().any(|e| match e {
                ScopeEntry::Local { drop, .. } => *drop,
                ScopeEntry::Defer(_) | ScopeEntry::Zone => true,
            });
            if !acts {
                continue;
            }
            let n = self.scopes[i]
                .entries
                .iter()
                .filter(|e| !matches!(e, ScopeEntry::Local { drop: false, .. }))
                .count();
            if let Some((cn, cnext, block)) = self.scopes[i].unwind_cache
                && cn == n
                && cnext == next
            {
                next = Some(block);
                continue;
            }
            let block = self.build_cleanup(i, next);
            self.scopes[i].unwind_cache = Some((n, next, block));
            next = Some(block);
        }
        next
    }

    fn build_cleanup(&mut self, scope: usize, next: Option<BlockId>) -> BlockId {
        let saved_cur = self.cur;
        self.in_cleanup = true;
        let block = self.new_block();
        self.cur = block;
        let span = self.end_span(scope);
        let n = self.scopes[scope].entries.len();
        for k in (0..n).rev() {
            match self.scopes[scope].entries[k] {
                ScopeEntry::Local { local, drop } => {
                    if drop {
                        self.push_stmt(StatementKind::Drop(Place::local(local)), span);
                    }
                }
                ScopeEntry::Zone => self.push_stmt(StatementKind::ZoneExit, span),
                ScopeEntry::Defer(e) => {
                    // Only the scopes outside this one are visible to the
                    // deferred expression's own exits.
                    let saved_scopes = self.scopes.split_off(scope);
                    self.push_statement_scope();
                    let sp = self.cx.span(e);
                    let scratch = self.temp(self.cx.ty(e).clone(), sp, TempKind::Plain);
                    self.expr_into(&Place::local(scratch), e);
                    self.pop_scope();
                    self.scopes.extend(saved_scopes);
                }
            }
        }
        let kind = match next {
            Some(b) => TerminatorKind::Goto(b),
            None => TerminatorKind::Resume,
        };
        self.body.blocks[self.cur.index()].terminator = Terminator { kind, span };
        self.in_cleanup = false;
        self.cur = saved_cur;
        block
    }

    fn call(
        &mut self,
        callee: Callee,
        args: Vec<Operand>,
        dest: &Place,
        diverges: bool,
        span: Span,
    ) {
        let unwind = self.unwind_target();
        let target = if diverges {
            None
        } else {
            Some(self.new_block())
        };
        self.body.blocks[self.cur.index()].terminator = Terminator {
            kind: TerminatorKind::Call {
                callee,
                args,
                dest: dest.clone(),
                target,
                unwind,
            },
            span,
        };
        self.cur = match target {
            Some(t) => t,
            None => self.new_block(),
        };
    }

    /// Arguments live until the function returns: they are dropped (if
    /// not moved) after every other local.
    fn schedule_args(&mut self) {
        for l in self.body.args().collect::<Vec<_>>() {
            let drop = self.cx.needs_drop(&self.body.local(l).ty);
            if let Some(s) = self.scopes.last_mut() {
                s.entries.push(ScopeEntry::Local { local: l, drop });
            }
        }
    }

    // ------------------------------------------------------------------
    // Locals of patterns

    /// An argument local; a parameter that is a plain `name` or `mut name`
    /// binding is that user variable itself.
    fn bind_arg(&mut self, pat: PatId, ty: Ty, span: Span) -> Local {
        if let PatKind::Ident {
            name,
            mutable,
            by_ref: false,
            sub: None,
            ..
        } = &self.cx.ast.pat(pat).kind
            && let Some(&id) = self.cx.bt.pat_locals.get(&pat)
        {
            let l = self.push_local(
                ty,
                *mutable,
                LocalKind::User {
                    name: name.text.clone(),
                    source: id,
                },
                name.span,
            );
            self.local_map.insert(id, l);
            return l;
        }
        self.push_local(ty, false, LocalKind::Arg, span)
    }

    /// Creates the MIR locals of every binding in a pattern (`StorageLive`,
    /// and a drop at the end of the current scope).
    fn declare_bindings(&mut self, pat: PatId) {
        let mut ids = Vec::new();
        self.collect_bindings(pat, &mut ids);
        for (pid, id) in ids {
            if self.local_map.contains_key(&id) {
                continue;
            }
            let info = &self.cx.bt.locals[id.0 as usize];
            let span = self.cx.ast.pat(pid).span;
            let l = self.push_local(
                info.ty.clone(),
                info.mutable,
                LocalKind::User {
                    name: info.name.clone(),
                    source: id,
                },
                info.span,
            );
            self.local_map.insert(id, l);
            self.push_stmt(StatementKind::StorageLive(l), span);
            let drop = self.cx.needs_drop(&info.ty);
            if let Some(s) = self.scopes.last_mut() {
                s.entries.push(ScopeEntry::Local { local: l, drop });
            }
        }
    }

    fn collect_bindings(&self, pat: PatId, out: &mut Vec<(PatId, LocalId)>) {
        if let Some(&id) = self.cx.bt.pat_locals.get(&pat)
            && !out.iter().any(|(_, x)| *x == id)
        {
            out.push((pat, id));
        }
        match &self.cx.ast.pat(pat).kind {
            PatKind::Ident { sub: Some(s), .. } => self.collect_bindings(*s, out),
            PatKind::Tuple(items)
            | PatKind::TupleStruct { elems: items, .. }
            | PatKind::Slice(items) => {
                for p in items {
                    self.collect_bindings(*p, out);
                }
            }
            PatKind::Or(alts) => {
                for p in alts {
                    self.collect_bindings(*p, out);
                }
            }
            PatKind::Struct { fields, .. } => {
                for f in fields {
                    self.collect_bindings(f.pat, out);
                }
            }
            PatKind::Ref { inner, .. } => self.collect_bindings(*inner, out),
            _ => {}
        }
    }

    fn user_local(&mut self, id: LocalId, span: Span) -> Local {
        if let Some(&l) = self.local_map.get(&id) {
            return l;
        }
        if let Some(&l) = self.outer.get(&id) {
            return l;
        }
        // A variable of an enclosing body (we are in a closure), or one the
        // type checker declared in a scope this lowering has not entered.
        let info = &self.cx.bt.locals[id.0 as usize];
        let l = self.push_local(
            info.ty.clone(),
            info.mutable,
            LocalKind::Upvar {
                name: info.name.clone(),
                capture: u32::MAX,
            },
            span,
        );
        if self.body.is_closure {
            self.outer.insert(id, l);
        } else {
            self.local_map.insert(id, l);
        }
        l
    }

    // ------------------------------------------------------------------
    // Expressions

    /// Lowers `e` and stores its value in `dest`.
    #[allow(clippy::too_many_lines)]
    fn expr_into(&mut self, dest: &Place, e: ExprId) {
        let cx = self.cx;
        let span = cx.span(e);
        let ty = cx.ty(e).clone();
        match &cx.ast.expr(e).kind {
            ExprKind::Missing => {}
            ExprKind::Paren(inner) => self.expr_into(dest, *inner),
            ExprKind::Literal(_)
            | ExprKind::Path(_)
            | ExprKind::SelfValue
            | ExprKind::Field { .. }
            | ExprKind::Index { .. }
            | ExprKind::Unary {
                op: UnaryOp::Deref, ..
            } => {
                let op = self.operand(e);
                self.assign(dest, Rvalue::Use(op), span);
            }
            ExprKind::Unary { op, operand } => {
                let o = self.operand(*operand);
                let op = if *op == UnaryOp::Neg {
                    UnOp::Neg
                } else {
                    UnOp::Not
                };
                self.assign(dest, Rvalue::Unary(op, o), span);
            }
            ExprKind::Binary {
                op: BinaryOp::And | BinaryOp::Or,
                ..
            } => {
                self.lazy_bool(dest, e);
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let (a, b) = if op.is_comparison() {
                    (self.compare_operand(*lhs), self.compare_operand(*rhs))
                } else {
                    (self.arith_operand(*lhs), self.arith_operand(*rhs))
                };
                self.assign(dest, Rvalue::Binary(*op, a, b), span);
            }
            ExprKind::Assign { lhs, rhs } => {
                let v = self.operand_coerced(*rhs, &cx.ty(*lhs).clone());
                let v = self.settle(v, cx.ty(*lhs).clone(), span);
                let place = self.place(*lhs, true);
                if cx.needs_drop(cx.ty(*lhs)) {
                    self.push_stmt(StatementKind::Drop(place.clone()), span);
                }
                self.assign(&place, Rvalue::Use(v), span);
                self.assign(dest, Rvalue::Use(Operand::Const(Const::Unit)), span);
            }
            ExprKind::CompoundAssign { op, lhs, rhs } => {
                let v = self.arith_operand(*rhs);
                let v = self.settle(v, cx.ty(*rhs).peel_refs().clone(), span);
                let place = self.place(*lhs, true);
                self.assign(
                    &place,
                    Rvalue::Binary(*op, Operand::Copy(place.clone(), span), v),
                    span,
                );
                self.assign(dest, Rvalue::Use(Operand::Const(Const::Unit)), span);
            }
            ExprKind::Ref { mutable, operand } => {
                let saved = self.extend_to;
                if self.extending.contains(&e) {
                    self.extend_to = Some(self.let_scope);
                }
                let place = self.place(*operand, *mutable);
                self.extend_to = saved;
                let kind = BorrowKind::of(*mutable);
                self.assign(dest, Rvalue::Ref(kind, place), span);
            }
            ExprKind::Cast { operand, .. } => {
                let o = self.operand(*operand);
                self.assign(dest, Rvalue::Cast(o, ty), span);
            }
            ExprKind::Try(inner) => self.lower_try(dest, *inner, span),
            ExprKind::Call { callee, args } => self.lower_call(dest, e, *callee, args),
            ExprKind::MethodCall { receiver, args, .. } => {
                self.lower_method_call(dest, e, *receiver, args);
            }
            ExprKind::Range {
                start,
                end,
                inclusive,
            } => {
                let mut ops = Vec::new();
                for part in [start, end].into_iter().flatten() {
                    ops.push(self.operand(*part));
                }
                self.assign(
                    dest,
                    Rvalue::Aggregate(
                        AggregateKind::Range {
                            inclusive: *inclusive,
                            has_start: start.is_some(),
                            has_end: end.is_some(),
                        },
                        ops,
                    ),
                    span,
                );
            }
            ExprKind::Closure { .. } => self.lower_closure(dest, e),
            ExprKind::Return(value) => {
                if let Some(v) = value {
                    let ret_ty = self.body.local(Local::RETURN).ty.clone();
                    let op = self.operand_coerced(*v, &ret_ty);
                    self.assign(&Place::local(Local::RETURN), Rvalue::Use(op), span);
                } else {
                    self.assign(
                        &Place::local(Local::RETURN),
                        Rvalue::Use(Operand::Const(Const::Unit)),
                        span,
                    );
                }
                self.emit_exit(0, span);
                self.terminate(TerminatorKind::Return, span);
            }
            ExprKind::Break { label, value } => {
                let Some(i) = self.find_loop(label.as_ref().map(|l| l.text.as_str())) else {
                    return;
                };
                if let Some(v) = value {
                    match self.loops[i].dest.clone() {
                        Some(d) => self.expr_into(&d, *v),
                        None => {
                            let _ = self.operand(*v);
                        }
                    }
                }
                let (depth, target) = (self.loops[i].depth, self.loops[i].break_block);
                self.emit_exit(depth, span);
                self.goto(target, span);
                self.cur = self.new_block();
            }
            ExprKind::Continue { label } => {
                let Some(i) = self.find_loop(label.as_ref().map(|l| l.text.as_str())) else {
                    return;
                };
                let (depth, target) = (self.loops[i].depth, self.loops[i].continue_block);
                self.emit_exit(depth, span);
                self.goto(target, span);
                self.cur = self.new_block();
            }
            ExprKind::Tuple(items) | ExprKind::Array(items) => {
                let kind = if matches!(cx.ast.expr(e).kind, ExprKind::Tuple(_)) {
                    AggregateKind::Tuple
                } else {
                    AggregateKind::Array
                };
                let elem_tys: Vec<Ty> = match &ty {
                    Ty::Tuple(t) => t.clone(),
                    Ty::Array(t, _) => vec![(**t).clone(); items.len()],
                    _ => vec![Ty::Error; items.len()],
                };
                let ops = items
                    .iter()
                    .zip(elem_tys.iter())
                    .map(|(i, t)| self.operand_coerced(*i, t))
                    .collect();
                self.assign(dest, Rvalue::Aggregate(kind, ops), span);
            }
            ExprKind::ArrayRepeat { elem, .. } => {
                let o = self.operand(*elem);
                let n = match &ty {
                    Ty::Array(_, Some(n)) => *n,
                    _ => 0,
                };
                self.assign(dest, Rvalue::Repeat(o, n), span);
            }
            ExprKind::Struct { fields, base, .. } => self.lower_struct(dest, e, fields, *base),
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                let join = self.new_block();
                let else_block = self.new_block();
                self.push_scope();
                self.condition(*cond, else_block);
                self.expr_into(dest, *then_branch);
                self.pop_scope();
                self.goto(join, span);
                self.cur = else_block;
                match else_branch {
                    Some(eb) => self.expr_into(dest, *eb),
                    None => self.assign(dest, Rvalue::Use(Operand::Const(Const::Unit)), span),
                }
                self.goto(join, span);
                self.cur = join;
            }
            ExprKind::Match { scrutinee, arms } => self.lower_match(dest, *scrutinee, arms, span),
            ExprKind::While { label, cond, body } => {
                let header = self.new_block();
                let exit = self.new_block();
                self.goto(header, span);
                self.cur = header;
                self.loops.push(LoopScope {
                    label: label.as_ref().map(|l| l.text.clone()),
                    break_block: exit,
                    continue_block: header,
                    dest: None,
                    depth: self.scopes.len(),
                });
                self.push_scope();
                let fail = self.new_block();
                self.condition(*cond, fail);
                self.statement_expr(*body);
                self.pop_scope();
                self.goto(header, span);
                self.cur = fail;
                self.goto(exit, span);
                self.loops.pop();
                self.cur = exit;
                self.assign(dest, Rvalue::Use(Operand::Const(Const::Unit)), span);
            }
            ExprKind::Loop { label, body } => {
                let header = self.new_block();
                let exit = self.new_block();
                self.goto(header, span);
                self.cur = header;
                self.loops.push(LoopScope {
                    label: label.as_ref().map(|l| l.text.clone()),
                    break_block: exit,
                    continue_block: header,
                    dest: Some(dest.clone()),
                    depth: self.scopes.len(),
                });
                self.statement_expr(*body);
                self.goto(header, span);
                self.loops.pop();
                self.cur = exit;
            }
            ExprKind::For {
                label,
                pat,
                iterable,
                body,
            } => self.lower_for(
                dest,
                label.as_ref().map(|l| l.text.clone()),
                *pat,
                *iterable,
                *body,
                span,
            ),
            ExprKind::Block(block) => self.lower_block(dest, block, span),
            ExprKind::Zone { size, body } => {
                let s = size.map(|s| self.operand(s));
                self.push_stmt(StatementKind::ZoneEnter(s), span);
                // The zone's exit is a scope entry, so that `break`,
                // `return`, `?` and unwinding leave the zone as the end
                // of its body does.
                self.push_scope_at(span.shrink_to_hi());
                if let Some(scope) = self.scopes.last_mut() {
                    scope.entries.push(ScopeEntry::Zone);
                }
                self.expr_into(dest, *body);
                self.pop_scope();
            }
            ExprKind::TryRecover {
                body,
                binding,
                handler,
            } => {
                let join = self.new_block();
                let catch = self.new_block();
                self.scopes.push(Scope {
                    recover: Some(catch),
                    ..Scope::default()
                });
                self.expr_into(dest, *body);
                self.pop_scope();
                self.goto(join, span);
                self.cur = catch;
                self.push_scope();
                if let Some(p) = binding {
                    let pty = cx.bt.pat_types[p.index()].clone();
                    let t = self.temp(pty.clone(), span, TempKind::Plain);
                    self.call(
                        Callee::Builtin(Builtin::CaughtPanic),
                        Vec::new(),
                        &Place::local(t),
                        false,
                        span,
                    );
                    self.declare_bindings(*p);
                    self.bind_irrefutable(*p, &Place::local(t), &pty);
                }
                self.expr_into(dest, *handler);
                self.pop_scope();
                self.goto(join, span);
                self.cur = join;
            }
        }
    }

    fn find_loop(&self, label: Option<&str>) -> Option<usize> {
        match label {
            None => self.loops.len().checked_sub(1),
            Some(l) => self
                .loops
                .iter()
                .rposition(|s| s.label.as_deref() == Some(l)),
        }
    }

    /// Lowers an expression whose value is discarded.
    fn statement_expr(&mut self, e: ExprId) {
        self.statement_expr_at(e, self.cx.span(e));
    }

    /// Like `statement_expr`; temporaries die at the end of `stmt`.
    fn statement_expr_at(&mut self, e: ExprId, stmt: Span) {
        self.push_statement_scope_at(Span::new(stmt.end.saturating_sub(1), stmt.end));
        let ty = self.cx.ty(e).clone();
        let scratch = self.push_local(ty, true, LocalKind::Temp(TempKind::Plain), self.cx.span(e));
        self.expr_into(&Place::local(scratch), e);
        let needs_drop = self.cx.needs_drop(self.cx.ty(e));
        if needs_drop {
            self.push_stmt(StatementKind::Drop(Place::local(scratch)), self.cx.span(e));
        }
        self.pop_scope();
    }

    fn lower_block(&mut self, dest: &Place, block: &ast::Block, span: Span) {
        self.push_scope_at(Span::new(span.end.saturating_sub(1), span.end));
        for stmt in &block.stmts {
            self.lower_stmt(stmt);
        }
        match block.tail {
            Some(t) => self.expr_into(dest, t),
            None => {
                self.assign(dest, Rvalue::Use(Operand::Const(Const::Unit)), span);
            }
        }
        self.pop_scope();
    }

    fn lower_stmt(&mut self, stmt: &Stmt) {
        match stmt {
            Stmt::Item(_) => {}
            Stmt::Defer { expr, .. } => {
                if let Some(s) = self.scopes.last_mut() {
                    s.entries.push(ScopeEntry::Defer(*expr));
                }
            }
            Stmt::Expr { expr, span, .. } => self.statement_expr_at(*expr, *span),
            Stmt::Let {
                pat,
                init,
                else_block,
                span,
                ..
            } => self.lower_let(*pat, *init, *else_block, *span),
        }
    }

    fn lower_let(
        &mut self,
        pat: PatId,
        init: Option<ExprId>,
        else_block: Option<ExprId>,
        span: Span,
    ) {
        let cx = self.cx;
        let pty = cx.bt.pat_types[pat.index()].clone();
        let Some(init) = init else {
            self.declare_bindings(pat);
            return;
        };
        // `let x = e;`: evaluate straight into the variable.
        if else_block.is_none()
            && let PatKind::Ident {
                by_ref: false,
                sub: None,
                ..
            } = &cx.ast.pat(pat).kind
            && let Some(&id) = cx.bt.pat_locals.get(&pat)
            && cx.bt.locals[id.0 as usize].ty == pty
        {
            self.declare_bindings(pat);
            let l = self.local_map[&id];
            self.push_statement_scope_at(Span::new(span.end.saturating_sub(1), span.end));
            self.let_scope = self.block_scope();
            self.extending = extending_borrows(cx.ast, init);
            let op = self.operand_coerced(init, &pty);
            self.extending.clear();
            self.assign(&Place::local(l), Rvalue::Use(op), span);
            self.pop_scope();
            return;
        }
        self.push_statement_scope_at(Span::new(span.end.saturating_sub(1), span.end));
        self.let_scope = self.block_scope();
        self.extending = extending_borrows(cx.ast, init);
        let place = self.place(init, false);
        self.extending.clear();
        // The place is evaluated even when the pattern binds nothing
        // (`let _ = xs[i];` checks the index, as Rust's PlaceMention).
        self.push_stmt(StatementKind::FakeRead(place.clone()), cx.span(init));
        match else_block {
            None => {
                // Bindings belong to the enclosing block, not the statement.
                let st = self.scopes.pop().unwrap_or_default();
                self.declare_bindings(pat);
                self.scopes.push(st);
                self.bind_irrefutable(pat, &place, &pty);
            }
            Some(eb) => {
                let fail = self.new_block();
                self.test_pattern(pat, &place, &pty, fail);
                let st = self.scopes.pop().unwrap_or_default();
                self.declare_bindings(pat);
                self.scopes.push(st);
                self.bind_irrefutable(pat, &place, &pty);
                let ok = self.cur;
                self.cur = fail;
                let depth = self.scopes.len() - 1;
                self.emit_exit(depth, span);
                self.statement_expr(eb);
                self.terminate(TerminatorKind::Unreachable, span);
                self.cur = ok;
            }
        }
        self.pop_scope();
    }

    /// Lowers `e` as an operand: a constant, a copy or move of a place, or
    /// a temporary holding its value.
    fn operand(&mut self, e: ExprId) -> Operand {
        let cx = self.cx;
        match &cx.ast.expr(e).kind {
            ExprKind::Paren(inner) => return self.operand(*inner),
            ExprKind::Literal(lit) => {
                return Operand::Const(match lit {
                    Literal::Int(n) => Const::Int(*n as i64),
                    Literal::Float(f) => Const::Float(*f),
                    Literal::Bool(b) => Const::Bool(*b),
                    Literal::Char(c) => Const::Char(*c),
                    Literal::Str(s) => Const::Str(s.clone()),
                });
            }
            // A negative literal is a constant (loaded once, not negated
            // on every evaluation); `-9223372036854775808` is left to
            // overflow as before.
            ExprKind::Unary {
                op: UnaryOp::Neg,
                operand,
            } => match &cx.ast.expr(*operand).kind {
                ExprKind::Literal(Literal::Float(f)) => return Operand::Const(Const::Float(-*f)),
                ExprKind::Literal(Literal::Int(n)) => {
                    if let Some(v) = (*n as i64).checked_neg() {
                        return Operand::Const(Const::Int(v));
                    }
                }
                _ => {}
            },
            ExprKind::Path(_) if !cx.bt.expr_locals.contains_key(&e) => {
                if let Some(&d) = cx.bt.expr_defs.get(&e) {
                    match &cx.program.def(d).kind {
                        DefKind::Fn(_) => return Operand::Const(Const::Fn(d)),
                        DefKind::Const(_) => return Operand::Const(Const::Item(d)),
                        DefKind::Variant { .. } | DefKind::Struct(_) => {
                            let t = self.operand_temp(e);
                            let span = cx.span(e);
                            self.assign(
                                &Place::local(t),
                                Rvalue::Aggregate(AggregateKind::Adt(d), Vec::new()),
                                span,
                            );
                            return Operand::Move(Place::local(t), span);
                        }
                        _ => {}
                    }
                }
                // Unresolved (already reported).
                return Operand::Const(Const::Unit);
            }
            ExprKind::SelfValue if !cx.bt.expr_locals.contains_key(&e) => {
                return Operand::Const(Const::Unit);
            }
            ExprKind::Missing => return Operand::Const(Const::Unit),
            _ => {}
        }
        let span = cx.span(e);
        if is_place_expr(cx.ast, cx.bt, e) {
            let place = self.place(e, false);
            let ty = cx.ty(e);
            let copy = cx.is_copy(ty) && self.closure_value_of(e).is_none_or(|c| c.copy);
            return if copy {
                Operand::Copy(place, span)
            } else {
                Operand::Move(place, span)
            };
        }
        let t = self.operand_temp(e);
        self.expr_into(&Place::local(t), e);
        Operand::Move(Place::local(t), span)
    }

    /// A temporary for a value that is consumed at once (no drop).
    fn operand_temp(&mut self, e: ExprId) -> Local {
        let ty = self.cx.ty(e).clone();
        let span = self.cx.span(e);
        let l = self.push_local(ty, true, LocalKind::Temp(TempKind::Plain), span);
        self.push_stmt(StatementKind::StorageLive(l), span);
        let scope = self.scopes.len().saturating_sub(1);
        if let Some(s) = self.scopes.get_mut(scope) {
            s.entries.push(ScopeEntry::Local {
                local: l,
                drop: false,
            });
        }
        l
    }

    /// An operand of `==`, `<`…: compared by reference, never moved.
    /// An operand of arithmetic: a reference is read through (`n += v`
    /// with `v: &int`, `x + &y`), as the checker allows and Rust's
    /// `Add<&i64> for i64` does.
    fn arith_operand(&mut self, e: ExprId) -> Operand {
        let cx = self.cx;
        let Ty::Ref(..) = cx.ty(e) else {
            return self.operand(e);
        };
        let span = cx.span(e);
        let mut place = if is_place_expr(cx.ast, cx.bt, e) {
            self.place(e, false)
        } else {
            let t = self.temp(cx.ty(e).clone(), span, TempKind::Plain);
            self.expr_into(&Place::local(t), e);
            Place::local(t)
        };
        let mut ty = cx.ty(e).clone();
        while let Ty::Ref(m, inner) = ty {
            place = place.project(Proj::Deref(DerefKind::of(m)));
            ty = *inner;
        }
        Operand::Copy(place, span)
    }

    fn compare_operand(&mut self, e: ExprId) -> Operand {
        let cx = self.cx;
        if is_place_expr(cx.ast, cx.bt, e) && !cx.is_copy(cx.ty(e)) {
            return Operand::Copy(self.place(e, false), cx.span(e));
        }
        self.operand(e)
    }

    /// An operand at a coercion site whose expected type is known: a
    /// `&mut` is reborrowed rather than moved, a string literal where a
    /// `&String` is expected is borrowed, `&Gc<T>` derefs to `&T`.
    fn operand_coerced(&mut self, e: ExprId, expected: &Ty) -> Operand {
        let cx = self.cx;
        let actual = cx.ty(e).clone();
        let span = cx.span(e);
        match (expected, &actual) {
            (Ty::Ref(false, x), Ty::Str) if matches!(**x, Ty::Str) => {
                let t = self.temp(Ty::Str, span, TempKind::Plain);
                self.expr_into(&Place::local(t), e);
                let r = self.operand_temp(e);
                self.body.locals[r.index()].ty = expected.clone();
                self.assign(
                    &Place::local(r),
                    Rvalue::Ref(BorrowKind::Shared, Place::local(t)),
                    span,
                );
                Operand::Move(Place::local(r), span)
            }
            (Ty::Ref(em, x), Ty::Ref(am, a)) if *am || !fits(x, a) => {
                // Reborrow `&mut *e` / `&*e`, following overloaded derefs
                // when the target differs (deref coercion).
                let base = if is_place_expr(cx.ast, cx.bt, e) {
                    self.place(e, false)
                } else {
                    let t = self.temp(actual.clone(), span, TempKind::Plain);
                    self.expr_into(&Place::local(t), e);
                    Place::local(t)
                };
                let mut place = base.project(Proj::Deref(DerefKind::of(*am)));
                let mut cur = (**a).clone();
                let mut steps = 0;
                while !fits(x, &cur) && steps < 4 {
                    match cx.deref_role(&cur) {
                        Some(next) => {
                            place = self.overloaded_deref(place, &cur, span);
                            cur = next;
                        }
                        None => break,
                    }
                    steps += 1;
                }
                let kind = BorrowKind::of(*em && *am);
                let r = self.operand_temp(e);
                self.body.locals[r.index()].ty = Ty::Ref(*em && *am, Box::new(cur));
                self.assign(&Place::local(r), Rvalue::Ref(kind, place), span);
                Operand::Move(Place::local(r), span)
            }
            _ => self.operand(e),
        }
    }

    /// `*p` through a type with an overloaded deref: a shared borrow of
    /// `p` in a temporary, then `*temp`.
    fn overloaded_deref(&mut self, base: Place, base_ty: &Ty, span: Span) -> Place {
        let target = self.cx.deref_role(base_ty).unwrap_or(Ty::Error);
        let t = self.temp(Ty::Ref(false, Box::new(target)), span, TempKind::Deref);
        self.assign(
            &Place::local(t),
            Rvalue::Ref(BorrowKind::Shared, base),
            span,
        );
        Place::local(t).project(Proj::Deref(DerefKind::Shared))
    }

    /// Lowers `e` as a place; `mutable` when the place will be written or
    /// borrowed mutably (overloaded index then borrows its base mutably).
    fn place(&mut self, e: ExprId, mutable: bool) -> Place {
        let cx = self.cx;
        let span = cx.span(e);
        match &cx.ast.expr(e).kind {
            ExprKind::Paren(inner) => self.place(*inner, mutable),
            ExprKind::Path(_) | ExprKind::SelfValue if cx.bt.expr_locals.contains_key(&e) => {
                let l = self.user_local(cx.bt.expr_locals[&e], span);
                Place::local(l)
            }
            ExprKind::Field { base, field } => {
                let mut place = self.place(*base, mutable);
                let mut ty = cx.ty(*base).clone();
                for _ in 0..8 {
                    if cx.has_field(&ty, field) {
                        break;
                    }
                    match ty {
                        Ty::Ref(m, inner) => {
                            place = place.project(Proj::Deref(DerefKind::of(m)));
                            ty = *inner;
                        }
                        _ => match cx.deref_role(&ty) {
                            Some(next) => {
                                place = self.overloaded_deref(place, &ty, span);
                                ty = next;
                            }
                            None => break,
                        },
                    }
                }
                match cx.field_index(&ty, field) {
                    Some(i) => place.project(Proj::Field(i)),
                    None => place,
                }
            }
            ExprKind::Unary {
                op: UnaryOp::Deref,
                operand,
            } => {
                let base = self.place(*operand, mutable);
                match cx.ty(*operand).clone() {
                    Ty::Ref(m, _) => base.project(Proj::Deref(DerefKind::of(m))),
                    other => self.overloaded_deref(base, &other, span),
                }
            }
            ExprKind::Index { base, index } => {
                // The index is copied into its own local (a projection
                // names a local, and a closure may capture the original).
                let idx_op = self.operand(*index);
                let idx = self.operand_temp(*index);
                self.assign(&Place::local(idx), Rvalue::Use(idx_op), span);
                let mut place = self.place(*base, mutable);
                let mut ty = cx.ty(*base).clone();
                while let Ty::Ref(m, inner) = ty {
                    place = place.project(Proj::Deref(DerefKind::of(m)));
                    ty = *inner;
                }
                if matches!(ty, Ty::Array(..)) {
                    return place.project(Proj::Index(idx));
                }
                // Overloaded: `*index(&v, i)` / `*index_mut(&mut v, i)`.
                let r = self.temp(Ty::Ref(mutable, Box::new(ty)), span, TempKind::Index);
                let kind = BorrowKind::of(mutable);
                self.assign(&Place::local(r), Rvalue::Ref(kind, place), span);
                Place::local(r)
                    .project(Proj::Deref(DerefKind::of(mutable)))
                    .project(Proj::Index(idx))
            }
            _ => {
                // An rvalue in a place context lives in a temporary.
                let t = self.temp(cx.ty(e).clone(), span, TempKind::Plain);
                self.expr_into(&Place::local(t), e);
                Place::local(t)
            }
        }
    }
}

/// Whether the expression denotes a place (a variable, field, deref or
/// index), as opposed to a value computed into a temporary.
fn is_place_expr(ast: &ast::Body, bt: &BodyTypes, e: ExprId) -> bool {
    match &ast.expr(e).kind {
        ExprKind::Path(_) | ExprKind::SelfValue => bt.expr_locals.contains_key(&e),
        ExprKind::Paren(inner) => is_place_expr(ast, bt, *inner),
        ExprKind::Field { .. }
        | ExprKind::Index { .. }
        | ExprKind::Unary {
            op: UnaryOp::Deref, ..
        } => true,
        _ => false,
    }
}

/// `&e` (possibly inside parentheses, tuples, arrays or struct literals)
/// as a `let` initialiser: Rust extends the temporary's life to the block.
/// The borrow expressions of a `let` initialiser whose temporaries live
/// as long as the `let`'s block, as Rust's temporary lifetime extension:
/// `&e` itself, and inside the operand of such a borrow, parentheses,
/// tuple, array and struct literals; and the tails of blocks, `if`/`else`
/// branches and `match` arms.
fn extending_borrows(ast: &ast::Body, init: ExprId) -> HashSet<ExprId> {
    fn walk(ast: &ast::Body, e: ExprId, out: &mut HashSet<ExprId>) {
        match &ast.expr(e).kind {
            ExprKind::Ref { operand, .. } => {
                out.insert(e);
                walk(ast, *operand, out);
            }
            ExprKind::Paren(inner) => walk(ast, *inner, out),
            ExprKind::Tuple(items) | ExprKind::Array(items) => {
                for i in items {
                    walk(ast, *i, out);
                }
            }
            ExprKind::Block(block) => {
                if let Some(tail) = block.tail {
                    walk(ast, tail, out);
                }
            }
            ExprKind::If {
                then_branch,
                else_branch,
                ..
            } => {
                walk(ast, *then_branch, out);
                if let Some(e) = else_branch {
                    walk(ast, *e, out);
                }
            }
            ExprKind::Match { arms, .. } => arms.iter().for_each(|a| walk(ast, a.body, out)),
            _ => {}
        }
    }
    let mut out = HashSet::default();
    walk(ast, init, &mut out);
    out
}

// ----------------------------------------------------------------------
// Control flow, calls, closures, patterns

impl Builder<'_, '_> {
    /// Emits, at the start of `fail`, the exits of the scopes from `depth`
    /// up (a failed test leaves them without running their body); returns
    /// the block that continues after those exits.
    fn exits_on(&mut self, fail: BlockId, depth: usize, span: Span) -> BlockId {
        let saved = self.cur;
        self.cur = fail;
        self.emit_exit(depth, span);
        let out = self.cur;
        self.cur = saved;
        out
    }

    fn scratch(&mut self, ty: Ty, span: Span) -> Local {
        self.push_local(ty, true, LocalKind::Temp(TempKind::Plain), span)
    }

    fn switch_bool(&mut self, discr: Operand, on_false: BlockId, span: Span) {
        let next = self.new_block();
        self.body.blocks[self.cur.index()].terminator = Terminator {
            kind: TerminatorKind::SwitchInt {
                discr,
                targets: vec![(0, on_false)],
                otherwise: next,
            },
            span,
        };
        self.cur = next;
    }

    fn lazy_bool(&mut self, dest: &Place, e: ExprId) {
        let span = self.cx.span(e);
        let ExprKind::Binary { op, lhs, rhs } = self.cx.ast.expr(e).kind else {
            return;
        };
        let a = self.operand(lhs);
        self.assign(dest, Rvalue::Use(a), span);
        let rhs_block = self.new_block();
        let join = self.new_block();
        let targets = if op == BinaryOp::And {
            (vec![(0, join)], rhs_block)
        } else {
            (vec![(0, rhs_block)], join)
        };
        self.body.blocks[self.cur.index()].terminator = Terminator {
            kind: TerminatorKind::SwitchInt {
                discr: Operand::Copy(dest.clone(), span),
                targets: targets.0,
                otherwise: targets.1,
            },
            span,
        };
        self.cur = rhs_block;
        let b = self.operand(rhs);
        self.assign(dest, Rvalue::Use(b), span);
        self.goto(join, span);
        self.cur = join;
    }

    /// Lowers a condition; continues in the true case, jumps to `on_false`
    /// otherwise. `if let` bindings are declared in the current scope.
    fn condition(&mut self, cond: Condition, on_false: BlockId) {
        let cx = self.cx;
        match cond {
            Condition::Expr(e) => {
                if let ExprKind::Binary {
                    op: BinaryOp::And,
                    lhs,
                    rhs,
                } = cx.ast.expr(e).kind
                {
                    self.condition(Condition::Expr(lhs), on_false);
                    self.condition(Condition::Expr(rhs), on_false);
                    return;
                }
                // `a || b` as control flow (as rustc lowers it): no boolean
                // is made only to be tested again at a join.
                if let ExprKind::Binary {
                    op: BinaryOp::Or,
                    lhs,
                    rhs,
                } = cx.ast.expr(e).kind
                {
                    let span = cx.span(e);
                    let rhs_block = self.new_block();
                    let then_block = self.new_block();
                    self.condition(Condition::Expr(lhs), rhs_block);
                    self.goto(then_block, span);
                    self.cur = rhs_block;
                    self.condition(Condition::Expr(rhs), on_false);
                    self.goto(then_block, span);
                    self.cur = then_block;
                    return;
                }
                let span = cx.span(e);
                self.push_statement_scope_at(span.shrink_to_hi());
                let op = self.operand(e);
                let c = self.scratch(Ty::Bool, span);
                self.assign(&Place::local(c), Rvalue::Use(op), span);
                self.pop_scope();
                self.switch_bool(Operand::Copy(Place::local(c), span), on_false, span);
            }
            Condition::Let { pat, value } => {
                let place = self.place(value, false);
                let ty = cx.ty(value).clone();
                self.push_stmt(StatementKind::FakeRead(place.clone()), cx.span(value));
                self.test_pattern(pat, &place, &ty, on_false);
                self.declare_bindings(pat);
                self.bind_pattern(pat, &place, &ty, false);
            }
        }
    }

    fn lower_try(&mut self, dest: &Place, inner: ExprId, span: Span) {
        let cx = self.cx;
        let ty = cx.ty(inner).clone();
        let t = self.temp(ty.clone(), cx.span(inner), TempKind::Plain);
        self.expr_into(&Place::local(t), inner);
        let Ty::Adt(d, _) = ty else { return };
        let is_result = Some(d) == cx.result;
        let (ok, bad) = if is_result {
            (cx.variant(cx.result, "Ok"), cx.variant(cx.result, "Err"))
        } else {
            (cx.variant(cx.option, "Some"), cx.variant(cx.option, "None"))
        };
        let (Some(ok), Some(bad)) = (ok, bad) else {
            return;
        };
        let discr = self.scratch(Ty::Int, span);
        self.assign(
            &Place::local(discr),
            Rvalue::Discriminant(Place::local(t)),
            span,
        );
        let ok_block = self.new_block();
        let bad_block = self.new_block();
        self.body.blocks[self.cur.index()].terminator = Terminator {
            kind: TerminatorKind::SwitchInt {
                discr: Operand::Copy(Place::local(discr), span),
                targets: vec![(cx.variant_index(ok), ok_block)],
                otherwise: bad_block,
            },
            span,
        };
        // The error path returns early, running every scope's exits.
        self.cur = bad_block;
        let ret = Place::local(Local::RETURN);
        if is_result {
            let err_place = Place::local(t)
                .project(Proj::Downcast(bad))
                .project(Proj::Field(0));
            let err_ty = super::place_ty(cx.program, cx.typed, &self.body, &err_place);
            let conv = self.scratch(err_ty, span);
            self.push_stmt(StatementKind::StorageLive(conv), span);
            self.call(
                Callee::Builtin(Builtin::TryConvert),
                vec![Operand::Move(err_place, span)],
                &Place::local(conv),
                false,
                span,
            );
            self.assign(
                &ret,
                Rvalue::Aggregate(
                    AggregateKind::Adt(bad),
                    vec![Operand::Move(Place::local(conv), span)],
                ),
                span,
            );
            self.push_stmt(StatementKind::StorageDead(conv), span);
        } else {
            self.assign(
                &ret,
                Rvalue::Aggregate(AggregateKind::Adt(bad), Vec::new()),
                span,
            );
        }
        self.emit_exit(0, span);
        self.terminate(TerminatorKind::Return, span);
        self.cur = ok_block;
        let value = Place::local(t)
            .project(Proj::Downcast(ok))
            .project(Proj::Field(0));
        let vty = cx.ty(inner);
        let op = match vty {
            Ty::Adt(_, args) if args.first().is_some_and(|a| cx.is_copy(a)) => {
                Operand::Copy(value, span)
            }
            _ => Operand::Move(value, span),
        };
        self.assign(dest, Rvalue::Use(op), span);
    }

    /// Arguments that the callee only reads (format arguments,
    /// `assert_eq`): each is borrowed, never moved.
    fn borrowed_args(&mut self, args: &[ExprId]) -> Vec<Operand> {
        let cx = self.cx;
        let mut ops = Vec::new();
        for a in args {
            let span = cx.span(*a);
            let place = self.place(*a, false);
            let r = self.operand_temp(*a);
            self.body.locals[r.index()].ty = Ty::Ref(false, Box::new(cx.ty(*a).clone()));
            self.assign(
                &Place::local(r),
                Rvalue::Ref(BorrowKind::Shared, place),
                span,
            );
            ops.push(Operand::Move(Place::local(r), span));
        }
        ops
    }

    fn lower_call(&mut self, dest: &Place, e: ExprId, callee: ExprId, args: &[ExprId]) {
        let cx = self.cx;
        let span = cx.span(e);
        let diverges = matches!(cx.ty(e), Ty::Never);
        if let Some(&d) = cx.bt.expr_defs.get(&e)
            && !cx.bt.expr_locals.contains_key(&callee)
        {
            let def = cx.program.def(d);
            match &def.kind {
                DefKind::Variant { .. } | DefKind::Struct(_) => {
                    let field_tys: Vec<Ty> = match cx.ty(e) {
                        Ty::Adt(_, targs) => cx
                            .typed
                            .adts
                            .fields
                            .get(&d)
                            .map(|f| f.iter().map(|f| f.ty.subst(targs)).collect())
                            .unwrap_or_default(),
                        _ => Vec::new(),
                    };
                    let ops = args
                        .iter()
                        .enumerate()
                        .map(|(i, a)| match field_tys.get(i) {
                            Some(t) => self.operand_coerced(*a, t),
                            None => self.operand(*a),
                        })
                        .collect();
                    self.assign(dest, Rvalue::Aggregate(AggregateKind::Adt(d), ops), span);
                    return;
                }
                DefKind::Fn(_) => {
                    let ops = if def.has_attr("format") || def.has_attr("borrows_args") {
                        self.borrowed_args(args)
                    } else {
                        let params = cx
                            .typed
                            .sigs
                            .get(&d)
                            .map(|s| s.params.clone())
                            .unwrap_or_default();
                        let ops = args
                            .iter()
                            .enumerate()
                            .map(|(i, a)| match params.get(i) {
                                Some(t) => self.operand_coerced(*a, t),
                                None => self.operand(*a),
                            })
                            .collect();
                        for (i, a) in args.iter().enumerate() {
                            self.check_closure_arg(d, i, *a);
                        }
                        self.check_send_call(d, e, args);
                        ops
                    };
                    self.call(Callee::Def(d), ops, dest, diverges, span);
                    return;
                }
                _ => {}
            }
        }
        // A closure or function value. Calling a closure that changes its
        // captures borrows it uniquely; one that moves a capture out is
        // consumed (its operand is a move: such a closure is never Copy).
        let f = match self.closure_value_of(callee) {
            Some(c) if c.kind == ClosureKind::FnMut => {
                // The borrow is what the checker sees (the binding must be
                // `mut`, nothing else may borrow it across the call); the
                // call itself runs the closure in place, so that changes to
                // its by-value captures stay in it.
                let place = self.place(callee, false);
                let r = self.operand_temp(callee);
                let fty = self.body.local(r).ty.clone();
                self.body.locals[r.index()].ty = Ty::Ref(true, Box::new(fty));
                self.assign(
                    &Place::local(r),
                    Rvalue::Ref(BorrowKind::of(true), place.clone()),
                    cx.span(callee),
                );
                Operand::Copy(place, cx.span(callee))
            }
            // A call of an `Fn` closure only reads it, even one that
            // cannot be copied.
            Some(c) if c.kind == ClosureKind::Fn => {
                Operand::Copy(self.place(callee, false), cx.span(callee))
            }
            _ => self.operand(callee),
        };
        let params = match cx.ty(callee) {
            Ty::Fn(p, _) => p.clone(),
            _ => Vec::new(),
        };
        let ops = args
            .iter()
            .enumerate()
            .map(|(i, a)| match params.get(i) {
                Some(t) => self.operand_coerced(*a, t),
                None => self.operand(*a),
            })
            .collect();
        self.call(Callee::Value(f), ops, dest, diverges, span);
    }

    fn lower_method_call(&mut self, dest: &Place, e: ExprId, receiver: ExprId, args: &[ExprId]) {
        let cx = self.cx;
        let span = cx.span(e);
        let diverges = matches!(cx.ty(e), Ty::Never);
        if cx.bt.builtin_clone.contains(&e) {
            let mut place = self.place(receiver, false);
            let mut ty = cx.ty(receiver).clone();
            while let Ty::Ref(m, inner) = ty {
                place = place.project(Proj::Deref(DerefKind::of(m)));
                ty = *inner;
            }
            let r = self.operand_temp(receiver);
            self.body.locals[r.index()].ty = Ty::Ref(false, Box::new(ty));
            self.assign(
                &Place::local(r),
                Rvalue::Ref(BorrowKind::Shared, place),
                span,
            );
            self.call(
                Callee::Builtin(Builtin::Clone),
                vec![Operand::Move(Place::local(r), span)],
                dest,
                false,
                span,
            );
            return;
        }
        let Some(&m) = cx.bt.expr_defs.get(&e) else {
            let _ = self.operand(receiver);
            for a in args {
                let _ = self.operand(*a);
            }
            return;
        };
        let sig = cx.typed.sigs.get(&m);
        let self_kind = sig.and_then(|s| s.self_kind).unwrap_or(SelfKind::Value);
        let key = cx
            .program
            .def(m)
            .owner
            .and_then(|imp| cx.typed.impl_self.get(&imp))
            .and_then(|(_, t)| ty::type_res(t));
        let mutable = self_kind == SelfKind::RefMut;
        let mut place = self.place(receiver, mutable);
        let mut ty = cx.ty(receiver).clone();
        for _ in 0..8 {
            if ty::type_res(&ty).is_some() && ty::type_res(&ty) == key {
                break;
            }
            match ty {
                Ty::Ref(mm, inner) => {
                    place = place.project(Proj::Deref(DerefKind::of(mm)));
                    ty = *inner;
                }
                other => {
                    if let Some(next) = cx.deref_role(&other) {
                        place = self.overloaded_deref(place, &other, span);
                        ty = next;
                    } else {
                        ty = other;
                        break;
                    }
                }
            }
        }
        let recv = match self_kind {
            SelfKind::Value => {
                let rspan = cx.span(receiver);
                if cx.is_copy(&ty) {
                    Operand::Copy(place, rspan)
                } else {
                    Operand::Move(place, rspan)
                }
            }
            SelfKind::Ref | SelfKind::RefMut => {
                let r = self.operand_temp(receiver);
                self.body.locals[r.index()].ty = Ty::Ref(mutable, Box::new(ty));
                let kind = if mutable {
                    BorrowKind::Mut { two_phase: true }
                } else {
                    BorrowKind::Shared
                };
                self.assign(
                    &Place::local(r),
                    Rvalue::Ref(kind, place),
                    cx.span(receiver),
                );
                Operand::Move(Place::local(r), span)
            }
        };
        let mut ops = vec![recv];
        let params = sig.map(|s| s.params.clone()).unwrap_or_default();
        for (i, a) in args.iter().enumerate() {
            ops.push(match params.get(i + 1) {
                Some(t) => self.operand_coerced(*a, t),
                None => self.operand(*a),
            });
            self.check_closure_arg(m, i + 1, *a);
        }
        self.call(Callee::Def(m), ops, dest, diverges, span);
    }

    fn lower_struct(
        &mut self,
        dest: &Place,
        e: ExprId,
        fields: &[ast::FieldInit],
        base: Option<ExprId>,
    ) {
        let cx = self.cx;
        let span = cx.span(e);
        let Some(&d) = cx.bt.expr_defs.get(&e) else {
            return;
        };
        let targs = match cx.ty(e) {
            Ty::Adt(_, a) => a.clone(),
            _ => Vec::new(),
        };
        let infos = cx
            .typed
            .adts
            .fields
            .get(&d)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let mut ops: Vec<Option<Operand>> = vec![None; infos.len()];
        for f in fields {
            let i = infos.iter().position(|x| x.name == f.name.text);
            let expected = i.map_or(Ty::Error, |i| infos[i].ty.subst(&targs));
            let op = self.operand_coerced(f.value, &expected);
            if let Some(i) = i {
                ops[i] = Some(op);
            }
        }
        if let Some(b) = base {
            let bp = self.place(b, false);
            for (i, slot) in ops.iter_mut().enumerate() {
                if slot.is_none() {
                    let fp = bp.project(Proj::Field(i as u32));
                    let fty = infos[i].ty.subst(&targs);
                    *slot = Some(if cx.is_copy(&fty) {
                        Operand::Copy(fp, span)
                    } else {
                        Operand::Move(fp, span)
                    });
                }
            }
        }
        let ops = ops
            .into_iter()
            .map(|o| o.unwrap_or(Operand::Const(Const::Unit)))
            .collect();
        self.assign(dest, Rvalue::Aggregate(AggregateKind::Adt(d), ops), span);
    }

    fn lower_for(
        &mut self,
        dest: &Place,
        label: Option<String>,
        pat: PatId,
        iterable: ExprId,
        body: ExprId,
        span: Span,
    ) {
        let cx = self.cx;
        self.push_scope_at(span.shrink_to_hi());
        let it_ty = cx.ty(iterable).clone();
        let it = self.temp(it_ty.clone(), cx.span(iterable), TempKind::Iter);
        let v = self.operand(iterable);
        self.call(
            Callee::Builtin(Builtin::IntoIter),
            vec![v],
            &Place::local(it),
            false,
            cx.span(iterable),
        );
        let header = self.new_block();
        let exit = self.new_block();
        self.goto(header, span);
        self.cur = header;
        let item_ty = cx.bt.pat_types[pat.index()].clone();
        let opt_ty = match cx.option {
            Some(o) => Ty::Adt(o, vec![item_ty.clone()]),
            None => Ty::Error,
        };
        let depth = self.scopes.len();
        self.push_scope_at(cx.span(body).shrink_to_hi());
        let next = self.temp(opt_ty, cx.span(iterable), TempKind::Plain);
        let r = self.temp(
            Ty::Ref(true, Box::new(it_ty)),
            cx.span(iterable),
            TempKind::Plain,
        );
        self.assign(
            &Place::local(r),
            Rvalue::Ref(BorrowKind::Mut { two_phase: false }, Place::local(it)),
            cx.span(iterable),
        );
        self.call(
            Callee::Builtin(Builtin::IterNext),
            vec![Operand::Move(Place::local(r), span)],
            &Place::local(next),
            false,
            cx.span(iterable),
        );
        let some = cx.variant(cx.option, "Some");
        let discr = self.scratch(Ty::Int, span);
        self.assign(
            &Place::local(discr),
            Rvalue::Discriminant(Place::local(next)),
            span,
        );
        let body_block = self.new_block();
        let done = self.new_block();
        self.body.blocks[self.cur.index()].terminator = Terminator {
            kind: TerminatorKind::SwitchInt {
                discr: Operand::Copy(Place::local(discr), span),
                targets: vec![(some.map_or(1, |s| cx.variant_index(s)), body_block)],
                otherwise: done,
            },
            span,
        };
        let done_end = self.exits_on(done, depth, span);
        let saved = self.cur;
        self.cur = done_end;
        self.goto(exit, span);
        self.cur = saved;
        self.cur = body_block;
        self.loops.push(LoopScope {
            label,
            break_block: exit,
            continue_block: header,
            dest: None,
            depth,
        });
        if let Some(s) = some {
            let item = Place::local(next)
                .project(Proj::Downcast(s))
                .project(Proj::Field(0));
            self.declare_bindings(pat);
            self.bind_pattern(pat, &item, &item_ty, false);
        }
        self.statement_expr(body);
        self.pop_scope();
        self.goto(header, span);
        self.loops.pop();
        self.cur = exit;
        self.pop_scope();
        self.assign(dest, Rvalue::Use(Operand::Const(Const::Unit)), span);
    }

    fn lower_match(&mut self, dest: &Place, scrutinee: ExprId, arms: &[ast::MatchArm], span: Span) {
        let cx = self.cx;
        let sty = cx.ty(scrutinee).clone();
        let place = self.place(scrutinee, false);
        self.push_stmt(StatementKind::FakeRead(place.clone()), cx.span(scrutinee));
        let join = self.new_block();
        // Variants that earlier arms match whatever their fields hold: once
        // all but one are excluded, that one needs no discriminant test (as
        // rustc's decision tree tests an `Option` once, not per arm).
        let mut excluded: Vec<DefId> = Vec::new();
        for arm in arms {
            if arm.guard.is_none()
                && let Some((variant, parent)) = self.variant_of_pat(arm.pat)
            {
                let others_taken = self
                    .cx
                    .program
                    .variants(parent)
                    .iter()
                    .all(|v| *v == variant || excluded.contains(v));
                if others_taken {
                    self.known_variant = Some(arm.pat);
                }
                if self.takes_every_field(arm.pat) {
                    excluded.push(variant);
                }
            }
            let arm_body = self.new_block();
            self.push_scope_at(Span::new(arm.span.end.saturating_sub(1), arm.span.end));
            let depth = self.scopes.len() - 1;
            self.declare_bindings(arm.pat);
            let alts: Vec<PatId> = match &cx.ast.pat(arm.pat).kind {
                PatKind::Or(alts) => alts.clone(),
                _ => vec![arm.pat],
            };
            for alt in alts {
                let fail = self.new_block();
                self.test_pattern(alt, &place, &sty, fail);
                self.known_variant = None;
                if let Some(guard) = arm.guard {
                    // The guard sees the bindings as reads; they are bound
                    // for real (moved) only once it holds.
                    let saved = self.bind_for_guard(alt, &place, &sty);
                    let guard_fail = self.new_block();
                    self.condition(guard, guard_fail);
                    for (id, l) in saved {
                        self.local_map.insert(id, l);
                    }
                    let after = self.cur;
                    self.cur = guard_fail;
                    self.goto(fail, span);
                    self.cur = after;
                }
                self.bind_pattern(alt, &place, &sty, false);
                self.goto(arm_body, arm.span);
                self.cur = fail;
            }
            // The last failure continues with the next arm, outside this
            // arm's scope.
            let fail = self.cur;
            let next = self.exits_on(fail, depth, span);
            self.cur = arm_body;
            self.expr_into(dest, arm.body);
            self.pop_scope();
            self.goto(join, arm.span);
            self.cur = next;
        }
        self.terminate(TerminatorKind::Unreachable, span);
        self.cur = join;
    }

    /// Binds the arm's variables as guard temporaries (copies or borrows
    /// of the scrutinee) and points the variables at them; returns the
    /// real locals to restore.
    fn bind_for_guard(&mut self, pat: PatId, place: &Place, ty: &Ty) -> Vec<(LocalId, Local)> {
        let mut ids = Vec::new();
        self.collect_bindings(pat, &mut ids);
        let mut saved = Vec::new();
        for (pid, id) in &ids {
            let Some(&real) = self.local_map.get(id) else {
                continue;
            };
            let decl = self.body.local(real).clone();
            let g = self.push_local(
                decl.ty.clone(),
                false,
                LocalKind::Temp(TempKind::GuardBinding),
                self.cx.ast.pat(*pid).span,
            );
            self.body.locals[g.index()].kind = LocalKind::Temp(TempKind::GuardBinding);
            self.local_map.insert(*id, g);
            saved.push((*id, real));
        }
        self.bind_pattern(pat, place, ty, true);
        saved
    }

    /// Match ergonomics: a non-binding pattern against a reference matches
    /// the referent.
    fn adjust(&self, pat: PatId, place: &Place, ty: &Ty) -> (Place, Ty) {
        let want = &self.cx.bt.pat_types[pat.index()];
        let mut place = place.clone();
        let mut ty = ty.clone();
        while let Ty::Ref(m, inner) = &ty {
            if want == &ty || want.is_error() {
                break;
            }
            place = place.project(Proj::Deref(DerefKind::of(*m)));
            ty = (**inner).clone();
        }
        (place, ty)
    }

    fn sub_places(&self, pat: PatId, place: &Place, ty: &Ty) -> Vec<(PatId, Place, Ty)> {
        let cx = self.cx;
        let mut out = Vec::new();
        let field_tys = |def: DefId, args: &[Ty]| -> Vec<Ty> {
            cx.typed
                .adts
                .fields
                .get(&def)
                .map(|f| f.iter().map(|f| f.ty.subst(args)).collect())
                .unwrap_or_default()
        };
        let args: Vec<Ty> = match ty {
            Ty::Adt(_, a) => a.clone(),
            _ => Vec::new(),
        };
        match &cx.ast.pat(pat).kind {
            PatKind::Tuple(items) => {
                let tys = match ty {
                    Ty::Tuple(t) => t.clone(),
                    _ => Vec::new(),
                };
                positional(items, tys.len(), cx.ast, |p, i| {
                    out.push((
                        p,
                        place.project(Proj::Field(i as u32)),
                        tys.get(i).cloned().unwrap_or(Ty::Error),
                    ));
                });
            }
            PatKind::TupleStruct { elems, .. } => {
                let Some(&d) = cx.bt.pat_defs.get(&pat) else {
                    return out;
                };
                let base = variant_base(cx, place, d);
                let tys = field_tys(d, &args);
                positional(elems, tys.len(), cx.ast, |p, i| {
                    out.push((
                        p,
                        base.project(Proj::Field(i as u32)),
                        tys.get(i).cloned().unwrap_or(Ty::Error),
                    ));
                });
            }
            PatKind::Struct { fields, .. } => {
                let Some(&d) = cx.bt.pat_defs.get(&pat) else {
                    return out;
                };
                let base = variant_base(cx, place, d);
                let infos = cx
                    .typed
                    .adts
                    .fields
                    .get(&d)
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                for f in fields {
                    if let Some(i) = infos.iter().position(|x| x.name == f.name.text) {
                        out.push((
                            f.pat,
                            base.project(Proj::Field(i as u32)),
                            infos[i].ty.subst(&args),
                        ));
                    }
                }
            }
            PatKind::Slice(items) => {
                let elem = match ty {
                    Ty::Array(t, _) => (**t).clone(),
                    _ => super::project_ty(
                        cx.program,
                        cx.typed,
                        ty,
                        &Proj::ConstIndex {
                            offset: 0,
                            from_end: false,
                        },
                        &mut None,
                    ),
                };
                let rest = items.iter().position(|p| is_rest(cx.ast, *p));
                for (i, p) in items.iter().enumerate() {
                    if Some(i) == rest {
                        continue;
                    }
                    let proj = match rest {
                        Some(r) if i > r => Proj::ConstIndex {
                            offset: (items.len() - i) as u32,
                            from_end: true,
                        },
                        _ => Proj::ConstIndex {
                            offset: i as u32,
                            from_end: false,
                        },
                    };
                    out.push((*p, place.project(proj), elem.clone()));
                }
            }
            PatKind::Ref { inner, mutable } => {
                let inner_ty = match ty {
                    Ty::Ref(_, t) => (**t).clone(),
                    _ => Ty::Error,
                };
                let k = DerefKind::of(*mutable);
                out.push((*inner, place.project(Proj::Deref(k)), inner_ty));
            }
            PatKind::Ident { sub: Some(s), .. } => out.push((*s, place.clone(), ty.clone())),
            _ => {}
        }
        out
    }

    /// Emits the tests of a refutable pattern: continues in the current
    /// block when the value matches, jumps to `fail` otherwise.
    fn test_pattern(&mut self, pat: PatId, place: &Place, ty: &Ty, fail: BlockId) {
        let cx = self.cx;
        let (place, ty) = self.adjust(pat, place, ty);
        let span = cx.ast.pat(pat).span;
        match &cx.ast.pat(pat).kind {
            PatKind::Or(alts) => {
                let ok = self.new_block();
                for (i, alt) in alts.iter().enumerate() {
                    let next = if i + 1 == alts.len() {
                        fail
                    } else {
                        self.new_block()
                    };
                    self.test_pattern(*alt, &place, &ty, next);
                    self.goto(ok, span);
                    self.cur = next;
                }
                self.cur = ok;
                return;
            }
            PatKind::Literal { lit, negative } => {
                let c = literal_const(lit, *negative);
                self.test_eq(&place, Operand::Const(c), fail, span);
                return;
            }
            PatKind::Range {
                start,
                end,
                inclusive,
            } => {
                for (bound, op) in [
                    (start, BinaryOp::Ge),
                    (
                        end,
                        if *inclusive {
                            BinaryOp::Le
                        } else {
                            BinaryOp::Lt
                        },
                    ),
                ] {
                    let Some(b) = bound else { continue };
                    if let PatKind::Literal { lit, negative } = &cx.ast.pat(*b).kind {
                        let c = self.test_temp(Ty::Bool, span);
                        self.assign(
                            &Place::local(c),
                            Rvalue::Binary(
                                op,
                                Operand::Copy(place.clone(), span),
                                Operand::Const(literal_const(lit, *negative)),
                            ),
                            span,
                        );
                        self.switch_bool(Operand::Copy(Place::local(c), span), fail, span);
                    }
                }
                return;
            }
            PatKind::Path(_)
            | PatKind::Ident { .. }
            | PatKind::TupleStruct { .. }
            | PatKind::Struct { .. } => {
                if let Some(&d) = cx.bt.pat_defs.get(&pat) {
                    match cx.program.def(d).kind {
                        DefKind::Variant { .. } if self.known_variant == Some(pat) => {}
                        DefKind::Variant { .. } => {
                            let discr = self.test_temp(Ty::Int, span);
                            self.assign(
                                &Place::local(discr),
                                Rvalue::Discriminant(place.clone()),
                                span,
                            );
                            let next = self.new_block();
                            self.body.blocks[self.cur.index()].terminator = Terminator {
                                kind: TerminatorKind::SwitchInt {
                                    discr: Operand::Copy(Place::local(discr), span),
                                    targets: vec![(cx.variant_index(d), next)],
                                    otherwise: fail,
                                },
                                span,
                            };
                            self.cur = next;
                        }
                        DefKind::Const(_) => {
                            self.test_eq(&place, Operand::Const(Const::Item(d)), fail, span);
                        }
                        _ => {}
                    }
                }
            }
            PatKind::Slice(items) => {
                let has_rest = items.iter().any(|p| is_rest(cx.ast, *p));
                if !matches!(ty, Ty::Array(..)) {
                    let len = self.test_temp(Ty::Int, span);
                    self.assign(&Place::local(len), Rvalue::Len(place.clone()), span);
                    let n = items.len() as i64 - i64::from(has_rest);
                    let c = self.test_temp(Ty::Bool, span);
                    let op = if has_rest { BinaryOp::Ge } else { BinaryOp::Eq };
                    self.assign(
                        &Place::local(c),
                        Rvalue::Binary(
                            op,
                            Operand::Copy(Place::local(len), span),
                            Operand::Const(Const::Int(n)),
                        ),
                        span,
                    );
                    self.switch_bool(Operand::Copy(Place::local(c), span), fail, span);
                }
            }
            _ => {}
        }
        for (p, sub, sty) in self.sub_places(pat, &place, &ty) {
            self.test_pattern(p, &sub, &sty, fail);
        }
    }

    /// The variant (and its enum) a pattern names at its top, if it does.
    fn variant_of_pat(&self, pat: PatId) -> Option<(DefId, DefId)> {
        let d = *self.cx.bt.pat_defs.get(&pat)?;
        match self.cx.program.def(d).kind {
            DefKind::Variant { parent, .. } => Some((d, parent)),
            _ => None,
        }
    }

    /// Whether a variant pattern matches whatever its fields hold: its
    /// field patterns are all bindings or wildcards.
    fn takes_every_field(&self, pat: PatId) -> bool {
        let ast = self.cx.ast;
        let catches_all = |p: PatId| match &ast.pat(p).kind {
            PatKind::Wild | PatKind::Rest => true,
            PatKind::Ident { sub: None, .. } => !self.cx.bt.pat_defs.contains_key(&p),
            _ => false,
        };
        match &ast.pat(pat).kind {
            PatKind::Path(_) | PatKind::Ident { sub: None, .. } => true,
            PatKind::TupleStruct { elems, .. } => elems.iter().all(|p| catches_all(*p)),
            _ => false,
        }
    }

    /// The body's temporary for pattern tests of type `ty` (see
    /// `test_temps`): written, then read by the same block's terminator.
    fn test_temp(&mut self, ty: Ty, span: Span) -> Local {
        if let Some((_, l)) = self.test_temps.iter().find(|(t, _)| *t == ty) {
            return *l;
        }
        let l = self.scratch(ty.clone(), span);
        self.test_temps.push((ty, l));
        l
    }

    fn test_eq(&mut self, place: &Place, value: Operand, fail: BlockId, span: Span) {
        let c = self.test_temp(Ty::Bool, span);
        self.assign(
            &Place::local(c),
            Rvalue::Binary(BinaryOp::Eq, Operand::Copy(place.clone(), span), value),
            span,
        );
        self.switch_bool(Operand::Copy(Place::local(c), span), fail, span);
    }

    fn bind_irrefutable(&mut self, pat: PatId, place: &Place, ty: &Ty) {
        self.bind_pattern(pat, place, ty, false);
    }

    /// Assigns every binding of the pattern from its part of `place`: by
    /// value (copy or move) or by reference, as the pattern's binding mode
    /// says. In `guard` mode a by-value binding is only read.
    fn bind_pattern(&mut self, pat: PatId, place: &Place, ty: &Ty, guard: bool) {
        let cx = self.cx;
        let (place, ty) = self.adjust(pat, place, ty);
        let span = cx.ast.pat(pat).span;
        match &cx.ast.pat(pat).kind {
            PatKind::Or(alts) => {
                if let Some(first) = alts.first() {
                    self.bind_pattern(*first, &place, &ty, guard);
                }
                return;
            }
            PatKind::Ident {
                by_ref, ref_mut, ..
            } => {
                if let Some(&id) = cx.bt.pat_locals.get(&pat) {
                    let l = match self.local_map.get(&id) {
                        Some(&l) => l,
                        None => self.user_local(id, span),
                    };
                    let lty = self.body.local(l).ty.clone();
                    let by_ref_mode = if *by_ref {
                        Some(*ref_mut)
                    } else if lty != ty {
                        match &lty {
                            Ty::Ref(m, _) => Some(*m),
                            _ => None,
                        }
                    } else {
                        None
                    };
                    let rv = match by_ref_mode {
                        Some(m) => Rvalue::Ref(BorrowKind::of(m), place.clone()),
                        None if guard || cx.is_copy(&ty) => {
                            Rvalue::Use(Operand::Copy(place.clone(), span))
                        }
                        None => Rvalue::Use(Operand::Move(place.clone(), span)),
                    };
                    self.assign(&Place::local(l), rv, span);
                }
            }
            _ => {}
        }
        for (p, sub, sty) in self.sub_places(pat, &place, &ty) {
            self.bind_pattern(p, &sub, &sty, guard);
        }
    }

    fn lower_closure(&mut self, dest: &Place, e: ExprId) {
        let cx = self.cx;
        let span = cx.span(e);
        let ExprKind::Closure {
            is_move,
            params,
            body,
            ..
        } = &cx.ast.expr(e).kind
        else {
            return;
        };
        let (ptys, ret) = match cx.ty(e) {
            Ty::Fn(p, r) => (p.clone(), (**r).clone()),
            _ => (vec![Ty::Error; params.len()], Ty::Error),
        };
        let idx = self.closures.len() as u32;
        self.closures.push(Body {
            locals: Vec::new(),
            blocks: Vec::new(),
            arg_count: 0,
            captures: Vec::new(),
            parent: None,
            is_closure: true,
            span,
            closure_exprs: Vec::new(),
            kind_errors: Vec::new(),
            send_errors: Vec::new(),
            spawns: Vec::new(),
        });
        let parent = self.self_index;
        let (mut cbody, outer) = {
            let closures: &mut Vec<Body> = self.closures;
            let mut child = Builder::new(cx, closures, Some(idx), true, span);
            child.push_local(ret, false, LocalKind::Return, span);
            let mut arg_pats = Vec::new();
            for (p, t) in params.iter().zip(ptys) {
                let l = child.bind_arg(p.pat, t, cx.ast.pat(p.pat).span);
                arg_pats.push((p.pat, l));
            }
            child.body.arg_count = params.len() as u32;
            child.push_scope_at(Span::new(span.end.saturating_sub(1), span.end));
            child.schedule_args();
            for (pat, l) in arg_pats {
                if child.body.local(l).kind == LocalKind::Arg {
                    let ty = child.body.local(l).ty.clone();
                    child.declare_bindings(pat);
                    child.bind_irrefutable(pat, &Place::local(l), &ty);
                }
            }
            child.expr_into(&Place::local(Local::RETURN), *body);
            child.pop_scope();
            child.terminate(TerminatorKind::Return, span.shrink_to_hi());
            let outer = std::mem::take(&mut child.outer);
            (child.finish(), outer)
        };
        let non_copy_closures: HashSet<Local> = {
            let vars = cx.closure_vars.borrow();
            outer
                .iter()
                .filter(|(id, _)| vars.get(id).is_some_and(|c| !c.copy))
                .map(|(_, l)| *l)
                .collect()
        };
        let caps = super::capture::analyze(
            cx.program,
            cx.typed,
            &mut cbody,
            &outer,
            *is_move,
            &non_copy_closures,
        );
        let mut ops = Vec::new();
        for c in caps {
            let root = self.user_local(c.source, span);
            let place = Place {
                local: root,
                proj: c.proj.clone(),
            };
            let pty = super::place_ty(cx.program, cx.typed, &self.body, &place);
            let op = match c.kind {
                CaptureKind::Value => {
                    if cx.is_copy(&pty) {
                        Operand::Copy(place.clone(), span)
                    } else {
                        Operand::Move(place.clone(), span)
                    }
                }
                CaptureKind::Ref | CaptureKind::MutRef => {
                    let m = c.kind == CaptureKind::MutRef;
                    let r = self.operand_temp(e);
                    if c.for_store {
                        self.body.locals[r.index()].kind =
                            LocalKind::Temp(TempKind::CaptureForStore);
                    }
                    self.body.locals[r.index()].ty = Ty::Ref(m, Box::new(pty));
                    let kind = BorrowKind::of(m);
                    self.assign(
                        &Place::local(r),
                        Rvalue::Ref(kind, place.clone()),
                        c.use_span,
                    );
                    Operand::Move(Place::local(r), span)
                }
            };
            ops.push(op);
            cbody.captures.push(Capture {
                place,
                kind: c.kind,
                local: c.local,
                use_span: c.use_span,
                name: c.name,
            });
        }
        cbody.parent = parent;
        self.closures[idx as usize] = cbody;
        self.body.closure_exprs.push((e, idx));
        self.assign(
            dest,
            Rvalue::Aggregate(AggregateKind::Closure(idx), ops),
            span,
        );
    }
}

/// A place viewed as `d`'s fields: downcast when `d` is an enum variant.
fn variant_base(cx: &Cx<'_>, place: &Place, d: DefId) -> Place {
    if matches!(cx.program.def(d).kind, DefKind::Variant { .. }) {
        place.project(Proj::Downcast(d))
    } else {
        place.clone()
    }
}

fn literal_const(lit: &Literal, negative: bool) -> Const {
    match lit {
        Literal::Int(n) => {
            let v = *n as i64;
            Const::Int(if negative { v.wrapping_neg() } else { v })
        }
        Literal::Float(f) => Const::Float(if negative { -f } else { *f }),
        Literal::Bool(b) => Const::Bool(*b),
        Literal::Char(c) => Const::Char(*c),
        Literal::Str(s) => Const::Str(s.clone()),
    }
}

fn is_rest(ast: &ast::Body, p: PatId) -> bool {
    matches!(ast.pat(p).kind, PatKind::Rest)
}

/// Calls `f(pattern, position)` for the elements of a tuple-like pattern
/// with an optional `..` among `arity` positions.
fn positional(items: &[PatId], arity: usize, ast: &ast::Body, mut f: impl FnMut(PatId, usize)) {
    let rest = items.iter().position(|p| is_rest(ast, *p));
    for (i, p) in items.iter().enumerate() {
        match rest {
            Some(r) if i == r => {}
            Some(r) if i > r => f(*p, arity.saturating_sub(items.len() - i)),
            _ => f(*p, i),
        }
    }
}

/// Whether a value of type `actual` fits `pattern`, a parameter type of a
/// signature that may still mention type parameters (`Gc<T>` fits
/// `Gc<Node>`): where deref coercion stops.
fn fits(pattern: &Ty, actual: &Ty) -> bool {
    match (pattern, actual) {
        (Ty::Param(..), _) => true,
        (Ty::Ref(m1, a), Ty::Ref(m2, b)) => m1 == m2 && fits(a, b),
        (Ty::Adt(d1, a1), Ty::Adt(d2, a2)) => {
            d1 == d2 && a1.len() == a2.len() && a1.iter().zip(a2).all(|(x, y)| fits(x, y))
        }
        (Ty::Tuple(a1), Ty::Tuple(a2)) => {
            a1.len() == a2.len() && a1.iter().zip(a2).all(|(x, y)| fits(x, y))
        }
        (Ty::Array(a, n1), Ty::Array(b, n2)) => n1 == n2 && fits(a, b),
        _ => pattern == actual,
    }
}

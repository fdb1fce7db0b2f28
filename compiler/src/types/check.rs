//! Checking one body (a function or a constant): local type inference by
//! unification, with expected types pushed down where Rust pushes them
//! (coercion sites: `let` with a type, arguments, fields, returns). Also the
//! body-level lints: unused variables, unused `mut`, unreachable code; and
//! after inference, match exhaustiveness and refutable `let` patterns.

mod suggest;

use super::exhaustive::{Ctor, DPat, Matcher};
use super::format;
use super::ty::{self, Ty};
use super::{FnSig, SelfKind, TyScope, TypedProgram};
use crate::FxHashMap as HashMap;
use crate::diagnostics::{Code, Diagnostic, FileId, FileSpan, Span, codes};
use crate::resolve::{DefId, DefKind, ModuleId, Ns, Program, TypeRes, ValueRes};
use crate::syntax::ast::{
    BinaryOp, Block, Body, Condition, ExprId, ExprKind, FieldName, Fields, GenericArg, Literal,
    PatId, PatKind, Path, Stmt, UnaryOp,
};
use std::cell::Cell;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LocalId(pub u32);

/// A local variable (or parameter) of a body.
#[allow(clippy::struct_excessive_bools)]
#[derive(Debug, Clone)]
pub struct Local {
    pub name: String,
    pub ty: Ty,
    pub mutable: bool,
    pub pat: Option<PatId>,
    pub span: Span,
    /// Span of the `mut ` keyword, for the unused-`mut` fix.
    pub mut_span: Option<Span>,
    pub used: bool,
    pub mutated: bool,
    pub initialised_at_decl: bool,
}

/// What checking a body found: a type per expression and pattern, the
/// locals, and what each path and method call resolved to.
#[derive(Debug, Default, Clone)]
pub struct BodyTypes {
    pub expr_types: Vec<Ty>,
    pub pat_types: Vec<Ty>,
    pub locals: Vec<Local>,
    pub pat_locals: HashMap<PatId, LocalId>,
    pub expr_locals: HashMap<ExprId, LocalId>,
    /// Paths, calls of methods and struct literals: the item they name.
    pub expr_defs: HashMap<ExprId, DefId>,
    /// Patterns naming a variant, struct or constant.
    pub pat_defs: HashMap<PatId, DefId>,
    /// `x.clone()` resolved to the built-in clone.
    pub builtin_clone: Vec<ExprId>,
}

impl BodyTypes {
    pub fn expr_ty(&self, id: ExprId) -> &Ty {
        &self.expr_types[id.index()]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LoopKind {
    Loop,
    While,
    For,
}

struct LoopCtx {
    label: Option<String>,
    kind: LoopKind,
    break_ty: Ty,
    has_break: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BindMode {
    Move,
    Ref(bool),
}

/// Language items: std types the language itself refers to.
struct Lang {
    option: Option<DefId>,
    result: Option<DefId>,
    range: Option<DefId>,
    error: Option<DefId>,
    panic: Option<DefId>,
}

struct Checker<'a> {
    program: &'a Program,
    typed: &'a TypedProgram,
    owner: DefId,
    body: &'a Body,
    file: FileId,
    module: ModuleId,
    generics: Vec<Arc<str>>,
    lifetimes: Vec<String>,
    self_ty: Option<Ty>,
    fresh: Cell<u32>,
    subst: Vec<Option<Ty>>,
    out: BodyTypes,
    scopes: Vec<Vec<(String, LocalId)>>,
    returns: Vec<Ty>,
    loops: Vec<LoopCtx>,
    matches: Vec<ExprId>,
    lets: Vec<(PatId, Span)>,
    or_bindings: Option<HashMap<String, LocalId>>,
    lang: Lang,
    diags: Vec<Diagnostic>,
    /// Set while inferring an assignment target: reading it is not a use.
    assign_target: bool,
    /// Arithmetic on operands whose type was not known yet (`|x| x * x`
    /// before the call that says `x: int`): checked again once the body
    /// is inferred, as rustc keeps the operator's obligation pending.
    deferred_ops: Vec<(BinaryOp, Ty, Ty, Span)>,
}

pub fn check_body(
    program: &Program,
    typed: &TypedProgram,
    owner: DefId,
    diags: &mut Vec<Diagnostic>,
) -> BodyTypes {
    let def = program.def(owner);
    let (body, sig) = match &def.kind {
        DefKind::Fn(f) => (&f.body, typed.sigs.get(&owner)),
        DefKind::Const(c) => (&c.body, None),
        _ => return BodyTypes::default(),
    };
    let lang_of = |name: &str| program.lang_item(name);
    let (generics, self_ty, lifetimes) = match (&def.kind, def.owner) {
        (DefKind::Fn(f), Some(imp)) => {
            let mut l: Vec<String> = program.impls[imp.0 as usize]
                .generics
                .lifetimes()
                .map(|p| p.name.text.clone())
                .collect();
            l.extend(f.generics.lifetimes().map(|p| p.name.text.clone()));
            (
                sig.map(|s| s.generics.clone()).unwrap_or_default(),
                typed.impl_self.get(&imp).map(|(_, t)| t.clone()),
                l,
            )
        }
        (DefKind::Fn(f), None) => (
            sig.map(|s| s.generics.clone()).unwrap_or_default(),
            None,
            f.generics
                .lifetimes()
                .map(|p| p.name.text.clone())
                .collect(),
        ),
        _ => (Vec::new(), None, Vec::new()),
    };
    let mut c = Checker {
        program,
        typed,
        owner,
        body,
        file: def.file,
        module: def.module,
        generics,
        lifetimes,
        self_ty,
        fresh: Cell::new(0),
        subst: Vec::new(),
        out: BodyTypes {
            expr_types: vec![Ty::Error; body.exprs.len()],
            pat_types: vec![Ty::Error; body.pats.len()],
            ..BodyTypes::default()
        },
        scopes: vec![Vec::new()],
        returns: Vec::new(),
        loops: Vec::new(),
        matches: Vec::new(),
        lets: Vec::new(),
        or_bindings: None,
        lang: Lang {
            option: lang_of("Option"),
            result: lang_of("Result"),
            range: lang_of("Range"),
            error: lang_of("Error"),
            panic: lang_of("Panic"),
        },
        diags: Vec::new(),
        assign_target: false,
        deferred_ops: Vec::new(),
    };
    match &def.kind {
        DefKind::Fn(f) => {
            let Some(sig) = sig else { return c.out };
            let mut params = sig.params.iter();
            if let (Some(sp), Some(_)) = (&f.self_param, sig.self_kind) {
                let t = params.next().cloned().unwrap_or(Ty::Error);
                let id = c.declare("self", t, false, None, sp.span, None, true);
                c.out.locals[id.0 as usize].used = true;
            }
            for (p, t) in body.params.iter().zip(params) {
                c.check_pat(p.pat, t, BindMode::Move, true);
            }
            c.returns.push(sig.ret.clone());
            if let Some(root) = body.root
                && !def.has_attr("native")
            {
                c.check_coerce(root, &sig.ret);
            }
        }
        DefKind::Const(_) => {
            let t = typed.const_types.get(&owner).cloned().unwrap_or(Ty::Error);
            c.returns.push(t.clone());
            if let Some(root) = body.root {
                c.check_coerce(root, &t);
            }
        }
        _ => {}
    }
    c.finish();
    diags.append(&mut c.diags);
    c.out
}

impl Checker<'_> {
    // -------------------------------------------------------------------
    // Inference variables

    fn fresh_var(&self) -> Ty {
        super::fresh_var(&self.fresh)
    }

    fn shallow(&self, ty: &Ty) -> Ty {
        self.resolved(ty).clone()
    }

    /// `ty` with inference variables at its top followed, without copying
    /// (a copy per level made `deep` quadratic in a type's depth).
    fn resolved<'a>(&'a self, ty: &'a Ty) -> &'a Ty {
        let mut t = ty;
        while let Ty::Var(v) = t {
            match self.subst.get(*v as usize) {
                Some(Some(next)) => t = next,
                _ => break,
            }
        }
        t
    }

    fn deep(&self, ty: &Ty) -> Ty {
        match self.resolved(ty) {
            Ty::Tuple(items) => Ty::Tuple(items.iter().map(|t| self.deep(t)).collect()),
            Ty::Array(t, n) => Ty::Array(Box::new(self.deep(t)), *n),
            Ty::Ref(m, t) => Ty::Ref(*m, Box::new(self.deep(t))),
            Ty::Fn(p, r) => Ty::Fn(
                p.iter().map(|t| self.deep(t)).collect(),
                Box::new(self.deep(r)),
            ),
            Ty::Adt(d, args) => Ty::Adt(*d, args.iter().map(|t| self.deep(t)).collect()),
            other => other.clone(),
        }
    }

    fn bind_var(&mut self, v: u32, ty: Ty) {
        let i = v as usize;
        if self.subst.len() <= i {
            self.subst.resize(i + 1, None);
        }
        self.subst[i] = Some(ty);
    }

    fn occurs(&self, v: u32, ty: &Ty) -> bool {
        let t = self.deep(ty);
        let mut found = false;
        t.walk(&mut |x| found |= *x == Ty::Var(v));
        found
    }

    #[allow(clippy::many_single_char_names)]
    fn unify(&mut self, a: &Ty, b: &Ty) -> bool {
        let a = self.shallow(a);
        let b = self.shallow(b);
        match (&a, &b) {
            // A variable that meets an already-reported error takes it on:
            // left open, it would be reported again as "type annotations
            // needed" (`[[…]]` cut off at the nesting limit).
            (Ty::Var(x), Ty::Error) | (Ty::Error, Ty::Var(x)) => {
                self.bind_var(*x, Ty::Error);
                true
            }
            (Ty::Error, _) | (_, Ty::Error) => true,
            (Ty::Var(x), Ty::Var(y)) if x == y => true,
            (Ty::Var(x), t) | (t, Ty::Var(x)) => {
                if self.occurs(*x, t) {
                    return false;
                }
                self.bind_var(*x, t.clone());
                true
            }
            (Ty::Tuple(p), Ty::Tuple(q)) | (Ty::Adt(_, p), Ty::Adt(_, q)) => {
                if let (Ty::Adt(d, _), Ty::Adt(e, _)) = (&a, &b)
                    && d != e
                {
                    return false;
                }
                p.len() == q.len() && p.iter().zip(q.iter()).all(|(x, y)| self.unify(x, y))
            }
            (Ty::Array(x, n), Ty::Array(y, m)) => n == m && self.unify(x, y),
            (Ty::Ref(m1, x), Ty::Ref(m2, y)) => m1 == m2 && self.unify(x, y),
            (Ty::Fn(p, r), Ty::Fn(q, s)) => {
                p.len() == q.len()
                    && p.iter().zip(q.iter()).all(|(x, y)| self.unify(x, y))
                    && self.unify(r, s)
            }
            (Ty::Param(i, _), Ty::Param(j, _)) => i == j,
            _ => a == b,
        }
    }

    /// Unifies, undoing every binding if it fails.
    fn try_unify(&mut self, a: &Ty, b: &Ty) -> bool {
        let snapshot = self.subst.clone();
        if self.unify(a, b) {
            true
        } else {
            self.subst = snapshot;
            false
        }
    }

    fn show(&self, ty: &Ty) -> String {
        ty::display(self.program, &self.deep(ty))
    }

    // -------------------------------------------------------------------
    // Diagnostics helpers

    fn fs(&self, span: Span) -> FileSpan {
        FileSpan::new(self.file, span)
    }

    fn error(&mut self, code: Code, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        let d = Diagnostic::error(code, self.fs(span), message);
        self.diags.push(d);
        let last = self.diags.len() - 1;
        &mut self.diags[last]
    }

    fn mismatch(&mut self, span: Span, expected: &Ty, found: &Ty) {
        let (e, f) = (self.deep(expected), self.deep(found));
        if e.references_error() || f.references_error() {
            return;
        }
        let (es, fs) = (self.show(&e), self.show(&f));
        let d = self.error(codes::MISMATCHED_TYPES, span, "mismatched types");
        d.label = format!("expected `{es}`, found `{fs}`");
    }

    fn span_of(&self, e: ExprId) -> Span {
        self.body.expr(e).span
    }

    // -------------------------------------------------------------------
    // Locals

    #[allow(clippy::too_many_arguments)]
    fn declare(
        &mut self,
        name: &str,
        ty: Ty,
        mutable: bool,
        pat: Option<PatId>,
        span: Span,
        mut_span: Option<Span>,
        init: bool,
    ) -> LocalId {
        if let Some(map) = &self.or_bindings
            && let Some(id) = map.get(name)
        {
            return *id;
        }
        let id = LocalId(u32::try_from(self.out.locals.len()).unwrap_or(u32::MAX));
        self.out.locals.push(Local {
            name: name.to_string(),
            ty,
            mutable,
            pat,
            span,
            mut_span,
            used: false,
            mutated: false,
            initialised_at_decl: init,
        });
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.to_string(), id));
        }
        id
    }

    fn lookup_local(&self, name: &str) -> Option<LocalId> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|s| s.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, id)| *id)
    }

    /// The local a place expression is rooted at, if reaching it does not
    /// go through a reference (then changing the place changes the local).
    fn place_root(&self, e: ExprId) -> Option<LocalId> {
        match &self.body.expr(e).kind {
            ExprKind::Path(p) if p.as_single().is_some() => self.out.expr_locals.get(&e).copied(),
            ExprKind::SelfValue => self.out.expr_locals.get(&e).copied(),
            ExprKind::Paren(inner) => self.place_root(*inner),
            ExprKind::Field { base, .. } | ExprKind::Index { base, .. } => {
                let bt = self.shallow(&self.out.expr_types[base.index()]);
                if matches!(bt, Ty::Ref(..)) {
                    None
                } else {
                    self.place_root(*base)
                }
            }
            _ => None,
        }
    }

    fn mark_mutated(&mut self, e: ExprId) {
        if let Some(local) = self.place_root(e) {
            self.out.locals[local.0 as usize].mutated = true;
        }
    }

    fn scope_lookup_type(&self) -> TyScope<'_> {
        TyScope {
            module: self.module,
            file: self.file,
            generics: &self.generics,
            self_ty: self.self_ty.as_ref(),
            lifetimes: &self.lifetimes,
            fresh: Some(&self.fresh),
        }
    }

    fn lower_ty(&mut self, t: &crate::syntax::ast::TypeRef) -> Ty {
        let mut diags = Vec::new();
        let ty = super::lower_type(
            self.program,
            &self.typed.adts,
            &self.scope_lookup_type(),
            t,
            &mut diags,
        );
        self.diags.extend(diags);
        ty
    }

    // -------------------------------------------------------------------
    // Expressions

    fn record(&mut self, e: ExprId, ty: Ty) -> Ty {
        self.out.expr_types[e.index()] = ty.clone();
        ty
    }

    /// Infers `e` with `expected` as a hint, then coerces it to `expected`.
    fn check_coerce(&mut self, e: ExprId, expected: &Ty) -> Ty {
        let actual = self.infer(e, Some(expected));
        if !self.coerce(e, &actual, expected) {
            self.coerce_mismatch(e, expected, &actual); // a block's mismatch is its value's
        }
        actual
    }

    fn is_string_literal(&self, e: ExprId) -> bool {
        match &self.body.expr(e).kind {
            ExprKind::Literal(Literal::Str(_)) => true,
            ExprKind::Paren(inner) => self.is_string_literal(*inner),
            _ => false,
        }
    }

    /// The coercions of Rust that Ward has: `!` to anything, `&mut T` to
    /// `&T`, `&[T; N]` to `&[T]`, deref coercion (`&Gc<T>` to `&T`), and a
    /// string literal where `&String` is expected.
    fn coerce(&mut self, e: ExprId, actual: &Ty, expected: &Ty) -> bool {
        let a = self.shallow(actual);
        let x = self.shallow(expected);
        if matches!(a, Ty::Never) {
            return true;
        }
        if let Ty::Ref(xm, xi) = &x {
            let xi_s = self.shallow(xi);
            if !xm && matches!(xi_s, Ty::Str) && matches!(a, Ty::Str) && self.is_string_literal(e) {
                return true;
            }
            if let Ty::Ref(am, ai) = &a
                && (*am || !xm)
            {
                if let (Ty::Array(xe, None), Ty::Array(ae, Some(_))) = (&xi_s, self.shallow(ai)) {
                    return self.unify(xe, &ae);
                }
                if self.try_unify(ai, xi) {
                    return true;
                }
                // Deref coercion: follow `*` until the types meet.
                let mut cur = self.shallow(ai);
                for _ in 0..8 {
                    match self.deref_target(&cur) {
                        Some(next) => {
                            if self.try_unify(&next, xi) {
                                return true;
                            }
                            cur = self.shallow(&next);
                        }
                        None => break,
                    }
                }
                return false;
            }
        }
        self.unify(&a, &x)
    }

    /// What `*value` gives for a value of type `ty`.
    fn deref_target(&mut self, ty: &Ty) -> Option<Ty> {
        match self.shallow(ty) {
            Ty::Ref(_, inner) => Some(*inner),
            Ty::Adt(d, args) => {
                let role = self.program.find_role(TypeRes::Def(d), "deref")?;
                let (_, ret) =
                    self.instantiate_method(role, &Ty::Adt(d, args), &[], Span::default())?;
                match ret {
                    Ty::Ref(_, t) => Some(*t),
                    other => Some(other),
                }
            }
            _ => None,
        }
    }

    #[allow(clippy::too_many_lines)]
    fn infer(&mut self, e: ExprId, hint: Option<&Ty>) -> Ty {
        let span = self.span_of(e);
        let kind = &self.body.expr(e).kind;
        let ty = match kind {
            ExprKind::Missing => Ty::Error,
            ExprKind::Literal(lit) => match lit {
                Literal::Int(n) => {
                    if *n > i64::MAX as u64 {
                        self.error(codes::CONST_EVAL, span, "integer literal is out of range for `int`")
                            .with_note_mut(format!("the literal `{n}` does not fit into the type `int` whose range is `-9223372036854775808..=9223372036854775807`"));
                    }
                    Ty::Int
                }
                Literal::Float(_) => Ty::Float,
                Literal::Bool(_) => Ty::Bool,
                Literal::Char(_) => Ty::Char,
                Literal::Str(_) => Ty::Str,
            },
            ExprKind::Paren(inner) => self.infer(*inner, hint),
            ExprKind::SelfValue => {
                if let Some(id) = self.lookup_local("self") {
                    self.out.expr_locals.insert(e, id);
                    if !self.assign_target {
                        self.out.locals[id.0 as usize].used = true;
                    }
                    self.out.locals[id.0 as usize].ty.clone()
                } else {
                    self.error(codes::UNRESOLVED_VALUE, span, "`self` is only available in methods").label = "`self` value is a keyword only available in methods with a `self` parameter".into();
                    Ty::Error
                }
            }
            ExprKind::Path(path) => self.infer_path(e, path),
            ExprKind::Unary { op, operand } => self.infer_unary(*op, *operand, span, hint),
            ExprKind::Binary { op, lhs, rhs } => self.infer_binary(*op, *lhs, *rhs, span),
            ExprKind::Assign { lhs, rhs } => {
                self.check_place(*lhs);
                self.assign_target = self.is_bare_local(*lhs);
                let lt = self.infer(*lhs, None);
                self.assign_target = false;
                self.check_coerce(*rhs, &lt);
                self.mark_mutated(*lhs);
                Ty::unit()
            }
            ExprKind::CompoundAssign { op, lhs, rhs } => {
                self.check_place(*lhs);
                self.assign_target = self.is_bare_local(*lhs);
                let lt = self.infer(*lhs, None);
                self.assign_target = false;
                let rt = self.infer(*rhs, Some(&lt));
                self.arith_result(*op, &lt, &rt, span);
                self.mark_mutated(*lhs);
                Ty::unit()
            }
            ExprKind::Ref { mutable, operand } => {
                let inner_hint = hint.map(|h| self.shallow(h)).and_then(|h| match h {
                    Ty::Ref(_, t) => Some(*t),
                    _ => None,
                });
                let t = self.infer(*operand, inner_hint.as_ref());
                if *mutable {
                    self.mark_mutated(*operand);
                }
                Ty::Ref(*mutable, Box::new(t))
            }
            ExprKind::Cast { operand, ty } => {
                let target = self.lower_ty(ty);
                let from = self.infer(*operand, None);
                self.check_cast(&from, &target, span);
                target
            }
            ExprKind::Try(inner) => self.infer_try(*inner, span),
            ExprKind::Call { callee, args } => self.infer_call(e, *callee, args, span),
            ExprKind::MethodCall {
                receiver,
                method,
                generic_args,
                args,
            } => self.infer_method(e, *receiver, method, generic_args, args),
            ExprKind::Field { base, field } => self.infer_field(*base, field),
            ExprKind::Index { base, index } => self.infer_index(*base, *index, span),
            ExprKind::Range { start, end, .. } => {
                let elem = self.fresh_var();
                for part in [start, end].into_iter().flatten() {
                    self.check_coerce(*part, &elem);
                }
                match self.lang.range {
                    Some(r) => Ty::Adt(r, vec![elem]),
                    None => Ty::Error,
                }
            }
            ExprKind::Closure {
                params, ret, body, ..
            } => {
                let hint_fn = hint.map(|h| self.shallow(h)).and_then(|h| match h {
                    Ty::Fn(p, r) if p.len() == params.len() => Some((p, *r)),
                    _ => None,
                });
                self.scopes.push(Vec::new());
                let mut param_tys = Vec::new();
                for (i, p) in params.iter().enumerate() {
                    let t = match (&p.ty, &hint_fn) {
                        (Some(t), hinted) => {
                            let t = self.lower_ty(t);
                            if let Some((hp, _)) = hinted {
                                self.unify(&hp[i], &t);
                            }
                            t
                        }
                        (None, Some((hp, _))) => hp[i].clone(),
                        (None, None) => self.fresh_var(),
                    };
                    self.check_pat(p.pat, &t, BindMode::Move, true);
                    param_tys.push(t);
                }
                let ret_ty = match (ret, &hint_fn) {
                    (Some(r), _) => self.lower_ty(r),
                    (None, Some((_, r))) => r.clone(),
                    (None, None) => self.fresh_var(),
                };
                let saved_loops = std::mem::take(&mut self.loops);
                self.returns.push(ret_ty.clone());
                let body_ty = self.check_coerce(*body, &ret_ty);
                self.returns.pop();
                if matches!(self.shallow(&ret_ty), Ty::Var(_))
                    && matches!(self.shallow(&body_ty), Ty::Never)
                {
                    // A closure that never returns normally returns `()`.
                    self.unify(&ret_ty, &Ty::unit());
                }
                self.loops = saved_loops;
                self.pop_scope();
                Ty::Fn(param_tys, Box::new(ret_ty))
            }
            ExprKind::Return(value) => {
                let ret = self.returns.last().cloned().unwrap_or(Ty::Error);
                match value {
                    Some(v) => {
                        self.check_coerce(*v, &ret);
                    }
                    None => {
                        if !self.try_unify(&ret, &Ty::unit()) {
                            let r = self.show(&ret);
                            self.error(codes::MISMATCHED_TYPES, span, "mismatched types")
                                .label = format!("expected `{r}`, found `()`");
                        }
                    }
                }
                Ty::Never
            }
            ExprKind::Break { label, value } => {
                match self.find_loop(label.as_ref().map(|l| l.text.as_str()), span, "break") {
                    Some(i) => {
                        self.loops[i].has_break = true;
                        let kind = self.loops[i].kind;
                        let bt = self.loops[i].break_ty.clone();
                        match value {
                            Some(v) if kind != LoopKind::Loop => {
                                self.infer(*v, None);
                                let which = if kind == LoopKind::For {
                                    "for"
                                } else {
                                    "while"
                                };
                                self.error(codes::BREAK_VALUE_IN_FOR, span, format!("`break` with value from a `{which}` loop"))
                                    .with_help_mut("use `break` on its own without a value inside this loop; only `loop` can break with a value");
                            }
                            Some(v) => {
                                self.check_coerce(*v, &bt);
                            }
                            None => {
                                if kind == LoopKind::Loop && !self.try_unify(&bt, &Ty::unit()) {
                                    let b = self.show(&bt);
                                    self.error(codes::MISMATCHED_TYPES, span, "mismatched types")
                                        .label = format!("expected `{b}`, found `()`");
                                }
                            }
                        }
                    }
                    None => {
                        if let Some(v) = value {
                            self.infer(*v, None);
                        }
                    }
                }
                Ty::Never
            }
            ExprKind::Continue { label } => {
                self.find_loop(label.as_ref().map(|l| l.text.as_str()), span, "continue");
                Ty::Never
            }
            ExprKind::Tuple(elems) => {
                let hints: Option<Vec<Ty>> = hint.map(|h| self.shallow(h)).and_then(|h| match h {
                    Ty::Tuple(items) if items.len() == elems.len() => Some(items),
                    _ => None,
                });
                let mut tys = Vec::new();
                for (i, el) in elems.iter().enumerate() {
                    let h = hints.as_ref().map(|h| h[i].clone());
                    tys.push(self.infer(*el, h.as_ref()));
                }
                Ty::Tuple(tys)
            }
            ExprKind::Array(elems) => {
                let elem_hint = hint.map(|h| self.shallow(h)).and_then(|h| match h {
                    Ty::Array(t, _) => Some(*t),
                    Ty::Ref(_, inner) => match self.shallow(&inner) {
                        Ty::Array(t, _) => Some(*t),
                        _ => None,
                    },
                    _ => None,
                });
                let elem = elem_hint.unwrap_or_else(|| self.fresh_var());
                for el in elems {
                    self.check_coerce(*el, &elem);
                }
                Ty::Array(Box::new(elem), Some(elems.len() as u64))
            }
            ExprKind::ArrayRepeat { elem, len } => {
                let t = self.infer(*elem, None);
                self.check_coerce(*len, &Ty::Int);
                match super::consts::eval_int(self.program, self.file, self.module, self.body, *len)
                {
                    Ok(n) if n >= 0 => Ty::Array(Box::new(t), Some(n.unsigned_abs())),
                    Ok(_) => {
                        self.error(
                            codes::CONST_EVAL,
                            self.span_of(*len),
                            "an array length cannot be negative",
                        );
                        Ty::Error
                    }
                    Err(d) => {
                        self.diags.push(*d);
                        Ty::Error
                    }
                }
            }
            ExprKind::Struct { path, fields, base } => {
                self.infer_struct(e, path, fields, *base, hint)
            }
            ExprKind::If {
                cond,
                then_branch,
                else_branch,
            } => {
                self.scopes.push(Vec::new());
                self.check_condition(*cond);
                let t = match else_branch {
                    None => {
                        let tt = self.infer(*then_branch, Some(&Ty::unit()));
                        if self.coerce(*then_branch, &tt, &Ty::unit()) {
                            Ty::unit()
                        } else {
                            let shown = self.show(&tt);
                            let secondary_span = self.fs(self.tail_span(*then_branch));
                            self.error(
                                codes::IF_WITHOUT_ELSE,
                                span,
                                "`if` may be missing an `else` clause",
                            )
                            .with_secondary_mut(secondary_span, format!("found here: `{shown}`"))
                            .label = "expected `()` because this `if` has no `else`".into();
                            Ty::Error
                        }
                    }
                    Some(else_e) => {
                        let tt = self.infer(*then_branch, hint);
                        self.pop_scope();
                        self.scopes.push(Vec::new());
                        self.join_branches(
                            tt,
                            *then_branch,
                            *else_e,
                            hint,
                            "`if` and `else` have incompatible types",
                        )
                    }
                };
                self.pop_scope();
                t
            }
            ExprKind::Match { scrutinee, arms } => {
                let st = self.infer(*scrutinee, None);
                let mut result: Option<(Ty, ExprId)> = None;
                let mut all_never = !arms.is_empty();
                for arm in arms {
                    self.scopes.push(Vec::new());
                    self.check_pat(arm.pat, &st, BindMode::Move, false);
                    if let Some(g) = arm.guard {
                        self.check_condition(g);
                    }
                    let h = result
                        .as_ref()
                        .map(|(t, _)| t.clone())
                        .or_else(|| hint.cloned());
                    let at = self.infer(arm.body, h.as_ref());
                    if !matches!(self.shallow(&at), Ty::Never) {
                        all_never = false;
                        match &result {
                            None => {
                                if let Some(h) = hint {
                                    if self.coerce(arm.body, &at, h) {
                                        result = Some((h.clone(), arm.body));
                                    } else {
                                        result = Some((at, arm.body));
                                    }
                                } else {
                                    result = Some((at, arm.body));
                                }
                            }
                            Some((rt, first)) => {
                                let (rt, first) = (rt.clone(), *first);
                                if !self.coerce(arm.body, &at, &rt) {
                                    let (r, a) = (self.show(&rt), self.show(&at));
                                    if !self.deep(&at).references_error()
                                        && !self.deep(&rt).references_error()
                                    {
                                        let secondary_span = self.fs(self.tail_span(first));
                                        self.error(
                                            codes::MISMATCHED_TYPES,
                                            self.span_of(arm.body),
                                            "`match` arms have incompatible types",
                                        )
                                        .with_secondary_mut(
                                            secondary_span,
                                            format!("this is found to be of type `{r}`"),
                                        )
                                        .label = format!("expected `{r}`, found `{a}`");
                                    }
                                }
                            }
                        }
                    }
                    self.pop_scope();
                }
                self.matches.push(e);
                if all_never || arms.is_empty() {
                    Ty::Never
                } else {
                    result.map_or_else(Ty::unit, |(t, _)| t)
                }
            }
            ExprKind::While { label, cond, body } => {
                self.scopes.push(Vec::new());
                self.check_condition(*cond);
                self.loops.push(LoopCtx {
                    label: label.as_ref().map(|l| l.text.clone()),
                    kind: LoopKind::While,
                    break_ty: Ty::unit(),
                    has_break: false,
                });
                self.check_coerce(*body, &Ty::unit());
                self.loops.pop();
                self.pop_scope();
                Ty::unit()
            }
            ExprKind::Loop { label, body } => {
                let bt = hint.cloned().unwrap_or_else(|| self.fresh_var());
                self.loops.push(LoopCtx {
                    label: label.as_ref().map(|l| l.text.clone()),
                    kind: LoopKind::Loop,
                    break_ty: bt,
                    has_break: false,
                });
                self.check_coerce(*body, &Ty::unit());
                let ctx = self.loops.pop();
                match ctx {
                    Some(ctx) if ctx.has_break => ctx.break_ty,
                    _ => Ty::Never,
                }
            }
            ExprKind::For {
                label,
                pat,
                iterable,
                body,
            } => {
                let it = self.infer(*iterable, None);
                let item = self.iter_item(&it, self.span_of(*iterable));
                self.scopes.push(Vec::new());
                self.check_pat(*pat, &item, BindMode::Move, true);
                self.lets.push((*pat, self.body.pat(*pat).span));
                self.loops.push(LoopCtx {
                    label: label.as_ref().map(|l| l.text.clone()),
                    kind: LoopKind::For,
                    break_ty: Ty::unit(),
                    has_break: false,
                });
                self.check_coerce(*body, &Ty::unit());
                self.loops.pop();
                self.pop_scope();
                Ty::unit()
            }
            ExprKind::Block(block) => self.infer_block(e, block, hint),
            ExprKind::Zone { size, body } => {
                if let Some(s) = size {
                    self.check_coerce(*s, &Ty::Int);
                }
                self.infer(*body, hint)
            }
            ExprKind::TryRecover {
                body,
                binding,
                handler,
            } => {
                let bt = self.infer(*body, hint);
                self.scopes.push(Vec::new());
                if let Some(b) = binding {
                    let pt = self
                        .lang
                        .panic
                        .map_or(Ty::Error, |p| Ty::Adt(p, Vec::new()));
                    self.check_pat(*b, &pt, BindMode::Move, true);
                }
                let t = self.join_branches(
                    bt,
                    *body,
                    *handler,
                    hint,
                    "`try` and `recover` have incompatible types",
                );
                self.pop_scope();
                t
            }
        };
        self.record(e, ty)
    }

    /// The span of a block's value (or the block) for labels.
    fn tail_span(&self, e: ExprId) -> Span {
        match &self.body.expr(e).kind {
            ExprKind::Block(Block { tail: Some(t), .. }) => self.tail_span(*t),
            _ => self.span_of(e),
        }
    }

    fn join_branches(
        &mut self,
        first: Ty,
        first_e: ExprId,
        second_e: ExprId,
        hint: Option<&Ty>,
        message: &str,
    ) -> Ty {
        let first_s = self.shallow(&first);
        let h = if matches!(first_s, Ty::Never) {
            hint.cloned()
        } else {
            Some(first.clone())
        };
        let st = self.infer(second_e, h.as_ref());
        if matches!(first_s, Ty::Never) {
            return st;
        }
        if !self.coerce(second_e, &st, &first) {
            // Maybe the first coerces to the second (`&mut` then `&`).
            if self.coerce(first_e, &first, &st) {
                return st;
            }
            let (f, s) = (self.show(&first), self.show(&st));
            if !self.deep(&first).references_error() && !self.deep(&st).references_error() {
                let secondary_span = self.fs(self.tail_span(first_e));
                self.error(codes::MISMATCHED_TYPES, self.tail_span(second_e), message)
                    .with_secondary_mut(secondary_span, format!("expected because of this (`{f}`)"))
                    .label = format!("expected `{f}`, found `{s}`");
            }
        }
        first
    }

    fn pop_scope(&mut self) {
        self.scopes.pop();
    }

    fn find_loop(&mut self, label: Option<&str>, span: Span, what: &str) -> Option<usize> {
        match label {
            Some(l) => {
                let found = self
                    .loops
                    .iter()
                    .rposition(|c| c.label.as_deref() == Some(l));
                if found.is_none() {
                    self.error(
                        codes::UNDECLARED_LABEL,
                        span,
                        format!("use of undeclared label `{l}`"),
                    )
                    .label = "undeclared label".into();
                }
                found
            }
            None => {
                if self.loops.is_empty() {
                    self.error(
                        codes::BREAK_OUTSIDE_LOOP,
                        span,
                        format!("`{what}` outside of a loop"),
                    )
                    .label = format!("cannot `{what}` outside of a loop");
                    None
                } else {
                    Some(self.loops.len() - 1)
                }
            }
        }
    }

    /// `x = …` writes `x` without reading it; `x.f = …` and `x[i] = …` read
    /// the rest of the place.
    fn is_bare_local(&self, e: ExprId) -> bool {
        match &self.body.expr(e).kind {
            ExprKind::Path(p) => p.as_single().is_some(),
            ExprKind::Paren(inner) => self.is_bare_local(*inner),
            _ => false,
        }
    }

    fn check_place(&mut self, e: ExprId) {
        let ok = match &self.body.expr(e).kind {
            ExprKind::Path(_)
            | ExprKind::Field { .. }
            | ExprKind::Index { .. }
            | ExprKind::SelfValue
            | ExprKind::Missing
            | ExprKind::Unary {
                op: UnaryOp::Deref, ..
            } => true,
            ExprKind::Paren(inner) => {
                self.check_place(*inner);
                return;
            }
            _ => false,
        };
        if !ok {
            self.error(
                codes::INVALID_ASSIGN_TARGET,
                self.span_of(e),
                "invalid left-hand side of assignment",
            )
            .label = "cannot assign to this expression".into();
        }
    }

    fn check_condition(&mut self, cond: Condition) {
        match cond {
            Condition::Expr(c) => {
                self.check_coerce(c, &Ty::Bool);
            }
            Condition::Let { pat, value } => {
                let t = self.infer(value, None);
                self.check_pat(pat, &t, BindMode::Move, true);
            }
        }
    }

    fn infer_block(&mut self, e: ExprId, block: &Block, hint: Option<&Ty>) -> Ty {
        let saved_module = self.module;
        if let Some(m) = self.program.block_modules.get(&(self.owner, e)) {
            self.module = *m;
        }
        self.scopes.push(Vec::new());
        let mut diverges: Option<Span> = None;
        let mut reported = false;
        for stmt in &block.stmts {
            let stmt_span = match stmt {
                Stmt::Let { span, .. } | Stmt::Expr { span, .. } | Stmt::Defer { span, .. } => {
                    *span
                }
                Stmt::Item(item) => item.span,
            };
            if let (Some(d), false, false) = (diverges, reported, matches!(stmt, Stmt::Item(_))) {
                self.unreachable(stmt_span, d, "statement");
                reported = true;
            }
            match stmt {
                Stmt::Let {
                    pat,
                    ty,
                    init,
                    else_block,
                    span,
                } => {
                    let declared = ty.as_ref().map(|t| self.lower_ty(t));
                    let t = match (&declared, init) {
                        (Some(d), Some(i)) => {
                            self.check_coerce(*i, d);
                            d.clone()
                        }
                        (Some(d), None) => d.clone(),
                        (None, Some(i)) => self.infer(*i, None),
                        (None, None) => self.fresh_var(),
                    };
                    if init.is_some_and(|i| {
                        matches!(self.shallow(&self.out.expr_types[i.index()]), Ty::Never)
                    }) {
                        diverges.get_or_insert(*span);
                    }
                    if let Some(eb) = else_block {
                        let et = self.infer(*eb, None);
                        if !matches!(self.shallow(&et), Ty::Never | Ty::Error) {
                            let shown = self.show(&et);
                            self.error(
                                codes::MISMATCHED_TYPES,
                                self.span_of(*eb),
                                "`else` clause of `let...else` does not diverge",
                            )
                            .label = format!("expected `!`, found `{shown}`");
                        }
                    }
                    self.check_pat(*pat, &t, BindMode::Move, init.is_some());
                    if else_block.is_none() {
                        self.lets.push((*pat, *span));
                    }
                }
                Stmt::Expr { expr, semi, .. } => {
                    let t = if *semi {
                        self.infer(*expr, None)
                    } else {
                        self.check_coerce(*expr, &Ty::unit())
                    };
                    if matches!(self.shallow(&t), Ty::Never) {
                        diverges.get_or_insert(self.span_of(*expr));
                    }
                }
                Stmt::Defer { expr, .. } => {
                    self.infer(*expr, None);
                }
                Stmt::Item(_) => {}
            }
        }
        let t = match block.tail {
            Some(tail) => {
                if let (Some(d), false) = (diverges, reported) {
                    self.unreachable(self.span_of(tail), d, "expression");
                }
                // As in Rust, a block with a tail has the tail's type even
                // after a diverging statement (`{ panic(…); 1 }` is `int`).
                self.infer(tail, hint)
            }
            None if diverges.is_some() => Ty::Never,
            None => Ty::unit(),
        };
        self.pop_scope();
        self.module = saved_module;
        t
    }

    fn unreachable(&mut self, span: Span, cause: Span, what: &str) {
        self.diags.push(
            Diagnostic::warning(
                codes::UNREACHABLE_CODE,
                self.fs(span),
                format!("unreachable {what}"),
            )
            .with_label(format!("unreachable {what}"))
            .with_secondary(
                self.fs(cause),
                "any code following this expression is unreachable",
            )
            .unnecessary(),
        );
    }

    fn infer_path(&mut self, e: ExprId, path: &Path) -> Ty {
        if let Some(name) = path.as_single()
            && let Some(id) = self.lookup_local(&name.text)
        {
            self.out.expr_locals.insert(e, id);
            if !self.assign_target {
                self.out.locals[id.0 as usize].used = true;
            }
            return self.out.locals[id.0 as usize].ty.clone();
        }
        match self
            .program
            .resolve_value_path(self.module, self.file, path)
        {
            Ok(ValueRes::Def(d)) => {
                self.out.expr_defs.insert(e, d);
                self.value_of_def(d, path)
            }
            Ok(ValueRes::Assoc { ty, ty_segment }) => {
                let self_ty = self.type_of_res(ty, &path.segments[ty_segment].args, path.span);
                let name = &path.last().name;
                let key = match self.shallow(&self_ty) {
                    Ty::Adt(d, _) => TypeRes::Def(d),
                    _ => ty,
                };
                if let Some(m) = self.program.find_assoc(key, &name.text) {
                    self.out.expr_defs.insert(e, m);
                    self.check_method_visible(m, name.span);
                    let Some((params, ret)) =
                        self.instantiate_method(m, &self_ty, &path.last().args, name.span)
                    else {
                        return Ty::Error;
                    };
                    Ty::Fn(params, Box::new(ret))
                } else {
                    let shown = self.show(&self_ty);
                    let what = match key {
                        TypeRes::Def(d) if matches!(self.program.def(d).kind, DefKind::Enum(_)) => {
                            "variant or associated item"
                        }
                        _ => "function or associated item",
                    };
                    self.error(
                        codes::NO_METHOD,
                        name.span,
                        format!("no {what} named `{}` found for `{shown}`", name.text),
                    )
                    .label = format!("{what} not found in `{shown}`");
                    Ty::Error
                }
            }
            Err(err) => {
                let d = match path.as_single() {
                    Some(name) if err.0.code == codes::UNRESOLVED_VALUE => {
                        self.unresolved_value(*err.0, name)
                    }
                    _ => *err.0,
                };
                self.diags.push(d);
                Ty::Error
            }
        }
    }

    fn type_of_res(&mut self, res: TypeRes, args: &[GenericArg], span: Span) -> Ty {
        match res {
            TypeRes::Prim(p) => super::prim_ty(p),
            TypeRes::Def(d) => {
                let n = self.typed.adts.generics.get(&d).map_or(0, Vec::len);
                let given: Vec<Ty> = args
                    .iter()
                    .filter_map(|a| match a {
                        GenericArg::Type(t) => Some(t.clone()),
                        GenericArg::Lifetime(_) => None,
                    })
                    .collect::<Vec<_>>()
                    .iter()
                    .map(|t| self.lower_ty(t))
                    .collect();
                if given.is_empty() {
                    Ty::Adt(d, (0..n).map(|_| self.fresh_var()).collect())
                } else {
                    if given.len() != n {
                        let name = self.program.def(d).name.text.clone();
                        self.error(
                            codes::WRONG_GENERIC_COUNT,
                            span,
                            format!(
                                "`{name}` takes {n} generic arguments but {} were supplied",
                                given.len()
                            ),
                        );
                    }
                    let mut g = given;
                    g.resize(n, Ty::Error);
                    Ty::Adt(d, g)
                }
            }
        }
    }

    /// The type of a path naming an item in value position.
    fn value_of_def(&mut self, d: DefId, path: &Path) -> Ty {
        let def = self.program.def(d);
        match &def.kind {
            DefKind::Fn(_) => {
                let Some(sig) = self.typed.sigs.get(&d) else {
                    return Ty::Error;
                };
                let sig = sig.clone();
                let args = self.generic_args_for(&sig, &path.last().args, path.span);
                Ty::Fn(
                    sig.params.iter().map(|t| t.subst(&args)).collect(),
                    Box::new(sig.ret.subst(&args)),
                )
            }
            DefKind::Const(_) => self.typed.const_types.get(&d).cloned().unwrap_or(Ty::Error),
            DefKind::Struct(s) => {
                let n = self.typed.adts.generics.get(&d).map_or(0, Vec::len);
                let args: Vec<Ty> = (0..n).map(|_| self.fresh_var()).collect();
                let adt = Ty::Adt(d, args.clone());
                match &s.fields {
                    Fields::Unit => adt,
                    Fields::Tuple(_) => {
                        let fields = self.typed.adts.field_types(d, &args);
                        Ty::Fn(fields, Box::new(adt))
                    }
                    Fields::Named(_) => Ty::Error,
                }
            }
            DefKind::Variant { parent, index } => {
                let parent = *parent;
                let DefKind::Enum(en) = &self.program.def(parent).kind else {
                    return Ty::Error;
                };
                let n = self.typed.adts.generics.get(&parent).map_or(0, Vec::len);
                // `Option::<int>::None` gives the enum's arguments.
                let enum_args: Vec<GenericArg> = if path.segments.len() >= 2 {
                    path.segments[path.segments.len() - 2].args.clone()
                } else {
                    Vec::new()
                };
                let args: Vec<Ty> =
                    match self.type_of_res(TypeRes::Def(parent), &enum_args, path.span) {
                        Ty::Adt(_, a) => a,
                        _ => (0..n).map(|_| self.fresh_var()).collect(),
                    };
                let adt = Ty::Adt(parent, args.clone());
                match &en.variants[*index].fields {
                    Fields::Unit => adt,
                    Fields::Tuple(_) => {
                        Ty::Fn(self.typed.adts.field_types(d, &args), Box::new(adt))
                    }
                    Fields::Named(_) => {
                        let name = path.text();
                        self.error(
                            codes::EXPECTED_VALUE,
                            path.span,
                            format!("expected value, found struct variant `{name}`"),
                        )
                        .with_help_mut(format!("use the struct literal syntax: `{name} {{ … }}`"));
                        Ty::Error
                    }
                }
            }
            DefKind::Enum(_) | DefKind::Module(_) => {
                let what = def.describe();
                self.error(
                    codes::EXPECTED_VALUE,
                    path.span,
                    format!("expected value, found {what} `{}`", path.text()),
                );
                Ty::Error
            }
        }
    }

    /// Fresh variables for a signature's generics, or the turbofish ones.
    fn generic_args_for(&mut self, sig: &FnSig, turbofish: &[GenericArg], span: Span) -> Vec<Ty> {
        let mut args: Vec<Ty> = (0..sig.generics.len()).map(|_| self.fresh_var()).collect();
        let explicit: Vec<&crate::syntax::ast::TypeRef> = turbofish
            .iter()
            .filter_map(|a| match a {
                GenericArg::Type(t) => Some(t),
                GenericArg::Lifetime(_) => None,
            })
            .collect();
        if !explicit.is_empty() {
            let own = sig.generics.len() - sig.impl_generics;
            if explicit.len() != own {
                self.error(
                    codes::WRONG_GENERIC_COUNT,
                    span,
                    format!(
                        "function takes {own} generic argument{} but {} {} supplied",
                        if own == 1 { "" } else { "s" },
                        explicit.len(),
                        if explicit.len() == 1 { "was" } else { "were" }
                    ),
                );
            }
            for (i, t) in explicit.into_iter().enumerate().take(own) {
                let lowered = self.lower_ty(t);
                args[sig.impl_generics + i] = lowered;
            }
        }
        args
    }

    /// Instantiates a method for a receiver type: parameters (receiver
    /// first, if any) and return type.
    fn instantiate_method(
        &mut self,
        m: DefId,
        self_ty: &Ty,
        turbofish: &[GenericArg],
        span: Span,
    ) -> Option<(Vec<Ty>, Ty)> {
        let sig = self.typed.sigs.get(&m)?.clone();
        let args = self.generic_args_for(&sig, turbofish, span);
        if let Some(imp) = self.program.def(m).owner
            && let Some((_, impl_ty)) = self.typed.impl_self.get(&imp)
        {
            let inst = impl_ty.subst(&args);
            if !self.try_unify(&inst, self_ty) {
                // A method of a narrower impl (`impl<T> Option<&T>`).
                let (name, got, of) = (
                    self.program.def(m).name.text.clone(),
                    self.show(self_ty),
                    ty::display(self.program, impl_ty),
                );
                self.error(
                    codes::NO_METHOD,
                    span,
                    format!("no method named `{name}` found for `{got}` in the current scope"),
                )
                .with_note_mut(format!("the method is defined for `{of}`"))
                .label = "method not found".into();
                return None;
            }
        }
        Some((
            sig.params.iter().map(|t| t.subst(&args)).collect(),
            sig.ret.subst(&args),
        ))
    }

    fn check_method_visible(&mut self, m: DefId, span: Span) {
        let def = self.program.def(m);
        if !self.program.visible(def.module, def.is_pub, self.module) {
            let name = def.name.text.clone();
            let at = def.file_span();
            self.error(
                codes::PRIVATE_METHOD,
                span,
                format!("method `{name}` is private"),
            )
            .with_secondary_mut(at, "private method defined here")
            .label = "private method".into();
        }
    }

    /// A string literal passed as the terser path of `Message::get`,
    /// `set` or `is_null` must parse (W1004): a mistyped path is found
    /// before the message arrives, at the character that is wrong.
    fn check_hl7_path(&mut self, m: DefId, args: &[ExprId]) {
        let def = self.program.def(m);
        if !self.program.is_std_def(m)
            || !matches!(def.name.text.as_str(), "get" | "set" | "is_null")
        {
            return;
        }
        let owner = def.owner.and_then(|imp| self.typed.impl_self.get(&imp));
        let Some((_, Ty::Adt(t, _))) = owner else {
            return;
        };
        if self.program.def(*t).name.text != "Message" {
            return;
        }
        let Some(&first) = args.first() else { return };
        let ExprKind::Literal(Literal::Str(text)) = &self.body.expr(first).kind else {
            return;
        };
        let Err(e) = ward_runtime::stdlib::hl7::path::parse(text) else {
            return;
        };
        let span = self.span_of(first);
        // Point at the character when the literal is written without
        // escapes (its source is the text in quotes).
        let source = &self.program.file(self.file).text;
        let written = source.get(span.start as usize..span.end as usize);
        let at = if written == Some(format!("\"{text}\"").as_str()) {
            let start = span.start + 1 + u32::try_from(e.at).unwrap_or(0);
            let end = (start + 1).min(span.end - 1).max(start);
            Span::new(start, end)
        } else {
            span
        };
        let message = format!("`{text}` is not an HL7 terser path");
        self.error(codes::HL7_PATH, at, message)
            .with_note_mut("paths are `SEG-field-component-subcomponent`, with repetitions in parentheses from 1: `PID-5-1`, `OBX(2)-5`, `PID-3(2)-1`")
            .label = e.message;
    }

    fn check_args(&mut self, params: &[Ty], args: &[ExprId], call: ExprId, what: &str) {
        for (i, a) in args.iter().enumerate() {
            match params.get(i) {
                Some(p) => {
                    self.check_coerce(*a, p);
                }
                None => {
                    self.infer(*a, None);
                }
            }
        }
        if params.len() != args.len() {
            self.arg_count_error(params, args, call, what);
        }
    }

    fn infer_call(&mut self, e: ExprId, callee: ExprId, args: &[ExprId], span: Span) -> Ty {
        // The print family: a format string literal and its arguments.
        if let ExprKind::Path(path) = &self.body.expr(callee).kind {
            let is_local = path
                .as_single()
                .is_some_and(|n| self.lookup_local(&n.text).is_some());
            if !is_local
                && let Ok(ValueRes::Def(d)) =
                    self.program
                        .resolve_value_path(self.module, self.file, path)
                && self.program.def(d).has_attr("format")
            {
                self.out.expr_defs.insert(callee, d);
                self.out.expr_defs.insert(e, d);
                let ret = self.typed.sigs.get(&d).map_or(Ty::Error, |s| s.ret.clone());
                self.record(callee, Ty::Error);
                self.check_format(args, span, &path.text());
                return ret;
            }
        }
        let ct = self.infer(callee, None);
        // The call names the item its callee path names; a callee that is
        // itself a call (`make()()`) calls the value that call returns.
        if matches!(self.body.expr(callee).kind, ExprKind::Path(_))
            && let Some(d) = self.out.expr_defs.get(&callee).copied()
        {
            self.out.expr_defs.insert(e, d);
        }
        match self.shallow(&ct) {
            Ty::Fn(params, ret) => {
                self.check_args(&params, args, e, "function");
                *ret
            }
            Ty::Var(_) => {
                let params: Vec<Ty> = args.iter().map(|_| self.fresh_var()).collect();
                let ret = self.fresh_var();
                self.unify(&ct, &Ty::Fn(params.clone(), Box::new(ret.clone())));
                self.check_args(&params, args, e, "function");
                ret
            }
            Ty::Error => {
                for a in args {
                    self.infer(*a, None);
                }
                Ty::Error
            }
            other => {
                let shown = self.show(&other);
                self.error(
                    codes::NOT_A_FUNCTION,
                    self.span_of(callee),
                    format!("expected function, found `{shown}`"),
                )
                .label = "call expression requires function".into();
                for a in args {
                    self.infer(*a, None);
                }
                Ty::Error
            }
        }
    }

    fn check_format(&mut self, args: &[ExprId], span: Span, name: &str) {
        let Some(first) = args.first() else {
            self.error(
                codes::FORMAT_STRING,
                span,
                format!("`{name}` needs a format string"),
            )
            .with_help_mut(format!("write `{name}(\"{{}}\", value)`"));
            return;
        };
        let text = if let ExprKind::Literal(Literal::Str(s)) = &self.body.expr(*first).kind {
            s.clone()
        } else {
            self.infer(*first, None);
            self.error(
                codes::FORMAT_STRING,
                self.span_of(*first),
                "format argument must be a string literal",
            )
            .with_help_mut("you might be missing a string literal to format with: `\"{}\", value`");
            for a in &args[1..] {
                self.infer(*a, None);
            }
            return;
        };
        self.record(*first, Ty::Str);
        let lit_span = self.span_of(*first);
        let inner = |r: &std::ops::Range<usize>| {
            // Offsets are into the decoded text; with no escapes before
            // them they are exact, otherwise the literal as a whole.
            let start = lit_span.start as usize + 1 + r.start;
            let end = lit_span.start as usize + 1 + r.end;
            if end < lit_span.end as usize {
                Span::new(
                    u32::try_from(start).unwrap_or(0),
                    u32::try_from(end).unwrap_or(0),
                )
            } else {
                lit_span
            }
        };
        let values = &args[1..];
        let tys: Vec<Ty> = values.iter().map(|a| self.infer(*a, None)).collect();
        let placeholders = match format::parse(&text) {
            Ok(p) => p,
            Err(err) => {
                let s = inner(&err.range);
                self.error(codes::FORMAT_STRING, s, err.message);
                return;
            }
        };
        let needed = placeholders.iter().map(|p| p.arg + 1).max().unwrap_or(0);
        if needed > values.len() {
            let n = placeholders.len();
            let d = self.error(
                codes::FORMAT_STRING,
                lit_span,
                format!(
                    "{n} positional argument{} in format string, but there {} {} argument{}",
                    if n == 1 { "" } else { "s" },
                    if values.len() == 1 { "is" } else { "are" },
                    values.len(),
                    if values.len() == 1 { "" } else { "s" }
                ),
            );
            d.label = "not enough arguments for the placeholders".into();
            return;
        }
        for (i, v) in values.iter().enumerate() {
            if !placeholders.iter().any(|p| p.arg == i) {
                let secondary_span = self.fs(lit_span);
                self.error(
                    codes::FORMAT_STRING,
                    self.span_of(*v),
                    "argument never used",
                )
                .with_secondary_mut(secondary_span, "formatting specifier missing")
                .label = "argument never used".into();
            }
        }
        for p in &placeholders {
            let t = self.deep(&tys[p.arg]);
            if t.references_error() || t.has_vars() {
                continue;
            }
            let shown = self.show(&t);
            if p.debug {
                if !ty::is_debug(&t) {
                    self.error(
                        codes::NOT_IMPLEMENTED,
                        self.span_of(values[p.arg]),
                        format!("`{shown}` cannot be formatted using `{{:?}}`"),
                    );
                }
            } else if !ty::is_display(self.program, &t) {
                let s = inner(&p.range);
                let secondary_span = self.fs(s);
                self.error(
                    codes::NOT_IMPLEMENTED,
                    self.span_of(values[p.arg]),
                    format!("`{shown}` doesn't implement `Display`"),
                )
                .with_secondary_mut(secondary_span, "required by this formatting parameter")
                .with_help_mut("use `{:?}` to print it with `Debug` formatting")
                .label = format!("`{shown}` cannot be formatted with the default formatter");
            }
        }
    }

    fn infer_method(
        &mut self,
        e: ExprId,
        receiver: ExprId,
        method: &crate::syntax::ast::Name,
        generic_args: &[GenericArg],
        args: &[ExprId],
    ) -> Ty {
        let rt = self.infer(receiver, None);
        let mut cur = self.shallow(&rt);
        if matches!(cur, Ty::Var(_)) {
            self.error(
                codes::TYPE_ANNOTATIONS_NEEDED,
                self.span_of(receiver),
                "type annotations needed",
            )
            .label = "type must be known at this point".into();
            for a in args {
                self.infer(*a, None);
            }
            return Ty::Error;
        }
        if cur.is_error() {
            for a in args {
                self.infer(*a, None);
            }
            return Ty::Error;
        }
        let mut derefs = 0;
        let found = loop {
            let key = ty::type_res(&cur);
            if let Some(m) = key.and_then(|k| self.program.find_assoc(k, &method.text)) {
                break Some((m, cur.clone()));
            }
            match self.deref_target(&cur) {
                Some(next) if derefs < 8 => {
                    cur = self.shallow(&next);
                    derefs += 1;
                }
                _ => break None,
            }
        };
        let Some((m, self_ty)) = found else {
            // Auto-deref through every reference, also one an inference
            // variable stands for (`name: &String` bound by `Some(name)`).
            let mut base = self.shallow(&rt);
            while let Ty::Ref(_, inner) = base {
                base = self.shallow(&inner);
            }
            let base = self.deep(&base);
            if method.text == "clone" && args.is_empty() {
                if ty::is_cloneable(self.program, &base) {
                    self.out.builtin_clone.push(e);
                    return base;
                }
                let shown = self.show(&base);
                self.error(
                    codes::NO_METHOD,
                    method.span,
                    format!("the type `{shown}` cannot be cloned"),
                )
                .with_note_mut("tasks and pools have no `.clone()`");
                return Ty::Error;
            }
            let shown = self.show(&rt);
            let mut d = Diagnostic::error(
                codes::NO_METHOD,
                self.fs(method.span),
                format!(
                    "no method named `{}` found for `{shown}` in the current scope",
                    method.text
                ),
            )
            .with_label("method not found");
            if let Ty::Adt(adt, _) = &base
                && self
                    .typed
                    .adts
                    .fields
                    .get(adt)
                    .is_some_and(|f| f.iter().any(|f| f.name == method.text))
            {
                d = d.with_help(format!("to call the function stored in `{}`, surround the field access with parentheses: `(x.{})(…)`", method.text, method.text));
            } else {
                d = self.method_suggestions(d, &rt, method, receiver);
            }
            // What the method would have done to the receiver is unknown:
            // no "does not need to be mutable" about it.
            self.mark_mutated(receiver);
            self.diags.push(d);
            for a in args {
                self.infer(*a, None);
            }
            return Ty::Error;
        };
        self.out.expr_defs.insert(e, m);
        self.check_method_visible(m, method.span);
        self.check_hl7_path(m, args);
        let sig_self = self.typed.sigs.get(&m).and_then(|s| s.self_kind);
        let Some((params, ret)) = self.instantiate_method(m, &self_ty, generic_args, method.span)
        else {
            return Ty::Error;
        };
        if sig_self.is_none() {
            let ty_name = self.show(&self_ty);
            self.error(codes::NO_METHOD, method.span, format!("no method named `{}` found for `{ty_name}`", method.text))
                .with_note_mut(format!("`{ty_name}::{}` is an associated function, not a method: call it as `{ty_name}::{}(…)`", method.text, method.text))
                .label = "this is an associated function, not a method".into();
            for a in args {
                self.infer(*a, None);
            }
            return ret;
        }
        if sig_self == Some(SelfKind::RefMut)
            && derefs == 0
            && !matches!(self.shallow(&rt), Ty::Ref(..))
        {
            self.mark_mutated(receiver);
        }
        self.check_args(&params[1..], args, e, "method");
        ret
    }

    fn infer_field(&mut self, base: ExprId, field: &FieldName) -> Ty {
        let bt = self.infer(base, None);
        let mut cur = self.shallow(&bt);
        if matches!(cur, Ty::Var(_)) {
            self.error(
                codes::TYPE_ANNOTATIONS_NEEDED,
                self.span_of(base),
                "type annotations needed",
            )
            .label = "type must be known at this point".into();
            return Ty::Error;
        }
        for _ in 0..8 {
            match (&cur, field) {
                (Ty::Error, _) => return Ty::Error,
                (Ty::Tuple(items), FieldName::Index(i, _)) if (*i as usize) < items.len() => {
                    return items[*i as usize].clone();
                }
                (Ty::Adt(d, args), _) if self.typed.adts.fields.contains_key(d) => {
                    let name = field.text();
                    if let Some(f) = self.typed.adts.fields[d].iter().find(|f| f.name == name) {
                        let def = self.program.def(*d);
                        if !self.program.visible(def.module, f.is_pub, self.module) {
                            let (struct_name, fspan) =
                                (def.name.text.clone(), FileSpan::new(def.file, f.span));
                            self.error(
                                codes::PRIVATE_FIELD,
                                field.span(),
                                format!("field `{name}` of struct `{struct_name}` is private"),
                            )
                            .with_secondary_mut(fspan, "declared here without `pub`")
                            .label = "private field".into();
                        }
                        return f.ty.subst(args);
                    }
                }
                _ => {}
            }
            match self.deref_target(&cur) {
                Some(next) => cur = self.shallow(&next),
                None => break,
            }
        }
        let shown = self.show(&bt);
        let mut d = Diagnostic::error(
            codes::NO_FIELD,
            self.fs(field.span()),
            format!("no field `{}` on type `{shown}`", field.text()),
        )
        .with_label("unknown field");
        if let Ty::Adt(adt, _) = self.shallow(bt.peel_refs()) {
            if let Some(fields) = self.typed.adts.fields.get(&adt) {
                let names: Vec<String> = fields.iter().map(|f| f.name.clone()).collect();
                if let FieldName::Named(name) = field {
                    d = self.field_suggestion(d, &names, name);
                }
                if d.fixes.is_empty() && !names.is_empty() {
                    let shown: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
                    d = d.with_note(format!("available fields are: {}", shown.join(", ")));
                }
            }
            if self
                .program
                .find_assoc(TypeRes::Def(adt), &field.text())
                .is_some()
            {
                d = d.with_help(format!("`{}` is a method: call it with `()`", field.text()));
            }
        }
        self.diags.push(d);
        Ty::Error
    }

    fn infer_index(&mut self, base: ExprId, index: ExprId, span: Span) -> Ty {
        let bt = self.infer(base, None);
        let mut cur = self.shallow(&bt);
        for _ in 0..8 {
            match &cur {
                Ty::Error => {
                    self.infer(index, None);
                    return Ty::Error;
                }
                Ty::Array(t, _) => {
                    self.check_coerce(index, &Ty::Int);
                    return (**t).clone();
                }
                Ty::Adt(d, _) => {
                    if let Some(role) = self.program.find_role(TypeRes::Def(*d), "index")
                        && let Some((params, ret)) = self.instantiate_method(role, &cur, &[], span)
                    {
                        if let Some(key) = params.get(1) {
                            self.check_coerce(index, key);
                        }
                        return ret;
                    }
                }
                Ty::Var(_) => {
                    self.error(
                        codes::TYPE_ANNOTATIONS_NEEDED,
                        self.span_of(base),
                        "type annotations needed",
                    )
                    .label = "type must be known at this point".into();
                    self.infer(index, None);
                    return Ty::Error;
                }
                _ => {}
            }
            match self.deref_target(&cur) {
                Some(next) => cur = self.shallow(&next),
                None => break,
            }
        }
        self.infer(index, None);
        let shown = self.show(&bt);
        self.error(
            codes::NOT_INDEXABLE,
            span,
            format!("cannot index into a value of type `{shown}`"),
        );
        Ty::Error
    }

    fn infer_unary(&mut self, op: UnaryOp, operand: ExprId, span: Span, hint: Option<&Ty>) -> Ty {
        let t = self.infer(operand, if op == UnaryOp::Deref { None } else { hint });
        let s = self.shallow(&t);
        let base = self.shallow(s.peel_refs());
        match op {
            UnaryOp::Deref => match s {
                Ty::Error => Ty::Error,
                Ty::Var(_) => {
                    self.error(
                        codes::TYPE_ANNOTATIONS_NEEDED,
                        span,
                        "type annotations needed",
                    )
                    .label = "type must be known at this point".into();
                    Ty::Error
                }
                other => {
                    if let Some(t) = self.deref_target(&other) {
                        t
                    } else {
                        let shown = self.show(&other);
                        self.error(
                            codes::NOT_DEREFERENCEABLE,
                            span,
                            format!("type `{shown}` cannot be dereferenced"),
                        );
                        Ty::Error
                    }
                }
            },
            UnaryOp::Neg | UnaryOp::Not => {
                let (symbol, accepted, default) = match op {
                    UnaryOp::Neg => ("-", matches!(base, Ty::Int | Ty::Float), Ty::Int),
                    _ => ("!", matches!(base, Ty::Int | Ty::Bool), Ty::Bool),
                };
                match base {
                    _ if accepted => base,
                    Ty::Error => Ty::Error,
                    Ty::Var(_) => {
                        self.unify(&t, &default);
                        default
                    }
                    other => {
                        let shown = self.show(&other);
                        self.error(
                            codes::UNARY_OP,
                            span,
                            format!("cannot apply unary operator `{symbol}` to type `{shown}`"),
                        )
                        .label = format!("cannot apply unary operator `{symbol}`");
                        Ty::Error
                    }
                }
            }
        }
    }

    /// The result of an arithmetic or bitwise operator (also for `op=`).
    fn arith_result(&mut self, op: BinaryOp, lt: &Ty, rt: &Ty, span: Span) -> Ty {
        let l = self.shallow(self.shallow(lt).peel_refs());
        let r = self.shallow(self.shallow(rt).peel_refs());
        if matches!(l, Ty::Var(_)) {
            self.unify(&l, &r);
        } else if matches!(r, Ty::Var(_)) {
            self.unify(&r, &l);
        }
        let l = self.shallow(&l);
        let r = self.shallow(&r);
        if matches!(l, Ty::Var(_)) && matches!(r, Ty::Var(_)) {
            // Both sides are the same unknown: an arithmetic result has the
            // operands' type, so inference goes on; `finish` checks it.
            self.deferred_ops.push((op, l.clone(), r, span));
            return l;
        }
        let ok = match op {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
                matches!((&l, &r), (Ty::Int, Ty::Int) | (Ty::Float, Ty::Float))
            }
            BinaryOp::BitAnd | BinaryOp::BitOr | BinaryOp::BitXor => {
                matches!((&l, &r), (Ty::Int, Ty::Int) | (Ty::Bool, Ty::Bool))
            }
            BinaryOp::Shl | BinaryOp::Shr => matches!((&l, &r), (Ty::Int, Ty::Int)),
            _ => false,
        };
        if ok || l.is_error() || r.is_error() || matches!(l, Ty::Never) || matches!(r, Ty::Never) {
            return if l.is_error() { r } else { l };
        }
        let (ls, rs) = (self.show(&l), self.show(&r));
        let verb = match op {
            BinaryOp::Add => format!("cannot add `{rs}` to `{ls}`"),
            BinaryOp::Sub => format!("cannot subtract `{rs}` from `{ls}`"),
            BinaryOp::Mul => format!("cannot multiply `{ls}` by `{rs}`"),
            BinaryOp::Div => format!("cannot divide `{ls}` by `{rs}`"),
            BinaryOp::Rem => format!("cannot calculate the remainder of `{ls}` divided by `{rs}`"),
            _ => format!("no implementation for `{ls} {} {rs}`", op.as_str()),
        };
        let mut d = Diagnostic::error(codes::BINARY_OP, self.fs(span), verb)
            .with_label(format!("`{ls} {} {rs}` is not defined", op.as_str()));
        if matches!((&l, &r), (Ty::Int, Ty::Float) | (Ty::Float, Ty::Int)) {
            d = d.with_help("Ward does not convert numbers implicitly: convert one side with `as float` or `as int`");
        }
        self.diags.push(d);
        Ty::Error
    }

    fn infer_binary(&mut self, op: BinaryOp, lhs: ExprId, rhs: ExprId, span: Span) -> Ty {
        match op {
            BinaryOp::And | BinaryOp::Or => {
                self.check_coerce(lhs, &Ty::Bool);
                self.check_coerce(rhs, &Ty::Bool);
                Ty::Bool
            }
            _ if op.is_comparison() => {
                let lt = self.infer(lhs, None);
                let rt = self.infer(rhs, Some(&lt));
                if !self.try_unify(&lt, &rt) {
                    // `&x == &y` and `x == y` are fine; `&x == y` is not.
                    self.mismatch(self.span_of(rhs), &lt, &rt);
                    return Ty::Bool;
                }
                let t = self.deep(&lt);
                if t.references_error() {
                    return Ty::Bool;
                }
                let base = t.peel_refs().clone();
                let ordered = matches!(base, Ty::Int | Ty::Float | Ty::Char | Ty::Str | Ty::Bool);
                let eq = ty::is_comparable(self.program, &base);
                if matches!(op, BinaryOp::Eq | BinaryOp::Ne) && !eq
                    || !matches!(op, BinaryOp::Eq | BinaryOp::Ne) && !ordered
                {
                    let shown = self.show(&t);
                    self.error(
                        codes::BINARY_OP,
                        span,
                        format!(
                            "binary operation `{}` cannot be applied to type `{shown}`",
                            op.as_str()
                        ),
                    )
                    .label = format!("`{shown}` cannot be compared with `{}`", op.as_str());
                }
                Ty::Bool
            }
            _ => {
                let lt = self.infer(lhs, None);
                let hint = self.shallow(lt.peel_refs());
                let rt = self.infer(rhs, Some(&hint));
                self.arith_result(op, &lt, &rt, span)
            }
        }
    }

    fn check_cast(&mut self, from: &Ty, to: &Ty, span: Span) {
        let f = self.shallow(from);
        let t = self.shallow(to);
        let ok = matches!(
            (&f, &t),
            (Ty::Int | Ty::Float, Ty::Int | Ty::Float)
                | (Ty::Char | Ty::Bool, Ty::Int)
                | (Ty::Int, Ty::Char)
                | (Ty::Error | Ty::Never, _)
                | (_, Ty::Error)
        ) || f == t;
        if !ok {
            if matches!(f, Ty::Var(_)) {
                self.error(
                    codes::TYPE_ANNOTATIONS_NEEDED,
                    span,
                    "type annotations needed",
                )
                .label = "cannot cast a value whose type is not known yet".into();
                return;
            }
            let (fs, ts) = (self.show(&f), self.show(&t));
            self.error(
                codes::INVALID_CAST,
                span,
                format!("casting `{fs}` as `{ts}` is invalid"),
            )
            .with_help_mut("`as` converts between `int`, `float` and `char`, and `bool` to `int`");
        }
    }

    fn infer_try(&mut self, inner: ExprId, span: Span) -> Ty {
        let t = self.infer(inner, None);
        let s = self.shallow(&t);
        let ret = self.returns.last().cloned().unwrap_or(Ty::Error);
        let rs = self.shallow(&ret);
        match &s {
            Ty::Error => Ty::Error,
            Ty::Adt(d, args) if Some(*d) == self.lang.result => {
                match &rs {
                    Ty::Adt(rd, rargs) if Some(*rd) == self.lang.result => {
                        let target = self.shallow(&rargs[1]);
                        let is_error_type =
                            matches!(&target, Ty::Adt(e, _) if Some(*e) == self.lang.error);
                        if !is_error_type && !self.try_unify(&args[1], &rargs[1]) {
                            let (from, to) = (self.show(&args[1]), self.show(&rargs[1]));
                            self.error(codes::MISMATCHED_TYPES, span, format!("`?` couldn't convert the error to `{to}`"))
                                .with_note_mut(format!("the error here is `{from}`; every error converts into `Error`, but `{from}` does not convert into `{to}`"))
                                .label = format!("expected `{to}`, found `{from}`");
                        }
                    }
                    Ty::Error | Ty::Var(_) => {}
                    _ => self.try_in_wrong_fn(span, "Result"),
                }
                args[0].clone()
            }
            Ty::Adt(d, args) if Some(*d) == self.lang.option => {
                match &rs {
                    Ty::Adt(rd, _) if Some(*rd) == self.lang.option => {}
                    Ty::Error | Ty::Var(_) => {}
                    _ => self.try_in_wrong_fn(span, "Option"),
                }
                args[0].clone()
            }
            Ty::Var(_) => {
                self.error(
                    codes::TYPE_ANNOTATIONS_NEEDED,
                    span,
                    "type annotations needed",
                )
                .label = "type must be known at this point".into();
                Ty::Error
            }
            other => {
                let shown = self.show(other);
                self.error(
                    codes::NOT_IMPLEMENTED,
                    span,
                    "the `?` operator can only be applied to values of type `Result` or `Option`",
                )
                .label = format!("the `?` operator cannot be applied to type `{shown}`");
                Ty::Error
            }
        }
    }

    fn try_in_wrong_fn(&mut self, span: Span, what: &str) {
        let ret = self.returns.last().cloned().unwrap_or(Ty::Error);
        let shown = self.show(&ret);
        let sig = match &self.program.def(self.owner).kind {
            DefKind::Fn(f) if self.returns.len() == 1 => Some(f.sig_span),
            _ => None,
        };
        let d = self.error(
            codes::NOT_IMPLEMENTED,
            span,
            format!(
                "the `?` operator can only be used on `{what}`s in a function that returns `{what}`"
            ),
        );
        d.label = format!("cannot use the `?` operator in a function that returns `{shown}`");
        if let Some(sig) = sig {
            let fs = FileSpan::new(d.span.file, sig);
            d.labels.push(crate::diagnostics::Label {
                span: fs,
                message: "this function should return `Result` or `Option` to accept `?`".into(),
            });
            if ret.is_unit()
                && let Some(mut d) = self.diags.pop()
            {
                self.return_type_fix(&mut d, what);
                self.diags.push(d);
            }
        }
    }

    fn infer_struct(
        &mut self,
        e: ExprId,
        path: &Path,
        fields: &[crate::syntax::ast::FieldInit],
        base: Option<ExprId>,
        hint: Option<&Ty>,
    ) -> Ty {
        let target = if path.as_single().is_some_and(|n| n.text == "Self") {
            match self.self_ty.clone() {
                Some(Ty::Adt(d, _)) => Ok(d),
                _ => Err(()),
            }
        } else {
            match self
                .program
                .resolve_struct_path(self.module, self.file, path)
            {
                Ok(d) => Ok(d),
                Err(err) => {
                    self.diags.push(*err.0);
                    Err(())
                }
            }
        };
        let Ok(d) = target else {
            for f in fields {
                self.infer(f.value, None);
            }
            if let Some(b) = base {
                self.infer(b, None);
            }
            return Ty::Error;
        };
        self.out.expr_defs.insert(e, d);
        let (adt, owner_module, display_name) = match self.program.def(d).kind {
            DefKind::Variant { parent, .. } => (
                parent,
                self.program.def(parent).module,
                self.program.def_path(d),
            ),
            _ => (
                d,
                self.program.def(d).module,
                self.program.def(d).name.text.clone(),
            ),
        };
        if self.program.def(adt).has_attr("opaque") {
            self.error(
                codes::PRIVATE_FIELD_LITERAL,
                path.span,
                format!("cannot construct `{display_name}` with a struct literal"),
            )
            .with_note_mut("this built-in type is made by its functions, not a literal");
            for f in fields {
                self.infer(f.value, None);
            }
            return Ty::Error;
        }
        let n = self.typed.adts.generics.get(&adt).map_or(0, Vec::len);
        let mut ty_args: Vec<Ty> =
            match self.type_of_res(TypeRes::Def(adt), &path.last().args, path.span) {
                Ty::Adt(_, a) => a,
                _ => (0..n).map(|_| self.fresh_var()).collect(),
            };
        if let Some(h) = hint {
            let h = self.shallow(h);
            if let Ty::Adt(hd, _) = &h
                && *hd == adt
            {
                self.unify(&Ty::Adt(adt, ty_args.clone()), &h);
                ty_args = ty_args.iter().map(|t| self.shallow(t)).collect();
            }
        }
        let result = Ty::Adt(adt, ty_args.clone());
        let infos = self.typed.adts.fields.get(&d).cloned().unwrap_or_default();
        let mut seen: HashMap<String, Span> = HashMap::default();
        for f in fields {
            if let Some(info) = infos.iter().find(|i| i.name == f.name.text) {
                if let Some(prev) = seen.insert(f.name.text.clone(), f.name.span) {
                    let secondary_span = self.fs(prev);
                    self.error(
                        codes::FIELD_TWICE,
                        f.name.span,
                        format!("field `{}` specified more than once", f.name.text),
                    )
                    .with_secondary_mut(secondary_span, "first use of the field")
                    .label = "used more than once".into();
                }
                if !self.program.visible(owner_module, info.is_pub, self.module) {
                    self.error(
                        codes::PRIVATE_FIELD_LITERAL,
                        f.name.span,
                        format!(
                            "field `{}` of struct `{display_name}` is private",
                            f.name.text
                        ),
                    )
                    .label = "private field".into();
                }
                let ft = info.ty.subst(&ty_args);
                self.check_coerce(f.value, &ft);
            } else {
                self.infer(f.value, None);
                let names: Vec<String> = infos
                    .iter()
                    .filter(|i| !seen.contains_key(&i.name))
                    .map(|i| format!("`{}`", i.name))
                    .collect();
                let d = self.error(
                    codes::NO_SUCH_FIELD,
                    f.name.span,
                    format!(
                        "struct `{display_name}` has no field named `{}`",
                        f.name.text
                    ),
                );
                d.label = "unknown field".into();
                if !names.is_empty() {
                    d.notes
                        .push(format!("available fields are: {}", names.join(", ")));
                }
            }
        }
        if let Some(b) = base {
            self.check_coerce(b, &result);
        } else {
            let missing: Vec<String> = infos
                .iter()
                .filter(|i| !seen.contains_key(&i.name))
                .map(|i| format!("`{}`", i.name))
                .collect();
            if !missing.is_empty() {
                let list = missing.join(", ");
                self.error(
                    codes::MISSING_STRUCT_FIELDS,
                    path.span,
                    format!(
                        "missing field{} {list} in initializer of `{display_name}`",
                        if missing.len() == 1 { "" } else { "s" }
                    ),
                )
                .label = format!("missing {list}");
            }
        }
        result
    }

    /// What `for x in value` binds `x` to.
    fn iter_item(&mut self, it: &Ty, span: Span) -> Ty {
        let s = self.shallow(it);
        match &s {
            Ty::Error => Ty::Error,
            Ty::Array(t, _) => (**t).clone(),
            Ty::Ref(m, inner) => {
                let inner_s = self.shallow(inner);
                match inner_s {
                    Ty::Array(t, _) => Ty::Ref(*m, t),
                    Ty::Adt(d, _) => {
                        let item = self.iter_item(&inner_s, span);
                        if item.is_error() || self.program.def(d).has_attr("iter_moves") {
                            // A receiver's values are taken, not borrowed.
                            item
                        } else {
                            Ty::Ref(*m, Box::new(item))
                        }
                    }
                    _ => {
                        let shown = self.show(&s);
                        self.error(
                            codes::NOT_IMPLEMENTED,
                            span,
                            format!("`{shown}` is not an iterator"),
                        )
                        .label = "cannot iterate over this".into();
                        Ty::Error
                    }
                }
            }
            Ty::Adt(d, _) => {
                if let Some(role) = self.program.find_role(TypeRes::Def(*d), "iter") {
                    self.instantiate_method(role, &s, &[], span)
                        .map_or(Ty::Error, |(_, r)| r)
                } else {
                    let shown = self.show(&s);
                    self.error(
                        codes::NOT_IMPLEMENTED,
                        span,
                        format!("`{shown}` is not an iterator"),
                    )
                    .label = "cannot iterate over this".into();
                    Ty::Error
                }
            }
            Ty::Var(_) => {
                self.error(
                    codes::TYPE_ANNOTATIONS_NEEDED,
                    span,
                    "type annotations needed",
                )
                .label = "type must be known at this point".into();
                Ty::Error
            }
            _ => {
                let shown = self.show(&s);
                self.error(
                    codes::NOT_IMPLEMENTED,
                    span,
                    format!("`{shown}` is not an iterator"),
                )
                .label = "cannot iterate over this".into();
                Ty::Error
            }
        }
    }

    // -------------------------------------------------------------------
    // Patterns

    fn check_pat(&mut self, pat: PatId, expected: &Ty, mode: BindMode, init: bool) {
        let mut bound = Vec::new();
        self.pat(pat, expected, mode, init, &mut bound);
    }

    fn is_constructor_pat(&self, pat: PatId) -> bool {
        match &self.body.pat(pat).kind {
            PatKind::Ident {
                sub: None,
                mutable: false,
                by_ref: false,
                name,
                ..
            } => self.ident_is_path(&name.text),
            PatKind::Ident { .. }
            | PatKind::Wild
            | PatKind::Rest
            | PatKind::Missing
            | PatKind::Ref { .. } => false,
            PatKind::Or(alts) => alts.iter().any(|a| self.is_constructor_pat(*a)),
            _ => true,
        }
    }

    /// A lone name in a pattern names a unit variant, unit struct or
    /// constant in scope, if there is one; otherwise it binds.
    fn ident_is_path(&self, name: &str) -> bool {
        self.program
            .lookup_name(self.module, name, Ns::Values)
            .is_some_and(|d| match &self.program.def(d).kind {
                DefKind::Const(_) | DefKind::Variant { .. } => true,
                DefKind::Struct(s) => !matches!(s.fields, Fields::Named(_)),
                _ => false,
            })
    }

    #[allow(clippy::too_many_lines)]
    fn pat(
        &mut self,
        pat: PatId,
        expected: &Ty,
        mode: BindMode,
        init: bool,
        bound: &mut Vec<(String, Span)>,
    ) {
        self.out.pat_types[pat.index()] = expected.clone();
        let span = self.body.pat(pat).span;
        // Match ergonomics: a constructor pattern against a reference
        // matches the referent and binds by reference.
        if self.is_constructor_pat(pat)
            && let Ty::Ref(m, inner) = self.shallow(expected)
        {
            let new_mode = match mode {
                BindMode::Ref(false) => BindMode::Ref(false),
                _ => BindMode::Ref(m),
            };
            return self.pat(pat, &inner, new_mode, init, bound);
        }
        let kind = self.body.pat(pat).kind.clone();
        match kind {
            PatKind::Missing | PatKind::Wild | PatKind::Rest => {}
            PatKind::Ident {
                name,
                mutable,
                by_ref,
                ref_mut,
                sub,
            } => {
                if sub.is_none() && !mutable && !by_ref && self.ident_is_path(&name.text) {
                    let path = Path::single(name.clone());
                    self.path_pat(pat, &path, expected);
                    return;
                }
                if let Some(prev) = bound.iter().find(|(n, _)| *n == name.text) {
                    let prev = prev.1;
                    let secondary_span = self.fs(prev);
                    self.error(
                        codes::BOUND_TWICE,
                        name.span,
                        format!(
                            "identifier `{}` is bound more than once in the same pattern",
                            name.text
                        ),
                    )
                    .with_secondary_mut(secondary_span, "first binding")
                    .label = "used in a pattern more than once".into();
                    return;
                }
                bound.push((name.text.clone(), name.span));
                let ty = if by_ref {
                    Ty::Ref(ref_mut, Box::new(expected.clone()))
                } else {
                    match mode {
                        BindMode::Move => expected.clone(),
                        BindMode::Ref(m) => Ty::Ref(m, Box::new(expected.clone())),
                    }
                };
                let mut_span = mutable.then(|| Span::new(span.start, name.span.start));
                let id = self.declare(
                    &name.text,
                    ty,
                    mutable,
                    Some(pat),
                    name.span,
                    mut_span,
                    init,
                );
                self.out.pat_locals.insert(pat, id);
                if let Some(sub) = sub {
                    self.pat(sub, expected, mode, init, bound);
                }
            }
            PatKind::Path(path) => self.path_pat(pat, &path, expected),
            PatKind::Literal { lit, negative } => {
                let t = match lit {
                    Literal::Int(_) => Ty::Int,
                    Literal::Float(_) => Ty::Float,
                    Literal::Bool(_) => Ty::Bool,
                    Literal::Char(_) => Ty::Char,
                    Literal::Str(_) => Ty::Str,
                };
                if negative && !t.is_numeric() {
                    self.error(
                        codes::MISMATCHED_TYPES,
                        span,
                        "only numbers can be negative",
                    );
                }
                if !self.unify(&t, expected) {
                    self.mismatch(span, expected, &t);
                }
            }
            PatKind::Range { start, end, .. } => {
                for p in [start, end].into_iter().flatten() {
                    self.pat(p, expected, BindMode::Move, init, bound);
                }
                let e = self.shallow(expected);
                if !matches!(e, Ty::Int | Ty::Char | Ty::Float | Ty::Error | Ty::Var(_)) {
                    let shown = self.show(&e);
                    self.error(
                        codes::MISMATCHED_TYPES,
                        span,
                        format!("range patterns need numbers or chars, not `{shown}`"),
                    );
                }
            }
            PatKind::Tuple(elems) => {
                let rest = elems
                    .iter()
                    .position(|p| matches!(self.body.pat(*p).kind, PatKind::Rest));
                let e = self.shallow(expected);
                let items = match e {
                    Ty::Tuple(items) => items,
                    Ty::Var(_) if rest.is_none() => {
                        let items: Vec<Ty> = elems.iter().map(|_| self.fresh_var()).collect();
                        self.unify(expected, &Ty::Tuple(items.clone()));
                        items
                    }
                    Ty::Error => vec![Ty::Error; elems.len()],
                    other => {
                        let shown = self.show(&other);
                        self.error(codes::MISMATCHED_TYPES, span, "mismatched types")
                            .label = format!("expected `{shown}`, found a tuple");
                        vec![Ty::Error; elems.len()]
                    }
                };
                self.sub_pats(&elems, &items, rest, mode, init, bound, span, "tuple");
            }
            PatKind::TupleStruct { path, elems } => {
                let rest = elems
                    .iter()
                    .position(|p| matches!(self.body.pat(*p).kind, PatKind::Rest));
                let res = self
                    .program
                    .resolve_value_path(self.module, self.file, &path);
                let d = match res {
                    Ok(ValueRes::Def(d)) => d,
                    Ok(ValueRes::Assoc { .. }) => {
                        self.error(
                            codes::UNRESOLVED_VALUE,
                            path.span,
                            format!("cannot find tuple struct or variant `{}`", path.text()),
                        );
                        return self.pats_error(&elems, init, bound);
                    }
                    Err(err) => {
                        self.diags.push(*err.0);
                        return self.pats_error(&elems, init, bound);
                    }
                };
                self.out.pat_defs.insert(pat, d);
                let Some((adt_ty, fields, is_tuple)) = self.ctor_of(d) else {
                    let what = self.program.def(d).describe();
                    self.error(
                        codes::EXPECTED_UNIT_PATTERN,
                        path.span,
                        format!(
                            "expected tuple struct or tuple variant, found {what} `{}`",
                            path.text()
                        ),
                    );
                    return self.pats_error(&elems, init, bound);
                };
                if !is_tuple {
                    self.error(
                        codes::EXPECTED_UNIT_PATTERN,
                        path.span,
                        format!(
                            "expected tuple struct or tuple variant, found `{}`",
                            path.text()
                        ),
                    )
                    .with_help_mut("use a struct pattern `{ … }` or a path pattern");
                }
                if !self.unify(&adt_ty, expected) {
                    self.mismatch(span, expected, &adt_ty);
                }
                self.sub_pats(
                    &elems,
                    &fields,
                    rest,
                    mode,
                    init,
                    bound,
                    span,
                    "tuple variant",
                );
            }
            PatKind::Struct { path, fields, rest } => {
                let d = match self
                    .program
                    .resolve_struct_path(self.module, self.file, &path)
                {
                    Ok(d) => d,
                    Err(err) => {
                        self.diags.push(*err.0);
                        let pats: Vec<PatId> = fields.iter().map(|f| f.pat).collect();
                        return self.pats_error(&pats, init, bound);
                    }
                };
                self.out.pat_defs.insert(pat, d);
                let Some((adt_ty, field_tys, _)) = self.ctor_of(d) else {
                    return;
                };
                if !self.unify(&adt_ty, expected) {
                    self.mismatch(span, expected, &adt_ty);
                }
                let infos = self.typed.adts.fields.get(&d).cloned().unwrap_or_default();
                let mut mentioned = Vec::new();
                for f in &fields {
                    if let Some(i) = infos.iter().position(|i| i.name == f.name.text) {
                        mentioned.push(i);
                        self.pat(f.pat, &field_tys[i], mode, init, bound);
                    } else {
                        let what = self.program.def(d).describe();
                        let name = self.program.def_path(d);
                        self.error(
                            codes::NO_SUCH_FIELD_PATTERN,
                            f.name.span,
                            format!(
                                "{what} `{name}` does not have a field named `{}`",
                                f.name.text
                            ),
                        )
                        .label = format!("{what} `{name}` does not have this field");
                        self.pat(f.pat, &Ty::Error, mode, init, bound);
                    }
                }
                if !rest {
                    let missing: Vec<String> = infos
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| !mentioned.contains(i))
                        .map(|(_, f)| format!("`{}`", f.name))
                        .collect();
                    if !missing.is_empty() {
                        let list = missing.join(", ");
                        self.error(
                            codes::MISSING_FIELDS_PATTERN,
                            span,
                            format!(
                                "pattern does not mention field{} {list}",
                                if missing.len() == 1 { "" } else { "s" }
                            ),
                        )
                        .with_help_mut("include the missing fields, or ignore them with `..`")
                        .label = format!(
                            "missing field{} {list}",
                            if missing.len() == 1 { "" } else { "s" }
                        );
                    }
                }
            }
            PatKind::Slice(elems) => {
                let e = self.shallow(expected);
                let elem = match &e {
                    Ty::Array(t, _) => (**t).clone(),
                    Ty::Error => Ty::Error,
                    other => {
                        let shown = self.show(other);
                        self.error(
                            codes::MISMATCHED_TYPES,
                            span,
                            format!("expected an array or slice, found `{shown}`"),
                        );
                        Ty::Error
                    }
                };
                let rest = elems
                    .iter()
                    .any(|p| matches!(self.body.pat(*p).kind, PatKind::Rest));
                if let Ty::Array(_, Some(n)) = &e {
                    let count = elems.len() - usize::from(rest);
                    if (!rest && count as u64 != *n) || (rest && count as u64 > *n) {
                        self.error(
                            codes::MISMATCHED_TYPES,
                            span,
                            format!(
                                "pattern requires {count} element{} but array has {n}",
                                if count == 1 { "" } else { "s" }
                            ),
                        );
                    }
                }
                for p in elems {
                    self.pat(p, &elem, mode, init, bound);
                }
            }
            PatKind::Ref { mutable, inner } => match self.shallow(expected) {
                Ty::Ref(m, t) if m == mutable => self.pat(inner, &t, BindMode::Move, init, bound),
                Ty::Error => self.pat(inner, &Ty::Error, BindMode::Move, init, bound),
                Ty::Var(_) => {
                    let t = self.fresh_var();
                    self.unify(expected, &Ty::Ref(mutable, Box::new(t.clone())));
                    self.pat(inner, &t, BindMode::Move, init, bound);
                }
                other => {
                    let shown = self.show(&other);
                    self.error(codes::MISMATCHED_TYPES, span, "mismatched types")
                        .label = format!("expected `{shown}`, found a reference pattern");
                    self.pat(inner, &Ty::Error, BindMode::Move, init, bound);
                }
            },
            PatKind::Or(alts) => {
                let mut first_names: Option<Vec<(String, Span)>> = None;
                let saved = self.or_bindings.take();
                let mut map: HashMap<String, LocalId> = HashMap::default();
                for alt in alts {
                    let mut alt_bound = Vec::new();
                    self.or_bindings = if first_names.is_some() {
                        Some(map.clone())
                    } else {
                        None
                    };
                    let before = self.out.locals.len();
                    self.pat(alt, expected, mode, init, &mut alt_bound);
                    if first_names.is_none() {
                        for (i, local) in self.out.locals.iter().enumerate().skip(before) {
                            map.insert(local.name.clone(), LocalId(u32::try_from(i).unwrap_or(0)));
                        }
                    }
                    match &first_names {
                        None => first_names = Some(alt_bound),
                        Some(first) => {
                            for (n, s) in first {
                                if !alt_bound.iter().any(|(m, _)| m == n) {
                                    let alt_span = self.body.pat(alt).span;
                                    let secondary_span = self.fs(*s);
                                    self.error(
                                        codes::NOT_BOUND_IN_ALL,
                                        alt_span,
                                        format!("variable `{n}` is not bound in all patterns"),
                                    )
                                    .with_secondary_mut(
                                        secondary_span,
                                        format!(
                                            "variable not in all patterns: `{n}` is bound here"
                                        ),
                                    )
                                    .label = format!("pattern doesn't bind `{n}`");
                                }
                            }
                            for (n, s) in &alt_bound {
                                if !first.iter().any(|(m, _)| m == n) {
                                    self.error(
                                        codes::NOT_BOUND_IN_ALL,
                                        *s,
                                        format!("variable `{n}` is not bound in all patterns"),
                                    )
                                    .label = "not bound in the first alternative".into();
                                }
                            }
                        }
                    }
                }
                self.or_bindings = saved;
                bound.extend(first_names.unwrap_or_default());
            }
        }
    }

    fn pats_error(&mut self, pats: &[PatId], init: bool, bound: &mut Vec<(String, Span)>) {
        for p in pats {
            self.pat(*p, &Ty::Error, BindMode::Move, init, bound);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn sub_pats(
        &mut self,
        elems: &[PatId],
        tys: &[Ty],
        rest: Option<usize>,
        mode: BindMode,
        init: bool,
        bound: &mut Vec<(String, Span)>,
        span: Span,
        what: &str,
    ) {
        let count = elems.len() - usize::from(rest.is_some());
        if (rest.is_none() && count != tys.len()) || count > tys.len() {
            let code = if what == "tuple" {
                codes::MISMATCHED_TYPES
            } else {
                codes::PATTERN_ARITY
            };
            self.error(
                code,
                span,
                format!(
                    "this pattern has {count} field{}, but the corresponding {what} has {} field{}",
                    if count == 1 { "" } else { "s" },
                    tys.len(),
                    if tys.len() == 1 { "" } else { "s" }
                ),
            )
            .label = format!(
                "expected {} field{}, found {count}",
                tys.len(),
                if tys.len() == 1 { "" } else { "s" }
            );
            return self.pats_error(elems, init, bound);
        }
        let mut ti = 0;
        for (i, p) in elems.iter().enumerate() {
            if Some(i) == rest {
                ti += tys.len() - count;
                continue;
            }
            let t = tys.get(ti).cloned().unwrap_or(Ty::Error);
            self.pat(*p, &t, mode, init, bound);
            ti += 1;
        }
    }

    /// For a struct or variant: its type with fresh arguments, its field
    /// types, and whether it is tuple-like.
    fn ctor_of(&mut self, d: DefId) -> Option<(Ty, Vec<Ty>, bool)> {
        let (adt, fields) = match &self.program.def(d).kind {
            DefKind::Struct(s) => (d, &s.fields),
            DefKind::Variant { parent, index } => match &self.program.def(*parent).kind {
                DefKind::Enum(e) => (*parent, &e.variants[*index].fields),
                _ => return None,
            },
            _ => return None,
        };
        let is_tuple = matches!(fields, Fields::Tuple(_));
        let n = self.typed.adts.generics.get(&adt).map_or(0, Vec::len);
        let args: Vec<Ty> = (0..n).map(|_| self.fresh_var()).collect();
        let tys = self
            .typed
            .adts
            .fields
            .get(&d)
            .map(|f| f.iter().map(|f| f.ty.subst(&args)).collect())
            .unwrap_or_default();
        Some((Ty::Adt(adt, args), tys, is_tuple))
    }

    fn path_pat(&mut self, pat: PatId, path: &Path, expected: &Ty) {
        let span = self.body.pat(pat).span;
        match self
            .program
            .resolve_value_path(self.module, self.file, path)
        {
            Ok(ValueRes::Def(d)) => {
                self.out.pat_defs.insert(pat, d);
                let t = match &self.program.def(d).kind {
                    DefKind::Const(_) => {
                        self.typed.const_types.get(&d).cloned().unwrap_or(Ty::Error)
                    }
                    _ => {
                        if let Some((t, fields, _)) = self.ctor_of(d) {
                            if !fields.is_empty() {
                                let n = fields.len();
                                let name = path.text();
                                self.error(codes::EXPECTED_UNIT_PATTERN, span, format!("expected unit struct, unit variant or constant, found tuple variant `{name}`"))
                                .with_help_mut(format!("use the tuple variant pattern syntax instead: `{name}({})`", vec!["_"; n].join(", ")));
                            }
                            t
                        } else {
                            let what = self.program.def(d).describe();
                            self.error(codes::EXPECTED_UNIT_PATTERN, span, format!("expected unit struct, unit variant or constant, found {what} `{}`", path.text()));
                            Ty::Error
                        }
                    }
                };
                if !self.unify(&t, expected) {
                    self.mismatch(span, expected, &t);
                }
            }
            Ok(ValueRes::Assoc { .. }) => {
                self.error(
                    codes::UNRESOLVED_VALUE,
                    path.span,
                    format!("cannot find unit variant or constant `{}`", path.text()),
                );
            }
            Err(err) => self.diags.push(*err.0),
        }
    }

    // -------------------------------------------------------------------
    // After inference

    fn finish(&mut self) {
        // Operators whose operand types later code decided.
        let mut unknown_operands = None;
        for (op, l, r, span) in std::mem::take(&mut self.deferred_ops) {
            let (dl, dr) = (self.deep(&l), self.deep(&r));
            if matches!(dl, Ty::Var(_)) {
                unknown_operands.get_or_insert((op, span));
            } else {
                self.arith_result(op, &dl, &dr, span);
            }
        }
        // Types the body never pinned down.
        let mut reported = false;
        for i in 0..self.out.locals.len() {
            let t = self.deep(&self.out.locals[i].ty);
            if t.has_vars() && !reported && !t.references_error() {
                let shown = self.show(&t);
                let span = self.out.locals[i].span;
                let name = self.out.locals[i].name.clone();
                self.error(
                    codes::TYPE_ANNOTATIONS_NEEDED,
                    span,
                    format!("type annotations needed for `{shown}`"),
                )
                .with_help_mut(format!("give `{name}` an explicit type"))
                .label = format!("type of `{name}` is not known");
                reported = true;
            }
            self.out.locals[i].ty = erase_vars(&t);
        }
        // One mistake, one error: a binding's missing type covers it.
        if let (Some((op, span)), false) = (unknown_operands, reported) {
            self.error(
                codes::TYPE_ANNOTATIONS_NEEDED,
                span,
                "type annotations needed",
            )
            .label = format!("the operands of `{}` need a known type", op.as_str());
        }
        for i in 0..self.out.expr_types.len() {
            let t = self.deep(&self.out.expr_types[i]);
            self.out.expr_types[i] = erase_vars(&t);
        }
        for i in 0..self.out.pat_types.len() {
            let t = self.deep(&self.out.pat_types[i]);
            self.out.pat_types[i] = erase_vars(&t);
        }
        self.check_matches();
        self.lints();
    }

    fn lints(&mut self) {
        for local in &self.out.locals {
            if local.name.starts_with('_') || local.name == "self" {
                continue;
            }
            if !local.used {
                let fix_span = self.fs(local.span);
                let d = Diagnostic::warning(
                    codes::UNUSED_VARIABLE,
                    self.fs(local.span),
                    format!("unused variable: `{}`", local.name),
                )
                .with_label(if local.mutated {
                    "assigned to, but never used"
                } else {
                    "never used"
                })
                .with_fix(
                    "if this is intentional, prefix it with an underscore",
                    fix_span,
                    format!("_{}", local.name),
                )
                .unnecessary();
                self.diags.push(d);
            } else if local.mutable
                && !local.mutated
                && local.initialised_at_decl
                // Calling a closure that mutates what it captures needs a
                // `mut` binding (as in Rust); that is not tracked here.
                && !matches!(local.ty, Ty::Fn(..))
                && let Some(ms) = local.mut_span
            {
                let d = Diagnostic::warning(
                    codes::UNUSED_MUT,
                    self.fs(ms.to(local.span)),
                    "variable does not need to be mutable",
                )
                .with_label("this binding is never changed")
                .with_fix("remove this `mut`", self.fs(ms), "")
                .unnecessary();
                self.diags.push(d);
            }
        }
    }

    fn dpat(&self, pat: PatId, ty: &Ty) -> DPat {
        let p = self.body.pat(pat);
        let constructor_like = !matches!(
            p.kind,
            PatKind::Wild | PatKind::Rest | PatKind::Missing | PatKind::Ref { .. }
        ) && !matches!(&p.kind, PatKind::Ident { sub: None, .. } if !self.out.pat_defs.contains_key(&pat));
        if let (Ty::Ref(_, inner), true) = (ty, constructor_like)
            && !matches!(p.kind, PatKind::Ident { sub: Some(_), .. })
        {
            return DPat::Ctor(Ctor::Ref, vec![self.dpat(pat, inner)]);
        }
        match &p.kind {
            PatKind::Wild | PatKind::Rest | PatKind::Missing => DPat::Wild,
            PatKind::Ident { sub, .. } => match (sub, self.out.pat_defs.get(&pat)) {
                (Some(s), _) => self.dpat(*s, ty),
                (None, Some(d)) => self.def_ctor(*d, ty, &[]),
                (None, None) => DPat::Wild,
            },
            PatKind::Path(_) => match self.out.pat_defs.get(&pat) {
                Some(d) => self.def_ctor(*d, ty, &[]),
                None => DPat::Wild,
            },
            PatKind::Literal { lit, negative } => DPat::Ctor(lit_ctor(lit, *negative), Vec::new()),
            PatKind::Range {
                start,
                end,
                inclusive,
            } => {
                let bound = |p: &Option<PatId>| -> Option<i128> {
                    let pat = self.body.pat((*p)?);
                    match &pat.kind {
                        PatKind::Literal {
                            lit: Literal::Int(n),
                            negative,
                        } => Some(if *negative {
                            -i128::from(*n)
                        } else {
                            i128::from(*n)
                        }),
                        PatKind::Literal {
                            lit: Literal::Char(c),
                            ..
                        } => Some(i128::from(u32::from(*c))),
                        _ => None,
                    }
                };
                let lo = bound(start).unwrap_or(i128::MIN);
                let hi = bound(end).map_or(i128::MAX, |h| if *inclusive { h } else { h - 1 });
                DPat::Ctor(Ctor::Int(lo, hi), Vec::new())
            }
            PatKind::Tuple(elems) => {
                let tys = match ty {
                    Ty::Tuple(items) => items.clone(),
                    _ => return DPat::Wild,
                };
                DPat::Ctor(Ctor::Single, self.expand_rest(elems, &tys))
            }
            PatKind::TupleStruct { elems, .. } => match self.out.pat_defs.get(&pat) {
                Some(d) => {
                    let fields = self.field_tys(*d, ty);
                    let subs = self.expand_rest(elems, &fields);
                    self.def_ctor(*d, ty, &subs)
                }
                None => DPat::Wild,
            },
            PatKind::Struct { fields, .. } => match self.out.pat_defs.get(&pat) {
                Some(d) => {
                    let infos = self.typed.adts.fields.get(d).cloned().unwrap_or_default();
                    let ftys = self.field_tys(*d, ty);
                    let subs = infos
                        .iter()
                        .enumerate()
                        .map(
                            |(i, info)| match fields.iter().find(|f| f.name.text == info.name) {
                                Some(f) => self.dpat(f.pat, ftys.get(i).unwrap_or(&Ty::Error)),
                                None => DPat::Wild,
                            },
                        )
                        .collect::<Vec<_>>();
                    self.def_ctor(*d, ty, &subs)
                }
                None => DPat::Wild,
            },
            PatKind::Slice(elems) => match ty {
                Ty::Array(t, Some(n)) => {
                    let tys = vec![(**t).clone(); usize::try_from(*n).unwrap_or(0)];
                    DPat::Ctor(Ctor::Single, self.expand_rest(elems, &tys))
                }
                _ => DPat::Wild,
            },
            PatKind::Ref { inner, .. } => match ty {
                Ty::Ref(_, t) => DPat::Ctor(Ctor::Ref, vec![self.dpat(*inner, t)]),
                _ => DPat::Wild,
            },
            PatKind::Or(alts) => DPat::Or(alts.iter().map(|a| self.dpat(*a, ty)).collect()),
        }
    }

    fn field_tys(&self, d: DefId, ty: &Ty) -> Vec<Ty> {
        let args = match ty {
            Ty::Adt(_, a) => a.clone(),
            _ => Vec::new(),
        };
        self.typed
            .adts
            .fields
            .get(&d)
            .map(|f| f.iter().map(|f| f.ty.subst(&args)).collect())
            .unwrap_or_default()
    }

    fn expand_rest(&self, elems: &[PatId], tys: &[Ty]) -> Vec<DPat> {
        let rest = elems
            .iter()
            .position(|p| matches!(self.body.pat(*p).kind, PatKind::Rest));
        let count = elems.len() - usize::from(rest.is_some());
        let mut out = Vec::new();
        let mut ti = 0;
        for (i, p) in elems.iter().enumerate() {
            if Some(i) == rest {
                for _ in 0..tys.len().saturating_sub(count) {
                    out.push(DPat::Wild);
                    ti += 1;
                }
                continue;
            }
            out.push(self.dpat(*p, tys.get(ti).unwrap_or(&Ty::Error)));
            ti += 1;
        }
        out.resize(tys.len(), DPat::Wild);
        out
    }

    fn def_ctor(&self, d: DefId, _ty: &Ty, subs: &[DPat]) -> DPat {
        match &self.program.def(d).kind {
            DefKind::Variant { index, .. } => DPat::Ctor(Ctor::Variant(*index), subs.to_vec()),
            DefKind::Struct(_) => DPat::Ctor(Ctor::Single, subs.to_vec()),
            DefKind::Const(_) => match self.typed.const_values.get(&d) {
                Some(super::ConstValue::Int(n)) => {
                    DPat::Ctor(Ctor::Int(i128::from(*n), i128::from(*n)), Vec::new())
                }
                Some(super::ConstValue::Bool(b)) => DPat::Ctor(Ctor::Bool(*b), Vec::new()),
                Some(super::ConstValue::Char(c)) => DPat::Ctor(
                    Ctor::Int(i128::from(u32::from(*c)), i128::from(u32::from(*c))),
                    Vec::new(),
                ),
                Some(super::ConstValue::Str(s)) => DPat::Ctor(Ctor::Str(s.clone()), Vec::new()),
                _ => DPat::Ctor(Ctor::Opaque(d), Vec::new()),
            },
            _ => DPat::Wild,
        }
    }

    fn check_matches(&mut self) {
        let matcher = Matcher {
            program: self.program,
            adts: &self.typed.adts,
        };
        let mut new_diags = Vec::new();
        for m in std::mem::take(&mut self.matches) {
            let ExprKind::Match { scrutinee, arms } = &self.body.expr(m).kind else {
                continue;
            };
            let st = self.out.expr_types[scrutinee.index()].clone();
            if st.references_error() {
                continue;
            }
            let mut rows = super::exhaustive::Arms::default();
            for arm in arms {
                let dp = self.dpat(arm.pat, &st);
                if matcher
                    .useful_after(&rows, std::slice::from_ref(&dp), std::slice::from_ref(&st))
                    .is_none()
                {
                    new_diags.push(
                        Diagnostic::warning(
                            codes::UNREACHABLE_PATTERN,
                            self.fs(self.body.pat(arm.pat).span),
                            "unreachable pattern",
                        )
                        .with_label(
                            "no value can reach this arm: earlier arms match everything it matches",
                        )
                        .unnecessary(),
                    );
                }
                if arm.guard.is_none() {
                    rows.push(vec![dp]);
                }
            }
            if let Some(w) = matcher.useful(rows.all(), &[DPat::Wild], std::slice::from_ref(&st)) {
                let witness = matcher.show(&w[0], &st);
                let shown = self.show(&st);
                let span = self.span_of(*scrutinee);
                let end = self.span_of(m).end.saturating_sub(1);
                let d = Diagnostic::error(
                    codes::NON_EXHAUSTIVE,
                    self.fs(span),
                    format!("non-exhaustive patterns: `{witness}` not covered"),
                )
                .with_label(format!("pattern `{witness}` not covered"))
                .with_note(format!("the matched value is of type `{shown}`"));
                new_diags.push(self.missing_arm_fix(d, end, &witness));
            }
        }
        for (pat, span) in std::mem::take(&mut self.lets) {
            let t = self.out.pat_types[pat.index()].clone();
            if t.references_error() {
                continue;
            }
            let dp = self.dpat(pat, &t);
            if let Some(w) = matcher.useful(&[vec![dp]], &[DPat::Wild], std::slice::from_ref(&t)) {
                let witness = matcher.show(&w[0], &t);
                new_diags.push(
                    Diagnostic::error(codes::REFUTABLE_LET, self.fs(self.body.pat(pat).span), format!("refutable pattern in local binding: `{witness}` not covered"))
                        .with_label(format!("pattern `{witness}` not covered"))
                        .with_help("use `if let` or `let … else { … }` to handle the case where the pattern does not match")
                        .with_secondary(self.fs(span), "in this binding"),
                );
            }
        }
        self.diags.extend(new_diags);
    }
}

fn lit_ctor(lit: &Literal, negative: bool) -> Ctor {
    match lit {
        Literal::Int(n) => {
            let v = i128::from(*n);
            let v = if negative { -v } else { v };
            Ctor::Int(v, v)
        }
        Literal::Float(f) => Ctor::Float(if negative {
            (-f).to_bits()
        } else {
            f.to_bits()
        }),
        Literal::Bool(b) => Ctor::Bool(*b),
        Literal::Char(c) => Ctor::Int(i128::from(u32::from(*c)), i128::from(u32::from(*c))),
        Literal::Str(s) => Ctor::Str(s.clone()),
    }
}

fn erase_vars(ty: &Ty) -> Ty {
    match ty {
        Ty::Var(_) => Ty::Error,
        Ty::Tuple(items) => Ty::Tuple(items.iter().map(erase_vars).collect()),
        Ty::Array(t, n) => Ty::Array(Box::new(erase_vars(t)), *n),
        Ty::Ref(m, t) => Ty::Ref(*m, Box::new(erase_vars(t))),
        Ty::Fn(p, r) => Ty::Fn(p.iter().map(erase_vars).collect(), Box::new(erase_vars(r))),
        Ty::Adt(d, a) => Ty::Adt(*d, a.iter().map(erase_vars).collect()),
        other => other.clone(),
    }
}

/// Chaining helpers on a just-pushed diagnostic.
trait DiagMut {
    fn with_note_mut(&mut self, note: impl Into<String>) -> &mut Self;
    fn with_help_mut(&mut self, help: impl Into<String>) -> &mut Self;
    fn with_secondary_mut(&mut self, span: FileSpan, message: impl Into<String>) -> &mut Self;
}

impl DiagMut for Diagnostic {
    fn with_note_mut(&mut self, note: impl Into<String>) -> &mut Self {
        self.notes.push(note.into());
        self
    }

    fn with_help_mut(&mut self, help: impl Into<String>) -> &mut Self {
        self.help.push(help.into());
        self
    }

    fn with_secondary_mut(&mut self, span: FileSpan, message: impl Into<String>) -> &mut Self {
        self.labels.push(crate::diagnostics::Label {
            span,
            message: message.into(),
        });
        self
    }
}
